"""The CronJob controller (part of kube-controller-manager): Jobs made on a cron schedule.

Models ``pkg/controller/cronjob/cronjob_controllerv2.go`` (``sync``, ``syncCronJob``,
``cleanupFinishedJobs``, ``removeOldestJobs``, ``deleteJob``, ``formatSchedule``, the Job and
CronJob event handlers), ``utils.go`` (``mostRecentScheduleTime``, ``nextScheduleTimeDuration``,
``nextScheduleTime``, ``getJobFromTemplate2``, ``byJobStartTime``) and ``injection.go`` (Jobs are
created, read and deleted through the API, deletes with ``propagationPolicy: Background``), as of
v1.36, together with the schedule library it uses, ``github.com/robfig/cron/v3``
(``ParseStandard``: five fields, ``*``/``?``, ranges, steps, lists, month and weekday names,
the ``@yearly``/``@annually``/``@monthly``/``@weekly``/``@daily``/``@midnight``/``@hourly``
descriptors, ``@every <duration>``, a ``TZ=``/``CRON_TZ=`` prefix; ``SpecSchedule.Next`` with
its day-of-month/day-of-week OR rule and its walk through daylight-saving transitions, which
depends on how Go's ``time.Date`` resolves a wall-clock time that a zone skips or repeats —
modelled in :func:`_go_date`).

What it does, as upstream: every sync reconciles ``status.active`` with the Jobs whose controller
reference names the CronJob (``SawCompletedJob``, ``UnexpectedJob``, ``MissingJob``), keeps
``status.lastSuccessfulTime``, deletes the oldest finished Jobs beyond
``successfulJobsHistoryLimit``/``failedJobsHistoryLimit`` (``SuccessfulDelete``), and unless the
CronJob is suspended or being deleted, finds the most recent unmet schedule time since
``status.lastScheduleTime`` (else the creation time; no earlier than ``now -
startingDeadlineSeconds``), warns ``TooManyMissedTimes`` past 100 missed times, skips a time
past its starting deadline (``MissSchedule``; upstream's search already starts at the deadline,
so this branch is all but unreachable there too), honours ``concurrencyPolicy`` (``Forbid``:
``JobAlreadyActive``; ``Replace``: the active Jobs are deleted first) and creates the Job
``<cronjob>-<scheduled time in minutes since the Unix epoch>`` with the template's labels and
annotations, the ``batch.kubernetes.io/cronjob-scheduled-timestamp`` annotation (the scheduled
time in RFC 3339, in ``spec.timeZone``) and a controller reference (``SuccessfulCreate``). The
CronJob is requeued 100 ms after its next schedule time, on the simulated clock; that wake-up is
foreground work, so a cluster with a CronJob that is not suspended never settles. Schedules are
read in ``spec.timeZone`` (an IANA name, through :mod:`zoneinfo`), else in the controller
manager's local time zone, which is UTC here.

Left out: the ``CronJobCreationSkew``/job-deletion metrics and logging. Where upstream would
misbehave rather than answer, this model answers: a ``TZ=`` prefix without a space after it is an
unparseable schedule (robfig/cron slices out of range and panics), and the walk to the most recent
schedule time stops when the schedule has no further time within five years (upstream's loop does
not end there); ``Next`` from Go's zero time finds nothing (robfig/cron would search years 1 to 6).
"""

from __future__ import annotations

import copy
import datetime as _dt
import enum
from typing import Any

from reference_impl.apiserver import ApiError
from reference_impl.apiserver.cron import (
    CLUSTER_TIME_ZONE,
    GO_ZERO_UNIX,
    ConstantDelaySchedule,
    CronSyntaxError,
    Schedule,
    SpecSchedule,
    UnknownTimeZone,
    format_rfc1123z,
    format_rfc3339,
    load_location,
    parse_go_duration,
    parse_standard,
)
from reference_impl.client import Component, Unreachable, obj_key
from reference_impl.controllers._podutil import INDEX_NAMESPACE, controller_ref, ensure_index, namespace_index
from reference_impl.sim.clock import EPOCH, parse_rfc3339

Obj = dict[str, Any]

SCHEDULED_TIMESTAMP_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp"
NEXT_SCHEDULE_DELTA_S = 0.1  # nextScheduleDelta: requeue a little after the schedule time
MANY_MISSED = 100  # more missed start times than this is "too many"

MESSAGE_TOO_MANY_MISSED = (
    "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew"
)
MESSAGE_JOB_ALREADY_ACTIVE = "Not starting job because prior execution is running and concurrency policy is Forbid"

_EPOCH_UNIX = int(EPOCH.timestamp())  # the simulated clock counts from EPOCH; schedules from 1970
_UTC = _dt.UTC


# -- utils.go ---------------------------------------------------------------------------------------
class Missed(enum.Enum):
    """``missedSchedulesType``."""

    NONE = "none"
    FEW = "few"
    MANY = "many"


def _unix(stamp: Any) -> float | None:
    """An RFC 3339 timestamp as Unix seconds (schedules are reckoned from 1970, not the sim epoch)."""
    return None if not stamp else parse_rfc3339(str(stamp)) + _EPOCH_UNIX


def _stamp(t_unix: float) -> str:
    """``metav1.Time`` as it goes over the wire: whole seconds, UTC."""
    return format_rfc3339(t_unix, _UTC)


def most_recent_schedule_time(
    cj: Obj, now: float, schedule: Schedule, *, include_starting_deadline: bool
) -> tuple[float, int | None, Missed, str | None]:
    """``mostRecentScheduleTime``: (earliest time considered, most recent unmet time, how many missed, error)."""
    spec, status = cj.get("spec") or {}, cj.get("status") or {}
    earliest = _unix(cj["metadata"].get("creationTimestamp")) or 0.0
    last = _unix(status.get("lastScheduleTime"))
    if last is not None:
        earliest = last
    deadline_s = spec.get("startingDeadlineSeconds")
    if include_starting_deadline and deadline_s is not None:
        # nothing older than the deadline will be started anyway
        earliest = max(earliest, now - int(deadline_s))
    t1 = schedule.next(earliest)
    t2 = schedule.next(t1)
    if now < t1:
        return earliest, None, Missed.NONE, None
    if now < t2:
        return earliest, t1, Missed.NONE, None
    # a schedule that parses but never fires ("59 23 31 2 *") has no two times one second apart
    between = t2 - t1
    if between < 1:
        return earliest, None, Missed.NONE, "time difference between two schedules is less than 1 second"
    # upstream counts the missed times roughly, as the gaps that fit since t1, and only walks the last
    missed = int(now - t1) // between + 1
    most_recent: int | None = None
    t = schedule.next(t1 + (missed - 2) * between)
    while t <= now and t != GO_ZERO_UNIX:
        most_recent = t
        t = schedule.next(t)
    kind = Missed.MANY if missed > MANY_MISSED else Missed.FEW
    return earliest, most_recent, kind, None


def next_schedule_time_duration(cj: Obj, now: float, schedule: Schedule) -> float:
    """``nextScheduleTimeDuration``: seconds until 100 ms after the next schedule time."""
    earliest, most_recent, missed, err = most_recent_schedule_time(cj, now, schedule, include_starting_deadline=False)
    base: float
    if err is not None:
        base = now  # requeue at some point anyway: aim for the next slot from now
    elif most_recent is None:
        base = earliest if missed is Missed.NONE else now
    else:
        base = float(most_recent)
    return schedule.next(base) + NEXT_SCHEDULE_DELTA_S - now


def get_job_name(cj: Obj, scheduled: float) -> str:
    """``getJobName``: the scheduled time in minutes since the Unix epoch makes the name a lock."""
    return f"{cj['metadata']['name']}-{int(scheduled) // 60}"


def get_job_from_template(cj: Obj, scheduled: float) -> Obj:
    """``getJobFromTemplate2``: the template's labels, annotations and spec, the scheduled time, an owner."""
    spec = cj.get("spec") or {}
    template = spec.get("jobTemplate") or {}
    tmeta = template.get("metadata") or {}
    tz = load_location(spec.get("timeZone") or "")
    annotations = dict(tmeta.get("annotations") or {})
    annotations[SCHEDULED_TIMESTAMP_ANNOTATION] = format_rfc3339(scheduled, tz)
    meta: Obj = {"name": get_job_name(cj, scheduled)}
    labels = dict(tmeta.get("labels") or {})
    if labels:  # an empty map is omitted on the wire
        meta["labels"] = labels
    meta["annotations"] = annotations
    # (upstream also sends creationTimestamp: the scheduled time; the API server overwrites it)
    meta["ownerReferences"] = [
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "name": cj["metadata"]["name"],
            "uid": cj["metadata"]["uid"],
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta, "spec": copy.deepcopy(template.get("spec") or {})}


def finished_condition(job: Obj) -> str | None:
    """``jobutil.FinishedCondition``: ``Complete`` or ``Failed`` when true, the first one listed."""
    for c in (job.get("status") or {}).get("conditions") or []:
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return str(c["type"])
    return None


def is_job_succeeded(job: Obj) -> bool:
    return any(
        c.get("type") == "Complete" and c.get("status") == "True" for c in (job.get("status") or {}).get("conditions") or []
    )


def in_active_list(cj: Obj, uid: str) -> bool:
    return any(r.get("uid") == uid for r in (cj.get("status") or {}).get("active") or [])


def delete_from_active_list(cj: Obj, uid: str) -> None:
    status = cj.setdefault("status", {})
    active = [r for r in status.get("active") or [] if r.get("uid") != uid]
    if active:
        status["active"] = active
    else:
        status.pop("active", None)  # omitempty


def _job_start_key(job: Obj) -> tuple[bool, float, str]:
    """``byJobStartTime``: by ``status.startTime``, those without one last, then by name."""
    start = _unix((job.get("status") or {}).get("startTime"))
    return start is None, start or 0.0, job["metadata"]["name"]


def _object_reference(job: Obj) -> Obj:
    """``ref.GetReference`` of a created Job, in the order Go writes its fields."""
    meta = job["metadata"]
    return {
        "kind": "Job",
        "namespace": meta.get("namespace", ""),
        "name": meta["name"],
        "uid": meta.get("uid", ""),
        "apiVersion": "batch/v1",
        "resourceVersion": meta.get("resourceVersion", ""),
    }


def _is_namespace_terminating(e: ApiError) -> bool:
    causes = (e.details or {}).get("causes") or []
    return any(c.get("reason") == "NamespaceTerminating" for c in causes)


# -- the controller ---------------------------------------------------------------------------------
_Failure = ApiError | Unreachable | RuntimeError


class CronJobController:
    """Creates a CronJob's Jobs at its schedule times and keeps its status and history."""

    def __init__(self, ctx: Component) -> None:
        self.ctx = ctx

    def setup(self) -> None:
        ctx = self.ctx
        self.recorder = ctx.recorder_for("cronjob-controller")
        self.cronjobs = ctx.informers.informer("cronjobs")
        self.jobs = ctx.informers.informer("jobs")
        ensure_index(self.jobs, INDEX_NAMESPACE, namespace_index)
        self.queue = ctx.queue(self._process, name="cronjob")
        self.cronjobs.add_handler(self._enqueue, self._cronjob_updated, self._enqueue)
        self.jobs.add_handler(self._job_added, self._job_updated, self._job_deleted)

    def _now(self) -> float:
        return self.ctx.loop.now() + _EPOCH_UNIX

    # -- handlers -------------------------------------------------------------------------------
    def _enqueue(self, cj: Obj) -> None:
        self.queue.add(obj_key(cj))

    def _resolve(self, namespace: str, ref: Obj) -> Obj | None:
        """``resolveControllerRef``: the CronJob a controller reference names, if its uid matches."""
        if ref.get("kind") != "CronJob":
            return None
        cj = self.cronjobs.get_by(str(ref.get("name", "")), namespace)
        if cj is None or cj["metadata"].get("uid") != ref.get("uid"):
            return None
        return cj

    def _enqueue_owner(self, job: Obj, ref: Obj | None) -> None:
        if ref is None:
            return
        cj = self._resolve(job["metadata"].get("namespace", ""), ref)
        if cj is not None:
            self._enqueue(cj)

    def _job_added(self, job: Obj) -> None:
        if job["metadata"].get("deletionTimestamp"):
            # after a restart a Job may show up already being deleted: not a creation
            self._job_deleted(job)
            return
        self._enqueue_owner(job, controller_ref(job))

    def _job_updated(self, old: Obj, cur: Obj) -> None:
        if old["metadata"].get("resourceVersion") == cur["metadata"].get("resourceVersion"):
            return
        cur_ref, old_ref = controller_ref(cur), controller_ref(old)
        if cur_ref != old_ref and old_ref is not None:
            self._enqueue_owner(old, old_ref)
        self._enqueue_owner(cur, cur_ref)

    def _job_deleted(self, job: Obj) -> None:
        self._enqueue_owner(job, controller_ref(job))

    def _cronjob_updated(self, old: Obj, new: Obj) -> None:
        """``updateCronJob``: a new schedule or time zone requeues at its next time, anything else now."""
        old_spec, new_spec = old.get("spec") or {}, new.get("spec") or {}
        if old_spec.get("schedule") == new_spec.get("schedule") and old_spec.get("timeZone") == new_spec.get("timeZone"):
            self._enqueue(new)
            return
        try:
            schedule = parse_standard(self._format_schedule(new, warn=False))
        except CronSyntaxError:
            # a user's mistake: nothing to do until the spec changes again
            self.recorder.event(
                new, "Warning", "UnParseableCronJobSchedule", f"unparseable schedule for cronjob: {new_spec.get('schedule', '')}"
            )
            return
        self.queue.add_after(obj_key(new), next_schedule_time_duration(new, self._now(), schedule))

    def _process(self, key: str) -> None:
        requeue_s = self.sync(key)
        if requeue_s is not None:
            self.queue.forget(key)
            self.queue.add_after(key, requeue_s)

    # -- sync -------------------------------------------------------------------------------------
    def sync(self, key: str) -> float | None:
        """``sync``: returns when to look again; raises to be retried with back-off."""
        shared = self.cronjobs.get(key)
        if shared is None:
            return None
        jobs = self._jobs_to_reconcile(shared)
        # every change goes into one copy, written once
        cj = copy.deepcopy(shared)
        updated_by_cleanup = self._cleanup_finished_jobs(cj, jobs)
        requeue_s, updated_by_sync, err = self._sync_cronjob(cj, jobs)
        if updated_by_cleanup or updated_by_sync:
            self.ctx.client.update_status("cronjobs", cj, cj["metadata"]["namespace"])
        if requeue_s is not None:
            return requeue_s
        if err is not None:
            raise err
        return None  # suspended, being deleted, or a schedule to fix: nothing until the next change

    def _jobs_to_reconcile(self, cj: Obj) -> list[Obj]:
        """``getJobsToBeReconciled``: the namespace's Jobs whose controller reference has the CronJob's name."""
        name = cj["metadata"]["name"]
        out = []
        for job in self.jobs.by_index(INDEX_NAMESPACE, cj["metadata"]["namespace"]):
            ref = controller_ref(job)
            if ref is not None and ref.get("name") == name:
                out.append(job)
        return sorted(out, key=lambda j: str(j["metadata"]["name"]))

    def _format_schedule(self, cj: Obj, *, warn: bool) -> str:
        """``formatSchedule``: a ``TZ=`` in the schedule wins (with a warning), else ``spec.timeZone``."""
        spec = cj.get("spec") or {}
        schedule = str(spec.get("schedule") or "")
        if "TZ" in schedule:
            if warn:
                self.recorder.event(
                    cj, "Warning", "UnsupportedSchedule",
                    f'CRON_TZ or TZ used in schedule "{schedule}" is not officially supported, see '
                    "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details",
                )
            return schedule
        tz = spec.get("timeZone")
        if tz is not None:
            try:
                load_location(str(tz))
            except UnknownTimeZone:
                return schedule
            return f"TZ={tz} {schedule}"
        return schedule

    def _sync_cronjob(self, cj: Obj, jobs: list[Obj]) -> tuple[float | None, bool, _Failure | None]:
        """``syncCronJob``: (requeue after, whether the status changed, the error to retry on)."""
        now = self._now()
        client = self.ctx.client
        meta = cj["metadata"]
        ns, name = meta["namespace"], meta["name"]
        update = False
        children: set[str] = set()
        for job in jobs:
            uid = job["metadata"]["uid"]
            children.add(uid)
            found = in_active_list(cj, uid)
            finished = finished_condition(job)
            if not found and finished is None:
                # maybe our own status write is just not in the cache yet: ask the API server
                try:
                    fresh = client.get("cronjobs", name, ns)
                except (ApiError, Unreachable) as e:
                    return None, update, e
                if in_active_list(fresh, uid):
                    cj = fresh  # (upstream goes on with the fresh copy; the status written is still ours)
                    continue
                self.recorder.event(
                    cj, "Warning", "UnexpectedJob",
                    f"Saw a job that the controller did not create or forgot: {job['metadata']['name']}",
                )
            elif finished is not None:
                if found:
                    delete_from_active_list(cj, uid)
                    self.recorder.event(
                        cj, "Normal", "SawCompletedJob", f"Saw completed job: {job['metadata']['name']}, condition: {finished}"
                    )
                    update = True
                if is_job_succeeded(job):
                    # a succeeded Job counts whether or not it was in the active list
                    status = cj.setdefault("status", {})
                    completed = (job.get("status") or {}).get("completionTime")
                    last = _unix(status.get("lastSuccessfulTime"))
                    if last is None:
                        if completed is not None:
                            status["lastSuccessfulTime"] = completed
                        update = True
                    elif completed is not None and (_unix(completed) or 0.0) > last:
                        status["lastSuccessfulTime"] = completed
                        update = True

        # an active Job that is gone would keep the CronJob "active" for ever
        for ref in list((cj.get("status") or {}).get("active") or []):
            if ref.get("uid") in children:
                continue
            try:
                # the API server, not the cache: a slow watch must not make a Job look missing
                client.get("jobs", str(ref.get("name", "")), str(ref.get("namespace") or ns))
            except ApiError as e:
                if e.code != 404:
                    return None, update, e
                self.recorder.event(cj, "Normal", "MissingJob", f"Active job went missing: {ref.get('name', '')}")
                delete_from_active_list(cj, str(ref.get("uid", "")))
                update = True
            except Unreachable as e:
                return None, update, e

        meta = cj["metadata"]  # (cj may be the fresh copy now)
        if meta.get("deletionTimestamp"):
            return None, update, None  # being deleted: the status only
        spec = cj.get("spec") or {}
        tz = spec.get("timeZone")
        if tz is not None:
            try:
                load_location(str(tz))
            except UnknownTimeZone as e:
                self.recorder.event(cj, "Warning", "UnknownTimeZone", f'invalid timeZone: "{tz}": {e}')
                return None, update, None
        if spec.get("suspend"):
            return None, update, None
        try:
            schedule = parse_standard(self._format_schedule(cj, warn=True))
        except CronSyntaxError as e:
            self.recorder.event(
                cj, "Warning", "UnparseableSchedule", f'unparseable schedule: "{spec.get("schedule", "")}" : {e}'
            )
            return None, update, None

        _, scheduled, missed, err = most_recent_schedule_time(cj, now, schedule, include_starting_deadline=True)
        if scheduled is not None and missed is Missed.MANY:
            self.recorder.event(cj, "Warning", "TooManyMissedTimes", MESSAGE_TOO_MANY_MISSED)
        if scheduled is None and err is not None:
            self.recorder.event(cj, "Warning", "InvalidSchedule", f"invalid schedule: {spec.get('schedule', '')} : {err}")
            return None, update, None
        if scheduled is None:
            # nothing unmet: only after a restart, else the queue wakes us at a schedule time
            return next_schedule_time_duration(cj, now, schedule), update, None

        deadline_s = spec.get("startingDeadlineSeconds")
        if deadline_s is not None and scheduled + int(deadline_s) < now:
            self.recorder.event(
                cj, "Warning", "MissSchedule", f"Missed scheduled time to start a job: {format_rfc1123z(scheduled)}"
            )
            return next_schedule_time_duration(cj, now, schedule), update, None
        job_name = get_job_name(cj, scheduled)
        status = cj.get("status") or {}
        if any(r.get("name") == job_name and r.get("namespace") == ns for r in status.get("active") or []) or (
            _unix(status.get("lastScheduleTime")) == scheduled
        ):
            return next_schedule_time_duration(cj, now, schedule), update, None
        policy = spec.get("concurrencyPolicy") or "Allow"
        if policy == "Forbid" and status.get("active"):
            # the active list can lag behind, so Forbid is best-effort: as upstream
            self.recorder.event(cj, "Normal", "JobAlreadyActive", MESSAGE_JOB_ALREADY_ACTIVE)
            return next_schedule_time_duration(cj, now, schedule), update, None
        if policy == "Replace":
            for ref in list(status.get("active") or []):
                try:
                    running = client.get("jobs", str(ref.get("name", "")), str(ref.get("namespace") or ns))
                except (ApiError, Unreachable) as e:
                    self.recorder.event(cj, "Warning", "FailedGet", f"Get job: {_error_text(e)}")
                    return None, update, e
                if not self._delete_job(cj, running):
                    return None, update, RuntimeError(f"could not replace job {ns}/{running['metadata']['name']}")
                update = True

        request = get_job_from_template(cj, scheduled)
        already_exists = False
        try:
            created = client.create("jobs", request, ns)
        except ApiError as e:
            if _is_namespace_terminating(e):
                return None, update, e  # every create fails there: nothing to report
            if e.code != 409 or e.reason != "AlreadyExists":
                self.recorder.event(cj, "Warning", "FailedCreate", f"Error creating job: {e.message}")
                return None, update, e
            # made by us before a status write that failed, or by someone else
            already_exists = True
            try:
                created = client.get("jobs", job_name, ns)
            except (ApiError, Unreachable) as e2:
                return None, update, e2
            ref = controller_ref(created)
            if ref is None or ref.get("uid") != meta.get("uid"):
                return None, update, None  # someone else's: they keep its status
            if in_active_list(cj, created["metadata"]["uid"]):
                return None, update, None
        except Unreachable as e:
            self.recorder.event(cj, "Warning", "FailedCreate", f"Error creating job: {e}")
            return None, update, e
        if not already_exists:
            self.recorder.event(cj, "Normal", "SuccessfulCreate", f"Created job {created['metadata']['name']}")

        # The job name is the lock: were this write lost, the next sync would find the Job by name.
        status = cj.setdefault("status", {})
        status["active"] = [*(status.get("active") or []), _object_reference(created)]
        status["lastScheduleTime"] = _stamp(scheduled)
        return next_schedule_time_duration(cj, now, schedule), True, None

    def _delete_job(self, cj: Obj, job: Obj) -> bool:
        """``deleteJob``: the Job (its pods in the background) and its entry in the active list."""
        meta = job["metadata"]
        try:
            self.ctx.client.delete("jobs", meta["name"], meta["namespace"], propagation_policy="Background")
        except (ApiError, Unreachable) as e:
            self.recorder.event(cj, "Warning", "FailedDelete", f"Deleted job: {_error_text(e)}")
            return False
        delete_from_active_list(cj, meta["uid"])
        self.recorder.event(cj, "Normal", "SuccessfulDelete", f"Deleted job {meta['name']}")
        return True

    def _cleanup_finished_jobs(self, cj: Obj, jobs: list[Obj]) -> bool:
        """``cleanupFinishedJobs``: the oldest finished Jobs past the history limits go."""
        spec = cj.get("spec") or {}
        successful_limit = spec.get("successfulJobsHistoryLimit")
        failed_limit = spec.get("failedJobsHistoryLimit")
        if successful_limit is None and failed_limit is None:
            return False
        successful = [j for j in jobs if finished_condition(j) == "Complete"]
        failed = [j for j in jobs if finished_condition(j) == "Failed"]
        update = False
        for limit, finished in ((successful_limit, successful), (failed_limit, failed)):
            if limit is None or len(finished) <= int(limit):
                continue
            for job in sorted(finished, key=_job_start_key)[: len(finished) - int(limit)]:
                if self._delete_job(cj, job):
                    update = True
        return update


def _error_text(e: BaseException) -> str:
    return e.message if isinstance(e, ApiError) else str(e)


__all__ = [
    "CLUSTER_TIME_ZONE",
    "SCHEDULED_TIMESTAMP_ANNOTATION",
    "ConstantDelaySchedule",
    "CronJobController",
    "CronSyntaxError",
    "Missed",
    "SpecSchedule",
    "UnknownTimeZone",
    "get_job_from_template",
    "get_job_name",
    "load_location",
    "most_recent_schedule_time",
    "next_schedule_time_duration",
    "parse_go_duration",
    "parse_standard",
]
