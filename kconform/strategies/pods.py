"""Containers, pod specs and bare Pods.

Containers use only the images every backend agrees on: ``pause`` runs forever, ``busybox``
runs one of a handful of commands the reference kubelet interprets the way busybox would
(sleep, exit N, true, false), and an image on a ``.invalid`` registry never pulls. That is
enough to reach Running, Ready, Succeeded, Failed, CrashLoopBackOff and ImagePullBackOff
while staying small enough to converge in seconds on a real cluster.

``healthy=True`` keeps only behaviours that converge (no crash, no pull failure, no failing
probe, no nodeSelector no node satisfies); whether the pods fit is still up to the cluster.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from kconform.errors import InvalidArgument
from kconform.strategies._common import (
    BUSYBOX_IMAGE,
    HTTP_PORT,
    HTTP_PORT_NAME,
    METRICS_PORT,
    METRICS_PORT_NAME,
    MISSING_IMAGE,
    PAUSE_IMAGE,
    Manifest,
    app_label,
    maybe,
    metadata,
    put_if,
)
from kconform.strategies.names import labels as label_maps
from kconform.strategies.names import names
from kconform.strategies.scheduling import (
    node_affinities,
    node_selectors,
    pod_anti_affinities,
    resources,
    tolerations,
    topology_spread_constraints,
)

RESTART_POLICIES = ("Always", "OnFailure", "Never")

_Run = tuple[str, list[str] | None, list[str] | None]  # image, command, args


def _sleep_seconds() -> SearchStrategy[int]:
    return st.integers(1, 10)


def _exit_codes() -> SearchStrategy[int]:
    return st.integers(1, 3)


def _runs_forever() -> SearchStrategy[_Run]:
    return st.one_of(
        st.just((PAUSE_IMAGE, None, None)),
        st.just((BUSYBOX_IMAGE, ["sh", "-c", "sleep 3600"], None)),
    )


def _exits_zero() -> SearchStrategy[_Run]:
    return st.one_of(
        st.just((BUSYBOX_IMAGE, ["true"], None)),
        st.just((BUSYBOX_IMAGE, None, None)),
        _sleep_seconds().map(lambda n: (BUSYBOX_IMAGE, ["sleep", str(n)], None)),
        _sleep_seconds().map(lambda n: (BUSYBOX_IMAGE, ["sleep"], [str(n)])),
        _sleep_seconds().map(lambda n: (BUSYBOX_IMAGE, ["sh", "-c", f"sleep {n}"], None)),
        st.just((BUSYBOX_IMAGE, ["sh", "-c", "exit 0"], None)),
    )


def _exits_nonzero() -> SearchStrategy[_Run]:
    return st.one_of(
        st.just((BUSYBOX_IMAGE, ["false"], None)),
        _exit_codes().map(lambda code: (BUSYBOX_IMAGE, ["sh", "-c", f"exit {code}"], None)),
        st.tuples(_sleep_seconds(), _exit_codes()).map(
            lambda t: (BUSYBOX_IMAGE, ["sh", "-c", f"sleep {t[0]}; exit {t[1]}"], None)
        ),
    )


def _never_pulls() -> SearchStrategy[_Run]:
    return st.just((MISSING_IMAGE, None, None))


def _readiness_probe(*, healthy: bool) -> SearchStrategy[dict[str, Any]]:
    # An exec probe needs a shell-less binary the image has: only busybox has ``true``/``false``.
    commands = [["true"]] if healthy else [["true"], ["false"]]
    return st.builds(
        lambda command, delay, period: {
            "exec": {"command": command},
            "initialDelaySeconds": delay,
            "periodSeconds": period,
        },
        st.sampled_from(commands),
        st.integers(0, 5),
        st.sampled_from((1, 2, 5)),
    )


@st.composite
def containers(
    draw: st.DrawFn,
    *,
    name: str = "main",
    terminating: bool = False,
    healthy: bool = False,
    ports: bool = True,
) -> dict[str, Any]:
    """One container.

    ``terminating=False``: meant to run forever (pause, ``sleep 3600``); unless ``healthy``,
    also ones that exit (crash-looping under restartPolicy Always), a missing image, or a
    readiness probe that never passes. ``terminating=True``: exits by itself with 0 (``true``,
    ``sleep N``, no command); unless ``healthy``, also with 1-3 or a missing image.
    ``ports=True`` names ports ``http`` (8080) and ``metrics`` (9090).
    """
    if terminating:
        runs = [_exits_zero()] if healthy else [_exits_zero(), _exits_nonzero(), _never_pulls()]
    else:
        runs = (
            [_runs_forever()]
            if healthy
            else [_runs_forever(), _exits_zero(), _exits_nonzero(), _never_pulls()]
        )
    image, command, args = draw(st.one_of(runs))
    container: dict[str, Any] = {"name": name, "image": image}
    put_if(container, "command", command)
    put_if(container, "args", args)
    if ports:
        container["ports"] = [
            {"name": HTTP_PORT_NAME, "containerPort": HTTP_PORT},
            {"name": METRICS_PORT_NAME, "containerPort": METRICS_PORT},
        ]
    put_if(container, "resources", draw(maybe(resources())))
    long_running_busybox = image == BUSYBOX_IMAGE and command == ["sh", "-c", "sleep 3600"]
    if not terminating and long_running_busybox:
        put_if(container, "readinessProbe", draw(maybe(_readiness_probe(healthy=healthy))))
    return container


@st.composite
def pod_specs(
    draw: st.DrawFn,
    restart_policy: str | None = "Always",
    node_names: Sequence[str] | None = None,
    *,
    healthy: bool = False,
    terminating: bool | None = None,
    labels: Mapping[str, str] | None = None,
    ports: bool = True,
) -> dict[str, Any]:
    """A PodSpec with one or two containers and optional scheduling constraints.

    ``restart_policy=None`` draws one of Always/OnFailure/Never. ``terminating`` defaults to
    "containers exit by themselves" unless the policy is Always. ``labels`` are the pod's own
    labels; when given, spread constraints and anti-affinity may select pods carrying them.
    """
    if restart_policy is None:
        restart_policy = draw(st.sampled_from(RESTART_POLICIES))
    if restart_policy not in RESTART_POLICIES:
        raise InvalidArgument(
            f"restart_policy must be one of {RESTART_POLICIES} or None, got {restart_policy!r}"
        )
    if terminating is None:
        terminating = restart_policy != "Always"
    main = draw(containers(name="main", terminating=terminating, healthy=healthy, ports=ports))
    spec: dict[str, Any] = {"containers": [main]}
    if draw(st.booleans()):
        side = draw(containers(name="side", terminating=terminating, healthy=healthy, ports=False))
        spec["containers"].append(side)
    spec["restartPolicy"] = restart_policy
    put_if(spec, "terminationGracePeriodSeconds", draw(maybe(st.sampled_from((1, 0, 5)))))
    put_if(spec, "nodeSelector", draw(maybe(node_selectors(node_names, satisfiable=healthy))))
    affinity: dict[str, Any] = {}
    put_if(affinity, "nodeAffinity", draw(maybe(node_affinities(node_names, satisfiable=healthy))))
    if labels:
        put_if(affinity, "podAntiAffinity", draw(maybe(pod_anti_affinities(labels))))
        put_if(spec, "topologySpreadConstraints", draw(maybe(topology_spread_constraints(labels))))
    if affinity:
        spec["affinity"] = affinity
    put_if(spec, "tolerations", draw(maybe(tolerations())))
    return spec


@st.composite
def pods(
    draw: st.DrawFn,
    namespace: str | None = "default",
    node_names: Sequence[str] | None = None,
    *,
    healthy: bool = False,
    restart_policy: str | None = None,
) -> Manifest:
    """A bare Pod labelled ``app: pod-<name>`` plus a few pool labels."""
    name = draw(names())
    pod_labels = {**draw(label_maps(max_size=2)), "app": app_label("Pod", name)}
    spec = draw(pod_specs(restart_policy, node_names, healthy=healthy, labels=pod_labels))
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata(name=name, namespace=namespace, labels=pod_labels),
        "spec": spec,
    }


def pod_spec_of(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """The PodSpec inside a Pod or inside any workload's pod template."""
    if manifest["kind"] == "Pod":
        return manifest["spec"]  # type: ignore[no-any-return]
    return manifest["spec"]["template"]["spec"]  # type: ignore[no-any-return]


def pod_spec_path(manifest: Mapping[str, Any]) -> str:
    """The field path of :func:`pod_spec_of` as the API server spells it in causes."""
    return "spec" if manifest["kind"] == "Pod" else "spec.template.spec"
