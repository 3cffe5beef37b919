"""Running the sync worker inside the app: its backend, its permission check, the catalog refresh."""
import logging
import os
import socket
import threading
import time
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy.orm import Session, sessionmaker

from app.models import User
from app.services import permissions
from app.services.backend import inventory_backend, new_backend, session_factory
from offline_sync import catalog_cache
from offline_sync.backends.contract import BackendUnavailable, Command
from offline_sync.outbox.worker import Claimed, Worker

log = logging.getLogger(__name__)
CATALOG_REFRESH_SECONDS = 60
# Commands claimed per round: each claim reads the whole open queue to find what may go, so a worker
# that has fallen behind spends less of its time choosing (measured on a queue of 3,000 on SQLite:
# 18.5 ms of CPU per command with 20 a round, 14.7 with 100); a round of 50 still ends within seconds.
CLAIM_BATCH = 50


def make_authorizer(factory: sessionmaker[Session]):
    """The worker's second permission check, at sync time, against the user as they are now."""

    def authorize(item: Claimed, command: Command) -> str | None:
        with factory() as session:
            return permissions.problem(session, session.get(User, item.user_id), item.kind, command)

    return authorize


def build_worker(owner: str | None = None) -> Worker:
    return build_workers(1, owner)[0]


def build_workers(count: int, owner: str | None = None) -> list[Worker]:
    """`count` workers that are threads of this process: each its own backend connection, one claim at a time."""
    factory = session_factory()
    owner = owner or f"{socket.gethostname()}:{os.getpid()}"
    odoo = current_app.config["ODOO_SETTINGS"]
    write_timeout = timedelta(seconds=odoo.timeout if odoo is not None else 0)  # the sandbox's writes are fenced
    authorize, claim_lock = make_authorizer(factory), threading.Lock()
    return [
        Worker(
            factory,
            inventory_backend() if number == 0 else new_backend(),
            owner=owner if number == 0 else f"{owner}:{number}",
            authorize=authorize,
            lease=current_app.config["SYNC_LEASE"],
            write_timeout=write_timeout,
            count_tolerance=current_app.config["COUNT_AS_OF_TOLERANCE"],
            claim_lock=claim_lock,
            batch=CLAIM_BATCH,
        )
        for number in range(count)
    ]


def refresh_catalog() -> int | None:
    """Refresh the local catalog; None when the backend cannot be reached (the old copy stays)."""
    try:
        with session_factory()() as session, session.begin():
            return catalog_cache.refresh(session, inventory_backend())
    except BackendUnavailable as error:  # leaving the block rolled the transaction back
        log.warning("catalog not refreshed: %s", error)
        return None


def run(app: Flask, stop: threading.Event, idle_seconds: float = 1.0) -> None:
    """The worker loop with a catalog refresh every minute, until `stop` is set; with SYNC_THREADS
    above one, as many workers in threads, each working other lanes (the main one refreshes the catalog)."""
    with app.app_context():
        main, *others = build_workers(app.config["SYNC_THREADS"])
    threads = [threading.Thread(target=other.run, args=(stop, idle_seconds), name=other.owner) for other in others]
    for thread in threads:
        thread.start()
    next_refresh = 0.0

    def refresh_when_due() -> None:
        nonlocal next_refresh
        if time.monotonic() >= next_refresh:
            refresh_catalog()
            next_refresh = time.monotonic() + CATALOG_REFRESH_SECONDS

    with app.app_context():
        main.run(stop, idle_seconds, before_round=refresh_when_due)
    for thread in threads:
        thread.join()
