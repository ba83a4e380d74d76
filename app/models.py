"""Peewee models. `db` stays unbound until create_app() initialises it."""

from __future__ import annotations

import json
import secrets

from flask_login import UserMixin
from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DatabaseProxy,
    DateField,
    DateTimeField,
    DoubleField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
    fn,
)

from .clock import utcnow as utcnow  # stored timestamps are naive UTC

db = DatabaseProxy()

ROLES = ("member", "lead", "admin")
STATUSES = ("available", "checked_out", "faulty", "in_repair", "missing", "retired")
STATUS_LABELS = {
    "available": "Available",
    "checked_out": "Checked out",
    "faulty": "Faulty",
    "in_repair": "In repair",
    "missing": "Missing",
    "retired": "Retired",
}


def new_session_token() -> str:
    return secrets.token_hex(16)


class JSONField(TextField):
    """JSON kept as text, so the same column works on SQLite and PostgreSQL."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, sort_keys=True, default=str)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False


class SchemaVersion(BaseModel):
    version = IntegerField()


class Setting(BaseModel):
    key = CharField(primary_key=True, max_length=64)
    value = TextField()

    @classmethod
    def get_value(cls, key: str, default: str = "") -> str:
        row = cls.get_or_none(cls.key == key)
        return row.value if row else default


class Team(BaseModel):
    """A department people belong to; it can also keep assets (a van's tool kit,
    a shared printer). A grouping for lists and reports, not a permission
    boundary. Names are unique ignoring case (the index below)."""

    name = CharField(max_length=80)
    created_at = DateTimeField(default=utcnow)


Team.add_index(Team.index(fn.LOWER(Team.name), unique=True, name="team_lower_name"))


class User(UserMixin, BaseModel):
    # NULL, not "", for people who never sign in, so the unique index allows many.
    email = CharField(max_length=254, unique=True, null=True)
    name = CharField(max_length=120)
    password_hash = CharField(max_length=255, null=True)
    role = CharField(max_length=16, default="member")
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    # Part of every session and remember cookie: changing it signs the user out
    # everywhere (sign-out, password change, deactivation).
    session_token = CharField(max_length=32, default=new_session_token)
    team = ForeignKeyField(Team, null=True, backref="members", on_delete="RESTRICT")

    def get_id(self) -> str:  # flask-login stores this in the session and cookie
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # flask-login: inactive users cannot sign in
        return bool(self.active)

    @property
    def can_sign_in(self) -> bool:
        return bool(self.active and self.email and self.password_hash)

    def has_role(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


class Location(BaseModel):
    name = CharField(max_length=120)
    parent = ForeignKeyField("self", null=True, backref="children", on_delete="RESTRICT")
    code = CharField(max_length=6, unique=True)
    created_at = DateTimeField(default=utcnow)


class Category(BaseModel):
    name = CharField(max_length=80, unique=True)
    created_at = DateTimeField(default=utcnow)
    # Defaults for its assets: how often they need a service, and how they
    # lose value (straight-line over the useful life, down to the salvage
    # value as a percentage of the purchase cost).
    service_interval_days = IntegerField(null=True)
    useful_life_months = IntegerField(null=True)
    salvage_percent = IntegerField(null=True)
    # A check after each return ("clean and recharge"); empty: none. Until someone
    # taps "Checked, ready", the item cannot go out again. `checker`: the person
    # who may do it besides the leads.
    check_after_return = CharField(max_length=200, default="")
    checker = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    # Handing its assets over needs the receiver's signature.
    signature_required = BooleanField(default=False)
    # What replacing one of its assets costs today (the replacement plan); none
    # set: each asset's own purchase cost.
    replacement_cost_cents = IntegerField(null=True)


class Asset(BaseModel):
    code = CharField(max_length=6, unique=True)
    name = CharField(max_length=200)
    # No index of its own: (category, lower(name), id) below leads with it.
    category = ForeignKeyField(
        Category, null=True, backref="assets", on_delete="SET NULL", index=False
    )
    manufacturer = CharField(max_length=120, default="")
    model_name = CharField(max_length=120, default="", column_name="model")
    # NULL when blank so that the unique index only bites on real serials.
    serial = CharField(max_length=120, null=True, unique=True)
    purchase_date = DateField(null=True)
    cost_cents = IntegerField(null=True)
    supplier = CharField(max_length=120, default="")
    warranty_end = DateField(null=True)
    order_number = CharField(max_length=120, default="")
    # An identifier from before tagtrail (an old asset tag); searchable, and
    # it can be printed on the label. The asset still has its own code.
    external_tag = CharField(max_length=120, default="", index=True)
    notes = TextField(default="")
    # Overrides the category's service interval when set.
    service_interval_days = IntegerField(null=True)
    last_serviced_on = DateField(null=True)
    # Projection of the events: the current state.
    status = CharField(max_length=16, default="available", index=True)
    holder = ForeignKeyField(User, null=True, backref="holdings", on_delete="RESTRICT")
    location = ForeignKeyField(Location, null=True, backref="assets", on_delete="RESTRICT")
    due_back = DateField(null=True)
    # Set when the item did not come back with its kit (it stays out with its
    # holder); cleared when it changes hands in any way. Indexed for the
    # dashboard's count (custody.rules.not_back_sql).
    not_back_since = DateTimeField(null=True, index=True)
    # New, good, fair, poor or broken (rules: app/custody/condition.py); empty
    # until someone first says.
    condition = CharField(max_length=8, default="")
    # Set on a return when its category asks for a check before reuse; cleared by
    # "Checked, ready". Indexed for the dashboard's list.
    needs_check_since = DateTimeField(null=True, index=True)
    # Handed over "to be accepted": set until the holder accepts or declines (or
    # it changes hands). Indexed for the leads' digest.
    awaiting_since = DateTimeField(null=True, index=True)
    # The team that keeps it (a van's tool kit, a shared printer), at its
    # location; a person may still check it out.
    team = ForeignKeyField(Team, null=True, backref="assets", on_delete="RESTRICT")
    last_seen_at = DateTimeField(null=True)
    last_audited_at = DateTimeField(null=True)
    label_printed_at = DateTimeField(null=True)
    retired_at = DateTimeField(null=True)
    retire_reason = CharField(max_length=32, default="")
    # Projection: the last service (or purchase) plus the interval in force;
    # kept up to date whenever either changes, so "service due" is one query.
    service_due_on = DateField(null=True)
    # Projection: the purchase date plus its category's useful life (the
    # replacement plan, app/replacement/rules.py); kept up to date whenever
    # either changes, so "due for replacement this quarter" is one query.
    life_ends_on = DateField(null=True)
    # Projection: the latest event that counts as use (register/last_use.py),
    # kept in the same write as each event; none if never used. The idle report
    # reads it instead of grouping the whole history.
    last_used_at = DateTimeField(null=True)
    # Projection: what its repairs and services have cost to date, the sum of
    # its events' costs (register/upkeep.py), kept in the same write as each
    # event. The replacement plan's due list reads it with the asset.
    upkeep_cents = BigIntegerField(default=0)
    # Bumped on every change; forms carry it so a stale form cannot overwrite.
    version = IntegerField(default=1)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        # The dashboard counts each of its lists from one of these alone (covering
        # indexes: the status rides along), so no count reads the table itself.
        # The replacement plan's index is below (asset_past_life).
        indexes = (
            (("due_back", "holder"), False),
            (("warranty_end", "status"), False),
            (("service_due_on", "status"), False),
            (("last_audited_at", "status"), False),
            (("last_seen_at", "created_at", "status"), False),
        )

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def save(self, force_insert=False, only=None):
        """Saving a row read before its events were recorded (an edit that moves
        it) writes every column but those the events keep: the last use and the
        costs to date (register/last_use.py and upkeep.py) are written in each
        event's write alone, and the row in hand may be stale."""
        if only is None and self._pk is not None and not force_insert:
            kept = {Asset.last_used_at.name, Asset.upkeep_cents.name}  # (a field's == is SQL)
            only = [f for f in self._meta.sorted_fields if f.name not in kept]
        return super().save(force_insert=force_insert, only=only)


# The replacement plan's (app/replacement/plan.py): by end of useful life, with
# what its counts, sums and forecast group by (category, team, holder for the
# team, cost), and what the due list's CSV reads of each item past its life (its
# costs to date included), so
# that tens of thousands of them are read from it alone.
Asset.add_index(
    Asset.index(
        Asset.life_ends_on,
        Asset.status,
        Asset.category,
        Asset.team,
        Asset.holder,
        Asset.cost_cents,
        Asset.code,
        Asset.name,
        Asset.purchase_date,
        Asset.created_at,
        Asset.retired_at,
        Asset.upkeep_cents,
        name="asset_past_life",
    )
)
# The register's order (app/register/assets.py): a page of it is read from this
# index alone, without sorting every matching asset by name. It carries what the
# utilisation CSV lists of the unused (from code on), read from it alone.
Asset.add_index(
    Asset.index(
        fn.LOWER(Asset.name),
        Asset.id,
        Asset.code,
        Asset.name,
        Asset.category,
        Asset.purchase_date,
        Asset.created_at,
        Asset.retired_at,
        name="asset_lower_name_id",
    )
)
# And a category's assets in that order. It carries what the value report's CSV
# writes of each (from code on), so its rows are read from it alone.
Asset.add_index(
    Asset.index(
        Asset.category,
        fn.LOWER(Asset.name),
        Asset.id,
        Asset.code,
        Asset.name,
        Asset.cost_cents,
        Asset.purchase_date,
        Asset.retired_at,
        Asset.created_at,
        name="asset_category_id_lower_name_id",
    )
)
# The idle report (app/reports/idle.py): items in service with nobody, longest
# idle first, read and counted from this index alone, however long the history.
# Not a partial index: without statistics SQLite would rather take the holder's
# index; two leading columns tested for NULL win it without any. It carries the
# columns the CSV writes too (from code on), so that every idle row is read from
# it without its asset row.
Asset.add_index(
    Asset.index(
        Asset.holder,
        Asset.retired_at,
        fn.COALESCE(Asset.last_used_at, Asset.created_at),
        fn.LOWER(Asset.name),
        Asset.id,
        Asset.code,
        Asset.name,
        Asset.status,
        Asset.category,
        Asset.location,
        Asset.last_used_at,
        Asset.created_at,
        name="asset_idle_since",
    )
)
# The reports' sums over the whole register (value, utilisation), read from this
# index alone rather than from the asset rows, which are many times wider.
Asset.add_index(
    Asset.index(
        Asset.category,
        Asset.retired_at,
        Asset.purchase_date,
        Asset.created_at,
        Asset.cost_cents,
        Asset.team,
        Asset.holder,
        name="asset_report_sums",
    )
)


class Event(BaseModel):
    """Append-only history. Never updated or deleted by the app."""

    asset = ForeignKeyField(Asset, null=True, backref="events", on_delete="RESTRICT")
    kind = CharField(max_length=32)
    actor = ForeignKeyField(User, null=True, backref="acted", on_delete="RESTRICT")
    at = DateTimeField(default=utcnow)
    holder = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    # On a handover, who gave it: both sides then find the event in their history.
    from_holder = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    location = ForeignKeyField(Location, null=True, backref="+", on_delete="RESTRICT")
    note = TextField(default="")
    data = JSONField(null=True)
    # The idempotency key of the action that wrote this event (on its first
    # event only): a double tap or a resent form finds it and writes nothing.
    key = CharField(max_length=64, null=True, unique=True)
    # When the phone made the scan, for actions queued offline and sent later
    # (`at` is then the time the server received it).
    scanned_at = DateTimeField(null=True)
    # The cost of the work a repair or service event records, as
    # register/rules.event_cost reads it from `data`; written with
    # the event (never changed, like the rest of it), so the reports add costs
    # up in SQL instead of reading every event's JSON. None for any other kind.
    cost_cents = IntegerField(null=True)

    class Meta:
        # (at): the newest events across all assets, for the activity feed and
        # the dashboard, without sorting the whole history. (kind, asset, at,
        # cost): the few events of a kind (the maintenance report, the
        # replacement plan's costs in 12 months) and each asset's last use (the
        # idle report) without reading the history's rows.
        indexes = (
            (("asset", "at"), False),
            (("at",), False),
            (("kind", "asset", "at", "cost_cents"), False),
        )

    def save(self, *args, **kwargs):
        """An event written with Event.create (a script, a test) gets its cost
        and keeps the spells of custody and the last use too, as
        register/events.py `record` does for the app's own."""
        new = self._pk is None
        if new:
            from .register.rules import event_cost  # it imports this module

            self.cost_cents = event_cost(self.kind, self.data)
        saved = super().save(*args, **kwargs)
        if new:
            from .register import custody_intervals, last_use, upkeep  # they import this module

            custody_intervals.follow(self.id, self.asset_id, self.kind, self.at, self.holder_id)
            last_use.follow(self.asset_id, self.kind, self.at)
            upkeep.follow(self.asset_id, self.cost_cents)
        return saved


FAULT_SEVERITIES = {"usable": "Still usable", "do_not_use": "Do not use"}


class Fault(BaseModel):
    """A reported problem, open until a lead marks the asset fixed."""

    asset = ForeignKeyField(Asset, backref="faults", on_delete="RESTRICT")
    reported_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    reported_at = DateTimeField(default=utcnow)
    description = TextField()
    severity = CharField(max_length=16, default="usable")
    photo = CharField(max_length=80, default="")  # file name under instance/uploads/
    closed_at = DateTimeField(null=True)

    @property
    def severity_label(self) -> str:
        return FAULT_SEVERITIES.get(self.severity, self.severity)


class LabelCode(BaseModel):
    """A code printed on a label that is not (or no longer) an asset's own.

    `blank`: printed ahead of time, waiting to be bound to an asset.
    `bound`: a blank that became an asset's code (kept for the record).
    `replaced`: an asset's old code after re-labelling; scans lead to the asset.
    """

    code = CharField(max_length=6, unique=True)
    state = CharField(max_length=12, default="blank")
    asset = ForeignKeyField(Asset, null=True, backref="+", on_delete="RESTRICT")
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    changed_at = DateTimeField(null=True)


class LabelFormatSetting(BaseModel):
    """A custom format a lead saved (`spec`), or a printer nudge for any format."""

    name = CharField(max_length=48, unique=True)
    spec = JSONField(null=True)  # None for shipped formats: only the nudge is stored
    nudge_x_mm = FloatField(default=0.0)
    nudge_y_mm = FloatField(default=0.0)


class Audit(BaseModel):
    """A walk-through: what was expected (a snapshot), what was seen, and when."""

    name = CharField(max_length=120)
    scope_location = ForeignKeyField(Location, null=True, backref="+", on_delete="RESTRICT")
    scope_category = ForeignKeyField(Category, null=True, backref="+", on_delete="RESTRICT")
    status = CharField(max_length=12, default="running", index=True)
    started_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    started_at = DateTimeField(default=utcnow)
    closed_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    closed_at = DateTimeField(null=True)


class AuditItem(BaseModel):
    """One asset expected by an audit, as it stood when the audit started."""

    audit = ForeignKeyField(Audit, backref="items", on_delete="RESTRICT")
    asset = ForeignKeyField(Asset, backref="+", on_delete="RESTRICT")
    expected_location = ForeignKeyField(Location, null=True, backref="+", on_delete="RESTRICT")
    marked_missing = BooleanField(default=False)  # by this audit (one by one or at close)

    class Meta:
        indexes = ((("audit", "asset"), True),)


class AuditTick(BaseModel):
    """A "Seen ✓" (or an unknown code scanned during the audit). Undo keeps the row."""

    audit = ForeignKeyField(Audit, backref="ticks", on_delete="RESTRICT")
    asset = ForeignKeyField(Asset, null=True, backref="+", on_delete="RESTRICT")
    code = CharField(max_length=40, default="")  # what was scanned when it matched nothing
    by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    at = DateTimeField(default=utcnow)
    room = ForeignKeyField(Location, null=True, backref="+", on_delete="RESTRICT")
    expected = BooleanField(default=True)  # False: not in the audit's scope
    wrong_place = BooleanField(default=False)
    resolution = CharField(max_length=8, default="")  # seen elsewhere: "moved" or "left"
    undone_at = DateTimeField(null=True)
    undone_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    scanned_at = DateTimeField(null=True)  # as for Event.scanned_at
    # The idempotency key of the scan that made this tick (as for Event.key):
    # a queued scan sent twice, even of an unknown code, is ticked once.
    key = CharField(max_length=64, null=True, unique=True)
    # Empty for a "Seen ✓"; else the kind of the action that proved the item was
    # in someone's hands while the audit ran ("checked_in", "found", ...).
    via = CharField(max_length=20, default="")

    class Meta:
        indexes = ((("audit", "asset"), False),)


class AuditRoom(BaseModel):
    """Where one person said they are, in one audit ("I am in…"): the audit page,
    the location page and /scan all read and change this one row."""

    audit = ForeignKeyField(Audit, backref="+", on_delete="RESTRICT")
    person = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    room = ForeignKeyField(Location, null=True, backref="+", on_delete="RESTRICT")
    at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("audit", "person"), True),)


ATTACHMENT_KINDS = {"photo": "Photo", "document": "Document"}


class Attachment(BaseModel):
    """A photo or document (receipt, manual) kept under instance/uploads/."""

    asset = ForeignKeyField(Asset, backref="attachments", on_delete="RESTRICT")
    kind = CharField(max_length=12)  # "photo" or "document", from the file's contents
    stored_name = CharField(max_length=80, unique=True)  # file name under uploads/
    original_name = CharField(max_length=255, default="")
    content_type = CharField(max_length=80)
    size_bytes = IntegerField()
    uploaded_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    uploaded_at = DateTimeField(default=utcnow)


# The kinds of value a custom field holds (their rules: app/register/custom_field_rules.py).
CUSTOM_FIELD_KINDS = ("text", "number", "date", "yes_no", "choice", "link")


class CustomField(BaseModel):
    """A field leads add to assets: for every asset, or for one category's."""

    # Unique ignoring case: a rule the service checks (custom_field_rules.py),
    # backed by the index below.
    name = CharField(max_length=60)
    kind = CharField(max_length=12)
    choices = JSONField(default=list)  # the allowed values of a "choice" field, in order
    # None: every asset. Categories are never deleted, and RESTRICT keeps it so
    # rather than silently dropping the field and its values with one.
    category = ForeignKeyField(Category, null=True, backref="+", on_delete="RESTRICT")
    position = IntegerField(default=0)  # the order forms and pages show fields in
    on_labels = BooleanField(default=False)  # printed as one line on labels with room
    created_at = DateTimeField(default=utcnow)


# Names are unique ignoring case (custom_field_rules.same_name, which the service
# checks first); this index makes two writers racing with one name fail too.
CustomField.add_index(
    CustomField.index(fn.LOWER(CustomField.name), unique=True, name="custom_field_lower_name")
)


class CustomValue(BaseModel):
    """One asset's value of one custom field. `text` is the canonical value (numbers
    as plain decimals, dates ISO, yes/no as "yes"/"no"); `number` and `day` repeat
    it for filtering and ordering, only for fields of those kinds."""

    # No index of their own: the indexes below lead with each.
    asset = ForeignKeyField(Asset, backref="custom_values", on_delete="CASCADE", index=False)
    field = ForeignKeyField(CustomField, backref="values", on_delete="CASCADE", index=False)
    text = TextField()
    # A float: the canonical text keeps the exact decimal, and the rules accept at
    # most 15 significant digits, which a double holds exactly for comparing.
    number = DoubleField(null=True)
    day = DateField(null=True)

    class Meta:
        # The filters' indexes carry the asset, so a filter lists its assets from
        # the index alone, without reading each value's row.
        indexes = (
            (("asset", "field"), True),
            # An asset's value of a field, read from the index alone: a filter
            # on a second field looks it up for each asset the first one found.
            (("asset", "field", "text", "number", "day"), False),
            (("field", "text", "asset"), False),
            (("field", "number", "asset"), False),
            (("field", "day", "asset"), False),
        )


class Kit(BaseModel):
    """A named set of specific assets with its own code (the same alphabet as
    assets'; a code is never both a kit's and an asset's or a label's), so its
    label opens the kit's page on the same /A/ route. The rules live in
    app/kits/rules.py."""

    code = CharField(max_length=6, unique=True)
    name = CharField(max_length=120)
    notes = TextField(default="")
    created_at = DateTimeField(default=utcnow)
    # Bumped on every change, like Asset.version.
    version = IntegerField(default=1)


class KitItem(BaseModel):
    """One asset of a kit; an asset is in at most one kit (the unique index)."""

    kit = ForeignKeyField(Kit, backref="items", on_delete="RESTRICT")
    asset = ForeignKeyField(Asset, backref="+", on_delete="RESTRICT", unique=True)
    position = IntegerField(default=0)  # the order the kit's page shows its items in


RESERVATION_STATES = ("booked", "started", "ended", "cancelled", "lapsed")


class Reservation(BaseModel):
    """Assets booked for one person over a period (UTC, like every stored time).

    booked: waiting for its start; started: its items were checked out to the
    person; ended: they came back; cancelled; lapsed: not started in time. The
    rules live in app/reservations/rules.py."""

    # No index of its own: (person, ends_at) below leads with it.
    person = ForeignKeyField(User, backref="+", on_delete="RESTRICT", index=False)
    made_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    starts_at = DateTimeField()
    ends_at = DateTimeField()
    note = TextField(default="")
    state = CharField(max_length=12, default="booked")
    started_at = DateTimeField(null=True)
    ended_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)
    # Bumped on every change, like Asset.version.
    version = IntegerField(default=1)
    # The kit booked, when the booking was made for one (its items are the items).
    kit = ForeignKeyField(Kit, null=True, backref="+", on_delete="RESTRICT")

    class Meta:
        # (person, ends_at): someone's current and coming bookings; (state,
        # starts_at): the ones that will lapse, and everyone's coming ones.
        indexes = ((("person", "ends_at"), False), (("state", "starts_at"), False))


class ReservationItem(BaseModel):
    """One asset of a reservation, with a copy of its period and whether it still
    holds the asset (booked or started), so that "is this asset taken between
    these times" is one lookup in the (asset, active, ends_at) index."""

    # No index of their own: the indexes below lead with each.
    reservation = ForeignKeyField(Reservation, backref="items", on_delete="RESTRICT", index=False)
    asset = ForeignKeyField(Asset, backref="+", on_delete="RESTRICT", index=False)
    starts_at = DateTimeField()
    ends_at = DateTimeField()
    active = BooleanField(default=True)

    class Meta:
        indexes = (
            (("reservation", "asset"), True),
            (("asset", "active", "ends_at", "starts_at"), False),
        )


class CalendarFeed(BaseModel):
    """The secret link of a person's or an asset's calendar feed (.ics) of
    reservations: one per person and one per asset. Only a SHA-256 hash of the
    link's token is kept, so a copy of the database does not open anyone's
    calendar; renewing replaces the hash and the old link stops working."""

    person = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT", unique=True)
    asset = ForeignKeyField(Asset, null=True, backref="+", on_delete="RESTRICT", unique=True)
    token_hash = CharField(max_length=64, unique=True)
    created_at = DateTimeField(default=utcnow)


RECEIPT_KINDS = ("handover", "return")
# signed: signed there and then; unsigned: no signature was asked for or given;
# awaiting: handed over to be accepted later; accepted or declined by the person.
RECEIPT_STATES = ("signed", "unsigned", "awaiting", "accepted", "declined")


class Receipt(BaseModel):
    """One handover or return of one or more items, between `person` (who takes
    them, or gives them back) and `staff` (who hands them over, or takes them
    back). Never changed once signed: a correction is a new event. The signature
    (a small PNG) and the rendered PDF are files under instance/uploads/."""

    kind = CharField(max_length=12)
    # No index of its own: (person, created_at) below leads with it.
    person = ForeignKeyField(User, backref="+", on_delete="RESTRICT", index=False)
    staff = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    terms = TextField(default="")  # the terms as they read when it was made
    state = CharField(max_length=12, default="unsigned")
    signed_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    signed_at = DateTimeField(null=True)
    signature_name = CharField(max_length=120, default="")  # the typed full name
    signature_file = CharField(max_length=80, default="")  # PNG under uploads/
    decided_at = DateTimeField(null=True)  # accepted or declined
    decline_note = TextField(default="")
    pdf_file = CharField(max_length=80, default="")  # under uploads/, once rendered
    pdf_sha256 = CharField(max_length=64, default="")
    emailed_at = DateTimeField(null=True)
    version = IntegerField(default=1)

    class Meta:
        # (person, created_at): a person's receipts, newest first; (state,
        # created_at): what still awaits acceptance.
        indexes = ((("person", "created_at"), False), (("state", "created_at"), False))


class ReceiptItem(BaseModel):
    """One item on a receipt, with its condition then, the event it was, and any
    fault reported with it."""

    receipt = ForeignKeyField(Receipt, backref="items", on_delete="RESTRICT", index=False)
    asset = ForeignKeyField(Asset, backref="+", on_delete="RESTRICT")
    event = ForeignKeyField(Event, null=True, backref="+", on_delete="RESTRICT")
    condition = CharField(max_length=8, default="")
    # A fault reported in the same step (returned broken, say what is wrong).
    fault = ForeignKeyField(Fault, null=True, backref="+", on_delete="RESTRICT")

    class Meta:
        indexes = ((("receipt", "asset"), True),)


class Vendor(BaseModel):
    """Who a subscription is bought from. Names are unique ignoring case."""

    name = CharField(max_length=120)
    created_at = DateTimeField(default=utcnow)


Vendor.add_index(Vendor.index(fn.LOWER(Vendor.name), unique=True, name="vendor_lower_name"))

SUBSCRIPTION_KINDS = {
    "licence": "Licence",
    "saas": "SaaS",
    "cloud": "Cloud service",
    "domain": "Domain",
    "support": "Support contract",
}
SUBSCRIPTION_PERIODS = {"month": "Monthly", "year": "Yearly"}


class Subscription(BaseModel):
    """A licence, SaaS or cloud service, domain or support contract: something
    paid for that has no label. The rules live in app/subscriptions/rules.py."""

    vendor = ForeignKeyField(Vendor, backref="subscriptions", on_delete="RESTRICT")
    product = CharField(max_length=200)
    kind = CharField(max_length=16, default="saas")
    seats = IntegerField(null=True)  # None: unlimited
    cost_cents = IntegerField(null=True)  # per period; None: not recorded
    period = CharField(max_length=8, default="year")  # "month" or "year"
    starts_on = DateField(null=True)
    renews_on = DateField(null=True, index=True)
    auto_renews = BooleanField(default=False)
    remind_days = IntegerField(default=30)  # reminder this many days before renewal
    # The renewal date the last reminder was sent for: one reminder per renewal.
    reminded_for = DateField(null=True)
    owner = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    owner_team = ForeignKeyField(Team, null=True, backref="+", on_delete="RESTRICT")
    notes = TextField(default="")
    licence_key = TextField(default="")  # shown only to leads, one tap each, recorded
    cancelled_at = DateTimeField(null=True)
    ended_on = DateField(null=True)  # the last day it runs, once cancelled
    version = IntegerField(default=1)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)


Subscription.add_index(
    Subscription.index(
        fn.LOWER(Subscription.product), Subscription.id, name="subscription_lower_product_id"
    )
)


class SubscriptionSeat(BaseModel):
    """One seat of a subscription given to a person (and optionally to an asset,
    software on a laptop). Freeing it keeps the row, with when and by whom."""

    subscription = ForeignKeyField(
        Subscription, backref="seat_rows", on_delete="RESTRICT", index=False
    )
    person = ForeignKeyField(User, backref="+", on_delete="RESTRICT", index=False)
    asset = ForeignKeyField(Asset, null=True, backref="+", on_delete="RESTRICT")
    assigned_at = DateTimeField(default=utcnow)
    assigned_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    freed_at = DateTimeField(null=True)
    freed_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")

    class Meta:
        # A subscription's seats in use, and a person's.
        indexes = ((("subscription", "freed_at"), False), (("person", "freed_at"), False))


class SubscriptionEvent(BaseModel):
    """Append-only history of a subscription, as Event is of an asset."""

    subscription = ForeignKeyField(
        Subscription, backref="events", on_delete="RESTRICT", index=False
    )
    kind = CharField(max_length=32)
    actor = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    at = DateTimeField(default=utcnow)
    person = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")  # a seat's
    note = TextField(default="")
    data = JSONField(null=True)
    key = CharField(max_length=64, null=True, unique=True)  # as Event.key

    class Meta:
        indexes = ((("subscription", "at"), False), (("at",), False))


class SubscriptionAttachment(BaseModel):
    """A document kept with a subscription (the contract, the invoice), under
    instance/uploads/ like an asset's attachments."""

    subscription = ForeignKeyField(Subscription, backref="attachments", on_delete="RESTRICT")
    kind = CharField(max_length=12)
    stored_name = CharField(max_length=80, unique=True)
    original_name = CharField(max_length=255, default="")
    content_type = CharField(max_length=80)
    size_bytes = IntegerField()
    uploaded_by = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    uploaded_at = DateTimeField(default=utcnow)


class ReceiptSeat(BaseModel):
    """A seat freed in the step a receipt records (a leaver's Return all)."""

    receipt = ForeignKeyField(Receipt, backref="seats", on_delete="RESTRICT", index=False)
    seat = ForeignKeyField(SubscriptionSeat, backref="+", on_delete="RESTRICT")

    class Meta:
        indexes = ((("receipt", "seat"), True),)


class CustodyInterval(BaseModel):
    """A projection of the custody events, kept in the same write as each of them
    (register/custody_intervals.py): one row per spell in someone's hands, from
    the `checked_out` (or `transferred`) event that began it to the `checked_in`
    or `retired` event that ended it, open (`ended_at` NULL) while it lasts. A
    handover keeps the spell and names the new holder. The reports sum these
    instead of replaying a million events; a test checks they always equal a
    replay of the events."""

    asset = ForeignKeyField(Asset, backref="+", on_delete="RESTRICT", index=False)
    holder = ForeignKeyField(User, null=True, backref="+", on_delete="RESTRICT")
    started_at = DateTimeField()
    ended_at = DateTimeField(null=True)
    opened_by = ForeignKeyField(Event, backref="+", on_delete="RESTRICT")
    closed_by = ForeignKeyField(Event, null=True, backref="+", on_delete="RESTRICT")
    # The same two times as whole microseconds since 1970 (custody_intervals.micros),
    # so a report adds up a year of spells as integers rather than parsing text.
    started_us = BigIntegerField()
    ended_us = BigIntegerField(null=True)

    class Meta:
        # (asset, ended_at, ...): an asset's open spell, and a few thousand
        # assets' spells in a period, read from the index alone (the replacement
        # plan's utilisation); (ended_us, started_us, asset): the spells that reach
        # into a report's period, summed from the index alone.
        indexes = (
            (("asset", "ended_at", "started_us", "ended_us"), False),
            (("ended_us", "started_us", "asset"), False),
        )


MODELS = [
    SchemaVersion,
    Setting,
    Team,
    User,
    Location,
    Category,
    Asset,
    Event,
    Fault,
    LabelCode,
    LabelFormatSetting,
    Audit,
    AuditItem,
    AuditTick,
    Attachment,
    AuditRoom,
    CustomField,
    CustomValue,
    Kit,
    KitItem,
    Reservation,
    ReservationItem,
    CalendarFeed,
    Receipt,
    ReceiptItem,
    Vendor,
    Subscription,
    SubscriptionSeat,
    SubscriptionEvent,
    SubscriptionAttachment,
    ReceiptSeat,
    CustodyInterval,
]
