"""Jobs, DaemonSets and StatefulSets.

Jobs (NonIndexed or Indexed, pods that succeed or fail, restartPolicy Never or OnFailure),
DaemonSets while nodes are cordoned, uncordoned and added, and StatefulSets (OrderedReady or
Parallel) scaled up and down and rolled to a new image with a partition. Time passes with
``advance``; ``settle_and_check`` lets everything finish and judges the settled cluster.

Checks beyond the base class's, each from upstream:

- Job (``pkg/controller/job/job_controller.go``): a finished Job stays finished; ``Complete``
  means ``succeeded == completions`` and, when Indexed, ``completedIndexes`` lists every index
  (``orderedIntervals.String``: ``0``, ``0,1``, ``0-2``); ``Failed`` without a deadline has reason
  ``BackoffLimitExceeded``, and under restartPolicy Never the Job fails when
  ``failed > backoffLimit``, so ``backoffLimit + 1 <= failed <= backoffLimit + parallelism``
  (exactly ``backoffLimit + 1`` with one pod at a time; pods still running when the Job fails
  are deleted and count as failed). Under OnFailure the limit counts container restarts instead
  (``pastBackoffLimitOnFailure``). Once settled, every Job whose pods are not stuck (image pull)
  has finished.
- StatefulSet (``stateful_set_control.go``): its pods are named ``<name>-<ordinal>``; under
  OrderedReady a pod is created only when every lower ordinal is Running and Ready (and
  available for ``minReadySeconds``), read from creationTimestamp and the Ready condition's
  lastTransitionTime the first time the pod is seen.
- DaemonSet (``daemon_controller.go`` ``NodeShouldRunDaemonPod``): once settled, one daemon pod
  on each eligible node; daemon pods tolerate ``node.kubernetes.io/unschedulable``, so cordoned
  nodes stay eligible.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule

from kconform.backends.base import ADD_NODE, Snapshot
from kconform.invariants import (
    check_daemonsets,
    check_jobs,
    check_statefulsets,
    stuck_reason,
)
from kconform.stateful import KconformMachine, suite_test
from kconform.strategies import (
    daemonsets,
    headless_service_for,
    image_updates,
    jobs,
    namespaces,
    statefulsets,
)

Manifest = dict[str, Any]
Obj = Mapping[str, Any]

MAX_ADDED_NODES = 2
SETTLE_S = 900.0


def _meta(obj: Obj) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _time_s(stamp: str | None) -> float | None:
    if not stamp:
        return None
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _condition(obj: Obj, type_: str) -> Mapping[str, Any] | None:
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == type_:
            return cond  # type: ignore[no-any-return]
    return None


def _true(obj: Obj, type_: str) -> bool:
    cond = _condition(obj, type_)
    return cond is not None and cond.get("status") == "True"


def _controller_uid(obj: Obj) -> str | None:
    for ref in _meta(obj).get("ownerReferences") or []:
        if ref.get("controller"):
            return str(ref.get("uid"))
    return None


def indexes_string(count: int) -> str:
    """``completedIndexes`` for indexes ``0..count-1`` as upstream prints intervals."""
    if count <= 0:
        return ""
    if count == 1:
        return "0"
    if count == 2:
        return "0,1"
    return f"0-{count - 1}"


def schedulable_daemonset(manifest: Manifest) -> Manifest:
    """A copy without what can leave a daemon pod Pending (inter-pod constraints, requests).

    kconform's ``check_daemonsets`` counts an Unschedulable daemon pod (no nodeName yet) as
    missing, so such a pod would be a false alarm (reported as an oracle gap).
    """
    ds = copy.deepcopy(manifest)
    pod_spec = ds["spec"]["template"]["spec"]
    for container in pod_spec["containers"]:
        container.pop("resources", None)
    pod_spec.pop("topologySpreadConstraints", None)
    affinity = pod_spec.get("affinity") or {}
    affinity.pop("podAntiAffinity", None)
    if not affinity:
        pod_spec.pop("affinity", None)
    return ds


class BatchMachine(KconformMachine):
    suite_name = "batch"

    def __init__(self) -> None:
        super().__init__()
        self.ns = ""
        self.statefulsets: dict[str, Manifest] = {}
        self.added_nodes = 0
        self.cordoned: set[str] = set()
        self.seen_pods: set[str] = set()
        self.finished_jobs: dict[str, str] = {}  # job uid -> "Complete" / "Failed"
        self.used_names: set[tuple[str, str]] = set()

    @initialize(ns=namespaces())
    def create_namespace(self, ns: Manifest) -> None:
        self.ns = ns["metadata"]["name"]
        self.run({"op": "apply", "manifest": ns})

    def _fresh(self, manifest: Manifest) -> None:
        """A newly drawn workload gets a name not used yet: re-applying a name with a fresh draw
        would change immutable fields (a DaemonSet's or StatefulSet's selector, a Job's template),
        which a real API server refuses too."""
        key = (manifest["kind"], manifest["metadata"]["name"])
        assume(key not in self.used_names)
        self.used_names.add(key)

    def _apply(self, manifest: Manifest) -> None:
        result = self.run({"op": "apply", "manifest": manifest})
        if not result.ok:
            meta = manifest["metadata"]
            self.fail(f"applying valid {manifest['kind']} {meta['namespace']}/{meta['name']} refused: {result.detail}")

    # -- rules --------------------------------------------------------------------------------
    @rule(data=st.data())
    def apply_job(self, data: st.DataObject) -> None:
        job = data.draw(jobs(self.ns))
        self._fresh(job)
        self._apply(job)

    @rule(data=st.data())
    def apply_daemonset(self, data: st.DataObject) -> None:
        ds = schedulable_daemonset(data.draw(daemonsets(self.ns, healthy=True)))
        self._fresh(ds)
        self._apply(ds)

    @rule(data=st.data())
    def apply_statefulset(self, data: st.DataObject) -> None:
        sts = data.draw(statefulsets(self.ns, healthy=True))
        self._fresh(sts)
        self._apply(headless_service_for(sts))
        self._apply(sts)
        self.statefulsets[sts["metadata"]["name"]] = sts

    @precondition(lambda self: self.statefulsets)
    @rule(data=st.data(), replicas=st.integers(0, 4))
    def scale_statefulset(self, data: st.DataObject, replicas: int) -> None:
        name = data.draw(st.sampled_from(sorted(self.statefulsets)), label="statefulset")
        self.run({"op": "scale", "resource": "statefulsets", "name": name, "namespace": self.ns, "replicas": replicas})
        self.statefulsets[name]["spec"]["replicas"] = replicas

    @precondition(lambda self: self.statefulsets)
    @rule(data=st.data(), partition=st.one_of(st.none(), st.integers(0, 3)))
    def update_statefulset_image(self, data: st.DataObject, partition: int | None) -> None:
        """A rolling update: the whole manifest re-applied with a new image (and maybe a partition)."""
        name = data.draw(st.sampled_from(sorted(self.statefulsets)), label="statefulset")
        sts = copy.deepcopy(self.statefulsets[name])
        container = sts["spec"]["template"]["spec"]["containers"][0]
        container["image"] = data.draw(image_updates(container["image"], healthy=True), label="image")
        if partition is not None:
            sts["spec"]["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": {"partition": partition}}
        self._apply(sts)
        self.statefulsets[name] = sts

    @rule(data=st.data())
    def cordon(self, data: st.DataObject) -> None:
        node = data.draw(st.sampled_from(self.node_names()), label="node")
        self.run({"op": "fault", "fault": {"fault": "CordonNode", "node": node}})
        self.cordoned.add(node)

    @precondition(lambda self: self.cordoned)
    @rule(data=st.data())
    def uncordon(self, data: st.DataObject) -> None:
        node = data.draw(st.sampled_from(sorted(self.cordoned)), label="node")
        self.run({"op": "fault", "fault": {"fault": "UncordonNode", "node": node}})
        self.cordoned.discard(node)

    @precondition(lambda self: self.added_nodes < MAX_ADDED_NODES and ADD_NODE in self.cluster.capabilities)
    @rule()
    def add_node(self) -> None:
        existing = set(self.node_names())
        index = len(existing) + 1
        while f"node-{index}" in existing:
            index += 1
        self.run({"op": "fault", "fault": {"fault": "AddNode", "node": f"node-{index}"}})
        self.added_nodes += 1

    @rule(seconds=st.sampled_from((1, 5, 30, 120)))
    def advance(self, seconds: int) -> None:
        self.run({"op": "advance", "seconds": seconds})

    @rule()
    def settle_and_check(self) -> None:
        self.run({"op": "settle", "timeout_s": SETTLE_S})
        self.run({"op": "check", "what": "batch"})
        self.check_settled(self.cluster.snapshot())

    # -- checks ---------------------------------------------------------------------------------
    def check_settled(self, snap: Snapshot) -> None:
        violations = [
            *check_jobs(snap, self.expect),
            *check_daemonsets(snap, self.expect),
            *check_statefulsets(snap, self.expect),
        ]
        if violations:
            self.fail("after settling: " + "; ".join(str(v) for v in violations[:5]))
        pods_by_owner: dict[str, list[Obj]] = {}
        for pod in snap.of("pods"):
            owner = _controller_uid(pod)
            if owner:
                pods_by_owner.setdefault(owner, []).append(pod)
        for job in snap.of("jobs"):
            if _true(job, "Complete") or _true(job, "Failed") or (job.get("spec") or {}).get("suspend"):
                continue
            pods = pods_by_owner.get(str(_meta(job).get("uid")), [])
            if any(stuck_reason(p, dead_nodes=snap.dead_nodes) for p in pods):
                continue
            self.fail(
                f"job {self.ns}/{_meta(job).get('name')} neither Complete nor Failed after settling "
                f"(status {job.get('status')})"
            )

    def check_eventually(self) -> None:
        super().check_eventually()
        self.check_settled(self.cluster.snapshot())

    @invariant()
    def batch_semantics_hold(self) -> None:
        snap = self.cluster.snapshot()
        for job in snap.of("jobs"):
            self._check_job(job)
        by_uid = {str(_meta(s).get("uid")): s for s in snap.of("statefulsets")}
        pods = snap.of("pods")
        for pod in pods:
            owner = by_uid.get(_controller_uid(pod) or "")
            if owner is not None:
                self._check_statefulset_pod(owner, pod, pods)
        self.seen_pods.update(str(_meta(p).get("uid")) for p in pods)

    def _check_job(self, job: Obj) -> None:
        meta, spec, status = _meta(job), job.get("spec") or {}, job.get("status") or {}
        where = f"job {meta.get('namespace')}/{meta.get('name')}"
        uid = str(meta.get("uid"))
        complete, failed = _true(job, "Complete"), _true(job, "Failed")
        if uid in self.finished_jobs and not (complete or failed):
            self.fail(f"{where} was {self.finished_jobs[uid]} and is no longer finished (status {status})")
        succeeded, failures = int(status.get("succeeded") or 0), int(status.get("failed") or 0)
        completions = spec.get("completions")
        if complete:
            self.finished_jobs[uid] = "Complete"
            if completions is not None and succeeded != int(completions):
                self.fail(f"{where} is Complete with succeeded {succeeded}, completions {completions}")
            if spec.get("completionMode") == "Indexed":
                want = indexes_string(int(completions))
                if status.get("completedIndexes") != want:
                    self.fail(f"{where} is Complete with completedIndexes {status.get('completedIndexes')!r}, want {want!r}")
        if failed:
            self.finished_jobs[uid] = "Failed"
            reason = (_condition(job, "Failed") or {}).get("reason")
            if spec.get("activeDeadlineSeconds") is None and reason != "BackoffLimitExceeded":
                self.fail(f"{where} Failed with reason {reason!r}, want BackoffLimitExceeded")
            limit = int(spec.get("backoffLimit", 6))
            parallelism = int(spec.get("parallelism", 1))
            template_policy = ((spec.get("template") or {}).get("spec") or {}).get("restartPolicy")
            if template_policy == "Never" and not limit + 1 <= failures <= limit + parallelism:
                self.fail(
                    f"{where} (restartPolicy Never, backoffLimit {limit}, parallelism {parallelism}) Failed with "
                    f"status.failed {failures}, want {limit + 1}" + (f"..{limit + parallelism}" if parallelism > 1 else "")
                )

    def _check_statefulset_pod(self, sts: Obj, pod: Obj, pods: list[Obj]) -> None:
        name = str(_meta(sts).get("name"))
        pod_name = str(_meta(pod).get("name"))
        m = re.fullmatch(re.escape(name) + r"-(0|[1-9][0-9]*)", pod_name)
        if m is None:
            self.fail(f"pod {pod_name} of StatefulSet {name} is not named {name}-<ordinal>")
            return
        uid = str(_meta(pod).get("uid"))
        spec = sts.get("spec") or {}
        if uid in self.seen_pods or spec.get("podManagementPolicy", "OrderedReady") != "OrderedReady":
            return
        ordinal = int(m.group(1))
        created = _time_s(_meta(pod).get("creationTimestamp"))
        min_ready = float(spec.get("minReadySeconds") or 0)
        by_name = {str(_meta(p).get("name")): p for p in pods if _meta(p).get("namespace") == _meta(sts).get("namespace")}
        for lower in range(ordinal):
            other = by_name.get(f"{name}-{lower}")
            if other is None or created is None:
                continue  # deleted since: cannot judge
            other_created = _time_s(_meta(other).get("creationTimestamp"))
            if other_created is None or other_created > created:
                continue  # re-created since
            ready = _condition(other, "Ready") or {}
            since = _time_s(ready.get("lastTransitionTime"))
            running = (other.get("status") or {}).get("phase") == "Running"
            if not (running and ready.get("status") == "True" and since is not None and since + min_ready <= created):
                self.fail(
                    f"OrderedReady StatefulSet {name}: pod {pod_name} created at {_meta(pod).get('creationTimestamp')} "
                    f"while {name}-{lower} was not Running and Ready"
                    + (f" for {min_ready:g}s" if min_ready else "")
                    + f" (phase {(other.get('status') or {}).get('phase')}, Ready {ready.get('status')} since "
                    f"{ready.get('lastTransitionTime')})"
                )


TestBatch = suite_test(BatchMachine)
