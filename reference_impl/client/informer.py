"""Informers: list, then watch, keep a local cache, call handlers (client-go ``tools/cache``).

Follows the Reflector's contract: LIST at the latest revision, WATCH from the list's
resourceVersion, follow BOOKMARKs, re-watch from the last seen revision when a watch closes,
and re-list when the server says the revision is too old (410 Expired). A re-list diffs the
cache so that handlers see the adds, updates and deletes they missed, as with client-go's
DeltaFIFO ``Replace``. Handlers run on the event loop, never inside the API server's call.

Leaves out: periodic resync (components here re-queue what they need), transformers, and
the shared-informer factory's sharing across components (each component has its own
informers, as separate real binaries do).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable
from typing import Any

from reference_impl.apiserver import ApiError
from reference_impl.client.client import Client, ClientWatch, Unreachable

Obj = dict[str, Any]
#: What informers pass every object they cache through: None (share it as it is), or the test
#: configuration's read-only copy (tests/frozen.py), so that a component writing into a shared
#: object fails at the line that does it, as client-go's cache mutation detector catches it.
FREEZE: Callable[[Obj], Obj] | None = None
AddFn = Callable[[Obj], None]
UpdateFn = Callable[[Obj, Obj], None]
DeleteFn = Callable[[Obj], None]


def unchanged(old: Obj, new: Obj, *path: str) -> bool:
    """Proof that ``old`` and ``new`` hold the same value at ``path``: the very same object.

    The API server writes copy-on-write (what a write does not touch, the next revision shares
    with the one before), and the informers hand consumers the shared objects, so an update
    whose ``spec`` *is* the old ``spec`` did not change it. False proves nothing: compare by
    value. The one place consumers may use identity; a missing or ``None`` value is never
    proof.
    """
    a: Any = old
    b: Any = new
    for step in path:
        if not isinstance(a, dict) or not isinstance(b, dict):
            return False
        a, b = a.get(step), b.get(step)
    return a is not None and a is b


def obj_key(obj: Obj) -> str:
    """client-go's MetaNamespaceKeyFunc: ``namespace/name`` or ``name``."""
    meta = obj["metadata"]
    ns = meta.get("namespace")
    return f"{ns}/{meta['name']}" if ns else meta["name"]


class Informer:
    """One resource's reflector + indexer + handler list."""

    RETRY_MIN_S = 0.8  # client-go's reflector backoff starts at 800 ms
    RETRY_MAX_S = 30.0

    def __init__(
        self,
        client: Client,
        resource: str,
        *,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> None:
        self.client = client
        self.loop = client.loop
        self.resource = resource
        self.namespace = namespace
        self.label_selector = label_selector
        self.field_selector = field_selector
        self.cache: dict[str, Obj] = {}
        # one list per kind of event, in registration order (every event runs one of them)
        self._on_add: list[AddFn] = []
        self._on_update: list[UpdateFn] = []
        self._on_delete: list[DeleteFn] = []
        self._indexers: dict[str, Callable[[Obj], Iterable[str]]] = {}
        # index name -> value -> keys of the cached objects with that value (an ordered set)
        self._indices: dict[str, dict[str, dict[str, None]]] = {}
        self._watch: ClientWatch | None = None
        self._timer: Any = None
        self._backoff_s = self.RETRY_MIN_S
        self.last_rv = ""
        self.synced = False
        self.running = False
        self.relists = 0

    # -- configuration --------------------------------------------------------------------
    def add_handler(
        self, on_add: AddFn | None = None, on_update: UpdateFn | None = None, on_delete: DeleteFn | None = None
    ) -> None:
        if on_add is not None:
            self._on_add.append(on_add)
            # client-go's AddEventHandler on a running informer: the new handler first hears
            # of every object already in the cache, as adds
            for obj in list(self.cache.values()):
                on_add(obj)
        if on_update is not None:
            self._on_update.append(on_update)
        if on_delete is not None:
            self._on_delete.append(on_delete)

    def add_index(self, name: str, fn: Callable[[Obj], Iterable[str]]) -> None:
        """An index like client-go's Indexers: ``fn(obj)`` gives the index values of an object."""
        self._indexers[name] = fn
        idx: dict[str, dict[str, None]] = {}
        for k, o in self.cache.items():
            _bucket_add(idx, fn(o), k)
        self._indices[name] = idx

    # -- reads ----------------------------------------------------------------------------
    def get(self, key: str) -> Obj | None:
        return self.cache.get(key)

    def get_by(self, name: str, namespace: str | None = None) -> Obj | None:
        return self.cache.get(f"{namespace}/{name}" if namespace else name)

    def list(self) -> list[Obj]:
        return list(self.cache.values())

    def by_index(self, index: str, value: str) -> builtins.list[Obj]:
        cache = self.cache
        return [cache[k] for k in self._indices[index].get(value, ())]

    def index_keys(self, index: str, value: str) -> builtins.list[str]:
        """The cache keys of the objects with ``value`` in ``index`` (the objects' ``obj_key``)."""
        return list(self._indices[index].get(value, ()))

    def has_index_value(self, index: str, value: str) -> bool:
        """Whether some cached object has ``value`` in ``index`` (no list is built)."""
        return value in self._indices[index]

    def index_values(self, index: str) -> builtins.list[str]:
        return list(self._indices[index])

    # -- lifecycle ------------------------------------------------------------------------
    def start(self) -> None:
        self.running = True
        self._list_and_watch()

    def stop(self) -> None:
        self.running = False
        if self._watch is not None:
            self._watch.stop()
            self._watch = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _retry(self, what: Callable[[], None]) -> None:
        if not self.running:
            return
        delay = self._backoff_s
        self._backoff_s = min(self._backoff_s * 2, self.RETRY_MAX_S)
        # a retry is not progress: keep it out of ``settle``'s idea of pending work
        self._timer = self.loop.call_later(delay, what, background=True)

    def _list_and_watch(self) -> None:
        self._timer = None
        if not self.running:
            return
        try:
            listed = self.client.list(
                self.resource,
                self.namespace,
                label_selector=self.label_selector,
                field_selector=self.field_selector,
            )
        except (Unreachable, ApiError):
            self._retry(self._list_and_watch)
            return
        self.relists += 1
        self._replace(listed["items"])
        self.last_rv = listed["metadata"]["resourceVersion"]
        self.synced = True
        self._start_watch()

    def _start_watch(self) -> None:
        self._timer = None
        if not self.running:
            return
        try:
            self._watch = self.client.watch(
                self.resource,
                self._on_event,
                self.namespace,
                on_close=self._on_close,
                label_selector=self.label_selector,
                field_selector=self.field_selector,
                resource_version=self.last_rv,
                allow_bookmarks=True,
            )
        except Unreachable:
            self._retry(self._start_watch)
            return
        except ApiError as e:
            if e.code == 410:
                self._list_and_watch()
            else:
                self._retry(self._list_and_watch)
            return
        self._backoff_s = self.RETRY_MIN_S

    def _on_close(self) -> None:
        self._watch = None
        if self.running and self._timer is None:
            # the real reflector re-watches at once from the last revision it saw
            self._timer = self.loop.call_soon(self._start_watch)

    def _on_event(self, type_: str, obj: Obj) -> None:
        if type_ == "ERROR":
            if self._watch is not None:
                self._watch.stop()
                self._watch = None
            if obj.get("code") == 410:
                self._timer = self.loop.call_soon(self._list_and_watch)
            else:
                self._retry(self._list_and_watch)
            return
        meta = obj.get("metadata")
        rv = meta.get("resourceVersion") if meta else None
        if rv:
            self.last_rv = rv
        if type_ == "BOOKMARK":
            return
        key = obj_key(obj)
        if type_ == "DELETED":
            old = self.cache.pop(key, None)
            if old is not None:
                self._unindex(key, old)
                for d in self._on_delete:
                    d(obj)
            return
        self._upsert(key, self.cache.get(key), obj)

    def _upsert(self, key: str, old: Obj | None, obj: Obj) -> None:
        """Cache ``obj`` in place of ``old``, index it and tell the handlers (add or update)."""
        if FREEZE is not None:
            obj = FREEZE(obj)
        self.cache[key] = obj
        if old is None:
            self._index(key, obj)
            for a in self._on_add:
                a(obj)
        else:
            self._reindex(key, old, obj)
            for u in self._on_update:
                u(old, obj)

    def _replace(self, items: builtins.list[Obj]) -> None:
        fresh = {obj_key(o): o for o in items}
        for key in [k for k in self.cache if k not in fresh]:
            gone = self.cache.pop(key)
            self._unindex(key, gone)
            for d in self._on_delete:
                d(gone)
        for key, obj in fresh.items():
            old = self.cache.get(key)
            if old is not None and old["metadata"].get("resourceVersion") == obj["metadata"].get("resourceVersion"):
                continue
            self._upsert(key, old, obj)

    def _index(self, key: str, obj: Obj) -> None:
        for name, fn in self._indexers.items():
            _bucket_add(self._indices[name], fn(obj), key)

    def _reindex(self, key: str, old: Obj, new: Obj) -> None:
        # buckets hold keys, so an update that keeps an object's index values (most do) is free
        for name, fn in self._indexers.items():
            was, now = fn(old), fn(new)
            if was != now:
                _bucket_remove(self._indices[name], was, key)
                _bucket_add(self._indices[name], now, key)

    def _unindex(self, key: str, obj: Obj) -> None:
        for name, fn in self._indexers.items():
            _bucket_remove(self._indices[name], fn(obj), key)


def _bucket_add(idx: dict[str, dict[str, None]], values: Iterable[str], key: str) -> None:
    for v in values:
        idx.setdefault(v, {})[key] = None


def _bucket_remove(idx: dict[str, dict[str, None]], values: Iterable[str], key: str) -> None:
    for v in values:
        bucket = idx.get(v)
        if bucket is not None:
            bucket.pop(key, None)
            if not bucket:
                del idx[v]
