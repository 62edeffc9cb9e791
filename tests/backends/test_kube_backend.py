"""The kube backend against the reference cluster served over HTTP (``HttpApiServer``).

The served reference speaks the Kubernetes wire format, so these tests exercise the official
client end to end (discovery, server-side apply, scale subresource, deletes, errors as
``Status``) and the fault endpoint. The simulation runs in a background thread's asyncio loop
driven from the wall clock (sped up), as ``kconform serve`` does.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kconform import faults as F
from kconform.backends.base import Cluster
from kconform.backends.kube import (
    EXAMPLE_NAMESPACE_LABEL,
    MANAGED_BY,
    MANAGED_BY_LABEL,
    KubeBackend,
    ServerFaultProvider,
    fingerprint,
    status_of,
)
from kconform.backends.reference import ReferenceBackend
from kconform.errors import ApiRejected, BackendUnavailable, CapabilityMissing, InvalidArgument
from kconform.faults import fault_from_dict
from reference_impl.apiserver.http import HttpApiServer, drive

SPEED = 10.0


@dataclass
class Served:
    reference: ReferenceBackend
    server: HttpApiServer
    kubeconfig: Path
    faults: list[dict[str, Any]]

    def run(self, fn: Any) -> Any:
        """Run ``fn()`` in the server's loop (the simulation is single-threaded there)."""
        return asyncio.run_coroutine_threadsafe(_call(fn), self._loop).result(10)

    _loop: asyncio.AbstractEventLoop = None  # type: ignore[assignment]


async def _call(fn: Any) -> Any:
    return fn()


def write_kubeconfig(path: Path, url: str, context: str = "kconform-test") -> Path:
    path.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- name: ref\n  cluster:\n    server: {url}\n"
        "users:\n- name: nobody\n  user: {}\n"
        f"contexts:\n- name: {context}\n  context:\n    cluster: ref\n    user: nobody\n"
        f"current-context: {context}\n"
    )
    return path


def _serve(tmp_path: Path, *, faults_enabled: bool, speed: float = SPEED) -> Iterator[Served]:
    reference = ReferenceBackend(nodes=3, seed=1)
    received: list[dict[str, Any]] = []

    def on_fault(body: dict[str, Any]) -> dict[str, Any]:
        fault = fault_from_dict(body)  # InvalidArgument is a ValueError: the server answers 400
        received.append(body)
        reference.inject(fault)
        return {"injected": fault.describe()}

    loop = asyncio.new_event_loop()
    server = HttpApiServer(reference.api, on_fault=on_fault if faults_enabled else None)
    loop.run_until_complete(server.start())
    ready = threading.Event()

    tasks: list[asyncio.Task[None]] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        tasks.append(loop.create_task(drive(reference.cluster.loop, speed=speed, tick_s=0.02, wake=server.work_ready)))
        loop.call_soon(ready.set)
        loop.run_forever()

    thread = threading.Thread(target=run, name="served-reference", daemon=True)
    thread.start()
    ready.wait(5)
    served = Served(reference, server, write_kubeconfig(tmp_path / "kubeconfig", server.url), received)
    served._loop = loop
    try:
        yield served
    finally:
        async def stop() -> None:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await server.stop()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    yield from _serve(tmp_path, faults_enabled=True)


@pytest.fixture
def served_no_faults(tmp_path: Path) -> Iterator[Served]:
    yield from _serve(tmp_path, faults_enabled=False)


@pytest.fixture
def kube(served: Served) -> Iterator[KubeBackend]:
    backend = KubeBackend(kubeconfig=str(served.kubeconfig), poll_interval_s=0.2, request_timeout_s=10)
    try:
        yield backend
    finally:
        backend.close()


def deployment(name: str, replicas: int, namespace: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta,
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.9"}]},
            },
        },
    }


def ready_pods(snap: Any, app: str) -> int:
    return sum(
        1
        for p in snap.of("pods")
        if p["metadata"].get("labels", {}).get("app") == app
        and p.get("status", {}).get("phase") == "Running"
        and not p["metadata"].get("deletionTimestamp")
        and any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions", []))
    )


# -- connection ------------------------------------------------------------------------------
def test_is_a_cluster_and_creates_a_labelled_example_namespace(kube: KubeBackend, served: Served) -> None:
    assert isinstance(kube, Cluster)
    assert kube.name == "kube"
    ns = served.run(lambda: served.reference.api.get("namespaces", kube.namespace))
    assert ns["metadata"]["labels"][MANAGED_BY_LABEL] == MANAGED_BY
    assert ns["metadata"]["labels"][EXAMPLE_NAMESPACE_LABEL] == "true"
    assert kube.namespace.startswith("kconform-")


def test_unreachable_cluster_is_backend_unavailable_in_one_line(tmp_path: Path) -> None:
    kubeconfig = write_kubeconfig(tmp_path / "kc", "http://127.0.0.1:9")  # discard port: refused
    with pytest.raises(BackendUnavailable) as info:
        KubeBackend(kubeconfig=str(kubeconfig), request_timeout_s=2)
    message = str(info.value)
    assert "\n" not in message and "127.0.0.1:9" in message


def test_missing_kubeconfig_or_context_is_backend_unavailable(tmp_path: Path, served: Served) -> None:
    with pytest.raises(BackendUnavailable, match="cannot load kubeconfig"):
        KubeBackend(kubeconfig=str(tmp_path / "absent"))
    with pytest.raises(BackendUnavailable, match="no-such-context"):
        KubeBackend(kubeconfig=str(served.kubeconfig), context="no-such-context")


def test_the_kubeconfig_is_only_read(served: Served, kube: KubeBackend) -> None:
    before = served.kubeconfig.read_text()
    kube.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": "b"}})
    assert served.kubeconfig.read_text() == before


# -- verbs -------------------------------------------------------------------------------------
def test_apply_get_list_scale_delete_round_trip(kube: KubeBackend) -> None:
    out = kube.apply(deployment("web", 2))
    assert out["metadata"]["namespace"] == kube.namespace
    assert out["spec"]["replicas"] == 2
    # apply again = update in place (server-side apply, same field manager)
    again = kube.apply(deployment("web", 3))
    assert again["metadata"]["uid"] == out["metadata"]["uid"]
    assert again["spec"]["replicas"] == 3
    got = kube.get("deployments", "web")
    assert got is not None and got["spec"]["replicas"] == 3
    assert [d["metadata"]["name"] for d in kube.list("deployments", kube.namespace)] == ["web"]
    scale = kube.scale("deployments", "web", kube.namespace, 1)
    assert scale["kind"] == "Scale" and scale["spec"]["replicas"] == 1
    assert kube.delete("deployments", "web", kube.namespace) is True
    assert kube.get("deployments", "web", kube.namespace) is None
    assert kube.delete("deployments", "web", kube.namespace) is False


def test_label_selector_and_generate_name(kube: KubeBackend) -> None:
    kube.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "labels": {"k": "1"}}})
    kube.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b", "labels": {"k": "2"}}})
    made = kube.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"generateName": "gen-"}})
    assert made["metadata"]["name"].startswith("gen-")
    names = [c["metadata"]["name"] for c in kube.list("configmaps", kube.namespace, label_selector="k=2")]
    assert names == ["b"]


def test_rejections_carry_the_servers_status(kube: KubeBackend) -> None:
    with pytest.raises(ApiRejected) as info:
        kube.apply(deployment("Not_Valid", 1))
    assert info.value.code == 422
    assert info.value.status["reason"] == "Invalid"
    assert "metadata.name" in info.value.status["message"]
    with pytest.raises(InvalidArgument, match="does not serve kind"):
        kube.apply({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}})


def test_status_of_builds_a_status_from_a_non_json_body() -> None:
    from kubernetes.client.rest import ApiException

    e = ApiException(status=502, reason="Bad Gateway")
    e.body = "upstream down"
    st = status_of(e)
    assert st["code"] == 502 and st["reason"] == "Bad Gateway" and st["message"] == "upstream down"


# -- isolation and cleanup -----------------------------------------------------------------------
def test_close_removes_owned_namespaces_and_objects_created_elsewhere(served: Served) -> None:
    kube = KubeBackend(kubeconfig=str(served.kubeconfig), poll_interval_s=0.2)
    kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "suite-ns"}})
    kube.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "mine", "namespace": "default"}})
    # someone else's object in default: updated by the test, but not deleted by kconform
    served.run(lambda: served.reference.api.create(
        "configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "theirs"}}, "default"))
    kube.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "theirs", "namespace": "default"},
                "data": {"x": "y"}})
    suite_ns = kube.get("namespaces", "suite-ns")
    assert suite_ns is not None and suite_ns["metadata"]["labels"][MANAGED_BY_LABEL] == MANAGED_BY
    example_ns = kube.namespace
    kube.close()
    kube.close()  # idempotent

    def state() -> dict[str, Any]:
        api = served.reference.api
        return {
            "namespaces": {n["metadata"]["name"]: n for n in api.list("namespaces")["items"]},
            "default": {c["metadata"]["name"] for c in api.list("configmaps", "default")["items"]},
        }

    deadline = time.monotonic() + 10
    while True:
        s = served.run(state)
        if (example_ns not in s["namespaces"] and "suite-ns" not in s["namespaces"]) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert example_ns not in s["namespaces"] and "suite-ns" not in s["namespaces"]
    assert "mine" not in s["default"]
    assert "theirs" in s["default"]


def test_stale_kconform_namespaces_are_swept(served: Served) -> None:
    def old_namespace() -> None:
        api = served.reference.api
        api.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {
            "name": "kconform-stale", "labels": {MANAGED_BY_LABEL: MANAGED_BY}}})

    served.run(old_namespace)
    kube = KubeBackend(kubeconfig=str(served.kubeconfig), sweep_stale=False)
    try:
        assert kube.sweep_stale_namespaces() == []  # young on the server's clock: kept
        assert kube.sweep_stale_namespaces(older_than_s=-1) == ["kconform-stale"]  # never its own
        assert kube.get("namespaces", kube.namespace) is not None
    finally:
        kube.close()


def test_snapshot_sees_kconforms_objects_but_not_other_tenants(served: Served, kube: KubeBackend) -> None:
    kube.apply(deployment("ours", 1))
    kube.apply(deployment("ours-in-default", 1, namespace="default"))

    def other_tenant() -> None:
        api = served.reference.api
        api.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "tenant"}})
        api.create("deployments", deployment("theirs", 1, namespace="tenant"), "tenant")
        api.create("deployments", deployment("theirs-in-default", 1, namespace="default"), "default")

    served.run(other_tenant)
    assert kube.settle(timeout_s=30)
    snap = kube.snapshot()
    deps = {(d["metadata"]["namespace"], d["metadata"]["name"]) for d in snap.of("deployments")}
    assert deps == {(kube.namespace, "ours"), ("default", "ours-in-default")}
    assert ready_pods(snap, "ours") == 1 and ready_pods(snap, "ours-in-default") == 1
    assert ready_pods(snap, "theirs") == 0 and ready_pods(snap, "theirs-in-default") == 0
    rs_owners = {r["metadata"]["ownerReferences"][0]["name"] for r in snap.of("replicasets")}
    assert rs_owners == {"ours", "ours-in-default"}
    assert {n["metadata"]["name"] for n in snap.of("namespaces")} == {kube.namespace, "default"}
    assert len(snap.of("nodes")) == 3
    assert {lease["metadata"]["namespace"] for lease in snap.of("leases")} <= {"kube-node-lease", kube.namespace}
    assert int(snap.resource_version) > 0 and snap.routes is None
    assert abs(snap.time_s - time.time()) < 60
    # list(namespace=None) applies the same scope
    assert {p["metadata"]["labels"]["app"] for p in kube.list("pods")} == {"ours", "ours-in-default"}


# -- time ------------------------------------------------------------------------------------------
def test_settle_waits_for_a_quiet_cluster(kube: KubeBackend) -> None:
    kube.apply(deployment("web", 3))
    assert kube.settle(timeout_s=30) is True
    snap = kube.snapshot()
    assert ready_pods(snap, "web") == 3
    assert fingerprint(snap) == fingerprint(kube.snapshot())


def test_settle_gives_up_at_the_timeout(kube: KubeBackend) -> None:
    t0 = time.monotonic()
    kube.apply(deployment("web", 3))
    assert kube.settle(timeout_s=0) is False
    assert time.monotonic() - t0 < 5


def test_wait_until_and_advance(kube: KubeBackend) -> None:
    kube.apply(deployment("web", 2))
    snap = kube.wait_until(lambda s: ready_pods(s, "web") == 2, timeout_s=30)
    assert snap is not None
    assert kube.wait_until(lambda s: False, timeout_s=0.3) is None
    t0 = time.monotonic()
    kube.advance(0.2)
    assert time.monotonic() - t0 >= 0.2
    with pytest.raises(InvalidArgument, match="backwards"):
        kube.advance(-1)


# -- faults ------------------------------------------------------------------------------------------
def test_detects_the_kconform_fault_endpoint(kube: KubeBackend) -> None:
    assert isinstance(kube.fault_provider, ServerFaultProvider)
    assert {"kill-node", "restart-node", "partition-node"} <= kube.capabilities
    assert "simulated-time" not in kube.capabilities


def test_a_server_without_fault_injection_offers_no_node_faults(served_no_faults: Served) -> None:
    kube = KubeBackend(kubeconfig=str(served_no_faults.kubeconfig))
    try:
        assert kube.fault_provider is None
        assert kube.capabilities == frozenset()
        with pytest.raises(CapabilityMissing, match="kill-node"):
            kube.inject(F.KillNode("node-1"))
    finally:
        kube.close()


def test_kill_and_restart_a_node_through_the_endpoint(served: Served, kube: KubeBackend) -> None:
    kube.inject(F.KillNode("node-2"))
    assert served.faults == [{"fault": "KillNode", "node": "node-2"}]
    assert served.run(lambda: served.reference.cluster.nodes["node-2"].state) == "dead"
    snap = kube.snapshot()
    assert snap.dead_nodes == frozenset({"node-2"}) and "node-2" in snap.dead_since_s
    kube.inject(F.RestartNode("node-2"))
    assert served.run(lambda: served.reference.cluster.nodes["node-2"].state) == "running"
    assert kube.snapshot().dead_nodes == frozenset()
    with pytest.raises(InvalidArgument, match="node-9"):
        kube.inject(F.KillNode("node-9"))


def test_cordon_drain_uncordon_through_the_api(served: Served, kube: KubeBackend) -> None:
    kube.apply(deployment("web", 3))
    assert kube.settle(timeout_s=30)
    node = next(p["spec"]["nodeName"] for p in kube.list("pods", kube.namespace))
    kube.inject(F.DrainNode(node))
    assert kube.get("nodes", node)["spec"]["unschedulable"] is True  # type: ignore[index]
    assert kube.settle(timeout_s=30)
    pods = [p for p in kube.list("pods", kube.namespace) if not p["metadata"].get("deletionTimestamp")]
    assert len(pods) == 3 and all(p["spec"]["nodeName"] != node for p in pods)
    kube.inject(F.UncordonNode(node))
    assert not kube.get("nodes", node)["spec"].get("unschedulable")  # type: ignore[index]
    kube.inject(F.CordonNode(node))
    kube.close()  # uncordons what kconform cordoned
    assert not served.run(lambda: served.reference.api.get("nodes", node))["spec"].get("unschedulable")


# -- compare: the embedded reference vs the same reference behind the wire format ----------------
def test_compare_embedded_reference_with_served_reference_through_kube(served: Served) -> None:
    from kconform.compare import compare

    def unnamespaced(d: dict[str, Any]) -> dict[str, Any]:
        d["metadata"].pop("namespace", None)
        return d

    steps: list[dict[str, Any]] = [
        {"op": "apply", "manifest": deployment("web", 3)},
        {"op": "apply", "manifest": deployment("api", 1, namespace="default")},
        {"op": "apply", "manifest": unnamespaced({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                                                  "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})},
        {"op": "scale", "resource": "deployments", "name": "api", "namespace": "default", "replicas": 2},
        {"op": "apply-invalid", "manifest": deployment("Bad_Name", 1)},
    ]
    # the reference defaults a missing namespace to "default", the kube backend to its own
    result = compare(
        steps,
        lambda: ReferenceBackend(nodes=3, seed=3),
        lambda: KubeBackend(kubeconfig=str(served.kubeconfig), poll_interval_s=0.2),
        settle_timeout_s=30,
    )
    assert result.equal, result.report
