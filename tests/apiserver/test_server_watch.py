"""Watch semantics of the in-process API server (``apiserver/server.py`` + ``apiserver/watch.py``),
and the client-side reflector behaviour built on it (``reference_impl/client``)."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.apiserver import ApiError
from reference_impl.client import Client, Informer, Unreachable
from tests.simenv import SimEnv
from tests.stores import StoreMaker

Obj = dict[str, Any]
Ev = tuple[str, str, str]  # type, name, resourceVersion


def cm(name: str, ns: str = "default", labels: dict[str, str] | None = None, **data: str) -> Obj:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns, "labels": labels or {}}, "data": dict(data)}


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, Obj]] = []
        self.closed = 0

    def __call__(self, type_: str, obj: Obj) -> None:
        self.events.append((type_, obj))

    def on_close(self) -> None:
        self.closed += 1

    def summary(self, *, bookmarks: bool = False) -> list[Ev]:
        return [
            (t, o.get("metadata", {}).get("name", ""), o.get("metadata", {}).get("resourceVersion", ""))
            for t, o in self.events
            if bookmarks or t != "BOOKMARK"
        ]

    def types_names(self) -> list[tuple[str, str]]:
        return [(t, n) for t, n, _ in self.summary()]


@pytest.fixture
def env(make_store: StoreMaker) -> SimEnv:
    """An API server on each store: in memory, and over a real etcd (``tests/stores.py``)."""
    return SimEnv(store=make_store(bytes_values=True))


def test_watch_without_rv_sends_synthetic_added_then_changes(env: SimEnv) -> None:
    a = env.api.create("configmaps", cm("a"), "default")
    env.api.create("configmaps", cm("x", "kube-system"), "kube-system")
    r = Recorder()
    env.api.watch("configmaps", r, "default")
    assert r.summary() == [("ADDED", "a", a["metadata"]["resourceVersion"])]
    b = env.api.create("configmaps", cm("b"), "default")
    a["data"] = {"k": "v"}
    a2 = env.api.update("configmaps", a, "default")
    env.api.delete("configmaps", "b", "default")
    rev = str(env.store.revision)
    assert r.summary() == [
        ("ADDED", "a", a["metadata"]["resourceVersion"]),
        ("ADDED", "b", b["metadata"]["resourceVersion"]),
        ("MODIFIED", "a", a2["metadata"]["resourceVersion"]),
        ("DELETED", "b", rev),
    ]
    # resource_version "0" means the same: start from the current state
    r0 = Recorder()
    env.api.watch("configmaps", r0, "default", resource_version="0")
    assert r0.types_names() == [("ADDED", "a")]


def test_watch_from_rv_replays_every_change_after_it(env: SimEnv) -> None:
    start = env.api.create("configmaps", cm("a"), "default")["metadata"]["resourceVersion"]
    env.api.create("configmaps", cm("b"), "default")
    env.api.update("configmaps", cm("a", k="1"), "default")
    env.api.update("configmaps", cm("a", k="2"), "default")
    env.api.delete("configmaps", "b", "default")
    env.api.create("configmaps", cm("other", "kube-system"), "kube-system")
    r = Recorder()
    env.api.watch("configmaps", r, "default", resource_version=start)
    assert r.types_names() == [("ADDED", "b"), ("MODIFIED", "a"), ("MODIFIED", "a"), ("DELETED", "b")]
    rvs = [int(rv) for _, _, rv in r.summary()]
    assert rvs == sorted(rvs) and rvs[0] > int(start)
    assert r.events[2][1]["data"] == {"k": "2"}
    env.api.create("configmaps", cm("c"), "default")  # then live
    assert r.types_names()[-1] == ("ADDED", "c")
    # replays from the same RV are identical across watchers
    r2 = Recorder()
    env.api.watch("configmaps", r2, "default", resource_version=start)
    assert r2.summary() == r.summary()


def test_watch_rv_too_large(env: SimEnv) -> None:
    with pytest.raises(ApiError) as ei:
        env.api.watch("configmaps", Recorder(), resource_version=str(env.store.revision + 10))
    assert ei.value.code == 504


def test_label_filtered_watchers_and_selector_transitions(env: SimEnv) -> None:
    sel = Recorder()
    every = Recorder()
    env.api.watch("configmaps", sel, "default", label_selector="app=web")
    env.api.watch("configmaps", every, "default")
    c = env.api.create("configmaps", cm("a", labels={"app": "db"}), "default")
    c["metadata"]["labels"] = {"app": "web"}
    c = env.api.update("configmaps", c, "default")  # enters the selector
    c["data"] = {"x": "1"}
    c = env.api.update("configmaps", c, "default")
    c["metadata"]["labels"] = {"app": "db"}
    c = env.api.update("configmaps", c, "default")  # leaves it
    env.api.delete("configmaps", "a", "default")  # not seen by the selector watch
    assert sel.types_names() == [("ADDED", "a"), ("MODIFIED", "a"), ("DELETED", "a")]
    assert every.types_names() == [("ADDED", "a"), ("MODIFIED", "a"), ("MODIFIED", "a"), ("MODIFIED", "a"), ("DELETED", "a")]
    # the DELETED sent for leaving the selector carries the revision of the change
    assert sel.events[-1][1]["metadata"]["resourceVersion"] == c["metadata"]["resourceVersion"]


def test_selector_transitions_in_replay(env: SimEnv) -> None:
    start = str(env.store.revision)
    c = env.api.create("configmaps", cm("a", labels={"app": "db"}), "default")
    c["metadata"]["labels"] = {"app": "web"}
    c = env.api.update("configmaps", c, "default")
    c["metadata"]["labels"] = {"app": "db"}
    env.api.update("configmaps", c, "default")
    r = Recorder()
    env.api.watch("configmaps", r, "default", label_selector="app=web", resource_version=start)
    assert r.types_names() == [("ADDED", "a"), ("DELETED", "a")]


def test_deleted_for_leaving_selector_carries_previous_object(env: SimEnv) -> None:
    r = Recorder()
    env.api.watch("configmaps", r, "default", label_selector="app=web")
    c = env.api.create("configmaps", cm("a", labels={"app": "web"}, v="old"), "default")
    c["metadata"]["labels"] = {"app": "db"}
    c["data"] = {"v": "new"}
    env.api.update("configmaps", c, "default")
    type_, obj = r.events[-1]
    assert type_ == "DELETED"
    assert obj["metadata"]["labels"] == {"app": "web"} and obj["data"] == {"v": "old"}


def test_field_selector_node_name_index(env: SimEnv) -> None:
    env.node("n1")
    env.node("n2")
    on_n1, on_n2, unscheduled, everything = Recorder(), Recorder(), Recorder(), Recorder()
    env.api.watch("pods", on_n1, field_selector="spec.nodeName=n1")
    env.api.watch("pods", on_n2, field_selector="spec.nodeName=n2")
    env.api.watch("pods", unscheduled, field_selector="spec.nodeName=")
    env.api.watch("pods", everything)
    env.pod("a", node_name="n1")
    env.pod("b", node_name="n2")
    env.pod("c")
    binding = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "c"}, "target": {"name": "n1"}}
    env.api.create("pods", binding, "default", subresource="binding", name="c")
    env.set_pod_running("a")
    env.api.delete("pods", "b", "default", grace_period_seconds=0)
    assert on_n1.types_names() == [("ADDED", "a"), ("ADDED", "c"), ("MODIFIED", "a")]
    assert on_n2.types_names() == [("ADDED", "b"), ("DELETED", "b")]
    assert unscheduled.types_names() == [("ADDED", "c"), ("DELETED", "c")]
    assert len(everything.events) == 6
    # the index really partitions: the node-2 watch is not even a candidate for node-1 pods
    cacher = env.api._cachers["pods"]
    assert {k: len(v) for k, v in cacher._by_index.items()} == {"n1": 1, "n2": 1, "": 1}


def test_bookmarks_after_interval(env: SimEnv) -> None:
    r, plain = Recorder(), Recorder()
    env.api.watch("configmaps", r, "default", allow_bookmarks=True)
    env.api.watch("configmaps", plain, "default")
    assert env.settle() is True  # the bookmark timer is background: the loop is quiet
    assert r.events == []
    env.api.create("configmaps", cm("a"), "default")
    env.advance(env.api.bookmark_interval_s)
    marks = [o for t, o in r.events if t == "BOOKMARK"]
    assert len(marks) == 1
    assert marks[0]["kind"] == "ConfigMap" and marks[0]["metadata"]["resourceVersion"] == str(env.store.revision)
    env.advance(env.api.bookmark_interval_s * 3)
    assert sum(1 for t, _ in r.events if t == "BOOKMARK") == 4
    assert all(t != "BOOKMARK" for t, _ in plain.events)


def test_compacted_rv_gives_error_410_and_closes(env: SimEnv) -> None:
    old = env.api.create("configmaps", cm("a"), "default")["metadata"]["resourceVersion"]
    env.api.create("configmaps", cm("b"), "default")
    compacted = env.api.compact()
    r = Recorder()
    w = env.api.watch("configmaps", r, "default", resource_version=old, on_close=r.on_close)
    assert len(r.events) == 1
    type_, status = r.events[0]
    assert type_ == "ERROR"
    assert status["code"] == 410 and status["reason"] == "Expired" and status["kind"] == "Status"
    assert status["message"] == f"too old resource version: {old} ({compacted})"
    assert w.closed
    env.loop.run_ready()
    assert r.closed == 1
    env.api.create("configmaps", cm("c"), "default")
    assert len(r.events) == 1
    # at the compacted revision itself the watch works
    r2 = Recorder()
    env.api.watch("configmaps", r2, "default", resource_version=str(compacted))
    assert r2.types_names() == [("ADDED", "c")]


def test_drop_watches_closes_and_calls_on_close(env: SimEnv) -> None:
    rs = [Recorder() for _ in range(3)]
    env.api.watch("configmaps", rs[0], on_close=rs[0].on_close)
    env.api.watch("pods", rs[1], "default", on_close=rs[1].on_close)
    w = env.api.watch("configmaps", rs[2], on_close=rs[2].on_close)
    w.stop()  # client-side close: no callback
    assert env.api.drop_watches() == 2
    assert [r.closed for r in rs] == [1, 1, 0]
    env.api.create("configmaps", cm("a"), "default")
    assert all(r.events == [] for r in rs)
    assert env.api.drop_watches() == 0


def test_consistent_order_across_watchers(env: SimEnv) -> None:
    """Watchers in different cacher buckets see common events in the same (revision) order."""
    env.api.create("namespaces", {"metadata": {"name": "b"}})
    env.node("n1")
    all_ns, ns_default, by_node, by_label = Recorder(), Recorder(), Recorder(), Recorder()
    env.api.watch("pods", all_ns)
    env.api.watch("pods", ns_default, "default")
    env.api.watch("pods", by_node, field_selector="spec.nodeName=n1")
    env.api.watch("pods", by_label, label_selector="x")
    for i in range(12):
        ns = "default" if i % 3 else "b"
        env.pod(f"p{i}", ns, labels={"x": str(i)} if i % 2 else {}, node_name="n1" if i % 4 else None)
        if i % 5 == 0:
            env.api.delete("pods", f"p{i}", ns, grace_period_seconds=0)
    full = all_ns.summary()
    rvs = [int(rv) for _, _, rv in full]
    assert rvs == sorted(rvs)
    for r in (ns_default, by_node, by_label):
        sub = r.summary()
        assert sub, "each watcher saw something"
        assert [e for e in full if e in set(sub)] == sub


def test_order_holds_when_a_handler_writes(env: SimEnv) -> None:
    first, second = Recorder(), Recorder()

    def writer(type_: str, obj: Obj) -> None:
        first(type_, obj)
        if type_ == "ADDED" and obj["metadata"]["name"] == "a":
            env.api.create("configmaps", cm("b"), "default")

    env.api.watch("configmaps", writer, "default")
    env.api.watch("configmaps", second, "default")
    env.api.create("configmaps", cm("a"), "default")
    assert first.types_names() == [("ADDED", "a"), ("ADDED", "b")]
    assert second.types_names() == [("ADDED", "a"), ("ADDED", "b")]


def test_watchers_of_one_event_share_one_read_only_copy(env: SimEnv) -> None:
    # By design (like client-go's shared informer cache): one decoded copy per event, shared by
    # every watcher and never the store's own object; handlers must not mutate it.
    a, b = Recorder(), Recorder()
    env.api.watch("configmaps", a, "default")
    env.api.watch("configmaps", b, "default")
    env.api.create("configmaps", cm("x", k="v"), "default")
    assert a.events[0][1] is b.events[0][1]


def test_deleted_for_leaving_selector_leaves_the_shared_previous_object_alone(env: SimEnv) -> None:
    # the cache keeps the last object it dispatched as the next event's previous state; the
    # DELETED it sends carries the new revision on a copy, not on the object informers hold
    sel, every = Recorder(), Recorder()
    env.api.watch("configmaps", sel, "default", label_selector="app=web")
    env.api.watch("configmaps", every, "default")
    c = env.api.create("configmaps", cm("a", labels={"app": "web"}), "default")
    created_rv = c["metadata"]["resourceVersion"]
    c["metadata"]["labels"] = {"app": "db"}
    c2 = env.api.update("configmaps", c, "default")
    assert every.events[0][1]["metadata"]["resourceVersion"] == created_rv
    gone = sel.events[-1]
    assert gone[0] == "DELETED" and gone[1]["metadata"]["resourceVersion"] == c2["metadata"]["resourceVersion"]
    assert gone[1]["metadata"]["labels"] == {"app": "web"}


def test_mutating_a_shared_watch_object_is_caught_when_checked(env: SimEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    from reference_impl.apiserver.watch import Cacher

    monkeypatch.setattr(Cacher, "verify_shared", True)
    r = Recorder()
    env.api.watch("configmaps", r, "default")
    c = env.api.create("configmaps", cm("x", k="v"), "default")
    c["data"] = {"k": "w"}
    c = env.api.update("configmaps", c, "default")  # unmodified: fine
    r.events[-1][1]["data"]["k"] = "mutated by a careless handler"
    c["data"] = {"k": "z"}
    with pytest.raises(AssertionError, match="mutated in place: /registry/configmaps/default/x"):
        env.api.update("configmaps", c, "default")


def test_a_dry_run_status_write_hands_a_plain_caller_its_own_copy(env: SimEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    from reference_impl.apiserver.watch import Cacher

    monkeypatch.setattr(Cacher, "verify_shared", True)
    r = Recorder()
    env.api.watch("nodes", r)
    env.api.create("nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "labels": {"a": "b"}}, "spec": {}})
    out = env.api.patch("nodes", "n1", {"status": {"capacity": {"cpu": "2"}}}, "merge", subresource="status", dry_run=True)
    assert out["status"]["capacity"] == {"cpu": "2"}
    out["metadata"]["labels"]["a"] = "edited by the caller"
    out["spec"]["edited"] = True
    assert r.events[-1][1]["metadata"]["labels"] == {"a": "b"} and "edited" not in r.events[-1][1]["spec"]
    env.api.patch("nodes", "n1", {"status": {"capacity": {"cpu": "4"}}}, "merge", subresource="status")  # verifies the cache
    assert env.api.get("nodes", "n1")["metadata"]["labels"] == {"a": "b"}


def test_watch_events_are_copies_of_the_stored_object(env: SimEnv) -> None:
    r = Recorder()
    env.api.watch("configmaps", r, "default")
    env.api.create("configmaps", cm("x", k="v"), "default")
    r.events[0][1]["data"]["k"] = "mutated"
    assert env.api.get("configmaps", "x", "default")["data"] == {"k": "v"}


def test_write_responses_are_private_unless_the_caller_promises_read_only(env: SimEnv) -> None:
    r = Recorder()
    env.api.watch("configmaps", r, "default")
    # a plain caller may edit what it gets back: watchers and later reads never see that
    mine = env.api.create("configmaps", cm("x", k="v"), "default")
    mine["data"]["k"] = "edited by the caller"
    mine = env.api.patch("configmaps", "x", {"data": {"k": "w"}}, "merge", "default")
    mine["data"]["k"] = "edited again"
    assert [e[1]["data"] for e in r.events] == [{"k": "v"}, {"k": "w"}]
    assert env.api.get("configmaps", "x", "default")["data"] == {"k": "w"}
    # a read-only caller (a component) gets the object the watch cache handed its watchers
    shared = env.api.patch("configmaps", "x", {"data": {"k": "u"}}, "merge", "default", readonly=True)
    assert shared is r.events[-1][1]
    assert shared["metadata"]["resourceVersion"] == env.api.get("configmaps", "x", "default")["metadata"]["resourceVersion"]
    created = env.api.create("configmaps", cm("y", k="v"), "default", readonly=True)
    assert created is r.events[-1][1] and created == env.api.get("configmaps", "y", "default")


def _pod(name: str, image: str = "registry.k8s.io/pause:3.10", *, automount: bool = False) -> Obj:
    spec: Obj = {"containers": [{"name": "c", "image": image, "ports": [{"containerPort": 80}]}]}
    if not automount:
        spec["automountServiceAccountToken"] = False
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default", "labels": {"app": "a"}},
            "spec": spec}


def test_pods_with_their_own_token_volumes_still_share_what_is_equal(env: SimEnv) -> None:
    a = env.api.create("pods", _pod("ta", automount=True), "default", readonly=True)
    b = env.api.create("pods", _pod("tb", automount=True), "default", readonly=True)
    (va,), (vb,) = a["spec"]["volumes"], b["spec"]["volumes"]
    assert va["name"].startswith("kube-api-access-") and va["name"] != vb["name"]
    assert a["spec"]["containers"] != b["spec"]["containers"]  # each mounts its own volume
    assert a["spec"]["containers"][0]["ports"] is b["spec"]["containers"][0]["ports"]
    assert va["projected"] is vb["projected"]
    assert b["spec"]["containers"][0]["volumeMounts"] == [
        {"name": vb["name"], "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]


@pytest.mark.parametrize("watched", [False, True])
def test_pods_share_equal_parts_only_between_objects_no_caller_may_edit(env: SimEnv, watched: bool) -> None:
    r = Recorder()
    if watched:
        env.api.watch("pods", r, "default")
    # a plain caller's response is its own: editing it must not reach a later pod
    mine = env.api.create("pods", _pod("a"), "default")
    mine["spec"]["containers"][0]["image"] = "edited-by-the-caller"
    mine["metadata"]["labels"]["app"] = "edited"
    b = env.api.create("pods", _pod("b"), "default", readonly=True)
    assert b["spec"]["containers"][0]["image"] == "registry.k8s.io/pause:3.10"
    assert b["metadata"]["labels"] == {"app": "a"}
    assert b["spec"]["containers"] is not mine["spec"]["containers"]
    # read-only objects with equal parts share them, and what is stored is unchanged
    c = env.api.create("pods", _pod("c"), "default", readonly=True)
    assert c["spec"]["containers"] is b["spec"]["containers"]
    assert c["metadata"]["labels"] is b["metadata"]["labels"]
    assert env.api.get("pods", "c", "default")["spec"]["containers"] == b["spec"]["containers"]
    d = env.api.create("pods", _pod("d", image="other:1"), "default", readonly=True)
    assert d["spec"]["containers"][0]["image"] == "other:1"
    assert env.api.get("pods", "b", "default")["spec"]["containers"][0]["image"] == "registry.k8s.io/pause:3.10"


# -- through the client ------------------------------------------------------------------
def _informer(env: SimEnv, name: str = "test") -> tuple[Client, Informer, list[tuple[str, str]]]:
    client = Client(env.api, env.loop, name=name)
    inf = Informer(client, "configmaps", namespace="default")
    calls: list[tuple[str, str]] = []
    inf.add_handler(
        lambda o: calls.append(("add", o["metadata"]["name"])),
        lambda old, new: calls.append(("update", new["metadata"]["name"])),
        lambda o: calls.append(("delete", o["metadata"]["name"])),
    )
    inf.start()
    return client, inf, calls


def _truth(env: SimEnv) -> dict[str, str]:
    return {
        f"default/{o['metadata']['name']}": o["metadata"]["resourceVersion"]
        for o in env.api.list("configmaps", "default")["items"]
    }


def _cache(inf: Informer) -> dict[str, str]:
    return {k: o["metadata"]["resourceVersion"] for k, o in inf.cache.items()}


def test_client_watch_is_asynchronous_and_ordered(env: SimEnv) -> None:
    client = Client(env.api, env.loop, name="c")
    r = Recorder()
    client.watch("configmaps", r, "default")
    env.api.create("configmaps", cm("a"), "default")
    env.api.create("configmaps", cm("b"), "default")
    assert r.events == []  # delivered through the loop, never inside the API call
    env.loop.run_ready()
    assert r.types_names() == [("ADDED", "a"), ("ADDED", "b")]


def test_informer_relists_after_410_and_converges(env: SimEnv) -> None:
    for n in ("a", "b", "c"):
        env.api.create("configmaps", cm(n), "default")
    client, inf, calls = _informer(env)
    env.settle()
    assert inf.synced and _cache(inf) == _truth(env) and inf.relists == 1
    calls.clear()
    client.set_connected(False)
    with pytest.raises(Unreachable):
        client.get("configmaps", "a", "default")
    env.api.delete("configmaps", "a", "default")
    env.api.update("configmaps", cm("b", k="changed"), "default")
    env.api.create("configmaps", cm("d"), "default")
    env.api.compact()  # the informer's last RV is now too old
    env.advance(1)
    assert "default/a" in inf.cache  # stale while cut off
    client.set_connected(True)
    env.advance(60)  # reflector backoff, then 410 → relist
    assert inf.relists == 2
    assert _cache(inf) == _truth(env)
    assert sorted(calls) == [("add", "d"), ("delete", "a"), ("update", "b")]
    # and it is live again
    env.api.create("configmaps", cm("e"), "default")
    env.settle()
    assert "default/e" in inf.cache


def test_informer_resumes_watch_without_relist_on_reconnect(env: SimEnv) -> None:
    env.api.create("configmaps", cm("a"), "default")
    client, inf, calls = _informer(env)
    env.settle()
    client.set_connected(False)
    assert client.connected is False
    with pytest.raises(Unreachable):
        client.list("configmaps", "default")
    env.api.create("configmaps", cm("b"), "default")
    env.settle()
    assert "default/b" not in inf.cache
    client.set_connected(True)
    env.advance(60)
    assert inf.relists == 1  # resumed from its last RV: history was still there
    assert _cache(inf) == _truth(env)
    assert calls == [("add", "a"), ("add", "b")]


def test_informer_after_drop_watches_rewatches(env: SimEnv) -> None:
    _client, inf, _calls = _informer(env)
    env.settle()
    env.api.drop_watches()
    env.api.create("configmaps", cm("late"), "default")
    env.settle()
    assert _cache(inf) == _truth(env)
    assert inf.relists == 1


def test_informer_cache_objects_are_not_the_servers(env: SimEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    from reference_impl.client import informer
    from tests.frozen import SharedObjectMutated

    _client, inf, _calls = _informer(env)
    env.api.create("configmaps", cm("x", k="v"), "default")
    env.settle()
    obj = inf.get("default/x")
    assert obj is not None
    with pytest.raises(SharedObjectMutated):  # the test configuration's read-only copies
        obj["data"]["k"] = "local"
    # and without them (as outside tests), a careless write still never reaches the server
    monkeypatch.setattr(informer, "FREEZE", None)
    env.api.update("configmaps", {**cm("x", k="w"), "metadata": {"name": "x"}}, "default")
    env.settle()
    obj = inf.get("default/x")
    assert obj is not None and obj["data"] == {"k": "w"}
    obj["data"]["k"] = "local"
    assert env.api.get("configmaps", "x", "default")["data"] == {"k": "w"}


def test_a_handler_added_to_a_running_informer_hears_of_the_cached_objects_first() -> None:
    """client-go's AddEventHandler on a started informer replays the cache as adds (how the
    garbage collector's monitors of a CRD established later see the objects already there)."""
    env = SimEnv()
    env.api.create("configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "before"}}, "default")
    _client, inf, _calls = _informer(env)
    late: list[tuple[str, str]] = []
    inf.add_handler(lambda o: late.append(("add", o["metadata"]["name"])))
    env.api.create("configmaps", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "after"}}, "default")
    env.loop.run_ready()
    assert late == [("add", "before"), ("add", "after")]
