"""The runtime contract's cases, and the check that one backend plays a case as the contract says.

``kconform/upstream/runtime_contract.yaml`` lists named cases: a pod spec fragment
(``containers``, ``initContainers``, ``restartPolicy``, grace period) and what a client must then
see — the pod's phase and Ready condition, each container's state, reason, exit code, restart
count, readiness and last termination — with bounds on when: no sooner than ``not_before_s``
(a ``sleep 3`` cannot finish in 1 s), no later than ``within_s`` after the pod was applied,
still so ``stays_s`` later when the outcome is a steady state, and optionally how a deletion
then goes (a shell that ignores SIGTERM holds its pod for the grace period).
``docs/runtime-contract.md`` is the same contract in prose.

:func:`check_case` runs one case against any :class:`kconform.backends.base.Cluster` — the
reference (simulated time) and the real control plane with kwok (wall time) alike — through
``apply``/``get``/``wait_until``/``delete`` only, and says why it failed in one line.

Leaves out: Events (kwok's stages emit none per transition, see the document), logs, and
timing finer than a second (both backends are polled once a second at most).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kconform.backends.base import Cluster, Manifest, Snapshot
from kconform.errors import InvalidArgument

CASES_PATH = Path(__file__).with_name("runtime_contract.yaml")
CASE_LABEL = "kconform.io/runtime-contract-case"
MANAGED_BY = {"app.kubernetes.io/managed-by": "kconform"}
POD_FIELDS = frozenset({"containers", "initContainers", "restartPolicy", "terminationGracePeriodSeconds"})
CONTAINER_KEYS = frozenset(
    {"state", "reason", "exitCode", "restartCount", "restartCountAtLeast", "ready", "started", "lastState"}
)
EXPECT_KEYS = frozenset({"phase", "ready", "conditions", "containers", "initContainers"})
STATES = ("running", "waiting", "terminated")


@dataclass(frozen=True)
class Deletion:
    """After the outcome holds, delete the pod: it is gone within ``gone_within_s``, not before ``gone_not_before_s``."""

    gone_within_s: float
    gone_not_before_s: float = 0.0


@dataclass(frozen=True)
class Case:
    """One named case of the contract: a pod and what a client sees of it."""

    name: str
    description: str
    pod: Mapping[str, Any]
    expect: Mapping[str, Any]
    within_s: float
    not_before_s: float = 0.0
    stays_s: float = 0.0
    delete: Deletion | None = None
    tags: tuple[str, ...] = field(default=())

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Case:
        """A case from the data file; InvalidArgument names what is wrong with it."""
        name = str(raw.get("name") or "")
        if not re.fullmatch(r"[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?", name):
            raise InvalidArgument(f"case name {name!r} must be a DNS label of at most 42 characters")
        pod = raw.get("pod")
        if not isinstance(pod, Mapping) or not pod.get("containers"):
            raise InvalidArgument(f"case {name}: 'pod' needs at least 'containers'")
        unknown = set(pod) - POD_FIELDS
        if unknown:
            raise InvalidArgument(f"case {name}: pod fields {sorted(unknown)} are not part of a case (allowed: {sorted(POD_FIELDS)})")
        expect = raw.get("expect")
        if not isinstance(expect, Mapping) or not expect:
            raise InvalidArgument(f"case {name}: 'expect' must say what a client sees")
        _validate_expect(name, expect, pod)
        if "within_s" not in raw:
            raise InvalidArgument(f"case {name}: 'within_s' (the bound on how long it takes) is required")
        delete = raw.get("delete")
        return cls(
            name=name,
            description=str(raw.get("description") or ""),
            pod=pod,
            expect=expect,
            within_s=float(raw["within_s"]),
            not_before_s=float(raw.get("not_before_s") or 0.0),
            stays_s=float(raw.get("stays_s") or 0.0),
            delete=Deletion(float(delete["gone_within_s"]), float(delete.get("gone_not_before_s") or 0.0))
            if delete
            else None,
            tags=tuple(raw.get("tags") or ()),
        )


def _validate_expect(name: str, expect: Mapping[str, Any], pod: Mapping[str, Any]) -> None:
    unknown = set(expect) - EXPECT_KEYS
    if unknown:
        raise InvalidArgument(f"case {name}: unknown expectations {sorted(unknown)} (known: {sorted(EXPECT_KEYS)})")
    for key in ("containers", "initContainers"):
        declared = {c.get("name") for c in pod.get(key) or []}
        for cname, want in (expect.get(key) or {}).items():
            if cname not in declared:
                raise InvalidArgument(f"case {name}: expectation for {key} {cname!r}, which the pod does not have")
            bad = set(want) - CONTAINER_KEYS
            if bad:
                raise InvalidArgument(f"case {name}: {key} {cname}: unknown keys {sorted(bad)} (known: {sorted(CONTAINER_KEYS)})")
            if "state" in want and want["state"] not in STATES:
                raise InvalidArgument(f"case {name}: {key} {cname}: state must be one of {STATES}")


@cache
def _load(path: Path) -> tuple[Case, ...]:
    raw = yaml.safe_load(path.read_text())
    items = raw.get("cases") if isinstance(raw, Mapping) else None
    if not isinstance(items, list):
        raise InvalidArgument(f"{path}: expected a mapping with a 'cases' list")
    cases = tuple(Case.from_dict(item) for item in items)
    names = [c.name for c in cases]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InvalidArgument(f"{path}: duplicate case names {dupes}")
    return cases


def load_cases(path: Path | None = None) -> tuple[Case, ...]:
    """Every case of the data file (``runtime_contract.yaml`` beside this module by default)."""
    return _load(Path(path or CASES_PATH).resolve())


def pod_manifest(case: Case, *, name: str | None = None, namespace: str | None = None) -> Manifest:
    """The bare Pod a case applies (no namespace: the backend's default one)."""
    meta: dict[str, Any] = {"name": name or f"rc-{case.name}", "labels": {**MANAGED_BY, CASE_LABEL: case.name}}
    if namespace:
        meta["namespace"] = namespace
    spec = {k: _plain(v) for k, v in case.pod.items()}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


# == what a client sees =========================================================================
def _state(status: Mapping[str, Any]) -> tuple[str, Mapping[str, Any]]:
    for name in STATES:
        detail = (status.get("state") or {}).get(name)
        if detail is not None:
            return name, detail
    return "none", {}


def _one_of(want: Any) -> tuple[Any, ...]:
    return tuple(want) if isinstance(want, list | tuple) else (want,)


def container_mismatch(status: Mapping[str, Any] | None, want: Mapping[str, Any]) -> str | None:
    """Why one container's status is not what ``want`` says (None when it is)."""
    if status is None:
        return "no status yet"
    state, detail = _state(status)
    if "state" in want and state != want["state"]:
        return f"state {state} {detail.get('reason', '')}".rstrip() + f", want {want['state']}"
    if "reason" in want and detail.get("reason") not in _one_of(want["reason"]):
        return f"{state} reason {detail.get('reason')!r}, want {' or '.join(map(str, _one_of(want['reason'])))}"
    if "exitCode" in want and detail.get("exitCode") != want["exitCode"]:
        return f"{state} exitCode {detail.get('exitCode')}, want {want['exitCode']}"
    restarts = int(status.get("restartCount") or 0)
    if "restartCount" in want and restarts != want["restartCount"]:
        return f"restartCount {restarts}, want {want['restartCount']}"
    if "restartCountAtLeast" in want and restarts < want["restartCountAtLeast"]:
        return f"restartCount {restarts}, want at least {want['restartCountAtLeast']}"
    for key in ("ready", "started"):
        if key in want and bool(status.get(key)) != bool(want[key]):
            return f"{key} {bool(status.get(key))}, want {bool(want[key])}"
    if "lastState" in want:
        last = (status.get("lastState") or {}).get("terminated") or {}
        for key, value in want["lastState"].items():
            if last.get(key) not in _one_of(value):
                return f"lastState.terminated.{key} {last.get(key)!r}, want {value!r}"
    return None


def _condition(pod: Mapping[str, Any], type_: str) -> str | None:
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c.get("type") == type_:
            return str(c.get("status"))
    return None


def pod_mismatch(pod: Mapping[str, Any] | None, expect: Mapping[str, Any]) -> str | None:
    """Why ``pod`` does not look as ``expect`` says (None when it does)."""
    if pod is None:
        return "the pod is gone"
    status = pod.get("status") or {}
    if "phase" in expect and status.get("phase") not in _one_of(expect["phase"]):
        return f"phase {status.get('phase')}, want {' or '.join(_one_of(expect['phase']))}"
    if "ready" in expect:
        ready = _condition(pod, "Ready") == "True"
        if ready != bool(expect["ready"]):
            return f"Ready {ready}, want {bool(expect['ready'])}"
    for type_, want in (expect.get("conditions") or {}).items():
        got = _condition(pod, type_)
        if got != str(want):
            return f"condition {type_} {got}, want {want}"
    for key, status_key in (("containers", "containerStatuses"), ("initContainers", "initContainerStatuses")):
        statuses = {s.get("name"): s for s in status.get(status_key) or []}
        for cname, want in (expect.get(key) or {}).items():
            why = container_mismatch(statuses.get(cname), want)
            if why is not None:
                return f"{'init container' if key == 'initContainers' else 'container'} {cname}: {why}"
    return None


# == running a case ===============================================================================
def _pod_in(snapshot: Snapshot, namespace: str, name: str) -> Manifest | None:
    for pod in snapshot.of("pods"):
        meta = pod.get("metadata") or {}
        if meta.get("namespace") == namespace and meta.get("name") == name:
            return pod
    return None


def _last(seen: list[str], why: str | None) -> bool:
    if why is not None:
        seen[:] = [why]
    return why is None


def check_case(cluster: Cluster, case: Case | Mapping[str, Any], *, name: str | None = None) -> str | None:
    """Apply the case's pod on ``cluster`` and check what it shows; None when it plays as the contract says.

    Otherwise a one-line reason: the last mismatch seen when the outcome did not come within
    ``within_s``, an outcome that came sooner than ``not_before_s`` or did not stay for
    ``stays_s``, or a deletion that took too long or too little. The pod is deleted at the end.
    """
    if not isinstance(case, Case):
        case = Case.from_dict(case)
    start = cluster.snapshot().time_s
    stored = cluster.apply(pod_manifest(case, name=name))
    meta = stored.get("metadata") or {}
    namespace, pod_name = str(meta.get("namespace") or "default"), str(meta.get("name"))
    try:
        return _check(cluster, case, namespace, pod_name, start)
    finally:
        if cluster.get("pods", pod_name, namespace) is not None:
            cluster.delete("pods", pod_name, namespace)


def _check(cluster: Cluster, case: Case, namespace: str, name: str, start_s: float) -> str | None:
    seen: list[str] = ["never observed"]

    def outcome(snap: Snapshot) -> bool:
        return _last(seen, pod_mismatch(_pod_in(snap, namespace, name), case.expect))

    snap = cluster.wait_until(outcome, timeout_s=case.within_s)
    if snap is None:
        return f"not within {case.within_s:g} s: {seen[0]}"
    took = snap.time_s - start_s
    if took < case.not_before_s:
        return f"after {took:.1f} s, sooner than the contract allows ({case.not_before_s:g} s)"
    if case.stays_s:
        broke = _first(cluster, lambda s: pod_mismatch(_pod_in(s, namespace, name), case.expect), case.stays_s)
        if broke is not None:
            return f"held, then within {case.stays_s:g} s: {broke}"
    if case.delete is not None:
        return _check_deletion(cluster, case.delete, namespace, name)
    return None


def _first(cluster: Cluster, mismatch: Callable[[Snapshot], str | None], timeout_s: float) -> str | None:
    """The first mismatch within ``timeout_s`` (None if the outcome held throughout)."""
    found: list[str] = []

    def broken(snap: Snapshot) -> bool:
        why = mismatch(snap)
        if why is not None:
            found.append(why)
        return why is not None

    cluster.wait_until(broken, timeout_s=timeout_s)
    return found[0] if found else None


def _check_deletion(cluster: Cluster, deletion: Deletion, namespace: str, name: str) -> str | None:
    start = cluster.snapshot().time_s
    cluster.delete("pods", name, namespace)
    snap = cluster.wait_until(lambda s: _pod_in(s, namespace, name) is None, timeout_s=deletion.gone_within_s)
    if snap is None:
        return f"deleted, still there after {deletion.gone_within_s:g} s"
    took = snap.time_s - start
    if took < deletion.gone_not_before_s:
        return f"deleted, gone after {took:.1f} s: sooner than its grace period allows ({deletion.gone_not_before_s:g} s)"
    return None


def check_cases(cluster: Cluster, cases: Sequence[Case] | None = None) -> dict[str, str | None]:
    """:func:`check_case` for each case in turn (all of the data file by default)."""
    return {case.name: check_case(cluster, case) for case in (cases if cases is not None else load_cases())}


__all__ = [
    "CASES_PATH",
    "Case",
    "Deletion",
    "check_case",
    "check_cases",
    "container_mismatch",
    "load_cases",
    "pod_manifest",
    "pod_mismatch",
]
