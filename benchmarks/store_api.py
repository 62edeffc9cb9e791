"""Throughput of the reference API server over the in-memory MVCC store.

Not a test: run ``PYTHONPATH=. python3 benchmarks/store_api.py`` and read the ops/s figures.
Measures API create, get, update, list (1,000 and 10,000 objects, whole list and 500-item pages)
and watch fan-out (one write delivered to 1, 100 and 1,000 watchers, as events/s).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from reference_impl.apiserver import APIServer
from reference_impl.sim import EventLoop, SeededRandom
from reference_impl.store import MemoryStore

Obj = dict[str, Any]


def new_api() -> APIServer:
    loop = EventLoop()
    return APIServer(MemoryStore(), loop, SeededRandom(1).fork("apiserver"))


def configmap(i: int) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"cm-{i:06d}", "labels": {"app": f"a{i % 10}", "tier": "bench"}},
        "data": {"key": "v" * 64, "n": str(i)},
    }


def timed(n: int, fn: Callable[[int], Any]) -> float:
    t0 = time.perf_counter()
    for i in range(n):
        fn(i)
    return time.perf_counter() - t0


def row(what: str, ops: int, seconds: float, unit: str = "ops/s") -> None:
    print(f"{what:<52} {ops:>8} in {seconds * 1000:9.1f} ms  {ops / seconds:>12,.0f} {unit}")


def bench_crud(n: int) -> APIServer:
    api = new_api()
    row(f"create configmap ({n} objects)", n, timed(n, lambda i: api.create("configmaps", configmap(i), "default")))
    row("get configmap", n, timed(n, lambda i: api.get("configmaps", f"cm-{i:06d}", "default")))
    objs = [api.get("configmaps", f"cm-{i:06d}", "default") for i in range(n)]

    def update(i: int) -> None:
        o = objs[i]
        o["data"]["n"] = str(i + 1)
        api.update("configmaps", o, "default")

    row("update configmap (with resourceVersion)", n, timed(n, update))
    row(
        "patch configmap (merge)",
        n,
        timed(n, lambda i: api.patch("configmaps", f"cm-{i:06d}", {"data": {"n": "x"}}, "merge", "default")),
    )
    return api


def bench_list(api: APIServer, n: int, reps: int) -> None:
    row(f"list {n} configmaps (whole list)", reps, timed(reps, lambda _: api.list("configmaps", "default")), "lists/s")
    s = timed(reps, lambda _: api.list("configmaps", "default", label_selector="app=a3"))
    row(f"list {n} configmaps, label selector (10% match)", reps, s, "lists/s")

    def paged(_: int) -> None:
        token = None
        while True:
            page = api.list("configmaps", "default", limit=500, continue_=token)
            token = page["metadata"].get("continue")
            if not token:
                break

    row(f"list {n} configmaps in pages of 500", reps, timed(reps, paged), "lists/s")
    per_obj = timed(reps, lambda _: api.list("configmaps", "default"))
    row(f"  = objects listed per second ({n} per list)", reps * n, per_obj, "objs/s")


def bench_fanout(watchers: int, writes: int) -> None:
    api = new_api()
    delivered = [0]

    def handler(_type: str, _obj: Obj) -> None:
        delivered[0] += 1

    for _ in range(watchers):
        api.watch("configmaps", handler, "default")
    api.create("configmaps", configmap(0), "default")
    obj = api.get("configmaps", "cm-000000", "default")
    delivered[0] = 0

    obj["metadata"] = {"name": "cm-000000"}  # no resourceVersion: unconditional updates

    def write(i: int) -> None:
        obj["data"]["n"] = str(i)
        api.update("configmaps", obj, "default")

    s = timed(writes, write)
    assert delivered[0] == writes * watchers, (delivered[0], writes, watchers)
    row(f"watch fan-out: 1 write -> {watchers} watchers", delivered[0], s, "events/s")
    print(f"{'':<52} {'':>8}    {'':>9}     {writes / s:>12,.0f} writes/s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = ap.parse_args()
    sizes = (1_000, 2_000) if args.quick else (1_000, 10_000)
    for n in sizes:
        print(f"--- {n} objects ---")
        api = bench_crud(n)
        bench_list(api, n, reps=20 if n <= 1_000 else 5)
    print("--- watch fan-out ---")
    for w, writes in ((1, 2_000), (100, 300), (1_000, 50)):
        bench_fanout(w, writes)


if __name__ == "__main__":
    main()
