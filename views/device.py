"""The handheld itself: its service worker, the offline fallback page, "my queue", the scanner
setup page with a test label, and photo decoding for devices whose camera scanning fails."""
import hashlib
import json
from functools import lru_cache
from pathlib import Path

import zxingcpp
from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask_babel import gettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from app.extensions import db
from app.i18n.scan_errors import scan_error_message
from app.security.access import public, requires
from app.security.roles import Permission
from app.services import devices, photos
from offline_sync.outbox.models import OutboxCommand
from views.api import DEVICE_ID, too_large_message
from views.workflows import render_page_or_block

blueprint = Blueprint("device", __name__)
# The app shell the service worker precaches: everything the pages load, so they work offline.
SHELL_FOLDERS = ("css", "js", "icons", "vendor")
SHELL_FILES = ("manifest.webmanifest",)
QUEUE_ROWS = 200
# The scanner check label: a lot and a serial number, both variable-length, so the GS between them
# is needed; a wedge that drops it sends text scanners/ (and gs1.js) refuse as ambiguous.
TEST_LABEL = "(01)09501101530003(17)281231(10)TEST-LOT(21)SN42"


def _shell_files(static: Path) -> list[Path]:
    files = [static / name for name in SHELL_FILES]
    for folder in SHELL_FOLDERS:
        files += sorted(p for p in (static / folder).rglob("*") if p.is_file() and not p.name.startswith("."))
    return [f for f in files if f.exists()]


@lru_cache(maxsize=8)
def _precache(static: str, stamp: tuple[tuple[str, int, int], ...]) -> tuple[list[str], str]:
    """The URLs to precache and a version that changes whenever one of them (or sw.js) does."""
    root = Path(static)
    digest = hashlib.sha256()
    for name, _, _ in stamp:
        digest.update(name.encode())
        digest.update((root / name).read_bytes())
    urls = ["/static/" + name for name, _, _ in stamp if name != "sw.js"]
    return urls, digest.hexdigest()[:16]


@blueprint.get("/sw.js")
@public
def service_worker() -> Response:
    """Served from the root so its scope is the whole app; never cached by HTTP."""
    static = Path(current_app.static_folder)
    files = [*_shell_files(static), static / "sw.js"]
    stamp = tuple((f.relative_to(static).as_posix(), f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    urls, version = _precache(str(static), stamp)
    source = (static / "sw.js").read_text()
    source = source.replace('"__VERSION__"', json.dumps(version)).replace('["__PRECACHE__"]', json.dumps([*urls, "/device/offline", "/login"]))
    response = Response(source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@blueprint.get("/device/offline")
@public
def offline():
    """What a page not yet visited shows offline. Standalone: it is cached for every user."""
    return render_template("device/offline.html")


@blueprint.get("/device/queue")
@requires()
def queue():
    """This handheld's commands: the device's own list (from IndexedDB, drawn by queue.js) and,
    as an htmx fragment, what the server holds for the device (device_id from the device)."""
    device_id = request.args.get("device_id", "")
    if device_id and not DEVICE_ID.fullmatch(device_id):
        return "device_id must be 8 to 64 letters, digits, dashes or underscores, as the handheld made it; reload this page.", 400
    rows: list[OutboxCommand] = []
    if device_id and (current_user.can(Permission.RESOLVE_CONFLICTS)
                      or current_user.id in devices.linked_user_ids(db.session, device_id)):
        rows = list(db.session.scalars(
            select(OutboxCommand).where(OutboxCommand.device_id == device_id)
            .order_by(OutboxCommand.id.desc()).limit(QUEUE_ROWS)
        ))
    return render_page_or_block("device/queue.html", "server_queue", rows=rows, device_id=device_id)


@blueprint.get("/device/scanner")
@requires()
def scanner_setup():
    matrix = zxingcpp.create_barcode(TEST_LABEL, zxingcpp.BarcodeFormat.DataMatrix, gs1=True)
    linear = zxingcpp.create_barcode(TEST_LABEL, zxingcpp.BarcodeFormat.Code128, gs1=True)
    svgs = [_inline_svg(zxingcpp.write_barcode_to_svg(code, scale=3)) for code in (matrix, linear)]
    return render_template("device/scanner.html", label=TEST_LABEL, matrix_svg=svgs[0], linear_svg=svgs[1])


def _inline_svg(svg: str) -> str:
    return svg[svg.index("<svg"):]


# The photo route is called by fetch and answered in JSON, also when the upload is refused before
# it runs (the only POST here, so these handlers only ever see it).
@blueprint.errorhandler(RequestEntityTooLarge)
def photo_too_large(_exception: RequestEntityTooLarge):
    advice = gettext("Take it again at a lower resolution (the camera setting), or crop it to the label.")
    return jsonify(error="too_large", message=too_large_message(gettext("The photo"), advice)), 413


@blueprint.errorhandler(CSRFError)
def photo_form_expired(_exception: CSRFError):
    return jsonify(error="csrf", message=gettext("The page is out of date; reload it and take the photo again.")), 400


def _what_came() -> str:
    files = [name for name in request.files if name]
    if files:
        return gettext("a file in the field %(fields)s", fields=", ".join(repr(name[:40]) for name in files[:3]))
    if request.form:
        return gettext("only text fields")
    return gettext("a body of type %(type)s", type=request.mimetype) if request.mimetype else gettext("an empty body")


@blueprint.post("/device/photo")
@requires()
def photo():
    """A photo of a barcode, read on the server by scanners/ (zxing-cpp, then its cascade)."""
    from scanners import ImageError  # imported here: OpenCV loads only when a photo comes

    upload = request.files.get("photo")
    if upload is None:
        message = gettext("Send the photo as a file in the form field 'photo'; this request has %(what)s.", what=_what_came())
        return jsonify(error="no_photo", message=message), 400
    try:
        reads = photos.read(upload.read())
    except ImageError as error:
        return jsonify(error="bad_image", message=scan_error_message(error)), 400
    if not reads:
        return jsonify(reads=[], message=gettext("No barcode could be read in this photo. Hold the phone closer and steady, in good light."))
    return jsonify(reads=[{"raw": read.raw, "text": read.text, "symbology": read.symbology_identifier, "format": read.format}
                          for read in reads])
