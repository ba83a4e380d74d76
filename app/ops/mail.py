"""Sending email through the SMTP server in the configuration (TAGTRAIL_SMTP_*).

Only the standard library: smtplib and email. One connection carries every
message of a run; a recipient the server refuses does not stop the others.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from ..errors import Busy

IMPLICIT_TLS_PORT = 465


class MailError(Busy):
    """The mail server could not be reached or refused the whole run (or no sender
    address is set): mail cannot go now, whatever was asked."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str
    password: str
    sender: str
    starttls: bool


def settings_from(config) -> SmtpSettings | None:
    """The SMTP settings in force, or None when no server is set (print, don't send)."""
    host = (config.get("SMTP_HOST") or "").strip()
    if not host:
        return None
    user = config.get("SMTP_USER") or ""
    sender = (config.get("SMTP_FROM") or "").strip() or (user if "@" in user else "")
    if not sender:
        raise MailError("Set TAGTRAIL_SMTP_FROM: the address reminders are sent from.")
    return SmtpSettings(
        host=host,
        port=int(config.get("SMTP_PORT") or 587),
        user=user,
        password=config.get("SMTP_PASSWORD") or "",
        sender=sender,
        starttls=bool(config.get("SMTP_STARTTLS")),
    )


def one_line(text: str) -> str:
    """Header-safe: names typed into the app must not add lines to a header."""
    return " ".join((text or "").split())


def address(name: str, email: str) -> Address:
    """A recipient; raises ValueError when the address cannot be used in a header."""
    try:
        return Address(display_name=one_line(name), addr_spec=email.strip())
    except (ValueError, IndexError) as exc:  # email's parser raises either
        raise ValueError(str(exc)) from None


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # "application/pdf"
    data: bytes


def compose(
    sender: str,
    to: Address,
    subject: str,
    body: str,
    attachments: tuple[Attachment, ...] = (),
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = one_line(subject)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    # RFC 3834: machine-sent, so auto-responders stay quiet.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    for item in attachments:
        maintype, _, subtype = item.content_type.partition("/")
        message.add_attachment(
            item.data, maintype=maintype, subtype=subtype, filename=one_line(item.filename)
        )
    return message


def _connect(smtp: SmtpSettings) -> smtplib.SMTP:
    if smtp.port == IMPLICIT_TLS_PORT:
        return smtplib.SMTP_SSL(
            smtp.host, smtp.port, timeout=30, context=ssl.create_default_context()
        )
    server = smtplib.SMTP(smtp.host, smtp.port, timeout=30)
    if smtp.starttls:
        server.starttls(context=ssl.create_default_context())
    return server


def deliver(smtp: SmtpSettings, messages: list[EmailMessage], on_sent=None) -> dict[int, str]:
    """Send every message over one connection. Returns {index: reason} for those the
    server refused; raises MailError when it cannot be reached or refuses the login.
    `on_sent(index)` is called after each accepted message."""
    failed: dict[int, str] = {}
    try:
        server = _connect(smtp)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(
            f"Could not reach the mail server {smtp.host}:{smtp.port} ({exc})."
        ) from None
    try:
        if smtp.user:
            try:
                server.login(smtp.user, smtp.password)
            except smtplib.SMTPException as exc:
                raise MailError(
                    f"The mail server refused the login for {smtp.user} ({exc})."
                ) from None
        for index, message in enumerate(messages):
            try:
                server.send_message(message)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
                failed[index] = str(exc)
                continue
            except (OSError, smtplib.SMTPException) as exc:
                # The connection itself failed: the rest cannot go either.
                for rest in range(index, len(messages)):
                    failed[rest] = f"not sent: {exc}"
                break
            if on_sent is not None:
                on_sent(index)
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()
    return failed
