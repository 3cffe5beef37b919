"""The training sandbox's page of demo logins and printable demo barcodes (absent with a real Odoo)."""
from datetime import date

from flask import Blueprint, abort, current_app, render_template

from app.demo import DEMO_PASSWORD, DEMO_USERS
from app.security.access import public
from app.services.backend import inventory_backend
from app.services.demo_labels import code_label, location_labels, lot_labels

blueprint = Blueprint("training", __name__, url_prefix="/training")


@blueprint.get("/barcodes")
@public
def barcodes():
    if current_app.config["WARDSTOCK_BACKEND"] != "sandbox":
        abort(404)
    catalog = inventory_backend().catalog()
    badges = [code_label(user.display_name, f"{user.role} · PIN {user.pin}", user.badge) for user in DEMO_USERS]
    return render_template(
        "training/barcodes.html",
        lots=lot_labels(catalog, date.today()),
        locations=location_labels(catalog),
        badges=badges,
        users=DEMO_USERS,
        password=DEMO_PASSWORD,
    )
