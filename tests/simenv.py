"""A bare simulated control plane for component unit tests: clock, loop, store, API server.

Components under test are started against it; the test plays the other components' parts
(for example marking pods Running the way a kubelet would) through ``api`` directly.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, TypeVar

from reference_impl.apiserver import APIServer
from reference_impl.client import Component
from reference_impl.config import ClusterConfig
from reference_impl.sim import EventLoop, SeededRandom
from reference_impl.store import MemoryStore, Store

Obj = dict[str, Any]
T = TypeVar("T")


class SimEnv:
    def __init__(self, seed: int = 1, config: ClusterConfig | None = None, *, store: Store | None = None) -> None:
        """``store``: the API server's etcd (default: a fresh in-memory one)."""
        self.config = config or ClusterConfig()
        self.loop = EventLoop()
        self.rng = SeededRandom(seed)
        self.store: Store = store if store is not None else MemoryStore()
        self.api = APIServer(
            self.store,
            self.loop,
            self.rng.fork("apiserver"),
            default_toleration_seconds=self.config.default_toleration_seconds,
        )

    def start_controller(self, make: Callable[[Component], T]) -> tuple[Component, T]:
        """One controller in a kube-controller-manager of its own, started (its informers listed)."""
        cm = Component(self.api, self.loop, self.rng, self.config, name="kube-controller-manager")
        controller = make(cm)
        orig = cm.setup

        def setup() -> None:
            orig()
            controller.setup()  # type: ignore[attr-defined]

        cm.setup = setup  # type: ignore[method-assign]
        cm.start()
        return cm, controller

    def settle(self, horizon_s: float = 60.0) -> bool:
        return self.loop.settle(horizon_s)

    def advance(self, seconds: float) -> None:
        self.loop.advance(seconds)

    # -- object builders ------------------------------------------------------------------
    def node(
        self,
        name: str,
        *,
        cpu: str = "4",
        memory: str = "8Gi",
        pods: str = "110",
        labels: dict[str, str] | None = None,
        taints: list[Obj] | None = None,
        ready: bool = True,
        unschedulable: bool = False,
    ) -> Obj:
        alloc = {"cpu": cpu, "memory": memory, "pods": pods}
        now = self.loop.clock.rfc3339()
        node = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": name,
                "labels": {
                    "kubernetes.io/hostname": name,
                    "kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64",
                    **(labels or {}),
                },
            },
            "spec": {"taints": taints or [], "unschedulable": unschedulable},
            "status": {
                "capacity": dict(alloc),
                "allocatable": dict(alloc),
                "conditions": [
                    {
                        "type": "Ready",
                        "status": "True" if ready else "False",
                        "reason": "KubeletReady" if ready else "KubeletNotReady",
                        "message": "kubelet is posting ready status",
                        "lastHeartbeatTime": now,
                        "lastTransitionTime": now,
                    }
                ],
            },
        }
        created = self.api.create("nodes", copy.deepcopy(node))
        created["status"] = node["status"]
        return self.api.update("nodes", created, subresource="status")

    def pod(
        self,
        name: str,
        namespace: str = "default",
        *,
        labels: dict[str, str] | None = None,
        cpu: str | None = None,
        memory: str | None = None,
        node_name: str | None = None,
        spec: Obj | None = None,
    ) -> Obj:
        container: Obj = {"name": "app", "image": "registry.k8s.io/pause:3.10"}
        req = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v}
        if req:
            container["resources"] = {"requests": req}
        body: Obj = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": labels or {}},
            "spec": spec or {"containers": [container]},
        }
        if node_name:
            body["spec"]["nodeName"] = node_name
        return self.api.create("pods", body, namespace)

    def set_pod_running(self, name: str, namespace: str = "default", *, ready: bool = True, ip: str = "10.244.0.5") -> Obj:
        """What a kubelet would post for a started pod."""
        pod = self.api.get("pods", name, namespace)
        now = self.loop.clock.rfc3339()
        status = "True" if ready else "False"
        pod["status"].update(
            {
                "phase": "Running",
                "podIP": ip,
                "podIPs": [{"ip": ip}],
                "hostIP": "172.18.0.3",
                "startTime": now,
                "conditions": [
                    {"type": "PodScheduled", "status": "True", "lastTransitionTime": now},
                    {"type": "Initialized", "status": "True", "lastTransitionTime": now},
                    {"type": "ContainersReady", "status": status, "lastTransitionTime": now},
                    {"type": "Ready", "status": status, "lastTransitionTime": now},
                ],
                "containerStatuses": [
                    {
                        "name": c["name"],
                        "image": c["image"],
                        "imageID": "",
                        "ready": ready,
                        "restartCount": 0,
                        "started": True,
                        "state": {"running": {"startedAt": now}},
                        "lastState": {},
                    }
                    for c in pod["spec"]["containers"]
                ],
            }
        )
        return self.api.update("pods", pod, namespace, subresource="status")
