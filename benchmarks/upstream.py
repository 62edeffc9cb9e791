"""The real control plane against the reference: start-up, memory, node loss, API throughput.

Prints, for the pinned Kubernetes release built by ``kconform upstream build``:

* start-up: seconds from nothing to the API server ready and every kwok node Ready;
* memory: resident MiB of each component once 10 pods run;
* node loss: 3 nodes, a 10-replica Deployment, one node killed, until 10 replicas are Ready on
  live nodes — wall seconds on the real control plane, and wall (and simulated) seconds on the
  reference with the same timing profile, with their ratio;
* API throughput: GET of one ConfigMap and create (POST) of ConfigMaps per second, from the same
  load generator (threads of keep-alive connections), against kube-apiserver (TLS, client
  certificate) and ``kconform serve`` (plain HTTP) in one run.

    python benchmarks/upstream.py [--timings fast|default] [--seconds 3] [--threads 8] [--skip-node-loss]

With ``--timings default`` the node-loss run takes about six minutes on the real control plane
(50 s grace period, 300 s toleration), as on any real cluster.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # runnable from a bare checkout too

from kconform import faults as F
from kconform.backends.kube import is_ready
from kconform.timings import timings
from kconform.upstream.cluster import FaultServer, UpstreamCluster, write_private

REPLICAS = 10


def deployment() -> dict[str, Any]:
    labels = {"app": "web"}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": REPLICAS, "selector": {"matchLabels": labels}, "template": {
            "metadata": {"labels": labels},
            "spec": {"containers": [{"name": "web", "image": "registry.k8s.io/pause:3.10"}]},
        }},
    }


def ready_on_live(snap: Any, dead: str) -> int:
    return sum(
        1 for p in snap.of("pods")
        if is_ready(p) and p["spec"].get("nodeName") != dead and not p["metadata"].get("deletionTimestamp")
    )


def node_loss(cluster: Any, *, timeout_s: float) -> tuple[float, float]:
    """(seconds by the cluster's clock, wall seconds) from the kill until 10 Ready on live nodes."""
    cluster.apply(deployment())
    assert cluster.wait_until(lambda s: ready_on_live(s, "") == REPLICAS, timeout_s=120), "never 10 Ready"
    victim = next(p["spec"]["nodeName"] for p in cluster.snapshot().of("pods") if is_ready(p))
    clock0, wall0 = cluster.snapshot().time_s, time.perf_counter()
    cluster.inject(F.KillNode(node=victim))
    snap = cluster.wait_until(lambda s: ready_on_live(s, victim) == REPLICAS, timeout_s=timeout_s)
    assert snap is not None, "the replicas never came back on live nodes"
    return snap.time_s - clock0, time.perf_counter() - wall0


def load(
    connect: Callable[[], http.client.HTTPConnection], *, threads: int, seconds: float,
    make: Callable[[int, int], tuple[str, str, bytes | None]],
) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, non-2xx) of ``threads`` keep-alive connections for ``seconds``."""
    lat: list[list[float]] = [[] for _ in range(threads)]
    errors = [0]
    stop = time.perf_counter() + seconds

    def worker(t: int) -> None:
        conn = connect()
        i = 0
        while time.perf_counter() < stop:
            method, path, body = make(t, i)
            t0 = time.perf_counter()
            conn.request(method, path, body=body, headers={"Content-Type": "application/json", "Accept": "application/json"})
            r = conn.getresponse()
            r.read()
            lat[t].append(time.perf_counter() - t0)
            if r.status >= 300:
                errors[0] += 1
            i += 1
        conn.close()

    ths = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    allp = sorted(x for lst in lat for x in lst)
    return len(allp) / seconds, statistics.median(allp) * 1000, allp[int(len(allp) * 0.99)] * 1000, errors[0]


def throughput(label: str, connect: Callable[[], http.client.HTTPConnection], ns: str, args: argparse.Namespace) -> None:
    conn = connect()
    body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "seed"}, "data": {"k": "v" * 100}})
    conn.request("POST", f"/api/v1/namespaces/{ns}/configmaps", body=body, headers={"Content-Type": "application/json"})
    conn.getresponse().read()
    conn.close()
    run = f"{int(time.time() * 1000) % 100000}"
    cases: dict[str, Callable[[int, int], tuple[str, str, bytes | None]]] = {
        "GET configmap": lambda t, i: ("GET", f"/api/v1/namespaces/{ns}/configmaps/seed", None),
        "POST configmap": lambda t, i: ("POST", f"/api/v1/namespaces/{ns}/configmaps", json.dumps(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"b-{run}-{t}-{i}"}, "data": {"k": "v"}}
        ).encode()),
    }
    for name, make in cases.items():
        rps, p50, p99, errors = load(connect, threads=args.threads, seconds=args.seconds, make=make)
        note = f" ({errors} non-2xx)" if errors else ""
        print(f"  {label:18s} {name:15s} {rps:8.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:7.2f} ms{note}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--timings", default="fast", choices=["fast", "default"])
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--skip-node-loss", action="store_true")
    args = ap.parse_args()
    timing = timings(args.timings)

    from kconform.backends.reference import ReferenceBackend
    from kconform.backends.upstream import UpstreamBackend

    t0 = time.perf_counter()
    cluster = UpstreamCluster(nodes=3, timing=timing).start()
    print(f"start-up to every node Ready: {time.perf_counter() - t0:.1f} s ({args.timings} timings)", flush=True)
    faults = FaultServer(cluster).start()
    assert cluster.workdir is not None
    kubeconfig = cluster.workdir / "admin.kubeconfig"
    write_private(kubeconfig, cluster.kubeconfig(extension=faults.extension()))
    try:
        if not args.skip_node_loss:
            up = UpstreamBackend(kubeconfig=str(kubeconfig), poll_interval_s=0.5)
            try:
                _, up_wall = node_loss(up, timeout_s=timing.settle_bound_s() + timing.default_toleration_seconds + 120)
                print("memory with 10 pods (MiB RSS): " + ", ".join(
                    f"{k} {v:.0f}" for k, v in sorted(cluster.memory_mb().items())), flush=True)
            finally:
                up.close()
            ref = ReferenceBackend(nodes=3, timings=args.timings)
            ref_clock, ref_wall = node_loss(ref, timeout_s=3600)
            print(f"node loss ({args.timings} timings): upstream {up_wall:.1f} s wall; reference {ref_wall * 1000:.1f} ms "
                  f"wall ({ref_clock:.1f} s simulated): reference {up_wall / ref_wall:,.0f}x faster", flush=True)
        else:
            print("memory (MiB RSS): " + ", ".join(f"{k} {v:.0f}" for k, v in sorted(cluster.memory_mb().items())))

        ctx = ssl.create_default_context(cafile=str(cluster.pki.ca_cert))
        ctx.load_cert_chain(str(cluster.pki.client_cert("admin")), str(cluster.pki.client_key("admin")))
        port = cluster.apiserver_port
        print(f"API throughput, loopback, {args.threads} keep-alive connections, {args.seconds:.0f} s per case:")
        throughput("kube-apiserver", lambda: http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30),
                   "default", args)
        with tempfile.TemporaryDirectory() as tmp:
            kc = Path(tmp) / "serve.kubeconfig"
            serve = subprocess.Popen(
                [sys.executable, "-m", "kconform.cli", "serve", "--nodes", "3", "--kubeconfig", str(kc)],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=dict(os.environ),
            )
            try:
                url = ""
                assert serve.stdout is not None
                for line in serve.stdout:
                    if "serving at" in line:
                        url = line.rsplit(" ", 1)[-1].strip()
                        break
                host, _, sport = url.removeprefix("http://").partition(":")
                throughput("kconform serve", lambda: http.client.HTTPConnection(host, int(sport), timeout=30),
                           "default", args)
            finally:
                serve.terminate()
                serve.wait(10)
    finally:
        faults.stop()
        cluster.stop()


if __name__ == "__main__":
    main()
