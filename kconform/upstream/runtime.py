"""What a pod's containers do, worked out before the pod reaches kwok: :func:`stamp`.

The runtime contract (``docs/runtime-contract.md``) says what a container does on a cluster
without real containers: which images pull, what ``sleep N``, ``exit N``, ``true``, ``false``,
``echo`` and ``sh -c`` scripts joined by ``;``/``&&``/``||`` do, when a readiness probe passes.
The reference kubelet interprets that itself (``reference_impl/kubelet/runtime.py``). On the real
control plane kwok plays pods, and this module is kconform's second, independent implementation
of the same contract (it must not import ``reference_impl``; ``tests/upstream`` hold the two to
agreement): :func:`interpret` reads a container's image, command and args like busybox's ``sh``
would for those forms (busybox's ``ash``, ``shell/ash.c``, as far as the contract goes; the
kubelet's probe semantics of ``pkg/kubelet/prober``), and :func:`stamp` writes the result, per container, into the pod template
as the annotation ``kconform.io/runtime``::

    {"version": 1, "containers": {"main": {"runsMs": 3000, "exitCode": 1, "ignoresSigterm": true,
                                           "probeOk": true, "readyDelayMs": 0}}}

(``runsMs`` -1: runs until stopped). kwok's stages (``kconform/upstream/stages/pods.yaml``) read it
together with the pod's spec and status and play the states, reasons, exit codes, restarts,
back-offs and phases the contract lists.

Why a stamp, not stages that read the command themselves: a kwok Stage decides with jq
(selectors, delays) but writes with Go templates (sprig functions, no jq), and what a container
does has to be known in both. Parsing a shell command line — quoting, ``;``/``&&``/``||``,
nested ``sh -c``, ``sleep 1m`` — twice, once in jq and once in a Go template, would be two more
implementations of the interpreter, in languages made for neither; a mismatch between them
would leave a pod waiting for a transition its template never makes. Python does it once, here. What the stages can decide
robustly from the spec they decide from it: whether an image pulls (its registry host ends in
``.invalid``, one regular expression), the restart policy, the grace period. So ``kubectl set
image`` to an unpullable image on a stamped template still fails to pull, with no new stamp.

Leaves out: real processes and their output (``echo`` lines are kept in :class:`Program` for the
logs a kubelet would show, but kwok serves no logs), liveness and startup probes beyond their
initial delay (a startup probe's exec command is judged like a readiness probe's), and what the
contract leaves unspecified (see the document).
"""

from __future__ import annotations

import copy
import json
import math
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

FOREVER = math.inf
ANNOTATION = "kconform.io/runtime"
STAMP_VERSION = 1
# Images whose default command is a shell: without a command they exit at once (no tty), and
# a command they don't have fails like busybox's exec does (127).
SHELL_IMAGES = frozenset({"busybox", "alpine", "bash", "ubuntu", "debian"})
SHELLS = frozenset({"sh", "bash", "ash"})
BUILTINS = frozenset({"sleep", "exit", "true", "false", "echo"})
_SLEEP_UNITS_S = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
EXIT_NOT_FOUND = 127
EXIT_SYNTAX = 2

Manifest = dict[str, Any]


@dataclass(frozen=True)
class Program:
    """What a started container does: exit with ``exit_code`` after ``runs_s`` (inf: never)."""

    runs_s: float
    exit_code: int = 0
    output: tuple[str, ...] = ()
    ignores_sigterm: bool = False

    @property
    def forever(self) -> bool:
        return self.runs_s == FOREVER


@dataclass(frozen=True)
class ContainerRuntime:
    """One container's line in the stamp."""

    program: Program
    probe_ok: bool = True
    ready_delay_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "runsMs": -1 if self.program.forever else round(self.program.runs_s * 1000),
            "exitCode": self.program.exit_code,
            "ignoresSigterm": self.program.ignores_sigterm,
            "probeOk": self.probe_ok,
            "readyDelayMs": round(self.ready_delay_s * 1000),
        }


@dataclass
class _Shell:
    """State of one script run: time spent, last exit status, output."""

    elapsed_s: float = 0.0
    status: int = 0
    output: list[str] = field(default_factory=list)

    def result(self, code: int | None = None) -> Program:
        return Program(self.elapsed_s, self.status if code is None else code, tuple(self.output), ignores_sigterm=True)


# == images ===================================================================================
def image_pullable(image: str) -> bool:
    """False when the image names a registry host ending in ``.invalid`` (RFC 2606: never resolves).

    The first path component is a registry host only when the name has a ``/`` and that
    component has a ``.`` or a ``:`` or is ``localhost`` (Docker's rule); ``invalid/x`` is a
    Docker Hub repository and pulls.
    """
    if "/" not in image:
        return True
    first = image.split("/", 1)[0]
    if "." not in first and ":" not in first and first != "localhost":
        return True
    return not first.split(":", 1)[0].endswith(".invalid")


def _image_name(image: str) -> str:
    """``busybox`` for ``docker.io/library/busybox:1.36@sha256:...``."""
    return image.rsplit("/", 1)[-1].split("@", 1)[0].split(":", 1)[0]


def is_shell_image(image: str) -> bool:
    return _image_name(image) in SHELL_IMAGES


# == the shell ================================================================================
def _commands(script: str) -> list[tuple[str, str]]:
    """(connector, command) pairs: the script cut at ``;``, newlines, ``&&`` and ``||``.

    The contract cuts without regard to quotes (a separator inside quotes is outside it).
    """
    out: list[tuple[str, str]] = []
    connector, start, i = ";", 0, 0
    while i < len(script):
        pair = script[i : i + 2]
        if pair in ("&&", "||"):
            out.append((connector, script[start:i]))
            connector, i = pair, i + 2
            start = i
        elif script[i] in ";\n":
            out.append((connector, script[start:i]))
            connector, i = ";", i + 1
            start = i
        else:
            i += 1
    out.append((connector, script[start:]))
    return out


def sleep_seconds(args: list[str]) -> float:
    """``sleep``'s duration: its first argument, seconds or with an ``s``/``m``/``h``/``d`` suffix.

    ``infinity`` never ends; no argument or one that is not a number sleeps 0 s.
    """
    if not args:
        return 0.0
    arg = args[0]
    if arg == "infinity":
        return FOREVER
    unit = _SLEEP_UNITS_S.get(arg[-1:])
    try:
        return float(arg[:-1]) * unit if unit else float(arg)
    except ValueError:
        return 0.0


def run_script(script: str) -> Program:
    """Run a script of ``sleep``/``exit``/``true``/``:``/``false``/``echo``/``sh -c`` commands."""
    sh = _Shell()
    for connector, text in _commands(script):
        text = text.strip()
        if not text:
            continue
        if (connector == "&&" and sh.status != 0) or (connector == "||" and sh.status == 0):
            continue
        try:
            words = shlex.split(text)
        except ValueError:  # an unterminated quote: sh's syntax error, before anything runs
            return Program(sh.elapsed_s, EXIT_SYNTAX, tuple(sh.output))
        name, args = words[0], words[1:]
        if name == "sleep":
            seconds = sleep_seconds(args)
            if seconds == FOREVER:
                return Program(FOREVER, 0, tuple(sh.output), ignores_sigterm=True)
            sh.elapsed_s += seconds
            sh.status = 0
        elif name == "exit":
            if not args:
                return sh.result()
            try:
                return sh.result(int(args[0]) & 0xFF)
            except ValueError:
                return sh.result(EXIT_SYNTAX)
        elif name in ("true", ":"):
            sh.status = 0
        elif name == "false":
            sh.status = 1
        elif name == "echo":
            sh.output.append(" ".join(args))
            sh.status = 0
        elif name in ("sh", "/bin/sh") and len(args) >= 2 and args[0] == "-c":
            inner = run_script(args[1])
            sh.output.extend(inner.output)
            if inner.forever:
                return Program(FOREVER, 0, tuple(sh.output), ignores_sigterm=True)
            sh.elapsed_s += inner.runs_s
            sh.status = inner.exit_code
        else:
            sh.output.append(f"sh: {name}: not found")
            sh.status = EXIT_NOT_FOUND
    return sh.result()


def interpret(image: str, command: list[str] | None, args: list[str] | None) -> Program:
    """What a container with this image, command and args does once it has started."""
    argv = [*(command or []), *(args or [])]
    if not argv:
        # a shell image's default command is a shell with no tty: it exits at once; any other
        # image runs its own program until it is stopped (and stops on SIGTERM)
        return Program(0.0, 0) if is_shell_image(image) else Program(FOREVER, 0)
    program = argv[0].rsplit("/", 1)[-1]
    if program in SHELLS and len(argv) >= 3 and argv[1] == "-c":
        return run_script(argv[2])
    if program in BUILTINS:
        return run_script(" ".join(shlex.quote(word) for word in argv))
    if is_shell_image(image):
        return Program(0.0, EXIT_NOT_FOUND, (f"exec {argv[0]}: not found",))
    return Program(FOREVER, 0)  # the image's own program (nginx, pause, ...)


def probe_passes(probe: Mapping[str, Any] | None) -> bool:
    """Whether a readiness (or startup) probe passes once its initial delay is over.

    An exec probe runs its command as busybox would and passes when that ends with 0;
    httpGet, tcpSocket and grpc probes against a running container pass.
    """
    if not probe:
        return True
    command = (probe.get("exec") or {}).get("command")
    if command:
        program = interpret("busybox", list(command), None)
        return not program.forever and program.exit_code == 0
    return True


def container_runtime(container: Mapping[str, Any]) -> ContainerRuntime:
    """What one container (an entry of ``containers`` or ``initContainers``) does."""
    program = interpret(str(container.get("image") or ""), container.get("command"), container.get("args"))
    probes = [p for p in (container.get("startupProbe"), container.get("readinessProbe")) if p]
    delay_s = sum(float(p.get("initialDelaySeconds") or 0) for p in probes)
    return ContainerRuntime(program, probe_ok=all(probe_passes(p) for p in probes), ready_delay_s=delay_s)


# == the stamp ================================================================================
def runtime_annotation(pod_spec: Mapping[str, Any]) -> str:
    """The ``kconform.io/runtime`` value for a pod spec (compact JSON, keys sorted: stable)."""
    containers: dict[str, Any] = {}
    for key in ("initContainers", "containers"):
        for c in pod_spec.get(key) or []:
            if isinstance(c, Mapping) and c.get("name"):
                containers[str(c["name"])] = container_runtime(c).to_json()
    return json.dumps({"version": STAMP_VERSION, "containers": containers}, sort_keys=True, separators=(",", ":"))


def _stamp_template(template: Any) -> None:
    """Annotate a pod (or pod template) in place: ``template`` has ``metadata`` and ``spec``."""
    if not isinstance(template, dict):
        return
    spec = template.get("spec")
    if not isinstance(spec, Mapping) or not spec.get("containers"):
        return
    meta = template.get("metadata")
    if not isinstance(meta, dict):
        meta = template["metadata"] = {}
    annotations = meta.get("annotations")
    if not isinstance(annotations, dict):
        annotations = meta["annotations"] = {}
    annotations[ANNOTATION] = runtime_annotation(spec)


def _pod_templates(manifest: dict[str, Any]) -> list[Any]:
    kind = manifest.get("kind")
    if kind == "Pod":
        return [manifest]
    if kind == "PodTemplate":
        return [manifest.get("template")]
    spec = manifest.get("spec")
    if not isinstance(spec, dict):
        return []
    if kind == "CronJob":
        job_spec = (spec.get("jobTemplate") or {}).get("spec")
        return [job_spec.get("template")] if isinstance(job_spec, dict) else []
    return [spec.get("template")] if "template" in spec else []


def stamp(manifest: Mapping[str, Any]) -> Manifest:
    """A copy of ``manifest`` with ``kconform.io/runtime`` on every pod template it carries.

    Pods, workloads with ``spec.template`` (Deployment, ReplicaSet, StatefulSet, DaemonSet, Job,
    ReplicationController), PodTemplates, CronJobs (``spec.jobTemplate.spec.template``) and
    ``*List`` kinds of those; anything else comes back as an unchanged copy. An existing stamp
    is replaced, so re-applying a stamped manifest is idempotent.
    """
    out: Manifest = copy.deepcopy(dict(manifest))
    kind = str(out.get("kind") or "")
    if kind.endswith("List") and isinstance(out.get("items"), list):
        out["items"] = [stamp(item) if isinstance(item, Mapping) else item for item in out["items"]]
        return out
    for template in _pod_templates(out):
        _stamp_template(template)
    return out


__all__ = [
    "ANNOTATION",
    "FOREVER",
    "ContainerRuntime",
    "Program",
    "container_runtime",
    "image_pullable",
    "interpret",
    "is_shell_image",
    "probe_passes",
    "run_script",
    "runtime_annotation",
    "sleep_seconds",
    "stamp",
]
