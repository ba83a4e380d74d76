"""Accounts, the service: invite and reset links (signed tokens bound to the
person as they are now), their ages, single use, and changing one's own password."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.errors import Forbidden, Invalid, NotFound, Refused
from app.models import User
from app.register import accounts, passwords, people
from app.register.rules import may_invite, may_send_reset

from . import factories

SECRET = "a-test-secret-for-signing-links-0123456789"
NEW = "granite kettle morning"


def _invited(role: str = "member", email: str = "ina@example.test") -> User:
    admin = User.select().where(User.role == "admin").first() or factories.make_user("admin")
    return accounts.invite(name="Ina Vited", email=email, role=role, actor=admin)


def test_an_invite_link_sets_the_password_once(app):
    """The link finds its person; using it sets the password and a new session
    token; the same link then finds nobody and cannot be used again."""
    ina = _invited()
    link = accounts.make_link(accounts.INVITE, ina, SECRET)
    assert accounts.person_for(accounts.INVITE, link, SECRET).id == ina.id
    user = accounts.use_link(accounts.INVITE, link, SECRET, NEW)
    assert passwords.verify(user.password_hash, NEW)
    assert user.session_token != ina.session_token
    assert people.authenticate("ina@example.test", NEW).id == ina.id
    assert accounts.person_for(accounts.INVITE, link, SECRET) is None
    with pytest.raises(NotFound):
        accounts.use_link(accounts.INVITE, link, SECRET, "another fine password")
    assert passwords.verify(User.get_by_id(ina.id).password_hash, NEW)


def test_a_reset_link_is_single_use_and_ends_every_session(app):
    member = factories.make_user("member")
    link = accounts.make_link(accounts.RESET, member, SECRET)
    user = accounts.use_link(accounts.RESET, link, SECRET, NEW)
    assert user.session_token != member.session_token  # every cookie carries the old one
    with pytest.raises(NotFound):
        accounts.use_link(accounts.RESET, link, SECRET, "yet another passphrase")


@pytest.mark.parametrize(
    "kind, still, gone",
    [
        (accounts.INVITE, timedelta(days=6, hours=23), timedelta(days=7, seconds=2)),
        (accounts.RESET, timedelta(minutes=59), timedelta(minutes=60, seconds=2)),
    ],
)
def test_links_expire(app, kind, still, gone):
    """An invite lasts 7 days, a reset link an hour."""
    person = _invited() if kind is accounts.INVITE else factories.make_user("member")
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        link = accounts.make_link(kind, person, SECRET)
    with time_machine.travel(start + still, tick=False):
        assert accounts.person_for(kind, link, SECRET) is not None
    with time_machine.travel(start + gone, tick=False):
        assert accounts.person_for(kind, link, SECRET) is None
        with pytest.raises(NotFound):
            accounts.use_link(kind, link, SECRET, NEW)
    assert User.get_by_id(person.id).password_hash == person.password_hash


def test_a_deactivated_persons_links_do_not_work(app):
    admin = factories.make_user("admin")
    member = factories.make_user("member")
    ina = _invited()
    reset = accounts.make_link(accounts.RESET, member, SECRET)
    invite = accounts.make_link(accounts.INVITE, ina, SECRET)
    for person in (member, ina):
        people.update_person(person.id, {"active": False}, actor=admin)
    assert accounts.person_for(accounts.RESET, reset, SECRET) is None
    assert accounts.person_for(accounts.INVITE, invite, SECRET) is None
    with pytest.raises(NotFound):
        accounts.use_link(accounts.RESET, reset, SECRET, NEW)
    assert User.get_by_id(ina.id).password_hash is None


def test_a_new_invite_or_a_changed_email_kills_the_earlier_link(app):
    admin = factories.make_user("admin")
    ina = _invited()
    first = accounts.make_link(accounts.INVITE, ina, SECRET)
    again = accounts.reinvite(ina.id, actor=admin)
    second = accounts.make_link(accounts.INVITE, again, SECRET)
    assert accounts.person_for(accounts.INVITE, first, SECRET) is None
    assert accounts.person_for(accounts.INVITE, second, SECRET).id == ina.id
    people.update_person(ina.id, {"email": "ina.v@example.test"}, actor=admin)
    assert accounts.person_for(accounts.INVITE, second, SECRET) is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda link: link[:-2] + ("AA" if not link.endswith("AA") else "BB"),
        lambda link: "x" + link,
        lambda link: "",
        lambda link: "not.a.link",
        lambda link: link.split(".")[0],
    ],
)
def test_a_tampered_link_finds_nobody(app, tamper):
    member = factories.make_user("member")
    link = tamper(accounts.make_link(accounts.RESET, member, SECRET))
    assert accounts.person_for(accounts.RESET, link, SECRET) is None


def test_one_kind_of_link_is_not_another_or_from_another_secret(app):
    """A reset link is no invite, an invite no reset link, and another server's
    secret signs nothing here."""
    member = factories.make_user("member")
    ina = _invited()
    reset = accounts.make_link(accounts.RESET, member, SECRET)
    invite = accounts.make_link(accounts.INVITE, ina, SECRET)
    assert accounts.person_for(accounts.INVITE, reset, SECRET) is None
    assert accounts.person_for(accounts.RESET, invite, SECRET) is None
    assert accounts.person_for(accounts.RESET, reset, SECRET + "x") is None
    # An invite for someone who has since set a password is spent.
    accounts.use_link(accounts.INVITE, invite, SECRET, NEW)
    assert accounts.person_for(accounts.INVITE, invite, SECRET) is None


def test_the_password_rule_applies_to_links(app):
    ina = _invited()
    link = accounts.make_link(accounts.INVITE, ina, SECRET)
    for weak in ("short", "password123!", "Ina Vited 2024", "x" * 257):
        with pytest.raises(Invalid) as refused:
            accounts.use_link(accounts.INVITE, link, SECRET, weak)
        assert refused.value.errors["password"] == passwords.problem(
            weak, name=ina.name, email=ina.email
        )
    assert User.get_by_id(ina.id).password_hash is None
    assert accounts.person_for(accounts.INVITE, link, SECRET) is not None  # still usable


def test_who_may_invite_and_send_reset_links(app):
    """An admin invites any role; a lead invites members; a member nobody. Only an
    admin sends someone else a reset link."""
    admin, lead, member = (factories.make_user(r) for r in ("admin", "lead", "member"))
    assert [may_invite(admin, r) for r in ("member", "lead", "admin")] == [True] * 3
    assert [may_invite(lead, r) for r in ("member", "lead", "admin")] == [True, False, False]
    assert [may_invite(member, r) for r in ("member", "lead", "admin")] == [False] * 3
    assert [may_send_reset(p, member) for p in (admin, lead, member)] == [True, False, False]
    with pytest.raises(Forbidden):
        accounts.invite(name="Boss", email="boss@example.test", role="admin", actor=lead)
    with pytest.raises(Forbidden):
        accounts.invite(name="Pal", email="pal@example.test", role="member", actor=member)
    with pytest.raises(Forbidden):
        accounts.reset_for(member.id, actor=lead)
    assert (
        not User.select().where(User.email.in_(["boss@example.test", "pal@example.test"])).exists()
    )
    made = accounts.invite(name="Mo Member", email="Mo@Example.test", role="member", actor=lead)
    assert (made.email, made.role, made.password_hash) == ("mo@example.test", "member", None)


def test_an_invite_for_a_taken_email_is_a_clear_message(app):
    admin = factories.make_user("admin")
    factories.make_user("member", name="Sam Signed", email="sam@example.test")
    holder = people.create_person(name="Hal Holder", email="hal@example.test")
    with pytest.raises(Invalid) as taken:
        accounts.invite(name="Sam", email=" SAM@example.test ", role="member", actor=admin)
    assert "Sam Signed already has an account" in taken.value.errors["email"]
    with pytest.raises(Invalid) as holds:
        accounts.invite(name="Hal", email="hal@example.test", role="member", actor=admin)
    assert "Send the invite from their page" in holds.value.errors["email"]
    with pytest.raises(Invalid):
        accounts.invite(name=" ", email="new@example.test", role="member", actor=admin)
    with pytest.raises(Invalid):
        accounts.invite(name="Nobody", email="  ", role="member", actor=admin)
    assert User.select().count() == 3
    # The holder gets an invite from their page instead.
    assert accounts.reinvite(holder.id, actor=admin).id == holder.id


def test_reinvite_refuses_accounts_and_people_without_email(app):
    admin = factories.make_user("admin")
    member = factories.make_user("member")
    holder = factories.make_holder("No Email")
    with pytest.raises(Refused, match="already has an account"):
        accounts.reinvite(member.id, actor=admin)
    with pytest.raises(Refused, match="email address"):
        accounts.reinvite(holder.id, actor=admin)
    with pytest.raises(NotFound):
        accounts.reinvite(999999, actor=admin)


def test_change_password_needs_the_current_one(app):
    member = factories.make_user("member")
    with pytest.raises(Invalid) as wrong:
        accounts.change_password(member.id, "not my password", NEW)
    assert "current" in wrong.value.errors
    with pytest.raises(Invalid) as weak:
        accounts.change_password(member.id, factories.PASSWORD, "password1")
    assert "password" in weak.value.errors
    with pytest.raises(Invalid):
        accounts.change_password(member.id, factories.PASSWORD, factories.PASSWORD)
    assert User.get_by_id(member.id).session_token == member.session_token  # nothing changed
    user = accounts.change_password(member.id, factories.PASSWORD, NEW)
    assert user.session_token != member.session_token
    assert people.authenticate(member.email, NEW) is not None
    assert people.authenticate(member.email, factories.PASSWORD) is None


def test_forgot_finds_only_accounts_that_sign_in(app):
    member = factories.make_user("member", email="mem@example.test")
    factories.make_user("member", email="gone@example.test")
    User.update(active=False).where(User.email == "gone@example.test").execute()
    people.create_person(name="Hal", email="hal@example.test")
    assert accounts.account_for_reset(" MEM@example.test ").id == member.id
    for email in ("gone@example.test", "hal@example.test", "nobody@example.test", "", "@"):
        assert accounts.account_for_reset(email) is None
