"""The supervisor's inbox of parked commands (DESIGN §5): each conflict with the ways out that
offline_sync offers, a reason for the audit, and the decision applied by app.services.conflicts."""
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.security.access import requires
from app.security.roles import Permission
from app.services import conflicts
from app.services.backend import inventory_backend
from app.services.sync import refresh_catalog
from offline_sync.catalog_cache import CachedProduct
from offline_sync.outbox.models import Status
from offline_sync.outbox.resolutions import CATALOG_CHANGING, ResolutionError, decided_already, offered
from offline_sync.persistence import utcnow
from views.workflows import render_page_or_block

blueprint = Blueprint("conflicts", __name__)
TITLES = {
    "unknown_product": lazy_gettext("Unknown product"),
    "unknown_lot": lazy_gettext("Unknown lot"),
    "expiry_mismatch": lazy_gettext("Expiry differs from the label"),
    "insufficient_stock": lazy_gettext("Not enough stock"),
    "expired_or_recalled": lazy_gettext("Expired or recalled lot"),
    "receipt_closed": lazy_gettext("Receipt already closed"),
    "count_overtaken": lazy_gettext("Stock moved after the count"),
    "not_permitted": lazy_gettext("Not permitted here"),
    "location_unknown": lazy_gettext("Unknown location"),
    "sync_failed": lazy_gettext("Could not sync"),
    "receipt_not_found": lazy_gettext("Receipt not found"),
    "no_par_level": lazy_gettext("No par level here"),
    "lot_not_in_store": lazy_gettext("Lot not in the store"),
    "transfer_closed": lazy_gettext("Transfer already closed"),
}
# The ways out offline_sync offers (resolutions.offered), in the reader's language, by action; a new
# action shows offline_sync's English label until it is added here.
CHOICE_LABELS = {
    "discard": lazy_gettext("Discard this command (nothing reaches the inventory)"),
    "link_gtin": lazy_gettext("Link this GTIN to a product"),
    "link_gtin_box": lazy_gettext("Link this GTIN to a product as a box of several units"),
    "create_lot": lazy_gettext("Create the lot with the label's expiry"),
    "pick_lot": lazy_gettext("Use another lot"),
    "keep_backend_expiry": lazy_gettext("Keep the inventory's expiry date"),
    "update_lot_expiry": lazy_gettext("Change the lot's expiry to the label's"),
    "apply_anyway": lazy_gettext("Apply anyway (stock goes negative until counted)"),
    "reduce": lazy_gettext("Reduce the quantity"),
    "override": lazy_gettext("Allow this lot once (supervisor override)"),
    "into_backorder": lazy_gettext("Receive into another receipt (the backorder)"),
    "unplanned_receipt": lazy_gettext("Receive as an unplanned receipt"),
    "count_as_of": lazy_gettext("Count as of the counting time (counted + moves since)"),
    "keep_counted": lazy_gettext("Keep the counted quantity"),
    "keep_difference": lazy_gettext("Keep the difference seen at count time"),
    "explicit": lazy_gettext("Set a quantity"),
    "recount": lazy_gettext("Discard and ask for a recount"),
    "reassign": lazy_gettext("Attribute to another user who may do this"),
    "map_location": lazy_gettext("Use another location"),
    "scrap_instead": lazy_gettext("Scrap it instead, with the same reason"),
    "set_par_level": lazy_gettext("Set a par level for the product at this ward and request again"),
    "pick_other_lot": lazy_gettext("Pick another lot instead"),
    "request_again": lazy_gettext("Request again what the closed transfer did not deliver, onto the ward's open transfer"),
    "retry": lazy_gettext("Try again now"),
}
NEED_LABELS = {
    "quantity": lazy_gettext("Quantity"), "lot": lazy_gettext("Lot"), "location": lazy_gettext("Location barcode"),
    "receipt": lazy_gettext("Receipt reference"), "product_id": lazy_gettext("Product"), "pack_quantity": lazy_gettext("Units in one box"),
    "username": lazy_gettext("Username"), "minimum": lazy_gettext("Minimum on the ward"),
    "maximum": lazy_gettext("Maximum: a refill brings it back to this"),
}


def _products() -> tuple[dict[str, str], list[tuple[int, str]]]:
    """Product names by GTIN (for the lines) and (id, name) choices (for linking a GTIN), once per product
    though a box's GTIN names it too."""
    products = list(db.session.scalars(select(CachedProduct).order_by(CachedProduct.name)))
    return {p.gtin: p.name for p in products}, list({p.id: p.name for p in products}.items())


def _card(row: Any, names: dict[str, str]) -> dict[str, Any]:
    payload = row.payload or {}
    lines = payload.get("lines") or ([payload] if "gtin" in payload else [])
    choices = [{"action": c.action, "label": str(CHOICE_LABELS.get(c.action, c.label)), "needs": c.needs}
               for c in offered(row.conflict_kind, row.kind)]
    return {
        "op_id": row.op_id,
        "kind": row.kind,
        "title": TITLES.get(row.conflict_kind or "", row.conflict_kind or lazy_gettext("Parked")),
        "message": row.conflict_message or row.last_error,
        "who": row.username,
        "captured_at": row.captured_at,
        "device": row.device_id,
        "where": " → ".join(str(payload[k]) for k in ("source", "destination", "location", "receipt") if payload.get(k)),
        "lines": [
            {"name": names.get(str(line.get("gtin")), f"GTIN {line.get('gtin')}"), "lot": line.get("lot"),
             "expiry": line.get("expiry"), "quantity": line.get("quantity", line.get("counted"))}
            for line in lines
        ],
        "requested": (payload.get("override") or {}).get("reason", ""),
        "choices": choices,
        # each value a choice needs besides the reason, with the choices that need it
        "needs": {need: [c["label"] for c in choices if need in c["needs"]] for c in choices for need in c["needs"]},
    }


@blueprint.get("/conflicts")
@requires(Permission.RESOLVE_CONFLICTS)
def inbox():
    names, products = _products()
    page = conflicts.parked(db.session, request.args.get("page", 1, type=int))
    cards = [_card(row, names) for row in page.rows]
    return render_page_or_block("conflicts/inbox.html", "inbox", cards=cards, page=page, products=products, labels=NEED_LABELS)


def _params(form: Any, needs: tuple[str, ...]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name in needs:
        value = form.get(f"{name}", "").strip()
        if name in ("quantity", "pack_quantity"):
            try:
                params[name] = float(value)
            except ValueError:
                raise ResolutionError(gettext("Give the %(field)s as a number.", field=str(NEED_LABELS[name]).lower())) from None
        elif name == "product_id":
            params[name] = int(value) if value.isdigit() else None
        else:
            params[name] = value
    return params


@blueprint.post("/conflicts/resolve")
@requires(Permission.RESOLVE_CONFLICTS)
def resolve():
    op_id, action = request.form.get("op_id", ""), request.form.get("action", "")
    row = conflicts.command(db.session, op_id)
    choice = next((c for c in offered(row.conflict_kind, row.kind) if c.action == action), None) if row else None
    error, outcome = "", None
    if row is None:
        error = gettext("There is no such command; reload the inbox.")
    elif row.status != Status.CONFLICT:
        error = decided_already(row)
    elif choice is None:
        error = gettext("Choose one of the ways out.")
    else:
        try:
            outcome = conflicts.decide(
                db.session, inventory_backend(), op_id, action, supervisor=current_user._get_current_object(),
                reason=request.form.get("reason", ""), params=_params(request.form, choice.needs),
                address=request.remote_addr or "", now=utcnow(),
            )
        except ResolutionError as failure:
            error = str(failure)
        else:
            if action in CATALOG_CHANGING:
                refresh_catalog()  # the handhelds' next catalog sync has it, not the one after the worker's refresh
    if request.headers.get("HX-Request") == "true":
        names, products = _products()
        card = _card(row, names) if row is not None and row.status == Status.CONFLICT and outcome is None else None
        html = render_template("conflicts/_card.html", card=card, outcome=outcome, error=error, op_id=op_id,
                               products=products, labels=NEED_LABELS,
                               form=request.form)
        return html, 200, {"Vary": "HX-Request"}  # 200 either way: htmx swaps the card in, error included
    flash(outcome.message if outcome else error, "info" if outcome else "error")
    return redirect(url_for("conflicts.inbox"))
