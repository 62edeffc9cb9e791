"""The scheduling queue: activeQ, backoffQ and the unschedulable pods map.

Models ``pkg/scheduler/internal/queue/scheduling_queue.go``. activeQ pops by priority, then by
the time the pod entered the queue (``PrioritySort``; a sequence number keeps FIFO among
equal instants). A pod that failed with an error waits out its backoff (1 s doubling per
attempt, at most 10 s) in backoffQ. A pod found unschedulable waits in the unschedulable map
until a cluster event that one of its rejecting plugins cares about (and whose queueing hint
says it may help) moves it back, to backoffQ if still backing off, else to activeQ; pods
left there longer than ``pod_max_in_unschedulable_s`` (5 min) are flushed by a 30 s ticker.

The cycle runs synchronously inside one event-loop callback, so no event can arrive while a
pod is in flight: upstream's ``moveRequestCycle`` bookkeeping is not needed. Backoff expiry
is an exact foreground timer (upstream polls every second); the leftover flush is a
background timer.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import ClassVar

from reference_impl.scheduler.types import PodInfo
from reference_impl.sim import EventLoop, Timer


class QueuedPodInfo:
    __slots__ = ("attempts", "pod", "seq", "timestamp", "unschedulable_plugins")

    def __init__(self, pod: PodInfo, timestamp: float, seq: int) -> None:
        self.pod = pod
        self.timestamp = timestamp  # when it (re-)entered the queue; also the last attempt's time
        self.seq = seq
        self.attempts = 0
        self.unschedulable_plugins: frozenset[str] = frozenset()


class SchedulingQueue:
    FLUSH_UNSCHEDULABLE_PERIOD_S: ClassVar[float] = 30.0

    def __init__(
        self,
        loop: EventLoop,
        *,
        initial_backoff_s: float,
        max_backoff_s: float,
        max_in_unschedulable_s: float,
        on_active: Callable[[], None],
    ) -> None:
        self.loop = loop
        self.initial_backoff_s = initial_backoff_s
        self.max_backoff_s = max_backoff_s
        self.max_in_unschedulable_s = max_in_unschedulable_s
        self.on_active = on_active  # called when activeQ becomes non-empty
        self._seq = 0
        self._active: list[tuple[int, float, int, str]] = []  # (-priority, timestamp, seq, key)
        self._active_items: dict[str, QueuedPodInfo] = {}
        self._backoff: list[tuple[float, int, str]] = []  # (expiry, seq, key)
        self._backoff_items: dict[str, QueuedPodInfo] = {}
        self._backoff_timer: Timer | None = None
        self.unschedulable: dict[str, QueuedPodInfo] = {}
        self.stopped = False

    def __len__(self) -> int:
        return len(self._active_items) + len(self._backoff_items) + len(self.unschedulable)

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    # -- where a pod is ------------------------------------------------------------------
    def contains(self, key: str) -> bool:
        return key in self._active_items or key in self._backoff_items or key in self.unschedulable

    def get(self, key: str) -> QueuedPodInfo | None:
        return self._active_items.get(key) or self._backoff_items.get(key) or self.unschedulable.get(key)

    def active_keys(self) -> list[str]:
        return [k for _p, _t, _s, k in sorted(self._active) if k in self._active_items]

    # -- adding ---------------------------------------------------------------------------
    def add(self, pod: PodInfo) -> None:
        """A new pending pod (informer Add)."""
        if self.contains(pod.key):
            self.update(pod)
            return
        self._push_active(QueuedPodInfo(pod, self.loop.now(), self._next_seq()))

    def _push_active(self, qpi: QueuedPodInfo) -> None:
        if self.stopped:
            return
        was_empty = not self._active_items
        self._active_items[qpi.pod.key] = qpi
        heapq.heappush(self._active, (-qpi.pod.priority, qpi.timestamp, qpi.seq, qpi.pod.key))
        if was_empty:
            self.on_active()

    def backoff_duration(self, attempts: int) -> float:
        """``calculateBackoffDuration``: initial * 2^(attempts-1), capped."""
        d = self.initial_backoff_s
        for _ in range(1, attempts):
            d *= 2
            if d > self.max_backoff_s:
                return self.max_backoff_s
        return d

    def backoff_expiry(self, qpi: QueuedPodInfo) -> float:
        return qpi.timestamp + self.backoff_duration(qpi.attempts)

    def _push_backoff(self, qpi: QueuedPodInfo) -> None:
        expiry = self.backoff_expiry(qpi)
        if expiry <= self.loop.now():
            self._push_active(qpi)
            return
        self._backoff_items[qpi.pod.key] = qpi
        heapq.heappush(self._backoff, (expiry, qpi.seq, qpi.pod.key))
        self._arm_backoff()

    def _arm_backoff(self) -> None:
        while self._backoff and self._backoff[0][2] not in self._backoff_items:
            heapq.heappop(self._backoff)
        if not self._backoff or self.stopped:
            return
        when = self._backoff[0][0]
        t = self._backoff_timer
        if t is not None and not t.cancelled and t.when <= when:
            return
        if t is not None:
            t.cancel()
        self._backoff_timer = self.loop.call_at(when, self._flush_backoff)

    def _flush_backoff(self) -> None:
        self._backoff_timer = None
        now = self.loop.now()
        while self._backoff and self._backoff[0][0] <= now:
            _e, seq, key = heapq.heappop(self._backoff)
            qpi = self._backoff_items.get(key)
            if qpi is None or qpi.seq != seq:
                continue
            del self._backoff_items[key]
            self._push_active(qpi)
        self._arm_backoff()

    # -- popping and failing --------------------------------------------------------------
    def pop(self) -> QueuedPodInfo | None:
        while self._active:
            _p, _t, seq, key = heapq.heappop(self._active)
            qpi = self._active_items.get(key)
            if qpi is None or qpi.seq != seq:
                continue
            del self._active_items[key]
            qpi.attempts += 1
            return qpi
        return None

    def add_unschedulable(self, qpi: QueuedPodInfo, plugins: frozenset[str]) -> None:
        """A pod the cycle found unschedulable: wait for a cluster event."""
        qpi.timestamp = self.loop.now()
        qpi.seq = self._next_seq()
        qpi.unschedulable_plugins = plugins
        self.unschedulable[qpi.pod.key] = qpi

    def add_backoff(self, qpi: QueuedPodInfo) -> None:
        """A pod whose cycle failed with an error (e.g. the bind failed): retry after backoff."""
        qpi.timestamp = self.loop.now()
        qpi.seq = self._next_seq()
        self._push_backoff(qpi)

    # -- updates and removal --------------------------------------------------------------
    def update(self, pod: PodInfo) -> None:
        """The pending pod itself changed; an unschedulable one gets another chance."""
        key = pod.key
        qpi = self._active_items.get(key) or self._backoff_items.get(key)
        if qpi is not None:
            if key in self._active_items and pod.priority != qpi.pod.priority:
                qpi.seq = self._next_seq()
                heapq.heappush(self._active, (-pod.priority, qpi.timestamp, qpi.seq, key))
            qpi.pod = pod
            return
        qpi = self.unschedulable.pop(key, None)
        if qpi is None:
            self.add(pod)
            return
        qpi.pod = pod
        self._move(qpi)

    def delete(self, key: str) -> None:
        self._active_items.pop(key, None)
        self._backoff_items.pop(key, None)
        self.unschedulable.pop(key, None)

    def _move(self, qpi: QueuedPodInfo) -> None:
        qpi.seq = self._next_seq()
        if self.backoff_expiry(qpi) > self.loop.now():
            self._push_backoff(qpi)
        else:
            self._push_active(qpi)

    def move_for_event(self, relevant: Callable[[QueuedPodInfo], bool]) -> int:
        """``MoveAllToActiveOrBackoffQueue``: move the unschedulable pods the event may help."""
        moved = [qpi for qpi in self.unschedulable.values() if relevant(qpi)]
        for qpi in moved:
            del self.unschedulable[qpi.pod.key]
            self._move(qpi)
        return len(moved)

    def flush_unschedulable_leftover(self) -> int:
        now = self.loop.now()
        return self.move_for_event(lambda q: now - q.timestamp > self.max_in_unschedulable_s)

    def stop(self) -> None:
        self.stopped = True
        if self._backoff_timer is not None:
            self._backoff_timer.cancel()
            self._backoff_timer = None
