"""The inventory backend this app talks to, chosen by WARDSTOCK_BACKEND and built once per app."""
from flask import current_app
from sqlalchemy.orm import Session, sessionmaker

from app.extensions import db
from offline_sync.backends.contract import InventoryBackend

EXTENSION_KEY = "wardstock.backend"


def session_factory() -> sessionmaker[Session]:
    """Sessions of their own on the app's engine, apart from the request's: for the worker and the sandbox."""
    return sessionmaker(bind=db.engine, expire_on_commit=False)


def inventory_backend() -> InventoryBackend:
    backend = current_app.extensions.get(EXTENSION_KEY)
    if backend is None:
        backend = new_backend()
        current_app.extensions[EXTENSION_KEY] = backend
    return backend


def new_backend() -> InventoryBackend:
    """A backend of its own, for a sync thread: an Odoo connection serves one call at a time."""
    config = current_app.config
    if config["WARDSTOCK_BACKEND"] == "sandbox":
        from offline_sync.backends.sandbox.backend import SandboxBackend

        # Its own sessions on the app's engine: the sandbox commits apart from the caller, as Odoo would.
        return SandboxBackend(
            session_factory(),
            replenish_source=config.get("REPLENISH_SOURCE", ""),
            quarantine_location=config["QUARANTINE_LOCATION"],
        )
    from offline_sync.backends.odoo.backend import OdooBackend

    return OdooBackend(config["ODOO_SETTINGS"], replenish_source=config.get("REPLENISH_SOURCE", ""))
