"""The scheduler cache's node bookkeeping that filters rely on to skip work."""

from __future__ import annotations

from reference_impl.scheduler.cache import SchedulerCache
from tests.scheduler.helpers import node

NO_SCHEDULE = {"key": "k", "value": "v", "effect": "NoSchedule"}
PREFER = {"key": "soft", "effect": "PreferNoSchedule"}


def test_node_flags_follow_taints_cordons_and_removals() -> None:
    cache = SchedulerCache()
    cache.add_node(node("a"))
    cache.add_node(node("b", taints=[NO_SCHEDULE, PREFER]))
    cache.add_node(node("c", unschedulable=True))
    assert cache.node_flags() == {"hard_taints": 1, "prefer_taints": 1, "unschedulable": 1}
    cache.update_node(node("b", taints=[PREFER]))  # the NoSchedule taint is lifted
    cache.update_node(node("a", unschedulable=True))  # cordoned
    assert cache.node_flags() == {"hard_taints": 0, "prefer_taints": 1, "unschedulable": 2}
    cache.remove_node("b")
    cache.remove_node("c")
    assert cache.node_flags() == {"hard_taints": 0, "prefer_taints": 0, "unschedulable": 1}
    cache.add_node(node("c", taints=[NO_SCHEDULE]))  # back, tainted this time
    assert cache.node_flags() == {"hard_taints": 1, "prefer_taints": 0, "unschedulable": 1}
