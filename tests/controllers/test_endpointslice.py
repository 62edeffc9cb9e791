"""EndpointSlice and Endpoints controllers: endpoints follow pods, ports resolve per pod."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.client import Component
from reference_impl.controllers.endpointslice import (
    EndpointsController,
    EndpointSliceController,
    find_port,
    should_be_in_endpoints,
)
from tests.simenv import SimEnv

Obj = dict[str, Any]


def start(env: SimEnv) -> Component:
    cm = Component(env.api, env.loop, env.rng, env.config, name="kube-controller-manager")
    cs = [EndpointSliceController(cm), EndpointsController(cm)]
    orig = cm.setup
    cm.setup = lambda: (orig(), *(c.setup() for c in cs))  # type: ignore[method-assign]
    cm.start()
    return cm


def service(env: SimEnv, name: str = "web", *, selector: dict[str, str] | None = None, **spec: Any) -> Obj:
    body: Obj = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "default", "labels": {"team": "a"}},
        "spec": {
            "ports": [{"name": "http", "port": 80, "targetPort": "web", "protocol": "TCP"}],
            **spec,
        },
    }
    if selector is not None:
        body["spec"]["selector"] = selector
    return env.api.create("services", body, "default")


def pod(env: SimEnv, name: str, *, port: int | None = 8080, ready: bool = True, ip: str, node: str = "n1") -> Obj:
    container: Obj = {"name": "app", "image": "registry.k8s.io/pause:3.10"}
    if port is not None:
        container["ports"] = [{"name": "web", "containerPort": port, "protocol": "TCP"}]
    env.pod(name, labels={"app": "web"}, spec={"containers": [container], "nodeName": node})
    return env.set_pod_running(name, ready=ready, ip=ip)


def slices(env: SimEnv, svc: str = "web") -> list[Obj]:
    items = env.api.list("endpointslices", "default", label_selector=f"kubernetes.io/service-name={svc}")["items"]
    return sorted(items, key=lambda s: s["metadata"]["name"])


def endpoints_by_pod(env: SimEnv, svc: str = "web") -> dict[str, Obj]:
    return {e["targetRef"]["name"]: e for s in slices(env, svc) for e in s.get("endpoints") or []}


@pytest.mark.parametrize(
    ("target", "container_ports", "expected"),
    [
        (8080, [], 8080),
        (None, [], 80),
        ("web", [{"name": "web", "containerPort": 9000}], 9000),
        ("web", [{"name": "web", "containerPort": 9000, "protocol": "UDP"}], None),
        ("web", [{"name": "other", "containerPort": 9000}], None),
    ],
)
def test_find_port(target: Any, container_ports: list[Obj], expected: int | None) -> None:
    p = {"spec": {"containers": [{"name": "c", "ports": container_ports}]}}
    sp: Obj = {"port": 80, "protocol": "TCP"}
    if target is not None:
        sp["targetPort"] = target
    assert find_port(p, sp) == expected


@pytest.mark.parametrize(
    ("status", "deleting", "include_terminating", "expected"),
    [
        ({"phase": "Running", "podIP": "1.2.3.4"}, False, True, True),
        ({"phase": "Running"}, False, True, False),
        ({"phase": "Succeeded", "podIP": "1.2.3.4"}, False, True, False),
        ({"phase": "Failed", "podIP": "1.2.3.4"}, False, True, False),
        ({"phase": "Running", "podIP": "1.2.3.4"}, True, True, True),
        ({"phase": "Running", "podIP": "1.2.3.4"}, True, False, False),
    ],
)
def test_should_be_in_endpoints(status: Obj, deleting: bool, include_terminating: bool, expected: bool) -> None:
    meta: Obj = {"name": "p"}
    if deleting:
        meta["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    assert should_be_in_endpoints({"metadata": meta, "status": status}, include_terminating=include_terminating) is expected


def test_slice_shape_and_readiness_follow_pods() -> None:
    env = SimEnv()
    env.node("n1", labels={"topology.kubernetes.io/zone": "zone-a"})
    start(env)
    svc = service(env, selector={"app": "web"})
    pod(env, "a", ip="10.0.0.1")
    pod(env, "b", ip="10.0.0.2", ready=False)
    env.settle(5)
    [s] = slices(env)
    meta = s["metadata"]
    assert meta["name"].startswith("web-")
    assert meta["labels"] == {
        "team": "a",
        "kubernetes.io/service-name": "web",
        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
    }
    assert meta["ownerReferences"] == [
        {"apiVersion": "v1", "kind": "Service", "name": "web", "uid": svc["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}
    ]
    assert s["addressType"] == "IPv4"
    assert s["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    eps = endpoints_by_pod(env)
    assert eps["a"]["addresses"] == ["10.0.0.1"]
    assert eps["a"]["conditions"] == {"ready": True, "serving": True, "terminating": False}
    assert eps["a"]["nodeName"] == "n1" and eps["a"]["zone"] == "zone-a"
    assert eps["a"]["targetRef"]["kind"] == "Pod" and eps["a"]["targetRef"]["uid"]
    assert eps["b"]["conditions"] == {"ready": False, "serving": False, "terminating": False}

    env.set_pod_running("b", ready=True, ip="10.0.0.2")
    env.settle(5)
    assert endpoints_by_pod(env)["b"]["conditions"]["ready"] is True

    env.api.delete("pods", "a", "default")  # graceful: lingers terminating on its node
    env.settle(5)
    assert endpoints_by_pod(env)["a"]["conditions"] == {"ready": False, "serving": True, "terminating": True}

    ep = env.api.get("endpoints", "web", "default")
    assert ep["subsets"] == [
        {
            "addresses": [
                {"ip": "10.0.0.2", "nodeName": "n1", "targetRef": {"kind": "Pod", "namespace": "default", "name": "b", "uid": eps["b"]["targetRef"]["uid"]}}
            ],
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
        }
    ]


def test_named_target_port_resolves_per_pod_into_separate_slices() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    service(env, selector={"app": "web"})
    pod(env, "a", port=8080, ip="10.0.0.1")
    pod(env, "b", port=9090, ip="10.0.0.2")
    pod(env, "c", port=8080, ip="10.0.0.3")
    env.settle(5)
    got = {tuple(p["port"] for p in s["ports"]): sorted(e["targetRef"]["name"] for e in s["endpoints"]) for s in slices(env)}
    assert got == {(8080,): ["a", "c"], (9090,): ["b"]}
    subsets = env.api.get("endpoints", "web", "default")["subsets"]
    assert [(ss["ports"][0]["port"], [a["ip"] for a in ss["addresses"]]) for ss in subsets] == [
        (8080, ["10.0.0.1", "10.0.0.3"]),
        (9090, ["10.0.0.2"]),
    ]


def test_no_write_when_nothing_changes_and_not_ready_endpoints() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    service(env, selector={"app": "web"})
    pod(env, "a", ip="10.0.0.1", ready=False)
    env.settle(5)
    [before] = slices(env)
    ep_before = env.api.get("endpoints", "web", "default")
    assert ep_before["subsets"][0]["notReadyAddresses"][0]["ip"] == "10.0.0.1"
    p = env.api.get("pods", "a", "default")
    p["metadata"].setdefault("annotations", {})["x"] = "y"
    env.api.update("pods", p, "default")
    env.settle(5)
    [after] = slices(env)
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
    assert env.api.get("endpoints", "web", "default")["metadata"]["resourceVersion"] == ep_before["metadata"]["resourceVersion"]


def test_publish_not_ready_addresses() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    service(env, selector={"app": "web"}, publishNotReadyAddresses=True)
    pod(env, "a", ip="10.0.0.1", ready=False)
    env.settle(5)
    assert endpoints_by_pod(env)["a"]["conditions"] == {"ready": True, "serving": True, "terminating": False}
    assert env.api.get("endpoints", "web", "default")["subsets"][0]["addresses"][0]["ip"] == "10.0.0.1"


def test_placeholder_selectorless_and_service_deletion() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    service(env, selector={"app": "web"})
    service(env, "manual")
    env.settle(5)
    [ph] = slices(env)
    assert ph.get("endpoints") in (None, []) and ph.get("ports") in (None, [])
    assert slices(env, "manual") == []
    with pytest.raises(Exception, match="not found"):
        env.api.get("endpoints", "manual", "default")
    pod(env, "a", ip="10.0.0.1")
    env.settle(5)
    [s] = slices(env)
    assert [e["targetRef"]["name"] for e in s["endpoints"]] == ["a"]
    env.api.delete("pods", "a", "default", grace_period_seconds=0)
    env.settle(5)
    [s] = slices(env)
    assert not s.get("endpoints") and not s.get("ports")
    svc_uid = env.api.get("services", "web", "default")["metadata"]["uid"]
    env.api.delete("services", "web", "default")
    env.settle(5)
    # the slice controller leaves a deleted Service's slices to the garbage collector (not
    # running here): they stay, still owned by the gone Service
    [s] = slices(env)
    assert [o["uid"] for o in s["metadata"]["ownerReferences"]] == [svc_uid]
    # the Endpoints controller, by contrast, deletes its Endpoints object itself
    with pytest.raises(Exception, match="not found"):
        env.api.get("endpoints", "web", "default")


def test_at_most_100_endpoints_per_slice() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    service(env, selector={"app": "web"})
    for i in range(150):
        pod(env, f"p{i:03d}", ip=f"10.0.{i // 250}.{i % 250 + 1}")
    env.settle(5)
    sizes = sorted(len(s["endpoints"]) for s in slices(env))
    assert sizes == [50, 100]
    assert len(endpoints_by_pod(env)) == 150
    for i in range(0, 150, 2):
        env.api.delete("pods", f"p{i:03d}", "default", grace_period_seconds=0)
    env.settle(5)
    assert sorted(endpoints_by_pod(env)) == [f"p{i:03d}" for i in range(1, 150, 2)]
    assert all(len(s["endpoints"]) <= 100 for s in slices(env))
