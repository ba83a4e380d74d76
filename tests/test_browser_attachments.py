"""Attachments in a real Chromium at phone size: upload through htmx, the refusal
message, the thumbnail on the asset page, and the file itself."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from . import test_browser as tb

pytestmark = pytest.mark.browser


def _photo(tmp_path):
    path = tmp_path / "IMG_0042.jpg"
    picture = Image.new("RGB", (1200, 800), "orange")
    out = io.BytesIO()
    picture.save(out, "JPEG")
    path.write_bytes(out.getvalue())
    return path


def test_upload_a_photo_and_a_pdf_on_a_phone(server, page, tmp_path):
    problems = tb._watch(page)
    tb._first_admin(page, server)
    page.get_by_label("Name", exact=True).fill("Cordless drill 18V")
    page.get_by_role("button", name="Add asset", exact=True).click()
    page.wait_for_url(re.compile(re.escape(server) + r"/A/[0-9A-Z]{6}$"))
    code = page.url.rsplit("/", 1)[1]

    page.get_by_role("link", name="Photos and documents").click()
    expect(page).to_have_url(f"{server}/A/{code}/attachments")
    upload = page.get_by_label(re.compile("Add a photo or a PDF"))

    # A text file dressed as a PDF: refused in place (htmx swaps the 422), nothing listed.
    fake = tmp_path / "manual.pdf"
    fake.write_text("not really a pdf\n")
    upload.set_input_files(str(fake))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#attachment-manager .error")).to_contain_text("not a photo")
    expect(page.locator(".attachment-list")).to_have_count(0)
    expect(page).to_have_url(f"{server}/A/{code}/attachments")
    # Chromium logs every 4xx answer as a console error; that one was the point.
    assert [p for p in problems if "status of 422" not in p] == []
    problems.clear()

    # A real photo, then a real PDF (made by WeasyPrint, which the label engine uses).
    page.get_by_label(re.compile("Add a photo or a PDF")).set_input_files(str(_photo(tmp_path)))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#flash")).to_contain_text("Photo added.")
    import weasyprint

    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(weasyprint.HTML(string="<h1>Receipt</h1>").write_pdf())
    page.get_by_label(re.compile("Add a photo or a PDF")).set_input_files(str(pdf))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#flash")).to_contain_text("Document added.")
    expect(page.locator(".attachment-list .row-main")).to_have_text(["receipt.pdf", "IMG_0042.jpg"])
    tb._assert_no_horizontal_scroll(page)
    tb._shot(page, "attachments")

    # The asset page shows the thumbnail, decoded by the browser at its small size.
    page.goto(f"{server}/A/{code}")
    thumb = page.locator("#attachments img.thumb")
    expect(thumb).to_have_count(1)
    thumb.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelector('#attachments img.thumb').naturalWidth > 0")
    natural = page.evaluate("document.querySelector('#attachments img.thumb').naturalWidth")
    assert natural == 320  # the thumbnail, not the 1200 px original
    expect(page.locator("#attachments .docs a")).to_have_text(["receipt.pdf"])
    tb._assert_no_horizontal_scroll(page)
    tb._shot(page, "asset-with-attachments")

    # Tapping the document opens the PDF itself.
    with page.expect_response(re.compile(r"/attachments/\d+$")) as answer:
        page.locator("#attachments .docs a").click()
    response = answer.value
    headers = response.all_headers()  # .headers leaves out security headers
    assert response.status == 200
    assert headers["content-type"] == "application/pdf"
    assert headers["content-security-policy"] == "sandbox"
    assert headers["x-content-type-options"] == "nosniff"
    assert not problems, "\n".join(problems)
