"""Jobs, DaemonSets and StatefulSets on the whole cluster."""

from __future__ import annotations

import itertools

from reference_impl.cluster import ReferenceCluster
from tests.scenarios import (
    BUSYBOX,
    NS,
    Obj,
    cluster,
    condition,
    container,
    events,
    is_ready,
    live_pods,
    pods,
    seconds,
    service,
    wait,
)


def job(
    name: str, script: str, *, completions: int = 1, parallelism: int = 1, backoff_limit: int | None = None
) -> Obj:
    spec: Obj = {
        "completions": completions,
        "parallelism": parallelism,
        "template": {
            "spec": {
                "restartPolicy": "Never",
                "containers": [container("main", BUSYBOX, command=["sh", "-c", script])],
            }
        },
    }
    if backoff_limit is not None:
        spec["backoffLimit"] = backoff_limit
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": NS},
        "spec": spec,
    }


class PodTimeline:
    """When each pod was created, and how many were active at once."""

    def __init__(self, c: ReferenceCluster, selector: str) -> None:
        self.c = c
        self.created: dict[str, float] = {}
        self.phase: dict[str, str] = {}
        self.max_active = 0
        c.api.watch("pods", self._on, NS, label_selector=selector)

    def _on(self, type_: str, obj: Obj) -> None:
        name = obj["metadata"]["name"]
        if type_ == "ADDED":
            self.created.setdefault(name, self.c.now())
        if type_ == "DELETED":
            self.phase.pop(name, None)
        else:
            self.phase[name] = obj["status"].get("phase", "Pending")
        self.max_active = max(self.max_active, sum(p in ("Pending", "Running") for p in self.phase.values()))


# == Job =====================================================================================
def test_job_runs_to_completion_within_parallelism() -> None:
    c = cluster()
    tl = PodTimeline(c, "batch.kubernetes.io/job-name=sum")
    c.api.create("jobs", job("sum", "sleep 2; exit 0", completions=3, parallelism=2), NS)
    wait(c, lambda: condition(c.api.get("jobs", "sum", NS), "Complete") is not None, timeout_s=120)
    j = c.api.get("jobs", "sum", NS)
    st = j["status"]
    assert st["succeeded"] == j["spec"]["completions"] == 3
    assert st.get("failed", 0) == 0 and st.get("active", 0) == 0
    complete = condition(j, "Complete")
    assert complete is not None and complete["status"] == "True"
    met = condition(j, "SuccessCriteriaMet")
    assert met is not None
    assert (met["status"], met["reason"], met["message"]) == (
        "True",
        "CompletionsReached",
        "Reached expected number of succeeded pods",
    )
    assert seconds(st["completionTime"]) >= seconds(st["startTime"]) + 4  # two waves of 2 s
    assert tl.max_active == 2
    assert len(tl.created) == 3
    assert all(p["status"]["phase"] == "Succeeded" for p in pods(c))
    p = pods(c)[0]
    assert p["metadata"]["labels"]["batch.kubernetes.io/job-name"] == "sum"
    assert p["metadata"]["labels"]["job-name"] == "sum"
    (ref,) = p["metadata"]["ownerReferences"]
    assert (ref["kind"], ref["name"], ref["uid"]) == ("Job", "sum", j["metadata"]["uid"])
    (ev,) = events(c, name="sum", reason="Completed")
    assert ev["message"] == "Job completed"


def test_failing_job_backs_off_exponentially_then_fails_with_backoff_limit_exceeded() -> None:
    c = cluster()
    tl = PodTimeline(c, "batch.kubernetes.io/job-name=boom")
    failed_at: dict[str, float] = {}

    def on(type_: str, obj: Obj) -> None:
        if obj["status"].get("phase") == "Failed":
            failed_at.setdefault(obj["metadata"]["name"], c.now())

    c.api.watch("pods", on, NS, label_selector="batch.kubernetes.io/job-name=boom")
    c.api.create("jobs", job("boom", "exit 1", backoff_limit=3), NS)
    wait(c, lambda: condition(c.api.get("jobs", "boom", NS), "Failed") is not None, timeout_s=600)
    j = c.api.get("jobs", "boom", NS)
    assert j["status"]["failed"] == 4  # backoffLimit + 1
    assert j["status"].get("succeeded", 0) == 0
    failed = condition(j, "Failed")
    assert failed is not None
    assert (failed["status"], failed["reason"], failed["message"]) == (
        "True",
        "BackoffLimitExceeded",
        "Job has reached the specified backoff limit",
    )
    target = condition(j, "FailureTarget")
    assert target is not None and target["reason"] == "BackoffLimitExceeded"
    assert len(tl.created) == 4
    order = sorted(tl.created, key=lambda n: tl.created[n])
    # each replacement is created 10 s, 20 s, 40 s after the previous failure (±1 s: whole-second
    # finish timestamps)
    for k, (prev, nxt) in enumerate(itertools.pairwise(order)):
        delay = tl.created[nxt] - failed_at[prev]
        assert abs(delay - 10 * 2**k) <= 1.5, (k, delay)
    warn = events(c, name="boom", reason="BackoffLimitExceeded")
    assert [e["message"] for e in warn] == ["Job has reached the specified backoff limit"]
    assert warn[0]["type"] == "Warning"


# == DaemonSet ===============================================================================
def daemonset(name: str = "agent") -> Obj:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [container()]}},
        },
    }


def _ds_nodes(c: ReferenceCluster) -> list[str]:
    return sorted(p["spec"].get("nodeName", "") for p in live_pods(c, selector="app=agent"))


def test_daemonset_follows_nodes_and_skips_tainted_ones() -> None:
    c = cluster()
    c.api.create("daemonsets", daemonset(), NS)
    wait(c, lambda: _ds_nodes(c) == ["node-1", "node-2", "node-3"] and all(is_ready(p) for p in pods(c)))
    p = live_pods(c, selector="app=agent")[0]
    terms = p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
        "nodeSelectorTerms"
    ]
    assert terms == [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [p["spec"]["nodeName"]]}]}
    ]
    tols = {(t["key"], t["effect"]): t for t in p["spec"]["tolerations"]}
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        assert "tolerationSeconds" not in tols[(key, "NoExecute")]
    for key in (
        "node.kubernetes.io/disk-pressure",
        "node.kubernetes.io/memory-pressure",
        "node.kubernetes.io/pid-pressure",
        "node.kubernetes.io/unschedulable",
    ):
        assert (key, "NoSchedule") in tols

    c.add_node("node-4")
    wait(c, lambda: "node-4" in _ds_nodes(c), timeout_s=30)
    c.add_node("node-5", taints=[{"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}])
    wait(c, lambda: all(is_ready(p) for p in live_pods(c)) and len(_ds_nodes(c)) == 4, timeout_s=30)
    c.advance(30)
    assert _ds_nodes(c) == ["node-1", "node-2", "node-3", "node-4"]
    st = c.api.get("daemonsets", "agent", NS)["status"]
    assert (st["desiredNumberScheduled"], st["currentNumberScheduled"], st["numberReady"]) == (4, 4, 4)
    assert st.get("numberMisscheduled", 0) == 0


# == StatefulSet =============================================================================
def statefulset(replicas: int) -> Obj:
    labels = {"app": "web"}
    probe = {"exec": {"command": ["true"]}, "initialDelaySeconds": 5, "periodSeconds": 1}
    app = container("app", BUSYBOX, command=["sh", "-c", "sleep 3600"], readiness=probe)
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "web", "namespace": NS},
        "spec": {
            "serviceName": "web",
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"terminationGracePeriodSeconds": 3, "containers": [app]},
            },
        },
    }


class StsTimeline:
    def __init__(self, c: ReferenceCluster) -> None:
        self.c = c
        self.created: dict[str, float] = {}
        self.ready: dict[str, float] = {}
        self.deleting: dict[str, float] = {}
        self.gone: dict[str, float] = {}
        c.api.watch("pods", self._on, NS, label_selector="app=web")

    def _on(self, type_: str, obj: Obj) -> None:
        name, now = obj["metadata"]["name"], self.c.now()
        if type_ == "ADDED":
            self.created.setdefault(name, now)
        if type_ == "DELETED":
            self.gone.setdefault(name, now)
            return
        if is_ready(obj):
            self.ready.setdefault(name, now)
        if obj["metadata"].get("deletionTimestamp"):
            self.deleting.setdefault(name, now)


def test_statefulset_ordered_scale_up_and_scale_down_from_the_highest_ordinal() -> None:
    c = cluster()
    c.api.create("services", service("web", {"app": "web"}, [{"port": 80}], clusterIP="None"), NS)
    tl = StsTimeline(c)
    c.api.create("statefulsets", statefulset(3), NS)
    wait(c, lambda: len(tl.ready) == 3, timeout_s=120)
    assert sorted(tl.created) == ["web-0", "web-1", "web-2"]
    assert tl.created["web-1"] >= tl.ready["web-0"]
    assert tl.created["web-2"] >= tl.ready["web-1"]
    # each is ready 5 s (initialDelaySeconds) after its container started
    assert tl.ready["web-1"] - tl.created["web-1"] >= 5
    p1 = c.api.get("pods", "web-1", NS)
    assert p1["spec"]["hostname"] == "web-1" and p1["spec"]["subdomain"] == "web"
    labels = p1["metadata"]["labels"]
    assert labels["statefulset.kubernetes.io/pod-name"] == "web-1"
    assert labels["apps.kubernetes.io/pod-index"] == "1"
    assert labels["controller-revision-hash"].startswith("web-")
    st = c.api.get("statefulsets", "web", NS)["status"]
    assert (st["replicas"], st["readyReplicas"]) == (3, 3)

    c.api.patch("statefulsets", "web", {"spec": {"replicas": 1}}, "merge", NS)
    wait(c, lambda: "web-1" in tl.gone, timeout_s=60)
    assert "web-0" not in tl.deleting
    assert tl.deleting["web-2"] < tl.deleting["web-1"]
    # OrderedReady: web-1 is only deleted once web-2 is completely gone (3 s grace, sleep ignores TERM)
    assert tl.deleting["web-1"] >= tl.gone["web-2"]
    assert tl.gone["web-2"] - tl.deleting["web-2"] >= 3
    assert [p["metadata"]["name"] for p in pods(c)] == ["web-0"]


def test_job_active_deadline_exceeded() -> None:
    c = cluster()
    body = job("slow", "sleep 3600")
    body["spec"]["activeDeadlineSeconds"] = 20
    c.api.create("jobs", body, NS)
    t = wait(c, lambda: condition(c.api.get("jobs", "slow", NS), "FailureTarget") is not None, timeout_s=120)
    j = c.api.get("jobs", "slow", NS)
    assert 20 <= t - seconds(j["status"]["startTime"]) <= 21
    target = condition(j, "FailureTarget")
    assert target is not None
    want = ("DeadlineExceeded", "Job was active longer than specified deadline")
    assert (target["reason"], target["message"]) == want
    # since v1.31 the terminal condition waits for the pods to terminate (30 s grace; sleep ignores TERM)
    assert condition(j, "Failed") is None
    t_failed = wait(c, lambda: condition(c.api.get("jobs", "slow", NS), "Failed") is not None, timeout_s=120)
    assert 30 <= t_failed - t <= 32
    failed = condition(c.api.get("jobs", "slow", NS), "Failed")
    assert failed is not None and (failed["reason"], failed["message"]) == want
    assert not live_pods(c, selector="batch.kubernetes.io/job-name=slow")


def test_statefulset_recreates_a_deleted_pod_with_the_same_identity() -> None:
    c = cluster()
    c.api.create("services", service("web", {"app": "web"}, [{"port": 80}], clusterIP="None"), NS)
    c.api.create("statefulsets", statefulset(2), NS)
    wait(c, lambda: sum(is_ready(p) for p in pods(c)) == 2, timeout_s=120)
    old_uid = c.api.get("pods", "web-0", NS)["metadata"]["uid"]
    c.api.delete("pods", "web-0", NS)
    wait(
        c,
        lambda: any(
            p["metadata"]["name"] == "web-0" and p["metadata"]["uid"] != old_uid and is_ready(p)
            for p in pods(c)
        ),
        timeout_s=120,
    )
    assert sorted(p["metadata"]["name"] for p in pods(c)) == ["web-0", "web-1"]
