from datetime import timedelta
from pathlib import Path

import pytest

from app.config import ConfigError, load_config


def test_embedded_default_is_sqlite_in_the_instance_folder_and_the_sandbox(tmp_path: Path) -> None:
    config = load_config({"WARDSTOCK_ENV": "development"}, tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'wardstock.sqlite'}"
    assert config["WARDSTOCK_BACKEND"] == "sandbox"
    assert config["IDLE_LOGOUT"] == timedelta(minutes=15)
    assert config["SESSION_COOKIE_HTTPONLY"] and config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert config["REMEMBER_COOKIE_DURATION"] == timedelta(0)


def test_development_generates_a_secret_key_once_and_keeps_it(tmp_path: Path) -> None:
    first = load_config({"WARDSTOCK_ENV": "development"}, tmp_path)["SECRET_KEY"]
    second = load_config({"WARDSTOCK_ENV": "development"}, tmp_path)["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY is not set"):
        load_config({}, tmp_path)


def test_production_cookies_are_secure(tmp_path: Path) -> None:
    config = load_config({"SECRET_KEY": "k"}, tmp_path)
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]


def test_postgresql_urls_use_psycopg_3(tmp_path: Path) -> None:
    config = load_config({"SECRET_KEY": "k", "DATABASE_URL": "postgresql://u:p@db/wardstock"}, tmp_path)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/wardstock"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"WARDSTOCK_BACKEND": "sap"}, "WARDSTOCK_BACKEND must be one of sandbox, odoo, but it is 'sap'"),
        ({"IDLE_LOGOUT_MINUTES": "ten"}, "IDLE_LOGOUT_MINUTES must be a whole number, but it is 'ten'"),
        ({"IDLE_LOGOUT_MINUTES": "0"}, "IDLE_LOGOUT_MINUTES must be at least 1, but it is 0"),
        ({"WARDSTOCK_BACKEND": "odoo", "ODOO_URL": "http://odoo"}, "set ODOO_DB, ODOO_USER, ODOO_API_KEY or ODOO_PASSWORD"),
        ({"NEAR_EXPIRY_DAYS": "-1"}, "NEAR_EXPIRY_DAYS must be at least 0, but it is -1"),
        ({"SYNC_THREADS": "4"}, "SYNC_THREADS is 4, but the training sandbox is worked by one thread"),
    ],
)
def test_bad_settings_say_which_variable_and_what_it_expects(tmp_path: Path, environ: dict, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config({"SECRET_KEY": "k", **environ}, tmp_path)
    assert message in str(error.value)


def test_idle_logout_is_configurable(tmp_path: Path) -> None:
    assert load_config({"SECRET_KEY": "k", "IDLE_LOGOUT_MINUTES": "5"}, tmp_path)["IDLE_LOGOUT"] == timedelta(minutes=5)


def test_near_expiry_days_reach_the_handheld_page(tmp_path: Path) -> None:
    assert load_config({"SECRET_KEY": "k"}, tmp_path)["NEAR_EXPIRY_DAYS"] == 30
    assert load_config({"SECRET_KEY": "k", "NEAR_EXPIRY_DAYS": "90"}, tmp_path)["NEAR_EXPIRY_DAYS"] == 90


def test_odoo_settings_come_from_the_environment(tmp_path: Path) -> None:
    config = load_config({"SECRET_KEY": "k", "WARDSTOCK_BACKEND": "odoo", "ODOO_URL": "http://127.0.0.1:8018/",
                          "ODOO_DB": "ws18", "ODOO_USER": "wardstock", "ODOO_API_KEY": "0123abcd"}, tmp_path)
    settings = config["ODOO_SETTINGS"]
    assert (settings.url, settings.database, settings.login, settings.secret) == ("http://127.0.0.1:8018", "ws18", "wardstock", "0123abcd")
