"""The language screen: any logged-in user picks the language of their screens, or the browser's."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user
from werkzeug.wrappers import Response

from app.extensions import db
from app.security.access import requires
from app.services import users
from app.services.users import UserError

blueprint = Blueprint("language", __name__)


@blueprint.get("/language")
@requires()
def choose():
    return render_template("language.html")


@blueprint.post("/language")
@requires()
def save() -> Response:
    try:
        users.set_language(db.session, current_user.username, request.form.get("language", ""), actor=current_user.username)
    except UserError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("language.choose"))
    db.session.commit()
    # Said after the change, so in the language just chosen.
    flash(gettext("Your screens are in this language now."), "info")
    return redirect(url_for("home.index"))
