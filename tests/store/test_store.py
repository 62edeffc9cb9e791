"""The stores (``reference_impl/store``) against etcd v3's documented semantics.

Every test runs on the in-memory store and on the store over a real etcd (``tests/stores.py``).
A store's first revision is 1 in memory and wherever the session's etcd is for etcd, so
revisions are written as ``r0 + n``: the n-th revision after the store's first.
"""

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
from reference_impl.store.etcd import JSON, EtcdStore
from tests.stores import AnyStore, StoreMaker


def _collect(store: AnyStore, prefix: str, start: int) -> tuple[list[Event], Any]:
    got: list[Event] = []
    h = store.watch(prefix, start, got.extend)
    return got, h


def _summ(evs: list[Event]) -> list[tuple[str, str, int]]:
    return [(e.type, e.kv.key, e.revision) for e in evs]


# -- revisions ---------------------------------------------------------------------------
@pytest.fixture
def s(make_store: StoreMaker) -> AnyStore:
    """A fresh store of each kind."""
    return make_store()


def test_fresh_store_is_empty(s: AnyStore) -> None:
    assert s.range("").kvs == []
    assert s.count("") == 0
    assert s.compacted_revision <= s.revision
    if isinstance(s, MemoryStore):  # etcd starts at revision 1 with an empty keyspace
        assert s.revision == 1
        assert s.compacted_revision == 0


def test_create_mod_revision_and_version_per_key(s: AnyStore) -> None:
    r0 = s.revision
    a1 = s.put("a", 1)
    assert (a1.create_revision, a1.mod_revision, a1.version) == (r0 + 1, r0 + 1, 1)
    b1 = s.put("b", 1)
    assert (b1.create_revision, b1.mod_revision, b1.version) == (r0 + 2, r0 + 2, 1)
    a2 = s.put("a", 2)
    assert (a2.create_revision, a2.mod_revision, a2.version) == (r0 + 1, r0 + 3, 2)
    assert s.revision == r0 + 3
    prev = s.delete("a")
    assert prev == a2
    assert s.revision == r0 + 4
    assert s.get("a") is None
    a3 = s.put("a", 3)  # re-created: a new life, version starts again at 1
    assert (a3.create_revision, a3.mod_revision, a3.version) == (r0 + 5, r0 + 5, 1)
    assert s.get("a") == a3


def test_delete_of_missing_key_does_not_bump_revision(s: AnyStore) -> None:
    r0 = s.revision
    assert s.delete("nope") is None
    assert s.revision == r0
    res = s.txn((), (Delete("nope"),))
    assert res.succeeded and res.revision == r0 and res.prev == (None,)


def test_multi_op_txn_is_one_revision(s: AnyStore) -> None:
    r0 = s.revision
    s.put("x", 0)
    res = s.txn((), (Put("a", 1), Put("b", 2), Delete("x")))
    assert res.succeeded and res.revision == r0 + 2
    assert s.get("a").mod_revision == s.get("b").mod_revision == r0 + 2  # type: ignore[union-attr]
    assert res.prev[0] is None and res.prev[2] is not None and res.prev[2].value == 0


# -- txn compares ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("target", "op", "value", "expected"),
    [
        ("mod", "=", 2, True),
        ("mod", "=", 1, False),
        ("mod", "!=", 1, True),
        ("mod", "<", 3, True),
        ("mod", "<", 2, False),
        ("mod", ">", 1, True),
        ("mod", ">", 2, False),
        ("create", "=", 1, True),
        ("create", "!=", 1, False),
        ("create", "<", 2, True),
        ("create", ">", 0, True),
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
def test_compare_targets_and_ops(s: AnyStore, target: Any, op: Any, value: Any, expected: bool) -> None:
    r0 = s.revision
    s.put("k", "v1")  # r0 + 1
    s.put("k", "v2")  # r0 + 2, version 2
    if target in ("mod", "create"):
        value += r0  # the table's revisions count from the store's first
    res = s.txn([Compare("k", target, op, value)], [Put("then", 1)], [Put("else", 1)])
    assert res.succeeded is expected
    assert (s.get("then") is not None) is expected
    assert (s.get("else") is not None) is (not expected)
    assert res.revision == r0 + 3


@pytest.mark.parametrize(("target", "op", "value"), [("mod", "=", 0), ("create", "=", 0), ("version", "=", 0), ("version", "<", 1)])
def test_missing_key_compares_as_zero(s: AnyStore, target: Any, op: Any, value: Any) -> None:
    assert s.txn([Compare("k", target, op, value)], [Put("k", 1)]).succeeded


def test_create_if_absent_then_cas(s: AnyStore) -> None:
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


def test_all_compares_must_hold(s: AnyStore) -> None:
    s.put("a", 1)
    s.put("b", 1)
    res = s.txn([Compare("a", "value", "=", 1), Compare("b", "value", "=", 2)], [Delete("a")])
    assert not res.succeeded and s.get("a") is not None


def test_value_compare_on_missing_key_fails_like_etcd_lt(s: AnyStore) -> None:
    res = s.txn([Compare("missing", "value", "<", "x")], [Put("then", 1)], [Put("else", 1)])
    assert not res.succeeded


def test_value_compare_on_missing_key_fails_like_etcd_ne(s: AnyStore) -> None:
    res = s.txn([Compare("missing", "value", "!=", "x")], [Put("then", 1)], [Put("else", 1)])
    assert not res.succeeded


# -- range -------------------------------------------------------------------------------
def _fill(s: AnyStore) -> None:
    for k in ("/p/b", "/p/a", "/q/a", "/p/c", "/pz", "/p/a/x"):
        s.put(k, k.upper())


def test_range_prefix_in_key_order(s: AnyStore) -> None:
    _fill(s)
    assert [kv.key for kv in s.range("/p/").kvs] == ["/p/a", "/p/a/x", "/p/b", "/p/c"]
    assert [kv.key for kv in s.range("/p").kvs] == ["/p/a", "/p/a/x", "/p/b", "/p/c", "/pz"]
    assert [kv.key for kv in s.range("").kvs] == sorted(["/p/b", "/p/a", "/q/a", "/p/c", "/pz", "/p/a/x"])
    assert s.range("/p/a").kvs[0].value == "/P/A"
    assert s.count("/p/") == 4
    assert s.count("") == 6
    assert s.range("/p/").revision == s.revision


def test_range_limit_and_start_after(s: AnyStore) -> None:
    _fill(s)
    r = s.range("/p/", limit=2)
    assert [kv.key for kv in r.kvs] == ["/p/a", "/p/a/x"] and r.more
    r = s.range("/p/", limit=2, start_after="/p/a/x")
    assert [kv.key for kv in r.kvs] == ["/p/b", "/p/c"] and not r.more
    r = s.range("/p/", limit=4)
    assert len(r.kvs) == 4 and not r.more
    r = s.range("/p/", start_after="/p/c")
    assert r.kvs == [] and not r.more
    r = s.range("/p/", start_after="/a")  # before the prefix: no effect
    assert len(r.kvs) == 4


def test_range_at_past_revisions(s: AnyStore) -> None:
    r0 = s.revision
    s.put("/k/a", 1)  # 1
    s.put("/k/b", 1)  # 2
    s.put("/k/a", 2)  # 3
    s.delete("/k/b")  # 4
    s.put("/k/c", 1)  # 5
    view = {n: {kv.key: kv.value for kv in s.range("/k/", revision=r0 + n).kvs} for n in range(6)}
    assert view == {
        0: {},
        1: {"/k/a": 1},
        2: {"/k/a": 1, "/k/b": 1},
        3: {"/k/a": 2, "/k/b": 1},
        4: {"/k/a": 2},
        5: {"/k/a": 2, "/k/c": 1},
    }
    assert s.get("/k/b", revision=r0 + 2).mod_revision == r0 + 2  # type: ignore[union-attr]
    assert s.get("/k/b", revision=r0 + 4) is None
    assert s.range("/k/", revision=r0 + 3).revision == r0 + 3


def test_future_revision(s: AnyStore) -> None:
    s.put("a", 1)
    head = s.revision
    with pytest.raises(FutureRevision) as ei:
        s.get("a", revision=head + 1)
    assert ei.value.requested == head + 1 and ei.value.current == head
    with pytest.raises(FutureRevision):
        s.range("", revision=head + 98)
    with pytest.raises(FutureRevision):
        s.compact(head + 1)


# -- watch -------------------------------------------------------------------------------
def test_watch_from_past_revision_replays_then_goes_live(s: AnyStore) -> None:
    r0 = s.revision
    s.put("/a/1", "x")  # 1
    s.put("/b/1", "x")  # 2
    s.put("/a/1", "y")  # 3
    s.delete("/a/1")  # 4
    got, _ = _collect(s, "/a/", r0 + 2)
    assert _summ(got) == [("PUT", "/a/1", r0 + 3), ("DELETE", "/a/1", r0 + 4)]
    assert got[0].prev_kv is not None and got[0].prev_kv.value == "x"
    assert got[0].kv.value == "y" and got[0].kv.version == 2 and got[0].kv.create_revision == r0 + 1
    assert got[1].prev_kv is not None and got[1].prev_kv.value == "y" and got[1].kv.value is None
    s.put("/a/2", "z")  # 5
    s.put("/b/2", "z")  # 6
    assert _summ(got) == [("PUT", "/a/1", r0 + 3), ("DELETE", "/a/1", r0 + 4), ("PUT", "/a/2", r0 + 5)]


def test_watch_replays_one_callback_per_revision(s: AnyStore) -> None:
    r0 = s.revision
    s.txn((), (Put("/x/a", 1), Put("/y/a", 1), Put("/x/b", 1)))  # 1
    s.put("/y/c", 1)  # 2: nothing for this watcher
    s.txn((), (Delete("/x/a"), Put("/x/c", 1)))  # 3
    calls: list[list[tuple[str, str, int]]] = []
    s.watch("/x/", r0 + 1, lambda evs: calls.append(_summ(list(evs))))
    assert calls == [
        [("PUT", "/x/a", r0 + 1), ("PUT", "/x/b", r0 + 1)],
        [("DELETE", "/x/a", r0 + 3), ("PUT", "/x/c", r0 + 3)],
    ]


def test_watch_from_zero_sees_only_new_events(s: AnyStore) -> None:
    s.put("a", 1)
    got, h = _collect(s, "", 0)
    assert got == []
    s.put("a", 2)
    assert _summ(got) == [("PUT", "a", s.revision)]
    h.cancel()
    s.put("a", 3)
    assert len(got) == 1
    h.cancel()  # idempotent


def test_watch_batches_one_txn_per_callback(s: AnyStore) -> None:
    r0 = s.revision
    calls: list[list[tuple[str, str, int]]] = []
    s.watch("/x/", 0, lambda evs: calls.append(_summ(list(evs))))
    s.txn((), (Put("/x/a", 1), Put("/y/a", 1), Put("/x/b", 1)))
    s.txn((), (Put("/y/c", 1),))  # nothing for this watcher: no callback
    assert calls == [[("PUT", "/x/a", r0 + 1), ("PUT", "/x/b", r0 + 1)]]


def test_watch_events_carry_the_written_value_itself(s: AnyStore) -> None:
    """The API server's watch cache takes the object it wrote for the event (an identity check)."""
    got, _ = _collect(s, "", 0)
    value = ["v"]
    s.put("k", value)
    assert got[0].kv.value is value


def test_watch_from_future_revision_skips_earlier_events(s: AnyStore) -> None:
    r0 = s.revision
    got, _ = _collect(s, "", r0 + 2)
    s.put("a", 1)  # 1: before the start revision
    s.put("a", 2)  # 2
    assert _summ(got) == [("PUT", "a", r0 + 2)]


def test_watcher_cancelled_in_callback_stops_and_others_continue(s: AnyStore) -> None:
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


def test_a_write_in_a_callback_is_delivered_after_the_current_batch(s: AnyStore) -> None:
    r0 = s.revision
    seen: dict[str, list[int]] = {"first": [], "second": []}

    def first(evs: Any) -> None:
        seen["first"].extend(e.revision for e in evs)
        if evs[0].kv.key == "a":
            s.put("b", 1)

    s.watch("", 0, first)
    s.watch("", 0, lambda evs: seen["second"].extend(e.revision for e in evs))
    s.put("a", 1)
    assert seen == {"first": [r0 + 1, r0 + 2], "second": [r0 + 1, r0 + 2]}


# -- compaction --------------------------------------------------------------------------
def test_compaction(s: AnyStore) -> None:
    r0 = s.revision
    s.put("/k/a", 1)  # 1
    s.put("/k/b", 1)  # 2
    s.put("/k/a", 2)  # 3
    s.delete("/k/b")  # 4
    s.put("/k/c", 1)  # 5
    s.compact(r0 + 3)
    assert s.compacted_revision == r0 + 3
    with pytest.raises(Compacted) as ei:
        s.get("/k/a", revision=r0 + 2)
    assert ei.value.requested == r0 + 2 and ei.value.compacted == r0 + 3
    with pytest.raises(Compacted):
        s.range("/k/", revision=r0 + 1)
    with pytest.raises(Compacted):
        s.watch("/k/", r0 + 2, lambda evs: None)
    # at the compacted revision itself reads and watches still work
    assert {kv.key: kv.value for kv in s.range("/k/", revision=r0 + 3).kvs} == {"/k/a": 2, "/k/b": 1}
    got, _ = _collect(s, "/k/", r0 + 3)
    assert _summ(got) == [("PUT", "/k/a", r0 + 3), ("DELETE", "/k/b", r0 + 4), ("PUT", "/k/c", r0 + 5)]
    assert {kv.key for kv in s.range("/k/", revision=r0 + 4).kvs} == {"/k/a"}
    # compacting to the same or an older revision is an error, as in etcd
    with pytest.raises(Compacted):
        s.compact(r0 + 3)
    with pytest.raises(Compacted):
        s.compact(r0 + 1)
    # compact past a deletion: the key's history goes, current state is unchanged
    s.compact(r0 + 5)
    assert [kv.key for kv in s.range("/k/").kvs] == ["/k/a", "/k/c"]
    assert s.get("/k/b", revision=r0 + 5) is None
    s.put("/k/b", 9)  # re-creating a compacted-away key works
    assert [kv.key for kv in s.range("/k/").kvs] == ["/k/a", "/k/b", "/k/c"]
    assert s.get("/k/b").create_revision == r0 + 6  # type: ignore[union-attr]


@pytest.mark.parametrize("store_kind", ["etcd"])
def test_replays_past_the_recent_commits_come_from_etcd(make_store: StoreMaker) -> None:
    """The etcd store keeps its last few commits for replays; older ones are read from etcd."""
    s = make_store()
    assert isinstance(s, EtcdStore)
    small = EtcdStore(s.client, prefix=s.prefix, codec=JSON, replay_batches=2)
    r0 = small.revision
    for n in range(1, 6):
        small.put(f"/k/{n % 2}", n)
    for start in range(r0 + 1, r0 + 6):  # from etcd up to r0 + 3, from memory after
        got, _ = _collect(small, "/k/", start)
        assert _summ(got) == [("PUT", f"/k/{n % 2}", r0 + n) for n in range(start - r0, 6)]
        assert all(e.prev_kv is not None for e in got if e.kv.version > 1)
