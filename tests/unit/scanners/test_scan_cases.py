"""Table-driven interpretation tests: tests/fixtures/scan_cases.json is shared with the offline JS parser."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from enum import Enum
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

import scanners
from scanners import Kind, Read, Scan, ScanConfig, ScanError, interpret

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "scan_cases.json"
CASES: list[dict[str, Any]] = json.loads(FIXTURE.read_text())["cases"]
CORE_FIELDS = ("kind", "gtin", "lot", "expiry", "serial", "quantity", "production_date", "code")
ERRORS = {"UnrecognizedCode", "InvalidGS1", "AmbiguousCode", "CheckDigitError", "InvalidHIBC"}


def make_config(overrides: dict[str, Any]) -> ScanConfig:
    kwargs: dict[str, Any] = {}
    for key, value in overrides.items():
        if key == "exact_codes":
            kwargs[key] = MappingProxyType({code: Kind(kind) for code, kind in value.items()})
        else:
            kwargs[key] = tuple(value)
    return ScanConfig(**kwargs)


def scan_input(case: dict[str, Any]) -> str | Read:
    raw = case["raw"]
    if case.get("source", "wedge") == "camera":
        return Read(text=raw[3:], symbology_identifier=raw[:3], format="test")
    return raw


def plain(value: Any) -> Any:
    """Scan field values in the fixture's JSON vocabulary."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if dataclasses.is_dataclass(value):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    return value


def run(case: dict[str, Any]) -> Scan:
    return interpret(scan_input(case), make_config(case.get("config", {})))


@pytest.mark.parametrize("case", CASES, ids=[f"{i:03d}" for i in range(len(CASES))])
def test_case(case: dict[str, Any]) -> None:
    if "error" in case:
        with pytest.raises(ScanError) as raised:
            run(case)
        assert type(raised.value).__name__ == case["error"], str(raised.value)
        return
    scan = run(case)
    expect = case["expect"]
    for name in dict.fromkeys((*CORE_FIELDS, *expect)):
        wanted = expect.get(name)
        got = plain(getattr(scan, name))
        if name == "warnings":
            got = len(scan.warnings)
        assert got == wanted, f"{case['name']}: {name} is {got!r}, expected {wanted!r}; warnings {scan.warnings}"


def test_fixture_is_well_formed() -> None:
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names))
    for case in CASES:
        assert ("expect" in case) != ("error" in case), case["name"]
        assert case.get("error", "UnrecognizedCode") in ERRORS
        assert case.get("source", "wedge") in ("wedge", "camera")
        assert set(case.get("expect", {})) <= {f.name for f in dataclasses.fields(Scan)}, case["name"]
        assert all(hasattr(scanners, e) for e in ERRORS)


@pytest.mark.parametrize("case", [c for c in CASES if "error" in c], ids=lambda c: c["name"][:40])
def test_error_messages_say_what_was_read_expected_and_found(case: dict[str, Any]) -> None:
    with pytest.raises(ScanError) as raised:
        run(case)
    error = raised.value
    message = str(error)
    assert message.startswith("Read '")
    assert f"expected {error.expected}, but found {error.found}." in message
    assert error.expected and error.found
    assert "\x1d" not in message  # separators are shown as <GS>
