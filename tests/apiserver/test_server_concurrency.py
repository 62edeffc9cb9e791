"""Optimistic concurrency: simulated clients doing read-modify-write with resourceVersion
preconditions, interleaved arbitrarily by hypothesis. No update is lost, a stale write gets
409 Conflict, and resourceVersions strictly increase — on the in-memory store and over a real etcd."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from reference_impl.apiserver import ApiError
from tests.simenv import SimEnv
from tests.stores import StoreMaker

Obj = dict[str, Any]
CLIENTS = ("c0", "c1", "c2")
NAMES = ("x", "y")
KINDS = ("configmaps", "deployments")


def _body(kind: str, name: str, n: int) -> Obj:
    if kind == "configmaps":
        return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"n": str(n)}}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": n,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "c", "image": "i"}]}},
        },
    }


def _value(kind: str, obj: Obj) -> int:
    return int(obj["data"]["n"]) if kind == "configmaps" else int(obj["spec"]["replicas"])


def _set(kind: str, obj: Obj, n: int) -> None:
    if kind == "configmaps":
        obj["data"]["n"] = str(n)
    else:
        obj["spec"]["replicas"] = n


class ReadModifyWrite(RuleBasedStateMachine):
    def __init__(self, make_store: StoreMaker) -> None:
        super().__init__()
        self.make_store = make_store

    @initialize()
    def setup(self) -> None:
        self.env = SimEnv(store=self.make_store(bytes_values=True))
        self.api = self.env.api
        # model: (kind, name) -> (value, resourceVersion) or absent
        self.model: dict[tuple[str, str], tuple[int, int]] = {}
        # each client's last read of each object
        self.snap: dict[tuple[str, str, str], Obj] = {}
        self.last_rv = self.env.store.revision
        self.writes: dict[tuple[str, str], list[int]] = {}
        self.seen: dict[tuple[str, str], list[int]] = {}
        for kind in KINDS:
            self.api.watch(kind, self._on_event(kind), "default")
        for kind in KINDS:
            for name in NAMES:
                self._create(kind, name)

    def _on_event(self, kind: str) -> Any:
        def handler(type_: str, obj: Obj) -> None:
            if type_ in ("ADDED", "MODIFIED"):
                self.seen.setdefault((kind, obj["metadata"]["name"]), []).append(_value(kind, obj))

        return handler

    def _bump(self, rv: int) -> None:
        assert rv > self.last_rv, "resourceVersions strictly increase"
        self.last_rv = rv

    def _create(self, kind: str, name: str) -> None:
        out = self.api.create(kind, _body(kind, name, 1), "default")
        rv = int(out["metadata"]["resourceVersion"])
        self._bump(rv)
        self.model[(kind, name)] = (1, rv)
        self.writes.setdefault((kind, name), []).append(1)

    @rule(client=st.sampled_from(CLIENTS), kind=st.sampled_from(KINDS), name=st.sampled_from(NAMES))
    def read(self, client: str, kind: str, name: str) -> None:
        try:
            obj = self.api.get(kind, name, "default")
        except ApiError as e:
            assert e.code == 404 and (kind, name) not in self.model
            self.snap.pop((client, kind, name), None)
            return
        value, rv = self.model[(kind, name)]
        assert (_value(kind, obj), int(obj["metadata"]["resourceVersion"])) == (value, rv)
        self.snap[(client, kind, name)] = obj

    @rule(
        client=st.sampled_from(CLIENTS),
        kind=st.sampled_from(KINDS),
        name=st.sampled_from(NAMES),
        how=st.sampled_from(["update", "merge", "json", "scale"]),
    )
    def write(self, client: str, kind: str, name: str, how: str) -> None:
        snap = self.snap.get((client, kind, name))
        if snap is None:
            return
        new_value = _value(kind, snap) + 1
        rv_sent = snap["metadata"]["resourceVersion"]
        current = self.model.get((kind, name))
        try:
            if how == "update":
                body = copy.deepcopy(snap)
                _set(kind, body, new_value)
                out = self.api.update(kind, body, "default")
            elif how == "merge":
                field = {"data": {"n": str(new_value)}} if kind == "configmaps" else {"spec": {"replicas": new_value}}
                out = self.api.patch(kind, name, {"metadata": {"resourceVersion": rv_sent}, **field}, "merge", "default")
            elif how == "json":
                path = "/data/n" if kind == "configmaps" else "/spec/replicas"
                val: Any = str(new_value) if kind == "configmaps" else new_value
                ops = [
                    {"op": "test", "path": "/metadata/resourceVersion", "value": rv_sent},
                    {"op": "replace", "path": path, "value": val},
                ]
                out = self.api.patch(kind, name, ops, "json", "default")
            else:
                if kind != "deployments":
                    return
                scale = {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": name, "resourceVersion": rv_sent}, "spec": {"replicas": new_value}}
                out = self.api.update(kind, scale, "default", subresource="scale")
        except ApiError as e:
            if current is None:
                assert e.code == 404
            else:
                assert str(current[1]) != rv_sent, f"a fresh write was refused: {e!r}"
                if how == "json":
                    assert e.code in (409, 422)  # the JSON-patch test op fails before the precondition
                else:
                    assert (e.code, e.reason) == (409, "Conflict")
                    assert "the object has been modified" in e.message
            return
        assert current is not None and str(current[1]) == rv_sent, "a stale write was accepted (lost update)"
        rv = int(out["metadata"]["resourceVersion"])
        self._bump(rv)
        assert _value(kind, out) == new_value
        self.model[(kind, name)] = (new_value, rv)
        self.writes[(kind, name)].append(new_value)
        self.snap.pop((client, kind, name))

    @rule(kind=st.sampled_from(KINDS), name=st.sampled_from(NAMES), client=st.sampled_from(CLIENTS))
    def unconditional_write(self, kind: str, name: str, client: str) -> None:
        if (kind, name) not in self.model:
            return
        new_value = self.model[(kind, name)][0] + 10
        out = self.api.update(kind, _body(kind, name, new_value), "default")
        rv = int(out["metadata"]["resourceVersion"])
        self._bump(rv)
        self.model[(kind, name)] = (new_value, rv)
        self.writes[(kind, name)].append(new_value)

    @rule(kind=st.sampled_from(KINDS), name=st.sampled_from(NAMES), client=st.sampled_from(CLIENTS))
    def delete_with_precondition(self, kind: str, name: str, client: str) -> None:
        snap = self.snap.get((client, kind, name))
        if snap is None:
            return
        current = self.model.get((kind, name))
        try:
            self.api.delete(kind, name, "default", preconditions={"resourceVersion": snap["metadata"]["resourceVersion"]})
        except ApiError as e:
            assert current is None or str(current[1]) != snap["metadata"]["resourceVersion"]
            assert e.code == (404 if current is None else 409)
            return
        assert current is not None and str(current[1]) == snap["metadata"]["resourceVersion"]
        self._bump(self.env.store.revision)
        del self.model[(kind, name)]

    @rule(kind=st.sampled_from(KINDS), name=st.sampled_from(NAMES))
    def recreate(self, kind: str, name: str) -> None:
        if (kind, name) in self.model:
            with pytest.raises(ApiError) as ei:
                self.api.create(kind, _body(kind, name, 1), "default")
            assert ei.value.code == 409
            return
        self._create(kind, name)

    @invariant()
    def server_matches_model(self) -> None:
        for kind in KINDS:
            items = self.api.list(kind, "default")["items"]
            got = {(kind, o["metadata"]["name"]): (_value(kind, o), int(o["metadata"]["resourceVersion"])) for o in items}
            assert got == {k: v for k, v in self.model.items() if k[0] == kind}

    @invariant()
    def every_successful_write_was_seen_by_watchers(self) -> None:
        assert self.seen == self.writes


MEMORY_SETTINGS = settings(max_examples=80, stateful_step_count=50, deadline=None, derandomize=True)


def test_read_modify_write(make_store: StoreMaker, store_kind: str) -> None:
    """On each store (``tests/stores.py``); over a real etcd with the bounded ``ci`` profile."""
    chosen = MEMORY_SETTINGS if store_kind == "memory" else settings(settings.get_profile("kconform-ci"))
    run_state_machine_as_test(lambda: ReadModifyWrite(make_store), settings=chosen)
