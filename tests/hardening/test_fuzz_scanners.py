"""A bounded run of the atheris harnesses in fuzz_scanners.py (issue 7: fuzz interpretation and the image decoder).

Each target runs in its own process (libFuzzer exits the process when it is
done) for a fixed number of inputs, starting from the harness's seed corpus.
Longer campaigns: run fuzz_scanners.py by hand with ``-max_total_time``.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

if importlib.util.find_spec("atheris") is None:
    pytest.skip(
        "ATHERIS NOT INSTALLED: the coverage-guided fuzzing of scanners did not run (pip install atheris)",
        allow_module_level=True,
    )

HARNESS = Path(__file__).with_name("fuzz_scanners.py")
RUNS = {"interpret": 10_000, "decode": 200, "decode-array": 20}  # an array reaches the whole cascade: slowest


@pytest.mark.parametrize("target", sorted(RUNS))
def test_fuzzing_finds_no_crash_or_hang(target: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    subprocess.run([sys.executable, HARNESS, "--seed", target, corpus], check=True, capture_output=True)
    result = subprocess.run(
        [sys.executable, HARNESS, target, corpus, f"-runs={RUNS[target]}", "-timeout=20", "-seed=1"],
        check=False,  # the exit status is asserted below, with libFuzzer's report
        cwd=tmp_path,  # libFuzzer writes crash-*/timeout-* files here
        capture_output=True,
        text=True,
        timeout=600,
    )
    findings = sorted(path.name for path in tmp_path.glob("*-*") if path.is_file())
    assert result.returncode == 0 and not findings, f"{findings}\n{result.stderr[-3000:]}"
    done = re.search(r"Done (\d+) runs", result.stderr)  # libFuzzer may count the seed inputs it loaded too
    assert done and int(done.group(1)) >= RUNS[target], result.stderr[-3000:]
