"""Accessibility of every page, checked by machine at 360 px.

The pages are the CSP walk's (tests/walk_kit.py), opened signed out and as each
role. axe-core (carried inside the axe-playwright-python package, never fetched)
must find no serious or critical violation, in the light and the dark colour
scheme; its color-contrast rule is WCAG AA. And every link, button and form
control must be at least 44×44 px, the size of a fingertip, unless it is a link
inside a sentence.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from .browser_kit import PHONES
from .walk_kit import walk_site

pytestmark = pytest.mark.browser

TAP = 44
SERIOUS = {"serious", "critical"}
# The print page's start-at-label map on each sheet layout: its cells are the
# radio buttons' labels, and their size depends on the sheet.
SHEETS = ("avery-l7160", "avery-l7651", "avery-l4732", "avery-5167", "avery-l7163")

# Each link, button and form control shown, with its box. A checkbox or radio is
# tapped through its label, so its box is the larger of the two. A link inside a
# sentence (a <p> with more words than the link's) is running text: WCAG 2.5.8
# exempts it, and a 44 px line height would break the sentence.
_MEASURE = """() => {
  const shown = el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
  };
  const inSentence = el => {
    const p = el.closest('p');
    return el.tagName === 'A' && p && p.textContent.trim() !== el.textContent.trim();
  };
  const out = [];
  const chosen = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  for (const el of document.querySelectorAll(chosen)) {
    if (!shown(el) || inSentence(el)) continue;
    let r = el.getBoundingClientRect();
    let w = r.width, h = r.height;
    if ((el.type === 'checkbox' || el.type === 'radio') && el.labels) {
      for (const label of el.labels) {
        const b = label.getBoundingClientRect();
        w = Math.max(w, b.width); h = Math.max(h, b.height);
      }
    }
    if (w < 43.5 || h < 43.5) {
      const name = (el.innerText || el.value || el.getAttribute('aria-label') ||
                    el.name || el.id || '').trim().slice(0, 40);
      const tag = el.tagName.toLowerCase();
      out.push(`<${tag}> ${JSON.stringify(name)}: ${Math.round(w)}×${Math.round(h)}`);
    }
  }
  return out;
}"""


@pytest.fixture(scope="module")
def walk(tmp_path_factory):
    """The demo site with every kind of page to open."""
    with walk_site(tmp_path_factory.mktemp("axe")) as running:
        yield running


def _pages(browser: Browser, walk, role: str | None, scheme: str = "light", extra=()):
    """Each distinct HTML page the role ends on, opened at 360 px; yields the page.
    A page refused to the role (or a sign-in form when signed out) is checked once."""
    context = browser.new_context(
        viewport=PHONES["360"], is_mobile=True, has_touch=True, color_scheme=scheme
    )
    if role:
        context.add_cookies(walk.cookies(role))
    page = context.new_page()
    seen: set[str] = set()
    try:
        for path in [*walk.paths(), *extra]:
            try:
                response = page.goto(walk.url + path)
            except Exception as exc:  # a CSV or PDF starts a download: a file, not a page
                if "Download is starting" in str(exc):
                    continue
                raise
            assert response is not None
            if not response.headers.get("content-type", "").startswith("text/html"):
                continue
            page.wait_for_load_state("load")
            landed = page.url.split("?")[0] if response.status < 400 else str(response.status)
            key = landed + ("?" + path.split("?")[1] if "?" in path else "")
            if key in seen:
                continue
            seen.add(key)
            yield page
    finally:
        context.close()


def _where(page: Page) -> str:
    parts = urlsplit(page.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("role", [None, "admin", "lead", "member"])
def test_no_serious_accessibility_violation_on_any_page(browser, walk, role, scheme):
    axe = Axe()
    problems: list[str] = []
    checked = 0
    for page in _pages(browser, walk, role, scheme):
        checked += 1
        results = axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in SERIOUS:
                targets = [", ".join(map(str, n["target"])) for n in violation["nodes"][:4]]
                problems.append(
                    f"{_where(page)}: {violation['id']} ({violation['impact']}) {targets}"
                )
    assert checked >= (1 if role is None else 10), checked
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", [None, "admin", "lead", "member"])
def test_tap_targets_are_at_least_44_px(browser, walk, role):
    sheets = [f"/labels?choice=all&format={name}" for name in SHEETS] if role else []
    problems: list[str] = []
    checked = 0
    for page in _pages(browser, walk, role, extra=sheets):
        checked += 1
        problems += [f"{_where(page)}: {small}" for small in page.evaluate(_MEASURE)]
    assert checked >= (1 if role is None else 10), checked
    assert not problems, "\n".join(problems)
