"""The real control plane for the tests that need one.

``$KCONFORM_UPSTREAM_KUBECONFIG`` (``.ci/run`` starts ``kconform upstream up`` and sets it), or,
when the binaries are built here, a control plane this test process starts itself; else the
tests skip with the reason. Tests using it are in one xdist group, so one worker runs them all
against one cluster.
"""

from __future__ import annotations

import os

import pytest

from kconform.backends.upstream import ENV_KUBECONFIG
from kconform.upstream import build


@pytest.fixture(scope="session")
def upstream_kubeconfig() -> str:
    given = os.environ.get(ENV_KUBECONFIG)
    if given:
        return given
    if build.built() is None:
        pytest.skip("the real control plane is not built on this machine (run `kconform upstream build`)")
    from kconform.backends.upstream import _own_cluster

    return _own_cluster()
