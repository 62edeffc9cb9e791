"""Hostile input never makes the server answer 500 (nor crash): hypothesis writes raw requests."""

from __future__ import annotations

import json
import socket

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.http.conftest import ServedEnv

SEGMENTS = st.sampled_from(
    ["api", "apis", "v1", "apps", "namespaces", "default", "kube-system", "pods", "deployments", "configmaps",
     "nodes", "status", "scale", "binding", "eviction", "log", "finalize", "watch", "x", "..", ".", "%2F", "%00",
     "%ff", "ns%20x", "é", "openapi", "v3", "version", "kconform", "faults", ""]
)
PATHS = st.one_of(
    st.lists(SEGMENTS, min_size=0, max_size=7).map(lambda s: "/" + "/".join(s)),
    st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=40).map(lambda t: "/" + t),
)
QUERY_KEYS = st.sampled_from(
    ["watch", "labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "resourceVersionMatch",
     "timeoutSeconds", "allowWatchBookmarks", "dryRun", "fieldManager", "force", "gracePeriodSeconds",
     "propagationPolicy", "orphanDependents", "container", "tailLines", "includeObject", "fieldValidation", "x"]
)
QUERY_VALUES = st.one_of(
    st.sampled_from(["", "0", "1", "true", "false", "-1", "99999999999999999999", "All", "a=b", "a==b,c!=d",
                     "metadata.name=x", "spec.nodeName=", "!x", "x in (a,b)", "Orphan", "Object", "%zz", "Exact", "0.5"]),
    st.text(max_size=12),
)
QUERIES = st.lists(st.tuples(QUERY_KEYS, QUERY_VALUES), max_size=4)
METHODS = st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "BREW"])
CONTENT_TYPES = st.sampled_from(
    [None, "application/json", "application/yaml", "application/json-patch+json", "application/merge-patch+json",
     "application/strategic-merge-patch+json", "application/apply-patch+yaml", "text/plain",
     "application/vnd.kubernetes.protobuf", "application/json; charset=utf-8", ";;;", "application/json;as=Table"]
)
ACCEPTS = st.sampled_from(
    [None, "application/json", "application/json;as=Table;v=v1;g=meta.k8s.io",
     "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", "*/*", "text/html", ",,;=",
     "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io"]
)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3),
    max_leaves=10,
)
OBJECTS = st.fixed_dictionaries(
    {},
    optional={
        "apiVersion": st.sampled_from(["v1", "apps/v1", "x", ""]),
        "kind": st.sampled_from(["ConfigMap", "Pod", "Deployment", "Scale", "Nope", ""]),
        "metadata": st.fixed_dictionaries(
            {}, optional={"name": st.sampled_from(["a", "A", "", "x" * 300, "a/b"]), "namespace": st.text(max_size=5),
                          "resourceVersion": st.sampled_from(["1", "x", "-1", ""]), "labels": JSONISH}
        ),
        "spec": JSONISH,
        "data": JSONISH,
    },
)
BODIES = st.one_of(
    st.none(),
    st.binary(max_size=64),
    JSONISH.map(lambda v: json.dumps(v).encode()),
    OBJECTS.map(lambda v: json.dumps(v).encode()),
    st.sampled_from([b"{", b"a: [", b"- !!binary AAAA", b"? [a]\n: b", b"&a [*a]", b"!!python/object:os.system x",
                     b"\xff\xfe", b"[" * 2000, b"2001-01-01", b"{\"a\": 1e99999}"]),
)


def _raw_request(port: int, method: str, target: str, headers: dict[str, str], body: bytes | None) -> tuple[int, bytes]:
    lines = [f"{method} {target} HTTP/1.1", "Host: localhost", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if body is not None:
        lines.append(f"Content-Length: {len(body)}")
    data = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", errors="replace") + (body or b"")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(data)
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    resp = b"".join(chunks)
    status_line = resp.split(b"\r\n", 1)[0]
    return int(status_line.split(b" ")[1]), resp


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(method=METHODS, path=PATHS, query=QUERIES, ct=CONTENT_TYPES, accept=ACCEPTS, body=BODIES)
def test_no_500_for_hostile_requests(
    served_module: ServedEnv, method: str, path: str, query: list[tuple[str, str]], ct: str | None, accept: str | None,
    body: bytes | None,
) -> None:
    from urllib.parse import quote

    q = "&".join(f"{quote(k)}={quote(v)}" for k, v in query)
    # keep hostile watches short: a stream without a timeout would hold the example open
    if any(k == "watch" for k, _ in query) or "watch" in path:
        q = (q + "&" if q else "") + "timeoutSeconds=1"
    target = path + ("?" + q if q else "")
    headers: dict[str, str] = {}
    if ct is not None:
        headers["Content-Type"] = ct
    if accept is not None:
        headers["Accept"] = accept
    code, resp = _raw_request(served_module.port, method, target, headers, body)
    assert code != 500, resp[:2000]
    assert served_module.server.internal_errors == 0


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(raw=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(lambda t: t.encode("utf-8", "replace"))))
def test_garbage_on_the_wire_never_500(served_module: ServedEnv, raw: bytes) -> None:
    with socket.create_connection(("127.0.0.1", served_module.port), timeout=10) as s:
        s.sendall(raw + b"\r\n\r\n")
        s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    if data:
        assert not data.startswith(b"HTTP/1.1 500"), data[:500]
    assert served_module.server.internal_errors == 0
    # and the server still answers
    code, _h, _body = served_module.request("GET", "/version")
    assert code == 200
