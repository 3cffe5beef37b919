"""Device JSON → contract commands, with errors a person can act on.

A device sends `{"op_id", "kind", "captured_at", "payload": {...}}`; `parse` checks the payload's
shape, types and quantities and builds the contract's frozen command. `parse_capture` adds what a
handheld's capture must also be (only the fields its kind has, lots as a label carries them, whole
quantities); the worker re-parses stored payloads with `parse` alone, since a supervisor's
resolution may name a lot by its inventory name. Nothing here knows who sent it: role and ward
checks belong to the app's intake service.
"""
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from offline_sync.backends.contract import (
    Command,
    Consume,
    Count,
    DeliverReplenishment,
    ItemLine,
    PickReplenishment,
    Quarantine,
    Recall,
    Receive,
    RequestReplenishment,
    Scrap,
    SetParLevel,
    Transfer,
    UnplannedReceipt,
    ValidateReceipt,
    VendorReturn,
    WasteReason,
)

MAX_LINES = 200
MAX_QUANTITY = 1_000_000
MAX_TEXT = 64
MAX_SHOWN = 40
MAX_OVERRIDE_REASON = 200  # the consume screen's reason field
MAX_NAME = 120  # a user's display name
MAX_NOTE = 200  # a waste note, a recall notice
# GS1 General Specifications: a lot (AI 10) is at most 20 characters of the 82-character set CSET 82.
# HIBC lots (letters and digits, at most 18) fit in it. The same set as scanners.gs1.CSET82 (a test
# holds them equal): importing it from there would load OpenCV into every web process.
MAX_LABEL_LOT = 20
LABEL_LOT_CHARACTERS = frozenset("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
OP_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# The fields a handheld sends, by kind; anything else is refused rather than stored unread.
FIELDS: dict[str, frozenset[str]] = {
    "receive": frozenset({"receipt", "lines"}),
    "receive_validate": frozenset({"receipt", "backorder"}),
    "receive_unplanned": frozenset({"destination", "lines"}),
    "transfer": frozenset({"source", "destination", "lines"}),
    "consume": frozenset({"location", "lines", "reference", "override"}),
    "count": frozenset({"location", "gtin", "lot", "counted", "seen_on_hand"}),
    # ward replenishment (issue 15)
    "replenish_request": frozenset({"location", "gtin", "quantity", "card"}),
    "par_level_set": frozenset({"location", "gtin", "minimum", "maximum"}),
    "replenish_pick": frozenset({"transfer", "lines"}),
    "replenish_deliver": frozenset({"transfer", "location", "backorder"}),
    "scrap": frozenset({"location", "lines", "reason", "note"}),
    "quarantine": frozenset({"source", "lines"}),
    "vendor_return": frozenset({"source", "lines", "reason", "note"}),
    "recall": frozenset({"gtin", "lots", "notice"}),
}
LINE_FIELDS = frozenset({"gtin", "lot", "expiry", "quantity"})
OVERRIDE_FIELDS = frozenset({"reason", "requested_by"})


class PayloadError(ValueError):
    """A command cannot be accepted as sent; the message says which field and what was wrong."""


def shown(value: Any) -> str:
    """A value as an error quotes it: cut short, so a huge input never makes a huge answer."""
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"


def _text(payload: Mapping[str, Any], name: str, *, required: bool = True) -> str:
    value = payload.get(name)
    if value is None or value == "":
        if required:
            raise PayloadError(f"The command has no {name}.")
        return ""
    if not isinstance(value, str):
        raise PayloadError(f"{name} must be text, but it is {shown(value)}.")
    if len(value) > MAX_TEXT:
        raise PayloadError(f"{name} {shown(value)} has {len(value)} characters; at most {MAX_TEXT} are allowed.")
    if not value.isprintable():
        raise PayloadError(f"{name} {shown(value)} holds control or invisible characters; scan or type it again.")
    return value


def _quantity(value: Any, name: str, *, allow_zero: bool) -> float:
    # Compared as sent before any float(): a JSON integer can be far beyond a float (10**400).
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (isinstance(value, float) and not math.isfinite(value)):
        raise PayloadError(f"{name} must be a number, but it is {shown(value)}.")
    if value < 0 or (value == 0 and not allow_zero):
        raise PayloadError(f"{name} must be more than 0, but it is {shown(value)}.")
    if value > MAX_QUANTITY:
        raise PayloadError(f"{name} {shown(value)} is more than {MAX_QUANTITY:,}; check the quantity.")
    return float(value)


def _date(value: Any, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        parsed = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise PayloadError(f"{name} must be a date like 2027-03-31, but it is {shown(value)}.") from None
    if not 2000 <= parsed.year <= 2100:
        raise PayloadError(f"{name} {parsed} is not a plausible date; check the expiry on the label.")
    return parsed


def parse_captured_at(value: Any) -> datetime:
    """A device timestamp in ISO 8601 with its offset (handhelds send UTC, `…Z`), turned into naive UTC.
    A time without an offset is refused: read as UTC it could be hours off."""
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise PayloadError(
            f"captured_at must be an ISO 8601 time with its time zone, like 2026-03-31T08:30:00Z, but it is {shown(value)}."
        ) from None
    if parsed.tzinfo is None:
        raise PayloadError(f"captured_at {shown(value)} names no time zone; send it in UTC, like 2026-03-31T08:30:00Z.")
    try:
        return parsed.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:  # the first or last day a datetime holds, moved to UTC, falls outside it
        raise PayloadError(f"captured_at {shown(value)} is not a time a handheld can have captured; check the handheld's clock.") from None


def parse_op_id(value: Any) -> str:
    """The op_id exactly as the device made it (crypto.randomUUID: lowercase): its answer carries it back."""
    if isinstance(value, str) and OP_ID.fullmatch(value):
        return value
    raise PayloadError(f"op_id must be a UUID in lowercase, like 3f2b8c1e-9d4a-4e6b-8f00-1a2b3c4d5e6f, but it is {shown(value)}.")


def _lines(payload: Mapping[str, Any]) -> tuple[ItemLine, ...]:
    lines = payload.get("lines")
    if not isinstance(lines, list) or not lines:
        raise PayloadError("The command has no lines: scan at least one item.")
    if len(lines) > MAX_LINES:
        raise PayloadError(f"A command holds at most {MAX_LINES} lines; this one has {len(lines)}.")
    parsed = []
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, Mapping):
            raise PayloadError(f"Line {number} is not an object.")
        parsed.append(
            ItemLine(
                gtin=_gtin(line),
                quantity=_quantity(line.get("quantity"), f"Line {number} quantity", allow_zero=False),
                lot=_text(line, "lot", required=False) or None,
                expiry=_date(line.get("expiry"), f"Line {number} expiry"),
            )
        )
    return tuple(parsed)


def _gtin(payload: Mapping[str, Any]) -> str:
    gtin = _text(payload, "gtin")
    if not (gtin.isascii() and gtin.isdigit() and len(gtin) == 14):
        raise PayloadError(f"gtin must be the 14-digit GTIN from the label, but it is {shown(gtin)}.")
    return gtin


def _receive(op_id: str, _captured: datetime, payload: Mapping[str, Any]) -> Command:
    return Receive(op_id, _text(payload, "receipt"), _lines(payload))


def _backorder(payload: Mapping[str, Any]) -> bool:
    backorder = payload.get("backorder")
    if not isinstance(backorder, bool):
        raise PayloadError("backorder must be true or false: keep the rest as a backorder, or not.")
    return backorder


def _receive_validate(op_id: str, _captured: datetime, payload: Mapping[str, Any]) -> Command:
    return ValidateReceipt(op_id, _text(payload, "receipt"), _backorder(payload))


def _receive_unplanned(op_id: str, _captured: datetime, payload: Mapping[str, Any]) -> Command:
    return UnplannedReceipt(op_id, _text(payload, "destination"), _lines(payload))


def _transfer(op_id: str, _captured: datetime, payload: Mapping[str, Any]) -> Command:
    source, destination = _text(payload, "source"), _text(payload, "destination")
    if source == destination:
        raise PayloadError(f"The source and the destination are both {source}; scan a different destination.")
    return Transfer(op_id, source, destination, _lines(payload))


def _consume(op_id: str, _captured: datetime, payload: Mapping[str, Any]) -> Command:
    return Consume(op_id, _text(payload, "location"), _lines(payload), _text(payload, "reference", required=False))


def _count(op_id: str, captured: datetime, payload: Mapping[str, Any]) -> Command:
    seen = payload.get("seen_on_hand")
    return Count(
        op_id=op_id,
        location=_text(payload, "location"),
        gtin=_gtin(payload),
        lot=_text(payload, "lot", required=False) or None,
        counted=_quantity(payload.get("counted"), "counted", allow_zero=True),
        captured_at=captured,
        seen_on_hand=None if seen is None else _quantity(seen, "seen_on_hand", allow_zero=True),
    )


# ---- ward replenishment (issue 15) ----------------------------------------------------


def _replenish_request(op_id: str, _captured: datetime, payload: Mapping[str, Any]) -> Command:
    return RequestReplenishment(
        op_id=op_id,
        location=_text(payload, "location"),
        gtin=_gtin(payload),
        quantity=_quantity(payload.get("quantity"), "quantity", allow_zero=False),
        card=_text(payload, "card", required=False),
    )


def _par_level_set(op_id: str, _captured: datetime, payload: Mapping[str, Any]) -> Command:
    minimum = _quantity(payload.get("minimum"), "minimum", allow_zero=True)
    maximum = _quantity(payload.get("maximum"), "maximum", allow_zero=False)
    if maximum < minimum:
        raise PayloadError(f"The maximum {maximum:g} is below the minimum {minimum:g}; the maximum is what a refill brings it back to.")
    return SetParLevel(op_id, _text(payload, "location"), _gtin(payload), minimum, maximum)


def _replenish_pick(op_id: str, _captured: datetime, payload: Mapping[str, Any]) -> Command:
    return PickReplenishment(op_id, _text(payload, "transfer"), _lines(payload))


def _replenish_deliver(op_id: str, _captured: datetime, payload: Mapping[str, Any]) -> Command:
    return DeliverReplenishment(op_id, _text(payload, "transfer"), _text(payload, "location"), _backorder(payload))


# ---- expiry, recalls and waste (issue 16) ----------------------------------------------


def _note(payload: Mapping[str, Any], name: str, *, required: bool) -> str:
    """Free text a person typed (a waste note, a recall notice): one line or several, at most MAX_NOTE characters."""
    value = payload.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise PayloadError(f"The command has no {name}; write what it is about.")
        return ""
    if not isinstance(value, str):
        raise PayloadError(f"{name} must be text, but it is {shown(value)}.")
    if len(value) > MAX_NOTE or not value.replace("\n", " ").isprintable():
        raise PayloadError(f"{name} must be at most {MAX_NOTE} characters of plain text; it has {len(value)}.")
    return value.strip()


def _reason(payload: Mapping[str, Any]) -> tuple[WasteReason, str]:
    """The waste reason from the short list, and its note (which `other` must have)."""
    value = payload.get("reason")
    try:
        reason = WasteReason(value)
    except ValueError:
        raise PayloadError(f"reason must be one of {', '.join(WasteReason)}, but it is {shown(value)}.") from None
    note = _note(payload, "note", required=False)
    if reason == WasteReason.OTHER and not note:
        raise PayloadError("The reason is other: add a note saying what happened to the stock.")
    return reason, note


def _scrap(op_id: str, _captured: datetime, payload: Mapping[str, Any]) -> Command:
    reason, note = _reason(payload)
    return Scrap(op_id, _text(payload, "location"), _lines(payload), reason, note)


def _quarantine(op_id: str, _captured: datetime, payload: Mapping[str, Any]) -> Command:
    return Quarantine(op_id, _text(payload, "source"), _lines(payload))


def _vendor_return(op_id: str, _captured: datetime, payload: Mapping[str, Any]) -> Command:
    reason, note = _reason(payload)
    return VendorReturn(op_id, _text(payload, "source"), _lines(payload), reason, note)


def _recall(op_id: str, _captured: datetime, payload: Mapping[str, Any]) -> Command:
    """A recall notice: the product's GTIN, the lots it names (none: every lot), and the notice's text."""
    lots = payload.get("lots", [])
    if not isinstance(lots, list):
        raise PayloadError(f"lots must be a list of lot numbers (empty for every lot), but it is {shown(lots)}.")
    if len(lots) > MAX_LINES:
        raise PayloadError(f"A recall names at most {MAX_LINES} lots; this one has {len(lots)}. Split the notice.")
    names = [_text({"lot": lot}, "lot") for lot in lots]
    return Recall(op_id, _gtin(payload), tuple(dict.fromkeys(names)), _note(payload, "notice", required=True))


PARSERS: dict[str, Callable[[str, datetime, Mapping[str, Any]], Command]] = {
    "receive": _receive,
    "receive_validate": _receive_validate,
    "receive_unplanned": _receive_unplanned,
    "transfer": _transfer,
    "consume": _consume,
    "count": _count,
    "replenish_request": _replenish_request,
    "par_level_set": _par_level_set,
    "replenish_pick": _replenish_pick,
    "replenish_deliver": _replenish_deliver,
    "scrap": _scrap,
    "quarantine": _quarantine,
    "vendor_return": _vendor_return,
    "recall": _recall,
}


def parse(kind: str, op_id: str, captured_at: datetime, payload: Any) -> Command:
    parser = PARSERS.get(kind)
    if parser is None:
        raise PayloadError(f"Unknown command kind {shown(kind)}; expected one of {', '.join(PARSERS)}.")
    if not isinstance(payload, Mapping):
        raise PayloadError("payload must be a JSON object.")
    return parser(op_id, captured_at, payload)


def parse_capture(kind: str, op_id: str, captured_at: datetime, payload: Any) -> Command:
    """A command as a handheld captured it: `parse`, and only the fields its kind has, every line's
    lot as a GS1 label carries it, whole quantities (items are counted one by one). A count's lot may
    name any lot of the catalog (the count screen lists the lots expected there), so it stays text."""
    command = parse(kind, op_id, captured_at, payload)
    _only_known(payload, FIELDS[kind], "The command's payload")
    for number, line in enumerate(payload.get("lines") or (), start=1):
        _only_known(line, LINE_FIELDS, f"Line {number}")
    for number, item in enumerate(getattr(command, "lines", ()), start=1):
        _whole(item.quantity, f"Line {number} quantity")
        if item.lot is not None:
            _label_lot(item.lot, f"Line {number} lot")
    if isinstance(command, Count):
        _whole(command.counted, "counted")
    if isinstance(command, RequestReplenishment):
        _whole(command.quantity, "quantity")
    if kind == "consume":
        _override(payload.get("override"))
    return command


def _only_known(fields: Mapping[str, Any], known: frozenset[str], what: str) -> None:
    unknown = sorted(str(name) for name in fields if name not in known)
    if unknown:
        raise PayloadError(
            f"{what} has fields this server does not know: {', '.join(shown(name) for name in unknown[:5])}. "
            f"It takes {', '.join(sorted(known))}; reload the app and capture it again."
        )


def _whole(value: float, name: str) -> None:
    if not value.is_integer():
        raise PayloadError(f"{name} {value:g} is not a whole number; count whole items.")


def _label_lot(lot: str, name: str) -> None:
    if len(lot) > MAX_LABEL_LOT:
        raise PayloadError(f"{name} {shown(lot)} has {len(lot)} characters, but a lot on a label has at most {MAX_LABEL_LOT}; scan it from the label.")
    bad = next((c for c in lot if c not in LABEL_LOT_CHARACTERS), None)
    if bad is not None:
        raise PayloadError(
            f"{name} {shown(lot)} holds {bad!r} (U+{ord(bad):04X}), which no lot barcode can carry "
            "(GS1 lots use A-Z, a-z, 0-9 and !\"%&'()*+,-./:;<=>?_); scan the lot from the label."
        )


def _override(value: Any) -> None:
    """A consume may ask a supervisor to allow an expired or recalled lot, with a reason."""
    if value is None:
        return
    if not isinstance(value, Mapping):
        raise PayloadError(f"override must be an object with the reason, but it is {shown(value)}.")
    _only_known(value, OVERRIDE_FIELDS, "override")
    reason = value.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise PayloadError("The override has no reason; give the supervisor one.")
    if len(reason) > MAX_OVERRIDE_REASON or not reason.replace("\n", " ").isprintable():
        raise PayloadError(f"The override's reason must be at most {MAX_OVERRIDE_REASON} characters of plain text.")
    requested_by = value.get("requested_by", "")
    if not isinstance(requested_by, str) or len(requested_by) > MAX_NAME or not requested_by.isprintable():
        raise PayloadError(f"The override's requested_by must be the name of who asked, at most {MAX_NAME} characters.")
