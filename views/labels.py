"""Printing labels (storekeeper, supervisor, admin) and naming the Zebra printers (admin)."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from app.extensions import db
from app.models import LabelPrinter
from app.security.access import requires
from app.security.roles import Permission
from app.services import audit
from app.services.labels import printers
from app.services.labels.choice import MAX_LABELS, Request, labels_for, offer
from app.services.labels.label import Kind
from app.services.labels.pdf import page_count, pdf_sheets
from app.services.labels.printer import PrinterUnreachable, send
from app.services.labels.sheets import SHEET_LAYOUTS
from app.services.labels.zpl import ZEBRA_STOCKS, zpl_document

blueprint = Blueprint("labels", __name__, url_prefix="/labels")


@blueprint.get("")
@requires(Permission.PRINT_LABELS)
def index():
    return render_template(
        "labels/index.html", **offer(db.session), layouts=SHEET_LAYOUTS.values(), stocks=ZEBRA_STOCKS.values(),
        printers=printers.listed(db.session), max_labels=MAX_LABELS,
    )


@blueprint.post("/print")
@requires(Permission.PRINT_LABELS)
def print_labels():
    try:
        kind = Kind(request.form.get("kind", ""))
        chosen = labels_for(db.session, _request(kind))
        output, _, target = request.form.get("output", "").partition(":")
        response = _deliver(chosen, output, target)
    except (ValueError, LookupError, PrinterUnreachable) as refused:
        flash(str(refused), "error")
        return redirect(url_for("labels.index"))
    count = sum(copies for _, copies in chosen)
    audit.record(db.session, "labels.print", current_user.username, subject=kind.value, address=request.remote_addr or "",
                 labels=count, output=request.form.get("output", ""))
    db.session.commit()
    if response is None:
        flash(gettext("%(count)s %(kind)s label(s) sent to the printer.", count=count, kind=kind.value.replace("_", "-")), "info")
        return redirect(url_for("labels.index"))
    return response


def _request(kind: Kind) -> Request:
    form = request.form
    copies = form.get("copies", "1").strip()
    if not copies.isdigit():
        raise ValueError(gettext("The number of copies %(copies)s is not a whole number.", copies=repr(copies)))
    return Request(kind, form.getlist("chosen"), int(copies), form.get("serial", "").strip())


def _deliver(chosen, output: str, target: str) -> Response | None:
    """The PDF or ZPL as a download, or None once the job went to a printer."""
    if output == "pdf" and target in SHEET_LAYOUTS:
        layout = SHEET_LAYOUTS[target]
        body = pdf_sheets(chosen, layout)
        pages = page_count(sum(copies for _, copies in chosen), layout)
        return _download(body, "application/pdf", f"labels-{target}.pdf", {"X-Label-Pages": str(pages)})
    if output == "zpl" and target in ZEBRA_STOCKS:
        return _download(zpl_document(chosen, ZEBRA_STOCKS[target]).encode(), "application/vnd.zebra-zpl", f"labels-{target}.zpl")
    if output == "printer" and target.isdigit() and (printer := db.session.get(LabelPrinter, int(target))):
        send(printer.host, printer.port, zpl_document(chosen, ZEBRA_STOCKS[printer.stock]))
        return None
    raise ValueError(gettext("Choose how to print: a PDF sheet layout, a ZPL download or a configured printer."))


def _download(body: bytes, mimetype: str, filename: str, headers: dict[str, str] | None = None) -> Response:
    response = Response(body, mimetype=mimetype, headers=headers or {})
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@blueprint.get("/printers")
@requires(Permission.MANAGE_PRINTERS)
def printer_list():
    return render_template("labels/printers.html", printers=printers.listed(db.session), stocks=ZEBRA_STOCKS)


@blueprint.post("/printers")
@requires(Permission.MANAGE_PRINTERS)
def printer_save():
    form = request.form
    try:
        printer = printers.save(db.session, name=form.get("name", ""), host=form.get("host", ""), port=form.get("port", ""),
                                stock=form.get("stock", ""), actor=current_user.username, address=request.remote_addr or "")
    except printers.BadPrinter as bad:
        flash(str(bad), "error")
        return redirect(url_for("labels.printer_list"))
    db.session.commit()
    flash(gettext("Printer %(printer)s at %(address)s saved.", printer=printer.name, address=printer.host + ":" + str(printer.port)), "info")
    return redirect(url_for("labels.printer_list"))


@blueprint.post("/printers/remove")
@requires(Permission.MANAGE_PRINTERS)
def printer_remove():
    try:
        printer = printers.remove(db.session, int(request.form.get("printer_id", "0") or 0), actor=current_user.username,
                                  address=request.remote_addr or "")
    except (printers.BadPrinter, ValueError) as bad:
        flash(str(bad), "error")
        return redirect(url_for("labels.printer_list"))
    db.session.commit()
    flash(gettext("Printer %(printer)s removed.", printer=printer.name), "info")
    return redirect(url_for("labels.printer_list"))
