"""NodeAffinity: ``nodeSelector`` and required node affinity filter; preferred terms score.

Follows ``pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go`` and
``component-helpers/scheduling/corev1/nodeaffinity``: nodeSelector AND (any required term);
terms AND their expressions (In, NotIn, Exists, DoesNotExist, Gt, Lt) and ``metadata.name``
fields; an empty term matches nothing. Score: the sum of the weights of matching preferred
terms, normalised to 0-100 by the maximum. Default weight 2.

Left out: the scheduler profile's ``addedAffinity``, PreFilter's node-name narrowing (the
filter gives the same answer, only slower).
"""

from __future__ import annotations

from typing import Any

from reference_impl.scheduler.framework import (
    NODE_ADD,
    NODE_UPDATE_LABEL,
    CycleState,
    Plugin,
    default_normalize_score,
)
from reference_impl.scheduler.types import (
    UNSCHEDULABLE_AND_UNRESOLVABLE,
    Obj,
    PodInfo,
    Status,
    node_selector_term_matches,
)

#: ``ErrReasonPod``
ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector"


class NodeAffinity(Plugin):
    name = "NodeAffinity"
    weight = 2
    is_filter = True
    is_score = True
    events = frozenset({NODE_ADD, NODE_UPDATE_LABEL})
    _status = Status(UNSCHEDULABLE_AND_UNRESOLVABLE, ERR_REASON_POD)

    def pre_filter(self, state: CycleState, pod: PodInfo) -> bool:
        return bool(pod.node_selector) or pod.required_node_terms is not None

    def filter(self, state: CycleState, pod: PodInfo, node: Any) -> Status | None:
        return None if pod.matches_node_selector_and_affinity(node.labels, node.name) else self._status

    def pre_score(self, state: CycleState, pod: PodInfo, nodes: list[Any]) -> bool:
        return bool(pod.preferred_node_terms)

    def score_nodes(self, state: CycleState, pod: PodInfo, nodes: list[Any]) -> list[int]:
        terms = pod.preferred_node_terms
        return [sum(w for w, t in terms if node_selector_term_matches(t, n.labels, n.name)) for n in nodes]

    def normalize(self, state: CycleState, pod: PodInfo, nodes: list[Any], scores: list[int]) -> None:
        default_normalize_score(scores, reverse=False)

    def queueing_hint(self, pod: PodInfo, event: str, old: Obj | None, new: Obj | None) -> bool:
        if new is None:
            return False
        meta = new.get("metadata") or {}
        return pod.matches_node_selector_and_affinity(meta.get("labels") or {}, str(meta.get("name", "")))
