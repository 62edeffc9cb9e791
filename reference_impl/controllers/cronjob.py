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
import math
import re
import zoneinfo
from dataclasses import dataclass
from typing import Any, Protocol

from reference_impl.apiserver import ApiError
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
_GO_ZERO_UNIX = -62135596800  # Go's zero time.Time (January 1, year 1, UTC): Next found nothing
_UNIX_ORDINAL = _dt.date(1970, 1, 1).toordinal()
_UTC = _dt.UTC
# kube-controller-manager reads schedules without a time zone in its own local zone (time.Local);
# the reference's control plane runs in UTC.
CLUSTER_TIME_ZONE: _dt.tzinfo = _UTC


# -- Go's time package, as far as schedules need it -----------------------------------------------
class UnknownTimeZone(ValueError):
    """``time.LoadLocation`` failed; the message is Go's."""


def load_location(name: str) -> _dt.tzinfo:
    """``time.LoadLocation``: ``""`` and ``UTC`` are UTC, ``Local`` the process's zone, else IANA data."""
    if name in ("", "UTC"):
        return _UTC
    if name == "Local":
        return CLUSTER_TIME_ZONE
    if ".." in name or name[0] in "/\\":
        raise UnknownTimeZone("time: invalid location name")
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise UnknownTimeZone(f"unknown time zone {name}") from None


def _offset_s(t: int, tz: _dt.tzinfo) -> int:
    """The zone's UTC offset at the instant ``t`` (Unix seconds)."""
    off = _dt.datetime.fromtimestamp(t, tz).utcoffset()
    return int(off.total_seconds()) if off is not None else 0


def _go_date(year: int, month: int, day: int, hour: int, minute: int, second: int, tz: _dt.tzinfo) -> int:
    """``time.Date``: out-of-range fields normalise; a skipped or repeated wall time resolves as Go does.

    Go looks up the zone offset at the wall time read as UTC, then once more at the instant that
    offset gives; the result differs from Python's ``fold=0`` rule (in zones east of UTC a repeated
    time is taken at its second occurrence, in zones west of UTC a skipped time moves back an hour).
    """
    carry, m0 = divmod(month - 1, 12)
    days = _dt.date(year + carry, m0 + 1, 1).toordinal() - _UNIX_ORDINAL + day - 1
    wall = days * 86400 + hour * 3600 + minute * 60 + second
    off = _offset_s(wall, tz)
    if off:
        off = _offset_s(wall - off, tz)
    return wall - off


def _civil(t: int, tz: _dt.tzinfo) -> _dt.datetime:
    """A time's calendar fields in one zone (Go's ``t.In(tz)``)."""
    return _dt.datetime.fromtimestamp(t, tz)


def _weekday(d: _dt.datetime) -> int:
    """Go's ``t.Weekday()``: Sunday is 0."""
    return (d.weekday() + 1) % 7


def format_rfc3339(t: float, tz: _dt.tzinfo) -> str:
    """Go's ``t.In(tz).Format(time.RFC3339)``: ``Z`` at a zero offset, else ``±hh:mm``."""
    d = _dt.datetime.fromtimestamp(math.floor(t), tz)
    off = int((d.utcoffset() or _dt.timedelta()).total_seconds())
    if off == 0:
        return d.strftime("%Y-%m-%dT%H:%M:%SZ")
    sign = "+" if off > 0 else "-"
    hh, mm = divmod(abs(off) // 60, 60)
    return f"{d.strftime('%Y-%m-%dT%H:%M:%S')}{sign}{hh:02d}:{mm:02d}"


def format_rfc1123z(t: float) -> str:
    """Go's ``t.UTC().Format(time.RFC1123Z)``: ``Mon, 02 Jan 2006 15:04:05 +0000``."""
    return _dt.datetime.fromtimestamp(math.floor(t), _UTC).strftime("%a, %d %b %Y %H:%M:%S +0000")


_DURATION_UNITS_NS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 10**9,
                      "m": 60 * 10**9, "h": 3600 * 10**9}
_DURATION_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)([^0-9.]*)")


def parse_go_duration(text: str) -> int:
    """``time.ParseDuration`` in nanoseconds (``1h30m``, ``1.5s``, ``-2m``); errors carry Go's text."""
    orig, s = text, text
    neg = False
    if s[:1] in ("+", "-"):
        neg, s = s[0] == "-", s[1:]
    if s == "0":
        return 0
    if not s:
        raise ValueError(f'time: invalid duration "{orig}"')
    total = 0
    while s:
        m = _DURATION_PART.match(s)
        number, unit = (m.group(1), m.group(2)) if m else ("", "")
        if number in ("", "."):
            raise ValueError(f'time: invalid duration "{orig}"')
        if not unit:
            raise ValueError(f'time: missing unit in duration "{orig}"')
        scale = _DURATION_UNITS_NS.get(unit)
        if scale is None:
            raise ValueError(f'time: unknown unit "{unit}" in duration "{orig}"')
        whole, _, frac = number.partition(".")
        total += int(whole or "0") * scale
        if frac:
            total += int(frac) * scale // 10 ** len(frac)
        s = s[len(number) + len(unit):]
    if total > 2**63 - 1:
        raise ValueError(f'time: invalid duration "{orig}"')
    return -total if neg else total


# -- robfig/cron/v3 -------------------------------------------------------------------------------
class CronSyntaxError(ValueError):
    """``cron.ParseStandard`` refused the schedule; the message is the library's."""


class Schedule(Protocol):
    def next(self, t: float) -> int:
        """The first activation after ``t`` (Unix seconds), or Go's zero time when there is none."""
        ...


_STAR_BIT = 1 << 63  # set when a field was written "*" or "?": the day-of-month/day-of-week rule


@dataclass(frozen=True)
class _Bounds:
    low: int
    high: int
    names: dict[str, int] | None = None


_SECONDS = _Bounds(0, 59)
_MINUTES = _Bounds(0, 59)
_HOURS = _Bounds(0, 23)
_DOM = _Bounds(1, 31)
_MONTHS = _Bounds(1, 12, {m: i + 1 for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"))})
_DOW = _Bounds(0, 6, {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))})
_ATOI = re.compile(r"[+-]?[0-9]+")


def _get_bits(low: int, high: int, step: int) -> int:
    return sum(1 << i for i in range(low, high + 1, step))


def _all(b: _Bounds) -> int:
    return _get_bits(b.low, b.high, 1) | _STAR_BIT


def _must_parse_int(expr: str) -> int:
    if not _ATOI.fullmatch(expr):
        raise CronSyntaxError(f'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": invalid syntax')
    num = int(expr)
    if not -(2**63) <= num < 2**63:
        raise CronSyntaxError(f'failed to parse int from {expr}: strconv.Atoi: parsing "{expr}": value out of range')
    if num < 0:
        raise CronSyntaxError(f"negative number ({num}) not allowed: {expr}")
    return num


def _parse_int_or_name(expr: str, names: dict[str, int] | None) -> int:
    if names is not None and expr.lower() in names:
        return names[expr.lower()]
    return _must_parse_int(expr)


def _get_range(expr: str, b: _Bounds) -> int:
    """``getRange``: ``*``/``?``, ``N``, ``N-M``, each with an optional ``/step``."""
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    single_digit = len(low_and_high) == 1
    extra = 0
    if low_and_high[0] in ("*", "?"):
        start, end, extra = b.low, b.high, _STAR_BIT
    else:
        start = _parse_int_or_name(low_and_high[0], b.names)
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            end = _parse_int_or_name(low_and_high[1], b.names)
        else:
            raise CronSyntaxError(f"too many hyphens: {expr}")
    if len(range_and_step) == 1:
        step = 1
    elif len(range_and_step) == 2:
        step = _must_parse_int(range_and_step[1])
        if single_digit:
            end = b.high  # "N/step" means "N-max/step"
        if step > 1:
            extra = 0  # "*/2" is not a star for the day rule
    else:
        raise CronSyntaxError(f"too many slashes: {expr}")
    if start < b.low:
        raise CronSyntaxError(f"beginning of range ({start}) below minimum ({b.low}): {expr}")
    if end > b.high:
        raise CronSyntaxError(f"end of range ({end}) above maximum ({b.high}): {expr}")
    if start > end:
        raise CronSyntaxError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise CronSyntaxError(f"step of range should be a positive number: {expr}")
    return _get_bits(start, end, step) | extra


def _get_field(field: str, b: _Bounds) -> int:
    bits = 0
    for expr in field.split(","):
        if expr:  # strings.FieldsFunc drops empty elements
            bits |= _get_range(expr, b)
    return bits


@dataclass(frozen=True)
class SpecSchedule:
    """A crontab schedule as bit sets, in ``location`` (``None``: the time zone of the time asked about)."""

    second: int
    minute: int
    hour: int
    dom: int
    month: int
    dow: int
    location: _dt.tzinfo | None = None

    def _day_matches(self, c: _dt.datetime) -> bool:
        dom_match = bool((1 << c.day) & self.dom)
        dow_match = bool((1 << _weekday(c)) & self.dow)
        if self.dom & _STAR_BIT or self.dow & _STAR_BIT:
            return dom_match and dow_match
        return dom_match or dow_match  # both restricted: either one will do, as in Vixie cron

    def next(self, t: float) -> int:
        """``SpecSchedule.Next``, field by field in the schedule's zone, wrapping back to the month."""
        if t <= _GO_ZERO_UNIX:
            return _GO_ZERO_UNIX
        # times asked about are in the controller manager's zone (time.Local)
        loc = self.location or CLUSTER_TIME_ZONE
        now = math.floor(t) + 1  # the upcoming whole second
        added = False
        year_limit = _civil(now, loc).year + 5
        while True:  # WRAP
            c = _civil(now, loc)
            if c.year > year_limit:
                return _GO_ZERO_UNIX
            wrapped = False
            while not (1 << c.month) & self.month:
                if not added:
                    added = True
                    now = _go_date(c.year, c.month, 1, 0, 0, 0, loc)
                    c = _civil(now, loc)
                now = _go_date(c.year, c.month + 1, c.day, c.hour, c.minute, c.second, loc)  # AddDate(0, 1, 0)
                c = _civil(now, loc)
                if c.month == 1:
                    wrapped = True
                    break
            if wrapped:
                continue
            while not self._day_matches(c):
                if not added:
                    added = True
                    now = _go_date(c.year, c.month, c.day, 0, 0, 0, loc)
                    c = _civil(now, loc)
                now = _go_date(c.year, c.month, c.day + 1, c.hour, c.minute, c.second, loc)  # AddDate(0, 0, 1)
                c = _civil(now, loc)
                # where DST moved midnight, get back to it: forward from 23:00, back from 01:00
                if c.hour != 0:
                    now += (24 - c.hour) * 3600 if c.hour > 12 else -c.hour * 3600
                    c = _civil(now, loc)
                if c.day == 1:
                    wrapped = True
                    break
            if wrapped:
                continue
            while not (1 << c.hour) & self.hour:
                if not added:
                    added = True
                    now = _go_date(c.year, c.month, c.day, c.hour, 0, 0, loc)
                now += 3600
                c = _civil(now, loc)
                if c.hour == 0:
                    wrapped = True
                    break
            if wrapped:
                continue
            while not (1 << c.minute) & self.minute:
                if not added:
                    added = True
                    now -= now % 60  # Truncate(time.Minute): on absolute time, not in the zone
                now += 60
                c = _civil(now, loc)
                if c.minute == 0:
                    wrapped = True
                    break
            if wrapped:
                continue
            while not (1 << c.second) & self.second:
                added = True
                now += 1
                c = _civil(now, loc)
                if c.second == 0:
                    wrapped = True
                    break
            if wrapped:
                continue
            return now


@dataclass(frozen=True)
class ConstantDelaySchedule:
    """``@every <duration>``: the duration rounded down to whole seconds, at least one."""

    delay_s: int

    def next(self, t: float) -> int:
        if t <= _GO_ZERO_UNIX:
            return _GO_ZERO_UNIX
        return math.floor(t) + self.delay_s


def _every(duration_ns: int) -> ConstantDelaySchedule:
    return ConstantDelaySchedule(max(duration_ns, 10**9) // 10**9)


def _at_midnight(*, dom: int, month: int, dow: int, loc: _dt.tzinfo | None) -> SpecSchedule:
    return SpecSchedule(second=1, minute=1, hour=1, dom=dom, month=month, dow=dow, location=loc)  # 00:00:00


def _descriptor(spec: str, loc: _dt.tzinfo | None) -> Schedule:
    if spec in ("@yearly", "@annually"):
        return _at_midnight(dom=1 << 1, month=1 << 1, dow=_all(_DOW), loc=loc)
    if spec == "@monthly":
        return _at_midnight(dom=1 << 1, month=_all(_MONTHS), dow=_all(_DOW), loc=loc)
    if spec == "@weekly":
        return _at_midnight(dom=_all(_DOM), month=_all(_MONTHS), dow=1 << 0, loc=loc)
    if spec in ("@daily", "@midnight"):
        return _at_midnight(dom=_all(_DOM), month=_all(_MONTHS), dow=_all(_DOW), loc=loc)
    if spec == "@hourly":
        return SpecSchedule(second=1, minute=1, hour=_all(_HOURS), dom=_all(_DOM), month=_all(_MONTHS),
                            dow=_all(_DOW), location=loc)
    if spec.startswith("@every "):
        try:
            return _every(parse_go_duration(spec[len("@every "):]))
        except ValueError as e:
            raise CronSyntaxError(f"failed to parse duration {spec}: {e}") from None
    raise CronSyntaxError(f"unrecognized descriptor: {spec}")


def parse_standard(spec: str) -> Schedule:
    """``cron.ParseStandard``: minute, hour, day of month, month, day of week; or a descriptor."""
    if not spec:
        raise CronSyntaxError("empty spec string")
    loc: _dt.tzinfo | None = None
    if spec.startswith(("TZ=", "CRON_TZ=")):
        space, eq = spec.find(" "), spec.find("=")
        name = spec[eq + 1:space] if space >= 0 else spec[eq + 1:]
        if space < 0:
            raise CronSyntaxError(f"provided bad location {name}: no schedule after the time zone")
        try:
            loc = load_location(name)
        except UnknownTimeZone as e:
            raise CronSyntaxError(f"provided bad location {name}: {e}") from None
        spec = spec[space:].strip()
    if spec.startswith("@"):
        return _descriptor(spec, loc)
    fields = spec.split()
    if len(fields) != 5:
        raise CronSyntaxError(f"expected exactly 5 fields, found {len(fields)}: [{' '.join(fields)}]")
    return SpecSchedule(
        second=_get_field("0", _SECONDS),
        minute=_get_field(fields[0], _MINUTES),
        hour=_get_field(fields[1], _HOURS),
        dom=_get_field(fields[2], _DOM),
        month=_get_field(fields[3], _MONTHS),
        dow=_get_field(fields[4], _DOW),
        location=loc,
    )


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
    while t <= now and t != _GO_ZERO_UNIX:
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
