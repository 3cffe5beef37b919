"""Ward replenishment: the handheld screens (what is low and two-bin cards; pick and deliver), which
run on the device like the other workflows and so work offline, and the supervisor's browser pages
(par levels, the stock-out watch), read from the local catalog cache and the outbox."""
from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from app.extensions import db
from app.security.access import requires
from app.security.roles import Permission
from app.services import replenishment
from offline_sync.persistence import utcnow
from views.workflows import render_page_or_block

blueprint = Blueprint("replenishment", __name__)


@blueprint.get("/replenish")
@requires(Permission.REQUEST_REPLENISHMENT)
def request_page():
    return render_page_or_block("replenishment/request.html", "content")


@blueprint.get("/replenish/pick")
@requires(Permission.DELIVER_REPLENISHMENT)
def pick_page():
    return render_page_or_block("replenishment/pick.html", "content")


@blueprint.get("/par-levels")
@requires(Permission.SET_PAR_LEVELS)
def par_levels():
    wards = replenishment.wards(db.session)
    ward = request.args.get("ward") or (wards[0].barcode if wards else "")
    return render_template(
        "replenishment/par_levels.html", wards=wards, ward=ward, rows=replenishment.par_levels(db.session, ward),
        locations=replenishment.stocked_locations(db.session, ward), products=replenishment.products(db.session),
    )


@blueprint.get("/par-levels/cards")
@requires(Permission.SET_PAR_LEVELS)
def bin_cards():
    ward = request.args.get("ward", "")
    return render_template("replenishment/cards.html", ward=ward, cards=replenishment.bin_cards(db.session, ward))


@blueprint.post("/par-levels")
@requires(Permission.SET_PAR_LEVELS)
def set_par_level():
    form = request.form
    try:
        replenishment.queue_par_level(
            db.session, current_user._get_current_object(), location=form.get("location", ""), gtin=form.get("gtin", ""),
            minimum=form.get("minimum", ""), maximum=form.get("maximum", ""), reason=form.get("reason", ""),
            address=request.remote_addr or "", now=utcnow(),
        )
        flash(gettext("Par level of %(gtin)s at %(location)s queued: %(minimum)s to %(maximum)s. It reaches the inventory with the next sync.",
                      gtin=form.get("gtin"), location=form.get("location"), minimum=form.get("minimum"), maximum=form.get("maximum")),
              "info")
    except replenishment.ReplenishmentError as error:
        flash(str(error), "error")
    return redirect(url_for("replenishment.par_levels", ward=form.get("ward", "")))


@blueprint.get("/stock-outs")
@requires(Permission.SET_PAR_LEVELS)
def stock_outs():
    hours = current_app.config["REPLENISH_STALE_HOURS"]
    watch = replenishment.stock_out_watch(db.session, timedelta(hours=hours), utcnow())
    return render_page_or_block("replenishment/stock_outs.html", "watch", watch=watch, stale_hours=hours)
