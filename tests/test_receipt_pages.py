"""Receipts from the asset page, without JavaScript: the signing part of the
forms, the typed full name as the signature, a signature a category requires,
refusals that change nothing, the Receipt links, the person's list, the terms
setting and the category's box."""

from __future__ import annotations

from app.models import Asset, Category, Receipt
from app.ops import settings

from . import factories
from .custody_kit import a_lead, fresh, hand_to, new_key, state
from .pages import field_error, path_of, soup_of
from .receipt_kit import data_url, hand_over, noisy_png, png


def _required(item):
    category = factories.make_category("Radios")
    Category.update(signature_required=True).where(Category.id == category.id).execute()
    Asset.update(category=category).where(Asset.id == item.id).execute()


def test_check_out_to_form_has_the_signing_part(client, auth, item):
    settings.change({"handover_terms": "I will look after it.\nAnd bring it back."})
    auth.login("lead")
    soup, page = client.soup(f"/A/{item.code}/checkout")
    assert page.status_code == 200
    signing = soup.select_one("form[method=post] fieldset#signing")
    assert signing is not None
    assert signing.legend.get_text(strip=True) == "Signature of the person taking it (optional)"
    assert signing.select_one("#signing-terms").get_text() == (
        "I will look after it.\nAnd bring it back."
    )
    pad = signing.select_one("[data-signature-pad]")
    assert pad.has_attr("hidden")  # shown by the script only
    assert pad.select_one("canvas") and pad.select_one("input[type=hidden][name=signature]")
    label = signing.select_one("label[for=signature_name]")
    assert label.get_text(strip=True) == "Or type your full name"
    scripts = [s["src"] for s in soup.select("head script[src]")]
    assert any("signature-pad" in src for src in scripts)


def test_member_own_check_out_form_has_no_signing(client, auth, item):
    auth.login("member")
    soup, _ = client.soup(f"/A/{item.code}/checkout")
    assert soup.select_one("#signing") is None
    assert not any("signature-pad" in s["src"] for s in soup.select("head script[src]"))


def test_typed_name_signs_without_javascript(client, auth, item):
    lead = auth.login("lead")
    member = factories.make_user("member", name="Zoë Ångström", password=None)
    response = client.form(
        f"/A/{item.code}/checkout",
        {"holder": member.id, "key": new_key(), "signature": "", "signature_name": "zoe angstrom"},
    )
    assert response.status_code == 303 and path_of(response) == f"/A/{item.code}"
    receipt = Receipt.get()
    assert (receipt.state, receipt.signed_by_id, receipt.staff_id) == ("signed", member.id, lead.id)
    assert receipt.signature_name == "zoe angstrom" and receipt.pdf_file
    soup, _ = client.soup(f"/A/{item.code}")
    link = soup.select_one("#flash a#receipt-link")
    assert link["href"] == f"/receipts/{receipt.id}" and link.get_text() == "Open the receipt"
    history_link = soup.select_one(f"#timeline li a[href='/receipts/{receipt.id}']")
    assert history_link is not None and history_link.get_text() == "Receipt"
    page = soup_of(client.get(f"/receipts/{receipt.id}"))
    signature = " ".join(page.select_one("#receipt-signature").get_text(" ").split())
    assert "Typed name: zoe angstrom" in signature
    assert fresh(item).holder_id == member.id


def test_typing_someone_elses_name_changes_nothing(client, auth, item):
    lead = auth.login("lead")
    member = factories.make_user("member", name="Ann Lee", password=None)
    before = state(item)
    response = client.form(
        f"/A/{item.code}/checkout",
        {"holder": member.id, "key": new_key(), "signature_name": lead.name},
    )
    assert response.status_code == 422
    soup = soup_of(response)
    assert field_error(soup, "signature_name") == (
        "That is not the name on this person's account. Type it as it is on their account."
    )
    assert state(item) == before and not Receipt.select().exists()


def test_required_signature_no_one_tap_and_refused_without(client, auth, item):
    _required(item)
    auth.login("member")
    soup, _ = client.soup(f"/A/{item.code}")
    buttons = [b.get_text(strip=True) for b in soup.select("#status-card form.tap button")]
    assert "Check out to me" not in buttons
    links = {a.get_text(strip=True): a["href"] for a in soup.select("#status-card .card-actions a")}
    assert links["Check out to me"] == f"/A/{item.code}/checkout"
    form, _ = client.soup(f"/A/{item.code}/checkout")
    signing = form.select_one("#signing")
    assert signing.legend.get_text(strip=True) == "Signature of the person taking it"
    before = state(item)
    response = client.form(f"/A/{item.code}/checkout", {"key": new_key()})
    assert response.status_code == 422
    error = soup_of(response).select_one("#signing p.error").get_text(strip=True)
    # True with the pad shown and without JavaScript (the pad hidden).
    assert error == (
        "Handing over Laser level needs a signature: type your full name (or sign in the box)."
    )
    assert state(item) == before and not Receipt.select().exists()


def test_oversized_signature_refused_on_the_page(client, auth, item):
    auth.login("lead")
    member = factories.make_user("member", password=None)
    before = state(item)
    response = client.form(
        f"/A/{item.code}/checkout",
        {"holder": member.id, "key": new_key(), "signature": data_url(noisy_png())},
    )
    assert response.status_code == 422
    error = soup_of(response).select_one("#signing p.error").get_text(strip=True)
    assert error == "The signature is too large (at most 200 KB)."
    assert state(item) == before


def test_return_names_both_and_either_signs(client, auth, item):
    lead = auth.login("lead")
    member = factories.make_user("member", name="Ann Lee", password=None)
    hand_to(item, member)
    soup, _ = client.soup(f"/A/{item.code}/return")
    choices = [label.get_text(strip=True) for label in soup.select("#signing label.check")]
    assert choices == ["Ann Lee, returning it", f"{lead.name}, taking it back"]
    assert soup.select_one("#signing-terms") is None
    response = client.form(
        f"/A/{item.code}/return",
        {
            "holder": member.id,
            "key": new_key(),
            "signer": lead.id,
            "signature_name": lead.name.upper(),
        },
    )
    assert response.status_code == 303
    receipt = Receipt.get()
    assert (receipt.kind, receipt.person_id, receipt.staff_id, receipt.signed_by_id) == (
        "return",
        member.id,
        lead.id,
        lead.id,
    )


def test_receipt_link_only_for_those_who_may_open_it(client, auth, item):
    lead = a_lead()
    member = factories.make_user("member", name="Ann Lee")
    hand_over(client.application, item, lead, member, typed="Ann Lee")
    receipt = Receipt.get()
    auth.login(user=member)
    soup, _ = client.soup(f"/A/{item.code}")
    assert soup.select_one(f"#timeline a[href='/receipts/{receipt.id}']") is not None
    auth.logout()
    auth.login("member")
    soup, _ = client.soup(f"/A/{item.code}")
    assert soup.select_one(f"#timeline a[href='/receipts/{receipt.id}']") is None
    assert client.get(f"/receipts/{receipt.id}").status_code == 404


def test_person_page_lists_their_receipts(client, auth, item):
    lead = auth.login("lead")
    member = factories.make_user("member", name="Ann Lee", password=None)
    other = factories.make_asset(lead, name="Tripod")
    for asset in (item, other):
        client.form(
            f"/A/{asset.code}/checkout",
            {"holder": member.id, "key": new_key(), "signature_name": "Ann Lee"},
        )
    soup, _ = client.soup(f"/people/{member.id}")
    rows = soup.select("#receipts li")
    ids = [int(a["href"].rsplit("/", 1)[1]) for a in soup.select("#receipts li a")]
    assert ids == sorted(r.id for r in Receipt.select())[::-1]  # newest first
    assert rows[0].select_one(".row-main").get_text(" ", strip=True) == "Handover · Tripod"
    assert "Signed" in rows[0].select_one(".row-sub").get_text()
    # Above the history, so it is not thousands of pixels down on a phone.
    cards = [
        c.get("id") or c.find(["h1", "h2"]).get_text(strip=True)
        for c in soup.select("main section.card")
    ]
    assert cards.index("receipts") < cards.index("History")
    assert soup.select_one("#receipts a#all-receipts")["href"] == f"/receipts?person={member.id}"


def test_settings_terms(client, auth):
    auth.login("admin")
    soup, _ = client.soup("/admin/settings")
    assert soup.select_one("textarea[name=handover_terms]") is not None
    values = {
        "org_name": "Harbour",
        "timezone": "UTC",
        "audit_interval_days": "90",
        "paper_size": "a4",
        "currency": "",
        "handover_terms": "I will look after it.",
    }
    assert client.form("/admin/settings", values).status_code == 303
    assert settings.handover_terms() == "I will look after it."
    response = client.form("/admin/settings", {**values, "handover_terms": "x" * 2001})
    assert response.status_code == 422
    assert "Keep the terms under 2000 characters" in field_error(
        soup_of(response), "handover_terms"
    )
    assert settings.handover_terms() == "I will look after it."


def test_category_needs_a_signature_box(client, auth):
    auth.login("lead")
    response = client.form("/categories/new", {"name": "Radios", "signature_required": "y"})
    assert response.status_code == 303
    assert Category.get(Category.name == "Radios").signature_required is True
    soup, _ = client.soup(f"/categories/{Category.get().id}/edit")
    box = soup.select_one("input[name=signature_required]")
    assert box.has_attr("checked")
    label = box.find_parent("label").get_text(strip=True)
    assert label == "Handing these over needs a signature"


def test_a_refused_form_gives_the_drawing_back_only_if_it_was_a_picture(client, auth, item):
    auth.login("lead")
    member = factories.make_user("member", password=None)
    drawn = data_url(png())
    for sent, kept in ((drawn, drawn), ("javascript:alert(1)", ""), (data_url(noisy_png()), "")):
        response = client.form(
            f"/A/{item.code}/checkout",
            {"holder": member.id, "key": new_key(), "signature": sent, "due_back": "2000-01-01"},
        )
        assert response.status_code == 422
        pad = soup_of(response).select_one("#signing [data-signature-pad]")
        assert pad.select_one("input[name=signature]")["value"] == kept
    assert not Receipt.select().exists()
