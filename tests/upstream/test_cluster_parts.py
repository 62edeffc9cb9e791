"""The runner's parts that need no binaries: certificates, kubeconfigs, node objects, kwok stages,
the fault endpoint and the backend's reading of the kubeconfig extension."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography import x509

from kconform import faults as F
from kconform.backends.upstream import UpstreamFaultProvider, read_extension
from kconform.errors import InvalidArgument
from kconform.timings import TIMINGS, timings
from kconform.upstream.cluster import FaultServer, kubeconfig_text, node_manifest, node_stages, stages_config
from kconform.upstream.pki import make_pki


def test_certificates_name_each_component_as_rbac_knows_it(tmp_path: Path) -> None:
    pki = make_pki(tmp_path, service_ip="10.96.0.1")
    serving = x509.load_pem_x509_certificate(pki.serving_cert.read_bytes())
    sans = serving.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "kubernetes.default.svc.cluster.local" in sans.get_values_for_type(x509.DNSName)
    assert {str(ip) for ip in sans.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "10.96.0.1"}
    kcm = x509.load_pem_x509_certificate(pki.client_cert("kube-controller-manager").read_bytes())
    assert kcm.subject.rfc4514_string() == "CN=system:kube-controller-manager"
    admin = x509.load_pem_x509_certificate(pki.client_cert("admin").read_bytes())
    assert "O=system:masters" in admin.subject.rfc4514_string()
    assert pki.client_key("admin").stat().st_mode & 0o077 == 0
    # the serving certificate verifies against the CA
    ctx = ssl.create_default_context(cafile=str(pki.ca_cert))
    ctx.load_cert_chain(str(pki.client_cert("admin")), str(pki.client_key("admin")))


def test_the_kubeconfig_carries_the_fault_extension(tmp_path: Path) -> None:
    pki = make_pki(tmp_path, service_ip="10.96.0.1")
    ext = {"faults": "http://127.0.0.1:1", "token": "t", "nodes": ["node-1"]}
    path = tmp_path / "kc"
    path.write_text(kubeconfig_text(server="https://127.0.0.1:6443", pki=pki, user="admin", extension=ext))
    assert read_extension(str(path)) == ext
    path.write_text(kubeconfig_text(server="https://127.0.0.1:6443", pki=pki, user="admin"))
    assert read_extension(str(path)) is None
    assert read_extension(str(tmp_path / "missing")) is None


def test_nodes_look_like_the_reference_nodes() -> None:
    node = node_manifest("node-2", 1)
    labels = node["metadata"]["labels"]
    assert labels["kubernetes.io/hostname"] == "node-2"
    assert labels["topology.kubernetes.io/zone"] == "zone-b"
    assert node["spec"]["podCIDR"] == "10.244.2.0/24"
    assert node["status"]["capacity"] == {"cpu": "4", "memory": "8Gi", "pods": "110", "ephemeral-storage": "100Gi"}


def test_node_stages_follow_the_timing_profile(tmp_path: Path) -> None:
    fast = {s["metadata"]["name"]: s for s in node_stages(timings("fast"))}
    default = {s["metadata"]["name"]: s for s in node_stages(timings("default"))}
    assert set(fast) == {"node-initialize", "node-heartbeat"}
    assert fast["node-heartbeat"]["spec"]["delay"]["durationMilliseconds"] == 1000
    assert default["node-heartbeat"]["spec"]["delay"]["durationMilliseconds"] == 10000
    # shipped Node stages are replaced by the profile's; other stages are kept
    (tmp_path / "a.yaml").write_text(yaml.safe_dump_all([
        {"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Stage", "metadata": {"name": "shipped-node"},
         "spec": {"resourceRef": {"apiGroup": "v1", "kind": "Node"}}},
        {"apiVersion": "kwok.x-k8s.io/v1alpha1", "kind": "Stage", "metadata": {"name": "pod-x"},
         "spec": {"resourceRef": {"apiGroup": "v1", "kind": "Pod"}}},
    ]))
    names = [d["metadata"]["name"] for d in yaml.safe_load_all(stages_config(timings("fast"), tmp_path))]
    assert names == ["pod-x", "node-initialize", "node-heartbeat"]


def test_fast_timings_keep_the_default_ratios() -> None:
    d, f = TIMINGS["default"], TIMINGS["fast"]
    assert d.node_monitor_grace_period_s == 50 and d.default_toleration_seconds == 300
    for attr in ("node_monitor_period_s", "node_monitor_grace_period_s", "node_lease_duration_s",
                 "node_status_update_frequency_s", "default_toleration_seconds"):
        assert getattr(f, attr) * 10 == pytest.approx(getattr(d, attr)), attr
    assert f.go_duration(0.5) == "500ms" and f.go_duration(5) == "5s"
    with pytest.raises(InvalidArgument, match="fast"):
        timings("slow")


class _FakeCluster:
    def __init__(self) -> None:
        self.injected: list[F.Fault] = []
        self.node_names = ["node-1"]

    def inject(self, fault: F.Fault) -> None:
        if isinstance(fault, F.HealNode):
            raise InvalidArgument("node 'node-1' is dead; heal applies to partitions, use restart")
        self.injected.append(fault)

    def remove_node(self, node: str) -> None:
        self.node_names.remove(node)


def _post(url: str, body: Any, token: str | None) -> int:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


def test_the_fault_endpoint_needs_its_token_and_a_well_formed_fault() -> None:
    cluster = _FakeCluster()
    server = FaultServer(cluster).start()  # type: ignore[arg-type]
    try:
        url = server.url + "/faults"
        assert _post(url, F.KillNode(node="node-1").to_dict(), None) == 401
        assert _post(url, F.KillNode(node="node-1").to_dict(), "wrong") == 401
        assert _post(url, {"fault": "Nope"}, server.token) == 400
        assert _post(url, F.KillNode(node="node-1").to_dict(), server.token) == 204
        assert cluster.injected == [F.KillNode(node="node-1")]
        provider = UpstreamFaultProvider(server.url, server.token)
        with pytest.raises(InvalidArgument, match="heal applies to partitions"):
            provider.inject(F.HealNode(node="node-1"))
        provider.inject(F.KillNode(node="node-1"))
        assert provider.broken
        provider.inject(F.AddNode(node="node-9"))
        cluster.node_names.append("node-9")
        provider.close()  # restarts what it killed, removes what it added
        assert cluster.injected[-1] == F.RestartNode(node="node-1") and not provider.broken
        assert cluster.node_names == ["node-1"]
    finally:
        server.stop()


def test_a_component_under_restart_is_not_reported_dead(tmp_path: Path) -> None:
    """`kconform upstream up` polls `check` while faults restart components on another thread:
    the moment between the old process exiting and the new one starting is not a death."""
    import threading

    from kconform.upstream.cluster import ComponentDied, Process, UpstreamCluster

    cluster = UpstreamCluster(nodes=1)
    # exits a little after SIGTERM, as a real component shutting down gracefully does
    proc = Process("etcd", ["sh", "-c", 'trap "sleep 0.05; exit 0" TERM; while :; do sleep 0.01; done'],
                   tmp_path / "etcd.log")
    cluster.processes["etcd"] = proc
    proc.start()
    died: list[str] = []
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            try:
                cluster.check()
            except ComponentDied as e:
                died.append(str(e))
                return

    poller = threading.Thread(target=poll)
    poller.start()
    try:
        for _ in range(10):
            cluster.restart_component("etcd")
    finally:
        done.set()
        poller.join()
        proc.kill()
    assert died == []
