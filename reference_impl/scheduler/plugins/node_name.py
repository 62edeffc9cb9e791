"""NodeName: a pod that names a node fits only that node.

Follows ``pkg/scheduler/framework/plugins/nodename/node_name.go``. Pods with ``spec.nodeName``
never reach the scheduler's queue, so in practice this plugin only matters to the tests and to
preemption's what-if, as upstream.
"""

from __future__ import annotations

from typing import Any

from reference_impl.scheduler.framework import NODE_ADD, CycleState, Plugin
from reference_impl.scheduler.types import UNSCHEDULABLE_AND_UNRESOLVABLE, PodInfo, Status

#: ``ErrReason``
ERR_REASON = "node(s) didn't match the requested node name"


class NodeName(Plugin):
    name = "NodeName"
    is_filter = True
    events = frozenset({NODE_ADD})
    _status = Status(UNSCHEDULABLE_AND_UNRESOLVABLE, ERR_REASON)

    def pre_filter(self, state: CycleState, pod: PodInfo) -> bool:
        return bool(pod.node_name)

    def filter(self, state: CycleState, pod: PodInfo, node: Any) -> Status | None:
        return None if node.name == pod.node_name else self._status
