"""The stores checked against a dict-of-history model by a hypothesis state machine.

The model keeps the whole keyspace at every revision and the list of events per revision; the
store must agree on current and past reads, on revisions/versions, on every watcher's events
(replay + live, filtered by prefix) and on compaction. It runs on ``MemoryStore`` and on the
store over a real etcd (``tests/stores.py``), the latter with the bounded ``ci`` profile (each
step is a few etcd requests, a replay up to etcd's 100 ms watch sync). The model's history
starts at the store's first revision: 1 in memory, wherever the session's etcd is for etcd.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from reference_impl.store import Compacted, Compare, Delete, Event, Put
from tests.stores import StoreMaker

KEYS = ("/a/x", "/a/y", "/a/y/z", "/ab", "/b/x", "/b/y")
PREFIXES = ("", "/a/", "/a", "/b/", "/zz")

Rec = tuple[Any, int, int, int]  # value, create_revision, mod_revision, version
ModelEvent = tuple[str, str, Any, int]  # type, key, value (None for DELETE), revision


class StoreModel(RuleBasedStateMachine):
    watchers = Bundle("watchers")

    def __init__(self, make_store: StoreMaker) -> None:
        super().__init__()
        self.make_store = make_store

    @initialize()
    def setup(self) -> None:
        self.store = self.make_store()
        self.events: dict[int, list[ModelEvent]] = {}
        if self.store.compacted_revision >= self.store.revision:
            # a shared etcd compacted at its head by an earlier example: step past it, so that
            # every example starts with an uncompacted first revision
            self.store.put("/setup", 0)
            self.store.delete("/setup")
            self.events[self.store.revision] = [("DELETE", "/setup", None, self.store.revision)]
        self.rev = self.store.revision
        # the model knows the revisions from here on; every revision drawn is drawn as an offset
        # from it, so that a replayed example draws the same whatever etcd's revision is
        self.first = self.rev
        self.states: dict[int, dict[str, Rec]] = {self.rev: {}}
        self.compacted = self.store.compacted_revision
        self.open: dict[int, tuple[str, int, list[Event]]] = {}
        self.handles: dict[int, Any] = {}
        self.next_id = 0

    # -- helpers --------------------------------------------------------------------------
    def _oldest(self) -> int:
        """The oldest revision a read or watch may ask for: not compacted, and in the model."""
        return max(self.compacted, self.first)

    def _revisions(self, lo: int, hi: int) -> st.SearchStrategy[int]:
        """Revisions ``lo..hi``, drawn as offsets from the model's first revision."""
        first = self.first
        return st.integers(lo - first, hi - first).map(lambda n: n + first)

    def _cur(self) -> dict[str, Rec]:
        return self.states[self.rev]

    def _apply(self, ops: list[Put | Delete]) -> None:
        state = dict(self._cur())
        evs: list[ModelEvent] = []
        writes = any(isinstance(op, Put) or op.key in state for op in ops)
        if not writes:
            return
        rev = self.rev + 1
        for op in ops:
            if isinstance(op, Put):
                prev = state.get(op.key)
                state[op.key] = (op.value, rev, rev, 1) if prev is None else (op.value, prev[1], rev, prev[3] + 1)
                evs.append(("PUT", op.key, op.value, rev))
            elif op.key in state:
                del state[op.key]
                evs.append(("DELETE", op.key, None, rev))
        self.rev = rev
        self.states[rev] = state
        self.events[rev] = evs

    def _expected_events(self, prefix: str, first: int) -> list[ModelEvent]:
        out: list[ModelEvent] = []
        for rev in range(first, self.rev + 1):
            out.extend(e for e in self.events.get(rev, []) if e[1].startswith(prefix))
        return out

    # -- rules ----------------------------------------------------------------------------
    @rule(key=st.sampled_from(KEYS), value=st.integers(0, 3))
    def put(self, key: str, value: int) -> None:
        kv = self.store.put(key, value)
        self._apply([Put(key, value)])
        assert (kv.value, kv.create_revision, kv.mod_revision, kv.version) == self._cur()[key]

    @rule(key=st.sampled_from(KEYS))
    def delete(self, key: str) -> None:
        prev = self.store.delete(key)
        expected = self._cur().get(key)
        assert (None if prev is None else (prev.value, prev.create_revision, prev.mod_revision, prev.version)) == expected
        self._apply([Delete(key)])

    @rule(
        key=st.sampled_from(KEYS),
        what=st.sampled_from(["mod", "create", "version"]),
        op=st.sampled_from(["=", "!=", "<", ">"]),
        delta=st.integers(-1, 1),
        success=st.lists(st.tuples(st.booleans(), st.sampled_from(KEYS), st.integers(0, 3)), max_size=3),
        failure=st.lists(st.tuples(st.booleans(), st.sampled_from(KEYS), st.integers(0, 3)), max_size=2),
    )
    def txn(
        self,
        key: str,
        what: Any,
        op: Any,
        delta: int,
        success: list[tuple[bool, str, int]],
        failure: list[tuple[bool, str, int]],
    ) -> None:
        # etcd rejects two ops on one key in a txn: keep keys distinct per branch
        def ops(spec: list[tuple[bool, str, int]]) -> list[Put | Delete]:
            seen: dict[str, Put | Delete] = {}
            for is_put, k, v in spec:
                seen.setdefault(k, Put(k, v) if is_put else Delete(k))
            return list(seen.values())

        rec = self._cur().get(key)
        actual = {"create": rec[1], "mod": rec[2], "version": rec[3]}[what] if rec else 0
        value = actual + delta
        holds = {"=": actual == value, "!=": actual != value, "<": actual < value, ">": actual > value}[op]
        s_ops, f_ops = ops(success), ops(failure)
        res = self.store.txn([Compare(key, what, op, value)], s_ops, f_ops)
        assert res.succeeded is holds
        self._apply(s_ops if holds else f_ops)
        assert res.revision == self.rev

    @rule(data=st.data())
    def compact(self, data: st.DataObject) -> None:
        if self.compacted >= self.rev:
            return
        rev = data.draw(self._revisions(max(self.compacted + 1, self.first), self.rev), label="compact_to")
        self.store.compact(rev)
        self.compacted = rev
        assert self.store.compacted_revision == rev

    @rule(target=watchers, prefix=st.sampled_from(PREFIXES), data=st.data())
    def watch(self, prefix: str, data: st.DataObject) -> int:
        start = data.draw(st.one_of(st.just(0), self._revisions(self._oldest(), self.rev)), label="start")
        got: list[Event] = []
        handle = self.store.watch(prefix, start, got.extend)
        wid = self.next_id
        self.next_id += 1
        self.handles[wid] = handle
        self.open[wid] = (prefix, start if start > 0 else self.rev + 1, got)
        return wid

    @rule(prefix=st.sampled_from(PREFIXES), data=st.data())
    @precondition(lambda self: self.compacted > self.first)
    def watch_below_compaction_fails(self, prefix: str, data: st.DataObject) -> None:
        start = data.draw(self._revisions(self.first, self.compacted - 1), label="stale_start")
        with pytest.raises(Compacted):
            self.store.watch(prefix, start, lambda evs: None)
        with pytest.raises(Compacted):
            self.store.range(prefix, revision=start)

    @rule(wid=consumes(watchers))
    def cancel(self, wid: int) -> None:
        _prefix, _first, got = self.open.pop(wid)
        n = len(got)
        self.handles.pop(wid).cancel()
        self.store.put("/a/x", "after-cancel")
        self._apply([Put("/a/x", "after-cancel")])
        assert len(got) == n  # a cancelled watcher hears nothing more

    @rule(prefix=st.sampled_from(PREFIXES), data=st.data())
    def range_at(self, prefix: str, data: st.DataObject) -> None:
        rev = data.draw(self._revisions(self._oldest(), self.rev), label="rev")
        limit = data.draw(st.none() | st.integers(1, 4), label="limit")
        res = self.store.range(prefix, revision=rev, limit=limit)
        expected = sorted((k, r) for k, r in self.states[rev].items() if k.startswith(prefix))
        full = [(k, (r[0], r[1], r[2], r[3])) for k, r in expected]
        got = [(kv.key, (kv.value, kv.create_revision, kv.mod_revision, kv.version)) for kv in res.kvs]
        if limit is None:
            assert got == full
            assert not res.more
        else:
            assert got == full[:limit]
            assert res.more is (len(full) > limit)
        assert res.revision == rev

    # -- invariants ---------------------------------------------------------------------
    @invariant()
    def current_state_matches(self) -> None:
        assert self.store.revision == self.rev
        got = {kv.key: (kv.value, kv.create_revision, kv.mod_revision, kv.version) for kv in self.store.range("").kvs}
        assert got == self._cur()
        for k in KEYS:
            kv = self.store.get(k)
            assert (None if kv is None else kv.mod_revision) == (self._cur()[k][2] if k in self._cur() else None)
        assert self.store.count("/a/") == sum(1 for k in self._cur() if k.startswith("/a/"))

    @invariant()
    def watchers_saw_exactly_their_events(self) -> None:
        for prefix, first, got in self.open.values():
            seen = [(e.type, e.kv.key, e.kv.value if e.type == "PUT" else None, e.revision) for e in got]
            assert seen == self._expected_events(prefix, first)


MEMORY_SETTINGS = settings(max_examples=60, stateful_step_count=30, deadline=None, derandomize=True)


def test_store_model(make_store: StoreMaker, store_kind: str) -> None:
    # etcd: the ci profile (derandomized, 20 examples of 15 steps) keeps the real-etcd run bounded
    chosen = MEMORY_SETTINGS if store_kind == "memory" else settings(settings.get_profile("kconform-ci"))
    run_state_machine_as_test(lambda: StoreModel(make_store), settings=chosen)
