"""What the API server knows of one resource, and the lookup over all of them.

Models the per-resource facts the real API server hard-codes in ``pkg/registry/*/storage`` and
publishes through discovery (``pkg/controlplane``): group, version, kind, plural, singular,
short names, namespaced or not, subresources and whether spec changes bump
``metadata.generation``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reference_impl.apiserver.registry.strategy import Strategy


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
    def resource(self) -> str:
        """``apps/v1/deployments``: the name that finds exactly this resource at this version."""
        return f"{self.api_version}/{self.plural}"

    @property
    def qualified(self) -> str:
        """``pods`` or ``deployments.apps``: how the real server names a resource in messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def qualified_kind(self) -> str:
        """``Pod`` or ``Deployment.apps``: how 422 messages name a kind."""
        return f"{self.kind}.{self.group}" if self.group else self.kind

    @property
    def core_kind(self) -> str:
        """The kind of a core (``""`` group) resource, else ``""``: what the server's special
        cases key on, so that a custom resource of kind ``Pod`` in its own group is not one."""
        return "" if self.group else self.kind

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


class Registry:
    """Look resources up by plural, ``plural.group``, kind, short name or group/version/plural.

    The built-in resources are fixed when the registry is made; the resources of
    CustomResourceDefinitions come and go at run time (:meth:`add`, :meth:`remove`), so every
    API server works on its own :meth:`copy`. ``generation`` counts those changes, for the
    caches built from the registry (discovery and OpenAPI documents).
    """

    def __init__(self, resources: tuple[ResourceInfo, ...], strategies: tuple[Strategy, ...] = ()) -> None:
        self._builtin = len(resources)
        self.resources = resources
        self._strategies: dict[tuple[str, str], Strategy] = {(s.info.api_version, s.info.plural): s for s in strategies}
        self.generation = 0
        self._by_name: dict[str, ResourceInfo] = {}
        self._by_kind: dict[tuple[str, str], ResourceInfo] = {}
        self._by_gv: dict[tuple[str, str], dict[str, ResourceInfo]] = {}
        self._index()

    def _index(self) -> None:
        self._by_name = {}
        self._by_kind = {}
        self._by_gv = {}
        for r in self.resources:
            for alias in (r.plural, r.qualified, r.singular, r.kind, r.kind.lower(), *r.short_names):
                self._by_name.setdefault(alias, r)
            self._by_name[f"{r.api_version}/{r.plural}"] = r
            self._by_kind[(r.api_version, r.kind)] = r
            self._by_gv.setdefault((r.group, r.version), {})[r.plural] = r

    def copy(self) -> Registry:
        """A registry of the same resources whose run-time changes stay its own."""
        out = Registry(self.resources[: self._builtin], tuple(self._strategies.values()))
        out.resources = self.resources
        out._index()
        return out

    def add(self, strategy: Strategy) -> None:
        """Serve ``strategy.info`` from now on (a custom resource), replacing an earlier entry."""
        info = strategy.info
        kept = tuple(
            r for r in self.resources[self._builtin :] if (r.api_version, r.plural) != (info.api_version, info.plural)
        )
        self.resources = self.resources[: self._builtin] + kept + (info,)
        self._strategies[(info.api_version, info.plural)] = strategy
        self.generation += 1
        self._index()

    def remove(self, group: str, plural: str) -> None:
        """Stop serving every version of ``plural.group`` added with :meth:`add`."""
        gone = [r for r in self.resources[self._builtin :] if (r.group, r.plural) == (group, plural)]
        if not gone:
            return
        self.resources = self.resources[: self._builtin] + tuple(
            r for r in self.resources[self._builtin :] if (r.group, r.plural) != (group, plural)
        )
        for r in gone:
            self._strategies.pop((r.api_version, r.plural), None)
        self.generation += 1
        self._index()

    def lookup(self, name: str) -> ResourceInfo | None:
        return self._by_name.get(name)

    def by_kind(self, api_version: str, kind: str) -> ResourceInfo | None:
        return self._by_kind.get((api_version, kind))

    def in_group_version(self, group: str, version: str) -> dict[str, ResourceInfo] | None:
        """Plural → resource of one served group-version, or None when it is not served."""
        return self._by_gv.get((group, version))

    def strategy(self, info: ResourceInfo) -> Strategy | None:
        """The resource's REST strategy, or None for one served through the older per-kind tables."""
        return self._strategies.get((info.api_version, info.plural))

    def strategies(self) -> tuple[Strategy, ...]:
        """Every strategy, in registry order."""
        return tuple(self._strategies.values())

    def groups(self) -> dict[str, list[ResourceInfo]]:
        """Group name ("" for core) → resources, in registry order."""
        out: dict[str, list[ResourceInfo]] = {}
        for r in self.resources:
            out.setdefault(r.group, []).append(r)
        return out
