"""JobController against a bare API server (no kubelet: the test finishes pods itself)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from reference_impl.client import Component
from reference_impl.controllers.job import (
    JobController,
    completion_index,
    format_indexes,
    parse_indexes,
)
from tests.simenv import SimEnv

Obj = dict[str, Any]
NS = "default"


def start(env: SimEnv) -> tuple[Component, JobController]:
    cm = Component(env.api, env.loop, env.rng, env.config, name="kube-controller-manager")
    c = JobController(cm)
    orig = cm.setup

    def setup() -> None:
        orig()
        c.setup()

    cm.setup = setup  # type: ignore[method-assign]
    cm.start()
    return cm, c


def job(name: str = "pi", *, restart: str = "Never", **spec: Any) -> Obj:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"restartPolicy": restart, "containers": [{"name": "c", "image": "busybox:1"}]},
            },
            **spec,
        },
    }


def job_pods(env: SimEnv, name: str = "pi", *, active_only: bool = False) -> list[Obj]:
    pods = env.api.list("pods", NS, label_selector=f"batch.kubernetes.io/job-name={name}")["items"]
    if active_only:
        pods = [
            p
            for p in pods
            if p["status"].get("phase") not in ("Succeeded", "Failed") and not p["metadata"].get("deletionTimestamp")
        ]
    return sorted(pods, key=lambda p: p["metadata"]["name"])


def finish(env: SimEnv, pod: Obj, phase: str) -> None:
    """What the kubelet posts when the only container exits."""
    p = env.api.get("pods", pod["metadata"]["name"], NS)
    now = env.loop.clock.rfc3339()
    code = 0 if phase == "Succeeded" else 1
    p["status"].update(
        {
            "phase": phase,
            "conditions": [{"type": "Ready", "status": "False", "lastTransitionTime": now}],
            "containerStatuses": [
                {
                    "name": "c",
                    "image": "busybox:1",
                    "imageID": "",
                    "ready": False,
                    "restartCount": 0,
                    "state": {"terminated": {"exitCode": code, "finishedAt": now, "reason": "Completed" if code == 0 else "Error"}},
                }
            ],
        }
    )
    env.api.update("pods", p, NS, subresource="status")


def conditions(env: SimEnv, name: str = "pi") -> list[tuple[str, str, str]]:
    st = env.api.get("jobs", name, NS)["status"]
    return [(c["type"], c["status"], c.get("reason", "")) for c in st.get("conditions") or []]


def events(env: SimEnv) -> list[tuple[str, str, str]]:
    return [(e["type"], e["reason"], e["message"]) for e in env.api.list("events", NS)["items"]]


@pytest.mark.parametrize(
    ("indexes", "text"),
    [(set(), ""), ({0}, "0"), ({0, 1}, "0,1"), ({0, 1, 2}, "0-2"), ({0, 1, 2, 4}, "0-2,4"), ({1, 3, 4, 5, 7, 8}, "1,3-5,7,8")],
)
def test_completed_indexes_format_roundtrip(indexes: set[int], text: str) -> None:
    assert format_indexes(indexes) == text
    assert parse_indexes(text, 10) == indexes


def test_parse_indexes_drops_out_of_range() -> None:
    assert parse_indexes("0-2,4,9", 4) == {0, 1, 2}


def test_completions_three_parallelism_two_completes() -> None:
    env = SimEnv()
    start(env)
    env.api.create("jobs", job(completions=3, parallelism=2), NS)
    env.settle()
    pods = job_pods(env, active_only=True)
    assert len(pods) == 2
    labels = pods[0]["metadata"]["labels"]
    uid = env.api.get("jobs", "pi", NS)["metadata"]["uid"]
    assert labels["batch.kubernetes.io/controller-uid"] == uid
    assert labels["controller-uid"] == uid
    assert labels["batch.kubernetes.io/job-name"] == "pi" and labels["job-name"] == "pi"
    assert pods[0]["metadata"]["generateName"] == "pi-"
    st = env.api.get("jobs", "pi", NS)["status"]
    assert st["active"] == 2 and st["ready"] == 0 and "startTime" in st
    finish(env, pods[0], "Succeeded")
    env.settle()
    active = job_pods(env, active_only=True)
    assert len(active) == 2, "one success leaves 2 remaining completions: 2 active"
    finish(env, active[0], "Succeeded")
    env.settle()
    active = job_pods(env, active_only=True)
    assert len(active) == 1, "one remaining completion: never more active pods than that"
    assert conditions(env) == []
    finish(env, active[0], "Succeeded")
    env.settle()
    st = env.api.get("jobs", "pi", NS)["status"]
    assert st["succeeded"] == 3 and "active" not in st and "failed" not in st
    assert [(c["type"], c["status"], c["reason"], c["message"]) for c in st["conditions"]] == [
        ("SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods"),
        ("Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods"),
    ]
    assert st["completionTime"]
    evs = events(env)
    assert ("Normal", "Completed", "Job completed") in evs
    creates = [m for _, r, m in evs if r == "SuccessfulCreate"]
    assert len(creates) == 3 and all(m.startswith("Created pod: pi-") for m in creates)


def test_failures_back_off_then_hit_backoff_limit() -> None:
    env = SimEnv()
    start(env)
    env.api.create("jobs", job(backoffLimit=2), NS)
    env.settle()
    created_at: list[float] = []
    for _ in range(3):
        (pod,) = job_pods(env, active_only=True)
        created_at.append(env.loop.now())
        finish(env, pod, "Failed")
        env.settle(1000)
    st = env.api.get("jobs", "pi", NS)["status"]
    assert st["failed"] == 3
    assert [(c["type"], c["reason"], c["message"]) for c in st["conditions"]] == [
        ("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
        ("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"),
    ]
    assert job_pods(env, active_only=True) == []
    assert ("Warning", "BackoffLimitExceeded", "Job has reached the specified backoff limit") in events(env)
    # re-creations waited 10 s, then 20 s after each failure
    assert [round(b - a) for a, b in itertools.pairwise(created_at)] == [10, 20]


def test_failed_job_deletes_active_pods() -> None:
    env = SimEnv()
    start(env)
    env.api.create("jobs", job(parallelism=3, completions=5, backoffLimit=0), NS)
    env.settle()
    pods = job_pods(env, active_only=True)
    assert len(pods) == 3
    finish(env, pods[0], "Failed")
    env.settle()
    assert job_pods(env, active_only=True) == []
    assert ("Failed", "True", "BackoffLimitExceeded") in conditions(env)
    st = env.api.get("jobs", "pi", NS)["status"]
    assert st["failed"] == 1, "pods the controller deletes itself are not failures"


def test_active_deadline_exceeded() -> None:
    env = SimEnv()
    start(env)
    env.api.create("jobs", job(activeDeadlineSeconds=30), NS)
    env.settle(10)
    assert len(job_pods(env, active_only=True)) == 1
    env.advance(31)
    env.settle()
    assert ("Failed", "True", "DeadlineExceeded") in conditions(env)
    st = env.api.get("jobs", "pi", NS)["status"]
    assert st["conditions"][-1]["message"] == "Job was active longer than specified deadline"
    assert job_pods(env, active_only=True) == []


def test_indexed_job_indexes_and_completed_indexes() -> None:
    env = SimEnv()
    start(env)
    env.api.create("jobs", job(completions=5, parallelism=3, completionMode="Indexed"), NS)
    env.settle()
    pods = job_pods(env, active_only=True)
    assert sorted(completion_index(p) for p in pods) == [0, 1, 2]
    by_index = {completion_index(p): p for p in pods}
    p0 = by_index[0]
    assert p0["metadata"]["name"].startswith("pi-0-")
    assert p0["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"] == "0"
    assert p0["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == "0"
    assert p0["spec"]["hostname"] == "pi-0"
    assert p0["spec"]["containers"][0]["env"][0]["name"] == "JOB_COMPLETION_INDEX"
    finish(env, by_index[0], "Succeeded")
    finish(env, by_index[2], "Succeeded")
    env.settle()
    st = env.api.get("jobs", "pi", NS)["status"]
    assert st["completedIndexes"] == "0,2" and st["succeeded"] == 2
    assert sorted(completion_index(p) for p in job_pods(env, active_only=True)) == [1, 3, 4]
    for p in job_pods(env, active_only=True):
        if completion_index(p) in (3, 4):
            finish(env, p, "Succeeded")
    env.settle()
    assert env.api.get("jobs", "pi", NS)["status"]["completedIndexes"] == "0,2-4"
    (last,) = job_pods(env, active_only=True)
    finish(env, last, "Succeeded")
    env.settle()
    st = env.api.get("jobs", "pi", NS)["status"]
    assert st["completedIndexes"] == "0-4" and st["succeeded"] == 5
    assert ("Complete", "True", "CompletionsReached") in conditions(env)


def test_indexed_failed_pod_is_replaced_with_the_same_index() -> None:
    env = SimEnv()
    start(env)
    env.api.create("jobs", job(completions=2, parallelism=2, completionMode="Indexed"), NS)
    env.settle()
    (p1,) = [p for p in job_pods(env, active_only=True) if completion_index(p) == 1]
    finish(env, p1, "Failed")
    env.settle(100)
    active = job_pods(env, active_only=True)
    assert sorted(completion_index(p) for p in active) == [0, 1]
    assert env.api.get("jobs", "pi", NS)["status"]["failed"] == 1


def test_suspend_deletes_pods_and_resume_recreates() -> None:
    env = SimEnv()
    start(env)
    env.api.create("jobs", job(parallelism=2, completions=4), NS)
    env.settle()
    assert len(job_pods(env, active_only=True)) == 2
    j = env.api.get("jobs", "pi", NS)
    j["spec"]["suspend"] = True
    env.api.update("jobs", j, NS)
    env.settle()
    assert job_pods(env, active_only=True) == []
    assert conditions(env) == [("Suspended", "True", "JobSuspended")]
    st = env.api.get("jobs", "pi", NS)["status"]
    assert "failed" not in st
    env.advance(50)
    j = env.api.get("jobs", "pi", NS)
    j["spec"]["suspend"] = False
    env.api.update("jobs", j, NS)
    env.settle()
    assert len(job_pods(env, active_only=True)) == 2
    assert conditions(env) == [("Suspended", "False", "JobResumed")]
    reasons = [r for _, r, _ in events(env)]
    assert "Suspended" in reasons and "Resumed" in reasons


def test_job_created_suspended_has_no_start_time() -> None:
    env = SimEnv()
    start(env)
    env.api.create("jobs", job(suspend=True), NS)
    env.settle()
    st = env.api.get("jobs", "pi", NS)["status"]
    assert "startTime" not in st and job_pods(env) == []


def test_work_queue_job_completes_when_one_succeeds_and_others_finish() -> None:
    env = SimEnv()
    start(env)
    env.api.create("jobs", job(parallelism=2), NS)  # completions unset
    env.settle()
    a, b = job_pods(env, active_only=True)
    finish(env, a, "Succeeded")
    env.settle()
    assert len(job_pods(env, active_only=True)) == 1, "after a success, no new pods"
    assert conditions(env) == []
    finish(env, b, "Succeeded")
    env.settle()
    assert ("Complete", "True", "CompletionsReached") in conditions(env)


def test_restart_does_not_double_count() -> None:
    env = SimEnv()
    cm, _ = start(env)
    env.api.create("jobs", job(completions=2, parallelism=1), NS)
    env.settle()
    (p,) = job_pods(env, active_only=True)
    finish(env, p, "Succeeded")
    env.settle()
    assert env.api.get("jobs", "pi", NS)["status"]["succeeded"] == 1
    cm.stop()
    start(env)
    env.settle()
    assert env.api.get("jobs", "pi", NS)["status"]["succeeded"] == 1
    assert len(job_pods(env, active_only=True)) == 1
