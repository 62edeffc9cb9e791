"""The scheduling framework: plugin interface, cycle state, and the FitError text.

Models ``pkg/scheduler/framework/interface.go`` (extension points), ``framework/cycle_state.go``
and ``framework/types.go`` (``FitError.Error()``, ``Diagnosis``). Plugins work on batches of
nodes (``filter_nodes``, ``score_nodes``) rather than one node per call: the result is the
same as upstream's per-node calls in plugin order, and a pure-Python scheduler needs it to
keep up with thousands of nodes.

Extension points kept: PreFilter (as "is this plugin relevant to this pod?" plus precomputed
state), Filter, PreScore (same), Score, NormalizeScore, EventsToRegister with simple
QueueingHints. Left out: Reserve/Permit/PreBind/PostBind (no volumes, no gang scheduling),
PreFilter node-set narrowing, AddPod/RemovePod for nominated pods, extenders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import attrgetter
from typing import Any, ClassVar

from reference_impl.scheduler.types import Obj, PodInfo, Status

# ClusterEvents (framework/types.go ``ClusterEvent``), as "Resource/Action" strings.
NODE_ADD = "Node/Add"
NODE_DELETE = "Node/Delete"
NODE_UPDATE_ALLOCATABLE = "Node/UpdateNodeAllocatable"
NODE_UPDATE_LABEL = "Node/UpdateNodeLabel"
NODE_UPDATE_TAINT = "Node/UpdateNodeTaint"
NODE_UPDATE_CONDITION = "Node/UpdateNodeCondition"
POD_ADD = "Pod/Add"  # an assigned pod appeared (scheduled or created bound)
POD_UPDATE_LABEL = "Pod/UpdatePodLabel"
POD_DELETE = "Pod/Delete"  # an assigned pod went away or terminated
NAMESPACE_CHANGE = "Namespace/Change"

#: ``NoNodeAvailableMsg``
NO_NODE_AVAILABLE_MSG = "0/{} nodes are available"
#: ``ErrNoNodesAvailable`` (schedule_one.go)
NO_NODES_AVAILABLE = "no nodes available to schedule pods"


class Snapshot:
    """What a scheduling cycle may read: the ordered node infos and namespace labels."""

    def __init__(
        self,
        nodes: list[Any],
        ns_labels: Callable[[str], Mapping[str, str]],
        *,
        nodes_with_affinity: Callable[[], list[Any]],
        nodes_with_required_anti_affinity: Callable[[], list[Any]],
        node_flags: Mapping[str, int] | None = None,
        free_floor: tuple[int, int, int] | None = None,
    ) -> None:
        self.nodes = nodes
        self.ns_labels = ns_labels
        self.nodes_with_affinity = nodes_with_affinity
        self.nodes_with_required_anti_affinity = nodes_with_required_anti_affinity
        # how many nodes have a truthy NodeInfo attribute (hard_taints, prefer_taints,
        # unschedulable), kept by the cache; None: unknown, look at the nodes
        self._node_flags = node_flags
        # no node has fewer free (pod slots, cpu millicores, memory bytes); None: unknown
        self.free_floor = free_floor

    def none_have(self, flag: str, nodes: list[Any]) -> bool:
        """No node among ``nodes`` has a truthy ``flag`` attribute: O(1) when no node in
        the cluster has it, which is the common case for taints and cordons."""
        if self._node_flags is not None and not self._node_flags.get(flag):
            return True
        return not any(map(attrgetter(flag), nodes))


class CycleState:
    """Per-pod scratch space shared by a plugin's PreFilter/Filter/PreScore/Score calls."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.data: dict[str, Any] = {}


class Plugin:
    """Base of every plugin; a plugin overrides the extension points it implements."""

    name: ClassVar[str] = ""
    #: default score weight from ``default_plugins.go`` (0: not a score plugin)
    weight: ClassVar[int] = 0
    #: the cluster events that may make a pod this plugin rejected schedulable
    events: ClassVar[frozenset[str]] = frozenset()
    is_filter: ClassVar[bool] = False
    is_score: ClassVar[bool] = False

    # -- filtering ------------------------------------------------------------------------
    def pre_filter(self, state: CycleState, pod: PodInfo) -> bool:
        """Prepare state; False means the plugin has nothing to check for this pod (Skip)."""
        return True

    def filter(self, state: CycleState, pod: PodInfo, node: Any) -> Status | None:
        return None

    def filter_nodes(self, state: CycleState, pod: PodInfo, nodes: list[Any], failed: dict[str, Status]) -> list[Any]:
        """Filter a batch, keeping order; rejected nodes get their status in ``failed``."""
        out = []
        for n in nodes:
            s = self.filter(state, pod, n)
            if s is None:
                out.append(n)
            else:
                failed[n.name] = s
        return out

    # -- scoring --------------------------------------------------------------------------
    def pre_score(self, state: CycleState, pod: PodInfo, nodes: list[Any]) -> bool:
        """Prepare state; False means Skip (the plugin adds nothing to any node's score)."""
        return True

    def score_nodes(self, state: CycleState, pod: PodInfo, nodes: list[Any]) -> list[int]:
        return [0] * len(nodes)

    def normalize(self, state: CycleState, pod: PodInfo, nodes: list[Any], scores: list[int]) -> None:
        """NormalizeScore, in place; the default is none."""

    def uniform(self, state: CycleState, pod: PodInfo, nodes: list[Any]) -> bool:
        """True when every node is sure to get the same normalised score, known without
        scoring: ranking may then pass the plugin by (it cannot change the order)."""
        return False

    def score_key(self, pod: PodInfo) -> str | None:
        """Non-None when the raw score depends only on the node and this key, with no
        normalisation and no PreScore state: the framework may then memoise it per node."""
        return None

    # -- queueing -------------------------------------------------------------------------
    def queueing_hint(self, pod: PodInfo, event: str, old: Obj | None, new: Obj | None) -> bool:
        """Whether ``event`` may make ``pod`` schedulable (QueueingHintFn; default Queue)."""
        return True


def default_normalize_score(scores: list[int], *, reverse: bool) -> None:
    """``helper.DefaultNormalizeScore`` with MaxNodeScore 100."""
    max_count = max(scores, default=0)
    if max_count == 0:
        if reverse:
            scores[:] = [100] * len(scores)
        return
    if reverse:
        scores[:] = [100 - 100 * s // max_count for s in scores]
    else:
        scores[:] = [100 * s // max_count for s in scores]


def fit_error_message(num_all_nodes: int, statuses: Mapping[str, Status], post_filter_msg: str = "") -> str:
    """``FitError.Error()``: reasons counted over nodes, ``"<count> <reason>"`` sorted as strings."""
    msg = NO_NODE_AVAILABLE_MSG.format(num_all_nodes) + ":"
    counts: dict[str, int] = {}
    for st in statuses.values():
        for r in st.reasons:
            counts[r] = counts.get(r, 0) + 1
    hist = sorted(f"{v} {k}" for k, v in counts.items())
    if hist:
        msg += " " + ", ".join(hist) + "."
    if post_filter_msg:
        msg += " " + post_filter_msg + "."
    return msg
