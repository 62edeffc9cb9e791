"""An in-memory MVCC store with etcd's semantics (``server/storage/mvcc``).

Keeps, per key, its revision history until compaction so that reads at a past revision and
watches from a past revision work exactly as in etcd. Keys are kept in a lazily sorted list so
that prefix ranges are ordered (etcd ranges are byte-ordered) without paying an O(n) insert
for every new key. Watch callbacks run synchronously at commit time; the API server decides
how and when its own clients see them.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from operator import attrgetter
from typing import Any

from reference_impl.store.interface import (
    Compacted,
    Compare,
    Delete,
    Event,
    FutureRevision,
    KeyValue,
    Put,
    RangeResult,
    TxnResult,
    WatchCallback,
)

_MISSING = KeyValue("", None, 0, 0, 0)
_MOD_REVISION = attrgetter("mod_revision")


def _batch_revision(batch: tuple[Event, ...]) -> int:
    return batch[0].revision


class _Watcher:
    __slots__ = ("callback", "cancelled", "min_rev", "prefix", "store")

    def __init__(self, store: MemoryStore, prefix: str, callback: WatchCallback, min_rev: int = 0) -> None:
        self.store = store
        self.prefix = prefix
        self.callback = callback
        self.cancelled = False
        self.min_rev = min_rev  # etcd: events below the watch's start revision are never sent

    def cancel(self) -> None:
        if not self.cancelled:
            self.cancelled = True
            self.store._watchers.remove(self)
            self.store._routes.clear()
            if not self.prefix.endswith("/"):
                self.store._odd_prefixes -= 1


def _prefix_end(prefix: str) -> str:
    return prefix + "\U0010ffff"


class MemoryStore:
    """The reference etcd. Single-threaded: every call is atomic."""

    def __init__(self) -> None:
        self._revision = 1  # etcd starts at revision 1 with an empty keyspace
        self._compacted = 0
        self._current: dict[str, KeyValue] = {}
        # key -> its key-values, oldest first; a deletion is a tombstone (version 0, value None,
        # mod_revision the deletion's), as etcd's DELETE event carries
        self._history: dict[str, list[KeyValue]] = {}
        self._log: list[tuple[Event, ...]] = []  # committed event batches, by revision
        self._sorted: list[str] = []
        self._unsorted: list[str] = []
        self._watchers: list[_Watcher] = []
        self._routes: dict[str, tuple[_Watcher, ...]] = {}  # key directory -> its watchers
        self._odd_prefixes = 0  # watchers whose prefix does not end in "/"
        # commits made by a watch callback are delivered after the current batch, so every
        # watcher sees revisions in order (etcd's watch stream is never re-entrant)
        self._pending: list[tuple[Event, ...]] = []
        self._notifying = False

    # -- reads ----------------------------------------------------------------------------
    @property
    def revision(self) -> int:
        return self._revision

    @property
    def compacted_revision(self) -> int:
        return self._compacted

    def _check_revision(self, revision: int | None) -> int:
        if revision is None or revision <= 0:
            return self._revision
        if revision > self._revision:
            raise FutureRevision(revision, self._revision)
        if revision < self._compacted:
            raise Compacted(revision, self._compacted)
        return revision

    def _at(self, key: str, revision: int) -> KeyValue | None:
        if revision == self._revision:
            return self._current.get(key)
        hist = self._history.get(key)
        if not hist:
            return None
        i = bisect.bisect_right(hist, revision, key=_MOD_REVISION)
        if not i:
            return None
        kv = hist[i - 1]
        return kv if kv.version else None

    def get(self, key: str, *, revision: int | None = None) -> KeyValue | None:
        return self._at(key, self._check_revision(revision))

    def _keys(self) -> list[str]:
        if self._unsorted:
            self._sorted.extend(self._unsorted)
            self._sorted.sort()
            self._unsorted.clear()
        return self._sorted

    def range(
        self,
        prefix: str,
        *,
        revision: int | None = None,
        start_after: str | None = None,
        limit: int | None = None,
    ) -> RangeResult:
        rev = self._check_revision(revision)
        keys = self._keys()
        lo = bisect.bisect_left(keys, prefix)
        if start_after is not None and start_after >= prefix:
            lo = max(lo, bisect.bisect_right(keys, start_after))
        hi = bisect.bisect_left(keys, _prefix_end(prefix))
        out: list[KeyValue] = []
        more = False
        current = rev == self._revision
        for i in range(lo, hi):
            k = keys[i]
            kv = self._current.get(k) if current else self._at(k, rev)
            if kv is None:
                continue
            if limit is not None and len(out) >= limit:
                more = True
                break
            out.append(kv)
        return RangeResult(out, rev, more)

    def count(self, prefix: str) -> int:
        keys = self._keys()
        lo = bisect.bisect_left(keys, prefix)
        hi = bisect.bisect_left(keys, _prefix_end(prefix))
        cur = self._current
        return sum(1 for i in range(lo, hi) if keys[i] in cur)

    # -- writes ---------------------------------------------------------------------------
    def _compare(self, c: Compare) -> bool:
        kv = self._current.get(c.key, _MISSING)
        if c.target == "value" and kv is _MISSING:
            return False  # etcd applyCompare: a value compare on a missing key always fails
        actual: Any
        if c.target == "mod":
            actual = kv.mod_revision
        elif c.target == "create":
            actual = kv.create_revision
        elif c.target == "version":
            actual = kv.version
        else:
            actual = kv.value
        if c.op == "=":
            return bool(actual == c.value)
        if c.op == "!=":
            return bool(actual != c.value)
        if c.op == "<":
            return bool(actual < c.value)
        return bool(actual > c.value)

    def txn(
        self, compares: Sequence[Compare], success: Sequence[Put | Delete], failure: Sequence[Put | Delete] = ()
    ) -> TxnResult:
        ok = all(self._compare(c) for c in compares)
        ops = success if ok else failure
        writes = [op for op in ops if isinstance(op, Put) or op.key in self._current]
        if not writes:
            return TxnResult(ok, self._revision, tuple(self._current.get(op.key) for op in ops))
        rev = self._revision + 1
        self._revision = rev
        events: list[Event] = []
        prevs: list[KeyValue | None] = []
        for op in ops:
            prev = self._current.get(op.key)
            prevs.append(prev)
            if isinstance(op, Put):
                if prev is None:
                    kv = KeyValue(op.key, op.value, rev, rev, 1)
                else:
                    kv = KeyValue(op.key, op.value, prev.create_revision, rev, prev.version + 1)
                self._current[op.key] = kv
                self._record(op.key, kv)
                events.append(Event("PUT", kv, prev))
            elif prev is not None:
                del self._current[op.key]
                tombstone = KeyValue(op.key, None, 0, rev, 0)
                self._record(op.key, tombstone)
                events.append(Event("DELETE", tombstone, prev))
        batch = tuple(events)
        self._log.append(batch)
        self._notify(batch)
        return TxnResult(ok, rev, tuple(prevs))

    def _record(self, key: str, kv: KeyValue) -> None:
        hist = self._history.get(key)
        if hist is None:
            self._history[key] = [kv]
            self._unsorted.append(key)
        else:
            hist.append(kv)

    def put(self, key: str, value: Any) -> KeyValue:
        """Unconditional put; returns the new key-value."""
        self.txn((), (Put(key, value),))
        return self._current[key]

    def delete(self, key: str) -> KeyValue | None:
        """Unconditional delete; returns the previous key-value, if any."""
        return self.txn((), (Delete(key),)).prev[0]

    # -- watch ----------------------------------------------------------------------------
    def _notify(self, batch: tuple[Event, ...]) -> None:
        self._pending.append(batch)
        if self._notifying:
            return
        self._notifying = True
        try:
            while self._pending:
                current = self._pending.pop(0)
                rev = current[0].revision
                if len(current) == 1:
                    # the common case: one key; its directory's watchers are cached
                    for w in self._route(current[0].kv.key):
                        if not w.cancelled and rev >= w.min_rev:
                            w.callback(current)
                    continue
                for w in list(self._watchers):
                    if w.cancelled or rev < w.min_rev:
                        continue
                    p = w.prefix
                    matched = [e for e in current if e.kv.key.startswith(p)]
                    if matched:
                        w.callback(matched)
        finally:
            self._notifying = False

    def _route(self, key: str) -> tuple[_Watcher, ...]:
        """The watchers whose prefix matches ``key``, in registration order.

        Cached per directory (the key up to its last ``/``): a prefix ending in ``/`` matches a
        key exactly when it matches the key's directory, so the answer is the same for every key
        of a directory. Other prefixes are rare and tested key by key.
        """
        cut = key.rfind("/") + 1
        d = key[:cut]
        hit = self._routes.get(d)
        if hit is None:
            hit = self._routes[d] = tuple(
                w for w in self._watchers if (d.startswith(w.prefix) if w.prefix.endswith("/") else True)
            )
        if self._odd_prefixes:
            return tuple(w for w in hit if w.prefix.endswith("/") or key.startswith(w.prefix))
        return hit

    def watch(self, prefix: str, start_revision: int, callback: WatchCallback) -> _Watcher:
        """Watch keys under ``prefix`` from ``start_revision`` (0: from the next revision).

        Past events are replayed synchronously before this returns, in revision order.
        """
        if 0 < start_revision < self._compacted:
            raise Compacted(start_revision, self._compacted)
        w = _Watcher(self, prefix, callback, start_revision)
        if 0 < start_revision <= self._revision:
            i = bisect.bisect_left(self._log, start_revision, key=_batch_revision)
            for batch in self._log[i:]:
                matched = [e for e in batch if e.kv.key.startswith(prefix)]
                if matched:
                    callback(matched)
        self._watchers.append(w)
        self._routes.clear()
        if not prefix.endswith("/"):
            self._odd_prefixes += 1
        return w

    # -- compaction -----------------------------------------------------------------------
    def compact(self, revision: int) -> None:
        """Forget history before ``revision``; reads and watches below it fail with Compacted."""
        if revision <= self._compacted:
            raise Compacted(revision, self._compacted)
        if revision > self._revision:
            raise FutureRevision(revision, self._revision)
        self._compacted = revision
        i = bisect.bisect_left(self._log, revision, key=_batch_revision)
        del self._log[:i]
        dead: list[str] = []
        for key, hist in self._history.items():
            j = bisect.bisect_right(hist, revision, key=_MOD_REVISION)
            # keep the newest entry at or before the compaction point: it is the state there
            if j > 1:
                del hist[: j - 1]
            if len(hist) == 1 and hist[0].version == 0 and hist[0].mod_revision <= revision:
                dead.append(key)
        if dead:
            for key in dead:
                del self._history[key]
            gone = set(dead)
            self._sorted = [k for k in self._keys() if k not in gone]
