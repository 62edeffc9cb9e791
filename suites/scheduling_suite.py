"""Scheduling: Pods and Deployments with resource requests, nodeSelectors, node affinity,
tolerations, pod anti-affinity and topology spread, on nodes that get cordoned and tainted.

The base class checks, after every step, that no node is overcommitted and that every bound
pod matches its node's labels and tolerates its taints. This suite adds what kube-scheduler
guarantees on top (``pkg/scheduler``):

* required pod anti-affinity holds between every two non-terminal bound pods, in both
  directions (the incoming pod's terms and the existing pods' terms), since pods never move
  and node labels do not change here;
* a pod the scheduler could not place reports ``PodScheduled=False`` reason ``Unschedulable``
  and the FitError message: ``0/<all nodes> nodes are available: <histogram>.`` where the
  histogram is ``"<count> <reason>"`` entries sorted as strings, joined with ``", "``, each
  count between 1 and the node count, each reason a filter plugin's text, and at least one
  reason per node (optionally followed by `` preemption: ...``).

Cordoning uses the ``CordonNode``/``UncordonNode`` faults and dedicated-node taints the
``TaintNode``/``UntaintNode`` ones (what ``kubectl cordon`` and ``kubectl taint`` send), which
every backend carries out through the API.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, consumes, initialize, invariant, precondition, rule

from kconform.backends.base import Manifest, Snapshot
from kconform.faults import CordonNode, TaintNode, UncordonNode, UntaintNode
from kconform.stateful import KconformMachine, example_namespace, suite_test
from kconform.strategies import (
    MANAGED_BY_KEY,
    deployments,
    pods,
    scale_targets,
    selector_matches,
)

ADVANCE_S = (5, 1, 10, 30)
# The taint the strategies' ``tolerations()`` know how to tolerate.
DEDICATED_TAINT = {"key": "kconform.io/dedicated", "value": "a", "effect": "NoSchedule"}
# Time the scheduler gets to try a new pod once and write its PodScheduled condition.
FIRST_ATTEMPT_S = 5.0

# Filter plugin reasons, as kube-scheduler words them (pkg/scheduler/framework/plugins).
KNOWN_REASONS = re.compile(
    r"^(?:"
    r"node\(s\) didn't match Pod's node affinity/selector"
    r"|node\(s\) were unschedulable"
    r"|node\(s\) had untolerated taint \{[^{}]*\}"
    r"|Insufficient [a-z0-9./-]+"
    r"|Too many pods"
    r"|node\(s\) didn't match pod anti-affinity rules"
    r"|node\(s\) didn't satisfy existing pods anti-affinity rules"
    r"|node\(s\) didn't match pod affinity rules"
    r"|node\(s\) didn't match pod topology spread constraints(?: \(missing required label\))?"
    r"|node\(s\) didn't have free ports for the requested pod ports"
    r"|node\(s\) didn't match the requested node name"
    r")$"
)
HISTOGRAM_ENTRY = re.compile(r"^(\d+) (.+)$")



def fit_error_problem(message: str, node_count: int) -> str | None:
    """What is wrong with an Unschedulable message (None if it reads as kube-scheduler's FitError)."""
    prefix = f"0/{node_count} nodes are available: "
    if not message.startswith(prefix):
        return f"does not start with {prefix.strip()!r}"
    body, _, _ = message[len(prefix):].partition(" preemption: ")
    if not body.endswith("."):
        return "the reason histogram does not end with '.'"
    entries = re.split(r", (?=\d+ )", body[:-1])
    if entries != sorted(entries):
        return "the reason histogram is not sorted"
    total = 0
    for entry in entries:
        match = HISTOGRAM_ENTRY.match(entry)
        if match is None:
            return f"histogram entry {entry!r} is not '<count> <reason>'"
        count, reason = int(match.group(1)), match.group(2)
        if not 1 <= count <= node_count:
            return f"histogram entry {entry!r} counts outside 1..{node_count}"
        if not KNOWN_REASONS.match(reason):
            return f"unknown filter reason {reason!r}"
        total += count
    if total < node_count:
        return f"the histogram accounts for {total} of {node_count} nodes"
    return None


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _terminal(pod: Mapping[str, Any]) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def _required_anti_affinity(pod: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    affinity = (pod.get("spec") or {}).get("affinity") or {}
    anti = affinity.get("podAntiAffinity") or {}
    return list(anti.get("requiredDuringSchedulingIgnoredDuringExecution") or [])


class SchedulingMachine(KconformMachine):
    suite_name = "scheduling"
    # Long enough for every healthy pod to start and every old one to finish its grace period.
    # Not longer: a Deployment that completed and then lost a pod for good (unschedulable after a
    # scale-up, a crash loop) is requeued rate-limited forever once its progress deadline (600 s)
    # passes, as upstream's requeueStuckDeployment does, which makes long settles costly.
    settle_timeout_s = 300.0

    pods_b = Bundle("pods")
    deployments_b = Bundle("deployments")

    def __init__(self) -> None:
        super().__init__()
        self.ns = ""
        self.nodes: list[str] = []
        self.used_names: set[tuple[str, str]] = set()
        self.unbound_since_s: dict[str, float] = {}  # pod uid -> first time seen unbound
        self.pools: list[dict[str, str]] = []  # pool labels (not ``app``) of the pods created so far

    @initialize()
    def setup(self) -> None:
        manifest = example_namespace(self.suite_name, self.cluster.capabilities)
        self.ns = manifest["metadata"]["name"]
        self.run({"op": "apply", "manifest": manifest})
        self.nodes = self.node_names()

    # -- workloads --------------------------------------------------------------------------
    def _create(self, kind: str, manifest: Manifest) -> str:
        name = manifest["metadata"]["name"]
        assume((kind, name) not in self.used_names)
        self.used_names.add((kind, name))
        result = self.run({"op": "apply", "manifest": manifest})
        if not result.ok:
            self.fail(f"creating {kind} {self.ns}/{name} was rejected: {result.detail}")
        template = manifest if kind == "Pod" else manifest["spec"]["template"]
        pool = {k: v for k, v in template["metadata"]["labels"].items() if k not in ("app", MANAGED_BY_KEY)}
        if pool and pool not in self.pools:
            self.pools.append(pool)
        return name

    @rule(target=pods_b, data=st.data(), healthy=st.booleans())
    def create_pod(self, data: st.DataObject, healthy: bool) -> str:
        return self._create("Pod", data.draw(pods(self.ns, self.nodes, healthy=healthy), label="pod"))

    @precondition(lambda self: bool(self.pools))
    @rule(target=pods_b, data=st.data())
    def create_neighbour(self, data: st.DataObject) -> str:
        """A pod of another app sharing an existing pod's pool labels, so that the existing
        pods' anti-affinity and spread constraints select it (the scheduler must check them
        in both directions)."""
        pool = data.draw(st.sampled_from(self.pools), label="pool labels")
        manifest = data.draw(pods(self.ns, self.nodes, healthy=True), label="pod")
        manifest["metadata"]["labels"] = {**manifest["metadata"]["labels"], **pool}
        return self._create("Pod", manifest)

    @rule(target=deployments_b, data=st.data(), healthy=st.booleans())
    def create_deployment(self, data: st.DataObject, healthy: bool) -> str:
        manifest = data.draw(deployments(self.ns, node_names=self.nodes, healthy=healthy), label="deployment")
        return self._create("Deployment", manifest)

    @rule(target=deployments_b, data=st.data(), cpu=st.sampled_from(["1500m", "2", "3"]), replicas=st.integers(2, 5))
    def create_heavy_deployment(self, data: st.DataObject, cpu: str, replicas: int) -> str:
        """Replicas that request a large share of a node, so that nodes fill up: some fit, the
        rest must stay Pending (Insufficient cpu) rather than overcommit a node."""
        manifest = data.draw(deployments(self.ns, node_names=self.nodes, healthy=True), label="deployment")
        spec = manifest["spec"]
        spec["replicas"] = replicas
        pod_spec = spec["template"]["spec"]
        pod_spec.pop("affinity", None)
        pod_spec.pop("topologySpreadConstraints", None)
        pod_spec.pop("nodeSelector", None)
        for c in pod_spec["containers"]:
            c["resources"] = {"requests": {"cpu": cpu, "memory": "64Mi"}}
        return self._create("Deployment", manifest)

    @rule(name=deployments_b, replicas=scale_targets(4))
    def scale_deployment(self, name: str, replicas: int) -> None:
        result = self.run(
            {"op": "scale", "resource": "deployments", "namespace": self.ns, "name": name, "replicas": replicas}
        )
        if not result.ok:
            self.fail(f"scaling deployment {self.ns}/{name} to {replicas} was rejected: {result.detail}")

    def _delete(self, resource: str, name: str) -> None:
        step = {"op": "delete", "resource": resource, "namespace": self.ns, "name": name, "propagation": "Background"}
        result = self.run(step)
        if not result.ok:
            self.fail(f"deleting {resource} {self.ns}/{name} was rejected: {result.detail}")
        self.note_deleted(resource, self.ns, name, "Background")

    @rule(name=consumes(pods_b))
    def delete_pod(self, name: str) -> None:
        """Frees the pod's requests and spread/anti-affinity domain: pending pods may now fit."""
        self._delete("pods", name)

    @rule(name=consumes(deployments_b))
    def delete_deployment(self, name: str) -> None:
        self._delete("deployments", name)

    # -- nodes ------------------------------------------------------------------------------
    @rule(data=st.data(), cordon=st.booleans())
    def cordon_node(self, data: st.DataObject, cordon: bool) -> None:
        node = data.draw(st.sampled_from(self.nodes), label="node")
        fault = CordonNode(node=node) if cordon else UncordonNode(node=node)
        result = self.run({"op": "fault", "fault": fault.to_dict()})
        if not result.ok:
            self.fail(f"{fault.describe()} failed: {result.detail}")

    @rule(data=st.data(), taint=st.booleans())
    def taint_node(self, data: st.DataObject, taint: bool) -> None:
        """``kubectl taint nodes <node> kconform.io/dedicated=a:NoSchedule`` (or ``...-``)."""
        node = data.draw(st.sampled_from(self.nodes), label="node")
        key, effect = DEDICATED_TAINT["key"], DEDICATED_TAINT["effect"]
        fault = (
            TaintNode(node=node, key=key, value=DEDICATED_TAINT.get("value", ""), effect=effect)
            if taint
            else UntaintNode(node=node, key=key, effect=effect)
        )
        result = self.run({"op": "fault", "fault": fault.to_dict()})
        if not result.ok:
            self.fail(f"{fault.describe()} was rejected: {result.detail}")

    @rule(seconds=st.sampled_from(ADVANCE_S))
    def advance(self, seconds: int) -> None:
        self.run({"op": "advance", "seconds": seconds})

    # -- checks -----------------------------------------------------------------------------
    @invariant()
    def scheduler_guarantees(self) -> None:
        if not self.ns:
            return
        snap = self.cluster.snapshot()
        problems = self.anti_affinity_problems(snap) + self.unschedulable_problems(snap)
        if problems:
            self.fail("kube-scheduler guarantees broken: " + "; ".join(problems[:5]))

    def anti_affinity_problems(self, snap: Snapshot) -> list[str]:
        nodes = {_meta(n).get("name"): (_meta(n).get("labels") or {}) for n in snap.of("nodes")}
        bound = [p for p in snap.of("pods") if (p.get("spec") or {}).get("nodeName") and not _terminal(p)]
        out: list[str] = []
        for pod in bound:
            for term in _required_anti_affinity(pod):
                key = term.get("topologyKey")
                domain = nodes.get(pod["spec"]["nodeName"], {}).get(key)
                if domain is None:
                    continue
                namespaces = set(term.get("namespaces") or [_meta(pod).get("namespace")])
                for other in bound:
                    if other is pod or _meta(other).get("namespace") not in namespaces:
                        continue
                    if nodes.get(other["spec"]["nodeName"], {}).get(key) != domain:
                        continue
                    if selector_matches(term.get("labelSelector") or {}, _meta(other).get("labels") or {}):
                        out.append(
                            f"pod {_meta(other).get('name')} on {other['spec']['nodeName']} shares {key}={domain} "
                            f"with pod {_meta(pod).get('name')} whose required anti-affinity selects it"
                        )
        return out

    def unschedulable_problems(self, snap: Snapshot) -> list[str]:
        node_count = len(snap.of("nodes"))
        out: list[str] = []
        for pod in snap.of("pods"):
            meta = _meta(pod)
            if (pod.get("spec") or {}).get("nodeName") or meta.get("deletionTimestamp") or _terminal(pod):
                self.unbound_since_s.pop(str(meta.get("uid")), None)
                continue
            since = self.unbound_since_s.setdefault(str(meta.get("uid")), snap.time_s)
            if snap.time_s - since < FIRST_ATTEMPT_S:
                continue
            where = f"pod {meta.get('name')} (unbound for {snap.time_s - since:.0f}s)"
            cond = next(
                (c for c in (pod.get("status") or {}).get("conditions") or [] if c.get("type") == "PodScheduled"),
                None,
            )
            if cond is None or cond.get("status") != "False" or cond.get("reason") != "Unschedulable":
                seen = "none" if cond is None else f"{cond.get('status')} {cond.get('reason')}"
                out.append(f"{where}: PodScheduled {seen}, expected False Unschedulable")
                continue
            problem = fit_error_problem(str(cond.get("message") or ""), node_count)
            if problem:
                out.append(f"{where}: message {cond.get('message')!r} {problem}")
        return out


TestScheduling = suite_test(SchedulingMachine)
