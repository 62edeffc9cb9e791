"""Safety invariants: things that must hold in every snapshot, faults or not.

A safety violation is never "not yet converged": no amount of waiting makes an overcommitted node
or two Services sharing a ClusterIP correct. Suites check these after every step.

Single-snapshot checks (:func:`check_safety` runs them all):

``safety.node-overcommit``
    For every node, the requests of the non-terminal pods bound to it (phase not Succeeded/Failed;
    terminating pods still run and still count) stay within ``status.allocatable``, for every
    resource the node lists, counted as the scheduler does (regular containers summed, the largest
    init container, sidecars, ``spec.overhead``); the number of such pods stays within
    ``allocatable.pods``. Caveat: a pod created with ``spec.nodeName`` already set bypasses the
    scheduler; the kubelet rejects it (phase Failed, ``OutOfcpu``) if it does not fit, but until
    then it counts, so suites should not create such pods on full nodes.
``safety.pod-node-affinity``
    A bound pod satisfies its ``nodeSelector`` and required node affinity against its node's
    labels. Labels may legitimately change after binding (affinity is
    ``IgnoredDuringExecution``); :func:`check_safety` reads the labels in this snapshot, while
    :class:`SafetyMonitor` checks each pod only in the first snapshot that shows it bound, which
    is as close to binding time as an observer gets.
``safety.pod-untolerated-taint``
    A bound pod tolerates its node's ``NoSchedule`` taints, except the node-lifecycle taints
    (keys ``node.kubernetes.io/*``: not-ready, unreachable, unschedulable, pressure...). Those are
    added to nodes *after* pods are bound, by the node lifecycle controller or by cordoning, and a
    snapshot cannot tell when; the taints a test puts on nodes itself are stable. ``NoExecute``
    taints are not checked here: they evict, and eviction takes ``tolerationSeconds``.
    :class:`SafetyMonitor` checks this once per pod, like affinity.
``safety.duplicate-pod-ip``
    Running pods (phase Running with ``status.podIP``) that are not ``hostNetwork`` have distinct IPs.
``safety.duplicate-cluster-ip``
    Service ClusterIPs (``clusterIP`` and ``clusterIPs``, except ``None`` and empty) are distinct.
``safety.duplicate-node-port``
    NodePorts are distinct across Services per protocol.

Cross-snapshot checks (:class:`SafetyMonitor`):

``safety.pod-node-changed``
    A pod's ``spec.nodeName`` never changes once set (same UID).
``safety.resource-version-regressed``
    The snapshot's resourceVersion, and each object's (by UID), never decrease. Only decimal
    resourceVersions are compared (they are opaque to clients; etcd and the reference store use
    revisions).
``safety.deployment-surge``
    While no fault is active, a Deployment never asks for more than ``replicas + maxSurge`` pods
    (``replicas`` for Recreate): the sum of ``spec.replicas`` over the ReplicaSets it controls.
    This is the bound the real controller enforces (``NewRSNewReplicas`` sums the ReplicaSets'
    ``spec.replicas``). Pod counts are *not* bounded by it in real Kubernetes: after an old
    ReplicaSet is scaled down its pods are deleted asynchronously, and the new ReplicaSet may
    already have created its pods, so a pod-level bound would raise false alarms. maxSurge
    resolves from ``spec.replicas`` rounding up. Checked only in snapshots where
    ``metadata.generation == status.observedGeneration``, ``spec.replicas`` is unchanged since the
    previous snapshot, and no ReplicaSet was newly adopted since then (adoption brings foreign
    replicas in before the controller scales them). The minimum-availability bound is left out:
    containers crash and probes fail without any fault, so it cannot be told apart from bugs
    without knowing what the pods do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from kconform.backends.base import Snapshot
from kconform.invariants import _k8s as k
from kconform.invariants.violations import Violation

NODE_OVERCOMMIT = "safety.node-overcommit"
POD_NODE_AFFINITY = "safety.pod-node-affinity"
POD_UNTOLERATED_TAINT = "safety.pod-untolerated-taint"
DUPLICATE_POD_IP = "safety.duplicate-pod-ip"
DUPLICATE_CLUSTER_IP = "safety.duplicate-cluster-ip"
DUPLICATE_NODE_PORT = "safety.duplicate-node-port"
POD_NODE_CHANGED = "safety.pod-node-changed"
RESOURCE_VERSION_REGRESSED = "safety.resource-version-regressed"
DEPLOYMENT_SURGE = "safety.deployment-surge"

# Taints the control plane adds to nodes on its own, possibly after pods were bound.
LIFECYCLE_TAINT_PREFIX = "node.kubernetes.io/"


def _pod_where(pod: Mapping[str, Any]) -> str:
    return f"pod {k.ref(pod)}"


def check_node_overcommit(snapshot: Snapshot) -> list[Violation]:
    """``safety.node-overcommit``: requests of non-terminal pods per node within allocatable."""
    used: dict[str, dict[str, int]] = defaultdict(dict)
    count: dict[str, int] = defaultdict(int)
    for pod in snapshot.of("pods"):
        bound_to = k.node_name(pod)
        if not bound_to or k.is_terminal(pod):
            continue
        count[bound_to] += 1
        for resource, amount in k.pod_requests(pod).items():
            used[bound_to][resource] = used[bound_to].get(resource, 0) + amount
    out: list[Violation] = []
    for node in sorted(snapshot.of("nodes"), key=k.name):
        node_name = k.name(node)
        allocatable = k.status(node).get("allocatable") or {}
        for resource in sorted(allocatable):
            limit = k.resource_amount(resource, allocatable[resource])
            have = count[node_name] if resource == "pods" else used[node_name].get(resource, 0)
            if have > limit:
                unit = "" if resource == "pods" else " requests"
                out.append(Violation(
                    NODE_OVERCOMMIT,
                    f"node {node_name}",
                    f"{resource}{unit} <= {k.format_resource(resource, limit)}",
                    k.format_resource(resource, have),
                ))
    return out


def _placement_violations(pod: Mapping[str, Any], node: Mapping[str, Any]) -> list[Violation]:
    pod_spec = k.spec(pod)
    out: list[Violation] = []
    if not k.required_node_affinity_matches(pod_spec, node):
        out.append(Violation(
            POD_NODE_AFFINITY,
            _pod_where(pod),
            f"node {k.name(node)} to match its nodeSelector/required node affinity",
            f"node labels {dict(sorted(k.labels(node).items()))}",
        ))
    taints = [t for t in k.node_taints(node) if not str(t.get("key", "")).startswith(LIFECYCLE_TAINT_PREFIX)]
    bad = k.untolerated_taints(pod_spec.get("tolerations") or [], taints, effects=("NoSchedule",))
    if bad:
        out.append(Violation(
            POD_UNTOLERATED_TAINT,
            _pod_where(pod),
            f"tolerations for every NoSchedule taint of node {k.name(node)}",
            "untolerated " + ", ".join(k.format_taint(t) for t in bad),
        ))
    return out


def check_pod_placement(snapshot: Snapshot, *, only_uids: Iterable[str] | None = None) -> list[Violation]:
    """``safety.pod-node-affinity`` and ``safety.pod-untolerated-taint`` for bound, non-terminal pods.

    ``only_uids`` restricts the check to those pods (the monitor passes newly bound ones).
    """
    nodes = {k.name(n): n for n in snapshot.of("nodes")}
    wanted = set(only_uids) if only_uids is not None else None
    out: list[Violation] = []
    for pod in sorted(snapshot.of("pods"), key=k.ref):
        node = nodes.get(k.node_name(pod))
        if node is None or k.is_terminal(pod):
            continue
        if wanted is not None and k.uid(pod) not in wanted:
            continue
        out.extend(_placement_violations(pod, node))
    return out


def check_unique_pod_ips(snapshot: Snapshot) -> list[Violation]:
    """``safety.duplicate-pod-ip``: Running, non-hostNetwork pods have distinct pod IPs."""
    by_ip: dict[str, list[str]] = defaultdict(list)
    for pod in snapshot.of("pods"):
        st = k.status(pod)
        if st.get("phase") != "Running" or not st.get("podIP") or k.spec(pod).get("hostNetwork"):
            continue
        by_ip[str(st["podIP"])].append(k.ref(pod))
    out: list[Violation] = []
    for ip, pods in sorted(by_ip.items()):
        if len(pods) > 1:
            first, *others = sorted(pods)
            out.append(Violation(
                DUPLICATE_POD_IP, f"pod {first}", "a pod IP no other running pod has",
                f"{ip} also used by pod {', '.join(others)}",
            ))
    return out


def check_unique_cluster_ips(snapshot: Snapshot) -> list[Violation]:
    """``safety.duplicate-cluster-ip``: no two Services share a ClusterIP."""
    by_ip: dict[str, list[str]] = defaultdict(list)
    for svc in snapshot.of("services"):
        svc_spec = k.spec(svc)
        ips = {str(svc_spec.get("clusterIP") or ""), *(str(ip) for ip in svc_spec.get("clusterIPs") or [])}
        for ip in ips - {"", "None"}:
            by_ip[ip].append(k.ref(svc))
    out: list[Violation] = []
    for ip, services in sorted(by_ip.items()):
        if len(services) > 1:
            first, *others = sorted(services)
            out.append(Violation(
                DUPLICATE_CLUSTER_IP, f"service {first}", "a ClusterIP no other Service has",
                f"{ip} also allocated to service {', '.join(others)}",
            ))
    return out


def check_unique_node_ports(snapshot: Snapshot) -> list[Violation]:
    """``safety.duplicate-node-port``: no two Services share a NodePort for one protocol."""
    by_port: dict[tuple[str, int], set[str]] = defaultdict(set)
    for svc in snapshot.of("services"):
        for port in k.spec(svc).get("ports") or []:
            if port.get("nodePort"):
                by_port[(str(port.get("protocol") or "TCP"), int(port["nodePort"]))].add(k.ref(svc))
    out: list[Violation] = []
    for (protocol, node_port), services in sorted(by_port.items()):
        if len(services) > 1:
            first, *others = sorted(services)
            out.append(Violation(
                DUPLICATE_NODE_PORT, f"service {first}", f"a {protocol} NodePort no other Service has",
                f"{node_port}/{protocol} also allocated to service {', '.join(others)}",
            ))
    return out


def check_safety(snapshot: Snapshot) -> list[Violation]:
    """Every single-snapshot safety invariant (see the module docstring)."""
    return [
        *check_node_overcommit(snapshot),
        *check_pod_placement(snapshot),
        *check_unique_pod_ips(snapshot),
        *check_unique_cluster_ips(snapshot),
        *check_unique_node_ports(snapshot),
    ]


def max_surge(deployment: Mapping[str, Any]) -> int:
    """Extra pods a Deployment may ask for: maxSurge of ``spec.replicas`` rounded up; 0 for Recreate."""
    d_spec = k.spec(deployment)
    strategy = d_spec.get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return 0
    rolling = strategy.get("rollingUpdate") or {}
    replicas = int(d_spec.get("replicas", 1))
    return k.resolve_int_or_percent(rolling.get("maxSurge"), replicas, round_up=True, default="25%")


def max_unavailable(deployment: Mapping[str, Any]) -> int:
    """maxUnavailable of ``spec.replicas`` rounded down; 1 when it and maxSurge are both 0.

    As the controller's ``ResolveFenceposts``; Recreate may take every pod down (``replicas``).
    """
    d_spec = k.spec(deployment)
    strategy = d_spec.get("strategy") or {}
    replicas = int(d_spec.get("replicas", 1))
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return replicas
    rolling = strategy.get("rollingUpdate") or {}
    unavailable = k.resolve_int_or_percent(rolling.get("maxUnavailable"), replicas, round_up=False, default="25%")
    if unavailable == 0 and max_surge(deployment) == 0:
        return 1
    return min(unavailable, replicas)


class SafetyMonitor:
    """Safety across a run: feed it every snapshot in order.

    Keeps per-UID memory (where each pod was bound, the last resourceVersion of each object, the
    last ``spec.replicas`` of each Deployment and the last controller of each ReplicaSet). UIDs
    are never reused, so nothing needs forgetting.
    """

    def __init__(self) -> None:
        self._node_of: dict[str, str] = {}
        self._snapshot_rv: int | None = None
        self._object_rv: dict[str, int] = {}
        self._deployment_replicas: dict[str, int] = {}
        self._rs_controller: dict[str, str | None] = {}

    def observe(self, snapshot: Snapshot, *, faults_active: bool) -> list[Violation]:
        """Safety violations of ``snapshot`` given every snapshot observed before it.

        ``faults_active``: a fault is in effect, or was since the workloads were last changed; the
        Deployment bounds are then not asserted (a restarted controller may act on stale state).
        """
        out: list[Violation] = [
            *check_node_overcommit(snapshot),
            *check_unique_pod_ips(snapshot),
            *check_unique_cluster_ips(snapshot),
            *check_unique_node_ports(snapshot),
        ]
        newly_bound: list[str] = []
        for pod in snapshot.of("pods"):
            node, pod_uid = k.node_name(pod), k.uid(pod)
            if not node:
                continue
            before = self._node_of.get(pod_uid)
            if before is None:
                newly_bound.append(pod_uid)
                self._node_of[pod_uid] = node
            elif before != node:
                out.append(Violation(
                    POD_NODE_CHANGED, _pod_where(pod), f"spec.nodeName to stay {before}", node,
                ))
        out.extend(check_pod_placement(snapshot, only_uids=newly_bound))
        out.extend(self._resource_versions(snapshot))
        out.extend(self._deployments(snapshot, faults_active=faults_active))
        return out

    def _resource_versions(self, snapshot: Snapshot) -> list[Violation]:
        out: list[Violation] = []
        try:
            rv: int | None = int(snapshot.resource_version)
        except (TypeError, ValueError):
            rv = None
        if rv is not None:
            if self._snapshot_rv is not None and rv < self._snapshot_rv:
                out.append(Violation(
                    RESOURCE_VERSION_REGRESSED, "snapshot", f"resourceVersion >= {self._snapshot_rv}", str(rv),
                ))
            self._snapshot_rv = rv if self._snapshot_rv is None else max(rv, self._snapshot_rv)
        for resource in sorted(snapshot.objects):
            singular = resource[:-1] if resource.endswith("s") else resource
            for obj in snapshot.of(resource):
                obj_uid, obj_rv = k.uid(obj), k.int_resource_version(obj)
                if not obj_uid or obj_rv is None:
                    continue
                before = self._object_rv.get(obj_uid)
                if before is not None and obj_rv < before:
                    out.append(Violation(
                        RESOURCE_VERSION_REGRESSED, f"{singular} {k.ref(obj)}",
                        f"resourceVersion >= {before}", str(obj_rv),
                    ))
                else:
                    self._object_rv[obj_uid] = obj_rv
        return out

    def _deployments(self, snapshot: Snapshot, *, faults_active: bool) -> list[Violation]:
        rs_by_owner: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
        adopted_by: set[str] = set()
        for rs in snapshot.of("replicasets"):
            owner = k.controller_uid(rs)
            rs_uid = k.uid(rs)
            if owner:
                rs_by_owner[owner].append(rs)
            if rs_uid in self._rs_controller and self._rs_controller[rs_uid] != owner and owner:
                adopted_by.add(owner)
            self._rs_controller[rs_uid] = owner
        out: list[Violation] = []
        for dep in sorted(snapshot.of("deployments"), key=k.ref):
            dep_uid = k.uid(dep)
            replicas = int(k.spec(dep).get("replicas", 1))
            previous = self._deployment_replicas.get(dep_uid)
            self._deployment_replicas[dep_uid] = replicas
            if faults_active or previous != replicas or dep_uid in adopted_by:
                continue
            if k.meta(dep).get("generation") != k.status(dep).get("observedGeneration"):
                continue
            bound = replicas + max_surge(dep)
            asked = sum(int(k.spec(rs).get("replicas", 1)) for rs in rs_by_owner.get(dep_uid, []))
            if asked > bound:
                out.append(Violation(
                    DEPLOYMENT_SURGE, f"deployment {k.ref(dep)}",
                    f"sum of its ReplicaSets' spec.replicas <= {bound} (replicas {replicas} + maxSurge {bound - replicas})",
                    str(asked),
                ))
        return out
