"""Creating, changing and disabling users; every change is audited."""
import re
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import User, UserLocation
from app.security.roles import Role
from app.services import audit


class UserError(ValueError):
    """A user cannot be created or changed as asked; the message says why and what to do."""


USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
PIN = re.compile(r"^[0-9]{4,8}$")
MIN_PASSWORD_LENGTH = 8


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise UserError(f"Role {role!r} does not exist; choose one of {', '.join(Role)}.") from None


def _check_new_user(session: Session, username: str, role: str, password: str, pin: str | None) -> Role:
    if not USERNAME.match(username):
        raise UserError(
            f"Username {username!r} is not usable: use 2 to 64 lower-case letters, digits, dots, dashes or underscores."
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserError(f"A user named {username!r} already exists.")
    checked_role = parse_role(role)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    if pin is not None and not PIN.match(pin):
        raise UserError("A PIN must be 4 to 8 digits.")
    return checked_role


def create_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: str,
    password: str,
    locations: Sequence[str] = (),
    badge_code: str | None = None,
    pin: str | None = None,
    actor: str,
) -> User:
    username = username.strip().lower()
    checked_role = _check_new_user(session, username, role, password, pin)
    if badge_code and session.scalar(select(User.id).where(User.badge_code == badge_code)) is not None:
        raise UserError(f"Badge {badge_code!r} is already assigned to another user.")
    if badge_code and pin is None:
        raise UserError("A badge needs a PIN: give one of 4 to 8 digits.")
    user = User(username=username, display_name=display_name or username, role=checked_role, badge_code=badge_code)
    user.set_password(password)
    if pin is not None:
        user.set_pin(pin)
    user.locations = [UserLocation(location_code=code) for code in dict.fromkeys(locations)]
    session.add(user)
    audit.record(session, "user_created", actor, subject=username, role=checked_role.value, locations=list(locations))
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise UserError(f"There is no user named {username!r}.")
    return user


def set_active(session: Session, username: str, active: bool, *, actor: str) -> User:
    user = get_user(session, username)
    user.active = active
    audit.record(session, "user_enabled" if active else "user_disabled", actor, subject=user.username)
    return user


def set_role(session: Session, username: str, role: str, *, actor: str) -> User:
    user = get_user(session, username)
    previous = user.role
    user.role = parse_role(role)
    audit.record(session, "role_changed", actor, subject=user.username, previous=str(previous), role=role)
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))
