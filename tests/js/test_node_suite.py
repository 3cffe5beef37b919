"""Runs the device's JavaScript unit tests (node --test tests/js/) as part of pytest."""
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_javascript_unit_tests_pass() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("JAVASCRIPT TESTS SKIPPED: no node on PATH")
    if not (ROOT / "static" / "vendor" / "idb.js").exists():
        pytest.skip("JAVASCRIPT TESTS SKIPPED: static/vendor missing; run `make static` first")
    tests = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "js").glob("*.test.mjs"))
    run = subprocess.run([node, "--test", *tests], check=False, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
