"""Resource quantities and scheduling constraints for pod specs.

Sized against the reference nodes (cpu "4", memory "8Gi", zones a/b/c): a few replicas of
the larger requests, a hostname anti-affinity or a spread constraint with more replicas than
nodes are enough to produce Pending pods, which is what the scheduling invariants need to see.
Nothing here hard-codes node names; strategies that can pin pods to nodes take ``node_names``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from kconform.strategies._common import ABSENT_ZONE, ARCH_KEY, HOSTNAME_KEY, OS_KEY, ZONE_KEY, ZONES
from kconform.strategies.names import label_selectors_for

# First element of each pool is the shrink target.
CPU_MILLIS = (100, 10, 50, 250, 500, 750, 1000, 1500, 2000)
MEMORY_MEBIBYTES = (64, 16, 32, 128, 256, 512, 1024, 2048)


def format_cpu(millis: int) -> str:
    """``1000`` → ``"1"``, ``250`` → ``"250m"`` (the canonical forms the API server prints)."""
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


def format_memory(mebibytes: int) -> str:
    """``1024`` → ``"1Gi"``, ``64`` → ``"64Mi"``."""
    return f"{mebibytes // 1024}Gi" if mebibytes % 1024 == 0 else f"{mebibytes}Mi"


def quantities_cpu() -> SearchStrategy[str]:
    """CPU quantities from ``"10m"`` to ``"2"``."""
    return st.sampled_from(CPU_MILLIS).map(format_cpu)


def quantities_memory() -> SearchStrategy[str]:
    """Memory quantities from ``"16Mi"`` to ``"2Gi"``."""
    return st.sampled_from(MEMORY_MEBIBYTES).map(format_memory)


@st.composite
def resources(draw: st.DrawFn) -> dict[str, Any]:
    """Container ``resources``: requests for cpu and/or memory, sometimes limits ≥ requests.

    A limit is never set without its request (the API server would copy the limit into the
    request, which makes the drawn manifest differ from the stored one).
    """
    kinds = draw(st.sampled_from((("cpu", "memory"), ("cpu",), ("memory",))))
    requests: dict[str, str] = {}
    limits: dict[str, str] = {}
    with_limits = draw(st.booleans())
    for kind in kinds:
        pool, fmt = (CPU_MILLIS, format_cpu) if kind == "cpu" else (MEMORY_MEBIBYTES, format_memory)
        request = draw(st.sampled_from(pool))
        requests[kind] = fmt(request)
        if with_limits:
            limit = draw(st.sampled_from(sorted(v for v in pool if v >= request)))
            limits[kind] = fmt(limit)
    result: dict[str, Any] = {"requests": requests}
    if limits:
        result["limits"] = limits
    return result


def _toleration_seconds() -> SearchStrategy[int]:
    return st.sampled_from((5, 0, 30, 60))


def _one_toleration() -> SearchStrategy[dict[str, Any]]:
    taint_based = st.builds(
        lambda key, seconds: {
            "key": key,
            "operator": "Exists",
            "effect": "NoExecute",
            "tolerationSeconds": seconds,
        },
        st.sampled_from(("node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready")),
        _toleration_seconds(),
    )
    return st.one_of(
        taint_based,
        st.just({"key": "kconform.io/dedicated", "operator": "Equal", "value": "a", "effect": "NoSchedule"}),
        st.just({"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}),
        # Tolerates every taint, as DaemonSet-style system pods do.
        st.just({"operator": "Exists"}),
    )


def tolerations() -> SearchStrategy[list[dict[str, Any]]]:
    """One or two tolerations: short NoExecute tolerationSeconds for node faults, NoSchedule, or all."""
    return st.lists(
        _one_toleration(),
        min_size=1,
        max_size=2,
        unique_by=lambda t: (t.get("key"), t.get("effect")),
    )


def node_selectors(
    node_names: Sequence[str] | None = None, *, satisfiable: bool = False
) -> SearchStrategy[dict[str, str]]:
    """A ``nodeSelector``: os, arch, a zone, a node's hostname, or (unless ``satisfiable``) an absent zone."""
    choices: list[SearchStrategy[dict[str, str]]] = [
        st.just({OS_KEY: "linux"}),
        st.sampled_from(ZONES).map(lambda zone: {ZONE_KEY: zone}),
        st.just({ARCH_KEY: "amd64"}),
    ]
    if node_names:
        choices.append(st.sampled_from(list(node_names)).map(lambda node: {HOSTNAME_KEY: node}))
    if not satisfiable:
        choices.append(st.just({ZONE_KEY: ABSENT_ZONE}))
    return st.one_of(choices)


def _node_selector_requirements(
    node_names: Sequence[str] | None, *, satisfiable: bool
) -> SearchStrategy[dict[str, Any]]:
    choices: list[SearchStrategy[dict[str, Any]]] = [
        st.lists(st.sampled_from(ZONES), min_size=1, max_size=2, unique=True).map(
            lambda zones: {"key": ZONE_KEY, "operator": "In", "values": sorted(zones)}
        ),
        st.sampled_from(ZONES).map(lambda zone: {"key": ZONE_KEY, "operator": "NotIn", "values": [zone]}),
        st.just({"key": ARCH_KEY, "operator": "In", "values": ["amd64"]}),
        st.just({"key": OS_KEY, "operator": "Exists"}),
    ]
    if node_names:
        nodes = sorted(set(node_names))
        choices.append(
            st.lists(st.sampled_from(nodes), min_size=1, max_size=min(2, len(nodes)), unique=True).map(
                lambda chosen: {"key": HOSTNAME_KEY, "operator": "In", "values": sorted(chosen)}
            )
        )
    if not satisfiable:
        choices.append(st.just({"key": ZONE_KEY, "operator": "In", "values": [ABSENT_ZONE]}))
    return st.one_of(choices)


@st.composite
def node_affinities(
    draw: st.DrawFn, node_names: Sequence[str] | None = None, *, satisfiable: bool = False
) -> dict[str, Any]:
    """A ``nodeAffinity`` value (for ``affinity.nodeAffinity``): required and/or preferred terms."""
    requirement = _node_selector_requirements(node_names, satisfiable=satisfiable)
    shape = draw(st.sampled_from(("required", "preferred", "both")))
    affinity: dict[str, Any] = {}
    if shape in ("required", "both"):
        affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {
            "nodeSelectorTerms": [{"matchExpressions": [draw(requirement)]}]
        }
    if shape in ("preferred", "both"):
        weight = draw(st.integers(1, 100))
        affinity["preferredDuringSchedulingIgnoredDuringExecution"] = [
            {"weight": weight, "preference": {"matchExpressions": [draw(requirement)]}}
        ]
    return affinity


def topology_spread_constraints(labels: Mapping[str, str]) -> SearchStrategy[list[dict[str, Any]]]:
    """One or two ``topologySpreadConstraints`` over zone/hostname selecting pods with ``labels``."""
    constraint = st.builds(
        lambda skew, key, when, selector: {
            "maxSkew": skew,
            "topologyKey": key,
            "whenUnsatisfiable": when,
            "labelSelector": selector,
        },
        st.sampled_from((1, 2)),
        st.sampled_from((HOSTNAME_KEY, ZONE_KEY)),
        st.sampled_from(("DoNotSchedule", "ScheduleAnyway")),
        label_selectors_for(labels),
    )
    # The API server rejects two constraints with the same topologyKey and whenUnsatisfiable.
    return st.lists(
        constraint, min_size=1, max_size=2, unique_by=lambda c: (c["topologyKey"], c["whenUnsatisfiable"])
    )


@st.composite
def pod_anti_affinities(draw: st.DrawFn, labels: Mapping[str, str]) -> dict[str, Any]:
    """A ``podAntiAffinity`` value (for ``affinity.podAntiAffinity``) against pods with ``labels``.

    Required hostname anti-affinity with more replicas than nodes leaves pods Pending.
    """
    term = {
        "labelSelector": draw(label_selectors_for(labels)),
        "topologyKey": draw(st.sampled_from((HOSTNAME_KEY, ZONE_KEY))),
    }
    if draw(st.booleans()):
        return {"requiredDuringSchedulingIgnoredDuringExecution": [term]}
    weight = draw(st.integers(1, 100))
    return {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": weight, "podAffinityTerm": term}]}
