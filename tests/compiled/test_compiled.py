"""The mypyc-compiled build of reference_impl (``kconform.compiled``) is the same program.

The build is made once per source digest (about a minute on two cores; reused from the cache
after that) and run in a subprocess: a seeded program with every kind of fault must write the
same store history, byte for byte, as the sources do here, and the API server must refuse bad
input with the same ``Status`` objects. Smaller tests cover the build key, the refusal to
activate after the sources were imported, and a build error's one-line message.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from kconform import compiled
from kconform.errors import KconformError
from reference_impl.apiserver.errors import ApiError
from reference_impl.cluster import ReferenceCluster
from tests.scenarios.test_determinism import program

ROOT = Path(__file__).resolve().parents[2]
# one pytest-xdist worker takes the module: the build is made once while the other workers run
# the rest of the suite (pyproject's addopts use --dist loadgroup)
pytestmark = pytest.mark.xdist_group("compiled")

BAD_REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("pods", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "Bad_Name"},
              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}),
    ("pods", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": []}}),
    ("deployments", {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                     "spec": {"replicas": -1, "selector": {"matchLabels": {"a": "b"}},
                              "template": {"metadata": {"labels": {"a": "c"}},
                                           "spec": {"containers": [{"name": "c", "image": "x",
                                                                    "resources": {"requests": {"cpu": "lots"}}}]}}}}),
    ("services", {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
                  "spec": {"ports": [{"port": 70000}], "type": "Sideways"}}),
]


def refusals() -> list[Any]:
    """The API server's answers to ``BAD_REQUESTS`` (and to a duplicate and a missing object)."""
    c = ReferenceCluster(1, seed=1)
    out: list[Any] = []
    for resource, obj in [*BAD_REQUESTS, ("namespaces", {"metadata": {"name": "default"}})]:
        try:
            c.api.create(resource, obj, "default" if resource != "namespaces" else None)
            out.append("accepted")
        except ApiError as e:
            out.append(e.status)
    try:
        c.api.get("pods", "nowhere", "default")
    except ApiError as e:
        out.append(e.status)
    return out


def _compiled_run(code: str) -> Any:
    """Run ``code`` (which prints JSON) on the compiled build, in a fresh interpreter."""
    prelude = (
        "import json, sys\n"
        "from kconform import compiled\n"
        "compiled.activate(log=False)\n"
        "assert compiled.is_compiled(), 'the compiled build did not load'\n"
        "from reference_impl.apiserver.watch import Cacher\n"
        "Cacher.verify_shared = True\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", prelude + code], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=900, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def build() -> Path:
    return compiled.build()


def test_compiled_build_writes_the_same_history(build: Path) -> None:
    here = json.loads(json.dumps(program(7)))
    there = _compiled_run(
        "from tests.scenarios.test_determinism import program\njson.dump(program(7), sys.stdout)"
    )
    assert there["digest"] == here["digest"]
    assert there == here
    assert here["revision"] > 500


def test_compiled_build_refuses_bad_input_the_same_way(build: Path) -> None:
    here = json.loads(json.dumps(refusals()))
    there = _compiled_run("from tests.compiled.test_compiled import refusals\njson.dump(refusals(), sys.stdout)")
    assert there == here
    assert [s["code"] for s in here] == [422, 422, 422, 422, 409, 404]


def test_compiled_build_leaves_no_cyclic_garbage(build: Path) -> None:
    there = _compiled_run(
        "from tests.scenarios.test_no_cyclic_garbage import cyclic_garbage_of_a_scale_run\n"
        "json.dump(cyclic_garbage_of_a_scale_run(), sys.stdout)"
    )
    assert there == {}


def test_scale_benchmark_runs_on_the_compiled_build(build: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "benchmarks/scale.py", "--compiled", "--nodes", "20", "--pods", "300", "--per-rs", "100"],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"reference_impl: compiled by mypyc ({build.name})" in proc.stdout
    assert "300 pods Running and Ready" in proc.stdout
    assert "scheduler: 300 pods bound" in proc.stdout  # the run_batch seam timed the cycles
    assert "final garbage collection: 0 unreachable objects found" in proc.stdout


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    pkg = tmp_path / "pkg" / "reference_impl"
    for name, text in files.items():
        (pkg / name).parent.mkdir(parents=True, exist_ok=True)
        (pkg / name).write_text(text)
    return pkg


def test_build_key_follows_every_source(tmp_path: Path) -> None:
    pkg = _package(tmp_path, {"__init__.py": "", "a.py": "X: int = 1\n", "sub/__init__.py": "", "sub/b.py": "Y = 2\n"})
    key = compiled.build_key(pkg)
    assert compiled.build_key(pkg) == key
    (pkg / "sub" / "b.py").write_text("Y = 3\n")
    assert compiled.build_key(pkg) != key
    (pkg / "sub" / "b.py").write_text("Y = 2\n")
    assert compiled.build_key(pkg) == key
    (pkg / "c.py").write_text("")
    assert compiled.build_key(pkg) != key


def test_activate_refuses_once_the_sources_are_imported() -> None:
    assert "reference_impl" in sys.modules  # imported above, from the sources
    assert not compiled.is_compiled()
    with pytest.raises(KconformError, match="already imported from its sources"):
        compiled.activate(log=False)


def test_a_build_error_is_one_line_with_the_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KCONFORM_BUILD_DIR", str(tmp_path / "cache"))
    pkg = _package(tmp_path, {"__init__.py": "", "bad.py": 'X: int = "not an int"\n'})
    with pytest.raises(compiled.BuildError) as e:
        compiled.build(pkg=pkg)
    msg = str(e.value)
    assert "\n" not in msg
    assert 'bad.py:1: error: Incompatible types in assignment' in msg
    log = Path(msg.rsplit("(full log: ", 1)[1].rstrip(")"))
    assert log.exists() and "bad.py:1: error" in log.read_text()
    assert not list((tmp_path / "cache").glob("*.tmp-*"))  # nothing half-built left behind


def test_a_small_package_builds_and_imports_compiled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KCONFORM_BUILD_DIR", str(tmp_path / "cache"))
    pkg = _package(tmp_path, {"__init__.py": "", "m.py": "def twice(x: int) -> int:\n    return 2 * x\n"})
    path = compiled.build(pkg=pkg)
    assert path == tmp_path / "cache" / compiled.build_key(pkg)
    files = [p for p in path.rglob("*") if p.is_file()]
    assert {p.name for p in files if not p.name.endswith(".so")} == {compiled.MARKER}  # no .py to fall back on
    code = "import reference_impl.m as m; print(m.twice(21), m.__file__)"
    out = subprocess.run([sys.executable, "-c", code], cwd=path, capture_output=True, text=True, check=True).stdout
    value, file = out.split()
    assert value == "42" and file.endswith(".so")
    assert compiled.build(pkg=pkg) == path  # reused, not rebuilt


def test_old_builds_are_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KCONFORM_BUILD_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(compiled, "KEEP_BUILDS", 2)
    made = []
    for n in range(3):
        pkg = _package(tmp_path / f"v{n}", {"__init__.py": "", "m.py": f"X: int = {n}\n"})
        made.append(compiled.build(pkg=pkg))
    assert not made[0].exists()  # the oldest went
    assert made[1].exists() and made[2].exists()
