"""Validation causes carry the real reason, field and ErrorBody text of the API server."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from reference_impl.apiserver.defaults import apply_defaults
from reference_impl.apiserver.validation import invalid_message, validate

Obj = dict[str, Any]

SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1035_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
QNAME_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)


def _container(**extra: Any) -> Obj:
    return {"name": "c", "image": "nginx:1.25", **extra}


def pod(name: str = "p", **spec: Any) -> Obj:
    body: Obj = {"containers": [_container()], **spec}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"}, "spec": body}


def workload(kind: str, *, labels: dict[str, str] | None = None, restart: str | None = None, **spec: Any) -> Obj:
    template_spec: Obj = {"containers": [_container()]}
    if restart is not None:
        template_spec["restartPolicy"] = restart
    body: Obj = {
        "selector": {"matchLabels": {"app": "a"}},
        "template": {"metadata": {"labels": {"app": "a"} if labels is None else labels}, "spec": template_spec},
    }
    body.update(spec)
    return {"kind": kind, "metadata": {"name": "w", "namespace": "default", "uid": "u1"}, "spec": body}


def job(**spec: Any) -> Obj:
    # The Job strategy generates the selector; tests pass one only to exercise manual selectors.
    obj = workload("Job", restart="Never", **spec)
    if "selector" not in spec:
        obj["spec"].pop("selector")
    return obj


def service(**spec: Any) -> Obj:
    body: Obj = {"ports": [{"port": 80}], "selector": {"app": "a"}, **spec}
    return {"kind": "Service", "metadata": {"name": "svc", "namespace": "default"}, "spec": body}


def _defaulted(kind: str, obj: Obj) -> Obj:
    out = copy.deepcopy(obj)
    apply_defaults(kind, out)
    return out


def _with(obj: Obj, path: str, value: Any) -> Obj:
    out = copy.deepcopy(obj)
    node = out
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(parts[-1])] = value
    else:
        node[parts[-1]] = value
    return out


def _without(obj: Obj, path: str) -> Obj:
    out = copy.deepcopy(obj)
    node = out
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    del node[parts[-1]]
    return out


VALID = [
    ("Pod", pod()),
    ("Deployment", workload("Deployment")),
    ("ReplicaSet", workload("ReplicaSet")),
    ("DaemonSet", workload("DaemonSet")),
    ("StatefulSet", workload("StatefulSet")),
    ("Job", job()),
    ("Service", service()),
    ("Service", service(clusterIP="None", ports=[])),
    ("Namespace", {"metadata": {"name": "team-a"}}),
    ("Node", {"metadata": {"name": "node-1.example.com"}}),
    ("ConfigMap", {"metadata": {"name": "cm"}, "data": {"app.properties": "x"}}),
    ("Secret", {"metadata": {"name": "s"}, "data": {"key": "dg=="}}),
    ("Lease", {"metadata": {"name": "node-1"}, "spec": {"leaseDurationSeconds": 40}}),
    ("CronJob", {"metadata": {"name": "cj"}, "spec": {"schedule": "*/1 * * * *", "jobTemplate": {"spec": {
        "template": {"spec": {"restartPolicy": "OnFailure", "containers": [_container()]}}}}}}),
    ("EndpointSlice", {"metadata": {"name": "svc-abc"}, "addressType": "IPv4",
                       "endpoints": [{"addresses": ["10.0.0.1"]}], "ports": [{"port": 80}]}),
    ("PodDisruptionBudget", {"metadata": {"name": "pdb"}, "spec": {"minAvailable": "50%",
                                                                   "selector": {"matchLabels": {"app": "a"}}}}),
    ("Binding", {"metadata": {"name": "p"}, "target": {"kind": "Node", "name": "node-1"}}),
    ("ControllerRevision", {"metadata": {"name": "w-abc"}, "data": {}, "revision": 1}),
]


@pytest.mark.parametrize(("kind", "obj"), VALID)
def test_valid_objects_have_no_causes(kind: str, obj: Obj) -> None:
    assert validate(kind, obj) == []
    assert validate(kind, _defaulted(kind, obj)) == []


# One row per rule: (kind, object, field, reason, message).
CREATE_CASES: list[tuple[str, Obj, str, str, str]] = [
    # metadata
    ("Pod", _without(pod(), "metadata.name"), "metadata.name", "FieldValueRequired",
     "Required value: name or generateName is required"),
    ("Pod", pod(name="Foo_Bar"), "metadata.name", "FieldValueInvalid", f'Invalid value: "Foo_Bar": {SUBDOMAIN_MSG}'),
    ("Namespace", {"metadata": {"name": "a.b"}}, "metadata.name", "FieldValueInvalid",
     'Invalid value: "a.b": must not contain dots'),
    ("Namespace", {"metadata": {"name": "A"}}, "metadata.name", "FieldValueInvalid", f'Invalid value: "A": {LABEL_MSG}'),
    ("Service", _with(service(), "metadata.name", "1svc"), "metadata.name", "FieldValueInvalid",
     f'Invalid value: "1svc": {DNS1035_MSG}'),
    ("Namespace", {"metadata": {"name": "a" * 64}}, "metadata.name", "FieldValueInvalid",
     f'Invalid value: "{"a" * 64}": must be no more than 63 characters'),
    ("ConfigMap", {"metadata": {"generateName": "Bad-"}}, "metadata.generateName", "FieldValueInvalid",
     f'Invalid value: "Bad-": {SUBDOMAIN_MSG}'),
    ("ConfigMap", {"metadata": {"name": "cm", "labels": {"app": "-bad"}}}, "metadata.labels", "FieldValueInvalid",
     f'Invalid value: "-bad": {LABEL_VALUE_MSG}'),
    ("ConfigMap", {"metadata": {"name": "cm", "labels": {"app": "v" * 64}}}, "metadata.labels", "FieldValueInvalid",
     f'Invalid value: "{"v" * 64}": must be no more than 63 characters'),
    ("ConfigMap", {"metadata": {"name": "cm", "labels": {"bad key": "v"}}}, "metadata.labels", "FieldValueInvalid",
     f'Invalid value: "bad key": {QNAME_MSG}'),
    ("ConfigMap", {"metadata": {"name": "cm", "annotations": {"/x": "v"}}}, "metadata.annotations",
     "FieldValueInvalid", 'Invalid value: "/x": prefix part must be non-empty'),
    ("ConfigMap", {"metadata": {"name": "cm"}, "data": {"a b": "x"}}, "data[a b]", "FieldValueInvalid",
     "Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
     "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"),
    # pod spec
    ("Pod", _with(pod(), "spec.containers", []), "spec.containers", "FieldValueRequired", "Required value"),
    ("Pod", _with(pod(), "spec.containers.0.name", ""), "spec.containers[0].name", "FieldValueRequired",
     "Required value"),
    ("Pod", _with(pod(), "spec.containers.0.name", "Web"), "spec.containers[0].name", "FieldValueInvalid",
     f'Invalid value: "Web": {LABEL_MSG}'),
    ("Pod", _with(pod(), "spec.containers", [_container(name="web"), _container(name="web")]),
     "spec.containers[1].name", "FieldValueDuplicate", 'Duplicate value: "web"'),
    ("Pod", _with(pod(), "spec.containers.0.image", ""), "spec.containers[0].image", "FieldValueRequired",
     "Required value"),
    ("Pod", _with(pod(), "spec.containers.0.imagePullPolicy", "Sometimes"), "spec.containers[0].imagePullPolicy",
     "FieldValueNotSupported", 'Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"'),
    ("Pod", _with(pod(), "spec.containers.0.ports", [{"containerPort": 70000}]),
     "spec.containers[0].ports[0].containerPort", "FieldValueInvalid",
     "Invalid value: 70000: must be between 1 and 65535, inclusive"),
    ("Pod", _with(pod(), "spec.containers.0.ports", [{"containerPort": 0}]),
     "spec.containers[0].ports[0].containerPort", "FieldValueRequired", "Required value"),
    ("Pod", _with(pod(), "spec.containers.0.ports", [{"containerPort": 80, "hostPort": 70000}]),
     "spec.containers[0].ports[0].hostPort", "FieldValueInvalid",
     "Invalid value: 70000: must be between 1 and 65535, inclusive"),
    ("Pod", _with(pod(), "spec.containers.0.ports", [{"containerPort": 80, "protocol": "ICMP"}]),
     "spec.containers[0].ports[0].protocol", "FieldValueNotSupported",
     'Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'),
    ("Pod", _with(pod(), "spec.containers.0.ports", [{"containerPort": 80, "name": "http"},
                                                     {"containerPort": 81, "name": "http"}]),
     "spec.containers[0].ports[1].name", "FieldValueDuplicate", 'Duplicate value: "http"'),
    ("Pod", _with(pod(), "spec.containers.0.ports", [{"containerPort": 80, "name": "a-very-long-port-name"}]),
     "spec.containers[0].ports[0].name", "FieldValueInvalid",
     'Invalid value: "a-very-long-port-name": must be no more than 15 characters'),
    ("Pod", _with(pod(), "spec.containers", [_container(name="a", ports=[{"containerPort": 80, "hostPort": 8080}]),
                                             _container(name="b", ports=[{"containerPort": 81, "hostPort": 8080}])]),
     "spec.containers[1].ports[0].hostPort", "FieldValueDuplicate", 'Duplicate value: "TCP//8080"'),
    ("Pod", pod(restartPolicy="Sometimes"), "spec.restartPolicy", "FieldValueNotSupported",
     'Unsupported value: "Sometimes": supported values: "Always", "Never", "OnFailure"'),
    ("Pod", pod(dnsPolicy="Google"), "spec.dnsPolicy", "FieldValueNotSupported",
     'Unsupported value: "Google": supported values: "ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"'),
    ("Pod", pod(terminationGracePeriodSeconds=-1), "spec.terminationGracePeriodSeconds", "FieldValueInvalid",
     "Invalid value: -1: must be greater than or equal to 0"),
    ("Pod", pod(activeDeadlineSeconds=0), "spec.activeDeadlineSeconds", "FieldValueInvalid",
     "Invalid value: 0: must be between 1 and 2147483647, inclusive"),
    ("Pod", pod(nodeSelector={"disk": "ssd!"}), "spec.nodeSelector", "FieldValueInvalid",
     f'Invalid value: "ssd!": {LABEL_VALUE_MSG}'),
    ("Pod", pod(nodeName="Node_1"), "spec.nodeName", "FieldValueInvalid", f'Invalid value: "Node_1": {SUBDOMAIN_MSG}'),
    ("Pod", _with(pod(), "spec.containers.0.env", [{"name": ""}]), "spec.containers[0].env[0].name",
     "FieldValueRequired", "Required value"),
    ("Pod", _with(pod(), "spec.containers.0.env", [{"name": "A=B"}]), "spec.containers[0].env[0].name",
     "FieldValueInvalid", "Invalid value: \"A=B\": a valid environment variable name must consist only of "
     "printable ASCII characters other than '='"),
    ("Pod", _with(pod(), "spec.containers.0.resources", {"limits": {"cpu": "1"}, "requests": {"cpu": "2"}}),
     "spec.containers[0].resources.requests", "FieldValueInvalid",
     'Invalid value: "2": must be less than or equal to cpu limit of 1'),
    ("Pod", _with(pod(), "spec.containers.0.resources", {"limits": {"memory": "1Gi"}, "requests": {"memory": "2048Mi"}}),
     "spec.containers[0].resources.requests", "FieldValueInvalid",
     'Invalid value: "2Gi": must be less than or equal to memory limit of 1Gi'),
    ("Pod", _with(pod(), "spec.containers.0.resources", {"requests": {"cpu": "-1"}}),
     "spec.containers[0].resources.requests[cpu]", "FieldValueInvalid",
     'Invalid value: "-1": must be greater than or equal to 0'),
    ("Pod", _with(pod(), "spec.containers.0.resources", {"requests": {"cpu": "one"}}),
     "spec.containers[0].resources.requests[cpu]", "FieldValueInvalid",
     "Invalid value: \"one\": quantities must match the regular expression "
     "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
    ("Pod", _with(pod(), "spec.containers.0.resources", {"requests": {"gpu": "1"}}),
     "spec.containers[0].resources.requests[gpu]", "FieldValueInvalid",
     'Invalid value: "gpu": must be a standard resource for containers'),
    ("Pod", _with(pod(), "spec.containers.0.resources", {"requests": {"example.com/dongle": "1"}}),
     "spec.containers[0].resources.limits", "FieldValueRequired",
     "Required value: Limit must be set for non overcommitable resources"),
    ("Pod", _with(pod(), "spec.containers.0.livenessProbe", {"periodSeconds": 10}),
     "spec.containers[0].livenessProbe", "FieldValueRequired", "Required value: must specify a handler type"),
    ("Pod", _with(pod(), "spec.containers.0.readinessProbe", {"exec": {"command": ["true"]}, "periodSeconds": -1}),
     "spec.containers[0].readinessProbe.periodSeconds", "FieldValueInvalid",
     "Invalid value: -1: must be greater than or equal to 0"),
    ("Pod", _with(pod(), "spec.containers.0.livenessProbe", {"exec": {"command": ["true"]}, "successThreshold": 2}),
     "spec.containers[0].livenessProbe.successThreshold", "FieldValueInvalid", "Invalid value: 2: must be 1"),
    ("Pod", _with(pod(), "spec.containers.0.readinessProbe", {"httpGet": {"port": 0}}),
     "spec.containers[0].readinessProbe.httpGet.port", "FieldValueInvalid",
     "Invalid value: 0: must be between 1 and 65535, inclusive"),
    ("Pod", pod(tolerations=[{"key": "k", "operator": "Sometimes"}]), "spec.tolerations[0].operator",
     "FieldValueNotSupported", 'Unsupported value: "Sometimes": supported values: "Equal", "Exists"'),
    ("Pod", pod(tolerations=[{"operator": "Equal", "value": "v"}]), "spec.tolerations[0].operator",
     "FieldValueInvalid",
     'Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"'),
    ("Pod", pod(tolerations=[{"key": "k", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 5}]),
     "spec.tolerations[0].effect", "FieldValueInvalid",
     "Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set"),
    ("Pod", pod(tolerations=[{"key": "k", "operator": "Exists", "effect": "Never"}]), "spec.tolerations[0].effect",
     "FieldValueNotSupported",
     'Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'),
    ("Pod", pod(tolerations=[{"key": "k", "operator": "Exists", "value": "v"}]), "spec.tolerations[0].operator",
     "FieldValueInvalid",
     'Invalid value: core.Toleration{Key:"k", Operator:"Exists", Value:"v", Effect:"", '
     "TolerationSeconds:(*int64)(nil)}: value must be empty when `operator` is 'Exists'"),
    # workloads
    ("Deployment", _without(workload("Deployment"), "spec.selector"), "spec.selector", "FieldValueRequired",
     "Required value"),
    ("Deployment", workload("Deployment", selector={}), "spec.selector", "FieldValueInvalid",
     "Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
     "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment"),
    ("Deployment", workload("Deployment", labels={"app": "b"}), "spec.template.metadata.labels", "FieldValueInvalid",
     'Invalid value: {"app":"b"}: `selector` does not match template `labels`'),
    # a template's label and annotation keys are reported without "metadata" (the real server)
    ("Deployment", workload("Deployment", labels={"app": "a", "bad key": "v"}), "spec.template.labels",
     "FieldValueInvalid",
     "Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must "
     "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
     "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
    ("Deployment", workload("Deployment", replicas=-1), "spec.replicas", "FieldValueInvalid",
     "Invalid value: -1: must be greater than or equal to 0"),
    ("Deployment", workload("Deployment", restart="Never"), "spec.template.spec.restartPolicy",
     "FieldValueNotSupported", 'Unsupported value: "Never": supported values: "Always"'),
    ("Deployment", workload("Deployment", revisionHistoryLimit=-1), "spec.revisionHistoryLimit", "FieldValueInvalid",
     "Invalid value: -1: must be greater than or equal to 0"),
    ("Deployment", workload("Deployment", minReadySeconds=10, progressDeadlineSeconds=10),
     "spec.progressDeadlineSeconds", "FieldValueInvalid", "Invalid value: 10: must be greater than minReadySeconds"),
    ("Deployment", workload("Deployment", strategy={"type": "RollingUpdate", "rollingUpdate": {
        "maxSurge": 0, "maxUnavailable": 0}}), "spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid",
     "Invalid value: 0: may not be 0 when `maxSurge` is 0"),
    ("Deployment", workload("Deployment", strategy={"type": "RollingUpdate", "rollingUpdate": {
        "maxSurge": "1", "maxUnavailable": 1}}), "spec.strategy.rollingUpdate.maxSurge", "FieldValueInvalid",
     "Invalid value: 1: a valid percent string must be a numeric string followed by an ending '%' "
     "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"),
    ("Deployment", workload("Deployment", strategy={"type": "RollingUpdate", "rollingUpdate": {
        "maxSurge": 1, "maxUnavailable": "110%"}}), "spec.strategy.rollingUpdate.maxUnavailable",
     "FieldValueInvalid", "Invalid value: 110%: must not be greater than 100%"),
    ("Deployment", workload("Deployment", strategy={"type": "RollingUpdate", "rollingUpdate": {
        "maxSurge": -1, "maxUnavailable": 1}}), "spec.strategy.rollingUpdate.maxSurge", "FieldValueInvalid",
     "Invalid value: -1: must be greater than or equal to 0"),
    ("Deployment", workload("Deployment", strategy={"type": "Recreate", "rollingUpdate": {}}),
     "spec.strategy.rollingUpdate", "FieldValueForbidden",
     "Forbidden: may not be specified when strategy `type` is 'Recreate'"),
    ("Deployment", workload("Deployment", strategy={"type": "BlueGreen"}), "spec.strategy.Type",
     "FieldValueNotSupported", 'Unsupported value: "BlueGreen": supported values: "Recreate", "RollingUpdate"'),
    ("Deployment", workload("Deployment", selector={"matchExpressions": [{"key": "app", "operator": "In"}]}),
     "spec.selector.matchExpressions[0].values", "FieldValueRequired",
     "Required value: must be specified when `operator` is 'In' or 'NotIn'"),
    ("ReplicaSet", workload("ReplicaSet", selector={}), "spec.selector", "FieldValueInvalid",
     "Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
     "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment"),
    ("ReplicaSet", workload("ReplicaSet", replicas=-2), "spec.replicas", "FieldValueInvalid",
     "Invalid value: -2: must be greater than or equal to 0"),
    ("DaemonSet", workload("DaemonSet", labels={"app": "b"}), "spec.template.metadata.labels", "FieldValueInvalid",
     'Invalid value: {"app":"b"}: `selector` does not match template `labels`'),
    ("DaemonSet", workload("DaemonSet", updateStrategy={"type": "RollingUpdate", "rollingUpdate": {
        "maxSurge": 1, "maxUnavailable": 1}}), "spec.updateStrategy.rollingUpdate.maxSurge", "FieldValueInvalid",
     "Invalid value: 1: may not be set when maxUnavailable is non-zero"),
    ("DaemonSet", workload("DaemonSet", updateStrategy={"type": "RollingUpdate", "rollingUpdate": {
        "maxSurge": 0, "maxUnavailable": 0}}), "spec.updateStrategy.rollingUpdate.maxUnavailable",
     "FieldValueRequired", "Required value: cannot be 0 when maxSurge is 0"),
    ("DaemonSet", workload("DaemonSet", restart="OnFailure"), "spec.template.spec.restartPolicy",
     "FieldValueNotSupported", 'Unsupported value: "OnFailure": supported values: "Always"'),
    ("StatefulSet", _without(workload("StatefulSet"), "spec.selector"), "spec.selector", "FieldValueRequired",
     "Required value"),
    ("StatefulSet", workload("StatefulSet", selector={}), "spec.selector", "FieldValueInvalid",
     "Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
     "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for statefulset"),
    ("StatefulSet", workload("StatefulSet", podManagementPolicy="Random"), "spec.podManagementPolicy",
     "FieldValueInvalid", "Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'"),
    ("StatefulSet", workload("StatefulSet", updateStrategy={"type": "RollingUpdate", "rollingUpdate": {
        "partition": -1}}), "spec.updateStrategy.rollingUpdate.partition", "FieldValueInvalid",
     "Invalid value: -1: must be greater than or equal to 0"),
    # jobs
    ("Job", _with(job(), "spec.template.spec.restartPolicy", "Always"), "spec.template.spec.restartPolicy",
     "FieldValueRequired", 'Required value: valid values: "OnFailure", "Never"'),
    ("Job", _without(job(), "spec.template.spec.restartPolicy"), "spec.template.spec.restartPolicy",
     "FieldValueRequired", 'Required value: valid values: "OnFailure", "Never"'),
    ("Job", _with(job(), "spec.template.spec.restartPolicy", "Sometimes"), "spec.template.spec.restartPolicy",
     "FieldValueNotSupported", 'Unsupported value: "Sometimes": supported values: "OnFailure", "Never"'),
    ("Job", job(parallelism=-1), "spec.parallelism", "FieldValueInvalid",
     "Invalid value: -1: must be greater than or equal to 0"),
    ("Job", job(completions=-1), "spec.completions", "FieldValueInvalid",
     "Invalid value: -1: must be greater than or equal to 0"),
    ("Job", job(backoffLimit=-1), "spec.backoffLimit", "FieldValueInvalid",
     "Invalid value: -1: must be greater than or equal to 0"),
    # Defaulting sets completions to 1 when parallelism is unset too, so only this shape reaches the rule.
    ("Job", job(completionMode="Indexed", parallelism=2), "spec.completions", "FieldValueRequired",
     "Required value: when completion mode is Indexed"),
    ("Job", job(completionMode="Sometimes", completions=1), "spec.completionMode", "FieldValueNotSupported",
     'Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"'),
    ("Job", job(manualSelector=True), "spec.selector", "FieldValueRequired", "Required value"),
    ("Job", job(selector={"matchLabels": {"app": "z"}}), "spec.template.metadata.labels", "FieldValueInvalid",
     'Invalid value: {"app":"a"}: `selector` does not match template `labels`'),
    ("CronJob", {"metadata": {"name": "cj"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {
        "restartPolicy": "Never", "containers": [_container()]}}}}}}, "spec.schedule", "FieldValueRequired",
     "Required value"),
    ("CronJob", {"metadata": {"name": "cj"}, "spec": {"schedule": "@hourly", "concurrencyPolicy": "Sometimes",
                                                      "jobTemplate": {"spec": {"template": {"spec": {
                                                          "restartPolicy": "Never", "containers": [_container()]}}}}}},
     "spec.concurrencyPolicy", "FieldValueNotSupported",
     'Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"'),
    # services
    ("Service", service(ports=[]), "spec.ports", "FieldValueRequired", "Required value"),
    ("Service", service(ports=[{"port": 70000}]), "spec.ports[0].port", "FieldValueInvalid",
     "Invalid value: 70000: must be between 1 and 65535, inclusive"),
    ("Service", service(ports=[{"port": 80, "name": "web"}, {"port": 81, "name": "web"}]), "spec.ports[1].name",
     "FieldValueDuplicate", 'Duplicate value: "web"'),
    ("Service", service(ports=[{"port": 80, "name": "web"}, {"port": 81}]), "spec.ports[1].name",
     "FieldValueRequired", "Required value"),
    ("Service", service(ports=[{"port": 80, "targetPort": "Web_Port"}]), "spec.ports[0].targetPort",
     "FieldValueInvalid",
     'Invalid value: "Web_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'),
    ("Service", service(ports=[{"port": 80, "targetPort": 70000}]), "spec.ports[0].targetPort", "FieldValueInvalid",
     "Invalid value: 70000: must be between 1 and 65535, inclusive"),
    ("Service", service(ports=[{"port": 80, "nodePort": 30080}]), "spec.ports[0].nodePort", "FieldValueForbidden",
     "Forbidden: may not be used when `type` is 'ClusterIP'"),
    ("Service", service(type="Magic"), "spec.type", "FieldValueNotSupported",
     'Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'),
    ("Service", service(type="NodePort", clusterIP="None"), "spec.clusterIPs[0]", "FieldValueInvalid",
     "Invalid value: \"None\": may not be set to 'None' for NodePort services"),
    ("Service", service(ports=[{"port": 80, "protocol": "HTTP"}]), "spec.ports[0].protocol",
     "FieldValueNotSupported", 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'),
    # other kinds
    ("Node", {"metadata": {"name": "n"}, "spec": {"taints": [{"key": "k", "effect": "Sometimes"}]}},
     "spec.taints[0].effect", "FieldValueNotSupported",
     'Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'),
    ("Lease", {"metadata": {"name": "l"}, "spec": {"leaseDurationSeconds": 0}}, "spec.leaseDurationSeconds",
     "FieldValueInvalid", "Invalid value: 0: must be greater than 0"),
    ("EndpointSlice", {"metadata": {"name": "s"}, "addressType": "IPv5"}, "addressType", "FieldValueNotSupported",
     'Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"'),
    ("Binding", {"metadata": {"name": "p"}, "target": {"kind": "Node"}}, "target.name", "FieldValueRequired",
     "Required value"),
    ("ControllerRevision", {"metadata": {"name": "r"}, "revision": 1}, "data", "FieldValueRequired",
     "Required value: data is mandatory"),
    ("PodDisruptionBudget", {"metadata": {"name": "pdb"}, "spec": {"minAvailable": "150%"}}, "spec.minAvailable",
     "FieldValueInvalid", "Invalid value: 150%: must not be greater than 100%"),
]


@pytest.mark.parametrize(
    ("kind", "obj", "field", "reason", "message"),
    CREATE_CASES,
    ids=[f"{c[0]}:{c[2]}:{i}" for i, c in enumerate(CREATE_CASES)],
)
def test_create_rule(kind: str, obj: Obj, field: str, reason: str, message: str) -> None:
    causes = validate(kind, _defaulted(kind, obj))
    assert {"reason": reason, "message": message, "field": field} in causes, causes


def test_deployment_selector_mismatch_is_the_only_cause() -> None:
    causes = validate("Deployment", _defaulted("Deployment", workload("Deployment", labels={"app": "b"})))
    assert causes == [{
        "reason": "FieldValueInvalid",
        "message": 'Invalid value: {"app":"b"}: `selector` does not match template `labels`',
        "field": "spec.template.metadata.labels",
    }]


def test_generate_name_alone_is_enough() -> None:
    obj = pod()
    obj["metadata"] = {"generateName": "web-", "namespace": "default"}
    assert validate("Pod", obj) == []


# --------------------------------------------------------------------------- updates


def _update_cases() -> list[tuple[str, Obj, Obj, str, str, str]]:
    base_pod = _defaulted("Pod", pod(tolerations=[{"key": "k", "operator": "Exists", "effect": "NoExecute",
                                                   "tolerationSeconds": 30}], activeDeadlineSeconds=100))
    bound = _with(base_pod, "spec.nodeName", "node-1")
    deploy = _defaulted("Deployment", workload("Deployment"))
    svc = _defaulted("Service", service(clusterIP="10.0.0.10"))
    jb = _defaulted("Job", job(selector={"matchLabels": {"app": "a"}}))
    sts = _defaulted("StatefulSet", workload("StatefulSet"))
    moved_selector = _with(_with(deploy, "spec.selector", {"matchLabels": {"app": "b"}}),
                           "spec.template.metadata.labels", {"app": "b"})
    return [
        ("Pod", base_pod, _with(base_pod, "spec.restartPolicy", "Never"), "spec", "FieldValueForbidden",
         "Forbidden: " + "pod updates may not change fields other than `spec.containers[*].image`,"
         "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
         "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
         "previously negative)"),
        ("Pod", bound, _with(bound, "spec.nodeName", "node-2"), "spec", "FieldValueForbidden",
         "Forbidden: " + "pod updates may not change fields other than `spec.containers[*].image`,"
         "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
         "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
         "previously negative)"),
        ("Pod", base_pod, _with(base_pod, "spec.containers.0.image", ""), "spec.containers[0].image",
         "FieldValueRequired", "Required value"),
        ("Pod", base_pod, _with(base_pod, "spec.containers", []), "spec.containers", "FieldValueForbidden",
         "Forbidden: pod updates may not add or remove containers"),
        ("Pod", base_pod, _with(base_pod, "spec.activeDeadlineSeconds", 200), "spec.activeDeadlineSeconds",
         "FieldValueInvalid", "Invalid value: 200: must be less than or equal to previous value"),
        ("Pod", base_pod, _without(base_pod, "spec.activeDeadlineSeconds"), "spec.activeDeadlineSeconds",
         "FieldValueInvalid", 'Invalid value: "null": must not update from a positive integer to nil value'),
        ("Pod", base_pod, _with(base_pod, "spec.tolerations", []), "spec.tolerations", "FieldValueForbidden",
         "Forbidden: existing toleration can not be modified except its tolerationSeconds"),
        ("Pod", base_pod, _with(base_pod, "metadata.name", "other"), "metadata.name", "FieldValueInvalid",
         'Invalid value: "other": field is immutable'),
        ("Pod", _with(base_pod, "metadata.uid", "u1"), _with(base_pod, "metadata.uid", "u2"), "metadata.uid",
         "FieldValueInvalid", 'Invalid value: "u2": field is immutable'),
        ("ConfigMap", {"metadata": {"name": "cm", "namespace": "a"}}, {"metadata": {"name": "cm", "namespace": "b"}},
         "metadata.namespace", "FieldValueInvalid", 'Invalid value: "b": field is immutable'),
        ("Deployment", deploy, moved_selector, "spec.selector", "FieldValueInvalid",
         'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"b"}, '
         "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"),
        ("ReplicaSet", _defaulted("ReplicaSet", workload("ReplicaSet")),
         _with(_with(_defaulted("ReplicaSet", workload("ReplicaSet")), "spec.selector", {"matchLabels": {"app": "b"}}),
               "spec.template.metadata.labels", {"app": "b"}),
         "spec.selector", "FieldValueInvalid",
         'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"b"}, '
         "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"),
        ("Deployment", deploy, _with(deploy, "spec.replicas", -1), "spec.replicas", "FieldValueInvalid",
         "Invalid value: -1: must be greater than or equal to 0"),
        ("StatefulSet", sts, _with(sts, "spec.podManagementPolicy", "Parallel"), "spec", "FieldValueForbidden",
         "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
         "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"),
        ("Service", svc, _with(svc, "spec.clusterIP", "10.0.0.11"), "spec.clusterIP", "FieldValueInvalid",
         'Invalid value: "10.0.0.11": field is immutable'),
        ("Job", jb, _with(jb, "spec.template.spec.containers.0.image", "busybox"), "spec.template",
         "FieldValueInvalid", "Invalid value: core.PodTemplateSpec{...}: field is immutable"),
        ("Job", jb, _with(jb, "spec.completions", 3), "spec.completions", "FieldValueInvalid",
         "Invalid value: 3: field is immutable"),
    ]


UPDATE_CASES = _update_cases()


@pytest.mark.parametrize(
    ("kind", "old", "new", "field", "reason", "message"),
    UPDATE_CASES,
    ids=[f"{c[0]}:{c[3]}:{i}" for i, c in enumerate(UPDATE_CASES)],
)
def test_update_rule(kind: str, old: Obj, new: Obj, field: str, reason: str, message: str) -> None:
    causes = validate(kind, new, old)
    assert {"reason": reason, "message": message, "field": field} in causes, causes


def _allowed_updates() -> list[tuple[str, Obj, Obj]]:
    base_pod = _defaulted("Pod", pod(tolerations=[{"key": "k", "operator": "Exists", "effect": "NoExecute",
                                                   "tolerationSeconds": 30}], activeDeadlineSeconds=100))
    deploy = _defaulted("Deployment", workload("Deployment"))
    sts = _defaulted("StatefulSet", workload("StatefulSet"))
    svc = _defaulted("Service", service(clusterIP="10.0.0.10"))
    extra_toleration = {"key": "x", "operator": "Exists"}
    return [
        ("Pod", base_pod, _with(base_pod, "spec.containers.0.image", "nginx:1.26")),
        ("Pod", base_pod, _with(base_pod, "spec.activeDeadlineSeconds", 50)),
        ("Pod", base_pod, _with(base_pod, "spec.tolerations", [*base_pod["spec"]["tolerations"], extra_toleration])),
        ("Pod", base_pod, _with(base_pod, "spec.tolerations.0.tolerationSeconds", 10)),
        ("Pod", base_pod, _with(base_pod, "metadata.labels", {"role": "web"})),
        ("Pod", base_pod, _with(base_pod, "status", {"phase": "Running"})),
        # A bad spec already stored is not re-checked when only the status changes.
        ("Pod", _with(base_pod, "spec.restartPolicy", "Sometimes"),
         _with(_with(base_pod, "spec.restartPolicy", "Sometimes"), "status", {"phase": "Running"})),
        ("Deployment", deploy, _with(deploy, "spec.replicas", 5)),
        ("Deployment", deploy, _with(deploy, "spec.template.spec.containers.0.image", "nginx:1.26")),
        ("StatefulSet", sts, _with(sts, "spec.replicas", 3)),
        ("Service", svc, _without(svc, "spec.clusterIP")),
        ("Service", svc, _with(svc, "spec.ports", [{"port": 81, "protocol": "TCP", "targetPort": 81}])),
    ]


@pytest.mark.parametrize(("kind", "old", "new"), _allowed_updates())
def test_allowed_update(kind: str, old: Obj, new: Obj) -> None:
    assert validate(kind, new, old) == []


# --------------------------------------------------------------------------- top-level message


@pytest.mark.parametrize(
    ("kind_group", "name", "causes", "expected"),
    [
        ("Deployment.apps", "web",
         [{"reason": "FieldValueInvalid", "field": "spec.replicas",
           "message": "Invalid value: -1: must be greater than or equal to 0"}],
         'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'),
        ("Pod", "p",
         [{"reason": "FieldValueRequired", "field": "spec.containers[0].image", "message": "Required value"},
          {"reason": "FieldValueRequired", "field": "spec.containers[1].image", "message": "Required value"}],
         'Pod "p" is invalid: [spec.containers[0].image: Required value, spec.containers[1].image: Required value]'),
        ("Pod", "p",
         [{"reason": "FieldValueRequired", "field": "spec.containers", "message": "Required value"},
          {"reason": "FieldValueRequired", "field": "spec.containers", "message": "Required value"}],
         'Pod "p" is invalid: spec.containers: Required value'),
        ("Service", "s", [], 'Service "s" is invalid'),
    ],
)
def test_invalid_message(kind_group: str, name: str, causes: list[dict[str, str]], expected: str) -> None:
    assert invalid_message(kind_group, name, causes) == expected


def test_invalid_message_end_to_end() -> None:
    obj = _defaulted("Deployment", workload("Deployment", replicas=-1))
    assert invalid_message("Deployment.apps", "w", validate("Deployment", obj)) == (
        'Deployment.apps "w" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'
    )


def _cm(**kw: Any) -> Obj:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "default"}, **kw}


IMMUTABLE = "Forbidden: field is immutable when `immutable` is set"


def test_an_immutable_configmap_keeps_its_data_and_its_immutability() -> None:
    """kube-apiserver v1.36.3 answers both causes, immutable first (asked of the real control plane)."""
    old = _cm(data={"a": "1"}, immutable=True)
    causes = validate("ConfigMap", _cm(data={"a": "2"}, immutable=False), old)
    assert [(c["field"], c["message"]) for c in causes] == [("immutable", IMMUTABLE), ("data", IMMUTABLE)]
    assert [c["field"] for c in validate("ConfigMap", _cm(data={"a": "1"}, binaryData={"b": "AA=="},
                                                          immutable=True), old)] == ["binaryData"]
    relabelled = _cm(data={"a": "1"}, immutable=True)
    relabelled["metadata"]["labels"] = {"x": "y"}
    assert validate("ConfigMap", relabelled, old) == []
    assert validate("ConfigMap", _cm(data={"a": "2"}, immutable=True), _cm(data={"a": "1"})) == []  # not yet


def test_an_immutable_secret_keeps_its_data_and_no_secret_changes_type() -> None:
    def secret(**kw: Any) -> Obj:
        return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "default"},
                "type": "Opaque", **kw}

    old = secret(data={"a": "MQ=="}, immutable=True)
    assert [c["field"] for c in validate("Secret", secret(data={"a": "Mg=="}, immutable=True), old)] == ["data"]
    causes = validate("Secret", secret(data={"a": "MQ=="}, type="example.com/x"), secret(data={"a": "MQ=="}))
    assert {"reason": "FieldValueInvalid", "field": "type",
            "message": 'Invalid value: "example.com/x": field is immutable'} in causes
