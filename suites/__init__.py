"""kconform's suites: hypothesis state machines, one module per concern.

Each module defines a :class:`kconform.stateful.KconformMachine` subclass and its pytest test
class. They import only :mod:`kconform` (never ``reference_impl``), so the same suite runs on
every backend. ``SUITES`` maps a suite's name (``kconform run --suite NAME``) to its machine.
"""

SUITES: dict[str, str] = {
    "workloads": "suites.workloads_suite:WorkloadsMachine",
    "node-chaos": "suites.node_chaos_suite:NodeChaosMachine",
    "scheduling": "suites.scheduling_suite:SchedulingMachine",
    "services": "suites.services_suite:ServicesMachine",
    "gc-namespaces": "suites.gc_namespaces_suite:GcNamespacesMachine",
    "batch": "suites.batch_suite:BatchMachine",
    "api-semantics": "suites.api_semantics_suite:ApiSemanticsMachine",
}
