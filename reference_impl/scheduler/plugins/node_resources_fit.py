"""NodeResourcesFit: requests must fit what is left of allocatable; LeastAllocated scoring.

Follows ``pkg/scheduler/framework/plugins/noderesources/fit.go`` and ``least_allocated.go``.
Filter: the pod count against ``allocatable.pods``, then cpu, memory, ephemeral-storage and
extended resources against ``allocatable - requested`` (requests with the init-container
max rule, sidecars and overhead, see :func:`~reference_impl.scheduler.types.pod_requests`);
all failing reasons are kept, and the status is UnschedulableAndUnresolvable when the pod asks
for more than the node's whole allocatable (preemption could not help). Score (strategy
LeastAllocated, cpu and memory weight 1): ``(allocatable - requested) * 100 / allocatable``
per resource, averaged, integer arithmetic, with the non-zero requests (a container without a
request counts 100m cpu / 200Mi memory). Default weight 1.
"""

from __future__ import annotations

from typing import Any

from reference_impl.scheduler.framework import (
    NODE_ADD,
    NODE_UPDATE_ALLOCATABLE,
    POD_DELETE,
    CycleState,
    Plugin,
)
from reference_impl.scheduler.types import (
    UNSCHEDULABLE,
    UNSCHEDULABLE_AND_UNRESOLVABLE,
    NodeInfo,
    Obj,
    PodInfo,
    Status,
)

ERR_REASON_TOO_MANY_PODS = "Too many pods"
ERR_REASON_INSUFFICIENT = "Insufficient {}"
ERR_REASON_INSUFFICIENT_CPU = "Insufficient cpu"
ERR_REASON_INSUFFICIENT_MEMORY = "Insufficient memory"


def insufficient(pod: PodInfo, node: Any) -> Status | None:
    """``fitsRequest``: every failing reason, in upstream's order."""
    reasons: list[str] = []
    unresolvable = False
    if len(node.pods) + 1 > node.alloc_pods:
        reasons.append(ERR_REASON_TOO_MANY_PODS)
    if pod.req_cpu or pod.req_mem or pod.req_other:
        if pod.req_cpu > 0 and pod.req_cpu > node.alloc_cpu - node.req_cpu:
            reasons.append(ERR_REASON_INSUFFICIENT_CPU)
            unresolvable |= pod.req_cpu > node.alloc_cpu
        if pod.req_mem > 0 and pod.req_mem > node.alloc_mem - node.req_mem:
            reasons.append(ERR_REASON_INSUFFICIENT_MEMORY)
            unresolvable |= pod.req_mem > node.alloc_mem
        if "ephemeral-storage" in pod.req_other:
            want = pod.req_other["ephemeral-storage"]
            cap = node.alloc_other.get("ephemeral-storage", 0)
            if want > cap - node.req_other.get("ephemeral-storage", 0):
                reasons.append(ERR_REASON_INSUFFICIENT.format("ephemeral-storage"))
                unresolvable |= want > cap
        for name, want in pod.req_other.items():
            if name == "ephemeral-storage" or not _is_scalar(name):
                continue
            cap = node.alloc_other.get(name, 0)
            if want > cap - node.req_other.get(name, 0):
                reasons.append(ERR_REASON_INSUFFICIENT.format(name))
                unresolvable |= want > cap
    if not reasons:
        return None
    return Status(UNSCHEDULABLE_AND_UNRESOLVABLE if unresolvable else UNSCHEDULABLE, *reasons)


def _is_scalar(name: str) -> bool:
    # extended (``example.com/foo``), hugepages-* and attachable-volumes-* are scalar resources
    return "/" in name or name.startswith(("hugepages-", "attachable-volumes-"))


def least_allocated(req_cpu: int, alloc_cpu: int, req_mem: int, alloc_mem: int) -> int:
    """``leastResourceScorer`` over cpu and memory with weight 1 each."""
    total = weights = 0
    if alloc_cpu:
        total += (alloc_cpu - req_cpu) * 100 // alloc_cpu if req_cpu <= alloc_cpu else 0
        weights += 1
    if alloc_mem:
        total += (alloc_mem - req_mem) * 100 // alloc_mem if req_mem <= alloc_mem else 0
        weights += 1
    return total // weights if weights else 0


class NodeResourcesFit(Plugin):
    name = "NodeResourcesFit"
    weight = 1
    is_filter = True
    is_score = True
    events = frozenset({NODE_ADD, NODE_UPDATE_ALLOCATABLE, POD_DELETE})

    def filter(self, state: CycleState, pod: PodInfo, node: Any) -> Status | None:
        return insufficient(pod, node)

    def filter_nodes(self, state: CycleState, pod: PodInfo, nodes: list[Any], failed: dict[str, Any]) -> list[Any]:
        if pod.req_other:
            return super().filter_nodes(state, pod, nodes, failed)
        cpu, mem = pod.req_cpu, pod.req_mem
        floor = state.snapshot.free_floor
        if floor is not None and floor[0] > 0 and floor[1] >= cpu and floor[2] >= mem:
            return nodes  # even the fullest node fits it
        out = [n for n in nodes if n.free_pods > 0 and n.free_cpu >= cpu and n.free_mem >= mem]
        if len(out) != len(nodes):
            return super().filter_nodes(state, pod, nodes, failed)
        return out

    def score_key(self, pod: PodInfo) -> str:
        return f"{pod.nz_cpu},{pod.nz_mem}"

    def score_nodes(self, state: CycleState, pod: PodInfo, nodes: list[Any]) -> list[int]:
        cpu, mem = pod.nz_cpu, pod.nz_mem
        return [least_allocated(n.nz_cpu + cpu, n.alloc_cpu, n.nz_mem + mem, n.alloc_mem) for n in nodes]

    def queueing_hint(self, pod: PodInfo, event: str, old: Obj | None, new: Obj | None) -> bool:
        if event == POD_DELETE or new is None:
            return True
        fresh = NodeInfo("")
        fresh.set_node(new)
        if insufficient(pod, fresh) is not None:
            return False
        if event == NODE_ADD or old is None:
            return True
        before = NodeInfo("")
        before.set_node(old)
        return (
            fresh.alloc_pods > before.alloc_pods
            or (pod.req_cpu > 0 and fresh.alloc_cpu > before.alloc_cpu)
            or (pod.req_mem > 0 and fresh.alloc_mem > before.alloc_mem)
            or any(fresh.alloc_other.get(k, 0) > before.alloc_other.get(k, 0) for k in pod.req_other)
        )
