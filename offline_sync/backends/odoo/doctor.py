"""`doctor`: does this Odoo have what Wardstock needs, and (with `fix`) set it up through Odoo's own
configuration: the Inventory settings, a "Patient Consumption" location and a "Ward Consumption"
operation type (odoo-rpc-notes §E), GS1 barcode rules for the AIs real labels carry, and the
quarantine location (QUARANTINE_LOCATION) where pulled expired and recalled stock goes.

Each check answers a sentence for whoever runs `flask odoo doctor`. Nothing here installs code.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from .connection import Connection, connect, make_transport
from .conventions import CONSUMPTION_LOCATION, CONSUMPTION_SEQUENCE, CONSUMPTION_TYPE, QUARANTINE_NAME
from .dates import ODOO_FORMAT
from .errors import OdooRefused, OdooUnavailable
from .settings import OdooSettings
from .transport import Transport

FIX_HINT = "run the doctor with --fix to set it up"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    message: str
    fixed: bool = False  # the doctor changed Odoo to make it ok
    warning: bool = False  # ok for now, but someone must act soon


KEY_WARNING_DAYS = 14


# Inventory settings: (check name, res.config.settings field, the name Odoo's Settings page shows, why).
SETTINGS = (
    ("storage_locations", "group_stock_multi_locations", "Storage Locations", "wards are locations of their own"),
    ("lots", "group_stock_production_lot", "Lots & Serial Numbers", "supplies are tracked by lot"),
    ("expiration_dates", "module_product_expiry", "Expiration Dates", "lots carry the expiry printed on the label"),
)

# GS1 rules Wardstock's labels need, by AI, as Odoo's "Default GS1 Nomenclature" writes them. Odoo ships
# no rule for AI 11 (production date) and has no rule type for it: "Pack Date" is the nearest, and
# Odoo Community does nothing with a pack date read from a barcode, so the rule only lets Odoo's own
# parser accept a UDI label that carries (11).
GS1_RULES: dict[str, dict[str, Any]] = {
    "01": {
        "name": "Global Trade Item Number (GTIN)",
        "type": "product",
        "pattern": r"(01)(\d{14})",
        "gs1_content_type": "identifier",
        "sequence": 101,
    },
    "10": {
        "name": "Batch or lot number",
        "type": "lot",
        "pattern": r'(10)([!"%-/0-9:-?A-Z_a-z]{0,20})',
        "gs1_content_type": "alpha",
        "sequence": 125,
    },
    "11": {
        "name": "Production date (YYMMDD)",
        "type": "pack_date",
        "pattern": r"(11)(\d{6})",
        "gs1_content_type": "date",
        "sequence": 136,
    },
    "17": {
        "name": "Expiration date (YYMMDD)",
        "type": "expiration_date",
        "pattern": r"(17)(\d{6})",
        "gs1_content_type": "date",
        "sequence": 139,
    },
    "21": {
        "name": "Serial number",
        "type": "lot",
        "pattern": r'(21)([!"%-/0-9:-?A-Z_a-z]{0,20})',
        "gs1_content_type": "alpha",
        "sequence": 126,
    },
    "30": {
        "name": "Variable count of items (variable measure trade item)",
        "type": "quantity",
        "pattern": r"(30)(\d{0,8})",
        "gs1_content_type": "measure",
        "sequence": 300,
    },
}


def doctor(
    settings: OdooSettings, fix: bool = False, transport: Callable[[OdooSettings], Transport] = make_transport
) -> list[Check]:
    """Every check in order; with `fix`, what is missing is created or switched on first."""
    try:
        odoo = connect(settings, transport)
    except (OdooUnavailable, OdooRefused) as error:
        return [Check("connection", False, str(error))]
    results = [
        Check(
            "connection",
            True,
            f"Signed in to Odoo {odoo.version.major} at {settings.url}, database {settings.database}, as {settings.login}.",
        )
    ]
    steps: tuple[Callable[[Connection, bool], list[Check]], ...] = (
        check_settings,
        check_internal_transfers,
        check_consumption,
        check_nomenclature,
        check_gs1_rules,
        check_rights,
        check_api_keys,
    )
    for step in steps:
        try:
            results.extend(step(odoo, fix))
        except (OdooUnavailable, OdooRefused) as error:
            results.append(Check(step.__name__.removeprefix("check_"), False, str(error)))
    try:
        results.append(check_quarantine(odoo, fix, settings.quarantine_location))
    except (OdooUnavailable, OdooRefused) as error:
        results.append(Check("quarantine_location", False, str(error)))
    return results


def _settings(odoo: Connection) -> tuple[tuple[str, str, str, str], ...]:
    """The Inventory settings, and the one that shows packagings where this version keeps them."""
    field, label = odoo.version.packagings.setting
    return (*SETTINGS, ("packagings", field, label, "a box's barcode stands for its quantity of units"))


def check_settings(odoo: Connection, fix: bool) -> list[Check]:
    settings = _settings(odoo)
    fields = [field for _, field, _, _ in settings]
    current = odoo.call("res.config.settings", "default_get", fields)
    missing = {field: True for field in fields if not current.get(field)}
    if fix and missing:
        wizard = odoo.call("res.config.settings", "create", [missing])
        odoo.call("res.config.settings", "execute", _ids(wizard))
    results = []
    for name, field, label, why in settings:
        if field not in missing:
            results.append(Check(name, True, f"{label} is on."))
        elif fix:
            results.append(Check(name, True, f"{label} was off; turned it on ({why}).", fixed=True))
        else:
            results.append(Check(name, False, f"{label} is off, but Wardstock needs it: {why}; {FIX_HINT}."))
    return results


def check_internal_transfers(odoo: Connection, fix: bool) -> list[Check]:
    """Each warehouse's Internal Transfers type is active (Storage Locations switches them on)."""
    warehouses = odoo.call(
        "stock.warehouse",
        "web_search_read",
        [],
        {"name": {}, "int_type_id": {"fields": {"active": {}}}},
        context={"active_test": False},
    )["records"]
    inactive = [w for w in warehouses if not (w["int_type_id"] and w["int_type_id"]["active"])]
    if not inactive:
        return [Check("internal_transfers", True, "Every warehouse has an active Internal Transfers operation type.")]
    names = ", ".join(w["name"] for w in inactive)
    fixable = [w["int_type_id"]["id"] for w in inactive if w["int_type_id"]]
    if fix and len(fixable) == len(inactive):
        odoo.call("stock.picking.type", "write", fixable, {"active": True})
        return [Check("internal_transfers", True, f"Activated Internal Transfers in {names}.", fixed=True)]
    return [Check("internal_transfers", False, f"Internal Transfers is not active in {names}; {FIX_HINT}.")]


def check_consumption(odoo: Connection, fix: bool) -> list[Check]:
    """The Patient Consumption location, and a Ward Consumption operation type per warehouse that leads to it."""
    location, location_check = _consumption_location(odoo, fix)
    if location is None:
        return [
            location_check,
            Check("consumption_type", False, f"{CONSUMPTION_TYPE} needs the {CONSUMPTION_LOCATION} location first."),
        ]
    warehouses = odoo.call("stock.warehouse", "search_read", [], fields=["name", "lot_stock_id", "company_id"])
    types = odoo.call(
        "stock.picking.type",
        "search_read",
        [("name", "=", CONSUMPTION_TYPE), ("code", "=", "internal")],
        fields=["warehouse_id", "default_location_dest_id", "active"],
        context={"active_test": False},
    )
    done, fixed, wrong = [], [], []
    for warehouse in warehouses:
        found = next((t for t in types if t["warehouse_id"] and t["warehouse_id"][0] == warehouse["id"]), None)
        right = (
            found is not None
            and found["active"]
            and found["default_location_dest_id"]
            and found["default_location_dest_id"][0] == location
        )
        if right:
            done.append(warehouse["name"])
        elif fix:
            _make_consumption_type(odoo, warehouse, location, found)
            fixed.append(warehouse["name"])
        else:
            wrong.append(warehouse["name"])
    if wrong:
        type_check = Check(
            "consumption_type",
            False,
            f"{', '.join(wrong)} has no active {CONSUMPTION_TYPE} operation type leading to {CONSUMPTION_LOCATION}; {FIX_HINT}.",
        )
    elif fixed:
        type_check = Check(
            "consumption_type", True, f"Set up the {CONSUMPTION_TYPE} operation type in {', '.join(fixed)}.", fixed=True
        )
    else:
        type_check = Check("consumption_type", True, f"{CONSUMPTION_TYPE} is set up in {', '.join(done)}.")
    return [location_check, type_check]


def _consumption_location(odoo: Connection, fix: bool) -> tuple[int | None, Check]:
    found = odoo.call(
        "stock.location",
        "search_read",
        [("name", "=", CONSUMPTION_LOCATION), ("usage", "=", "inventory")],
        fields=["active", "complete_name"],
        context={"active_test": False},
        limit=1,
    )
    if found and found[0]["active"]:
        return found[0]["id"], Check("consumption_location", True, f"{found[0]['complete_name']} exists.")
    if not fix:
        state = "is archived" if found else "does not exist"
        return None, Check(
            "consumption_location",
            False,
            f"The {CONSUMPTION_LOCATION} location (where used supplies go) {state}; {FIX_HINT}.",
        )
    if found:
        odoo.call("stock.location", "write", [found[0]["id"]], {"active": True})
        return found[0]["id"], Check(
            "consumption_location", True, f"Restored the archived {CONSUMPTION_LOCATION} location.", fixed=True
        )
    parent = odoo.call(  # "Virtual Locations" up to 18; Odoo 19 has none and keeps such locations at the top
        "ir.model.data",
        "search_read",
        [("module", "=", "stock"), ("name", "=", "stock_location_locations_virtual")],
        fields=["res_id"],
    )
    values = {
        "name": CONSUMPTION_LOCATION,
        "usage": "inventory",
        "location_id": parent[0]["res_id"] if parent else False,
    }
    created = _ids(odoo.call("stock.location", "create", [values]))[0]
    return created, Check(
        "consumption_location",
        True,
        f"Created the {CONSUMPTION_LOCATION} location (usage Inventory Loss, so used supplies leave the stock).",
        fixed=True,
    )


def _make_consumption_type(
    odoo: Connection, warehouse: dict[str, Any], location: int, found: dict[str, Any] | None
) -> None:
    if found is not None:
        odoo.call("stock.picking.type", "write", [found["id"]], {"active": True, "default_location_dest_id": location})
        return
    odoo.call(
        "stock.picking.type",
        "create",
        [
            {
                "name": CONSUMPTION_TYPE,
                "code": "internal",
                "sequence_code": CONSUMPTION_SEQUENCE,
                "warehouse_id": warehouse["id"],
                "company_id": warehouse["company_id"][0],
                "default_location_src_id": warehouse["lot_stock_id"][0],
                "default_location_dest_id": location,
            }
        ],
    )


def check_nomenclature(odoo: Connection, fix: bool) -> list[Check]:
    """Every company reads barcodes with a GS1 nomenclature (a new company gets the non-GS1 default)."""
    companies = odoo.call(
        "res.company",
        "web_search_read",
        [],
        {"name": {}, "nomenclature_id": {"fields": {"is_gs1_nomenclature": {}, "display_name": {}}}},
    )["records"]
    plain = [c for c in companies if not (c["nomenclature_id"] and c["nomenclature_id"]["is_gs1_nomenclature"])]
    if not plain:
        return [Check("gs1_nomenclature", True, "Every company reads barcodes with a GS1 nomenclature.")]
    names = ", ".join(c["name"] for c in plain)
    gs1 = odoo.call("barcode.nomenclature", "search", [("is_gs1_nomenclature", "=", True)], limit=1)
    if not fix or not gs1:
        problem = f"{names} reads barcodes with a non-GS1 nomenclature, so Odoo's own screens cannot read GS1 labels"
        hint = FIX_HINT if gs1 else "install the GS1 barcode nomenclature module (barcodes_gs1_nomenclature)"
        return [Check("gs1_nomenclature", False, f"{problem}; {hint}.")]
    odoo.call("res.company", "write", [c["id"] for c in plain], {"nomenclature_id": gs1[0]})
    return [Check("gs1_nomenclature", True, f"{names} now reads barcodes with the GS1 nomenclature.", fixed=True)]


def check_gs1_rules(odoo: Connection, fix: bool) -> list[Check]:
    nomenclatures = odoo.call(
        "barcode.nomenclature",
        "web_search_read",
        [("is_gs1_nomenclature", "=", True)],
        {"name": {}, "rule_ids": {"fields": {"pattern": {}}}},
    )["records"]
    if not nomenclatures:
        return [
            Check(
                "gs1_rules", False, "There is no GS1 nomenclature to hold the rules; install barcodes_gs1_nomenclature."
            )
        ]
    results = []
    for nomenclature in nomenclatures:
        patterns = [rule["pattern"] for rule in nomenclature["rule_ids"]]
        missing = [ai for ai in GS1_RULES if not any(pattern.startswith(f"({ai})") for pattern in patterns)]
        name = nomenclature["name"]
        if not missing:
            results.append(Check("gs1_rules", True, f"{name} has rules for {_ais(GS1_RULES)}."))
        elif fix:
            odoo.call(
                "barcode.rule",
                "create",
                [
                    {**GS1_RULES[ai], "barcode_nomenclature_id": nomenclature["id"], "encoding": "gs1-128"}
                    for ai in missing
                ],
            )
            results.append(Check("gs1_rules", True, f"Added rules for {_ais(missing)} to {name}.", fixed=True))
        else:
            results.append(
                Check(
                    "gs1_rules",
                    False,
                    f"{name} has no rule for {_ais(missing)}, so Odoo's own screens refuse labels that carry them; "
                    f"{FIX_HINT}.",
                )
            )
    return results


def check_rights(odoo: Connection, fix: bool) -> list[Check]:
    """Applying counts needs Inventory Administrator; the doctor does not grant rights."""
    group = "stock.group_stock_manager"
    if odoo.version.has_group_on_records:
        allowed = odoo.call("res.users", "has_group", [odoo.uid], group)
    else:
        allowed = odoo.call("res.users", "has_group", group)
    if allowed:
        return [Check("user_rights", True, "The Odoo user Wardstock signs in as is an Inventory Administrator.")]
    return [
        Check(
            "user_rights",
            False,
            "The Odoo user Wardstock signs in as is not an Inventory Administrator, so counts cannot be applied; "
            "give it that role in Odoo (Settings, Users).",
        )
    ]


def check_api_keys(odoo: Connection, fix: bool) -> list[Check]:
    """Warns about the user's API keys that expire within KEY_WARNING_DAYS (keys expire from 18 on)."""
    if not odoo.version.api_keys_expire:
        return []
    keys = odoo.call(
        "res.users", "web_read", [odoo.uid], {"api_key_ids": {"fields": {"name": {}, "expiration_date": {}}}}
    )[0]["api_key_ids"]
    now = datetime.now(UTC).replace(tzinfo=None)
    soon = [
        (key["name"], moment)
        for key in keys
        if key["expiration_date"]
        and (moment := datetime.strptime(key["expiration_date"], ODOO_FORMAT)) - now < timedelta(days=KEY_WARNING_DAYS)
    ]
    if not soon:
        return [Check("api_keys", True, f"No API key of this user expires within {KEY_WARNING_DAYS} days.")]
    listed = "; ".join(
        f"{name} {'expired' if moment < now else 'expires'} on {moment:%Y-%m-%d %H:%M} UTC" for name, moment in soon
    )
    return [
        Check(
            "api_keys",
            True,
            f"API key {listed}: make a new key in Odoo (Preferences, Account Security) and put it in "
            "ODOO_API_KEY before then, or every command waits.",
            warning=True,
        )
    ]


def check_quarantine(odoo: Connection, fix: bool, barcode: str) -> Check:
    """The internal location QUARANTINE_LOCATION names, where a sweep's pulled stock goes (created in the first
    warehouse, beside its stock, with `fix`)."""
    found = odoo.call(
        "stock.location", "search_read", [("barcode", "=", barcode)], fields=["active", "usage", "complete_name"],
        context={"active_test": False}, limit=1,
    )
    if found and found[0]["active"] and found[0]["usage"] == "internal":
        return Check("quarantine_location", True, f"The quarantine location {found[0]['complete_name']} ({barcode}) exists.")
    if found:
        problem = "is archived" if not found[0]["active"] else f"is a {found[0]['usage']} location, not a storage location"
        if fix and found[0]["usage"] == "internal":
            odoo.call("stock.location", "write", [found[0]["id"]], {"active": True})
            return Check("quarantine_location", True, f"Restored the archived quarantine location ({barcode}).", fixed=True)
        return Check("quarantine_location", False, f"The quarantine location {found[0]['complete_name']} ({barcode}) {problem}; "
                     "set QUARANTINE_LOCATION to an internal location's barcode, or fix it in Odoo.")
    if not fix:
        return Check("quarantine_location", False, f"No location has the barcode {barcode} (QUARANTINE_LOCATION), where pulled "
                     f"expired and recalled stock goes; {FIX_HINT}.")
    warehouse = odoo.call("stock.warehouse", "search_read", [], fields=["view_location_id"], order="id", limit=1)
    values = {"name": QUARANTINE_NAME, "barcode": barcode, "usage": "internal",
              "location_id": warehouse[0]["view_location_id"][0] if warehouse else False}
    odoo.call("stock.location", "create", [values])
    return Check("quarantine_location", True, f"Created the {QUARANTINE_NAME} location ({barcode}) for pulled expired and "
                 "recalled stock.", fixed=True)


def _ids(created: int | list[int]) -> list[int]:
    """`create` answers one id or a list of ids depending on the version and the call."""
    return created if isinstance(created, list) else [created]


def _ais(ais: Iterable[str]) -> str:
    listed = list(ais)
    return f"AI {listed[0]}" if len(listed) == 1 else f"AIs {', '.join(listed)}"
