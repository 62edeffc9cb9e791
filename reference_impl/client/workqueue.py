"""De-duplicating, rate-limited work queues (client-go ``util/workqueue``).

A key is queued at most once; a key added while it is being processed is processed again
afterwards (the "dirty" set). ``add_rate_limited`` re-queues at the later of two limits, as client-go's
``DefaultControllerRateLimiter`` does: per-key exponential back-off (5 ms doubling to 1000 s,
reset by ``forget``) and an overall token bucket (10 per second, burst 100) shared by every key,
``add_after`` is the delaying queue. The worker runs on the event loop in bounded batches so
that one busy controller cannot starve the others at the same instant.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from reference_impl.sim import EventLoop


class WorkQueue:
    BATCH = 64

    def __init__(
        self,
        loop: EventLoop,
        process: Callable[[str], None],
        *,
        name: str,
        base_delay_s: float = 0.005,
        max_delay_s: float = 1000.0,
        qps: float = 10.0,
        burst: int = 100,
        on_error: Callable[[str, BaseException], None] | None = None,
    ) -> None:
        self.loop = loop
        self.process = process
        self.name = name
        self.base_delay_s = base_delay_s
        self.max_delay_s = max_delay_s
        self.on_error = on_error
        self._queue: deque[str] = deque()
        self._queued: set[str] = set()
        self._processing: set[str] = set()
        self._dirty: set[str] = set()
        self._failures: dict[str, int] = {}
        self._qps = qps
        self._burst = burst
        self._tokens = float(burst)
        self._tokens_at = loop.now()
        self._delayed: dict[str, Any] = {}
        self._scheduled = False
        self.stopped = False
        self.processed = 0

    def __len__(self) -> int:
        return len(self._queue)

    def add(self, key: str) -> None:
        if self.stopped:
            return
        if key in self._processing:
            self._dirty.add(key)
            return
        if key in self._queued:
            return
        self._queued.add(key)
        self._queue.append(key)
        if not self._scheduled:
            self._scheduled = True
            self.loop.call_soon(self._run)

    def add_after(self, key: str, delay_s: float) -> None:
        """Queue ``key`` after ``delay_s``; an earlier pending request for the key wins."""
        if self.stopped:
            return
        if delay_s <= 0:
            self.add(key)
            return
        when = self.loop.now() + delay_s
        prev = self._delayed.get(key)
        if prev is not None and not prev.cancelled and prev.when <= when:
            return
        if prev is not None:
            prev.cancel()
        self._delayed[key] = self.loop.call_at(when, self._fire_delayed, key)

    def _fire_delayed(self, key: str) -> None:
        self._delayed.pop(key, None)
        self.add(key)

    def _bucket_delay(self) -> float:
        """Reserve a token (golang.org/x/time/rate semantics): how long until it is ours."""
        now = self.loop.now()
        self._tokens = min(float(self._burst), self._tokens + (now - self._tokens_at) * self._qps)
        self._tokens_at = now
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self._qps

    def add_rate_limited(self, key: str) -> None:
        n = self._failures.get(key, 0)
        self._failures[key] = n + 1
        item_delay = min(self.base_delay_s * (2**n), self.max_delay_s)
        self.add_after(key, max(item_delay, self._bucket_delay()))

    def forget(self, key: str) -> None:
        self._failures.pop(key, None)

    def num_requeues(self, key: str) -> int:
        return self._failures.get(key, 0)

    def stop(self) -> None:
        self.stopped = True
        self._queue.clear()
        self._queued.clear()
        for t in self._delayed.values():
            t.cancel()
        self._delayed.clear()

    def _run(self) -> None:
        self._scheduled = False
        for _ in range(self.BATCH):
            if not self._queue or self.stopped:
                break
            key = self._queue.popleft()
            self._queued.discard(key)
            self._processing.add(key)
            try:
                self.process(key)
            except Exception as e:  # a failed sync is retried with back-off, as controllers do
                if self.on_error is not None:
                    self.on_error(key, e)
                self.add_rate_limited(key)
            finally:
                self._processing.discard(key)
                self.processed += 1
            if key in self._dirty:
                self._dirty.discard(key)
                self.add(key)
        if self._queue and not self._scheduled and not self.stopped:
            self._scheduled = True
            self.loop.call_soon(self._run)
