"""ReplicaSetController: create, adopt/release, ranked scale-down, status, expectations, events."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.client import Component
from reference_impl.controllers import _podutil as pu
from reference_impl.controllers.replicaset import ReplicaSetController
from tests.simenv import SimEnv

Obj = dict[str, Any]
NS = "default"


def start(env: SimEnv) -> tuple[Component, ReplicaSetController]:
    cm = Component(env.api, env.loop, env.rng, env.config, name="kube-controller-manager")
    c = ReplicaSetController(cm)
    orig = cm.setup
    cm.setup = lambda: (orig(), c.setup())  # type: ignore[method-assign]
    cm.start()
    return cm, c


def rs_body(name: str = "web", replicas: int = 3, *, min_ready_s: int = 0, labels: dict[str, str] | None = None) -> Obj:
    labels = labels or {"app": name}
    spec: Obj = {
        "replicas": replicas,
        "selector": {"matchLabels": labels},
        "template": {
            "metadata": {"labels": dict(labels)},
            "spec": {"containers": [{"name": "app", "image": "registry.k8s.io/pause:3.10"}]},
        },
    }
    if min_ready_s:
        spec["minReadySeconds"] = min_ready_s
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": name, "namespace": NS}, "spec": spec}


def pods(env: SimEnv, *, active_only: bool = True) -> list[Obj]:
    items = env.api.list("pods", NS)["items"]
    return [p for p in items if not active_only or pu.is_pod_active(p)]


def bind(env: SimEnv, pod: str, node: str) -> None:
    env.api.create("pods", {"target": {"name": node}}, NS, subresource="binding", name=pod)


def scale(env: SimEnv, name: str, replicas: int) -> None:
    env.api.patch("replicasets", name, {"spec": {"replicas": replicas}}, "merge", NS)


def events(env: SimEnv, reason: str) -> list[str]:
    return sorted(e["message"] for e in env.api.list("events", NS)["items"] if e["reason"] == reason)


def test_creates_replicas_with_owner_and_generate_name() -> None:
    env = SimEnv()
    start(env)
    rs = env.api.create("replicasets", rs_body("web", 3), NS)
    env.settle()
    ps = pods(env)
    assert len(ps) == 3
    for p in ps:
        assert p["metadata"]["name"].startswith("web-")
        assert p["metadata"]["generateName"] == "web-"
        assert p["metadata"]["labels"] == {"app": "web"}
        ref = pu.controller_ref(p)
        assert ref is not None
        assert ref["uid"] == rs["metadata"]["uid"]
        assert ref["kind"] == "ReplicaSet" and ref["blockOwnerDeletion"] is True
    got = env.api.get("replicasets", "web", NS)
    assert got["status"]["replicas"] == 3
    assert got["status"]["fullyLabeledReplicas"] == 3
    assert got["status"]["observedGeneration"] == 1
    assert events(env, "SuccessfulCreate") == sorted(f"Created pod: {p['metadata']['name']}" for p in ps)


def test_adopts_orphan_and_creates_only_the_rest() -> None:
    env = SimEnv()
    env.pod("orphan", labels={"app": "web"})
    env.pod("stranger", labels={"app": "other"})
    start(env)
    rs = env.api.create("replicasets", rs_body("web", 2), NS)
    env.settle()
    orphan = env.api.get("pods", "orphan", NS)
    ref = pu.controller_ref(orphan)
    assert ref is not None and ref["uid"] == rs["metadata"]["uid"] and ref["blockOwnerDeletion"] is True
    assert pu.controller_ref(env.api.get("pods", "stranger", NS)) is None
    owned = [p for p in pods(env) if (pu.controller_ref(p) or {}).get("uid") == rs["metadata"]["uid"]]
    assert len(owned) == 2
    assert len(events(env, "SuccessfulCreate")) == 1


def test_releases_pod_whose_labels_stop_matching_and_replaces_it() -> None:
    env = SimEnv()
    start(env)
    rs = env.api.create("replicasets", rs_body("web", 2), NS)
    env.settle()
    victim = sorted(p["metadata"]["name"] for p in pods(env))[0]
    env.api.patch("pods", victim, {"metadata": {"labels": {"app": "moved"}}}, "merge", NS)
    env.settle()
    assert pu.controller_ref(env.api.get("pods", victim, NS)) is None
    owned = [p for p in pods(env) if (pu.controller_ref(p) or {}).get("uid") == rs["metadata"]["uid"]]
    assert len(owned) == 2 and victim not in {p["metadata"]["name"] for p in owned}


def test_does_not_adopt_pod_owned_by_another_controller() -> None:
    env = SimEnv()
    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": "taken",
            "namespace": NS,
            "labels": {"app": "web"},
            "ownerReferences": [{"apiVersion": "v1", "kind": "Other", "name": "x", "uid": "u-1", "controller": True}],
        },
        "spec": {"containers": [{"name": "app", "image": "pause"}]},
    }
    env.api.create("pods", body, NS)
    start(env)
    env.api.create("replicasets", rs_body("web", 1), NS)
    env.settle()
    assert pu.controller_ref(env.api.get("pods", "taken", NS))["uid"] == "u-1"  # type: ignore[index]
    assert len(pods(env)) == 2


def test_slow_start_batches_stop_after_a_failing_batch() -> None:
    calls: list[int] = []

    def fn() -> None:
        calls.append(1)
        if len(calls) > 3:
            raise RuntimeError("quota")

    successes, err = pu.slow_start_batch(10, 1, fn)
    # batches 1, 2 succeed; the batch of 4 fails on its first call but all 4 are attempted
    assert successes == 3 and isinstance(err, RuntimeError) and len(calls) == 7


@pytest.mark.parametrize(
    ("desc", "setup", "expect_deleted_first"),
    [
        ("pending before running", {"a": ("Running", True), "b": ("Pending", False)}, "b"),
        ("not ready before ready", {"a": ("Running", True), "b": ("Running", False)}, "b"),
        ("unassigned before assigned", {"a": ("unbound", False), "b": ("Pending", False)}, "a"),
    ],
)
def test_scale_down_order(desc: str, setup: dict[str, tuple[str, bool]], expect_deleted_first: str) -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    env.api.create("replicasets", rs_body("web", 2), NS)
    env.settle()
    names = sorted(p["metadata"]["name"] for p in pods(env))
    alias = dict(zip(sorted(setup), names))
    for letter, (state, ready) in setup.items():
        name = alias[letter]
        if state == "unbound":
            continue
        bind(env, name, "n1")
        if state == "Running":
            env.set_pod_running(name, NS, ready=ready)
    env.settle()
    scale(env, "web", 1)
    env.settle()
    remaining = {p["metadata"]["name"] for p in pods(env)}
    assert alias[expect_deleted_first] not in remaining, desc
    assert len(remaining) == 1
    assert events(env, "SuccessfulDelete") == [f"Deleted pod: {alias[expect_deleted_first]}"]


def test_scale_down_prefers_lower_deletion_cost_and_doubled_up_nodes() -> None:
    env = SimEnv()
    for n in ("n1", "n2"):
        env.node(n)
    start(env)
    env.api.create("replicasets", rs_body("web", 4), NS)
    env.settle()
    names = sorted(p["metadata"]["name"] for p in pods(env))
    # three pods on n1, one on n2, all running and ready
    for name, node in zip(names, ("n1", "n1", "n1", "n2")):
        bind(env, name, node)
        env.set_pod_running(name, NS)
    # the cheapest pod goes first even though it sits alone on n2
    env.api.patch("pods", names[3], {"metadata": {"annotations": {pu.POD_DELETION_COST: "-5"}}}, "merge", NS)
    env.settle()
    scale(env, "web", 3)
    env.settle()
    assert names[3] not in {p["metadata"]["name"] for p in pods(env)}
    # then the doubled-up node n1 is drained before n2 would be (n2 is empty now, so n1 anyway);
    # add a fresh lone pod on n2 and check a pod of n1 (3 there) goes before it
    scale(env, "web", 4)
    env.settle()
    new = [p["metadata"]["name"] for p in pods(env) if not p["spec"].get("nodeName")]
    assert len(new) == 1
    bind(env, new[0], "n2")
    env.set_pod_running(new[0], NS)
    env.settle()
    scale(env, "web", 3)
    env.settle()
    left = {p["metadata"]["name"]: p["spec"]["nodeName"] for p in pods(env)}
    assert new[0] in left
    assert sorted(left.values()) == ["n1", "n1", "n2"]


def test_ranking_table() -> None:
    def pod(name: str, **kw: Any) -> Obj:
        p: Obj = {
            "metadata": {"name": name, "namespace": NS, "uid": name, "creationTimestamp": kw.get("created", "2026-01-01T00:00:00Z")},
            "spec": {"nodeName": kw.get("node", "n1")},
            "status": {"phase": kw.get("phase", "Running"), "conditions": []},
        }
        if kw.get("ready_at"):
            p["status"]["conditions"] = [{"type": "Ready", "status": "True", "lastTransitionTime": kw["ready_at"]}]
        if kw.get("restarts"):
            p["status"]["containerStatuses"] = [{"name": "c", "restartCount": kw["restarts"]}]
        return p

    now = 100_000.0
    cases = [
        # (first, second, rank_first, rank_second): first must be deleted before second
        (pod("a", phase="Unknown"), pod("b", phase="Running"), 0, 0),
        (pod("a", ready_at="2026-01-01T01:00:00Z"), pod("b", ready_at="2026-01-01T00:00:00Z"), 0, 0),
        (pod("a", restarts=3), pod("b", restarts=1), 0, 0),
        (pod("a", created="2026-01-01T10:00:00Z"), pod("b", created="2026-01-01T00:00:00Z"), 0, 0),
        (pod("a"), pod("b"), 2, 1),
    ]
    for first, second, r1, r2 in cases:
        assert pu.active_pods_with_ranks_less(first, r1, second, r2, now)
        assert not pu.active_pods_with_ranks_less(second, r2, first, r1, now)


def test_terminating_pods_do_not_count_as_active() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    env.api.create("replicasets", rs_body("web", 2), NS)
    env.settle()
    for p in pods(env):
        bind(env, p["metadata"]["name"], "n1")
        env.set_pod_running(p["metadata"]["name"], NS)
    env.settle()
    doomed = sorted(p["metadata"]["name"] for p in pods(env))[0]
    env.api.delete("pods", doomed, NS)  # graceful: the pod lingers with a deletionTimestamp
    env.settle()
    assert env.api.get("pods", doomed, NS)["metadata"].get("deletionTimestamp")
    assert len(pods(env)) == 2  # a replacement was created
    assert len(pods(env, active_only=False)) == 3
    st = env.api.get("replicasets", "web", NS)["status"]
    assert st["replicas"] == 2 and st["readyReplicas"] == 1


def test_status_available_after_min_ready_seconds() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    env.api.create("replicasets", rs_body("web", 2, min_ready_s=10), NS)
    env.settle()
    for p in pods(env):
        bind(env, p["metadata"]["name"], "n1")
        env.set_pod_running(p["metadata"]["name"], NS)
    ready_at = env.loop.now()
    env.settle(5)
    st = env.api.get("replicasets", "web", NS)["status"]
    assert st["readyReplicas"] == 2 and "availableReplicas" not in st
    env.advance(ready_at + 9.9 - env.loop.now())
    assert "availableReplicas" not in env.api.get("replicasets", "web", NS)["status"]
    env.advance(0.2)  # the controller requeued itself for the instant they become available
    st = env.api.get("replicasets", "web", NS)["status"]
    assert st["availableReplicas"] == 2 and st["replicas"] == 2


def test_expectations_hold_back_a_second_round_of_creates() -> None:
    env = SimEnv()
    _cm, c = start(env)
    env.api.create("replicasets", rs_body("web", 3), NS)
    env.settle()
    key = f"{NS}/web"
    assert c.expectations.satisfied(key)
    # pretend 2 creations are still unobserved: a resync must not create more pods
    c.expectations.expect_creations(key, 2)
    env.api.delete("pods", sorted(p["metadata"]["name"] for p in pods(env))[0], NS)
    env.settle()
    assert len(pods(env)) == 2
    env.advance(pu.EXPECTATIONS_TIMEOUT_S + 1)
    # any event after the expectations expired lets it act again
    env.api.patch("replicasets", "web", {"metadata": {"annotations": {"poke": "1"}}}, "merge", NS)
    env.settle()
    assert len(pods(env)) == 3


def test_failed_create_sets_replica_failure_condition_and_event() -> None:
    env = SimEnv()
    start(env)
    body = rs_body("web", 2)
    env.api.create("replicasets", body, NS)
    orig = env.api.create

    def failing(resource: str, obj: Obj, namespace: str | None = None, **kw: Any) -> Obj:
        if resource == "pods" and not kw.get("subresource"):
            from reference_impl.apiserver.errors import ApiError

            raise ApiError(403, "Forbidden", 'pods "web-" is forbidden: exceeded quota: q')
        return orig(resource, obj, namespace, **kw)

    env.api.create = failing  # type: ignore[method-assign]
    env.settle(1)
    st = env.api.get("replicasets", "web", NS)["status"]
    cond = next(c for c in st["conditions"] if c["type"] == "ReplicaFailure")
    assert cond["status"] == "True" and cond["reason"] == "FailedCreate"
    assert "exceeded quota" in cond["message"]
    assert events(env, "FailedCreate")[0].startswith("Error creating: ")
    env.api.create = orig  # type: ignore[method-assign]
    env.settle(120)
    st = env.api.get("replicasets", "web", NS)["status"]
    assert st["replicas"] == 2 and "conditions" not in st


def test_same_seed_same_history() -> None:
    def run() -> list[str]:
        env = SimEnv(seed=7)
        env.node("n1")
        start(env)
        env.api.create("replicasets", rs_body("web", 5), NS)
        env.settle()
        for p in sorted(pods(env), key=lambda p: p["metadata"]["name"])[:3]:
            bind(env, p["metadata"]["name"], "n1")
            env.set_pod_running(p["metadata"]["name"], NS)
        env.settle()
        scale(env, "web", 2)
        env.settle()
        return sorted(p["metadata"]["name"] for p in pods(env))

    assert run() == run()
