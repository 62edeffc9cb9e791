"""The resource quota controller: status.hard from spec.hard, status.used recalculated when quotas
change, when the objects they count are deleted or change their usage, and at the full resync."""

from __future__ import annotations

from typing import Any

from reference_impl.client import Component
from reference_impl.config import ClusterConfig
from reference_impl.controllers.manager import CONTROLLERS, load_controller
from reference_impl.controllers.resourcequota import RESOURCE_QUOTA_SYNC_PERIOD_S, ResourceQuotaController
from tests.simenv import SimEnv

Obj = dict[str, Any]
NS = "default"
RQ = "resourcequotas"
IMAGE = "registry.k8s.io/pause:3.10"


def start(env: SimEnv) -> tuple[Component, ResourceQuotaController]:
    return env.start_controller(ResourceQuotaController)


def quota(env: SimEnv, name: str, hard: Obj, **spec: Any) -> Obj:
    return env.api.create(RQ, {"metadata": {"name": name}, "spec": {"hard": hard, **spec}}, NS)


def status(env: SimEnv, name: str) -> Obj:
    st: Obj = env.api.get(RQ, name, NS)["status"]
    return st


def used(env: SimEnv, name: str) -> Obj:
    u: Obj = status(env, name)["used"]
    return u


def pod(env: SimEnv, name: str, *, requests: Obj | None = None, limits: Obj | None = None, **spec: Any) -> Obj:
    c: Obj = {"name": "app", "image": IMAGE}
    res = {k: v for k, v in (("requests", requests), ("limits", limits)) if v}
    if res:
        c["resources"] = res
    return env.api.create("pods", {"metadata": {"name": name}, "spec": {"containers": [c], **spec}}, NS)


def test_registered_under_its_kube_controller_manager_name() -> None:
    assert load_controller(CONTROLLERS["resourcequota"]) is ResourceQuotaController


def test_status_hard_is_spec_hard_and_used_counts_what_was_there_before() -> None:
    env = SimEnv()
    env.pod("a", cpu="100m", memory="64Mi")
    env.api.create("configmaps", {"metadata": {"name": "cm"}}, NS)
    start(env)
    quota(env, "q", {"pods": "5", "requests.cpu": "1", "memory": "1Gi", "configmaps": "3", "count/pods": "9",
                     "resourcequotas": "2", "count/replicasets.apps": "1", "example.com/unknown": "1"})
    env.settle()
    assert status(env, "q") == {
        "hard": {"configmaps": "3", "count/pods": "9", "count/replicasets.apps": "1", "example.com/unknown": "1",
                 "memory": "1Gi", "pods": "5", "requests.cpu": "1", "resourcequotas": "2"},
        # nothing counts example.com/unknown: it has no usage (and constrains nothing)
        "used": {"configmaps": "1", "count/pods": "1", "count/replicasets.apps": "0", "memory": "64Mi", "pods": "1",
                 "requests.cpu": "100m", "resourcequotas": "1"},
    }


def test_deletes_release_usage_and_creates_are_charged_by_admission() -> None:
    env = SimEnv()
    start(env)
    quota(env, "q", {"pods": "5", "secrets": "5", "services": "5", "services.nodeports": "5",
                     "replicationcontrollers": "5", "count/replicasets.apps": "5"})
    env.settle()
    env.pod("a")
    env.api.create("secrets", {"metadata": {"name": "s"}}, NS)
    env.api.create("services", {"metadata": {"name": "np"}, "spec": {"type": "NodePort", "ports": [{"port": 80}]}}, NS)
    tmpl = {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": IMAGE}]}}
    env.api.create("replicationcontrollers", {"metadata": {"name": "rc"}, "spec": {"replicas": 0, "template": tmpl}}, NS)
    env.api.create("replicasets", {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs"}, "spec": {
        "replicas": 0, "selector": {"matchLabels": {"a": "b"}}, "template": tmpl}}, NS)
    # (the default namespace's own ``kubernetes`` service counts too)
    counted = {"count/replicasets.apps": "1", "pods": "1", "replicationcontrollers": "1", "secrets": "1",
               "services": "2", "services.nodeports": "1"}
    assert used(env, "q") == counted  # at once: quota admission wrote it
    env.settle()
    assert used(env, "q") == counted
    for resource, name in (("pods", "a"), ("secrets", "s"), ("services", "np"), ("replicationcontrollers", "rc"),
                           ("replicasets", "rs")):
        # (Background: an RC's own default, Orphan, would wait on a garbage collector not run here)
        env.api.delete(resource, name, NS, propagation_policy="Background")
    env.settle()
    assert used(env, "q") == {**dict.fromkeys(counted, "0"), "services": "1"}


def test_a_pod_that_finishes_counts_only_as_an_object() -> None:
    env = SimEnv()
    start(env)
    quota(env, "q", {"pods": "5", "count/pods": "5", "requests.cpu": "1"})
    env.settle()
    pod(env, "job", requests={"cpu": "200m"}, restartPolicy="Never")
    env.settle()
    p = env.api.get("pods", "job", NS)
    p["status"]["phase"] = "Succeeded"
    env.api.update("pods", p, NS, subresource="status")
    env.settle()
    assert used(env, "q") == {"count/pods": "1", "pods": "0", "requests.cpu": "0"}


def test_a_pod_terminating_past_its_grace_period_is_released_at_the_full_resync() -> None:
    env = SimEnv()
    env.node("n1")
    start(env)
    quota(env, "q", {"pods": "5"})
    env.settle()
    env.pod("a", node_name="n1")
    env.api.delete("pods", "a", NS)  # graceful (30 s): no kubelet here to finish it
    env.settle()
    env.advance(65.0)  # past deletionTimestamp + grace, but no event says so
    assert used(env, "q") == {"pods": "1"}
    env.advance(RESOURCE_QUOTA_SYNC_PERIOD_S)
    assert used(env, "q") == {"pods": "0"}


def test_a_status_a_client_wrote_is_reset_by_the_full_resync_only() -> None:
    env = SimEnv()
    start(env)
    quota(env, "q", {"cpu": "1"})
    env.settle()
    q = env.api.get(RQ, "q", NS)
    q["status"] = {"hard": {"cpu": "2"}}
    env.api.update(RQ, q, NS, subresource="status")
    env.settle()
    assert status(env, "q") == {"hard": {"cpu": "2"}}  # status writes are not watched
    env.advance(RESOURCE_QUOTA_SYNC_PERIOD_S + 1)
    assert status(env, "q") == {"hard": {"cpu": "1"}, "used": {"cpu": "0"}}


def test_the_resync_period_is_configurable() -> None:
    env = SimEnv(config=ClusterConfig(extra={"resource_quota_sync_period_s": 10.0}))
    _, c = start(env)
    assert c.sync_period_s == 10.0
    quota(env, "q", {"cpu": "1"})
    env.settle()
    q = env.api.get(RQ, "q", NS)
    q["status"] = {"hard": {"cpu": "3"}}
    env.api.update(RQ, q, NS, subresource="status")
    env.advance(11.0)
    assert status(env, "q")["hard"] == {"cpu": "1"}


def test_a_spec_change_is_synced_at_once() -> None:
    env = SimEnv()
    start(env)
    quota(env, "q", {"cpu": "1"})
    env.settle()
    env.api.patch(RQ, "q", {"spec": {"hard": {"cpu": "2", "pods": "4"}}}, "merge", NS)
    env.settle()
    assert status(env, "q") == {"hard": {"cpu": "2", "pods": "4"}, "used": {"cpu": "0", "pods": "0"}}


def test_scopes_decide_which_pods_a_quota_counts() -> None:
    env = SimEnv()
    pod(env, "besteffort")
    pod(env, "burstable", requests={"cpu": "100m"}, limits={"cpu": "200m", "memory": "64Mi"})
    pod(env, "deadline", requests={"cpu": "50m"}, activeDeadlineSeconds=60)
    start(env)
    quota(env, "be", {"pods": "9"}, scopes=["BestEffort"])
    quota(env, "nbe", {"pods": "9", "limits.cpu": "9"}, scopes=["NotBestEffort"])
    quota(env, "term", {"pods": "9"}, scopeSelector={"matchExpressions": [{"scopeName": "Terminating", "operator": "Exists"}]})
    quota(env, "long", {"pods": "9", "requests.cpu": "9"}, scopes=["NotTerminating"])
    quota(env, "count", {"count/pods": "9", "count/configmaps": "9"}, scopes=["NotTerminating"])
    env.settle()
    assert used(env, "be") == {"pods": "1"}
    assert used(env, "nbe") == {"limits.cpu": "200m", "pods": "2"}
    assert used(env, "term") == {"pods": "1"}
    assert used(env, "long") == {"pods": "2", "requests.cpu": "100m"}
    # count/pods is the pod evaluator's (scoped); an object count with scopes counts nothing
    assert used(env, "count") == {"count/configmaps": "0", "count/pods": "2"}


def test_a_pod_turning_terminating_is_moved_by_the_controller() -> None:
    env = SimEnv()
    start(env)
    quota(env, "term", {"pods": "9"}, scopes=["Terminating"])
    quota(env, "long", {"pods": "9"}, scopes=["NotTerminating"])
    env.settle()
    env.pod("a")
    env.settle()
    env.api.patch("pods", "a", {"spec": {"activeDeadlineSeconds": 30}}, "merge", NS)
    env.settle()
    assert (used(env, "term"), used(env, "long")) == ({"pods": "1"}, {"pods": "0"})


def test_deleting_a_quota_releases_it_from_the_others_count() -> None:
    env = SimEnv()
    start(env)
    quota(env, "a", {"resourcequotas": "5"})
    quota(env, "b", {"pods": "1"})
    env.settle()
    assert used(env, "a") == {"resourcequotas": "2"}
    env.api.delete(RQ, "b", NS)
    env.settle()
    assert used(env, "a") == {"resourcequotas": "1"}


def test_quotas_of_other_namespaces_are_not_touched() -> None:
    env = SimEnv()
    env.api.create("namespaces", {"metadata": {"name": "other"}})
    start(env)
    quota(env, "q", {"pods": "5"})
    env.settle()
    env.api.create("pods", {"metadata": {"name": "x"}, "spec": {"containers": [{"name": "c", "image": IMAGE}]}}, "other")
    env.api.delete("pods", "x", "other")
    env.settle()
    assert used(env, "q") == {"pods": "0"}
