"""Scale: N nodes and M pods through the whole reference control plane.

Creates N nodes (each with its kubelet and kube-proxy) and M pods through ReplicaSets of
``--per-rs`` replicas, then runs simulated time until every pod is Running and Ready. Prints wall
seconds per phase, peak RSS, two throughputs — pods created, scheduled and bound per wall second
of the whole single-threaded control plane, and the scheduler's own (pods bound per wall second
spent in its scheduling cycles, i.e. with a core to itself as a real kube-scheduler has) — and
the API server's request count. Kubernetes' published limits are 5,000 nodes and 150,000 pods:
``python benchmarks/scale.py --nodes 5000 --pods 150000`` (about 3.5 GB of memory); add
``--compiled`` to run the same sources compiled by mypyc (see ``kconform.compiled``).
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runnable from a bare checkout too

from kconform.compiled import from_argv

BUILD = from_argv(sys.argv)  # before anything imports reference_impl

from reference_impl.cluster import ReferenceCluster  # noqa: E402
from reference_impl.config import ClusterConfig  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--nodes", type=int, default=500)
    ap.add_argument("--pods", type=int, default=15000)
    ap.add_argument("--per-rs", type=int, default=1000, help="replicas per ReplicaSet")
    ap.add_argument("--events", action="store_true", help="record Events (the kubelet's and controllers')")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--compiled", action="store_true",
                    help="run the mypyc-compiled build of reference_impl (built on first use, about a minute)")
    ap.add_argument(
        "--default-gc", action="store_true",
        help="keep CPython's cyclic GC on (by default the run turns automatic collection off and freezes the start-up objects, see below)",
    )
    args = ap.parse_args()
    if not args.default_gc:
        # Millions of long-lived dicts (every object in the store's history and the informers'
        # caches) make CPython's generational collector rescan the same survivors over and over:
        # about a third of the wall time at 10,000 pods. The control plane makes no reference
        # cycles (tests/scenarios/test_no_cyclic_garbage.py holds it to that), so reference
        # counting frees everything and the run turns automatic collection off. One full
        # collection at the end checks the claim: its cost and what it found are printed, and
        # it counts in the run's wall time whenever it found garbage.
        gc.disable()

    config = ClusterConfig(
        node_cpu="64",
        node_memory="256Gi",
        max_pods=max(110, 2 * args.pods // args.nodes + 10),
        pod_cidr="10.0.0.0/8",  # room for a /24 per node beyond 256 nodes, as large clusters configure
    )
    t0 = time.perf_counter()
    cluster = ReferenceCluster(args.nodes, seed=1, config=config, record_events=args.events)
    cluster.advance(1)
    t1 = time.perf_counter()
    print(f"reference_impl: {BUILD}"
          + ("" if args.compiled else " (add --compiled for the same sources compiled by mypyc, about 1.8x faster)"))
    print(f"{args.nodes} nodes registered in {t1 - t0:.1f} s wall", flush=True)
    if not args.default_gc:
        gc.freeze()  # the cluster's start-up objects are permanent: keep them out of collections

    prof = None
    if args.profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    remaining = args.pods
    i = 0
    while remaining > 0:
        n = min(args.per_rs, remaining)
        remaining -= n
        cluster.api.create(
            "replicasets",
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": {"name": f"rs{i}", "namespace": "default"},
                "spec": {
                    "replicas": n,
                    "selector": {"matchLabels": {"app": f"rs{i}"}},
                    "template": {
                        "metadata": {"labels": {"app": f"rs{i}"}},
                        "spec": {
                            "containers": [
                                {
                                    "name": "c",
                                    "image": "registry.k8s.io/pause:3.10",
                                    "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                                }
                            ]
                        },
                    },
                },
            },
            "default",
        )
        i += 1
    sched = cluster.scheduler
    # the scheduler's own throughput: pods bound per wall second spent in its scheduling cycles
    # (filter, score, the bind request and its Event, with the API server's share of those
    # writes) — what it would reach with a core to itself, as a real kube-scheduler has
    busy = [0.0]
    run_batch = sched.run_batch

    def timed_batch() -> bool:
        c0 = time.perf_counter()
        try:
            return run_batch()
        finally:
            busy[0] += time.perf_counter() - c0

    sched.run_batch = timed_batch
    t2 = time.perf_counter()
    bound_at: float | None = None
    sim_start = cluster.now()
    while True:
        cluster.advance(1)
        pods = cluster.store.count("/registry/pods/")
        bound = sched.bound if hasattr(sched, "bound") else None
        ready = sum(
            1 for a in cluster.nodes.values() for w in a.kubelet.workers.values() if w.containers and all(c.ready for c in w.containers)
        )
        if bound_at is None and pods >= args.pods and (bound is None or bound >= args.pods):
            bound_at = time.perf_counter()
        if ready >= args.pods:
            break
        if cluster.now() - sim_start > 3600:
            print("did not converge within an hour of simulated time", file=sys.stderr)
            break
    t3 = time.perf_counter()
    gc_s = 0.0
    found = 0
    if not args.default_gc:
        found = gc.collect()
        gc_s = time.perf_counter() - t3
        if found:
            t3 += gc_s  # garbage the run left for a collector: its collection is part of the run
    if prof is not None:
        import pstats

        prof.disable()
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    rss_mb = usage.ru_maxrss / 1024
    print(
        f"{args.pods} pods Running and Ready: {t3 - t2:.1f} s wall"
        + (f" (incl. {gc_s:.1f} s for the final garbage collection)" if found else "")
        + f", {cluster.now() - sim_start:.0f} s simulated"
    )
    if not args.default_gc:
        print(f"  final garbage collection: {found} unreachable objects found in {gc_s:.1f} s"
              + ("" if found else " (no cyclic garbage: not part of the run)"))
    if bound_at is not None:
        print(f"  all pods created and bound after {bound_at - t2:.1f} s wall "
              f"({args.pods / max(bound_at - t2, 1e-9):.0f} pods/s through create + schedule + bind)")
    if sched.bound and busy[0] > 0:
        print(f"  scheduler: {sched.bound} pods bound in {busy[0]:.1f} s of scheduling cycles: {sched.bound / busy[0]:.0f} pods/s")
    print(f"total wall: {t3 - t0:.1f} s; peak RSS: {rss_mb:.0f} MiB; API requests: {cluster.api.requests}; "
          f"events run: {cluster.loop.events_run}; CPU: {usage.ru_utime:.1f} s user, {usage.ru_stime:.1f} s system")


if __name__ == "__main__":
    main()
