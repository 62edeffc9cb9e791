"""``kconform run --seed N``: seed 0 keeps a profile's own programs; other seeds draw other
programs, and each seed draws the same ones every time.

The runs go through the command in a child process, as users run it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from kconform import profiles


def _run(seed: int, tmp: Path) -> tuple[int, int]:
    out = subprocess.run(
        [sys.executable, "-c", "import sys; from kconform.cli import main; sys.exit(main())",
         "run", "--suite", "services", "--seed", str(seed), "-n", "1", "--report", str(tmp)],
        capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parents[2],
    )
    assert out.returncode == 0, out.stdout + out.stderr
    m = re.search(r"^services\s+(\d+)\s+(\d+)\s", out.stdout, re.M)
    assert m, out.stdout
    return int(m.group(1)), int(m.group(2))


def test_seed_zero_keeps_the_profile() -> None:
    assert profiles.seeded(profiles.get("ci"), "services", 0) is None
    forced = profiles.seeded(profiles.get("ci"), "services", 7)
    assert forced is not None
    settings, seed = forced
    assert settings.derandomize is False and settings.database is None
    assert settings.max_examples == profiles.get("ci").max_examples
    other = profiles.seeded(profiles.get("ci"), "workloads", 7)
    assert other is not None and other[1] != seed


def test_a_seed_draws_its_own_programs_repeatably(tmp_path: Path) -> None:
    a, again, b = _run(5, tmp_path), _run(5, tmp_path), _run(6, tmp_path)
    assert a == again
    assert a != b
