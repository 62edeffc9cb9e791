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


class Registry:
    """Look resources up by plural, ``plural.group``, kind, short name or group/version/plural."""

    def __init__(self, resources: tuple[ResourceInfo, ...], strategies: tuple[Strategy, ...] = ()) -> None:
        self.resources = resources
        self._strategies: dict[tuple[str, str], Strategy] = {(s.info.api_version, s.info.plural): s for s in strategies}
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

