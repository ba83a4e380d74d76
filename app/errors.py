"""What services raise when they refuse; routes turn these into messages."""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal with a message fit to show a person."""


class Invalid(ServiceError):
    """Bad input. `errors` maps a form field (or "" for the whole form) to a message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class Conflict(ServiceError):
    """The record changed since the person loaded it."""


class NotFound(ServiceError):
    pass
