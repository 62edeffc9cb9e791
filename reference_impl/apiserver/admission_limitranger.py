"""LimitRanger admission: LimitRange defaults and bounds for pods and PersistentVolumeClaims.

Models ``plugin/pkg/admission/limitranger/admission.go`` (``DefaultLimitRangerActions``), both
halves of the plugin:

- mutating (``PodMutateLimitFunc``), on pod creates: each container and init container gets the
  ``default`` limits and ``defaultRequest`` requests of the namespace's ``type: Container`` items
  for the resources it does not set, and the pod the ``kubernetes.io/limit-ranger`` annotation
  saying what was set (``LimitRanger plugin set: cpu, memory request for container app; ...``).
  It runs before the pod strategy's ``PrepareForCreate``, so the QoS class sees the defaults;
- validating (``PodValidateLimitFunc``, ``PersistentVolumeClaimValidateLimitFunc``), after
  validation: ``min``, ``max`` and ``maxLimitRequestRatio`` per container (``type: Container``),
  per pod over its effective requests and limits (``type: Pod``), and ``min``/``max`` of the
  storage request of a claim (``type: PersistentVolumeClaim``), refused with upstream's messages
  (``maximum cpu usage per Container is 500m, but limit is 600m``), several joined as
  ``utilerrors.NewAggregate`` joins them, as 403 Forbidden from the first LimitRange that fails.

Pod updates are not limited (the containers' resources cannot change, as upstream says), nor
subresources. LimitRanges are taken in name order and their resources in name order, where
upstream's lister and Go maps give no order. Leaves out: the ``pods/resize`` subresource (not
served) and the plugin's live-lookup cache (its lister is the store-fed index, never stale).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from reference_impl.apiserver import errors as E
from reference_impl.apiserver.admission_quota import (
    NamespacedIndex,
    Quantity,
    ResourceList,
    parse_list,
    rl_add,
    rl_max_into,
)
from reference_impl.apiserver.registry import ResourceInfo

if TYPE_CHECKING:
    from reference_impl.apiserver.server import APIServer

__all__ = ["LIMIT_RANGER_ANNOTATION", "LimitRanger"]

Obj = dict[str, Any]

LIMIT_RANGER_ANNOTATION = "kubernetes.io/limit-ranger"
MAX_MILLI_VALUE = (2**63 - 1) // 1000  # resource.MaxMilliValue


def _dict(v: Any) -> Obj:
    return v if isinstance(v, dict) else {}


def _list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def _items(limit_range: Obj) -> list[Obj]:
    return [i for i in _list(_dict(limit_range.get("spec")).get("limits")) if isinstance(i, dict)]


def _units(q: Quantity | None) -> int:
    """``Quantity.Value()`` (rounded up; 0 for a missing quantity, Go's zero value)."""
    return math.ceil(q.value) if q is not None else 0


def _millis(q: Quantity | None) -> int:
    return math.ceil(q.value * 1000) if q is not None else 0


def _values(observed: Quantity | None, limit: Quantity | None, enforced: Quantity) -> tuple[int, int, int]:
    """``requestLimitEnforcedValues``: milli-units unless one would overflow them, then units."""
    r, lim, e = _units(observed), _units(limit), _units(enforced)
    if r <= MAX_MILLI_VALUE and lim <= MAX_MILLI_VALUE and e <= MAX_MILLI_VALUE:
        return _millis(observed), _millis(limit), _millis(enforced)
    return r, lim, e


def _min(kind: str, name: str, enforced: Quantity, requests: ResourceList, limits: ResourceList) -> str:
    """``minConstraint``."""
    req, lim = requests.get(name), limits.get(name)
    observed, limited, bound = _values(req, lim, enforced)
    if req is None:
        return f"minimum {name} usage per {kind} is {enforced}.  No request is specified"
    if observed < bound:
        return f"minimum {name} usage per {kind} is {enforced}, but request is {req}"
    if lim is not None and limited < bound:
        return f"minimum {name} usage per {kind} is {enforced}, but limit is {lim}"
    return ""


def _max_request(kind: str, name: str, enforced: Quantity, requests: ResourceList) -> str:
    """``maxRequestConstraint`` (a claim's storage: only a request to bound)."""
    req = requests.get(name)
    observed, _, bound = _values(req, None, enforced)
    if req is None:
        return f"maximum {name} usage per {kind} is {enforced}.  No request is specified"
    if observed > bound:
        return f"maximum {name} usage per {kind} is {enforced}, but request is {req}"
    return ""


def _max(kind: str, name: str, enforced: Quantity, requests: ResourceList, limits: ResourceList) -> str:
    """``maxConstraint``."""
    req, lim = requests.get(name), limits.get(name)
    observed, limited, bound = _values(req, lim, enforced)
    if lim is None:
        return f"maximum {name} usage per {kind} is {enforced}.  No limit is specified"
    if limited > bound:
        return f"maximum {name} usage per {kind} is {enforced}, but limit is {lim}"
    if req is not None and observed > bound:
        return f"maximum {name} usage per {kind} is {enforced}, but request is {req}"
    return ""


def _ratio(kind: str, name: str, enforced: Quantity, requests: ResourceList, limits: ResourceList) -> str:
    """``limitRequestRatioConstraint``: the ratio printed with ``%f``, as Go prints it."""
    req, lim = requests.get(name), limits.get(name)
    observed, limited, _ = _values(req, lim, enforced)
    if req is None or observed == 0:
        return f"{name} max limit to request ratio per {kind} is {enforced}, but no request is specified or request is 0"
    if lim is None or limited == 0:
        return f"{name} max limit to request ratio per {kind} is {enforced}, but no limit is specified or limit is 0"
    ratio = limited / observed
    displayed, bound = ratio, float(_units(enforced))
    if _units(enforced) <= MAX_MILLI_VALUE:
        ratio, bound = ratio * 1000, float(_millis(enforced))
    if ratio > bound:
        return f"{name} max limit to request ratio per {kind} is {enforced}, but provided ratio is {displayed:f}"
    return ""


def _aggregate_message(errors: list[str]) -> str:
    """``utilerrors.NewAggregate(errs).Error()``: one message bare, several bracketed, each once."""
    unique = list(dict.fromkeys(errors))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


def _section(c: Any, section: str) -> ResourceList:
    return parse_list(_dict(_dict(_dict(c).get("resources")).get(section)))


def _pod_totals(pod: Obj, section: str) -> ResourceList:
    """``podRequests``/``podLimits`` of the plugin: containers and sidecars summed, the largest
    init container if larger, pod-level cpu and memory instead when set (no overhead, no status)."""
    spec = _dict(pod.get("spec"))
    total: ResourceList = {}
    for c in _list(spec.get("containers")):
        total = rl_add(total, _section(c, section))
    sidecars: ResourceList = {}
    init_max: ResourceList = {}
    for c in _list(spec.get("initContainers")):
        own = _section(c, section)
        if _dict(c).get("restartPolicy") == "Always":
            total = rl_add(total, own)
            sidecars = rl_add(sidecars, own)
            step = sidecars
        else:
            step = rl_add(own, sidecars)
        rl_max_into(init_max, step)
    rl_max_into(total, init_max)
    level = parse_list(_dict(_dict(spec.get("resources")).get(section)))
    total.update({n: q for n, q in level.items() if n in ("cpu", "memory")})
    return total


class LimitRanger:
    """The ``LimitRanger`` mutating and validating admission plugin of one API server."""

    def __init__(self, api: APIServer) -> None:
        info = api.registry.lookup("limitranges")
        self._ranges = NamespacedIndex(api, info) if info is not None else None

    def _limit_ranges(self, info: ResourceInfo, obj: Obj) -> list[Obj]:
        """The namespace's LimitRanges when the plugin acts on ``info`` (``SupportsAttributes``)."""
        if self._ranges is None or info.group or info.plural not in ("pods", "persistentvolumeclaims"):
            return []
        namespace = str(_dict(obj.get("metadata")).get("namespace") or "")
        return self._ranges.in_namespace(namespace) if self._ranges.has(namespace) else []

    def admit(self, info: ResourceInfo, obj: Obj) -> None:
        """``Admit`` of a create: default the pod's containers' resources."""
        if info.plural != "pods":
            return
        for limit_range in self._limit_ranges(info, obj):
            self._default_pod(limit_range, obj)

    @staticmethod
    def _default_pod(limit_range: Obj, pod: Obj) -> None:
        """``PodMutateLimitFunc``: ``defaultContainerResourceRequirements`` merged into each container."""
        requests: Obj = {}
        limits: Obj = {}
        for item in _items(limit_range):
            if item.get("type") == "Container":
                requests.update(_dict(item.get("defaultRequest")))
                limits.update(_dict(item.get("default")))
        spec = _dict(pod.get("spec"))
        notes: list[str] = []
        for key, noun in (("containers", "container"), ("initContainers", "init container")):
            for c in _list(spec.get(key)):
                if isinstance(c, dict):
                    notes.extend(_merge_container(c, requests, limits, noun))
        if notes:
            meta = pod.setdefault("metadata", {})
            annotations = meta.get("annotations")
            if not isinstance(annotations, dict):
                annotations = meta["annotations"] = {}
            annotations[LIMIT_RANGER_ANNOTATION] = "LimitRanger plugin set: " + "; ".join(notes)

    def validate(self, info: ResourceInfo, obj: Obj, old: Obj | None, *, subresource: str = "") -> None:
        """``Validate``: pods on create only; claims on create and update (not while deleting);
        no subresource."""
        if subresource:
            return
        if old is not None and (info.plural == "pods" or _dict(old.get("metadata")).get("deletionTimestamp")):
            return
        name = str(_dict(obj.get("metadata")).get("name") or "")
        for limit_range in self._limit_ranges(info, obj):
            errors = _pod_errors(limit_range, obj) if info.plural == "pods" else _claim_errors(limit_range, obj)
            if errors:
                raise E.forbidden(info, name, _aggregate_message(errors))


def _merge_container(c: Obj, requests: Obj, limits: Obj, noun: str) -> list[str]:
    """``mergeContainerResources``: fill in the limits, then the requests, the container lacks;
    what was set, requests first, for the annotation."""
    resources = c.get("resources")
    if not isinstance(resources, dict):
        resources = c["resources"] = {}
    missing: dict[str, list[str]] = {}
    for section, defaults in (("limits", limits), ("requests", requests)):
        have = _dict(resources.get(section))
        missing[section] = sorted(k for k in defaults if k not in have)
        if missing[section]:
            resources[section] = {**have, **{k: defaults[k] for k in missing[section]}}
    name = c.get("name", "")
    return [
        f"{', '.join(missing[section])} {what} for {noun} {name}"
        for section, what in (("requests", "request"), ("limits", "limit"))
        if missing[section]
    ]


def _checks(kind: str, item: Obj, requests: ResourceList, limits: ResourceList) -> list[str]:
    errors: list[str] = []
    for name, q in sorted(parse_list(item.get("min")).items()):
        errors.append(_min(kind, name, q, requests, limits))
    for name, q in sorted(parse_list(item.get("max")).items()):
        errors.append(_max(kind, name, q, requests, limits))
    for name, q in sorted(parse_list(item.get("maxLimitRequestRatio")).items()):
        errors.append(_ratio(kind, name, q, requests, limits))
    return [e for e in errors if e]


def _pod_errors(limit_range: Obj, pod: Obj) -> list[str]:
    """``PodValidateLimitFunc``."""
    spec = _dict(pod.get("spec"))
    errors: list[str] = []
    for item in _items(limit_range):
        kind = item.get("type")
        if kind == "Container":
            for c in _list(spec.get("containers")) + _list(spec.get("initContainers")):
                errors.extend(_checks("Container", item, _section(c, "requests"), _section(c, "limits")))
        elif kind == "Pod":
            errors.extend(_checks("Pod", item, _pod_totals(pod, "requests"), _pod_totals(pod, "limits")))
    return errors


def _claim_errors(limit_range: Obj, claim: Obj) -> list[str]:
    """``PersistentVolumeClaimValidateLimitFunc``."""
    requests = parse_list(_dict(_dict(claim.get("spec")).get("resources")).get("requests"))
    errors: list[str] = []
    for item in _items(limit_range):
        if item.get("type") != "PersistentVolumeClaim":
            continue
        for name, q in sorted(parse_list(item.get("min")).items()):
            errors.append(_min("PersistentVolumeClaim", name, q, requests, {}))
        for name, q in sorted(parse_list(item.get("max")).items()):
            errors.append(_max_request("PersistentVolumeClaim", name, q, requests))
    return [e for e in errors if e]
