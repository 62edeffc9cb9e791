"""The reference kube-scheduler: queue, cache, filter/score plugins, bind.

Models ``pkg/scheduler/scheduler.go``, ``schedule_one.go`` and ``eventhandlers.go``. Pods with
``spec.schedulerName`` equal to this scheduler's name, no ``nodeName`` and no
``deletionTimestamp`` are queued; one cycle per pod: PreFilter, Filter over nodes visited from
a rotating start index until ``numFeasibleNodesToFind`` feasible ones are found
(percentageOfNodesToScore, adaptive by default: 50 - nodes/125 %, at least 5 %, at least 100
nodes), PreScore/Score/NormalizeScore with the plugin weights, the highest total wins (ties
broken with the seeded rng, like upstream's reservoir sampling), then assume + bind through
``pods/binding``. Success emits ``Scheduled``; failure emits ``FailedScheduling`` with
``FitError.Error()``'s text and patches ``PodScheduled=False`` (reason ``Unschedulable``).

Where upstream scores every feasible node in Go, the node-local scores (NodeResourcesFit,
NodeResourcesBalancedAllocation) are memoised per node and pod shape, and when they are the
only scores that vary, a per-shape index (``score_index.py``) finds the window's best nodes
and the k-th tie by bisection: the same pick, without a pass over hundreds of nodes per pod.

The pod informer uses upstream's field selector (``status.phase!=Succeeded,status.phase!=Failed``),
so a pod that terminates leaves the cache as if deleted and frees its node's resources.

Left out: preemption (only its diagnosis text, see ``preemption.py``), nominated pods,
scheduling gates, multiple profiles, extenders, volume plugins, ImageLocality, the asynchronous
binding cycle (binding is a synchronous API call here), the system default topology spread.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Mapping, Sequence
from itertools import compress, repeat
from operator import attrgetter, eq, ne
from typing import Any

from reference_impl.apiserver import ApiError, APIServer
from reference_impl.client import Unreachable
from reference_impl.client.component import Component
from reference_impl.config import ClusterConfig
from reference_impl.scheduler.cache import SchedulerCache
from reference_impl.scheduler.framework import (
    NAMESPACE_CHANGE,
    NO_NODES_AVAILABLE,
    NODE_ADD,
    NODE_DELETE,
    NODE_UPDATE_ALLOCATABLE,
    NODE_UPDATE_CONDITION,
    NODE_UPDATE_LABEL,
    NODE_UPDATE_TAINT,
    POD_ADD,
    POD_DELETE,
    POD_UPDATE_LABEL,
    CycleState,
    Plugin,
    Snapshot,
    fit_error_message,
)
from reference_impl.scheduler.plugins import DEFAULT_PLUGINS, REGISTRY
from reference_impl.scheduler.preemption import preemption_message
from reference_impl.scheduler.queue import QueuedPodInfo, SchedulingQueue
from reference_impl.scheduler.score_index import ScoreIndex
from reference_impl.scheduler.types import NodeInfo, Obj, PodInfo, Status
from reference_impl.sim import EventLoop, SeededRandom

DEFAULT_SCHEDULER_NAME = "default-scheduler"
MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5
#: ``validation.NoteLengthLimit``: events' messages are truncated to it
NOTE_LENGTH_LIMIT = 1024
_MEMO_KEY = attrgetter("memo_key")
_MEMO_TOTAL = attrgetter("memo_total")
MAX_SCORE_INDEXES = 32  # pod shapes whose score index is kept (see score_index)
# a run of consecutive positions of the node list: (the list, first position, length), wrapping
Window = tuple[list[NodeInfo], int, int]

POD_INFORMER_FIELD_SELECTOR = "status.phase!=Succeeded,status.phase!=Failed"


def num_feasible_nodes_to_find(percentage: int, num_all_nodes: int) -> int:
    """``numFeasibleNodesToFind`` (percentage 0 = adaptive)."""
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND:
        return num_all_nodes
    if percentage == 0:
        percentage = max(50 - num_all_nodes // 125, MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
    n = num_all_nodes * percentage // 100
    return max(n, MIN_FEASIBLE_NODES_TO_FIND)


def _weighted_totals(
    memo: list[tuple[Plugin, int, str]], state: CycleState, pod: PodInfo, nodes: list[NodeInfo]
) -> list[int]:
    """The weighted sum of the node-local (``score_key``) plugins' scores, per node."""
    sub = [0] * len(nodes)
    for p, w, _k in memo:
        sub = [a + w * b for a, b in zip(sub, p.score_nodes(state, pod, nodes))]
    return sub


def truncate_message(message: str) -> str:
    if len(message) <= NOTE_LENGTH_LIMIT:
        return message
    suffix = " ..."
    return message[: NOTE_LENGTH_LIMIT - len(suffix)] + suffix


def _conditions_without_heartbeats(node: Obj) -> list[tuple[Any, ...]]:
    return [
        (c.get("type"), c.get("status"), c.get("reason"), c.get("message"))
        for c in (node.get("status") or {}).get("conditions") or []
    ]


def node_update_events(old: Obj, new: Obj) -> list[str]:
    """``nodeSchedulingPropertiesChange``: which scheduling-relevant parts of a node changed."""
    events = []
    if (old.get("status") or {}).get("allocatable") != (new.get("status") or {}).get("allocatable"):
        events.append(NODE_UPDATE_ALLOCATABLE)
    if (old.get("metadata") or {}).get("labels") != (new.get("metadata") or {}).get("labels"):
        events.append(NODE_UPDATE_LABEL)
    os_, ns_ = old.get("spec") or {}, new.get("spec") or {}
    if (os_.get("taints") or []) != (ns_.get("taints") or []) or bool(os_.get("unschedulable")) != bool(
        ns_.get("unschedulable")
    ):
        events.append(NODE_UPDATE_TAINT)
    if _conditions_without_heartbeats(old) != _conditions_without_heartbeats(new):
        events.append(NODE_UPDATE_CONDITION)
    return events


_TERMINAL = ("Succeeded", "Failed")


def _status_only_change_of_assigned(old: Obj, new: Obj) -> bool:
    """A status write (kubelet heartbeat of a running pod) that changes nothing the cache keeps."""
    ospec, nspec = old.get("spec") or {}, new.get("spec") or {}
    if not ospec.get("nodeName") or (ospec is not nspec and ospec != nspec):
        return False
    om, nm = old.get("metadata") or {}, new.get("metadata") or {}
    if om.get("labels") != nm.get("labels") or om.get("deletionTimestamp") != nm.get("deletionTimestamp"):
        return False
    return ((old.get("status") or {}).get("phase") in _TERMINAL) == ((new.get("status") or {}).get("phase") in _TERMINAL)


def _pod_updated(old: Obj, new: Obj) -> bool:
    """``isPodUpdated``: anything but status, resourceVersion and managed fields changed."""
    om, nm = old.get("metadata") or {}, new.get("metadata") or {}
    if old.get("spec") != new.get("spec"):
        return True
    return any(om.get(k) != nm.get(k) for k in ("labels", "annotations", "deletionTimestamp", "finalizers"))


class Scheduler(Component):
    """kube-scheduler with the default profile."""

    BATCH = 256  # cycles per event-loop callback, so other components interleave

    def __init__(
        self,
        api: APIServer,
        loop: EventLoop,
        rng: SeededRandom,
        config: ClusterConfig,
        *,
        name: str = DEFAULT_SCHEDULER_NAME,
        plugins: Sequence[str] = DEFAULT_PLUGINS,
        weights: Mapping[str, int] | None = None,
    ) -> None:
        super().__init__(api, loop, rng, config, name=name)
        self.scheduler_name = name
        self.plugins: list[Plugin] = [REGISTRY[n]() for n in plugins]
        self._by_name = {p.name: p for p in self.plugins}
        self.filter_plugins = [p for p in self.plugins if p.is_filter]
        w = dict(weights or {})
        self.score_plugins = [(p, w.get(p.name, p.weight)) for p in self.plugins if p.is_score]
        self.cache = SchedulerCache()
        self.scheduling_queue = self._new_queue()
        self.next_start_node_index = 0
        self._run_pending = False
        # figures, for tests and benchmarks
        self.cycles = 0
        self.bound = 0
        self.failures = 0
        # Each event-loop callback runs one batch of cycles through this attribute: a benchmark
        # may wrap it to time the scheduler's own work (compiled builds have no per-instance
        # method patching, so the seam is a declared attribute).
        self.run_batch: Callable[[], bool] = self._batch
        self._score_indexes: dict[str, ScoreIndex] = {}
        self.use_score_index = True  # off: every pick scans its window (tests compare the two)

    def _new_queue(self) -> SchedulingQueue:
        return SchedulingQueue(
            self.loop,
            initial_backoff_s=self.config.pod_initial_backoff_s,
            max_backoff_s=self.config.pod_max_backoff_s,
            max_in_unschedulable_s=self.config.pod_max_in_unschedulable_s,
            on_active=self._kick,
        )

    # -- wiring ---------------------------------------------------------------------------
    def setup(self) -> None:
        # a restart loses everything in memory, as a real scheduler process would
        self.cache = SchedulerCache()
        self._score_indexes = {}
        self.scheduling_queue.stop()
        self.scheduling_queue = self._new_queue()
        self._run_pending = False
        self.pods = self.informers.informer("pods", field_selector=POD_INFORMER_FIELD_SELECTOR)
        self.pods.add_handler(self._on_pod_add, self._on_pod_update, self._on_pod_delete)
        self.nodes = self.informers.informer("nodes")
        self.nodes.add_handler(self._on_node_add, self._on_node_update, self._on_node_delete)
        self.namespaces = self.informers.informer("namespaces")
        self.namespaces.add_handler(None, self._on_namespace_update, None)
        self.every(SchedulingQueue.FLUSH_UNSCHEDULABLE_PERIOD_S, self.scheduling_queue.flush_unschedulable_leftover)

    def stop(self) -> None:
        self.scheduling_queue.stop()
        super().stop()

    def _responsible(self, pi: PodInfo) -> bool:
        return pi.scheduler_name == self.scheduler_name and not pi.node_name and not pi.terminating

    def ns_labels(self, namespace: str) -> Mapping[str, str]:
        ns = self.namespaces.get_by(namespace)
        return ((ns or {}).get("metadata") or {}).get("labels") or {}

    # -- informer handlers (eventhandlers.go) --------------------------------------------
    def _on_pod_add(self, obj: Obj) -> None:
        pi = PodInfo(obj)
        if pi.node_name:
            self.cache.add_pod(pi)
            self._move(POD_ADD, None, obj)
        elif self._responsible(pi):
            self.scheduling_queue.add(pi)

    def _on_pod_update(self, old: Obj, new: Obj) -> None:
        if _status_only_change_of_assigned(old, new):
            # the node info depends on spec, labels and terminal-ness only: nothing to recompute,
            # but hold the latest object, not a stale copy beside the informer's
            meta = new.get("metadata") or {}
            info = self.cache.pod_info(f"{meta.get('namespace', '')}/{meta.get('name', '')}")
            if info is not None:
                info.obj = new
            return
        pi = self._confirmed_binding(old, new) or PodInfo(new)
        if pi.node_name:
            self.scheduling_queue.delete(pi.key)
            was_assigned = bool((old.get("spec") or {}).get("nodeName"))
            self.cache.add_pod(pi)
            if not was_assigned:
                self._move(POD_ADD, None, new)
            elif (old.get("metadata") or {}).get("labels") != (new.get("metadata") or {}).get("labels"):
                self._move(POD_UPDATE_LABEL, old, new)
        elif self._responsible(pi):
            if not self.scheduling_queue.contains(pi.key):
                self.scheduling_queue.add(pi)
            elif _pod_updated(old, new):
                self.scheduling_queue.update(pi)
            else:
                qpi = self.scheduling_queue.get(pi.key)
                if qpi is not None:
                    qpi.pod = pi  # status-only change (e.g. our own condition): stay put
        else:
            self.scheduling_queue.delete(pi.key)

    def _confirmed_binding(self, old: Obj, new: Obj) -> PodInfo | None:
        """The watch event of our own bind: reuse the assumed PodInfo instead of parsing again."""
        node = (new.get("spec") or {}).get("nodeName")
        if not node or (old.get("spec") or {}).get("nodeName"):
            return None
        meta = new.get("metadata") or {}
        key = f"{meta.get('namespace', '')}/{meta.get('name', '')}"
        if not self.cache.is_assumed(key) or self.cache.pod_node(key) != node:
            return None
        if (old.get("metadata") or {}).get("labels") != meta.get("labels") or bool(meta.get("deletionTimestamp")):
            return None
        info = self.cache.pod_info(key)
        assert info is not None  # assumed on this node, checked above
        info.obj = new
        info.node_name = node
        return info

    def _on_pod_delete(self, obj: Obj) -> None:
        meta = obj.get("metadata") or {}
        key = f"{meta.get('namespace', '')}/{meta.get('name', '')}"
        if self.cache.pod_node(key) is not None:
            self.cache.remove_pod(key)
            self._move(POD_DELETE, obj, None)
        self.scheduling_queue.delete(key)

    def _on_node_add(self, obj: Obj) -> None:
        self.cache.add_node(obj)
        self._move(NODE_ADD, None, obj)

    def _on_node_update(self, old: Obj, new: Obj) -> None:
        self.cache.update_node(new)
        for event in node_update_events(old, new):
            self._move(event, old, new)

    def _on_node_delete(self, obj: Obj) -> None:
        self.cache.remove_node(obj["metadata"]["name"])
        self._move(NODE_DELETE, obj, None)

    def _on_namespace_update(self, old: Obj, new: Obj) -> None:
        if (old.get("metadata") or {}).get("labels") != (new.get("metadata") or {}).get("labels"):
            self._move(NAMESPACE_CHANGE, old, new)

    def _move(self, event: str, old: Obj | None, new: Obj | None) -> None:
        if not self.scheduling_queue.unschedulable:
            return
        by_name = self._by_name

        def relevant(qpi: QueuedPodInfo) -> bool:
            if not qpi.unschedulable_plugins:
                return True
            for name in sorted(qpi.unschedulable_plugins):
                pl = by_name.get(name)
                if pl is not None and event in pl.events and pl.queueing_hint(qpi.pod, event, old, new):
                    return True
            return False

        self.scheduling_queue.move_for_event(relevant)

    # -- the loop -------------------------------------------------------------------------
    def _kick(self) -> None:
        if not self._run_pending and self.running:
            self._run_pending = True
            self.loop.call_soon(self._run)

    def _run(self) -> None:
        self._run_pending = False
        if not self.running:
            return
        if not self.informers.synced():
            self._run_pending = True
            self.later(1.0, self._run)
            return
        if self.run_batch():
            self._kick()

    def _batch(self) -> bool:
        """Up to ``BATCH`` scheduling cycles; True when the queue may hold more pods."""
        for _ in range(self.BATCH):
            qpi = self.scheduling_queue.pop()
            if qpi is None:
                return False
            self.schedule_one(qpi)
        return True

    def snapshot(self) -> Snapshot:
        return Snapshot(
            self.cache.node_list(),
            self.ns_labels,
            nodes_with_affinity=self.cache.nodes_with_affinity,
            nodes_with_required_anti_affinity=self.cache.nodes_with_required_anti_affinity,
            node_flags=self.cache.node_flags(),
            free_floor=self.cache.free_floor(),
        )

    def schedule_one(self, qpi: QueuedPodInfo) -> None:
        """One scheduling cycle for one pod (``ScheduleOne``)."""
        pod = qpi.pod
        current = self.pods.get(pod.key)
        if current is None or (current.get("spec") or {}).get("nodeName") or (
            (current.get("metadata") or {}).get("deletionTimestamp")
        ):
            return  # skipPodSchedule: gone, bound meanwhile, or being deleted
        self.cycles += 1
        snap = self.snapshot()
        nodes = snap.nodes
        if not nodes:
            self._unschedulable(qpi, NO_NODES_AVAILABLE, frozenset())
            return
        state = CycleState(snap)
        filters = [p for p in self.filter_plugins if p.pre_filter(state, pod)]
        feasible, statuses, status_plugins, window = self.find_feasible(state, pod, nodes, filters)
        if not feasible:
            post = preemption_message(state, pod, nodes, statuses, status_plugins, filters)
            message = fit_error_message(len(nodes), statuses, post)
            self._unschedulable(qpi, message, frozenset(status_plugins.values()))
            return
        host = feasible[0] if len(feasible) == 1 else self.select_host(state, pod, feasible, window)
        self._bind(qpi, host)

    def find_feasible(
        self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo], filters: list[Plugin]
    ) -> tuple[list[NodeInfo], dict[str, Status], dict[str, str], Window | None]:
        """``findNodesThatPassFilters``: visit from the rotating start until enough are found.

        The window is set when every node visited passed: the feasible nodes are then the
        consecutive positions from the start (what the score index needs).
        """
        n = len(nodes)
        to_find = num_feasible_nodes_to_find(self.config.percentage_of_nodes_to_score, n)
        start = self.next_start_node_index % n

        def take(lo: int, hi: int) -> list[NodeInfo]:  # positions counted from ``start``, wrapping
            a, b = start + lo, start + hi
            if b <= n:
                return nodes[a:b]
            if a >= n:
                return nodes[a - n : b - n]
            return nodes[a:] + nodes[: b - n]
        feasible: list[NodeInfo] = []
        statuses: dict[str, Status] = {}
        status_plugins: dict[str, str] = {}
        processed = 0
        pos = 0
        while pos < n and len(feasible) < to_find:
            end = min(n, pos + max(to_find - len(feasible), 64))
            chunk = take(pos, end)
            passed = chunk
            chunk_failed: dict[str, Status] = {}
            chunk_plugins: dict[str, str] = {}
            for p in filters:
                failed: dict[str, Status] = {}
                passed = p.filter_nodes(state, pod, passed, failed)
                if failed:
                    chunk_failed.update(failed)
                    for name in failed:
                        chunk_plugins[name] = p.name
                if not passed:
                    break
            need = to_find - len(feasible)
            if len(passed) > need:
                passed = passed[:need]
                cut = chunk.index(passed[-1])
                kept = {x.name for x in chunk[: cut + 1]}
                chunk_failed = {k: v for k, v in chunk_failed.items() if k in kept}
                chunk_plugins = {k: v for k, v in chunk_plugins.items() if k in kept}
                processed += cut + 1
            else:
                processed += len(chunk)
            feasible.extend(passed)
            statuses.update(chunk_failed)
            status_plugins.update(chunk_plugins)
            pos = end
        self.next_start_node_index = (start + processed) % n
        window = (nodes, start, processed) if feasible and processed == len(feasible) else None
        return feasible, statuses, status_plugins, window

    def score(self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo]) -> dict[str, list[int]]:
        """Normalised per-plugin scores (before weights), for every plugin that did not Skip."""
        out: dict[str, list[int]] = {}
        for p, _w in self.score_plugins:
            if not p.pre_score(state, pod, nodes):
                continue
            scores = p.score_nodes(state, pod, nodes)
            p.normalize(state, pod, nodes, scores)
            out[p.name] = scores
        return out

    def select_host(
        self, state: CycleState, pod: PodInfo, nodes: list[NodeInfo], window: Window | None = None
    ) -> NodeInfo:
        """Weighted sum of the plugins' scores; the best node, ties broken with the rng.

        Plugins with a ``score_key`` (node-local, not normalised) are summed once per node and
        pod shape and memoised on the node until it changes: with thousands of nodes, most of a
        cycle's nodes have not changed since the previous pod of the same shape looked at them.
        When those are the only scores that vary and ``nodes`` is a ``window`` of consecutive
        positions of the node list (every node visited was feasible), the shape's
        :class:`ScoreIndex` finds the same pick without a pass over the window.
        """
        memo: list[tuple[Plugin, int, str]] = []
        others: list[tuple[Plugin, int]] = []
        for p, w in self.score_plugins:
            if not p.pre_score(state, pod, nodes):
                continue
            key = p.score_key(pod)
            if key is None:
                others.append((p, w))
            else:
                memo.append((p, w, key))
        varying = [(p, w) for p, w in others if not p.uniform(state, pod, nodes)]
        if memo:
            mkey = "|".join(f"{p.name}:{w}:{k}" for p, w, k in memo)
            if window is not None and not varying and self.use_score_index:
                return self._select_indexed(state, pod, memo, mkey, window)
            # (map/compress keep these per-node passes in C: they run over hundreds of nodes per pod)
            miss = list(compress(nodes, map(ne, repeat(mkey), map(_MEMO_KEY, nodes))))
            if miss:
                for x, t in zip(miss, _weighted_totals(memo, state, pod, miss)):
                    x.memo_key = mkey
                    x.memo_total = t
            totals = list(map(_MEMO_TOTAL, nodes))
        else:
            totals = [0] * len(nodes)
        for p, w in varying:
            scores = p.score_nodes(state, pod, nodes)
            p.normalize(state, pod, nodes, scores)
            if min(scores) == max(scores):
                continue  # the same for every node: it cannot change the ranking
            totals = [t + w * s for t, s in zip(totals, scores)]
        best = max(totals)
        ties = list(compress(range(len(totals)), map(eq, repeat(best), totals)))
        pick = ties[0] if len(ties) == 1 else ties[int(self.rng.random() * len(ties))]
        return nodes[pick]

    def _select_indexed(
        self, state: CycleState, pod: PodInfo, memo: list[tuple[Plugin, int, str]], mkey: str, window: Window
    ) -> NodeInfo:
        listed, start, length = window
        scorer = functools.partial(_weighted_totals, memo, state, pod)
        log = self.cache.changes
        index = self._score_indexes.get(mkey)
        if index is None or index.nodes is not listed or not index.refresh(log, scorer):
            index = ScoreIndex(listed, log, scorer)
            self._score_indexes.pop(mkey, None)
            self._score_indexes[mkey] = index
            while len(self._score_indexes) > MAX_SCORE_INDEXES:  # the least recently built go
                del self._score_indexes[next(iter(self._score_indexes))]
        bucket, lo, before_wrap, ties = index.best_in_window(start, length)
        k = 0 if ties == 1 else int(self.rng.random() * ties)
        return listed[ScoreIndex.kth(bucket, lo, before_wrap, k)]

    # -- outcomes -------------------------------------------------------------------------
    def _bind(self, qpi: QueuedPodInfo, node: NodeInfo) -> None:
        pod = qpi.pod
        self.cache.assume(pod, node.name)
        try:
            self.client.bind(pod.namespace, pod.name, node.name)
        except ApiError as e:
            self.cache.forget(pod)
            if e.code in (404, 409):
                return  # gone, already bound elsewhere, or being deleted: nothing left to do
            self._error(qpi, f"binding rejected: {e}")
            return
        except Unreachable:
            self.cache.forget(pod)
            self.scheduling_queue.add_backoff(qpi)
            return
        self.bound += 1
        self.recorder.event(
            pod.obj, "Normal", "Scheduled", f"Successfully assigned {pod.namespace}/{pod.name} to {node.name}"
        )

    def _unschedulable(self, qpi: QueuedPodInfo, message: str, plugins: frozenset[str]) -> None:
        self.failures += 1
        self.scheduling_queue.add_unschedulable(qpi, plugins)
        self._report(qpi.pod, "Unschedulable", message)

    def _error(self, qpi: QueuedPodInfo, message: str) -> None:
        self.failures += 1
        self.scheduling_queue.add_backoff(qpi)
        self._report(qpi.pod, "SchedulerError", message)

    def _report(self, pod: PodInfo, reason: str, message: str) -> None:
        self.recorder.event(pod.obj, "Warning", "FailedScheduling", truncate_message(message))
        current = self.pods.get(pod.key) or pod.obj
        conds = (current.get("status") or {}).get("conditions") or []
        old = next((c for c in conds if c.get("type") == "PodScheduled"), None)
        if old is not None and (old.get("status"), old.get("reason"), old.get("message")) == ("False", reason, message):
            return  # nothing changed: no write, as UpdatePodCondition
        now = self.api.clock.rfc3339()
        cond = {
            "type": "PodScheduled",
            "status": "False",
            "lastProbeTime": None,
            "lastTransitionTime": old.get("lastTransitionTime", now) if old and old.get("status") == "False" else now,
            "reason": reason,
            "message": message,
        }
        with contextlib.suppress(ApiError, Unreachable):  # the next attempt writes it again
            self.client.patch(
                "pods", pod.name, {"status": {"conditions": [cond]}}, "strategic", pod.namespace, subresource="status"
            )
