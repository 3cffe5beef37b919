"""Conflicts: a business rule (Wardstock's or Odoo's) refuses a command. `Refused` carries the
conflict to answer; it is raised before anything is written, so a refused command writes nothing."""

from collections.abc import Callable
from datetime import date
from typing import Any

from offline_sync.backends.contract import ConflictKind, Outcome

from .conventions import CONSUMPTION_LOCATION, CONSUMPTION_TYPE
from .errors import OdooRefused, OdooUnavailable
from .records import LotRecord, ProductRecord
from .wording import day, item, quantity


class Refused(Exception):
    def __init__(self, kind: ConflictKind, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.outcome = Outcome.conflicted(kind, message, **detail)


# What stops a command short of an outcome of its own.
STOPS = (Refused, OdooUnavailable, OdooRefused)


def outcome_for(error: Refused | OdooUnavailable | OdooRefused) -> Outcome:
    """A refusal's conflict; Odoo out of reach is transient (the key makes a retry safe); Odoo's own
    refusal is a conflict with Odoo's sentence."""
    if isinstance(error, Refused):
        return error.outcome
    if isinstance(error, OdooUnavailable):
        return Outcome.transient(str(error))
    return Outcome.conflicted(
        ConflictKind.NOT_PERMITTED, str(error), odoo_error=error.error, odoo_message=error.odoo_message
    )


def guarded(work: Callable[[], Outcome]) -> Outcome:
    """The outcome of `work`, or of what stopped it."""
    try:
        return work()
    except STOPS as error:
        return outcome_for(error)


def invalid_gtin(gtin: str) -> Refused:
    return Refused(
        ConflictKind.UNKNOWN_PRODUCT, f"{gtin} is not a valid GTIN; scan the product barcode again.", gtin=gtin
    )


def unknown_product(gtin: str) -> Refused:
    return Refused(
        ConflictKind.UNKNOWN_PRODUCT,
        f"No product has the barcode {gtin}; a supervisor can link it to a product.",
        gtin=gtin,
    )


def location_unknown(barcode: str, name: str | None = None, problem: str | None = None) -> Refused:
    if name is None:
        message = f"No location has the barcode {barcode}; scan the location label again or ask a supervisor to map it."
    elif problem == "archived":
        message = f"Location {name} ({barcode}) is archived; scan another location."
    else:
        message = f"{name} ({barcode}) is not a storage location; scan a shelf or ward location."
    return Refused(ConflictKind.LOCATION_UNKNOWN, message, location=barcode)


def not_set_up(what: str) -> Refused:
    return Refused(
        ConflictKind.LOCATION_UNKNOWN,
        f"Odoo has no {what}; an administrator runs `flask odoo doctor --fix` to set up the "
        f"{CONSUMPTION_LOCATION} location and the {CONSUMPTION_TYPE} operation type.",
        missing=what,
    )


def missing_lot(product: ProductRecord, name: str | None, gtin: str) -> Refused:
    if name:
        message = f"Lot {name} of {product.name} is not known; check the label, or a supervisor can create the lot."
    else:
        message = f"{product.name} is tracked by lot; scan the lot number on the label."
    return Refused(ConflictKind.UNKNOWN_LOT, message, gtin=gtin, lot=name)


def expiry_mismatch(product: ProductRecord, lot: LotRecord, label: date | None) -> Refused:
    return Refused(
        ConflictKind.EXPIRY_MISMATCH,
        f"Lot {lot.name} of {product.name} is recorded with {day(lot.expiry)}, but the label says {day(label)}; "
        "a supervisor decides which date is right.",
        lot=lot.name,
        label_expiry=label.isoformat() if label else None,
        recorded_expiry=lot.expiry.isoformat() if lot.expiry else None,
    )


def unusable(product: ProductRecord, lot: LotRecord) -> Refused:
    """Odoo does not block expired or recalled lots; Wardstock refuses to move or use them."""
    if lot.recalled:
        message = f"Lot {lot.name} of {product.name} has been recalled; it cannot be used. Set it aside for return."
    else:
        message = f"Lot {lot.name} of {product.name} expired on {day(lot.expiry)}; it cannot be used."
    return Refused(
        ConflictKind.EXPIRED_OR_RECALLED,
        message,
        lot=lot.name,
        expiry=lot.expiry.isoformat() if lot.expiry else None,
        recalled=lot.recalled,
    )


def insufficient(
    product: ProductRecord,
    lot: LotRecord | None,
    gtin: str,
    location: str,
    barcode: str,
    available: float,
    requested: float,
) -> Refused:
    return Refused(
        ConflictKind.INSUFFICIENT_STOCK,
        f"Only {quantity(available)} of {item(product, lot)} on hand at {location}, not {quantity(requested)}; "
        "count the shelf or reduce the quantity.",
        gtin=gtin,
        lot=lot.name if lot else None,
        location=barcode,
        on_hand=available,
        requested=requested,
    )


def no_receipt(reference: str) -> Refused:
    return Refused(
        ConflictKind.RECEIPT_CLOSED,
        f"No receipt {reference} exists; receive the goods as an unplanned receipt.",
        receipt=reference,
    )


def receipt_closed(reference: str, state: str, backorder: str | None) -> Refused:
    closed = "done" if state == "done" else "cancelled"
    where = f"its backorder {backorder}" if backorder else "an unplanned receipt"
    return Refused(
        ConflictKind.RECEIPT_CLOSED,
        f"Receipt {reference} is already {closed}; receive the goods into {where}.",
        receipt=reference,
        state=closed,
        backorder=backorder,
    )


def nothing_received(reference: str) -> Refused:
    return Refused(
        ConflictKind.NOT_PERMITTED,
        f"Nothing has been received on {reference} yet; scan the boxes before validating it.",
        receipt=reference,
    )


def wizard(action: dict[str, Any], what: str) -> Refused:
    """Odoo answered a validation with a question (a wizard) that Wardstock does not answer for a person."""
    return Refused(
        ConflictKind.NOT_PERMITTED,
        f"Odoo asks for a confirmation ({action.get('name') or action.get('res_model')}) before it completes {what}; "
        "finish it in Odoo.",
        odoo_wizard=action.get("res_model"),
    )
