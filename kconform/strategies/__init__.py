"""Hypothesis strategies for Kubernetes manifests, as plain dicts ``kubectl apply -f`` takes.

Suites draw from these to build programs of applies, scales and rollouts; the manifests are
small enough to converge in seconds on a real cluster and varied enough to reach scheduling
conflicts, unschedulable pods, crash loops, image pull failures and rollouts. Every top-level
object carries ``app.kubernetes.io/managed-by: kconform`` so a real cluster can be cleaned up.
``invalid_manifests()`` draws deliberately broken manifests with the cause the API server
reports. This package never imports ``reference_impl``: it describes Kubernetes, not kconform's
model of it.
"""

from kconform.strategies._common import (
    BUSYBOX_IMAGE,
    HTTP_PORT,
    HTTP_PORT_NAME,
    MANAGED_BY_KEY,
    MANAGED_BY_VALUE,
    METRICS_PORT,
    METRICS_PORT_NAME,
    MISSING_IMAGE,
    PAUSE_IMAGE,
    app_label,
)
from kconform.strategies.core import configmaps, namespaces
from kconform.strategies.invalid import CAUSE_REASONS, InvalidCase, invalid_manifests
from kconform.strategies.names import (
    label_keys,
    label_selectors_for,
    label_values,
    labels,
    names,
    selector_matches,
)
from kconform.strategies.pods import containers, pod_spec_of, pod_specs, pods
from kconform.strategies.scheduling import (
    node_affinities,
    node_selectors,
    pod_anti_affinities,
    quantities_cpu,
    quantities_memory,
    resources,
    tolerations,
    topology_spread_constraints,
)
from kconform.strategies.services import headless_service_for, services
from kconform.strategies.workloads import (
    daemonsets,
    deployments,
    image_updates,
    jobs,
    replicasets,
    scale_targets,
    statefulsets,
    workloads,
)

__all__ = [
    "BUSYBOX_IMAGE",
    "CAUSE_REASONS",
    "HTTP_PORT",
    "HTTP_PORT_NAME",
    "MANAGED_BY_KEY",
    "MANAGED_BY_VALUE",
    "METRICS_PORT",
    "METRICS_PORT_NAME",
    "MISSING_IMAGE",
    "PAUSE_IMAGE",
    "InvalidCase",
    "app_label",
    "configmaps",
    "containers",
    "daemonsets",
    "deployments",
    "headless_service_for",
    "image_updates",
    "invalid_manifests",
    "jobs",
    "label_keys",
    "label_selectors_for",
    "label_values",
    "labels",
    "names",
    "namespaces",
    "node_affinities",
    "node_selectors",
    "pod_anti_affinities",
    "pod_spec_of",
    "pod_specs",
    "pods",
    "quantities_cpu",
    "quantities_memory",
    "replicasets",
    "resources",
    "scale_targets",
    "selector_matches",
    "services",
    "statefulsets",
    "tolerations",
    "topology_spread_constraints",
    "workloads",
]
