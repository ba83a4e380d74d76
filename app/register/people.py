"""People: the first admin, sign-in, and the people register."""

from __future__ import annotations

from peewee import JOIN, IntegrityError, fn

from ..database import write
from ..errors import Forbidden, Invalid, NotFound, Refused
from ..models import ROLES, Asset, Team, User, new_session_token
from ..ops import money, settings
from ..ops import rules as ops_rules
from ..prepared import Prepared
from . import passwords, teams
from .rules import LEAD_EDITABLE, manages_accounts, may_edit_person


@Prepared
def by_id(user_id):
    """One person by id (every signed-in request loads its user through this)."""
    return User.select().where(User.id == user_id).limit(1)


def has_users() -> bool:
    return User.select().exists()


def _clean_email(email: str | None) -> str | None:
    email = (email or "").strip().lower()
    return email or None


def _check(name: str, email: str | None, role: str, password: str | None, user_id=None):
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "Give a name."
    if role not in ROLES:
        errors["role"] = "Choose member, lead or admin."
    if password:
        problem = passwords.problem(password, name=name, email=email)
        if problem:
            errors["password"] = problem
    if email:
        clash = User.select().where(fn.LOWER(User.email) == email)
        if user_id is not None:
            clash = clash.where(User.id != user_id)
        if clash.exists():
            errors["email"] = "Someone already has that email address."
    if errors:
        raise Invalid(errors)


def create_person(
    *,
    name: str,
    email: str | None = None,
    role: str = "member",
    password: str | None = None,
    actor: User | None = None,
    team_id: int | None = None,
) -> User:
    """Add a person. Without a password they can hold items but not sign in.

    `actor`: who is adding them, when a person is (set-up and the command line
    add people as the installation itself). A lead adds members who hold items."""
    if actor is not None and not manages_accounts(actor) and (role != "member" or password):
        raise Forbidden("Only an admin can add people who sign in, or leads and admins.")
    email = _clean_email(email)
    if password and not email:
        raise Invalid({"email": "A person who signs in needs an email address."})
    try:
        with write():
            _check(name, email, role, password)
            team = teams.check_team_id(team_id)
            return User.create(
                name=name.strip(),
                email=email,
                role=role,
                password_hash=passwords.hash_password(password) if password else None,
                team=team,
            )
    except IntegrityError as exc:
        raise Invalid({"email": "Someone already has that email address."}) from exc


def setup_first_admin(
    *,
    org_name: str,
    public_url: str,
    name: str,
    email: str,
    password: str,
    paper_size: str = ops_rules.DEFAULT_PAPER_SIZE,
    timezone: str = "",
    currency: str = "",
) -> User:
    """Create the first admin and the organisation's settings, exactly once.
    A blank time zone keeps the configured one; a blank currency is guessed from
    the time zone (ops.rules.currency_for_timezone)."""
    errors = {}
    name_problem = ops_rules.check_org_name(org_name)
    if name_problem:
        errors["org_name"] = name_problem
    url_problem = ops_rules.check_public_url(public_url.strip())
    if url_problem:
        errors["public_url"] = url_problem
    paper_problem = ops_rules.check_paper_size(paper_size)
    if paper_problem:
        errors["paper_size"] = paper_problem
    timezone = timezone.strip()
    timezone_problem = ops_rules.check_timezone(timezone) if timezone else None
    if timezone_problem:
        errors["timezone"] = timezone_problem
    currency = currency.strip().upper() or money.currency_for_timezone(timezone)
    currency_problem = money.check_currency(currency)
    if currency_problem:
        errors["currency"] = currency_problem
    if not _clean_email(email):
        errors["email"] = "Give an email address to sign in with."
    if not password:
        errors["password"] = "Choose a password."
    if errors:
        raise Invalid(errors)
    with write():
        # Checked inside the write lock, so two racing set-ups cannot both win.
        if has_users():
            raise Refused("Set-up has already been done. Sign in instead.")
        user = create_person(name=name, email=email, role="admin", password=password)
        settings.save(
            {
                "org_name": org_name.strip(),
                "public_url": public_url.strip(),
                "paper_size": paper_size,
                "currency": currency,
                **({"timezone": timezone} if timezone else {}),
            }
        )
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None. Takes the same time either way."""
    user = User.get_or_none(User.email == _clean_email(email))
    ok = passwords.verify(user.password_hash if user else None, password)
    if not ok or user is None or not user.can_sign_in:
        return None
    if passwords.needs_rehash(user.password_hash):
        with write():
            User.update(password_hash=passwords.hash_password(password)).where(
                User.id == user.id
            ).execute()
    return user


def update_person(user_id: int, values: dict, *, actor: User) -> User:
    """Edit a person. Leads may edit members' names and emails; admins anything."""
    with write():
        user = User.get_or_none(User.id == user_id)
        if user is None:
            raise NotFound("No such person.")
        if not may_edit_person(actor, user):
            raise Forbidden("Only an admin can edit leads and admins.")
        if not manages_accounts(actor):
            values = {k: v for k, v in values.items() if k in LEAD_EDITABLE}
        name = values.get("name", user.name)
        email = _clean_email(values["email"]) if "email" in values else user.email
        role = values.get("role") or user.role
        password = values.get("password") or None
        if password and not email:
            raise Invalid({"email": "A person who signs in needs an email address."})
        if user.id == actor.id and (role != user.role or values.get("active") is False):
            raise Invalid({"role": "You cannot change your own role or deactivate yourself."})
        _check(name, email, role, password, user_id=user.id)
        user.name = name.strip()
        user.email = email
        user.role = role
        if "team" in values:  # a team id, or None for no team
            user.team = teams.check_team_id(values["team"])
        if "active" in values:
            if user.active and not values["active"]:
                # Deactivation ends sessions for good: reactivating must not revive them.
                user.session_token = new_session_token()
            user.active = bool(values["active"])
        if password:
            user.password_hash = passwords.hash_password(password)
            user.session_token = new_session_token()  # a new password ends old sessions
        try:
            user.save()
        except IntegrityError as exc:
            raise Invalid({"email": "Someone already has that email address."}) from exc
        return user


def revoke_sessions(user_id: int) -> None:
    """Sign a user out everywhere: sessions and remember cookies carry the old token."""
    with write():
        User.update(session_token=new_session_token()).where(User.id == user_id).execute()


def people(include_inactive: bool = True, team_id: int | None = None):
    """Everyone by name, each with their team (in the same query); `team_id`:
    only that team's people."""
    query = (
        User.select(User, Team)
        .join(Team, JOIN.LEFT_OUTER, on=(User.team == Team.id))
        .order_by(fn.LOWER(User.name))
    )
    if not include_inactive:
        query = query.where(User.active == True)  # noqa: E712
    if team_id is not None:
        query = query.where(User.team == team_id)
    return query


def pick(query: str, limit: int = 30) -> list[User]:
    """Active people whose name contains `query`, for a "who to?" list."""
    found = User.select().where(User.active == True).order_by(User.name)  # noqa: E712
    if query:
        found = found.where(User.name.contains(query.strip()[:60]))
    return list(found.limit(limit))


def holdings(user: User):
    return (
        Asset.select()
        .where(Asset.holder == user)
        .order_by(Asset.due_back.asc(nulls="LAST"), Asset.name)
    )
