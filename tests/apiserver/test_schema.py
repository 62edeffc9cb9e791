"""Custom resources against their CRD version's structural schema, as kube-apiserver v1.36.3 answers.

One table: CRD schemas (``SCHEMAS``) and requests against each (``CASES``: create, update, status
write, merge patch, a schema turned stricter between writes), every answer recorded from a
running kube-apiserver v1.36.3 by ``schema_probe.py`` (``python -m tests.apiserver.schema_probe
--kubeconfig ... --emit`` re-records it): the status code, the stored object (pruned, defaulted,
embedded metadata through ObjectMeta) or the Status (a 400's message; a 422's causes, sorted, its
message being the one its causes make). The reference is driven here through its in-process HTTP
front, so strict field validation is on the same path as on the wire.

The few answers the reference still gives differently are marked ``xfail`` (strict) with the module
that owes the fix; the rest of the reference (``schema.py`` and the custom resource strategy of
``crd.py``) matches. Where Go iterates a map the real server's cause order is random: causes are
compared sorted.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from reference_impl.apiserver import APIServer
from reference_impl.apiserver import schema as _schema
from reference_impl.apiserver.http import HttpApiServer, Request, Response
from reference_impl.apiserver.validation import invalid_message
from reference_impl.sim import EventLoop, SeededRandom
from reference_impl.store import MemoryStore

Obj = dict[str, Any]
Cause = tuple[str, str, str]  # field, reason, message
Send = Callable[..., tuple[int, Any]]

GROUP = "schema-probe.example.com"
NAMESPACE = "default"
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
STRICT = "?fieldValidation=Strict"
PRESERVE = "x-kubernetes-preserve-unknown-fields"
EMBEDDED = "x-kubernetes-embedded-resource"
INT_OR_STRING = "x-kubernetes-int-or-string"
STR: Obj = {"type": "string"}
INT: Obj = {"type": "integer"}


def obj(props: Obj | None = None, **kw: Any) -> Obj:
    """An object schema with these properties and keywords."""
    out: Obj = {"type": "object"}
    if props is not None:
        out["properties"] = props
    out.update(kw)
    return out


# == the CRD versions' schemas (name -> openAPIV3Schema, subresources) =============================

SCHEMAS: dict[str, tuple[Obj, Obj | None]] = {
    "typed": (obj({
        "spec": obj({
            "i": INT, "n": {"type": "number"}, "s": STR, "b": {"type": "boolean"},
            "a": {"type": "array", "items": STR},
            "o": obj({"x": STR}),
            "m": obj(additionalProperties=INT),
            "f32": {"type": "integer", "format": "int32"},
            "nn": {"type": "string", "nullable": True},
            "no": obj({"x": STR}, nullable=True),
            "aa": {"type": "array", "items": {"type": "array", "items": INT}},
        }),
        "status": obj({"phase": STR}),
    }), None),
    "defaulted": (obj({
        "spec": obj({
            "r": {"type": "integer", "default": 1},
            "s": {"type": "string", "default": "x"},
            "o": obj({"a": {"type": "string", "default": "A"}, "b": INT}, default={}),
            "l": {"type": "array", "items": obj({"k": {"type": "string", "default": "K"}, "v": INT})},
            "li": {"type": "array", "items": {"type": "integer", "default": 7}},
            "m": obj(additionalProperties=obj({"z": {"type": "boolean", "default": True}})),
            "ma": obj(additionalProperties={"type": "string", "default": "dv"}),
            "n": {"type": "string", "nullable": True, "default": "nd"},
            "lst": {"type": "array", "default": ["a"], "items": STR},
            "deep": obj({"x": obj({"y": {"type": "integer", "default": 3}}, default={})}, default={}),
        }, default={}),
    }), None),
    "constrained": (obj({
        "spec": obj({
            "name": {"type": "string", "minLength": 2, "maxLength": 5, "pattern": "^[a-z]+$"},
            "count": {"type": "integer", "minimum": 1, "maximum": 10},
            "ex": {"type": "integer", "minimum": 0, "maximum": 10, "exclusiveMinimum": True, "exclusiveMaximum": True},
            "ratio": {"type": "number", "minimum": 0.5, "maximum": 1.5},
            "mult": {"type": "integer", "multipleOf": 3},
            "multf": {"type": "number", "multipleOf": 0.5},
            "color": {"type": "string", "enum": ["red", "green"]},
            "level": {"type": "integer", "enum": [1, 2]},
            "items": {"type": "array", "minItems": 1, "maxItems": 2, "items": STR},
            "one": {"type": "array", "maxItems": 1, "items": STR},
            "props": obj(minProperties=1, maxProperties=2, additionalProperties=STR),
            "oneprop": obj(maxProperties=1, additionalProperties=STR),
            "pair": obj({"a": STR, "b": STR}, required=["a", "b"]),
            "str1": {"type": "string", "maxLength": 1},
            "bounded": {"type": "number", "minimum": -1.5, "exclusiveMinimum": True},
        }, required=["name"]),
    }, required=["spec"]), None),
    "formatted": (obj({
        "spec": obj({
            "dt": {"type": "string", "format": "date-time"},
            "d": {"type": "string", "format": "date"},
            "u": {"type": "string", "format": "uuid"},
            "ip4": {"type": "string", "format": "ipv4"},
            "ip6": {"type": "string", "format": "ipv6"},
            "cidr": {"type": "string", "format": "cidr"},
            "mac": {"type": "string", "format": "mac"},
            "host": {"type": "string", "format": "hostname"},
            "email": {"type": "string", "format": "email"},
            "uri": {"type": "string", "format": "uri"},
            "b64": {"type": "string", "format": "byte"},
            "dur": {"type": "string", "format": "duration"},
            "short": {"type": "string", "format": "k8s-short-name"},
            "long": {"type": "string", "format": "k8s-long-name"},
            "unk": {"type": "string", "format": "foobar"},
            "i64": {"type": "integer", "format": "int64"},
            "fl": {"type": "number", "format": "float"},
            "hex": {"type": "string", "format": "hexcolor"},
        }),
    }), None),
    "combined": (obj({
        "spec": obj({
            "any": obj({"a": STR, "b": STR}, anyOf=[{"required": ["a"]}, {"required": ["b"]}]),
            "one": obj({"a": STR, "b": STR}, oneOf=[{"required": ["a"]}, {"required": ["b"]}]),
            "all": obj({"a": STR}, allOf=[{"required": ["a"]}, {"properties": {"a": {"minLength": 2}}}]),
            "not": obj({"a": STR, "b": STR}, **{"not": {"required": ["b"]}}),
            "ios": {"x-kubernetes-int-or-string": True},
            "ios2": {"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]},
            "iosp": {"x-kubernetes-int-or-string": True, "pattern": "^[0-9]+%$", "maximum": 10},
            "str": {"type": "string", "anyOf": [{"maxLength": 2}, {"pattern": "^x"}]},
        }),
    }), None),
    "preserved": (obj({
        "spec": obj({
            "known": INT,
            "nested": obj({"a": STR}),
            "free": obj(**{"x-kubernetes-preserve-unknown-fields": True}),
            "lst": {"type": "array", "items": obj({"a": STR})},
        }, **{"x-kubernetes-preserve-unknown-fields": True}),
        "other": obj({"x": STR}),
    }), None),
    "rootfree": (obj({
        "spec": obj({"a": INT}),
    }, **{"x-kubernetes-preserve-unknown-fields": True}), None),
    "embedded": (obj({
        "spec": obj({
            "tmpl": obj({"spec": obj({"a": STR})}, **{"x-kubernetes-embedded-resource": True}),
            "free": obj(**{"x-kubernetes-embedded-resource": True, "x-kubernetes-preserve-unknown-fields": True}),
            "list": {"type": "array", "items": obj(**{
                "x-kubernetes-embedded-resource": True, "x-kubernetes-preserve-unknown-fields": True})},
        }),
    }), None),
    "listed": (obj({
        "spec": obj({
            "set": {"type": "array", "x-kubernetes-list-type": "set", "items": STR},
            "iset": {"type": "array", "x-kubernetes-list-type": "set", "items": INT},
            "map": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                    "items": obj({"name": STR, "v": INT}, required=["name"])},
            "map2": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name", "port"],
                     "items": obj({"name": STR, "port": {"type": "integer", "default": 80}}, required=["name"])},
            "atomic": {"type": "array", "x-kubernetes-list-type": "atomic", "items": STR},
            "mapt": obj(additionalProperties=STR, **{"x-kubernetes-map-type": "atomic"}),
            "nested": obj({"set": {"type": "array", "x-kubernetes-list-type": "set", "items": STR}}),
            "amap": obj(additionalProperties={"type": "array", "x-kubernetes-list-type": "set", "items": STR}),
        }),
    }), None),
    "metaed": (obj({
        "metadata": obj({"name": {"type": "string", "maxLength": 5}}),
        "spec": obj({"a": STR}, maxProperties=1),
    }), None),
    "statused": (obj({
        "spec": obj({"replicas": {"type": "integer", "default": 1}, "s": STR}),
        "status": obj({
            "phase": {"type": "string", "enum": ["A", "B"]},
            "count": {"type": "integer", "default": 0},
            "conds": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"],
                      "items": obj({"type": STR, "ok": {"type": "boolean"}}, required=["type"])},
        }),
    }), {"status": {}}),
    "ratcheted": (obj({
        "spec": obj({"s": STR, "n": INT, "o": obj({"x": STR}), "l": {"type": "array", "items": STR}}),
    }), None),
"metaful": (obj({
        "spec": obj({
            "tmpl": obj({"spec": obj(**{PRESERVE: True})}, **{EMBEDDED: True}),
            "items": {"type": "array", "items": obj(**{EMBEDDED: True, PRESERVE: True})},
            "byname": obj(additionalProperties=obj(**{EMBEDDED: True, PRESERVE: True})),
        }),
    }), None),
    "scaled": (obj({
        "spec": obj({"replicas": INT, "sel": STR}),
        "status": obj({"replicas": INT, "selector": STR}),
    }), {"status": {}, "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas",
                                 "labelSelectorPath": ".status.selector"}}),
    "quirky": (obj({
        "spec": obj({
            "imax": {"type": "integer", "maximum": 1.5},
            "imult": {"type": "integer", "multipleOf": 0.5},
            "fmult": {"type": "number", "multipleOf": 0.1},
            "nmin": {"type": "number", "minimum": 0.5},
            "nenum": {"type": "string", "nullable": True, "enum": ["a", "b"]},
            "ienum": {"type": "number", "enum": [1, 2.5]},
            "benum": {"type": "boolean", "enum": [True]},
            "oenum": obj({"a": STR}, enum=[{"a": "x"}]),
            "nitems": {"type": "array", "items": {"type": "string", "nullable": True}},
            "ditems": {"type": "array", "items": obj({"a": {"type": "string", "default": "z"}}, default={"a": "d"})},
            "ios": {INT_OR_STRING: True, "enum": [1, "a"]},
            "iosf": {INT_OR_STRING: True, "format": "int32"},
            "big": {"type": "integer"},
            "strlen": {"type": "string", "minLength": 2, "maxLength": 3, "pattern": "^x"},
            "any2": obj({"a": INT, "b": STR}, anyOf=[{"required": ["a"], "properties": {"a": {"minimum": 5}}},
                                                 {"required": ["b"], "properties": {"b": {"maxLength": 1}}}]),
            "all2": obj({"a": INT}, allOf=[{"required": ["a"]}, {"required": ["a"]}, {"properties": {"a": {"maximum": 1}}}]),
            "one2": obj({"a": INT, "b": STR}, oneOf=[{"properties": {"a": {"minimum": 5}}}, {"properties": {"b": {"maxLength": 1}}}]),
            "notp": {"type": "string", "not": {"pattern": "^bad"}},
            "mapmin": obj(additionalProperties=INT, minProperties=2),
        }),
    }), None),
    "formats2": (obj({
        "spec": obj({k: {"type": "string", "format": k} for k in (
            "uuid3", "uuid4", "uuid5", "isbn", "isbn10", "isbn13", "creditcard", "ssn", "rgbcolor", "password",
            "bsonobjectid", "date-time", "ipv4", "ipv6", "cidr", "mac", "email", "uri", "duration", "hostname", "byte")}),
    }), None),
    "ratchet2": (obj({
        "spec": obj({
            "lm": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["k"],
                   "items": obj({"k": STR, "v": INT}, required=["k"])},
            "m": obj(additionalProperties=STR),
            "set": {"type": "array", "x-kubernetes-list-type": "set", "items": STR},
            "free": obj({"a": STR}, **{PRESERVE: True}),
        }),
        "status": obj({"s": STR}),
    }), {"status": {}}),
    "rootreq": (obj({
        "metadata": obj({"name": {"type": "string", "pattern": "^r"}, "generateName": {"type": "string", "maxLength": 3}}),
        "spec": obj({"a": STR}),
        "status": obj({"b": STR}),
    }, required=["spec", "status"]), None),
"shaped": (obj({
        "spec": obj({
            "bare": obj(),
            "nobj": obj({"a": {"type": "string", "default": "q"}}, nullable=True, default={"a": "w"}),
            "narr": {"type": "array", "nullable": True, "items": STR},
            "lol": {"type": "array", "items": {"type": "array", "items": obj({"x": INT})}},
            "mlist": obj(additionalProperties={"type": "array", "items": obj({"d": {"type": "integer", "default": 4}})}),
            "mfree": obj(additionalProperties=obj(**{PRESERVE: True})),
            "iosmax": {INT_OR_STRING: True, "maximum": 3, "maxLength": 2},
            "deepreq": obj({"a": obj({"b": obj({"c": STR}, required=["c"])}, required=["b"])}),
        }),
    }), None),
    "stsreq": (obj({
        "spec": obj({"a": STR}),
        "status": obj({"ready": {"type": "boolean"}, "n": INT}, required=["ready"], **{"anyOf": [{"required": ["n"]}, {"required": ["ready"]}]}),
    }), {"status": {}}),
    "apbool": (obj({
        "spec": obj({
            "closed": obj(additionalProperties=False),
            "open": obj(additionalProperties=True),
            "openl": {"type": "array", "items": obj(additionalProperties=True)},
        }),
    }), None),
    "celed": (obj({
        "spec": obj({"a": STR, "p": {"type": "string", "pattern": "^p"},
                     "t": obj(**{EMBEDDED: True, PRESERVE: True})},
                    **{"x-kubernetes-validations": [{"rule": "self.a != 'x'"}]}),
    }), None),
    "stsdef": (obj({
        "spec": obj({"a": {"type": "string", "default": "x"}}),
        "status": obj({"phase": {"type": "string", "default": "New"}}, default={}),
    }), {"status": {}}),
}


# the stricter schemas a ``crd`` step switches a CRD to
STRICTER: dict[str, Obj] = {
    "ratcheted": obj({
        "spec": obj({
            "s": {"type": "string", "maxLength": 3},
            "n": {"type": "integer", "maximum": 5},
            "o": obj({"x": {"type": "string", "enum": ["a"]}}),
            "l": {"type": "array", "maxItems": 1, "items": {"type": "string", "maxLength": 1}},
        }),
    }),
    "ratchet2": obj({
        "spec": obj({
            "lm": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["k"],
                   "items": obj({"k": STR, "v": {"type": "integer", "maximum": 1}}, required=["k"])},
            "m": obj(additionalProperties={"type": "string", "maxLength": 1}),
            "set": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string", "maxLength": 1}},
            "free": obj({"a": {"type": "string", "maxLength": 1}}, **{PRESERVE: True}),
        }),
        "status": obj({"s": {"type": "string", "maxLength": 1}}),
    }),
}


# == the table ==================================================================================


@dataclass(frozen=True)
class Answer:
    """A normalized answer: the code, and the stored object (without apiVersion, kind and metadata)
    with its generation, or the Status message (None for a 422 that says what its causes say) and
    causes (sorted)."""

    code: int
    stored: Obj | None = None
    generation: int | None = None
    message: str | None = None
    causes: tuple[Cause, ...] = ()


@dataclass(frozen=True)
class Step:
    """One request: ``create`` (POST), ``update`` (PUT at the stored resourceVersion), ``status``
    (PUT of the status subresource), ``patch`` (merge patch) or ``crd`` (the CRD's schema replaced
    by its ``STRICTER`` one)."""

    verb: str
    body: Obj
    query: str = ""
    expect: Answer = Answer(0)


@dataclass(frozen=True)
class Case:
    crd: str
    name: str
    steps: tuple[Step, ...]
    object_name: str | None = None  # the custom resource's name, when not the case's ("" generates one)

    @property
    def key(self) -> str:
        return f"{self.crd}/{self.name}"


CASES: list[Case] = [
    Case("typed", "valid", (
        Step("create", {"spec": {"i": 1, "n": 1.5, "s": "x", "b": True, "a": ["a"], "o": {"x": "y"}, "m": {"k": 1}, "f32": 5, "nn": "x", "aa": [[1]]}},
             expect=Answer(201, stored={"spec": {"a": ["a"], "aa": [[1]], "b": True, "f32": 5, "i": 1, "m": {"k": 1}, "n": 1.5, "nn": "x", "o": {"x": "y"}, "s": "x"}}, generation=1)),
    )),
    Case("typed", "int-string", (
        Step("create", {"spec": {"i": "x"}},
             expect=Answer(422, causes=(("spec.i", "FieldValueTypeInvalid", 'Invalid value: "string": spec.i in body must be of type integer: "string"'),))),
    )),
    Case("typed", "int-float", (
        Step("create", {"spec": {"i": 1.5}},
             expect=Answer(422, causes=(
                 ("<nil>", "FieldValueInvalid", 'Invalid value: "": Checked value must be of type integer (default format) in spec.i'),
                 ("spec.i", "FieldValueTypeInvalid", 'Invalid value: "number": spec.i in body must be of type integer: "number"'),
             ))),
    )),
    Case("typed", "int-float-integral", (
        Step("create", {"spec": {"i": 2.0}},
             expect=Answer(201, stored={"spec": {"i": 2}}, generation=1)),
    )),
    Case("typed", "int-bool", (
        Step("create", {"spec": {"i": True}},
             expect=Answer(422, causes=(("spec.i", "FieldValueTypeInvalid", 'Invalid value: "boolean": spec.i in body must be of type integer: "boolean"'),))),
    )),
    Case("typed", "number-string", (
        Step("create", {"spec": {"n": "1"}},
             expect=Answer(422, causes=(("spec.n", "FieldValueTypeInvalid", 'Invalid value: "string": spec.n in body must be of type number: "string"'),))),
    )),
    Case("typed", "number-int", (
        Step("create", {"spec": {"n": 2}},
             expect=Answer(201, stored={"spec": {"n": 2}}, generation=1)),
    )),
    Case("typed", "string-int", (
        Step("create", {"spec": {"s": 1}},
             expect=Answer(422, causes=(("spec.s", "FieldValueTypeInvalid", 'Invalid value: "integer": spec.s in body must be of type string: "integer"'),))),
    )),
    Case("typed", "string-object", (
        Step("create", {"spec": {"s": {"a": 1}}},
             expect=Answer(422, causes=(("spec.s", "FieldValueTypeInvalid", 'Invalid value: "object": spec.s in body must be of type string: "object"'),))),
    )),
    Case("typed", "string-array", (
        Step("create", {"spec": {"s": ["a"]}},
             expect=Answer(422, causes=(("spec.s", "FieldValueTypeInvalid", 'Invalid value: "array": spec.s in body must be of type string: "array"'),))),
    )),
    Case("typed", "bool-string", (
        Step("create", {"spec": {"b": "true"}},
             expect=Answer(422, causes=(("spec.b", "FieldValueTypeInvalid", 'Invalid value: "string": spec.b in body must be of type boolean: "string"'),))),
    )),
    Case("typed", "array-string", (
        Step("create", {"spec": {"a": "x"}},
             expect=Answer(422, causes=(("spec.a", "FieldValueTypeInvalid", 'Invalid value: "string": spec.a in body must be of type array: "string"'),))),
    )),
    Case("typed", "array-items", (
        Step("create", {"spec": {"a": [1, "b", True]}},
             expect=Answer(422, causes=(
                 ("spec.a[0]", "FieldValueTypeInvalid", 'Invalid value: "integer": spec.a[0] in body must be of type string: "integer"'),
                 ("spec.a[2]", "FieldValueTypeInvalid", 'Invalid value: "boolean": spec.a[2] in body must be of type string: "boolean"'),
             ))),
    )),
    Case("typed", "array-null-item", (
        Step("create", {"spec": {"a": [None, "b"]}},
             expect=Answer(422, causes=(("spec.a[0]", "FieldValueTypeInvalid", 'Invalid value: "null": spec.a[0] in body must be of type string: "null"'),))),
    )),
    Case("typed", "object-string", (
        Step("create", {"spec": {"o": "x"}},
             expect=Answer(422, causes=(("spec.o", "FieldValueTypeInvalid", 'Invalid value: "string": spec.o in body must be of type object: "string"'),))),
    )),
    Case("typed", "object-list", (
        Step("create", {"spec": {"o": [1]}},
             expect=Answer(422, causes=(("spec.o", "FieldValueTypeInvalid", 'Invalid value: "array": spec.o in body must be of type object: "array"'),))),
    )),
    Case("typed", "object-prop", (
        Step("create", {"spec": {"o": {"x": 1}}},
             expect=Answer(422, causes=(("spec.o.x", "FieldValueTypeInvalid", 'Invalid value: "integer": spec.o.x in body must be of type string: "integer"'),))),
    )),
    Case("typed", "map-value", (
        Step("create", {"spec": {"m": {"k": "v", "j": 2}}},
             expect=Answer(422, causes=(("spec.m.k", "FieldValueTypeInvalid", 'Invalid value: "string": spec.m.k in body must be of type integer: "string"'),))),
    )),
    Case("typed", "map-null", (
        Step("create", {"spec": {"m": {"k": None}}},
             expect=Answer(201, stored={"spec": {"m": {}}}, generation=1)),
    )),
    Case("typed", "int-null-pruned", (
        Step("create", {"spec": {"i": None, "s": "x"}},
             expect=Answer(201, stored={"spec": {"s": "x"}}, generation=1)),
    )),
    Case("typed", "nullable-null", (
        Step("create", {"spec": {"nn": None, "no": None}},
             expect=Answer(201, stored={"spec": {"nn": None, "no": None}}, generation=1)),
    )),
    Case("typed", "int32-overflow", (
        Step("create", {"spec": {"f32": 3000000000}},
             expect=Answer(422, causes=(("<nil>", "FieldValueInvalid", 'Invalid value: "": Checked value must be of type integer with format int32 in spec.f32'),))),
    )),
    Case("typed", "int32-max", (
        Step("create", {"spec": {"f32": 2147483647}},
             expect=Answer(201, stored={"spec": {"f32": 2147483647}}, generation=1)),
    )),
    Case("typed", "nested-array", (
        Step("create", {"spec": {"aa": [[1, "x"], "y"]}},
             expect=Answer(422, causes=(
                 ("spec.aa[0][1]", "FieldValueTypeInvalid", 'Invalid value: "string": spec.aa[0][1] in body must be of type integer: "string"'),
                 ("spec.aa[1]", "FieldValueTypeInvalid", 'Invalid value: "string": spec.aa[1] in body must be of type array: "string"'),
             ))),
    )),
    Case("typed", "many", (
        Step("create", {"spec": {"i": "x", "s": 2, "b": 1, "o": {"x": []}}},
             expect=Answer(422, causes=(
                 ("spec.b", "FieldValueTypeInvalid", 'Invalid value: "integer": spec.b in body must be of type boolean: "integer"'),
                 ("spec.i", "FieldValueTypeInvalid", 'Invalid value: "string": spec.i in body must be of type integer: "string"'),
                 ("spec.o.x", "FieldValueTypeInvalid", 'Invalid value: "array": spec.o.x in body must be of type string: "array"'),
                 ("spec.s", "FieldValueTypeInvalid", 'Invalid value: "integer": spec.s in body must be of type string: "integer"'),
             ))),
    )),
    Case("typed", "spec-string", (
        Step("create", {"spec": "x"},
             expect=Answer(422, causes=(("spec", "FieldValueTypeInvalid", 'Invalid value: "string": spec in body must be of type object: "string"'),))),
    )),
    Case("typed", "spec-list", (
        Step("create", {"spec": [1]},
             expect=Answer(422, causes=(("spec", "FieldValueTypeInvalid", 'Invalid value: "array": spec in body must be of type object: "array"'),))),
    )),
    Case("typed", "spec-null", (
        Step("create", {"spec": None},
             expect=Answer(201, stored={}, generation=1)),
    )),
    Case("typed", "pruned", (
        Step("create", {"spec": {"i": 1, "zzz": 1, "o": {"x": "a", "y": 2}}, "extra": {"a": 1}},
             expect=Answer(201, stored={"spec": {"i": 1, "o": {"x": "a"}}}, generation=1)),
    )),
    Case("typed", "pruned-strict", (
        Step("create", {"spec": {"i": 1, "zzz": 1, "o": {"x": "a", "y": 2}}, "extra": 1}, query="?fieldValidation=Strict",
             expect=Answer(400, message='Typed in version "v1" cannot be handled as a Typed: strict decoding error: unknown field "extra", unknown field "spec.o.y", unknown field "spec.zzz"')),
    )),
    Case("typed", "status-kept", (
        Step("create", {"spec": {}, "status": {"phase": 1, "zzz": 1}},
             expect=Answer(422, causes=(("status.phase", "FieldValueTypeInvalid", 'Invalid value: "integer": status.phase in body must be of type string: "integer"'),))),
    )),
    Case("typed", "float-values", (
        Step("create", {"spec": {"n": 1e+21, "a": ["x"]}},
             expect=Answer(201, stored={"spec": {"a": ["x"], "n": 1e+21}}, generation=1)),
    )),
    Case("typed", "update-type", (
        Step("create", {"spec": {"i": 1}},
             expect=Answer(201, stored={"spec": {"i": 1}}, generation=1)),
        Step("update", {"spec": {"i": "x"}},
             expect=Answer(422, causes=(("spec.i", "FieldValueTypeInvalid", 'Invalid value: "string": spec.i in body must be of type integer: "string"'),))),
    )),
    Case("typed", "update-prune", (
        Step("create", {"spec": {"i": 1}},
             expect=Answer(201, stored={"spec": {"i": 1}}, generation=1)),
        Step("update", {"spec": {"i": 2, "q": 1}},
             expect=Answer(200, stored={"spec": {"i": 2}}, generation=2)),
    )),
    Case("defaulted", "no-spec", (
        Step("create", {},
             expect=Answer(201, stored={"spec": {"deep": {"x": {"y": 3}}, "lst": ["a"], "n": "nd", "o": {"a": "A"}, "r": 1, "s": "x"}}, generation=1)),
    )),
    Case("defaulted", "empty-spec", (
        Step("create", {"spec": {}},
             expect=Answer(201, stored={"spec": {"deep": {"x": {"y": 3}}, "lst": ["a"], "n": "nd", "o": {"a": "A"}, "r": 1, "s": "x"}}, generation=1)),
    )),
    Case("defaulted", "null-defaulted", (
        Step("create", {"spec": {"r": None, "s": None, "n": None}},
             expect=Answer(201, stored={"spec": {"deep": {"x": {"y": 3}}, "lst": ["a"], "n": None, "o": {"a": "A"}, "r": 1, "s": "x"}}, generation=1)),
    )),
    Case("defaulted", "given", (
        Step("create", {"spec": {"r": 5, "s": "y", "o": {"b": 2}, "lst": []}},
             expect=Answer(201, stored={"spec": {"deep": {"x": {"y": 3}}, "lst": [], "n": "nd", "o": {"a": "A", "b": 2}, "r": 5, "s": "y"}}, generation=1)),
    )),
    Case("defaulted", "list-items", (
        Step("create", {"spec": {"l": [{}, {"v": 1, "k": "q"}], "li": [1, None]}},
             expect=Answer(201, stored={"spec": {"deep": {"x": {"y": 3}}, "l": [{"k": "K"}, {"k": "q", "v": 1}], "li": [1, 7], "lst": ["a"], "n": "nd", "o": {"a": "A"}, "r": 1, "s": "x"}}, generation=1)),
    )),
    Case("defaulted", "map-values", (
        Step("create", {"spec": {"m": {"x": {}, "y": {"z": False}}, "ma": {"a": None, "b": "c"}}},
             expect=Answer(201, stored={"spec": {"deep": {"x": {"y": 3}}, "lst": ["a"], "m": {"x": {"z": True}, "y": {"z": False}}, "ma": {"a": "dv", "b": "c"}, "n": "nd", "o": {"a": "A"}, "r": 1, "s": "x"}}, generation=1)),
    )),
    Case("defaulted", "deep", (
        Step("create", {"spec": {"deep": {"x": {}}}},
             expect=Answer(201, stored={"spec": {"deep": {"x": {"y": 3}}, "lst": ["a"], "n": "nd", "o": {"a": "A"}, "r": 1, "s": "x"}}, generation=1)),
    )),
    Case("defaulted", "deep-null", (
        Step("create", {"spec": {"deep": {"x": None}}},
             expect=Answer(201, stored={"spec": {"deep": {"x": {"y": 3}}, "lst": ["a"], "n": "nd", "o": {"a": "A"}, "r": 1, "s": "x"}}, generation=1)),
    )),
    Case("defaulted", "update-redefaults", (
        Step("create", {"spec": {"r": 3}},
             expect=Answer(201, stored={"spec": {"deep": {"x": {"y": 3}}, "lst": ["a"], "n": "nd", "o": {"a": "A"}, "r": 3, "s": "x"}}, generation=1)),
        Step("update", {"spec": {"s": "z"}},
             expect=Answer(200, stored={"spec": {"deep": {"x": {"y": 3}}, "lst": ["a"], "n": "nd", "o": {"a": "A"}, "r": 1, "s": "z"}}, generation=2)),
    )),
    Case("defaulted", "update-no-spec", (
        Step("create", {"spec": {"r": 3}},
             expect=Answer(201, stored={"spec": {"deep": {"x": {"y": 3}}, "lst": ["a"], "n": "nd", "o": {"a": "A"}, "r": 3, "s": "x"}}, generation=1)),
        Step("update", {},
             expect=Answer(200, stored={"spec": {"deep": {"x": {"y": 3}}, "lst": ["a"], "n": "nd", "o": {"a": "A"}, "r": 1, "s": "x"}}, generation=2)),
    )),
    Case("defaulted", "type-error-after-default", (
        Step("create", {"spec": {"o": {"a": 1}}},
             expect=Answer(422, causes=(("spec.o.a", "FieldValueTypeInvalid", 'Invalid value: "integer": spec.o.a in body must be of type string: "integer"'),))),
    )),
    Case("constrained", "valid", (
        Step("create", {"spec": {"name": "abc", "count": 5, "ex": 5, "ratio": 1, "mult": 6, "multf": 1.5, "color": "red", "level": 2, "items": ["a"], "props": {"a": "b"}, "pair": {"a": "x", "b": "y"}}},
             expect=Answer(201, stored={"spec": {"color": "red", "count": 5, "ex": 5, "items": ["a"], "level": 2, "mult": 6, "multf": 1.5, "name": "abc", "pair": {"a": "x", "b": "y"}, "props": {"a": "b"}, "ratio": 1}}, generation=1)),
    )),
    Case("constrained", "no-spec", (
        Step("create", {},
             expect=Answer(422, causes=(("spec", "FieldValueRequired", "Required value"),))),
    )),
    Case("constrained", "no-name", (
        Step("create", {"spec": {"count": 1}},
             expect=Answer(422, causes=(("spec.name", "FieldValueRequired", "Required value"),))),
    )),
    Case("constrained", "short", (
        Step("create", {"spec": {"name": "a"}},
             expect=Answer(422, causes=(("spec.name", "FieldValueInvalid", 'Invalid value: "a": spec.name in body should be at least 2 chars long'),))),
    )),
    Case("constrained", "long", (
        Step("create", {"spec": {"name": "abcdef"}},
             expect=Answer(422, causes=(("spec.name", "FieldValueTooLong", "Too long: may not be more than 5 bytes"),))),
    )),
    Case("constrained", "pattern", (
        Step("create", {"spec": {"name": "ABC"}},
             expect=Answer(422, causes=(("spec.name", "FieldValueInvalid", 'Invalid value: "ABC": spec.name in body should match \'^[a-z]+$\''),))),
    )),
    Case("constrained", "empty-name", (
        Step("create", {"spec": {"name": ""}},
             expect=Answer(422, causes=(("spec.name", "FieldValueInvalid", 'Invalid value: "": spec.name in body should be at least 2 chars long'),))),
    )),
    Case("constrained", "unicode-name", (
        Step("create", {"spec": {"name": "ééé"}},
             expect=Answer(422, causes=(("spec.name", "FieldValueInvalid", 'Invalid value: "ééé": spec.name in body should match \'^[a-z]+$\''),))),
    )),
    Case("constrained", "count-low", (
        Step("create", {"spec": {"name": "ab", "count": 0}},
             expect=Answer(422, causes=(("spec.count", "FieldValueInvalid", "Invalid value: 0: spec.count in body should be greater than or equal to 1"),))),
    )),
    Case("constrained", "count-high", (
        Step("create", {"spec": {"name": "ab", "count": 11}},
             expect=Answer(422, causes=(("spec.count", "FieldValueInvalid", "Invalid value: 11: spec.count in body should be less than or equal to 10"),))),
    )),
    Case("constrained", "ex-low", (
        Step("create", {"spec": {"name": "ab", "ex": 0}},
             expect=Answer(422, causes=(("spec.ex", "FieldValueInvalid", "Invalid value: 0: spec.ex in body should be greater than 0"),))),
    )),
    Case("constrained", "ex-high", (
        Step("create", {"spec": {"name": "ab", "ex": 10}},
             expect=Answer(422, causes=(("spec.ex", "FieldValueInvalid", "Invalid value: 10: spec.ex in body should be less than 10"),))),
    )),
    Case("constrained", "ratio-low", (
        Step("create", {"spec": {"name": "ab", "ratio": 0.4}},
             expect=Answer(422, causes=(("spec.ratio", "FieldValueInvalid", "Invalid value: 0.4: spec.ratio in body should be greater than or equal to 0.5"),))),
    )),
    Case("constrained", "ratio-high", (
        Step("create", {"spec": {"name": "ab", "ratio": 2}},
             expect=Answer(422, causes=(("spec.ratio", "FieldValueInvalid", "Invalid value: 2: spec.ratio in body should be less than or equal to 1"),))),
    )),
    Case("constrained", "mult", (
        Step("create", {"spec": {"name": "ab", "mult": 4}},
             expect=Answer(422, causes=(("spec.mult", "FieldValueInvalid", "Invalid value: 4: spec.mult in body should be a multiple of 3"),))),
    )),
    Case("constrained", "multf", (
        Step("create", {"spec": {"name": "ab", "multf": 0.7}},
             expect=Answer(422, causes=(("spec.multf", "FieldValueInvalid", "Invalid value: 0.7: spec.multf in body should be a multiple of 0.5"),))),
    )),
    Case("constrained", "enum", (
        Step("create", {"spec": {"name": "ab", "color": "blue"}},
             expect=Answer(422, causes=(("spec.color", "FieldValueNotSupported", 'Unsupported value: "blue": supported values: "red", "green"'),))),
    )),
    Case("constrained", "enum-int", (
        Step("create", {"spec": {"name": "ab", "level": 3}},
             expect=Answer(422, causes=(("spec.level", "FieldValueNotSupported", 'Unsupported value: 3: supported values: "1", "2"'),))),
    )),
    Case("constrained", "enum-int-string", (
        Step("create", {"spec": {"name": "ab", "level": "1"}},
             expect=Answer(422, causes=(
                 ("spec.level", "FieldValueNotSupported", 'Unsupported value: "1": supported values: "1", "2"'),
                 ("spec.level", "FieldValueTypeInvalid", 'Invalid value: "string": spec.level in body must be of type integer: "string"'),
             ))),
    )),
    Case("constrained", "min-items", (
        Step("create", {"spec": {"name": "ab", "items": []}},
             expect=Answer(422, causes=(("spec.items", "FieldValueInvalid", "Invalid value: 0: spec.items in body should have at least 1 items"),))),
    )),
    Case("constrained", "max-items", (
        Step("create", {"spec": {"name": "ab", "items": ["a", "b", "c"]}},
             expect=Answer(422, causes=(("spec.items", "FieldValueTooMany", "Too many: 3: must have at most 2 items"),))),
    )),
    Case("constrained", "max-one-item", (
        Step("create", {"spec": {"name": "ab", "one": ["a", "b"]}},
             expect=Answer(422, causes=(("spec.one", "FieldValueTooMany", "Too many: 2: must have at most 1 item"),))),
    )),
    Case("constrained", "min-props", (
        Step("create", {"spec": {"name": "ab", "props": {}}},
             expect=Answer(422, causes=(("spec.props", "FieldValueInvalid", "Invalid value: 0: spec.props in body should have at least 1 properties"),))),
    )),
    Case("constrained", "max-props", (
        Step("create", {"spec": {"name": "ab", "props": {"a": "1", "b": "2", "c": "3"}}},
             expect=Answer(422, causes=(("spec.props", "FieldValueTooMany", "Too many: 3: must have at most 2 items"),))),
    )),
    Case("constrained", "max-one-prop", (
        Step("create", {"spec": {"name": "ab", "oneprop": {"a": "1", "b": "2"}}},
             expect=Answer(422, causes=(("spec.oneprop", "FieldValueTooMany", "Too many: 2: must have at most 1 item"),))),
    )),
    Case("constrained", "pair", (
        Step("create", {"spec": {"name": "ab", "pair": {}}},
             expect=Answer(422, causes=(
                 ("spec.pair.a", "FieldValueRequired", "Required value"),
                 ("spec.pair.b", "FieldValueRequired", "Required value"),
             ))),
    )),
    Case("constrained", "str1", (
        Step("create", {"spec": {"name": "ab", "str1": "xy"}},
             expect=Answer(422, causes=(("spec.str1", "FieldValueTooLong", "Too long: may not be more than 1 byte"),))),
    )),
    Case("constrained", "bounded", (
        Step("create", {"spec": {"name": "ab", "bounded": -1.5}},
             expect=Answer(422, causes=(("spec.bounded", "FieldValueInvalid", "Invalid value: -1.5: spec.bounded in body should be greater than -1.5"),))),
    )),
    Case("constrained", "many", (
        Step("create", {"spec": {"name": "A", "count": 0, "color": "x", "items": []}},
             expect=Answer(422, causes=(
                 ("spec.color", "FieldValueNotSupported", 'Unsupported value: "x": supported values: "red", "green"'),
                 ("spec.count", "FieldValueInvalid", "Invalid value: 0: spec.count in body should be greater than or equal to 1"),
                 ("spec.items", "FieldValueInvalid", "Invalid value: 0: spec.items in body should have at least 1 items"),
                 ("spec.name", "FieldValueInvalid", 'Invalid value: "A": spec.name in body should be at least 2 chars long'),
             ))),
    )),
    Case("constrained", "update-invalid", (
        Step("create", {"spec": {"name": "ab"}},
             expect=Answer(201, stored={"spec": {"name": "ab"}}, generation=1)),
        Step("update", {"spec": {"name": "ab", "count": 20}},
             expect=Answer(422, causes=(("spec.count", "FieldValueInvalid", "Invalid value: 20: spec.count in body should be less than or equal to 10"),))),
    )),
    Case("formatted", "valid", (
        Step("create", {"spec": {"dt": "2024-01-02T03:04:05Z", "d": "2024-01-02", "u": "f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "ip4": "10.0.0.1", "ip6": "::1", "cidr": "10.0.0.0/8", "mac": "00:1a:2b:3c:4d:5e", "host": "example.com", "email": "a@b.c", "uri": "http://x/y", "b64": "aGVsbG8=", "dur": "5s", "short": "abc", "long": "a.b.c", "unk": "whatever", "i64": 5, "fl": 1.5, "hex": "#fff"}},
             expect=Answer(201, stored={"spec": {"b64": "aGVsbG8=", "cidr": "10.0.0.0/8", "d": "2024-01-02", "dt": "2024-01-02T03:04:05Z", "dur": "5s", "email": "a@b.c", "fl": 1.5, "hex": "#fff", "host": "example.com", "i64": 5, "ip4": "10.0.0.1", "ip6": "::1", "long": "a.b.c", "mac": "00:1a:2b:3c:4d:5e", "short": "abc", "u": "f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "unk": "whatever", "uri": "http://x/y"}}, generation=1)),
    )),
    Case("formatted", "bad-dt", (
        Step("create", {"spec": {"dt": "2024-01-02"}},
             expect=Answer(422, causes=(("spec.dt", "FieldValueTypeInvalid", 'Invalid value: "2024-01-02": spec.dt in body must be of type date-time: "2024-01-02"'),))),
    )),
    Case("formatted", "bad-d", (
        Step("create", {"spec": {"d": "2024-13-02"}},
             expect=Answer(422, causes=(("spec.d", "FieldValueTypeInvalid", 'Invalid value: "2024-13-02": spec.d in body must be of type date: "2024-13-02"'),))),
    )),
    Case("formatted", "bad-u", (
        Step("create", {"spec": {"u": "not-a-uuid"}},
             expect=Answer(422, causes=(("spec.u", "FieldValueTypeInvalid", 'Invalid value: "not-a-uuid": spec.u in body must be of type uuid: "not-a-uuid"'),))),
    )),
    Case("formatted", "bad-ip4", (
        Step("create", {"spec": {"ip4": "1.2.3"}},
             expect=Answer(422, causes=(("spec.ip4", "FieldValueTypeInvalid", 'Invalid value: "1.2.3": spec.ip4 in body must be of type ipv4: "1.2.3"'),))),
    )),
    Case("formatted", "bad-ip6", (
        Step("create", {"spec": {"ip6": "10.0.0.1"}},
             expect=Answer(422, causes=(("spec.ip6", "FieldValueTypeInvalid", 'Invalid value: "10.0.0.1": spec.ip6 in body must be of type ipv6: "10.0.0.1"'),))),
    )),
    Case("formatted", "bad-cidr", (
        Step("create", {"spec": {"cidr": "10.0.0.0"}},
             expect=Answer(422, causes=(("spec.cidr", "FieldValueTypeInvalid", 'Invalid value: "10.0.0.0": spec.cidr in body must be of type cidr: "10.0.0.0"'),))),
    )),
    Case("formatted", "bad-mac", (
        Step("create", {"spec": {"mac": "00:1a"}},
             expect=Answer(422, causes=(("spec.mac", "FieldValueTypeInvalid", 'Invalid value: "00:1a": spec.mac in body must be of type mac: "00:1a"'),))),
    )),
    Case("formatted", "bad-host", (
        Step("create", {"spec": {"host": "-bad-"}},
             expect=Answer(422, causes=(("spec.host", "FieldValueTypeInvalid", 'Invalid value: "-bad-": spec.host in body must be of type hostname: "-bad-"'),))),
    )),
    Case("formatted", "bad-email", (
        Step("create", {"spec": {"email": "nope"}},
             expect=Answer(422, causes=(("spec.email", "FieldValueTypeInvalid", 'Invalid value: "nope": spec.email in body must be of type email: "nope"'),))),
    )),
    Case("formatted", "bad-uri", (
        Step("create", {"spec": {"uri": "relative/path"}},
             expect=Answer(422, causes=(("spec.uri", "FieldValueTypeInvalid", 'Invalid value: "relative/path": spec.uri in body must be of type uri: "relative/path"'),))),
    )),
    Case("formatted", "bad-b64", (
        Step("create", {"spec": {"b64": "abc"}},
             expect=Answer(422, causes=(("spec.b64", "FieldValueTypeInvalid", 'Invalid value: "abc": spec.b64 in body must be of type byte: "abc"'),))),
    )),
    Case("formatted", "bad-dur", (
        Step("create", {"spec": {"dur": "five"}},
             expect=Answer(422, causes=(("spec.dur", "FieldValueTypeInvalid", 'Invalid value: "five": spec.dur in body must be of type duration: "five"'),))),
    )),
    Case("formatted", "dur-scala", (
        Step("create", {"spec": {"dur": "3 days"}},
             expect=Answer(201, stored={"spec": {"dur": "3 days"}}, generation=1)),
    )),
    Case("formatted", "bad-short", (
        Step("create", {"spec": {"short": "A.b"}},
             expect=Answer(422, causes=(("spec.short", "FieldValueTypeInvalid", 'Invalid value: "A.b": spec.short in body must be of type k8s-short-name: "A.b"'),))),
    )),
    Case("formatted", "bad-long", (
        Step("create", {"spec": {"long": "a..b"}},
             expect=Answer(422, causes=(("spec.long", "FieldValueTypeInvalid", 'Invalid value: "a..b": spec.long in body must be of type k8s-long-name: "a..b"'),))),
    )),
    Case("formatted", "bad-hex", (
        Step("create", {"spec": {"hex": "#ggg"}},
             expect=Answer(422, causes=(("spec.hex", "FieldValueTypeInvalid", 'Invalid value: "#ggg": spec.hex in body must be of type hexcolor: "#ggg"'),))),
    )),
    Case("formatted", "format-list", (
        Step("create", {"spec": {"d": ["x"]}},
             expect=Answer(201, stored={"spec": {"d": ["x"]}}, generation=1)),
    )),
    Case("formatted", "format-number", (
        Step("create", {"spec": {"d": 5}},
             expect=Answer(422, causes=(("spec.d", "FieldValueTypeInvalid", 'Invalid value: "int64": spec.d in body must be of type date: "int64"'),))),
    )),
    Case("formatted", "float-format", (
        Step("create", {"spec": {"fl": 1e+300}},
             expect=Answer(422, causes=(("<nil>", "FieldValueInvalid", 'Invalid value: "": Checked value must be of type number with format float in spec.fl'),))),
    )),
    Case("formatted", "many", (
        Step("create", {"spec": {"u": "x", "ip4": "y"}},
             expect=Answer(422, causes=(
                 ("spec.ip4", "FieldValueTypeInvalid", 'Invalid value: "y": spec.ip4 in body must be of type ipv4: "y"'),
                 ("spec.u", "FieldValueTypeInvalid", 'Invalid value: "x": spec.u in body must be of type uuid: "x"'),
             ))),
    )),
    Case("combined", "any-none", (
        Step("create", {"spec": {"any": {}}},
             expect=Answer(422, causes=(
                 ("<nil>", "FieldValueInvalid", 'Invalid value: "": "spec.any" must validate at least one schema (anyOf)'),
                 ("spec.any.a", "FieldValueRequired", "Required value"),
             ))),
    )),
    Case("combined", "any-ok", (
        Step("create", {"spec": {"any": {"b": "x"}}},
             expect=Answer(201, stored={"spec": {"any": {"b": "x"}}}, generation=1)),
    )),
    Case("combined", "one-none", (
        Step("create", {"spec": {"one": {}}},
             expect=Answer(422, causes=(
                 ("<nil>", "FieldValueInvalid", 'Invalid value: "": "spec.one" must validate one and only one schema (oneOf). Found none valid'),
                 ("spec.one.a", "FieldValueRequired", "Required value"),
             ))),
    )),
    Case("combined", "one-both", (
        Step("create", {"spec": {"one": {"a": "x", "b": "y"}}},
             expect=Answer(422, causes=(("<nil>", "FieldValueInvalid", 'Invalid value: "": "spec.one" must validate one and only one schema (oneOf). Found 2 valid alternatives'),))),
    )),
    Case("combined", "one-ok", (
        Step("create", {"spec": {"one": {"a": "x"}}},
             expect=Answer(201, stored={"spec": {"one": {"a": "x"}}}, generation=1)),
    )),
    Case("combined", "all-none", (
        Step("create", {"spec": {"all": {}}},
             expect=Answer(422, causes=(
                 ("<nil>", "FieldValueInvalid", 'Invalid value: "": "spec.all" must validate all the schemas (allOf)'),
                 ("spec.all.a", "FieldValueRequired", "Required value"),
             ))),
    )),
    Case("combined", "all-short", (
        Step("create", {"spec": {"all": {"a": "x"}}},
             expect=Answer(422, causes=(
                 ("<nil>", "FieldValueInvalid", 'Invalid value: "": "spec.all" must validate all the schemas (allOf)'),
                 ("spec.all.a", "FieldValueInvalid", 'Invalid value: "x": spec.all.a in body should be at least 2 chars long'),
             ))),
    )),
    Case("combined", "all-ok", (
        Step("create", {"spec": {"all": {"a": "xy"}}},
             expect=Answer(201, stored={"spec": {"all": {"a": "xy"}}}, generation=1)),
    )),
    Case("combined", "not-b", (
        Step("create", {"spec": {"not": {"b": "x"}}},
             expect=Answer(422, causes=(("<nil>", "FieldValueInvalid", 'Invalid value: "": "spec.not" must not validate the schema (not)'),))),
    )),
    Case("combined", "not-ok", (
        Step("create", {"spec": {"not": {"a": "x"}}},
             expect=Answer(201, stored={"spec": {"not": {"a": "x"}}}, generation=1)),
    )),
    Case("combined", "ios-int", (
        Step("create", {"spec": {"ios": 1}},
             expect=Answer(201, stored={"spec": {"ios": 1}}, generation=1)),
    )),
    Case("combined", "ios-str", (
        Step("create", {"spec": {"ios": "a"}},
             expect=Answer(201, stored={"spec": {"ios": "a"}}, generation=1)),
    )),
    Case("combined", "ios-float", (
        Step("create", {"spec": {"ios": 1.5}},
             expect=Answer(422, causes=(("spec.ios", "FieldValueTypeInvalid", 'Invalid value: "number": spec.ios in body must be of type integer,string: "number"'),))),
    )),
    Case("combined", "ios-bool", (
        Step("create", {"spec": {"ios": True}},
             expect=Answer(422, causes=(("spec.ios", "FieldValueTypeInvalid", 'Invalid value: "boolean": spec.ios in body must be of type integer,string: "boolean"'),))),
    )),
    Case("combined", "ios-list", (
        Step("create", {"spec": {"ios": [1]}},
             expect=Answer(422, causes=(("spec.ios", "FieldValueTypeInvalid", 'Invalid value: "array": spec.ios in body must be of type integer,string: "array"'),))),
    )),
    Case("combined", "ios2-bool", (
        Step("create", {"spec": {"ios2": True}},
             expect=Answer(422, causes=(
                 ("<nil>", "FieldValueInvalid", 'Invalid value: "": "spec.ios2" must validate at least one schema (anyOf)'),
                 ("spec.ios2", "FieldValueTypeInvalid", 'Invalid value: "boolean": spec.ios2 in body must be of type integer,string: "boolean"'),
                 ("spec.ios2", "FieldValueTypeInvalid", 'Invalid value: "boolean": spec.ios2 in body must be of type integer: "boolean"'),
             ))),
    )),
    Case("combined", "iosp-ok", (
        Step("create", {"spec": {"iosp": "10%"}},
             expect=Answer(201, stored={"spec": {"iosp": "10%"}}, generation=1)),
    )),
    Case("combined", "iosp-bad", (
        Step("create", {"spec": {"iosp": "x"}},
             expect=Answer(422, causes=(("spec.iosp", "FieldValueInvalid", 'Invalid value: "x": spec.iosp in body should match \'^[0-9]+%$\''),))),
    )),
    Case("combined", "iosp-int", (
        Step("create", {"spec": {"iosp": 50}},
             expect=Answer(422, causes=(("spec.iosp", "FieldValueInvalid", "Invalid value: 50: spec.iosp in body should be less than or equal to 10"),))),
    )),
    Case("combined", "str-any-bad", (
        Step("create", {"spec": {"str": "abc"}},
             expect=Answer(422, causes=(
                 ("<nil>", "FieldValueInvalid", 'Invalid value: "": "spec.str" must validate at least one schema (anyOf)'),
                 ("spec.str", "FieldValueTooLong", "Too long: may not be more than 2 bytes"),
             ))),
    )),
    Case("combined", "str-any-ok", (
        Step("create", {"spec": {"str": "xbc"}},
             expect=Answer(201, stored={"spec": {"str": "xbc"}}, generation=1)),
    )),
    Case("preserved", "kept", (
        Step("create", {"spec": {"known": 1, "zzz": {"a": [1]}, "free": {"q": 1, "r": {"s": 2}}}, "other": {"x": "a", "y": 1}},
             expect=Answer(201, stored={"other": {"x": "a"}, "spec": {"free": {"q": 1, "r": {"s": 2}}, "known": 1, "zzz": {"a": [1]}}}, generation=1)),
    )),
    Case("preserved", "nested-pruned", (
        Step("create", {"spec": {"nested": {"a": "x", "b": 1}, "lst": [{"a": "x", "c": 2}]}},
             expect=Answer(201, stored={"spec": {"lst": [{"a": "x"}], "nested": {"a": "x"}}}, generation=1)),
    )),
    Case("preserved", "typed-known", (
        Step("create", {"spec": {"known": "x", "zzz": 1}},
             expect=Answer(422, causes=(("spec.known", "FieldValueTypeInvalid", 'Invalid value: "string": spec.known in body must be of type integer: "string"'),))),
    )),
    Case("preserved", "strict", (
        Step("create", {"spec": {"nested": {"b": 1}, "lst": [{}, {"c": 2}], "zzz": 1}, "other": {"y": 1}, "top": 1}, query="?fieldValidation=Strict",
             expect=Answer(400, message='Preserved in version "v1" cannot be handled as a Preserved: strict decoding error: unknown field "other.y", unknown field "spec.lst[1].c", unknown field "spec.nested.b", unknown field "top"')),
    )),
    Case("rootfree", "kept", (
        Step("create", {"spec": {"a": 1, "b": 2}, "anything": {"x": 1}, "status": {"q": 1}},
             expect=Answer(201, stored={"anything": {"x": 1}, "spec": {"a": 1}, "status": {"q": 1}}, generation=1)),
    )),
    Case("rootfree", "typed", (
        Step("create", {"spec": {"a": "x"}, "more": []},
             expect=Answer(422, causes=(("spec.a", "FieldValueTypeInvalid", 'Invalid value: "string": spec.a in body must be of type integer: "string"'),))),
    )),
    Case("embedded", "valid", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "labels": {"a": "b"}}, "spec": {"a": "x", "b": 1}, "extra": 1}}},
             expect=Answer(201, stored={"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": {"a": "b"}, "name": "x"}, "spec": {"a": "x"}}}}, generation=1)),
    )),
    Case("embedded", "missing-type", (
        Step("create", {"spec": {"tmpl": {"spec": {}}}},
             expect=Answer(422, causes=(
                 ("spec.tmpl.apiVersion", "FieldValueRequired", "Required value"),
                 ("spec.tmpl.kind", "FieldValueRequired", "Required value"),
             ))),
    )),
    Case("embedded", "empty-type", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "", "kind": ""}}},
             expect=Answer(422, causes=(
                 ("spec.tmpl.apiVersion", "FieldValueInvalid", 'Invalid value: "": must not be empty'),
                 ("spec.tmpl.kind", "FieldValueInvalid", 'Invalid value: "": must not be empty'),
             ))),
    )),
    Case("embedded", "bad-apiversion", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "a/b/c", "kind": "Pod"}}},
             expect=Answer(422, causes=(("spec.tmpl.apiVersion", "FieldValueInvalid", 'Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c'),))),
    )),
    Case("embedded", "bad-kind", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "my_kind"}}},
             expect=Answer(422, causes=(("spec.tmpl.kind", "FieldValueInvalid", 'Invalid value: "my_kind": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')'),))),
    )),
    Case("embedded", "kind-number", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": 1}}},
             expect=Answer(400, message='Embedded in version "v1" cannot be handled as a Embedded: spec.tmpl.kind: Invalid value: 1: must be a string')),
    )),
    Case("embedded", "meta-unknown", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "zzz": 1, "creationTimestamp": None}}}},
             expect=Answer(201, stored={"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}}}}, generation=1)),
    )),
    Case("embedded", "meta-unknown-strict", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "zzz": 1}}}}, query="?fieldValidation=Strict",
             expect=Answer(400, message='Embedded in version "v1" cannot be handled as a Embedded: strict decoding error: unknown field "spec.tmpl.metadata.zzz"')),
    )),
    Case("embedded", "meta-bad-name", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a/b"}}}},
             expect=Answer(422, causes=(("spec.tmpl.metadata.name", "FieldValueInvalid", 'Invalid value: "a/b": may not contain \'/\''),))),
    )),
    Case("embedded", "meta-upper-name", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "Abc_D"}}}},
             expect=Answer(201, stored={"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "Abc_D"}}}}, generation=1)),
    )),
    Case("embedded", "meta-bad-label", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": {"a b": "c"}}}}},
             expect=Answer(422, causes=(("spec.tmpl.metadata.labels", "FieldValueInvalid", 'Invalid value: "a b": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')'),))),
    )),
    Case("embedded", "meta-labels-string", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": "x"}}}},
             expect=Answer(400, message='Embedded in version "v1" cannot be handled as a Embedded: spec.tmpl.metadata: Invalid value: {"labels":"x"}: json: cannot unmarshal string into Go struct field ObjectMeta.labels of type map[string]string')),
    )),
    Case("embedded", "meta-empty", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": {}, "annotations": {}, "generation": 0}}}},
             expect=Answer(201, stored={"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {}}}}, generation=1)),
    )),
    Case("embedded", "meta-namespace", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "n", "namespace": "Bad_NS", "generateName": "g-"}}}},
             expect=Answer(422, causes=(("spec.tmpl.metadata.namespace", "FieldValueInvalid", 'Invalid value: "Bad_NS": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character (e.g. \'my-name\',  or \'123-abc\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?\')'),))),
    )),
    Case("embedded", "free", (
        Step("create", {"spec": {"free": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "q": 1}, "spec": {"x": 1}}}},
             expect=Answer(201, stored={"spec": {"free": {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"x": 1}}}}, generation=1)),
    )),
    Case("embedded", "free-missing", (
        Step("create", {"spec": {"free": {"x": 1}}},
             expect=Answer(422, causes=(
                 ("spec.free.apiVersion", "FieldValueRequired", "Required value"),
                 ("spec.free.kind", "FieldValueRequired", "Required value"),
             ))),
    )),
    Case("embedded", "list", (
        Step("create", {"spec": {"list": [{"apiVersion": "v1", "kind": "ConfigMap", "data": {"a": "b"}}, {"kind": "X"}]}},
             expect=Answer(422, causes=(("spec.list[1].apiVersion", "FieldValueRequired", "Required value"),))),
    )),
    Case("embedded", "list-meta", (
        Step("create", {"spec": {"list": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "bogus": 2, "finalizers": ["x"]}}]}},
             expect=Answer(201, stored={"spec": {"list": [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"finalizers": ["x"], "name": "a"}}]}}, generation=1)),
    )),
    Case("listed", "set-dup", (
        Step("create", {"spec": {"set": ["a", "a"]}},
             expect=Answer(422, causes=(("spec.set[1]", "FieldValueDuplicate", 'Duplicate value: "a"'),))),
    )),
    Case("listed", "set-dups", (
        Step("create", {"spec": {"set": ["a", "b", "a", "a", "b"]}},
             expect=Answer(422, causes=(
                 ("spec.set[2]", "FieldValueDuplicate", 'Duplicate value: "a"'),
                 ("spec.set[4]", "FieldValueDuplicate", 'Duplicate value: "b"'),
             ))),
    )),
    Case("listed", "iset-dup", (
        Step("create", {"spec": {"iset": [1, 2, 1]}},
             expect=Answer(422, causes=(("spec.iset[2]", "FieldValueDuplicate", "Duplicate value: 1"),))),
    )),
    Case("listed", "map-dup", (
        Step("create", {"spec": {"map": [{"name": "a", "v": 1}, {"name": "a", "v": 2}]}},
             expect=Answer(422, causes=(("spec.map[1]", "FieldValueDuplicate", 'Duplicate value: {"name":"a"}'),))),
    )),
    Case("listed", "map-ok", (
        Step("create", {"spec": {"map": [{"name": "a"}, {"name": "b"}]}},
             expect=Answer(201, stored={"spec": {"map": [{"name": "a"}, {"name": "b"}]}}, generation=1)),
    )),
    Case("listed", "map-missing-key", (
        Step("create", {"spec": {"map": [{"v": 1}, {"v": 2}]}},
             expect=Answer(422, causes=(
                 ("spec.map[0].name", "FieldValueRequired", "Required value"),
                 ("spec.map[1]", "FieldValueDuplicate", "Duplicate value: {}"),
                 ("spec.map[1].name", "FieldValueRequired", "Required value"),
             ))),
    )),
    Case("listed", "map2-dup-default", (
        Step("create", {"spec": {"map2": [{"name": "a"}, {"name": "a", "port": 80}]}},
             expect=Answer(422, causes=(("spec.map2[1]", "FieldValueDuplicate", 'Duplicate value: {"name":"a","port":80}'),))),
    )),
    Case("listed", "map2-ok", (
        Step("create", {"spec": {"map2": [{"name": "a"}, {"name": "a", "port": 81}]}},
             expect=Answer(201, stored={"spec": {"map2": [{"name": "a", "port": 80}, {"name": "a", "port": 81}]}}, generation=1)),
    )),
    Case("listed", "atomic-dup", (
        Step("create", {"spec": {"atomic": ["a", "a"]}},
             expect=Answer(201, stored={"spec": {"atomic": ["a", "a"]}}, generation=1)),
    )),
    Case("listed", "nested-set", (
        Step("create", {"spec": {"nested": {"set": ["x", "x"]}}},
             expect=Answer(422, causes=(("spec.nested.set[1]", "FieldValueDuplicate", 'Duplicate value: "x"'),))),
    )),
    Case("listed", "amap-set", (
        Step("create", {"spec": {"amap": {"k": ["x", "x"]}}},
             expect=Answer(422, causes=(("spec.amap[k][1]", "FieldValueDuplicate", 'Duplicate value: "x"'),))),
    )),
    Case("listed", "mapt", (
        Step("create", {"spec": {"mapt": {"a": "b"}}},
             expect=Answer(201, stored={"spec": {"mapt": {"a": "b"}}}, generation=1)),
    )),
    Case("listed", "map-not-object", (
        Step("create", {"spec": {"map": ["a", {"name": "b"}]}},
             expect=Answer(422, causes=(
                 ("spec.map[0]", "FieldValueInvalid", 'Invalid value: "a": must be an object for an array of list-type map'),
                 ("spec.map[0]", "FieldValueTypeInvalid", 'Invalid value: "string": spec.map[0] in body must be of type object: "string"'),
             ))),
    )),
    Case("listed", "update-dup", (
        Step("create", {"spec": {"set": ["a"]}},
             expect=Answer(201, stored={"spec": {"set": ["a"]}}, generation=1)),
        Step("update", {"spec": {"set": ["a", "a"]}},
             expect=Answer(422, causes=(("spec.set[1]", "FieldValueDuplicate", 'Duplicate value: "a"'),))),
    )),
    Case("metaed", "short-name", (
        Step("create", {"spec": {"a": "x"}},
             expect=Answer(201, stored={"spec": {"a": "x"}}, generation=1)),
    ), object_name="abc"),
    Case("metaed", "long-name", (
        Step("create", {"spec": {"a": "x"}},
             expect=Answer(422, causes=(("metadata.name", "FieldValueTooLong", "Too long: may not be more than 5 bytes"),))),
    ), object_name="abcdefgh"),
    Case("metaed", "spec-props", (
        Step("create", {"spec": {"a": "x", "zzz": 1}},
             expect=Answer(201, stored={"spec": {"a": "x"}}, generation=1)),
    ), object_name="sp"),
    Case("statused", "create-drops-status", (
        Step("create", {"spec": {}, "status": {"phase": "A"}},
             expect=Answer(201, stored={"spec": {"replicas": 1}}, generation=1)),
    )),
    Case("statused", "status-write", (
        Step("create", {"spec": {}},
             expect=Answer(201, stored={"spec": {"replicas": 1}}, generation=1)),
        Step("status", {"status": {"phase": "A", "zzz": 1}},
             expect=Answer(200, stored={"spec": {"replicas": 1}, "status": {"count": 0, "phase": "A"}}, generation=1)),
    )),
    Case("statused", "status-invalid", (
        Step("create", {"spec": {}},
             expect=Answer(201, stored={"spec": {"replicas": 1}}, generation=1)),
        Step("status", {"status": {"phase": "C", "count": "x"}},
             expect=Answer(422, causes=(
                 ("status.count", "FieldValueTypeInvalid", 'Invalid value: "string": count in body must be of type integer: "string"'),
                 ("status.phase", "FieldValueNotSupported", 'Unsupported value: "C": supported values: "A", "B"'),
             ))),
    )),
    Case("statused", "status-conds-dup", (
        Step("create", {"spec": {}},
             expect=Answer(201, stored={"spec": {"replicas": 1}}, generation=1)),
        Step("status", {"status": {"conds": [{"type": "a"}, {"type": "a"}]}},
             expect=Answer(422, causes=(("status.conds[1]", "FieldValueDuplicate", 'Duplicate value: {"type":"a"}'),))),
    )),
    Case("statused", "status-then-spec", (
        Step("create", {"spec": {}},
             expect=Answer(201, stored={"spec": {"replicas": 1}}, generation=1)),
        Step("status", {"status": {"phase": "B"}},
             expect=Answer(200, stored={"spec": {"replicas": 1}, "status": {"count": 0, "phase": "B"}}, generation=1)),
        Step("update", {"spec": {"s": "x"}, "status": {"phase": "C"}},
             expect=Answer(200, stored={"spec": {"replicas": 1, "s": "x"}, "status": {"count": 0, "phase": "B"}}, generation=2)),
    )),
    Case("statused", "spec-invalid", (
        Step("create", {"spec": {}},
             expect=Answer(201, stored={"spec": {"replicas": 1}}, generation=1)),
        Step("update", {"spec": {"s": 1}},
             expect=Answer(422, causes=(("spec.s", "FieldValueTypeInvalid", 'Invalid value: "integer": spec.s in body must be of type string: "integer"'),))),
    )),
    Case("statused", "status-missing", (
        Step("create", {"spec": {}},
             expect=Answer(201, stored={"spec": {"replicas": 1}}, generation=1)),
        Step("status", {"status": {"phase": "A"}},
             expect=Answer(200, stored={"spec": {"replicas": 1}, "status": {"count": 0, "phase": "A"}}, generation=1)),
        Step("status", {},
             expect=Answer(200, stored={"spec": {"replicas": 1}}, generation=1)),
    )),
    Case("ratcheted", "ratchet", (
        Step("create", {"spec": {"s": "toolong", "n": 9, "o": {"x": "b"}, "l": ["aa", "bb"]}},
             expect=Answer(201, stored={"spec": {"l": ["aa", "bb"], "n": 9, "o": {"x": "b"}, "s": "toolong"}}, generation=1)),
        Step("crd", {},
             expect=Answer(200)),
        Step("update", {"spec": {"s": "toolong", "n": 9, "o": {"x": "b"}, "l": ["aa", "bb"]}},
             expect=Answer(200, stored={"spec": {"l": ["aa", "bb"], "n": 9, "o": {"x": "b"}, "s": "toolong"}}, generation=1)),
        Step("update", {"spec": {"s": "toolong", "n": 1, "o": {"x": "b"}, "l": ["aa", "bb"]}},
             expect=Answer(200, stored={"spec": {"l": ["aa", "bb"], "n": 1, "o": {"x": "b"}, "s": "toolong"}}, generation=2)),
        Step("update", {"spec": {"s": "toolong2", "n": 9, "o": {"x": "c"}, "l": ["aa", "bb", "c"]}},
             expect=Answer(422, causes=(
                 ("spec.l", "FieldValueTooMany", "Too many: 3: must have at most 1 item"),
                 ("spec.l[0]", "FieldValueTooLong", "Too long: may not be more than 1 byte"),
                 ("spec.l[1]", "FieldValueTooLong", "Too long: may not be more than 1 byte"),
                 ("spec.n", "FieldValueInvalid", "Invalid value: 9: spec.n in body should be less than or equal to 5"),
                 ("spec.o.x", "FieldValueNotSupported", 'Unsupported value: "c": supported values: "a"'),
                 ("spec.s", "FieldValueTooLong", "Too long: may not be more than 3 bytes"),
             ))),
        Step("update", {"spec": {"s": "toolong", "n": 9, "o": {"x": "b"}, "l": ["aa"]}},
             expect=Answer(422, causes=(
                 ("spec.l[0]", "FieldValueTooLong", "Too long: may not be more than 1 byte"),
                 ("spec.n", "FieldValueInvalid", "Invalid value: 9: spec.n in body should be less than or equal to 5"),
             ))),
    )),
    Case("metaful", "owner-refs", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"ownerReferences": [{"apiVersion": "v1", "kind": "Event", "name": "e", "uid": "u", "bogus": 1}, {"apiVersion": "apps/v1", "kind": "", "name": "", "uid": "", "controller": True}, {"apiVersion": "a/b/c", "kind": "K", "name": "n", "uid": "u", "controller": True}]}}}},
             expect=Answer(422, causes=(
                 ("spec.tmpl.metadata.ownerReferences", "FieldValueInvalid", 'Invalid value: [{"apiVersion":"v1","kind":"Event","name":"e","uid":"u"},{"apiVersion":"apps/v1","kind":"","name":"","uid":"","controller":true},{"apiVersion":"a/b/c","kind":"K","name":"n","uid":"u","controller":true}]: Only one reference can have Controller set to true. Found "true" in references for / and K/n'),
                 ("spec.tmpl.metadata.ownerReferences", "FieldValueInvalid", 'Invalid value: {"apiVersion":"v1","kind":"Event","name":"e","uid":"u"}: /v1, Kind=Event is disallowed from being an owner'),
                 ("spec.tmpl.metadata.ownerReferences.apiVersion", "FieldValueInvalid", 'Invalid value: "a/b/c": version must not be empty'),
                 ("spec.tmpl.metadata.ownerReferences.kind", "FieldValueInvalid", 'Invalid value: "": must not be empty'),
                 ("spec.tmpl.metadata.ownerReferences.name", "FieldValueInvalid", 'Invalid value: "": must not be empty'),
                 ("spec.tmpl.metadata.ownerReferences.uid", "FieldValueInvalid", 'Invalid value: "": must not be empty'),
             ))),
    )),
    Case("metaful", "owner-refs-strict", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"ownerReferences": [{"bogus": 1}], "x": 2}}}}, query="?fieldValidation=Strict",
             expect=Answer(400, message='Metaful in version "v1" cannot be handled as a Metaful: strict decoding error: unknown field "spec.tmpl.metadata.ownerReferences[0].bogus", unknown field "spec.tmpl.metadata.x"')),
    )),
    Case("metaful", "finalizers", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"finalizers": ["orphan", "foregroundDeletion", "a b", "ok.io/x"]}}}},
             expect=Answer(422, causes=(
                 ("spec.tmpl.metadata.finalizers", "FieldValueInvalid", 'Invalid value: "a b": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')'),
                 ("spec.tmpl.metadata.finalizers", "FieldValueInvalid", 'Invalid value: ["orphan","foregroundDeletion","a b","ok.io/x"]: finalizer orphan and foregroundDeletion cannot be both set'),
             ))),
    )),
    Case("metaful", "annotations", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"annotations": {"Good": "x", "bad key": "y", "a/b/c": "z"}}}}},
             expect=Answer(422, causes=(
                 ("spec.tmpl.metadata.annotations", "FieldValueInvalid", 'Invalid value: "a/b/c": a valid label key must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\') with an optional DNS subdomain prefix and \'/\' (e.g. \'example.com/MyName\')'),
                 ("spec.tmpl.metadata.annotations", "FieldValueInvalid", 'Invalid value: "bad key": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')'),
             ))),
    )),
    Case("metaful", "generation", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"generation": -1, "deletionGracePeriodSeconds": 0}}}},
             expect=Answer(422, causes=(("spec.tmpl.metadata.generation", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0"),))),
    )),
    Case("metaful", "generation-float", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"generation": 1.5}}}},
             expect=Answer(400, message='Metaful in version "v1" cannot be handled as a Metaful: spec.tmpl.metadata: Invalid value: {"generation":1.5}: json: cannot unmarshal number 1.5 into Go struct field ObjectMeta.generation of type int64')),
    )),
    Case("metaful", "name-number", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": 5}}}},
             expect=Answer(400, message='Metaful in version "v1" cannot be handled as a Metaful: spec.tmpl.metadata: Invalid value: {"name":5}: json: cannot unmarshal number into Go struct field ObjectMeta.name of type string')),
    )),
    Case("metaful", "label-number", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": {"a": 1}}}}},
             expect=Answer(400, message='Metaful in version "v1" cannot be handled as a Metaful: spec.tmpl.metadata: Invalid value: {"labels":{"a":1}}: json: cannot unmarshal number into Go struct field ObjectMeta.labels of type string')),
    )),
    Case("metaful", "finalizer-number", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"finalizers": [1]}}}},
             expect=Answer(400, message='Metaful in version "v1" cannot be handled as a Metaful: spec.tmpl.metadata: Invalid value: {"finalizers":[1]}: json: cannot unmarshal number into Go struct field ObjectMeta.finalizers of type string')),
    )),
    Case("metaful", "meta-string", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": "x"}}},
             expect=Answer(400, message='Metaful in version "v1" cannot be handled as a Metaful: spec.tmpl.metadata: Invalid value: "x": json: cannot unmarshal string into Go value of type v1.ObjectMeta')),
    )),
    Case("metaful", "meta-null", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": None}}},
             expect=Answer(201, stored={"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {}}}}, generation=1)),
    )),
    Case("metaful", "timestamps", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"creationTimestamp": "2024-01-02T03:04:05.678+02:00", "deletionTimestamp": "2024-05-06T07:08:09Z"}}}},
             expect=Answer(201, stored={"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"creationTimestamp": "2024-01-02T01:04:05Z", "deletionTimestamp": "2024-05-06T07:08:09Z"}}}}, generation=1)),
    )),
    Case("metaful", "timestamp-bad", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"creationTimestamp": "yesterday"}}}},
             expect=Answer(400, message='Metaful in version "v1" cannot be handled as a Metaful: spec.tmpl.metadata: Invalid value: {"creationTimestamp":"yesterday"}: parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"')),
    )),
    Case("metaful", "timestamp-number", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"creationTimestamp": 5}}}},
             expect=Answer(400, message='Metaful in version "v1" cannot be handled as a Metaful: spec.tmpl.metadata: Invalid value: {"creationTimestamp":5}: json: cannot unmarshal number into Go struct field ObjectMeta.creationTimestamp of type string')),
    )),
    Case("metaful", "name-dots", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "..", "generateName": "a%b"}}}},
             expect=Answer(422, causes=(
                 ("spec.tmpl.metadata.generateName", "FieldValueInvalid", 'Invalid value: "a%b": may not contain \'%\''),
                 ("spec.tmpl.metadata.name", "FieldValueInvalid", 'Invalid value: "..": may not be \'..\''),
             ))),
    )),
    Case("metaful", "kind-long", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK"}}},
             expect=Answer(422, causes=(("spec.tmpl.kind", "FieldValueInvalid", 'Invalid value: "KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK": may have mixed case, but should otherwise match: must be no more than 63 characters'),))),
    )),
    Case("metaful", "kind-dash", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "My-Kind"}}},
             expect=Answer(201, stored={"spec": {"tmpl": {"apiVersion": "v1", "kind": "My-Kind"}}}, generation=1)),
    )),
    Case("metaful", "apiversion-number", (
        Step("create", {"spec": {"tmpl": {"apiVersion": 1, "kind": "Pod"}}},
             expect=Answer(400, message='Metaful in version "v1" cannot be handled as a Metaful: spec.tmpl.apiVersion: Invalid value: 1: must be a string')),
    )),
    Case("metaful", "items", (
        Step("create", {"spec": {"items": [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "uid": "x", "q": 1}}, {"apiVersion": "v1"}]}},
             expect=Answer(422, causes=(("spec.items[1].kind", "FieldValueRequired", "Required value"),))),
    )),
    Case("metaful", "items-strict", (
        Step("create", {"spec": {"items": [{"apiVersion": "v1", "kind": "Pod", "metadata": {"q": 1}}, {"apiVersion": "v1", "kind": "Pod", "metadata": {"r": 1}}]}}, query="?fieldValidation=Strict",
             expect=Answer(400, message='Metaful in version "v1" cannot be handled as a Metaful: strict decoding error: unknown field "spec.items[0].metadata.q", unknown field "spec.items[1].metadata.r"')),
    )),
    Case("metaful", "byname", (
        Step("create", {"spec": {"byname": {"one": {"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": {"-x": "y"}}}, "two": {"kind": "Pod"}}}},
             expect=Answer(422, causes=(
                 ("spec.byname[one].metadata.labels", "FieldValueInvalid", 'Invalid value: "-x": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')'),
                 ("spec.byname[two].apiVersion", "FieldValueRequired", "Required value"),
             ))),
    )),
    Case("metaful", "byname-strict", (
        Step("create", {"spec": {"byname": {"one": {"apiVersion": "v1", "kind": "Pod", "metadata": {"zz": 1}}}}}, query="?fieldValidation=Strict",
             expect=Answer(400, message='Metaful in version "v1" cannot be handled as a Metaful: strict decoding error: unknown field "spec.byname[one].metadata.zz"')),
    )),
    Case("metaful", "byname-kind", (
        Step("create", {"spec": {"byname": {"one": {"apiVersion": "v1", "kind": True}}}},
             expect=Answer(400, message='Metaful in version "v1" cannot be handled as a Metaful: spec.byname[one].kind: Invalid value: true: must be a string')),
    )),
    Case("metaful", "managed-fields", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"managedFields": [{"manager": "m", "operation": "Apply", "fieldsType": "FieldsV1", "fieldsV1": {"f:a": {}}, "time": "2024-01-01T00:00:00Z", "x": 1}]}}}},
             expect=Answer(201, stored={"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"managedFields": [{"fieldsType": "FieldsV1", "fieldsV1": {"f:a": {}}, "manager": "m", "operation": "Apply", "time": "2024-01-01T00:00:00Z"}]}}}}, generation=1)),
    )),
    Case("metaful", "update-meta", (
        Step("create", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}}}},
             expect=Answer(201, stored={"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}}}}, generation=1)),
        Step("update", {"spec": {"tmpl": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a/b"}}}},
             expect=Answer(422, causes=(("spec.tmpl.metadata.name", "FieldValueInvalid", 'Invalid value: "a/b": may not contain \'/\''),))),
    )),
    Case("scaled", "ok", (
        Step("create", {"spec": {"replicas": 3}},
             expect=Answer(201, stored={"spec": {"replicas": 3}}, generation=1)),
    )),
    Case("scaled", "negative", (
        Step("create", {"spec": {"replicas": -1}},
             expect=Answer(422, causes=((".spec.replicas", "FieldValueInvalid", "Invalid value: -1: should be a non-negative integer"),))),
    )),
    Case("scaled", "too-big", (
        Step("create", {"spec": {"replicas": 2147483648}},
             expect=Answer(422, causes=((".spec.replicas", "FieldValueInvalid", "Invalid value: 2147483648: should be less than or equal to 2147483647"),))),
    )),
    Case("scaled", "float", (
        Step("create", {"spec": {"replicas": 1.5}},
             expect=Answer(422, causes=(
                 (".spec.replicas", "FieldValueInvalid", "Invalid value: 0: .spec.replicas accessor error: 1.5 is of the type float64, expected int64"),
                 ("<nil>", "FieldValueInvalid", 'Invalid value: "": Checked value must be of type integer (default format) in spec.replicas'),
                 ("spec.replicas", "FieldValueTypeInvalid", 'Invalid value: "number": spec.replicas in body must be of type integer: "number"'),
             ))),
    )),
    Case("scaled", "status-bad", (
        Step("create", {"spec": {}},
             expect=Answer(201, stored={"spec": {}}, generation=1)),
        Step("status", {"status": {"replicas": -2, "selector": "a=b"}},
             expect=Answer(422, causes=((".status.replicas", "FieldValueInvalid", "Invalid value: -2: should be a non-negative integer"),))),
    )),
    Case("scaled", "status-ok", (
        Step("create", {"spec": {"replicas": 1}},
             expect=Answer(201, stored={"spec": {"replicas": 1}}, generation=1)),
        Step("status", {"status": {"replicas": 2, "selector": "a=b"}},
             expect=Answer(200, stored={"spec": {"replicas": 1}, "status": {"replicas": 2, "selector": "a=b"}}, generation=1)),
    )),
    Case("scaled", "update-negative", (
        Step("create", {"spec": {"replicas": 1}},
             expect=Answer(201, stored={"spec": {"replicas": 1}}, generation=1)),
        Step("update", {"spec": {"replicas": -5}},
             expect=Answer(422, causes=((".spec.replicas", "FieldValueInvalid", "Invalid value: -5: should be a non-negative integer"),))),
    )),
    Case("quirky", "imax-1", (
        Step("create", {"spec": {"imax": 1}},
             expect=Answer(422, causes=(("<nil>", "FieldValueInvalid", 'Invalid value: "": Maximum boundary value must be of type integer (default format) in spec.imax'),))),
    )),
    Case("quirky", "imax-2", (
        Step("create", {"spec": {"imax": 2}},
             expect=Answer(422, causes=(
                 ("<nil>", "FieldValueInvalid", 'Invalid value: "": Maximum boundary value must be of type integer (default format) in spec.imax'),
                 ("spec.imax", "FieldValueInvalid", "Invalid value: 2: spec.imax in body should be less than or equal to 1.5"),
             ))),
    )),
    Case("quirky", "imult", (
        Step("create", {"spec": {"imult": 4}},
             expect=Answer(422, causes=(("<nil>", "FieldValueInvalid", 'Invalid value: "": MultipleOf value must be of type integer (default format) in spec.imult'),))),
    )),
    Case("quirky", "fmult-ok", (
        Step("create", {"spec": {"fmult": 0.3}},
             expect=Answer(201, stored={"spec": {"fmult": 0.3}}, generation=1)),
    )),
    Case("quirky", "fmult-bad", (
        Step("create", {"spec": {"fmult": 0.35}},
             expect=Answer(422, causes=(("spec.fmult", "FieldValueInvalid", "Invalid value: 0.35: spec.fmult in body should be a multiple of 0.1"),))),
    )),
    Case("quirky", "nmin-int-0", (
        Step("create", {"spec": {"nmin": 0}},
             expect=Answer(201, stored={"spec": {"nmin": 0}}, generation=1)),
    )),
    Case("quirky", "nmin-float", (
        Step("create", {"spec": {"nmin": 0.25}},
             expect=Answer(422, causes=(("spec.nmin", "FieldValueInvalid", "Invalid value: 0.25: spec.nmin in body should be greater than or equal to 0.5"),))),
    )),
    Case("quirky", "nenum-null", (
        Step("create", {"spec": {"nenum": None}},
             expect=Answer(422, causes=(("spec.nenum", "FieldValueNotSupported", 'Unsupported value: null: supported values: "a", "b"'),))),
    )),
    Case("quirky", "nenum-c", (
        Step("create", {"spec": {"nenum": "c"}},
             expect=Answer(422, causes=(("spec.nenum", "FieldValueNotSupported", 'Unsupported value: "c": supported values: "a", "b"'),))),
    )),
    Case("quirky", "ienum-ok", (
        Step("create", {"spec": {"ienum": 2.5}},
             expect=Answer(201, stored={"spec": {"ienum": 2.5}}, generation=1)),
    )),
    Case("quirky", "ienum-int", (
        Step("create", {"spec": {"ienum": 1}},
             expect=Answer(201, stored={"spec": {"ienum": 1}}, generation=1)),
    )),
    Case("quirky", "ienum-bad", (
        Step("create", {"spec": {"ienum": 3}},
             expect=Answer(422, causes=(("spec.ienum", "FieldValueNotSupported", 'Unsupported value: 3: supported values: "1", "2.5"'),))),
    )),
    Case("quirky", "benum", (
        Step("create", {"spec": {"benum": False}},
             expect=Answer(422, causes=(("spec.benum", "FieldValueNotSupported", 'Unsupported value: false: supported values: "true"'),))),
    )),
    Case("quirky", "oenum-ok", (
        Step("create", {"spec": {"oenum": {"a": "x"}}},
             expect=Answer(201, stored={"spec": {"oenum": {"a": "x"}}}, generation=1)),
    )),
    Case("quirky", "oenum-bad", (
        Step("create", {"spec": {"oenum": {"a": "y"}}},
             expect=Answer(422, causes=(("spec.oenum", "FieldValueNotSupported", 'Unsupported value: {"a":"y"}: supported values: "{\\"a\\":\\"x\\"}"'),))),
    )),
    Case("quirky", "nitems", (
        Step("create", {"spec": {"nitems": ["a", None]}},
             expect=Answer(201, stored={"spec": {"nitems": ["a", None]}}, generation=1)),
    )),
    Case("quirky", "ditems", (
        Step("create", {"spec": {"ditems": [None, {}, {"a": "q"}]}},
             expect=Answer(201, stored={"spec": {"ditems": [{"a": "d"}, {"a": "z"}, {"a": "q"}]}}, generation=1)),
    )),
    Case("quirky", "ios-enum-ok", (
        Step("create", {"spec": {"ios": "a"}},
             expect=Answer(201, stored={"spec": {"ios": "a"}}, generation=1)),
    )),
    Case("quirky", "ios-enum-bad", (
        Step("create", {"spec": {"ios": 2}},
             expect=Answer(422, causes=(("spec.ios", "FieldValueNotSupported", 'Unsupported value: 2: supported values: "1", "a"'),))),
    )),
    Case("quirky", "ios-enum-str", (
        Step("create", {"spec": {"ios": "1"}},
             expect=Answer(422, causes=(("spec.ios", "FieldValueNotSupported", 'Unsupported value: "1": supported values: "1", "a"'),))),
    )),
    Case("quirky", "iosf-int", (
        Step("create", {"spec": {"iosf": 5}},
             expect=Answer(201, stored={"spec": {"iosf": 5}}, generation=1)),
    )),
    Case("quirky", "iosf-str", (
        Step("create", {"spec": {"iosf": "x"}},
             expect=Answer(201, stored={"spec": {"iosf": "x"}}, generation=1)),
    )),
    Case("quirky", "big-float", (
        Step("create", {"spec": {"big": 1e+20}},
             expect=Answer(422, causes=(
                 ("<nil>", "FieldValueInvalid", 'Invalid value: "": Checked value must be of type integer (default format) in spec.big'),
                 ("spec.big", "FieldValueTypeInvalid", 'Invalid value: "number": spec.big in body must be of type integer: "number"'),
             ))),
    )),
    Case("quirky", "strlen-long", (
        Step("create", {"spec": {"strlen": "abcdef"}},
             expect=Answer(422, causes=(("spec.strlen", "FieldValueTooLong", "Too long: may not be more than 3 bytes"),))),
    )),
    Case("quirky", "strlen-short-pattern", (
        Step("create", {"spec": {"strlen": "a"}},
             expect=Answer(422, causes=(("spec.strlen", "FieldValueInvalid", 'Invalid value: "a": spec.strlen in body should be at least 2 chars long'),))),
    )),
    Case("quirky", "any2-both-bad", (
        Step("create", {"spec": {"any2": {"a": 1, "b": "long"}}},
             expect=Answer(422, causes=(
                 ("<nil>", "FieldValueInvalid", 'Invalid value: "": "spec.any2" must validate at least one schema (anyOf)'),
                 ("spec.any2.a", "FieldValueInvalid", "Invalid value: 1: spec.any2.a in body should be greater than or equal to 5"),
             ))),
    )),
    Case("quirky", "any2-empty", (
        Step("create", {"spec": {"any2": {}}},
             expect=Answer(422, causes=(
                 ("<nil>", "FieldValueInvalid", 'Invalid value: "": "spec.any2" must validate at least one schema (anyOf)'),
                 ("spec.any2.a", "FieldValueRequired", "Required value"),
             ))),
    )),
    Case("quirky", "any2-b-only-bad", (
        Step("create", {"spec": {"any2": {"b": "long"}}},
             expect=Answer(422, causes=(
                 ("<nil>", "FieldValueInvalid", 'Invalid value: "": "spec.any2" must validate at least one schema (anyOf)'),
                 ("spec.any2.b", "FieldValueTooLong", "Too long: may not be more than 1 byte"),
             ))),
    )),
    Case("quirky", "all2", (
        Step("create", {"spec": {"all2": {}}},
             expect=Answer(422, causes=(
                 ("<nil>", "FieldValueInvalid", 'Invalid value: "": "spec.all2" must validate all the schemas (allOf)'),
                 ("spec.all2.a", "FieldValueRequired", "Required value"),
             ))),
    )),
    Case("quirky", "all2-max", (
        Step("create", {"spec": {"all2": {"a": 3}}},
             expect=Answer(422, causes=(
                 ("<nil>", "FieldValueInvalid", 'Invalid value: "": "spec.all2" must validate all the schemas (allOf)'),
                 ("spec.all2.a", "FieldValueInvalid", "Invalid value: 3: spec.all2.a in body should be less than or equal to 1"),
             ))),
    )),
    Case("quirky", "one2-none", (
        Step("create", {"spec": {"one2": {"a": 1, "b": "xx"}}},
             expect=Answer(422, causes=(
                 ("<nil>", "FieldValueInvalid", 'Invalid value: "": "spec.one2" must validate one and only one schema (oneOf). Found none valid'),
                 ("spec.one2.a", "FieldValueInvalid", "Invalid value: 1: spec.one2.a in body should be greater than or equal to 5"),
             ))),
    )),
    Case("quirky", "one2-both", (
        Step("create", {"spec": {"one2": {}}},
             expect=Answer(422, causes=(("<nil>", "FieldValueInvalid", 'Invalid value: "": "spec.one2" must validate one and only one schema (oneOf). Found 2 valid alternatives'),))),
    )),
    Case("quirky", "notp", (
        Step("create", {"spec": {"notp": "badly"}},
             expect=Answer(422, causes=(("<nil>", "FieldValueInvalid", 'Invalid value: "": "spec.notp" must not validate the schema (not)'),))),
    )),
    Case("quirky", "mapmin", (
        Step("create", {"spec": {"mapmin": {"a": 1}}},
             expect=Answer(422, causes=(("spec.mapmin", "FieldValueInvalid", "Invalid value: 1: spec.mapmin in body should have at least 2 properties"),))),
    )),
    Case("quirky", "mapmin-type", (
        Step("create", {"spec": {"mapmin": {"a": "x", "b": 2}}},
             expect=Answer(422, causes=(("spec.mapmin.a", "FieldValueTypeInvalid", 'Invalid value: "string": spec.mapmin.a in body must be of type integer: "string"'),))),
    )),
    Case("quirky", "many-paths", (
        Step("create", {"spec": {"imax": "x", "nitems": [1], "oenum": [], "mapmin": []}},
             expect=Answer(422, causes=(
                 ("spec.imax", "FieldValueTypeInvalid", 'Invalid value: "string": spec.imax in body must be of type integer: "string"'),
                 ("spec.mapmin", "FieldValueTypeInvalid", 'Invalid value: "array": spec.mapmin in body must be of type object: "array"'),
                 ("spec.nitems[0]", "FieldValueTypeInvalid", 'Invalid value: "integer": spec.nitems[0] in body must be of type string: "integer"'),
                 ("spec.oenum", "FieldValueNotSupported", 'Unsupported value: []: supported values: "{\\"a\\":\\"x\\"}"'),
                 ("spec.oenum", "FieldValueTypeInvalid", 'Invalid value: "array": spec.oenum in body must be of type object: "array"'),
             ))),
    )),
    Case("formats2", "valid", (
        Step("create", {"spec": {"uuid3": "a3bb189e-8bf9-3888-9912-ace4e6543002", "uuid4": "f47ac10b-58cc-4372-a567-0e02b2c3d479", "uuid5": "886313e1-3b8a-5372-9b90-0c9aee199e5d", "isbn": "978-0321751041", "isbn10": "0321751043", "isbn13": "9780321751041", "creditcard": "4111 1111 1111 1111", "ssn": "123-45-6789", "rgbcolor": "rgb(1, 2, 255)", "password": "x", "bsonobjectid": "507f1f77bcf86cd799439011", "date-time": "2024-01-02t03:04:05.5+01:00", "ipv4": "010.001.0.1", "ipv6": "::ffff:1.2.3.4", "cidr": "fd00::/8", "mac": "00-1a-2b-3c-4d-5e", "email": "Joe <joe@x.org>", "uri": "mailto:a@b", "duration": "1h30m", "hostname": "a.b-c.dev", "byte": ""}},
             expect=Answer(422, causes=(("spec.byte", "FieldValueTypeInvalid", 'Invalid value: "": spec.byte in body must be of type byte: ""'),))),
    )),
    Case("formats2", "invalid", (
        Step("create", {"spec": {"uuid3": "f47ac10b-58cc-4372-a567-0e02b2c3d479", "uuid4": "a3bb189e-8bf9-3888-9912-ace4e6543002", "uuid5": "nope", "isbn": "978-0321751042", "isbn10": "032175104X", "isbn13": "978032175104", "creditcard": "4111 1111 1111 1112", "ssn": "123456789", "rgbcolor": "rgb(256,0,0)", "bsonobjectid": "507f1f77bcf86cd79943901", "date-time": "2024-01-02T25:04:05Z", "ipv4": "::1", "ipv6": "1.2.3.4", "cidr": "10.0.0.0/33", "mac": "00:1a:2b:3c:4d", "email": "a@", "uri": "", "duration": "", "hostname": "a..b", "byte": "@@@@"}},
             expect=Answer(422, causes=(
                 ("spec.bsonobjectid", "FieldValueTypeInvalid", 'Invalid value: "507f1f77bcf86cd79943901": spec.bsonobjectid in body must be of type bsonobjectid: "507f1f77bcf86cd79943901"'),
                 ("spec.byte", "FieldValueTypeInvalid", 'Invalid value: "@@@@": spec.byte in body must be of type byte: "@@@@"'),
                 ("spec.cidr", "FieldValueTypeInvalid", 'Invalid value: "10.0.0.0/33": spec.cidr in body must be of type cidr: "10.0.0.0/33"'),
                 ("spec.creditcard", "FieldValueTypeInvalid", 'Invalid value: "4111 1111 1111 1112": spec.creditcard in body must be of type creditcard: "4111 1111 1111 1112"'),
                 ("spec.date-time", "FieldValueTypeInvalid", 'Invalid value: "2024-01-02T25:04:05Z": spec.date-time in body must be of type date-time: "2024-01-02T25:04:05Z"'),
                 ("spec.duration", "FieldValueTypeInvalid", 'Invalid value: "": spec.duration in body must be of type duration: ""'),
                 ("spec.email", "FieldValueTypeInvalid", 'Invalid value: "a@": spec.email in body must be of type email: "a@"'),
                 ("spec.hostname", "FieldValueTypeInvalid", 'Invalid value: "a..b": spec.hostname in body must be of type hostname: "a..b"'),
                 ("spec.ipv4", "FieldValueTypeInvalid", 'Invalid value: "::1": spec.ipv4 in body must be of type ipv4: "::1"'),
                 ("spec.ipv6", "FieldValueTypeInvalid", 'Invalid value: "1.2.3.4": spec.ipv6 in body must be of type ipv6: "1.2.3.4"'),
                 ("spec.isbn", "FieldValueTypeInvalid", 'Invalid value: "978-0321751042": spec.isbn in body must be of type isbn: "978-0321751042"'),
                 ("spec.isbn10", "FieldValueTypeInvalid", 'Invalid value: "032175104X": spec.isbn10 in body must be of type isbn10: "032175104X"'),
                 ("spec.isbn13", "FieldValueTypeInvalid", 'Invalid value: "978032175104": spec.isbn13 in body must be of type isbn13: "978032175104"'),
                 ("spec.mac", "FieldValueTypeInvalid", 'Invalid value: "00:1a:2b:3c:4d": spec.mac in body must be of type mac: "00:1a:2b:3c:4d"'),
                 ("spec.rgbcolor", "FieldValueTypeInvalid", 'Invalid value: "rgb(256,0,0)": spec.rgbcolor in body must be of type rgbcolor: "rgb(256,0,0)"'),
                 ("spec.ssn", "FieldValueTypeInvalid", 'Invalid value: "123456789": spec.ssn in body must be of type ssn: "123456789"'),
                 ("spec.uri", "FieldValueTypeInvalid", 'Invalid value: "": spec.uri in body must be of type uri: ""'),
                 ("spec.uuid3", "FieldValueTypeInvalid", 'Invalid value: "f47ac10b-58cc-4372-a567-0e02b2c3d479": spec.uuid3 in body must be of type uuid3: "f47ac10b-58cc-4372-a567-0e02b2c3d479"'),
                 ("spec.uuid4", "FieldValueTypeInvalid", 'Invalid value: "a3bb189e-8bf9-3888-9912-ace4e6543002": spec.uuid4 in body must be of type uuid4: "a3bb189e-8bf9-3888-9912-ace4e6543002"'),
                 ("spec.uuid5", "FieldValueTypeInvalid", 'Invalid value: "nope": spec.uuid5 in body must be of type uuid5: "nope"'),
             ))),
    )),
    Case("formats2", "edge", (
        Step("create", {"spec": {"date-time": "2024-02-30T00:00:00Z", "ipv4": "1.2.3.4.5", "cidr": "10.0.0.1/8", "mac": "0000.5e00.5301", "email": "a.b@c", "uri": "/just/a/path?q=1", "duration": "2 weeks", "hostname": "localhost", "byte": "aGk=", "ipv6": "fe80::1%eth0"}},
             expect=Answer(422, causes=(
                 ("spec.date-time", "FieldValueTypeInvalid", 'Invalid value: "2024-02-30T00:00:00Z": spec.date-time in body must be of type date-time: "2024-02-30T00:00:00Z"'),
                 ("spec.ipv4", "FieldValueTypeInvalid", 'Invalid value: "1.2.3.4.5": spec.ipv4 in body must be of type ipv4: "1.2.3.4.5"'),
                 ("spec.ipv6", "FieldValueTypeInvalid", 'Invalid value: "fe80::1%eth0": spec.ipv6 in body must be of type ipv6: "fe80::1%eth0"'),
             ))),
    )),
    Case("formats2", "edge2", (
        Step("create", {"spec": {"uri": "http://[::1]:80/x", "email": "<a@b>", "duration": "1.5h", "hostname": "-a.com", "cidr": "::/0", "ipv4": "1.2.3.256"}},
             expect=Answer(422, causes=(
                 ("spec.hostname", "FieldValueTypeInvalid", 'Invalid value: "-a.com": spec.hostname in body must be of type hostname: "-a.com"'),
                 ("spec.ipv4", "FieldValueTypeInvalid", 'Invalid value: "1.2.3.256": spec.ipv4 in body must be of type ipv4: "1.2.3.256"'),
             ))),
    )),
    Case("formats2", "edge3", (
        Step("create", {"spec": {"uri": "http://host:port/", "email": "a b@c", "duration": "5 parsecs", "hostname": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.com", "ipv6": "::"}},
             expect=Answer(422, causes=(
                 ("spec.duration", "FieldValueTypeInvalid", 'Invalid value: "5 parsecs": spec.duration in body must be of type duration: "5 parsecs"'),
                 ("spec.email", "FieldValueTypeInvalid", 'Invalid value: "a b@c": spec.email in body must be of type email: "a b@c"'),
                 ("spec.hostname", "FieldValueTypeInvalid", 'Invalid value: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.com": spec.hostname in body must be of type hostname: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.com"'),
                 ("spec.uri", "FieldValueTypeInvalid", 'Invalid value: "http://host:port/": spec.uri in body must be of type uri: "http://host:port/"'),
             ))),
    )),
    Case("ratchet2", "ratchet", (
        Step("create", {"spec": {"lm": [{"k": "a", "v": 5}, {"k": "b", "v": 6}], "m": {"x": "long", "y": "long"}, "set": ["aa", "bb"], "free": {"a": "long", "other": 1}}},
             expect=Answer(201, stored={"spec": {"free": {"a": "long", "other": 1}, "lm": [{"k": "a", "v": 5}, {"k": "b", "v": 6}], "m": {"x": "long", "y": "long"}, "set": ["aa", "bb"]}}, generation=1)),
        Step("status", {"status": {"s": "long"}},
             expect=Answer(200, stored={"spec": {"free": {"a": "long", "other": 1}, "lm": [{"k": "a", "v": 5}, {"k": "b", "v": 6}], "m": {"x": "long", "y": "long"}, "set": ["aa", "bb"]}, "status": {"s": "long"}}, generation=1)),
        Step("crd", {},
             expect=Answer(200)),
        Step("update", {"spec": {"lm": [{"k": "b", "v": 6}, {"k": "a", "v": 5}], "m": {"x": "long", "y": "long"}, "set": ["aa", "bb"], "free": {"a": "long", "other": 1}}},
             expect=Answer(200, stored={"spec": {"free": {"a": "long", "other": 1}, "lm": [{"k": "b", "v": 6}, {"k": "a", "v": 5}], "m": {"x": "long", "y": "long"}, "set": ["aa", "bb"]}, "status": {"s": "long"}}, generation=2)),
        Step("update", {"spec": {"lm": [{"k": "b", "v": 7}, {"k": "a", "v": 5}, {"k": "c", "v": 9}], "m": {"x": "long", "z": "long"}, "set": ["bb", "aa"], "free": {"a": "long", "other": 2}}},
             expect=Answer(422, causes=(
                 ("spec.lm[0].v", "FieldValueInvalid", "Invalid value: 7: spec.lm[0].v in body should be less than or equal to 1"),
                 ("spec.lm[2].v", "FieldValueInvalid", "Invalid value: 9: spec.lm[2].v in body should be less than or equal to 1"),
                 ("spec.m.z", "FieldValueTooLong", "Too long: may not be more than 1 byte"),
                 ("spec.set[0]", "FieldValueTooLong", "Too long: may not be more than 1 byte"),
                 ("spec.set[1]", "FieldValueTooLong", "Too long: may not be more than 1 byte"),
             ))),
        Step("status", {"status": {"s": "long"}},
             expect=Answer(200, stored={"spec": {"free": {"a": "long", "other": 1}, "lm": [{"k": "b", "v": 6}, {"k": "a", "v": 5}], "m": {"x": "long", "y": "long"}, "set": ["aa", "bb"]}, "status": {"s": "long"}}, generation=2)),
        Step("status", {"status": {"s": "longer"}},
             expect=Answer(422, causes=(("status.s", "FieldValueTooLong", "Too long: may not be more than 1 byte"),))),
    )),
    Case("rootreq", "missing", (
        Step("create", {"metadata": {"name": "r-missing"}},
             expect=Answer(422, causes=(
                 ("spec", "FieldValueRequired", "Required value"),
                 ("status", "FieldValueRequired", "Required value"),
             ))),
    ), object_name="r-missing"),
    Case("rootreq", "name-pattern", (
        Step("create", {"spec": {}, "status": {}},
             expect=Answer(422, causes=(("metadata.name", "FieldValueInvalid", 'Invalid value: "name-pattern": metadata.name in body should match \'^r\''),))),
    ), object_name="name-pattern"),
    Case("rootreq", "ok", (
        Step("create", {"metadata": {"name": "r-ok"}, "spec": {"a": "x"}, "status": {"b": "y"}},
             expect=Answer(201, stored={"spec": {"a": "x"}, "status": {"b": "y"}}, generation=1)),
    ), object_name="r-ok"),
    Case("rootreq", "generate-name", (
        Step("create", {"metadata": {"generateName": "rgen-"}, "spec": {}, "status": {}},
             expect=Answer(422, causes=(("metadata.generateName", "FieldValueTooLong", "Too long: may not be more than 3 bytes"),))),
    ), object_name=""),
    Case("typed", "patch-prune", (
        Step("create", {"spec": {"i": 1}},
             expect=Answer(201, stored={"spec": {"i": 1}}, generation=1)),
        Step("patch", {"spec": {"zzz": 1, "s": "x"}},
             expect=Answer(200, stored={"spec": {"i": 1, "s": "x"}}, generation=2)),
    )),
    Case("typed", "patch-invalid", (
        Step("create", {"spec": {"i": 1}},
             expect=Answer(201, stored={"spec": {"i": 1}}, generation=1)),
        Step("patch", {"spec": {"i": "x"}},
             expect=Answer(422, causes=(("spec.i", "FieldValueTypeInvalid", 'Invalid value: "string": spec.i in body must be of type integer: "string"'),))),
    )),
    Case("defaulted", "patch-null-default", (
        Step("create", {"spec": {"r": 3}},
             expect=Answer(201, stored={"spec": {"deep": {"x": {"y": 3}}, "lst": ["a"], "n": "nd", "o": {"a": "A"}, "r": 3, "s": "x"}}, generation=1)),
        Step("patch", {"spec": {"r": None}},
             expect=Answer(200, stored={"spec": {"deep": {"x": {"y": 3}}, "lst": ["a"], "n": "nd", "o": {"a": "A"}, "r": 1, "s": "x"}}, generation=2)),
    )),
    Case("listed", "patch-dup", (
        Step("create", {"spec": {"set": ["a"]}},
             expect=Answer(201, stored={"spec": {"set": ["a"]}}, generation=1)),
        Step("patch", {"spec": {"set": ["a", "a"]}},
             expect=Answer(422, causes=(("spec.set[1]", "FieldValueDuplicate", 'Duplicate value: "a"'),))),
    )),
    Case("shaped", "bare", (
        Step("create", {"spec": {"bare": {"a": 1, "b": {"c": 2}}}},
             expect=Answer(201, stored={"spec": {"bare": {}, "nobj": {"a": "w"}}}, generation=1)),
    )),
    Case("shaped", "bare-strict", (
        Step("create", {"spec": {"bare": {"a": 1, "kind": "x"}, "kind": "y"}}, query="?fieldValidation=Strict",
             expect=Answer(400, message='Shaped in version "v1" cannot be handled as a Shaped: strict decoding error: unknown field "spec.bare.a", unknown field "spec.bare.kind", unknown field "spec.kind"')),
    )),
    Case("shaped", "nobj-null", (
        Step("create", {"spec": {"nobj": None, "narr": None}},
             expect=Answer(201, stored={"spec": {"narr": None, "nobj": None}}, generation=1)),
    )),
    Case("shaped", "nobj-absent", (
        Step("create", {"spec": {}},
             expect=Answer(201, stored={"spec": {"nobj": {"a": "w"}}}, generation=1)),
    )),
    Case("shaped", "nobj-empty", (
        Step("create", {"spec": {"nobj": {}}},
             expect=Answer(201, stored={"spec": {"nobj": {"a": "q"}}}, generation=1)),
    )),
    Case("shaped", "lol", (
        Step("create", {"spec": {"lol": [[{"x": 1, "y": 2}], [{"x": "a"}, None]]}},
             expect=Answer(422, causes=(
                 ("spec.lol[1][0].x", "FieldValueTypeInvalid", 'Invalid value: "string": spec.lol[1][0].x in body must be of type integer: "string"'),
                 ("spec.lol[1][1]", "FieldValueTypeInvalid", 'Invalid value: "null": spec.lol[1][1] in body must be of type object: "null"'),
             ))),
    )),
    Case("shaped", "mlist", (
        Step("create", {"spec": {"mlist": {"k": [{}, {"d": 1, "e": 2}], "j": None}}},
             expect=Answer(201, stored={"spec": {"mlist": {"k": [{"d": 4}, {"d": 1}]}, "nobj": {"a": "w"}}}, generation=1)),
    )),
    Case("shaped", "mfree", (
        Step("create", {"spec": {"mfree": {"k": {"a": {"b": 1}}, "j": "str"}}},
             expect=Answer(422, causes=(("spec.mfree.j", "FieldValueTypeInvalid", 'Invalid value: "string": spec.mfree.j in body must be of type object: "string"'),))),
    )),
    Case("shaped", "iosmax", (
        Step("create", {"spec": {"iosmax": 5}},
             expect=Answer(422, causes=(("spec.iosmax", "FieldValueInvalid", "Invalid value: 5: spec.iosmax in body should be less than or equal to 3"),))),
    )),
    Case("shaped", "iosmax-str", (
        Step("create", {"spec": {"iosmax": "abc"}},
             expect=Answer(422, causes=(("spec.iosmax", "FieldValueTooLong", "Too long: may not be more than 2 bytes"),))),
    )),
    Case("shaped", "deepreq", (
        Step("create", {"spec": {"deepreq": {"a": {"b": {}}}}},
             expect=Answer(422, causes=(("spec.deepreq.a.b.c", "FieldValueRequired", "Required value"),))),
    )),
    Case("shaped", "deepreq2", (
        Step("create", {"spec": {"deepreq": {"a": {}}}},
             expect=Answer(422, causes=(("spec.deepreq.a.b", "FieldValueRequired", "Required value"),))),
    )),
    Case("shaped", "unicode-key", (
        Step("create", {"spec": {"mfree": {"ключ": 1}, "bare": {"é": 1}}}, query="?fieldValidation=Strict",
             expect=Answer(400, message='Shaped in version "v1" cannot be handled as a Shaped: strict decoding error: unknown field "spec.bare.é"')),
    )),
    Case("stsreq", "status-required", (
        Step("create", {"spec": {}},
             expect=Answer(201, stored={"spec": {}}, generation=1)),
        Step("status", {"status": {"n": 1}},
             expect=Answer(422, causes=(("status.ready", "FieldValueRequired", "Required value"),))),
    )),
    Case("stsreq", "status-anyof", (
        Step("create", {"spec": {}},
             expect=Answer(201, stored={"spec": {}}, generation=1)),
        Step("status", {"status": {}},
             expect=Answer(422, causes=(
                 ("status", "FieldValueInvalid", 'Invalid value: "": "" must validate at least one schema (anyOf)'),
                 ("status.n", "FieldValueRequired", "Required value"),
                 ("status.ready", "FieldValueRequired", "Required value"),
             ))),
    )),
    Case("stsreq", "status-type", (
        Step("create", {"spec": {}},
             expect=Answer(201, stored={"spec": {}}, generation=1)),
        Step("status", {"status": {"ready": "yes", "zz": 1}},
             expect=Answer(422, causes=(("status.ready", "FieldValueTypeInvalid", 'Invalid value: "string": ready in body must be of type boolean: "string"'),))),
    )),
    Case("stsreq", "status-ok", (
        Step("create", {"spec": {}},
             expect=Answer(201, stored={"spec": {}}, generation=1)),
        Step("status", {"status": {"ready": True}},
             expect=Answer(200, stored={"spec": {}, "status": {"ready": True}}, generation=1)),
        Step("update", {"spec": {"a": "x"}, "status": {"ready": 5}},
             expect=Answer(200, stored={"spec": {"a": "x"}, "status": {"ready": True}}, generation=2)),
    )),
    Case("stsdef", "create", (
        Step("create", {"spec": {}, "status": {"phase": "Old"}},
             expect=Answer(201, stored={"spec": {"a": "x"}, "status": {"phase": "New"}}, generation=1)),
    )),
    Case("stsdef", "update", (
        Step("create", {"spec": {}},
             expect=Answer(201, stored={"spec": {"a": "x"}, "status": {"phase": "New"}}, generation=1)),
        Step("update", {"spec": {"a": "y"}},
             expect=Answer(200, stored={"spec": {"a": "y"}, "status": {"phase": "New"}}, generation=2)),
    )),
    Case("stsdef", "status-write", (
        Step("create", {"spec": {}},
             expect=Answer(201, stored={"spec": {"a": "x"}, "status": {"phase": "New"}}, generation=1)),
        Step("status", {"status": {}},
             expect=Answer(200, stored={"spec": {"a": "x"}, "status": {"phase": "New"}}, generation=1)),
        Step("update", {"spec": {"a": "z"}},
             expect=Answer(200, stored={"spec": {"a": "z"}, "status": {"phase": "New"}}, generation=2)),
    )),
    Case("stsdef", "status-null", (
        Step("create", {"spec": {}},
             expect=Answer(201, stored={"spec": {"a": "x"}, "status": {"phase": "New"}}, generation=1)),
        Step("status", {"status": None},
             expect=Answer(200, stored={"spec": {"a": "x"}, "status": {"phase": "New"}}, generation=1)),
    )),
    Case("apbool", "closed", (
        Step("create", {"spec": {"closed": {"a": 1, "b": {"c": 2}}}},
             expect=Answer(422, causes=(
                 ("spec.closed", "FieldValueInvalid", 'Invalid value: "a": spec.closed.a in body is a forbidden property'),
                 ("spec.closed", "FieldValueInvalid", 'Invalid value: "b": spec.closed.b in body is a forbidden property'),
             ))),
    )),
    Case("apbool", "closed-empty", (
        Step("create", {"spec": {"closed": {}}},
             expect=Answer(201, stored={"spec": {"closed": {}}}, generation=1)),
    )),
    Case("apbool", "open", (
        Step("create", {"spec": {"open": {"a": 1, "b": {"c": 2}, "l": [{"x": 1}, 2]}, "openl": [{"a": {"b": 1}, "c": 3}]}},
             expect=Answer(201, stored={"spec": {"open": {"a": 1, "b": {}, "l": [{}, 2]}, "openl": [{"a": {}, "c": 3}]}}, generation=1)),
    )),
    Case("apbool", "open-strict", (
        Step("create", {"spec": {"open": {"a": 1, "b": {"c": 2}}, "closed": {"q": {"r": 1}}}}, query="?fieldValidation=Strict",
             expect=Answer(400, message='Apbool in version "v1" cannot be handled as a Apbool: strict decoding error: unknown field "spec.closed.q.r", unknown field "spec.open.b.c"')),
    )),
    Case("celed", "blocked", (
        Step("create", {"spec": {"a": 1}},
             expect=Answer(422, causes=(
                 ("<nil>", "FieldValueInvalid", "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"),
                 ("spec.a", "FieldValueTypeInvalid", 'Invalid value: "integer": spec.a in body must be of type string: "integer"'),
             ))),
    )),
    Case("celed", "blocked-embedded", (
        Step("create", {"spec": {"a": "y", "t": {"kind": "Pod"}}},
             expect=Answer(422, causes=(
                 ("<nil>", "FieldValueInvalid", "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"),
                 ("spec.t.apiVersion", "FieldValueRequired", "Required value"),
             ))),
    )),
    Case("celed", "not-blocking", (
        Step("create", {"spec": {"a": "y", "p": "q"}},
             expect=Answer(422, causes=(("spec.p", "FieldValueInvalid", 'Invalid value: "q": spec.p in body should match \'^p\''),))),
    )),
    Case("celed", "rule-holds", (
        Step("create", {"spec": {"a": "y"}},
             expect=Answer(201, stored={"spec": {"a": "y"}}, generation=1)),
    )),
    Case("celed", "rule-fails", (
        Step("create", {"spec": {"a": "x"}},
             expect=Answer(422, causes=(("spec", "FieldValueInvalid", "Invalid value: failed rule: self.a != 'x'"),))),
    )),
    Case("celed", "rule-and-kind", (
        Step("create", {"spec": {"a": "x", "t": {"apiVersion": "v1", "kind": "my_kind"}}},
             expect=Answer(422, causes=(
                 ("spec", "FieldValueInvalid", "Invalid value: failed rule: self.a != 'x'"),
                 ("spec.t.kind", "FieldValueInvalid", 'Invalid value: "my_kind": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')'),
             ))),
    )),
    Case("celed", "blocked-update", (
        Step("create", {"spec": {"a": "y"}},
             expect=Answer(201, stored={"spec": {"a": "y"}}, generation=1)),
        Step("update", {"spec": {"a": "y", "t": {"apiVersion": "v1"}}},
             expect=Answer(422, causes=(
                 ("<nil>", "FieldValueInvalid", "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation"),
                 ("spec.t.kind", "FieldValueRequired", "Required value"),
             ))),
    )),
]


# answers the reference gives differently for reasons outside schema.py and crd.py
KNOWN: dict[str, str] = {
    "celed/rule-fails": "schema.py: CEL rules (x-kubernetes-validations) are not evaluated",
    "celed/rule-and-kind": "schema.py: CEL rules (x-kubernetes-validations) are not evaluated",
}


# == running the table ==========================================================================


def crd_for(name: str, schema: Obj, subresources: Obj | None) -> Obj:
    version: Obj = {"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": schema}}
    if subresources:
        version["subresources"] = subresources
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{name}s.{GROUP}"},
        "spec": {"group": GROUP, "scope": "Namespaced", "names": {"plural": f"{name}s", "kind": name.capitalize()},
                 "versions": [version]},
    }


_INVALID = re.compile(r'^(\S+) "([^"]*)" is invalid')


def normalize(code: int, body: Any) -> Answer:
    if not isinstance(body, dict):
        return Answer(code, message=str(body))
    if body.get("kind") != "Status":
        meta = body.get("metadata") or {}
        stored = {k: v for k, v in body.items() if k not in ("apiVersion", "kind", "metadata")}
        return Answer(code, stored=stored, generation=meta.get("generation"))
    causes = [(c.get("field", ""), c.get("reason", ""), c.get("message", "")) for c in (body.get("details") or {}).get("causes") or []]
    message = body.get("message")
    m = _INVALID.match(message or "")
    if code == 422 and m and invalid_message(m.group(1), m.group(2), [
            {"field": f, "reason": r, "message": t} for f, r, t in causes]) == message:
        message = None
    return Answer(code, message=message, causes=tuple(sorted(causes)))


def run(send: Send, settle: Callable[[float], None], cases: Sequence[Case]) -> dict[str, list[Answer]]:
    """Create the cases' CRDs, send every step, delete the CRDs; the normalized answers by case."""
    used = sorted({c.crd for c in cases})
    for name in used:
        send("DELETE", f"{CRDS}/{name}s.{GROUP}")
    for name in used:
        for _ in range(60):
            if send("GET", f"{CRDS}/{name}s.{GROUP}")[0] == 404:
                break
            settle(1)
        code, body = send("POST", CRDS, crd_for(name, *SCHEMAS[name]))
        assert code == 201, (name, code, body)
    for name in used:
        for _ in range(100):
            if send("GET", f"/apis/{GROUP}/v1/namespaces/{NAMESPACE}/{name}s")[0] == 200:
                break
            settle(0.2)
    answers = {c.key: [_send_step(send, settle, c, step) for step in c.steps] for c in cases}
    for name in used:
        send("DELETE", f"{CRDS}/{name}s.{GROUP}")
    return answers


def _send_step(send: Send, settle: Callable[[float], None], case: Case, step: Step) -> Answer:
    plural = f"{case.crd}s"
    base = f"/apis/{GROUP}/v1/namespaces/{NAMESPACE}/{plural}"
    name = case.name if case.object_name is None else case.object_name
    if step.verb == "crd":
        _code, crd = send("GET", f"{CRDS}/{plural}.{GROUP}")
        crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"] = STRICTER[case.crd]
        code, _ = send("PUT", f"{CRDS}/{plural}.{GROUP}", crd)
        settle(3)  # until the CRD handler serves the new schema
        return Answer(code)
    body = {"apiVersion": f"{GROUP}/v1", "kind": case.crd.capitalize(), "metadata": {"name": name},
            **copy.deepcopy(step.body)}
    if not name:
        body["metadata"].pop("name", None)
    if step.verb == "create":
        return normalize(*send("POST", base + step.query, body))
    if step.verb == "patch":
        return normalize(*send("PATCH", f"{base}/{name}", step.body, "application/merge-patch+json"))
    _code, current = send("GET", f"{base}/{name}")
    body["metadata"]["resourceVersion"] = (current.get("metadata") or {}).get("resourceVersion", "1")
    return normalize(*send("PUT", f"{base}/{name}" + ("/status" if step.verb == "status" else "") + step.query, body))


class InProcess:
    """The reference's API server behind its HTTP front, called in process (no socket)."""

    def __init__(self) -> None:
        self.loop = EventLoop()
        self.api = APIServer(MemoryStore(), self.loop, SeededRandom(1))
        self.front = HttpApiServer(self.api)

    def send(self, method: str, target: str, body: Any = None, content_type: str = "application/json") -> tuple[int, Any]:
        split = urlsplit(target)
        data = b"" if body is None else json.dumps(body).encode()
        headers = {"accept": "application/json"}
        if body is not None:
            headers.update({"content-type": content_type, "content-length": str(len(data))})
        out = self.front._handle(Request(method, target, split.path, parse_qs(split.query, keep_blank_values=True),
                                         headers, data))
        self.loop.run_ready()
        assert isinstance(out, Response)
        try:
            return out.code, json.loads(out.body)
        except ValueError:
            return out.code, out.body.decode()

    def settle(self, seconds: float) -> None:
        self.loop.run_until(self.loop.now() + seconds)


@pytest.fixture(scope="module")
def reference_answers() -> dict[str, list[Answer]]:
    server = InProcess()
    return run(server.send, server.settle, CASES)


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, id=c.key, marks=[pytest.mark.xfail(reason=KNOWN[c.key], strict=True)] if c.key in KNOWN else [])
     for c in CASES],
)
def test_the_reference_answers_as_kube_apiserver(case: Case, reference_answers: dict[str, list[Answer]]) -> None:
    for step, got in zip(case.steps, reference_answers[case.key]):
        assert got == step.expect, (step.verb, step.body)


def test_the_table_is_large_and_keyed_uniquely() -> None:
    assert len({c.key for c in CASES}) == len(CASES)
    assert sum(len(c.steps) for c in CASES) >= 300
    assert {c.crd for c in CASES} <= set(SCHEMAS) and set(STRICTER) <= set(SCHEMAS)


# == units the table relies on ======================================================================


def test_prune_reports_unknown_paths_sorted_then_those_of_embedded_metadata() -> None:
    schema = SCHEMAS["metaful"][0]
    body = {"apiVersion": f"{GROUP}/v1", "kind": "Metaful", "metadata": {"name": "x"}, "zzz": 1,
            "spec": {"b": 1, "a": 2, "items": [{"apiVersion": "v1", "kind": "Pod", "metadata": {"q": 1, "name": "n"}}],
                     "byname": {"k": {"apiVersion": "v1", "kind": "Pod", "metadata": {"z": 1}}}}}
    assert _schema.prune(body, schema) == ["spec.a", "spec.b", "zzz", "spec.byname[k].metadata.z", "spec.items[0].metadata.q"]
    assert body["spec"]["items"][0]["metadata"] == {"name": "n"}


def test_go_renderings_of_numbers() -> None:
    # %v of a float64 (bad values, bounds) and json.Marshal (stored objects, composite bad values)
    assert [_schema._go_float(f) for f in (2.0, 1.5, 1e6, 123456.0, 1e-5, 1e21)] == \
        ["2", "1.5", "1e+06", "123456", "1e-05", "1e+21"]
    assert [_schema.go_json(f) for f in (2.0, 1e6, 1e-7, 1e21)] == ["2", "1000000", "1e-7", "1e+21"]
    assert _schema.go_json({"b": "<&>", "a": [1.0, None, True]}) == '{"a":[1,null,true],"b":"\\u003c\\u0026\\u003e"}'
