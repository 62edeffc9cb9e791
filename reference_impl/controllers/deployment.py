"""The Deployment controller: ReplicaSets per pod template, rolled by RollingUpdate or Recreate.

Models ``pkg/controller/deployment/`` (``deployment_controller.go``, ``sync.go``,
``rolling.go``, ``recreate.go``, ``progress.go``) and ``deployment/util/deployment_util.go``:
ReplicaSets are claimed by selector (adopt/release through ``ownerReferences``); the new
ReplicaSet is ``<deployment>-<pod-template-hash>`` with the hash label on its selector and
template and the revision / desired-replicas / max-replicas annotations; RollingUpdate follows
``reconcileNewReplicaSet`` / ``reconcileOldReplicaSets`` (with ``cleanupUnhealthyReplicas``)
honouring maxSurge (rounded up) and maxUnavailable (rounded down, 1 when both resolve to 0);
Recreate scales old ReplicaSets to 0 and waits until their pods are gone; a replicas change
mid-rollout is spread by ``scale``/``GetProportion``; paused deployments scale but do not roll;
old ReplicaSets beyond ``revisionHistoryLimit`` are deleted once empty; status and the
``Available`` / ``Progressing`` conditions follow ``calculateStatus`` / ``syncRolloutStatus``, and
``requeueStuckDeployment`` re-queues so ``ProgressDeadlineExceeded`` fires in simulated time.

The pod-template-hash: upstream hashes the Go struct dump of the template (``DeepHashObject``)
with FNV-32a, so its values cannot be reproduced outside Go. Here it is FNV-32a over the
template's canonical JSON (sorted keys, no spaces) followed by the collisionCount as 4
little-endian bytes (as upstream appends it), encoded with ``rand.SafeEncodeString`` of the
decimal value: same alphabet and shape, deterministic across processes.

Deviations: the deployment's revision annotation is written with a metadata patch (upstream
sends it along with UpdateStatus, whose strategy keeps annotations; this API server's status
writes reset metadata); after writing the deployment the controller carries on with the
returned resourceVersion instead of failing the next write on a conflict. Left out: rollback
through the deprecated ``rollbackTo`` field, and metrics.
"""

from __future__ import annotations

import contextlib
import json
import re
from typing import Any

from reference_impl.apiserver import ApiError, clone
from reference_impl.client import Component, Informer, obj_key
from reference_impl.controllers import _podutil as pu

Obj = dict[str, Any]

HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
ROLLBACK_TO = "deprecated.deployment.rollback.to"
ANNOTATIONS_TO_SKIP = frozenset({LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, ROLLBACK_TO})
MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000

# condition reasons (deployment/util/deployment_util.go)
NEW_RS_REASON = "NewReplicaSetCreated"
FOUND_NEW_RS_REASON = "FoundNewReplicaSet"
RS_UPDATED_REASON = "ReplicaSetUpdated"
NEW_RS_AVAILABLE_REASON = "NewReplicaSetAvailable"
TIMED_OUT_REASON = "ProgressDeadlineExceeded"
PAUSED_REASON = "DeploymentPaused"
RESUMED_REASON = "DeploymentResumed"
FAILED_RS_CREATE_REASON = "ReplicaSetCreateError"
MIN_AVAILABLE = "MinimumReplicasAvailable"
MIN_UNAVAILABLE = "MinimumReplicasUnavailable"

_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"
_INT32_MAX = 2**31 - 1


# -- pure helpers (deployment_util.go) -----------------------------------------------------------
def fnv32a(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def safe_encode(s: str) -> str:
    """``rand.SafeEncodeString``: each byte mapped into the vowel-free alphabet."""
    return "".join(_ALPHANUMS[ord(c) % len(_ALPHANUMS)] for c in s)


def compute_hash(template: Obj, collision_count: int | None) -> str:
    """``controller.ComputeHash`` over the template's canonical JSON (see the module docstring)."""
    data = json.dumps(template, sort_keys=True, separators=(",", ":")).encode()
    if collision_count is not None:
        data += (collision_count & 0xFFFFFFFF).to_bytes(4, "little")
    return safe_encode(str(fnv32a(data)))


def _without_hash(template: Obj) -> Obj:
    t = clone(template)
    labels = (t.get("metadata") or {}).get("labels")
    if isinstance(labels, dict):
        labels.pop(HASH_LABEL, None)
    return t  # type: ignore[no-any-return]


def equal_ignore_hash(t1: Obj, t2: Obj) -> bool:
    return _without_hash(t1) == _without_hash(t2)


_PERCENT = re.compile(r"^(-?\d+)%$")


def scaled_value(value: Any, total: int, *, round_up: bool) -> int:
    """``intstr.GetScaledValueFromIntOrPercent``."""
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    m = _PERCENT.match(str(value))
    if m is None:
        raise ValueError(f"invalid value for IntOrString: invalid type: string is not a percentage: {value!r}")
    pct = int(m.group(1))
    return -((-pct * total) // 100) if round_up else (pct * total) // 100


def is_rolling(d: Obj) -> bool:
    return ((d.get("spec") or {}).get("strategy") or {}).get("type", "RollingUpdate") == "RollingUpdate"


def resolve_fenceposts(d: Obj) -> tuple[int, int]:
    """``ResolveFenceposts``: (maxSurge rounded up, maxUnavailable rounded down; 1 if both 0)."""
    rolling = ((d.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") or {}
    desired = pu.spec_replicas(d)
    surge = scaled_value(rolling.get("maxSurge", 0), desired, round_up=True)
    unavailable = scaled_value(rolling.get("maxUnavailable", 0), desired, round_up=False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def max_surge(d: Obj) -> int:
    return resolve_fenceposts(d)[0] if is_rolling(d) else 0


def max_unavailable(d: Obj) -> int:
    if not is_rolling(d) or pu.spec_replicas(d) == 0:
        return 0
    return min(resolve_fenceposts(d)[1], pu.spec_replicas(d))


def revision(rs: Obj) -> int:
    try:
        return int(((rs["metadata"].get("annotations") or {}).get(REVISION)) or 0)
    except ValueError:
        return 0


def has_progress_deadline(d: Obj) -> bool:
    pds = (d.get("spec") or {}).get("progressDeadlineSeconds")
    return pds is not None and pds != _INT32_MAX


def get_condition(status: Obj, type_: str) -> Obj | None:
    for c in status.get("conditions") or []:
        if c.get("type") == type_:
            return c  # type: ignore[no-any-return]
    return None


def set_condition(status: Obj, cond: Obj) -> None:
    """``SetDeploymentCondition``: same status and reason is a no-op; keep lastTransitionTime
    when only the reason changes."""
    cur = get_condition(status, cond["type"])
    if cur is not None and cur.get("status") == cond["status"] and cur.get("reason") == cond["reason"]:
        return
    if cur is not None and cur.get("status") == cond["status"]:
        cond["lastTransitionTime"] = cur.get("lastTransitionTime")
    status["conditions"] = [c for c in status.get("conditions") or [] if c.get("type") != cond["type"]] + [cond]


def remove_condition(status: Obj, type_: str) -> None:
    conds = [c for c in status.get("conditions") or [] if c.get("type") != type_]
    if conds:
        status["conditions"] = conds
    else:
        status.pop("conditions", None)


def sum_spec(rss: list[Obj | None]) -> int:
    return sum(pu.spec_replicas(rs) for rs in rss if rs is not None)


def sum_status(rss: list[Obj | None], field: str) -> int:
    return sum(pu.status_int(rs, field) for rs in rss if rs is not None)


def active_rss(rss: list[Obj | None]) -> list[Obj]:
    """``FilterActiveReplicaSets``: spec.replicas > 0."""
    return [rs for rs in rss if rs is not None and pu.spec_replicas(rs) > 0]


def deployment_complete(d: Obj, status: Obj) -> bool:
    want = pu.spec_replicas(d)
    return (
        int(status.get("updatedReplicas") or 0) == want
        and int(status.get("replicas") or 0) == want
        and int(status.get("availableReplicas") or 0) == want
        and int(status.get("observedGeneration") or 0) >= int(d["metadata"].get("generation") or 0)
    )


def deployment_progressing(d: Obj, new: Obj) -> bool:
    old = d.get("status") or {}

    def g(s: Obj, f: str) -> int:
        return int(s.get(f) or 0)

    return (
        g(new, "updatedReplicas") > g(old, "updatedReplicas")
        or g(new, "replicas") - g(new, "updatedReplicas") < g(old, "replicas") - g(old, "updatedReplicas")
        or g(new, "readyReplicas") > g(old, "readyReplicas")
        or g(new, "availableReplicas") > g(old, "availableReplicas")
    )


def get_proportion(rs: Obj | None, d: Obj, to_add: int, added: int) -> int:
    """``GetProportion`` with ``getReplicaSetFraction``."""
    if rs is None or pu.spec_replicas(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    fraction = _rs_fraction(rs, d)
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)


def _rs_fraction(rs: Obj, d: Obj) -> int:
    size = pu.spec_replicas(rs)
    if pu.spec_replicas(d) == 0:
        return -size
    d_max = pu.spec_replicas(d) + max_surge(d)
    try:
        before = int((rs["metadata"].get("annotations") or {}).get(MAX_REPLICAS, ""))
    except ValueError:
        before = 0
    if before == 0:
        before = pu.status_int(d, "replicas")
        if before == 0:
            return 0
    new_size = size * d_max / before
    return int(new_size + 0.5) - size  # integer.RoundToInt32 (non-negative here)


def replicas_annotations_need_update(rs: Obj, desired: int, max_replicas: int) -> bool:
    ann = rs["metadata"].get("annotations") or {}
    return ann.get(DESIRED_REPLICAS) != str(desired) or ann.get(MAX_REPLICAS) != str(max_replicas)


def set_replicas_annotations(rs: Obj, desired: int, max_replicas: int) -> bool:
    ann = rs["metadata"].setdefault("annotations", {})
    changed = False
    for k, v in ((DESIRED_REPLICAS, str(desired)), (MAX_REPLICAS, str(max_replicas))):
        if ann.get(k) != v:
            ann[k] = v
            changed = True
    return changed


def set_new_rs_annotations(d: Obj, rs: Obj, new_revision: str, exists: bool) -> bool:
    """``SetNewReplicaSetAnnotations``."""
    ann = rs["metadata"].setdefault("annotations", {})
    changed = False
    for k, v in sorted((d["metadata"].get("annotations") or {}).items()):
        if k in ANNOTATIONS_TO_SKIP or ann.get(k) == v:
            continue
        ann[k] = v
        changed = True
    old_rev = ann.get(REVISION)
    try:
        old_int = int(old_rev) if old_rev is not None else 0
    except ValueError:
        return False
    new_int = int(new_revision)
    if old_int < new_int:
        ann[REVISION] = new_revision
        changed = True
        if old_rev is not None:
            history = ann.get(REVISION_HISTORY, "")
            olds = history.split(",") if history else []
            if not olds:
                ann[REVISION_HISTORY] = old_rev
            else:
                total = len(history) + len(old_rev) + 1
                start = 0
                while total > MAX_REV_HISTORY_LENGTH_IN_CHARS and start < len(olds):
                    total -= len(olds[start]) + 1
                    start += 1
                if total <= MAX_REV_HISTORY_LENGTH_IN_CHARS:
                    ann[REVISION_HISTORY] = ",".join([*olds[start:], old_rev])
    if not exists and set_replicas_annotations(rs, pu.spec_replicas(d), pu.spec_replicas(d) + max_surge(d)):
        changed = True
    return changed


def new_rs_new_replicas(d: Obj, all_rss: list[Obj | None], new_rs: Obj) -> int:
    """``NewRSNewReplicas``."""
    if not is_rolling(d):
        return pu.spec_replicas(d)
    want = pu.spec_replicas(d)
    surge = scaled_value(
        (((d.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") or {}).get("maxSurge", 0),
        want,
        round_up=True,
    )
    current = sum_spec(all_rss)
    max_total = want + surge
    if current >= max_total:
        return pu.spec_replicas(new_rs)
    up = min(max_total - current, want - pu.spec_replicas(new_rs))
    return pu.spec_replicas(new_rs) + up


def _size_older_key(rs: Obj) -> tuple[int, float, str]:
    t, n = pu.creation_order_key(rs)
    return (-pu.spec_replicas(rs), t, n)


def _compact_status(status: Obj) -> Obj:
    """The status as the wire shows it: omitempty integers and conditions dropped when zero."""
    out: Obj = {}
    for k, v in status.items():
        if v in (0, None, []) and k != "collisionCount":
            continue
        if k == "collisionCount" and v is None:
            continue
        out[k] = v
    return out


class DeploymentController:
    API_VERSION = "apps/v1"
    KIND = "Deployment"

    def __init__(self, ctx: Component) -> None:
        self.ctx = ctx
        self.client = ctx.client
        self.recorder = ctx.recorder_for("deployment-controller")
        self.d_informer: Informer | None = None
        self.rs_informer: Informer | None = None
        self.pod_informer: Informer | None = None

    # -- wiring ---------------------------------------------------------------------------------
    def setup(self) -> None:
        self.d_informer = self.ctx.informers.informer("deployments")
        self.rs_informer = self.ctx.informers.informer("replicasets")
        self.pod_informer = self.ctx.informers.informer("pods")
        pu.ensure_index(self.d_informer, pu.INDEX_NAMESPACE, pu.namespace_index)
        pu.ensure_owner_indexes(self.rs_informer)
        pu.ensure_owner_indexes(self.pod_informer)
        self.queue = self.ctx.queue(self._sync, name="deployment")
        self.d_informer.add_handler(self._enqueue, lambda _o, c: self._enqueue(c), self._enqueue)
        self.rs_informer.add_handler(self._add_rs, self._update_rs, self._delete_rs)
        self.pod_informer.add_handler(None, None, self._delete_pod)

    @property
    def _ds(self) -> Informer:
        assert self.d_informer is not None
        return self.d_informer

    @property
    def _rss(self) -> Informer:
        assert self.rs_informer is not None
        return self.rs_informer

    @property
    def _pods(self) -> Informer:
        assert self.pod_informer is not None
        return self.pod_informer

    def _now(self) -> str:
        return self.ctx.loop.clock.rfc3339()

    def _enqueue(self, d: Obj) -> None:
        self.queue.add(obj_key(d))

    # -- ReplicaSet and pod events --------------------------------------------------------------
    def _resolve(self, namespace: str, ref: Obj) -> Obj | None:
        if ref.get("kind") != self.KIND:
            return None
        d = self._ds.get_by(str(ref.get("name")), namespace)
        if d is None or d["metadata"].get("uid") != ref.get("uid"):
            return None
        return d

    def _deployments_for_rs(self, rs: Obj) -> list[Obj]:
        labels = rs["metadata"].get("labels") or {}
        if not labels:
            return []
        ns = str(rs["metadata"].get("namespace", ""))
        return sorted(
            (d for d in self._ds.by_index(pu.INDEX_NAMESPACE, ns) if pu.selector_of(d).matches(labels)), key=obj_key
        )

    def _add_rs(self, rs: Obj) -> None:
        if rs["metadata"].get("deletionTimestamp"):
            self._delete_rs(rs)
            return
        ref = pu.controller_ref(rs)
        if ref is not None:
            d = self._resolve(str(rs["metadata"].get("namespace", "")), ref)
            if d is not None:
                self._enqueue(d)
            return
        for d in self._deployments_for_rs(rs):
            self._enqueue(d)

    def _update_rs(self, old: Obj, cur: Obj) -> None:
        if old["metadata"].get("resourceVersion") == cur["metadata"].get("resourceVersion"):
            return
        ns = str(cur["metadata"].get("namespace", ""))
        cur_ref, old_ref = pu.controller_ref(cur), pu.controller_ref(old)
        ref_changed = cur_ref != old_ref
        if ref_changed and old_ref is not None:
            d = self._resolve(ns, old_ref)
            if d is not None:
                self._enqueue(d)
        if cur_ref is not None:
            d = self._resolve(ns, cur_ref)
            if d is not None:
                self._enqueue(d)
            return
        if ref_changed or old["metadata"].get("labels") != cur["metadata"].get("labels"):
            for d in self._deployments_for_rs(cur):
                self._enqueue(d)

    def _delete_rs(self, rs: Obj) -> None:
        ref = pu.controller_ref(rs)
        if ref is not None:
            d = self._resolve(str(rs["metadata"].get("namespace", "")), ref)
            if d is not None:
                self._enqueue(d)

    def _delete_pod(self, pod: Obj) -> None:
        """A Recreate deployment waits for its old pods to be gone: look again on each deletion."""
        ref = pu.controller_ref(pod)
        if ref is None or ref.get("kind") != "ReplicaSet":
            return
        ns = str(pod["metadata"].get("namespace", ""))
        rs = self._rss.get_by(str(ref.get("name")), ns)
        if rs is None or rs["metadata"].get("uid") != ref.get("uid"):
            return
        rs_ref = pu.controller_ref(rs)
        d = self._resolve(ns, rs_ref) if rs_ref is not None else None
        if d is not None and not is_rolling(d):
            self._enqueue(d)

    # -- sync -----------------------------------------------------------------------------------
    def _sync(self, key: str) -> None:
        cached = self._ds.get(key)
        if cached is None:
            return
        d = clone(cached)
        if (d.get("spec") or {}).get("selector") == {}:
            self.recorder.event(
                d, "Warning", "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required."
            )
            if pu.status_int(d, "observedGeneration") < int(d["metadata"].get("generation") or 0):
                d.setdefault("status", {})["observedGeneration"] = d["metadata"]["generation"]
                self._write_status(d)
            return
        rs_list = self._claim_replicasets(d)
        if d["metadata"].get("deletionTimestamp"):
            new_rs, old_rss = self._all_rss_and_sync_revision(d, rs_list, create=False)
            self._sync_status(d, [*old_rss, new_rs], new_rs)
        else:
            self._check_paused_conditions(d)
            if (d.get("spec") or {}).get("paused") or self._is_scaling_event(d, rs_list):
                self._sync_scale(d, rs_list)
            elif is_rolling(d):
                self._rollout_rolling(d, rs_list)
            else:
                self._rollout_recreate(d, rs_list)
        self.queue.forget(key)

    def _claim_replicasets(self, d: Obj) -> list[Obj]:
        manager = pu.ControllerRefManager(
            self.client,
            d,
            pu.selector_of(d),
            api_version=self.API_VERSION,
            kind=self.KIND,
            resource="replicasets",
            can_adopt=pu.recheck_deletion_timestamp(self.client, "deployments", d, self.KIND),
        )
        claimed, errors = manager.claim(pu.claim_candidates(self._rss, d))
        if errors:
            raise errors[0]
        # adopted ReplicaSets are seen with their new owner on the next event; a copy keeps
        # the shared cache untouched
        return [clone(rs) for rs in claimed]

    def _pod_map(self, d: Obj, rs_list: list[Obj]) -> dict[str, list[Obj]]:
        """``getPodMapForDeployment``: pods (terminating ones too) by controlling ReplicaSet UID."""
        selector = pu.selector_of(d)
        out: dict[str, list[Obj]] = {}
        for rs in rs_list:
            uid = str(rs["metadata"]["uid"])
            out[uid] = [
                p
                for p in self._pods.by_index(pu.INDEX_CONTROLLER_UID, uid)
                if selector.matches(p["metadata"].get("labels") or {})
            ]
        return out

    # -- writes to the deployment ---------------------------------------------------------------
    def _write_status(self, d: Obj) -> None:
        d["status"] = _compact_status(d.get("status") or {})
        out = self.client.update_status("deployments", d, d["metadata"].get("namespace"))
        d["metadata"]["resourceVersion"] = out["metadata"]["resourceVersion"]

    def _set_revision(self, d: Obj, rev: str) -> bool:
        """``SetDeploymentRevision``, persisted at once (see the module docstring)."""
        ann = d["metadata"].setdefault("annotations", {})
        if ann.get(REVISION) == rev:
            return False
        ann[REVISION] = rev
        meta = d["metadata"]
        body = {"metadata": {"annotations": {REVISION: rev}, "resourceVersion": meta.get("resourceVersion")}}
        out = self.client.patch("deployments", meta["name"], body, "merge", meta.get("namespace"))
        meta["resourceVersion"] = out["metadata"]["resourceVersion"]
        return True

    def _new_condition(self, type_: str, status: str, reason: str, message: str) -> Obj:
        now = self._now()
        return {
            "type": type_,
            "status": status,
            "lastUpdateTime": now,
            "lastTransitionTime": now,
            "reason": reason,
            "message": message,
        }

    def _check_paused_conditions(self, d: Obj) -> None:
        if not has_progress_deadline(d):
            return
        status = d.setdefault("status", {})
        cond = get_condition(status, "Progressing")
        if cond is not None and cond.get("reason") == TIMED_OUT_REASON:
            return
        paused = bool((d.get("spec") or {}).get("paused"))
        paused_cond = cond is not None and cond.get("reason") == PAUSED_REASON
        if paused and not paused_cond:
            set_condition(status, self._new_condition("Progressing", "Unknown", PAUSED_REASON, "Deployment is paused"))
        elif not paused and paused_cond:
            set_condition(status, self._new_condition("Progressing", "Unknown", RESUMED_REASON, "Deployment is resumed"))
        else:
            return
        self._write_status(d)

    # -- ReplicaSets ----------------------------------------------------------------------------
    def _all_rss_and_sync_revision(self, d: Obj, rs_list: list[Obj], *, create: bool) -> tuple[Obj | None, list[Obj]]:
        new_rs = self._find_new_rs(d, rs_list)
        old_rss = [rs for rs in rs_list if new_rs is None or rs["metadata"]["uid"] != new_rs["metadata"]["uid"]]
        return self._get_new_rs(d, rs_list, old_rss, create=create), old_rss

    @staticmethod
    def _find_new_rs(d: Obj, rs_list: list[Obj]) -> Obj | None:
        template = (d.get("spec") or {}).get("template") or {}
        for rs in sorted(rs_list, key=pu.creation_order_key):
            if equal_ignore_hash((rs.get("spec") or {}).get("template") or {}, template):
                return rs
        return None

    def _get_new_rs(self, d: Obj, rs_list: list[Obj], old_rss: list[Obj], *, create: bool) -> Obj | None:
        existing = self._find_new_rs(d, rs_list)
        new_revision = str(max([revision(rs) for rs in old_rss] or [0]) + 1)
        spec = d.get("spec") or {}
        min_ready = int(spec.get("minReadySeconds") or 0)
        ns = d["metadata"].get("namespace")
        if existing is not None:
            rs_copy = clone(existing)
            ann_changed = set_new_rs_annotations(d, rs_copy, new_revision, True)
            if ann_changed or int(rs_copy["spec"].get("minReadySeconds") or 0) != min_ready:
                if min_ready:
                    rs_copy["spec"]["minReadySeconds"] = min_ready
                else:
                    rs_copy["spec"].pop("minReadySeconds", None)
                return self.client.update("replicasets", rs_copy, ns)  # type: ignore[no-any-return]
            self._set_revision(d, (rs_copy["metadata"].get("annotations") or {}).get(REVISION, ""))
            status = d.setdefault("status", {})
            if has_progress_deadline(d) and get_condition(status, "Progressing") is None:
                set_condition(
                    status,
                    self._new_condition(
                        "Progressing", "True", FOUND_NEW_RS_REASON, f'Found new replica set "{rs_copy["metadata"]["name"]}"'
                    ),
                )
                self._write_status(d)
            return rs_copy
        if not create:
            return None
        collision = (d.get("status") or {}).get("collisionCount")
        template = clone(spec.get("template") or {})
        h = compute_hash(template, collision)
        tmeta = template.setdefault("metadata", {})
        tmeta["labels"] = {**(tmeta.get("labels") or {}), HASH_LABEL: h}
        selector = clone(spec.get("selector") or {})
        selector["matchLabels"] = {**(selector.get("matchLabels") or {}), HASH_LABEL: h}
        name = f"{d['metadata']['name']}-{h}"
        new_rs: Obj = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": name,
                "namespace": ns,
                "ownerReferences": [pu.new_controller_ref(d, api_version=self.API_VERSION, kind=self.KIND)],
                "labels": dict(tmeta["labels"]),
            },
            "spec": {"replicas": 0, "selector": selector, "template": template},
        }
        if min_ready:
            new_rs["spec"]["minReadySeconds"] = min_ready
        replicas = new_rs_new_replicas(d, [*old_rss, new_rs], new_rs)
        new_rs["spec"]["replicas"] = replicas
        set_new_rs_annotations(d, new_rs, new_revision, False)
        already_exists = False
        try:
            created: Obj = self.client.create("replicasets", new_rs, ns)
        except ApiError as e:
            if e.code == 409 and e.reason == "AlreadyExists":
                already_exists = True
                found = self._rss.get_by(name, ns)
                if found is None:
                    raise
                ref = pu.controller_ref(found)
                if ref is not None and ref.get("uid") == d["metadata"]["uid"] and equal_ignore_hash(
                    (found.get("spec") or {}).get("template") or {}, spec.get("template") or {}
                ):
                    created = clone(found)
                else:
                    status = d.setdefault("status", {})
                    status["collisionCount"] = int(status.get("collisionCount") or 0) + 1
                    self._write_status(d)
                    raise
            elif any(c.get("reason") == "NamespaceTerminating" for c in (e.details or {}).get("causes") or []):
                raise
            else:
                msg = f'Failed to create new replica set "{name}": {e.message}'
                if has_progress_deadline(d):
                    set_condition(
                        d.setdefault("status", {}),
                        self._new_condition("Progressing", "False", FAILED_RS_CREATE_REASON, msg),
                    )
                    with contextlib.suppress(ApiError):
                        self._write_status(d)
                self.recorder.event(d, "Warning", FAILED_RS_CREATE_REASON, msg)
                raise
        if not already_exists and replicas > 0:
            self.recorder.event(
                d, "Normal", "ScalingReplicaSet", f"Scaled up replica set {created['metadata']['name']} from 0 to {replicas}"
            )
        needs_update = self._set_revision(d, new_revision)
        if not already_exists and has_progress_deadline(d):
            set_condition(
                d.setdefault("status", {}),
                self._new_condition(
                    "Progressing", "True", NEW_RS_REASON, f'Created new replica set "{created["metadata"]["name"]}"'
                ),
            )
            needs_update = True
        if needs_update:
            self._write_status(d)
        return created

    def _scale_rs(self, rs: Obj, new_scale: int, d: Obj, operation: str | None = None) -> tuple[bool, Obj]:
        """``scaleReplicaSet``: write size and replica annotations; event when the size changed."""
        size_changed = pu.spec_replicas(rs) != new_scale
        desired, max_replicas = pu.spec_replicas(d), pu.spec_replicas(d) + max_surge(d)
        if not size_changed and not replicas_annotations_need_update(rs, desired, max_replicas):
            return False, rs
        old_scale = pu.spec_replicas(rs)
        rs_copy = clone(rs)
        rs_copy["spec"]["replicas"] = new_scale
        set_replicas_annotations(rs_copy, desired, max_replicas)
        out: Obj = self.client.update("replicasets", rs_copy, rs["metadata"].get("namespace"))
        if size_changed:
            op = operation or ("up" if old_scale < new_scale else "down")
            self.recorder.event(
                d, "Normal", "ScalingReplicaSet", f"Scaled {op} replica set {out['metadata']['name']} from {old_scale} to {new_scale}"
            )
        return size_changed, out

    def _scale_and_record(self, rs: Obj, new_scale: int, d: Obj) -> tuple[bool, Obj]:
        if pu.spec_replicas(rs) == new_scale:
            return False, rs
        return self._scale_rs(rs, new_scale, d)

    # -- scaling (sync.go) ----------------------------------------------------------------------
    def _is_scaling_event(self, d: Obj, rs_list: list[Obj]) -> bool:
        new_rs, old_rss = self._all_rss_and_sync_revision(d, rs_list, create=False)
        for rs in active_rss([*old_rss, new_rs]):
            raw = (rs["metadata"].get("annotations") or {}).get(DESIRED_REPLICAS)
            try:
                desired = int(raw) if raw is not None else None
            except ValueError:
                desired = None
            if desired is not None and desired != pu.spec_replicas(d):
                return True
        return False

    def _sync_scale(self, d: Obj, rs_list: list[Obj]) -> None:
        """``sync``: scale, clean up when paused, write status."""
        new_rs, old_rss = self._all_rss_and_sync_revision(d, rs_list, create=False)
        self._scale(d, new_rs, old_rss)
        if (d.get("spec") or {}).get("paused"):
            self._cleanup(d, old_rss)
        self._sync_status(d, [*old_rss, new_rs], new_rs)

    def _scale(self, d: Obj, new_rs: Obj | None, old_rss: list[Obj]) -> None:
        want = pu.spec_replicas(d)
        target = self._active_or_latest(new_rs, old_rss)
        if target is not None:
            if pu.spec_replicas(target) != want:
                self._scale_and_record(target, want, d)
            return
        if self._is_saturated(d, new_rs):
            for old in active_rss(list(old_rss)):
                self._scale_and_record(old, 0, d)
            return
        if not is_rolling(d):
            return
        all_rss = active_rss([*old_rss, new_rs])
        allowed = want + max_surge(d) if want > 0 else 0
        to_add = allowed - sum_spec(list(all_rss))
        operation: str | None = None
        if to_add > 0:
            # ReplicaSetsBySizeNewer: larger first, then newer first
            all_rss.sort(key=lambda rs: pu.creation_order_key(rs), reverse=True)
            all_rss.sort(key=lambda rs: -pu.spec_replicas(rs))
            operation = "up"
        elif to_add < 0:
            all_rss.sort(key=_size_older_key)
            operation = "down"
        sizes: dict[str, int] = {}
        added = 0
        for rs in all_rss:
            if to_add != 0:
                p = get_proportion(rs, d, to_add, added)
                sizes[rs["metadata"]["name"]] = pu.spec_replicas(rs) + p
                added += p
            else:
                sizes[rs["metadata"]["name"]] = pu.spec_replicas(rs)
        for i, rs in enumerate(all_rss):
            name = rs["metadata"]["name"]
            if i == 0 and to_add != 0:
                sizes[name] = max(0, sizes[name] + to_add - added)
            self._scale_rs(rs, sizes[name], d, operation)

    @staticmethod
    def _active_or_latest(new_rs: Obj | None, old_rss: list[Obj]) -> Obj | None:
        if new_rs is None and not old_rss:
            return None
        newest_first = sorted(old_rss, key=pu.creation_order_key, reverse=True)
        actives = active_rss([*newest_first, new_rs])
        if not actives:
            return new_rs if new_rs is not None else newest_first[0]
        return actives[0] if len(actives) == 1 else None

    @staticmethod
    def _is_saturated(d: Obj, rs: Obj | None) -> bool:
        if rs is None:
            return False
        try:
            desired = int((rs["metadata"].get("annotations") or {}).get(DESIRED_REPLICAS, ""))
        except ValueError:
            return False
        want = pu.spec_replicas(d)
        return pu.spec_replicas(rs) == want and desired == want and pu.status_int(rs, "availableReplicas") == want

    # -- RollingUpdate (rolling.go) -------------------------------------------------------------
    def _rollout_rolling(self, d: Obj, rs_list: list[Obj]) -> None:
        new_rs, old_rss = self._all_rss_and_sync_revision(d, rs_list, create=True)
        assert new_rs is not None
        all_rss: list[Obj | None] = [*old_rss, new_rs]
        if self._reconcile_new_rs(all_rss, new_rs, d):
            self._sync_rollout_status(d, all_rss, new_rs)
            return
        if self._reconcile_old_rss(all_rss, active_rss(list(old_rss)), new_rs, d):
            self._sync_rollout_status(d, all_rss, new_rs)
            return
        if deployment_complete(d, d.get("status") or {}):
            self._cleanup(d, old_rss)
        self._sync_rollout_status(d, all_rss, new_rs)

    def _reconcile_new_rs(self, all_rss: list[Obj | None], new_rs: Obj, d: Obj) -> bool:
        want = pu.spec_replicas(d)
        if pu.spec_replicas(new_rs) == want:
            return False
        if pu.spec_replicas(new_rs) > want:
            return self._scale_and_record(new_rs, want, d)[0]
        return self._scale_and_record(new_rs, new_rs_new_replicas(d, all_rss, new_rs), d)[0]

    def _reconcile_old_rss(self, all_rss: list[Obj | None], old_rss: list[Obj], new_rs: Obj, d: Obj) -> bool:
        old_count = sum_spec(list(old_rss))
        if old_count == 0:
            return False
        all_count = sum_spec(all_rss)
        min_available = pu.spec_replicas(d) - max_unavailable(d)
        new_unavailable = pu.spec_replicas(new_rs) - pu.status_int(new_rs, "availableReplicas")
        max_scaled_down = all_count - min_available - new_unavailable
        if max_scaled_down <= 0:
            return False
        old_rss, cleaned = self._cleanup_unhealthy(old_rss, d, max_scaled_down)
        scaled = self._scale_down_old_for_rolling([*old_rss, new_rs], old_rss, d)
        return cleaned + scaled > 0

    def _cleanup_unhealthy(self, old_rss: list[Obj], d: Obj, max_cleanup: int) -> tuple[list[Obj], int]:
        old_rss = sorted(old_rss, key=pu.creation_order_key)
        total = 0
        for i, rs in enumerate(old_rss):
            if total >= max_cleanup:
                break
            size, available = pu.spec_replicas(rs), pu.status_int(rs, "availableReplicas")
            if size == 0 or size == available:
                continue
            down = min(max_cleanup - total, size - available)
            _, updated = self._scale_and_record(rs, size - down, d)
            total += down
            old_rss[i] = updated
        return old_rss, total

    def _scale_down_old_for_rolling(self, all_rss: list[Obj | None], old_rss: list[Obj], d: Obj) -> int:
        min_available = pu.spec_replicas(d) - max_unavailable(d)
        available = sum_status(all_rss, "availableReplicas")
        if available <= min_available:
            return 0
        total_down = available - min_available
        done = 0
        for rs in sorted(old_rss, key=pu.creation_order_key):
            if done >= total_down:
                break
            size = pu.spec_replicas(rs)
            if size == 0:
                continue
            down = min(size, total_down - done)
            self._scale_and_record(rs, size - down, d)
            done += down
        return done

    # -- Recreate (recreate.go) -----------------------------------------------------------------
    def _rollout_recreate(self, d: Obj, rs_list: list[Obj]) -> None:
        new_rs, old_rss = self._all_rss_and_sync_revision(d, rs_list, create=False)
        all_rss: list[Obj | None] = [*old_rss, new_rs]
        scaled = False
        for rs in active_rss(list(old_rss)):
            did, _ = self._scale_and_record(rs, 0, d)
            scaled = scaled or did
        if scaled:
            self._sync_rollout_status(d, all_rss, new_rs)
            return
        if self._old_pods_running(new_rs, old_rss, self._pod_map(d, rs_list)):
            self._sync_rollout_status(d, all_rss, new_rs)
            return
        if new_rs is None:
            new_rs, old_rss = self._all_rss_and_sync_revision(d, rs_list, create=True)
            all_rss = [*old_rss, new_rs]
        assert new_rs is not None
        self._scale_and_record(new_rs, pu.spec_replicas(d), d)
        if deployment_complete(d, d.get("status") or {}):
            self._cleanup(d, old_rss)
        self._sync_rollout_status(d, all_rss, new_rs)

    @staticmethod
    def _old_pods_running(new_rs: Obj | None, old_rss: list[Obj], pod_map: dict[str, list[Obj]]) -> bool:
        if sum_status(list(old_rss), "replicas") > 0:
            return True
        new_uid = new_rs["metadata"]["uid"] if new_rs is not None else None
        for uid in sorted(pod_map):
            if uid == new_uid:
                continue
            for pod in pod_map[uid]:
                if (pod.get("status") or {}).get("phase") not in ("Failed", "Succeeded"):
                    return True
        return False

    # -- history --------------------------------------------------------------------------------
    def _cleanup(self, d: Obj, old_rss: list[Obj]) -> None:
        """``cleanupDeployment``: delete the oldest empty ReplicaSets beyond revisionHistoryLimit."""
        limit = (d.get("spec") or {}).get("revisionHistoryLimit")
        if limit is None:
            return
        alive = [rs for rs in old_rss if not rs["metadata"].get("deletionTimestamp")]
        diff = len(alive) - int(limit)
        if diff <= 0:
            return
        alive.sort(key=lambda rs: (revision(rs), *pu.creation_order_key(rs)))
        for rs in alive[:diff]:
            if (
                pu.status_int(rs, "replicas") != 0
                or pu.spec_replicas(rs) != 0
                or int(rs["metadata"].get("generation") or 0) > pu.status_int(rs, "observedGeneration")
            ):
                continue
            try:
                self.client.delete("replicasets", rs["metadata"]["name"], rs["metadata"].get("namespace"))
            except ApiError as e:
                if e.code != 404:
                    raise

    # -- status (sync.go, progress.go) ----------------------------------------------------------
    def _calculate_status(self, all_rss: list[Obj | None], new_rs: Obj | None, d: Obj) -> Obj:
        available = sum_status(all_rss, "availableReplicas")
        unavailable = max(0, sum_spec(all_rss) - available)
        old = d.get("status") or {}
        status: Obj = {
            "observedGeneration": int(d["metadata"].get("generation") or 0),
            "replicas": sum_status(all_rss, "replicas"),
            "updatedReplicas": sum_status([new_rs], "replicas"),
            "readyReplicas": sum_status(all_rss, "readyReplicas"),
            "availableReplicas": available,
            "unavailableReplicas": unavailable,
            "conditions": [dict(c) for c in old.get("conditions") or []],
            "collisionCount": old.get("collisionCount"),
        }
        if available >= pu.spec_replicas(d) - max_unavailable(d):
            cond = self._new_condition("Available", "True", MIN_AVAILABLE, "Deployment has minimum availability.")
        else:
            cond = self._new_condition("Available", "False", MIN_UNAVAILABLE, "Deployment does not have minimum availability.")
        set_condition(status, cond)
        return status

    def _sync_status(self, d: Obj, all_rss: list[Obj | None], new_rs: Obj | None) -> None:
        new_status = _compact_status(self._calculate_status(all_rss, new_rs, d))
        if _compact_status(d.get("status") or {}) == new_status:
            return
        d["status"] = new_status
        self._write_status(d)

    def _sync_rollout_status(self, d: Obj, all_rss: list[Obj | None], new_rs: Obj | None) -> None:
        new_status = self._calculate_status(all_rss, new_rs, d)
        if not has_progress_deadline(d):
            remove_condition(new_status, "Progressing")
        current = get_condition(d.get("status") or {}, "Progressing")
        complete_before = (
            int(new_status.get("replicas") or 0) == int(new_status.get("updatedReplicas") or 0)
            and current is not None
            and current.get("reason") == NEW_RS_AVAILABLE_REASON
        )
        rs_name = new_rs["metadata"]["name"] if new_rs is not None else None
        d_name = d["metadata"]["name"]
        if has_progress_deadline(d) and not complete_before:
            if deployment_complete(d, new_status):
                msg = f'ReplicaSet "{rs_name}" has successfully progressed.' if rs_name else f'Deployment "{d_name}" has successfully progressed.'
                set_condition(new_status, self._new_condition("Progressing", "True", NEW_RS_AVAILABLE_REASON, msg))
            elif deployment_progressing(d, new_status):
                msg = f'ReplicaSet "{rs_name}" is progressing.' if rs_name else f'Deployment "{d_name}" is progressing.'
                cond = self._new_condition("Progressing", "True", RS_UPDATED_REASON, msg)
                if current is not None:
                    if current.get("status") == "True":
                        cond["lastTransitionTime"] = current.get("lastTransitionTime")
                    remove_condition(new_status, "Progressing")
                new_status["conditions"] = [*(new_status.get("conditions") or []), cond]
            elif self._timed_out(d, new_status):
                msg = f'ReplicaSet "{rs_name}" has timed out progressing.' if rs_name else f'Deployment "{d_name}" has timed out progressing.'
                set_condition(new_status, self._new_condition("Progressing", "False", TIMED_OUT_REASON, msg))
        failures = self._replica_failures(all_rss, new_rs)
        if failures:
            set_condition(new_status, failures[0])
        else:
            remove_condition(new_status, "ReplicaFailure")
        compact = _compact_status(new_status)
        if _compact_status(d.get("status") or {}) == compact:
            self._requeue_stuck(d, compact)
            return
        d["status"] = compact
        self._write_status(d)

    def _timed_out(self, d: Obj, status: Obj) -> bool:
        """``DeploymentTimedOut``: the Progressing condition has not moved for the deadline."""
        if not has_progress_deadline(d):
            return False
        cond = get_condition(status, "Progressing")
        if cond is None or cond.get("reason") == NEW_RS_AVAILABLE_REASON:
            return False
        if cond.get("reason") == TIMED_OUT_REASON:
            return True
        since = pu.parse_time(cond.get("lastUpdateTime"))
        if since is None:
            return False
        return since + int(d["spec"]["progressDeadlineSeconds"]) < self.ctx.loop.now()

    def _requeue_stuck(self, d: Obj, new_status: Obj) -> None:
        """``requeueStuckDeployment``: come back when the progress deadline would pass."""
        cond = get_condition(d.get("status") or {}, "Progressing")
        if not has_progress_deadline(d) or cond is None:
            return
        if deployment_complete(d, new_status) or cond.get("reason") == TIMED_OUT_REASON:
            return
        since = pu.parse_time(cond.get("lastUpdateTime"))
        if since is None:
            return
        after = since + int(d["spec"]["progressDeadlineSeconds"]) - self.ctx.loop.now()
        key = obj_key(d)
        if after < 1.0:
            self.queue.add_rate_limited(key)
        else:
            self.queue.add_after(key, after + 1.0)

    @staticmethod
    def _replica_failures(all_rss: list[Obj | None], new_rs: Obj | None) -> list[Obj]:
        def conv(c: Obj) -> Obj:
            return {
                "type": "ReplicaFailure",
                "status": c.get("status"),
                "lastUpdateTime": c.get("lastTransitionTime"),
                "lastTransitionTime": c.get("lastTransitionTime"),
                "reason": c.get("reason"),
                "message": c.get("message"),
            }

        out: list[Obj] = []
        if new_rs is not None:
            out = [conv(c) for c in (new_rs.get("status") or {}).get("conditions") or [] if c.get("type") == "ReplicaFailure"]
        if out:
            return out
        for rs in all_rss:
            if rs is None:
                continue
            out.extend(conv(c) for c in (rs.get("status") or {}).get("conditions") or [] if c.get("type") == "ReplicaFailure")
        return out
