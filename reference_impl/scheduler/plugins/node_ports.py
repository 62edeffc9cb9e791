"""NodePorts: a pod's hostPorts must be free on the node.

Follows ``pkg/scheduler/framework/plugins/nodeports/node_ports.go`` and ``HostPortInfo``
(``framework/types.go``): (protocol, port) conflicts when either side binds 0.0.0.0 or both
bind the same IP. Only regular containers' ports count, as upstream's ``getContainerPorts``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reference_impl.scheduler.framework import NODE_ADD, POD_DELETE, CycleState, Plugin
from reference_impl.scheduler.types import UNSCHEDULABLE, PodInfo, Status

#: ``ErrReason``
ERR_REASON = "node(s) didn't have free ports for the requested pod ports"

_ALL = "0.0.0.0"


def ports_conflict(wanted: Sequence[tuple[str, str, int]], used: dict[tuple[str, str, int], int]) -> bool:
    for ip, proto, port in wanted:
        if ip == _ALL:
            if any(p == port and pr == proto for _i, pr, p in used):
                return True
        elif (_ALL, proto, port) in used or (ip, proto, port) in used:
            return True
    return False


class NodePorts(Plugin):
    name = "NodePorts"
    is_filter = True
    events = frozenset({NODE_ADD, POD_DELETE})
    _status = Status(UNSCHEDULABLE, ERR_REASON)

    def pre_filter(self, state: CycleState, pod: PodInfo) -> bool:
        return bool(pod.host_ports)

    def filter(self, state: CycleState, pod: PodInfo, node: Any) -> Status | None:
        if node.used_ports and ports_conflict(pod.host_ports, node.used_ports):
            return self._status
        return None
