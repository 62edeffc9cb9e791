"""What apiextensions-apiserver does with a structural schema to a custom resource on write.

Models, from ``staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema``: structural
defaulting (``defaulting/algorithm.go``: an absent property with a ``default`` gets a copy of it,
recursing through properties, additionalProperties and items) and pruning
(``pruning/algorithm.go``: fields the schema does not declare are dropped, except under
``x-kubernetes-preserve-unknown-fields``; the root's ``apiVersion``, ``kind`` and ``metadata``
and those of an ``x-kubernetes-embedded-resource`` stay), and the OpenAPI value validation of
``pkg/apiserver/validation`` for the common keywords: type (with ``nullable`` and
``x-kubernetes-int-or-string``), required, enum, minimum/maximum (and exclusive), minLength/
maxLength, minItems/maxItems, minProperties/maxProperties.

Leaves out: ``pattern``, ``format``, ``multipleOf``, ``uniqueItems``, ``allOf``/``anyOf``/``oneOf``/
``not``, list-type set/map duplicates, CEL (``x-kubernetes-validations``), and the pruning of an
embedded resource's metadata to ObjectMeta's fields. The messages follow kube-openapi's
``pkg/validation/errors`` as converted by ``kubeOpenAPIResultToFieldErrors``.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from reference_impl.apiserver.validation import Errors

Obj = dict[str, Any]

_ROOT_KEEP = ("apiVersion", "kind", "metadata")


def default(obj: Obj, schema: Obj) -> None:
    """Fill the schema's defaults in place."""
    _default(obj, schema)


def _default(value: Any, schema: Any) -> None:
    if not isinstance(schema, dict):
        return
    if isinstance(value, dict):
        props = schema.get("properties")
        if isinstance(props, dict):
            for k, sub in props.items():
                if k not in value and isinstance(sub, dict) and "default" in sub:
                    value[k] = copy.deepcopy(sub["default"])
            for k, v in value.items():
                if k in props:
                    _default(v, props[k])
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for k, v in value.items():
                if not isinstance(props, dict) or k not in props:
                    _default(v, extra)
    elif isinstance(value, list):
        items = schema.get("items")
        for v in value:
            _default(v, items)


def prune(obj: Obj, schema: Obj) -> list[str]:
    """Drop undeclared fields in place; their paths (``spec.foo``), in the order met."""
    pruned: list[str] = []
    _prune(obj, schema, "", pruned, root=True)
    return pruned


def _prune(value: Any, schema: Any, path: str, pruned: list[str], *, root: bool = False) -> None:
    if not isinstance(schema, dict):
        return
    if isinstance(value, dict):
        keep: tuple[str, ...] = _ROOT_KEEP if root or schema.get("x-kubernetes-embedded-resource") else ()
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else None
        extra = schema.get("additionalProperties")
        free = schema.get("x-kubernetes-preserve-unknown-fields") is True
        for k in list(value):
            child = f"{path}.{k}" if path else k
            if k in keep:
                continue
            if props is not None and k in props:
                _prune(value[k], props[k], child, pruned)
            elif isinstance(extra, dict):
                _prune(value[k], extra, child, pruned)
            elif extra is True or free:
                continue
            else:
                del value[k]
                pruned.append(child)
    elif isinstance(value, list):
        items = schema.get("items")
        for i, v in enumerate(value):
            _prune(v, items, f"{path}[{i}]", pruned)


def _go(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(value, separators=(",", ":"))


def _type_ok(value: Any, kind: str) -> bool:
    if kind == "object":
        return isinstance(value, dict)
    if kind == "array":
        return isinstance(value, list)
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return True


def validate(errs: Errors, obj: Any, schema: Obj, path: str = "") -> None:
    """The schema's value checks, as 422 causes."""
    _validate(errs, obj, schema, path)


def _validate(errs: Errors, value: Any, schema: Any, path: str) -> None:
    if not isinstance(schema, dict):
        return
    shown = path or "<nil>"
    if value is None:
        if schema.get("nullable") is not True and schema.get("type"):
            errs._add("FieldValueTypeInvalid", path,
                      f"Invalid value: \"null\": {shown} in body must be of type {schema['type']}: \"null\"")
        return
    kind = schema.get("type")
    if schema.get("x-kubernetes-int-or-string") is True:
        if not (isinstance(value, str) or _type_ok(value, "integer")):
            errs._add("FieldValueTypeInvalid", path,
                      f"Invalid value: {_go(value)}: {shown} in body must be of type integer,string: {_go(value)}")
            return
    elif isinstance(kind, str) and kind and not _type_ok(value, kind):
        actual = _json_type(value)
        errs._add("FieldValueTypeInvalid", path,
                  f"Invalid value: {_go(actual)}: {shown} in body must be of type {kind}: {_go(actual)}")
        return
    enum = schema.get("enum")
    if isinstance(enum, list) and value not in enum:
        errs.not_supported(path, value, [e if isinstance(e, str) else _go(e) for e in enum])
    if isinstance(value, int | float) and not isinstance(value, bool):
        _bounds(errs, value, schema, path, shown)
    if isinstance(value, str):
        if isinstance(schema.get("maxLength"), int) and len(value) > schema["maxLength"]:
            errs.too_long(path, int(schema["maxLength"]))
        if isinstance(schema.get("minLength"), int) and len(value) < schema["minLength"]:
            errs.invalid(path, value, f"{shown} in body should be at least {schema['minLength']} chars long")
    if isinstance(value, list):
        if isinstance(schema.get("maxItems"), int) and len(value) > schema["maxItems"]:
            errs._add("FieldValueTooMany", path, f"Too many: {len(value)}: must have at most {schema['maxItems']} items")
        if isinstance(schema.get("minItems"), int) and len(value) < schema["minItems"]:
            errs.invalid(path, len(value), f"{shown} in body should have at least {schema['minItems']} items")
        for i, v in enumerate(value):
            _validate(errs, v, schema.get("items"), f"{path}[{i}]")
    if isinstance(value, dict):
        for req in schema.get("required") or []:
            if req not in value:
                errs.required(f"{path}.{req}" if path else str(req))
        raw_props = schema.get("properties")
        props: Obj = raw_props if isinstance(raw_props, dict) else {}
        extra = schema.get("additionalProperties")
        for k, v in value.items():
            child = f"{path}.{k}" if path else k
            if not path and k in _ROOT_KEEP:
                continue
            if k in props:
                _validate(errs, v, props[k], child)
            elif isinstance(extra, dict):
                _validate(errs, v, extra, child)


def _bounds(errs: Errors, value: float, schema: Obj, path: str, shown: str) -> None:
    hi, lo = schema.get("maximum"), schema.get("minimum")
    if isinstance(hi, int | float):
        if schema.get("exclusiveMaximum") is True and value >= hi:
            errs.invalid(path, value, f"{shown} in body should be less than {_go(hi)}")
        elif value > hi:
            errs.invalid(path, value, f"{shown} in body should be less than or equal to {_go(hi)}")
    if isinstance(lo, int | float):
        if schema.get("exclusiveMinimum") is True and value <= lo:
            errs.invalid(path, value, f"{shown} in body should be greater than {_go(lo)}")
        elif value < lo:
            errs.invalid(path, value, f"{shown} in body should be greater than or equal to {_go(lo)}")


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number" if isinstance(value, float) else "integer"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
