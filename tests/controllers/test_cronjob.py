"""CronJobController against a bare API server, and robfig/cron's schedules as kube-controller-manager reads them.

The tables of next times were produced by ``github.com/robfig/cron/v3`` v3.0.1 itself
(``cron.ParseStandard(spec).Next(t)`` with ``time.Local`` set to UTC); the error texts are the
ones kube-apiserver v1.36.3 returned for the same schedules. The simulated clock starts at
2026-01-01T00:00:00Z, a Thursday; the test plays the Job controller's part by writing Job status.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest

from reference_impl.client import Component
from reference_impl.controllers.cronjob import (
    SCHEDULED_TIMESTAMP_ANNOTATION,
    CronJobController,
    CronSyntaxError,
    Missed,
    UnknownTimeZone,
    load_location,
    most_recent_schedule_time,
    next_schedule_time_duration,
    parse_go_duration,
    parse_standard,
)
from reference_impl.controllers.manager import CONTROLLERS, load_controller
from reference_impl.sim.clock import EPOCH
from tests.simenv import SimEnv

Obj = dict[str, Any]
NS = "default"
EPOCH_UNIX = int(EPOCH.timestamp())
MINUTE_0 = EPOCH_UNIX // 60  # 2026-01-01T00:00Z in minutes since the Unix epoch: 29453760


def _has_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


needs_tzdata = pytest.mark.skipif(
    not (_has_zone("Europe/Berlin") and _has_zone("America/New_York")),
    reason="no IANA time zone data (install the tzdata package or the system's tzdata)",
)


def unix(stamp: str) -> int:
    return int(dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())


def iso(t: int) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def successive(spec: str, start: str, n: int) -> list[str]:
    schedule = parse_standard(spec)
    out: list[str] = []
    t = unix(start)
    for _ in range(n):
        t = schedule.next(t)
        out.append(iso(t))
    return out


# -- schedules ------------------------------------------------------------------------------------
UTC_CASES = [
    ("2026-01-01T00:00:00Z", "* * * * *", ["2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z", "2026-01-01T00:03:00Z"]),
    ("2026-01-01T00:00:30Z", "*/15 * * * *", ["2026-01-01T00:15:00Z", "2026-01-01T00:30:00Z", "2026-01-01T00:45:00Z"]),
    ("2026-01-01T00:00:00Z", "0 * * * *", ["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"]),
    ("2026-01-01T00:00:00Z", "30 9-17/4 * * MON-FRI",
     ["2026-01-01T09:30:00Z", "2026-01-01T13:30:00Z", "2026-01-01T17:30:00Z", "2026-01-02T09:30:00Z"]),
    # day of month and day of week both restricted: either matches (Friday the 2nd, 9th; the 13th)
    ("2026-01-01T00:00:00Z", "0 0 13 * 5", ["2026-01-02T00:00:00Z", "2026-01-09T00:00:00Z", "2026-01-13T00:00:00Z"]),
    ("2026-01-01T00:00:00Z", "0 0 13 * *", ["2026-01-13T00:00:00Z", "2026-02-13T00:00:00Z"]),
    ("2026-01-01T00:00:00Z", "0 0 * * 5", ["2026-01-02T00:00:00Z", "2026-01-09T00:00:00Z"]),
    ("2026-01-01T00:00:00Z", "5,10 0 1 jan,Jul ?", ["2026-01-01T00:05:00Z", "2026-01-01T00:10:00Z", "2026-07-01T00:05:00Z"]),
    ("2026-01-31T12:00:00Z", "0 0 31 * *", ["2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z", "2026-07-31T00:00:00Z"]),
    ("2026-01-01T00:00:00Z", "0 0 29 2 *", ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"]),
    ("2026-01-01T00:00:00Z", "5/20 */12 * * *",
     ["2026-01-01T00:05:00Z", "2026-01-01T00:25:00Z", "2026-01-01T00:45:00Z", "2026-01-01T12:05:00Z"]),
    ("2026-01-01T00:00:00Z", "@hourly", ["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"]),
    ("2026-01-01T00:00:00Z", "@daily", ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z"]),
    ("2026-01-01T00:00:00Z", "@weekly", ["2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z"]),
    ("2026-01-01T00:00:00Z", "@monthly", ["2026-02-01T00:00:00Z", "2026-03-01T00:00:00Z"]),
    ("2026-01-01T00:00:00Z", "@yearly", ["2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"]),
    ("2026-01-01T00:00:00Z", "@every 90s", ["2026-01-01T00:01:30Z", "2026-01-01T00:03:00Z"]),
]

# Daylight-saving days. Spring forward (Berlin 2026-03-29 02:00→03:00, New York 2026-03-08
# 02:00→03:00): 02:30 does not exist and robfig/cron skips that day. Fall back (Berlin 2026-10-25
# 03:00→02:00, New York 2026-11-01 02:00→01:00): the repeated half hour runs twice.
DST_CASES = [
    ("2026-03-28T00:00:00Z", "TZ=Europe/Berlin 30 2 * * *", ["2026-03-28T01:30:00Z", "2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z"]),
    ("2026-03-07T00:00:00Z", "TZ=America/New_York 30 2 * * *",
     ["2026-03-07T07:30:00Z", "2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z"]),
    ("2026-10-24T12:00:00Z", "TZ=Europe/Berlin 30 2 * * *", ["2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z", "2026-10-26T01:30:00Z"]),
    ("2026-10-24T23:00:00Z", "TZ=Europe/Berlin */30 2 * * *",
     ["2026-10-25T00:00:00Z", "2026-10-25T00:30:00Z", "2026-10-25T01:00:00Z", "2026-10-25T01:30:00Z"]),
    ("2026-10-24T12:00:00Z", "CRON_TZ=Europe/Berlin 0 0 * * *", ["2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z"]),
    ("2026-10-31T12:00:00Z", "TZ=America/New_York 30 1 * * *", ["2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z", "2026-11-02T06:30:00Z"]),
]


@pytest.mark.parametrize(("start", "spec", "expected"), UTC_CASES)
def test_next_times_in_utc(start: str, spec: str, expected: list[str]) -> None:
    assert successive(spec, start, len(expected)) == expected


@needs_tzdata
@pytest.mark.parametrize(("start", "spec", "expected"), DST_CASES)
def test_next_times_across_daylight_saving_transitions(start: str, spec: str, expected: list[str]) -> None:
    assert successive(spec, start, len(expected)) == expected


def test_a_schedule_with_no_time_within_five_years_has_none() -> None:
    assert parse_standard("0 0 30 2 *").next(unix("2026-01-01T00:00:00Z")) < 0  # Go's zero time


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
        ("61 * * * *", "end of range (61) above maximum (59): 61"),
        ("0 0 * * 7", "end of range (7) above maximum (6): 7"),
        ("H * * * *", 'failed to parse int from H: strconv.Atoi: parsing "H": invalid syntax'),
        ("@reboot", "unrecognized descriptor: @reboot"),
        ("5-3 * * * *", "beginning of range (5) beyond end of range (3): 5-3"),
        ("*/0 * * * *", "step of range should be a positive number: */0"),
        ("1-2-3 * * * *", "too many hyphens: 1-2-3"),
        ("*/-1 * * * *", "negative number (-1) not allowed: -1"),
        ("0 0 0 * *", "beginning of range (0) below minimum (1): 0"),
        ("@every x", 'failed to parse duration @every x: time: invalid duration "x"'),
        ("", "empty spec string"),
        ("TZ=Foo/Bar * * * * *", "provided bad location Foo/Bar: unknown time zone Foo/Bar"),
    ],
)
def test_unparseable_schedules_fail_with_the_librarys_message(spec: str, message: str) -> None:
    with pytest.raises(CronSyntaxError) as e:
        parse_standard(spec)
    assert str(e.value) == message


@pytest.mark.parametrize(
    ("text", "ns"),
    [("90s", 90 * 10**9), ("1h30m", 5400 * 10**9), ("1.5s", 1_500_000_000), ("-2m", -120 * 10**9), ("0", 0),
     ("300ms", 300_000_000)],
)
def test_go_durations(text: str, ns: int) -> None:
    assert parse_go_duration(text) == ns


@pytest.mark.parametrize(
    ("text", "message"),
    [("5", 'time: missing unit in duration "5"'), ("5d", 'time: unknown unit "d" in duration "5d"'),
     ("", 'time: invalid duration ""')],
)
def test_go_duration_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_go_duration(text)


def test_every_rounds_down_to_whole_seconds_and_at_least_one() -> None:
    assert parse_standard("@every 1500ms").next(100.7) == 101
    assert parse_standard("@every 300ms").next(100.0) == 101


def test_load_location_follows_go() -> None:
    assert load_location("") is dt.UTC and load_location("UTC") is dt.UTC
    with pytest.raises(UnknownTimeZone, match="unknown time zone utc"):
        load_location("utc")
    with pytest.raises(UnknownTimeZone, match="time: invalid location name"):
        load_location("../etc/passwd")


# -- mostRecentScheduleTime -------------------------------------------------------------------------
def cronjob_obj(created: str, *, last: str | None = None, deadline_s: int | None = None) -> Obj:
    spec: Obj = {"schedule": "* * * * *"}
    if deadline_s is not None:
        spec["startingDeadlineSeconds"] = deadline_s
    status: Obj = {"lastScheduleTime": last} if last else {}
    return {"metadata": {"name": "c", "creationTimestamp": created}, "spec": spec, "status": status}


@pytest.mark.parametrize(
    ("now", "last", "deadline_s", "expected", "missed"),
    [
        ("2026-01-01T00:00:30Z", None, None, None, Missed.NONE),
        ("2026-01-01T00:01:30Z", None, None, "2026-01-01T00:01:00Z", Missed.NONE),
        ("2026-01-01T00:05:30Z", None, None, "2026-01-01T00:05:00Z", Missed.FEW),
        ("2026-01-01T00:05:30Z", "2026-01-01T00:05:00Z", None, None, Missed.NONE),
        ("2026-01-01T02:00:30Z", None, None, "2026-01-01T02:00:00Z", Missed.MANY),
        # the deadline moves the earliest time considered: nothing older than 10 s is started
        ("2026-01-01T02:00:30Z", None, 10, None, Missed.NONE),
        ("2026-01-01T02:00:05Z", None, 10, "2026-01-01T02:00:00Z", Missed.NONE),
    ],
)
def test_most_recent_schedule_time(
    now: str, last: str | None, deadline_s: int | None, expected: str | None, missed: Missed
) -> None:
    cj = cronjob_obj("2026-01-01T00:00:00Z", last=last, deadline_s=deadline_s)
    _, got, kind, err = most_recent_schedule_time(cj, unix(now), parse_standard("* * * * *"), include_starting_deadline=True)
    assert err is None
    assert (iso(got) if got is not None else None) == expected
    assert kind is missed


def test_most_recent_schedule_time_refuses_a_schedule_that_never_fires() -> None:
    cj = cronjob_obj("2026-01-01T00:00:00Z")
    _, got, _, err = most_recent_schedule_time(
        cj, unix("2026-06-01T00:00:00Z"), parse_standard("59 23 31 2 *"), include_starting_deadline=True
    )
    assert got is None and err == "time difference between two schedules is less than 1 second"


def test_requeue_is_100_ms_after_the_next_schedule_time() -> None:
    cj = cronjob_obj("2026-01-01T00:00:00Z", last="2026-01-01T00:05:00Z")
    wait = next_schedule_time_duration(cj, unix("2026-01-01T00:05:20Z"), parse_standard("* * * * *"))
    assert wait == pytest.approx(40.1)


# -- the controller ---------------------------------------------------------------------------------
def start(env: SimEnv) -> tuple[Component, CronJobController]:
    return env.start_controller(CronJobController)


def cronjob(name: str = "hello", schedule: str = "* * * * *", **spec: Any) -> Obj:
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "schedule": schedule,
            "jobTemplate": {
                "metadata": {"labels": {"app": name}, "annotations": {"team": "batch"}},
                "spec": {
                    "template": {
                        "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox:1.36"}]}
                    }
                },
            },
            **spec,
        },
    }


def job_names(env: SimEnv) -> list[str]:
    return sorted(j["metadata"]["name"] for j in env.api.list("jobs", NS)["items"] if not j["metadata"].get("deletionTimestamp"))


def status(env: SimEnv, name: str = "hello") -> Obj:
    return env.api.get("cronjobs", name, NS).get("status") or {}


def events(env: SimEnv, reason: str | None = None) -> list[tuple[str, str, str]]:
    evs = sorted(env.api.list("events", NS)["items"], key=lambda e: (e["firstTimestamp"], e["metadata"]["name"]))
    return [(e["type"], e["reason"], e["message"]) for e in evs if reason is None or e["reason"] == reason]


def finish(env: SimEnv, name: str, condition: str, *, started: float, finished: float) -> None:
    """What the Job controller writes when a Job ends."""
    job = env.api.get("jobs", name, NS)
    clock = env.loop.clock
    job["status"] = {
        "startTime": clock.rfc3339(started),
        "conditions": [{"type": condition, "status": "True", "lastTransitionTime": clock.rfc3339(finished)}],
    }
    if condition == "Complete":
        job["status"]["completionTime"] = clock.rfc3339(finished)
        job["status"]["succeeded"] = 1
    else:
        job["status"]["failed"] = 1
    env.api.update("jobs", job, NS, subresource="status")


def test_registered_under_kube_controller_managers_names() -> None:
    assert load_controller(CONTROLLERS["cronjob"]) is CronJobController


def test_creates_the_job_at_the_schedule_time_with_upstreams_name_annotation_labels_and_owner() -> None:
    env = SimEnv()
    start(env)
    cj = env.api.create("cronjobs", cronjob(), NS)
    env.advance(60.0)
    assert job_names(env) == []  # due at 00:01:00, picked up 100 ms later
    env.advance(0.2)
    name = f"hello-{MINUTE_0 + 1}"
    assert job_names(env) == [name]
    job = env.api.get("jobs", name, NS)
    meta = job["metadata"]
    assert meta["labels"] == {"app": "hello"}
    assert meta["annotations"] == {"team": "batch", SCHEDULED_TIMESTAMP_ANNOTATION: "2026-01-01T00:01:00Z"}
    assert meta["ownerReferences"] == [
        {"apiVersion": "batch/v1", "kind": "CronJob", "name": "hello", "uid": cj["metadata"]["uid"],
         "controller": True, "blockOwnerDeletion": True}
    ]
    assert job["spec"]["template"]["spec"]["containers"][0]["image"] == "busybox:1.36"
    st = status(env)
    assert st["lastScheduleTime"] == "2026-01-01T00:01:00Z"
    assert st["active"] == [
        {"kind": "Job", "namespace": NS, "name": name, "uid": meta["uid"], "apiVersion": "batch/v1",
         "resourceVersion": meta["resourceVersion"]}
    ]
    assert events(env) == [("Normal", "SuccessfulCreate", f"Created job {name}")]


@needs_tzdata
def test_time_zone_sets_the_schedule_and_the_annotations_offset() -> None:
    env = SimEnv()
    start(env)
    # 01:30 in Berlin is 00:30 UTC in January
    env.api.create("cronjobs", cronjob(schedule="30 1 * * *", timeZone="Europe/Berlin"), NS)
    env.advance(29 * 60 + 59)
    assert job_names(env) == []
    env.advance(2)
    name = f"hello-{MINUTE_0 + 30}"
    assert job_names(env) == [name]
    annotations = env.api.get("jobs", name, NS)["metadata"]["annotations"]
    assert annotations[SCHEDULED_TIMESTAMP_ANNOTATION] == "2026-01-01T01:30:00+01:00"
    assert status(env)["lastScheduleTime"] == "2026-01-01T00:30:00Z"


def test_allow_runs_jobs_concurrently() -> None:
    env = SimEnv()
    start(env)
    env.api.create("cronjobs", cronjob(), NS)
    env.advance(3 * 60 + 1)
    assert job_names(env) == [f"hello-{MINUTE_0 + m}" for m in (1, 2, 3)]
    assert [r["name"] for r in status(env)["active"]] == [f"hello-{MINUTE_0 + m}" for m in (1, 2, 3)]


def test_forbid_skips_while_a_job_is_active_then_runs_the_most_recent_missed_time() -> None:
    env = SimEnv()
    start(env)
    env.api.create("cronjobs", cronjob(concurrencyPolicy="Forbid"), NS)
    env.advance(3 * 60 + 1)
    first = f"hello-{MINUTE_0 + 1}"
    assert job_names(env) == [first]
    assert events(env, "JobAlreadyActive") == [
        ("Normal", "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid")
    ]
    (already_active,) = (e for e in env.api.list("events", NS)["items"] if e["reason"] == "JobAlreadyActive")
    assert already_active["count"] == 2  # at 00:02 and at 00:03
    finish(env, first, "Complete", started=60.1, finished=200.0)
    env.advance(1)
    # the Job's completion wakes the CronJob: the 00:03 start is still unmet, and not too late
    assert job_names(env) == [first, f"hello-{MINUTE_0 + 3}"]
    assert ("Normal", "SawCompletedJob", f"Saw completed job: {first}, condition: Complete") in events(env)
    st = status(env)
    assert [r["name"] for r in st["active"]] == [f"hello-{MINUTE_0 + 3}"]
    assert st["lastSuccessfulTime"] == "2026-01-01T00:03:20Z"


def test_replace_deletes_the_running_job_in_the_background_first() -> None:
    env = SimEnv()
    start(env)
    env.api.create("cronjobs", cronjob(concurrencyPolicy="Replace"), NS)
    env.advance(2 * 60 + 1)
    first, second = f"hello-{MINUTE_0 + 1}", f"hello-{MINUTE_0 + 2}"
    assert job_names(env) == [second]
    assert events(env)[-2:] == [("Normal", "SuccessfulDelete", f"Deleted job {first}"),
                                ("Normal", "SuccessfulCreate", f"Created job {second}")]
    assert [r["name"] for r in status(env)["active"]] == [second]


def test_starting_deadline_leaves_out_start_times_older_than_it() -> None:
    env = SimEnv()
    start(env)
    env.api.create("cronjobs", cronjob(startingDeadlineSeconds=10, suspend=True), NS)
    env.advance(5 * 60 + 30)
    # resumed 30 s after 00:05: that start is past the deadline, so the next one is awaited
    env.api.patch("cronjobs", "hello", {"spec": {"suspend": False}}, "merge", NS)
    env.advance(1)
    assert job_names(env) == []
    env.advance(30)
    assert job_names(env) == [f"hello-{MINUTE_0 + 6}"]


def test_without_a_deadline_a_resumed_cronjob_starts_its_most_recent_missed_time_only() -> None:
    env = SimEnv()
    start(env)
    env.api.create("cronjobs", cronjob(suspend=True), NS)
    env.advance(5 * 60 + 30)
    assert job_names(env) == [] and status(env) == {}
    env.api.patch("cronjobs", "hello", {"spec": {"suspend": False}}, "merge", NS)
    env.advance(1)
    assert job_names(env) == [f"hello-{MINUTE_0 + 5}"]
    assert events(env, "TooManyMissedTimes") == []


def test_more_than_100_missed_start_times_warn_and_still_start_the_most_recent() -> None:
    env = SimEnv()
    start(env)
    env.api.create("cronjobs", cronjob(suspend=True), NS)
    cj = env.api.get("cronjobs", "hello", NS)
    cj["status"] = {"lastScheduleTime": "2025-12-31T20:00:00Z"}  # four hours of minutes ago
    env.api.update("cronjobs", cj, NS, subresource="status")
    env.advance(30)
    env.api.patch("cronjobs", "hello", {"spec": {"suspend": False}}, "merge", NS)
    env.advance(1)
    assert job_names(env) == [f"hello-{MINUTE_0}"]
    assert events(env, "TooManyMissedTimes") == [
        ("Warning", "TooManyMissedTimes",
         "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew")
    ]
    assert status(env)["lastScheduleTime"] == "2026-01-01T00:00:00Z"


def test_suspended_cronjob_creates_nothing() -> None:
    env = SimEnv()
    start(env)
    env.api.create("cronjobs", cronjob(suspend=True), NS)
    env.advance(10 * 60)
    assert job_names(env) == [] and events(env) == [] and status(env) == {}


def test_history_limits_delete_the_oldest_finished_jobs() -> None:
    env = SimEnv()
    start(env)
    env.api.create("cronjobs", cronjob(successfulJobsHistoryLimit=2, failedJobsHistoryLimit=1), NS)
    env.advance(5 * 60 + 1)
    names = [f"hello-{MINUTE_0 + m}" for m in range(1, 6)]
    assert job_names(env) == names
    for i, name in enumerate(names[:3]):
        finish(env, name, "Complete", started=60.0 * (i + 1), finished=60.0 * (i + 1) + 5)
    for i, name in enumerate(names[3:], start=3):
        finish(env, name, "Failed", started=60.0 * (i + 1), finished=60.0 * (i + 1) + 5)
    env.advance(1)
    assert job_names(env) == [names[1], names[2], names[4]]
    deleted = [m for _, r, m in events(env) if r == "SuccessfulDelete"]
    assert sorted(deleted) == sorted([f"Deleted job {names[0]}", f"Deleted job {names[3]}"])
    # the cleanup runs first and takes the deleted Jobs out of the active list: no SawCompletedJob for them
    assert events(env, "SawCompletedJob") == [
        ("Normal", "SawCompletedJob", f"Saw completed job: {names[1]}, condition: Complete"),
        ("Normal", "SawCompletedJob", f"Saw completed job: {names[2]}, condition: Complete"),
        ("Normal", "SawCompletedJob", f"Saw completed job: {names[4]}, condition: Failed"),
    ]
    st = status(env)
    assert "active" not in st  # every Job finished: the list is gone (omitempty)
    assert st["lastSuccessfulTime"] == "2026-01-01T00:03:05Z"
    assert st["lastScheduleTime"] == "2026-01-01T00:05:00Z"


def test_default_history_limits_are_three_and_one() -> None:
    env = SimEnv()
    start(env)
    env.api.create("cronjobs", cronjob(), NS)
    env.advance(6 * 60 + 1)
    names = [f"hello-{MINUTE_0 + m}" for m in range(1, 7)]
    for i, name in enumerate(names):
        finish(env, name, "Complete", started=60.0 * (i + 1), finished=60.0 * (i + 1) + 5)
    env.advance(1)
    assert job_names(env) == names[3:]


def test_an_active_job_that_disappears_is_reported_missing() -> None:
    env = SimEnv()
    start(env)
    env.api.create("cronjobs", cronjob(concurrencyPolicy="Forbid"), NS)
    env.advance(60.5)
    first = f"hello-{MINUTE_0 + 1}"
    env.api.delete("jobs", first, NS)
    env.advance(1)
    assert ("Normal", "MissingJob", f"Active job went missing: {first}") in events(env)
    assert "active" not in status(env)


def test_a_job_it_did_not_create_is_unexpected_and_an_existing_name_is_adopted_into_active() -> None:
    env = SimEnv()
    start(env)
    cj = env.api.create("cronjobs", cronjob(), NS)
    name = f"hello-{MINUTE_0 + 1}"
    body = cronjob()["spec"]["jobTemplate"]
    env.api.create(
        "jobs",
        {"apiVersion": "batch/v1", "kind": "Job",
         "metadata": {"name": name, "namespace": NS, "ownerReferences": [
             {"apiVersion": "batch/v1", "kind": "CronJob", "name": "hello", "uid": cj["metadata"]["uid"], "controller": True}]},
         "spec": body["spec"]},
        NS,
    )
    env.advance(1)
    assert events(env, "UnexpectedJob") == [
        ("Warning", "UnexpectedJob", f"Saw a job that the controller did not create or forgot: {name}")
    ]
    env.advance(60)
    # the create at 00:01 meets the Job of that name, ours: it joins the active list, no new Job
    assert job_names(env) == [name]
    assert [r["name"] for r in status(env)["active"]] == [name]
    assert events(env, "SuccessfulCreate") == []


@pytest.fixture
def unvalidated(monkeypatch: pytest.MonkeyPatch) -> None:
    """CronJobs the API server would refuse today (a bad schedule or zone, a TZ prefix) can still
    be in a cluster, stored by an older server: the controller's own handling of them is tested
    by letting them through validation."""
    from reference_impl.apiserver import validation

    monkeypatch.setitem(validation._CREATE, "CronJob", lambda errs, obj: None)
    monkeypatch.setitem(validation._UPDATE, "CronJob", lambda errs, obj, old: None)


def test_an_unparseable_schedule_is_reported_and_nothing_runs(unvalidated: None) -> None:
    env = SimEnv()
    start(env)
    env.api.create("cronjobs", cronjob(schedule="61 * * * *"), NS)
    env.advance(120)
    assert job_names(env) == []
    assert events(env) == [
        ("Warning", "UnparseableSchedule", 'unparseable schedule: "61 * * * *" : end of range (61) above maximum (59): 61')
    ]


def test_a_schedule_changed_to_an_unparseable_one_is_reported_on_update(unvalidated: None) -> None:
    env = SimEnv()
    start(env)
    env.api.create("cronjobs", cronjob(), NS)
    env.advance(1)
    env.api.patch("cronjobs", "hello", {"spec": {"schedule": "* * *"}}, "merge", NS)
    env.advance(1)
    assert ("Warning", "UnParseableCronJobSchedule", "unparseable schedule for cronjob: * * *") in events(env)


def test_a_tz_prefix_in_the_schedule_is_used_with_a_warning(unvalidated: None) -> None:
    env = SimEnv()
    start(env)
    env.api.create("cronjobs", cronjob(schedule="CRON_TZ=UTC 2 * * * *"), NS)
    env.advance(2 * 60 + 1)
    assert job_names(env) == [f"hello-{MINUTE_0 + 2}"]
    warning = ('CRON_TZ or TZ used in schedule "CRON_TZ=UTC 2 * * * *" is not officially supported, see '
               "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details")
    assert ("Warning", "UnsupportedSchedule", warning) in events(env)


def test_an_unknown_time_zone_is_reported_and_nothing_runs(unvalidated: None) -> None:
    env = SimEnv()
    start(env)
    env.api.create("cronjobs", cronjob(timeZone="Mars/Olympus_Mons"), NS)
    env.advance(120)
    assert job_names(env) == []
    assert events(env) == [
        ("Warning", "UnknownTimeZone", 'invalid timeZone: "Mars/Olympus_Mons": unknown time zone Mars/Olympus_Mons')
    ]


def test_a_restarted_controller_does_not_create_a_time_twice() -> None:
    env = SimEnv()
    cm, _ = start(env)
    env.api.create("cronjobs", cronjob(), NS)
    env.advance(60.5)
    cm.stop()
    start(env)
    env.advance(1)
    assert job_names(env) == [f"hello-{MINUTE_0 + 1}"]
    assert events(env, "UnexpectedJob") == []
    env.advance(60)
    assert job_names(env) == [f"hello-{MINUTE_0 + m}" for m in (1, 2)]
