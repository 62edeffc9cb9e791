"""Cron schedules and the few Go ``time`` rules they need: ``github.com/robfig/cron/v3``'s
``ParseStandard`` and ``SpecSchedule.Next``, ``time.LoadLocation`` and ``time.Date``'s resolution of
wall-clock times a zone skips or repeats, as the CronJob controller and the CronJob validation
use them (moved out of ``controllers/cronjob.py`` so that the API server can validate schedules
with the same parser; see that module for what is modelled and left out).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import zoneinfo
from dataclasses import dataclass
from typing import Protocol

_UTC = _dt.UTC
_UNIX_ORDINAL = _dt.date(1970, 1, 1).toordinal()
GO_ZERO_UNIX = -62135596800  # Go's zero time.Time (January 1, year 1, UTC): Next found nothing
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
        if t <= GO_ZERO_UNIX:
            return GO_ZERO_UNIX
        # times asked about are in the controller manager's zone (time.Local)
        loc = self.location or CLUSTER_TIME_ZONE
        now = math.floor(t) + 1  # the upcoming whole second
        added = False
        year_limit = _civil(now, loc).year + 5
        while True:  # WRAP
            c = _civil(now, loc)
            if c.year > year_limit:
                return GO_ZERO_UNIX
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
        if t <= GO_ZERO_UNIX:
            return GO_ZERO_UNIX
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
