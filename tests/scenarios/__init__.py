"""End-to-end scenarios on the whole :class:`ReferenceCluster`, asserting real Kubernetes behaviour.

Every component runs (API server, scheduler, controller manager, a kubelet and a kube-proxy per
node) in simulated time, so timings defined by Kubernetes (node-monitor grace period, default
toleration seconds, back-offs, grace periods) are asserted exactly or within the bounds the real
control loops allow. Helpers shared by the scenario files live here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from reference_impl.cluster import ReferenceCluster
from reference_impl.config import ClusterConfig
from reference_impl.sim.clock import parse_rfc3339

Obj = dict[str, Any]
NS = "default"
PAUSE = "registry.k8s.io/pause:3.10"
BUSYBOX = "busybox:1.36"

__all__ = [
    "BUSYBOX",
    "NS",
    "PAUSE",
    "Obj",
    "cluster",
    "condition",
    "container",
    "deployment",
    "events",
    "is_ready",
    "live_pods",
    "node_ready",
    "pod",
    "pods",
    "seconds",
    "service",
    "set_image",
    "wait",
]


def cluster(nodes: int = 3, seed: int | str = 1, **config: Any) -> ReferenceCluster:
    """A fresh cluster with real default timings (``config`` overrides single knobs)."""
    return ReferenceCluster(nodes=nodes, seed=seed, config=ClusterConfig(**config))


def wait(
    c: ReferenceCluster, predicate: Callable[[], bool], timeout_s: float = 120.0, step_s: float = 0.5
) -> float:
    """Advance until ``predicate`` holds (asserting it does) and return the simulated time."""
    assert c.run_until(predicate, timeout_s=timeout_s, step_s=step_s), f"not reached within {timeout_s}s"
    return c.now()


def seconds(ts: str) -> float:
    """A ``metav1.Time`` string as simulated seconds."""
    return parse_rfc3339(ts)


# -- manifests ------------------------------------------------------------------------------
def container(
    name: str = "app",
    image: str = PAUSE,
    *,
    command: list[str] | None = None,
    ports: list[Obj] | None = None,
    cpu: str | None = None,
    memory: str | None = None,
    readiness: Obj | None = None,
) -> Obj:
    c: Obj = {"name": name, "image": image}
    if command is not None:
        c["command"] = command
    if ports is not None:
        c["ports"] = ports
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    if requests:
        c["resources"] = {"requests": requests}
    if readiness is not None:
        c["readinessProbe"] = readiness
    return c


def pod(name: str, ns: str = NS, *, labels: dict[str, str] | None = None, **spec: Any) -> Obj:
    spec.setdefault("containers", [container()])
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "labels": labels or {}},
        "spec": spec,
    }


def deployment(
    name: str,
    replicas: int = 3,
    *,
    ns: str = NS,
    image: str = PAUSE,
    containers: list[Obj] | None = None,
    strategy: Obj | None = None,
    **spec_extra: Any,
) -> Obj:
    labels = {"app": name}
    spec: Obj = {
        "replicas": replicas,
        "selector": {"matchLabels": dict(labels)},
        "template": {
            "metadata": {"labels": dict(labels)},
            "spec": {"containers": containers or [container(image=image)]},
        },
        **spec_extra,
    }
    if strategy is not None:
        spec["strategy"] = strategy
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
    }


def replicaset(name: str, replicas: int, *, cpu: str, memory: str, ns: str = NS) -> Obj:
    """A ReplicaSet of pause pods with these requests (``app: <name>``), as the scale benchmark's."""
    rs = deployment(name, replicas, ns=ns, containers=[container("c", cpu=cpu, memory=memory)])
    rs["kind"] = "ReplicaSet"
    return rs


def service(name: str, selector: dict[str, str], ports: list[Obj], *, ns: str = NS, **spec: Any) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns},
        "spec": {"selector": selector, "ports": ports, **spec},
    }


def set_image(c: ReferenceCluster, name: str, image: str, ns: str = NS) -> Obj:
    d = copy.deepcopy(c.api.get("deployments", name, ns))
    d["spec"]["template"]["spec"]["containers"][0]["image"] = image
    return c.api.update("deployments", d, ns)


# -- observation ----------------------------------------------------------------------------
def condition(obj: Obj | None, type_: str) -> Obj | None:
    for cond in ((obj or {}).get("status") or {}).get("conditions") or []:
        if cond.get("type") == type_:
            return cond  # type: ignore[no-any-return]
    return None


def is_ready(p: Obj) -> bool:
    cond = condition(p, "Ready")
    return cond is not None and cond.get("status") == "True"


def pods(c: ReferenceCluster, ns: str = NS, selector: str | None = None) -> list[Obj]:
    items: list[Obj] = c.api.list("pods", ns, label_selector=selector)["items"]
    return sorted(items, key=lambda p: p["metadata"]["name"])


def live_pods(c: ReferenceCluster, ns: str = NS, selector: str | None = None) -> list[Obj]:
    """Pods not being deleted."""
    return [p for p in pods(c, ns, selector) if not p["metadata"].get("deletionTimestamp")]


def node_ready(c: ReferenceCluster, node: str) -> str:
    cond = condition(c.api.get("nodes", node), "Ready")
    return str(cond.get("status")) if cond else "Unknown"


def events(
    c: ReferenceCluster, ns: str = NS, *, name: str | None = None, reason: str | None = None
) -> list[Obj]:
    out: list[Obj] = []
    for e in c.api.list("events", ns)["items"]:
        if name is not None and e["involvedObject"].get("name") != name:
            continue
        if reason is not None and e.get("reason") != reason:
            continue
        out.append(e)
    return out
