"""Workload manifests: Deployments, ReplicaSets, StatefulSets, DaemonSets and Jobs.

Every workload labels its pods ``app: <kind-prefix>-<name>`` and pins its selector to that
label (``matchLabels`` or ``In``), optionally narrowed by pool labels; so two workloads never
adopt each other's pods, while Services and anti-affinities drawn from pool labels still
reach across them. Replica counts and parallelism stay at 0-4 so a program converges fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from kconform.errors import InvalidArgument
from kconform.strategies._common import (
    BUSYBOX_IMAGE,
    BUSYBOX_IMAGE_NEXT,
    MANAGED_BY_KEY,
    MANAGED_BY_VALUE,
    MISSING_IMAGE,
    MISSING_IMAGE_NEXT,
    PAUSE_IMAGE,
    PAUSE_IMAGE_PREVIOUS,
    Manifest,
    app_label,
    maybe,
    metadata,
    put_if,
)
from kconform.strategies.names import label_selectors_for, names
from kconform.strategies.names import labels as label_maps
from kconform.strategies.pods import pod_specs

# Module-level defaults (a strategy is immutable, so sharing one is safe).
_REPLICAS = st.integers(0, 4)
_STATEFUL_REPLICAS = st.integers(0, 3)

# maxSurge/maxUnavailable values; the first is the shrink target.
_INT_OR_PERCENT: tuple[int | str, ...] = (1, 0, 2, "25%", "50%", "0%", "100%")


def _is_zero(value: int | str) -> bool:
    return value in (0, "0%")


@st.composite
def _template_and_selector(
    draw: st.DrawFn,
    *,
    kind: str,
    name: str,
    restart_policy: str,
    node_names: Sequence[str] | None,
    healthy: bool,
    ports: bool = True,
    with_selector: bool = True,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A pod template labelled for ``kind``/``name`` and a selector matching it."""
    own = {**draw(label_maps(max_size=2)), "app": app_label(kind, name)}
    selector = draw(label_selectors_for(own, pinned=("app",))) if with_selector else None
    spec = draw(pod_specs(restart_policy, node_names, healthy=healthy, labels=own, ports=ports))
    template = {"metadata": {"labels": {**own, MANAGED_BY_KEY: MANAGED_BY_VALUE}}, "spec": spec}
    return template, selector


def _workload(
    kind: str, api_version: str, name: str, namespace: str | None, spec: dict[str, Any]
) -> Manifest:
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": metadata(name=name, namespace=namespace, labels={"app": app_label(kind, name)}),
        "spec": spec,
    }


@st.composite
def _deployment_strategy(draw: st.DrawFn) -> dict[str, Any] | None:
    shape = draw(st.sampled_from(("default", "RollingUpdate", "Recreate")))
    if shape == "default":
        return None
    if shape == "Recreate":
        return {"type": "Recreate"}
    surge = draw(st.sampled_from(_INT_OR_PERCENT))
    unavailable = draw(st.sampled_from(_INT_OR_PERCENT))
    if _is_zero(surge) and _is_zero(unavailable):
        surge = 1  # both zero is rejected: "may not be 0 when `maxSurge` is 0"
    return {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}


@st.composite
def deployments(
    draw: st.DrawFn,
    namespace: str | None = "default",
    replicas: SearchStrategy[int] = _REPLICAS,
    node_names: Sequence[str] | None = None,
    *,
    healthy: bool = False,
) -> Manifest:
    """An apps/v1 Deployment: default, RollingUpdate (int or percent, not both zero) or Recreate.

    progressDeadlineSeconds is left at its default (600); minReadySeconds is sometimes 1-3.
    """
    name = draw(names())
    template, selector = draw(
        _template_and_selector(
            kind="Deployment", name=name, restart_policy="Always", node_names=node_names, healthy=healthy
        )
    )
    spec: dict[str, Any] = {"replicas": draw(replicas), "selector": selector, "template": template}
    put_if(spec, "strategy", draw(_deployment_strategy()))
    put_if(spec, "minReadySeconds", draw(maybe(st.integers(1, 3))))
    put_if(spec, "revisionHistoryLimit", draw(maybe(st.sampled_from((2, 0, 10)))))
    return _workload("Deployment", "apps/v1", name, namespace, spec)


@st.composite
def replicasets(
    draw: st.DrawFn,
    namespace: str | None = "default",
    replicas: SearchStrategy[int] = _REPLICAS,
    node_names: Sequence[str] | None = None,
    *,
    healthy: bool = False,
) -> Manifest:
    """An apps/v1 ReplicaSet, sometimes with minReadySeconds 1-3."""
    name = draw(names())
    template, selector = draw(
        _template_and_selector(
            kind="ReplicaSet", name=name, restart_policy="Always", node_names=node_names, healthy=healthy
        )
    )
    spec: dict[str, Any] = {"replicas": draw(replicas), "selector": selector, "template": template}
    put_if(spec, "minReadySeconds", draw(maybe(st.integers(1, 3))))
    return _workload("ReplicaSet", "apps/v1", name, namespace, spec)


@st.composite
def statefulsets(
    draw: st.DrawFn,
    namespace: str | None = "default",
    replicas: SearchStrategy[int] = _STATEFUL_REPLICAS,
    node_names: Sequence[str] | None = None,
    *,
    healthy: bool = False,
) -> Manifest:
    """An apps/v1 StatefulSet: OrderedReady or Parallel, RollingUpdate (maybe a partition) or OnDelete.

    ``serviceName`` is the StatefulSet's own name; :func:`kconform.strategies.headless_service_for`
    builds that governing Service.
    """
    name = draw(names())
    template, selector = draw(
        _template_and_selector(
            kind="StatefulSet", name=name, restart_policy="Always", node_names=node_names, healthy=healthy
        )
    )
    count = draw(replicas)
    spec: dict[str, Any] = {
        "replicas": count,
        "serviceName": name,
        "selector": selector,
        "template": template,
    }
    put_if(spec, "podManagementPolicy", draw(maybe(st.sampled_from(("OrderedReady", "Parallel")))))
    update = draw(st.sampled_from(("default", "RollingUpdate", "OnDelete")))
    if update == "RollingUpdate":
        partition = draw(maybe(st.integers(0, max(count, 1))))
        strategy: dict[str, Any] = {"type": "RollingUpdate"}
        if partition is not None:
            strategy["rollingUpdate"] = {"partition": partition}
        spec["updateStrategy"] = strategy
    elif update == "OnDelete":
        spec["updateStrategy"] = {"type": "OnDelete"}
    put_if(spec, "minReadySeconds", draw(maybe(st.integers(1, 3))))
    return _workload("StatefulSet", "apps/v1", name, namespace, spec)


@st.composite
def daemonsets(
    draw: st.DrawFn,
    namespace: str | None = "default",
    node_names: Sequence[str] | None = None,
    *,
    healthy: bool = False,
) -> Manifest:
    """An apps/v1 DaemonSet: RollingUpdate with maxUnavailable or maxSurge, or OnDelete."""
    name = draw(names())
    template, selector = draw(
        _template_and_selector(
            kind="DaemonSet", name=name, restart_policy="Always", node_names=node_names, healthy=healthy
        )
    )
    spec: dict[str, Any] = {"selector": selector, "template": template}
    update = draw(st.sampled_from(("default", "unavailable", "surge", "OnDelete")))
    if update == "unavailable":
        unavailable = draw(st.sampled_from((1, 2, "50%", "100%")))
        spec["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": unavailable}}
    elif update == "surge":
        surge = draw(st.sampled_from((1, "50%")))
        spec["updateStrategy"] = {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": surge, "maxUnavailable": 0},
        }
    elif update == "OnDelete":
        spec["updateStrategy"] = {"type": "OnDelete"}
    put_if(spec, "minReadySeconds", draw(maybe(st.integers(1, 3))))
    return _workload("DaemonSet", "apps/v1", name, namespace, spec)


@st.composite
def jobs(
    draw: st.DrawFn,
    namespace: str | None = "default",
    node_names: Sequence[str] | None = None,
    *,
    healthy: bool = False,
) -> Manifest:
    """A batch/v1 Job: NonIndexed or Indexed, parallelism/completions 1-3, backoffLimit 0-3.

    Its pods exit by themselves (with 0, or unless ``healthy`` also with 1-3), under
    restartPolicy Never or OnFailure. The selector is left for the API server to generate.
    """
    name = draw(names())
    restart_policy = draw(st.sampled_from(("Never", "OnFailure")))
    template, _ = draw(
        _template_and_selector(
            kind="Job",
            name=name,
            restart_policy=restart_policy,
            node_names=node_names,
            healthy=healthy,
            ports=False,
            with_selector=False,
        )
    )
    spec: dict[str, Any] = {"template": template, "backoffLimit": draw(st.integers(0, 3))}
    mode = draw(st.sampled_from(("default", "NonIndexed", "Indexed")))
    if mode == "Indexed":
        spec["completionMode"] = "Indexed"
        spec["completions"] = draw(st.integers(1, 3))  # required when Indexed
    else:
        if mode == "NonIndexed":
            spec["completionMode"] = "NonIndexed"
        put_if(spec, "completions", draw(maybe(st.integers(1, 3))))
    put_if(spec, "parallelism", draw(maybe(st.integers(1, 3))))
    return _workload("Job", "batch/v1", name, namespace, spec)


def workloads(
    namespace: str | None = "default",
    node_names: Sequence[str] | None = None,
    *,
    healthy: bool = False,
) -> SearchStrategy[Manifest]:
    """Any workload kind (shrinks towards a Deployment)."""
    return st.one_of(
        deployments(namespace, node_names=node_names, healthy=healthy),
        replicasets(namespace, node_names=node_names, healthy=healthy),
        statefulsets(namespace, node_names=node_names, healthy=healthy),
        daemonsets(namespace, node_names, healthy=healthy),
        jobs(namespace, node_names, healthy=healthy),
    )


def image_updates(current: str = PAUSE_IMAGE, *, healthy: bool = False) -> SearchStrategy[str]:
    """A different image for a container now running ``current``, to trigger a rollout.

    pause images move between pause tags and busybox images between busybox tags (so the
    container's command keeps working); unless ``healthy``, the update may also be an image
    that never pulls, which stalls the rollout.
    """
    if current.startswith("busybox"):
        family = [BUSYBOX_IMAGE_NEXT, BUSYBOX_IMAGE]
    elif current.startswith("registry.k8s.io/pause") or ".invalid/" in current:
        family = [PAUSE_IMAGE_PREVIOUS, PAUSE_IMAGE]
    else:
        raise InvalidArgument(f"image_updates knows pause and busybox images, not {current!r}")
    if not healthy:
        family += [MISSING_IMAGE, MISSING_IMAGE_NEXT]
    choices = [image for image in family if image != current]
    return st.sampled_from(choices)


def scale_targets(max_replicas: int = 5) -> SearchStrategy[int]:
    """A replica count to scale a workload to (0 to ``max_replicas``)."""
    if max_replicas < 0:
        raise InvalidArgument(f"max_replicas must be non-negative, got {max_replicas}")
    return st.integers(0, max_replicas)
