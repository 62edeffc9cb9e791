"""The in-tree plugins and the default profile (``pkg/scheduler/apis/config/v1/default_plugins.go``).

Adding a plugin is one module here plus one line in :data:`REGISTRY` (and in
:data:`DEFAULT_PLUGINS` if the default profile should enable it). Filter plugins run in the
order of :data:`DEFAULT_PLUGINS`, which is upstream's MultiPoint order.
"""

from __future__ import annotations

from collections.abc import Callable

from reference_impl.scheduler.framework import Plugin
from reference_impl.scheduler.plugins.inter_pod_affinity import InterPodAffinity
from reference_impl.scheduler.plugins.node_affinity import NodeAffinity
from reference_impl.scheduler.plugins.node_name import NodeName
from reference_impl.scheduler.plugins.node_ports import NodePorts
from reference_impl.scheduler.plugins.node_resources_balanced_allocation import (
    NodeResourcesBalancedAllocation,
)
from reference_impl.scheduler.plugins.node_resources_fit import NodeResourcesFit
from reference_impl.scheduler.plugins.node_unschedulable import NodeUnschedulable
from reference_impl.scheduler.plugins.pod_topology_spread import PodTopologySpread
from reference_impl.scheduler.plugins.taint_toleration import TaintToleration

#: plugin name -> factory
REGISTRY: dict[str, Callable[[], Plugin]] = {
    NodeUnschedulable.name: NodeUnschedulable,
    NodeName.name: NodeName,
    TaintToleration.name: TaintToleration,
    NodeAffinity.name: NodeAffinity,
    NodePorts.name: NodePorts,
    NodeResourcesFit.name: NodeResourcesFit,
    PodTopologySpread.name: PodTopologySpread,
    InterPodAffinity.name: InterPodAffinity,
    NodeResourcesBalancedAllocation.name: NodeResourcesBalancedAllocation,
}

#: the default profile's plugins, in upstream order (score weights are each plugin's ``weight``)
DEFAULT_PLUGINS: tuple[str, ...] = (
    "NodeUnschedulable",
    "NodeName",
    "TaintToleration",
    "NodeAffinity",
    "NodePorts",
    "NodeResourcesFit",
    "PodTopologySpread",
    "InterPodAffinity",
    "NodeResourcesBalancedAllocation",
)

__all__ = [
    "DEFAULT_PLUGINS",
    "REGISTRY",
    "InterPodAffinity",
    "NodeAffinity",
    "NodeName",
    "NodePorts",
    "NodeResourcesBalancedAllocation",
    "NodeResourcesFit",
    "NodeUnschedulable",
    "PodTopologySpread",
    "TaintToleration",
]
