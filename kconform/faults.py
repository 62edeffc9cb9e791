"""Faults as data.

A fault is a small frozen dataclass naming what breaks and where. Suites draw them with rules,
so hypothesis shrinks a failing run to the fewest faults; backends carry them out in
``Cluster.inject`` and refuse (with :class:`~kconform.errors.CapabilityMissing`) the ones they
cannot do. Faults round-trip through plain dicts for replay files: ``{"fault": "KillNode",
"node": "node-2"}``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

from kconform.errors import InvalidArgument


@dataclass(frozen=True)
class Fault:
    """Base of every fault; ``capability`` is what a backend must offer to carry it out."""

    capability: ClassVar[str] = ""
    # A node-level fault leaves the node unable to run pods until it is healed or restarted.
    breaks_node: ClassVar[bool] = False

    def to_dict(self) -> dict[str, Any]:
        return {"fault": type(self).__name__, **dataclasses.asdict(self)}

    def describe(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in dataclasses.asdict(self).items())
        return f"{type(self).__name__}({args})"


@dataclass(frozen=True)
class KillNode(Fault):
    """The machine dies: kubelet and kube-proxy stop, its containers are gone."""

    node: str
    capability: ClassVar[str] = "kill-node"
    breaks_node: ClassVar[bool] = True


@dataclass(frozen=True)
class RestartNode(Fault):
    """The machine comes back (after a kill) or reboots: the kubelet starts and reconciles."""

    node: str
    capability: ClassVar[str] = "restart-node"


@dataclass(frozen=True)
class PartitionNode(Fault):
    """The node is cut off: agents run, but their requests fail and their watches stall."""

    node: str
    capability: ClassVar[str] = "partition-node"
    breaks_node: ClassVar[bool] = True


@dataclass(frozen=True)
class HealNode(Fault):
    """Undo a partition."""

    node: str
    capability: ClassVar[str] = "partition-node"


@dataclass(frozen=True)
class AddNode(Fault):
    """A new node joins (not a failure, but a topology change drawn alongside them)."""

    node: str
    capability: ClassVar[str] = "add-node"


@dataclass(frozen=True)
class RestartScheduler(Fault):
    capability: ClassVar[str] = "restart-control-plane"


@dataclass(frozen=True)
class RestartControllerManager(Fault):
    capability: ClassVar[str] = "restart-control-plane"


@dataclass(frozen=True)
class RestartApiServer(Fault):
    """The API server restarts: every watch drops and clients relist; the store survives."""

    capability: ClassVar[str] = "restart-control-plane"


@dataclass(frozen=True)
class DropWatches(Fault):
    """Every open watch is closed by the server; clients must resume or relist."""

    capability: ClassVar[str] = "drop-watches"


@dataclass(frozen=True)
class CompactStore(Fault):
    """Compact etcd at its current revision: resuming old watches gets 410 Gone."""

    capability: ClassVar[str] = "compact-store"


@dataclass(frozen=True)
class CordonNode(Fault):
    """``kubectl cordon``: mark the node unschedulable (uses the API only)."""

    node: str
    capability: ClassVar[str] = ""


@dataclass(frozen=True)
class UncordonNode(Fault):
    node: str
    capability: ClassVar[str] = ""


@dataclass(frozen=True)
class DrainNode(Fault):
    """``kubectl drain``: cordon, then evict every non-DaemonSet pod on the node."""

    node: str
    capability: ClassVar[str] = ""


@dataclass(frozen=True)
class TaintNode(Fault):
    """``kubectl taint node NODE key=value:effect`` (uses the API only)."""

    node: str
    key: str
    value: str = ""
    effect: str = "NoSchedule"
    capability: ClassVar[str] = ""


@dataclass(frozen=True)
class UntaintNode(Fault):
    """``kubectl taint node NODE key:effect-``: remove the taint with that key and effect."""

    node: str
    key: str
    effect: str = "NoSchedule"
    capability: ClassVar[str] = ""


FAULT_TYPES: dict[str, type[Fault]] = {
    cls.__name__: cls
    for cls in (
        KillNode,
        RestartNode,
        PartitionNode,
        HealNode,
        AddNode,
        RestartScheduler,
        RestartControllerManager,
        RestartApiServer,
        DropWatches,
        CompactStore,
        CordonNode,
        UncordonNode,
        DrainNode,
        TaintNode,
        UntaintNode,
    )
}


def taints_after(taints: list[dict[str, Any]], fault: Fault) -> list[dict[str, Any]]:
    """The node's ``spec.taints`` after a Taint/UntaintNode fault (what ``kubectl taint`` sends).

    Adding a taint whose key and effect exist replaces its value, as ``kubectl taint --overwrite``.
    """
    if isinstance(fault, TaintNode):
        kept = [t for t in taints if not (t.get("key") == fault.key and t.get("effect") == fault.effect)]
        new: dict[str, Any] = {"key": fault.key, "effect": fault.effect}
        if fault.value:
            new["value"] = fault.value
        return [*kept, new]
    if isinstance(fault, UntaintNode):
        return [t for t in taints if not (t.get("key") == fault.key and t.get("effect") == fault.effect)]
    return list(taints)


def fault_from_dict(data: dict[str, Any]) -> Fault:
    """Inverse of :meth:`Fault.to_dict`; a clear InvalidArgument on anything else."""
    if not isinstance(data, dict) or "fault" not in data:
        raise InvalidArgument(f"a fault must be a mapping with a 'fault' key, got {data!r}")
    name = data["fault"]
    cls = FAULT_TYPES.get(name)
    if cls is None:
        raise InvalidArgument(f"unknown fault {name!r}; known: {', '.join(sorted(FAULT_TYPES))}")
    kwargs = {k: v for k, v in data.items() if k != "fault"}
    try:
        return cls(**kwargs)
    except TypeError as e:
        raise InvalidArgument(f"bad arguments for fault {name}: {e}") from None
