# tagtrail: `make run` serves, `make test` runs the whole suite.
# Both create .venv themselves; nothing is installed outside it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8080

.PHONY: run demo test test-fast test-postgres lock system-packages lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "tagtrail needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || \
	  { echo "Could not create $(VENV). On Debian: sudo apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

# Dependencies come from the lock files, exactly the versions the suite
# passed with; the project itself is installed on top without resolving
# anything. Reinstall whenever a lock or pyproject.toml changes.
$(VENV)/.installed: pyproject.toml requirements/run.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements/run.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml requirements/test.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements/test.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@ $(VENV)/.installed

# Regenerate the locks from pyproject.toml, for every platform and Python from
# 3.11 (Debian 12) up. Pins already in the locks are kept unless pyproject.toml
# needs otherwise; `make lock LOCK_FLAGS=--upgrade` takes the newest allowed.
# Commit a changed lock only after the whole suite (`make test`) passes with it.
LOCK_FLAGS ?=
UV_VERSION := 0.13.9
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 \
	  --custom-compile-command 'make lock' $(LOCK_FLAGS) -q -o requirements/test.lock
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 \
	  -c requirements/test.lock --custom-compile-command 'make lock' -q -o requirements/run.lock

run: $(VENV)/.installed
	PORT=$(PORT) $(BIN)/tagtrail serve

demo: $(VENV)/.installed
	$(BIN)/tagtrail demo

# The lint (style, layering, types), then the whole suite on SQLite, then again
# on PostgreSQL. First installs the
# Debian packages the tests need (Chromium, poppler, PostgreSQL...), if missing.
test: system-packages $(VENV)/.installed-test
	$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest --durations=10
	$(MAKE) --no-print-directory test-postgres

# The loop while working: everything but the browser, slow and PostgreSQL
# tests (markers in pyproject.toml), in under three minutes on two cores.
# One pytest-xdist worker per core; `make test` stays serial (docs/testing.md).
test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m "not browser and not slow and not postgres" -n auto --durations=10

# The same suite on a throwaway PostgreSQL cluster (needs Debian's postgresql):
# every test that uses the app's database runs there.
test-postgres: $(VENV)/.installed-test
	$(BIN)/python -m tests.postgres $(BIN)/python -m pytest -p no:cacheprovider --durations=10

system-packages:
	@scripts/system-packages

# Style, then the layering (contracts in pyproject.toml's [tool.importlinter]:
# routes do not import the models or each other, domain packages do not import
# Flask, labels does not import app), then types ([tool.mypy]).
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo
	$(BIN)/mypy

# Every bench/*.py with a __main__ guard is a benchmark; the rest (harness.py)
# are helpers. All of them run even if one fails, and then make reports it.
bench: $(VENV)/.installed-test
	@ls bench/*.py >/dev/null 2>&1 || { echo "no benchmarks yet"; exit 0; }
	@failed=""; \
	for f in $$(grep -l '^if __name__ == "__main__":' bench/*.py); do \
	  echo "== $$f"; $(BIN)/python "$$f" || failed="$$failed $$f"; \
	done; \
	[ -z "$$failed" ] || { echo "failed:$$failed"; exit 1; }

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis \
	  .mypy_cache .import_linter_cache
