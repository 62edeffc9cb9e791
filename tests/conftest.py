"""Configuration for the project's own tests.

The watch cache shares each decoded object between every watcher and its own state; the tests
turn on its check that no component mutates such a shared object in place, and make what the
informers cache read-only (tests/frozen.py), so that such a mutation fails where it is made. The store fixtures
(the in-memory store, and a real etcd once per session) come from ``tests/stores.py``.
"""

from __future__ import annotations

from reference_impl.apiserver.watch import Cacher
from reference_impl.client import informer
from tests.frozen import freeze
from tests.stores import etcd_url, make_store, store_kind

__all__ = ["etcd_url", "make_store", "store_kind"]  # fixtures, for every test module

Cacher.verify_shared = True
informer.FREEZE = freeze
