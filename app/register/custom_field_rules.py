"""Custom fields' rules, spelled once: what a field's name, kind and choices may be,
what a value of each kind may be and how it is kept, and which fields apply to an
asset. The form, the service, the import and the search all ask these.

A value is kept as canonical text (numbers as plain decimals, dates ISO,
yes/no as "yes" or "no", a choice as the field spells it, links as given), with
the number or the day beside it for filtering. A blank value is no value.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from ..models import CUSTOM_FIELD_KINDS, CustomField

# What each kind is called on screen, in the order the field form lists them.
KIND_LABELS = {
    "text": "Text",
    "number": "Number",
    "date": "Date",
    "yes_no": "Yes/no",
    "choice": "List of choices",
    "link": "Link",
}
assert tuple(KIND_LABELS) == CUSTOM_FIELD_KINDS

NAME_MAX = CustomField.name.max_length
# Longest value: (field, text) is indexed, and a PostgreSQL index row holds at
# most about 2,700 bytes, so 500 characters of up to 4 bytes each always fit.
VALUE_MAX = 500
CHOICE_MAX = 100  # characters in one choice
CHOICES_MAX = 200  # choices in one list
FIELDS_MAX = 100  # custom fields in all
# A double holds 15 significant decimal digits exactly: more could not be
# compared as typed.
NUMBER_DIGITS_MAX = 15
YEAR_MIN, YEAR_MAX = 1900, 2100

YES = ("yes", "y", "true", "1", "on", "checked", "x")
NO = ("no", "n", "false", "0", "off", "unchecked")

Parsed = tuple[str, float | None, date | None]
BLANK: Parsed = ("", None, None)

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def check_name(name: str) -> str:
    """A field's name, trimmed; ValueError when it is blank or too long."""
    name = " ".join((name or "").split())
    if not name:
        raise ValueError("Give the field a name.")
    if len(name) > NAME_MAX:
        raise ValueError(f"A field's name is at most {NAME_MAX} characters.")
    return name


def same_name(a: str, b: str) -> bool:
    """Field names are unique ignoring case."""
    return a.casefold() == b.casefold()


def check_kind(kind: str) -> str:
    if kind not in KIND_LABELS:
        raise ValueError("Choose what kind of value the field holds.")
    return kind


def check_choices(kind: str, choices) -> list[str]:
    """The choices of a "choice" field (one per item, trimmed, blanks dropped);
    [] for any other kind. ValueError for none, a repeat or one too long."""
    if kind != "choice":
        return []
    if isinstance(choices, str):
        choices = choices.splitlines()
    cleaned: list[str] = []
    for choice in choices or ():
        choice = " ".join(str(choice).split())
        if not choice:
            continue
        if len(choice) > CHOICE_MAX:
            raise ValueError(f"A choice is at most {CHOICE_MAX} characters.")
        if any(same_name(choice, c) for c in cleaned):
            raise ValueError(f"“{choice}” is listed twice.")
        cleaned.append(choice)
    if not cleaned:
        raise ValueError("List the choices, one per line.")
    if len(cleaned) > CHOICES_MAX:
        raise ValueError(f"A list has at most {CHOICES_MAX} choices.")
    return cleaned


def _number(text: str) -> Parsed:
    plain = text.replace(" ", "").replace("\u00a0", "")
    if _THOUSANDS.match(plain):
        plain = plain.replace(",", "")
    try:
        value = Decimal(plain)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not re.fullmatch(r"[+-]?[\d.eE+-]+", plain):
        raise ValueError(f"“{text}” is not a number.")
    digits = value.normalize().as_tuple().digits
    if len(digits) > NUMBER_DIGITS_MAX:
        raise ValueError(f"“{text}” has more than {NUMBER_DIGITS_MAX} digits.")
    canonical = format(value.normalize(), "f")
    if canonical in ("-0", "+0"):
        canonical = "0"
    return canonical, float(canonical), None


def _date(text: str) -> Parsed:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(f"“{text}” is not a date: write it as YYYY-MM-DD.")
    if not YEAR_MIN <= day.year <= YEAR_MAX:
        raise ValueError(f"“{text}” is not between {YEAR_MIN} and {YEAR_MAX}.")
    return day.isoformat(), None, day


def _yes_no(text: str) -> Parsed:
    word = text.casefold()
    if word in YES:
        return "yes", None, None
    if word in NO:
        return "no", None, None
    raise ValueError(f"“{text}” is not yes or no.")


def _choice(text: str, choices: list[str]) -> Parsed:
    for choice in choices:
        if same_name(choice, text):
            return choice, None, None
    listed = ", ".join(choices[:10]) + (", …" if len(choices) > 10 else "")
    raise ValueError(f"“{text}” is not one of the choices: {listed}.")


def _link(text: str) -> Parsed:
    parts = urlsplit(text) if " " not in text else None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"“{text}” is not a link: it starts with http:// or https://.")
    return text, None, None


def parse_custom_value(kind: str, choices: list[str] | None, text: str | None) -> Parsed:
    """A typed or imported value as kept: (canonical text, number, day). Blank is
    BLANK. ValueError, with a message fit to show beside the field or on the row,
    when the value does not fit the kind."""
    text = (text or "").strip()
    if not text:
        return BLANK
    if len(text) > VALUE_MAX:
        raise ValueError(f"A value is at most {VALUE_MAX} characters.")
    if kind == "number":
        return _number(text)
    if kind == "date":
        return _date(text)
    if kind == "yes_no":
        return _yes_no(text)
    if kind == "choice":
        return _choice(text, list(choices or ()))
    if kind == "link":
        return _link(text)
    return text, None, None


def applies(field: CustomField, category_id: int | None) -> bool:
    """Whether a field belongs on an asset of this category: fields for every
    asset, and its own category's."""
    return field.category_id is None or field.category_id == category_id


def applies_sql(category_id: int | None):
    """`applies` as a condition on CustomField (one shape for any category, so a
    prepared query can take the category as a parameter)."""
    return CustomField.category.is_null() | (CustomField.category == category_id)


def in_order(fields) -> list[CustomField]:
    """Fields in the order forms and pages show them."""
    return sorted(fields, key=lambda f: (f.position, f.id or 0))


def fields_for(fields, category_id: int | None) -> list[CustomField]:
    """Of `fields`, those that apply to an asset of this category, in order."""
    return in_order(f for f in fields if applies(f, category_id))


def shown(kind: str, text: str) -> str:
    """A kept value as a page shows it."""
    if kind == "yes_no":
        return {"yes": "Yes", "no": "No"}.get(text, text)
    return text
