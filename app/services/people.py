"""People as an administrator sees them in the browser: finding users with their last login and
handheld, and changing them with a reason. The rules of what a user may be are in `users`; this
module only gathers, and asks for the why that every change through the browser carries."""
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.models import AuditEvent, Device, DeviceUser, LoginSession, User, UserLocation
from app.services import users
from app.services.users import UserError

MAX_REASON = 200
BADGE_PREFIX = "BADGE:"
GENERATED_BADGE_DIGITS = 8
PAGE_SIZE = 100


@dataclass(frozen=True)
class Person:
    user: User
    last_login: datetime | None
    handheld: str | None  # the name (or id) of the handheld they were last seen on


def checked_reason(reason: str) -> str:
    """The reason a change is made, kept in the audit log; a change without one is refused."""
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise UserError(gettext("Give a reason of 1 to %(maximum)s characters (new starter, moved ward, lost badge…): "
                                "it is kept in the audit log with your name.", maximum=MAX_REASON))
    return reason


def find(session: Session, query: str = "", role: str = "", limit: int = PAGE_SIZE) -> list[Person]:
    """Users whose username, name, badge or ward contains `query`, of `role` when given, by username."""
    statement = select(User).order_by(User.username).limit(limit)
    if query.strip():
        pattern = f"%{query.strip().lower()}%"
        statement = statement.where(or_(
            func.lower(User.username).like(pattern), func.lower(User.display_name).like(pattern),
            func.lower(User.badge_code).like(pattern),
            User.locations.any(func.lower(UserLocation.location_code).like(pattern)),
        ))
    if role:
        statement = statement.where(User.role == users.parse_role(role))
    return _with_activity(session, list(session.scalars(statement)))


def person(session: Session, username: str) -> Person:
    return _with_activity(session, [users.get_user(session, username)])[0]


def _with_activity(session: Session, found: list[User]) -> list[Person]:
    """Each user with their last login and the handheld they were last seen on."""
    ids = [user.id for user in found]
    last_logins = dict(session.execute(
        select(LoginSession.user_id, func.max(LoginSession.started_at)).where(LoginSession.user_id.in_(ids))
        .group_by(LoginSession.user_id)).all())
    handhelds: dict[int, str] = {}
    for user_id, device_id, name in session.execute(
        select(DeviceUser.user_id, Device.id, Device.name).join(Device, Device.id == DeviceUser.device_id)
        .where(DeviceUser.user_id.in_(ids)).order_by(Device.last_seen_at)
    ):
        handhelds[user_id] = name or device_id  # ordered by last seen: the latest wins
    return [Person(user, last_logins.get(user.id), handhelds.get(user.id)) for user in found]


def history(session: Session, username: str, limit: int = 20) -> list[AuditEvent]:
    """The latest audited changes made to this user (and their own logins), newest first."""
    return list(session.scalars(
        select(AuditEvent).where(AuditEvent.subject == username).order_by(AuditEvent.id.desc()).limit(limit)))


def new_badge_code(session: Session) -> str:
    """A badge barcode no user holds yet, to print on a new card."""
    while True:
        code = f"{BADGE_PREFIX}{secrets.randbelow(10 ** GENERATED_BADGE_DIGITS):0{GENERATED_BADGE_DIGITS}d}"
        if session.scalar(select(User.id).where(User.badge_code == code)) is None:
            return code


def edit(
    session: Session, username: str, *, display_name: str, role: str, wards: Sequence[str], language: str | None,
    actor: str, reason: str,
) -> User:
    """Change what differs of name, role, wards and language (None: the browser's); each change is audited with
    the reason."""
    reason = checked_reason(reason)
    user = users.get_user(session, username)
    if display_name.strip() != user.display_name:
        users.set_display_name(session, username, display_name, actor=actor, reason=reason)
    if role != user.role:
        users.set_role(session, username, role, actor=actor, reason=reason)
    if list(dict.fromkeys(code.strip() for code in wards if code.strip())) != user.location_codes:
        users.set_locations(session, username, wards, actor=actor, reason=reason)
    if (language or None) != user.language:
        users.set_language(session, username, language, actor=actor, reason=reason)
    return user


def parse_wards(text: str) -> list[str]:
    """Ward barcodes typed or pasted one per line, or separated by commas, semicolons or spaces."""
    for separator in ",;\n\t":
        text = text.replace(separator, " ")
    return list(dict.fromkeys(code for code in text.split(" ") if code))
