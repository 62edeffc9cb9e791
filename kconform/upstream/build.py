"""Build the real control plane's binaries from the official Go modules: ``kconform upstream build``.

Each binary is built with the machine's ``go`` inside a small generated *wrapper module* that
requires the real module at the pinned version. That is needed because ``k8s.io/kubernetes``
(and etcd's server module) cannot be ``go install``-ed: their ``go.mod`` replaces sibling
modules with relative paths (``k8s.io/api => ./staging/src/k8s.io/api``), which only work in
their own source tree. The wrapper turns every such relative replace into the published module
at the matching version (``k8s.io/api v0.36.3`` for Kubernetes ``v1.36.3``; etcd's siblings at
etcd's own version), read from the real ``go.mod`` so that no list is kept here by hand.

Where things go: ``$KCONFORM_UPSTREAM_DIR`` or ``~/.cache/kconform/upstream``, then
``<kubernetes version>/bin/<binary>``. A binary is built into a scratch folder and renamed into
``bin/`` only once ``go build`` succeeded, and ``build.json`` (written last, atomically) records
what was built from what: a half-finished build never counts as done, and a rebuild is skipped
when every binary of that version is there. A file lock keeps two processes (pytest-xdist
workers, two terminals) from building the same version at once.

Only the Go module proxy is used (whatever ``GOPROXY`` the machine has); nothing is downloaded
from anywhere else and nothing built is committed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kconform.errors import BackendUnavailable, KconformError
from kconform.upstream.versions import DEFAULT_RELEASE, Release

MARKER = "build.json"
GO_BUILD_TIMEOUT_S = 3600.0
GO_QUERY_TIMEOUT_S = 600.0
WRAPPER_MODULE = "kconform.local/upstream-build"


class BuildFailed(KconformError):
    """``go`` could not build a binary; the message carries the last lines of its output."""


@dataclass(frozen=True)
class Binary:
    """One program of the control plane and the Go package it is built from."""

    name: str
    module: str  # the real module the wrapper requires
    package: str  # the main package inside it (or the test package, when ``test``)
    test: bool = False  # a Go test binary (``go test -c``), like the e2e suite's ``e2e.test``

    def version(self, release: Release) -> str:
        if self.module == "go.etcd.io/etcd/server/v3":
            return release.etcd
        if self.module == "sigs.k8s.io/kwok":
            return release.kwok
        return release.kubernetes


BINARIES: tuple[Binary, ...] = (
    Binary("etcd", "go.etcd.io/etcd/server/v3", "go.etcd.io/etcd/server/v3"),
    Binary("kube-apiserver", "k8s.io/kubernetes", "k8s.io/kubernetes/cmd/kube-apiserver"),
    Binary("kube-controller-manager", "k8s.io/kubernetes", "k8s.io/kubernetes/cmd/kube-controller-manager"),
    Binary("kube-scheduler", "k8s.io/kubernetes", "k8s.io/kubernetes/cmd/kube-scheduler"),
    Binary("kwok", "sigs.k8s.io/kwok", "sigs.k8s.io/kwok/cmd/kwok"),
)
BINARY_NAMES = tuple(b.name for b in BINARIES)

# The official end-to-end suite of the same release (``kconform conformance build``): the test
# binary, the ginkgo CLI that runs it in parallel (the version k8s.io/kubernetes requires, since the
# CLI and the library must agree), and kubectl of the same release for the ``[sig-cli]`` specs.
CONFORMANCE_BINARIES: tuple[Binary, ...] = (
    Binary("e2e.test", "k8s.io/kubernetes", "k8s.io/kubernetes/test/e2e", test=True),
    Binary("ginkgo", "k8s.io/kubernetes", "github.com/onsi/ginkgo/v2/ginkgo"),
    Binary("kubectl", "k8s.io/kubernetes", "k8s.io/kubernetes/cmd/kubectl"),
)
CONFORMANCE_MARKER = "conformance.json"


def cache_root() -> Path:
    """``$KCONFORM_UPSTREAM_DIR``, else ``~/.cache/kconform/upstream`` (``$XDG_CACHE_HOME`` honoured)."""
    explicit = os.environ.get("KCONFORM_UPSTREAM_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "kconform" / "upstream"


def release_dir(release: Release = DEFAULT_RELEASE) -> Path:
    return cache_root() / release.kubernetes


def bin_dir(release: Release = DEFAULT_RELEASE) -> Path:
    return release_dir(release) / "bin"


def built(
    release: Release = DEFAULT_RELEASE, *, binaries: tuple[Binary, ...] = BINARIES, marker: str = MARKER
) -> dict[str, Path] | None:
    """The binaries of a finished build of ``release`` (name → path), or None."""
    root = release_dir(release)
    try:
        record = json.loads((root / marker).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("kubernetes") != release.kubernetes:
        return None
    paths = {b.name: root / "bin" / b.name for b in binaries}
    if not all(os.access(p, os.X_OK) for p in paths.values()):
        return None
    return paths


def find_go() -> str:
    """The ``go`` command, or BackendUnavailable with one line saying what to install."""
    go = shutil.which("go")
    if go is None:
        raise BackendUnavailable(
            "the real control plane is built from Go modules and no `go` is on PATH: install Go 1.26 "
            "or newer (e.g. `apt install golang-go` where it is new enough, or https://go.dev/dl/) and retry"
        )
    return go


def _go_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(CGO_ENABLED="0", GOWORK="off", GOFLAGS="-mod=mod -trimpath -buildvcs=false")
    return env


def _go(go: str, args: list[str], *, cwd: Path, timeout_s: float, log: Path | None = None) -> str:
    """Run ``go args`` in ``cwd``; stdout, or BuildFailed with the tail of what it printed."""
    try:
        done = subprocess.run(
            [go, *args], cwd=cwd, env=_go_env(), capture_output=True, text=True, timeout=timeout_s, check=False
        )
    except subprocess.TimeoutExpired:
        raise BuildFailed(f"`go {' '.join(args)}` did not finish within {timeout_s:.0f} s") from None
    if log is not None:
        log.write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        tail = [ln for ln in done.stderr.splitlines() if ln.strip() and not ln.startswith("go: downloading")]
        detail = "; ".join(tail[-3:]) or f"exit status {done.returncode}"
        where = f" (full output: {log})" if log is not None else ""
        raise BuildFailed(f"`go {' '.join(args[:2])} ...` failed: {detail}{where}")
    return done.stdout


def module_go_mod(go: str, module: str, version: str, *, cwd: Path) -> str:
    """The text of ``module@version``'s go.mod, through the module proxy."""
    out = _go(go, ["mod", "download", "-json", f"{module}@{version}"], cwd=cwd, timeout_s=GO_QUERY_TIMEOUT_S)
    try:
        path = json.loads(out)["GoMod"]
        return Path(path).read_text()
    except (ValueError, KeyError, OSError) as e:
        raise BuildFailed(f"cannot read the go.mod of {module}@{version}: {e}") from None


_REPLACE_BLOCK = re.compile(r"^replace\s*\((.*?)^\)", re.S | re.M)
_REPLACE_LINE = re.compile(r"^\s*(?:replace\s+)?(\S+)(?:\s+\S+)?\s*=>\s*(\S+)\s*(\S+)?\s*$")
_REQUIRE = re.compile(r"^\s*(?:require\s+)?(\S+)\s+(v\S+)", re.M)


def local_replaces(go_mod: str) -> list[str]:
    """Module paths the go.mod replaces with a relative directory (``=> ./x`` or ``=> ../x``)."""
    lines: list[str] = []
    for block in _REPLACE_BLOCK.findall(go_mod):
        lines += block.splitlines()
    lines += [ln for ln in go_mod.splitlines() if ln.startswith("replace ") and "(" not in ln]
    out: list[str] = []
    for line in lines:
        m = _REPLACE_LINE.match(line.split("//", 1)[0])
        if m and m.group(2).startswith(("./", "../")):
            out.append(m.group(1))
    return sorted(set(out))


def required_version(go_mod: str, module: str) -> str | None:
    for name, version in _REQUIRE.findall(go_mod):
        if name == module:
            return str(version)
    return None


def wrapper_go_mod(module: str, version: str, replaces: dict[str, str], go_directive: str) -> str:
    lines = [f"module {WRAPPER_MODULE}", "", f"go {go_directive}", "", f"require {module} {version}", ""]
    lines += [f"replace {path} => {path} {v}" for path, v in sorted(replaces.items())]
    return "\n".join(lines) + "\n"


def _go_directive(go_mod: str) -> str:
    m = re.search(r"^go\s+(\S+)", go_mod, re.M)
    return m.group(1) if m else "1.22"


def ldflags(binary: Binary, release: Release) -> str:
    """Strip symbols; stamp Kubernetes binaries with their version, as ``hack/lib/version.sh`` does."""
    flags = ["-s", "-w"]
    if binary.module == "k8s.io/kubernetes":
        major, minor = release.minor.split(".")
        for pkg in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version"):
            flags += [
                f"-X {pkg}.gitVersion={release.kubernetes}",
                f"-X {pkg}.gitMajor={major}",
                f"-X {pkg}.gitMinor={minor}",
                f"-X {pkg}.gitTreeState=clean",
                f"-X {pkg}.buildDate=1970-01-01T00:00:00Z",
            ]
    return " ".join(flags)


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write_json_atomically(path: Path, data: object) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


def build(
    release: Release = DEFAULT_RELEASE,
    *,
    on_progress: Callable[[str], None] = lambda line: None,
    force: bool = False,
    binaries: tuple[Binary, ...] = BINARIES,
    marker: str = MARKER,
) -> dict[str, Path]:
    """Build ``binaries`` of ``release`` (skipped when already built); name → path.

    The default is the control plane; :data:`CONFORMANCE_BINARIES` with
    :data:`CONFORMANCE_MARKER` is the end-to-end suite. Each set has its own marker, so either
    can be built without the other.
    """
    if not force:
        done = built(release, binaries=binaries, marker=marker)
        if done is not None:
            on_progress(f"upstream {release.kubernetes}: already built in {bin_dir(release)}")
            return done
    go = find_go()
    root = release_dir(release)
    with _locked(root):
        if not force and (done := built(release, binaries=binaries, marker=marker)) is not None:
            return done  # another process finished it meanwhile
        (root / marker).unlink(missing_ok=True)
        bins = root / "bin"
        logs = root / "logs"
        bins.mkdir(exist_ok=True)
        logs.mkdir(exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".build-", dir=root) as scratch_dir:
            scratch = Path(scratch_dir)
            resolved = _resolve(go, release, scratch)
            record: dict[str, object] = {
                "kubernetes": release.kubernetes,
                "etcd": resolved.etcd,
                "kwok": resolved.kwok,
                "go": _go(go, ["env", "GOVERSION"], cwd=scratch, timeout_s=60).strip(),
                "binaries": {},
            }
            total_started = time.monotonic()
            for binary in binaries:
                if not force and os.access(bins / binary.name, os.X_OK):
                    # renamed into bin/ only after its go build succeeded: an interrupted
                    # build's finished binaries are kept
                    on_progress(f"{binary.name}: already built")
                    record["binaries"][binary.name] = {"module": binary.module, "version": binary.version(resolved)}  # type: ignore[index]
                    continue
                on_progress(f"building {binary.name} ({binary.module} {binary.version(resolved)}) ...")
                started = time.monotonic()
                _build_one(go, binary, resolved, scratch, bins, logs)
                elapsed = time.monotonic() - started
                record["binaries"][binary.name] = {  # type: ignore[index]
                    "module": binary.module, "version": binary.version(resolved), "build_s": round(elapsed, 1),
                }
                on_progress(f"built {binary.name} in {elapsed:.1f} s")
            record["build_s"] = round(time.monotonic() - total_started, 1)
            _write_json_atomically(root / marker, record)
    on_progress(f"upstream {release.kubernetes}: built in {bin_dir(release)}")
    done = built(release, binaries=binaries, marker=marker)
    assert done is not None
    return done


def _resolve(go: str, release: Release, scratch: Path) -> Release:
    """The release with its etcd version read from the Kubernetes go.mod when it was left open."""
    if release.etcd:
        return release
    k8s_mod = module_go_mod(go, "k8s.io/kubernetes", release.kubernetes, cwd=scratch)
    etcd = required_version(k8s_mod, "go.etcd.io/etcd/client/v3")
    if etcd is None:
        raise BuildFailed(f"k8s.io/kubernetes {release.kubernetes} requires no go.etcd.io/etcd/client/v3")
    return Release(kubernetes=release.kubernetes, etcd=etcd, kwok=release.kwok)


def _build_one(go: str, binary: Binary, release: Release, scratch: Path, bins: Path, logs: Path) -> None:
    version = binary.version(release)
    work = scratch / binary.name
    work.mkdir()
    real_mod = module_go_mod(go, binary.module, version, cwd=work)
    sibling_version = release.staging if binary.module == "k8s.io/kubernetes" else version
    # only what the module requires: etcd also "replaces" modules it forbids (=> ./FORBIDDEN_DEPENDENCY)
    replaces = {
        path: sibling_version for path in local_replaces(real_mod) if required_version(real_mod, path) is not None
    }
    (work / "go.mod").write_text(wrapper_go_mod(binary.module, version, replaces, _go_directive(real_mod)))
    out = work / binary.name
    verb = ["test", "-c"] if binary.test else ["build"]
    _go(
        go, [*verb, "-ldflags", ldflags(binary, release), "-o", str(out), binary.package],
        cwd=work, timeout_s=GO_BUILD_TIMEOUT_S, log=logs / f"{binary.name}.log",
    )
    os.replace(out, bins / binary.name)


__all__ = [
    "BINARIES",
    "BINARY_NAMES",
    "CONFORMANCE_BINARIES",
    "CONFORMANCE_MARKER",
    "Binary",
    "BuildFailed",
    "bin_dir",
    "build",
    "built",
    "cache_root",
    "find_go",
    "local_replaces",
    "release_dir",
    "wrapper_go_mod",
]
