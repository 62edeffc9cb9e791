"""The suites, unchanged, through the kube backend and the official client against the reference
served over real HTTP on loopback (``kconform serve``'s stack), under the ``real-cluster``
profile: the same path a run against kind or any kubeconfig takes. The served cluster runs
sped up, and the backend is told so (``time_scale``), so a suite's simulated minutes take
seconds of wall time."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis.stateful import run_state_machine_as_test

from kconform import profiles, session

from .test_kube_backend import Served, _serve

SPEED = 60.0


@pytest.fixture
def fast_served(tmp_path: Path) -> Iterator[Served]:
    yield from _serve(tmp_path, faults_enabled=True, speed=SPEED)


def _machine(suite: str) -> Any:
    module, _, cls = importlib.import_module("suites").SUITES[suite].partition(":")
    return getattr(importlib.import_module(module), cls)


@pytest.mark.parametrize("suite", ["workloads", "services", "api-semantics", "node-chaos"])
def test_a_suite_passes_through_the_official_client(suite: str, fast_served: Served) -> None:
    previous = session.current()
    session.configure(
        backend="kube",
        options={
            "kubeconfig": str(fast_served.kubeconfig),
            "time_scale": SPEED,
            "poll_interval_s": 0.05,
            "request_timeout_s": 10,
        },
    )
    try:
        run_state_machine_as_test(_machine(suite), settings=profiles.get("real-cluster"))
    finally:
        session._current = previous
