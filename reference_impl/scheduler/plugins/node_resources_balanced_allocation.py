"""NodeResourcesBalancedAllocation: prefer nodes whose cpu and memory use stay balanced.

Follows ``pkg/scheduler/framework/plugins/noderesources/balanced_allocation.go``: with the
pod's actual requests (``useRequested``), fraction = requested / allocatable per resource
(capped at 1), score = ``int((1 - std) * 100)`` where for two resources std = |f1 - f2| / 2.
No normalisation. Default weight 1.
"""

from __future__ import annotations

import math
from typing import Any

from reference_impl.scheduler.framework import CycleState, Plugin
from reference_impl.scheduler.types import PodInfo


def balanced_score(req_cpu: int, alloc_cpu: int, req_mem: int, alloc_mem: int) -> int:
    fractions = []
    if alloc_cpu:
        fractions.append(min(req_cpu / alloc_cpu, 1.0))
    if alloc_mem:
        fractions.append(min(req_mem / alloc_mem, 1.0))
    std = 0.0
    if len(fractions) == 2:
        std = abs((fractions[0] - fractions[1]) / 2)
    elif len(fractions) > 2:  # pragma: no cover - only cpu and memory are configured
        mean = sum(fractions) / len(fractions)
        std = math.sqrt(sum((f - mean) ** 2 for f in fractions) / len(fractions))
    return int((1 - std) * 100)


class NodeResourcesBalancedAllocation(Plugin):
    name = "NodeResourcesBalancedAllocation"
    weight = 1
    is_score = True

    def score_key(self, pod: PodInfo) -> str:
        return f"{pod.req_cpu},{pod.req_mem}"

    def score_nodes(self, state: CycleState, pod: PodInfo, nodes: list[Any]) -> list[int]:
        cpu, mem = pod.req_cpu, pod.req_mem
        return [balanced_score(n.req_cpu + cpu, n.alloc_cpu, n.req_mem + mem, n.alloc_mem) for n in nodes]
