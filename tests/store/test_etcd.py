"""What only the etcd store has: its place in etcd (prefixes, the stored clock), a cluster and
``kconform serve`` restarted over an etcd, and the private etcd ``serve --store etcd`` starts.

The store's semantics are checked on every store by ``test_store.py`` and ``test_store_model.py``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from kconform._serve import parse_store
from kconform.errors import InvalidArgument
from reference_impl.store import Event
from reference_impl.store.etcd import BYTES, JSON, EtcdStore, EtcdUnavailable
from tests.serve_process import start_serve
from tests.stores import ETCD_ENV, fresh_prefix


def test_parse_store() -> None:
    assert parse_store("memory") == ("memory", None)
    assert parse_store("etcd") == ("etcd", None)
    assert parse_store("etcd=http://127.0.0.1:2379/a") == ("etcd", "http://127.0.0.1:2379/a")
    for bad in ("disk", "memory=x", "etcd=", "etcd=127.0.0.1:2379"):
        with pytest.raises(InvalidArgument):
            parse_store(bad)


def test_an_unreachable_etcd_is_one_error() -> None:
    with pytest.raises(EtcdUnavailable, match=r"127\.0\.0\.1:1\b"):
        EtcdStore.connect("http://127.0.0.1:1")


def test_the_bytes_codec_takes_bytes_only(etcd_url: str) -> None:
    s = EtcdStore.connect(etcd_url, prefix=fresh_prefix(), codec=BYTES)
    assert s.put("k", b"\x00\xff").value == b"\x00\xff"
    assert s.get("k").value == b"\x00\xff"  # type: ignore[union-attr]
    with pytest.raises(TypeError, match="codec=JSON"):
        s.put("k", "text")


def test_prefixes_keep_stores_apart(etcd_url: str) -> None:
    base = fresh_prefix()
    a = EtcdStore.connect(etcd_url, prefix=base + "a", codec=JSON)
    ab = EtcdStore.connect(etcd_url, prefix=base + "ab", codec=JSON)
    assert a.prefix == base + "a/"  # the "/" that keeps "a" from being a prefix of "ab"
    heard: list[Event] = []
    a.watch("", 0, heard.extend)
    a.put("/x", 1)
    ab.put("/x", 2)
    assert [kv.value for kv in a.range("").kvs] == [1]
    assert [kv.value for kv in ab.range("").kvs] == [2]
    assert a.count("") == ab.count("") == 1
    assert [e.kv.value for e in heard] == [1]
    # the URL's path is the prefix
    assert EtcdStore.connect(f"{etcd_url}/{base.strip('/')}/ab", codec=JSON).get("/x").value == 2  # type: ignore[union-attr]


def test_the_clock_is_stored_beside_the_prefix(etcd_url: str) -> None:
    prefix = fresh_prefix()
    s = EtcdStore.connect(etcd_url, prefix=prefix, codec=JSON)
    assert s.recovered_time_s == 0.0
    now = [12.5]
    s.bind_clock(lambda: now[0])
    heard: list[Event] = []
    s.watch("", 0, heard.extend)
    r0 = s.revision
    s.put("a", 1)
    now[0] = 40.25
    s.delete("a")  # deletes store no timestamp
    assert s.delete("a") is None and s.revision == r0 + 2  # nor write for nothing
    assert [(e.type, e.kv.key) for e in heard] == [("PUT", "a"), ("DELETE", "a")]
    assert s.range("").kvs == [] and s.count("") == 0
    assert EtcdStore.connect(etcd_url, prefix=prefix, codec=JSON).recovered_time_s == 12.5
    s.put("b", 2)
    again = EtcdStore.connect(etcd_url, prefix=prefix, codec=JSON)
    assert again.recovered_time_s == 40.25
    got: list[Event] = []
    again.watch("", r0 + 1, got.extend)  # a new store replays from etcd: the clock is not in it
    assert [(e.type, e.kv.key) for e in got] == [("PUT", "a"), ("DELETE", "a"), ("PUT", "b")]


def test_a_cluster_restarted_over_its_etcd(etcd_url: str) -> None:
    from reference_impl.cluster import ReferenceCluster

    prefix = fresh_prefix()
    c = ReferenceCluster(1, seed=1, store=EtcdStore.connect(etcd_url, prefix=prefix))
    cm = c.api.create("configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}, "default")
    c.settle(20)
    c.advance(60)  # node heartbeats write, and store the clock with them
    t, rev = c.now(), c.store.revision
    assert t >= 60
    uids = {o["metadata"]["uid"] for r in ("configmaps", "nodes", "namespaces") for o in c.api.list(r)["items"]}
    namespaces = sorted(n["metadata"]["name"] for n in c.api.list("namespaces")["items"])

    c2 = ReferenceCluster(1, seed=1, store=EtcdStore.connect(etcd_url, prefix=prefix))
    assert c2.now() >= t - 10  # the clock resumes (from the last write that stored it)
    assert c2.api.get("configmaps", "a", "default")["metadata"]["resourceVersion"] == cm["metadata"]["resourceVersion"]
    assert c2.store.revision >= rev
    c2.settle(20)
    assert len(c2.api.list("nodes")["items"]) == 1
    assert sorted(n["metadata"]["name"] for n in c2.api.list("namespaces")["items"]) == namespaces
    b = c2.api.create("configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}, "default")
    assert b["metadata"]["uid"] not in uids
    assert int(b["metadata"]["resourceVersion"]) > rev


# -- kconform serve --store etcd -------------------------------------------------------------
def _stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    return out


def _request(url: str, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    import http.client

    conn = http.client.HTTPConnection(urlsplit(url).netloc, timeout=10)
    conn.request(method, path, body=None if body is None else json.dumps(body),
                 headers={"Content-Type": "application/json"})
    resp = conn.getresponse()
    out = json.loads(resp.read() or b"null")
    conn.close()
    return resp.status, out


def test_serve_restarted_over_an_etcd_keeps_its_objects(etcd_url: str, tmp_path: Path) -> None:
    store = f"etcd={etcd_url}{fresh_prefix().rstrip('/')}"
    proc, url, _ = start_serve(["--store", store], tmp_path / "kubeconfig")
    try:
        status, cm = _request(url, "POST", "/api/v1/namespaces/default/configmaps",
                              {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kept"}, "data": {"k": "v"}})
        assert status == 201
    finally:
        _stop(proc)
    proc, url, _ = start_serve(["--store", store], tmp_path / "kubeconfig")
    try:
        status, got = _request(url, "GET", "/api/v1/namespaces/default/configmaps/kept")
        assert status == 200 and got["data"] == {"k": "v"}
        assert got["metadata"]["resourceVersion"] == cm["metadata"]["resourceVersion"]
        status, listed = _request(url, "GET", "/api/v1/namespaces/default/configmaps")
        assert int(listed["metadata"]["resourceVersion"]) > int(cm["metadata"]["resourceVersion"])
    finally:
        _stop(proc)


def test_serve_with_a_private_etcd_removes_it_at_exit(tmp_path: Path) -> None:
    from kconform.errors import BackendUnavailable
    from kconform.upstream.etcd import find_binary

    try:
        find_binary()
    except BackendUnavailable as e:
        if os.environ.get(ETCD_ENV) == "required":
            pytest.fail(str(e))
        pytest.skip(str(e))
    proc, url, lines = start_serve(["--store", "etcd"], tmp_path / "kubeconfig")
    try:
        said = next(line for line in lines if line.startswith("kconform: etcd "))
        etcd_url = said.split(" at ", 1)[1].split(",", 1)[0]
        status, _ = _request(url, "POST", "/api/v1/namespaces/default/configmaps",
                             {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
        assert status == 201
        assert EtcdStore.connect(etcd_url).count("/registry/configmaps/default/") >= 1
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit() and _cmdline(int(p)).startswith(
            str(find_binary())) and f"--listen-client-urls={etcd_url}" in _cmdline(int(p))]
        assert len(pids) == 1
        data_dir = next(a.split("=", 1)[1] for a in _cmdline(pids[0]).split("\0") if a.startswith("--data-dir="))
        assert os.path.isdir(data_dir)
    finally:
        _stop(proc)
    assert not os.path.exists(Path(data_dir).parent)
    assert not os.path.exists(f"/proc/{pids[0]}") or "zombie" in Path(f"/proc/{pids[0]}/status").read_text()


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""
