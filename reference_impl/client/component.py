"""What every reference component is built from: a client, shared informers, queues, timers.

A component (the scheduler, the controller manager, a kubelet, a kube-proxy) owns one
:class:`Client`, an :class:`InformerFactory` whose informers are shared by everything inside
the component (client-go's SharedInformerFactory), work queues, and timers on the event loop.
``stop()`` tears all of it down — which is how a crash, a node kill or a restart is modelled:
in-memory state is lost, the store survives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reference_impl.apiserver import APIServer
from reference_impl.client.client import Client
from reference_impl.client.events import EventRecorder
from reference_impl.client.informer import Informer
from reference_impl.client.workqueue import WorkQueue
from reference_impl.config import ClusterConfig
from reference_impl.sim import EventLoop, SeededRandom, Timer


class InformerFactory:
    """One informer per (resource, namespace, selectors) for the whole component."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._informers: dict[tuple[str, str | None, str | None, str | None], Informer] = {}
        self.started = False

    def informer(
        self,
        resource: str,
        *,
        namespace: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> Informer:
        key = (resource, namespace, label_selector, field_selector)
        inf = self._informers.get(key)
        if inf is None:
            inf = Informer(
                self.client,
                resource,
                namespace=namespace,
                label_selector=label_selector,
                field_selector=field_selector,
            )
            self._informers[key] = inf
            if self.started:
                inf.start()
        return inf

    def start(self) -> None:
        self.started = True
        for inf in list(self._informers.values()):
            if not inf.running:
                inf.start()

    def stop(self) -> None:
        self.started = False
        for inf in self._informers.values():
            inf.stop()

    def synced(self) -> bool:
        return all(i.synced for i in self._informers.values())


class Component:
    """Base of every component: lifecycle, timers and queues that ``stop()`` cleans up."""

    def __init__(
        self, api: APIServer, loop: EventLoop, rng: SeededRandom, config: ClusterConfig, *, name: str
    ) -> None:
        self.api = api
        self.loop = loop
        self.rng = rng.fork(name)
        self.config = config
        self.name = name
        self.client = Client(api, loop, name=name, readonly_responses=True)
        self.informers = InformerFactory(self.client)
        self.recorder = EventRecorder(self.client, name)
        self._recorders: dict[str, EventRecorder] = {}
        self._queues: list[WorkQueue] = []
        # pending timers by a number of the component's own, to cancel on stop (insertion order)
        self._timers: dict[int, Timer] = {}
        self._timer_ids = 0
        self._sweep_at = 256
        self.running = False
        self.errors: list[str] = []  # sync errors, kept for debugging (bounded)

    # -- building blocks ------------------------------------------------------------------
    def recorder_for(self, component: str) -> EventRecorder:
        """An event recorder whose events name ``component`` as their source (e.g. ``replicaset-controller``)."""
        rec = self._recorders.get(component)
        if rec is None:
            rec = self._recorders[component] = EventRecorder(self.client, component)
        return rec

    def queue(self, process: Callable[[str], None], *, name: str) -> WorkQueue:
        q = WorkQueue(self.loop, process, name=f"{self.name}/{name}", on_error=self._record_error)
        self._queues.append(q)
        return q

    def _record_error(self, key: str, err: BaseException) -> None:
        if len(self.errors) < 200:
            self.errors.append(f"{key}: {type(err).__name__}: {err}")

    def every(self, period_s: float, fn: Callable[[], object], *, first_in_s: float | None = None) -> None:
        """Run ``fn`` periodically (a background timer: it does not keep ``settle`` busy)."""

        def tick() -> None:
            try:
                fn()
            finally:
                if self.running:
                    self.later(period_s, tick, background=True)

        self.later(period_s if first_in_s is None else first_in_s, tick, background=True)

    def later(self, delay_s: float, fn: Callable[..., Any], *args: Any, background: bool = False) -> Timer:
        """A one-shot timer owned by this component (cancelled on stop).

        ``background=True`` for retries that are not progress (e.g. while the API server is
        unreachable), so that ``settle`` does not wait on them.
        """
        live = self._timers
        self._timer_ids += 1
        n = self._timer_ids
        # The timer's callback refers to the timer by its number, not by itself: a timer that
        # has fired is then plain garbage, not a reference cycle left for the collector.
        t = self.loop.call_later(delay_s, self._fire, n, fn, args, background=background)
        live[n] = t
        if len(live) > self._sweep_at:
            # timers cancelled by their owner never fire: swept out once the table has doubled
            for x in [n for n, x in live.items() if x.cancelled]:
                del live[x]
            self._sweep_at = 2 * len(live) + 256
        return t

    def _fire(self, n: int, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self._timers.pop(n, None)  # fired: no longer this component's to cancel
        if self.running:
            fn(*args)

    # -- lifecycle ------------------------------------------------------------------------
    def setup(self) -> None:
        """Subclasses create informers, handlers and queues here (called by ``start``)."""

    def start(self) -> None:
        self.running = True
        self.client.connected = True
        self.setup()
        self.informers.start()

    def stop(self) -> None:
        self.running = False
        for q in self._queues:
            q.stop()
        for t in self._timers.values():
            t.cancel()
        self._timers.clear()
        self._sweep_at = 256
        self._queues.clear()
        self.informers.stop()
        self.client.close()
