"""The reference kube-proxy: Services + EndpointSlices → this node's forwarding rules, as data.

Models ``pkg/proxy`` (``servicechangetracker.go``, ``endpointschangetracker.go``,
``topology.go`` ``CategorizeEndpoints``, the iptables/nftables proxiers' rule content):
for each Service port with a ClusterIP, the rule ``<clusterIP>:<port>/<proto>`` forwards to
the ready endpoints of the Service's EndpointSlices (``<podIP>:<port>``); when none is ready,
to the serving-and-terminating ones (the ProxyTerminatingEndpoints fallback); NodePort
services also get ``0.0.0.0:<nodePort>/<proto>``. ``internalTrafficPolicy``/``
externalTrafficPolicy: Local`` restrict to this node's endpoints. Rules are only what this
proxy has *observed*: a partitioned proxy keeps stale rules, as a real one does.

Leaves out: session affinity, topology-aware hints, LoadBalancer/externalIPs, health-check
node ports, and the packet path itself (``route`` answers which backends a packet may reach).
"""

from __future__ import annotations

from typing import Any

from reference_impl.apiserver import APIServer
from reference_impl.client import Component
from reference_impl.config import ClusterConfig
from reference_impl.sim import EventLoop, SeededRandom

Obj = dict[str, Any]
SERVICE_NAME_LABEL = "kubernetes.io/service-name"


class KubeProxy(Component):
    def __init__(
        self, api: APIServer, loop: EventLoop, rng: SeededRandom, config: ClusterConfig, *, node_name: str
    ) -> None:
        super().__init__(api, loop, rng, config, name=f"kube-proxy-{node_name}")
        self.node_name = node_name
        # "<ns>/<svc>" -> {rule key: sorted backends}
        self._svc_rules: dict[str, dict[str, list[str]]] = {}
        self.syncs = 0

    def setup(self) -> None:
        self.services = self.informers.informer("services")
        self.slices = self.informers.informer("endpointslices")
        self.slices.add_index("service", self._slice_service)
        self._queue = self.queue(self._sync_service, name="services")
        self.services.add_handler(
            lambda o: self._enqueue_svc(o), lambda _o, n: self._enqueue_svc(n), lambda o: self._enqueue_svc(o)
        )
        self.slices.add_handler(
            lambda o: self._enqueue_slice(o), lambda _o, n: self._enqueue_slice(n), lambda o: self._enqueue_slice(o)
        )

    @staticmethod
    def _slice_service(s: Obj) -> list[str]:
        name = (s["metadata"].get("labels") or {}).get(SERVICE_NAME_LABEL)
        return [f"{s['metadata']['namespace']}/{name}"] if name else []

    def _enqueue_svc(self, svc: Obj) -> None:
        self._queue.add(f"{svc['metadata']['namespace']}/{svc['metadata']['name']}")

    def _enqueue_slice(self, s: Obj) -> None:
        for key in self._slice_service(s):
            self._queue.add(key)

    def _sync_service(self, key: str) -> None:
        self.syncs += 1
        svc = self.services.get(key)
        if svc is None:
            self._svc_rules.pop(key, None)
            return
        self._svc_rules[key] = self._rules_for(svc, self.slices.by_index("service", key))

    def _rules_for(self, svc: Obj, slices: list[Obj]) -> dict[str, list[str]]:
        spec = svc.get("spec", {})
        cluster_ip = spec.get("clusterIP")
        rules: dict[str, list[str]] = {}
        if not cluster_ip or cluster_ip == "None" or spec.get("type") == "ExternalName":
            return rules
        internal_local = spec.get("internalTrafficPolicy") == "Local"
        external_local = spec.get("externalTrafficPolicy") == "Local"
        for port in spec.get("ports") or []:
            pname = port.get("name", "")
            proto = port.get("protocol", "TCP")
            ready: list[tuple[str, str | None]] = []
            serving_terminating: list[tuple[str, str | None]] = []
            for s in slices:
                for sp in s.get("ports") or []:
                    if sp.get("name", "") != pname or sp.get("protocol", "TCP") != proto or sp.get("port") is None:
                        continue
                    for ep in s.get("endpoints") or []:
                        cond = ep.get("conditions") or {}
                        for addr in ep.get("addresses") or []:
                            target = (f"{addr}:{sp['port']}", ep.get("nodeName"))
                            if cond.get("ready", True) is not False:
                                ready.append(target)
                            elif cond.get("serving") and cond.get("terminating"):
                                serving_terminating.append(target)
            chosen = ready or serving_terminating
            all_backends = sorted({t for t, _n in chosen})
            local_backends = sorted({t for t, n in chosen if n == self.node_name})
            rules[f"{cluster_ip}:{port['port']}/{proto}"] = local_backends if internal_local else all_backends
            if port.get("nodePort") and spec.get("type") in ("NodePort", "LoadBalancer"):
                rules[f"0.0.0.0:{port['nodePort']}/{proto}"] = local_backends if external_local else all_backends
        return rules

    # -- what the rest of the world asks ------------------------------------------------------
    def rules(self) -> dict[str, list[str]]:
        """Every forwarding rule this proxy has programmed: ``"<ip>:<port>/<proto>" → backends``."""
        out: dict[str, list[str]] = {}
        for key in sorted(self._svc_rules):
            out.update(self._svc_rules[key])
        return dict(sorted(out.items()))

    def route(self, ip: str, port: int, protocol: str = "TCP") -> list[str]:
        """Where a packet to ``ip:port`` would be sent from this node (empty: rejected/dropped)."""
        key = f"{ip}:{port}/{protocol}"
        for rules in self._svc_rules.values():
            if key in rules:
                return list(rules[key])
        node_key = f"0.0.0.0:{port}/{protocol}"
        for rules in self._svc_rules.values():
            if node_key in rules:
                return list(rules[node_key])
        return []
