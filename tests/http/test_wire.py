"""HTTP-level behaviour of the API server front: endpoints, errors, booleans, watch, tables."""

from __future__ import annotations

import http.client
import json
from typing import Any

import pytest

from tests.http.conftest import ServedEnv

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
AGG = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"


def cm(name: str, **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


def deployment(name: str, replicas: int = 2) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]},
            },
        },
    }


def assert_status(body: Any, code: int, reason: str) -> None:
    assert body["kind"] == "Status" and body["apiVersion"] == "v1"
    assert body["status"] == "Failure"
    assert body["code"] == code, body
    assert body["reason"] == reason, body


# -- non-resource endpoints ------------------------------------------------------------------
def test_version_both_spellings(served: ServedEnv) -> None:
    for path in ("/version", "/version/"):
        code, body = served.json("GET", path)
        assert code == 200
        assert body["gitVersion"] == "v1.32.0" and body["major"] == "1" and body["minor"] == "32"
        assert {"gitCommit", "gitTreeState", "buildDate", "goVersion", "compiler", "platform"} <= set(body)


def test_health_endpoints(served: ServedEnv) -> None:
    for path in ("/healthz", "/readyz", "/livez"):
        code, headers, data = served.request("GET", path)
        assert (code, data) == (200, b"ok")
        assert headers["content-type"].startswith("text/plain")


def test_legacy_discovery(served: ServedEnv) -> None:
    code, body = served.json("GET", "/api")
    assert code == 200 and body["kind"] == "APIVersions" and body["versions"] == ["v1"]
    _code, body = served.json("GET", "/apis")
    assert body["kind"] == "APIGroupList"
    names = {g["name"] for g in body["groups"]}
    assert {"apps", "batch", "coordination.k8s.io", "discovery.k8s.io", "policy"} <= names
    code, body = served.json("GET", "/apis/apps")
    assert code == 200 and body["kind"] == "APIGroup" and body["preferredVersion"]["groupVersion"] == "apps/v1"
    _code, body = served.json("GET", "/api/v1")
    assert body["kind"] == "APIResourceList" and body["groupVersion"] == "v1"
    res = {r["name"]: r for r in body["resources"]}
    assert res["pods"]["shortNames"] == ["po"] and res["pods"]["namespaced"] is True
    assert res["pods"]["singularName"] == "pod" and "watch" in res["pods"]["verbs"]
    assert res["pods"]["categories"] == ["all"]
    assert res["nodes"]["namespaced"] is False
    for sub in ("pods/status", "pods/binding", "pods/eviction", "pods/log", "namespaces/finalize"):
        assert sub in res, sub
    assert res["pods/eviction"]["group"] == "policy" and res["pods/eviction"]["kind"] == "Eviction"
    assert res["pods/binding"]["verbs"] == ["create"]
    _code, body = served.json("GET", "/apis/apps/v1")
    res = {r["name"]: r for r in body["resources"]}
    assert res["deployments"]["shortNames"] == ["deploy"]
    scale = res["deployments/scale"]
    assert (scale["group"], scale["version"], scale["kind"]) == ("autoscaling", "v1", "Scale")
    assert res["deployments/status"]["kind"] == "Deployment"


def test_aggregated_discovery(served: ServedEnv) -> None:
    for path, core in (("/api", True), ("/apis", False)):
        code, headers, data = served.request("GET", path, headers={"Accept": AGG})
        assert code == 200
        assert headers["content-type"] == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
        body = json.loads(data)
        assert body["kind"] == "APIGroupDiscoveryList" and body["apiVersion"] == "apidiscovery.k8s.io/v2"
        if core:
            assert len(body["items"]) == 1 and "name" not in body["items"][0]["metadata"]
        else:
            apps = next(i for i in body["items"] if i["metadata"].get("name") == "apps")
            deps = next(r for r in apps["versions"][0]["resources"] if r["resource"] == "deployments")
            assert deps["scope"] == "Namespaced" and deps["shortNames"] == ["deploy"]
            subs = {s["subresource"]: s for s in deps["subresources"]}
            assert subs["scale"]["responseKind"] == {"group": "autoscaling", "version": "v1", "kind": "Scale"}


def test_openapi_v3_declares_field_validation(served: ServedEnv) -> None:
    code, root = served.json("GET", "/openapi/v3")
    assert code == 200 and "apis/apps/v1" in root["paths"] and "api/v1" in root["paths"]
    url = root["paths"]["apis/apps/v1"]["serverRelativeURL"]
    assert url.startswith("/openapi/v3/apis/apps/v1?hash=")
    code, doc = served.json("GET", url)
    assert code == 200 and doc["openapi"].startswith("3.")
    item = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]
    patch = item["patch"]
    assert patch["x-kubernetes-group-version-kind"] == {"group": "apps", "kind": "Deployment", "version": "v1"}
    assert any(p["name"] == "fieldValidation" and p["in"] == "query" for p in patch["parameters"])
    dep = doc["components"]["schemas"]["io.k8s.api.apps.v1.Deployment"]
    assert {"group": "apps", "kind": "Deployment", "version": "v1"} in dep["x-kubernetes-group-version-kind"]
    code, _h, data = served.request("GET", "/openapi/v2", headers={"Accept": "application/json"})
    assert code == 200 and json.loads(data)["swagger"] == "2.0"
    code, body = served.json("GET", "/openapi/v2", headers={"Accept": "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"})
    assert code == 406 and body["reason"] == "NotAcceptable"
    _code, body = served.json("GET", "/openapi/v3/apis/nope/v1")
    assert_status(body, 404, "NotFound")


# -- errors -----------------------------------------------------------------------------------
def test_unknown_paths_are_404_status(served: ServedEnv) -> None:
    for path in ("/nope", "/", "/apis/nope/v1", "/api/v2", "/api/v1/nopes", "/api/v1/namespaces/default/nopes",
                 "/api/v1/pods/x", "/api/v1/namespaces/default/pods/x/nope", "/apis/apps/v1/namespaces//deployments"):
        code, body = served.json("GET", path)
        assert code == 404, path
        assert_status(body, 404, "NotFound")


def test_object_not_found_has_real_message(served: ServedEnv) -> None:
    _code, body = served.json("GET", "/apis/apps/v1/namespaces/default/deployments/x")
    assert_status(body, 404, "NotFound")
    assert body["message"] == 'deployments.apps "x" not found'


def test_wrong_method_is_405(served: ServedEnv) -> None:
    for method, path in (("POST", "/api/v1/namespaces/default/configmaps/x"), ("PUT", "/api/v1/namespaces/default/configmaps"),
                         ("DELETE", "/version"), ("POST", "/api"), ("GET", "/api/v1/namespaces/default/pods/x/binding"),
                         ("POST", "/api/v1/pods")):
        code, body = served.json(method, path, body=cm("x") if method in ("POST", "PUT") else None)
        assert code == 405, (method, path)
        assert_status(body, 405, "MethodNotAllowed")


def test_malformed_bodies_are_400(served: ServedEnv) -> None:
    for raw in (b"{", b"[1, 2", b"\xff\xfe", b"null", b"[]", b"\"str\""):
        code, body = served.json("POST", "/api/v1/namespaces/default/configmaps", raw, {"Content-Type": "application/json"})
        assert code == 400, raw
        assert_status(body, 400, "BadRequest")
    _code, body = served.json("PATCH", "/api/v1/namespaces/default/configmaps/x", b"{:", {"Content-Type": "application/merge-patch+json"})
    assert_status(body, 400, "BadRequest")
    _code, body = served.json("PATCH", "/api/v1/namespaces/default/configmaps/x?fieldManager=m", b"a: [",
                             {"Content-Type": "application/apply-patch+yaml"})
    assert_status(body, 400, "BadRequest")


def test_missing_content_type_means_json(served: ServedEnv) -> None:
    code, body = served.json("POST", "/api/v1/namespaces/default/configmaps", json.dumps(cm("noct")).encode())
    assert code == 201 and body["metadata"]["name"] == "noct"


def test_yaml_body_accepted_with_yaml_content_type(served: ServedEnv) -> None:
    raw = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  a: b\n"
    code, body = served.json("POST", "/api/v1/namespaces/default/configmaps", raw, {"Content-Type": "application/yaml"})
    assert code == 201 and body["data"] == {"a": "b"}


def test_unsupported_media_type_is_415(served: ServedEnv) -> None:
    # protobuf is a body type kube-apiserver reads (tests/apiserver/test_protobuf.py); text/plain is not
    _code, body = served.json("POST", "/api/v1/namespaces/default/configmaps", json.dumps(cm("x")).encode(),
                             {"Content-Type": "text/plain"})
    assert_status(body, 415, "UnsupportedMediaType")
    assert body["message"] == ("the body of the request was in an unknown format - accepted media types include: "
                               "application/json, application/yaml, application/vnd.kubernetes.protobuf")
    served.json("POST", "/api/v1/namespaces/default/configmaps", cm("x"))
    for ct in ("text/plain", "application/json", ""):
        headers = {"Content-Type": ct} if ct else {}
        _code, body = served.json("PATCH", "/api/v1/namespaces/default/configmaps/x", b"{}", headers)
        assert_status(body, 415, "UnsupportedMediaType")


def test_body_over_limit_is_413(served: ServedEnv) -> None:
    big = cm("big", blob="x" * (300 * 1024))
    _code, body = served.json("POST", "/api/v1/namespaces/default/configmaps", big)
    assert_status(body, 413, "RequestEntityTooLarge")
    assert served.json("GET", "/api/v1/namespaces/default/configmaps/big")[0] == 404


def test_api_errors_keep_their_codes(served: ServedEnv) -> None:
    assert served.json("POST", "/api/v1/namespaces/default/configmaps", cm("dup"))[0] == 201
    _code, body = served.json("POST", "/api/v1/namespaces/default/configmaps", cm("dup"))
    assert_status(body, 409, "AlreadyExists")
    bad = deployment("bad")
    bad["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    _code, body = served.json("POST", "/apis/apps/v1/namespaces/default/deployments", bad)
    assert_status(body, 422, "Invalid")
    _code, body = served.json("GET", "/api/v1/namespaces/default/configmaps?labelSelector=%3D%3D%3D")
    assert_status(body, 400, "BadRequest")
    _code, body = served.json("GET", "/api/v1/namespaces/default/configmaps?limit=abc")
    assert_status(body, 400, "BadRequest")
    _code, body = served.json("DELETE", "/api/v1/namespaces/kube-system")
    assert_status(body, 403, "Forbidden")


# -- boolean query parameters ---------------------------------------------------------------------
def _is_watch(served: ServedEnv, value: str | None) -> bool:
    q = "?timeoutSeconds=1" + (f"&watch={value}" if value is not None else "")
    code, headers, data = served.request("GET", "/api/v1/namespaces/default/configmaps" + q)
    assert code == 200
    if headers.get("transfer-encoding") == "chunked":
        return True
    assert json.loads(data)["kind"] == "ConfigMapList"
    return False


def test_boolean_query_parameters_read_the_real_way(served: ServedEnv) -> None:
    served.json("POST", "/api/v1/namespaces/default/configmaps", cm("b"))
    for v in (None, "0", "false", "False", "FALSE"):
        assert not _is_watch(served, v), v
    for v in ("", "1", "true", "True", "yes", "no"):
        assert _is_watch(served, v), v


# -- watch -----------------------------------------------------------------------------------
def _open_watch(served: ServedEnv, path: str, timeout: float = 10) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=timeout)
    conn.request("GET", path)
    return conn.getresponse()


def _events(resp: http.client.HTTPResponse) -> list[dict[str, Any]]:
    return [json.loads(line) for line in resp.read().splitlines() if line.strip()]


def test_chunked_watch_streams_events_and_honours_timeout(served: ServedEnv) -> None:
    served.json("POST", "/api/v1/namespaces/default/configmaps", cm("w1"))
    resp = _open_watch(served, "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=2")
    assert resp.status == 200
    assert resp.getheader("Transfer-Encoding") == "chunked"
    first = json.loads(resp.readline())
    assert first["type"] == "ADDED" and first["object"]["metadata"]["name"] == "w1"
    assert first["object"]["kind"] == "ConfigMap"
    served.json("POST", "/api/v1/namespaces/default/configmaps", cm("w2"))
    served.json("PATCH", "/api/v1/namespaces/default/configmaps/w1", {"data": {"k": "v"}},
                {"Content-Type": "application/merge-patch+json"})
    served.json("DELETE", "/api/v1/namespaces/default/configmaps/w2")
    rest = _events(resp)  # returns when the server closes the stream after timeoutSeconds
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in rest] == [
        ("ADDED", "w2"), ("MODIFIED", "w1"), ("DELETED", "w2")
    ]


def test_watch_resumes_from_resource_version_with_field_selector(served: ServedEnv) -> None:
    _code, created = served.json("POST", "/api/v1/namespaces/default/configmaps", cm("r1"))
    rv = created["metadata"]["resourceVersion"]
    served.json("POST", "/api/v1/namespaces/default/configmaps", cm("r2"))
    served.json("PATCH", "/api/v1/namespaces/default/configmaps/r1", {"data": {"a": "1"}},
                {"Content-Type": "application/merge-patch+json"})
    resp = _open_watch(served, f"/api/v1/namespaces/default/configmaps?watch=true&resourceVersion={rv}"
                               "&fieldSelector=metadata.name%3Dr1&timeoutSeconds=1")
    ev = _events(resp)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in ev] == [("MODIFIED", "r1")]


def test_watch_too_old_gets_410_error_event(served: ServedEnv) -> None:
    _code, created = served.json("POST", "/api/v1/namespaces/default/configmaps", cm("old"))
    rv = int(created["metadata"]["resourceVersion"])
    for i in range(3):
        served.json("PATCH", "/api/v1/namespaces/default/configmaps/old", {"data": {"i": str(i)}},
                    {"Content-Type": "application/merge-patch+json"})
    served.call(lambda: served.env.api.compact())
    resp = _open_watch(served, f"/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={rv}&timeoutSeconds=5")
    assert resp.status == 200
    ev = _events(resp)
    assert len(ev) == 1 and ev[0]["type"] == "ERROR"
    assert ev[0]["object"]["code"] == 410 and ev[0]["object"]["reason"] == "Expired"


def test_watch_bookmarks(served: ServedEnv) -> None:
    resp = _open_watch(served, "/api/v1/namespaces/default/configmaps?watch=1&allowWatchBookmarks=true&timeoutSeconds=2")
    served.call(lambda: served.env.loop.advance(61))
    ev = _events(resp)
    marks = [e for e in ev if e["type"] == "BOOKMARK"]
    assert marks and marks[0]["object"]["metadata"]["resourceVersion"]


def test_watch_list_sends_the_state_then_the_initial_events_end_bookmark(served: ServedEnv) -> None:
    """client-go's reflectors watch with sendInitialEvents and wait for this bookmark (KEP-3157)."""
    _code, created = served.json("POST", "/api/v1/namespaces/default/configmaps", cm("wl"))
    rv = created["metadata"]["resourceVersion"]
    resp = _open_watch(served, f"/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true"
                               f"&resourceVersionMatch=NotOlderThan&resourceVersion={rv}&allowWatchBookmarks=true"
                               "&fieldSelector=metadata.name%3Dwl&timeoutSeconds=1")
    ev = _events(resp)
    assert [(e["type"], e["object"]["metadata"].get("name")) for e in ev] == [("ADDED", "wl"), ("BOOKMARK", None)]
    mark = ev[1]["object"]
    assert mark["kind"] == "ConfigMap" and mark["apiVersion"] == "v1"
    assert mark["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert int(mark["metadata"]["resourceVersion"]) >= int(rv)


def test_watch_list_without_bookmarks_or_initial_events(served: ServedEnv) -> None:
    served.json("POST", "/api/v1/namespaces/default/configmaps", cm("quiet"))
    base = "/api/v1/namespaces/default/configmaps?watch=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1"
    assert [e["type"] for e in _events(_open_watch(served, base + "&sendInitialEvents=true"))] == ["ADDED"]
    assert _events(_open_watch(served, base + "&sendInitialEvents=false")) == []  # starts at now


@pytest.mark.parametrize(("query", "causes"), [
    ("resourceVersionMatch=Exact", [("resourceVersionMatch",
                                     "Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided")]),
    ("resourceVersionMatch=Bogus&resourceVersion=1", [("resourceVersionMatch",
        'Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""')]),
    ("resourceVersionMatch=Exact&resourceVersion=0", [("resourceVersionMatch",
        'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"')]),
    ("sendInitialEvents=true", [("sendInitialEvents", "Forbidden: sendInitialEvents is forbidden for list")]),
    ("watch=true&resourceVersionMatch=NotOlderThan", [("resourceVersionMatch",
        "Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided")]),
    ("watch=true&resourceVersionMatch=Exact&sendInitialEvents=true", [
        ("resourceVersionMatch", "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"),
        ("resourceVersionMatch", 'Unsupported value: "Exact": supported values: "NotOlderThan"')]),
])
def test_list_options_are_validated_as_kube_apiserver_does(
    served: ServedEnv, query: str, causes: list[tuple[str, str]]
) -> None:
    """Answers as kube-apiserver v1.36.3 gives them (asked of the real control plane)."""
    code, body = served.json("GET", f"/api/v1/namespaces/default/configmaps?{query}")
    assert code == 422 and body["reason"] == "Invalid"
    assert body["details"]["kind"] == "ListOptions" and body["details"]["group"] == "meta.k8s.io"
    assert [(c["field"], c["message"]) for c in body["details"]["causes"]] == causes
    assert body["message"].startswith('ListOptions.meta.k8s.io "" is invalid: ')


def test_watch_closes_when_server_drops_watches(served: ServedEnv) -> None:
    resp = _open_watch(served, "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=60", timeout=5)
    assert resp.status == 200
    n = 0
    for _ in range(50):
        n = served.call(lambda: served.env.api.drop_watches())
        if n:
            break
    assert n >= 1
    assert _events(resp) == []  # the stream ends, well before 60 s


def test_watch_on_item_path(served: ServedEnv) -> None:
    served.json("POST", "/api/v1/namespaces/default/configmaps", cm("one"))
    served.json("POST", "/api/v1/namespaces/default/configmaps", cm("two"))
    resp = _open_watch(served, "/api/v1/namespaces/default/configmaps/one?watch=1&timeoutSeconds=1")
    assert [e["object"]["metadata"]["name"] for e in _events(resp)] == ["one"]
    resp = _open_watch(served, "/api/v1/watch/namespaces/default/configmaps?timeoutSeconds=1")
    assert sorted(e["object"]["metadata"]["name"] for e in _events(resp)) == ["one", "two"]


# -- tables ----------------------------------------------------------------------------------
def _table(served: ServedEnv, path: str) -> dict[str, Any]:
    code, _headers, data = served.request("GET", path, headers={"Accept": TABLE})
    assert code == 200, data
    body = json.loads(data)
    assert body["kind"] == "Table" and body["apiVersion"] == "meta.k8s.io/v1"
    return body


def _cols(t: dict[str, Any], wide: bool = False) -> list[str]:
    return [c["name"] for c in t["columnDefinitions"] if wide or c["priority"] == 0]


def test_pod_table(served: ServedEnv) -> None:
    env = served.env
    served.call(lambda: env.pod("pending"))
    served.call(lambda: env.pod("running", node_name="n1"))
    served.call(lambda: env.set_pod_running("running", ip="10.244.1.7"))
    served.call(lambda: env.pod("doomed", node_name="n1"))
    served.call(lambda: env.set_pod_running("doomed"))
    served.json("DELETE", "/api/v1/namespaces/default/pods/doomed")
    t = _table(served, "/api/v1/namespaces/default/pods")
    assert _cols(t) == ["Name", "Ready", "Status", "Restarts", "Age"]
    assert _cols(t, wide=True)[5:] == ["IP", "Node", "Nominated Node", "Readiness Gates"]
    rows = {r["cells"][0]: r for r in t["rows"]}
    assert rows["pending"]["cells"][1:4] == ["0/1", "Pending", "0"]
    assert rows["running"]["cells"][1:4] == ["1/1", "Running", "0"]
    assert rows["running"]["cells"][5:7] == ["10.244.1.7", "n1"]
    assert rows["doomed"]["cells"][2] == "Terminating"
    assert rows["pending"]["cells"][5:] == ["<none>", "<none>", "<none>", "<none>"]
    obj = rows["pending"]["object"]
    assert obj["kind"] == "PartialObjectMetadata" and obj["metadata"]["name"] == "pending"
    assert t["metadata"]["resourceVersion"]


def test_pod_status_like_kubectl() -> None:
    from reference_impl.apiserver import tables

    def pod(**status: Any) -> dict[str, Any]:
        return {"metadata": {"name": "p", "creationTimestamp": "2026-01-01T00:00:00Z"},
                "spec": {"containers": [{"name": "c"}]}, "status": status}

    def st(p: dict[str, Any]) -> str:
        return str(tables._pod(p, 100.0)[2])

    waiting = {"phase": "Pending", "containerStatuses": [{"name": "c", "ready": False, "restartCount": 0,
                                                         "state": {"waiting": {"reason": "ContainerCreating"}}}]}
    assert st(pod(**waiting)) == "ContainerCreating"
    crash = {"phase": "Running", "containerStatuses": [{"name": "c", "ready": False, "restartCount": 4,
                                                       "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                                                       "lastState": {"terminated": {"exitCode": 1, "finishedAt": "2026-01-01T00:01:00Z"}}}]}
    p = pod(**crash)
    assert st(p) == "CrashLoopBackOff"
    assert tables._pod(p, 100.0)[3] == "4 (40s ago)"
    done = {"phase": "Succeeded", "containerStatuses": [{"name": "c", "ready": False, "restartCount": 0,
                                                        "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}
    assert st(pod(**done)) == "Completed"
    pull = {"phase": "Pending", "containerStatuses": [{"name": "c", "ready": False, "restartCount": 0,
                                                      "state": {"waiting": {"reason": "ImagePullBackOff"}}}]}
    assert st(pod(**pull)) == "ImagePullBackOff"
    assert tables.human_duration(59) == "59s" and tables.human_duration(130) == "2m10s"
    assert tables.human_duration(3 * 3600 + 5) == "3h" and tables.human_duration(50 * 3600) == "2d2h"


def test_deployment_node_service_tables(served: ServedEnv) -> None:
    env = served.env
    served.json("POST", "/apis/apps/v1/namespaces/default/deployments", deployment("web", 3))
    t = _table(served, "/apis/apps/v1/namespaces/default/deployments")
    assert _cols(t) == ["Name", "Ready", "Up-to-date", "Available", "Age"]
    assert t["rows"][0]["cells"][:4] == ["web", "0/3", 0, 0]
    served.call(lambda: env.node("n1", labels={"node-role.kubernetes.io/control-plane": ""}))
    served.call(lambda: env.node("n2", unschedulable=True))
    served.call(lambda: env.node("n3", ready=False))
    t = _table(served, "/api/v1/nodes")
    assert _cols(t) == ["Name", "Status", "Roles", "Age", "Version"]
    rows = {r["cells"][0]: r["cells"] for r in t["rows"]}
    assert rows["n1"][1:3] == ["Ready", "control-plane"]
    assert rows["n2"][1:3] == ["Ready,SchedulingDisabled", "<none>"]
    assert rows["n3"][1] == "NotReady"
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "np"},
           "spec": {"type": "NodePort", "selector": {"app": "web"}, "ports": [{"port": 80, "nodePort": 30080}]}}
    assert served.json("POST", "/api/v1/namespaces/default/services", svc)[0] == 201
    t = _table(served, "/api/v1/namespaces/default/services")
    assert _cols(t) == ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age"]
    rows = {r["cells"][0]: r["cells"] for r in t["rows"]}
    assert rows["np"][1] == "NodePort" and rows["np"][3] == "<none>" and rows["np"][4] == "80:30080/TCP"
    assert rows["kubernetes"][4] == "443/TCP"


def test_table_age_uses_simulated_clock(served: ServedEnv) -> None:
    served.json("POST", "/api/v1/namespaces/default/configmaps", cm("aged", a="b"))
    served.call(lambda: served.env.loop.advance(3600 * 5 + 60))
    t = _table(served, "/api/v1/namespaces/default/configmaps/aged")
    assert _cols(t) == ["Name", "Data", "Age"]
    assert t["rows"][0]["cells"] == ["aged", 1, "5h1m"]


def test_table_include_object_and_default_columns(served: ServedEnv) -> None:
    served.json("POST", "/api/v1/namespaces/default/serviceaccounts",
                {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa"}})
    served.json("POST", "/api/v1/namespaces/default/configmaps", cm("full", a="b"))
    _code, _h, data = served.request("GET", "/api/v1/namespaces/default/configmaps?includeObject=Object",
                                    headers={"Accept": TABLE})
    obj = json.loads(data)["rows"][0]["object"]
    assert obj["kind"] == "ConfigMap" and obj["data"] == {"a": "b"}
    t = _table(served, "/apis/coordination.k8s.io/v1/namespaces/default/leases")
    assert _cols(t) == ["Name", "Holder", "Age"]


# -- verbs and subresources ----------------------------------------------------------------------
def test_patch_types_and_scale(served: ServedEnv) -> None:
    base = "/apis/apps/v1/namespaces/default/deployments"
    assert served.json("POST", base, deployment("d"))[0] == 201
    code, body = served.json("PATCH", f"{base}/d", [{"op": "replace", "path": "/spec/replicas", "value": 4}],
                             {"Content-Type": "application/json-patch+json"})
    assert code == 200 and body["spec"]["replicas"] == 4
    _code, body = served.json("PATCH", f"{base}/d", {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:2"}]}}}},
                             {"Content-Type": "application/strategic-merge-patch+json"})
    assert body["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:2"
    code, body = served.json("PATCH", f"{base}/d/scale", {"spec": {"replicas": 7}},
                             {"Content-Type": "application/merge-patch+json"})
    assert code == 200 and body["kind"] == "Scale" and body["apiVersion"] == "autoscaling/v1" and body["spec"]["replicas"] == 7
    _code, body = served.json("GET", f"{base}/d/scale")
    assert body["spec"]["replicas"] == 7
    _code, scale = served.json("GET", f"{base}/d/scale")
    scale["spec"]["replicas"] = 1
    code, body = served.json("PUT", f"{base}/d/scale", scale)
    assert code == 200 and body["spec"]["replicas"] == 1


def test_server_side_apply_creates_then_patches(served: ServedEnv) -> None:
    path = "/api/v1/namespaces/default/configmaps/ssa?fieldManager=me"
    yaml_body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: '1'\n"
    code, body = served.json("PATCH", path, yaml_body, {"Content-Type": "application/apply-patch+yaml"})
    assert code == 201 and body["data"] == {"a": "1"}
    code, body = served.json("PATCH", path + "&force=true", json.dumps(cm("ssa", a="2")).encode(),
                             {"Content-Type": "application/apply-patch+yaml"})
    assert code == 200 and body["data"] == {"a": "2"}
    _code, body = served.json("PATCH", "/api/v1/namespaces/default/configmaps/ssa", yaml_body,
                             {"Content-Type": "application/apply-patch+yaml"})
    assert_status(body, 422, "Invalid")


def test_dry_run_and_delete_options(served: ServedEnv) -> None:
    base = "/api/v1/namespaces/default/configmaps"
    code, body = served.json("POST", base + "?dryRun=All", cm("dry"))
    assert code == 201 and served.json("GET", base + "/dry")[0] == 404
    _code, body = served.json("POST", base + "?dryRun=Some", cm("dry"))
    assert_status(body, 400, "BadRequest")
    served.json("POST", base, cm("gone"))
    code, body = served.json("DELETE", base + "/gone", {"propagationPolicy": "Background"})
    assert code == 200 and body["kind"] == "Status" and body["status"] == "Success"
    assert body["details"]["name"] == "gone"
    assert served.json("GET", base + "/gone")[0] == 404
    served.json("POST", base, cm("q"))
    _code, body = served.json("DELETE", base + "/q?propagationPolicy=Nope")
    assert_status(body, 422, "Invalid")
    _code, body = served.json("DELETE", base + "/q?gracePeriodSeconds=x")
    assert_status(body, 400, "BadRequest")
    code, body = served.json("DELETE", base + "/q?dryRun=All")
    assert code == 200 and served.json("GET", base + "/q")[0] == 200


def test_pod_graceful_delete_returns_object(served: ServedEnv) -> None:
    served.call(lambda: served.env.pod("g", node_name="n1"))
    code, body = served.json("DELETE", "/api/v1/namespaces/default/pods/g?gracePeriodSeconds=30")
    assert code == 200 and body["kind"] == "Pod" and body["metadata"]["deletionTimestamp"]
    assert body["metadata"]["deletionGracePeriodSeconds"] == 30


def test_delete_collection_and_list_options(served: ServedEnv) -> None:
    base = "/api/v1/namespaces/default/configmaps"
    for i in range(5):
        c = cm(f"c{i}")
        c["metadata"]["labels"] = {"grp": "a" if i < 3 else "b"}
        served.json("POST", base, c)
    _code, body = served.json("GET", base + "?labelSelector=grp%3Da&limit=2")
    assert [i["metadata"]["name"] for i in body["items"]] == ["c0", "c1"] and body["metadata"]["continue"]
    _code, body2 = served.json("GET", base + f"?labelSelector=grp%3Da&limit=2&continue={body['metadata']['continue']}")
    assert [i["metadata"]["name"] for i in body2["items"]] == ["c2"]
    code, body = served.json("DELETE", base + "?labelSelector=grp%3Da")
    assert code == 200 and len(body["items"]) == 3
    _code, body = served.json("GET", base)
    assert sorted(i["metadata"]["name"] for i in body["items"]) == ["c3", "c4"]
    _code, body = served.json("GET", "/api/v1/configmaps?fieldSelector=metadata.namespace%3Ddefault")
    assert len(body["items"]) == 2


def test_pod_subresources(served: ServedEnv) -> None:
    env = served.env
    served.call(lambda: env.pod("b"))
    code, body = served.json("POST", "/api/v1/namespaces/default/pods/b/binding",
                             {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "b"}, "target": {"kind": "Node", "name": "n1"}})
    assert code == 201 and body["status"] == "Success"
    _code, pod = served.json("GET", "/api/v1/namespaces/default/pods/b")
    assert pod["spec"]["nodeName"] == "n1"
    _code, status_obj = served.json("GET", "/api/v1/namespaces/default/pods/b/status")
    status_obj["status"]["phase"] = "Running"
    code, body = served.json("PUT", "/api/v1/namespaces/default/pods/b/status", status_obj)
    assert code == 200 and body["status"]["phase"] == "Running"
    served.call(lambda: env.api.log_providers.__setitem__("n1", lambda ns, name, c: "line1\nline2\n"))
    code, headers, data = served.request("GET", "/api/v1/namespaces/default/pods/b/log?container=app")
    assert code == 200 and headers["content-type"].startswith("text/plain") and data == b"line1\nline2\n"
    code, headers, data = served.request("GET", "/api/v1/namespaces/default/pods/b/log?tailLines=1")
    assert data == b"line2\n"
    code, body = served.json("POST", "/api/v1/namespaces/default/pods/b/eviction",
                             {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "b"}})
    assert code == 201
    _code, pod = served.json("GET", "/api/v1/namespaces/default/pods/b")
    assert pod["metadata"].get("deletionTimestamp")


def test_namespace_finalize(served: ServedEnv) -> None:
    served.json("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "tmp"}})
    code, ns = served.json("DELETE", "/api/v1/namespaces/tmp")
    assert code == 200 and ns["status"]["phase"] == "Terminating"
    _code, ns = served.json("GET", "/api/v1/namespaces/tmp")
    ns["spec"]["finalizers"] = []
    code, _body = served.json("PUT", "/api/v1/namespaces/tmp/finalize", ns)
    assert code == 200


# -- fault endpoint ------------------------------------------------------------------------------
def test_fault_endpoint(served: ServedEnv) -> None:
    code, body = served.json("POST", "/kconform/v1/faults", {"fault": "KillNode", "node": "node-2"})
    assert code == 200 and body == {"applied": "KillNode", "count": 1}
    _code, body = served.json("POST", "/kconform/v1/faults", {"fault": "Bogus"})
    assert_status(body, 400, "BadRequest")
    assert "Bogus" in body["message"]
    _code, body = served.json("GET", "/kconform/v1/faults")
    assert_status(body, 405, "MethodNotAllowed")
    _code, body = served.json("POST", "/kconform/v1/faults", b"[1]")
    assert_status(body, 400, "BadRequest")


def test_fault_endpoint_without_handler_is_404() -> None:
    from tests.simenv import SimEnv

    s = ServedEnv(SimEnv())
    s.start()
    try:
        _code, body = s.json("POST", "/kconform/v1/faults", {"fault": "KillNode"})
        assert_status(body, 404, "NotFound")
    finally:
        s.stop()


def test_keep_alive_serves_many_requests_on_one_connection(served: ServedEnv) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=5)
    for _ in range(20):
        conn.request("GET", "/api/v1/namespaces/default/configmaps")
        r = conn.getresponse()
        assert r.status == 200
        r.read()
    conn.request("GET", "/nope")
    r = conn.getresponse()
    assert r.status == 404
    r.read()
    conn.close()
    assert served.server.internal_errors == 0
