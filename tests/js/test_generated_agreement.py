"""The device's parser (static/js/gs1.js) and scanners/ agree on generated labels, not only on the shared table.

Hypothesis generates the inputs in Python (whole-table GS1 labels with and without separators, HIBC codes, and
those labels damaged by one character); node interprets them all in one run; every outcome must be the same:
the same fields, or the same error class.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanners import Read, ScanError, interpret
from tests.unit.scanners.label_strategies import hibc_codes, product_labels, with_separators, without_separators

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = 400


@st.composite
def raw_inputs(draw: st.DrawFn) -> dict[str, str]:
    kind = draw(st.sampled_from(["bare", "gs", "bar", "camera", "hibc", "damaged", "damaged hibc"]))
    if kind.endswith("hibc"):
        raw = draw(hibc_codes())[0]
    else:
        label = draw(product_labels(max_others=4))
        if kind == "camera":
            return {"raw": "]d2" + with_separators(label), "source": "camera"}
        raw = {"bare": without_separators(label), "gs": with_separators(label), "bar": with_separators(label, "|")}.get(
            kind, with_separators(label, draw(st.sampled_from(["", "\x1d"]))))
    if kind.startswith("damaged"):  # one character dropped or replaced, as a damaged label or a bad read would give
        at = draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + draw(st.sampled_from(["", "0", "9", "A", "$", "/", "+", "\x1d", "-"])) + raw[at + 1 :]
    return {"raw": raw, "source": "wedge"}


def python_outcome(case: dict[str, str]) -> dict:
    raw = case["raw"]
    try:
        scan = interpret(Read(raw[3:], raw[:3], "test") if case["source"] == "camera" else raw)
    except ScanError as error:
        return {"error": type(error).__name__}
    dates = {name: getattr(scan, name) for name in ("expiry", "production_date")}
    return {
        "kind": scan.kind.value, "gtin": scan.gtin, "lot": scan.lot, "serial": scan.serial, "quantity": scan.quantity,
        "code": scan.code, "elements": [list(pair) for pair in scan.elements], "warnings": len(scan.warnings),
        **{name: value.isoformat() if value else None for name, value in dates.items()},
    }


def generated_cases() -> list[dict[str, str]]:
    found: list[dict[str, str]] = []

    @given(raw_inputs())
    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def collect(case: dict[str, str]) -> None:
        found.append(case)

    collect()
    return found


def test_device_and_server_agree_on_generated_labels() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("JAVASCRIPT TESTS SKIPPED: no node on PATH")
    cases = generated_cases()
    run = subprocess.run([node, "tests/js/interpret-batch.mjs"], input=json.dumps(cases), cwd=ROOT,
                         capture_output=True, text=True, check=False, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    device = json.loads(run.stdout)
    differences = [(case, python_outcome(case), js) for case, js in zip(cases, device, strict=True)
                   if python_outcome(case) != {key: js.get(key) for key in python_outcome(case)}
                   or set(js) != set(python_outcome(case))]
    assert len(cases) >= EXAMPLES // 2
    assert not differences, f"{len(differences)} of {len(cases)} differ, e.g. {differences[:3]}"
