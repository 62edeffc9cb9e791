"""StatefulSetController against a bare API server (no kubelet: the test marks pods Running/Ready)."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.client import Component
from reference_impl.controllers.statefulset import StatefulSetController, ordinal_of
from tests.simenv import SimEnv

Obj = dict[str, Any]
NS = "default"


def start(env: SimEnv) -> tuple[Component, StatefulSetController]:
    cm = Component(env.api, env.loop, env.rng, env.config, name="kube-controller-manager")
    c = StatefulSetController(cm)
    orig = cm.setup

    def setup() -> None:
        orig()
        c.setup()

    cm.setup = setup  # type: ignore[method-assign]
    cm.start()
    return cm, c


def statefulset(name: str = "web", *, replicas: int = 3, image: str = "nginx:1", **spec: Any) -> Obj:
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "replicas": replicas,
            "serviceName": "nginx",
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": image}]},
            },
            **spec,
        },
    }


def names(env: SimEnv, *, include_terminating: bool = True) -> list[str]:
    pods = env.api.list("pods", NS, label_selector="app=web")["items"]
    return sorted(
        (p["metadata"]["name"] for p in pods if include_terminating or not p["metadata"].get("deletionTimestamp")),
        key=lambda n: int(n.rsplit("-", 1)[1]),
    )


def run(env: SimEnv, pod: str, *, ready: bool = True) -> None:
    """Bind (so that deletion is graceful, as on a real node) and mark Running."""
    p = env.api.get("pods", pod, NS)
    if not p["spec"].get("nodeName"):
        env.api.create("pods", {"target": {"name": "n1"}}, NS, subresource="binding", name=pod)
    env.set_pod_running(pod, NS, ready=ready)


def run_all(env: SimEnv) -> None:
    for n in names(env):
        p = env.api.get("pods", n, NS)
        if not p["metadata"].get("deletionTimestamp") and p["status"].get("phase") != "Running":
            run(env, n)


def kubelet_finish_deletes(env: SimEnv) -> None:
    for n in names(env):
        if env.api.get("pods", n, NS)["metadata"].get("deletionTimestamp"):
            env.api.delete("pods", n, NS, grace_period_seconds=0)


def image_of(env: SimEnv, pod: str) -> str:
    return str(env.api.get("pods", pod, NS)["spec"]["containers"][0]["image"])


@pytest.mark.parametrize(
    ("pod_name", "expected"), [("web-0", 0), ("web-12", 12), ("web-x", None), ("other-1", None), ("web-web-1", None)]
)
def test_ordinal_of(pod_name: str, expected: int | None) -> None:
    assert ordinal_of("web", {"metadata": {"name": pod_name}}) == expected


def test_ordered_scale_up_waits_for_ready_predecessor() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    env.api.create("statefulsets", statefulset(), NS)
    env.settle()
    assert names(env) == ["web-0"]
    pod = env.api.get("pods", "web-0", NS)
    labels = pod["metadata"]["labels"]
    assert labels["statefulset.kubernetes.io/pod-name"] == "web-0"
    assert labels["apps.kubernetes.io/pod-index"] == "0"
    assert labels["controller-revision-hash"].startswith("web-")
    assert pod["spec"]["hostname"] == "web-0" and pod["spec"]["subdomain"] == "nginx"
    run(env, "web-0", ready=False)
    env.settle()
    assert names(env) == ["web-0"], "Running but not Ready blocks the next ordinal"
    run(env, "web-0")
    env.settle()
    assert names(env) == ["web-0", "web-1"]
    run(env, "web-1")
    env.settle()
    run(env, "web-2")
    env.settle()
    st = env.api.get("statefulsets", "web", NS)["status"]
    assert (st["replicas"], st["readyReplicas"], st["availableReplicas"]) == (3, 3, 3)
    assert st["currentRevision"] == st["updateRevision"] == labels["controller-revision-hash"]
    assert st["currentReplicas"] == st["updatedReplicas"] == 3
    msgs = [e["message"] for e in env.api.list("events", NS)["items"] if e["reason"] == "SuccessfulCreate"]
    assert msgs == [f"create Pod web-{i} in StatefulSet web successful" for i in range(3)]


def test_min_ready_seconds_delays_next_ordinal() -> None:
    env = SimEnv()
    start(env)
    env.api.create("statefulsets", statefulset(replicas=2, minReadySeconds=10), NS)
    env.settle()
    run(env, "web-0")
    env.settle(5)
    assert names(env) == ["web-0"]
    env.settle(20)
    assert names(env) == ["web-0", "web-1"]


def test_ordered_scale_down_from_highest_one_at_a_time() -> None:
    env = SimEnv()
    start(env)
    env.api.create("statefulsets", statefulset(), NS)
    for i in range(3):
        env.settle()
        run(env, f"web-{i}")
    env.settle()
    sts = env.api.get("statefulsets", "web", NS)
    sts["spec"]["replicas"] = 1
    env.api.update("statefulsets", sts, NS)
    env.settle()
    assert names(env, include_terminating=False) == ["web-0", "web-1"], "web-2 goes first"
    assert names(env) == ["web-0", "web-1", "web-2"], "and web-1 waits for it to terminate"
    kubelet_finish_deletes(env)
    env.settle()
    assert names(env, include_terminating=False) == ["web-0"]
    kubelet_finish_deletes(env)
    env.settle()
    assert names(env) == ["web-0"]
    msgs = [e["message"] for e in env.api.list("events", NS)["items"] if e["reason"] == "SuccessfulDelete"]
    assert msgs == ["delete Pod web-2 in StatefulSet web successful", "delete Pod web-1 in StatefulSet web successful"]


def test_parallel_creates_and_deletes_all_at_once() -> None:
    env = SimEnv()
    start(env)
    env.api.create("statefulsets", statefulset(replicas=4, podManagementPolicy="Parallel"), NS)
    env.settle()
    assert names(env) == ["web-0", "web-1", "web-2", "web-3"]
    run_all(env)
    sts = env.api.get("statefulsets", "web", NS)
    sts["spec"]["replicas"] = 1
    env.api.update("statefulsets", sts, NS)
    env.settle()
    assert names(env, include_terminating=False) == ["web-0"]


def test_failed_pod_is_recreated() -> None:
    env = SimEnv()
    start(env)
    env.api.create("statefulsets", statefulset(replicas=1), NS)
    env.settle()
    run(env, "web-0")
    env.settle()
    old_uid = env.api.get("pods", "web-0", NS)["metadata"]["uid"]
    p = env.api.get("pods", "web-0", NS)
    p["status"]["phase"] = "Failed"
    env.api.update("pods", p, NS, subresource="status")
    env.settle()
    new = env.api.get("pods", "web-0", NS)
    assert new["metadata"]["uid"] != old_uid
    reasons = [e["reason"] for e in env.api.list("events", NS)["items"]]
    assert "RecreatingFailedPod" in reasons


@pytest.mark.parametrize("partition", [0, 1, 2])
def test_rolling_update_with_partition(partition: int) -> None:
    env = SimEnv()
    start(env)
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"partition": partition}}
    env.api.create("statefulsets", statefulset(updateStrategy=strategy), NS)
    for i in range(3):
        env.settle()
        run(env, f"web-{i}")
    env.settle()
    old_rev = env.api.get("statefulsets", "web", NS)["status"]["currentRevision"]
    sts = env.api.get("statefulsets", "web", NS)
    sts["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    env.api.update("statefulsets", sts, NS)
    deleted_order: list[str] = []
    for _ in range(10):
        env.settle()
        terminating = [n for n in names(env) if env.api.get("pods", n, NS)["metadata"].get("deletionTimestamp")]
        assert len(terminating) <= 1, "one pod at a time"
        deleted_order += terminating
        kubelet_finish_deletes(env)
        env.settle()
        run_all(env)
    st = env.api.get("statefulsets", "web", NS)["status"]
    assert deleted_order == [f"web-{i}" for i in range(2, partition - 1, -1)]
    for i in range(3):
        assert image_of(env, f"web-{i}") == ("nginx:1" if i < partition else "nginx:2")
    assert st["updatedReplicas"] == 3 - partition
    assert st["updateRevision"] != old_rev
    if partition == 0:
        assert st["currentRevision"] == st["updateRevision"] and st["currentReplicas"] == 3
    else:
        assert st["currentRevision"] == old_rev and st["currentReplicas"] == partition
    assert len(env.api.list("controllerrevisions", NS)["items"]) == 2


def test_partitioned_ordinal_recreated_from_current_revision() -> None:
    env = SimEnv()
    start(env)
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"partition": 1}}
    env.api.create("statefulsets", statefulset(replicas=2, updateStrategy=strategy), NS)
    for i in range(2):
        env.settle()
        run(env, f"web-{i}")
    env.settle()
    sts = env.api.get("statefulsets", "web", NS)
    sts["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    env.api.update("statefulsets", sts, NS)
    env.settle()
    kubelet_finish_deletes(env)
    env.settle()
    run_all(env)
    env.settle()
    env.api.delete("pods", "web-0", NS, grace_period_seconds=0)
    env.settle()
    assert image_of(env, "web-0") == "nginx:1"
    assert image_of(env, "web-1") == "nginx:2"


def test_on_delete_only_replaces_deleted_pods() -> None:
    env = SimEnv()
    start(env)
    env.api.create("statefulsets", statefulset(replicas=2, updateStrategy={"type": "OnDelete"}), NS)
    for i in range(2):
        env.settle()
        run(env, f"web-{i}")
    env.settle()
    sts = env.api.get("statefulsets", "web", NS)
    sts["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    env.api.update("statefulsets", sts, NS)
    env.settle()
    assert [image_of(env, n) for n in names(env)] == ["nginx:1", "nginx:1"]
    env.api.delete("pods", "web-1", NS, grace_period_seconds=0)
    env.settle()
    assert [image_of(env, n) for n in names(env)] == ["nginx:1", "nginx:2"]
