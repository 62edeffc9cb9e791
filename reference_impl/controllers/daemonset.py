"""The DaemonSet controller (part of kube-controller-manager).

Models ``pkg/controller/daemon/daemon_controller.go`` (``manage``, ``podsShouldBeOnNode``,
``NodeShouldRunDaemonPod``, ``updateDaemonSetStatus``), ``update.go`` (``rollingUpdate`` with
``maxUnavailable`` and ``maxSurge``, ``constructHistory``, ``cleanupHistory``) and
``pkg/controller/daemon/util`` (``CreatePodTemplate``, ``AddOrUpdateDaemonPodTolerations``,
``ReplaceDaemonSetPodNodeNameNodeAffinity``).

One pod per eligible node. A node is eligible when the template's ``nodeName`` (if any),
``nodeSelector`` and required node affinity match it and every NoSchedule/NoExecute taint is
tolerated by the template plus the tolerations the controller adds (not-ready/unreachable
NoExecute without seconds; disk/memory/pid-pressure and unschedulable NoSchedule;
network-unavailable NoSchedule for hostNetwork pods). A node whose only untolerated taints are
NoSchedule keeps its existing pod but gets no new one. Pods are created unscheduled, pinned to
their node by a required ``matchFields metadata.name In [node]`` term that replaces the
template's node affinity terms (the scheduler binds them), with ``generateName: <ds>-`` and the
labels ``controller-revision-hash`` and ``pod-template-generation``. Failed (and Succeeded)
daemon pods are deleted and recreated, with a per node back-off (1 s doubling to 15 min).
History is kept in ControllerRevisions ``<ds>-<hash>``.

The module also holds the small helpers the Job and StatefulSet controllers share with it
(controller references, adoption, pod readiness, creation expectations and revision hashing).

Deviations: the revision hash is FNV-32a over a canonical JSON of the pod template (plus the
collision count, little-endian, as upstream), rendered with ``rand.SafeEncodeString``; upstream
hashes a ``spew`` dump of the Go struct, so the hash strings differ from a real cluster's (they
are stable across processes and runs). The ``deprecated.daemonset.template.generation``
annotation is read when present, otherwise ``metadata.generation`` stands for the template
generation. Left out: DaemonSet status conditions, the slow-start batching of creations (all
pods are created in one sync, at most 500), the ``burstReplicas`` expectations limit, and
deletion of pods bound to nodes that no longer exist (PodGC's job, as upstream).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from reference_impl.apiserver import ApiError
from reference_impl.apiserver.corev1 import toleration_tolerates
from reference_impl.apiserver.selectors import label_selector_from_dict
from reference_impl.client import Component, obj_key, unchanged
from reference_impl.controllers._podutil import (
    INDEX_CONTROLLER_UID,
    INDEX_ORPHANS,
    controller_ref,
    ensure_owner_indexes,
)
from reference_impl.sim.clock import SimClock, parse_rfc3339

Obj = dict[str, Any]

# ============================================================================ shared helpers
CONTROLLER_REVISION_HASH_LABEL = "controller-revision-hash"
EXPECTATIONS_TIMEOUT_S = 300.0  # controller.ExpectationsTimeout
MAX_POD_CREATE_DELETE_PER_SYNC = 500
_SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # apimachinery rand.alphanums


def owned_by_other_kind(old: Obj, new: Obj, kind: str) -> bool:
    """A pod update a controller of ``kind`` can ignore: its controller is of another kind and
    did not change. Such a pod is in none of this controller's expectations, and neither
    adoption nor release can concern it (the pod handlers' fast path: most pods belong to
    ReplicaSets, and every update of every pod reaches each workload controller)."""
    ref = controller_ref(new)
    if ref is None or ref.get("kind") == kind:
        return False
    if unchanged(old, new, "metadata", "ownerReferences"):  # a status write: the same list
        return True
    return ref == controller_ref(old)


def owner_reference(owner: Obj) -> Obj:
    """``metav1.NewControllerRef``."""
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def by_name(objs: Iterable[Obj]) -> list[Obj]:
    return sorted(objs, key=lambda o: o["metadata"]["name"])


def claim_objects(
    client: Any,
    resource: str,
    owner: Obj,
    owned: list[Obj],
    orphans: list[Obj],
    matches: Callable[[Obj], bool],
) -> list[Obj]:
    """``ControllerRefManager.ClaimObjects``: keep owned matches, release the others, adopt orphans.

    Returns the objects the owner controls after the claim (patched copies for adoptions). No
    adoption happens while the owner is being deleted, as upstream.
    """
    uid = owner["metadata"]["uid"]
    deleting = bool(owner["metadata"].get("deletionTimestamp"))
    ns = owner["metadata"].get("namespace")
    out: list[Obj] = []
    for obj in by_name(owned):
        if matches(obj) or obj["metadata"].get("deletionTimestamp") or deleting:
            out.append(obj)
            continue
        refs = [r for r in obj["metadata"].get("ownerReferences") or [] if r.get("uid") != uid]
        try:
            client.patch(resource, obj["metadata"]["name"], {"metadata": {"ownerReferences": refs or None}}, "merge", ns)
        except ApiError as e:
            if e.code != 404:
                raise
    if deleting:
        return out
    for obj in by_name(orphans):
        if obj["metadata"].get("deletionTimestamp") or not matches(obj):
            continue
        refs = [*list(obj["metadata"].get("ownerReferences") or []), owner_reference(owner)]
        body = {"metadata": {"ownerReferences": refs, "resourceVersion": obj["metadata"].get("resourceVersion")}}
        try:
            out.append(client.patch(resource, obj["metadata"]["name"], body, "merge", ns))
        except ApiError as e:
            if e.code not in (404, 409):
                raise
    return out


def pod_condition(pod: Obj, type_: str) -> Obj | None:
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c.get("type") == type_:
            return c  # type: ignore[no-any-return]
    return None


def is_pod_ready(pod: Obj) -> bool:
    c = pod_condition(pod, "Ready")
    return c is not None and c.get("status") == "True"


def is_pod_available(pod: Obj, min_ready_s: int, now_s: float) -> bool:
    """``podutil.IsPodAvailable``: Ready for at least ``minReadySeconds``."""
    c = pod_condition(pod, "Ready")
    if c is None or c.get("status") != "True":
        return False
    if min_ready_s <= 0:
        return True
    ts = c.get("lastTransitionTime")
    return bool(ts) and parse_rfc3339(str(ts)) + min_ready_s <= now_s


def ready_remaining_s(pod: Obj, min_ready_s: int, now_s: float) -> float | None:
    """Seconds until a Ready pod becomes available, None when it is not Ready or already available."""
    c = pod_condition(pod, "Ready")
    if min_ready_s <= 0 or c is None or c.get("status") != "True" or not c.get("lastTransitionTime"):
        return None
    left = parse_rfc3339(str(c["lastTransitionTime"])) + min_ready_s - now_s
    return left if left > 0 else None


def is_terminal(pod: Obj) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def is_terminating(pod: Obj) -> bool:
    return bool(pod["metadata"].get("deletionTimestamp"))


def creation_key(pod: Obj) -> tuple[str, str]:
    return (str(pod["metadata"].get("creationTimestamp") or ""), pod["metadata"]["name"])


@dataclass
class PodExpectations:
    """Pods this controller created or deleted that its informer has not shown yet.

    The role of ``controller.ControllerExpectations``: a sync that runs before the watch
    delivers a controller's own writes must not create the same pods twice. Here the overlay is
    the objects themselves, merged into the informer's view; entries expire after
    :data:`EXPECTATIONS_TIMEOUT_S` like upstream expectations.
    """

    created: dict[str, dict[str, tuple[float, Obj]]] = field(default_factory=dict)  # owner uid -> key -> obj
    deleted: dict[str, dict[str, float]] = field(default_factory=dict)  # owner uid -> pod uid -> when

    def expect_create(self, owner_uid: str, pod: Obj, now_s: float) -> None:
        self.created.setdefault(owner_uid, {})[obj_key(pod)] = (now_s, pod)

    def expect_delete(self, owner_uid: str, pod: Obj, now_s: float) -> None:
        self.deleted.setdefault(owner_uid, {})[pod["metadata"]["uid"]] = now_s

    def observed(self, pod: Obj, *, gone: bool) -> None:
        ref = controller_ref(pod)
        if ref is None:
            return
        owner = str(ref.get("uid"))
        c = self.created.get(owner)
        if c is not None:
            c.pop(obj_key(pod), None)
        if gone:
            d = self.deleted.get(owner)
            if d is not None:
                d.pop(pod["metadata"].get("uid", ""), None)

    def forget(self, owner_uid: str) -> None:
        self.created.pop(owner_uid, None)
        self.deleted.pop(owner_uid, None)

    def view(self, owner_uid: str, pods: list[Obj], now_s: float) -> list[Obj]:
        """The informer's pods plus pending creations, pending deletions shown terminating, by name."""
        have = {obj_key(p) for p in pods}
        created = self.created.get(owner_uid, {})
        for k in [k for k, (t, _) in created.items() if k in have or now_s - t > EXPECTATIONS_TIMEOUT_S]:
            del created[k]
        deleted = self.deleted.get(owner_uid, {})
        for u in [u for u, t in deleted.items() if now_s - t > EXPECTATIONS_TIMEOUT_S]:
            del deleted[u]
        out: list[Obj] = []
        for p in pods:
            if p["metadata"].get("uid") in deleted and not p["metadata"].get("deletionTimestamp"):
                # deleted, but the watch has not said so yet: it is terminating from our side
                p = {**p, "metadata": {**p["metadata"], "deletionTimestamp": SimClock(now_s).rfc3339()}}
            out.append(p)
        out.extend(p for _, p in created.values())
        return by_name(out)


class PodOwnerHandlers:
    """The pod event handlers of a controller that owns pods through :class:`PodExpectations`
    (DaemonSet, StatefulSet, Job): record what the informer has now shown, then queue the
    owner, and the former owner too when the controller reference changed. A pod owned by
    another kind of controller is passed by at once (the common case, checked cheaply)."""

    OWNER_KIND: ClassVar[str]
    expectations: PodExpectations

    def _enqueue_for_pod(self, pod: Obj) -> None:
        raise NotImplementedError

    def _pod_added(self, pod: Obj) -> None:
        self.expectations.observed(pod, gone=False)
        self._enqueue_for_pod(pod)

    def _pod_updated(self, old: Obj, new: Obj) -> None:
        if owned_by_other_kind(old, new, self.OWNER_KIND):
            return
        self.expectations.observed(new, gone=False)
        self._enqueue_for_pod(new)
        if controller_ref(old) != controller_ref(new):
            self._enqueue_for_pod(old)

    def _pod_deleted(self, pod: Obj) -> None:
        self.expectations.observed(pod, gone=True)
        self._enqueue_for_pod(pod)


def _fnv32a(data: bytes, h: int = 0x811C9DC5) -> int:
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def safe_encode(text: str) -> str:
    """``rand.SafeEncodeString``: each byte mapped onto the vowel-free alphabet."""
    return "".join(_SAFE_ALPHABET[b % len(_SAFE_ALPHABET)] for b in text.encode())


def hash_template(template: Obj, collision_count: int | None) -> str:
    """``controller.ComputeHash``: FNV-32a of the template (canonical JSON here), safe-encoded."""
    data = json.dumps(template, sort_keys=True, separators=(",", ":")).encode()
    h = _fnv32a(data)
    if collision_count:
        h = _fnv32a(int(collision_count & 0xFFFFFFFF).to_bytes(4, "little"), h)
    return safe_encode(str(h))


def revision_data(template: Obj) -> Obj:
    """The patch a ControllerRevision stores (``getPatch``): the template, replacing the old one."""
    return {"spec": {"template": {**copy.deepcopy(template), "$patch": "replace"}}}


def template_of_revision(rev: Obj) -> Obj:
    tmpl = copy.deepcopy(((rev.get("data") or {}).get("spec") or {}).get("template") or {})
    tmpl.pop("$patch", None)
    return tmpl  # type: ignore[no-any-return]


def sync_revision(
    client: Any,
    owner: Obj,
    revisions: list[Obj],
    template: Obj,
    collision_count: int,
    *,
    extra_labels: dict[str, str] | None = None,
) -> tuple[Obj | None, int]:
    """Find or create the ControllerRevision of ``template`` (``constructHistory`` / ``getStatefulSetRevisions``).

    Returns ``(revision, collision_count)``; the revision is None when a hash collision was
    found, after which the caller stores the bumped count and syncs again. An equal revision
    that is not the newest is renumbered to the top (a rollback).
    """
    data = revision_data(template)
    max_rev = max((int(r.get("revision", 0)) for r in revisions), default=0)
    equal = [r for r in revisions if r.get("data") == data]
    ns = owner["metadata"]["namespace"]
    if equal:
        cur = max(equal, key=lambda r: int(r.get("revision", 0)))
        if int(cur.get("revision", 0)) < max_rev:
            upd = copy.deepcopy(cur)
            upd["revision"] = max_rev + 1
            cur = client.update("controllerrevisions", upd, ns)
        return cur, collision_count
    h = hash_template(template, collision_count)
    name = f"{owner['metadata']['name']}-{h}"
    labels = dict(((owner.get("spec") or {}).get("template") or {}).get("metadata", {}).get("labels") or {})
    labels.update(extra_labels or {})
    labels[CONTROLLER_REVISION_HASH_LABEL] = h
    body = {
        "apiVersion": "apps/v1",
        "kind": "ControllerRevision",
        "metadata": {"name": name, "namespace": ns, "labels": labels, "ownerReferences": [owner_reference(owner)]},
        "data": data,
        "revision": max_rev + 1,
    }
    try:
        return client.create("controllerrevisions", body, ns), collision_count
    except ApiError as e:
        if e.code != 409:
            raise
    existing = client.get("controllerrevisions", name, ns)
    ref = controller_ref(existing)
    if existing.get("data") == data and ref is not None and ref.get("uid") == owner["metadata"]["uid"]:
        return existing, collision_count
    return None, collision_count + 1


def truncate_history(client: Any, revisions: list[Obj], live: set[str], limit: int, ns: str) -> None:
    """Delete the oldest revisions no pod or status uses, keeping at most ``limit`` of them."""
    old = sorted(
        (r for r in revisions if r["metadata"]["name"] not in live),
        key=lambda r: (int(r.get("revision", 0)), r["metadata"]["name"]),
    )
    for r in old[: max(0, len(old) - limit)]:
        try:
            client.delete("controllerrevisions", r["metadata"]["name"], ns)
        except ApiError as e:
            if e.code != 404:
                raise


def int_or_percent(value: Any, total: int, *, round_up: bool) -> int:
    """``intstr.GetScaledValueFromIntOrPercent``."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    text = str(value)
    if text.endswith("%"):
        pct = int(text[:-1])
        num = pct * total
        return -(-num // 100) if round_up else num // 100
    return int(text)


# ============================================================================ node selection
NOT_READY_TAINT = "node.kubernetes.io/not-ready"
UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"
_DAEMON_TOLERATIONS: tuple[tuple[str, str], ...] = (
    (NOT_READY_TAINT, "NoExecute"),
    (UNREACHABLE_TAINT, "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
    ("node.kubernetes.io/unschedulable", "NoSchedule"),
)
_NETWORK_UNAVAILABLE = ("node.kubernetes.io/network-unavailable", "NoSchedule")


def add_daemon_tolerations(spec: Obj) -> None:
    """``AddOrUpdateDaemonPodTolerations`` (``AddOrUpdateTolerationInPodSpec`` for each)."""
    wanted = list(_DAEMON_TOLERATIONS)
    if spec.get("hostNetwork"):
        wanted.append(_NETWORK_UNAVAILABLE)
    tols: list[Obj] = list(spec.get("tolerations") or [])
    for key, effect in wanted:
        tol = {"key": key, "operator": "Exists", "effect": effect}
        same = [
            i
            for i, t in enumerate(tols)
            if t.get("key") == key and t.get("operator", "Equal") == "Exists" and t.get("effect") == effect
            and not t.get("value")
        ]
        if same:
            tols[same[0]] = tol
        else:
            tols.append(tol)
    spec["tolerations"] = tols




def untolerated(taints: list[Obj], tols: list[Obj], effects: tuple[str, ...]) -> bool:
    return any(
        t.get("effect") in effects and not any(toleration_tolerates(tol, t) for tol in tols) for t in taints
    )


def _requirement_matches(req: Obj, values: dict[str, str]) -> bool:
    key, op, vals = req.get("key", ""), req.get("operator", ""), list(req.get("values") or [])
    has = key in values
    v = values.get(key, "")
    if op == "In":
        return has and v in vals
    if op == "NotIn":
        return not has or v not in vals
    if op == "Exists":
        return has
    if op == "DoesNotExist":
        return not has
    if op in ("Gt", "Lt"):
        try:
            left, right = int(v), int(vals[0])
        except (ValueError, IndexError):
            return False
        return has and (left > right if op == "Gt" else left < right)
    return False


def node_selector_terms_match(terms: list[Obj], node: Obj) -> bool:
    """``nodeaffinity.NodeSelector.Match``: ORed terms, ANDed requirements; an empty term matches nothing."""
    labels = node["metadata"].get("labels") or {}
    fields = {"metadata.name": node["metadata"]["name"]}
    for term in terms:
        exprs = term.get("matchExpressions") or []
        mfields = term.get("matchFields") or []
        if not exprs and not mfields:
            continue
        if all(_requirement_matches(r, labels) for r in exprs) and all(
            _requirement_matches(r, fields) for r in mfields
        ):
            return True
    return False


def pod_fits_node_affinity(spec: Obj, node: Obj) -> bool:
    """``nodeaffinity.GetRequiredNodeAffinity(pod).Match(node)``: nodeSelector and required affinity."""
    labels = node["metadata"].get("labels") or {}
    for k, v in (spec.get("nodeSelector") or {}).items():
        if labels.get(k) != v:
            return False
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    )
    if required is None:
        return True
    return node_selector_terms_match(required.get("nodeSelectorTerms") or [], node)


def node_should_run_daemon_pod(node: Obj, ds: Obj) -> tuple[bool, bool]:
    """``NodeShouldRunDaemonPod``: (should run a new pod, should keep an existing one running)."""
    spec = copy.deepcopy(((ds.get("spec") or {}).get("template") or {}).get("spec") or {})
    add_daemon_tolerations(spec)
    if spec.get("nodeName") and spec["nodeName"] != node["metadata"]["name"]:
        return False, False
    if not pod_fits_node_affinity(spec, node):
        return False, False
    taints = (node.get("spec") or {}).get("taints") or []
    tols = spec.get("tolerations") or []
    if untolerated(taints, tols, ("NoSchedule", "NoExecute")):
        return False, not untolerated(taints, tols, ("NoExecute",))
    return True, True


def replace_node_name_affinity(affinity: Obj | None, node_name: str) -> Obj:
    """``ReplaceDaemonSetPodNodeNameNodeAffinity``: the pod may only land on ``node_name``."""
    term = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node_name]}]}
    out = copy.deepcopy(affinity) if affinity else {}
    na = out.setdefault("nodeAffinity", {})
    req = na.get("requiredDuringSchedulingIgnoredDuringExecution")
    if req is None:
        na["requiredDuringSchedulingIgnoredDuringExecution"] = {"nodeSelectorTerms": [term]}
    else:
        req["nodeSelectorTerms"] = [term]
    return out  # type: ignore[no-any-return]


def target_node_name(pod: Obj) -> str | None:
    """``util.GetTargetNodeName``: spec.nodeName, else the node named by the matchFields term."""
    spec = pod.get("spec") or {}
    if spec.get("nodeName"):
        return str(spec["nodeName"])
    req = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    for term in req.get("nodeSelectorTerms") or []:
        for f in term.get("matchFields") or []:
            if f.get("key") == "metadata.name" and f.get("operator") == "In" and len(f.get("values") or []) == 1:
                return str(f["values"][0])
    return None


# ============================================================================ the controller
DAEMONSET_TEMPLATE_GENERATION_LABEL = "pod-template-generation"
TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation"
FAILED_POD_BACKOFF_INITIAL_S = 1.0
FAILED_POD_BACKOFF_MAX_S = 900.0


class DaemonSetController(PodOwnerHandlers):
    """Runs one daemon pod on every eligible node and rolls them to new templates."""

    OWNER_KIND = "DaemonSet"

    def __init__(self, ctx: Component) -> None:
        self.ctx = ctx
        self.expectations = PodExpectations()
        # (ds uid, node) -> (next allowed delete time, current back-off)
        self._failed_backoff: dict[tuple[str, str], tuple[float, float]] = {}

    def setup(self) -> None:
        ctx = self.ctx
        self.recorder = ctx.recorder_for("daemonset-controller")
        self.dss = ctx.informers.informer("daemonsets")
        self.pods = ctx.informers.informer("pods")
        self.nodes = ctx.informers.informer("nodes")
        self.revisions = ctx.informers.informer("controllerrevisions")
        ensure_owner_indexes(self.pods)
        ensure_owner_indexes(self.revisions)
        self.queue = ctx.queue(self.sync, name="daemonset")
        self.dss.add_handler(
            lambda o: self.queue.add(obj_key(o)),
            lambda _o, n: self.queue.add(obj_key(n)),
            self._ds_deleted,
        )
        self.pods.add_handler(self._pod_added, self._pod_updated, self._pod_deleted)
        self.nodes.add_handler(lambda _n: self._enqueue_all(), self._node_updated, lambda _n: self._enqueue_all())
        self.revisions.add_handler(None, None, self._revision_deleted)

    # -- event handlers -------------------------------------------------------------------
    def _enqueue_all(self) -> None:
        for ds in by_name(self.dss.list()):
            self.queue.add(obj_key(ds))

    def _ds_deleted(self, ds: Obj) -> None:
        uid = ds["metadata"]["uid"]
        self.expectations.forget(uid)
        for k in [k for k in self._failed_backoff if k[0] == uid]:
            del self._failed_backoff[k]

    def _owner_key(self, pod: Obj) -> str | None:
        ref = controller_ref(pod)
        if ref is None or ref.get("kind") != "DaemonSet":
            return None
        ds = self.dss.get_by(ref.get("name", ""), pod["metadata"].get("namespace"))
        if ds is None or ds["metadata"]["uid"] != ref.get("uid"):
            return None
        return obj_key(ds)

    def _enqueue_for_pod(self, pod: Obj) -> None:
        key = self._owner_key(pod)
        if key is not None:
            self.queue.add(key)
        elif controller_ref(pod) is None and not is_terminating(pod):
            labels = pod["metadata"].get("labels") or {}
            ns = pod["metadata"].get("namespace")
            for ds in by_name(self.dss.list()):
                if ds["metadata"].get("namespace") == ns and label_selector_from_dict(
                    (ds.get("spec") or {}).get("selector")
                ).matches(labels):
                    self.queue.add(obj_key(ds))

    def _node_updated(self, old: Obj, new: Obj) -> None:
        def shape(n: Obj) -> Any:
            return (n["metadata"].get("labels"), (n.get("spec") or {}).get("taints"), (n.get("spec") or {}).get("unschedulable"))

        if shape(old) != shape(new):
            self._enqueue_all()

    def _revision_deleted(self, rev: Obj) -> None:
        ref = controller_ref(rev)
        if ref is not None and ref.get("kind") == "DaemonSet":
            self.queue.add(f"{rev['metadata']['namespace']}/{ref.get('name')}")

    # -- sync -----------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        shared = self.dss.get(key)
        if shared is None:
            return
        ds = copy.deepcopy(shared)
        meta = ds["metadata"]
        uid, ns = meta["uid"], meta["namespace"]
        spec = ds.get("spec") or {}
        status = ds.setdefault("status", {})
        client = self.ctx.client
        now = self.ctx.loop.now()
        nodes = by_name(self.nodes.list())

        # history
        collision = int(status.get("collisionCount") or 0)
        revs = self.revisions.by_index(INDEX_CONTROLLER_UID, uid)
        template = spec.get("template") or {}
        cur_rev, new_collision = sync_revision(client, ds, revs, template, collision)
        if cur_rev is None:
            status["collisionCount"] = new_collision
            client.update_status("daemonsets", ds, ns)
            raise RuntimeError(f"hash collision for DaemonSet {key}, collisionCount is now {new_collision}")
        hash_ = cur_rev["metadata"].get("labels", {}).get(CONTROLLER_REVISION_HASH_LABEL) or hash_template(
            template, collision
        )

        selector = label_selector_from_dict(spec.get("selector"))
        pods = claim_objects(
            client,
            "pods",
            ds,
            self.pods.by_index(INDEX_CONTROLLER_UID, uid),
            [p for p in self.pods.by_index(INDEX_ORPHANS, ns)],
            lambda p: selector.matches(p["metadata"].get("labels")),
        )
        pods = self.expectations.view(uid, pods, now)
        node_to_pods = self._node_to_pods(pods)

        if not meta.get("deletionTimestamp"):
            self._manage(ds, nodes, node_to_pods, hash_, now)
            strategy = (spec.get("updateStrategy") or {}).get("type", "RollingUpdate")
            if strategy == "RollingUpdate":
                pods = self.expectations.view(uid, self.pods.by_index(INDEX_CONTROLLER_UID, uid), now)
                self._rolling_update(ds, nodes, self._node_to_pods(pods), hash_, now)
            live = {
                f"{meta['name']}-{p['metadata'].get('labels', {}).get(CONTROLLER_REVISION_HASH_LABEL)}" for p in pods
            }
            live.add(cur_rev["metadata"]["name"])
            truncate_history(client, revs, live, int(spec.get("revisionHistoryLimit", 10)), ns)

        pods = self.expectations.view(uid, self.pods.by_index(INDEX_CONTROLLER_UID, uid), now)
        self._update_status(ds, shared, nodes, self._node_to_pods(pods), hash_, now)

    def _node_to_pods(self, pods: list[Obj]) -> dict[str, list[Obj]]:
        """``getNodesToDaemonPods(includeDeletedTerminal=false)``, each list oldest first."""
        out: dict[str, list[Obj]] = {}
        for p in pods:
            if is_terminating(p) and is_terminal(p):
                continue
            node = target_node_name(p)
            if node is not None:
                out.setdefault(node, []).append(p)
        for lst in out.values():
            lst.sort(key=creation_key)
        return out

    def _manage(self, ds: Obj, nodes: list[Obj], node_to_pods: dict[str, list[Obj]], hash_: str, now: float) -> None:
        uid = ds["metadata"]["uid"]
        strategy = ds["spec"].get("updateStrategy") or {}
        # util.AllowsSurge: maxSurge scaled against 1 is not zero
        allows_surge = strategy.get("type", "RollingUpdate") == "RollingUpdate" and (
            int_or_percent((strategy.get("rollingUpdate") or {}).get("maxSurge", 0), 1, round_up=True) != 0
        )
        to_create: list[str] = []
        to_delete: list[Obj] = []
        node_names = set()
        for node in nodes:
            name = node["metadata"]["name"]
            node_names.add(name)
            should_run, should_continue = node_should_run_daemon_pod(node, ds)
            daemon_pods = node_to_pods.get(name, [])
            if should_run and not daemon_pods:
                to_create.append(name)
            elif should_continue:
                running: list[Obj] = []
                for p in daemon_pods:
                    if is_terminating(p):
                        continue
                    phase = (p.get("status") or {}).get("phase")
                    if phase in ("Failed", "Succeeded"):
                        bkey = (uid, name)
                        until, backoff = self._failed_backoff.get(bkey, (0.0, 0.0))
                        if now < until:
                            self.queue.add_after(obj_key(ds), until - now)
                            continue
                        backoff = FAILED_POD_BACKOFF_INITIAL_S if backoff == 0 else min(backoff * 2, FAILED_POD_BACKOFF_MAX_S)
                        self._failed_backoff[bkey] = (now + backoff, backoff)
                        word = "failed" if phase == "Failed" else "succeeded"
                        self.recorder.event(
                            ds,
                            "Warning",
                            "FailedDaemonPod" if phase == "Failed" else "SucceededDaemonPod",
                            f"Found {word} daemon pod {p['metadata']['namespace']}/{p['metadata']['name']} on node "
                            f"{name}, will try to kill it",
                        )
                        to_delete.append(p)
                    else:
                        running.append(p)
                if len(running) <= 1:
                    continue
                if not allows_surge:
                    to_delete.extend(running[1:])
                    continue
                oldest_new: Obj | None = None
                oldest_old: Obj | None = None
                for p in running:
                    if p["metadata"].get("labels", {}).get(CONTROLLER_REVISION_HASH_LABEL) == hash_:
                        if oldest_new is None:
                            oldest_new = p
                            continue
                    elif oldest_old is None:
                        oldest_old = p
                        continue
                    to_delete.append(p)
                if oldest_new is not None and oldest_old is not None and (
                    not is_pod_ready(oldest_old) or is_pod_ready(oldest_new)
                ):
                    to_delete.append(oldest_old)
            elif daemon_pods:
                to_delete.extend(p for p in daemon_pods if not is_terminating(p))
        # unscheduled pods pinned to nodes that no longer exist
        for node_name in sorted(node_to_pods):
            if node_name not in node_names:
                to_delete.extend(
                    p for p in node_to_pods[node_name] if not (p.get("spec") or {}).get("nodeName") and not is_terminating(p)
                )
        self._sync_nodes(ds, to_delete, to_create, hash_, now)

    def _sync_nodes(self, ds: Obj, to_delete: list[Obj], to_create: list[str], hash_: str, now: float) -> None:
        client = self.ctx.client
        meta = ds["metadata"]
        ns, uid = meta["namespace"], meta["uid"]
        generation = str(meta.get("annotations", {}).get(TEMPLATE_GENERATION_ANNOTATION) or meta.get("generation", 1))
        for node_name in to_create[:MAX_POD_CREATE_DELETE_PER_SYNC]:
            template = copy.deepcopy(ds["spec"].get("template") or {})
            pmeta = template.get("metadata") or {}
            labels = dict(pmeta.get("labels") or {})
            labels[DAEMONSET_TEMPLATE_GENERATION_LABEL] = generation
            labels[CONTROLLER_REVISION_HASH_LABEL] = hash_
            pspec = template.get("spec") or {}
            add_daemon_tolerations(pspec)
            pspec["affinity"] = replace_node_name_affinity(pspec.get("affinity"), node_name)
            body: Obj = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "generateName": f"{meta['name']}-",
                    "namespace": ns,
                    "labels": labels,
                    "annotations": dict(pmeta.get("annotations") or {}),
                    "ownerReferences": [owner_reference(ds)],
                },
                "spec": pspec,
            }
            if pmeta.get("finalizers"):
                body["metadata"]["finalizers"] = list(pmeta["finalizers"])
            try:
                created = client.create("pods", body, ns)
            except ApiError as e:
                if e.code == 403 and "being terminated" in e.message:
                    return
                self.recorder.event(ds, "Warning", "FailedCreate", f"Error creating: {e.message}")
                raise
            self.expectations.expect_create(uid, created, now)
            self.recorder.event(ds, "Normal", "SuccessfulCreate", f"Created pod: {created['metadata']['name']}")
        for pod in to_delete[:MAX_POD_CREATE_DELETE_PER_SYNC]:
            try:
                client.delete("pods", pod["metadata"]["name"], ns)
            except ApiError as e:
                if e.code == 404:
                    continue
                self.recorder.event(ds, "Warning", "FailedDelete", f"Error deleting: {e.message}")
                raise
            self.expectations.expect_delete(uid, pod, now)
            self.recorder.event(ds, "Normal", "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}")

    def _max_unavailable_and_surge(self, ds: Obj, desired: int) -> tuple[int, int]:
        """``updatedPodsOnNodeMaxUnavailable``/``surgeCount`` scaled against desiredNumberScheduled."""
        ru = ((ds["spec"].get("updateStrategy") or {}).get("rollingUpdate")) or {}
        surge = int_or_percent(ru.get("maxSurge", 0), desired, round_up=True)
        unavailable = int_or_percent(ru.get("maxUnavailable", 1), desired, round_up=True)
        if surge == 0 and unavailable == 0:
            unavailable = 1
        return unavailable, surge

    @staticmethod
    def _updated_pods_on_node(pods: list[Obj], hash_: str) -> tuple[Obj | None, Obj | None, bool]:
        """``findUpdatedPodsOnNode``: the node's new pod, old pod, and False when there are two of a kind."""
        new: Obj | None = None
        old: Obj | None = None
        for p in pods:
            if is_terminating(p):
                continue
            if p["metadata"].get("labels", {}).get(CONTROLLER_REVISION_HASH_LABEL) == hash_:
                if new is not None:
                    return None, None, False
                new = p
            else:
                if old is not None:
                    return None, None, False
                old = p
        return new, old, True

    def _rolling_update(
        self, ds: Obj, nodes: list[Obj], node_to_pods: dict[str, list[Obj]], hash_: str, now: float
    ) -> None:
        min_ready = int(ds["spec"].get("minReadySeconds", 0))
        node_by_name = {n["metadata"]["name"]: n for n in nodes}
        desired = sum(1 for n in nodes if node_should_run_daemon_pod(n, ds)[0])
        max_unavailable, max_surge = self._max_unavailable_and_surge(ds, desired)
        to_delete: list[Obj] = []
        if max_surge == 0:
            num_unavailable = 0
            allowed: list[Obj] = []
            candidates: list[Obj] = []
            for name in sorted(node_to_pods):
                new, old, ok = self._updated_pods_on_node(node_to_pods[name], hash_)
                if not ok or (new is None and old is None) or (new is not None and old is not None):
                    num_unavailable += 1
                elif new is not None:
                    if not is_pod_available(new, min_ready, now):
                        num_unavailable += 1
                elif old is not None:
                    if not is_pod_available(old, min_ready, now):
                        allowed.append(old)
                    elif num_unavailable < max_unavailable:
                        candidates.append(old)
            remaining = max(0, min(max_unavailable - num_unavailable, len(candidates)))
            to_delete = allowed + candidates[:remaining]
            self._sync_nodes(ds, to_delete, [], hash_, now)
            return
        num_surge = 0
        num_available = 0
        allowed_new: list[str] = []
        candidate_new: list[str] = []
        should_not_run: list[Obj] = []
        for name in sorted(node_to_pods):
            new, old, ok = self._updated_pods_on_node(node_to_pods[name], hash_)
            if not ok:
                num_surge += 1
                continue
            if old is not None:
                num_available += int(is_pod_available(old, min_ready, now))
            elif new is not None:
                num_available += int(is_pod_available(new, min_ready, now))
            if old is None:
                continue
            node = node_by_name.get(name)
            should_run = node is not None and node_should_run_daemon_pod(node, ds)[0]
            if new is None:
                if not is_pod_available(old, min_ready, now):
                    if not should_run:
                        to_delete.append(old)
                        continue
                    allowed_new.append(name)
                else:
                    if not should_run:
                        should_not_run.append(old)
                        continue
                    if num_surge >= max_surge:
                        continue
                    candidate_new.append(name)
            else:
                if not is_pod_available(new, min_ready, now):
                    num_surge += 1
                    continue
                to_delete.append(old)
        deletable = num_available - desired
        if deletable > 0:
            to_delete.extend(should_not_run[: min(deletable, len(should_not_run))])
        remaining = max(0, min(max_surge - num_surge, len(candidate_new)))
        self._sync_nodes(ds, to_delete, allowed_new + candidate_new[:remaining], hash_, now)

    def _update_status(
        self, ds: Obj, shared: Obj, nodes: list[Obj], node_to_pods: dict[str, list[Obj]], hash_: str, now: float
    ) -> None:
        min_ready = int(ds["spec"].get("minReadySeconds", 0))
        desired = current = misscheduled = ready = available = updated = 0
        recheck: float | None = None
        annotations = ds["metadata"].get("annotations") or {}
        tgen = annotations.get(TEMPLATE_GENERATION_ANNOTATION)
        for node in nodes:
            name = node["metadata"]["name"]
            should_run, _ = node_should_run_daemon_pod(node, ds)
            pods = node_to_pods.get(name, [])
            if should_run:
                desired += 1
                if not pods:
                    continue
                current += 1
                pod = pods[0]
                if is_pod_ready(pod):
                    ready += 1
                    if is_pod_available(pod, min_ready, now):
                        available += 1
                    else:
                        left = ready_remaining_s(pod, min_ready, now)
                        if left is not None:
                            recheck = left if recheck is None else min(recheck, left)
                labels = pod["metadata"].get("labels") or {}
                if labels.get(CONTROLLER_REVISION_HASH_LABEL) == hash_ or (
                    tgen is not None and labels.get(DAEMONSET_TEMPLATE_GENERATION_LABEL) == str(tgen)
                ):
                    updated += 1
            elif pods:
                misscheduled += 1
        status = dict(ds.get("status") or {})
        status.update(
            {
                "observedGeneration": ds["metadata"].get("generation", 1),
                "desiredNumberScheduled": desired,
                "currentNumberScheduled": current,
                "numberMisscheduled": misscheduled,
                "numberReady": ready,
                "numberAvailable": available,
                "numberUnavailable": desired - available,
                "updatedNumberScheduled": updated,
            }
        )
        for k in ("numberAvailable", "numberUnavailable", "updatedNumberScheduled"):
            if status[k] == 0:
                status.pop(k)  # omitempty, as the real API shows them
        if status != (shared.get("status") or {}):
            body = copy.deepcopy(shared)
            body["status"] = status
            try:
                self.ctx.client.update_status("daemonsets", body, ds["metadata"]["namespace"])
            except ApiError as e:
                if e.code != 404:
                    raise
        if recheck is not None:
            self.queue.add_after(obj_key(ds), recheck)


__all__ = [
    "CONTROLLER_REVISION_HASH_LABEL",
    "DaemonSetController",
    "PodExpectations",
    "add_daemon_tolerations",
    "claim_objects",
    "controller_ref",
    "hash_template",
    "is_pod_available",
    "is_pod_ready",
    "node_should_run_daemon_pod",
    "owner_reference",
    "replace_node_name_affinity",
    "safe_encode",
]
