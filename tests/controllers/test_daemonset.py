"""DaemonSetController against a bare API server (no scheduler or kubelet: the test plays them)."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.client import Component
from reference_impl.controllers.daemonset import (
    DaemonSetController,
    hash_template,
    node_should_run_daemon_pod,
    replace_node_name_affinity,
    safe_encode,
    target_node_name,
)
from tests.simenv import SimEnv

Obj = dict[str, Any]
NS = "default"


def start(env: SimEnv) -> tuple[Component, DaemonSetController]:
    cm = Component(env.api, env.loop, env.rng, env.config, name="kube-controller-manager")
    c = DaemonSetController(cm)
    orig = cm.setup

    def setup() -> None:
        orig()
        c.setup()

    cm.setup = setup  # type: ignore[method-assign]
    cm.start()
    return cm, c


def daemonset(name: str = "agent", *, image: str = "agent:1", strategy: Obj | None = None, **spec: Any) -> Obj:
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": image}], **spec.pop("pod_spec", {})},
            },
            **({"updateStrategy": strategy} if strategy else {}),
            **spec,
        },
    }


def ds_pods(env: SimEnv, name: str = "agent") -> list[Obj]:
    return sorted(
        env.api.list("pods", NS, label_selector=f"app={name}")["items"], key=lambda p: p["metadata"]["name"]
    )


def pods_by_node(env: SimEnv, name: str = "agent") -> dict[str, list[Obj]]:
    out: dict[str, list[Obj]] = {}
    for p in ds_pods(env, name):
        out.setdefault(target_node_name(p) or "", []).append(p)
    return out


def bind_and_run(env: SimEnv, *, ready: bool = True) -> None:
    """Play scheduler + kubelet: bind every pending daemon pod to its node and mark it Running."""
    for p in ds_pods(env):
        if p["metadata"].get("deletionTimestamp"):
            continue
        node = target_node_name(p)
        assert node is not None
        name = p["metadata"]["name"]
        if not p["spec"].get("nodeName"):
            env.api.create("pods", {"target": {"name": node}}, NS, subresource="binding", name=name)
        if p["status"].get("phase") != "Running":
            env.set_pod_running(name, NS, ready=ready)


def finish_terminating(env: SimEnv) -> None:
    """Play the kubelet's final grace-0 delete of terminating pods."""
    for p in ds_pods(env):
        if p["metadata"].get("deletionTimestamp"):
            env.api.delete("pods", p["metadata"]["name"], NS, grace_period_seconds=0)


NO_SCHEDULE = {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}
NO_EXECUTE = {"key": "dedicated", "value": "gpu", "effect": "NoExecute"}


@pytest.mark.parametrize(
    ("taints", "labels", "pod_spec", "expected"),
    [
        ([], {}, {}, (True, True)),
        ([NO_SCHEDULE], {}, {}, (False, True)),
        ([NO_EXECUTE], {}, {}, (False, False)),
        ([NO_SCHEDULE], {}, {"tolerations": [{"key": "dedicated", "operator": "Exists"}]}, (True, True)),
        # the controller's own tolerations
        ([{"key": "node.kubernetes.io/not-ready", "effect": "NoExecute"}], {}, {}, (True, True)),
        ([{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}], {}, {}, (True, True)),
        ([{"key": "node.kubernetes.io/network-unavailable", "effect": "NoSchedule"}], {}, {}, (False, True)),
        (
            [{"key": "node.kubernetes.io/network-unavailable", "effect": "NoSchedule"}],
            {},
            {"hostNetwork": True},
            (True, True),
        ),
        ([], {"disk": "ssd"}, {"nodeSelector": {"disk": "ssd"}}, (True, True)),
        ([], {"disk": "hdd"}, {"nodeSelector": {"disk": "ssd"}}, (False, False)),
        ([], {}, {"nodeName": "other"}, (False, False)),
        (
            [],
            {"zone": "a"},
            {
                "affinity": {
                    "nodeAffinity": {
                        "requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}]
                        }
                    }
                }
            },
            (False, False),
        ),
    ],
)
def test_node_should_run_daemon_pod(
    taints: list[Obj], labels: dict[str, str], pod_spec: Obj, expected: tuple[bool, bool]
) -> None:
    node = {"metadata": {"name": "n1", "labels": labels}, "spec": {"taints": taints}}
    ds = daemonset(pod_spec=pod_spec)
    assert node_should_run_daemon_pod(node, ds) == expected


def test_replace_node_name_affinity_replaces_terms_and_keeps_the_rest() -> None:
    aff = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [{"key": "a", "operator": "Exists"}]}]
            },
            "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "preference": {}}],
        }
    }
    out = replace_node_name_affinity(aff, "n7")
    assert out["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"] == [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n7"]}]}
    ]
    assert out["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert aff["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0].get(
        "matchExpressions"
    ), "the input must not be mutated"


def test_hash_is_deterministic_and_safe_encoded() -> None:
    t = {"metadata": {"labels": {"b": "1", "a": "2"}}, "spec": {"containers": []}}
    t2 = {"spec": {"containers": []}, "metadata": {"labels": {"a": "2", "b": "1"}}}
    h = hash_template(t, None)
    assert h == hash_template(t2, 0)
    assert h != hash_template(t, 1)
    assert set(h) <= set("bcdfghjklmnpqrstvwxz2456789")
    assert safe_encode("0123456789") == "456789bcdf"  # rand.SafeEncodeString on the decimal digits


def test_one_pod_per_eligible_node_and_none_on_tainted() -> None:
    env = SimEnv()
    env.node("n1")
    env.node("n2")
    env.node("tainted", taints=[NO_SCHEDULE])
    start(env)
    env.api.create("daemonsets", daemonset(), NS)
    env.settle()
    by_node = pods_by_node(env)
    assert sorted(by_node) == ["n1", "n2"]
    pod = by_node["n1"][0]
    assert pod["metadata"]["generateName"] == "agent-"
    assert pod["metadata"]["labels"]["pod-template-generation"] == "1"
    assert pod["metadata"]["ownerReferences"][0]["kind"] == "DaemonSet"
    tol_keys = {(t["key"], t["effect"]) for t in pod["spec"]["tolerations"]}
    assert ("node.kubernetes.io/unreachable", "NoExecute") in tol_keys
    assert ("node.kubernetes.io/unschedulable", "NoSchedule") in tol_keys
    not_ready = [t for t in pod["spec"]["tolerations"] if t["key"] == "node.kubernetes.io/not-ready"]
    assert not_ready == [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"}]
    revs = env.api.list("controllerrevisions", NS)["items"]
    assert len(revs) == 1
    h = pod["metadata"]["labels"]["controller-revision-hash"]
    assert revs[0]["metadata"]["name"] == f"agent-{h}"
    status = env.api.get("daemonsets", "agent", NS)["status"]
    assert status["desiredNumberScheduled"] == 2
    assert status["currentNumberScheduled"] == 2
    assert status["numberReady"] == 0
    assert status["numberUnavailable"] == 2
    bind_and_run(env)
    env.settle()
    status = env.api.get("daemonsets", "agent", NS)["status"]
    assert (status["numberReady"], status["numberAvailable"], status["updatedNumberScheduled"]) == (2, 2, 2)
    assert "numberUnavailable" not in status
    events = [
        (e["reason"], e["message"]) for e in env.api.list("events", NS)["items"] if e["reason"] == "SuccessfulCreate"
    ]
    assert sorted(m for _, m in events) == sorted(f"Created pod: {p['metadata']['name']}" for p in ds_pods(env))


def test_new_node_gets_a_pod_and_no_execute_taint_evicts() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    env.api.create("daemonsets", daemonset(), NS)
    env.settle()
    assert sorted(pods_by_node(env)) == ["n1"]
    env.node("n2")
    env.settle()
    assert sorted(pods_by_node(env)) == ["n1", "n2"]
    bind_and_run(env)
    env.settle()
    # a NoSchedule taint keeps the existing pod: no misscheduled pod, no new one
    node = env.api.get("nodes", "n2")
    node["spec"]["taints"] = [NO_SCHEDULE]
    env.api.update("nodes", node)
    env.settle()
    assert sorted(pods_by_node(env)) == ["n1", "n2"]
    status = env.api.get("daemonsets", "agent", NS)["status"]
    assert (status["desiredNumberScheduled"], status["numberMisscheduled"]) == (1, 1)
    # a NoExecute taint removes it
    node = env.api.get("nodes", "n2")
    node["spec"]["taints"] = [NO_EXECUTE]
    env.api.update("nodes", node)
    env.settle()
    finish_terminating(env)
    env.settle()
    assert sorted(pods_by_node(env)) == ["n1"]
    deleted = [e["message"] for e in env.api.list("events", NS)["items"] if e["reason"] == "SuccessfulDelete"]
    assert len(deleted) == 1 and deleted[0].startswith("Deleted pod: agent-")


def test_failed_daemon_pod_is_replaced() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    env.api.create("daemonsets", daemonset(), NS)
    env.settle()
    bind_and_run(env)
    env.settle()
    (pod,) = ds_pods(env)
    pod["status"]["phase"] = "Failed"
    env.api.update("pods", pod, NS, subresource="status")
    env.settle()
    (new,) = ds_pods(env)
    assert new["metadata"]["name"] != pod["metadata"]["name"]
    reasons = {e["reason"] for e in env.api.list("events", NS)["items"]}
    assert "FailedDaemonPod" in reasons


@pytest.mark.parametrize(("max_unavailable", "budget"), [(1, 1), (2, 2), ("50%", 2), ("25%", 1)])
def test_rolling_update_respects_max_unavailable(max_unavailable: int | str, budget: int) -> None:
    env = SimEnv()
    for i in range(4):
        env.node(f"n{i}")
    start(env)
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": max_unavailable}}
    env.api.create("daemonsets", daemonset(strategy=strategy), NS)
    env.settle()
    bind_and_run(env)
    env.settle()
    ds = env.api.get("daemonsets", "agent", NS)
    old_hash = ds_pods(env)[0]["metadata"]["labels"]["controller-revision-hash"]
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = "agent:2"
    env.api.update("daemonsets", ds, NS)
    rounds = 0
    while True:
        env.settle()
        pods = ds_pods(env)
        terminating = [p for p in pods if p["metadata"].get("deletionTimestamp")]
        unavailable_nodes = {target_node_name(p) for p in terminating} | {
            target_node_name(p) for p in pods if p["status"].get("phase") != "Running"
        }
        assert len(unavailable_nodes) <= budget
        if all(p["metadata"]["labels"]["controller-revision-hash"] != old_hash for p in pods) and not terminating:
            if all(p["status"].get("phase") == "Running" for p in pods):
                break
        finish_terminating(env)
        env.settle()
        bind_and_run(env)
        rounds += 1
        assert rounds < 10
    assert sorted(pods_by_node(env)) == ["n0", "n1", "n2", "n3"]
    assert all(p["spec"]["containers"][0]["image"] == "agent:2" for p in ds_pods(env))
    env.settle()
    status = env.api.get("daemonsets", "agent", NS)["status"]
    assert status["updatedNumberScheduled"] == 4
    assert status["observedGeneration"] == 2
    assert len(env.api.list("controllerrevisions", NS)["items"]) == 2


def test_on_delete_strategy_waits_for_manual_deletion() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    env.api.create("daemonsets", daemonset(strategy={"type": "OnDelete"}), NS)
    env.settle()
    bind_and_run(env)
    env.settle()
    ds = env.api.get("daemonsets", "agent", NS)
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = "agent:2"
    env.api.update("daemonsets", ds, NS)
    env.settle()
    (pod,) = ds_pods(env)
    assert pod["spec"]["containers"][0]["image"] == "agent:1"
    assert env.api.get("daemonsets", "agent", NS)["status"].get("updatedNumberScheduled", 0) == 0
    env.api.delete("pods", pod["metadata"]["name"], NS, grace_period_seconds=0)
    env.settle()
    (pod,) = ds_pods(env)
    assert pod["spec"]["containers"][0]["image"] == "agent:2"


def test_max_surge_creates_new_pod_before_deleting_old() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}
    env.api.create("daemonsets", daemonset(strategy=strategy), NS)
    env.settle()
    bind_and_run(env)
    env.settle()
    ds = env.api.get("daemonsets", "agent", NS)
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = "agent:2"
    env.api.update("daemonsets", ds, NS)
    env.settle()
    pods = ds_pods(env)
    assert len(pods) == 2 and not any(p["metadata"].get("deletionTimestamp") for p in pods)
    bind_and_run(env)
    env.settle()
    finish_terminating(env)
    env.settle()
    (pod,) = ds_pods(env)
    assert pod["spec"]["containers"][0]["image"] == "agent:2"
