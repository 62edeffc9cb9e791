"""NamespaceController: a deleted namespace is emptied, then finalized and gone."""

from __future__ import annotations

from typing import Any

from reference_impl.apiserver import ApiError
from reference_impl.client import Component
from reference_impl.controllers.namespace import NamespaceController
from tests.simenv import SimEnv

Obj = dict[str, Any]


def start(env: SimEnv) -> NamespaceController:
    cm = Component(env.api, env.loop, env.rng, env.config, name="kube-controller-manager")
    c = NamespaceController(cm)
    orig = cm.setup
    cm.setup = lambda: (orig(), c.setup())  # type: ignore[method-assign]
    cm.start()
    return c


def make_ns(env: SimEnv, name: str = "team") -> None:
    env.api.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})


def configmap(env: SimEnv, name: str, ns: str = "team", finalizers: list[str] | None = None) -> Obj:
    meta: Obj = {"name": name, "namespace": ns}
    if finalizers:
        meta["finalizers"] = finalizers
    return env.api.create("configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}, ns)


def ns_or_none(env: SimEnv, name: str = "team") -> Obj | None:
    try:
        return env.api.get("namespaces", name)
    except ApiError as e:
        assert e.code == 404
        return None


def conditions(ns: Obj) -> dict[str, Obj]:
    return {c["type"]: c for c in ns["status"].get("conditions") or []}


def test_namespace_with_plain_content_goes_away() -> None:
    env = SimEnv()
    start(env)
    make_ns(env)
    configmap(env, "a")
    configmap(env, "b")
    env.pod("unscheduled", "team")
    configmap(env, "elsewhere", "default")
    env.api.delete("namespaces", "team")
    env.settle(10)
    assert ns_or_none(env) is None
    assert env.api.list("configmaps", "team")["items"] == []
    assert env.api.list("pods", "team")["items"] == []
    assert env.api.get("configmaps", "elsewhere", "default")


def test_waits_for_graceful_pod_termination() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    make_ns(env)
    configmap(env, "a")
    env.pod("running", "team", node_name="n1")
    env.api.delete("namespaces", "team")
    env.settle(1)
    ns = ns_or_none(env)
    assert ns is not None and ns["status"]["phase"] == "Terminating"
    assert env.api.list("configmaps", "team")["items"] == []
    pod = env.api.get("pods", "running", "team")
    assert pod["metadata"].get("deletionTimestamp")
    conds = conditions(ns)
    assert conds["NamespaceContentRemaining"]["status"] == "True"
    assert conds["NamespaceContentRemaining"]["reason"] == "SomeResourcesRemain"
    assert conds["NamespaceContentRemaining"]["message"] == "Some resources are remaining: pods has 1 resource instances"
    assert conds["NamespaceDeletionContentFailure"]["status"] == "False"
    assert ns["spec"]["finalizers"] == ["kubernetes"]
    env.advance(10)
    env.api.delete("pods", "running", "team", grace_period_seconds=0)  # the kubelet finished
    env.settle(60)
    assert ns_or_none(env) is None


def test_finalizer_holds_namespace_until_released() -> None:
    env = SimEnv()
    start(env)
    make_ns(env)
    configmap(env, "held", finalizers=["example.com/hold"])
    env.api.delete("namespaces", "team")
    env.settle(1)
    ns = ns_or_none(env)
    assert ns is not None
    conds = conditions(ns)
    assert conds["NamespaceFinalizersRemaining"]["status"] == "True"
    assert conds["NamespaceFinalizersRemaining"]["message"] == (
        "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances"
    )
    env.advance(100)
    assert ns_or_none(env) is not None
    cm = env.api.get("configmaps", "held", "team")
    cm["metadata"]["finalizers"] = []
    env.api.update("configmaps", cm, "team")  # the object goes now
    env.settle(30)
    assert ns_or_none(env) is None


def test_live_namespace_is_left_alone() -> None:
    env = SimEnv()
    start(env)
    make_ns(env)
    configmap(env, "a")
    env.settle(5)
    assert env.api.get("configmaps", "a", "team")
    assert ns_or_none(env) is not None
