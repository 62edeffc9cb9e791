"""flowcontrol.apiserver.k8s.io/v1 through the API server: the bootstrap configuration of a fresh
server, defaults, validation (422 causes with upstream's messages, checked against
``pkg/apis/flowcontrol/validation`` of v1.36), the status subresource and the printed table."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.apiserver import ApiError, APIServer, tables
from reference_impl.sim import EventLoop, SeededRandom
from reference_impl.store import MemoryStore

Obj = dict[str, Any]
GV = "flowcontrol.apiserver.k8s.io/v1"
FS = f"{GV}/flowschemas"
PL = f"{GV}/prioritylevelconfigurations"


def _api() -> APIServer:
    return APIServer(MemoryStore(), EventLoop(), SeededRandom(1))


def _causes(exc: pytest.ExceptionInfo[ApiError]) -> list[tuple[str, str]]:
    assert exc.value.code == 422
    return [(c["field"], c["message"]) for c in exc.value.status["details"]["causes"]]


def _fs(name: str, **spec: Any) -> Obj:
    body: Obj = {"priorityLevelConfiguration": {"name": "global-default"}, **spec}
    return {"apiVersion": GV, "kind": "FlowSchema", "metadata": {"name": name}, "spec": body}


def _pl(name: str, spec: Obj) -> Obj:
    return {"apiVersion": GV, "kind": "PriorityLevelConfiguration", "metadata": {"name": name}, "spec": spec}


def test_a_fresh_server_holds_the_mandatory_and_suggested_configuration() -> None:
    api = _api()
    schemas = {o["metadata"]["name"]: o for o in api.list(FS)["items"]}
    assert set(schemas) == {
        "exempt", "catch-all", "system-nodes", "system-node-high", "probes", "system-leader-election",
        "kube-controller-manager", "kube-scheduler", "kube-system-service-accounts", "service-accounts",
        "global-default",
    }
    levels = {o["metadata"]["name"]: o for o in api.list(PL)["items"]}
    assert set(levels) == {
        "exempt", "catch-all", "system", "node-high", "leader-election", "workload-high", "workload-low", "global-default",
    }
    for obj in (*schemas.values(), *levels.values()):
        assert obj["metadata"]["annotations"] == {"apf.kubernetes.io/autoupdate-spec": "true"}
        assert obj["metadata"]["generation"] == 1
    assert levels["exempt"]["spec"] == {"type": "Exempt", "exempt": {"nominalConcurrencyShares": 0, "lendablePercent": 0}}
    assert levels["catch-all"]["spec"]["limited"] == {
        "nominalConcurrencyShares": 5, "lendablePercent": 0, "limitResponse": {"type": "Reject"},
    }
    assert levels["leader-election"]["spec"]["limited"]["limitResponse"] == {
        "type": "Queue", "queuing": {"queues": 16, "handSize": 4, "queueLengthLimit": 50},
    }
    assert schemas["exempt"]["spec"]["matchingPrecedence"] == 1
    assert "distinguisherMethod" not in schemas["exempt"]["spec"]
    assert schemas["system-leader-election"]["spec"]["rules"][0]["subjects"][2] == {
        "kind": "ServiceAccount", "serviceAccount": {"name": "*", "namespace": "kube-system"},
    }
    assert schemas["probes"]["spec"]["rules"][0]["nonResourceRules"] == [
        {"verbs": ["get"], "nonResourceURLs": ["/healthz", "/readyz", "/livez"]}
    ]


def test_defaults_of_flowschemas_and_priority_levels() -> None:
    api = _api()
    fs = api.create(FS, _fs("f", rules=[]))
    assert fs["spec"]["matchingPrecedence"] == 1000 and fs["status"] == {} and fs["metadata"]["generation"] == 1
    pl = api.create(PL, _pl("p", {"type": "Limited", "limited": {"limitResponse": {"type": "Queue", "queuing": {}}}}))
    assert pl["spec"]["limited"] == {
        "nominalConcurrencyShares": 30, "lendablePercent": 0,
        "limitResponse": {"type": "Queue", "queuing": {"queues": 64, "handSize": 8, "queueLengthLimit": 50}},
    }
    zero = api.create(PL, _pl("z", {"type": "Limited", "limited": {"nominalConcurrencyShares": 0,
                                                                     "limitResponse": {"type": "Reject"}}}))
    assert zero["spec"]["limited"]["nominalConcurrencyShares"] == 0  # a pointer in v1: 0 stays 0


def test_flowschema_validation_causes() -> None:
    api = _api()
    body = _fs("bad", matchingPrecedence=1, distinguisherMethod={"type": "Foo"}, rules=[
        {
            "subjects": [{"kind": "ServiceAccount", "serviceAccount": {"name": "Bad", "namespace": ""},
                          "user": {"name": "u"}}, {"kind": "Nope"}],
            "resourceRules": [{"verbs": ["*", "get"], "apiGroups": ["*", "x"], "resources": [], "namespaces": ["Bad"]}],
            "nonResourceRules": [{"verbs": ["get", "foo"], "nonResourceURLs": ["x", "/a*"]}],
        },
        {"subjects": []},
    ])
    body["spec"]["priorityLevelConfiguration"] = {"name": "X_"}
    with pytest.raises(ApiError) as bad:
        api.create(FS, body)
    dns = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and " \
        "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is " \
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    sub = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must " \
        "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is " \
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    r0 = "spec.rules[0]"
    assert _causes(bad) == [
        ("spec.matchingPrecedence", "Invalid value: 1: only the schema named 'exempt' may have matchingPrecedence 1"),
        ("spec.distinguisherMethod.type", 'Unsupported value: {"Type":"Foo"}: supported values: "ByNamespace", "ByUser"'),
        ("spec.priorityLevelConfiguration.name", f'Invalid value: "X_": {sub}'),
        (f"{r0}.subjects[0].serviceAccount.name", f'Invalid value: "Bad": {sub}'),
        (f"{r0}.subjects[0].serviceAccount.namespace", "Required value: must specify namespace for service account"),
        (f"{r0}.subjects[0].user", "Forbidden: user is forbidden when subject kind is not 'User'"),
        (f"{r0}.subjects[1].kind", 'Unsupported value: "Nope": supported values: "Group", "ServiceAccount", "User"'),
        (f"{r0}.resourceRules[0].verbs", 'Invalid value: ["*","get"]: if \'*\' is present, must not specify other verbs'),
        (f"{r0}.resourceRules[0].apiGroups",
         'Invalid value: ["*","x"]: if \'*\' is present, must not specify other api groups'),
        (f"{r0}.resourceRules[0].resources", "Required value: resource rules must supply at least one resource"),
        (f"{r0}.resourceRules[0].namespaces[0]",
         f"Invalid value: \"Bad\": each member of this list must be '*' or a DNS-1123 label; {dns}"),
        (f"{r0}.nonResourceRules[0].verbs", 'Unsupported value: ["get","foo"]: supported values: "create", "delete", '
         '"deletecollection", "get", "list", "patch", "proxy", "update", "watch"'),
        (f"{r0}.nonResourceRules[0].nonResourceURLs[0]", 'Invalid value: "x": must start with slash'),
        (f"{r0}.nonResourceRules[0].nonResourceURLs[1]", 'Invalid value: "/a*": wildcard can only do suffix matching'),
        ("spec.rules[1].subjects", "Required value: subjects must contain at least one value"),
        ("spec.rules[1]", "Required value: at least one of resourceRules and nonResourceRules has to be non-empty"),
    ]
    with pytest.raises(ApiError) as high:
        api.create(FS, _fs("high", matchingPrecedence=10001))
    assert _causes(high) == [("spec.matchingPrecedence", "Invalid value: 10001: must not be greater than 10000")]


def test_the_mandatory_objects_keep_their_fixed_specs() -> None:
    api = _api()
    with pytest.raises(ApiError) as fs_bad:
        api.patch(FS, "catch-all", {"spec": {"matchingPrecedence": 9000}}, "merge")
    (field, message), = _causes(fs_bad)
    assert field == "spec" and message.startswith('Invalid value: {"PriorityLevelConfiguration":{"Name":"catch-all"},'
                                                  '"MatchingPrecedence":9000,"DistinguisherMethod":{"Type":"ByUser"},')
    assert message.endswith("}: spec of 'catch-all' must equal the fixed value")
    with pytest.raises(ApiError) as pl_bad:
        api.patch(PL, "catch-all", {"spec": {"limited": {"nominalConcurrencyShares": 6}}}, "merge")
    assert _causes(pl_bad) == [(
        "spec",
        'Invalid value: {"Type":"Limited","Limited":{"NominalConcurrencyShares":6,"LimitResponse":{"Type":"Reject",'
        '"Queuing":null},"LendablePercent":0,"BorrowingLimitPercent":null},"Exempt":null}: '
        "spec of 'catch-all' must equal the fixed value",
    )]
    exempt = api.patch(PL, "exempt", {"spec": {"exempt": {"nominalConcurrencyShares": 7}}}, "merge")
    assert exempt["spec"]["exempt"] == {"nominalConcurrencyShares": 7, "lendablePercent": 0}
    assert exempt["metadata"]["generation"] == 2
    with pytest.raises(ApiError) as typed:
        api.patch(PL, "exempt", {"spec": {"type": "Limited"}}, "merge")
    assert ("spec.type", "Invalid value: \"Limited\": must be 'Exempt' if and only if `name` is 'exempt'") in _causes(typed)


def test_priority_level_validation_causes() -> None:
    api = _api()
    with pytest.raises(ApiError) as bad:
        api.create(PL, _pl("bad", {"type": "Limited", "exempt": {}, "limited": {
            "nominalConcurrencyShares": -1, "lendablePercent": 101, "borrowingLimitPercent": -2,
            "limitResponse": {"type": "Queue", "queuing": {"queues": -1, "handSize": 0, "queueLengthLimit": -3}},
        }}))
    q = "spec.limited.limitResponse.queuing"
    assert _causes(bad) == [
        ("spec.exempt", "Forbidden: must be nil if the type is Limited"),
        ("spec.limited.nominalConcurrencyShares", "Invalid value: -1: must be a non-negative integer"),
        (f"{q}.queueLengthLimit", "Invalid value: -3: must be positive"),
        (f"{q}.queues", "Invalid value: -1: must be positive"),
        (f"{q}.handSize", "Invalid value: 8: should not be greater than queues (-1)"),
        ("spec.limited.lendablePercent", "Invalid value: 101: must be between 0 and 100, inclusive"),
        ("spec.limited.borrowingLimitPercent", "Invalid value: -2: if specified, must be a non-negative integer"),
    ]
    with pytest.raises(ApiError) as entropy:
        api.create(PL, _pl("e", {"type": "Limited", "limited": {
            "limitResponse": {"type": "Queue", "queuing": {"queues": 128, "handSize": 100}}}}))
    assert _causes(entropy) == [(f"{q}.handSize", "Invalid value: 100: required entropy bits of deckSize 128 and "
                                                  "handSize 100 should not be greater than 60")]
    with pytest.raises(ApiError) as reject:
        api.create(PL, _pl("r", {"type": "Limited", "limited": {"limitResponse": {"type": "Reject", "queuing": {}}}}))
    assert _causes(reject) == [(q, "Forbidden: must be nil if limited.limitResponse.type is not Limited")]
    with pytest.raises(ApiError) as untyped:
        api.create(PL, _pl("u", {}))
    assert _causes(untyped) == [("spec.type", "Required value")]
    with pytest.raises(ApiError) as foo:
        api.create(PL, _pl("u", {"type": "Foo"}))
    assert _causes(foo) == [("spec.type", 'Unsupported value: "Foo": supported values: "Exempt", "Limited"')]


def test_status_subresource_and_generation() -> None:
    api = _api()
    created = api.create(FS, {**_fs("s", rules=[]), "status": {"conditions": [{"type": "X", "status": "True"}]}})
    assert created["status"] == {}
    cond = {"type": "PatchStatusFailed", "status": "False", "reason": "e2e"}
    patched = api.patch(FS, "s", {"status": {"conditions": [cond]}, "spec": {"matchingPrecedence": 5}}, "merge",
                        subresource="status")
    assert patched["status"]["conditions"] == [cond]
    assert patched["spec"]["matchingPrecedence"] == 1000 and patched["metadata"]["generation"] == 1
    with pytest.raises(ApiError) as dup:
        api.patch(FS, "s", {"status": {"conditions": [cond, cond, {"status": "True"}]}}, "merge", subresource="status")
    assert _causes(dup) == [
        ("status.conditions[1].type", 'Duplicate value: "PatchStatusFailed"'),
        ("status.conditions[2].type", "Required value"),
    ]
    kept = api.patch(FS, "s", {"spec": {"matchingPrecedence": 9999}, "status": {}}, "merge")
    assert kept["status"]["conditions"] == [cond] and kept["metadata"]["generation"] == 2


def test_tables() -> None:
    api = _api()
    fs_info, pl_info = api.registry.lookup(FS), api.registry.lookup(PL)
    assert fs_info is not None and pl_info is not None
    fs_table = tables.to_table(fs_info, [api.get(FS, "probes"), api.get(FS, "global-default")], 0.0,
                               strategy=api.registry.strategy(fs_info))
    assert [c["name"] for c in fs_table["columnDefinitions"]] == [
        "Name", "PriorityLevel", "MatchingPrecedence", "DistinguisherMethod", "Age", "MissingPL",
    ]
    assert [r["cells"][:4] + r["cells"][5:] for r in fs_table["rows"]] == [
        ["probes", "exempt", 2, "<none>", "?"], ["global-default", "global-default", 9900, "ByUser", "?"],
    ]
    pl_table = tables.to_table(pl_info, [api.get(PL, "exempt"), api.get(PL, "system")], 0.0,
                               strategy=api.registry.strategy(pl_info))
    assert [c["name"] for c in pl_table["columnDefinitions"]] == [
        "Name", "Type", "NominalConcurrencyShares", "Queues", "HandSize", "QueueLengthLimit", "Age",
    ]
    assert [r["cells"][:6] for r in pl_table["rows"]] == [
        ["exempt", "Exempt", "<none>", "<none>", "<none>", "<none>"], ["system", "Limited", 30, 64, 6, 50],
    ]
