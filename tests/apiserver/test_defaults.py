"""Defaulting follows pkg/apis/*/v1/defaults.go and never overwrites what the user set."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from reference_impl.apiserver.defaults import apply_defaults, image_tag

POD_SPEC = {"containers": [{"name": "c", "image": "nginx:1.25"}]}
TEMPLATE = {"metadata": {"labels": {"app": "a"}}, "spec": POD_SPEC}


def _defaulted(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    apply_defaults(kind, out)
    return out


def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = obj[int(part)] if isinstance(obj, list) else obj[part]
    return obj


@pytest.mark.parametrize(
    ("kind", "obj", "path", "expected"),
    [
        ("Pod", {"spec": POD_SPEC}, "spec.restartPolicy", "Always"),
        ("Pod", {"spec": POD_SPEC}, "spec.terminationGracePeriodSeconds", 30),
        ("Pod", {"spec": POD_SPEC}, "spec.dnsPolicy", "ClusterFirst"),
        ("Pod", {"spec": POD_SPEC}, "spec.schedulerName", "default-scheduler"),
        ("Pod", {"spec": POD_SPEC}, "spec.securityContext", {}),
        ("Pod", {"spec": POD_SPEC}, "spec.enableServiceLinks", True),
        ("Pod", {"spec": POD_SPEC}, "spec.containers.0.imagePullPolicy", "IfNotPresent"),
        ("Pod", {"spec": POD_SPEC}, "spec.containers.0.terminationMessagePath", "/dev/termination-log"),
        ("Pod", {"spec": POD_SPEC}, "spec.containers.0.terminationMessagePolicy", "File"),
        ("Pod", {"spec": POD_SPEC}, "spec.containers.0.resources", {}),
        ("Pod", {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}, "spec.containers.0.imagePullPolicy", "Always"),
        ("Pod", {"spec": {"containers": [{"name": "c", "image": "nginx:latest"}]}},
         "spec.containers.0.imagePullPolicy", "Always"),
        ("Pod", {"spec": {"containers": [{"name": "c", "image": "nginx@sha256:abc"}]}},
         "spec.containers.0.imagePullPolicy", "IfNotPresent"),
        ("Pod", {"spec": {"containers": [{"name": "c", "image": "x", "ports": [{"containerPort": 80}]}]}},
         "spec.containers.0.ports.0.protocol", "TCP"),
        ("Pod", {"spec": {"containers": [{"name": "c", "image": "x", "resources": {"limits": {"cpu": "1"}}}]}},
         "spec.containers.0.resources.requests", {"cpu": "1"}),
        ("Pod", {"spec": {"containers": [{"name": "c", "image": "x", "resources": {
            "limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m"}}}]}},
         "spec.containers.0.resources.requests", {"cpu": "500m", "memory": "1Gi"}),
        ("Pod", {"spec": {"containers": [{"name": "c", "image": "x", "livenessProbe": {"exec": {"command": ["true"]}}}]}},
         "spec.containers.0.livenessProbe",
         {"exec": {"command": ["true"]}, "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1,
          "failureThreshold": 3}),
        ("Pod", {"spec": {**POD_SPEC, "restartPolicy": "Never", "terminationGracePeriodSeconds": 0}},
         "spec.restartPolicy", "Never"),
        ("Pod", {"spec": {**POD_SPEC, "terminationGracePeriodSeconds": 0}}, "spec.terminationGracePeriodSeconds", 0),
        ("Service", {"spec": {"ports": [{"port": 80}]}}, "spec.type", "ClusterIP"),
        ("Service", {"spec": {"ports": [{"port": 80}]}}, "spec.sessionAffinity", "None"),
        ("Service", {"spec": {"ports": [{"port": 80}]}}, "spec.ports.0", {"port": 80, "protocol": "TCP", "targetPort": 80}),
        ("Service", {"spec": {"ports": [{"port": 80, "targetPort": "http"}]}}, "spec.ports.0.targetPort", "http"),
        ("Service", {"spec": {"ports": [{"port": 80}]}}, "spec.internalTrafficPolicy", "Cluster"),
        ("Service", {"spec": {"ports": [{"port": 80}]}}, "spec.ipFamilyPolicy", "SingleStack"),
        ("Service", {"spec": {"ports": [{"port": 80}]}}, "spec.ipFamilies", ["IPv4"]),
        ("Service", {"spec": {"type": "NodePort", "ports": [{"port": 80}]}}, "spec.externalTrafficPolicy", "Cluster"),
        ("Deployment", {"spec": {"template": TEMPLATE}}, "spec.replicas", 1),
        ("Deployment", {"spec": {"template": TEMPLATE}}, "spec.strategy",
         {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}),
        ("Deployment", {"spec": {"strategy": {"type": "Recreate"}, "template": TEMPLATE}}, "spec.strategy",
         {"type": "Recreate"}),
        ("Deployment", {"spec": {"template": TEMPLATE}}, "spec.revisionHistoryLimit", 10),
        ("Deployment", {"spec": {"template": TEMPLATE}}, "spec.progressDeadlineSeconds", 600),
        ("Deployment", {"spec": {"replicas": 0, "template": TEMPLATE}}, "spec.replicas", 0),
        ("Deployment", {"spec": {"template": TEMPLATE}}, "spec.template.spec.restartPolicy", "Always"),
        ("ReplicaSet", {"spec": {"template": TEMPLATE}}, "spec.replicas", 1),
        ("DaemonSet", {"spec": {"template": TEMPLATE}}, "spec.updateStrategy",
         {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
        ("DaemonSet", {"spec": {"template": TEMPLATE}}, "spec.revisionHistoryLimit", 10),
        ("StatefulSet", {"spec": {"template": TEMPLATE}}, "spec.replicas", 1),
        ("StatefulSet", {"spec": {"template": TEMPLATE}}, "spec.podManagementPolicy", "OrderedReady"),
        ("StatefulSet", {"spec": {"template": TEMPLATE}}, "spec.updateStrategy",
         {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
        ("StatefulSet", {"spec": {"template": TEMPLATE}}, "spec.persistentVolumeClaimRetentionPolicy",
         {"whenDeleted": "Retain", "whenScaled": "Retain"}),
        ("Job", {"spec": {"template": TEMPLATE}}, "spec.completions", 1),
        ("Job", {"spec": {"template": TEMPLATE}}, "spec.parallelism", 1),
        ("Job", {"spec": {"template": TEMPLATE}}, "spec.backoffLimit", 6),
        ("Job", {"spec": {"backoffLimitPerIndex": 1, "template": TEMPLATE}}, "spec.backoffLimit", 2147483647),
        ("Job", {"spec": {"template": TEMPLATE}}, "spec.completionMode", "NonIndexed"),
        ("Job", {"spec": {"template": TEMPLATE}}, "spec.suspend", False),
        ("Job", {"spec": {"template": TEMPLATE}}, "spec.podReplacementPolicy", "TerminatingOrFailed"),
        ("Job", {"spec": {"template": TEMPLATE}}, "metadata.labels", {"app": "a"}),
        ("Job", {"spec": {"parallelism": 3, "template": TEMPLATE}}, "spec.parallelism", 3),
        ("Job", {"spec": {"completions": 5, "template": TEMPLATE}}, "spec.parallelism", 1),
        ("CronJob", {"spec": {"jobTemplate": {"spec": {"template": TEMPLATE}}}}, "spec.concurrencyPolicy", "Allow"),
        ("CronJob", {"spec": {"jobTemplate": {"spec": {"template": TEMPLATE}}}}, "spec.suspend", False),
        ("CronJob", {"spec": {"jobTemplate": {"spec": {"template": TEMPLATE}}}}, "spec.successfulJobsHistoryLimit", 3),
        ("CronJob", {"spec": {"jobTemplate": {"spec": {"template": TEMPLATE}}}}, "spec.failedJobsHistoryLimit", 1),
        ("Namespace", {}, "spec.finalizers", ["kubernetes"]),
        ("Namespace", {}, "status.phase", "Active"),
        ("Secret", {}, "type", "Opaque"),
        ("Secret", {"type": "kubernetes.io/tls"}, "type", "kubernetes.io/tls"),
        ("EndpointSlice", {"addressType": "IPv4", "ports": [{"port": 80}]}, "ports.0.protocol", "TCP"),
        ("Node", {"status": {"capacity": {"cpu": "4"}}}, "status.allocatable", {"cpu": "4"}),
    ],
)
def test_default(kind: str, obj: dict[str, Any], path: str, expected: Any) -> None:
    assert _get(_defaulted(kind, obj), path) == expected


@pytest.mark.parametrize(
    ("kind", "obj", "absent"),
    [
        # Only a Pod gets requests copied from limits and enableServiceLinks, never a template.
        ("Deployment", {"spec": {"template": {"spec": {"containers": [
            {"name": "c", "image": "x", "resources": {"limits": {"cpu": "1"}}}]}}}},
         ("spec", "template", "spec", "containers", 0, "resources", "requests")),
        ("Deployment", {"spec": {"template": TEMPLATE}}, ("spec", "template", "spec", "enableServiceLinks")),
        ("Job", {"spec": {"parallelism": 2, "template": TEMPLATE}}, ("spec", "completions")),
        ("Job", {"spec": {"template": TEMPLATE}}, ("spec", "manualSelector")),
        ("CronJob", {"spec": {"jobTemplate": {"spec": {"template": TEMPLATE}}}},
         ("spec", "jobTemplate", "spec", "backoffLimit")),
        ("Service", {"spec": {"ports": [{"port": 80}]}}, ("spec", "externalTrafficPolicy")),
        ("Lease", {"spec": {}}, ("spec", "leaseDurationSeconds")),
    ],
)
def test_not_defaulted(kind: str, obj: dict[str, Any], absent: tuple[Any, ...]) -> None:
    node: Any = _defaulted(kind, obj)
    for part in absent[:-1]:
        node = node[part]
    assert absent[-1] not in node


def test_defaults_do_not_overwrite_user_values() -> None:
    user = {
        "spec": {
            "replicas": 3,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 2}},
            "revisionHistoryLimit": 0,
            "template": {"spec": {"dnsPolicy": "Default", "containers": [
                {"name": "c", "image": "x", "imagePullPolicy": "Never"}]}},
        }
    }
    out = _defaulted("Deployment", user)
    assert out["spec"]["replicas"] == 3
    assert out["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": 2, "maxUnavailable": "25%"}
    assert out["spec"]["revisionHistoryLimit"] == 0
    assert out["spec"]["template"]["spec"]["dnsPolicy"] == "Default"
    assert out["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Never"


def test_defaulting_is_idempotent() -> None:
    once = _defaulted("Deployment", {"spec": {"template": TEMPLATE}})
    assert _defaulted("Deployment", once) == once


@pytest.mark.parametrize(
    ("image", "tag"),
    [("nginx", "latest"), ("nginx:1.25", "1.25"), ("localhost:5000/app", "latest"),
     ("localhost:5000/app:v1", "v1"), ("app@sha256:abc", ""), ("app:v1@sha256:abc", "v1")],
)
def test_image_tag(image: str, tag: str) -> None:
    assert image_tag(image) == tag
