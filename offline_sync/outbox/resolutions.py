"""A person's way out of each parked conflict (DESIGN §5), as services.

`offered(kind)` lists the choices a supervisor sees. `resolve` checks the choice and what it
needs, performs any backend change it implies (create a lot, fix an expiry, link a GTIN), and
puts the command back in the queue with the resolution recorded on it, or discards it.
`effective_command` is how the worker reads a command together with its resolution.
The device's payload is never overwritten: an edited payload is kept in the resolution.
"""
import copy
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from offline_sync.backends.contract import (
    Command,
    Consume,
    Count,
    CountResolution,
    InventoryBackend,
    OutcomeStatus,
    Overrides,
    RequestReplenishment,
    ResolveCount,
    SetParLevel,
    Transfer,
)
from offline_sync.outbox import lot_index
from offline_sync.outbox.models import OutboxCommand, Status
from offline_sync.outbox.payloads import PayloadError, parse

SYNC_FAILED = "sync_failed"  # the backend kept failing, or the command could not be read: not one of Odoo's conflicts


class ResolutionError(ValueError):
    """The resolution cannot be applied as asked; the message says why."""


@dataclass(frozen=True)
class Choice:
    action: str
    label: str
    needs: tuple[str, ...] = ()  # what the person must give besides the reason: quantity, lot, location, receipt, product_id,
    # pack_quantity, username


DISCARD = Choice("discard", "Discard this command (nothing reaches the inventory)")
OFFERED: dict[str, tuple[Choice, ...]] = {
    "unknown_product": (
        Choice("link_gtin", "Link this GTIN to a product", ("product_id",)),
        Choice("link_gtin_box", "Link this GTIN to a product as a box of several units", ("product_id", "pack_quantity")),
        DISCARD,
    ),
    "unknown_lot": (
        Choice("create_lot", "Create the lot with the label's expiry"),
        Choice("pick_lot", "Use another lot", ("lot",)),
        DISCARD,
    ),
    "expiry_mismatch": (
        Choice("keep_backend_expiry", "Keep the inventory's expiry date"),
        Choice("update_lot_expiry", "Change the lot's expiry to the label's"),
        DISCARD,
    ),
    "insufficient_stock": (
        Choice("apply_anyway", "Apply anyway (stock goes negative until counted)"),
        Choice("reduce", "Reduce the quantity", ("quantity",)),
        DISCARD,
    ),
    "expired_or_recalled": (Choice("override", "Allow this lot once (supervisor override)"), DISCARD),
    "receipt_closed": (
        Choice("into_backorder", "Receive into another receipt (the backorder)", ("receipt",)),
        Choice("unplanned_receipt", "Receive as an unplanned receipt", ("location",)),
        DISCARD,
    ),
    "count_overtaken": (
        Choice("count_as_of", "Count as of the counting time (counted + moves since)"),
        Choice("keep_counted", "Keep the counted quantity"),
        Choice("keep_difference", "Keep the difference seen at count time"),
        Choice("explicit", "Set a quantity", ("quantity",)),
        Choice("recount", "Discard and ask for a recount"),
    ),
    "not_permitted": (Choice("reassign", "Attribute to another user who may do this", ("username",)), DISCARD),
    "location_unknown": (Choice("map_location", "Use another location", ("location",)), DISCARD),
    "receipt_not_found": (Choice("scrap_instead", "Scrap it instead, with the same reason"), DISCARD),
    "no_par_level": (
        Choice("set_par_level", "Set a par level for the product at this ward and request again", ("minimum", "maximum")),
        DISCARD,
    ),
    "lot_not_in_store": (Choice("pick_other_lot", "Pick another lot instead", ("lot",)), DISCARD),
    "transfer_closed": (
        Choice("request_again", "Request again what the closed transfer did not deliver, onto the ward's open transfer"),
        DISCARD,
    ),
    SYNC_FAILED: (Choice("retry", "Try again now"), DISCARD),
}
FINAL_ACTIONS = frozenset({"discard", "recount"})
# Waste never takes more than is on hand: for these kinds "apply anyway" is no way out.
NOT_FOR_WASTE = {"scrap": {"apply_anyway"}, "quarantine": {"apply_anyway"}, "vendor_return": {"apply_anyway"}}

# Decisions that change the backend's catalog (lots, expiries, GTINs): the handhelds want it at once.
CATALOG_CHANGING = frozenset({"create_lot", "update_lot_expiry", "link_gtin", "link_gtin_box"})
COUNT_ACTIONS = {
    "count_as_of": CountResolution.EXPLICIT,
    "keep_counted": CountResolution.KEEP_COUNTED,
    "keep_difference": CountResolution.KEEP_DIFFERENCE,
    "explicit": CountResolution.EXPLICIT,
}


def automatic(kind: str | None, detail: Mapping[str, Any], count_tolerance: float | None, now: datetime) -> dict[str, Any] | None:
    """A resolution the worker may take without a person, or None to park.

    Count-as-of: a count overtaken by moves made after it is settled as counted + the net of
    those moves, as long as they stay within `count_tolerance` units; more traffic than that
    while counting makes the count doubtful, so it is parked for a recount."""
    if kind != "count_overtaken" or count_tolerance is None or "count_as_of" not in detail:
        return None
    if abs(float(detail.get("net_moves_since", 0.0))) > count_tolerance or detail["count_as_of"] < 0:
        return None
    return {"action": "count_as_of", "by": "system", "at": now.isoformat(), "quantity": float(detail["count_as_of"]),
            "reason": f"Moves since the count ({detail.get('net_moves_since', 0):+g}) are within the tolerance of {count_tolerance:g}."}


def offered(kind: str | None, command_kind: str | None = None) -> tuple[Choice, ...]:
    """The ways out of a conflict `kind`; given the command's kind, only those that apply to it."""
    excluded = NOT_FOR_WASTE.get(command_kind or "", set())
    return tuple(choice for choice in OFFERED.get(kind or "", (DISCARD,)) if choice.action not in excluded)


def effective_command(
    kind: str, op_id: str, captured_at: datetime, payload: Mapping[str, Any], resolution: Mapping[str, Any]
) -> Command:
    """The command the worker sends: the device's, as a resolution changed it. Raises PayloadError."""
    command = parse(resolution.get("kind", kind), op_id, captured_at, resolution.get("payload", payload))
    action = resolution.get("action")
    if isinstance(command, Count) and action in COUNT_ACTIONS:
        return ResolveCount(op_id, command, COUNT_ACTIONS[action], resolution.get("quantity"))
    if isinstance(command, (Transfer, Consume)) and action in ("apply_anyway", "override"):
        allowed = resolution.get("overrides", {})
        return replace(command, overrides=Overrides(**allowed))
    return command


def _quantity(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ResolutionError(f"Give the quantity as a number of 0 or more, not {value!r}.")
    return float(value)


def _text(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ResolutionError(f"This resolution needs the {name.replace('_', ' ')}.")
    return value.strip()


def _level(params: Mapping[str, Any], name: str) -> float:
    """A par level's minimum or maximum as a person typed it (the inbox sends text)."""
    value = params.get(name)
    try:
        return _quantity(float(value) if isinstance(value, str) else value)
    except ValueError:
        raise ResolutionError(f"Give the {name} as a number of 0 or more, not {value!r}.") from None


def _edit_line(payload: dict[str, Any], number: Any, field: str, value: Any) -> dict[str, Any]:
    """The payload with one line's field changed: line `number` (from 1, as a conflict's detail names it)."""
    edited = copy.deepcopy(payload)
    lines = edited.get("lines", [])
    if not isinstance(number, int) or not 1 <= number <= len(lines):
        return _edit_lines(payload, field, value)
    lines[number - 1][field] = value
    return edited


def _edit_lines(payload: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    edited = copy.deepcopy(payload)
    for line in edited.get("lines", [edited]):
        line[field] = value
    return edited


@dataclass(frozen=True)
class Resolved:
    op_id: str
    action: str
    status: Status
    message: str


def resolve(
    session: Session,
    backend: InventoryBackend,
    op_id: str,
    action: str,
    *,
    actor: str,
    reason: str,
    params: Mapping[str, Any],
    now: datetime,
) -> Resolved:
    """Apply a person's choice to a parked command. The caller commits and audits.

    Two people deciding at once: the row is read afresh (never the copy an inbox page left in the
    session) under a row lock, and the decision is written only while the row is still parked
    (a compare-and-set, which SQLite, without row locks, needs too); the later one is told who
    decided what."""
    row = session.scalar(select(OutboxCommand).where(OutboxCommand.op_id == op_id).with_for_update()
                         .execution_options(populate_existing=True))
    if row is None:
        raise ResolutionError(f"There is no command {op_id}.")
    if row.status != Status.CONFLICT:
        raise ResolutionError(decided_already(row))
    command_kind = (row.resolution or {}).get("kind", row.kind)
    choice = next((choice for choice in offered(row.conflict_kind, command_kind) if choice.action == action), None)
    if choice is None:
        raise ResolutionError(f"'{action}' is not a way out of a {row.conflict_kind} conflict of a {command_kind}.")
    if not reason.strip():
        raise ResolutionError("Give a reason: it is kept with the command for audit.")
    record: dict[str, Any] = {"action": action, "by": actor, "at": now.isoformat(), "reason": reason.strip(),
                              "conflict": row.conflict_kind, "conflict_message": row.conflict_message}
    if action in FINAL_ACTIONS:
        _claim(session, row, Status.DISCARDED)
        row.status, row.resolution = Status.DISCARDED, record
        return Resolved(op_id, action, row.status, "Discarded: nothing of it reaches the inventory.")
    record.update(_prepare(row, backend, action, params))
    if "payload" in record or "kind" in record:
        _reindex(session, row, record)
    _claim(session, row, Status.QUEUED)
    row.resolution = record
    row.status, row.next_attempt_at, row.attempts = Status.QUEUED, now, 0
    return Resolved(op_id, action, row.status, "Back in the queue with your decision; it syncs in a moment.")


def _reindex(session: Session, row: OutboxCommand, record: Mapping[str, Any]) -> None:
    """The lot index follows the command as the resolution changed it (another lot, quantity or kind)."""
    earlier = row.resolution or {}  # a command resolved before keeps what that resolution changed
    kind = record.get("kind", earlier.get("kind", row.kind))
    payload = record.get("payload", earlier.get("payload", row.payload))
    try:
        command = parse(kind, row.op_id, row.captured_at, payload)
    except PayloadError as error:
        raise ResolutionError(f"The command as changed cannot be sent: {error}") from None
    lot_index.reindex(session, row, kind, command)


def _claim(session: Session, row: OutboxCommand, status: Status) -> None:
    """Move the row out of `conflict` only if it is still there; otherwise someone decided first."""
    moved = session.execute(
        update(OutboxCommand).where(OutboxCommand.id == row.id, OutboxCommand.status == Status.CONFLICT)
        .values(status=status).execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        session.rollback()
        fresh = session.scalar(select(OutboxCommand).where(OutboxCommand.id == row.id).execution_options(populate_existing=True))
        raise ResolutionError(decided_already(fresh))


def decided_already(row: OutboxCommand) -> str:
    """Why a command no longer waits for a decision, naming who decided what when a person did."""
    decision = row.resolution or {}
    if decision.get("by") and decision.get("action"):
        label = next((c.label for c in offered(decision.get("conflict")) if c.action == decision["action"]), decision["action"])
        when = str(decision.get("at", ""))[:16].replace("T", " ")
        return (f"{decision['by']} already decided this command at {when} UTC: “{label}” "
                f"(it is {row.status} now). Reload the inbox.")
    return f"This command is {row.status}, not waiting for a decision any more; reload the inbox."


def _prepare(row: OutboxCommand, backend: InventoryBackend, action: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """What the resolution adds to the command, after any backend change it needs."""
    payload = row.resolution.get("payload", row.payload) if row.resolution else row.payload
    detail = row.conflict_detail or {}
    line = conflict_line(payload, detail)
    match action:
        case "count_as_of":
            if "count_as_of" not in detail:
                raise ResolutionError("The inventory did not report the moves since the count; choose another way.")
            return {"quantity": max(0.0, float(detail["count_as_of"]))}
        case "keep_counted" | "keep_difference" | "retry":
            return {}
        case "explicit":
            return {"quantity": _quantity(params.get("quantity"))}
        case "apply_anyway":
            return {"overrides": {"allow_negative_stock": True}}
        case "override":
            return {"overrides": {"allow_unusable_lot": True}}
        case "reduce":
            reduced = _quantity(params.get("quantity"))
            if reduced == 0:
                raise ResolutionError("Reduce to more than 0, or discard the command instead.")
            return {"payload": _edit_lines(payload, "quantity", reduced)}
        case "pick_lot":
            return {"payload": _edit_lines(payload, "lot", _text(params, "lot"))}
        case "pick_other_lot":
            return {"payload": _edit_line(payload, detail.get("line"), "lot", _text(params, "lot"))}
        case "set_par_level":
            minimum, maximum = _level(params, "minimum"), _level(params, "maximum")
            if maximum <= 0 or minimum > maximum:
                raise ResolutionError(f"Give a maximum above 0 and a minimum up to it, not {minimum:g} / {maximum:g}.")
            level = SetParLevel(str(uuid.uuid4()), payload["location"], payload["gtin"], minimum, maximum)
            _backend_change(backend.set_par_level(level))  # setting the same values again changes nothing
            return {"par_level": {"minimum": minimum, "maximum": maximum}}
        case "request_again":
            transfer = _request_again(backend, detail)
            return {"payload": {**payload, "transfer": transfer}, "replaces": payload.get("transfer")}
        case "keep_backend_expiry":
            return {"payload": _edit_lines(payload, "expiry", None)}
        case "map_location":
            location = _text(params, "location")
            key = next(name for name in ("location", "source", "destination") if name in payload)
            return {"payload": {**payload, key: location}}
        case "into_backorder":
            return {"payload": {**payload, "receipt": _text(params, "receipt")}}
        case "scrap_instead":
            scrapped = {"location": payload["source"], "lines": payload["lines"], "reason": payload["reason"],
                        "note": payload.get("note", "")}
            return {"kind": "scrap", "payload": scrapped}
        case "unplanned_receipt":
            return {"kind": "receive_unplanned", "payload": {"destination": _text(params, "location"), "lines": payload["lines"]}}
        case "reassign":
            user_id = params.get("user_id")
            if not isinstance(user_id, int):
                raise ResolutionError("Choose the user to attribute this command to.")
            previous = row.username
            row.username, row.user_id = _text(params, "username"), user_id
            return {"reassigned_from": previous}
        case "create_lot":
            _backend_change(backend.create_lot(line["gtin"], line["lot"], _label_date(line.get("expiry"))))
            return {}
        case "update_lot_expiry":
            label = _label_date(line.get("expiry"))
            if label is None:  # a label read without its date never blanks the date the lot has
                raise ResolutionError(f"The label of lot {line.get('lot')} gives no expiry; keep the inventory's date.")
            _backend_change(backend.set_lot_expiry(line["gtin"], line["lot"], label))
            return {}
        case "link_gtin":
            _backend_change(backend.link_gtin(line["gtin"], _product_id(params)))
            return {}
        case "link_gtin_box":
            units = _quantity(params.get("pack_quantity"))
            if units <= 0:
                raise ResolutionError("Give the number of units in one box: more than 0.")
            _backend_change(backend.link_gtin(line["gtin"], _product_id(params), units))
            # The handheld did not know the box and counted each scan as one: each is a box of `units`.
            boxes = copy.deepcopy(payload)
            for each in boxes.get("lines", [boxes]):
                for key in ("quantity", "counted"):
                    if each.get("gtin") == line["gtin"] and key in each:
                        each[key] = each[key] * units
            return {"payload": boxes}
    raise TypeError(f"offered action {action!r} has no preparation")


def conflict_line(payload: Mapping[str, Any], detail: Mapping[str, Any]) -> dict[str, Any]:
    """The line a conflict is about: the one with the GTIN and lot the backend named (a command's other
    lines are not touched by a decision about this one), else a command's only line."""
    lines = payload.get("lines") or [payload]
    named = [line for line in lines
             if detail.get("gtin") in (None, line.get("gtin")) and detail.get("lot") in (None, line.get("lot"))]
    if named and (detail.get("gtin") or detail.get("lot")):
        return named[0]
    if len(lines) == 1:
        return lines[0]
    raise ResolutionError("The inventory did not say which line of this command it refused; discard it and scan again.")


def _product_id(params: Mapping[str, Any]) -> int:
    product_id = params.get("product_id")
    if not isinstance(product_id, int):
        raise ResolutionError("Choose the product to link the GTIN to.")
    return product_id


REQUEST_AGAIN = uuid.UUID("5d0c6a53-1f4e-4c35-9a57-0c1b7e1f15a2")  # names the requests a closed transfer leaves


def _request_again(backend: InventoryBackend, detail: Mapping[str, Any]) -> str:
    """Request what the closed transfer did not deliver onto its ward's open transfer; that transfer's reference.

    Each request's op_id is derived from the closed transfer and the product, so the pick and the delivery
    of the same closed transfer, each resolved this way, request it once (the second is a duplicate)."""
    lines, ward = detail.get("lines") or [], detail.get("location")
    if not lines or not ward:
        raise ResolutionError("The closed transfer left nothing to request again; discard this command.")
    transfer = ""
    for line in lines:
        op_id = str(uuid.uuid5(REQUEST_AGAIN, f"{detail.get('transfer')}|{line['gtin']}"))
        outcome = backend.request_replenishment(RequestReplenishment(op_id, ward, line["gtin"], float(line["quantity"])))
        _backend_change(outcome)
        transfer = str(outcome.refs.get("picking", transfer))
    return transfer


def _label_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise PayloadError(f"The label's expiry {value!r} is not a date.") from None


def _backend_change(outcome: Any) -> None:
    if outcome.status not in (OutcomeStatus.APPLIED, OutcomeStatus.DUPLICATE):
        raise ResolutionError(outcome.message or "The inventory refused the change; try again later.")
