"""resource.k8s.io/v1 (DRA) through the API server: DeviceClass, ResourceClaim (+status),
ResourceClaimTemplate and ResourceSlice with upstream v1.36's defaults, 422 causes (messages as
the real kube-apiserver gives them, checked against it) and table columns."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.apiserver import ApiError, APIServer, tables
from reference_impl.apiserver.registry import REGISTRY, Registry
from reference_impl.apiserver.registry import resource as dra
from reference_impl.sim import EventLoop, SeededRandom
from reference_impl.store import MemoryStore

Obj = dict[str, Any]
G = "resource.k8s.io/v1"
DNS_LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)


def _registry() -> Registry:
    """The real registry (with this group added if the shared registry does not list it yet)."""
    if any(s.info.group == dra.GROUP for s in REGISTRY.strategies()):
        return REGISTRY
    return Registry(
        REGISTRY.resources + tuple(s.info for s in dra.STRATEGIES), (*REGISTRY.strategies(), *dra.STRATEGIES)
    )


def _api() -> APIServer:
    return APIServer(MemoryStore(), EventLoop(), SeededRandom(1), registry=_registry())


def _causes(call: Any) -> list[Obj]:
    with pytest.raises(ApiError) as err:
        call()
    assert err.value.code == 422
    causes: list[Obj] = err.value.status["details"]["causes"]
    return causes


def _claim(spec: Obj, name: str = "c") -> Obj:
    return {"apiVersion": G, "kind": "ResourceClaim", "metadata": {"name": name}, "spec": spec}


def _slice(spec: Obj, name: str = "s") -> Obj:
    return {"apiVersion": G, "kind": "ResourceSlice", "metadata": {"name": name}, "spec": spec}


POOL = {"name": "cluster", "generation": 1, "resourceSliceCount": 1}


def test_the_group_serves_four_kinds_at_v1() -> None:
    reg = _registry()
    kinds = {(r.kind, r.namespaced, r.subresources) for r in reg.groups()[dra.GROUP]}
    assert kinds == {
        ("DeviceClass", False, ()),
        ("ResourceClaim", True, ("status",)),
        ("ResourceClaimTemplate", True, ()),
        ("ResourceSlice", False, ()),
    }
    assert {r.version for r in reg.groups()[dra.GROUP]} == {"v1"}


def test_claim_requests_are_defaulted_and_status_reset() -> None:
    api = _api()
    spec = {"devices": {"requests": [
        {"name": "req-0", "exactly": {"deviceClassName": "dra.example.com", "tolerations": [{"key": "a"}],
                                      "capacity": {"requests": {"example.com/mem": "1024Mi"}}}},
        {"name": "req-1", "firstAvailable": [{"name": "s1", "deviceClassName": "x"}]},
        {"name": "req-2", "exactly": {"deviceClassName": "x", "allocationMode": "All"}},
    ]}}
    body = _claim(spec)
    body["status"] = {"allocation": {}}
    claim = api.create(f"{G}/resourceclaims", body, "default")
    exact, first, all_mode = (r for r in claim["spec"]["devices"]["requests"])
    assert exact["exactly"]["allocationMode"] == "ExactCount" and exact["exactly"]["count"] == 1
    assert exact["exactly"]["tolerations"] == [{"key": "a", "operator": "Equal"}]
    assert exact["exactly"]["capacity"]["requests"] == {"example.com/mem": "1Gi"}
    assert first["firstAvailable"][0]["allocationMode"] == "ExactCount" and first["firstAvailable"][0]["count"] == 1
    assert all_mode["exactly"] == {"deviceClassName": "x", "allocationMode": "All"}
    assert claim["status"] == {} and "generation" not in claim["metadata"]
    empty = api.create(f"{G}/resourceclaims", _claim({}, "empty"), "default")
    assert empty["spec"] == {"devices": {"requests": None}}


def test_claim_request_validation_causes() -> None:
    api = _api()
    causes = _causes(lambda: api.create(f"{G}/resourceclaims", _claim({"devices": {"requests": [
        {"name": "Req_0", "exactly": {"deviceClassName": "a"}},
        {"name": "Req_0", "exactly": {"deviceClassName": "a"}},
        {"name": "r"},
        {"name": "b", "exactly": {"deviceClassName": "a"}, "firstAvailable": [{"name": "s", "deviceClassName": "a"}]},
        {"name": "d", "exactly": {}},
        {"name": "e", "exactly": {"deviceClassName": "a", "allocationMode": "Foo"}},
        {"name": "f", "exactly": {"deviceClassName": "a", "allocationMode": "All", "count": 2}},
    ]}}), "default"))
    p = "spec.devices.requests"
    assert causes == [
        {"reason": "FieldValueInvalid", "message": f'Invalid value: "Req_0": {DNS_LABEL_MSG}', "field": f"{p}[0].name"},
        {"reason": "FieldValueInvalid", "message": f'Invalid value: "Req_0": {DNS_LABEL_MSG}', "field": f"{p}[1].name"},
        {"reason": "FieldValueRequired", "message": "Required value: exactly one of `exactly` or `firstAvailable` is required",
         "field": f"{p}[2]"},
        {"reason": "FieldValueInvalid",
         "message": "Invalid value: null: exactly one of `exactly` or `firstAvailable` is required, but multiple fields are set",
         "field": f"{p}[3]"},
        {"reason": "FieldValueRequired", "message": "Required value", "field": f"{p}[4].exactly.deviceClassName"},
        {"reason": "FieldValueNotSupported", "message": 'Unsupported value: "Foo": supported values: "All", "ExactCount"',
         "field": f"{p}[5].exactly.allocationMode"},
        {"reason": "FieldValueInvalid", "message": "Invalid value: 2: must not be specified when allocationMode is 'All'",
         "field": f"{p}[6].exactly.count"},
        {"reason": "FieldValueDuplicate", "message": 'Duplicate value: "Req_0"', "field": f"{p}[1]"},
    ]


def test_claim_selectors_tolerations_constraints_and_config() -> None:
    api = _api()
    causes = _causes(lambda: api.create(f"{G}/resourceclaims", _claim({"devices": {
        "requests": [{"name": "r", "exactly": {
            "deviceClassName": "A_b", "selectors": [{}, {"cel": {"expression": ""}}],
            "tolerations": [{"operator": "Exists", "value": "x"}],
        }}],
        "constraints": [{"requests": ["zz"], "matchAttribute": "foo"}],
        "config": [{"requests": ["r"]}, {"opaque": {"driver": "", "parameters": {}}}, {"opaque": {"driver": "d.x", "parameters": [1]}}],
    }}), "default"))
    assert [(c["field"], c["message"]) for c in causes] == [
        ("spec.devices.requests[0].exactly.deviceClassName", f'Invalid value: "A_b": {DNS_SUBDOMAIN_MSG}'),
        ("spec.devices.requests[0].exactly.selectors[0].cel", "Required value"),
        ("spec.devices.requests[0].exactly.selectors[1].cel.expression",
         'Invalid value: "": compilation failed: ERROR: <input>:1:0: Syntax error: mismatched input \'<EOF>\' expecting '
         "{'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}"),
        ("spec.devices.requests[0].exactly.tolerations[0].value", 'Invalid value: "x": must be empty for operator `Exists`'),
        ("spec.devices.constraints[0].requests[0]",
         'Invalid value: "zz": must be the name of a request in the claim or the name of a request and a subrequest '
         "separated by '/'"),
        ("spec.devices.constraints[0].matchAttribute",
         'Invalid value: "foo": a fully qualified name must be a domain and a name separated by a slash'),
        ("spec.devices.config[0].opaque", "Required value"),
        ("spec.devices.config[1].opaque.driver", "Required value"),
        ("spec.devices.config[2].opaque.parameters", 'Invalid value: "<value omitted>": must be a valid JSON object'),
    ]


def test_too_many_requests() -> None:
    api = _api()
    requests = [{"name": f"r{i}", "exactly": {"deviceClassName": "a"}} for i in range(33)]
    causes = _causes(lambda: api.create(f"{G}/resourceclaims", _claim({"devices": {"requests": requests}}), "default"))
    assert causes == [{"reason": "FieldValueTooMany", "message": "Too many: 33: must have at most 32 items",
                       "field": "spec.devices.requests"}]


def test_claim_spec_is_immutable_but_labels_change() -> None:
    api = _api()
    api.create(f"{G}/resourceclaims", _claim({"devices": {"requests": [
        {"name": "req-0", "exactly": {"deviceClassName": "dra.example.com"}}]}}), "default")
    relabelled = api.patch(f"{G}/resourceclaims", "c", {"metadata": {"labels": {"a": "b"}}}, "merge", "default")
    assert relabelled["metadata"]["labels"] == {"a": "b"}
    causes = _causes(lambda: api.patch(f"{G}/resourceclaims", "c", {"spec": {"devices": {"requests": [
        {"name": "req-0", "exactly": {"deviceClassName": "dra.example.com", "count": 2}}]}}}, "merge", "default"))
    assert causes == [{
        "reason": "FieldValueInvalid",
        "message": 'Invalid value: {"Devices":{"Requests":[{"Name":"req-0","Exactly":{"DeviceClassName":"dra.example.com",'
                   '"Selectors":null,"AllocationMode":"ExactCount","Count":2,"AdminAccess":null,"Tolerations":null,'
                   '"Capacity":null},"FirstAvailable":null}],"Constraints":null,"Config":null}}: field is immutable',
        "field": "spec",
    }]


def test_claim_status_subresource_and_state_column() -> None:
    api = _api()
    api.create(f"{G}/resourceclaims", _claim({"devices": {"requests": [
        {"name": "req-0", "exactly": {"deviceClassName": "a"}}]}}), "default")
    info = api.registry.lookup(f"{G}/resourceclaims")
    assert info is not None
    strategy = api.registry.strategy(info)

    def state() -> str:
        claim = api.get(f"{G}/resourceclaims", "c", "default")
        return str(tables.to_table(info, [claim], 0.0, strategy=strategy)["rows"][0]["cells"][1])

    assert state() == "pending"
    causes = _causes(lambda: api.patch(f"{G}/resourceclaims", "c", {"status": {"reservedFor": [
        {"resource": "pods", "name": "p", "uid": "u1"}, {"name": ""}]}}, "merge", "default", subresource="status"))
    assert [(c["field"], c["message"]) for c in causes] == [
        ("status.reservedFor[1].resource", "Required value"),
        ("status.reservedFor[1].name", "Required value"),
        ("status.reservedFor[1].uid", "Required value"),
        ("status.reservedFor", "Forbidden: may not be specified when `allocated` is not set"),
    ]
    nothing = api.patch(f"{G}/resourceclaims", "c", {"status": {"allocation": {}}}, "merge", "default", subresource="status")
    assert nothing["status"] == {"allocation": {}} and state() == "allocated"
    api.patch(f"{G}/resourceclaims", "c", {"status": {"reservedFor": [{"resource": "pods", "name": "p", "uid": "u1"}]}},
              "merge", "default", subresource="status")
    assert state() == "allocated,reserved"
    causes = _causes(lambda: api.patch(f"{G}/resourceclaims", "c", {"status": {"allocation": {"devices": {"results": [
        {"request": "req-0", "driver": "d.x", "pool": "p", "device": "dev"}]}}}}, "merge", "default", subresource="status"))
    assert causes[0]["field"] == "status.allocation" and causes[0]["message"].endswith(": field is immutable")
    # a status write cannot change the spec
    claim = api.get(f"{G}/resourceclaims", "c", "default")
    claim["spec"]["devices"]["requests"][0]["exactly"]["count"] = 5
    claim["status"]["reservedFor"] = []
    written = api.update(f"{G}/resourceclaims", claim, "default", subresource="status")
    assert written["spec"]["devices"]["requests"][0]["exactly"]["count"] == 1


def test_new_allocation_results_are_validated() -> None:
    api = _api()
    api.create(f"{G}/resourceclaims", _claim({"devices": {"requests": [
        {"name": "req-0", "exactly": {"deviceClassName": "a"}}]}}), "default")
    causes = _causes(lambda: api.patch(f"{G}/resourceclaims", "c", {"status": {"allocation": {"devices": {
        "results": [{"request": "nope", "driver": "d.x", "pool": "", "device": "Dev"}],
        "config": [{"source": "Bad", "requests": ["req-0"], "opaque": {"driver": "d.x", "parameters": {}}}],
    }}}}, "merge", "default", subresource="status"))
    assert [(c["field"], c["message"]) for c in causes] == [
        ("status.allocation.devices.results[0].request",
         'Invalid value: "nope": must be the name of a request in the claim or the name of a request and a subrequest '
         "separated by '/'"),
        ("status.allocation.devices.results[0].pool", "Required value"),
        ("status.allocation.devices.results[0].device", f'Invalid value: "Dev": {DNS_LABEL_MSG}'),
        ("status.allocation.devices.config[0].source",
         'Unsupported value: "Bad": supported values: "FromClaim", "FromClass"'),
    ]


def test_template_defaults_validation_and_immutability() -> None:
    api = _api()
    body = {"metadata": {"name": "t"}, "spec": {"spec": {"devices": {"requests": [
        {"name": "r", "exactly": {"deviceClassName": "a"}}]}}}}
    template = api.create(f"{G}/resourceclaimtemplates", body, "default")
    assert template["spec"]["metadata"] == {}
    assert template["spec"]["spec"]["devices"]["requests"][0]["exactly"] == {
        "deviceClassName": "a", "allocationMode": "ExactCount", "count": 1}
    causes = _causes(lambda: api.create(f"{G}/resourceclaimtemplates", {"metadata": {"name": "u"}, "spec": {
        "metadata": {"name": "x", "labels": {"a b": "c"}}, "spec": {"devices": {"requests": [{"name": "r"}]}}}}, "default"))
    assert [(c["field"], c["reason"]) for c in causes] == [
        ("spec.metadata.labels", "FieldValueInvalid"),
        ("spec.metadata.name", "FieldValueForbidden"),
        ("spec.spec.devices.requests[0]", "FieldValueRequired"),
    ]
    assert causes[1]["message"] == "Forbidden: cannot be set"
    relabelled = api.patch(f"{G}/resourceclaimtemplates", "t", {"metadata": {"labels": {"a": "b"}}}, "merge", "default")
    assert relabelled["metadata"]["labels"] == {"a": "b"}
    causes = _causes(lambda: api.patch(f"{G}/resourceclaimtemplates", "t", {"spec": {"metadata": {"labels": {"x": "y"}}}},
                                       "merge", "default"))
    assert causes == [{
        "reason": "FieldValueInvalid",
        "message": 'Invalid value: {"labels":{"x":"y"},"Spec":{"Devices":{"Requests":[{"Name":"r","Exactly":'
                   '{"DeviceClassName":"a","Selectors":null,"AllocationMode":"ExactCount","Count":1,"AdminAccess":null,'
                   '"Tolerations":null,"Capacity":null},"FirstAvailable":null}],"Constraints":null,"Config":null}}}: '
                   "field is immutable",
        "field": "spec",
    }]


def test_device_class_generation_and_validation() -> None:
    api = _api()
    dc = api.create(f"{G}/deviceclasses", {"metadata": {"name": "gpu"}, "spec": {"selectors": [
        {"cel": {"expression": "false"}}]}})
    assert dc["metadata"]["generation"] == 1 and "namespace" not in dc["metadata"]
    changed = api.patch(f"{G}/deviceclasses", "gpu", {"spec": {"selectors": [{"cel": {"expression": "1 == 0"}}]}}, "merge")
    assert changed["metadata"]["generation"] == 2
    relabelled = api.patch(f"{G}/deviceclasses", "gpu", {"metadata": {"labels": {"a": "b"}}}, "merge")
    assert relabelled["metadata"]["generation"] == 2
    causes = _causes(lambda: api.create(f"{G}/deviceclasses", {"metadata": {"name": "bad"}, "spec": {
        "selectors": [{"cel": {"expression": "  "}}, {}], "config": [{}], "extendedResourceName": "foo"}}))
    assert [(c["field"], c["message"]) for c in causes] == [
        ("spec.selectors[0].cel.expression",
         'Invalid value: "  ": compilation failed: ERROR: <input>:1:3: Syntax error: mismatched input \'<EOF>\' '
         "expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, "
         "IDENTIFIER}\n |   \n | ..^"),
        ("spec.selectors[1].cel", "Required value"),
        ("spec.config[0].opaque", "Required value"),
        ("spec.extendedResourceName", 'Invalid value: "foo": must be a valid extended resource name'),
    ]
    with pytest.raises(ApiError):
        api.patch(f"{G}/deviceclasses", "gpu", {"spec": {"selectors": [{"cel": {"expression": ""}}]}}, "merge")


def test_resource_slice_required_fields_and_node_selection() -> None:
    api = _api()
    causes = _causes(lambda: api.create(f"{G}/resourceslices", _slice({})))
    assert [(c["field"], c["message"]) for c in causes] == [
        ("spec.driver", "Required value"),
        ("spec.pool.name", "Required value"),
        ("spec.pool.resourceSliceCount", "Invalid value: 0: must be greater than zero"),
        ("spec", "Required value: exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` is required"),
    ]
    causes = _causes(lambda: api.create(f"{G}/resourceslices", _slice({
        "driver": "Bad_Driver", "pool": {"name": "a/B", "generation": -1, "resourceSliceCount": 1},
        "nodeName": "n", "allNodes": True, "perDeviceNodeSelection": False})))
    assert [(c["field"], c["message"]) for c in causes] == [
        ("spec.driver", f'Invalid value: "Bad_Driver": {DNS_SUBDOMAIN_MSG}'),
        ("spec.pool.name", f'Invalid value: "B": {DNS_SUBDOMAIN_MSG}'),
        ("spec.pool.generation", "Invalid value: -1: must be greater than or equal to zero"),
        ("spec.perDeviceNodeSelection", "Invalid value: false: must be either unset or set to true"),
        ("spec", 'Invalid value: "{`nodeName`, `allNodes`}": exactly one of `nodeName`, `nodeSelector`, `allNodes`, '
                 "`perDeviceNodeSelection` is required, but multiple fields are set"),
    ]
    causes = _causes(lambda: api.create(f"{G}/resourceslices", _slice({
        "driver": "d.x", "pool": POOL, "nodeSelector": {"nodeSelectorTerms": []}})))
    assert [(c["field"], c["message"]) for c in causes] == [
        ("spec.nodeSelector.nodeSelectorTerms", "Required value: must have at least one node selector term"),
        ("spec.nodeSelector.nodeSelectorTerms", "Invalid value: []: must have exactly one node selector term"),
    ]
    causes = _causes(lambda: api.create(f"{G}/resourceslices", _slice({"driver": "x" * 64, "pool": POOL, "allNodes": True})))
    assert causes == [{"reason": "FieldValueTooLong", "message": "Too long: may not be more than 63 bytes",
                       "field": "spec.driver"}]


def test_resource_slice_devices() -> None:
    api = _api()
    causes = _causes(lambda: api.create(f"{G}/resourceslices", _slice({"driver": "d.x", "pool": POOL, "allNodes": True,
        "devices": [{"name": "D"}, {"name": "D"}, {"name": "e", "nodeName": "n"},
                    {"name": "f", "attributes": {"v": {"version": "1.0"}, "x": {}, "y": {"int": 1, "bool": True}},
                     "taints": [{"key": "k", "effect": ""}]}]})))
    assert [(c["field"], c["message"]) for c in causes] == [
        ("spec.devices[0].name", f'Invalid value: "D": {DNS_LABEL_MSG}'),
        ("spec.devices[1].name", f'Invalid value: "D": {DNS_LABEL_MSG}'),
        ("spec.devices[2]", "Invalid value: null: `nodeName`, `nodeSelector` and `allNodes` can only be set if "
                            "`perDeviceNodeSelection` is set to true in the ResourceSlice spec"),
        ("spec.devices[3].attributes[v].version", 'Invalid value: "1.0": must be a string compatible with semver.org spec 2.0.0'),
        ("spec.devices[3].attributes[x]", 'Invalid value: "": exactly one value must be specified'),
        ("spec.devices[3].attributes[y]",
         'Invalid value: {"IntValue":1,"BoolValue":true,"StringValue":null,"VersionValue":null,"IntValues":null,'
         '"BoolValues":null,"StringValues":null,"VersionValues":null}: exactly one value must be specified'),
        ("spec.devices[3].taints[0].effect", "Required value"),
        ("spec.devices[1]", 'Duplicate value: "D"'),
    ]
    causes = _causes(lambda: api.create(f"{G}/resourceslices", _slice({"driver": "d.x", "pool": POOL,
        "perDeviceNodeSelection": True, "devices": [{"name": "a"}, {"name": "b", "nodeName": "n", "allNodes": True}]})))
    assert [c["field"] for c in causes] == ["spec.devices[0]", "spec.devices[1]"]
    assert causes[1]["message"].startswith('Invalid value: "{`nodeName`, `allNodes`}": exactly one of')


def test_resource_slice_update_generation_immutables_and_columns() -> None:
    api = _api()
    created = api.create(f"{G}/resourceslices", _slice({"driver": "dra.example.com", "pool": {"name": "cluster", "resourceSliceCount": 1},
                                                         "nodeName": "no-such-node", "devices": [
                                                             {"name": "d0", "taints": [{"key": "k", "effect": "NoSchedule"}],
                                                              "capacity": {"mem": {"value": "1024Mi"}}}]}))
    assert created["metadata"]["generation"] == 1 and created["spec"]["pool"]["generation"] == 0
    device = created["spec"]["devices"][0]
    assert device["taints"][0]["timeAdded"] == created["metadata"]["creationTimestamp"]
    assert device["capacity"] == {"mem": {"value": "1Gi"}}
    grown = api.patch(f"{G}/resourceslices", "s", {"spec": {"devices": [{"name": "device-0"}]}}, "merge")
    assert grown["metadata"]["generation"] == 2
    causes = _causes(lambda: api.patch(f"{G}/resourceslices", "s", {"spec": {
        "driver": "e.x", "pool": {"name": "other"}, "nodeName": "n2"}}, "merge"))
    assert [(c["field"], c["message"]) for c in causes] == [
        ("spec.pool.name", 'Invalid value: "other": field is immutable'),
        ("spec.driver", 'Invalid value: "e.x": field is immutable'),
        ("spec.nodeName", 'Invalid value: "n2": field is immutable'),
    ]
    causes = _causes(lambda: api.patch(f"{G}/resourceslices", "s", {"spec": {"nodeName": None, "allNodes": True}}, "merge"))
    assert causes == [{"reason": "FieldValueInvalid", "message": "Invalid value: null: field is immutable",
                       "field": "spec.nodeName"}]
    info = api.registry.lookup(f"{G}/resourceslices")
    assert info is not None
    table = tables.to_table(info, [grown], 0.0, strategy=api.registry.strategy(info))
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Node", "Driver", "Pool", "Age"]
    assert table["rows"][0]["cells"][:4] == ["s", "no-such-node", "dra.example.com", "cluster"]
    for plural in ("deviceclasses", "resourceclaimtemplates"):
        other = api.registry.lookup(f"{G}/{plural}")
        assert other is not None
        names = [c["name"] for c in tables.column_definitions(other, api.registry.strategy(other))]
        assert names == ["Name", "Age"]
