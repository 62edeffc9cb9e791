"""DefaultPreemption's diagnosis: the ``preemption: ...`` part of a FailedScheduling message.

Models the message path of ``pkg/scheduler/framework/plugins/defaultpreemption`` and
``framework/preemption/preemption.go``: a pod with ``preemptionPolicy: Never`` is "not
eligible"; nodes rejected as UnschedulableAndUnresolvable are "Preemption is not helpful for
scheduling"; a node without lower-priority pods has "No preemption victims found for incoming
pod"; otherwise the node-local filters run again without the lower-priority pods and their
reasons are reported.

Left out: preemption itself — choosing a candidate, evicting victims, PDBs, setting
``nominatedNodeName``. When removing victims would make a node fit, upstream would preempt;
here the diagnosis returns "" (no suffix) and the pod waits like any unschedulable pod.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reference_impl.scheduler.framework import CycleState, Plugin, fit_error_message
from reference_impl.scheduler.types import UNSCHEDULABLE_AND_UNRESOLVABLE, NodeInfo, PodInfo, Status

NOT_ELIGIBLE_NEVER = "not eligible due to preemptionPolicy=Never."
NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_VICTIMS = "No preemption victims found for incoming pod"

# filters whose verdict depends on other nodes' pods: their state would need AddPod/RemovePod
_CLUSTER_WIDE = frozenset({"PodTopologySpread", "InterPodAffinity"})


def preemption_message(
    state: CycleState,
    pod: PodInfo,
    nodes: Sequence[NodeInfo],
    statuses: Mapping[str, Status],
    status_plugins: Mapping[str, str],
    filters: Sequence[Plugin],
) -> str:
    """The PostFilter message (already prefixed ``preemption: ``), or "" if preemption could act."""
    if pod.preemption_policy == "Never":
        return "preemption: " + NOT_ELIGIBLE_NEVER
    not_helpful = Status(UNSCHEDULABLE_AND_UNRESOLVABLE, NOT_HELPFUL)
    no_victims = Status(UNSCHEDULABLE_AND_UNRESOLVABLE, NO_VICTIMS)
    out: dict[str, Status] = {}
    for n in nodes:
        st = statuses.get(n.name)
        if st is None or st.code == UNSCHEDULABLE_AND_UNRESOLVABLE:
            out[n.name] = not_helpful
            continue
        victims = [p.key for p in n.pods.values() if p.priority < pod.priority]
        if not victims:
            out[n.name] = no_victims
            continue
        if status_plugins.get(n.name) in _CLUSTER_WIDE:
            out[n.name] = st
            continue
        what_if = n.clone()
        for key in victims:
            what_if.remove_pod(key)
        verdict: Status | None = None
        for p in filters:
            if p.name in _CLUSTER_WIDE:
                continue
            verdict = p.filter(state, pod, what_if)
            if verdict is not None:
                break
        if verdict is None:
            return ""
        out[n.name] = verdict
    return "preemption: " + fit_error_message(len(nodes), out)
