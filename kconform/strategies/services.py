"""Services: ClusterIP, NodePort and headless, single- or multi-port.

Named targetPorts only use ``http`` and ``metrics``, the port names every pod from these
strategies carries on its first container, so EndpointSlices always resolve them. NodePorts
are left to the allocator: a drawn fixed nodePort would collide across Services and turn a
behaviour test into a "port already allocated" test.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st

from kconform.errors import InvalidArgument
from kconform.strategies._common import (
    HTTP_PORT,
    HTTP_PORT_NAME,
    METRICS_PORT,
    METRICS_PORT_NAME,
    Manifest,
    metadata,
)
from kconform.strategies.names import names

SERVICE_TYPES = ("ClusterIP", "NodePort", "Headless")


@st.composite
def _ports(draw: st.DrawFn) -> list[dict[str, Any]]:
    if draw(st.booleans()):
        # More than one port: each must be named (else spec.ports[i].name is required).
        http_target = draw(st.sampled_from((HTTP_PORT_NAME, HTTP_PORT)))
        metrics_target = draw(st.sampled_from((METRICS_PORT_NAME, METRICS_PORT)))
        return [
            {"name": HTTP_PORT_NAME, "port": 80, "targetPort": http_target},
            {
                "name": METRICS_PORT_NAME,
                "port": METRICS_PORT,
                "targetPort": metrics_target,
                "protocol": "TCP",
            },
        ]
    port: dict[str, Any] = {
        "port": draw(st.sampled_from((80, HTTP_PORT))),
        "targetPort": draw(st.sampled_from((HTTP_PORT_NAME, HTTP_PORT))),
    }
    if draw(st.booleans()):
        port["name"] = HTTP_PORT_NAME
    return [port]


@st.composite
def services(
    draw: st.DrawFn,
    namespace: str | None = "default",
    selector: Mapping[str, str] | None = None,
    *,
    name: str | None = None,
    service_type: str | None = None,
) -> Manifest:
    """A v1 Service selecting ``selector`` (default: ``app: <drawn name>``).

    ``service_type`` is one of ClusterIP, NodePort, Headless (clusterIP "None"); drawn if None.
    """
    if name is None:
        name = draw(names())
    chosen_type = service_type if service_type is not None else draw(st.sampled_from(SERVICE_TYPES))
    if chosen_type not in SERVICE_TYPES:
        raise InvalidArgument(f"service_type must be one of {SERVICE_TYPES}, got {chosen_type!r}")
    if selector is None:
        selector = {"app": draw(names())}
    spec: dict[str, Any] = {"selector": dict(selector), "ports": draw(_ports())}
    if chosen_type == "NodePort":
        spec["type"] = "NodePort"
    elif chosen_type == "Headless":
        spec["clusterIP"] = "None"
    elif draw(st.booleans()):
        spec["type"] = "ClusterIP"
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(name=name, namespace=namespace),
        "spec": spec,
    }


def headless_service_for(statefulset: Mapping[str, Any]) -> Manifest:
    """The governing headless Service a StatefulSet from ``statefulsets()`` names in ``serviceName``."""
    labels = statefulset["spec"]["template"]["metadata"]["labels"]
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(
            name=statefulset["spec"]["serviceName"], namespace=statefulset["metadata"].get("namespace")
        ),
        "spec": {
            "clusterIP": "None",
            "selector": {"app": labels["app"]},
            "ports": [{"name": HTTP_PORT_NAME, "port": 80, "targetPort": HTTP_PORT_NAME}],
        },
    }
