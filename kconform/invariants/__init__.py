"""The oracle: pure checks over cluster snapshots, independent of ``reference_impl``.

Safety invariants (:mod:`~kconform.invariants.safety`) hold in every snapshot, faults or not;
suites check them after every step, through a :class:`SafetyMonitor` for the checks that span
snapshots. Liveness invariants (:mod:`~kconform.invariants.liveness`) hold once faults stop and the
cluster has settled. Every check returns a list of :class:`Violation`; an empty list means the
snapshot is fine, and :func:`assert_no_violations` turns a non-empty one into a test failure.

Nothing here imports ``reference_impl``: an oracle that shared its code would share its bugs.
"""

from kconform.invariants.liveness import (
    LIVENESS_CHECKS,
    Expectations,
    check_daemonsets,
    check_dead_node_pods,
    check_deployments,
    check_endpointslices,
    check_garbage_collection,
    check_jobs,
    check_liveness,
    check_namespaces,
    check_replicasets,
    check_routes,
    check_statefulsets,
    check_workload_pods,
    stuck_reason,
)
from kconform.invariants.safety import (
    SafetyMonitor,
    check_node_overcommit,
    check_pod_placement,
    check_safety,
    check_unique_cluster_ips,
    check_unique_node_ports,
    check_unique_pod_ips,
    max_surge,
    max_unavailable,
)
from kconform.invariants.violations import InvariantViolation, Violation, assert_no_violations

__all__ = [
    "LIVENESS_CHECKS",
    "Expectations",
    "InvariantViolation",
    "SafetyMonitor",
    "Violation",
    "assert_no_violations",
    "check_daemonsets",
    "check_dead_node_pods",
    "check_deployments",
    "check_endpointslices",
    "check_garbage_collection",
    "check_jobs",
    "check_liveness",
    "check_namespaces",
    "check_node_overcommit",
    "check_pod_placement",
    "check_replicasets",
    "check_routes",
    "check_safety",
    "check_statefulsets",
    "check_unique_cluster_ips",
    "check_unique_node_ports",
    "check_unique_pod_ips",
    "check_workload_pods",
    "max_surge",
    "max_unavailable",
    "stuck_reason",
]
