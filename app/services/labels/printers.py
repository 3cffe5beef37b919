"""The Zebra printers an administrator names: each change is kept in the audit log."""
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import LabelPrinter
from app.services import audit
from app.services.labels.printer import RAW_PORT
from app.services.labels.zpl import ZEBRA_STOCKS


class BadPrinter(ValueError):
    """A printer's settings that cannot work; the message says which and what is expected."""


def listed(session: Session) -> list[LabelPrinter]:
    return list(session.scalars(select(LabelPrinter).order_by(LabelPrinter.name)))


def save(session: Session, *, name: str, host: str, port: str, stock: str, actor: str, address: str) -> LabelPrinter:
    """Add a printer, or change the one with this name."""
    name, host = name.strip(), host.strip()
    if not name or len(name) > 80:
        raise BadPrinter(gettext("Give the printer a name of 1 to 80 characters, e.g. 'Central store Zebra'."))
    if not host or len(host) > 253 or any(char.isspace() or char in "/:@" for char in host):
        raise BadPrinter(gettext("The printer's address %(host)s is not a host name or IP address (e.g. 10.0.4.21).", host=repr(host)))
    if not port.strip().isdigit() or not 1 <= int(port) <= 65535:
        raise BadPrinter(gettext("The port %(port)s is not a number from 1 to 65535; Zebra printers take jobs on %(raw_port)s.", port=repr(port), raw_port=RAW_PORT))
    if stock not in ZEBRA_STOCKS:
        raise BadPrinter(gettext("Choose the roll the printer holds, one of: %(stocks)s.", stocks=', '.join(str(s.name) for s in ZEBRA_STOCKS.values())))
    printer = session.scalar(select(LabelPrinter).where(LabelPrinter.name == name)) or LabelPrinter(name=name)
    printer.host, printer.port, printer.stock = host, int(port), stock
    session.add(printer)
    audit.record(session, "printer.save", actor, subject=name, address=address, host=host, port=int(port), stock=stock)
    return printer


def remove(session: Session, printer_id: int, *, actor: str, address: str) -> LabelPrinter:
    printer = session.get(LabelPrinter, printer_id)
    if printer is None:
        raise BadPrinter(gettext("That printer is not configured any more; reload the page."))
    session.delete(printer)
    audit.record(session, "printer.remove", actor, subject=printer.name, address=address, host=printer.host)
    return printer
