"""Wards and locations with the users assigned to each (supervisors and administrators)."""
from flask import Blueprint, render_template

from app.extensions import db
from app.security.access import requires
from app.security.roles import Permission
from app.services import wards

blueprint = Blueprint("wards", __name__)


@blueprint.get("/wards")
@requires(Permission.VIEW_WARDS)
def index():
    return render_template("people/wards.html", overview=wards.overview(db.session))
