"""Money: the currencies an organisation may keep its costs in (guessed from
its time zone at set-up), how an amount is shown, and how a typed or imported
amount is read. The asset form, the import, the templates and Settings all
ask here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import cache


@dataclass(frozen=True)
class Currency:
    code: str
    symbol: str
    decimals: int = 2
    after: bool = False  # "120.00 kr", not "kr120.00"

    @property
    def label(self) -> str:
        return self.code if self.symbol == self.code else f"{self.code} ({self.symbol})"


# The currencies on offer, in the order the lists show them. Money is stored in
# hundredths whatever the currency; one without decimals shows whole amounts.
CURRENCIES = {
    c.code: c
    for c in (
        Currency("GBP", "£"),
        Currency("EUR", "€"),
        Currency("USD", "$"),
        Currency("AUD", "A$"),
        Currency("CAD", "C$"),
        Currency("NZD", "NZ$"),
        Currency("CHF", "CHF"),
        Currency("SEK", "kr", after=True),
        Currency("NOK", "kr", after=True),
        Currency("DKK", "kr", after=True),
        Currency("PLN", "zł", after=True),
        Currency("JPY", "¥", decimals=0),
        Currency("INR", "₹"),
        Currency("ZAR", "R"),
    )
}
# A new organisation's guess when its time zone says nothing clearer.
DEFAULT_CURRENCY = "GBP"
# A database from before the choice existed has no row: its amounts keep showing
# as plain numbers, as they always did, until an admin picks a currency.
NO_CURRENCY = ""
_EURO_ZONES = (
    "Amsterdam Athens Berlin Bratislava Brussels Dublin Helsinki Lisbon Ljubljana "
    "Luxembourg Madrid Malta Monaco Paris Riga Rome Tallinn Vienna Vilnius Zagreb"
).split()
# Only zones whose country has one obvious currency; anything else falls back.
ZONE_CURRENCIES = {
    "Europe/London": "GBP",
    "Europe/Belfast": "GBP",
    "Europe/Guernsey": "GBP",
    "Europe/Isle_of_Man": "GBP",
    "Europe/Jersey": "GBP",
    **{f"Europe/{city}": "EUR" for city in _EURO_ZONES},
    "America/New_York": "USD",
    "America/Chicago": "USD",
    "America/Denver": "USD",
    "America/Phoenix": "USD",
    "America/Los_Angeles": "USD",
    "America/Anchorage": "USD",
    "Pacific/Honolulu": "USD",
    "America/Detroit": "USD",
    "America/Toronto": "CAD",
    "America/Vancouver": "CAD",
    "America/Edmonton": "CAD",
    "America/Winnipeg": "CAD",
    "America/Halifax": "CAD",
    "America/St_Johns": "CAD",
    "America/Regina": "CAD",
    "Australia/Sydney": "AUD",
    "Australia/Melbourne": "AUD",
    "Australia/Brisbane": "AUD",
    "Australia/Perth": "AUD",
    "Australia/Adelaide": "AUD",
    "Australia/Hobart": "AUD",
    "Australia/Darwin": "AUD",
    "Pacific/Auckland": "NZD",
    "Europe/Zurich": "CHF",
    "Europe/Stockholm": "SEK",
    "Europe/Oslo": "NOK",
    "Europe/Copenhagen": "DKK",
    "Europe/Warsaw": "PLN",
    "Asia/Tokyo": "JPY",
    "Asia/Kolkata": "INR",
    "Asia/Calcutta": "INR",
    "Africa/Johannesburg": "ZAR",
}


def currency(raw) -> Currency | None:
    """The saved currency, or None (plain numbers) for a missing or unknown one."""
    return CURRENCIES.get(raw) if isinstance(raw, str) else None


def currency_code(raw) -> str:
    """The saved currency's code, or "" (plain numbers) for none or an unknown one."""
    chosen = currency(raw)
    return chosen.code if chosen else NO_CURRENCY


def check_currency(raw: str, *, allow_none: bool = False) -> str | None:
    """A message when `raw` is not a currency we offer; None when it is.
    `allow_none`: the Settings page may keep plain numbers (no symbol)."""
    if raw in CURRENCIES or (allow_none and raw == NO_CURRENCY):
        return None
    return "Choose a currency from the list."


def currency_for_timezone(zone: str) -> str:
    """The currency a new organisation in this time zone most likely uses."""
    return ZONE_CURRENCIES.get(zone, DEFAULT_CURRENCY)


@cache
def _currency_marks() -> tuple[str, ...]:
    marks = {m for c in CURRENCIES.values() for m in (c.symbol, c.code)} | {"$", "€", "£", "US$"}
    return tuple(sorted(marks, key=len, reverse=True))


def without_currency(text: str) -> str:
    """An amount without the currency sign or code people copy from the screen or
    an export writes ("A$249.50", "249.50 kr", "CHF 12", "$12 USD", "R$ 12"):
    up to two marks before the number and two after are taken off."""
    text = text.strip()
    for _ in range(2):  # "US$", "R$": a letter and a sign
        mark = next((m for m in _currency_marks() if text.upper().startswith(m.upper())), "")
        text = text[len(mark) :].strip()
    for _ in range(2):
        mark = next((m for m in _currency_marks() if text.upper().endswith(m.upper())), "")
        text = text[: len(text) - len(mark)].strip()
    return text


# Amounts are kept as cents in 32-bit INTEGER columns (an asset's cost, a
# category's replacement cost, a subscription's cost): PostgreSQL refuses a
# larger number, SQLite would keep it. So no amount may pass this, whether typed,
# imported or handed to a service; repair costs (kept in the history) too.
MAX_CENTS = 2**31 - 1
MAX_AMOUNT = f"{MAX_CENTS // 100:,}.{MAX_CENTS % 100:02d}"  # "21,474,836.47"
TOO_LARGE = f"An amount is at most {MAX_AMOUNT}."


def too_large(cents: int | None) -> bool:
    """Past MAX_CENTS: what a service refuses with TOO_LARGE."""
    return cents is not None and cents > MAX_CENTS


def read_amount(text: str, *, lone_dot_groups: bool = True) -> int | None:
    """Hundredths from an amount as people type it or other systems export it:
    "1234.50", "1,234.50", "1.234,50 €", "249,50", "£12", "12 kr", "1 234,5".
    One mark with three digits after it groups thousands ("1,234", "1.999");
    with one or two it is the decimal point or comma. None when blank; a
    ValueError that says why when it is not an amount. The asset form and the
    import both read costs here. A file cannot be asked, so "1.999" in one is
    a thousands group, as European exports write it; a person typing "12.345"
    into a form (lone_dot_groups=False) is told it has three decimals, rather
    than being taken to mean 12,345."""
    raw = (text or "").strip()
    if not raw:
        return None
    number = without_currency(raw.replace("\u00a0", " ").replace("\u202f", " ")).replace(" ", "")
    if re.fullmatch(r"-[\d.,]*\d[\d.,]*", number):
        raise ValueError(f"“{raw}”: an amount cannot be negative.")
    if not re.fullmatch(r"[\d.,]*\d[\d.,]*", number):
        raise ValueError(f"“{raw}” is not an amount (such as 1250 or 1250.50).")
    last_dot, last_comma = number.rfind("."), number.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal = "." if last_dot > last_comma else ","
    elif last_dot >= 0 or last_comma >= 0:
        mark = "." if last_dot >= 0 else ","
        after = len(number) - number.rfind(mark) - 1
        groups = number.count(mark) > 1 or (after == 3 and (mark == "," or lone_dot_groups))
        decimal = "" if groups else mark
    else:
        decimal = ""
    whole, _, fraction = number.rpartition(decimal) if decimal else (number, "", "")
    grouped = re.fullmatch(r"\d+|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d{0,2}(?:\.\d{3})+", whole)
    if not grouped or (decimal and not re.fullmatch(r"\d+", fraction)):
        raise ValueError(f"“{raw}” is not an amount (such as 1250 or 1250.50).")
    if len(fraction) > 2:
        raise ValueError(f"“{raw}” has more than two decimal places.")
    amount = Decimal(re.sub(r"[.,]", "", whole) + ("." + fraction if decimal else ""))
    if amount * 100 > MAX_CENTS:
        raise ValueError(f"“{raw}” is too large: an amount is at most {MAX_AMOUNT}.")
    return int(amount * 100)


def format_money(cents: int, code: str | None) -> str:
    """An amount in hundredths, with the currency's symbol when one is chosen.
    A currency without decimals shows whole amounts, unless that would hide a
    fraction someone typed."""
    chosen = currency(code)
    sign, cents = ("-", -cents) if cents < 0 else ("", cents)
    whole, hundredths = divmod(cents, 100)
    number = f"{whole:,}.{hundredths:02d}"
    if chosen is None:
        return f"{sign}{number}"
    if chosen.decimals == 0 and hundredths == 0:
        number = f"{whole:,}"
    if chosen.after:
        return f"{sign}{number}\u00a0{chosen.symbol}"
    if chosen.symbol == chosen.code:
        return f"{sign}{chosen.symbol}\u00a0{number}"
    return f"{sign}{chosen.symbol}{number}"
