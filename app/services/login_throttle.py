"""Lockout after repeated failed logins, per username and per address, shared by all processes.

An attempt counts itself before its password is checked, in one statement (an upsert that
returns the new count), so attempts sent at the same moment each get a count of their own: the
password is checked at most the limit's number of times before the lock holds. A success gives
its count back (the user's is cleared). The lock is a timestamp every process reads; once it has
run out, counting starts anew.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models import LoginThrottle

INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}  # the two databases Wardstock runs on


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures_per_user: int
    max_failures_per_address: int
    lockout: timedelta


def user_key(username: str) -> str:
    return f"user:{username.lower()}"


def address_key(address: str) -> str:
    return f"address:{address}"


def locked_until(session: Session, keys: list[str], now: datetime) -> datetime | None:
    """The latest lock among `keys` that is still running, or None."""
    locks = session.scalars(
        select(LoginThrottle.locked_until).where(LoginThrottle.key.in_(keys), LoginThrottle.locked_until > now)
    ).all()
    return max(locks, default=None)


def reserve(session: Session, key: str, limit: int, lockout: timedelta, now: datetime) -> tuple[int, datetime | None]:
    """Count one attempt for `key` before its secret is checked: (its number since the last lock
    or success, the lock that refuses it or None). The attempt past `limit` locks the key."""
    expired = LoginThrottle.locked_until <= now
    statement = INSERTS[session.get_bind().dialect.name](LoginThrottle).values(key=key, failures=1, locked_until=None)
    statement = statement.on_conflict_do_update(
        index_elements=[LoginThrottle.key],
        set_={"failures": case((expired, 1), else_=LoginThrottle.failures + 1),
              "locked_until": case((expired, None), else_=LoginThrottle.locked_until)},
    ).returning(LoginThrottle.failures, LoginThrottle.locked_until)
    count, until = session.execute(statement).one()
    if until is not None and until > now:
        return count, until
    if count > limit:
        return count, lock(session, key, lockout, now)
    return count, None


def lock(session: Session, key: str, lockout: timedelta, now: datetime) -> datetime:
    """Lock `key` for `lockout` unless a lock already runs; the lock that holds."""
    session.execute(update(LoginThrottle).where(LoginThrottle.key == key, LoginThrottle.locked_until.is_(None))
                    .values(locked_until=now + lockout))
    return session.scalar(select(LoginThrottle.locked_until).where(LoginThrottle.key == key)) or now + lockout


def give_back(session: Session, key: str) -> None:
    """A successful attempt does not count against `key` (an address many people log in from)."""
    session.execute(update(LoginThrottle).where(LoginThrottle.key == key, LoginThrottle.failures > 0)
                    .values(failures=LoginThrottle.failures - 1))


def clear(session: Session, key: str) -> None:
    session.execute(update(LoginThrottle).where(LoginThrottle.key == key).values(failures=0, locked_until=None))
