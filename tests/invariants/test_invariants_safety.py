"""Safety invariants on hand-built snapshots: a healthy cluster passes, each breakage is caught
exactly once, with the right invariant id and place."""

from __future__ import annotations

import copy

import pytest
from kinv_factories import (
    Obj,
    deployment,
    healthy_cluster,
    node,
    pod,
    replicaset,
    service,
    snapshot,
)

from kconform.invariants import (
    InvariantViolation,
    SafetyMonitor,
    Violation,
    assert_no_violations,
    check_safety,
    max_surge,
    max_unavailable,
)


def only(violations: list[Violation]) -> tuple[str, str]:
    assert len(violations) == 1, "\n".join(map(str, violations))
    return violations[0].invariant, violations[0].where


def test_healthy_cluster_is_safe() -> None:
    assert check_safety(snapshot(healthy_cluster())) == []
    monitor = SafetyMonitor()
    assert monitor.observe(snapshot(healthy_cluster()), faults_active=False) == []
    assert monitor.observe(snapshot(healthy_cluster(), rv="101"), faults_active=False) == []


def test_node_overcommit_cpu() -> None:
    objs = [node("node-2", cpu="4"), pod("a", node_name="node-2", cpu="3"), pod("b", node_name="node-2", cpu="1500m")]
    violations = check_safety(snapshot(objs))
    assert only(violations) == ("safety.node-overcommit", "node node-2")
    assert str(violations[0]) == "[safety.node-overcommit] node node-2: expected cpu requests <= 4, got 4500m"


def test_terminal_pods_do_not_count() -> None:
    objs = [node("node-2", cpu="4"), pod("a", node_name="node-2", cpu="3"),
            pod("b", node_name="node-2", cpu="3", phase="Succeeded")]
    assert check_safety(snapshot(objs)) == []


def test_node_overcommit_memory_and_pod_count() -> None:
    objs = [node("n", memory="1Gi", pods=1), pod("a", node_name="n", memory="1Gi"),
            pod("b", node_name="n", memory="1Mi", cpu="0")]
    found = {(v.invariant, v.where, v.expected) for v in check_safety(snapshot(objs))}
    assert found == {
        ("safety.node-overcommit", "node n", "memory requests <= 1073741824"),
        ("safety.node-overcommit", "node n", "pods <= 1"),
    }


def test_init_containers_count_as_the_scheduler_does() -> None:
    big_init = {"containers": [{"name": "c", "resources": {"requests": {"cpu": "1"}}}],
                "initContainers": [{"name": "i", "resources": {"requests": {"cpu": "5"}}}]}
    assert only(check_safety(snapshot([node("n"), pod("a", node_name="n", spec=big_init)]))) == (
        "safety.node-overcommit", "node n")


def test_pod_violating_node_selector() -> None:
    spec = {"containers": [{"name": "c"}], "nodeSelector": {"zone": "b"}}
    objs = [node("node-1", labels={"zone": "a"}), pod("p", node_name="node-1", spec=spec)]
    assert only(check_safety(snapshot(objs))) == ("safety.pod-node-affinity", "pod default/p")


def test_pod_violating_required_affinity() -> None:
    spec = {"containers": [{"name": "c"}], "affinity": {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}]}}}}
    objs = [node("node-1", labels={"zone": "a"}), pod("p", node_name="node-1", spec=spec)]
    assert only(check_safety(snapshot(objs))) == ("safety.pod-node-affinity", "pod default/p")


def test_untolerated_noschedule_taint() -> None:
    taint = {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}
    objs = [node("node-1", taints=[taint]), pod("p", node_name="node-1")]
    violations = check_safety(snapshot(objs))
    assert only(violations) == ("safety.pod-untolerated-taint", "pod default/p")
    assert "dedicated=gpu:NoSchedule" in violations[0].actual


def test_lifecycle_taints_are_not_checked() -> None:
    taints = [{"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule"},
              {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}]
    assert check_safety(snapshot([node("node-1", taints=taints), pod("p", node_name="node-1")])) == []


def test_tolerated_taint_is_fine() -> None:
    taint = {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}
    spec = {"containers": [{"name": "c"}], "tolerations": [{"key": "dedicated", "operator": "Exists"}]}
    assert check_safety(snapshot([node("node-1", taints=[taint]), pod("p", node_name="node-1", spec=spec)])) == []


def test_duplicate_pod_ip() -> None:
    objs = [node("n"), pod("a", node_name="n", ip="10.0.0.5"), pod("b", node_name="n", ip="10.0.0.5")]
    assert only(check_safety(snapshot(objs))) == ("safety.duplicate-pod-ip", "pod default/a")


def test_duplicate_pod_ip_ignores_host_network_and_non_running() -> None:
    host = {"containers": [{"name": "c"}], "hostNetwork": True}
    objs = [node("n"), pod("a", node_name="n", ip="10.0.0.5"), pod("b", node_name="n", ip="10.0.0.5", spec=host),
            pod("c", node_name="n", ip="10.0.0.5", phase="Failed")]
    assert check_safety(snapshot(objs)) == []


def test_duplicate_cluster_ip() -> None:
    port = [{"port": 80, "protocol": "TCP"}]
    objs = [service("a", selector={"x": "1"}, cluster_ip="10.96.0.5", ports=port),
            service("b", selector={"x": "2"}, cluster_ip="10.96.0.5", ports=port),
            service("h1", selector={"x": "3"}, cluster_ip="None", ports=port),
            service("h2", selector={"x": "4"}, cluster_ip="None", ports=port)]
    assert only(check_safety(snapshot(objs))) == ("safety.duplicate-cluster-ip", "service default/a")


def test_duplicate_node_port_per_protocol() -> None:
    tcp = [{"port": 80, "protocol": "TCP", "nodePort": 30001}]
    udp = [{"port": 53, "protocol": "UDP", "nodePort": 30001}]
    objs = [service("a", selector={"x": "1"}, cluster_ip="10.96.0.5", ports=tcp, type_="NodePort"),
            service("b", selector={"x": "1"}, cluster_ip="10.96.0.6", ports=udp, type_="NodePort")]
    assert check_safety(snapshot(objs)) == []
    objs.append(service("c", selector={"x": "1"}, cluster_ip="10.96.0.7", ports=tcp, type_="NodePort"))
    assert only(check_safety(snapshot(objs))) == ("safety.duplicate-node-port", "service default/a")


def test_pod_node_change_is_caught() -> None:
    monitor = SafetyMonitor()
    objs = [node("node-1"), node("node-2"), pod("p", node_name="node-1")]
    assert monitor.observe(snapshot(objs), faults_active=True) == []
    moved = copy.deepcopy(objs)
    moved[2]["spec"]["nodeName"] = "node-2"
    assert only(monitor.observe(snapshot(moved, rv="101"), faults_active=True)) == (
        "safety.pod-node-changed", "pod default/p")


def test_monitor_checks_placement_only_when_first_bound() -> None:
    monitor = SafetyMonitor()
    objs = [node("node-1", labels={"zone": "a"}),
            pod("p", node_name="node-1", spec={"containers": [{"name": "c"}], "nodeSelector": {"zone": "a"}})]
    assert monitor.observe(snapshot(objs), faults_active=False) == []
    relabelled = copy.deepcopy(objs)
    relabelled[0]["metadata"]["labels"]["zone"] = "b"  # IgnoredDuringExecution: not a violation
    assert monitor.observe(snapshot(relabelled, rv="101"), faults_active=False) == []
    assert only(check_safety(snapshot(relabelled))) == ("safety.pod-node-affinity", "pod default/p")


def test_snapshot_resource_version_regression() -> None:
    monitor = SafetyMonitor()
    assert monitor.observe(snapshot([], rv="100"), faults_active=False) == []
    assert only(monitor.observe(snapshot([], rv="99"), faults_active=False)) == (
        "safety.resource-version-regressed", "snapshot")


def test_object_resource_version_regression() -> None:
    monitor = SafetyMonitor()
    p = pod("p")
    p["metadata"]["resourceVersion"] = "50"
    assert monitor.observe(snapshot([p], rv="100"), faults_active=False) == []
    older = copy.deepcopy(p)
    older["metadata"]["resourceVersion"] = "40"
    assert only(monitor.observe(snapshot([older], rv="101"), faults_active=False)) == (
        "safety.resource-version-regressed", "pod default/p")


def _rollout(new_replicas: int, old_replicas: int) -> list[Obj]:
    labels = {"app": "web"}
    dep = deployment("web", replicas=4, labels=labels)
    dep["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}}
    new = replicaset("web-new", replicas=new_replicas, labels=labels, owner=dep, pod_hash="new")
    old = replicaset("web-old", replicas=old_replicas, labels=labels, owner=dep, pod_hash="old")
    return [dep, new, old]


def test_deployment_surge_bound() -> None:
    monitor = SafetyMonitor()
    assert monitor.observe(snapshot(_rollout(1, 4)), faults_active=False) == []
    assert monitor.observe(snapshot(_rollout(2, 3), rv="101"), faults_active=False) == []
    assert only(monitor.observe(snapshot(_rollout(3, 3), rv="102"), faults_active=False)) == (
        "safety.deployment-surge", "deployment default/web")


def test_deployment_surge_not_asserted_during_faults_or_scale_or_unobserved_generation() -> None:
    monitor = SafetyMonitor()
    assert monitor.observe(snapshot(_rollout(1, 4)), faults_active=False) == []
    assert monitor.observe(snapshot(_rollout(3, 3), rv="101"), faults_active=True) == []
    unobserved = _rollout(3, 3)
    unobserved[0]["metadata"]["generation"] = 2
    assert monitor.observe(snapshot(unobserved, rv="102"), faults_active=False) == []
    scaled = _rollout(3, 3)
    scaled[0]["spec"]["replicas"] = 3
    assert monitor.observe(snapshot(scaled, rv="103"), faults_active=False) == []


def test_deployment_surge_not_asserted_right_after_adoption() -> None:
    monitor = SafetyMonitor()
    dep, new, old = _rollout(1, 4)
    del old["metadata"]["ownerReferences"]  # an orphan, then adopted
    assert monitor.observe(snapshot([dep, new, old]), faults_active=False) == []
    assert monitor.observe(snapshot(_rollout(1, 8), rv="101"), faults_active=False) == []


@pytest.mark.parametrize(
    ("replicas", "surge", "unavailable", "want_surge", "want_unavailable"),
    [
        (10, "25%", "25%", 3, 2),
        (1, "25%", "25%", 1, 0),
        (4, 0, 0, 0, 1),
        (4, "0%", "10%", 0, 1),
        (3, 2, 1, 2, 1),
    ],
)
def test_surge_and_unavailable_resolution(
    replicas: int, surge: int | str, unavailable: int | str, want_surge: int, want_unavailable: int
) -> None:
    dep = deployment("d", replicas=replicas, labels={"a": "b"},
                     strategy={"type": "RollingUpdate",
                               "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}})
    assert (max_surge(dep), max_unavailable(dep)) == (want_surge, want_unavailable)


def test_assert_no_violations_message() -> None:
    assert_no_violations([])
    v = Violation("safety.node-overcommit", "node node-2", "cpu requests <= 4", "4500m")
    with pytest.raises(InvariantViolation) as err:
        assert_no_violations([v], context="after step 3")
    assert isinstance(err.value, AssertionError)
    assert err.value.violations == [v]
    assert str(err.value) == (
        "1 invariant violation(s) after step 3:\n"
        "  [safety.node-overcommit] node node-2: expected cpu requests <= 4, got 4500m"
    )

