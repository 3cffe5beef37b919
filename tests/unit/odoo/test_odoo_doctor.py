"""The doctor against a fake Odoo as a fresh database has it: what it reports, and what `fix` does
(only Odoo's own configuration: settings, a location, an operation type, a company field, rules)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from odoo_fakes import FakeOdoo, records

from offline_sync.backends.odoo.doctor import GS1_RULES, Check, doctor
from offline_sync.backends.odoo.errors import OdooUnavailable
from offline_sync.backends.odoo.settings import OdooSettings

SETTINGS = OdooSettings("http://odoo.invalid", "ward", "admin", "admin")


def fresh(version: str = "17.0") -> FakeOdoo:
    """A database with only stock, product_expiry and purchase installed, nothing set up."""
    fake = FakeOdoo(version)
    fake.answer(
        "res.config.settings",
        "default_get",
        {
            "group_stock_multi_locations": False,
            "group_stock_production_lot": True,
            "module_product_expiry": True,
            "group_stock_packaging": True,  # 17/18 show packagings with this setting, 19 with group_uom
            "group_uom": True,
        },
    )
    fake.answer("res.config.settings", "create", 41)
    fake.answer("res.config.settings", "execute", True)

    def warehouses(args: list[Any], kwargs: dict[str, Any]) -> Any:
        if "int_type_id" in args[1]:
            return records([{"id": 1, "name": "My Company", "int_type_id": {"id": 5, "active": False}}])
        return records([])

    fake.answer("stock.warehouse", "web_search_read", warehouses)
    fake.answer(
        "stock.warehouse",
        "search_read",
        [{"id": 1, "name": "My Company", "lot_stock_id": [8, "WH/Stock"], "view_location_id": [7, "WH"],
          "company_id": [1, "My Company"]}],
    )
    fake.answer("stock.picking.type", "write", True)
    fake.answer("stock.picking.type", "search_read", [])
    fake.answer("stock.picking.type", "create", [12])
    fake.answer("stock.location", "search_read", [])
    fake.answer("stock.location", "create", [30])
    fake.answer("ir.model.data", "search_read", [{"id": 1, "res_id": 3}])
    fake.answer(
        "res.company",
        "web_search_read",
        records(
            [
                {
                    "id": 1,
                    "name": "My Company",
                    "nomenclature_id": {"id": 1, "is_gs1_nomenclature": False, "display_name": "Default Nomenclature"},
                }
            ]
        ),
    )
    fake.answer("barcode.nomenclature", "search", [2])
    fake.answer("res.company", "write", True)
    rules = [{"id": n, "pattern": f"({ai})(\\d+)"} for n, ai in enumerate(ai for ai in GS1_RULES if ai != "11")]
    fake.answer(
        "barcode.nomenclature",
        "web_search_read",
        records([{"id": 2, "name": "Default GS1 Nomenclature", "rule_ids": rules}]),
    )
    fake.answer("barcode.rule", "create", [31])
    fake.answer("res.users", "has_group", True)
    fake.answer("res.users", "web_read", [{"id": 2, "api_key_ids": []}])
    return fake


def run(fake: FakeOdoo, fix: bool) -> list[Check]:
    return doctor(SETTINGS, fix=fix, transport=lambda _settings: fake)


def test_a_fresh_database_is_reported_and_nothing_is_written() -> None:
    fake = fresh()

    checks = {check.name: check for check in run(fake, False)}

    failing = sorted(name for name, check in checks.items() if not check.ok)
    assert failing == [
        "consumption_location",
        "consumption_type",
        "gs1_nomenclature",
        "gs1_rules",
        "internal_transfers",
        "quarantine_location",
        "storage_locations",
    ]
    assert "QUARANTINE_LOCATION" in checks["quarantine_location"].message
    assert checks["gs1_rules"].message.startswith("Default GS1 Nomenclature has no rule for AI 11,")
    assert "--fix" in checks["storage_locations"].message
    assert not [m for m in fake.methods() if m.endswith((".create", ".write", ".execute"))]


def test_fix_sets_up_everything_through_odoo_s_configuration() -> None:
    fake = fresh()

    checks = run(fake, True)

    assert all(check.ok for check in checks), [check.message for check in checks if not check.ok]
    assert {check.name for check in checks if check.fixed} == {
        "storage_locations",
        "internal_transfers",
        "consumption_location",
        "consumption_type",
        "gs1_nomenclature",
        "gs1_rules",
        "quarantine_location",
    }
    assert fake.args_of("res.config.settings", "create") == [[{"group_stock_multi_locations": True}]]
    assert fake.args_of("res.config.settings", "execute") == [[41]]
    assert [args for model, method, args, _ in fake.calls if (model, method) == ("stock.location", "create")] == [
        [[{"name": "Patient Consumption", "usage": "inventory", "location_id": 3}]],
        [[{"name": "Quarantine", "barcode": "WS-QUARANTINE", "usage": "internal", "location_id": 7}]],
    ]
    [[picking_type]] = fake.args_of("stock.picking.type", "create")
    assert (
        picking_type["name"],
        picking_type["code"],
        picking_type["sequence_code"],
        picking_type["default_location_dest_id"],
    ) == (
        "Ward Consumption",
        "internal",
        "CONS",
        30,
    )
    assert fake.args_of("res.company", "write") == [[1], {"nomenclature_id": 2}]
    [[rule]] = fake.args_of("barcode.rule", "create")
    assert (rule["pattern"], rule["type"], rule["gs1_content_type"], rule["barcode_nomenclature_id"]) == (
        r"(11)(\d{6})",
        "pack_date",
        "date",
        2,
    )


@pytest.mark.parametrize(
    ("version", "args"), [("17.0", ["stock.group_stock_manager"]), ("18.0", [[2], "stock.group_stock_manager"])]
)
def test_the_rights_check_follows_the_version(version: str, args: list[Any]) -> None:
    fake = fresh(version)
    fake.answer("res.users", "has_group", False)

    checks = {check.name: check for check in run(fake, False)}

    assert fake.args_of("res.users", "has_group") == args
    assert not checks["user_rights"].ok and "Inventory Administrator" in checks["user_rights"].message


def test_an_unreachable_odoo_is_one_failed_check() -> None:
    fake = FakeOdoo()
    fake.login_error = OdooUnavailable("Odoo at http://odoo.invalid refuses connections.")

    assert [(c.name, c.ok, c.message) for c in run(fake, True)] == [
        ("connection", False, "Odoo at http://odoo.invalid refuses connections.")
    ]


def test_on_19_the_doctor_needs_units_for_packagings_and_no_virtual_locations_parent() -> None:
    fake = fresh("19.0")
    fake.answer("res.config.settings", "default_get", lambda args, _: dict.fromkeys(args[0], True) | {"group_uom": False})
    fake.answer("ir.model.data", "search_read", [])  # 19 has no "Virtual Locations"

    checks = {check.name: check for check in run(fake, True)}

    assert checks["packagings"].fixed and "Units of Measure & Packagings" in checks["packagings"].message
    assert fake.args_of("res.config.settings", "create") == [[{"group_uom": True}]]
    created = [args for model, method, args, _ in fake.calls if (model, method) == ("stock.location", "create")]
    assert created[0] == [[{"name": "Patient Consumption", "usage": "inventory", "location_id": False}]]


def test_an_api_key_that_expires_within_two_weeks_is_a_warning() -> None:
    fake = fresh("19.0")
    soon = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S")
    later = (datetime.now(UTC) + timedelta(days=60)).strftime("%Y-%m-%d %H:%M:%S")
    keys = [
        {"id": 1, "name": "wardstock", "expiration_date": soon},
        {"id": 2, "name": "reports", "expiration_date": later},
        {"id": 3, "name": "forever", "expiration_date": False},
    ]
    fake.answer("res.users", "web_read", [{"id": 2, "api_key_ids": keys}])

    check = next(check for check in run(fake, False) if check.name == "api_keys")

    assert check.ok and check.warning
    assert check.message.startswith(f"API key wardstock expires on {soon[:16]} UTC") and "reports" not in check.message


def test_17_keys_do_not_expire_so_nothing_is_read_about_them() -> None:
    fake = fresh("17.0")

    checks = run(fake, False)

    assert "api_keys" not in {check.name for check in checks} and "res.users.web_read" not in fake.methods()
