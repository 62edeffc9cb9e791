"""Constants and small helpers shared by the manifest strategies.

The images, ports and label conventions here are the fixed contract between kconform's
strategies and every backend (the reference kubelet interprets exactly these images and
commands), so they live in one place instead of being repeated per workload kind.
"""

from __future__ import annotations

from typing import Any, TypeVar

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

T = TypeVar("T")

Manifest = dict[str, Any]

MANAGED_BY_KEY = "app.kubernetes.io/managed-by"
MANAGED_BY_VALUE = "kconform"

PAUSE_IMAGE = "registry.k8s.io/pause:3.10"
PAUSE_IMAGE_PREVIOUS = "registry.k8s.io/pause:3.9"
BUSYBOX_IMAGE = "busybox:1.36"
BUSYBOX_IMAGE_NEXT = "busybox:1.36.1"
# A registry host ending in ``.invalid`` can never resolve (RFC 2606), on any cluster.
MISSING_IMAGE = "registry.invalid/kconform/missing:1"
MISSING_IMAGE_NEXT = "registry.invalid/kconform/missing:2"

# The first container of every pod these strategies build names these ports, so a Service
# from ``services()`` always finds its named targetPorts on pods from these strategies.
HTTP_PORT_NAME = "http"
HTTP_PORT = 8080
METRICS_PORT_NAME = "metrics"
METRICS_PORT = 9090

HOSTNAME_KEY = "kubernetes.io/hostname"
ZONE_KEY = "topology.kubernetes.io/zone"
OS_KEY = "kubernetes.io/os"
ARCH_KEY = "kubernetes.io/arch"
ZONES = ("zone-a", "zone-b", "zone-c")
# A zone no node carries: selecting it makes a pod unschedulable on every backend.
ABSENT_ZONE = "zone-x"

# Longest name a strategy hands out, so StatefulSet ("-N") and ReplicaSet (hash) suffixes
# keep pod names far below the 63-character label limit.
NAME_LENGTH_MAX = 40

# Short prefixes per kind for the ``app`` label, so a Deployment and a ReplicaSet that happen
# to share a name never select (and adopt) each other's objects.
_APP_PREFIX = {
    "Pod": "pod",
    "Deployment": "deploy",
    "ReplicaSet": "rs",
    "StatefulSet": "sts",
    "DaemonSet": "ds",
    "Job": "job",
}


def app_label(kind: str, name: str) -> str:
    """The ``app`` label value kconform gives the pods of workload ``kind``/``name``."""
    return f"{_APP_PREFIX.get(kind, kind.lower())}-{name}"


def maybe(strategy: SearchStrategy[T]) -> SearchStrategy[T | None]:
    """``None`` (field omitted, the shrink target) or a value from ``strategy``."""
    return st.one_of(st.none(), strategy)


def metadata(*, name: str, namespace: str | None, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """Top-level ObjectMeta carrying kconform's managed-by label (used for cleanup)."""
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    meta["labels"] = {**(labels or {}), MANAGED_BY_KEY: MANAGED_BY_VALUE}
    return meta


def put_if(target: dict[str, Any], key: str, value: Any) -> None:
    """Set ``target[key]`` unless ``value`` is None, so omitted fields stay omitted."""
    if value is not None:
        target[key] = value
