"""Node loss with the real default timings.

Kubernetes' numbers: the kubelet renews its Lease every 10 s; the node lifecycle controller checks
every 5 s (node-monitor-period) and marks Ready=Unknown once nothing was heard for 50 s
(node-monitor-grace-period, since v1.32); it then taints the node ``node.kubernetes.io/unreachable``
NoExecute (with timeAdded) and NoSchedule; the DefaultTolerationSeconds admission plugin gave every
pod 300 s of toleration for that taint, so pods are evicted 300 s after timeAdded. The pods of a dead
node stay Terminating (no kubelet confirms the kill) until the node comes back.
"""

from __future__ import annotations

from typing import Any

from reference_impl.cluster import ReferenceCluster
from tests.scenarios import (
    NS,
    Obj,
    cluster,
    condition,
    deployment,
    is_ready,
    live_pods,
    node_ready,
    pod,
    pods,
    seconds,
    service,
    wait,
)

GRACE_S = 50.0
MONITOR_S = 5.0
LEASE_RENEW_S = 10.0
TOLERATION_S = 300.0
UNREACHABLE = "node.kubernetes.io/unreachable"


class Recorder:
    """Synchronous watches recording when things happened (simulated time)."""

    def __init__(self, c: ReferenceCluster, node: str) -> None:
        self.c = c
        self.node = node
        self.unknown_at: float | None = None
        self.ready_again_at: float | None = None
        self.taints: list[tuple[float, list[Obj]]] = []
        self.deleting_at: dict[str, float] = {}
        self.not_ready_at: dict[str, float] = {}
        c.api.watch("nodes", self._node, field_selector=f"metadata.name={node}")
        c.api.watch("pods", self._pod, NS)

    def _node(self, type_: str, obj: Obj) -> None:
        ready = condition(obj, "Ready")
        status = ready.get("status") if ready else None
        if status == "Unknown" and self.unknown_at is None:
            self.unknown_at = self.c.now()
        if status == "True" and self.unknown_at is not None and self.ready_again_at is None:
            self.ready_again_at = self.c.now()
        taints = list(obj["spec"].get("taints") or [])
        if not self.taints or self.taints[-1][1] != taints:
            self.taints.append((self.c.now(), taints))

    def _pod(self, type_: str, obj: Obj) -> None:
        name = obj["metadata"]["name"]
        if obj["metadata"].get("deletionTimestamp") and name not in self.deleting_at:
            self.deleting_at[name] = self.c.now()
        ready = condition(obj, "Ready")
        if ready and ready.get("status") == "False" and name not in self.not_ready_at:
            self.not_ready_at[name] = self.c.now()

    def taint_added_at(self, key: str, effect: str) -> float:
        for t, taints in self.taints:
            if any(x["key"] == key and x["effect"] == effect for x in taints):
                return t
        raise AssertionError(f"taint {key}:{effect} never added")


def _running(replicas: int = 6) -> ReferenceCluster:
    c = cluster()
    c.api.create("deployments", deployment("web", replicas), NS)
    c.api.create("services", service("web", {"app": "web"}, [{"port": 80}]), NS)
    wait(c, lambda: sum(is_ready(p) for p in pods(c)) == replicas, timeout_s=60)
    c.advance(3)
    return c


def _on(c: ReferenceCluster, node: str) -> list[str]:
    return [p["metadata"]["name"] for p in pods(c) if p["spec"].get("nodeName") == node]


def _vip(c: ReferenceCluster) -> str:
    return str(c.api.get("services", "web", NS)["spec"]["clusterIP"])


def _backends(c: ReferenceCluster, node: str) -> list[str]:
    return sorted(c.route(node, _vip(c), 80))


def test_dead_node_unknown_tainted_pods_evicted_after_300s_and_replaced() -> None:
    c = _running()
    victims = _on(c, "node-2")
    assert len(victims) == 2
    victim_ips = {p["status"]["podIP"] for p in pods(c) if p["metadata"]["name"] in victims}
    rec = Recorder(c, "node-2")
    t_kill = c.now()
    c.kill_node("node-2")

    wait(c, lambda: rec.unknown_at is not None, timeout_s=120)
    assert rec.unknown_at is not None
    detect = rec.unknown_at - t_kill
    # not before the grace period after the last possible renewal, not after grace + one monitor
    # period + one renewal interval
    assert GRACE_S - LEASE_RENEW_S <= detect <= GRACE_S + MONITOR_S + LEASE_RENEW_S, detect
    node = c.api.get("nodes", "node-2")
    for type_ in ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure"):
        cond = condition(node, type_)
        assert cond is not None
        assert (cond["status"], cond["reason"], cond["message"]) == (
            "Unknown",
            "NodeStatusUnknown",
            "Kubelet stopped posting node status.",
        ), type_

    c.advance(MONITOR_S + 1)
    taints = {(t["key"], t["effect"]): t for t in c.api.get("nodes", "node-2")["spec"]["taints"]}
    assert set(taints) == {(UNREACHABLE, "NoExecute"), (UNREACHABLE, "NoSchedule")}
    t_taint = seconds(taints[(UNREACHABLE, "NoExecute")]["timeAdded"])
    assert abs(t_taint - rec.taint_added_at(UNREACHABLE, "NoExecute")) <= 1
    assert rec.taint_added_at(UNREACHABLE, "NoSchedule") - rec.unknown_at <= MONITOR_S

    # MarkPodsNotReady: the node's pods turn not ready and leave every proxy's rules
    for name in victims:
        assert rec.not_ready_at[name] - rec.unknown_at <= MONITOR_S
        assert not is_ready(c.api.get("pods", name, NS))
    c.advance(1)
    for n in ("node-1", "node-3"):
        backends = _backends(c, n)
        assert len(backends) == 4 and not {b.split(":")[0] for b in backends} & victim_ips

    # evicted exactly at the default tolerationSeconds after the taint, not before
    c.advance(t_taint + TOLERATION_S - 1 - c.now())
    assert not any(c.api.get("pods", n, NS)["metadata"].get("deletionTimestamp") for n in victims)
    wait(c, lambda: all(n in rec.deleting_at for n in victims), timeout_s=10)
    for name in victims:
        assert TOLERATION_S - 1 <= rec.deleting_at[name] - t_taint <= TOLERATION_S + 1
        p = c.api.get("pods", name, NS)
        dt = condition(p, "DisruptionTarget")
        assert dt is not None and (dt["status"], dt["reason"]) == ("True", "DeletionByTaintManager")

    # replacements Ready on live nodes
    wait(c, lambda: sum(is_ready(p) for p in live_pods(c)) == 6, timeout_s=60)
    assert all(p["spec"]["nodeName"] != "node-2" for p in live_pods(c))
    # the dead node's pods stay Terminating: nobody confirms their containers stopped
    c.advance(600)
    for name in victims:
        p = c.api.get("pods", name, NS)
        assert p["metadata"]["deletionTimestamp"]
    assert len(pods(c)) == 8

    # the node comes back: Ready, taints removed, the Terminating pods finally go away
    t_restart = c.now()
    c.restart_node("node-2")
    wait(c, lambda: node_ready(c, "node-2") == "True", timeout_s=60)
    assert c.now() - t_restart <= LEASE_RENEW_S
    wait(c, lambda: not c.api.get("nodes", "node-2")["spec"].get("taints"), timeout_s=2 * MONITOR_S)
    wait(c, lambda: len(pods(c)) == 6, timeout_s=60)
    assert not set(victims) & {p["metadata"]["name"] for p in pods(c)}
    assert all(is_ready(p) for p in pods(c))


def test_each_pod_is_evicted_at_its_own_toleration_seconds() -> None:
    c = cluster()
    tol: dict[str, Any] = {"key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute"}
    c.api.create("pods", pod("short", nodeName="node-1", tolerations=[{**tol, "tolerationSeconds": 60}]), NS)
    c.api.create("pods", pod("forever", nodeName="node-1", tolerations=[tol]), NS)
    c.api.create("pods", pod("default", nodeName="node-1"), NS)
    wait(c, lambda: all(is_ready(p) for p in pods(c)) and len(pods(c)) == 3, timeout_s=30)
    # DefaultTolerationSeconds only adds what the pod does not already tolerate
    tols = c.api.get("pods", "forever", NS)["spec"]["tolerations"]
    assert sorted(t["key"] for t in tols) == ["node.kubernetes.io/not-ready", UNREACHABLE]
    assert not any(t.get("tolerationSeconds") for t in tols if t["key"] == UNREACHABLE)
    rec = Recorder(c, "node-1")
    c.kill_node("node-1")
    wait(c, lambda: rec.unknown_at is not None, timeout_s=120)
    c.advance(MONITOR_S + 1)
    t_taint = seconds(
        next(t for t in c.api.get("nodes", "node-1")["spec"]["taints"] if t["effect"] == "NoExecute")[
            "timeAdded"
        ]
    )
    c.advance(t_taint + 400 - c.now())
    assert abs(rec.deleting_at["short"] - t_taint - 60) <= 1
    assert abs(rec.deleting_at["default"] - t_taint - TOLERATION_S) <= 1
    assert "forever" not in rec.deleting_at


def test_partitioned_node_detected_stale_proxy_rules_refreshed_after_heal() -> None:
    c = _running()
    before = c.routes()
    assert before["node-3"] == before["node-1"] == before["node-2"]
    rec = Recorder(c, "node-3")
    t_cut = c.now()
    c.partition_node("node-3")

    wait(c, lambda: rec.unknown_at is not None, timeout_s=120)
    assert rec.unknown_at is not None
    assert GRACE_S - LEASE_RENEW_S <= rec.unknown_at - t_cut <= GRACE_S + MONITOR_S + LEASE_RENEW_S
    c.advance(MONITOR_S + 1)
    taints = {(t["key"], t["effect"]) for t in c.api.get("nodes", "node-3")["spec"]["taints"]}
    assert taints == {(UNREACHABLE, "NoExecute"), (UNREACHABLE, "NoSchedule")}

    # the control plane stops routing to node-3's pods; node-3's own proxy cannot hear about it
    cut_ips = {p["status"]["podIP"] for p in pods(c) if p["spec"]["nodeName"] == "node-3"}
    for n in ("node-1", "node-2"):
        assert not {b.split(":")[0] for b in _backends(c, n)} & cut_ips
    # a change while cut off: more replicas
    c.api.patch("deployments", "web", {"spec": {"replicas": 8}}, "merge", NS)
    wait(
        c, lambda: sum(is_ready(p) for p in live_pods(c)) == 6, timeout_s=60
    )  # 4 reachable + 2 new; node-3's are not ready
    c.advance(2)
    routes = c.routes()
    assert routes["node-3"] == before["node-3"], "a partitioned proxy keeps its stale rules"
    assert routes["node-1"] == routes["node-2"] != routes["node-3"]

    # heal before the 300 s toleration runs out: nothing is evicted, everything recovers
    c.advance(60)
    c.heal_node("node-3")
    wait(c, lambda: node_ready(c, "node-3") == "True", timeout_s=30)
    wait(c, lambda: not c.api.get("nodes", "node-3")["spec"].get("taints"), timeout_s=2 * MONITOR_S)
    c.advance(LEASE_RENEW_S + 2)
    assert not rec.deleting_at
    assert len(pods(c)) == 8
    routes = c.routes()
    assert routes["node-3"] == routes["node-1"] == routes["node-2"], "node-3's proxy re-listed after heal"
    assert routes["node-3"] != before["node-3"]


def test_pods_of_a_healed_node_become_ready_and_routed_again() -> None:
    c = _running()
    rec = Recorder(c, "node-3")
    c.partition_node("node-3")
    wait(c, lambda: rec.unknown_at is not None, timeout_s=120)
    c.advance(MONITOR_S + 1)
    on3 = _on(c, "node-3")
    assert on3 and not any(is_ready(c.api.get("pods", n, NS)) for n in on3)
    c.heal_node("node-3")
    # the kubelet's status manager reconciles within its 10 s sync period
    wait(c, lambda: all(is_ready(p) for p in pods(c)), timeout_s=LEASE_RENEW_S + MONITOR_S)
    c.advance(2)
    routes = c.routes()
    assert routes["node-3"] == routes["node-1"] == routes["node-2"]
    assert len(routes["node-3"][f"{_vip(c)}:80/TCP"]) == 6


def test_partition_longer_than_toleration_evicts_and_heal_cleans_up() -> None:
    c = _running()
    rec = Recorder(c, "node-1")
    victims = _on(c, "node-1")
    c.partition_node("node-1")
    wait(c, lambda: rec.unknown_at is not None, timeout_s=120)
    assert rec.unknown_at is not None
    c.advance(TOLERATION_S + 2 * MONITOR_S)
    assert set(victims) <= set(rec.deleting_at)
    wait(c, lambda: sum(is_ready(p) for p in live_pods(c)) == 6, timeout_s=60)
    c.heal_node("node-1")
    # the kubelet hears about the deletions, kills the containers and the pods disappear
    wait(c, lambda: len(pods(c)) == 6, timeout_s=60)
    wait(
        c,
        lambda: node_ready(c, "node-1") == "True" and not c.api.get("nodes", "node-1")["spec"].get("taints"),
    )
    c.advance(2)
    routes = c.routes()
    assert routes["node-1"] == routes["node-2"] == routes["node-3"]


def test_deleting_a_dead_node_lets_podgc_remove_its_pods_and_the_namespace_finish() -> None:
    """As an operator does: a node dies, its pods are evicted but stay Terminating (no kubelet
    confirms), the node object is deleted — PodGC force-deletes its pods once the 40 s quarantine
    passed, and a namespace holding them finishes deleting."""
    c = cluster()
    ns = "shop"
    c.api.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    web = deployment("web", 6)
    web["metadata"]["namespace"] = ns
    c.api.create("deployments", web, ns)
    in_ns = lambda: c.api.list("pods", ns)["items"]  # noqa: E731
    wait(c, lambda: sum(is_ready(p) for p in in_ns()) == 6, timeout_s=60)
    victims = {p["metadata"]["name"] for p in in_ns() if p["spec"].get("nodeName") == "node-2"}
    assert victims
    c.kill_node("node-2")
    c.advance(GRACE_S + MONITOR_S + TOLERATION_S + 30)
    assert all(p["metadata"].get("deletionTimestamp") for p in in_ns() if p["metadata"]["name"] in victims)
    c.api.delete("nodes", "node-2")
    c.advance(30)
    assert {p["metadata"]["name"] for p in in_ns()} >= victims  # quarantined, not yet gone
    wait(c, lambda: not victims & {p["metadata"]["name"] for p in in_ns()}, timeout_s=60)
    c.api.delete("namespaces", ns)
    wait(c, lambda: ns not in {n["metadata"]["name"] for n in c.api.list("namespaces")["items"]}, timeout_s=120)
