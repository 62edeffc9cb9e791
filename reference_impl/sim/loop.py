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
from collections import deque
from collections.abc import Callable
from typing import Any

from reference_impl.sim.clock import SimClock, TimeWentBackwards


def _fired() -> None:
    """What a timer calls once it has run (see ``EventLoop.run_until``)."""


def _before(a: Timer, b: Timer) -> bool:
    """``a`` runs before ``b``: by time, then by scheduling order."""
    return a.when < b.when or (a.when == b.when and a.seq < b.seq)


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

    @property
    def done(self) -> bool:
        """Fired or cancelled: cancelling it again does nothing, so its owner may forget it."""
        return self.cancelled or self.callback is _fired


class EventLoop:
    """Runs callbacks at simulated instants, in a total order.

    Foreground and background timers live in two heaps of ``(when, seq, timer)`` entries (plain
    tuple comparisons) so that ``settle`` can see the next foreground event in O(1); popping
    merges the heads by (time, sequence). Work for the current instant (``call_soon``, most of
    the traffic) goes to a FIFO instead of a heap: its entries are due now and were scheduled
    after everything else, so they only compete with heap entries due at this same instant.
    """

    def __init__(self, clock: SimClock | None = None, *, max_events_per_instant: int = 5_000_000) -> None:
        self.clock = clock or SimClock()
        self._fg: list[tuple[float, int, Timer]] = []
        self._bg: list[tuple[float, int, Timer]] = []
        self._ready: deque[Timer] = deque()  # foreground, due at the clock's current instant, seq order
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
        if when <= now and not background:
            return self.call_soon(callback, *args)
        when = max(when, now)
        self._seq += 1
        t = Timer(when, self._seq, callback, args, background)
        heapq.heappush(self._bg if background else self._fg, (when, t.seq, t))
        return t

    def call_later(
        self, delay_s: float, callback: Callable[..., Any], *args: Any, background: bool = False
    ) -> Timer:
        return self.call_at(self.clock.now() + max(0.0, delay_s), callback, *args, background=background)

    def call_soon(self, callback: Callable[..., Any], *args: Any) -> Timer:
        """Runnable work at the current instant, after what is already runnable."""
        self._seq += 1
        t = Timer(self.clock.now(), self._seq, callback, args, False)
        self._ready.append(t)
        return t

    # -- running --------------------------------------------------------------------------
    @staticmethod
    def _head(heap: list[tuple[float, int, Timer]]) -> Timer | None:
        while heap and heap[0][2].cancelled:
            heapq.heappop(heap)
        return heap[0][2] if heap else None

    def _ready_head(self) -> Timer | None:
        ready = self._ready
        while ready and ready[0].cancelled:
            ready.popleft()
        return ready[0] if ready else None

    def _pop_next(self, deadline_s: float) -> Timer | None:
        """Remove and return the next event due at or before ``deadline_s``, if any."""
        r = self._ready_head()
        f = self._head(self._fg)
        b = self._head(self._bg)
        best = r
        if f is not None and (best is None or _before(f, best)):
            best = f
        if b is not None and (best is None or _before(b, best)):
            best = b
        if best is None or best.when > deadline_s:
            return None
        if best is r:
            self._ready.popleft()
        else:
            heapq.heappop(self._fg if best is f else self._bg)
        return best

    def run_until(self, deadline_s: float, max_events: int = -1) -> bool:
        """Run every event due at or before ``deadline_s``, then leave the clock there.

        ``max_events`` (when not negative) bounds the work: after that many events the run
        stops with the clock at the last event run, and returns False (more is due by the
        deadline); True when everything due has run. ``kconform serve`` runs the simulation in
        such slices so that requests are answered between them.
        """
        same_instant = 0
        last = self.clock.now()
        clock = self.clock
        ready = self._ready
        fg = self._fg
        bg = self._bg
        budget = max_events
        while True:
            if budget == 0:
                return self._pop_next_peek(deadline_s)
            if ready and not ready[0].cancelled and last <= deadline_s and (not fg or fg[0][0] > last) and (not bg or bg[0][0] > last):
                # fast path: the FIFO's head is due now and no timer shares this instant
                t = ready.popleft()
            else:
                nxt = self._pop_next(deadline_s)
                if nxt is None:
                    break
                t = nxt
            if t.when == last:
                same_instant += 1
                if same_instant > self._max_per_instant:
                    raise RuntimeError(f"livelock: more than {self._max_per_instant} events at t={last}")
            else:
                same_instant, last = 0, t.when
                clock.set(t.when)
            self.events_run += 1
            callback, args = t.callback, t.args
            # a fired timer may stay referenced (an owner's list, for cancelling): it keeps
            # nothing else alive
            t.callback, t.args = _fired, ()
            budget -= 1
            callback(*args)
        if deadline_s > clock.now():
            clock.set(deadline_s)
        return True

    def _pop_next_peek(self, deadline_s: float) -> bool:
        """``run_until``'s answer when its budget ran out: True if nothing more is due by the
        deadline after all (the clock then moves to it, as a finished run leaves it)."""
        r = self._ready_head()
        f = self._head(self._fg)
        b = self._head(self._bg)
        due = any(t is not None and t.when <= deadline_s for t in (r, f, b))
        if not due and deadline_s > self.clock.now():
            self.clock.set(deadline_s)
        return not due

    def run_ready(self, max_events: int = -1) -> bool:
        """Run what is runnable now without moving the clock (``max_events``: as ``run_until``)."""
        return self.run_until(self.clock.now(), max_events)

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``, running everything due on the way."""
        if not seconds >= 0:
            raise TimeWentBackwards(f"time can't go backwards: advance({seconds})")
        self.run_until(self.clock.now() + seconds)

    def next_foreground_time(self) -> float | None:
        """When the next non-background event is due, or None when there is none."""
        if self._ready_head() is not None:
            return self.clock.now()
        t = self._head(self._fg)
        return None if t is None else t.when

    def has_foreground_work(self) -> bool:
        return self._ready_head() is not None or self._head(self._fg) is not None

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
        return (
            sum(1 for t in self._ready if not t.cancelled)
            + sum(1 for e in self._fg if not e[2].cancelled)
            + sum(1 for e in self._bg if not e[2].cancelled)
        )
