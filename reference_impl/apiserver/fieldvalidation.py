"""Server-side field validation: the unknown and duplicate fields of a request body.

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

Leaves out: JSON patches (RFC 6902) and server-side apply bodies are not checked (upstream checks
the JSON patch's result, and apply reports ``.spec.x: field not declared in schema`` through
structured-merge-diff); duplicate keys of YAML bodies (YAML takes the last silently here);
case-insensitive field matching, which strict decoding refuses anyway.
"""

from __future__ import annotations

import json
from typing import Any

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


def loads_pairs(raw: bytes | str) -> Any:
    """JSON with every object as :class:`_Pairs`, so duplicate keys can be reported."""
    return json.loads(raw, object_pairs_hook=_Pairs)


def _plain(value: Any) -> Any:
    """A :func:`loads_pairs` value as ordinary JSON data (the last of duplicate keys wins)."""
    if isinstance(value, _Pairs):
        return {k: _plain(v) for k, v in value.members}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class FieldValidator:
    """The known fields of every built-in kind that has an OpenAPI definition.

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

    def decode(
        self, raw: bytes, group: str, version: str, kind: str, *, strategic: bool = False
    ) -> tuple[Any, list[str]]:
        """The body as data with undeclared fields dropped, and the problems in body order.

        ``raw`` must be JSON (the caller falls back to its own decoding for anything else). A
        kind with no definition comes back as parsed, with only its duplicate keys reported.
        """
        parsed = loads_pairs(raw)
        problems: list[str] = []
        name = self._by_gvk.get((group, version, kind))
        schema: Obj | None = {"$ref": f"#/$defs/{name}"} if name else None
        return self._walk(parsed, schema, "", problems, strategic), problems

    def _resolve(self, schema: Obj | None) -> Obj | None:
        seen = 0
        while schema is not None and "$ref" in schema and seen < 64:
            target = str(schema["$ref"]).rsplit("/", 1)[-1]
            schema = self._defs.get(target)
            seen += 1
        return schema

    def _walk(self, value: Any, schema: Obj | None, path: str, problems: list[str], strategic: bool) -> Any:
        schema = self._resolve(schema)
        if isinstance(value, _Pairs):
            return self._walk_object(value, schema, path, problems, strategic)
        if isinstance(value, list):
            items = schema.get("items") if schema is not None else None
            item_schema = items if isinstance(items, dict) else None
            return [self._walk(v, item_schema, f"{path}[{i}]", problems, strategic) for i, v in enumerate(value)]
        return value

    def _walk_object(
        self, pairs: _Pairs, schema: Obj | None, path: str, problems: list[str], strategic: bool
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
                problems.append(f"duplicate field {json.dumps(field, ensure_ascii=False)}")
            seen.add(key)
            if free:
                out[key] = _plain(raw_value) if schema is None else self._walk(raw_value, None, field, problems, strategic)
                continue
            if isinstance(props, dict) and key in props:
                out[key] = self._walk(raw_value, props[key], field, problems, strategic)
            elif isinstance(extra, dict) or extra is True:
                out[key] = self._walk(raw_value, extra if isinstance(extra, dict) else None, field, problems, strategic)
            elif strategic and (key in _SMP_DIRECTIVES or key.startswith(_SMP_DIRECTIVE_PREFIXES)):
                out[key] = _plain(raw_value)
            else:
                problems.append(f"unknown field {json.dumps(field, ensure_ascii=False)}")
        return out


def strict_error_message(problems: list[str]) -> str:
    """``runtime.NewStrictDecodingError``'s text."""
    return "strict decoding error: " + ", ".join(problems)


def warning_header(problems: list[str]) -> str:
    """The ``Warning`` header for ``Warn``: one ``299`` warning per problem, comma-joined."""
    return ", ".join("299 - " + json.dumps(p) for p in problems)
