"""TTLAfterFinishedController against a bare API server; then on the whole cluster, with the Job controller,
the kubelet and the garbage collector.

In the bare API server nothing removes the ``foregroundDeletion`` finalizer, so a deleted Job
stays, marked with ``deletionTimestamp``: that is what the tests look for.
"""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.apiserver import ApiError
from reference_impl.client import Component
from reference_impl.controllers.manager import CONTROLLERS, load_controller
from reference_impl.controllers.ttl_after_finished import (
    FinishTimeUnknown,
    TTLAfterFinishedController,
    expire_time,
    needs_cleanup,
)
from tests.scenarios import BUSYBOX, cluster, container, wait
from tests.simenv import SimEnv

Obj = dict[str, Any]
NS = "default"


def start(env: SimEnv) -> tuple[Component, TTLAfterFinishedController]:
    return env.start_controller(TTLAfterFinishedController)


def job(name: str = "pi", ttl_s: int | None = 30) -> Obj:
    spec: Obj = {
        "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox:1.36"}]}}
    }
    if ttl_s is not None:
        spec["ttlSecondsAfterFinished"] = ttl_s
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": NS}, "spec": spec}


def finish(env: SimEnv, name: str = "pi", condition: str = "Complete") -> None:
    """What the Job controller writes when a Job ends: the condition's transition time is the finish time."""
    j = env.api.get("jobs", name, NS)
    now = env.loop.clock.rfc3339()
    j["status"] = {"conditions": [{"type": condition, "status": "True", "lastTransitionTime": now}]}
    env.api.update("jobs", j, NS, subresource="status")


def deleting(env: SimEnv, name: str = "pi") -> bool:
    meta = env.api.get("jobs", name, NS)["metadata"]
    if meta.get("deletionTimestamp"):
        assert meta.get("finalizers") == ["foregroundDeletion"]
        return True
    return False


def test_registered_under_kube_controller_managers_name() -> None:
    assert load_controller(CONTROLLERS["ttl-after-finished"]) is TTLAfterFinishedController


@pytest.mark.parametrize("condition", ["Complete", "Failed"])
def test_a_finished_job_is_deleted_in_the_foreground_when_its_ttl_runs_out(condition: str) -> None:
    env = SimEnv()
    start(env)
    env.api.create("jobs", job(ttl_s=30), NS)
    env.advance(10)
    finish(env, condition=condition)
    env.advance(29.5)
    assert not deleting(env)
    env.advance(0.5)
    assert deleting(env)


def test_a_job_that_has_not_finished_or_has_no_ttl_stays() -> None:
    env = SimEnv()
    start(env)
    env.api.create("jobs", job("running", ttl_s=0), NS)
    env.api.create("jobs", job("kept", ttl_s=None), NS)
    finish(env, "kept")
    env.advance(600)
    assert not deleting(env, "running") and not deleting(env, "kept")


def test_ttl_zero_deletes_at_once() -> None:
    env = SimEnv()
    start(env)
    env.api.create("jobs", job(ttl_s=0), NS)
    finish(env)
    env.advance(0.01)
    assert deleting(env)


def test_a_shorter_ttl_set_after_the_job_finished_applies() -> None:
    env = SimEnv()
    start(env)
    env.api.create("jobs", job(ttl_s=3600), NS)
    finish(env)
    env.advance(20)
    env.api.patch("jobs", "pi", {"spec": {"ttlSecondsAfterFinished": 10}}, "merge", NS)
    env.advance(0.01)
    assert deleting(env)  # finished 20 s ago: already past the new TTL


def test_a_longer_ttl_set_before_expiry_postpones_the_deletion() -> None:
    env = SimEnv()
    start(env)
    env.api.create("jobs", job(ttl_s=10), NS)
    finish(env)
    env.advance(5)
    env.api.patch("jobs", "pi", {"spec": {"ttlSecondsAfterFinished": 100}}, "merge", NS)
    env.advance(10)
    assert not deleting(env)  # the wake-up for the old TTL found time left
    env.advance(84.9)
    assert not deleting(env)
    env.advance(0.2)
    assert deleting(env)


def test_a_job_recreated_under_the_same_name_is_judged_by_its_own_finish_time() -> None:
    env = SimEnv()
    start(env)
    env.api.create("jobs", job(ttl_s=30), NS)
    finish(env)
    env.advance(10)
    env.api.delete("jobs", "pi", NS, propagation_policy="Background")
    env.api.create("jobs", job(ttl_s=30), NS)
    env.advance(10)
    finish(env)
    env.advance(29.9)  # the first Job's expiry (30 s) has passed; the new one's (50 s) has not
    assert not deleting(env)
    env.advance(0.2)
    assert deleting(env)


def test_helpers() -> None:
    j = job(ttl_s=30)
    assert not needs_cleanup(j)
    j["status"] = {"conditions": [{"type": "Complete", "status": "True", "lastTransitionTime": "2026-01-01T00:01:00Z"}]}
    assert needs_cleanup(j)
    assert expire_time(j) == 90.0
    del j["status"]["conditions"][0]["lastTransitionTime"]
    with pytest.raises(FinishTimeUnknown, match="unable to find the time when the Job default/pi finished"):
        expire_time(j)


def test_on_the_whole_cluster_the_job_and_its_pods_go_after_the_ttl() -> None:
    c = cluster()
    body = job("ttl", ttl_s=5)
    body["spec"]["template"]["spec"]["containers"] = [container("main", BUSYBOX, command=["sh", "-c", "sleep 2"])]
    c.api.create("jobs", body, NS)

    def complete() -> bool:
        conds = (c.api.get("jobs", "ttl", NS).get("status") or {}).get("conditions") or []
        return any(x["type"] == "Complete" and x["status"] == "True" for x in conds)

    done_at = wait(c, complete)
    assert c.api.list("pods", NS, label_selector="batch.kubernetes.io/job-name=ttl")["items"]

    def gone() -> bool:
        try:
            c.api.get("jobs", "ttl", NS)
        except ApiError as e:
            assert e.code == 404
            return True
        return False

    gone_at = wait(c, gone, step_s=0.1)
    assert 4.0 <= gone_at - done_at <= 7.0
    assert c.api.list("pods", NS, label_selector="batch.kubernetes.io/job-name=ttl")["items"] == []
