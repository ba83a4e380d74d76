"""The `tagtrail` command."""

from __future__ import annotations

import os
import sys

import click

from . import create_app
from .network import lan_address


def _app(**config):
    return create_app(config or None)


@click.group()
def main() -> None:
    """tagtrail: scan-first asset tracking for small teams."""


@main.command()
@click.option("--host", default="0.0.0.0", show_default=True)
@click.option(
    "--port",
    default=lambda: int(os.environ.get("PORT", 8080)),
    type=int,
    show_default="$PORT or 8080",
)
@click.option("--threads", default=8, show_default=True, type=int)
def serve(host: str, port: int, threads: int) -> None:
    """Serve with waitress."""
    from .ops import rules as ops_rules
    from .ops import settings
    from .server import serve as waitress_serve

    app = _app(SERVER_READS_PROXY_HEADERS=True)
    with app.app_context():
        public_url = settings.effective(app.config)["public_url"]
        warning = ops_rules.public_url_warning(public_url)
    lan = lan_address()
    click.echo(f"tagtrail is serving on http://{host}:{port}")
    if lan:
        click.echo(f"Phones on this network can open: http://{lan}:{port}")
    click.echo(f"Instance folder: {app.instance_path}")
    _echo_limit_storage(app.config["RATELIMIT_STORAGE_URI"])
    if warning:
        click.secho("!" * 72, fg="yellow", err=True)
        click.secho(f"WARNING: {warning}", fg="yellow", bold=True, err=True)
        if lan:
            click.secho(
                f"For example: TAGTRAIL_PUBLIC_URL=http://{lan}:{port}", fg="yellow", err=True
            )
        click.secho("!" * 72, fg="yellow", err=True)
    waitress_serve(
        app,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=app.config["MAX_CONTENT_LENGTH"],
        ident="tagtrail",
        **_proxy_options(app.config),
    )


def _echo_limit_storage(uri: str) -> None:
    """Say where sign-in and report limits are counted, and whether that store answers."""
    from urllib.parse import urlsplit

    from .extensions import limiter

    if uri.startswith("memory://"):
        click.echo("Sign-in and report limits: counted by this process alone")
        return
    parts = urlsplit(uri)
    shown = f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"
    click.echo(f"Sign-in and report limits: shared through {shown}")
    try:
        answers = limiter.storage.check()
    except Exception:  # any driver error: the same answer as "does not answer"
        answers = False
    if not answers:
        click.secho(
            f"WARNING: {shown} does not answer; until it does, each process counts alone.",
            fg="yellow",
            err=True,
        )


def _proxy_options(config) -> dict:
    """waitress's trust in the reverse proxy, from TAGTRAIL_TRUSTED_PROXIES.

    waitress, not the app, reads X-Forwarded-For and -Proto: it drops them from
    any peer but the trusted address, so a phone reaching the port directly
    cannot pose as another address or as https.
    """
    count = int(config.get("TRUSTED_PROXIES") or 0)
    if count <= 0:
        return {}
    return {
        "trusted_proxy": config.get("TRUSTED_PROXY_ADDRESS") or "127.0.0.1",
        "trusted_proxy_count": count,
        "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
        "clear_untrusted_proxy_headers": True,
    }


@main.command()
def init() -> None:
    """Create the instance folder, the secret key and the database."""
    app = _app()
    click.echo(f"Ready: {app.config['DATABASE_URL']}")


@main.command()
def migrate() -> None:
    """Upgrade the database to this version's schema."""
    from .migrations import upgrade

    app = _app(AUTO_MIGRATE=False)
    with app.app_context():
        before, after = upgrade()
    if before == after:
        click.echo(f"Already at schema version {after}.")
    else:
        click.echo(f"Upgraded schema version {before} → {after}.")


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role", type=click.Choice(["member", "lead", "admin"]), default="member", show_default=True
)
@click.option(
    "--password",
    help="Omit to be asked (or to create a holder who never signs in with --no-password).",
)
@click.option("--no-password", is_flag=True, help="A holder who never signs in.")
def create_user(email: str, name: str, role: str, password: str | None, no_password: bool):
    """Create a user from the command line."""
    from .errors import Invalid
    from .register import people

    if password is None and not no_password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    app = _app()
    with app.app_context():
        try:
            user = people.create_person(name=name, email=email, role=role, password=password)
        except Invalid as exc:
            for field, message in exc.errors.items():
                click.echo(f"{field}: {message}", err=True)
            sys.exit(1)
    click.echo(f"Created {user.role} {user.name} <{user.email}>.")


@main.command()
@click.option(
    "--password",
    default="tagtrail-demo",
    show_default=True,
    help="Password for every demo account.",
)
@click.option("--force", is_flag=True, help="Add the demo data even if the database has data.")
def demo(password: str, force: bool) -> None:
    """Fill an empty database with a believable small organisation."""
    from .errors import Invalid, Refused
    from .ops import demo as demo_data

    app = _app()
    with app.app_context():
        try:
            accounts = demo_data.build(password=password, force=force)
        except (Invalid, Refused) as exc:
            click.echo(str(exc), err=True)
            sys.exit(1)
    click.echo("Demo data added. Sign in with any of these:")
    for user in accounts:
        click.echo(f"  {user.role:<7} {user.email:<28} password: {password}")


@main.command("remind")
@click.option("--digest", "force_digest", is_flag=True, help="Send the leads' digest today.")
@click.option("--again", is_flag=True, help="Also email people already reminded today.")
def remind(force_digest: bool, again: bool) -> None:
    """Email each holder their overdue items and those due back today or tomorrow
    (run it daily from cron), and each subscription's owner its renewal reminder,
    once per renewal date. On TAGTRAIL_DIGEST_WEEKDAY (default Monday), or with
    --digest, leads and admins also get a weekly digest. Without TAGTRAIL_SMTP_HOST
    it prints what it would send."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from flask import url_for

    from .custody import reminders
    from .ops import mail, settings
    from .ops.money import format_money
    from .reservations import reservations
    from .subscriptions import renewals

    app = _app()
    with app.app_context():
        site = settings.effective(app.config)
        today = datetime.now(ZoneInfo(site["timezone"])).date()
        # Bookings not started in time lapse here (their items were already free).
        lapsed = reservations.lapse(zone=ZoneInfo(site["timezone"]))
        if lapsed:
            click.echo(f"Reservations not started in time, now lapsed: {lapsed}.")
        try:
            weekday = reminders.digest_weekday(app.config["DIGEST_WEEKDAY"])
            smtp = mail.settings_from(app.config)
        except (ValueError, mail.MailError) as exc:
            raise click.ClickException(str(exc)) from None
        base = site["public_url"]

        def subscription_link(subscription_id: int) -> str:
            return f"{base}/subscriptions/{subscription_id}" if base else ""

        def money(cents: int) -> str:
            return format_money(cents, site["currency"])

        # Links only with a public address: a localhost link in an email helps nobody.
        with app.test_request_context(base_url=base or "http://localhost"):
            plan = reminders.plan(
                today,
                org=site["org_name"],
                link=lambda code: url_for("scan.asset", code=code, _external=True) if base else "",
                overview_url=url_for("activity.overdue", _external=True) if base else "",
                digest=force_digest or weekday == today.weekday(),
                zone=ZoneInfo(site["timezone"]),
                digest_sections=renewals.digest_sections(
                    today, link=subscription_link, money=money
                ),
            )
        # Each subscription's renewal reminder, once per renewal date.
        plan.messages += renewals.messages(
            today, org=site["org_name"], link=subscription_link, money=money
        )
        for line in reminders.unreachable_lines(plan, today) + renewals.nobody_to_tell(today):
            click.echo(line)
        if not plan.messages:
            click.echo(
                "Nothing to send: nothing is overdue or due back today or tomorrow, "
                "and no renewal reminder is due."
            )
            return
        if smtp is None:
            click.echo("No mail server is set (TAGTRAIL_SMTP_HOST); this would be sent:\n")
            click.echo(reminders.preview(plan))
            return
        try:
            report = reminders.send(plan, smtp, today, again=again)
        except mail.MailError as exc:
            raise click.ClickException(str(exc)) from None
        # A renewal reminder counts as sent once all it was for have it.
        recorded = renewals.mark_reminded(today, reminders.sent_today(today))
    for item in report.sent:
        click.echo(f"Sent to {item.to.email}: {item.subject}")
    for item in report.skipped:
        click.echo(f"Already sent today to {item.to.email} (--again to resend).")
    for item, reason in report.failed:
        click.echo(f"NOT sent to {item.to.email}: {reason}", err=True)
    for subscription in recorded:
        click.echo(f"Renewal reminder recorded: {subscription.product}.")
    if report.failed:
        sys.exit(1)


@main.command("labels")
@click.option(
    "--format",
    "format_name",
    help="Label stock, e.g. avery-l7160; default: the one for the organisation's paper size.",
)
@click.option("--all", "every", is_flag=True, help="Every asset in service.")
@click.option("--unprinted", is_flag=True, help="Assets never printed.")
@click.option("--codes", help="Comma-separated asset codes.")
@click.option("--blank", type=int, help="This many blank labels with fresh codes.")
@click.option("--start", default=1, show_default=True, help="First label position on the sheet.")
@click.option("--copies", default=1, show_default=True, help="Copies of each label.")
@click.option("--tags", is_flag=True, help="Print each asset's old (external) tag too.")
@click.option("--list-formats", is_flag=True, help="List the formats and stop.")
@click.option("--calibrate", is_flag=True, help="A calibration page for --format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="The PDF to write.")
def labels_command(
    format_name,
    every,
    unprinted,
    codes,
    blank,
    start,
    copies,
    tags,
    list_formats,
    calibrate,
    output,
):
    """Print label sheets to a PDF file."""
    import labels as engine

    from .errors import Invalid
    from .ops import rules as ops_rules
    from .ops import settings
    from .printing import formats, selection
    from .register import label_codes

    app = _app()
    with app.app_context():
        available = formats.formats()
        if list_formats:
            for name, fmt in available.items():
                click.echo(f"{name:<20} {fmt.title}")
            return
        paper = settings.effective(app.config)["paper_size"]
        format_name = format_name or formats.default_format_name(paper)
        if format_name not in available or not output:
            raise click.UsageError("Give a --format from --list-formats, and -o FILE.")
        fmt = available[format_name]
        nudge = formats.nudge(fmt.name)
        if calibrate:
            data = engine.calibration_pdf(fmt, nudge)
        else:
            chosen = [bool(every), bool(unprinted), bool(codes), blank is not None]
            if sum(chosen) != 1:
                raise click.UsageError("Choose one of --all, --unprinted, --codes, --blank.")
            public_url = settings.effective(app.config)["public_url"]
            warning = ops_rules.public_url_warning(public_url)
            if warning:
                click.secho(f"WARNING: {warning}", fg="yellow", err=True)
            try:
                if blank is not None:
                    selection.require_public_url(public_url)  # before reserving codes
                    reserved = label_codes.reserve_blanks(blank, None)
                    label_data = selection.blank_labels(reserved, public_url)
                    things = []
                else:
                    wanted = [c.strip().upper() for c in (codes or "").split(",") if c.strip()]
                    choice = "all" if every else "unprinted" if unprinted else "selected"
                    things = selection.choose(choice, codes_=wanted)
                    label_data = selection.to_labels(things, public_url, tags=tags)
                data = engine.render_pdf(label_data, fmt, start=start, copies=copies, nudge=nudge)
            except (Invalid, ValueError) as exc:
                message = "; ".join(exc.errors.values()) if isinstance(exc, Invalid) else exc
                raise click.ClickException(str(message)) from None
            if things:
                selection.record_printed(things, None, fmt)
        with open(output, "wb") as fh:
            fh.write(data)
    click.echo(f"Wrote {output}.")


def _register_data_commands() -> None:
    from .cli_data import COMMANDS

    for command in COMMANDS:
        main.add_command(command)


_register_data_commands()


if __name__ == "__main__":
    main()
