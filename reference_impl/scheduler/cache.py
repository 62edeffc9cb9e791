"""The scheduler cache: node infos kept up to date incrementally, plus assumed pods.

Models ``pkg/scheduler/internal/cache/cache.go`` and ``node_tree.go``. Assigned pods come from
the informer; a pod the scheduler has just bound is *assumed* onto its node at once so the
next cycle sees its requests before the watch event arrives; the event then confirms it, and
a failed bind forgets it. Nodes are listed in the node tree's order: zones in order of first
appearance, nodes within a zone in insertion order, interleaved round-robin across zones, so
that the rotating start index of a cycle visits zones evenly.

A pod whose node is not (yet) known keeps a node info without a node, as upstream; such
infos are not listed. Left out: assumed-pod expiry (binding is synchronous here, so an
assumed pod is either bound or forgotten within the cycle), image states, snapshot
generations (cycles run on the cache directly: nothing changes it mid-cycle).
"""

from __future__ import annotations

from operator import attrgetter

from reference_impl.scheduler.types import LABEL_REGION, LABEL_ZONE, ChangeLog, NodeInfo, Obj, PodInfo

_FREE = (attrgetter("free_pods"), attrgetter("free_cpu"), attrgetter("free_mem"))
#: cycles between exact recomputations of a loosened floor (see ``free_floor``)
FLOOR_REFRESH_CYCLES = 64


def zone_key(labels: dict[str, str]) -> str:
    """``utilnode.GetZoneKey``: region and zone; "" when neither is set."""
    region = labels.get(LABEL_REGION, "")
    zone = labels.get(LABEL_ZONE, "")
    if not region and not zone:
        return ""
    return f"{region}:\x00:{zone}"


#: NodeInfo attributes the cache counts nodes by, so that filters can skip what no node has
NODE_FLAGS = ("hard_taints", "prefer_taints", "unschedulable")


class SchedulerCache:
    def __init__(self) -> None:
        self.infos: dict[str, NodeInfo] = {}
        self._pod_node: dict[str, str] = {}  # pod key -> node name
        self._assumed: dict[str, str] = {}  # pod key -> node name, not yet confirmed
        self._zones: dict[str, list[str]] = {}  # insertion-ordered zones -> node names
        self._node_zone: dict[str, str] = {}
        self._list: list[NodeInfo] | None = None
        self.pods_with_affinity = 0
        self.pods_with_required_anti_affinity = 0
        # flag -> names of the listed nodes whose NodeInfo has it (see Snapshot.none_have)
        self._flagged: dict[str, set[str]] = {f: set() for f in NODE_FLAGS}
        # a lower bound on (free pods, free cpu, free memory) over the listed nodes, exact
        # unless loosened by something that freed resources (see ``free_floor``)
        self._floor: tuple[int, int, int] | None = None
        self._floor_loose = False
        self._since_exact = 0
        # every change of a NodeInfo, for the score indexes (see score_index); bounded
        self.changes = ChangeLog()

    def _new_info(self, name: str) -> NodeInfo:
        info = self.infos[name] = NodeInfo(name)
        info.log = self.changes
        return info

    # -- nodes ----------------------------------------------------------------------------
    def add_node(self, node: Obj) -> None:
        name = node["metadata"]["name"]
        info = self.infos.get(name)
        if info is None:
            info = self._new_info(name)
        info.set_node(node)
        self._place(name, zone_key(info.labels))
        self._floor_loose = True  # its allocatable may have grown
        self._lower_floor(info)
        for flag, names in self._flagged.items():
            if getattr(info, flag):
                names.add(name)
            else:
                names.discard(name)

    def update_node(self, node: Obj) -> None:
        self.add_node(node)

    def remove_node(self, name: str) -> None:
        info = self.infos.get(name)
        if info is None:
            return
        if info.pods:
            info.node = None  # its pods are still assigned; keep their sums until they go
        else:
            del self.infos[name]
        self._unplace(name)
        for names in self._flagged.values():
            names.discard(name)
        self._floor_loose = True

    def free_floor(self) -> tuple[int, int, int] | None:
        """No listed node has fewer free pod slots, cpu or memory than this (None: no nodes).

        Binding only lowers a node's free resources, so the floor follows it exactly in O(1);
        whatever frees resources (a pod gone, a node resized or removed) leaves the floor
        lower than need be, and it is recomputed over all nodes at most every
        ``FLOOR_REFRESH_CYCLES`` calls (one per scheduling cycle). NodeResourcesFit uses it to
        pass every node at once when even the fullest one fits the pod.
        """
        self._since_exact += 1
        if self._floor is None or (self._floor_loose and self._since_exact >= FLOOR_REFRESH_CYCLES):
            listed = self.node_list()
            if not listed:
                return None
            pods, cpu, mem = _FREE
            self._floor = (min(map(pods, listed)), min(map(cpu, listed)), min(map(mem, listed)))
            self._floor_loose = False
            self._since_exact = 0
        return self._floor

    def _lower_floor(self, info: NodeInfo) -> None:
        floor = self._floor
        if floor is not None and info.name in self._node_zone:
            self._floor = (min(floor[0], info.free_pods), min(floor[1], info.free_cpu), min(floor[2], info.free_mem))

    def node_flags(self) -> dict[str, int]:
        """How many listed nodes have each of ``NODE_FLAGS``."""
        return {flag: len(names) for flag, names in self._flagged.items()}

    def _place(self, name: str, zone: str) -> None:
        old = self._node_zone.get(name)
        if old == zone:
            return
        if old is not None:
            self._unplace(name)
        self._zones.setdefault(zone, []).append(name)
        self._node_zone[name] = zone
        self._list = None

    def _unplace(self, name: str) -> None:
        zone = self._node_zone.pop(name, None)
        if zone is None:
            return
        names = self._zones[zone]
        names.remove(name)
        if not names:
            del self._zones[zone]
        self._list = None

    def node_list(self) -> list[NodeInfo]:
        """Nodes in node-tree order (``nodeTree.list``)."""
        if self._list is None:
            zones = list(self._zones.values())
            out: list[NodeInfo] = []
            depth = max((len(z) for z in zones), default=0)
            for i in range(depth):
                for z in zones:
                    if i < len(z):
                        out.append(self.infos[z[i]])
            self._list = out
        return self._list

    def num_nodes(self) -> int:
        return len(self._node_zone)

    def nodes_with_affinity(self) -> list[NodeInfo]:
        if not self.pods_with_affinity:
            return []
        return [n for n in self.node_list() if n.pods_with_affinity]

    def nodes_with_required_anti_affinity(self) -> list[NodeInfo]:
        if not self.pods_with_required_anti_affinity:
            return []
        return [n for n in self.node_list() if n.pods_with_required_anti_affinity]

    def _count(self, pod: PodInfo, sign: int) -> None:
        if pod.has_affinity:
            self.pods_with_affinity += sign
        if pod.required_anti_affinity:
            self.pods_with_required_anti_affinity += sign

    # -- pods -----------------------------------------------------------------------------
    def _info_for(self, node_name: str) -> NodeInfo:
        info = self.infos.get(node_name)
        if info is None:
            info = self._new_info(node_name)
        return info

    def assume(self, pod: PodInfo, node_name: str) -> None:
        self._remove(pod.key)
        info = self._info_for(node_name)
        info.add_pod(pod)
        self._lower_floor(info)
        self._count(pod, 1)
        self._pod_node[pod.key] = node_name
        self._assumed[pod.key] = node_name

    def forget(self, pod: PodInfo) -> None:
        if self._assumed.pop(pod.key, None) is not None:
            self._remove(pod.key)

    def is_assumed(self, key: str) -> bool:
        return key in self._assumed

    def add_pod(self, pod: PodInfo) -> None:
        """An assigned pod seen by the informer (confirms an assumed one)."""
        self._assumed.pop(pod.key, None)
        self._remove(pod.key)
        info = self._info_for(pod.node_name)
        info.add_pod(pod)
        self._lower_floor(info)
        self._count(pod, 1)
        self._pod_node[pod.key] = pod.node_name

    def remove_pod(self, key: str) -> None:
        self._assumed.pop(key, None)
        self._remove(key)

    def _remove(self, key: str) -> None:
        node_name = self._pod_node.pop(key, None)
        if node_name is None:
            return
        info = self.infos.get(node_name)
        if info is None:
            return
        gone = info.remove_pod(key)
        if gone is not None:
            self._count(gone, -1)
            self._floor_loose = True
        if info.node is None and not info.pods:
            del self.infos[node_name]

    def pod_node(self, key: str) -> str | None:
        return self._pod_node.get(key)

    def pod_info(self, key: str) -> PodInfo | None:
        """The cached PodInfo of an assigned (or assumed) pod."""
        node = self._pod_node.get(key)
        return None if node is None else self.infos[node].pods.get(key)
