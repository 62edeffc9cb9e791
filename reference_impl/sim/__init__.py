"""Simulated time: the only source of time, ordering and randomness in reference_impl.

Models nothing of Kubernetes itself; it replaces the wall clock, goroutines and ``math/rand``
that the real components use, so that a run is a pure function of its seed and its inputs.
"""

from reference_impl.sim.clock import SimClock, TimeWentBackwards
from reference_impl.sim.loop import EventLoop, Timer
from reference_impl.sim.rng import SeededRandom

__all__ = ["EventLoop", "SeededRandom", "SimClock", "TimeWentBackwards", "Timer"]
