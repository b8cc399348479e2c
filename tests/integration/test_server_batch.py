"""The pure rules of a push: classification, the high-water mark, the pull floor after a restore."""

from __future__ import annotations

from loyalty_desktop.server.storage.batch import (
    IncomingEvent,
    accept_all,
    contiguous_high_water,
    plan_push,
    pull_floor,
    same_content,
)


def event(event_id: str, seq: int, body: str = '{"a":1,"b":2}') -> IncomingEvent:
    """An incoming event of terminal T."""
    return IncomingEvent(event_id, "T", seq, "sale", body)


def test_new_events_get_consecutive_server_seqs() -> None:
    plan = plan_push([event("x", 1), event("y", 2)], {}, {}, last_seq=40)
    assert [(s, e.event_id) for s, e in plan.inserts] == [(41, "x"), (42, "y")]
    assert plan.accepted == ["x", "y"] and plan.last_seq == 42 and plan.inserted_seqs == [1, 2]
    whole = accept_all([event("x", 1), event("y", 2)], 40)
    assert (whole.inserts, whole.accepted, whole.inserted_seqs) == (plan.inserts, ["x", "y"], [1, 2])


def test_held_id_is_a_duplicate_when_the_content_is_the_same_in_any_key_order() -> None:
    plan = plan_push([event("x", 1, '{"b":2,"a":1}')], {"x": '{"a":1,"b":2}'}, {1: "x"}, 5)
    assert plan.duplicate == ["x"] and plan.inserts == [] and plan.last_seq == 5
    assert same_content('{"a":[1,{"c":null}]}', '{"a": [1, {"c": null}]}')
    assert not same_content('{"a":1}', '{"a":1.5}')


def test_held_id_with_other_content_is_rejected_as_a_conflict() -> None:
    plan = plan_push([event("x", 1, '{"a":9}')], {"x": '{"a":1}'}, {1: "x"}, 5)
    assert plan.rejected == [{"id": "x", "seq": 1, "reason": "payload_mismatch"}]
    assert plan.conflicts[0].existing_event_id == "x" and plan.inserts == []


def test_seq_held_by_another_id_is_rejected() -> None:
    plan = plan_push([event("y", 1)], {}, {1: "x"}, 5)
    assert plan.rejected == [{"id": "y", "seq": 1, "reason": "seq_taken"}]
    assert plan.conflicts[0].existing_event_id == "x"


def test_repeats_inside_one_batch() -> None:
    plan = plan_push(
        [event("x", 1), event("x", 1), event("x", 1, '{"z":0}'), event("y", 1)], {}, {}, 0
    )
    assert plan.accepted == ["x"] and plan.duplicate == ["x"]
    assert [r["reason"] for r in plan.rejected] == ["payload_mismatch", "seq_taken"]
    assert plan.last_seq == 1


def test_high_water_mark_stops_at_the_first_gap() -> None:
    assert contiguous_high_water(3, [4, 5, 7, 8]) == 5
    assert contiguous_high_water(3, [5, 6]) == 3
    assert contiguous_high_water(0, []) == 0


def test_pull_floor_follows_the_line_of_restores() -> None:
    # i1 held 1..100; backup at 50 -> i2 (started at 50); backup of i2 at 70 -> i3 (at 70)
    lineage, starts = ["i1", "i2", "i3"], {"i2": 50, "i3": 70}
    assert pull_floor("i3", lineage, starts) is None  # nothing changed
    assert pull_floor(None, lineage, starts) is None  # first contact
    assert pull_floor("i2", lineage, starts) == 70  # i2's history is kept up to 70
    assert pull_floor("i1", lineage, starts) == 50  # i1 and i3 share only 1..50
    assert pull_floor("lost", lineage, starts) == 0  # a life the backup never knew
