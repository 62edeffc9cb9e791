"""A compiled build of the reference implementation: the same sources, turned into C by mypyc.

``reference_impl`` is typed throughout and mypy checks it in CI, so mypyc (which ships with mypy)
can compile the very same ``.py`` files into C extension modules: no second implementation to
keep in step, and about 1.6x less CPU for the whole control plane (see the README's figures).
The compiled build is for speed — the scale benchmarks, long exploratory runs. The tests run on
the sources, and ``tests/compiled`` checks that a seeded run of the compiled build writes exactly
the same store history as the sources do.

Where the build lives, and why there: in a cache directory named by a digest of the sources, the
Python version and the mypy version (``$KCONFORM_BUILD_DIR``, else ``~/.cache/kconform/mypyc``).
Never beside the sources: CPython loads an extension module before a ``.py`` of the same name,
so an edited file would silently run its stale compiled self. A build is reused until one of the
things it was made from changes; building takes about a minute on two cores and needs a C
compiler and the Python headers.

How it is used: :func:`activate` builds when needed and puts the build first on ``sys.path``, so
``import reference_impl`` finds the compiled package. It must run before anything imports
``reference_impl`` (the benchmarks' ``--compiled`` flag does it first thing).

What differs at run time: compiled classes are native. Their instances have no ``__dict__``, so
attributes cannot be added and methods cannot be replaced on an instance. A benchmark that times
a component uses a declared attribute instead (``Scheduler.run_batch``).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.machinery
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from kconform.errors import KconformError

PACKAGE = "reference_impl"
MARKER = "KCONFORM_BUILD.json"  # written last: a directory without it is not a finished build
# mypyc's "-O3" and its debug level: what mypy's own wheels are built with
OPT_LEVEL = "3"
KEEP_BUILDS = 3  # builds kept in the cache (older ones are removed after a new build)

_SETUP = """
import sys
from concurrent.futures import ThreadPoolExecutor

import setuptools
from distutils.ccompiler import CCompiler
from mypyc.build import mypycify


def parallel_compile(self, sources, output_dir=None, macros=None, include_dirs=None, debug=0,
                     extra_preargs=None, extra_postargs=None, depends=None):
    # distutils compiles one extension's C files one after another: mypyc's multi-file output
    # is one extension, so compile its files {jobs} at a time
    macros, objects, extra_postargs, pp_opts, build = self._setup_compile(
        output_dir, macros, include_dirs, sources, depends, extra_postargs)
    cc_args = self._get_cc_args(pp_opts, debug, extra_preargs)

    def one(obj):
        src, ext = build[obj]
        self._compile(obj, src, ext, cc_args, extra_postargs, pp_opts)

    with ThreadPoolExecutor({jobs}) as pool:
        list(pool.map(one, objects))
    return objects


CCompiler.compile = parallel_compile
modules = sys.argv[1:]
sys.argv = [sys.argv[0], "build_ext", "--inplace"]
setuptools.setup(
    name="reference_impl-compiled",
    ext_modules=mypycify(modules, opt_level="{opt}", multi_file=True),
)
"""


class BuildError(KconformError):
    """mypyc or the C compiler failed; the message carries the first error line."""


def source_dir() -> Path:
    """The ``reference_impl`` package directory the sources are read from (without importing it)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise KconformError(f"cannot find the {PACKAGE} package to compile")
    path = Path(next(iter(spec.submodule_search_locations)))
    if (path.parent / MARKER).exists():
        raise KconformError(f"{PACKAGE} already resolves to a compiled build ({path.parent})")
    return path


def sources(pkg: Path) -> list[Path]:
    """Every module of the package, in a stable order."""
    return sorted(p for p in pkg.rglob("*.py") if "__pycache__" not in p.parts)


def build_key(pkg: Path) -> str:
    """A digest of what a build is made from: the sources, Python and mypy(c)."""
    try:
        import mypy.version
    except ImportError:
        raise KconformError("the compiled build needs mypy, which ships mypyc: pip install mypy") from None
    h = hashlib.sha256()
    h.update(f"{sys.version}|{sys.platform}|{mypy.version.__version__}|O{OPT_LEVEL}".encode())
    for p in sources(pkg):
        h.update(p.relative_to(pkg).as_posix().encode() + b"\0")
        h.update(p.read_bytes() + b"\0")
    return h.hexdigest()[:20]


def cache_dir() -> Path:
    env = os.environ.get("KCONFORM_BUILD_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kconform" / "mypyc"


def build(*, pkg: Path | None = None, jobs: int | None = None, log: bool = False) -> Path:
    """The compiled build of the current sources: reused when it exists, else made (minutes).

    Returns the directory to put on ``sys.path``. Concurrent callers (pytest-xdist workers)
    wait for one build rather than each making their own. ``pkg`` defaults to the installed
    ``reference_impl`` sources.
    """
    pkg = pkg or source_dir()
    key = build_key(pkg)
    root = cache_dir()
    final = root / key
    if (final / MARKER).exists():
        return final
    root.mkdir(parents=True, exist_ok=True)
    import fcntl

    with open(root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (final / MARKER).exists():  # another process built it while this one waited
            return final
        _make(pkg, key, final, jobs=jobs or os.cpu_count() or 1, log=log)
    with contextlib.suppress(OSError):
        (root / f"{key}.lock").unlink()
    return final


def _make(pkg: Path, key: str, final: Path, *, jobs: int, log: bool) -> None:
    work = final.parent / f"{key}.tmp-{os.getpid()}"
    try:
        _compile_into(pkg, key, final, work, jobs=jobs, log=log)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _compile_into(pkg: Path, key: str, final: Path, work: Path, *, jobs: int, log: bool) -> None:
    shutil.rmtree(work, ignore_errors=True)
    src = work / "src"
    shutil.copytree(pkg, src / PACKAGE, ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyc"))
    modules = [p.relative_to(src).as_posix() for p in sources(src / PACKAGE)]
    if log:
        print(f"compiling {len(modules)} modules of {PACKAGE} with mypyc (about a minute on two cores)...",
              file=sys.stderr, flush=True)
    t0 = time.monotonic()
    env = dict(os.environ, MYPY_CACHE_DIR=str(work / "mypy_cache"))
    proc = subprocess.run(
        [sys.executable, "-c", _SETUP.format(jobs=jobs, opt=OPT_LEVEL), *modules],
        cwd=src, env=env, capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        output = proc.stdout + proc.stderr
        (final.parent / f"{key}.log").write_text(output)
        first = next((ln for ln in output.splitlines() if "error" in ln.lower()), output.strip()[-300:])
        raise BuildError(f"mypyc could not compile {PACKAGE}: {first.strip()} "
                         f"(full log: {final.parent / f'{key}.log'})")
    # keep only what imports need: the extension modules (and no .py to fall back on)
    ext = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    for p in sorted(src.rglob("*"), reverse=True):
        if p.is_file() and not p.name.endswith(ext):
            p.unlink()
        elif p.is_dir() and (p.name in ("build", "__pycache__") or not any(p.iterdir())):
            shutil.rmtree(p)
    seconds = time.monotonic() - t0
    (src / MARKER).write_text(json.dumps({
        "key": key, "python": sys.version.split()[0], "modules": len(modules),
        "opt_level": OPT_LEVEL, "seconds": round(seconds, 1),
    }))
    shutil.rmtree(final, ignore_errors=True)
    os.replace(src, final)
    _prune(final.parent, keep=KEEP_BUILDS)
    if log:
        print(f"compiled in {seconds:.0f} s: {final}", file=sys.stderr, flush=True)


def _prune(root: Path, *, keep: int) -> None:
    """Drop all but the ``keep`` newest builds (about 13 MB each; every edit makes a new one)."""
    builds = sorted(
        (p for p in root.iterdir() if (p / MARKER).exists()), key=lambda p: (p / MARKER).stat().st_mtime
    )
    for old in builds[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def activate(*, log: bool = True) -> Path:
    """Make ``import reference_impl`` load the compiled build (building it first if needed)."""
    loaded = sys.modules.get(PACKAGE)
    if loaded is not None:
        if is_compiled():
            return Path(str(loaded.__file__)).parents[1]
        raise KconformError(
            f"{PACKAGE} was already imported from its sources: activate the compiled build first"
        )
    path = build(log=log)
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
    importlib.invalidate_caches()
    return path


def is_compiled() -> bool:
    """True when the loaded ``reference_impl`` modules are the compiled ones."""
    mod = sys.modules.get(f"{PACKAGE}.sim.loop") or importlib.import_module(f"{PACKAGE}.sim.loop")
    return str(getattr(mod, "__file__", "")).endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


def from_argv(argv: list[str]) -> str:
    """For scripts: activate the compiled build if ``--compiled`` is an argument; name the build.

    A build that cannot be made ends the script with one line on stderr.
    """
    if "--compiled" not in argv:
        return "sources (CPython)"
    try:
        path = activate()
    except KconformError as e:
        raise SystemExit(f"error: {e}") from None
    return f"compiled by mypyc ({path.name})"


def main(argv: list[str] | None = None) -> int:
    """``python -m kconform.compiled``: build (or find) the compiled build and print its path."""
    try:
        print(build(log=True))
    except KconformError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
