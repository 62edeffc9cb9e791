"""Latency of other clients while ``kconform serve`` reconciles a big scale-up, and SIGTERM time.

Starts ``kconform serve`` (3 nodes, the real command), creates a Deployment of 0 replicas and a
ConfigMap, scales the Deployment to ``--replicas`` (10,000 by default) and, while the control
plane creates, schedules and starts the pods, GETs the ConfigMap every 10 ms on another
connection. Prints the scale request's own latency, p50/p99/max of the GETs during the
reconcile, how many pods existed when it stopped, and how long the server took to exit after
SIGTERM sent mid-reconcile.

    python benchmarks/serve_under_load.py [--replicas 10000] [--seconds 20]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time


def _req(conn: http.client.HTTPConnection, method: str, path: str, body: object = None,
         ct: str = "application/json") -> tuple[int, bytes]:
    headers = {"Content-Type": ct} if body is not None else {}
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = conn.getresponse()
    return r.status, r.read()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicas", type=int, default=10_000)
    ap.add_argument("--seconds", type=float, default=20.0, help="how long to sample before SIGTERM")
    ap.add_argument("--speed", type=float, default=1.0)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = os.path.join(tmp, "kubeconfig")
        proc = subprocess.Popen(
            ["kconform", "serve", "--nodes", "3", "--kubeconfig", kubeconfig, "--speed", str(a.speed)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        assert proc.stdout is not None
        url = ""
        for line in proc.stdout:
            if "serving at" in line:
                url = line.rsplit(" ", 1)[1].strip()
                break
        host, port = url.removeprefix("http://").rsplit(":", 1)
        c1 = http.client.HTTPConnection(host, int(port), timeout=60)
        c2 = http.client.HTTPConnection(host, int(port), timeout=60)
        apps = "/apis/apps/v1/namespaces/default/deployments"
        dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "big"},
               "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "big"}},
                        "template": {"metadata": {"labels": {"app": "big"}},
                                     "spec": {"containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"]}]}}}}
        assert _req(c1, "POST", apps, dep)[0] == 201
        cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "probe"}, "data": {"k": "v"}}
        assert _req(c2, "POST", "/api/v1/namespaces/default/configmaps", cm)[0] == 201
        t0 = time.perf_counter()
        code, _ = _req(c1, "PATCH", apps + "/big", {"spec": {"replicas": a.replicas}}, "application/merge-patch+json")
        scale_ms = (time.perf_counter() - t0) * 1000
        assert code == 200, code
        lat: list[float] = []
        end = time.perf_counter() + a.seconds
        while time.perf_counter() < end:
            t = time.perf_counter()
            code, _ = _req(c2, "GET", "/api/v1/namespaces/default/configmaps/probe")
            lat.append((time.perf_counter() - t) * 1000)
            assert code == 200
            time.sleep(0.01)
        code, body = _req(c2, "GET", "/api/v1/namespaces/default/pods?limit=1")
        remaining = json.loads(body).get("metadata", {}).get("remainingItemCount", 0)
        t = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
            term_s = time.perf_counter() - t
        except subprocess.TimeoutExpired:
            proc.kill()
            term_s = float("inf")
    lat.sort()
    print(f"scale to {a.replicas} replicas: the PATCH answered in {scale_ms:.1f} ms")
    print(f"GET of another object during the reconcile ({len(lat)} samples over {a.seconds:.0f} s): "
          f"p50 {statistics.median(lat):.1f} ms, p99 {lat[int(len(lat) * 0.99) - 1]:.1f} ms, max {lat[-1]:.1f} ms")
    print(f"pods when sampling stopped: {int(remaining) + 1}")
    print(f"SIGTERM to exit: {term_s:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
