"""Demo data: a small organisation with a few weeks of believable history."""

from __future__ import annotations

import random
from datetime import date, timedelta

from peewee import fn

from ..custody import servicing
from ..database import write
from ..errors import Invalid, Refused
from ..kits import kits
from ..models import (
    Asset,
    Category,
    CustomField,
    CustomValue,
    Kit,
    Location,
    Team,
    User,
    utcnow,
)
from ..register import custom_fields, events, passwords, places
from ..replacement import life as replacement_life
from ..replacement import rules as replacement_rules
from . import demo_subscriptions, settings

PEOPLE = [
    ("Ada Admin", "admin@demo.tagtrail", "admin"),
    ("Lee Lead", "lead@demo.tagtrail", "lead"),
    ("Sam Member", "sam@demo.tagtrail", "member"),
    ("Alice Member", "alice@demo.tagtrail", "member"),
    ("Pat Holder", None, "member"),  # holds kit, never signs in
]

# Teams (departments) and who is in each; the studio keeps the shared printer.
TEAMS = {
    "Studio": ("Sam Member", "Alice Member"),
    "Site crew": ("Lee Lead", "Pat Holder"),
}
PRINTER = ("Shared printer", "Brother", "HL-L3270CDW", 329_00)

SITE = {
    "Main site": {
        "Workshop": ["Bench area", "Tool store"],
        "Office": ["Room 1", "Room 2", "Room 3"],
    },
    "Yard": {"Container A": [], "Van bay": []},
}

# Per category: useful life (months), salvage value (% of cost), service
# interval (days, or None), so the value report and service dates have data.
LIFECYCLE = {
    "Laptops": (36, 10, None),
    "Power tools": (60, 5, 365),
    "Radios": (48, 0, None),
    "Cameras": (60, 15, None),
    "Measuring": (84, 10, 365),
    "Safety": (60, 0, 180),
}
CATALOGUE = {
    "Laptops": [("ThinkPad T14", "Lenovo", 1149_00), ("MacBook Air 13", "Apple", 1299_00)],
    "Power tools": [
        ("Cordless drill 18V", "Makita", 189_00),
        ("Angle grinder", "Bosch", 129_00),
        ("Impact driver", "DeWalt", 159_00),
    ],
    "Radios": [("Two-way radio", "Motorola", 249_00)],
    "Cameras": [
        ("Mirrorless camera", "Sony", 899_00),
        ("Zoom lens 24-70", "Sony", 1099_00),
        ("Tripod", "Manfrotto", 149_00),
        ("Camera battery", "Sony", 79_00),
    ],
    "Measuring": [("Laser level", "Leica", 429_00), ("Multimeter", "Fluke", 219_00)],
    "Safety": [("Harness", "Petzl", 179_00), ("Gas detector", "Dräger", 649_00)],
}


def _is_empty() -> bool:
    return not (Asset.select().exists() or Location.select().exists() or Category.select().exists())


def _person(name: str, email: str | None, role: str, password: str) -> User:
    user = User.get_or_none(User.email == email) if email else None
    if user is None:
        user = User.create(
            name=name,
            email=email,
            role=role,
            password_hash=passwords.hash_password(password) if email else None,
        )
    return user


def _locations(tree: dict, parent: Location | None, rooms: list[Location]) -> None:
    for name, below in tree.items():
        node = Location.create(name=name, parent=parent, code=places.unique_code())
        if isinstance(below, dict):
            _locations(below, node, rooms)
        else:
            rooms.append(node)
            for leaf in below:
                rooms.append(Location.create(name=leaf, parent=node, code=places.unique_code()))


# The demo's kit: a body, two lenses and a battery that are in the store, so a
# new team can book it, take it and bring it back in one tap.
KIT_NAME = "Camera kit"
KIT_MODELS = ("Mirrorless camera", "Zoom lens 24-70", "Zoom lens 24-70", "Camera battery")


def _camera_kit(lead: User) -> None:
    if Kit.select().where(Kit.name == KIT_NAME).exists():
        return  # a forced second demo keeps the first one's kit
    free = list(
        Asset.select()
        .join(Category)
        .where(Category.name == "Cameras", Asset.holder.is_null(), Asset.status == "available")
        .order_by(Asset.id)
    )
    chosen: list[Asset] = []
    for model in KIT_MODELS:
        found = next((a for a in free if a.model_name == model and a not in chosen), None)
        if found is not None:
            chosen.append(found)
    if len(chosen) >= 2:
        kits.create(KIT_NAME, "\n".join(a.code for a in chosen), actor=lead)


def _teams(users: list[User], lead: User, rooms: list[Location]) -> None:
    """The demo's teams with their people, and the printer the studio keeps."""
    made = {}
    for name, members in TEAMS.items():
        team = Team.get_or_none(fn.LOWER(Team.name) == name.lower()) or Team.create(name=name)
        made[name] = team
        for user in users:
            if user.name in members and user.team_id is None:
                user.team = team
                user.save()
    name, maker, model, cost = PRINTER
    office = next((r for r in rooms if r.name == "Room 1"), rooms[0])
    printer = Asset.create(
        code=places.unique_code(),
        name=name,
        manufacturer=maker,
        model_name=model,
        cost_cents=cost,
        purchase_date=utcnow().date() - timedelta(days=200),
        location=office,
        team=made["Studio"],
    )
    data = {"name": name, "team": made["Studio"].name}
    events.record("created", asset=printer, actor=lead, location=office, data=data)


def _replacement_plan(lead: User) -> None:
    """Something for the replacement plan to say: the two oldest laptops past
    their three years, one costly in repairs, one whose life ends next quarter,
    and what a new laptop costs now."""
    laptops = Category.get(Category.name == "Laptops")
    laptops.replacement_cost_cents = 1250_00
    laptops.save()
    rows = list(Asset.select().where(Asset.category == laptops).order_by(Asset.id).limit(4))
    today = utcnow().date()
    # The fourth reaches the end of its life six weeks into next quarter.
    next_quarter = replacement_rules.quarter_of(today).next().first_day + timedelta(days=41)
    life = replacement_rules.life_days(laptops.useful_life_months or 36)
    for asset, days in zip(
        rows, (1200, 1130, 400, (today - next_quarter).days + life), strict=False
    ):
        asset.purchase_date = today - timedelta(days=days)
        replacement_life.set_on(asset, laptops)
        asset.save()
    if len(rows) >= 3:  # the third: a screen and a keyboard this year
        screen, keyboard = utcnow() - timedelta(days=70), utcnow() - timedelta(days=64)
        data = {"cost_cents": 380_00}
        events.record("repair_started", asset=rows[2], actor=lead, at=screen, data=data)
        data = {"cost_cents": 240_00}
        events.record("repaired", asset=rows[2], actor=lead, at=keyboard, data=data)


def _serial(rng: random.Random, maker: str) -> str:
    while True:  # a forced second run must not reuse the first run's serials
        serial = f"{maker[:2].upper()}{rng.randint(10**6, 10**7 - 1)}"
        if not Asset.select().where(Asset.serial == serial).exists():
            return serial


def build(password: str = "tagtrail-demo", force: bool = False, seed: int = 7) -> list[User]:
    """Create the demo organisation. Refuses a database with data unless forced."""
    problem = passwords.problem(password)
    if problem:
        raise Invalid({"password": f"Demo password: {problem}"})
    rng = random.Random(seed)
    with write():
        if not force and not _is_empty():
            raise Refused("This database already has data. Use --force to add the demo anyway.")
        if not settings.saved().get("org_name"):
            settings.save({"org_name": "Harbour Works (demo)"})
        if not settings.saved().get("currency"):
            # Set up through the page, an organisation has a currency; so does the demo.
            settings.save({"currency": "GBP"})
        users = [_person(n, e, r, password) for n, e, r in PEOPLE]
        lead = users[1]
        holders = [u for u in users if u.role == "member"]
        rooms: list[Location] = []
        _locations(SITE, None, rooms)
        now = utcnow()
        for category_name, items in CATALOGUE.items():
            life, salvage, service = LIFECYCLE[category_name]
            category = Category.get_or_none(Category.name == category_name) or Category.create(
                name=category_name,
                useful_life_months=life,
                salvage_percent=salvage,
                service_interval_days=service,
            )
            count = 60 // len(CATALOGUE)
            for i in range(count):
                name, maker, cost = items[i % len(items)]
                start = now - timedelta(days=rng.randint(21, 42), hours=rng.randint(0, 8))
                bought = start.date() - timedelta(days=rng.randint(30, 900))
                asset = Asset.create(
                    code=places.unique_code(),
                    name=f"{name} #{i + 1}",
                    category=category,
                    manufacturer=maker,
                    model_name=name,
                    serial=_serial(rng, maker),
                    purchase_date=bought,
                    cost_cents=cost,
                    supplier="Demo Supplies Ltd",
                    warranty_end=bought + timedelta(days=365 * 2),
                    location=rng.choice(rooms),
                    created_at=start,
                    updated_at=start,
                )
                asset.service_due_on = servicing.due_on(asset, category)
                replacement_life.set_on(asset, category)
                asset.save()
                events.record(
                    "created",
                    asset=asset,
                    actor=lead,
                    location=asset.location,
                    at=start,
                    data={"name": asset.name},
                )
                _history(asset, rng, start, holders, lead)
        _custom_fields(rng, lead)
        _camera_kit(lead)
        _teams(users, lead, rooms)
        _replacement_plan(lead)
        demo_subscriptions.build(users, lead)
    return [u for u in users if u.email]


def _custom_fields(rng: random.Random, lead: User) -> None:
    """A few custom fields, one for a single category, with values on the assets."""
    have = {f.name: f for f in custom_fields.all_fields()}  # a forced second demo reuses them

    def field(name: str, kind: str, **extra) -> CustomField:
        return have.get(name) or custom_fields.create_field(name, kind, actor=lead, **extra)

    insured = field("Insured", "yes_no")
    checked = field("Last safety check", "date")
    tools = Category.get(Category.name == "Power tools").id
    voltage = field("Battery voltage", "number", category_id=tools, on_labels=True)
    power_tools = voltage.category_id
    today = utcnow().date()
    for asset in Asset.select().where(Asset.id.not_in(CustomValue.select(CustomValue.asset))):
        values: dict[int, str | None] = {insured.id: rng.choice(["yes", "yes", "no"])}
        if rng.random() < 0.5:
            values[checked.id] = (today - timedelta(days=rng.randint(5, 300))).isoformat()
        if asset.category_id == power_tools:
            values[voltage.id] = rng.choice(["18", "10.8", "36"])
        parsed, _ = custom_fields.check_values(asset.category_id, values, {})
        custom_fields.write_values(asset, parsed, {})


def _history(asset: Asset, rng: random.Random, start, holders, lead) -> None:
    """A few hand-overs and returns, ending in the asset's current state."""
    at = start
    for _ in range(rng.randint(0, 4)):
        at += timedelta(days=rng.randint(1, 5), hours=rng.randint(1, 6))
        if at >= utcnow():
            break
        holder = rng.choice(holders)
        actor = holder if holder.email else lead  # people without sign-in are handed kit
        events.record("checked_out", asset=asset, actor=actor, holder=holder, at=at)
        back = at + timedelta(days=rng.randint(1, 4))
        if back >= utcnow() or rng.random() < 0.15:
            asset.status, asset.holder = "checked_out", holder
            asset.due_back = (at + timedelta(days=7)).date()
            if asset.due_back < date.today() - timedelta(days=1) and rng.random() < 0.5:
                asset.due_back = date.today() + timedelta(days=3)
            break
        events.record(
            "checked_in", asset=asset, actor=actor, holder=holder, location=asset.location, at=back
        )
        at = back
    asset.updated_at = at
    asset.save()
