"""What services raise when they refuse; routes turn these into messages.

One hierarchy: ServiceError and its kinds below, each carrying the HTTP status
a page answers with when the refusal reaches the web layer's safety net
(app/routes/errors.py reads `status`, nothing else maps kinds to codes).
A module's own exception subclasses the kind it is (imports.Expired is a
NotFound, worker.Unavailable a Busy). Pure Python: no Flask here, so services,
the worker process and the command line can all raise these.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A refusal with a message fit to show a person."""

    status = 409


class Invalid(ServiceError):
    """Bad input. `errors` maps a form field (or "" for the whole form) to a message."""

    status = 422

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class Refused(ServiceError):
    """The state of things does not allow it now: the item is retired, the audit
    closed, the label already used."""

    status = 409


class OverReservation(Refused):
    """A check-out or hand-over would run into someone's booking; a lead may do
    it anyway, knowingly (the form then offers the box to say so)."""


class Forbidden(ServiceError):
    """This person may not do this, whatever the state (their role, not their input)."""

    status = 403


class NotFound(ServiceError):
    """The thing asked for is not there (or no longer)."""

    status = 404


class Conflict(ServiceError):
    """The record changed since the person loaded it, or the value is taken
    (a duplicate code)."""

    status = 409


class TooLarge(ServiceError):
    """Over the per-file upload limit."""

    status = 413


class Busy(ServiceError):
    """The server cannot do it right now: a queue is full, or something it needs
    (a library, the mail server) is missing or down. Nothing was done."""

    status = 503
