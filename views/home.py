"""The home screen: who is logged in, their wards, and the workflows their role allows."""
from flask import Blueprint, render_template
from flask_login import current_user

from app.security.access import requires
from app.security.roles import WORKFLOWS

blueprint = Blueprint("home", __name__)


@blueprint.get("/")
@requires()
def index():
    workflows = [workflow for workflow in WORKFLOWS if current_user.can(workflow)]
    return render_template("home.html", workflows=workflows)
