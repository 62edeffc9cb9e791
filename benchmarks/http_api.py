"""Throughput and latency of the HTTP API front on loopback.

The server (``HttpApiServer`` over a bare ``SimEnv`` control plane, driven by ``drive``) runs in
a child process so that the client's threads do not share its GIL; the client is a thread pool
of keep-alive ``http.client`` connections. Prints requests/s and p50/p99 latency for GET of one
object, LIST of a namespace, and create (POST).

    PYTHONPATH=. python3 benchmarks/http_api.py [--seconds 3] [--threads 8]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import multiprocessing as mp
import statistics
import threading
import time
from collections.abc import Callable


def _serve(port_q: mp.Queue) -> None:  # type: ignore[type-arg]
    from reference_impl.apiserver.http import HttpApiServer, drive
    from tests.simenv import SimEnv

    async def main() -> None:
        env = SimEnv()
        for i in range(100):
            env.api.create("configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                          "metadata": {"name": f"seed-{i}"}, "data": {"k": "v" * 100}}, "default")
        srv = HttpApiServer(env.api)
        port_q.put(await srv.start())
        await drive(env.loop)

    asyncio.run(main())


def _run(port: int, threads: int, seconds: float, make: Callable[[int, int], tuple[str, str, bytes | None]]) -> tuple[int, list[float]]:
    lat: list[list[float]] = [[] for _ in range(threads)]
    stop = time.perf_counter() + seconds
    errors = [0]

    def worker(t: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = 0
        while time.perf_counter() < stop:
            method, path, body = make(t, i)
            t0 = time.perf_counter()
            conn.request(method, path, body=body, headers={"Content-Type": "application/json"} if body else {})
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
    if errors[0]:
        print(f"  ({errors[0]} non-2xx responses)")
    return len(allp), allp


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--threads", type=int, default=8)
    args = ap.parse_args()
    q: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    proc = mp.Process(target=_serve, args=(q,), daemon=True)
    proc.start()
    port = q.get(timeout=30)
    body = lambda t, i: json.dumps(  # noqa: E731
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"b-{t}-{i}"}, "data": {"k": "v"}}
    ).encode()
    cases: dict[str, Callable[[int, int], tuple[str, str, bytes | None]]] = {
        "GET configmap": lambda t, i: ("GET", "/api/v1/namespaces/default/configmaps/seed-7", None),
        "LIST 100 configmaps": lambda t, i: ("GET", "/api/v1/namespaces/default/configmaps", None),
        "POST configmap": lambda t, i: ("POST", "/api/v1/namespaces/default/configmaps", body(t, i)),
    }
    print(f"loopback, {args.threads} client threads x keep-alive connections, {args.seconds:.0f} s per case")
    for name, make in cases.items():
        n, lat = _run(port, args.threads, args.seconds, make)
        p50 = statistics.median(lat) * 1000
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
        print(f"{name:22s} {n / args.seconds:8.0f} req/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")
    proc.terminate()
    proc.join()


if __name__ == "__main__":
    main()
