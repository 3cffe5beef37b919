"""Login by username and password or by badge and PIN; logout."""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user, login_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from app.extensions import db
from app.security.access import public, requires
from app.security.idle import end_session, start_session
from app.services import audit
from app.services.auth import LoginResult, login_with_badge, login_with_password
from app.services.login_throttle import ThrottlePolicy
from offline_sync.persistence import utcnow

blueprint = Blueprint("auth", __name__)


# A username or badge is printable text; a control character (a stray NUL from a scanner) is refused
# on the form, before it reaches the database (PostgreSQL cannot even look it up).
PRINTABLE = Regexp(r"^[^\x00-\x1f\x7f]*$", message=lazy_gettext("Type or scan it again: it contains a control character."))


class PasswordLoginForm(FlaskForm):
    username = StringField(lazy_gettext("Username"), validators=[DataRequired(), Length(max=64), PRINTABLE])
    password = PasswordField(lazy_gettext("Password"), validators=[DataRequired(), Length(max=256)])


class BadgeLoginForm(FlaskForm):
    badge = PasswordField(lazy_gettext("Badge"), validators=[DataRequired(message=lazy_gettext("Scan your badge.")), Length(max=64), PRINTABLE])
    pin = PasswordField(lazy_gettext("PIN"), validators=[DataRequired(message=lazy_gettext("Enter your PIN.")), Length(max=8)])


def _policy() -> ThrottlePolicy:
    config = current_app.config
    return ThrottlePolicy(
        config["LOGIN_MAX_FAILURES_PER_USER"], config["LOGIN_MAX_FAILURES_PER_ADDRESS"], config["LOGIN_LOCKOUT"]
    )


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never send a user on to another host after login."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("home.index")


def _finish(result: LoginResult) -> Response | None:
    if result.user is None:
        flash(str(result.message), "error")
        return None
    end_session()  # the previous user's login ends; a fresh session: no fixation, no leftovers
    login_user(result.user)
    session.permanent = True
    start_session(result.user)
    return redirect(_safe_next(request.args.get("next")))


def _render(password_form: PasswordLoginForm, badge_form: BadgeLoginForm, status: int = 200):
    return render_template("auth/login.html", password_form=password_form, badge_form=badge_form), status


@blueprint.get("/login")
@public
def login():
    """Also the switch-user screen: a logged-in handheld stays here until the next person logs in."""
    return _render(PasswordLoginForm(), BadgeLoginForm(prefix="badge"))


@blueprint.post("/login")
@public
def login_password():
    form = PasswordLoginForm()
    if form.validate_on_submit():
        result = login_with_password(
            db.session, form.username.data, form.password.data, request.remote_addr or "", _policy(), utcnow()
        )
        if (response := _finish(result)) is not None:
            return response
    return _render(form, BadgeLoginForm(prefix="badge"), 401 if form.is_submitted() else 200)


@blueprint.post("/login/badge")
@public
def login_badge():
    form = BadgeLoginForm(prefix="badge")
    if form.validate_on_submit():
        result = login_with_badge(
            db.session, form.badge.data.strip(), form.pin.data, request.remote_addr or "", _policy(), utcnow()
        )
        if (response := _finish(result)) is not None:
            return response
    return _render(PasswordLoginForm(), form, 401)


@blueprint.post("/logout")
@requires()
def logout() -> Response:
    audit.record(db.session, "logout", current_user.username, address=request.remote_addr or "")
    db.session.commit()
    end_session()
    flash(gettext("You are logged out. Anything not yet synced stays on this device."), "info")
    return redirect(url_for("auth.login"))
