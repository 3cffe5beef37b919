"""People in the browser (administrators): find, create and change users, badges and PINs, each
change with a reason for the audit log; and the CSV import for a go-live (dry run, then import)."""
from collections.abc import Callable, Iterator

from flask import Blueprint, flash, redirect, render_template, request, stream_template, url_for
from flask_babel import gettext
from flask_login import current_user

from app.extensions import db
from app.security.access import requires
from app.security.roles import Permission, Role
from app.services import people, people_import, users
from app.services.users import UserError

blueprint = Blueprint("people", __name__)
MAX_CSV_BYTES = 2 * 1024 * 1024
PROGRESS_EVERY = 10  # users between two progress lines of the import


def _actor() -> str:
    return current_user.username


@blueprint.get("/people")
@requires(Permission.MANAGE_USERS)
def index():
    query, role = request.args.get("q", ""), request.args.get("role", "")
    try:
        found = people.find(db.session, query, role)
    except UserError as error:
        flash(str(error), "error")
        found = people.find(db.session, query)
    return render_template("people/list.html", people=found, query=query, role=role, roles=list(Role), limit=people.PAGE_SIZE)


@blueprint.get("/people/new")
@requires(Permission.MANAGE_USERS)
def new():
    return render_template("people/new.html", form={}, roles=list(Role), badge=people.new_badge_code(db.session))


@blueprint.post("/people/new")
@requires(Permission.MANAGE_USERS)
def create():
    form = request.form
    try:
        reason = people.checked_reason(form.get("reason", ""))
        user = users.create_user(
            db.session, username=form.get("username", ""), display_name=form.get("display_name", "").strip(),
            role=form.get("role", ""), password=form.get("password") or None, locations=people.parse_wards(form.get("wards", "")),
            badge_code=form.get("badge", "").strip() or None, pin=form.get("pin", "").strip() or None,
            actor=_actor(), reason=reason,
        )
        if user.password_hash == users.NO_PASSWORD and not user.badge_code:
            raise UserError(gettext("A user needs a password, or a badge and its PIN, to log in: give one of them."))
    except UserError as error:
        db.session.rollback()
        flash(str(error), "error")
        return render_template("people/new.html", form=form, roles=list(Role), badge=form.get("badge", "")), 422
    db.session.commit()
    flash(gettext("%(user)s can log in now.", user=user.username), "info")
    return redirect(url_for("people.show", username=user.username))


@blueprint.get("/people/<username>")
@requires(Permission.MANAGE_USERS)
def show(username: str):
    try:
        found = people.person(db.session, username)
    except UserError as error:
        flash(str(error), "error")
        return redirect(url_for("people.index"))
    return render_template("people/show.html", person=found, roles=list(Role), history=people.history(db.session, found.user.username),
                           badge=people.new_badge_code(db.session))


def _change(username: str, change: Callable[[str], object], done: str):
    """Run a change with the form's reason; commit and say it, or say why not and change nothing."""
    try:
        change(people.checked_reason(request.form.get("reason", "")))
    except UserError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(done, "info")
    return redirect(url_for("people.show", username=username))


@blueprint.post("/people/<username>/edit")
@requires(Permission.MANAGE_USERS)
def edit(username: str):
    form = request.form
    return _change(username, lambda reason: people.edit(
        db.session, username, display_name=form.get("display_name", ""), role=form.get("role", ""),
        wards=people.parse_wards(form.get("wards", "")), language=form.get("language") or None, actor=_actor(), reason=reason), gettext("Saved the changes to %(user)s.", user=username))


@blueprint.post("/people/<username>/badge")
@requires(Permission.MANAGE_USERS)
def badge(username: str):
    form = request.form
    return _change(username, lambda reason: users.set_badge(
        db.session, username, form.get("badge", "").strip(), form.get("pin", "").strip(), actor=_actor(), reason=reason),
        gettext("%(user)s's new badge works now; the old one, if any, no longer does.", user=username))


@blueprint.post("/people/<username>/pin")
@requires(Permission.MANAGE_USERS)
def pin(username: str):
    return _change(username, lambda reason: users.reset_pin(
        db.session, username, request.form.get("pin", "").strip(), actor=_actor(), reason=reason), gettext("%(user)s's PIN is reset.", user=username))


@blueprint.post("/people/<username>/password")
@requires(Permission.MANAGE_USERS)
def password(username: str):
    return _change(username, lambda reason: users.reset_password(
        db.session, username, request.form.get("password", ""), actor=_actor(), reason=reason), gettext("%(user)s's password is set.", user=username))


@blueprint.post("/people/<username>/active")
@requires(Permission.MANAGE_USERS)
def active(username: str):
    enable = request.form.get("active") == "1"
    if not enable and username == _actor():
        flash(gettext("You cannot disable yourself: ask another administrator."), "error")
        return redirect(url_for("people.show", username=username))
    done = (gettext("%(user)s can log in again.", user=username) if enable
            else gettext("%(user)s is disabled: refused at their next request, on every server.", user=username))
    return _change(username, lambda reason: users.set_active(db.session, username, enable, actor=_actor(), reason=reason), done)


@blueprint.get("/people/import")
@requires(Permission.MANAGE_USERS)
def import_form():
    return render_template("people/import.html", columns=people_import.KNOWN_COLUMNS)


def _uploaded_text() -> str:
    upload = request.files.get("file")
    raw = upload.read(MAX_CSV_BYTES + 1) if upload else request.form.get("csv", "").encode()
    if len(raw) > MAX_CSV_BYTES:
        raise UserError(gettext("The file is larger than %(megabytes)s MB: split it.", megabytes=MAX_CSV_BYTES // (1024 * 1024)))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(gettext("The file is not UTF-8 text: save it from the spreadsheet as “CSV UTF-8”.")) from None


@blueprint.get("/people/import/check")
@blueprint.get("/people/import/run")
@requires(Permission.MANAGE_USERS)
def import_start_again():
    """The dry run and the import answer a form sent with the file; opened again by address (as
    every page keeps a copy of itself for offline use, static/js/main.js) they lead to the form."""
    return redirect(url_for("people.import_form"))


@blueprint.post("/people/import/check")
@requires(Permission.MANAGE_USERS)
def import_check():
    try:
        text = _uploaded_text()
    except UserError as error:
        flash(str(error), "error")
        return redirect(url_for("people.import_form"))
    plan = people_import.plan(db.session, text)
    return render_template("people/import_plan.html", plan=plan, csv=text)


@blueprint.post("/people/import/run")
@requires(Permission.MANAGE_USERS)
def import_run():
    """Streams the page as the import goes (hashing is the slow part), then says what was kept."""
    text, reason, actor = request.form.get("csv", ""), request.form.get("reason", ""), _actor()
    outcome: dict[str, object] = {"error": "", "made": 0}

    def steps() -> Iterator[tuple[int, int]]:
        made: list = []
        try:
            checked_reason = people.checked_reason(reason)
            plan = people_import.checked(db.session, text)
            for user in people_import.prepared(db.session, plan):
                made.append(user)
                if len(made) % PROGRESS_EVERY == 0 or len(made) == len(plan.users):
                    yield len(made), len(plan.users)
            people_import.keep(db.session, made, actor=actor, reason=checked_reason)
            db.session.commit()
            outcome["made"] = len(made)
        except (UserError, people_import.ImportRefused) as error:
            db.session.rollback()
            outcome["error"] = str(error)

    return stream_template("people/import_run.html", steps=steps(), outcome=outcome)
