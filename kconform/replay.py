"""Re-running a recorded program on any backend, checking the invariants as the suite did.

Safety after every step, the expectations of ``apply-invalid`` steps, and liveness once the
program's final ``check`` step comes (the suites end every program with advance, settle,
check). Returns what was violated; an empty list means the failure did not reproduce.
"""

from __future__ import annotations

from collections.abc import Callable

from kconform.backends.base import Cluster
from kconform.faults import fault_from_dict
from kconform.invariants import Expectations, SafetyMonitor, Violation, check_liveness
from kconform.program import Program, Step, describe, execute

BREAKING = {"KillNode", "PartitionNode"}
HEALING = {"RestartNode", "HealNode"}


def run_program(
    cluster: Cluster,
    program: Program,
    *,
    on_step: Callable[[int, Step, str], None] | None = None,
) -> list[str]:
    """Execute ``program`` on ``cluster``; the list of problems found (empty: all held)."""
    monitor = SafetyMonitor()
    expect = Expectations(deleted_namespaces=set(), deleted_objects={})
    broken: set[str] = set()
    problems: list[str] = []
    for i, step in enumerate(program.steps, 1):
        op = step.get("op")
        if op == "fault":
            fault = fault_from_dict(step["fault"])
            name = type(fault).__name__
            node = getattr(fault, "node", None)
            if name in BREAKING and node:
                broken.add(node)
            elif name in HEALING and node:
                broken.discard(node)
        if op == "delete":
            key = f"{step['resource']}/{step.get('namespace') or ''}/{step['name']}"
            expect.deleted_objects[key] = step.get("propagation", "Background")
            if step["resource"] == "namespaces":
                expect.deleted_namespaces.add(step["name"])
        result = execute(cluster, step)
        outcome = "ok" if result.ok else f"rejected: {result.detail}"
        if op == "apply" and not result.ok and program.failure and str(result.detail) in program.failure:
            # the suite failed on this rejection (``applying valid ... refused``): that reproduces it
            problems.append(f"step {i} ({describe(step)}): {outcome}")
        if op == "apply-invalid":
            outcome = _judge_invalid(step, result.status)
            if outcome.startswith("UNEXPECTED"):
                problems.append(f"step {i} ({describe(step)}): {outcome}")
        if on_step is not None:
            on_step(i, step, outcome)
        violations: list[Violation]
        if op == "check":
            snap = cluster.snapshot()
            violations = check_liveness(snap, expect)
            problems += [f"after step {i}: {v}" for v in violations]
            continue
        snap = cluster.snapshot()
        violations = monitor.observe(snap, faults_active=bool(broken))
        problems += [f"after step {i}: {v}" for v in violations]
        if problems:
            break
    return problems


def _judge_invalid(step: Step, status: dict | None) -> str:  # type: ignore[type-arg]
    if status is None:
        return "UNEXPECTED: the invalid manifest was accepted"
    if status.get("code") != 422:
        return f"UNEXPECTED: expected 422 Invalid, got {status.get('code')} {status.get('reason')}"
    want_field, want_reason = step.get("expect_field"), step.get("expect_reason")
    causes = (status.get("details") or {}).get("causes") or []
    if want_field and not any(c.get("field") == want_field and c.get("reason") == want_reason for c in causes):
        got = ", ".join(f"{c.get('field')}:{c.get('reason')}" for c in causes) or "none"
        return f"UNEXPECTED: no cause {want_field}:{want_reason} (causes: {got})"
    return "rejected as expected (422)"
