"""apiextensions.k8s.io/v1 CustomResourceDefinition: the REST strategy's defaulting, validation and
printer, checked against what a running kube-apiserver v1.36.3 answered for the same bodies
(``POST``/``PUT`` with ``dryRun=All``): every expected cause below is the real server's, in its
order (``staging/src/k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation``)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from reference_impl.apiserver import ApiError, APIServer, tables
from reference_impl.apiserver.registry import RESOURCES, Registry
from reference_impl.apiserver.registry.apiextensions import CRD_INFO, GROUP, STRATEGIES
from reference_impl.apiserver.validation import validate_with
from reference_impl.sim import EventLoop, SeededRandom
from reference_impl.store import MemoryStore

Obj = dict[str, Any]
Mutate = Callable[[Obj], Any]
STRATEGY = STRATEGIES[0]
CRDS = "apiextensions.k8s.io/v1/customresourcedefinitions"

DNS1035 = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)


def _crd() -> Obj:
    return {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.probe.example.com"},
        "spec": {
            "group": "probe.example.com", "names": {"plural": "widgets", "kind": "Widget"}, "scope": "Namespaced",
            "versions": [
                {"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {"type": "object"}}}
            ],
        },
    }


# the mutations, as the probes of the real server wrote them
def S(c: Obj) -> Obj:
    return c["spec"]  # type: ignore[no-any-return]


def V(c: Obj) -> Obj:
    return c["spec"]["versions"][0]  # type: ignore[no-any-return]


def O(**props: Any) -> Obj:  # noqa: E743
    return {"type": "object", "properties": props}


def sch(schema: Obj) -> Mutate:
    return lambda c: V(c).update(schema={"openAPIV3Schema": schema})


def v2(**extra: Any) -> Mutate:
    def add(c: Obj) -> None:
        v = {"name": "v2", "served": True, "storage": False, "schema": {"openAPIV3Schema": {"type": "object"}}}
        v.update(extra)
        S(c)["versions"].append(v)

    return add


def both(first: Mutate, second: Mutate) -> Mutate:
    return lambda c: (first(c), second(c))


def sub(subresources: Obj) -> Mutate:
    return lambda c: V(c).update(subresources=subresources)


def cols(columns: list[Obj]) -> Mutate:
    return lambda c: V(c).update(additionalPrinterColumns=columns)


def conv(conversion: Obj) -> Mutate:
    return lambda c: S(c).update(conversion=conversion)

def _order(c: Obj) -> None:
    """Errors of every part at once, per-version (the versions differ): the order of upstream's checks."""
    c["metadata"]["name"] = "widgets.probe.k8s.io"
    S(c).update(group="probe.k8s.io", preserveUnknownFields=True, conversion={"strategy": "Foo"})
    V(c).update(deprecationWarning="w", schema={"openAPIV3Schema": {"type": "string"}}, subresources={"scale": {}},
                additionalPrinterColumns=[{"name": "", "type": "string", "jsonPath": ".a"}],
                selectableFields=[{"jsonPath": ""}])
    S(c)["versions"].append({"name": "v2", "served": True, "storage": True})
    S(c)["versions"].append(
        {"name": "v1", "served": True, "storage": False, "schema": {"openAPIV3Schema": {"type": "object"}}}
    )


def _order2(c: Obj) -> None:
    """A hoisted schema with a default, preserveUnknownFields and a bad short name."""
    S(c)["names"].update(shortNames=["X"])
    S(c).update(preserveUnknownFields=True)
    V(c).update(schema={"openAPIV3Schema": {"type": "object", "properties": {"a": {"type": "integer", "default": 1}}}})


def _create(mutate: Mutate | None = None) -> tuple[Obj, list[Obj]]:
    """The strategy's create path: PrepareForCreate, defaulting, then metadata and spec validation."""
    obj = _crd()
    if mutate is not None:
        mutate(obj)
    STRATEGY.prepare_for_create(obj)
    STRATEGY.default(obj)
    return obj, validate_with(CRD_INFO.kind, STRATEGY.validate, STRATEGY.validate_update, obj, None)


def _causes(expected: list[tuple[str, str, str]]) -> list[Obj]:
    return [{"reason": r, "message": m, "field": f} for r, f, m in expected]


# --------------------------------------------------------------------------- facts and defaults


def test_the_resource_is_cluster_scoped_with_upstreams_names() -> None:
    assert GROUP == "apiextensions.k8s.io"
    assert (CRD_INFO.api_version, CRD_INFO.plural, CRD_INFO.kind) == (
        "apiextensions.k8s.io/v1", "customresourcedefinitions", "CustomResourceDefinition",
    )
    assert not CRD_INFO.namespaced and CRD_INFO.short_names == ("crd", "crds")
    assert CRD_INFO.subresources == ("status",) and CRD_INFO.generation and CRD_INFO.categories == ("api-extensions",)


def test_a_create_is_defaulted_as_the_real_server_answers_it() -> None:
    obj, causes = _create()
    assert causes == []
    assert obj["spec"] == {
        "group": "probe.example.com",
        "names": {"plural": "widgets", "kind": "Widget", "singular": "widget", "listKind": "WidgetList"},
        "scope": "Namespaced",
        "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {"type": "object"}}}],
        "conversion": {"strategy": "None"},
    }
    assert obj["status"] == {"conditions": None, "acceptedNames": {"plural": "", "kind": ""}, "storedVersions": ["v1"]}


def test_given_names_stay_and_a_webhook_service_gets_port_443() -> None:
    obj, _ = _create(lambda c: S(c)["names"].update(singular="wid", listKind="Wids"))
    assert obj["spec"]["names"] == {"plural": "widgets", "kind": "Widget", "singular": "wid", "listKind": "Wids"}
    service = {"namespace": "d", "name": "s"}
    webhook = {"clientConfig": {"service": service}, "conversionReviewVersions": ["v1", "v1beta1"]}
    obj, causes = _create(conv({"strategy": "Webhook", "webhook": webhook}))
    assert causes == []
    assert obj["spec"]["conversion"]["webhook"]["clientConfig"]["service"] == {"namespace": "d", "name": "s", "port": 443}
    obj, _ = _create(conv({"strategy": "Webhook", "webhook": {
        "clientConfig": {"service": {"namespace": "d", "name": "s", "port": 8443}}, "conversionReviewVersions": ["v1"],
    }}))
    assert obj["spec"]["conversion"]["webhook"]["clientConfig"]["service"]["port"] == 8443


def test_status_sent_on_create_is_reset() -> None:
    obj, causes = _create(lambda c: c.update(status={"storedVersions": ["v9"], "acceptedNames": {"plural": "Bad"}}))
    assert causes == [] and obj["status"]["storedVersions"] == ["v1"]
    assert obj["status"]["acceptedNames"] == {"plural": "", "kind": ""}


# --------------------------------------------------------------------------- create: the real server's causes

BAD: list[Any] = [
    pytest.param(lambda c: c["metadata"].update(name="foo.probe.example.com"), [
        ('FieldValueInvalid', 'metadata.name', 'Invalid value: "foo.probe.example.com": must be spec.names.plural+"."+spec.group'),
    ], id='wrong name'),
    pytest.param(lambda c: c["metadata"].update(name="Foo"), [
        ('FieldValueInvalid', 'metadata.name', 'Invalid value: "Foo": ' + SUBDOMAIN),
        ('FieldValueInvalid', 'metadata.name', 'Invalid value: "Foo": must be spec.names.plural+"."+spec.group'),
    ], id='bad name'),
    pytest.param(lambda c: (S(c).update(group="probe"), c["metadata"].update(name="widgets.probe")), [
        ('FieldValueInvalid', 'spec.group', 'Invalid value: "probe": should be a domain with at least one dot'),
    ], id='group no dot'),
    pytest.param(lambda c: (S(c).update(group=""), c["metadata"].update(name="widgets.")), [
        ('FieldValueInvalid', 'metadata.name', 'Invalid value: "widgets.": ' + SUBDOMAIN),
        ('FieldValueRequired', 'spec.group', 'Required value'),
    ], id='group empty'),
    pytest.param(lambda c: (S(c).update(group="Probe.com"), c["metadata"].update(name="widgets.Probe.com")), [
        ('FieldValueInvalid', 'metadata.name', 'Invalid value: "widgets.Probe.com": ' + SUBDOMAIN),
        ('FieldValueInvalid', 'spec.group', 'Invalid value: "Probe.com": ' + SUBDOMAIN),
    ], id='group bad'),
    pytest.param(lambda c: S(c).update(scope="Global"), [
        ('FieldValueNotSupported', 'spec.scope', 'Unsupported value: "Global": supported values: "Cluster", "Namespaced"'),
    ], id='scope bad'),
    pytest.param(lambda c: S(c).pop("scope"), [
        ('FieldValueRequired', 'spec.scope', 'Required value'),
    ], id='scope empty'),
    pytest.param(lambda c: S(c).update(versions=[]), [
        ('FieldValueInvalid', 'spec.versions', 'Invalid value: []: must have exactly one version marked as storage version'),
        ('FieldValueInvalid', 'status.storedVersions', 'Invalid value: null: must have at least one stored version'),
    ], id='no versions'),
    pytest.param(lambda c: V(c).update(storage=False), [
        ('FieldValueInvalid', 'spec.versions', 'Invalid value: [{"Name":"v1","Served":true,"Storage":false,"Deprecated":false,"DeprecationWarning":null,"Schema":null,"Subresources":null,"AdditionalPrinterColumns":null,"SelectableFields":null}]: must have exactly one version marked as storage version'),
        ('FieldValueInvalid', 'status.storedVersions', 'Invalid value: null: must have at least one stored version'),
    ], id='no storage'),
    pytest.param(lambda c: S(c)["versions"].append({"name": "v2", "served": True, "storage": True, "schema": {"openAPIV3Schema": {"type": "object"}}}), [
        ('FieldValueInvalid', 'spec.versions', 'Invalid value: [{"Name":"v1","Served":true,"Storage":true,"Deprecated":false,"DeprecationWarning":null,"Schema":null,"Subresources":null,"AdditionalPrinterColumns":null,"SelectableFields":null},{"Name":"v2","Served":true,"Storage":true,"Deprecated":false,"DeprecationWarning":null,"Schema":null,"Subresources":null,"AdditionalPrinterColumns":null,"SelectableFields":null}]: must have exactly one version marked as storage version'),
        ('FieldValueInvalid', 'status.storedVersions', 'Invalid value: ["v1"]: must have the storage version v2'),
    ], id='two storage'),
    pytest.param(lambda c: S(c)["versions"].append({"name": "v1", "served": True, "storage": False, "schema": {"openAPIV3Schema": {"type": "object"}}}), [
        ('FieldValueInvalid', 'spec.versions', 'Invalid value: [{"Name":"v1","Served":true,"Storage":true,"Deprecated":false,"DeprecationWarning":null,"Schema":null,"Subresources":null,"AdditionalPrinterColumns":null,"SelectableFields":null},{"Name":"v1","Served":true,"Storage":false,"Deprecated":false,"DeprecationWarning":null,"Schema":null,"Subresources":null,"AdditionalPrinterColumns":null,"SelectableFields":null}]: must contain unique version names'),
    ], id='dup versions'),
    pytest.param(lambda c: V(c).update(name="V1"), [
        ('FieldValueInvalid', 'spec.versions[0].name', 'Invalid value: "V1": ' + DNS1035),
        ('FieldValueInvalid', 'spec.version', 'Invalid value: "V1": ' + DNS1035),
    ], id='bad version name'),
    pytest.param(lambda c: V(c).pop("schema"), [
        ('FieldValueRequired', 'spec.versions[0].schema.openAPIV3Schema', 'Required value'),
    ], id='no schema'),
    pytest.param(lambda c: S(c)["names"].pop("kind"), [
        ('FieldValueRequired', 'spec.names.singular', 'Required value'),
        ('FieldValueRequired', 'spec.names.kind', 'Required value'),
        ('FieldValueRequired', 'spec.names.listKind', 'Required value'),
    ], id='kind empty'),
    pytest.param(lambda c: S(c)["names"].update(kind="Wid-get_"), [
        ('FieldValueInvalid', 'spec.names.singular', 'Invalid value: "wid-get_": ' + DNS1035),
        ('FieldValueInvalid', 'spec.names.kind', 'Invalid value: "Wid-get_": may have mixed case, but should otherwise match: ' + DNS1035),
        ('FieldValueInvalid', 'spec.names.listKind', 'Invalid value: "Wid-get_List": may have mixed case, but should otherwise match: ' + DNS1035),
    ], id='kind bad'),
    pytest.param(lambda c: S(c)["names"].update(listKind="Widget"), [
        ('FieldValueInvalid', 'spec.names.listKind', 'Invalid value: "Widget": kind and listKind may not be the same'),
    ], id='listkind same'),
    pytest.param(lambda c: S(c)["names"].update(shortNames=["ok", "Bad", ""]), [
        ('FieldValueInvalid', 'spec.names.shortNames[1]', 'Invalid value: "Bad": ' + DNS1035),
        ('FieldValueInvalid', 'spec.names.shortNames[2]', 'Invalid value: "": ' + DNS1035),
    ], id='shortnames bad'),
    pytest.param(lambda c: S(c)["names"].update(categories=["all", "a.b"]), [
        ('FieldValueInvalid', 'spec.names.categories[1]', 'Invalid value: "a.b": ' + DNS1035),
    ], id='categories bad'),
    pytest.param(sch({"properties": {"spec": {"type": "object"}}}), [
        ('FieldValueRequired', 'spec.validation.openAPIV3Schema.type', 'Required value: must not be empty at the root'),
    ], id='root no type'),
    pytest.param(sch({"type": "string"}), [
        ('FieldValueInvalid', 'spec.validation.openAPIV3Schema.type', 'Invalid value: "string": must be object at the root'),
    ], id='root string'),
    pytest.param(sch(O(spec={"properties": {"a": {"type": "string"}}})), [
        ('FieldValueRequired', 'spec.validation.openAPIV3Schema.properties[spec].type', 'Required value: must not be empty for specified object fields'),
    ], id='prop no type'),
    pytest.param(sch(O(spec={"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "string"}})), [
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.properties[spec].additionalProperties', 'Forbidden: additionalProperties and properties are mutual exclusive'),
    ], id='props+addl'),
    pytest.param(sch(O(spec={"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": False})), [
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.properties[spec].additionalProperties', 'Forbidden: additionalProperties and properties are mutual exclusive'),
    ], id='props+addl false'),
    pytest.param(sch(O(spec={"type": "map"})), [
        ('FieldValueNotSupported', 'spec.validation.openAPIV3Schema.properties[spec].type', 'Unsupported value: "map": supported values: "array", "boolean", "integer", "number", "object", "string"'),
    ], id='bad type'),
    pytest.param(sch(O(list={"type": "array"})), [
        ('FieldValueRequired', 'spec.validation.openAPIV3Schema.properties[list].items', 'Required value: must be specified'),
    ], id='array no items'),
    pytest.param(sch(O(spec={"type": "object", "x-kubernetes-preserve-unknown-fields": False})), [
        ('FieldValueInvalid', 'spec.validation.openAPIV3Schema.properties[spec].x-kubernetes-preserve-unknown-fields', 'Invalid value: false: must be true or undefined'),
    ], id='preserve false'),
    pytest.param(sch(O(metadata={"type": "object", "properties": {"labels": {"type": "object"}}})), [
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.properties[metadata]', 'Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified'),
    ], id='metadata props'),
    pytest.param(sch(O(l={"type": "array", "items": {"type": "string"}, "uniqueItems": True})), [
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.properties[l].uniqueItems', 'Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic'),
    ], id='uniqueItems'),
    pytest.param(sch(O(spec=O(r={"type": "integer", "default": "x"}))), [
        ('FieldValueTypeInvalid', 'spec.validation.openAPIV3Schema.properties[spec].properties[r].default', 'Invalid value: "string":  in body must be of type integer: "string"'),
    ], id='default wrong type'),
    pytest.param(sch(O(spec=O(r={"type": "integer", "default": 1.5}))), [
        ('FieldValueTypeInvalid', 'spec.validation.openAPIV3Schema.properties[spec].properties[r].default', 'Invalid value: "number":  in body must be of type integer: "number"'),
        ('FieldValueInvalid', 'spec.validation.openAPIV3Schema.properties[spec].properties[r].default', 'Invalid value: "": Checked value must be of type integer (default format) in '),
    ], id='default float int'),
    pytest.param(sch(O(spec=O(r={"type": "string", "default": True}))), [
        ('FieldValueTypeInvalid', 'spec.validation.openAPIV3Schema.properties[spec].properties[r].default', 'Invalid value: "boolean":  in body must be of type string: "boolean"'),
    ], id='default bool str'),
    pytest.param(sch({"type": "object", "additionalProperties": {"type": "string"}}), [
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.additionalProperties', 'Forbidden: must not be used at the root'),
    ], id='root addl'),
    pytest.param(sch({"type": "object", "properties": {"b": {}, "a": {}, "c": {"type": "object", "properties": {"z": {}, "y": {}}}}}), [
        ('FieldValueRequired', 'spec.validation.openAPIV3Schema.properties[a].type', 'Required value: must not be empty for specified object fields'),
        ('FieldValueRequired', 'spec.validation.openAPIV3Schema.properties[b].type', 'Required value: must not be empty for specified object fields'),
        ('FieldValueRequired', 'spec.validation.openAPIV3Schema.properties[c].properties[y].type', 'Required value: must not be empty for specified object fields'),
        ('FieldValueRequired', 'spec.validation.openAPIV3Schema.properties[c].properties[z].type', 'Required value: must not be empty for specified object fields'),
    ], id='order ba'),
    pytest.param(sch(O(l={"type": "array", "items": {}})), [
        ('FieldValueRequired', 'spec.validation.openAPIV3Schema.properties[l].items.type', 'Required value: must not be empty for specified array items'),
    ], id='items no type'),
    pytest.param(sch(O(m={"type": "object", "additionalProperties": {}})), [
        ('FieldValueRequired', 'spec.validation.openAPIV3Schema.properties[m].additionalProperties.type', 'Required value: must not be empty for specified object fields'),
    ], id='addl no type'),
    pytest.param(sch(O(e={"type": "string", "x-kubernetes-embedded-resource": True})), [
        ('FieldValueRequired', 'spec.validation.openAPIV3Schema.properties[e].properties', 'Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'),
        ('FieldValueInvalid', 'spec.validation.openAPIV3Schema.properties[e].type', 'Invalid value: "string": must be object if x-kubernetes-embedded-resource is true'),
    ], id='embedded not object'),
    pytest.param(sch(O(a={"type": "null"})), [
        ('FieldValueNotSupported', 'spec.validation.openAPIV3Schema.properties[a].type', 'Unsupported value: "null": supported values: "array", "boolean", "integer", "number", "object", "string"'),
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.properties[a].type', 'Forbidden: type cannot be set to null, use nullable as an alternative'),
    ], id='type null'),
    pytest.param(sch(O(a={"type": "array", "items": {"type": "string"}, "uniqueItems": True}, b={})), [
        ('FieldValueRequired', 'spec.validation.openAPIV3Schema.properties[b].type', 'Required value: must not be empty for specified object fields'),
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.properties[a].uniqueItems', 'Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic'),
    ], id='uniq+notype'),
    pytest.param(sch(O(kind={"type": "integer"}, apiVersion={"type": "boolean"}, metadata={"type": "string"})), [
        ('FieldValueInvalid', 'spec.validation.openAPIV3Schema.properties[apiVersion].type', 'Invalid value: "boolean": must be string'),
        ('FieldValueInvalid', 'spec.validation.openAPIV3Schema.properties[kind].type', 'Invalid value: "integer": must be string'),
        ('FieldValueInvalid', 'spec.validation.openAPIV3Schema.properties[metadata].type', 'Invalid value: "string": must be object'),
    ], id='kind int'),
    pytest.param(sch(O(a={"x-kubernetes-int-or-string": True, "x-kubernetes-preserve-unknown-fields": True})), [
        ('FieldValueInvalid', 'spec.validation.openAPIV3Schema.properties[a].x-kubernetes-preserve-unknown-fields', 'Invalid value: true: must be false if x-kubernetes-int-or-string is true'),
    ], id='ios+preserve'),
    pytest.param(sch(O(a={"type": "array", "items": [{"type": "string"}]})), [
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.properties[a].items', 'Forbidden: items must be a schema object and not an array'),
    ], id='items array'),
    pytest.param(sch(O(a={"$ref": "#/definitions/x"})), [
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.properties[a].$ref', 'Forbidden: $ref is not supported'),
    ], id='ref'),
    pytest.param(sch({"type": "object", "definitions": {"x": {"type": "string"}}}), [
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.definitions', 'Forbidden: definitions is not supported'),
    ], id='definitions'),
    pytest.param(sch(O(metadata={"type": "object", "default": {}})), [
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.properties[metadata].default', 'Forbidden: must not be set in top-level metadata'),
    ], id='default in metadata'),
    pytest.param(sch(O(a={"type": "string", "anyOf": [{"type": "string"}]})), [
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.properties[a].anyOf[0].type', 'Forbidden: must be empty to be structural'),
    ], id='anyof type'),
    pytest.param(v2(schema={"openAPIV3Schema": {"properties": {}}}), [
        ('FieldValueRequired', 'spec.versions[1].schema.openAPIV3Schema.type', 'Required value: must not be empty at the root'),
    ], id='v2 root no type'),
    pytest.param(both(sch(O(a={"type": "string"})), v2(storage=True)), [
        ('FieldValueInvalid', 'spec.versions', 'Invalid value: [{"Name":"v1","Served":true,"Storage":true,"Deprecated":false,"DeprecationWarning":null,"Schema":{"OpenAPIV3Schema":{"ID":"","Schema":"","Ref":null,"Description":"","Type":"object","Nullable":false,"Format":"","Title":"","Default":null,"Maximum":null,"ExclusiveMaximum":false,"Minimum":null,"ExclusiveMinimum":false,"MaxLength":null,"MinLength":null,"Pattern":"","MaxItems":null,"MinItems":null,"UniqueItems":false,"MultipleOf":null,"Enum":null,"MaxProperties":null,"MinProperties":null,"Required":null,"Items":null,"AllOf":null,"OneOf":null,"AnyOf":null,"Not":null,"Properties":{"a":{"ID":"","Schema":"","Ref":null,"Description":"","Type":"string","Nullable":false,"Format":"","Title":"","Default":null,"Maximum":null,"ExclusiveMaximum":false,"Minimum":null,"ExclusiveMinimum":false,"MaxLength":null,"MinLength":null,"Pattern":"","MaxItems":null,"MinItems":null,"UniqueItems":false,"MultipleOf":null,"Enum":null,"MaxProperties":null,"MinProperties":null,"Required":null,"Items":null,"AllOf":null,"OneOf":null,"AnyOf":null,"Not":null,"Properties":null,"AdditionalProperties":null,"PatternProperties":null,"Dependencies":null,"AdditionalItems":null,"Definitions":null,"ExternalDocs":null,"Example":null,"XPreserveUnknownFields":null,"XEmbeddedResource":false,"XIntOrString":false,"XListMapKeys":null,"XListType":null,"XMapType":null,"XValidations":null}},"AdditionalProperties":null,"PatternProperties":null,"Dependencies":null,"AdditionalItems":null,"Definitions":null,"ExternalDocs":null,"Example":null,"XPreserveUnknownFields":null,"XEmbeddedResource":false,"XIntOrString":false,"XListMapKeys":null,"XListType":null,"XMapType":null,"XValidations":null}},"Subresources":null,"AdditionalPrinterColumns":null,"SelectableFields":null},{"Name":"v2","Served":true,"Storage":true,"Deprecated":false,"DeprecationWarning":null,"Schema":{"OpenAPIV3Schema":{"ID":"","Schema":"","Ref":null,"Description":"","Type":"object","Nullable":false,"Format":"","Title":"","Default":null,"Maximum":null,"ExclusiveMaximum":false,"Minimum":null,"ExclusiveMinimum":false,"MaxLength":null,"MinLength":null,"Pattern":"","MaxItems":null,"MinItems":null,"UniqueItems":false,"MultipleOf":null,"Enum":null,"MaxProperties":null,"MinProperties":null,"Required":null,"Items":null,"AllOf":null,"OneOf":null,"AnyOf":null,"Not":null,"Properties":null,"AdditionalProperties":null,"PatternProperties":null,"Dependencies":null,"AdditionalItems":null,"Definitions":null,"ExternalDocs":null,"Example":null,"XPreserveUnknownFields":null,"XEmbeddedResource":false,"XIntOrString":false,"XListMapKeys":null,"XListType":null,"XMapType":null,"XValidations":null}},"Subresources":null,"AdditionalPrinterColumns":null,"SelectableFields":null}]: must have exactly one version marked as storage version'),
        ('FieldValueInvalid', 'status.storedVersions', 'Invalid value: ["v1"]: must have the storage version v2'),
    ], id='v2 two storage diff schema'),
    pytest.param(sub({"scale": {"specReplicasPath": ".foo", "statusReplicasPath": "status.replicas", "labelSelectorPath": ".metadata.x"}}), [
        ('FieldValueInvalid', 'spec.subresources.scale.specReplicasPath', 'Invalid value: ".foo": should be a json path under .spec'),
        ('FieldValueInvalid', 'spec.subresources.scale.statusReplicasPath', 'Invalid value: "status.replicas": must be a simple json path starting with .'),
        ('FieldValueInvalid', 'spec.subresources.scale.labelSelectorPath', 'Invalid value: ".metadata.x": should be a json path under either .spec or .status'),
    ], id='scale bad paths'),
    pytest.param(sub({"scale": {}}), [
        ('FieldValueRequired', 'spec.subresources.scale.specReplicasPath', 'Required value'),
        ('FieldValueRequired', 'spec.subresources.scale.statusReplicasPath', 'Required value'),
    ], id='scale empty'),
    pytest.param(sub({"scale": {"specReplicasPath": ".spec", "statusReplicasPath": ".status."}}), [
        ('FieldValueInvalid', 'spec.subresources.scale.specReplicasPath', 'Invalid value: ".spec": should be a json path under .spec'),
    ], id='scale .spec'),
    pytest.param(cols([{"name": "", "type": "foo", "jsonPath": ""}, {"name": "x", "type": "string", "format": "uuid", "jsonPath": "spec"}, {"name": "p", "type": "integer", "jsonPath": ".spec.r", "priority": -1}]), [
        ('FieldValueRequired', 'spec.additionalPrinterColumns[0].name', 'Required value'),
        ('FieldValueInvalid', 'spec.additionalPrinterColumns[0].type', 'Invalid value: "foo": must be one of boolean,date,integer,number,string'),
        ('FieldValueRequired', 'spec.additionalPrinterColumns[0].JSONPath', 'Required value'),
        ('FieldValueInvalid', 'spec.additionalPrinterColumns[1].format', 'Invalid value: "uuid": must be one of byte,date,date-time,double,float,int32,int64,password'),
        ('FieldValueInvalid', 'spec.additionalPrinterColumns[1].JSONPath', 'Invalid value: "spec": must be a simple json path starting with .'),
    ], id='cols bad'),
    pytest.param(cols([{"name": "a", "jsonPath": ".spec.a"}]), [
        ('FieldValueRequired', 'spec.additionalPrinterColumns[0].type', 'Required value: must be one of boolean,date,integer,number,string'),
    ], id='cols missing type'),
    pytest.param(cols([{"name": "a", "type": "string", "jsonPath": ".spec[?(@.x)]"}, {"name": "b", "type": "string", "jsonPath": "{.spec}"}]), [
        ('FieldValueInvalid', 'spec.additionalPrinterColumns[1].JSONPath', 'Invalid value: "{.spec}": must be a simple json path starting with .'),
    ], id='cols bad path'),
    pytest.param(conv({"strategy": "Foo"}), [
        ('FieldValueNotSupported', 'spec.conversion.strategy', 'Unsupported value: "Foo": supported values: "None", "Webhook"'),
    ], id='conv bad'),
    pytest.param(conv({"strategy": "Webhook"}), [
        ('FieldValueRequired', 'spec.conversion.webhookClientConfig', 'Required value: required when strategy is set to Webhook'),
        ('FieldValueRequired', 'spec.conversion.conversionReviewVersions', 'Required value'),
    ], id='conv webhook missing'),
    pytest.param(conv({"strategy": "Webhook", "webhook": {"clientConfig": {"url": "https://a.example.com/c"}, "conversionReviewVersions": ["v9"]}}), [
        ('FieldValueInvalid', 'spec.conversion.conversionReviewVersions', 'Invalid value: ["v9"]: must include at least one of v1, v1beta1'),
    ], id='conv webhook bad crv'),
    pytest.param(conv({"strategy": "Webhook", "webhook": {"clientConfig": {"url": "https://a.example.com/c", "service": {"namespace": "d", "name": "s"}}, "conversionReviewVersions": ["v1"]}}), [
        ('FieldValueRequired', 'spec.conversion.webhookClientConfig', 'Required value: exactly one of url or service is required'),
    ], id='conv webhook both'),
    pytest.param(conv({"strategy": "Webhook", "webhook": {"clientConfig": {"url": "http://a.example.com/c"}, "conversionReviewVersions": ["v1"]}}), [
        ('FieldValueInvalid', 'spec.conversion.webhookClientConfig.url', 'Invalid value: "http": \'https\' is the only allowed URL scheme; desired format: https://host[/path]'),
    ], id='conv webhook url http'),
    pytest.param(conv({"strategy": "Webhook", "webhook": {"clientConfig": {"service": {"namespace": "", "name": "", "path": "x", "port": 0}}, "conversionReviewVersions": ["v1"]}}), [
        ('FieldValueRequired', 'spec.conversion.webhookClientConfig.service.name', 'Required value'),
        ('FieldValueRequired', 'spec.conversion.webhookClientConfig.service.namespace', 'Required value'),
        ('FieldValueInvalid', 'spec.conversion.webhookClientConfig.service.port', 'Invalid value: 0: port is not valid: must be between 1 and 65535, inclusive'),
        ('FieldValueInvalid', 'spec.conversion.webhookClientConfig.service.path', 'Invalid value: "x": must start with a \'/\''),
        ('FieldValueInvalid', 'spec.conversion.webhookClientConfig.service.path', 'Invalid value: "x": segment[0] may not be empty'),
    ], id='conv webhook svc bad'),
    pytest.param(conv({"strategy": "None", "webhook": {"clientConfig": {"url": "https://a.example.com/c"}, "conversionReviewVersions": ["v1"]}}), [
        ('FieldValueForbidden', 'spec.conversion.webhookClientConfig', 'Forbidden: should not be set when strategy is not set to Webhook'),
        ('FieldValueForbidden', 'spec.conversion.conversionReviewVersions', 'Forbidden: should not be set when strategy is not set to Webhook'),
    ], id='conv none with webhook'),
    pytest.param(conv({}), [
        ('FieldValueRequired', 'spec.conversion.strategy', 'Required value'),
    ], id='conv empty'),
    pytest.param(lambda c: (S(c).update(group="probe.k8s.io"), c["metadata"].update(name="widgets.probe.k8s.io")), [
        ('FieldValueRequired', 'metadata.annotations[api-approved.kubernetes.io]', 'Required value: protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111'),
    ], id='approval'),
    pytest.param(lambda c: (S(c).update(group="probe.k8s.io"), c["metadata"].update(name="widgets.probe.k8s.io", annotations={"api-approved.kubernetes.io": "yes"})), [
        ('FieldValueInvalid', 'metadata.annotations[api-approved.kubernetes.io]', 'Invalid value: "yes": protected groups must have approval annotation "api-approved.kubernetes.io" with either a URL or a reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111'),
    ], id='approval bad'),
    pytest.param(lambda c: V(c).update(deprecationWarning="old"), [
        ('FieldValueInvalid', 'spec.versions[0].deprecationWarning', 'Invalid value: "old": can only be set for deprecated versions'),
    ], id='deprecation not deprecated'),
    pytest.param(lambda c: V(c).update(deprecated=True, deprecationWarning="x" * 257), [
        ('FieldValueInvalid', 'spec.versions[0].deprecationWarning', 'Invalid value: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx": must be <= 256 characters long'),
    ], id='deprecation long'),
    pytest.param(lambda c: V(c).update(deprecated=True, deprecationWarning="a\tb"), [
        ('FieldValueInvalid', 'spec.versions[0].deprecationWarning', 'Invalid value: "a\\tb": must only contain printable UTF-8 characters; non-printable character found at index 1'),
    ], id='deprecation nonprint'),
    pytest.param(lambda c: S(c).update(preserveUnknownFields=True), [
        ('FieldValueInvalid', 'spec.preserveUnknownFields', 'Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'),
    ], id='preserve unknown'),
    pytest.param(both(sch({"type": "object", "minProperties": 1, "description": "d"}), sub({"status": {}})), [
        ('FieldValueInvalid', 'spec.validation.openAPIV3Schema', 'Invalid value: {"ID":"","Schema":"","Ref":null,"Description":"d","Type":"object","Nullable":false,"Format":"","Title":"","Default":null,"Maximum":null,"ExclusiveMaximum":false,"Minimum":null,"ExclusiveMinimum":false,"MaxLength":null,"MinLength":null,"Pattern":"","MaxItems":null,"MinItems":null,"UniqueItems":false,"MultipleOf":null,"Enum":null,"MaxProperties":null,"MinProperties":1,"Required":null,"Items":null,"AllOf":null,"OneOf":null,"AnyOf":null,"Not":null,"Properties":null,"AdditionalProperties":null,"PatternProperties":null,"Dependencies":null,"AdditionalItems":null,"Definitions":null,"ExternalDocs":null,"Example":null,"XPreserveUnknownFields":null,"XEmbeddedResource":false,"XIntOrString":false,"XListMapKeys":null,"XListType":null,"XMapType":null,"XValidations":null}: only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations] fields are allowed at the root of the schema if the status subresource is enabled'),
    ], id='status root extra'),
    pytest.param(both(sch({"type": "string"}), sub({"status": {}})), [
        ('FieldValueInvalid', 'spec.validation.openAPIV3Schema.type', 'Invalid value: "string": only "object" is allowed as the type at the root of the schema if the status subresource is enabled'),
        ('FieldValueInvalid', 'spec.validation.openAPIV3Schema.type', 'Invalid value: "string": must be object at the root'),
    ], id='status root type'),
    pytest.param(both(sch(O(spec=O(color={"type": "string"}, o={"type": "object"}))), lambda c: V(c).update(selectableFields=[{"jsonPath": ".spec.nope"}, {"jsonPath": "spec"}, {"jsonPath": ".spec.o"}, {"jsonPath": ""}, {"jsonPath": ".metadata.name"}])), [
        ('FieldValueInvalid', 'spec.selectableFields[0].jsonPath', 'Invalid value: ".spec.nope": is an invalid path: does not refer to a valid field'),
        ('FieldValueInvalid', 'spec.selectableFields[1].jsonPath', 'Invalid value: "spec": is an invalid path: expected [ or . but got: spec'),
        ('FieldValueInvalid', 'spec.selectableFields[2].jsonPath', 'Invalid value: ".spec.o": must point to a field of type string, boolean or integer. Enum string fields and strings with formats are allowed.'),
        ('FieldValueRequired', 'spec.selectableFields[3].jsonPath', 'Required value'),
        ('FieldValueInvalid', 'spec.selectableFields[4].jsonPath', 'Invalid value: ".metadata.name": is an invalid path: does not refer to a valid field'),
    ], id='sel bad'),
    pytest.param(both(sch(O(spec=O(color={"type": "string"}))), lambda c: V(c).update(selectableFields=[{"jsonPath": ".spec.color"}, {"jsonPath": ".spec.color"}])), [
        ('FieldValueDuplicate', 'spec.selectableFields[1].jsonPath', 'Duplicate value: ".spec.color"'),
    ], id='sel dup'),
    pytest.param(lambda c: (S(c).update(group="probe", scope="X"), S(c)["names"].update(kind="A_b", shortNames=["X"]), V(c).update(name="V1", storage=False, schema={"openAPIV3Schema": {"type": "string"}}, subresources={"scale": {}}, additionalPrinterColumns=[{"name": "", "type": "string", "jsonPath": ".a"}]), S(c).update(conversion={"strategy": "Foo"})), [
        ('FieldValueInvalid', 'metadata.name', 'Invalid value: "widgets.probe.example.com": must be spec.names.plural+"."+spec.group'),
        ('FieldValueInvalid', 'spec.group', 'Invalid value: "probe": should be a domain with at least one dot'),
        ('FieldValueNotSupported', 'spec.scope', 'Unsupported value: "X": supported values: "Cluster", "Namespaced"'),
        ('FieldValueInvalid', 'spec.versions[0].name', 'Invalid value: "V1": ' + DNS1035),
        ('FieldValueInvalid', 'spec.versions', 'Invalid value: [{"Name":"V1","Served":true,"Storage":false,"Deprecated":false,"DeprecationWarning":null,"Schema":null,"Subresources":null,"AdditionalPrinterColumns":null,"SelectableFields":null}]: must have exactly one version marked as storage version'),
        ('FieldValueInvalid', 'spec.version', 'Invalid value: "V1": ' + DNS1035),
        ('FieldValueInvalid', 'spec.names.singular', 'Invalid value: "a_b": ' + DNS1035),
        ('FieldValueInvalid', 'spec.names.kind', 'Invalid value: "A_b": may have mixed case, but should otherwise match: ' + DNS1035),
        ('FieldValueInvalid', 'spec.names.listKind', 'Invalid value: "A_bList": may have mixed case, but should otherwise match: ' + DNS1035),
        ('FieldValueInvalid', 'spec.names.shortNames[0]', 'Invalid value: "X": ' + DNS1035),
        ('FieldValueInvalid', 'spec.validation.openAPIV3Schema.type', 'Invalid value: "string": must be object at the root'),
        ('FieldValueRequired', 'spec.subresources.scale.specReplicasPath', 'Required value'),
        ('FieldValueRequired', 'spec.subresources.scale.statusReplicasPath', 'Required value'),
        ('FieldValueRequired', 'spec.additionalPrinterColumns[0].name', 'Required value'),
        ('FieldValueNotSupported', 'spec.conversion.strategy', 'Unsupported value: "Foo": supported values: "None", "Webhook"'),
        ('FieldValueInvalid', 'status.storedVersions', 'Invalid value: null: must have at least one stored version'),
    ], id='many'),
    pytest.param(_order, [
        ('FieldValueRequired', 'spec.versions[1].schema.openAPIV3Schema', 'Required value'),
        ('FieldValueInvalid', 'spec.versions[0].deprecationWarning', 'Invalid value: "w": can only be set for deprecated versions'),
        ('FieldValueInvalid', 'spec.versions[0].schema.openAPIV3Schema.type', 'Invalid value: "string": must be object at the root'),
        ('FieldValueRequired', 'spec.versions[0].subresources.scale.specReplicasPath', 'Required value'),
        ('FieldValueRequired', 'spec.versions[0].subresources.scale.statusReplicasPath', 'Required value'),
        ('FieldValueRequired', 'spec.versions[0].additionalPrinterColumns[0].name', 'Required value'),
        ('FieldValueRequired', 'spec.versions[0].selectableFields[0].jsonPath', 'Required value'),
        ('FieldValueInvalid', 'spec.versions', 'Invalid value: [{"Name":"v1","Served":true,"Storage":true,"Deprecated":false,"DeprecationWarning":"w","Schema":{"OpenAPIV3Schema":{"ID":"","Schema":"","Ref":null,"Description":"","Type":"string","Nullable":false,"Format":"","Title":"","Default":null,"Maximum":null,"ExclusiveMaximum":false,"Minimum":null,"ExclusiveMinimum":false,"MaxLength":null,"MinLength":null,"Pattern":"","MaxItems":null,"MinItems":null,"UniqueItems":false,"MultipleOf":null,"Enum":null,"MaxProperties":null,"MinProperties":null,"Required":null,"Items":null,"AllOf":null,"OneOf":null,"AnyOf":null,"Not":null,"Properties":null,"AdditionalProperties":null,"PatternProperties":null,"Dependencies":null,"AdditionalItems":null,"Definitions":null,"ExternalDocs":null,"Example":null,"XPreserveUnknownFields":null,"XEmbeddedResource":false,"XIntOrString":false,"XListMapKeys":null,"XListType":null,"XMapType":null,"XValidations":null}},"Subresources":{"Status":null,"Scale":{"SpecReplicasPath":"","StatusReplicasPath":"","LabelSelectorPath":null}},"AdditionalPrinterColumns":[{"Name":"","Type":"string","Format":"","Description":"","Priority":0,"JSONPath":".a"}],"SelectableFields":[{"JSONPath":""}]},{"Name":"v2","Served":true,"Storage":true,"Deprecated":false,"DeprecationWarning":null,"Schema":null,"Subresources":null,"AdditionalPrinterColumns":null,"SelectableFields":null},{"Name":"v1","Served":true,"Storage":false,"Deprecated":false,"DeprecationWarning":null,"Schema":{"OpenAPIV3Schema":{"ID":"","Schema":"","Ref":null,"Description":"","Type":"object","Nullable":false,"Format":"","Title":"","Default":null,"Maximum":null,"ExclusiveMaximum":false,"Minimum":null,"ExclusiveMinimum":false,"MaxLength":null,"MinLength":null,"Pattern":"","MaxItems":null,"MinItems":null,"UniqueItems":false,"MultipleOf":null,"Enum":null,"MaxProperties":null,"MinProperties":null,"Required":null,"Items":null,"AllOf":null,"OneOf":null,"AnyOf":null,"Not":null,"Properties":null,"AdditionalProperties":null,"PatternProperties":null,"Dependencies":null,"AdditionalItems":null,"Definitions":null,"ExternalDocs":null,"Example":null,"XPreserveUnknownFields":null,"XEmbeddedResource":false,"XIntOrString":false,"XListMapKeys":null,"XListType":null,"XMapType":null,"XValidations":null}},"Subresources":null,"AdditionalPrinterColumns":null,"SelectableFields":null}]: must contain unique version names'),
        ('FieldValueInvalid', 'spec.versions', 'Invalid value: [{"Name":"v1","Served":true,"Storage":true,"Deprecated":false,"DeprecationWarning":"w","Schema":{"OpenAPIV3Schema":{"ID":"","Schema":"","Ref":null,"Description":"","Type":"string","Nullable":false,"Format":"","Title":"","Default":null,"Maximum":null,"ExclusiveMaximum":false,"Minimum":null,"ExclusiveMinimum":false,"MaxLength":null,"MinLength":null,"Pattern":"","MaxItems":null,"MinItems":null,"UniqueItems":false,"MultipleOf":null,"Enum":null,"MaxProperties":null,"MinProperties":null,"Required":null,"Items":null,"AllOf":null,"OneOf":null,"AnyOf":null,"Not":null,"Properties":null,"AdditionalProperties":null,"PatternProperties":null,"Dependencies":null,"AdditionalItems":null,"Definitions":null,"ExternalDocs":null,"Example":null,"XPreserveUnknownFields":null,"XEmbeddedResource":false,"XIntOrString":false,"XListMapKeys":null,"XListType":null,"XMapType":null,"XValidations":null}},"Subresources":{"Status":null,"Scale":{"SpecReplicasPath":"","StatusReplicasPath":"","LabelSelectorPath":null}},"AdditionalPrinterColumns":[{"Name":"","Type":"string","Format":"","Description":"","Priority":0,"JSONPath":".a"}],"SelectableFields":[{"JSONPath":""}]},{"Name":"v2","Served":true,"Storage":true,"Deprecated":false,"DeprecationWarning":null,"Schema":null,"Subresources":null,"AdditionalPrinterColumns":null,"SelectableFields":null},{"Name":"v1","Served":true,"Storage":false,"Deprecated":false,"DeprecationWarning":null,"Schema":{"OpenAPIV3Schema":{"ID":"","Schema":"","Ref":null,"Description":"","Type":"object","Nullable":false,"Format":"","Title":"","Default":null,"Maximum":null,"ExclusiveMaximum":false,"Minimum":null,"ExclusiveMinimum":false,"MaxLength":null,"MinLength":null,"Pattern":"","MaxItems":null,"MinItems":null,"UniqueItems":false,"MultipleOf":null,"Enum":null,"MaxProperties":null,"MinProperties":null,"Required":null,"Items":null,"AllOf":null,"OneOf":null,"AnyOf":null,"Not":null,"Properties":null,"AdditionalProperties":null,"PatternProperties":null,"Dependencies":null,"AdditionalItems":null,"Definitions":null,"ExternalDocs":null,"Example":null,"XPreserveUnknownFields":null,"XEmbeddedResource":false,"XIntOrString":false,"XListMapKeys":null,"XListType":null,"XMapType":null,"XValidations":null}},"Subresources":null,"AdditionalPrinterColumns":null,"SelectableFields":null}]: must have exactly one version marked as storage version'),
        ('FieldValueInvalid', 'spec.conversion.strategy', 'Invalid value: "Foo": must be None if spec.preserveUnknownFields is true'),
        ('FieldValueNotSupported', 'spec.conversion.strategy', 'Unsupported value: "Foo": supported values: "None", "Webhook"'),
        ('FieldValueInvalid', 'status.storedVersions', 'Invalid value: ["v1"]: must have the storage version v2'),
        ('FieldValueRequired', 'metadata.annotations[api-approved.kubernetes.io]', 'Required value: protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111'),
        ('FieldValueInvalid', 'spec.preserveUnknownFields', 'Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'),
    ], id='order'),
    pytest.param(_order2, [
        ('FieldValueInvalid', 'spec.preserveUnknownFields', 'Invalid value: true: must be false in order to use defaults in the schema'),
        ('FieldValueInvalid', 'spec.names.shortNames[0]', 'Invalid value: "X": ' + DNS1035),
        ('FieldValueInvalid', 'spec.preserveUnknownFields', 'Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'),
    ], id='order2'),
    pytest.param(sch(O(a={"type": "string", "anyOf": [{"description": "x", "nullable": True, "default": "a"}]})), [
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.properties[a].anyOf[0].default', 'Forbidden: must be undefined to be structural'),
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.properties[a].anyOf[0].description', 'Forbidden: must be empty to be structural'),
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.properties[a].anyOf[0].nullable', 'Forbidden: must be false to be structural'),
    ], id='anyof desc'),
    pytest.param(sch(O(a={"type": "string", "not": {"default": "x", "x-kubernetes-preserve-unknown-fields": True, "title": "t"}})), [
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.properties[a].not.default', 'Forbidden: must be undefined to be structural'),
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.properties[a].not.title', 'Forbidden: must be empty to be structural'),
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.properties[a].not.x-kubernetes-preserve-unknown-fields', 'Forbidden: must be false to be structural'),
    ], id='not default'),
    pytest.param(sch(O(a={"type": "object", "oneOf": [{"additionalProperties": {"type": "string"}}]})), [
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.properties[a].oneOf[0].additionalProperties', 'Forbidden: must be undefined to be structural'),
    ], id='oneof addl'),
    pytest.param(sch(O(metadata={"type": "object", "description": "m"})), [
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.properties[metadata]', 'Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified'),
    ], id='metadata desc'),
    pytest.param(sch(O(e={"type": "object", "x-kubernetes-embedded-resource": True, "properties": {"metadata": {"type": "string"}, "kind": {"type": "integer"}}})), [
        ('FieldValueInvalid', 'spec.validation.openAPIV3Schema.properties[e].properties[kind].type', 'Invalid value: "integer": must be string'),
        ('FieldValueInvalid', 'spec.validation.openAPIV3Schema.properties[e].properties[metadata].type', 'Invalid value: "string": must be object'),
    ], id='embedded meta'),
    pytest.param(sch(O(metadata={"type": "object", "properties": {"name": {"type": "string", "x-kubernetes-embedded-resource": True, "x-kubernetes-preserve-unknown-fields": True}}})), [
        ('FieldValueInvalid', 'spec.validation.openAPIV3Schema.properties[metadata].properties[name].type', 'Invalid value: "string": must be object if x-kubernetes-embedded-resource is true'),
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.properties[metadata].properties[name].x-kubernetes-embedded-resource', 'Forbidden: must not be used inside of resource meta'),
    ], id='embedded in meta'),
    pytest.param(sch(O(metadata={"type": "object", "properties": {"name": {"type": "string", "default": "x"}}})), [
        ('FieldValueForbidden', 'spec.validation.openAPIV3Schema.properties[metadata].properties[name].default', 'Forbidden: must not be set in top-level metadata'),
    ], id='default metadata root name'),
    pytest.param(conv({"strategy": "Webhook", "webhook": {"clientConfig": {"url": "https:///x"}, "conversionReviewVersions": ["v1"]}}), [
        ('FieldValueInvalid', 'spec.conversion.webhookClientConfig.url', 'Invalid value: "": host must be specified; desired format: https://host[/path]'),
    ], id='webhook url nohost'),
    pytest.param(conv({"strategy": "Webhook", "webhook": {"clientConfig": {"service": {"namespace": "d", "name": "s", "path": "/a//B_"}}, "conversionReviewVersions": ["v1"]}}), [
        ('FieldValueInvalid', 'spec.conversion.webhookClientConfig.service.path', 'Invalid value: "/a//B_": segment[1] may not be empty'),
        ('FieldValueInvalid', 'spec.conversion.webhookClientConfig.service.path', 'Invalid value: "/a//B_": segment[2]: ' + SUBDOMAIN),
    ], id='webhook svc path seg'),
    pytest.param(both(v2(additionalPrinterColumns=[{"name": "", "type": "string", "jsonPath": ".a"}], schema={"openAPIV3Schema": {"properties": {}}}), cols([{"name": "", "type": "string", "jsonPath": ".a"}])), [
        ('FieldValueRequired', 'spec.versions[1].schema.openAPIV3Schema.type', 'Required value: must not be empty at the root'),
        ('FieldValueRequired', 'spec.additionalPrinterColumns[0].name', 'Required value'),
    ], id='hoisted cols, per-version schema'),
    pytest.param(sch(O(l={"type": "array", "items": {"type": "object", "properties": {"x": {}}}})), [
        ('FieldValueRequired', 'spec.validation.openAPIV3Schema.properties[l].items.properties[x].type', 'Required value: must not be empty for specified object fields'),
    ], id='list+items prop no type'),
]


@pytest.mark.parametrize(("mutate", "expected"), BAD)
def test_an_invalid_crd_gets_the_real_servers_causes(mutate: Mutate, expected: list[tuple[str, str, str]]) -> None:
    _, causes = _create(mutate)
    assert causes == _causes(expected)


GOOD: list[Any] = [
    pytest.param(lambda c: V(c).update(served=False), id='not served'),
    pytest.param(sch(O(spec={"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": True})), id='props+addl true'),
    pytest.param(sch(O(spec={"type": "object", "x-kubernetes-preserve-unknown-fields": True})), id='preserve ok'),
    pytest.param(sch(O(port={"type": "string", "x-kubernetes-int-or-string": True})), id='int-or-string with type'),
    pytest.param(sch(O(port={"x-kubernetes-int-or-string": True})), id='int-or-string ok'),
    pytest.param(sch(O(any={"x-kubernetes-preserve-unknown-fields": True})), id='preserve no type'),
    pytest.param(sch(O(metadata={"type": "object", "properties": {"name": {"type": "string", "maxLength": 10}}})), id='metadata name ok'),
    pytest.param(sch(O(spec=O(r={"type": "integer", "default": 1}))), id='default ok'),
    pytest.param(sch({"type": "object", "x-kubernetes-embedded-resource": True, "x-kubernetes-preserve-unknown-fields": True}), id='root embedded'),
    pytest.param(sch(O(a={"type": "string", "format": "bogus"})), id='format unknown'),
    pytest.param(sub({"scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"}}), id='scale ok'),
    pytest.param(both(sch(O(spec=O(replicas={"type": "string"}))), sub({"scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"}})), id='scale sch mismatch'),
    pytest.param(sub({"status": {}}), id='status sub'),
    pytest.param(cols([{"name": "Age2", "type": "date", "jsonPath": ".metadata.creationTimestamp"}, {"name": "c", "type": "string", "jsonPath": ".spec.items[0].name"}]), id='cols ok'),
    pytest.param(cols([{"name": "a", "type": "string", "jsonPath": "."}, {"name": "b", "type": "string", "jsonPath": ".spec..a"}]), id='col dot'),
    pytest.param(conv({"strategy": "Webhook", "webhook": {"clientConfig": {"service": {"namespace": "d", "name": "s"}}, "conversionReviewVersions": ["v1", "v1beta1"]}}), id='conv webhook svc ok'),
    pytest.param(conv({"strategy": "Webhook", "webhook": {"clientConfig": {"service": {"namespace": "d", "name": "s", "port": 8443}}, "conversionReviewVersions": ["v1beta1"]}}), id='webhook port given'),
    pytest.param(lambda c: (S(c).update(group="probe.k8s.io"), c["metadata"].update(name="widgets.probe.k8s.io", annotations={"api-approved.kubernetes.io": "https://github.com/kubernetes/kubernetes/pull/1"})), id='approval ok'),
    pytest.param(lambda c: (S(c).update(group="probe.k8s.io"), c["metadata"].update(name="widgets.probe.k8s.io", annotations={"api-approved.kubernetes.io": "unapproved, testing"})), id='approval unapproved'),
    pytest.param(lambda c: c["metadata"].update(annotations={"api-approved.kubernetes.io": "yes"}), id='approval not protected'),
    pytest.param(lambda c: (S(c).update(group="probe.x-k8s.io"), c["metadata"].update(name="widgets.probe.x-k8s.io")), id='x-k8s not protected'),
    pytest.param(both(sch(O(spec=O(color={"type": "string"}))), lambda c: V(c).update(selectableFields=[{"jsonPath": ".spec.color"}])), id='sel ok'),
    pytest.param(sch(O(a={"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]})), id='ios ok anyOf'),
    pytest.param(sch(O(a={"x-kubernetes-int-or-string": True, "allOf": [{"anyOf": [{"type": "integer"}, {"type": "string"}]}, {"maxLength": 3}]})), id='allof ios'),
    pytest.param(sch(O(a={"type": "string", "nullable": True})), id='nullable ok'),
    pytest.param(sch(O(e={"type": "object", "x-kubernetes-embedded-resource": True, "x-kubernetes-preserve-unknown-fields": True})), id='embedded ok'),
    pytest.param(lambda c: V(c).update(deprecated=True, deprecationWarning="old"), id='deprecation ok'),
    pytest.param(lambda c: (S(c).update(group="probe.kubernetes.io"), c["metadata"].update(name="widgets.probe.kubernetes.io", annotations={"api-approved.kubernetes.io": "http://example.com/x"})), id='approval http'),
    pytest.param(lambda c: S(c)["names"].update(singular="wid", listKind="Wids"), id='singular given'),
    pytest.param(both(v2(subresources={"status": {}}), sch({"type": "object", "minProperties": 1})), id='status root hoisted v2'),
]


@pytest.mark.parametrize("mutate", GOOD)
def test_a_crd_the_real_server_accepts_is_accepted(mutate: Mutate) -> None:
    _, causes = _create(mutate)
    assert causes == []


# --------------------------------------------------------------------------- update

# what the real server held after creating (v1 storage, v2 served) and establishing the CRD
ESTABLISHED: Obj = {
    "kind": "CustomResourceDefinition", "apiVersion": "apiextensions.k8s.io/v1",
    "metadata": {
        "name": "widgets.probe.example.com", "uid": "ab373231-bee4-4fc5-acd1-b80adc7512f1",
        "resourceVersion": "20997", "generation": 1, "creationTimestamp": "2026-12-04T13:32:05Z",
    },
    "spec": {
        "group": "probe.example.com",
        "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
        "scope": "Namespaced",
        "versions": [
            {"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {"type": "object"}}},
            {"name": "v2", "served": True, "storage": False, "schema": {"openAPIV3Schema": {"type": "object"}}},
        ],
        "conversion": {"strategy": "None"},
    },
    "status": {
        "conditions": [
            {"type": "NamesAccepted", "status": "True", "lastTransitionTime": "2026-12-04T13:32:05Z",
             "reason": "NoConflicts", "message": "no conflicts found"},
            {"type": "Established", "status": "True", "lastTransitionTime": "2026-12-04T13:32:05Z",
             "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"},
        ],
        "acceptedNames": {"plural": "widgets", "singular": "widget", "kind": "Widget", "listKind": "WidgetList"},
        "storedVersions": ["v1"],
    },
}


def _update(mutate: Mutate, status_write: bool = False, old: Obj | None = None) -> tuple[Obj, list[Obj]]:
    """The generic update path: status kept from the stored object (or, for a status write, only
    the status taken), defaulting, validation against the stored object."""
    old = copy.deepcopy(ESTABLISHED if old is None else old)
    body = copy.deepcopy(old)
    mutate(body)
    if status_write:
        new = {**old, "metadata": dict(old["metadata"]), "status": body["status"]}
    else:
        new = {**body, "status": copy.deepcopy(old["status"])}
        STRATEGY.default(new)
    return new, validate_with(CRD_INFO.kind, STRATEGY.validate, STRATEGY.validate_update, new, old)


def _storage_v2(c: Obj) -> None:
    S(c)["versions"][0]["storage"] = False
    S(c)["versions"][1]["storage"] = True


def _drop_v1(c: Obj) -> None:
    S(c)["versions"].pop(0)
    S(c)["versions"][0]["storage"] = True


UPDATES: list[Any] = [
    pytest.param(lambda c: S(c).update(scope="Cluster"), [
        ("FieldValueInvalid", "spec.scope", 'Invalid value: "Cluster": field is immutable'),
    ], id="scope"),
    pytest.param(lambda c: S(c)["names"].update(kind="Gadget", listKind="GadgetList", singular="gadget"), [
        ("FieldValueInvalid", "spec.names.kind", 'Invalid value: "Gadget": field is immutable'),
    ], id="kind"),
    pytest.param(lambda c: S(c).update(group="other.example.com"), [
        ("FieldValueInvalid", "spec.group", 'Invalid value: "other.example.com": field is immutable'),
    ], id="group"),
    pytest.param(lambda c: S(c)["names"].update(plural="gizmos"), [
        ("FieldValueInvalid", "spec.names.plural", 'Invalid value: "gizmos": field is immutable'),
    ], id="plural"),
    pytest.param(_drop_v1, [
        ("FieldValueInvalid", "status.storedVersions[0]",
         'Invalid value: "v1": missing from spec.versions; v1 was previously a storage version, and must remain in '
         "spec.versions until a storage migration ensures no data remains persisted in v1 and removes v1 from "
         "status.storedVersions"),
    ], id="drop stored v1"),
    pytest.param(lambda c: S(c)["versions"][1].update(schema={"openAPIV3Schema": {"type": "string"}}), [
        ("FieldValueInvalid", "spec.versions[1].schema.openAPIV3Schema.type", 'Invalid value: "string": must be object at the root'),
    ], id="bad schema"),
    pytest.param(lambda c: S(c).update(preserveUnknownFields=True), [
        ("FieldValueInvalid", "spec.preserveUnknownFields",
         "Invalid value: true: cannot set to true, set x-kubernetes-preserve-unknown-fields to true in "
         "spec.versions[*].schema instead"),
    ], id="preserveUnknownFields"),
    pytest.param(lambda c: (S(c).update(scope="Cluster"), S(c)["names"].update(plural="gizmos", shortNames=["A"])), [
        ("FieldValueInvalid", "spec.names.shortNames[0]", 'Invalid value: "A": ' + DNS1035),
        ("FieldValueInvalid", "spec.scope", 'Invalid value: "Cluster": field is immutable'),
        ("FieldValueInvalid", "spec.names.plural", 'Invalid value: "gizmos": field is immutable'),
    ], id="order"),
    pytest.param(lambda c: c["metadata"].update(labels={"a": "b"}), [], id="labels"),
    pytest.param(lambda c: S(c)["versions"].pop(1), [], id="drop unstored v2"),
]


@pytest.mark.parametrize(("mutate", "expected"), UPDATES)
def test_an_update_gets_the_real_servers_causes(mutate: Mutate, expected: list[tuple[str, str, str]]) -> None:
    _, causes = _update(mutate)
    assert causes == _causes(expected)


def test_a_new_storage_version_is_added_to_the_stored_versions() -> None:
    new, causes = _update(_storage_v2)
    assert causes == [] and new["status"]["storedVersions"] == ["v1", "v2"]
    assert ESTABLISHED["status"]["storedVersions"] == ["v1"]  # the stored object's status is not written to


def test_scope_and_kind_may_change_until_the_crd_is_established() -> None:
    pending = copy.deepcopy(ESTABLISHED)
    pending["status"]["conditions"] = None
    _, causes = _update(lambda c: (S(c).update(scope="Cluster"), S(c)["names"].update(kind="Gadget")), old=pending)
    assert causes == []


def test_a_status_write_checks_only_the_accepted_names() -> None:
    _, causes = _update(lambda c: c["status"]["acceptedNames"].update(plural="Bad", kind="K_"), status_write=True)
    assert causes == _causes([
        ("FieldValueInvalid", "status.acceptedNames.plural", 'Invalid value: "Bad": ' + DNS1035),
        ("FieldValueInvalid", "status.acceptedNames.kind",
         'Invalid value: "K_": may have mixed case, but should otherwise match: ' + DNS1035),
    ])
    _, causes = _update(lambda c: c["status"].update(storedVersions=["v9"]), status_write=True)
    assert causes == []


# --------------------------------------------------------------------------- through the API server


def _api() -> APIServer:
    registry = Registry((*RESOURCES, CRD_INFO), STRATEGIES)
    return APIServer(MemoryStore(), EventLoop(), SeededRandom(1), registry=registry)


def test_through_the_api_server_a_crd_is_created_bumped_rejected_and_printed() -> None:
    api = _api()
    created = api.create(CRDS, _crd())
    assert created["metadata"]["generation"] == 1
    assert created["status"]["storedVersions"] == ["v1"] and created["spec"]["names"]["listKind"] == "WidgetList"
    relabelled = api.patch(CRDS, created["metadata"]["name"], {"metadata": {"labels": {"a": "b"}}}, "merge")
    assert relabelled["metadata"]["generation"] == 1
    column = {"name": "Color", "type": "string", "jsonPath": ".spec.color"}
    body = copy.deepcopy(relabelled)
    body["spec"]["versions"][0]["additionalPrinterColumns"] = [column]
    assert api.update(CRDS, body)["metadata"]["generation"] == 2
    with pytest.raises(ApiError) as bad:
        api.create(CRDS, {**_crd(), "metadata": {"name": "gadgets.probe.example.com"}})
    assert bad.value.code == 422
    assert bad.value.status["details"]["causes"] == _causes([
        ("FieldValueInvalid", "metadata.name", 'Invalid value: "gadgets.probe.example.com": must be spec.names.plural+"."+spec.group'),
    ])
    info = api.registry.lookup("crd")
    assert info is CRD_INFO
    table = tables.to_table(info, api.list(CRDS)["items"], 0.0, strategy=api.registry.strategy(info))
    assert [(c["name"], c["type"]) for c in table["columnDefinitions"]] == [("Name", "string"), ("Created At", "date")]
    # the default table convertor's descriptions are ObjectMeta's: name and creationTimestamp
    assert table["columnDefinitions"][1]["description"] == tables.AGE_DESC
    assert table["rows"][0]["cells"] == ["widgets.probe.example.com", created["metadata"]["creationTimestamp"]]
