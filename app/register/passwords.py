"""Password hashing with argon2id."""

from __future__ import annotations

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


def problem(password: str) -> str | None:
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > 256:
        return "That password is too long (256 characters at most)."
    return None
