"""Short codes: 6 Crockford base32 characters, random, typed back by people."""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LENGTH = 6
_ALLOWED = frozenset(ALPHABET)
# What people type for what they see: O for zero, I or L for one.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-]+")


def generate() -> str:
    """A fresh random code. Callers check it is unused inside their write."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(typed: str) -> str:
    """Canonical form of typed input: upper case, no spaces or hyphens, O→0, I/L→1."""
    return _SEPARATORS.sub("", typed or "").upper().translate(_READ_AS)


def is_valid(code: str) -> bool:
    """True for a canonical code (already normalised)."""
    return len(code) == LENGTH and all(ch in _ALLOWED for ch in code)


def parse(typed: str) -> str | None:
    """Normalise typed input and return the code, or None when it cannot be one."""
    code = normalise(typed)
    return code if is_valid(code) else None


def pretty(code: str) -> str:
    """How a code is printed for people: two groups of three, e.g. 7K3-M9Q."""
    return f"{code[:3]}-{code[3:]}" if len(code) == LENGTH else code
