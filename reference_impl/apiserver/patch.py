"""The kube-apiserver's patch mechanisms, as pure functions over ``kubectl get -o json`` dicts.

Models the PATCH handler (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go) and what
it calls: JSON merge patch and JSON patch from gopkg.in/evanphx/json-patch.v4 (vendored by
Kubernetes), and strategic merge patch (staging/src/k8s.io/apimachinery/pkg/util/strategicpatch)
with the ``patchStrategy``/``patchMergeKey`` tags of the built-in types (staging/src/k8s.io/api).
Every function returns new objects and never mutates its inputs.

Error codes follow the handler: a malformed patch document is 400 BadRequest, a JSON patch that
does not apply (failed ``test``, missing path) is 422, and the strategic-merge errors the handler
does not translate reach the client as 500 with the library's text, as they do on a real server.

Left out: the strategic-merge schema of custom resources (the real server refuses strategic merge
for them with 415), ``$setElementOrder`` consistency validation (we honour the order and never
reject it), the json-patch copy-size limits, field ownership for apply (see ``apply_patch``), and
Go's map-iteration nondeterminism (patch keys are processed in document order).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from reference_impl.apiserver._json import clone as _clone

__all__ = [
    "MAX_JSON_PATCH_OPERATIONS",
    "PatchError",
    "apply_patch",
    "json_merge_patch",
    "json_patch",
    "merge_patch_object",
    "patch_strategy",
    "strategic_merge_patch",
]


class PatchError(Exception):
    """A patch the API server refuses; ``code`` is the HTTP status, ``message`` the exact text."""

    def __init__(self, message: str, code: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


# json-patch.v4 sentinel errors, wrapped into most of its messages with ": %w".
_ERR_MISSING = "missing value"
_ERR_TEST_FAILED = "test failed"
_ERR_INVALID_INDEX = "invalid index referenced"

# The handler refuses longer JSON patches with 413 before applying anything.
MAX_JSON_PATCH_OPERATIONS = 10000


def go_json_type(value: Any) -> str:
    """The JSON type name encoding/json puts in "cannot unmarshal X into Go value of type T"."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def go_fmt(value: Any) -> str:
    """Go's ``%v`` of a decoded JSON value (a map's keys sorted), which the strategic-merge
    error texts embed."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_fmt(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_fmt(v) for v in value) + "]"
    if isinstance(value, float):
        return _go_float(value)
    return str(value)


def _go_float(f: float) -> str:
    """``strconv.FormatFloat(f, 'g', -1, 64)`` as %v uses it: the shortest digits, in exponent
    form when the exponent is below -4 or at least 6 (``1.5e+06``, ``1e+21``, ``0.0001``)."""
    if f != f:
        return "NaN"
    if f in (float("inf"), float("-inf")):
        return "+Inf" if f > 0 else "-Inf"
    if f == 0:
        return "-0" if str(f).startswith("-") else "0"
    sign, digits, exponent = Decimal(repr(f)).normalize().as_tuple()
    text = "".join(map(str, digits))
    exp = len(text) + int(exponent) - 1
    neg = "-" if sign else ""
    if exp < -4 or exp >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{neg}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if exp < 0:
        return f"{neg}0.{'0' * (-exp - 1)}{text}"
    if len(text) <= exp + 1:
        return neg + text + "0" * (exp + 1 - len(text))
    return f"{neg}{text[:exp + 1]}.{text[exp + 1:]}"


def _json_equal(a: Any, b: Any) -> bool:
    # Python's == would call True equal to 1; JSON does not.
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


# ---------------------------------------------------------------------------------------------
# JSON merge patch (RFC 7386)
# ---------------------------------------------------------------------------------------------


def json_merge_patch(target: Any, patch: Any, *, in_place: bool = False) -> Any:
    """RFC 7386: a null member deletes, an object merges recursively, anything else replaces.

    ``in_place`` patches ``target`` itself (when it is an object) instead of a copy: for callers
    that own a freshly decoded target, such as the API server's PATCH handler.
    """
    if not isinstance(patch, dict):
        return _clone(patch)
    result: dict[str, Any]
    if isinstance(target, dict):
        result = target if in_place else _clone(target)
    else:
        result = {}
    _merge_into(result, patch)
    return result


def json_merge_patch_shared(
    target: dict[str, Any], patch: Mapping[str, Any], *, take_patch: bool = False
) -> dict[str, Any]:
    """RFC 7386 onto a read-only ``target``, copy on write: the result is new along every path
    the patch touches and shares everything else with ``target`` (so it is read-only too).
    What it takes from ``patch`` is copied (in one pass), so the caller keeps its body, unless
    ``take_patch``: the caller hands the body over and will not modify it again."""
    return _merge_shared(target, patch if take_patch else _clone(patch))


def _merge_shared(target: dict[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    result = dict(target)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            current = result.get(key)
            result[key] = _merge_shared(current if isinstance(current, dict) else {}, value)
        else:
            result[key] = value  # ``patch`` is this call's own (a copy, or handed over)
    return result


def _merge_into(target: dict[str, Any], patch: Mapping[str, Any]) -> None:
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            current = target.get(key)
            if not isinstance(current, dict):
                current = {}
                target[key] = current
            _merge_into(current, value)
        else:
            target[key] = _clone(value)


def merge_patch_object(live: dict[str, Any], patch: Any) -> dict[str, Any]:
    """A ``application/merge-patch+json`` request body applied to a stored object.

    The handler (jsonpatch.MergePatch) answers 400 ``Invalid JSON Patch`` for a body that is not
    a JSON object, where plain RFC 7386 would replace the whole document.
    """
    if not isinstance(patch, dict):
        raise PatchError("Invalid JSON Patch", 400)
    result = json_merge_patch(live, patch)
    assert isinstance(result, dict)
    return result


# ---------------------------------------------------------------------------------------------
# JSON patch (RFC 6902), with the behaviour and messages of json-patch.v4
# ---------------------------------------------------------------------------------------------


def _decode_key(token: str) -> str:
    # RFC 6901: "~1" first, then "~0".
    return token.replace("~1", "/").replace("~0", "~")


def _atoi(key: str) -> int | None:
    # strconv.Atoi: optional sign, then decimal digits only.
    body = key[1:] if key[:1] in ("+", "-") else key
    if not body or not body.isascii() or not body.isdigit():
        return None
    return int(key)


def _atoi_error(key: str) -> str:
    return f'strconv.Atoi: parsing "{key}": invalid syntax'


def _invalid_index(idx: int) -> str:
    return f"Unable to access invalid index: {idx}: {_ERR_INVALID_INDEX}"


_Container = dict[str, Any] | list[Any]


def _find_object(doc: _Container, path: str) -> tuple[_Container | None, str]:
    """findObject: the container holding the last token of ``path`` and that (decoded) token."""
    split = path.split("/")
    if len(split) < 2 or not isinstance(doc, (dict, list)):
        return None, ""
    cur: Any = doc
    # Like the real code, the part before the first "/" is ignored rather than rejected.
    for part in split[1:-1]:
        token = _decode_key(part)
        if isinstance(cur, dict):
            nxt = cur.get(token)
        else:
            idx = _atoi(token)
            if idx is None:
                return None, ""
            if idx < 0:
                idx += len(cur)
            if not 0 <= idx < len(cur):
                return None, ""
            nxt = cur[idx]
        if not isinstance(nxt, (dict, list)):
            return None, ""
        cur = nxt
    return cur, _decode_key(split[-1])


def _con_get(con: _Container, key: str) -> tuple[Any, bool]:
    """Returns (value, found); raises _OpError for a bad list index."""
    if isinstance(con, dict):
        return con.get(key), key in con
    idx = _atoi(key)
    if idx is None:
        raise _OpError(_atoi_error(key))
    if idx < 0:
        if idx < -len(con):
            raise _OpError(_invalid_index(idx))
        idx += len(con)
    if idx >= len(con):
        raise _OpError(_invalid_index(idx))
    return con[idx], True


def _con_add(con: _Container, key: str, value: Any) -> None:
    if isinstance(con, dict):
        con[key] = value
        return
    if key == "-":
        con.append(value)
        return
    idx = _atoi(key)
    if idx is None:
        raise _OpError(f"value was not a proper array index: '{key}': {_atoi_error(key)}")
    size = len(con) + 1
    if idx >= size:
        raise _OpError(_invalid_index(idx))
    if idx < 0:
        if idx < -size:
            raise _OpError(_invalid_index(idx))
        idx += size
    con.insert(idx, value)


def _con_remove(con: _Container, key: str) -> None:
    if isinstance(con, dict):
        if key not in con:
            raise _OpError(f"Unable to remove nonexistent key: {key}: {_ERR_MISSING}")
        del con[key]
        return
    idx = _atoi(key)
    if idx is None:
        raise _OpError(_atoi_error(key))
    if idx >= len(con):
        raise _OpError(_invalid_index(idx))
    if idx < 0:
        if idx < -len(con):
            raise _OpError(_invalid_index(idx))
        idx += len(con)
    del con[idx]


def _con_set(con: _Container, key: str, value: Any) -> None:
    if isinstance(con, dict):
        con[key] = value
        return
    idx = _atoi(key)
    if idx is None:
        raise _OpError(_atoi_error(key))
    if idx < 0:
        idx += len(con)
    con[idx] = value


class _OpError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _op_string(op: Mapping[str, Any], field: str, missing: str) -> str:
    if op.get(field) is None:
        raise _OpError(missing)
    value = op[field]
    if not isinstance(value, str):
        raise _OpError(f"json: cannot unmarshal {go_json_type(value)} into Go value of type string")
    return value


def json_patch(target: Any, ops: Any) -> Any:
    """RFC 6902 as the API server applies it (json-patch.v4), with its error texts.

    Deliberate fidelity to the real library: ``replace`` of a missing *object member* adds it
    (only array indexes are checked), negative array indexes count from the end, and ``copy``
    from a missing object member copies null.
    """
    if ops is None:
        return _clone(target)
    if not isinstance(ops, list):
        raise PatchError(
            f"json: cannot unmarshal {go_json_type(ops)} into Go value of type jsonpatch.Patch", 400
        )
    for op in ops:
        if not isinstance(op, dict):
            raise PatchError(
                f"json: cannot unmarshal {go_json_type(op)} into Go value of type jsonpatch.Operation", 400
            )
    if len(ops) > MAX_JSON_PATCH_OPERATIONS:
        raise PatchError(
            f"The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, got {len(ops)}",
            413,
        )
    doc: Any = _clone(target)
    for op in ops:
        try:
            doc = _apply_op(doc, op)
        except _OpError as err:
            raise PatchError(err.message, 422) from None
    return doc


def _apply_op(doc: Any, op: Mapping[str, Any]) -> Any:
    kind = op.get("op")
    kind = kind if isinstance(kind, str) else "unknown"
    missing_path = f"operation missing path field: {_ERR_MISSING}"
    missing_from = f"operation, missing from field: {_ERR_MISSING}"
    value = _clone(op.get("value"))
    if kind == "add":
        path = _op_string(op, "path", f"add operation failed to decode path: {_ERR_MISSING}")
        con, key = _find_object(doc, path)
        if con is None:
            raise _OpError(f'add operation does not apply: doc is missing path: "{path}": {_ERR_MISSING}')
        try:
            _con_add(con, key, value)
        except _OpError as err:
            raise _OpError(f"error in add for path: '{path}': {err.message}") from None
    elif kind == "remove":
        path = _op_string(op, "path", f"remove operation failed to decode path: {_ERR_MISSING}")
        con, key = _find_object(doc, path)
        if con is None:
            raise _OpError(f'remove operation does not apply: doc is missing path: "{path}": {_ERR_MISSING}')
        try:
            _con_remove(con, key)
        except _OpError as err:
            raise _OpError(f"error in remove for path: '{path}': {err.message}") from None
    elif kind == "replace":
        path = _op_string(op, "path", f"replace operation failed to decode path: {missing_path}")
        if path == "":
            if not isinstance(value, (dict, list)):
                raise _OpError("replace operation value must be object or array")
            return value
        con, key = _find_object(doc, path)
        if con is None:
            raise _OpError(f"replace operation does not apply: doc is missing path: {path}: {_ERR_MISSING}")
        try:
            _con_get(con, key)
        except _OpError:
            raise _OpError(
                f"replace operation does not apply: doc is missing key: {path}: {_ERR_MISSING}"
            ) from None
        try:
            _con_set(con, key, value)
        except _OpError as err:
            # "remove" is what the real message says.
            raise _OpError(f"error in remove for path: '{path}': {err.message}") from None
    elif kind == "move":
        src = _op_string(op, "from", f"move operation failed to decode from: {missing_from}")
        con, key = _find_object(doc, src)
        if con is None:
            raise _OpError(f"move operation does not apply: doc is missing from path: {src}: {_ERR_MISSING}")
        try:
            moved, _ = _con_get(con, key)
            _con_remove(con, key)
        except _OpError as err:
            raise _OpError(f"error in move for path: '{key}': {err.message}") from None
        path = _op_string(op, "path", f"move operation failed to decode path: {missing_path}")
        con, key = _find_object(doc, path)
        if con is None:
            raise _OpError(
                f"move operation does not apply: doc is missing destination path: {path}: {_ERR_MISSING}"
            )
        try:
            _con_add(con, key, moved)
        except _OpError as err:
            raise _OpError(f"error in move for path: '{path}': {err.message}") from None
    elif kind == "copy":
        src = _op_string(op, "from", f"copy operation failed to decode from: {missing_from}")
        con, key = _find_object(doc, src)
        if con is None:
            raise _OpError(f"copy operation does not apply: doc is missing from path: {src}: {_ERR_MISSING}")
        try:
            copied, _ = _con_get(con, key)
        except _OpError as err:
            raise _OpError(f"error in copy for from: '{src}': {err.message}") from None
        path = _op_string(op, "path", f"copy operation failed to decode path: {_ERR_MISSING}")
        con, key = _find_object(doc, path)
        if con is None:
            raise _OpError(
                f"copy operation does not apply: doc is missing destination path: {path}: {_ERR_MISSING}"
            )
        try:
            _con_add(con, key, _clone(copied))
        except _OpError as err:
            raise _OpError(f"error while adding value during copy: {err.message}") from None
    elif kind == "test":
        path = _op_string(op, "path", f"test operation failed to decode path: {missing_path}")
        failed = f"testing value {path} failed: {_ERR_TEST_FAILED}"
        if path == "":
            if not _json_equal(doc, value):
                raise _OpError(failed)
            return doc
        con, key = _find_object(doc, path)
        if con is None:
            raise _OpError(f"test operation does not apply: is missing path: {path}: {_ERR_MISSING}")
        try:
            actual, found = _con_get(con, key)
        except _OpError as err:
            raise _OpError(f"error in test for path: '{path}': {err.message}") from None
        # A missing member equals an absent or null value; a present one must equal the value.
        if not found:
            if value is not None:
                raise _OpError(failed)
        elif ("value" not in op and actual is not None) or not _json_equal(actual, value):
            raise _OpError(failed)
    else:
        raise _OpError(f"Unexpected kind: {kind}")
    return doc


# ---------------------------------------------------------------------------------------------
# Strategic merge patch
# ---------------------------------------------------------------------------------------------

_MERGE = "merge"
_Path = tuple[str, ...]
_Strategy = tuple[str, str | None]  # (patchStrategy, patchMergeKey); key None for primitives

_DIRECTIVE = "$patch"
_RETAIN_KEYS = "$retainKeys"
_SET_ELEMENT_ORDER = "$setElementOrder"
_DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList"

# core/v1 Container (and EphemeralContainerCommon) list tags.
_CONTAINER_LISTS: dict[_Path, _Strategy] = {
    ("ports",): (_MERGE, "containerPort"),
    ("env",): (_MERGE, "name"),
    ("volumeMounts",): (_MERGE, "mountPath"),
    ("volumeDevices",): (_MERGE, "devicePath"),
}

# core/v1 PodSpec list tags. tolerations, readinessGates, overhead-free lists and the like carry
# no patchStrategy and are therefore replaced wholesale.
_POD_SPEC_LISTS: dict[_Path, _Strategy] = {
    ("volumes",): (_MERGE, "name"),
    ("imagePullSecrets",): (_MERGE, "name"),
    ("hostAliases",): (_MERGE, "ip"),
    ("topologySpreadConstraints",): (_MERGE, "topologyKey"),
    ("resourceClaims",): (_MERGE, "name"),
    ("schedulingGates",): (_MERGE, "name"),
}
for _containers in ("containers", "initContainers", "ephemeralContainers"):
    _POD_SPEC_LISTS[(_containers,)] = (_MERGE, "name")
    for _sub, _strategy in _CONTAINER_LISTS.items():
        _POD_SPEC_LISTS[(_containers, *_sub)] = _strategy

# metav1.ObjectMeta list tags: finalizers merge as a set of strings.
_OBJECT_META_LISTS: dict[_Path, _Strategy] = {
    ("finalizers",): (_MERGE, None),
    ("ownerReferences",): (_MERGE, "uid"),
}

_CONDITIONS: dict[_Path, _Strategy] = {("status", "conditions"): (_MERGE, "type")}

_WORKLOAD_TEMPLATE: _Path = ("spec", "template", "spec")
_POD_SPEC_AT: dict[str, _Path] = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "ReplicationController": _WORKLOAD_TEMPLATE,
    "Deployment": _WORKLOAD_TEMPLATE,
    "ReplicaSet": _WORKLOAD_TEMPLATE,
    "DaemonSet": _WORKLOAD_TEMPLATE,
    "StatefulSet": _WORKLOAD_TEMPLATE,
    "Job": _WORKLOAD_TEMPLATE,
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}

_KIND_LISTS: dict[str, dict[_Path, _Strategy]] = {
    "Pod": {
        **_CONDITIONS,
        ("status", "podIPs"): (_MERGE, "ip"),
        ("status", "hostIPs"): (_MERGE, "ip"),
        ("status", "resourceClaimStatuses"): (_MERGE, "name"),
    },
    "Node": {
        **_CONDITIONS,
        ("status", "addresses"): (_MERGE, "type"),
        ("spec", "podCIDRs"): (_MERGE, None),
    },
    "Service": {**_CONDITIONS, ("spec", "ports"): (_MERGE, "port")},
    "Namespace": _CONDITIONS,
    "Deployment": _CONDITIONS,
    "ReplicaSet": _CONDITIONS,
    "DaemonSet": _CONDITIONS,
    "StatefulSet": _CONDITIONS,
    "ReplicationController": _CONDITIONS,
    "Job": _CONDITIONS,
    "PersistentVolumeClaim": _CONDITIONS,
    "PodDisruptionBudget": _CONDITIONS,
    "HorizontalPodAutoscaler": _CONDITIONS,
}

_SCHEMAS: dict[str, dict[_Path, _Strategy]] = {}


def _schema(kind: str) -> dict[_Path, _Strategy]:
    """The list strategies of ``kind``, keyed by field path (list elements add no segment)."""
    cached = _SCHEMAS.get(kind)
    if cached is not None:
        return cached
    table: dict[_Path, _Strategy] = {}
    meta_at: list[_Path] = [("metadata",)]
    pod_spec = _POD_SPEC_AT.get(kind)
    if pod_spec is not None:
        for sub, strategy in _POD_SPEC_LISTS.items():
            table[pod_spec + sub] = strategy
        if len(pod_spec) > 1:
            meta_at.append((*pod_spec[:-1], "metadata"))
    if kind == "CronJob":
        meta_at.append(("spec", "jobTemplate", "metadata"))
    for prefix in meta_at:
        for sub, strategy in _OBJECT_META_LISTS.items():
            table[prefix + sub] = strategy
    table.update(_KIND_LISTS.get(kind, {}))
    _SCHEMAS[kind] = table
    return table


def patch_strategy(kind: str, path: str) -> tuple[str, str | None] | None:
    """The (patchStrategy, patchMergeKey) of the list at dotted ``path`` in ``kind``, or None
    when the list is atomic (replaced wholesale). Exposed for the apply and diff code."""
    return _schema(kind).get(tuple(path.split(".")))


def _hkey(value: Any) -> Any:
    """A hashable identity for a JSON scalar that keeps True apart from 1."""
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", value)
    if isinstance(value, str):
        return ("s", value)
    return ("j", json.dumps(value, sort_keys=True))


def _extract_key(key: str, prefix: str) -> str:
    head, sep, rest = key.partition("/")
    if not sep or head != prefix:
        if prefix == _DELETE_FROM_PRIMITIVE_LIST:
            raise PatchError("invalid patch format of primitive list", 400)
        raise PatchError("invalid patch format of setElementOrder list", 400)
    return rest


def _bad_arg_type(expected: str, actual: Any) -> PatchError:
    return PatchError(f"expected a {expected}, but received a {go_json_type(actual)}", 500)


def _no_merge_key(element: Mapping[str, Any], merge_key: str) -> PatchError:
    return PatchError(f"map: {go_fmt(dict(element))} does not contain declared merge key: {merge_key}", 500)


class _StrategicMerger:
    """One strategic merge: mergeMap/mergeSlice over our deep copy of the original."""

    def __init__(self, kind: str) -> None:
        self.schema = _schema(kind)

    def fresh(self, value: Any, path: _Path) -> Any:
        # A patch value with nothing under it is merged into an empty container, so directives
        # and nulls inside it are processed instead of being stored.
        if isinstance(value, dict):
            return self.merge_map({}, value, path)
        if isinstance(value, list):
            return self.merge_list([], value, path)
        return value

    def merge_map(self, original: dict[str, Any], patch: Mapping[str, Any], path: _Path) -> dict[str, Any]:
        if _DIRECTIVE in patch:
            directive = patch[_DIRECTIVE]
            if directive == "replace":
                return self.merge_map({}, {k: v for k, v in patch.items() if k != _DIRECTIVE}, path)
            if directive == "delete":
                return {}
            raise PatchError(f"unknown patch type: {go_fmt(directive)} in map: {go_fmt(dict(patch))}", 500)
        pending = dict(patch)

        if _RETAIN_KEYS in pending:
            retain = pending.pop(_RETAIN_KEYS)
            if not isinstance(retain, list):
                raise PatchError("invalid patch format of retainKeys", 400)
            keep = {k for k in retain if isinstance(k, str)}
            for k, v in pending.items():
                if v is None or k.startswith((_DELETE_FROM_PRIMITIVE_LIST, _SET_ELEMENT_ORDER)):
                    continue
                if k not in keep:
                    raise PatchError("invalid patch format of retainKeys", 400)
            for k in [k for k in original if k not in keep]:
                del original[k]

        for key in [k for k in pending if k.startswith(_SET_ELEMENT_ORDER)]:
            order = pending.pop(key)
            field = _extract_key(key, _SET_ELEMENT_ORDER)
            if not isinstance(order, list):
                raise _bad_arg_type("[]interface {}", order)
            self._merge_ordered(original, pending, field, order, path)

        for key, value in pending.items():
            if key.startswith(_DELETE_FROM_PRIMITIVE_LIST):
                self._delete_from_primitive_list(original, _extract_key(key, _DELETE_FROM_PRIMITIVE_LIST), value)
                continue
            if value is None:
                original.pop(key, None)
                continue
            current = original.get(key)
            sub = (*path, key)
            if isinstance(value, dict):
                original[key] = self.merge_map(current if isinstance(current, dict) else {}, value, sub)
            elif isinstance(value, list):
                original[key] = self.merge_list(current if isinstance(current, list) else [], value, sub)
            else:
                original[key] = value
        return original

    def _delete_from_primitive_list(self, original: dict[str, Any], field: str, value: Any) -> None:
        if value is None:
            original.pop(field, None)
            return
        if field not in original:
            return
        if not isinstance(value, list):
            raise _bad_arg_type("[]interface {}", value)
        current = original[field]
        if not isinstance(current, list):
            return
        doomed = {_hkey(v) for v in value}
        original[field] = [v for v in current if _hkey(v) not in doomed]

    def _merge_ordered(
        self, original: dict[str, Any], pending: dict[str, Any], field: str, order: list[Any], path: _Path
    ) -> None:
        """mergePatchIntoOriginal: merge one list and put it in the ``$setElementOrder`` order."""
        current = original.get(field)
        base = current if isinstance(current, list) else None
        incoming = pending.get(field)
        if not isinstance(incoming, list):
            incoming = None
        if base is None and incoming is None:
            return
        sub = (*path, field)
        merged = self.merge_list(base if base is not None else [], incoming, sub) if incoming is not None else base
        assert merged is not None
        strategy = self.schema.get(sub)
        if strategy is not None and strategy[0] == _MERGE:
            merge_key = strategy[1]
            # The order list holds {mergeKey: value} maps for map lists, plain values otherwise.
            wanted = [_ident(o, merge_key) for o in order]
            merged = _normalize(merged, wanted, base or [], merge_key)
        original[field] = merged
        pending.pop(field, None)

    def merge_list(self, original: list[Any], patch: list[Any], path: _Path) -> list[Any]:
        strategy = self.schema.get(path)
        if strategy is None or strategy[0] != _MERGE:
            # Atomic list: the patch replaces it; directive-only elements mean nothing here.
            return [self.fresh(v, path) for v in patch if not (isinstance(v, dict) and _DIRECTIVE in v)]
        if not original and not patch:
            return original
        elements = [v for v in (*original, *patch) if v is not None]
        if any(isinstance(v, list) for v in elements):
            raise PatchError("lists of lists are not supported", 422)
        merge_key = strategy[1]
        if not any(isinstance(v, dict) for v in elements):
            merged = list({_hkey(v): v for v in (*original, *patch)}.values())
            return _normalize(merged, [_hkey(v) for v in patch], original, None)
        if merge_key is None:
            raise PatchError(f"cannot merge lists without merge key for {path[-1]}", 500)
        return self._merge_map_list(original, patch, path, merge_key)

    def _merge_map_list(
        self, original: list[Any], patch: list[Any], path: _Path, merge_key: str
    ) -> list[Any]:
        plain: list[dict[str, Any]] = []
        replace = False
        base = list(original)
        for element in patch:
            if not isinstance(element, dict):
                raise _bad_arg_type("map[string]interface {}", element)
            if _DIRECTIVE not in element:
                plain.append(element)
                continue
            directive = element[_DIRECTIVE]
            if directive == "delete":
                if merge_key not in element:
                    raise _no_merge_key(element, merge_key)
                doomed = _hkey(element[merge_key])
                base = [
                    v for v in base
                    if not (isinstance(v, dict) and merge_key in v and _hkey(v[merge_key]) == doomed)
                ]
            elif directive == "replace":
                # Keep scanning so the other directive elements are still pruned.
                replace = True
            elif directive == "merge":
                raise PatchError("merging lists cannot yet be specified in the patch", 500)
            else:
                raise PatchError(
                    f"unknown patch type: {go_fmt(directive)} in map: {go_fmt(element)}", 500
                )
        if replace:
            return [self.merge_map({}, v, path) for v in plain]

        result = list(base)
        positions = {
            _hkey(v[merge_key]): i for i, v in enumerate(result) if isinstance(v, dict) and merge_key in v
        }
        patched_ids: list[Any] = []
        for element in plain:
            if merge_key not in element:
                raise _no_merge_key(element, merge_key)
            ident = _hkey(element[merge_key])
            patched_ids.append(ident)
            at = positions.get(ident)
            if at is None:
                positions[ident] = len(result)
                result.append(self.merge_map({}, element, path))
            else:
                result[at] = self.merge_map(result[at], element, path)
        return _normalize(result, patched_ids, base, merge_key)


def _ident(value: Any, merge_key: str | None) -> Any:
    if merge_key is None:
        return _hkey(value)
    if isinstance(value, dict) and merge_key in value:
        return _hkey(value[merge_key])
    return None


def _normalize(merged: list[Any], patch_order: list[Any], server_order: list[Any], merge_key: str | None) -> list[Any]:
    """normalizeElementOrder: patch items in patch order, server-only items in server order,
    interleaved where both kinds appear in the server's list by their server positions."""
    patch_index: dict[Any, int] = {}
    for i, ident in enumerate(patch_order):
        patch_index.setdefault(ident, i)
    server_index: dict[Any, int] = {}
    for i, value in enumerate(server_order):
        server_index.setdefault(_ident(value, merge_key), i)
    from_patch: list[Any] = []
    server_only: list[Any] = []
    for value in merged:
        (from_patch if _ident(value, merge_key) in patch_index else server_only).append(value)
    from_patch.sort(key=lambda v: patch_index[_ident(v, merge_key)])
    server_only.sort(key=lambda v: server_index.get(_ident(v, merge_key), len(server_order)))
    out: list[Any] = []
    i = j = 0
    while i < len(server_only) or j < len(from_patch):
        if j >= len(from_patch):
            out.append(server_only[i])
            i += 1
        elif i >= len(server_only):
            out.append(from_patch[j])
            j += 1
        else:
            left = server_index.get(_ident(server_only[i], merge_key), -1)
            right = server_index.get(_ident(from_patch[j], merge_key), -1)
            # A server item goes first only when both are in the server's list and it is earlier.
            if left >= 0 and right >= 0 and left < right:
                out.append(server_only[i])
                i += 1
            else:
                out.append(from_patch[j])
                j += 1
    return out


def strategic_merge_patch(target: dict[str, Any], patch: dict[str, Any], kind: str) -> dict[str, Any]:
    """Kubernetes strategic merge patch of a built-in object of ``kind``.

    Lists with a merge key merge element by element; ``finalizers`` and ``podCIDRs`` merge as
    sets; every other list is replaced. Handles ``$patch: replace|delete`` in maps and list
    elements, ``$retainKeys``, ``$setElementOrder/<field>`` and
    ``$deleteFromPrimitiveList/<field>``; no directive reaches the result. Kinds without an entry
    in the table (ConfigMap, Secret, Lease, ...) get the ObjectMeta lists only, which is all
    their schema has.
    """
    if not isinstance(patch, dict):
        raise PatchError(
            f"json: cannot unmarshal {go_json_type(patch)} into Go value of type map[string]interface {{}}",
            400,
        )
    merger = _StrategicMerger(kind)
    base = _clone(target) if isinstance(target, dict) else {}
    return merger.merge_map(base, patch, ())


def apply_patch(live: dict[str, Any] | None, applied: dict[str, Any], kind: str) -> dict[str, Any]:
    """Server-side apply (``application/apply-patch+yaml``), simplified.

    With no live object the applied configuration is the new object; otherwise it is merged onto
    the live object the way a strategic merge patch would be (lists keyed by the same merge keys
    that SSA's listMapKeys use for these types, atomic lists replaced).

    Left out: field ownership (``metadata.managedFields``), conflicts between managers and
    ``force``, and removal of fields that a manager applied before and no longer applies.

    One list differs between the two: ``topologySpreadConstraints`` is keyed by
    (topologyKey, whenUnsatisfiable) for apply but by topologyKey alone for strategic merge, so
    two constraints on one topology key would collapse; the applied list replaces the live one.
    """
    return strategic_merge_patch(live if live is not None else {}, _replace_apply_lists(applied), kind)


# lists whose SSA listMapKeys differ from their strategic patchMergeKey: applied whole
_APPLY_REPLACED_LISTS = frozenset({"topologySpreadConstraints"})


def _replace_apply_lists(value: Any) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k in _APPLY_REPLACED_LISTS and isinstance(v, list):
                out[k] = [*(_replace_apply_lists(x) for x in v), {_DIRECTIVE: "replace"}]
            else:
                out[k] = _replace_apply_lists(v)
        return out
    if isinstance(value, list):
        return [_replace_apply_lists(x) for x in value]
    return value

