"""The memoised node-local score totals of one pod shape, bucketed so a window's best is a lookup.

kube-scheduler scores every feasible node of a cycle (``percentageOfNodesToScore`` of them: 500
at 5,000 nodes) and picks the best, ties broken at random. When the only scores that vary come
from node-local plugins (``score_key``: NodeResourcesFit, NodeResourcesBalancedAllocation), a
node's weighted total depends on nothing but the node and the pod's shape, so it is kept per
shape, and recomputed only for nodes that changed since (the cache logs every ``NodeInfo``
change). Totals are bucketed by value, each bucket a sorted list of positions in the cache's
node list: the best total present in a window of consecutive positions, how many nodes in the
window have it, and the k-th of them in window order are found by bisection, instead of four
passes over the window's nodes per pod.

The pick is the framework's, exactly: the same nodes tie, in the same order, and the same
random draw picks among them, so a run with the index writes the same history as one without.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable

from reference_impl.scheduler.types import ChangeLog, NodeInfo

Scorer = Callable[[list[NodeInfo]], list[int]]  # weighted totals of the shape's plugins, per node


class ScoreIndex:
    """Totals of one pod shape over one node list (see the module docstring)."""

    def __init__(self, nodes: list[NodeInfo], log: ChangeLog, scorer: Scorer) -> None:
        self.nodes = nodes
        self.position = {n.name: i for i, n in enumerate(nodes)}
        self.cursor = log.end
        self.generations = [n.generation for n in nodes]
        self.totals = scorer(nodes)
        self.buckets: dict[int, list[int]] = {}
        for i, t in enumerate(self.totals):
            self.buckets.setdefault(t, []).append(i)  # positions ascend: each bucket is sorted
        self.values = sorted(self.buckets)  # distinct totals, ascending

    def refresh(self, log: ChangeLog, scorer: Scorer) -> bool:
        """Catch up with the nodes that changed; False when the log no longer reaches back."""
        changed = log.since(self.cursor)
        if changed is None:
            return False
        self.cursor = log.end
        if not changed:
            return True
        stale: dict[int, NodeInfo] = {}
        for n in changed:
            i = self.position.get(n.name)
            if i is not None and self.nodes[i] is n and self.generations[i] != n.generation:
                stale[i] = n
        if stale:
            positions = sorted(stale)
            fresh = scorer([stale[i] for i in positions])
            for i, t in zip(positions, fresh):
                self.generations[i] = stale[i].generation
                old = self.totals[i]
                if t == old:
                    continue
                bucket = self.buckets[old]
                del bucket[bisect_left(bucket, i)]
                if not bucket:
                    del self.buckets[old]
                    del self.values[bisect_left(self.values, old)]
                self.totals[i] = t
                into = self.buckets.get(t)
                if into is None:
                    self.buckets[t] = [i]
                    insort(self.values, t)
                else:
                    insort(into, i)
        return True

    def best_in_window(self, start: int, length: int) -> tuple[list[int], int, int, int]:
        """The best total's bucket in the window of ``length`` positions from ``start`` (wrapping).

        Returns ``(bucket, lo, count_before_wrap, count)``: the window's ties are
        ``bucket[lo : lo + count_before_wrap]`` followed by ``bucket[: count - count_before_wrap]``.
        """
        n = len(self.nodes)
        end = start + length
        wrap = end - n if end > n else 0
        stop = end if end <= n else n
        for t in reversed(self.values):
            bucket = self.buckets[t]
            lo = bisect_left(bucket, start)
            c1 = bisect_left(bucket, stop, lo) - lo
            c2 = bisect_left(bucket, wrap) if wrap else 0
            if c1 or c2:
                return bucket, lo, c1, c1 + c2
        raise ValueError("an empty window")  # unreachable: length >= 1

    @staticmethod
    def kth(bucket: list[int], lo: int, c1: int, k: int) -> int:
        """The position of the ``k``-th tie, in window order."""
        return bucket[lo + k] if k < c1 else bucket[k - c1]
