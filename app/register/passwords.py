"""Password hashing with argon2id."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
# argon2id with the library's current parameters. Sign-ins still verify hashes
# made with other parameters, and rehash them to these.
STRONG = PasswordHasher()
# The cheapest parameters argon2 allows: only for the test suite, where every
# sign-in would otherwise cost a full-strength hash. create_app() switches to
# them only when the test configuration it is given asks for them.
CHEAPEST = PasswordHasher.from_parameters(profiles.CHEAPEST)

_hasher = STRONG
_dummy_hashes: dict[int, str] = {}


def use_cheapest(cheapest: bool) -> None:
    """Hash with CHEAPEST (tests) or STRONG (everything else) from now on."""
    global _hasher
    _hasher = CHEAPEST if cheapest else STRONG


def _dummy_hash() -> str:
    # Verified against when the email is unknown, so both paths cost the same.
    key = id(_hasher)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = _hasher.hash("not a real password, only for timing")
    return _dummy_hashes[key]


_dummy_hash()  # made now, not on the first unknown email


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and bool(stored_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


# Names and email addresses shorter than this are not looked for inside a
# password: "Jo" would refuse too many good ones.
MIN_PERSONAL_LENGTH = 4
# Digits and symbols people tack on to a common password ("password12", "dragon2024!").
_TAIL = re.compile(r"[^a-z]+$")


@cache
def _common() -> frozenset[str]:
    """The 10,000 most common passwords (data/README.md says where they come from)."""
    text = (resources.files(__package__) / "data" / "common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip().casefold() for line in text.splitlines() if line.strip())


def _is_common(password: str) -> bool:
    """A common password, ignoring case and digits or symbols added at the end."""
    folded = password.casefold()
    stem = _TAIL.sub("", folded)
    return folded in _common() or (bool(stem) and stem in _common())


def _letters_and_digits(text: str) -> str:
    """Lower case, without spaces, dots or dashes: "Ann Smith" is in "ann.smith-2024"."""
    return "".join(c for c in text.casefold() if c.isalnum())


def _personal(name: str | None, email: str | None) -> list[str]:
    """What a password may not contain: the name and the email address (and its
    part before the @), as _letters_and_digits."""
    found = []
    for value in (name, email, (email or "").partition("@")[0]):
        folded = _letters_and_digits(value or "")
        if len(folded) >= MIN_PERSONAL_LENGTH:
            found.append(folded)
    return found


def problem(password: str, *, name: str | None = None, email: str | None = None) -> str | None:
    """Why this password may not be set, or None.

    Refused: fewer than MIN_LENGTH characters or more than 256; one of the 10,000
    most common passwords, in any case and with any digits or symbols added at
    the end; a password that contains the person's name or email address (or the
    part before the @), ignoring case, spaces and punctuation, once that is at least
    MIN_PERSONAL_LENGTH characters long. These are the first guesses of anyone
    who tries."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > 256:
        return "That password is too long (256 characters at most)."
    if _is_common(password):
        return (
            "That password is one of the 10,000 most used (digits or symbols added at "
            "the end do not change that). Choose another."
        )
    folded = _letters_and_digits(password)
    if any(part in folded for part in _personal(name, email)):
        return "A password must not contain the person's name or email address. Choose another."
    return None
