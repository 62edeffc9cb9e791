"""The reference cluster: one clock, one loop, one RNG, the store, the API server, every component.

Models a small real cluster (a control plane plus N worker nodes, like kind's) and the
faults that happen to one: nodes added, killed (kubelet and kube-proxy stop, containers are
gone), restarted (the kubelet comes back and reconciles), partitioned and healed (agents run,
but their requests fail and their watches stall), control-plane restarts (watches drop,
clients re-list, in-memory state is lost; the store survives), and etcd compaction.

Everything runs in simulated time: ``advance(s)`` and ``settle(horizon_s)`` drive the event
loop. The same seed and the same calls give the same history, byte for byte
(:meth:`history_digest`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reference_impl.apiserver import APIServer
from reference_impl.apiserver.pki import ClusterCA
from reference_impl.client import Client
from reference_impl.config import ClusterConfig
from reference_impl.controllers import ControllerManager
from reference_impl.kube_proxy import KubeProxy
from reference_impl.kubelet import Kubelet
from reference_impl.kubelet.kubelet import SharedStatus
from reference_impl.scheduler import Scheduler
from reference_impl.sim import EventLoop, SeededRandom, SimClock
from reference_impl.store import MemoryStore, Store
from reference_impl.store.durable import DurableStore
from reference_impl.store.etcd import EtcdStore

Obj = dict[str, Any]


class ClusterError(ValueError):
    """A fault or operation that makes no sense for the cluster's current state."""


@dataclass
class NodeAgents:
    name: str
    index: int
    kubelet: Kubelet
    proxy: KubeProxy
    state: str = "running"  # running | dead | partitioned
    spec: dict[str, Any] | None = None


class ReferenceCluster:
    """A whole simulated cluster."""

    def __init__(
        self,
        nodes: int | list[str] = 3,
        *,
        seed: int | str = 0,
        config: ClusterConfig | None = None,
        record_events: bool = True,
        controllers: list[str] | None = None,
        store: Store | None = None,
        node_prefix: str = "node-",
    ) -> None:
        self.seed = seed
        self.ca = ClusterCA.for_seed(seed)
        config = config or ClusterConfig()
        if not config.root_ca_pem:
            config = dataclasses.replace(config, root_ca_pem=self.ca.cert_pem)
        self.config = config
        self.store: Store = store or MemoryStore()
        durable = self.store if isinstance(self.store, (DurableStore, EtcdStore)) else None
        # over a store that outlived an earlier cluster (``kconform serve --data-dir`` or
        # ``--store etcd=URL``), the clock resumes where that cluster's had got to, so no stored
        # timestamp or lease is in the future; and the random streams are that seed's at this
        # revision, so no uid or generated name that run drew (and stored, at a later revision)
        # is drawn again
        self.loop = EventLoop(SimClock(durable.recovered_time_s if durable is not None else 0.0))
        if durable is not None:
            durable.bind_clock(self.loop.now)
        resumed = self.store.revision > 1
        self.rng = SeededRandom(f"{seed}@{self.store.revision}" if resumed else seed)
        self.record_events = record_events
        self.shared_status = SharedStatus()  # the kubelets' shared read-only status parts
        self.api = APIServer(
            self.store,
            self.loop,
            self.rng.fork("kube-apiserver"),
            service_cidr=self.config.service_cidr,
            node_port_range=self.config.node_port_range,
            default_toleration_seconds=self.config.default_toleration_seconds,
        )
        self.client = Client(self.api, self.loop, name="kconform")
        self._controllers = controllers
        self.scheduler = self._new_scheduler()
        self.controller_manager = self._new_controller_manager()
        self.nodes: dict[str, NodeAgents] = {}
        self._node_prefix = node_prefix
        self._next_index = 0
        self._stored_indices = self._node_indices_in_store() if resumed else {}
        self.faults: list[str] = []
        self._compact_at_next = 0
        self.scheduler.start()
        self.controller_manager.start()
        names = nodes if isinstance(nodes, list) else [f"{node_prefix}{i + 1}" for i in range(nodes)]
        for n in names:
            self.add_node(n, record=False)
        if self.config.compaction_interval_s > 0:
            self.loop.call_later(self.config.compaction_interval_s, self._compaction_tick, background=True)
        self.loop.run_ready()

    # == construction =====================================================================
    def _new_scheduler(self) -> Scheduler:
        return Scheduler(self.api, self.loop, self.rng, self.config)

    def _new_controller_manager(self) -> ControllerManager:
        return ControllerManager(self.api, self.loop, self.rng, self.config, controllers=self._controllers)

    def _agents(self, name: str, index: int, spec: dict[str, Any]) -> NodeAgents:
        zones = self.config.zones
        kubelet = Kubelet(
            self.api,
            self.loop,
            self.rng,
            self.config,
            node_name=name,
            node_index=index,
            zone=spec.get("zone", zones[index % len(zones)] if zones else None),
            labels=spec.get("labels"),
            taints=spec.get("taints"),
            cpu=spec.get("cpu"),
            memory=spec.get("memory"),
            max_pods=spec.get("max_pods"),
            record_events=self.record_events,
            shared=self.shared_status,
        )
        proxy = KubeProxy(self.api, self.loop, self.rng, self.config, node_name=name)
        return NodeAgents(name, index, kubelet, proxy, spec=spec)

    # == nodes and faults =================================================================
    def node_names(self) -> list[str]:
        return list(self.nodes)

    def _get(self, name: str) -> NodeAgents:
        agents = self.nodes.get(name)
        if agents is None:
            known = ", ".join(self.nodes) or "none"
            raise ClusterError(f"no node named {name!r} (nodes: {known})")
        return agents

    def add_node(
        self,
        name: str | None = None,
        *,
        labels: dict[str, str] | None = None,
        taints: list[Obj] | None = None,
        cpu: str | None = None,
        memory: str | None = None,
        max_pods: int | None = None,
        zone: str | None = None,
        record: bool = True,
    ) -> str:
        """A new machine joins: its kubelet registers the Node and its proxy starts."""
        if name is not None and name in self._stored_indices:
            index = self._stored_indices[name]  # a stored Node: its kubelet takes it over, podCIDR and all
        else:
            taken = set(self._stored_indices.values())
            while self._next_index in taken:
                self._next_index += 1
            index = self._next_index
            self._next_index += 1
        name = name or f"{self._node_prefix}{index + 1}"
        if name in self.nodes:
            raise ClusterError(f"node {name!r} already exists")
        spec: dict[str, Any] = {"labels": labels, "taints": taints, "cpu": cpu, "memory": memory, "max_pods": max_pods}
        if zone is not None:
            spec["zone"] = zone
        agents = self._agents(name, index, spec)
        self.nodes[name] = agents
        agents.kubelet.start()
        agents.proxy.start()
        if record:
            self._record(f"add-node {name}")
        return name

    def _node_indices_in_store(self) -> dict[str, int]:
        """Each stored Node's index, from its podCIDR (the index-th /24 of the cluster CIDR), as the
        node IPAM controller's range allocator marks stored Nodes' CIDRs used when it starts."""
        base = int(ipaddress.ip_network(self.config.pod_cidr).network_address)
        out: dict[str, int] = {}
        for node in self.api.list("nodes")["items"]:
            cidr = (node.get("spec") or {}).get("podCIDR")
            if not isinstance(cidr, str):
                continue
            try:
                out[node["metadata"]["name"]] = (int(ipaddress.ip_network(cidr).network_address) - base) // 256
            except ValueError:
                continue
        return out

    def kill_node(self, name: str) -> None:
        """The machine dies: kubelet and kube-proxy stop and every container is gone."""
        agents = self._get(name)
        if agents.state == "dead":
            raise ClusterError(f"node {name!r} is already dead")
        agents.kubelet.crash_containers()
        agents.kubelet.stop()
        agents.proxy.stop()
        self.api.log_providers.pop(name, None)
        agents.state = "dead"
        self._record(f"kill-node {name}")

    def restart_node(self, name: str) -> None:
        """The machine (re)boots: fresh kubelet and kube-proxy that re-register and reconcile."""
        agents = self._get(name)
        if agents.state != "dead":
            agents.kubelet.crash_containers()
            agents.kubelet.stop()
            agents.proxy.stop()
        fresh = self._agents(name, agents.index, agents.spec or {})
        self.nodes[name] = fresh
        fresh.kubelet.start()
        fresh.proxy.start()
        self._record(f"restart-node {name}")

    def partition_node(self, name: str) -> None:
        """Cut the node off: its agents keep running, but cannot reach the API server."""
        agents = self._get(name)
        if agents.state == "dead":
            raise ClusterError(f"node {name!r} is dead; restart it before partitioning it")
        agents.kubelet.client.set_connected(False)
        agents.proxy.client.set_connected(False)
        agents.state = "partitioned"
        self._record(f"partition-node {name}")

    def heal_node(self, name: str) -> None:
        """Restore a partitioned node's network (a no-op for a healthy node)."""
        agents = self._get(name)
        if agents.state == "dead":
            raise ClusterError(f"node {name!r} is dead; heal applies to partitions, use restart")
        agents.kubelet.client.set_connected(True)
        agents.proxy.client.set_connected(True)
        for comp in (agents.kubelet, agents.proxy):
            for inf in comp.informers._informers.values():  # reconnect promptly, like a fresh dial
                if inf.running and inf._watch is None:
                    if inf._timer is not None:
                        inf._timer.cancel()
                    inf._backoff_s = inf.RETRY_MIN_S
                    inf._timer = self.loop.call_soon(inf._start_watch)
        agents.state = "running"
        self._record(f"heal-node {name}")

    def restart_scheduler(self) -> None:
        self.scheduler.stop()
        self.scheduler = self._new_scheduler()
        self.scheduler.start()
        self._record("restart-scheduler")

    def restart_controller_manager(self) -> None:
        self.controller_manager.stop()
        self.controller_manager = self._new_controller_manager()
        self.controller_manager.start()
        self._record("restart-controller-manager")

    def restart_apiserver(self) -> None:
        """Every watch drops (clients re-watch or re-list); allocators are rebuilt from the store."""
        self.api.restart()
        self._record("restart-apiserver")

    def drop_watches(self) -> int:
        n = self.api.drop_watches()
        self._record("drop-watches")
        return n

    def compact(self) -> int:
        rev = self.api.compact()
        self._record(f"compact {rev}")
        return rev

    def _compaction_tick(self) -> None:
        # like kube-apiserver: compact at the revision seen one interval ago
        target = self._compact_at_next
        self._compact_at_next = self.store.revision
        if target > self.store.compacted_revision:
            self.store.compact(target)
        self.loop.call_later(self.config.compaction_interval_s, self._compaction_tick, background=True)

    def _record(self, what: str) -> None:
        self.faults.append(f"t={self.loop.now():.1f} {what}")

    # == time =============================================================================
    def now(self) -> float:
        return self.loop.now()

    def advance(self, seconds: float) -> None:
        self.loop.advance(seconds)

    def settle(self, horizon_s: float = 600.0) -> bool:
        """Run until no foreground work is due within ``horizon_s`` simulated seconds."""
        return self.loop.settle(horizon_s)

    def run_until(self, predicate: Callable[[], bool], *, timeout_s: float, step_s: float = 1.0) -> bool:
        """Advance in steps until ``predicate()`` holds; False after ``timeout_s`` simulated seconds."""
        deadline = self.loop.now() + timeout_s
        self.loop.run_ready()
        while not predicate():
            if self.loop.now() >= deadline:
                return False
            self.loop.advance(min(step_s, deadline - self.loop.now()))
        return True

    # == observation ======================================================================
    def routes(self) -> dict[str, dict[str, list[str]]]:
        """Each live node's kube-proxy rules (dead nodes have no proxy)."""
        return {n: a.proxy.rules() for n, a in self.nodes.items() if a.state != "dead"}

    def route(self, node: str, ip: str, port: int, protocol: str = "TCP") -> list[str]:
        agents = self._get(node)
        if agents.state == "dead":
            return []
        return agents.proxy.route(ip, port, protocol)

    def history_digest(self) -> str:
        """A digest of every revision the store holds: equal digests mean identical histories."""
        h = hashlib.sha256()
        res = self.store.range("/", revision=None)
        h.update(str(self.store.revision).encode())
        for kv in res.kvs:
            h.update(kv.key.encode())
            h.update(str(kv.mod_revision).encode())
            h.update(kv.value if isinstance(kv.value, bytes) else repr(sorted(_flatten(kv.value))).encode())
        return h.hexdigest()

    def component_errors(self) -> list[str]:
        """Sync errors components recorded (a healthy run has few; useful when debugging)."""
        out = [f"scheduler: {e}" for e in self.scheduler.errors]
        out += [f"controller-manager: {e}" for e in self.controller_manager.errors]
        for a in self.nodes.values():
            out += [f"{a.name}: {e}" for e in a.kubelet.errors]
        return out


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        out: list[tuple[str, str]] = []
        for k, v in value.items():
            out.extend(_flatten(v, f"{prefix}.{k}"))
        return out
    if isinstance(value, list):
        out = []
        for i, v in enumerate(value):
            out.extend(_flatten(v, f"{prefix}[{i}]"))
        return out
    return [(prefix, repr(value))]
