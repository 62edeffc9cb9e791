"""Services: ClusterIP, NodePort and headless Services (numeric and named targetPorts) over
Deployments that scale, roll out to images that never become Ready and back, and get deleted.

The base class checks after every step that ClusterIPs and NodePorts are unique, and at
teardown that EndpointSlices hold exactly the ready pods of each Service and that every live
node's kube-proxy forwards each Service port to exactly those (the route check only runs on
backends with the ``routes`` capability: ``snapshot.routes`` is None elsewhere). This suite
runs the same two endpoint checks whenever a drawn ``settle`` step lets the cluster go quiet,
so a stale endpoint is caught before later steps hide it, and adds the API server's Service
allocation rules (``pkg/registry/core/service``), checked after every step:

* a ClusterIP or NodePort Service has a ClusterIP; a headless one keeps ``None``;
* a NodePort Service has a nodePort on every port;
* neither the ClusterIP nor a port's nodePort of a Service ever changes (same UID).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, consumes, initialize, invariant, precondition, rule

from kconform.backends.base import Manifest, Snapshot
from kconform.invariants import Violation, check_endpointslices, check_routes
from kconform.stateful import KconformMachine, example_namespace, suite_test
from kconform.strategies import (
    MANAGED_BY_KEY,
    MISSING_IMAGE,
    deployments,
    image_updates,
    scale_targets,
    services,
)

ADVANCE_S = (5, 1, 10, 30)
SETTLE_TIMEOUT_S = 120.0



def _allocation(svc: Mapping[str, Any]) -> tuple[str, dict[str, int]]:
    """(clusterIP, port key -> nodePort) of a Service as stored."""
    spec = svc.get("spec") or {}
    node_ports = {
        f"{p.get('port')}/{p.get('protocol') or 'TCP'}": int(p["nodePort"])
        for p in spec.get("ports") or []
        if p.get("nodePort")
    }
    return str(spec.get("clusterIP") or ""), node_ports


class ServicesMachine(KconformMachine):
    suite_name = "services"
    # Long enough for every healthy pod to start and every old one to finish its grace period.
    # Not longer: a Deployment that completed and then lost a pod for good (unschedulable after a
    # scale-up, a crash loop) is requeued rate-limited forever once its progress deadline (600 s)
    # passes, as upstream's requeueStuckDeployment does, which makes long settles costly.
    settle_timeout_s = 300.0

    services_b = Bundle("services")

    def __init__(self) -> None:
        super().__init__()
        self.ns = ""
        self.used_names: set[tuple[str, str]] = set()
        self.pod_labels: dict[str, dict[str, str]] = {}  # deployment -> its pods' labels
        self.images: dict[str, dict[str, str]] = {}  # deployment -> container -> image
        self.kinds: dict[str, str] = {}  # service -> ClusterIP | NodePort | Headless
        self.allocated: dict[str, tuple[str, str, dict[str, int]]] = {}  # uid -> (name, clusterIP, nodePorts)

    @initialize(target=services_b, data=st.data())
    def setup(self, data: st.DataObject) -> str:
        """The example's namespace, one Deployment and one Service over it, so every rule has
        something to act on (one initialize rule: hypothesis does not order them)."""
        manifest = example_namespace(self.suite_name, self.cluster.capabilities)
        self.ns = manifest["metadata"]["name"]
        self.run({"op": "apply", "manifest": manifest})
        self.create_deployment(data)
        return self.create_service(data)

    def _draw_deployment(self, data: st.DataObject) -> str:
        return data.draw(st.sampled_from(sorted(self.images)), label="deployment")

    # -- workloads --------------------------------------------------------------------------
    def _apply_new(self, kind: str, manifest: Manifest) -> str:
        name = manifest["metadata"]["name"]
        assume((kind, name) not in self.used_names)
        self.used_names.add((kind, name))
        result = self.run({"op": "apply", "manifest": manifest})
        if not result.ok:
            self.fail(f"creating {kind} {self.ns}/{name} was rejected: {result.detail}")
        return name

    @rule(data=st.data())
    def create_deployment(self, data: st.DataObject) -> None:
        """Healthy pods: readiness changes come from rollouts to images that never pull, which
        stall before the Deployment ever completes (crash-looping pods that were once Ready
        would keep the Deployment controller requeueing past its progress deadline)."""
        manifest = data.draw(deployments(self.ns, healthy=True), label="deployment")
        name = self._apply_new("Deployment", manifest)
        template = manifest["spec"]["template"]
        self.pod_labels[name] = {
            k: v for k, v in template["metadata"]["labels"].items() if k != MANAGED_BY_KEY
        }
        self.images[name] = {c["name"]: c["image"] for c in template["spec"]["containers"]}

    @precondition(lambda self: bool(self.images))
    @rule(data=st.data(), replicas=scale_targets(4))
    def scale_deployment(self, data: st.DataObject, replicas: int) -> None:
        name = self._draw_deployment(data)
        result = self.run(
            {"op": "scale", "resource": "deployments", "namespace": self.ns, "name": name, "replicas": replicas}
        )
        if not result.ok:
            self.fail(f"scaling deployment {self.ns}/{name} to {replicas} was rejected: {result.detail}")

    @precondition(lambda self: bool(self.images))
    @rule(data=st.data(), broken=st.booleans())
    def set_image(self, data: st.DataObject, broken: bool) -> None:
        """Roll out to an image that never pulls (its pods get an IP but never become Ready:
        they must stay out of the ready endpoints and the routes) or to a working one."""
        name = self._draw_deployment(data)
        images = self.images[name]
        container = data.draw(st.sampled_from(sorted(images)), label="container")
        image = MISSING_IMAGE if broken else data.draw(image_updates(images[container], healthy=True), label="image")
        result = self.run({
            "op": "patch-image", "resource": "deployments", "namespace": self.ns, "name": name,
            "container": container, "image": image,
        })
        if not result.ok:
            self.fail(f"setting image {container}={image} on deployment {self.ns}/{name} failed: {result.detail}")
        images[container] = image

    @precondition(lambda self: bool(self.images))
    @rule(data=st.data())
    def delete_deployment(self, data: st.DataObject) -> None:
        name = self._draw_deployment(data)
        step = {"op": "delete", "resource": "deployments", "namespace": self.ns, "name": name, "propagation": "Background"}
        result = self.run(step)
        if not result.ok:
            self.fail(f"deleting deployment {self.ns}/{name} was rejected: {result.detail}")
        self.note_deleted("deployments", self.ns, name, "Background")
        del self.images[name]  # Services may still select its labels: their endpoints must empty out.

    # -- services ---------------------------------------------------------------------------
    @precondition(lambda self: bool(self.images))
    @rule(target=services_b, data=st.data())
    def create_service(self, data: st.DataObject) -> str:
        """A Service selecting one Deployment (``app``) or a pool label several may share."""
        backend = self._draw_deployment(data)
        labels = self.pod_labels[backend]
        key = data.draw(st.sampled_from(sorted(labels, key=lambda k: (k != "app", k))), label="selector key")
        manifest = data.draw(services(self.ns, {key: labels[key]}), label="service")
        name = self._apply_new("Service", manifest)
        spec = manifest["spec"]
        self.kinds[name] = "Headless" if spec.get("clusterIP") == "None" else spec.get("type", "ClusterIP")
        return name

    @rule(name=consumes(services_b))
    def delete_service(self, name: str) -> None:
        step = {"op": "delete", "resource": "services", "namespace": self.ns, "name": name, "propagation": "Background"}
        result = self.run(step)
        if not result.ok:
            self.fail(f"deleting service {self.ns}/{name} was rejected: {result.detail}")
        self.note_deleted("services", self.ns, name, "Background")
        del self.kinds[name]

    # -- time -------------------------------------------------------------------------------
    @rule(seconds=st.sampled_from(ADVANCE_S))
    def advance(self, seconds: int) -> None:
        self.run({"op": "advance", "seconds": seconds})

    @precondition(lambda self: bool(self.kinds))
    @rule()
    def settle_and_check(self) -> None:
        """Once quiet, EndpointSlices and every live node's routes match the ready pods."""
        self.run({"op": "settle", "timeout_s": SETTLE_TIMEOUT_S})
        self.run({"op": "check", "what": "endpoints"})
        snap = self.cluster.snapshot()
        violations: list[Violation] = [*check_endpointslices(snap, self.expect), *check_routes(snap, self.expect)]
        if violations:
            self._raise(violations, "endpoints differ from the ready pods after the cluster settled")

    # -- allocation -------------------------------------------------------------------------
    @invariant()
    def allocations_hold(self) -> None:
        if self.ns:
            self.check_allocations(self.cluster.snapshot())

    def check_allocations(self, snap: Snapshot) -> None:
        problems: list[str] = []
        for svc in snap.of("services"):
            meta = svc.get("metadata") or {}
            name = str(meta.get("name"))
            if meta.get("namespace") != self.ns or name not in self.kinds:
                continue
            kind = self.kinds[name]
            cluster_ip, node_ports = _allocation(svc)
            ports = (svc.get("spec") or {}).get("ports") or []
            if kind == "Headless" and cluster_ip != "None":
                problems.append(f"headless service {name} has clusterIP {cluster_ip!r}, expected None")
            if kind != "Headless" and cluster_ip in ("", "None"):
                problems.append(f"{kind} service {name} has no ClusterIP")
            if kind == "NodePort" and len(node_ports) != len(ports):
                problems.append(f"NodePort service {name} has nodePorts {node_ports} for {len(ports)} ports")
            uid = str(meta.get("uid"))
            before = self.allocated.setdefault(uid, (name, cluster_ip, node_ports))
            if before[1] != cluster_ip:
                problems.append(f"service {name} ClusterIP changed from {before[1]} to {cluster_ip}")
            changed = {p: (n, node_ports.get(p)) for p, n in before[2].items() if node_ports.get(p) != n}
            if changed:
                problems.append(f"service {name} nodePorts changed (port: before, now): {changed}")
        if problems:
            self.fail("Service allocations broken: " + "; ".join(problems[:5]))


TestServices = suite_test(ServicesMachine)
