"""The in-memory MVCC store made durable: a write-ahead log and snapshots in a data directory.

Models etcd's persistence: ``server/storage/wal`` (every entry appended as a length-prefixed,
CRC-checked record and fdatasync'ed before the write it carries is acknowledged; a torn last
record, left by a crash in the middle of a write, is cut off at open as ``wal.ReadAll`` with
``Repair`` does, while damage anywhere else refuses to open) and ``server/etcdserver/api/snap``
(a snapshot every ``snapshot_every_records`` records or ``snapshot_every_bytes`` bytes of log,
after which the older segments are released, so that a restart replays a bounded log). The
revision, the compaction revision and every key's history since the compaction survive a
restart, so a resourceVersion handed out before it stays valid (or is answered ``410 Expired``
exactly as before) and new revisions continue from the old ones.

The simulated clock's reading is written into every record (and the snapshot): a cluster
started over the directory resumes its clock there (:attr:`DurableStore.recovered_time_s`), so
no stored timestamp or lease is in the future.

Layout of the directory::

    LOCK                     flock'ed while a store has the directory open
    snap-<revision>.snap     the newest snapshot: the whole MVCC state at <revision>
    wal-<revision>.log       a log segment: records of revisions after <revision>

Leaves out: raft (a record is one committed transaction, not a raft entry with term and index),
segment preallocation and the rolling CRC that chains etcd's records across segments (each
record here carries its own CRC32), group commit (etcd's raft loop fdatasyncs a batch of
entries at once; here every transaction is one fdatasync, as a single client sees it), the bbolt
backend (the state is rebuilt in memory from the snapshot and the log) and defragmentation.
This is the one module of ``reference_impl`` that does file I/O.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import struct
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from reference_impl.store.interface import Compare, Delete, Event, KeyValue, Put, StoreError, TxnResult
from reference_impl.store.mvcc import MemoryStore

FORMAT_VERSION = 1
WAL_MAGIC = b"KCWAL\x00\x00\x00"
SNAP_MAGIC = b"KCSNAP\x00\x00"
_HEADER = struct.Struct("<8sII")  # magic, format version, reserved
_FRAME = struct.Struct("<II")  # payload length, CRC32 of the payload
_SNAP_FRAME = struct.Struct("<QI")  # body length, CRC32 of the body
MAX_RECORD_BYTES = 256 << 20  # a length above this is damage, not a record

_KIND_TXN, _KIND_COMPACT, _KIND_CLOCK = 1, 2, 3
_RECORD_HEAD = struct.Struct("<Bdq")  # kind, simulated time (s), revision
_U8 = struct.Struct("<B")
_U32 = struct.Struct("<I")
_I64 = struct.Struct("<q")
_KV = struct.Struct("<qqq")  # create, mod, version
_EVENT = struct.Struct("<Bii")  # type, kv index, prev kv index (-1: none)
_SNAP_HEAD = struct.Struct("<dqq")  # simulated time, revision, compacted revision
_OP_PUT, _OP_DELETE = 0, 1
_VAL_NONE, _VAL_BYTES, _VAL_STR = 0, 1, 2

_fdatasync: Callable[[int], None] = getattr(os, "fdatasync", os.fsync)


class DataDirError(StoreError):
    """The data directory cannot be used: not writable, in use, damaged, or of another format.

    The message names the directory (and the file and offset of damage) and says what to do.
    """


class CorruptLog(DataDirError):
    """A record that is not the last one is damaged (or the snapshot is): refuse, never guess."""


def _seg_name(revision: int) -> str:
    return f"wal-{revision:016x}.log"


def _snap_name(revision: int) -> str:
    return f"snap-{revision:016x}.snap"


def _numbered(directory: Path, prefix: str, suffix: str) -> list[tuple[int, Path]]:
    out: list[tuple[int, Path]] = []
    for p in directory.iterdir():
        name = p.name
        if name.startswith(prefix) and name.endswith(suffix):
            try:
                out.append((int(name[len(prefix) : -len(suffix)], 16), p))
            except ValueError:
                continue
    out.sort()
    return out


def _encode_value(value: Any) -> bytes:
    if value is None:
        return _U8.pack(_VAL_NONE)
    if isinstance(value, bytes):
        return _U8.pack(_VAL_BYTES) + _U32.pack(len(value)) + value
    if isinstance(value, str):
        raw = value.encode()
        return _U8.pack(_VAL_STR) + _U32.pack(len(raw)) + raw
    raise TypeError(f"a durable store keeps bytes, str or None values, not {type(value).__name__}")


class _Reader:
    """Sequential decoding of one CRC-checked buffer (a record's payload or a snapshot body)."""

    __slots__ = ("buf", "pos")

    def __init__(self, buf: bytes) -> None:
        self.buf = buf
        self.pos = 0

    def take(self, s: struct.Struct) -> tuple[Any, ...]:
        out = s.unpack_from(self.buf, self.pos)
        self.pos += s.size
        return out

    def raw(self) -> bytes:
        (n,) = _U32.unpack_from(self.buf, self.pos)
        start = self.pos + 4
        self.pos = start + n
        if self.pos > len(self.buf):
            raise ValueError("field runs past the end")
        return self.buf[start : self.pos]

    def text(self) -> str:
        return self.raw().decode()

    def value(self) -> Any:
        (kind,) = self.take(_U8)
        if kind == _VAL_NONE:
            return None
        if kind == _VAL_BYTES:
            return self.raw()
        if kind == _VAL_STR:
            return self.text()
        raise ValueError(f"unknown value type {kind}")

    def done(self) -> None:
        if self.pos != len(self.buf):
            raise ValueError(f"{len(self.buf) - self.pos} bytes left over")


def _write_all(fd: int, data: bytes) -> None:
    # (by offset: a loop over a shrinking memoryview wrote every record twice in the compiled
    # build, which the sources never did)
    done = 0
    while done < len(data):
        done += os.write(fd, data[done:] if done else data)


def _blob(raw: bytes) -> bytes:
    return _U32.pack(len(raw)) + raw


class DurableStore(MemoryStore):
    """A :class:`MemoryStore` whose every commit is in ``data_dir`` before ``txn`` returns.

    Opening the directory recovers the state (newest snapshot, then the log after it), drops a
    torn last record, and raises :class:`DataDirError` for a directory that cannot be used.
    Watchers hear of a commit only once it is durable. A failed write to the log stops the
    store (later writes raise), as etcd stops on a WAL write error: the commit it carried was
    never acknowledged. Single-threaded, like the store it extends; one process per directory
    (``LOCK``).
    """

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        *,
        snapshot_every_records: int = 10_000,
        snapshot_every_bytes: int = 64 << 20,
    ) -> None:
        super().__init__()
        if snapshot_every_records < 1 or snapshot_every_bytes < 1:
            raise ValueError("snapshot_every_records and snapshot_every_bytes must be at least 1")
        self.data_dir = Path(data_dir)
        self.snapshot_every_records = snapshot_every_records
        self.snapshot_every_bytes = snapshot_every_bytes
        self.recovered_time_s = 0.0  # the latest simulated time any record or the snapshot holds
        self.records_replayed = 0
        self.torn_bytes_dropped = 0
        self._now: Callable[[], float] = self._recovered_now
        self._fd = -1  # the open segment; -1 while recovering (replayed commits are not logged)
        self._lock_fd = -1
        self._failed: str | None = None
        self._records_since_snap = 0
        self._bytes_since_snap = 0
        self._snapshot_revision = 0  # the revision of the snapshot recovery started from
        self._lock()
        try:
            self._recover()
        except BaseException:
            self.close()
            raise

    # -- public ---------------------------------------------------------------------------
    def bind_clock(self, now: Callable[[], float]) -> None:
        """Stamp records with ``now()`` (the cluster's simulated clock) from here on."""
        self._now = now

    def snapshot(self) -> None:
        """Write the whole state as a snapshot, start a new log segment, release the old ones."""
        self._check_usable()
        rev = self._revision
        try:
            body = self._encode_snapshot()
            data = _HEADER.pack(SNAP_MAGIC, FORMAT_VERSION, 0) + _SNAP_FRAME.pack(len(body), zlib.crc32(body)) + body
            self._write_file(_snap_name(rev), data)
            old_fd = self._fd
            self._fd = self._create_segment(rev)
            os.close(old_fd)
            for r, p in _numbered(self.data_dir, "wal-", ".log"):
                if r != rev:
                    p.unlink()
            for r, p in _numbered(self.data_dir, "snap-", ".snap"):
                if r != rev:
                    p.unlink()
            self._sync_dir()
        except OSError as e:
            self._fail(f"cannot write a snapshot: {e}")
        self._records_since_snap = 0
        self._bytes_since_snap = 0

    def close(self) -> None:
        """Record the clock's reading (a clean stop), close the log and release the directory."""
        if self._fd >= 0:
            if self._failed is None:
                with contextlib.suppress(DataDirError):
                    self._append(_RECORD_HEAD.pack(_KIND_CLOCK, self._now(), self._revision))
            os.close(self._fd)
            self._fd = -1
        if self._lock_fd >= 0:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = -1

    # -- the write path -------------------------------------------------------------------
    def txn(
        self,
        compares: Sequence[Compare],
        success: Sequence[Put | Delete],
        failure: Sequence[Put | Delete] = (),
    ) -> TxnResult:
        self._check_usable()
        for op in (*success, *failure):
            if isinstance(op, Put) and op.value is not None and not isinstance(op.value, (bytes, str)):
                raise TypeError(f"a durable store keeps bytes, str or None values, not {type(op.value).__name__}")
        return super().txn(compares, success, failure)

    def _notify(self, batch: tuple[Event, ...]) -> None:
        # called once per commit, after it is applied and before any watcher hears of it (also
        # for a commit made by a watch callback, so the log holds commits in revision order)
        if self._fd >= 0:
            parts = [_RECORD_HEAD.pack(_KIND_TXN, self._now(), batch[0].revision), _U32.pack(len(batch))]
            for e in batch:
                key = e.kv.key.encode()
                if e.type == "PUT":
                    parts += (_U8.pack(_OP_PUT), _blob(key), _encode_value(e.kv.value))
                else:
                    parts += (_U8.pack(_OP_DELETE), _blob(key))
            self._append(b"".join(parts))
        super()._notify(batch)
        self._maybe_snapshot()

    def compact(self, revision: int) -> None:
        self._check_usable()
        super().compact(revision)
        if self._fd >= 0:
            self._append(_RECORD_HEAD.pack(_KIND_COMPACT, self._now(), revision))
            self._maybe_snapshot()

    def _append(self, payload: bytes) -> None:
        data = _FRAME.pack(len(payload), zlib.crc32(payload)) + payload
        try:
            _write_all(self._fd, data)
            _fdatasync(self._fd)
        except OSError as e:
            self._fail(f"cannot append to the write-ahead log: {e}")
        self._records_since_snap += 1
        self._bytes_since_snap += len(data)

    def _maybe_snapshot(self) -> None:
        if self._fd >= 0 and (
            self._records_since_snap >= self.snapshot_every_records
            or self._bytes_since_snap >= self.snapshot_every_bytes
        ):
            self.snapshot()

    def _fail(self, why: str) -> None:
        self._failed = f"data dir {self.data_dir}: {why}"
        raise DataDirError(self._failed)

    def _check_usable(self) -> None:
        if self._failed is not None:
            raise DataDirError(f"{self._failed} (the store stopped taking writes)")
        if self._fd < 0:
            raise DataDirError(f"data dir {self.data_dir}: the store is closed")

    def _recovered_now(self) -> float:
        return self.recovered_time_s

    # -- files ----------------------------------------------------------------------------
    def _lock(self) -> None:
        d = self.data_dir
        try:
            d.mkdir(parents=True, exist_ok=True)
            self._lock_fd = os.open(d / "LOCK", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as e:
            raise DataDirError(f"data dir {d}: cannot use it: {e.strerror or e}") from None
        if not os.access(d, os.W_OK):
            os.close(self._lock_fd)
            self._lock_fd = -1
            raise DataDirError(f"data dir {d}: not writable")
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._lock_fd)
            self._lock_fd = -1
            raise DataDirError(f"data dir {d}: in use by another process (its LOCK is held)") from None

    def _sync_dir(self) -> None:
        fd = os.open(self.data_dir, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def _write_file(self, name: str, data: bytes) -> None:
        """Write ``name`` whole or not at all: a temporary file, fsync'ed, then renamed."""
        tmp = self.data_dir / f"{name}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.data_dir / name)
        self._sync_dir()

    def _create_segment(self, revision: int) -> int:
        self._write_file(_seg_name(revision), _HEADER.pack(WAL_MAGIC, FORMAT_VERSION, 0))
        return os.open(self.data_dir / _seg_name(revision), os.O_WRONLY | os.O_APPEND)

    def _check_header(self, path: Path, data: bytes, magic: bytes) -> None:
        if len(data) < _HEADER.size:
            raise CorruptLog(f"data dir {self.data_dir}: {path.name} is shorter than its header")
        got, version, _ = _HEADER.unpack_from(data)
        if got != magic:
            raise CorruptLog(f"data dir {self.data_dir}: {path.name} is not a kconform store file")
        if version != FORMAT_VERSION:
            raise DataDirError(
                f"data dir {self.data_dir}: {path.name} was written in store format {version}; this kconform "
                f"reads format {FORMAT_VERSION} (use the kconform that wrote it, or another --data-dir)"
            )

    # -- recovery -------------------------------------------------------------------------
    def _recover(self) -> None:
        d = self.data_dir
        for p in d.glob("*.tmp"):  # a snapshot or segment a crash left half-written
            p.unlink()
        snaps = _numbered(d, "snap-", ".snap")
        if snaps:
            self._load_snapshot(snaps[-1][1])
        segments = _numbered(d, "wal-", ".log")
        for i, (_, path) in enumerate(segments):
            self._replay_segment(path, last=i == len(segments) - 1)
        if segments:
            self._fd = os.open(segments[-1][1], os.O_WRONLY | os.O_APPEND)
        else:
            self._fd = self._create_segment(self._revision)

    def _replay_segment(self, path: Path, *, last: bool) -> None:
        data = path.read_bytes()
        if last and len(data) < _HEADER.size and not data.strip(b"\x00"):
            # a crash while the segment was first written (renamed in place, so only an empty
            # or zeroed file gets here): rewrite its header
            self._write_file(path.name, _HEADER.pack(WAL_MAGIC, FORMAT_VERSION, 0))
            return
        self._check_header(path, data, WAL_MAGIC)
        pos = _HEADER.size
        end = len(data)
        while pos < end:
            bad = self._bad_record(data, pos)
            if bad is not None:
                if last and self._torn(data, pos):
                    self.torn_bytes_dropped = end - pos
                    with open(path, "r+b") as f:
                        f.truncate(pos)
                        os.fsync(f.fileno())
                    return
                raise CorruptLog(
                    f"data dir {self.data_dir}: {path.name} is damaged at offset {pos} ({bad}) with records after "
                    "it; refusing to start rather than lose or invent writes (restore the directory from a backup)"
                )
            length, _ = _FRAME.unpack_from(data, pos)
            payload = data[pos + _FRAME.size : pos + _FRAME.size + length]
            try:
                self._apply_record(payload)
            except (ValueError, struct.error, UnicodeDecodeError) as e:
                raise CorruptLog(f"data dir {self.data_dir}: {path.name}: the record at offset {pos} cannot be applied: {e}") from None
            pos += _FRAME.size + length
            self.records_replayed += 1

    @staticmethod
    def _bad_record(data: bytes, pos: int) -> str | None:
        """Why the record at ``pos`` is not a whole, intact record (None when it is)."""
        if pos + _FRAME.size > len(data):
            return "a partial record header"
        length, crc = _FRAME.unpack_from(data, pos)
        if length == 0 or length > MAX_RECORD_BYTES:
            return f"an impossible record length {length}"
        if pos + _FRAME.size + length > len(data):
            return "a record cut short"
        if zlib.crc32(data[pos + _FRAME.size : pos + _FRAME.size + length]) != crc:
            return "a CRC mismatch"
        return None

    @staticmethod
    def _torn(data: bytes, pos: int) -> bool:
        """Whether a bad record at ``pos`` is what a crash mid-append leaves: the last record,
        reaching the end of the file (or only zeros after it, as a filesystem may leave)."""
        if pos + _FRAME.size > len(data):
            return True
        length, _ = _FRAME.unpack_from(data, pos)
        if length == 0 or length > MAX_RECORD_BYTES:
            return not data[pos:].strip(b"\x00") or pos + _FRAME.size + length >= len(data)
        return pos + _FRAME.size + length >= len(data) or not data[pos + _FRAME.size + length :].strip(b"\x00")

    def _apply_record(self, payload: bytes) -> None:
        r = _Reader(payload)
        kind, time_s, revision = r.take(_RECORD_HEAD)
        self.recovered_time_s = max(self.recovered_time_s, time_s)
        if kind == _KIND_TXN:
            (n,) = r.take(_U32)
            ops: list[Put | Delete] = []
            for _ in range(n):
                (op,) = r.take(_U8)
                key = r.text()
                if op == _OP_PUT:
                    ops.append(Put(key, r.value()))
                elif op == _OP_DELETE:
                    ops.append(Delete(key))
                else:
                    raise ValueError(f"unknown operation {op}")
            r.done()
            if revision <= self._snapshot_revision:
                return  # in the snapshot already (a segment older than it, not yet removed)
            if revision != self._revision + 1:
                raise ValueError(f"revision {revision} follows {self._revision}: revisions are missing or repeated")
            if not ops:
                raise ValueError("a transaction without writes")
            got = MemoryStore.txn(self, (), ops).revision
            if got != revision:
                raise ValueError(f"replay made revision {got}, the record says {revision}")
        elif kind == _KIND_COMPACT:
            r.done()
            if revision > self._compacted:
                if revision > self._revision:
                    raise ValueError(f"compaction at {revision} beyond revision {self._revision}")
                MemoryStore.compact(self, revision)
        elif kind == _KIND_CLOCK:
            r.done()
        else:
            raise ValueError(f"unknown record kind {kind}")

    # -- snapshots ------------------------------------------------------------------------
    def _encode_snapshot(self) -> bytes:
        index: dict[int, int] = {}  # id(KeyValue) -> its number: shared between history and log
        kv_parts: list[bytes] = []

        def number(kv: KeyValue) -> int:
            i = index.get(id(kv))
            if i is None:
                i = index[id(kv)] = len(index)
                kv_parts.append(_blob(kv.key.encode()) + _encode_value(kv.value) + _KV.pack(kv.create_revision, kv.mod_revision, kv.version))
            return i

        hist_parts: list[bytes] = [_U32.pack(len(self._history))]
        for hist in self._history.values():
            hist_parts.append(_U32.pack(len(hist)) + b"".join(_U32.pack(number(kv)) for kv in hist))
        log_parts: list[bytes] = [_U32.pack(len(self._log))]
        for batch in self._log:
            log_parts.append(_U32.pack(len(batch)))
            for e in batch:
                prev = -1 if e.prev_kv is None else number(e.prev_kv)
                log_parts.append(_EVENT.pack(0 if e.type == "PUT" else 1, number(e.kv), prev))
        head = _SNAP_HEAD.pack(self._now(), self._revision, self._compacted) + _U32.pack(len(kv_parts))
        return b"".join((head, *kv_parts, *hist_parts, *log_parts))

    def _load_snapshot(self, path: Path) -> None:
        data = path.read_bytes()
        self._check_header(path, data, SNAP_MAGIC)
        pos = _HEADER.size
        try:
            length, crc = _SNAP_FRAME.unpack_from(data, pos)
        except struct.error:
            raise CorruptLog(f"data dir {self.data_dir}: {path.name} is cut short") from None
        body = data[pos + _SNAP_FRAME.size :]
        if len(body) != length or zlib.crc32(body) != crc:
            raise CorruptLog(f"data dir {self.data_dir}: {path.name} is damaged (length or CRC mismatch)")
        try:
            self._restore(_Reader(body))
        except (ValueError, IndexError, struct.error, UnicodeDecodeError) as e:
            raise CorruptLog(f"data dir {self.data_dir}: {path.name} cannot be read: {e}") from None

    def _restore(self, r: _Reader) -> None:
        time_s, revision, compacted = r.take(_SNAP_HEAD)
        (nkv,) = r.take(_U32)
        kvs: list[KeyValue] = []
        for _ in range(nkv):
            key = r.text()
            value = r.value()
            create, mod, version = r.take(_KV)
            kvs.append(KeyValue(key, value, create, mod, version))
        history: dict[str, list[KeyValue]] = {}
        (nkeys,) = r.take(_U32)
        for _ in range(nkeys):
            (n,) = r.take(_U32)
            hist = [kvs[r.take(_U32)[0]] for _ in range(n)]
            if not hist:
                raise ValueError("a key without history")
            history[hist[0].key] = hist
        log: list[tuple[Event, ...]] = []
        (nbatches,) = r.take(_U32)
        for _ in range(nbatches):
            (n,) = r.take(_U32)
            events: list[Event] = []
            for _ in range(n):
                typ, i, p = r.take(_EVENT)
                events.append(Event("PUT" if typ == 0 else "DELETE", kvs[i], None if p < 0 else kvs[p]))
            log.append(tuple(events))
        r.done()
        self.recovered_time_s = max(self.recovered_time_s, time_s)
        self._revision = revision
        self._snapshot_revision = revision
        self._compacted = compacted
        self._history = history
        self._current = {k: h[-1] for k, h in history.items() if h[-1].version}
        self._log = log
        self._sorted = sorted(history)
        self._unsorted = []


def iter_records(path: str | os.PathLike[str]) -> Iterator[tuple[int, int]]:
    """(offset, length) of each intact record of a log segment (for tests and tools)."""
    data = Path(path).read_bytes()
    pos = _HEADER.size
    while pos < len(data) and DurableStore._bad_record(data, pos) is None:
        length, _ = _FRAME.unpack_from(data, pos)
        yield pos, _FRAME.size + length
        pos += _FRAME.size + length
