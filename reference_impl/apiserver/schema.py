"""What apiextensions-apiserver does with a CRD version's structural schema to a custom resource.

On decode (``apiserver/customresource_handler.go``'s ``unstructuredSchemaCoercer`` and
``unstructuredDefaulter``), in this order:

- pruning (``schema/pruning/algorithm.go``): fields the schema does not declare are dropped and
  their paths returned (what ``fieldValidation`` reports), except under
  ``x-kubernetes-preserve-unknown-fields``; the root's ``apiVersion``, ``kind`` and ``metadata``
  and those of an ``x-kubernetes-embedded-resource`` stay;
- ``null`` values of non-nullable fields without a default are dropped
  (``schema/defaulting/prunenulls.go``);
- the ``apiVersion``/``kind``/``metadata`` of embedded resources are coerced
  (``schema/objectmeta/algorithm.go``, ``coerce.go``): they must be strings and an ObjectMeta, the
  metadata goes through ObjectMeta (its unknown fields dropped and reported, empty fields gone),
  anything else is a 400;
- defaulting (``schema/defaulting/algorithm.go``): an absent (or non-nullable ``null``) property,
  additional property or item with a ``default`` gets a copy of it, recursively.

On create and update (``registry/customresource/strategy.go``, ``status_strategy.go``,
``validator.go``), the value validation of ``pkg/apiserver/validation/validation.go``: kube-openapi's
``pkg/validation/validate`` run over the whole object (the status subresource runs it over the
status with the status schema), with every keyword a structural schema may carry (type with
``nullable`` and ``x-kubernetes-int-or-string``, ``format`` (the supported formats), ``enum``,
bounds (exclusive too), ``multipleOf``, lengths, ``pattern``, item and property counts,
``required``, ``allOf``/``anyOf``/``oneOf``/``not``), kube-openapi's match counting (which failing
``anyOf``/``oneOf`` branch is reported) and message de-duplication, turned into causes by
``kubeOpenAPIResultToFieldErrors`` (``<nil>`` fields and all); validation ratcheting on updates
(``validation/ratcheting.go`` and apiserver's ``cel/common/equality.go``: errors under a value
equal to the stored one are dropped); the embedded resources' ``apiVersion``/``kind``/ObjectMeta
checks (``schema/objectmeta/validation.go``); and ``x-kubernetes-list-type`` ``set``/``map``
uniqueness (``schema/listtype/validation.go``).

Where Go iterates a map (properties, object keys), causes come out with keys sorted. Leaves out:
CEL (``x-kubernetes-validations`` rules are not evaluated; only the cause saying they were not,
on an object with a blocking error, is given), ``uniqueItems``, ``patternProperties`` and ``dependencies``
(a CRD's schema cannot have them), managedFields
validation of embedded metadata, Go-only regular expression syntax in ``pattern`` (``\\p{..}``
classes; such a pattern matches everything here) and the exact text of ObjectMeta time parse
errors. Numbers stay Python's: a ``2.0`` is stored as ``2.0`` where Go writes ``2``.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime
import functools
import ipaddress
import json
import math
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from reference_impl.apiserver.errors import ApiError
from reference_impl.apiserver.validation import (
    Errors,
    _annotations,
    _labels,
    is_dns1035_label,
    is_dns1123_label,
    is_qualified_name,
)

Obj = dict[str, Any]

PRESERVE = "x-kubernetes-preserve-unknown-fields"
EMBEDDED = "x-kubernetes-embedded-resource"
INT_OR_STRING = "x-kubernetes-int-or-string"
_META = ("apiVersion", "kind", "metadata")


# == Go's renderings of JSON values =====================================================================


def _go_quote(s: str) -> str:
    """``strconv.Quote`` (``%q``)."""
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch.isprintable():
            out.append(ch)
        elif ch in _C_ESCAPES:
            out.append(_C_ESCAPES[ch])
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


_C_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def _digits(f: float) -> tuple[str, int]:
    """The shortest decimal digits of ``abs(f)`` and the decimal point's position (strconv's)."""
    mantissa, _, exponent = repr(abs(f)).partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    point = len(whole) + (int(exponent) if exponent else 0) - (len(whole + frac) - len((whole + frac).lstrip("0")))
    digits = digits.rstrip("0") or "0"
    return digits, point


def _format_float(f: float, style: str) -> str:
    """``strconv.FormatFloat(f, style, -1, 64)`` for style ``f`` or ``e``."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, f) < 0 else ""
    if f == 0:
        return sign + ("0" if style == "f" else "0e+00")
    digits, point = _digits(f)
    if style == "e":
        exp = point - 1
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def _go_float(f: float) -> str:
    """``%v`` of a float64: ``%g`` with the shortest digits, exponent form from 1e+06 (and below 1e-4)."""
    if f == 0 or math.isnan(f) or math.isinf(f):
        return _format_float(f, "f")
    exp = _digits(f)[1] - 1
    return _format_float(f, "e" if exp < -4 or exp >= 6 else "f")


def go_v(value: Any) -> str:
    """``%v`` of a JSON value as Go holds it (``map[k:v]``, ``[a b]``, ``<nil>``)."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_v(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_v(v) for v in value) + "]"
    return str(value)


def go_type(value: Any) -> str:
    """``%T`` of a JSON value as Go holds it."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "[]interface {}"
    return "map[string]interface {}"


def go_json(value: Any) -> str:
    """``json.Marshal`` of a JSON value: keys sorted, HTML characters escaped, Go's float forms."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != 0 and (abs(value) < 1e-6 or abs(value) >= 1e21):
            text = _format_float(value, "e")
            return re.sub(r"e([+-])0(\d)$", r"e\1\2", text)
        return _format_float(value, "f")
    if isinstance(value, str):
        return _json_string(value)
    if isinstance(value, list):
        return "[" + ",".join(go_json(v) for v in value) + "]"
    return "{" + ",".join(f"{_json_string(str(k))}:{go_json(value[k])}" for k in sorted(value)) + "}"


_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t",
                 "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _json_string(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch in _JSON_ESCAPES:
            out.append(_JSON_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _bad_value(value: Any) -> str:
    """A ``field.Error``'s bad value as ``ErrorBody`` prints an ``interface{}`` holding JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, str):
        return _go_quote(value)
    return go_json(value)


def _strict_equal(a: Any, b: Any) -> bool:
    """``reflect.DeepEqual`` of two JSON values: an int is not a float, nor a bool an int."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_strict_equal(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(_strict_equal(x, y) for x, y in zip(a, b))
    return bool(a == b)


# == the structural schema, as the CRD gives it ============================================================


def _props(s: Obj) -> Obj:
    props = s.get("properties")
    return props if isinstance(props, dict) else {}


def _extra(s: Obj) -> tuple[bool, Obj | None]:
    """Whether ``additionalProperties`` is set, and its schema (None for a bare ``true``)."""
    extra = s.get("additionalProperties")
    if isinstance(extra, dict):
        return True, extra
    return extra is not None, None


def _items(s: Obj | None) -> Obj | None:
    items = None if s is None else s.get("items")
    return items if isinstance(items, dict) else None


def _field_schema(s: Obj | None, key: str) -> Obj | None:
    if s is None:
        return None
    props = _props(s)
    if key in props:
        return props[key]  # type: ignore[no-any-return]
    return _extra(s)[1]


def _has_default(s: Obj) -> bool:
    return s.get("default") is not None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# == pruning, null pruning and the coercion of embedded resources ==========================================


def prune(obj: Obj, schema: Obj) -> list[str]:
    """What the decoder does to a custom resource before defaulting, in place: prune, drop
    non-nullable nulls, coerce embedded resources. Returns the unknown fields' paths
    (``spec.foo``, ``spec.list[0].bar``, ``spec.template.metadata.baz``): the pruned ones sorted,
    then those of embedded metadata, sorted. Raises a 400 ApiError for an embedded resource whose
    type or metadata cannot be decoded.
    """
    unknown: list[str] = []
    _prune(obj, schema, "", unknown, root=True)
    unknown.sort()
    _prune_nulls(obj, schema)
    meta_unknown: list[str] = []
    try:
        _coerce(obj, schema, "", meta_unknown)
    except _FieldError as e:
        kind = str(obj.get("kind") or "")
        version = str(obj.get("apiVersion") or "").rpartition("/")[2]
        raise ApiError(400, "BadRequest", f"{kind} in version {json.dumps(version)} cannot be handled as a {kind}: {e}") from None
    return unknown + sorted(meta_unknown)


def _prune(x: Any, s: Obj | None, path: str, unknown: list[str], *, root: bool = False) -> None:
    if s is not None and s.get(PRESERVE) is True:
        _skip_prune(x, s, path, unknown, root=root)
        return
    if isinstance(x, dict):
        if s is None:
            for k in list(x):
                unknown.append(_join(path, k))
                del x[k]
            return
        embedded = root or s.get(EMBEDDED) is True
        props = _props(s)
        has_extra, extra = _extra(s)
        for k in list(x):
            if embedded and k in _META:
                continue
            if k in props:
                _prune(x[k], props[k], _join(path, k), unknown)
            elif has_extra:
                _prune(x[k], extra, _join(path, k), unknown)
            else:
                unknown.append(_join(path, k))
                del x[k]
    elif isinstance(x, list):
        items = _items(s)
        for i, v in enumerate(x):
            _prune(v, items, f"{path}[{i}]", unknown)


def _skip_prune(x: Any, s: Obj | None, path: str, unknown: list[str], *, root: bool = False) -> None:
    # x-kubernetes-preserve-unknown-fields: unknown fields stay, declared ones are pruned inside
    if s is None:
        return
    if isinstance(x, dict):
        embedded = root or s.get(EMBEDDED) is True
        props = _props(s)
        has_extra, extra = _extra(s)
        for k, v in x.items():
            if embedded and k in _META:
                continue
            if k in props:
                _prune(v, props[k], _join(path, k), unknown)
            elif has_extra:
                _prune(v, extra, _join(path, k), unknown)
    elif isinstance(x, list):
        for i, v in enumerate(x):
            _skip_prune(v, _items(s), f"{path}[{i}]", unknown)


def _prune_nulls(x: Any, s: Obj | None) -> None:
    """``PruneNonNullableNullsWithoutDefaults``: an object's ``null`` nobody may hold goes."""
    if isinstance(x, dict):
        for k in list(x):
            sub = _field_schema(s, k)
            if x[k] is None and sub is not None and sub.get("nullable") is not True and not _has_default(sub):
                del x[k]
            else:
                _prune_nulls(x[k], sub)
    elif isinstance(x, list):
        items = _items(s)
        for v in x:
            _prune_nulls(v, items)


class _FieldError(Exception):
    """A ``field.Error`` raised while decoding: its text is the 400's message tail."""


def _coerce(x: Any, s: Obj | None, path: str, unknown: list[str]) -> None:
    """``objectmeta.Coerce`` (not at the root): embedded resources' type strings and ObjectMeta."""
    if s is None:
        return
    if isinstance(x, dict):
        props = _props(s)
        has_extra, extra = _extra(s)
        for k in sorted(x):
            v = x[k]
            if s.get(EMBEDDED) is True:
                if k in ("apiVersion", "kind") and not isinstance(v, str):
                    raise _FieldError(f"{_join(path, k)}: Invalid value: {_bad_value(v)}: must be a string")
                if k == "metadata":
                    meta_path = _join(path, "metadata")
                    try:
                        meta = _object_meta(v, meta_path, unknown)
                    except _MetaError as e:
                        raise _FieldError(f"{meta_path}: Invalid value: {_bad_value(v)}: {e}") from None
                    x["metadata"] = meta
            if k in props:
                _coerce(v, props[k], _join(path, k), unknown)
            elif has_extra:
                _coerce(v, extra, f"{path}[{k}]", unknown)
    elif isinstance(x, list):
        for i, v in enumerate(x):
            _coerce(v, _items(s), f"{path}[{i}]", unknown)


# -- an embedded resource's metadata through metav1.ObjectMeta ---------------------------------------------


class _MetaError(Exception):
    """The JSON decoder's error for metadata that is no ObjectMeta."""


_TIME = "time"
_RAW = "raw"
_OWNER_FIELDS: dict[str, Any] = {"apiVersion": "string", "kind": "string", "name": "string", "uid": "string",
                                 "controller": "bool", "blockOwnerDeletion": "bool"}
_MANAGED_FIELDS: dict[str, Any] = {"manager": "string", "operation": "string", "apiVersion": "string", "time": _TIME,
                                   "fieldsType": "string", "fieldsV1": _RAW, "subresource": "string"}
# ObjectMeta's fields in declaration order with their Go types; a tuple is a list of structs
_OBJECT_META: dict[str, Any] = {
    "name": "string", "generateName": "string", "namespace": "string", "selfLink": "string", "uid": "string",
    "resourceVersion": "string", "generation": "int64", "creationTimestamp": _TIME, "deletionTimestamp": _TIME,
    "deletionGracePeriodSeconds": "int64", "labels": "map[string]string", "annotations": "map[string]string",
    "ownerReferences": ("v1.OwnerReference", _OWNER_FIELDS), "finalizers": "[]string",
    "managedFields": ("v1.ManagedFieldsEntry", _MANAGED_FIELDS),
}
_RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _json_kind(value: Any, number_text: bool = False) -> str:
    """The ``UnmarshalTypeError.Value`` of a JSON value."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return f"number {go_json(value)}" if number_text else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _object_meta(value: Any, meta_path: str, unknown: list[str]) -> Obj:
    """``GetObjectMetaWithOptions`` then ``SetObjectMeta``: the metadata as ObjectMeta writes it back."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _MetaError(f"json: cannot unmarshal {_json_kind(value)} into Go value of type v1.ObjectMeta")
    decoded = _decode_struct(value, _OBJECT_META, "ObjectMeta", [], f"{meta_path}.", unknown)
    return {k: decoded[k] for k in _OBJECT_META if k in decoded}


def _decode_struct(value: Obj, fields: dict[str, Any], struct: str, stack: list[str], prefix: str,
                   unknown: list[str]) -> Obj:
    # keys in sorted order: Go marshals the map (sorting it) before decoding, and reports the first error
    out: Obj = {}
    for k in sorted(value):
        if k not in fields:
            unknown.append(prefix + k)
            continue
        decoded = _decode_value(value[k], fields[k], struct, [*stack, k], f"{prefix}{k}", unknown)
        if decoded is not None:
            out[k] = decoded
    return out


def _decode_value(v: Any, kind: Any, struct: str, stack: list[str], path: str, unknown: list[str]) -> Any:
    """One field decoded and re-encoded as ToUnstructured does (None: omitted)."""
    field = ".".join(stack)
    if v is None or kind == _RAW:
        return v
    if kind == _TIME:
        if not isinstance(v, str):
            raise _MetaError(f"json: cannot unmarshal {_json_kind(v)} into Go struct field {struct}.{field} of type string")
        return _rfc3339(v)
    if isinstance(kind, tuple):
        go_type, sub_fields = kind
        if not isinstance(v, list):
            raise _MetaError(f"json: cannot unmarshal {_json_kind(v)} into Go struct field {struct}.{field} of type []{go_type}")
        items = []
        for i, item in enumerate(v):
            if item is None:
                item = {}
            if not isinstance(item, dict):
                raise _MetaError(f"json: cannot unmarshal {_json_kind(item)} into Go struct field {struct}.{field} of type {go_type}")
            entry = _decode_struct(item, sub_fields, struct, stack, f"{path}[{i}].", unknown)
            if go_type == "v1.OwnerReference":  # apiVersion, kind, name and uid have no omitempty
                entry = {**{k: entry.get(k, "") for k in ("apiVersion", "kind", "name", "uid")}, **entry}
            items.append(entry)
        return items or None
    if kind == "string":
        if not isinstance(v, str):
            raise _MetaError(f"json: cannot unmarshal {_json_kind(v)} into Go struct field {struct}.{field} of type string")
        return v or None
    if kind == "bool":
        if not isinstance(v, bool):
            raise _MetaError(f"json: cannot unmarshal {_json_kind(v)} into Go struct field {struct}.{field} of type bool")
        return v
    if kind == "int64":
        if isinstance(v, bool) or not isinstance(v, int | float) or (isinstance(v, float) and not v.is_integer()):
            raise _MetaError(f"json: cannot unmarshal {_json_kind(v, True)} into Go struct field {struct}.{field} of type int64")
        if field == "generation":
            return int(v) or None
        return int(v)
    if kind == "map[string]string":
        if not isinstance(v, dict):
            raise _MetaError(f"json: cannot unmarshal {_json_kind(v)} into Go struct field {struct}.{field} of type {kind}")
        for k in sorted(v):
            if v[k] is not None and not isinstance(v[k], str):
                raise _MetaError(f"json: cannot unmarshal {_json_kind(v[k])} into Go struct field {struct}.{field} of type string")
        return {k: v[k] or "" for k in v} or None
    # []string
    if not isinstance(v, list):
        raise _MetaError(f"json: cannot unmarshal {_json_kind(v)} into Go struct field {struct}.{field} of type []string")
    for item in v:
        if item is not None and not isinstance(item, str):
            raise _MetaError(f"json: cannot unmarshal {_json_kind(item)} into Go struct field {struct}.{field} of type string")
    return [item or "" for item in v] or None


def _rfc3339(text: str) -> str:
    """A metav1.Time: parsed as RFC 3339 and written back in UTC to the second."""
    m = _RFC3339.match(text)
    when = None
    if m:
        try:
            when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            when = None
    if when is None:
        raise _MetaError(f'parsing time {_go_quote(text)} as "2006-01-02T15:04:05Z07:00": cannot parse '
                         f'{_go_quote(text)} as "2006"')
    return when.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# == defaulting ====================================================================================


def declares_defaults(schema: Any) -> bool:
    """Whether a ``default`` appears anywhere in the schema (a property so named counts too:
    a defaulting pass then does nothing)."""
    if isinstance(schema, dict):
        return "default" in schema or any(declares_defaults(v) for v in schema.values())
    if isinstance(schema, list):
        return any(declares_defaults(v) for v in schema)
    return False


def default(obj: Obj, schema: Obj) -> None:
    """Fill the schema's defaults in place (``structuraldefaulting.Default``)."""
    _default(obj, schema)


def _null_to_default(value: Any, s: Obj | None) -> bool:
    return value is None and s is not None and s.get("nullable") is not True


def _default(x: Any, s: Obj | None) -> None:
    if s is None:
        return
    if isinstance(x, dict):
        props = _props(s)
        for k, prop in props.items():
            if isinstance(prop, dict) and _has_default(prop) and (k not in x or _null_to_default(x[k], prop)):
                x[k] = copy.deepcopy(prop["default"])
        extra = _extra(s)[1]
        for k in list(x):
            if k in props:
                _default(x[k], props[k])
            elif extra is not None:
                if _null_to_default(x[k], extra):
                    x[k] = copy.deepcopy(extra.get("default"))
                _default(x[k], extra)
    elif isinstance(x, list):
        items = _items(s)
        for i in range(len(x)):
            if _null_to_default(x[i], items):
                assert items is not None
                x[i] = copy.deepcopy(items.get("default"))
            _default(x[i], items)


# == kube-openapi's validate package =================================================================

# errors.Validation codes (the ones kubeOpenAPIResultToFieldErrors tells apart), and PLAIN for the
# errors that are no Validation (composite messages, range-check errors)
INVALID_TYPE, REQUIRED, TOO_LONG, TOO_SHORT, PATTERN, ENUM, MULTIPLE_OF, MAX, MIN = range(9)
MAX_ITEMS, MIN_ITEMS, TOO_FEW_PROPERTIES, TOO_MANY_PROPERTIES, UNALLOWED_PROPERTY, MULTIPLE_OF_POSITIVE, PLAIN = range(9, 16)
_NO_VALUE = object()


class _Error:
    """One kube-openapi error: code, the path it names, its message, the bad and the valid value."""

    __slots__ = ("code", "message", "name", "valid", "value", "values")

    def __init__(self, code: int, name: str, message: str, value: Any = _NO_VALUE, valid: Any = None,
                 values: list[Any] | None = None) -> None:
        self.code = code
        self.name = name
        self.message = message
        self.value = value
        self.valid = valid
        self.values = values


class _Result:
    """``validate.Result``: errors (a message is kept once) and the match count anyOf/oneOf rank by."""

    __slots__ = ("errors", "matches")

    def __init__(self) -> None:
        self.errors: list[_Error] = []
        self.matches = 0

    def add(self, error: _Error | None) -> None:
        if error is not None and all(e.message != error.message for e in self.errors):
            self.errors.append(error)

    def merge(self, other: _Result | None) -> None:
        if other is not None:
            for e in other.errors:
                self.add(e)
            self.matches += other.matches

    @property
    def valid(self) -> bool:
        return not self.errors


def _failed(error: _Error) -> _Result:
    res = _Result()
    res.errors.append(error)
    return res


def _invalid_type(path: str, type_name: str, value: str) -> _Error:
    return _Error(INVALID_TYPE, path, f"{path} in body must be of type {type_name}: {_go_quote(value)}", value)


def _types(s: Obj) -> list[str]:
    if s.get(INT_OR_STRING) is True:
        return ["integer", "string"]
    kind = s.get("type")
    return [kind] if isinstance(kind, str) and kind else []


def _format(s: Obj, types: list[str]) -> str:
    """The schema's format after ``StripUnsupportedFormatsPostProcessorForVersion``."""
    fmt = s.get("format")
    if not isinstance(fmt, str) or not fmt:
        return ""
    kind = types[0] if len(types) == 1 else ""
    if kind in ("", "string"):
        return fmt if fmt.replace("-", "") in _FORMATS else ""
    if kind == "integer":
        return fmt if fmt in ("int32", "int64") else ""
    if kind == "number":
        return fmt if fmt in ("float", "double") else ""
    return ""


class _Correlated:
    """``common.CorrelatedObject``: a new value with the old one at the same place, for ratcheting."""

    __slots__ = ("_children", "_equal", "new", "old", "schema")

    def __init__(self, new: Any, old: Any, schema: Obj) -> None:
        self.new = new
        self.old = old
        self.schema = schema
        self._equal: bool | None = None
        # (each child made once: validation and the equality check above it share its answer)
        self._children: dict[str | int, _Correlated | None] = {}

    def key(self, field: str) -> _Correlated | None:
        if field not in self._children:
            self._children[field] = self._key(field)
        return self._children[field]

    def _key(self, field: str) -> _Correlated | None:
        if not (isinstance(self.new, dict) and isinstance(self.old, dict)) or field not in self.new or field not in self.old:
            return None
        props = _props(self.schema)
        sub = props[field] if field in props else _extra(self.schema)[1]
        return None if not isinstance(sub, dict) else _Correlated(self.new[field], self.old[field], sub)

    def index(self, i: int) -> _Correlated | None:
        if i not in self._children:
            self._children[i] = self._index(i)
        return self._children[i]

    def _index(self, i: int) -> _Correlated | None:
        # only a list-type map's items pair up with old ones: by their keys
        items = _items(self.schema)
        if items is None or self.schema.get("x-kubernetes-list-type") != "map":
            return None
        if not (isinstance(self.new, list) and isinstance(self.old, list)) or i >= len(self.new):
            return None
        keys = self.schema.get("x-kubernetes-list-map-keys") or []
        wanted = _map_key(self.new[i], keys)
        if wanted is None:
            return None
        for item in self.old:
            if _map_key(item, keys) == wanted:
                return _Correlated(self.new[i], item, items)
        return None

    def equal(self) -> bool:
        """``CachedDeepEqual``: equal, and (for objects) every field known to the schema."""
        if self._equal is None:
            self._equal = self._compare()
        return self._equal

    def _compare(self) -> bool:
        new, old = self.new, self.old
        if new is None or old is None:
            return new is None and old is None
        if isinstance(old, list) != isinstance(new, list) or isinstance(old, dict) != isinstance(new, dict):
            return False
        if isinstance(old, list):
            if len(old) != len(new):
                return False
            for i in range(len(new)):
                child = self.index(i)
                if child is None:
                    return self.schema.get("x-kubernetes-list-type") != "map" and _strict_equal(old, new)
                if not child.equal():
                    return False
            return True
        if isinstance(old, dict):
            if len(old) != len(new):
                return False
            for k in new:
                child = self.key(k)
                if child is None or not child.equal():
                    return False
            return True
        return _strict_equal(old, new)


def _map_key(item: Any, keys: list[Any]) -> tuple[Any, ...] | None:
    """A list-map item's key (typed: 1, 1.0 and true differ), None without one."""
    if not isinstance(item, dict) or not keys:
        return None
    out = []
    for k in keys:
        if k not in item or not isinstance(item[k], bool | int | float | str):
            return None
        out.append((type(item[k]).__name__, item[k]))
    return tuple(out)


def _validate(value: Any, s: Obj, path: str, node: _Correlated | None) -> _Result:
    """A value against a schema; under ratcheting, errors of a value equal to the old one are dropped."""
    res = _check(value, s, path, node)
    if node is not None and res.errors and node.equal():
        dropped = _Result()
        dropped.matches = res.matches
        return dropped
    return res


def _check(value: Any, s: Obj, path: str, node: _Correlated | None) -> _Result:
    """``SchemaValidator.Validate``: each applicable validator in kube-openapi's order."""
    res = _Result()
    types = _types(s)
    fmt = _format(s, types)
    if value is None:
        res.merge(_check_type(value, s, types, fmt, path))
        res.merge(_check_enum(value, s, path))
        return res
    if types or fmt:
        res.merge(_check_type(value, s, types, fmt, path))
        res.matches += 1
    res.merge(_check_combinators(value, s, path, node))
    res.matches += 1
    if isinstance(value, str):
        res.merge(_check_string(value, s, path))
        res.matches += 1
        if fmt and fmt.replace("-", "") in _FORMATS:
            if not _FORMATS[fmt.replace("-", "")](value):
                res.add(_invalid_type(path, fmt, value))
            res.matches += 1
    if isinstance(value, int | float) and not isinstance(value, bool):
        res.merge(_check_number(value, s, types, fmt, path))
        res.matches += 1
    if isinstance(value, list):
        res.merge(_check_items(value, s, path, node))
        res.matches += 1
    res.merge(_check_enum(value, s, path))
    res.matches += 1
    if isinstance(value, dict):
        res.merge(_check_object(value, s, path, node))
        res.matches += 1
    res.matches += 1
    return res


def _json_type(value: Any) -> tuple[str, str]:
    """``schemaInfoForType``: the JSON type of a value and the format Go's type of it has."""
    if isinstance(value, bool):
        return "boolean", ""
    if isinstance(value, int):
        return "integer", "int64"
    if isinstance(value, float):
        return "number", "float64"
    if isinstance(value, str):
        return "string", ""
    if isinstance(value, list):
        return "array", ""
    return "object", ""


def _is_json_integer(f: float) -> bool:
    """``swag.IsFloat64AJSONInteger``."""
    if math.isnan(f) or math.isinf(f) or abs(f) > 2**53 - 1:
        return False
    if f.is_integer():
        return True
    if f < 0:
        return False
    g = float(math.trunc(f))
    diff = abs(f - g)
    if g == 0 or diff < 5e-324:
        return diff < 1e-9 * 5e-324
    return diff / min(abs(f) + abs(g), 1.7976931348623157e308) < 1e-9


def _check_type(value: Any, s: Obj, types: list[str], fmt: str, path: str) -> _Result:
    if value is None:
        if types and s.get("nullable") is not True:
            return _failed(_invalid_type(path, ",".join(types), "null"))
        ok = _Result()
        ok.matches = 1
        return ok
    json_type, go_format = _json_type(value)
    float_int = json_type == "number" and _is_json_integer(value) and "integer" in types
    int_float = json_type == "integer" and "number" in types
    textual = isinstance(value, str | list)
    if not textual and fmt and not (json_type in types or go_format == fmt or float_int or int_float):
        return _failed(_invalid_type(path, fmt, go_format))
    if not ("number" in types or "integer" in types) and fmt and textual:
        ok = _Result()
        ok.matches = 1
        return ok
    if not (json_type in types or float_int or int_float):
        return _failed(_invalid_type(path, ",".join(types), json_type))
    ok = _Result()
    ok.matches = 1
    return ok


def _check_combinators(value: Any, s: Obj, path: str, node: _Correlated | None) -> _Result:
    """``schemaPropsValidator``: anyOf, oneOf, allOf and not, with the best failure reported."""
    main = _Result()
    quoted = _go_quote(path)
    any_of = [b for b in s.get("anyOf") or [] if isinstance(b, dict)]
    if any_of:
        best: _Result | None = None
        first_success: _Result | None = None
        for branch in any_of:
            r = _check(value, branch, path, node)
            if r.valid:
                best, first_success = None, r
                break
            if best is None or r.matches > best.matches:
                best = r
        if first_success is None:
            main.add(_Error(PLAIN, path, f"{quoted} must validate at least one schema (anyOf)"))
        main.merge(best if best is not None else first_success)
    one_of = [b for b in s.get("oneOf") or [] if isinstance(b, dict)]
    if one_of:
        best = first_success = None
        validated = 0
        for branch in one_of:
            r = _check(value, branch, path, node)
            if r.valid:
                validated += 1
                best = None
                first_success = first_success or r
                continue
            if validated == 0 and (best is None or r.matches > best.matches):
                best = r
        if validated != 1:
            found = "Found none valid" if validated == 0 else f"Found {validated} valid alternatives"
            main.add(_Error(PLAIN, path, f"{quoted} must validate one and only one schema (oneOf). {found}"))
            main.merge(best)
        else:
            main.merge(first_success)
    all_of = [b for b in s.get("allOf") or [] if isinstance(b, dict)]
    if all_of:
        validated = 0
        for branch in all_of:
            r = _check(value, branch, path, node)
            validated += r.valid
            main.merge(r)
        if validated != len(all_of):
            main.add(_Error(PLAIN, path, f"{quoted} must validate all the schemas (allOf)"
                            + (". None validated" if validated == 0 else "")))
    negated = s.get("not")
    if isinstance(negated, dict) and _check(value, negated, path, node).valid:
        main.add(_Error(PLAIN, path, f"{quoted} must not validate the schema (not)"))
    main.matches += 1
    return main


def _check_string(value: str, s: Obj, path: str) -> _Result | None:
    """``stringValidator``: the first of maxLength, minLength, pattern to fail."""
    max_length, min_length, pattern = s.get("maxLength"), s.get("minLength"), s.get("pattern")
    if isinstance(max_length, int) and len(value) > max_length:
        return _failed(_Error(TOO_LONG, path, f"{path} in body should be at most {max_length} chars long", value, max_length))
    if isinstance(min_length, int) and len(value) < min_length:
        return _failed(_Error(TOO_SHORT, path, f"{path} in body should be at least {min_length} chars long", value, min_length))
    if isinstance(pattern, str) and pattern:
        compiled = _go_regexp(pattern)
        if compiled is not None and not compiled.search(value):
            return _failed(_Error(PATTERN, path, f"{path} in body should match '{pattern}'", value))
    return None


@functools.lru_cache(maxsize=1024)
def _go_regexp(pattern: str) -> re.Pattern[str] | None:
    """A Go (RE2) pattern in Python's syntax: ``$`` and ``\\z`` end the text, not a last line."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            out.append("\\Z" if nxt == "z" and not in_class else ch + nxt)
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class:
            in_class = False
        out.append("\\Z" if ch == "$" and not in_class else ch)
        i += 1
    try:
        return re.compile("".join(out))
    except re.error:
        return None  # RE2 syntax Python lacks (\pL, ...): the CRD's pattern compiled in Go


def _range_error(value: int | float, type_name: str, fmt: str, prefix: str, path: str) -> _Error | None:
    """``IsValueValidAgainstRange``: does the number fit the schema's type and format?"""
    text = str(value) if isinstance(value, int) else _format_float(value, "f")
    ok = True
    if type_name == "integer":
        ok = re.fullmatch(r"[+-]?\d+", text) is not None
        if ok:
            bits = 32 if fmt == "int32" else 64
            ok = -(2 ** (bits - 1)) <= int(text) < 2 ** (bits - 1)
    elif fmt in ("float", "float32"):
        ok = abs(float(value)) <= 3.4028235677973366e38
    if ok:
        return None
    detail = f"with format {fmt}" if fmt else "(default format)"
    return _Error(PLAIN, path, f"{prefix} value must be of type {type_name} {detail} in {path}")


def _check_number(value: int | float, s: Obj, types: list[str], fmt: str, path: str) -> _Result:
    """``numberValidator``: the range check, then multipleOf, minimum, maximum."""
    type_name = types[0] if len(types) == 1 and types[0] in ("integer", "number") else ""
    num_fmt = fmt if (type_name == "integer" and fmt in ("int32", "int64")) or (
        type_name == "number" and fmt in ("float", "double")) else ""
    res = _Result()
    res.add(_range_error(value, type_name, num_fmt, "Checked", path))
    multiple = _Result()
    factor = s.get("multipleOf")
    if isinstance(factor, int | float) and not isinstance(factor, bool):
        multiple.add(_range_error(float(factor), type_name, num_fmt, "MultipleOf", path))
        if multiple.valid and isinstance(value, int):
            multiple.add(_multiple_of_int(path, value, math.trunc(factor)))
        else:
            multiple.add(_multiple_of(path, float(value), float(factor)))
    minimum = _Result()
    low = s.get("minimum")
    if isinstance(low, int | float) and not isinstance(low, bool):
        exclusive = s.get("exclusiveMinimum") is True
        minimum.add(_range_error(float(low), type_name, num_fmt, "Minimum boundary", path))
        if minimum.valid and isinstance(value, int):
            bound = math.trunc(low)
            if value < bound or (exclusive and value == bound):
                minimum.add(_bound_error(MIN, path, "greater than", bound, exclusive, value))
        elif float(value) < low or (exclusive and float(value) == low):
            minimum.add(_bound_error(MIN, path, "greater than", float(low), exclusive, float(value)))
    maximum = _Result()
    high = s.get("maximum")
    if isinstance(high, int | float) and not isinstance(high, bool):
        exclusive = s.get("exclusiveMaximum") is True
        maximum.add(_range_error(float(high), type_name, num_fmt, "Maximum boundary", path))
        if maximum.valid and isinstance(value, int):
            bound = math.trunc(high)
            if value > bound or (exclusive and value == bound):
                maximum.add(_bound_error(MAX, path, "less than", bound, exclusive, value))
        elif float(value) > high or (exclusive and float(value) == high):
            maximum.add(_bound_error(MAX, path, "less than", float(high), exclusive, float(value)))
    res.merge(multiple)
    res.merge(minimum)
    res.merge(maximum)
    res.matches += 1
    return res


def _bound_error(code: int, path: str, relation: str, bound: int | float, exclusive: bool, value: int | float) -> _Error:
    shown = _go_float(bound) if isinstance(bound, float) else str(bound)
    return _Error(code, path, f"{path} in body should be {relation}{'' if exclusive else ' or equal to'} {shown}", value)


def _multiple_of_int(path: str, value: int, factor: int) -> _Error | None:
    if factor <= 0:
        return _Error(MULTIPLE_OF_POSITIVE, path, f"factor MultipleOf declared for {path} must be positive: {factor}", factor)
    if value % factor:
        return _Error(MULTIPLE_OF, path, f"{path} in body should be a multiple of {factor}", value)
    return None


def _multiple_of(path: str, value: float, factor: float) -> _Error | None:
    if factor <= 0:
        return _Error(MULTIPLE_OF_POSITIVE, path, f"factor MultipleOf declared for {path} must be positive: "
                      f"{_go_float(factor)}", factor)
    quotient = 1 / factor * value if factor < 1 else value / factor
    if not _is_json_integer(quotient):
        return _Error(MULTIPLE_OF, path, f"{path} in body should be a multiple of {_go_float(factor)}", value)
    return None


def _check_items(value: list[Any], s: Obj, path: str, node: _Correlated | None) -> _Result:
    """``schemaSliceValidator``: the items, then minItems and maxItems."""
    res = _Result()
    items = _items(s)
    if items is not None:
        for i, item in enumerate(value):
            res.merge(_validate(item, items, f"{path}[{i}]", node.index(i) if node is not None else None))
    low, high = s.get("minItems"), s.get("maxItems")
    if isinstance(low, int) and len(value) < low:
        res.add(_Error(MIN_ITEMS, path, f"{path} in body should have at least {low} items", len(value), low))
    if isinstance(high, int) and len(value) > high:
        res.add(_Error(MAX_ITEMS, path, f"{path} in body should have at most {high} items", len(value), high))
    res.matches += 1
    return res


def _enum_match(value: Any, member: Any) -> bool:
    """``reflect.Value.Convert`` then ``DeepEqual``: the value as the member's Go type."""
    if value is None or member is None:
        return False
    if isinstance(member, bool) or isinstance(value, bool):
        return isinstance(member, bool) and isinstance(value, bool) and value == member
    if isinstance(member, int | float):
        if not isinstance(value, int | float):
            return False
        converted = math.trunc(value) if isinstance(member, int) else float(value)
        return bool(converted == member)
    if isinstance(member, str):
        if isinstance(value, int):  # Go converts an integer to the string of that rune
            return (chr(value) if 0 <= value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF else "\ufffd") == member
        return isinstance(value, str) and value == member
    return _strict_equal(value, member)


def _check_enum(value: Any, s: Obj, path: str) -> _Result | None:
    enum = s.get("enum")
    if not isinstance(enum, list) or not enum or any(_enum_match(value, e) for e in enum):
        return None
    shown = "[" + " ".join(go_v(e) for e in enum) + "]"
    return _failed(_Error(ENUM, path, f"{path} in body should be one of {shown}", value, values=enum))


def _child(node: _Correlated | None, path: str, key: str) -> _Correlated | None:
    # (the root's kind and apiVersion are never ratcheted)
    return None if node is None or (path == "" and key in ("kind", "apiVersion")) else node.key(key)


def _check_object(value: Obj, s: Obj, path: str, node: _Correlated | None) -> _Result:
    """``objectValidator``: property counts, additional properties, properties, required."""
    res = _Result()
    count = len(value)
    low, high = s.get("minProperties"), s.get("maxProperties")
    if isinstance(low, int) and count < low:
        res.add(_Error(TOO_FEW_PROPERTIES, path, f"{path} in body should have at least {low} properties", count, low))
    if isinstance(high, int) and count > high:
        res.add(_Error(TOO_MANY_PROPERTIES, path, f"{path} in body should have at most {high} properties", count, high))
    props = _props(s)
    extra = _extra(s)[1]
    if s.get("additionalProperties") is False:
        for key in sorted(value):
            if key not in props:
                res.add(_Error(UNALLOWED_PROPERTY, path, f"{path}.{key} in body is a forbidden property", key))
    elif extra is not None:
        for key in sorted(value):
            if key not in props:
                res.merge(_validate(value[key], extra, f"{path}.{key}", _child(node, path, key)))
    for key in sorted(props):
        if key in value and isinstance(props[key], dict):
            res.merge(_validate(value[key], props[key], _join(path, key), _child(node, path, key)))
    for key in s.get("required") or []:
        if key not in value:
            res.add(_Error(REQUIRED, f"{path}.{key}", f"{path}.{key} in body is required"))
    return res


def _emit(errs: Errors, res: _Result, prefix: str) -> None:
    """``kubeOpenAPIResultToFieldErrors``: each kube-openapi error as a cause under ``prefix``."""
    for e in res.errors:
        name = e.name[1:] if e.name.startswith(".") else e.name
        field = (f"{prefix}.{name}" if prefix else name) if e.name and e.name != "." else (prefix or "<nil>")
        shown = _bad_value("" if e.value is _NO_VALUE or e.value is None else e.value)
        if e.code == PLAIN:
            errs._add("FieldValueInvalid", prefix or "<nil>", f'Invalid value: "": {e.message}')
        elif e.code == REQUIRED:
            errs._add("FieldValueRequired", field, "Required value")
        elif e.code == ENUM:
            values = [v if isinstance(v, str) else go_json(v) for v in e.values or []]
            bad = "null" if e.value is None else _bad_value(e.value)
            errs._add("FieldValueNotSupported", field,
                      f"Unsupported value: {bad}: supported values: " + ", ".join(_go_quote(v) for v in values))
        elif e.code == TOO_LONG:
            errs._add("FieldValueTooLong", field, f"Too long: may not be more than {e.valid} byte{'' if e.valid == 1 else 's'}")
        elif e.code in (MAX_ITEMS, TOO_MANY_PROPERTIES):
            errs._add("FieldValueTooMany", field, f"Too many: {e.value}: must have at most {e.valid} item{'' if e.valid == 1 else 's'}")
        elif e.code == INVALID_TYPE:
            errs._add("FieldValueTypeInvalid", field, f"Invalid value: {shown}: {e.message}")
        else:
            errs._add("FieldValueInvalid", field, f"Invalid value: {shown}: {e.message}")


# == embedded resources' type and metadata (objectmeta/validation.go) =====================================


def _embedded(errs: Errors, x: Any, s: Obj | None, path: str) -> None:
    if s is None:
        return
    if isinstance(x, dict):
        if s.get(EMBEDDED) is True:
            _embedded_resource(errs, x, path)
        props = _props(s)
        extra = _extra(s)[1]
        for k in sorted(x):
            if k in props:
                _embedded(errs, x[k], props[k], _join(path, k))
            elif extra is not None:
                _embedded(errs, x[k], extra, f"{path}[{k}]")
    elif isinstance(x, list):
        for i, v in enumerate(x):
            _embedded(errs, v, _items(s), f"{path}[{i}]")


def _embedded_resource(errs: Errors, x: Obj, path: str) -> None:
    for key in ("apiVersion", "kind"):
        if key not in x:
            errs.required(_join(path, key))
    api_version = x.get("apiVersion")
    if isinstance(api_version, str):
        where = _join(path, "apiVersion")
        if not api_version:
            errs._add("FieldValueInvalid", where, 'Invalid value: "": must not be empty')
        elif api_version != "/" and api_version.count("/") > 1:
            errs._add("FieldValueInvalid", where,
                      f"Invalid value: {_go_quote(api_version)}: unexpected GroupVersion string: {api_version}")
    kind = x.get("kind")
    if isinstance(kind, str):
        where = _join(path, "kind")
        problems = is_dns1035_label(kind.lower())
        if not kind:
            errs._add("FieldValueInvalid", where, 'Invalid value: "": must not be empty')
        elif problems:
            errs._add("FieldValueInvalid", where, f"Invalid value: {_go_quote(kind)}: may have mixed case, but should "
                      "otherwise match: " + ",".join(problems))
    meta = x.get("metadata")
    if isinstance(meta, dict):
        _embedded_meta(errs, meta, _join(path, "metadata"))


def _path_segment(name: str, prefix: bool) -> list[str]:
    """``content.IsPathSegmentName`` / ``IsPathSegmentPrefix``."""
    if not prefix and name in (".", ".."):
        return [f"may not be '{name}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in name]


def _embedded_meta(errs: Errors, meta: Obj, path: str) -> None:
    """``ValidateObjectMeta`` with path-segment names, namespaced when a namespace is given."""
    generate_name = meta.get("generateName") or ""
    for msg in _path_segment(generate_name, True) if generate_name else []:
        errs._add("FieldValueInvalid", f"{path}.generateName", f"Invalid value: {_go_quote(generate_name)}: {msg}")
    name = meta.get("name") or "fakename"  # the embedded resource's name is not required
    for msg in _path_segment(name, False):
        errs._add("FieldValueInvalid", f"{path}.name", f"Invalid value: {_go_quote(name)}: {msg}")
    namespace = meta.get("namespace") or ""
    for msg in is_dns1123_label(namespace) if namespace else []:
        errs._add("FieldValueInvalid", f"{path}.namespace", f"Invalid value: {_go_quote(namespace)}: {msg}")
    generation = meta.get("generation")
    if isinstance(generation, int) and generation < 0:
        errs._add("FieldValueInvalid", f"{path}.generation", f"Invalid value: {generation}: must be greater than or equal to 0")
    _labels(errs, meta.get("labels"), f"{path}.labels")
    _annotations(errs, meta.get("annotations"), f"{path}.annotations")
    _owner_references(errs, meta.get("ownerReferences") or [], f"{path}.ownerReferences")
    finalizers = [f for f in meta.get("finalizers") or [] if isinstance(f, str)]
    for finalizer in finalizers:
        for msg in is_qualified_name(finalizer):
            errs._add("FieldValueInvalid", f"{path}.finalizers", f"Invalid value: {_go_quote(finalizer)}: {msg}")
    if "orphan" in finalizers and "foregroundDeletion" in finalizers:
        errs._add("FieldValueInvalid", f"{path}.finalizers", f"Invalid value: {go_json(finalizers)}: finalizer orphan "
                  "and foregroundDeletion cannot be both set")


def _owner_references(errs: Errors, refs: list[Any], path: str) -> None:
    controller = ""
    for ref in refs:
        if not isinstance(ref, dict):
            continue
        api_version, kind = str(ref.get("apiVersion") or ""), str(ref.get("kind") or "")
        version = api_version.rpartition("/")[2] if api_version.count("/") <= 1 else ""
        for key, bad, msg in (("apiVersion", not version, "version must not be empty"),
                              ("kind", not kind, "must not be empty"), ("name", not ref.get("name"), "must not be empty"),
                              ("uid", not ref.get("uid"), "must not be empty")):
            if bad:
                errs._add("FieldValueInvalid", f"{path}.{key}", f"Invalid value: {_go_quote(str(ref.get(key) or ''))}: {msg}")
        if api_version == "v1" and kind == "Event":
            errs._add("FieldValueInvalid", path, f"Invalid value: {_owner_json(ref)}: /v1, Kind=Event is disallowed from being an owner")
        if ref.get("controller") is True:
            current = f"{kind}/{ref.get('name') or ''}"
            if controller:
                shown = "[" + ",".join(_owner_json(r) for r in refs if isinstance(r, dict)) + "]"
                errs._add("FieldValueInvalid", path, f"Invalid value: {shown}: Only one reference can have Controller "
                          f'set to true. Found "true" in references for {controller} and {current}')
            else:
                controller = current


def _owner_json(ref: Obj) -> str:
    """An OwnerReference as ``json.Marshal`` writes the struct: its fields in declaration order."""
    return "{" + ",".join(f"{_json_string(k)}:{go_json(ref[k])}" for k in _OWNER_FIELDS if k in ref) + "}"


# == list-type set and map uniqueness (listtype/validation.go) ===============================================


def _list_types(errs: Errors, obj: Any, s: Obj | None, path: str) -> None:
    """``ValidateListSetsAndMaps`` from ``obj`` down."""
    if s is None or not isinstance(obj, dict):
        return
    extra = _extra(s)[1]
    if extra is not None:
        for k in sorted(obj):
            _list_types_of(errs, obj[k], extra, f"{path}[{k}]")
    props = _props(s)
    for k in sorted(obj):
        if k in props and isinstance(props[k], dict):
            _list_types_of(errs, obj[k], props[k], _join(path, k))


def _list_types_of(errs: Errors, value: Any, s: Obj, path: str) -> None:
    if isinstance(value, dict):
        _list_types(errs, value, s, path)
        return
    if not isinstance(value, list):
        return
    list_type = s.get("x-kubernetes-list-type")
    if list_type == "set":
        for i in _duplicates(value):
            errs._add("FieldValueDuplicate", f"{path}[{i}]", f"Duplicate value: {_bad_value(value[i])}")
    elif list_type == "map":
        _list_map(errs, value, s, path)
    items = _items(s)
    if items is not None:
        for i, item in enumerate(value):
            _list_types_of(errs, item, items, f"{path}[{i}]")


def _duplicates(values: list[Any]) -> list[int]:
    """``validateListSet``: the index of each value's second occurrence."""
    seen: dict[Any, int] = {}
    out = []
    for i, v in enumerate(values):
        key = ("json", go_json(v)) if isinstance(v, dict | list) else (type(v).__name__, v)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] == 2:
            out.append(i)
    return out


def _list_map(errs: Errors, value: list[Any], s: Obj, path: str) -> None:
    for i, item in enumerate(value):
        if item is not None and not isinstance(item, dict):
            errs._add("FieldValueInvalid", f"{path}[{i}]",
                      f"Invalid value: {_bad_value(item)}: must be an object for an array of list-type map")
            return
    if len(value) <= 1:
        return
    keys = [str(k) for k in s.get("x-kubernetes-list-map-keys") or []]
    if len(keys) == 1:
        # an item without the key has the "unspecified" key, which equals every other such key
        single = [("unspecified",) if not isinstance(item, dict) or keys[0] not in item else item[keys[0]]
                  for item in value]
        for i in _duplicates(single):
            shown = "{}" if single[i] == ("unspecified",) else go_json({keys[0]: single[i]})
            errs._add("FieldValueDuplicate", f"{path}[{i}]", f"Duplicate value: {shown}")
        return
    composite = [{k: item[k] for k in keys if isinstance(item, dict) and k in item} for item in value]
    for i in _duplicates(composite):
        errs._add("FieldValueDuplicate", f"{path}[{i}]", f"Duplicate value: {go_json(composite[i])}")


# == what the custom resource strategy calls =======================================================


def validate(errs: Errors, obj: Obj, schema: Obj, old: Obj | None = None) -> None:
    """The value validation of a create (``old`` None) or of an update, ratcheted against ``old``."""
    node = None if old is None else _Correlated(obj, old, schema)
    _emit(errs, _validate(obj, schema, "", node), "")


def validate_status(errs: Errors, obj: Obj, old: Obj, schema: Obj) -> None:
    """The value validation of a status write: the status against the status schema, ratcheted
    (messages name the path inside the status, causes the whole path)."""
    status_schema = _props(schema).get("status")
    if "status" in obj and isinstance(status_schema, dict):
        node = _Correlated(obj["status"], old.get("status"), status_schema)
        _emit(errs, _validate(obj["status"], status_schema, "", node), "status")


def validate_embedded(errs: Errors, obj: Obj, schema: Obj) -> None:
    """The embedded resources' ``apiVersion``, ``kind`` and ObjectMeta (``objectmeta.Validate``)."""
    _embedded(errs, obj, schema, "")


def validate_list_types(errs: Errors, obj: Obj, schema: Obj, old: Obj | None = None) -> None:
    """List-type set and map duplicates; on an update only if the stored object had none."""
    if old is not None:
        stale = Errors()
        _list_types(stale, old, schema, "")
        if stale.causes:
            return
    _list_types(errs, obj, schema, "")


# the reasons that keep CEL rules from running (strategy.go's hasBlockingErr)
_BLOCKING = frozenset({"FieldValueNotSupported", "FieldValueRequired", "FieldValueTooLong", "FieldValueTooMany",
                       "FieldValueTypeInvalid"})


def has_rules(schema: Any) -> bool:
    """Whether the schema carries CEL rules (``x-kubernetes-validations``) anywhere."""
    if not isinstance(schema, dict):
        return False
    if schema.get("x-kubernetes-validations"):
        return True
    return any(has_rules(v) for v in _props(schema).values()) or has_rules(schema.get("additionalProperties")) \
        or has_rules(schema.get("items"))


def rules_unchecked(errs: Errors) -> None:
    """The cause a CRD with CEL rules adds instead of running them when the object has a blocking
    error (the rules themselves are not evaluated here)."""
    if any(c["reason"] in _BLOCKING for c in errs.causes):
        errs._add("FieldValueInvalid", "<nil>", "Invalid value: null: some validation rules were not checked because "
                  "the object was invalid; correct the existing errors to complete validation")


# == formats (kube-openapi's strfmt registry, as the CRD post-processor allows them) =========================


def _is_hostname(value: str) -> bool:
    # Go's pattern uses \p{L} and \p{S}: letters and symbols map to stand-ins before matching
    mapped = []
    for ch in value:
        if ch.isascii() and (ch.isalnum() or ch in "-."):
            mapped.append(ch)
        else:
            category = unicodedata.category(ch)
            mapped.append("a" if category.startswith("L") else "\x00" if category.startswith("S") else "\x01")
    if not _HOSTNAME.match("".join(mapped)):
        return False
    return len(value.encode()) <= 255 and all(len(p.encode()) <= 63 for p in value.split("."))


_HOSTNAME = re.compile(
    "^([a-zA-Z0-9\x00]((-?[a-zA-Z0-9\x00]{0,62})?)|([a-zA-Z0-9\x00](([a-zA-Z0-9\\-\x00]{0,61}[a-zA-Z0-9\x00])?)"
    "(\\.)){1,}([a-zA-Z]){2,63})\\Z"
)


def _ipv4(value: str) -> bool:
    """``netutils.ParseIPSloppy`` of a dotted quad (leading zeros allowed)."""
    parts = value.split(".")
    return len(parts) == 4 and all(p.isascii() and p.isdigit() and int(p) <= 255 for p in parts)


def _parse_ip(value: str, sloppy: bool) -> bool:
    if _ipv4(value) and (sloppy or all(len(p) == 1 or not p.startswith("0") for p in value.split("."))):
        return True
    if "%" in value or ":" not in value:
        return False
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        head, _, tail = value.rpartition(":")
        if not sloppy or not _ipv4(tail):
            return False
        try:
            ipaddress.IPv6Address(head + ":0.0.0.0")
        except ValueError:
            return False
    return True


def _is_cidr(value: str) -> bool:
    address, slash, bits = value.partition("/")
    if not slash or not bits.isascii() or not bits.isdigit() or not _parse_ip(address, True):
        return False
    return int(bits) <= (32 if _ipv4(address) else 128)


def _is_mac(value: str) -> bool:
    """``net.ParseMAC``: 6, 8 or 20 octets, colon-, dash- or dot-separated."""
    for sep, width in ((":", 2), ("-", 2), (".", 4)):
        groups = value.split(sep)
        if len(groups) > 1 and all(len(g) == width and all(c in "0123456789abcdefABCDEF" for c in g) for g in groups):
            octets = len(groups) * width // 2
            return octets in (6, 8, 20)
    return False


def _is_email(value: str) -> bool:
    """``mail.ParseAddress`` of an addr-spec, bare or in angle brackets after a display name."""
    m = re.fullmatch(r'\s*(?:(?:"[^"]*"|[^<>"@]*)\s*<([^<>]*)>|([^<>\s]+))\s*', value)
    if not m:
        return False
    addr = m.group(1) if m.group(1) is not None else m.group(2)
    local, at, domain = addr.rpartition("@")
    atom = r"[^\s()<>\[\]:;@\\,.\"]+"
    if not at or not re.fullmatch(rf"(?:{atom}(?:\.{atom})*|\"[^\"]*\")", local):
        return False
    return re.fullmatch(rf"(?:{atom}(?:\.{atom})*|\[[^\[\]]*\])", domain) is not None


def _is_request_uri(value: str) -> bool:
    """``url.ParseRequestURI``: an absolute URI or an absolute path."""
    if not value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return False
    if value == "*":
        return True
    m = re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*):", value)
    if value.startswith(":"):
        return False
    rest = value[m.end():] if m else value
    rest = rest.partition("?")[0]
    if not rest.startswith("/"):
        return m is not None
    if m is not None and rest.startswith("//"):
        authority, _, rest = rest[2:].partition("/")
        host = authority.rpartition("@")[2]
        if host.startswith("["):
            if "]" not in host:
                return False
            port = host[host.index("]") + 1:]
            if port and not re.fullmatch(r":\d*", port):
                return False
        elif ":" in host and not re.fullmatch(r"\d*", host.rpartition(":")[2]):
            return False
    return re.search(r"%(?![0-9a-fA-F]{2})", rest) is None


def _is_date(value: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        datetime.date(int(value[:4]), int(value[5:7]), int(value[8:]))
    except ValueError:
        return False
    return True


def _is_datetime(value: str) -> bool:
    """``strfmt.IsDateTime``: a date, a ``t``, and a time of day with an offset (case-insensitive)."""
    if len(value) < 4:
        return False
    parts = value.lower().split("t")
    if len(parts) < 2 or not _is_date(parts[0]):
        return False
    m = re.match(r"^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))\Z", parts[1])
    return m is not None and m.group(1) <= "23" and m.group(2) <= "59" and m.group(3) <= "59"


_UNITS = ({"ns", "nano"}, {"us", "µs", "micro"}, {"ms", "milli"}, {"s", "sec"}, {"m", "min"},
          {"h", "hr", "hour"}, {"d", "day"}, {"w", "wk", "week"})
_UNIT_LAST = ("nano", "micro", "milli", "sec", "min", "hour", "day", "week")


def _is_duration(value: str) -> bool:
    """``strfmt.ParseDuration``: Go's duration syntax, or numbers with Scala-style units."""
    if re.fullmatch(r"[-+]?(?:0|(?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)", value):
        return True
    for m in re.finditer(r"(\d+)\s*([A-Za-zµ]+)", value):
        unit = m.group(2).lower().strip()
        for variants, last in zip(_UNITS, _UNIT_LAST):
            if unit.startswith(last) or unit in variants:
                return True
    return False


def _is_isbn10(value: str) -> bool:
    s = re.sub(r"[\s-]+", "", value)
    if not re.fullmatch(r"[0-9]{9}X|[0-9]{10}", s):
        return False
    total = sum((i + 1) * int(s[i]) for i in range(9)) + (100 if s[9] == "X" else 10 * int(s[9]))
    return total % 11 == 0


def _is_isbn13(value: str) -> bool:
    s = re.sub(r"[\s-]+", "", value)
    if not re.fullmatch(r"[0-9]{13}", s):
        return False
    total = sum((3 if i % 2 else 1) * int(s[i]) for i in range(12))
    return int(s[12]) - (10 - total % 10) % 10 == 0


def _is_credit_card(value: str) -> bool:
    s = re.sub(r"[^0-9]+", "", value)
    pattern = (r"4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|"
               r"3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35\d{3})\d{11}")
    if not re.fullmatch(pattern, s):
        return False
    total, double = 0, False
    for digit in reversed(s):
        n = int(digit) * (2 if double else 1)
        total += n % 10 + 1 if n >= 10 else n
        double = not double
    return total % 10 == 0


def _is_base64(value: str) -> bool:
    if not re.fullmatch(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})", value):
        return False
    try:
        base64.b64decode(value, validate=True)
    except binascii.Error:
        return False
    return True


def _matches(pattern: str, flags: int = 0) -> Callable[[str], bool]:
    compiled = re.compile(pattern, flags)
    return lambda value: compiled.fullmatch(value) is not None


_RGB = r"(0|[1-9]\d?|1\d\d?|2[0-4]\d|25[0-5])"
_SHORT_NAME = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_UUID = "[0-9a-f]{8}-?[0-9a-f]{4}-?%s[0-9a-f]{3}-?%s[0-9a-f]{3}-?[0-9a-f]{12}"
# by the registry's normalized name (dashes dropped): "date-time" is "datetime"
_FORMATS: dict[str, Callable[[str], bool]] = {
    "bsonobjectid": _matches("[0-9a-fA-F]{24}"),
    "uri": _is_request_uri,
    "email": _is_email,
    "hostname": _is_hostname,
    "ipv4": lambda v: _parse_ip(v, True) and "." in v,
    "ipv6": lambda v: _parse_ip(v, False) and ":" in v,
    "cidr": _is_cidr,
    "mac": _is_mac,
    "uuid": _matches(_UUID % ("[0-9a-f]", "[0-9a-f]"), re.IGNORECASE),
    "uuid3": _matches(_UUID % ("3", "[0-9a-f]"), re.IGNORECASE),
    "uuid4": _matches(_UUID % ("4", "[89ab]"), re.IGNORECASE),
    "uuid5": _matches(_UUID % ("5", "[89ab]"), re.IGNORECASE),
    "isbn": lambda v: _is_isbn10(v) or _is_isbn13(v),
    "isbn10": _is_isbn10,
    "isbn13": _is_isbn13,
    "creditcard": _is_credit_card,
    "ssn": lambda v: len(v) == 11 and re.fullmatch(r"\d{3}[- ]?\d{2}[- ]?\d{4}", v) is not None,
    "hexcolor": _matches("#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})"),
    "rgbcolor": _matches(rf"rgb\(\s*{_RGB}\s*,\s*{_RGB}\s*,\s*{_RGB}\s*\)"),
    "byte": _is_base64,
    "password": lambda v: True,
    "date": _is_date,
    "duration": _is_duration,
    "datetime": _is_datetime,
    "k8sshortname": lambda v: len(v) <= 63 and re.fullmatch(_SHORT_NAME, v) is not None,
    "k8slongname": lambda v: len(v) <= 253 and re.fullmatch(rf"{_SHORT_NAME}(\.{_SHORT_NAME})*", v) is not None,
}
