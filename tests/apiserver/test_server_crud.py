"""The in-process API server's REST semantics (``reference_impl/apiserver/server.py``).

Messages, reasons and codes are compared with the real kube-apiserver's text
(``staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go`` and the registries).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from reference_impl.apiserver import ApiError
from tests.simenv import SimEnv

Obj = dict[str, Any]
CONFLICT = (
    'Operation cannot be fulfilled on {res} "{name}": the object has been modified; please apply your '
    "changes to the latest version and try again"
)


def err(fn: Callable[[], Any]) -> ApiError:
    with pytest.raises(ApiError) as ei:
        fn()
    return ei.value


def cm(name: str, ns: str = "default", labels: dict[str, str] | None = None, **data: str) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns, "labels": labels or {}},
        "data": dict(data),
    }


def deploy(name: str, replicas: int = 1, app: str = "web") -> Obj:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": app}},
            "template": {
                "metadata": {"labels": {"app": app}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }


def svc(name: str, type_: str = "ClusterIP", node_port: int | None = None, port: int = 80) -> Obj:
    p: Obj = {"name": "http", "port": port, "protocol": "TCP", "targetPort": port}
    if node_port is not None:
        p["nodePort"] = node_port
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name},
        "spec": {"type": type_, "selector": {"app": name}, "ports": [p]},
    }


@pytest.fixture
def env() -> SimEnv:
    return SimEnv()


# -- bootstrap ---------------------------------------------------------------------------
def test_bootstrap(env: SimEnv) -> None:
    names = [n["metadata"]["name"] for n in env.api.list("namespaces")["items"]]
    assert sorted(names) == ["default", "kube-node-lease", "kube-public", "kube-system"]
    k = env.api.get("services", "kubernetes", "default")
    assert k["spec"]["clusterIP"] == "10.96.0.1"
    assert k["spec"]["ports"][0]["port"] == 443
    for ns in env.api.list("namespaces")["items"]:
        assert ns["status"]["phase"] == "Active"


# -- create ------------------------------------------------------------------------------
def test_create_sets_server_metadata(env: SimEnv) -> None:
    env.advance(90)
    body = cm("a")
    body["metadata"].update({"uid": "forged", "resourceVersion": "77", "generation": 9})
    out = env.api.create("configmaps", body, "default")
    meta = out["metadata"]
    assert meta["uid"] != "forged" and len(meta["uid"]) == 36
    assert meta["creationTimestamp"] == "2026-01-01T00:01:30Z"
    assert meta["resourceVersion"] == str(env.store.revision)
    assert "generation" not in meta  # configmaps have no generation
    d = env.api.create("deployments", deploy("d"), "default")
    assert d["metadata"]["generation"] == 1
    assert int(d["metadata"]["resourceVersion"]) > int(meta["resourceVersion"])
    assert env.api.get("configmaps", "a", "default") == out
    assert body["metadata"]["uid"] == "forged"  # the caller's object is not touched


def test_generate_name(env: SimEnv) -> None:
    body = cm("")
    body["metadata"] = {"generateName": "web-"}
    a = env.api.create("configmaps", body, "default")
    b = env.api.create("configmaps", body, "default")
    for o in (a, b):
        name = o["metadata"]["name"]
        assert name.startswith("web-") and len(name) == 9
        assert set(name[4:]) <= set("bcdfghjklmnpqrstvwxz2456789")
    assert a["metadata"]["name"] != b["metadata"]["name"]
    assert a["metadata"]["uid"] != b["metadata"]["uid"]


def test_create_without_name_is_invalid(env: SimEnv) -> None:
    e = err(lambda: env.api.create("configmaps", {"metadata": {}}, "default"))
    assert e.code == 422 and e.reason == "Invalid"
    assert e.details is not None and e.details["causes"][0]["field"] == "metadata.name"


def test_create_twice_already_exists(env: SimEnv) -> None:
    env.api.create("configmaps", cm("cm"), "default")
    rev = env.store.revision
    e = err(lambda: env.api.create("configmaps", cm("cm"), "default"))
    assert (e.code, e.reason, e.message) == (409, "AlreadyExists", 'configmaps "cm" already exists')
    assert e.status["details"] == {"name": "cm", "kind": "configmaps"}
    assert env.store.revision == rev


@pytest.mark.parametrize(
    ("resource", "ns", "message", "details"),
    [
        ("pods", "default", 'pods "x" not found', {"name": "x", "kind": "pods"}),
        ("deployments", "default", 'deployments.apps "x" not found', {"name": "x", "group": "apps", "kind": "deployments"}),
        ("nodes", None, 'nodes "x" not found', {"name": "x", "kind": "nodes"}),
        ("leases", "kube-node-lease", 'leases.coordination.k8s.io "x" not found', None),
    ],
)
def test_not_found_messages(env: SimEnv, resource: str, ns: str | None, message: str, details: Obj | None) -> None:
    for call in (
        lambda: env.api.get(resource, "x", ns),
        lambda: env.api.delete(resource, "x", ns),
        lambda: env.api.patch(resource, "x", {"metadata": {"labels": {"a": "b"}}}, "merge", ns),
    ):
        e = err(call)
        assert (e.code, e.reason, e.message) == (404, "NotFound", message)
        if details is not None:
            assert e.status["details"] == details
        assert e.status["kind"] == "Status" and e.status["status"] == "Failure"


def test_wrong_kind_is_bad_request(env: SimEnv) -> None:
    body = cm("x")
    body["kind"] = "Secret"
    e = err(lambda: env.api.create("configmaps", body, "default"))
    assert e.code == 400


# -- update ------------------------------------------------------------------------------
def test_update_with_stale_resource_version_conflicts(env: SimEnv) -> None:
    first = env.api.create("configmaps", cm("c", a="1"), "default")
    second = copy.deepcopy(first)
    second["data"]["a"] = "2"
    env.api.update("configmaps", second, "default")
    first["data"]["a"] = "3"
    e = err(lambda: env.api.update("configmaps", first, "default"))
    assert (e.code, e.reason) == (409, "Conflict")
    assert e.message == CONFLICT.format(res="configmaps", name="c")
    d = env.api.create("deployments", deploy("d"), "default")
    env.api.update("deployments", copy.deepcopy(d), "default")  # no-op: no new revision
    d["spec"]["replicas"] = 3
    env.api.update("deployments", d, "default")
    d["spec"]["replicas"] = 4
    e = err(lambda: env.api.update("deployments", d, "default"))
    assert e.message == CONFLICT.format(res="deployments.apps", name="d")
    assert e.status["details"] == {"name": "d", "group": "apps", "kind": "deployments"}


def test_update_without_resource_version_is_unconditional(env: SimEnv) -> None:
    env.api.create("configmaps", cm("c", a="1"), "default")
    env.api.update("configmaps", cm("c", a="2"), "default")
    out = env.api.update("configmaps", cm("c", a="3"), "default")
    assert out["data"] == {"a": "3"}
    assert env.api.get("configmaps", "c", "default")["data"] == {"a": "3"}


def test_update_keeps_uid_and_creation_timestamp(env: SimEnv) -> None:
    c = env.api.create("configmaps", cm("c"), "default")
    env.advance(10)
    body = cm("c", x="y")
    body["metadata"]["uid"] = "forged"
    body["metadata"]["creationTimestamp"] = "2030-01-01T00:00:00Z"
    out = env.api.update("configmaps", body, "default")
    assert out["metadata"]["uid"] == c["metadata"]["uid"]
    assert out["metadata"]["creationTimestamp"] == c["metadata"]["creationTimestamp"]


def test_generation_bumps_on_spec_change_only(env: SimEnv) -> None:
    d = env.api.create("deployments", deploy("d"), "default")
    d["metadata"]["labels"] = {"x": "y"}
    d = env.api.update("deployments", d, "default")
    assert d["metadata"]["generation"] == 1
    d["spec"]["replicas"] = 5
    d = env.api.update("deployments", d, "default")
    assert d["metadata"]["generation"] == 2
    d["status"] = {"replicas": 5, "observedGeneration": 2}
    d = env.api.update("deployments", d, "default", subresource="status")
    assert d["metadata"]["generation"] == 2
    d = env.api.patch("deployments", "d", {"spec": {"replicas": 2}}, "merge", "default")
    assert d["metadata"]["generation"] == 3


def test_status_subresource_changes_only_status(env: SimEnv) -> None:
    d = env.api.create("deployments", deploy("d"), "default")
    body = copy.deepcopy(d)
    body["status"] = {"replicas": 7}
    body["spec"]["replicas"] = 99
    body["metadata"]["labels"] = {"sneaky": "yes"}
    out = env.api.update("deployments", body, "default", subresource="status")
    assert out["status"] == {"replicas": 7}
    assert out["spec"]["replicas"] == 1
    assert not out["metadata"].get("labels")
    # the main resource ignores status
    out["status"] = {"replicas": 0}
    out["spec"]["replicas"] = 2
    out2 = env.api.update("deployments", out, "default")
    assert out2["status"] == {"replicas": 7}
    assert out2["spec"]["replicas"] == 2


def test_noop_update_keeps_resource_version(env: SimEnv) -> None:
    c = env.api.create("configmaps", cm("c", a="1"), "default")
    rev = env.store.revision
    out = env.api.update("configmaps", copy.deepcopy(c), "default")
    assert out["metadata"]["resourceVersion"] == c["metadata"]["resourceVersion"]
    assert env.store.revision == rev
    out = env.api.patch("configmaps", "c", {"data": {"a": "1"}}, "merge", "default")
    assert out["metadata"]["resourceVersion"] == c["metadata"]["resourceVersion"]
    assert env.store.revision == rev


# -- patch -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ptype", "body", "expected"),
    [
        ("json", [{"op": "replace", "path": "/data/a", "value": "2"}, {"op": "add", "path": "/data/c", "value": "3"}], {"a": "2", "b": "1", "c": "3"}),
        ("application/json-patch+json", [{"op": "remove", "path": "/data/b"}], {"a": "1"}),
        ("merge", {"data": {"a": None, "c": "3"}}, {"b": "1", "c": "3"}),
        ("application/merge-patch+json", {"data": {"b": "9"}}, {"a": "1", "b": "9"}),
        ("strategic", {"data": {"a": "5"}}, {"a": "5", "b": "1"}),
        ("application/strategic-merge-patch+json", {"data": {"$patch": "replace", "z": "1"}}, {"z": "1"}),
        ("apply", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "7"}}, None),
    ],
)
def test_patch_types(env: SimEnv, ptype: str, body: Any, expected: Obj | None) -> None:
    before = env.api.create("configmaps", cm("c", a="1", b="1"), "default")
    out = env.api.patch("configmaps", "c", body, ptype, "default")
    if expected is not None:
        assert out["data"] == expected
    else:
        assert out["data"]["a"] == "7"
    assert int(out["metadata"]["resourceVersion"]) > int(before["metadata"]["resourceVersion"])
    assert env.api.get("configmaps", "c", "default") == out


def test_strategic_patch_merges_containers_by_name(env: SimEnv) -> None:
    env.api.create("deployments", deploy("d"), "default")
    out = env.api.patch(
        "deployments",
        "d",
        {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:2"}]}}}},
        "strategic",
        "default",
    )
    cs = out["spec"]["template"]["spec"]["containers"]
    assert len(cs) == 1 and cs[0]["image"] == "nginx:2" and cs[0]["name"] == "c"


def test_apply_creates_when_absent(env: SimEnv) -> None:
    out = env.api.patch("configmaps", "new", {"apiVersion": "v1", "kind": "ConfigMap", "data": {"k": "v"}}, "apply", "default")
    assert out["metadata"]["name"] == "new" and out["data"] == {"k": "v"} and out["metadata"]["uid"]
    out2 = env.api.patch("configmaps", "new", {"apiVersion": "v1", "kind": "ConfigMap", "data": {"k": "w"}}, "apply", "default")
    assert out2["metadata"]["uid"] == out["metadata"]["uid"] and out2["data"]["k"] == "w"


def test_patch_with_stale_resource_version_conflicts(env: SimEnv) -> None:
    c = env.api.create("configmaps", cm("c", a="1"), "default")
    env.api.patch("configmaps", "c", {"data": {"a": "2"}}, "merge", "default")
    e = err(
        lambda: env.api.patch(
            "configmaps", "c", {"metadata": {"resourceVersion": c["metadata"]["resourceVersion"]}, "data": {"a": "3"}}, "merge", "default"
        )
    )
    assert e.code == 409 and e.message == CONFLICT.format(res="configmaps", name="c")


def test_unknown_patch_type_is_415(env: SimEnv) -> None:
    env.api.create("configmaps", cm("c"), "default")
    assert err(lambda: env.api.patch("configmaps", "c", {}, "text/plain", "default")).code == 415


# -- delete ------------------------------------------------------------------------------
def test_delete_scheduled_pod_is_graceful(env: SimEnv) -> None:
    env.node("n1")
    env.pod("p", node_name="n1")
    env.advance(5)
    out = env.api.delete("pods", "p", "default")
    assert out["metadata"]["deletionTimestamp"] == "2026-01-01T00:00:35Z"
    assert out["metadata"]["deletionGracePeriodSeconds"] == 30
    assert env.api.get("pods", "p", "default")["metadata"]["deletionTimestamp"]
    # a shorter grace period moves the deadline forward
    out = env.api.delete("pods", "p", "default", grace_period_seconds=10)
    assert out["metadata"]["deletionGracePeriodSeconds"] == 10
    assert out["metadata"]["deletionTimestamp"] == "2026-01-01T00:00:15Z"
    # the kubelet's final grace-0 delete removes it
    env.api.delete("pods", "p", "default", grace_period_seconds=0)
    assert err(lambda: env.api.get("pods", "p", "default")).code == 404


def test_delete_unscheduled_pod_goes_at_once(env: SimEnv) -> None:
    env.pod("p")
    env.api.delete("pods", "p", "default")
    assert err(lambda: env.api.get("pods", "p", "default")).code == 404


def test_finalizers_hold_an_object(env: SimEnv) -> None:
    body = cm("c")
    body["metadata"]["finalizers"] = ["example.com/hold"]
    env.api.create("configmaps", body, "default")
    out = env.api.delete("configmaps", "c", "default")
    assert out["metadata"]["deletionTimestamp"] and out["metadata"]["finalizers"] == ["example.com/hold"]
    got = env.api.get("configmaps", "c", "default")
    # no new finalizers once deleting
    got["metadata"]["finalizers"] = ["example.com/hold", "example.com/more"]
    e = err(lambda: env.api.update("configmaps", got, "default"))
    assert e.code == 422
    got = env.api.get("configmaps", "c", "default")
    got["metadata"]["finalizers"] = []
    env.api.update("configmaps", got, "default")
    assert err(lambda: env.api.get("configmaps", "c", "default")).code == 404


@pytest.mark.parametrize(("policy", "finalizer"), [("Orphan", "orphan"), ("Foreground", "foregroundDeletion")])
def test_propagation_policy_finalizers(env: SimEnv, policy: str, finalizer: str) -> None:
    env.api.create("deployments", deploy("d"), "default")
    out = env.api.delete("deployments", "d", "default", propagation_policy=policy)
    assert out["metadata"]["finalizers"] == [finalizer]
    assert out["metadata"]["deletionTimestamp"]
    assert env.api.get("deployments", "d", "default")["metadata"]["finalizers"] == [finalizer]


def test_background_delete_removes_at_once(env: SimEnv) -> None:
    env.api.create("deployments", deploy("d"), "default")
    env.api.delete("deployments", "d", "default", propagation_policy="Background")
    assert err(lambda: env.api.get("deployments", "d", "default")).code == 404
    e = err(lambda: env.api.delete("configmaps", "x", "default", propagation_policy="Sideways"))
    assert e.code == 422


def test_delete_collection(env: SimEnv) -> None:
    for i in range(4):
        env.api.create("configmaps", cm(f"c{i}", labels={"grp": "a" if i % 2 else "b"}), "default")
    env.api.create("configmaps", cm("other", "kube-system", labels={"grp": "a"}), "kube-system")
    out = env.api.delete_collection("configmaps", "default", label_selector="grp=a")
    assert sorted(i["metadata"]["name"] for i in out["items"]) == ["c1", "c3"]
    left = [i["metadata"]["name"] for i in env.api.list("configmaps", "default")["items"]]
    assert left == ["c0", "c2"]
    assert env.api.get("configmaps", "other", "kube-system")


# -- list --------------------------------------------------------------------------------
@pytest.fixture
def pods_env(env: SimEnv) -> SimEnv:
    env.node("n1")
    env.node("n2")
    env.pod("a", labels={"app": "web", "tier": "fe"}, node_name="n1")
    env.pod("b", labels={"app": "web", "tier": "be"}, node_name="n2")
    env.pod("c", labels={"app": "db"})
    env.api.create("namespaces", {"metadata": {"name": "other"}})
    env.pod("d", "other", labels={"app": "web"}, node_name="n1")
    env.set_pod_running("a")
    return env


@pytest.mark.parametrize(
    ("ns", "labels", "fields", "expected"),
    [
        ("default", None, None, ["a", "b", "c"]),
        (None, None, None, ["a", "b", "c", "d"]),
        (None, "app=web", None, ["a", "b", "d"]),
        (None, "app==web,tier!=fe", None, ["b", "d"]),
        (None, "app in (db, web),tier", None, ["a", "b"]),
        (None, "tier notin (fe)", None, ["b", "c", "d"]),
        (None, "!tier", None, ["c", "d"]),
        (None, None, "metadata.name=b", ["b"]),
        (None, None, "metadata.namespace=other", ["d"]),
        (None, None, "metadata.namespace!=other", ["a", "b", "c"]),
        (None, None, "spec.nodeName=n1", ["a", "d"]),
        (None, None, "spec.nodeName=", ["c"]),
        (None, None, "status.phase=Running", ["a"]),
        (None, None, "status.phase!=Running,spec.nodeName!=", ["b", "d"]),
        ("default", "app=web", "spec.nodeName=n1", ["a"]),
    ],
)
def test_list_selectors(pods_env: SimEnv, ns: str | None, labels: str | None, fields: str | None, expected: list[str]) -> None:
    out = pods_env.api.list("pods", ns, label_selector=labels, field_selector=fields)
    assert sorted(i["metadata"]["name"] for i in out["items"]) == expected
    assert out["kind"] == "PodList" and out["apiVersion"] == "v1"
    assert out["metadata"]["resourceVersion"] == str(pods_env.store.revision)


def test_unsupported_field_selector(env: SimEnv) -> None:
    e = err(lambda: env.api.list("pods", field_selector="x=1"))
    assert (e.code, e.reason, e.message) == (400, "BadRequest", "field label not supported: x")
    e = err(lambda: env.api.list("configmaps", field_selector="spec.nodeName=n1"))
    assert e.message == "field label not supported: spec.nodeName"


def test_list_chunking(env: SimEnv) -> None:
    for i in range(7):
        env.api.create("configmaps", cm(f"c{i}"), "default")
    seen: list[str] = []
    token: str | None = None
    remaining: list[int | None] = []
    rvs: set[str] = set()
    while True:
        page = env.api.list("configmaps", "default", limit=3, continue_=token)
        seen += [i["metadata"]["name"] for i in page["items"]]
        rvs.add(page["metadata"]["resourceVersion"])
        token = page["metadata"].get("continue")
        remaining.append(page["metadata"].get("remainingItemCount"))
        if not token:
            break
    assert seen == [f"c{i}" for i in range(7)]
    assert remaining == [4, 1, None]
    assert len(rvs) == 1  # every page is served from the first page's snapshot


def test_list_continue_is_a_consistent_snapshot(env: SimEnv) -> None:
    for i in range(4):
        env.api.create("configmaps", cm(f"c{i}"), "default")
    page = env.api.list("configmaps", "default", limit=2)
    env.api.delete("configmaps", "c3", "default")
    env.api.create("configmaps", cm("c9"), "default")
    rest = env.api.list("configmaps", "default", limit=10, continue_=page["metadata"]["continue"])
    assert [i["metadata"]["name"] for i in rest["items"]] == ["c2", "c3"]
    assert "continue" not in rest["metadata"]


def test_remaining_item_count_is_from_the_snapshot(env: SimEnv) -> None:
    for i in range(5):
        env.api.create("configmaps", cm(f"c{i}"), "default")
    first = env.api.list("configmaps", "default", limit=2)
    assert first["metadata"]["remainingItemCount"] == 3
    for i in range(3):
        env.api.create("configmaps", cm(f"z{i}"), "default")
    second = env.api.list("configmaps", "default", limit=2, continue_=first["metadata"]["continue"])
    assert [i["metadata"]["name"] for i in second["items"]] == ["c2", "c3"]
    assert second["metadata"]["remainingItemCount"] == 1  # only c4 is left in the snapshot


def test_list_with_selector_and_limit_pages_through_matches(env: SimEnv) -> None:
    for i in range(10):
        env.api.create("configmaps", cm(f"c{i}", labels={"odd": str(i % 2)}), "default")
    names: list[str] = []
    token: str | None = None
    while True:
        page = env.api.list("configmaps", "default", label_selector="odd=1", limit=2, continue_=token)
        assert len(page["items"]) <= 2
        assert "remainingItemCount" not in page["metadata"]
        names += [i["metadata"]["name"] for i in page["items"]]
        token = page["metadata"].get("continue")
        if not token:
            break
    assert names == ["c1", "c3", "c5", "c7", "c9"]


def test_continue_after_compaction_is_expired(env: SimEnv) -> None:
    for i in range(4):
        env.api.create("configmaps", cm(f"c{i}"), "default")
    page = env.api.list("configmaps", "default", limit=2)
    env.api.create("configmaps", cm("later"), "default")
    env.api.compact()
    e = err(lambda: env.api.list("configmaps", "default", limit=2, continue_=page["metadata"]["continue"]))
    assert (e.code, e.reason) == (410, "Expired")
    assert e.message.startswith("The provided continue parameter is too old")


def test_bad_continue_token(env: SimEnv) -> None:
    assert err(lambda: env.api.list("configmaps", "default", continue_="!!garbage")).code == 400


# -- validation --------------------------------------------------------------------------
def test_pod_without_image_is_invalid(env: SimEnv) -> None:
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c"}]}}
    e = err(lambda: env.api.create("pods", body, "default"))
    assert (e.code, e.reason) == (422, "Invalid")
    assert e.message.startswith('Pod "p" is invalid: ')
    causes = e.status["details"]["causes"]
    assert {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.containers[0].image"} in causes
    assert e.status["details"]["kind"] == "Pod" and e.status["details"]["name"] == "p"


def test_deployment_selector_mismatch_is_invalid(env: SimEnv) -> None:
    body = deploy("d")
    body["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    e = err(lambda: env.api.create("deployments", body, "default"))
    assert e.code == 422 and e.message.startswith('Deployment.apps "d" is invalid: ')
    details = e.status["details"]
    assert details["group"] == "apps" and details["kind"] == "Deployment"
    fields = {c["field"]: c for c in details["causes"]}
    assert "spec.template.metadata.labels" in fields
    assert "`selector` does not match template `labels`" in fields["spec.template.metadata.labels"]["message"]


# -- namespaces --------------------------------------------------------------------------
def test_create_in_missing_namespace(env: SimEnv) -> None:
    e = err(lambda: env.api.create("configmaps", cm("c", "nope"), "nope"))
    assert (e.code, e.reason, e.message) == (404, "NotFound", 'namespaces "nope" not found')


def test_create_in_terminating_namespace(env: SimEnv) -> None:
    env.api.create("namespaces", {"metadata": {"name": "t"}})
    out = env.api.delete("namespaces", "t")
    assert out["status"]["phase"] == "Terminating" and out["metadata"]["deletionTimestamp"]
    e = err(lambda: env.api.create("configmaps", cm("c", "t"), "t"))
    assert (e.code, e.reason) == (403, "Forbidden")
    assert e.message == 'configmaps "c" is forbidden: unable to create new content in namespace t because it is being terminated'


@pytest.mark.parametrize("ns", ["default", "kube-system", "kube-public"])
def test_protected_namespaces(env: SimEnv, ns: str) -> None:
    e = err(lambda: env.api.delete("namespaces", ns))
    assert (e.code, e.reason, e.message) == (403, "Forbidden", f'namespaces "{ns}" is forbidden: this namespace may not be deleted')
    assert env.api.get("namespaces", ns)["status"]["phase"] == "Active"


# -- services ----------------------------------------------------------------------------
def test_cluster_ip_allocation_unique_and_released(env: SimEnv) -> None:
    ips = {env.api.create("services", svc(f"s{i}"), "default")["spec"]["clusterIP"] for i in range(20)}
    assert len(ips) == 20 and "10.96.0.1" not in ips
    assert all(ip.startswith("10.9") for ip in ips)
    gone = env.api.get("services", "s0", "default")["spec"]["clusterIP"]
    env.api.delete("services", "s0", "default")
    body = svc("again")
    body["spec"]["clusterIP"] = gone
    assert env.api.create("services", body, "default")["spec"]["clusterIP"] == gone
    taken = svc("dup")
    taken["spec"]["clusterIP"] = gone
    e = err(lambda: env.api.create("services", taken, "default"))
    assert e.code == 422


def test_node_port_allocation(env: SimEnv) -> None:
    ports = [env.api.create("services", svc(f"n{i}", "NodePort"), "default")["spec"]["ports"][0]["nodePort"] for i in range(10)]
    assert len(set(ports)) == 10 and all(30000 <= p <= 32767 for p in ports)
    e = err(lambda: env.api.create("services", svc("dup", "NodePort", ports[3]), "default"))
    assert (e.code, e.reason) == (422, "Invalid")
    assert e.status["details"]["causes"][0]["field"] == "spec.ports[0].nodePort"
    assert "provided port is already allocated" in e.message
    assert err(lambda: env.api.get("services", "dup", "default")).code == 404
    env.api.delete("services", "n3", "default")
    assert env.api.create("services", svc("dup", "NodePort", ports[3]), "default")["spec"]["ports"][0]["nodePort"] == ports[3]
    e = err(lambda: env.api.create("services", svc("low", "NodePort", 80), "default"))
    assert e.code == 422


def test_failed_create_does_not_leak_allocations(env: SimEnv) -> None:
    a = env.api.create("services", svc("a", "NodePort", 30100), "default")
    body = svc("a", "NodePort", 30101)  # AlreadyExists after allocation: both must be given back
    body["spec"]["clusterIP"] = "10.96.5.5"
    assert err(lambda: env.api.create("services", body, "default")).code == 409
    b = svc("b", "NodePort", 30101)
    b["spec"]["clusterIP"] = "10.96.5.5"
    assert env.api.create("services", b, "default")["spec"]["clusterIP"] == "10.96.5.5"
    assert a["spec"]["ports"][0]["nodePort"] == 30100


def test_dry_run_update_does_not_allocate(env: SimEnv) -> None:
    s = env.api.create("services", svc("a"), "default")
    s["spec"]["type"] = "NodePort"
    s["spec"]["ports"][0]["nodePort"] = 30500
    dry = env.api.update("services", s, "default", dry_run=True)
    assert dry["spec"]["ports"][0]["nodePort"] == 30500
    assert "nodePort" not in env.api.get("services", "a", "default")["spec"]["ports"][0]
    env.api.create("services", svc("b", "NodePort", 30500), "default")


# -- admission ---------------------------------------------------------------------------
NOT_READY = {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
UNREACHABLE = {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, [NOT_READY, UNREACHABLE]),
        ([{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 5}],
         [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 5}, UNREACHABLE]),
        ([{"operator": "Exists"}], [{"operator": "Exists"}]),
        ([{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoSchedule"}],
         [{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoSchedule"}, NOT_READY, UNREACHABLE]),
        ([{"key": "node.kubernetes.io/unreachable", "operator": "Exists"}],
         [{"key": "node.kubernetes.io/unreachable", "operator": "Exists"}, NOT_READY]),
    ],
)
def test_default_toleration_seconds(env: SimEnv, given: list[Obj] | None, expected: list[Obj]) -> None:
    spec: Obj = {"containers": [{"name": "c", "image": "i"}]}
    if given is not None:
        spec["tolerations"] = given
    out = env.pod("p", spec=spec)
    assert out["spec"]["tolerations"] == expected


def test_pod_create_resets_status(env: SimEnv) -> None:
    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "i"}]},
        "status": {"phase": "Running", "podIP": "1.2.3.4"},
    }
    out = env.api.create("pods", body, "default")
    assert out["status"] == {"phase": "Pending", "qosClass": "BestEffort"}


# -- subresources ------------------------------------------------------------------------
def test_binding(env: SimEnv) -> None:
    env.node("n1")
    env.pod("p")
    body = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "p"}, "target": {"kind": "Node", "name": "n1"}}
    res = env.api.create("pods", body, "default", subresource="binding", name="p")
    assert res["status"] == "Success"
    pod = env.api.get("pods", "p", "default")
    assert pod["spec"]["nodeName"] == "n1"
    cond = [c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled"]
    assert len(cond) == 1 and cond[0]["status"] == "True"
    body["target"]["name"] = "n2"
    e = err(lambda: env.api.create("pods", body, "default", subresource="binding", name="p"))
    assert (e.code, e.reason) == (409, "Conflict")
    assert e.message == 'Operation cannot be fulfilled on pods "p": pod p is already assigned to node "n1"'
    assert env.api.get("pods", "p", "default")["spec"]["nodeName"] == "n1"


def test_scale_subresource(env: SimEnv) -> None:
    env.api.create("deployments", deploy("d", 2), "default")
    sc = env.api.get("deployments", "d", "default", subresource="scale")
    assert sc["kind"] == "Scale" and sc["apiVersion"] == "autoscaling/v1"
    assert sc["spec"]["replicas"] == 2 and sc["status"]["selector"] == "app=web"
    sc["spec"]["replicas"] = 5
    out = env.api.update("deployments", sc, "default", subresource="scale")
    assert out["spec"]["replicas"] == 5
    d = env.api.get("deployments", "d", "default")
    assert d["spec"]["replicas"] == 5 and d["metadata"]["generation"] == 2
    e = err(lambda: env.api.update("deployments", sc, "default", subresource="scale"))  # stale RV
    assert e.code == 409
    out = env.api.patch("deployments", "d", {"spec": {"replicas": 1}}, "merge", "default", subresource="scale")
    assert out["spec"]["replicas"] == 1
    assert env.api.get("deployments", "d", "default")["spec"]["replicas"] == 1
    e = err(lambda: env.api.patch("deployments", "d", {"spec": {"replicas": -1}}, "merge", "default", subresource="scale"))
    assert e.code == 422


@pytest.mark.parametrize(("resource", "kind", "status"), [
    ("deployments", "Deployment", {}),
    ("replicasets", "ReplicaSet", {"replicas": 0}),
    ("statefulsets", "StatefulSet", {"replicas": 0, "availableReplicas": 0}),
])
def test_a_created_workload_answers_with_its_strategys_empty_status(resource: str, kind: str, status: Obj) -> None:
    """What kube-apiserver v1.36.3 answers to the create (a ReplicaSet's replicas is not omitempty)."""
    env = SimEnv()
    body = {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w"}, "spec": {
        "serviceName": "s", "selector": {"matchLabels": {"a": "b"}},
        "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
    if kind != "StatefulSet":
        del body["spec"]["serviceName"]
    assert env.api.create(resource, body, "default")["status"] == status
