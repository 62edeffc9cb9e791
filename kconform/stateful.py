"""The base of every suite: a hypothesis state machine that drives a cluster and checks it.

A suite subclasses :class:`KconformMachine` and writes rules that call :meth:`run` with
:mod:`kconform.program` steps (apply, delete, scale, set image, inject a fault, advance time).
The base class records the program, checks the safety invariants after every step, and at
teardown lets the faults stop, waits for the cluster to settle (long enough for node-monitor
grace periods and tolerationSeconds to pass) and checks the liveness invariants. Failures
carry the backend, the seed and the (shrunk) program, and can be written as replay files.
"""

from __future__ import annotations

import time
from typing import ClassVar

from hypothesis.stateful import RuleBasedStateMachine, invariant

from kconform import session
from kconform.backends.base import Cluster, Snapshot
from kconform.errors import CapabilityMissing, InvalidArgument
from kconform.invariants import (
    LIVENESS_CHECKS,
    Expectations,
    InvariantViolation,
    SafetyMonitor,
    Violation,
    check_liveness,
)
from kconform.program import Program, Step, StepResult, describe, execute, set_last

NODE_MONITOR_GRACE_S = 50.0
DEFAULT_TOLERATION_S = 300.0


class SuiteStats:
    """Counters per suite across examples (for ``kconform run``'s summary table)."""

    def __init__(self) -> None:
        self.examples = 0
        self.steps = 0
        self.faults = 0
        self.wall_s = 0.0

    def as_dict(self) -> dict[str, float]:
        return {"examples": self.examples, "steps": self.steps, "faults": self.faults, "wall_s": self.wall_s}


STATS: dict[str, SuiteStats] = {}


class KconformMachine(RuleBasedStateMachine):
    """Base class of the suites."""

    suite_name: ClassVar[str] = "unnamed"
    requires: ClassVar[frozenset[str]] = frozenset()
    # simulated seconds to let the cluster converge before the liveness checks
    settle_timeout_s: ClassVar[float] = 900.0
    # names of kconform.invariants.LIVENESS_CHECKS functions to run at teardown; None = all
    liveness_checks: ClassVar[tuple[str, ...] | None] = None

    def __init__(self) -> None:
        super().__init__()
        sess = session.current()
        self._t0 = time.perf_counter()
        self.cluster: Cluster = sess.make_cluster()
        missing = sorted(self.requires - self.cluster.capabilities)
        if missing:
            self.cluster.close()
            raise CapabilityMissing(missing[0], self.cluster.name)
        self.program = Program(suite=self.suite_name, backend=self.cluster.name, seed=sess.seed, nodes=sess.nodes)
        set_last(self.program)
        self.monitor = SafetyMonitor()
        self.expect = Expectations(deleted_namespaces=set(), deleted_objects={})
        self.faults_active = False
        self.failed = False
        self.stats = STATS.setdefault(self.suite_name, SuiteStats())
        self.stats.examples += 1
        self.last_snapshot: Snapshot | None = None

    # -- acting -----------------------------------------------------------------------------
    def run(self, step: Step) -> StepResult:
        """Execute and record one step."""
        self.program.steps.append(step)
        self.stats.steps += 1
        if step.get("op") == "fault":
            self.stats.faults += 1
        try:
            return execute(self.cluster, step)
        except Exception:
            self.failed = True
            raise

    def fail(self, message: str) -> None:
        """A suite-specific expectation did not hold."""
        self.failed = True
        self.program.failure = message
        raise AssertionError(f"{message}\n\n{self.program.describe()}")

    def node_names(self) -> list[str]:
        names = getattr(self.cluster, "node_names", None)
        if callable(names):
            return list(names())
        return sorted(n["metadata"]["name"] for n in self.cluster.list("nodes"))

    # -- checking ---------------------------------------------------------------------------
    def _raise(self, violations: list[Violation], when: str) -> None:
        self.failed = True
        self.program.failure = f"{when}: " + "; ".join(str(v) for v in violations[:5])
        raise InvariantViolation(violations, context=f"{when}\n{self.program.describe()}")

    @invariant()
    def safety_holds(self) -> None:
        snap = self.cluster.snapshot()
        self.last_snapshot = snap
        violations = self.monitor.observe(snap, faults_active=self.faults_active)
        if violations:
            self._raise(violations, f"safety violated after step {len(self.program.steps)}")

    def liveness_wait_s(self, snap: Snapshot) -> float:
        """Long enough for dead nodes' pods to be evicted after their tolerationSeconds."""
        if not snap.dead_nodes:
            return 0.0
        longest = 0.0
        for pod in snap.of("pods"):
            if pod.get("spec", {}).get("nodeName") not in snap.dead_nodes:
                continue
            for t in pod.get("spec", {}).get("tolerations") or []:
                secs = t.get("tolerationSeconds")
                if secs is not None and t.get("effect") == "NoExecute":
                    longest = max(longest, float(secs))
        # the backend's own grace period where it knows it (a real cluster on fast timings: 5 s)
        grace_s = float(getattr(self.cluster, "node_monitor_grace_period_s", NODE_MONITOR_GRACE_S))
        return grace_s + longest + 30.0

    def teardown(self) -> None:
        try:
            if not self.failed:
                self.check_eventually()
        finally:
            self.stats.wall_s += time.perf_counter() - self._t0
            self.cluster.close()

    def check_eventually(self) -> None:
        """Faults stop; the cluster settles; every liveness invariant must hold."""
        self.faults_active = False
        snap = self.cluster.snapshot()
        wait = self.liveness_wait_s(snap)
        if wait:
            self.run({"op": "advance", "seconds": wait})
        self.run({"op": "settle", "timeout_s": self.settle_timeout_s})
        self.run({"op": "check", "what": "liveness"})
        snap = self.cluster.snapshot()
        if self.liveness_checks is None:
            violations = check_liveness(snap, self.expect)
        else:
            wanted = set(self.liveness_checks)
            unknown = wanted - {c.__name__ for c in LIVENESS_CHECKS}
            if unknown:
                raise InvalidArgument(f"{type(self).__name__}.liveness_checks names unknown checks: {sorted(unknown)}")
            violations = [v for c in LIVENESS_CHECKS if c.__name__ in wanted for v in c(snap, self.expect)]
        if violations:
            self._raise(violations, "liveness violated after the cluster settled")

    # -- helpers for suites -----------------------------------------------------------------
    def note_deleted(self, resource: str, namespace: str | None, name: str, policy: str) -> None:
        self.expect.deleted_objects[f"{resource}/{namespace or ''}/{name}"] = policy

    def note_restored(self, resource: str, namespace: str | None, name: str) -> None:
        self.expect.deleted_objects.pop(f"{resource}/{namespace or ''}/{name}", None)

    @staticmethod
    def describe(step: Step) -> str:
        return describe(step)


def program_of(suite: str) -> Program | None:
    from kconform.program import last

    return last(suite)


__all__ = ["STATS", "KconformMachine", "SuiteStats", "example_namespace", "program_of", "suite_test"]



def suite_test(machine: type[KconformMachine]) -> type:
    """The pytest test class of a suite (``TestWorkloads = suite_test(WorkloadsMachine)``).

    Settings come from the active hypothesis profile (``--kconform-profile``); the plugin
    skips the suite when the backend lacks one of ``machine.requires``.
    """
    test_case = machine.TestCase
    test_case._kconform_machine = machine  # type: ignore[attr-defined]
    return test_case


def example_namespace(suite: str, capabilities: frozenset[str]) -> dict[str, object]:
    """The namespace one example works in: fixed on simulated clusters (so runs replay byte for
    byte), unique on real ones (a previous example's namespace may still be terminating)."""
    import uuid

    from kconform.backends.base import SIMULATED_TIME

    name = f"kconform-{suite}"
    if SIMULATED_TIME not in capabilities:
        name = f"{name}-{uuid.uuid4().hex[:6]}"
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": "kconform"}},
    }
