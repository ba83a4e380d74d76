"""Reading pages the way the register tests need: errors by field, form values."""

from __future__ import annotations

from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from app.models import Asset, Event


def counts() -> tuple[int, int]:
    return Asset.select().count(), Event.select().count()


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def field_error(soup, name: str) -> str:
    """The error text shown inside the div.field that holds the control `name`."""
    control = soup.select_one(f"main [name={name}]")
    assert control is not None, f"no field named {name}"
    error = control.find_parent("div", class_="field").select_one("p.error")
    assert error is not None, f"no error shown next to {name}"
    return error.get_text(strip=True)


def selected(soup, name: str) -> str:
    """The value a page's <select name=...> starts on, as marked in the HTML ("" if none)."""
    option = soup.select_one(f"main select[name={name}] option[selected]")
    return option["value"] if option else ""


def form_values(soup) -> dict[str, str]:
    """What a browser would submit for the page's main form, untouched."""
    values = {}
    controls = soup.select("main form[method=post]")[0].find_all(["input", "select", "textarea"])
    for control in controls:
        name = control.get("name")
        if not name or control.get("type") in ("submit", "button"):
            continue
        if control.name == "select":
            chosen = control.find("option", selected=True) or control.find("option")
            values[name] = chosen.get("value", "")
        elif control.name == "textarea":
            values[name] = control.get_text()
        elif control.get("type") != "checkbox" or control.has_attr("checked"):
            values[name] = control.get("value", "")
    return values


def path_of(response) -> str:
    return urlsplit(response.headers["Location"]).path


def names_in(soup) -> list[str]:
    return [s.get_text(strip=True) for s in soup.select("#asset-results .row-main strong")]
