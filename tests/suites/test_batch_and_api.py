"""Deterministic scenarios the gc-namespaces, batch and api-semantics suites rely on.

Each pins one behaviour of the reference cluster, through the Cluster protocol only, that a
suite's oracle takes for granted: an invalid object's 422 cause, the defaults the API server
fills in, 404 on deleting what is missing, the scale subresource, Job completion counting and
completedIndexes, and Orphan deletion leaving dependents without the reference.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from kconform.backends.reference import ReferenceBackend
from kconform.program import execute
from suites.api_semantics_suite import missing_fields, wrong_defaults
from suites.batch_suite import indexes_string

NS = "ns-test"
PAUSE = "registry.k8s.io/pause:3.10"


@pytest.fixture
def backend() -> Iterator[ReferenceBackend]:
    b = ReferenceBackend()
    b.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    try:
        yield b
    finally:
        b.close()


def deployment(name: str = "web", *, replicas: int = 1, template_app: str | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": template_app or name}},
                "spec": {"containers": [{"name": "main", "image": PAUSE}]},
            },
        },
    }


def test_selector_mismatch_is_422_with_the_cause(backend: ReferenceBackend) -> None:
    step = {"op": "apply-invalid", "manifest": deployment(template_app="other")}
    result = execute(backend, step)
    assert not result.ok
    status = result.status or {}
    assert (status.get("code"), status.get("reason")) == (422, "Invalid")
    causes = status["details"]["causes"]
    assert {"field": "spec.template.metadata.labels", "reason": "FieldValueInvalid"} in [
        {"field": c["field"], "reason": c["reason"]} for c in causes
    ]
    assert backend.get("deployments", "web", NS) is None


def test_defaults_and_round_trip(backend: ReferenceBackend) -> None:
    manifest = deployment()
    stored = backend.apply(manifest)
    assert missing_fields(manifest, stored) == []
    assert wrong_defaults(manifest, stored) == []
    assert stored["metadata"]["generation"] == 1


def test_scale_subresource_round_trip(backend: ReferenceBackend) -> None:
    backend.apply(deployment())
    before = backend.get("deployments", "web", NS)
    assert before is not None
    backend.scale("deployments", "web", NS, 3)
    after = backend.get("deployments", "web", NS)
    assert after is not None
    assert after["spec"]["replicas"] == 3
    assert after["metadata"]["generation"] == before["metadata"]["generation"] + 1
    assert int(after["metadata"]["resourceVersion"]) > int(before["metadata"]["resourceVersion"])


def test_delete_missing_is_404(backend: ReferenceBackend) -> None:
    assert backend.delete("configmaps", "nope", NS) is False
    result = execute(backend, {"op": "delete", "resource": "deployments", "name": "nope", "namespace": NS})
    assert result.detail == "already gone"


def test_orphan_keeps_the_replicaset_without_its_reference(backend: ReferenceBackend) -> None:
    backend.apply(deployment(replicas=1))
    backend.advance(10)
    (rs,) = backend.list("replicasets", NS)
    assert backend.delete("deployments", "web", NS, propagation_policy="Orphan")
    backend.advance(5)
    assert backend.get("deployments", "web", NS) is None
    kept = backend.get("replicasets", rs["metadata"]["name"], NS)
    assert kept is not None and kept["metadata"]["uid"] == rs["metadata"]["uid"]
    assert not kept["metadata"].get("ownerReferences")


def test_indexed_job_completes_with_every_index(backend: ReferenceBackend) -> None:
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "idx", "namespace": NS},
        "spec": {
            "completionMode": "Indexed",
            "completions": 3,
            "parallelism": 2,
            "template": {"spec": {"restartPolicy": "Never",
                                  "containers": [{"name": "main", "image": "busybox:1.36", "command": ["true"]}]}},
        },
    }
    backend.apply(job)
    backend.settle(timeout_s=600)
    stored = backend.get("jobs", "idx", NS)
    assert stored is not None
    status = stored["status"]
    assert any(c["type"] == "Complete" and c["status"] == "True" for c in status.get("conditions", []))
    assert status["succeeded"] == 3
    assert status["completedIndexes"] == indexes_string(3) == "0-2"


def test_failing_job_counts_backoff_limit_plus_one(backend: ReferenceBackend) -> None:
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "fail", "namespace": NS},
        "spec": {
            "backoffLimit": 2,
            "template": {"spec": {"restartPolicy": "Never",
                                  "containers": [{"name": "main", "image": "busybox:1.36", "command": ["false"]}]}},
        },
    }
    backend.apply(job)
    backend.settle(timeout_s=900)
    stored = backend.get("jobs", "fail", NS)
    assert stored is not None
    failed = [c for c in stored["status"].get("conditions", []) if c["type"] == "Failed" and c["status"] == "True"]
    assert failed and failed[0]["reason"] == "BackoffLimitExceeded"
    assert stored["status"]["failed"] == 3


@pytest.mark.parametrize(("count", "want"), [(0, ""), (1, "0"), (2, "0,1"), (3, "0-2"), (5, "0-4")])
def test_indexes_string(count: int, want: str) -> None:
    assert indexes_string(count) == want
