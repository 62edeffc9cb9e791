"""What the reference kubelet writes into a pod's status, on a whole simulated cluster.

- containers not started yet: ``waiting: {reason: PodInitializing}`` in a pod with init
  containers — its containers and the init containers not run yet — and ``ContainerCreating``
  without (``pkg/kubelet/kubelet_pods.go`` ``convertToAPIContainerStatuses``); at the end of a pod
  that never initialized they keep waiting (``status_manager.go`` ``TerminatePod``);
- ``activeDeadlineSeconds`` added to or lowered on a running pod (``active_deadline.go``:
  startTime + the deadline the pod has now);
- kubelet admission of host ports (``lifecycle/predicate.go`` with the scheduler's NodePorts check).
"""

from __future__ import annotations

import copy
from typing import Any

from tests.scenarios import BUSYBOX, NS, PAUSE, Obj, cluster, condition, container, events, pod, seconds, wait

SLEEPER = container("main", BUSYBOX, command=["sh", "-c", "sleep 3600"])


def _statuses(p: Obj, key: str = "containerStatuses") -> dict[str, Obj]:
    return {s["name"]: s for s in p["status"].get(key) or []}


def _status(c: Any, name: str, cname: str, key: str = "containerStatuses") -> Obj:
    """One container's status, ``{}`` before the kubelet wrote one."""
    return _statuses(_get(c, name), key).get(cname, {})


def _waiting(status: Obj) -> str | None:
    waiting = (status.get("state") or {}).get("waiting")
    return None if waiting is None else str(waiting.get("reason"))


def _get(c: Any, name: str) -> Obj:
    got: Obj = c.api.get("pods", name, NS)
    return got


# == PodInitializing =============================================================================
def test_containers_wait_podinitializing_while_init_containers_run() -> None:
    c = cluster(nodes=1)
    inits = [container("first", BUSYBOX, command=["sh", "-c", "sleep 20"]), container("second", BUSYBOX, command=["true"])]
    c.api.create("pods", pod("init", initContainers=inits, containers=[container("main", PAUSE)]), NS)
    c.advance(0.5)  # bound and admitted, the first init container is being pulled
    p = _get(c, "init")
    assert [_waiting(s) for s in _statuses(p, "initContainerStatuses").values()] == ["PodInitializing"] * 2
    assert _waiting(_statuses(p)["main"]) == "PodInitializing"
    wait(c, lambda: "running" in _status(c, "init", "first", "initContainerStatuses").get("state", {}))
    p = _get(c, "init")
    assert _waiting(_statuses(p, "initContainerStatuses")["second"]) == "PodInitializing"
    assert _waiting(_statuses(p)["main"]) == "PodInitializing"
    assert p["status"]["phase"] == "Pending"
    init_cond = condition(p, "Initialized")
    assert init_cond is not None
    assert (init_cond["status"], init_cond["message"]) == ("False", "containers with incomplete status: [first second]")
    wait(c, lambda: "running" in _status(c, "init", "main").get("state", {}), timeout_s=40)


def test_a_pod_without_init_containers_shows_containercreating() -> None:
    c = cluster(nodes=1)
    c.api.create("pods", pod("plain", containers=[container("main", PAUSE)]), NS)
    c.advance(0.5)
    assert _waiting(_statuses(_get(c, "plain"))["main"]) == "ContainerCreating"


def test_restart_never_init_failure_leaves_the_rest_waiting() -> None:
    """e2e: "should not start app containers and fail the pod if init containers fail on a RestartNever pod"."""
    c = cluster(nodes=1)
    inits = [container("init1", BUSYBOX, command=["/bin/true"]), container("init2", BUSYBOX, command=["/bin/false"]),
             container("init3", BUSYBOX, command=["/bin/true"])]  # fmt: skip
    spec = {"restartPolicy": "Never", "initContainers": inits, "containers": [container("run1", BUSYBOX, command=["/bin/true"])]}
    c.api.create("pods", pod("never", **spec), NS)
    wait(c, lambda: _get(c, "never")["status"].get("phase") == "Failed", timeout_s=30)
    c.advance(5)
    p = _get(c, "never")
    inits_seen = _statuses(p, "initContainerStatuses")
    assert inits_seen["init1"]["state"]["terminated"]["exitCode"] == 0
    assert inits_seen["init2"]["state"]["terminated"]["exitCode"] == 1
    assert _waiting(inits_seen["init3"]) == "PodInitializing"
    assert _waiting(_statuses(p)["run1"]) == "PodInitializing"
    init_cond = condition(p, "Initialized")
    assert init_cond is not None
    assert (init_cond["reason"], init_cond["message"]) == ("ContainersNotInitialized", "containers with incomplete status: [init2 init3]")


def test_restart_always_init_crash_loop_holds_the_rest() -> None:
    """e2e: "should not start app containers if init containers fail on a RestartAlways pod"."""
    c = cluster(nodes=1)
    inits = [container("init1", BUSYBOX, command=["/bin/false"]), container("init2", BUSYBOX, command=["/bin/true"])]
    c.api.create("pods", pod("always", initContainers=inits, containers=[container("run1", PAUSE)]), NS)
    wait(c, lambda: _status(c, "always", "init1", "initContainerStatuses").get("restartCount", 0) >= 3, timeout_s=120)
    p = _get(c, "always")
    assert _waiting(_statuses(p, "initContainerStatuses")["init2"]) == "PodInitializing"
    assert _waiting(_statuses(p)["run1"]) == "PodInitializing"
    assert p["status"]["phase"] == "Pending"


def test_deleting_a_pod_that_never_initialized() -> None:
    """TerminatePod: the containers of a pod that never initialized are not made terminated."""
    c = cluster(nodes=1)
    inits = [container("setup", BUSYBOX, command=["sh", "-c", "sleep 3600"]), container("later", BUSYBOX, command=["true"])]
    c.api.create("pods", pod("held", initContainers=inits, containers=[container("main", PAUSE)], terminationGracePeriodSeconds=2), NS)
    wait(c, lambda: "running" in _status(c, "held", "setup", "initContainerStatuses").get("state", {}))
    p = copy.deepcopy(_get(c, "held"))
    p["metadata"]["finalizers"] = ["kconform.io/hold"]
    c.api.update("pods", p, NS)
    c.api.delete("pods", "held", NS)
    wait(c, lambda: _get(c, "held")["status"].get("phase") == "Failed", timeout_s=10)
    p = _get(c, "held")
    inits_seen = _statuses(p, "initContainerStatuses")
    assert inits_seen["setup"]["state"]["terminated"]["exitCode"] == 137  # killed at the grace period's end
    assert _waiting(inits_seen["later"]) == "PodInitializing"
    assert _waiting(_statuses(p)["main"]) == "PodInitializing"


def test_deleting_a_pod_being_pulled_makes_its_containers_unknown() -> None:
    c = cluster(nodes=1)
    c.api.create("pods", pod("pulling", initContainers=[container("setup", "registry.invalid/x:1")],
                             containers=[container("main", PAUSE)]), NS)  # fmt: skip
    wait(c, lambda: _waiting(_status(c, "pulling", "setup", "initContainerStatuses")) == "ErrImagePull")
    p = copy.deepcopy(_get(c, "pulling"))
    p["metadata"]["finalizers"] = ["kconform.io/hold"]
    c.api.update("pods", p, NS)
    c.api.delete("pods", "pulling", NS)
    c.advance(2)
    p = _get(c, "pulling")
    setup = _statuses(p, "initContainerStatuses")["setup"]["state"]["terminated"]
    assert (setup["reason"], setup["exitCode"]) == ("ContainerStatusUnknown", 137)  # the first init container
    assert _waiting(_statuses(p)["main"]) == "PodInitializing"


# == activeDeadlineSeconds on a running pod =========================================================
def _deadline(c: Any, name: str, ads: int) -> None:
    p = copy.deepcopy(_get(c, name))
    p["spec"]["activeDeadlineSeconds"] = ads
    c.api.update("pods", p, NS)


def _failed_at(c: Any, name: str) -> float:
    return wait(c, lambda: _get(c, name)["status"].get("phase") == "Failed", timeout_s=120, step_s=0.1)


def test_active_deadline_added_to_a_running_pod() -> None:
    c = cluster(nodes=1)
    c.api.create("pods", pod("late", containers=[SLEEPER]), NS)
    wait(c, lambda: _get(c, "late")["status"].get("phase") == "Running")
    c.advance(10)
    _deadline(c, "late", 30)
    t = _failed_at(c, "late")
    p = _get(c, "late")
    assert 30 <= t - seconds(p["status"]["startTime"]) <= 31.5  # counted from startTime, not from the update
    assert p["status"]["reason"] == "DeadlineExceeded"
    assert p["status"]["message"] == "Pod was active on the node longer than the specified deadline"
    assert [e["message"] for e in events(c, name="late", reason="DeadlineExceeded")] == [p["status"]["message"]]


def test_active_deadline_already_passed_fails_at_once() -> None:
    c = cluster(nodes=1)
    c.api.create("pods", pod("old", containers=[SLEEPER]), NS)
    wait(c, lambda: _get(c, "old")["status"].get("phase") == "Running")
    c.advance(20)
    updated = c.now()
    _deadline(c, "old", 5)
    assert _failed_at(c, "old") - updated <= 1.0
    assert _get(c, "old")["status"]["reason"] == "DeadlineExceeded"


def test_active_deadline_lowered() -> None:
    c = cluster(nodes=1)
    c.api.create("pods", pod("lower", containers=[SLEEPER], activeDeadlineSeconds=600), NS)
    wait(c, lambda: _get(c, "lower")["status"].get("phase") == "Running")
    _deadline(c, "lower", 15)
    t = _failed_at(c, "lower")
    assert 15 <= t - seconds(_get(c, "lower")["status"]["startTime"]) <= 16.5


# == host ports at admission ==========================================================================
NODE_PORTS_MESSAGE = "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports"


def _port_pod(name: str, port: int, *, host_ip: str | None = None, protocol: str | None = None, command: list[str] | None = None) -> Obj:
    entry: Obj = {"containerPort": 80, "hostPort": port}
    if host_ip:
        entry["hostIP"] = host_ip
    if protocol:
        entry["protocol"] = protocol
    main = container("main", BUSYBOX if command else PAUSE, command=command, ports=[entry])
    return pod(name, containers=[main], nodeName="node-1", restartPolicy="Never")


def _phase(c: Any, name: str) -> str | None:
    phase = _get(c, name)["status"].get("phase")
    return None if phase is None else str(phase)


def test_kubelet_rejects_a_host_port_in_use() -> None:
    c = cluster(nodes=1)
    c.api.create("pods", _port_pod("first", 8080), NS)
    wait(c, lambda: _phase(c, "first") == "Running")
    c.api.create("pods", _port_pod("second", 8080), NS)
    wait(c, lambda: _phase(c, "second") == "Failed", timeout_s=10)
    p = _get(c, "second")
    assert p["status"]["reason"] == "NodePorts"
    assert p["status"]["message"] == f"Pod was rejected: {NODE_PORTS_MESSAGE}"
    (ev,) = events(c, name="second", reason="NodePorts")
    assert (ev["type"], ev["message"]) == ("Warning", NODE_PORTS_MESSAGE)
    assert _phase(c, "first") == "Running"


def test_host_ports_that_do_not_clash() -> None:
    c = cluster(nodes=1)
    c.api.create("pods", _port_pod("ip-a", 9000, host_ip="10.0.0.1"), NS)
    c.api.create("pods", _port_pod("ip-b", 9000, host_ip="10.0.0.2"), NS)  # another host IP
    c.api.create("pods", _port_pod("udp", 9000, host_ip="10.0.0.1", protocol="UDP"), NS)  # another protocol
    c.api.create("pods", _port_pod("any-ip", 9000), NS)  # 0.0.0.0 clashes with every IP
    c.api.create("pods", _port_pod("ip-a-again", 9000, host_ip="10.0.0.1"), NS)
    wait(c, lambda: all(_phase(c, n) in ("Running", "Failed") for n in ("ip-a", "ip-b", "udp", "any-ip", "ip-a-again")))
    assert [_phase(c, n) for n in ("ip-a", "ip-b", "udp", "any-ip", "ip-a-again")] == [
        "Running", "Running", "Running", "Failed", "Failed",
    ]  # fmt: skip


def test_a_port_held_by_a_pod_that_ended_is_free() -> None:
    c = cluster(nodes=1)
    c.api.create("pods", _port_pod("done", 7000, command=["true"]), NS)
    wait(c, lambda: _phase(c, "done") == "Succeeded", timeout_s=20)
    c.api.create("pods", _port_pod("next", 7000), NS)
    wait(c, lambda: _phase(c, "next") == "Running", timeout_s=20)
    assert not events(c, name="next", reason="NodePorts")
