"""Services end to end: EndpointSlices follow readiness, named targetPorts, NodePort, headless."""

from __future__ import annotations

import ipaddress

from reference_impl.cluster import ReferenceCluster
from tests.scenarios import (
    BUSYBOX,
    NS,
    Obj,
    cluster,
    condition,
    container,
    deployment,
    is_ready,
    pod,
    pods,
    service,
    wait,
)

NEVER_READY = {"exec": {"command": ["false"]}, "periodSeconds": 1}


def _slices(c: ReferenceCluster, svc: str) -> list[Obj]:
    items: list[Obj] = c.api.list("endpointslices", NS, label_selector=f"kubernetes.io/service-name={svc}")[
        "items"
    ]
    return items


def _endpoints(c: ReferenceCluster, svc: str) -> dict[str, Obj]:
    return {ep["addresses"][0]: ep for s in _slices(c, svc) for ep in s.get("endpoints") or []}


def _ip(c: ReferenceCluster, name: str) -> str:
    return str(c.api.get("pods", name, NS)["status"]["podIP"])


def _vip(c: ReferenceCluster, svc: str) -> str:
    return str(c.api.get("services", svc, NS)["spec"]["clusterIP"])


def _all_routes(c: ReferenceCluster, key: str) -> list[list[str]]:
    return [sorted(rules.get(key, [])) for rules in c.routes().values()]


def test_endpoints_follow_readiness() -> None:
    c = cluster()
    c.api.create("services", service("web", {"app": "web"}, [{"port": 80, "targetPort": 8080}]), NS)
    c.api.create("pods", pod("good", labels={"app": "web"}), NS)
    c.api.create("pods", pod("bad", labels={"app": "web"}, containers=[container(readiness=NEVER_READY)]), NS)
    wait(c, lambda: is_ready(c.api.get("pods", "good", NS)), timeout_s=30)
    c.advance(10)
    bad = c.api.get("pods", "bad", NS)
    assert bad["status"]["phase"] == "Running"
    ready = condition(bad, "Ready")
    assert ready is not None
    assert (ready["status"], ready["reason"], ready["message"]) == (
        "False",
        "ContainersNotReady",
        "containers with unready status: [app]",
    )
    eps = _endpoints(c, "web")
    assert eps[_ip(c, "good")]["conditions"] == {"ready": True, "serving": True, "terminating": False}
    assert eps[_ip(c, "bad")]["conditions"] == {"ready": False, "serving": False, "terminating": False}
    legacy = c.api.get("endpoints", "web", NS)
    (subset,) = legacy["subsets"]
    assert [a["ip"] for a in subset["addresses"]] == [_ip(c, "good")]
    assert [a["ip"] for a in subset["notReadyAddresses"]] == [_ip(c, "bad")]
    key = f"{_vip(c, 'web')}:80/TCP"
    assert _all_routes(c, key) == [[f"{_ip(c, 'good')}:8080"]] * 3

    # a second ready pod joins; deleting one removes it
    c.api.create("pods", pod("good2", labels={"app": "web"}), NS)
    wait(c, lambda: is_ready(c.api.get("pods", "good2", NS)), timeout_s=30)
    c.advance(1)
    assert _all_routes(c, key) == [sorted([f"{_ip(c, 'good')}:8080", f"{_ip(c, 'good2')}:8080"])] * 3
    c.api.delete("pods", "good", NS)
    wait(c, lambda: "good" not in [p["metadata"]["name"] for p in pods(c)], timeout_s=60)
    c.advance(1)
    assert _all_routes(c, key) == [[f"{_ip(c, 'good2')}:8080"]] * 3
    # a label change takes a pod out of the service
    c.api.patch("pods", "good2", {"metadata": {"labels": {"app": "other"}}}, "merge", NS)
    c.advance(1)
    assert _all_routes(c, key) == [[]] * 3
    assert set(_endpoints(c, "web")) == {_ip(c, "bad")}


def test_terminating_endpoint_is_serving_but_not_routed_while_others_are_ready() -> None:
    c = cluster()
    sleeper = container(image=BUSYBOX, command=["sh", "-c", "sleep 3600"])
    c.api.create("services", service("web", {"app": "web"}, [{"port": 80}]), NS)
    for n in ("a", "b"):
        c.api.create("pods", pod(n, labels={"app": "web"}, containers=[sleeper]), NS)
    wait(c, lambda: all(is_ready(p) for p in pods(c)) and len(pods(c)) == 2, timeout_s=30)
    c.advance(1)
    ip_a, ip_b = _ip(c, "a"), _ip(c, "b")
    c.api.delete("pods", "a", NS)
    c.advance(2)
    assert c.api.get("pods", "a", NS)["metadata"]["deletionTimestamp"]  # still within its 30 s grace
    ep = _endpoints(c, "web")[ip_a]
    assert ep["conditions"] == {"ready": False, "serving": True, "terminating": True}
    key = f"{_vip(c, 'web')}:80/TCP"
    assert _all_routes(c, key) == [[f"{ip_b}:80"]] * 3


def test_named_target_port_resolves_per_pod() -> None:
    c = cluster()
    c.api.create(
        "services", service("web", {"app": "web"}, [{"name": "http", "port": 80, "targetPort": "http"}]), NS
    )
    for name, port in (("p8080", 8080), ("p9090", 9090)):
        ctr = container(ports=[{"name": "http", "containerPort": port}])
        c.api.create("pods", pod(name, labels={"app": "web"}, containers=[ctr]), NS)
    wait(c, lambda: all(is_ready(p) for p in pods(c)) and len(pods(c)) == 2, timeout_s=30)
    c.advance(1)
    # different resolved ports cannot share a slice
    slices = _slices(c, "web")
    assert sorted(s["ports"][0]["port"] for s in slices) == [8080, 9090]
    assert all(s["ports"][0]["name"] == "http" for s in slices)
    want = sorted([f"{_ip(c, 'p8080')}:8080", f"{_ip(c, 'p9090')}:9090"])
    assert _all_routes(c, f"{_vip(c, 'web')}:80/TCP") == [want] * 3


def test_nodeport_rule_on_every_node() -> None:
    c = cluster()
    c.api.create("deployments", deployment("web", 2), NS)
    c.api.create(
        "services", service("web", {"app": "web"}, [{"port": 80, "targetPort": 8080}], type="NodePort"), NS
    )
    wait(c, lambda: sum(is_ready(p) for p in pods(c)) == 2, timeout_s=60)
    c.advance(1)
    svc = c.api.get("services", "web", NS)
    node_port = svc["spec"]["ports"][0]["nodePort"]
    assert 30000 <= node_port <= 32767
    assert ipaddress.ip_address(svc["spec"]["clusterIP"]) in ipaddress.ip_network("10.96.0.0/12")
    want = sorted(f"{p['status']['podIP']}:8080" for p in pods(c))
    routes = c.routes()
    assert len(routes) == 3
    for node, rules in routes.items():
        assert sorted(rules[f"0.0.0.0:{node_port}/TCP"]) == want, node
        assert sorted(rules[f"{svc['spec']['clusterIP']}:80/TCP"]) == want, node
        assert sorted(c.route(node, "172.18.0.9", node_port)) == want  # any node address


def test_headless_service_has_slices_but_no_cluster_ip_rule() -> None:
    c = cluster()
    c.api.create("deployments", deployment("web", 2), NS)
    c.api.create("services", service("web", {"app": "web"}, [{"port": 80}], clusterIP="None"), NS)
    wait(c, lambda: sum(is_ready(p) for p in pods(c)) == 2, timeout_s=60)
    c.advance(1)
    svc = c.api.get("services", "web", NS)
    assert svc["spec"]["clusterIP"] == "None"
    (sl,) = _slices(c, "web")
    assert sl["metadata"]["labels"]["service.kubernetes.io/headless"] == ""
    assert sorted(ep["addresses"][0] for ep in sl["endpoints"]) == sorted(
        p["status"]["podIP"] for p in pods(c)
    )
    before = c.routes()
    for rules in before.values():
        assert not any(k.startswith("None") for k in rules)
        assert sorted(rules) == ["10.96.0.1:443/TCP"]  # only the `kubernetes` service
