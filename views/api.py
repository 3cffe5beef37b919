"""The device API, /api/v1: register a handheld, send commands, ask their status, sync health.
Answers are JSON, errors included (401 is never a redirect). The contract is static/openapi.json."""
import re

from flask import Blueprint, current_app, g, jsonify, request, send_from_directory
from flask_login import current_user
from sqlalchemy import select

from app.extensions import csrf, db
from app.security.access import device_or_user, public, requires
from app.security.roles import Permission
from app.services import device_catalog, devices, intake
from offline_sync.outbox import health
from offline_sync.outbox.models import OutboxCommand
from offline_sync.persistence import utcnow

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")
DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
MAX_STATUS_IDS = 500


def _error(status: int, code: str, message: str):  # noqa: ANN202
    return jsonify(error=code, message=message), status


def _device_id(body: dict) -> str | None:
    device_id = body.get("device_id")
    return device_id if isinstance(device_id, str) and DEVICE_ID.match(device_id) else None


@blueprint.post("/devices")
@requires()
def register_device():  # noqa: ANN201
    body = request.get_json(silent=True) or {}
    device_id = _device_id(body)
    if device_id is None:
        return _error(400, "bad_device_id", "device_id must be 8 to 64 letters, digits, dashes or underscores.")
    token = devices.register(db.session, device_id, str(body.get("name", "")), current_user, request.remote_addr or "")
    db.session.commit()
    return jsonify(device_id=device_id, token=token, user_id=current_user.id), 201


@blueprint.post("/commands")
@csrf.exempt
@device_or_user
def submit_commands():  # noqa: ANN201
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _error(400, "bad_json", "Send a JSON object with device_id and commands.")
    device_id = _device_id(body)
    if device_id is None:
        return _error(400, "bad_device_id", "device_id must be 8 to 64 letters, digits, dashes or underscores.")
    if g.device is not None and g.device.id != device_id:
        return _error(403, "wrong_device", "This token belongs to another device.")
    session_user = None if g.device is not None else current_user._get_current_object()
    try:
        results = intake.accept(db.session, device_id, body.get("commands"), session_user, request.remote_addr or "", utcnow())
    except intake.IntakeError as error:
        return _error(400, "bad_batch", str(error))
    return jsonify(results=[
        {"op_id": r.op_id, "result": r.answer.value, "status": r.status.value if r.status else None, "message": r.message}
        for r in results
    ])


@blueprint.get("/commands/status")
@csrf.exempt
@device_or_user
def command_status():  # noqa: ANN201
    ids = [op_id for op_id in request.args.get("ids", "").split(",") if op_id][:MAX_STATUS_IDS]
    query = select(OutboxCommand).where(OutboxCommand.op_id.in_(ids))
    if g.device is not None:
        query = query.where(OutboxCommand.device_id == g.device.id)
    elif not current_user.can(Permission.RESOLVE_CONFLICTS):
        query = query.where(OutboxCommand.user_id == current_user.id)
    rows = db.session.scalars(query)
    found = {
        row.op_id: {"status": row.status, "conflict": row.conflict_kind, "message": row.conflict_message or row.last_error,
                    "refs": row.refs, "attempts": row.attempts}
        for row in rows
    }
    return jsonify(statuses={op_id: found.get(op_id, {"status": "unknown"}) for op_id in ids})


@blueprint.get("/catalog")
@csrf.exempt
@device_or_user
def catalog():  # noqa: ANN201
    """The whole offline catalog; a device that sends If-None-Match with the version it has gets 304."""
    version = device_catalog.version(db.session)
    if request.if_none_match.contains(version):
        return "", 304, {"ETag": f'"{version}"'}
    response = jsonify(device_catalog.snapshot(db.session))
    response.set_etag(version)
    return response


@blueprint.get("/sync/health")
@requires(Permission.VIEW_REPORTS)
def sync_health():  # noqa: ANN201
    return jsonify(health.summary(db.session, utcnow()).as_json())


@blueprint.get("/openapi.json")
@public
def openapi():  # noqa: ANN201
    return send_from_directory(current_app.static_folder, "openapi.json", mimetype="application/json")
