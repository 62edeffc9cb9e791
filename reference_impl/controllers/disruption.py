"""The disruption controller (part of kube-controller-manager): PodDisruptionBudget status.

Models ``pkg/controller/disruption/disruption.go`` (``trySync``, ``getExpectedPodCount``,
``getExpectedScale``, ``countHealthyPods``, ``buildDisruptedPodMap``, ``updatePdbStatus``,
``failSafe``) and ``pkg/apis/policy/helper`` (``UpdateDisruptionAllowedCondition``): for every
PDB, the pods its selector matches in its namespace; ``expectedPods`` is their number when
``minAvailable`` is an integer, else the sum of the scales of their controllers (a ReplicaSet, or
the Deployment owning it; a StatefulSet); ``desiredHealthy`` is ``minAvailable`` (scaled up from a
percentage) or ``expectedPods - maxUnavailable`` (scaled up); ``currentHealthy`` counts the Ready
pods that are neither being deleted nor in ``disruptedPods`` (an eviction the API server
approved less than two minutes ago, ``DeletionTimeout``); ``disruptionsAllowed`` is
``currentHealthy - desiredHealthy`` (0 while no pod is expected), with the ``DisruptionAllowed``
condition (``SufficientPods`` / ``InsufficientPods``) and ``observedGeneration``. An eviction
recorded in ``disruptedPods`` whose pod was not deleted in time is dropped (event
``NotDeleted``) and the PDB rechecked when the oldest entry expires. A sync that fails (a pod
whose controller cannot be found, with a percentage or ``maxUnavailable``) sets
``disruptionsAllowed`` 0 and the condition False with reason ``SyncFailed`` — failing safe, so
that the eviction API refuses rather than over-approves. Events ``NoPods``, ``UnmanagedPods``,
``CalculateExpectedPodCountFailed`` as upstream.

The eviction side (``pods/eviction`` checking and decrementing the budget) is the API server's:
``reference_impl/apiserver/server.py``.

Leaves out: ReplicationControllers and the generic ``/scale`` finder for custom controllers (the
reference serves neither yet), and the stale ``DisruptionTarget`` pod-condition cleanup (the
reference's eviction sets the condition only on the pod it then deletes). A pod change queues
every PDB that selects it, where upstream queues the first by name (the others catch up on their
next sync).
"""

from __future__ import annotations

import copy
from typing import Any

from reference_impl.apiserver import ApiError
from reference_impl.apiserver.selectors import label_selector_from_dict
from reference_impl.client import Component, Informer
from reference_impl.controllers._podutil import (
    INDEX_NAMESPACE,
    controller_ref,
    ensure_index,
    is_pod_ready,
    namespace_index,
    parse_time,
)

Obj = dict[str, Any]

DELETION_TIMEOUT_S = 120.0  # disruption.DeletionTimeout: 2 minutes
CONDITION = "DisruptionAllowed"


class SyncError(Exception):
    """What ``getExpectedScale`` returns as an error (its message goes into the SyncFailed condition)."""


def scaled(value: Any, total: int) -> int:
    """``intstr.GetScaledValueFromIntOrPercent(value, total, roundUp=true)``."""
    if isinstance(value, str) and value.endswith("%"):
        q, r = divmod(int(value[:-1]) * total, 100)
        return q + (1 if r else 0)
    return int(value)


def set_disruption_allowed_condition(status: Obj, now: str) -> None:
    """``UpdateDisruptionAllowedCondition`` with ``apimeta.SetStatusCondition``'s transition rule."""
    allowed = int(status.get("disruptionsAllowed") or 0) > 0
    want = {
        "type": CONDITION,
        "status": "True" if allowed else "False",
        "reason": "SufficientPods" if allowed else "InsufficientPods",
        "message": "",
    }
    set_condition(status, want, now)


def set_condition(status: Obj, want: Obj, now: str) -> None:
    """``apimeta.SetStatusCondition``: ``lastTransitionTime`` moves only when the status does."""
    if status.get("observedGeneration"):
        want = {**want, "observedGeneration": status["observedGeneration"]}
    conditions = status.setdefault("conditions", [])
    for i, c in enumerate(conditions):
        if c.get("type") == want["type"]:
            since = c.get("lastTransitionTime") if c.get("status") == want["status"] else now
            conditions[i] = {**want, "lastTransitionTime": since or now}
            return
    conditions.append({**want, "lastTransitionTime": now})


class DisruptionController:
    def __init__(self, ctx: Component) -> None:
        self.ctx = ctx
        self.recorder = ctx.recorder_for("controllermanager")
        self.pdbs: Informer
        self.pods: Informer
        self.replicasets: Informer
        self.deployments: Informer
        self.statefulsets: Informer

    def setup(self) -> None:
        inf = self.ctx.informers
        self.pdbs = inf.informer("poddisruptionbudgets")
        self.pods = inf.informer("pods")
        self.replicasets = inf.informer("replicasets")
        self.deployments = inf.informer("deployments")
        self.statefulsets = inf.informer("statefulsets")
        ensure_index(self.pods, INDEX_NAMESPACE, namespace_index)
        self.queue = self.ctx.queue(self._process, name="disruption")
        self.recheck = self.ctx.queue(self.queue.add, name="disruption_recheck")
        self.pdbs.add_handler(self._pdb_changed, lambda _old, new: self._pdb_changed(new), None)
        self.pods.add_handler(self._pod_changed, self._pod_updated, self._pod_changed)

    # -- events ---------------------------------------------------------------------------
    def _pdb_changed(self, pdb: Obj) -> None:
        self.queue.add(f"{pdb['metadata']['namespace']}/{pdb['metadata']['name']}")

    def _pod_updated(self, old: Obj, new: Obj) -> None:
        self._pod_changed(new)
        if (old["metadata"].get("labels") or {}) != (new["metadata"].get("labels") or {}):
            self._pod_changed(old)

    def _pod_changed(self, pod: Obj) -> None:
        ns = pod["metadata"].get("namespace")
        labels = pod["metadata"].get("labels") or {}
        for pdb in self.pdbs.list():
            if pdb["metadata"].get("namespace") != ns:
                continue
            sel = (pdb.get("spec") or {}).get("selector")
            if sel is None or not label_selector_from_dict(sel).matches(labels):
                continue
            self._pdb_changed(pdb)

    def _process(self, key: str) -> None:
        self.sync(key)
        self.queue.forget(key)

    # -- sync -----------------------------------------------------------------------------
    def _now(self) -> float:
        return self.ctx.loop.clock.now()

    def _now_rfc3339(self) -> str:
        return self.ctx.loop.clock.rfc3339()

    def sync(self, key: str) -> None:
        pdb = self.pdbs.get(key)
        if pdb is None:
            return
        try:
            self._try_sync(pdb)
        except ApiError as e:
            if e.code == 409:
                raise  # requeued with back-off, without failing safe
            self._fail_safe(pdb, e.message)
            raise
        except SyncError as e:
            self._fail_safe(pdb, str(e))

    def _pods_for(self, pdb: Obj) -> list[Obj]:
        sel = label_selector_from_dict((pdb.get("spec") or {}).get("selector"))
        pods = self.pods.by_index(INDEX_NAMESPACE, pdb["metadata"]["namespace"])
        return sorted(
            (p for p in pods if sel.matches(p["metadata"].get("labels") or {})),
            key=lambda p: str(p["metadata"]["name"]),
        )

    def _try_sync(self, pdb: Obj) -> None:
        pods = self._pods_for(pdb)
        if not pods:
            self.recorder.event(pdb, "Normal", "NoPods", "No matching pods found")
        try:
            expected, desired, unmanaged = self._expected_pod_count(pdb, pods)
        except SyncError as e:
            self.recorder.event(
                pdb, "Warning", "CalculateExpectedPodCountFailed", f"Failed to calculate the number of expected pods: {e}"
            )
            raise
        if unmanaged:
            sel = (pdb.get("spec") or {}).get("selector")
            self.recorder.event(
                pdb, "Warning", "UnmanagedPods",
                f"Pods selected by this PodDisruptionBudget (selector: {sel}) were found to be unmanaged. As a result, "
                "the status of the PDB cannot be calculated correctly, which may result in undefined behavior. "
                'To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.',
            )
        now = self._now()
        disrupted, recheck_at = self._disrupted_pod_map(pods, pdb, now)
        healthy = self._count_healthy(pods, disrupted, now)
        self._update_status(pdb, healthy, desired, expected, disrupted)
        if recheck_at is not None:
            key = f"{pdb['metadata']['namespace']}/{pdb['metadata']['name']}"
            self.recheck.add_after(key, max(0.0, recheck_at - now))

    def _expected_pod_count(self, pdb: Obj, pods: list[Obj]) -> tuple[int, int, list[str]]:
        spec = pdb.get("spec") or {}
        if spec.get("maxUnavailable") is not None:
            expected, unmanaged = self._expected_scale(pods)
            return expected, max(0, expected - scaled(spec["maxUnavailable"], expected)), unmanaged
        min_available = spec.get("minAvailable")
        if isinstance(min_available, int):
            return len(pods), min_available, []
        if isinstance(min_available, str):
            expected, unmanaged = self._expected_scale(pods)
            return expected, scaled(min_available, expected), unmanaged
        return 0, 0, []

    def _expected_scale(self, pods: list[Obj]) -> tuple[int, list[str]]:
        scales: dict[str, int] = {}
        unmanaged: list[str] = []
        for pod in pods:
            ref = controller_ref(pod)
            if ref is None:
                unmanaged.append(pod["metadata"]["name"])
                continue
            if ref.get("uid") in scales:
                continue
            found = self._controller_scale(ref, pod["metadata"]["namespace"])
            if found is None:
                raise SyncError(f'found no controllers for pod "{pod["metadata"]["name"]}"')
            scales[found[0]] = found[1]
        return sum(scales.values()), unmanaged

    def _controller_scale(self, ref: Obj, ns: str) -> tuple[str, int] | None:
        """The finders: a ReplicaSet (or the Deployment that controls it), a StatefulSet."""
        kind, group = ref.get("kind"), str(ref.get("apiVersion", "")).split("/")[0]
        if group != "apps":
            return None
        if kind == "ReplicaSet":
            rs = self.replicasets.get(f"{ns}/{ref.get('name')}")
            if rs is None or rs["metadata"].get("uid") != ref.get("uid"):
                return None
            owner = controller_ref(rs)
            if owner is not None and owner.get("kind") == "Deployment":
                dep = self.deployments.get(f"{ns}/{owner.get('name')}")
                if dep is None or dep["metadata"].get("uid") != owner.get("uid"):
                    return None
                return str(dep["metadata"]["uid"]), int((dep.get("spec") or {}).get("replicas", 1))
            return str(rs["metadata"]["uid"]), int((rs.get("spec") or {}).get("replicas", 1))
        if kind == "StatefulSet":
            sts = self.statefulsets.get(f"{ns}/{ref.get('name')}")
            if sts is None or sts["metadata"].get("uid") != ref.get("uid"):
                return None
            return str(sts["metadata"]["uid"]), int((sts.get("spec") or {}).get("replicas", 1))
        return None

    @staticmethod
    def _count_healthy(pods: list[Obj], disrupted: dict[str, str], now: float) -> int:
        healthy = 0
        for pod in pods:
            if pod["metadata"].get("deletionTimestamp"):
                continue
            at = parse_time(disrupted.get(pod["metadata"]["name"]))
            if at is not None and at + DELETION_TIMEOUT_S > now:
                continue
            if is_pod_ready(pod):
                healthy += 1
        return healthy

    def _disrupted_pod_map(self, pods: list[Obj], pdb: Obj, now: float) -> tuple[dict[str, str], float | None]:
        recorded = (pdb.get("status") or {}).get("disruptedPods") or {}
        result: dict[str, str] = {}
        recheck: float | None = None
        for pod in pods:
            name = pod["metadata"]["name"]
            if pod["metadata"].get("deletionTimestamp") or name not in recorded:
                continue
            at = parse_time(recorded[name])
            expected_deletion = (at or 0.0) + DELETION_TIMEOUT_S
            if expected_deletion <= now:  # (at the instant itself too: simulated time stands still)
                ns = pdb["metadata"]["namespace"]
                # (upstream's message names the namespace twice, for "namespace/name")
                self.recorder.event(
                    pod, "Warning", "NotDeleted", f"Pod was expected by PDB {ns}/{ns} to be deleted but it wasn't"
                )
            else:
                recheck = expected_deletion if recheck is None else min(recheck, expected_deletion)
                result[name] = recorded[name]
        return result, recheck

    def _update_status(self, pdb: Obj, healthy: int, desired: int, expected: int, disrupted: dict[str, str]) -> None:
        allowed = healthy - desired
        if expected <= 0 or allowed <= 0:
            allowed = 0
        status = pdb.get("status") or {}
        generation = pdb["metadata"].get("generation", 0)
        new_status: Obj = {
            "disruptionsAllowed": allowed,
            "currentHealthy": healthy,
            "desiredHealthy": desired,
            "expectedPods": expected,
        }
        if disrupted:
            new_status["disruptedPods"] = disrupted
        if generation:
            new_status["observedGeneration"] = generation
        new_status["conditions"] = copy.deepcopy(status.get("conditions") or [])
        set_disruption_allowed_condition(new_status, self._now_rfc3339())
        if new_status == status:
            return  # everything, the condition included, is up to date
        new = {**pdb, "status": new_status}
        self.ctx.client.update_status("poddisruptionbudgets", new, pdb["metadata"]["namespace"])

    def _fail_safe(self, pdb: Obj, message: str) -> None:
        status = copy.deepcopy(pdb.get("status") or {})
        status["disruptionsAllowed"] = 0
        set_condition(status, {"type": CONDITION, "status": "False", "reason": "SyncFailed", "message": message},
                      self._now_rfc3339())
        try:
            self.ctx.client.update_status("poddisruptionbudgets", {**pdb, "status": status}, pdb["metadata"]["namespace"])
        except ApiError:
            pass  # the sync is retried with back-off
