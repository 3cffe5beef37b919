"""The home screen: who is logged in, their wards, the workflows their role allows, and the pages
it may open with what needs attention there."""
from flask import Blueprint, render_template
from flask_login import current_user

from app.extensions import db
from app.security.access import requires
from app.security.roles import WORKFLOWS
from app.services import home
from offline_sync.persistence import utcnow

blueprint = Blueprint("home", __name__)


@blueprint.get("/")
@requires()
def index():
    workflows = [workflow for workflow in WORKFLOWS if current_user.can(workflow)]
    links = home.links_for(current_user, db.session, utcnow())
    return render_template("home.html", workflows=workflows, links=links)
