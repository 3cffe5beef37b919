"""The four stock workflows' page shells. The scan → feedback loop runs on the device
(static/js/), so these pages work offline from the service worker's cache; only the receipt list
is asked of the server (as an htmx fragment: the page's `receipts` block)."""
from flask import Blueprint, Response, current_app, make_response, render_template, request
from jinja2 import Template
from sqlalchemy import select

from app.extensions import db
from app.security.access import requires
from app.security.roles import Permission
from offline_sync.catalog_cache import CachedLocation, CachedProduct, CachedReceipt

blueprint = Blueprint("workflows", __name__)
CLOSED_RECEIPT_STATES = ("done", "cancel", "cancelled")


def render_page_or_block(template: str, block: str, **context: object) -> Response:
    """The whole page, or for an htmx request only its named `block`. Either way the answer
    varies with HX-Request, so caches (the service worker's included) keep the two apart."""
    if request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request"):
        body = _render_block(current_app.jinja_env.get_template(template), block, _template_context() | context)
        response = make_response(body)
    else:
        response = make_response(render_template(template, **context))
    response.vary.add("HX-Request")
    return response


def _render_block(page: Template, block: str, names: dict[str, object]) -> str:
    """One block of `page` alone. The template's top level runs first, up to its first output:
    that is where its `{% from ... import %}` names are set, which the block needs."""
    context = page.new_context(names)
    top_level = page.root_render_func(context)
    next(top_level, None)
    top_level.close()
    return "".join(page.blocks[block](context))


def _template_context() -> dict[str, object]:
    """What render_template would add (request, session, g, current_user, csrf_token, config)."""
    context: dict[str, object] = {}
    current_app.update_template_context(context)
    return context


@blueprint.get("/consume")
@requires(Permission.CONSUME)
def consume():
    return render_page_or_block("workflows/consume.html", "content")


@blueprint.get("/transfer")
@requires(Permission.TRANSFER)
def transfer():
    return render_page_or_block("workflows/transfer.html", "content")


@blueprint.get("/count")
@requires(Permission.COUNT)
def count():
    return render_page_or_block("workflows/count.html", "content")


@blueprint.get("/receive")
@requires(Permission.RECEIVE)
def receive():
    return render_page_or_block("workflows/receive.html", "receipts", receipts=_open_receipts())


def _open_receipts() -> list[dict[str, object]]:
    """Open receipts from the local catalog cache (never from Odoo in the request path)."""
    receipts = db.session.scalars(
        select(CachedReceipt).where(CachedReceipt.state.not_in(CLOSED_RECEIPT_STATES)).order_by(CachedReceipt.reference)
    ).all()
    names = dict(db.session.execute(select(CachedProduct.id, CachedProduct.name)).all())
    places = dict(db.session.execute(select(CachedLocation.id, CachedLocation.barcode)).all())
    return [
        {
            "reference": receipt.reference,
            "destination": places.get(receipt.destination_id, ""),
            "lines": [
                {"name": names.get(line["product_id"], f"product {line['product_id']}"),
                 "expected": line.get("expected", 0), "received": line.get("received", 0)}
                for line in receipt.lines
            ],
        }
        for receipt in receipts
    ]
