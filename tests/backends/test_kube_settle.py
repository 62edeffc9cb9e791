"""What the kube backend counts as 'still moving' when it settles a real cluster."""

from __future__ import annotations

from kconform.backends.base import Snapshot
from kconform.backends.kube import in_transition


def _snap(**objects: list[dict]) -> Snapshot:  # type: ignore[type-arg]
    return Snapshot(resource_version="1", objects=objects, time_s=0.0)


def test_a_job_is_not_waited_for_an_observed_generation_it_never_gets() -> None:
    # batch/v1 JobStatus has no observedGeneration: a settled Job must not look unobserved (found
    # on the real control plane, where every batch example waited out the 900 s settle bound)
    job = {"metadata": {"namespace": "n", "name": "j", "generation": 1}, "status": {"active": 1}}
    assert in_transition(_snap(jobs=[job])) == []


def test_a_deployment_not_yet_observed_is_in_transition() -> None:
    dep = {"metadata": {"namespace": "n", "name": "d", "generation": 2}, "status": {"observedGeneration": 1}}
    assert in_transition(_snap(deployments=[dep])) == ["deployments/n/d not yet observed"]


def test_ready_pods_waiting_out_min_ready_seconds_are_in_transition() -> None:
    # found on the real control plane: ready 4, available 1, and nothing changes for 3 s
    dep = {"metadata": {"namespace": "n", "name": "d", "generation": 1}, "spec": {"minReadySeconds": 3},
           "status": {"observedGeneration": 1, "readyReplicas": 4, "availableReplicas": 1}}
    assert in_transition(_snap(deployments=[dep])) == ["deployments/n/d waiting for minReadySeconds"]
    dep["status"]["availableReplicas"] = 4
    assert in_transition(_snap(deployments=[dep])) == []
