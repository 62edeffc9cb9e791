"""The profiles' derandomized draws depend on the test alone, not on what else is imported."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kconform import profiles


def test_derandomized_draws_ignore_which_local_modules_are_loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert profiles.pin_constant_pool()
    seen: list[str] = []

    @settings(profiles.get("ci"), max_examples=300)
    @given(st.text(min_size=1, max_size=40))
    def draw(s: str) -> None:
        seen.append(s)

    draw()
    first = list(seen)
    # a module of the project's own kind (outside site-packages), full of distinctive
    # constants, imported between two runs: Hypothesis would now and then draw them
    (tmp_path / "kconform_constant_probe.py").write_text(
        "\n".join(f"C{i} = 'zqprobe{i}'" for i in range(200)) + "\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("kconform_constant_probe")
    seen.clear()
    draw()
    assert seen == first
    assert not any("zqprobe" in s for s in seen)
