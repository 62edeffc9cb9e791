"""Server-side field validation (``fieldValidation``) of create, update and patch bodies.

As kube-apiserver's strict decoder: a field the type does not declare is never stored;
``Strict`` refuses the request with every problem in body order, ``Warn`` (the default) answers
with a ``Warning`` header, ``Ignore`` says nothing. Duplicate keys count too.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.http.conftest import ServedEnv

NS = "/apis/apps/v1/namespaces/default/deployments"
JSON = {"Content-Type": "application/json"}

# the body of the e2e spec "should detect unknown and duplicate fields of a typed object"
DUPLICATE = b"""{
  "apiVersion": "apps/v1",
  "kind": "Deployment",
  "metadata": {"name": "deployment-shared-unset", "labels": {"app": "nginx"}},
  "spec": {
    "replicas": 3,
    "replicas": 5,
    "selector": {"matchLabels": {"app": "nginx"}},
    "template": {
      "metadata": {"labels": {"app": "nginx"}},
      "spec": {"containers": [{"name": "nginx", "image": "nginx:latest", "unknownNested": "val1",
                               "imagePullPolicy": "Always"}]}
    },
    "unknownField": "foo"
  }
}"""


def _get(served: ServedEnv, name: str) -> dict[str, Any]:
    code, body = served.json("GET", f"{NS}/{name}")
    assert code == 200, body
    return body


def test_strict_refuses_unknown_and_duplicate_fields_in_body_order(served: ServedEnv) -> None:
    code, body = served.json("POST", f"{NS}?fieldValidation=Strict", DUPLICATE, JSON)
    assert code == 400 and body["reason"] == "BadRequest", body
    # kube-apiserver v1.36.3's words: transformDecodeError names the kind and version
    assert body["message"] == (
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: duplicate field "spec.replicas", '
        'unknown field "spec.template.spec.containers[0].unknownNested", unknown field "spec.unknownField"'
    )
    code, _ = served.json("GET", f"{NS}/deployment-shared-unset")
    assert code == 404  # nothing was stored


def test_warn_is_the_default_stores_the_last_duplicate_and_drops_unknown_fields(served: ServedEnv) -> None:
    code, headers, data = served.request("POST", NS, DUPLICATE, JSON)
    assert code == 201, data
    assert headers["warning"] == (
        '299 - "duplicate field \\"spec.replicas\\"", '
        '299 - "unknown field \\"spec.template.spec.containers[0].unknownNested\\"", '
        '299 - "unknown field \\"spec.unknownField\\""'
    )
    stored = _get(served, "deployment-shared-unset")
    assert stored["spec"]["replicas"] == 5
    assert "unknownField" not in stored["spec"]
    assert "unknownNested" not in stored["spec"]["template"]["spec"]["containers"][0]
    assert stored["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Always"


def test_ignore_drops_unknown_fields_silently(served: ServedEnv) -> None:
    code, headers, _ = served.request("POST", f"{NS}?fieldValidation=Ignore", DUPLICATE, JSON)
    assert code == 201 and "warning" not in headers
    assert "unknownField" not in _get(served, "deployment-shared-unset")["spec"]


@pytest.mark.parametrize("content_type", ["application/merge-patch+json", "application/strategic-merge-patch+json"])
def test_patches_are_checked_against_the_patched_type(served: ServedEnv, content_type: str) -> None:
    assert served.request("POST", f"{NS}?fieldValidation=Ignore", DUPLICATE, JSON)[0] == 201
    patch = {"metadata": {"unknownMeta": "x", "labels": {"a": "b"}}, "spec": {"paused": True}}
    if content_type.startswith("application/strategic"):
        # kubectl's directives are no unknown fields
        patch["spec"]["template"] = {"spec": {"$setElementOrder/containers": [{"name": "nginx"}],
                                              "containers": [{"name": "nginx", "image": "nginx:1.27"}]}}
    code, body = served.json(
        "PATCH", f"{NS}/deployment-shared-unset?fieldValidation=Strict", patch, {"Content-Type": content_type}
    )
    assert code == 400 and body["message"] == 'strict decoding error: unknown field "metadata.unknownMeta"'
    del patch["metadata"]["unknownMeta"]
    code, body = served.json(
        "PATCH", f"{NS}/deployment-shared-unset?fieldValidation=Strict", patch, {"Content-Type": content_type}
    )
    assert code == 200, body
    assert body["spec"]["paused"] is True and body["metadata"]["labels"] == {"app": "nginx", "a": "b"}


def test_update_and_status_and_scale_bodies_are_decoded_into_their_types(served: ServedEnv) -> None:
    assert served.request("POST", NS, DUPLICATE, JSON)[0] == 201
    current = _get(served, "deployment-shared-unset")
    current["spec"]["surplus"] = 1
    code, body = served.json("PUT", f"{NS}/deployment-shared-unset?fieldValidation=Strict", current, JSON)
    assert code == 400 and body["message"] == (
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.surplus"')
    scale = {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "deployment-shared-unset",
             "namespace": "default"}, "spec": {"replicas": 2, "selector": "app=nginx"}}
    code, body = served.json("PUT", f"{NS}/deployment-shared-unset/scale?fieldValidation=Strict", scale, JSON)
    assert code == 400 and body["message"] == (
        'Scale in version "v1" cannot be handled as a Scale: strict decoding error: unknown field "spec.selector"')
    del scale["spec"]["selector"]
    code, body = served.json("PUT", f"{NS}/deployment-shared-unset/scale?fieldValidation=Strict", scale, JSON)
    assert code == 200 and body["spec"]["replicas"] == 2, body


def test_maps_and_free_form_fields_hold_any_key(served: ServedEnv) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "annotations": {"any/key": "v"}},
          "data": {"whatever": "x", "else": "y"}}
    code, body = served.json("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict", cm, JSON)
    assert code == 201 and body["data"] == {"whatever": "x", "else": "y"}, body


def test_a_bad_directive_and_a_bad_body_are_still_400s(served: ServedEnv) -> None:
    code, body = served.json("POST", f"{NS}?fieldValidation=Loud", DUPLICATE, JSON)
    assert code == 400 and body["message"] == (
        'fieldValidation: Unsupported value: "Loud": supported values: "Ignore", "Strict", "Warn"'
    )
    code, body = served.json("POST", f"{NS}?fieldValidation=Strict", b'{"spec": ', JSON)
    assert code == 400 and "couldn't get version/kind; json parse error" in body["message"], body
    yaml_body = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y}\nbogus: 1\n"
    code, body = served.json("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict", yaml_body,
                             {"Content-Type": "application/yaml"})
    assert code == 400 and body["message"] == (
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"'), body
    assert json.loads(json.dumps(body))["kind"] == "Status"
