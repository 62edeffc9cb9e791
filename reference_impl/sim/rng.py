"""The seeded random source handed to whoever needs randomness.

Real components use ``math/rand`` (name suffixes, jitter, tie-breaking among equal scores);
here there is one seeded generator per cluster, forked per component by name so that adding a
component does not shift every other component's random stream.
"""

from __future__ import annotations

import hashlib
import random as _random

_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"  # apimachinery's utilrand alphabet (no vowels)


class SeededRandom:
    """A deterministic random stream; never the global ``random`` module state."""

    __slots__ = ("_rng", "seed")

    def __init__(self, seed: int | str) -> None:
        self.seed = seed
        digest = hashlib.sha256(str(seed).encode()).digest()
        self._rng = _random.Random(int.from_bytes(digest[:8], "big"))

    def fork(self, name: str) -> SeededRandom:
        """An independent stream for one component, derived from the seed and ``name``."""
        return SeededRandom(f"{self.seed}/{name}")

    def random(self) -> float:
        return self._rng.random()

    def randint(self, lo: int, hi: int) -> int:
        return self._rng.randint(lo, hi)

    def choice(self, seq):  # type: ignore[no-untyped-def]
        return self._rng.choice(seq)

    def shuffle(self, seq: list) -> None:  # type: ignore[type-arg]
        self._rng.shuffle(seq)

    def uniform(self, lo: float, hi: float) -> float:
        return self._rng.uniform(lo, hi)

    def string(self, n: int) -> str:
        """``utilrand.String(n)``: the suffix alphabet used for generateName and hashes."""
        return "".join(self._rng.choice(_ALPHANUMS) for _ in range(n))

    def uuid(self) -> str:
        """A random (version 4 shaped) UID drawn from this stream."""
        b = bytearray(self._rng.getrandbits(128).to_bytes(16, "big"))
        b[6] = (b[6] & 0x0F) | 0x40
        b[8] = (b[8] & 0x3F) | 0x80
        h = b.hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
