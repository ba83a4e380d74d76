"""Custom fields on labels: each field marked for labels prints as one line
("Voltage: 230") on stock with room for it, clear of the QR and the other
text, and the print page says which lines a stock cuts or leaves off."""

from __future__ import annotations

import pytest

import labels
from labels import text

from .label_kit import FORMATS, PUBLIC, decode, first_fast, pdf_text, text_boxes

ORG = "Property of Acme Ltd — found it? scan me"
FIELDS = ("Voltage: 230", "PAT tested: Yes")


def label(n: int = 0, fields=FIELDS, name: str = "Hilti TE 30-A36 rotary hammer"):
    code = f"7K3M{n:02d}"
    return labels.Label(labels.qr_url(PUBLIC, "A", code), code, name, fields=tuple(fields))


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize("org_line", ["", ORG])
def test_field_lines_stay_clear_of_the_qr_and_other_text(name, org_line):
    fmt = FORMATS[name]
    lines, qr_right = text_boxes(label(), fmt, org_line)
    for _, _, left, top, right, bottom in lines:
        assert left >= qr_right
        assert right <= fmt.label_width_mm and 0 <= top and bottom <= fmt.label_height_mm
    fields = [line for line in lines if line[0] == "field"]
    for field in fields:
        for other in lines:
            if other is field:
                continue
            # The code is capitals and digits: nothing hangs below its baseline.
            bottom = other[5] if other[0] != "code" else other[5] - 0.24 * (other[5] - other[3])
            assert bottom <= field[3] + 1e-6 or other[3] >= field[5] - 1e-6, (name, other, field)
    shown = [line[1] for line in fields]
    drawing = labels.layout.plan(label(), fmt, org_line)
    # Every line is printed whole, or the drawing says it was cut or left off.
    for line in FIELDS:
        assert line in shown or line in drawing.fields_lost, (name, line)
    if fmt.layout == "tiny":
        assert not fields and set(drawing.fields_lost) == set(FIELDS)
    elif fmt.label_height_mm >= 25 and not org_line:  # sheet labels with room for a name
        assert shown[:1] == [FIELDS[0]], name


def test_fields_come_after_the_name_and_before_the_foot_line():
    fmt = FORMATS["avery-l7163"]
    lines, _ = text_boxes(label(), fmt, ORG)
    roles = [role for role, *_ in lines]
    assert roles.index("name") < roles.index("field") < roles.index("org")
    assert [t for role, t, *_ in lines if role == "field"] == list(FIELDS)


def test_a_label_without_fields_is_drawn_as_before():
    fmt = FORMATS["avery-l7160"]
    plain = labels.Label(labels.qr_url(PUBLIC, "A", "7K3M00"), "7K3M00", "Drill")
    assert labels.layout.plan(plain, fmt, ORG) == labels.layout.plan(
        label(fields=(), name="Drill"), fmt, ORG
    )


def test_a_line_too_long_is_cut_and_fit_reports_it():
    fmt = FORMATS["avery-l7651"]
    long = "Calibration certificate: " + "X" * 80
    one = label(fields=(long,))
    drawing = labels.layout.plan(one, fmt)
    printed = [line.text for line in drawing.lines if line.role == "field"]
    assert printed and printed[0].endswith(text.ELLIPSIS)
    assert drawing.fields_lost == (long,)
    assert labels.fit([one], fmt).fields_lost == [(one.code, long)]
    tiny = FORMATS["avery-l4732"]
    assert labels.fit([label()], tiny).fields_lost == [("7K3M00", f) for f in FIELDS]


@pytest.mark.parametrize("name", first_fast(["avery-l7163", "avery-l7160", "dymo-30252"]))
def test_field_lines_are_in_the_pdf_and_the_qr_still_reads(name, tmp_path):
    fmt = FORMATS[name]
    run = [label(n) for n in range(3 if fmt.roll else min(fmt.per_page, 6))]
    pdf = labels.render_pdf(run, fmt)
    assert sorted(decode(pdf, tmp_path)) == sorted(x.url for x in run)
    assert "Voltage: 230" in pdf_text(pdf)


# Through the app: the fields a lead marks for labels, on the print page's PDF.


def test_fields_marked_for_labels_print_on_the_pdf(client, auth, tmp_path):
    from app.register import custom_fields

    from . import factories
    from .label_kit import assert_pdf

    lead = auth.login("lead")
    volts = custom_fields.create_field("Voltage", "number", on_labels=True)
    pat = custom_fields.create_field("PAT tested", "yes_no", on_labels=True)
    secret = custom_fields.create_field("Cost centre", "text")  # not for labels
    asset = factories.make_asset(
        lead, name="Drill", custom={volts.id: "230", pat.id: "yes", secret.id: "CC-99"}
    )
    factories.make_asset(lead, name="Tape")  # no values: no field lines
    job = {"choice": "all", "format": "avery-l7163", "start": "1", "copies": "1"}
    svg = client.get("/labels/preview.svg", query_string=job).get_data(as_text=True)
    assert "Voltage: 230" in svg and "PAT tested: Yes" in svg
    pdf = assert_pdf(client.form("/labels/pdf", job), "labels-avery-l7163")
    printed = pdf_text(pdf)
    assert "Voltage: 230" in printed
    assert "PAT tested: Yes" in printed
    assert "CC-99" not in printed and "Cost centre" not in printed
    assert printed.count("Voltage:") == 1  # the asset without a value has no line
    assert sorted(decode(pdf, tmp_path)) == sorted(
        f"{PUBLIC}/A/{code}" for code in (asset.code, *_other_codes(asset.code))
    )
    # A stock with no room says so beside it before anything is printed.
    page, _ = client.soup("/labels", query_string={**job, "format": "avery-l4732"})
    warned = page.select_one("#fields-cut")
    assert warned is not None and "Voltage: 230" in warned.get_text()
    page, _ = client.soup("/labels", query_string=job)
    assert page.select_one("#fields-cut") is None


def _other_codes(code: str) -> list[str]:
    from app.models import Asset

    return [a.code for a in Asset.select().where(Asset.code != code)]
