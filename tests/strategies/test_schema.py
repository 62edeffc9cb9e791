"""Every valid strategy's manifests pass the real OpenAPI schema (strict: no unknown fields)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis.strategies import SearchStrategy

from kconform import strategies as ks
from tests.strategies._schema import schema_errors

NODES = ["node-1", "node-2", "kind-worker"]

STRATEGIES: dict[str, SearchStrategy[dict[str, Any]]] = {
    "namespaces": ks.namespaces(),
    "configmaps": ks.configmaps("default"),
    "pods": ks.pods("default", NODES),
    "pods-healthy": ks.pods(healthy=True),
    "deployments": ks.deployments("default", node_names=NODES),
    "replicasets": ks.replicasets("kc"),
    "statefulsets": ks.statefulsets(),
    "daemonsets": ks.daemonsets(node_names=NODES),
    "jobs": ks.jobs(),
    "jobs-healthy": ks.jobs(healthy=True),
    "services": ks.services(),
    "services-selected": ks.services("default", {"app": "deploy-a"}),
    "workloads": ks.workloads(),
}


@pytest.mark.parametrize("name", sorted(STRATEGIES))
def test_manifests_pass_the_openapi_schema(name: str) -> None:
    @settings(max_examples=20, derandomize=True, deadline=None)
    @given(STRATEGIES[name])
    def check(manifest: dict[str, Any]) -> None:
        assert schema_errors(manifest) is None, schema_errors(manifest)

    check()


@settings(max_examples=15, derandomize=True, deadline=None)
@given(ks.statefulsets())
def test_headless_service_for_a_statefulset_passes_the_schema(statefulset: dict[str, Any]) -> None:
    service = ks.headless_service_for(statefulset)
    assert schema_errors(service) is None
    assert service["metadata"]["name"] == statefulset["spec"]["serviceName"]
    assert service["spec"]["clusterIP"] == "None"


def test_the_schema_check_can_fail() -> None:
    bad = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "dta": {}}
    assert schema_errors(bad) is not None
