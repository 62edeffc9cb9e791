"""The real control plane for the tests that need one.

``$KCONFORM_UPSTREAM_KUBECONFIG`` (``.ci/run`` starts ``kconform upstream up`` and sets it), or,
when the binaries are built here, a control plane this test process starts itself; else the
tests skip with the reason. Tests using it are in one xdist group, so one worker runs them all
against one cluster.

Also the kwok stage simulator (:mod:`tests.upstream.kwoksim`), built once per session; its tests
skip when it cannot be built (no Go, or kwok's modules out of reach).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kconform.backends.upstream import ENV_KUBECONFIG
from kconform.upstream import build
from tests.upstream import kwoksim


@pytest.fixture(scope="session")
def upstream_kubeconfig(request: pytest.FixtureRequest) -> str:
    _check_grouped(request)
    given = os.environ.get(ENV_KUBECONFIG)
    if given:
        return given
    if build.built() is None:
        pytest.skip("the real control plane is not built on this machine (run `kconform upstream build`)")
    from kconform.backends.upstream import _own_cluster

    return _own_cluster()


def _group(item: pytest.Item) -> str | None:
    mark = item.get_closest_marker("xdist_group")
    if mark is None:
        return None
    return str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))


def _check_grouped(request: pytest.FixtureRequest) -> None:
    """The tests sharing one control plane restart its components: under pytest-xdist they must
    all run on one worker (``--dist loadgroup`` and ``xdist_group("upstream")``), else a restart
    on one worker breaks the tests of another with "connection refused"."""
    config = request.config
    if not os.environ.get("PYTEST_XDIST_WORKER") or not getattr(config.option, "loadgroup", False):
        return
    grouped = [i.nodeid for i in request.session.items if _group(i) == "upstream"]
    if grouped and not all(n.endswith("@upstream") for n in grouped):
        pytest.fail(
            f"pytest {pytest.__version__} with pytest-xdist did not group the tests sharing the real "
            "control plane onto one worker (their node ids lack the '@upstream' suffix); install the "
            "versions pyproject.toml's test extra allows, or run with -p no:xdist",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def stagesim_binary() -> Path:
    binary = kwoksim.build()
    if binary is None:
        pytest.skip("the kwok stage simulator needs Go and kwok's modules (sigs.k8s.io/kwok v0.8.0) to build")
    return binary


@pytest.fixture
def kwok_sim(stagesim_binary: Path) -> Iterator[kwoksim.KwokSim]:
    sim = kwoksim.KwokSim(stagesim_binary)
    try:
        yield sim
    finally:
        sim.close()
