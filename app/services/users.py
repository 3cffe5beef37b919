"""Creating, changing and disabling users; every change is audited."""
import re
from collections.abc import Sequence

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.i18n import LANGUAGES
from app.models import User, UserLocation
from app.security.roles import Role
from app.services import audit


class UserError(ValueError):
    """A user cannot be created or changed as asked; the message says why and what to do."""


USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
PIN = re.compile(r"^[0-9]{4,8}$")
MAX_BADGE = 64
MIN_PASSWORD_LENGTH = 8
MAX_DISPLAY_NAME = 120
NO_PASSWORD = ""  # a user made without a password logs in by badge and PIN only: no password matches ""


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise UserError(gettext("Role %(role)s does not exist; choose one of %(roles)s.", role=repr(role), roles=', '.join(Role))) from None


def _check_new_user(session: Session, username: str, role: str, password: str | None, pin: str | None) -> Role:
    if not USERNAME.match(username):
        raise UserError(
            gettext("Username %(username)s is not usable: use 2 to 64 lower-case letters, digits, dots, dashes or underscores.",
                    username=repr(username))
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise UserError(gettext("A user named %(username)s already exists.", username=repr(username)))
    checked_role = parse_role(role)
    if password is not None:
        _check_password(password)
    if pin is not None:
        _check_pin(pin)
    return checked_role


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(gettext("The password must have at least %(minimum)s characters.", minimum=MIN_PASSWORD_LENGTH))


def _check_pin(pin: str) -> None:
    if not PIN.match(pin):
        raise UserError(gettext("A PIN must be 4 to 8 digits."))


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
    reason: str = "",
) -> User:
    user = prepare_user(session, username=username, display_name=display_name, role=role, password=password,
                        locations=locations, badge_code=badge_code, pin=pin)
    session.add(user)
    audit.record(session, "user_created", actor, subject=user.username, role=str(user.role), locations=user.location_codes,
                 **_why(reason))
    return user


def check_new_user(
    session: Session, *, username: str, role: str, password: str | None, badge_code: str | None = None, pin: str | None = None,
) -> Role:
    """The role of a user that may be created as asked; a UserError says what is wrong. `password`
    None: the user logs in by badge and PIN only until one is set."""
    username = username.strip().lower()
    checked_role = _check_new_user(session, username, role, password, pin)
    _check_badge(session, badge_code, pin, user_id=None)
    return checked_role


def prepare_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    role: str,
    password: str | None,
    locations: Sequence[str] = (),
    badge_code: str | None = None,
    pin: str | None = None,
) -> User:
    """A checked, hashed, not yet added user: the slow part (hashing) of a creation, done outside any write."""
    username = username.strip().lower()
    checked_role = check_new_user(session, username=username, role=role, password=password, badge_code=badge_code, pin=pin)
    user = User(username=username, display_name=display_name or username, role=checked_role, badge_code=badge_code or None,
                password_hash=NO_PASSWORD)
    if password is not None:
        user.set_password(password)
    if pin is not None:
        user.set_pin(pin)
    user.locations = [UserLocation(location_code=code) for code in dict.fromkeys(locations)]
    return user


def _why(reason: str) -> dict[str, str]:
    return {"reason": reason} if reason else {}


def _check_badge(session: Session, badge_code: str | None, pin: str | None, user_id: int | None) -> None:
    if not badge_code:
        return
    if len(badge_code) > MAX_BADGE or not badge_code.isprintable() or " " in badge_code:
        raise UserError(gettext("Badge %(badge)s is not a badge barcode: at most %(maximum)s characters, no spaces.", badge=repr(badge_code), maximum=MAX_BADGE))
    holder = session.scalar(select(User.id).where(User.badge_code == badge_code))
    if holder is not None and holder != user_id:
        raise UserError(gettext("Badge %(badge)s is already assigned to another user.", badge=repr(badge_code)))
    if pin is None:
        raise UserError(gettext("A badge needs a PIN: give one of 4 to 8 digits."))


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise UserError(gettext("There is no user named %(username)s.", username=repr(username)))
    return user


def set_active(session: Session, username: str, active: bool, *, actor: str, reason: str = "") -> User:
    user = get_user(session, username)
    user.active = active
    audit.record(session, "user_enabled" if active else "user_disabled", actor, subject=user.username, **_why(reason))
    return user


def set_role(session: Session, username: str, role: str, *, actor: str, reason: str = "") -> User:
    user = get_user(session, username)
    previous = user.role
    user.role = parse_role(role)
    audit.record(session, "role_changed", actor, subject=user.username, previous=str(previous), role=role, **_why(reason))
    return user


def set_display_name(session: Session, username: str, display_name: str, *, actor: str, reason: str = "") -> User:
    user = get_user(session, username)
    display_name = display_name.strip()
    if not display_name or len(display_name) > MAX_DISPLAY_NAME:
        raise UserError(gettext("The name shown on screen must have 1 to %(maximum)s characters.", maximum=MAX_DISPLAY_NAME))
    previous, user.display_name = user.display_name, display_name
    audit.record(session, "user_renamed", actor, subject=user.username, previous=previous, display_name=display_name, **_why(reason))
    return user


def set_locations(session: Session, username: str, locations: Sequence[str], *, actor: str, reason: str = "") -> User:
    """Replace the user's wards (location barcodes; sub-locations are included)."""
    user = get_user(session, username)
    previous = user.location_codes
    wanted = list(dict.fromkeys(code.strip() for code in locations if code.strip()))
    kept = [link for link in user.locations if link.location_code in wanted]
    user.locations = kept + [UserLocation(location_code=code) for code in wanted if code not in previous]
    audit.record(session, "wards_changed", actor, subject=user.username, previous=previous, locations=wanted, **_why(reason))
    return user


def set_badge(session: Session, username: str, badge_code: str, pin: str, *, actor: str, reason: str = "") -> User:
    """Give the user a (new) badge and its PIN; the old badge stops working at once."""
    user = get_user(session, username)
    _check_pin(pin)
    _check_badge(session, badge_code, pin, user_id=user.id)
    user.badge_code = badge_code
    user.set_pin(pin)
    audit.record(session, "badge_issued", actor, subject=user.username, badge=badge_code, **_why(reason))
    return user


def reset_pin(session: Session, username: str, pin: str, *, actor: str, reason: str = "") -> User:
    user = get_user(session, username)
    if not user.badge_code:
        raise UserError(f"{user.username} has no badge: issue one first, with its PIN.")
    _check_pin(pin)
    user.set_pin(pin)
    audit.record(session, "pin_reset", actor, subject=user.username, **_why(reason))
    return user


def reset_password(session: Session, username: str, password: str, *, actor: str, reason: str = "") -> User:
    user = get_user(session, username)
    _check_password(password)
    user.set_password(password)
    audit.record(session, "password_reset", actor, subject=user.username, **_why(reason))
    return user


def set_language(session: Session, username: str, language: str | None, *, actor: str, reason: str = "") -> User:
    """The language of the user's screens (a code of `LANGUAGES`); None or "": follow the browser's."""
    language = language or None
    if language is not None and language not in LANGUAGES:
        raise UserError(gettext("Language %(language)s is not one Wardstock speaks; choose one of %(languages)s.", language=repr(language),
                                languages=', '.join(LANGUAGES)))
    user = get_user(session, username)
    previous, user.language = user.language, language
    audit.record(session, "language_changed", actor, subject=user.username, previous=previous, language=language, **_why(reason))
    return user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))
