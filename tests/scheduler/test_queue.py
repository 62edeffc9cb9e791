"""The scheduling queue: priority order, backoff doubling to the cap, event-driven moves."""

from __future__ import annotations

import pytest

from reference_impl.scheduler.queue import SchedulingQueue
from reference_impl.scheduler.types import PodInfo
from reference_impl.sim import EventLoop

from .helpers import pod


def make(loop: EventLoop) -> SchedulingQueue:
    return SchedulingQueue(loop, initial_backoff_s=1.0, max_backoff_s=10.0, max_in_unschedulable_s=300.0,
                           on_active=lambda: None)


@pytest.mark.parametrize(("attempts", "want_s"), [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 10.0), (9, 10.0)])
def test_backoff_duration(attempts: int, want_s: float) -> None:
    assert make(EventLoop()).backoff_duration(attempts) == want_s


def test_priority_then_fifo() -> None:
    q = make(EventLoop())
    for name, prio in (("low1", 0), ("high", 10), ("low2", 0)):
        q.add(PodInfo(pod(name, priority=prio)))
    popped = [q.pop() for _ in range(3)]
    assert [p.pod.name for p in popped if p] == ["high", "low1", "low2"]
    assert q.pop() is None


def test_unschedulable_moves_only_on_relevant_event_and_waits_out_backoff() -> None:
    loop = EventLoop()
    q = make(loop)
    q.add(PodInfo(pod("p")))
    qpi = q.pop()
    assert qpi is not None
    q.add_unschedulable(qpi, frozenset({"NodeResourcesFit"}))
    assert q.move_for_event(lambda x: False) == 0
    assert q.move_for_event(lambda x: "NodeResourcesFit" in x.unschedulable_plugins) == 1
    assert q.pop() is None  # still backing off (1 s after its first attempt)
    loop.advance(1.0)
    again = q.pop()
    assert again is not None and again.attempts == 2
