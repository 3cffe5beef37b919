"""Importing users from a CSV file for a go-live: a dry run that says what it would do and every
error by line, then the import, all or nothing.

Columns (a header line names them, in any order): `username`, `role` (required), `display_name`,
`wards` (location barcodes separated by spaces or semicolons), `badge`, `pin`, `password`. A user
without a password logs in by badge and PIN until one is set. The secrets are hashed before anything
is written, so the one write that keeps the users is short."""
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import User
from app.services import audit, users
from app.services.users import UserError
from offline_sync.catalog_cache import CachedLocation

REQUIRED_COLUMNS = ("username", "role")
KNOWN_COLUMNS = (*REQUIRED_COLUMNS, "display_name", "wards", "badge", "pin", "password")
MAX_ROWS = 5000


@dataclass(frozen=True)
class PlannedUser:
    line: int
    username: str
    display_name: str
    role: str
    wards: tuple[str, ...]
    badge: str | None
    pin: str | None
    password: str | None


@dataclass(frozen=True)
class LineError:
    line: int  # 1 is the header line
    message: str


@dataclass
class ImportPlan:
    users: list[PlannedUser] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)

    @property
    def can_import(self) -> bool:
        return bool(self.users) and not self.errors


class ImportRefused(Exception):
    """The file has errors (or changed since its dry run): nothing was imported."""


def plan(session: Session, text: str) -> ImportPlan:
    """What importing `text` would do, and every error with its line number; changes nothing."""
    result = ImportPlan()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name not in KNOWN_COLUMNS]
    if missing or unknown:
        columns = ", ".join(KNOWN_COLUMNS)
        if missing:
            result.errors.append(LineError(1, gettext(
                "The header line lacks the required columns %(missing)s; the columns are %(columns)s (username and role required).",
                missing=", ".join(missing), columns=columns)))
        if unknown:
            result.errors.append(LineError(1, gettext(
                "The header line names columns Wardstock does not know: %(unknown)s; the columns are %(columns)s.",
                unknown=", ".join(unknown), columns=columns)))
        return result
    reader.fieldnames = header
    known_wards = set(session.scalars(select(CachedLocation.barcode)))
    seen_usernames: dict[str, int] = {}
    seen_badges: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if line > MAX_ROWS + 1:
            result.errors.append(LineError(line, gettext("A file may hold at most %(maximum)s users: split it in two.", maximum=MAX_ROWS)))
            break
        cells = {name: (value or "").strip() for name, value in row.items() if name is not None}
        if not any(cells.values()):
            continue
        try:
            planned = _planned(session, line, cells, known_wards, seen_usernames, seen_badges)
        except UserError as error:
            result.errors.append(LineError(line, str(error)))
            continue
        seen_usernames[planned.username] = line
        if planned.badge:
            seen_badges[planned.badge] = line
        result.users.append(planned)
    if not result.users and not result.errors:
        result.errors.append(LineError(1, gettext("The file holds no users: one line per user after the header line.")))
    return result


def _planned(session: Session, line: int, cells: dict[str, str], known_wards: set[str],
             seen_usernames: dict[str, int], seen_badges: dict[str, int]) -> PlannedUser:
    username = cells.get("username", "").lower()
    badge, pin, password = cells.get("badge") or None, cells.get("pin") or None, cells.get("password") or None
    if username in seen_usernames:
        raise UserError(gettext("User %(username)s is on line %(line)s already.", username=repr(username), line=seen_usernames[username]))
    if badge and badge in seen_badges:
        raise UserError(gettext("Badge %(badge)s is given to line %(line)s's user already.", badge=repr(badge), line=seen_badges[badge]))
    if password is None and badge is None:
        raise UserError(gettext("A user needs a password, or a badge and its PIN, to log in: give one of them."))
    users.check_new_user(session, username=username, role=cells.get("role", ""), password=password, badge_code=badge, pin=pin)
    wards = tuple(dict.fromkeys(cells.get("wards", "").replace(";", " ").split()))
    unknown = [code for code in wards if known_wards and code not in known_wards]
    if unknown:
        raise UserError(gettext("These wards are not locations the inventory server knows: %(wards)s (see the Wards page).", wards=', '.join(unknown)))
    return PlannedUser(line, username, cells.get("display_name") or username, cells["role"], wards, badge, pin, password)


def checked(session: Session, text: str) -> ImportPlan:
    """The plan of `text`, checked again now; ImportRefused when anything in it is wrong."""
    result = plan(session, text)
    if not result.can_import:
        raise ImportRefused(gettext("Nothing was imported: the file has errors (%(count)s); run the dry run again to see them.", count=len(result.errors)))
    return result


def prepared(session: Session, checked_plan: ImportPlan) -> Iterator[User]:
    """Each planned user checked and hashed, one at a time (the slow part: a caller can show progress)."""
    for planned in checked_plan.users:
        yield users.prepare_user(
            session, username=planned.username, display_name=planned.display_name, role=planned.role,
            password=planned.password, locations=planned.wards, badge_code=planned.badge, pin=planned.pin)


def keep(session: Session, made: list[User], *, actor: str, reason: str) -> None:
    """Add the prepared users and their audit events to `session` in one go; the caller commits."""
    session.add_all(made)
    audit.record_many(session, ({"action": "user_created", "actor": actor, "subject": user.username,
                                 "detail": {"role": str(user.role), "locations": list(user.location_codes),
                                            "reason": reason, "imported": True}} for user in made))


def run(session: Session, text: str, *, actor: str, reason: str) -> list[User]:
    """Import every user of `text`, or none; the caller commits, and rolls back on any error."""
    made = list(prepared(session, checked(session, text)))
    keep(session, made, actor=actor, reason=reason)
    return made
