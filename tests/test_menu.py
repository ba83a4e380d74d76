"""Getting around: the bar on every signed-in page (Home, Scan, Assets, Menu) and the
Menu page, which lists exactly the pages a person's role may open, "Change my
password" and "Sign out", as plain links and a plain form (no JavaScript needed)."""

from __future__ import annotations

import pytest

from . import factories

BAR = [("Home", "/"), ("Scan", "/scan"), ("Assets", "/assets"), ("Menu", "/menu")]

# Every page each role can reach from the menu, written out here (not read from the
# app), so a link gone missing, or one shown to someone it refuses, fails.
MEMBER = {
    "/": "Home",
    "/scan": "Scan",
    "/assets": "Assets",
    "/overdue": "Overdue",
    "/receipts": "Receipts",
    "/reservations": "Reservations",
    "/kits": "Kits",  # anyone finds a kit to book it
    "/audits": "Audits",
    "/locations": "Locations",
    "/categories": "Categories",
    "/teams": "Teams",  # anyone sees the teams; leads manage them
}
LEAD = MEMBER | {
    "/labels": "Print labels",
    "/people": "People",
    "/activity": "Activity",
    "/reports": "Reports",
    "/assets/import": "Import",
    "/export": "Export",
    "/custom-fields": "Custom fields",
    "/subscriptions": "Subscriptions",  # leads keep licences and renewals
}
ADMIN = LEAD | {"/admin/settings": "Settings"}
PAGES = {"member": MEMBER, "lead": LEAD, "admin": ADMIN}


def _menu_links(soup) -> dict[str, str]:
    """The menu's page links in <main>: address → the page's name."""
    return {
        a["href"]: a.select_one(".row-main").get_text(strip=True)
        for a in soup.select("main nav.menu a[href]")
    }


def _bar(soup) -> list[tuple[str, str]]:
    return [(a.get_text(strip=True), a["href"]) for a in soup.select("header nav.nav a")]


@pytest.mark.parametrize("who", ["member", "lead", "admin"])
def test_the_menu_lists_exactly_the_pages_the_role_may_open(client, auth, who):
    """A plain GET of /menu is a whole page listing every page of the role and no
    other; each opens for that person; the bar marks Menu as where they are."""
    auth.login(who)
    soup, response = client.soup("/menu")
    assert response.status_code == 200
    assert "<html" in response.get_data(as_text=True)
    assert soup.h1.get_text(strip=True) == "Menu"
    assert _menu_links(soup) == PAGES[who]
    for url in PAGES[who]:
        assert client.get(url).status_code == 200, (who, url)
    assert _bar(soup) == BAR
    current = soup.select("header nav.nav a[aria-current=page]")
    assert [a.get_text(strip=True) for a in current] == ["Menu"]


@pytest.mark.parametrize("who", ["member", "lead", "admin"])
def test_sign_out_from_the_menu_is_a_plain_form(client, auth, who):
    """The menu's "Sign out" is a POST form carrying its CSRF token: sent as a
    browser without JavaScript would send it, it signs the person out."""
    user = auth.login(who)
    soup, _ = client.soup("/menu")
    form = soup.select_one("main form[method=post][action='/logout']")
    assert form.select_one("button[type=submit]").get_text(strip=True) == "Sign out"
    assert f"Signed in as {user.name} ({who})" in form.get_text(" ", strip=True)
    fields = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    assert set(fields) == {"csrf_token"}
    response = client.post("/logout", data=fields)
    assert response.status_code in (302, 303)
    assert client.get("/menu").headers["Location"].startswith("/login?next=/menu")


def test_the_bar_is_on_every_kind_of_page_and_not_for_visitors(client, auth):
    """From a deep page (an asset, a location's list, a report) the bar is there,
    so Menu is one tap away; a visitor on a public asset card gets no bar."""
    lead = auth.login("lead")
    asset = factories.make_asset(actor=lead, name="Drill")
    for url in (f"/A/{asset.code}", "/locations", "/reports", "/assets/new"):
        soup, response = client.soup(url)
        assert response.status_code == 200, url
        assert _bar(soup) == BAR, url
        assert soup.body["class"] == ["has-bar"], url
    soup, _ = client.soup("/assets")
    current = soup.select("header nav.nav a[aria-current=page]")
    assert [a.get_text(strip=True) for a in current] == ["Assets"]
    auth.logout()
    soup, _ = client.soup(f"/A/{asset.code}")
    assert soup.select("header nav") == []
    assert not soup.body.get("class")
    assert client.get("/menu").status_code == 302  # signed out: sign in first


def test_change_my_password_is_in_everyones_menu(client, auth):
    """ "Change my password" is with the account, for every role, and opens."""
    for who in ("member", "lead", "admin"):
        auth.login(who)
        soup, _ = client.soup("/menu")
        account = {
            a.select_one(".row-main").get_text(strip=True): a["href"]
            for a in soup.select("main a[href]")
            if a.select_one(".row-main")
        }
        assert account["Change my password"] == "/account/password", who
        assert "/account/password" not in _menu_links(soup)  # with the account, not the pages
        assert client.get("/account/password").status_code == 200, who
        auth.logout()
