"""The subscription import's columns: the fields a column can be, the header
names that mean each (ours, and other trackers' licence exports: Snipe-IT's
"Name", "Manufacturer", "Seats", "Product Key", "Expiration Date", ...), and
how a cell of each is read. Nothing here touches the database."""

from __future__ import annotations

from ..models import SUBSCRIPTION_KINDS, SUBSCRIPTION_PERIODS
from ..subscriptions import rules as subscription_rules
from .headers import Columns, header_key

# The export's headers, in its order. The first of each field's names below is
# the export's own header, so a file exported imports back as it was.
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "id": ("ID", ("id", "subscriptionid", "licenseid", "licenceid")),
    "vendor": ("Vendor", ("vendor", "manufacturer", "publisher", "provider", "supplier")),
    "product": (
        "Product",
        (
            "product",
            "name",
            "productname",
            "itemname",
            "licensename",
            "licencename",
            "software",
            "subscription",
            "service",
            "title",
        ),
    ),
    "kind": ("Kind", ("kind", "type", "subscriptiontype", "licensetype", "licencetype")),
    "seats": ("Seats", ("seats", "quantity", "qty", "totalseats", "licenses", "licences")),
    "cost_cents": (
        "Cost",
        ("cost", "purchasecost", "price", "amount", "costperperiod", "purchaseprice"),
    ),
    "period": ("Period", ("period", "billingperiod", "billingcycle", "billing", "interval")),
    "starts_on": (
        "Starts on",
        ("startson", "startdate", "start", "purchasedate", "started", "purchased"),
    ),
    "renews_on": (
        "Renews on",
        (
            "renewson",
            "renewaldate",
            "renewal",
            "renews",
            "expirationdate",
            "expirydate",
            "expires",
            "expireson",
            "nextrenewal",
        ),
    ),
    "auto_renews": ("Auto renews", ("autorenews", "autorenew", "autorenewal", "renewsitself")),
    "remind_days": (
        "Remind days before",
        ("reminddaysbefore", "reminddays", "remindbefore", "reminder", "reminderdays"),
    ),
    "owner": ("Owner", ("owner", "ownerteam", "team", "licensedtoname", "licencedtoname")),
    "owner_email": (
        "Owner email",
        ("owneremail", "licensedtoemail", "licencedtoemail", "contactemail"),
    ),
    "notes": ("Notes", ("notes", "note", "comments", "comment", "description")),
    "licence_key": (
        "Licence key (new rows only)",
        (
            "licencekey",
            "licensekey",
            "productkey",
            "serial",
            "serialnumber",
            "key",
        ),
    ),
}
COLUMNS = Columns(FIELDS)
DATE_FIELDS = ("starts_on", "renews_on")

# Columns our export writes that say what follows from the others (the seats
# given out, the cost a year, the state, the end of a cancelled one): an
# import reads nothing from them.
EXPORT_ONLY = ("Seats used", "Cost per year", "State", "Ends on")
EXPORT_HEADER = (
    "ID",
    "Vendor",
    "Product",
    "Kind",
    "Seats",
    "Seats used",
    "Cost",
    "Period",
    "Cost per year",
    "Starts on",
    "Renews on",
    "Auto renews",
    "Remind days before",
    "Owner",
    "Owner email",
    "Notes",
    "State",
    "Ends on",
)
UNLIMITED = "unlimited"

_KINDS = {header_key(k): k for k in SUBSCRIPTION_KINDS} | {
    header_key(label): k for k, label in SUBSCRIPTION_KINDS.items()
}
_KINDS |= {
    "license": "licence",
    "software": "licence",
    "softwarelicense": "licence",
    "softwarelicence": "licence",
    "subscription": "saas",
    "cloudservice": "cloud",
    "support": "support",
    "supportcontract": "support",
    "maintenance": "support",
}
_PERIODS = {header_key(k): k for k in SUBSCRIPTION_PERIODS} | {
    header_key(label): k for k, label in SUBSCRIPTION_PERIODS.items()
}
_PERIODS |= {
    "permonth": "month",
    "mo": "month",
    "monthly": "month",
    "m": "month",
    "peryear": "year",
    "annual": "year",
    "annually": "year",
    "yr": "year",
    "y": "year",
    "perannum": "year",
}
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


def label(field: str) -> str:
    return FIELDS[field][0]


def read_kind(text: str) -> str:
    found = _KINDS.get(header_key(text))
    if found is None:
        known = ", ".join(SUBSCRIPTION_KINDS.values())
        raise ValueError(f"Kind: “{text}” is not one of {known}.")
    return found


def read_period(text: str) -> str:
    found = _PERIODS.get(header_key(text))
    if found is None:
        raise ValueError(f"Period: “{text}” is not monthly or yearly.")
    return found


def read_yes_no(text: str) -> bool:
    word = text.strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise ValueError(f"Auto renews: “{text}” is not yes or no.")


def read_count(text: str, field: str) -> int:
    """A whole number ("1,200" too); for seats, "unlimited" is read by the caller."""
    plain = text.replace(",", "").replace(" ", "")
    if plain.endswith(".0"):
        plain = plain[:-2]
    if not plain.lstrip("-").isdecimal() or len(plain) > 12:
        raise ValueError(f"{label(field)}: “{text}” is not a whole number.")
    return int(plain)


def read_seats(text: str) -> int | None:
    if header_key(text) in (UNLIMITED, "unlimitedseats", "nolimit"):
        return None
    return read_count(text, "seats")


def seats_cell(seats: int | None) -> str | int:
    return UNLIMITED if seats is None else seats


def limit(field: str) -> int:
    """The longest text the import takes for a text field."""
    return {
        "vendor": subscription_rules.VENDOR_MAX,
        "product": subscription_rules.PRODUCT_MAX,
        "notes": subscription_rules.NOTES_MAX,
        "licence_key": subscription_rules.KEY_MAX,
    }.get(field, 254)
