"""The stores that store-level tests run on: ``MemoryStore``, and ``EtcdStore`` on a real etcd.

Fixtures (registered in ``tests/conftest.py``):

* ``store_kind`` is parametrized ``memory`` / ``etcd`` (``tests/store`` adds ``etcd-nocache``,
  whose every watch replay reads etcd's watch stream rather than the store's recent commits);
  ``make_store`` makes a fresh store of that kind (``make_store(bytes_values=True)`` for the API
  server, which stores bytes; else small JSON values, as the store's own tests use).
* ``etcd_url``: one etcd per test session (per pytest-xdist worker), started on first use with
  :class:`kconform.upstream.etcd.LocalEtcd` and stopped at the end; every store made on it gets a
  key prefix of its own, so the tests never see each other's keys. etcd's revision and its
  compaction are etcd-wide, so a store's first revision is wherever the session's etcd is: the
  tests count revisions from the store's starting one.

``$KCONFORM_TEST_ETCD`` decides what happens without an etcd binary: unset or empty, the etcd
cases are skipped with the reason; ``required`` (what CI sets), they fail; a URL
(``http://127.0.0.1:2379``) uses that etcd instead of starting one — give each concurrent run
its own, since the tests assume no other writer moves the revision under them.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from typing import Protocol

import pytest

from kconform.errors import BackendUnavailable
from reference_impl.store import MemoryStore
from reference_impl.store.etcd import BYTES, JSON, REPLAY_BATCHES, EtcdStore

ETCD_ENV = "KCONFORM_TEST_ETCD"
STORE_KINDS = ("memory", "etcd")
ALL_STORE_KINDS = (*STORE_KINDS, "etcd-nocache")

AnyStore = MemoryStore | EtcdStore


class StoreMaker(Protocol):
    def __call__(self, *, bytes_values: bool = False) -> AnyStore: ...


@pytest.fixture(scope="session")
def etcd_url() -> Iterator[str]:
    setting = os.environ.get(ETCD_ENV, "").strip()
    try:
        import etcd3gw  # noqa: F401  (the `test` extra installs it)
    except ImportError:
        if setting:
            pytest.fail(f"${ETCD_ENV}={setting}, but the etcd3gw client is missing: pip install -e '.[test]'")
        pytest.skip("the etcd store's cases need the etcd3gw client: pip install -e '.[test]'")
    if setting.startswith(("http://", "https://")):
        yield setting
        return
    from kconform.upstream.etcd import LocalEtcd

    try:
        etcd = LocalEtcd().start()
    except BackendUnavailable as e:
        if setting == "required":
            pytest.fail(f"${ETCD_ENV}=required, but {e}")
        pytest.skip(f"the etcd store's cases need an etcd ({e}; or set ${ETCD_ENV}=URL)")
    try:
        yield etcd.url
    finally:
        etcd.stop()


_SESSION = uuid.uuid4().hex[:8]  # a shared etcd given by URL keeps the keys of earlier runs
_NEXT = itertools.count()


def fresh_prefix() -> str:
    """A key prefix no other store of any run has used."""
    return f"/kconform-test/{_SESSION}-{os.getpid()}/{next(_NEXT)}/"


@pytest.fixture(params=STORE_KINDS)
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_store(request: pytest.FixtureRequest, store_kind: str) -> StoreMaker:
    if store_kind == "memory":

        def memory(*, bytes_values: bool = False) -> AnyStore:
            return MemoryStore()

        return memory
    url: str = request.getfixturevalue("etcd_url")

    replay_batches = 0 if store_kind == "etcd-nocache" else REPLAY_BATCHES

    def etcd(*, bytes_values: bool = False) -> AnyStore:
        return EtcdStore.connect(url, prefix=fresh_prefix(), codec=BYTES if bytes_values else JSON,
                                 replay_batches=replay_batches)

    return etcd
