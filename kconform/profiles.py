"""Hypothesis profiles for the suites.

``ci``: derandomized and bounded, so CI is repeatable and fast. Every profile reports one
failure (the first found, shrunk), which is what a replay file holds. ``dev``: a few more examples,
still derandomized. ``explore``: many random examples for humans hunting bugs. ``real-cluster``:
few, short programs and no deadline, for kind or any kubeconfig where a step takes seconds.
"""

from __future__ import annotations

import zlib

from hypothesis import HealthCheck, Phase, settings

PROFILES = ("ci", "dev", "explore", "real-cluster")
_SUPPRESS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

_PARAMS: dict[str, dict[str, object]] = {
    "ci": dict(
        max_examples=20,
        stateful_step_count=15,
        derandomize=True,
        deadline=None,
        database=None,
        print_blob=False,
        suppress_health_check=_SUPPRESS,
        report_multiple_bugs=False,
    ),
    "dev": dict(
        max_examples=60,
        stateful_step_count=25,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=_SUPPRESS,
        report_multiple_bugs=False,
    ),
    "explore": dict(
        max_examples=300,
        stateful_step_count=40,
        derandomize=False,
        deadline=None,
        suppress_health_check=_SUPPRESS,
        report_multiple_bugs=False,
    ),
    "real-cluster": dict(
        max_examples=3,
        stateful_step_count=6,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],  # no shrinking: too slow
        suppress_health_check=_SUPPRESS,
        report_multiple_bugs=False,
    ),
}


def register() -> None:
    for name, params in _PARAMS.items():
        settings.register_profile(f"kconform-{name}", **params)  # type: ignore[arg-type]


def get(name: str) -> settings:
    if name not in _PARAMS:
        from kconform.errors import InvalidArgument

        raise InvalidArgument(f"unknown profile {name!r}; choose one of: {', '.join(PROFILES)}")
    register()
    return settings.get_profile(f"kconform-{name}")


def seeded(base: settings, suite: str, seed: int) -> tuple[settings, int] | None:
    """Settings and a Hypothesis seed for ``--seed N``, N != 0; None for the default seed 0.

    Seed 0 keeps each profile as it is (``ci`` and ``dev`` derandomized: the same programs on
    every run). Any other seed also draws the programs from a random generator seeded with the
    suite's name and N — the pytest plugin's ``--hypothesis-seed`` mechanism — so that seeds
    explore different programs and each seed repeats exactly. The example database is off:
    replaying stored examples would make a seeded run depend on earlier runs.
    """
    if not seed:
        return None
    return settings(base, derandomize=False, database=None), zlib.crc32(f"{suite}:{seed}".encode())
