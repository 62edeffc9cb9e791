"""The store interface the API server programs against (etcd v3's KV + Watch surface).

Values are opaque to the store. The in-memory store keeps Python objects and hands the same
object back, so callers must treat values as immutable; a real etcd would hold bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol


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


@dataclass(frozen=True, slots=True)
class KeyValue:
    key: str
    value: Any
    create_revision: int
    mod_revision: int
    version: int


@dataclass(frozen=True, slots=True)
class Event:
    """A watch event: PUT (create or update) or DELETE, with the previous value when there was one."""

    type: Literal["PUT", "DELETE"]
    kv: KeyValue  # for DELETE: the key with value None and mod_revision = deletion revision
    prev_kv: KeyValue | None

    @property
    def revision(self) -> int:
        return self.kv.mod_revision


@dataclass(frozen=True, slots=True)
class Compare:
    """``etcd Compare``: target is mod/create/version/value; op is one of = != < >.

    A missing key has create/mod revision 0, version 0 and value None, as in etcd.
    """

    key: str
    target: Literal["mod", "create", "version", "value"]
    op: Literal["=", "!=", "<", ">"]
    value: Any


@dataclass(frozen=True, slots=True)
class Put:
    key: str
    value: Any


@dataclass(frozen=True, slots=True)
class Delete:
    key: str


@dataclass(frozen=True, slots=True)
class TxnResult:
    succeeded: bool
    revision: int  # the store revision after the transaction
    prev: tuple[KeyValue | None, ...]  # per executed op, the value before it


@dataclass(frozen=True, slots=True)
class RangeResult:
    kvs: list[KeyValue]
    revision: int  # the revision the range was served at
    more: bool  # True when ``limit`` cut the result short


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
