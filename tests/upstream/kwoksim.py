"""kconform's kwok stages under a simulated clock, as a (pods-only) ``Cluster`` for tests.

``stagesim/`` is a small Go program that plays Stages through kwok's own matching, delay and
template code with a stand-in API server (see its doc comment). :class:`KwokSim` drives it over
stdin/stdout and offers the parts of the Cluster protocol :func:`kconform.upstream.contract.check_case`
uses, applying manifests stamped as the upstream backend does (:func:`kconform.upstream.runtime.stamp`).
So the contract's cases run against the stages in milliseconds, back-off chains included,
without a control plane.

:func:`build` compiles the simulator once per source digest into ``~/.cache/kconform/stagesim``
(``$KCONFORM_STAGESIM_DIR``); it needs Go and kwok's modules (the Go module proxy, or the module
cache that building kwok filled), and returns None when either is missing.
"""

from __future__ import annotations

import builtins
import calendar
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kconform.backends.base import SIMULATED_TIME, Manifest, Snapshot
from kconform.errors import ApiRejected, CapabilityMissing
from kconform.upstream.runtime import stamp

SOURCE_DIR = Path(__file__).with_name("stagesim")
STAGES = Path(__file__).resolve().parents[2] / "kconform" / "upstream" / "stages" / "pods.yaml"
START = "2030-01-01T00:00:00Z"
BUILD_TIMEOUT_S = 900.0


def _cache_dir() -> Path:
    return Path(os.environ.get("KCONFORM_STAGESIM_DIR") or Path.home() / ".cache" / "kconform" / "stagesim")


def build() -> Path | None:
    """The simulator binary, built if needed; None without Go or kwok's modules."""
    go = shutil.which("go")
    if go is None:
        return None
    digest = hashlib.sha256()
    for name in ("go.mod", "go.sum", "main.go"):
        digest.update((SOURCE_DIR / name).read_bytes())
    out = _cache_dir() / f"stagesim-{digest.hexdigest()[:16]}"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one build at a time (pytest-xdist workers)
        if out.exists():
            return out
        tmp = out.with_name(f"{out.name}.tmp{os.getpid()}")
        env = {**os.environ, "GOWORK": "off", "GOFLAGS": "-mod=mod -trimpath -buildvcs=false", "CGO_ENABLED": "0"}
        try:
            done = subprocess.run(
                [go, "build", "-o", str(tmp), "."], cwd=SOURCE_DIR, env=env, capture_output=True, text=True,
                timeout=BUILD_TIMEOUT_S, check=False,
            )
        except subprocess.TimeoutExpired:
            return None
        if done.returncode != 0:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            return None
        os.replace(tmp, out)
    return out


def _epoch_s(rfc3339: str) -> float:
    whole, _, frac = rfc3339.rstrip("Z").partition(".")
    return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) + (float(f"0.{frac}") if frac else 0.0)


class KwokSim:
    """Pods played by kconform's stages in simulated time (one fake node, ``node-1``)."""

    name = "kwok-sim"
    capabilities = frozenset({SIMULATED_TIME})

    def __init__(self, binary: Path, *, stages: Path = STAGES, start: str = START) -> None:
        self._proc = subprocess.Popen(
            [str(binary)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
        )
        self.log: list[str] = []
        self._call(op="init", stages=str(stages), start=start)

    def _call(self, **command: Any) -> dict[str, Any]:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write(json.dumps(command) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise RuntimeError(f"stagesim exited ({self._proc.poll()})")
        reply: dict[str, Any] = json.loads(line)
        self.log.extend(reply.get("log") or [])
        self.now_s = _epoch_s(reply["now"])
        if "error" in reply:
            raise ApiRejected({"kind": "Status", "status": "Failure", "message": reply["error"], "code": 422})
        return reply

    # -- the parts of the Cluster protocol check_case uses ---------------------------------------
    def apply(self, manifest: Manifest) -> Manifest:
        if manifest.get("kind") != "Pod":
            raise ApiRejected({"kind": "Status", "status": "Failure", "message": "only Pods are simulated", "code": 422})
        return self._call(op="apply", pod=stamp(manifest))["object"]  # type: ignore[no-any-return]

    def get(self, resource: str, name: str, namespace: str | None = None) -> Manifest | None:
        return self._call(op="get", namespace=namespace or "default", name=name)["object"]  # type: ignore[no-any-return]

    def list(
        self, resource: str, namespace: str | None = None, *, label_selector: str | None = None
    ) -> builtins.list[Manifest]:
        items: builtins.list[Manifest] = self._call(op="list")["items"]
        return [p for p in items if namespace is None or p["metadata"].get("namespace") == namespace]

    def delete(
        self, resource: str, name: str, namespace: str | None = None, *, propagation_policy: str = "Background"
    ) -> bool:
        return bool(self._call(op="delete", namespace=namespace or "default", name=name)["found"])

    def patch_status(self, name: str, body: dict[str, Any], namespace: str = "default") -> None:
        """Another client's strategic merge patch of ``pods/status`` (the node lifecycle controller's)."""
        self._call(op="patch-status", namespace=namespace, name=name, body=body)

    def snapshot(self) -> Snapshot:
        items = self._call(op="list")["items"]
        return Snapshot(resource_version="0", objects={"pods": items}, time_s=self.now_s)

    def advance(self, seconds: float) -> None:
        self._call(op="advance", seconds=seconds)

    def wait_until(self, predicate: Callable[[Snapshot], bool], *, timeout_s: float) -> Snapshot | None:
        deadline = self.now_s + timeout_s
        while True:
            snap = self.snapshot()
            if predicate(snap):
                return snap
            if self.now_s >= deadline:
                return None
            self.advance(min(1.0, deadline - self.now_s))

    def settle(self, *, timeout_s: float) -> bool:
        self.advance(timeout_s)
        return True

    def scale(self, resource: str, name: str, namespace: str, replicas: int) -> Manifest:
        raise ApiRejected({"kind": "Status", "status": "Failure", "message": "only Pods are simulated", "code": 422})

    def patch(
        self, resource: str, name: str, namespace: str | None, body: Any, *, patch_type: str = "strategic"
    ) -> Manifest:
        raise ApiRejected({"kind": "Status", "status": "Failure", "message": "patches are not simulated", "code": 422})

    def inject(self, fault: Any) -> None:
        raise CapabilityMissing(getattr(fault, "capability", "") or "fault", self.name)

    def close(self) -> None:
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            self._proc.wait(timeout=10)


__all__ = ["STAGES", "KwokSim", "build"]
