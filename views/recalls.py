"""Recalls (supervisor): enter a recall notice, and the recall trace of a lot as a page and as CSV."""
import uuid

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from app.extensions import db
from app.security.access import requires
from app.security.roles import Permission
from app.services import recall_trace, recalls
from app.services.backend import inventory_backend
from offline_sync.persistence import utcnow

blueprint = Blueprint("recalls", __name__)


def _gtin14(text: str) -> str:
    """A GTIN as typed (8, 12, 13 or 14 digits) in its 14-digit form; anything else as typed, for the check to name."""
    digits = text.strip()
    return digits.zfill(14) if digits.isdigit() and len(digits) in (8, 12, 13) else digits


@blueprint.get("/recalls")
@requires(Permission.RECALL)
def recall_form():
    return render_template("expiry/recalls.html", op_id=str(uuid.uuid4()), recent=recalls.recent(db.session), form={})


@blueprint.post("/recalls")
@requires(Permission.RECALL)
def enter_recall():
    form = request.form
    every_lot = form.get("scope") == "all"
    lots = () if every_lot else recalls.lots_from_text(form.get("lots", ""))
    error = "" if every_lot or lots else gettext("Name the recalled lots, or choose “every lot of the product”.")
    if not error:
        notice = recalls.RecallNotice(op_id=form.get("op_id", ""), gtin=_gtin14(form.get("gtin", "")), lots=lots,
                                      notice=form.get("notice", ""))
        try:
            recalls.enter(db.session, current_user._get_current_object(), notice, request.remote_addr or "", utcnow())
        except recalls.RecallError as failure:
            error = str(failure)
    if error:
        flash(error, "error")
        return render_template("expiry/recalls.html", op_id=form.get("op_id") or str(uuid.uuid4()),
                               recent=recalls.recent(db.session), form=form), 400
    flash(gettext("Recall of %(lots)s kept: it is marked in the inventory at the next sync, and handhelds refuse the lots from their "
                  "next catalog sync.", lots=gettext("every lot") if every_lot else ", ".join(lots)), "info")
    return redirect(url_for("recalls.trace", gtin=_gtin14(form.get("gtin", "")), lot=lots[0] if len(lots) == 1 else ""))


@blueprint.get("/recalls/trace")
@requires(Permission.EXPIRY_REPORTS)
def trace():
    gtin, lot = _gtin14(request.args.get("gtin", "")), request.args.get("lot", "").strip()
    report = recall_trace.trace(db.session, inventory_backend(), gtin, lot) if gtin and lot else None
    lots = recall_trace.lots_of(db.session, gtin) if gtin and not lot else []
    return render_template("expiry/trace.html", gtin=gtin, lot=lot, report=report, lots=lots)


@blueprint.get("/recalls/trace.csv")
@requires(Permission.EXPIRY_REPORTS)
def trace_csv():
    gtin, lot = _gtin14(request.args.get("gtin", "")), request.args.get("lot", "").strip()
    if not (gtin and lot):
        return Response("Give gtin and lot, e.g. ?gtin=05012345100029&lot=SYR10-2502\n", 400, mimetype="text/plain")
    report = recall_trace.trace(db.session, inventory_backend(), gtin, lot)
    return Response(recall_trace.as_csv(report), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="trace-{gtin}-{_safe(lot)}.csv"'})


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)[:40]
