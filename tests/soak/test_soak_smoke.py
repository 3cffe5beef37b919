"""The soak script itself, for 45 s on the training sandbox with one worker kill and one web kill,
so CI proves it runs and checks what it claims (the 30-minute run against Odoo is run by hand)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.postgres import find_bin_dir

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.faults
@pytest.mark.postgres
def test_a_short_soak_on_the_sandbox_proves_every_accepted_command_ended_once(tmp_path: Path) -> None:
    if find_bin_dir() is None:
        pytest.skip("PostgreSQL TESTS SKIPPED: no pg_ctl/initdb found (the soak stops its own PostgreSQL server)")
    environment = {name: value for name, value in os.environ.items() if not name.startswith("ODOO_")}  # the sandbox
    run = subprocess.run(
        [sys.executable, str(ROOT / "tests/soak/soak.py"), "--minutes", "0.75", "--devices", "3", "--seed", "11",
         "--worker-kills", "1", "--web-kills", "1", "--db-outages", "1", "--db-down-seconds", "4", "--restart-after", "2",
         "--drain-timeout", "120", "--folder", str(tmp_path)],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=420, check=False,
    )
    print(run.stdout[-4000:])
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    summary = run.stdout
    assert "SOAK PASSED" in summary
    assert "worker killed with SIGKILL" in summary and "web killed with SIGKILL" in summary
    assert "Odoo stop/start steps are SKIPPED" in summary
    accepted = int(summary.split("answers: accepted ")[1].split(",")[0])
    assert accepted > 20, "too little traffic for the soak to prove anything"
