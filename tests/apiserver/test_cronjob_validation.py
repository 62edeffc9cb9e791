"""CronJob schedules and time zones validated as kube-apiserver v1.36.3 does
(``validateScheduleFormat``/``validateTimeZone`` of ``pkg/apis/batch/validation``, with
robfig/cron's parser): each expected cause is the real server's answer to the same create."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.apiserver import ApiError, APIServer
from reference_impl.sim import EventLoop, SeededRandom
from reference_impl.store import MemoryStore

CASES: list[tuple[str, str | None, list[tuple[str, str]]]] = [
    ('* * * *', None, [('spec.schedule', 'Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]')]),
    ('61 * * * *', None, [('spec.schedule', 'Invalid value: "61 * * * *": end of range (61) above maximum (59): 61')]),
    ('TZ=UTC * * * * *', None, [('spec.schedule', 'Invalid value: "TZ=UTC * * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead')]),
    ('* * * * *', '', [('spec.timeZone', 'Invalid value: "": timeZone must be nil or non-empty string')]),
    ('* * * * *', 'Local', [('spec.timeZone', 'Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')]),
    ('* * * * *', 'local', [('spec.timeZone', 'Invalid value: "local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'), ('spec.timeZone', 'Invalid value: "local": unknown time zone local')]),
    ('* * * * *', 'Foo/Bar', [('spec.timeZone', 'Invalid value: "Foo/Bar": unknown time zone Foo/Bar')]),
    ('* * * * *', 'utc', [('spec.timeZone', 'Invalid value: "utc": unknown time zone utc')]),
    ('@every 5m', None, []),
    ('@bogus', None, [('spec.schedule', 'Invalid value: "@bogus": unrecognized descriptor: @bogus')]),
    ('*/0 * * * *', None, [('spec.schedule', 'Invalid value: "*/0 * * * *": step of range should be a positive number: */0')]),
    ('* * * * *', 'Europe/Berlin', []),
]


def _cronjob(schedule: str, time_zone: str | None) -> dict[str, Any]:
    spec: dict[str, Any] = {"schedule": schedule, "jobTemplate": {"spec": {"template": {"spec": {
        "restartPolicy": "Never", "containers": [{"name": "c", "image": "i"}]}}}}}
    if time_zone is not None:
        spec["timeZone"] = time_zone
    return {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "x"}, "spec": spec}


@pytest.mark.parametrize(("schedule", "time_zone", "causes"), CASES)
def test_schedule_and_time_zone(schedule: str, time_zone: str | None, causes: list[tuple[str, str]]) -> None:
    api = APIServer(MemoryStore(), EventLoop(), SeededRandom(1))
    try:
        api.create("cronjobs", _cronjob(schedule, time_zone), "default", dry_run=True)
        got: list[tuple[str, str]] = []
    except ApiError as e:
        got = [(c["field"], c["message"]) for c in e.status["details"]["causes"]]
    assert got == causes


def test_a_stored_tz_prefix_may_stay_but_not_beside_a_time_zone() -> None:
    """ValidateCronJobUpdate's AllowTZInSchedule: only when the stored schedule had one."""
    api = APIServer(MemoryStore(), EventLoop(), SeededRandom(1))
    api.create("cronjobs", _cronjob("* * * * *", None), "default")
    stored = api.get("cronjobs", "x", "default")
    stored["spec"]["schedule"] = "TZ=UTC * * * * *"
    with pytest.raises(ApiError) as e:
        api.update("cronjobs", stored, "default")
    assert "use timeZone field instead" in e.value.status["details"]["causes"][0]["message"]
