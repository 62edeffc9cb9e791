"""The Job controller (part of kube-controller-manager).

Models ``pkg/controller/job/job_controller.go`` (``syncJob``, ``manageJob``), ``indexed_job_utils.go``
(completion indexes, ``completedIndexes`` intervals) and ``backoff_utils.go`` (pod failure
back-off), as of v1.33: runs up to ``min(parallelism, completions - succeeded)`` pods (all
``parallelism`` for a work-queue Job without completions until one succeeds), counts
``status.succeeded``/``failed``/``active``/``ready``/``terminating``, fails the Job when
``failed > backoffLimit`` (reason ``BackoffLimitExceeded``; with ``restartPolicy: OnFailure``
also when the container restarts of its running pods reach the limit, as
``pastBackoffLimitOnFailure``) or when ``activeDeadlineSeconds`` has passed
(``DeadlineExceeded``). As with JobPodReplacementPolicy/JobManagedBy on (the default), an
interim ``FailureTarget`` or ``SuccessCriteriaMet`` condition comes first, active pods are
deleted, and the terminal ``Failed`` or ``Complete`` condition (same reason and message) is
added once no pod is terminating. Re-creations after failures wait ``10 s * 2^(failures-1)``
(at most 10 min: ``DefaultJobPodFailureBackOff``/``MaxJobPodFailureBackOff``) since the last
failure; a success resets the count. Indexed Jobs give each pod a completion index
(annotation and label ``batch.kubernetes.io/job-completion-index``, env ``JOB_COMPLETION_INDEX``,
hostname ``<job>-<index>``, ``generateName: <job>-<index>-``). Suspending deletes active pods
and sets the ``Suspended`` condition; resuming resets ``startTime``.

Pods get the labels ``batch.kubernetes.io/controller-uid``, ``batch.kubernetes.io/job-name``,
``controller-uid`` and ``job-name``. The real API server generates ``spec.selector`` from the
controller uid (when ``manualSelector`` is unset) and adds those labels to the template; when a
Job arrives without a selector (this API server does not generate it yet), the controller uses
``batch.kubernetes.io/controller-uid=<uid>`` and adds the labels to the pods itself.

Deviations: no ``batch.kubernetes.io/job-tracking`` finalizer and so no
``uncountedTerminatedPods`` bookkeeping (always written as ``{}``). Instead terminal pods are
counted once per uid in memory; after a restart, pods already terminal are taken as counted
when the stored counters cover them (``succeeded = max(status.succeeded, terminal pods)``).
Pods the controller deletes itself (excess, suspend, job finished) are never counted as failed;
a non-terminal pod deleted by someone else counts as failed when it disappears, as upstream
counts deleted pods. With ``restartPolicy: OnFailure`` only phase-Failed pods and the restart
rule above count. Left out: podFailurePolicy, successPolicy, backoffLimitPerIndex,
maxFailedIndexes, podReplacementPolicy ``Failed`` (terminating pods are always replaced at
once), managedBy, ttlSecondsAfterFinished (a separate controller), the slow-start batching of
creations, orphan finalizer clean-up.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from reference_impl.apiserver import ApiError
from reference_impl.apiserver.selectors import LabelSelector, label_selector_from_dict
from reference_impl.client import Component, obj_key
from reference_impl.controllers._podutil import INDEX_CONTROLLER_UID, INDEX_ORPHANS, ensure_owner_indexes
from reference_impl.controllers.daemonset import (
    MAX_POD_CREATE_DELETE_PER_SYNC,
    PodExpectations,
    PodOwnerHandlers,
    by_name,
    claim_objects,
    controller_ref,
    is_pod_ready,
    is_terminal,
    is_terminating,
    owner_reference,
)
from reference_impl.sim.clock import parse_rfc3339

Obj = dict[str, Any]

CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid"
JOB_NAME_LABEL = "batch.kubernetes.io/job-name"
LEGACY_CONTROLLER_UID_LABEL = "controller-uid"
LEGACY_JOB_NAME_LABEL = "job-name"
COMPLETION_INDEX_KEY = "batch.kubernetes.io/job-completion-index"
COMPLETION_INDEX_ENV = "JOB_COMPLETION_INDEX"
DEFAULT_POD_FAILURE_BACKOFF_S = 10.0
MAX_POD_FAILURE_BACKOFF_S = 600.0

REASON_BACKOFF_LIMIT = "BackoffLimitExceeded"
MESSAGE_BACKOFF_LIMIT = "Job has reached the specified backoff limit"
REASON_DEADLINE = "DeadlineExceeded"
MESSAGE_DEADLINE = "Job was active longer than specified deadline"
REASON_COMPLETIONS = "CompletionsReached"
MESSAGE_COMPLETIONS = "Reached expected number of succeeded pods"


# -- completion indexes ---------------------------------------------------------------------
def completion_index(pod: Obj) -> int | None:
    """``getCompletionIndex``: the annotation (then the label) as a non-negative int."""
    meta = pod["metadata"]
    for source in (meta.get("annotations") or {}, meta.get("labels") or {}):
        raw = source.get(COMPLETION_INDEX_KEY)
        if raw is not None:
            try:
                v = int(raw)
            except ValueError:
                return None
            return v if v >= 0 else None
    return None


def format_indexes(indexes: set[int]) -> str:
    """``orderedIntervals.String``: ``"0-2,4"``; a pair of neighbours is written ``"1,2"``."""
    out: list[str] = []
    items = sorted(indexes)
    i = 0
    while i < len(items):
        j = i
        while j + 1 < len(items) and items[j + 1] == items[j] + 1:
            j += 1
        if j == i:
            out.append(str(items[i]))
        elif j == i + 1:
            out.extend((str(items[i]), str(items[j])))
        else:
            out.append(f"{items[i]}-{items[j]}")
        i = j + 1
    return ",".join(out)


def parse_indexes(text: str | None, completions: int) -> set[int]:
    """``parseIndexesFromString``: intervals below ``completions``; malformed parts are skipped."""
    out: set[int] = set()
    for part in (text or "").split(","):
        if not part:
            continue
        lo_s, _, hi_s = part.partition("-")
        try:
            lo = int(lo_s)
            hi = int(hi_s) if hi_s else lo
        except ValueError:
            continue
        out.update(range(max(lo, 0), min(hi, completions - 1) + 1))
    return out


# -- conditions -------------------------------------------------------------------------------
def find_condition(job: Obj, type_: str) -> Obj | None:
    for c in (job.get("status") or {}).get("conditions") or []:
        if c.get("type") == type_:
            return c  # type: ignore[no-any-return]
    return None


def is_job_finished(job: Obj) -> bool:
    return any(
        c.get("type") in ("Complete", "Failed") and c.get("status") == "True"
        for c in (job.get("status") or {}).get("conditions") or []
    )


def _ensure_condition(status: Obj, type_: str, cstatus: str, reason: str, message: str, now: str) -> bool:
    """``ensureJobConditionStatus``: a False condition is only written over an existing one."""
    conds: list[Obj] = status.setdefault("conditions", [])
    for c in conds:
        if c.get("type") == type_:
            if c.get("status") == cstatus and c.get("reason") == reason and c.get("message") == message:
                return False
            if c.get("status") != cstatus:
                c["lastTransitionTime"] = now
            c.update({"status": cstatus, "reason": reason, "message": message, "lastProbeTime": now})
            return True
    if cstatus == "False":
        if not conds:
            status.pop("conditions")
        return False
    conds.append(
        {
            "type": type_,
            "status": cstatus,
            "reason": reason,
            "message": message,
            "lastProbeTime": now,
            "lastTransitionTime": now,
        }
    )
    return True


def _finish_time(pod: Obj, fallback: float) -> float:
    """``getFinishedTime``: the latest container ``finishedAt``, else the deletion or observation time."""
    best: float | None = None
    for cs in (pod.get("status") or {}).get("containerStatuses") or []:
        fin = ((cs.get("state") or {}).get("terminated") or {}).get("finishedAt")
        if fin:
            t = parse_rfc3339(str(fin))
            best = t if best is None else max(best, t)
    if best is not None:
        return best
    dt = pod["metadata"].get("deletionTimestamp")
    return parse_rfc3339(str(dt)) if dt else fallback


@dataclass
class _JobState:
    """What the real controller keeps in finalizers and its back-off store, kept in memory here."""

    seeded: bool = False
    counted: set[str] = field(default_factory=set)  # pod uids already in succeeded/failed
    vanished_failed: dict[str, float] = field(default_factory=dict)  # pod uid -> when it disappeared
    deleted_by_us: set[str] = field(default_factory=set)
    failures_after_success: int = 0
    last_failure_s: float | None = None


class JobController(PodOwnerHandlers):
    """Runs a Job's pods to completion or failure."""

    OWNER_KIND = "Job"

    def __init__(self, ctx: Component) -> None:
        self.ctx = ctx
        self.expectations = PodExpectations()
        self._state: dict[str, _JobState] = {}

    def setup(self) -> None:
        ctx = self.ctx
        self.recorder = ctx.recorder_for("job-controller")
        self.jobs = ctx.informers.informer("jobs")
        self.pods = ctx.informers.informer("pods")
        ensure_owner_indexes(self.pods)
        self.queue = ctx.queue(self.sync, name="job")
        self.jobs.add_handler(
            lambda o: self.queue.add(obj_key(o)),
            lambda _o, n: self.queue.add(obj_key(n)),
            self._job_deleted,
        )
        self.pods.add_handler(self._pod_added, self._pod_updated, self._pod_deleted)

    # -- handlers ---------------------------------------------------------------------------
    def _job_deleted(self, job: Obj) -> None:
        uid = job["metadata"]["uid"]
        self._state.pop(uid, None)
        self.expectations.forget(uid)

    def _owner(self, pod: Obj) -> Obj | None:
        ref = controller_ref(pod)
        if ref is None or ref.get("kind") != "Job":
            return None
        job = self.jobs.get_by(ref.get("name", ""), pod["metadata"].get("namespace"))
        if job is None or job["metadata"]["uid"] != ref.get("uid"):
            return None
        return job

    def _enqueue_for_pod(self, pod: Obj) -> None:
        job = self._owner(pod)
        if job is not None:
            self.queue.add(obj_key(job))
        elif controller_ref(pod) is None and not is_terminating(pod):
            ns = pod["metadata"].get("namespace")
            labels = pod["metadata"].get("labels") or {}
            for j in by_name(self.jobs.list()):
                if j["metadata"].get("namespace") == ns and _selector(j).matches(labels):
                    self.queue.add(obj_key(j))

    def _pod_deleted(self, pod: Obj) -> None:
        self.expectations.observed(pod, gone=True)
        job = self._owner(pod)
        if job is not None:
            st = self._state.get(job["metadata"]["uid"])
            uid = pod["metadata"].get("uid", "")
            phase = (pod.get("status") or {}).get("phase")
            if st is not None and uid not in st.counted and uid not in st.deleted_by_us and phase != "Succeeded":
                st.vanished_failed[uid] = _finish_time(pod, self.ctx.loop.now())
            self.queue.add(obj_key(job))

    # -- sync ---------------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        shared = self.jobs.get(key)
        if shared is None or is_job_finished(shared):
            if shared is not None:
                self._state.pop(shared["metadata"]["uid"], None)
            return
        job = copy.deepcopy(shared)
        meta, spec = job["metadata"], job.get("spec") or {}
        uid, ns = meta["uid"], meta["namespace"]
        status: Obj = job.setdefault("status", {})
        loop = self.ctx.loop
        now = loop.now()
        now_s = self.ctx.api.clock.rfc3339()
        state = self._state.setdefault(uid, _JobState())
        indexed = spec.get("completionMode") == "Indexed"
        completions: int | None = spec.get("completions")
        backoff_limit = int(spec.get("backoffLimit", 6))
        suspended = bool(spec.get("suspend"))

        selector = _selector(job)
        claimed = claim_objects(
            self.ctx.client,
            "pods",
            job,
            self.pods.by_index(INDEX_CONTROLLER_UID, uid),
            self.pods.by_index(INDEX_ORPHANS, ns),
            lambda p: selector.matches(p["metadata"].get("labels")),
        )
        pods = self.expectations.view(uid, claimed, now)
        active = [p for p in pods if not is_terminal(p) and not is_terminating(p)]
        terminating = sum(1 for p in pods if is_terminating(p) and not is_terminal(p))

        # count terminal pods once
        terminal = [p for p in pods if is_terminal(p)]
        succeeded_pods = [p for p in terminal if p["status"]["phase"] == "Succeeded"]
        failed_pods = [p for p in terminal if p["status"]["phase"] == "Failed" and p["metadata"]["uid"] not in state.deleted_by_us]
        if not state.seeded:
            state.seeded = True
            status["succeeded"] = max(int(status.get("succeeded", 0)), len(succeeded_pods))
            status["failed"] = max(int(status.get("failed", 0)), len(failed_pods))
            state.counted.update(p["metadata"]["uid"] for p in terminal)
        new_succeeded = [p for p in succeeded_pods if p["metadata"]["uid"] not in state.counted]
        new_failed_times = [
            _finish_time(p, now) for p in failed_pods if p["metadata"]["uid"] not in state.counted
        ] + list(state.vanished_failed.values())
        state.counted.update(p["metadata"]["uid"] for p in new_succeeded + failed_pods)
        state.counted.update(state.vanished_failed)
        state.vanished_failed.clear()
        status["succeeded"] = int(status.get("succeeded", 0)) + len(new_succeeded)
        status["failed"] = int(status.get("failed", 0)) + len(new_failed_times)
        self._record_backoff(state, [_finish_time(p, now) for p in new_succeeded], new_failed_times)

        if status.get("startTime") is None and not suspended:
            status["startTime"] = now_s

        succeeded_indexes: set[int] = set()
        if indexed and completions is not None:
            succeeded_indexes = parse_indexes(status.get("completedIndexes"), completions)
            for p in succeeded_pods:
                ix = completion_index(p)
                if ix is not None and ix < completions:
                    succeeded_indexes.add(ix)
            status["succeeded"] = len(succeeded_indexes)
            status["completedIndexes"] = format_indexes(succeeded_indexes)
        succeeded = int(status["succeeded"])

        # finished?
        finished: tuple[str, str, str] | None = None  # (interim type, reason, message)
        if find_condition(job, "SuccessCriteriaMet") is not None:
            c = find_condition(job, "SuccessCriteriaMet") or {}
            finished = ("SuccessCriteriaMet", c.get("reason", ""), c.get("message", ""))
        elif (ft := find_condition(job, "FailureTarget")) is not None and ft.get("status") == "True":
            finished = ("FailureTarget", ft.get("reason", ""), ft.get("message", ""))
        elif int(status["failed"]) > backoff_limit or _past_backoff_limit_on_failure(spec, active, backoff_limit):
            finished = ("FailureTarget", REASON_BACKOFF_LIMIT, MESSAGE_BACKOFF_LIMIT)
        elif spec.get("activeDeadlineSeconds") is not None and not suspended and status.get("startTime"):
            left = parse_rfc3339(str(status["startTime"])) + int(spec["activeDeadlineSeconds"]) - now
            if left <= 0:
                finished = ("FailureTarget", REASON_DEADLINE, MESSAGE_DEADLINE)
            else:
                self.queue.add_after(key, left)

        if finished is not None:
            terminating += self._delete_pods(job, state, active)
            active = []
        else:
            if not meta.get("deletionTimestamp"):
                active, deleted = self._manage(job, state, active, succeeded, succeeded_indexes)
                terminating += deleted
            if completions is None:
                complete = succeeded > 0 and not active
            else:
                complete = succeeded >= completions and not active
            if complete:
                finished = ("SuccessCriteriaMet", REASON_COMPLETIONS, MESSAGE_COMPLETIONS)
            elif suspended:
                if _ensure_condition(status, "Suspended", "True", "JobSuspended", "Job suspended", now_s):
                    self.recorder.event(job, "Normal", "Suspended", "Job suspended")
            elif _ensure_condition(status, "Suspended", "False", "JobResumed", "Job resumed", now_s):
                self.recorder.event(job, "Normal", "Resumed", "Job resumed")
                status["startTime"] = now_s

        status["active"] = len(active)
        status["ready"] = sum(1 for p in active if is_pod_ready(p))
        status["terminating"] = terminating
        status["uncountedTerminatedPods"] = {}
        finished_now = False
        if finished is not None:
            interim, reason, message = finished
            if find_condition(job, interim) is None:
                status.setdefault("conditions", []).append(
                    {
                        "type": interim,
                        "status": "True",
                        "reason": reason,
                        "message": message,
                        "lastProbeTime": now_s,
                        "lastTransitionTime": now_s,
                    }
                )
            if terminating == 0:
                final = "Complete" if interim == "SuccessCriteriaMet" else "Failed"
                _ensure_condition(status, final, "True", reason, message, now_s)
                if final == "Complete":
                    status["completionTime"] = now_s
                finished_now = True
        for k in ("active", "succeeded", "failed"):
            if status.get(k) == 0:
                status.pop(k)  # omitempty
        if status != (shared.get("status") or {}):
            body = copy.deepcopy(shared)
            body["status"] = status
            self.ctx.client.update_status("jobs", body, ns)
        if finished_now:
            if finished is not None and finished[0] == "SuccessCriteriaMet":
                self.recorder.event(job, "Normal", "Completed", "Job completed")
            elif finished is not None:
                self.recorder.event(job, "Warning", finished[1], finished[2])
            self._state.pop(uid, None)

    # -- helpers ------------------------------------------------------------------------------
    @staticmethod
    def _record_backoff(state: _JobState, success_times: list[float], failure_times: list[float]) -> None:
        """``newBackoffRecord``: failures since the last success, and when the last one happened."""
        if not success_times:
            if failure_times:
                state.failures_after_success += len(failure_times)
                latest = max(failure_times)
                state.last_failure_s = latest if state.last_failure_s is None else max(state.last_failure_s, latest)
            return
        last_success = max(success_times)
        after = sorted(t for t in failure_times if t > last_success)
        state.failures_after_success = len(after)
        state.last_failure_s = after[-1] if after else None

    def backoff_remaining_s(self, state: _JobState, now: float) -> float:
        """``getRemainingTimeForFailuresCount``."""
        n = state.failures_after_success
        if n == 0 or state.last_failure_s is None:
            return 0.0
        delay = DEFAULT_POD_FAILURE_BACKOFF_S
        for _ in range(1, n):
            delay *= 2
            if delay >= MAX_POD_FAILURE_BACKOFF_S:
                delay = MAX_POD_FAILURE_BACKOFF_S
                break
        elapsed = now - state.last_failure_s
        return 0.0 if delay < elapsed else delay - elapsed

    def _delete_pods(self, job: Obj, state: _JobState, pods: list[Obj]) -> int:
        ns, uid = job["metadata"]["namespace"], job["metadata"]["uid"]
        deleted = 0
        for p in by_name(pods)[:MAX_POD_CREATE_DELETE_PER_SYNC]:
            state.deleted_by_us.add(p["metadata"]["uid"])
            try:
                self.ctx.client.delete("pods", p["metadata"]["name"], ns)
            except ApiError as e:
                if e.code != 404:
                    self.recorder.event(job, "Warning", "FailedDelete", f"Error deleting: {e.message}")
                    raise
            self.expectations.expect_delete(uid, p, self.ctx.loop.now())
            self.recorder.event(job, "Normal", "SuccessfulDelete", f"Deleted pod: {p['metadata']['name']}")
            deleted += 1
        return deleted

    def _manage(
        self,
        job: Obj,
        state: _JobState,
        active: list[Obj],
        succeeded: int,
        succeeded_indexes: set[int],
    ) -> tuple[list[Obj], int]:
        """``manageJob``: returns the active pods left and how many were deleted."""
        spec = job.get("spec") or {}
        key = obj_key(job)
        if spec.get("suspend"):
            return [], self._delete_pods(job, state, active)
        completions: int | None = spec.get("completions")
        parallelism = int(spec.get("parallelism", 1))
        indexed = spec.get("completionMode") == "Indexed"
        if completions is None:
            want = len(active) if succeeded > 0 else parallelism
        else:
            want = max(0, min(completions - succeeded, parallelism))

        # excess pods: for Indexed, duplicates and finished or out-of-range indexes go first
        to_delete: list[Obj] = []
        keep = active
        if indexed and completions is not None:
            seen: set[int] = set()
            keep = []
            for p in sorted(active, key=lambda p: (p["metadata"].get("creationTimestamp") or "", p["metadata"]["name"])):
                ix = completion_index(p)
                if ix is None or ix >= completions or ix in succeeded_indexes or ix in seen:
                    to_delete.append(p)
                else:
                    seen.add(ix)
                    keep.append(p)
        if len(keep) > want:
            # activePodsForRemoval: not-ready and newest first (for Indexed: highest indexes)
            ranked = sorted(
                keep,
                key=lambda p: (
                    is_pod_ready(p),
                    -(completion_index(p) or 0) if indexed else 0,
                    "" if indexed else _neg(p["metadata"].get("creationTimestamp") or ""),
                    p["metadata"]["name"],
                ),
            )
            extra = ranked[: len(keep) - want]
            to_delete.extend(extra)
            keep = [p for p in keep if p not in extra]
        deleted = self._delete_pods(job, state, to_delete) if to_delete else 0
        active = keep
        if len(active) >= want:
            return active, deleted
        remaining = self.backoff_remaining_s(state, self.ctx.loop.now())
        if remaining > 0:
            self.queue.add_after(key, remaining)
            return active, deleted
        diff = min(want - len(active), MAX_POD_CREATE_DELETE_PER_SYNC)
        indexes: list[int] | list[None] = [None] * diff
        if indexed and completions is not None:
            busy = {completion_index(p) for p in active} | succeeded_indexes
            indexes = [ix for ix in range(completions) if ix not in busy][:diff]
        for ix in indexes:
            created = self._create_pod(job, ix)
            if created is None:
                break
            active = [*active, created]
        return active, deleted

    def _create_pod(self, job: Obj, index: int | None) -> Obj | None:
        meta, spec = job["metadata"], job.get("spec") or {}
        ns, name, uid = meta["namespace"], meta["name"], meta["uid"]
        template = copy.deepcopy(spec.get("template") or {})
        tmeta = template.get("metadata") or {}
        labels = dict(tmeta.get("labels") or {})
        labels.setdefault(CONTROLLER_UID_LABEL, uid)
        labels.setdefault(JOB_NAME_LABEL, name)
        labels.setdefault(LEGACY_CONTROLLER_UID_LABEL, uid)
        labels.setdefault(LEGACY_JOB_NAME_LABEL, name)
        annotations = dict(tmeta.get("annotations") or {})
        pspec = template.get("spec") or {}
        generate_name = f"{name}-"
        if index is not None:
            annotations[COMPLETION_INDEX_KEY] = str(index)
            labels[COMPLETION_INDEX_KEY] = str(index)
            pspec["hostname"] = f"{name}-{index}"
            generate_name = f"{name}-{index}-"
            for c in (pspec.get("initContainers") or []) + (pspec.get("containers") or []):
                env = [e for e in c.get("env") or [] if e.get("name") != COMPLETION_INDEX_ENV]
                env.insert(
                    0,
                    {
                        "name": COMPLETION_INDEX_ENV,
                        "valueFrom": {
                            "fieldRef": {
                                "apiVersion": "v1",
                                "fieldPath": f"metadata.annotations['{COMPLETION_INDEX_KEY}']",
                            }
                        },
                    },
                )
                c["env"] = env
        body: Obj = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "generateName": generate_name[:58] if len(generate_name) > 58 else generate_name,
                "namespace": ns,
                "labels": labels,
                "ownerReferences": [owner_reference(job)],
            },
            "spec": pspec,
        }
        if annotations:
            body["metadata"]["annotations"] = annotations
        if tmeta.get("finalizers"):
            body["metadata"]["finalizers"] = list(tmeta["finalizers"])
        try:
            created = self.ctx.client.create("pods", body, ns)
        except ApiError as e:
            if e.code == 403 and "being terminated" in e.message:
                return None
            self.recorder.event(job, "Warning", "FailedCreate", f"Error creating: {e.message}")
            raise
        self.expectations.expect_create(uid, created, self.ctx.loop.now())
        self.recorder.event(job, "Normal", "SuccessfulCreate", f"Created pod: {created['metadata']['name']}")
        return created


def _neg(ts: str) -> str:
    """Sort key that puts later RFC 3339 timestamps first."""
    return "".join(chr(0x10FFFF - ord(ch)) for ch in ts)


def _selector(job: Obj) -> LabelSelector:
    sel = (job.get("spec") or {}).get("selector")
    if sel is None:
        return label_selector_from_dict({"matchLabels": {CONTROLLER_UID_LABEL: job["metadata"]["uid"]}})
    return label_selector_from_dict(sel)


def _past_backoff_limit_on_failure(spec: Obj, active: list[Obj], limit: int) -> bool:
    """``pastBackoffLimitOnFailure``: container restarts of running/pending pods under OnFailure."""
    if ((spec.get("template") or {}).get("spec") or {}).get("restartPolicy") != "OnFailure":
        return False
    restarts = 0
    for p in active:
        if (p.get("status") or {}).get("phase") in ("Running", "Pending"):
            st = p.get("status") or {}
            for cs in (st.get("initContainerStatuses") or []) + (st.get("containerStatuses") or []):
                restarts += int(cs.get("restartCount", 0))
    return restarts > 0 if limit == 0 else restarts >= limit


__all__ = [
    "COMPLETION_INDEX_KEY",
    "CONTROLLER_UID_LABEL",
    "JOB_NAME_LABEL",
    "JobController",
    "completion_index",
    "format_indexes",
    "is_job_finished",
    "parse_indexes",
]
