"""Schema-driven fuzzing: bodies built from the served OpenAPI definitions, with hostile values
where the types allow them (integers beyond int32/int64, non-integer literals, NaN-free floats at
the edges, wrong JSON kinds, nulls in lists), sent as creates, updates and the three patch types
to every built-in resource the server lets a client create. None may answer 500, none may hang.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference_impl.apiserver.openapi import _load_definitions
from tests.http.conftest import ServedEnv

DEFS = _load_definitions() or {}
HOSTILE_INTS = [0, -1, 2**31 - 1, 2**31, -(2**31) - 1, 2**63 - 1, 2**63, 2**64, 2**70, 300_000_000_000]
ODD = st.sampled_from([None, "s", 1, 1.5, True, [], {}, 2**70, [None], {"a": None}])


def _value(schema: dict[str, Any] | None, depth: int) -> st.SearchStrategy[Any]:
    if schema is None or depth > 5:
        return ODD
    if "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        if name.endswith("IntOrString"):
            return st.one_of(st.sampled_from(HOSTILE_INTS), st.sampled_from(["25%", "x", "80"]), ODD)
        if name.endswith("Quantity"):
            return st.one_of(st.sampled_from(HOSTILE_INTS), st.sampled_from(["1Gi", "x", "1e3", "-1"]), ODD)
        if name.endswith(("v1.Time", "MicroTime")):
            return st.sampled_from(["2024-01-01T00:00:00Z", "x", 5, None])
        schema = DEFS.get(name)
        if schema is None:
            return ODD
    t = schema.get("type")
    t = next((x for x in t if x != "null"), None) if isinstance(t, list) else t
    props = schema.get("properties")
    if isinstance(props, dict) and props:
        keys = sorted(props)
        return st.one_of(
            st.lists(st.sampled_from(keys), max_size=4, unique=True).flatmap(
                lambda ks: st.fixed_dictionaries({k: _value(props[k], depth + 1) for k in ks})
            ),
            ODD,
        )
    if t == "integer":
        return st.one_of(st.sampled_from(HOSTILE_INTS), ODD)
    if t == "number":
        return st.one_of(st.sampled_from([0, 1.5, 1e308, -1e308, 2**70]), ODD)
    if t == "boolean":
        return st.one_of(st.booleans(), ODD)
    if t == "string":
        return st.one_of(st.sampled_from(["", "a", "A/b", "x" * 300, "Always", "0"]), ODD)
    if t == "array":
        items = schema.get("items") if isinstance(schema.get("items"), dict) else None
        return st.one_of(st.lists(st.deferred(lambda: _value(items, depth + 1)), max_size=2), ODD)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        return st.one_of(st.dictionaries(st.sampled_from(["a", "b/c", ""]), _value(extra, depth + 1), max_size=2), ODD)
    return ODD


def _creatable(served: ServedEnv) -> list[tuple[str, str, str, str, bool]]:
    out = []
    by_gvk = {}
    for name, d in DEFS.items():
        for g in d.get("x-kubernetes-group-version-kind") or ():
            by_gvk[(g.get("group", ""), g.get("version", ""), g.get("kind", ""))] = name
    for info in served.env.api.registry.resources:
        if "create" not in info.verbs or (info.group, info.version, info.kind) not in by_gvk:
            continue
        out.append((info.group, info.version, info.kind, info.plural, info.namespaced))
    return sorted(set(out))


@pytest.fixture(scope="module")
def kinds(served_module: ServedEnv) -> list[tuple[str, str, str, str, bool]]:
    return _creatable(served_module)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_schema_driven_bodies_never_500(served_module: ServedEnv, kinds: list[tuple[str, str, str, str, bool]],
                                        data: st.DataObject) -> None:
    assert kinds, "no built-in kind with a definition is served"
    group, version, kind, plural, namespaced = data.draw(st.sampled_from(kinds))
    def_name = next(
        n for n, d in DEFS.items()
        if {"group": group, "version": version, "kind": kind} in (d.get("x-kubernetes-group-version-kind") or ())
    )
    body = data.draw(_value({"$ref": f"#/$defs/{def_name}"}, 0))
    if not isinstance(body, dict):
        body = {}
    api_version = f"{group}/{version}" if group else version
    base = (f"/apis/{group}/{version}" if group else "/api/v1") + ("/namespaces/default/" if namespaced else "/") + plural
    obj = {**body, "apiVersion": api_version, "kind": kind, "metadata": {"name": "fuzz"}}
    patch = {k: v for k, v in body.items() if k not in ("apiVersion", "kind", "metadata")}
    requests = [
        ("POST", base, obj, "application/json"),
        ("PUT", base + "/fuzz", obj, "application/json"),
        ("PATCH", base + "/fuzz", patch, "application/merge-patch+json"),
        ("PATCH", base + "/fuzz", patch, "application/strategic-merge-patch+json"),
        ("PATCH", base + "/fuzz?fieldManager=fuzz&force=true", obj, "application/apply-patch+yaml"),
    ]
    errors_before = served_module.server.internal_errors
    for method, path, payload, ct in requests:
        code, _h, resp = served_module.request(method, path, json.dumps(payload), {"Content-Type": ct}, timeout=20)
        assert code != 500, (method, path, ct, resp[:1500])
    served_module.request("DELETE", base + "/fuzz?gracePeriodSeconds=0", timeout=20)
    assert served_module.server.internal_errors == errors_before
