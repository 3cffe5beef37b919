"""Liveness for load balancers and the run command: answers without a login, touches the database."""
from flask import Blueprint, jsonify
from sqlalchemy import text

from app.extensions import db
from app.security.access import public

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
@public
def healthz():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")
