"""The node lifecycle controller and its taint-eviction manager (part of kube-controller-manager).

Models ``pkg/controller/nodelifecycle/node_lifecycle_controller.go`` (``monitorNodeHealth``,
``tryUpdateNodeHealth``, ``processTaintBaseEviction``, ``doNoScheduleTaintingPass``) and
``pkg/controller/tainteviction/taint_eviction.go`` (``processPodOnNode``, ``getMinTolerationTime``):

* every ``node_monitor_period_s`` each node's health is judged from what the controller itself
  observed: the local instant at which the Ready condition's ``lastHeartbeatTime`` or the
  node Lease's ``renewTime`` last changed (upstream's ``nodeHealthData.probeTimestamp``), never
  the kubelet's clock. After ``node_monitor_grace_period_s`` of silence
  (``node_startup_grace_period_s`` for a node that never posted Ready) Ready, MemoryPressure,
  DiskPressure and PIDPressure become ``Unknown`` (``NodeStatusUnknown`` /
  ``Kubelet stopped posting node status.``), a ``NodeNotReady`` event is recorded and the
  node's pods are marked not Ready (``MarkPodsNotReady``);
* NoExecute taints follow Ready (Unknown → ``unreachable``, False → ``not-ready``, swapped
  at once, both removed on True), each with ``timeAdded``; NoSchedule taints follow the
  conditions and ``spec.unschedulable``;
* pods on a node with NoExecute taints they do not tolerate are deleted at once; tolerated
  ones after the smallest ``tolerationSeconds`` of the tolerations used, counted from when the
  controller first saw the pod needing eviction (upstream counts from its observation too, not
  from the taint's ``timeAdded``); removing the taint cancels the eviction. Deletion is an
  ordinary graceful delete after a ``DisruptionTarget`` condition, with a
  ``TaintManagerEviction`` event.

Leaves out: zone disruption states and the eviction rate limiters (``--node-eviction-rate``
0.1 nodes/s per zone, the secondary rate and the stop of evictions in a fully disrupted zone) —
here every node is tainted in the pass that finds it unhealthy; the ``nodeStartupGracePeriod``
taint delay for new nodes' NoSchedule pass; CIDR allocation and the cloud node controller.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field
from typing import Any

from reference_impl.apiserver import ApiError
from reference_impl.apiserver.corev1 import toleration_tolerates
from reference_impl.client import Component, Informer, Unreachable, obj_key, unchanged
from reference_impl.sim import Timer
from reference_impl.sim.clock import parse_rfc3339

Obj = dict[str, Any]

NOT_READY_TAINT = "node.kubernetes.io/not-ready"
UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"
UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"
MEMORY_PRESSURE_TAINT = "node.kubernetes.io/memory-pressure"
DISK_PRESSURE_TAINT = "node.kubernetes.io/disk-pressure"
PID_PRESSURE_TAINT = "node.kubernetes.io/pid-pressure"
NETWORK_UNAVAILABLE_TAINT = "node.kubernetes.io/network-unavailable"
NODE_LEASE_NAMESPACE = "kube-node-lease"

# nodeConditionToTaintKeyStatusMap
CONDITION_TAINTS: dict[str, dict[str, str]] = {
    "Ready": {"False": NOT_READY_TAINT, "Unknown": UNREACHABLE_TAINT},
    "MemoryPressure": {"True": MEMORY_PRESSURE_TAINT},
    "DiskPressure": {"True": DISK_PRESSURE_TAINT},
    "NetworkUnavailable": {"True": NETWORK_UNAVAILABLE_TAINT},
    "PIDPressure": {"True": PID_PRESSURE_TAINT},
}
_CONDITION_TAINT_KEYS = frozenset(k for m in CONDITION_TAINTS.values() for k in m.values())
# the conditions the controller turns Unknown when the kubelet goes silent
HEALTH_CONDITIONS = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")
REASON_STATUS_UNKNOWN = "NodeStatusUnknown"
MESSAGE_STATUS_UNKNOWN = "Kubelet stopped posting node status."
REASON_NEVER_UPDATED = "NodeStatusNeverUpdated"
MESSAGE_NEVER_UPDATED = "Kubelet never posted node status."
EVICTION_REASON = "TaintManagerEviction"
_POD_NODE_INDEX = "node-lifecycle/nodeName"
_CONFLICT_RETRIES = 5


# -- taints and tolerations (k8s.io/api/core/v1 toleration.go, taint.go) -------------------------


def matching_tolerations(taints: list[Obj], tolerations: list[Obj]) -> tuple[bool, list[Obj]]:
    """``v1helper.GetMatchingTolerations``: all tolerated?, and the first toleration used per taint."""
    used: list[Obj] = []
    for taint in taints:
        for tol in tolerations:
            if toleration_tolerates(tol, taint):
                used.append(tol)
                break
        else:
            return False, []
    return True, used


def min_toleration_s(used: list[Obj]) -> float | None:
    """``getMinTolerationTime``: 0 = now, None = forever."""
    if not used:
        return 0.0
    best: float | None = None
    for tol in used:
        secs = tol.get("tolerationSeconds")
        if secs is None:
            continue
        if secs <= 0:
            return 0.0
        best = float(secs) if best is None else min(best, float(secs))
    return best


def no_execute_taints(node: Obj | None) -> list[Obj]:
    if node is None:
        return []
    return [t for t in (node.get("spec") or {}).get("taints") or [] if t.get("effect") == "NoExecute"]


def _taint_id(t: Obj) -> tuple[str, str]:
    return (str(t.get("key") or ""), str(t.get("effect") or ""))


def _condition(obj: Obj | None, type_: str) -> Obj | None:
    if obj is None:
        return None
    for c in (obj.get("status") or {}).get("conditions") or []:
        if c.get("type") == type_:
            return c
    return None


@dataclass
class _NodeHealth:
    """Upstream ``nodeHealthData``: what the controller saw, and when (its own clock)."""

    probe_s: float
    heartbeat: str | None
    transition: str | None
    lease_renew: str | None = None


@dataclass
class _Eviction:
    created_s: float
    fire_s: float
    timer: Timer | None = field(default=None)


# (module-level rather than nested in the sync: a compiled nested function is a reference cycle
# with its environment, and the control plane leaves no cyclic garbage)
def _managed_no_schedule(t: Obj) -> bool:
    """A NoSchedule taint this controller owns (a condition's, or the cordon's)."""
    return t.get("effect") == "NoSchedule" and (
        t.get("key") == UNSCHEDULABLE_TAINT or t.get("key") in _CONDITION_TAINT_KEYS
    )


def _with_no_schedule_taints(want: list[str], taints: list[Obj]) -> list[Obj]:
    """``taints`` with exactly the wanted controller-owned NoSchedule taints."""
    kept = [t for t in taints if not _managed_no_schedule(t) or t.get("key") in want]
    present = {t.get("key") for t in kept if _managed_no_schedule(t)}
    return kept + [{"key": k, "effect": "NoSchedule"} for k in want if k not in present]


class NodeLifecycleController:
    """Node health monitor, condition taints and NoExecute taint eviction."""

    def __init__(self, ctx: Component) -> None:
        self.ctx = ctx
        self.config = ctx.config
        self.health: dict[str, _NodeHealth] = {}
        self.evictions: dict[str, _Eviction] = {}
        self.nodes: Informer
        self.pods: Informer
        self.leases: Informer

    def setup(self) -> None:
        ctx = self.ctx
        self.recorder = ctx.recorder_for("node-controller")
        self.eviction_recorder = ctx.recorder_for("taint-eviction-controller")
        self.nodes = ctx.informers.informer("nodes")
        self.pods = ctx.informers.informer("pods")
        self.leases = ctx.informers.informer("leases", namespace=NODE_LEASE_NAMESPACE)
        self.pods.add_index(_POD_NODE_INDEX, _pod_node_index)
        self.nodes.add_handler(self._node_added, self._node_updated, self._node_deleted)
        self.pods.add_handler(self._pod_added, self._pod_updated, self._pod_deleted)
        self.no_schedule_queue = ctx.queue(self._sync_no_schedule, name="node-lifecycle-noschedule")
        self.node_taint_queue = ctx.queue(self._sync_node_evictions, name="taint-eviction-node")
        self.pod_taint_queue = ctx.queue(self._sync_pod_eviction, name="taint-eviction-pod")
        ctx.every(self.config.node_monitor_period_s, self.monitor_node_health)

    # -- informer handlers --------------------------------------------------------------------
    def _node_added(self, node: Obj) -> None:
        name = node["metadata"]["name"]
        self.no_schedule_queue.add(name)
        if no_execute_taints(node):
            self.node_taint_queue.add(name)

    def _node_updated(self, old: Obj, new: Obj) -> None:
        name = new["metadata"]["name"]
        self.no_schedule_queue.add(name)
        if no_execute_taints(old) != no_execute_taints(new):
            self.node_taint_queue.add(name)

    def _node_deleted(self, node: Obj) -> None:
        name = node["metadata"]["name"]
        self.health.pop(name, None)
        self.node_taint_queue.add(name)

    def _pod_added(self, pod: Obj) -> None:
        if _pod_node(pod):
            self.pod_taint_queue.add(obj_key(pod))

    def _pod_updated(self, old: Obj, new: Obj) -> None:
        if unchanged(old, new, "spec"):
            return  # a status write: the very same spec (node and tolerations unchanged)
        ospec = old.get("spec")
        if _pod_node(old) == _pod_node(new) and (ospec or {}).get("tolerations") == (
            new.get("spec") or {}
        ).get("tolerations"):
            return
        self.pod_taint_queue.add(obj_key(new))

    def _pod_deleted(self, pod: Obj) -> None:
        self._cancel(obj_key(pod), event_pod=None)

    # -- node health monitor ------------------------------------------------------------------
    def monitor_node_health(self) -> None:
        """One ``monitorNodeHealth`` pass over every node, in name order."""
        if not self.nodes.synced:
            return
        for node in sorted(self.nodes.list(), key=lambda n: n["metadata"]["name"]):
            try:
                self._monitor_one(node)
            except (ApiError, Unreachable) as e:
                self.ctx._record_error(node["metadata"]["name"], e)

    def _monitor_one(self, node: Obj) -> None:
        name = node["metadata"]["name"]
        now = self.ctx.loop.now()
        ready = _condition(node, "Ready")
        observed_status = str(ready.get("status") or "Unknown") if ready else "Unknown"
        grace_s = self.config.node_monitor_grace_period_s if ready else self.config.node_startup_grace_period_s
        saved = self.health.get(name)
        heartbeat = ready.get("lastHeartbeatTime") if ready else None
        transition = ready.get("lastTransitionTime") if ready else None
        if ready is None:
            if saved is None:
                created = node["metadata"].get("creationTimestamp")
                probe = parse_rfc3339(created) if created else now
                saved = _NodeHealth(probe, None, None)
        elif saved is None or saved.heartbeat is None or saved.heartbeat != heartbeat:
            saved = _NodeHealth(now, heartbeat, transition, saved.lease_renew if saved else None)
        lease = self.leases.get_by(name, NODE_LEASE_NAMESPACE)
        renew = ((lease or {}).get("spec") or {}).get("renewTime") if lease else None
        if renew and (saved.lease_renew is None or _later(renew, saved.lease_renew)):
            saved.lease_renew = renew
            saved.probe_s = now
        self.health[name] = saved

        current_status = observed_status
        if now > saved.probe_s + grace_s:
            current_status = self._mark_unknown(node)
        if current_status != "True" and observed_status == "True":
            self.recorder.event(
                _node_ref(node), "Normal", "NodeNotReady", f"Node {name} status is now: NodeNotReady"
            )
            self._mark_pods_not_ready(name)
        self._taint_for_ready(name, current_status)

    def _mark_unknown(self, node: Obj) -> str:
        """Set the health conditions Unknown; returns Ready's status afterwards."""
        live = copy.deepcopy(node)
        now = self.ctx.loop.clock.rfc3339()
        conds: list[Obj] = live.setdefault("status", {}).setdefault("conditions", [])
        changed = False
        for type_ in HEALTH_CONDITIONS:
            cur = next((c for c in conds if c.get("type") == type_), None)
            if cur is None:
                conds.append(
                    {
                        "type": type_,
                        "status": "Unknown",
                        "reason": REASON_NEVER_UPDATED,
                        "message": MESSAGE_NEVER_UPDATED,
                        "lastHeartbeatTime": node["metadata"].get("creationTimestamp"),
                        "lastTransitionTime": now,
                    }
                )
                changed = True
            elif cur.get("status") != "Unknown":
                cur.update(
                    status="Unknown",
                    reason=REASON_STATUS_UNKNOWN,
                    message=MESSAGE_STATUS_UNKNOWN,
                    lastTransitionTime=now,
                )
                changed = True
        if changed:
            self.ctx.client.update_status("nodes", live)
        return "Unknown"

    def _mark_pods_not_ready(self, node_name: str) -> None:
        """``MarkPodsNotReady``: Ready=False on each pod of the node, with a ``NodeNotReady`` event."""
        now = self.ctx.loop.clock.rfc3339()
        for pod in sorted(self.pods.by_index(_POD_NODE_INDEX, node_name), key=obj_key):
            cond = _condition(pod, "Ready")
            if cond is None or cond.get("status") == "False":
                continue
            new = copy.deepcopy(pod)
            c = _condition(new, "Ready")
            assert c is not None
            c["status"] = "False"
            c["lastTransitionTime"] = now
            try:
                self.ctx.client.update_status("pods", new, pod["metadata"]["namespace"])
            except ApiError as e:
                if e.code not in (404, 409):
                    raise
                continue
            self.recorder.event(pod, "Warning", "NodeNotReady", "Node is not ready")

    # -- taints ----------------------------------------------------------------------------------
    def _taint_for_ready(self, name: str, status: str) -> None:
        """``processTaintBaseEviction``: the NoExecute taint that matches Ready."""
        if status == "False":
            self._swap_taints(name, add=NOT_READY_TAINT, remove=(UNREACHABLE_TAINT,), effect="NoExecute")
        elif status == "Unknown":
            self._swap_taints(name, add=UNREACHABLE_TAINT, remove=(NOT_READY_TAINT,), effect="NoExecute")
        else:
            self._swap_taints(name, add=None, remove=(NOT_READY_TAINT, UNREACHABLE_TAINT), effect="NoExecute")

    def _swap_taints(self, name: str, *, add: str | None, remove: tuple[str, ...], effect: str) -> None:
        node = self.nodes.get_by(name)
        if node is None:
            return
        taints = (node.get("spec") or {}).get("taints") or []
        have = {_taint_id(t) for t in taints}
        needs_add = add is not None and (add, effect) not in have
        needs_remove = any((k, effect) in have for k in remove)
        if not (needs_add or needs_remove):
            return

        def mutate(taints: list[Obj]) -> list[Obj]:
            out = [t for t in taints if _taint_id(t) not in {(k, effect) for k in remove}]
            if add is not None and (add, effect) not in {_taint_id(t) for t in out}:
                taint: Obj = {"key": add, "effect": effect}
                if effect == "NoExecute":
                    taint["timeAdded"] = self.ctx.loop.clock.rfc3339()
                out.append(taint)
            return out

        self._update_taints(name, mutate)

    def _update_taints(self, name: str, mutate: Any) -> None:
        """GET, change the taints, PUT with the resourceVersion; retry on conflict."""
        for _ in range(_CONFLICT_RETRIES):
            try:
                live = self.ctx.client.get("nodes", name)
            except ApiError as e:
                if e.code == 404:
                    return
                raise
            spec = live.setdefault("spec", {})
            old = list(spec.get("taints") or [])
            new = mutate(old)
            if new == old:
                return
            if new:
                spec["taints"] = new
            else:
                spec.pop("taints", None)
            try:
                self.ctx.client.update("nodes", live)
                return
            except ApiError as e:
                if e.code != 409:
                    raise
        raise RuntimeError(f"node {name}: too many conflicts updating taints")

    def _sync_no_schedule(self, name: str) -> None:
        """``doNoScheduleTaintingPass``: NoSchedule taints mirror conditions and spec.unschedulable."""
        node = self.nodes.get_by(name)
        if node is None:
            return
        want: list[str] = []
        for cond in (node.get("status") or {}).get("conditions") or []:
            key = CONDITION_TAINTS.get(cond.get("type", ""), {}).get(cond.get("status", ""))
            if key is not None and key not in want:
                want.append(key)
        if (node.get("spec") or {}).get("unschedulable"):
            want.append(UNSCHEDULABLE_TAINT)
        have = [t.get("key") for t in (node.get("spec") or {}).get("taints") or [] if _managed_no_schedule(t)]
        if sorted(have) == sorted(want):
            return
        self._update_taints(name, functools.partial(_with_no_schedule_taints, want))

    # -- taint eviction --------------------------------------------------------------------------
    def _sync_node_evictions(self, name: str) -> None:
        """``handleNodeUpdate``: re-judge every pod on a node whose NoExecute taints changed."""
        for pod in sorted(self.pods.by_index(_POD_NODE_INDEX, name), key=obj_key):
            self._sync_pod_eviction(obj_key(pod))

    def _sync_pod_eviction(self, key: str) -> None:
        """``processPodOnNode``."""
        pod = self.pods.get(key)
        if pod is None:
            self._cancel(key, event_pod=None)
            return
        node_name = _pod_node(pod)
        taints = no_execute_taints(self.nodes.get_by(node_name)) if node_name else []
        if not taints or pod["metadata"].get("deletionTimestamp"):
            self._cancel(key, event_pod=pod)
            return
        ok, used = matching_tolerations(taints, (pod.get("spec") or {}).get("tolerations") or [])
        now = self.ctx.loop.now()
        if not ok:
            self._cancel(key, event_pod=pod)
            self._schedule(key, now, now)
            return
        wait_s = min_toleration_s(used)
        if wait_s is None:
            self._cancel(key, event_pod=pod)
            return
        created = now
        prev = self.evictions.get(key)
        if prev is not None:
            created = prev.created_s
            if created + wait_s >= prev.fire_s:
                return  # the earlier deadline already scheduled stands
            self._cancel(key, event_pod=None)
        self._schedule(key, created, created + wait_s)

    def _schedule(self, key: str, created_s: float, fire_s: float) -> None:
        ev = _Eviction(created_s, fire_s)
        self.evictions[key] = ev
        ev.timer = self.ctx.later(max(0.0, fire_s - self.ctx.loop.now()), self._evict, key, ev)

    def _cancel(self, key: str, *, event_pod: Obj | None) -> None:
        ev = self.evictions.pop(key, None)
        if ev is None:
            return
        if ev.timer is not None:
            ev.timer.cancel()
        if event_pod is not None:
            self.eviction_recorder.event(event_pod, "Normal", EVICTION_REASON, f"Cancelling deletion of Pod {key}")

    def _evict(self, key: str, ev: _Eviction) -> None:
        if self.evictions.get(key) is not ev:
            return
        del self.evictions[key]
        ns, name = key.split("/", 1)
        pod = self.pods.get(key)
        if pod is None:
            return
        try:
            self._add_condition_and_delete(ns, name)
        except (ApiError, Unreachable) as e:
            self.ctx._record_error(key, e)
            # upstream retries a failed deletion; try again shortly
            self._schedule(key, ev.created_s, self.ctx.loop.now() + 1.0)
            return
        self.eviction_recorder.event(pod, "Normal", EVICTION_REASON, f"Marking for deletion Pod {key}")

    def _add_condition_and_delete(self, ns: str, name: str) -> None:
        """``addConditionAndDeletePod``: a ``DisruptionTarget`` condition, then a graceful delete."""
        try:
            live = self.ctx.client.get("pods", name, ns)
        except ApiError as e:
            if e.code == 404:
                return
            raise
        conds: list[Obj] = live.setdefault("status", {}).setdefault("conditions", [])
        if not any(c.get("type") == "DisruptionTarget" for c in conds):
            conds.append(
                {
                    "type": "DisruptionTarget",
                    "status": "True",
                    "reason": "DeletionByTaintManager",
                    "message": "Taint manager: deleting due to NoExecute taint",
                    "lastTransitionTime": self.ctx.loop.clock.rfc3339(),
                }
            )
            try:
                self.ctx.client.update_status("pods", live, ns)
            except ApiError as e:
                if e.code == 404:
                    return
                if e.code != 409:
                    raise
        try:
            self.ctx.client.delete("pods", name, ns)
        except ApiError as e:
            if e.code != 404:
                raise


def _pod_node(pod: Obj) -> str:
    return str((pod.get("spec") or {}).get("nodeName") or "")


def _pod_node_index(pod: Obj) -> list[str]:
    node = _pod_node(pod)
    return [node] if node else []


def _later(a: str, b: str) -> bool:
    return parse_rfc3339(a) > parse_rfc3339(b)


def _node_ref(node: Obj) -> Obj:
    """Node events name the node with its name as UID, as ``RecordNodeStatusChange`` does."""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": node["metadata"]["name"], "uid": node["metadata"]["name"]},
    }
