"""Timings and sizes of the reference cluster; the defaults are Kubernetes' defaults.

Every knob names its unit last (``grace_period_s``). Upstream sources:
``pkg/controller/nodelifecycle/config/v1alpha1/defaults.go`` (node monitor),
``pkg/kubelet/apis/config/v1beta1/defaults.go`` (kubelet),
``plugin/pkg/admission/defaulttolerationseconds`` (300 s),
``pkg/scheduler/apis/config/v1/defaults.go`` and ``pkg/scheduler/internal/queue`` (scheduler),
``pkg/kubelet/kubelet.go`` (CrashLoopBackOff 10 s doubling to 300 s).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ClusterConfig:
    # node lifecycle controller
    node_monitor_period_s: float = 5.0
    node_monitor_grace_period_s: float = 50.0
    node_startup_grace_period_s: float = 60.0
    # kubelet
    node_status_update_frequency_s: float = 10.0
    node_status_report_frequency_s: float = 300.0
    node_lease_duration_s: int = 40
    node_lease_renew_interval_s: float = 10.0
    max_pods: int = 110
    node_cpu: str = "4"
    node_memory: str = "8Gi"
    node_ephemeral_storage: str = "100Gi"
    zones: tuple[str, ...] = ("zone-a", "zone-b", "zone-c")
    pod_cidr: str = "10.244.0.0/16"  # each node gets a /24 from it, as kube-controller-manager allocates
    image_pull_s: float = 1.0
    container_start_s: float = 0.5
    crashloop_backoff_initial_s: float = 10.0
    crashloop_backoff_max_s: float = 300.0
    image_pull_backoff_initial_s: float = 10.0
    image_pull_backoff_max_s: float = 300.0
    pleg_relist_period_s: float = 1.0
    kubelet_pod_sync_delay_s: float = 0.1  # from the pod's watch event to the kubelet's admission
    # admission
    default_toleration_seconds: int = 300
    # scheduler
    percentage_of_nodes_to_score: int = 0  # 0 = adaptive, as upstream
    pod_initial_backoff_s: float = 1.0
    pod_max_backoff_s: float = 10.0
    pod_max_in_unschedulable_s: float = 300.0
    # controller manager
    terminated_pod_gc_threshold: int = 12500
    controller_resync_s: float = 0.0
    # --root-ca-file: the CA the root CA publisher copies into each namespace; "" = the cluster's
    # own CA, made from its seed (reference_impl.apiserver.pki)
    root_ca_pem: str = ""
    # API server
    service_cidr: str = "10.96.0.0/12"
    node_port_range: tuple[int, int] = (30000, 32767)
    compaction_interval_s: float = 300.0  # kube-apiserver --etcd-compaction-interval
    # simulated network latency between a component and the API server
    extra: dict[str, object] = field(default_factory=dict)


DEFAULT_CONFIG = ClusterConfig()
