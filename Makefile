# tagtrail: `make run` serves, `make test` runs the whole suite.
# Both create .venv themselves; nothing is installed outside it.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8080

.PHONY: run demo test test-postgres lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "tagtrail needs Python 3.11 or newer (set PYTHON=...)"; exit 1; }
	@$(PYTHON) -m venv $(VENV) || \
	  { echo "Could not create $(VENV). On Debian: sudo apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	PORT=$(PORT) $(BIN)/tagtrail serve

demo: $(VENV)/.installed
	$(BIN)/tagtrail demo

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

# The same suite on a throwaway PostgreSQL cluster (needs Debian's postgresql):
# every test that uses the app's database runs there.
test-postgres: $(VENV)/.installed-test
	$(BIN)/python -m tests.postgres $(BIN)/python -m pytest -p no:cacheprovider

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

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
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
