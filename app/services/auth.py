"""Logging in by username and password, or by badge and PIN on a shared handheld.

Each attempt returns a `LoginResult`: the user on success, otherwise a sentence to show.
Failures count towards a lockout per username and per address (see login_throttle).
"""
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext, ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import User
from app.security.passwords import needs_rehash, verify_for_nobody
from app.services import audit, login_throttle
from app.services.login_throttle import ThrottlePolicy

WRONG_CREDENTIALS = lazy_gettext("Wrong username or password. Check both and try again.")
WRONG_BADGE = lazy_gettext("That badge and PIN do not match. Scan the badge again and re-enter the PIN.")
DISABLED = lazy_gettext("This account is disabled. Ask an administrator to enable it.")


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    message: str = ""


def _locked_message(until: datetime, now: datetime) -> str:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return ngettext("Too many failed attempts. Login is locked for %(num)s more minute; a supervisor can help meanwhile.",
                    "Too many failed attempts. Login is locked for %(num)s more minutes; a supervisor can help meanwhile.", minutes)


def _attempt(
    session: Session,
    user: User | None,
    username_for_lock: str,
    check_secret: Callable[[], bool],
    failure_message: str,
    method: str,
    address: str,
    policy: ThrottlePolicy,
    now: datetime,
) -> LoginResult:
    """The secret is checked only for an attempt that counted itself within both limits (committed
    first: the counters' rows are never held while a hash is computed)."""
    keys = [login_throttle.user_key(username_for_lock), login_throttle.address_key(address)]
    limits = [policy.max_failures_per_user, policy.max_failures_per_address]
    until = login_throttle.locked_until(session, keys, now)
    counts: list[int] = []
    if until is None:
        for key, limit in zip(keys, limits):
            count, lock = login_throttle.reserve(session, key, limit, policy.lockout, now)
            counts.append(count)
            until = max(until, lock) if until and lock else (until or lock)
    if until:
        audit.record(session, "login_locked", username_for_lock, address=address, method=method)
        session.commit()
        return LoginResult(None, _locked_message(until, now))
    session.commit()
    if not check_secret() or user is None:  # a hash is computed for a name that does not exist too
        for key, limit, count in zip(keys, limits, counts):
            if count >= limit:
                login_throttle.lock(session, key, policy.lockout, now)
        audit.record(session, "login_failed", username_for_lock, address=address, method=method)
        session.commit()
        return LoginResult(None, failure_message)
    login_throttle.clear(session, keys[0])
    login_throttle.give_back(session, keys[1])
    if not user.active:
        audit.record(session, "login_refused_disabled", user.username, address=address, method=method)
        session.commit()
        return LoginResult(None, DISABLED)
    audit.record(session, "login", user.username, address=address, method=method)
    session.commit()
    return LoginResult(user)


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def login_with_password(
    session: Session, username: str, password: str, address: str, policy: ThrottlePolicy, now: datetime
) -> LoginResult:
    user = find_user(session, username)

    def check() -> bool:
        ok = user.check_password(password) if user is not None else verify_for_nobody(password)
        if ok and needs_rehash(user.password_hash):
            user.set_password(password)
        return ok

    return _attempt(session, user, username.strip() or "?", check, WRONG_CREDENTIALS, "password", address, policy, now)


def login_with_badge(
    session: Session, badge: str, pin: str, address: str, policy: ThrottlePolicy, now: datetime
) -> LoginResult:
    user = session.scalar(select(User).where(User.badge_code == badge))
    lock_name = user.username if user else f"badge {badge[:32]}"
    check = lambda: user.check_pin(pin) if user is not None else verify_for_nobody(pin)
    return _attempt(session, user, lock_name, check, WRONG_BADGE, "badge", address, policy, now)
