"""Node chaos: healthy Deployments while nodes die, reboot, drop off the network, heal and join.

Faults are rules of their own, so hypothesis shrinks a failure to the fewest of them; at least
one node always stays up (killing or cutting off the last one would leave nothing to converge
on). Nodes may still be dead or cut off at teardown: the base class then waits out the
node-monitor grace period and the pods' tolerationSeconds, and its liveness checks demand that
pods on those nodes were marked not Ready and evicted, and that replacements are Ready on live
nodes.

Beyond that, an invariant holds the node lifecycle controller to what real Kubernetes shows
(``pkg/controller/nodelifecycle``): a node silent for longer than the 50 s grace period (plus
slack for the 5 s monitor period) reports ``Ready=Unknown`` and carries the
``node.kubernetes.io/unreachable:NoExecute`` taint; a node up again for a minute reports
``Ready=True`` without the unreachable or not-ready taints.
"""

from __future__ import annotations

from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, consumes, initialize, invariant, precondition, rule

from kconform.backends.base import ADD_NODE, Snapshot
from kconform.faults import AddNode, Fault, HealNode, KillNode, PartitionNode, RestartNode
from kconform.stateful import NODE_MONITOR_GRACE_S, KconformMachine, example_namespace, suite_test
from kconform.strategies import deployments, image_updates, scale_targets

UP, DEAD, PARTITIONED = "up", "dead", "partitioned"
NODES_MAX = 4
ADVANCE_S = (10, 5, 30, 60, 120, 400)
# the node lifecycle controller looks every 5 s; lease and status updates add up to 10 s more
NODE_HEALTH_SLACK_S = 20.0
# a rebooted or healed kubelet posts Ready within its 10 s status period; taints follow in 5 s
NODE_RECOVERY_S = 60.0
UNREACHABLE = "node.kubernetes.io/unreachable"
NOT_READY = "node.kubernetes.io/not-ready"



class NodeChaosMachine(KconformMachine):
    suite_name = "node-chaos"
    requires = frozenset({"kill-node", "partition-node", "restart-node"})
    # Long enough for every healthy pod to start and every old one to finish its grace period.
    # Not longer: a Deployment that completed and then lost a pod for good (unschedulable after a
    # scale-up, a crash loop) is requeued rate-limited forever once its progress deadline (600 s)
    # passes, as upstream's requeueStuckDeployment does, which makes long settles costly.
    settle_timeout_s = 300.0

    deployments_b = Bundle("deployments")

    def __init__(self) -> None:
        super().__init__()
        self.ns = ""
        self.nodes: dict[str, str] = {}
        self.up_since_s: dict[str, float] = {}
        self.images: dict[str, dict[str, str]] = {}  # deployment -> container -> image
        self.used_names: set[str] = set()

    @initialize(target=deployments_b, data=st.data())
    def setup(self, data: st.DataObject) -> str:
        """The example's namespace and one Deployment in it, so every fault has pods to disturb
        (one initialize rule: hypothesis does not order them)."""
        manifest = example_namespace(self.suite_name, self.cluster.capabilities)
        self.ns = manifest["metadata"]["name"]
        self.run({"op": "apply", "manifest": manifest})
        now = self.cluster.snapshot().time_s
        for node in self.node_names():
            self.nodes[node] = UP
            self.up_since_s[node] = now - NODE_RECOVERY_S  # registered before the example began
        return self.create_deployment(data)

    # -- node states ------------------------------------------------------------------------
    def _in(self, state: str) -> list[str]:
        return sorted(n for n, s in self.nodes.items() if s == state)

    def _can_lose_a_node(self) -> bool:
        return len(self._in(UP)) >= 2

    def _fault(self, fault: Fault, node: str, state: str) -> None:
        result = self.run({"op": "fault", "fault": fault.to_dict()})
        if not result.ok:
            self.fail(f"{fault.describe()} failed: {result.detail}")
        self.nodes[node] = state
        if state == UP:
            self.up_since_s[node] = self.cluster.snapshot().time_s
        else:
            self.up_since_s.pop(node, None)
        # The Deployment surge bound is not asserted from a fault until the workloads change again.
        self.faults_active = True

    def _workloads_changed(self) -> None:
        self.faults_active = any(state != UP for state in self.nodes.values())

    @precondition(lambda self: self._can_lose_a_node())
    @rule(data=st.data())
    def kill_node(self, data: st.DataObject) -> None:
        node = data.draw(st.sampled_from(self._in(UP)), label="node")
        self._fault(KillNode(node=node), node, DEAD)

    @precondition(lambda self: self._can_lose_a_node())
    @rule(data=st.data())
    def partition_node(self, data: st.DataObject) -> None:
        node = data.draw(st.sampled_from(self._in(UP)), label="node")
        self._fault(PartitionNode(node=node), node, PARTITIONED)

    @precondition(lambda self: len(self._in(UP)) < len(self.nodes))
    @rule(data=st.data())
    def restart_node(self, data: st.DataObject) -> None:
        """A dead machine boots again, or a cut-off one is power-cycled."""
        node = data.draw(st.sampled_from(self._in(DEAD) + self._in(PARTITIONED)), label="node")
        self._fault(RestartNode(node=node), node, UP)

    @precondition(lambda self: bool(self._in(UP)))
    @rule(data=st.data())
    def reboot_node(self, data: st.DataObject) -> None:
        """A live machine reboots: its containers are gone and its kubelet reconciles."""
        node = data.draw(st.sampled_from(self._in(UP)), label="node")
        self._fault(RestartNode(node=node), node, UP)

    @precondition(lambda self: bool(self._in(PARTITIONED)))
    @rule(data=st.data())
    def heal_node(self, data: st.DataObject) -> None:
        node = data.draw(st.sampled_from(self._in(PARTITIONED)), label="node")
        self._fault(HealNode(node=node), node, UP)

    @precondition(lambda self: len(self.nodes) < NODES_MAX and ADD_NODE in self.cluster.capabilities)
    @rule()
    def add_node(self) -> None:
        taken = {int(n.rsplit("-", 1)[1]) for n in self.nodes if n.rsplit("-", 1)[-1].isdigit()}
        node = f"node-{max(taken, default=0) + 1}"
        self._fault(AddNode(node=node), node, UP)
        self.faults_active = any(state != UP for state in self.nodes.values())

    # -- workloads --------------------------------------------------------------------------
    @rule(target=deployments_b, data=st.data())
    def create_deployment(self, data: st.DataObject) -> str:
        manifest = data.draw(deployments(self.ns, healthy=True), label="deployment")
        name = manifest["metadata"]["name"]
        assume(name not in self.used_names)
        self.used_names.add(name)
        result = self.run({"op": "apply", "manifest": manifest})
        if not result.ok:
            self.fail(f"creating deployment {self.ns}/{name} was rejected: {result.detail}")
        containers = manifest["spec"]["template"]["spec"]["containers"]
        self.images[name] = {c["name"]: c["image"] for c in containers}
        self._workloads_changed()
        return name

    @rule(name=deployments_b, replicas=scale_targets(4))
    def scale_deployment(self, name: str, replicas: int) -> None:
        step = {"op": "scale", "resource": "deployments", "namespace": self.ns, "name": name, "replicas": replicas}
        result = self.run(step)
        if not result.ok:
            self.fail(f"scaling deployment {self.ns}/{name} to {replicas} was rejected: {result.detail}")
        self._workloads_changed()

    @rule(name=deployments_b, data=st.data())
    def set_image(self, name: str, data: st.DataObject) -> None:
        images = self.images[name]
        container = data.draw(st.sampled_from(sorted(images)), label="container")
        image = data.draw(image_updates(images[container], healthy=True), label="image")
        result = self.run({
            "op": "patch-image", "resource": "deployments", "namespace": self.ns, "name": name,
            "container": container, "image": image,
        })
        if not result.ok:
            self.fail(f"setting image {container}={image} on deployment {self.ns}/{name} failed: {result.detail}")
        images[container] = image
        self._workloads_changed()

    @rule(name=consumes(deployments_b))
    def delete_deployment(self, name: str) -> None:
        step = {"op": "delete", "resource": "deployments", "namespace": self.ns, "name": name, "propagation": "Background"}
        result = self.run(step)
        if not result.ok:
            self.fail(f"deleting deployment {self.ns}/{name} was rejected: {result.detail}")
        self.note_deleted("deployments", self.ns, name, "Background")
        del self.images[name]

    @rule(seconds=st.sampled_from(ADVANCE_S))
    def advance(self, seconds: int) -> None:
        self.run({"op": "advance", "seconds": seconds})

    # -- checks -----------------------------------------------------------------------------
    @invariant()
    def node_health_reported(self) -> None:
        if self.ns:
            self.check_node_health(self.cluster.snapshot())

    def check_eventually(self) -> None:
        super().check_eventually()
        self.check_node_health(self.cluster.snapshot())

    def check_node_health(self, snap: Snapshot) -> None:
        problems: list[str] = []
        for node in snap.of("nodes"):
            name = node["metadata"]["name"]
            state = self.nodes.get(name)
            ready = next(
                (c for c in node.get("status", {}).get("conditions") or [] if c.get("type") == "Ready"), {}
            )
            taints = {(t.get("key"), t.get("effect")) for t in node.get("spec", {}).get("taints") or []}
            if state in (DEAD, PARTITIONED):
                since = snap.dead_since_s.get(name)
                if since is None or snap.time_s - since < NODE_MONITOR_GRACE_S + NODE_HEALTH_SLACK_S:
                    continue
                silent = f"node {name} ({state} for {snap.time_s - since:.0f}s)"
                if ready.get("status") != "Unknown":
                    problems.append(f"{silent}: Ready {ready.get('status')}, expected Unknown")
                if (UNREACHABLE, "NoExecute") not in taints:
                    problems.append(f"{silent}: no {UNREACHABLE}:NoExecute taint")
            elif state == UP and snap.time_s - self.up_since_s.get(name, snap.time_s) >= NODE_RECOVERY_S:
                back = f"node {name} (up for {snap.time_s - self.up_since_s[name]:.0f}s)"
                if ready.get("status") != "True":
                    problems.append(f"{back}: Ready {ready.get('status')} ({ready.get('reason')}), expected True")
                stale = sorted(f"{k}:{e}" for k, e in taints if k in (UNREACHABLE, NOT_READY))
                if stale:
                    problems.append(f"{back}: still tainted {', '.join(stale)}")
        if problems:
            self.fail("node health not reported as Kubernetes does: " + "; ".join(problems[:5]))


TestNodeChaos = suite_test(NodeChaosMachine)
