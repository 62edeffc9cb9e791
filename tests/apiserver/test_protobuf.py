"""Protobuf request bodies: :mod:`reference_impl.apiserver.protobuf` against real Go encodings, on
hostile input, and through the served API.

``protobuf_fixtures.json`` is written by ``tools/protoschema -fixtures``: each body is a real
object marshalled by the gogo code in the envelope the protobuf serializer writes, with the JSON
encoding/json gives for the object the Go serializer decodes back from that body.
"""

from __future__ import annotations

import base64
import json
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reference_impl.apiserver import protobuf
from reference_impl.apiserver.protobuf import MAGIC, MEDIA_TYPE, ProtobufError, decode
from tests.http.conftest import ServedEnv
from tests.simenv import SimEnv

FIXTURES: dict[str, dict[str, Any]] = {
    f["name"]: f for f in json.loads((Path(__file__).parent / "protobuf_fixtures.json").read_text())
}
BODIES = {name: base64.b64decode(f["body"]) for name, f in FIXTURES.items()}
PB = {"Content-Type": MEDIA_TYPE, "Accept": f"{MEDIA_TYPE}, */*"}  # what client-go sends


# -- a minimal encoder, for bodies Go would not write ---------------------------------------------
def varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(num: int, wire: int) -> bytes:
    return varint(num << 3 | wire)


def ld(num: int, payload: bytes | str) -> bytes:
    data = payload.encode() if isinstance(payload, str) else payload
    return key(num, 2) + varint(len(data)) + data


def vi(num: int, value: int) -> bytes:
    return key(num, 0) + varint(value)


def envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    type_meta = (ld(1, api_version) if api_version else b"") + (ld(2, kind) if kind else b"")
    return MAGIC + ld(1, type_meta) + ld(2, raw)


def configmap(*fields: bytes) -> bytes:
    return envelope("v1", "ConfigMap", b"".join(fields))


def map_entry(num: int, k: str, v: bytes) -> bytes:
    return ld(num, ld(1, k) + v)


# -- real Go encodings --------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_decodes_what_go_encodes_to_what_go_json_gives(name: str) -> None:
    assert decode(BODIES[name]) == FIXTURES[name]["json"]


def test_fixtures_cover_the_go_semantics_that_matter() -> None:
    """Pins what the fixtures show, so that a regenerated fixture that lost a case is noticed."""
    dep = FIXTURES["deployment"]["json"]["spec"]
    assert dep["replicas"] == 0  # a pointer present on the wire is kept when zero
    assert dep["strategy"]["rollingUpdate"] == {"maxUnavailable": 0, "maxSurge": "25%"}
    ports = FIXTURES["service"]["json"]["spec"]["ports"]
    assert [p["targetPort"] for p in ports] == [8080, "https", 0]  # a non-pointer IntOrString is never omitted
    pod = FIXTURES["pod"]["json"]
    assert pod["metadata"]["creationTimestamp"] == "2024-05-06T07:08:09Z"  # nanoseconds dropped
    assert pod["spec"]["containers"][0]["resources"]["requests"]["cpu"] == "100m"  # canonical, as Marshal wrote it
    assert pod["status"] == {}
    assert "creationTimestamp" not in FIXTURES["namespace"]["json"]["metadata"]  # omitzero
    assert FIXTURES["configmap"]["json"]["binaryData"] == {"bin": "AAEC/w=="}
    assert FIXTURES["lease"]["json"]["spec"]["renewTime"] == "2024-05-06T07:08:09.123456Z"
    assert FIXTURES["subjectaccessreview"]["json"]["spec"]["extra"] == {"none": [], "scopes": ["a", "b"]}
    props = FIXTURES["crd"]["json"]["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    assert props["properties"]["open"]["additionalProperties"] is True
    assert props["properties"]["closed"]["additionalProperties"] is False
    assert props["properties"]["labels"]["additionalProperties"] == {"type": "string"}
    assert props["properties"]["pairs"]["items"] == [{"type": "string"}, {"type": "integer"}]
    assert props["properties"]["blob"] == {"default": {"x": {"y": [1]}}, "x-kubernetes-preserve-unknown-fields": True}
    assert props["dependencies"] == {"mode": ["size"], "tags": {"required": ["mode"]}}


# -- wire rules the fixtures do not reach --------------------------------------------------------
def test_envelope_without_type_meta_takes_the_endpoints_kind() -> None:
    body = envelope("", "", ld(1, ld(1, "x")))
    assert decode(body, default_api_version="v1", default_kind="ConfigMap") == {
        "kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "x"},
    }
    with pytest.raises(ProtobufError, match="Object 'Kind' is missing"):
        decode(body)


def test_unknown_fields_of_every_wire_type_are_skipped() -> None:
    unknown = (vi(90, 7) + key(91, 1) + b"\0" * 8 + key(92, 5) + b"\0" * 4 + ld(93, b"junk")
               + key(94, 3) + vi(1, 1) + key(94, 3) + key(94, 4) + key(94, 4))
    assert decode(configmap(ld(1, ld(1, "x") + unknown), unknown)) == decode(configmap(ld(1, ld(1, "x"))))


def test_repeated_scalars_packed_or_not_and_message_fields_merge() -> None:
    groups = key(4, 2) + varint(3) + varint(1) + varint(2) + varint(3)  # packed
    groups += vi(4, 4)  # and one more, unpacked
    sc = ld(14, groups)  # PodSpec.securityContext
    body = envelope("v1", "Pod", ld(1, ld(1, "p")) + ld(1, ld(3, "ns")) + ld(2, sc) + ld(2, ld(10, "node")))
    pod = decode(body)
    assert pod["metadata"] == {"name": "p", "namespace": "ns"}  # a message seen twice is merged
    assert pod["spec"]["securityContext"]["supplementalGroups"] == [1, 2, 3, 4]
    assert pod["spec"]["nodeName"] == "node"


def test_integers_are_truncated_as_gogo_truncates_them() -> None:
    # ConfigMap has no integers: Deployment.spec.replicas is an int32, minReadySeconds too
    spec = vi(1, -5) + vi(5, (1 << 40) + 7)
    dep = decode(envelope("apps/v1", "Deployment", ld(2, spec)))
    assert dep["spec"]["replicas"] == -5  # ten-byte varint of a negative int32
    assert dep["spec"]["minReadySeconds"] == 7  # the high bits fall away


def test_strings_with_invalid_utf8_are_replaced_byte_by_byte() -> None:
    cm = decode(configmap(ld(1, ld(1, b"a\xe2\x82b"))))
    assert cm["metadata"]["name"] == "a\ufffd\ufffdb"  # as encoding/json writes it


def test_time_encodings() -> None:
    def ns_time(payload: bytes) -> Any:
        return decode(envelope("v1", "Namespace", ld(1, ld(1, "n") + ld(8, payload))))["metadata"].get(
            "creationTimestamp", "omitted")

    assert ns_time(b"") == "omitted"  # no data is the zero Time, and creationTimestamp is omitzero
    assert ns_time(vi(1, 0)) == "1970-01-01T00:00:00Z"
    assert ns_time(vi(1, 253402300800)) == "10000-01-01T00:00:00Z"  # Go formats years past 9999
    assert ns_time(vi(1, -62135596800 - 86400)) == "0000-12-31T00:00:00Z"
    assert ns_time(vi(1, -62135596800)) == "omitted"  # exactly Go's zero time
    assert ns_time(vi(1, 1) + vi(1, 2)) == "1970-01-01T00:00:02Z"
    micro = decode(envelope("coordination.k8s.io/v1", "Lease", ld(2, ld(4, vi(1, 10) + vi(2, -1500)))))
    assert micro["spec"]["renewTime"] == "1970-01-01T00:00:09.999999Z"  # truncated toward zero, then normalised


@pytest.mark.parametrize(("ns", "text"), [
    (0, "0s"), (1, "1ns"), (-1, "-1ns"), (1500, "1.5µs"), (1_500_000, "1.5ms"), (1_000_000_000, "1s"),
    (60_000_000_000, "1m0s"), (3_661_000_000_000, "1h1m1s"), (90_061_500_000_000, "25h1m1.5s"),
    (-(1 << 63), "-2562047h47m16.854775808s"),
])
def test_duration_is_written_as_go_writes_it(ns: int, text: str) -> None:
    assert protobuf._go_duration(ns) == text


@pytest.mark.parametrize(("body", "message"), [
    (b"", "empty data"),
    (b'{"kind":"ConfigMap"}', "does not appear to be a protobuf message, expected prefix [107 56 115 0]"),
    (MAGIC, "empty body"),
    (MAGIC + b"\x0a", "unexpected EOF"),
    (MAGIC + b"\x0a" + b"\xff" * 10 + b"\x01", "integer overflow"),
    (MAGIC + b"\x0a" + varint(1 << 62), "unexpected EOF"),
    (MAGIC + b"\x0a" + varint(1 << 63), "negative length"),
    (MAGIC + b"\x08\x01", "wrong wireType = 0 for field typeMeta"),
    (MAGIC + b"\x00", "illegal tag 0"),
    (MAGIC + b"\x0c", "wiretype end group for non-group"),
    (MAGIC + key(50, 7), "illegal wireType 7"),
    (envelope("v9", "Nope", b""), 'no kind "Nope" is registered for version "v9"'),
    (envelope("v1", "", b""), "Object 'Kind' is missing in 'runtime.TypeMeta{APIVersion:\"v1\", Kind:\"\"}'"),
    (configmap(vi(2, 1)), "wrong wireType = 0 for field data"),
    (envelope("apps/v1", "ControllerRevision", ld(2, ld(1, b"\x00\x01"))), "only JSON content"),
    (envelope("apps/v1", "ControllerRevision", ld(2, ld(1, b"{nope"))), "invalid JSON"),
    (envelope("apps/v1", "ControllerRevision", ld(2, ld(1, b"[NaN]"))), "invalid JSON value NaN"),
    (envelope("apps/v1", "Deployment", ld(2, ld(4, ld(2, ld(1, vi(1, 7)))))), "impossible IntOrString.Type"),
])
def test_malformed_bodies_raise_protobuf_error(body: bytes, message: str) -> None:
    with pytest.raises(ProtobufError) as e:
        decode(body)
    assert message in str(e.value)
    assert isinstance(e.value, ValueError)


def test_content_encoding_is_ignored_as_upstream_ignores_it() -> None:
    body = configmap(ld(1, ld(1, "x")))
    assert decode(body + ld(3, "gzip") + ld(4, "application/json")) == decode(body)


# -- hostile input -------------------------------------------------------------------------------
def assert_decodes_or_refuses(body: bytes) -> None:
    try:
        out = decode(body)
    except ProtobufError:
        return
    assert isinstance(out, dict)
    json.dumps(out)  # and what it gives can be written as JSON


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_every_truncation_decodes_or_refuses(name: str) -> None:
    body = BODIES[name]
    for n in range(len(body)):
        assert_decodes_or_refuses(body[:n])


def test_seeded_byte_flips_decode_or_refuse() -> None:
    rng = random.Random(20240506)
    bodies = list(BODIES.values())
    for _ in range(3000):
        body = bytearray(rng.choice(bodies))
        for _ in range(rng.randint(1, 4)):
            body[rng.randrange(4, len(body))] = rng.randrange(256)
        assert_decodes_or_refuses(bytes(body))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_random_bytes_after_the_magic_decode_or_refuse(tail: bytes) -> None:
    assert_decodes_or_refuses(MAGIC + tail)
    assert_decodes_or_refuses(configmap(tail))
    assert_decodes_or_refuses(envelope("apiextensions.k8s.io/v1", "CustomResourceDefinition", tail))


def test_deep_nesting_is_refused_not_recursed() -> None:
    # JSONSchemaProps.not (28) inside itself, under CRD spec.versions[].schema.openAPIV3Schema
    schema = b""
    for _ in range(300):
        schema = ld(28, schema)
    crd = ld(2, ld(7, ld(4, ld(1, schema))))
    with pytest.raises(ProtobufError, match="nesting deeper than 100"):
        decode(envelope("apiextensions.k8s.io/v1", "CustomResourceDefinition", crd))


def test_deeply_nested_unknown_groups_are_skipped_without_recursion() -> None:
    groups = key(99, 3) * 100_000 + key(99, 4) * 100_000
    started = time.monotonic()
    assert decode(configmap(groups, ld(1, ld(1, "x"))))["metadata"] == {"name": "x"}
    with pytest.raises(ProtobufError):
        decode(configmap(key(99, 3) * 100_000))  # never closed
    assert time.monotonic() - started < 10


def test_huge_counts_cost_only_what_the_body_holds() -> None:
    # a megabyte of packed varints: a million items, no more
    sc = key(4, 2) + varint(1 << 20) + b"\x01" * (1 << 20)
    pod = decode(envelope("v1", "Pod", ld(2, ld(14, sc))))
    assert len(pod["spec"]["securityContext"]["supplementalGroups"]) == 1 << 20


# -- through the served API ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def served() -> Iterator[ServedEnv]:
    s = ServedEnv(SimEnv())
    s.start()
    try:
        yield s
    finally:
        assert s.server.internal_errors == 0
        s.stop()


def post(served: ServedEnv, path: str, body: bytes, query: str = "") -> tuple[int, Any]:
    return served.json("POST", path + query, body, PB)


def test_create_namespace_and_configmap_from_protobuf(served: ServedEnv) -> None:
    code, ns = post(served, "/api/v1/namespaces", BODIES["namespace"])
    assert code == 201, ns
    assert served.json("GET", "/api/v1/namespaces/pbtest")[1]["metadata"]["labels"] == {"team": "a"}
    code, cm = post(served, "/api/v1/namespaces/default/configmaps", BODIES["configmap"])
    assert code == 201, cm
    got = served.json("GET", "/api/v1/namespaces/default/configmaps/cm")[1]
    assert got["data"] == {"a": "b", "empty": ""} and got["binaryData"] == {"bin": "AAEC/w=="}


PATHS = {
    "configmap": "/api/v1/namespaces/default/configmaps",
    "controllerrevision": "/apis/apps/v1/namespaces/default/controllerrevisions",
    "crd": "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    "crd_e2e": "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    "deployment": "/apis/apps/v1/namespaces/default/deployments",
    "event": "/apis/events.k8s.io/v1/namespaces/default/events",
    "job": "/apis/batch/v1/namespaces/default/jobs",
    "lease": "/apis/coordination.k8s.io/v1/namespaces/default/leases",
    "namespace": "/api/v1/namespaces",
    "pod": "/api/v1/namespaces/default/pods",
    "role": "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
    "secret": "/api/v1/namespaces/default/secrets",
    "service": "/api/v1/namespaces/default/services",
    "subjectaccessreview": "/apis/authorization.k8s.io/v1/subjectaccessreviews",
}


def comparable(out: Any) -> Any:
    """Less what differs between two creates of one object (allocated IPs too)."""
    if isinstance(out, dict) and isinstance(out.get("metadata"), dict):
        out = {**out, "metadata": {k: v for k, v in out["metadata"].items()
                                   if k not in ("uid", "creationTimestamp", "resourceVersion", "managedFields")}}
    if isinstance(out, dict) and out.get("kind") == "Service":
        out = {**out, "spec": {k: v for k, v in out["spec"].items() if k not in ("clusterIP", "clusterIPs")}}
    return out


@pytest.mark.parametrize("name", sorted(PATHS))
def test_protobuf_body_is_answered_as_its_json_is(served: ServedEnv, name: str) -> None:
    """The same answer, success or failure (some fixtures are not valid objects), as the JSON of
    the same object gets; Strict as kubectl sends it, which protobuf bodies never fail."""
    query = "?dryRun=All&fieldValidation=Strict"
    code_pb, out_pb = post(served, PATHS[name], BODIES[name], query)
    code_js, out_js = served.json("POST", PATHS[name] + query, FIXTURES[name]["json"])
    assert code_pb == code_js, (out_pb, out_js)
    assert comparable(out_pb) == comparable(out_js)


def test_create_keeps_what_go_semantics_keep(served: ServedEnv) -> None:
    code, dep = post(served, PATHS["deployment"], BODIES["deployment"])
    assert code == 201, dep
    assert dep["spec"]["replicas"] == 0 and dep["spec"]["strategy"]["rollingUpdate"]["maxSurge"] == "25%"
    code, svc = post(served, PATHS["service"], BODIES["service"])
    assert code == 201, svc
    assert [p["targetPort"] for p in svc["spec"]["ports"]] == [8080, "https", 53]  # 0 is defaulted to the port


def test_create_crd_from_protobuf_and_use_it(served: ServedEnv) -> None:
    code, out = post(served, PATHS["crd_e2e"], BODIES["crd_e2e"])
    assert code == 201, out
    path = "/apis/mygroup.example.com/v1/namespaces/default/e2e-test-foos"
    for _ in range(100):  # established a moment after the create
        if served.json("GET", path)[0] == 200:
            break
        time.sleep(0.05)
    foo = {"apiVersion": "mygroup.example.com/v1", "kind": "E2eTestFoo", "metadata": {"name": "f"}, "spec": {"any": [1]}}
    code, out = served.json("POST", path, foo)
    assert code == 201 and out["spec"] == {"any": [1]}, out


def test_update_from_protobuf(served: ServedEnv) -> None:
    served.json("POST", "/api/v1/namespaces/default/configmaps", {"metadata": {"name": "upd"}, "data": {"a": "1"}})
    body = configmap(ld(1, ld(1, "upd") + ld(3, "default")), map_entry(2, "a", ld(2, "2")))
    code, out = served.json("PUT", "/api/v1/namespaces/default/configmaps/upd", body, PB)
    assert code == 200, out
    assert out["data"] == {"a": "2"}


def test_delete_with_protobuf_delete_options(served: ServedEnv) -> None:
    served.json("POST", "/api/v1/namespaces/default/configmaps", {"metadata": {"name": "del"}})
    code, out = served.json("DELETE", "/api/v1/namespaces/default/configmaps/del", BODIES["deleteoptions"], PB)
    assert code == 200, out
    assert served.json("GET", "/api/v1/namespaces/default/configmaps/del")[0] == 200  # dryRun: All


def assert_bad_request(out: Any, message: str) -> None:
    assert out["kind"] == "Status" and out["code"] == 400 and out["reason"] == "BadRequest", out
    assert out["message"] == message


def test_undecodable_bodies_are_400_in_kube_apiservers_words(served: ServedEnv) -> None:
    code, out = post(served, "/api/v1/namespaces/default/configmaps", b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}')
    assert code == 400
    assert_bad_request(out, "the object provided is unrecognized (must be of type ConfigMap): provided data does "
                            'not appear to be a protobuf message, expected prefix [107 56 115 0] '
                            '({"apiVersion":"v1","kind":"Con ...)')
    _code, out = post(served, "/api/v1/namespaces/default/configmaps", configmap(vi(2, 1)))
    assert_bad_request(out, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: '
                            "proto: wrong wireType = 0 for field data")
    _code, out = post(served, "/api/v1/namespaces/default/configmaps", b"")
    assert_bad_request(out, "the object provided is unrecognized (must be of type ConfigMap): empty data (<empty>)")
    _code, out = post(served, "/api/v1/namespaces/default/configmaps", BODIES["configmap"], "?fieldValidation=Nope")
    assert out["code"] == 400 and "fieldValidation: Unsupported value" in out["message"]


@pytest.mark.parametrize("depth", [300, 100_000])
def test_deeply_nested_embedded_json_is_a_400_not_a_500(served: ServedEnv, depth: int) -> None:
    # a RawExtension holding JSON nested deeper than the JSON writer (300) or reader (100000) go
    raw = b"[" * depth + b"]" * depth
    body = envelope("apps/v1", "ControllerRevision", ld(1, ld(1, "deep")) + ld(2, ld(1, raw)))
    code, out = post(served, PATHS["controllerrevision"], body)
    assert code == 400 and out["message"].startswith(
        'ControllerRevision in version "v1" cannot be handled as a ControllerRevision: '), out


def test_protobuf_patch_is_415_with_the_patch_types(served: ServedEnv) -> None:
    served.json("POST", "/api/v1/namespaces/default/configmaps", {"metadata": {"name": "pat"}})
    code, out = served.json("PATCH", "/api/v1/namespaces/default/configmaps/pat", BODIES["configmap"], PB)
    assert code == 415 and out["reason"] == "UnsupportedMediaType"
    assert out["message"] == (
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, "
        "application/apply-patch+yaml"
    )


def test_custom_resources_do_not_decode_from_protobuf(served: ServedEnv) -> None:
    crd = json.loads(json.dumps(FIXTURES["crd"]["json"]))
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    del spec["dependencies"], spec["properties"]["pairs"]  # what a structural schema forbids
    spec["properties"]["size"]["minimum"] = 1  # 1.5 is there for the double; an integer's bound is integral
    code, out = served.json("POST", PATHS["crd"], crd)
    assert code == 201, out
    for _ in range(100):  # established a moment after the create
        if served.json("GET", "/apis/example.com/v1")[0] == 200:
            break
        time.sleep(0.05)
    path = "/apis/example.com/v1/namespaces/default/widgets"
    widget = envelope("example.com/v1", "Widget", ld(1, ld(1, "w")))
    code, out = post(served, path, widget)
    # kube-apiserver offers protobuf for custom resources, but the serializer cannot type the
    # Unstructured it decodes into (read from customresource_handler.go and a Go run of its codec)
    assert code == 400
    assert_bad_request(out, "Widget in version \"v1\" cannot be handled as a Widget: "
                            "Object 'Kind' is missing in 'object has no kind field '")
    code, out = served.json("POST", path, {"apiVersion": "example.com/v1", "kind": "Widget",
                                           "metadata": {"name": "w"}, "spec": {"size": 3}})
    assert code == 201, out
