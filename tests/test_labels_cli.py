"""`tagtrail labels`: list formats, print chosen assets or blanks to a PDF file,
a calibration page, and usage errors."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from app.cli import main
from app.models import LabelCode

from . import factories
from .label_kit import FORMATS, PUBLIC, decode, pdf_info, pdf_text, printed

L7160 = "avery-l7160"


@pytest.fixture
def cli(app, monkeypatch):
    """Run `tagtrail labels ...` against the test app's instance folder."""
    monkeypatch.setenv("TAGTRAIL_INSTANCE", app.instance_path)
    monkeypatch.setenv("TAGTRAIL_SECRET_KEY", "a-long-random-test-secret-0123456789")
    monkeypatch.setenv("TAGTRAIL_PUBLIC_URL", "http://tags.example.test")
    runner = CliRunner()
    return lambda *args: runner.invoke(main, ["labels", *args])


@pytest.fixture
def three(app):
    lead = factories.make_user("lead")
    return [factories.make_asset(lead, name=name) for name in ("Anvil", "Bandsaw", "Chisel set")]


def test_cli_lists_formats(cli):
    """--list-formats prints every shipped format with its title."""
    result = cli("--list-formats")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == len(FORMATS)
    for name, fmt in FORMATS.items():
        assert f"{name:<20} {fmt.title}" in lines


def test_cli_prints_codes_and_records_them(cli, three, tmp_path):
    """--codes writes a PDF of those assets and records label_printed for each."""
    out = tmp_path / "sheet.pdf"
    wanted = three[:2]
    result = cli("--format", L7160, "--codes", ",".join(a.code for a in wanted), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(f"Wrote {out}.")
    assert "WARNING" not in result.output
    assert sorted(decode(out.read_bytes(), tmp_path / "raster")) == sorted(
        f"{PUBLIC}/A/{a.code}" for a in wanted
    )
    assert sorted(e.asset_id for e in printed()) == sorted(a.id for a in wanted)
    assert {(e.actor_id, e.data["format"]) for e in printed()} == {(None, L7160)}


def test_cli_blank_labels_and_calibration(cli, tmp_path):
    """--blank 3 reserves three blank codes; --calibrate writes a one-page PDF."""
    blanks = tmp_path / "blanks.pdf"
    result = cli("--format", "avery-l7651", "--blank", "3", "-o", str(blanks))
    assert result.exit_code == 0, result.output
    rows = list(LabelCode.select())
    assert [r.state for r in rows] == ["blank"] * 3
    assert sorted(decode(blanks.read_bytes(), tmp_path / "raster")) == sorted(
        f"{PUBLIC}/A/{r.code}" for r in rows
    )
    calibration = tmp_path / "calibration.pdf"
    result = cli("--format", L7160, "--calibrate", "-o", str(calibration))
    assert result.exit_code == 0, result.output
    assert pdf_info(calibration.read_bytes())["Pages"] == "1"
    assert printed() == []


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "no-such-stock", "--all", "-o", "x.pdf"],
        ["--format", L7160, "--all"],
        ["--format", L7160, "--all", "--unprinted", "-o", "x.pdf"],
    ],
    ids=["unknown-format", "no-output", "two-choices"],
)
def test_cli_usage_errors(cli, tmp_path, monkeypatch, args):
    """An unknown --format, no -o, or two choices at once: usage error, no file, nothing
    recorded. (Without --format the stock for the organisation's paper size is used.)"""
    monkeypatch.chdir(tmp_path)
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert "Usage:" in result.output
    assert not (tmp_path / "x.pdf").exists()
    assert printed() == [] and LabelCode.select().count() == 0


def test_cli_reports_nothing_to_print(cli, tmp_path):
    """Codes that match no asset: a clear error and a non-zero exit, no file."""
    out = tmp_path / "none.pdf"
    result = cli("--format", L7160, "--codes", "ZZZZZZ", "-o", str(out))
    assert result.exit_code == 1
    assert "There are no labels to print." in result.output
    assert not out.exists()


@pytest.mark.parametrize("args", [["--all"], ["--blank", "3"]])
def test_cli_refuses_to_print_without_a_public_address(cli, three, tmp_path, monkeypatch, args):
    """No public address: no PDF, no printed record, no reserved codes (as in the app)."""
    monkeypatch.setenv("TAGTRAIL_PUBLIC_URL", "")
    out = tmp_path / "sheet.pdf"
    result = cli("--format", L7160, *args, "-o", str(out))
    assert result.exit_code != 0
    assert "No public address is set" in result.output
    assert not out.exists()
    assert printed() == [] and LabelCode.select().count() == 0


def test_cli_prints_external_tags_when_asked(cli, three, tmp_path):
    """--tags adds each asset's old tag under its name; without it there is none."""
    from app.database import write
    from app.models import Asset

    with write():
        Asset.update(external_tag="OLD-TAG-0042").where(Asset.id == three[0].id).execute()
    plain, tagged = tmp_path / "plain.pdf", tmp_path / "tagged.pdf"
    code = three[0].code
    assert cli("--format", L7160, "--codes", code, "-o", str(plain)).exit_code == 0
    result = cli("--format", L7160, "--codes", code, "--tags", "-o", str(tagged))
    assert result.exit_code == 0, result.output
    assert "OLD-TAG-0042" not in pdf_text(plain.read_bytes())
    assert "OLD-TAG-0042" in pdf_text(tagged.read_bytes())
    assert decode(tagged.read_bytes(), tmp_path / "raster") == [f"{PUBLIC}/A/{code}"]
