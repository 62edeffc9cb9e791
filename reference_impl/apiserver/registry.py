"""The resource registry: which kinds the reference API server serves, and how.

Models the per-resource facts the real API server hard-codes in ``pkg/registry/*/storage`` and
publishes through discovery (``pkg/controlplane``): group, version, kind, plural, singular,
short names, namespaced or not, subresources and whether spec changes bump
``metadata.generation``. Adding a resource is one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ResourceInfo:
    group: str
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()
    generation: bool = False  # spec changes bump metadata.generation
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = field(
        default=("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
    )

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """``pods`` or ``deployments.apps``: how the real server names a resource in messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def qualified_kind(self) -> str:
        """``Pod`` or ``Deployment.apps``: how 422 messages name a kind."""
        return f"{self.kind}.{self.group}" if self.group else self.kind

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def has_status(self) -> bool:
        return "status" in self.subresources

    def key_prefix(self, namespace: str | None = None) -> str:
        base = f"/registry/{self.qualified}/"
        if self.namespaced and namespace:
            return f"{base}{namespace}/"
        return base

    def key(self, name: str, namespace: str | None) -> str:
        if self.namespaced:
            return f"/registry/{self.qualified}/{namespace}/{name}"
        return f"/registry/{self.qualified}/{name}"


_ALL = ("all",)

RESOURCES: tuple[ResourceInfo, ...] = (
    ResourceInfo("", "v1", "Namespace", "namespaces", "namespace", False, ("ns",), ("status", "finalize")),
    ResourceInfo("", "v1", "Node", "nodes", "node", False, ("no",), ("status",)),
    ResourceInfo(
        "", "v1", "Pod", "pods", "pod", True, ("po",), ("status", "binding", "eviction", "log"), categories=_ALL
    ),
    ResourceInfo("", "v1", "Service", "services", "service", True, ("svc",), ("status",), categories=_ALL),
    ResourceInfo("", "v1", "Endpoints", "endpoints", "endpoints", True, ("ep",)),
    ResourceInfo("", "v1", "ConfigMap", "configmaps", "configmap", True, ("cm",)),
    ResourceInfo("", "v1", "Secret", "secrets", "secret", True),
    ResourceInfo("", "v1", "Event", "events", "event", True, ("ev",)),
    ResourceInfo("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", True, ("sa",)),
    ResourceInfo("", "v1", "PodTemplate", "podtemplates", "podtemplate", True, (), (), True),
    ResourceInfo(
        "apps", "v1", "Deployment", "deployments", "deployment", True, ("deploy",), ("status", "scale"), True, _ALL
    ),
    ResourceInfo(
        "apps", "v1", "ReplicaSet", "replicasets", "replicaset", True, ("rs",), ("status", "scale"), True, _ALL
    ),
    ResourceInfo("apps", "v1", "DaemonSet", "daemonsets", "daemonset", True, ("ds",), ("status",), True, _ALL),
    ResourceInfo(
        "apps", "v1", "StatefulSet", "statefulsets", "statefulset", True, ("sts",), ("status", "scale"), True, _ALL
    ),
    ResourceInfo("apps", "v1", "ControllerRevision", "controllerrevisions", "controllerrevision", True),
    ResourceInfo("batch", "v1", "Job", "jobs", "job", True, (), ("status",), True, _ALL),
    ResourceInfo("batch", "v1", "CronJob", "cronjobs", "cronjob", True, ("cj",), ("status",), True, _ALL),
    ResourceInfo("coordination.k8s.io", "v1", "Lease", "leases", "lease", True),
    ResourceInfo("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", "endpointslice", True),
    ResourceInfo(
        "policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget", True, ("pdb",),
        ("status",), True,
    ),
)


class Registry:
    """Look resources up by plural, ``plural.group``, kind, short name or group/version/plural."""

    def __init__(self, resources: tuple[ResourceInfo, ...] = RESOURCES) -> None:
        self.resources = resources
        self._by_name: dict[str, ResourceInfo] = {}
        self._by_kind: dict[tuple[str, str], ResourceInfo] = {}
        for r in resources:
            for alias in (r.plural, r.qualified, r.singular, r.kind, r.kind.lower(), *r.short_names):
                self._by_name.setdefault(alias, r)
            self._by_name[f"{r.api_version}/{r.plural}"] = r
            self._by_kind[(r.api_version, r.kind)] = r

    def lookup(self, name: str) -> ResourceInfo | None:
        return self._by_name.get(name)

    def by_kind(self, api_version: str, kind: str) -> ResourceInfo | None:
        return self._by_kind.get((api_version, kind))

    def groups(self) -> dict[str, list[ResourceInfo]]:
        """Group name ("" for core) → resources, in registry order."""
        out: dict[str, list[ResourceInfo]] = {}
        for r in self.resources:
            out.setdefault(r.group, []).append(r)
        return out


REGISTRY = Registry()
