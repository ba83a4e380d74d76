"""Accounts: inviting people to sign in, "Forgot your password?" and "Change my password".

No table keeps the links. Each is an itsdangerous signed token carrying the
person's id and a fingerprint of their password hash, session token and email
address, with the time it was made. The link works while all three are as they
were and it is younger than its kind's age: setting a password changes the hash
and the session token, so a used link is dead; a re-sent invite rotates the
session token, so the earlier invite is dead; a changed email address kills a
link sent to the old one; and a deactivated person's links are refused.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from peewee import fn

from ..database import write
from ..errors import Forbidden, Invalid, NotFound, Refused
from ..models import User, new_session_token
from ..ops import mail
from . import passwords
from .people import create_person
from .rules import INVITE_LINK_DAYS, RESET_LINK_MINUTES, may_invite, may_send_reset

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LinkKind:
    name: str
    salt: str
    max_age: int  # seconds

    @property
    def lasts(self) -> str:
        """How long a link lasts, in words for the email and the page."""
        if self.max_age % 86400 == 0:
            days = self.max_age // 86400
            return f"{days} day{'' if days == 1 else 's'}"
        minutes = self.max_age // 60
        return "an hour" if minutes == 60 else f"{minutes} minutes"


INVITE = LinkKind("invite", "tagtrail.account.invite", INVITE_LINK_DAYS * 86400)
RESET = LinkKind("reset", "tagtrail.account.reset", RESET_LINK_MINUTES * 60)

DEAD_LINK = "This link has expired or has already been used."


def _fingerprint(user: User) -> str:
    """What a link is bound to: changes when the password, the session token or
    the email address does."""
    material = "\0".join((user.password_hash or "", user.session_token, user.email or ""))
    return hashlib.sha256(material.encode()).hexdigest()[:24]


def _serializer(kind: LinkKind, secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=kind.salt)


def make_link(kind: LinkKind, user: User, secret: str) -> str:
    """The token part of a link for this person, as they are now."""
    return _serializer(kind, secret).dumps([user.id, _fingerprint(user)])


def _user_for(kind: LinkKind, token: str, secret: str) -> User | None:
    try:
        user_id, fingerprint = _serializer(kind, secret).loads(token, max_age=kind.max_age)
    except (SignatureExpired, BadSignature, ValueError, TypeError):
        return None
    if not isinstance(user_id, int) or not isinstance(fingerprint, str):
        return None
    user = User.get_or_none(User.id == user_id)
    if user is None or not user.active or not user.email:
        return None
    if not hmac.compare_digest(_fingerprint(user), fingerprint):
        return None
    if kind is INVITE and user.password_hash:
        return None  # already accepted
    if kind is RESET and not user.password_hash:
        return None
    return user


def person_for(kind: LinkKind, token: str, secret: str) -> User | None:
    """The person a link is for while it still works, else None (expired, used,
    superseded, tampered with, or the person deactivated)."""
    return _user_for(kind, token, secret)


def use_link(kind: LinkKind, token: str, secret: str, password: str) -> User:
    """Set the password a link is for. Checked again under the write lock, so two
    tabs using one link cannot both succeed. Everyone signed in as this person is
    signed out (a new session token); the caller signs this browser in."""
    with write():
        user = _user_for(kind, token, secret)
        if user is None:
            raise NotFound(DEAD_LINK)
        return _set_password(user, password)


def _set_password(user: User, password: str) -> User:
    """The password rule, then the new hash and a new session token: every other
    session of this person ends. Call inside write()."""
    problem = passwords.problem(password, name=user.name, email=user.email)
    if problem:
        raise Invalid({"password": problem})
    user.password_hash = passwords.hash_password(password)
    user.session_token = new_session_token()
    user.save()
    return user


def change_password(user_id: int, current: str, new: str) -> User:
    """A signed-in person's own change: the current password is required. Other
    sessions end (a new session token); the caller keeps this one signed in."""
    with write():
        user = User.get_or_none(User.id == user_id)
        if user is None or not user.can_sign_in:
            raise NotFound("No such account.")
        if not passwords.verify(user.password_hash, current):
            raise Invalid({"current": "That is not your current password."})
        if current == new:
            raise Invalid({"password": "Choose a password different from the current one."})
        return _set_password(user, new)


def _clean_email(email: str | None) -> str:
    return (email or "").strip().lower()


def invite(*, name: str, email: str, role: str, actor: User) -> User:
    """Add a person who will sign in once they have chosen a password from their link."""
    if not may_invite(actor, role):
        raise Forbidden("Leads invite members; only an admin can invite leads and admins.")
    email = _clean_email(email)
    if not email:
        raise Invalid({"email": "Give the email address the invite goes to."})
    existing = User.get_or_none(fn.LOWER(User.email) == email)
    if existing is not None:
        if existing.password_hash:
            raise Invalid(
                {
                    "email": f"{existing.name} already has an account with that email address. "
                    "They can use “Forgot your password?” on the sign-in page."
                }
            )
        raise Invalid(
            {
                "email": f"{existing.name} already has that email address and does not sign in "
                "yet. Send the invite from their page."
            }
        )
    return create_person(name=name, email=email, role=role, actor=None)


def reinvite(user_id: int, *, actor: User) -> User:
    """A fresh invite for someone who does not sign in yet; the earlier link stops working."""
    with write():
        user = User.get_or_none(User.id == user_id)
        if user is None:
            raise NotFound("No such person.")
        if not may_invite(actor, user.role):
            raise Forbidden("Leads invite members; only an admin can invite leads and admins.")
        if user.password_hash:
            raise Refused(
                f"{user.name} already has an account. They can use “Forgot your password?” "
                "on the sign-in page."
            )
        if not user.email:
            raise Refused(f"Add an email address for {user.name} first.")
        if not user.active:
            raise Refused(f"{user.name} is inactive. Make them active first.")
        user.session_token = new_session_token()
        user.save()
        return user


def reset_for(user_id: int, *, actor: User) -> User:
    """A person whose password an admin sends a reset link for (it cannot be read back)."""
    user = User.get_or_none(User.id == user_id)
    if user is None:
        raise NotFound("No such person.")
    if not may_send_reset(actor, user):
        raise Forbidden("Only an admin can send someone a link to set a new password.")
    if not user.can_sign_in:
        raise Refused(f"{user.name} does not sign in: send an invite instead.")
    return user


def account_for_reset(email: str) -> User | None:
    """The account "Forgot your password?" may send a link to, or None. Whoever asks
    is told the same either way."""
    email = _clean_email(email)
    if not email or len(email) > 254:
        return None
    user = User.get_or_none(fn.LOWER(User.email) == email)
    return user if user is not None and user.can_sign_in else None


# Email ------------------------------------------------------------------------


def invite_email(user: User, link: str, *, org: str, inviter: str) -> tuple[str, str]:
    """Subject and body of an invite."""
    where = org or "tagtrail"
    subject = f"{inviter} invited you to {where}"
    body = (
        f"Hello {user.name},\n\n"
        f"{inviter} invited you to sign in to {where}, where the team keeps track of "
        "its equipment.\n\n"
        f"Choose your password here (the link works once, for {INVITE.lasts}):\n\n"
        f"{link}\n\n"
        f"You will sign in with this email address: {user.email}\n"
    )
    return mail.one_line(subject), body


def reset_email(user: User, link: str, *, org: str) -> tuple[str, str]:
    """Subject and body of a link to set a new password."""
    where = org or "tagtrail"
    subject = f"Set a new password for {where}"
    body = (
        f"Hello {user.name},\n\n"
        f"Someone asked for a link to set a new password for your account at {where}.\n\n"
        f"Choose a new password here (the link works once, for {RESET.lasts}):\n\n"
        f"{link}\n\n"
        "Setting it signs you out on every other device. If you did not ask for "
        "this, ignore this email: your password stays as it is.\n"
    )
    return mail.one_line(subject), body


def message(smtp: mail.SmtpSettings, user: User, subject: str, body: str) -> EmailMessage:
    return mail.compose(smtp.sender, mail.address(user.name, user.email or ""), subject, body)


def send_now(smtp: mail.SmtpSettings, email: EmailMessage) -> str | None:
    """Send one message; None when the server took it, else why not."""
    try:
        failed = mail.deliver(smtp, [email])
    except mail.MailError as exc:
        return str(exc)
    return failed.get(0)


def send_in_background(smtp: mail.SmtpSettings, email: EmailMessage) -> threading.Thread:
    """Send without making the person who asked wait for the mail server: a reset
    request answers as fast whether or not the address has an account."""

    def run() -> None:
        reason = send_now(smtp, email)
        if reason:
            log.warning("Password link to %s not sent: %s", email["To"], reason)

    thread = threading.Thread(target=run, name="tagtrail-account-mail", daemon=True)
    thread.start()
    return thread


@dataclass(frozen=True)
class Delivery:
    """What became of a link: emailed, or to be passed on by the person who asked
    (no mail server set, or it failed: `problem` says why)."""

    sent: bool
    link: str
    problem: str | None = None


def deliver(
    kind: LinkKind,
    user: User,
    url: str,
    *,
    smtp: mail.SmtpSettings | None,
    org: str,
    inviter: str = "",
) -> Delivery:
    """Email a link now, for someone who waits on the page (an invite, an admin's
    reset link); without a mail server, hand it back to show."""
    if smtp is None:
        return Delivery(sent=False, link=url)
    if kind is INVITE:
        subject, body = invite_email(user, url, org=org, inviter=inviter or "Your team")
    else:
        subject, body = reset_email(user, url, org=org)
    try:
        outgoing = message(smtp, user, subject, body)
    except ValueError as exc:
        return Delivery(sent=False, link=url, problem=f"the address cannot be used ({exc})")
    reason = send_now(smtp, outgoing)
    return Delivery(sent=reason is None, link="" if reason is None else url, problem=reason)


def request_reset(
    email: str,
    *,
    smtp: mail.SmtpSettings | None,
    secret: str,
    link_for: Callable[[str], str],
    org: str,
) -> threading.Thread | None:
    """ "Forgot your password?": email a reset link if the address has an account.
    Says nothing either way; the mail goes in the background, so the answer takes
    as long whether or not there is an account. Returns the sending thread (tests
    wait on it), or None when nothing is sent."""
    user = account_for_reset(email)
    if user is None or smtp is None:
        return None
    subject, body = reset_email(user, link_for(make_link(RESET, user, secret)), org=org)
    try:
        outgoing = message(smtp, user, subject, body)
    except ValueError:
        return None
    return send_in_background(smtp, outgoing)
