"""NodeUnschedulable: a cordoned node (``spec.unschedulable``) takes only pods that tolerate it.

Follows ``pkg/scheduler/framework/plugins/nodeunschedulable/node_unschedulable.go``: the pod
must tolerate ``node.kubernetes.io/unschedulable:NoSchedule``.
"""

from __future__ import annotations

from typing import Any

from reference_impl.apiserver.corev1 import tolerations_tolerate_taint as tolerated
from reference_impl.scheduler.framework import NODE_ADD, NODE_UPDATE_TAINT, CycleState, Plugin
from reference_impl.scheduler.types import (
    TAINT_NODE_UNSCHEDULABLE,
    UNSCHEDULABLE_AND_UNRESOLVABLE,
    Obj,
    PodInfo,
    Status,
)

#: ``ErrReasonUnschedulable``
ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable"

_UNSCHEDULABLE_TAINT = {"key": TAINT_NODE_UNSCHEDULABLE, "effect": "NoSchedule"}


class NodeUnschedulable(Plugin):
    name = "NodeUnschedulable"
    is_filter = True
    events = frozenset({NODE_ADD, NODE_UPDATE_TAINT})
    _status = Status(UNSCHEDULABLE_AND_UNRESOLVABLE, ERR_REASON_UNSCHEDULABLE)

    def pre_filter(self, state: CycleState, pod: PodInfo) -> bool:
        # a pod that tolerates the taint passes every node: nothing to check
        return not tolerated(pod.tolerations, _UNSCHEDULABLE_TAINT)

    def filter(self, state: CycleState, pod: PodInfo, node: Any) -> Status | None:
        return self._status if node.unschedulable else None

    def filter_nodes(self, state: CycleState, pod: PodInfo, nodes: list[Any], failed: dict[str, Any]) -> list[Any]:
        if state.snapshot.none_have("unschedulable", nodes):  # the common case
            return nodes
        for n in nodes:
            if n.unschedulable:
                failed[n.name] = self._status
        return [n for n in nodes if not n.unschedulable]

    def queueing_hint(self, pod: PodInfo, event: str, old: Obj | None, new: Obj | None) -> bool:
        return new is not None and not (new.get("spec") or {}).get("unschedulable")
