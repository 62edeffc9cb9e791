"""Scheduler throughput: N nodes, M small pods, no affinity; prints pods/s (wall clock).

Usage: ``python3 benchmarks/scheduler_throughput.py [nodes] [pods] [--profile] [--compiled]``. Nodes and
pods are created while the scheduler is stopped, then the scheduler starts and the loop
settles; the figure covers the initial list, every cycle, bind, Scheduled event and the watch
events that confirm the binds.
"""

from __future__ import annotations

import cProfile
import gc
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runnable from a bare checkout too

from kconform.compiled import from_argv

BUILD = from_argv(sys.argv)  # ``--compiled``: before anything imports reference_impl

from reference_impl.scheduler import Scheduler  # noqa: E402
from tests.simenv import SimEnv  # noqa: E402


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    nodes = int(args[0]) if args else 5000
    pods = int(args[1]) if len(args) > 1 else 20000
    gc.disable()  # as benchmarks/scale.py: no rescans of millions of long-lived objects mid-run
    env = SimEnv(seed=7)
    zones = env.config.zones
    t0 = time.perf_counter()
    for i in range(nodes):
        env.node(f"node-{i:05d}", cpu="32", memory="128Gi", labels={"topology.kubernetes.io/zone": zones[i % len(zones)]})
    for i in range(pods):
        env.pod(f"pod-{i:06d}", cpu="100m", memory="128Mi")
    env.settle()
    t1 = time.perf_counter()
    gc.collect()
    gc.freeze()
    sched = Scheduler(env.api, env.loop, env.rng, env.config)
    prof = cProfile.Profile() if "--profile" in sys.argv else None
    t2 = time.perf_counter()
    if prof:
        prof.enable()
    sched.start()
    env.settle()
    if prof:
        prof.disable()
    t3 = time.perf_counter()
    bound = sum(1 for p in env.api.list("pods", "default")["items"] if p["spec"].get("nodeName"))
    print(f"reference_impl: {BUILD}")
    print(f"setup: {nodes} nodes, {pods} pods in {t1 - t0:.1f} s")
    print(f"scheduled {bound}/{pods} pods in {t3 - t2:.2f} s wall: {bound / (t3 - t2):.0f} pods/s")
    if prof:
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
