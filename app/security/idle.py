"""Idle logout for shared handhelds: a session unused for IDLE_LOGOUT ends at the next request."""
from datetime import datetime, timedelta

from flask import current_app, flash, request, session
from flask_login import current_user, logout_user

from offline_sync.persistence import utcnow

LAST_SEEN = "last_seen"
# The stamp is rewritten at most this often: a session that changes on every request lets two
# concurrent requests from one handheld overwrite each other's cookie.
STAMP_EVERY = timedelta(minutes=1)


def end_idle_session() -> None:
    """before_request hook; static files do not count as activity."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return
    now = utcnow()
    idle_limit: timedelta = current_app.config["IDLE_LOGOUT"]
    last_seen = session.get(LAST_SEEN)
    idle = now - datetime.fromisoformat(last_seen) if last_seen is not None else None
    if idle is not None and idle > idle_limit:
        logout_user()
        session.clear()
        minutes = int(idle_limit.total_seconds() // 60)
        flash(f"You were logged out after {minutes} minutes without activity. Log in to carry on.", "info")
        return
    if idle is None or idle >= STAMP_EVERY:
        session[LAST_SEEN] = now.isoformat()
