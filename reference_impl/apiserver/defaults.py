"""Defaulting of the built-in kinds, applied by the API server before validation.

Models the scheme defaulters generated from ``pkg/apis/core/v1/defaults.go``,
``pkg/apis/apps/v1/defaults.go``, ``pkg/apis/batch/v1/defaults.go``,
``pkg/apis/discovery/v1/defaults.go``, plus the few values the real registry strategies and
admission fill in on create so objects read back as ``kubectl get -o json`` shows them: a
Namespace's ``kubernetes`` finalizer (namespace strategy), a Service's ``ipFamilies`` /
``ipFamilyPolicy`` / ``clusterIPs`` (service REST, single-stack IPv4 cluster). A Pod's
``priority`` and ``preemptionPolicy`` are the Priority admission plugin's (``server.py``).

Defaults only fill what is missing; a value the user set is never overwritten.

Left out: defaults of kinds not listed in :data:`DEFAULTERS`, volume sources other than
emptyDir/configMap/secret, ephemeral containers, ``ServiceAccount`` admission (the
``serviceAccountName: default`` fill and the token volume are admission's job, in
``server.py``), feature-gated defaults that are off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["DEFAULTERS", "apply_defaults", "default_pod_spec", "image_tag"]

Obj = dict[str, Any]

_PROBE_DEFAULTS = (("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1), ("failureThreshold", 3))
_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


def _child(obj: Obj, key: str) -> Obj:
    """``obj[key]`` as a dict, created empty when absent or null (Go's zero-value struct)."""
    value = obj.get(key)
    if not isinstance(value, dict):
        value = {}
        obj[key] = value
    return value


def _items(obj: Obj, key: str) -> list[Obj]:
    value = obj.get(key)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def image_tag(image: str) -> str:
    """The tag ``parsers.ParseImageName`` finds: ``latest`` when there is neither tag nor digest."""
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    if ":" in last:
        return last.rsplit(":", 1)[1]
    return "" if digest else "latest"


def _default_probe(probe: Obj) -> None:
    for key, default in _PROBE_DEFAULTS:
        probe.setdefault(key, default)
    http_get = probe.get("httpGet")
    if isinstance(http_get, dict):
        # SetDefaults_HTTPGetAction
        http_get.setdefault("path", "/")
        http_get.setdefault("scheme", "HTTP")


def _default_container(container: Obj) -> None:
    if not container.get("imagePullPolicy"):
        tag = image_tag(str(container.get("image") or ""))
        container["imagePullPolicy"] = "Always" if tag == "latest" else "IfNotPresent"
    container.setdefault("terminationMessagePath", "/dev/termination-log")
    container.setdefault("terminationMessagePolicy", "File")
    _child(container, "resources")
    for port in _items(container, "ports"):
        port.setdefault("protocol", "TCP")
    for env in _items(container, "env"):
        field_ref = (env.get("valueFrom") or {}).get("fieldRef")
        if isinstance(field_ref, dict):
            field_ref.setdefault("apiVersion", "v1")
    for probe_name in _PROBES:
        probe = container.get(probe_name)
        if isinstance(probe, dict):
            _default_probe(probe)


def _default_volume(volume: Obj) -> None:
    sources = set(volume) - {"name"}
    if not sources:
        # SetDefaults_Volume: a volume with no source is an emptyDir.
        volume["emptyDir"] = {}
    for key in ("configMap", "secret"):
        source = volume.get(key)
        if isinstance(source, dict):
            source.setdefault("defaultMode", 420)


def default_pod_spec(spec: Obj) -> None:
    """``SetDefaults_PodSpec`` and the container/probe/volume defaults, for pods and templates."""
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("schedulerName", "default-scheduler")
    _child(spec, "securityContext")
    for container in _items(spec, "initContainers") + _items(spec, "containers"):
        _default_container(container)
    for volume in _items(spec, "volumes"):
        _default_volume(volume)


def _default_template(obj: Obj, *path: str) -> None:
    node = obj
    for key in path:
        node = _child(node, key)
    default_pod_spec(_child(node, "spec"))


def _default_pod(obj: Obj) -> None:
    spec = _child(obj, "spec")
    default_pod_spec(spec)
    # SetDefaults_Pod, not SetDefaults_PodSpec: only a Pod (never a template) gets these.
    spec.setdefault("enableServiceLinks", True)
    for container in _items(spec, "initContainers") + _items(spec, "containers"):
        resources = _child(container, "resources")
        limits = resources.get("limits")
        if isinstance(limits, dict) and limits:
            requests = _child(resources, "requests")
            for name, quantity in limits.items():
                requests.setdefault(name, quantity)
        if spec.get("hostNetwork"):
            for port in _items(container, "ports"):
                port.setdefault("hostPort", port.get("containerPort"))


def _default_service(obj: Obj) -> None:
    spec = _child(obj, "spec")
    spec.setdefault("sessionAffinity", "None")
    service_type = spec.setdefault("type", "ClusterIP")
    if spec["sessionAffinity"] == "ClientIP":
        config = _child(_child(spec, "sessionAffinityConfig"), "clientIP")
        config.setdefault("timeoutSeconds", 10800)
    for port in _items(spec, "ports"):
        port.setdefault("protocol", "TCP")
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port")
    if service_type in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if service_type == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)
    if service_type != "ExternalName":
        spec.setdefault("internalTrafficPolicy", "Cluster")
        # The service REST storage fills these on a single-stack IPv4 cluster.
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("ipFamilies", ["IPv4"])
        cluster_ip = spec.get("clusterIP")
        if cluster_ip and "clusterIPs" not in spec:
            spec["clusterIPs"] = [cluster_ip]


def _default_deployment(obj: Obj) -> None:
    spec = _child(obj, "spec")
    spec.setdefault("replicas", 1)
    strategy = _child(spec, "strategy")
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = _child(strategy, "rollingUpdate")
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    _default_template(obj, "spec", "template")


def _default_replicaset(obj: Obj) -> None:
    _child(obj, "spec").setdefault("replicas", 1)
    _default_template(obj, "spec", "template")


def _default_daemonset(obj: Obj) -> None:
    spec = _child(obj, "spec")
    strategy = _child(spec, "updateStrategy")
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = _child(strategy, "rollingUpdate")
        rolling.setdefault("maxUnavailable", 1)
        rolling.setdefault("maxSurge", 0)
    spec.setdefault("revisionHistoryLimit", 10)
    _default_template(obj, "spec", "template")


def _default_statefulset(obj: Obj) -> None:
    spec = _child(obj, "spec")
    spec.setdefault("podManagementPolicy", "OrderedReady")
    strategy = _child(spec, "updateStrategy")
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
        _child(strategy, "rollingUpdate")
    rolling = strategy.get("rollingUpdate")
    if strategy["type"] == "RollingUpdate" and isinstance(rolling, dict):
        rolling.setdefault("partition", 0)
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    retention = _child(spec, "persistentVolumeClaimRetentionPolicy")
    retention.setdefault("whenDeleted", "Retain")
    retention.setdefault("whenScaled", "Retain")
    _default_template(obj, "spec", "template")


def _default_job(obj: Obj) -> None:
    spec = _child(obj, "spec")
    # A non-parallel Job may leave both unset; then both are 1. Completions alone stays unset
    # when only parallelism is given (a work-queue Job).
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    if spec.get("parallelism") is None:
        spec["parallelism"] = 1
    if spec.get("backoffLimit") is None:
        spec["backoffLimit"] = 2147483647 if spec.get("backoffLimitPerIndex") is not None else 6
    template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    metadata = _child(obj, "metadata")
    if template_labels and not metadata.get("labels"):
        metadata["labels"] = dict(template_labels)
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    if spec.get("podReplacementPolicy") is None:
        spec["podReplacementPolicy"] = "Failed" if spec.get("podFailurePolicy") else "TerminatingOrFailed"
    _default_template(obj, "spec", "template")


def _default_cronjob(obj: Obj) -> None:
    spec = _child(obj, "spec")
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    # Only the pod template inside is defaulted: SetDefaults_Job runs on Jobs, not JobTemplates.
    _default_template(obj, "spec", "jobTemplate", "spec", "template")


def _default_namespace(obj: Obj) -> None:
    spec = _child(obj, "spec")
    if not spec.get("finalizers"):
        spec["finalizers"] = ["kubernetes"]
    _child(obj, "status").setdefault("phase", "Active")


def _default_node(obj: Obj) -> None:
    status = obj.get("status")
    # SetDefaults_NodeStatus: allocatable defaults to capacity.
    if isinstance(status, dict) and isinstance(status.get("capacity"), dict):
        status.setdefault("allocatable", dict(status["capacity"]))


def _default_secret(obj: Obj) -> None:
    if not obj.get("type"):
        obj["type"] = "Opaque"


def _default_endpoint_slice(obj: Obj) -> None:
    for port in _items(obj, "ports"):
        port.setdefault("name", "")
        port.setdefault("protocol", "TCP")


def _default_endpoints(obj: Obj) -> None:
    for subset in _items(obj, "subsets"):
        for port in _items(subset, "ports"):
            port.setdefault("protocol", "TCP")


def _no_defaults(obj: Obj) -> None:
    return None


DEFAULTERS: dict[str, Callable[[Obj], None]] = {
    "Namespace": _default_namespace,
    "Node": _default_node,
    "Pod": _default_pod,
    "Service": _default_service,
    "Endpoints": _default_endpoints,
    "ConfigMap": _no_defaults,
    "Secret": _default_secret,
    "Event": _no_defaults,
    "ServiceAccount": _no_defaults,
    "PodTemplate": lambda obj: _default_template(obj, "template"),
    "Deployment": _default_deployment,
    "ReplicaSet": _default_replicaset,
    "DaemonSet": _default_daemonset,
    "StatefulSet": _default_statefulset,
    "ControllerRevision": _no_defaults,
    "Job": _default_job,
    "CronJob": _default_cronjob,
    "Lease": _no_defaults,
    "EndpointSlice": _default_endpoint_slice,
    "PodDisruptionBudget": _no_defaults,
    "Binding": _no_defaults,
    "Eviction": _no_defaults,
}


def apply_defaults(kind: str, obj: Obj) -> None:
    """Fill in the defaults of ``kind`` in ``obj`` in place; unknown kinds are left untouched."""
    defaulter = DEFAULTERS.get(kind)
    if defaulter is not None:
        defaulter(obj)
