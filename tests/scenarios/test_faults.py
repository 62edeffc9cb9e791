"""Control-plane faults mid-flight: components restart, watches drop, etcd compacts — and the
cluster still converges, as real Kubernetes does (informers re-list, controllers are level-based).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from reference_impl.cluster import ReferenceCluster
from tests.scenarios import (
    NS,
    cluster,
    deployment,
    is_ready,
    live_pods,
    pods,
    service,
    set_image,
    wait,
)

V2 = "registry.k8s.io/pause:3.9"


def _rolled_out(c: ReferenceCluster, replicas: int, image: str) -> bool:
    d = c.api.get("deployments", "web", NS)
    st = d.get("status") or {}
    ps = pods(c)
    return (
        st.get("observedGeneration") == d["metadata"]["generation"]
        and st.get("updatedReplicas") == replicas
        and st.get("availableReplicas") == replicas
        and st.get("replicas") == replicas
        and len(ps) == replicas
        and all(is_ready(p) and p["spec"]["containers"][0]["image"] == image for p in ps)
    )


def _routes_consistent(c: ReferenceCluster) -> bool:
    vip = c.api.get("services", "web", NS)["spec"]["clusterIP"]
    want = sorted(f"{p['status']['podIP']}:80" for p in live_pods(c) if is_ready(p))
    return all(sorted(rules.get(f"{vip}:80/TCP", [])) == want for rules in c.routes().values())


def _start(replicas: int = 6) -> ReferenceCluster:
    c = cluster()
    c.api.create("deployments", deployment("web", replicas), NS)
    c.api.create("services", service("web", {"app": "web"}, [{"port": 80}]), NS)
    wait(c, lambda: _rolled_out(c, replicas, "registry.k8s.io/pause:3.10"), timeout_s=60)
    return c


FAULTS: dict[str, Callable[[ReferenceCluster], object]] = {
    "scheduler": ReferenceCluster.restart_scheduler,
    "controller-manager": ReferenceCluster.restart_controller_manager,
    "apiserver": ReferenceCluster.restart_apiserver,
    "drop-watches": ReferenceCluster.drop_watches,
    "compact+drop-watches": lambda c: (c.compact(), c.drop_watches()),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("at_s", [0.0, 0.5, 1.5])
def test_rollout_completes_despite_a_control_plane_fault(fault: str, at_s: float) -> None:
    c = _start()
    set_image(c, "web", V2)
    c.advance(at_s)
    FAULTS[fault](c)
    wait(c, lambda: _rolled_out(c, 6, V2), timeout_s=300)
    c.advance(2)
    assert _routes_consistent(c)
    rss = c.api.list("replicasets", NS)["items"]
    assert sorted(r["spec"]["replicas"] for r in rss) == [0, 6]


def test_repeated_faults_during_rollout() -> None:
    c = _start()
    set_image(c, "web", V2)
    for fault in ("scheduler", "controller-manager", "apiserver", "drop-watches", "scheduler"):
        c.advance(0.7)
        FAULTS[fault](c)
    wait(c, lambda: _rolled_out(c, 6, V2), timeout_s=300)
    c.advance(2)
    assert _routes_consistent(c)


def test_compaction_forces_relist_and_the_cluster_keeps_converging() -> None:
    c = _start(3)
    # an informer that saw nothing for a while holds an old resourceVersion; churn moves the store on
    for i in range(20):
        c.api.create(
            "configmaps",
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm{i}", "namespace": NS}},
            NS,
        )
    rev = c.compact()
    assert c.store.compacted_revision == rev
    relists_before = sum(inf.relists for inf in c.controller_manager.informers._informers.values())
    c.drop_watches()
    c.advance(5)
    relists_after = sum(inf.relists for inf in c.controller_manager.informers._informers.values())
    assert relists_after > relists_before, "an informer whose resourceVersion was compacted must re-list"

    c.api.patch("deployments", "web", {"spec": {"replicas": 5}}, "merge", NS)
    wait(c, lambda: _rolled_out(c, 5, "registry.k8s.io/pause:3.10"), timeout_s=120)
    c.advance(2)
    assert _routes_consistent(c)
    # and again, compacting while the scale-down is in flight
    c.api.patch("deployments", "web", {"spec": {"replicas": 2}}, "merge", NS)
    c.compact()
    c.drop_watches()
    wait(c, lambda: _rolled_out(c, 2, "registry.k8s.io/pause:3.10"), timeout_s=120)
    c.advance(2)
    assert _routes_consistent(c)


def test_periodic_compaction_does_not_disturb_a_long_run() -> None:
    c = _start(3)
    c.advance(1000)  # three 300 s compaction ticks
    assert c.store.compacted_revision > 0
    c.drop_watches()
    c.api.patch("deployments", "web", {"spec": {"replicas": 4}}, "merge", NS)
    wait(c, lambda: _rolled_out(c, 4, "registry.k8s.io/pause:3.10"), timeout_s=120)
    set_image(c, "web", V2)
    wait(c, lambda: _rolled_out(c, 4, V2), timeout_s=300)
    c.advance(2)
    assert _routes_consistent(c)


def test_node_loss_during_controller_manager_restart() -> None:
    c = _start()
    c.kill_node("node-1")
    c.advance(20)
    c.restart_controller_manager()  # loses its node-health memory: must re-observe grace from scratch
    c.advance(30)
    c.restart_controller_manager()
    wait(
        c,
        lambda: (
            sum(is_ready(p) for p in live_pods(c)) == 6
            and all(p["spec"]["nodeName"] != "node-1" for p in live_pods(c))
        ),
        timeout_s=700,
        step_s=5,
    )
    c.advance(2)
    assert _routes_consistent(c)
