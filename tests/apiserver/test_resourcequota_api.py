"""core/v1 ResourceQuotas through the API server, and ResourceQuota admission.

The strategy (``pkg/registry/core/resourcequota``: canonical quantities, status reset on create,
``ValidateResourceQuota*``) and the admission plugin (``plugin/pkg/admission/resourcequota``:
``failed quota``, ``status unknown``, ``exceeded quota``, usage charged at admission). The expected
causes and messages are kube-apiserver v1.36.3's answers to the same requests (sent to both with
a request table; Go's map order aside, which these tests avoid or compare as sets).
"""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.apiserver import ApiError, APIServer, tables
from reference_impl.apiserver.admission_quota import Quantity, format_quantity, parse
from reference_impl.sim import EventLoop, SeededRandom
from reference_impl.store import MemoryStore

Obj = dict[str, Any]
NS = "default"
RQ = "resourcequotas"
IMAGE = "registry.k8s.io/pause:3.10"
EXISTS_ONLY = (
    "must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, "
    "ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity"
)


def _api() -> APIServer:
    return APIServer(MemoryStore(), EventLoop(), SeededRandom(1))


def _quota(name: str, hard: Obj, **spec: Any) -> Obj:
    return {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name}, "spec": {"hard": hard, **spec}}


def _synced(api: APIServer, name: str, hard: Obj, used: Obj | None = None, **spec: Any) -> Obj:
    """A quota as the quota controller leaves it: status.hard = spec.hard, usage computed."""
    q = api.create(RQ, _quota(name, hard, **spec), NS)
    q["status"] = {"hard": q["spec"]["hard"], "used": used if used is not None else dict.fromkeys(hard, "0")}
    return api.update(RQ, q, NS, subresource="status")


def _pod(name: str, *containers: Obj, **spec: Any) -> Obj:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": {"containers": list(containers), **spec}}


def _c(name: str = "c", requests: Obj | None = None, limits: Obj | None = None, **extra: Any) -> Obj:
    c: Obj = {"name": name, "image": IMAGE, **extra}
    res = {k: v for k, v in (("requests", requests), ("limits", limits)) if v}
    if res:
        c["resources"] = res
    return c


def _causes(api: APIServer, body: Obj) -> list[tuple[str, str, str]]:
    with pytest.raises(ApiError) as excinfo:
        api.create(RQ, body, NS)
    assert excinfo.value.code == 422
    return sorted((c["reason"], c["field"], c["message"]) for c in excinfo.value.status["details"]["causes"])


def _forbidden(api: APIServer, resource: str, body: Obj) -> str:
    with pytest.raises(ApiError) as excinfo:
        api.create(resource, body, NS)
    assert (excinfo.value.code, excinfo.value.reason) == (403, "Forbidden")
    return excinfo.value.message


def _used(api: APIServer, name: str) -> Obj:
    used: Obj = api.get(RQ, name, NS)["status"]["used"]
    return used


# --------------------------------------------------------------------------- the strategy


def test_quantities_are_stored_canonical_and_the_status_starts_empty() -> None:
    api = _api()
    q = api.create(RQ, {**_quota("q1", {"cpu": "0.5", "memory": "1024Mi", "pods": "3", "limits.cpu": 2,
                                        "requests.storage": "1e3"}), "status": {"hard": {"cpu": "9"}}}, NS)
    assert q["spec"]["hard"] == {"cpu": "500m", "limits.cpu": "2", "memory": "1Gi", "pods": "3", "requests.storage": "1e3"}
    assert list(q["spec"]["hard"]) == sorted(q["spec"]["hard"])  # Go writes a map's keys sorted
    assert q["status"] == {}


def test_registered_with_its_short_name_and_status() -> None:
    info = _api().registry.lookup("quota")
    assert info is not None and (info.plural, info.namespaced, info.subresources) == ("resourcequotas", True, ("status",))


def test_a_quantity_that_does_not_parse_is_the_decoders_400() -> None:
    with pytest.raises(ApiError) as excinfo:
        _api().create(RQ, _quota("bad5", {"cpu": "abc"}), NS)
    assert (excinfo.value.code, excinfo.value.message) == (
        400,
        'ResourceQuota in version "v1" cannot be handled as a ResourceQuota: quantities must match the regular '
        "expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    )


INVALID = "FieldValueInvalid"
CASES: list[tuple[str, Obj, list[tuple[str, str, str]]]] = [
    (
        "conflicting scopes, and BestEffort applied to cpu",
        _quota("bad1", {"cpu": "1"}, scopes=["BestEffort", "NotBestEffort"]),
        [
            (INVALID, "spec.scopes", 'Invalid value: ["BestEffort","NotBestEffort"]: conflicting scopes'),
            (INVALID, "spec.scopes", 'Invalid value: ["BestEffort","NotBestEffort"]: unsupported scope applied to resource'),
        ],
    ),
    (
        "names, negative and fractional counts, selector operators",
        _quota("bad2", {"pods": "1.5", "foo": "1", "example.com/x": "-1"}, scopeSelector={"matchExpressions": [
            {"scopeName": "PriorityClass", "operator": "In"},
            {"scopeName": "Terminating", "operator": "In", "values": ["a"]}]}),
        [
            (INVALID, "spec.hard[example.com/x]", 'Invalid value: "-1": must be greater than or equal to 0'),
            (INVALID, "spec.hard[foo]", 'Invalid value: "foo": must be a standard resource for quota'),
            (INVALID, "spec.hard[foo]", 'Invalid value: "foo": must be a standard resource type or fully qualified'),
            (INVALID, "spec.hard[pods]", 'Invalid value: "1500m": must be an integer'),
            (INVALID, "spec.scopeSelector.matchExpressions.operator", f'Invalid value: "In": {EXISTS_ONLY}'),
            ("FieldValueRequired", "spec.scopeSelector.matchExpressions.values",
             "Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"),
        ],
    ),
    (
        "a selector printed as the internal struct's JSON, the scopes' conflict with the selector's",
        _quota("bad3", {"secrets": "1"}, scopes=["Foo"], scopeSelector={"matchExpressions": [
            {"scopeName": "BestEffort", "operator": "Exists", "values": ["x"]},
            {"scopeName": "NotBestEffort", "operator": "Bogus"},
            {"scopeName": "Bar", "operator": "DoesNotExist"}]}),
        sorted([
            (INVALID, "spec.scopeSelector.matchExpressions", 'Invalid value: ["Foo"]: conflicting scopes'),
            *[(INVALID, "spec.scopeSelector.matchExpressions",
               'Invalid value: {"MatchExpressions":[{"ScopeName":"BestEffort","Operator":"Exists","Values":["x"]},'
               '{"ScopeName":"NotBestEffort","Operator":"Bogus","Values":null},'
               '{"ScopeName":"Bar","Operator":"DoesNotExist","Values":null}]}: unsupported scope applied to resource')] * 2,
            (INVALID, "spec.scopeSelector.matchExpressions.operator", f'Invalid value: "Bogus": {EXISTS_ONLY}'),
            (INVALID, "spec.scopeSelector.matchExpressions.operator", 'Invalid value: "Bogus": not a valid selector operator'),
            (INVALID, "spec.scopeSelector.matchExpressions.scopeName", 'Invalid value: "Bar": unsupported scope'),
            (INVALID, "spec.scopeSelector.matchExpressions.values",
             "Invalid value: [\"x\"]: must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"),
            (INVALID, "spec.scopes", 'Invalid value: ["Foo"]: unsupported scope'),
        ]),
    ),
    (
        "hugepages and a name with two slashes",
        _quota("bad6", {"requests.hugepages-2Mi": "1", "hugepages-1Gi": "-1", "services.loadbalancers": "0.5",
                        "a/b/c": "1"}),
        [
            (INVALID, "spec.hard[a/b/c]",
             "Invalid value: \"a/b/c\": a valid label key must consist of alphanumeric characters, '-', '_' or '.', and "
             "must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
             "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain "
             "prefix and '/' (e.g. 'example.com/MyName')"),
            (INVALID, "spec.hard[hugepages-1Gi]", 'Invalid value: "-1": must be greater than or equal to 0'),
            (INVALID, "spec.hard[services.loadbalancers]", 'Invalid value: "500m": must be an integer'),
        ],
    ),
    (
        "the PriorityClass scope does not conflict",
        _quota("bad7", {"pods": "1"}, scopes=["Terminating", "NotTerminating", "PriorityClass"]),
        [(INVALID, "spec.scopes", 'Invalid value: ["Terminating","NotTerminating","PriorityClass"]: conflicting scopes')],
    ),
]


@pytest.mark.parametrize(("body", "want"), [(b, w) for _, b, w in CASES], ids=[c[0] for c in CASES])
def test_validation_causes_are_the_real_servers(body: Obj, want: list[tuple[str, str, str]]) -> None:
    assert _causes(_api(), body) == want


def test_a_single_cause_message_names_the_selector_struct() -> None:
    api = _api()
    with pytest.raises(ApiError) as excinfo:
        api.create(RQ, _quota("bad4", {"cpu": "1"}, scopeSelector={
            "matchExpressions": [{"scopeName": "BestEffort", "operator": "Exists"}]}), NS)
    assert excinfo.value.message == (
        'ResourceQuota "bad4" is invalid: spec.scopeSelector.matchExpressions: Invalid value: '
        '{"MatchExpressions":[{"ScopeName":"BestEffort","Operator":"Exists","Values":null}]}: '
        "unsupported scope applied to resource"
    )


def test_scopes_are_immutable_and_spec_writes_keep_the_status() -> None:
    api = _api()
    _synced(api, "scoped", {"pods": "5"}, scopes=["NotTerminating"])
    with pytest.raises(ApiError) as excinfo:
        api.patch(RQ, "scoped", {"spec": {"scopes": ["Terminating"]}}, "merge", NS)
    assert excinfo.value.message == (
        'ResourceQuota "scoped" is invalid: spec.scopes: Invalid value: ["Terminating"]: field is immutable'
    )
    patched = api.patch(RQ, "scoped", {"spec": {"hard": {"pods": "7", "cpu": "1"}}, "status": {"used": {}}}, "merge", NS)
    assert patched["spec"] == {"hard": {"cpu": "1", "pods": "7"}, "scopes": ["NotTerminating"]}
    assert patched["status"] == {"hard": {"pods": "5"}, "used": {"pods": "0"}}


def test_status_writes_are_validated_and_keep_the_spec() -> None:
    api = _api()
    _synced(api, "num", {"cpu": "1500m"})
    with pytest.raises(ApiError) as excinfo:
        api.patch(RQ, "num", {"status": {"used": {"foo": "1", "pods": "-1"}}}, "merge", NS, subresource="status")
    assert sorted(c["message"] for c in excinfo.value.status["details"]["causes"]) == [
        'Invalid value: "-1": must be greater than or equal to 0',
        'Invalid value: "foo": must be a standard resource for quota',
        'Invalid value: "foo": must be a standard resource type or fully qualified',
    ]
    q = api.patch(RQ, "num", {"spec": {"hard": {"cpu": "9"}}, "status": {"hard": {"cpu": "0.25"}}}, "merge", NS,
                  subresource="status")
    assert (q["spec"], q["status"]["hard"]) == ({"hard": {"cpu": "1500m"}}, {"cpu": "250m"})


def test_the_table_is_name_request_limit_age_with_used_over_hard() -> None:
    api = _api()
    q = _synced(api, "q1", {"cpu": "500m", "memory": "1Gi", "pods": "3", "count/replicasets.apps": "2", "limits.cpu": "2"})
    table = tables.to_table(api.info(RQ), [q], api.clock.now(), strategy=api.registry.strategy(api.info(RQ)))
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Request", "Limit", "Age"]
    assert table["rows"][0]["cells"][:3] == [
        "q1", "count/replicasets.apps: 0/2, cpu: 0/500m, memory: 0/1Gi, pods: 0/3", "limits.cpu: 0/2",
    ]


# --------------------------------------------------------------------------- quantities


@pytest.mark.parametrize(
    ("parts", "want"),
    [
        (("0", "252Mi"), "252Mi"),  # a zero takes the other's format (Quantity.Add)
        (("252Mi", "1060Mi"), "1312Mi"),
        (("100m", "0.3"), "400m"),
        (("1Gi", "1000"), "1073742824"),  # binary, but no binary suffix divides it
        (("1e3", "1"), "1001"),
        (("2Ki", "-2Ki"), "0"),
    ],
)
def test_sums_print_as_go_prints_them(parts: tuple[str, str], want: str) -> None:
    total = Quantity(parse(parts[0]).value, parse(parts[0]).fmt).add(parse(parts[1]))
    assert str(total) == want


def test_format_of_a_fraction() -> None:
    assert format_quantity(parse("1.5").value, "DecimalSI") == "1500m"


# --------------------------------------------------------------------------- admission


Q1 = {"cpu": "500m", "memory": "1Gi", "pods": "3", "count/replicasets.apps": "2", "limits.cpu": "2"}


def test_a_quota_the_controller_has_not_synced_constrains_nothing() -> None:
    api = _api()
    api.create(RQ, _quota("q1", {"pods": "0"}), NS)
    api.create("pods", _pod("p", _c()), NS)  # status.hard is empty: the quota matches nothing yet
    assert api.get(RQ, "q1", NS)["status"] == {}


@pytest.mark.parametrize(
    ("pod", "message"),
    [
        (_pod("p-none", _c()),
         'pods "p-none" is forbidden: failed quota: q1: must specify cpu for: c; limits.cpu for: c; memory for: c'),
        (_pod("p-part", _c("a", {"cpu": "100m"}), _c("b", {"memory": "1Mi"}),
              initContainers=[_c("i", {"cpu": "1m", "memory": "1Mi"})]),
         'pods "p-part" is forbidden: failed quota: q1: must specify cpu for: b; limits.cpu for: a,b,i; memory for: a'),
        (_pod("p-nolim", _c("a", {"cpu": "100m", "memory": "10Mi"})),
         'pods "p-nolim" is forbidden: failed quota: q1: must specify limits.cpu for: a'),
        (_pod("p-big", _c("a", {"cpu": "600m", "memory": "10Mi"}, {"cpu": "1"})),
         'pods "p-big" is forbidden: exceeded quota: q1, requested: cpu=600m, used: cpu=0, limited: cpu=500m'),
    ],
    ids=["nothing-set", "partly-set", "no-limit", "too-big"],
)
def test_pods_refused_with_the_real_servers_messages(pod: Obj, message: str) -> None:
    api = _api()
    _synced(api, "q1", Q1)
    assert _forbidden(api, "pods", pod) == message
    assert set(_used(api, "q1").values()) == {"0"}  # a refusal charges nothing


def test_admission_charges_usage_so_back_to_back_creates_cannot_both_pass() -> None:
    api = _api()
    _synced(api, "q1", Q1)
    api.create("pods", _pod("p-fit", _c("a", {"cpu": "300m", "memory": "252Mi"}, {"cpu": "1"})), NS)
    assert _used(api, "q1") == {
        "count/replicasets.apps": "0", "cpu": "300m", "limits.cpu": "1", "memory": "252Mi", "pods": "1",
    }
    assert _forbidden(api, "pods", _pod("p-over", _c("a", {"cpu": "300m", "memory": "100Mi"}, {"cpu": "1"}))) == (
        'pods "p-over" is forbidden: exceeded quota: q1, requested: cpu=300m, used: cpu=300m, limited: cpu=500m'
    )
    # several resources over at once, sorted by name; a pod's requests are its containers' sum
    two = _pod("p-mem", _c("a", {"cpu": "100m", "memory": "800Mi"}, {"cpu": "1"}),
               _c("b", {"cpu": "50m", "memory": "0.5Gi"}, {"cpu": "500m"}))
    assert _forbidden(api, "pods", two) == (
        'pods "p-mem" is forbidden: exceeded quota: q1, requested: limits.cpu=1500m,memory=1312Mi, '
        "used: limits.cpu=1,memory=252Mi, limited: limits.cpu=2,memory=1Gi"
    )


def test_a_dry_run_is_checked_but_not_charged() -> None:
    api = _api()
    _synced(api, "q1", Q1)
    api.create("pods", _pod("p-dry", _c("a", {"cpu": "100m", "memory": "1Mi"}, {"cpu": "100m"})), NS, dry_run=True)
    assert _used(api, "q1")["pods"] == "0"


def test_sidecars_count_in_the_pods_usage() -> None:
    api = _api()
    _synced(api, "q1", Q1, used={**dict.fromkeys(Q1, "0"), "limits.cpu": "1"})
    pod = _pod("p-side", _c("a", {"cpu": "100m", "memory": "1Mi"}, {"cpu": "100m"}), initContainers=[
        _c("s", {"cpu": "50m", "memory": "2Mi"}, {"cpu": "50m"}, restartPolicy="Always"),
        _c("i", {"cpu": "150m", "memory": "1Mi"}, {"cpu": "1"})])
    # max(100m + 50m, 50m + 1) = 1050m of limits: the init container beside the sidecar
    assert _forbidden(api, "pods", pod) == (
        'pods "p-side" is forbidden: exceeded quota: q1, requested: limits.cpu=1050m, used: limits.cpu=1, '
        "limited: limits.cpu=2"
    )


def test_object_counts_and_their_legacy_names() -> None:
    api = _api()
    _synced(api, "count", {"configmaps": "1", "count/replicasets.apps": "0", "resourcequotas": "1"},
            used={"configmaps": "1", "count/replicasets.apps": "0", "resourcequotas": "1"})
    assert _forbidden(api, "configmaps", {"metadata": {"name": "cm2"}}) == (
        'configmaps "cm2" is forbidden: exceeded quota: count, requested: configmaps=1, used: configmaps=1, '
        "limited: configmaps=1"
    )
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs2"}, "spec": {
        "replicas": 0, "selector": {"matchLabels": {"a": "b"}},
        "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [_c()]}}}}
    assert _forbidden(api, "replicasets", rs) == (
        'replicasets.apps "rs2" is forbidden: exceeded quota: count, requested: count/replicasets.apps=1, '
        "used: count/replicasets.apps=0, limited: count/replicasets.apps=0"
    )
    assert _forbidden(api, RQ, _quota("second", {"pods": "1"})) == (
        'resourcequotas "second" is forbidden: exceeded quota: count, requested: resourcequotas=1, '
        "used: resourcequotas=1, limited: resourcequotas=1"
    )
    api.create("secrets", {"metadata": {"name": "s"}}, NS)  # not counted: nothing to check


def test_services_count_node_ports_per_port_and_type_changes_are_charged() -> None:
    api = _api()
    _synced(api, "svc", {"services": "3", "services.nodeports": "2", "services.loadbalancers": "1"})

    def svc(name: str, stype: str, ports: int = 1) -> Obj:
        return {"metadata": {"name": name}, "spec": {"type": stype, "ports": [
            {"name": f"p{i}", "port": 80 + i} for i in range(ports)]}}

    api.create("services", svc("s1", "ClusterIP"), NS)
    assert _forbidden(api, "services", svc("s2", "NodePort", 3)) == (
        'services "s2" is forbidden: exceeded quota: svc, requested: services.nodeports=3, used: services.nodeports=0, '
        "limited: services.nodeports=2"
    )
    api.create("services", svc("s3", "NodePort"), NS)
    api.create("services", svc("s4", "LoadBalancer"), NS)  # a load balancer's ports are node ports too
    assert _used(api, "svc") == {"services": "3", "services.loadbalancers": "1", "services.nodeports": "2"}
    with pytest.raises(ApiError) as excinfo:
        api.patch("services", "s1", {"spec": {"type": "NodePort"}}, "merge", NS)
    assert excinfo.value.message == (
        'services "s1" is forbidden: exceeded quota: svc, requested: services.nodeports=1, used: services.nodeports=2, '
        "limited: services.nodeports=2"
    )


def test_a_refused_service_gives_back_what_it_was_allocated() -> None:
    api = _api()
    _synced(api, "none", {"services": "0"})
    body = {"metadata": {"name": "np"}, "spec": {"type": "NodePort", "ports": [{"port": 80, "nodePort": 30080}]}}
    assert "exceeded quota: none" in _forbidden(api, "services", body)
    api.create("namespaces", {"metadata": {"name": "free"}})
    assert api.create("services", body, "free")["spec"]["ports"][0]["nodePort"] == 30080


@pytest.mark.parametrize(
    ("pod", "refused_by"),
    [
        (_pod("be", _c()), "be"),
        (_pod("bu", _c("a", {"cpu": "100m"}, {"memory": "100Mi"})), "nbe"),
        (_pod("t", _c("a", {"cpu": "100m"}, {"cpu": "200m", "memory": "1Mi"}), activeDeadlineSeconds=60), "term"),
        (_pod("x", _c("a", {"cpu": "10m"}, {"memory": "10Mi"}), affinity={"podAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": {"a": "b"}}, "topologyKey": "zone", "namespaces": ["other"]}]}}),
         "xns"),
    ],
    ids=["BestEffort", "NotBestEffort+NotTerminating", "Terminating-selector", "CrossNamespacePodAffinity"],
)
def test_scoped_quotas_count_only_the_pods_their_scopes_match(pod: Obj, refused_by: str) -> None:
    api = _api()
    full = {"pods": "0"}
    _synced(api, "be", {"pods": "0"} if refused_by == "be" else {"pods": "9"}, scopes=["BestEffort"])
    _synced(api, "nbe", full if refused_by == "nbe" else {"pods": "9"}, scopes=["NotBestEffort", "NotTerminating"])
    _synced(api, "term", full if refused_by == "term" else {"pods": "9"},
            scopeSelector={"matchExpressions": [{"scopeName": "Terminating", "operator": "Exists"}]})
    _synced(api, "xns", full if refused_by == "xns" else {"pods": "9"},
            scopeSelector={"matchExpressions": [{"scopeName": "CrossNamespacePodAffinity", "operator": "Exists"}]})
    assert _forbidden(api, "pods", pod).endswith(
        f"exceeded quota: {refused_by}, requested: pods=1, used: pods=0, limited: pods=0"
    )


def test_priority_class_selector() -> None:
    api = _api()
    _synced(api, "gold", {"pods": "0"}, scopeSelector={"matchExpressions": [
        {"scopeName": "PriorityClass", "operator": "In", "values": ["gold"]}]})
    _synced(api, "unnamed", {"pods": "1"}, scopeSelector={"matchExpressions": [
        {"scopeName": "PriorityClass", "operator": "DoesNotExist"}]})
    api.create("pods", _pod("plain", _c()), NS)
    assert _used(api, "unnamed") == {"pods": "1"} and _used(api, "gold") == {"pods": "0"}


def test_status_unknown_when_used_lacks_a_constrained_resource() -> None:
    api = _api()
    _synced(api, "q", {"pods": "3", "cpu": "1"}, used={"pods": "0"})
    assert _forbidden(api, "pods", _pod("p", _c("a", {"cpu": "1m"}))) == (
        'pods "p" is forbidden: status unknown for quota: q, resources: cpu,pods'
    )


def test_a_pod_turning_terminating_moves_between_scoped_quotas() -> None:
    api = _api()
    _synced(api, "term", {"pods": "1"}, scopes=["Terminating"])
    _synced(api, "long", {"pods": "1"}, scopes=["NotTerminating"])
    api.create("pods", _pod("p", _c()), NS)
    assert (_used(api, "term"), _used(api, "long")) == ({"pods": "0"}, {"pods": "1"})
    api.patch("pods", "p", {"spec": {"activeDeadlineSeconds": 60}}, "merge", NS)
    # admission charges the quota the pod now matches; the one it left is the controller's to release
    assert (_used(api, "term"), _used(api, "long")) == ({"pods": "1"}, {"pods": "1"})
