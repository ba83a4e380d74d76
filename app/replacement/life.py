"""`Asset.life_ends_on`, the projection of the end of each asset's useful life
(rules.life_ends_on: purchase date plus its category's useful life). Everything
that changes one of its inputs (an asset's purchase date or category, a
category's useful life, an import) calls one of these inside the same write,
so "past its useful life" and the forecast are indexed range queries."""

from __future__ import annotations

from collections.abc import Iterable

from peewee import SQL, chunked, fn

from ..database import is_sqlite
from ..models import Asset, Category
from .rules import life_days, life_ends_on


def set_on(asset: Asset, category: Category | None) -> None:
    """Set one asset's end of life from its current fields (the caller saves it)."""
    months = category.useful_life_months if category is not None else None
    asset.life_ends_on = life_ends_on(asset.purchase_date, months)


def _ends_sql(months: int | None):
    """rules.life_ends_on as a SQL expression on Asset.purchase_date."""
    if not months or months <= 0:
        return None
    days = life_days(months)
    if is_sqlite():
        return fn.date(Asset.purchase_date, f"+{days} days")
    return Asset.purchase_date + SQL(f"{days}")


def refresh_category(category_id: int, useful_life_months: int | None) -> int:
    """Recompute the end of life of every asset in the category, in one UPDATE.
    Call inside write(). Returns the rows changed."""
    return (
        Asset.update(life_ends_on=_ends_sql(useful_life_months))
        .where(Asset.category == category_id)
        .execute()
    )


def refresh_assets(asset_ids: Iterable[int]) -> None:
    """Recompute the end of life of these assets (an import's new and changed
    rows): one UPDATE per category among them. Call inside write()."""
    for chunk in chunked(sorted(set(asset_ids)), 500):
        lives = (
            Asset.select(Asset.category, Category.useful_life_months)
            .join(Category, on=(Asset.category == Category.id))
            .where(Asset.id.in_(chunk))
            .distinct()
            .tuples()
        )
        for category_id, months in list(lives):
            Asset.update(life_ends_on=_ends_sql(months)).where(
                Asset.id.in_(chunk), Asset.category == category_id
            ).execute()
        Asset.update(life_ends_on=None).where(
            Asset.id.in_(chunk), Asset.category.is_null()
        ).execute()
