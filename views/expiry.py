"""The expiry, waste and return screens of the handheld (issue 16). Their scan → feedback loop runs on
the device (static/js/sweep.js, waste.js, vendor-return.js), offline like the other workflows."""
from flask import Blueprint

from app.security.access import requires
from app.security.roles import Permission
from app.services.expiry import RETURN_REASONS, WASTE_REASONS, reason_choices
from views.workflows import render_page_or_block

blueprint = Blueprint("expiry", __name__)


@blueprint.get("/sweep")
@requires(Permission.SWEEP)
def sweep():
    return render_page_or_block("expiry/sweep.html", "content")


@blueprint.get("/waste")
@requires(Permission.WASTE)
def waste():
    return render_page_or_block("expiry/waste.html", "content", reasons=reason_choices(WASTE_REASONS))


@blueprint.get("/vendor-return")
@requires(Permission.RETURN_TO_VENDOR)
def vendor_return():
    return render_page_or_block("expiry/vendor_return.html", "content", reasons=reason_choices(RETURN_REASONS))
