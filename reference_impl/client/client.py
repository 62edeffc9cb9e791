"""A typed-enough REST client for in-process components (client-go's ``rest``/``kubernetes`` clientset).

Every call goes through :class:`~reference_impl.apiserver.APIServer` and may fail with its
``ApiError``. When the client's link is down (its node is partitioned, or the component was
stopped) every call raises :class:`Unreachable` — the simulated connection error — and its
watches are closed, as a broken TCP connection would close them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from mypy_extensions import mypyc_attr

from reference_impl.apiserver import APIServer
from reference_impl.apiserver.watch import Watcher
from reference_impl.sim import EventLoop

Obj = dict[str, Any]


@mypyc_attr(native_class=False)  # a ConnectionError subclass: mypyc compiles it as a plain Python class
class Unreachable(ConnectionError):
    """The API server could not be reached (``dial tcp ...: connect: connection refused``)."""


class ClientWatch:
    """A watch as a client sees it: events arrive through the event loop, in order."""

    def __init__(
        self,
        client: Client,
        handler: Callable[[str, Obj], None],
        on_close: Callable[[], None] | None,
    ) -> None:
        self.client = client
        self.handler = handler
        self.on_close = on_close
        self.server: Watcher | None = None
        self._pending: deque[tuple[str, Obj]] = deque()
        self._scheduled = False
        self.closed = False
        self._closing = False

    def _deliver(self, type_: str, obj: Obj) -> None:
        if self.closed:
            return
        self._pending.append((type_, obj))
        if not self._scheduled:
            self._scheduled = True
            self.client.loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._scheduled = False
        pending = self._pending
        while pending and not self.closed:
            type_, obj = pending.popleft()
            self.handler(type_, obj)
        if self._closing and not self.closed:
            self._finish_close()

    def _server_closed(self) -> None:
        # deliver what is already in flight, then tell the client
        self._closing = True
        if not self._scheduled:
            self._scheduled = True
            self.client.loop.call_soon(self._flush)

    def _finish_close(self) -> None:
        self.closed = True
        self.client._watches.pop(self, None)
        if self.on_close is not None:
            self.on_close()

    def stop(self) -> None:
        """Close from the client side; no close callback."""
        if not self.closed:
            self.closed = True
            self._pending.clear()
            if self.server is not None:
                self.server.stop()
            self.client._watches.pop(self, None)

    def sever(self) -> None:
        """The connection breaks: in-flight events are lost and the client is told."""
        if not self.closed:
            self._pending.clear()
            if self.server is not None:
                self.server.stop()
            self.closed = True
            self.client._watches.pop(self, None)
            if self.on_close is not None:
                self.client.loop.call_soon(self.on_close)


class Client:
    """One component's connection to the API server.

    ``readonly_responses``: the caller treats what writes return as read-only, as client-go
    code must treat informer objects, so the server may hand back the very object its watch
    cache shares with informers instead of a copy of its own (components set it; a client
    whose caller may edit what it gets back, like the one tests and kconform use, does not).
    Such a caller also leaves the bodies of its merge patches alone once sent, so the server
    may keep their parts in the stored object rather than copies.
    """

    def __init__(self, api: APIServer, loop: EventLoop, *, name: str, readonly_responses: bool = False) -> None:
        self.api = api
        self.loop = loop
        self.name = name
        self.readonly = readonly_responses
        self.connected = True
        self._watches: dict[ClientWatch, None] = {}  # insertion-ordered: deterministic
        self.requests = 0

    # -- connectivity ---------------------------------------------------------------------
    def set_connected(self, up: bool) -> None:
        """Cut or restore the link; cutting it severs every open watch."""
        if self.connected == up:
            return
        self.connected = up
        if not up:
            for w in list(self._watches):
                w.sever()

    def close(self) -> None:
        """The component stops: its watches end without callbacks and calls fail."""
        self.connected = False
        for w in list(self._watches):
            w.stop()

    def _check(self) -> None:
        if not self.connected:
            raise Unreachable(f"{self.name}: dial tcp 127.0.0.1:6443: connect: connection refused")
        self.requests += 1

    # -- verbs ----------------------------------------------------------------------------
    def create(self, resource: str, obj: Obj, namespace: str | None = None, **kw: Any) -> Obj:
        self._check()
        return self.api.create(resource, obj, namespace, readonly=self.readonly, **kw)

    def get(self, resource: str, name: str, namespace: str | None = None, **kw: Any) -> Obj:
        self._check()
        return self.api.get(resource, name, namespace, **kw)

    def list(self, resource: str, namespace: str | None = None, **kw: Any) -> Obj:
        self._check()
        return self.api.list(resource, namespace, **kw)

    def update(self, resource: str, obj: Obj, namespace: str | None = None, **kw: Any) -> Obj:
        self._check()
        return self.api.update(resource, obj, namespace, readonly=self.readonly, **kw)

    def update_status(self, resource: str, obj: Obj, namespace: str | None = None) -> Obj:
        self._check()
        return self.api.update(resource, obj, namespace, subresource="status", readonly=self.readonly)

    def patch(self, resource: str, name: str, body: Any, patch_type: str = "merge", namespace: str | None = None, **kw: Any) -> Obj:
        self._check()
        return self.api.patch(resource, name, body, patch_type, namespace, readonly=self.readonly, **kw)

    def delete(self, resource: str, name: str, namespace: str | None = None, **kw: Any) -> Obj:
        self._check()
        return self.api.delete(resource, name, namespace, **kw)

    def bind(self, namespace: str, pod: str, node: str) -> Obj:
        self._check()
        body = {
            "apiVersion": "v1",
            "kind": "Binding",
            "metadata": {"name": pod, "namespace": namespace},
            "target": {"apiVersion": "v1", "kind": "Node", "name": node},
        }
        return self.api.create("pods", body, namespace, subresource="binding", name=pod)

    def evict(self, namespace: str, pod: str) -> Obj:
        self._check()
        body = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": pod, "namespace": namespace}}
        return self.api.create("pods", body, namespace, subresource="eviction", name=pod)

    def watch(
        self,
        resource: str,
        handler: Callable[[str, Obj], None],
        namespace: str | None = None,
        *,
        on_close: Callable[[], None] | None = None,
        **kw: Any,
    ) -> ClientWatch:
        self._check()
        cw = ClientWatch(self, handler, on_close)
        self._watches[cw] = None
        try:
            cw.server = self.api.watch(
                resource, cw._deliver, namespace, on_close=cw._server_closed, **kw
            )
        except Exception:
            self._watches.pop(cw, None)
            raise
        return cw
