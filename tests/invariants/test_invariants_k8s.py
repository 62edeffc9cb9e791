"""Tables for the oracle's own Kubernetes helpers (quantities, selectors, affinity, taints, ...).

These helpers are the oracle's independent reading of upstream semantics; each row is a fact
from the upstream helper named in ``kconform/invariants/_k8s.py``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from kconform.invariants import _k8s as k


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("100m", Fraction(1, 10)),
        ("1", Fraction(1)),
        ("0.5", Fraction(1, 2)),
        ("1.5", Fraction(3, 2)),
        ("128Mi", 128 * 2**20),
        ("1Gi", 2**30),
        ("1G", 10**9),
        ("1k", 1000),
        ("1e3", 1000),
        ("1E3", 1000),
        ("2e-3", Fraction(2, 1000)),
        ("500u", Fraction(5, 10**4)),
        ("10n", Fraction(1, 10**8)),
        (".5", Fraction(1, 2)),
        (4, 4),
        ("110", 110),
    ],
)
def test_parse_quantity(text: str | int, value: Fraction | int) -> None:
    assert k.parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1Qi", "1 Gi", "--1", "1.2.3"])
def test_parse_quantity_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        k.parse_quantity(text)


@pytest.mark.parametrize(
    ("text", "millis"), [("100m", 100), ("1", 1000), ("0.5", 500), ("1.0001", 1001), ("250m", 250), ("1e-4", 1)]
)
def test_cpu_millis_rounds_up(text: str, millis: int) -> None:
    assert k.cpu_millis(text) == millis


@pytest.mark.parametrize(("millis", "text"), [(4000, "4"), (4500, "4500m"), (0, "0"), (100, "100m")])
def test_format_cpu(millis: int, text: str) -> None:
    assert k.format_cpu(millis) == text


LABELS = {"app": "web", "tier": "front", "gen": "5"}


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        (None, False),
        ({}, True),
        ({"matchLabels": {"app": "web"}}, True),
        ({"matchLabels": {"app": "db"}}, False),
        ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "back"]}]}, True),
        ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}, False),
        ({"matchExpressions": [{"key": "missing", "operator": "NotIn", "values": ["x"]}]}, True),
        ({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, True),
        ({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, False),
        ({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "x", "operator": "Exists"}]}, False),
    ],
)
def test_selector_matches(selector: dict[str, Any] | None, matches: bool) -> None:
    assert k.selector_matches(selector, LABELS) is matches


def _node(labels: dict[str, str], name: str = "node-1") -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": labels}}


def _affinity(*terms: dict[str, Any]) -> dict[str, Any]:
    return {"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": list(terms)}}}}


@pytest.mark.parametrize(
    ("pod_spec", "matches"),
    [
        ({}, True),
        ({"nodeSelector": {"zone": "a"}}, True),
        ({"nodeSelector": {"zone": "b"}}, False),
        (_affinity({"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}), True),
        (_affinity({"matchExpressions": [{"key": "zone", "operator": "In", "values": ["b"]}]},
                   {"matchExpressions": [{"key": "cpus", "operator": "Gt", "values": ["2"]}]}), True),
        (_affinity({"matchExpressions": [{"key": "cpus", "operator": "Lt", "values": ["4"]}]}), False),
        (_affinity({"matchExpressions": [{"key": "zone", "operator": "Gt", "values": ["1"]}]}), False),
        (_affinity({"matchExpressions": [{"key": "gpu", "operator": "DoesNotExist"}]}), True),
        (_affinity({"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-1"]}]}), True),
        (_affinity({"matchFields": [{"key": "metadata.name", "operator": "NotIn", "values": ["node-1"]}]}), False),
        (_affinity({}), False),
        ({"nodeSelector": {"zone": "b"},
          **_affinity({"matchExpressions": [{"key": "zone", "operator": "Exists"}]})}, False),
    ],
)
def test_required_node_affinity(pod_spec: dict[str, Any], matches: bool) -> None:
    assert k.required_node_affinity_matches(pod_spec, _node({"zone": "a", "cpus": "4"})) is matches


TAINT = {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}


@pytest.mark.parametrize(
    ("toleration", "tolerates"),
    [
        ({"key": "dedicated", "operator": "Equal", "value": "gpu", "effect": "NoSchedule"}, True),
        ({"key": "dedicated", "value": "gpu"}, True),
        ({"key": "dedicated", "operator": "Equal", "value": "cpu"}, False),
        ({"key": "dedicated", "operator": "Exists"}, True),
        ({"key": "dedicated", "operator": "Exists", "effect": "NoExecute"}, False),
        ({"operator": "Exists"}, True),
        ({"operator": "Exists", "effect": "NoSchedule"}, True),
        ({"key": "other", "operator": "Exists"}, False),
    ],
)
def test_toleration_tolerates(toleration: dict[str, Any], tolerates: bool) -> None:
    assert k.toleration_tolerates(toleration, TAINT) is tolerates


def test_untolerated_taints_filters_by_effect() -> None:
    taints = [TAINT, {"key": "x", "effect": "PreferNoSchedule"}, {"key": "y", "effect": "NoExecute"}]
    assert k.untolerated_taints([], taints) == [TAINT, taints[2]]
    assert k.untolerated_taints([], taints, effects=("NoSchedule",)) == [TAINT]


@pytest.mark.parametrize(
    ("value", "total", "round_up", "resolved"),
    [
        ("25%", 10, True, 3),
        ("25%", 10, False, 2),
        ("25%", 1, True, 1),
        ("25%", 1, False, 0),
        (2, 10, True, 2),
        ("0%", 10, True, 0),
        (None, 4, True, 1),  # default 25%
    ],
)
def test_resolve_int_or_percent(value: int | str | None, total: int, round_up: bool, resolved: int) -> None:
    assert k.resolve_int_or_percent(value, total, round_up=round_up, default="25%") == resolved


def _c(cpu: str, memory: str = "0", **extra: Any) -> dict[str, Any]:
    return {"name": "c", "resources": {"requests": {"cpu": cpu, "memory": memory}}, **extra}


@pytest.mark.parametrize(
    ("pod_spec", "cpu", "memory"),
    [
        ({"containers": [_c("100m", "1Mi"), _c("200m", "1Mi")]}, 300, 2 * 2**20),
        ({"containers": [_c("100m")], "initContainers": [_c("1")]}, 1000, 0),
        ({"containers": [_c("2")], "initContainers": [_c("1")]}, 2000, 0),
        ({"containers": [_c("100m")], "overhead": {"cpu": "50m", "memory": "10Mi"}}, 150, 10 * 2**20),
        # a sidecar runs beside the regular containers and beside later init containers
        ({"containers": [_c("100m")],
          "initContainers": [_c("200m", restartPolicy="Always"), _c("1")]}, 1200, 0),
        ({"containers": [{"name": "c"}]}, 0, 0),
    ],
)
def test_pod_requests(pod_spec: dict[str, Any], cpu: int, memory: int) -> None:
    reqs = k.pod_requests({"spec": pod_spec})
    assert reqs.get("cpu", 0) == cpu
    assert reqs.get("memory", 0) == memory


def test_resolve_target_port() -> None:
    pod = {"spec": {"containers": [{"name": "c", "ports": [{"name": "http", "containerPort": 8080}]}]}}
    assert k.resolve_target_port(pod, {"port": 80, "targetPort": "http"}) == 8080
    assert k.resolve_target_port(pod, {"port": 80, "targetPort": "grpc"}) is None
    assert k.resolve_target_port(pod, {"port": 80, "targetPort": 9090}) == 9090
    assert k.resolve_target_port(pod, {"port": 80}) == 80
    assert k.resolve_target_port(pod, {"port": 80, "targetPort": "http", "protocol": "UDP"}) is None


def test_metadata_helpers() -> None:
    pod = {"metadata": {"name": "p", "namespace": "ns", "deletionTimestamp": "2024-01-01T00:00:00Z",
                        "ownerReferences": [{"uid": "a"}, {"uid": "b", "controller": True}],
                        "resourceVersion": "42"},
           "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}}
    assert k.ref(pod) == "ns/p"
    assert k.is_terminating(pod)
    assert not k.is_active(pod)
    assert k.controller_uid(pod) == "b"
    assert k.int_resource_version(pod) == 42
    assert k.pod_ready(pod)
    assert k.is_terminal({"status": {"phase": "Failed"}})
