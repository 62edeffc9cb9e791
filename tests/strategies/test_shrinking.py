"""Shrunk examples are readable: minimal counts, the name ``a``, optional fields omitted."""

from __future__ import annotations

from typing import Any

from hypothesis import find, settings

from kconform import strategies as ks

SHRINK = settings(max_examples=200, derandomize=True, deadline=None, database=None)


def test_a_deployment_with_two_replicas_shrinks_to_the_smallest_readable_one() -> None:
    deployment = find(ks.deployments(), lambda d: d["spec"]["replicas"] >= 2, settings=SHRINK)
    assert deployment == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "a",
            "namespace": "default",
            "labels": {"app": "deploy-a", ks.MANAGED_BY_KEY: ks.MANAGED_BY_VALUE},
        },
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "deploy-a"}},
            "template": {
                "metadata": {"labels": {"app": "deploy-a", ks.MANAGED_BY_KEY: ks.MANAGED_BY_VALUE}},
                "spec": {
                    "containers": [
                        {
                            "name": "main",
                            "image": ks.PAUSE_IMAGE,
                            "ports": [
                                {"name": "http", "containerPort": 8080},
                                {"name": "metrics", "containerPort": 9090},
                            ],
                        }
                    ],
                    "restartPolicy": "Always",
                },
            },
        },
    }


def test_a_crash_looping_pod_shrinks_to_one_plain_command() -> None:
    def crashes(pod: dict[str, Any]) -> bool:
        return any(c.get("command") and "exit" in " ".join(c["command"]) for c in pod["spec"]["containers"])

    pod = find(ks.pods(), crashes, settings=SHRINK)
    assert pod["metadata"]["name"] == "a"
    assert len(pod["spec"]["containers"]) == 1
    assert set(pod["spec"]) == {"containers", "restartPolicy"}


def test_an_invalid_case_shrinks_to_a_minimal_manifest() -> None:
    case = find(ks.invalid_manifests(), lambda c: c.reason == "FieldValueDuplicate", settings=SHRINK)
    assert case.manifest["metadata"]["name"] == "a"
    assert [c["name"] for c in ks.pod_spec_of(case.manifest)["containers"]] == ["main", "main"]
