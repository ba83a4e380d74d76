"""Running a hypothesis state machine inside a test that already has the app."""

from __future__ import annotations

from hypothesis import HealthCheck, settings


def run_machine(machine, *, examples: int, steps: int, **more) -> None:
    """`machine`'s rules, `examples` runs of up to `steps` each: no deadline (the
    database is slow next to hypothesis's guess) and no health checks (the app
    fixture is shared by the runs on purpose)."""
    case = machine.TestCase
    case.settings = settings(
        max_examples=examples,
        stateful_step_count=steps,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        **more,
    )
    case().runTest()
