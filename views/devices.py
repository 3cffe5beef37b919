"""The handhelds a supervisor or an administrator looks after: who logged in on each, and revoking
a token (a lost or stolen handheld)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from app.extensions import db
from app.security.access import requires
from app.security.roles import Permission
from app.services import devices

blueprint = Blueprint("devices", __name__)
MAX_REASON = 200


@blueprint.get("/devices")
@requires(Permission.MANAGE_DEVICES)
def index():
    return render_template("devices/list.html", handhelds=devices.listed(db.session))


@blueprint.post("/devices/revoke")
@requires(Permission.MANAGE_DEVICES)
def revoke():
    device_id, reason = request.form.get("device_id", ""), request.form.get("reason", "").strip()
    if not reason or len(reason) > MAX_REASON:
        flash(gettext("Give a reason of at most %(maximum)s characters (lost, stolen, left the ward…): it is kept in the audit log.", maximum=MAX_REASON), "error")
        return redirect(url_for("devices.index"))
    try:
        device = devices.revoke(db.session, device_id, current_user._get_current_object(), request.remote_addr or "", reason)
    except devices.NoSuchDevice as missing:
        flash(str(missing), "error")
        return redirect(url_for("devices.index"))
    db.session.commit()
    flash(gettext("Handheld %(device)s can no longer send anything with its token. Its queue stays on it until someone logs in on it again.",
                  device=device.name or device.id), "info")
    return redirect(url_for("devices.index"))
