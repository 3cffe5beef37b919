"""`flask sync worker`, `flask sync once`, `flask sync catalog`."""
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from app.services import sync as sync_service

sync = AppGroup("sync", help="The outbox worker that drives commands into the inventory backend.")


@sync.command("worker")
@click.option("--idle", default=1.0, show_default=True, help="Seconds to wait when there is nothing to do.")
def worker(idle: float) -> None:
    """Run the worker until SIGTERM or Ctrl-C; the current command is finished first."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo("Sync worker running; Ctrl-C to stop.")
    sync_service.run(current_app._get_current_object(), stop, idle)


@sync.command("once")
def once() -> None:
    """Work what may run now, once (for scripts and cron)."""
    refreshed = sync_service.refresh_catalog()
    worked = sync_service.build_worker().run_once()
    click.echo(f"Catalog {'refreshed' if refreshed is not None else 'not reachable'}; {worked} command(s) worked.")


@sync.command("catalog")
def catalog() -> None:
    """Refresh the local copy of the catalog now."""
    written = sync_service.refresh_catalog()
    if written is None:
        raise click.ClickException("The inventory backend cannot be reached; the local catalog was kept as it was.")
    click.echo(f"Catalog refreshed ({written} records).")
