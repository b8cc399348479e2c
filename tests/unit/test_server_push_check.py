"""The push body's fast check agrees with the pydantic model wherever it answers."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from loyalty_desktop.server.models import PUSH_REQUEST, checked_push


def event(**changes: Any) -> dict[str, Any]:
    """A valid wire event with some fields changed (None value: field removed)."""
    base: dict[str, Any] = {
        "id": "0194a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "terminal_id": "T-1", "seq": 1,
        "kind": "sale", "member_id": "m1", "at": "2026-11-23T10:15:00+03:00",
        "recorded_at": "2026-11-23T10:15:00.123+03:00", "program_version": 1,
        "payload": {"total": 1000, "lines": [{"category": "kahve", "amount": 1000}]},
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not _GONE}


_GONE = object()


def pydantic_answer(raw: bytes) -> list[dict[str, Any]] | None:
    """What PUSH_REQUEST makes of a body (None when it refuses it)."""
    try:
        return PUSH_REQUEST.validate_json(raw)["events"]  # type: ignore[no-any-return]
    except ValidationError:
        return None


def assert_agrees(raw: bytes) -> None:
    """checked_push answers only when pydantic accepts, with the same fields and texts."""
    fast = checked_push(raw)
    slow = pydantic_answer(raw)
    if fast is None:
        return
    assert slow is not None, raw
    assert fast.ids == [e["id"] for e in slow]
    assert fast.terminal_ids == [e["terminal_id"] for e in slow]
    assert fast.seqs == [e["seq"] for e in slow]
    assert fast.kinds == [e["kind"] for e in slow]
    assert fast.bodies == [orjson.dumps(e).decode() for e in slow]  # same values, same key order


def body(*events: Any, **top: Any) -> bytes:
    """A push body."""
    return json.dumps({"events": list(events), **top}).encode()


def test_usual_batch_is_checked_fast_with_pydantics_result() -> None:
    raw = body(*(event(seq=n, id=f"e{n}") for n in range(1, 501)))
    fast = checked_push(raw)
    assert fast is not None and len(fast.ids) == 500
    assert_agrees(raw)


@pytest.mark.parametrize("change", [
    {"id": "é"}, {"id": "-a"}, {"id": "a" * 64}, {"seq": 2**53 - 1}, {"seq": -1},
    {"payload": {"n": 12345678901234567890}}, {"payload": {"n": "12345678901234567890123"}},
    {"payload": {"n": [1, -123456789012345678901]}},
    {"seq": 5.0}, {"seq": 0}, {"seq": True}, {"seq": "5"}, {"seq": 2**53},
    {"program_version": -1}, {"program_version": 2**31}, {"program_version": 1.0},
    {"id": "bad id"}, {"id": ""}, {"id": "x" * 65}, {"id": 5}, {"terminal_id": "a\nb"},
    {"kind": "Sale"}, {"kind": "s" * 41}, {"member_id": None}, {"member_id": _GONE},
    {"member_id": "m" * 65}, {"member_id": 7}, {"at": "x" * 65}, {"recorded_at": None},
    {"payload": []}, {"payload": None}, {"payload": _GONE}, {"extra": [1, {"a": 2}]},
    {"payload": {"big": 2**70}}, {"payload": {"neg": -(2**64)}}, {"payload": {"f": 1.5}},
])
def test_every_field_rule_agrees_with_pydantic(change: dict[str, Any]) -> None:
    assert_agrees(body(event(**change)))


def test_extra_fields_come_after_the_declared_ones_as_pydantic_orders_them() -> None:
    raw = b'{"events":[{"zz":1,"payload":{"b":1},"seq":3,"id":"a","terminal_id":"t",' \
          b'"kind":"sale","at":"x","recorded_at":"y","program_version":1}],"other":true}'
    fast = checked_push(raw)
    assert fast is not None
    assert list(json.loads(fast.bodies[0])) == [
        "id", "terminal_id", "seq", "kind", "at", "recorded_at", "program_version", "payload", "zz"]
    assert_agrees(raw)


@pytest.mark.parametrize("raw", [
    b"", b"[]", b'{"events": {}}', b'{"events": [1]}', b'{"nothing": []}', b"{",
    b'{"events": [], }', b'\xff', b'{"events": [{"id": "\\ud800"}]}',
])
def test_what_is_not_a_batch_is_left_to_pydantic(raw: bytes) -> None:
    assert checked_push(raw) is None
    assert pydantic_answer(raw) is None


def test_an_empty_batch_is_checked_fast() -> None:
    fast = checked_push(b'{"events": []}')
    assert fast is not None and fast.ids == []


def test_a_long_digit_run_inside_a_string_does_not_stop_the_fast_path() -> None:
    assert checked_push(body(event(payload={"card": "1234567890123456789012"}))) is not None
    assert checked_push(body(event(payload={"card": 12345678901234567890}))) is None


def test_deep_nesting_is_left_to_pydantic() -> None:
    deep: Any = 1
    for _ in range(300):
        deep = [deep]
    raw = body(event(payload={"deep": deep}))
    assert checked_push(raw) is None
    assert pydantic_answer(raw) is None


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=70),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(
    st.sampled_from(["id", "terminal_id", "seq", "kind", "member_id", "at", "recorded_at",
                     "program_version", "payload", "extra"]),
    json_values | st.sampled_from(["sale", "T-1", "e1"]) | st.integers(-2, 2**54),
    max_size=10,
))
def test_random_changes_never_accept_what_pydantic_refuses(changes: dict[str, Any]) -> None:
    assert_agrees(body(event(**changes)))
