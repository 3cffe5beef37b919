"""The supervisor's view of the sync: what is pending, retrying, parked, and whether the inventory answers."""
from flask import Blueprint, render_template

from app.extensions import db
from app.security.access import requires
from app.security.roles import Permission
from offline_sync.outbox import health
from offline_sync.persistence import utcnow

blueprint = Blueprint("sync_status", __name__)


@blueprint.get("/sync")
@requires(Permission.VIEW_REPORTS)
def index():
    return render_template("sync_status.html", health=health.summary(db.session, utcnow()))
