"""Object and pod lifecycles end to end: namespace deletion, garbage collection, graceful
termination, CrashLoopBackOff, ImagePullBackOff, activeDeadlineSeconds, kubelet admission and
scheduling failures, with the real reasons and message texts.
"""

from __future__ import annotations

import pytest

from reference_impl.apiserver import ApiError
from reference_impl.cluster import ReferenceCluster
from tests.scenarios import (
    BUSYBOX,
    NS,
    Obj,
    cluster,
    condition,
    container,
    deployment,
    events,
    is_ready,
    pod,
    pods,
    seconds,
    service,
    wait,
)

SLEEPER = container(image=BUSYBOX, command=["sh", "-c", "sleep 3600"])


def _names(c: ReferenceCluster, resource: str, ns: str = NS) -> list[str]:
    return sorted(o["metadata"]["name"] for o in c.api.list(resource, ns)["items"])


def _gone(c: ReferenceCluster, resource: str, name: str, ns: str | None = NS) -> bool:
    try:
        c.api.get(resource, name, ns)
    except ApiError as e:
        return e.code == 404
    return False


# == namespace deletion =========================================================================
def test_namespace_deletion_removes_everything_then_the_namespace() -> None:
    c = cluster()
    c.api.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    c.api.create("deployments", deployment("web", 3, ns="team"), "team")
    c.api.create("services", service("web", {"app": "web"}, [{"port": 80}], ns="team"), "team")
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cfg", "namespace": "team"},
        "data": {"a": "b"},
    }
    c.api.create("configmaps", cm, "team")
    wait(c, lambda: sum(is_ready(p) for p in pods(c, "team")) == 3, timeout_s=60)

    c.api.delete("namespaces", "team")
    ns = c.api.get("namespaces", "team")
    assert ns["status"]["phase"] == "Terminating"
    assert ns["metadata"]["deletionTimestamp"]
    assert ns["spec"]["finalizers"] == ["kubernetes"]
    with pytest.raises(ApiError) as err:
        c.api.create("configmaps", {**cm, "metadata": {"name": "late", "namespace": "team"}}, "team")
    assert err.value.code == 403
    assert err.value.reason == "Forbidden"
    assert err.value.message == (
        'configmaps "late" is forbidden: unable to create new content in namespace team because it is being terminated'
    )

    wait(c, lambda: _gone(c, "namespaces", "team", None), timeout_s=120)
    for resource in ("deployments", "replicasets", "pods", "services", "configmaps", "endpointslices"):
        assert c.api.list(resource, "team")["items"] == [], resource
    # other namespaces untouched
    assert "kubernetes" in _names(c, "services")


def test_namespace_with_slow_pods_waits_for_their_grace_period() -> None:
    c = cluster()
    c.api.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "slow"}})
    p = pod("sleeper", "slow", containers=[SLEEPER], terminationGracePeriodSeconds=15)
    c.api.create("pods", p, "slow")
    wait(c, lambda: is_ready(c.api.get("pods", "sleeper", "slow")), timeout_s=30)
    t0 = c.now()
    c.api.delete("namespaces", "slow")
    c.advance(10)
    assert c.api.get("namespaces", "slow")["status"]["phase"] == "Terminating"
    assert c.api.get("pods", "sleeper", "slow")["metadata"]["deletionTimestamp"]
    t = wait(c, lambda: _gone(c, "namespaces", "slow", None), timeout_s=120)
    assert t - t0 >= 15


# == garbage collection ========================================================================
def _deploy(c: ReferenceCluster) -> None:
    c.api.create("deployments", deployment("web", 3), NS)
    wait(c, lambda: sum(is_ready(p) for p in pods(c)) == 3, timeout_s=60)


def test_gc_background_deletes_replicasets_and_pods() -> None:
    c = cluster()
    _deploy(c)
    c.api.delete("deployments", "web", NS)
    assert _gone(c, "deployments", "web")  # background: the owner goes at once
    wait(c, lambda: not _names(c, "replicasets") and not pods(c), timeout_s=60)


def test_gc_foreground_keeps_the_owner_until_dependents_are_gone() -> None:
    c = cluster()
    d = deployment("web", 3, containers=[SLEEPER])
    d["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = 5
    c.api.create("deployments", d, NS)
    wait(c, lambda: sum(is_ready(p) for p in pods(c)) == 3, timeout_s=60)
    t0 = c.now()
    rs_names = _names(c, "replicasets")
    c.api.delete("deployments", "web", NS, propagation_policy="Foreground")
    d = c.api.get("deployments", "web", NS)
    assert d["metadata"]["deletionTimestamp"]
    assert "foregroundDeletion" in d["metadata"]["finalizers"]
    seen_owner_with_dependents = False

    def check() -> bool:
        nonlocal seen_owner_with_dependents
        owner_alive = not _gone(c, "deployments", "web")
        deps = _names(c, "replicasets") + [p["metadata"]["name"] for p in pods(c)]
        if owner_alive and deps:
            seen_owner_with_dependents = True
        assert owner_alive or not _names(c, "replicasets"), "owner removed before its ReplicaSets"
        return not owner_alive

    t = wait(c, check, timeout_s=60, step_s=0.1)
    assert seen_owner_with_dependents
    assert t - t0 >= 5  # the pods' grace period: blockOwnerDeletion holds the owners
    assert not _names(c, "replicasets") and rs_names
    wait(c, lambda: not pods(c), timeout_s=60)


def test_gc_orphan_releases_the_replicaset_which_keeps_its_pods() -> None:
    c = cluster()
    _deploy(c)
    (rs_name,) = _names(c, "replicasets")
    pod_names = [p["metadata"]["name"] for p in pods(c)]
    c.api.delete("deployments", "web", NS, propagation_policy="Orphan")
    wait(c, lambda: _gone(c, "deployments", "web"), timeout_s=30)
    c.advance(30)
    rs = c.api.get("replicasets", rs_name, NS)
    assert not rs["metadata"].get("ownerReferences")
    assert "orphan" not in (rs["metadata"].get("finalizers") or [])
    # orphaning only touches direct dependents: the pods still belong to the (living) ReplicaSet
    assert [p["metadata"]["name"] for p in pods(c)] == pod_names
    for p in pods(c):
        (ref,) = p["metadata"]["ownerReferences"]
        assert (ref["kind"], ref["name"]) == ("ReplicaSet", rs_name)
        assert is_ready(p)
    # orphaning the ReplicaSet in turn leaves bare pods
    c.api.delete("replicasets", rs_name, NS, propagation_policy="Orphan")
    wait(c, lambda: _gone(c, "replicasets", rs_name), timeout_s=30)
    c.advance(10)
    assert [p["metadata"]["name"] for p in pods(c)] == pod_names
    assert all(not p["metadata"].get("ownerReferences") for p in pods(c))


# == graceful termination ======================================================================
def test_sleep_takes_its_full_grace_period_pause_stops_at_once() -> None:
    c = cluster()
    c.api.create("pods", pod("sleeper", containers=[SLEEPER], terminationGracePeriodSeconds=30), NS)
    c.api.create("pods", pod("pause"), NS)
    wait(c, lambda: all(is_ready(p) for p in pods(c)) and len(pods(c)) == 2, timeout_s=30)
    t0 = c.now()
    c.api.delete("pods", "sleeper", NS)
    c.api.delete("pods", "pause", NS)
    p = c.api.get("pods", "sleeper", NS)
    assert p["metadata"]["deletionGracePeriodSeconds"] == 30
    assert seconds(p["metadata"]["deletionTimestamp"]) == pytest.approx(int(t0) + 30, abs=1)
    t_pause = wait(c, lambda: _gone(c, "pods", "pause"), timeout_s=30, step_s=0.1)
    assert t_pause - t0 <= 2
    c.advance(t0 + 29 - c.now())
    assert not _gone(c, "pods", "sleeper")
    t_sleep = wait(c, lambda: _gone(c, "pods", "sleeper"), timeout_s=10, step_s=0.1)
    assert 30 <= t_sleep - t0 <= 32
    killing = events(c, name="sleeper", reason="Killing")
    assert [e["message"] for e in killing] == ["Stopping container app"]


def test_delete_with_grace_period_override() -> None:
    c = cluster()
    c.api.create("pods", pod("sleeper", containers=[SLEEPER]), NS)
    wait(c, lambda: is_ready(c.api.get("pods", "sleeper", NS)), timeout_s=30)
    t0 = c.now()
    c.api.delete("pods", "sleeper", NS, grace_period_seconds=5)
    assert c.api.get("pods", "sleeper", NS)["metadata"]["deletionGracePeriodSeconds"] == 5
    t = wait(c, lambda: _gone(c, "pods", "sleeper"), timeout_s=60, step_s=0.1)
    assert 5 <= t - t0 <= 7


# == container restarts and pulls ================================================================
def test_crashloop_backoff_doubles_from_10s() -> None:
    c = cluster()
    crash = container(image=BUSYBOX, command=["sh", "-c", "exit 1"])
    c.api.create("pods", pod("crash", containers=[crash]), NS)
    restarts: dict[int, float] = {}
    waiting: list[Obj] = []

    def on(type_: str, obj: Obj) -> None:
        for cs in obj["status"].get("containerStatuses") or []:
            restarts.setdefault(cs["restartCount"], c.now())
            w = cs["state"].get("waiting")
            if w and w.get("reason") == "CrashLoopBackOff":
                waiting.append(w)

    c.api.watch("pods", on, NS, field_selector="metadata.name=crash")
    wait(c, lambda: 5 in restarts, timeout_s=400)
    # first restart right away, then back-off 10 s, 20 s, 40 s, 80 s (+ the kubelet's sync latency)
    gaps = [restarts[k + 1] - restarts[k] for k in range(1, 5)]
    assert restarts[1] - restarts[0] <= 5
    for gap, backoff in zip(gaps, (10, 20, 40, 80), strict=True):
        assert backoff <= gap <= backoff + 3, (gaps, backoff)
    p = c.api.get("pods", "crash", NS)
    assert p["status"]["phase"] == "Running"
    (cs,) = p["status"]["containerStatuses"]
    term = cs["lastState"]["terminated"]
    assert (term["exitCode"], term["reason"]) == (1, "Error")
    uid = p["metadata"]["uid"]
    assert (
        waiting
        and waiting[0]["message"] == f"back-off 10s restarting failed container=app pod=crash_{NS}({uid})"
    )
    assert any(w["message"].startswith("back-off 1m20s restarting") for w in waiting)
    backoff_events = events(c, name="crash", reason="BackOff")
    assert (
        backoff_events
        and backoff_events[0]["message"]
        == "Back-off restarting failed container app in pod crash_default(" + uid + ")"
    )
    assert backoff_events[0]["type"] == "Warning"


def test_crashloop_backoff_caps_at_five_minutes() -> None:
    c = cluster()
    crash = container(image=BUSYBOX, command=["sh", "-c", "exit 2"])
    c.api.create("pods", pod("crash", containers=[crash]), NS)
    restarts: dict[int, float] = {}

    def on(type_: str, obj: Obj) -> None:
        for cs in obj["status"].get("containerStatuses") or []:
            restarts.setdefault(cs["restartCount"], c.now())

    c.api.watch("pods", on, NS, field_selector="metadata.name=crash")
    wait(c, lambda: 8 in restarts, timeout_s=1500, step_s=5)
    # 10, 20, 40, 80, 160, then 300 (capped), 300
    assert 160 <= restarts[6] - restarts[5] <= 165
    assert 300 <= restarts[7] - restarts[6] <= 305
    assert 300 <= restarts[8] - restarts[7] <= 305


def test_image_pull_backoff() -> None:
    c = cluster()
    image = "registry.example.invalid/app:1"
    c.api.create("pods", pod("nopull", containers=[container(image=image)]), NS)
    reasons: list[str] = []

    def on(type_: str, obj: Obj) -> None:
        for cs in obj["status"].get("containerStatuses") or []:
            w = (cs.get("state") or {}).get("waiting") or {}
            if w.get("reason") and (not reasons or reasons[-1] != w["reason"]):
                reasons.append(w["reason"])

    c.api.watch("pods", on, NS, field_selector="metadata.name=nopull")
    c.advance(60)
    assert reasons[:3] == ["ContainerCreating", "ErrImagePull", "ImagePullBackOff"]
    p = c.api.get("pods", "nopull", NS)
    assert p["status"]["phase"] == "Pending"
    (cs,) = p["status"]["containerStatuses"]
    assert cs["state"]["waiting"]["reason"] in ("ImagePullBackOff", "ErrImagePull")
    assert not is_ready(p)
    failed = [e["message"] for e in events(c, name="nopull", reason="Failed")]
    assert any(m.startswith(f'Failed to pull image "{image}": ') for m in failed)
    assert "Error: ErrImagePull" in failed
    assert "Error: ImagePullBackOff" in failed
    backoff = [e["message"] for e in events(c, name="nopull", reason="BackOff")]
    assert backoff == [f'Back-off pulling image "{image}"']


# == deadlines, admission, scheduling ============================================================
def test_active_deadline_seconds_fails_the_pod() -> None:
    c = cluster()
    c.api.create("pods", pod("deadline", containers=[SLEEPER], activeDeadlineSeconds=10), NS)
    wait(c, lambda: is_ready(c.api.get("pods", "deadline", NS)), timeout_s=30)
    t = wait(
        c, lambda: c.api.get("pods", "deadline", NS)["status"]["phase"] == "Failed", timeout_s=120, step_s=0.1
    )
    p = c.api.get("pods", "deadline", NS)
    assert 10 <= t - seconds(p["status"]["startTime"]) <= 12
    assert p["status"]["reason"] == "DeadlineExceeded"
    assert p["status"]["message"] == "Pod was active on the node longer than the specified deadline"
    (ev,) = events(c, name="deadline", reason="DeadlineExceeded")
    assert ev["message"] == "Pod was active on the node longer than the specified deadline"


def test_kubelet_rejects_a_pod_bound_to_a_node_without_room_out_of_cpu() -> None:
    c = cluster()
    big = container(cpu="5")
    c.api.create("pods", pod("big", containers=[big], nodeName="node-1"), NS)
    wait(c, lambda: c.api.get("pods", "big", NS)["status"].get("phase") == "Failed", timeout_s=30)
    p = c.api.get("pods", "big", NS)
    msg = "Node didn't have enough resource: cpu, requested: 5000, used: 0, capacity: 4000"
    assert p["status"]["reason"] == "OutOfcpu"
    assert p["status"]["message"] == f"Pod was rejected: {msg}"
    (ev,) = events(c, name="big", reason="OutOfcpu")
    assert (ev["type"], ev["message"]) == ("Warning", msg)


def _filler(c: ReferenceCluster, node: str, cpu: str = "2") -> None:
    c.api.create("pods", pod(f"filler-{node}", containers=[container(cpu=cpu)], nodeName=node), NS)


def _unschedulable_message(c: ReferenceCluster, name: str) -> str:
    p = c.api.get("pods", name, NS)
    assert p["status"]["phase"] == "Pending"
    assert "nodeName" not in p["spec"]
    cond = condition(p, "PodScheduled")
    assert cond is not None
    assert (cond["status"], cond["reason"]) == ("False", "Unschedulable")
    evs = events(c, name=name, reason="FailedScheduling")
    assert evs and evs[0]["type"] == "Warning"
    assert evs[0]["message"] == cond["message"]
    assert evs[0]["source"]["component"] == "default-scheduler"
    return str(cond["message"])


# upstream FitError.Error() appends " %v." to a PostFilter message that already ends in "." → ".."
def test_pod_bigger_than_any_node_preemption_is_not_helpful() -> None:
    c = cluster()
    c.api.create("pods", pod("huge", containers=[container(cpu="5")]), NS)
    c.advance(5)
    # NodeResourcesFit: a request above the node's allocatable is UnschedulableAndUnresolvable
    assert _unschedulable_message(c, "huge") == (
        "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
        "3 Preemption is not helpful for scheduling.."
    )
    # room appears: it schedules (node added → the pod is moved back to the active queue)
    c.add_node("big-node", cpu="8")
    wait(c, lambda: is_ready(c.api.get("pods", "huge", NS)), timeout_s=330)
    assert c.api.get("pods", "huge", NS)["spec"]["nodeName"] == "big-node"


def test_pod_that_fits_an_empty_node_no_preemption_victims() -> None:
    c = cluster()
    for n in c.node_names():
        _filler(c, n)
    wait(c, lambda: all(is_ready(p) for p in pods(c)) and len(pods(c)) == 3, timeout_s=30)
    c.api.create("pods", pod("wide", containers=[container(cpu="3")]), NS)
    c.advance(5)
    assert _unschedulable_message(c, "wide") == (
        "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
        "3 No preemption victims found for incoming pod.."
    )
    # a filler goes away: the pod schedules there
    c.api.delete("pods", "filler-node-2", NS)
    wait(c, lambda: is_ready(c.api.get("pods", "wide", NS)), timeout_s=330)
    assert c.api.get("pods", "wide", NS)["spec"]["nodeName"] == "node-2"


def test_unschedulable_mixed_reasons_are_sorted() -> None:
    c = cluster()
    _filler(c, "node-1")
    c.api.patch("nodes", "node-3", {"spec": {"unschedulable": True}}, "merge")
    c.advance(1)
    c.api.create(
        "pods",
        pod("picky", containers=[container(cpu="3")], nodeSelector={"kubernetes.io/hostname": "node-1"}),
        NS,
    )
    c.advance(5)
    # node-1 lacks cpu (preemption could help in principle), node-2 mismatches the selector and
    # node-3 is cordoned (both UnschedulableAndUnresolvable); the first failing filter wins
    assert _unschedulable_message(c, "picky") == (
        "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node affinity/selector, "
        "1 node(s) were unschedulable. preemption: 0/3 nodes are available: "
        "1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.."
    )
