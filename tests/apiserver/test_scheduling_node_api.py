"""scheduling.k8s.io/v1 PriorityClass and node.k8s.io/v1 RuntimeClass through the API server, and
the admission rules of the Priority and RuntimeClass plugins, as kube-apiserver v1.36.3 has them
(``pkg/apis/scheduling``, ``pkg/apis/node``, ``plugin/pkg/admission/{priority,runtimeclass}``).

The expected causes and refusals are the real server's answers to the same requests."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.apiserver import REGISTRY, ApiError, APIServer, tables
from reference_impl.apiserver.registry import node, scheduling
from reference_impl.sim import EventLoop, SeededRandom
from reference_impl.store import MemoryStore

Obj = dict[str, Any]

PC = "scheduling.k8s.io/v1/priorityclasses"
RC = "node.k8s.io/v1/runtimeclasses"
LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)


def _api() -> APIServer:
    return APIServer(MemoryStore(), EventLoop(), SeededRandom(1))


def _errors(excinfo: pytest.ExceptionInfo[ApiError]) -> list[tuple[str, str]]:
    assert excinfo.value.code == 422
    return [(c["field"], c["message"]) for c in excinfo.value.status["details"]["causes"]]


def _table(api: APIServer, resource: str) -> Obj:
    info = REGISTRY.lookup(resource)
    assert info is not None
    return tables.to_table(info, api.list(resource)["items"], 0.0, strategy=REGISTRY.strategy(info))


# --------------------------------------------------------------------------- PriorityClass


def test_the_system_priority_classes_exist_from_the_start() -> None:
    api = _api()
    classes = {c["metadata"]["name"]: c for c in api.list(PC)["items"]}
    assert set(classes) == {"system-node-critical", "system-cluster-critical"}
    node_critical = classes["system-node-critical"]
    assert (node_critical["value"], node_critical["preemptionPolicy"], node_critical["metadata"]["generation"]) == (
        2000001000, "PreemptLowerPriority", 1,
    )
    assert node_critical["description"] == "Used for system critical pods that must not be moved from their current node."
    assert classes["system-cluster-critical"]["value"] == 2000000000
    info = REGISTRY.lookup("pc")
    assert info is not None and info.plural == "priorityclasses" and not info.namespaced


def test_the_system_classes_are_created_once_in_upstreams_order() -> None:
    store = MemoryStore()
    APIServer(store, EventLoop(), SeededRandom(1))
    again = APIServer(store, EventLoop(), SeededRandom(2))  # a restart finds them: nothing is written twice
    first, second = (again.get(PC, name)["metadata"]["resourceVersion"]
                     for name in ("system-node-critical", "system-cluster-critical"))
    assert int(first) < int(second)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"metadata": {"name": "c"}, "value": 1000000001},
         [("value", "Forbidden: maximum allowed value of a user defined priority is 1000000000")]),
        ({"metadata": {"name": "system-foo"}, "value": 5}, [(
            "metadata.name", "Forbidden: priority class names with 'system-' prefix are reserved for system use only. "
            "error: system-foo is not a known system priority class")]),
        ({"metadata": {"name": "system-node-critical"}, "value": 5}, [(
            "metadata.name", "Forbidden: priority class names with 'system-' prefix are reserved for system use only. "
            "error: value of system-node-critical PriorityClass must be 2000001000")]),
        ({"metadata": {"name": "system-node-critical"}, "value": 2000001000, "globalDefault": True}, [(
            "metadata.name", "Forbidden: priority class names with 'system-' prefix are reserved for system use only. "
            "error: globalDefault of system-node-critical PriorityClass must be false")]),
        ({"metadata": {"name": "d"}, "value": 1, "preemptionPolicy": "Sometimes"},
         [("preemptionPolicy", 'Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"')]),
        ({"metadata": {"name": "e"}, "value": 1, "preemptionPolicy": ""}, [("preemptionPolicy", "Required value")]),
    ],
)
def test_a_priority_class_value_name_and_policy_are_checked(body: Obj, expected: list[tuple[str, str]]) -> None:
    with pytest.raises(ApiError) as bad:
        _api().create(PC, body)
    assert _errors(bad) == expected


def test_a_priority_class_keeps_its_value_and_policy_but_not_its_description() -> None:
    api = _api()
    pc = api.create(PC, {"metadata": {"name": "a"}, "value": 10})
    assert pc["preemptionPolicy"] == "PreemptLowerPriority" and pc["metadata"]["generation"] == 1
    described = api.patch(PC, "a", {"description": "new"}, "merge")
    assert described["description"] == "new" and described["metadata"]["generation"] == 1
    with pytest.raises(ApiError) as bad:
        api.patch(PC, "a", {"value": 2000000000, "preemptionPolicy": "Never"}, "merge")
    # the update rules only: a system-range value is not checked again
    assert _errors(bad) == [
        ("value", "Forbidden: may not be changed in an update."),
        ("preemptionPolicy", 'Invalid value: "Never": field is immutable'),
    ]
    with pytest.raises(ApiError) as still_unsupported:
        api.patch(PC, "a", {"preemptionPolicy": "Sometimes"}, "merge")
    assert _errors(still_unsupported) == [("preemptionPolicy", 'Invalid value: "Sometimes": field is immutable')]


def test_a_system_class_may_not_be_deleted() -> None:
    assert scheduling.deletion_forbidden("system-node-critical") == "this is a system priority class and cannot be deleted"
    assert scheduling.deletion_forbidden("system-cluster-critical") is not None
    assert scheduling.deletion_forbidden("system-other") is None


def _pc(name: str, value: int, *, default: bool = False, policy: str = "PreemptLowerPriority") -> Obj:
    return {"metadata": {"name": name}, "value": value, "globalDefault": default, "preemptionPolicy": policy}


def _by_name(*classes: Obj) -> dict[str, Obj]:
    """What the plugins' informers hold: the stored objects by name."""
    return {c["metadata"]["name"]: c for c in classes}


def test_only_one_priority_class_may_be_the_global_default() -> None:
    classes = _by_name(_pc("a", 10), _pc("default", 3, default=True))
    assert scheduling.admit_priority_class(_pc("b", 4, default=True), classes) == (
        "PriorityClass default is already marked as default. Only one default can exist"
    )
    assert scheduling.admit_priority_class(_pc("default", 3, default=True), classes) is None  # an update of itself
    assert scheduling.admit_priority_class(_pc("b", 4), classes) is None
    assert scheduling.admit_priority_class(_pc("b", 4, default=True), _by_name(_pc("a", 10))) is None


@pytest.mark.parametrize(
    ("spec", "admitted", "refusal"),
    [
        ({"priorityClassName": "a"}, {"priorityClassName": "a", "priority": 10, "preemptionPolicy": "PreemptLowerPriority"},
         None),
        ({"priorityClassName": "never"}, {"priorityClassName": "never", "priority": -5, "preemptionPolicy": "Never"}, None),
        ({}, {"priority": 0, "preemptionPolicy": "PreemptLowerPriority"}, None),
        ({"priorityClassName": "a", "priority": 10}, {"priorityClassName": "a", "priority": 10,
                                                      "preemptionPolicy": "PreemptLowerPriority"}, None),
        ({"priorityClassName": "zzz"}, None, "no PriorityClass with name zzz was found"),
        ({"priorityClassName": "a", "priority": 3}, None,
         "the integer value of priority (3) must not be provided in pod spec; priority admission controller "
         "computed 10 from the given PriorityClass name"),
        ({"priorityClassName": "never", "preemptionPolicy": "PreemptLowerPriority"}, None,
         "the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority "
         "admission controller computed Never from the given PriorityClass name"),
    ],
)
def test_priority_admission_resolves_a_pods_class(spec: Obj, admitted: Obj | None, refusal: str | None) -> None:
    classes = _by_name(_pc("a", 10), _pc("never", -5, policy="Never"))
    assert scheduling.admit_pod(spec, classes) == refusal
    if admitted is not None:
        assert spec == admitted


def test_priority_admission_gives_a_classless_pod_the_lowest_global_default() -> None:
    spec: Obj = {}
    classes = _by_name(_pc("high", 50, default=True), _pc("low", 3, default=True), _pc("a", 1))
    assert scheduling.admit_pod(spec, classes) is None
    assert spec == {"priorityClassName": "low", "priority": 3, "preemptionPolicy": "PreemptLowerPriority"}


def test_the_priority_class_table_prints_the_preemption_policy() -> None:
    table = _table(_api(), PC)
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Value", "Global-Default", "Age", "PreemptionPolicy"]
    cells = [r["cells"] for r in table["rows"]]
    assert [[c[0], c[1], c[2], c[4]] for c in cells] == [
        ["system-cluster-critical", 2000000000, False, "PreemptLowerPriority"],
        ["system-node-critical", 2000001000, False, "PreemptLowerPriority"],
    ]


# --------------------------------------------------------------------------- RuntimeClass


def test_a_runtime_class_needs_a_dns_label_handler_that_never_changes() -> None:
    api = _api()
    with pytest.raises(ApiError) as missing:
        api.create(RC, {"metadata": {"name": "c"}})
    assert _errors(missing) == [("handler", "Required value")]
    with pytest.raises(ApiError) as bad:
        api.create(RC, {"metadata": {"name": "c"}, "handler": "Run.C"})
    assert _errors(bad) == [("handler", f'Invalid value: "Run.C": {LABEL_MSG}')]
    rc = api.create(RC, {"metadata": {"name": "a"}, "handler": "runc", "overhead": {"podFixed": {"cpu": "0.5",
                                                                                                 "memory": "1024Mi"}}})
    assert rc["overhead"] == {"podFixed": {"cpu": "500m", "memory": "1Gi"}} and "generation" not in rc["metadata"]
    with pytest.raises(ApiError) as moved:
        api.patch(RC, "a", {"handler": "crun"}, "merge")
    assert _errors(moved) == [("handler", 'Invalid value: "crun": field is immutable')]
    with pytest.raises(ApiError) as negative:
        api.patch(RC, "a", {"overhead": {"podFixed": {"cpu": "-2"}}}, "merge")
    assert _errors(negative) == [("overhead.limits[cpu]", 'Invalid value: "-2": must be greater than or equal to 0')]


def test_a_runtime_class_checks_its_scheduling_and_duplicate_tolerations() -> None:
    tolerations = [
        {"key": "k", "operator": "Equal", "value": "v"},
        {"key": "k", "operator": "Equal", "value": "v", "effect": "NoExecute", "tolerationSeconds": 3},
        {"key": "k", "operator": "Equal", "value": "v", "effect": "NoExecute", "tolerationSeconds": 4},
        {"key": "k", "tolerationSeconds": 5},
    ]
    with pytest.raises(ApiError) as bad:
        _api().create(RC, {"metadata": {"name": "c"}, "handler": "runc", "scheduling": {"tolerations": tolerations}})
    assert _errors(bad) == [
        ("scheduling.tolerations[3].effect", "Invalid value: \"\": effect must be 'NoExecute' when `tolerationSeconds` is set"),
        ("scheduling.tolerations[2]", 'Duplicate value: {"Key":"k","Operator":"Equal","Value":"v","Effect":"NoExecute",'
                                      '"TolerationSeconds":4}'),
    ]


def test_the_runtime_class_table_prints_the_handler() -> None:
    api = _api()
    api.create(RC, {"metadata": {"name": "gvisor"}, "handler": "runsc"})
    table = _table(api, RC)
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Handler", "Age"]
    assert table["rows"][0]["cells"][:2] == ["gvisor", "runsc"]


_CLASSES: dict[str, Obj] = {
    "a": {"metadata": {"name": "a"}, "handler": "runc", "overhead": {"podFixed": {"cpu": "250m", "memory": "1Gi"}},
          "scheduling": {"nodeSelector": {"nwd": "yes"},
                         "tolerations": [{"key": "nwd", "operator": "Exists", "effect": "NoSchedule"}]}},
    "b": {"metadata": {"name": "b"}, "handler": "runc", "scheduling": {"nodeSelector": {"a": "b"}}},
}


@pytest.mark.parametrize(
    ("spec", "admitted", "refusal"),
    [
        ({"runtimeClassName": "a", "tolerations": [{"key": "nwd", "operator": "Exists"}]},
         {"runtimeClassName": "a", "overhead": {"cpu": "250m", "memory": "1Gi"}, "nodeSelector": {"nwd": "yes"},
          "tolerations": [{"key": "nwd", "operator": "Exists"}]}, None),
        ({"runtimeClassName": "a", "overhead": {"cpu": "0.25", "memory": "1024Mi"}},
         {"runtimeClassName": "a", "overhead": {"cpu": "250m", "memory": "1Gi"}, "nodeSelector": {"nwd": "yes"},
          "tolerations": [{"key": "nwd", "operator": "Exists", "effect": "NoSchedule"}]}, None),
        ({"runtimeClassName": "b", "nodeSelector": {"c": "d"}},
         {"runtimeClassName": "b", "nodeSelector": {"c": "d", "a": "b"}}, None),
        ({"runtimeClassName": "zzz"}, None, 'pod rejected: RuntimeClass "zzz" not found'),
        ({"runtimeClassName": "a", "nodeSelector": {"nwd": "no"}}, None,
         "conflict: runtimeClass.scheduling.nodeSelector[nwd] = yes; pod.spec.nodeSelector[nwd] = no"),
        ({"runtimeClassName": "a", "overhead": {"cpu": "1"}}, None,
         "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead"),
        ({"runtimeClassName": "b", "overhead": {"cpu": "1"}}, None,
         "pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead"),
        ({"overhead": {"cpu": "1"}}, None,
         "pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead"),
        ({}, {}, None),
    ],
)
def test_runtime_class_admission_sets_overhead_and_scheduling(spec: Obj, admitted: Obj | None, refusal: str | None) -> None:
    assert node.admit_pod(spec, _CLASSES) == refusal
    if admitted is not None:
        assert spec == admitted


def test_merged_tolerations_drop_the_ones_another_covers() -> None:
    exists_all = {"operator": "Exists"}
    no_execute_60 = {"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 60}
    no_execute_30 = {"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30}
    equal = {"key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule"}
    assert node.merge_tolerations([equal], [exists_all]) == [exists_all]
    assert node.merge_tolerations([no_execute_30], [no_execute_60]) == [no_execute_60]
    assert node.merge_tolerations([equal, equal], []) == [equal]
    assert node.merge_tolerations([equal], [no_execute_30]) == [equal, no_execute_30]
