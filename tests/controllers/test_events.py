"""The event recorder's EventCorrelator (client-go ``tools/record/events_cache.go`` defaults):
aggregation of similar events, de-duplication into counts, the per-object spam filter."""

from __future__ import annotations

from typing import Any

from reference_impl.client import Client
from reference_impl.client.events import EventRecorder
from tests.simenv import SimEnv

Obj = dict[str, Any]
COMBINED = "(combined from similar events): "


def _setup() -> tuple[SimEnv, EventRecorder, Obj]:
    env = SimEnv()
    rec = EventRecorder(Client(env.api, env.loop, name="test"), "replicaset-controller")
    owner = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": "web", "namespace": "default", "uid": "u-1"},
    }
    return env, rec, owner


def _events(env: SimEnv) -> list[Obj]:
    return sorted(env.api.list("events", "default")["items"], key=lambda e: e["metadata"]["name"])


def test_a_repeated_event_is_one_event_counted_up() -> None:
    env, rec, owner = _setup()
    for _ in range(3):
        rec.event(owner, "Warning", "FailedCreate", "quota exceeded")
        env.advance(2)
    [ev] = _events(env)
    assert (ev["count"], ev["message"]) == (3, "quota exceeded")
    assert ev["firstTimestamp"] == "2026-01-01T00:00:00Z" and ev["lastTimestamp"] == "2026-01-01T00:00:04Z"
    assert ev["source"] == {"component": "replicaset-controller"}
    assert ev["involvedObject"]["uid"] == "u-1"


def test_from_the_tenth_distinct_message_similar_events_are_combined() -> None:
    env, rec, owner = _setup()
    for i in range(14):
        rec.event(owner, "Normal", "SuccessfulCreate", f"Created pod: web-{i}")
    evs = _events(env)
    singles = [e for e in evs if not e["message"].startswith(COMBINED)]
    combined = [e for e in evs if e["message"].startswith(COMBINED)]
    assert sorted(e["message"] for e in singles) == sorted(f"Created pod: web-{i}" for i in range(9))
    assert len(combined) == 1
    assert combined[0]["message"] == COMBINED + "Created pod: web-13"
    assert combined[0]["count"] == 5
    assert combined[0]["reason"] == "SuccessfulCreate"


def test_aggregation_starts_over_after_ten_quiet_minutes() -> None:
    env, rec, owner = _setup()
    for i in range(10):
        rec.event(owner, "Normal", "SuccessfulCreate", f"Created pod: web-{i}")
    env.advance(601)
    rec.event(owner, "Normal", "SuccessfulCreate", "Created pod: web-late")
    assert "Created pod: web-late" in [e["message"] for e in _events(env)]


def test_spam_filter_allows_25_events_per_object_then_one_per_five_minutes() -> None:
    env, rec, owner = _setup()
    for i in range(30):
        rec.event(owner, "Warning", f"Reason{i}", "m")  # distinct reasons: no aggregation
    assert len(_events(env)) == 25 and rec.dropped == 5
    env.advance(299)
    rec.event(owner, "Warning", "Late1", "m")
    assert rec.dropped == 6
    env.advance(2)  # 301 s since the burst: one token back
    rec.event(owner, "Warning", "Late2", "m")
    rec.event(owner, "Warning", "Late3", "m")
    assert {e["reason"] for e in _events(env)} >= {"Late2"} and rec.dropped == 7
    # another object has its own bucket
    other = {**owner, "metadata": {"name": "db", "namespace": "default", "uid": "u-2"}}
    rec.event(other, "Warning", "Reason0", "m")
    assert rec.dropped == 7


def test_a_counted_event_that_was_deleted_is_created_again() -> None:
    env, rec, owner = _setup()
    rec.event(owner, "Warning", "FailedCreate", "quota exceeded")
    [ev] = _events(env)
    env.api.delete("events", ev["metadata"]["name"], "default")
    rec.event(owner, "Warning", "FailedCreate", "quota exceeded")
    [again] = _events(env)
    assert again["count"] == 2 and again["message"] == "quota exceeded"
