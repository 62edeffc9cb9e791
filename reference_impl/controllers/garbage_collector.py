"""The garbage collector (part of kube-controller-manager).

Models ``pkg/controller/garbagecollector/garbagecollector.go`` (``attemptToDeleteItem``,
``classifyReferences``, ``processDeletingDependentsItem``, ``attemptToOrphanWorker``) and
``graph_builder.go`` (the ownerReference graph by UID, virtual nodes, ``processTransitions``):

* every served resource except Events is watched — custom resources too: the served resources
  are looked at again every 30 s (``GarbageCollector.Sync`` over discovery), watches started for
  new ones (a CRD established) and stopped for those no longer served; each object is a node of
  a graph keyed by UID, with edges from its ``ownerReferences``. An owner referenced but not (yet) seen is a
  *virtual* node, whose existence is checked with a live GET before anything acts on it.
* when an owner is gone, each dependent is re-examined: owners are classified with live GETs
  (``solid``, ``dangling`` = absent or another UID, ``waiting`` = deleting with
  ``foregroundDeletion``); a dependent with a solid owner survives and loses its dangling and
  waiting references (a patch); otherwise it is deleted (Background, or Foreground when an
  owner waits for it) with a UID precondition.
* foreground: an owner with deletionTimestamp and ``foregroundDeletion`` gets its dependents
  deleted; its finalizer goes once no dependent with ``blockOwnerDeletion`` remains. A dependent
  that would wait on an owner that itself waits on it gets its references unblocked first, so
  cycles terminate.
* orphan: an owner with deletionTimestamp and ``orphan`` has its references removed from all
  its dependents, then the finalizer.

Leaves out: the absent-owner cache (every check is a live GET), the metadata-only client,
resources the API server does not serve (a reference to an unknown kind is never judged
dangling), the cluster-scoped-owner-of-namespaced-dependent coordinate checks and their warning
events. Discovery is the API server's own registry, read in process.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reference_impl.apiserver import ApiError, Registry, ResourceInfo
from reference_impl.apiserver.discovery import kube_aware_key
from reference_impl.client import Component, Informer

Obj = dict[str, Any]

FOREGROUND = "foregroundDeletion"
ORPHAN = "orphan"
SKIPPED_RESOURCES = frozenset({"events"})
RESOURCES_SYNC_PERIOD_S = 30.0  # kube-controller-manager's garbage collector discovery resync
_CONFLICT_RETRIES = 5


@dataclass
class _Node:
    uid: str
    api_version: str
    kind: str
    name: str
    namespace: str | None
    observed: bool = False
    owners: Sequence[Obj] = ()
    dependents: dict[str, None] = field(default_factory=dict)  # insertion-ordered set of uids
    being_deleted: bool = False
    deleting_dependents: bool = False

    def blocking_dependents(self, graph: dict[str, _Node]) -> list[_Node]:
        out = []
        for uid in self.dependents:
            dep = graph.get(uid)
            if dep is None:
                continue
            if any(r.get("uid") == self.uid and r.get("blockOwnerDeletion") for r in dep.owners):
                out.append(dep)
        return out


def _resource_for(registry: Registry, api_version: str, kind: str) -> ResourceInfo | None:
    info = registry.by_kind(api_version, kind)
    if info is not None:
        return info
    group = api_version.split("/", 1)[0] if "/" in api_version else ""
    for r in registry.resources:
        if r.kind == kind and r.group == group:
            return r
    return None


def deletable_resources(registry: Registry) -> dict[str, ResourceInfo]:
    """``GetDeletableResources``: each watchable resource (but Events) at its preferred version,
    keyed by what the client calls it (``group/version/plural``)."""
    best: dict[tuple[str, str], ResourceInfo] = {}
    for info in registry.resources:
        if info.plural in SKIPPED_RESOURCES or "watch" not in info.verbs:
            continue
        key = (info.group, info.plural)
        if key not in best or kube_aware_key(info.version) < kube_aware_key(best[key].version):
            best[key] = info
    return {info.resource: info for info in best.values()}


def _has_finalizer(obj: Obj, name: str) -> bool:
    return name in (obj["metadata"].get("finalizers") or [])


def _deleting_with(obj: Obj, finalizer: str) -> bool:
    return bool(obj["metadata"].get("deletionTimestamp")) and _has_finalizer(obj, finalizer)


class GarbageCollector:
    """Deletes objects whose owners are gone; runs foreground and orphan deletion."""

    def __init__(self, ctx: Component) -> None:
        self.ctx = ctx
        self.graph: dict[str, _Node] = {}
        self.registry: Registry = ctx.client.api.registry  # discovery, read in process
        self.monitors: dict[str, Informer] = {}

    def setup(self) -> None:
        ctx = self.ctx
        self.attempt_to_delete = ctx.queue(self._attempt_to_delete, name="garbage-collector-delete")
        self.attempt_to_orphan = ctx.queue(self._attempt_to_orphan, name="garbage-collector-orphan")
        self.monitors = {}
        self._handled: list[Informer] = []
        self.sync_monitors()
        ctx.every(RESOURCES_SYNC_PERIOD_S, self.sync_monitors)

    def sync_monitors(self) -> None:
        """``resyncMonitors``: watch what is served now; stop watching what no longer is."""
        wanted = deletable_resources(self.registry)
        for resource in [r for r in self.monitors if r not in wanted]:
            self.monitors.pop(resource).stop()
        for resource, info in wanted.items():
            if resource in self.monitors:
                continue
            # built-in resources by plural, to share the other controllers' informers
            name = info.plural if self.registry.lookup(info.plural) is info else resource
            inf = self.ctx.informers.informer(name)
            if not any(m is inf for m in self._handled):  # a CRD back again finds its old informer
                inf.add_handler(self._on_add, self._on_update, self._on_delete)
                self._handled.append(inf)
            self.monitors[resource] = inf
            if not inf.running and self.ctx.informers.started:
                inf.start()

    # -- graph builder ------------------------------------------------------------------------
    def _on_add(self, obj: Obj) -> None:
        self._upsert(None, obj)

    def _on_update(self, old: Obj, new: Obj) -> None:
        self._upsert(old, new)

    def _upsert(self, old: Obj | None, obj: Obj) -> None:
        meta = obj["metadata"]
        uid = meta.get("uid")
        if not uid:
            return
        node = self.graph.get(uid)
        if old is not None and node is not None and node.observed:
            om = old["metadata"]
            if (
                om.get("ownerReferences") == meta.get("ownerReferences")
                and om.get("deletionTimestamp") == meta.get("deletionTimestamp")
                and om.get("finalizers") == meta.get("finalizers")
            ):
                return  # nothing the graph keeps changed (the common status-only update)
        owners: Sequence[Obj] = meta.get("ownerReferences") or ()  # the informer's read-only list
        if node is None:
            node = _Node(uid, obj.get("apiVersion", ""), obj.get("kind", ""), meta["name"], meta.get("namespace"))
            self.graph[uid] = node
            old_owners: Sequence[Obj] = ()
        else:
            old_owners = node.owners if node.observed else ()
        node.observed = True
        node.api_version, node.kind = obj.get("apiVersion", node.api_version), obj.get("kind", node.kind)
        node.name, node.namespace = meta["name"], meta.get("namespace")
        node.owners = owners
        node.being_deleted = bool(meta.get("deletionTimestamp"))
        old_uids = {r.get("uid") for r in old_owners}
        new_uids = {r.get("uid") for r in owners}
        for ref in old_owners:
            if ref.get("uid") not in new_uids:
                owner = self.graph.get(ref.get("uid", ""))
                if owner is not None:
                    owner.dependents.pop(uid, None)
                    # a removed blocking reference may unblock an owner waiting in the foreground
                    if owner.deleting_dependents:
                        self.attempt_to_delete.add(owner.uid)
        for ref in owners:
            ouid = ref.get("uid", "")
            owner = self.graph.get(ouid)
            if owner is None:
                owner = _Node(ouid, ref.get("apiVersion", ""), ref.get("kind", ""), ref.get("name", ""), meta.get("namespace"))
                if (info := self._info(owner.api_version, owner.kind)) is not None and not info.namespaced:
                    owner.namespace = None
                self.graph[ouid] = owner
                self.attempt_to_delete.add(ouid)  # a virtual owner: verify it exists
            owner.dependents[uid] = None
            if ouid in old_uids:
                was = next(r for r in old_owners if r.get("uid") == ouid)
                if was.get("blockOwnerDeletion") and not ref.get("blockOwnerDeletion") and owner.deleting_dependents:
                    self.attempt_to_delete.add(owner.uid)
        # processTransitions
        if _deleting_with(obj, ORPHAN) and (old is None or not _deleting_with(old, ORPHAN)):
            self.attempt_to_orphan.add(uid)
            return
        if _deleting_with(obj, FOREGROUND) and (old is None or not _deleting_with(old, FOREGROUND)):
            node.deleting_dependents = True
            for dep in list(node.dependents):
                self.attempt_to_delete.add(dep)
            self.attempt_to_delete.add(uid)
        elif not _deleting_with(obj, FOREGROUND):
            node.deleting_dependents = False

    def _on_delete(self, obj: Obj) -> None:
        uid = obj["metadata"].get("uid")
        if uid:
            self._remove(uid)

    def _remove(self, uid: str) -> None:
        """An object is gone (seen, or confirmed by a live GET): its dependents are judged."""
        node = self.graph.pop(uid, None)
        if node is None:
            return
        for ref in node.owners:
            owner = self.graph.get(ref.get("uid", ""))
            if owner is not None:
                owner.dependents.pop(uid, None)
                if owner.deleting_dependents:
                    self.attempt_to_delete.add(owner.uid)
        # the dependents keep their references; judging them classifies this owner as dangling
        for dep in node.dependents:
            self.attempt_to_delete.add(dep)

    # -- live reads -------------------------------------------------------------------------------
    def _info(self, api_version: str, kind: str) -> ResourceInfo | None:
        return _resource_for(self.registry, api_version, kind)

    def _get(self, info: ResourceInfo, name: str, namespace: str | None) -> Obj | None:
        try:
            return self.ctx.client.get(info.resource, name, namespace if info.namespaced else None)
        except ApiError as e:
            if e.code == 404:
                return None
            raise

    def _get_node(self, node: _Node) -> Obj | None:
        """The live object for a node, or None when absent or replaced by another UID."""
        info = self._info(node.api_version, node.kind)
        if info is None:
            raise LookupError(f"unable to get REST mapping for {node.api_version}/{node.kind}")
        obj = self._get(info, node.name, node.namespace)
        if obj is None or obj["metadata"].get("uid") != node.uid:
            return None
        return obj

    # -- attemptToDelete ---------------------------------------------------------------------------
    def _attempt_to_delete(self, uid: str) -> None:
        node = self.graph.get(uid)
        if node is None:
            return
        if node.being_deleted and not node.deleting_dependents:
            return
        try:
            latest = self._get_node(node)
        except LookupError:
            return  # a kind this cluster does not serve: never judged
        if latest is None:
            self._virtual_delete(node)
            return
        if not node.observed:
            # the owner exists but the informer has not shown it yet: look again later
            self.attempt_to_delete.add_after(uid, 1.0)
            return
        if node.deleting_dependents:
            self._process_deleting_dependents(node)
            return
        refs = latest["metadata"].get("ownerReferences") or []
        if not refs:
            return
        solid, dangling, waiting = self._classify(latest, refs)
        if solid:
            bad = {r.get("uid") for r in dangling + waiting}
            if bad:
                self._patch_owner_refs(node, latest, lambda rs: [r for r in rs if r.get("uid") not in bad])
            return
        if waiting and node.dependents:
            for dep_uid in node.dependents:
                dep = self.graph.get(dep_uid)
                if dep is not None and dep.deleting_dependents:
                    # a cycle: unblock our references so the waiting owner can finish first
                    self._patch_owner_refs(
                        node, latest, lambda rs: [{**r, "blockOwnerDeletion": False} if r.get("blockOwnerDeletion") else r for r in rs]
                    )
                    break
            self._delete(node, "Foreground")
            return
        if _has_finalizer(latest, ORPHAN):
            policy = "Orphan"
        elif _has_finalizer(latest, FOREGROUND):
            policy = "Foreground"
        else:
            policy = "Background"
        self._delete(node, policy)

    def _classify(self, item: Obj, refs: list[Obj]) -> tuple[list[Obj], list[Obj], list[Obj]]:
        solid: list[Obj] = []
        dangling: list[Obj] = []
        waiting: list[Obj] = []
        ns = item["metadata"].get("namespace")
        for ref in refs:
            info = self._info(ref.get("apiVersion", ""), ref.get("kind", ""))
            if info is None:
                solid.append(ref)  # unknown kinds are never judged dangling
                continue
            owner = self._get(info, ref.get("name", ""), ns)
            if owner is None or owner["metadata"].get("uid") != ref.get("uid"):
                dangling.append(ref)
            elif _deleting_with(owner, FOREGROUND):
                waiting.append(ref)
            else:
                solid.append(ref)
        return solid, dangling, waiting

    def _process_deleting_dependents(self, node: _Node) -> None:
        blocking = node.blocking_dependents(self.graph)
        if not blocking:
            self._remove_finalizer(node, FOREGROUND)
            return
        for dep in blocking:
            if not dep.deleting_dependents:
                self.attempt_to_delete.add(dep.uid)

    def _virtual_delete(self, node: _Node) -> None:
        """Upstream's ``enqueueVirtualDeleteEvent``: a live GET confirmed the object is gone.

        An observed node's DELETED event may still be in flight; acting now is what upstream does,
        and the later event finds nothing to remove.
        """
        self._remove(node.uid)

    # -- attemptToOrphan ---------------------------------------------------------------------------
    def _attempt_to_orphan(self, uid: str) -> None:
        node = self.graph.get(uid)
        if node is None:
            return
        for dep_uid in list(node.dependents):
            dep = self.graph.get(dep_uid)
            if dep is None:
                continue
            try:
                latest = self._get_node(dep)
            except LookupError:
                continue
            if latest is None:
                continue
            self._patch_owner_refs(dep, latest, lambda rs: [r for r in rs if r.get("uid") != uid])
        self._remove_finalizer(node, ORPHAN)

    # -- writes -------------------------------------------------------------------------------------
    def _delete(self, node: _Node, policy: str) -> None:
        info = self._info(node.api_version, node.kind)
        if info is None:
            return
        try:
            self.ctx.client.delete(
                info.resource,
                node.name,
                node.namespace if info.namespaced else None,
                propagation_policy=policy,
                preconditions={"uid": node.uid},
            )
        except ApiError as e:
            if e.code not in (404, 409):
                raise

    def _patch_owner_refs(self, node: _Node, latest: Obj, change: Any) -> None:
        """Rewrite ``ownerReferences`` with optimistic concurrency (GET + PUT on conflict)."""
        info = self._info(node.api_version, node.kind)
        if info is None:
            return
        obj = latest
        for _ in range(_CONFLICT_RETRIES):
            refs = obj["metadata"].get("ownerReferences") or []
            new_refs = change(refs)
            if new_refs == refs:
                return
            new = copy.deepcopy(obj)
            if new_refs:
                new["metadata"]["ownerReferences"] = new_refs
            else:
                new["metadata"].pop("ownerReferences", None)
            try:
                self.ctx.client.update(info.resource, new, node.namespace if info.namespaced else None)
                return
            except ApiError as e:
                if e.code == 404:
                    return
                if e.code != 409:
                    raise
            fresh = self._get_node(node)
            if fresh is None:
                return
            obj = fresh
        raise RuntimeError(f"{info.plural} {node.name}: too many conflicts updating ownerReferences")

    def _remove_finalizer(self, node: _Node, finalizer: str) -> None:
        info = self._info(node.api_version, node.kind)
        if info is None:
            return
        for _ in range(_CONFLICT_RETRIES):
            try:
                obj = self._get_node(node)
            except LookupError:
                return
            if obj is None or not _has_finalizer(obj, finalizer):
                return
            obj["metadata"]["finalizers"] = [f for f in obj["metadata"]["finalizers"] if f != finalizer]
            try:
                self.ctx.client.update(info.resource, obj, node.namespace if info.namespaced else None)
                return
            except ApiError as e:
                if e.code == 404:
                    return
                if e.code != 409:
                    raise
        raise RuntimeError(f"{info.plural} {node.name}: too many conflicts removing finalizer {finalizer}")
