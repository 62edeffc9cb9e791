"""Node loss, end to end: 3 nodes, a 10-replica Deployment, kill one node with default timings.

Prints the wall time and the simulated time until all 10 replicas are Ready on live nodes.
The same scenario takes about 6 minutes on a real cluster (50 s node-monitor grace period, then
300 s default tolerationSeconds, then rescheduling). Run: ``python benchmarks/node_loss.py``
(``--compiled`` for the mypyc-compiled build).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runnable from a bare checkout too

from kconform.compiled import from_argv

BUILD = from_argv(sys.argv)  # ``--compiled``: before anything imports reference_impl

from reference_impl.cluster import ReferenceCluster  # noqa: E402

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default"},
    "spec": {
        "replicas": 10,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "registry.k8s.io/pause:3.10"}]},
        },
    },
}


def ready_on_live_nodes(cluster: ReferenceCluster, dead: str) -> int:
    n = 0
    for kubelet_node, agents in cluster.nodes.items():
        if kubelet_node == dead:
            continue
        for w in agents.kubelet.workers.values():
            if w.pod["metadata"].get("deletionTimestamp"):
                continue
            if w.containers and all(c.ready for c in w.containers):
                n += 1
    return n


def run_once(seed: int) -> tuple[float, float, float]:
    cluster = ReferenceCluster(3, seed=seed)
    cluster.api.create("deployments", DEPLOYMENT, "default")
    cluster.advance(30)  # everything Running and Ready before the fault
    victim = "node-2"
    t_wall = time.perf_counter()
    t_sim = cluster.now()
    cluster.kill_node(victim)
    # step through simulated time; the check reads the kubelets' view (no API listing per step)
    while ready_on_live_nodes(cluster, victim) < 10 or _api_ready(cluster, victim) < 10:
        cluster.advance(5)
        if cluster.now() - t_sim > 3600:
            raise SystemExit("did not heal within an hour of simulated time")
    wall_ms = (time.perf_counter() - t_wall) * 1000
    sim_s = cluster.now() - t_sim
    return wall_ms, sim_s, float(cluster.loop.events_run)


def _api_ready(cluster: ReferenceCluster, dead: str) -> int:
    pods = cluster.api.list("pods", "default", label_selector="app=web")["items"]
    return sum(
        1
        for p in pods
        if p["spec"].get("nodeName") not in (None, dead)
        and not p["metadata"].get("deletionTimestamp")
        and any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions") or [])
    )


def main() -> None:
    runs = [run_once(seed) for seed in range(5)]
    walls = [r[0] for r in runs]
    print("node loss: 3 nodes, 10-replica Deployment, kill node-2, default timings")
    print(f"  reference_impl: {BUILD}")
    print(f"  simulated time to heal: {runs[0][1]:.0f} s (real cluster: about 6 minutes)")
    print(f"  wall time: median {statistics.median(walls):.1f} ms, min {min(walls):.1f} ms, max {max(walls):.1f} ms")
    print(f"  events run per scenario: {int(runs[0][2])}")


if __name__ == "__main__":
    main()
