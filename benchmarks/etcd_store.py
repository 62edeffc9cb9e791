"""What a real etcd costs as the store: ``MemoryStore`` vs ``EtcdStore`` on the same loop.

Prints ops/s for each store on a simple loop, alternating the stores run by run: ``put`` (a
600-byte value under a fresh key), ``get`` (each of those keys), ``range`` (a prefix of 100
keys, limit 50) and ``watch replay`` (a watch from 10 revisions back; ``replay, etcd``: the same
read from etcd's watch stream, as after a restart, rather than from the store's recent commits;
for the memory store both are the same). The etcd is a private
one (:class:`kconform.upstream.etcd.LocalEtcd`: the built etcd, else Debian's), no fsync.

    PYTHONPATH=. python3 benchmarks/etcd_store.py [--ops 2000] [--runs 2] [--url http://...]
"""

from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Callable

from reference_impl.store import MemoryStore
from reference_impl.store.etcd import EtcdStore

Store = MemoryStore | EtcdStore


def _rate(n: int, fn: Callable[[int], object]) -> float:
    t0 = time.perf_counter()
    for i in range(n):
        fn(i)
    return n / (time.perf_counter() - t0)


def loop(store: Store, ops: int) -> dict[str, float]:
    value = b"x" * 600
    for i in range(100):
        store.put(f"/registry/pods/ns/p{i:03d}", value)
    out = {
        "put": _rate(ops, lambda i: store.put(f"/registry/configmaps/default/cm-{i}", value)),
        "get": _rate(ops, lambda i: store.get(f"/registry/configmaps/default/cm-{i}")),
        "range": _rate(ops, lambda i: store.range("/registry/pods/", limit=50)),
    }
    replays = max(ops // 50, 5)
    out["watch replay"] = _rate(replays, lambda i: store.watch("/registry/pods/", store.revision - 10,
                                                              lambda evs: None).cancel())
    # the same replay without the etcd store's recent commits: read from etcd's watch stream
    cold = store if isinstance(store, MemoryStore) else EtcdStore(store.client, prefix=store.prefix, replay_batches=0)
    out["replay, etcd"] = _rate(replays, lambda i: cold.watch("/registry/pods/", store.revision - 10,
                                                              lambda evs: None).cancel())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ops", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--url", default=None, help="an etcd to use (default: start a private one)")
    ns = ap.parse_args()
    with contextlib.ExitStack() as stack:
        url = ns.url
        if url is None:
            from kconform.upstream.etcd import LocalEtcd, version

            etcd = stack.enter_context(LocalEtcd())
            url = etcd.url
            print(f"etcd {version(etcd.binary)} ({etcd.binary}) at {url}")
        results: dict[str, list[dict[str, float]]] = {"memory": [], "etcd": []}
        for run in range(ns.runs):
            for kind in ("memory", "etcd") if run % 2 == 0 else ("etcd", "memory"):
                store: Store = MemoryStore() if kind == "memory" else EtcdStore.connect(url, prefix=f"/bench/{run}")
                results[kind].append(loop(store, ns.ops))
        ops = list(results["memory"][0])
        print(f"{'op':<14}{'memory ops/s':>16}{'etcd ops/s':>14}{'ratio':>9}")
        for op in ops:
            mem = max(r[op] for r in results["memory"])
            etc = max(r[op] for r in results["etcd"])
            print(f"{op:<14}{mem:>16,.0f}{etc:>14,.0f}{mem / etc:>8,.0f}x")
        print(f"(best of {ns.runs} alternating runs, {ns.ops} ops each; watch replay: {max(ns.ops // 50, 5)})")


if __name__ == "__main__":
    main()
