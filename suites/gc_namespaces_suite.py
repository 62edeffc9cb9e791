"""Garbage collection and namespace deletion.

Deployments, ReplicaSets, Services and ConfigMaps (some owned by a Deployment or ReplicaSet
through ``ownerReferences``) live in a few namespaces; the program deletes owners with
Background, Foreground or Orphan propagation, deletes whole namespaces, writes into namespaces
being deleted, and re-creates namespaces and objects under old names.

Beyond the base class's checks (at teardown: no dependent outlives its owners, orphaned
references are removed, deleted objects and namespaces are gone), after every step:

- Foreground (``garbagecollector.go`` ``processDeletingDependentsItem``): while an owner
  deleted with Foreground still has a dependent with ``blockOwnerDeletion``, the owner is
  visible with a deletionTimestamp and the ``foregroundDeletion`` finalizer; once it is gone,
  no such dependent is left.
- Orphan (``attemptToOrphanWorker``): the ``orphan`` finalizer is removed only after every
  dependent lost its reference, so once the owner is gone no object references it; and the
  dependents it had when deleted survive.
- Namespaces (``pkg/controller/namespace/deletion``, NamespaceLifecycle admission): a deleted
  namespace stays ``Terminating`` until its content is gone, so a gone namespace has no objects
  left; creating an object in it is refused (403 while terminating, 404 once gone).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule

from kconform.backends.base import Snapshot
from kconform.stateful import KconformMachine, suite_test
from kconform.strategies import configmaps, deployments, namespaces, replicasets, services

Manifest = dict[str, Any]
Key = tuple[str, str, str]  # (resource, namespace, name)

POLICIES = ("Foreground", "Orphan", "Background")
FOREGROUND_FINALIZER = "foregroundDeletion"
# Resources whose objects can own others here (a ConfigMap may name one of these as owner).
OWNER_RESOURCES = {"deployments": ("apps/v1", "Deployment"), "replicasets": ("apps/v1", "ReplicaSet")}
_SMALL_REPLICAS = st.integers(1, 2)


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _uid(obj: Mapping[str, Any]) -> str:
    return str(_meta(obj).get("uid") or "")


def _ns(obj: Mapping[str, Any]) -> str:
    return str(_meta(obj).get("namespace") or "")


def _ref(resource: str, obj: Mapping[str, Any]) -> str:
    return f"{resource} {_ns(obj)}/{_meta(obj).get('name')}"


def _all_objects(snap: Snapshot) -> list[tuple[str, Mapping[str, Any]]]:
    return [(resource, obj) for resource in snap.objects for obj in snap.of(resource)]


class GcNamespacesMachine(KconformMachine):
    suite_name = "gc-namespaces"

    def __init__(self) -> None:
        super().__init__()
        self.live_namespaces: list[str] = []
        self.deleted_namespaces: list[str] = []
        self.objects: dict[Key, Manifest] = {}
        # owner uid -> description, for owners the test deleted with Foreground / Orphan
        self.foreground_owners: dict[str, str] = {}
        self.orphan_owners: dict[str, tuple[Key, str]] = {}
        # dependent uid -> (its key, its description, the orphan-deleted owner's description and key)
        self.survivors: dict[str, tuple[Key, str, str, Key]] = {}

    # -- setup ------------------------------------------------------------------------------
    @initialize(
        nss=st.lists(namespaces(), min_size=2, max_size=3, unique_by=lambda m: m["metadata"]["name"]),
        data=st.data(),
    )
    def create_namespaces(self, nss: list[Manifest], data: st.DataObject) -> None:
        for manifest in nss:
            result = self.run({"op": "apply", "manifest": manifest})
            if not result.ok:
                self.fail(f"creating namespace {manifest['metadata']['name']} was refused: {result.detail}")
            self.live_namespaces.append(manifest["metadata"]["name"])
        # every program starts with an owner, so that most programs delete one
        ns = self.live_namespaces[0]
        self._apply("deployments", data.draw(deployments(ns, replicas=_SMALL_REPLICAS, healthy=True)))

    # -- creating ---------------------------------------------------------------------------
    def _apply(self, resource: str, manifest: Manifest) -> None:
        ns = manifest["metadata"]["namespace"]
        name = manifest["metadata"]["name"]
        result = self.run({"op": "apply", "manifest": manifest})
        if not result.ok:
            self.fail(f"applying valid {manifest['kind']} {ns}/{name} into live namespace {ns} refused: {result.detail}")
        key = (resource, ns, name)
        self.objects[key] = manifest
        self.note_restored(resource, ns, name)
        # a new owner under the old name may adopt and then legitimately delete the orphans
        self.survivors = {u: s for u, s in self.survivors.items() if s[3] != key}

    @precondition(lambda self: self.live_namespaces)
    @rule(data=st.data(), kind=st.sampled_from(("deployments", "replicasets")))
    def apply_owner(self, data: st.DataObject, kind: str) -> None:
        ns = data.draw(st.sampled_from(self.live_namespaces), label="namespace")
        strategy = deployments if kind == "deployments" else replicasets
        manifest = data.draw(strategy(ns, replicas=_SMALL_REPLICAS, healthy=True))
        # a fresh draw over a live object of the same name would change its selector, which is
        # immutable (422 on a real server too); the old name comes back once the object is deleted
        assume((kind, ns, manifest["metadata"]["name"]) not in self.objects)
        self._apply(kind, manifest)

    @precondition(lambda self: self.live_namespaces)
    @rule(data=st.data(), kind=st.sampled_from(("configmaps", "services")))
    def apply_other(self, data: st.DataObject, kind: str) -> None:
        """A ConfigMap owned by up to two live Deployments/ReplicaSets of its namespace, or a Service
        (whose EndpointSlices it owns)."""
        ns = data.draw(st.sampled_from(self.live_namespaces), label="namespace")
        if kind == "services":
            self._apply("services", data.draw(services(ns)))
            return
        manifest = copy.deepcopy(data.draw(configmaps(ns)))
        candidates = sorted(k for k in self.objects if k[0] in OWNER_RESOURCES and k[1] == ns)
        owners = data.draw(st.lists(st.sampled_from(candidates), max_size=2, unique=True), label="owners") if candidates else []
        refs = []
        for resource, _, name in owners:
            live = self.cluster.get(resource, name, ns)
            if live is None or _meta(live).get("deletionTimestamp"):
                continue
            api_version, kind_name = OWNER_RESOURCES[resource]
            ref: dict[str, Any] = {"apiVersion": api_version, "kind": kind_name, "name": name, "uid": _uid(live)}
            if data.draw(st.booleans(), label="blockOwnerDeletion"):
                ref["blockOwnerDeletion"] = True
            refs.append(ref)
        if refs:
            manifest["metadata"]["ownerReferences"] = refs
        self._apply("configmaps", manifest)

    # -- deleting ---------------------------------------------------------------------------
    @precondition(lambda self: any(k[0] in OWNER_RESOURCES for k in self.objects))
    @rule(data=st.data(), policy=st.sampled_from(POLICIES))
    def delete_owner(self, data: st.DataObject, policy: str) -> None:
        key = data.draw(st.sampled_from(sorted(k for k in self.objects if k[0] in OWNER_RESOURCES)), label="owner")
        self._delete(key, policy)

    @precondition(lambda self: self.objects)
    @rule(data=st.data(), policy=st.sampled_from(POLICIES))
    def delete_object(self, data: st.DataObject, policy: str) -> None:
        self._delete(data.draw(st.sampled_from(sorted(self.objects)), label="object"), policy)

    def _delete(self, key: Key, policy: str) -> None:
        resource, ns, name = key
        live = self.cluster.get(resource, name, ns)
        dependents: list[tuple[str, Mapping[str, Any]]] = []
        everything: list[tuple[str, Mapping[str, Any]]] = []
        if live is not None:
            uid = _uid(live)
            everything = _all_objects(self.cluster.snapshot())
            dependents = [
                (r, o) for r, o in everything
                if any(ref.get("uid") == uid for ref in _meta(o).get("ownerReferences") or [])
                and not _meta(o).get("deletionTimestamp")
            ]
        self.run({"op": "delete", "resource": resource, "name": name, "namespace": ns, "propagation": policy})
        del self.objects[key]
        self.note_deleted(resource, ns, name, policy)
        # the test itself now deletes it (or, without Orphan, may delete it through its owner)
        gone_with = {_uid(o) for _, o in dependents} if policy != "Orphan" else set()
        self.survivors = {u: s for u, s in self.survivors.items() if s[0] != key and u not in gone_with}
        if live is None:
            return
        desc = _ref(resource, live)
        if policy == "Foreground":
            self.foreground_owners[_uid(live)] = desc
            self._foreground_closure(_uid(live), everything)
        elif policy == "Orphan" and not _meta(live).get("deletionTimestamp") and dependents:
            self.orphan_owners[_uid(live)] = (key, desc)
            for r, o in dependents:
                dep_key = (r, _ns(o), str(_meta(o).get("name")))
                self.survivors[_uid(o)] = (dep_key, _ref(r, o), desc, key)

    def _foreground_closure(self, root: str, everything: list[tuple[str, Mapping[str, Any]]]) -> None:
        """The garbage collector deletes a waiting owner's dependents that have dependents of their
        own with Foreground too (``attemptToDeleteItem``), so they wait for theirs in turn."""
        children: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
        for r, o in everything:
            for ref in _meta(o).get("ownerReferences") or []:
                children.setdefault(str(ref.get("uid")), []).append((r, o))
        todo = [root]
        while todo:
            for r, o in children.get(todo.pop(), []):
                uid = _uid(o)
                if uid in children and uid not in self.foreground_owners and len(_meta(o).get("ownerReferences") or []) == 1:
                    self.foreground_owners[uid] = _ref(r, o) + " (dependent of a Foreground deletion)"
                    todo.append(uid)

    @precondition(lambda self: self.live_namespaces)
    @rule(data=st.data())
    def delete_namespace(self, data: st.DataObject) -> None:
        ns = data.draw(st.sampled_from(self.live_namespaces), label="namespace")
        result = self.run({"op": "delete", "resource": "namespaces", "name": ns})
        if not result.ok or result.detail != "deleted":
            self.fail(f"deleting live namespace {ns}: {result.detail}")
        self.live_namespaces.remove(ns)
        self.deleted_namespaces.append(ns)
        self.expect.deleted_namespaces.add(ns)
        self.note_deleted("namespaces", None, ns, "Background")
        self.objects = {k: m for k, m in self.objects.items() if k[1] != ns}
        self.survivors = {u: s for u, s in self.survivors.items() if s[0][1] != ns}

    @precondition(lambda self: self.deleted_namespaces)
    @rule(data=st.data())
    def write_into_deleted_namespace(self, data: st.DataObject) -> None:
        """NamespaceLifecycle admission: 403 while the namespace terminates, 404 once it is gone."""
        ns = data.draw(st.sampled_from(self.deleted_namespaces), label="namespace")
        present = self.cluster.get("namespaces", ns) is not None
        manifest = data.draw(configmaps(ns))
        result = self.run({"op": "apply", "manifest": manifest})
        want = 403 if present else 404
        got = (result.status or {}).get("code")
        if result.ok or got != want:
            state = "terminating" if present else "gone"
            self.fail(
                f"creating ConfigMap {ns}/{manifest['metadata']['name']} in {state} namespace {ns}: "
                f"expected {want}, got {'success' if result.ok else got} ({result.detail})"
            )

    @precondition(lambda self: self.deleted_namespaces)
    @rule(data=st.data())
    def recreate_namespace(self, data: st.DataObject) -> None:
        ns = data.draw(st.sampled_from(self.deleted_namespaces), label="namespace")
        if self.cluster.get("namespaces", ns) is not None:
            self.run({"op": "advance", "seconds": 30})
            if self.cluster.get("namespaces", ns) is not None:
                return  # still terminating (pods take their grace period): try again later
        result = self.run({"op": "apply", "manifest": {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}})
        if not result.ok:
            self.fail(f"re-creating namespace {ns} after it was gone refused: {result.detail}")
        self.deleted_namespaces.remove(ns)
        self.live_namespaces.append(ns)
        self.expect.deleted_namespaces.discard(ns)
        self.note_restored("namespaces", None, ns)

    @rule(seconds=st.sampled_from((1, 5, 30, 60)))
    def advance(self, seconds: int) -> None:
        self.run({"op": "advance", "seconds": seconds})

    # -- checking ---------------------------------------------------------------------------
    @invariant()
    def deletion_semantics_hold(self) -> None:
        snap = self.cluster.snapshot()
        objects = _all_objects(snap)
        by_uid = {_uid(o): (r, o) for r, o in objects}
        self._check_foreground(objects, by_uid)
        self._check_orphans(objects, by_uid)
        self._check_namespaces(snap, objects)

    def _check_foreground(self, objects: list[tuple[str, Mapping[str, Any]]], by_uid: Mapping[str, Any]) -> None:
        for uid, desc in sorted(self.foreground_owners.items()):
            blocking = [
                _ref(r, o) for r, o in objects
                if any(ref.get("uid") == uid and ref.get("blockOwnerDeletion") for ref in _meta(o).get("ownerReferences") or [])
            ]
            if not blocking:
                continue
            if uid not in by_uid:
                self.fail(
                    f"{desc} (deleted with Foreground) is gone while dependents with blockOwnerDeletion remain: "
                    f"{', '.join(sorted(blocking))}"
                )
            owner = by_uid[uid][1]
            finalizers = _meta(owner).get("finalizers") or []
            if not _meta(owner).get("deletionTimestamp") or FOREGROUND_FINALIZER not in finalizers:
                self.fail(
                    f"{desc} (deleted with Foreground, dependents {', '.join(sorted(blocking))} remain) should show a "
                    f"deletionTimestamp and the {FOREGROUND_FINALIZER} finalizer; has deletionTimestamp "
                    f"{_meta(owner).get('deletionTimestamp')}, finalizers {finalizers}"
                )

    def _check_orphans(self, objects: list[tuple[str, Mapping[str, Any]]], by_uid: Mapping[str, Any]) -> None:
        deleted = set(self.expect.deleted_namespaces)
        for uid, (_, desc) in sorted(self.orphan_owners.items()):
            if uid in by_uid:
                continue
            still = [
                _ref(r, o) for r, o in objects
                if _ns(o) not in deleted and any(ref.get("uid") == uid for ref in _meta(o).get("ownerReferences") or [])
            ]
            if still:
                self.fail(f"{desc} (deleted with Orphan) is gone but {', '.join(sorted(still))} still reference it")
        for uid, (_, dep_desc, owner_desc, _) in sorted(self.survivors.items()):
            if uid not in by_uid:
                self.fail(f"{dep_desc} was deleted, but its owner {owner_desc} was deleted with Orphan")

    def _check_namespaces(self, snap: Snapshot, objects: list[tuple[str, Mapping[str, Any]]]) -> None:
        present = {str(_meta(n).get("name")): n for n in snap.of("namespaces")}
        for ns in self.deleted_namespaces:
            if ns in present:
                live = present[ns]
                phase = (live.get("status") or {}).get("phase")
                if not _meta(live).get("deletionTimestamp") or phase != "Terminating":
                    self.fail(f"namespace {ns} was deleted but shows phase {phase}, deletionTimestamp "
                              f"{_meta(live).get('deletionTimestamp')}")
                continue
            left = sorted(_ref(r, o) for r, o in objects if _ns(o) == ns)
            if left:
                self.fail(f"namespace {ns} is gone but objects remain in it: {', '.join(left[:5])}")


TestGcNamespaces = suite_test(GcNamespacesMachine)
