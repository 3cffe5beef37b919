"""Device JSON → contract commands, with errors a person can act on.

A device sends `{"op_id", "kind", "captured_at", "payload": {...}}`; `parse` checks the payload's
shape, types and quantities and builds the contract's frozen command. Nothing here knows who
sent it: role and ward checks belong to the app's intake service.
"""
import math
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime, timezone
from typing import Any

from offline_sync.backends.contract import (
    Command,
    Consume,
    Count,
    ItemLine,
    Receive,
    Transfer,
    UnplannedReceipt,
    ValidateReceipt,
)

MAX_LINES = 200
MAX_QUANTITY = 1_000_000
MAX_TEXT = 64


class PayloadError(ValueError):
    """A command cannot be accepted as sent; the message says which field and what was wrong."""


def _text(payload: Mapping[str, Any], name: str, *, required: bool = True) -> str:
    value = payload.get(name)
    if value is None or value == "":
        if required:
            raise PayloadError(f"The command has no {name}.")
        return ""
    if not isinstance(value, str):
        raise PayloadError(f"{name} must be text, but it is {value!r}.")
    if len(value) > MAX_TEXT or not value.isprintable():
        raise PayloadError(f"{name} {value[:MAX_TEXT]!r}… is too long or holds control characters.")
    return value


def _quantity(value: Any, name: str, *, allow_zero: bool) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise PayloadError(f"{name} must be a number, but it is {value!r}.")
    if value < 0 or (value == 0 and not allow_zero):
        raise PayloadError(f"{name} must be more than 0, but it is {value}.")
    if value > MAX_QUANTITY:
        raise PayloadError(f"{name} {value} is more than {MAX_QUANTITY:,}; check the quantity.")
    return float(value)


def _date(value: Any, name: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        parsed = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise PayloadError(f"{name} must be a date like 2027-03-31, but it is {value!r}.") from None
    if not 2000 <= parsed.year <= 2100:
        raise PayloadError(f"{name} {parsed} is not a plausible date.")
    return parsed


def parse_captured_at(value: Any) -> datetime:
    """A device timestamp in ISO 8601 (UTC when it names no offset), turned into naive UTC."""
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise PayloadError(f"captured_at must be an ISO 8601 time, but it is {value!r}.") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def parse_op_id(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise PayloadError(f"op_id must be a UUID, but it is {value!r}.") from None


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
        raise PayloadError(f"gtin must be the 14-digit GTIN from the label, but it is {gtin!r}.")
    return gtin


def _receive(op_id: str, _captured: datetime, payload: Mapping[str, Any]) -> Command:
    return Receive(op_id, _text(payload, "receipt"), _lines(payload))


def _receive_validate(op_id: str, _captured: datetime, payload: Mapping[str, Any]) -> Command:
    backorder = payload.get("backorder")
    if not isinstance(backorder, bool):
        raise PayloadError("backorder must be true or false: keep the rest as a backorder, or not.")
    return ValidateReceipt(op_id, _text(payload, "receipt"), backorder)


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


PARSERS: dict[str, Callable[[str, datetime, Mapping[str, Any]], Command]] = {
    "receive": _receive,
    "receive_validate": _receive_validate,
    "receive_unplanned": _receive_unplanned,
    "transfer": _transfer,
    "consume": _consume,
    "count": _count,
}


def parse(kind: str, op_id: str, captured_at: datetime, payload: Any) -> Command:
    parser = PARSERS.get(kind)
    if parser is None:
        raise PayloadError(f"Unknown command kind {kind!r}; expected one of {', '.join(PARSERS)}.")
    if not isinstance(payload, Mapping):
        raise PayloadError("payload must be a JSON object.")
    return parser(op_id, captured_at, payload)
