"""Plain factory functions for test data. They go through the services, so
every row they make is one the app itself could have made."""

from __future__ import annotations

import itertools

from app.models import Asset, Category, Location, User
from app.register import assets, people, places

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def make_user(
    role: str = "member",
    *,
    name: str | None = None,
    email: str | None = None,
    password: str | None = PASSWORD,
) -> User:
    n = next(_seq)
    return people.create_person(
        name=name or f"{role.capitalize()} {n}",
        email=email if email is not None else f"{role}{n}@example.test",
        role=role,
        password=password,
    )


def make_holder(name: str = "Pat Holder") -> User:
    return people.create_person(name=name)


def make_category(name: str | None = None) -> Category:
    return places.save_category(name or f"Category {next(_seq)}")


def make_location(name: str | None = None, parent: Location | None = None) -> Location:
    return places.create_location(name or f"Room {next(_seq)}", parent.id if parent else None)


def make_asset(actor: User | None = None, **values) -> Asset:
    actor = actor or User.select().where(User.role == "lead").first() or make_user("lead")
    values.setdefault("name", f"Asset {next(_seq)}")
    return assets.create_asset(values, actor=actor)


def create_assets_concurrently(actor: User, threads: int, each: int) -> list[str]:
    """Start `threads` threads that each add `each` assets; return any errors raised."""
    import threading

    from app.models import db

    errors: list[str] = []

    def work(n: int) -> None:
        try:
            for i in range(each):
                make_asset(actor=actor, name=f"T{n}-{i}")
        except Exception as exc:  # collected for the test to assert empty
            errors.append(repr(exc))
        finally:
            db.close()  # each thread has its own connection

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors
