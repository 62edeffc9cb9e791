"""End to end: the scheduler against a simulated API server (SimEnv)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from reference_impl.config import ClusterConfig
from reference_impl.scheduler import Scheduler
from tests.simenv import SimEnv

ZONE = "topology.kubernetes.io/zone"
CONTROL_PLANE = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}


def start(env: SimEnv) -> Scheduler:
    s = Scheduler(env.api, env.loop, env.rng, env.config)
    s.start()
    return s


def bindings(env: SimEnv, ns: str = "default") -> dict[str, str | None]:
    return {p["metadata"]["name"]: p["spec"].get("nodeName") for p in env.api.list("pods", ns)["items"]}


def condition(env: SimEnv, name: str) -> dict[str, Any]:
    pod = env.api.get("pods", name, "default")
    return next(c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled")


def events(env: SimEnv, reason: str) -> list[dict[str, Any]]:
    return [e for e in env.api.list("events", "default")["items"] if e["reason"] == reason]


def test_least_allocated_spreads_pods() -> None:
    env = SimEnv()
    for i in range(3):
        env.node(f"n{i}")
    s = start(env)
    for i in range(9):
        env.pod(f"p{i}", cpu="500m", memory="256Mi")
    env.settle()
    assert Counter(bindings(env).values()) == {"n0": 3, "n1": 3, "n2": 3}
    assert s.bound == 9
    scheduled = events(env, "Scheduled")
    assert len(scheduled) == 9
    e = next(e for e in scheduled if e["involvedObject"]["name"] == "p0")
    assert e["type"] == "Normal"
    assert e["message"] == f"Successfully assigned default/p0 to {bindings(env)['p0']}"
    assert e["source"]["component"] == "default-scheduler"


def test_node_selector_honoured_and_tainted_node_avoided() -> None:
    env = SimEnv()
    env.node("ssd", labels={"disk": "ssd"})
    env.node("hdd", labels={"disk": "hdd"})
    env.node("cp", taints=[CONTROL_PLANE])
    start(env)
    for i in range(4):
        env.pod(f"sel{i}", spec={"containers": [{"name": "c", "image": "i"}], "nodeSelector": {"disk": "ssd"}})
    for i in range(6):
        env.pod(f"any{i}")
    env.settle()
    b = bindings(env)
    assert {b[f"sel{i}"] for i in range(4)} == {"ssd"}
    assert "cp" not in {b[f"any{i}"] for i in range(6)}


def test_pods_of_other_schedulers_and_bound_pods_are_left_alone() -> None:
    env = SimEnv()
    env.node("a")
    env.node("b")
    start(env)
    env.pod("mine")
    env.pod("theirs", spec={"containers": [{"name": "c", "image": "i"}], "schedulerName": "other"})
    env.pod("preset", node_name="b")
    env.settle()
    b = bindings(env)
    assert b["mine"] in ("a", "b")
    assert b["theirs"] is None
    assert b["preset"] == "b"
    assert events(env, "FailedScheduling") == []


def test_insufficient_cpu_message_exact() -> None:
    env = SimEnv()
    env.node("cp", taints=[CONTROL_PLANE])
    env.node("w1")
    env.node("w2")
    s = start(env)
    env.pod("huge", cpu="8")  # more than any node's allocatable: preemption cannot help
    env.settle()
    want = (
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
        "2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.."
    )
    c = condition(env, "huge")
    assert (c["status"], c["reason"], c["message"]) == ("False", "Unschedulable", want)
    failed = events(env, "FailedScheduling")
    assert [(e["type"], e["message"]) for e in failed] == [("Warning", want)]
    assert s.scheduling_queue.unschedulable.keys() == {"default/huge"}


def test_full_nodes_have_no_preemption_victims() -> None:
    env = SimEnv()
    env.node("cp", taints=[CONTROL_PLANE])
    env.node("w1", cpu="1")
    env.node("w2", cpu="1")
    start(env)
    env.pod("a", cpu="1")
    env.pod("b", cpu="1")
    env.settle()
    env.pod("c", cpu="1")
    env.settle()
    assert condition(env, "c")["message"] == (
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
        "2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
        "2 No preemption victims found for incoming pod.."
    )


def test_no_nodes_then_node_added() -> None:
    env = SimEnv()
    s = start(env)
    env.pod("p", cpu="1")
    env.settle()
    c = condition(env, "p")
    assert (c["reason"], c["message"]) == ("Unschedulable", "no nodes available to schedule pods")
    env.node("late")
    env.settle()
    assert bindings(env)["p"] == "late"
    assert s.scheduling_queue.unschedulable == {}


def test_pod_becomes_schedulable_when_a_pod_is_deleted() -> None:
    env = SimEnv()
    env.node("n", cpu="1")
    start(env)
    env.pod("first", cpu="1")
    env.settle()
    env.pod("second", cpu="1")
    env.settle()
    assert bindings(env)["second"] is None
    assert condition(env, "second")["message"].startswith("0/1 nodes are available: 1 Insufficient cpu.")
    env.api.delete("pods", "first", "default", grace_period_seconds=0)
    env.settle()
    assert bindings(env)["second"] == "n"


def test_status_only_updates_do_not_requeue() -> None:
    env = SimEnv()
    env.node("n", cpu="1")
    s = start(env)
    env.pod("big", cpu="2")
    env.settle()
    env.advance(100)  # backoff long over, nothing changed in the cluster
    env.settle()
    assert s.cycles == 1
    # the leftover flush retries it after pod_max_in_unschedulable_s
    env.advance(300)
    env.settle()
    assert s.cycles == 2


def test_host_port_conflict() -> None:
    env = SimEnv()
    env.node("a")
    env.node("b")
    start(env)
    spec = {"containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 80, "hostPort": 8080}]}]}
    for i in range(3):
        env.pod(f"p{i}", spec=spec)
    env.settle()
    b = bindings(env)
    assert sorted(v for v in b.values() if v) == ["a", "b"]
    pending = next(k for k, v in b.items() if v is None)
    assert condition(env, pending)["message"] == (
        "0/2 nodes are available: 2 node(s) didn't have free ports for the requested pod ports. "
        "preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.."
    )


def test_required_anti_affinity_one_per_node() -> None:
    env = SimEnv()
    for i in range(3):
        env.node(f"n{i}")
    start(env)
    spec = {
        "containers": [{"name": "c", "image": "i"}],
        "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "kubernetes.io/hostname"}]}},
    }
    for i in range(4):
        env.pod(f"db{i}", labels={"app": "db"}, spec=spec)
    env.settle()
    placed = [v for v in bindings(env).values() if v]
    assert sorted(placed) == ["n0", "n1", "n2"]
    pending = next(k for k, v in bindings(env).items() if v is None)
    assert condition(env, pending)["message"].startswith(
        "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules."
    )


def test_topology_spread_max_skew_one_across_zones() -> None:
    env = SimEnv()
    for z in ("zone-a", "zone-b", "zone-c"):
        for i in range(2):
            env.node(f"{z}-{i}", labels={ZONE: z})
    start(env)
    spec = {
        "containers": [{"name": "c", "image": "i"}],
        "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": ZONE, "whenUnsatisfiable": "DoNotSchedule",
                                       "labelSelector": {"matchLabels": {"app": "web"}}}],
    }
    for i in range(7):
        env.pod(f"w{i}", labels={"app": "web"}, spec=spec)
    env.settle()
    per_zone = Counter(v.rsplit("-", 1)[0] for v in bindings(env).values() if v)
    assert sum(per_zone.values()) == 7
    assert max(per_zone.values()) - min(per_zone.values()) <= 1


def test_cordoned_node_then_uncordoned() -> None:
    env = SimEnv()
    env.node("n", unschedulable=True)
    start(env)
    env.pod("p")
    env.settle()
    assert condition(env, "p")["message"] == (
        "0/1 nodes are available: 1 node(s) were unschedulable. "
        "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.."
    )
    node = env.api.get("nodes", "n")
    node["spec"]["unschedulable"] = False
    env.api.update("nodes", node)
    env.settle()
    assert bindings(env)["p"] == "n"


def test_bind_conflict_is_forgotten() -> None:
    env = SimEnv()
    env.node("a", cpu="1")
    env.node("b", cpu="1")
    s = start(env)
    env.pod("p", cpu="1")
    # someone else binds it before the scheduler's cycle runs
    env.api.create("pods", {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "p"},
                            "target": {"kind": "Node", "name": "b"}}, "default", subresource="binding", name="p")
    env.settle()
    assert bindings(env)["p"] == "b"
    info_b = s.cache.infos["b"]
    assert list(info_b.pods) == ["default/p"]
    assert s.cache.infos["a"].req_cpu == 0
    assert len(s.scheduling_queue) == 0


@pytest.mark.parametrize("seed", [1, 2])
def test_same_seed_same_bindings(seed: int) -> None:
    def run() -> dict[str, str | None]:
        env = SimEnv(seed=seed, config=ClusterConfig())
        for i in range(5):
            env.node(f"n{i}", labels={ZONE: f"z{i % 2}"})
        start(env)
        for i in range(12):
            env.pod(f"p{i}")  # identical pods on identical nodes: ties everywhere
        env.settle()
        return bindings(env)

    first, second = run(), run()
    assert first == second
    assert all(first.values())
