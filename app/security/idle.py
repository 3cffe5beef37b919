"""Session limits for shared handhelds: a session unused for IDLE_LOGOUT, or older than
PERMANENT_SESSION_LIFETIME since its login, ends at the next request.

Flask re-signs a permanent session's cookie on every request, so the cookie's own age never ends
a login that stays in use: the login time is kept in the session and checked here."""
from datetime import datetime, timedelta

from flask import current_app, flash, request, session
from flask_login import current_user, logout_user

from offline_sync.persistence import utcnow

LAST_SEEN = "last_seen"
LOGGED_IN_AT = "logged_in_at"
# The stamp is rewritten at most this often: a session that changes on every request lets two
# concurrent requests from one handheld overwrite each other's cookie.
STAMP_EVERY = timedelta(minutes=1)


def start_session() -> None:
    """Call right after login_user: stamps the login time the session's lifetime counts from."""
    now = utcnow().isoformat()
    session[LOGGED_IN_AT] = now
    session[LAST_SEEN] = now


def _end(message: str) -> None:
    logout_user()
    session.clear()
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
        _end(f"Your login ended: a login lasts at most {hours} hours. Log in to carry on.")
        return
    idle_limit: timedelta = config["IDLE_LOGOUT"]
    last_seen = session.get(LAST_SEEN)
    idle = now - datetime.fromisoformat(last_seen) if last_seen is not None else None
    if idle is not None and idle > idle_limit:
        minutes = int(idle_limit.total_seconds() // 60)
        _end(f"You were logged out after {minutes} minutes without activity. Log in to carry on.")
        return
    if idle is None or idle >= STAMP_EVERY:
        session[LAST_SEEN] = now.isoformat()
