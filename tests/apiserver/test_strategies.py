"""The registry's strategy seam: a resource registered by a Strategy is defaulted, validated,
generation-bumped and printed by it, and its kind's name shared with an older resource (an
Event of another group, say) does not pull in that resource's tables."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.apiserver import ApiError, APIServer, tables
from reference_impl.apiserver.registry import RESOURCES, Registry, ResourceInfo, Strategy
from reference_impl.apiserver.validation import Errors
from reference_impl.sim import EventLoop, SeededRandom
from reference_impl.store import MemoryStore

Obj = dict[str, Any]


def _default(obj: Obj) -> None:
    obj.setdefault("spec", {}).setdefault("size", 1)


def _validate(errs: Errors, obj: Obj) -> None:
    if obj["spec"]["size"] < 1:
        errs.invalid("spec.size", obj["spec"]["size"], "must be positive")


TOY = Strategy(
    ResourceInfo("toys.example.io", "v1", "Event", "events", "event", True, (), ("status",), True),
    default=_default, validate=_validate, generation_from="spec",
    columns=(("Name", "string", 0, "name"), ("Size", "integer", 0, "")),
    cells=lambda obj, now: [obj["metadata"]["name"], obj["spec"]["size"]],
)


def _api() -> APIServer:
    registry = Registry((*RESOURCES, TOY.info), (TOY,))
    return APIServer(MemoryStore(), EventLoop(), SeededRandom(1), registry=registry)


def test_a_strategy_defaults_validates_and_bumps_generation_on_its_field() -> None:
    api = _api()
    toy = api.create("toys.example.io/v1/events", {"metadata": {"name": "t", "namespace": "default"}}, "default")
    assert toy["spec"] == {"size": 1} and toy["metadata"]["generation"] == 1
    with pytest.raises(ApiError) as bad:
        api.create("toys.example.io/v1/events", {"metadata": {"name": "u"}, "spec": {"size": 0}}, "default")
    assert bad.value.code == 422
    assert bad.value.status["details"]["causes"] == [
        {"reason": "FieldValueInvalid", "message": "Invalid value: 0: must be positive", "field": "spec.size"}
    ]
    with pytest.raises(ApiError) as bad_update:  # an update of the spec is validated again
        api.patch("toys.example.io/v1/events", "t", {"spec": {"size": -1}}, "merge", "default")
    assert bad_update.value.code == 422
    relabelled = api.patch("toys.example.io/v1/events", "t", {"metadata": {"labels": {"a": "b"}}}, "merge", "default")
    assert relabelled["metadata"]["generation"] == 1
    grown = api.patch("toys.example.io/v1/events", "t", {"spec": {"size": 3}}, "merge", "default")
    assert grown["metadata"]["generation"] == 2


def test_a_strategy_prints_its_own_columns_not_those_of_a_same_named_plural() -> None:
    api = _api()
    toy = api.create("toys.example.io/v1/events", {"metadata": {"name": "t"}, "spec": {"size": 2}}, "default")
    table = tables.to_table(TOY.info, [toy], 0.0, strategy=api.registry.strategy(TOY.info))
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Size"]
    assert table["rows"][0]["cells"] == ["t", 2]
    core_events = api.registry.lookup("v1/events")
    assert core_events is not None and api.registry.strategy(core_events) is None
    assert "Reason" in [c["name"] for c in tables.column_definitions(core_events)]
