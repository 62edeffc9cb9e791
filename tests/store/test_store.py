"""The MVCC store (``reference_impl/store``) against etcd v3's documented semantics."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.store import (
    Compacted,
    Compare,
    Delete,
    Event,
    FutureRevision,
    MemoryStore,
    Put,
)


def _collect(store: MemoryStore, prefix: str, start: int) -> tuple[list[Event], Any]:
    got: list[Event] = []
    h = store.watch(prefix, start, got.extend)
    return got, h


def _summ(evs: list[Event]) -> list[tuple[str, str, int]]:
    return [(e.type, e.kv.key, e.revision) for e in evs]


# -- revisions ---------------------------------------------------------------------------
def test_fresh_store_is_at_revision_one() -> None:
    s = MemoryStore()
    assert s.revision == 1
    assert s.compacted_revision == 0
    assert s.range("").kvs == []


def test_create_mod_revision_and_version_per_key() -> None:
    s = MemoryStore()
    a1 = s.put("a", 1)
    assert (a1.create_revision, a1.mod_revision, a1.version) == (2, 2, 1)
    b1 = s.put("b", 1)
    assert (b1.create_revision, b1.mod_revision, b1.version) == (3, 3, 1)
    a2 = s.put("a", 2)
    assert (a2.create_revision, a2.mod_revision, a2.version) == (2, 4, 2)
    assert s.revision == 4
    prev = s.delete("a")
    assert prev == a2
    assert s.revision == 5
    assert s.get("a") is None
    a3 = s.put("a", 3)  # re-created: a new life, version starts again at 1
    assert (a3.create_revision, a3.mod_revision, a3.version) == (6, 6, 1)


def test_delete_of_missing_key_does_not_bump_revision() -> None:
    s = MemoryStore()
    assert s.delete("nope") is None
    assert s.revision == 1
    res = s.txn((), (Delete("nope"),))
    assert res.succeeded and res.revision == 1 and res.prev == (None,)


def test_multi_op_txn_is_one_revision() -> None:
    s = MemoryStore()
    s.put("x", 0)
    res = s.txn((), (Put("a", 1), Put("b", 2), Delete("x")))
    assert res.succeeded and res.revision == 3
    assert s.get("a").mod_revision == s.get("b").mod_revision == 3  # type: ignore[union-attr]
    assert res.prev[0] is None and res.prev[2] is not None and res.prev[2].value == 0


# -- txn compares ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("target", "op", "value", "expected"),
    [
        ("mod", "=", 3, True),
        ("mod", "=", 2, False),
        ("mod", "!=", 2, True),
        ("mod", "<", 4, True),
        ("mod", "<", 3, False),
        ("mod", ">", 2, True),
        ("mod", ">", 3, False),
        ("create", "=", 2, True),
        ("create", "!=", 2, False),
        ("create", "<", 3, True),
        ("create", ">", 1, True),
        ("version", "=", 2, True),
        ("version", "!=", 2, False),
        ("version", "<", 2, False),
        ("version", ">", 1, True),
        ("value", "=", "v2", True),
        ("value", "!=", "v2", False),
        ("value", "<", "v3", True),
        ("value", ">", "v3", False),
    ],
)
def test_compare_targets_and_ops(target: Any, op: Any, value: Any, expected: bool) -> None:
    s = MemoryStore()
    s.put("k", "v1")  # rev 2
    s.put("k", "v2")  # rev 3, version 2
    res = s.txn([Compare("k", target, op, value)], [Put("then", 1)], [Put("else", 1)])
    assert res.succeeded is expected
    assert (s.get("then") is not None) is expected
    assert (s.get("else") is not None) is (not expected)
    assert res.revision == 4


@pytest.mark.parametrize(("target", "op", "value"), [("mod", "=", 0), ("create", "=", 0), ("version", "=", 0), ("version", "<", 1)])
def test_missing_key_compares_as_zero(target: Any, op: Any, value: Any) -> None:
    s = MemoryStore()
    assert s.txn([Compare("k", target, op, value)], [Put("k", 1)]).succeeded


def test_create_if_absent_then_cas() -> None:
    s = MemoryStore()
    create = [Compare("k", "create", "=", 0)]
    assert s.txn(create, [Put("k", "a")]).succeeded
    assert not s.txn(create, [Put("k", "b")]).succeeded
    assert s.get("k").value == "a"  # type: ignore[union-attr]
    mod = s.get("k").mod_revision  # type: ignore[union-attr]
    assert s.txn([Compare("k", "mod", "=", mod)], [Put("k", "c")]).succeeded
    assert not s.txn([Compare("k", "mod", "=", mod)], [Put("k", "d")]).succeeded
    assert s.get("k").value == "c"  # type: ignore[union-attr]
    # the failure branch runs on a failed compare, and a failed txn without ops keeps the revision
    rev = s.revision
    res = s.txn([Compare("k", "version", ">", 99)], [Delete("k")])
    assert not res.succeeded and res.revision == rev and s.get("k") is not None


def test_all_compares_must_hold() -> None:
    s = MemoryStore()
    s.put("a", 1)
    s.put("b", 1)
    res = s.txn([Compare("a", "value", "=", 1), Compare("b", "value", "=", 2)], [Delete("a")])
    assert not res.succeeded and s.get("a") is not None


def test_value_compare_on_missing_key_fails_like_etcd_lt() -> None:
    s = MemoryStore()
    res = s.txn([Compare("missing", "value", "<", "x")], [Put("then", 1)], [Put("else", 1)])
    assert not res.succeeded


def test_value_compare_on_missing_key_fails_like_etcd_ne() -> None:
    s = MemoryStore()
    res = s.txn([Compare("missing", "value", "!=", "x")], [Put("then", 1)], [Put("else", 1)])
    assert not res.succeeded


# -- range -------------------------------------------------------------------------------
def _fill(s: MemoryStore) -> None:
    for k in ("/p/b", "/p/a", "/q/a", "/p/c", "/pz", "/p/a/x"):
        s.put(k, k.upper())


def test_range_prefix_in_key_order() -> None:
    s = MemoryStore()
    _fill(s)
    assert [kv.key for kv in s.range("/p/").kvs] == ["/p/a", "/p/a/x", "/p/b", "/p/c"]
    assert [kv.key for kv in s.range("/p").kvs] == ["/p/a", "/p/a/x", "/p/b", "/p/c", "/pz"]
    assert [kv.key for kv in s.range("").kvs] == sorted(["/p/b", "/p/a", "/q/a", "/p/c", "/pz", "/p/a/x"])
    assert s.count("/p/") == 4
    assert s.range("/p/").revision == s.revision


def test_range_limit_and_start_after() -> None:
    s = MemoryStore()
    _fill(s)
    r = s.range("/p/", limit=2)
    assert [kv.key for kv in r.kvs] == ["/p/a", "/p/a/x"] and r.more
    r = s.range("/p/", limit=2, start_after="/p/a/x")
    assert [kv.key for kv in r.kvs] == ["/p/b", "/p/c"] and not r.more
    r = s.range("/p/", limit=4)
    assert len(r.kvs) == 4 and not r.more
    r = s.range("/p/", start_after="/p/c")
    assert r.kvs == [] and not r.more


def test_range_at_past_revisions() -> None:
    s = MemoryStore()
    s.put("/k/a", 1)  # 2
    s.put("/k/b", 1)  # 3
    s.put("/k/a", 2)  # 4
    s.delete("/k/b")  # 5
    s.put("/k/c", 1)  # 6
    view = {rev: {kv.key: kv.value for kv in s.range("/k/", revision=rev).kvs} for rev in range(1, 7)}
    assert view == {
        1: {},
        2: {"/k/a": 1},
        3: {"/k/a": 1, "/k/b": 1},
        4: {"/k/a": 2, "/k/b": 1},
        5: {"/k/a": 2},
        6: {"/k/a": 2, "/k/c": 1},
    }
    assert s.get("/k/b", revision=3).mod_revision == 3  # type: ignore[union-attr]
    assert s.get("/k/b", revision=5) is None
    assert s.range("/k/", revision=4).revision == 4


def test_future_revision() -> None:
    s = MemoryStore()
    s.put("a", 1)
    with pytest.raises(FutureRevision) as ei:
        s.get("a", revision=3)
    assert ei.value.requested == 3 and ei.value.current == 2
    with pytest.raises(FutureRevision):
        s.range("", revision=99)
    with pytest.raises(FutureRevision):
        s.compact(3)


# -- watch -------------------------------------------------------------------------------
def test_watch_from_past_revision_replays_then_goes_live() -> None:
    s = MemoryStore()
    s.put("/a/1", "x")  # 2
    s.put("/b/1", "x")  # 3
    s.put("/a/1", "y")  # 4
    s.delete("/a/1")  # 5
    got, _ = _collect(s, "/a/", 3)
    assert _summ(got) == [("PUT", "/a/1", 4), ("DELETE", "/a/1", 5)]
    assert got[0].prev_kv is not None and got[0].prev_kv.value == "x"
    assert got[1].prev_kv is not None and got[1].prev_kv.value == "y" and got[1].kv.value is None
    s.put("/a/2", "z")  # 6
    s.put("/b/2", "z")  # 7
    assert _summ(got) == [("PUT", "/a/1", 4), ("DELETE", "/a/1", 5), ("PUT", "/a/2", 6)]


def test_watch_from_zero_sees_only_new_events() -> None:
    s = MemoryStore()
    s.put("a", 1)
    got, h = _collect(s, "", 0)
    assert got == []
    s.put("a", 2)
    assert _summ(got) == [("PUT", "a", 3)]
    h.cancel()
    s.put("a", 3)
    assert len(got) == 1
    h.cancel()  # idempotent


def test_watch_batches_one_txn_per_callback() -> None:
    s = MemoryStore()
    calls: list[list[tuple[str, str, int]]] = []
    s.watch("/x/", 0, lambda evs: calls.append(_summ(list(evs))))
    s.txn((), (Put("/x/a", 1), Put("/y/a", 1), Put("/x/b", 1)))
    s.txn((), (Put("/y/c", 1),))  # nothing for this watcher: no callback
    assert calls == [[("PUT", "/x/a", 2), ("PUT", "/x/b", 2)]]


def test_watch_from_future_revision_skips_earlier_events() -> None:
    s = MemoryStore()
    got, _ = _collect(s, "", s.revision + 2)  # start at 3
    s.put("a", 1)  # 2: before the start revision
    s.put("a", 2)  # 3
    assert _summ(got) == [("PUT", "a", 3)]


def test_watcher_cancelled_in_callback_stops_and_others_continue() -> None:
    s = MemoryStore()
    a: list[Event] = []
    b: list[Event] = []
    handle_a: list[Any] = []

    def cb_a(evs: Any) -> None:
        a.extend(evs)
        handle_a[0].cancel()

    handle_a.append(s.watch("", 0, cb_a))
    s.watch("", 0, b.extend)
    s.put("k", 1)
    s.put("k", 2)
    assert len(a) == 1 and len(b) == 2


# -- compaction --------------------------------------------------------------------------
def test_compaction() -> None:
    s = MemoryStore()
    s.put("/k/a", 1)  # 2
    s.put("/k/b", 1)  # 3
    s.put("/k/a", 2)  # 4
    s.delete("/k/b")  # 5
    s.put("/k/c", 1)  # 6
    s.compact(4)
    assert s.compacted_revision == 4
    with pytest.raises(Compacted) as ei:
        s.get("/k/a", revision=3)
    assert ei.value.requested == 3 and ei.value.compacted == 4
    with pytest.raises(Compacted):
        s.range("/k/", revision=2)
    with pytest.raises(Compacted):
        s.watch("/k/", 3, lambda evs: None)
    # at the compacted revision itself reads and watches still work
    assert {kv.key: kv.value for kv in s.range("/k/", revision=4).kvs} == {"/k/a": 2, "/k/b": 1}
    got, _ = _collect(s, "/k/", 4)
    assert _summ(got) == [("PUT", "/k/a", 4), ("DELETE", "/k/b", 5), ("PUT", "/k/c", 6)]
    assert {kv.key for kv in s.range("/k/", revision=5).kvs} == {"/k/a"}
    # compacting to the same or an older revision is an error, as in etcd
    with pytest.raises(Compacted):
        s.compact(4)
    with pytest.raises(Compacted):
        s.compact(2)
    # compact past a deletion: the key's history goes, current state is unchanged
    s.compact(6)
    assert [kv.key for kv in s.range("/k/").kvs] == ["/k/a", "/k/c"]
    assert s.get("/k/b", revision=6) is None
    s.put("/k/b", 9)  # re-creating a compacted-away key works
    assert [kv.key for kv in s.range("/k/").kvs] == ["/k/a", "/k/b", "/k/c"]
    assert s.get("/k/b").create_revision == 7  # type: ignore[union-attr]
