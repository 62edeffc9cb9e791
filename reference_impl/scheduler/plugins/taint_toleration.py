"""TaintToleration: NoSchedule/NoExecute taints must be tolerated; PreferNoSchedule ones cost score.

Follows ``pkg/scheduler/framework/plugins/tainttoleration/taint_toleration.go``: the filter
reports the first untolerated taint in the node's order; the score counts intolerable
PreferNoSchedule taints (against the pod's tolerations with effect "" or PreferNoSchedule) and
is normalised reversed, so the node with the fewest gets 100. Default weight 3.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reference_impl.apiserver.corev1 import tolerations_tolerate_taint as tolerated
from reference_impl.scheduler.framework import (
    NODE_ADD,
    NODE_UPDATE_TAINT,
    CycleState,
    Plugin,
    default_normalize_score,
)
from reference_impl.scheduler.types import UNSCHEDULABLE_AND_UNRESOLVABLE, Obj, PodInfo, Status

#: ``fmt.Sprintf("node(s) had untolerated taint {%s: %s}", taint.Key, taint.Value)``
ERR_REASON_UNTOLERATED_TAINT = "node(s) had untolerated taint {{{key}: {value}}}"


def untolerated_reason(taint: Obj) -> str:
    return ERR_REASON_UNTOLERATED_TAINT.format(key=taint.get("key", ""), value=taint.get("value") or "")


def first_untolerated(taints: Sequence[Obj], tolerations: Sequence[Obj]) -> Obj | None:
    for t in taints:
        if not tolerated(tolerations, t):
            return t
    return None


class TaintToleration(Plugin):
    name = "TaintToleration"
    weight = 3
    is_filter = True
    is_score = True
    events = frozenset({NODE_ADD, NODE_UPDATE_TAINT})

    def filter(self, state: CycleState, pod: PodInfo, node: Any) -> Status | None:
        if not node.hard_taints:
            return None
        t = first_untolerated(node.hard_taints, pod.tolerations)
        return None if t is None else Status(UNSCHEDULABLE_AND_UNRESOLVABLE, untolerated_reason(t))

    def filter_nodes(self, state: CycleState, pod: PodInfo, nodes: list[Any], failed: dict[str, Any]) -> list[Any]:
        if state.snapshot.none_have("hard_taints", nodes):  # the common case
            return nodes
        return super().filter_nodes(state, pod, nodes, failed)

    def score_nodes(self, state: CycleState, pod: PodInfo, nodes: list[Any]) -> list[int]:
        if state.snapshot.none_have("prefer_taints", nodes):
            return [0] * len(nodes)
        prefer = [t for t in pod.tolerations if (t.get("effect") or "") in ("", "PreferNoSchedule")]
        return [
            sum(1 for t in n.prefer_taints if not tolerated(prefer, t)) if n.prefer_taints else 0 for n in nodes
        ]

    def normalize(self, state: CycleState, pod: PodInfo, nodes: list[Any], scores: list[int]) -> None:
        default_normalize_score(scores, reverse=True)

    def uniform(self, state: CycleState, pod: PodInfo, nodes: list[Any]) -> bool:
        return state.snapshot.none_have("prefer_taints", nodes)  # no PreferNoSchedule taint: 100 everywhere

    def queueing_hint(self, pod: PodInfo, event: str, old: Obj | None, new: Obj | None) -> bool:
        if new is None:
            return False
        hard = [t for t in (new.get("spec") or {}).get("taints") or [] if t.get("effect") in ("NoSchedule", "NoExecute")]
        return first_untolerated(hard, pod.tolerations) is None
