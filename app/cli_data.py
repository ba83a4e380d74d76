"""`tagtrail` commands that move data in and out: backups, the copy to
PostgreSQL, and spreadsheet import and export. Registered on the main group
in app/cli.py."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import create_app
from .spreadsheets.rules import ENCODINGS, encoding_name


def _app(**config):
    return create_app(config or None)


@click.command("backup")
@click.argument("dest", type=click.Path(path_type=Path))
def backup_command(dest: Path) -> None:
    """Copy the database to DEST (a file, or a folder for a dated name), online,
    and new uploads (photos, documents) into an uploads/ folder beside it."""
    from .ops import backup

    app = _app()
    uploads = Path(app.instance_path) / "uploads"
    try:
        written, copied = backup.backup_all(
            backup.database_file(app.config["DATABASE_URL"]), uploads, dest
        )
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backed up to {written}.")
    click.echo(f"Uploads: {copied} new file(s) copied to {written.parent / 'uploads'}.")


@click.command("restore")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(source: Path, yes: bool) -> None:
    """Replace the database with the backup SOURCE, after checking it. Stop the
    server first; the current database is kept beside it."""
    from .ops import backup

    app = _app(AUTO_MIGRATE=False)
    db_file = backup.database_file(app.config["DATABASE_URL"])
    try:
        version = backup.check(source)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    if not yes:
        click.confirm(f"Replace {db_file} with {source} (schema version {version})?", abort=True)
    from .database import close_connection

    close_connection()  # this process lets go of the file before it is replaced
    try:
        _, kept = backup.restore(source, db_file)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    app = _app()  # start-up upgrades an older backup to this version's schema
    # Files the restored database may need and this instance lacks; none are removed.
    copied = backup.copy_uploads(source.parent / "uploads", Path(app.instance_path) / "uploads")
    click.echo(f"Restored {source}." + (f" The previous database is at {kept}." if kept else ""))
    if copied:
        click.echo(f"Copied {copied} upload(s) back from {source.parent / 'uploads'}.")


@click.command("copy-to-postgres")
@click.argument("target_url")
@click.option(
    "--from",
    "source_url",
    default=None,
    help="SQLite URL to copy from (default: this instance's database).",
)
def copy_to_postgres(target_url: str, source_url: str | None) -> None:
    """Copy this SQLite database into the empty PostgreSQL database TARGET_URL
    (postgresql://user:password@host/name). Stop the server first."""
    from .ops import pg_copy

    app = _app()
    source_url = source_url or app.config["DATABASE_URL"]
    try:
        counts = pg_copy.copy(source_url, target_url, report=click.echo)
    except pg_copy.CopyError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Copied {sum(counts.values())} rows. Now set TAGTRAIL_DATABASE_URL={target_url} "
        "and start tagtrail again."
    )


@click.command("import-csv")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check and run the import, then keep none of it.")
@click.option(
    "--dates",
    type=click.Choice(["dmy", "mdy"]),
    help="Read dates like 03/04/2024 as day/month or month/day (when the file cannot tell).",
)
@click.option(
    "--encoding",
    help="Read the file in this encoding when the guess is wrong: "
    + ", ".join(ENCODINGS)
    + " (other spellings such as macroman or windows-1252 too).",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar='"Header=field"',
    help='Take a column as one of our fields ("Model No.=model_name"), a custom field '
    '("Volts=Voltage"), or a new one ("Volts=custom:number"); "Header=" leaves it out.',
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    metavar='"VALUE=status"',
    help='What a status value of the file means ("Undeployable=faulty").',
)
@click.option(
    "--quantity",
    type=click.Choice(["each", "one"]),
    help="A row with a quantity over 1 as separate assets (each, the default) or one asset.",
)
def import_csv(
    file: Path,
    dry_run: bool,
    dates: str | None,
    encoding: str | None,
    maps: tuple[str, ...],
    statuses: tuple[str, ...],
    quantity: str | None,
) -> None:
    """Import assets from a CSV file: every row or none."""
    import uuid

    from .errors import Invalid, TooLarge
    from .spreadsheets import custom_columns, formats, imports

    app = _app()
    with app.app_context():
        try:
            table = imports.read(file.read_bytes(), encoding)
            mapping, kept = imports.suggested(table.headers, table)
            choices = kept or formats.Choices()
            try:
                fields = custom_columns.all_fields()
                flags = [custom_columns.map_flag(flag, fields) for flag in maps]
                mapping = formats.remap(table.headers, mapping, flags)
                choices.statuses.update(formats.parse_status_choice(s) for s in statuses)
            except ValueError as exc:
                raise click.UsageError(str(exc)) from None
            choices.quantity = quantity or choices.quantity
            _print_columns(table.headers, mapping)
            if table.encoding_guessed:
                click.echo(
                    f"Read as {encoding_name(table.encoding)} (a guess); if accents look "
                    f"wrong, pass --encoding ({', '.join(ENCODINGS)})."
                )
            summary = imports.run(
                table,
                actor=None,
                key=f"import-{uuid.uuid4().hex}",
                note=f"Imported from {file.name}",
                mapping=mapping,
                date_order=dates,
                dry_run=dry_run,
                choices=choices,
            )
        except imports.Blocked as exc:  # an Invalid too: caught first for its preview
            _print_preview(exc.preview)
            click.echo("Nothing was imported.", err=True)
            sys.exit(1)
        except (Invalid, TooLarge) as exc:
            raise click.ClickException(str(exc)) from None
    verb = "Would import" if summary.dry_run else "Imported"
    click.echo(
        f"{verb}: {summary.new} new, {summary.updated} updated, {summary.unchanged} unchanged; "
        f"{summary.events} history entries, {summary.categories} new categories, "
        f"{summary.locations} new locations, {summary.people} new holders"
        + (f", {summary.teams} new team{'s' * (summary.teams != 1)}" if summary.teams else "")
        + (
            f", {summary.fields} new custom field{'s' * (summary.fields != 1)}."
            if summary.fields
            else "."
        )
    )
    if summary.dry_run:
        click.echo("Dry run: nothing was written.")


def _print_columns(headers: list[str], mapping: list[str]) -> None:
    from .spreadsheets import custom_columns
    from .spreadsheets.values import FIELDS

    click.echo("Columns:")
    fields = custom_columns.all_fields()
    for header, name in zip(headers, mapping, strict=True):
        if name:
            label = FIELDS[name][0] if name in FIELDS else None
            click.echo(f"  {header} → {label or custom_columns.label(name, header, fields)}")
    left_out = [header for header, name in zip(headers, mapping, strict=True) if not name]
    if left_out:
        click.echo("Left out: " + ", ".join(f"“{header}”" for header in left_out))


def _print_statuses(preview) -> None:
    import shlex

    from .models import STATUS_LABELS

    waiting = [(text, rows) for _, text, rows, chosen in preview.status_values if not chosen]
    for text, rows in waiting:
        flag = f'--status "{text}=STATUS"'
        if any(c in text for c in '"$`\\'):
            flag = f"--status {shlex.quote(text + '=STATUS')}"
        click.echo(
            f"Status “{text}” ({rows} row{'' if rows == 1 else 's'}) is not ours: pass {flag}",
            err=True,
        )
    if waiting:
        click.echo(f"STATUS is one of: {', '.join(STATUS_LABELS)}.", err=True)


def _print_preview(preview) -> None:
    _print_statuses(preview)
    counts = preview.counts
    click.echo(
        f"{counts['new']} new, {counts['update']} to update, {counts['unchanged']} unchanged, "
        f"{counts['error']} with errors."
    )
    for problem in preview.problems:
        click.echo(problem, err=True)
    from .spreadsheets import messages

    shared, own = messages.group(preview.rows)
    for group in shared:
        click.echo(f"rows {messages.lines_words(group.lines)}: {group.message}", err=True)
    for row, errors in own:
        for error in errors:
            click.echo(f"row {row.line}: {error}", err=True)


@click.command("export-csv")
@click.option("--events", is_flag=True, help="The event history instead of the register.")
@click.option("--subscriptions", is_flag=True, help="The subscriptions instead of the register.")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day (local).")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day (local).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export_csv(events: bool, subscriptions: bool, start, end, output: Path) -> None:
    """Write the register (or, with --events, the history; with --subscriptions,
    the subscriptions) to a CSV file."""
    from .errors import Invalid
    from .ops import settings
    from .spreadsheets import exports
    from .spreadsheets.csvfiles import to_csv

    if (start or end) and not events:
        raise click.UsageError("--from and --to go with --events.")
    if events and subscriptions:
        raise click.UsageError("Choose --events or --subscriptions, not both.")
    app = _app()
    with app.app_context():
        if subscriptions:
            from datetime import datetime
            from zoneinfo import ZoneInfo

            local = ZoneInfo(settings.effective(app.config)["timezone"])
            data = to_csv(*exports.subscription_export(datetime.now(local).date()))
        elif events:
            zone = settings.effective(app.config)["timezone"]
            try:
                rows = exports.event_rows(
                    start.date() if start else None, end.date() if end else None, zone
                )
                data = to_csv(exports.EVENTS_HEADER, rows)
            except Invalid as exc:
                raise click.ClickException(str(exc)) from None
        else:
            data = to_csv(*exports.register_export())
    output.write_bytes(data)
    click.echo(f"Wrote {output}.")


COMMANDS = [backup_command, restore_command, copy_to_postgres, import_csv, export_csv]
