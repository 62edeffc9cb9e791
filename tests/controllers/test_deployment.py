"""DeploymentController (with the ReplicaSetController): rollouts, bounds, history, conditions.

No scheduler or kubelet runs: :class:`Kubelet` below binds, starts and readies pods and
finishes graceful deletions one step at a time, so every intermediate state is observed. A
synchronous API watch checks the rollout bounds on every single pod write.
"""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.client import Component
from reference_impl.controllers import _podutil as pu
from reference_impl.controllers import deployment as dep
from reference_impl.controllers.deployment import DeploymentController
from reference_impl.controllers.replicaset import ReplicaSetController
from tests.simenv import SimEnv

Obj = dict[str, Any]
NS = "default"


def start(env: SimEnv) -> Component:
    cm = Component(env.api, env.loop, env.rng, env.config, name="kube-controller-manager")
    ctrls = [ReplicaSetController(cm), DeploymentController(cm)]
    orig = cm.setup

    def setup() -> None:
        orig()
        for c in ctrls:
            c.setup()

    cm.setup = setup  # type: ignore[method-assign]
    cm.start()
    return cm


def deploy_body(
    name: str = "web",
    replicas: int = 4,
    *,
    image: str = "nginx:1",
    strategy: Obj | None = None,
    **spec_extra: Any,
) -> Obj:
    labels = {"app": name}
    spec: Obj = {
        "replicas": replicas,
        "selector": {"matchLabels": labels},
        "template": {"metadata": {"labels": dict(labels)}, "spec": {"containers": [{"name": "app", "image": image}]}},
        **spec_extra,
    }
    if strategy is not None:
        spec["strategy"] = strategy
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": NS}, "spec": spec}


def set_image(env: SimEnv, name: str, image: str) -> None:
    d = env.api.get("deployments", name, NS)
    d["spec"]["template"]["spec"]["containers"][0]["image"] = image
    env.api.update("deployments", d, NS)


def rss(env: SimEnv) -> list[Obj]:
    return sorted(env.api.list("replicasets", NS)["items"], key=lambda r: (dep.revision(r), r["metadata"]["name"]))


def all_pods(env: SimEnv) -> list[Obj]:
    return list(env.api.list("pods", NS)["items"])


def cond(d: Obj, type_: str) -> Obj | None:
    return dep.get_condition(d.get("status") or {}, type_)


class Kubelet:
    """Plays the kubelet of node ``n1``, one action per call."""

    def __init__(self, env: SimEnv, *, ready: bool = True) -> None:
        self.env = env
        self.ready = ready
        env.node("n1")

    def finish_deletions(self) -> bool:
        done = False
        for p in all_pods(self.env):
            if p["metadata"].get("deletionTimestamp"):
                self.env.api.delete("pods", p["metadata"]["name"], NS, grace_period_seconds=0)
                done = True
        return done

    def start_one(self) -> bool:
        """Bind and run the first pod (by name) that is not ready yet."""
        for p in sorted(all_pods(self.env), key=lambda p: p["metadata"]["name"]):
            if p["metadata"].get("deletionTimestamp") or pu.is_pod_ready(p):
                continue
            name = p["metadata"]["name"]
            if not p["spec"].get("nodeName"):
                self.env.api.create("pods", {"target": {"name": "n1"}}, NS, subresource="binding", name=name)
            elif p["status"].get("phase") == "Running":
                continue  # running but never ready (ready=False)
            self.env.set_pod_running(name, NS, ready=self.ready, ip=f"10.244.0.{len(name) % 250}")
            return True
        return False

    def step(self) -> bool:
        return self.finish_deletions() or self.start_one()

    def run(self, *, max_steps: int = 200, check: Any = None) -> int:
        steps = 0
        self.env.settle()
        while steps < max_steps and self.step():
            steps += 1
            self.env.settle()
            if check is not None:
                check()
        return steps


class Bounds:
    """Counts active and ready pods on every pod write; records the extremes."""

    def __init__(self, env: SimEnv) -> None:
        self.pods: dict[str, Obj] = {}
        self.max_active = 0
        self.min_ready: int | None = None
        self.images_together: set[frozenset[str]] = set()
        self.armed = False
        env.api.watch("pods", self._on, NS)

    def _on(self, type_: str, obj: Obj) -> None:
        name = obj["metadata"]["name"]
        if type_ == "DELETED":
            self.pods.pop(name, None)
        elif type_ in ("ADDED", "MODIFIED"):
            self.pods[name] = obj
        if not self.armed:
            return
        active = [p for p in self.pods.values() if pu.is_pod_active(p)]
        ready = sum(1 for p in active if pu.is_pod_ready(p))
        self.max_active = max(self.max_active, len(active))
        self.min_ready = ready if self.min_ready is None else min(self.min_ready, ready)
        # every pod that exists (terminating ones too), for Recreate's no-overlap rule
        self.images_together.add(frozenset(p["spec"]["containers"][0]["image"] for p in self.pods.values()))


def rolled_out(env: SimEnv, replicas: int, *, kubelet: Kubelet, **kw: Any) -> Obj:
    env.api.create("deployments", deploy_body(replicas=replicas, **kw), NS)
    kubelet.run()
    return env.api.get("deployments", "web", NS)


def test_creates_replicaset_with_hash_label_and_revision_1() -> None:
    env = SimEnv()
    start(env)
    d = env.api.create("deployments", deploy_body(replicas=3), NS)
    env.settle()
    (rs,) = rss(env)
    h = rs["metadata"]["labels"][dep.HASH_LABEL]
    assert rs["metadata"]["name"] == f"web-{h}"
    assert h == dep.compute_hash(d["spec"]["template"], None)
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "web", dep.HASH_LABEL: h}
    assert rs["spec"]["template"]["metadata"]["labels"] == {"app": "web", dep.HASH_LABEL: h}
    ann = rs["metadata"]["annotations"]
    assert ann[dep.REVISION] == "1"
    assert ann[dep.DESIRED_REPLICAS] == "3"
    assert ann[dep.MAX_REPLICAS] == "4"  # 3 + ceil(25% of 3)
    assert pu.controller_ref(rs)["uid"] == d["metadata"]["uid"]  # type: ignore[index]
    assert rs["spec"]["replicas"] == 3 and len(all_pods(env)) == 3
    got = env.api.get("deployments", "web", NS)
    assert got["metadata"]["annotations"][dep.REVISION] == "1"
    prog = cond(got, "Progressing")
    assert prog is not None and prog["status"] == "True"
    assert prog["reason"] in (dep.NEW_RS_REASON, dep.RS_UPDATED_REASON)
    msgs = [e["message"] for e in env.api.list("events", NS)["items"] if e["reason"] == "ScalingReplicaSet"]
    assert msgs == [f"Scaled up replica set {rs['metadata']['name']} from 0 to 3"]


def test_hash_is_stable_and_depends_on_template_and_collisions() -> None:
    t = deploy_body()["spec"]["template"]
    assert dep.compute_hash(t, None) == dep.compute_hash(dict(reversed(list(t.items()))), None)
    assert dep.compute_hash(t, None) != dep.compute_hash(t, 1)
    t2 = deploy_body(image="nginx:2")["spec"]["template"]
    assert dep.compute_hash(t, None) != dep.compute_hash(t2, None)
    assert set(dep.compute_hash(t, None)) <= set("bcdfghjklmnpqrstvwxz2456789")


@pytest.mark.parametrize(
    ("replicas", "surge", "unavailable", "want"),
    [
        (10, "25%", "25%", (3, 2)),
        (4, "25%", "25%", (1, 1)),
        (1, "25%", "25%", (1, 0)),
        (3, 0, "10%", (0, 1)),  # both resolve to 0: maxUnavailable becomes 1
        (5, 2, 0, (2, 0)),
        (10, "100%", "50%", (10, 5)),
    ],
)
def test_fenceposts(replicas: int, surge: Any, unavailable: Any, want: tuple[int, int]) -> None:
    d = deploy_body(replicas=replicas, strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}})
    assert dep.resolve_fenceposts(d) == want


@pytest.mark.parametrize(
    ("replicas", "surge", "unavailable"),
    [(4, "25%", "25%"), (5, 1, 0), (5, 0, 2), (3, "50%", 1), (6, 2, 2)],
)
def test_rolling_update_respects_surge_and_unavailability(replicas: int, surge: Any, unavailable: Any) -> None:
    env = SimEnv()
    start(env)
    kubelet = Kubelet(env)
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": surge, "maxUnavailable": unavailable}}
    d = rolled_out(env, replicas, kubelet=kubelet, strategy=strategy)
    max_s, max_u = dep.resolve_fenceposts(d)
    assert d["status"].get("availableReplicas") == replicas
    bounds = Bounds(env)
    bounds.armed = True
    set_image(env, "web", "nginx:2")
    kubelet.run()
    assert bounds.max_active <= replicas + max_s
    assert bounds.min_ready is not None and bounds.min_ready >= replicas - max_u
    old, new = rss(env)
    assert new["metadata"]["annotations"][dep.REVISION] == "2"
    assert old["spec"]["replicas"] == 0 and new["spec"]["replicas"] == replicas
    images = {p["spec"]["containers"][0]["image"] for p in all_pods(env)}
    assert images == {"nginx:2"} and len(all_pods(env)) == replicas
    d = env.api.get("deployments", "web", NS)
    st = d["status"]
    assert st["updatedReplicas"] == replicas and st["availableReplicas"] == replicas and st["replicas"] == replicas
    assert st["observedGeneration"] == d["metadata"]["generation"]
    assert "unavailableReplicas" not in st
    prog, avail = cond(d, "Progressing"), cond(d, "Available")
    assert prog is not None and prog["reason"] == dep.NEW_RS_AVAILABLE_REASON and prog["status"] == "True"
    assert prog["message"] == f'ReplicaSet "{new["metadata"]["name"]}" has successfully progressed.'
    assert avail is not None and avail["status"] == "True" and avail["reason"] == dep.MIN_AVAILABLE
    assert avail["message"] == "Deployment has minimum availability."
    assert d["metadata"]["annotations"][dep.REVISION] == "2"


def test_recreate_never_overlaps() -> None:
    env = SimEnv()
    start(env)
    kubelet = Kubelet(env)
    rolled_out(env, 3, kubelet=kubelet, strategy={"type": "Recreate"})
    bounds = Bounds(env)
    bounds.armed = True
    set_image(env, "web", "nginx:2")
    kubelet.run()
    assert all(len(s) <= 1 for s in bounds.images_together), bounds.images_together
    assert {p["spec"]["containers"][0]["image"] for p in all_pods(env)} == {"nginx:2"}
    old, new = rss(env)
    assert old["spec"]["replicas"] == 0 and new["spec"]["replicas"] == 3
    d = env.api.get("deployments", "web", NS)
    assert cond(d, "Progressing")["reason"] == dep.NEW_RS_AVAILABLE_REASON  # type: ignore[index]


def test_rollover_through_several_templates() -> None:
    env = SimEnv()
    start(env)
    kubelet = Kubelet(env)
    rolled_out(env, 4, kubelet=kubelet)
    set_image(env, "web", "nginx:2")
    env.settle()
    kubelet.step()  # one new pod ready, the rollout is mid-way
    env.settle()
    set_image(env, "web", "nginx:3")
    kubelet.run()
    sets = rss(env)
    assert [dep.revision(r) for r in sets] == [1, 2, 3]
    assert [r["spec"]["replicas"] for r in sets] == [0, 0, 4]
    assert {p["spec"]["containers"][0]["image"] for p in all_pods(env)} == {"nginx:3"}


def test_proportional_scaling_mid_rollout() -> None:
    env = SimEnv()
    start(env)
    kubelet = Kubelet(env, ready=False)  # nothing becomes ready: the rollout stays mid-way
    env.api.create("deployments", deploy_body(replicas=10, strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 3, "maxUnavailable": 2}}), NS)
    env.settle()
    # make the first revision fully available by hand
    kubelet.ready = True
    kubelet.run()
    kubelet.ready = False
    set_image(env, "web", "nginx:2")
    kubelet.run()
    old, new = rss(env)
    assert (old["spec"]["replicas"], new["spec"]["replicas"]) == (8, 5)  # 13 = 10 + surge
    env.api.patch("deployments", "web", {"spec": {"replicas": 20}}, "merge", NS)
    env.settle()
    old, new = rss(env)
    # 20 + 3 = 23 allowed; 10 to add, split 8:5 → +6/+4 (leftover to the larger one)
    assert old["spec"]["replicas"] + new["spec"]["replicas"] == 23
    assert (old["spec"]["replicas"], new["spec"]["replicas"]) == (14, 9)
    for rs in (old, new):
        assert rs["metadata"]["annotations"][dep.DESIRED_REPLICAS] == "20"
        assert rs["metadata"]["annotations"][dep.MAX_REPLICAS] == "23"


def test_get_proportion_table() -> None:
    d = deploy_body(replicas=20, strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 3, "maxUnavailable": 2}})
    rs = {"metadata": {"name": "a", "annotations": {dep.MAX_REPLICAS: "13"}}, "spec": {"replicas": 8}}
    assert dep.get_proportion(rs, d, 10, 0) == 6  # round(8 * 23 / 13) - 8
    assert dep.get_proportion(rs, d, 10, 8) == 2  # capped by what is left to add
    assert dep.get_proportion(rs, d, 0, 0) == 0
    d0 = deploy_body(replicas=0)
    assert dep.get_proportion(rs, d0, -13, 0) == -8  # scaling to zero: the whole size


def test_revision_history_limit_cleans_up_empty_replicasets() -> None:
    env = SimEnv()
    start(env)
    kubelet = Kubelet(env)
    rolled_out(env, 2, kubelet=kubelet, revisionHistoryLimit=1)
    for i in range(2, 5):
        set_image(env, "web", f"nginx:{i}")
        kubelet.run()
    sets = rss(env)
    assert [dep.revision(r) for r in sets] == [3, 4]
    assert [r["spec"]["replicas"] for r in sets] == [0, 2]


def test_progress_deadline_exceeded_when_pods_never_become_ready() -> None:
    env = SimEnv()
    start(env)
    kubelet = Kubelet(env, ready=False)
    env.api.create("deployments", deploy_body(replicas=2, progressDeadlineSeconds=60), NS)
    kubelet.run()
    d = env.api.get("deployments", "web", NS)
    prog = cond(d, "Progressing")
    assert prog is not None and prog["status"] == "True"
    avail = cond(d, "Available")
    assert avail is not None and avail["status"] == "False" and avail["reason"] == dep.MIN_UNAVAILABLE
    assert avail["message"] == "Deployment does not have minimum availability."
    assert d["status"]["unavailableReplicas"] == 2
    env.advance(55)
    assert cond(env.api.get("deployments", "web", NS), "Progressing")["status"] == "True"  # type: ignore[index]
    env.advance(10)  # the controller re-queued itself for the deadline
    d = env.api.get("deployments", "web", NS)
    prog = cond(d, "Progressing")
    assert prog is not None and prog["status"] == "False" and prog["reason"] == dep.TIMED_OUT_REASON
    (rs,) = rss(env)
    assert prog["message"] == f'ReplicaSet "{rs["metadata"]["name"]}" has timed out progressing.'


def test_paused_deployment_scales_but_does_not_roll() -> None:
    env = SimEnv()
    start(env)
    kubelet = Kubelet(env)
    rolled_out(env, 2, kubelet=kubelet)
    env.api.patch("deployments", "web", {"spec": {"paused": True}}, "merge", NS)
    set_image(env, "web", "nginx:2")
    kubelet.run()
    (rs,) = rss(env)
    assert {p["spec"]["containers"][0]["image"] for p in all_pods(env)} == {"nginx:1"}
    prog = cond(env.api.get("deployments", "web", NS), "Progressing")
    assert prog is not None and prog["reason"] == dep.PAUSED_REASON and prog["status"] == "Unknown"
    env.api.patch("deployments", "web", {"spec": {"replicas": 3}}, "merge", NS)
    kubelet.run()
    (rs,) = rss(env)
    assert rs["spec"]["replicas"] == 3 and len(all_pods(env)) == 3
    env.api.patch("deployments", "web", {"spec": {"paused": False}}, "merge", NS)
    kubelet.run()
    assert {p["spec"]["containers"][0]["image"] for p in all_pods(env)} == {"nginx:2"}
    assert len(rss(env)) == 2


def test_adopts_orphan_replicaset_matching_the_template() -> None:
    env = SimEnv()
    start(env)
    body = deploy_body(replicas=2)
    d = env.api.create("deployments", body, NS)
    env.settle()
    (rs,) = rss(env)
    # orphan it, then let the controller take it back instead of creating a second one
    env.api.patch("replicasets", rs["metadata"]["name"], {"metadata": {"ownerReferences": None}}, "merge", NS)
    env.settle()
    (rs,) = rss(env)
    assert pu.controller_ref(rs)["uid"] == d["metadata"]["uid"]  # type: ignore[index]


def test_same_seed_same_history() -> None:
    def run() -> list[tuple[str, int]]:
        env = SimEnv(seed=3)
        start(env)
        kubelet = Kubelet(env)
        rolled_out(env, 3, kubelet=kubelet)
        set_image(env, "web", "nginx:2")
        kubelet.run()
        return [(p["metadata"]["name"], int(p["metadata"]["resourceVersion"])) for p in all_pods(env)]

    assert run() == run()


def test_min_ready_seconds_delays_availability_and_completion() -> None:
    env = SimEnv()
    start(env)
    kubelet = Kubelet(env)
    env.api.create("deployments", deploy_body(replicas=2, minReadySeconds=30), NS)
    env.settle(1)
    while kubelet.start_one():
        env.settle(1)
    ready_at = env.loop.now()
    d = env.api.get("deployments", "web", NS)
    assert d["status"]["readyReplicas"] == 2 and "availableReplicas" not in d["status"]
    assert cond(d, "Available")["status"] == "False"  # type: ignore[index]
    (rs,) = rss(env)
    assert rs["spec"]["minReadySeconds"] == 30
    env.advance(ready_at + 29 - env.loop.now())
    assert "availableReplicas" not in env.api.get("deployments", "web", NS)["status"]
    env.advance(2)  # the ReplicaSet controller re-queued itself; the deployment follows its status
    d = env.api.get("deployments", "web", NS)
    assert d["status"]["availableReplicas"] == 2
    assert cond(d, "Progressing")["reason"] == dep.NEW_RS_AVAILABLE_REASON  # type: ignore[index]
