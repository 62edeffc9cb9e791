"""The event recorder (client-go ``tools/record``): core/v1 Events through the EventCorrelator.

Every event goes through the three steps of client-go's ``EventCorrelator`` with its defaults
(``events_cache.go``), in its order:

- aggregation: events that differ only by message (same source, object, type and reason) are
  combined once 10 distinct messages were seen within 10 minutes: from then on one Event named
  ``<object>.<hex time>`` with the message ``(combined from similar events): <latest message>``
  is counted up instead (a ReplicaSet creating 1,000 pods gets 9 ``Created pod: ...`` Events
  and one combined one);
- de-duplication: a repeated event bumps ``count`` and ``lastTimestamp`` (and the message of a
  combined one) of the Event it first created, by a patch;
- spam filtering: each source may write 25 events about one object at once, then one every 5
  minutes (a token bucket); the rest are dropped, as the real recorder drops them.

Writes are best-effort, as in Kubernetes: failures are swallowed; a patch of an Event that is
gone creates it again. Differs: the aggregator's ``PopAny`` takes a random message out of its
set in Go; here it is the message just added, so runs stay replayable. Leaves out: the
broadcaster's asynchronous retries (up to 12 attempts).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Generic, TypeVar

from reference_impl.apiserver import ApiError
from reference_impl.client.client import Client, Unreachable

Obj = dict[str, Any]
K = TypeVar("K")
V = TypeVar("V")

LRU_CACHE_ENTRIES = 4096  # maxLruCacheEntries
AGGREGATE_MAX_EVENTS = 10  # defaultAggregateMaxEvents
AGGREGATE_INTERVAL_S = 600  # defaultAggregateIntervalInSeconds
SPAM_BURST = 25  # defaultSpamBurst
SPAM_QPS = 1.0 / 300.0  # defaultSpamQPS
COMBINED_PREFIX = "(combined from similar events): "


class _LRU(Generic[K, V]):
    """groupcache's ``lru.Cache``: bounded, least recently used out first."""

    def __init__(self, size: int = LRU_CACHE_ENTRIES) -> None:
        self.size = size
        self._d: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        v = self._d.get(key)
        if v is not None:
            self._d.move_to_end(key)
        return v

    def add(self, key: K, value: V) -> None:
        self._d[key] = value
        self._d.move_to_end(key)
        if len(self._d) > self.size:
            self._d.popitem(last=False)


# The recorder's cache entries are plain classes, not dataclasses: a dataclass ``__init__`` stays
# interpreted in the compiled build, and every event makes up to three of these.
class _Aggregate:
    __slots__ = ("last_s", "messages")

    def __init__(self) -> None:
        self.messages: set[str] = set()
        self.last_s = float("-inf")


class _Observed:
    __slots__ = ("count", "first", "name", "namespace")

    def __init__(self, name: str, namespace: str, count: int, first: str) -> None:
        self.name = name
        self.namespace = namespace
        self.count = count
        self.first = first


class _Bucket:
    """``flowcontrol.NewTokenBucketRateLimiterWithClock``: starts full."""

    __slots__ = ("at_s", "tokens")

    def __init__(self, tokens: float, at_s: float) -> None:
        self.tokens = tokens
        self.at_s = at_s

    def try_accept(self, now_s: float) -> bool:
        self.tokens = min(float(SPAM_BURST), self.tokens + (now_s - self.at_s) * SPAM_QPS)
        self.at_s = now_s
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class EventRecorder:
    def __init__(self, client: Client, component: str, host: str | None = None) -> None:
        self.client = client
        self.component = component
        self.host = host
        self._aggregates: _LRU[tuple[str, ...], _Aggregate] = _LRU()
        self._observed: _LRU[tuple[str, ...], _Observed] = _LRU()
        self._spam: _LRU[tuple[str, ...], _Bucket] = _LRU()
        self._seq = 0
        self.dropped = 0  # events the spam filter refused (for tests and figures)

    def event(self, obj: Obj, type_: str, reason: str, message: str) -> None:
        meta = obj.get("metadata", {})
        clock = self.client.api.clock
        now_s = clock.now()
        involved = (
            str(obj.get("kind", "")),
            str(meta.get("namespace", "")),
            str(meta.get("name", "")),
            str(meta.get("uid", "")),
            str(obj.get("apiVersion", "")),
        )
        source = (self.component, self.host or "")
        # 1. EventAggregate: by source, object, type and reason; the message is the local key
        agg_key = (*source, *involved, type_, reason)
        # (an entry found is already the most recent: only a new one needs adding)
        agg = self._aggregates.get(agg_key)
        if agg is None or now_s - agg.last_s > AGGREGATE_INTERVAL_S:
            agg = _Aggregate()
            self._aggregates.add(agg_key, agg)
        agg.messages.add(message)
        agg.last_s = now_s
        key: tuple[str, ...]
        if len(agg.messages) < AGGREGATE_MAX_EVENTS:
            key = (*agg_key, message)
            combined = False
        else:
            agg.messages.discard(message)  # PopAny: keep the set below the maximum
            key = agg_key
            message = COMBINED_PREFIX + message
            combined = True
        # 2. eventObserve: a repeat patches the Event it first created
        seen = self._observed.get(key)
        now = clock.rfc3339()
        if seen is not None:
            seen.count += 1
        else:
            self._seq += 1
            # upstream: "<name>.<UnixNano in hex>"; the sequence keeps one recorder's names apart
            base = f"{meta.get('name', 'unknown')}.{int(now_s * 1e9):x}"
            seen = _Observed(f"{base}{self._seq:x}"[:253], meta.get("namespace") or "default", 1, now)
            self._observed.add(key, seen)
        # 3. the spam filter: a token bucket per source and object
        spam_key = (*source, *involved)
        bucket = self._spam.get(spam_key)
        if bucket is None:
            bucket = _Bucket(float(SPAM_BURST), now_s)
            self._spam.add(spam_key, bucket)
        accepted = bucket.try_accept(now_s)
        if not accepted:
            self.dropped += 1
            return
        try:
            if seen.count > 1:
                body: Obj = {"count": seen.count, "lastTimestamp": now}
                if combined:
                    body["message"] = message
                try:
                    self.client.patch("events", seen.name, body, "merge", seen.namespace)
                    return
                except ApiError as e:
                    if e.code != 404:
                        raise
                    # the Event is gone (deleted, or its namespace was): record it afresh
            self._create(obj, seen, type_, reason, message, now)
        except (ApiError, Unreachable):
            pass

    def _create(self, obj: Obj, seen: _Observed, type_: str, reason: str, message: str, now: str) -> None:
        meta = obj.get("metadata", {})
        source: Obj = {"component": self.component}
        if self.host:
            source["host"] = self.host
        ev: Obj = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": seen.name, "namespace": seen.namespace},
            "involvedObject": {
                "apiVersion": obj.get("apiVersion", ""),
                "kind": obj.get("kind", ""),
                "name": meta.get("name", ""),
                "namespace": meta.get("namespace", ""),
                "uid": meta.get("uid", ""),
                "resourceVersion": meta.get("resourceVersion", ""),
            },
            "reason": reason,
            "message": message,
            "type": type_,
            "source": source,
            "firstTimestamp": seen.first,
            "lastTimestamp": now,
            "count": seen.count,
            "reportingComponent": self.component,
            "reportingInstance": self.host or "",
        }
        for attempt in range(4):
            try:
                self.client.create("events", ev, seen.namespace)
                return
            except ApiError as e:
                # another component's recorder took the name at the same instant: draw again
                if e.code != 409 or attempt == 3:
                    raise
                self._seq += 1
                seen.name = f"{seen.name}{self._seq:x}{attempt}"[:253]
                ev["metadata"]["name"] = seen.name
