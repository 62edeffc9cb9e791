"""The reference kube-scheduler (``pkg/scheduler``): queue, cache, plugins, binding.

:class:`Scheduler` is the component; :data:`REGISTRY` maps plugin names to factories.
"""

from reference_impl.scheduler.plugins import DEFAULT_PLUGINS, REGISTRY
from reference_impl.scheduler.scheduler import DEFAULT_SCHEDULER_NAME, Scheduler, num_feasible_nodes_to_find

__all__ = ["DEFAULT_PLUGINS", "DEFAULT_SCHEDULER_NAME", "REGISTRY", "Scheduler", "num_feasible_nodes_to_find"]
