"""Decoding a request body into its Go type: unknown and duplicate fields, and Kubernetes' number rules.

Models how kube-apiserver decodes a request body into a built-in type
(``staging/src/k8s.io/apiserver/pkg/endpoints/handlers/{create,update,patch}.go`` with the strict
JSON serializer of ``k8s.io/apimachinery/pkg/runtime/serializer/json``, which uses
``sigs.k8s.io/json``'s ``UnmarshalStrict``): a field the type does not declare never reaches
storage (decoding into the Go struct drops it), and the ``fieldValidation`` query parameter says
what the client hears of it —

- ``Ignore``: nothing;
- ``Warn`` (the default): one ``Warning: 299 - "unknown field \\"spec.x\\""`` header per field
  (``duplicate field "spec.replicas"`` for a key given twice; the last one wins);
- ``Strict``: 400 BadRequest ``strict decoding error: unknown field "spec.x", duplicate field
  "spec.replicas"``, every problem in the order the body has them.

Paths are those of ``sigs.k8s.io/json``: ``spec.template.spec.containers[0].foo``. The fields of
each type come from the OpenAPI definitions of the pinned release (kubernetes-validate's
``v1.36.0-local`` schemas, the ones ``openapi.py`` serves): an object with ``properties``
declares exactly those, one with ``additionalProperties`` is a map, one with neither
(``RawExtension``, ``FieldsV1``, ``JSON``) holds anything. A kind without a definition is decoded
as given. Merge and strategic-merge patch bodies are checked the same way against the patched
type (a strategic patch's ``$patch``, ``$retainKeys``, ``$setElementOrder/...`` and
``$deleteFromPrimitiveList/...`` directives are declared for it); ``null`` deletes a field and is
never unknown.

The number and type rules are encoding/json's (``decode.go`` ``literalStore``): an integer field
takes only an integer literal within its int32/int64 range (``2.0``, ``3e0`` and ``2^31`` for an
int32 are ``json: cannot unmarshal number 2147483648 into Go struct field
DeploymentSpec.spec.replicas of type int32``); a value of the wrong JSON kind is named by kind
(``cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container``);
NaN and Infinity are syntax errors; free-form values keep integers that fit int64 and turn larger
ones into float64 (PreserveInts). :meth:`FieldValidator.check` types a patched object as a JSON or
merge patch's result is typed, :meth:`FieldValidator.from_unstructured` as a strategic or apply
patch's is (``runtime.DefaultUnstructuredConverter``: integers wrap to the field's width, as
upstream's do).

Leaves out: JSON patches (RFC 6902) and server-side apply bodies are not checked field by field
(upstream checks the JSON patch's result, and apply reports ``.spec.x: field not declared in
schema`` through structured-merge-diff); duplicate keys of YAML bodies (YAML takes the last
silently here); case-insensitive field matching, which strict decoding refuses anyway; named map
and slice types in messages (``v1.ResourceList`` prints as ``map[string]resource.Quantity``);
bodies nested deeper than Python's parser goes (~1,000 levels; Go's limit is 10,000), which are a
400 with the Go scanner's "exceeded max depth", and kept values deeper than
:data:`MAX_STORED_DEPTH`, a 400 too.
"""

from __future__ import annotations

import json
from typing import Any

from reference_impl.apiserver.patch import go_json_type

Obj = dict[str, Any]

#: A request's ``fieldValidation``, resolved: Ignore, Warn or Strict.
DIRECTIVES = ("Ignore", "Warn", "Strict")
DEFAULT_DIRECTIVE = "Warn"

_SMP_DIRECTIVE_PREFIXES = ("$setElementOrder/", "$deleteFromPrimitiveList/")
_SMP_DIRECTIVES = frozenset({"$patch", "$retainKeys"})


class _Pairs:
    """A JSON object's members in body order, duplicates kept (``object_pairs_hook``).

    (A wrapper, not a ``list`` subclass: mypyc compiles this module and cannot subclass builtins.)
    """

    __slots__ = ("members",)

    def __init__(self, members: list[tuple[str, Any]]) -> None:
        self.members = members


class _Num:
    """A JSON number that is not an integer literal (``1.5``, ``2.0``, ``3e11``), its text kept:
    Go refuses each of them for an integer field and names the literal in its error."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class DecodeError(ValueError):
    """A body that does not decode into its Go type: the text of the Go error (``json: cannot
    unmarshal ...``), without the ``<Kind> in version ...`` prefix the endpoint adds."""


class TooDeep(ValueError):
    """A body nested deeper than the decoder (or the store) takes."""


#: (Go's encoding/json scanner refuses nesting beyond 10,000 levels, "exceeded max depth";
#: Python's own parser stops near its recursion limit, ~1,000, first: both answer that 400.)
#: The deepest object this server keeps: orjson, which encodes every stored object, refuses
#: more than 255 levels, and nothing Kubernetes serves needs a tenth of that.
MAX_STORED_DEPTH = 200
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


def _reject_constant(name: str) -> Any:
    if name.startswith("-"):  # the scanner read a minus sign and wanted a digit
        raise ValueError(f"invalid character '{name[1]}' in numeric literal")
    raise ValueError(f"invalid character '{name[0]}' looking for beginning of value")


def loads_pairs(raw: bytes | str) -> Any:
    """JSON with every object as :class:`_Pairs`, so duplicate keys can be reported; NaN and
    Infinity refused as Go's scanner refuses them; non-integer numbers as :class:`_Num`."""
    return json.loads(raw, object_pairs_hook=_Pairs, parse_float=_Num, parse_constant=_reject_constant)


def _float(num: _Num, where: str) -> float:
    value = float(num.text)
    if value in (float("inf"), float("-inf")):
        raise DecodeError(f"json: cannot unmarshal number {num.text} into {where} of type float64")
    return value


def _plain(value: Any, depth: int = 0, big_ints: bool = False) -> Any:
    """A :func:`loads_pairs` value as the data an ``interface{}`` holds (the last of duplicate
    keys wins; integers beyond int64 become float64, as sigs.k8s.io/json's PreserveInts does,
    unless ``big_ints``: a patch body keeps them for the patched object's typing to name)."""
    if depth > MAX_STORED_DEPTH:
        raise TooDeep(depth)
    if isinstance(value, _Pairs):
        return {k: _plain(v, depth + 1, big_ints) for k, v in value.members}
    if isinstance(value, list):
        return [_plain(v, depth + 1, big_ints) for v in value]
    if isinstance(value, _Num):
        return _float(value, "Go value")
    if (not big_ints and isinstance(value, int) and not isinstance(value, bool)
            and not _INT64_MIN <= value <= _INT64_MAX):
        return float(value)
    return value


def plain_loads(raw: bytes | str) -> Any:
    """A JSON body with no type to decode into: :func:`loads_pairs` + :func:`_plain`."""
    return _plain(loads_pairs(raw))


def _json_kind(value: Any) -> str:
    """What Go's decoder calls a JSON value in an UnmarshalTypeError."""
    return "number" if isinstance(value, _Num) else go_json_type(value)


def _number_text(value: Any) -> str:
    return value.text if isinstance(value, _Num) else str(value)


#: Definitions with their own UnmarshalJSON that take any JSON (or that this decoder leaves alone)
_FREE_DEFS = frozenset(
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1." + n
    for n in ("JSON", "JSONSchemaPropsOrArray", "JSONSchemaPropsOrBool", "JSONSchemaPropsOrStringArray")
)
_INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
_TIMES = frozenset(
    "io.k8s.apimachinery.pkg.apis.meta.v1." + n for n in ("Time", "MicroTime")
)
_QUANTITY_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"


def _schema_type(schema: Obj) -> str | None:
    t = schema.get("type")
    if isinstance(t, list):
        for x in t:
            if x != "null":
                return str(x)
        return None
    return str(t) if isinstance(t, str) else None


class FieldValidator:
    """The known fields and the Go types of every built-in kind that has an OpenAPI definition.

    Built from the definitions once per API server (they never change); :meth:`decode` is the
    request path.
    """

    def __init__(self, definitions: dict[str, Obj] | None) -> None:
        self._defs = definitions or {}
        self._by_gvk: dict[tuple[str, str, str], str] = {}
        for name, d in self._defs.items():
            for gvk in d.get("x-kubernetes-group-version-kind") or ():
                key = (str(gvk.get("group", "")), str(gvk.get("version", "")), str(gvk.get("kind", "")))
                self._by_gvk.setdefault(key, name)

    def knows(self, group: str, version: str, kind: str) -> bool:
        return (group, version, kind) in self._by_gvk

    def _root(self, group: str, version: str, kind: str) -> Obj | None:
        name = self._by_gvk.get((group, version, kind))
        return {"$ref": f"#/$defs/{name}"} if name else None

    def decode(
        self, raw: bytes, group: str, version: str, kind: str, *, strategic: bool = False, lenient: bool = False
    ) -> tuple[Any, list[str]]:
        """The body as data with undeclared fields dropped, and the problems in body order.

        A value of the wrong JSON type for its Go field, an integer out of its field's range or
        not an integer literal raises :class:`DecodeError` with Go's message, as
        ``json.Unmarshal`` into the Go type does — unless ``lenient`` (patch bodies: the
        patched object is what gets typed, by :meth:`check` or :meth:`from_unstructured`).
        ``raw`` must be JSON (the caller falls back to its own decoding for anything else). A
        kind with no definition comes back as parsed, with only its duplicate keys reported.
        A body nested deeper than :data:`MAX_STORED_DEPTH` raises :class:`TooDeep`.
        """
        parsed = loads_pairs(raw)
        problems: list[str] = []
        walker = _Walker(self, problems, strategic, lenient)
        return walker.walk(parsed, self._root(group, version, kind), "", "", kind, 0), problems

    def check(self, obj: Any, group: str, version: str, kind: str) -> Any:
        """``obj`` (plain data) as it decodes into its Go type (a ``null`` list item or map value
        is its type's zero value), or :class:`DecodeError`."""
        walker = _Walker(self, [], False, False)
        return walker.walk(obj, self._root(group, version, kind), "", "", kind, 0)

    def zero(self, schema: Obj | None) -> Any:
        """The JSON of a Go type's zero value, what a ``null`` list item or map value decodes to
        (None for an ``interface{}``, a pointer-like type or a slice/map)."""
        name, s = self.resolve(schema)
        if s is None or name in _FREE_DEFS or name in (_QUANTITY, _INT_OR_STRING) or name in _TIMES:
            return None
        if isinstance(s.get("properties"), dict):
            return {}
        return {"string": "", "integer": 0, "number": 0, "boolean": False}.get(_schema_type(s) or "")

    def from_unstructured(self, obj: Any, group: str, version: str, kind: str) -> Any:
        """``runtime.DefaultUnstructuredConverter.FromUnstructured`` of a patched object, as a
        strategic merge or apply patch is turned into its Go type: integers wrap to their
        field's width (an int32 set to 2^31 reads -2^31), whole floats become integers, and a
        value of the wrong kind raises :class:`DecodeError` with the converter's message
        (``cannot convert float64 to int32``, ``cannot restore slice from string``)."""
        return _Converter(self).convert(obj, self._root(group, version, kind))

    def resolve(self, schema: Obj | None) -> tuple[str | None, Obj | None]:
        """The definition a schema names (following ``$ref``s) and the schema itself."""
        name: str | None = None
        seen = 0
        while schema is not None and "$ref" in schema and seen < 64:
            name = str(schema["$ref"]).rsplit("/", 1)[-1]
            schema = self._defs.get(name)
            seen += 1
        return name, schema

    def go_type(self, schema: Obj | None) -> str:
        """The Go type a schema stands for, as ``reflect.Type.String()`` prints it (named types
        of maps and slices, e.g. ``v1.ResourceList``, print as their underlying type here)."""
        name, s = self.resolve(schema)
        if s is None:
            return "interface {}"
        if name is not None and name not in _TIMES and name not in (_INT_OR_STRING, _QUANTITY):
            if "properties" in s or _schema_type(s) == "object":
                parts = name.split(".")
                return f"{parts[-2]}.{parts[-1]}"
        t = _schema_type(s)
        if t == "integer":
            return "int32" if s.get("format") == "int32" else "int64"
        if t == "number":
            return "float64"
        if t == "boolean":
            return "bool"
        if t == "string":
            return "[]uint8" if s.get("format") == "byte" else "string"
        if t == "array":
            items = s.get("items")
            return "[]" + self.go_type(items if isinstance(items, dict) else None)
        extra = s.get("additionalProperties")
        if isinstance(extra, dict):
            return "map[string]" + self.go_type(extra)
        return "interface {}"


class _Walker:
    """One decode: a body against its Go type, fields as sigs.k8s.io/json sees them."""

    __slots__ = ("lenient", "problems", "strategic", "v")

    def __init__(self, v: FieldValidator, problems: list[str], strategic: bool, lenient: bool) -> None:
        self.v = v
        self.problems = problems
        self.strategic = strategic
        self.lenient = lenient

    def _type_error(self, value: Any, schema: Obj | None, gopath: str, struct: str, *, literal: bool = False) -> Any:
        if self.lenient:
            return _plain(value, big_ints=True)
        what = f"number {_number_text(value)}" if literal else _json_kind(value)
        target = f"Go struct field {struct}.{gopath}" if gopath else "Go value"
        raise DecodeError(f"json: cannot unmarshal {what} into {target} of type {self.v.go_type(schema)}")

    def walk(self, value: Any, schema: Obj | None, path: str, gopath: str, struct: str, depth: int) -> Any:
        """``path`` names fields as the unknown-field warnings do (``spec.containers[0].x``),
        ``gopath`` and ``struct`` as Go's UnmarshalTypeError does (``Container`` and
        ``spec.containers.ports``: no indices, no map keys)."""
        if depth > MAX_STORED_DEPTH:
            raise TooDeep(depth)
        if value is None:
            return None
        if isinstance(value, dict):  # plain data (check): typed as a decoded body is
            value = _Pairs(list(value.items()))
        name, s = self.v.resolve(schema)
        if s is None or name in _FREE_DEFS:
            if isinstance(value, _Pairs) and s is None and schema is None and depth == 0:
                return self._object(value, None, None, path, gopath, struct, depth)
            return _plain(value, depth)
        if name == _INT_OR_STRING:
            if isinstance(value, str):
                return value
            return self._integer(value, {"type": "integer", "format": "int32"}, gopath, struct)
        if name == _QUANTITY:
            if isinstance(value, (_Pairs, list, bool)):
                if self.lenient:
                    return _plain(value, depth)
                raise DecodeError(_QUANTITY_ERROR)
            if isinstance(value, int) and not isinstance(value, bool) and not _INT64_MIN <= value <= _INT64_MAX:
                return str(value)  # Quantity.MarshalJSON writes it back as a string
            return _float(value, "Go value") if isinstance(value, _Num) else value
        if name in _TIMES:
            return value if isinstance(value, str) else self._type_error(value, {"type": "string"}, gopath, struct)
        t = _schema_type(s)
        if isinstance(value, _Pairs):
            props = s.get("properties")
            extra = s.get("additionalProperties")
            if t not in (None, "object") or not (isinstance(props, dict) or extra is not None or t == "object"):
                return self._type_error(value, schema, gopath, struct)
            if isinstance(props, dict) and name is not None:
                struct_name = name.rsplit(".", 1)[-1]
                return self._object(value, s, struct_name, path, gopath, struct, depth)
            return self._object(value, s, None, path, gopath, struct, depth)
        if isinstance(value, list):
            if t != "array":
                return self._type_error(value, schema, gopath, struct)
            items = s.get("items")
            item_schema = items if isinstance(items, dict) else None
            if not self.lenient and None in value:
                zero = self.v.zero(item_schema)
                value = [zero if v is None else v for v in value]
            return [self.walk(v, item_schema, f"{path}[{i}]", gopath, struct, depth + 1) for i, v in enumerate(value)]
        if isinstance(value, str):
            return value if t == "string" else self._type_error(value, schema, gopath, struct)
        if isinstance(value, bool):
            return value if t == "boolean" else self._type_error(value, schema, gopath, struct)
        # a number
        if t == "integer":
            return self._integer(value, s, gopath, struct)
        if t == "number":
            return _float(value, f"Go struct field {struct}.{gopath}") if isinstance(value, _Num) else value
        return self._type_error(value, schema, gopath, struct)

    def _integer(self, value: Any, s: Obj, gopath: str, struct: str) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            bits = 32 if s.get("format") == "int32" else 64
            if -(1 << (bits - 1)) <= value < (1 << (bits - 1)):
                return value
            return self._type_error(value, s, gopath, struct, literal=True)
        if isinstance(value, (_Num, float)):  # a float: a patched object's non-integer number
            return self._type_error(value, s, gopath, struct, literal=True)
        return self._type_error(value, s, gopath, struct)

    def _object(
        self, pairs: _Pairs, schema: Obj | None, struct_name: str | None, path: str, gopath: str, struct: str,
        depth: int,
    ) -> Obj:
        props = schema.get("properties") if schema is not None else None
        extra = schema.get("additionalProperties") if schema is not None else None
        free = schema is None or schema.get("x-kubernetes-preserve-unknown-fields") is True or (
            not isinstance(props, dict) and extra is None
        )
        out: Obj = {}
        seen: set[str] = set()
        for key, raw_value in pairs.members:
            field = f"{path}.{key}" if path else key
            if key in seen:
                self.problems.append(f"duplicate field {json.dumps(field, ensure_ascii=False)}")
            seen.add(key)
            if free:
                out[key] = _plain(raw_value, depth + 1)
                continue
            if isinstance(props, dict) and key in props:
                sub_gopath = f"{gopath}.{key}" if gopath else key
                out[key] = self.walk(raw_value, props[key], field, sub_gopath, struct_name or struct, depth + 1)
            elif isinstance(extra, dict) or extra is True:
                # a map: Go names the map's own field, not the key, in its errors
                sub = extra if isinstance(extra, dict) else None
                if raw_value is None and not self.lenient:
                    raw_value = self.v.zero(sub)
                out[key] = self.walk(raw_value, sub, field, gopath, struct, depth + 1)
            elif self.strategic and (key in _SMP_DIRECTIVES or key.startswith(_SMP_DIRECTIVE_PREFIXES)):
                out[key] = _plain(raw_value, depth + 1)
            else:
                self.problems.append(f"unknown field {json.dumps(field, ensure_ascii=False)}")
        return out


def _go_kind(value: Any) -> str:
    """reflect.Kind of a value an unstructured map holds."""
    if isinstance(value, dict):
        return "map"
    if isinstance(value, list):
        return "slice"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int) and _INT64_MIN <= value <= _INT64_MAX:
        return "int64"
    return "float64"


def _wrap(value: int, bits: int) -> int:
    """Go's conversion of an int64 to a narrower signed integer: the low bits, two's complement."""
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


class _Converter:
    """``runtime.DefaultUnstructuredConverter.FromUnstructured`` over the Go type's schema."""

    __slots__ = ("v",)

    def __init__(self, v: FieldValidator) -> None:
        self.v = v

    def convert(self, value: Any, schema: Obj | None) -> Any:
        if value is None:
            return None
        name, s = self.v.resolve(schema)
        if s is None or name in _FREE_DEFS or name in (_QUANTITY, _INT_OR_STRING) or name in _TIMES:
            return value  # an interface{}, or a type with its own UnmarshalJSON (left as it is)
        t = _schema_type(s)
        kind = _go_kind(value)
        props = s.get("properties")
        if isinstance(props, dict) or t == "object":
            extra = s.get("additionalProperties")
            if not isinstance(value, dict):
                if isinstance(props, dict):
                    raise DecodeError(f"cannot restore struct from: {kind}")
                raise DecodeError(f"cannot restore map from {kind}")
            if isinstance(props, dict):
                return {k: self.convert(v, props[k]) if k in props else v for k, v in value.items()}
            sub = extra if isinstance(extra, dict) else None
            return {k: self.convert(v, sub) for k, v in value.items()}
        if t == "array":
            if not isinstance(value, list):
                if s.get("format") == "byte" and isinstance(value, str):
                    return value
                raise DecodeError(f"cannot restore slice from {kind}")
            items = s.get("items")
            item_schema = items if isinstance(items, dict) else None
            return [self.v.zero(item_schema) if v is None else self.convert(v, item_schema) for v in value]
        target = self.v.go_type(s)
        if kind in ("map", "slice"):
            raise DecodeError(f"unrecognized type: {target}")
        if t == "integer":
            bits = 32 if target == "int32" else 64
            if kind == "int64":
                return _wrap(value, bits)
            if kind == "float64":
                f = float(value)
                if f != f or f in (float("inf"), float("-inf")) or f != int(f):
                    raise DecodeError(f"cannot convert float64 to {target}")
                whole = int(f)
                # amd64's float-to-int64 conversion of a value out of range gives the minimum
                return _wrap(whole if _INT64_MIN <= whole <= _INT64_MAX else _INT64_MIN, bits)
            raise DecodeError(f"unrecognized type: {target}")
        if t == "number":
            if kind in ("int64", "float64"):
                return value
            raise DecodeError(f"unrecognized type: {target}")
        if t == "boolean":
            if kind == "bool":
                return value
            raise DecodeError(f"unrecognized type: {target}")
        if t == "string":
            if kind == "string":
                return value
            if kind == "int64":
                raise DecodeError(f"cannot convert int64 to {target}")
            raise DecodeError(f"unrecognized type: {target}")
        return value


def strict_error_message(problems: list[str]) -> str:
    """``runtime.NewStrictDecodingError``'s text."""
    return "strict decoding error: " + ", ".join(problems)


def warning_header(problems: list[str]) -> str:
    """The ``Warning`` header for ``Warn``: one ``299`` warning per problem, comma-joined."""
    return ", ".join("299 - " + json.dumps(p) for p in problems)
