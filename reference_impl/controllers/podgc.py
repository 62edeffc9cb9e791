"""The pod garbage collector (part of kube-controller-manager): pods nothing else will remove.

Models ``pkg/controller/podgc/gc_controller.go``. Every 20 s (``gcCheckPeriod``; the first pass at
start, as ``wait.UntilWithContext`` does) it lists the pods and nodes of its informers and, in
upstream's order:

1. terminated pods (phase neither Pending, Running nor Unknown) beyond
   ``terminated_pod_gc_threshold`` are deleted, evicted ones first (``Failed``/``Evicted``), then
   the oldest (creation time, then name);
2. terminating pods on a node that is not Ready and carries the
   ``node.kubernetes.io/out-of-service`` taint are force-deleted;
3. orphaned pods — bound to a node that does not exist — are force-deleted once the node has been
   missing for the 40 s quarantine (``quarantineTime``) and a GET of it still answers 404, with a
   ``DisruptionTarget`` condition (``DeletionByPodGC``, "PodGC: node no longer exists");
4. terminating pods bound to no node are force-deleted.

Each deletion (``markFailedAndDeletePodWithCondition``) first moves a pod that is not yet
Succeeded or Failed to ``Failed`` through its status (a strategic-merge patch guarded by the pod's
uid, as ``PatchPodStatus``), so that a pod whose kubelet is gone does not stay Running forever,
then deletes it with a grace period of 0.

Leaves out: the controller's metrics and the concurrency of its deletions (upstream deletes in
parallel goroutines; here one after another, in the same order). The quarantine is a per-node
deadline where upstream uses a delaying work queue; a node is looked up again at the first pass
after its deadline, as there.
"""

from __future__ import annotations

from typing import Any

from reference_impl.apiserver import ApiError
from reference_impl.client import Component, Informer, Unreachable

Obj = dict[str, Any]

GC_CHECK_PERIOD_S = 20.0
QUARANTINE_S = 40.0
OUT_OF_SERVICE_TAINT = "node.kubernetes.io/out-of-service"
ORPHAN_CONDITION: Obj = {
    "type": "DisruptionTarget", "status": "True", "reason": "DeletionByPodGC",
    "message": "PodGC: node no longer exists",
}


def is_terminated(pod: Obj) -> bool:
    return (pod.get("status") or {}).get("phase") not in ("Pending", "Running", "Unknown")


def is_evicted(pod: Obj) -> bool:
    status = pod.get("status") or {}
    return status.get("phase") == "Failed" and status.get("reason") == "Evicted"


def _eviction_and_creation(pod: Obj) -> tuple[bool, str, str]:
    """``byEvictionAndCreationTimestamp``: evicted pods first, then the oldest, then by name."""
    meta = pod.get("metadata") or {}
    return (not is_evicted(pod), str(meta.get("creationTimestamp") or ""), str(meta.get("name") or ""))


def _node_ready(node: Obj) -> bool:
    conds = (node.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conds)


class PodGCController:
    def __init__(self, ctx: Component) -> None:
        self.ctx = ctx
        self.threshold = ctx.config.terminated_pod_gc_threshold
        self.pods: Informer
        self.nodes: Informer
        # node name -> when its quarantine ends (the first time a pod was seen bound to it missing)
        self.quarantine: dict[str, float] = {}

    def setup(self) -> None:
        self.pods = self.ctx.informers.informer("pods")
        self.nodes = self.ctx.informers.informer("nodes")
        self.quarantine = {}
        self.ctx.every(GC_CHECK_PERIOD_S, self.gc, first_in_s=0.0)

    def gc(self) -> None:
        pods = sorted(self.pods.list(), key=lambda p: (p["metadata"].get("namespace", ""), p["metadata"]["name"]))
        node_names = {n["metadata"]["name"] for n in self.nodes.list()}
        if self.threshold > 0:
            self._gc_terminated(pods)
        self._gc_terminating(pods)
        self._gc_orphaned(pods, node_names)
        self._gc_unscheduled_terminating(pods)

    def _gc_terminated(self, pods: list[Obj]) -> None:
        terminated = [p for p in pods if is_terminated(p)]
        excess = len(terminated) - self.threshold
        if excess <= 0:
            return
        for pod in sorted(terminated, key=_eviction_and_creation)[:excess]:
            self._mark_failed_and_delete(pod)

    def _gc_terminating(self, pods: list[Obj]) -> None:
        doomed = []
        for pod in pods:
            if not pod["metadata"].get("deletionTimestamp"):
                continue
            node = self.nodes.get(str((pod.get("spec") or {}).get("nodeName") or ""))
            if node is None:
                continue  # upstream logs "Failed to get node" and moves on
            taints = (node.get("spec") or {}).get("taints") or []
            if not _node_ready(node) and any(t.get("key") == OUT_OF_SERVICE_TAINT for t in taints):
                doomed.append(pod)
        for pod in sorted(doomed, key=_eviction_and_creation):
            self._mark_failed_and_delete(pod)

    def _gc_orphaned(self, pods: list[Obj], node_names: set[str]) -> None:
        now = self.ctx.loop.now()
        for pod in pods:
            node = str((pod.get("spec") or {}).get("nodeName") or "")
            if node and node not in node_names:
                self.quarantine.setdefault(node, now + QUARANTINE_S)
        deleted: set[str] = set()
        for node in sorted(n for n, until in self.quarantine.items() if until <= now):
            del self.quarantine[node]
            if node in node_names:
                continue
            try:
                self.ctx.client.get("nodes", node)
            except ApiError as e:
                if e.code == 404:
                    deleted.add(node)
                # another error: the node is queued again by the next pass if still needed
            except Unreachable:
                pass
        for pod in pods:
            if str((pod.get("spec") or {}).get("nodeName") or "") in deleted:
                self._mark_failed_and_delete(pod, ORPHAN_CONDITION)

    def _gc_unscheduled_terminating(self, pods: list[Obj]) -> None:
        for pod in pods:
            if pod["metadata"].get("deletionTimestamp") and not (pod.get("spec") or {}).get("nodeName"):
                self._mark_failed_and_delete(pod)

    def _mark_failed_and_delete(self, pod: Obj, condition: Obj | None = None) -> None:
        """``markFailedAndDeletePodWithCondition``; errors are recorded, the next pass retries."""
        meta = pod["metadata"]
        ns, name = meta.get("namespace"), meta["name"]
        client = self.ctx.client
        try:
            status = pod.get("status") or {}
            if status.get("phase") not in ("Succeeded", "Failed"):
                patch: Obj = {"metadata": {"uid": meta.get("uid")}, "status": {"phase": "Failed"}}
                if condition is not None:
                    patch["status"]["conditions"] = [self._condition(status, condition)]
                client.patch("pods", name, patch, "strategic", ns, subresource="status")
            client.delete("pods", name, ns, grace_period_seconds=0)
        except ApiError as e:
            if e.code != 404:
                self.ctx._record_error(f"{ns}/{name}", e)
        except Unreachable as e:
            self.ctx._record_error(f"{ns}/{name}", e)

    def _condition(self, status: Obj, condition: Obj) -> Obj:
        """``UpdatePodCondition``: the transition time moves only when the status does."""
        old = next((c for c in status.get("conditions") or [] if c.get("type") == condition["type"]), None)
        now = self.ctx.loop.clock.rfc3339()
        since = old.get("lastTransitionTime") if old is not None and old.get("status") == condition["status"] else now
        return {**condition, "lastTransitionTime": since or now}
