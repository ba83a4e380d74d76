"""The custody and audit rules under random HTTP traffic (see tests/http_machine.py)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from .http_machine import machine, people


def test_random_people_through_http_never_break_the_register(app):
    crew = people(app)
    register = machine(app, crew)
    run = register.TestCase
    run.settings = settings(
        max_examples=12,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=False,
    )
    run().runTest()
    # The run did real work: actions went through, and others were refused.
    assert {200, 303} & set(register.seen)
    assert {403, 409, 422} & set(register.seen)
