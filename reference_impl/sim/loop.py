"""A discrete-event loop in simulated time.

The real components are goroutines woken by tickers, timers and channel sends. Here they are
callbacks: ``call_soon`` is runnable work at the current instant, ``call_at``/``call_later`` are
timers. Events run strictly in (time, sequence) order, so ties break by scheduling order and a
run is deterministic. Nothing here reads the wall clock.

``background`` timers are periodic housekeeping (heartbeats, monitors, resyncs) that never end;
``settle`` treats them as noise when deciding whether the system has gone quiet.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

from reference_impl.sim.clock import SimClock, TimeWentBackwards


class Timer:
    """A handle on a scheduled callback; ``cancel()`` makes it a no-op."""

    __slots__ = ("args", "background", "callback", "cancelled", "seq", "when")

    def __init__(
        self, when: float, seq: int, callback: Callable[..., Any], args: tuple[Any, ...], background: bool
    ) -> None:
        self.when = when
        self.seq = seq
        self.callback = callback
        self.args = args
        self.background = background
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True

    def __lt__(self, other: Timer) -> bool:
        return (self.when, self.seq) < (other.when, other.seq)


class EventLoop:
    """Runs callbacks at simulated instants, in a total order.

    Foreground and background timers live in two heaps so that ``settle`` can see the next
    foreground event in O(1); popping merges the two heads by (time, sequence).
    """

    def __init__(self, clock: SimClock | None = None, *, max_events_per_instant: int = 5_000_000) -> None:
        self.clock = clock or SimClock()
        self._fg: list[Timer] = []
        self._bg: list[Timer] = []
        self._seq = 0
        self.events_run = 0
        # A limit on everything: a livelock at one instant is a bug, not an infinite loop.
        self._max_per_instant = max_events_per_instant

    # -- scheduling -----------------------------------------------------------------------
    def now(self) -> float:
        return self.clock.now()

    def call_at(
        self, when: float, callback: Callable[..., Any], *args: Any, background: bool = False
    ) -> Timer:
        """Run ``callback(*args)`` at simulated time ``when`` (never earlier than now)."""
        now = self.clock.now()
        if when < now:
            when = now
        self._seq += 1
        t = Timer(when, self._seq, callback, args, background)
        heapq.heappush(self._bg if background else self._fg, t)
        return t

    def call_later(
        self, delay_s: float, callback: Callable[..., Any], *args: Any, background: bool = False
    ) -> Timer:
        return self.call_at(self.clock.now() + max(0.0, delay_s), callback, *args, background=background)

    def call_soon(self, callback: Callable[..., Any], *args: Any) -> Timer:
        """Runnable work at the current instant, after what is already runnable."""
        return self.call_at(self.clock.now(), callback, *args)

    # -- running --------------------------------------------------------------------------
    @staticmethod
    def _head(heap: list[Timer]) -> Timer | None:
        while heap and heap[0].cancelled:
            heapq.heappop(heap)
        return heap[0] if heap else None

    def _next(self) -> tuple[Timer | None, list[Timer]]:
        f = self._head(self._fg)
        b = self._head(self._bg)
        if f is None:
            return b, self._bg
        if b is None or f < b:
            return f, self._fg
        return b, self._bg

    def run_until(self, deadline_s: float) -> None:
        """Run every event due at or before ``deadline_s``, then leave the clock there."""
        same_instant = 0
        last = self.clock.now()
        clock = self.clock
        while True:
            t, heap = self._next()
            if t is None or t.when > deadline_s:
                break
            heapq.heappop(heap)
            if t.when == last:
                same_instant += 1
                if same_instant > self._max_per_instant:
                    raise RuntimeError(f"livelock: more than {self._max_per_instant} events at t={last}")
            else:
                same_instant, last = 0, t.when
            clock.set(t.when)
            self.events_run += 1
            t.callback(*t.args)
        if deadline_s > clock.now():
            clock.set(deadline_s)

    def run_ready(self) -> None:
        """Run what is runnable now without moving the clock."""
        self.run_until(self.clock.now())

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``, running everything due on the way."""
        if not seconds >= 0:
            raise TimeWentBackwards(f"time can't go backwards: advance({seconds})")
        self.run_until(self.clock.now() + seconds)

    def next_foreground_time(self) -> float | None:
        """When the next non-background event is due, or None when there is none."""
        t = self._head(self._fg)
        return None if t is None else t.when

    def has_foreground_work(self) -> bool:
        return self._head(self._fg) is not None

    def settle(self, horizon_s: float) -> bool:
        """Run until no foreground work is due before ``now + horizon_s``.

        Background timers that fall before the next foreground event run too. Returns True when
        the loop went quiet (only background timers left), False when work remains beyond the
        horizon (for example a CrashLoopBackOff retry).
        """
        deadline = self.clock.now() + horizon_s
        while True:
            nxt = self.next_foreground_time()
            if nxt is None:
                return True
            if nxt > deadline:
                return False
            self.run_until(nxt)

    def pending(self) -> int:
        """Number of scheduled events that have not been cancelled (for tests and figures)."""
        return sum(1 for t in self._fg if not t.cancelled) + sum(1 for t in self._bg if not t.cancelled)
