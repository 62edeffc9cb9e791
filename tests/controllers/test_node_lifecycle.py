"""NodeLifecycleController: health from Leases, Unknown after the grace period, taints, eviction."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.client import Component
from reference_impl.controllers.node_lifecycle import (
    NodeLifecycleController,
    matching_tolerations,
    min_toleration_s,
)
from tests.simenv import SimEnv

Obj = dict[str, Any]
UNREACHABLE = "node.kubernetes.io/unreachable"
NOT_READY = "node.kubernetes.io/not-ready"


def start(env: SimEnv) -> tuple[Component, NodeLifecycleController]:
    cm = Component(env.api, env.loop, env.rng, env.config, name="kube-controller-manager")
    c = NodeLifecycleController(cm)
    orig = cm.setup
    cm.setup = lambda: (orig(), c.setup())  # type: ignore[method-assign]
    cm.start()
    return cm, c


def until(env: SimEnv, t_s: float) -> None:
    env.advance(t_s - env.loop.now())


def renew_lease(env: SimEnv, node: str) -> None:
    now = env.loop.clock.rfc3339_micro()
    try:
        lease = env.api.get("leases", node, "kube-node-lease")
    except Exception:
        env.api.create(
            "leases",
            {
                "apiVersion": "coordination.k8s.io/v1",
                "kind": "Lease",
                "metadata": {"name": node, "namespace": "kube-node-lease"},
                "spec": {"holderIdentity": node, "leaseDurationSeconds": 40, "renewTime": now},
            },
            "kube-node-lease",
        )
        return
    lease["spec"]["renewTime"] = now
    env.api.update("leases", lease, "kube-node-lease")


def post_status(env: SimEnv, node: str, *, ready: str = "True", **extra: str) -> None:
    """What a kubelet posts: Ready (and other conditions) with a fresh heartbeat."""
    obj = env.api.get("nodes", node)
    now = env.loop.clock.rfc3339()
    conds = {c["type"]: c for c in obj["status"]["conditions"]}
    for type_, status in {"Ready": ready, **extra}.items():
        c = conds.setdefault(type_, {"type": type_, "lastTransitionTime": now})
        if c.get("status") != status:
            c["lastTransitionTime"] = now
        c.update(status=status, lastHeartbeatTime=now, reason="Kubelet", message="")
    obj["status"]["conditions"] = list(conds.values())
    env.api.update("nodes", obj, subresource="status")


def heartbeats(env: SimEnv, node: str, *, start_s: float, stop_s: float) -> None:
    t = start_s
    while t <= stop_s:
        until(env, t)
        renew_lease(env, node)
        t += 10


def ready_of(env: SimEnv, node: str) -> Obj:
    return next(c for c in env.api.get("nodes", node)["status"]["conditions"] if c["type"] == "Ready")


def taints(env: SimEnv, node: str) -> dict[tuple[str, str], Obj]:
    return {(t["key"], t["effect"]): t for t in env.api.get("nodes", node)["spec"].get("taints") or []}


def tol(key: str, seconds: int | None, effect: str = "NoExecute") -> Obj:
    t: Obj = {"key": key, "operator": "Exists", "effect": effect}
    if seconds is not None:
        t["tolerationSeconds"] = seconds
    return t


def pod_on(env: SimEnv, name: str, node: str, tolerations: list[Obj] | None = None) -> Obj:
    spec: Obj = {
        "containers": [{"name": "app", "image": "registry.k8s.io/pause:3.10"}],
        "nodeName": node,
    }
    if tolerations is not None:
        spec["tolerations"] = tolerations
    env.pod(name, spec=spec)
    return env.set_pod_running(name)


def terminating(env: SimEnv, name: str) -> bool:
    return bool(env.api.get("pods", name, "default")["metadata"].get("deletionTimestamp"))


# -- pure helpers ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("taint_keys", "tolerations", "ok", "wait"),
    [
        ([], [], True, 0.0),
        ([UNREACHABLE], [], False, None),
        ([UNREACHABLE], [tol(UNREACHABLE, 300)], True, 300.0),
        ([UNREACHABLE], [tol(UNREACHABLE, None)], True, None),
        ([UNREACHABLE], [tol(UNREACHABLE, 0)], True, 0.0),
        ([UNREACHABLE], [tol(UNREACHABLE, -5)], True, 0.0),
        ([UNREACHABLE, "x"], [tol(UNREACHABLE, 300), tol("x", 60)], True, 60.0),
        ([UNREACHABLE, "x"], [tol(UNREACHABLE, 300)], False, None),
        ([UNREACHABLE], [{"operator": "Exists"}], True, None),
        ([UNREACHABLE], [tol(UNREACHABLE, 300, effect="NoSchedule")], False, None),
        (["x"], [{"key": "x", "value": "a", "effect": "NoExecute"}], False, None),
    ],
)
def test_tolerations_table(taint_keys: list[str], tolerations: list[Obj], ok: bool, wait: float | None) -> None:
    ts = [{"key": k, "effect": "NoExecute", "value": "b" if k == "x" else ""} for k in taint_keys]
    got_ok, used = matching_tolerations(ts, tolerations)
    assert got_ok is ok
    if ok:
        assert min_toleration_s(used) == wait


# -- health ----------------------------------------------------------------------------------------
def test_node_goes_unknown_after_grace_period_not_before() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    heartbeats(env, "n1", start_s=2, stop_s=102)  # last renewal at 102, seen by the pass at 105
    until(env, 155)
    assert ready_of(env, "n1")["status"] == "True"
    assert not taints(env, "n1")
    until(env, 160)
    ready = ready_of(env, "n1")
    assert ready["status"] == "Unknown"
    assert ready["reason"] == "NodeStatusUnknown"
    assert ready["message"] == "Kubelet stopped posting node status."
    t = taints(env, "n1")
    assert set(t) == {(UNREACHABLE, "NoExecute"), (UNREACHABLE, "NoSchedule")}
    assert t[(UNREACHABLE, "NoExecute")]["timeAdded"] == env.loop.clock.rfc3339(160)
    events = env.api.list("events", "default")["items"]
    assert any(e["reason"] == "NodeNotReady" and e["message"] == "Node n1 status is now: NodeNotReady" for e in events)


def test_node_never_ready_uses_startup_grace() -> None:
    env = SimEnv()
    env.api.create("nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}})
    start(env)
    until(env, 60)
    assert not (env.api.get("nodes", "n1").get("status") or {}).get("conditions")
    until(env, 65)
    conds = {c["type"]: c for c in env.api.get("nodes", "n1")["status"]["conditions"]}
    assert set(conds) == {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}
    assert conds["Ready"]["status"] == "Unknown"
    assert conds["Ready"]["reason"] == "NodeStatusNeverUpdated"


def test_ready_false_gets_not_ready_taints_and_recovery_removes_them() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    until(env, 3)
    post_status(env, "n1", ready="False", MemoryPressure="True")
    env.settle(1)
    until(env, 6)
    assert set(taints(env, "n1")) == {
        (NOT_READY, "NoExecute"),
        (NOT_READY, "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    }
    post_status(env, "n1", ready="True", MemoryPressure="False")
    until(env, 11)
    assert taints(env, "n1") == {}


def test_unschedulable_taint_follows_spec() -> None:
    env = SimEnv()
    env.node("n1", unschedulable=True)
    start(env)
    env.settle(1)
    assert set(taints(env, "n1")) == {("node.kubernetes.io/unschedulable", "NoSchedule")}
    node = env.api.get("nodes", "n1")
    node["spec"]["unschedulable"] = False
    env.api.update("nodes", node)
    env.settle(1)
    assert taints(env, "n1") == {}


def test_unknown_swaps_to_not_ready_when_kubelet_reports_false() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    until(env, 60)
    assert (UNREACHABLE, "NoExecute") in taints(env, "n1")
    post_status(env, "n1", ready="False")
    until(env, 65)
    assert set(taints(env, "n1")) == {(NOT_READY, "NoExecute"), (NOT_READY, "NoSchedule")}


# -- eviction --------------------------------------------------------------------------------------
def test_taint_eviction_honours_toleration_seconds() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    pod_on(env, "p300", "n1")  # admission adds unreachable:NoExecute for 300 s
    pod_on(env, "forever", "n1", [tol(UNREACHABLE, None)])
    pod_on(env, "zero", "n1", [tol(UNREACHABLE, 0)])
    pod_on(env, "p100", "n1", [tol(UNREACHABLE, 100)])
    heartbeats(env, "n1", start_s=2, stop_s=102)
    until(env, 159)
    assert not any(terminating(env, p) for p in ("p300", "forever", "zero", "p100"))
    until(env, 160)  # tainted now
    env.settle(0)
    assert terminating(env, "zero")
    assert not terminating(env, "p100")
    # MarkPodsNotReady
    p = env.api.get("pods", "forever", "default")
    assert next(c for c in p["status"]["conditions"] if c["type"] == "Ready")["status"] == "False"
    until(env, 259)
    assert not terminating(env, "p100")
    until(env, 260)
    assert terminating(env, "p100")
    until(env, 459)
    assert not terminating(env, "p300")
    until(env, 460)
    assert terminating(env, "p300")
    p = env.api.get("pods", "p300", "default")
    assert any(c["type"] == "DisruptionTarget" for c in p["status"]["conditions"])
    until(env, 2000)
    assert not terminating(env, "forever")
    events = env.api.list("events", "default")["items"]
    assert any(e["reason"] == "TaintManagerEviction" and e["message"] == "Marking for deletion Pod default/p300" for e in events)


def test_recovery_cancels_eviction() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    pod_on(env, "p300", "n1")
    heartbeats(env, "n1", start_s=2, stop_s=102)
    until(env, 160)
    assert (UNREACHABLE, "NoExecute") in taints(env, "n1")
    until(env, 200)
    post_status(env, "n1")
    renew_lease(env, "n1")
    heartbeats(env, "n1", start_s=210, stop_s=600)
    assert taints(env, "n1") == {}
    assert ready_of(env, "n1")["status"] == "True"
    assert not terminating(env, "p300")


def test_untolerated_taint_evicts_at_once_and_tolerated_waits() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    pod_on(env, "plain", "n1")
    pod_on(env, "tolerant", "n1", [tol("dedicated", 60)])
    env.settle(1)
    node = env.api.get("nodes", "n1")
    node["spec"]["taints"] = [{"key": "dedicated", "value": "x", "effect": "NoExecute"}]
    env.api.update("nodes", node)
    t0 = env.loop.now()
    env.settle(0.5)
    assert terminating(env, "plain")
    assert not terminating(env, "tolerant")
    until(env, t0 + 59)
    assert not terminating(env, "tolerant")
    until(env, t0 + 61)
    assert terminating(env, "tolerant")


def test_pod_bound_to_tainted_node_is_judged_on_arrival() -> None:
    env = SimEnv()
    env.node("n1", taints=[{"key": "dedicated", "effect": "NoExecute"}])
    start(env)
    env.settle(1)
    pod_on(env, "late", "n1")
    env.settle(0.5)
    assert terminating(env, "late")
