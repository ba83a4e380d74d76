from app.models import Event


def test_lead_adds_asset_and_opens_its_short_url(client, auth):
    auth.login("lead")
    response = client.form("/assets/new", {"name": "Cordless drill", "serial": "SN-1"})
    assert response.status_code == 303
    event = Event.get(Event.kind == "created")
    soup, page = client.soup(f"/a/{event.asset.code.lower()}")
    assert page.status_code == 200
    assert soup.select_one("#status-card h1").get_text(strip=True) == "Cordless drill"
