"""``kconform serve`` as a child process, for the tests that kill, signal or restart it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

#: The ``kconform`` command of the interpreter running the tests (whatever is on PATH aside).
KCONFORM = (sys.executable, "-c", "import sys; from kconform.cli import main; sys.exit(main())")


def start_serve(args: Sequence[str], kubeconfig: Path, *, nodes: int = 1) -> tuple[subprocess.Popen[str], str, list[str]]:
    """Start ``kconform serve --nodes N --kubeconfig K ARGS`` and wait until it says where it
    serves: the process, its URL and what it printed until then (an AssertionError with that
    output if it exits first)."""
    proc = subprocess.Popen(
        [*KCONFORM, "serve", "--nodes", str(nodes), "--kubeconfig", str(kubeconfig), *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    lines: list[str] = []
    for line in proc.stdout:
        lines.append(line)
        if "serving at" in line:
            return proc, line.rsplit(" ", 1)[1].strip(), lines
    proc.wait()
    raise AssertionError(f"serve did not start (exit {proc.returncode}):\n{''.join(lines)}")
