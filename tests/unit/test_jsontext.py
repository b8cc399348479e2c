"""Stored JSON text: orjson's output must equal the standard library's canonical form."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from loyalty_desktop.store.jsontext import canonical, compact, loads


def reference(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def test_every_code_point_is_written_as_the_standard_library_writes_it():
    points = [c for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    for start in range(0, len(points), 4096):
        text = "".join(chr(c) for c in points[start:start + 4096])
        assert canonical({"k": text}) == reference({"k": text})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_canonical_text_equals_the_standard_library_and_round_trips(value):
    assert canonical(value) == reference(value)
    assert loads(canonical(value)) == value
    assert loads(compact(value)) == value


def test_what_orjson_refuses_is_written_by_the_standard_library():
    for value in ({"big": 2**70}, {"lone": "\ud800x"}, {1: "non-string key"}):
        assert canonical(value) == reference(value)
