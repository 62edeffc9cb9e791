"""The ``apiextensions.k8s.io/v1`` group: the REST strategy of CustomResourceDefinition.

Models, as kube-apiserver v1.36 has them (``staging/src/k8s.io/apiextensions-apiserver/pkg``):

- defaulting, ``apis/apiextensions/v1/defaults.go``: ``spec.names.singular`` is the lowercased
  kind and ``spec.names.listKind`` kind+"List" when empty, ``spec.conversion`` is
  ``{strategy: None}`` when absent, a conversion webhook's service port 443, and
  ``status.storedVersions`` the storage version when empty;
- the strategy, ``registry/customresourcedefinition/strategy.go``: ``PrepareForCreate`` resets
  the status (to what a v1.36 server answers a create with: no conditions, empty accepted
  names) and ``PrepareForCreate``/``PrepareForUpdate`` add the storage version to
  ``status.storedVersions`` when it is not there; generation 1 on create, bumped by spec changes
  (the generic code, ``info.generation``);
- validation, ``apis/apiextensions/validation/validation.go`` (``ValidateCustomResourceDefinition``,
  ``...Update``, ``ValidateUpdateCustomResourceDefinitionStatus``), checked on the internal
  form a v1 object converts to: a schema, the subresources, the printer columns and the
  selectable fields every version has alike are hoisted to ``spec.validation``,
  ``spec.subresources``, ``spec.additionalPrinterColumns`` and ``spec.selectableFields`` (so the
  errors name those paths), and ``spec.version`` is the first version's name. Checked: the
  name (``<plural>.<group>``), group, scope, the per-version schema requirement, versions
  (names, unique, exactly one storage version, deprecation warnings), names (plural, singular,
  kind, listKind, shortNames, categories; also of ``status.acceptedNames``), the schema's
  structural invariants (``apiserver/schema/validation.go``: types present, object at the root,
  ``items`` of arrays, no root ``additionalProperties``, ``metadata`` restricted to name and
  generateName, ``kind``/``apiVersion``/``metadata`` types, embedded resources,
  int-or-string, value validations inside ``allOf``/``anyOf``/``oneOf``/``not`` free of
  type/default/... ; sorted as upstream sorts them), the OpenAPI checks (type names, ``null``
  type, uniqueItems, properties with additionalProperties, ``$ref``/``id``/``definitions``/
  ``patternProperties``/``additionalItems``/property dependencies, array ``items``,
  preserve-unknown-fields false, defaults in top-level metadata), scalar defaults of the wrong
  type, the status subresource's root-schema restriction, the scale subresource's paths,
  printer columns (name, type, format, jsonPath), selectable fields (path, the field's type,
  duplicates), conversion (strategy, webhook client config, URL scheme, service, review
  versions), ``status.storedVersions``, the API-approval annotation of protected groups and
  ``spec.preserveUnknownFields``; on update, group and plural immutable, scope and kind too
  once the CRD is established, and a status write checks only the accepted names;
- the printer, the default table convertor: NAME and CREATED AT (``metadata.creationTimestamp``).

Leaves out: CEL rules (``x-kubernetes-validations``: compiled, costed, checked), the
``x-kubernetes-list-type``/``-map-type``/``-list-map-keys`` checks, ``pattern`` regular
expressions (Go's ``regexp`` errors), ``format`` warnings, defaults beyond a scalar of the wrong
type (pruning of object defaults, enum/bounds, the root default's apiVersion/kind), the
completeness check of value validations (properties under ``anyOf`` missing from the
structural part), the scale paths checked against the schema, the limit of 8 selectable fields,
ratcheting on update (an update is checked as strictly as a create, but for
``preserveUnknownFields: true`` the old object had) and the errors of ``NewStructural`` (a
schema it cannot read is only reported by the OpenAPI checks). ``metadata.name``'s
``<plural>.<group>`` error follows the label and annotation errors (the generic metadata check
runs first here). A status write is recognised as an update whose spec is unchanged and whose
status changed; on it the request body is not defaulted (upstream defaults an emptied
``storedVersions`` back).
"""

from __future__ import annotations

import json
from typing import Any, TypeGuard

from reference_impl.apiserver.registry.info import ResourceInfo
from reference_impl.apiserver.registry.strategy import Column, Strategy
from reference_impl.apiserver.validation import (
    FIELD_IMMUTABLE,
    Errors,
    GoText,
    is_dns1035_label,
    is_dns1123_subdomain,
)

Obj = dict[str, Any]

GROUP = "apiextensions.k8s.io"

CRD_INFO = ResourceInfo(
    "apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
    "customresourcedefinition", False, ("crd", "crds"), ("status",), True, ("api-extensions",),
)

SCOPES = ("Cluster", "Namespaced")
CONVERSION_STRATEGIES = ("None", "Webhook")
OPENAPI_TYPES = ("array", "boolean", "integer", "number", "object", "string")
PRINTER_COLUMN_TYPES = "boolean,date,integer,number,string"
PRINTER_COLUMN_TYPE_SET = frozenset(PRINTER_COLUMN_TYPES.split(","))
PRINTER_COLUMN_FORMATS = "byte,date,date-time,double,float,int32,int64,password"
PRINTER_COLUMN_FORMAT_SET = frozenset(PRINTER_COLUMN_FORMATS.split(","))
CONVERSION_REVIEW_VERSIONS = ("v1", "v1beta1")
APPROVAL_ANNOTATION = "api-approved.kubernetes.io"
APPROVAL_LINK = "https://github.com/kubernetes/enhancements/pull/1111"
MAX_DEPRECATION_WARNING = 256
META_FIELDS = ("metadata", "apiVersion", "kind")
# validation.go's allowedFieldsAtRootSchema: the root fields a CRD with a status subresource may use
ROOT_FIELDS_WITH_STATUS = (
    "Description", "Type", "Format", "Title", "Maximum", "ExclusiveMaximum", "Minimum", "ExclusiveMinimum",
    "MaxLength", "MinLength", "Pattern", "MaxItems", "MinItems", "UniqueItems", "MultipleOf", "Required",
    "Items", "Properties", "ExternalDocs", "Example", "XPreserveUnknownFields", "XValidations",
)
# The structural schema's keywords that NewStructural cannot read (it fails, and upstream hides
# that failure behind the OpenAPI checks' errors).
_NOT_STRUCTURAL = ("$ref", "id", "$schema", "definitions", "patternProperties", "additionalItems", "dependencies")


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


# --------------------------------------------------------------------------- Go's JSON of internal types
#
# A non-scalar bad value is printed as ``json.Marshal`` prints the internal type: Go field names,
# every field in declaration order, nil pointers and slices as null, map keys sorted, '<', '>'
# and '&' escaped.


def _go_json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _num(value: Any) -> Any:
    """A JSON number as Go's float64 marshals it (an integral float without its ``.0``)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


def _json_value(value: Any) -> Any:
    """An ``apiextensions.JSON`` (any JSON value; its numbers are float64)."""
    if isinstance(value, dict):
        return {k: _json_value(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    return _num(value)


def _opt(schema: Obj, key: str) -> Any:
    return schema.get(key)


def _schema_map(value: Any) -> Any:
    if not isinstance(value, dict):
        return None
    return {k: _go_schema_value(_dict(value[k])) for k in sorted(value)}


def _schema_list(value: Any) -> Any:
    if not isinstance(value, list):
        return None
    return [_go_schema_value(_dict(v)) for v in value]


def _or_bool(value: Any) -> Any:
    """A ``JSONSchemaPropsOrBool``."""
    if value is None:
        return None
    if isinstance(value, bool):
        return {"Allows": value, "Schema": None}
    return {"Allows": True, "Schema": _go_schema_value(_dict(value))}


def _go_schema_value(s: Obj) -> Obj:
    """An internal ``JSONSchemaProps`` as Go marshals it (before the text escaping)."""
    items = s.get("items")
    items_value: Any = None
    if isinstance(items, dict):
        items_value = {"Schema": _go_schema_value(items), "JSONSchemas": None}
    elif isinstance(items, list):
        items_value = {"Schema": None, "JSONSchemas": _schema_list(items)}
    deps = s.get("dependencies")
    deps_value: Any = None
    if isinstance(deps, dict):
        deps_value = {
            k: {"Schema": None, "Property": list(v)} if isinstance(v, list)
            else {"Schema": _go_schema_value(_dict(v)), "Property": None}
            for k, v in sorted(deps.items())
        }
    docs = s.get("externalDocs")
    rules = s.get("x-kubernetes-validations")
    default = s.get("default")
    example = s.get("example")
    enum = s.get("enum")
    ref = s.get("$ref")
    return {
        "ID": _str(s.get("id")), "Schema": _str(s.get("$schema")), "Ref": ref if isinstance(ref, str) else None,
        "Description": _str(s.get("description")), "Type": _str(s.get("type")),
        "Nullable": s.get("nullable") is True, "Format": _str(s.get("format")), "Title": _str(s.get("title")),
        "Default": None if default is None else _json_value(default),
        "Maximum": _num(_opt(s, "maximum")), "ExclusiveMaximum": s.get("exclusiveMaximum") is True,
        "Minimum": _num(_opt(s, "minimum")), "ExclusiveMinimum": s.get("exclusiveMinimum") is True,
        "MaxLength": _opt(s, "maxLength"), "MinLength": _opt(s, "minLength"), "Pattern": _str(s.get("pattern")),
        "MaxItems": _opt(s, "maxItems"), "MinItems": _opt(s, "minItems"), "UniqueItems": s.get("uniqueItems") is True,
        "MultipleOf": _num(_opt(s, "multipleOf")),
        "Enum": [_json_value(v) for v in enum] if isinstance(enum, list) else None,
        "MaxProperties": _opt(s, "maxProperties"), "MinProperties": _opt(s, "minProperties"),
        "Required": list(s["required"]) if isinstance(s.get("required"), list) else None,
        "Items": items_value, "AllOf": _schema_list(s.get("allOf")), "OneOf": _schema_list(s.get("oneOf")),
        "AnyOf": _schema_list(s.get("anyOf")),
        "Not": _go_schema_value(_dict(s["not"])) if isinstance(s.get("not"), dict) else None,
        "Properties": _schema_map(s.get("properties")), "AdditionalProperties": _or_bool(s.get("additionalProperties")),
        "PatternProperties": _schema_map(s.get("patternProperties")), "Dependencies": deps_value,
        "AdditionalItems": _or_bool(s.get("additionalItems")), "Definitions": _schema_map(s.get("definitions")),
        "ExternalDocs": None if not isinstance(docs, dict)
        else {"Description": _str(docs.get("description")), "URL": _str(docs.get("url"))},
        "Example": None if example is None else _json_value(example),
        "XPreserveUnknownFields": s.get("x-kubernetes-preserve-unknown-fields")
        if isinstance(s.get("x-kubernetes-preserve-unknown-fields"), bool) else None,
        "XEmbeddedResource": s.get("x-kubernetes-embedded-resource") is True,
        "XIntOrString": s.get("x-kubernetes-int-or-string") is True,
        "XListMapKeys": list(s["x-kubernetes-list-map-keys"])
        if isinstance(s.get("x-kubernetes-list-map-keys"), list) else None,
        "XListType": s.get("x-kubernetes-list-type") if isinstance(s.get("x-kubernetes-list-type"), str) else None,
        "XMapType": s.get("x-kubernetes-map-type") if isinstance(s.get("x-kubernetes-map-type"), str) else None,
        "XValidations": None if not isinstance(rules, list) else [
            {
                "Rule": _str(_dict(r).get("rule")), "Message": _str(_dict(r).get("message")),
                "MessageExpression": _str(_dict(r).get("messageExpression")),
                "Reason": _dict(r).get("reason") if isinstance(_dict(r).get("reason"), str) else None,
                "FieldPath": _str(_dict(r).get("fieldPath")),
                "OptionalOldSelf": _dict(r).get("optionalOldSelf")
                if isinstance(_dict(r).get("optionalOldSelf"), bool) else None,
            }
            for r in rules
        ],
    }


def _go_schema(schema: Obj) -> GoText:
    return GoText(_go_json(_go_schema_value(schema)))


def _go_subresources(value: Any) -> Any:
    if not isinstance(value, dict):
        return None
    scale = value.get("scale")
    scale_value: Any = None
    if isinstance(scale, dict):
        selector = scale.get("labelSelectorPath")
        scale_value = {
            "SpecReplicasPath": _str(scale.get("specReplicasPath")),
            "StatusReplicasPath": _str(scale.get("statusReplicasPath")),
            "LabelSelectorPath": selector if isinstance(selector, str) else None,
        }
    return {"Status": {} if isinstance(value.get("status"), dict) else None, "Scale": scale_value}


def _go_versions(versions: Any, hoisted: tuple[bool, bool, bool, bool]) -> GoText:
    """``[]apiextensions.CustomResourceDefinitionVersion`` after the v1 conversion's hoisting."""
    if not isinstance(versions, list):
        return GoText("null")
    out: list[Obj] = []
    for v in versions:
        v = _dict(v)
        schema = v.get("schema")
        columns = v.get("additionalPrinterColumns")
        selectable = v.get("selectableFields")
        warning = v.get("deprecationWarning")
        out.append({
            "Name": _str(v.get("name")), "Served": v.get("served") is True, "Storage": v.get("storage") is True,
            "Deprecated": v.get("deprecated") is True,
            "DeprecationWarning": warning if isinstance(warning, str) else None,
            "Schema": None if hoisted[0] or not isinstance(schema, dict) else {
                "OpenAPIV3Schema": _go_schema_value(_dict(schema["openAPIV3Schema"]))
                if isinstance(schema.get("openAPIV3Schema"), dict) else None
            },
            "Subresources": None if hoisted[1] else _go_subresources(v.get("subresources")),
            "AdditionalPrinterColumns": None if hoisted[2] or not isinstance(columns, list) else [
                {
                    "Name": _str(_dict(c).get("name")), "Type": _str(_dict(c).get("type")),
                    "Format": _str(_dict(c).get("format")), "Description": _str(_dict(c).get("description")),
                    "Priority": _dict(c).get("priority") if _is_int(_dict(c).get("priority")) else 0,
                    "JSONPath": _str(_dict(c).get("jsonPath")),
                }
                for c in columns
            ],
            "SelectableFields": None if hoisted[3] or not isinstance(selectable, list) else [
                {"JSONPath": _str(_dict(f).get("jsonPath"))} for f in selectable
            ],
        })
    return GoText(_go_json(out))


def _go_strings(values: Any) -> GoText:
    return GoText(_go_json([str(v) for v in values]) if isinstance(values, list) and values else "null")


# --------------------------------------------------------------------------- defaults


def _storage_version(spec: Obj) -> str | None:
    for v in _list(spec.get("versions")):
        if _dict(v).get("storage") is True:
            return _str(_dict(v).get("name"))
    return None


def _default_crd(obj: Obj) -> None:
    """``SetDefaults_CustomResourceDefinition`` (with ``PrepareFor*``'s stored-version append)."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    names = spec.get("names")
    if isinstance(names, dict):
        kind = _str(names.get("kind"))
        if not names.get("singular") and kind:
            names["singular"] = kind.lower()
        if not names.get("listKind") and kind:
            names["listKind"] = kind + "List"
    if spec.get("conversion") is None:
        spec["conversion"] = {"strategy": "None"}
    service = _dict(_dict(_dict(_dict(spec.get("conversion")).get("webhook")).get("clientConfig")).get("service"))
    if service and service.get("port") is None:
        service["port"] = 443
    storage = _storage_version(spec)
    if storage is None:
        return
    status = obj.get("status")
    status = dict(status) if isinstance(status, dict) else {}
    stored = [str(v) for v in _list(status.get("storedVersions"))]
    if storage not in stored:
        status["storedVersions"] = [*stored, storage]
        obj["status"] = status


def _prepare_create(obj: Obj) -> None:
    """``PrepareForCreate``: the status is reset (as a v1.36 server returns it)."""
    obj["status"] = {"conditions": None, "acceptedNames": {"plural": "", "kind": ""}}


# --------------------------------------------------------------------------- names


def _dns1035(errs: Errors, value: str, path: str, prefix: str = "", shown: str | None = None) -> None:
    msgs = is_dns1035_label(value)
    if msgs:
        errs.invalid(path, value if shown is None else shown, prefix + ",".join(msgs))


def _names(errs: Errors, names: Obj, path: str) -> None:
    """``ValidateCustomResourceDefinitionNames``."""
    plural, singular = _str(names.get("plural")), _str(names.get("singular"))
    kind, list_kind = _str(names.get("kind")), _str(names.get("listKind"))
    mixed = "may have mixed case, but should otherwise match: "
    if plural:
        _dns1035(errs, plural, f"{path}.plural")
    if singular:
        _dns1035(errs, singular, f"{path}.singular")
    if kind:
        _dns1035(errs, kind.lower(), f"{path}.kind", mixed, kind)
    if list_kind:
        _dns1035(errs, list_kind.lower(), f"{path}.listKind", mixed, list_kind)
    for i, short in enumerate(_list(names.get("shortNames"))):
        _dns1035(errs, _str(short), f"{path}.shortNames[{i}]")
    if kind and kind == list_kind:
        errs.invalid(f"{path}.listKind", list_kind, "kind and listKind may not be the same")
    for i, category in enumerate(_list(names.get("categories"))):
        _dns1035(errs, _str(category), f"{path}.categories[{i}]")


# --------------------------------------------------------------------------- schemas: structural


def _readable(s: Any) -> bool:
    """Whether ``NewStructural`` can read the schema (no keyword it rejects, ``items`` not a list)."""
    if not isinstance(s, dict):
        return True
    if any(k in s for k in _NOT_STRUCTURAL) or isinstance(s.get("items"), list):
        return False
    children: list[Any] = [s.get("items"), s.get("not"), s.get("additionalProperties")]
    children.extend(_dict(s.get("properties")).values())
    for key in ("allOf", "anyOf", "oneOf"):
        children.extend(_list(s.get(key)))
    return all(_readable(c) for c in children)


def _int_or_string_pair(branches: Any) -> bool:
    types = [_dict(b).get("type") for b in _list(branches)]
    return types == ["integer", "string"] and all(set(_dict(b)) == {"type"} for b in _list(branches))


def _nested(errs: Errors, s: Obj, path: str, skip_types: bool) -> None:
    """``validateNestedValueValidation``: a value validation under a junctor carries no structure."""
    if s.get("type") and not skip_types:
        errs.forbidden(f"{path}.type", "must be empty to be structural")
    if s.get("additionalProperties") is not None:
        errs.forbidden(f"{path}.additionalProperties", "must be undefined to be structural")
    if s.get("default") is not None:
        errs.forbidden(f"{path}.default", "must be undefined to be structural")
    for key in ("title", "description"):
        if s.get(key):
            errs.forbidden(f"{path}.{key}", "must be empty to be structural")
    if s.get("nullable") is True:
        errs.forbidden(f"{path}.nullable", "must be false to be structural")
    for key in ("x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource", "x-kubernetes-int-or-string"):
        if s.get(key) is True:
            errs.forbidden(f"{path}.{key}", "must be false to be structural")
    _value_validation(errs, s, path, False, False)
    if isinstance(s.get("items"), dict):
        _nested(errs, s["items"], f"{path}.items", False)
    for key, sub in _dict(s.get("properties")).items():
        _nested(errs, _dict(sub), f"{path}.properties[{key}]", False)


def _value_validation(errs: Errors, s: Obj, path: str, skip_any_of: bool, skip_all_of_any_of: bool) -> None:
    """``validateValueValidation``: the junctors' schemas."""
    for i, sub in enumerate(_list(s.get("allOf"))):
        sub = _dict(sub)
        if skip_all_of_any_of and i == 0:
            sub = {k: v for k, v in sub.items() if k != "anyOf"}
        _nested(errs, sub, f"{path}.allOf[{i}]", False)
    for key in ("anyOf", "oneOf"):
        if key == "anyOf" and skip_any_of:
            continue
        for i, sub in enumerate(_list(s.get(key))):
            _nested(errs, _dict(sub), f"{path}.{key}[{i}]", False)
    if isinstance(s.get("not"), dict):
        _nested(errs, s["not"], f"{path}.not", False)


_ROOT, _ITEMS, _FIELD = 0, 1, 2


def _structural(errs: Errors, s: Obj, level: int, path: str) -> None:
    """``validateStructuralInvariants`` (errors sorted by the caller)."""
    typ = _str(s.get("type"))
    if typ == "array" and not isinstance(s.get("items"), dict):
        errs.required(f"{path}.items", "must be specified")
    if isinstance(s.get("items"), dict):
        _structural(errs, s["items"], _ITEMS, f"{path}.items")
    props = _dict(s.get("properties"))
    for key, sub in props.items():
        _structural(errs, _dict(sub), _FIELD, f"{path}.properties[{key}]")
    additional = s.get("additionalProperties")
    if additional is not None and level == _ROOT:
        errs.forbidden(f"{path}.additionalProperties", "must not be used at the root")
    if isinstance(additional, dict):
        _structural(errs, additional, _FIELD, f"{path}.additionalProperties")
    int_or_string = s.get("x-kubernetes-int-or-string") is True
    preserve = s.get("x-kubernetes-preserve-unknown-fields") is True
    embedded = s.get("x-kubernetes-embedded-resource") is True
    if int_or_string and preserve:
        errs.invalid(f"{path}.x-kubernetes-preserve-unknown-fields", True, "must be false if x-kubernetes-int-or-string is true")
    if int_or_string and embedded:
        errs.invalid(f"{path}.x-kubernetes-embedded-resource", True, "must be false if x-kubernetes-int-or-string is true")
    skip_any_of = int_or_string and _int_or_string_pair(s.get("anyOf"))
    all_of = _list(s.get("allOf"))
    skip_all_of = int_or_string and bool(all_of) and _int_or_string_pair(_dict(all_of[0]).get("anyOf"))
    _value_validation(errs, s, path, skip_any_of, skip_all_of)
    if embedded and typ != "object":
        if not typ:
            errs.required(f"{path}.type", "must be object if x-kubernetes-embedded-resource is true")
        else:
            errs.invalid(f"{path}.type", typ, "must be object if x-kubernetes-embedded-resource is true")
    elif not typ and not embedded and not int_or_string and not preserve:
        detail = {
            _ROOT: "must not be empty at the root",
            _ITEMS: "must not be empty for specified array items",
            _FIELD: "must not be empty for specified object fields",
        }[level]
        errs.required(f"{path}.type", detail)
    if level == _ROOT and typ and typ != "object":
        errs.invalid(f"{path}.type", typ, "must be object at the root")
    check_meta = level == _ROOT or embedded
    if check_meta:
        for key, want in (("kind", "string"), ("apiVersion", "string"), ("metadata", "object")):
            if key in props and _str(_dict(props[key]).get("type")) != want:
                errs.invalid(f"{path}.properties[{key}].type", _str(_dict(props[key]).get("type")), f"must be {want}")
    if level == _ROOT and "metadata" in props:
        meta = {k: v for k, v in _dict(props["metadata"]).items() if k not in ("type", "default")}
        meta_props = _dict(meta.get("properties"))
        if set(meta_props) <= {"name", "generateName"}:
            meta.pop("properties", None)
        if meta:
            errs.forbidden(
                f"{path}.properties[metadata]",
                "must not specify anything other than name and generateName, but metadata is implicitly specified",
            )
    if embedded and not preserve and not props:
        errs.required(
            f"{path}.properties", "must not be empty if x-kubernetes-embedded-resource is true without "
            "x-kubernetes-preserve-unknown-fields",
        )


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _defaults(errs: Errors, s: Obj, path: str) -> None:
    """The part of ``structuraldefaulting.ValidateDefaults`` for scalar defaults of a scalar type."""
    typ = _str(s.get("type"))
    default = s.get("default")
    if default is not None and not isinstance(default, dict | list) and typ in ("boolean", "integer", "number", "string"):
        got = _json_type(default)
        if got != typ and not (typ == "number" and got == "integer"):
            shown = "number" if got == "integer" and isinstance(default, float) else got
            errs._add("FieldValueTypeInvalid", f"{path}.default", f'Invalid value: "{shown}":  in body must be of type {typ}: "{shown}"')
            if typ == "integer" and got == "number":
                errs.invalid(f"{path}.default", "", "Checked value must be of type integer (default format) in ")
    if isinstance(s.get("items"), dict):
        _defaults(errs, s["items"], f"{path}.items")
    for key in sorted(_dict(s.get("properties"))):
        _defaults(errs, _dict(s["properties"][key]), f"{path}.properties[{key}]")
    if isinstance(s.get("additionalProperties"), dict):
        _defaults(errs, s["additionalProperties"], f"{path}.additionalProperties")


# --------------------------------------------------------------------------- schemas: OpenAPI checks


def _openapi(errs: Errors, s: Obj, path: str, is_root: bool, in_meta: bool, no_defaults: str) -> None:
    """``ValidateCustomResourceDefinitionOpenAPISchema`` with ``specStandardValidatorV3.validate``."""
    typ = _str(s.get("type"))
    if typ and typ not in OPENAPI_TYPES:
        errs.not_supported(f"{path}.type", typ, OPENAPI_TYPES)
    if s.get("default") is not None and no_defaults:
        errs.forbidden(f"{path}.default", "must not be set " + no_defaults)
    if s.get("id"):
        errs.forbidden(f"{path}.id", "id is not supported")
    if s.get("additionalItems") is not None:
        errs.forbidden(f"{path}.additionalItems", "additionalItems is not supported")
    if _dict(s.get("patternProperties")):
        errs.forbidden(f"{path}.patternProperties", "patternProperties is not supported")
    if _dict(s.get("definitions")):
        errs.forbidden(f"{path}.definitions", "definitions is not supported")
    for key in sorted(_dict(s.get("dependencies"))):
        if isinstance(s["dependencies"][key], list) and s["dependencies"][key]:
            errs.forbidden(f"{path}.dependencies[{key}]", "property dependencies are not supported")
    if s.get("$ref") is not None:
        errs.forbidden(f"{path}.$ref", "$ref is not supported")
    if typ == "null":
        errs.forbidden(f"{path}.type", "type cannot be set to null, use nullable as an alternative")
    if isinstance(s.get("items"), list) and s["items"]:
        errs.forbidden(f"{path}.items", "items must be a schema object and not an array")
    if in_meta and s.get("x-kubernetes-embedded-resource") is True:
        errs.forbidden(f"{path}.x-kubernetes-embedded-resource", "must not be used inside of resource meta")
    if s.get("uniqueItems") is True:
        errs.forbidden(f"{path}.uniqueItems", "uniqueItems cannot be set to true since the runtime complexity becomes quadratic")
    props = _dict(s.get("properties"))
    additional = s.get("additionalProperties")
    if additional is not None:
        if props and (additional is False or isinstance(additional, dict)):
            errs.forbidden(f"{path}.additionalProperties", "additionalProperties and properties are mutual exclusive")
        if isinstance(additional, dict):
            reason = "inside additionalProperties applying to object metadata" if in_meta else no_defaults
            _openapi(errs, additional, f"{path}.additionalProperties", False, in_meta, reason)
    embedded = s.get("x-kubernetes-embedded-resource") is True
    for key in sorted(props):
        sub_meta, sub_reason = in_meta, no_defaults
        if (is_root or embedded) and key in META_FIELDS:
            sub_meta = True
            if is_root:
                sub_reason = f"in top-level {key}"
        _openapi(errs, _dict(props[key]), f"{path}.properties[{key}]", False, sub_meta, sub_reason)
    if isinstance(s.get("not"), dict):
        _openapi(errs, s["not"], f"{path}.not", False, in_meta, no_defaults)
    for key in ("allOf", "oneOf", "anyOf"):
        for i, sub in enumerate(_list(s.get(key))):
            _openapi(errs, _dict(sub), f"{path}.{key}[{i}]", False, in_meta, no_defaults)
    for key in sorted(_dict(s.get("definitions"))):
        _openapi(errs, _dict(s["definitions"][key]), f"{path}.definitions[{key}]", False, in_meta, no_defaults)
    items = s.get("items")
    if isinstance(items, dict):
        _openapi(errs, items, f"{path}.items", False, in_meta, no_defaults)
    elif isinstance(items, list):
        for i, sub in enumerate(items):
            _openapi(errs, _dict(sub), f"{path}.items[{i}]", False, in_meta, no_defaults)
    if s.get("x-kubernetes-preserve-unknown-fields") is False:
        errs.invalid(f"{path}.x-kubernetes-preserve-unknown-fields", False, "must be true or undefined")


def _has_default(s: Any) -> bool:
    if not isinstance(s, dict):
        return False
    if s.get("default") is not None:
        return True
    children: list[Any] = [s.get("items"), s.get("not"), s.get("additionalProperties")]
    children.extend(_dict(s.get("properties")).values())
    for key in ("allOf", "anyOf", "oneOf"):
        children.extend(_list(s.get(key)))
    return any(_has_default(c) for c in children)


_GO_FIELDS = (
    ("ID", "id"), ("Schema", "$schema"), ("Ref", "$ref"), ("Description", "description"), ("Type", "type"),
    ("Nullable", "nullable"), ("Format", "format"), ("Title", "title"), ("Default", "default"),
    ("Maximum", "maximum"), ("ExclusiveMaximum", "exclusiveMaximum"), ("Minimum", "minimum"),
    ("ExclusiveMinimum", "exclusiveMinimum"), ("MaxLength", "maxLength"), ("MinLength", "minLength"),
    ("Pattern", "pattern"), ("MaxItems", "maxItems"), ("MinItems", "minItems"), ("UniqueItems", "uniqueItems"),
    ("MultipleOf", "multipleOf"), ("Enum", "enum"), ("MaxProperties", "maxProperties"),
    ("MinProperties", "minProperties"), ("Required", "required"), ("Items", "items"), ("AllOf", "allOf"),
    ("OneOf", "oneOf"), ("AnyOf", "anyOf"), ("Not", "not"), ("Properties", "properties"),
    ("AdditionalProperties", "additionalProperties"), ("PatternProperties", "patternProperties"),
    ("Dependencies", "dependencies"), ("AdditionalItems", "additionalItems"), ("Definitions", "definitions"),
    ("ExternalDocs", "externalDocs"), ("Example", "example"),
    ("XPreserveUnknownFields", "x-kubernetes-preserve-unknown-fields"),
    ("XEmbeddedResource", "x-kubernetes-embedded-resource"), ("XIntOrString", "x-kubernetes-int-or-string"),
    ("XListMapKeys", "x-kubernetes-list-map-keys"), ("XListType", "x-kubernetes-list-type"),
    ("XMapType", "x-kubernetes-map-type"), ("XValidations", "x-kubernetes-validations"),
)


def _status_root(errs: Errors, schema: Obj, path: str) -> None:
    """With the status subresource on, only some root fields (``allowedFieldsAtRootSchema``)."""
    go = _go_schema_value(schema)
    for go_name, _key in _GO_FIELDS:
        value = go[go_name]
        if value is None or value is False or value == "":
            continue
        if go_name == "Type":
            if value != "object":
                errs.invalid(
                    f"{path}.openAPIV3Schema.type", value,
                    'only "object" is allowed as the type at the root of the schema if the status subresource is enabled',
                )
                return
            continue
        if go_name not in ROOT_FIELDS_WITH_STATUS:
            errs.invalid(
                f"{path}.openAPIV3Schema", _go_schema(schema),
                f"only [{' '.join(ROOT_FIELDS_WITH_STATUS)}] fields are allowed at the root of the schema "
                "if the status subresource is enabled",
            )
            return


def _validation(errs: Errors, schema: Any, status_enabled: bool, path: str) -> None:
    """``validateCustomResourceDefinitionValidation`` of one ``CustomResourceValidation``."""
    if not isinstance(schema, dict) or not isinstance(schema.get("openAPIV3Schema"), dict):
        return
    root: Obj = schema["openAPIV3Schema"]
    if status_enabled:
        _status_root(errs, root, path)
    schema_path = f"{path}.openAPIV3Schema"
    if _readable(root):
        found = Errors()
        _structural(found, root, _ROOT, schema_path)
        if found.causes:
            errs.causes.extend(sorted(found.causes, key=lambda c: f"{c['field']}: {c['message']}"))
        else:
            _defaults(errs, root, schema_path)
    _openapi(errs, root, schema_path, True, False, "")


# --------------------------------------------------------------------------- subresources, columns, fields


def _simple_json_path(errs: Errors, value: str, path: str) -> bool:
    if not value.startswith("."):
        errs.invalid(path, value, "must be a simple json path starting with .")
        return False
    return True


def _subresources(errs: Errors, subresources: Any, path: str) -> None:
    """``ValidateCustomResourceDefinitionSubresources``."""
    scale = _dict(subresources).get("scale")
    if not isinstance(scale, dict):
        return
    for key, prefix, msg in (
        ("specReplicasPath", ".spec.", "should be a json path under .spec"),
        ("statusReplicasPath", ".status.", "should be a json path under .status"),
    ):
        value = _str(scale.get(key))
        if not value:
            errs.required(f"{path}.scale.{key}")
        elif _simple_json_path(errs, value, f"{path}.scale.{key}") and not value.startswith(prefix):
            errs.invalid(f"{path}.scale.{key}", value, msg)
    selector = _str(scale.get("labelSelectorPath"))
    if selector and _simple_json_path(errs, selector, f"{path}.scale.labelSelectorPath"):
        if not selector.startswith(".spec.") and not selector.startswith(".status."):
            errs.invalid(f"{path}.scale.labelSelectorPath", selector, "should be a json path under either .spec or .status")


def _columns(errs: Errors, columns: Any, path: str) -> None:
    """``ValidateCustomResourceColumnDefinition`` of each column."""
    for i, col in enumerate(_list(columns)):
        col = _dict(col)
        cpath = f"{path}[{i}]"
        if not _str(col.get("name")):
            errs.required(f"{cpath}.name")
        typ = _str(col.get("type"))
        if not typ:
            errs.required(f"{cpath}.type", f"must be one of {PRINTER_COLUMN_TYPES}")
        elif typ not in PRINTER_COLUMN_TYPE_SET:
            errs.invalid(f"{cpath}.type", typ, f"must be one of {PRINTER_COLUMN_TYPES}")
        fmt = _str(col.get("format"))
        if fmt and fmt not in PRINTER_COLUMN_FORMAT_SET:
            errs.invalid(f"{cpath}.format", fmt, f"must be one of {PRINTER_COLUMN_FORMATS}")
        json_path = _str(col.get("jsonPath"))
        if not json_path:
            errs.required(f"{cpath}.JSONPath")
        else:
            _simple_json_path(errs, json_path, f"{cpath}.JSONPath")


def _field_schema(schema: Obj, json_path: str) -> Obj | None:
    cur: Obj | None = schema
    for part in json_path[1:].split("."):
        if cur is None or not part:
            return None
        props = _dict(cur.get("properties"))
        cur = _dict(props[part]) if part in props else None
    return cur


def _selectable_fields(errs: Errors, fields: Any, schema: Any, path: str) -> None:
    """``validateSelectableFields`` (paths resolved on the version's schema)."""
    root = _dict(_dict(schema).get("openAPIV3Schema"))
    seen: set[str] = set()
    for i, f in enumerate(_list(fields)):
        fpath = f"{path}[{i}].jsonPath"
        json_path = _str(_dict(f).get("jsonPath"))
        if not json_path:
            errs.required(fpath)
            continue
        if not json_path.startswith(".") and not json_path.startswith("["):
            errs.invalid(fpath, json_path, f"is an invalid path: expected [ or . but got: {json_path}")
            continue
        target = _field_schema(root, json_path)
        if target is None:
            errs.invalid(fpath, json_path, "is an invalid path: does not refer to a valid field")
            continue
        if _str(target.get("type")) not in ("string", "boolean", "integer"):
            errs.invalid(
                fpath, json_path,
                "must point to a field of type string, boolean or integer. Enum string fields and strings "
                "with formats are allowed.",
            )
            continue
        if json_path in seen:
            errs.duplicate(fpath, json_path)
        seen.add(json_path)


# --------------------------------------------------------------------------- conversion


def _service_path(errs: Errors, value: str, path: str) -> None:
    """``webhook.ValidateWebhookService``'s path check."""
    if value == "/":
        return
    if not value.startswith("/"):
        errs.invalid(path, value, "must start with a '/'")
    check = value[1:]
    if check.endswith("/"):
        check = check[:-1]
    for i, step in enumerate(check.split("/")):
        if not step:
            errs.invalid(path, value, f"segment[{i}] may not be empty")
            continue
        for msg in is_dns1123_subdomain(step):
            errs.invalid(path, value, f"segment[{i}]: {msg}")


def _client_config(errs: Errors, config: Obj, path: str) -> None:
    url, service = config.get("url"), config.get("service")
    if (url is None) == (service is None):
        errs.required(path, "exactly one of url or service is required")
        return
    if isinstance(url, str):
        scheme, sep, rest = url.partition("://")
        if not sep:
            scheme, rest = "", url
        if scheme != "https":
            errs.invalid(f"{path}.url", scheme, "'https' is the only allowed URL scheme; desired format: https://host[/path]")
        elif not rest.split("/", 1)[0]:
            errs.invalid(f"{path}.url", "", "host must be specified; desired format: https://host[/path]")
        return
    service = _dict(service)
    if not _str(service.get("name")):
        errs.required(f"{path}.service.name")
    if not _str(service.get("namespace")):
        errs.required(f"{path}.service.namespace")
    port = service.get("port")
    if _is_int(port) and not 1 <= port <= 65535:
        errs.invalid(f"{path}.service.port", port, "port is not valid: must be between 1 and 65535, inclusive")
    if isinstance(service.get("path"), str):
        _service_path(errs, service["path"], f"{path}.service.path")


def _conversion(errs: Errors, spec: Obj, path: str) -> None:
    """``validateCustomResourceConversion`` (on the internal form: the webhook's fields flattened)."""
    conversion = _dict(spec.get("conversion"))
    strategy = _str(conversion.get("strategy"))
    if "conversion" in spec and strategy != "None" and spec.get("preserveUnknownFields") is True:
        errs.invalid(f"{path}.strategy", strategy, "must be None if spec.preserveUnknownFields is true")
    if not isinstance(spec.get("conversion"), dict):
        return
    webhook = _dict(conversion.get("webhook"))
    config = webhook.get("clientConfig")
    review = webhook.get("conversionReviewVersions")
    if not strategy:
        errs.required(f"{path}.strategy")
    elif strategy not in CONVERSION_STRATEGIES:
        errs.not_supported(f"{path}.strategy", strategy, CONVERSION_STRATEGIES)
    elif strategy == "Webhook":
        if not isinstance(config, dict):
            errs.required(f"{path}.webhookClientConfig", "required when strategy is set to Webhook")
        else:
            _client_config(errs, config, f"{path}.webhookClientConfig")
        if not _list(review):
            errs.required(f"{path}.conversionReviewVersions")
        elif not any(v in CONVERSION_REVIEW_VERSIONS for v in _list(review)):
            errs.invalid(f"{path}.conversionReviewVersions", _go_strings(review), "must include at least one of v1, v1beta1")
    else:
        if isinstance(config, dict):
            errs.forbidden(f"{path}.webhookClientConfig", "should not be set when strategy is not set to Webhook")
        if _list(review):
            errs.forbidden(f"{path}.conversionReviewVersions", "should not be set when strategy is not set to Webhook")


# --------------------------------------------------------------------------- the spec


def _norm(value: Any) -> Any:
    """Semantic.DeepEqual's view: an empty slice is nil."""
    return None if value == [] else value


def _hoisted(versions: list[Any]) -> tuple[bool, bool, bool, bool]:
    """Which of schema, subresources, columns, selectable fields the v1 conversion moves to the top
    (every version has the same)."""
    if not versions:
        return (False, False, False, False)
    flags: list[bool] = []
    for key in ("schema", "subresources", "additionalPrinterColumns", "selectableFields"):
        first = _norm(_dict(versions[0]).get(key))
        flags.append(all(_norm(_dict(v).get(key)) == first for v in versions))
    return (flags[0], flags[1], flags[2], flags[3])


def _deprecation(errs: Errors, version: Obj, path: str) -> None:
    """``validateDeprecationWarning``."""
    warning = version.get("deprecationWarning")
    if not isinstance(warning, str):
        return
    if version.get("deprecated") is not True:
        errs.invalid(path, warning, "can only be set for deprecated versions")
        return
    if len(warning) > MAX_DEPRECATION_WARNING:
        errs.invalid(path, warning, f"must be <= {MAX_DEPRECATION_WARNING} characters long")
    for i, ch in enumerate(warning):
        if not ch.isprintable():
            errs.invalid(path, warning, f"must only contain printable UTF-8 characters; non-printable character found at index {i}")
            break


def _has_status(subresources: Any) -> bool:
    return isinstance(_dict(subresources).get("status"), dict)


def _spec(errs: Errors, spec: Obj) -> None:
    """``validateCustomResourceDefinitionSpec`` of the internal spec a v1 spec converts to."""
    group = _str(spec.get("group"))
    if not group:
        errs.required("spec.group")
    elif is_dns1123_subdomain(group):
        errs.invalid("spec.group", group, ",".join(is_dns1123_subdomain(group)))
    elif len(group.split(".")) < 2:
        errs.invalid("spec.group", group, "should be a domain with at least one dot")
    scope = _str(spec.get("scope"))
    if not scope:
        errs.required("spec.scope")
    elif scope not in SCOPES:
        errs.not_supported("spec.scope", scope, SCOPES)
    raw_versions = spec.get("versions")
    versions = [_dict(v) for v in _list(raw_versions)]
    for i, v in enumerate(versions):
        if not isinstance(_dict(v.get("schema")).get("openAPIV3Schema"), dict):
            errs.required(f"spec.versions[{i}].schema.openAPIV3Schema")
    if spec.get("preserveUnknownFields") is True and any(
        _has_default(_dict(v.get("schema")).get("openAPIV3Schema")) for v in versions
    ):
        errs.invalid("spec.preserveUnknownFields", True, "must be false in order to use defaults in the schema")
    hoisted = _hoisted(versions)
    storage_count = 0
    seen: set[str] = set()
    unique = True
    for i, v in enumerate(versions):
        name = _str(v.get("name"))
        if v.get("storage") is True:
            storage_count += 1
        if name in seen:
            unique = False
        seen.add(name)
        _dns1035(errs, name, f"spec.versions[{i}].name")
        vpath = f"spec.versions[{i}]"
        _deprecation(errs, v, f"{vpath}.deprecationWarning")
        if not hoisted[0]:
            _validation(errs, v.get("schema"), _has_status(v.get("subresources")), f"{vpath}.schema")
        if not hoisted[1]:
            _subresources(errs, v.get("subresources"), f"{vpath}.subresources")
        if not hoisted[2]:
            _columns(errs, v.get("additionalPrinterColumns"), f"{vpath}.additionalPrinterColumns")
        if not hoisted[3]:
            _selectable_fields(errs, v.get("selectableFields"), v.get("schema"), f"{vpath}.selectableFields")
    shown = _go_versions(raw_versions, hoisted) if isinstance(raw_versions, list) else GoText("null")
    if not unique:
        errs.invalid("spec.versions", shown, "must contain unique version names")
    if storage_count != 1:
        errs.invalid("spec.versions", shown, "must have exactly one version marked as storage version")
    if versions and _str(versions[0].get("name")):
        _dns1035(errs, _str(versions[0].get("name")), "spec.version")
    names = _dict(spec.get("names"))
    for key in ("plural", "singular", "kind", "listKind"):
        if not _str(names.get(key)):
            errs.required(f"spec.names.{key}")
    _names(errs, names, "spec.names")
    first = versions[0] if versions else {}
    if versions and hoisted[0]:
        any_status = any(_has_status(v.get("subresources")) for v in versions)
        _validation(errs, first.get("schema"), any_status, "spec.validation")
    if versions and hoisted[1]:
        _subresources(errs, first.get("subresources"), "spec.subresources")
    if versions and hoisted[2]:
        _columns(errs, first.get("additionalPrinterColumns"), "spec.additionalPrinterColumns")
    if versions and hoisted[3]:
        _selectable_fields(errs, first.get("selectableFields"), first.get("schema"), "spec.selectableFields")
    _conversion(errs, spec, "spec.conversion")


def _stored_versions(errs: Errors, obj: Obj) -> None:
    """``ValidateCustomResourceDefinitionStoredVersions``."""
    stored = [str(v) for v in _list(_dict(obj.get("status")).get("storedVersions"))]
    path = "status.storedVersions"
    if not stored:
        errs.invalid(path, GoText("null"), "must have at least one stored version")
        return
    index = {v: i for i, v in enumerate(stored)}
    for v in _list(_dict(obj.get("spec")).get("versions")):
        name = _str(_dict(v).get("name"))
        if _dict(v).get("storage") is True and name not in index:
            errs.invalid(path, _go_strings(stored), "must have the storage version " + name)
        index.pop(name, None)
    for v, i in sorted(index.items(), key=lambda kv: kv[1]):
        errs.invalid(
            f"{path}[{i}]", v,
            f"missing from spec.versions; {v} was previously a storage version, and must remain in spec.versions "
            f"until a storage migration ensures no data remains persisted in {v} and removes {v} from "
            "status.storedVersions",
        )


def _protected(group: str) -> bool:
    """``apihelpers.IsProtectedCommunityGroup``."""
    return group in ("k8s.io", "kubernetes.io") or group.endswith(".k8s.io") or group.endswith(".kubernetes.io")


def _approval(errs: Errors, obj: Obj) -> None:
    """``validateAPIApproval``."""
    if not _protected(_str(_dict(obj.get("spec")).get("group"))):
        return
    annotations = _dict(_dict(obj.get("metadata")).get("annotations"))
    path = f"metadata.annotations[{APPROVAL_ANNOTATION}]"
    if APPROVAL_ANNOTATION not in annotations:
        errs.required(path, f'protected groups must have approval annotation "{APPROVAL_ANNOTATION}", see {APPROVAL_LINK}')
        return
    value = str(annotations[APPROVAL_ANNOTATION])
    if value.startswith("unapproved"):
        return
    scheme, sep, rest = value.partition("://")
    if sep and scheme in ("http", "https") and rest.split("/", 1)[0]:
        return
    errs.invalid(
        path, value,
        f'protected groups must have approval annotation "{APPROVAL_ANNOTATION}" with either a URL or a reason '
        f'starting with "unapproved", see {APPROVAL_LINK}',
    )


def _preserve_unknown(errs: Errors, obj: Obj, old: Obj | None) -> None:
    """``validatePreserveUnknownFields``: v1 allows it only where the old object had it."""
    if _dict(obj.get("spec")).get("preserveUnknownFields") is not True:
        return
    if old is not None and _dict(old.get("spec")).get("preserveUnknownFields") is True:
        return
    errs.invalid(
        "spec.preserveUnknownFields", True,
        "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead",
    )


def _validate_crd(errs: Errors, obj: Obj) -> None:
    """``ValidateCustomResourceDefinition`` (after the generic metadata checks)."""
    spec = _dict(obj.get("spec"))
    name = _str(_dict(obj.get("metadata")).get("name"))
    if name and name != f"{_str(_dict(spec.get('names')).get('plural'))}.{_str(spec.get('group'))}":
        errs.invalid("metadata.name", name, 'must be spec.names.plural+"."+spec.group')
    _spec(errs, spec)
    _names(errs, _dict(_dict(obj.get("status")).get("acceptedNames")), "status.acceptedNames")
    _stored_versions(errs, obj)
    _approval(errs, obj)
    _preserve_unknown(errs, obj, None)


def _established(obj: Obj) -> bool:
    return any(
        _dict(c).get("type") == "Established" and _dict(c).get("status") == "True"
        for c in _list(_dict(obj.get("status")).get("conditions"))
    )


def _validate_crd_update(errs: Errors, obj: Obj, old: Obj) -> None:
    """``ValidateCustomResourceDefinitionUpdate``, or the status strategy's
    ``ValidateUpdateCustomResourceDefinitionStatus`` for a status write."""
    spec, old_spec = _dict(obj.get("spec")), _dict(old.get("spec"))
    status_path = "status.acceptedNames"
    if spec == old_spec and obj.get("status") != old.get("status"):
        _names(errs, _dict(_dict(obj.get("status")).get("acceptedNames")), status_path)
        return
    _spec(errs, spec)
    names, old_names = _dict(spec.get("names")), _dict(old_spec.get("names"))
    if _established(old):
        if _str(spec.get("scope")) != _str(old_spec.get("scope")):
            errs.invalid("spec.scope", _str(spec.get("scope")), FIELD_IMMUTABLE)
        if _str(names.get("kind")) != _str(old_names.get("kind")):
            errs.invalid("spec.names.kind", _str(names.get("kind")), FIELD_IMMUTABLE)
    if _str(spec.get("group")) != _str(old_spec.get("group")):
        errs.invalid("spec.group", _str(spec.get("group")), FIELD_IMMUTABLE)
    if _str(names.get("plural")) != _str(old_names.get("plural")):
        errs.invalid("spec.names.plural", _str(names.get("plural")), FIELD_IMMUTABLE)
    _names(errs, _dict(_dict(obj.get("status")).get("acceptedNames")), status_path)
    _stored_versions(errs, obj)
    _approval(errs, obj)
    _preserve_unknown(errs, obj, old)


# --------------------------------------------------------------------------- printer

_COLUMNS: tuple[Column, ...] = (("Name", "string", 0, "name"), ("Created At", "date", 0, ""))


def _cells(obj: Obj, now: float) -> list[Any]:
    meta = _dict(obj.get("metadata"))
    return [meta.get("name", ""), meta.get("creationTimestamp")]


STRATEGIES: tuple[Strategy, ...] = (
    Strategy(
        info=CRD_INFO,
        default=_default_crd,
        validate=_validate_crd,
        validate_update=_validate_crd_update,
        columns=_COLUMNS,
        cells=_cells,
        prepare_create=_prepare_create,
    ),
)
