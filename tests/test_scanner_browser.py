"""The scanner in a real Chromium at phone size, against the real server.

The camera is Chromium's fake device playing a y4m clip that this test makes
from QR codes segno draws for real demo assets (and one QR that is not ours).
Headless Chromium on Linux has no BarcodeDetector, so the vendored jsQR is
what decodes here. Then a dead spot: scans typed while offline wait in the
browser, survive a reload, and reach the server exactly once.
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

import pytest
import segno
from PIL import Image
from playwright.sync_api import Page, expect, sync_playwright

from .browser_kit import CHROMIUM, CHROMIUM_ARGS, PHONE, demo_site, sign_in
from .test_browser import PASSWORD, _assert_no_horizontal_scroll, _shot, _watch

pytestmark = pytest.mark.browser

WIDTH, HEIGHT, FPS = 480, 360, 10


def _frame(image: Image.Image | None) -> bytes:
    """One C420 frame: a QR (or nothing) centred on white, as luma plus flat chroma."""
    canvas = Image.new("L", (WIDTH, HEIGHT), 255)
    if image is not None:
        canvas.paste(image, ((WIDTH - image.width) // 2, (HEIGHT - image.height) // 2))
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2)
    return b"FRAME\n" + canvas.tobytes() + chroma + chroma


def write_y4m(path: Path, texts: list[str], frames_each: int = 12, gap: int = 4) -> None:
    """A clip showing each text as a QR code for `frames_each` frames, with white between."""
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{FPS}:1 Ip A1:1 C420\n".encode())
        for text in texts:
            qr = segno.make(text, error="m")
            image = Image.open(_png(qr)).convert("L")
            for _ in range(frames_each):
                out.write(_frame(image))
            for _ in range(gap):
                out.write(_frame(None))


def _png(qr) -> object:
    import io

    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=7, border=4)
    buffer.seek(0)
    return buffer


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One server with the demo organisation for this module's tests."""
    with demo_site(tmp_path_factory.mktemp("scanner"), PASSWORD) as running:
        yield running


def _query(site, sql: str, *args) -> list[tuple]:
    con = sqlite3.connect(f"file:{site['db']}?mode=ro", uri=True)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def _assets(site, where: str, count: int, order: str = "id") -> list[str]:
    rows = _query(site, f"SELECT code FROM asset WHERE {where} ORDER BY {order} LIMIT {count}")
    assert len(rows) == count, where
    return [code for (code,) in rows]


@pytest.fixture(scope="module")
def clip(site):
    """The camera's clip: three demo assets' labels and a stranger's QR."""
    codes = _assets(site, "status = 'available'", 3)
    room_id, room_name, room_code = _query(
        site, "SELECT id, name, code FROM location ORDER BY id DESC LIMIT 1"
    )[0]
    url = site["url"]
    texts = [
        f"{url}/L/{room_code}".upper(),  # a room's label: "I am in…"
        f"{url}/A/{codes[0]}".upper(),  # as printed: all upper case
        f"{url}/a/{codes[1].lower()}",  # any case is ours
        f"https://example.com/A/{codes[2]}",  # our path on someone else's host
        f"{url}/A/{codes[2][:3]}-{codes[2][3:]}",
    ]
    path = site["base"] / "labels.y4m"
    write_y4m(path, texts)
    return {"path": path, "codes": codes, "room": (str(room_id), room_name)}


@pytest.fixture(scope="module")
def browser(clip):
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: sudo apt-get install chromium")
    args = CHROMIUM_ARGS + [
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={clip['path']}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()


def _sign_in(page: Page, url: str, email: str = "lead@demo.tagtrail") -> None:
    sign_in(page, url, email, PASSWORD)


def _start_audit(page: Page, url: str, name: str, where: int = 0) -> int:
    """Start an audit; `where` picks the scope from the list (0: everywhere)."""
    page.goto(url + "/audits/new")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Where").select_option(index=where)
    page.get_by_role("button", name="Start audit").tap()
    page.wait_for_url(re.compile(re.escape(url) + r"/audits/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def _mode(page: Page, name: str) -> None:
    page.get_by_role("radio", name=name, exact=True).check()


def test_the_camera_ticks_real_labels_and_refuses_a_stranger(site, clip, page):
    url = site["url"]
    problems = _watch(page)
    _sign_in(page, url)
    audit_id = _start_audit(page, url, "Camera walk")
    expected = _query(site, "SELECT COUNT(*) FROM audit_item WHERE audit_id = ?", audit_id)[0][0]

    page.get_by_role("link", name="Scan", exact=True).first.tap()
    page.wait_for_url(url + "/scan")
    _mode(page, "Audit")
    expect(page.locator(".progress-line")).to_have_text(f"0 of {expected} seen (0 %)")
    page.get_by_role("button", name="Start camera").tap()
    scanner = page.locator("#scanner")
    expect(scanner).to_have_attribute("data-camera", "on")
    has_native = page.evaluate("'BarcodeDetector' in window")
    expect(scanner).to_have_attribute("data-decoder", "native" if has_native else "jsqr")

    done = page.locator("#scan-list .scan-item.is-done")
    expect(done).to_have_count(3, timeout=20_000)
    # "Seen ✓", and once the room's label was read, where it was seen if not at home.
    expect(done.locator(".scan-message")).to_have_text([re.compile(r"^Seen ✓")] * 3)
    refused = page.locator("#scan-list .scan-item.is-refused")
    expect(refused.first).to_contain_text("Not a tagtrail label")
    expect(refused.first).to_contain_text("https://example.com/A/")
    expect(page.locator(".progress-line")).to_have_text(
        f"3 of {expected} seen ({round(300 / expected)} %)"
    )
    assert page.url == url + "/scan"  # the stranger's QR was never opened
    # The room's label set where the auditor is, without opening anything.
    expect(page.locator("#scan-place")).to_have_value(clip["room"][0])
    _assert_no_horizontal_scroll(page)
    _shot(page, "scanner-1-camera-audit")

    # The clip loops; labels seen again are not ticked again.
    page.wait_for_timeout(7000)
    expect(done).to_have_count(3)
    ticked = _query(
        site,
        "SELECT a.code FROM audit_tick t JOIN asset a ON a.id = t.asset_id "
        "WHERE t.audit_id = ? AND t.undone_at IS NULL",
        audit_id,
    )
    assert sorted(code for (code,) in ticked) == sorted(clip["codes"])
    assert all(
        scanned is not None
        for (scanned,) in _query(
            site, "SELECT scanned_at FROM audit_tick WHERE audit_id = ?", audit_id
        )
    )

    # Undo one: the server counts it no more.
    done.first.get_by_role("button", name="Undo").tap()
    expect(page.locator("#scan-list .scan-item.is-undone")).to_have_count(1)
    expect(page.locator(".progress-line")).to_have_text(
        f"2 of {expected} seen ({round(200 / expected)} %)"
    )
    page.get_by_role("button", name="Stop camera").tap()
    _shot(page, "scanner-2-undo")
    assert not problems, "\n".join(problems)


def test_a_dead_spot_queues_scans_and_each_arrives_once(site, page):
    url = site["url"]
    problems = _watch(page)
    _sign_in(page, url)
    audit_id = _start_audit(page, url, "Basement walk", where=1)
    # Other items than the camera's clip shows (those come first by id).
    held = _assets(site, "status = 'checked_out'", 1, order="id DESC")[0]
    mover, ticked, taken = _assets(
        site, "status = 'available' AND location_id IS NOT NULL", 3, order="id DESC"
    )
    (to_id, to_name) = _query(
        site,
        "SELECT id, name FROM location WHERE id != (SELECT location_id FROM asset WHERE code = ?)"
        " ORDER BY id LIMIT 1",
        mover,
    )[0]

    def events(kind: str, code: str) -> int:
        return _query(
            site,
            "SELECT COUNT(*) FROM event e JOIN asset a ON a.id = e.asset_id "
            "WHERE e.kind = ? AND a.code = ? AND e.scanned_at IS NOT NULL",
            kind,
            code,
        )[0][0]

    page.goto(url + "/scan")
    # The page can reopen with no signal once its service worker has a copy.
    # (wait_for_function would take the Promise itself as true: poll its answer.)
    _wait_until(page, "navigator.serviceWorker.ready.then(() => true)")
    _wait_until(page, "caches.match(location.pathname).then(Boolean)")

    typed = page.get_by_label("Type a code")

    def type_code(code: str) -> None:
        typed.fill(code)
        typed.press("Enter")

    # With signal, a check-out goes straight to the server.
    _mode(page, "Check out to…")
    type_code(taken)
    expect(page.locator("#scan-list .scan-item").first).to_contain_text("Checked out to you.")

    # A dead spot: the browser offline, and the server out of reach as well.
    # Chromium's offline emulation alone does not reliably cover a page its
    # service worker controls, and a scan that slipped through would arrive
    # while the test says nothing can.
    page.context.set_offline(True)
    site["server"].stop()
    # Without, it is refused on the spot: a handover needs the answer now.
    type_code(taken)
    expect(page.locator("#scan-list .scan-item.is-refused")).to_contain_text(
        "No connection: check-outs are not queued."
    )

    _mode(page, "Return")
    type_code(held.lower())
    _mode(page, "Move to…")
    page.locator("#scan-place").select_option(str(to_id))
    type_code(f"{mover[:3]}-{mover[3:]}")
    _mode(page, "Audit")
    page.locator("#scan-audit").select_option(str(audit_id))
    type_code(ticked)
    type_code("QQQQQQ")  # typed, matches nothing: asked about, noted only if confirmed
    queue = page.locator("#scan-queue")
    expect(queue).to_contain_text("4 waiting to send")
    expect(page.locator("#scan-list .scan-item.is-pending")).to_have_count(4)
    _assert_no_horizontal_scroll(page)
    _shot(page, "scanner-3-offline")

    page.reload()  # still offline: the page and its queue come back
    expect(queue).to_contain_text("4 waiting to send")
    expect(page.locator("#scan-list .scan-item.is-pending")).to_have_count(4)
    assert events("checked_in", held) + events("moved", mover) + events("audited", ticked) == 0

    site["server"].start()
    page.context.set_offline(False)
    expect(queue).to_be_hidden(timeout=20_000)
    expect(page.locator("#scan-list .scan-item.is-pending")).to_have_count(0)
    expect(page.locator("#scan-list .scan-item.is-done")).to_have_count(3)
    asked = page.locator("#scan-list .scan-item.is-refused", has_text="QQQ-QQQ")
    expect(asked).to_contain_text("No asset has the code QQQ-QQQ: check it.")
    asked.get_by_role("button", name="Record as unexpected").tap()
    expect(page.locator("#scan-list .scan-item.is-noted")).to_contain_text(
        "'QQQQQQ' is not a tagtrail asset: noted."
    )
    expect(page.locator("#scan-list")).to_contain_text(f"Moved to {to_name}.")
    _shot(page, "scanner-4-sent")

    assert events("checked_in", held) == 1
    assert events("moved", mover) == 1
    assert events("audited", ticked) == 1
    assert events("checked_out", taken) == 1
    ticks = _query(
        site,
        "SELECT COALESCE(a.code, t.code) FROM audit_tick t LEFT JOIN asset a ON a.id = t.asset_id"
        " WHERE t.audit_id = ? AND t.via = ''",  # not those the return, move, check-out made
        audit_id,
    )
    assert sorted(code for (code,) in ticks) == sorted([ticked, "QQQQQQ"])
    # Sends tried in the dead spot fail, as they should; nothing else may.
    rest = [p for p in problems if "net::ERR_INTERNET_DISCONNECTED" not in p]
    assert not rest, "\n".join(rest)


def _wait_until(page, script: str, seconds: float = 15) -> None:
    """Poll an async script in the page until it answers true."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"never true: {script}"
        page.wait_for_timeout(100)


def test_a_member_takes_over_items_from_scans(site, page):
    """A member in "Take over" mode: a scan of an item someone else holds makes it
    theirs (a transfer, marked as scanned); offline it is refused on the spot."""
    url = site["url"]
    problems = _watch(page)
    [(sam_id,)] = _query(site, "SELECT id FROM user WHERE email = 'sam@demo.tagtrail'")
    held = _query(
        site,
        "SELECT a.code, u.name FROM asset a JOIN user u ON u.id = a.holder_id"
        " WHERE a.status = 'checked_out' AND a.holder_id != ? ORDER BY a.id LIMIT 2",
        sam_id,
    )
    assert len(held) == 2
    (first, first_holder), (second, _) = held
    _sign_in(page, url, "sam@demo.tagtrail")
    page.goto(url + "/scan")
    _wait_until(page, "navigator.serviceWorker.ready.then(() => true)")
    _mode(page, "Take over")
    expect(page.locator('.mode-hint[data-for="take_over"]')).to_be_visible()
    typed = page.get_by_label("Type a code")
    typed.fill(first)
    typed.press("Enter")
    done = page.locator("#scan-list .scan-item.is-done")
    expect(done).to_have_count(1)
    expect(done.first).to_contain_text(first_holder)
    _assert_no_horizontal_scroll(page)
    _shot(page, "scanner-5-take-over")
    assert _query(site, "SELECT holder_id FROM asset WHERE code = ?", first) == [(sam_id,)]
    [(kind, scanned)] = _query(
        site,
        "SELECT e.kind, e.scanned_at IS NOT NULL FROM event e JOIN asset a ON a.id = e.asset_id"
        " WHERE a.code = ? ORDER BY e.id DESC LIMIT 1",
        first,
    )
    assert (kind, scanned) == ("transferred", 1)

    page.context.set_offline(True)
    typed.fill(second)
    typed.press("Enter")
    expect(page.locator("#scan-list .scan-item.is-refused")).to_contain_text(
        "No connection: take-overs are not queued."
    )
    page.context.set_offline(False)
    assert _query(site, "SELECT holder_id FROM asset WHERE code = ?", second) != [(sam_id,)]
    rest = [p for p in problems if "net::ERR_INTERNET_DISCONNECTED" not in p]
    assert not rest, "\n".join(rest)
