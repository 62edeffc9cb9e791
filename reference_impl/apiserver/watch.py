"""The API server's watch cache: one store watch per resource, fanned out to many watchers.

Models ``staging/src/k8s.io/apiserver/pkg/storage/cacher``: the real API server watches etcd
once per resource and dispatches each event to its watchers, using *index triggers* (for pods,
``spec.nodeName``) so that an event for a pod on node A never visits the watches of the kubelets
of nodes B..Z. That index is what lets thousands of kubelets watch pods cheaply. Selector
semantics follow the real cacher: an object that stops matching a watcher's selectors is sent to
it as DELETED, one that starts matching as ADDED.

Leaves out: the cacher's ring buffer (replays come from the store's history instead), and
watch progress notifications other than BOOKMARK.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar

from reference_impl.apiserver._json import loads
from reference_impl.apiserver.registry import ResourceInfo
from reference_impl.apiserver.selectors import FieldSelector, LabelSelector, field_set
from reference_impl.store import Event, Store, WatchHandle

Obj = dict[str, Any]
_NO_META: Mapping[str, Any] = MappingProxyType({})  # read-only stand-in for an absent metadata
WatchHandler = Callable[[str, Obj], None]
Decoder = Callable[[Any, int], Obj]

# Fields the cacher indexes watchers by, per resource (the real IndexerFuncs / triggers).
INDEX_FIELDS: dict[str, str] = {"pods": "spec.nodeName"}


def _name(o: Obj) -> str:
    return str((o.get("metadata") or _NO_META).get("name") or "")


def _namespace(o: Obj) -> str:
    return str((o.get("metadata") or _NO_META).get("namespace") or "")


def _node_name(o: Obj) -> str:
    return str((o.get("spec") or {}).get("nodeName") or "")


def _phase(o: Obj) -> str:
    return str((o.get("status") or {}).get("phase") or "")


# Fields a watcher can test without building the whole field set (the hot kubelet path).
_FAST_FIELDS: dict[str, Callable[[Obj], str]] = {"metadata.name": _name, "metadata.namespace": _namespace}
_FAST_POD_FIELDS: dict[str, Callable[[Obj], str]] = {**_FAST_FIELDS, "spec.nodeName": _node_name, "status.phase": _phase}


def _index_value(resource: str, obj: Obj) -> str | None:
    if resource == "pods":
        return str(obj.get("spec", {}).get("nodeName") or "")
    return None


class Watcher:
    """One open watch. ``stop()`` closes it from the client side."""

    __slots__ = (
        "_cacher",
        "_fast",
        "bookmarks",
        "closed",
        "field_selector",
        "handler",
        "index_value",
        "label_selector",
        "namespace",
        "on_close",
        "resource",
    )

    def __init__(
        self,
        cacher: Cacher,
        *,
        namespace: str | None,
        label_selector: LabelSelector,
        field_selector: FieldSelector,
        handler: WatchHandler,
        on_close: Callable[[], None] | None,
        bookmarks: bool,
    ) -> None:
        self._cacher = cacher
        self.resource = cacher.info.plural
        self.namespace = namespace
        self.label_selector = label_selector
        self.field_selector = field_selector
        self.handler = handler
        self.on_close = on_close
        self.bookmarks = bookmarks
        self.closed = False
        field = INDEX_FIELDS.get(self.resource)
        self.index_value = field_selector.value_for(field) if field else None
        getters = _FAST_POD_FIELDS if self.resource == "pods" else _FAST_FIELDS
        fast = [(getters.get(f), op, v) for f, op, v in field_selector.requirements]
        # None when some field needs the full field set
        self._fast = None if any(g is None for g, _, _ in fast) else fast

    def matches(self, obj: Obj) -> bool:
        meta = obj.get("metadata") or _NO_META
        if self.namespace and meta.get("namespace") != self.namespace:
            return False
        if not self.label_selector.empty and not self.label_selector.matches(meta.get("labels")):
            return False
        if self.field_selector.empty:
            return True
        fast = self._fast
        if fast is not None:
            if len(fast) == 1:  # the kubelets' spec.nodeName=<node>: no generator for one test
                getter, op, value = fast[0]
                return (getter(obj) == value) != (op == "!=")  # type: ignore[misc]
            if len(fast) == 2:  # the scheduler's status.phase!=Succeeded,status.phase!=Failed
                (g1, op1, v1), (g2, op2, v2) = fast
                return (g1(obj) == v1) != (op1 == "!=") and (g2(obj) == v2) != (op2 == "!=")  # type: ignore[misc]
            return all((getter(obj) == value) != (op == "!=") for getter, op, value in fast)  # type: ignore[misc]
        return self.field_selector.matches(field_set(self.resource, obj))

    def stop(self) -> None:
        """Close from the client side: no more events, no close callback."""
        if not self.closed:
            self.closed = True
            self._cacher.remove(self)

    def close(self) -> None:
        """Close from the server side (drop, restart, timeout): tells the client."""
        if not self.closed:
            self.closed = True
            self._cacher.remove(self)
            if self.on_close is not None:
                self.on_close()


def _verify_unmodified(key: str, obj: Obj, stored: Any) -> None:
    # objects handed to watchers are shared (informer caches hold them): nobody may mutate them
    want = loads(stored)
    want["metadata"]["resourceVersion"] = obj["metadata"].get("resourceVersion")
    if obj != want:
        raise AssertionError(f"an object delivered to watchers was mutated in place: {key}")


class Cacher:
    """Dispatches one resource's store events to its watchers.

    Decoded objects are shared by every watcher of an event and kept as the cache's current
    state, so receivers must treat them as read-only (client-go's rule for informer caches).
    ``verify_shared`` (set by the test suite) checks that rule at every event.
    """

    verify_shared: ClassVar[bool] = False

    def __init__(self, info: ResourceInfo, store: Store, decode: Decoder) -> None:
        self.info = info
        self.store = store
        self.decode = decode
        self._all: list[Watcher] = []
        self._by_ns: dict[str, list[Watcher]] = {}
        self._by_index: dict[str, list[Watcher]] = {}
        self._handle: WatchHandle | None = None
        # key -> (mod revision, decoded object) as last dispatched: the real cacher's store
        self._current: dict[str, tuple[int, Obj]] = {}
        # key -> (stored bytes, the object they encode): see ``expect``
        self._handoff: dict[str, tuple[Any, Obj]] = {}

    def current(self, key: str, revision: int) -> Obj | None:
        """The object this cache holds for ``key`` at ``revision`` (read-only), if it does."""
        cached = self._current.get(key)
        return cached[1] if cached is not None and cached[0] == revision else None

    def expect(self, key: str, value: Any, obj: Obj) -> bool:
        """The API server is about to store ``value``, its own encoding of ``obj``: the cache
        takes ``obj`` for that event instead of decoding the bytes again. ``obj`` is the cache's
        from then on (read-only for everyone). False when this cache is not watching the store."""
        if self._handle is None:
            return False
        self._handoff[key] = (value, obj)
        return True

    def _bucket(self, w: Watcher) -> list[Watcher]:
        if w.index_value is not None:
            return self._by_index.setdefault(w.index_value, [])
        if w.namespace:
            return self._by_ns.setdefault(w.namespace, [])
        return self._all

    def add(self, w: Watcher) -> None:
        if self._handle is None:
            self._handle = self.store.watch(self.info.key_prefix(), 0, self._on_events)
        self._bucket(w).append(w)

    def remove(self, w: Watcher) -> None:
        bucket = self._bucket(w)
        try:
            bucket.remove(w)
        except ValueError:
            pass

    def watchers(self) -> list[Watcher]:
        out = list(self._all)
        for b in self._by_ns.values():
            out.extend(b)
        for b in self._by_index.values():
            out.extend(b)
        return out

    def close_all(self) -> None:
        for w in self.watchers():
            w.close()

    def _on_events(self, events: Sequence[Event]) -> None:
        resource = self.info.plural
        current = self._current
        for ev in events:
            # stored values are bytes: the new side is decoded once, stamped with the event's
            # revision and shared by every watcher; the old side is the object this cache decoded
            # for the previous event of the key (the real cacher's watchCache store), decoded
            # afresh only when the cache did not see it
            key = ev.kv.key
            old: Obj | None = None
            if ev.prev_kv is not None:
                cached = current.get(key)
                if cached is not None and cached[0] == ev.prev_kv.mod_revision:
                    old = cached[1]
                    if Cacher.verify_shared:
                        _verify_unmodified(key, old, ev.prev_kv.value)
                else:
                    old = loads(ev.prev_kv.value)
            if ev.type == "PUT":
                handed = self._handoff.pop(key, None)
                # the identity check ties the handed object to this very write
                new = handed[1] if handed is not None and handed[0] is ev.kv.value else loads(ev.kv.value)
                new["metadata"]["resourceVersion"] = str(ev.kv.mod_revision)
                current[key] = (ev.kv.mod_revision, new)
            else:
                new = None
                current.pop(key, None)
            some = old if old is not None else new
            assert some is not None
            ns = (some.get("metadata") or _NO_META).get("namespace")
            candidates: list[Watcher] = list(self._all)
            if ns and ns in self._by_ns:
                candidates.extend(self._by_ns[ns])
            by_index = self._by_index
            if by_index:
                # the buckets of the old and the new index value (a pod bound to a node: both)
                was_k = _index_value(resource, old) if old is not None else None
                now_k = _index_value(resource, new) if new is not None else None
                if was_k is None or was_k == now_k:
                    keys: tuple[str | None, ...] = (now_k,)
                elif now_k is None:
                    keys = (was_k,)
                else:
                    keys = (was_k, now_k) if was_k < now_k else (now_k, was_k)
                for k in keys:
                    if k is not None and k in by_index:
                        candidates.extend(by_index[k])
            if not candidates:
                continue
            gone: Obj | None = None
            for w in candidates:
                if w.closed:
                    continue
                was = old is not None and w.matches(old)
                now = new is not None and w.matches(new)
                if now:
                    w.handler("MODIFIED" if was else "ADDED", new)  # type: ignore[arg-type]
                elif was:
                    # the real cacher sends the previous state, with the event's revision; the
                    # previous state is shared with informers' caches, so it is copied, not stamped
                    if gone is None:
                        assert old is not None
                        gone = {**old, "metadata": {**old["metadata"], "resourceVersion": str(ev.kv.mod_revision)}}
                    w.handler("DELETED", gone)
