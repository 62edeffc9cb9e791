"""The objects every reference API server creates at start (the strategies' ``bootstrap``: the RBAC
bootstrap policy, the system PriorityClasses, the default ServiceCIDR, the APF configuration...).

A starting server skips their validation: they are the real server's own objects, so they are
validated here, once, by a server that does check them."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.apiserver import REGISTRY, APIServer
from reference_impl.apiserver.registry.strategy import Strategy
from reference_impl.sim import EventLoop, SeededRandom
from reference_impl.store import MemoryStore

BOOTSTRAP = [(s, o) for s in REGISTRY.strategies() for o in s.bootstrap]


def test_there_are_bootstrap_objects_to_check() -> None:
    kinds = {s.info.kind for s, _ in BOOTSTRAP}
    assert {"ClusterRole", "ClusterRoleBinding", "PriorityClass", "ServiceCIDR"} <= kinds


@pytest.mark.parametrize(("strategy", "obj"), BOOTSTRAP,
                         ids=[f"{s.info.plural}/{o['metadata']['name']}" for s, o in BOOTSTRAP])
def test_every_bootstrap_object_passes_validation(strategy: Strategy, obj: dict[str, Any]) -> None:
    api = APIServer(MemoryStore(), EventLoop(), SeededRandom(1), bootstrap=False)
    meta = obj["metadata"]
    if meta.get("namespace"):
        api.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": meta["namespace"]}})
    created = api.create(f"{strategy.info.api_version}/{strategy.info.plural}", obj, meta.get("namespace"))
    assert created["metadata"]["name"] == meta["name"]


def test_a_started_server_holds_them_all() -> None:
    api = APIServer(MemoryStore(), EventLoop(), SeededRandom(1))
    for strategy, obj in BOOTSTRAP:
        meta = obj["metadata"]
        assert api.store.get(strategy.info.key(meta["name"], meta.get("namespace"))) is not None
