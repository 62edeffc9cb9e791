"""The score index picks exactly what a pass over the window picks.

``ScoreIndex`` against a brute-force scan under random totals, changes and windows (Hypothesis),
and whole runs with the index on and off writing the same history: the same ties, in the same
order, and the same random draw among them.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference_impl.cluster import ReferenceCluster
from reference_impl.config import ClusterConfig
from reference_impl.scheduler.score_index import ScoreIndex
from reference_impl.scheduler.types import ChangeLog, NodeInfo
from tests.scenarios import replicaset


class _Scores:
    """Totals by node name, as a scorer sees them (the nodes' 'state')."""

    def __init__(self, totals: list[int]) -> None:
        self.by_name = {f"n{i}": t for i, t in enumerate(totals)}

    def __call__(self, nodes: list[NodeInfo]) -> list[int]:
        return [self.by_name[n.name] for n in nodes]


def _brute(totals: list[int], start: int, length: int) -> list[int]:
    order = [(start + j) % len(totals) for j in range(length)]
    best = max(totals[i] for i in order)
    return [i for i in order if totals[i] == best]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 6), min_size=1, max_size=40),
    st.lists(st.tuples(st.integers(0, 39), st.integers(0, 6)), max_size=30),
    st.lists(st.tuples(st.integers(0, 39), st.integers(1, 40)), min_size=1, max_size=10),
)
def test_index_matches_a_scan_of_the_window(
    initial: list[int], changes: list[tuple[int, int]], windows: list[tuple[int, int]]
) -> None:
    log = ChangeLog()
    nodes = []
    for i in range(len(initial)):
        ni = NodeInfo(f"n{i}")
        ni.log = log
        nodes.append(ni)
    scores = _Scores(initial)
    index = ScoreIndex(nodes, log, scores)
    totals = list(initial)
    for step, (pos, total) in enumerate(changes):
        pos %= len(nodes)
        totals[pos] = total
        scores.by_name[f"n{pos}"] = total
        nodes[pos]._changed()  # what binding a pod there does
        if step % 3 == 0:
            assert index.refresh(log, scores)
            for start, length in windows:
                start %= len(nodes)
                length = min(length, len(nodes))
                ties = _brute(totals, start, length)
                bucket, lo, before_wrap, count = index.best_in_window(start, length)
                assert count == len(ties)
                assert [ScoreIndex.kth(bucket, lo, before_wrap, k) for k in range(count)] == ties


def test_the_log_stays_bounded_and_an_index_behind_a_cut_rebuilds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ChangeLog, "LIMIT", 4)
    log = ChangeLog()
    nodes = [NodeInfo("n0"), NodeInfo("n1")]
    for n in nodes:
        n.log = log
    index = ScoreIndex(nodes, log, _Scores([1, 2]))
    for _ in range(3):
        nodes[0]._changed()
    assert index.refresh(log, _Scores([1, 2]))  # caught up before any cut
    for _ in range(9):
        nodes[1]._changed()
    assert len(log.entries) <= ChangeLog.LIMIT
    assert log.end == 12
    assert not index.refresh(log, _Scores([1, 2]))


def _history(use_index: bool, seed: int) -> str:
    c = ReferenceCluster(220, seed=seed, config=ClusterConfig(node_cpu="4", node_memory="16Gi"))
    c.scheduler.use_score_index = use_index
    c.advance(1)
    shapes = [("100m", "64Mi"), ("300m", "256Mi"), ("1", "1Gi")]
    for i in range(12):
        cpu, mem = shapes[i % len(shapes)]
        rs = replicaset(f"rs{i}", 60, cpu=cpu, memory=mem, ns="default")
        c.api.create("replicasets", rs, "default")
        if i == 4:
            c.api.patch("nodes", c.node_names()[150], {"spec": {"unschedulable": True}}, "merge")
        if i == 7:
            c.kill_node(c.node_names()[9])
        c.advance(0.5)
    c.advance(400)
    assert c.scheduler.bound > 600
    return c.history_digest()


def test_runs_with_and_without_the_index_write_the_same_history() -> None:
    for seed in (1, 2):
        assert _history(True, seed) == _history(False, seed)
