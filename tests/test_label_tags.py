"""External tags on labels: a small line beside the QR, never over it or over
other text, and the QR still reads at 300 dpi."""

from __future__ import annotations

import pytest

import labels

from . import factories
from .label_kit import FORMATS, PUBLIC, assert_pdf, decode, first_fast, pdf_text, text_boxes

TAG = "LEGACY-000123"
ORG = "Property of Acme Ltd — found it? scan me"


def label(n: int = 0, name: str = "Hilti TE 30-A36 rotary hammer") -> labels.Label:
    code = f"7K3M{n:02d}"
    return labels.Label(labels.qr_url(PUBLIC, "A", code), code, name, TAG)


def drawing(one: labels.Label, fmt, org_line: str):
    """Each text line of one drawn label as (text, left, top, right, bottom) in mm,
    and the right edge of its QR symbol."""
    lines, qr_right = text_boxes(one, fmt, org_line)
    return [line[1:] for line in lines], qr_right


@pytest.mark.parametrize("name", FORMATS)
@pytest.mark.parametrize("org_line", ["", ORG])
def test_the_tag_line_stays_clear_of_the_qr_and_other_text(name, org_line):
    fmt = FORMATS[name]
    lines, qr_right = drawing(label(), fmt, org_line)
    for _, left, top, right, bottom in lines:
        assert left >= qr_right
        assert right <= fmt.label_width_mm and 0 <= top and bottom <= fmt.label_height_mm
    tags = [line for line in lines if line[0] == TAG]
    for tag in tags:
        for i, other in enumerate(lines):
            if other is tag:
                continue
            # The code (first line) is capitals and digits: nothing hangs below its baseline.
            bottom = other[4] if i else other[4] - 0.24 * (other[4] - other[2]) / 0.97
            assert bottom <= tag[2] or other[2] >= tag[4], (name, other, tag)
    if fmt.layout == "tiny":
        assert not tags
    elif fmt.label_height_mm >= 25:  # every sheet label tall enough for a name has room
        assert tags, name


@pytest.mark.parametrize("name", first_fast(["avery-l7160", "avery-l7651", "brother-dk-22205"]))
def test_labels_with_tags_still_decode(name, tmp_path):
    fmt = FORMATS[name]
    run = [label(n) for n in range(3 if fmt.roll else min(fmt.per_page, 12))]
    pdf = labels.render_pdf(run, fmt, org_line=ORG)
    assert sorted(decode(pdf, tmp_path)) == sorted(x.url for x in run)
    if fmt.layout != "tiny":
        assert TAG in pdf_text(pdf)


def test_print_page_prints_external_tags_when_asked(client, auth, tmp_path):
    lead = auth.login("lead")
    asset = factories.make_asset(lead, name="Old drill")
    from app.database import write
    from app.models import Asset

    with write():
        Asset.update(external_tag=TAG).where(Asset.id == asset.id).execute()
    page, _ = client.soup("/labels")
    box = page.select_one("input[type=checkbox][name=tags]")
    assert box is not None and box["value"] == "1"
    job = {"choice": "all", "format": "avery-l7160", "start": "1", "copies": "1"}
    without = client.get("/labels/preview.svg", query_string=job).get_data(as_text=True)
    assert TAG not in without
    shown = client.get("/labels/preview.svg", query_string={**job, "tags": "1"})
    assert TAG in shown.get_data(as_text=True)
    pdf = assert_pdf(client.form("/labels/pdf", {**job, "tags": "1"}), "labels-avery-l7160")
    assert TAG in pdf_text(pdf)
    assert decode(pdf, tmp_path) == [f"{PUBLIC}/A/{asset.code}"]
