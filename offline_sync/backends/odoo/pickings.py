"""Pickings Wardstock creates and validates, found again by their key (`origin`)."""

from typing import Any

from offline_sync.backends.contract import ConflictKind

from . import refusals
from .connection import Connection

# Wardstock decides itself about expired lots (and about backorders, see validate): Odoo must not ask.
VALIDATE_CONTEXT = {"skip_expired": True, "skip_backorder": True}


def refs(picking_id: int, name: str) -> dict[str, Any]:
    return {"picking": name, "picking_id": picking_id}


def created_picking(odoo: Connection, key: str) -> dict[str, Any] | None:
    """The picking a command created (backorders copy the origin, so they are skipped)."""
    found = odoo.call(
        "stock.picking",
        "search_read",
        [("origin", "=", key), ("backorder_id", "=", False)],
        fields=["name", "state"],
        order="id",
        limit=1,
    )
    if found and found[0]["state"] == "cancel":
        raise refusals.Refused(
            ConflictKind.NOT_PERMITTED,
            f"{found[0]['name']}, made for this command, was cancelled in Odoo; check with whoever cancelled it.",
            picking=found[0]["name"],
        )
    return found[0] if found else None


def create(odoo: Connection, values: dict[str, Any]) -> tuple[int, str]:
    """Create a picking and read its name in the same call (`web_save` on no record creates one)."""
    saved = odoo.call("stock.picking", "web_save", [], values, {"name": {}})
    return saved[0]["id"], saved[0]["name"]


def validate(odoo: Connection, picking_id: int, name: str, backorder: bool = False) -> None:
    """`button_validate` without wizards: the backorder choice goes in the context (odoo-rpc-notes §B)."""
    context = (
        dict(VALIDATE_CONTEXT) if backorder else {**VALIDATE_CONTEXT, "picking_ids_not_to_backorder": [picking_id]}
    )
    answer = odoo.call("stock.picking", "button_validate", [picking_id], context=context)
    if isinstance(answer, dict):
        raise refusals.wizard(answer, f"the validation of {name}")


def first_backorder(picking: dict[str, Any]) -> dict[str, Any] | None:
    """The backorder of a picking read with `backorder_ids` ({"name"}), if it has one."""
    return picking["backorder_ids"][0] if picking["backorder_ids"] else None


def backorder_of(odoo: Connection, picking_id: int) -> dict[str, Any] | None:
    """The backorder a validation just left, read afresh."""
    found = odoo.call(
        "stock.picking", "search_read", [("backorder_id", "=", picking_id)], fields=["name"], order="id desc", limit=1
    )
    return found[0] if found else None


def backorder_refs(backorder: dict[str, Any] | None) -> dict[str, Any]:
    return {"backorder": backorder["name"], "backorder_id": backorder["id"]} if backorder else {}
