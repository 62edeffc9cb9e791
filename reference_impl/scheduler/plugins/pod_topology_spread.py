"""PodTopologySpread: ``topologySpreadConstraints`` as a filter (DoNotSchedule) and a score (ScheduleAnyway).

Follows ``pkg/scheduler/framework/plugins/podtopologyspread/{filtering,scoring,common}.go``.
Filter: over every node that has all the constraints' topology keys and passes the node
inclusion policies (nodeAffinityPolicy Honor and nodeTaintsPolicy Ignore by default), count
the matching, non-terminating pods of the pod's namespace per domain; a node is rejected when
``count(domain) + selfMatch - globalMin > maxSkew`` (globalMin is 0 while there are fewer
domains than ``minDomains``), or with "(missing required label)" when it lacks a key.
Score: per constraint ``count * log(domains + 2) + maxSkew - 1``, rounded, then normalised
so that the least crowded node gets 100 (nodes lacking a key get 0). Default weight 2.
``matchLabelKeys`` is honoured.

Left out: the system default constraints (hostname maxSkew 3, zone maxSkew 5 over the pod's
Services/ReplicaSets/StatefulSets, used when a pod has no constraints): a pod without
constraints is not spread by this plugin here.
"""

from __future__ import annotations

import math
from typing import Any

from reference_impl.scheduler.framework import (
    NODE_ADD,
    NODE_DELETE,
    NODE_UPDATE_LABEL,
    NODE_UPDATE_TAINT,
    POD_ADD,
    POD_DELETE,
    POD_UPDATE_LABEL,
    CycleState,
    Plugin,
)
from reference_impl.scheduler.plugins.taint_toleration import first_untolerated
from reference_impl.scheduler.types import (
    LABEL_HOSTNAME,
    UNSCHEDULABLE,
    UNSCHEDULABLE_AND_UNRESOLVABLE,
    PodInfo,
    SpreadConstraint,
    Status,
)

#: ``ErrReasonConstraintsNotMatch``
ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints"
#: ``ErrReasonNodeLabelNotMatch``
ERR_REASON_NODE_LABEL_NOT_MATCH = ERR_REASON_CONSTRAINTS_NOT_MATCH + " (missing required label)"

_FILTER_KEY = "PodTopologySpread/filter"
_SCORE_KEY = "PodTopologySpread/score"


def count_matching(node: Any, c: SpreadConstraint, namespace: str) -> int:
    """``countPodsMatchSelector``: terminating pods and other namespaces do not count."""
    if c.selector.empty:
        return 0
    sel = c.selector
    return sum(1 for p in node.pods.values() if not p.terminating and p.namespace == namespace and sel.matches(p.labels))


def _included(c: SpreadConstraint, pod: PodInfo, node: Any) -> bool:
    """``matchNodeInclusionPolicies``."""
    if c.honor_affinity and not pod.matches_node_selector_and_affinity(node.labels, node.name):
        return False
    return not (c.honor_taints and first_untolerated(node.hard_taints, pod.tolerations) is not None)


def _has_keys(node: Any, constraints: list[SpreadConstraint]) -> bool:
    labels = node.labels
    return all(c.topology_key in labels for c in constraints)


class _FilterState:
    def __init__(self, constraints: list[SpreadConstraint]) -> None:
        self.constraints = constraints
        self.counts: list[dict[str, int]] = [{} for _ in constraints]  # per constraint: domain -> pods
        self.min_match: list[int] = []


class PodTopologySpread(Plugin):
    name = "PodTopologySpread"
    weight = 2
    is_filter = True
    is_score = True
    events = frozenset(
        {POD_ADD, POD_UPDATE_LABEL, POD_DELETE, NODE_ADD, NODE_DELETE, NODE_UPDATE_LABEL, NODE_UPDATE_TAINT}
    )

    # -- filter ---------------------------------------------------------------------------
    def pre_filter(self, state: CycleState, pod: PodInfo) -> bool:
        hard = [c for c in pod.spread if c.when == "DoNotSchedule"]
        if not hard:
            return False
        st = _FilterState(hard)
        for node in state.snapshot.nodes:
            if not _has_keys(node, hard):
                continue
            for i, c in enumerate(hard):
                if not _included(c, pod, node):
                    continue
                value = node.labels[c.topology_key]
                st.counts[i][value] = st.counts[i].get(value, 0) + count_matching(node, c, pod.namespace)
        for i, c in enumerate(hard):
            domains = st.counts[i]
            if len(domains) < c.min_domains:
                st.min_match.append(0)
            else:
                st.min_match.append(min(domains.values(), default=0))
        state.data[_FILTER_KEY] = st
        return True

    def filter(self, state: CycleState, pod: PodInfo, node: Any) -> Status | None:
        st: _FilterState = state.data[_FILTER_KEY]
        for i, c in enumerate(st.constraints):
            value = node.labels.get(c.topology_key)
            if value is None:
                return Status(UNSCHEDULABLE_AND_UNRESOLVABLE, ERR_REASON_NODE_LABEL_NOT_MATCH)
            self_match = 1 if c.selector.matches(pod.labels) else 0
            skew = st.counts[i].get(value, 0) + self_match - st.min_match[i]
            if skew > c.max_skew:
                return Status(UNSCHEDULABLE, ERR_REASON_CONSTRAINTS_NOT_MATCH)
        return None

    # -- score ----------------------------------------------------------------------------
    def pre_score(self, state: CycleState, pod: PodInfo, nodes: list[Any]) -> bool:
        soft = [c for c in pod.spread if c.when == "ScheduleAnyway"]
        if not soft:
            return False
        ignored = {n.name for n in nodes if not _has_keys(n, soft)}
        pair_counts: list[dict[str, int]] = [{} for _ in soft]
        for n in nodes:
            if n.name in ignored:
                continue
            for i, c in enumerate(soft):
                if c.topology_key != LABEL_HOSTNAME:
                    pair_counts[i].setdefault(n.labels[c.topology_key], 0)
        weights = []
        for i, c in enumerate(soft):
            size = len(nodes) - len(ignored) if c.topology_key == LABEL_HOSTNAME else len(pair_counts[i])
            weights.append(math.log(size + 2))
        for node in state.snapshot.nodes:
            if not _has_keys(node, soft):
                continue
            for i, c in enumerate(soft):
                if c.topology_key == LABEL_HOSTNAME or not _included(c, pod, node):
                    continue
                value = node.labels[c.topology_key]
                if value in pair_counts[i]:
                    pair_counts[i][value] += count_matching(node, c, pod.namespace)
        state.data[_SCORE_KEY] = (soft, ignored, pair_counts, weights)
        return True

    def score_nodes(self, state: CycleState, pod: PodInfo, nodes: list[Any]) -> list[int]:
        soft, ignored, pair_counts, weights = state.data[_SCORE_KEY]
        out = []
        for n in nodes:
            if n.name in ignored:
                out.append(0)
                continue
            score = 0.0
            for i, c in enumerate(soft):
                value = n.labels.get(c.topology_key)
                if value is None:
                    continue
                if c.topology_key == LABEL_HOSTNAME:
                    cnt = count_matching(n, c, pod.namespace)
                else:
                    cnt = pair_counts[i].get(value, 0)
                score += cnt * weights[i] + (c.max_skew - 1)
            out.append(_round_half_away(score))
        return out

    def normalize(self, state: CycleState, pod: PodInfo, nodes: list[Any], scores: list[int]) -> None:
        _soft, ignored, _pc, _w = state.data[_SCORE_KEY]
        valid = [s for n, s in zip(nodes, scores) if n.name not in ignored]
        if not valid:
            scores[:] = [0] * len(scores)
            return
        lo, hi = min(valid), max(valid)
        for i, n in enumerate(nodes):
            if n.name in ignored:
                scores[i] = 0
            elif hi == 0:
                scores[i] = 100
            else:
                scores[i] = 100 * (hi + lo - scores[i]) // hi


def _round_half_away(x: float) -> int:
    """Go's ``math.Round`` (half away from zero), not Python's banker's rounding."""
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)
