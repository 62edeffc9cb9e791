"""Deployment rollouts through the whole cluster, checked at every single pod event.

``maxSurge``/``maxUnavailable`` percentages resolve as upstream (``ResolveFenceposts``): surge
rounds up, unavailable rounds down; for 6 replicas 25 %/25 % gives 2/1. The controller promises
that the deployment's non-terminating pods never exceed replicas + maxSurge and its available
(here: Ready, minReadySeconds 0) pods never drop below replicas - maxUnavailable.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from reference_impl.cluster import ReferenceCluster
from tests.scenarios import (
    NS,
    PAUSE,
    Obj,
    cluster,
    condition,
    container,
    deployment,
    events,
    is_ready,
    live_pods,
    pods,
    set_image,
    wait,
)

V2 = "registry.k8s.io/pause:3.9"
REPLICAS = 6
REV = "deployment.kubernetes.io/revision"


class BoundsWatch:
    """Keeps the namespace's pods from a synchronous watch and checks the bounds on every event."""

    def __init__(self, c: ReferenceCluster, max_total: int, min_ready: int) -> None:
        self.c = c
        self.max_total = max_total
        self.min_ready = min_ready
        self.pods: dict[str, Obj] = {}
        self.violations: list[str] = []
        self.events = 0
        self.peak_total = 0
        self.low_ready = 10**9
        self.armed = False  # the watch's initial ADDED replay arrives one pod at a time
        c.api.watch("pods", self._on, NS, label_selector="app=web")
        self.armed = True

    def _on(self, type_: str, obj: Obj) -> None:
        name = obj["metadata"]["name"]
        if type_ == "DELETED":
            self.pods.pop(name, None)
        else:
            self.pods[name] = obj
        if not self.armed:
            return
        self.events += 1
        live = [p for p in self.pods.values() if not p["metadata"].get("deletionTimestamp")]
        ready = sum(is_ready(p) for p in live)
        self.peak_total = max(self.peak_total, len(live))
        self.low_ready = min(self.low_ready, ready)
        if len(live) > self.max_total:
            self.violations.append(f"t={self.c.now()} {len(live)} pods > {self.max_total}")
        if ready < self.min_ready:
            self.violations.append(f"t={self.c.now()} {ready} ready < {self.min_ready}")


def _web(strategy: Obj | None = None) -> Obj:
    # readiness lags start by 2 s so that unready surge pods are visible
    probe = {"exec": {"command": ["true"]}, "initialDelaySeconds": 2, "periodSeconds": 1}
    return deployment("web", REPLICAS, containers=[container(readiness=probe)], strategy=strategy)


def _start(strategy: Obj | None = None) -> ReferenceCluster:
    c = cluster()
    c.api.create("deployments", _web(strategy), NS)
    wait(c, lambda: sum(is_ready(p) for p in live_pods(c)) == REPLICAS, timeout_s=60)
    c.advance(1)
    return c


def _rs_by_rev(c: ReferenceCluster) -> dict[str, Obj]:
    return {r["metadata"]["annotations"][REV]: r for r in c.api.list("replicasets", NS)["items"]}


def _complete(c: ReferenceCluster, image: str) -> bool:
    d = c.api.get("deployments", "web", NS)
    st = d.get("status") or {}
    ps = live_pods(c)
    return (
        st.get("observedGeneration") == d["metadata"]["generation"]
        and st.get("updatedReplicas") == REPLICAS
        and st.get("replicas") == REPLICAS
        and st.get("availableReplicas") == REPLICAS
        and len(pods(c)) == REPLICAS
        and all(p["spec"]["containers"][0]["image"] == image and is_ready(p) for p in ps)
    )


COMBINED = "(combined from similar events): "


@pytest.mark.parametrize(
    ("surge", "unavailable", "max_surge", "max_unavailable"),
    [("25%", "25%", 2, 1), (0, 1, 0, 1), (2, 0, 2, 0)],
)
def test_rolling_update_respects_surge_and_unavailability_at_every_event(
    surge: Any, unavailable: Any, max_surge: int, max_unavailable: int
) -> None:
    if surge == "25%":
        assert (max_surge, max_unavailable) == (math.ceil(REPLICAS * 0.25), math.floor(REPLICAS * 0.25))
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}
    c = _start(strategy)
    watch = BoundsWatch(c, REPLICAS + max_surge, REPLICAS - max_unavailable)
    old = _rs_by_rev(c)["1"]
    set_image(c, "web", V2)
    wait(c, lambda: _complete(c, V2), timeout_s=300)
    assert watch.violations == []
    assert watch.events > 4 * REPLICAS
    # the bounds were actually used, not trivially met
    assert watch.peak_total == REPLICAS + max_surge
    assert watch.low_ready == REPLICAS - max_unavailable

    d = c.api.get("deployments", "web", NS)
    assert d["metadata"]["annotations"][REV] == "2"
    rss = _rs_by_rev(c)
    assert sorted(rss) == ["1", "2"]
    assert rss["1"]["metadata"]["uid"] == old["metadata"]["uid"]
    assert rss["1"]["spec"]["replicas"] == 0
    assert rss["2"]["spec"]["replicas"] == REPLICAS
    assert rss["2"]["metadata"]["name"] != old["metadata"]["name"]
    prog = condition(d, "Progressing")
    assert prog is not None and prog["reason"] == "NewReplicaSetAvailable"
    assert prog["message"] == f'ReplicaSet "{rss["2"]["metadata"]["name"]}" has successfully progressed.'
    msgs = [e["message"] for e in events(c, name="web", reason="ScalingReplicaSet")]
    new_name, old_name = rss["2"]["metadata"]["name"], old["metadata"]["name"]
    first_up = max_surge if max_surge else 0
    assert any(m.startswith(f"Scaled up replica set {new_name} from 0 to ") for m in msgs), msgs
    if first_up:
        assert f"Scaled up replica set {new_name} from 0 to {first_up}" in msgs, msgs
    assert any(m.startswith(f"Scaled down replica set {old_name} from {REPLICAS} to ") for m in msgs), msgs
    # from the 10th distinct scaling message on, the recorder counts them on one combined Event
    # carrying the latest message, prefixed (client-go's EventAggregator)
    combined = [e for e in events(c, name="web", reason="ScalingReplicaSet") if e["message"].startswith(COMBINED)]
    if combined:
        assert len(msgs) == 10 and len(combined) == 1, msgs
        assert combined[0]["message"].removeprefix(COMBINED).startswith("Scaled ")
    else:
        assert any(m.startswith(f"Scaled down replica set {old_name} from ") and m.endswith(" to 0") for m in msgs)


def test_recreate_deletes_every_old_pod_before_creating_new_ones() -> None:
    c = _start({"type": "Recreate"})
    old_hash = _rs_by_rev(c)["1"]["metadata"]["labels"]["pod-template-hash"]
    seen: dict[str, Obj] = {}
    violations: list[str] = []

    def on(type_: str, obj: Obj) -> None:
        name = obj["metadata"]["name"]
        if type_ == "DELETED":
            seen.pop(name, None)
            return
        is_new = obj["metadata"]["labels"]["pod-template-hash"] != old_hash
        if is_new and type_ == "ADDED":
            olds = [n for n, p in seen.items() if p["metadata"]["labels"]["pod-template-hash"] == old_hash]
            if olds:
                violations.append(f"new pod {name} created while old pods exist: {olds}")
        seen[name] = obj

    c.api.watch("pods", on, NS, label_selector="app=web")
    set_image(c, "web", V2)
    wait(c, lambda: _complete(c, V2), timeout_s=300)
    assert violations == []
    rss = _rs_by_rev(c)
    assert rss["1"]["spec"]["replicas"] == 0 and rss["2"]["spec"]["replicas"] == REPLICAS
    d = c.api.get("deployments", "web", NS)
    assert d["metadata"]["annotations"][REV] == "2"
    msgs = [e["message"] for e in events(c, name="web", reason="ScalingReplicaSet")]
    assert f"Scaled down replica set {rss['1']['metadata']['name']} from {REPLICAS} to 0" in msgs
    assert f"Scaled up replica set {rss['2']['metadata']['name']} from 0 to {REPLICAS}" in msgs


def test_rollback_by_reapplying_the_old_image_reuses_the_old_replicaset_as_revision_3() -> None:
    c = _start()
    rs1 = _rs_by_rev(c)["1"]
    set_image(c, "web", V2)
    wait(c, lambda: _complete(c, V2), timeout_s=300)
    rs2 = _rs_by_rev(c)["2"]
    watch = BoundsWatch(c, REPLICAS + 2, REPLICAS - 1)
    set_image(c, "web", PAUSE)
    wait(c, lambda: _complete(c, PAUSE), timeout_s=300)
    assert watch.violations == []
    d = c.api.get("deployments", "web", NS)
    assert d["metadata"]["annotations"][REV] == "3"
    rss = {r["metadata"]["name"]: r for r in c.api.list("replicasets", NS)["items"]}
    assert sorted(rss) == sorted([rs1["metadata"]["name"], rs2["metadata"]["name"]])
    back = rss[rs1["metadata"]["name"]]
    assert back["metadata"]["uid"] == rs1["metadata"]["uid"]
    assert back["metadata"]["annotations"][REV] == "3"
    assert back["metadata"]["annotations"]["deployment.kubernetes.io/revision-history"] == "1"
    assert back["spec"]["replicas"] == REPLICAS
    assert rss[rs2["metadata"]["name"]]["metadata"]["annotations"][REV] == "2"
    assert rss[rs2["metadata"]["name"]]["spec"]["replicas"] == 0
    assert all(
        p["metadata"]["labels"]["pod-template-hash"] == rs1["metadata"]["labels"]["pod-template-hash"]
        for p in pods(c)
    )


def test_progressing_condition_while_rolling() -> None:
    c = _start()
    set_image(c, "web", V2)
    c.advance(0.5)
    d = c.api.get("deployments", "web", NS)
    prog = condition(d, "Progressing")
    new = _rs_by_rev(c)["2"]["metadata"]["name"]
    assert prog is not None
    assert (prog["status"], prog["reason"], prog["message"]) == (
        "True",
        "ReplicaSetUpdated",
        f'ReplicaSet "{new}" is progressing.',
    )
    wait(c, lambda: _complete(c, V2), timeout_s=300)


def test_recreate_waits_for_slow_terminating_old_pods() -> None:
    c = cluster()
    sleeper = container(image="busybox:1.36", command=["sh", "-c", "sleep 3600"])
    d = deployment("web", 3, containers=[sleeper], strategy={"type": "Recreate"}, minReadySeconds=0)
    d["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 20
    c.api.create("deployments", d, NS)
    wait(c, lambda: sum(is_ready(p) for p in live_pods(c)) == 3, timeout_s=60)
    old_hash = _rs_by_rev(c)["1"]["metadata"]["labels"]["pod-template-hash"]
    first_new: list[float] = []

    def on(type_: str, obj: Obj) -> None:
        if type_ == "ADDED" and obj["metadata"]["labels"]["pod-template-hash"] != old_hash and not first_new:
            first_new.append(c.now())

    c.api.watch("pods", on, NS, label_selector="app=web")
    t0 = c.now()
    dd = c.api.get("deployments", "web", NS)
    dd["spec"]["template"]["spec"]["containers"][0]["command"] = ["sh", "-c", "sleep 7200"]
    c.api.update("deployments", dd, NS)
    wait(c, lambda: bool(first_new), timeout_s=120)
    # sleep as PID 1 ignores SIGTERM: the old pods live out their 20 s grace period first
    assert 20 <= first_new[0] - t0 <= 25
    wait(c, lambda: len(pods(c)) == 3 and all(is_ready(p) for p in pods(c)), timeout_s=60)
