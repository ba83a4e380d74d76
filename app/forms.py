"""Form parsing and shape checks (WTForms). Domain rules live in the domain
packages (custody, audits, register, ...), each in its rules.py."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
)
from wtforms.widgets import CheckboxInput, ListWidget

from .custody.condition import CONDITIONS
from .custody.servicing import MAX_INTERVAL_DAYS
from .models import ROLES, SUBSCRIPTION_KINDS, SUBSCRIPTION_PERIODS
from .ops.money import CURRENCIES, read_amount
from .ops.rules import (
    DEFAULT_AUDIT_INTERVAL,
    DEFAULT_PAPER_SIZE,
    ORG_NAME_MAX,
    PAPER_SIZES,
    timezone_groups,
)
from .register.assets import EDITABLE
from .register.passwords import MIN_LENGTH

# Deliberately loose: one @ with something either side. Real checking is the
# person reading their own address; strict validators reject valid local names.
Email = Regexp(r"^[^@\s]+@[^@\s]+$", message="Give an email address such as sam@example.org.")


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def place_choices(form) -> None:
    """Fill an asset form's category and location lists from the register."""
    from .register import places

    form.category.choices = options([("", "—"), *places.category_options()])
    team_choices(form.team)
    form.location.choices = options(
        [("", "—")] + [(place.id, place.text) for place in places.location_options()]
    )


def paper_size_field() -> RadioField:
    # The service checks the value (ops.rules.check_paper_size), with its own words.
    return RadioField(
        "Paper size for labels",
        choices=options(PAPER_SIZES.items()),
        default=DEFAULT_PAPER_SIZE,
        validate_choice=False,
    )


def timezone_choices(current: str = "") -> dict[str, list[tuple[str, str]]]:
    """The time zone list, grouped by area; `current` stays on it even if it is
    an old alias (ops.rules.timezone_groups)."""
    return {area: [(n, n) for n in names] for area, names in timezone_groups(current)}


def currency_choices(*, allow_none: bool = False) -> list[SelectChoice]:
    pairs = [(code, c.label) for code, c in CURRENCIES.items()]
    if allow_none:
        pairs.insert(0, ("", "No symbol: plain numbers"))
    return options(pairs)


def optional_int(value):
    """Coerce a <select> value: blank means none; a related row means its id."""
    if value in (None, ""):
        return None
    return int(getattr(value, "id", value))


def parse_money(raw: str) -> int | None:
    """Money typed by a person to integer cents (the rule: ops.money.read_amount)."""
    return read_amount(raw, lone_dot_groups=False)


class MoneyField(StringField):
    """Money typed by a person, kept as integer cents."""

    def process_formdata(self, valuelist):
        self.raw = (valuelist[0] if valuelist else "").strip()
        self.data = parse_money(self.raw)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data // 100}.{self.data % 100:02d}"


def _date(label: str) -> DateField:
    return DateField(
        label,
        validators=[Optional()],
        format="%Y-%m-%d",
        render_kw={"placeholder": "YYYY-MM-DD"},
    )


class WholeNumber(IntegerField):
    """An optional whole number in a range, with errors a person can act on."""

    def __init__(self, label: str, low: int, high: int, placeholder: str = "", **kwargs):
        message = f"Give a whole number from {low} to {high}, or leave it blank."
        self.message = message
        super().__init__(
            label,
            validators=[Optional(), NumberRange(low, high, message=message)],
            render_kw={"inputmode": "numeric", "placeholder": placeholder},
            **kwargs,
        )

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            self.data = None
            return
        if not raw.isdecimal() or len(raw) > 9:
            self.data = None
            raise ValueError(self.message)
        self.data = int(raw)

    def pre_validate(self, form):
        # A number that could not be read already says why: the range check
        # would only say it again.
        if self.process_errors:
            raise StopValidation()


class DateMessages:
    """WTForms' own date error reads badly on a phone; say what we want."""

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for field in self:
            if isinstance(field, DateField) and field.errors:
                field.errors[:] = ["Pick a date from the calendar, or type it as YYYY-MM-DD."]
        return ok


class SetupForm(FlaskForm):
    org_name = StringField("Organisation name", [DataRequired(), Length(max=ORG_NAME_MAX)])
    public_url = StringField(
        "Public address phones will use",
        [Optional(), Length(max=200)],
        render_kw={"placeholder": "http://192.168.1.20:8080", "inputmode": "url"},
    )
    name = StringField("Your name", [DataRequired(), Length(max=120)])
    email = EmailField("Email", [DataRequired(), Email, Length(max=254)])
    password = PasswordField(f"Password (at least {MIN_LENGTH} characters)", [DataRequired()])
    paper_size = paper_size_field()
    # The service checks both (register.people.setup_first_admin); blank keeps
    # the configured zone and guesses the currency from the zone.
    timezone = SelectField("Time zone", validate_choice=False)
    currency = SelectField("Currency", validate_choice=False)

    def __init__(self, *args, zone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices(zone)
        self.currency.choices = currency_choices()


class LoginForm(FlaskForm):
    email = EmailField("Email", [DataRequired(), Length(max=254)])
    password = PasswordField("Password", [DataRequired(), Length(max=256)])
    remember = BooleanField("Keep me signed in on this device", default=True)


class AssetForm(DateMessages, FlaskForm):
    name = StringField("Name", [InputRequired("Give the asset a name."), Length(max=200)])
    category = SelectField("Category", coerce=optional_int, validate_choice=True)
    team = SelectField("Kept by team", coerce=optional_int, validate_choice=True)
    location = SelectField("Location", coerce=optional_int, validate_choice=True)
    # The service checks it (custody's condition rules).
    condition = SelectField(
        "Condition",
        choices=options([("", "Not said yet"), *CONDITIONS.items()]),
        validate_choice=False,
    )
    manufacturer = StringField("Manufacturer", [Length(max=120)])
    model_name = StringField("Model", [Length(max=120)])
    serial = StringField("Serial number", [Length(max=120)])
    purchase_date = _date("Purchase date")
    cost_cents = MoneyField("Cost", render_kw={"inputmode": "decimal"})
    supplier = StringField("Supplier", [Length(max=120)])
    warranty_end = _date("Warranty ends")
    order_number = StringField("Order number", [Length(max=120)])
    external_tag = StringField("Old asset tag", [Length(max=120)])
    service_interval_days = WholeNumber(
        "Service every (days)", 1, MAX_INTERVAL_DAYS, "Blank: as its category"
    )
    notes = TextAreaField("Notes", [Length(max=5000)])
    version = HiddenField()

    def values(self) -> dict:
        return {name: self[name].data for name in (*EDITABLE, "location")}


class PersonForm(FlaskForm):
    name = StringField("Name", [InputRequired("Give a name."), Length(max=120)])
    email = EmailField("Email (needed only to sign in)", [Optional(), Email, Length(max=254)])
    team = SelectField("Team", coerce=optional_int, validate_choice=True)
    role = SelectField(
        "Role", choices=options((r, r.capitalize()) for r in ROLES), default="member"
    )
    active = BooleanField("Active", default=True)


class InviteForm(FlaskForm):
    """Invite someone to sign in: they choose their own password from the link."""

    name = StringField("Name", [InputRequired("Give a name."), Length(max=120)])
    email = EmailField(
        "Email",
        [InputRequired("Give the email address the invite goes to."), Email, Length(max=254)],
    )
    role = SelectField(
        "Role", choices=options((r, r.capitalize()) for r in ROLES), default="member"
    )


TOO_LONG = "That password is too long (256 characters at most)."


class ForgotForm(FlaskForm):
    email = EmailField("Email", [InputRequired("Give your email address."), Length(max=254)])


class NewPasswordForm(FlaskForm):
    """A password chosen from an invite or reset link."""

    password = PasswordField(
        f"New password (at least {MIN_LENGTH} characters)",
        [InputRequired("Choose a password."), Length(max=256, message=TOO_LONG)],
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        "Current password", [InputRequired("Give your current password."), Length(max=256)]
    )
    password = PasswordField(
        f"New password (at least {MIN_LENGTH} characters)",
        [InputRequired("Choose a new password."), Length(max=256, message=TOO_LONG)],
    )


class LocationForm(FlaskForm):
    name = StringField("Name", [InputRequired("Give a name."), Length(max=120)])
    parent = SelectField("Inside", coerce=optional_int, validate_choice=True)


class TeamForm(FlaskForm):
    name = StringField("Name", [InputRequired("Give the team a name."), Length(max=80)])


def team_choices(field) -> None:
    """Fill a Team select from the register: none, then every team by name."""
    from .register import teams

    field.choices = options([("", "—"), *teams.options()])


class CategoryForm(FlaskForm):
    name = StringField("Name", [InputRequired("Give a name."), Length(max=80)])
    service_interval_days = WholeNumber(
        "Service every (days)", 1, MAX_INTERVAL_DAYS, "No regular service"
    )
    useful_life_months = WholeNumber("Useful life (months)", 1, 600, "For the value report")
    salvage_percent = WholeNumber("Salvage value (% of cost)", 0, 100, "0 to 100")
    # Check before reuse (app/custody/condition.py); the service checks both.
    check_after_return = StringField("Check after each return", [Length(max=200)])
    checker = SelectField(
        "Who else may tap “Checked, ready”", coerce=optional_int, validate_choice=False
    )
    signature_required = BooleanField("Handing these over needs a signature")
    replacement_cost_cents = MoneyField("Replacement cost", render_kw={"inputmode": "decimal"})

    def values(self) -> dict:
        return {
            **{
                name: self[name].data
                for name in (
                    "name",
                    "service_interval_days",
                    "useful_life_months",
                    "salvage_percent",
                    "check_after_return",
                    "replacement_cost_cents",
                )
            },
            "checker_id": self.checker.data,
            "signature_required": bool(self.signature_required.data),
        }


class CustomFieldForm(FlaskForm):
    """The fields only: custom_field_rules checks name, kind and choices."""

    name = StringField("Name", [InputRequired("Give the field a name."), Length(max=60)])
    kind = SelectField("Holds", validate_choice=False)
    choices = TextAreaField("Choices, one per line", [Length(max=25000)])
    category = SelectField("For", coerce=optional_int, validate_choice=True)
    on_labels = BooleanField("Print on labels that have room")

    def values(self) -> dict:
        return {
            "choices": self.choices.data or "",
            "category_id": self.category.data,
            "on_labels": bool(self.on_labels.data),
        }


class SettingsForm(FlaskForm):
    """The fields only: ops.settings.change checks every value (app/ops/rules.py)
    and names each wrong one, so the page shows them all at once."""

    org_name = StringField("Organisation name")
    public_url = StringField("Public address")
    timezone = SelectField("Time zone", validate_choice=False)
    audit_interval_days = StringField("Audit every (days)", default=str(DEFAULT_AUDIT_INTERVAL))
    paper_size = paper_size_field()
    currency = SelectField("Currency", validate_choice=False)
    handover_terms = TextAreaField("Terms to accept at a handover")
    # Reservations (app/reservations/rules.py checks them).
    reserve_ahead_days = StringField("Reservations end at most (days ahead)")
    reserve_longest_days = StringField("Longest reservation (days)")
    reserve_lapse_minutes = StringField("A reservation not started lapses after (minutes)")
    # The replacement plan (app/replacement/rules.py checks them).
    replace_repair_share = StringField("Repairs and services in 12 months above (% of book value)")
    replace_faults = StringField("Faults in 12 months (at least)")
    reserve_closed_categories = SelectMultipleField(
        "Categories that cannot be reserved",
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices(self.timezone.data or "")
        self.currency.choices = currency_choices(allow_none=True)
        from .register import places

        self.reserve_closed_categories.choices = options(
            (str(value), label) for value, label in places.category_options()
        )
        self.reserve_closed_categories.data = [
            str(i) for i in self.reserve_closed_categories.data or []
        ]


def _chosen_id(value):
    """A <select>'s id, or None for blank or anything that is not one (the
    service then says what to choose)."""
    if value in (None, ""):
        return None
    text = str(getattr(value, "id", value))
    return int(text) if text.isdecimal() and len(text) < 12 else None


class SubscriptionForm(DateMessages, FlaskForm):
    """A subscription's fields; the service checks them (subscriptions/rules.py)."""

    vendor = SelectField("Vendor", coerce=_chosen_id, validate_choice=False)
    product = StringField("Product", [Length(max=200)])
    kind = SelectField(
        "Kind", choices=options(SUBSCRIPTION_KINDS.items()), default="saas", validate_choice=False
    )
    seats = WholeNumber("Seats bought", 1, 100_000, "Blank: unlimited")
    cost = MoneyField("Cost", render_kw={"inputmode": "decimal"})
    period = SelectField(
        "Paid", choices=options(SUBSCRIPTION_PERIODS.items()), default="year", validate_choice=False
    )
    starts_on = _date("Started")
    renews_on = _date("Renews on")
    auto_renews = BooleanField("Renews by itself")
    remind_days = WholeNumber("Remind this many days before renewal", 0, 365, "30", default=30)
    # "person-<id>" or "team-<id>": one list, as the owner is one or the other.
    owner = SelectField("Owner", validate_choice=False)
    notes = TextAreaField("Notes", [Length(max=10_000)])
    licence_key = StringField(
        "Licence key",
        [Length(max=4000)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    version = HiddenField()

    def fill_choices(self, vendors, people, teams) -> None:
        self.vendor.choices = options([("", "—"), *vendors])
        self.owner.choices = options(
            [
                ("", "—"),
                *[(f"person-{i}", name) for i, name in people],
                *[(f"team-{i}", f"Team: {name}") for i, name in teams],
            ]
        )

    def values(self) -> dict:
        """The keyword arguments of subscriptions.rules.check_fields."""
        kind, _, raw = (self.owner.data or "").partition("-")
        owner = int(raw) if raw.isdecimal() and len(raw) < 12 else None
        return {
            "vendor_id": self.vendor.data,
            "product": self.product.data or "",
            "kind": self.kind.data or "",
            "seats": self.seats.data,
            "cost_cents": self.cost.data,
            "period": self.period.data or "",
            "starts_on": self.starts_on.data,
            "renews_on": self.renews_on.data,
            "auto_renews": bool(self.auto_renews.data),
            "remind_days": self.remind_days.data,
            "owner_id": owner if kind == "person" else None,
            "owner_team_id": owner if kind == "team" else None,
            "notes": self.notes.data or "",
        }


class VendorForm(FlaskForm):
    name = StringField("Name", [InputRequired("Give the vendor’s name."), Length(max=120)])
