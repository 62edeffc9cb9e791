"""The upstream backend on the real control plane: the backend conformance machine, node faults
seen by the real node lifecycle controller, control-plane restarts, and every case of the runtime
contract played by kconform's kwok stages."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from kconform import faults as F
from kconform.backends.base import Snapshot
from kconform.backends.conformance import run_conformance_test
from kconform.backends.kube import is_ready
from kconform.backends.upstream import UpstreamBackend
from kconform.upstream.contract import Case, check_case, load_cases

pytestmark = pytest.mark.xdist_group("upstream")

FEW = settings(max_examples=3, stateful_step_count=8, deadline=None, derandomize=True, database=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.fixture
def upstream(upstream_kubeconfig: str) -> Iterator[UpstreamBackend]:
    backend = UpstreamBackend(kubeconfig=upstream_kubeconfig)
    yield backend
    backend.close()


def _node(snap: Snapshot, name: str) -> dict[str, Any]:
    return next(n for n in snap.of("nodes") if n["metadata"]["name"] == name)


def _taints(node: dict[str, Any]) -> set[tuple[str, str]]:
    return {(t["key"], t["effect"]) for t in node.get("spec", {}).get("taints") or []}


def test_the_upstream_backend_conforms(upstream_kubeconfig: str) -> None:
    run_conformance_test(lambda: UpstreamBackend(kubeconfig=upstream_kubeconfig), settings_=FEW)


def test_it_reports_the_node_and_control_plane_faults_it_can_carry_out(upstream: UpstreamBackend) -> None:
    assert {"kill-node", "restart-node", "partition-node", "restart-control-plane", "compact-store"} <= upstream.capabilities
    assert "routes" not in upstream.capabilities and "simulated-time" not in upstream.capabilities


def test_a_killed_node_is_marked_unknown_and_tainted_by_the_real_node_lifecycle_controller(
    upstream: UpstreamBackend,
) -> None:
    node = upstream.node_names()[-1]
    upstream.inject(F.KillNode(node=node))
    snap = upstream.wait_until(
        lambda s: ("node.kubernetes.io/unreachable", "NoExecute") in _taints(_node(s, node)), timeout_s=60
    )
    assert snap is not None, "the node lifecycle controller never tainted the dead node"
    ready = next(c for c in _node(snap, node)["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "Unknown" and ready["reason"] == "NodeStatusUnknown"
    upstream.inject(F.RestartNode(node=node))
    back = upstream.wait_until(lambda s: is_ready(_node(s, node)) and not _taints(_node(s, node)), timeout_s=60)
    assert back is not None, "the restarted node never came back Ready and untainted"


def test_pods_of_a_killed_node_are_evicted_at_their_toleration_and_replaced(upstream: UpstreamBackend) -> None:
    nodes = upstream.node_names()
    victim = nodes[0]
    labels = {"app": "evict"}
    upstream.apply({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "evict"},
        "spec": {
            "replicas": 3, "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {
                "nodeSelector": {"kubernetes.io/hostname": victim},
                "tolerations": [{"key": "node.kubernetes.io/unreachable", "operator": "Exists",
                                 "effect": "NoExecute", "tolerationSeconds": 2}],
                "containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"]}],
            }},
        },
    })
    assert upstream.wait_until(lambda s: sum(1 for p in s.of("pods") if is_ready(p)) == 3, timeout_s=60)
    upstream.inject(F.KillNode(node=victim))
    started = time.monotonic()
    evicted = upstream.wait_until(
        lambda s: sum(1 for p in s.of("pods") if p["metadata"].get("deletionTimestamp")) >= 3, timeout_s=60
    )
    assert evicted is not None, "the taint eviction controller never evicted the dead node's pods"
    # 5 s grace period (fast timings) + 2 s toleration, give or take the monitor period
    assert time.monotonic() - started >= 5


def test_the_control_plane_survives_restarts_and_compaction(upstream: UpstreamBackend) -> None:
    for fault in (F.RestartControllerManager(), F.RestartScheduler(), F.CompactStore(), F.RestartApiServer()):
        upstream.inject(fault)
    upstream.apply({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "after"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "after"}}, "template": {
            "metadata": {"labels": {"app": "after"}},
            "spec": {"containers": [{"name": "c", "image": "busybox", "command": ["sleep", "3600"]}]},
        }},
    })
    assert upstream.wait_until(lambda s: sum(1 for p in s.of("pods") if is_ready(p)) == 2, timeout_s=60)


CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_runtime_contract_holds_on_the_real_control_plane(case: Case, upstream: UpstreamBackend) -> None:
    assert check_case(upstream, case) is None
