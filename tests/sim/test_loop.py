"""The simulated clock, event loop and seeded RNG (``reference_impl/sim``)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference_impl.sim import EventLoop, SeededRandom, SimClock, TimeWentBackwards
from reference_impl.sim.clock import parse_rfc3339

FAST = settings(max_examples=60, deadline=None, derandomize=True)


# -- clock -------------------------------------------------------------------------------
def test_clock_moves_forward_and_may_stay() -> None:
    c = SimClock(5.0)
    c.set(5.0)
    c.set(7.5)
    assert c.now() == 7.5


def test_clock_refuses_to_go_back() -> None:
    c = SimClock(10.0)
    with pytest.raises(TimeWentBackwards):
        c.set(9.999)
    assert c.now() == 10.0


def test_rfc3339_round_trip() -> None:
    c = SimClock(3661.25)
    assert c.rfc3339() == "2026-01-01T01:01:01Z"
    assert c.rfc3339_micro() == "2026-01-01T01:01:01.250000Z"
    assert parse_rfc3339(c.rfc3339()) == 3661.0
    assert parse_rfc3339(c.rfc3339_micro()) == 3661.25


def test_clock_rejects_nan() -> None:
    c = SimClock(10.0)
    with pytest.raises((TimeWentBackwards, ValueError)):
        c.set(math.nan)
    c.set(11.0)  # pragma: no cover - only reached when NaN is refused
    with pytest.raises(TimeWentBackwards):
        c.set(-5.0)


def test_advance_negative_is_time_went_backwards() -> None:
    loop = EventLoop()
    with pytest.raises(TimeWentBackwards):
        loop.advance(-1)


@FAST
@given(st.lists(st.floats(min_value=-100, max_value=100, allow_nan=False), max_size=20))
def test_clock_never_goes_backwards(targets: list[float]) -> None:
    c = SimClock()
    for t in targets:
        before = c.now()
        try:
            c.set(t)
        except TimeWentBackwards:
            assert t < before
            assert c.now() == before
        else:
            assert c.now() == t >= before


# -- event loop --------------------------------------------------------------------------
@FAST
@given(
    st.lists(
        st.tuples(st.floats(min_value=0, max_value=50, allow_nan=False), st.booleans()), min_size=1, max_size=40
    )
)
def test_events_run_in_time_then_seq_order(specs: list[tuple[float, bool]]) -> None:
    loop = EventLoop()
    ran: list[tuple[float, int, float]] = []
    for i, (when, bg) in enumerate(specs):
        loop.call_at(when, lambda i=i, w=when: ran.append((w, i, loop.now())), background=bg)
    loop.advance(100)
    assert [(w, i) for w, i, _ in ran] == sorted((w, i) for i, (w, _) in enumerate(specs))
    assert all(now == w for w, _, now in ran)  # each callback sees its own instant
    times = [now for _, _, now in ran]
    assert times == sorted(times)
    assert loop.now() == 100


def test_call_soon_runs_after_already_runnable_work_at_same_instant() -> None:
    loop = EventLoop()
    order: list[str] = []

    def first() -> None:
        order.append("first")
        loop.call_soon(lambda: order.append("soon-from-first"))

    loop.call_soon(first)
    loop.call_soon(lambda: order.append("second"))
    loop.run_ready()
    assert order == ["first", "second", "soon-from-first"]
    assert loop.now() == 0


def test_call_at_in_the_past_runs_now_without_moving_time_back() -> None:
    loop = EventLoop()
    loop.advance(10)
    seen: list[float] = []
    loop.call_at(3, lambda: seen.append(loop.now()))
    loop.run_ready()
    assert seen == [10]


def test_cancelled_timers_do_not_run_and_are_not_pending() -> None:
    loop = EventLoop()
    ran: list[int] = []
    t1 = loop.call_later(1, ran.append, 1)
    loop.call_later(2, ran.append, 2)
    t3 = loop.call_later(3, ran.append, 3, background=True)
    assert loop.pending() == 3
    t1.cancel()
    t3.cancel()
    assert loop.pending() == 1
    assert loop.next_foreground_time() == 2
    loop.advance(10)
    assert ran == [2]
    assert loop.pending() == 0


def test_cancel_from_an_earlier_callback() -> None:
    loop = EventLoop()
    ran: list[str] = []
    later = loop.call_later(5, ran.append, "later")
    loop.call_later(1, later.cancel)
    loop.advance(10)
    assert ran == []


def test_advance_runs_due_events_and_stops_at_deadline() -> None:
    loop = EventLoop()
    ran: list[float] = []
    for t in (1, 5, 5.0001, 9):
        loop.call_at(t, lambda: ran.append(loop.now()))
    loop.advance(5)
    assert ran == [1, 5]
    assert loop.now() == 5
    loop.advance(0)
    assert ran == [1, 5]
    loop.advance(4)
    assert ran == [1, 5, 5.0001, 9]
    assert loop.now() == 9


def test_settle_ignores_background_timers() -> None:
    loop = EventLoop()
    ticks: list[float] = []

    def heartbeat() -> None:
        ticks.append(loop.now())
        loop.call_later(10, heartbeat, background=True)

    loop.call_later(10, heartbeat, background=True)
    assert loop.settle(60) is True
    assert ticks == []  # nothing in the foreground: no reason to run the clock
    assert loop.now() == 0


def test_settle_runs_background_timers_that_fall_before_foreground_work() -> None:
    loop = EventLoop()
    ran: list[str] = []

    def heartbeat() -> None:
        ran.append(f"hb@{loop.now():g}")
        loop.call_later(10, heartbeat, background=True)

    loop.call_later(10, heartbeat, background=True)
    loop.call_later(25, ran.append, "work")
    assert loop.settle(60) is True
    assert ran == ["hb@10", "hb@20", "work"]
    assert loop.now() == 25


def test_settle_returns_false_when_foreground_work_lies_beyond_horizon() -> None:
    loop = EventLoop()
    ran: list[str] = []
    loop.call_later(5, ran.append, "near")
    loop.call_later(100, ran.append, "far")
    assert loop.settle(60) is False
    assert ran == ["near"]
    assert loop.now() == 5
    assert loop.has_foreground_work()
    assert loop.settle(200) is True
    assert ran == ["near", "far"]


def test_settle_follows_chains_of_foreground_work() -> None:
    loop = EventLoop()
    count = [0]

    def step() -> None:
        count[0] += 1
        if count[0] < 5:
            loop.call_later(10, step)

    loop.call_soon(step)
    # the horizon is measured from when settle was called, not from each event
    assert loop.settle(15) is False
    assert count[0] == 2 and loop.now() == 10
    assert loop.settle(100) is True
    assert count[0] == 5
    assert loop.now() == 40


def test_livelock_at_one_instant_is_detected() -> None:
    loop = EventLoop(max_events_per_instant=100)

    def spin() -> None:
        loop.call_soon(spin)

    loop.call_soon(spin)
    with pytest.raises(RuntimeError, match="livelock"):
        loop.run_ready()


# -- rng ---------------------------------------------------------------------------------
def _draw(r: SeededRandom) -> list[object]:
    xs = list(range(10))
    r.shuffle(xs)
    return [r.random(), r.randint(0, 1000), r.uniform(1, 2), r.choice("abcdef"), r.string(8), r.uuid(), xs]


@FAST
@given(st.one_of(st.integers(), st.text(max_size=10)))
def test_same_seed_same_stream(seed: int | str) -> None:
    assert _draw(SeededRandom(seed)) == _draw(SeededRandom(seed))


def test_different_seeds_differ() -> None:
    assert _draw(SeededRandom(1)) != _draw(SeededRandom(2))


def test_fork_is_independent_of_parent_consumption_and_of_siblings() -> None:
    a, b = SeededRandom(7), SeededRandom(7)
    for _ in range(100):
        a.random()  # consuming the parent does not shift a fork
    assert _draw(a.fork("scheduler")) == _draw(b.fork("scheduler"))
    # drawing from one fork does not shift another
    p = SeededRandom(7)
    f1, f2 = p.fork("x"), p.fork("y")
    ref = _draw(SeededRandom(7).fork("y"))
    _draw(f1)
    assert _draw(f2) == ref
    assert _draw(SeededRandom(7).fork("x")) != ref
    # forking does not consume the parent either
    q, r = SeededRandom(9), SeededRandom(9)
    q.fork("z")
    assert q.random() == r.random()


def test_string_alphabet_and_uuid_shape() -> None:
    r = SeededRandom(3)
    s = r.string(200)
    assert len(s) == 200 and set(s) <= set("bcdfghjklmnpqrstvwxz2456789")
    u = r.uuid()
    parts = u.split("-")
    assert [len(p) for p in parts] == [8, 4, 4, 4, 12]
    assert parts[2][0] == "4" and parts[3][0] in "89ab"
