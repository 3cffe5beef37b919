"""POST /api/v1/sync: a handheld's whole background sync in one round trip (app/services/sync_exchange.py).
Same authentication, errors and limits as POST /api/v1/commands (views/api.py)."""
import gzip
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from app.extensions import csrf, db
from app.security.access import device_or_user
from app.services import intake, sync_exchange
from offline_sync.outbox.payloads import shown
from offline_sync.persistence import utcnow
from views.api import DEVICE_ID_RULE, BadBody, bad_body, caller, device_id_of, error_json, json_object, too_large

blueprint = Blueprint("api_sync", __name__, url_prefix="/api/v1")
blueprint.register_error_handler(BadBody, bad_body)
blueprint.register_error_handler(RequestEntityTooLarge, too_large)
MAX_CATALOG_VERSION = 64
GZIP_FROM = 2048  # bytes
GZIP_LEVEL = 6


def _watch(body: dict[str, Any]) -> dict[str, str]:
    watch = body.get("watch", {})
    if not isinstance(watch, dict) or not all(isinstance(status, str) for status in watch.values()):
        raise BadBody(400, "bad_watch", f"watch must be an object of op_id: last status seen (texts), but it is {shown(watch)}.")
    if len(watch) > sync_exchange.MAX_WATCHED:
        raise BadBody(400, "too_many_ids",
                      f"Watch at most {sync_exchange.MAX_WATCHED} op_ids at a time; this request has {len(watch)}.")
    return watch


def _catalog_version(body: dict[str, Any]) -> str | None:
    known = body.get("catalog")
    if known is not None and not (isinstance(known, str) and len(known) <= MAX_CATALOG_VERSION):
        raise BadBody(400, "bad_catalog",
                      f"catalog must be the catalog version this handheld holds (a text) or null, but it is {shown(known)}.")
    return known


@blueprint.post("/sync")
@csrf.exempt
@device_or_user
def sync():
    """Commands kept, watched statuses that changed, catalog changes: see static/openapi.json."""
    body = json_object("an object with device_id and commands")  # watch and catalog may be left out
    device_id = device_id_of(body)
    if device_id is None:
        return error_json(400, "bad_device_id", DEVICE_ID_RULE)
    if g.device is not None and g.device.id != device_id:
        return error_json(403, "wrong_device", "This token belongs to another device.")
    exchange = sync_exchange.Request(device_id, body.get("commands"), _watch(body), _catalog_version(body))
    try:
        answer = sync_exchange.exchange(db.session, exchange, caller(), request.remote_addr or "", utcnow(),
                                        longest_login=current_app.config["PERMANENT_SESSION_LIFETIME"])
    except intake.IntakeError as error:
        return error_json(400, "bad_batch", str(error))
    response = jsonify(answer)
    if answer["catalog"].get("full"):
        _gzip(response)
    return response


def _gzip(response: Response) -> None:
    """A full catalog is megabytes of JSON and a tenth of that gzipped: sent gzipped to a handheld
    that accepts it (every browser does). Small answers go as they are: compressing them costs more than it saves."""
    response.vary.add("Accept-Encoding")
    if "gzip" in request.accept_encodings and len(response.get_data()) > GZIP_FROM:
        response.set_data(gzip.compress(response.get_data(), GZIP_LEVEL))
        response.headers["Content-Encoding"] = "gzip"
