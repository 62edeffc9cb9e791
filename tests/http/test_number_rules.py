"""Kubernetes' number rules on the wire: bodies decode into their Go types as kube-apiserver's do.

Every expected answer here is what kube-apiserver v1.36.3 (``kconform upstream up``) answered to
the same request: an integer beyond its field's int32/int64 range, a non-integer literal
(``1.5``, ``2.0``, ``3e0``) or a value of the wrong JSON type is a 400 naming the Go struct field
for a create or update, a 422 on ``patch`` for a merge or JSON patch (the patched object fails to
decode), and wraps to the field's width for a strategic merge patch (the unstructured converter
truncates, so ``2^31`` replicas read ``-2^31`` and fail validation); NaN and Infinity are refused
by the scanner; query integers are parsed by ``strconv.ParseInt``. None of them is a 500, and a
replicas value no controller could reach never gets to one.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.http.conftest import ServedEnv

NS = "/api/v1/namespaces/default"
APPS = "/apis/apps/v1/namespaces/default"
JSON = {"Content-Type": "application/json"}
MERGE = {"Content-Type": "application/merge-patch+json"}
SMP = {"Content-Type": "application/strategic-merge-patch+json"}
JSONPATCH = {"Content-Type": "application/json-patch+json"}


def deployment(name: str, replicas: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"a": "b"}},
                 "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "busybox"}]}}},
    }


def pod(name: str, **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "busybox"}], **spec}}


DEP_PREFIX = 'Deployment in version "v1" cannot be handled as a Deployment: '
POD_PREFIX = 'Pod in version "v1" cannot be handled as a Pod: '
CM_PREFIX = 'ConfigMap in version "v1" cannot be handled as a ConfigMap: '

CREATES = [
    (APPS + "/deployments", deployment("d1", 2**70),
     DEP_PREFIX + "json: cannot unmarshal number 1180591620717411303424 into Go struct field DeploymentSpec.spec.replicas of type int32"),
    (APPS + "/deployments", deployment("d2", 2**31),
     DEP_PREFIX + "json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32"),
    (APPS + "/deployments", deployment("d3", 1.5),
     DEP_PREFIX + "json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32"),
    (APPS + "/deployments", json.dumps(deployment("d4", 0)).replace('"replicas": 0', '"replicas": 3e0'),
     DEP_PREFIX + "json: cannot unmarshal number 3e0 into Go struct field DeploymentSpec.spec.replicas of type int32"),
    (APPS + "/deployments", json.dumps(deployment("d5", 0)).replace('"replicas": 0', '"replicas": 2.0'),
     DEP_PREFIX + "json: cannot unmarshal number 2.0 into Go struct field DeploymentSpec.spec.replicas of type int32"),
    (APPS + "/deployments", deployment("d6", "3"),
     DEP_PREFIX + "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"),
    (APPS + "/deployments",
     {**deployment("d7", 1), "spec": {**deployment("d7", 1)["spec"], "strategy": {"rollingUpdate": {"maxSurge": 2**40}}}},
     DEP_PREFIX + "json: cannot unmarshal number 1099511627776 into Go struct field "
     "RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32"),
    (NS + "/pods", json.dumps(pod("p1", terminationGracePeriodSeconds=0)).replace(
        '"terminationGracePeriodSeconds": 0', '"terminationGracePeriodSeconds": 3e11'),
     POD_PREFIX + "json: cannot unmarshal number 3e11 into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64"),
    (NS + "/pods", pod("p2", terminationGracePeriodSeconds=2**63),
     POD_PREFIX + "json: cannot unmarshal number 9223372036854775808 into Go struct field "
     "PodSpec.spec.terminationGracePeriodSeconds of type int64"),
    (NS + "/pods", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p3"}, "spec": {"containers": ["x"]}},
     POD_PREFIX + "json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container"),
    (NS + "/pods", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p4"}, "spec": {"containers": {"a": 1}}},
     POD_PREFIX + "json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container"),
    (NS + "/pods", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p5"}, "spec": "x"},
     POD_PREFIX + "json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec"),
    (NS + "/pods", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p6"},
                    "spec": {"containers": [{"name": "c", "image": "b", "ports": [{"containerPort": 2**40}]}]}},
     POD_PREFIX + "json: cannot unmarshal number 1099511627776 into Go struct field "
     "ContainerPort.spec.containers.ports.containerPort of type int32"),
    (NS + "/configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c1"}, "data": {"a": 2**70}},
     CM_PREFIX + "json: cannot unmarshal number into Go struct field ConfigMap.data of type string"),
    (NS + "/configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c2", "labels": {"a": 1}}},
     CM_PREFIX + "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"),
    (NS + "/configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c3", "generation": 1.5}},
     CM_PREFIX + "json: cannot unmarshal number 1.5 into Go struct field ObjectMeta.metadata.generation of type int64"),
    (NS + "/configmaps", '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c4"},"x":NaN}',
     "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: "
     "invalid character 'N' looking for beginning of value ({\"apiVersion\":\"v1\",\"kind\":\"Con ...)"),
    (NS + "/configmaps", '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c5"},"x":-Infinity}',
     "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: "
     "invalid character 'I' in numeric literal ({\"apiVersion\":\"v1\",\"kind\":\"Con ...)"),
    ("/api/v1/namespaces/default/services",
     {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s1"}, "spec": {"ports": [{"port": 80, "targetPort": 2**31}]}},
     'Service in version "v1" cannot be handled as a Service: json: cannot unmarshal number 2147483648 into Go struct field '
     "ServicePort.spec.ports.targetPort of type int32"),
]


@pytest.mark.parametrize("path,body,message", CREATES, ids=[c[2].rpartition(" ")[0][-60:] for c in CREATES])
def test_a_body_that_does_not_decode_into_its_go_type_is_a_400(served: ServedEnv, path: str, body: Any, message: str) -> None:
    code, out = served.json("POST", path, body, JSON)
    assert (code, out["reason"], out["message"]) == (400, "BadRequest", message)


def test_edges_that_do_decode_are_kept_exactly(served: ServedEnv) -> None:
    code, out = served.json("POST", NS + "/pods", pod("edge", terminationGracePeriodSeconds=2**63 - 1), JSON)
    assert code == 201 and out["spec"]["terminationGracePeriodSeconds"] == 2**63 - 1
    # a Quantity takes any number; one beyond int64 is written back as the string it parses
    big = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "q"},
           "spec": {"containers": [{"name": "c", "image": "b", "resources": {"requests": {"cpu": 2**70}}}]}}
    code, out = served.json("POST", NS + "/pods", big, JSON)
    assert code == 201, out
    # an unknown field of any size is dropped (with its warning), not stored
    code, out = served.json("POST", NS + "/configmaps", {"apiVersion": "v1", "kind": "ConfigMap",
                                                          "metadata": {"name": "u"}, "x": 2**70}, JSON)
    assert code == 201 and "x" not in out


def test_replicas_beyond_int32_never_reach_a_controller(served: ServedEnv) -> None:
    code, _ = served.json("POST", APPS + "/deployments", deployment("d", 1), JSON)
    assert code == 201
    for patch, headers in (({"spec": {"replicas": 1099511627776}}, MERGE), ({"spec": {"replicas": 2**70}}, MERGE),
                           ([{"op": "replace", "path": "/spec/replicas", "value": 2**31}], JSONPATCH)):
        code, out = served.json("PATCH", APPS + "/deployments/d", patch, headers)
        assert code == 422 and out["reason"] == "Invalid", out
        assert out["message"].startswith(' "" is invalid: patch: Invalid value: "{\\"apiVersion\\":\\"apps/v1\\"')
        assert out["message"].endswith(
            "json: cannot unmarshal number " + str(patch["spec"]["replicas"] if isinstance(patch, dict) else 2**31)
            + " into Go struct field DeploymentSpec.spec.replicas of type int32"
        )
        assert out["details"]["causes"][0]["field"] == "patch"
    # a strategic merge patch goes through the unstructured converter, which wraps to int32
    code, out = served.json("PATCH", APPS + "/deployments/d", {"spec": {"replicas": 2**31}}, SMP)
    assert (code, out["message"]) == (
        422, 'Deployment.apps "d" is invalid: spec.replicas: Invalid value: -2147483648: must be greater than or equal to 0'
    )
    code, out = served.json("PATCH", APPS + "/deployments/d", {"spec": {"replicas": 2**32 + 3}}, SMP)
    assert code == 200 and out["spec"]["replicas"] == 3
    code, out = served.json("PATCH", APPS + "/deployments/d", {"spec": {"replicas": 1.5}}, SMP)
    assert (code, out["message"]) == (
        422, ' "" is invalid: patch: Invalid value: "map[spec:map[replicas:1.5]]": cannot convert float64 to int32'
    )
    code, out = served.json("PATCH", APPS + "/deployments/d", {"spec": {"template": {"spec": {"containers": "x"}}}}, SMP)
    assert (code, out["message"]) == (
        422, ' "" is invalid: patch: Invalid value: "map[spec:map[template:map[spec:map[containers:x]]]]": '
        "cannot restore slice from string"
    )
    code, out = served.json("PUT", APPS + "/deployments/d/scale", {"apiVersion": "autoscaling/v1", "kind": "Scale",
                            "metadata": {"name": "d", "namespace": "default"}, "spec": {"replicas": 2**40}}, JSON)
    assert (code, out["message"]) == (400, 'Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal '
                                      "number 1099511627776 into Go struct field ScaleSpec.spec.replicas of type int32")
    code, out = served.json("GET", APPS + "/deployments/d")
    assert code == 200 and out["spec"]["replicas"] == 3


@pytest.mark.parametrize("query,message", [
    ("gracePeriodSeconds=18446744073709551616", 'strconv.ParseInt: parsing "18446744073709551616": value out of range'),
    ("gracePeriodSeconds=9223372036854775808", 'strconv.ParseInt: parsing "9223372036854775808": value out of range'),
    ("gracePeriodSeconds=abc", 'strconv.ParseInt: parsing "abc": invalid syntax'),
])
def test_query_integers_are_parsed_as_strconv_parses_them(served: ServedEnv, query: str, message: str) -> None:
    code, out = served.json("DELETE", f"{NS}/configmaps/x?{query}")
    assert (code, out["message"]) == (400, message)


def test_list_watch_and_log_options_are_range_checked(served: ServedEnv) -> None:
    big = "18446744073709551616"
    for path in (f"{NS}/configmaps?limit={big}", f"{NS}/configmaps?watch=1&timeoutSeconds={big}", f"{NS}/pods/x/log?tailLines={big}"):
        code, out = served.json("GET", path)
        assert (code, out["message"]) == (400, f'strconv.ParseInt: parsing "{big}": value out of range'), path
    code, out = served.json("GET", f"{NS}/configmaps?resourceVersion={big}")
    assert (code, out["message"]) == (400, f'invalid resource version: resourceVersion: Invalid value: "{big}": '
                                      f'strconv.ParseUint: parsing "{big}": value out of range')
    code, out = served.json("GET", f"{NS}/configmaps?resourceVersion=-1")
    assert (code, out["message"]) == (400, 'invalid resource version: resourceVersion: Invalid value: "-1": '
                                      'strconv.ParseUint: parsing "-1": invalid syntax')


def test_delete_options_decode_into_their_go_type(served: ServedEnv) -> None:
    code, out = served.json("DELETE", f"{NS}/configmaps/x", {"kind": "DeleteOptions", "apiVersion": "v1",
                                                             "gracePeriodSeconds": 2**64}, JSON)
    assert (code, out["message"]) == (400, "json: cannot unmarshal number 18446744073709551616 into Go struct field "
                                      "DeleteOptions.gracePeriodSeconds of type int64")


def test_bodies_nested_too_deep_are_400s(served: ServedEnv) -> None:
    for depth in (1500, 10001):
        body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":' + '{"a":' * depth + "1" + "}" * depth + "}"
        code, out = served.json("POST", NS + "/configmaps", body, JSON)
        assert code == 400 and "exceeded max depth" in out["message"], out
    # a free-form field kept deeper than the store takes (kube-apiserver stores 300 levels of a
    # ControllerRevision's data; this server stores 200): a 400, not a 500 from the encoder
    cr = {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": {"name": "r"}, "revision": 1, "data": {}}
    node: dict[str, Any] = cr["data"]
    for _ in range(300):
        node["a"] = {}
        node = node["a"]
    code, out = served.json("POST", APPS + "/controllerrevisions", cr, JSON)
    assert code == 400 and "levels deep" in out["message"], out
    assert served.server.internal_errors == 0


def test_a_null_list_item_decodes_as_its_zero_value_and_is_validated(served: ServedEnv) -> None:
    # Go decodes [null] into []Taint as one zero Taint, which validation then refuses (it was a 500)
    code, out = served.json("POST", "/api/v1/nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"},
                                                      "spec": {"taints": [None]}}, JSON)
    assert code == 422 and {c["field"] for c in out["details"]["causes"]} == {"spec.taints[0].key", "spec.taints[0].effect"}
    assert served.json("POST", "/api/v1/nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "m"}}, JSON)[0] == 201
    for headers in (MERGE, SMP):
        code, out = served.json("PATCH", "/api/v1/nodes/m", {"spec": {"taints": [None]}}, headers)
        assert code == 422 and out["details"]["causes"][0]["field"] == "spec.taints[0].key", out
    assert served.server.internal_errors == 0
