"""Plain-dict builders and a tiny snapshot for plugin tests (no API server involved)."""

from __future__ import annotations

from typing import Any

from reference_impl.scheduler.framework import CycleState, Plugin, Snapshot
from reference_impl.scheduler.types import NodeInfo, PodInfo, Status

Obj = dict[str, Any]


def node(
    name: str,
    *,
    cpu: str = "4",
    memory: str = "8Gi",
    pods: str = "110",
    labels: dict[str, str] | None = None,
    taints: list[Obj] | None = None,
    unschedulable: bool = False,
) -> Obj:
    return {
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
        "spec": {"taints": taints or [], "unschedulable": unschedulable},
        "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": pods}},
    }


def pod(
    name: str = "p",
    *,
    ns: str = "default",
    labels: dict[str, str] | None = None,
    cpu: str | None = None,
    memory: str | None = None,
    node_name: str = "",
    priority: int = 0,
    **spec: Any,
) -> Obj:
    req = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
    container: Obj = {"name": "app", "image": "pause"}
    if req:
        container["resources"] = {"requests": req}
    body: Obj = {"containers": [container], "priority": priority, **spec}
    if node_name:
        body["nodeName"] = node_name
    return {"metadata": {"name": name, "namespace": ns, "labels": labels or {}}, "spec": body}


def infos(*nodes: Obj, pods: list[Obj] | None = None) -> list[NodeInfo]:
    out = {}
    for n in nodes:
        info = NodeInfo(n["metadata"]["name"])
        info.set_node(n)
        out[info.name] = info
    for p in pods or []:
        out[p["spec"]["nodeName"]].add_pod(PodInfo(p))
    return list(out.values())


def state_for(nodes: list[NodeInfo], ns_labels: dict[str, dict[str, str]] | None = None) -> CycleState:
    labels = ns_labels or {}
    return CycleState(
        Snapshot(
            nodes,
            lambda ns: labels.get(ns, {}),
            nodes_with_affinity=lambda: [n for n in nodes if n.pods_with_affinity],
            nodes_with_required_anti_affinity=lambda: [n for n in nodes if n.pods_with_required_anti_affinity],
        )
    )


def run_filter(plugin: Plugin, p: Obj, nodes: list[NodeInfo]) -> dict[str, Status | None]:
    """Each node's verdict (None = passes); a plugin that Skips passes every node."""
    state = state_for(nodes)
    pi = PodInfo(p)
    if not plugin.pre_filter(state, pi):
        return {n.name: None for n in nodes}
    batch_failed: dict[str, Status] = {}
    passed = plugin.filter_nodes(state, pi, nodes, batch_failed)
    one_by_one = {n.name: plugin.filter(state, pi, n) for n in nodes}
    # the batch path must agree with the per-node path
    assert {n.name for n in passed} == {k for k, v in one_by_one.items() if v is None}
    assert batch_failed == {k: v for k, v in one_by_one.items() if v is not None}
    return one_by_one


def run_score(plugin: Plugin, p: Obj, nodes: list[NodeInfo]) -> list[int] | None:
    """Normalised scores, or None when the plugin Skips."""
    state = state_for(nodes)
    pi = PodInfo(p)
    if plugin.is_filter:
        plugin.pre_filter(state, pi)
    if not plugin.pre_score(state, pi, nodes):
        return None
    scores = plugin.score_nodes(state, pi, nodes)
    plugin.normalize(state, pi, nodes, scores)
    return scores
