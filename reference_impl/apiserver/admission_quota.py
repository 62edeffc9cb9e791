"""ResourceQuota admission, and the quota evaluators it shares with the quota controller.

Models ``plugin/pkg/admission/resourcequota`` (the plugin kube-apiserver registers as
``ResourceQuota``), whose work is ``k8s.io/apiserver/pkg/admission/plugin/resourcequota``
(``controller.go``: ``CheckRequest``, ``checkQuotas``), over the evaluators of
``pkg/quota/v1/evaluator/core`` (``pods.go``, ``services.go``, ``persistent_volume_claims.go``,
``registry.go``) and ``k8s.io/apiserver/pkg/quota/v1`` (``resources.go``, ``generic/evaluator.go``).

A create (or an update an evaluator handles) in a namespace with quotas is checked against every
quota it matches, by ``status.hard`` as upstream checks it (a quota the controller has not synced
yet constrains nothing): a pod without a request or limit a matching quota constrains is refused
(``failed quota: <name>: must specify ...``), a quota whose ``status.used`` lacks a constrained
resource refuses (``status unknown for quota``), and a request that would take ``used`` past
``hard`` is refused with upstream's ``exceeded quota: <name>, requested: ..., used: ...,
limited: ...``; all as 403 Forbidden. On success the usage is charged to ``status.used`` at once
(upstream's admission writes the quota status before the object is stored), so back-to-back
creates cannot both pass; a dry run checks without charging.

Evaluators: pods (``count/pods``, ``pods``, ``cpu``/``memory``/``ephemeral-storage`` and their
``requests.``/``limits.`` forms, hugepages, extended resources as ``requests.<name>``; the
Terminating/NotTerminating/BestEffort/NotBestEffort/PriorityClass/CrossNamespacePodAffinity
scopes; pods in a terminal phase or terminating past their grace period count only as
``count/pods``), services (``services``, ``services.nodeports``, ``services.loadbalancers``),
PersistentVolumeClaims when served, ``configmaps``/``secrets``/``replicationcontrollers``/
``resourcequotas`` object counts and ``count/<resource>.<group>`` for any other resource.

Quantities keep the format Go's ``resource.Quantity`` keeps through ``Add`` (a zero takes the
other operand's), so sums print as the real server prints them (``0`` + ``252Mi`` = ``252Mi``).

Where upstream is non-deterministic (Go map iteration, lister order) quotas are taken in name
order and resources in name order. Leaves out: the plugin's ``LimitedResources`` configuration
(kube-apiserver is started without one), the ResourceClaim evaluator and the
VolumeAttributesClass scope, and the quota lister's staleness (the quotas are read from an index
the store keeps current, where upstream reads an informer and retries on conflicts).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from reference_impl.apiserver import errors as E
from reference_impl.apiserver._json import clone
from reference_impl.apiserver.quantity import QuantityError, canonical, parse_quantity
from reference_impl.apiserver.registry import Registry, ResourceInfo
from reference_impl.apiserver.validation import is_qualified_name
from reference_impl.sim.clock import parse_rfc3339
from reference_impl.store import Event

if TYPE_CHECKING:
    from reference_impl.apiserver.server import APIServer

__all__ = [
    "DECIMAL_SI",
    "Evaluator",
    "NamespacedIndex",
    "ObjectCountEvaluator",
    "PodEvaluator",
    "Quantity",
    "QuotaAdmission",
    "ResourceList",
    "ServiceEvaluator",
    "calculate_usage",
    "parse",
    "evaluator_for",
    "evaluators_for_names",
    "parse_list",
    "quota_scope_selectors",
    "rl_add",
    "rl_equals",
    "rl_mask",
    "rl_max_into",
    "rl_to_json",
]

Obj = dict[str, Any]

# --------------------------------------------------------------------------- quantities

DECIMAL_SI = "DecimalSI"
BINARY_SI = "BinarySI"
DECIMAL_EXPONENT = "DecimalExponent"
_BINARY_SUFFIXES = ("", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei")


class Quantity:
    """A ``resource.Quantity``: an exact value and the format its ``String()`` keeps to."""

    __slots__ = ("fmt", "value")

    def __init__(self, value: Fraction, fmt: str = DECIMAL_SI) -> None:
        self.value = value
        self.fmt = fmt

    def add(self, other: Quantity) -> Quantity:
        """``Quantity.Add``: a zero takes the other operand's format (``q.i.value == 0``)."""
        return Quantity(self.value + other.value, other.fmt if self.value == 0 else self.fmt)

    def sub(self, other: Quantity) -> Quantity:
        return Quantity(self.value - other.value, other.fmt if self.value == 0 else self.fmt)

    def __str__(self) -> str:
        return format_quantity(self.value, self.fmt)

    def __repr__(self) -> str:
        return f"Quantity({self})"


ResourceList = dict[str, Quantity]
ZERO = Fraction(0)


def _format_of(raw: str) -> str:
    suffix = raw.strip().lstrip("+-").lstrip("0123456789.")
    if suffix in _BINARY_SUFFIXES[1:]:
        return BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        return DECIMAL_EXPONENT
    return DECIMAL_SI


def parse(raw: Any) -> Quantity:
    """A quantity as the JSON decoder reads it; raises :class:`QuantityError`."""
    if isinstance(raw, str):
        return Quantity(parse_quantity(raw), _format_of(raw))
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return Quantity(parse_quantity(raw), DECIMAL_SI)
    raise QuantityError(f"quantities must be strings, not {type(raw).__name__}")


def format_quantity(value: Fraction, fmt: str) -> str:
    """``Quantity.String()`` of ``value`` in ``fmt`` (through :func:`canonical`, which knows the
    canonical forms: the text built here parses back to ``value`` in ``fmt``)."""
    nanos = math.ceil(value * 10**9)
    if fmt == BINARY_SI and value.denominator == 1 and abs(value) >= 1024:
        n, power = int(value), 0
        while power < len(_BINARY_SUFFIXES) - 1 and n % 1024 == 0:
            n //= 1024
            power += 1
        # no binary suffix divides it: Go prints the plain integer, where DecimalSI would not
        return str(n) if power == 0 else canonical(f"{n}{_BINARY_SUFFIXES[power]}")
    if fmt == DECIMAL_EXPONENT:
        return canonical(f"{nanos}e-9")
    return canonical(f"{nanos}n")


def parse_list(values: Any) -> ResourceList:
    """A ``ResourceList`` from its JSON; entries that do not parse are left out (they were refused
    when written, or came from a writer the reference does not check)."""
    out: ResourceList = {}
    if isinstance(values, dict):
        for name, raw in values.items():
            try:
                out[str(name)] = parse(raw)
            except QuantityError:
                continue
    return out


def rl_to_json(rl: ResourceList) -> dict[str, str]:
    return {name: str(q) for name, q in sorted(rl.items())}


def rl_add(a: ResourceList, b: ResourceList) -> ResourceList:
    """``quota.Add``."""
    out = dict(a)
    for name, q in b.items():
        have = out.get(name)
        out[name] = q if have is None else have.add(q)
    return out


def rl_sub_nonneg(a: ResourceList, b: ResourceList) -> ResourceList:
    """``quota.SubtractWithNonNegativeResult`` (a clamped result is ``MustParse("0")``)."""
    out: ResourceList = {}
    for name, q in a.items():
        other = b.get(name)
        diff = q if other is None else q.sub(other)
        out[name] = diff if diff.value > 0 else Quantity(ZERO)
    for name in b:
        out.setdefault(name, Quantity(ZERO))
    return out


def rl_mask(rl: ResourceList, names: Iterable[str]) -> ResourceList:
    keep = set(names)
    return {name: q for name, q in rl.items() if name in keep}


def rl_equals(a: ResourceList, b: ResourceList) -> bool:
    """``quota.Equals``: the same names and values (formats aside)."""
    return a.keys() == b.keys() and all(a[n].value == b[n].value for n in a)


def rl_remove_zeros(rl: ResourceList) -> ResourceList:
    return {name: q for name, q in rl.items() if q.value != 0}


def rl_exceeded(a: ResourceList, b: ResourceList) -> list[str]:
    """``quota.LessThanOrEqual``'s failures: the names of ``b`` that ``a`` has more of."""
    return sorted(name for name, limit in b.items() if name in a and a[name].value > limit.value)


def rl_max_into(into: ResourceList, other: ResourceList) -> None:
    """``maxResourceList``: each resource's larger value (a copy of it, format and all)."""
    for name, q in other.items():
        have = into.get(name)
        if have is None or q.value > have.value:
            into[name] = q


def pretty_print(rl: ResourceList) -> str:
    return ",".join(f"{name}={rl[name]}" for name in sorted(rl))


def _intersection(a: Iterable[str], b: Iterable[str]) -> list[str]:
    """``quota.Intersection``: sorted, without repeats."""
    other = set(b)
    return sorted({x for x in a if x in other})


# --------------------------------------------------------------------------- resource names

REQUESTS_PREFIX = "requests."
HUGEPAGES_PREFIX = "hugepages-"
REQUESTS_HUGEPAGES_PREFIX = "requests.hugepages-"
DEVICE_CLASS_PREFIX = "deviceclass.resource.kubernetes.io/"
STORAGE_CLASS_SUFFIX = ".storageclass.storage.k8s.io/"


def _is_native(name: str) -> bool:
    """``IsNativeResource``: unprefixed, or in a ``kubernetes.io/`` namespace."""
    return "/" not in name or "kubernetes.io/" in name


def is_extended_resource(name: str) -> bool:
    """``v1helper.IsExtendedResourceName``: outside ``kubernetes.io``, not ``requests.``-prefixed,
    and still a qualified name once ``requests.`` is put before it."""
    if _is_native(name) or name.startswith(REQUESTS_PREFIX):
        return False
    return not is_qualified_name(REQUESTS_PREFIX + name)


def _is_extended_for_quota(name: str) -> bool:
    """``isExtendedResourceNameForQuota``: ``requests.<extended>`` (or ``requests.`` of a device class)."""
    if not name.startswith(REQUESTS_PREFIX):
        return False
    return not _is_native(name) or name.startswith(REQUESTS_PREFIX + DEVICE_CLASS_PREFIX)


def object_count_name(plural: str, group: str) -> str:
    """``ObjectCountQuotaResourceNameFor``: ``count/pods``, ``count/replicasets.apps``."""
    return f"count/{plural}.{group}" if group else f"count/{plural}"


# --------------------------------------------------------------------------- scopes

SCOPE_TERMINATING = "Terminating"
SCOPE_NOT_TERMINATING = "NotTerminating"
SCOPE_BEST_EFFORT = "BestEffort"
SCOPE_NOT_BEST_EFFORT = "NotBestEffort"
SCOPE_PRIORITY_CLASS = "PriorityClass"
SCOPE_CROSS_NAMESPACE_POD_AFFINITY = "CrossNamespacePodAffinity"
OP_EXISTS = "Exists"

Selector = dict[str, Any]  # a ScopedResourceSelectorRequirement: scopeName, operator, values


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def quota_scope_selectors(quota: Obj) -> list[Selector]:
    """``getScopeSelectorsFromQuota``: each scope as an ``Exists`` requirement, then the selector's."""
    spec = _dict(quota.get("spec"))
    out: list[Selector] = [{"scopeName": s, "operator": OP_EXISTS} for s in _list(spec.get("scopes"))]
    out.extend(e for e in _list(_dict(spec.get("scopeSelector")).get("matchExpressions")) if isinstance(e, dict))
    return out


def _selector_matches(selector: Selector, labels: dict[str, str]) -> bool:
    """``ScopedResourceSelectorRequirementsAsSelector(selector).Matches(labels)``."""
    key = str(selector.get("scopeName", ""))
    op = selector.get("operator")
    values = [str(v) for v in _list(selector.get("values"))]
    if op == "In":
        return key in labels and labels[key] in values
    if op == "NotIn":
        return key not in labels or labels[key] not in values
    if op == OP_EXISTS:
        return key in labels
    if op == "DoesNotExist":
        return key not in labels
    return False


# --------------------------------------------------------------------------- pods


def _requests(c: Obj) -> ResourceList:
    return parse_list(_dict(c.get("resources")).get("requests"))


def _limits(c: Obj) -> ResourceList:
    return parse_list(_dict(c.get("resources")).get("limits"))


def is_terminating(pod: Obj) -> bool:
    """``IsTerminating``: an ``activeDeadlineSeconds`` ≥ 0 makes a pod terminating."""
    ads = _dict(pod.get("spec")).get("activeDeadlineSeconds")
    return isinstance(ads, int) and not isinstance(ads, bool) and ads >= 0


def quota_v1_pod(pod: Obj, now_s: float) -> bool:
    """``QuotaV1Pod``: a pod in a terminal phase, or deleted and past its grace period, no longer
    counts for compute resources."""
    if _dict(pod.get("status")).get("phase") in ("Failed", "Succeeded"):
        return False
    meta = _dict(pod.get("metadata"))
    deleted, grace = meta.get("deletionTimestamp"), meta.get("deletionGracePeriodSeconds")
    if isinstance(deleted, str) and isinstance(grace, int):
        try:
            if now_s > parse_rfc3339(deleted) + grace:
                return False
        except ValueError:
            pass
    return True


def _positive_cpu_memory(rl: ResourceList) -> set[str]:
    return {n for n in ("cpu", "memory") if n in rl and rl[n].value > 0}


def is_best_effort(pod: Obj) -> bool:
    """``qos.GetPodQOS(pod) == BestEffort``: the QoS class the server recorded, else computed
    (no positive cpu or memory request or limit, pod-level resources included)."""
    qos = _dict(pod.get("status")).get("qosClass")
    if qos:
        return qos == "BestEffort"
    spec = _dict(pod.get("spec"))
    level = _dict(spec.get("resources"))
    if level:
        return not (_positive_cpu_memory(parse_list(level.get("requests")))
                    or _positive_cpu_memory(parse_list(level.get("limits"))))
    for c in _list(spec.get("containers")) + _list(spec.get("initContainers")):
        if isinstance(c, dict) and (_positive_cpu_memory(_requests(c)) or _positive_cpu_memory(_limits(c))):
            return False
    return True


def _cross_namespace_terms(terms: Any, weighted: bool) -> bool:
    for term in _list(terms):
        t = _dict(_dict(term).get("podAffinityTerm")) if weighted else _dict(term)
        if t.get("namespaces") or t.get("namespaceSelector") is not None:
            return True
    return False


def uses_cross_namespace_pod_affinity(pod: Obj) -> bool:
    """``usesCrossNamespacePodAffinity``: a (anti-)affinity term naming namespaces or a namespace selector."""
    affinity = _dict(_dict(pod.get("spec")).get("affinity"))
    for kind in ("podAffinity", "podAntiAffinity"):
        a = _dict(affinity.get(kind))
        if _cross_namespace_terms(a.get("requiredDuringSchedulingIgnoredDuringExecution"), False):
            return True
        if _cross_namespace_terms(a.get("preferredDuringSchedulingIgnoredDuringExecution"), True):
            return True
    return False


def pod_matches_scope(selector: Selector, pod: Obj) -> bool:
    """``podMatchesScopeFunc``."""
    scope = selector.get("scopeName")
    if scope == SCOPE_TERMINATING:
        return is_terminating(pod)
    if scope == SCOPE_NOT_TERMINATING:
        return not is_terminating(pod)
    if scope == SCOPE_BEST_EFFORT:
        return is_best_effort(pod)
    if scope == SCOPE_NOT_BEST_EFFORT:
        return not is_best_effort(pod)
    if scope == SCOPE_PRIORITY_CLASS:
        name = str(_dict(pod.get("spec")).get("priorityClassName") or "")
        if selector.get("operator") == OP_EXISTS:
            return bool(name)
        return _selector_matches(selector, {SCOPE_PRIORITY_CLASS: name} if name else {})
    if scope == SCOPE_CROSS_NAMESPACE_POD_AFFINITY:
        return uses_cross_namespace_pod_affinity(pod)
    return False


def _resize_infeasible(pod: Obj) -> bool:
    for cond in _list(_dict(pod.get("status")).get("conditions")):
        if isinstance(cond, dict) and cond.get("type") == "PodResizePending":
            return bool(cond.get("reason") == "Infeasible")
    return False


def _container_statuses(pod: Obj) -> dict[str, Obj]:
    status = _dict(pod.get("status"))
    out: dict[str, Obj] = {}
    for key in ("containerStatuses", "initContainerStatuses"):
        for cs in _list(status.get(key)):
            if isinstance(cs, dict):
                out[str(cs.get("name"))] = cs
    return out


def _effective(pod: Obj, c: Obj, statuses: dict[str, Obj], limits: bool) -> ResourceList:
    """``determineEffectiveRequests``/``Limits`` (InPlacePodVerticalScaling, GA): what the kubelet
    reports actuated or allocated counts when more than the spec, unless a resize is infeasible."""
    spec = _limits(c) if limits else _requests(c)
    cs = statuses.get(str(c.get("name")))
    if cs is None or not isinstance(cs.get("resources"), dict):
        return spec
    actuated = parse_list(_dict(cs.get("resources")).get("limits" if limits else "requests"))
    lists = [actuated] if limits else [actuated, parse_list(cs.get("allocatedResources"))]
    if not _resize_infeasible(pod):
        lists.insert(0, spec)
    out: ResourceList = {}
    for rl in lists:
        rl_max_into(out, rl)
    return out


def _restartable(c: Obj) -> bool:
    return c.get("restartPolicy") == "Always"


def _aggregate(pod: Obj, limits: bool) -> ResourceList:
    """``AggregateContainerRequests``/``AggregateContainerLimits``: the sum over containers (and
    sidecars), or the largest init container (with the sidecars started before it), if larger."""
    spec = _dict(pod.get("spec"))
    statuses = _container_statuses(pod)
    total: ResourceList = {}
    for c in _list(spec.get("containers")):
        if isinstance(c, dict):
            total = rl_add(total, _effective(pod, c, statuses, limits))
    sidecars: ResourceList = {}
    init_max: ResourceList = {}
    for c in _list(spec.get("initContainers")):
        if not isinstance(c, dict):
            continue
        if _restartable(c):
            own = _effective(pod, c, statuses, limits)
            total = rl_add(total, own)
            sidecars = rl_add(sidecars, own)
            step = sidecars
        else:
            step = rl_add(rl_add({}, _limits(c) if limits else _requests(c)), sidecars)
        rl_max_into(init_max, step)
    rl_max_into(total, init_max)
    return total


_POD_LEVEL = ("cpu", "memory")


def _pod_level(pod: Obj, section: str) -> ResourceList:
    level = parse_list(_dict(_dict(_dict(pod.get("spec")).get("resources")).get(section)))
    return {n: q for n, q in level.items() if n in _POD_LEVEL or n.startswith(HUGEPAGES_PREFIX)}


def pod_requests(pod: Obj) -> ResourceList:
    """``resourcehelper.PodRequests`` (status resources used, pod-level resources on, overhead added)."""
    reqs = _aggregate(pod, limits=False)
    reqs.update(_pod_level(pod, "requests"))
    overhead = parse_list(_dict(pod.get("spec")).get("overhead"))
    return rl_add(reqs, overhead) if overhead else reqs


def pod_limits(pod: Obj) -> ResourceList:
    """``resourcehelper.PodLimits``: overhead is added only to limits that are set and not zero."""
    lims = _aggregate(pod, limits=True)
    spec = _dict(pod.get("spec"))
    if _pod_level_set(pod):
        lims.update(_pod_level(pod, "limits"))
    for name, q in parse_list(spec.get("overhead")).items():
        if name in lims and lims[name].value != 0:
            lims[name] = lims[name].add(q)
    return lims


def _pod_compute_usage(requests: ResourceList, limits: ResourceList) -> ResourceList:
    """``podComputeUsageHelper``."""
    out: ResourceList = {"pods": Quantity(Fraction(1))}
    for name in ("cpu", "memory", "ephemeral-storage"):
        if name in requests:
            out[name] = requests[name]
            out[REQUESTS_PREFIX + name] = requests[name]
        if name in limits:
            out["limits." + name] = limits[name]
    for name, q in requests.items():
        if name.startswith(HUGEPAGES_PREFIX):
            out[name] = q
            out[REQUESTS_PREFIX + name] = q
        if is_extended_resource(name) or name.startswith(DEVICE_CLASS_PREFIX):
            out[REQUESTS_PREFIX + name] = q
    return out


def _pod_level_set(pod: Obj) -> bool:
    """``IsPodLevelResourcesSet``."""
    level = _dict(_dict(pod.get("spec")).get("resources"))
    names = set(_dict(level.get("requests"))) | set(_dict(level.get("limits")))
    return any(n in _POD_LEVEL or n.startswith(HUGEPAGES_PREFIX) for n in names)


# --------------------------------------------------------------------------- evaluators


class Evaluator:
    """``quota.Evaluator`` for one resource (``qualified`` as the real server names it).

    The default is the generic object count evaluator: usage is one of each name in
    ``count_names``, creates only, no scopes.
    """

    def __init__(self, plural: str, group: str, alias: str = "") -> None:
        self.plural = plural
        self.group = group
        self.qualified = f"{plural}.{group}" if group else plural
        self.count_names: tuple[str, ...] = (object_count_name(plural, group), *((alias,) if alias else ()))

    def handles(self, operation: str, subresource: str, obj: Obj, old: Obj | None) -> bool:
        return not subresource and operation == "CREATE"

    def matching_resources(self, names: Iterable[str]) -> list[str]:
        return _intersection(names, self.count_names)

    def matches_scope(self, selector: Selector, obj: Obj) -> bool:
        """``MatchesNoScopeFunc``: a quota with scopes counts nothing of this resource."""
        return False

    def matches(self, quota: Obj, obj: Obj) -> bool:
        """``generic.Matches``: the quota names a resource of ours and every scope matches."""
        if not self.matching_resources(_dict(_dict(quota.get("status")).get("hard"))):
            return False
        return all(self.matches_scope(s, obj) for s in quota_scope_selectors(quota))

    def constraints(self, required: list[str], obj: Obj) -> str:
        """What the object lacks to be checked against ``required`` ("" when nothing)."""
        return ""

    def usage(self, obj: Obj, now_s: float) -> ResourceList:
        return {name: Quantity(Fraction(1)) for name in self.count_names}

    def needs_replenish(self, old: Obj, new: Obj, now_s: float) -> bool:
        """``install.DefaultUpdateFilter``: whether an update changes this object's usage."""
        return False


ObjectCountEvaluator = Evaluator

_POD_RESOURCES = (
    "count/pods", "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
    "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods",
)
_POD_RESOURCE_PREFIXES = (HUGEPAGES_PREFIX, REQUESTS_HUGEPAGES_PREFIX)
_VALIDATION_SET = ("cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory")


class PodEvaluator(Evaluator):
    """``podEvaluator`` (``pkg/quota/v1/evaluator/core/pods.go``)."""

    def __init__(self) -> None:
        super().__init__("pods", "")

    def handles(self, operation: str, subresource: str, obj: Obj, old: Obj | None) -> bool:
        if subresource == "resize":
            return operation == "UPDATE"
        if subresource:
            return False
        if operation == "UPDATE" and old is not None and is_terminating(old) != is_terminating(obj):
            return True
        return operation == "CREATE"

    def matching_resources(self, names: Iterable[str]) -> list[str]:
        # Intersection's sorted result, then the prefixed and extended names in input order, as
        # upstream appends them (a name in both is listed twice there, and counted once here)
        names = list(names)
        out = _intersection(names, _POD_RESOURCES)
        out.extend(n for n in names if n.startswith(_POD_RESOURCE_PREFIXES) or _is_extended_for_quota(n))
        return out

    def matches_scope(self, selector: Selector, obj: Obj) -> bool:
        return pod_matches_scope(selector, obj)

    def constraints(self, required: list[str], obj: Obj) -> str:
        """``Constraints``: each container must name what the quota constrains, unless the pod
        sets pod-level resources."""
        if _pod_level_set(obj):
            return ""
        wanted = set(required) & set(_VALIDATION_SET)
        missing: dict[str, list[str]] = {}
        spec = _dict(obj.get("spec"))
        for c in _list(spec.get("containers")) + _list(spec.get("initContainers")):
            if not isinstance(c, dict):
                continue
            have = _pod_compute_usage(_requests(c), _limits(c))
            for name in sorted(wanted - have.keys()):
                names = missing.setdefault(name, [])
                cname = str(c.get("name", ""))
                if cname not in names:
                    names.append(cname)
        if not missing:
            return ""
        parts = [f"{name} for: {','.join(sorted(missing[name]))}" for name in sorted(missing)]
        return "must specify " + "; ".join(parts)

    def usage(self, obj: Obj, now_s: float) -> ResourceList:
        """``PodUsageFunc``: ``count/pods`` always; the rest only while the pod counts (``QuotaV1Pod``)."""
        out: ResourceList = {"count/pods": Quantity(Fraction(1))}
        if not quota_v1_pod(obj, now_s):
            return out
        return rl_add(out, _pod_compute_usage(pod_requests(obj), pod_limits(obj)))

    def needs_replenish(self, old: Obj, new: Obj, now_s: float) -> bool:
        old_cs, new_cs = _container_statuses(old), _container_statuses(new)
        if any(name in new_cs and cs.get("resources") != new_cs[name].get("resources") for name, cs in old_cs.items()):
            return True
        if is_terminating(old) != is_terminating(new):
            return True
        return quota_v1_pod(old, now_s) and not quota_v1_pod(new, now_s)


_SERVICE_RESOURCES = ("count/services", "services", "services.nodeports", "services.loadbalancers")


def _quota_service_type(svc: Obj) -> str:
    t = _dict(svc.get("spec")).get("type")
    return str(t) if t in ("NodePort", "LoadBalancer") else ""


class ServiceEvaluator(Evaluator):
    """``serviceEvaluator`` (``services.go``): node ports by port, load balancers by service."""

    def __init__(self) -> None:
        super().__init__("services", "")

    def handles(self, operation: str, subresource: str, obj: Obj, old: Obj | None) -> bool:
        return not subresource and operation in ("CREATE", "UPDATE")

    def matching_resources(self, names: Iterable[str]) -> list[str]:
        return _intersection(names, _SERVICE_RESOURCES)

    def usage(self, obj: Obj, now_s: float) -> ResourceList:
        spec = _dict(obj.get("spec"))
        ports = [p for p in _list(spec.get("ports")) if isinstance(p, dict)]
        one = Quantity(Fraction(1))
        out: ResourceList = {
            "count/services": one, "services": one,
            "services.loadbalancers": Quantity(ZERO), "services.nodeports": Quantity(ZERO),
        }
        stype = spec.get("type")
        if stype == "NodePort":
            out["services.nodeports"] = Quantity(Fraction(len(ports)))
        elif stype == "LoadBalancer":
            if spec.get("allocateLoadBalancerNodePorts") is False:
                out["services.nodeports"] = Quantity(Fraction(sum(1 for p in ports if p.get("nodePort"))))
            else:
                out["services.nodeports"] = Quantity(Fraction(len(ports)))
            out["services.loadbalancers"] = one
        return out

    def needs_replenish(self, old: Obj, new: Obj, now_s: float) -> bool:
        return _quota_service_type(old) != _quota_service_type(new)


_PVC_RESOURCES = ("persistentvolumeclaims", "requests.storage")


def _pvc_class(pvc: Obj) -> str:
    """``GetPersistentVolumeClaimClass``: the beta annotation, else ``spec.storageClassName``."""
    annotation = _dict(_dict(pvc.get("metadata")).get("annotations")).get("volume.beta.kubernetes.io/storage-class")
    if annotation is not None:
        return str(annotation)
    return str(_dict(pvc.get("spec")).get("storageClassName") or "")


class PersistentVolumeClaimEvaluator(Evaluator):
    """``pvcEvaluator`` (``persistent_volume_claims.go``), without the VolumeAttributesClass scope."""

    def __init__(self) -> None:
        super().__init__("persistentvolumeclaims", "")

    def handles(self, operation: str, subresource: str, obj: Obj, old: Obj | None) -> bool:
        if not subresource:
            return operation in ("CREATE", "UPDATE")
        return subresource == "status" and old is not None and self.needs_replenish(old, obj, 0.0)

    def matching_resources(self, names: Iterable[str]) -> list[str]:
        by_class = tuple(STORAGE_CLASS_SUFFIX + r for r in _PVC_RESOURCES)
        return [n for n in names if n == "count/persistentvolumeclaims" or n in _PVC_RESOURCES or n.endswith(by_class)]

    def usage(self, obj: Obj, now_s: float) -> ResourceList:
        one = Quantity(Fraction(1))
        out: ResourceList = {"persistentvolumeclaims": one, "count/persistentvolumeclaims": one}
        cls = _pvc_class(obj)
        if cls:
            out[cls + STORAGE_CLASS_SUFFIX + "persistentvolumeclaims"] = one
        requested = parse_list(_dict(_dict(obj.get("spec")).get("resources")).get("requests")).get("storage")
        if requested is not None:
            # RoundUp(0), then the larger of it and what the resize controller allocated
            storage = Quantity(Fraction(math.ceil(requested.value)), requested.fmt)
            allocated = parse_list(_dict(obj.get("status")).get("allocatedResources")).get("storage")
            if allocated is not None and allocated.value > storage.value:
                storage = Quantity(Fraction(math.ceil(allocated.value)), allocated.fmt)
            out["requests.storage"] = storage
            if cls:
                out[cls + STORAGE_CLASS_SUFFIX + "requests.storage"] = storage
        return out

    def needs_replenish(self, old: Obj, new: Obj, now_s: float) -> bool:
        def allocated(pvc: Obj) -> Any:
            return _dict(_dict(pvc.get("status")).get("allocatedResources")).get("storage")

        return bool(allocated(old) != allocated(new))


#: ``legacyObjectCountAliases``: the object counts with a name of their own.
LEGACY_ALIASES: dict[str, str] = {
    "configmaps": "configmaps",
    "resourcequotas": "resourcequotas",
    "replicationcontrollers": "replicationcontrollers",
    "secrets": "secrets",
}
#: ``install.ignoredResources``: kinds quota admission and the controller never count.
IGNORED_RESOURCES = frozenset({
    "bindings", "componentstatuses", "events", "events.events.k8s.io",
    "tokenreviews.authentication.k8s.io", "selfsubjectreviews.authentication.k8s.io",
    "subjectaccessreviews.authorization.k8s.io", "selfsubjectaccessreviews.authorization.k8s.io",
    "localsubjectaccessreviews.authorization.k8s.io", "selfsubjectrulesreviews.authorization.k8s.io",
})



def _legacy(plural: str) -> Callable[[], Evaluator]:
    return lambda: Evaluator(plural, "", LEGACY_ALIASES[plural])


_BUILTIN: dict[str, Callable[[], Evaluator]] = {
    "pods": PodEvaluator,
    "services": ServiceEvaluator,
    "persistentvolumeclaims": PersistentVolumeClaimEvaluator,
    **{plural: _legacy(plural) for plural in LEGACY_ALIASES},
}
_EVALUATORS: dict[str, Evaluator] = {}


def evaluator_for(plural: str, group: str) -> Evaluator | None:
    """The registry's evaluator for a resource (upstream adds an object count evaluator for any
    resource it has none for); None for the ignored ones."""
    qualified = f"{plural}.{group}" if group else plural
    if qualified in IGNORED_RESOURCES:
        return None
    ev = _EVALUATORS.get(qualified)
    if ev is None:
        make = _BUILTIN.get(qualified)
        ev = _EVALUATORS[qualified] = make() if make is not None else Evaluator(plural, group)
    return ev


def _quotable(info: ResourceInfo) -> bool:
    """``GetQuotableResources``: namespaced, and create, list, watch and delete all served."""
    return info.namespaced and all(v in info.verbs for v in ("create", "list", "watch", "delete"))


def evaluators_for_names(registry: Registry, names: Iterable[str]) -> list[tuple[ResourceInfo, Evaluator]]:
    """The served resources whose evaluators count any of ``names``, in name order: the built-in
    evaluators, and an object count evaluator for each ``count/<resource>.<group>`` (upstream's
    controller makes one for every resource discovery lists)."""
    names = list(names)
    found: dict[str, tuple[ResourceInfo, Evaluator]] = {}
    wanted = set(_BUILTIN)
    for name in names:
        if name.startswith("count/"):
            wanted.add(name[len("count/"):])
    for qualified in sorted(wanted):
        plural, _, group = qualified.partition(".")
        info = registry.lookup(qualified)
        if info is None or info.group != group or not _quotable(info):
            continue
        ev = evaluator_for(plural, group)
        if ev is not None and ev.matching_resources(names):
            found[qualified] = (info, ev)
    return [found[q] for q in sorted(found)]


def calculate_usage(
    *,
    registry: Registry,
    quota: Obj,
    hard: ResourceList,
    objects: Callable[[ResourceInfo], Iterable[Obj]],
    now_s: float,
) -> ResourceList:
    """``quota.CalculateUsage``: the usage of what ``hard`` names, over the namespace's objects
    (``objects(info)``: the quota's namespace's objects of a resource), by each evaluator's
    ``UsageStats`` (an object counts when every scope of the quota matches it)."""
    names = sorted(hard)
    evaluators = evaluators_for_names(registry, names)
    potential = [n for _, ev in evaluators for n in ev.matching_resources(names)]
    matched = _intersection(names, potential)
    selectors = quota_scope_selectors(quota)
    usage: ResourceList = {}
    for info, ev in evaluators:
        resources = ev.matching_resources(matched)
        if not resources:
            continue
        used: ResourceList = {name: Quantity(ZERO) for name in resources}
        for obj in objects(info):
            if all(ev.matches_scope(s, obj) for s in selectors):
                used = rl_add(used, ev.usage(obj, now_s))
        usage = rl_add(usage, used)
    return rl_mask(usage, matched)


# --------------------------------------------------------------------------- the quota index


class NamespacedIndex:
    """One resource's objects by namespace, as an admission plugin's lister holds them.

    Kept current by a watch on the store (synchronous, so an object written a moment ago is seen
    by the next request, where upstream's informer may lag a little); only what the plugins read
    is decoded, and namespaces without any object cost nothing.
    """

    def __init__(self, api: APIServer, info: ResourceInfo) -> None:
        self._decode = api.decode
        self._prefix = info.key_prefix()
        self._by_ns: dict[str, dict[str, Obj]] = {}
        listed = api.store.range(self._prefix)
        for kv in listed.kvs:
            self._put(kv.key, self._decode(kv.value, kv.mod_revision))
        api.store.watch(self._prefix, listed.revision + 1, self._on_events)

    def _split(self, key: str) -> tuple[str, str]:
        ns, _, name = key[len(self._prefix):].partition("/")
        return ns, name

    def _put(self, key: str, obj: Obj) -> None:
        ns, name = self._split(key)
        self._by_ns.setdefault(ns, {})[name] = obj

    def _on_events(self, events: Iterable[Event]) -> None:
        for ev in events:
            if ev.type == "PUT":
                self._put(ev.kv.key, self._decode(ev.kv.value, ev.kv.mod_revision))
                continue
            ns, name = self._split(ev.kv.key)
            objs = self._by_ns.get(ns)
            if objs is not None:
                objs.pop(name, None)
                if not objs:
                    del self._by_ns[ns]

    def in_namespace(self, namespace: str) -> list[Obj]:
        """The namespace's objects in name order (read-only: shared with the index)."""
        objs = self._by_ns.get(namespace)
        return [objs[n] for n in sorted(objs)] if objs else []

    def has(self, namespace: str) -> bool:
        return namespace in self._by_ns


# --------------------------------------------------------------------------- the plugin


class QuotaAdmission:
    """The ``ResourceQuota`` validating admission plugin of one API server."""

    def __init__(self, api: APIServer) -> None:
        self._api = api
        info = api.registry.lookup("resourcequotas")
        self._info = info
        self._quotas = NamespacedIndex(api, info) if info is not None else None

    def validate(self, info: ResourceInfo, obj: Obj, old: Obj | None, *, subresource: str = "",
                 dry_run: bool = False) -> None:
        """``QuotaAdmission.Validate`` for a create (``old`` None) or an update of ``obj``."""
        if self._quotas is None or not info.namespaced:
            return
        namespace = str(_dict(obj.get("metadata")).get("namespace") or "")
        # a namespace without quotas (almost every request) costs one lookup
        if not namespace or not self._quotas.has(namespace):
            return
        ev = evaluator_for(info.plural, info.group)
        operation = "CREATE" if old is None else "UPDATE"
        if ev is None or not ev.handles(operation, subresource, obj, old):
            return
        quotas = self._quotas.in_namespace(namespace)
        updated = self._check_request(info, ev, quotas, obj, old, subresource)
        if dry_run:
            return
        assert self._info is not None
        for before, used in zip(quotas, updated):
            if used is None:
                continue
            body = clone(before)
            body.setdefault("status", {})["used"] = rl_to_json(used)
            self._api.update(self._info.plural, body, namespace, subresource="status")

    def _check_request(
        self, info: ResourceInfo, ev: Evaluator, quotas: list[Obj], obj: Obj, old: Obj | None, subresource: str
    ) -> list[ResourceList | None]:
        """``CheckRequest``: the new ``status.used`` of each quota that changes (None: unchanged);
        raises the 403 of the first quota the request fails."""
        name = str(_dict(obj.get("metadata")).get("name") or "")
        now_s = self._api.clock.now()
        interesting: list[int] = []
        for i, quota in enumerate(quotas):
            if not ev.matches(quota, obj):
                continue
            status = _dict(quota.get("status"))
            hard_names = sorted(_dict(status.get("hard")))
            restricted = ev.matching_resources(hard_names)
            why = ev.constraints(restricted, obj)
            qname = _dict(quota.get("metadata")).get("name")
            if why:
                raise E.forbidden(info, name, f"failed quota: {qname}: {why}")
            used = _dict(status.get("used"))
            if any(n not in used for n in hard_names if n in restricted):
                raise E.forbidden(
                    info, name, f"status unknown for quota: {qname}, resources: {','.join(sorted(set(restricted)))}"
                )
            interesting.append(i)
        usage = ev.usage(obj, now_s)
        negative = sorted(n for n, q in usage.items() if q.value < 0)
        if negative:
            raise E.forbidden(info, name, f"quota usage is negative for resource(s): {','.join(negative)}")
        deltas: dict[int, ResourceList] = dict.fromkeys(interesting, usage)
        if old is not None:
            # (upstream skips an old object without a resourceVersion, which a stored one always has)
            since_old = rl_sub_nonneg(usage, ev.usage(old, now_s))
            for i in interesting:
                if ev.matches(quotas[i], old):
                    deltas[i] = since_old
        deltas = {i: d for i, d in ((i, rl_remove_zeros(d)) for i, d in deltas.items()) if d}
        out: list[ResourceList | None] = [None] * len(quotas)
        for i, delta in sorted(deltas.items()):
            status = _dict(quotas[i].get("status"))
            hard, used = parse_list(status.get("hard")), parse_list(status.get("used"))
            requested = rl_mask(delta, hard)
            new_used = rl_add(used, requested)
            if subresource != "status":
                exceeded = rl_exceeded(rl_mask(new_used, requested), hard)
                if exceeded:
                    raise E.forbidden(
                        info, name,
                        f"exceeded quota: {_dict(quotas[i].get('metadata')).get('name')}, "
                        f"requested: {pretty_print(rl_mask(requested, exceeded))}, "
                        f"used: {pretty_print(rl_mask(used, exceeded))}, "
                        f"limited: {pretty_print(rl_mask(hard, exceeded))}",
                    )
            if not rl_equals(new_used, used):
                out[i] = new_used
        return out
