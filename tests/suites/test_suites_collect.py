"""The suites collect, register their machines, and never reach into ``reference_impl``.

Watching ``sys.modules`` cannot tell (the reference backend imports ``reference_impl`` on purpose,
and another test may have imported it first), so the import rule is checked two ways: an AST
scan of every suite file for any spelling of an import of ``reference_impl`` (``import``,
``from ... import``, ``importlib.import_module``, ``__import__``), and the import-linter
contract in ``pyproject.toml`` that CI enforces over the whole import graph.
"""

from __future__ import annotations

import ast
import importlib
import tomllib
from pathlib import Path

import pytest

from kconform.stateful import KconformMachine
from suites import SUITES

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = "reference_impl"
# The suites this test covers: module -> machine class (as registered in suites.SUITES).
OWNED = {
    "workloads": ("suites.workloads_suite", "WorkloadsMachine", "TestWorkloads"),
    "node-chaos": ("suites.node_chaos_suite", "NodeChaosMachine", "TestNodeChaos"),
    "scheduling": ("suites.scheduling_suite", "SchedulingMachine", "TestScheduling"),
    "services": ("suites.services_suite", "ServicesMachine", "TestServices"),
}


def _is_forbidden(module: str | None) -> bool:
    return module is not None and (module == FORBIDDEN or module.startswith(FORBIDDEN + "."))


def forbidden_imports(source: str, filename: str = "<suite>") -> list[str]:
    """Every place ``source`` imports ``reference_impl``, as ``line: what``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names if _is_forbidden(a.name)]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and _is_forbidden(node.module):
                found.append(f"{node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            first = node.args[0]
            if (
                name in ("import_module", "__import__")
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and _is_forbidden(first.value)
            ):
                found.append(f"{node.lineno}: {name}({first.value!r})")
    return found


@pytest.mark.parametrize("suite", sorted(OWNED))
def test_suite_is_registered_and_collects(suite: str) -> None:
    module_name, machine_name, test_name = OWNED[suite]
    assert SUITES[suite] == f"{module_name}:{machine_name}"
    module = importlib.import_module(module_name)
    machine = getattr(module, machine_name)
    assert issubclass(machine, KconformMachine)
    assert machine.suite_name == suite
    test_class = getattr(module, test_name)
    assert getattr(test_class, "_kconform_machine", None) is machine


@pytest.mark.parametrize("suite", sorted(OWNED))
def test_suite_never_imports_reference_impl(suite: str) -> None:
    module_name = OWNED[suite][0]
    path = ROOT / (module_name.replace(".", "/") + ".py")
    assert forbidden_imports(path.read_text(), str(path)) == []


def test_every_suite_file_is_free_of_reference_impl() -> None:
    offenders = {
        path.name: found
        for path in sorted((ROOT / "suites").glob("*.py"))
        if (found := forbidden_imports(path.read_text(), str(path)))
    }
    assert offenders == {}


@pytest.mark.parametrize(
    "source",
    [
        "import reference_impl",
        "import reference_impl.cluster as c",
        "from reference_impl.apiserver import APIServer",
        "from reference_impl import cluster",
        "import importlib\nimportlib.import_module('reference_impl.cluster')",
        "__import__('reference_impl')",
    ],
)
def test_the_scan_sees_every_spelling(source: str) -> None:
    assert forbidden_imports(source) != []


@pytest.mark.parametrize(
    "source",
    ["import kconform", "from kconform.strategies import pods", "from . import reference_impl_notes", "x = 'reference_impl'"],
)
def test_the_scan_ignores_other_imports(source: str) -> None:
    assert forbidden_imports(source) == []


def test_import_linter_forbids_suites_importing_reference_impl() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    assert any(
        c.get("type") == "forbidden"
        and "suites" in c.get("source_modules", [])
        and FORBIDDEN in c.get("forbidden_modules", [])
        and not c.get("allow_indirect_imports", False)
        for c in contracts
    ), "pyproject.toml lost the import-linter contract 'suites never import reference_impl'"
