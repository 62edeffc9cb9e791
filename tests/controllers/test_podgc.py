"""PodGCController: orphaned pods after the quarantine, the terminated-pod threshold, terminating
pods on out-of-service nodes and unscheduled terminating pods (``pkg/controller/podgc``)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from reference_impl.apiserver import ApiError
from reference_impl.client import Component
from reference_impl.controllers.podgc import GC_CHECK_PERIOD_S, QUARANTINE_S, PodGCController
from tests.simenv import SimEnv

Obj = dict[str, Any]


def start(env: SimEnv) -> tuple[Component, PodGCController]:
    return env.start_controller(PodGCController)


def names(env: SimEnv) -> list[str]:
    return sorted(p["metadata"]["name"] for p in env.api.list("pods", "default")["items"])


def gone(env: SimEnv, name: str) -> bool:
    try:
        env.api.get("pods", name, "default")
    except ApiError as e:
        return e.code == 404
    return False


def test_pods_of_a_deleted_node_are_failed_and_force_deleted_after_the_quarantine() -> None:
    env = SimEnv()
    env.node("n1")
    env.node("n2")
    env.pod("a", node_name="n1")
    env.pod("b", node_name="n2")
    env.set_pod_running("a")
    seen: list[Obj] = []
    env.api.watch("pods", lambda t, o: seen.append(o) if t == "MODIFIED" else None, "default")
    start(env)
    env.advance(1)
    env.api.delete("nodes", "n1")
    # the pass that first sees the orphan only quarantines its node
    env.advance(GC_CHECK_PERIOD_S)
    assert names(env) == ["a", "b"]
    # the first pass after the quarantine asks the API server, then deletes
    env.advance(QUARANTINE_S)
    assert names(env) == ["b"]
    failed = next(o for o in seen if o["metadata"]["name"] == "a" and o["status"]["phase"] == "Failed")
    cond = next(c for c in failed["status"]["conditions"] if c["type"] == "DisruptionTarget")
    assert (cond["status"], cond["reason"], cond["message"]) == ("True", "DeletionByPodGC", "PodGC: node no longer exists")
    assert cond["lastTransitionTime"]


def test_a_node_that_comes_back_within_the_quarantine_keeps_its_pods() -> None:
    env = SimEnv()
    env.node("n1")
    env.pod("a", node_name="n1")
    start(env)
    env.advance(1)
    env.api.delete("nodes", "n1")
    env.advance(GC_CHECK_PERIOD_S)
    env.node("n1")
    env.advance(QUARANTINE_S + GC_CHECK_PERIOD_S)
    assert names(env) == ["a"]


def test_terminated_pods_beyond_the_threshold_go_evicted_first_then_oldest() -> None:
    env = SimEnv(config=dataclasses.replace(SimEnv().config, terminated_pod_gc_threshold=2))
    env.node("n1")
    for i, name in enumerate(["old", "mid", "new", "evicted", "running"]):
        env.pod(name, node_name="n1")
        env.advance(1)
        if name == "running":
            env.set_pod_running(name)
            continue
        pod = env.api.get("pods", name, "default")
        pod["status"]["phase"] = "Succeeded" if i % 2 == 0 else "Failed"
        if name == "evicted":
            pod["status"].update(phase="Failed", reason="Evicted")
        env.api.update("pods", pod, "default", subresource="status")
    start(env)
    env.advance(1)
    # four terminated, threshold two: the evicted one, then the oldest
    assert names(env) == ["mid", "new", "running"]


def test_terminating_pods_on_an_out_of_service_node_are_force_deleted() -> None:
    env = SimEnv()
    env.node("n1", ready=False, taints=[{"key": "node.kubernetes.io/out-of-service", "effect": "NoExecute"}])
    env.node("n2", ready=False)
    env.pod("a", node_name="n1")
    env.pod("b", node_name="n2")
    for name in ("a", "b"):
        env.set_pod_running(name)
        env.api.delete("pods", name, "default")  # graceful: held until a kubelet confirms
    start(env)
    env.advance(1)
    assert gone(env, "a")
    assert not gone(env, "b")  # not out of service: its kubelet may come back


def test_terminating_pods_no_node_will_ever_run_are_deleted() -> None:
    env = SimEnv()
    pod = env.pod("unbound")
    pod["metadata"]["finalizers"] = ["example.com/hold"]
    env.api.update("pods", pod, "default")
    env.api.delete("pods", "unbound", "default")
    assert env.api.get("pods", "unbound", "default")["metadata"]["deletionTimestamp"]
    start(env)
    env.advance(1)
    # marked Failed and deleted with grace 0; the finalizer still holds the object
    held = env.api.get("pods", "unbound", "default")
    assert held["status"]["phase"] == "Failed"


@pytest.mark.parametrize("threshold", [0])
def test_a_threshold_of_zero_turns_terminated_pod_collection_off(threshold: int) -> None:
    env = SimEnv(config=dataclasses.replace(SimEnv().config, terminated_pod_gc_threshold=threshold))
    env.node("n1")
    env.pod("done", node_name="n1")
    pod = env.api.get("pods", "done", "default")
    pod["status"]["phase"] = "Succeeded"
    env.api.update("pods", pod, "default", subresource="status")
    start(env)
    env.advance(GC_CHECK_PERIOD_S * 2)
    assert names(env) == ["done"]
