"""Step programs: what a suite did, as data that any backend can replay.

Every action a suite takes is a :data:`Step` — a plain dict such as
``{"op": "apply", "manifest": {...}}``, ``{"op": "scale", "resource": "deployments", ...}``,
``{"op": "fault", "fault": {"fault": "KillNode", "node": "node-2"}}`` or
``{"op": "advance", "seconds": 30}`` — executed by :func:`execute`. The steps of the shrunk
failing example are what a replay file holds (YAML), so a counterexample found on the
reference cluster can be re-run on kind, or the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kconform.backends.base import Cluster
from kconform.errors import ApiRejected, InvalidArgument
from kconform.faults import Fault, fault_from_dict

Step = dict[str, Any]

OPS = ("apply", "apply-invalid", "delete", "scale", "patch-image", "fault", "advance", "settle", "check")
REPLAY_VERSION = 1


@dataclass
class StepResult:
    ok: bool
    detail: str = ""
    status: dict[str, Any] | None = None


def describe(step: Step) -> str:
    """One readable line per step, for reports and the shrunk-program printout."""
    op = step.get("op")
    if op in ("apply", "apply-invalid"):
        m = step.get("manifest", {})
        meta = m.get("metadata", {})
        extra = ""
        if op == "apply-invalid":
            extra = f"  (expect 422 {step.get('expect_reason')} at {step.get('expect_field')})"
        return f"{op} {m.get('kind')} {meta.get('namespace', '')}/{meta.get('name', '')}{extra}".replace(" /", " ")
    if op == "delete":
        return (
            f"delete {step['resource']} {step.get('namespace') or ''}/{step['name']} "
            f"(propagation {step.get('propagation', 'Background')})"
        ).replace(" /", " ")
    if op == "scale":
        return f"scale {step['resource']} {step['namespace']}/{step['name']} to {step['replicas']}"
    if op == "patch-image":
        return f"set image {step['resource']} {step['namespace']}/{step['name']} {step['container']}={step['image']}"
    if op == "fault":
        return f"fault {fault_from_dict(step['fault']).describe()}"
    if op == "advance":
        return f"advance {step['seconds']}s"
    if op == "settle":
        return f"settle (up to {step.get('timeout_s', 600)}s)"
    if op == "check":
        return f"check {step.get('what', 'safety')}"
    return repr(step)


def execute(cluster: Cluster, step: Step) -> StepResult:
    """Carry out one step; an API rejection is a result, not an exception (suites judge it)."""
    op = step.get("op")
    try:
        if op == "apply":
            cluster.apply(step["manifest"])
        elif op == "apply-invalid":
            try:
                cluster.apply(step["manifest"])
            except ApiRejected as e:
                return StepResult(False, str(e), e.status)
            return StepResult(True, "accepted")
        elif op == "delete":
            found = cluster.delete(
                step["resource"], step["name"], step.get("namespace"),
                propagation_policy=step.get("propagation", "Background"),
            )
            return StepResult(True, "deleted" if found else "already gone")
        elif op == "scale":
            cluster.scale(step["resource"], step["name"], step["namespace"], int(step["replicas"]))
        elif op == "patch-image":
            # what ``kubectl set image`` sends: a strategic merge patch keyed by container name
            # (an apply of a partial manifest would drop, under real server-side apply, every
            # field the same manager set before)
            body = {"spec": {"template": {"spec": {"containers": [{"name": step["container"], "image": step["image"]}]}}}}
            cluster.patch(step["resource"], step["name"], step["namespace"], body, patch_type="strategic")
        elif op == "fault":
            fault: Fault = fault_from_dict(step["fault"])
            cluster.inject(fault)
        elif op == "advance":
            cluster.advance(float(step["seconds"]))
        elif op == "settle":
            cluster.settle(timeout_s=float(step.get("timeout_s", 600)))
        elif op == "check":
            pass
        else:
            raise InvalidArgument(f"unknown step op {op!r}; known: {', '.join(OPS)}")
    except ApiRejected as e:
        return StepResult(False, str(e), e.status)
    return StepResult(True)


@dataclass
class Program:
    """A recorded run: the backend, seeds, the suite and its steps."""

    suite: str
    backend: str
    seed: int | str
    steps: list[Step] = field(default_factory=list)
    failure: str = ""
    nodes: int = 3

    def to_yaml(self) -> str:
        doc = {
            "kconform-replay": REPLAY_VERSION,
            "suite": self.suite,
            "backend": self.backend,
            "seed": self.seed,
            "nodes": self.nodes,
            "failure": self.failure,
            "steps": self.steps,
        }
        return yaml.safe_dump(doc, sort_keys=False, width=120)

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"replay-{self.suite}-{self.seed}.yaml"
        path.write_text(self.to_yaml())
        return path

    @classmethod
    def load(cls, path: Path) -> Program:
        try:
            text = path.read_text()
        except OSError as e:
            raise InvalidArgument(f"cannot read replay file {str(path)!r}: {e.strerror or e}") from None
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise InvalidArgument(f"replay file {str(path)!r} is not valid YAML: {str(e).splitlines()[0]}") from None
        if not isinstance(doc, dict) or doc.get("kconform-replay") != REPLAY_VERSION:
            raise InvalidArgument(
                f"{str(path)!r} is not a kconform replay file (expected a mapping with 'kconform-replay: 1')"
            )
        steps = doc.get("steps")
        if not isinstance(steps, list) or not all(isinstance(s, dict) and s.get("op") in OPS for s in steps):
            raise InvalidArgument(f"replay file {str(path)!r} has a malformed 'steps' list")
        return cls(
            suite=str(doc.get("suite", "?")),
            backend=str(doc.get("backend", "reference")),
            seed=doc.get("seed", 0),
            steps=steps,
            failure=str(doc.get("failure", "")),
            nodes=int(doc.get("nodes", 3)),
        )

    def describe(self) -> str:
        lines = [f"suite {self.suite} on backend {self.backend}, seed {self.seed}, {len(self.steps)} steps:"]
        lines += [f"  {i + 1:>2}. {describe(s)}" for i, s in enumerate(self.steps)]
        return "\n".join(lines)


# The program of the example that ran last in this process. Hypothesis re-runs the shrunk
# failing example last before raising, so after a failure this is the shrunk program.
_last: dict[str, Program] = {}


def set_last(program: Program) -> None:
    _last[program.suite] = program


def last(suite: str) -> Program | None:
    return _last.get(suite)

