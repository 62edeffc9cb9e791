"""A CustomResourceDefinition's served versions in ``/openapi/v2`` and ``/openapi/v3``, as
kube-apiserver v1.36.3 publishes them (apiextensions-apiserver's OpenAPI builder and controllers):
published once the CRD is established, withdrawn when a version is renamed or stops being served
or the CRD goes, with the structural schema converted for each document. Every expected schema,
name and operation below is what a running kube-apiserver v1.36.3 answered for the same CRD.

The conformance suite's ``CustomResourcePublishOpenAPI`` specs poll ``/openapi/v2`` for these
definitions and run ``kubectl explain`` (the v3 group-version document) and ``kubectl create``
against them."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from reference_impl.apiserver import APIServer, crd_openapi
from reference_impl.apiserver.openapi import OpenAPI
from reference_impl.sim import EventLoop, SeededRandom
from reference_impl.store import MemoryStore

Obj = dict[str, Any]
CRDS = "apiextensions.k8s.io/v1/customresourcedefinitions"
GROUP = "openapi-probe.example.com"
DOCS = "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md"
META = "io.k8s.apimachinery.pkg.apis.meta.v1."

# test/e2e/apimachinery/crd_publish_openapi.go's schemaFoo and schemaPreserveNested
SCHEMA_FOO: Obj = {
    "description": "Foo CRD for Testing",
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "description": "Specification of Foo",
            "properties": {
                "bars": {
                    "description": "List of Bars and their specs.",
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name"],
                        "properties": {
                            "name": {"description": "Name of Bar.", "type": "string"},
                            "age": {"description": "Age of Bar.", "type": "string"},
                            "feeling": {"description": "Whether Bar is feeling great.", "type": "string",
                                        "enum": ["Great", "Down"]},
                            "bazs": {"description": "List of Bazs.", "items": {"type": "string"}, "type": "array"},
                        },
                    },
                }
            },
        },
        "status": {
            "description": "Status of Foo",
            "type": "object",
            "properties": {
                "bars": {
                    "description": "List of Bars and their statuses.",
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "name": {"description": "Name of Bar.", "type": "string"},
                            "available": {"description": "Whether the Bar is installed.", "type": "boolean"},
                            "quxType": {"description": "Indicates to external qux type.",
                                        "pattern": "in-tree|out-of-tree", "type": "string"},
                        },
                    },
                }
            },
        },
    },
}
_WALDO_STATUS: Obj = {
    "description": "Status of Waldo",
    "type": "object",
    "properties": {"bars": {"description": "List of Bars and their statuses.", "type": "array",
                            "items": {"type": "object"}}},
}
SCHEMA_PRESERVE_NESTED: Obj = {
    "description": "preserve-unknown-properties in nested field for Testing",
    "type": "object",
    "properties": {
        "spec": {
            "description": "Specification of Waldo",
            "type": "object",
            "x-kubernetes-preserve-unknown-fields": True,
            "properties": {"dummy": {"description": "Dummy property.", "type": "object"}},
        },
        "status": _WALDO_STATUS,
    },
}
SCHEMA_PRESERVE_ROOT: Obj = {
    **copy.deepcopy(SCHEMA_PRESERVE_NESTED),
    "description": "preserve-unknown-properties at root for Testing",
    "x-kubernetes-preserve-unknown-fields": True,
}
SCHEMA_PRESERVE_ROOT["properties"]["spec"].pop("x-kubernetes-preserve-unknown-fields")
# setupCRD's schema for "a CRD without validation schema"
SCHEMA_NONE: Obj = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}

API_VERSION = {
    "description": "APIVersion defines the versioned schema of this representation of an object. Servers should "
    "convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: "
    f"{DOCS}#resources",
    "type": "string",
}
KIND = {
    "description": "Kind is a string value representing the REST resource this object represents. Servers may "
    "infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: "
    f"{DOCS}#types-kinds",
    "type": "string",
}
METADATA_V2 = {"$ref": f"#/definitions/{META}ObjectMeta", "description": f"Standard object's metadata. More info: {DOCS}#metadata"}
METADATA_V3 = {"allOf": [{"$ref": f"#/components/schemas/{META}ObjectMeta"}],
               "description": f"Standard object's metadata. More info: {DOCS}#metadata"}
EMBEDDED_API_VERSION = {
    "description": f"apiVersion defines the versioned schema of this representation of an object. More info: {DOCS}#resources",
    "type": "string",
}
EMBEDDED_KIND = {
    "description": f"kind is a string value representing the type of this object. In CamelCase. More info: {DOCS}#types-kinds",
    "type": "string",
}


def _version(name: str, schema: Obj | None, *, storage: bool = False, served: bool = True, **more: Any) -> Obj:
    out: Obj = {"name": name, "served": served, "storage": storage, **more}
    if schema is not None:
        out["schema"] = {"openAPIV3Schema": copy.deepcopy(schema)}
    return out


def _crd(plural: str, kind: str, *versions: Obj, scope: str = "Namespaced", group: str = GROUP, **names: str) -> Obj:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {"group": group, "scope": scope, "names": {"plural": plural, "kind": kind, **names},
                 "versions": list(versions)},
    }


def _api() -> tuple[APIServer, EventLoop]:
    loop = EventLoop()
    return APIServer(MemoryStore(), loop, SeededRandom(1)), loop


def _establish(api: APIServer, loop: EventLoop, crd: Obj) -> None:
    api.create(CRDS, copy.deepcopy(crd))
    loop.run_ready()


def _v2_definitions(docs: OpenAPI) -> dict[str, Obj]:
    defs: dict[str, Obj] = json.loads(docs.v2())["definitions"]
    return {k: v for k, v in defs.items() if k.startswith("com.example.")}


def _v3(docs: OpenAPI, version: str, group: str = GROUP) -> Obj | None:
    data = docs.v3_group_version(f"apis/{group}/{version}")
    return None if data is None else json.loads(data)  # type: ignore[no-any-return]


def _foo(*more: Obj) -> Obj:
    return _crd("foos", "Foo", _version("v1", SCHEMA_FOO, storage=True), *more)


def _e2e_view(definition: Obj) -> Obj:
    """waitForDefinition's ``dropDefaults``: the definition less what the builder adds."""
    out = copy.deepcopy(definition)
    for k in ("metadata", "apiVersion", "kind"):
        out.get("properties", {}).pop(k, None)
    out.pop("x-kubernetes-group-version-kind", None)
    return out


# -- publishing ---------------------------------------------------------------------------------


def test_a_definition_is_published_once_its_crd_is_established() -> None:
    api, loop = _api()
    docs = OpenAPI(api.registry)
    api.create(CRDS, _foo())
    assert _v2_definitions(docs) == {}  # not established yet: the controllers have not run
    assert _v3(docs, "v1") is None
    loop.run_ready()
    defs = _v2_definitions(docs)
    assert set(defs) == {f"com.example.{GROUP.split('.')[0]}.v1.Foo", f"com.example.{GROUP.split('.')[0]}.v1.FooList"}
    foo = defs["com.example.openapi-probe.v1.Foo"]
    assert _e2e_view(foo) == SCHEMA_FOO  # what the conformance spec polls for
    assert foo["properties"]["metadata"] == METADATA_V2
    assert foo["properties"]["apiVersion"] == API_VERSION and foo["properties"]["kind"] == KIND
    assert foo["x-kubernetes-group-version-kind"] == [{"group": GROUP, "kind": "Foo", "version": "v1"}]
    v3 = _v3(docs, "v1")
    assert v3 is not None
    assert v3["info"] == {"title": "Kubernetes CRD Swagger", "version": "v0.1.0"}
    assert set(v3["components"]) == {"schemas"}
    schema = v3["components"]["schemas"]["com.example.openapi-probe.v1.Foo"]
    assert schema["properties"]["metadata"] == METADATA_V3
    assert _e2e_view(schema) == SCHEMA_FOO
    # kubectl explain <plural>.metadata follows the ref within the document
    assert set(v3["components"]["schemas"]) == {
        "com.example.openapi-probe.v1.Foo", "com.example.openapi-probe.v1.FooList",
        *(META + n for n in ("DeleteOptions", "FieldsV1", "ListMeta", "ManagedFieldsEntry", "ObjectMeta",
                             "OwnerReference", "Patch", "Preconditions", "ShardInfo", "Status", "StatusCause",
                             "StatusDetails", "Time")),
    }
    assert f"apis/{GROUP}/v1" in docs.v3_root()["paths"]


def test_the_definition_name_is_the_rest_friendly_name_of_group_version_kind() -> None:
    # definitionName() of the e2e spec: ToRESTFriendlyName("<group>/<version>/<kind>")
    crv = crd_openapi.CustomResourceVersion(
        group="crd-publish-openapi-test-foo.example.com", version="v1", kind="e2e-test-crd-publish-openapi-1234-crd",
        list_kind="e2e-test-crd-publish-openapi-1234-crdList", plural="e2e-test-crd-publish-openapi-1234-crds",
        namespaced=False, status=False, scale=False, schema=None,
    )
    assert crv.model == "com.example.crd-publish-openapi-test-foo.v1.e2e-test-crd-publish-openapi-1234-crd"
    ids = {p: sorted(o["operationId"] for m, o in item.items() if m != "parameters")
           for p, item in crd_openapi.paths(crv, v2=False).items()}
    base = "/apis/crd-publish-openapi-test-foo.example.com/v1/e2e-test-crd-publish-openapi-1234-crds"
    g = "CrdPublishOpenapiTestFooExampleComV1"
    assert ids == {
        base: [f"create{g}E2eTestCrdPublishOpenapi1234Crd", f"delete{g}Collectione2eTestCrdPublishOpenapi1234Crd",
               f"list{g}E2eTestCrdPublishOpenapi1234Crd"],
        base + "/{name}": [f"delete{g}E2eTestCrdPublishOpenapi1234Crd", f"patch{g}E2eTestCrdPublishOpenapi1234Crd",
                           f"read{g}E2eTestCrdPublishOpenapi1234Crd", f"replace{g}E2eTestCrdPublishOpenapi1234Crd"],
    }


def test_the_list_definition() -> None:
    api, loop = _api()
    _establish(api, loop, _foo())
    docs = OpenAPI(api.registry)
    listing: Obj = {
        "description": "FooList is a list of Foo",
        "type": "object",
        "required": ["items"],
        "properties": {
            "apiVersion": API_VERSION,
            "items": {"description": f"List of foos. More info: {DOCS}", "type": "array",
                      "items": {"$ref": "#/definitions/com.example.openapi-probe.v1.Foo"}},
            "kind": KIND,
            "metadata": {"$ref": f"#/definitions/{META}ListMeta", "description": f"Standard list metadata. More info: {DOCS}#types-kinds"},
        },
        "x-kubernetes-group-version-kind": [{"group": GROUP, "kind": "FooList", "version": "v1"}],
    }
    assert _v2_definitions(docs)["com.example.openapi-probe.v1.FooList"] == listing
    v3 = _v3(docs, "v1")
    assert v3 is not None
    listing["properties"]["items"]["items"] = {"$ref": "#/components/schemas/com.example.openapi-probe.v1.Foo"}
    listing["properties"]["metadata"] = {"allOf": [{"$ref": f"#/components/schemas/{META}ListMeta"}],
                                         "description": f"Standard list metadata. More info: {DOCS}#types-kinds"}
    assert v3["components"]["schemas"]["com.example.openapi-probe.v1.FooList"] == listing


def test_a_crd_lookup_gives_the_crds_own_list_kind() -> None:
    # without it the registry's default <kind>List stands (the strategy keeps no listKind)
    api, loop = _api()
    _establish(api, loop, _crd("empties", "Empty", _version("v1", SCHEMA_NONE, storage=True), listKind="EmptyItems"))
    assert set(_v2_definitions(OpenAPI(api.registry, crd_for=api.crds.crd_for))) == {
        "com.example.openapi-probe.v1.Empty", "com.example.openapi-probe.v1.EmptyItems"}
    assert set(_v2_definitions(OpenAPI(api.registry))) == {
        "com.example.openapi-probe.v1.Empty", "com.example.openapi-probe.v1.EmptyList"}


def test_the_crd_lookup_and_the_registrys_strategy_publish_the_same_documents() -> None:
    api, loop = _api()
    _establish(api, loop, _foo(_version("v2", SCHEMA_PRESERVE_NESTED, subresources={"status": {}})))
    looked_up, from_registry = OpenAPI(api.registry, crd_for=api.crds.crd_for), OpenAPI(api.registry)
    assert looked_up.v2() == from_registry.v2()
    for v in ("v1", "v2"):
        assert looked_up.v3_group_version(f"apis/{GROUP}/{v}") == from_registry.v3_group_version(f"apis/{GROUP}/{v}")


# -- the schema in each document ------------------------------------------------------------------


def test_a_crd_without_validation_schema() -> None:
    api, loop = _api()
    _establish(api, loop, _crd("empties", "Empty", _version("v1", SCHEMA_NONE, storage=True)))
    docs = OpenAPI(api.registry)
    gvk = [{"group": GROUP, "kind": "Empty", "version": "v1"}]
    # setupCRD expects `type: object`: kubectl's v2 validation then takes any field
    assert _v2_definitions(docs)["com.example.openapi-probe.v1.Empty"] == {
        "type": "object", "x-kubernetes-group-version-kind": gvk}
    v3 = _v3(docs, "v1")
    assert v3 is not None
    assert v3["components"]["schemas"]["com.example.openapi-probe.v1.Empty"] == {
        "type": "object",
        "properties": {"apiVersion": API_VERSION, "kind": KIND, "metadata": METADATA_V3},
        "x-kubernetes-group-version-kind": gvk,
        "x-kubernetes-preserve-unknown-fields": True,
    }


def test_a_crd_preserving_unknown_fields_at_the_schema_root() -> None:
    api, loop = _api()
    _establish(api, loop, _crd("roots", "Root", _version("v1", SCHEMA_PRESERVE_ROOT, storage=True), scope="Cluster"))
    docs = OpenAPI(api.registry)
    gvk = [{"group": GROUP, "kind": "Root", "version": "v1"}]
    assert _v2_definitions(docs)["com.example.openapi-probe.v1.Root"] == {
        "type": "object", "x-kubernetes-group-version-kind": gvk}
    v3 = _v3(docs, "v1")
    assert v3 is not None
    root = v3["components"]["schemas"]["com.example.openapi-probe.v1.Root"]
    assert root["description"] == "preserve-unknown-properties at root for Testing"
    assert _e2e_view(root) == SCHEMA_PRESERVE_ROOT


def test_a_crd_preserving_unknown_fields_in_an_embedded_object() -> None:
    api, loop = _api()
    _establish(api, loop, _crd("nesteds", "Nested", _version("v1beta1", SCHEMA_PRESERVE_NESTED, storage=True)))
    docs = OpenAPI(api.registry)
    assert _v2_definitions(docs)["com.example.openapi-probe.v1beta1.Nested"] == {
        "description": "preserve-unknown-properties in nested field for Testing",
        "type": "object",
        "properties": {
            "apiVersion": API_VERSION,
            "kind": KIND,
            "metadata": METADATA_V2,
            # its type and properties would make kubectl's v2 validation refuse the unknown fields
            "spec": {"description": "Specification of Waldo", "x-kubernetes-preserve-unknown-fields": True},
            "status": _WALDO_STATUS,
        },
        "x-kubernetes-group-version-kind": [{"group": GROUP, "kind": "Nested", "version": "v1beta1"}],
    }
    v3 = _v3(docs, "v1beta1")
    assert v3 is not None
    assert _e2e_view(v3["components"]["schemas"]["com.example.openapi-probe.v1beta1.Nested"]) == SCHEMA_PRESERVE_NESTED


_EMBEDDED_V2: Obj = {"apiVersion": EMBEDDED_API_VERSION, "kind": EMBEDDED_KIND, "metadata": METADATA_V2}
_EMBEDDED_V3: Obj = {"apiVersion": EMBEDDED_API_VERSION, "kind": EMBEDDED_KIND, "metadata": METADATA_V3}

# (property, its schema in the CRD, the real server's v2 definition of it, the real server's v3 one)
PROPERTIES: list[tuple[str, Obj, Obj, Obj]] = [
    ("defaulted",
     {"type": "integer", "format": "int32", "minimum": 0, "default": 1},
     {"type": "integer", "format": "int32", "minimum": 0},
     {"type": "integer", "format": "int32", "default": 1, "minimum": 0}),
    ("listMap",
     {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
      "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}},
     {"type": "array", "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
      "x-kubernetes-list-map-keys": ["name"], "x-kubernetes-list-type": "map"},
     {"type": "array", "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
      "x-kubernetes-list-map-keys": ["name"], "x-kubernetes-list-type": "map"}),
    ("intOrString",
     {"x-kubernetes-int-or-string": True},
     {"x-kubernetes-int-or-string": True},
     {"anyOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": True}),
    ("intOrStringSpelled",
     {"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]},
     {"x-kubernetes-int-or-string": True},
     {"anyOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": True}),
    ("intOrStringAllOf",
     {"x-kubernetes-int-or-string": True, "allOf": [{"anyOf": [{"type": "integer"}, {"type": "string"}]}, {"maxLength": 3}]},
     {"x-kubernetes-int-or-string": True},
     {"allOf": [{"anyOf": [{"type": "integer"}, {"type": "string"}]}, {"maxLength": 3}], "x-kubernetes-int-or-string": True}),
    ("intOrStringOther",
     {"x-kubernetes-int-or-string": True, "anyOf": [{"maxLength": 3}, {"maximum": 4}]},
     {"x-kubernetes-int-or-string": True},
     {"allOf": [{"anyOf": [{"type": "integer"}, {"type": "string"}]}], "anyOf": [{"maxLength": 3}, {"maximum": 4}],
      "x-kubernetes-int-or-string": True}),
    ("nullableString",
     {"type": "string", "nullable": True},
     {},
     {"type": "string", "nullable": True}),
    ("nullableObject",
     {"type": "object", "nullable": True, "properties": {"a": {"type": "string"}}},
     {},
     {"type": "object", "nullable": True, "properties": {"a": {"type": "string"}}}),
    ("nullableValues",
     {"type": "object", "required": ["a"], "additionalProperties": {"type": "string", "nullable": True}},
     {"type": "object", "additionalProperties": {}},
     {"type": "object", "required": ["a"], "additionalProperties": {"type": "string", "nullable": True}}),
    ("nullableChild",
     {"type": "object", "properties": {"inner": {"type": "object", "nullable": True, "properties": {"z": {"type": "string"}}}}},
     {"type": "object", "properties": {"inner": {}}},
     {"type": "object", "properties": {"inner": {"type": "object", "nullable": True, "properties": {"z": {"type": "string"}}}}}),
    ("goZeroValues",
     {"type": "string", "nullable": False, "exclusiveMinimum": False},
     {"type": "string"},
     {"type": "string"}),
    ("numbers",
     {"type": "number", "minimum": 1.5, "exclusiveMinimum": True, "multipleOf": 0.5, "maximum": 10},
     {"type": "number", "maximum": 10, "minimum": 1.5, "exclusiveMinimum": True, "multipleOf": 0.5},
     {"type": "number", "maximum": 10, "minimum": 1.5, "exclusiveMinimum": True, "multipleOf": 0.5}),
    ("strings",
     {"type": "string", "pattern": "^a+$", "maxLength": 10, "minLength": 1, "format": "date-time"},
     {"type": "string", "maxLength": 10, "minLength": 1, "pattern": "^a+$", "format": "date-time"},
     {"type": "string", "maxLength": 10, "minLength": 1, "pattern": "^a+$", "format": "date-time"}),
    ("titled",
     {"type": "string", "title": "The Title", "example": "ex",
      "externalDocs": {"description": "docs", "url": "https://example.com"}},
     {"type": "string", "title": "The Title", "externalDocs": {"description": "docs", "url": "https://example.com"},
      "example": "ex"},
     {"type": "string", "title": "The Title", "externalDocs": {"description": "docs", "url": "https://example.com"},
      "example": "ex"}),
    ("negated",
     {"type": "string", "not": {"pattern": "^x"}},
     {"type": "string"},
     {"type": "string", "not": {"pattern": "^x"}}),
    ("oneOf",
     {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
      "oneOf": [{"required": ["a"]}, {"required": ["b"]}]},
     {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}},
     {"type": "object", "oneOf": [{"required": ["a"]}, {"required": ["b"]}],
      "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}),
    ("mapOfDefaults",
     {"type": "object", "minProperties": 1, "maxProperties": 3, "additionalProperties": {"type": "integer", "default": 3}},
     {"type": "object", "maxProperties": 3, "minProperties": 1, "additionalProperties": {"type": "integer"}},
     {"type": "object", "maxProperties": 3, "minProperties": 1, "additionalProperties": {"type": "integer", "default": 3}}),
    ("propertyNamedDefault",
     {"type": "array", "items": {"type": "object", "properties": {"default": {"type": "string", "default": "d"}}}},
     {"type": "array", "items": {"type": "object", "properties": {"default": {"type": "string"}}}},
     {"type": "array", "items": {"type": "object", "properties": {"default": {"type": "string", "default": "d"}}}}),
    ("atomicMap",
     {"type": "object", "x-kubernetes-map-type": "atomic", "properties": {"k": {"type": "string"}}},
     {"type": "object", "properties": {"k": {"type": "string"}}, "x-kubernetes-map-type": "atomic"},
     {"type": "object", "properties": {"k": {"type": "string"}}, "x-kubernetes-map-type": "atomic"}),
    ("celRules",
     {"type": "string", "x-kubernetes-validations": [{"rule": "self.size() > 0", "message": "nonempty"}]},
     {"type": "string", "x-kubernetes-validations": [{"message": "nonempty", "rule": "self.size() > 0"}]},
     {"type": "string", "x-kubernetes-validations": [{"rule": "self.size() > 0", "message": "nonempty"}]}),
    ("preservingObject",
     {"type": "object", "x-kubernetes-preserve-unknown-fields": True, "properties": {"x": {"type": "string"}}},
     {"x-kubernetes-preserve-unknown-fields": True},
     {"type": "object", "properties": {"x": {"type": "string"}}, "x-kubernetes-preserve-unknown-fields": True}),
    ("preservingArray",
     {"type": "array", "x-kubernetes-preserve-unknown-fields": True, "items": {"type": "string"}},
     {"x-kubernetes-preserve-unknown-fields": True},
     {"type": "array", "items": {"type": "string"}, "x-kubernetes-preserve-unknown-fields": True}),
    ("preservingItems",
     {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
     {"type": "array", "items": {"x-kubernetes-preserve-unknown-fields": True}},
     {"type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}),
    ("embedded",
     {"type": "object", "x-kubernetes-embedded-resource": True,
      "properties": {"spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}},
     {"type": "object", "required": ["kind", "apiVersion"], "x-kubernetes-embedded-resource": True,
      "properties": {**_EMBEDDED_V2, "spec": {"x-kubernetes-preserve-unknown-fields": True}}},
     {"type": "object", "required": ["kind", "apiVersion"], "x-kubernetes-embedded-resource": True,
      "properties": {**_EMBEDDED_V3, "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}),
    ("embeddedPreserving",
     {"type": "object", "x-kubernetes-embedded-resource": True, "x-kubernetes-preserve-unknown-fields": True},
     {"x-kubernetes-embedded-resource": True, "x-kubernetes-preserve-unknown-fields": True},
     {"type": "object", "required": ["kind", "apiVersion"], "properties": _EMBEDDED_V3,
      "x-kubernetes-embedded-resource": True, "x-kubernetes-preserve-unknown-fields": True}),
]


@pytest.fixture(scope="module")
def table_docs() -> tuple[Obj, Obj]:
    """The spec definitions of one CRD holding every property of :data:`PROPERTIES`, in v2 and v3."""
    props = {name: copy.deepcopy(schema) for name, schema, _v2, _v3 in PROPERTIES}
    props["req"] = {"type": "string"}
    schema = {"type": "object", "properties": {"spec": {"type": "object", "required": ["req", "nullableString"],
                                                        "properties": props}}}
    api, loop = _api()
    _establish(api, loop, _crd("tables", "Table", _version("v1", schema, storage=True)))
    docs = OpenAPI(api.registry)
    v2 = _v2_definitions(docs)["com.example.openapi-probe.v1.Table"]["properties"]["spec"]
    v3 = _v3(docs, "v1")
    assert v3 is not None
    return v2, v3["components"]["schemas"]["com.example.openapi-probe.v1.Table"]["properties"]["spec"]


@pytest.mark.parametrize(("name", "schema", "v2", "v3"), PROPERTIES, ids=[p[0] for p in PROPERTIES])
def test_each_schema_construct_as_the_real_server_publishes_it(
    table_docs: tuple[Obj, Obj], name: str, schema: Obj, v2: Obj, v3: Obj
) -> None:
    assert table_docs[0]["properties"][name] == v2
    assert table_docs[1]["properties"][name] == v3


def test_a_nullable_property_is_not_required_in_v2(table_docs: tuple[Obj, Obj]) -> None:
    assert table_docs[0]["required"] == ["req"]
    assert table_docs[1]["required"] == ["req", "nullableString"]


# -- paths ----------------------------------------------------------------------------------------

LIST = ("allowWatchBookmarks,continue,fieldSelector,labelSelector,limit,resourceVersion,resourceVersionMatch,"
        "sendInitialEvents,shardSelector,timeoutSeconds,watch")
WRITE = "dryRun,fieldManager,fieldValidation"
PATCH = "dryRun,fieldManager,fieldValidation,force"
G = "OpenapiProbeExampleComV1"
NS = "/namespaces/{namespace}/foos"
# (path below /apis/<group>/v1, method, operationId, description, action, the operation's own parameters,
#  request body, 200 response, response codes) of a namespaced CRD with status and scale
OPERATIONS: list[tuple[str, str, str, str, str, str, str | None, str, str]] = [
    ("/foos", "get", f"list{G}FooForAllNamespaces", "list objects of kind Foo", "list", "", None, "FooList", "200,401"),
    (NS, "get", f"list{G}NamespacedFoo", "list objects of kind Foo", "list", LIST, None, "FooList", "200,401"),
    (NS, "post", f"create{G}NamespacedFoo", "create a Foo", "post", WRITE, "Foo", "Foo", "200,201,202,401"),
    (NS, "delete", f"delete{G}CollectionNamespacedFoo", "delete collection of Foo", "deletecollection", LIST, None,
     "Status", "200,401"),
    (NS + "/{name}", "get", f"read{G}NamespacedFoo", "read the specified Foo", "get", "resourceVersion", None, "Foo",
     "200,401"),
    (NS + "/{name}", "put", f"replace{G}NamespacedFoo", "replace the specified Foo", "put", WRITE, "Foo", "Foo",
     "200,201,401"),
    (NS + "/{name}", "delete", f"delete{G}NamespacedFoo", "delete a Foo", "delete",
     "dryRun,gracePeriodSeconds,ignoreStoreReadErrorWithClusterBreakingPotential,orphanDependents,propagationPolicy",
     "DeleteOptions?", "Status", "200,202,401"),
    (NS + "/{name}", "patch", f"patch{G}NamespacedFoo", "partially update the specified Foo", "patch", PATCH, "Patch",
     "Foo", "200,401"),
    (NS + "/{name}/scale", "get", f"read{G}NamespacedFooScale", "read scale of the specified Foo", "get",
     "resourceVersion", None, "Scale", "200,401"),
    (NS + "/{name}/scale", "put", f"replace{G}NamespacedFooScale", "replace scale of the specified Foo", "put", WRITE,
     "Scale", "Scale", "200,201,401"),
    (NS + "/{name}/scale", "patch", f"patch{G}NamespacedFooScale", "partially update scale of the specified Foo",
     "patch", PATCH, "Patch", "Scale", "200,401"),
    (NS + "/{name}/status", "get", f"read{G}NamespacedFooStatus", "read status of the specified Foo", "get",
     "resourceVersion", None, "Foo", "200,401"),
    (NS + "/{name}/status", "put", f"replace{G}NamespacedFooStatus", "replace status of the specified Foo", "put",
     WRITE, "Foo", "Foo", "200,201,401"),
    (NS + "/{name}/status", "patch", f"patch{G}NamespacedFooStatus", "partially update status of the specified Foo",
     "patch", PATCH, "Patch", "Foo", "200,401"),
]
# the parameters every operation of a path shares, declared once on the path
PATH_PARAMETERS = {
    "/foos": [*LIST.split(",")[:5], "pretty", *LIST.split(",")[5:]],
    NS: ["namespace", "pretty"],
    NS + "/{name}": ["name", "namespace", "pretty"],
    NS + "/{name}/scale": ["name", "namespace", "pretty"],
    NS + "/{name}/status": ["name", "namespace", "pretty"],
}


def _ref_name(schema: Obj) -> str:
    return str(schema["$ref"]).rsplit(".", 1)[-1]


@pytest.mark.parametrize("v2", [False, True], ids=["v3", "v2"])
def test_every_verb_has_its_path_with_the_real_servers_operations(v2: bool) -> None:
    api, loop = _api()
    scale = {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"}
    _establish(api, loop, _crd("foos", "Foo", _version("v1", SCHEMA_FOO, storage=True,
                                                      subresources={"status": {}, "scale": scale})))
    docs = OpenAPI(api.registry)
    every = json.loads(docs.v2())["paths"] if v2 else (_v3(docs, "v1") or {})["paths"]
    prefix = f"/apis/{GROUP}/v1"
    paths = {p[len(prefix):]: item for p, item in every.items() if p.startswith(prefix + "/")}
    assert {p: [x["name"] for x in item["parameters"]] for p, item in paths.items()} == PATH_PARAMETERS
    seen = []
    for path, item in paths.items():
        for method, op in item.items():
            if method == "parameters":
                continue
            params = [x for x in op.get("parameters", []) if x["in"] != "body"]
            if v2:
                bodies = [x for x in op.get("parameters", []) if x["in"] == "body"]
                body = None if not bodies else _ref_name(bodies[0]["schema"]) + ("" if bodies[0].get("required") else "?")
                returns = _ref_name(op["responses"]["200"]["schema"])
            else:
                request = op.get("requestBody")
                body = None if request is None else (
                    _ref_name(next(iter(request["content"].values()))["schema"]) + ("" if request.get("required") else "?"))
                returns = _ref_name(op["responses"]["200"]["content"]["application/json"]["schema"])
            assert op["tags"] == ["openapiProbeExampleCom_v1"]
            assert op["x-kubernetes-group-version-kind"] == {"group": GROUP, "kind": "Foo", "version": "v1"}
            assert op["responses"]["401"] == {"description": "Unauthorized"}
            seen.append((path, method, op["operationId"], op["description"], op["x-kubernetes-action"],
                         ",".join(x["name"] for x in params), body, returns, ",".join(sorted(op["responses"]))))
    assert sorted(seen) == sorted(OPERATIONS)


def test_parameters_are_written_as_the_real_server_writes_them() -> None:
    api, loop = _api()
    _establish(api, loop, _crd("roots", "Root", _version("v1", SCHEMA_PRESERVE_ROOT, storage=True), scope="Cluster"))
    docs = OpenAPI(api.registry)
    pretty = ("If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a "
              "browser or command-line HTTP tool (curl and wget).")
    v3 = _v3(docs, "v1")
    assert v3 is not None
    item = v3["paths"][f"/apis/{GROUP}/v1/roots/{{name}}"]
    assert item["parameters"] == [
        {"name": "name", "in": "path", "description": "name of the Root", "required": True,
         "schema": {"type": "string", "uniqueItems": True}},
        {"name": "pretty", "in": "query", "description": pretty, "schema": {"type": "string", "uniqueItems": True}},
    ]
    # kubectl leaves validation to the server when the PATCH of the kind declares fieldValidation
    assert "fieldValidation" in [p["name"] for p in item["patch"]["parameters"]]
    assert item["patch"]["requestBody"] == {"content": {
        t: {"schema": {"$ref": f"#/components/schemas/{META}Patch"}}
        for t in ("application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml")
    }, "required": True}
    assert item["delete"]["requestBody"] == {"content": {
        t: {"schema": {"$ref": f"#/components/schemas/{META}DeleteOptions"}} for t in ("application/json", "application/yaml")
    }}
    v2 = json.loads(docs.v2())["paths"][f"/apis/{GROUP}/v1/roots/{{name}}"]
    assert v2["parameters"][1] == {"uniqueItems": True, "type": "string", "description": pretty, "name": "pretty",
                                   "in": "query"}
    assert v2["patch"]["consumes"] == [
        "application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"]
    assert v2["delete"]["parameters"][0] == {
        "name": "body", "in": "body", "schema": {"$ref": f"#/definitions/{META}DeleteOptions"}}
    assert v2["put"]["parameters"][0] == {
        "name": "body", "in": "body", "required": True, "schema": {"$ref": "#/definitions/com.example.openapi-probe.v1.Root"}}


# -- keeping up with the CRD ----------------------------------------------------------------------


def _multi_version(name: str = "multi-ver") -> Obj:
    return _crd("multis", "Multi", _version("v2", SCHEMA_FOO, storage=True), _version("v3", SCHEMA_FOO),
                group=f"{name}.example.com")


def test_several_crds_of_one_group_version_share_its_document() -> None:
    api, loop = _api()
    _establish(api, loop, _foo())
    _establish(api, loop, _crd("waldos", "Waldo", _version("v1", SCHEMA_PRESERVE_NESTED, storage=True)))
    docs = OpenAPI(api.registry)
    assert set(_v2_definitions(docs)) == {f"com.example.openapi-probe.v1.{k}" for k in ("Foo", "FooList", "Waldo", "WaldoList")}
    v3 = _v3(docs, "v1")
    assert v3 is not None
    assert {k for k in v3["components"]["schemas"] if k.startswith("com.")} == set(_v2_definitions(docs))
    assert {p.split("/")[-1] for p in v3["paths"] if "{" not in p.split("/")[-1]} == {"foos", "waldos"}


def test_a_renamed_version_is_published_under_its_new_name() -> None:
    api, loop = _api()
    _establish(api, loop, _multi_version())
    docs = OpenAPI(api.registry)
    before = docs.v3_root()["paths"]
    assert set(_v2_definitions(docs)) == {f"com.example.multi-ver.{v}.{k}" for v in ("v2", "v3") for k in ("Multi", "MultiList")}
    api.patch(CRDS, "multis.multi-ver.example.com", [
        {"op": "test", "path": "/spec/versions/1/name", "value": "v3"},
        {"op": "replace", "path": "/spec/versions/1/name", "value": "v4"},
    ], "json")
    loop.run_ready()
    defs = _v2_definitions(docs)
    assert set(defs) == {f"com.example.multi-ver.{v}.{k}" for v in ("v2", "v4") for k in ("Multi", "MultiList")}
    assert _e2e_view(defs["com.example.multi-ver.v4.Multi"]) == SCHEMA_FOO
    assert _v3(docs, "v3", "multi-ver.example.com") is None
    after = docs.v3_root()["paths"]
    assert "apis/multi-ver.example.com/v4" in after and "apis/multi-ver.example.com/v3" not in after
    assert after["apis/multi-ver.example.com/v2"] == before["apis/multi-ver.example.com/v2"]  # the same document


def test_a_version_no_longer_served_is_withdrawn() -> None:
    api, loop = _api()
    _establish(api, loop, _multi_version())
    docs = OpenAPI(api.registry)
    crd = api.get(CRDS, "multis.multi-ver.example.com")
    crd["spec"]["versions"][1]["served"] = False
    api.update(CRDS, crd)
    loop.run_ready()
    assert set(_v2_definitions(docs)) == {"com.example.multi-ver.v2.Multi", "com.example.multi-ver.v2.MultiList"}
    assert _v3(docs, "v3", "multi-ver.example.com") is None
    assert _v3(docs, "v2", "multi-ver.example.com") is not None


def test_a_changed_schema_is_published_afresh() -> None:
    api, loop = _api()
    _establish(api, loop, _foo())
    docs = OpenAPI(api.registry)
    url = docs.v3_root()["paths"][f"apis/{GROUP}/v1"]["serverRelativeURL"]
    crd = api.get(CRDS, f"foos.{GROUP}")
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["description"] = "Foo, described again"
    api.update(CRDS, crd)
    loop.run_ready()
    assert _v2_definitions(docs)["com.example.openapi-probe.v1.Foo"]["description"] == "Foo, described again"
    assert docs.v3_root()["paths"][f"apis/{GROUP}/v1"]["serverRelativeURL"] != url  # a new hash: clients refetch


def test_a_deleted_crd_is_withdrawn_with_its_resources() -> None:
    api, loop = _api()
    _establish(api, loop, _foo())
    docs = OpenAPI(api.registry)
    assert _v2_definitions(docs)
    api.delete(CRDS, f"foos.{GROUP}")
    loop.run_ready()
    assert _v2_definitions(docs) == {}
    assert not [p for p in json.loads(docs.v2())["paths"] if GROUP in p]
    assert _v3(docs, "v1") is None
    assert f"apis/{GROUP}/v1" not in docs.v3_root()["paths"]
