"""The suites must find bugs: plant realistic ones in the reference and watch them get caught.

Each mutant monkeypatches one behaviour of ``reference_impl`` into a plausible bug (the kind a
real controller could ship with), runs one suite under the derandomized ``ci`` profile on the
reference backend, and asserts that the suite fails, that the failing program replays the
failure, and that hypothesis' shrinking followed by ``kconform minimize`` brings it down to a
handful of steps (hypothesis alone gets there or not depending on how fast the machine runs
its minute of shrinking). The lengths are printed (``pytest -s``) for the record. These are slower than unit tests (a suite run plus shrinking
each), which is why they run in parallel under ``pytest -n auto`` like everything else.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import hypothesis.internal.conjecture.engine as hypothesis_engine
import pytest
from hypothesis.stateful import run_state_machine_as_test

from kconform import profiles, session
from kconform.minimize import minimize
from kconform.program import last

Patch = Callable[[pytest.MonkeyPatch], None]
SHRINK_BUDGET_S = 60


@dataclass(frozen=True)
class Mutant:
    name: str
    suite: str
    patch: Patch
    max_steps: int = 25

    def __str__(self) -> str:
        return self.name


def _machine(suite: str) -> Any:
    spec = importlib.import_module("suites").SUITES[suite]
    module, _, cls = spec.partition(":")
    return getattr(importlib.import_module(module), cls)


# -- the planted bugs ----------------------------------------------------------------------------
def scheduler_ignores_taints(mp: pytest.MonkeyPatch) -> None:
    from reference_impl.scheduler.plugins import taint_toleration as tt

    mp.setattr(tt.TaintToleration, "filter", lambda self, state, pod, node: None)
    mp.setattr(tt.TaintToleration, "filter_nodes", lambda self, state, pod, nodes, failed: list(nodes))


def scheduler_ignores_resources(mp: pytest.MonkeyPatch) -> None:
    from reference_impl.scheduler.plugins import node_resources_fit as fit

    mp.setattr(fit.NodeResourcesFit, "filter", lambda self, state, pod, node: None)
    mp.setattr(fit.NodeResourcesFit, "filter_nodes", lambda self, state, pod, nodes, failed: list(nodes))


def replicaset_counts_terminating_pods(mp: pytest.MonkeyPatch) -> None:
    from reference_impl.controllers import _podutil as pu

    def active(pod: Any) -> bool:
        # the bug: forgets that a pod with deletionTimestamp is on its way out
        return (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed")

    mp.setattr(pu, "is_pod_active", active)


def node_lifecycle_never_evicts(mp: pytest.MonkeyPatch) -> None:
    from reference_impl.controllers import node_lifecycle as nl

    mp.setattr(nl.NodeLifecycleController, "_evict", lambda self, key, ev: None)


def endpointslices_list_unready_pods(mp: pytest.MonkeyPatch) -> None:
    from reference_impl.controllers import endpointslice as es

    mp.setattr(es, "pod_ready", lambda pod: bool((pod.get("status") or {}).get("podIP")))


def kube_proxy_keeps_deleted_services(mp: pytest.MonkeyPatch) -> None:
    from reference_impl.kube_proxy import proxy as kp

    original = kp.KubeProxy._sync_service

    def sync(self: Any, key: str) -> None:
        if self.services.get(key) is None:
            return  # the bug: rules of a deleted Service are never removed
        original(self, key)

    mp.setattr(kp.KubeProxy, "_sync_service", sync)


MUTANTS = [
    Mutant("scheduler ignores taints", "scheduling", scheduler_ignores_taints),
    Mutant("scheduler ignores resource requests", "scheduling", scheduler_ignores_resources),
    Mutant("replicaset counts terminating pods as active", "node-chaos", replicaset_counts_terminating_pods),
    Mutant("node lifecycle never evicts", "node-chaos", node_lifecycle_never_evicts),
    Mutant("endpointslices list not-ready pods as ready", "services", endpointslices_list_unready_pods),
    Mutant("kube-proxy keeps rules of deleted services", "services", kube_proxy_keeps_deleted_services),
]


@pytest.fixture(autouse=True)
def _reference_session() -> Any:
    previous = session.current()
    session.configure(backend="reference", seed=0)
    yield
    session._current = previous


@pytest.mark.parametrize("mutant", MUTANTS, ids=str)
def test_the_suites_catch_a_planted_bug(mutant: Mutant, monkeypatch: pytest.MonkeyPatch) -> None:
    machine = _machine(mutant.suite)
    # Hypothesis shrinks for up to five minutes; a minute keeps the self-test inside CI's budget,
    # and ``minimize`` finishes the job by replaying (both figures are printed)
    monkeypatch.setattr(hypothesis_engine, "MAX_SHRINKING_SECONDS", SHRINK_BUDGET_S)
    mutant.patch(monkeypatch)
    with pytest.raises(AssertionError) as caught:
        run_state_machine_as_test(machine, settings=profiles.get("ci"))
    program = last(machine.suite_name)
    assert program is not None and program.steps, "the failing run recorded no program"
    # the shrunk program replays the failure on a fresh cluster, and replaying shrinks it further
    result = minimize(program, session.current().make_cluster)
    assert result is not None, f"the shrunk program did not replay the failure:\n{program.describe()}"
    assert result.kinds, result.program.describe()
    print(f"\n{mutant.name}: caught by {mutant.suite}, shrunk to {len(program.steps)} steps, minimized to "
          f"{len(result.program.steps)}: {str(caught.value).splitlines()[0][:160]}")
    assert len(result.program.steps) <= mutant.max_steps, result.program.describe()
