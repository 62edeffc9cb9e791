"""The seam between suites and clusters: the ``Cluster`` protocol.

Plain dict manifests in and out (what ``kubectl get -o json`` shows). A backend declares what
it can do in ``capabilities``; a suite that needs a capability a backend lacks is skipped with
the reason, never faked. ``snapshot`` is everything the invariants need, read at one
resourceVersion so that checks never mix two moments.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

Manifest = dict[str, Any]

# Capability names (stable strings: they appear in skip reasons and in replay files).
SIMULATED_TIME = "simulated-time"
KILL_NODE = "kill-node"
RESTART_NODE = "restart-node"
PARTITION_NODE = "partition-node"
ADD_NODE = "add-node"
RESTART_CONTROL_PLANE = "restart-control-plane"
DROP_WATCHES = "drop-watches"
COMPACT_STORE = "compact-store"
ROUTES = "routes"  # the backend can say where each node's kube-proxy would send a packet

# The kinds a snapshot carries, by API "plural" resource name.
SNAPSHOT_RESOURCES: tuple[str, ...] = (
    "namespaces",
    "nodes",
    "pods",
    "services",
    "endpointslices",
    "deployments",
    "replicasets",
    "daemonsets",
    "statefulsets",
    "jobs",
    "configmaps",
    "leases",
)


@dataclass(frozen=True)
class Snapshot:
    """Every object the invariants need, read at one resourceVersion.

    ``objects`` maps a plural resource name (``pods``, ``deployments``, ...) to the list of
    objects as the API returns them. ``routes`` is present only on backends with the ``routes``
    capability: node name → {"<ip>:<port>/<protocol>": sorted list of "<podIP>:<port>"} as that
    node's kube-proxy would forward. ``dead_nodes`` are nodes the test killed or cut off and has
    not brought back (what the test knows, not what the cluster says). ``time_s`` is the
    backend's clock in seconds (simulated or wall) when the snapshot was taken.
    """

    resource_version: str
    objects: Mapping[str, list[Manifest]]
    time_s: float
    routes: Mapping[str, Mapping[str, list[str]]] | None = None
    dead_nodes: frozenset[str] = field(default_factory=frozenset)
    # when (in ``time_s`` terms) each dead node was killed or cut off
    dead_since_s: Mapping[str, float] = field(default_factory=dict)

    def of(self, resource: str) -> list[Manifest]:
        return list(self.objects.get(resource, ()))


@runtime_checkable
class Cluster(Protocol):
    """What every backend offers a suite. All methods are synchronous and bounded."""

    name: str
    capabilities: frozenset[str]

    def apply(self, manifest: Manifest) -> Manifest:
        """Create the object, or update it in place when it exists; returns the stored object.

        Raises :class:`kconform.errors.ApiRejected` with the server's Status on rejection.
        """
        ...

    def get(self, resource: str, name: str, namespace: str | None = None) -> Manifest | None: ...

    def list(
        self, resource: str, namespace: str | None = None, *, label_selector: str | None = None
    ) -> list[Manifest]: ...

    def delete(
        self, resource: str, name: str, namespace: str | None = None, *, propagation_policy: str = "Background"
    ) -> bool:
        """Delete; False when it was already gone."""
        ...

    def scale(self, resource: str, name: str, namespace: str, replicas: int) -> Manifest: ...

    def patch(
        self, resource: str, name: str, namespace: str | None, body: Any, *, patch_type: str = "strategic"
    ) -> Manifest:
        """PATCH (``strategic``, ``merge`` or ``json``), as ``kubectl patch``/``set image`` send it."""
        ...

    def snapshot(self) -> Snapshot: ...

    def settle(self, *, timeout_s: float) -> bool:
        """Let the cluster run until it goes quiet or ``timeout_s`` (simulated or real) passes."""
        ...

    def wait_until(self, predicate: Callable[[Snapshot], bool], *, timeout_s: float) -> Snapshot | None:
        """Poll snapshots until ``predicate`` holds; None on timeout."""
        ...

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass (simulated time jumps; real backends sleep)."""
        ...

    def inject(self, fault: Any) -> None:
        """Apply a :mod:`kconform.faults` fault; raises CapabilityMissing if unsupported."""
        ...

    def close(self) -> None: ...
