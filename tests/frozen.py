"""Read-only copies of shared objects, for tests: a mutation of what an informer shares raises.

An informer's cache holds the objects the API server's watch cache hands every watcher, and the
components read them where they lie: a component that writes into one changes what every other
component (and the next revision, which shares what a write did not touch) sees, a bug no
single test would notice. client-go has the same contract ("objects from the cache are
read-only; deep-copy before you change them") and the same hazard; its tests catch it with
``cache.MutationDetector`` (``KUBE_CACHE_MUTATION_DETECTOR``). Here the test configuration
(tests/conftest.py) sets ``reference_impl.client.informer.FREEZE`` to :func:`freeze`, and
informers cache its copies, whose mutators raise :class:`SharedObjectMutated` at the offending
line. (The types live with the tests: mypyc compiles reference_impl and cannot subclass dict.)

Off (the default, and always outside tests) nothing is copied: the objects are shared as they
are. Leaves out: the objects write calls return to components (``readonly_responses``), which
are shared too but not frozen here.
"""

from __future__ import annotations

from typing import Any, NoReturn


class SharedObjectMutated(TypeError):
    """A component wrote into an object its informer shares with everyone else."""


def _refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise SharedObjectMutated(
        "an informer's object is shared and read-only: copy it (dict(obj), clone(obj)) before changing it"
    )


class FrozenDict(dict):  # type: ignore[type-arg]
    """A dict whose mutators raise; copies of it (``dict(x)``, ``copy``, ``deepcopy``) are plain."""

    __slots__ = ()
    __setitem__ = __delitem__ = _refuse
    clear = pop = popitem = setdefault = update = __ior__ = _refuse  # type: ignore[assignment]

    def __copy__(self) -> dict[str, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return thaw(self)

    def __reduce__(self) -> Any:
        return (dict, (dict(self),))


class FrozenList(list):  # type: ignore[type-arg]
    """A list whose mutators raise; copies of it are plain lists."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse  # type: ignore[assignment]
    append = extend = insert = pop = remove = reverse = sort = clear = _refuse  # type: ignore[assignment]

    def __copy__(self) -> list[Any]:
        return list(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> list[Any]:
        return thaw(self)

    def __reduce__(self) -> Any:
        return (list, (list(self),))


def freeze(value: Any) -> Any:
    """A frozen deep copy of a JSON-like value (already frozen parts are kept as they are)."""
    if isinstance(value, (FrozenDict, FrozenList)):
        return value
    if isinstance(value, dict):
        return FrozenDict((k, freeze(v)) for k, v in value.items())
    if isinstance(value, list):
        return FrozenList(freeze(v) for v in value)
    return value


def thaw(value: Any) -> Any:
    """A plain, mutable deep copy."""
    if isinstance(value, dict):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [thaw(v) for v in value]
    return value
