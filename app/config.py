"""Configuration from environment variables; the README's table lists every one.

`load_config` is pure (environment in, settings out) so it can be tested without an app.
"""
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from offline_sync.backends.contract import DEFAULT_QUARANTINE_LOCATION
from offline_sync.backends.odoo.settings import OdooSettings


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable and what it expects."""


BACKENDS = ("sandbox", "odoo")
ENVIRONMENTS = ("production", "development")


def _int(environ: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, but it is {raw!r}.") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, but it is {value}.")
    return value


def _choice(environ: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = environ.get(name) or default
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, but it is {value!r}.")
    return value


def _secret_key(environ: Mapping[str, str], env: str, instance_path: Path, serving: bool) -> str | None:
    """SECRET_KEY from the environment; in development, one generated once and kept in the instance folder.

    Only a process that serves web requests signs anything (sessions, CSRF tokens): the `flask`
    commands run without a key in production."""
    if environ.get("SECRET_KEY"):
        return environ["SECRET_KEY"]
    if env == "production":
        if not serving:
            return None
        raise ConfigError(
            "SECRET_KEY is not set: set it to a long random string shared by every web process, for example "
            "the output of python -c 'import secrets; print(secrets.token_hex(32))' (or set WARDSTOCK_ENV=development "
            "to have one generated on this machine)."
        )
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def load_config(environ: Mapping[str, str], instance_path: Path, *, serving: bool = True) -> dict[str, Any]:
    """Flask settings for this process, read from `environ`; `serving` is False for the `flask` commands."""
    env = _choice(environ, "WARDSTOCK_ENV", ENVIRONMENTS, "production")
    backend = _choice(environ, "WARDSTOCK_BACKEND", BACKENDS, "sandbox")
    database_url = environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'wardstock.sqlite'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    odoo = None
    if backend == "odoo":
        try:
            odoo = OdooSettings.from_environment(environ)
        except ValueError as error:
            raise ConfigError(f"WARDSTOCK_BACKEND is odoo, but {error}") from None
    sync_threads = _int(environ, "SYNC_THREADS", 1, minimum=1)
    if sync_threads > 1 and backend != "odoo":
        raise ConfigError(f"SYNC_THREADS is {sync_threads}, but the training sandbox is worked by one thread: set it to 1.")
    sync_lease = _int(environ, "SYNC_LEASE_SECONDS", 120, minimum=1)
    if odoo is not None and sync_lease < 2 * odoo.timeout:
        raise ConfigError(
            f"SYNC_LEASE_SECONDS is {sync_lease}, but it must be at least twice ODOO_TIMEOUT ({odoo.timeout:g} s) so that "
            f"no write to Odoo outlasts the lease it started under: set it to {2 * odoo.timeout:g} or more, or lower ODOO_TIMEOUT."
        )
    secure_cookies = env == "production"
    return {
        "WARDSTOCK_ENV": env,
        "WARDSTOCK_BACKEND": backend,
        "SECRET_KEY": _secret_key(environ, env, instance_path, serving),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "ODOO_SETTINGS": odoo,  # the key stays on the server: never rendered, never logged
        # Shared handhelds: a session dies with the shift or after idle time, never lasts a year.
        "IDLE_LOGOUT": timedelta(minutes=_int(environ, "IDLE_LOGOUT_MINUTES", 15, minimum=1)),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int(environ, "SESSION_MAX_HOURS", 12, minimum=1)),
        # The cookie is sent again only when the session changes (idle.py stamps it once a minute):
        # signing it on every answer costs a fifth of a page load's CPU for nothing.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "SESSION_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "LOGIN_MAX_FAILURES_PER_USER": _int(environ, "LOGIN_MAX_FAILURES_PER_USER", 5, minimum=1),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": _int(environ, "LOGIN_MAX_FAILURES_PER_ADDRESS", 30, minimum=1),
        "LOGIN_LOCKOUT": timedelta(minutes=_int(environ, "LOGIN_LOCKOUT_MINUTES", 15, minimum=1)),
        "TRUSTED_PROXIES": _int(environ, "TRUSTED_PROXIES", 0),
        # How long a worker may hold a command before another worker takes it over; renewed while it works.
        "SYNC_LEASE": timedelta(seconds=sync_lease),
        # Lanes worked at the same time by one worker process, each thread with its own Odoo connection.
        "SYNC_THREADS": sync_threads,
        # An overtaken count is settled as counted + moves since, when those moves are this small.
        "COUNT_AS_OF_TOLERANCE": _int(environ, "COUNT_AS_OF_TOLERANCE", 5),
        # A lot this close to its expiry (and with no alert date of its own) is shown amber with its date.
        "NEAR_EXPIRY_DAYS": _int(environ, "NEAR_EXPIRY_DAYS", 30),
        # The store ward refills come from (a location barcode); empty: the sandbox's central store, Odoo's warehouse stock.
        "REPLENISH_SOURCE": environ.get("REPLENISH_SOURCE", "").strip(),
        # A ward's replenishment request still open after this many hours is highlighted on the stock-out watch.
        "REPLENISH_STALE_HOURS": _int(environ, "REPLENISH_STALE_HOURS", 8, minimum=1),
        # The barcode of the location pulled stock is quarantined in (issue 16).
        "QUARANTINE_LOCATION": environ.get("QUARANTINE_LOCATION") or DEFAULT_QUARANTINE_LOCATION,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session; idle logout bounds it
        "MAX_CONTENT_LENGTH": _int(environ, "MAX_UPLOAD_MB", 16, minimum=1) * 1024 * 1024,
    }
