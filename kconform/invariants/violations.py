"""What an invariant check returns: violations as data, and the assertion that reports them.

Checks never raise; they return a list of :class:`Violation` so that a suite can collect every
broken invariant of a snapshot at once (one failing step often breaks several, and seeing them
together points at the cause). :func:`assert_no_violations` turns a non-empty list into one
:class:`InvariantViolation` — an ``AssertionError``, so pytest and hypothesis treat it as a
failed property and shrink towards it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kconform.errors import KconformError


@dataclass(frozen=True, order=True)
class Violation:
    """One broken invariant at one place.

    ``invariant`` is a stable id (``safety.node-overcommit``); suites and reports key on it, so it
    never changes meaning. ``where`` names the object (``pod default/web-abc``, ``node node-2``).
    """

    invariant: str
    where: str
    expected: str
    actual: str

    def __str__(self) -> str:
        return f"[{self.invariant}] {self.where}: expected {self.expected}, got {self.actual}"


class InvariantViolation(KconformError, AssertionError):
    """The cluster broke at least one invariant; ``violations`` lists every one found."""

    def __init__(self, violations: Iterable[Violation], *, context: str = "") -> None:
        self.violations: list[Violation] = list(violations)
        head = f"{len(self.violations)} invariant violation(s)"
        if context:
            head += f" {context}"
        super().__init__("\n  ".join([head + ":", *(str(v) for v in self.violations)]))


def assert_no_violations(violations: Iterable[Violation], *, context: str = "") -> None:
    """Raise :class:`InvariantViolation` listing ``violations`` unless there are none.

    ``context`` (e.g. ``"after step 7 (KillNode(node='node-2'))"``) goes into the message head.
    """
    found = list(violations)
    if found:
        raise InvariantViolation(found, context=context)
