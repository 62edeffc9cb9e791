"""The etcd stand-in: an MVCC key-value store behind a small interface.

Models etcd v3's data model (``mvcc/kvstore.go``, ``server/etcdserver/api/v3rpc``): one global
revision, per-key create/mod revision and version, compare-then-put/delete transactions, range
by key or prefix at a past revision, watch from a revision, compaction. Leaves out leases (TTL
keys), auth and the raft cluster. Persistence (a write-ahead log and snapshots, as etcd's
``wal`` and ``snap``) is :mod:`reference_impl.store.durable`; the same :class:`Store` over a real
etcd server is :mod:`reference_impl.store.etcd`.
"""

from reference_impl.store.interface import (
    Compacted,
    Compare,
    Delete,
    Event,
    FutureRevision,
    KeyValue,
    Put,
    RangeResult,
    Store,
    StoreError,
    TxnResult,
    WatchHandle,
)
from reference_impl.store.mvcc import MemoryStore

__all__ = [
    "Compacted",
    "Compare",
    "Delete",
    "Event",
    "FutureRevision",
    "KeyValue",
    "MemoryStore",
    "Put",
    "RangeResult",
    "Store",
    "StoreError",
    "TxnResult",
    "WatchHandle",
]
