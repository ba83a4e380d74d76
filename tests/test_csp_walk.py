"""Every page of the app, opened in Chromium under the real Content Security Policy.

The policy forbids inline script and style; a template that slips one in works
in a test client but breaks in a browser, with only a console message to show
for it. This walks every GET route in the URL map (as an admin, on the demo
data plus a running audit and an open fault) and fails on any console error,
page error or 5xx. A new route with a new kind of URL argument fails here until
it is given a sample value in tests/walk_kit.py, so no page escapes the walk.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from .browser_kit import CHROMIUM, CHROMIUM_ARGS, PHONE
from .walk_kit import walk_site

pytestmark = pytest.mark.browser


def test_every_page_loads_under_the_csp_without_a_console_error(tmp_path):
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: sudo apt-get install chromium")
    with walk_site(tmp_path) as walk:
        cookies = walk.cookies("admin")
        problems: list[str] = []
        visited = 0
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
                context.add_cookies(cookies)
                page = context.new_page()

                def on_console(message) -> None:
                    # A page that answers 404 on purpose (a blank-label form for a
                    # bound code) logs "Failed to load resource"; failed scripts,
                    # styles and images are caught by on_response instead.
                    if message.type == "error" and "Failed to load resource" not in message.text:
                        problems.append(f"{page.url}: {message.text}")

                def on_response(response) -> None:
                    if response.request.resource_type != "document" and response.status >= 400:
                        problems.append(f"{page.url}: {response.url} answered {response.status}")

                page.on("console", on_console)
                page.on("response", on_response)
                page.on("pageerror", lambda e: problems.append(f"{page.url}: {e}"))
                for path in walk.paths():
                    url = walk.url + path
                    try:
                        response = page.goto(url)
                    except PlaywrightError as exc:
                        if "Download is starting" in str(exc):
                            continue  # a CSV or PDF: a file, not a page
                        raise
                    assert response is not None
                    if response.status >= 500:
                        problems.append(f"{url}: HTTP {response.status}")
                    kind = response.headers.get("content-type", "")
                    if kind.startswith("text/html"):
                        page.wait_for_load_state("load")
                        visited += 1
            finally:
                browser.close()
    assert visited >= 40, visited
    assert not problems, "\n".join(problems)
