"""Small factories for hand-built snapshots (plain dicts in the ``kubectl get -o json`` shape).

``healthy_cluster()`` is one settled, fault-free cluster in which every invariant holds; the
tests break it one way at a time and expect exactly one violation.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from kconform.backends.base import Snapshot

Obj = dict[str, Any]

PLURALS = {
    "Namespace": "namespaces",
    "Node": "nodes",
    "Pod": "pods",
    "Service": "services",
    "EndpointSlice": "endpointslices",
    "Deployment": "deployments",
    "ReplicaSet": "replicasets",
    "DaemonSet": "daemonsets",
    "StatefulSet": "statefulsets",
    "Job": "jobs",
    "ConfigMap": "configmaps",
    "Lease": "leases",
}


def _meta(kind: str, name: str, namespace: str | None, labels: Mapping[str, str] | None = None) -> Obj:
    md: Obj = {"name": name, "uid": f"uid-{kind.lower()}-{name}", "resourceVersion": "10", "generation": 1}
    if namespace is not None:
        md["namespace"] = namespace
    if labels:
        md["labels"] = dict(labels)
    return md


def owner_ref(owner: Obj, *, controller: bool = True) -> Obj:
    return {
        "apiVersion": owner.get("apiVersion", "v1"),
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": controller,
        "blockOwnerDeletion": True,
    }


def namespace(name: str) -> Obj:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": _meta("Namespace", name, None),
            "status": {"phase": "Active"}}


def node(
    name: str, *, cpu: str = "4", memory: str = "8Gi", pods: int = 110,
    labels: Mapping[str, str] | None = None, taints: list[Obj] | None = None, ready: bool = True,
) -> Obj:
    all_labels = {"kubernetes.io/hostname": name, **(labels or {})}
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": _meta("Node", name, None, all_labels),
        "spec": {"taints": taints} if taints else {},
        "status": {
            "allocatable": {"cpu": cpu, "memory": memory, "pods": str(pods)},
            "conditions": [{"type": "Ready", "status": "True" if ready else "Unknown"}],
        },
    }


def container(name: str = "app", *, cpu: str = "100m", memory: str = "128Mi",
              ports: list[Obj] | None = None) -> Obj:
    c: Obj = {"name": name, "image": "registry.k8s.io/pause:3.9",
              "resources": {"requests": {"cpu": cpu, "memory": memory}}}
    if ports:
        c["ports"] = ports
    return c


def pod_template(labels: Mapping[str, str], **container_kw: Any) -> Obj:
    return {"metadata": {"labels": dict(labels)}, "spec": {"containers": [container(**container_kw)]}}


def pod(
    name: str, *, ns: str = "default", node_name: str | None = None, labels: Mapping[str, str] | None = None,
    ip: str | None = None, phase: str = "Running", ready: bool = True, owner: Obj | None = None,
    spec: Obj | None = None, cpu: str = "100m", memory: str = "128Mi",
) -> Obj:
    pod_spec: Obj = copy.deepcopy(spec) if spec is not None else {"containers": [container(cpu=cpu, memory=memory)]}
    if node_name:
        pod_spec["nodeName"] = node_name
    md = _meta("Pod", name, ns, labels)
    del md["generation"]
    if owner is not None:
        md["ownerReferences"] = [owner_ref(owner)]
    conditions = [{"type": "PodScheduled", "status": "True" if node_name else "False"}]
    if phase == "Running":
        conditions.append({"type": "Ready", "status": "True" if ready else "False"})
    st: Obj = {"phase": phase, "conditions": conditions}
    if ip:
        st["podIP"] = ip
    if phase == "Running":
        st["containerStatuses"] = [{"name": c["name"], "ready": ready, "state": {"running": {}}}
                                   for c in pod_spec["containers"]]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": pod_spec, "status": st}


def deployment(name: str, *, replicas: int, labels: Mapping[str, str], ns: str = "default",
               template: Obj | None = None, strategy: Obj | None = None) -> Obj:
    d_spec: Obj = {
        "replicas": replicas,
        "selector": {"matchLabels": dict(labels)},
        "template": template if template is not None else pod_template(labels),
        "strategy": strategy or {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
    }
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta("Deployment", name, ns), "spec": d_spec,
        "status": {
            "observedGeneration": 1, "replicas": replicas, "updatedReplicas": replicas,
            "readyReplicas": replicas, "availableReplicas": replicas,
            "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
                           {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"}],
        },
    }


def replicaset(name: str, *, replicas: int, labels: Mapping[str, str], ns: str = "default",
               owner: Obj | None = None, template: Obj | None = None, pod_hash: str = "abc") -> Obj:
    tpl = copy.deepcopy(template if template is not None else pod_template(labels))
    tpl.setdefault("metadata", {}).setdefault("labels", {})["pod-template-hash"] = pod_hash
    md = _meta("ReplicaSet", name, ns, {**labels, "pod-template-hash": pod_hash})
    if owner is not None:
        md["ownerReferences"] = [owner_ref(owner)]
    return {
        "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": md,
        "spec": {"replicas": replicas, "selector": {"matchLabels": {**labels, "pod-template-hash": pod_hash}},
                 "template": tpl},
        "status": {"observedGeneration": 1, "replicas": replicas, "readyReplicas": replicas,
                   "availableReplicas": replicas},
    }


def statefulset(name: str, *, replicas: int, labels: Mapping[str, str], ns: str = "default") -> Obj:
    return {
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": _meta("StatefulSet", name, ns),
        "spec": {"replicas": replicas, "selector": {"matchLabels": dict(labels)}, "serviceName": name,
                 "template": pod_template(labels), "podManagementPolicy": "OrderedReady"},
        "status": {"observedGeneration": 1, "replicas": replicas, "readyReplicas": replicas},
    }


def daemonset(name: str, *, labels: Mapping[str, str], desired: int, ns: str = "default",
              node_selector: Mapping[str, str] | None = None) -> Obj:
    tpl = pod_template(labels)
    if node_selector:
        tpl["spec"]["nodeSelector"] = dict(node_selector)
    return {
        "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": _meta("DaemonSet", name, ns),
        "spec": {"selector": {"matchLabels": dict(labels)}, "template": tpl},
        "status": {"observedGeneration": 1, "desiredNumberScheduled": desired, "numberReady": desired},
    }


def job(name: str, *, completions: int = 1, succeeded: int = 1, complete: bool = True, ns: str = "default") -> Obj:
    conditions = [{"type": "Complete", "status": "True"}] if complete else []
    return {
        "apiVersion": "batch/v1", "kind": "Job", "metadata": _meta("Job", name, ns),
        "spec": {"completions": completions, "parallelism": 1, "backoffLimit": 6,
                 "template": pod_template({"job-name": name})},
        "status": {"succeeded": succeeded, "conditions": conditions},
    }


def service(name: str, *, selector: Mapping[str, str] | None, cluster_ip: str, ports: list[Obj],
            ns: str = "default", type_: str = "ClusterIP") -> Obj:
    s_spec: Obj = {"type": type_, "clusterIP": cluster_ip, "clusterIPs": [cluster_ip], "ports": ports}
    if selector:
        s_spec["selector"] = dict(selector)
    md = _meta("Service", name, ns)
    del md["generation"]
    return {"apiVersion": "v1", "kind": "Service", "metadata": md, "spec": s_spec, "status": {}}


def endpointslice(svc: Obj, *, endpoints: Iterable[tuple[str, str, bool]], ports: list[Obj],
                  suffix: str = "x1") -> Obj:
    """``endpoints``: (ip, node, ready) triples."""
    name = svc["metadata"]["name"]
    md = _meta("EndpointSlice", f"{name}-{suffix}", svc["metadata"]["namespace"],
               {"kubernetes.io/service-name": name,
                "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"})
    del md["generation"]
    md["ownerReferences"] = [owner_ref(svc)]
    return {
        "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": md, "addressType": "IPv4",
        "endpoints": [{"addresses": [ip], "nodeName": n, "conditions": {"ready": r, "serving": r, "terminating": False}}
                      for ip, n, r in endpoints],
        "ports": ports,
    }


def lease(node_obj: Obj) -> Obj:
    name = node_obj["metadata"]["name"]
    md = _meta("Lease", name, "kube-node-lease")
    md["ownerReferences"] = [{**owner_ref(node_obj, controller=False), "apiVersion": "v1"}]
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": md,
            "spec": {"holderIdentity": name, "leaseDurationSeconds": 40}}


def snapshot(objects: Iterable[Obj], *, rv: str = "100", routes: Mapping[str, Mapping[str, list[str]]] | None = None,
             dead_nodes: Iterable[str] = (), time_s: float = 1000.0) -> Snapshot:
    by_resource: dict[str, list[Obj]] = {p: [] for p in PLURALS.values()}
    for obj in objects:
        by_resource[PLURALS[obj["kind"]]].append(obj)
    return Snapshot(resource_version=rv, objects=by_resource, time_s=time_s, routes=routes,
                    dead_nodes=frozenset(dead_nodes))


WEB_LABELS = {"app": "web"}
WEB_PORT = {"name": "http", "containerPort": 8080, "protocol": "TCP"}


def healthy_cluster() -> list[Obj]:
    """Two nodes, a Deployment (2 pods) behind a NodePort Service, a DaemonSet, a StatefulSet, a Job."""
    n1, n2 = node("node-1", labels={"zone": "a"}), node("node-2", labels={"zone": "b"})
    web_tpl = pod_template(WEB_LABELS, ports=[WEB_PORT])
    dep = deployment("web", replicas=2, labels=WEB_LABELS, template=web_tpl)
    rs = replicaset("web-abc", replicas=2, labels=WEB_LABELS, owner=dep, template=web_tpl)
    web_pod_spec = copy.deepcopy(web_tpl["spec"])
    web1 = pod("web-abc-1", node_name="node-1", labels={**WEB_LABELS, "pod-template-hash": "abc"},
               ip="10.244.1.5", owner=rs, spec=web_pod_spec)
    web2 = pod("web-abc-2", node_name="node-2", labels={**WEB_LABELS, "pod-template-hash": "abc"},
               ip="10.244.2.5", owner=rs, spec=web_pod_spec)
    svc = service("web", selector=WEB_LABELS, cluster_ip="10.96.0.10", type_="NodePort",
                  ports=[{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP", "nodePort": 30080}])
    eps = endpointslice(svc, endpoints=[("10.244.1.5", "node-1", True), ("10.244.2.5", "node-2", True)],
                        ports=[{"name": "http", "port": 8080, "protocol": "TCP"}])
    ds = daemonset("agent", labels={"app": "agent"}, desired=2)
    agents = [pod(f"agent-{n}", node_name=f"node-{n}", labels={"app": "agent"}, ip=f"10.244.{n}.2", owner=ds)
              for n in (1, 2)]
    sts = statefulset("db", replicas=2, labels={"app": "db"})
    dbs = [pod(f"db-{i}", node_name=f"node-{i + 1}", labels={"app": "db"}, ip=f"10.244.{i + 1}.3", owner=sts)
           for i in (0, 1)]
    jb = job("once")
    done = pod("once-xyz", node_name="node-1", labels={"job-name": "once"}, phase="Succeeded", owner=jb)
    namespaces = [namespace(n) for n in ("default", "kube-system", "kube-node-lease")]
    return [*namespaces, n1, n2, lease(n1), lease(n2), dep, rs, web1, web2, svc, eps, ds, *agents, sts, *dbs,
            jb, done]


def healthy_routes() -> dict[str, dict[str, list[str]]]:
    backends = ["10.244.1.5:8080", "10.244.2.5:8080"]
    table = {"10.96.0.10:80/TCP": backends, "0.0.0.0:30080/TCP": backends}
    return {"node-1": dict(table), "node-2": dict(table)}


def find(objects: list[Obj], kind: str, name: str) -> Obj:
    for obj in objects:
        if obj["kind"] == kind and obj["metadata"]["name"] == name:
            return obj
    raise KeyError(f"{kind} {name}")
