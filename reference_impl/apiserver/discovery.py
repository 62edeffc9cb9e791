"""API discovery documents, legacy and aggregated.

Models ``staging/src/k8s.io/apiserver/pkg/endpoints/discovery`` (``/api`` → APIVersions,
``/apis`` → APIGroupList, ``/apis/<g>`` → APIGroup, ``/api/v1`` and ``/apis/<g>/<v>`` →
APIResourceList) and ``discovery/aggregated`` (``apidiscovery.k8s.io/v2`` APIGroupDiscoveryList,
which kubectl asks for first). Everything is derived from the resource registry, subresources
included (``deployments/scale`` is an ``autoscaling/v1`` Scale, ``pods/eviction`` a ``policy/v1``
Eviction, ...).

Leaves out: storageVersionHash, and groups the reference server does not serve.
"""

from __future__ import annotations

import re
from typing import Any

from reference_impl.apiserver.registry import Registry, ResourceInfo

Obj = dict[str, Any]

# subresource → (group or None for the parent's, version or None, kind or None for the parent's, verbs)
SUBRESOURCES: dict[str, tuple[str | None, str | None, str | None, tuple[str, ...]]] = {
    "status": (None, None, None, ("get", "patch", "update")),
    "scale": ("autoscaling", "v1", "Scale", ("get", "patch", "update")),
    "binding": (None, None, "Binding", ("create",)),
    "eviction": ("policy", "v1", "Eviction", ("create",)),
    "log": (None, None, "Pod", ("get",)),
    "finalize": (None, None, None, ("update",)),
}


def _sub(info: ResourceInfo, sub: str) -> tuple[str, str, str, tuple[str, ...]]:
    group, version, kind, verbs = SUBRESOURCES.get(sub, (None, None, None, ("get",)))
    if group is None:
        return info.group, info.version, kind or info.kind, verbs
    return group, version or "v1", kind or info.kind, verbs


_KUBE_VERSION = re.compile(r"^v([1-9][0-9]*)(?:(alpha|beta)([1-9][0-9]*))?$")


def kube_aware_key(version: str) -> tuple[int, int, int, int, str]:
    """Sorts versions by priority, highest first, as ``version.CompareKubeAwareVersionStrings``:
    Kubernetes-like versions before others, GA before beta before alpha, then the higher major,
    then the higher minor (``v2, v1, v11beta2, v10beta3, v3beta1, v12alpha1, foo1, foo10``)."""
    m = _KUBE_VERSION.match(version)
    if m is None:
        return (1, 0, 0, 0, version)
    rank = {None: 0, "beta": 1, "alpha": 2}[m.group(2)]
    return (0, rank, -int(m.group(1)), -int(m.group(3) or 0), "")


def group_versions(registry: Registry) -> list[tuple[str, str]]:
    """(group, version) pairs served: groups in registry order (core first), each group's
    versions by priority (its preferred version first), as the real discovery lists them."""
    by_group: dict[str, list[str]] = {}
    for r in registry.resources:
        versions = by_group.setdefault(r.group, [])
        if r.version not in versions:
            versions.append(r.version)
    return [(g, v) for g, versions in by_group.items() for v in sorted(versions, key=kube_aware_key)]


def resources_of(registry: Registry, group: str, version: str) -> list[ResourceInfo]:
    return [r for r in registry.resources if r.group == group and r.version == version]


def api_versions(server_address: str) -> Obj:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def api_group(registry: Registry, group: str) -> Obj | None:
    versions = [v for g, v in group_versions(registry) if g == group]
    if not group or not versions:
        return None
    vs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"kind": "APIGroup", "apiVersion": "v1", "name": group, "versions": vs, "preferredVersion": vs[0]}


def api_group_list(registry: Registry) -> Obj:
    groups: list[Obj] = []
    seen: set[str] = set()
    for g, _v in group_versions(registry):
        if g and g not in seen:
            seen.add(g)
            doc = api_group(registry, g)
            assert doc is not None
            doc.pop("kind")
            doc.pop("apiVersion")
            groups.append(doc)
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_resource_list(registry: Registry, group: str, version: str) -> Obj | None:
    infos = resources_of(registry, group, version)
    if not infos:
        return None
    resources: list[Obj] = []
    for r in infos:
        entry: Obj = {
            "name": r.plural,
            "singularName": r.singular,
            "namespaced": r.namespaced,
            "kind": r.kind,
            "verbs": list(r.verbs),
        }
        if r.short_names:
            entry["shortNames"] = list(r.short_names)
        if r.categories:
            entry["categories"] = list(r.categories)
        resources.append(entry)
        for sub in r.subresources:
            g, v, kind, verbs = _sub(r, sub)
            se: Obj = {"name": f"{r.plural}/{sub}", "singularName": "", "namespaced": r.namespaced}
            if (g, v) != (r.group, r.version):
                se["group"] = g
                se["version"] = v
            se["kind"] = kind
            se["verbs"] = list(verbs)
            resources.append(se)
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}


def _discovery_resource(r: ResourceInfo) -> Obj:
    out: Obj = {
        "resource": r.plural,
        "responseKind": {"group": r.group, "version": r.version, "kind": r.kind},
        "scope": "Namespaced" if r.namespaced else "Cluster",
        "singularResource": r.singular,
        "verbs": list(r.verbs),
    }
    if r.short_names:
        out["shortNames"] = list(r.short_names)
    if r.categories:
        out["categories"] = list(r.categories)
    subs = []
    for sub in r.subresources:
        g, v, kind, verbs = _sub(r, sub)
        subs.append({"subresource": sub, "responseKind": {"group": g, "version": v, "kind": kind}, "verbs": list(verbs)})
    if subs:
        out["subresources"] = subs
    return out


def aggregated(registry: Registry, *, core: bool, version: str = "v2") -> Obj:
    """``APIGroupDiscoveryList`` for ``/api`` (core=True) or ``/apis``."""
    items: list[Obj] = []
    by_group: dict[str, list[str]] = {}
    for g, v in group_versions(registry):
        if (g == "") == core:
            by_group.setdefault(g, []).append(v)
    for g, versions in by_group.items():
        meta: Obj = {"creationTimestamp": None}
        if g:
            meta["name"] = g
        items.append(
            {
                "metadata": meta,
                "versions": [
                    {
                        "version": v,
                        "resources": [_discovery_resource(r) for r in resources_of(registry, g, v)],
                        "freshness": "Current",
                    }
                    for v in versions
                ],
            }
        )
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": f"apidiscovery.k8s.io/{version}",
        "metadata": {},
        "items": items,
    }
