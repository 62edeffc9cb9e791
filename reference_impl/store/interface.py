"""The store interface the API server programs against (etcd v3's KV + Watch surface).

Values are opaque to the store. The in-memory store keeps Python objects and hands the same
object back, so callers must treat values as immutable; a real etcd would hold bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Final, Literal, Protocol


class StoreError(Exception):
    """Root of the store's errors."""


class Compacted(StoreError):
    """The requested revision has been compacted (etcd: ``mvcc: required revision has been compacted``)."""

    def __init__(self, requested: int, compacted: int) -> None:
        super().__init__(f"mvcc: required revision has been compacted ({requested} <= {compacted})")
        self.requested = requested
        self.compacted = compacted


class FutureRevision(StoreError):
    """The requested revision is newer than the store's (etcd: ``mvcc: required revision is a future revision``)."""

    def __init__(self, requested: int, current: int) -> None:
        super().__init__(f"mvcc: required revision is a future revision ({requested} > {current})")
        self.requested = requested
        self.current = current


class _Record:
    """An immutable record: equal, hashed and shown by its fields, like a frozen dataclass.

    Written out by hand rather than with ``@dataclass(frozen=True)``: a frozen dataclass's
    ``__init__`` is generated source that sets every field through ``object.__setattr__``, and
    it stays interpreted even in the compiled build. The store makes about five of these per
    write (compare, put, key-value, event, result), and the hand-written ``__init__`` is about
    six times faster compiled (three times from the sources). The fields are ``Final``: mypy
    refuses writes, and the compiled build makes them read-only.
    """

    __slots__ = ()
    _FIELDS: ClassVar[tuple[str, ...]] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f) for f in self._FIELDS)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, _Record)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._values()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{f}={v!r}" for f, v in zip(self._FIELDS, self._values()))
        return f"{type(self).__name__}({fields})"


class KeyValue(_Record):
    _FIELDS = ("key", "value", "create_revision", "mod_revision", "version")
    __slots__ = _FIELDS

    def __init__(self, key: str, value: Any, create_revision: int, mod_revision: int, version: int) -> None:
        self.key: Final = key
        self.value: Final = value
        self.create_revision: Final = create_revision
        self.mod_revision: Final = mod_revision
        self.version: Final = version


class Event(_Record):
    """A watch event: PUT (create or update) or DELETE, with the previous value when there was one."""

    _FIELDS = ("type", "kv", "prev_kv")
    __slots__ = _FIELDS

    def __init__(self, type: Literal["PUT", "DELETE"], kv: KeyValue, prev_kv: KeyValue | None) -> None:
        self.type: Final = type
        self.kv: Final = kv  # for DELETE: the key with value None and mod_revision = deletion revision
        self.prev_kv: Final = prev_kv

    @property
    def revision(self) -> int:
        return self.kv.mod_revision


class Compare(_Record):
    """``etcd Compare``: target is mod/create/version/value; op is one of = != < >.

    A missing key has create/mod revision 0, version 0 and value None, as in etcd.
    """

    _FIELDS = ("key", "target", "op", "value")
    __slots__ = _FIELDS

    def __init__(
        self,
        key: str,
        target: Literal["mod", "create", "version", "value"],
        op: Literal["=", "!=", "<", ">"],
        value: Any,
    ) -> None:
        self.key: Final = key
        self.target: Final = target
        self.op: Final = op
        self.value: Final = value


class Put(_Record):
    _FIELDS = ("key", "value")
    __slots__ = _FIELDS

    def __init__(self, key: str, value: Any) -> None:
        self.key: Final = key
        self.value: Final = value


class Delete(_Record):
    _FIELDS = ("key",)
    __slots__ = _FIELDS

    def __init__(self, key: str) -> None:
        self.key: Final = key


class TxnResult(_Record):
    _FIELDS = ("succeeded", "revision", "prev")
    __slots__ = _FIELDS

    def __init__(self, succeeded: bool, revision: int, prev: tuple[KeyValue | None, ...]) -> None:
        self.succeeded: Final = succeeded
        self.revision: Final = revision  # the store revision after the transaction
        self.prev: Final = prev  # per executed op, the value before it


class RangeResult(_Record):
    _FIELDS = ("kvs", "revision", "more")
    __slots__ = _FIELDS

    def __init__(self, kvs: list[KeyValue], revision: int, more: bool) -> None:
        self.kvs: Final = kvs
        self.revision: Final = revision  # the revision the range was served at
        self.more: Final = more  # True when ``limit`` cut the result short


class WatchHandle(Protocol):
    def cancel(self) -> None: ...


WatchCallback = Callable[[Sequence[Event]], None]


class Store(Protocol):
    """What the API server needs from etcd."""

    @property
    def revision(self) -> int: ...

    @property
    def compacted_revision(self) -> int: ...

    def get(self, key: str, *, revision: int | None = None) -> KeyValue | None: ...

    def range(
        self,
        prefix: str,
        *,
        revision: int | None = None,
        start_after: str | None = None,
        limit: int | None = None,
    ) -> RangeResult: ...

    def count(self, prefix: str) -> int: ...

    def txn(
        self, compares: Sequence[Compare], success: Sequence[Put | Delete], failure: Sequence[Put | Delete] = ()
    ) -> TxnResult: ...

    def watch(self, prefix: str, start_revision: int, callback: WatchCallback) -> WatchHandle: ...

    def compact(self, revision: int) -> None: ...
