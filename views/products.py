"""Unknown barcodes (supervisors): find a product in the catalog and link a scanned GTIN the
inventory does not know to it, as its own barcode or as a box of its units (app.services.gtin_links)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from app.extensions import db
from app.security.access import requires
from app.security.roles import Permission
from app.services import gtin_links
from app.services.backend import inventory_backend
from app.services.sync import refresh_catalog

blueprint = Blueprint("products", __name__)


@blueprint.get("/products")
@requires(Permission.RESOLVE_CONFLICTS)
def index():
    query, gtin = request.args.get("q", ""), request.args.get("gtin", "")
    return render_template("products/link.html", found=gtin_links.find(db.session, query), query=query, gtin=gtin,
                           form={}, limit=gtin_links.MAX_FOUND)


@blueprint.post("/products/link")
@requires(Permission.RESOLVE_CONFLICTS)
def link():
    form = request.form
    try:
        gtin = gtin_links.checked_gtin(form.get("gtin", ""))
        units = gtin_links.checked_box(form.get("pack_quantity", ""))
        product_id = form.get("product_id", "")
        if not product_id.isdigit():
            raise gtin_links.LinkError(gettext("Choose the product to link the barcode to."))
        outcome = gtin_links.link(db.session, inventory_backend(), gtin, int(product_id), units, actor=current_user.username,
                                  reason=form.get("reason", ""), address=request.remote_addr or "", refresh=refresh_catalog)
    except gtin_links.LinkError as error:
        db.session.rollback()
        flash(str(error), "error")
        found = gtin_links.find(db.session, form.get("q", ""))
        return render_template("products/link.html", found=found, query=form.get("q", ""), gtin=form.get("gtin", ""),
                               form=form, limit=gtin_links.MAX_FOUND), 422
    flash(gettext("%(outcome)s Every handheld has it at its next catalog sync.", outcome=outcome.message), "info")
    return redirect(url_for("products.index", q=gtin))
