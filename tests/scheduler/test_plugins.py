"""Per-plugin tables: (pod, nodes) -> each node's verdict and reason, and normalised scores."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.scheduler.framework import default_normalize_score, fit_error_message
from reference_impl.scheduler.plugins import REGISTRY
from reference_impl.scheduler.plugins.inter_pod_affinity import (
    ERR_REASON_AFFINITY_RULES_NOT_MATCH,
    ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH,
    ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH,
)
from reference_impl.scheduler.plugins.node_affinity import ERR_REASON_POD
from reference_impl.scheduler.plugins.node_name import ERR_REASON as NODE_NAME_REASON
from reference_impl.scheduler.plugins.node_ports import ERR_REASON as PORTS_REASON
from reference_impl.scheduler.plugins.node_unschedulable import ERR_REASON_UNSCHEDULABLE
from reference_impl.scheduler.plugins.pod_topology_spread import (
    ERR_REASON_CONSTRAINTS_NOT_MATCH,
    ERR_REASON_NODE_LABEL_NOT_MATCH,
)
from reference_impl.scheduler.scheduler import num_feasible_nodes_to_find
from reference_impl.scheduler.types import UNSCHEDULABLE, UNSCHEDULABLE_AND_UNRESOLVABLE, PodInfo, Status

from .helpers import infos, node, pod, run_filter, run_score

U, UR = UNSCHEDULABLE, UNSCHEDULABLE_AND_UNRESOLVABLE
ZONE = "topology.kubernetes.io/zone"


def test_reason_texts_are_upstreams() -> None:
    assert ERR_REASON_UNSCHEDULABLE == "node(s) were unschedulable"
    assert NODE_NAME_REASON == "node(s) didn't match the requested node name"
    assert ERR_REASON_POD == "node(s) didn't match Pod's node affinity/selector"
    assert PORTS_REASON == "node(s) didn't have free ports for the requested pod ports"
    assert ERR_REASON_CONSTRAINTS_NOT_MATCH == "node(s) didn't match pod topology spread constraints"
    assert ERR_REASON_AFFINITY_RULES_NOT_MATCH == "node(s) didn't match pod affinity rules"
    assert ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH == "node(s) didn't match pod anti-affinity rules"
    assert ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH == "node(s) didn't satisfy existing pods anti-affinity rules"


def _web(name: str, node_name: str, **kw: Any) -> dict[str, Any]:
    return pod(name, labels={"app": "web"}, node_name=node_name, **kw)


def _db(name: str, node_name: str, **kw: Any) -> dict[str, Any]:
    return pod(name, labels={"app": "db"}, node_name=node_name, **kw)


def _term(app: str, key: str = "kubernetes.io/hostname") -> dict[str, Any]:
    return {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": key}


UNREACHABLE = {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute"}
CONTROL_PLANE = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
SPREAD_WEB = {"maxSkew": 1, "topologyKey": ZONE, "whenUnsatisfiable": "DoNotSchedule",
              "labelSelector": {"matchLabels": {"app": "web"}}}
THREE_ZONES = [node(f"n-{z}", labels={ZONE: z}) for z in "abc"]

# (id, plugin, pod, nodes, existing pods, {node: None | (code, reasons)})
FILTER_CASES: list[tuple[str, str, dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]] = [
    ("cordoned", "NodeUnschedulable", pod(), [node("a", unschedulable=True), node("b")], [],
     {"a": (UR, (ERR_REASON_UNSCHEDULABLE,)), "b": None}),
    ("cordon tolerated", "NodeUnschedulable",
     pod(tolerations=[{"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}]),
     [node("a", unschedulable=True)], [], {"a": None}),
    ("node name", "NodeName", pod(nodeName="b"), [node("a"), node("b")], [],
     {"a": (UR, (NODE_NAME_REASON,)), "b": None}),
    ("untolerated unreachable", "TaintToleration", pod(), [node("a", taints=[UNREACHABLE]), node("b")], [],
     {"a": (UR, ("node(s) had untolerated taint {node.kubernetes.io/unreachable: }",)), "b": None}),
    ("first untolerated taint, with value", "TaintToleration",
     pod(tolerations=[{"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}]),
     [node("a", taints=[{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"},
                        {"key": "team", "value": "x", "effect": "NoSchedule"}])], [],
     {"a": (UR, ("node(s) had untolerated taint {team: x}",))}),
    ("PreferNoSchedule does not filter", "TaintToleration", pod(),
     [node("a", taints=[{"key": "k", "effect": "PreferNoSchedule"}])], [], {"a": None}),
    ("tolerate everything", "TaintToleration", pod(tolerations=[{"operator": "Exists"}]),
     [node("a", taints=[UNREACHABLE, CONTROL_PLANE])], [], {"a": None}),
    ("nodeSelector", "NodeAffinity", pod(nodeSelector={"disk": "ssd"}),
     [node("a", labels={"disk": "ssd"}), node("b", labels={"disk": "hdd"})], [],
     {"a": None, "b": (UR, (ERR_REASON_POD,))}),
    ("required affinity Gt and NotIn", "NodeAffinity",
     pod(affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
         {"matchExpressions": [{"key": "gen", "operator": "Gt", "values": ["3"]},
                               {"key": "zone", "operator": "NotIn", "values": ["x"]}]}]}}}),
     [node("a", labels={"gen": "4"}), node("b", labels={"gen": "3"}), node("c", labels={"gen": "5", "zone": "x"})],
     [], {"a": None, "b": (UR, (ERR_REASON_POD,)), "c": (UR, (ERR_REASON_POD,))}),
    ("terms are ORed; matchFields by name", "NodeAffinity",
     pod(affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
         {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["b"]}]},
         {"matchExpressions": [{"key": "gpu", "operator": "Exists"}]}]}}}),
     [node("a"), node("b"), node("c", labels={"gpu": "1"})], [],
     {"a": (UR, (ERR_REASON_POD,)), "b": None, "c": None}),
    ("hostPort taken", "NodePorts", pod(containers=[{"name": "c", "ports": [{"containerPort": 80, "hostPort": 8080}]}]),
     [node("a"), node("b")], [pod("x", node_name="a", containers=[{"name": "c", "ports": [{"containerPort": 1, "hostPort": 8080}]}])],
     {"a": (U, (PORTS_REASON,)), "b": None}),
    ("other protocol is free", "NodePorts",
     pod(containers=[{"name": "c", "ports": [{"containerPort": 80, "hostPort": 8080, "protocol": "UDP"}]}]),
     [node("a")], [pod("x", node_name="a", containers=[{"name": "c", "ports": [{"containerPort": 1, "hostPort": 8080}]}])],
     {"a": None}),
    ("specific IP against 0.0.0.0", "NodePorts",
     pod(containers=[{"name": "c", "ports": [{"containerPort": 80, "hostPort": 8080, "hostIP": "10.0.0.1"}]}]),
     [node("a")], [pod("x", node_name="a", containers=[{"name": "c", "ports": [{"containerPort": 1, "hostPort": 8080}]}])],
     {"a": (U, (PORTS_REASON,))}),
    ("cpu over allocatable is unresolvable", "NodeResourcesFit", pod(cpu="5"), [node("a")], [],
     {"a": (UR, ("Insufficient cpu",))}),
    ("cpu taken is resolvable", "NodeResourcesFit", pod(cpu="2"), [node("a"), node("b")], [pod("x", cpu="3", node_name="a")],
     {"a": (U, ("Insufficient cpu",)), "b": None}),
    ("every reason kept", "NodeResourcesFit", pod(cpu="2", memory="6Gi"), [node("a", pods="1")],
     [pod("x", cpu="3", memory="4Gi", node_name="a")],
     {"a": (U, ("Too many pods", "Insufficient cpu", "Insufficient memory"))}),
    ("init container max rule", "NodeResourcesFit",
     pod(cpu="1", initContainers=[{"name": "i", "resources": {"requests": {"cpu": "3"}}}]),
     [node("a"), node("b")], [pod("x", cpu="2", node_name="a")],
     {"a": (U, ("Insufficient cpu",)), "b": None}),
    ("overhead counts", "NodeResourcesFit", pod(cpu="1", overhead={"cpu": "500m"}), [node("a")],
     [pod("x", cpu="2600m", node_name="a")], {"a": (U, ("Insufficient cpu",))}),
    ("spread maxSkew 1 over zones", "PodTopologySpread",
     pod(labels={"app": "web"}, topologySpreadConstraints=[SPREAD_WEB]),
     [*THREE_ZONES, node("nolabel")],
     [_web("w1", "n-a"), _web("w2", "n-a"), _web("w3", "n-b"), _db("d1", "n-c")],
     {"n-a": (U, (ERR_REASON_CONSTRAINTS_NOT_MATCH,)), "n-b": (U, (ERR_REASON_CONSTRAINTS_NOT_MATCH,)),
      "n-c": None, "nolabel": (UR, (ERR_REASON_NODE_LABEL_NOT_MATCH,))}),
    ("spread ignores terminating pods", "PodTopologySpread",
     pod(labels={"app": "web"}, topologySpreadConstraints=[SPREAD_WEB]), THREE_ZONES[:2],
     [{**_web("w1", "n-a"), "metadata": {"name": "w1", "namespace": "default", "labels": {"app": "web"},
                                          "deletionTimestamp": "2026-01-01T00:00:00Z"}}],
     {"n-a": None, "n-b": None}),
    ("required affinity", "InterPodAffinity",
     pod(affinity={"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [_term("db")]}}),
     [node("a"), node("b")], [_db("d", "a")],
     {"a": None, "b": (UR, (ERR_REASON_AFFINITY_RULES_NOT_MATCH,))}),
    ("first pod of a self-affine group", "InterPodAffinity",
     pod(labels={"app": "web"}, affinity={"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [_term("web")]}}),
     [node("a"), node("b")], [], {"a": None, "b": None}),
    ("required anti-affinity", "InterPodAffinity",
     pod(affinity={"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [_term("db")]}}),
     [node("a"), node("b")], [_db("d", "a")],
     {"a": (U, (ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH,)), "b": None}),
    ("existing pod's anti-affinity", "InterPodAffinity", pod(labels={"app": "web"}),
     [node("a"), node("b")],
     [_db("d", "a", affinity={"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [_term("web")]}})],
     {"a": (U, (ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH,)), "b": None}),
    ("anti-affinity in another namespace does not apply", "InterPodAffinity",
     pod(ns="other", affinity={"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [_term("db")]}}),
     [node("a")], [_db("d", "a")], {"a": None}),
]


@pytest.mark.parametrize(("plugin", "p", "nodes", "existing", "want"),
                         [c[1:] for c in FILTER_CASES], ids=[c[0] for c in FILTER_CASES])
def test_filter(plugin: str, p: dict[str, Any], nodes: list[dict[str, Any]], existing: list[dict[str, Any]],
                want: dict[str, Any]) -> None:
    got = run_filter(REGISTRY[plugin](), p, infos(*nodes, pods=existing))
    assert {k: None if v is None else (v.code, v.reasons) for k, v in got.items()} == want


PNS = {"key": "k", "effect": "PreferNoSchedule"}
PREFERRED_NODE = {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
    {"weight": 5, "preference": {"matchExpressions": [{"key": ZONE, "operator": "In", "values": ["a"]}]}},
    {"weight": 3, "preference": {"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]}}]}}

# (id, plugin, pod, nodes, existing pods, normalised scores or None for Skip)
SCORE_CASES: list[tuple[str, str, dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], list[int] | None]] = [
    ("least allocated, default requests", "NodeResourcesFit", pod(), [node("a"), node("b")],
     [pod("x", cpu="2", node_name="b")], [97, 71]),
    ("least allocated, requests", "NodeResourcesFit", pod(cpu="1", memory="2Gi"), [node("a"), node("b", cpu="8", memory="16Gi")],
     [], [75, 87]),
    ("balanced", "NodeResourcesBalancedAllocation", pod(cpu="1", memory="1Gi"), [node("a"), node("b")],
     [pod("x", cpu="1", memory="3Gi", node_name="b")], [93, 100]),
    ("prefer-no-schedule taints, reversed", "TaintToleration", pod(),
     [node("a"), node("b", taints=[PNS]), node("c", taints=[PNS, {**PNS, "key": "k2"}])], [], [100, 50, 0]),
    ("tolerated preference costs nothing", "TaintToleration",
     pod(tolerations=[{"key": "k", "operator": "Exists", "effect": "PreferNoSchedule"}]),
     [node("a"), node("b", taints=[PNS])], [], [100, 100]),
    ("preferred node affinity", "NodeAffinity", pod(affinity=PREFERRED_NODE),
     [node("x", labels={ZONE: "a", "disk": "ssd"}), node("y", labels={ZONE: "a"}), node("z")], [], [100, 62, 0]),
    ("no preferred terms: skip", "NodeAffinity", pod(), [node("x")], [], None),
    ("soft spread", "PodTopologySpread",
     pod(labels={"app": "web"}, topologySpreadConstraints=[{**SPREAD_WEB, "whenUnsatisfiable": "ScheduleAnyway"}]),
     THREE_ZONES, [_web("w1", "n-a"), _web("w2", "n-a"), _web("w3", "n-b")], [0, 33, 100]),
    ("preferred pod affinity", "InterPodAffinity",
     pod(affinity={"podAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
         {"weight": 10, "podAffinityTerm": _term("db")}]}}),
     [node("a"), node("b")], [_db("d", "a")], [100, 0]),
    ("preferred pod anti-affinity", "InterPodAffinity",
     pod(affinity={"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
         {"weight": 10, "podAffinityTerm": _term("db")}]}}),
     [node("a"), node("b")], [_db("d", "a")], [0, 100]),
    ("no affinity anywhere: skip", "InterPodAffinity", pod(), [node("a")], [], None),
]


@pytest.mark.parametrize(("plugin", "p", "nodes", "existing", "want"),
                         [c[1:] for c in SCORE_CASES], ids=[c[0] for c in SCORE_CASES])
def test_score(plugin: str, p: dict[str, Any], nodes: list[dict[str, Any]], existing: list[dict[str, Any]],
               want: list[int] | None) -> None:
    assert run_score(REGISTRY[plugin](), p, infos(*nodes, pods=existing)) == want


@pytest.mark.parametrize(
    ("spec", "cpu_m", "nz_cpu_m"),
    [
        ({"containers": [{"name": "a"}]}, 0, 100),
        ({"containers": [{"name": "a", "resources": {"requests": {"cpu": "250m"}}}, {"name": "b"}]}, 250, 350),
        ({"containers": [{"name": "a", "resources": {"requests": {"cpu": "1"}}}],
          "initContainers": [{"name": "i", "resources": {"requests": {"cpu": "2"}}}]}, 2000, 2000),
        # a sidecar adds to the sum and to every later init container
        ({"containers": [{"name": "a", "resources": {"requests": {"cpu": "1"}}}],
          "initContainers": [{"name": "s", "restartPolicy": "Always", "resources": {"requests": {"cpu": "500m"}}},
                             {"name": "i", "resources": {"requests": {"cpu": "1700m"}}}]}, 2200, 2200),
        ({"containers": [{"name": "a", "resources": {"requests": {"cpu": "1"}}}], "overhead": {"cpu": "250m"}}, 1250, 1250),
    ],
)
def test_pod_requests(spec: dict[str, Any], cpu_m: int, nz_cpu_m: int) -> None:
    pi = PodInfo({"metadata": {"name": "p", "namespace": "d"}, "spec": spec})
    assert (pi.req_cpu, pi.nz_cpu) == (cpu_m, nz_cpu_m)


@pytest.mark.parametrize(("nodes", "want"), [(3, 3), (99, 99), (100, 100), (1000, 420), (5000, 500), (6000, 300),
                                             (20000, 1000)])
def test_num_feasible_nodes_to_find(nodes: int, want: int) -> None:
    assert num_feasible_nodes_to_find(0, nodes) == want


def test_fit_error_message_counts_and_sorts() -> None:
    st = {
        "a": Status(UR, "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"),
        "b": Status(U, "Insufficient cpu", "Insufficient memory"),
        "c": Status(U, "Insufficient cpu"),
    }
    assert fit_error_message(3, st) == (
        "0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint "
        "{node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu."
    )


@pytest.mark.parametrize(("raw", "reverse", "want"), [([0, 0], True, [100, 100]), ([0, 0], False, [0, 0]),
                                                      ([1, 3], False, [33, 100]), ([1, 3], True, [67, 0])])
def test_default_normalize_score(raw: list[int], reverse: bool, want: list[int]) -> None:
    default_normalize_score(raw, reverse=reverse)
    assert raw == want
