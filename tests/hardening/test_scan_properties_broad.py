"""The slow, broad properties of interpretation: labels drawn from the whole GS1 AI table, and arbitrary text.

They generate hundreds of labels per run (a large share filtered away by design), so they live with the
hardening suite; tests/unit/scanners/test_scan_properties.py keeps the fast properties of the common AIs.
"""

from __future__ import annotations

import string

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from scanners import AmbiguousCode, Read, ScanError, interpret
from scanners.gs1 import Element
from tests.unit.scanners.label_strategies import product_labels, with_separators, without_separators

# A wedge replacement that is itself valid GS1 text ('<GS>': '<', 'G', 'S' and '>' are all in CSET 82) cannot be told
# apart from data, so generated labels containing it are left out of the wedge properties.


# Values are drawn from each AI's own pattern and filtered by length: slow and filtered by design, so not "unhealthy".
WHOLE_TABLE = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@given(product_labels())
@settings(WHOLE_TABLE, max_examples=400)
def test_any_label_without_separators_reads_exactly_its_fields_or_is_refused(label: list[Element]) -> None:
    raw = without_separators(label)
    assume("<GS>" not in raw)
    try:
        scan = interpret(raw)
    except AmbiguousCode:
        event("refused as ambiguous")
        return
    event("read")
    assert list(scan.elements) == [(e.ai, e.value) for e in label]


@given(product_labels())
@settings(WHOLE_TABLE, max_examples=200)
def test_any_label_with_its_separators_reads_exactly_its_fields(label: list[Element]) -> None:
    expected = [(e.ai, e.value) for e in label]
    assert list(interpret(Read(with_separators(label), "]d2", "Data Matrix")).elements) == expected
    raw = with_separators(label, "|")
    assume("<GS>" not in raw)
    if "|" in raw:  # else no field needed one: that is the separator-less property above
        assert list(interpret(raw).elements) == expected


_NASTY = st.sampled_from(["", "]d2", "]C1", "]E0", "]Q3", "+", "+$$", "(01)", "01", "https://id.gs1.org/01/", "LOC:"])
_ALPHABET = st.sampled_from(list(string.printable) + ["\x1d", "\x1e", "\x04", "é", "<GS>", "^]", "$$", "/"])


@given(st.one_of(st.text(), st.tuples(_NASTY, st.lists(_ALPHABET, max_size=60)).map(lambda t: t[0] + "".join(t[1]))))
@settings(max_examples=500, deadline=None)
def test_arbitrary_text_only_raises_the_library_errors(raw: str) -> None:
    try:
        interpret(raw)
    except ScanError as error:
        assert str(error).startswith("Read '")
