"""The event recorder (client-go ``tools/record``): core/v1 Events with count aggregation.

A repeated (object, type, reason, message) bumps ``count`` and ``lastTimestamp`` of the same
Event instead of creating a new one, as the real EventCorrelator does. Failures to record are
swallowed: events are best-effort in Kubernetes too.
"""

from __future__ import annotations

from typing import Any

from reference_impl.apiserver import ApiError
from reference_impl.client.client import Client, Unreachable

Obj = dict[str, Any]


class EventRecorder:
    def __init__(self, client: Client, component: str, host: str | None = None) -> None:
        self.client = client
        self.component = component
        self.host = host
        self._seen: dict[tuple[str, str, str, str], tuple[str, str, int]] = {}
        self._seq = 0

    def event(self, obj: Obj, type_: str, reason: str, message: str) -> None:
        meta = obj.get("metadata", {})
        ns = meta.get("namespace") or "default"
        uid = meta.get("uid", "")
        key = (uid, type_, reason, message)
        now = self.client.api.clock.rfc3339()
        seen = self._seen.get(key)
        try:
            if seen is not None:
                name, evns, count = seen
                self.client.patch(
                    "events", name, {"count": count + 1, "lastTimestamp": now}, "merge", evns
                )
                self._seen[key] = (name, evns, count + 1)
                return
            self._seq += 1
            # upstream: "<name>.<UnixNano in hex>"; the sequence keeps one recorder's names apart
            base = f"{meta.get('name', 'unknown')}.{int(self.client.api.clock.now() * 1e9):x}"
            name = f"{base}{self._seq:x}"[:253]
            source: Obj = {"component": self.component}
            if self.host:
                source["host"] = self.host
            ev: Obj = {
                "apiVersion": "v1",
                "kind": "Event",
                "metadata": {"name": name, "namespace": ns},
                "involvedObject": {
                    "apiVersion": obj.get("apiVersion", ""),
                    "kind": obj.get("kind", ""),
                    "name": meta.get("name", ""),
                    "namespace": meta.get("namespace", ""),
                    "uid": uid,
                    "resourceVersion": meta.get("resourceVersion", ""),
                },
                "reason": reason,
                "message": message,
                "type": type_,
                "source": source,
                "firstTimestamp": now,
                "lastTimestamp": now,
                "count": 1,
                "reportingComponent": self.component,
                "reportingInstance": self.host or "",
            }
            for attempt in range(4):
                try:
                    self.client.create("events", ev, ns)
                    break
                except ApiError as e:
                    # another component's recorder took the name at the same instant: draw again
                    if e.code != 409 or attempt == 3:
                        raise
                    self._seq += 1
                    name = f"{base}{self._seq:x}{attempt}"[:253]
                    ev["metadata"]["name"] = name
            self._seen[key] = (name, ns, 1)
        except (ApiError, Unreachable):
            self._seen.pop(key, None)
