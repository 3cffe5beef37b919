"""A throwaway PostgreSQL server for the tests that claim PostgreSQL support.

It is started once per test run with the server's own initdb/pg_ctl (as the `postgres` user
when the run is root, since the server refuses root), on a Unix socket in a temporary folder,
and stopped at the end. Where the binaries are absent the tests are skipped with a loud reason.
"""
import getpass
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def find_bin_dir() -> Path | None:
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).resolve().parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(candidates[0]).parent if candidates else None


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextmanager
def running_postgres(bin_dir: Path) -> Iterator[str]:
    """Start a server; yield a SQLAlchemy URL for a fresh database on it."""
    folder = Path(tempfile.mkdtemp(prefix="wardstock-pg-"))
    data, socket_dir = folder / "data", folder
    user = "postgres" if os.geteuid() == 0 else getpass.getuser()
    if os.geteuid() == 0:
        shutil.chown(folder, user="postgres")
    run = lambda *args: subprocess.run(_as_server_user([str(bin_dir / args[0]), *args[1:]]), check=True, capture_output=True, text=True)
    try:
        run("initdb", "-D", str(data), "-U", user, "-A", "trust", "--no-sync")
        run("pg_ctl", "-D", str(data), "-w", "-l", str(folder / "server.log"), "-o", f"-k {socket_dir} -c listen_addresses='' -c fsync=off", "start")
        run("createdb", "-h", str(socket_dir), "-U", user, "wardstock_test")
        yield f"postgresql+psycopg://{user}@/wardstock_test?host={socket_dir}"
    finally:
        subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]), check=False, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def fresh_database(server_url: str, prefix: str) -> str:
    """A new, empty database on the test server (`running_postgres`'s URL); its URL. The server is
    thrown away after the run, so nothing drops it."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def empty_database(request: pytest.FixtureRequest, folder: Path, prefix: str) -> str:
    """For a fixture parametrised with "sqlite" and "postgresql": the URL of an empty database of that kind,
    a SQLite file in `folder` or a fresh database on the run's PostgreSQL server (the `postgres_url` fixture)."""
    if request.param == "postgresql":
        return fresh_database(request.getfixturevalue("postgres_url"), prefix)
    return f"sqlite:///{folder / 'wardstock.sqlite'}"
