"""Programs found by exploring the suites beyond CI (``--profile dev``/``explore``), minimised.

Most once failed an invariant although the reference behaved as real Kubernetes does: the
oracle now knows the case, and these programs must keep replaying clean. One found a real bug
of the reference's kubelet (a pod replaced while awaiting admission was never started). The batch one is a
suite that re-applied a DaemonSet under a used name with another selector (immutable, 422):
the suite no longer draws used names, and replaying the recorded program still reports the
rejection as the failure it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from kconform.backends.reference import ReferenceBackend
from kconform.program import Program
from kconform.replay import run_program

DATA = Path(__file__).parent / "data"


@contextmanager
def _replay(name: str) -> Iterator[tuple[ReferenceBackend, list[str]]]:
    program = Program.load(DATA / name)
    backend = ReferenceBackend(nodes=program.nodes, seed=program.seed)
    try:
        yield backend, run_program(backend, program)
    finally:
        backend.close()


def test_recreate_rollout_waits_for_old_pods_terminating_on_a_dead_node() -> None:
    # recreate.go oldPodsRunning counts terminating pods: one on a dead node blocks the rollout
    # for good (kubernetes#112452), so there is no new ReplicaSet — and that is no bug
    with _replay("recreate-blocked-by-dead-node.yaml") as (backend, problems):
        assert problems == []
        snap = backend.snapshot()
        [dep] = snap.of("deployments")
        owned = [rs for rs in snap.of("replicasets") if rs["metadata"]["ownerReferences"][0]["uid"] == dep["metadata"]["uid"]]
        assert len(owned) == 1 and owned[0]["spec"]["replicas"] == 0
        stuck = [p for p in snap.of("pods") if p["metadata"].get("deletionTimestamp")]
        assert stuck and all(p["spec"]["nodeName"] in snap.dead_nodes for p in stuck)


def test_a_pod_posted_ready_during_a_partition_blip_stays_ready() -> None:
    with _replay("pod-ready-after-partition-blip.yaml") as (_backend, problems):
        assert problems == []


def test_crash_looping_pods_with_min_ready_seconds_are_never_available() -> None:
    with _replay("crashloop-with-min-ready-seconds.yaml") as (backend, problems):
        assert problems == []
        [dep] = [d for d in backend.snapshot().of("deployments") if d["metadata"]["name"] == "r"]
        assert not dep["status"].get("availableReplicas")


def test_a_pod_replaced_while_awaiting_admission_is_admitted() -> None:
    # a reference bug (the kubelet's pending admission kept the old pod's uid, so the StatefulSet
    # ordinal recreated under the same name within the sync delay was never started)
    with _replay("statefulset-ordinal-replaced-before-admission.yaml") as (backend, problems):
        assert problems == []
        pod = next(p for p in backend.snapshot().of("pods") if p["metadata"]["name"] == "axzdy-2")
        assert pod["status"]["phase"] == "Running"


@pytest.mark.parametrize("name", ["daemonset-selector-reapplied.yaml"])
def test_a_recorded_refusal_of_an_apply_replays_as_the_failure(name: str) -> None:
    with _replay(name) as (_backend, problems):
        assert len(problems) == 1 and "field is immutable" in problems[0]
