"""The code passes the linter pinned in requirements.txt (ruff, configured in pyproject.toml)."""
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing() -> None:
    run = subprocess.run([str(ROOT / ".venv" / "bin" / "ruff"), "check", "--no-cache", "."], check=False, cwd=ROOT,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
