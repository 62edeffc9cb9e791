"""The resource quota controller: each quota's ``status.hard`` and ``status.used``.

Models ``pkg/controller/resourcequota/resource_quota_controller.go`` and
``resource_quota_monitor.go`` over the evaluators of ``pkg/quota/v1/evaluator/core`` (shared with
quota admission: ``apiserver/admission_quota.py``). A sync (``syncResourceQuota``) sets
``status.hard`` to ``spec.hard`` and recalculates ``status.used`` from the objects of the quota's
namespace (``quota.CalculateUsage``: each evaluator's usage of the objects all of the quota's
scopes match), keeping a used entry no evaluator computes, and writes the status when either
changed. Quotas are synced:

- when created, or when ``spec.hard`` changes (a status write alone is ignored, as upstream's
  informer handler ignores it), on the priority queue when the status lacks a usage;
- when an object they count is deleted, or updated in a way that changes its usage (the monitors'
  ``DefaultUpdateFilter``: a pod turning terminal or its ``activeDeadlineSeconds`` changing, a
  service changing between ClusterIP, NodePort and LoadBalancer); creates are not watched, since
  admission charged them;
- all of them every ``resource_quota_sync_period_s`` (``--resource-quota-sync-period``, 5 min;
  ``ClusterConfig.extra`` may set another), which is what resets a status a client wrote and
  releases a pod terminating past its grace period.

The monitors (one informer per counted resource, shared with the other controllers of the
manager) are started when a quota first names a resource of theirs, where upstream watches every
quotable resource from the start; what a quota counts is the same. Leaves out: the 30 s discovery
resync (the API server's registry is read at each sync, so a new CustomResourceDefinition counts
at once) and the ``LimitedResources`` admission configuration.
"""

from __future__ import annotations

from typing import Any

from reference_impl.apiserver import ApiError
from reference_impl.apiserver.admission_quota import (
    Evaluator,
    ResourceList,
    calculate_usage,
    evaluator_for,
    evaluators_for_names,
    parse_list,
    rl_equals,
    rl_mask,
    rl_to_json,
)
from reference_impl.apiserver.registry import Registry, ResourceInfo
from reference_impl.client import Component, Informer, obj_key
from reference_impl.controllers import _podutil as pu

Obj = dict[str, Any]

RESOURCE_QUOTA_SYNC_PERIOD_S = 300.0  # --resource-quota-sync-period (ResourceQuotaSyncPeriod)
SYNC_PERIOD_KEY = "resource_quota_sync_period_s"  # ClusterConfig.extra's name for it


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


class ResourceQuotaController:
    """``resourcequota.Controller`` with its ``QuotaMonitor``."""

    def __init__(self, ctx: Component) -> None:
        self.ctx = ctx
        self.client = ctx.client
        self.registry: Registry = ctx.client.api.registry  # discovery, read in process
        self.quotas: Informer | None = None
        # qualified resource -> its informer and evaluator: what the quotas counted so far
        self.monitors: dict[str, tuple[Informer, Evaluator]] = {}
        period = ctx.config.extra.get(SYNC_PERIOD_KEY, RESOURCE_QUOTA_SYNC_PERIOD_S)
        self.sync_period_s = float(period) if isinstance(period, int | float) else RESOURCE_QUOTA_SYNC_PERIOD_S

    # -- wiring ---------------------------------------------------------------------------------
    def setup(self) -> None:
        self.quotas = self.ctx.informers.informer("resourcequotas")
        pu.ensure_index(self.quotas, pu.INDEX_NAMESPACE, pu.namespace_index)
        self.monitors = {}
        self.queue = self.ctx.queue(self._sync, name="resourcequota_primary")
        self.missing_usage_queue = self.ctx.queue(self._sync, name="resourcequota_priority")
        self.quotas.add_handler(self._add_quota, self._update_quota, self._delete_quota)
        if self.sync_period_s > 0:
            self.ctx.every(self.sync_period_s, self._enqueue_all)

    @property
    def _quotas(self) -> Informer:
        assert self.quotas is not None
        return self.quotas

    # -- quota events ---------------------------------------------------------------------------
    def _add_quota(self, quota: Obj) -> None:
        """``addQuota``: the priority queue for a quota whose status lacks what it should show."""
        key = obj_key(quota)
        spec_hard = parse_list(_dict(quota.get("spec")).get("hard"))
        status = _dict(quota.get("status"))
        status_hard, used = parse_list(status.get("hard")), _dict(status.get("used"))
        if not rl_equals(spec_hard, status_hard):  # (Semantic.DeepEqual: nil and empty are equal)
            self.missing_usage_queue.add(key)
            return
        missing = [n for n in status_hard if n not in used]
        if missing and evaluators_for_names(self.registry, missing):
            self.missing_usage_queue.add(key)
            return
        self.queue.add(key)

    def _update_quota(self, old: Obj, cur: Obj) -> None:
        # only a change of spec.hard: the controller's own status writes (and a client's) are not
        old_hard = parse_list(_dict(old.get("spec")).get("hard"))
        if rl_equals(old_hard, parse_list(_dict(cur.get("spec")).get("hard"))):
            return
        self._add_quota(cur)

    def _delete_quota(self, quota: Obj) -> None:
        self.queue.add(obj_key(quota))

    def _enqueue_all(self) -> None:
        """``enqueueAll``: the full resync."""
        for key in sorted(obj_key(q) for q in self._quotas.list()):
            self.queue.add(key)

    # -- monitors -------------------------------------------------------------------------------
    def _monitor(self, info: ResourceInfo, ev: Evaluator) -> Informer:
        """The informer of a counted resource, with the replenishment handlers (started once)."""
        have = self.monitors.get(ev.qualified)
        if have is not None:
            return have[0]
        # built-in resources by plural, to share the other controllers' informers
        name = info.plural if self.registry.lookup(info.plural) is info else info.resource
        inf = self.ctx.informers.informer(name)
        pu.ensure_index(inf, pu.INDEX_NAMESPACE, pu.namespace_index)

        def on_update(old: Obj, cur: Obj) -> None:
            if ev.needs_replenish(old, cur, self.ctx.loop.now()):
                self._replenish(ev, cur)

        inf.add_handler(on_update=on_update, on_delete=lambda obj: self._replenish(ev, obj))
        self.monitors[ev.qualified] = (inf, ev)
        if not inf.running and self.ctx.informers.started:
            inf.start()
        return inf

    def _replenish(self, ev: Evaluator, obj: Obj) -> None:
        """``replenishQuota``: resync the namespace's quotas that count this kind of object."""
        namespace = str(_dict(obj.get("metadata")).get("namespace") or "")
        for quota in self._quotas.by_index(pu.INDEX_NAMESPACE, namespace):
            if ev.matching_resources(_dict(_dict(quota.get("status")).get("hard"))):
                self.queue.add(obj_key(quota))

    # -- sync -----------------------------------------------------------------------------------
    def _sync(self, key: str) -> None:
        """``syncResourceQuota``."""
        quota = self._quotas.get(key)
        if quota is None:
            return
        spec, status = _dict(quota.get("spec")), _dict(quota.get("status"))
        hard = parse_list(spec.get("hard"))
        old_used = parse_list(status.get("used"))
        dirty = not rl_equals(hard, parse_list(status.get("hard"))) or status.get("hard") is None \
            or status.get("used") is None
        namespace = str(quota["metadata"].get("namespace") or "")

        def objects(info: ResourceInfo) -> list[Obj]:
            ev = evaluator_for(info.plural, info.group)
            assert ev is not None  # (calculate_usage asks only for what has an evaluator)
            inf = self._monitor(info, ev)
            return sorted(inf.by_index(pu.INDEX_NAMESPACE, namespace), key=obj_key)

        new_usage = calculate_usage(
            registry=self.registry, quota=quota, hard=hard, objects=objects, now_s=self.ctx.loop.now()
        )
        used: ResourceList = {**old_used, **new_usage}
        used = rl_mask(used, hard)
        dirty = dirty or not rl_equals(used, old_used)
        if not dirty:
            return
        body = {**quota, "status": {"hard": rl_to_json(hard), "used": rl_to_json(used)}}
        if not hard:
            body["status"] = {}  # empty ResourceLists are omitted
        try:
            self.client.update_status("resourcequotas", body, namespace)
        except ApiError as e:
            if e.code == 404:
                return  # deleted since: nothing to account for
            raise
