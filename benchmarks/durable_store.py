"""What durability costs: ``kconform serve`` with and without ``--data-dir``, and restart time.

Prints, for the directory given (default: a temporary one, on the filesystem of ``$TMPDIR``):

- store commits/s: ``MemoryStore`` vs ``DurableStore`` (one fdatasync per commit), 600-byte values;
- ConfigMap creates/s over HTTP from one keep-alive client (each create waits for its
  acknowledgement, so with ``--data-dir`` every one pays an fdatasync) against ``kconform serve``
  without and with ``--data-dir``, alternating runs;
- restart time of a store of ``--objects`` ConfigMaps: opening the directory from the log alone,
  from a snapshot, and ``kconform serve`` from exec to "serving at" over that directory.

    PYTHONPATH=. python3 benchmarks/durable_store.py [--seconds 3] [--objects 5000] [--dir DIR]
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reference_impl.store import MemoryStore
from reference_impl.store.durable import DurableStore

KCONFORM = (sys.executable, "-c", "import sys; from kconform.cli import main; sys.exit(main())")


def store_commits(store: MemoryStore, n: int) -> float:
    value = b"x" * 600
    t0 = time.perf_counter()
    for i in range(n):
        store.put(f"/registry/configmaps/default/cm-{i}", value)
    return n / (time.perf_counter() - t0)


def start_serve(args: list[str], kubeconfig: Path) -> tuple[subprocess.Popen[str], str, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen([*KCONFORM, "serve", "--nodes", "1", "--kubeconfig", str(kubeconfig), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if "serving at" in line:
            return proc, line.rsplit("//", 1)[1].strip(), time.perf_counter() - t0
    raise SystemExit(f"serve did not start: exit {proc.wait()}")


def creates_per_s(hostport: str, seconds: float, prefix: str) -> float:
    conn = http.client.HTTPConnection(hostport, timeout=30)
    stop = time.perf_counter() + seconds
    n = 0
    t0 = time.perf_counter()
    while time.perf_counter() < stop:
        body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{prefix}-{n}"},
                           "data": {"k": "v" * 100}})
        conn.request("POST", "/api/v1/namespaces/default/configmaps", body=body,
                     headers={"Content-Type": "application/json"})
        r = conn.getresponse()
        r.read()
        if r.status != 201:
            raise SystemExit(f"create answered {r.status}")
        n += 1
    conn.close()
    return n / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--objects", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--dir", default=None, help="where the data directories go (default: a temporary one)")
    ns = ap.parse_args()
    root = Path(ns.dir or tempfile.mkdtemp(prefix="kconform-durable-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        mem = store_commits(MemoryStore(), 20000)
        d = DurableStore(root / "store")
        dur = store_commits(d, 2000)
        d.close()
        print(f"store commits/s: in memory {mem:,.0f}, durable {dur:,.0f} ({1e6 / dur:.0f} us per commit)")

        for r in range(ns.rounds):
            for label, args in (("in memory", []), ("--data-dir", ["--data-dir", str(root / f"serve-{r}")])):
                proc, hostport, _ = start_serve(args, root / "kubeconfig")
                try:
                    rate = creates_per_s(hostport, ns.seconds, f"r{r}")
                finally:
                    proc.terminate()
                    proc.wait()
                print(f"round {r + 1}: ConfigMap creates/s over HTTP, {label}: {rate:,.0f}")

        data = root / "restart"
        proc, hostport, _ = start_serve(["--data-dir", str(data)], root / "kubeconfig")
        try:
            conn = http.client.HTTPConnection(hostport, timeout=30)
            for i in range(ns.objects):
                body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"obj-{i}"},
                                   "data": {"k": "v" * 100}})
                conn.request("POST", "/api/v1/namespaces/default/configmaps", body=body,
                             headers={"Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
            conn.close()
        finally:
            proc.terminate()
            proc.wait()
        size = sum(p.stat().st_size for p in data.iterdir())
        t0 = time.perf_counter()
        s = DurableStore(data, snapshot_every_records=10**9)
        t_open = time.perf_counter() - t0
        print(f"{ns.objects} objects, revision {s.revision}, {size / 1e6:.1f} MB on disk "
              f"({s.records_replayed} records replayed): open {t_open * 1000:.0f} ms")
        t0 = time.perf_counter()
        s.snapshot()
        print(f"  snapshot written (the serve loop's pause every 10,000 records): {(time.perf_counter() - t0) * 1000:.0f} ms")
        s.close()
        t0 = time.perf_counter()
        s = DurableStore(data)
        t_snap = time.perf_counter() - t0
        print(f"  from a snapshot ({s.records_replayed} records after it): open {t_snap * 1000:.0f} ms")
        s.close()
        for label, args in (("in memory, empty", []), ("--data-dir", ["--data-dir", str(data)])):
            proc, _, t_ready = start_serve(args, root / "kubeconfig")
            proc.terminate()
            proc.wait()
            print(f"  kconform serve to 'serving at', {label}: {t_ready * 1000:.0f} ms")
    finally:
        if ns.dir is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
