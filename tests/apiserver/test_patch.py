"""JSON merge patch, JSON patch and strategic merge patch as the API server applies them."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from reference_impl.apiserver.patch import (
    PatchError,
    apply_patch,
    json_merge_patch,
    json_merge_patch_shared,
    json_patch,
    merge_patch_object,
    patch_strategy,
    strategic_merge_patch,
)

# --------------------------------------------------------------------------- RFC 7386

# The examples of RFC 7386 Appendix A, verbatim.
RFC7386_CASES = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("target", "patch", "expected"), RFC7386_CASES)
def test_json_merge_patch_rfc7386(target: Any, patch: Any, expected: Any) -> None:
    before = copy.deepcopy((target, patch))
    assert json_merge_patch(target, patch) == expected
    assert (target, patch) == before


def test_json_merge_patch_result_shares_nothing() -> None:
    target = {"a": {"b": [1]}}
    patch = {"c": {"d": [2]}}
    result = json_merge_patch(target, patch)
    result["a"]["b"].append(9)
    result["c"]["d"].append(9)
    assert target == {"a": {"b": [1]}}
    assert patch == {"c": {"d": [2]}}


@pytest.mark.parametrize(
    ("target", "patch", "expected"), [c for c in RFC7386_CASES if isinstance(c[0], dict) and isinstance(c[1], dict)]
)
def test_copy_on_write_merge_patch_agrees_with_rfc7386_and_leaves_the_target(target: Any, patch: Any, expected: Any) -> None:
    before = copy.deepcopy((target, patch))
    assert json_merge_patch_shared(target, patch) == expected
    assert (target, patch) == before


def test_copy_on_write_merge_patch_copies_only_the_paths_it_touches() -> None:
    target = {"spec": {"x": [1]}, "status": {"conditions": [{"type": "Ready"}], "phase": "Pending"}}
    patch = {"status": {"phase": "Running", "podIP": ["10.0.0.1"]}}
    result = json_merge_patch_shared(target, patch)
    assert result["spec"] is target["spec"]  # untouched: shared
    assert result["status"] is not target["status"]
    assert result["status"]["conditions"] is target["status"]["conditions"]
    assert result["status"]["podIP"] is not patch["status"]["podIP"]  # the body stays the caller's
    assert target["status"]["phase"] == "Pending"
    handed = json_merge_patch_shared(target, patch, take_patch=True)
    assert handed == result and handed["status"]["podIP"] is patch["status"]["podIP"]


@pytest.mark.parametrize("body", [None, [], "x", 3])
def test_merge_patch_object_refuses_non_objects(body: Any) -> None:
    with pytest.raises(PatchError) as info:
        merge_patch_object({"a": 1}, body)
    assert (info.value.code, info.value.message) == (400, "Invalid JSON Patch")


# --------------------------------------------------------------------------- RFC 6902

RFC6902_CASES = [
    # A.1 - A.10, A.14, A.16 of RFC 6902.
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": "qux"}], {"baz": "qux", "foo": "bar"}),
    ({"foo": ["bar", "baz"]}, [{"op": "add", "path": "/foo/1", "value": "qux"}], {"foo": ["bar", "qux", "baz"]}),
    ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
    ({"foo": ["bar", "qux", "baz"]}, [{"op": "remove", "path": "/foo/1"}], {"foo": ["bar", "baz"]}),
    ({"baz": "qux", "foo": "bar"}, [{"op": "replace", "path": "/baz", "value": "boo"}], {"baz": "boo", "foo": "bar"}),
    (
        {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
        [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
        {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}},
    ),
    (
        {"foo": ["all", "grass", "cows", "eat"]},
        [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
        {"foo": ["all", "cows", "eat", "grass"]},
    ),
    (
        {"baz": "qux", "foo": ["a", 2, "c"]},
        [{"op": "test", "path": "/baz", "value": "qux"}, {"op": "test", "path": "/foo/1", "value": 2}],
        {"baz": "qux", "foo": ["a", 2, "c"]},
    ),
    ({"foo": "bar"}, [{"op": "add", "path": "/child", "value": {"grandchild": {}}}], {"foo": "bar", "child": {"grandchild": {}}}),
    ({"foo": ["bar"]}, [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}], {"foo": ["bar", ["abc", "def"]]}),
    ({"/": 9, "~1": 10}, [{"op": "test", "path": "/~01", "value": 10}], {"/": 9, "~1": 10}),
    ({"foo": "bar"}, [{"op": "add", "path": "/baz", "value": None}], {"foo": "bar", "baz": None}),
    # JSON pointer escapes: "~1" is "/", "~0" is "~".
    ({"a/b": 1}, [{"op": "replace", "path": "/a~1b", "value": 2}], {"a/b": 2}),
    ({"m~n": 1}, [{"op": "remove", "path": "/m~0n"}], {}),
    # Kubernetes-typical: a label key with a slash.
    (
        {"metadata": {"labels": {"app": "x"}}},
        [{"op": "add", "path": "/metadata/labels/example.com~1tier", "value": "web"}],
        {"metadata": {"labels": {"app": "x", "example.com/tier": "web"}}},
    ),
    ({"a": {"b": 1}}, [{"op": "copy", "from": "/a", "path": "/c"}], {"a": {"b": 1}, "c": {"b": 1}}),
    ({"l": [1, 2, 3]}, [{"op": "remove", "path": "/l/-1"}], {"l": [1, 2]}),
    # json-patch.v4 lets replace add a missing object member (only array indexes are checked).
    ({"a": 1}, [{"op": "replace", "path": "/b", "value": 2}], {"a": 1, "b": 2}),
    ({"a": 1}, [{"op": "test", "path": "/b", "value": None}], {"a": 1}),
    ({"a": 1}, [{"op": "replace", "path": "", "value": {"z": 0}}], {"z": 0}),
    ({"a": 1}, [], {"a": 1}),
]


@pytest.mark.parametrize(("target", "ops", "expected"), RFC6902_CASES)
def test_json_patch_rfc6902(target: Any, ops: list, expected: Any) -> None:
    before = copy.deepcopy((target, ops))
    assert json_patch(target, ops) == expected
    assert (target, ops) == before


RFC6902_ERRORS = [
    # A.9 failed test, A.12 missing parent, A.13 removing a missing member.
    (
        {"baz": "qux"},
        [{"op": "test", "path": "/baz", "value": "bar"}],
        422,
        "testing value /baz failed: test failed",
    ),
    (
        {"foo": "bar"},
        [{"op": "add", "path": "/baz/bat", "value": "qux"}],
        422,
        'add operation does not apply: doc is missing path: "/baz/bat": missing value',
    ),
    (
        {"foo": "bar"},
        [{"op": "remove", "path": "/baz"}],
        422,
        "error in remove for path: '/baz': Unable to remove nonexistent key: baz: missing value",
    ),
    (
        {"/": 9, "~1": 10},
        [{"op": "test", "path": "/~01", "value": "10"}],
        422,
        "testing value /~01 failed: test failed",
    ),
    # true is not 1 in JSON.
    ({"a": 1}, [{"op": "test", "path": "/a", "value": True}], 422, "testing value /a failed: test failed"),
    ({"a": "x"}, [{"op": "test", "path": "/b", "value": "x"}], 422, "testing value /b failed: test failed"),
    (
        {"l": [1]},
        [{"op": "replace", "path": "/l/5", "value": 2}],
        422,
        "replace operation does not apply: doc is missing key: /l/5: missing value",
    ),
    (
        {"l": [1]},
        [{"op": "add", "path": "/l/3", "value": 2}],
        422,
        "error in add for path: '/l/3': Unable to access invalid index: 3: invalid index referenced",
    ),
    (
        {"l": [1]},
        [{"op": "add", "path": "/l/x", "value": 2}],
        422,
        "error in add for path: '/l/x': value was not a proper array index: 'x': "
        'strconv.Atoi: parsing "x": invalid syntax',
    ),
    (
        {"a": 1},
        [{"op": "move", "from": "/x/y", "path": "/b"}],
        422,
        "move operation does not apply: doc is missing from path: /x/y: missing value",
    ),
    (
        {"a": 1},
        [{"op": "move", "from": "/x", "path": "/b"}],
        422,
        "error in move for path: 'x': Unable to remove nonexistent key: x: missing value",
    ),
    (
        {"a": 1},
        [{"op": "copy", "from": "/a", "path": "/x/y"}],
        422,
        "copy operation does not apply: doc is missing destination path: /x/y: missing value",
    ),
    ({"a": 1}, [{"op": "bogus", "path": "/a"}], 422, "Unexpected kind: bogus"),
    ({"a": 1}, [{"path": "/a"}], 422, "Unexpected kind: unknown"),
    ({"a": 1}, [{"op": "add", "value": 1}], 422, "add operation failed to decode path: missing value"),
    (
        {"a": 1},
        [{"op": "test", "value": 1}],
        422,
        "test operation failed to decode path: operation missing path field: missing value",
    ),
    (
        {"a": 1},
        [{"op": "move", "path": "/b"}],
        422,
        "move operation failed to decode from: operation, missing from field: missing value",
    ),
    (
        {"a": 1},
        [{"op": "add", "path": "", "value": 1}],
        422,
        'add operation does not apply: doc is missing path: "": missing value',
    ),
    # Malformed documents are 400, before anything is applied.
    ({"a": 1}, {"op": "add"}, 400, "json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
    ({"a": 1}, ["add"], 400, "json: cannot unmarshal string into Go value of type jsonpatch.Operation"),
    (
        {"a": 1},
        [{"op": "test", "path": "/a", "value": 1}] * 10001,
        413,
        "The allowed maximum operations in a JSON patch is 10000, got 10001",
    ),
]


@pytest.mark.parametrize(("target", "ops", "code", "message"), RFC6902_ERRORS)
def test_json_patch_errors(target: Any, ops: Any, code: int, message: str) -> None:
    before = copy.deepcopy(target)
    with pytest.raises(PatchError) as info:
        json_patch(target, ops)
    assert (info.value.code, info.value.message) == (code, message)
    assert target == before


def test_json_patch_is_all_or_nothing() -> None:
    target = {"metadata": {"labels": {"a": "1"}}}
    with pytest.raises(PatchError):
        json_patch(
            target,
            [
                {"op": "add", "path": "/metadata/labels/b", "value": "2"},
                {"op": "test", "path": "/metadata/labels/a", "value": "9"},
            ],
        )
    assert target == {"metadata": {"labels": {"a": "1"}}}


# --------------------------------------------------------------------------- strategic merge patch


def _pod(containers: list[dict], **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default", "labels": {"app": "web"}},
        "spec": {"containers": containers, **spec},
    }


def _deployment(containers: list[dict]) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d", "namespace": "default"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": containers}},
        },
    }


NGINX = {"name": "nginx", "image": "nginx:1.25", "ports": [{"containerPort": 80}]}
SIDECAR = {"name": "sidecar", "image": "busybox", "env": [{"name": "A", "value": "1"}]}


def _leaks_directive(value: Any) -> bool:
    return "$" in json.dumps(value)


SMP_CASES = [
    (
        "containers merge by name",
        "Pod",
        _pod([NGINX, SIDECAR]),
        {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}},
        {"spec": {"containers": [{**NGINX, "image": "nginx:1.27"}, SIDECAR]}},
    ),
    (
        # mergeSortedSlice puts a patch item that the server list lacks before server-only items.
        "a new container goes before the untouched ones",
        "Pod",
        _pod([NGINX]),
        {"spec": {"containers": [{"name": "extra", "image": "x"}]}},
        {"spec": {"containers": [{"name": "extra", "image": "x"}, NGINX]}},
    ),
    (
        "workload pod template: containers merge by name",
        "Deployment",
        _deployment([NGINX, SIDECAR]),
        {"spec": {"template": {"spec": {"containers": [{"name": "sidecar", "image": "busybox:2"}]}}}},
        {"spec": {"template": {"spec": {"containers": [NGINX, {**SIDECAR, "image": "busybox:2"}]}}}},
    ),
    (
        "env merges by name",
        "Pod",
        _pod([SIDECAR]),
        {"spec": {"containers": [{"name": "sidecar", "env": [{"name": "B", "value": "2"}, {"name": "A", "value": "9"}]}]}},
        {"spec": {"containers": [{**SIDECAR, "env": [{"name": "B", "value": "2"}, {"name": "A", "value": "9"}]}]}},
    ),
    (
        "ports merge by containerPort",
        "Pod",
        _pod([NGINX]),
        {"spec": {"containers": [{"name": "nginx", "ports": [{"containerPort": 80, "name": "http"}, {"containerPort": 443}]}]}},
        {"spec": {"containers": [{**NGINX, "ports": [{"containerPort": 80, "name": "http"}, {"containerPort": 443}]}]}},
    ),
    (
        "$patch: delete removes a container",
        "Pod",
        _pod([NGINX, SIDECAR]),
        {"spec": {"containers": [{"name": "sidecar", "$patch": "delete"}]}},
        {"spec": {"containers": [NGINX]}},
    ),
    (
        "$patch: replace in a list element replaces the whole list",
        "Pod",
        _pod([NGINX, SIDECAR]),
        {"spec": {"containers": [{"name": "only", "image": "x"}, {"$patch": "replace"}]}},
        {"spec": {"containers": [{"name": "only", "image": "x"}]}},
    ),
    (
        "$patch: replace in a map replaces the map",
        "Pod",
        _pod([NGINX]),
        {"metadata": {"labels": {"$patch": "replace", "tier": "db"}}},
        {"metadata": {"labels": {"tier": "db"}}},
    ),
    (
        "$patch: delete in a map empties it",
        "Pod",
        _pod([NGINX]),
        {"metadata": {"labels": {"$patch": "delete"}}},
        {"metadata": {"labels": {}}},
    ),
    (
        "null deletes a field",
        "Pod",
        _pod([NGINX]),
        {"metadata": {"labels": {"app": None, "tier": "db"}}},
        {"metadata": {"labels": {"tier": "db"}}},
    ),
    (
        "tolerations have no merge key and are replaced",
        "Pod",
        _pod([NGINX], tolerations=[{"key": "a", "operator": "Exists"}]),
        {"spec": {"tolerations": [{"key": "b", "operator": "Exists"}]}},
        {"spec": {"tolerations": [{"key": "b", "operator": "Exists"}]}},
    ),
    (
        "container args are atomic",
        "Pod",
        _pod([{"name": "c", "args": ["a", "b"]}]),
        {"spec": {"containers": [{"name": "c", "args": ["c"]}]}},
        {"spec": {"containers": [{"name": "c", "args": ["c"]}]}},
    ),
    (
        "$setElementOrder reorders and is stripped",
        "Pod",
        _pod([NGINX, SIDECAR]),
        {
            "spec": {
                "$setElementOrder/containers": [{"name": "sidecar"}, {"name": "nginx"}],
                "containers": [{"name": "nginx", "image": "nginx:2"}],
            }
        },
        {"spec": {"containers": [SIDECAR, {**NGINX, "image": "nginx:2"}]}},
    ),
    (
        "$setElementOrder alone reorders the live list",
        "Pod",
        _pod([NGINX, SIDECAR]),
        {"spec": {"$setElementOrder/containers": [{"name": "sidecar"}, {"name": "nginx"}]}},
        {"spec": {"containers": [SIDECAR, NGINX]}},
    ),
    (
        "finalizers merge as a set",
        "Pod",
        {**_pod([NGINX]), "metadata": {"name": "p", "finalizers": ["a", "b"]}},
        {"metadata": {"finalizers": ["b", "c"]}},
        {"metadata": {"name": "p", "finalizers": ["a", "b", "c"]}},
    ),
    (
        "$deleteFromPrimitiveList removes finalizers",
        "Pod",
        {**_pod([NGINX]), "metadata": {"name": "p", "finalizers": ["a", "b", "c"]}},
        {"metadata": {"$deleteFromPrimitiveList/finalizers": ["b"]}},
        {"metadata": {"name": "p", "finalizers": ["a", "c"]}},
    ),
    (
        "pod status conditions merge by type",
        "Pod",
        {
            **_pod([NGINX]),
            "status": {"conditions": [{"type": "PodScheduled", "status": "True"}, {"type": "Ready", "status": "False"}]},
        },
        {"status": {"conditions": [{"type": "Ready", "status": "True"}, {"type": "Initialized", "status": "True"}]}},
        {
            "status": {
                "conditions": [
                    {"type": "PodScheduled", "status": "True"},
                    {"type": "Ready", "status": "True"},
                    {"type": "Initialized", "status": "True"},
                ]
            }
        },
    ),
    (
        "node status conditions merge by type",
        "Node",
        {"kind": "Node", "metadata": {"name": "n"}, "status": {"conditions": [{"type": "Ready", "status": "True"}, {"type": "DiskPressure", "status": "False"}]}},
        {"status": {"conditions": [{"type": "Ready", "status": "Unknown"}]}},
        {"status": {"conditions": [{"type": "Ready", "status": "Unknown"}, {"type": "DiskPressure", "status": "False"}]}},
    ),
    (
        "node taints are replaced",
        "Node",
        {"kind": "Node", "metadata": {"name": "n"}, "spec": {"taints": [{"key": "a", "effect": "NoSchedule"}]}},
        {"spec": {"taints": [{"key": "b", "effect": "NoExecute"}]}},
        {"spec": {"taints": [{"key": "b", "effect": "NoExecute"}]}},
    ),
    (
        "service ports merge by port",
        "Service",
        {"kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443}]}},
        {"spec": {"ports": [{"port": 80, "targetPort": 9090}]}},
        {"spec": {"ports": [{"port": 80, "targetPort": 9090}, {"port": 443}]}},
    ),
    (
        "ownerReferences merge by uid",
        "ReplicaSet",
        {"kind": "ReplicaSet", "metadata": {"name": "r", "ownerReferences": [{"uid": "1", "name": "a"}]}},
        {"metadata": {"ownerReferences": [{"uid": "2", "name": "b"}]}},
        {"metadata": {"name": "r", "ownerReferences": [{"uid": "2", "name": "b"}, {"uid": "1", "name": "a"}]}},
    ),
    (
        "cronjob pod template containers merge by name",
        "CronJob",
        {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [NGINX, SIDECAR]}}}}}},
        {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "n:2"}]}}}}}},
        {"spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{**NGINX, "image": "n:2"}, SIDECAR]}}}}}},
    ),
    (
        "$retainKeys clears the other members",
        "Deployment",
        {"kind": "Deployment", "spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}},
        {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}},
        {"spec": {"strategy": {"type": "Recreate"}}},
    ),
    (
        "directives inside a newly added value are processed, not stored",
        "Pod",
        {"kind": "Pod", "metadata": {"name": "p"}},
        {"spec": {"$setElementOrder/containers": [{"name": "c"}], "containers": [{"name": "c", "env": [{"name": "X", "value": None}]}]}},
        {"spec": {"containers": [{"name": "c", "env": [{"name": "X"}]}]}},
    ),
]


def _subset(expected: Any, actual: Any) -> bool:
    """Every member of ``expected`` is in ``actual`` with that value (lists compare exactly)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and _subset(v, actual[k]) for k, v in expected.items())
    return expected == actual


@pytest.mark.parametrize(("kind", "target", "patch", "expected"), [c[1:] for c in SMP_CASES], ids=[c[0] for c in SMP_CASES])
def test_strategic_merge_patch(kind: str, target: dict, patch: dict, expected: dict) -> None:
    before = copy.deepcopy((target, patch))
    result = strategic_merge_patch(target, patch, kind)
    assert _subset(expected, result), result
    assert not _leaks_directive(result)
    assert (target, patch) == before


def test_strategic_merge_patch_exact_result() -> None:
    # Untouched fields stay, labels merge, the patched container keeps its other fields.
    result = strategic_merge_patch(
        _pod([NGINX, SIDECAR]),
        {"metadata": {"labels": {"tier": "web"}}, "spec": {"containers": [{"name": "nginx", "image": "n:2"}]}},
        "Pod",
    )
    assert result == {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default", "labels": {"app": "web", "tier": "web"}},
        "spec": {"containers": [{**NGINX, "image": "n:2"}, SIDECAR]},
    }


def test_order_of_merged_list_follows_patch_then_server() -> None:
    # normalizeElementOrder: a new item named before a server item in the patch goes first.
    live = {"status": {"conditions": [{"type": "A"}, {"type": "B"}, {"type": "C"}]}}
    result = strategic_merge_patch(live, {"status": {"conditions": [{"type": "D"}, {"type": "A", "x": 1}]}}, "Node")
    assert [c["type"] for c in result["status"]["conditions"]] == ["D", "A", "B", "C"]


def test_result_shares_nothing_with_inputs() -> None:
    live = _pod([NGINX])
    patch = {"spec": {"tolerations": [{"key": "a"}]}}
    result = strategic_merge_patch(live, patch, "Pod")
    result["spec"]["containers"][0]["ports"].append({"containerPort": 1})
    result["spec"]["tolerations"][0]["key"] = "changed"
    assert live == _pod([NGINX])
    assert patch == {"spec": {"tolerations": [{"key": "a"}]}}


SMP_ERRORS = [
    ({"metadata": {"$patch": "merge"}}, 500, "unknown patch type: merge in map: map[$patch:merge]"),
    ({"metadata": {"labels": {"$patch": "bogus", "a": "b"}}}, 500, "unknown patch type: bogus in map: map[$patch:bogus a:b]"),
    (
        {"spec": {"containers": [{"$patch": "merge", "name": "x"}]}},
        500,
        "merging lists cannot yet be specified in the patch",
    ),
    (
        {"spec": {"containers": [{"$patch": "delete"}]}},
        500,
        "map: map[$patch:delete] does not contain declared merge key: name",
    ),
    ({"spec": {"containers": [{"image": "x"}]}}, 500, "map: map[image:x] does not contain declared merge key: name"),
    ({"spec": {"$retainKeys": "containers"}}, 400, "invalid patch format of retainKeys"),
    ({"spec": {"$retainKeys": ["x"], "containers": []}}, 400, "invalid patch format of retainKeys"),
    ({"metadata": {"$deleteFromPrimitiveListfinalizers": ["a"]}}, 400, "invalid patch format of primitive list"),
    ({"metadata": {"finalizers": [["a"]]}}, 422, "lists of lists are not supported"),
]


@pytest.mark.parametrize(("patch", "code", "message"), SMP_ERRORS)
def test_strategic_merge_patch_errors(patch: dict, code: int, message: str) -> None:
    with pytest.raises(PatchError) as info:
        strategic_merge_patch(_pod([NGINX]), patch, "Pod")
    assert (info.value.code, info.value.message) == (code, message)


def test_strategic_merge_patch_refuses_non_object() -> None:
    with pytest.raises(PatchError) as info:
        strategic_merge_patch(_pod([NGINX]), [1], "Pod")  # type: ignore[arg-type]
    assert info.value.code == 400


STRATEGY_CASES = [
    ("Pod", "spec.containers", ("merge", "name")),
    ("Pod", "spec.containers.ports", ("merge", "containerPort")),
    ("Pod", "spec.initContainers.volumeMounts", ("merge", "mountPath")),
    ("Pod", "spec.volumes", ("merge", "name")),
    ("Pod", "spec.hostAliases", ("merge", "ip")),
    ("Pod", "spec.topologySpreadConstraints", ("merge", "topologyKey")),
    ("Pod", "spec.tolerations", None),
    ("Pod", "metadata.finalizers", ("merge", None)),
    ("Deployment", "spec.template.spec.containers.env", ("merge", "name")),
    ("Deployment", "spec.template.metadata.finalizers", ("merge", None)),
    ("Deployment", "spec.containers", None),
    ("CronJob", "spec.jobTemplate.spec.template.spec.imagePullSecrets", ("merge", "name")),
    ("Job", "status.conditions", ("merge", "type")),
    ("Node", "status.addresses", ("merge", "type")),
    ("Node", "spec.taints", None),
    ("Service", "spec.ports", ("merge", "port")),
    ("Endpoints", "subsets", None),
    ("ConfigMap", "metadata.ownerReferences", ("merge", "uid")),
]


@pytest.mark.parametrize(("kind", "path", "expected"), STRATEGY_CASES)
def test_patch_strategy_table(kind: str, path: str, expected: tuple | None) -> None:
    assert patch_strategy(kind, path) == expected


# --------------------------------------------------------------------------- apply


def test_apply_creates_from_applied_configuration() -> None:
    applied = _deployment([NGINX])
    result = apply_patch(None, applied, "Deployment")
    assert result == applied
    assert result is not applied


def test_apply_merges_onto_live_object() -> None:
    live = _deployment([NGINX, SIDECAR])
    live["status"] = {"replicas": 2}
    live["metadata"]["uid"] = "u1"
    applied = _deployment([{"name": "nginx", "image": "nginx:1.27"}])
    applied["spec"]["replicas"] = 5
    result = apply_patch(live, applied, "Deployment")
    assert result["spec"]["replicas"] == 5
    assert result["status"] == {"replicas": 2}
    assert result["metadata"]["uid"] == "u1"
    containers = result["spec"]["template"]["spec"]["containers"]
    assert containers == [{**NGINX, "image": "nginx:1.27"}, SIDECAR]
    assert live["spec"]["replicas"] == 2


def test_apply_keeps_two_spread_constraints_on_one_topology_key() -> None:
    """SSA keys topologySpreadConstraints by (topologyKey, whenUnsatisfiable); re-applying must
    not collapse two constraints that share a topologyKey (strategic merge keys by topologyKey)."""
    from reference_impl.apiserver.patch import apply_patch

    tsc = [
        {"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway"},
        {"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "DoNotSchedule"},
    ]
    applied = {"spec": {"topologySpreadConstraints": tsc}}
    assert apply_patch(applied, applied, "Pod")["spec"]["topologySpreadConstraints"] == tsc
