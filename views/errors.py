"""Error pages that say what happened and what to do, as HTML or as JSON for the device API."""
from flask import Blueprint, Response, jsonify, make_response, render_template, request
from flask_babel import gettext, lazy_gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from app.extensions import db

blueprint = Blueprint("errors", __name__)

# (code, title, message): the code names the error in JSON, the title and message are shown.
MESSAGES = {
    403: ("not_allowed", lazy_gettext("Not allowed"), lazy_gettext("Your role does not allow this screen. Ask a supervisor if you need it.")),
    404: ("not_found", lazy_gettext("Not found"), lazy_gettext("There is nothing at this address. Go back to the home screen.")),
    405: ("not_allowed", lazy_gettext("Not allowed"), lazy_gettext("This address does not take that kind of request.")),
    413: ("too_large", lazy_gettext("Too large"), lazy_gettext(
        "What was sent is larger than this server takes. Send less at a time (a smaller photo, fewer items) and try again.")),
}


# How long a client waits before it tries again when the database is briefly out of reach.
RETRY_AFTER_SECONDS = 10


def _answer(status: int, code: str, title: str, message: str):
    if request.path.startswith("/api/"):
        return jsonify(error=code, message=str(message)), status
    return render_template("error.html", title=title, message=message), status


@blueprint.app_errorhandler(OperationalError)
def database_unavailable(_error: OperationalError) -> Response:
    """The app's database restarting or failing over: a 503 the handheld retries, not a 500."""
    db.session.rollback()
    message = gettext("The server cannot reach its database just now; what this handheld holds stays on it and is sent again shortly.")
    try:
        response = make_response(_answer(503, "unavailable", gettext("Unavailable"), message))
    except OperationalError:  # the page's layout asked the database too
        response = make_response((message, 503, {"Content-Type": "text/plain; charset=utf-8"}))
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@blueprint.app_errorhandler(CSRFError)
def csrf_error(_error: CSRFError):
    return _answer(400, "form_expired", gettext("Form expired"),
                   gettext("This form has expired or was not sent from this app. Reload the page and try again."))


@blueprint.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    status = error.code or 500
    code, title, message = MESSAGES.get(status, (error.name.lower().replace(" ", "_"), error.name, error.description or ""))
    return _answer(status, code, title, message)
