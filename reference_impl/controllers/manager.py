"""The reference kube-controller-manager: one process, many controllers, shared informers.

Models ``cmd/kube-controller-manager``: every controller runs inside one component with one
client and one shared informer factory; a restart loses all in-memory state (expectations,
queues, caches) and everything is rebuilt from LIST + WATCH, as after a real restart.
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol

from reference_impl.apiserver import APIServer
from reference_impl.client import Component
from reference_impl.config import ClusterConfig
from reference_impl.sim import EventLoop, SeededRandom


class Controller(Protocol):
    def setup(self) -> None: ...


# name -> "module:Class"; the order is the start order (it decides tie-breaking at equal instants)
CONTROLLERS: dict[str, str] = {
    "node-lifecycle": "reference_impl.controllers.node_lifecycle:NodeLifecycleController",
    "replicaset": "reference_impl.controllers.replicaset:ReplicaSetController",
    "deployment": "reference_impl.controllers.deployment:DeploymentController",
    "endpointslice": "reference_impl.controllers.endpointslice:EndpointSliceController",
    "endpoints": "reference_impl.controllers.endpointslice:EndpointsController",
    "garbage-collector": "reference_impl.controllers.garbage_collector:GarbageCollector",
    "namespace": "reference_impl.controllers.namespace:NamespaceController",
    "job": "reference_impl.controllers.job:JobController",
    "daemonset": "reference_impl.controllers.daemonset:DaemonSetController",
    "statefulset": "reference_impl.controllers.statefulset:StatefulSetController",
    "disruption": "reference_impl.controllers.disruption:DisruptionController",
    "serviceaccount": "reference_impl.controllers.serviceaccounts:ServiceAccountsController",
    "root-ca-cert-publisher": "reference_impl.controllers.root_ca_publisher:RootCACertPublisher",
    "podgc": "reference_impl.controllers.podgc:PodGCController",
    "replicationcontroller": "reference_impl.controllers.replication:ReplicationManager",
    "clusterrole-aggregation": "reference_impl.controllers.clusterroleaggregation:ClusterRoleAggregationController",
    "cronjob": "reference_impl.controllers.cronjob:CronJobController",
    "ttl-after-finished": "reference_impl.controllers.ttl_after_finished:TTLAfterFinishedController",
    "resourcequota": "reference_impl.controllers.resourcequota:ResourceQuotaController",
}


def load_controller(spec: str) -> type[Any]:
    module, _, cls = spec.partition(":")
    return getattr(importlib.import_module(module), cls)  # type: ignore[no-any-return]


class ControllerManager(Component):
    def __init__(
        self,
        api: APIServer,
        loop: EventLoop,
        rng: SeededRandom,
        config: ClusterConfig,
        *,
        controllers: list[str] | None = None,
    ) -> None:
        super().__init__(api, loop, rng, config, name="kube-controller-manager")
        names = list(CONTROLLERS) if controllers is None else controllers
        unknown = [n for n in names if n not in CONTROLLERS]
        if unknown:
            raise ValueError(f"unknown controllers: {', '.join(unknown)}; known: {', '.join(CONTROLLERS)}")
        self.controllers: dict[str, Controller] = {n: load_controller(CONTROLLERS[n])(self) for n in names}

    def setup(self) -> None:
        for c in self.controllers.values():
            c.setup()
