"""The StatefulSet controller (part of kube-controller-manager).

Models ``pkg/controller/statefulset/stateful_set_control.go`` (``updateStatefulSet``,
``processReplica``, ``processCondemned``, ``updateStatefulSetAfterInvariantEstablished``) and
``stateful_set_utils.go`` (identity, ``newVersionedStatefulSetPod``, revisions).

Pods are named ``<sts>-<ordinal>`` with the labels ``statefulset.kubernetes.io/pod-name``,
``apps.kubernetes.io/pod-index`` and ``controller-revision-hash`` (the revision's name),
``hostname`` = pod name and ``subdomain`` = ``serviceName``. OrderedReady creates ordinal i only
when 0..i-1 are Running, Ready and available (``minReadySeconds``), and scales down from the
highest ordinal one at a time, waiting for each to terminate; Parallel does both at once.
Failed (and Succeeded) pods are deleted and recreated. RollingUpdate deletes, from the highest
ordinal down to ``partition``, one pod at a time that is not at the update revision, waiting
for the replacement to be healthy; ordinals below the partition are (re)created from the current
revision. OnDelete only recreates deleted pods, from the update revision. ControllerRevisions
``<sts>-<hash>`` back ``currentRevision``/``updateRevision``, the rollout completes (current :=
update) when all replicas are updated and ready, and at most ``revisionHistoryLimit`` unused
revisions are kept. Events use the real texts (``create Pod web-0 in StatefulSet web
successful``).

Deviations: the revision hash is FNV-32a over a canonical JSON of the template (see
``daemonset.hash_template``). Left out: volumeClaimTemplates and PVC retention (there is no PV
subsystem), ``spec.ordinals.start`` (ordinals start at 0), ``maxUnavailable`` for rolling
updates (alpha), status conditions, and the slow-start batching of Parallel creations.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from reference_impl.apiserver import ApiError
from reference_impl.apiserver.selectors import label_selector_from_dict
from reference_impl.client import Component, obj_key
from reference_impl.controllers._podutil import INDEX_CONTROLLER_UID, INDEX_ORPHANS, ensure_owner_indexes
from reference_impl.controllers.daemonset import (
    CONTROLLER_REVISION_HASH_LABEL,
    PodExpectations,
    PodOwnerHandlers,
    by_name,
    claim_objects,
    controller_ref,
    is_pod_available,
    is_pod_ready,
    is_terminating,
    owner_reference,
    ready_remaining_s,
    sync_revision,
    template_of_revision,
    truncate_history,
)

Obj = dict[str, Any]

POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"


def ordinal_of(sts_name: str, pod: Obj) -> int | None:
    """``getParentNameAndOrdinal``: the ordinal when the pod is named ``<sts>-<n>``."""
    m = re.fullmatch(r"(.*)-([0-9]+)", pod["metadata"]["name"])
    if m is None or m.group(1) != sts_name:
        return None
    return int(m.group(2))


def _phase(pod: Obj) -> str:
    return str((pod.get("status") or {}).get("phase") or "")


def is_running_and_ready(pod: Obj) -> bool:
    return _phase(pod) == "Running" and is_pod_ready(pod)


def is_healthy(pod: Obj) -> bool:
    return is_running_and_ready(pod) and not is_terminating(pod)


def revision_of(pod: Obj) -> str:
    return str((pod["metadata"].get("labels") or {}).get(CONTROLLER_REVISION_HASH_LABEL) or "")


class StatefulSetController(PodOwnerHandlers):
    """Keeps ``replicas`` pods with stable identities, in order."""

    OWNER_KIND = "StatefulSet"

    def __init__(self, ctx: Component) -> None:
        self.ctx = ctx
        self.expectations = PodExpectations()

    def setup(self) -> None:
        ctx = self.ctx
        self.recorder = ctx.recorder_for("statefulset-controller")
        self.sets = ctx.informers.informer("statefulsets")
        self.pods = ctx.informers.informer("pods")
        self.revisions = ctx.informers.informer("controllerrevisions")
        ensure_owner_indexes(self.pods)
        ensure_owner_indexes(self.revisions)
        self.queue = ctx.queue(self.sync, name="statefulset")
        self.sets.add_handler(
            lambda o: self.queue.add(obj_key(o)),
            lambda _o, n: self.queue.add(obj_key(n)),
            lambda o: self.expectations.forget(o["metadata"]["uid"]),
        )
        self.pods.add_handler(self._pod_added, self._pod_updated, self._pod_deleted)

    # -- handlers -----------------------------------------------------------------------------
    def _enqueue_for_pod(self, pod: Obj) -> None:
        ref = controller_ref(pod)
        ns = pod["metadata"].get("namespace")
        if ref is not None:
            if ref.get("kind") != "StatefulSet":
                return
            sts = self.sets.get_by(ref.get("name", ""), ns)
            if sts is not None and sts["metadata"]["uid"] == ref.get("uid"):
                self.queue.add(obj_key(sts))
            return
        if is_terminating(pod):
            return
        labels = pod["metadata"].get("labels") or {}
        for sts in by_name(self.sets.list()):
            if sts["metadata"].get("namespace") == ns and label_selector_from_dict(
                (sts.get("spec") or {}).get("selector")
            ).matches(labels):
                self.queue.add(obj_key(sts))

    # -- pods -----------------------------------------------------------------------------------
    def _new_pod(self, sts: Obj, template: Obj, revision: str, ordinal: int) -> Obj:
        """``newVersionedStatefulSetPod`` for one revision's template."""
        meta = sts["metadata"]
        name = f"{meta['name']}-{ordinal}"
        tmpl = copy.deepcopy(template)
        tmeta = tmpl.get("metadata") or {}
        labels = dict(tmeta.get("labels") or {})
        labels[POD_NAME_LABEL] = name
        labels[POD_INDEX_LABEL] = str(ordinal)
        labels[CONTROLLER_REVISION_HASH_LABEL] = revision
        spec = tmpl.get("spec") or {}
        spec["hostname"] = name
        if (sts.get("spec") or {}).get("serviceName"):
            spec["subdomain"] = sts["spec"]["serviceName"]
        pmeta: Obj = {
            "name": name,
            "namespace": meta["namespace"],
            "labels": labels,
            "ownerReferences": [owner_reference(sts)],
        }
        if tmeta.get("annotations"):
            pmeta["annotations"] = dict(tmeta["annotations"])
        if tmeta.get("finalizers"):
            pmeta["finalizers"] = list(tmeta["finalizers"])
        return {"apiVersion": "v1", "kind": "Pod", "metadata": pmeta, "spec": spec}

    def _event(self, sts: Obj, verb: str, pod_name: str, err: ApiError | None = None) -> None:
        set_name = sts["metadata"]["name"]
        reason = f"{'Successful' if err is None else 'Failed'}{verb.capitalize()}"
        msg = f"{verb} Pod {pod_name} in StatefulSet {set_name} " + (
            "successful" if err is None else f"failed error: {err.message}"
        )
        self.recorder.event(sts, "Normal" if err is None else "Warning", reason, msg)

    def _create(self, sts: Obj, pod: Obj) -> Obj:
        ns = sts["metadata"]["namespace"]
        try:
            created = self.ctx.client.create("pods", pod, ns)
        except ApiError as e:
            if e.code == 409:  # the old pod is still there; its deletion will requeue us
                return pod
            self._event(sts, "create", pod["metadata"]["name"], e)
            raise
        self.expectations.expect_create(sts["metadata"]["uid"], created, self.ctx.loop.now())
        self._event(sts, "create", created["metadata"]["name"])
        return created

    def _delete(self, sts: Obj, pod: Obj) -> None:
        ns = sts["metadata"]["namespace"]
        try:
            self.ctx.client.delete("pods", pod["metadata"]["name"], ns, preconditions={"uid": pod["metadata"]["uid"]})
        except ApiError as e:
            if e.code in (404, 409):
                return
            self._event(sts, "delete", pod["metadata"]["name"], e)
            raise
        self.expectations.expect_delete(sts["metadata"]["uid"], pod, self.ctx.loop.now())
        self._event(sts, "delete", pod["metadata"]["name"])

    # -- sync -----------------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        shared = self.sets.get(key)
        if shared is None:
            return
        sts = copy.deepcopy(shared)
        meta, spec = sts["metadata"], sts.get("spec") or {}
        uid, ns, name = meta["uid"], meta["namespace"], meta["name"]
        status: Obj = dict(sts.get("status") or {})
        client = self.ctx.client
        now = self.ctx.loop.now()
        min_ready = int(spec.get("minReadySeconds", 0))

        revs = self.revisions.by_index(INDEX_CONTROLLER_UID, uid)
        collision = int(status.get("collisionCount") or 0)
        update_rev, new_collision = sync_revision(client, sts, revs, spec.get("template") or {}, collision)
        if update_rev is None:
            body = copy.deepcopy(shared)
            body.setdefault("status", {})["collisionCount"] = new_collision
            client.update_status("statefulsets", body, ns)
            raise RuntimeError(f"hash collision for StatefulSet {key}, collisionCount is now {new_collision}")
        update_name = update_rev["metadata"]["name"]
        revs_by_name = {r["metadata"]["name"]: r for r in revs}
        revs_by_name[update_name] = update_rev
        current_rev = revs_by_name.get(str(status.get("currentRevision") or "")) or update_rev
        current_name = current_rev["metadata"]["name"]
        current_template = template_of_revision(current_rev)
        update_template = template_of_revision(update_rev)

        selector = label_selector_from_dict(spec.get("selector"))
        pods = claim_objects(
            client,
            "pods",
            sts,
            self.pods.by_index(INDEX_CONTROLLER_UID, uid),
            self.pods.by_index(INDEX_ORPHANS, ns),
            lambda p: selector.matches(p["metadata"].get("labels")) and ordinal_of(name, p) is not None,
        )
        pods = self.expectations.view(uid, pods, now)

        replicas_n = int(spec.get("replicas", 1))
        strategy = spec.get("updateStrategy") or {}
        strategy_type = strategy.get("type", "RollingUpdate")
        rolling = strategy.get("rollingUpdate")
        partition = int((rolling or {}).get("partition", 0)) if strategy_type == "RollingUpdate" else 0
        monotonic = spec.get("podManagementPolicy", "OrderedReady") != "Parallel"

        replicas: list[Obj | None] = [None] * replicas_n
        condemned: list[Obj] = []
        for p in pods:
            ordinal = ordinal_of(name, p)
            if ordinal is None:
                continue
            if ordinal < replicas_n:
                replicas[ordinal] = p
            else:
                condemned.append(p)
        condemned.sort(key=lambda p: -(ordinal_of(name, p) or 0))

        def versioned(ordinal: int) -> Obj:
            if strategy_type == "RollingUpdate" and (
                (rolling is None and ordinal < int(status.get("currentReplicas", 0))) or (rolling is not None and ordinal < partition)
            ):
                return self._new_pod(sts, current_template, current_name, ordinal)
            return self._new_pod(sts, update_template, update_name, ordinal)

        first_unhealthy: Obj | None = None
        for p in [*[r for r in replicas if r is not None], *reversed(condemned)]:
            if not is_healthy(p):
                first_unhealthy = p
                break

        blocked = meta.get("deletionTimestamp") is not None
        if not blocked:
            blocked = self._process_replicas(sts, replicas, versioned, monotonic, min_ready, now)
        if not blocked:
            blocked = self._process_condemned(sts, condemned, first_unhealthy, monotonic, min_ready, now)
        if not blocked and strategy_type == "RollingUpdate":
            for target in range(replicas_n - 1, partition - 1, -1):
                pod = replicas[target]
                if pod is None:
                    break
                if revision_of(pod) != update_name and not is_terminating(pod):
                    self._delete(sts, pod)
                    break
                if not is_healthy(pod):
                    break

        # status from what this sync saw and did
        pods_now = self.expectations.view(uid, self.pods.by_index(INDEX_CONTROLLER_UID, uid), now)
        pods_now = [p for p in pods_now if ordinal_of(name, p) is not None]
        new_status = self._status(sts, status, pods_now, current_name, update_name, new_collision, min_ready, now)
        if new_status != (shared.get("status") or {}):
            body = copy.deepcopy(shared)
            body["status"] = new_status
            try:
                client.update_status("statefulsets", body, ns)
            except ApiError as e:
                if e.code != 404:
                    raise
        live = {new_status.get("currentRevision", ""), new_status.get("updateRevision", "")}
        live.update(revision_of(p) for p in pods_now)
        truncate_history(client, revs, live, int(spec.get("revisionHistoryLimit", 10)), ns)

    def _process_replicas(
        self,
        sts: Obj,
        replicas: list[Obj | None],
        versioned: Any,
        monotonic: bool,
        min_ready: int,
        now: float,
    ) -> bool:
        """``processReplica`` for each ordinal in order; True when a monotonic set must wait."""
        name = sts["metadata"]["name"]
        ns = sts["metadata"]["namespace"]
        for i, pod in enumerate(replicas):
            if pod is not None and _phase(pod) in ("Failed", "Succeeded") and not is_terminating(pod):
                if _phase(pod) == "Failed":
                    reason, what = "RecreatingFailedPod", "failed"
                else:
                    reason, what = "RecreatingTerminatedPod", "terminated"
                self.recorder.event(
                    sts, "Warning", reason, f"StatefulSet {ns}/{name} is recreating {what} Pod {pod['metadata']['name']}"
                )
                self._delete(sts, pod)
                pod = None
            if pod is None:
                replicas[i] = self._create(sts, versioned(i))
                if monotonic:
                    return True
                continue
            if is_terminating(pod) and monotonic:
                return True
            if not is_running_and_ready(pod) and monotonic:
                return True
            if not is_pod_available(pod, min_ready, now) and monotonic:
                left = ready_remaining_s(pod, min_ready, now)
                if left is not None:
                    self.queue.add_after(obj_key(sts), left)
                return True
            self._fix_identity(sts, pod, i)
        return False

    def _fix_identity(self, sts: Obj, pod: Obj, ordinal: int) -> None:
        """``identityMatches``/``updateIdentity``: restore the pod-name and pod-index labels."""
        labels = pod["metadata"].get("labels") or {}
        pod_name = pod["metadata"]["name"]
        if labels.get(POD_NAME_LABEL) == pod_name and labels.get(POD_INDEX_LABEL) == str(ordinal):
            return
        if is_terminating(pod) or "resourceVersion" not in pod["metadata"]:
            return
        upd = copy.deepcopy(pod)
        upd["metadata"].setdefault("labels", {}).update({POD_NAME_LABEL: pod_name, POD_INDEX_LABEL: str(ordinal)})
        try:
            self.ctx.client.update("pods", upd, sts["metadata"]["namespace"])
        except ApiError as e:
            if e.code in (404, 409):
                return
            self._event(sts, "update", pod_name, e)
            raise
        self._event(sts, "update", pod_name)

    def _process_condemned(
        self, sts: Obj, condemned: list[Obj], first_unhealthy: Obj | None, monotonic: bool, min_ready: int, now: float
    ) -> bool:
        """``processCondemned``, highest ordinal first; True when a monotonic set must wait."""
        for pod in condemned:
            if is_terminating(pod):
                if monotonic:
                    return True
                continue
            unhealthy_blocker = pod is not first_unhealthy
            if monotonic and unhealthy_blocker and (
                not is_running_and_ready(pod) or not is_pod_available(pod, min_ready, now)
            ):
                return True
            self._delete(sts, pod)
            if monotonic:
                return True
        return False

    def _status(
        self,
        sts: Obj,
        old: Obj,
        pods: list[Obj],
        current: str,
        update: str,
        collision: int,
        min_ready: int,
        now: float,
    ) -> Obj:
        """``computeReplicaStatus`` plus ``completeRollingUpdate``."""
        spec = sts.get("spec") or {}
        replicas = ready = available = cur = upd = 0
        recheck: float | None = None
        for p in pods:
            replicas += 1
            if is_running_and_ready(p):
                ready += 1
                if is_pod_available(p, min_ready, now):
                    available += 1
                else:
                    left = ready_remaining_s(p, min_ready, now)
                    if left is not None:
                        recheck = left if recheck is None else min(recheck, left)
            if not is_terminating(p):
                rev = revision_of(p)
                cur += int(rev == current)
                upd += int(rev == update)
        want = int(spec.get("replicas", 1))
        status = dict(old)
        status.update(
            {
                "observedGeneration": sts["metadata"].get("generation", 1),
                "replicas": replicas,
                "readyReplicas": ready,
                "availableReplicas": available,
                "currentReplicas": cur,
                "updatedReplicas": upd,
                "currentRevision": current,
                "updateRevision": update,
                "collisionCount": collision,
            }
        )
        strategy_type = (spec.get("updateStrategy") or {}).get("type", "RollingUpdate")
        if strategy_type == "RollingUpdate" and upd == want and ready == want and replicas == want:
            status["currentReplicas"] = upd
            status["currentRevision"] = update
        for k in ("readyReplicas", "currentReplicas", "updatedReplicas"):
            if status[k] == 0:
                status.pop(k)  # omitempty
        if recheck is not None:
            self.queue.add_after(obj_key(sts), recheck)
        return status


__all__ = ["POD_INDEX_LABEL", "POD_NAME_LABEL", "StatefulSetController", "ordinal_of"]
