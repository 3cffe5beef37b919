"""A sync worker in a process of its own that freezes itself with SIGSTOP at a chosen moment of its
first command, for the lease tests: the test lets its lease run out, works the queue with another
worker, then continues it with SIGCONT, and the frozen worker ends its round as if nothing happened.

    python -m tests.faults.frozen_worker DATABASE_URL MOMENT LEASE_SECONDS

MOMENT is `sandbox-before-commit` (inside the sandbox's transaction, its effect written, not yet
committed) or `odoo-after-call` (Odoo answered, the outcome not yet recorded; ODOO_* from the environment).
"""
import os
import signal
import sys
from datetime import timedelta

from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from offline_sync.backends.contract import InventoryBackend, Outcome, Transfer
from offline_sync.backends.sandbox.backend import SandboxBackend
from offline_sync.outbox.worker import Worker


def freeze() -> None:
    print("freezing", flush=True)
    os.kill(os.getpid(), signal.SIGSTOP)
    print("continued", flush=True)


class FreezeAfterCall:
    """An Odoo backend that freezes its process once, right after its first transfer was answered."""

    def __init__(self, backend: InventoryBackend) -> None:
        self.backend, self.name, self.frozen = backend, backend.name, False

    def transfer(self, command: Transfer) -> Outcome:
        outcome = self.backend.transfer(command)
        if not self.frozen:
            self.frozen = True
            freeze()
        return outcome


def sandbox_frozen_before_commit(sessions: sessionmaker[Session]) -> SandboxBackend:
    frozen: list[bool] = []

    @event.listens_for(sessions, "before_commit")
    def before_commit(session: Session) -> None:
        if not frozen:
            frozen.append(True)
            session.flush()
            freeze()

    return SandboxBackend(sessions)


def main(url: str, moment: str, lease_seconds: str) -> None:
    engine = create_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    options = {}  # the sandbox's writes are fenced: no write timeout to keep within the lease
    if moment == "sandbox-before-commit":
        backend: InventoryBackend | FreezeAfterCall = sandbox_frozen_before_commit(sessionmaker(bind=engine, expire_on_commit=False))
    elif moment == "odoo-after-call":
        from offline_sync.backends.odoo.backend import OdooBackend
        from offline_sync.backends.odoo.settings import OdooSettings

        settings = OdooSettings.from_environment(os.environ)
        backend, options = FreezeAfterCall(OdooBackend(settings)), {"write_timeout": timedelta(seconds=settings.timeout)}
    else:
        raise SystemExit(f"unknown moment {moment!r}")
    worker = Worker(factory, backend, owner="frozen", lease=timedelta(seconds=float(lease_seconds)),  # type: ignore[arg-type]
                    **options)
    print(f"worked {worker.run_once()}", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
