"""The receipt's PDF: its HTML from templates/receipts/pdf.html (rendered here,
with no Flask, so the worker and the command line can make it too), turned into
PDF by WeasyPrint in the render worker."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from functools import cache
from pathlib import Path

import jinja2

from .. import codes
from .view import View

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SIGNATURE_URL = "receipt:signature.png"  # the one thing the render may load


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["pretty_code"] = codes.pretty  # "QCE-ZH8", as on the page and label
    return environment


def when(moment: datetime | None, zone: tzinfo) -> str:
    """A time as the receipt prints it, in the organisation's time zone."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(zone)
    return f"{local:%d %b %Y %H:%M} ({local.tzname()})"


def html(view: View, *, org_name: str, zone: tzinfo, has_image: bool) -> str:
    return (
        _environment()
        .get_template("receipts/pdf.html")
        .render(
            v=view,
            org_name=org_name,
            made_at=when(view.receipt.created_at, zone),
            signed_at=when(view.receipt.signed_at, zone),
            signature_url=SIGNATURE_URL if has_image else "",
        )
    )


def html_to_pdf(page: str, signature: bytes) -> bytes:
    """Render the receipt; runs in the worker process. It loads the signature
    image it is given and nothing else (a name holding HTML prints as text)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SignatureOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url != SIGNATURE_URL or not signature:
                raise ValueError("receipt rendering loads nothing else")
            return URLFetcherResponse(url, signature, {"Content-Type": "image/png"})

    return HTML(string=page, url_fetcher=SignatureOnly()).write_pdf()
