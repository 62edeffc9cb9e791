"""The ``resource.k8s.io/v1`` group: Dynamic Resource Allocation (DRA).

Serves, at v1 only (what kube-apiserver v1.36 enables by default; ``v1beta1``, ``v1beta2`` and
``v1alpha3`` need ``--runtime-config``), four kinds:

- ``DeviceClass`` (cluster-scoped, generation bumped on spec changes),
- ``ResourceClaim`` (namespaced, ``status`` subresource, spec immutable, no generation),
- ``ResourceClaimTemplate`` (namespaced, spec immutable, no generation),
- ``ResourceSlice`` (cluster-scoped, generation bumped on spec changes).

Models:

- defaulting, ``pkg/apis/resource/v1/defaults.go`` and its generated defaulters: a request's
  ``exactly`` and each ``firstAvailable`` subrequest get ``allocationMode: ExactCount`` and, in
  that mode, ``count: 1``; tolerations ``operator: Equal``; a slice device taint without
  ``timeAdded`` gets the object's ``creationTimestamp`` (upstream: the decode time, the same
  second on create); quantities are canonicalized (``1024Mi`` → ``1Gi``); the fields the Go
  types always serialize appear as they do there (``spec.devices.requests: null`` of an empty
  claim, ``status: {}`` of a new claim, ``spec.metadata: {}`` of a template, a pool's
  ``generation: 0``);
- validation, ``pkg/apis/resource/validation/validation.go``: request and subrequest names
  (DNS labels, unique), exactly one of ``exactly``/``firstAvailable``, ``deviceClassName``
  required and a DNS subdomain, allocation mode and count, selectors (``cel`` required, an empty
  or blank expression rejected with CEL's own syntax error), tolerations, constraints and config
  (request references, fully qualified attribute names, opaque driver and parameters); a claim's
  and a template's spec immutable (the new spec rendered as ``json.Marshal`` of the internal
  type, as upstream's message does); claim status: ``reservedFor`` entries and uniqueness, no
  reservation without an allocation, allocation immutable once set, new allocation results
  (request references, driver/pool/device names, tolerations, config source), device statuses
  of allocated devices; a template's ``spec.metadata`` (labels and annotations only); a class's
  selectors, config and ``extendedResourceName``; a slice's driver (required, DNS subdomain of at
  most 63 characters), pool (name, generation, resourceSliceCount), exactly one of
  ``nodeName``/``nodeSelector``/``allNodes``/``perDeviceNodeSelection``, the node selector
  (one term), devices (names unique DNS labels, attributes, capacity keys, taints, per-device
  node selection), ``sharedCounters`` vs ``devices``, the immutable driver, pool name and node
  name; list size limits (``Too many``);
- the strategies, ``pkg/registry/resource/*/strategy.go``: a claim's status reset on create
  and kept on spec updates, its spec kept on status writes;
- the printers, ``pkg/printers/internalversion/printers.go``: ResourceClaim NAME STATE AGE
  (``pending``, ``allocated``, ``allocated,reserved``, ``deleted``...), ResourceSlice NAME NODE
  DRIVER POOL AGE, the others NAME AGE.

Leaves out: compiling CEL expressions (any non-blank expression is accepted, no cost limits),
the admin-access namespace label check (``AuthorizedForAdmin``), declarative-validation-only
checks not mirrored by hand-written code, the feature-gated field dropping (every v1.36 default-on
field is kept; alpha fields such as ``partitionTypeAttribute`` are not dropped), capacity request
policies, node allocatable resource mappings, binding conditions details, network device data,
the ``status.devices`` pruning of deallocated devices, defaulting of status writes (tolerations
of allocation results), upstream's byte-wise comparison of opaque ``parameters`` (a patch of a
claim whose parameters were not sent in Go's compact sorted form fails there as a spec change),
returning the deleted object from DELETE and the slice field selectors
``spec.nodeName``/``spec.driver`` (both changes to shared code), and the ``v1beta1``/``v1beta2``
versions.
"""

from __future__ import annotations

import json
import re
from typing import Any

from reference_impl.apiserver import quantity
from reference_impl.apiserver.registry.info import ResourceInfo
from reference_impl.apiserver.registry.strategy import Column, Strategy
from reference_impl.apiserver.tables import since
from reference_impl.apiserver.validation import (
    FIELD_IMMUTABLE,
    Errors,
    GoText,
    _annotations,
    _labels,
    go_json,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_qualified_name,
    is_valid_label_value,
)

Obj = dict[str, Any]

GROUP = "resource.k8s.io"
VERSION = "v1"

# pkg/apis/resource/types.go limits
DEVICE_REQUESTS_MAX = 32
DEVICE_SELECTORS_MAX = 32
DEVICE_CONSTRAINTS_MAX = 32
DEVICE_CONFIG_MAX = 32
FIRST_AVAILABLE_MAX = 8
RESERVED_FOR_MAX = 256
ALLOCATION_RESULTS_MAX = 32
SLICE_MAX_DEVICES = 128
SLICE_MAX_DEVICES_ADVANCED = 64
SLICE_MAX_COUNTER_SETS = 8
DEVICE_TAINTS_MAX = 16
MAX_ATTRIBUTES_AND_CAPACITIES = 32
POOL_NAME_MAX = 253
DEVICE_MAX_DOMAIN = 63
DEVICE_MAX_ID = 32
ATTRIBUTE_VALUE_MAX = 64
CEL_EXPRESSION_MAX = 10 * 1024
OPAQUE_PARAMETERS_MAX = 10 * 1024

ALLOCATION_MODES = ("All", "ExactCount")
TOLERATION_OPERATORS = ("Equal", "Exists")
TAINT_EFFECTS = ("NoExecute", "NoSchedule", "None")
CONFIG_SOURCES = ("FromClaim", "FromClass")
NODE_FIELDS_MSG = "exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` is required"
PER_DEVICE_MSG = (
    "exactly one of `nodeName`, `nodeSelector`, or `allNodes` is required when `perDeviceNodeSelection` "
    "is set to true in the ResourceSlice spec"
)
REQUEST_REF_MSG = "must be the name of a request in the claim or the name of a request and a subrequest separated by '/'"
_CEL_EOF = (
    "Syntax error: mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', "
    "NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}"
)
_NULL = GoText("null")

_C_IDENTIFIER_FMT = "[A-Za-z_][A-Za-z0-9_]*"
_C_IDENTIFIER_RE = re.compile(f"^{_C_IDENTIFIER_FMT}$")
_C_IDENTIFIER_MSG = (
    "a valid C identifier must start with alphabetic character or '_', followed by a string of "
    "alphanumeric characters or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName', "
    f"regex used for validation is '{_C_IDENTIFIER_FMT}')"
)
_SEMVER_RE = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(-(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*)?"
    r"(\+[0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*)?$"
)


def _d(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _s(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _i(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _too_many(errs: Errors, path: str, actual: int, maximum: int) -> None:
    errs.causes.append(
        {"reason": "FieldValueTooMany", "message": f"Too many: {actual}: must have at most {maximum} items", "field": path}
    )


def _too_long(errs: Errors, path: str, maximum: int) -> None:
    """``field.TooLong`` as v1.36 words it (``Errors.too_long`` has an older wording)."""
    errs.causes.append(
        {"reason": "FieldValueTooLong", "message": f"Too long: may not be more than {maximum} bytes", "field": path}
    )


def _canonical(value: Any) -> Any:
    if isinstance(value, str | int) and not isinstance(value, bool):
        try:
            return quantity.canonical(value)
        except (ValueError, ArithmeticError):
            return value
    return value


# --------------------------------------------------------------------------- internal forms
# The internal Go types (field names and order) of what immutability errors print. A field is
# (Go name, v1 JSON key, kind); kinds: "s"/"i"/"b" scalars with Go zero values, "*" pointers
# (null when absent), "[]" slices (null when absent), "q" quantity maps, "raw" RawExtension,
# or a nested type (a tuple of fields; "*" + type for a pointer to it).

Field = tuple[str, str, Any]

_TOLERATION: tuple[Field, ...] = (
    ("Key", "key", "s"), ("Operator", "operator", "s"), ("Value", "value", "s"), ("Effect", "effect", "s"),
    ("TolerationSeconds", "tolerationSeconds", "*"),
)
_SELECTOR: tuple[Field, ...] = (("CEL", "cel", ("*", (("Expression", "expression", "s"),))),)
_CAPACITY: tuple[Field, ...] = (("Requests", "requests", "q"),)
_EXACT: tuple[Field, ...] = (
    ("DeviceClassName", "deviceClassName", "s"), ("Selectors", "selectors", ("[]", _SELECTOR)),
    ("AllocationMode", "allocationMode", "s"), ("Count", "count", "i"), ("AdminAccess", "adminAccess", "*"),
    ("Tolerations", "tolerations", ("[]", _TOLERATION)), ("Capacity", "capacity", ("*", _CAPACITY)),
)
_SUB: tuple[Field, ...] = (("Name", "name", "s"), *_EXACT[:4], *_EXACT[5:])
_REQUEST: tuple[Field, ...] = (
    ("Name", "name", "s"), ("Exactly", "exactly", ("*", _EXACT)), ("FirstAvailable", "firstAvailable", ("[]", _SUB)),
)
_CONSTRAINT: tuple[Field, ...] = (
    ("Requests", "requests", "[]"), ("MatchAttribute", "matchAttribute", "*"),
    ("DistinctAttribute", "distinctAttribute", "*"),
)
_OPAQUE: tuple[Field, ...] = (("Driver", "driver", "s"), ("Parameters", "parameters", "raw"))
_CLAIM_CONFIG: tuple[Field, ...] = (("Requests", "requests", "[]"), ("Opaque", "opaque", ("*", _OPAQUE)))
_DEVICE_CLAIM: tuple[Field, ...] = (
    ("Requests", "requests", ("[]", _REQUEST)), ("Constraints", "constraints", ("[]", _CONSTRAINT)),
    ("Config", "config", ("[]", _CLAIM_CONFIG)),
)
_CLAIM_SPEC: tuple[Field, ...] = (("Devices", "devices", _DEVICE_CLAIM),)
_NODE_REQUIREMENT: tuple[Field, ...] = (("Key", "key", "s"), ("Operator", "operator", "s"), ("Values", "values", "[]"))
_NODE_TERM: tuple[Field, ...] = (
    ("MatchExpressions", "matchExpressions", ("[]", _NODE_REQUIREMENT)),
    ("MatchFields", "matchFields", ("[]", _NODE_REQUIREMENT)),
)
_NODE_SELECTOR: tuple[Field, ...] = (("NodeSelectorTerms", "nodeSelectorTerms", ("[]", _NODE_TERM)),)
_RESULT: tuple[Field, ...] = (
    ("Request", "request", "s"), ("Driver", "driver", "s"), ("Pool", "pool", "s"), ("Device", "device", "s"),
    ("AdminAccess", "adminAccess", "*"), ("Tolerations", "tolerations", ("[]", _TOLERATION)),
    ("BindingConditions", "bindingConditions", "[]"), ("BindingFailureConditions", "bindingFailureConditions", "[]"),
    ("ShareID", "shareID", "*"), ("ConsumedCapacity", "consumedCapacity", "q"),
)
_ALLOC_CONFIG: tuple[Field, ...] = (
    ("Source", "source", "s"), ("Requests", "requests", "[]"), ("Opaque", "opaque", ("*", _OPAQUE)),
)
_ALLOCATION: tuple[Field, ...] = (
    ("Devices", "devices", (("Results", "results", ("[]", _RESULT)), ("Config", "config", ("[]", _ALLOC_CONFIG)))),
    ("NodeSelector", "nodeSelector", ("*", _NODE_SELECTOR)), ("AllocationTimestamp", "allocationTimestamp", "*"),
)
_ATTRIBUTE: tuple[Field, ...] = (
    ("IntValue", "int", "*"), ("BoolValue", "bool", "*"), ("StringValue", "string", "*"),
    ("VersionValue", "version", "*"), ("IntValues", "ints", "[]"), ("BoolValues", "bools", "[]"),
    ("StringValues", "strings", "[]"), ("VersionValues", "versions", "[]"),
)
_ZERO: dict[str, Any] = {"s": "", "i": 0, "b": False}
_META_ORDER = (
    "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
    "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
)


def _internal(value: Any, kind: Any) -> Any:
    if isinstance(kind, tuple) and kind and isinstance(kind[0], tuple):  # a struct
        obj = _d(value)
        return {go: _field(obj, key, sub) for go, key, sub in kind}
    raise AssertionError(kind)


def _field(obj: Obj, key: str, kind: Any) -> Any:
    value = obj.get(key)
    if isinstance(kind, str):
        if kind in _ZERO:
            return value if value is not None else _ZERO[kind]
        if kind == "q":
            return {k: _canonical(v) for k, v in sorted(value.items())} if isinstance(value, dict) else None
        return value  # "*", "[]" of scalars, "raw": as given, null when absent
    if kind[0] == "*":
        return None if value is None else _internal(value, kind[1])
    if kind[0] == "[]":
        return None if not isinstance(value, list) else [_internal(v, kind[1]) for v in value]
    return _internal(value, kind)


def _template_spec_internal(spec: Obj) -> Obj:
    """``ResourceClaimTemplateSpec``: embedded ObjectMeta (its set fields, JSON-named) then Spec."""
    meta = _d(spec.get("metadata"))
    out: Obj = {k: meta[k] for k in _META_ORDER if meta.get(k) not in (None, "", {}, [], 0)}
    out["Spec"] = _internal(spec.get("spec"), _CLAIM_SPEC)
    return out


# --------------------------------------------------------------------------- defaulting


def _default_request_fields(req: Obj) -> None:
    """``SetDefaults_ExactDeviceRequest`` / ``SetDefaults_DeviceSubRequest`` and their tolerations."""
    if not req.get("allocationMode"):
        req["allocationMode"] = "ExactCount"
    if req["allocationMode"] == "ExactCount" and not req.get("count"):
        req["count"] = 1
    for tol in _l(req.get("tolerations")):
        if isinstance(tol, dict) and not tol.get("operator"):
            tol["operator"] = "Equal"
    capacity = req.get("capacity")
    if isinstance(capacity, dict) and isinstance(capacity.get("requests"), dict):
        capacity["requests"] = {k: _canonical(v) for k, v in capacity["requests"].items()}


def _default_claim_spec(spec: Obj) -> None:
    devices = spec.get("devices")
    if not isinstance(devices, dict):
        devices = spec["devices"] = {}
    devices.setdefault("requests", None)
    for req in _l(devices.get("requests")):
        if not isinstance(req, dict):
            continue
        if isinstance(req.get("exactly"), dict):
            _default_request_fields(req["exactly"])
        for sub in _l(req.get("firstAvailable")):
            if isinstance(sub, dict):
                _default_request_fields(sub)


def default_resource_claim(obj: Obj) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        spec = obj["spec"] = {}
    _default_claim_spec(spec)


def default_resource_claim_template(obj: Obj) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        spec = obj["spec"] = {}
    if not isinstance(spec.get("metadata"), dict):
        spec["metadata"] = {}
    inner = spec.get("spec")
    if not isinstance(inner, dict):
        inner = spec["spec"] = {}
    _default_claim_spec(inner)


def _canonical_map(owner: Obj, key: str, sub: str | None = None) -> None:
    values = owner.get(key)
    if not isinstance(values, dict):
        return
    for name, item in values.items():
        if sub is None:
            values[name] = _canonical(item)
        elif isinstance(item, dict) and sub in item:
            item[sub] = _canonical(item[sub])


def default_resource_slice(obj: Obj) -> None:
    """``SetObjectDefaults_ResourceSlice``: taint ``timeAdded``; quantities canonical."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        spec = obj["spec"] = {}
    pool = spec.get("pool")
    if isinstance(pool, dict):
        pool.setdefault("generation", 0)
        pool.setdefault("resourceSliceCount", 0)
    created = _d(obj.get("metadata")).get("creationTimestamp")
    for device in _l(spec.get("devices")):
        if not isinstance(device, dict):
            continue
        for taint in _l(device.get("taints")):
            if isinstance(taint, dict) and taint.get("timeAdded") is None and created:
                taint["timeAdded"] = created
        _canonical_map(device, "capacity", "value")
        for consumption in _l(device.get("consumesCounters")):
            if isinstance(consumption, dict):
                _canonical_map(consumption, "counters", "value")
    for counter_set in _l(spec.get("sharedCounters")):
        if isinstance(counter_set, dict):
            _canonical_map(counter_set, "counters", "value")


def empty_claim_status(obj: Obj) -> None:
    """``PrepareForCreate``: ``claim.Status = ResourceClaimStatus{}`` (serialized as ``{}``)."""
    obj["status"] = {}


# --------------------------------------------------------------------------- shared checks


def _dns_label(errs: Errors, value: Any, path: str) -> None:
    text = _s(value)
    for msg in is_dns1123_label(text):
        errs.invalid(path, text, msg)


def _dns_subdomain(errs: Errors, value: Any, path: str) -> None:
    text = _s(value)
    for msg in is_dns1123_subdomain(text):
        errs.invalid(path, text, msg)


def _driver_name(errs: Errors, value: Any, path: str) -> None:
    """``ValidateCSIDriverName``: required, at most 63 characters, a DNS subdomain (lower-cased)."""
    name = _s(value)
    if not name:
        errs.required(path)
        return
    if len(name) > 63:
        _too_long(errs, path, 63)
    for msg in is_dns1123_subdomain(name.lower()):
        errs.invalid(path, name, msg)


def _pool_name(errs: Errors, value: Any, path: str) -> None:
    name = _s(value)
    if not name:
        errs.required(path)
        return
    if len(name) > POOL_NAME_MAX:
        _too_long(errs, path, POOL_NAME_MAX)
    for part in name.split("/"):
        for msg in is_dns1123_subdomain(part):
            errs.invalid(path, part, msg)


def _label_name(errs: Errors, value: Any, path: str) -> None:
    key = _s(value)
    for msg in is_qualified_name(key):
        errs.invalid(path, key, msg)


def _label_value(errs: Errors, value: Any, path: str) -> None:
    text = _s(value)
    for msg in is_valid_label_value(text):
        errs.invalid(path, text, msg)


def _unique(errs: Errors, items: list[Any], key: Any, path: str) -> None:
    seen: set[Any] = set()
    for i, item in enumerate(items):
        k = key(item)
        if k in seen:
            errs.duplicate(f"{path}[{i}]", k)
        else:
            seen.add(k)


def _toleration(errs: Errors, tol: Obj, path: str) -> None:
    if tol.get("key"):
        _label_name(errs, tol.get("key"), f"{path}.key")
    operator = tol.get("operator") or ""
    if operator == "Exists":
        if tol.get("value"):
            errs.invalid(f"{path}.value", tol["value"], "must be empty for operator `Exists`")
    elif operator == "Equal":
        _label_value(errs, tol.get("value") or "", f"{path}.value")
    elif operator == "":
        errs.required(f"{path}.operator")
    else:
        errs.not_supported(f"{path}.operator", operator, TOLERATION_OPERATORS)
    effect = tol.get("effect") or ""
    if effect and effect not in TAINT_EFFECTS:
        errs.not_supported(f"{path}.effect", effect, TAINT_EFFECTS)


def _cel_expression(errs: Errors, expression: Any, path: str) -> None:
    """The part of CEL compilation modelled here: an empty or blank expression does not parse."""
    text = _s(expression)
    if len(text) > CEL_EXPRESSION_MAX:
        _too_long(errs, path, CEL_EXPRESSION_MAX)
        return
    if text.strip() == "":
        # cel-go's error: the position after the blanks, then the source line and a caret
        if text:
            detail = f"compilation failed: ERROR: <input>:1:{len(text) + 1}: {_CEL_EOF}\n | {text}\n | {'.' * len(text)}^"
        else:
            detail = f"compilation failed: ERROR: <input>:1:0: {_CEL_EOF}"
        errs.invalid(path, text, detail)


def _selectors(errs: Errors, selectors: Any, path: str) -> None:
    items = _l(selectors)
    if len(items) > DEVICE_SELECTORS_MAX:
        _too_many(errs, path, len(items), DEVICE_SELECTORS_MAX)
        return
    for i, selector in enumerate(items):
        cel = _d(selector).get("cel")
        if not isinstance(cel, dict):
            errs.required(f"{path}[{i}].cel")
        else:
            _cel_expression(errs, cel.get("expression"), f"{path}[{i}].cel.expression")


def _raw_parameters(errs: Errors, value: Any, path: str) -> None:
    """``validateRawExtension`` (the body already parsed as JSON): required, a JSON object."""
    if value is None:
        errs.required(path)
    elif len(json.dumps(value, separators=(",", ":"))) > OPAQUE_PARAMETERS_MAX:
        _too_long(errs, path, OPAQUE_PARAMETERS_MAX)
    elif not isinstance(value, dict):
        errs.invalid(path, "<value omitted>", "must be a valid JSON object")


def _device_configuration(errs: Errors, config: Obj, path: str) -> None:
    opaque = config.get("opaque")
    if not isinstance(opaque, dict):
        errs.required(f"{path}.opaque")
        return
    _driver_name(errs, opaque.get("driver"), f"{path}.opaque.driver")
    _raw_parameters(errs, opaque.get("parameters"), f"{path}.opaque.parameters")


def _node_selector(errs: Errors, selector: Obj, path: str) -> None:
    """``corevalidation.ValidateNodeSelector`` (label values checked)."""
    terms_path = f"{path}.nodeSelectorTerms"
    terms = _l(selector.get("nodeSelectorTerms"))
    if not terms:
        errs.required(terms_path, "must have at least one node selector term")
        return
    for i, term in enumerate(terms):
        for j, rq in enumerate(_l(_d(term).get("matchExpressions"))):
            rq = _d(rq)
            rpath = f"{terms_path}[{i}].matchExpressions[{j}]"
            op, values = rq.get("operator"), _l(rq.get("values"))
            if op in ("In", "NotIn"):
                if not values:
                    errs.required(f"{rpath}.values", "must be specified when `operator` is 'In' or 'NotIn'")
            elif op in ("Exists", "DoesNotExist"):
                if values:
                    errs.forbidden(f"{rpath}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
            elif op in ("Gt", "Lt"):
                if len(values) != 1:
                    errs.required(f"{rpath}.values", "must be specified single value when `operator` is 'Lt' or 'Gt'")
            else:
                errs.invalid(f"{rpath}.operator", op or "", "not a valid selector operator")
            _label_name(errs, rq.get("key"), f"{rpath}.key")
            for k, v in enumerate(values):
                _label_value(errs, v, f"{rpath}.values[{k}]")
        for j, rq in enumerate(_l(_d(term).get("matchFields"))):
            rq = _d(rq)
            rpath = f"{terms_path}[{i}].matchFields[{j}]"
            if rq.get("operator") in ("In", "NotIn"):
                if len(_l(rq.get("values"))) != 1:
                    errs.required(
                        f"{rpath}.values", "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"
                    )
            else:
                errs.invalid(f"{rpath}.operator", rq.get("operator") or "", "not a valid selector operator")
            if rq.get("key") != "metadata.name":
                errs.invalid(f"{rpath}.key", rq.get("key") or "", "not a valid field selector key")


# --------------------------------------------------------------------------- ResourceClaim spec

RequestNames = dict[str, set[str] | None]


def _request_names(devices: Obj) -> RequestNames:
    names: RequestNames = {}
    for req in _l(devices.get("requests")):
        req = _d(req)
        subs = _l(req.get("firstAvailable"))
        names[_s(req.get("name"))] = {_s(_d(s).get("name")) for s in subs} if subs else None
    return names


def _has_request(names: RequestNames, ref: str) -> bool:
    segments = ref.split("/")
    if len(segments) > 2 or segments[0] not in names:
        return False
    if len(segments) == 1:
        return True
    subs = names[segments[0]]
    return subs is not None and segments[1] in subs


def _request_ref(errs: Errors, ref: Any, path: str, names: RequestNames) -> None:
    name = _s(ref)
    segments = name.split("/")
    if len(segments) > 2:
        errs.invalid(path, name, REQUEST_REF_MSG)
        return
    for segment in segments:
        _dns_label(errs, segment, path)
    if not _has_request(names, name):
        errs.invalid(path, name, REQUEST_REF_MSG)


def _request_refs(errs: Errors, refs: Any, path: str, names: RequestNames) -> None:
    items = _l(refs)
    if len(items) > DEVICE_REQUESTS_MAX:
        _too_many(errs, path, len(items), DEVICE_REQUESTS_MAX)
        return
    for i, ref in enumerate(items):
        _request_ref(errs, ref, f"{path}[{i}]", names)
    _unique(errs, items, lambda r: r, path)


def _request_body(errs: Errors, req: Obj, path: str) -> None:
    """``validateExactDeviceRequest`` / the shared part of ``validateDeviceSubRequest``."""
    class_name = req.get("deviceClassName")
    if not class_name:
        errs.required(f"{path}.deviceClassName")
    else:
        _dns_subdomain(errs, class_name, f"{path}.deviceClassName")
    _selectors(errs, req.get("selectors"), f"{path}.selectors")
    mode, count = req.get("allocationMode") or "", _i(req.get("count"))
    if mode == "All":
        if count != 0:
            errs.invalid(f"{path}.count", count, "must not be specified when allocationMode is 'All'")
    elif mode == "ExactCount":
        if count <= 0:
            errs.invalid(f"{path}.count", count, "must be greater than zero")
    else:
        errs.not_supported(f"{path}.allocationMode", mode, ALLOCATION_MODES)
    for i, tol in enumerate(_l(req.get("tolerations"))):
        _toleration(errs, _d(tol), f"{path}.tolerations[{i}]")


def _device_request(errs: Errors, req: Obj, path: str) -> None:
    _dns_label(errs, req.get("name"), f"{path}.name")
    first = _l(req.get("firstAvailable"))
    exactly = req.get("exactly")
    if not first and exactly is None:
        errs.required(path, "exactly one of `exactly` or `firstAvailable` is required")
    elif first and exactly is not None:
        errs.invalid(path, _NULL, "exactly one of `exactly` or `firstAvailable` is required, but multiple fields are set")
    elif first:
        fpath = f"{path}.firstAvailable"
        if len(first) > FIRST_AVAILABLE_MAX:
            _too_many(errs, fpath, len(first), FIRST_AVAILABLE_MAX)
            return
        for i, sub in enumerate(first):
            sub = _d(sub)
            _dns_label(errs, sub.get("name"), f"{fpath}[{i}].name")
            _request_body(errs, sub, f"{fpath}[{i}]")
        _unique(errs, first, lambda s: _s(_d(s).get("name")), fpath)
    else:
        _request_body(errs, _d(exactly), f"{path}.exactly")


def _fully_qualified_name(errs: Errors, value: Any, path: str) -> None:
    name = _s(value)
    _qualified_name(errs, name, path)
    if "/" not in name:
        errs.invalid(path, name, "a fully qualified name must be a domain and a name separated by a slash")


def _c_identifier(errs: Errors, ident: str, path: str) -> None:
    if len(ident) > DEVICE_MAX_ID:
        _too_long(errs, path, DEVICE_MAX_ID)
    if not _C_IDENTIFIER_RE.match(ident):
        errs.invalid(path, ident, _C_IDENTIFIER_MSG)


def _qualified_name(errs: Errors, name: str, path: str) -> None:
    """``validateQualifiedName``: ``[domain/]identifier`` (attribute and capacity names)."""
    parts = name.split("/")
    if len(parts) == 1:
        _c_identifier(errs, parts[0], path)
    elif len(parts) == 2:
        if not parts[0]:
            errs.invalid(path, "", "the domain must not be empty")
        else:
            _driver_name(errs, parts[0], path)
        if not parts[1]:
            errs.invalid(path, "", "the name must not be empty")
        else:
            _c_identifier(errs, parts[1], path)
    else:
        errs.invalid(path, name, "must not contain more than one slash")


def _device_claim(errs: Errors, devices: Obj, path: str) -> None:
    names = _request_names(devices)
    requests = _l(devices.get("requests"))
    rpath = f"{path}.requests"
    if len(requests) > DEVICE_REQUESTS_MAX:
        _too_many(errs, rpath, len(requests), DEVICE_REQUESTS_MAX)
    else:
        for i, req in enumerate(requests):
            _device_request(errs, _d(req), f"{rpath}[{i}]")
        _unique(errs, requests, lambda r: _s(_d(r).get("name")), rpath)
    constraints = _l(devices.get("constraints"))
    cpath = f"{path}.constraints"
    if len(constraints) > DEVICE_CONSTRAINTS_MAX:
        _too_many(errs, cpath, len(constraints), DEVICE_CONSTRAINTS_MAX)
    else:
        for i, constraint in enumerate(constraints):
            constraint = _d(constraint)
            _request_refs(errs, constraint.get("requests"), f"{cpath}[{i}].requests", names)
            if constraint.get("matchAttribute") is not None:
                _fully_qualified_name(errs, constraint["matchAttribute"], f"{cpath}[{i}].matchAttribute")
            elif constraint.get("distinctAttribute") is not None:
                _fully_qualified_name(errs, constraint["distinctAttribute"], f"{cpath}[{i}].distinctAttribute")
            else:  # DRAConsumableCapacity (beta, on by default in v1.36) words it so
                errs.required(
                    f"{cpath}[{i}]", 'exactly one of "matchAttribute" or "distinctAttribute" is required, but multiple fields are set'
                )
    configs = _l(devices.get("config"))
    gpath = f"{path}.config"
    if len(configs) > DEVICE_CONFIG_MAX:
        _too_many(errs, gpath, len(configs), DEVICE_CONFIG_MAX)
    else:
        for i, config in enumerate(configs):
            config = _d(config)
            _request_refs(errs, config.get("requests"), f"{gpath}[{i}].requests", names)
            _device_configuration(errs, config, f"{gpath}[{i}]")


def validate_resource_claim(errs: Errors, obj: Obj) -> None:
    _device_claim(errs, _d(_d(obj.get("spec")).get("devices")), "spec.devices")


# --------------------------------------------------------------------------- ResourceClaim status


def _device_id(item: Obj) -> str:
    text = f"{_s(item.get('driver'))}/{_s(item.get('pool'))}/{_s(item.get('device'))}"
    share = item.get("shareID")
    return f"{text}/{share}" if share else text


def _allocation_result(errs: Errors, allocation: Obj, path: str, names: RequestNames) -> None:
    devices = _d(allocation.get("devices"))
    dpath = f"{path}.devices"
    results = _l(devices.get("results"))
    if len(results) > ALLOCATION_RESULTS_MAX:
        _too_many(errs, f"{dpath}.results", len(results), ALLOCATION_RESULTS_MAX)
    else:
        for i, result in enumerate(results):
            result = _d(result)
            rpath = f"{dpath}.results[{i}]"
            _request_ref(errs, result.get("request"), f"{rpath}.request", names)
            _driver_name(errs, result.get("driver"), f"{rpath}.driver")
            _pool_name(errs, result.get("pool"), f"{rpath}.pool")
            _dns_label(errs, result.get("device"), f"{rpath}.device")
            for j, tol in enumerate(_l(result.get("tolerations"))):
                _toleration(errs, _d(tol), f"{rpath}.tolerations[{j}]")
    configs = _l(devices.get("config"))
    if len(configs) > 2 * DEVICE_CONFIG_MAX:
        _too_many(errs, f"{dpath}.config", len(configs), 2 * DEVICE_CONFIG_MAX)
    else:
        for i, config in enumerate(configs):
            config = _d(config)
            cpath = f"{dpath}.config[{i}]"
            source = config.get("source") or ""
            if not source:
                errs.required(f"{cpath}.source")
            elif source not in CONFIG_SOURCES:
                errs.not_supported(f"{cpath}.source", source, CONFIG_SOURCES)
            _request_refs(errs, config.get("requests"), f"{cpath}.requests", names)
            _device_configuration(errs, config, cpath)
    if isinstance(allocation.get("nodeSelector"), dict):
        _node_selector(errs, allocation["nodeSelector"], f"{path}.nodeSelector")


def validate_claim_status(errs: Errors, obj: Obj, old: Obj) -> None:
    """``ValidateResourceClaimStatusUpdate``."""
    status, old_status = _d(obj.get("status")), _d(old.get("status"))
    names = _request_names(_d(_d(obj.get("spec")).get("devices")))
    reserved = _l(status.get("reservedFor"))
    rpath = "status.reservedFor"
    if len(reserved) > RESERVED_FOR_MAX:
        _too_many(errs, rpath, len(reserved), RESERVED_FOR_MAX)
    else:
        for i, ref in enumerate(reserved):
            ref = _d(ref)
            for key in ("resource", "name", "uid"):
                if not ref.get(key):
                    errs.required(f"{rpath}[{i}].{key}")
        _unique(errs, reserved, lambda r: _s(_d(r).get("uid")), rpath)
    allocation = status.get("allocation")
    allocated = {_device_id(_d(r)) for r in _l(_d(_d(allocation).get("devices")).get("results"))}
    dpath = "status.devices"
    devices = _l(status.get("devices"))
    for i, device in enumerate(devices):
        device = _d(device)
        path = f"{dpath}[{i}]"
        _driver_name(errs, device.get("driver"), f"{path}.driver")
        _pool_name(errs, device.get("pool"), f"{path}.pool")
        _dns_label(errs, device.get("device"), f"{path}.device")
        if _device_id(device) not in allocated:
            shared_id = {
                "Driver": _s(device.get("driver")), "Pool": _s(device.get("pool")), "Device": _s(device.get("device")),
                "ShareID": _s(device.get("shareID")),
            }
            errs.invalid(path, go_json(shared_id), "must be an allocated device in the claim")
    _unique(errs, devices, lambda d: _device_id(_d(d)), dpath)
    if reserved:
        if allocation is None:
            errs.forbidden(rpath, "may not be specified when `allocated` is not set")
        elif _d(obj.get("metadata")).get("deletionTimestamp"):
            old_uids = {json.dumps(r, sort_keys=True) for r in _l(old_status.get("reservedFor"))}
            if any(json.dumps(r, sort_keys=True) not in old_uids for r in reserved):
                errs.forbidden(rpath, "new entries may not be added while `deallocationRequested` or `deletionTimestamp` are set")
    old_allocation = old_status.get("allocation")
    if old_allocation is not None and allocation is not None:
        if allocation != old_allocation:
            errs.invalid("status.allocation", go_json(_internal(allocation, _ALLOCATION)), FIELD_IMMUTABLE)
    elif isinstance(allocation, dict):
        _allocation_result(errs, allocation, "status.allocation", names)


def validate_resource_claim_update(errs: Errors, obj: Obj, old: Obj) -> None:
    """A spec update: validated and immutable; a status write: its status (``ValidateResourceClaimStatusUpdate``)."""
    spec, old_spec = obj.get("spec"), old.get("spec")
    if spec != old_spec:
        validate_resource_claim(errs, obj)
        errs.invalid("spec", go_json(_internal(spec, _CLAIM_SPEC)), FIELD_IMMUTABLE)
    elif obj.get("status") != old.get("status"):
        validate_claim_status(errs, obj, old)


# --------------------------------------------------------------------------- ResourceClaimTemplate

_TEMPLATE_META_ALLOWED = frozenset({"labels", "annotations"})


def validate_resource_claim_template(errs: Errors, obj: Obj) -> None:
    spec = _d(obj.get("spec"))
    meta = _d(spec.get("metadata"))
    _annotations(errs, meta.get("annotations"), "spec.metadata.annotations")
    _labels(errs, meta.get("labels"), "spec.metadata.labels")
    for key in (*_META_ORDER, "managedFields"):  # validateFieldAllowList, in ObjectMeta's order
        if key not in _TEMPLATE_META_ALLOWED and meta.get(key) not in (None, "", 0, {}, []):
            errs.forbidden(f"spec.metadata.{key}", "cannot be set")
    _device_claim(errs, _d(_d(spec.get("spec")).get("devices")), "spec.spec.devices")


def validate_resource_claim_template_update(errs: Errors, obj: Obj, old: Obj) -> None:
    if obj.get("spec") != old.get("spec"):
        errs.invalid("spec", go_json(_template_spec_internal(_d(obj.get("spec")))), FIELD_IMMUTABLE)


# --------------------------------------------------------------------------- DeviceClass


def _is_extended_resource_name(name: str) -> bool:
    """``v1helper.IsExtendedResourceName``."""
    if "/" not in name or "kubernetes.io/" in name or name.startswith("requests."):
        return False
    return not is_qualified_name("requests." + name)


def validate_device_class(errs: Errors, obj: Obj) -> None:
    spec = _d(obj.get("spec"))
    _selectors(errs, spec.get("selectors"), "spec.selectors")
    configs = _l(spec.get("config"))
    if len(configs) > DEVICE_CONFIG_MAX:
        _too_many(errs, "spec.config", len(configs), DEVICE_CONFIG_MAX)
    else:
        for i, config in enumerate(configs):
            _device_configuration(errs, _d(config), f"spec.config[{i}]")
    name = spec.get("extendedResourceName")
    if name is not None and not _is_extended_resource_name(_s(name)):
        errs.invalid("spec.extendedResourceName", _s(name), "must be a valid extended resource name")


# --------------------------------------------------------------------------- ResourceSlice


def _attribute(errs: Errors, attribute: Obj, path: str) -> None:
    fields = 0
    for key in ("bool", "int"):
        if attribute.get(key) is not None:
            fields += 1
    if attribute.get("string") is not None:
        fields += 1
        if len(_s(attribute["string"])) > ATTRIBUTE_VALUE_MAX:
            _too_long(errs, f"{path}.string", ATTRIBUTE_VALUE_MAX)
    if attribute.get("version") is not None:
        fields += 1
        _version_value(errs, _s(attribute["version"]), f"{path}.version")
    for key in ("bools", "ints", "strings", "versions"):
        values = attribute.get(key)
        if values is None:
            continue
        fields += 1
        if not values:
            errs.invalid(f"{path}.{key}", GoText("[]"), "must not be empty if specified")
        for i, item in enumerate(_l(values)):
            if key == "strings" and len(_s(item)) > ATTRIBUTE_VALUE_MAX:
                _too_long(errs, f"{path}.strings[{i}]", ATTRIBUTE_VALUE_MAX)
            if key == "versions":
                _version_value(errs, _s(item), f"{path}.versions[{i}]")
    if fields == 0:
        errs.invalid(path, "", "exactly one value must be specified")
    elif fields > 1:
        errs.invalid(path, go_json(_internal(attribute, _ATTRIBUTE)), "exactly one value must be specified")


def _version_value(errs: Errors, value: str, path: str) -> None:
    if not _SEMVER_RE.match(value):
        errs.invalid(path, value, "must be a string compatible with semver.org spec 2.0.0")
    if len(value) > ATTRIBUTE_VALUE_MAX:
        _too_long(errs, path, ATTRIBUTE_VALUE_MAX)


def _taint(errs: Errors, taint: Obj, path: str) -> None:
    _label_name(errs, taint.get("key"), f"{path}.key")
    if taint.get("value"):
        _label_value(errs, taint["value"], f"{path}.value")
    effect = taint.get("effect") or ""
    if not effect:
        errs.required(f"{path}.effect")
    elif effect not in TAINT_EFFECTS:
        errs.not_supported(f"{path}.effect", effect, TAINT_EFFECTS)


def _device(errs: Errors, device: Obj, old: Obj | None, path: str, per_device: bool) -> None:
    _dns_label(errs, device.get("name"), f"{path}.name")
    attributes, capacity = _d(device.get("attributes")), _d(device.get("capacity"))
    total = len(attributes) + len(capacity)
    if total > MAX_ATTRIBUTES_AND_CAPACITIES:
        errs.invalid(
            path, total, f"the total number of attributes and capacities must not exceed {MAX_ATTRIBUTES_AND_CAPACITIES}"
        )
    for key in sorted(attributes):
        _qualified_name(errs, key, f"{path}.attributes")
        _attribute(errs, _d(attributes[key]), f"{path}.attributes[{key}]")
    if old is None or old.get("capacity") != device.get("capacity"):
        multiple = device.get("allowMultipleAllocations") is True
        for key in sorted(capacity):
            _qualified_name(errs, key, f"{path}.capacity")
            if not multiple and _d(capacity[key]).get("requestPolicy") is not None:
                errs.forbidden(f"{path}.capacity[{key}].requestPolicy", "allowMultipleAllocations must be true")
    taints = _l(device.get("taints"))
    if old is None or old.get("taints") != device.get("taints"):
        if len(taints) > DEVICE_TAINTS_MAX:
            _too_many(errs, f"{path}.taints", len(taints), DEVICE_TAINTS_MAX)
        else:
            for i, taint in enumerate(taints):
                _taint(errs, _d(taint), f"{path}.taints[{i}]")
    node_name, node_selector, all_nodes = device.get("nodeName"), device.get("nodeSelector"), device.get("allNodes")
    if per_device:
        set_fields = []
        if node_name is not None:
            if node_name:
                set_fields.append("`nodeName`")
                _dns_subdomain(errs, node_name, f"{path}.nodeName")
            else:
                errs.invalid(f"{path}.nodeName", "", "must not be empty")
        if isinstance(node_selector, dict):
            set_fields.append("`nodeSelector`")
            _node_selector(errs, node_selector, f"{path}.nodeSelector")
        if all_nodes is not None:
            if all_nodes is True:
                set_fields.append("`allNodes`")
            else:
                errs.invalid(f"{path}.allNodes", all_nodes, "must be either unset or set to true")
        if not set_fields:
            errs.required(path, PER_DEVICE_MSG)
        elif len(set_fields) > 1:
            errs.invalid(path, "{" + ", ".join(set_fields) + "}", PER_DEVICE_MSG)
    elif node_name is not None or node_selector is not None or all_nodes is not None:
        errs.invalid(
            path, _NULL,
            "`nodeName`, `nodeSelector` and `allNodes` can only be set if `perDeviceNodeSelection` is set to true "
            "in the ResourceSlice spec",
        )


def _resource_slice_spec(errs: Errors, spec: Obj, old: Obj | None) -> None:
    _driver_name(errs, spec.get("driver"), "spec.driver")
    pool = _d(spec.get("pool"))
    _pool_name(errs, pool.get("name"), "spec.pool.name")
    if _i(pool.get("resourceSliceCount")) <= 0:
        errs.invalid("spec.pool.resourceSliceCount", _i(pool.get("resourceSliceCount")), "must be greater than zero")
    if _i(pool.get("generation")) < 0:
        errs.invalid("spec.pool.generation", _i(pool.get("generation")), "must be greater than or equal to zero")
    if old is not None:
        old_pool = _d(old.get("pool"))
        if pool.get("name") != old_pool.get("name"):
            errs.invalid("spec.pool.name", _s(pool.get("name")), FIELD_IMMUTABLE)
        if spec.get("driver") != old.get("driver"):
            errs.invalid("spec.driver", _s(spec.get("driver")), FIELD_IMMUTABLE)
        if spec.get("nodeName") != old.get("nodeName"):
            node = spec.get("nodeName")
            errs.invalid("spec.nodeName", _NULL if node is None else _s(node), FIELD_IMMUTABLE)
    set_fields = []
    node_name = spec.get("nodeName")
    if node_name is not None:
        if node_name:
            set_fields.append("`nodeName`")
            _dns_subdomain(errs, node_name, "spec.nodeName")
        else:
            errs.invalid("spec.nodeName", "", "must be either unset or set to a non-empty string")
    if isinstance(spec.get("nodeSelector"), dict):
        set_fields.append("`nodeSelector`")
        _node_selector(errs, spec["nodeSelector"], "spec.nodeSelector")
        terms = _l(spec["nodeSelector"].get("nodeSelectorTerms"))
        if len(terms) != 1:
            rendered = go_json([_internal(t, _NODE_TERM) for t in terms])
            errs.invalid("spec.nodeSelector.nodeSelectorTerms", rendered, "must have exactly one node selector term")
    for key in ("allNodes", "perDeviceNodeSelection"):
        value = spec.get(key)
        if value is None:
            continue
        if value is True:
            set_fields.append(f"`{key}`")
        else:
            errs.invalid(f"spec.{key}", value, "must be either unset or set to true")
    if not set_fields:
        errs.required("spec", NODE_FIELDS_MSG)
    elif len(set_fields) > 1:
        errs.invalid("spec", "{" + ", ".join(set_fields) + "}", NODE_FIELDS_MSG + ", but multiple fields are set")
    if spec.get("sharedCounters") is not None and spec.get("devices") is not None:
        errs.invalid("spec", "", "only one of `sharedCounters` or `devices` is allowed")
    devices = _l(spec.get("devices"))
    advanced = any(
        _d(d).get("taints") or _d(d).get("consumesCounters")
        or any(any(k in _d(a) for k in ("bools", "ints", "strings", "versions")) for a in _d(_d(d).get("attributes")).values())
        for d in devices
    )
    maximum = SLICE_MAX_DEVICES_ADVANCED if advanced else SLICE_MAX_DEVICES
    if len(devices) > maximum:
        _too_many(errs, "spec.devices", len(devices), maximum)
    else:
        old_devices = {_s(_d(d).get("name")): _d(d) for d in _l(_d(old).get("devices"))} if old is not None else {}
        per_device = spec.get("perDeviceNodeSelection") is True
        for i, device in enumerate(devices):
            device = _d(device)
            _device(errs, device, old_devices.get(_s(device.get("name"))), f"spec.devices[{i}]", per_device)
        _unique(errs, devices, lambda d: _s(_d(d).get("name")), "spec.devices")
    counter_sets = _l(spec.get("sharedCounters"))
    if len(counter_sets) > SLICE_MAX_COUNTER_SETS:
        _too_many(errs, "spec.sharedCounters", len(counter_sets), SLICE_MAX_COUNTER_SETS)
    else:
        for i, counter_set in enumerate(counter_sets):
            counter_set = _d(counter_set)
            cpath = f"spec.sharedCounters[{i}]"
            if not counter_set.get("name"):
                errs.required(f"{cpath}.name")
            else:
                _dns_label(errs, counter_set["name"], f"{cpath}.name")
            if not counter_set.get("counters"):
                errs.required(f"{cpath}.counters")
        _unique(errs, counter_sets, lambda c: _s(_d(c).get("name")), "spec.sharedCounters")


def validate_resource_slice(errs: Errors, obj: Obj) -> None:
    _resource_slice_spec(errs, _d(obj.get("spec")), None)


def validate_resource_slice_update(errs: Errors, obj: Obj, old: Obj) -> None:
    _resource_slice_spec(errs, _d(obj.get("spec")), _d(old.get("spec")))


# --------------------------------------------------------------------------- printers

_NAME: Column = ("Name", "string", 0, "name")
_AGE: Column = ("Age", "string", 0, "")


def claim_state(obj: Obj) -> str:
    """``resourceClaimState``."""
    deleted = bool(_d(obj.get("metadata")).get("deletionTimestamp"))
    status = _d(obj.get("status"))
    states = ["deleted"] if deleted else []
    if status.get("allocation") is None:
        if not deleted:
            states.append("pending")
    else:
        states.append("allocated")
        if _l(status.get("reservedFor")):
            states.append("reserved")
    return ",".join(states)


def _claim_cells(obj: Obj, now: float) -> list[Any]:
    meta = _d(obj.get("metadata"))
    return [meta.get("name", ""), claim_state(obj), since(meta.get("creationTimestamp"), now)]


def _slice_cells(obj: Obj, now: float) -> list[Any]:
    meta, spec = _d(obj.get("metadata")), _d(obj.get("spec"))
    return [
        meta.get("name", ""), _s(spec.get("nodeName")), _s(spec.get("driver")), _s(_d(spec.get("pool")).get("name")),
        since(meta.get("creationTimestamp"), now),
    ]


# --------------------------------------------------------------------------- the strategies


def _info(kind: str, plural: str, namespaced: bool, subresources: tuple[str, ...] = (), generation: bool = False) -> ResourceInfo:
    return ResourceInfo(GROUP, VERSION, kind, plural, kind.lower(), namespaced, (), subresources, generation)


STRATEGIES: tuple[Strategy, ...] = (
    Strategy(
        _info("DeviceClass", "deviceclasses", False, generation=True),
        validate=validate_device_class,
    ),
    Strategy(
        _info("ResourceClaim", "resourceclaims", True, ("status",)),
        default=default_resource_claim,
        validate=validate_resource_claim,
        validate_update=validate_resource_claim_update,
        columns=(_NAME, ("State", "string", 0, ""), _AGE),
        cells=_claim_cells,
        prepare_create=empty_claim_status,
    ),
    Strategy(
        _info("ResourceClaimTemplate", "resourceclaimtemplates", True),
        default=default_resource_claim_template,
        validate=validate_resource_claim_template,
        validate_update=validate_resource_claim_template_update,
    ),
    Strategy(
        _info("ResourceSlice", "resourceslices", False, generation=True),
        default=default_resource_slice,
        validate=validate_resource_slice,
        validate_update=validate_resource_slice_update,
        columns=(
            _NAME, ("Node", "string", 0, ""), ("Driver", "string", 0, ""), ("Pool", "string", 0, ""), _AGE,
        ),
        cells=_slice_cells,
    ),
)
