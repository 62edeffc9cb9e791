"""The scheduler cache's node bookkeeping that filters rely on to skip work."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reference_impl.scheduler.cache import FLOOR_REFRESH_CYCLES, SchedulerCache
from reference_impl.scheduler.types import PodInfo
from tests.scheduler.helpers import node, pod

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


def _true_floor(cache: SchedulerCache) -> tuple[int, int, int]:
    listed = cache.node_list()
    return (
        min(n.free_pods for n in listed),
        min(n.free_cpu for n in listed),
        min(n.free_mem for n in listed),
    )


def test_free_floor_follows_binds_exactly_and_never_exceeds_the_fullest_node() -> None:
    cache = SchedulerCache()
    assert cache.free_floor() is None  # no nodes
    cache.add_node(node("a", cpu="2", memory="4Gi", pods="3"))
    cache.add_node(node("b", cpu="4", memory="8Gi", pods="3"))
    assert cache.free_floor() == (3, 2000, 4 * 2**30)
    p1 = PodInfo(pod("p1", cpu="500m", memory="1Gi"))
    cache.assume(p1, "a")
    assert cache.free_floor() == _true_floor(cache) == (2, 1500, 3 * 2**30)
    cache.add_pod(PodInfo(pod("p2", cpu="1", node_name="b")))
    assert cache.free_floor() == _true_floor(cache)
    cache.remove_pod(p1.key)  # frees room on "a": the floor may lag, never lead
    for _ in range(FLOOR_REFRESH_CYCLES - 1):
        floor = cache.free_floor()
        assert floor is not None and all(f <= t for f, t in zip(floor, _true_floor(cache), strict=True))
    assert cache.free_floor() == _true_floor(cache)  # refreshed
    cache.update_node(node("b", cpu="1", memory="8Gi", pods="3"))  # shrunk below its pods' needs
    assert cache.free_floor() == _true_floor(cache) == (2, 0, 4 * 2**30)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 3), st.integers(0, 2500)), max_size=40))
def test_free_floor_is_a_lower_bound_under_any_churn(ops: list[tuple[str, int, int]]) -> None:
    cache = SchedulerCache()
    for n in "abc":
        cache.add_node(node(n, cpu="2", memory="4Gi", pods="4"))
    live: list[PodInfo] = []
    for i, (where, action, cpu_m) in enumerate(ops):
        if action <= 1:
            pi = PodInfo(pod(f"p{i}", cpu=f"{cpu_m}m"))
            cache.assume(pi, where)
            live.append(pi)
        elif action == 2 and live:
            cache.remove_pod(live.pop(cpu_m % len(live)).key)
        else:
            cache.update_node(node(where, cpu=str(1 + cpu_m % 3), memory="4Gi", pods="4"))
        floor = cache.free_floor()
        assert floor is not None
        assert all(f <= t for f, t in zip(floor, _true_floor(cache), strict=True))
