"""The namespace controller (part of kube-controller-manager).

Models ``pkg/controller/namespace/namespace_controller.go`` and
``pkg/controller/namespace/deletion/namespaced_resources_deleter.go``: for a namespace with a
deletionTimestamp whose ``spec.finalizers`` still holds ``kubernetes``, delete every namespaced
resource in it (Background propagation, as upstream's deletecollection does), report progress
in the namespace's status conditions (``NamespaceDeletionContentFailure``,
``NamespaceContentRemaining``, ``NamespaceFinalizersRemaining``, ... with upstream's reasons and
messages), and once nothing is left remove ``kubernetes`` through the ``finalize`` subresource —
after which the API server deletes the namespace.

Waiting follows upstream: pods still running get the estimate of their termination grace period
(the longest ``terminationGracePeriodSeconds`` of non-terminal pods, less the time since the
namespace's deletion) and the namespace is looked at again then; objects held by finalizers get
15 s; anything else remaining is an error, retried with back-off (5 ms doubling, at most 60 s).

Leaves out: discovery (the registry is the list of resources, so the discovery and
group-version parsing conditions are always healthy), and the ``orphan`` finalizer on the
namespace itself.
"""

from __future__ import annotations

import copy
from typing import Any

from reference_impl.apiserver import REGISTRY, ApiError, ResourceInfo
from reference_impl.client import Component, Informer
from reference_impl.sim.clock import parse_rfc3339

Obj = dict[str, Any]

FINALIZER = "kubernetes"
FINALIZER_ESTIMATE_S = 15  # finalizerEstimateSeconds
MAX_RETRY_DELAY_S = 60.0

# (type, ok reason, ok message) in upstream's order (deletion/status_condition_utils.go)
_CONDITIONS: tuple[tuple[str, str, str], ...] = (
    ("NamespaceDeletionDiscoveryFailure", "ResourcesDiscovered", "All resources successfully discovered"),
    ("NamespaceDeletionGroupVersionParsingFailure", "ParsedGroupVersions", "All legacy kube types successfully parsed"),
    ("NamespaceDeletionContentFailure", "ContentDeleted", "All content successfully deleted, may be waiting on finalization"),
    ("NamespaceContentRemaining", "ContentRemoved", "All content successfully removed"),
    ("NamespaceFinalizersRemaining", "ContentHasNoFinalizers", "All content-preserving finalizers finished"),
)


class ResourcesRemaining(Exception):
    """Content is still terminating; look again after ``estimate_s``."""

    def __init__(self, estimate_s: float) -> None:
        super().__init__(f"some content remains in the namespace, estimate {estimate_s:g} seconds before it is removed")
        self.estimate_s = estimate_s


def _group_resource(info: ResourceInfo) -> str:
    """``schema.GroupResource.String()``."""
    return f"{info.plural}.{info.group}" if info.group else info.plural


class NamespaceController:
    """Empties terminating namespaces, then releases their ``kubernetes`` finalizer."""

    def __init__(self, ctx: Component) -> None:
        self.ctx = ctx
        self.namespaces: Informer

    def setup(self) -> None:
        self.namespaces = self.ctx.informers.informer("namespaces")
        self.queue = self.ctx.queue(self._process, name="namespace")
        self.queue.max_delay_s = MAX_RETRY_DELAY_S
        self.namespaces.add_handler(self._enqueue, lambda _old, new: self._enqueue(new), None)

    def _enqueue(self, ns: Obj) -> None:
        if ns["metadata"].get("deletionTimestamp"):
            self.queue.add(ns["metadata"]["name"])

    def _process(self, name: str) -> None:
        try:
            self.sync(name)
        except ResourcesRemaining as e:
            self.queue.add_after(name, e.estimate_s)
            return
        self.queue.forget(name)

    # -- the deleter --------------------------------------------------------------------------------
    def sync(self, name: str) -> None:
        """``namespacedResourcesDeleter.Delete``; raises to be retried."""
        client = self.ctx.client
        try:
            ns = client.get("namespaces", name)
        except ApiError as e:
            if e.code == 404:
                return
            raise
        if not ns["metadata"].get("deletionTimestamp"):
            return
        if FINALIZER not in ((ns.get("spec") or {}).get("finalizers") or []):
            return
        deleted_at = parse_rfc3339(ns["metadata"]["deletionTimestamp"])
        estimate_s = 0.0
        errors: list[str] = []
        remaining: dict[str, int] = {}
        finalizers: dict[str, int] = {}
        for info in REGISTRY.resources:
            if not info.namespaced or "list" not in info.verbs or "delete" not in info.verbs:
                continue
            try:
                est = self._delete_all(info, name, deleted_at, remaining, finalizers)
            except ApiError as e:
                errors.append(str(e))
                continue
            estimate_s = max(estimate_s, est)
        self._update_conditions(ns, errors, remaining, finalizers)
        if errors:
            raise RuntimeError("; ".join(errors))
        if estimate_s > 0:
            raise ResourcesRemaining(estimate_s)
        if remaining:
            raise RuntimeError(f"unexpected items still remain in namespace: {name}: {sorted(remaining)}")
        self._finalize(name)

    def _delete_all(
        self, info: ResourceInfo, ns: str, deleted_at: float, remaining: dict[str, int], finalizers: dict[str, int]
    ) -> float:
        """``deleteAllContentForGroupVersionResource``: estimate, delete, list what remains."""
        client = self.ctx.client
        items = client.list(info.plural, ns)["items"]
        if not items:
            return 0.0
        estimate_s = 0.0
        if info.plural == "pods":
            grace = max(
                (
                    int((p.get("spec") or {}).get("terminationGracePeriodSeconds", 30))
                    for p in items
                    if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
                ),
                default=0,
            )
            estimate_s = max(0.0, grace - (self.ctx.loop.now() - deleted_at))
        for item in items:
            if item["metadata"].get("deletionTimestamp"):
                continue
            try:
                client.delete(info.plural, item["metadata"]["name"], ns, propagation_policy="Background")
            except ApiError as e:
                if e.code != 404:
                    raise
        left = client.list(info.plural, ns)["items"]
        if not left:
            return 0.0
        remaining[_group_resource(info)] = len(left)
        has_finalizers = False
        for item in left:
            for f in item["metadata"].get("finalizers") or []:
                finalizers[f] = finalizers.get(f, 0) + 1
                has_finalizers = True
        if estimate_s > 0:
            return estimate_s
        return float(FINALIZER_ESTIMATE_S) if has_finalizers else 0.0

    def _update_conditions(self, ns: Obj, errors: list[str], remaining: dict[str, int], finalizers: dict[str, int]) -> None:
        failures: dict[str, tuple[str, str]] = {}
        if errors:
            failures["NamespaceDeletionContentFailure"] = (
                "ContentDeletionFailed",
                f"Failed to delete all resource types, {len(errors)} remaining: {'; '.join(sorted(errors))}",
            )
        if remaining:
            parts = sorted(f"{gr} has {n} resource instances" for gr, n in remaining.items())
            failures["NamespaceContentRemaining"] = ("SomeResourcesRemain", "Some resources are remaining: " + "; ".join(parts))
        if finalizers:
            parts = sorted(f"{f} in {n} resource instances" for f, n in finalizers.items())
            failures["NamespaceFinalizersRemaining"] = (
                "SomeFinalizersRemain",
                "Some content in the namespace has finalizers remaining: " + "; ".join(parts),
            )
        now = self.ctx.loop.clock.rfc3339()
        old = {c.get("type"): c for c in (ns.get("status") or {}).get("conditions") or []}
        conds: list[Obj] = []
        for type_, ok_reason, ok_message in _CONDITIONS:
            status, (reason, message) = ("True", failures[type_]) if type_ in failures else ("False", (ok_reason, ok_message))
            prev = old.get(type_)
            ltt = prev.get("lastTransitionTime", now) if prev and prev.get("status") == status else now
            conds.append({"type": type_, "status": status, "lastTransitionTime": ltt, "reason": reason, "message": message})
        if (ns.get("status") or {}).get("conditions") == conds:
            return
        new = copy.deepcopy(ns)
        new.setdefault("status", {})["conditions"] = conds
        try:
            self.ctx.client.update_status("namespaces", new)
        except ApiError as e:
            if e.code not in (404, 409):
                raise

    def _finalize(self, name: str) -> None:
        """Remove ``kubernetes`` from spec.finalizers through the finalize subresource."""
        ns = self.ctx.client.get("namespaces", name)
        fins = [f for f in (ns.get("spec") or {}).get("finalizers") or [] if f != FINALIZER]
        new = copy.deepcopy(ns)
        new.setdefault("spec", {})["finalizers"] = fins
        self.ctx.client.update("namespaces", new, subresource="finalize")
