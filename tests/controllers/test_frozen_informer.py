"""The test configuration's read-only informer objects: a write into a shared object fails where
it is made (tests/frozen.py, switched on by tests/conftest.py), and copies are plain again."""

from __future__ import annotations

import copy

import pytest

from reference_impl.client import Client, Informer, informer
from tests.frozen import FrozenDict, SharedObjectMutated, freeze, thaw
from tests.simenv import SimEnv


def test_the_test_configuration_freezes_what_informers_cache() -> None:
    assert informer.FREEZE is freeze
    env = SimEnv()
    env.api.create("configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                                  "data": {"k": "v"}}, "default")
    inf = Informer(Client(env.api, env.loop, name="test"), "configmaps")
    seen: list[dict[str, object]] = []
    inf.add_handler(on_add=seen.append)
    inf.start()
    env.loop.settle(5)
    cm = inf.get("default/c")
    assert cm is not None and seen and seen[0] is cm
    with pytest.raises(SharedObjectMutated):
        cm["data"]["k"] = "changed"  # type: ignore[index]
    with pytest.raises(SharedObjectMutated):
        cm["metadata"]["labels"] = {}  # type: ignore[index]
    with pytest.raises(SharedObjectMutated):
        cm["metadata"].setdefault("annotations", {})  # type: ignore[attr-defined]
    mine = copy.deepcopy(cm)
    mine["data"]["k"] = "changed"  # a deep copy is the component's own
    shallow = dict(cm)
    shallow["data"] = {"k": "x"}
    assert cm["data"] == {"k": "v"} and type(mine) is dict and type(shallow) is dict


def test_frozen_values_serialise_and_compare_as_plain_ones() -> None:
    import json

    import orjson

    value = {"a": [1, {"b": None}], "c": "d"}
    frozen = freeze(value)
    assert isinstance(frozen, FrozenDict) and frozen == value and thaw(frozen) == value
    assert json.loads(json.dumps(frozen)) == value and orjson.loads(orjson.dumps(frozen)) == value
    with pytest.raises(SharedObjectMutated):
        frozen["a"].append(2)
