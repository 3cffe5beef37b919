"""Session limits for shared handhelds: a session unused for IDLE_LOGOUT, or older than
PERMANENT_SESSION_LIFETIME since its login, or ended on the server, ends at the next request.

A permanent session's cookie is sent again whenever the session changes (the idle stamp, at most
once a minute), so the cookie's own age never ends a login that stays in use: the login time is
kept in the session and checked here. The cookie is
signed, not stored, so a copy of it would outlive a logout: each login is also a row
(`LoginSession`) whose id the cookie carries, and ending the row ends every copy."""
import secrets
from datetime import datetime, timedelta

from flask import current_app, flash, request, session
from flask_babel import gettext
from flask_login import current_user, logout_user

from app.extensions import db
from app.models import LoginSession, User
from offline_sync.persistence import utcnow

LAST_SEEN = "last_seen"
LOGGED_IN_AT = "logged_in_at"
LOGIN_ID = "login_id"
# The stamp is rewritten at most this often: a session that changes on every request lets two
# concurrent requests from one handheld overwrite each other's cookie.
STAMP_EVERY = timedelta(minutes=1)


def start_session(user: User) -> None:
    """Call right after login_user: records the login and stamps the time its lifetime counts from."""
    now = utcnow()
    login = LoginSession(id=secrets.token_urlsafe(32), user_id=user.id, started_at=now)
    db.session.add(login)
    db.session.commit()
    session[LOGIN_ID] = login.id
    session[LOGGED_IN_AT] = session[LAST_SEEN] = now.isoformat()


def end_session() -> None:
    """Log out: the login's row is ended, so no copy of the cookie works any more."""
    login = db.session.get(LoginSession, session.get(LOGIN_ID, ""))
    if login is not None and login.ended_at is None:
        login.ended_at = utcnow()
        db.session.commit()
    logout_user()
    session.clear()


def _end(message: str) -> None:
    end_session()
    flash(message, "info")


def end_idle_session() -> None:
    """before_request hook; static files do not count as activity."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return
    now = utcnow()
    config = current_app.config
    logged_in_at = session.get(LOGGED_IN_AT)
    if logged_in_at is None or now - datetime.fromisoformat(logged_in_at) > config["PERMANENT_SESSION_LIFETIME"]:
        hours = int(config["PERMANENT_SESSION_LIFETIME"].total_seconds() // 3600)
        _end(gettext("Your login ended: a login lasts at most %(hours)s hours. Log in to carry on.", hours=hours))
        return
    idle_limit: timedelta = config["IDLE_LOGOUT"]
    last_seen = session.get(LAST_SEEN)
    idle = now - datetime.fromisoformat(last_seen) if last_seen is not None else None
    if idle is not None and idle > idle_limit:
        minutes = int(idle_limit.total_seconds() // 60)
        _end(gettext("You were logged out after %(minutes)s minutes without activity. Log in to carry on.", minutes=minutes))
        return
    # Checked after the cookie's own times: two requests sent with one idle cookie both say why it
    # ended, rather than the second saying only that the first ended it.
    login = db.session.get(LoginSession, session.get(LOGIN_ID, ""))
    if login is None or login.ended_at is not None or login.user_id != current_user.id:
        _end(gettext("Your login was ended (logged out, or from another screen). Log in to carry on."))
        return
    if idle is None or idle >= STAMP_EVERY:
        session[LAST_SEEN] = now.isoformat()
