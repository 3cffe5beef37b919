"""GTIN forms, dates in the Odoo user's time zone, version differences, idempotency tokens, settings."""

from datetime import UTC, date, datetime

import pytest

from offline_sync.backends.gtin import barcode_for, barcode_forms, is_gtin, to_gtin14
from offline_sync.backends.odoo.conventions import has_token, with_token
from offline_sync.backends.odoo.dates import expiry_from_odoo, expiry_to_odoo, to_odoo
from offline_sync.backends.odoo.settings import OdooSettings
from offline_sync.backends.odoo.versions import OdooVersion, Packaging


@pytest.mark.parametrize(
    ("gtin", "forms"),
    [
        ("05012345100012", ["05012345100012", "5012345100012"]),  # EAN-13 as Odoo keeps it
        ("00012345678905", ["00012345678905", "0012345678905", "012345678905"]),  # UPC-A: 12 digits in Odoo
        ("00000096385074", ["00000096385074", "0000096385074", "000096385074", "96385074"]),  # EAN-8
        ("15012345100019", ["15012345100019"]),  # a case GTIN (indicator 1): only its own form
    ],
)
def test_a_scanned_gtin_is_searched_in_every_form_odoo_may_hold(gtin: str, forms: list[str]) -> None:
    assert is_gtin(gtin) and barcode_forms(gtin) == forms


def test_odoo_barcodes_become_gtin_14_and_internal_codes_none() -> None:
    assert (to_gtin14("5012345100012"), to_gtin14("96385074"), to_gtin14("WARD-CODE-7")) == (
        "05012345100012",
        "00000096385074",
        None,
    )
    assert (barcode_for("05012345100012"), barcode_for("15012345100019")) == ("5012345100012", "15012345100019")


def test_expiries_are_midnight_where_the_odoo_user_is() -> None:
    assert expiry_to_odoo(date(2027, 1, 15), None) == "2027-01-15 00:00:00"
    assert expiry_to_odoo(date(2027, 1, 15), "Asia/Kolkata") == "2027-01-14 18:30:00"
    assert expiry_from_odoo("2027-01-14 18:30:00", "Asia/Kolkata") == date(2027, 1, 15)
    assert expiry_from_odoo("2027-01-14 18:30:00", None) == date(2027, 1, 14)
    assert expiry_from_odoo(False, None) is None


def test_device_times_reach_odoo_as_utc_seconds() -> None:
    aware = datetime(2026, 11, 22, 11, 0, 0, 999_000, tzinfo=UTC).astimezone()
    assert to_odoo(aware) == to_odoo(datetime(2026, 11, 22, 11, 0, 0, 1)) == "2026-11-22 11:00:00"


@pytest.mark.parametrize(
    ("text", "major", "storable", "named_moves", "has_group_on_records"),
    [
        ("17.0", 17, {"detailed_type": "product"}, True, False),
        ("18.0+e", 18, {"type": "consu", "is_storable": True}, True, True),
        ("saas~18.2", 18, {"type": "consu", "is_storable": True}, True, True),
        ("19.0", 19, {"type": "consu", "is_storable": True}, False, True),
    ],
)
def test_version_differences_are_read_once_from_the_version(
    text: str, major: int, storable: dict, named_moves: bool, has_group_on_records: bool
) -> None:
    version = OdooVersion.parse(text)
    assert (version.major, version.storable, version.moves_have_name, version.has_group_on_records) == (
        major,
        storable,
        named_moves,
        has_group_on_records,
    )


def test_keys_are_whole_tokens_of_a_move_s_origin() -> None:
    origin = with_token(with_token("P00001", "WS-a"), "WS-ab")
    assert origin == "P00001 WS-a WS-ab"
    assert has_token(origin, "WS-a") and has_token(origin, "WS-ab") and not has_token(origin, "WS-b")
    assert with_token(False, "WS-a") == "WS-a" and not has_token(False, "WS-a")


def test_settings_come_from_the_environment_and_prefer_an_api_key() -> None:
    settings = OdooSettings.from_environment(
        {
            "ODOO_URL": "https://odoo.example.org/",
            "ODOO_DB": "hospital",
            "ODOO_USER": "wardstock",
            "ODOO_PASSWORD": "pw",
            "ODOO_API_KEY": "key",
        }
    )
    assert (settings.url, settings.secret, settings.host, settings.port, settings.ssl) == (
        "https://odoo.example.org",
        "key",
        "odoo.example.org",
        443,
        True,
    )
    with pytest.raises(ValueError, match="set ODOO_DB, ODOO_API_KEY or ODOO_PASSWORD"):
        OdooSettings.from_environment({"ODOO_URL": "http://x", "ODOO_USER": "u"})


def test_packaging_barcodes_and_quantities_are_read_where_each_version_keeps_them() -> None:
    """17/18: `product.packaging` with its `qty`; 19: `product.uom`, the unit's factor over the product's own."""
    older = {"uom_id": {"factor": 1.0}, "packaging_ids": [{"barcode": "15012345100019", "qty": 10.0}]}
    newer = {
        "uom_id": {"factor": 2.0},  # the product counted in pairs
        "product_uom_ids": [
            {"barcode": "15012345100019", "uom_id": {"factor": 20.0}},
            {"barcode": False, "uom_id": {}},
        ],
    }
    assert OdooVersion.parse("18.0").packagings.parse(older) == (Packaging("15012345100019", 10.0),)
    assert OdooVersion.parse("19.0").packagings.parse(newer) == (Packaging("15012345100019", 10.0),)
    assert OdooVersion.parse("17.0").packagings.new(7, 1, "15012345100019")["qty"] == 1
    assert OdooVersion.parse("18.0").packagings.new(7, 1, "15012345100019", 12)["qty"] == 12
    assert [OdooVersion.parse(v).purchase_line_unit for v in ("18.0", "19.0")] == ["product_uom", "product_uom_id"]
    assert OdooVersion.parse("19.0").packagings.new(7, 1, "15012345100019", 12) == {  # the unit (1) says 12
        "product_id": 7,
        "uom_id": 1,
        "barcode": "15012345100019",
    }
