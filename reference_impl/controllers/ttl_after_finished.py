"""The TTL-after-finished controller (part of kube-controller-manager): finished Jobs expire.

Models ``pkg/controller/ttlafterfinished/ttlafterfinished_controller.go`` as of v1.36 (``addJob``,
``updateJob``, ``processJob``, ``processTTL``, ``needsCleanup``, ``timeLeft``, ``jobFinishTime``):
a Job with ``spec.ttlSecondsAfterFinished`` whose ``Complete`` or ``Failed`` condition is true is
deleted once ``lastTransitionTime`` of that condition plus the TTL has passed on the simulated
clock; until then it is queued again for the instant it expires. Every add or update of such a Job
queues it, so a TTL changed after the Job finished is judged afresh (a shorter one at once, a longer
one when the earlier wake-up finds time left). Before deleting, the controller reads the Job from
the API server rather than its cache and checks the TTL there again, then deletes it with
``propagationPolicy: Foreground`` and a precondition on its uid, so that a Job re-created under
the same name, or one whose TTL was just raised, is not deleted by mistake; the garbage collector
then removes its pods before the Job goes.

Left out: the ``job_deletion_duration_seconds`` metric and logging (including upstream's warning
about Jobs that finished in the future). Upstream builds an event recorder but records nothing;
there is none here.
"""

from __future__ import annotations

from typing import Any

from reference_impl.apiserver import ApiError
from reference_impl.client import Component, obj_key
from reference_impl.sim.clock import parse_rfc3339

Obj = dict[str, Any]


class FinishTimeUnknown(ValueError):
    """``jobFinishTime`` found no time for a finished Job (retried with back-off, as upstream)."""


def needs_cleanup(job: Obj) -> bool:
    """``needsCleanup``: a TTL is set and the Job has finished."""
    return (job.get("spec") or {}).get("ttlSecondsAfterFinished") is not None and finish_condition(job) is not None


def finish_condition(job: Obj) -> Obj | None:
    """The first ``Complete`` or ``Failed`` condition that is true (``jobutil.IsJobFinished``)."""
    for c in (job.get("status") or {}).get("conditions") or []:
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return c  # type: ignore[no-any-return]
    return None


def job_finish_time(job: Obj) -> float:
    """``jobFinishTime``: when the finishing condition became true, in simulated seconds."""
    meta = job["metadata"]
    c = finish_condition(job)
    if c is None:
        raise FinishTimeUnknown(f"unable to find the status of the finished Job {meta.get('namespace')}/{meta['name']}")
    if not c.get("lastTransitionTime"):
        raise FinishTimeUnknown(f"unable to find the time when the Job {meta.get('namespace')}/{meta['name']} finished")
    return parse_rfc3339(str(c["lastTransitionTime"]))


def expire_time(job: Obj) -> float:
    """``getFinishAndExpireTime``: finish time plus ``ttlSecondsAfterFinished``."""
    return job_finish_time(job) + int(job["spec"]["ttlSecondsAfterFinished"])


class TTLAfterFinishedController:
    """Deletes finished Jobs whose ``ttlSecondsAfterFinished`` has run out."""

    def __init__(self, ctx: Component) -> None:
        self.ctx = ctx

    def setup(self) -> None:
        self.jobs = self.ctx.informers.informer("jobs")
        self.queue = self.ctx.queue(self._process, name="ttl_jobs_to_delete")
        # deletions need nothing: a Job that is gone has nothing left to clean up
        self.jobs.add_handler(self._job_changed, lambda _old, new: self._job_changed(new), None)

    def _job_changed(self, job: Obj) -> None:
        if not job["metadata"].get("deletionTimestamp") and needs_cleanup(job):
            self.queue.add(obj_key(job))

    def _process(self, key: str) -> None:
        """``processJob``; an error propagates to be retried with back-off, success forgets the key."""
        self.process_job(key)
        self.queue.forget(key)

    def process_job(self, key: str) -> None:
        job = self.jobs.get(key)
        if job is None or self._expired_at(job) is None:
            return
        # The cached Job says the TTL has run out, but the TTL may have changed since: check the
        # latest Job before deleting it (a Job with a new uid is checked afresh the same way).
        meta = job["metadata"]
        try:
            fresh = self.ctx.client.get("jobs", meta["name"], meta["namespace"])
        except ApiError as e:
            if e.code == 404:
                return
            raise
        if self._expired_at(fresh) is None:
            return
        fmeta = fresh["metadata"]
        self.ctx.client.delete(
            "jobs",
            fmeta["name"],
            fmeta["namespace"],
            propagation_policy="Foreground",
            preconditions={"uid": fmeta["uid"]},
        )

    def _expired_at(self, job: Obj) -> float | None:
        """``processTTL``: the expiry time when it has passed; else queue the Job for then and return None."""
        if job["metadata"].get("deletionTimestamp") or not needs_cleanup(job):
            return None
        expires = expire_time(job)
        left = expires - self.ctx.loop.now()
        if left <= 0:
            return expires
        self.queue.add_after(obj_key(job), left)
        return None


__all__ = [
    "FinishTimeUnknown",
    "TTLAfterFinishedController",
    "expire_time",
    "finish_condition",
    "job_finish_time",
    "needs_cleanup",
]
