"""GarbageCollector: background, foreground and orphan deletion, second owners, cycles."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.apiserver import ApiError
from reference_impl.client import Component
from reference_impl.controllers.garbage_collector import GarbageCollector
from tests.simenv import SimEnv

Obj = dict[str, Any]


def start(env: SimEnv) -> GarbageCollector:
    cm = Component(env.api, env.loop, env.rng, env.config, name="kube-controller-manager")
    gc = GarbageCollector(cm)
    orig = cm.setup
    cm.setup = lambda: (orig(), gc.setup())  # type: ignore[method-assign]
    cm.start()
    return gc


def ref(owner: Obj, *, block: bool = False) -> Obj:
    r: Obj = {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
    }
    if block:
        r["blockOwnerDeletion"] = True
    return r


def cm(env: SimEnv, name: str, *owners: Obj, block: bool = False) -> Obj:
    body = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "default", "ownerReferences": [ref(o, block=block) for o in owners]},
    }
    if not owners:
        del body["metadata"]["ownerReferences"]
    return env.api.create("configmaps", body, "default")


def exists(env: SimEnv, resource: str, name: str) -> Obj | None:
    try:
        return env.api.get(resource, name, "default")
    except ApiError as e:
        assert e.code == 404
        return None


@pytest.mark.parametrize("policy", [None, "Background"])
def test_background_deletes_dependents(policy: str | None) -> None:
    env = SimEnv()
    start(env)
    owner = cm(env, "owner")
    cm(env, "dep1", owner)
    env.pod("dep-pod", spec={"containers": [{"name": "c", "image": "pause"}]})
    pod = env.api.get("pods", "dep-pod", "default")
    pod["metadata"]["ownerReferences"] = [ref(owner)]
    env.api.update("pods", pod, "default")
    cm(env, "bystander")
    env.settle(5)
    assert exists(env, "configmaps", "dep1")
    env.api.delete("configmaps", "owner", "default", propagation_policy=policy)
    assert exists(env, "configmaps", "owner") is None  # background: the owner goes at once
    env.settle(5)
    assert exists(env, "configmaps", "dep1") is None
    assert exists(env, "pods", "dep-pod") is None
    assert exists(env, "configmaps", "bystander")


def test_dependent_with_another_live_owner_survives() -> None:
    env = SimEnv()
    start(env)
    a = cm(env, "a")
    b = cm(env, "b")
    cm(env, "dep", a, b)
    env.settle(5)
    env.api.delete("configmaps", "a", "default")
    env.settle(5)
    dep = exists(env, "configmaps", "dep")
    assert dep is not None
    assert [r["name"] for r in dep["metadata"]["ownerReferences"]] == ["b"]
    env.api.delete("configmaps", "b", "default")
    env.settle(5)
    assert exists(env, "configmaps", "dep") is None


def test_foreground_waits_for_blocking_dependents() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    owner = cm(env, "owner")
    cm(env, "dep-cm", owner, block=True)
    env.pod("dep-pod", spec={"containers": [{"name": "c", "image": "pause"}], "nodeName": "n1"})
    pod = env.api.get("pods", "dep-pod", "default")
    pod["metadata"]["ownerReferences"] = [ref(owner, block=True)]
    env.api.update("pods", pod, "default")
    env.settle(5)
    env.api.delete("configmaps", "owner", "default", propagation_policy="Foreground")
    env.settle(5)
    assert exists(env, "configmaps", "dep-cm") is None
    lingering = exists(env, "pods", "dep-pod")
    assert lingering is not None and lingering["metadata"].get("deletionTimestamp")  # graceful, no kubelet
    held = exists(env, "configmaps", "owner")
    assert held is not None and held["metadata"]["finalizers"] == ["foregroundDeletion"]
    env.api.delete("pods", "dep-pod", "default", grace_period_seconds=0)  # the kubelet's final delete
    env.settle(5)
    assert exists(env, "configmaps", "owner") is None


def test_foreground_non_blocking_dependent_does_not_hold_owner() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    owner = cm(env, "owner")
    env.pod("dep-pod", spec={"containers": [{"name": "c", "image": "pause"}], "nodeName": "n1"})
    pod = env.api.get("pods", "dep-pod", "default")
    pod["metadata"]["ownerReferences"] = [ref(owner)]
    env.api.update("pods", pod, "default")
    env.settle(5)
    env.api.delete("configmaps", "owner", "default", propagation_policy="Foreground")
    env.settle(5)
    assert exists(env, "configmaps", "owner") is None
    dep = exists(env, "pods", "dep-pod")
    assert dep is not None and dep["metadata"].get("deletionTimestamp")


def test_orphan_removes_references_then_finalizer() -> None:
    env = SimEnv()
    start(env)
    owner = cm(env, "owner")
    other = cm(env, "other")
    cm(env, "dep1", owner)
    cm(env, "dep2", owner, other)
    env.settle(5)
    env.api.delete("configmaps", "owner", "default", propagation_policy="Orphan")
    env.settle(5)
    assert exists(env, "configmaps", "owner") is None
    d1 = exists(env, "configmaps", "dep1")
    d2 = exists(env, "configmaps", "dep2")
    assert d1 is not None and not d1["metadata"].get("ownerReferences")
    assert d2 is not None and [r["name"] for r in d2["metadata"]["ownerReferences"]] == ["other"]


def test_dependency_cycle_does_not_hang() -> None:
    env = SimEnv()
    start(env)
    a = cm(env, "a")
    b = cm(env, "b", a, block=True)
    a["metadata"]["ownerReferences"] = [ref(b, block=True)]
    env.api.update("configmaps", a, "default")
    env.settle(5)
    assert exists(env, "configmaps", "a") and exists(env, "configmaps", "b")
    env.api.delete("configmaps", "a", "default", propagation_policy="Foreground")
    env.settle(30)
    assert exists(env, "configmaps", "a") is None
    assert exists(env, "configmaps", "b") is None


@pytest.mark.parametrize("uid_kind", ["never-existed", "wrong-uid"])
def test_dependent_of_absent_owner_is_collected(uid_kind: str) -> None:
    env = SimEnv()
    start(env)
    real = cm(env, "owner")
    fake = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "owner" if uid_kind == "wrong-uid" else "ghost", "uid": "00000000-0000-4000-8000-000000000001"},
    }
    cm(env, "orphaned", fake)
    cm(env, "kept", real)
    env.settle(5)
    assert exists(env, "configmaps", "orphaned") is None
    assert exists(env, "configmaps", "kept")


def test_cluster_scoped_owner_of_namespaced_dependent() -> None:
    env = SimEnv()
    start(env)
    node = env.node("n1")
    lease_body = {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": "n1", "namespace": "kube-node-lease", "ownerReferences": [ref(node)]},
        "spec": {"holderIdentity": "n1"},
    }
    env.api.create("leases", lease_body, "kube-node-lease")
    env.settle(5)
    assert env.api.get("leases", "n1", "kube-node-lease")
    env.api.delete("nodes", "n1")
    env.settle(5)
    with pytest.raises(ApiError):
        env.api.get("leases", "n1", "kube-node-lease")


def _crd_established(env: SimEnv) -> None:
    env.api.create("apiextensions.k8s.io/v1/customresourcedefinitions", {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.probe.example.com"},
        "spec": {"group": "probe.example.com", "scope": "Namespaced",
                 "names": {"plural": "widgets", "kind": "Widget"},
                 "versions": [{"name": "v1", "served": True, "storage": True, "schema": {
                     "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]},
    })
    env.loop.run_ready()


def _widget(env: SimEnv, name: str, *owners: Obj) -> Obj:
    meta: Obj = {"name": name, "namespace": "default"}
    if owners:
        meta["ownerReferences"] = [ref(o) for o in owners]
    return env.api.create("probe.example.com/v1/widgets", {"apiVersion": "probe.example.com/v1", "kind": "Widget",
                                                           "metadata": meta}, "default")


def test_custom_resources_established_after_start_are_collected_within_a_resync() -> None:
    """The e2e 'cascading deletion of custom resources': a CR owned by a CR goes with its owner
    (Background), or stays with its reference removed (Orphan), once the garbage collector's
    discovery resync found the CRD."""
    env = SimEnv()
    start(env)
    env.advance(1)
    _crd_established(env)
    owner = _widget(env, "owner")
    _widget(env, "dependent", owner)
    kept_owner = _widget(env, "kept-owner")
    _widget(env, "orphan", kept_owner)
    env.advance(31)  # the resync starts the widgets' monitor
    env.api.delete("probe.example.com/v1/widgets", "owner", "default")
    env.api.delete("probe.example.com/v1/widgets", "kept-owner", "default", propagation_policy="Orphan")
    env.advance(5)
    names = sorted(w["metadata"]["name"] for w in env.api.list("probe.example.com/v1/widgets", "default")["items"])
    assert names == ["orphan"]
    orphan = env.api.get("probe.example.com/v1/widgets", "orphan", "default")
    assert not orphan["metadata"].get("ownerReferences")


def test_a_custom_resource_owning_a_built_in_one_takes_it_along() -> None:
    env = SimEnv()
    _crd_established(env)
    start(env)  # the CRD is served from the start
    owner = _widget(env, "owner")
    cm(env, "child", owner)
    env.advance(1)
    env.api.delete("probe.example.com/v1/widgets", "owner", "default")
    env.advance(5)
    assert exists(env, "configmaps", "child") is None
