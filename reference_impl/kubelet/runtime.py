"""The simulated container runtime: what a container does, as data.

Stands in for containerd + the images: ``interpret(image, command, args)`` says what a
container will do when started — run forever, or exit with a code after some seconds —
reading the command the way busybox's ``sh`` would for the handful of forms test manifests
use: ``sleep N``, ``exit N``, ``true``, ``false``, ``echo ...``, sequences joined by ``;`` or
``&&``, and ``sh -c "<script>"``. Images whose registry host ends in ``.invalid`` cannot be
pulled, on real clusters too, which is how manifests ask for ErrImagePull.

Leaves out: real processes, signals other than "the process ignores SIGTERM when it is a shell
or sleep running as PID 1" (which is why ``sleep 3600`` pods take their whole grace period to
stop, as on a real node), and exec probes beyond ``true``/``false``/``exit N``.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field

FOREVER = float("inf")
SHELL_IMAGES = ("busybox", "alpine", "bash", "ubuntu", "debian")


@dataclass(frozen=True)
class Program:
    """What a started container does: exit with ``exit_code`` after ``runs_s`` (inf = forever)."""

    runs_s: float
    exit_code: int = 0
    output: tuple[str, ...] = ()
    ignores_sigterm: bool = False
    steps: tuple[tuple[float, str], ...] = field(default=())


def image_pullable(image: str) -> bool:
    """False for images whose registry host ends with ``.invalid`` (RFC 2606: never resolves)."""
    first = image.split("/", 1)[0]
    if "/" in image and ("." in first or ":" in first or first == "localhost"):
        host = first.split(":", 1)[0]
        return not host.endswith(".invalid")
    return True


def image_tag(image: str) -> str:
    last = image.rsplit("/", 1)[-1]
    if "@" in last:
        return last.split("@", 1)[1]
    return last.split(":", 1)[1] if ":" in last else "latest"


def _is_shell_image(image: str) -> bool:
    name = image.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]
    return name in SHELL_IMAGES


def _run_script(script: str) -> Program:
    """Run a tiny ``sh`` script: sleep/exit/true/false/echo joined by ``;``, ``&&`` or ``||``."""
    elapsed = 0.0
    out: list[str] = []
    code = 0
    # split on ; && || while keeping the connector
    tokens: list[tuple[str, str]] = []
    cur = ""
    i = 0
    conn = ";"
    while i < len(script):
        two = script[i : i + 2]
        if two in ("&&", "||"):
            tokens.append((conn, cur))
            conn, cur = two, ""
            i += 2
            continue
        if script[i] in ";\n":
            tokens.append((conn, cur))
            conn, cur = ";", ""
            i += 1
            continue
        cur += script[i]
        i += 1
    tokens.append((conn, cur))
    for connector, cmd in tokens:
        cmd = cmd.strip()
        if not cmd:
            continue
        if connector == "&&" and code != 0:
            continue
        if connector == "||" and code == 0:
            continue
        try:
            words = shlex.split(cmd)
        except ValueError:
            return Program(elapsed, 2, tuple(out))
        prog, rest = words[0], words[1:]
        if prog == "sleep":
            secs = _sleep_seconds(rest)
            if secs == FOREVER:
                return Program(FOREVER, 0, tuple(out), ignores_sigterm=True)
            elapsed += secs
            code = 0
        elif prog == "exit":
            try:
                return Program(elapsed, int(rest[0]) & 0xFF if rest else code, tuple(out), ignores_sigterm=True)
            except ValueError:
                return Program(elapsed, 2, tuple(out), ignores_sigterm=True)
        elif prog == "true" or prog == ":":
            code = 0
        elif prog == "false":
            code = 1
        elif prog == "echo":
            out.append(" ".join(rest))
            code = 0
        elif prog in ("sh", "/bin/sh") and len(rest) >= 2 and rest[0] == "-c":
            inner = _run_script(rest[1])
            if inner.runs_s == FOREVER:
                return Program(FOREVER, 0, tuple(out) + inner.output, ignores_sigterm=True)
            elapsed += inner.runs_s
            out.extend(inner.output)
            code = inner.exit_code
        else:
            # busybox: "sh: <cmd>: not found"
            out.append(f"sh: {prog}: not found")
            code = 127
    return Program(elapsed, code, tuple(out), ignores_sigterm=True)


def _sleep_seconds(args: list[str]) -> float:
    if not args:
        return 0.0
    a = args[0]
    if a == "infinity":
        return FOREVER
    mult = {"s": 1, "m": 60, "h": 3600, "d": 86400}.get(a[-1:])
    try:
        return float(a[:-1]) * mult if mult else float(a)
    except ValueError:
        return 0.0


def interpret(image: str, command: list[str] | None, args: list[str] | None) -> Program:
    """What a container with this image, command and args does once started."""
    argv = list(command or []) + list(args or [])
    if not argv:
        if _is_shell_image(image):
            return Program(0.0, 0)  # the image's CMD is a shell with no tty: it exits at once
        return Program(FOREVER, 0)  # a server image: runs until stopped, stops on SIGTERM
    prog = argv[0].rsplit("/", 1)[-1]
    if prog in ("sh", "bash", "ash") and len(argv) >= 3 and argv[1] == "-c":
        return _run_script(argv[2])
    if prog in ("sleep", "exit", "true", "false", "echo"):
        return _run_script(" ".join(shlex.quote(a) for a in argv))
    if _is_shell_image(image):
        return Program(0.0, 127, (f"exec {argv[0]}: not found",))
    return Program(FOREVER, 0)  # an image's own program (nginx, pause, ...)


def probe_succeeds(probe: dict | None) -> bool:  # type: ignore[type-arg]
    """Whether a readiness/liveness/startup probe passes once its initial delay is over."""
    if not probe:
        return True
    exec_ = probe.get("exec")
    if exec_ and exec_.get("command"):
        prog = interpret("busybox", exec_["command"], None)
        return prog.runs_s != FOREVER and prog.exit_code == 0
    return True  # httpGet / tcpSocket / grpc against a running container succeed
