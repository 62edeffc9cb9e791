"""compare: the same program on two backends; normalization that ignores what must differ."""

from __future__ import annotations

from typing import Any

from kconform.backends.base import Snapshot
from kconform.backends.reference import ReferenceBackend
from kconform.compare import compare, diff, legend, normalize
from kconform.program import Step


def deployment(name: str, replicas: int, namespace: str = "default") -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": "registry.k8s.io/pause:3.9"}]},
            },
        },
    }


SERVICE: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web", "namespace": "default"},
    "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]},
}

PROGRAM: list[Step] = [
    {"op": "apply", "manifest": deployment("web", 3)},
    {"op": "apply", "manifest": SERVICE},
    {"op": "apply", "manifest": deployment("api", 1)},
    {"op": "scale", "resource": "deployments", "name": "api", "namespace": "default", "replicas": 2},
    {"op": "settle", "timeout_s": 300},
]


def reference(seed: int = 0) -> ReferenceBackend:
    return ReferenceBackend(nodes=3, seed=seed)


def test_the_same_program_on_two_reference_clusters_is_equal() -> None:
    result = compare(PROGRAM, lambda: reference(0), lambda: reference(7), settle_timeout_s=300)
    assert result.equal, result.report
    assert "equivalent" in result.report
    assert result.a is not None and result.a.normalized["objects"]["Deployment#1"]["status.readyReplicas"] == 3


def test_different_programs_give_a_readable_diff() -> None:
    other = [dict(s) for s in PROGRAM]
    other[0] = {"op": "apply", "manifest": deployment("web", 1)}
    other[1] = {"op": "apply", "manifest": {**SERVICE, "metadata": {"name": "zzz", "namespace": "default"}}}
    result = compare(PROGRAM, lambda: reference(0), lambda: reference(0), program_b_steps=other)
    assert not result.equal
    report = result.report
    assert "Deployment#1.spec.replicas: reference(a)=3 reference(b)=1" in report
    assert "Deployment#1.dependents.Pod.count: reference(a)=3 reference(b)=1" in report
    assert "Service#0.dependents.EndpointSlice.ready: reference(a)=3 reference(b)=1" in report
    assert "Deployment#1 = default/web\n" in report  # the legend names the indexed objects
    assert "Service#0 = default/web on reference(a), default/zzz on reference(b)" in report
    assert report.splitlines()[0] == "compare reference(a) vs reference(b): 5 steps"


def test_rejections_that_differ_are_reported_per_step() -> None:
    bad = {"op": "apply", "manifest": deployment("Bad_Name", 1)}

    class Lenient(ReferenceBackend):
        name = "lenient"

        def __init__(self) -> None:
            super().__init__(nodes=3, seed=0)

        def apply(self, manifest: dict[str, Any]) -> dict[str, Any]:
            if manifest["metadata"]["name"] == "Bad_Name":
                return manifest
            return super().apply(manifest)

    result = compare([bad], lambda: reference(0), Lenient, include_events=False)
    assert not result.equal
    assert any(
        d.startswith("step 1 (apply Deployment default/Bad_Name): reference rejected 422 Invalid, lenient ok")
        for d in result.differences
    ), result.report


def snap(objects: dict[str, list[dict[str, Any]]]) -> Snapshot:
    return Snapshot(resource_version="1", objects=objects, time_s=0.0)


def pod(name: str, owner_uid: str | None, ip: str, phase: str = "Running", ready: bool = True) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": "default", "uid": f"uid-{name}",
                            "creationTimestamp": "2024-01-01T00:00:00Z"}
    if owner_uid:
        meta["ownerReferences"] = [{"kind": "ReplicaSet", "name": "rs", "uid": owner_uid, "controller": True}]
    return {
        "kind": "Pod", "metadata": meta, "spec": {"nodeName": "n1"},
        "status": {"phase": phase, "podIP": ip, "conditions": [{"type": "Ready", "status": str(ready)}]},
    }


def test_normalize_drops_names_ips_uids_and_timestamps() -> None:
    def world(suffix: str, ip_base: str, ns: str) -> Snapshot:
        dep = {"kind": "Deployment", "metadata": {"name": "web", "namespace": ns, "uid": f"d{suffix}"},
               "spec": {"replicas": 2}, "status": {"replicas": 2, "readyReplicas": 2}}
        rs = {"kind": "ReplicaSet", "metadata": {"name": f"web-{suffix}", "namespace": ns, "uid": f"r{suffix}",
              "ownerReferences": [{"uid": f"d{suffix}", "controller": True}]}, "spec": {"replicas": 2}}
        pods = [pod(f"web-{suffix}-{i}", f"r{suffix}", f"{ip_base}.{i}") for i in range(2)]
        for p in pods:
            p["metadata"]["namespace"] = ns
        example_ns = {"kind": "Namespace", "metadata": {"name": ns, "labels": {"kconform.io/example-namespace": "true"}}}
        system = pod("coredns-x", None, "10.0.0.9")
        system["metadata"]["namespace"] = "kube-system"
        return snap({"deployments": [dep], "replicasets": [rs], "pods": [*pods, system],
                     "namespaces": [example_ns], "nodes": []})

    a = normalize(world("abc", "10.1.0", "default"))
    b = normalize(world("xyz", "10.2.0", "kconform-1234"))
    assert a == b
    assert a["objects"]["Deployment#0"]["dependents"]["Pod"] == {
        "count": 2, "phases": {"Running": 2}, "ready": 2, "terminating": 0, "conditions": {"Ready=True": 2},
    }
    assert "web" not in repr(a) and "10.1" not in repr(a) and "2024" not in repr(a)
    assert legend(world("abc", "10.1.0", "default")) == {"Deployment#0": "default/web"}


def test_event_reasons_leave_out_the_api_servers_repair_races() -> None:
    def event(reason: str, **who: str) -> dict:
        return {"kind": "Event", "metadata": {"name": reason, "namespace": "default"}, "reason": reason,
                "involvedObject": {"kind": "Service", "namespace": "default", "name": "s"}, **who}

    events = [
        event("ClusterIPNotAllocated", reportingComponent="ipallocator-repair-controller"),
        event("ClusterIPNotAllocated", reportingController="ipallocator-repair-controller"),
        event("EnsuringLoadBalancer", source={"component": "service-controller"}),
    ]
    assert normalize(snap({"events": events}))["events"] == {"Service": ["EnsuringLoadBalancer"]}


def test_owners_are_indexed_in_a_stable_order() -> None:
    objs = [pod("b", None, "1"), pod("a", None, "2", phase="Pending", ready=False)]
    n1 = normalize(snap({"pods": objs}))
    n2 = normalize(snap({"pods": list(reversed(objs))}))
    assert n1 == n2
    assert n1["objects"]["Pod#0"]["phase"] == "Pending"  # "a" sorts first


def test_diff_lines() -> None:
    a = {"objects": {"Pod#0": {"phase": "Running"}}, "nodes": {"ready": 3}}
    b = {"objects": {"Pod#0": {"phase": "Pending"}, "Pod#1": {"phase": "Running"}}, "nodes": {"ready": 2}}
    assert diff(a, b) == [
        "objects.Pod#0.phase: a='Running' b='Pending'",
        "objects.Pod#1: only on b",
        "nodes.ready: a=3 b=2",
    ]
