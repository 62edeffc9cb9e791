"""Manifests with exactly one planted defect, and the cause the real API server reports for it.

Each case starts from a valid manifest drawn by the other strategies and breaks one field.
``field`` and ``reason`` are one entry of the 422 response's ``details.causes[]``, checked
against kubernetes/kubernetes:

- pkg/apis/core/validation/validation.go: containers (name DNS-1123 label → Invalid, repeated
  name → Duplicate, empty image → Required), container ports (0 → Required, out of range →
  Invalid), restartPolicy (unknown → NotSupported), ObjectMeta name (→ Invalid), Service
  without ports unless headless (``spec.ports`` Required), unnamed port of a multi-port Service
  (``spec.ports[i].name`` Required);
- staging/.../apimachinery/pkg/apis/meta/v1/validation: a bad label value is reported at
  ``metadata.labels`` itself (not at the key), Invalid;
- pkg/apis/apps/validation/validation.go: negative replicas (Invalid), nil selector (Required;
  the server then also reports ``spec.template.metadata.labels`` because a nil selector matches
  nothing), selector not matching the template (``spec.template.metadata.labels`` Invalid),
  template restartPolicy other than Always (NotSupported), maxSurge and maxUnavailable both 0
  (``spec.strategy.rollingUpdate.maxUnavailable`` Invalid);
- pkg/apis/batch/validation/validation.go: restartPolicy Always (Required, 'valid values:
  "OnFailure", "Never"' — defaulting turns an omitted policy into Always, so both read as "not
  chosen"), negative backoffLimit (Invalid), Indexed without completions (Required; with
  parallelism set, since defaulting fills completions when both are missing).

The response may hold more causes than the planted one only where noted above; a test
should look for this cause among them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from kconform.strategies._common import Manifest
from kconform.strategies.core import configmaps
from kconform.strategies.pods import pod_spec_of, pod_spec_path, pods
from kconform.strategies.services import services
from kconform.strategies.workloads import daemonsets, deployments, jobs, replicasets, statefulsets

FIELD_VALUE_REQUIRED = "FieldValueRequired"
FIELD_VALUE_INVALID = "FieldValueInvalid"
FIELD_VALUE_NOT_SUPPORTED = "FieldValueNotSupported"
FIELD_VALUE_DUPLICATE = "FieldValueDuplicate"
CAUSE_REASONS = frozenset(
    {FIELD_VALUE_REQUIRED, FIELD_VALUE_INVALID, FIELD_VALUE_NOT_SUPPORTED, FIELD_VALUE_DUPLICATE}
)


@dataclass(frozen=True)
class InvalidCase:
    """A manifest the API server must reject with 422, and the cause it must report."""

    manifest: dict[str, Any]
    field: str
    reason: str
    description: str


def _pod_bearing() -> SearchStrategy[Manifest]:
    return st.one_of(
        pods(healthy=True, restart_policy="Always"),
        deployments(healthy=True),
        replicasets(healthy=True),
        statefulsets(healthy=True),
        daemonsets(healthy=True),
        jobs(healthy=True),
    )


def _replicated() -> SearchStrategy[Manifest]:
    return st.one_of(deployments(healthy=True), replicasets(healthy=True), statefulsets(healthy=True))


def _selected() -> SearchStrategy[Manifest]:
    return st.one_of(deployments(healthy=True), replicasets(healthy=True))


def _copy(manifest: Manifest) -> Manifest:
    return copy.deepcopy(manifest)


@st.composite
def _missing_image(draw: st.DrawFn) -> InvalidCase:
    manifest = _copy(draw(_pod_bearing()))
    del pod_spec_of(manifest)["containers"][0]["image"]
    return InvalidCase(
        manifest,
        f"{pod_spec_path(manifest)}.containers[0].image",
        FIELD_VALUE_REQUIRED,
        "container without an image",
    )


@st.composite
def _bad_container_name(draw: st.DrawFn) -> InvalidCase:
    manifest = _copy(draw(_pod_bearing()))
    bad = draw(st.sampled_from(("Main", "my_ctr", "-main", "main-")))
    pod_spec_of(manifest)["containers"][0]["name"] = bad
    return InvalidCase(
        manifest,
        f"{pod_spec_path(manifest)}.containers[0].name",
        FIELD_VALUE_INVALID,
        f"container name {bad!r} is not a DNS-1123 label",
    )


@st.composite
def _duplicate_container_name(draw: st.DrawFn) -> InvalidCase:
    manifest = _copy(draw(_pod_bearing()))
    containers = pod_spec_of(manifest)["containers"]
    first = containers[0]
    twin = {key: value for key, value in first.items() if key != "ports"}
    if len(containers) == 1:
        containers.append(twin)
    else:
        containers[1]["name"] = first["name"]
    return InvalidCase(
        manifest,
        f"{pod_spec_path(manifest)}.containers[1].name",
        FIELD_VALUE_DUPLICATE,
        f"two containers named {first['name']!r}",
    )


@st.composite
def _bad_object_name(draw: st.DrawFn) -> InvalidCase:
    manifest = _copy(draw(st.one_of(pods(healthy=True), deployments(healthy=True), configmaps())))
    bad = draw(st.sampled_from(("Bad", "has_underscore", "-lead", "trail-")))
    manifest["metadata"]["name"] = bad
    return InvalidCase(
        manifest, "metadata.name", FIELD_VALUE_INVALID, f"{manifest['kind']} name {bad!r} is not DNS-1123"
    )


def _with_port(manifest: Manifest, port: int) -> None:
    container = pod_spec_of(manifest)["containers"][0]
    ports = container.setdefault("ports", [{"name": "http", "containerPort": 8080}])
    ports[0]["containerPort"] = port


@st.composite
def _port_zero(draw: st.DrawFn) -> InvalidCase:
    manifest = _copy(draw(_pod_bearing()))
    _with_port(manifest, 0)
    return InvalidCase(
        manifest,
        f"{pod_spec_path(manifest)}.containers[0].ports[0].containerPort",
        FIELD_VALUE_REQUIRED,
        "containerPort 0",
    )


@st.composite
def _port_out_of_range(draw: st.DrawFn) -> InvalidCase:
    manifest = _copy(draw(_pod_bearing()))
    port = draw(st.sampled_from((70000, 65536, -1)))
    _with_port(manifest, port)
    return InvalidCase(
        manifest,
        f"{pod_spec_path(manifest)}.containers[0].ports[0].containerPort",
        FIELD_VALUE_INVALID,
        f"containerPort {port} outside 1-65535",
    )


@st.composite
def _pod_bad_restart_policy(draw: st.DrawFn) -> InvalidCase:
    manifest = _copy(draw(pods(healthy=True)))
    bad = draw(st.sampled_from(("Sometimes", "always", "Forever")))
    manifest["spec"]["restartPolicy"] = bad
    return InvalidCase(
        manifest, "spec.restartPolicy", FIELD_VALUE_NOT_SUPPORTED, f"Pod restartPolicy {bad!r}"
    )


@st.composite
def _template_restart_policy_not_always(draw: st.DrawFn) -> InvalidCase:
    manifest = _copy(draw(_selected()))
    policy = draw(st.sampled_from(("Never", "OnFailure")))
    manifest["spec"]["template"]["spec"]["restartPolicy"] = policy
    return InvalidCase(
        manifest,
        "spec.template.spec.restartPolicy",
        FIELD_VALUE_NOT_SUPPORTED,
        f"{manifest['kind']} template restartPolicy {policy} (only Always)",
    )


@st.composite
def _selector_mismatch(draw: st.DrawFn) -> InvalidCase:
    manifest = _copy(draw(_selected()))
    manifest["spec"]["template"]["metadata"]["labels"]["app"] = "mismatch"
    return InvalidCase(
        manifest,
        "spec.template.metadata.labels",
        FIELD_VALUE_INVALID,
        f"{manifest['kind']} selector does not match its template labels",
    )


@st.composite
def _missing_selector(draw: st.DrawFn) -> InvalidCase:
    manifest = _copy(draw(_selected()))
    del manifest["spec"]["selector"]
    return InvalidCase(
        manifest, "spec.selector", FIELD_VALUE_REQUIRED, f"{manifest['kind']} without a selector"
    )


@st.composite
def _negative_replicas(draw: st.DrawFn) -> InvalidCase:
    manifest = _copy(draw(_replicated()))
    manifest["spec"]["replicas"] = draw(st.integers(-3, -1))
    return InvalidCase(
        manifest, "spec.replicas", FIELD_VALUE_INVALID, f"{manifest['kind']} with negative replicas"
    )


@st.composite
def _rolling_update_both_zero(draw: st.DrawFn) -> InvalidCase:
    manifest = _copy(draw(deployments(healthy=True)))
    surge = draw(st.sampled_from((0, "0%")))
    unavailable = draw(st.sampled_from((0, "0%")))
    manifest["spec"]["strategy"] = {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable},
    }
    return InvalidCase(
        manifest,
        "spec.strategy.rollingUpdate.maxUnavailable",
        FIELD_VALUE_INVALID,
        "Deployment maxSurge and maxUnavailable both zero",
    )


@st.composite
def _job_restart_always(draw: st.DrawFn) -> InvalidCase:
    manifest = _copy(draw(jobs(healthy=True)))
    manifest["spec"]["template"]["spec"]["restartPolicy"] = "Always"
    return InvalidCase(
        manifest,
        "spec.template.spec.restartPolicy",
        FIELD_VALUE_REQUIRED,
        "Job template restartPolicy Always",
    )


@st.composite
def _job_negative_backoff(draw: st.DrawFn) -> InvalidCase:
    manifest = _copy(draw(jobs(healthy=True)))
    manifest["spec"]["backoffLimit"] = draw(st.integers(-3, -1))
    return InvalidCase(manifest, "spec.backoffLimit", FIELD_VALUE_INVALID, "Job with negative backoffLimit")


@st.composite
def _indexed_job_without_completions(draw: st.DrawFn) -> InvalidCase:
    manifest = _copy(draw(jobs(healthy=True)))
    manifest["spec"]["completionMode"] = "Indexed"
    manifest["spec"].pop("completions", None)
    manifest["spec"].setdefault("parallelism", 1)  # else SetDefaults_Job sets completions to 1
    return InvalidCase(manifest, "spec.completions", FIELD_VALUE_REQUIRED, "Indexed Job without completions")


@st.composite
def _service_without_ports(draw: st.DrawFn) -> InvalidCase:
    kind = draw(st.sampled_from(("ClusterIP", "NodePort")))
    manifest = _copy(draw(services(service_type=kind)))
    del manifest["spec"]["ports"]
    return InvalidCase(manifest, "spec.ports", FIELD_VALUE_REQUIRED, f"{kind} Service without ports")


@st.composite
def _service_unnamed_port(draw: st.DrawFn) -> InvalidCase:
    manifest = _copy(draw(services()))
    ports = manifest["spec"]["ports"]
    if len(ports) == 1:
        ports[0]["name"] = "http"
        ports.append({"name": "metrics", "port": 9090, "targetPort": "metrics"})
    del ports[1]["name"]
    return InvalidCase(
        manifest, "spec.ports[1].name", FIELD_VALUE_REQUIRED, "multi-port Service with an unnamed port"
    )


@st.composite
def _bad_label_value(draw: st.DrawFn) -> InvalidCase:
    manifest = _copy(draw(st.one_of(configmaps(), pods(healthy=True), services(), deployments(healthy=True))))
    bad = draw(st.sampled_from(("-bad", "bad-", "has space", "x" * 64)))
    manifest["metadata"]["labels"]["tier"] = bad
    return InvalidCase(manifest, "metadata.labels", FIELD_VALUE_INVALID, f"label value {bad!r}")


# Table of defect planters; the first is the shrink target.
_PLANTERS: tuple[Callable[[], SearchStrategy[InvalidCase]], ...] = (
    _missing_image,
    _bad_container_name,
    _duplicate_container_name,
    _bad_object_name,
    _port_zero,
    _port_out_of_range,
    _pod_bad_restart_policy,
    _template_restart_policy_not_always,
    _selector_mismatch,
    _missing_selector,
    _negative_replicas,
    _rolling_update_both_zero,
    _job_restart_always,
    _job_negative_backoff,
    _indexed_job_without_completions,
    _service_without_ports,
    _service_unnamed_port,
    _bad_label_value,
)


def invalid_manifests() -> SearchStrategy[InvalidCase]:
    """A valid manifest with exactly one planted defect, and the cause the API server reports."""
    return st.one_of([planter() for planter in _PLANTERS])
