"""A simulated clock that only moves forward.

The real control plane reads ``time.Now()`` everywhere; here every component is handed this
clock instead, so timings (heartbeats, grace periods, back-offs) are exact and replayable.
Like trio's ``MockClock``, moving it backwards is a programming error.
"""

from __future__ import annotations

import datetime as _dt

# Simulated time starts at a fixed, recognisable instant so timestamps in objects are stable.
EPOCH = _dt.datetime(2026, 1, 1, tzinfo=_dt.UTC)


class TimeWentBackwards(ValueError):
    """Raised when someone asks the clock to go back in time."""


class SimClock:
    """Seconds since :data:`EPOCH` as a float; advanced only by the event loop."""

    __slots__ = ("_now", "_stamps")

    def __init__(self, start_s: float = 0.0) -> None:
        self._now = float(start_s)
        # whole seconds already formatted: most writes stamp "now" or a recent instant (a pod's
        # start time, a condition's transition), so a small memo saves most strftime calls
        self._stamps: dict[int, str] = {}

    def now(self) -> float:
        """Current simulated time in seconds since the epoch of the simulation."""
        return self._now

    def set(self, t_s: float) -> None:
        """Move the clock to ``t_s``; it may stay where it is but never go back."""
        if not t_s >= self._now:  # also refuses NaN, which compares false with everything
            raise TimeWentBackwards(f"time can't go backwards: {t_s} < {self._now}")
        self._now = t_s

    def rfc3339(self, t_s: float | None = None) -> str:
        """Kubernetes' ``metav1.Time`` wire format (second precision, ``Z`` suffix)."""
        sec = int(self._now if t_s is None else t_s)
        text = self._stamps.get(sec)
        if text is None:
            if len(self._stamps) >= 256:
                self._stamps.clear()
            text = self._stamps[sec] = (EPOCH + _dt.timedelta(seconds=sec)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return text

    def rfc3339_micro(self, t_s: float | None = None) -> str:
        """``metav1.MicroTime`` wire format, used by Leases and Events."""
        t = self._now if t_s is None else t_s
        return (EPOCH + _dt.timedelta(seconds=t)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_rfc3339(value: str) -> float:
    """Inverse of :meth:`SimClock.rfc3339` (and the micro variant): seconds since EPOCH."""
    text = value.replace("Z", "+00:00")
    return (_dt.datetime.fromisoformat(text) - EPOCH).total_seconds()
