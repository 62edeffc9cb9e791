"""core/v1 ReplicationControllers through the API server: defaulted, validated, generation-bumped,
scaled and printed as kube-apiserver v1.36.3 does (``pkg/apis/core/v1/defaults.go``,
``pkg/apis/core/validation``, ``pkg/registry/core/replicationcontroller``,
``pkg/printers/internalversion``). The expected causes are the real server's answers to the
same requests."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.apiserver import REGISTRY, ApiError, APIServer, tables
from reference_impl.sim import EventLoop, SeededRandom
from reference_impl.store import MemoryStore

Obj = dict[str, Any]

RC = "replicationcontrollers"
NS = "default"
IMAGE = "registry.k8s.io/pause:3.10"
GE0 = "must be greater than or equal to 0"
NAME_PART_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)


def _api() -> APIServer:
    return APIServer(MemoryStore(), EventLoop(), SeededRandom(1))


def _template(labels: dict[str, str] | None = None, **pod_spec: Any) -> Obj:
    template: Obj = {"spec": {"containers": [{"name": "c", "image": IMAGE}], **pod_spec}}
    if labels is not None:
        template["metadata"] = {"labels": labels}
    return template


def _rc(name: str, *, labels: dict[str, str] | None = None, **spec: Any) -> Obj:
    meta: Obj = {"name": name}
    if labels is not None:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ReplicationController", "metadata": meta, "spec": spec}


def _causes(excinfo: pytest.ExceptionInfo[ApiError]) -> list[Obj]:
    assert excinfo.value.code == 422
    causes: list[Obj] = excinfo.value.status["details"]["causes"]
    return causes


def _cause(reason: str, field: str, message: str) -> Obj:
    return {"reason": reason, "message": message, "field": field}


def _required(field: str) -> Obj:
    return _cause("FieldValueRequired", field, "Required value")


# --------------------------------------------------------------------------- discovery facts


def test_served_as_upstream_names_it() -> None:
    info = REGISTRY.lookup("rc")
    assert info is not None and info.plural == RC and info.api_version == "v1" and info.namespaced
    assert info.subresources == ("status", "scale") and info.categories == ("all",) and info.generation
    assert REGISTRY.by_kind("v1", "ReplicationController") is info


# --------------------------------------------------------------------------- defaults


def test_selector_labels_and_replicas_come_from_the_template() -> None:
    rc = _api().create(RC, _rc("web", template=_template({"app": "web"})), NS)
    assert rc["spec"]["selector"] == {"app": "web"}
    assert rc["metadata"]["labels"] == {"app": "web"}
    assert rc["spec"]["replicas"] == 1
    assert rc["metadata"]["generation"] == 1
    # the pod template defaults the reference gives every workload's template
    pod_spec = rc["spec"]["template"]["spec"]
    assert pod_spec["restartPolicy"] == "Always" and pod_spec["dnsPolicy"] == "ClusterFirst"
    assert pod_spec["terminationGracePeriodSeconds"] == 30 and pod_spec["schedulerName"] == "default-scheduler"
    assert pod_spec["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    # PrepareForCreate: the zero status, whose replicas is not omitempty
    assert rc["status"] == {"replicas": 0}


def test_a_given_selector_and_labels_are_kept() -> None:
    api = _api()
    rc = api.create(
        RC,
        _rc("web", labels={"team": "a"}, replicas=0, selector={"app": "web"},
            template=_template({"app": "web", "tier": "x"})),
        NS,
    )
    assert rc["metadata"]["labels"] == {"team": "a"}
    assert rc["spec"]["selector"] == {"app": "web"} and rc["spec"]["replicas"] == 0
    nulled = api.create(RC, _rc("nulled", replicas=None, template=_template({"app": "nulled"})), NS)
    assert nulled["spec"]["replicas"] == 1


def test_a_sent_status_is_dropped_on_create() -> None:
    body = {**_rc("web", template=_template({"app": "web"})), "status": {"replicas": 5, "readyReplicas": 3}}
    assert _api().create(RC, body, NS)["status"] == {"replicas": 0}


# --------------------------------------------------------------------------- validation

CREATE_CASES: list[tuple[str, Obj, list[Obj]]] = [
    ("empty spec", _rc("c"), [_required("spec.selector"), _required("spec.template")]),
    ("no template, replicas 0", _rc("c", replicas=0, selector={"a": "b"}), [_required("spec.template")]),
    # labels: {} is a non-nil map: the selector defaults to it, and an empty selector is required
    ("empty template labels", _rc("c", template=_template({})), [_required("spec.selector")]),
    (
        "many",
        _rc("b", replicas=-1, minReadySeconds=-2, selector={"x": "y"},
            template=_template({"app": "a"}, restartPolicy="Never", activeDeadlineSeconds=5)),
        [
            _cause("FieldValueInvalid", "spec.minReadySeconds", f"Invalid value: -2: {GE0}"),
            _cause("FieldValueInvalid", "spec.replicas", f"Invalid value: -1: {GE0}"),
            _cause("FieldValueInvalid", "spec.template.metadata.labels",
                   'Invalid value: {"app":"a"}: `selector` does not match template `labels`'),
            _cause("FieldValueNotSupported", "spec.template.spec.restartPolicy",
                   'Unsupported value: "Never": supported values: "Always"'),
            _cause("FieldValueForbidden", "spec.template.spec.activeDeadlineSeconds",
                   "Forbidden: activeDeadlineSeconds in ReplicationController is not Supported"),
        ],
    ),
    (
        "template without labels",
        _rc("c", selector={"x": "y"}, template=_template()),
        [_cause("FieldValueInvalid", "spec.template.metadata.labels",
                "Invalid value: null: `selector` does not match template `labels`")],
    ),
    (
        "restartPolicy OnFailure",
        _rc("c", template=_template({"app": "c"}, restartPolicy="OnFailure")),
        [_cause("FieldValueNotSupported", "spec.template.spec.restartPolicy",
                'Unsupported value: "OnFailure": supported values: "Always"')],
    ),
    (
        # upstream's ValidatePodTemplateSpec names the template's labels without "metadata"
        "bad label key",
        _rc("c", template=_template({"a b": "c"})),
        [
            _cause("FieldValueInvalid", "metadata.labels", f'Invalid value: "a b": {NAME_PART_MSG}'),
            _cause("FieldValueInvalid", "spec.template.labels", f'Invalid value: "a b": {NAME_PART_MSG}'),
        ],
    ),
    (
        "no containers",
        _rc("c", template={"metadata": {"labels": {"a": "b"}}, "spec": {}}),
        [_required("spec.template.spec.containers")],
    ),
]


@pytest.mark.parametrize(("body", "causes"), [c[1:] for c in CREATE_CASES], ids=[c[0] for c in CREATE_CASES])
def test_create_is_refused_with_the_real_causes(body: Obj, causes: list[Obj]) -> None:
    with pytest.raises(ApiError) as refused:
        _api().create(RC, body, NS)
    assert _causes(refused) == causes


def test_the_422_message_names_the_core_kind() -> None:
    with pytest.raises(ApiError) as refused:
        _api().create(RC, _rc("c"), NS)
    assert refused.value.status["message"] == (
        'ReplicationController "c" is invalid: [spec.selector: Required value, spec.template: Required value]'
    )
    assert refused.value.status["details"]["kind"] == "ReplicationController"


# --------------------------------------------------------------------------- updates


def _created(api: APIServer, name: str = "web", **spec: Any) -> Obj:
    return api.create(RC, _rc(name, template=_template({"app": name}), **spec), NS)


def test_generation_follows_the_spec() -> None:
    api = _api()
    rc = _created(api, replicas=0)
    rc["metadata"]["labels"]["x"] = "y"
    relabelled = api.update(RC, rc, NS)
    assert relabelled["metadata"]["generation"] == 1
    patched = api.patch(RC, "web", {"spec": {"minReadySeconds": 5}}, "merge", NS)
    assert patched["metadata"]["generation"] == 2


def test_the_selector_is_mutable_but_must_match_the_template() -> None:
    api = _api()
    _created(api, replicas=0)
    with pytest.raises(ApiError) as mismatch:
        api.patch(RC, "web", {"spec": {"selector": {"app": "other"}}}, "merge", NS)
    assert _causes(mismatch) == [_cause(
        "FieldValueInvalid", "spec.template.metadata.labels",
        'Invalid value: {"app":"web"}: `selector` does not match template `labels`',
    )]
    moved = api.patch(
        RC, "web", {"spec": {"selector": {"app": "other"}, "template": {"metadata": {"labels": {"app": "other"}}}}},
        "merge", NS,
    )
    assert moved["spec"]["selector"] == {"app": "other"} and moved["metadata"]["generation"] == 2
    with pytest.raises(ApiError) as removed:
        api.patch(RC, "web", [{"op": "remove", "path": "/spec/template"}], "json", NS)
    assert _causes(removed) == [_required("spec.template")]


def test_a_put_without_selector_takes_the_template_labels_again() -> None:
    api = _api()
    rc = _created(api, replicas=0)
    del rc["spec"]["selector"]
    rc["spec"]["template"]["metadata"]["labels"]["extra"] = "1"
    assert api.update(RC, rc, NS)["spec"]["selector"] == {"app": "web", "extra": "1"}


def test_status_is_kept_on_spec_writes_and_written_through_status() -> None:
    api = _api()
    _created(api, replicas=0)
    assert api.patch(RC, "web", {"status": {"replicas": 7}}, "merge", NS)["status"] == {"replicas": 0}
    written = api.patch(RC, "web", {"spec": {"replicas": 9}, "status": {"replicas": 2, "readyReplicas": 1}},
                        "merge", NS, subresource="status")
    assert written["spec"]["replicas"] == 0 and written["status"] == {"replicas": 2, "readyReplicas": 1}
    assert written["metadata"]["generation"] == 1


STATUS_CASES: list[tuple[str, Obj, list[Obj]]] = [
    (
        "counts above replicas",
        {"replicas": 1, "fullyLabeledReplicas": 2, "readyReplicas": 2, "availableReplicas": 3, "observedGeneration": -1},
        [
            _cause("FieldValueInvalid", "status.observedGeneration", f"Invalid value: -1: {GE0}"),
            _cause("FieldValueInvalid", "status.fullyLabeledReplicas", "Invalid value: 2: cannot be greater than status.replicas"),
            _cause("FieldValueInvalid", "status.readyReplicas", "Invalid value: 2: cannot be greater than status.replicas"),
            _cause("FieldValueInvalid", "status.availableReplicas", "Invalid value: 3: cannot be greater than status.replicas"),
            _cause("FieldValueInvalid", "status.availableReplicas", "Invalid value: 3: cannot be greater than readyReplicas"),
        ],
    ),
    (
        "negative replicas",
        {"replicas": -1},
        [
            _cause("FieldValueInvalid", "status.replicas", f"Invalid value: -1: {GE0}"),
            _cause("FieldValueInvalid", "status.fullyLabeledReplicas", "Invalid value: 0: cannot be greater than status.replicas"),
            _cause("FieldValueInvalid", "status.readyReplicas", "Invalid value: 0: cannot be greater than status.replicas"),
            _cause("FieldValueInvalid", "status.availableReplicas", "Invalid value: 0: cannot be greater than status.replicas"),
        ],
    ),
    (
        "available above ready",
        {"replicas": 2, "readyReplicas": 1, "availableReplicas": 2},
        [_cause("FieldValueInvalid", "status.availableReplicas", "Invalid value: 2: cannot be greater than readyReplicas")],
    ),
]


@pytest.mark.parametrize(("status", "causes"), [c[1:] for c in STATUS_CASES], ids=[c[0] for c in STATUS_CASES])
def test_a_status_write_is_validated(status: Obj, causes: list[Obj]) -> None:
    api = _api()
    rc = _created(api, replicas=0)
    rc["status"] = status
    with pytest.raises(ApiError) as refused:
        api.update(RC, rc, NS, subresource="status")
    assert _causes(refused) == causes


# --------------------------------------------------------------------------- scale


def test_the_scale_carries_the_map_selector_as_a_string() -> None:
    api = _api()
    api.create(RC, _rc("multi", replicas=2, selector={"b": "2", "a": "1"}, template=_template({"a": "1", "b": "2"})), NS)
    scale = api.get(RC, "multi", NS, subresource="scale")
    assert scale["kind"] == "Scale" and scale["apiVersion"] == "autoscaling/v1"
    assert scale["spec"] == {"replicas": 2}
    assert scale["status"] == {"replicas": 0, "selector": "a=1,b=2"}


def test_scaling_writes_replicas_and_bumps_the_generation() -> None:
    api = _api()
    _created(api, replicas=3)
    scale = api.get(RC, "web", NS, subresource="scale")
    scale["spec"]["replicas"] = 0
    # autoscaling/v1 ScaleSpec.replicas is omitempty: a Scale at 0 has an empty spec
    assert api.update(RC, scale, NS, subresource="scale")["spec"] == {}
    rc = api.get(RC, "web", NS)
    assert rc["spec"]["replicas"] == 0 and rc["metadata"]["generation"] == 2
    # and a Scale sent back without replicas means 0 (Go's zero value), not an error
    back = api.update(RC, {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "web"}}, NS,
                      subresource="scale")
    assert back["spec"] == {}
    assert api.patch(RC, "web", {"spec": {"replicas": 4}}, "merge", NS, subresource="scale")["spec"] == {"replicas": 4}


def test_a_negative_scale_is_refused_as_a_scale() -> None:
    api = _api()
    _created(api, replicas=1)
    with pytest.raises(ApiError) as refused:
        api.patch(RC, "web", {"spec": {"replicas": -1}}, "merge", NS, subresource="scale")
    assert refused.value.status["message"] == (
        f'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: {GE0}'
    )
    with pytest.raises(ApiError) as stale:
        api.update(RC, {"kind": "Scale", "apiVersion": "autoscaling/v1",
                        "metadata": {"name": "web", "resourceVersion": "1"}, "spec": {"replicas": 1}},
                   NS, subresource="scale")
    assert stale.value.code == 409


# --------------------------------------------------------------------------- printer


def test_the_table_has_upstreams_columns_and_cells() -> None:
    api = _api()
    rc = api.create(RC, _rc("multi", replicas=2, selector={"b": "2", "a": "1"}, template=_template({"a": "1", "b": "2"})), NS)
    info = REGISTRY.lookup(RC)
    assert info is not None
    strategy = REGISTRY.strategy(info)
    table = tables.to_table(info, [rc], 0.0, strategy=strategy)
    assert [(c["name"], c["type"], c["priority"]) for c in table["columnDefinitions"]] == [
        ("Name", "string", 0), ("Desired", "integer", 0), ("Current", "integer", 0), ("Ready", "integer", 0),
        ("Age", "string", 0), ("Containers", "string", 1), ("Images", "string", 1), ("Selector", "string", 1),
    ]
    cells = table["rows"][0]["cells"]
    assert cells[:4] == ["multi", 2, 0, 0]
    assert cells[5:] == ["c", IMAGE, "a=1,b=2"]


def test_a_delete_without_a_policy_orphans_the_pods_and_moves_the_generation() -> None:
    """DefaultGarbageCollectionPolicy of core/v1 RCs is OrphanDependents (the real server's answer:
    finalizers [orphan], generation 1 -> 2 while the garbage collector orphans the pods)."""
    api = _api()
    api.create(RC, _rc("keep", template=_template({"app": "k"})), NS)
    marked = api.delete(RC, "keep", NS)
    assert marked["metadata"]["finalizers"] == ["orphan"]
    assert marked["metadata"]["generation"] == 2 and marked["metadata"]["deletionTimestamp"]
    api.create(RC, _rc("drop", template=_template({"app": "d"})), NS)
    marked = api.delete(RC, "drop", NS, propagation_policy="Foreground")
    assert marked["metadata"]["finalizers"] == ["foregroundDeletion"]
