"""Spreadsheet headers: which of our fields a column's header means (our own
names and other systems', Homebox's HB.* and Shelf.nu's cf: columns included),
and a header as a person would say it. Nothing here touches the database."""

from __future__ import annotations

import re

# Our field → (what the preview calls it, header names that mean it; when two
# columns name one field, the earlier name wins). Headers
# are compared with everything but letters and digits removed, lower case, so
# "Model No.", "model_no" and "MODEL NO" are one header.
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "tag": (
        "Asset tag / code",
        ("code", "assettag", "tag", "assetcode", "tagnumber", "assetno", "assetid", "sequentialid"),
    ),
    "external_tag": ("External tag", ("externaltag", "oldtag", "previoustag", "legacytag")),
    "name": ("Name", ("name", "itemname", "assetname", "item", "title")),
    "category": ("Category", ("category", "assettype", "categoryname")),
    "manufacturer": ("Manufacturer", ("manufacturer", "make", "brand", "maker")),
    "model_name": ("Model", ("model", "modelname", "assetmodel")),
    "model_number": ("Model number (the model, if none)", ("modelno", "modelnumber")),
    "serial": ("Serial", ("serial", "serialnumber", "serialno", "sn")),
    "purchase_date": (
        "Purchase date",
        ("purchasedate", "purchased", "dateofpurchase", "purchasetime", "purchasedtime"),
    ),
    "cost_cents": (
        "Cost",
        (
            "cost",
            "purchasecost",
            "purchaseprice",
            "purchasedprice",
            "price",
            "unitcost",
            "valuation",
            "value",
        ),
    ),
    "supplier": ("Supplier", ("supplier", "vendor", "seller", "purchasefrom", "purchasedfrom")),
    "order_number": ("Order number", ("ordernumber", "orderno", "ponumber", "purchaseorder")),
    "warranty_end": (
        "Warranty end",
        (
            "warrantyexpires",
            "warrantyend",
            "warrantyexpiry",
            "warrantyends",
            "warranty",
            "warrantymonths",
        ),
    ),
    "status": ("Status", ("status", "statuslabel", "state")),
    "location": ("Location", ("location", "locationpath", "place")),
    # The team that keeps the asset (another system's department owning it).
    "team": (
        "Team",
        ("team", "keptbyteam", "teamname", "owningteam", "department", "dept", "division"),
    ),
    "holder": (
        "Checked out to",
        ("checkedoutto", "holder", "assignedto", "heldby", "assignee", "fullname", "custodian"),
    ),
    "holder_first": ("Holder first name", ("checkedouttofirstname", "firstname")),
    "holder_last": ("Holder last name", ("checkedouttolastname", "lastname", "surname")),
    "holder_email": (
        "Holder email",
        ("holderemail", "checkedouttoemail", "assignedtoemail", "email"),
    ),
    "holder_username": (
        "Holder username (if no name)",
        ("checkedouttousername", "username", "assignedtousername"),
    ),
    "checkout_type": ("Checked out to a… (person or place)", ("checkouttype", "checkoutclass")),
    "holder_location": (
        "Checked out to a place",
        ("checkedouttolocation", "checkoutlocation", "assignedtolocation"),
    ),
    "due_back": ("Due back", ("dueback", "duedate", "expectedcheckin", "returndate")),
    "quantity": ("Quantity", ("quantity", "qty")),
    "notes": ("Notes", ("notes", "note", "comments", "comment", "assetnotes")),
    "description": ("Description (goes into notes)", ("description", "desc", "details")),
}
DATE_FIELDS = ("purchase_date", "warranty_end", "due_back")


class Columns:
    """One kind of import's columns (assets', subscriptions'): its fields, each
    with what the preview calls it and the header names that mean it, and the
    guess of a field from a header, by the same matching for every kind."""

    def __init__(self, fields: dict[str, tuple[str, tuple[str, ...]]]):
        self.fields = fields
        self._aliases = {alias: field for field, (_, names) in fields.items() for alias in names}
        self._ranks = {
            alias: rank for _, names in fields.values() for rank, alias in enumerate(names)
        }

    def guess(self, header: str) -> str:
        """Our field for a column header, or "" to leave the column out."""
        return self._aliases.get(_alias(header), "")

    def rank(self, header: str) -> int:
        """How surely the header means its field: 0 for the field's own name."""
        return self._ranks.get(_alias(header), 99)

    def mapping(self, headers: list[str]) -> list[str]:
        """Our field for each column. A field two columns claim goes to the one
        whose header names it most surely (Model name over Model Number), else
        the first."""
        out = [self.guess(header) for header in headers]
        best: dict[str, int] = {}
        for i, name in enumerate(out):
            if name and (
                name not in best or self.rank(headers[i]) < self.rank(headers[best[name]])
            ):
                best[name] = i
        return [name if name and best[name] == i else "" for i, name in enumerate(out)]


# Homebox writes its columns as HB.name, HB.serial_number, ...; HB.field.<name>
# columns are its custom fields. Shelf.nu writes custom fields as "cf: <name>, type:<type>".
_HOMEBOX = re.compile(r"^\s*hb\.", re.I)
_HOMEBOX_FIELD = re.compile(r"^\s*hb\.field\.(.+)$", re.I)
_SHELF_FIELD = re.compile(r"^\s*cf\s*:\s*(.+?)\s*(?:,\s*type\s*:\s*(\w[\w -]*?)\s*)?$", re.I)


def header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


def custom_field_header(header: str) -> tuple[str, str | None] | None:
    """(name, stated type or None) when the header is another system's custom
    field column (Homebox HB.field.<name>, Shelf.nu "cf: <name>, type:<type>")."""
    match = _HOMEBOX_FIELD.match(header or "")
    if match and match.group(1).strip():
        return match.group(1).strip(), None
    match = _SHELF_FIELD.match(header or "")
    if match and match.group(1).strip():
        return match.group(1).strip(), (match.group(2) or "").lower() or None
    return None


_CAMEL = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]*)+$")


def readable_header(header: str) -> str:
    """A header as a person would say it: another system's custom field's own
    name, Homebox's columns without "HB." and underscores ("HB.purchase_price":
    "Purchase price"), Shelf.nu's "assetModel" as "Asset model"; any other
    header as the file has it."""
    text = " ".join((header or "").split())
    found = custom_field_header(text)
    if found:
        return found[0]
    if _HOMEBOX.match(text):
        text = " ".join(_HOMEBOX.sub("", text).replace("_", " ").split())
    elif _CAMEL.match(text):
        text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text).lower()
    else:
        return text
    return text[:1].upper() + text[1:] if text else " ".join((header or "").split())


def is_homebox(headers: list[str]) -> bool:
    """A Homebox file (HB.* columns, or its older "Import Ref"): its location
    paths are written with "/"."""
    return any(_HOMEBOX.match(h or "") or header_key(h) == "importref" for h in headers)


def _alias(header: str) -> str:
    if custom_field_header(header):
        return ""
    return header_key(_HOMEBOX.sub("", header or ""))


ASSET_COLUMNS = Columns(FIELDS)


def guess_field(header: str) -> str:
    """Our (asset) field for a column header, or "" to leave the column out."""
    return ASSET_COLUMNS.guess(header)


def guess_rank(header: str) -> int:
    """How surely the header means its field: 0 for the field's own name. When
    two columns mean one field, the lower rank takes it."""
    return ASSET_COLUMNS.rank(header)
