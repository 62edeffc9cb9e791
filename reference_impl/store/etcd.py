"""The store over a real etcd v3 server: what kube-apiserver's etcd3 storage does, behind :class:`Store`.

Models ``staging/src/k8s.io/apiserver/pkg/storage/etcd3`` (``store.go``, ``watcher.go``,
``compact.go``): every read and write is an etcd v3 request, here through etcd's JSON gateway
(``/v3/kv/range``, ``/v3/kv/txn``, ``/v3/kv/compaction``, ``/v3/watch``) with the ``etcd3gw``
client. Revisions are etcd's own: the global revision, per-key create/mod revision and version,
compaction (a read below it raises :class:`Compacted`, above the head :class:`FutureRevision`)
all come from the server, so they survive a restart of this process and are shared with
whatever else uses the same etcd. Keys live under a prefix (``/kconform`` unless told), as
kube-apiserver's ``--etcd-prefix``, so several clusters can share one etcd: the prefix ends
in ``/`` (one is added), so that no cluster's prefix is a prefix of another's, and a key is
stored as prefix + key (``/kconform//registry/pods/default/web``).

Watches, and why they are not etcd watches. The API server needs the :class:`MemoryStore`'s
contract: a watch callback runs synchronously when a transaction commits, before ``txn``
returns, in revision order. An etcd watch stream delivers later, on its own connection. So:

* **Live events come from the transaction's own response.** This store is the only writer of
  its prefix (one API server per cluster here; kube-apiserver feeds its watch cache from an
  etcd watch instead, because several API servers write the same keys): each put and delete asks for ``prev_kv``, and the response's header revision plus the previous
  key-value determine the new key-value exactly (create revision kept, version + 1), so the
  event batch is built from the response and dispatched at commit time, with the very value
  object that was written (the API server's watch cache relies on that identity).
* **Recent history is this store's own commits** — for the same reason, and as kube-apiserver's
  watch cache serves watches from recent revisions out of memory: the last
  :data:`REPLAY_BATCHES` commits (at most :data:`REPLAY_BYTES` of values) are kept, so a watch
  from a revision they reach back to replays without asking etcd.
* **Older history comes from etcd** (after a restart of this process, say).
  ``watch(prefix, start_revision)`` then opens an etcd watch stream at ``start_revision``
  (``prev_kv`` on), reads it synchronously until it has seen the revision of this store's last
  write, closes it, and replays the batches before going live (etcd syncs a watcher that
  starts in the past every 100 ms: such a replay takes up to that); a compacted start revision
  is etcd's ``compact_revision`` answer, raised as :class:`Compacted`. The read must end at a
  revision that certainly has an event in the watched range, or it would wait for ever: this
  store's last write when it has written (it is in the range, and nothing after it is), else
  the etcd head revision with the whole keyspace watched (every revision above 1 has an event
  somewhere). Reading an etcd watch to a known revision, rather than asking for a progress
  notification, works alike on etcd 3.4 (whose progress answer may overtake unsynced events)
  and 3.5+.

Values are bytes in etcd; a :class:`Codec` turns the caller's values into bytes and back. The API
server stores bytes already (:data:`BYTES`, the default); the store's own tests store small
Python values (:data:`JSON`). Compares on ``value`` compare the encoded bytes, as etcd does.

The simulated clock is stored beside the prefix (``/kconform\\0clock``, outside every range and
watch of the store) with every write that puts a value: a cluster started over the prefix
resumes its clock there (:attr:`EtcdStore.recovered_time_s`), as over ``DurableStore``.

Leaves out: leases, auth and TLS client certificates, etcd's own watch streams for live events
(see above: a second writer under the same prefix would not be seen by this store's watchers),
the kube-apiserver's periodic compactor (compaction is the caller's, as in
:class:`MemoryStore`) and retries on a lost connection (an unreachable etcd raises
:class:`EtcdUnavailable`). Compaction is etcd-wide: compacting one cluster's store compacts
every prefix of that etcd, as kube-apiservers sharing one etcd do. A replayed event at exactly
the compacted revision has no ``prev_kv`` (etcd has compacted the previous value away), where
:class:`MemoryStore` keeps it.
"""

from __future__ import annotations

import base64
import json
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, Final, Protocol
from urllib.parse import urlsplit

from reference_impl.store.interface import (
    Compacted,
    Compare,
    Delete,
    Event,
    FutureRevision,
    KeyValue,
    Put,
    RangeResult,
    StoreError,
    TxnResult,
    WatchCallback,
)

DEFAULT_PREFIX: Final = "/kconform"
REQUEST_TIMEOUT_S: Final = 30.0
# recent commits kept for replays (kube-apiserver's watch cache keeps a ring of recent events
# per resource, 100 growing to 102,400 under load): a replay from etcd waits up to 100 ms for
# etcd's watch sync
REPLAY_BATCHES: Final = 1024
REPLAY_BYTES: Final = 32 * 1024 * 1024

_COMPARE_TARGET: Final = {"mod": ("MOD", "mod_revision"), "create": ("CREATE", "create_revision"),
                          "version": ("VERSION", "version"), "value": ("VALUE", "value")}
_COMPARE_RESULT: Final = {"=": "EQUAL", "!=": "NOT_EQUAL", "<": "LESS", ">": "GREATER"}
_ERR_COMPACTED: Final = "required revision has been compacted"
_ERR_FUTURE: Final = "required revision is a future revision"


class EtcdUnavailable(StoreError):
    """etcd did not answer, or answered with an error this store does not model."""


class Codec(Protocol):
    """How values become etcd bytes and back."""

    def encode(self, value: Any) -> bytes: ...

    def decode(self, data: bytes) -> Any: ...


class BytesCodec:
    """Values are bytes already (what the API server stores): stored and handed back as they are."""

    def encode(self, value: Any) -> bytes:
        if not isinstance(value, bytes):
            raise TypeError(f"EtcdStore with the bytes codec stores bytes, not {type(value).__name__}: "
                            "encode the value first, or pass codec=JSON")
        return value

    def decode(self, data: bytes) -> Any:
        return data


class JsonCodec:
    """Any JSON value, as compact JSON text."""

    def encode(self, value: Any) -> bytes:
        return json.dumps(value, separators=(",", ":")).encode()

    def decode(self, data: bytes) -> Any:
        return json.loads(data)


BYTES: Final = BytesCodec()
JSON: Final = JsonCodec()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text)


def _range_end(prefix: bytes) -> bytes:
    """etcd's ``GetPrefixRangeEnd``: the prefix with its last byte below 0xff incremented
    (``\\0``, the end of the keyspace, for an empty or all-0xff prefix)."""
    end = bytearray(prefix)
    while end:
        if end[-1] < 0xFF:
            end[-1] += 1
            return bytes(end)
        end.pop()
    return b"\0"


def _error_text(exc: BaseException) -> str:
    """The message inside an etcd3gw exception (etcd's gateway answers ``{"code", "message"}``)."""
    detail = getattr(exc, "detail_text", None) or str(exc) or type(exc).__name__
    try:
        doc = json.loads(detail)
    except (TypeError, ValueError):
        return str(detail)
    if isinstance(doc, dict):
        return str(doc.get("message") or doc.get("error") or detail)
    return str(detail)


class _Watcher:
    __slots__ = ("callback", "cancelled", "min_rev", "prefix", "store")

    def __init__(self, store: EtcdStore, prefix: str, callback: WatchCallback, min_rev: int) -> None:
        self.store = store
        self.prefix = prefix
        self.callback = callback
        self.cancelled = False
        self.min_rev = min_rev

    def cancel(self) -> None:
        if not self.cancelled:
            self.cancelled = True
            self.store._watchers.remove(self)


class EtcdStore:
    """A :class:`Store` whose data lives in etcd. Single-threaded, like :class:`MemoryStore`.

    ``client`` is an ``etcd3gw.Etcd3Client`` (or anything with its ``post``, ``get_url``,
    ``session`` and ``timeout``); :meth:`connect` makes one from a URL.
    """

    def __init__(
        self,
        client: Any,
        *,
        prefix: str = DEFAULT_PREFIX,
        codec: Codec = BYTES,
        replay_batches: int = REPLAY_BATCHES,
        replay_bytes: int = REPLAY_BYTES,
    ) -> None:
        """``replay_batches``/``replay_bytes`` bound the recent commits kept for replays (0: every
        replay reads etcd's watch stream)."""
        self.client = client
        # a trailing "/" keeps prefixes apart: "/a/" is no prefix of "/ab/", where "/a" is of "/ab"
        self.prefix = prefix if not prefix or prefix.endswith("/") else prefix + "/"
        self.codec = codec
        self._prefix_bytes = self.prefix.encode()
        # the simulated clock, beside the prefix rather than under it (no range or watch sees it)
        self._clock_key = (self.prefix[:-1] + "\0clock").encode() if self.prefix else b""
        self._now: Callable[[], float] | None = None
        self._probe = self._prefix_bytes or b"\0"  # etcd keys are never empty
        self._cut = len(self._prefix_bytes)
        try:  # the first request: etcd3gw asks /version which API path the server has
            self._urls = {p: client.get_url(p) for p in ("/kv/range", "/kv/txn", "/kv/compaction", "/watch")}
        except Exception as e:
            raise EtcdUnavailable(f"etcd at {getattr(client, 'base_url', '?')}: {_error_text(e)}") from None
        self._watchers: list[_Watcher] = []
        self._pending: deque[tuple[Event, ...]] = deque()
        self._notifying = False
        # the revision of this store's last write; None until it writes (see the module docstring)
        self._last_write: int | None = None
        self._revision = 0
        self._compacted = 0
        self._refresh()
        # this store's own recent commits, oldest first, and their size; complete for every
        # revision from ``_recent_from`` on (nothing else writes this prefix)
        self._recent: deque[tuple[tuple[Event, ...], int]] = deque()
        self._recent_bytes = 0
        self._recent_from = self._revision + 1
        self._replay_batches = replay_batches
        self._replay_bytes = replay_bytes
        self.recovered_time_s = self._read_clock()
        self._compacted = self._find_compacted()

    @classmethod
    def connect(cls, url: str, *, prefix: str | None = None, codec: Codec = BYTES,
                timeout_s: float = REQUEST_TIMEOUT_S, replay_batches: int = REPLAY_BATCHES) -> EtcdStore:
        """A store on the etcd at ``url`` (``http://host:port``); a path in the URL is the key
        prefix unless ``prefix`` is given (``http://127.0.0.1:2379/cluster-a``)."""
        import etcd3gw

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an etcd URL: {url!r} (expected http://HOST:PORT[/PREFIX])")
        client = etcd3gw.client(host=parts.hostname, port=parts.port or 2379, protocol=parts.scheme,
                                timeout=timeout_s)
        if prefix is None:
            prefix = parts.path.rstrip("/") or DEFAULT_PREFIX
        return cls(client, prefix=prefix, codec=codec, replay_batches=replay_batches)

    # -- the clock ----------------------------------------------------------------------------
    def bind_clock(self, now: Callable[[], float]) -> None:
        """Store ``now()`` (the cluster's simulated clock) with every write that puts a value, so
        that a cluster started over this prefix later resumes its clock there (as
        ``DurableStore`` does): no timestamp it stored is then in the future."""
        self._now = now

    def _read_clock(self) -> float:
        """The latest simulated time a cluster stored beside this prefix (0 when none did)."""
        if not self._clock_key:
            return 0.0
        kvs = self._post("/kv/range", {"key": _b64(self._clock_key)}).get("kvs")
        return float(_unb64(kvs[0].get("value", "")) or 0) if kvs else 0.0

    # -- requests ---------------------------------------------------------------------------
    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            out: dict[str, Any] = self.client.post(self._urls[path], json=body)
        except Exception as e:
            text = _error_text(e)
            if _ERR_COMPACTED in text:
                raise _CompactedSignal() from None
            if _ERR_FUTURE in text:
                raise _FutureSignal() from None
            raise EtcdUnavailable(f"etcd at {getattr(self.client, 'base_url', '?')}: {text}") from None
        self._seen(out)
        return out

    def _seen(self, response: dict[str, Any]) -> int:
        rev = int((response.get("header") or {}).get("revision", 0))
        if rev > self._revision:
            self._revision = rev
        return rev

    def _refresh(self) -> None:
        """Learn etcd's head revision (any range answers with it in its header)."""
        self._post("/kv/range", {"key": _b64(self._probe), "count_only": True})

    def _readable(self, revision: int) -> bool:
        try:
            self._post("/kv/range", {"key": _b64(self._probe), "count_only": True, "revision": revision})
        except _CompactedSignal:
            return False
        return True

    def _find_compacted(self) -> int:
        """etcd's compacted revision: the lowest readable revision, by bisection (etcd has no
        request that answers it; revision 1 readable means nothing was compacted, as far as
        anything can tell)."""
        lo = max(self._compacted, 1)
        if self._readable(lo):
            return self._compacted
        hi = self._revision  # the head is always readable
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._readable(mid):
                hi = mid
            else:
                lo = mid
        return hi

    def _compacted_error(self, requested: int) -> Compacted:
        self._compacted = max(self._compacted, self._find_compacted())
        return Compacted(requested, self._compacted)

    def _full(self, key: str) -> bytes:
        return self._prefix_bytes + key.encode()

    def _kv(self, raw: dict[str, Any]) -> KeyValue:
        return KeyValue(
            _unb64(raw["key"])[self._cut:].decode(),
            self.codec.decode(_unb64(raw.get("value", ""))),
            int(raw.get("create_revision", 0)),
            int(raw.get("mod_revision", 0)),
            int(raw.get("version", 0)),
        )

    # -- reads --------------------------------------------------------------------------------
    @property
    def revision(self) -> int:
        return self._revision

    @property
    def compacted_revision(self) -> int:
        return self._compacted

    def _check_revision(self, revision: int | None) -> int:
        """0 for "the head", else ``revision``, checked as :class:`MemoryStore` checks it."""
        if revision is None or revision <= 0:
            return 0
        if revision > self._revision:
            self._refresh()
            if revision > self._revision:
                raise FutureRevision(revision, self._revision)
        if revision < self._compacted:
            raise Compacted(revision, self._compacted)
        return revision

    def _range(self, body: dict[str, Any], rev: int) -> dict[str, Any]:
        if rev:
            body["revision"] = rev
        try:
            return self._post("/kv/range", body)
        except _CompactedSignal:
            raise self._compacted_error(rev) from None
        except _FutureSignal:
            raise FutureRevision(rev, self._revision) from None

    def get(self, key: str, *, revision: int | None = None) -> KeyValue | None:
        rev = self._check_revision(revision)
        out = self._range({"key": _b64(self._full(key))}, rev)
        kvs = out.get("kvs")
        return self._kv(kvs[0]) if kvs else None

    def range(
        self,
        prefix: str,
        *,
        revision: int | None = None,
        start_after: str | None = None,
        limit: int | None = None,
    ) -> RangeResult:
        rev = self._check_revision(revision)
        full = self._full(prefix)
        start, end = full or b"\0", _range_end(full)
        if start_after is not None and start_after >= prefix:
            start = max(start, self._full(start_after) + b"\0")
        if end != b"\0" and start >= end:
            return RangeResult([], rev or self._revision, False)
        body: dict[str, Any] = {"key": _b64(start), "range_end": _b64(end)}
        if limit is not None:
            body["limit"] = max(limit, 1)
        out = self._range(body, rev)
        kvs = [self._kv(raw) for raw in out.get("kvs", ())]
        more = bool(out.get("more"))
        if limit is not None and limit <= 0:  # MemoryStore: nothing fits, more if anything is there
            kvs, more = [], bool(kvs)
        return RangeResult(kvs, rev or self._seen(out), more)

    def count(self, prefix: str) -> int:
        full = self._full(prefix)
        out = self._range({"key": _b64(full or b"\0"), "range_end": _b64(_range_end(full)), "count_only": True}, 0)
        return int(out.get("count", 0))

    # -- writes -------------------------------------------------------------------------------
    def _compare(self, c: Compare) -> dict[str, Any]:
        target, field = _COMPARE_TARGET[c.target]
        value: Any = _b64(self.codec.encode(c.value)) if c.target == "value" else int(c.value)
        return {"key": _b64(self._full(c.key)), "target": target, "result": _COMPARE_RESULT[c.op], field: value}

    def _request(self, op: Put | Delete) -> dict[str, Any]:
        if isinstance(op, Put):
            return {"request_put": {"key": _b64(self._full(op.key)), "value": _b64(self.codec.encode(op.value)),
                                    "prev_kv": True}}
        return {"request_delete_range": {"key": _b64(self._full(op.key)), "prev_kv": True}}

    def _requests(self, ops: Sequence[Put | Delete]) -> list[dict[str, Any]]:
        out = [self._request(op) for op in ops]
        if self._now is not None and self._clock_key and any(isinstance(op, Put) for op in ops):
            # last, so that the responses line up with ``ops``; a branch of deletes only stores
            # no timestamp, and must not write when its keys are gone (no revision for nothing)
            out.append({"request_put": {"key": _b64(self._clock_key), "value": _b64(repr(self._now()).encode())}})
        return out

    def txn(
        self, compares: Sequence[Compare], success: Sequence[Put | Delete], failure: Sequence[Put | Delete] = ()
    ) -> TxnResult:
        body = {
            "compare": [self._compare(c) for c in compares],
            "success": self._requests(success),
            "failure": self._requests(failure),
        }
        try:
            out = self._post("/kv/txn", body)
        except (_CompactedSignal, _FutureSignal) as e:  # not for a txn on the head; still, no bare signal escapes
            raise EtcdUnavailable(f"etcd refused a transaction: {e!r}") from None
        rev = int(out["header"]["revision"])
        ok = bool(out.get("succeeded"))
        ops = success if ok else failure
        responses = out.get("responses") or [{} for _ in ops]
        prevs: list[KeyValue | None] = []
        events: list[Event] = []
        size = 0
        requests = body["success"] if ok else body["failure"]
        for op, request, resp in zip(ops, requests, responses):
            if isinstance(op, Put):
                size += len(request["request_put"]["value"])
                raw = (resp.get("response_put") or {}).get("prev_kv")
                size += len(raw.get("value", "")) if raw else 0
                prev = self._kv(raw) if raw else None
                if prev is None:
                    kv = KeyValue(op.key, op.value, rev, rev, 1)
                else:
                    kv = KeyValue(op.key, op.value, prev.create_revision, rev, prev.version + 1)
                events.append(Event("PUT", kv, prev))
            else:
                raws = (resp.get("response_delete_range") or {}).get("prev_kvs") or ()
                size += len(raws[0].get("value", "")) if raws else 0
                prev = self._kv(raws[0]) if raws else None
                if prev is not None:
                    events.append(Event("DELETE", KeyValue(op.key, None, 0, rev, 0), prev))
            prevs.append(prev)
        if events:
            self._last_write = rev
            batch = tuple(events)
            self._remember(batch, size * 3 // 4)  # base64 text: a third longer than the bytes
            self._notify(batch)
        return TxnResult(ok, rev, tuple(prevs))

    def _remember(self, batch: tuple[Event, ...], size: int) -> None:
        """Keep a commit for replays, within the bounds; what falls out moves ``_recent_from``."""
        if self._replay_batches <= 0:
            return
        self._recent.append((batch, size))
        self._recent_bytes += size
        while len(self._recent) > self._replay_batches or (
            self._recent_bytes > self._replay_bytes and len(self._recent) > 1
        ):
            old, old_size = self._recent.popleft()
            self._recent_bytes -= old_size
            self._recent_from = old[0].revision + 1

    def put(self, key: str, value: Any) -> KeyValue:
        """Unconditional put; returns the new key-value."""
        res = self.txn((), (Put(key, value),))
        prev = res.prev[0]
        if prev is None:
            return KeyValue(key, value, res.revision, res.revision, 1)
        return KeyValue(key, value, prev.create_revision, res.revision, prev.version + 1)

    def delete(self, key: str) -> KeyValue | None:
        """Unconditional delete; returns the previous key-value, if any."""
        return self.txn((), (Delete(key),)).prev[0]

    # -- watch --------------------------------------------------------------------------------
    def _notify(self, batch: tuple[Event, ...]) -> None:
        # a commit made by a watch callback is delivered after the current batch (as MemoryStore)
        self._pending.append(batch)
        if self._notifying:
            return
        self._notifying = True
        try:
            while self._pending:
                current = self._pending.popleft()
                rev = current[0].revision
                for w in list(self._watchers):
                    if w.cancelled or rev < w.min_rev:
                        continue
                    p = w.prefix
                    matched = [e for e in current if e.kv.key.startswith(p)]
                    if matched:
                        w.callback(matched)
        finally:
            self._notifying = False

    def watch(self, prefix: str, start_revision: int, callback: WatchCallback) -> _Watcher:
        """Watch keys under ``prefix`` from ``start_revision`` (0: from the next revision).

        Past events are read from etcd and replayed synchronously before this returns, in
        revision order, one callback per revision.
        """
        if 0 < start_revision < self._compacted:
            raise Compacted(start_revision, self._compacted)
        min_rev = start_revision
        if start_revision > 0:
            batches, last = self._history(prefix, start_revision)
            for batch in batches:
                callback(batch)
            # the history read runs to ``last``: commits still queued for delivery are in it
            min_rev = max(start_revision, last + 1)
        w = _Watcher(self, prefix, callback, min_rev)
        self._watchers.append(w)
        return w

    def _history(self, prefix: str, start: int) -> tuple[list[list[Event]], int]:
        """The batches under ``prefix`` from revision ``start`` on, and the revision they run
        to (0 when there were none to read): from this store's recent commits when they reach
        back to ``start``, else from an etcd watch stream read up to a revision that has an
        event (the module docstring says which)."""
        if self._replay_batches > 0 and start >= self._recent_from:
            recent: list[list[Event]] = []
            for batch, _size in self._recent:
                if batch[0].revision >= start:
                    matched = [e for e in batch if e.kv.key.startswith(prefix)]
                    if matched:
                        recent.append(matched)
            return recent, self._last_write or 0
        if self._last_write is not None:
            last, key, end = self._last_write, self._prefix_bytes, _range_end(self._prefix_bytes)
        else:
            self._refresh()
            last, key, end = self._revision, b"\0", b"\0"
        if last < max(start, 2):  # revision 1 is the empty keyspace: no event has it
            return [], 0
        batches: list[list[Event]] = []
        for ev in self._read_watch(key, end, start, last):
            if not ev.kv.key.startswith(prefix):
                continue
            if batches and batches[-1][0].revision == ev.revision:
                batches[-1].append(ev)
            else:
                batches.append([ev])
        return batches, last

    def _read_watch(self, key: bytes, end: bytes, start: int, last: int) -> list[Event]:
        create = {"create_request": {"key": _b64(key), "range_end": _b64(end), "start_revision": start,
                                     "prev_kv": True}}
        client = self.client
        try:
            resp = client.session.post(self._urls["/watch"], json=create, stream=True, timeout=client.timeout)
        except Exception as e:
            raise EtcdUnavailable(f"etcd watch: {_error_text(e)}") from None
        out: list[Event] = []
        try:
            if resp.status_code != 200:
                raise EtcdUnavailable(f"etcd watch: HTTP {resp.status_code}: {resp.text[:200]}")
            for line in resp.iter_lines():
                if not line.strip():
                    continue
                msg = json.loads(line)
                if "error" in msg:
                    raise EtcdUnavailable(f"etcd watch: {msg['error']}")
                result = msg.get("result") or {}
                if result.get("canceled"):
                    compacted = int(result.get("compact_revision", 0))
                    if compacted:
                        self._compacted = max(self._compacted, compacted)
                        raise Compacted(start, compacted)
                    raise EtcdUnavailable(f"etcd cancelled the watch: {result.get('cancel_reason', '')}")
                done = False
                for raw in result.get("events", ()):
                    rev = int(raw["kv"]["mod_revision"])
                    if rev > last:  # a later write, elsewhere in the keyspace
                        done = True
                        break
                    done = rev == last
                    ev = self._event(raw)
                    if ev is not None:
                        out.append(ev)
                if done:
                    return out
            raise EtcdUnavailable(f"etcd watch ended before revision {last}")
        except OSError as e:
            raise EtcdUnavailable(f"etcd watch: {e}") from None
        finally:
            resp.close()

    def _event(self, raw: dict[str, Any]) -> Event | None:
        """An etcd watch event as this store's :class:`Event`; None outside this store's prefix."""
        kv = raw["kv"]
        if not _unb64(kv["key"]).startswith(self._prefix_bytes):
            return None
        prev = self._kv(raw["prev_kv"]) if raw.get("prev_kv") else None
        if raw.get("type") == "DELETE":
            key = _unb64(kv["key"])[self._cut:].decode()
            return Event("DELETE", KeyValue(key, None, 0, int(kv["mod_revision"]), 0), prev)
        return Event("PUT", self._kv(kv), prev)

    # -- compaction ---------------------------------------------------------------------------
    def compact(self, revision: int) -> None:
        """Compact etcd at ``revision`` (etcd-wide); reads and watches below it fail with Compacted."""
        if revision <= self._compacted:
            raise Compacted(revision, self._compacted)
        if revision > self._revision:
            self._refresh()
            if revision > self._revision:
                raise FutureRevision(revision, self._revision)
        try:
            self._post("/kv/compaction", {"revision": revision})
        except _CompactedSignal:
            found = self._find_compacted()
            if found >= revision:
                self._compacted = found
                raise Compacted(revision, found) from None
            # etcd compacted at 1, which no read can tell from "never compacted" (revision 1
            # stays readable): this store said 0, so it takes the compaction as its own
            self._compacted = revision
            return
        except _FutureSignal:
            raise FutureRevision(revision, self._revision) from None
        self._compacted = revision


class _CompactedSignal(Exception):
    """etcd said "compacted"; the caller knows which revision was asked for."""


class _FutureSignal(Exception):
    """etcd said "future revision"."""
