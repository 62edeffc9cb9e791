"""Shrinking a recorded failing program further, by replaying it.

Hypothesis shrinks a failing program for at most five minutes (the planted-bug self-test gives
it one), and a program whose steps are slow to run can come out of that with many steps that
have nothing to do with the failure. ``minimize`` goes on from the replay file:
delta debugging over the steps (drop halves, then quarters, ... then single steps; keep every
removal after which the replay still fails), each candidate replayed on a fresh cluster of
the program's backend, seed and node count. The reference cluster replays exactly, so the
result is a program that fails every time it is replayed.

A candidate counts as failing only when it breaks one of the invariants the original broke
(or repeats a recorded refusal), so that the search cannot drift to a different bug; one that
cannot run at all (it faults a node whose AddNode step was removed) does not count.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from kconform.backends.base import Cluster
from kconform.errors import InvalidArgument
from kconform.program import Program, Step
from kconform.replay import run_program

_INVARIANT = re.compile(r"\[([a-z0-9][a-z0-9.\-]*)\]")


def failure_kinds(problems: list[str]) -> frozenset[str]:
    """What a replay's problems are about: the invariant ids they name (``safety.node-overcommit``),
    or the problem text itself for the few that name none (a refused apply)."""
    kinds: set[str] = set()
    for p in problems:
        ids = _INVARIANT.findall(p)
        kinds.update(ids if ids else [re.sub(r"^(after )?step \d+ ?", "", p)])
    return frozenset(kinds)


@dataclass
class Minimized:
    """The outcome: the shorter program, what it still breaks, and how many replays it took."""

    program: Program
    kinds: frozenset[str]
    replays: int
    exhausted: bool  # the replay budget ran out before no single step could be dropped


def minimize(
    program: Program,
    make_cluster: Callable[[], Cluster],
    *,
    max_replays: int = 400,
    on_progress: Callable[[int, int], None] | None = None,
) -> Minimized | None:
    """The smallest sub-program found that still fails as ``program`` does; None when
    ``program`` itself does not fail on a fresh cluster."""
    replays = 0

    def problems_of(steps: list[Step]) -> list[str]:
        nonlocal replays
        replays += 1
        cluster = make_cluster()
        try:
            return run_program(cluster, replace(program, steps=steps))
        finally:
            cluster.close()

    wanted = failure_kinds(problems_of(list(program.steps)))
    if not wanted:
        return None

    def fails(steps: list[Step]) -> bool:
        try:
            return bool(failure_kinds(problems_of(steps)) & wanted)
        except InvalidArgument:
            return False  # a step names what a removed one made (a node it added): not a program

    steps = list(program.steps)
    parts = 2
    exhausted = False
    while len(steps) >= 2:
        size = -(-len(steps) // parts)  # ceil
        for start in range(0, len(steps), size):
            if replays >= max_replays:
                exhausted = True
                break
            candidate = steps[:start] + steps[start + size :]
            if candidate and fails(candidate):
                steps = candidate
                parts = max(parts - 1, 2)
                if on_progress is not None:
                    on_progress(len(steps), replays)
                break
        else:
            if parts >= len(steps):
                break  # no single step can go
            parts = min(len(steps), parts * 2)
            continue
        if exhausted:
            break
    kinds = failure_kinds(problems_of(steps)) & wanted
    return Minimized(replace(program, steps=steps), kinds, replays, exhausted)
