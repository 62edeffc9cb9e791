"""``kconform minimize``: a failing replay file comes out shorter and still failing."""

from __future__ import annotations

from pathlib import Path

import pytest

from kconform import session
from kconform.cli import main
from kconform.minimize import failure_kinds, minimize
from kconform.program import Program, Step
from tests.scenarios import container, deployment

NS = "kconform-scheduling"


def _configmap(name: str) -> Step:
    return {"op": "apply", "manifest": {"apiVersion": "v1", "kind": "ConfigMap",
                                         "metadata": {"name": name, "namespace": NS}, "data": {"k": name}}}


def _program() -> Program:
    big = deployment("big", 4, ns=NS, containers=[
        container("main", "busybox:1.36", command=["sh", "-c", "sleep 3600"], cpu="3"),
    ])
    steps: list[Step] = [
        {"op": "apply", "manifest": {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}},
        _configmap("noise-a"),
        {"op": "advance", "seconds": 5},
        _configmap("noise-b"),
        {"op": "apply", "manifest": big},
        _configmap("noise-c"),
        {"op": "advance", "seconds": 10},
        _configmap("noise-d"),
        {"op": "settle", "timeout_s": 120.0},
        {"op": "check", "what": "liveness"},
    ]
    return Program(suite="scheduling", backend="reference", seed=0, steps=steps, nodes=3)


@pytest.fixture
def scheduler_ignores_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    from reference_impl.scheduler.plugins import node_resources_fit as fit

    monkeypatch.setattr(fit.NodeResourcesFit, "filter", lambda self, state, pod, node: None)
    monkeypatch.setattr(fit.NodeResourcesFit, "filter_nodes", lambda self, state, pod, nodes, failed: list(nodes))


@pytest.fixture
def reference() -> session.Session:
    previous = session.current()
    yield session.configure(backend="reference", seed=0, nodes=3)
    session._current = previous


def test_minimize_drops_the_steps_a_failure_does_not_need(scheduler_ignores_requests: None, reference: session.Session) -> None:
    program = _program()
    result = minimize(program, reference.make_cluster)
    assert result is not None and not result.exhausted
    assert result.kinds == {"safety.node-overcommit"}
    ops = [(s["op"], (s.get("manifest") or {}).get("kind")) for s in result.program.steps]
    assert ("apply", "Deployment") in ops and ("apply", "ConfigMap") not in ops
    assert len(result.program.steps) <= 4 < len(program.steps)
    # and the result fails on its own, every time
    again = minimize(result.program, reference.make_cluster)
    assert again is not None and again.program.steps == result.program.steps


def test_candidates_that_name_a_removed_node_do_not_count(scheduler_ignores_requests: None, reference: session.Session) -> None:
    program = _program()
    program.steps[4]["manifest"]["spec"]["replicas"] = 6  # more than four nodes can hold
    # a fourth node joins and restarts: without the AddNode step the others cannot run
    program.steps[2:2] = [
        {"op": "fault", "fault": {"fault": "AddNode", "node": "node-4"}},
        {"op": "advance", "seconds": 5},
        {"op": "fault", "fault": {"fault": "KillNode", "node": "node-4"}},
        {"op": "advance", "seconds": 5},
        {"op": "fault", "fault": {"fault": "RestartNode", "node": "node-4"}},
    ]
    result = minimize(program, reference.make_cluster)
    assert result is not None and result.kinds == {"safety.node-overcommit"}
    nodes_faulted = [s["fault"]["fault"] for s in result.program.steps if s["op"] == "fault"]
    assert nodes_faulted in ([], ["AddNode"], ["AddNode", "KillNode"], ["AddNode", "KillNode", "RestartNode"],
                             ["AddNode", "RestartNode"])


def test_a_program_that_does_not_fail_has_nothing_to_minimize(reference: session.Session) -> None:
    assert minimize(_program(), reference.make_cluster) is None


def test_minimize_command_writes_the_shorter_program(
    scheduler_ignores_requests: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "replay.yaml"
    src.write_text(_program().to_yaml())
    assert main(["minimize", str(src)]) == 0
    out = capsys.readouterr().out
    assert "10 -> " in out and "safety.node-overcommit" in out
    shrunk = Program.load(tmp_path / "replay.min.yaml")
    assert len(shrunk.steps) < 10


def test_minimize_command_says_so_when_nothing_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "replay.yaml"
    src.write_text(_program().to_yaml())
    assert main(["minimize", str(src)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "does not reproduce a failure" in err[0]
    assert not (tmp_path / "replay.min.yaml").exists()


def test_failure_kinds_name_invariants_or_the_problem() -> None:
    assert failure_kinds(["after step 3: [safety.node-overcommit] node node-1: expected x, got y"]) == {
        "safety.node-overcommit"
    }
    assert failure_kinds(["step 2 (apply Deployment x): rejected: quota"]) == {"(apply Deployment x): rejected: quota"}
