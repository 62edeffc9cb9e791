"""The core (``""`` group) ``v1`` kinds served through strategies: ReplicationController.

Models, for ``replicationcontrollers`` (short name ``rc``, category ``all``, with ``/status`` and
``/scale``; ``pkg/registry/core/replicationcontroller/storage/storage.go``):

- defaulting, ``pkg/apis/core/v1/defaults.go`` ``SetDefaults_ReplicationController`` and the
  generated ``SetObjectDefaults_ReplicationController``: when the template has labels, an empty
  selector and empty object labels are taken from them; ``replicas`` is 1; a template that is
  there gets the pod template defaults (``defaults.default_pod_spec``, as Deployments,
  ReplicaSets and PodTemplates get them), a missing one stays missing;
- validation, ``pkg/apis/core/validation/validation.go`` ``ValidateReplicationController``,
  ``ValidateReplicationControllerUpdate`` (the same spec checks: an RC's selector is mutable)
  and ``ValidateReplicationControllerStatusUpdate``: minReadySeconds ≥ 0, a non-empty selector,
  replicas present and ≥ 0, a template (required whatever the replica count) whose labels the
  selector matches, the pod template spec checks the reference has (the template's labels and
  annotations reported at ``spec.template.labels``/``.annotations``, as upstream's
  ``ValidatePodTemplateSpec`` names them), ``restartPolicy: Always`` and no
  ``activeDeadlineSeconds``; on a status write the counters ≥ 0 and no greater than
  ``status.replicas`` (available no greater than ready);
- the strategy, ``pkg/registry/core/replicationcontroller/strategy.go``: generation 1 on create
  and bumped on every spec change, the status reset to its zero value on create (``replicas:
  0``, which is not omitempty), kept on spec writes and written only through ``/status``;
- the printer, ``pkg/printers/internalversion/printers.go`` ``printReplicationController``:
  NAME DESIRED CURRENT READY AGE, wide CONTAINERS IMAGES SELECTOR (the selector as
  ``labels.FormatLabels`` prints a map).

The ``/scale`` subresource (``autoscaling/v1`` Scale with ``status.selector`` the map selector
as a label-selector string) is the API server's (``server.py`` ``_scale_of``), and the
replication manager that acts on these objects is ``controllers/replication.py``.

Leaves out: the ``WarningsOnCreate``/``WarningsOnUpdate`` warnings (the reference sends none),
the non-convertible-selector annotations check of ``ValidateUpdate`` (written only by the RS→RC
conversion of old clients), ``DropDisabledTemplateFields`` (no gated template field is
modelled) and the v1 strategy's default garbage-collection policy of ``Orphan`` (a deletion's
default propagation is the API server's ``delete``).
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from typing import Any

from reference_impl.apiserver.defaults import default_pod_spec
from reference_impl.apiserver.quantity import QuantityError, canonical, parse_quantity
from reference_impl.apiserver.registry.info import ResourceInfo
from reference_impl.apiserver.registry.strategy import Column, Strategy
from reference_impl.apiserver.tables import _containers_images, format_labels, since
from reference_impl.apiserver.validation import Errors, GoText, _pod_template, go_json, is_qualified_name

__all__ = ["STRATEGIES", "rc_selector"]

Obj = dict[str, Any]

SELECTOR_MISMATCH = "`selector` does not match template `labels`"
ACTIVE_DEADLINE_FORBIDDEN = "activeDeadlineSeconds in ReplicationController is not Supported"
GREATER_THAN_REPLICAS = "cannot be greater than status.replicas"
GREATER_THAN_READY = "cannot be greater than readyReplicas"


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _count(value: Any) -> int:
    """An int32 field, 0 when absent (Go's zero value)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def rc_selector(rc: Obj) -> Obj:
    """The RC's map selector as the ``metav1.LabelSelector`` upstream's RC→RS conversion makes
    of it (``Convert_Map_string_To_string_To_v1_LabelSelector``): the map as ``matchLabels``."""
    return {"matchLabels": dict(_dict(_dict(rc.get("spec")).get("selector")))}


def _go_json_sorted(value: Any) -> GoText:
    return go_json(value, sort_keys=True)  # a map


# --------------------------------------------------------------------------- defaults


def _default_rc(obj: Obj) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        spec = obj["spec"] = {}
    template = spec.get("template")
    if isinstance(template, dict):
        labels = _dict(template.get("metadata")).get("labels")
        # Go checks ``labels != nil``: a template with ``labels: {}`` still sets both (to empty)
        if isinstance(labels, dict):
            if not spec.get("selector"):
                spec["selector"] = dict(labels)
            meta = obj.setdefault("metadata", {})
            if not meta.get("labels"):
                meta["labels"] = dict(labels)
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    if isinstance(template, dict):
        # SetObjectDefaults_ReplicationController defaults the pod spec of a template that is
        # there; a nil template is left nil (and then fails validation)
        if not isinstance(template.get("spec"), dict):
            template["spec"] = {}
        default_pod_spec(template["spec"])


# --------------------------------------------------------------------------- validation


def _selector_matches(selector: Obj, labels: Any) -> bool:
    """``labels.Set(selector).AsSelector().Matches(labels.Set(template.Labels))``."""
    present = _dict(labels)
    return all(present.get(k) == v for k, v in selector.items())


def _validate_rc(errs: Errors, obj: Obj) -> None:
    """``ValidateReplicationControllerSpec`` (the metadata is the server's generic check)."""
    spec = _dict(obj.get("spec"))
    errs.nonnegative("spec.minReadySeconds", spec.get("minReadySeconds"))
    selector = _dict(spec.get("selector"))
    if not selector:
        errs.required("spec.selector")
    replicas = spec.get("replicas")
    if replicas is None:
        errs.required("spec.replicas")
    else:
        errs.nonnegative("spec.replicas", replicas)
    template = spec.get("template")
    if not isinstance(template, dict):
        errs.required("spec.template")
        return
    # ValidatePodTemplateSpecForRC: an empty selector was reported above and matches no check here
    labels = _dict(template.get("metadata")).get("labels")
    if selector and not _selector_matches(selector, labels):
        errs.invalid("spec.template.metadata.labels", _go_json_sorted(labels), SELECTOR_MISMATCH)
    _pod_template(errs, template, "spec.template")
    pod_spec = _dict(template.get("spec"))
    restart = pod_spec.get("restartPolicy", "Always")
    if restart != "Always":
        errs.not_supported("spec.template.spec.restartPolicy", restart, ("Always",))
    if pod_spec.get("activeDeadlineSeconds") is not None:
        errs.forbidden("spec.template.spec.activeDeadlineSeconds", ACTIVE_DEADLINE_FORBIDDEN)


def _validate_rc_status(errs: Errors, obj: Obj) -> None:
    """``ValidateReplicationControllerStatus``."""
    status = _dict(obj.get("status"))

    def count(name: str) -> int:
        return _count(status.get(name))

    for name in ("replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration"):
        errs.nonnegative(f"status.{name}", count(name))
    replicas = count("replicas")
    for name in ("fullyLabeledReplicas", "readyReplicas", "availableReplicas"):
        if count(name) > replicas:
            errs.invalid(f"status.{name}", count(name), GREATER_THAN_REPLICAS)
    if count("availableReplicas") > count("readyReplicas"):
        errs.invalid("status.availableReplicas", count("availableReplicas"), GREATER_THAN_READY)


def _validate_rc_update(errs: Errors, obj: Obj, old: Obj) -> None:
    """The main strategy's ``ValidateUpdate`` when the spec changed, the status strategy's when
    the status did (a write of the main resource keeps the stored status, a ``/status`` write the
    stored spec, so one of the two tells which was written). A write that changes neither (labels,
    annotations) skips the spec checks the stored object already passed."""
    if obj.get("spec") != old.get("spec"):
        _validate_rc(errs, obj)
    elif obj.get("status") != old.get("status"):
        _validate_rc_status(errs, obj)


def _prepare_rc(obj: Obj) -> None:
    """``PrepareForCreate``: the zero ``ReplicationControllerStatus`` (``replicas`` is always written)."""
    obj["status"] = {"replicas": 0}


# --------------------------------------------------------------------------- printer

_RC_COLUMNS: tuple[Column, ...] = (
    ("Name", "string", 0, "name"),
    ("Desired", "integer", 0, ""),
    ("Current", "integer", 0, ""),
    ("Ready", "integer", 0, ""),
    ("Age", "string", 0, ""),
    ("Containers", "string", 1, ""),
    ("Images", "string", 1, ""),
    ("Selector", "string", 1, ""),
)


def _rc_cells(obj: Obj, now: float) -> list[Any]:
    meta, spec, status = _dict(obj.get("metadata")), _dict(obj.get("spec")), _dict(obj.get("status"))
    names, images = _containers_images(spec)
    return [
        meta.get("name", ""), _count(spec.get("replicas")), _count(status.get("replicas")),
        _count(status.get("readyReplicas")), since(meta.get("creationTimestamp"), now),
        names, images, format_labels(spec.get("selector")),
    ]


# --------------------------------------------------------------------------- the strategies

STRATEGIES: tuple[Strategy, ...] = (
    Strategy(
        ResourceInfo(
            "", "v1", "ReplicationController", "replicationcontrollers", "replicationcontroller", True, ("rc",),
            ("status", "scale"), True, ("all",),
        ),
        default=_default_rc,
        validate=_validate_rc,
        validate_update=_validate_rc_update,
        columns=_RC_COLUMNS,
        cells=_rc_cells,
        prepare_create=_prepare_rc,
        default_propagation="Orphan",  # rcStrategy keeps v1's orphaning default for old clients
    ),
)


# =========================================================================== ResourceQuota, LimitRange
#
# ``resourcequotas`` (short name ``quota``, with ``/status``; ``pkg/registry/core/resourcequota``)
# and ``limitranges`` (short name ``limits``; ``pkg/registry/core/limitrange``):
#
# - decoding: every quantity is stored in its canonical form (``0.5`` → ``500m``, ``1024Mi`` →
#   ``1Gi``), and one that does not parse is the decoder's 400 (``ResourceQuota in version "v1"
#   cannot be handled as a ResourceQuota: quantities must match ...``);
# - defaulting, ``SetDefaults_LimitRangeItem``: a ``type: Container`` item's ``default`` is taken
#   from ``max`` where unset, its ``defaultRequest`` from ``default``, then from ``min``;
# - validation, ``ValidateResourceQuota``/``ValidateResourceQuotaUpdate``/
#   ``ValidateResourceQuotaStatusUpdate`` (resource names, non-negative and integer quantities,
#   scopes and scope selectors, scopes immutable) and ``ValidateLimitRange``, with the values
#   rendered as ``field.Error`` renders them since v1.33 (JSON: ``["BestEffort"]``, an internal
#   struct with its Go field names); causes in name order where Go iterates a map;
# - the quota strategy: the status reset to ``{}`` on create, kept on spec writes, written only
#   through ``/status`` (whose writes keep the spec);
# - the printers: a quota's NAME REQUEST LIMIT AGE (``printResourceQuota``: ``<name>: <used>/<hard>``
#   per resource, ``limits.*`` in LIMIT), a LimitRange's default NAME CREATED AT.
#
# The admission plugins that read these are ``apiserver/admission_quota.py`` and
# ``apiserver/admission_limitranger.py``; the quota controller is ``controllers/resourcequota.py``.
# Leaves out: the quota strategy's ``WarningsOnCreate`` (a request above its limit; the reference
# sends no warnings) and LimitRange's ``PrepareForCreate`` name (a UUID for a LimitRange sent
# without one: the server refuses a nameless create before any strategy runs).

QUOTA_INVALID_RESOURCE = "must be a standard resource for quota"
NOT_STANDARD_RESOURCE = "must be a standard resource type or fully qualified"
NOT_INTEGER = "must be an integer"
IS_NEGATIVE = "must be greater than or equal to 0"
FIELD_IMMUTABLE_TEXT = "field is immutable"
SCOPE_OPERATOR_EXISTS = (
    "must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, "
    "ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"
)
SCOPE_VALUES_REQUIRED = "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"
SCOPE_VALUES_FORBIDDEN = "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"

# pkg/apis/core/helper/helpers.go
_STANDARD_QUOTA_SCOPES = frozenset({
    "Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass", "VolumeAttributesClass",
    "CrossNamespacePodAffinity",
})
_POD_COUNT_RESOURCES = frozenset({"pods"})
_POD_COMPUTE_RESOURCES = frozenset({"cpu", "memory", "limits.cpu", "limits.memory", "requests.cpu", "requests.memory"})
_PVC_QUOTA_RESOURCES = frozenset({"persistentvolumeclaims", "requests.storage"})
_STANDARD_QUOTA_RESOURCES = frozenset({
    "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory", "requests.storage",
    "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods",
    "resourcequotas", "services", "replicationcontrollers", "secrets", "persistentvolumeclaims", "configmaps",
    "services.nodeports", "services.loadbalancers",
})
_STANDARD_RESOURCES = _STANDARD_QUOTA_RESOURCES | {"storage"}
_INTEGER_RESOURCES = frozenset({
    "pods", "resourcequotas", "services", "replicationcontrollers", "secrets", "configmaps",
    "persistentvolumeclaims", "services.nodeports", "services.loadbalancers",
})
_STANDARD_CONTAINER_RESOURCES = frozenset({"cpu", "memory", "ephemeral-storage"})
_STANDARD_LIMIT_TYPES = frozenset({"Pod", "Container", "PersistentVolumeClaim"})


def _is_quota_hugepages(name: str) -> bool:
    return name.startswith(("hugepages-", "requests.hugepages-"))


def _is_native_resource(name: str) -> bool:
    return "/" not in name or "kubernetes.io/" in name


def _is_extended_resource_name(name: str) -> bool:
    """``IsExtendedResourceName``."""
    if _is_native_resource(name) or name.startswith("requests."):
        return False
    return not is_qualified_name("requests." + name)


def _scope_valid_for(scope: Any, resource: str) -> bool:
    """``IsResourceQuotaScopeValidForResource``."""
    if scope in ("Terminating", "NotTerminating", "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity"):
        return resource in _POD_COUNT_RESOURCES or resource in _POD_COMPUTE_RESOURCES
    if scope == "BestEffort":
        return resource in _POD_COUNT_RESOURCES
    if scope == "VolumeAttributesClass":
        return resource in _PVC_QUOTA_RESOURCES
    return True


def _cannot_decode(kind: str, why: str) -> Exception:
    # imported here: ``errors`` imports the registry (for ResourceInfo), so the registry cannot
    # import it at module level; a strategy that refuses to decode is the rare case
    from reference_impl.apiserver.errors import ApiError

    return ApiError(400, "BadRequest", f'{kind} in version "v1" cannot be handled as a {kind}: {why}')


def _canonical_list(kind: str, parent: Obj, key: str) -> None:
    """Store a ``ResourceList`` in canonical form, as decoding and re-encoding does."""
    values = parent.get(key)
    if not isinstance(values, dict):
        return
    out: Obj = {}
    for name, raw in sorted(values.items()):  # (Go writes a map's keys sorted)
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            raise _cannot_decode(kind, "quantities must be a string or a number")
        try:
            out[name] = canonical(raw)
        except QuantityError as exc:
            raise _cannot_decode(kind, str(exc)) from None
    parent[key] = out


def _quantity(raw: Any) -> Fraction:
    """A stored (canonical) quantity's value."""
    return parse_quantity(raw)


def _resource_name(errs: Errors, name: str, path: str) -> bool:
    """``validateResourceName``; whether it passed the qualified-name check."""
    msgs = is_qualified_name(name)
    for msg in msgs:
        errs.invalid(path, name, msg)
    if msgs:
        return False
    if "/" not in name and not (name in _STANDARD_RESOURCES or _is_quota_hugepages(name)):
        errs.invalid(path, name, NOT_STANDARD_RESOURCE)
    return True


def _quota_resource_name(errs: Errors, name: str, path: str) -> None:
    """``ValidateResourceQuotaResourceName``."""
    _resource_name(errs, name, path)
    if "/" not in name and not (name in _STANDARD_QUOTA_RESOURCES or _is_quota_hugepages(name)):
        errs.invalid(path, name, QUOTA_INVALID_RESOURCE)


def _quota_quantity(errs: Errors, name: str, raw: Any, path: str) -> None:
    """``ValidateResourceQuantityValue``: non-negative; a whole number for the countable resources."""
    amount = _quantity(raw)
    if amount < 0:
        errs.invalid(path, str(raw), IS_NEGATIVE)
    if (name in _INTEGER_RESOURCES or _is_extended_resource_name(name)) and math.ceil(amount * 1000) % 1000:
        errs.invalid(path, str(raw), NOT_INTEGER)


def _resource_lists(errs: Errors, lists: Obj, path: str) -> None:
    for name in sorted(_dict(lists)):
        _quota_resource_name(errs, name, f"{path}[{name}]")
        _quota_quantity(errs, name, lists[name], f"{path}[{name}]")


def _go_scope_selector(selector: Any) -> GoText:
    """The internal ``core.ScopeSelector`` as ``json.Marshal`` prints it (no json tags: Go names)."""
    if not isinstance(selector, dict):
        return GoText("null")
    exprs = [
        {"ScopeName": _dict(e).get("scopeName", ""), "Operator": _dict(e).get("operator", ""),
         "Values": _dict(e).get("values")}
        for e in _list(selector.get("matchExpressions"))
    ]
    return GoText(json.dumps({"MatchExpressions": exprs or None}, separators=(",", ":"), ensure_ascii=False))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _quota_scopes(errs: Errors, spec: Obj) -> None:
    """``validateResourceQuotaScopes``."""
    scopes = _list(spec.get("scopes"))
    if not scopes:
        return
    hard = sorted(_dict(spec.get("hard")))
    shown = _go_json_sorted(scopes)
    for scope in scopes:
        if scope not in _STANDARD_QUOTA_SCOPES:
            errs.invalid("spec.scopes", shown, "unsupported scope")
        for name in hard:
            if name in _STANDARD_QUOTA_RESOURCES or _is_quota_hugepages(name):
                if not _scope_valid_for(scope, name):
                    errs.invalid("spec.scopes", shown, "unsupported scope applied to resource")
    _conflicting_scopes(errs, set(scopes), "spec.scopes", shown)


def _conflicting_scopes(errs: Errors, scopes: set[Any], path: str, shown: GoText) -> None:
    for pair in (("BestEffort", "NotBestEffort"), ("Terminating", "NotTerminating")):
        if set(pair) <= scopes:
            errs.invalid(path, shown, "conflicting scopes")


def _quota_scope_selector(errs: Errors, spec: Obj) -> None:
    """``validateScopedResourceSelectorRequirement`` (paths without an index, as upstream's)."""
    selector = spec.get("scopeSelector")
    if not isinstance(selector, dict):
        return
    path = "spec.scopeSelector.matchExpressions"
    hard = sorted(_dict(spec.get("hard")))
    seen: set[Any] = set()
    for req in _list(selector.get("matchExpressions")):
        req = _dict(req)
        scope, op, values = req.get("scopeName", ""), req.get("operator", ""), req.get("values")
        if scope not in _STANDARD_QUOTA_SCOPES:
            errs.invalid(f"{path}.scopeName", scope, "unsupported scope")
        for name in hard:
            if (name in _STANDARD_QUOTA_RESOURCES or _is_quota_hugepages(name)) and not _scope_valid_for(scope, name):
                errs.invalid(path, _go_scope_selector(selector), "unsupported scope applied to resource")
        if scope in ("BestEffort", "NotBestEffort", "Terminating", "NotTerminating", "CrossNamespacePodAffinity"):
            if op != "Exists":
                errs.invalid(f"{path}.operator", op, SCOPE_OPERATOR_EXISTS)
        if op in ("In", "NotIn"):
            if not values:
                errs.required(f"{path}.values", SCOPE_VALUES_REQUIRED)
        elif op in ("Exists", "DoesNotExist"):
            if values:
                errs.invalid(f"{path}.values", _go_json_sorted(values), SCOPE_VALUES_FORBIDDEN)
        else:
            errs.invalid(f"{path}.operator", op, "not a valid selector operator")
        seen.add(scope)
    _conflicting_scopes(errs, seen, path, _go_json_sorted(spec.get("scopes") or None))


def _quota_spec(errs: Errors, spec: Obj) -> None:
    """``ValidateResourceQuotaSpec``."""
    _resource_lists(errs, _dict(spec.get("hard")), "spec.hard")
    _quota_scopes(errs, spec)
    _quota_scope_selector(errs, spec)


def _quota_status(errs: Errors, status: Obj) -> None:
    """``ValidateResourceQuotaStatus``."""
    _resource_lists(errs, _dict(status.get("hard")), "status.hard")
    _resource_lists(errs, _dict(status.get("used")), "status.used")


def _validate_quota(errs: Errors, obj: Obj) -> None:
    _quota_spec(errs, _dict(obj.get("spec")))
    _quota_status(errs, _dict(obj.get("status")))


def _validate_quota_update(errs: Errors, obj: Obj, old: Obj) -> None:
    """``ValidateResourceQuotaUpdate``: the spec again, and its scopes as a set unchanged."""
    spec = _dict(obj.get("spec"))
    _quota_spec(errs, spec)
    scopes = _list(spec.get("scopes"))
    if set(scopes) != set(_list(_dict(old.get("spec")).get("scopes"))):
        errs.invalid("spec.scopes", _go_json_sorted(scopes or None), FIELD_IMMUTABLE_TEXT)


def _validate_quota_status_update(errs: Errors, obj: Obj, old: Obj) -> None:
    """``ValidateResourceQuotaStatusUpdate`` (the resourceVersion the server fills in)."""
    _quota_status(errs, _dict(obj.get("status")))


def _default_quota(obj: Obj) -> None:
    spec = obj.get("spec")
    if isinstance(spec, dict):
        _canonical_list("ResourceQuota", spec, "hard")
    _default_quota_status(obj)


def _default_quota_status(obj: Obj) -> None:
    status = obj.get("status")
    if isinstance(status, dict):
        _canonical_list("ResourceQuota", status, "hard")
        _canonical_list("ResourceQuota", status, "used")


def _prepare_quota(obj: Obj) -> None:
    """``PrepareForCreate``: ``Status = ResourceQuotaStatus{}`` (written as ``status: {}``)."""
    obj["status"] = {}


_QUOTA_COLUMNS: tuple[Column, ...] = (
    ("Name", "string", 0, "name"),
    ("Request", "string", 0, ""),
    ("Limit", "string", 0, ""),
    ("Age", "string", 0, ""),
)


def _quota_cells(obj: Obj, now: float) -> list[Any]:
    """``printResourceQuota``: ``<resource>: <used>/<hard>`` per ``status.hard`` entry, by name."""
    meta, status = _dict(obj.get("metadata")), _dict(obj.get("status"))
    hard, used = _dict(status.get("hard")), _dict(status.get("used"))
    request: list[str] = []
    limit: list[str] = []
    for name in sorted(hard):
        pieces = name.split(".")
        column = limit if len(pieces) > 1 and pieces[0] == "limits" else request
        column.append(f"{name}: {used.get(name, '0')}/{hard[name]}")
    return [meta.get("name", ""), ", ".join(request), ", ".join(limit), since(meta.get("creationTimestamp"), now)]


# --------------------------------------------------------------------------- LimitRange

_LIMIT_SECTIONS = ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio")


def _default_limit_range(obj: Obj) -> None:
    """Canonical quantities, then ``SetDefaults_LimitRangeItem`` for each ``type: Container`` item."""
    for item in _list(_dict(obj.get("spec")).get("limits")):
        if not isinstance(item, dict):
            continue
        for section in _LIMIT_SECTIONS:
            _canonical_list("LimitRange", item, section)
        if item.get("type") != "Container":
            continue
        default = dict(_dict(item.get("default")))
        request = dict(_dict(item.get("defaultRequest")))
        for key, value in _dict(item.get("max")).items():
            default.setdefault(key, value)
        for key, value in default.items():
            request.setdefault(key, value)
        for key, value in _dict(item.get("min")).items():
            request.setdefault(key, value)
        # Go makes both maps; an empty one is still omitted from the JSON
        if default:
            item["default"] = default
        if request:
            item["defaultRequest"] = request


def _limit_type_name(errs: Errors, value: Any, path: str) -> None:
    """``validateLimitRangeTypeName``."""
    text = str(value or "")
    msgs = is_qualified_name(text)
    for msg in msgs:
        errs.invalid(path, text, msg)
    if not msgs and "/" not in text and text not in _STANDARD_LIMIT_TYPES:
        errs.invalid(path, text, "must be a standard limit type or fully qualified")


def _limit_resource_name(errs: Errors, kind: Any, name: str, path: str) -> None:
    """``validateLimitRangeResourceName``: container resources for Pod and Container items."""
    _resource_name(errs, name, path)
    if kind not in ("Pod", "Container"):
        return
    if "/" not in name:
        if not (name in _STANDARD_CONTAINER_RESOURCES or name.startswith("hugepages-")):
            errs.invalid(path, name, "must be a standard resource for containers")
    elif not _is_native_resource(name) and not _is_extended_resource_name(name):
        errs.invalid(path, name, "doesn't follow extended resource name standard")


def _validate_limit_range(errs: Errors, obj: Obj) -> None:
    """``ValidateLimitRange`` (the metadata is the server's generic check)."""
    seen_types: set[str] = set()
    for i, item in enumerate(_list(_dict(obj.get("spec")).get("limits"))):
        item = _dict(item)
        path = f"spec.limits[{i}]"
        kind = item.get("type", "")
        _limit_type_name(errs, kind, f"{path}.type")
        if str(kind) in seen_types:
            errs.duplicate(f"{path}.type", str(kind))
        seen_types.add(str(kind))
        values: dict[str, dict[str, Fraction]] = {s: {} for s in _LIMIT_SECTIONS}
        raw: dict[str, Obj] = {s: _dict(item.get(s)) for s in _LIMIT_SECTIONS}
        sections = ["max", "min"]
        if kind == "Pod":
            if raw["default"]:
                errs.forbidden(f"{path}.default", "may not be specified when `type` is 'Pod'")
            if raw["defaultRequest"]:
                errs.forbidden(f"{path}.defaultRequest", "may not be specified when `type` is 'Pod'")
        else:
            sections += ["default", "defaultRequest"]
        for section in sections:
            for name in sorted(raw[section]):
                _limit_resource_name(errs, kind, name, f"{path}.{section}[{name}]")
                values[section][name] = _quantity(raw[section][name])
        if kind == "PersistentVolumeClaim" and "storage" not in raw["min"] and "storage" not in raw["max"]:
            errs.required(f"{path}.limits", "either minimum or maximum storage value is required, but neither was provided")
        for name in sorted(raw["maxLimitRequestRatio"]):
            _limit_resource_name(errs, kind, name, f"{path}.maxLimitRequestRatio[{name}]")
            values["maxLimitRequestRatio"][name] = _quantity(raw["maxLimitRequestRatio"][name])
        _limit_bounds(errs, path, values, raw)


def _limit_bounds(errs: Errors, path: str, values: dict[str, dict[str, Fraction]], raw: dict[str, Obj]) -> None:
    """The per-resource checks of ``ValidateLimitRange``: min ≤ default request ≤ default ≤ max
    and the ratio between 1 and max/min (the quantities shown as their canonical text)."""
    lo, hi, default = values["min"], values["max"], values["default"]
    request, ratio = values["defaultRequest"], values["maxLimitRequestRatio"]
    keys = sorted(set().union(*(v.keys() for v in values.values())))
    for k in keys:
        def shown(section: str, key: str = k) -> str:
            return str(raw[section][key])

        if k in lo and k in hi and lo[k] > hi[k]:
            errs.invalid(f"{path}.min[{k}]", shown("min"), f"min value {shown('min')} is greater than max value {shown('max')}")
        if k in request and k in lo and lo[k] > request[k]:
            errs.invalid(f"{path}.defaultRequest[{k}]", shown("defaultRequest"),
                         f"min value {shown('min')} is greater than default request value {shown('defaultRequest')}")
        if k in request and k in hi and request[k] > hi[k]:
            errs.invalid(f"{path}.defaultRequest[{k}]", shown("defaultRequest"),
                         f"default request value {shown('defaultRequest')} is greater than max value {shown('max')}")
        if k in request and k in default and request[k] > default[k]:
            errs.invalid(f"{path}.defaultRequest[{k}]", shown("defaultRequest"),
                         f"default request value {shown('defaultRequest')} is greater than default limit value "
                         f"{shown('default')}")
        if k in default and k in lo and lo[k] > default[k]:
            errs.invalid(f"{path}.default[{k}]", shown("min"),
                         f"min value {shown('min')} is greater than default value {shown('default')}")
        if k in default and k in hi and default[k] > hi[k]:
            errs.invalid(f"{path}.default[{k}]", shown("max"),
                         f"default value {shown('default')} is greater than max value {shown('max')}")
        if k in ratio and ratio[k] < 1:
            errs.invalid(f"{path}.maxLimitRequestRatio[{k}]", shown("maxLimitRequestRatio"),
                         f"ratio {shown('maxLimitRequestRatio')} is less than 1")
        if k in ratio and k in lo and k in hi and lo[k] != 0:
            # upstream divides milli-values (its float64 arithmetic, printed with %f)
            limit = math.ceil(hi[k] * 1000) / math.ceil(lo[k] * 1000)
            if math.ceil(ratio[k] * 1000) / 1000 > limit:
                errs.invalid(f"{path}.maxLimitRequestRatio[{k}]", shown("maxLimitRequestRatio"),
                             f"ratio {shown('maxLimitRequestRatio')} is greater than max/min = {limit:f}")
        if (not _is_native_resource(k) or k.startswith("hugepages-")) and k in default and k in request \
                and default[k] != request[k]:
            errs.invalid(f"{path}.defaultRequest[{k}]", shown("defaultRequest"),
                         f"default value {shown('default')} must equal to defaultRequest value "
                         f"{shown('defaultRequest')} in {k}")


_LIMIT_RANGE_COLUMNS: tuple[Column, ...] = (("Name", "string", 0, "name"), ("Created At", "date", 0, ""))


def _limit_range_cells(obj: Obj, now: float) -> list[Any]:
    meta = _dict(obj.get("metadata"))
    return [meta.get("name", ""), meta.get("creationTimestamp")]


STRATEGIES += (
    Strategy(
        ResourceInfo("", "v1", "ResourceQuota", "resourcequotas", "resourcequota", True, ("quota",), ("status",)),
        default=_default_quota,
        validate=_validate_quota,
        validate_update=_validate_quota_update,
        columns=_QUOTA_COLUMNS,
        cells=_quota_cells,
        prepare_create=_prepare_quota,
        default_status=_default_quota_status,
        validate_status_update=_validate_quota_status_update,
    ),
    Strategy(
        ResourceInfo("", "v1", "LimitRange", "limitranges", "limitrange", True, ("limits",)),
        default=_default_limit_range,
        validate=_validate_limit_range,
        columns=_LIMIT_RANGE_COLUMNS,
        cells=_limit_range_cells,
    ),
)
