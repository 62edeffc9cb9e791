"""ReplicationManager: the ReplicaSet controller over ReplicationControllers — pods to replicas,
adoption, release, status, events and ``/scale``; and the garbage collector over an RC's pods."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.apiserver import ApiError
from reference_impl.client import Component
from reference_impl.controllers import _podutil as pu
from reference_impl.controllers.garbage_collector import GarbageCollector
from reference_impl.controllers.manager import CONTROLLERS, load_controller
from reference_impl.controllers.replication import ReplicationManager
from tests.simenv import SimEnv

Obj = dict[str, Any]
NS = "default"
RC = "replicationcontrollers"


def start(env: SimEnv, *, gc: bool = False) -> tuple[Component, ReplicationManager]:
    cm = Component(env.api, env.loop, env.rng, env.config, name="kube-controller-manager")
    c = ReplicationManager(cm)
    collector = GarbageCollector(cm) if gc else None
    orig = cm.setup

    def setup() -> None:
        orig()
        c.setup()
        if collector is not None:
            collector.setup()

    cm.setup = setup  # type: ignore[method-assign]
    cm.start()
    return cm, c


def rc_body(name: str = "web", replicas: int = 3, *, labels: dict[str, str] | None = None) -> Obj:
    # no selector: the API server defaults it from the template's labels, as kubectl users rely on
    labels = labels or {"name": name}
    return {
        "apiVersion": "v1",
        "kind": "ReplicationController",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "replicas": replicas,
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {"containers": [{"name": "app", "image": "registry.k8s.io/pause:3.10"}]},
            },
        },
    }


def pods(env: SimEnv, *, active_only: bool = True) -> list[Obj]:
    items = env.api.list("pods", NS)["items"]
    return [p for p in items if not active_only or pu.is_pod_active(p)]


def owned_by(env: SimEnv, owner: Obj) -> list[str]:
    uid = owner["metadata"]["uid"]
    return sorted(p["metadata"]["name"] for p in pods(env) if (pu.controller_ref(p) or {}).get("uid") == uid)


def events(env: SimEnv, reason: str) -> list[Obj]:
    return sorted((e for e in env.api.list("events", NS)["items"] if e["reason"] == reason), key=lambda e: e["message"])


def exists(env: SimEnv, resource: str, name: str) -> bool:
    try:
        env.api.get(resource, name, NS)
    except ApiError as e:
        assert e.code == 404
        return False
    return True


def test_registered_as_kube_controller_managers_flag_names_it() -> None:
    assert "replicationcontroller" in CONTROLLERS
    assert load_controller(CONTROLLERS["replicationcontroller"]) is ReplicationManager


def test_creates_replicas_owned_by_the_rc_with_upstreams_events() -> None:
    env = SimEnv()
    start(env)
    rc = env.api.create(RC, rc_body("web", 3), NS)
    env.settle()
    ps = pods(env)
    assert len(ps) == 3
    for p in ps:
        assert p["metadata"]["generateName"] == "web-" and p["metadata"]["labels"] == {"name": "web"}
        assert pu.controller_ref(p) == {
            "apiVersion": "v1", "kind": "ReplicationController", "name": "web", "uid": rc["metadata"]["uid"],
            "controller": True, "blockOwnerDeletion": True,
        }
    created = events(env, "SuccessfulCreate")
    assert [e["message"] for e in created] == sorted(f"Created pod: {p['metadata']['name']}" for p in ps)
    assert {e["source"]["component"] for e in created} == {"replication-controller"}
    assert {(e["involvedObject"]["kind"], e["involvedObject"]["name"]) for e in created} == {
        ("ReplicationController", "web")
    }


def test_status_counts_the_pods() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    env.api.create(RC, rc_body("web", 2), NS)
    env.settle()
    assert env.api.get(RC, "web", NS)["status"] == {"replicas": 2, "fullyLabeledReplicas": 2, "observedGeneration": 1}
    for p in pods(env):
        env.api.create("pods", {"target": {"name": "n1"}}, NS, subresource="binding", name=p["metadata"]["name"])
        env.set_pod_running(p["metadata"]["name"], NS)
    env.settle()
    assert env.api.get(RC, "web", NS)["status"] == {
        "replicas": 2, "fullyLabeledReplicas": 2, "readyReplicas": 2, "availableReplicas": 2, "observedGeneration": 1,
    }


def test_scales_down_and_up_with_the_spec_and_through_scale() -> None:
    env = SimEnv()
    start(env)
    env.api.create(RC, rc_body("web", 3), NS)
    env.settle()
    env.api.patch(RC, "web", {"spec": {"replicas": 1}}, "merge", NS, subresource="scale")
    env.settle()
    assert len(pods(env)) == 1
    assert len(events(env, "SuccessfulDelete")) == 2
    assert all(e["message"].startswith("Deleted pod: web-") for e in events(env, "SuccessfulDelete"))
    scale = env.api.get(RC, "web", NS, subresource="scale")
    assert scale["spec"] == {"replicas": 1} and scale["status"] == {"replicas": 1, "selector": "name=web"}
    scale["spec"]["replicas"] = 4
    env.api.update(RC, scale, NS, subresource="scale")
    env.settle()
    assert len(pods(env)) == 4
    st = env.api.get(RC, "web", NS)["status"]
    assert st["replicas"] == 4 and st["observedGeneration"] == 3


def test_adopts_a_matching_orphan_and_creates_only_the_rest() -> None:
    env = SimEnv()
    env.pod("orphan", labels={"name": "web"})
    env.pod("stranger", labels={"name": "other"})
    start(env)
    rc = env.api.create(RC, rc_body("web", 2), NS)
    env.settle()
    assert "orphan" in owned_by(env, rc) and len(owned_by(env, rc)) == 2
    assert pu.controller_ref(env.api.get("pods", "stranger", NS)) is None
    assert len(events(env, "SuccessfulCreate")) == 1


def test_releases_a_pod_that_stops_matching_and_replaces_it() -> None:
    env = SimEnv()
    start(env)
    rc = env.api.create(RC, rc_body("web", 2), NS)
    env.settle()
    victim = owned_by(env, rc)[0]
    env.api.patch("pods", victim, {"metadata": {"labels": {"name": "moved"}}}, "merge", NS)
    env.settle()
    assert pu.controller_ref(env.api.get("pods", victim, NS)) is None
    owned = owned_by(env, rc)
    assert len(owned) == 2 and victim not in owned


def test_a_pod_of_a_replica_set_with_the_same_labels_is_not_taken() -> None:
    env = SimEnv()
    start(env)
    body = {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {
            "name": "taken", "namespace": NS, "labels": {"name": "web"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "u-1",
                                 "controller": True}],
        },
        "spec": {"containers": [{"name": "app", "image": "pause"}]},
    }
    env.api.create("pods", body, NS)
    rc = env.api.create(RC, rc_body("web", 1), NS)
    env.settle()
    assert (pu.controller_ref(env.api.get("pods", "taken", NS)) or {}).get("uid") == "u-1"
    assert len(owned_by(env, rc)) == 1


def test_a_changed_selector_releases_and_adopts() -> None:
    env = SimEnv()
    env.pod("blue", labels={"name": "web", "color": "blue"})
    start(env)
    rc = env.api.create(RC, rc_body("web", 2), NS)
    env.settle()
    before = owned_by(env, rc)
    assert "blue" in before
    # an RC's selector is mutable: narrow it (and the template) to the blue pods
    env.api.patch(RC, "web", {"spec": {"selector": {"name": "web", "color": "blue"},
                                       "template": {"metadata": {"labels": {"color": "blue"}}}}}, "merge", NS)
    env.settle()
    after = owned_by(env, rc)
    assert "blue" in after and len(after) == 2
    released = [n for n in before if n != "blue"]
    assert all(pu.controller_ref(env.api.get("pods", n, NS)) is None for n in released)


@pytest.mark.parametrize("policy", ["Background", "Foreground"])
def test_the_garbage_collector_deletes_the_pods_of_a_deleted_rc(policy: str) -> None:
    env = SimEnv()
    start(env, gc=True)
    env.api.create(RC, rc_body("web", 3), NS)
    env.settle()
    assert len(pods(env)) == 3
    env.api.delete(RC, "web", NS, propagation_policy=policy)
    env.settle()
    assert not exists(env, RC, "web")
    assert pods(env, active_only=False) == []


def test_the_garbage_collector_orphans_the_pods_when_told_to() -> None:
    env = SimEnv()
    start(env, gc=True)
    env.api.create(RC, rc_body("web", 2), NS)
    env.settle()
    env.api.delete(RC, "web", NS, propagation_policy="Orphan")
    env.settle()
    assert not exists(env, RC, "web")
    left = pods(env)
    assert len(left) == 2 and all(not p["metadata"].get("ownerReferences") for p in left)
