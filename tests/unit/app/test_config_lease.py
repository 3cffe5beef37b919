"""SYNC_LEASE_SECONDS against ODOO_TIMEOUT: no write to Odoo may outlast the lease it started under."""
from pathlib import Path

import pytest

from app.config import ConfigError, load_config

ODOO = {"SECRET_KEY": "k", "WARDSTOCK_BACKEND": "odoo", "ODOO_URL": "http://127.0.0.1:8018/", "ODOO_DB": "lab",
        "ODOO_USER": "wardstock", "ODOO_API_KEY": "key"}


def test_a_lease_shorter_than_twice_the_odoo_timeout_is_refused_with_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"SYNC_LEASE_SECONDS is 50, but it must be at least twice ODOO_TIMEOUT \(30 s\)"):
        load_config({**ODOO, "ODOO_TIMEOUT": "30", "SYNC_LEASE_SECONDS": "50"}, tmp_path)


def test_the_defaults_keep_the_rule_and_the_sandbox_has_no_write_timeout(tmp_path: Path) -> None:
    assert load_config(ODOO, tmp_path)["SYNC_LEASE"].total_seconds() == 120  # ODOO_TIMEOUT 30 by default
    assert load_config({"SECRET_KEY": "k", "SYNC_LEASE_SECONDS": "3"}, tmp_path)["SYNC_LEASE"].total_seconds() == 3
