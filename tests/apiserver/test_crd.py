"""CustomResourceDefinitions through the API server: names accepted and established a moment after
the create, every served version of an established CRD served (REST, watch, scale, status,
printer columns) with the ``None`` conversion between versions, and a deleted CRD taking its
custom resources with it (apiextensions-apiserver's naming, establishing and finalizing
controllers and its CRD handler). Condition reasons and messages are those of kube-apiserver
v1.36.3, read from a running one."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from reference_impl.apiserver import ApiError, APIServer, tables
from reference_impl.sim import EventLoop, SeededRandom
from reference_impl.store import MemoryStore

Obj = dict[str, Any]
CRDS = "apiextensions.k8s.io/v1/customresourcedefinitions"
V1 = "probe.example.com/v1/widgets"
V2 = "probe.example.com/v2/widgets"

WIDGETS: Obj = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.probe.example.com"},
    "spec": {
        "group": "probe.example.com",
        "names": {"plural": "widgets", "kind": "Widget", "shortNames": ["wd"]},
        "scope": "Namespaced",
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "subresources": {
                    "status": {},
                    "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"},
                },
                "additionalPrinterColumns": [{"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"}],
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "properties": {
                                    "replicas": {"type": "integer", "default": 1},
                                    "color": {"type": "string"},
                                },
                            },
                            "status": {"type": "object", "properties": {"replicas": {"type": "integer"}}},
                        },
                    }
                },
            },
            {
                "name": "v2",
                "served": True,
                "storage": False,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}},
            },
        ],
    },
}


def _api() -> tuple[APIServer, EventLoop]:
    loop = EventLoop()
    return APIServer(MemoryStore(), loop, SeededRandom(1)), loop


def _established(api: APIServer, loop: EventLoop, crd: Obj = WIDGETS) -> Obj:
    api.create(CRDS, copy.deepcopy(crd))
    loop.run_ready()
    return api.get(CRDS, crd["metadata"]["name"])


def _widget(name: str = "w1", **spec: Any) -> Obj:
    return {"apiVersion": "probe.example.com/v1", "kind": "Widget", "metadata": {"name": name}, "spec": spec}


def _conditions(crd: Obj) -> dict[str, tuple[str, str, str]]:
    return {c["type"]: (c["status"], c["reason"], c["message"]) for c in crd["status"]["conditions"]}


def test_a_crd_is_established_after_its_create_and_its_names_are_accepted() -> None:
    api, loop = _api()
    created = api.create(CRDS, copy.deepcopy(WIDGETS))
    assert not (created.get("status") or {}).get("conditions")  # the controllers have not run yet
    with pytest.raises(ApiError) as e:
        api.list(V1, "default")
    assert e.value.code == 404
    loop.run_ready()
    crd = api.get(CRDS, "widgets.probe.example.com")
    assert _conditions(crd) == {
        "NamesAccepted": ("True", "NoConflicts", "no conflicts found"),
        "Established": ("True", "InitialNamesAccepted", "the initial names have been accepted"),
    }
    assert crd["status"]["acceptedNames"] == {
        "plural": "widgets", "singular": "widget", "shortNames": ["wd"], "kind": "Widget", "listKind": "WidgetList",
    }
    assert api.list(V1, "default")["items"] == []
    assert api.registry.lookup("wd") is not None


def test_a_second_crd_claiming_taken_names_is_not_established() -> None:
    api, loop = _api()
    _established(api, loop)
    other = copy.deepcopy(WIDGETS)
    other["metadata"]["name"] = "gadgets.probe.example.com"
    other["spec"]["names"] = {"plural": "gadgets", "kind": "Widget"}
    crd = _established(api, loop, other)
    # singular (defaulted to "widget"), kind and listKind all clash; the last check's reason stands
    assert _conditions(crd) == {
        "NamesAccepted": ("False", "ListKindConflict", '"WidgetList" is already in use'),
        "Established": ("False", "NotAccepted", "not all names are accepted"),
    }
    assert crd["status"]["acceptedNames"] == {"plural": "gadgets", "kind": ""}
    assert api.registry.lookup("gadgets") is None


def test_custom_resources_are_stored_once_and_served_at_every_version() -> None:
    api, loop = _api()
    _established(api, loop)
    created = api.create(V1, _widget(color="red"), "default")
    assert created["apiVersion"] == "probe.example.com/v1"
    assert created["spec"] == {"color": "red", "replicas": 1}  # the schema's default
    assert created["metadata"]["generation"] == 1
    as_v2 = api.get(V2, "w1", "default")
    assert as_v2["apiVersion"] == "probe.example.com/v2" and as_v2["spec"] == created["spec"]
    listed = api.list(V2, "default")
    assert [(i["apiVersion"], i["kind"]) for i in listed["items"]] == [("probe.example.com/v2", "Widget")]
    assert listed["kind"] == "WidgetList"
    # a write through v2 is stored at the storage version, v1
    patched = api.patch(V2, "w1", {"spec": {"color": "blue"}}, "merge", "default")
    assert patched["apiVersion"] == "probe.example.com/v2" and patched["metadata"]["generation"] == 2
    stored = api.store.get("/registry/widgets.probe.example.com/default/w1")
    assert stored is not None and b'"apiVersion":"probe.example.com/v1"' in stored.value.replace(b" ", b"")
    seen: list[tuple[str, str]] = []
    api.watch(V2, lambda t, o: seen.append((t, o["apiVersion"])), "default")
    api.patch(V1, "w1", {"spec": {"color": "green"}}, "merge", "default")
    assert seen == [("ADDED", "probe.example.com/v2"), ("MODIFIED", "probe.example.com/v2")]


def test_status_and_scale_subresources_of_a_custom_resource() -> None:
    api, loop = _api()
    _established(api, loop)
    w = _widget(replicas=2)
    w["status"] = {"replicas": 9}
    created = api.create(V1, w, "default")
    assert "status" not in created  # status is the status subresource's
    body = {**created, "status": {"replicas": 2}}
    updated = api.update(V1, body, "default", subresource="status")
    assert updated["status"] == {"replicas": 2} and updated["metadata"]["generation"] == 1
    scale = api.get(V1, "w1", "default", subresource="scale")
    assert scale["spec"] == {"replicas": 2} and scale["status"] == {"replicas": 2}
    api.patch(V1, "w1", {"spec": {"replicas": 5}}, "merge", "default", subresource="scale")
    assert api.get(V1, "w1", "default")["spec"]["replicas"] == 5


def test_printer_columns_of_a_custom_resource() -> None:
    api, loop = _api()
    _established(api, loop)
    api.create(V1, _widget(replicas=3), "default")
    info = api.info(V1)
    table = tables.to_table(info, api.list(V1, "default")["items"], 0.0, strategy=api.registry.strategy(info))
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Replicas"]
    assert [r["cells"] for r in table["rows"]] == [["w1", 3]]


def test_deleting_a_crd_deletes_its_custom_resources_then_itself() -> None:
    api, loop = _api()
    _established(api, loop)
    api.create(V1, _widget("a"), "default")
    api.create(V1, _widget("b"), "kube-system")
    marked = api.delete(CRDS, "widgets.probe.example.com")
    assert marked["metadata"]["finalizers"] == ["customresourcecleanup.apiextensions.k8s.io"]
    assert _conditions(marked)["Terminating"] == (
        "True", "InstanceDeletionPending",
        "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon",
    )
    loop.run_ready()
    with pytest.raises(ApiError) as e:
        api.get(CRDS, "widgets.probe.example.com")
    assert e.value.code == 404
    assert api.store.range("/registry/widgets.probe.example.com/").kvs == []
    assert api.registry.lookup("widgets") is None
    with pytest.raises(ApiError):
        api.list(V1, "default")


def test_a_restarted_api_server_serves_the_crds_in_its_store() -> None:
    api, loop = _api()
    _established(api, loop)
    api.create(V1, _widget(), "default")
    again = APIServer(api.store, loop, SeededRandom(2))
    assert again.get(V2, "w1", "default")["apiVersion"] == "probe.example.com/v2"


def test_watches_of_a_deleted_crd_see_its_resources_go_then_end() -> None:
    api, loop = _api()
    _established(api, loop)
    api.create(V1, _widget("a"), "default")
    seen: list[str] = []
    closed: list[bool] = []
    api.watch(V1, lambda t, o: seen.append(f"{t} {o['metadata']['name']}"), "default", on_close=lambda: closed.append(True))
    api.delete(CRDS, "widgets.probe.example.com")
    loop.run_ready()
    assert seen == ["ADDED a", "DELETED a"]
    assert closed == [True]  # the resource's storage is gone with its CRD


def test_a_custom_resource_named_like_a_core_kind_is_not_treated_as_one() -> None:
    api, loop = _api()
    pods = copy.deepcopy(WIDGETS)
    pods["metadata"]["name"] = "pods.probe.example.com"
    pods["spec"]["names"] = {"plural": "pods", "kind": "Pod"}
    for v in pods["spec"]["versions"]:
        v["subresources"] = {}
    _established(api, loop, pods)
    pod = {"apiVersion": "probe.example.com/v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"color": "red"}}
    created = api.create("probe.example.com/v1/pods", pod, "default")
    assert "status" not in created and "serviceAccountName" not in created["spec"]
    with pytest.raises(ApiError) as e:
        api.list("probe.example.com/v1/pods", "default", field_selector="spec.nodeName=n1")
    assert e.value.code == 400
    api.delete("probe.example.com/v1/pods", "p", "default")  # no grace period: gone at once
    assert api.list("probe.example.com/v1/pods", "default")["items"] == []
    assert api.list("v1/pods", "default")["items"] == []


def test_a_default_added_to_a_crd_shows_on_objects_stored_before_it() -> None:
    """Upstream's storage decoder defaults on read (the e2e 'custom resource defaulting for
    requests and from storage works'): the stored object is not rewritten, reads show the default."""
    api, loop = _api()
    crd = _established(api, loop)
    api.create(V1, _widget("old", color="red"), "default")
    props = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
    props["color"] = {"type": "string"}
    props["size"] = {"type": "string", "default": "L"}
    api.update(CRDS, crd)
    loop.run_ready()
    assert api.get(V1, "old", "default")["spec"]["size"] == "L"
    assert [w["spec"].get("size") for w in api.list(V2, "default")["items"]] == ["L"]
    stored = api.store.get("/registry/widgets.probe.example.com/default/old")
    assert stored is not None and b"size" not in stored.value


def test_discovery_prefers_the_highest_priority_version_of_a_crd() -> None:
    """The discovery controller sorts a group's versions kube-aware: v2 before v1, whatever the
    CRD's order (upstream's example order from apimachinery's version helpers too)."""
    from reference_impl.apiserver import discovery

    api, loop = _api()
    _established(api, loop)  # versions listed v1, v2
    group = discovery.api_group(api.registry, "probe.example.com")
    assert group is not None
    assert [v["version"] for v in group["versions"]] == ["v2", "v1"]
    assert group["preferredVersion"]["version"] == "v2"
    order = ["v10", "v2", "v1", "v11beta2", "v10beta3", "v3beta1", "v12alpha1", "v11alpha2", "foo1", "foo10"]
    assert sorted(reversed(order), key=discovery.kube_aware_key) == order
