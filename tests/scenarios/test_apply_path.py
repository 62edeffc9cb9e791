"""The apply path end to end: Deployment → ReplicaSet → scheduled, Running, Ready pods → Service
→ EndpointSlice → every node's kube-proxy rules.
"""

from __future__ import annotations

import ipaddress
import re

from reference_impl.cluster import ReferenceCluster
from tests.scenarios import (
    NS,
    PAUSE,
    Obj,
    cluster,
    condition,
    container,
    deployment,
    events,
    is_ready,
    pods,
    service,
    wait,
)

# rand.SafeEncodeString's alphabet (no vowels, no 0/1/3): pod-template-hash and generateName suffixes
SAFE = "[bcdfghjklmnpqrstvwxz2456789]"


def _deployed(replicas: int = 3) -> ReferenceCluster:
    c = cluster()
    web = container(ports=[{"name": "http", "containerPort": 8080}])
    c.api.create("deployments", deployment("web", replicas, containers=[web]), NS)
    c.api.create(
        "services", service("web", {"app": "web"}, [{"name": "http", "port": 80, "targetPort": "http"}]), NS
    )
    wait(c, lambda: sum(is_ready(p) for p in pods(c)) == replicas, timeout_s=60)
    c.advance(2)
    return c


def _rs(c: ReferenceCluster) -> Obj:
    items = c.api.list("replicasets", NS)["items"]
    assert len(items) == 1
    return items[0]  # type: ignore[no-any-return]


def test_deployment_creates_a_hashed_replicaset_owned_by_it() -> None:
    c = _deployed()
    d = c.api.get("deployments", "web", NS)
    rs = _rs(c)
    h = rs["metadata"]["labels"]["pod-template-hash"]
    assert re.fullmatch(f"{SAFE}{{1,10}}", h)
    assert rs["metadata"]["name"] == f"web-{h}"
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "web", "pod-template-hash": h}
    assert rs["spec"]["template"]["metadata"]["labels"] == {"app": "web", "pod-template-hash": h}
    assert rs["spec"]["replicas"] == 3
    (ref,) = rs["metadata"]["ownerReferences"]
    assert ref == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "web",
        "uid": d["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }
    ann = rs["metadata"]["annotations"]
    assert ann["deployment.kubernetes.io/revision"] == "1"
    assert ann["deployment.kubernetes.io/desired-replicas"] == "3"
    assert ann["deployment.kubernetes.io/max-replicas"] == "4"  # 3 + ceil(25% of 3)
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"


def test_pods_are_scheduled_running_ready_with_ips_from_their_nodes_pod_cidr() -> None:
    c = _deployed()
    rs = _rs(c)
    nodes = {n["metadata"]["name"]: n for n in c.api.list("nodes")["items"]}
    ps = pods(c)
    assert len(ps) == 3
    ips = set()
    for p in ps:
        name = p["metadata"]["name"]
        assert re.fullmatch(rf"{rs['metadata']['name']}-{SAFE}{{5}}", name)
        assert p["metadata"]["generateName"] == f"{rs['metadata']['name']}-"
        (ref,) = p["metadata"]["ownerReferences"]
        assert (ref["kind"], ref["name"], ref["uid"], ref["controller"]) == (
            "ReplicaSet",
            rs["metadata"]["name"],
            rs["metadata"]["uid"],
            True,
        )
        node = nodes[p["spec"]["nodeName"]]
        st = p["status"]
        assert st["phase"] == "Running"
        for t in ("PodScheduled", "Initialized", "ContainersReady", "Ready"):
            assert condition(p, t)["status"] == "True", t  # type: ignore[index]
        cidr = ipaddress.ip_network(node["spec"]["podCIDR"])
        assert ipaddress.ip_address(st["podIP"]) in cidr
        assert st["podIPs"] == [{"ip": st["podIP"]}]
        internal = next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")
        assert st["hostIP"] == internal
        (cs,) = st["containerStatuses"]
        assert cs["ready"] is True and cs["started"] is True and cs["restartCount"] == 0
        assert "running" in cs["state"]
        assert cs["image"] == PAUSE
        ips.add(st["podIP"])
        # the scheduler's event, with the real text and source
        (ev,) = events(c, name=name, reason="Scheduled")
        assert ev["message"] == f"Successfully assigned {NS}/{name} to {p['spec']['nodeName']}"
        assert ev["source"]["component"] == "default-scheduler"
        assert ev["type"] == "Normal"
    assert len(ips) == 3
    # default spreading puts one replica on each of the three nodes
    assert sorted(p["spec"]["nodeName"] for p in ps) == ["node-1", "node-2", "node-3"]
    # the node podCIDRs are distinct /24s of the cluster CIDR
    cidrs = [ipaddress.ip_network(n["spec"]["podCIDR"]) for n in nodes.values()]
    assert len(set(cidrs)) == 3
    assert all(x.prefixlen == 24 and x.subnet_of(ipaddress.ip_network("10.244.0.0/16")) for x in cidrs)


def test_deployment_status_and_conditions() -> None:
    c = _deployed()
    d = c.api.get("deployments", "web", NS)
    rs = _rs(c)
    st = d["status"]
    assert st["observedGeneration"] == d["metadata"]["generation"] == 1
    assert (st["replicas"], st["updatedReplicas"], st["readyReplicas"], st["availableReplicas"]) == (
        3,
        3,
        3,
        3,
    )
    assert st.get("unavailableReplicas", 0) == 0
    avail = condition(d, "Available")
    assert avail is not None
    assert (avail["status"], avail["reason"], avail["message"]) == (
        "True",
        "MinimumReplicasAvailable",
        "Deployment has minimum availability.",
    )
    prog = condition(d, "Progressing")
    assert prog is not None
    assert (prog["status"], prog["reason"], prog["message"]) == (
        "True",
        "NewReplicaSetAvailable",
        f'ReplicaSet "{rs["metadata"]["name"]}" has successfully progressed.',
    )
    assert rs["status"]["replicas"] == rs["status"]["readyReplicas"] == rs["status"]["availableReplicas"] == 3
    (scaled,) = events(c, name="web", reason="ScalingReplicaSet")
    assert scaled["message"] == f"Scaled up replica set {rs['metadata']['name']} from 0 to 3"
    assert scaled["source"]["component"] == "deployment-controller"
    created = events(c, name=rs["metadata"]["name"], reason="SuccessfulCreate")
    assert sorted(e["message"] for e in created) == sorted(
        f"Created pod: {p['metadata']['name']}" for p in pods(c)
    )


def test_service_endpointslice_and_every_proxy_route_to_the_ready_pods() -> None:
    c = _deployed()
    svc = c.api.get("services", "web", NS)
    vip = svc["spec"]["clusterIP"]
    assert ipaddress.ip_address(vip) in ipaddress.ip_network("10.96.0.0/12")
    assert svc["spec"]["clusterIPs"] == [vip]
    assert svc["spec"]["type"] == "ClusterIP"
    pod_ips = sorted(p["status"]["podIP"] for p in pods(c))

    slices = c.api.list("endpointslices", NS, label_selector="kubernetes.io/service-name=web")["items"]
    assert len(slices) == 1
    sl = slices[0]
    assert sl["metadata"]["name"].startswith("web-")
    assert (
        sl["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"]
        == "endpointslice-controller.k8s.io"
    )
    (owner,) = sl["metadata"]["ownerReferences"]
    assert (owner["kind"], owner["name"], owner["uid"]) == ("Service", "web", svc["metadata"]["uid"])
    assert sl["addressType"] == "IPv4"
    assert sl["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    by_ip = {ep["addresses"][0]: ep for ep in sl["endpoints"]}
    assert sorted(by_ip) == pod_ips
    for p in pods(c):
        ep = by_ip[p["status"]["podIP"]]
        assert ep["conditions"] == {"ready": True, "serving": True, "terminating": False}
        assert ep["nodeName"] == p["spec"]["nodeName"]
        assert ep["targetRef"]["name"] == p["metadata"]["name"]
        assert ep["targetRef"]["uid"] == p["metadata"]["uid"]

    eps = c.api.get("endpoints", "web", NS)
    (subset,) = eps["subsets"]
    assert sorted(a["ip"] for a in subset["addresses"]) == pod_ips
    assert not subset.get("notReadyAddresses")
    assert [p["port"] for p in subset["ports"]] == [8080]

    want = sorted(f"{ip}:8080" for ip in pod_ips)
    routes = c.routes()
    assert sorted(routes) == ["node-1", "node-2", "node-3"]
    for node, rules in routes.items():
        assert sorted(rules[f"{vip}:80/TCP"]) == want, node
        assert sorted(c.route(node, vip, 80)) == want
        # the `kubernetes` service is routed too
        assert rules["10.96.0.1:443/TCP"]


def test_scaling_the_deployment_updates_endpoints_and_routes() -> None:
    c = _deployed()
    vip = c.api.get("services", "web", NS)["spec"]["clusterIP"]
    c.api.patch("deployments", "web", {"spec": {"replicas": 5}}, "merge", NS)
    wait(c, lambda: sum(is_ready(p) for p in pods(c)) == 5)
    c.advance(1)
    want = sorted(f"{p['status']['podIP']}:8080" for p in pods(c))
    assert len(want) == 5
    for node in c.node_names():
        assert sorted(c.route(node, vip, 80)) == want
    c.api.patch("deployments", "web", {"spec": {"replicas": 1}}, "merge", NS)
    wait(c, lambda: len(pods(c)) == 1, timeout_s=60)
    c.advance(1)
    (p,) = pods(c)
    for node in c.node_names():
        assert c.route(node, vip, 80) == [f"{p['status']['podIP']}:8080"]


def test_every_pod_gets_the_full_event_sequence() -> None:
    c = _deployed()
    for p in pods(c):
        reasons = {e["reason"] for e in events(c, name=p["metadata"]["name"])}
        assert {"Scheduled", "Pulling", "Pulled", "Created", "Started"} <= reasons, p["metadata"]["name"]


def test_pulled_event_message_uses_go_duration_format() -> None:
    c = _deployed(1)
    (p,) = pods(c)
    msgs = [e["message"] for e in events(c, name=p["metadata"]["name"], reason="Pulled")]
    assert msgs == [
        f'Successfully pulled image "{PAUSE}" in 1s (1s including waiting). Image size: 1048576 bytes.'
    ]
