"""Logging in by username and password, or by badge and PIN on a shared handheld.

Each attempt returns a `LoginResult`: the user on success, otherwise a sentence to show.
Failures count towards a lockout per username and per address (see login_throttle).
"""
import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import User
from app.security.passwords import needs_rehash, verify_for_nobody
from app.services import audit, login_throttle
from app.services.login_throttle import ThrottlePolicy

WRONG_CREDENTIALS = "Wrong username or password. Check both and try again."
WRONG_BADGE = "That badge and PIN do not match. Scan the badge again and re-enter the PIN."
DISABLED = "This account is disabled. Ask an administrator to enable it."


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    message: str = ""


def _locked_message(until: datetime, now: datetime) -> str:
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    return f"Too many failed attempts. Login is locked for {minutes} more minute{'s' if minutes > 1 else ''}; a supervisor can help meanwhile."


def _attempt(
    session: Session,
    user: User | None,
    username_for_lock: str,
    secret_ok: bool,
    failure_message: str,
    method: str,
    address: str,
    policy: ThrottlePolicy,
    now: datetime,
) -> LoginResult:
    keys = [login_throttle.user_key(username_for_lock), login_throttle.address_key(address)]
    until = login_throttle.locked_until(session, keys, now)
    if until:
        audit.record(session, "login_locked", username_for_lock, address=address, method=method)
        session.commit()
        return LoginResult(None, _locked_message(until, now))
    if user is None or not secret_ok:
        login_throttle.record_failure(session, keys[0], policy.max_failures_per_user, policy.lockout, now)
        login_throttle.record_failure(session, keys[1], policy.max_failures_per_address, policy.lockout, now)
        audit.record(session, "login_failed", username_for_lock, address=address, method=method)
        session.commit()
        return LoginResult(None, failure_message)
    if not user.active:
        audit.record(session, "login_refused_disabled", user.username, address=address, method=method)
        session.commit()
        return LoginResult(None, DISABLED)
    login_throttle.clear(session, keys[0])
    audit.record(session, "login", user.username, address=address, method=method)
    session.commit()
    return LoginResult(user)


def find_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def login_with_password(
    session: Session, username: str, password: str, address: str, policy: ThrottlePolicy, now: datetime
) -> LoginResult:
    user = find_user(session, username)
    ok = user.check_password(password) if user is not None else verify_for_nobody(password)
    if ok and needs_rehash(user.password_hash):
        user.set_password(password)
    return _attempt(session, user, username.strip() or "?", ok, WRONG_CREDENTIALS, "password", address, policy, now)


def login_with_badge(
    session: Session, badge: str, pin: str, address: str, policy: ThrottlePolicy, now: datetime
) -> LoginResult:
    user = session.scalar(select(User).where(User.badge_code == badge))
    ok = user.check_pin(pin) if user is not None else verify_for_nobody(pin)
    lock_name = user.username if user else f"badge {badge[:32]}"
    return _attempt(session, user, lock_name, ok, WRONG_BADGE, "badge", address, policy, now)
