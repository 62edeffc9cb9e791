"""Liveness invariants on hand-built settled snapshots: the healthy cluster passes, each
breakage yields exactly the expected violation, and legitimately stuck workloads pass."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping

import pytest
from kinv_factories import (
    Obj,
    container,
    daemonset,
    find,
    healthy_cluster,
    healthy_routes,
    job,
    namespace,
    node,
    pod,
    snapshot,
)

from kconform.invariants import Expectations, Violation, check_liveness, stuck_reason


def only(violations: list[Violation]) -> tuple[str, str]:
    assert len(violations) == 1, "\n".join(map(str, violations))
    return violations[0].invariant, violations[0].where


_HEALTHY_ROUTES = object()


def live(
    objs: list[Obj], expect: Expectations | None = None, *,
    routes: Mapping[str, Mapping[str, list[str]]] | object | None = _HEALTHY_ROUTES,
    dead_nodes: Iterable[str] = (),
) -> list[Violation]:
    """check_liveness over ``objs``; routes default to the healthy cluster's."""
    table = healthy_routes() if routes is _HEALTHY_ROUTES else routes
    assert table is None or isinstance(table, Mapping)
    return check_liveness(snapshot(objs, routes=table, dead_nodes=dead_nodes), expect)


def test_healthy_cluster_is_live() -> None:
    assert live(healthy_cluster()) == []


def _remove(kind: str, name: str) -> Callable[[list[Obj]], None]:
    def mutate(objs: list[Obj]) -> None:
        objs.remove(find(objs, kind, name))
    return mutate


def _set(kind: str, name: str, path: str, value: object) -> Callable[[list[Obj]], None]:
    def mutate(objs: list[Obj]) -> None:
        target = find(objs, kind, name)
        *parents, last = path.split(".")
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value
    return mutate


def _terminate(kind: str, name: str) -> Callable[[list[Obj]], None]:
    return _set(kind, name, "metadata.deletionTimestamp", "2024-01-01T00:00:00Z")


def _add(obj: Obj) -> Callable[[list[Obj]], None]:
    return lambda objs: objs.append(obj)


def _extra_web_pod() -> Callable[[list[Obj]], None]:
    def mutate(objs: list[Obj]) -> None:
        extra = copy.deepcopy(find(objs, "Pod", "web-abc-1"))
        extra["metadata"].update(name="web-abc-3", uid="uid-pod-web-abc-3")
        extra["status"]["podIP"] = "10.244.1.9"
        objs.append(extra)
    return mutate


def _both(*mutations: Callable[[list[Obj]], None]) -> Callable[[list[Obj]], None]:
    def mutate(objs: list[Obj]) -> None:
        for m in mutations:
            m(objs)
    return mutate


CASES: list[tuple[str, Callable[[list[Obj]], None], str, str]] = [
    ("deployment generation not observed", _set("Deployment", "web", "metadata.generation", 2),
     "liveness.deployment-observed-generation", "deployment default/web"),
    ("deployment status lags", _set("Deployment", "web", "status.readyReplicas", 1),
     "liveness.deployment-status", "deployment default/web"),
    ("deployment not available", _set("Deployment", "web", "status.conditions", []),
     "liveness.deployment-available", "deployment default/web"),
    ("deployment new rs not scaled", _both(_set("Deployment", "web", "spec.replicas", 3),
                                           _set("Deployment", "web", "status.replicas", 3),
                                           _set("Deployment", "web", "status.updatedReplicas", 3),
                                           _set("Deployment", "web", "status.readyReplicas", 3),
                                           _set("Deployment", "web", "status.availableReplicas", 3)),
     "liveness.deployment-new-replicaset", "deployment default/web"),
    ("replicaset missing a pod", _both(_remove("Pod", "web-abc-2"),
                                       _set("EndpointSlice", "web-x1", "endpoints",
                                            [{"addresses": ["10.244.1.5"], "conditions": {"ready": True}}])),
     "liveness.replicaset-replicas", "replicaset default/web-abc"),
    ("replicaset status wrong", _set("ReplicaSet", "web-abc", "status.replicas", 3),
     "liveness.replicaset-status", "replicaset default/web-abc"),
    ("pod not ready without a reason", _both(_set("Pod", "db-1", "status.conditions",
                                                  [{"type": "Ready", "status": "False"}])),
     "liveness.pod-not-ready", "pod default/db-1"),
    ("statefulset pod missing", _remove("Pod", "db-1"),
     "liveness.statefulset-missing-pod", "statefulset default/db"),
    ("statefulset extra pod", _add(pod("db-2", node_name="node-1", labels={"app": "db"}, ip="10.244.1.30",
                                       owner={"kind": "StatefulSet", "metadata": {"name": "db", "uid": "uid-statefulset-db"}})),
     "liveness.statefulset-extra-pod", "statefulset default/db"),
    ("daemon pod missing", _both(_remove("Pod", "agent-2")),
     "liveness.daemonset-missing-pod", "daemonset default/agent"),
    ("daemonset status wrong", _set("DaemonSet", "agent", "status.desiredNumberScheduled", 3),
     "liveness.daemonset-status", "daemonset default/agent"),
    ("job complete with active pod", _add(pod("once-abc", node_name="node-2", labels={"job-name": "once"},
                                              owner={"kind": "Job", "metadata": {"name": "once", "uid": "uid-job-once"}})),
     "liveness.job-finished-active", "job default/once"),
    ("job complete with too few successes", _set("Job", "once", "status.succeeded", 0),
     "liveness.job-completions", "job default/once"),
    ("job finished but not marked", _add(job("late", complete=False, succeeded=1)),
     "liveness.job-not-finished", "job default/late"),
    ("endpointslice misses a ready pod", _set("EndpointSlice", "web-x1", "endpoints",
                                              [{"addresses": ["10.244.1.5"], "conditions": {"ready": True}}]),
     "liveness.endpointslice-mismatch", "service default/web"),
    ("endpointslice wrong port", _set("EndpointSlice", "web-x1", "ports",
                                      [{"name": "http", "port": 80, "protocol": "TCP"}]),
     "liveness.endpointslice-mismatch", "service default/web"),
    ("dangling owner", _remove("ReplicaSet", "web-abc"), "liveness.gc-dangling-owner", "pod default/web-abc-1"),
]


@pytest.mark.parametrize(("mutate", "invariant", "where"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_breakage_is_caught(mutate: Callable[[list[Obj]], None], invariant: str, where: str) -> None:
    objs = healthy_cluster()
    mutate(objs)
    # routes are checked on their own below; these breakages change the endpoints routes follow
    found = {(v.invariant, v.where) for v in live(objs, routes=None)}
    assert (invariant, where) in found, found
    if invariant != "liveness.gc-dangling-owner":  # removing an owner orphans each of its pods
        assert only(live(objs, routes=None)) == (invariant, where)


def test_dangling_owner_is_reported_per_dependent() -> None:
    objs = healthy_cluster()
    objs.remove(find(objs, "ReplicaSet", "web-abc"))
    found = {(v.invariant, v.where) for v in live(objs)}
    assert found == {("liveness.gc-dangling-owner", "pod default/web-abc-1"),
                     ("liveness.gc-dangling-owner", "pod default/web-abc-2"),
                     ("liveness.deployment-new-replicaset", "deployment default/web")}


def test_orphan_deleted_owner_must_lose_the_reference() -> None:
    objs = healthy_cluster()
    objs.remove(find(objs, "StatefulSet", "db"))
    expect = Expectations(deleted_objects={"statefulsets/default/db": "Orphan"})
    found = {(v.invariant, v.where) for v in live(objs, expect)}
    assert found == {("liveness.gc-orphan-reference-kept", "pod default/db-0"),
                     ("liveness.gc-orphan-reference-kept", "pod default/db-1")}
    for name in ("db-0", "db-1"):
        del find(objs, "Pod", name)["metadata"]["ownerReferences"]
    assert live(objs, expect) == []


def test_deleted_object_still_present() -> None:
    objs = healthy_cluster()
    cm = {"kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default", "uid": "uid-cm"}}
    objs.append(cm)
    expect = Expectations(deleted_objects={"configmaps/default/cfg": "Background"})
    assert only(live(objs, expect)) == ("liveness.deleted-object-present", "configmap default/cfg")


def test_recreated_statefulset_pod_is_not_a_leftover() -> None:
    expect = Expectations(deleted_objects={"pods/default/db-0": "Background"})
    assert live(healthy_cluster(), expect) == []


def test_deleted_namespace_must_be_gone_and_empty() -> None:
    objs = healthy_cluster()
    objs.append(namespace("gone"))
    expect = Expectations(deleted_namespaces={"gone"})
    assert only(live(objs, expect)) == ("liveness.namespace-not-deleted", "namespace gone")
    objs.append(pod("left", ns="gone"))
    assert only(live(objs, expect)) == ("liveness.namespace-not-empty", "namespace gone")


def test_namespace_may_stay_terminating_for_pods_on_dead_nodes() -> None:
    objs = healthy_cluster()
    ns = namespace("gone")
    ns["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    stuck = pod("stuck", ns="gone", node_name="node-3", ready=False)
    stuck["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z"
    objs += [ns, stuck, node("node-3", ready=False)]
    expect = Expectations(deleted_namespaces={"gone"})
    assert live(objs, expect, dead_nodes={"node-3"}) == []


def test_unschedulable_pods_are_accepted_as_stuck() -> None:
    objs = healthy_cluster()
    dep = find(objs, "Deployment", "web")
    dep["spec"]["replicas"] = 3
    rs = find(objs, "ReplicaSet", "web-abc")
    rs["spec"]["replicas"] = rs["status"]["replicas"] = 3
    pending = pod("web-abc-3", labels={"app": "web", "pod-template-hash": "abc"}, phase="Pending", owner=rs)
    pending["status"]["conditions"] = [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]
    objs.append(pending)
    assert stuck_reason(pending) == "Unschedulable"
    assert live(objs) == []
    pending["status"]["conditions"] = [{"type": "PodScheduled", "status": "True"}]
    assert only(live(objs)) == ("liveness.pod-not-ready", "pod default/web-abc-3")


def test_crash_looping_pod_is_accepted_as_stuck() -> None:
    objs = healthy_cluster()
    db1 = find(objs, "Pod", "db-1")
    db1["status"]["conditions"] = [{"type": "Ready", "status": "False", "reason": "ContainersNotReady"}]
    db1["status"]["containerStatuses"] = [
        {"name": "app", "ready": False, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]
    assert stuck_reason(db1) == "CrashLoopBackOff"
    find(objs, "StatefulSet", "db")["status"]["readyReplicas"] = 1
    assert live(objs) == []


def _dead_node_cluster() -> list[Obj]:
    objs = healthy_cluster()
    unreachable = [{"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"},
                   {"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule"}]
    n2 = find(objs, "Node", "node-2")
    n2["spec"]["taints"] = unreachable
    n2["status"]["conditions"] = [{"type": "Ready", "status": "Unknown"}]
    return objs


def test_pods_on_dead_node_must_be_evicted() -> None:
    objs = _dead_node_cluster()
    tol = [{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
            "tolerationSeconds": 300}]
    orphan = pod("lonely", node_name="node-2", ready=False, spec={"containers": [{"name": "c"}], "tolerations": tol})
    objs.append(orphan)
    found = live(objs, Expectations(dead_for_s={"node-2": 400.0}), dead_nodes={"node-2"}, routes=None)
    assert ("liveness.pod-not-evicted", "pod default/lonely") in {(v.invariant, v.where) for v in found}
    # not yet due: 100 s dead < 50 s grace + 20 s slack + 300 s toleration
    early = live(objs, Expectations(dead_for_s={"node-2": 100.0}), dead_nodes={"node-2"}, routes=None)
    assert ("liveness.pod-not-evicted", "pod default/lonely") not in {(v.invariant, v.where) for v in early}


def test_only_the_first_toleration_of_a_taint_sets_its_eviction_time() -> None:
    """``GetMatchingTolerations`` takes, per taint, the first toleration that tolerates it: here
    ``operator: Exists`` without tolerationSeconds, so the pod stays however long the node is dead
    (the later 5 s toleration never counts) — reported as a false alarm of node-chaos."""
    objs = _dead_node_cluster()
    tol = [{"operator": "Exists"},
           {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute", "tolerationSeconds": 5}]
    objs.append(pod("stays", node_name="node-2", ready=False, spec={"containers": [{"name": "c"}], "tolerations": tol}))
    found = live(objs, Expectations(dead_for_s={"node-2": 4000.0}), dead_nodes={"node-2"}, routes=None)
    assert ("liveness.pod-not-evicted", "pod default/stays") not in {(v.invariant, v.where) for v in found}
    # the other order: the 5 s toleration is the first match, and the pod is due
    objs[-1]["spec"]["tolerations"] = tol[::-1]
    found = live(objs, Expectations(dead_for_s={"node-2": 4000.0}), dead_nodes={"node-2"}, routes=None)
    assert ("liveness.pod-not-evicted", "pod default/stays") in {(v.invariant, v.where) for v in found}


def test_settled_dead_node() -> None:
    """After a node died and everything settled: workload pods evicted and replaced, daemon pod stays."""
    objs = _dead_node_cluster()
    for name in ("web-abc-2", "db-1"):
        p = find(objs, "Pod", name)
        p["metadata"]["deletionTimestamp"] = "2024-01-01T00:00:00Z"
        p["status"]["conditions"] = [{"type": "Ready", "status": "False"}]
    agent2 = find(objs, "Pod", "agent-2")
    agent2["spec"]["tolerations"] = [{"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                                      "effect": "NoExecute"}]
    agent2["status"]["conditions"] = [{"type": "Ready", "status": "False"}]
    replacement = copy.deepcopy(find(objs, "Pod", "web-abc-1"))
    replacement["metadata"].update(name="web-abc-4", uid="uid-pod-web-abc-4")
    replacement["status"]["podIP"] = "10.244.1.7"
    objs.append(replacement)
    find(objs, "EndpointSlice", "web-x1")["endpoints"] = [
        {"addresses": ["10.244.1.5"], "conditions": {"ready": True}},
        {"addresses": ["10.244.1.7"], "conditions": {"ready": True}},
        {"addresses": ["10.244.2.5"], "conditions": {"ready": False, "terminating": True}},
    ]
    find(objs, "DaemonSet", "agent")["status"]["desiredNumberScheduled"] = 1
    # db-1 is stuck terminating on the dead node: the StatefulSet cannot replace it.
    find(objs, "StatefulSet", "db")["status"]["readyReplicas"] = 1
    backends = ["10.244.1.5:8080", "10.244.1.7:8080"]
    routes = {"node-1": {"10.96.0.10:80/TCP": backends, "0.0.0.0:30080/TCP": backends}}
    assert live(objs, dead_nodes={"node-2"}, routes=routes) == []
    # the daemon pod on the dead node still reporting Ready is a bug of the node lifecycle controller
    agent2["status"]["conditions"] = [{"type": "Ready", "status": "True"}]
    assert only(live(objs, dead_nodes={"node-2"}, routes=routes)) == (
        "liveness.pod-ready-on-dead-node", "pod default/agent-2")


def test_daemonset_respects_node_selector_and_taints() -> None:
    objs = healthy_cluster()
    objs.append(node("node-3", taints=[{"key": "dedicated", "effect": "NoSchedule"}]))
    objs.append(node("node-4", labels={"zone": "c"}))
    ds = daemonset("zonal", labels={"app": "zonal"}, desired=1, node_selector={"zone": "c"})
    objs.append(ds)
    objs.append(pod("zonal-4", node_name="node-4", labels={"app": "zonal"}, ip="10.244.4.2", owner=ds))
    find(objs, "DaemonSet", "agent")["status"]["desiredNumberScheduled"] = 3
    missing = live(objs, routes=None)
    assert only(missing) == ("liveness.daemonset-missing-pod", "daemonset default/agent")
    assert "node-4" in missing[0].expected
    objs.append(pod("agent-4", node_name="node-4", labels={"app": "agent"}, ip="10.244.4.3",
                    owner=find(objs, "DaemonSet", "agent")))
    assert live(objs, routes=None) == []
    objs.append(pod("zonal-1", node_name="node-1", labels={"app": "zonal"}, ip="10.244.1.40", owner=ds))
    assert only(live(objs, routes=None)) == ("liveness.daemonset-misplaced-pod", "daemonset default/zonal")


def test_routes_mismatch_and_stale() -> None:
    routes = healthy_routes()
    routes["node-2"]["10.96.0.10:80/TCP"] = ["10.244.1.5:8080"]
    assert only(live(healthy_cluster(), routes=routes)) == ("liveness.route-mismatch", "node node-2")
    routes = healthy_routes()
    routes["node-1"]["10.96.0.99:80/TCP"] = ["10.244.1.5:8080"]
    assert only(live(healthy_cluster(), routes=routes)) == ("liveness.route-stale", "node node-1")
    routes = healthy_routes()
    del routes["node-1"]["0.0.0.0:30080/TCP"]
    assert only(live(healthy_cluster(), routes=routes)) == ("liveness.route-mismatch", "node node-1")


def test_routes_external_traffic_policy_local() -> None:
    objs = healthy_cluster()
    find(objs, "Service", "web")["spec"]["externalTrafficPolicy"] = "Local"
    found = {(v.invariant, v.where, v.expected) for v in live(objs)}
    assert found == {("liveness.route-mismatch", "node node-1", "0.0.0.0:30080/TCP -> ['10.244.1.5:8080']"),
                     ("liveness.route-mismatch", "node node-2", "0.0.0.0:30080/TCP -> ['10.244.2.5:8080']")}
    routes = healthy_routes()
    routes["node-1"]["0.0.0.0:30080/TCP"] = ["10.244.1.5:8080"]
    routes["node-2"]["0.0.0.0:30080/TCP"] = ["10.244.2.5:8080"]
    assert live(objs, routes=routes) == []


def test_routes_are_skipped_without_the_capability() -> None:
    routes = healthy_routes()
    routes["node-2"]["10.96.0.10:80/TCP"] = []
    assert live(healthy_cluster(), routes=None) == []


def test_an_unbound_daemon_pod_counts_for_the_node_its_affinity_names() -> None:
    """A daemon pod the scheduler could not place yet is stuck, not missing (the DS controller made it)."""
    objs = healthy_cluster()
    objs.append(node("node-3"))
    ds = find(objs, "DaemonSet", "agent")
    ds["status"]["desiredNumberScheduled"] = 3
    assert only(live(objs, routes=None)) == ("liveness.daemonset-missing-pod", "daemonset default/agent")
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-3"]}]}]}}}
    stuck = pod("agent-3", labels={"app": "agent"}, phase="Pending", owner=ds,
                spec={"containers": [container()], "affinity": affinity})
    stuck["status"]["conditions"] = [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                                      "message": "0/3 nodes are available: 1 Insufficient cpu."}]
    objs.append(stuck)
    assert live(objs, routes=None) == []
