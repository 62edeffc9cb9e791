"""The store's own tests run on every store kind, including the etcd store without its replay
cache (``tests/stores.py``), so that replays from etcd's watch stream are checked too."""

from __future__ import annotations

import pytest

from tests.stores import ALL_STORE_KINDS


@pytest.fixture(params=ALL_STORE_KINDS)
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)
