"""Timing profiles shared by the reference cluster and the real control plane.

One profile, two implementations: the reference takes it as its ``ClusterConfig`` knobs
(:func:`kconform.backends.reference`), the real control plane as component flags
(:mod:`kconform.upstream.cluster`): kube-controller-manager ``--node-monitor-period`` and
``--node-monitor-grace-period``, kube-apiserver ``--default-not-ready-toleration-seconds``
and ``--default-unreachable-toleration-seconds``, kwok ``--node-lease-duration-seconds``
(kwok renews a Lease every quarter of its duration, as the kubelet does:
``pkg/kubelet/kubelet.go``). So the same program means the same thing on both.

``default`` is Kubernetes' defaults (``pkg/controller/nodelifecycle/config/v1alpha1/defaults.go``,
``pkg/kubelet/apis/config/v1beta1/defaults.go``,
``plugin/pkg/admission/defaulttolerationseconds``). ``fast`` keeps their ratios at a tenth of
the time, so that a node-loss example (grace period, then eviction at the toleration) heals in
seconds on a real cluster: 5 s grace period, 0.5 s monitor period, 4 s Leases renewed every
second, 30 s default tolerations.
"""

from __future__ import annotations

from dataclasses import dataclass

from kconform.errors import InvalidArgument


@dataclass(frozen=True)
class Timings:
    name: str
    node_monitor_period_s: float
    node_monitor_grace_period_s: float
    node_startup_grace_period_s: float
    node_lease_duration_s: int
    node_status_update_frequency_s: float
    default_toleration_seconds: int

    @property
    def node_lease_renew_interval_s(self) -> float:
        return self.node_lease_duration_s / 4

    def settle_bound_s(self) -> float:
        """How long a healthy cluster may take to notice a change and react (a wait's bound)."""
        return self.node_monitor_grace_period_s + self.node_monitor_period_s * 4 + self.node_lease_duration_s

    def go_duration(self, seconds: float) -> str:
        """``500ms``, ``5s``: a Go ``time.Duration`` flag value."""
        ms = round(seconds * 1000)
        return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


TIMINGS: dict[str, Timings] = {
    "default": Timings(
        name="default",
        node_monitor_period_s=5.0,
        node_monitor_grace_period_s=50.0,
        node_startup_grace_period_s=60.0,
        node_lease_duration_s=40,
        node_status_update_frequency_s=10.0,
        default_toleration_seconds=300,
    ),
    "fast": Timings(
        name="fast",
        node_monitor_period_s=0.5,
        node_monitor_grace_period_s=5.0,
        node_startup_grace_period_s=6.0,
        node_lease_duration_s=4,
        node_status_update_frequency_s=1.0,
        default_toleration_seconds=30,
    ),
}


def timings(name: str) -> Timings:
    try:
        return TIMINGS[name]
    except KeyError:
        raise InvalidArgument(f"unknown timing profile {name!r}; choose one of: {', '.join(TIMINGS)}") from None


__all__ = ["TIMINGS", "Timings", "timings"]
