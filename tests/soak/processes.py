"""The processes a soak runs and breaks: the web server and the sync worker (killed with SIGKILL and
restarted, or restarted by a watchdog when they exit on their own, as systemd would), Wardstock's
throwaway PostgreSQL (stopped for a while), and Odoo (stopped and started by the operator's commands)."""
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.postgres import _as_server_user


@dataclass
class Service:
    """A process group we start, may kill -9, and restart."""

    name: str
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None
    held_down: bool = False  # killed on purpose: the watchdog leaves it alone
    unexpected_exits: list[tuple[float, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        with self.lock:
            self.process = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, stdout=self.log.open("ab"),
                                            stderr=subprocess.STDOUT, start_new_session=True)
            self.held_down = False

    def kill(self) -> None:
        """SIGKILL to the whole group (gunicorn's master and its workers alike), held down until `start`."""
        with self.lock:
            self.held_down = True
            if self.process is not None and self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def stop(self, timeout: float = 60) -> None:
        with self.lock:
            self.held_down = True
            if self.process is not None and self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGTERM)
                try:
                    self.process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait()

    def exited_by_itself(self) -> int | None:
        """The exit code if it died while nobody meant it to (recorded), else None."""
        with self.lock:
            if self.held_down or self.process is None or self.process.poll() is None:
                return None
            code = self.process.returncode
            self.unexpected_exits.append((time.time(), code))
            self.held_down = True
            return code


def postgres_outage(url: str, bin_dir: Path, seconds: float) -> None:
    """Stop the throwaway server of tests/postgres.py (found through its socket folder) and start it again.
    The start options repeat those of tests/postgres.py, which pg_ctl does not remember across a stop."""
    folder = Path(parse_qs(urlsplit(url).query)["host"][0])
    data = folder / "data"
    pg_ctl = str(bin_dir / "pg_ctl")
    subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-m", "fast", "stop"]), check=True, capture_output=True)
    time.sleep(seconds)
    subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-w", "-l", str(folder / "server.log"), "-o",
                                    f"-k {folder} -c listen_addresses='' -c fsync=off", "start"]),
                   check=True, capture_output=True)


def shell(command: str, timeout: float = 180) -> str:
    """An operator's command (stop or start Odoo); its output, for the log."""
    done = subprocess.run(command, check=False, shell=True, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{command!r} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout.strip()
