"""The control plane makes no reference cycles on its steady path: reference counting frees it all.

``benchmarks/scale.py`` turns CPython's cyclic collector off (rescanning millions of long-lived
objects would cost a third of its time) and relies on this: a run that leaves cyclic garbage
would grow without bound. Both builds are held to it (``tests/compiled`` runs the same check
on the mypyc build, where a nested function is a cycle with its environment).
"""

from __future__ import annotations

import collections
import gc

from reference_impl.cluster import ReferenceCluster
from reference_impl.config import ClusterConfig
from tests.scenarios import replicaset


def cyclic_garbage_of_a_scale_run(nodes: int = 20, pods: int = 300) -> dict[str, int]:
    """Run the scale benchmark's scenario with the collector off; the garbage it left, by type."""
    config = ClusterConfig(node_cpu="64", node_memory="256Gi", pod_cidr="10.0.0.0/8")
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        c = ReferenceCluster(nodes, seed=1, config=config)
        c.advance(1)
        for i in range(pods // 100):
            rs = replicaset(f"rs{i}", 100, cpu="10m", memory="16Mi", ns="default")
            c.api.create("replicasets", rs, "default")
        assert c.run_until(
            lambda: sum(len(a.kubelet.workers) for a in c.nodes.values()) >= pods, timeout_s=60
        )
        c.advance(5)
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        found = collections.Counter(type(o).__qualname__ for o in gc.garbage)
        return dict(found.most_common(10))
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()


def test_a_scale_run_leaves_no_cyclic_garbage() -> None:
    assert cyclic_garbage_of_a_scale_run() == {}
