"""The disruption controller and the eviction API: PodDisruptionBudget status and its use.

Upstream: ``pkg/controller/disruption/disruption.go`` (status: expected, desired, current
healthy, disruptions allowed, the DisruptionAllowed condition, observedGeneration, disrupted
pods) and ``pkg/registry/core/pod/storage/eviction.go`` (an eviction takes a disruption from the
status the controller wrote, and is refused with a 429 until the controller has seen the PDB's
generation or while none is allowed).
"""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.apiserver import ApiError
from reference_impl.client import Component
from reference_impl.controllers.disruption import DELETION_TIMEOUT_S, DisruptionController
from tests.simenv import SimEnv

Obj = dict[str, Any]
NS = "default"
EVICTION = {"apiVersion": "policy/v1", "kind": "Eviction"}


def start(env: SimEnv) -> DisruptionController:
    cm = Component(env.api, env.loop, env.rng, env.config, name="kube-controller-manager")
    c = DisruptionController(cm)
    orig = cm.setup
    cm.setup = lambda: (orig(), c.setup())  # type: ignore[method-assign]
    cm.start()
    return c


def pdb(name: str = "db", **spec: Any) -> Obj:
    spec.setdefault("selector", {"matchLabels": {"app": "db"}})
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name}, "spec": spec}


def running_pods(env: SimEnv, *names: str, ready: bool = True, owner: Obj | None = None) -> None:
    env.node("n1")
    for name in names:
        env.pod(name, labels={"app": "db"}, node_name="n1")
        if owner is not None:
            env.api.patch("pods", name, {"metadata": {"ownerReferences": [owner]}}, "merge", NS)
        env.set_pod_running(name, ready=ready)


def status(env: SimEnv, name: str = "db") -> Obj:
    return env.api.get("poddisruptionbudgets", name, NS)["status"]  # type: ignore[no-any-return]


def evict(env: SimEnv, pod: str, *, dry_run: bool = False) -> Obj:
    return env.api.create("pods", {**EVICTION, "metadata": {"name": pod}}, NS, subresource="eviction", name=pod,
                          dry_run=dry_run)


def refused(env: SimEnv, pod: str) -> ApiError:
    with pytest.raises(ApiError) as e:
        evict(env, pod)
    return e.value


def test_status_of_an_integer_min_available() -> None:
    env = SimEnv()
    start(env)
    running_pods(env, "a", "b", "c")
    env.api.create("poddisruptionbudgets", pdb(minAvailable=2), NS)
    env.settle()
    st = status(env)
    cond = st.pop("conditions")
    assert st == {"currentHealthy": 3, "desiredHealthy": 2, "disruptionsAllowed": 1, "expectedPods": 3,
                  "observedGeneration": 1}
    assert [(c["type"], c["status"], c["reason"], c["observedGeneration"]) for c in cond] == [
        ("DisruptionAllowed", "True", "SufficientPods", 1)
    ]


def test_a_pod_that_stops_being_ready_takes_the_disruption_away() -> None:
    env = SimEnv()
    start(env)
    running_pods(env, "a", "b")
    env.api.create("poddisruptionbudgets", pdb(minAvailable=1), NS)
    env.settle()
    assert status(env)["disruptionsAllowed"] == 1
    env.set_pod_running("b", ready=False)
    env.settle()
    st = status(env)
    assert (st["currentHealthy"], st["disruptionsAllowed"]) == (1, 0)
    assert st["conditions"][0]["reason"] == "InsufficientPods" and st["conditions"][0]["status"] == "False"


def test_percentages_and_max_unavailable_count_the_controllers_scale() -> None:
    env = SimEnv()
    start(env)
    rs = env.api.create("replicasets", {
        "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "db"},
        "spec": {"replicas": 4, "selector": {"matchLabels": {"app": "db"}},
                 "template": {"metadata": {"labels": {"app": "db"}},
                              "spec": {"containers": [{"name": "c", "image": "pause"}]}}},
    }, NS)
    owner = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "db", "uid": rs["metadata"]["uid"],
             "controller": True}
    running_pods(env, "a", "b", owner=owner)  # 2 of the 4 replicas exist
    env.api.create("poddisruptionbudgets", pdb("half", minAvailable="50%"), NS)
    env.api.create("poddisruptionbudgets", pdb("one-down", maxUnavailable=1), NS)
    env.settle()
    half, one_down = status(env, "half"), status(env, "one-down")
    assert (half["expectedPods"], half["desiredHealthy"], half["disruptionsAllowed"]) == (4, 2, 0)
    assert (one_down["expectedPods"], one_down["desiredHealthy"], one_down["disruptionsAllowed"]) == (4, 3, 0)


def test_an_unmanaged_pod_under_a_percentage_fails_safe() -> None:
    env = SimEnv()
    start(env)
    orphan_owner = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "gone", "uid": "no-such-uid",
                    "controller": True}
    running_pods(env, "a", owner=orphan_owner)
    env.api.create("poddisruptionbudgets", pdb(maxUnavailable="10%"), NS)
    env.settle()
    st = status(env)
    assert st["disruptionsAllowed"] == 0
    assert [(c["reason"], c["message"]) for c in st["conditions"]] == [("SyncFailed", 'found no controllers for pod "a"')]
    events = [e["reason"] for e in env.api.list("events", NS)["items"]]
    assert "CalculateExpectedPodCountFailed" in events


def test_eviction_waits_for_the_controller_then_takes_a_disruption() -> None:
    env = SimEnv()
    running_pods(env, "a", "b")
    env.api.create("poddisruptionbudgets", pdb(minAvailable=1), NS)
    e = refused(env, "a")  # no controller has looked at the PDB yet
    assert (e.code, e.reason) == (429, "TooManyRequests")
    assert e.message == "Cannot evict pod as it would violate the pod's disruption budget."
    assert e.status["details"]["causes"] == [
        {"reason": "DisruptionBudget", "message": "The disruption budget db is still being processed by the server."}
    ]
    assert e.status["details"]["retryAfterSeconds"] == 10
    start(env)
    env.settle()
    assert evict(env, "a", dry_run=True)["status"] == "Success"
    assert status(env)["disruptionsAllowed"] == 1  # a dry run takes nothing
    assert evict(env, "a")["status"] == "Success"
    pod = env.api.get("pods", "a", NS)
    assert pod["metadata"]["deletionTimestamp"]
    target = [c for c in pod["status"]["conditions"] if c["type"] == "DisruptionTarget"]
    assert [(c["status"], c["reason"], c["message"]) for c in target] == [
        ("True", "EvictionByEvictionAPI", "Eviction API: evicting")
    ]
    e = refused(env, "b")  # the eviction took the one disruption at once
    assert e.status["details"]["causes"][0]["message"] == "The disruption budget db needs 1 healthy pods and has 2 currently"
    env.settle()  # the controller sees "a" going
    e = refused(env, "b")
    assert e.status["details"]["causes"][0]["message"] == "The disruption budget db needs 1 healthy pods and has 1 currently"
    assert "retryAfterSeconds" not in e.status["details"]


def test_an_approved_eviction_is_not_counted_healthy_until_it_times_out() -> None:
    env = SimEnv()
    start(env)
    running_pods(env, "a", "b", "c")
    env.api.create("poddisruptionbudgets", pdb(minAvailable=1), NS)
    env.settle()
    # the eviction API recorded "a" but its deletion never happened (as if the delete had failed)
    st = status(env)
    body = env.api.get("poddisruptionbudgets", "db", NS)
    body["status"] = {**st, "disruptionsAllowed": 1, "disruptedPods": {"a": env.loop.clock.rfc3339()}}
    env.api.update("poddisruptionbudgets", body, NS, subresource="status")
    env.advance(1)
    assert (status(env)["currentHealthy"], status(env)["disruptedPods"]) == (2, {"a": body["status"]["disruptedPods"]["a"]})
    env.advance(DELETION_TIMEOUT_S + 1)
    st = status(env)
    assert st["currentHealthy"] == 3 and "disruptedPods" not in st
    assert "NotDeleted" in [e["reason"] for e in env.api.list("events", NS)["items"]]


def test_unready_pods_are_evicted_without_a_disruption_when_the_budget_is_met() -> None:
    env = SimEnv()
    start(env)
    running_pods(env, "a", "b")
    env.pod("sick", labels={"app": "db"}, node_name="n1")
    env.set_pod_running("sick", ready=False)
    env.api.create("poddisruptionbudgets", pdb(minAvailable=2), NS)
    env.settle()
    assert status(env)["disruptionsAllowed"] == 0
    assert evict(env, "sick")["status"] == "Success"  # IfHealthyBudget: 2 healthy >= 2 desired
    assert refused(env, "a").code == 429


def test_more_than_one_pdb_is_a_500_and_terminal_pods_ignore_budgets() -> None:
    env = SimEnv()
    start(env)
    running_pods(env, "a")
    env.api.create("poddisruptionbudgets", pdb("one", minAvailable=1), NS)
    env.api.create("poddisruptionbudgets", pdb("two", minAvailable=1), NS)
    env.settle()
    e = refused(env, "a")
    assert e.code == 500
    assert e.message == "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."
    env.api.patch("pods", "a", {"status": {"phase": "Succeeded"}}, "merge", NS, subresource="status")
    assert evict(env, "a")["status"] == "Success"
