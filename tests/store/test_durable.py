"""The durable store (``reference_impl/store/durable.py``): what survives a restart, and what a
crash can leave behind (a torn last record is dropped, damage elsewhere refuses to open).

The last tests run ``kconform serve --data-dir`` as a process, kill -9 it in the middle of a
stream of writes and check that every acknowledged write is there after a restart.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from reference_impl.sim.clock import parse_rfc3339
from reference_impl.store import Compacted, Compare, Delete, Event, MemoryStore, Put
from reference_impl.store.durable import CorruptLog, DataDirError, DurableStore, iter_records
from tests.serve_process import KCONFORM, start_serve


def _state(s: MemoryStore) -> dict[str, Any]:
    """Everything a client can observe: revisions, every readable past revision, watch replay."""
    out: dict[str, Any] = {"revision": s.revision, "compacted": s.compacted_revision}
    lo = max(s.compacted_revision, 1)
    out["ranges"] = {r: [tuple(vars_of(kv)) for kv in s.range("", revision=r).kvs] for r in range(lo, s.revision + 1)}
    got: list[Event] = []
    h = s.watch("", lo, got.extend)
    h.cancel()
    out["events"] = [(e.type, tuple(vars_of(e.kv)), None if e.prev_kv is None else tuple(vars_of(e.prev_kv))) for e in got]
    return out


def vars_of(kv: Any) -> tuple[Any, ...]:
    return (kv.key, kv.value, kv.create_revision, kv.mod_revision, kv.version)


def _segment(d: Path) -> Path:
    (seg,) = sorted(d.glob("wal-*.log"))
    return seg


def _workload(s: MemoryStore, n: int = 20) -> None:
    for i in range(n):
        s.put(f"/registry/cm/{i % 7}", f"v{i}".encode())
        if i % 5 == 4:
            s.delete(f"/registry/cm/{(i + 3) % 7}")
    s.txn([Compare("/registry/cm/1", "version", ">", 0)], [Put("/registry/a", b"x"), Delete("/registry/cm/2")])


# -- round trips ----------------------------------------------------------------------------
def test_round_trip_keeps_every_observable_revision(tmp_path: Path) -> None:
    s = DurableStore(tmp_path)
    _workload(s)
    want = _state(s)
    s.close()
    r = DurableStore(tmp_path)
    assert _state(r) == want
    r.close()


def test_revisions_continue_after_a_restart(tmp_path: Path) -> None:
    s = DurableStore(tmp_path)
    _workload(s)
    rev = s.revision
    s.close()
    r = DurableStore(tmp_path)
    assert r.revision == rev
    kv = r.put("/registry/new", b"1")
    assert kv.mod_revision == rev + 1
    assert r.get("/registry/cm/0") is not None
    r.close()
    assert DurableStore(tmp_path).revision == rev + 1


def test_a_crash_without_close_keeps_every_committed_txn(tmp_path: Path) -> None:
    s = DurableStore(tmp_path)
    _workload(s)
    want = _state(s)
    os.close(s._fd)  # the process dies: no clean-stop record, the LOCK goes with it
    os.close(s._lock_fd)
    assert _state(DurableStore(tmp_path)) == want


def test_compaction_persists(tmp_path: Path) -> None:
    s = DurableStore(tmp_path)
    _workload(s)
    s.compact(10)
    want = _state(s)
    s.close()
    r = DurableStore(tmp_path)
    assert r.compacted_revision == 10
    assert _state(r) == want
    with pytest.raises(Compacted):
        r.get("/registry/cm/0", revision=9)
    with pytest.raises(Compacted):
        r.watch("", 5, lambda _evs: None)
    r.close()


@pytest.mark.parametrize("every", [1, 3, 1000])
def test_snapshots_bound_the_log_and_keep_the_state(tmp_path: Path, every: int) -> None:
    s = DurableStore(tmp_path, snapshot_every_records=every)
    _workload(s, 30)
    s.compact(12)
    s.put("/registry/after", b"compaction")
    want = _state(s)
    s.close()
    segments = list(tmp_path.glob("wal-*.log"))
    assert len(segments) == 1 and len(list(tmp_path.glob("snap-*.snap"))) <= 1
    assert len(list(iter_records(segments[0]))) <= every + 1  # + the clean-stop record
    r = DurableStore(tmp_path, snapshot_every_records=every)
    assert _state(r) == want
    assert r.records_replayed <= every + 1
    r.close()


def test_a_crash_between_snapshot_and_log_rotation(tmp_path: Path) -> None:
    s = DurableStore(tmp_path)
    _workload(s)
    old = _segment(tmp_path)
    kept = old.read_bytes()
    s.snapshot()
    s.put("/registry/after", b"snapshot")
    want = _state(s)
    s.close()
    old.write_bytes(kept)  # the old segment, as if the crash came before it was removed
    assert len(list(tmp_path.glob("wal-*.log"))) == 2
    r = DurableStore(tmp_path)
    assert _state(r) == want
    r.close()


def test_snapshot_by_bytes(tmp_path: Path) -> None:
    s = DurableStore(tmp_path, snapshot_every_bytes=4096)
    for i in range(40):
        s.put(f"/k/{i % 3}", bytes(500))
    assert list(tmp_path.glob("snap-*.snap"))
    want = _state(s)
    s.close()
    assert _state(DurableStore(tmp_path)) == want


def test_clock_is_recorded_and_recovered(tmp_path: Path) -> None:
    now = [100.0]
    s = DurableStore(tmp_path)
    s.bind_clock(lambda: now[0])
    s.put("/k", b"1")
    now[0] = 250.5
    s.close()  # the clean-stop record carries the latest reading
    r = DurableStore(tmp_path)
    assert r.recovered_time_s == 250.5
    r.snapshot()
    r.close()
    assert DurableStore(tmp_path).recovered_time_s == 250.5


def test_watchers_hear_only_of_durable_commits_in_revision_order(tmp_path: Path) -> None:
    s = DurableStore(tmp_path)
    seen: list[int] = []

    def on(evs: Any) -> None:
        seen.extend(e.revision for e in evs)
        # the record of the commit a watcher hears of is already in the log
        assert len(list(iter_records(_segment(tmp_path)))) >= evs[0].revision - 1
        if evs[0].kv.key == "/a":
            s.put("/b", b"from the watcher")  # a nested commit is logged after its cause

    s.watch("/", 0, on)
    s.put("/a", b"1")
    assert seen == [2, 3]
    s.close()
    r = DurableStore(tmp_path)
    assert [kv.key for kv in r.range("/").kvs] == ["/a", "/b"]
    r.close()


# -- crashes and damage ---------------------------------------------------------------------
def _last_record(tmp_path: Path) -> tuple[Path, int, int, dict[str, Any], dict[str, Any]]:
    """A segment whose last record is a txn; the state with and without it."""
    s = DurableStore(tmp_path)
    _workload(s, 8)
    before = _state(s)
    s.put("/registry/last", b"the record a crash tears")
    after = _state(s)
    os.close(s._fd)
    os.close(s._lock_fd)
    seg = _segment(tmp_path)
    offset, length = list(iter_records(seg))[-1]
    assert offset + length == seg.stat().st_size
    return seg, offset, length, before, after


def test_a_torn_last_record_is_dropped_at_every_offset(tmp_path: Path) -> None:
    seg, offset, length, before, after = _last_record(tmp_path)
    whole = seg.read_bytes()
    for cut in range(offset, offset + length):
        seg.write_bytes(whole[:cut])
        r = DurableStore(tmp_path)
        assert _state(r) == before, cut
        assert r.torn_bytes_dropped == cut - offset
        assert seg.stat().st_size == offset  # cut off, so the next record follows a whole one
        assert r.put("/registry/next", b"1").mod_revision == before["revision"] + 1
        os.close(r._fd)
        os.close(r._lock_fd)
    seg.write_bytes(whole)
    r = DurableStore(tmp_path)
    assert _state(r) == after
    r.close()


@pytest.mark.parametrize("where", ["header", "payload", "crc"])
def test_a_damaged_last_record_is_dropped(tmp_path: Path, where: str) -> None:
    seg, offset, length, before, _ = _last_record(tmp_path)
    data = bytearray(seg.read_bytes())
    at = {"header": offset + 1, "crc": offset + 5, "payload": offset + length - 3}[where]
    data[at] ^= 0x40
    seg.write_bytes(bytes(data))
    r = DurableStore(tmp_path)
    assert _state(r) == before
    r.close()


def test_zeros_after_the_last_record_are_dropped(tmp_path: Path) -> None:
    seg, _, _, _, after = _last_record(tmp_path)
    with open(seg, "ab") as f:
        f.write(bytes(100))  # what a filesystem may show after a crash that extended the file
    r = DurableStore(tmp_path)
    assert _state(r) == after
    r.close()


def test_a_damaged_record_in_the_middle_is_refused(tmp_path: Path) -> None:
    seg, _, _, _, _ = _last_record(tmp_path)
    records = list(iter_records(seg))
    offset, length = records[len(records) // 2]
    data = bytearray(seg.read_bytes())
    data[offset + length - 2] ^= 0x01
    seg.write_bytes(bytes(data))
    with pytest.raises(CorruptLog, match=r"damaged at offset \d+ \(a CRC mismatch\)"):
        DurableStore(tmp_path)
    # refused, not repaired: the file is as it was
    assert seg.read_bytes() == bytes(data)


def test_a_repeated_record_is_refused(tmp_path: Path) -> None:
    seg, _, _, _, _ = _last_record(tmp_path)
    (offset, length), *_ = list(iter_records(seg))
    data = seg.read_bytes()
    seg.write_bytes(data[: offset + length] + data[offset:])  # the first record written twice
    with pytest.raises(CorruptLog, match="revisions are missing or repeated"):
        DurableStore(tmp_path)


def test_a_damaged_snapshot_is_refused(tmp_path: Path) -> None:
    s = DurableStore(tmp_path)
    _workload(s)
    s.snapshot()
    s.close()
    (snap,) = tmp_path.glob("snap-*.snap")
    data = bytearray(snap.read_bytes())
    data[len(data) // 2] ^= 0x01
    snap.write_bytes(bytes(data))
    with pytest.raises(CorruptLog, match="damaged"):
        DurableStore(tmp_path)


def test_another_format_version_is_refused(tmp_path: Path) -> None:
    DurableStore(tmp_path).close()
    seg = _segment(tmp_path)
    data = bytearray(seg.read_bytes())
    data[8] = 9
    seg.write_bytes(bytes(data))
    with pytest.raises(DataDirError, match="written in store format 9; this kconform reads format 1"):
        DurableStore(tmp_path)


def test_one_process_per_directory(tmp_path: Path) -> None:
    s = DurableStore(tmp_path)
    with pytest.raises(DataDirError, match="in use by another process"):
        DurableStore(tmp_path)
    s.close()
    DurableStore(tmp_path).close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only directories")
def test_an_unwritable_directory_is_refused(tmp_path: Path) -> None:
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o500)
    try:
        with pytest.raises(DataDirError, match="ro"):
            DurableStore(d)
    finally:
        d.chmod(0o700)


def test_a_file_is_not_a_data_dir(tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("")
    with pytest.raises(DataDirError, match="cannot use it"):
        DurableStore(f)


def test_a_failed_log_write_stops_the_store(tmp_path: Path) -> None:
    s = DurableStore(tmp_path)
    s.put("/k", b"1")
    os.close(s._fd)
    s._fd = os.open(os.devnull, os.O_RDONLY)  # every write now fails, as on a dead disk
    with pytest.raises(DataDirError, match="cannot append"):
        s.put("/k", b"2")
    with pytest.raises(DataDirError, match="stopped taking writes"):
        s.put("/k", b"3")
    s.close()


def test_a_closed_store_takes_no_writes(tmp_path: Path) -> None:
    s = DurableStore(tmp_path)
    s.put("/k", b"1")
    s.close()
    with pytest.raises(DataDirError, match="closed"):
        s.put("/k", b"2")  # it would not be logged
    with pytest.raises(DataDirError, match="closed"):
        s.compact(2)
    assert s.get("/k") is not None  # reads still answer


def test_values_must_be_bytes_or_text(tmp_path: Path) -> None:
    s = DurableStore(tmp_path)
    with pytest.raises(TypeError, match="bytes, str or None"):
        s.put("/k", {"a": 1})
    assert s.revision == 1
    s.put("/k", "text")
    s.close()
    r = DurableStore(tmp_path)
    kv = r.get("/k")
    assert kv is not None and kv.value == "text"
    r.close()


# -- a cluster over a store that already holds objects ----------------------------------------
def test_a_cluster_restarted_over_its_store(tmp_path: Path) -> None:
    from reference_impl.cluster import ReferenceCluster

    c = ReferenceCluster(2, seed=1, store=DurableStore(tmp_path))
    c.settle(30)
    c.api.create("configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}, "default")
    svc = c.api.create(
        "services",
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
         "spec": {"type": "NodePort", "ports": [{"port": 80}]}},
        "default",
    )
    c.settle(30)
    c.advance(45)
    t, rev = c.now(), c.store.revision
    assert t >= 45
    uids = {o["metadata"]["uid"] for r in ("configmaps", "services", "nodes", "namespaces") for o in c.api.list(r)["items"]}
    store = c.store
    assert isinstance(store, DurableStore)
    store.close()

    c2 = ReferenceCluster(2, seed=1, store=DurableStore(tmp_path))
    assert c2.now() >= t  # the clock resumes where the clean stop recorded it...
    for lease in c2.api.list("leases", "kube-node-lease")["items"]:  # ...so nothing stored is in the future
        assert parse_rfc3339(lease["spec"]["renewTime"]) <= c2.now()
    assert c2.api.get("configmaps", "a", "default")["metadata"]["resourceVersion"] == str(
        int(c.api.get("configmaps", "a", "default")["metadata"]["resourceVersion"])
    )
    c2.settle(30)
    assert c2.store.revision > rev
    names = [n["metadata"]["name"] for n in c2.api.list("namespaces")["items"]]
    assert len(names) == len(set(names))
    assert len(c2.api.list("nodes")["items"]) == 2
    svc2 = c2.api.create(
        "services",
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s2"},
         "spec": {"type": "NodePort", "ports": [{"port": 80}]}},
        "default",
    )
    assert svc2["spec"]["clusterIP"] != svc["spec"]["clusterIP"]
    assert svc2["spec"]["ports"][0]["nodePort"] != svc["spec"]["ports"][0]["nodePort"]
    cm = c2.api.create("configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}, "default")
    assert cm["metadata"]["uid"] not in uids
    assert all(n["status"]["conditions"][-1]["status"] == "True" for n in c2.api.list("nodes")["items"])
    c2.settle(30)
    stored = [json.loads(kv.value)["metadata"].get("uid") for kv in c2.store.range("/").kvs]
    assert len(stored) > 100 and len(set(stored)) == len(stored)  # no uid drawn twice, whatever the resource
    s2 = c2.store
    assert isinstance(s2, DurableStore)
    s2.close()


def test_stored_nodes_keep_their_pod_cidrs_and_new_nodes_skip_them(tmp_path: Path) -> None:
    from reference_impl.cluster import ReferenceCluster

    c = ReferenceCluster(["a", "b"], seed=2, store=DurableStore(tmp_path))
    cidrs = {n["metadata"]["name"]: n["spec"]["podCIDR"] for n in c.api.list("nodes")["items"]}
    s = c.store
    assert isinstance(s, DurableStore)
    s.close()
    c2 = ReferenceCluster(["b"], seed=2, store=DurableStore(tmp_path))
    assert c2.nodes["b"].kubelet.pod_cidr == cidrs["b"]
    new = c2.add_node()
    got = {n["metadata"]["name"]: n["spec"]["podCIDR"] for n in c2.api.list("nodes")["items"]}
    assert got[new] not in cidrs.values()
    assert {k: got[k] for k in cidrs} == cidrs
    s2 = c2.store
    assert isinstance(s2, DurableStore)
    s2.close()


# -- kconform serve --data-dir, killed ------------------------------------------------------
def _start_serve(data_dir: Path, kubeconfig: Path) -> tuple[subprocess.Popen[str], str]:
    proc, url, _ = start_serve(["--data-dir", str(data_dir)], kubeconfig)
    return proc, url


def _request(url: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    host = url.split("//", 1)[1]
    conn = http.client.HTTPConnection(host, timeout=10)
    data = None if body is None else json.dumps(body)
    conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    out = json.loads(resp.read() or b"null")
    conn.close()
    return resp.status, out


def test_serve_killed_mid_writes_keeps_every_acknowledged_write(tmp_path: Path) -> None:
    data_dir, kubeconfig = tmp_path / "data", tmp_path / "kubeconfig"
    proc, url = _start_serve(data_dir, kubeconfig)
    acked: dict[str, int] = {}
    failures: list[BaseException] = []

    def writer() -> None:  # writes one after another until the server is gone
        i = 0
        while True:
            name = f"cm-{i}"
            try:
                status, out = _request(url, "POST", "/api/v1/namespaces/default/configmaps",
                                       {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                                        "data": {"i": str(i)}})
            except (OSError, http.client.HTTPException, json.JSONDecodeError):
                return  # killed with this write in flight: not acknowledged
            if status != 201:
                failures.append(AssertionError(f"{status}: {out}"))
                return
            acked[name] = int(out["metadata"]["resourceVersion"])
            i += 1

    try:
        t = threading.Thread(target=writer)
        t.start()
        time.sleep(1.5)
        os.kill(proc.pid, signal.SIGKILL)
        t.join(10)
    finally:
        proc.kill()
        proc.wait()
    assert not failures
    assert len(acked) > 20
    top = max(acked.values())

    proc, url = _start_serve(data_dir, kubeconfig)
    try:
        status, out = _request(url, "GET", "/api/v1/namespaces/default/configmaps")
        assert status == 200
        got = {o["metadata"]["name"]: int(o["metadata"]["resourceVersion"]) for o in out["items"]}
        missing = set(acked) - set(got)
        assert not missing
        assert all(got[n] == rv for n, rv in acked.items())
        assert int(out["metadata"]["resourceVersion"]) >= top
        status, out = _request(url, "POST", "/api/v1/namespaces/default/configmaps",
                               {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "after"}})
        assert status == 201
        assert int(out["metadata"]["resourceVersion"]) > top
        # the simulated clock resumed: what is created now is not older than what was stored
        status, listed = _request(url, "GET", "/api/v1/namespaces/default/configmaps")
        stamps = [parse_rfc3339(o["metadata"]["creationTimestamp"]) for o in listed["items"]]
        assert parse_rfc3339(out["metadata"]["creationTimestamp"]) >= max(stamps)
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
    finally:
        proc.kill()
        proc.wait()


def test_serve_refuses_a_damaged_data_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    s = DurableStore(data_dir)
    _workload(s)
    s.close()
    seg = _segment(data_dir)
    records = list(iter_records(seg))
    data = bytearray(seg.read_bytes())
    data[records[3][0] + 10] ^= 0x01
    seg.write_bytes(bytes(data))
    out = subprocess.run(
        [*KCONFORM, "serve", "--data-dir", str(data_dir), "--kubeconfig", str(tmp_path / "k")],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kconform: error: data dir") and "damaged" in lines[0], out.stderr
