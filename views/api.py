"""The device API, /api/v1: register a handheld, send commands, ask their status, sync health.
Answers are JSON, errors included (401 is never a redirect). The contract is static/openapi.json."""
import json
import re
from typing import Any

from flask import Blueprint, current_app, g, jsonify, request, send_from_directory
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from app.extensions import csrf, db
from app.security.access import bearer_token, device_or_user, public, requires
from app.security.roles import Permission
from app.services import device_catalog, devices, intake, sync_exchange
from offline_sync.outbox import health
from offline_sync.outbox.payloads import shown
from offline_sync.persistence import utcnow

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_STATUS_IDS = sync_exchange.MAX_WATCHED
DEVICE_ID_RULE = "device_id must be 8 to 64 letters, digits, dashes or underscores."
MAX_DEVICE_NAME = 120


class BadBody(Exception):
    """The request's body cannot be read as the JSON object the route takes."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_json(status: int, code: str, message: str):
    return jsonify(error=code, message=message), status


@blueprint.errorhandler(BadBody)
def bad_body(error: BadBody):
    return error_json(error.status, error.code, error.message)


@blueprint.errorhandler(RequestEntityTooLarge)
def too_large(_exception: RequestEntityTooLarge):
    return error_json(413, "too_large", too_large_message("This request", "Send fewer commands at a time."))


def too_large_message(what: str, advice: str) -> str:
    """`what` is over MAX_CONTENT_LENGTH: say by how much, and what to do."""
    mb = 1024 * 1024
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    size = f"{request.content_length / mb:.1f} MB" if request.content_length else "too large"
    return f"{what} is {size}; the server takes at most {limit // mb} MB. {advice}"


def json_object(what: str) -> dict[str, Any]:
    """The body as a JSON object (RFC 8259: NaN and Infinity are not JSON), or BadBody saying what came instead."""
    if not request.is_json:
        found = f"Content-Type {request.mimetype}" if request.mimetype else "no Content-Type"
        raise BadBody(415, "not_json", f"Send {what} as JSON (Content-Type: application/json); this request has {found}.")
    try:
        body = json.loads(request.get_data(), parse_constant=_not_json)
    except RecursionError:
        raise BadBody(400, "bad_json", f"The body is JSON nested too deeply to read; send {what}.") from None
    except ValueError as error:  # also bad UTF-8
        raise BadBody(400, "bad_json", f"The body is not valid JSON ({error}); send {what}.") from None
    if not isinstance(body, dict):
        raise BadBody(400, "bad_json", f"The body is {_json_kind(body)}, not an object; send {what}.")
    return body


def _json_kind(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return f"the JSON value {json.dumps(value)}"
    return {list: "a JSON list", str: "a JSON text"}.get(type(value), "a JSON number")


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not a JSON number")


def device_id_of(body: dict) -> str | None:
    device_id = body.get("device_id")
    return device_id if isinstance(device_id, str) and DEVICE_ID.match(device_id) else None


def _device_name(body: dict) -> str:
    name = body.get("name", "")
    if not isinstance(name, str) or len(name) > MAX_DEVICE_NAME or not name.isprintable():
        raise BadBody(400, "bad_name", f"name must be plain text of at most {MAX_DEVICE_NAME} characters, like 'Zebra TC52 ward 3B'.")
    return name


@blueprint.post("/devices")
@requires()
def register_device():
    """The logged-in user on this handheld, which shows the token it made itself: registered with it
    (201), or linked when the token is already its own (200); refused when the id has another live
    token (409). Without a token the server makes one and sends it, once (201)."""
    body = json_object("an object with device_id and name")
    device_id = device_id_of(body)
    if device_id is None:
        return error_json(400, "bad_device_id", DEVICE_ID_RULE)
    name, address = _device_name(body), request.remote_addr or ""
    shown = bearer_token() or None
    owner = devices.by_token(db.session, shown) if shown else None
    if owner is not None and owner.id != device_id:
        return error_json(409, "device_taken", "This token belongs to another handheld; a handheld keeps a token of its own.")
    if owner is not None:
        devices.link(db.session, owner, current_user, address)
        db.session.commit()
        return jsonify(device_id=device_id, user_id=current_user.id), 200
    try:
        token = devices.register(db.session, device_id, name, current_user, address, token=shown)
    except devices.DeviceTaken as taken:
        return error_json(409, "device_taken", str(taken))
    except ValueError as error:
        return error_json(400, "bad_token", str(error))
    db.session.commit()
    made_here = {"token": token} if shown is None else {}
    return jsonify(device_id=device_id, user_id=current_user.id, **made_here), 201


@blueprint.post("/commands")
@csrf.exempt
@device_or_user
def submit_commands():
    body = json_object("an object with device_id and commands")
    device_id = device_id_of(body)
    if device_id is None:
        return error_json(400, "bad_device_id", DEVICE_ID_RULE)
    if g.device is not None and g.device.id != device_id:
        return error_json(403, "wrong_device", "This token belongs to another device.")
    session_user = None if g.device is not None else current_user._get_current_object()
    try:
        results = intake.accept(db.session, device_id, body.get("commands"), session_user, request.remote_addr or "", utcnow(),
                                longest_login=current_app.config["PERMANENT_SESSION_LIFETIME"])
    except intake.IntakeError as error:
        return error_json(400, "bad_batch", str(error))
    return jsonify(results=[sync_exchange.result_json(result) for result in results])


@blueprint.get("/commands/status")
@csrf.exempt
@device_or_user
def command_status():
    """A few op_ids in the URL (a proxy refuses long URLs: a handheld with many open commands asks with POST)."""
    return _statuses([op_id for op_id in request.args.get("ids", "").split(",") if op_id][:MAX_STATUS_IDS])


@blueprint.post("/commands/status")
@csrf.exempt
@device_or_user
def command_status_in_body():
    """Up to MAX_STATUS_IDS op_ids in the body, whatever their number: a URL of 200 of them was refused (414)."""
    ids = json_object("an object with ids, a list of op_ids").get("ids")
    if not isinstance(ids, list) or not all(isinstance(op_id, str) for op_id in ids):
        raise BadBody(400, "bad_ids", f"ids must be a list of op_ids (texts), but it is {shown(ids)}.")
    if len(ids) > MAX_STATUS_IDS:
        raise BadBody(400, "too_many_ids", f"Ask for at most {MAX_STATUS_IDS} op_ids at a time; this request has {len(ids)}.")
    return _statuses(list(dict.fromkeys(ids)))


def caller() -> sync_exchange.Caller:
    """Who sent this request: the handheld whose token it carries, or else the logged-in user."""
    if g.device is not None:
        return sync_exchange.Caller(g.device.id, None)
    return sync_exchange.Caller(None, current_user._get_current_object())


def _statuses(ids: list[str]):
    return jsonify(statuses=sync_exchange.statuses(db.session, ids, caller()))


@blueprint.get("/catalog")
@csrf.exempt
@device_or_user
def catalog():
    """The whole offline catalog; a device that sends If-None-Match with the version it has gets 304."""
    version = device_catalog.version(db.session)
    if request.if_none_match.contains(version):
        return "", 304, {"ETag": f'"{version}"'}
    response = jsonify(device_catalog.snapshot(db.session))
    response.set_etag(version)
    return response


@blueprint.get("/sync/health")
@requires(Permission.VIEW_REPORTS)
def sync_health():
    return jsonify(health.summary(db.session, utcnow()).as_json())


@blueprint.get("/openapi.json")
@public
def openapi():
    return send_from_directory(current_app.static_folder, "openapi.json", mimetype="application/json")
