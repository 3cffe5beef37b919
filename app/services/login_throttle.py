"""Lockout after repeated failed logins, per username and per address, shared by all processes.

Counters are bumped with a single UPDATE ... SET failures = failures + 1, so two web processes
failing at once both count; the lock is a timestamp every process reads.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import LoginThrottle


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


def record_failure(session: Session, key: str, limit: int, lockout: timedelta, now: datetime) -> None:
    """Count one failure for `key`; at `limit` failures, lock it for `lockout` and start counting anew."""
    bumped = session.execute(
        update(LoginThrottle).where(LoginThrottle.key == key).values(failures=LoginThrottle.failures + 1)
    ).rowcount
    if not bumped:
        try:
            with session.begin_nested():
                session.add(LoginThrottle(key=key, failures=1))
        except IntegrityError:  # another process created it first
            session.execute(
                update(LoginThrottle).where(LoginThrottle.key == key).values(failures=LoginThrottle.failures + 1)
            )
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key, LoginThrottle.failures >= limit)
        .values(failures=0, locked_until=now + lockout)
    )


def clear(session: Session, key: str) -> None:
    session.execute(update(LoginThrottle).where(LoginThrottle.key == key).values(failures=0, locked_until=None))
