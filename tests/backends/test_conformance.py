"""The backend conformance state machine, run against the reference backend and against the kube
backend talking to the reference over HTTP, plus a deliberately broken backend it must reject."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from kconform.backends.conformance import run_conformance_test
from kconform.backends.kube import KubeBackend
from kconform.backends.reference import ReferenceBackend

from .test_kube_backend import Served, served  # noqa: F401  (fixture)

FEW = settings(max_examples=4, stateful_step_count=8, deadline=None, derandomize=True, database=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def test_the_reference_backend_conforms() -> None:
    run_conformance_test(lambda: ReferenceBackend(nodes=1, seed=0))


def test_the_kube_backend_conforms_against_the_served_reference(served: Served) -> None:  # noqa: F811
    run_conformance_test(
        lambda: KubeBackend(kubeconfig=str(served.kubeconfig), poll_interval_s=0.1, request_timeout_s=10),
        settings_=FEW,
    )


class _ForgetfulBackend(ReferenceBackend):
    """A broken backend: its delete reports success but leaves the object in place."""

    def delete(self, resource: str, name: str, namespace: str | None = None, **kw: Any) -> bool:
        return self.get(resource, name, namespace) is not None


def test_a_broken_backend_fails_the_conformance_check() -> None:
    with pytest.raises(AssertionError):
        run_conformance_test(lambda: _ForgetfulBackend(nodes=1, seed=0))
