"""The custody and audit rules under random HTTP traffic (see tests/http_machine.py)."""

from __future__ import annotations

from .http_machine import machine, people
from .stateful import run_machine


def test_random_people_through_http_never_break_the_register(app):
    crew = people(app)
    register = machine(app, crew)
    run_machine(register, examples=12, steps=20, derandomize=False)
    # The run did real work: actions went through, and others were refused.
    assert {200, 303} & set(register.seen)
    assert {403, 409, 422} & set(register.seen)
