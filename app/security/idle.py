"""Idle logout for shared handhelds: a session unused for IDLE_LOGOUT ends at the next request."""
from datetime import datetime, timedelta

from flask import current_app, flash, request, session
from flask_login import current_user, logout_user

from offline_sync.persistence import utcnow

LAST_SEEN = "last_seen"


def end_idle_session() -> None:
    """before_request hook; static files do not count as activity."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return
    now = utcnow()
    idle_limit: timedelta = current_app.config["IDLE_LOGOUT"]
    last_seen = session.get(LAST_SEEN)
    if last_seen is not None and now - datetime.fromisoformat(last_seen) > idle_limit:
        logout_user()
        session.clear()
        minutes = int(idle_limit.total_seconds() // 60)
        flash(f"You were logged out after {minutes} minutes without activity. Log in to carry on.", "info")
        return
    session[LAST_SEEN] = now.isoformat()
