"""``kconform run --seed N``: seed 0 keeps a profile's own programs; other seeds draw other
programs, and each seed draws the same ones every time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import core as hypothesis_core

from kconform import profiles
from kconform.cli import _run_one, seeded_generation
from kconform.stateful import STATS
from suites import SUITES


def _run(seed: int, tmp: Path) -> dict[str, Any]:
    STATS.clear()  # counts accumulate per process; the CLI runs a suite once per process
    return _run_one(
        {
            "suite": "services",
            "spec": SUITES["services"],
            "backend": "reference",
            "seed": seed,
            "profile": "ci",
            "options": {},
            "report": str(tmp),
        }
    )


def test_seed_zero_keeps_the_profile() -> None:
    assert seeded_generation(profiles.get("ci"), "services", 0) is None
    forced = seeded_generation(profiles.get("ci"), "services", 7)
    assert forced is not None
    settings, seed = forced
    assert settings.derandomize is False and settings.database is None
    assert settings.max_examples == profiles.get("ci").max_examples
    assert seed != seeded_generation(profiles.get("ci"), "workloads", 7)[1]  # type: ignore[index]


def test_a_seed_draws_its_own_programs_repeatably(tmp_path: Path) -> None:
    a, again, b = _run(5, tmp_path), _run(5, tmp_path), _run(6, tmp_path)
    assert a["result"] == again["result"] == b["result"] == "passed"
    assert (a["examples"], a["steps"]) == (again["examples"], again["steps"])
    assert (a["examples"], a["steps"]) != (b["examples"], b["steps"])
    assert hypothesis_core.global_force_seed is None  # restored after each run
