"""Liveness invariants: what a settled cluster must look like once faults have stopped.

Checked after the suite stops injecting faults and lets the cluster settle long enough for every
timer to fire (node-monitor-grace-period 50 s + tolerationSeconds, 300 s by default). Each check
is its own function so suites can pick; :func:`check_liveness` runs them all. What the test asked
for and the snapshot cannot show (what it deleted, how long nodes have been dead) comes in
:class:`Expectations`.

Objects that are terminating or live in a namespace the test deleted are only judged by the
garbage-collection and namespace checks; the workload checks skip them.

"Stuck" pods. A pod that cannot make progress for a reason Kubernetes reports is not a bug of the
control plane: Pending with ``PodScheduled=False`` reason ``Unschedulable``/``SchedulingGated``; a
(init) container waiting with ``ImagePullBackOff``, ``ErrImagePull``, ``CrashLoopBackOff``,
``CreateContainerConfigError``, ``CreateContainerError``, ``InvalidImageName`` or
``RunContainerError``; every container running but one with a readinessProbe not ready
(``ReadinessProbeFailing``, the oracle's name); bound to a node the test killed (``NodeDead``).
A controlled pod that is not Ready must report one of these (``liveness.pod-not-ready``), and a
workload with such pods is not required to reach its counts (Progressing may turn False with
``ProgressDeadlineExceeded``; that is not required either).

Checks and their ids:

``check_deployments``
    ``liveness.deployment-observed-generation``, and unless paused or stuck (a Recreate rollout
    also waits, as upstream's ``oldPodsRunning`` does, for old pods terminating on a dead node,
    which never go: kubernetes#112452; and with ``minReadySeconds`` a crash-looping pod may be
    Ready yet never available, which one snapshot cannot tell):
    ``liveness.deployment-new-replicaset`` (a ReplicaSet whose template equals the Deployment's,
    ignoring the ``pod-template-hash`` label, with ``spec.replicas == spec.replicas``),
    ``liveness.deployment-old-replicaset`` (older ones scaled to 0), ``liveness.deployment-status``
    (``status.replicas == updatedReplicas == readyReplicas == availableReplicas == spec.replicas``),
    ``liveness.deployment-available`` (condition Available True).
``check_replicasets``
    ``liveness.replicaset-observed-generation``, ``liveness.replicaset-replicas`` (exactly
    ``spec.replicas`` active pods controlled by it — active = not terminal, not terminating, as the
    controller's ``FilterActivePods``), ``liveness.replicaset-selector`` (each matches the
    selector), ``liveness.replicaset-status`` (``status.replicas``, and ``readyReplicas`` when no
    pod is stuck).
``check_statefulsets``
    ``liveness.statefulset-missing-pod`` (``<name>-<i>`` for ``i`` in ``start..start+replicas-1``;
    with OrderedReady, ordinals after a blocked one — stuck, or terminating on a dead node — may be
    absent, since the controller waits), ``liveness.statefulset-extra-pod`` (active pods outside
    the range; tolerated under OrderedReady while a pod is blocked), ``liveness.statefulset-status``.
``check_daemonsets``
    Eligible nodes: Ready, not dead, matching the template's nodeSelector/affinity, with every
    NoSchedule/NoExecute taint tolerated by the template's tolerations plus those the DaemonSet
    controller adds (``AddOrUpdateDaemonPodTolerations``). ``liveness.daemonset-missing-pod`` /
    ``liveness.daemonset-duplicate-pod`` (exactly one active daemon pod per eligible node),
    ``liveness.daemonset-misplaced-pod`` (an active daemon pod on a live node its affinity
    excludes), ``liveness.daemonset-status`` (``desiredNumberScheduled`` == eligible nodes). Pods on
    dead or unready nodes are not required to go: daemon pods tolerate the NoExecute taints.
``check_jobs``
    ``liveness.job-conditions`` (not both Complete and Failed), ``liveness.job-finished-active``
    (a finished Job has no active pods), ``liveness.job-completions`` (Complete ⇒ succeeded ==
    completions when set), ``liveness.job-not-finished`` (succeeded ≥ completions, or failed >
    backoffLimit, yet neither condition; Jobs with a podFailurePolicy or backoffLimitPerIndex are
    only judged on completions).
``check_dead_node_pods``
    For non-terminal pods bound to ``snapshot.dead_nodes``: ``liveness.pod-ready-on-dead-node``
    (the node lifecycle controller marks them not Ready once the grace period passed; a pod
    whose Ready turned True after its node's Ready left True — posted by a kubelet that got
    through for a moment — stays Ready upstream too, since the controller acts on the node's
    transition only) and
    ``liveness.pod-not-evicted`` (deletionTimestamp set once grace + the smallest matching
    NoExecute tolerationSeconds passed; pods that tolerate the node's NoExecute taints without
    tolerationSeconds stay, as DaemonSet pods do). Without ``Expectations.dead_for_s`` for a node,
    it is assumed dead long enough.
``check_endpointslices``
    ``liveness.endpointslice-mismatch``: for each Service with a selector, the set of
    (address, port name, port, protocol) over ready endpoints (``conditions.ready`` not False) of
    its EndpointSlices (label ``kubernetes.io/service-name``) equals the one derived from the pods
    that match the selector in its namespace, are Ready (any, with
    ``publishNotReadyAddresses``), not terminating/terminal, and have a podIP; targetPorts resolve
    by container port name per pod, and a pod without the named port gets no endpoint for it.
``check_routes`` (only when ``snapshot.routes`` is not None)
    For each node in the snapshot not in ``dead_nodes``, each Service with a selector:
    ``routes[node]["<clusterIP>:<port>/<protocol>"]`` (when clusterIP is not ``None``) and, for
    NodePort/LoadBalancer Services, ``routes[node]["0.0.0.0:<nodePort>/<protocol>"]`` equal the
    sorted ``"<podIP>:<targetPort>"`` of the ready endpoints as above (only the node's own pods
    under ``internalTrafficPolicy: Local`` / ``externalTrafficPolicy: Local``; the serving
    terminating pods when there is no ready one, as kube-proxy falls back). A missing key means
    no endpoints. ``liveness.route-mismatch`` for a difference, ``liveness.route-stale`` for a key
    that belongs to no Service port at all.
``check_garbage_collection``
    ``liveness.gc-dangling-owner``: an ownerReference (to a kind the snapshot carries) whose owner
    UID is gone; ``liveness.gc-orphan-reference-kept`` when that owner was deleted with Orphan
    (the reference should have been removed); ``liveness.deleted-object-present`` for an object in
    ``Expectations.deleted_objects`` still present (unless a controller re-created it under the
    same name, or it is terminating while dependents remain, or it is a pod on a dead node).
``check_namespaces``
    ``liveness.namespace-not-empty`` / ``liveness.namespace-not-deleted`` for
    ``Expectations.deleted_namespaces``. Pods terminating on dead nodes can never be confirmed
    gone by their kubelet, so they (and their Terminating namespace) may remain.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kconform.backends.base import Snapshot
from kconform.invariants import _k8s as k
from kconform.invariants.violations import Violation

Obj = Mapping[str, Any]

STUCK_WAITING_REASONS = frozenset({
    "ImagePullBackOff",
    "ErrImagePull",
    "CrashLoopBackOff",
    "CreateContainerConfigError",
    "CreateContainerError",
    "InvalidImageName",
    "RunContainerError",
})
STUCK_SCHEDULING_REASONS = frozenset({"Unschedulable", "SchedulingGated"})
READINESS_PROBE_FAILING = "ReadinessProbeFailing"
NODE_DEAD = "NodeDead"

UNREACHABLE_TAINT = {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}

# What the DaemonSet controller adds to every daemon pod (pkg/controller/daemon/util).
DAEMON_TOLERATIONS: tuple[Mapping[str, str], ...] = (
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
)
HOST_NETWORK_DAEMON_TOLERATION: Mapping[str, str] = {
    "key": "node.kubernetes.io/network-unavailable", "operator": "Exists", "effect": "NoSchedule",
}

# Kinds an ownerReference may name that a snapshot carries, by plural resource.
KIND_RESOURCES: Mapping[str, str] = {
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


@dataclass
class Expectations:
    """What the test did that the snapshot cannot show.

    ``deleted_namespaces``: namespaces the test deleted (and did not re-create).
    ``deleted_objects``: ``"<resource>/<namespace>/<name>"`` (namespace empty for cluster-scoped
    objects) → the propagation policy used: ``Background``, ``Foreground`` or ``Orphan``.
    ``dead_for_s``: node → seconds it had been dead when the snapshot was taken; a dead node
    missing here is assumed dead long enough for every eviction.
    ``node_monitor_grace_period_s`` and ``eviction_slack_s`` (node-monitor-period, lease renewal
    and queueing delays) bound when eviction must have happened.
    """

    deleted_namespaces: set[str] = field(default_factory=set)
    deleted_objects: dict[str, str] = field(default_factory=dict)
    dead_for_s: dict[str, float] = field(default_factory=dict)
    node_monitor_grace_period_s: float = 50.0
    eviction_slack_s: float = 20.0


# ---------------------------------------------------------------------------------------------
# Shared reading of the snapshot


def _judged(obj: Obj, expect: Expectations) -> bool:
    """Workload checks judge live objects outside deleted namespaces only."""
    return not k.is_terminating(obj) and k.namespace(obj) not in expect.deleted_namespaces


def _active_pods_by_controller(snapshot: Snapshot) -> dict[str, list[Obj]]:
    out: dict[str, list[Obj]] = defaultdict(list)
    for pod in snapshot.of("pods"):
        owner = k.controller_uid(pod)
        if owner and k.is_active(pod):
            out[owner].append(pod)
    return out


def stuck_reason(pod: Obj, *, dead_nodes: frozenset[str] = frozenset()) -> str | None:
    """Why a pod legitimately cannot become Ready, as Kubernetes reports it; None if no reason."""
    node = k.node_name(pod)
    if node and node in dead_nodes:
        return NODE_DEAD
    scheduled = k.condition(pod, "PodScheduled")
    if scheduled is not None and scheduled.get("status") == "False":
        reason = str(scheduled.get("reason") or "")
        if reason in STUCK_SCHEDULING_REASONS:
            return reason
    st = k.status(pod)
    statuses = [*(st.get("initContainerStatuses") or []), *(st.get("containerStatuses") or [])]
    for cs in statuses:
        waiting = (cs.get("state") or {}).get("waiting") or {}
        if waiting.get("reason") in STUCK_WAITING_REASONS:
            return str(waiting["reason"])
    regular = st.get("containerStatuses") or []
    probes = {c.get("name"): c.get("readinessProbe") for c in k.spec(pod).get("containers") or []}
    if regular and all((cs.get("state") or {}).get("running") is not None for cs in regular):
        if any(not cs.get("ready") and probes.get(cs.get("name")) for cs in regular):
            return READINESS_PROBE_FAILING
    return None


def _template_without_hash(template: Mapping[str, Any] | None) -> dict[str, Any]:
    tpl = dict(template or {})
    md = dict(tpl.get("metadata") or {})
    lbls = {key: v for key, v in (md.get("labels") or {}).items() if key != "pod-template-hash"}
    if lbls:
        md["labels"] = lbls
    else:
        md.pop("labels", None)
    if md:
        tpl["metadata"] = md
    else:
        tpl.pop("metadata", None)
    return tpl


def _restarted(pod: Obj) -> bool:
    return any(int(cs.get("restartCount") or 0) > 0 for cs in k.status(pod).get("containerStatuses") or [])


def _not_ready(pods: list[Obj]) -> list[Obj]:
    return [p for p in pods if not k.pod_ready(p)]


def _names(objs: list[Obj], limit: int = 5) -> str:
    refs = sorted(k.name(o) for o in objs)
    more = f" (+{len(refs) - limit} more)" if len(refs) > limit else ""
    return ", ".join(refs[:limit]) + more if refs else "none"


def _generation_check(obj: Obj, invariant: str, where: str) -> list[Violation]:
    generation = k.meta(obj).get("generation")
    observed = k.status(obj).get("observedGeneration")
    if generation is not None and observed != generation:
        return [Violation(invariant, where, f"status.observedGeneration {generation}", str(observed))]
    return []


# ---------------------------------------------------------------------------------------------
# Workloads


def check_workload_pods(snapshot: Snapshot, expect: Expectations) -> list[Violation]:
    """``liveness.pod-not-ready``: an active pod of a ReplicaSet/StatefulSet/DaemonSet not Ready
    must report why (see "stuck" in the module docstring)."""
    controllers = {"ReplicaSet", "StatefulSet", "DaemonSet"}
    out: list[Violation] = []
    for pod in sorted(snapshot.of("pods"), key=k.ref):
        owner = k.controller_ref(pod)
        if owner is None or owner.get("kind") not in controllers or not k.is_active(pod):
            continue
        if k.namespace(pod) in expect.deleted_namespaces or k.pod_ready(pod):
            continue
        if stuck_reason(pod, dead_nodes=snapshot.dead_nodes) is None:
            out.append(Violation(
                "liveness.pod-not-ready", f"pod {k.ref(pod)}",
                "Ready, or a reported reason it cannot be (Unschedulable, ImagePullBackOff, ...)",
                f"phase {k.status(pod).get('phase', 'Pending')}, not Ready, no such reason",
            ))
    return out


def check_deployments(snapshot: Snapshot, expect: Expectations) -> list[Violation]:
    """Deployments roll out completely unless paused or stuck (see the module docstring)."""
    pods_by_rs = _active_pods_by_controller(snapshot)
    rs_by_owner: dict[str, list[Obj]] = defaultdict(list)
    for rs in snapshot.of("replicasets"):
        owner = k.controller_uid(rs)
        if owner and not k.is_terminating(rs):
            rs_by_owner[owner].append(rs)
    # recreate.go oldPodsRunning: a Recreate rollout waits for every non-terminal pod of its old
    # ReplicaSets, terminating ones included; one on a dead node never goes (kubernetes#112452).
    stuck_terminating: set[str] = set()
    for pod in snapshot.of("pods"):
        owner = k.controller_uid(pod)
        if owner and k.is_terminating(pod) and not k.is_terminal(pod) and k.node_name(pod) in snapshot.dead_nodes:
            stuck_terminating.add(owner)
    out: list[Violation] = []
    for dep in sorted(snapshot.of("deployments"), key=k.ref):
        if not _judged(dep, expect):
            continue
        where = f"deployment {k.ref(dep)}"
        out.extend(_generation_check(dep, "liveness.deployment-observed-generation", where))
        d_spec = k.spec(dep)
        if d_spec.get("paused"):
            continue
        replicas = int(d_spec.get("replicas", 1))
        owned = rs_by_owner.get(k.uid(dep), [])
        pods = [p for rs in owned for p in pods_by_rs.get(k.uid(rs), [])]
        if _not_ready(pods):
            continue  # stuck or not; check_workload_pods says which
        if d_spec.get("minReadySeconds") and any(_restarted(p) for p in pods):
            # a container that keeps exiting may be Ready now yet never for minReadySeconds: not
            # available (IsPodAvailable), and the snapshot cannot tell a crash loop's Ready window
            continue
        template = _template_without_hash(d_spec.get("template"))
        new = [rs for rs in owned if _template_without_hash(k.spec(rs).get("template")) == template]
        recreate = (d_spec.get("strategy") or {}).get("type") == "Recreate"
        if recreate and any(k.uid(rs) in stuck_terminating for rs in owned if not (new and rs is new[0])):
            continue  # stuck: old pods terminating on a dead node block the Recreate rollout
        if not new:
            out.append(Violation(
                "liveness.deployment-new-replicaset", where,
                "a ReplicaSet with the Deployment's pod template", f"none among [{_names(owned)}]",
            ))
        else:
            new_rs = new[0]
            have = int(k.spec(new_rs).get("replicas", 1))
            if have != replicas:
                out.append(Violation(
                    "liveness.deployment-new-replicaset", where,
                    f"new ReplicaSet {k.name(new_rs)} spec.replicas {replicas}", str(have),
                ))
        for old in sorted(owned, key=k.name):
            if new and old is new[0]:
                continue
            if int(k.spec(old).get("replicas", 1)) != 0:
                out.append(Violation(
                    "liveness.deployment-old-replicaset", where,
                    f"old ReplicaSet {k.name(old)} spec.replicas 0", str(k.spec(old).get("replicas", 1)),
                ))
        st = k.status(dep)
        counts = {f: int(st.get(f) or 0) for f in ("replicas", "updatedReplicas", "readyReplicas", "availableReplicas")}
        if any(v != replicas for v in counts.values()):
            out.append(Violation(
                "liveness.deployment-status", where,
                f"status replicas/updatedReplicas/readyReplicas/availableReplicas all {replicas}",
                "/".join(str(v) for v in counts.values()),
            ))
        if not k.condition_true(dep, "Available"):
            cond = k.condition(dep, "Available") or {}
            out.append(Violation(
                "liveness.deployment-available", where, "condition Available True",
                f"{cond.get('status', 'absent')} ({cond.get('reason', '')})",
            ))
    return out


def check_replicasets(snapshot: Snapshot, expect: Expectations) -> list[Violation]:
    """ReplicaSets own exactly ``spec.replicas`` active pods matching their selector."""
    pods_by_rs = _active_pods_by_controller(snapshot)
    out: list[Violation] = []
    for rs in sorted(snapshot.of("replicasets"), key=k.ref):
        if not _judged(rs, expect):
            continue
        where = f"replicaset {k.ref(rs)}"
        out.extend(_generation_check(rs, "liveness.replicaset-observed-generation", where))
        replicas = int(k.spec(rs).get("replicas", 1))
        pods = pods_by_rs.get(k.uid(rs), [])
        if len(pods) != replicas:
            out.append(Violation(
                "liveness.replicaset-replicas", where, f"{replicas} active pods", f"{len(pods)}: {_names(pods)}",
            ))
        selector = k.spec(rs).get("selector")
        strays = [p for p in pods if not k.selector_matches(selector, k.labels(p))]
        if strays:
            out.append(Violation(
                "liveness.replicaset-selector", where, "every owned pod to match spec.selector",
                f"not matching: {_names(strays)}",
            ))
        st = k.status(rs)
        if int(st.get("replicas") or 0) != replicas:
            out.append(Violation(
                "liveness.replicaset-status", where, f"status.replicas {replicas}", str(st.get("replicas") or 0),
            ))
        elif not _not_ready(pods) and len(pods) == replicas and int(st.get("readyReplicas") or 0) != replicas:
            out.append(Violation(
                "liveness.replicaset-status", where, f"status.readyReplicas {replicas}",
                str(st.get("readyReplicas") or 0),
            ))
    return out


def _ordinal(sts_name: str, pod_name: str) -> int | None:
    prefix = sts_name + "-"
    if not pod_name.startswith(prefix) or not pod_name[len(prefix):].isdigit():
        return None
    return int(pod_name[len(prefix):])


def check_statefulsets(snapshot: Snapshot, expect: Expectations) -> list[Violation]:
    """StatefulSets have pods ``<name>-<ordinal>`` for each ordinal in range, Ready when runnable."""
    pods_by_owner: dict[str, list[Obj]] = defaultdict(list)
    for candidate in snapshot.of("pods"):
        owner = k.controller_uid(candidate)
        if owner and not k.is_terminal(candidate):
            pods_by_owner[owner].append(candidate)
    out: list[Violation] = []
    for sts in sorted(snapshot.of("statefulsets"), key=k.ref):
        if not _judged(sts, expect):
            continue
        where = f"statefulset {k.ref(sts)}"
        out.extend(_generation_check(sts, "liveness.statefulset-observed-generation", where))
        s_spec = k.spec(sts)
        replicas = int(s_spec.get("replicas", 1))
        start = int((s_spec.get("ordinals") or {}).get("start", 0))
        ordered = (s_spec.get("podManagementPolicy") or "OrderedReady") == "OrderedReady"
        by_name = {k.name(p): p for p in pods_by_owner.get(k.uid(sts), [])}

        def blocked(pod: Obj) -> bool:
            return k.is_terminating(pod) or not k.pod_ready(pod)

        any_blocked = any(blocked(p) for p in by_name.values())
        missing: list[str] = []
        for ordinal in range(start, start + replicas):
            pod_name = f"{k.name(sts)}-{ordinal}"
            pod = by_name.get(pod_name)
            if pod is None:
                missing.append(pod_name)
                if ordered:
                    break  # the controller creates the next one only once this one exists and is Ready
            elif ordered and blocked(pod):
                break
        if missing:
            out.append(Violation(
                "liveness.statefulset-missing-pod", where, f"pods {k.name(sts)}-{start}..{start + replicas - 1}",
                f"missing {', '.join(missing)}",
            ))
        extra = [
            p for n, p in by_name.items()
            if k.is_active(p) and ((o := _ordinal(k.name(sts), n)) is None or not start <= o < start + replicas)
        ]
        if extra and not (ordered and any_blocked):
            out.append(Violation(
                "liveness.statefulset-extra-pod", where, f"no active pod outside ordinals {start}..{start + replicas - 1}",
                _names(extra),
            ))
        st = k.status(sts)
        if not any_blocked and not missing and not extra:
            counts = (int(st.get("replicas") or 0), int(st.get("readyReplicas") or 0))
            if counts != (replicas, replicas):
                out.append(Violation(
                    "liveness.statefulset-status", where, f"status.replicas/readyReplicas {replicas}/{replicas}",
                    f"{counts[0]}/{counts[1]}",
                ))
    return out


def daemon_tolerations(template_spec: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The template's tolerations plus those the DaemonSet controller adds to each daemon pod."""
    tolerations: list[Mapping[str, Any]] = [*(template_spec.get("tolerations") or []), *DAEMON_TOLERATIONS]
    if template_spec.get("hostNetwork"):
        tolerations.append(HOST_NETWORK_DAEMON_TOLERATION)
    return tolerations


def _daemon_target(pod: Obj) -> str:
    """The node a DaemonSet pod is meant for: its required ``metadata.name`` matchFields term."""
    terms = (
        ((((pod.get("spec") or {}).get("affinity") or {}).get("nodeAffinity") or {})
         .get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get("nodeSelectorTerms") or []
    )
    for term in terms:
        for req in term.get("matchFields") or []:
            if req.get("key") == "metadata.name" and req.get("operator") == "In" and len(req.get("values") or []) == 1:
                return str(req["values"][0])
    return ""


def check_daemonsets(snapshot: Snapshot, expect: Expectations) -> list[Violation]:
    """One daemon pod on each eligible node (see the module docstring)."""
    pods_by_ds = _active_pods_by_controller(snapshot)
    nodes = sorted(snapshot.of("nodes"), key=k.name)
    out: list[Violation] = []
    for ds in sorted(snapshot.of("daemonsets"), key=k.ref):
        if not _judged(ds, expect):
            continue
        where = f"daemonset {k.ref(ds)}"
        out.extend(_generation_check(ds, "liveness.daemonset-observed-generation", where))
        template_spec = (k.spec(ds).get("template") or {}).get("spec") or {}
        tolerations = daemon_tolerations(template_spec)
        per_node: dict[str, list[Obj]] = defaultdict(list)
        for pod in pods_by_ds.get(k.uid(ds), []):
            # a daemon pod not bound yet (e.g. Unschedulable for lack of room) still belongs to
            # the node its matchFields affinity names: it is there, just stuck (judged elsewhere)
            per_node[k.node_name(pod) or _daemon_target(pod)].append(pod)
        eligible = 0
        for node in nodes:
            node_name = k.name(node)
            live = node_name not in snapshot.dead_nodes
            fits = k.required_node_affinity_matches(template_spec, node)
            if live and not fits and per_node.get(node_name):
                out.append(Violation(
                    "liveness.daemonset-misplaced-pod", where,
                    f"no daemon pod on node {node_name} (its nodeSelector/affinity excludes it)",
                    _names(per_node[node_name]),
                ))
            if not (live and fits and k.node_ready(node)) or k.untolerated_taints(tolerations, k.node_taints(node)):
                continue
            eligible += 1
            here = per_node.get(node_name, [])
            if not here:
                out.append(Violation(
                    "liveness.daemonset-missing-pod", where, f"a daemon pod on node {node_name}", "none",
                ))
            elif len(here) > 1:
                out.append(Violation(
                    "liveness.daemonset-duplicate-pod", where, f"one daemon pod on node {node_name}",
                    f"{len(here)}: {_names(here)}",
                ))
        desired = int(k.status(ds).get("desiredNumberScheduled") or 0)
        if desired != eligible:
            out.append(Violation(
                "liveness.daemonset-status", where, f"status.desiredNumberScheduled {eligible} (eligible nodes)",
                str(desired),
            ))
    return out


def check_jobs(snapshot: Snapshot, expect: Expectations) -> list[Violation]:
    """Finished Jobs are consistent; Jobs that met their goal or limit are finished."""
    pods_by_job = _active_pods_by_controller(snapshot)
    out: list[Violation] = []
    for job in sorted(snapshot.of("jobs"), key=k.ref):
        if not _judged(job, expect):
            continue
        where = f"job {k.ref(job)}"
        j_spec, st = k.spec(job), k.status(job)
        complete, failed = k.condition_true(job, "Complete"), k.condition_true(job, "Failed")
        completions = j_spec.get("completions")
        succeeded, failures = int(st.get("succeeded") or 0), int(st.get("failed") or 0)
        if complete and failed:
            out.append(Violation("liveness.job-conditions", where, "at most one of Complete/Failed True", "both"))
        if complete or failed:
            active = pods_by_job.get(k.uid(job), [])
            if active:
                out.append(Violation(
                    "liveness.job-finished-active", where, "no active pods once finished", _names(active),
                ))
            if complete and completions is not None and succeeded != int(completions):
                out.append(Violation(
                    "liveness.job-completions", where, f"status.succeeded {completions} when Complete", str(succeeded),
                ))
            continue
        if j_spec.get("suspend"):
            continue
        backoff_limit = int(j_spec.get("backoffLimit", 6))
        per_pod_policy = j_spec.get("podFailurePolicy") or j_spec.get("backoffLimitPerIndex") is not None
        if completions is not None and succeeded >= int(completions):
            out.append(Violation(
                "liveness.job-not-finished", where, f"condition Complete True (succeeded {succeeded} of {completions})",
                "neither Complete nor Failed",
            ))
        elif not per_pod_policy and failures > backoff_limit:
            out.append(Violation(
                "liveness.job-not-finished", where,
                f"condition Failed True (failed {failures} > backoffLimit {backoff_limit})",
                "neither Complete nor Failed",
            ))
    return out


def _min_toleration_s(tolerations: list[Mapping[str, Any]], taints: list[Mapping[str, Any]]) -> float | None:
    """Seconds until taint eviction: 0 if a taint is untolerated, None if tolerated forever.

    As the taint-eviction controller (``pkg/controller/tainteviction``): each taint is matched by
    the *first* toleration that tolerates it (``GetMatchingTolerations``), and the time is the
    minimum tolerationSeconds over those matches; forever when none of them sets one. A later
    toleration with a shorter tolerationSeconds for the same taint does not count.
    """
    if k.untolerated_taints(tolerations, taints, effects=("NoExecute",)):
        return 0.0
    matched = [next(t for t in tolerations if k.toleration_tolerates(t, taint)) for taint in taints]
    seconds = [max(0.0, float(t["tolerationSeconds"])) for t in matched if t.get("tolerationSeconds") is not None]
    return min(seconds) if seconds else None


def _ready_after_node_lost(pod: Obj, node: Obj | None) -> bool:
    """Whether the pod turned Ready after its node's Ready condition left True.

    The node lifecycle controller marks a node's pods not Ready when it sees the node's Ready
    leave True (``monitorNodeHealth``) and when a pod is bound to an unready node
    (``podUpdated`` only looks at ``spec.nodeName`` changes). A kubelet that reconnects briefly
    may post a pod Ready without getting its node Ready again; upstream leaves that pod Ready.
    """
    node_ready = k.condition(node, "Ready") if node is not None else None
    pod_ready = k.condition(pod, "Ready")
    if node_ready is None or node_ready.get("status") == "True" or pod_ready is None:
        return False
    node_lost, pod_since = node_ready.get("lastTransitionTime"), pod_ready.get("lastTransitionTime")
    if not node_lost or not pod_since:
        return False
    return _parse_time(pod_since) >= _parse_time(node_lost)


def _parse_time(value: Any) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def check_dead_node_pods(snapshot: Snapshot, expect: Expectations) -> list[Violation]:
    """Pods on dead nodes are marked not Ready and evicted after their tolerationSeconds."""
    nodes = {k.name(n): n for n in snapshot.of("nodes")}
    out: list[Violation] = []
    for pod in sorted(snapshot.of("pods"), key=k.ref):
        node_name = k.node_name(pod)
        if node_name not in snapshot.dead_nodes or k.is_terminal(pod):
            continue
        since = snapshot.dead_since_s.get(node_name)
        dead_for = expect.dead_for_s.get(
            node_name, snapshot.time_s - since if since is not None else float("inf")
        )
        grace = expect.node_monitor_grace_period_s + expect.eviction_slack_s
        if dead_for < grace:
            continue
        where = f"pod {k.ref(pod)}"
        if k.pod_ready(pod) and not _ready_after_node_lost(pod, nodes.get(node_name)):
            out.append(Violation(
                "liveness.pod-ready-on-dead-node", where, f"Ready False (node {node_name} is dead)", "Ready True",
            ))
        if k.is_terminating(pod):
            continue
        node = nodes.get(node_name)
        taints = [t for t in (k.node_taints(node) if node else []) if t.get("effect") == "NoExecute"]
        taints = taints or [UNREACHABLE_TAINT]
        tolerated_s = _min_toleration_s(list(k.spec(pod).get("tolerations") or []), taints)
        if tolerated_s is not None and dead_for >= grace + tolerated_s:
            out.append(Violation(
                "liveness.pod-not-evicted", where,
                f"deletionTimestamp set (node {node_name} dead, tolerationSeconds {tolerated_s:g})",
                "not terminating",
            ))
    return out


# ---------------------------------------------------------------------------------------------
# Services


def _service_selector(svc: Obj) -> Mapping[str, str] | None:
    """The selector of a Service whose endpoints the control plane manages; None otherwise."""
    s_spec = k.spec(svc)
    if s_spec.get("type") == "ExternalName":
        return None
    selector = s_spec.get("selector") or {}
    return selector or None


def _endpoint_pods(svc: Obj, pods: Sequence[Obj]) -> tuple[list[Obj], list[Obj]]:
    """(ready, serving-terminating) pods backing ``svc``, as the EndpointSlice controller sees them."""
    selector = _service_selector(svc)
    publish_all = bool(k.spec(svc).get("publishNotReadyAddresses"))
    ready: list[Obj] = []
    terminating: list[Obj] = []
    for pod in pods:
        if k.namespace(pod) != k.namespace(svc) or k.is_terminal(pod) or not k.status(pod).get("podIP"):
            continue
        if not k.map_selector_matches(selector, k.labels(pod)):
            continue
        if k.is_terminating(pod):
            if k.pod_ready(pod):
                terminating.append(pod)
        elif publish_all or k.pod_ready(pod):
            ready.append(pod)
    return ready, terminating


def check_endpointslices(snapshot: Snapshot, expect: Expectations) -> list[Violation]:
    """EndpointSlices hold exactly the ready pods matching each Service (see the module docstring)."""
    pods = snapshot.of("pods")
    slices_by_service: dict[tuple[str, str], list[Obj]] = defaultdict(list)
    for slice_ in snapshot.of("endpointslices"):
        service_name = k.labels(slice_).get("kubernetes.io/service-name")
        if service_name:
            slices_by_service[(k.namespace(slice_), service_name)].append(slice_)
    out: list[Violation] = []
    for svc in sorted(snapshot.of("services"), key=k.ref):
        if not _judged(svc, expect) or _service_selector(svc) is None:
            continue
        ready, _ = _endpoint_pods(svc, pods)
        want: set[tuple[str, str, int, str]] = set()
        for pod in ready:
            for port in k.spec(svc).get("ports") or []:
                target = k.resolve_target_port(pod, port)
                if target is not None:
                    want.add((str(k.status(pod)["podIP"]), str(port.get("name") or ""), target,
                              str(port.get("protocol") or "TCP")))
        have: set[tuple[str, str, int, str]] = set()
        for eps in slices_by_service.get((k.namespace(svc), k.name(svc)), []):
            for endpoint in eps.get("endpoints") or []:
                if (endpoint.get("conditions") or {}).get("ready") is False:
                    continue
                for address in endpoint.get("addresses") or []:
                    for port in eps.get("ports") or []:
                        if port.get("port") is not None:
                            have.add((str(address), str(port.get("name") or ""), int(port["port"]),
                                      str(port.get("protocol") or "TCP")))
        if want != have:
            def fmt(items: set[tuple[str, str, int, str]]) -> str:
                return "[" + ", ".join(f"{ip}:{p}/{proto}({n})" if n else f"{ip}:{p}/{proto}"
                                       for ip, n, p, proto in sorted(items)) + "]"
            out.append(Violation(
                "liveness.endpointslice-mismatch", f"service {k.ref(svc)}",
                f"ready endpoints {fmt(want)}",
                f"{fmt(have)} (missing {fmt(want - have)}, extra {fmt(have - want)})",
            ))
    return out


def route_keys(svc: Obj) -> list[tuple[str, Mapping[str, Any], bool]]:
    """(routes key, service port, is-node-port) for every rule kube-proxy programs for ``svc``.

    Keys: ``"<clusterIP>:<port>/<protocol>"`` and ``"0.0.0.0:<nodePort>/<protocol>"``.
    """
    s_spec = k.spec(svc)
    if s_spec.get("type") == "ExternalName":
        return []
    cluster_ip = str(s_spec.get("clusterIP") or "")
    out: list[tuple[str, Mapping[str, Any], bool]] = []
    for port in s_spec.get("ports") or []:
        protocol = str(port.get("protocol") or "TCP")
        if cluster_ip and cluster_ip != "None":
            out.append((f"{cluster_ip}:{port['port']}/{protocol}", port, False))
        if s_spec.get("type") in ("NodePort", "LoadBalancer") and port.get("nodePort"):
            out.append((f"0.0.0.0:{port['nodePort']}/{protocol}", port, True))
    return out


def _backends(candidates: list[Obj], port: Mapping[str, Any], only_node: str | None) -> list[str]:
    """Sorted ``"<podIP>:<targetPort>"`` of ``candidates`` (only those on ``only_node`` if given)."""
    found = []
    for pod in candidates:
        if only_node is not None and k.node_name(pod) != only_node:
            continue
        target = k.resolve_target_port(pod, port)
        if target is not None:
            found.append(f"{k.status(pod)['podIP']}:{target}")
    return sorted(found)


def check_routes(snapshot: Snapshot, expect: Expectations) -> list[Violation]:
    """Each live node's kube-proxy forwards every Service port to its ready endpoints."""
    if snapshot.routes is None:
        return []
    pods = snapshot.of("pods")
    services = sorted(snapshot.of("services"), key=k.ref)
    known_keys = {key for svc in services for key, _, _ in route_keys(svc)}
    # key -> (is-local policy, ready pods, serving terminating pods, service port)
    rules: dict[str, tuple[bool, list[Obj], list[Obj], Mapping[str, Any]]] = {}
    for svc in services:
        if not _judged(svc, expect) or _service_selector(svc) is None:
            continue
        ready, terminating = _endpoint_pods(svc, pods)
        s_spec = k.spec(svc)
        for key, port, is_node_port in route_keys(svc):
            policy = s_spec.get("externalTrafficPolicy") if is_node_port else s_spec.get("internalTrafficPolicy")
            rules[key] = (policy == "Local", ready, terminating, port)
    out: list[Violation] = []
    for node in sorted(snapshot.of("nodes"), key=k.name):
        node_name = k.name(node)
        if node_name in snapshot.dead_nodes:
            continue
        table = snapshot.routes.get(node_name) or {}
        for key, (local, ready, terminating, port) in sorted(rules.items()):
            want = _backends(ready, port, node_name if local else None) or _backends(
                terminating, port, node_name if local else None
            )
            have = sorted(table.get(key) or [])
            if want != have:
                out.append(Violation(
                    "liveness.route-mismatch", f"node {node_name}", f"{key} -> {want}", str(have),
                ))
        for key in sorted(set(table) - known_keys):
            out.append(Violation(
                "liveness.route-stale", f"node {node_name}", f"no rule for {key} (no such Service port)",
                str(sorted(table[key])),
            ))
    return out


# ---------------------------------------------------------------------------------------------
# Garbage collection and namespaces


def _singular(resource: str) -> str:
    return resource[:-1] if resource.endswith("s") else resource


def _stuck_on_dead_node(obj: Obj, resource: str, snapshot: Snapshot) -> bool:
    return resource == "pods" and k.is_terminating(obj) and k.node_name(obj) in snapshot.dead_nodes


def check_garbage_collection(snapshot: Snapshot, expect: Expectations) -> list[Violation]:
    """No dependent outlives its owners; deleted objects are gone (see the module docstring)."""
    uids: set[str] = set()
    dependents: dict[str, int] = defaultdict(int)
    for resource in snapshot.objects:
        for obj in snapshot.of(resource):
            uids.add(k.uid(obj))
            for owner in k.owner_references(obj):
                dependents[str(owner.get("uid"))] += 1
    orphaned_keys = {key for key, policy in expect.deleted_objects.items() if policy == "Orphan"}
    out: list[Violation] = []
    for resource in sorted(snapshot.objects):
        for obj in sorted(snapshot.of(resource), key=k.ref):
            for owner in k.owner_references(obj):
                owner_resource = KIND_RESOURCES.get(str(owner.get("kind")))
                if owner_resource is None or str(owner.get("uid")) in uids:
                    continue
                where = f"{_singular(resource)} {k.ref(obj)}"
                owner_desc = f"{owner.get('kind')} {owner.get('name')} (uid {owner.get('uid')})"
                owner_ns = "" if owner_resource in ("namespaces", "nodes") else k.namespace(obj)
                if f"{owner_resource}/{owner_ns}/{owner.get('name')}" in orphaned_keys:
                    out.append(Violation(
                        "liveness.gc-orphan-reference-kept", where,
                        f"the ownerReference to {owner_desc} removed (owner deleted with Orphan)", "still present",
                    ))
                elif not _stuck_on_dead_node(obj, resource, snapshot):
                    out.append(Violation(
                        "liveness.gc-dangling-owner", where,
                        f"to be deleted with its owner {owner_desc}", "owner gone, dependent remains",
                    ))
    for key, policy in sorted(expect.deleted_objects.items()):
        resource, _, rest = key.partition("/")
        ns, _, obj_name = rest.partition("/")
        for obj in snapshot.of(resource):
            if k.name(obj) != obj_name or k.namespace(obj) != ns:
                continue
            if k.controller_ref(obj) is not None and not k.is_terminating(obj):
                continue  # re-created by its controller under the same name (StatefulSet pods, ...)
            if k.is_terminating(obj) and dependents.get(k.uid(obj)):
                continue  # foreground deletion waits for its dependents
            if _stuck_on_dead_node(obj, resource, snapshot):
                continue
            out.append(Violation(
                "liveness.deleted-object-present", f"{_singular(resource)} {k.ref(obj)}",
                f"gone (deleted with propagationPolicy {policy})",
                "terminating" if k.is_terminating(obj) else "present",
            ))
    return out


def check_namespaces(snapshot: Snapshot, expect: Expectations) -> list[Violation]:
    """Deleted namespaces are gone along with everything in them."""
    out: list[Violation] = []
    namespaces = {k.name(ns): ns for ns in snapshot.of("namespaces")}
    for ns_name in sorted(expect.deleted_namespaces):
        leftovers: list[str] = []
        stuck = False
        for resource in sorted(snapshot.objects):
            if resource == "namespaces":
                continue
            for obj in snapshot.of(resource):
                if k.namespace(obj) != ns_name:
                    continue
                if _stuck_on_dead_node(obj, resource, snapshot):
                    stuck = True
                else:
                    leftovers.append(f"{_singular(resource)} {k.name(obj)}")
        where = f"namespace {ns_name}"
        if leftovers:
            more = f" (+{len(leftovers) - 5} more)" if len(leftovers) > 5 else ""
            out.append(Violation(
                "liveness.namespace-not-empty", where, "no objects left", ", ".join(sorted(leftovers)[:5]) + more,
            ))
        ns = namespaces.get(ns_name)
        if ns is not None and not leftovers and not (stuck and k.is_terminating(ns)):
            out.append(Violation(
                "liveness.namespace-not-deleted", where, "the namespace gone",
                f"phase {k.status(ns).get('phase', 'Active')}",
            ))
    return out


LIVENESS_CHECKS: tuple[Callable[[Snapshot, Expectations], list[Violation]], ...] = (
    check_workload_pods,
    check_deployments,
    check_replicasets,
    check_statefulsets,
    check_daemonsets,
    check_jobs,
    check_dead_node_pods,
    check_endpointslices,
    check_routes,
    check_garbage_collection,
    check_namespaces,
)


def check_liveness(snapshot: Snapshot, expect: Expectations | None = None) -> list[Violation]:
    """Every liveness check in :data:`LIVENESS_CHECKS` over a settled ``snapshot``."""
    expectations = expect if expect is not None else Expectations()
    return [v for check in LIVENESS_CHECKS for v in check(snapshot, expectations)]
