"""The ReplicaSet controller: keep ``spec.replicas`` active pods matching the selector.

Models ``pkg/controller/replicaset/replica_set.go`` and ``replica_set_utils.go`` with the
helpers of ``pkg/controller/controller_utils.go`` and ``controller_ref_manager.go`` (see
``_podutil``): pods are claimed (orphans matching the selector adopted, owned pods that stopped
matching released), expectations hold back a sync until the creates/deletes it issued are seen,
missing pods are created from the template in slow-start batches (1, 2, 4, ...) of at most
``BURST_REPLICAS`` per sync, surplus pods are deleted in ``ActivePodsWithRanks`` order, and the
status (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas, observedGeneration,
the ReplicaFailure condition) is written on every sync. A ReplicaSet with ``minReadySeconds``
is re-queued for the instant its ready pods become available.

Related pods for the same-node rank are the pods of every ReplicaSet with the same controller
owner (``getIndirectlyRelatedPods``). The kind, resource and event source are class attributes,
so ``replication.py`` runs the same code over ReplicationControllers, as upstream does. Leaves
out: the terminatingReplicas status field (alpha in v1.33), and metrics.
"""

from __future__ import annotations

from typing import Any, ClassVar

from reference_impl.apiserver import ApiError, clone
from reference_impl.apiserver.selectors import LabelSelector
from reference_impl.client import Component, Informer, obj_key
from reference_impl.controllers import _podutil as pu

Obj = dict[str, Any]

BURST_REPLICAS = 500  # --concurrent-replicaset-syncs' sibling: the controller's burstReplicas
STATUS_UPDATE_RETRIES = 1


class ReplicaSetController:
    """The controller over the kind the class attributes name (upstream's ``NewBaseController``
    takes the same facts as arguments; ``replication.py`` runs it over ReplicationControllers)."""

    API_VERSION: ClassVar[str] = "apps/v1"
    KIND: ClassVar[str] = "ReplicaSet"
    RESOURCE: ClassVar[str] = "replicasets"
    COMPONENT: ClassVar[str] = "replicaset-controller"  # the events' source
    QUEUE_NAME: ClassVar[str] = "replicaset"

    def __init__(self, ctx: Component) -> None:
        self.ctx = ctx
        self.client = ctx.client
        self.recorder = ctx.recorder_for(self.COMPONENT)
        self.expectations = pu.ControllerExpectations(ctx.loop.now)
        self.rs_informer: Informer | None = None
        self.pod_informer: Informer | None = None

    # -- wiring ---------------------------------------------------------------------------------
    def setup(self) -> None:
        self.rs_informer = self.ctx.informers.informer(self.RESOURCE)
        self.pod_informer = self.ctx.informers.informer("pods")
        pu.ensure_owner_indexes(self.rs_informer)
        pu.ensure_index(self.rs_informer, pu.INDEX_NAMESPACE, pu.namespace_index)
        pu.ensure_owner_indexes(self.pod_informer)
        self.queue = self.ctx.queue(self._sync, name=self.QUEUE_NAME)
        self.rs_informer.add_handler(self._add_rs, self._update_rs, self._delete_rs)
        self.pod_informer.add_handler(self._add_pod, self._update_pod, self._delete_pod)

    @property
    def _rss(self) -> Informer:
        assert self.rs_informer is not None
        return self.rs_informer

    @property
    def _pods(self) -> Informer:
        assert self.pod_informer is not None
        return self.pod_informer

    def selector(self, rs: Obj) -> LabelSelector:
        """``metav1.LabelSelectorAsSelector(rs.Spec.Selector)``."""
        return pu.selector_of(rs)

    # -- ReplicaSet events ----------------------------------------------------------------------
    def _add_rs(self, rs: Obj) -> None:
        self.queue.add(obj_key(rs))

    def _update_rs(self, old: Obj, cur: Obj) -> None:
        if old["metadata"].get("uid") != cur["metadata"].get("uid"):
            self._delete_rs(old)
        self.queue.add(obj_key(cur))

    def _delete_rs(self, rs: Obj) -> None:
        key = obj_key(rs)
        self.expectations.delete(key)
        self.queue.add(key)

    # -- pod events -----------------------------------------------------------------------------
    def _resolve_controller_ref(self, namespace: str, ref: Obj) -> Obj | None:
        if ref.get("kind") != self.KIND:
            return None
        rs = self._rss.get_by(str(ref.get("name")), namespace)
        if rs is None or rs["metadata"].get("uid") != ref.get("uid"):
            return None
        return rs

    def _matching_rss(self, pod: Obj) -> list[Obj]:
        """``getPodReplicaSets``: ReplicaSets in the pod's namespace whose selector matches it."""
        labels = pod["metadata"].get("labels") or {}
        if not labels:
            return []
        ns = str(pod["metadata"].get("namespace", ""))
        out = [rs for rs in self._rss.by_index(pu.INDEX_NAMESPACE, ns) if self.selector(rs).matches(labels)]
        return sorted(out, key=obj_key)

    def _add_pod(self, pod: Obj) -> None:
        if pod["metadata"].get("deletionTimestamp"):
            self._delete_pod(pod)
            return
        ref = pu.controller_ref(pod)
        if ref is not None:
            rs = self._resolve_controller_ref(str(pod["metadata"].get("namespace", "")), ref)
            if rs is None:
                return
            key = obj_key(rs)
            self.expectations.creation_observed(key)
            self.queue.add(key)
            return
        for rs in self._matching_rss(pod):
            self.queue.add(obj_key(rs))

    def _update_pod(self, old: Obj, cur: Obj) -> None:
        if old["metadata"].get("resourceVersion") == cur["metadata"].get("resourceVersion"):
            return
        label_changed = old["metadata"].get("labels") != cur["metadata"].get("labels")
        if cur["metadata"].get("deletionTimestamp"):
            self._delete_pod(cur)
            if label_changed:
                self._delete_pod(old)
            return
        ns = str(cur["metadata"].get("namespace", ""))
        cur_ref, old_ref = pu.controller_ref(cur), pu.controller_ref(old)
        ref_changed = cur_ref != old_ref
        if ref_changed and old_ref is not None:
            rs = self._resolve_controller_ref(ns, old_ref)
            if rs is not None:
                self.queue.add(obj_key(rs))
        if cur_ref is not None:
            rs = self._resolve_controller_ref(ns, cur_ref)
            if rs is None:
                return
            self.queue.add(obj_key(rs))
            min_ready = int((rs.get("spec") or {}).get("minReadySeconds") or 0)
            if min_ready > 0 and not pu.is_pod_ready(old) and pu.is_pod_ready(cur):
                self.queue.add_after(obj_key(rs), float(min_ready) + 1.0)
            return
        if label_changed or ref_changed:
            for rs in self._matching_rss(cur):
                self.queue.add(obj_key(rs))

    def _delete_pod(self, pod: Obj) -> None:
        ref = pu.controller_ref(pod)
        if ref is None:
            return
        rs = self._resolve_controller_ref(str(pod["metadata"].get("namespace", "")), ref)
        if rs is None:
            return
        key = obj_key(rs)
        self.expectations.deletion_observed(key, obj_key(pod))
        self.queue.add(key)

    # -- sync -----------------------------------------------------------------------------------
    def _sync(self, key: str) -> None:
        cached = self._rss.get(key)
        if cached is None:
            self.expectations.delete(key)
            return
        needs_sync = self.expectations.satisfied(key)
        rs = clone(cached)
        selector = self.selector(rs)
        candidates = [(p, owned) for p, owned in pu.claim_candidates(self._pods, rs) if pu.is_pod_active(p)]
        manager = pu.ControllerRefManager(
            self.client,
            rs,
            selector,
            api_version=self.API_VERSION,
            kind=self.KIND,
            resource="pods",
            can_adopt=pu.recheck_deletion_timestamp(self.client, self.RESOURCE, rs, self.KIND),
        )
        pods, claim_errors = manager.claim(candidates)
        if claim_errors:
            raise claim_errors[0]
        manage_err: Exception | None = None
        if needs_sync and not rs["metadata"].get("deletionTimestamp"):
            manage_err = self._manage_replicas(pods, rs, key)
        new_status = self._calculate_status(rs, pods, manage_err)
        updated = self._update_status(rs, new_status)
        if manage_err is not None:
            raise manage_err
        self.queue.forget(key)
        self._requeue_for_availability(updated, pods, key)

    def _requeue_for_availability(self, rs: Obj, pods: list[Obj], key: str) -> None:
        min_ready = int((rs.get("spec") or {}).get("minReadySeconds") or 0)
        if min_ready <= 0:
            return
        now = self.ctx.loop.now()
        waits = [w for w in (pu.available_in_s(p, min_ready, now) for p in pods) if w is not None]
        if waits:
            # IsPodAvailable needs lastTransitionTime + minReadySeconds strictly before now
            self.queue.add_after(key, min(waits) + 0.001)

    def _manage_replicas(self, pods: list[Obj], rs: Obj, key: str) -> Exception | None:
        diff = len(pods) - pu.spec_replicas(rs)
        ns = str(rs["metadata"].get("namespace", ""))
        if diff < 0:
            want = min(-diff, BURST_REPLICAS)
            self.expectations.expect_creations(key, want)
            ref = pu.new_controller_ref(rs, api_version=self.API_VERSION, kind=self.KIND)
            template = (rs.get("spec") or {}).get("template") or {}

            def create() -> None:
                body = pu.pod_from_template(template, rs, ref)
                try:
                    created = self.client.create("pods", body, ns)
                except ApiError as e:
                    if _namespace_terminating(e):
                        return
                    self.recorder.event(rs, "Warning", "FailedCreate", f"Error creating: {e.message}")
                    raise
                self.recorder.event(rs, "Normal", "SuccessfulCreate", f"Created pod: {created['metadata']['name']}")

            successes, err = pu.slow_start_batch(want, pu.SLOW_START_INITIAL_BATCH_SIZE, create)
            for _ in range(want - successes):
                self.expectations.creation_observed(key)
            return err
        if diff > 0:
            diff = min(diff, BURST_REPLICAS)
            doomed = pu.pods_to_delete(pods, self._related_pods(rs), diff, self.ctx.loop.now())
            self.expectations.expect_deletions(key, [obj_key(p) for p in doomed])
            first: Exception | None = None
            for pod in doomed:
                name = pod["metadata"]["name"]
                try:
                    self.client.delete("pods", name, ns)
                except Exception as e:
                    self.expectations.deletion_observed(key, obj_key(pod))
                    if isinstance(e, ApiError) and e.code == 404:
                        continue
                    msg = e.message if isinstance(e, ApiError) else str(e)
                    self.recorder.event(rs, "Warning", "FailedDelete", f"Error deleting: {msg}")
                    first = first or e
                    continue
                self.recorder.event(rs, "Normal", "SuccessfulDelete", f"Deleted pod: {name}")
            return first
        return None

    def _related_pods(self, rs: Obj) -> list[Obj]:
        """``getIndirectlyRelatedPods``: pods of every ReplicaSet sharing this one's controller."""
        owner = pu.controller_ref(rs)
        if owner is None:
            siblings = [rs]
        else:
            siblings = self._rss.by_index(pu.INDEX_CONTROLLER_UID, str(owner.get("uid")))
        pods: list[Obj] = []
        for sib in sorted(siblings, key=obj_key):
            pods.extend(self._pods.by_index(pu.INDEX_CONTROLLER_UID, str(sib["metadata"]["uid"])))
        return pods

    def _calculate_status(self, rs: Obj, pods: list[Obj], manage_err: Exception | None) -> Obj:
        status: Obj = clone(rs.get("status") or {})
        template_labels = (((rs.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}
        now = self.ctx.loop.now()
        min_ready = int((rs.get("spec") or {}).get("minReadySeconds") or 0)
        fully = ready = available = 0
        for pod in pods:
            labels = pod["metadata"].get("labels") or {}
            if all(labels.get(k) == v for k, v in template_labels.items()):
                fully += 1
            is_ready, is_available = pu.ready_and_available(pod, min_ready, now)
            ready += is_ready
            available += is_available
        conds: list[Obj] = list(status.get("conditions") or [])
        failure = next((c for c in conds if c.get("type") == "ReplicaFailure"), None)
        if manage_err is not None and failure is None:
            d = len(pods) - pu.spec_replicas(rs)
            reason = "FailedCreate" if d < 0 else ("FailedDelete" if d > 0 else "")
            msg = manage_err.message if isinstance(manage_err, ApiError) else str(manage_err)
            conds.append(
                {
                    "type": "ReplicaFailure",
                    "status": "True",
                    "lastTransitionTime": self.ctx.loop.clock.rfc3339(),
                    "reason": reason,
                    "message": msg,
                }
            )
        elif manage_err is None and failure is not None:
            conds = [c for c in conds if c.get("type") != "ReplicaFailure"]
        status["replicas"] = len(pods)
        for field, value in (("fullyLabeledReplicas", fully), ("readyReplicas", ready), ("availableReplicas", available)):
            if value:
                status[field] = value
            else:
                status.pop(field, None)
        if conds:
            status["conditions"] = conds
        else:
            status.pop("conditions", None)
        return status

    def _update_status(self, rs: Obj, new_status: Obj) -> Obj:
        """``updateReplicaSetStatus``: skip the steady state, else write with one retry on error."""
        old = rs.get("status") or {}
        generation = int(rs["metadata"].get("generation") or 0)
        if all(
            int(old.get(f) or 0) == int(new_status.get(f) or 0)
            for f in ("replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas")
        ) and generation == int(old.get("observedGeneration") or 0) and (old.get("conditions") or []) == (
            new_status.get("conditions") or []
        ):
            return rs
        if generation:
            new_status["observedGeneration"] = generation
        ns = rs["metadata"].get("namespace")
        cur = rs
        for attempt in range(STATUS_UPDATE_RETRIES + 1):
            cur["status"] = new_status
            try:
                return self.client.update_status(self.RESOURCE, cur, ns)
            except ApiError:
                if attempt >= STATUS_UPDATE_RETRIES:
                    raise
                cur = self.client.get(self.RESOURCE, rs["metadata"]["name"], ns)
        raise AssertionError("unreachable")  # pragma: no cover


def _namespace_terminating(err: ApiError) -> bool:
    causes = (err.details or {}).get("causes") or []
    return any(c.get("reason") == "NamespaceTerminating" for c in causes)
