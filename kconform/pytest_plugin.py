"""kconform's pytest plugin (entry point ``pytest11``).

Options: ``--kconform-backend`` (reference | kube | kind), ``--kubeconfig``,
``--kconform-seed``, ``--kconform-profile`` (ci | dev | explore | real-cluster; default ci),
``--kconform-report`` (where replay files of failing suites go). Fixtures: ``cluster`` (a
fresh cluster on the chosen backend) and ``namespace`` (a fresh namespace in it). Suites whose
``requires`` a backend cannot meet are skipped with the reason. Works under pytest-xdist:
every worker configures itself from the same options.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from kconform import profiles, session
from kconform.backends.base import Cluster
from kconform.errors import BackendUnavailable, CapabilityMissing


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("kconform")
    g.addoption("--kconform-backend", default=os.environ.get("KCONFORM_BACKEND", "reference"),
                choices=sorted(session.BACKENDS), help="cluster backend for the suites (default: reference)")
    g.addoption("--kubeconfig", default=os.environ.get("KCONFORM_KUBECONFIG"),
                help="kubeconfig for the kube/kind backends")
    g.addoption("--kconform-context", default=None, help="kubeconfig context to use")
    g.addoption("--kconform-seed", type=int, default=int(os.environ.get("KCONFORM_SEED", "0")),
                help="seed of the reference cluster (default 0)")
    g.addoption("--kconform-profile", default=os.environ.get("KCONFORM_PROFILE", "ci"),
                choices=profiles.PROFILES, help="hypothesis profile for the suites (default: ci)")
    g.addoption("--kconform-report", default=os.environ.get("KCONFORM_REPORT", "kconform-report"),
                help="directory for replay files of failing suites")
    g.addoption("--kind-bin", default=None, help="kind executable (default: kind from PATH)")
    g.addoption("--cluster-name", default=None, help="kind cluster name")
    g.addoption("--keep-cluster", action="store_true", help="keep a kind cluster kconform created")
    g.addoption("--kconform-allow-destructive", action="store_true",
                help="allow node faults on clusters kconform did not create")


def _backend_options(config: pytest.Config) -> dict[str, Any]:
    opts: dict[str, Any] = {}
    if config.getoption("kubeconfig"):
        opts["kubeconfig"] = config.getoption("kubeconfig")
    if config.getoption("kconform_context"):
        opts["context"] = config.getoption("kconform_context")
    if config.getoption("kconform_backend") == "kind":
        opts["kind_bin"] = config.getoption("kind_bin")
        opts["cluster_name"] = config.getoption("cluster_name")
        opts["keep_cluster"] = config.getoption("keep_cluster")
    if config.getoption("kconform_allow_destructive"):
        opts["allow_destructive"] = True
    return opts


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "kconform_suite: a kconform state-machine suite")
    profiles.register()
    profile = config.getoption("kconform_profile")
    settings.load_profile(f"kconform-{profile}")
    session.configure(
        backend=config.getoption("kconform_backend"),
        seed=config.getoption("kconform_seed"),
        options=_backend_options(config),
    )


def _machine_of(item: pytest.Item) -> Any:
    cls = getattr(item, "cls", None)
    return getattr(cls, "_kconform_machine", None) if cls is not None else None


def pytest_runtest_setup(item: pytest.Item) -> None:
    machine = _machine_of(item)
    if machine is None:
        return
    caps = session.current().capabilities()
    if caps is None:
        return
    missing = sorted(set(machine.requires) - caps)
    if missing:
        pytest.skip(f"backend {session.current().backend!r} lacks capability {missing[0]!r}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    outcome: Any = yield
    excinfo = outcome.excinfo
    if excinfo is None:
        return
    exc = excinfo[1]
    if isinstance(exc, (CapabilityMissing, BackendUnavailable)):
        outcome.force_exception(pytest.skip.Exception(str(exc), _use_item_location=True))
        return
    machine = _machine_of(item)
    if machine is None:
        return
    from kconform.program import last

    program = last(machine.suite_name)
    if program is not None and program.steps:
        report_dir = Path(item.config.getoption("kconform_report"))
        path = program.write(report_dir)
        item.add_report_section(
            "call",
            "kconform",
            f"backend {program.backend}, seed {program.seed}\n{program.describe()}\nreplay file: {path}\n"
            f"re-run with: kconform replay {path}",
        )


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """A fresh cluster on the configured backend (closed afterwards)."""
    try:
        c = session.current().make_cluster()
    except BackendUnavailable as e:
        pytest.skip(str(e))
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def namespace(cluster: Cluster) -> Iterator[str]:
    """A fresh namespace labelled as kconform's, deleted afterwards."""
    import uuid

    name = f"kconform-{uuid.uuid4().hex[:8]}"
    cluster.apply(
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": "kconform"}},
        }
    )
    try:
        yield name
    finally:
        cluster.delete("namespaces", name)
