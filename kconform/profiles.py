"""Hypothesis profiles for the suites.

``ci``: derandomized and bounded, so CI is repeatable and fast. Every profile reports one
failure (the first found, shrunk), which is what a replay file holds. ``dev``: a few more examples,
still derandomized. ``explore``: many random examples for humans hunting bugs. ``real-cluster``:
few, short programs and no deadline, for kind or any kubeconfig where a step takes seconds.
Registering the profiles also keeps Hypothesis from drawing constants found in local code
(``pin_constant_pool``), so that a derandomized run draws the same programs whatever the
process has imported.
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
    pin_constant_pool()
    for name, params in _PARAMS.items():
        settings.register_profile(f"kconform-{name}", **params)  # type: ignore[arg-type]


def pin_constant_pool() -> bool:
    """Keep Hypothesis' pool of constants from local code empty; True when it was reached.

    Hypothesis (6.131 and later) now and then draws a string or number it found in the local
    modules imported so far (``providers._get_local_constants``). A derandomized run then
    draws different programs depending on which of the project's modules happen to be loaded
    when it starts: importing ``kconform.cli`` first, or a pytest-xdist worker having run other
    tests first, was enough for the ``ci`` profile to miss a planted scheduler bug it otherwise
    catches. The profiles promise the same programs on every run, so kconform empties that
    pool (its strategies draw names and values from their own alphabets anyway). Private
    Hypothesis API: when a release moves it, this does nothing and returns False.
    """
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover - a Hypothesis without the module
        return False
    local = getattr(providers, "_local_constants", None)
    if not hasattr(providers, "_get_local_constants") or local is None:
        return False  # pragma: no cover - a Hypothesis release without the pool
    if getattr(providers._get_local_constants, "_kconform_pinned", False):
        return True
    empty = type(local)()

    def no_local_constants() -> object:
        return empty

    no_local_constants._kconform_pinned = True  # type: ignore[attr-defined]
    providers._get_local_constants = no_local_constants  # type: ignore[assignment]
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    if cache is not None:  # choices cached from the pool as it was
        cache.cache.clear()
    return True


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
