"""Helpers shared by the workload controllers: pod readiness, deletion ranking, controller refs.

Models the parts of ``pkg/controller/controller_utils.go`` (``ActivePodsWithRanks``,
``FilterActivePods``, ``slowStartBatch``, ``UIDTrackingControllerExpectations``,
``GetPodFromTemplate``), ``pkg/controller/controller_ref_manager.go`` (``ClaimObject`` with
adopt/release through strategic-merge patches of ``ownerReferences``) and
``pkg/api/v1/pod/util.go`` (``IsPodReady``, ``IsPodAvailable``) that more than one controller
needs. Times are simulated seconds (``SimClock``); object timestamps are parsed from RFC 3339.

Informer indexes: the benchmark cluster holds 150,000 pods, so controllers never scan a
namespace on every event. :func:`ensure_owner_indexes` adds, once per shared informer, an index
by controller-owner UID and an index of orphans (no controller ref, not being deleted) by
namespace; "the pods a controller could claim" is then ``owned + orphans-in-namespace``, which
is exactly the set ``ClaimObject`` can return true for.

Leaves out: the ``LogarithmicScaleDown`` and ``PodDeletionCost`` feature gates (both on, as
they are by default), and the deletion-ratio metrics.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Iterable
from typing import Any

from reference_impl.apiserver import ApiError, clone
from reference_impl.apiserver.selectors import LabelSelector, label_selector_from_dict
from reference_impl.client import Client, Informer, obj_key
from reference_impl.sim.clock import parse_rfc3339

Obj = dict[str, Any]

POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
SLOW_START_INITIAL_BATCH_SIZE = 1  # controller.SlowStartInitialBatchSize
EXPECTATIONS_TIMEOUT_S = 300.0  # controller.ExpectationsTimeout (5 minutes)

INDEX_CONTROLLER_UID = "controller-uid"
INDEX_ORPHANS = "orphans-by-namespace"
INDEX_NAMESPACE = "namespace"


# -- time ----------------------------------------------------------------------------------------
def parse_time(value: Any) -> float | None:
    """An RFC 3339 timestamp as simulated seconds, or None when absent (a zero metav1.Time)."""
    if not value:
        return None
    return parse_rfc3339(str(value))


# -- pods ----------------------------------------------------------------------------------------
def pod_ready_condition(pod: Obj) -> Obj | None:
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return c  # type: ignore[no-any-return]
    return None


def is_pod_ready(pod: Obj) -> bool:
    """``podutil.IsPodReady``: the Ready condition is True."""
    c = pod_ready_condition(pod)
    return c is not None and c.get("status") == "True"


def is_pod_available(pod: Obj, min_ready_s: int, now_s: float) -> bool:
    """``podutil.IsPodAvailable``: ready, and ready for longer than ``min_ready_s``."""
    return ready_and_available(pod, min_ready_s, now_s)[1]


def ready_and_available(pod: Obj, min_ready_s: int, now_s: float) -> tuple[bool, bool]:
    """``IsPodReady`` and ``IsPodAvailable`` from one look at the conditions (status counts ask both)."""
    c = pod_ready_condition(pod)
    if c is None or c.get("status") != "True":
        return False, False
    if min_ready_s <= 0:
        return True, True
    since = parse_time(c.get("lastTransitionTime"))
    return True, since is not None and since + min_ready_s < now_s


def available_in_s(pod: Obj, min_ready_s: int, now_s: float) -> float | None:
    """Seconds until a ready pod becomes available (None when not ready or already available)."""
    if min_ready_s <= 0 or not is_pod_ready(pod):
        return None
    since = parse_time((pod_ready_condition(pod) or {}).get("lastTransitionTime"))
    if since is None or since + min_ready_s < now_s:
        return None
    return since + min_ready_s - now_s


def is_pod_active(pod: Obj) -> bool:
    """``controller.IsPodActive``: not Succeeded/Failed and not being deleted."""
    phase = (pod.get("status") or {}).get("phase")
    return phase not in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp")


def max_container_restarts(pod: Obj) -> int:
    return max([int(c.get("restartCount") or 0) for c in (pod.get("status") or {}).get("containerStatuses") or []]
               or [0])


def deletion_cost(pod: Obj) -> int:
    """``helper.GetDeletionCostFromPodAnnotations``: an int32, 0 when absent or invalid."""
    raw = (pod["metadata"].get("annotations") or {}).get(POD_DELETION_COST)
    if raw is None:
        return 0
    try:
        v = int(str(raw))
    except ValueError:
        return 0
    return v if -(2**31) <= v < 2**31 else 0


_PHASE_ORDINAL = {"Pending": 0, "Unknown": 1, "Running": 2}


def _log_rank(t: float, now_s: float) -> int:
    # logarithmicRankDiff works on Go durations (nanoseconds)
    d_ns = (now_s - t) * 1e9
    return int(math.log2(d_ns)) if d_ns > 0 else -1


def _after_or_zero(t1: float | None, t2: float | None) -> bool:
    if t1 is None or t2 is None:
        return t1 is None
    return t1 > t2


def _ready_time(pod: Obj) -> float | None:
    if not is_pod_ready(pod):
        return None
    return parse_time((pod_ready_condition(pod) or {}).get("lastTransitionTime"))


def active_pods_with_ranks_less(a: Obj, rank_a: int, b: Obj, rank_b: int, now_s: float) -> bool:
    """``ActivePodsWithRanks.Less``: True when ``a`` should be deleted before ``b``."""
    na, nb = (a.get("spec") or {}).get("nodeName") or "", (b.get("spec") or {}).get("nodeName") or ""
    # 1. unassigned < assigned
    if na != nb and (not na or not nb):
        return not na
    # 2. Pending < Unknown < Running
    pa = _PHASE_ORDINAL.get((a.get("status") or {}).get("phase", ""), 0)
    pb = _PHASE_ORDINAL.get((b.get("status") or {}).get("phase", ""), 0)
    if pa != pb:
        return pa < pb
    # 3. not ready < ready
    ra, rb = is_pod_ready(a), is_pod_ready(b)
    if ra != rb:
        return not ra
    # 4. lower pod-deletion-cost < higher
    ca, cb = deletion_cost(a), deletion_cost(b)
    if ca != cb:
        return ca < cb
    # 5. doubled up (more related pods on the node) < not doubled up
    if rank_a != rank_b:
        return rank_a > rank_b
    uid_a, uid_b = str(a["metadata"].get("uid", "")), str(b["metadata"].get("uid", ""))
    # 6. been ready for less time (log2 buckets) < more time
    if ra and rb:
        ta, tb = _ready_time(a), _ready_time(b)
        if ta != tb:
            if ta is None or tb is None:
                return _after_or_zero(ta, tb)
            diff = _log_rank(ta, now_s) - _log_rank(tb, now_s)
            if diff == 0:
                return uid_a < uid_b
            return diff < 0
    # 7. more restarts < fewer restarts
    xa, xb = max_container_restarts(a), max_container_restarts(b)
    if xa != xb:
        return xa > xb
    # 8. newer (log2 buckets) < older
    ta2, tb2 = parse_time(a["metadata"].get("creationTimestamp")), parse_time(b["metadata"].get("creationTimestamp"))
    if ta2 != tb2:
        if ta2 is None or tb2 is None:
            return _after_or_zero(ta2, tb2)
        diff = _log_rank(ta2, now_s) - _log_rank(tb2, now_s)
        if diff == 0:
            return uid_a < uid_b
        return diff < 0
    return False


def sort_pods_for_deletion(pods: list[Obj], ranks: list[int], now_s: float) -> list[Obj]:
    """Pods ordered most-deletable first (``sort.Sort(ActivePodsWithRanks)``).

    Go's sort is unstable; to stay deterministic, pods the real ordering calls equal are
    ordered by UID, then name.
    """

    def cmp(x: tuple[Obj, int], y: tuple[Obj, int]) -> int:
        if active_pods_with_ranks_less(x[0], x[1], y[0], y[1], now_s):
            return -1
        if active_pods_with_ranks_less(y[0], y[1], x[0], x[1], now_s):
            return 1
        kx = (str(x[0]["metadata"].get("uid", "")), obj_key(x[0]))
        ky = (str(y[0]["metadata"].get("uid", "")), obj_key(y[0]))
        return -1 if kx < ky else (1 if kx > ky else 0)

    pairs = sorted(zip(pods, ranks), key=lambda p: (str(p[0]["metadata"].get("uid", "")), obj_key(p[0])))
    pairs.sort(key=functools.cmp_to_key(cmp))
    return [p for p, _ in pairs]


def pods_to_delete(filtered: list[Obj], related: list[Obj], diff: int, now_s: float) -> list[Obj]:
    """``getPodsToDelete``: rank by active related pods on the same node, sort, take ``diff``."""
    if diff >= len(filtered):
        return sorted(filtered, key=obj_key)[:diff]
    on_node: dict[str, int] = {}
    for p in related:
        if is_pod_active(p):
            n = (p.get("spec") or {}).get("nodeName") or ""
            on_node[n] = on_node.get(n, 0) + 1
    ranks = [on_node.get((p.get("spec") or {}).get("nodeName") or "", 0) for p in filtered]
    return sort_pods_for_deletion(filtered, ranks, now_s)[:diff]


def pod_from_template(template: Obj, parent: Obj, controller_ref: Obj | None) -> Obj:
    """``GetPodFromTemplate``: labels, annotations, finalizers and spec of the template,
    ``generateName`` ``<parent>-`` and the controller ref."""
    tmeta = template.get("metadata") or {}
    meta: Obj = {"generateName": f"{parent['metadata']['name']}-"}
    if tmeta.get("labels"):
        meta["labels"] = dict(tmeta["labels"])
    if tmeta.get("annotations"):
        meta["annotations"] = dict(tmeta["annotations"])
    if tmeta.get("finalizers"):
        meta["finalizers"] = list(tmeta["finalizers"])
    if controller_ref is not None:
        meta["ownerReferences"] = [dict(controller_ref)]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": clone(template.get("spec") or {})}


# -- controller refs -----------------------------------------------------------------------------
def controller_ref(obj: Obj) -> Obj | None:
    """``metav1.GetControllerOf``: the owner reference with ``controller: true``."""
    meta = obj.get("metadata")
    refs = meta.get("ownerReferences") if meta else None
    if not refs:
        return None
    for ref in refs:
        if ref.get("controller"):
            return ref  # type: ignore[no-any-return]
    return None


def new_controller_ref(owner: Obj, *, api_version: str, kind: str) -> Obj:
    """``metav1.NewControllerRef``."""
    return {
        "apiVersion": api_version,
        "kind": kind,
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def controller_uid_index(obj: Obj) -> list[str]:
    """The controller-owner-UID index (shared by every workload controller's pod informer)."""
    ref = controller_ref(obj)
    return [str(ref.get("uid", ""))] if ref is not None else []


def orphan_index(obj: Obj) -> list[str]:
    """The orphans index: objects with no controller and not being deleted, by namespace.

    ``ClaimObject`` never adopts an orphan that is being deleted, so leaving those out keeps
    every claim the same and spares each claim pass the look at them.
    """
    meta = obj["metadata"]
    if controller_ref(obj) is None and not meta.get("deletionTimestamp"):
        return [meta.get("namespace") or ""]
    return []


def namespace_index(obj: Obj) -> list[str]:
    return [obj["metadata"].get("namespace") or ""]


def ensure_index(informer: Informer, name: str, fn: Callable[[Obj], Iterable[str]]) -> None:
    """Add an index unless a controller sharing the informer already did."""
    try:
        informer.by_index(name, "")
    except KeyError:
        informer.add_index(name, fn)


def ensure_owner_indexes(informer: Informer) -> None:
    """The controller-owner-UID and orphans-by-namespace indexes (once per shared informer)."""
    ensure_index(informer, INDEX_CONTROLLER_UID, controller_uid_index)
    ensure_index(informer, INDEX_ORPHANS, orphan_index)


def claim_candidates(informer: Informer, owner: Obj) -> list[tuple[Obj, bool]]:
    """Objects ``owner`` controls (flagged True) plus orphans in its namespace, in key order."""
    meta = owner["metadata"]
    # sorted by the index buckets' keys, which are the objects' obj_key (no key built per object)
    marked = [(k, True) for k in informer.index_keys(INDEX_CONTROLLER_UID, str(meta["uid"]))]
    marked += [(k, False) for k in informer.index_keys(INDEX_ORPHANS, meta.get("namespace") or "")]
    marked.sort()
    cache = informer.cache
    return [(cache[k], owned) for k, owned in marked]


@functools.lru_cache(maxsize=4096)
def _selector_from_json(text: str) -> LabelSelector:
    return label_selector_from_dict(json.loads(text))


def selector_of(obj: Obj) -> LabelSelector:
    """``metav1.LabelSelectorAsSelector(spec.selector)`` (memoised by the selector's JSON)."""
    sel = (obj.get("spec") or {}).get("selector")
    return _selector_from_json(json.dumps(sel, sort_keys=True))


class ControllerRefManager:
    """``BaseControllerRefManager.ClaimObject`` plus the pod/ReplicaSet adopt and release patches.

    ``can_adopt`` is the uncached recheck (``RecheckDeletionTimestamp``) run at most once per
    claim pass, before the first adoption. Errors are collected and returned, as upstream
    aggregates them; the caller re-queues.
    """

    def __init__(
        self,
        client: Client,
        controller: Obj,
        selector: LabelSelector,
        *,
        api_version: str,
        kind: str,
        resource: str,
        can_adopt: Callable[[], None],
    ) -> None:
        self.client = client
        self.controller = controller
        self.selector = selector
        self.ref = new_controller_ref(controller, api_version=api_version, kind=kind)
        self.resource = resource
        self._can_adopt = can_adopt
        self._adopt_err: Exception | None = None
        self._checked = False

    def _check_can_adopt(self) -> None:
        if not self._checked:
            self._checked = True
            try:
                self._can_adopt()
            except Exception as e:
                self._adopt_err = e
        if self._adopt_err is not None:
            raise self._adopt_err

    def claim(
        self, candidates: Iterable[tuple[Obj, bool]], match: Callable[[Obj], bool] | None = None
    ) -> tuple[list[Obj], list[Exception]]:
        """``ClaimObjects`` over ``claim_candidates``: an object flagged as owned is known (by
        the controller-UID index) to have this controller as its controller reference, so
        only its selector is checked."""
        claimed: list[Obj] = []
        errors: list[Exception] = []
        cmeta = self.controller["metadata"]
        being_deleted = bool(cmeta.get("deletionTimestamp"))

        def matches(o: Obj) -> bool:
            if not self.selector.matches(o["metadata"].get("labels") or {}):
                return False
            return match is None or match(o)

        for obj, owned in candidates:
            ref = None if owned else controller_ref(obj)
            meta = obj["metadata"]
            try:
                if owned or ref is not None:
                    if ref is not None and ref.get("uid") != cmeta["uid"]:
                        continue
                    if matches(obj):
                        claimed.append(obj)
                        continue
                    if being_deleted:
                        continue
                    self._release(obj)
                    continue
                if being_deleted or not matches(obj):
                    continue
                if meta.get("deletionTimestamp"):
                    continue
                if cmeta.get("namespace") and cmeta["namespace"] != meta.get("namespace"):
                    continue
                self._check_can_adopt()
                self._adopt(obj)
                claimed.append(obj)
            except ApiError as e:
                if e.code != 404:
                    errors.append(e)
            except Exception as e:
                errors.append(e)
        return claimed, errors

    def _adopt(self, obj: Obj) -> None:
        meta = obj["metadata"]
        body = {"metadata": {"ownerReferences": [dict(self.ref)], "uid": meta["uid"]}}
        self.client.patch(self.resource, meta["name"], body, "strategic", meta.get("namespace"))

    def _release(self, obj: Obj) -> None:
        meta = obj["metadata"]
        body = {"metadata": {"ownerReferences": [{"$patch": "delete", "uid": self.ref["uid"]}], "uid": meta["uid"]}}
        self.client.patch(self.resource, meta["name"], body, "strategic", meta.get("namespace"))


def recheck_deletion_timestamp(client: Client, resource: str, owner: Obj, kind: str) -> Callable[[], None]:
    """``controller.RecheckDeletionTimestamp`` over an uncached GET of the owner."""

    def check() -> None:
        meta = owner["metadata"]
        fresh = client.get(resource, meta["name"], meta.get("namespace"))
        fmeta = fresh["metadata"]
        if fmeta.get("uid") != meta.get("uid"):
            raise RuntimeError(
                f"original {kind} {meta.get('namespace')}/{meta['name']} is gone: got uid {fmeta.get('uid')}, "
                f"wanted {meta.get('uid')}"
            )
        if fmeta.get("deletionTimestamp"):
            raise RuntimeError(f"{meta.get('namespace')}/{meta['name']} has just been deleted at {fmeta['deletionTimestamp']}")

    return check


# -- batching and expectations ------------------------------------------------------------------
def slow_start_batch(count: int, initial_batch_size: int, fn: Callable[[], None]) -> tuple[int, Exception | None]:
    """``slowStartBatch``: call ``fn`` in batches of 1, 2, 4, ...; stop after a batch with an error.

    Returns (successes, first error). Calls in a batch run one after another (the real ones run
    in parallel goroutines), so every call of a failing batch is still attempted.
    """
    remaining = count
    successes = 0
    batch = min(remaining, initial_batch_size)
    while batch > 0:
        first: Exception | None = None
        for _ in range(batch):
            try:
                fn()
                successes += 1
            except Exception as e:
                if first is None:
                    first = e
        if first is not None:
            return successes, first
        remaining -= batch
        batch = min(2 * batch, remaining)
    return successes, None


class ControllerExpectations:
    """``UIDTrackingControllerExpectations``: creations counted, deletions tracked by pod key.

    A controller does not act on a key again until what it issued is observed through the
    informer, or until the expectations are older than ``EXPECTATIONS_TIMEOUT_S``.
    """

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self._add: dict[str, int] = {}
        self._dels: dict[str, set[str]] = {}
        self._stamp: dict[str, float] = {}

    def satisfied(self, key: str) -> bool:
        if key not in self._stamp:
            return True
        if self._add.get(key, 0) <= 0 and not self._dels.get(key):
            return True
        return self._now() - self._stamp[key] > EXPECTATIONS_TIMEOUT_S

    def expect_creations(self, key: str, n: int) -> None:
        self._add[key] = n
        self._dels[key] = set()
        self._stamp[key] = self._now()

    def expect_deletions(self, key: str, pod_keys: Iterable[str]) -> None:
        self._add[key] = 0
        self._dels[key] = set(pod_keys)
        self._stamp[key] = self._now()

    def creation_observed(self, key: str) -> None:
        if key in self._add:
            self._add[key] -= 1

    def deletion_observed(self, key: str, pod_key: str) -> None:
        dels = self._dels.get(key)
        if dels is not None:
            dels.discard(pod_key)

    def delete(self, key: str) -> None:
        self._add.pop(key, None)
        self._dels.pop(key, None)
        self._stamp.pop(key, None)


# -- ReplicaSet ordering --------------------------------------------------------------------------
def creation_order_key(obj: Obj) -> tuple[float, str]:
    """``ReplicaSetsByCreationTimestamp``: older first, then by name."""
    return (parse_time(obj["metadata"].get("creationTimestamp")) or 0.0, str(obj["metadata"]["name"]))


def spec_replicas(obj: Obj) -> int:
    return int((obj.get("spec") or {}).get("replicas", 0) or 0)


def status_int(obj: Obj, field: str) -> int:
    return int((obj.get("status") or {}).get(field, 0) or 0)
