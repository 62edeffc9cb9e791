"""InterPodAffinity: required pod (anti-)affinity filters, preferred terms score.

Follows ``pkg/scheduler/framework/plugins/interpodaffinity/{filtering,scoring}.go``.
Filter, in upstream's order: the pod's required affinity (every term's topology domain must
hold a pod matching *all* terms — unless no pod in the cluster matches and the pod matches its
own terms, so the first of a group can start), the pod's required anti-affinity, then the
existing pods' required anti-affinity against this pod. Score: preferred terms of the pod
(+/- weight per matching existing pod in the domain), existing pods' required affinity
(HardPodAffinityWeight 1) and preferred terms matching this pod, summed per topology domain
and normalised min-max to 0-100. Default weight 2.

Left out: ``matchLabelKeys``/``mismatchLabelKeys`` on affinity terms.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reference_impl.scheduler.framework import (
    NAMESPACE_CHANGE,
    NODE_ADD,
    NODE_UPDATE_LABEL,
    POD_ADD,
    POD_DELETE,
    POD_UPDATE_LABEL,
    CycleState,
    Plugin,
)
from reference_impl.scheduler.types import (
    UNSCHEDULABLE,
    UNSCHEDULABLE_AND_UNRESOLVABLE,
    AffinityTerm,
    PodInfo,
    Status,
)

ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules"
ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules"
ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules"

HARD_POD_AFFINITY_WEIGHT = 1

_FILTER_KEY = "InterPodAffinity/filter"
_SCORE_KEY = "InterPodAffinity/score"

Pair = tuple[str, str]


def _bump(counts: dict[Pair, int], node: Any, key: str, by: int) -> None:
    value = node.labels.get(key)
    if value is not None:
        counts[(key, value)] = counts.get((key, value), 0) + by


def _matches_all(terms: Sequence[AffinityTerm], pod: PodInfo, ns_labels: Any) -> bool:
    return all(t.matches(pod, ns_labels) for t in terms)


class _FilterState:
    def __init__(self) -> None:
        self.existing_anti: dict[Pair, int] = {}
        self.affinity: dict[Pair, int] = {}
        self.anti: dict[Pair, int] = {}


class InterPodAffinity(Plugin):
    name = "InterPodAffinity"
    weight = 2
    is_filter = True
    is_score = True
    events = frozenset({POD_ADD, POD_UPDATE_LABEL, POD_DELETE, NODE_ADD, NODE_UPDATE_LABEL, NAMESPACE_CHANGE})

    # -- filter ---------------------------------------------------------------------------
    def pre_filter(self, state: CycleState, pod: PodInfo) -> bool:
        snap = state.snapshot
        with_anti = snap.nodes_with_required_anti_affinity()
        if not pod.required_affinity and not pod.required_anti_affinity and not with_anti:
            return False
        ns_labels = snap.ns_labels
        st = _FilterState()
        for node in with_anti:
            for existing in node.pods.values():
                for t in existing.required_anti_affinity:
                    if t.matches(pod, ns_labels):
                        _bump(st.existing_anti, node, t.topology_key, 1)
        if pod.required_affinity or pod.required_anti_affinity:
            for node in snap.nodes:
                for existing in node.pods.values():
                    if pod.required_affinity and _matches_all(pod.required_affinity, existing, ns_labels):
                        for t in pod.required_affinity:
                            _bump(st.affinity, node, t.topology_key, 1)
                    for t in pod.required_anti_affinity:
                        if t.matches(existing, ns_labels):
                            _bump(st.anti, node, t.topology_key, 1)
        state.data[_FILTER_KEY] = st
        return True

    def filter(self, state: CycleState, pod: PodInfo, node: Any) -> Status | None:
        st: _FilterState = state.data[_FILTER_KEY]
        labels = node.labels
        # satisfyPodAffinity
        pods_exist = True
        for t in pod.required_affinity:
            value = labels.get(t.topology_key)
            if value is None:
                return Status(UNSCHEDULABLE_AND_UNRESOLVABLE, ERR_REASON_AFFINITY_RULES_NOT_MATCH)
            if st.affinity.get((t.topology_key, value), 0) <= 0:
                pods_exist = False
        if not pods_exist and not (
            not any(v > 0 for v in st.affinity.values())
            and _matches_all(pod.required_affinity, pod, state.snapshot.ns_labels)
        ):
            return Status(UNSCHEDULABLE_AND_UNRESOLVABLE, ERR_REASON_AFFINITY_RULES_NOT_MATCH)
        # satisfyPodAntiAffinity
        for t in pod.required_anti_affinity:
            value = labels.get(t.topology_key)
            if value is not None and st.anti.get((t.topology_key, value), 0) > 0:
                return Status(UNSCHEDULABLE, ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH)
        # satisfyExistingPodsAntiAffinity
        if st.existing_anti:
            for k, v in labels.items():
                if st.existing_anti.get((k, v), 0) > 0:
                    return Status(UNSCHEDULABLE, ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH)
        return None

    # -- score ----------------------------------------------------------------------------
    def pre_score(self, state: CycleState, pod: PodInfo, nodes: list[Any]) -> bool:
        snap = state.snapshot
        has_constraints = bool(pod.preferred_affinity or pod.preferred_anti_affinity)
        all_nodes = snap.nodes if has_constraints else snap.nodes_with_affinity()
        if not all_nodes:
            return False
        ns_labels = snap.ns_labels
        scores: dict[str, dict[str, int]] = {}

        def add(term: AffinityTerm, weight: int, target: PodInfo, node: Any) -> None:
            if term.matches(target, ns_labels):
                value = node.labels.get(term.topology_key)
                if value is not None:
                    by_value = scores.setdefault(term.topology_key, {})
                    by_value[value] = by_value.get(value, 0) + weight

        for node in all_nodes:
            if not node.labels:
                continue
            for existing in node.pods.values():
                if not has_constraints and not existing.has_affinity:
                    continue
                for t in pod.preferred_affinity:
                    add(t, t.weight, existing, node)
                for t in pod.preferred_anti_affinity:
                    add(t, -t.weight, existing, node)
                for t in existing.required_affinity:
                    add(t, HARD_POD_AFFINITY_WEIGHT, pod, node)
                for t in existing.preferred_affinity:
                    add(t, t.weight, pod, node)
                for t in existing.preferred_anti_affinity:
                    add(t, -t.weight, pod, node)
        if not scores:
            return False
        state.data[_SCORE_KEY] = scores
        return True

    def score_nodes(self, state: CycleState, pod: PodInfo, nodes: list[Any]) -> list[int]:
        scores: dict[str, dict[str, int]] = state.data[_SCORE_KEY]
        out = []
        for n in nodes:
            total = 0
            for key, by_value in scores.items():
                value = n.labels.get(key)
                if value is not None:
                    total += by_value.get(value, 0)
            out.append(total)
        return out

    def normalize(self, state: CycleState, pod: PodInfo, nodes: list[Any], scores: list[int]) -> None:
        if not scores:
            return
        lo, hi = min(scores), max(scores)
        diff = hi - lo
        scores[:] = [int(100 * ((s - lo) / diff)) if diff > 0 else 0 for s in scores]
