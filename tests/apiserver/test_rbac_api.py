"""rbac.authorization.k8s.io/v1 through the API server: Roles, ClusterRoles and their bindings are
defaulted, validated, printed and bootstrapped as kube-apiserver v1.36.3 does
(``pkg/apis/rbac``, ``pkg/registry/rbac``, ``plugin/pkg/auth/authorizer/rbac/bootstrappolicy``).

The expected causes were read from a real v1.36.3 server answering the same requests."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.apiserver import REGISTRY, ApiError, APIServer, tables
from reference_impl.apiserver.registry import _rbac_bootstrap, rbac
from reference_impl.apiserver.validation import Errors
from reference_impl.sim import EventLoop, SeededRandom
from reference_impl.store import MemoryStore

Obj = dict[str, Any]

G = "rbac.authorization.k8s.io"
GV = f"{G}/v1"
ROLES, CROLES = f"{GV}/roles", f"{GV}/clusterroles"
RBS, CRBS = f"{GV}/rolebindings", f"{GV}/clusterrolebindings"

LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
    "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex "
    "used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
NAME_PART_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
POD_RULE = {"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}


def _api() -> APIServer:
    return APIServer(MemoryStore(), EventLoop(), SeededRandom(1))


def _causes(excinfo: pytest.ExceptionInfo[ApiError]) -> list[tuple[str, str, str]]:
    assert excinfo.value.code == 422
    return [(c["reason"], c["field"], c["message"]) for c in excinfo.value.status["details"]["causes"]]


def _req(field: str, detail: str = "") -> tuple[str, str, str]:
    return ("FieldValueRequired", field, "Required value" + (f": {detail}" if detail else ""))


def _inv(field: str, value: str, detail: str) -> tuple[str, str, str]:
    return ("FieldValueInvalid", field, f"Invalid value: {value}: {detail}")


def _nsup(field: str, value: str, supported: str) -> tuple[str, str, str]:
    return ("FieldValueNotSupported", field, f'Unsupported value: "{value}": supported values: {supported}')


# --------------------------------------------------------------------------- discovery facts


def test_the_group_serves_four_resources_without_short_names_or_categories() -> None:
    for plural, namespaced in (("roles", True), ("rolebindings", True), ("clusterroles", False),
                               ("clusterrolebindings", False)):
        info = REGISTRY.lookup(f"{GV}/{plural}")
        assert info is not None and info.namespaced is namespaced
        assert info.short_names == () and info.categories == () and info.subresources == ()
    assert [s.info.plural for s in rbac.STRATEGIES] == ["clusterrolebindings", "clusterroles", "rolebindings", "roles"]


# --------------------------------------------------------------------------- bootstrap policy


def test_a_fresh_server_holds_the_bootstrap_policy_of_the_real_one() -> None:
    api = _api()
    counts = [len(api.list(r)["items"]) for r in (CROLES, CRBS, ROLES, RBS)]
    assert counts == [69, 50, 7, 7]
    admin = api.get(CROLES, "cluster-admin")
    assert admin["rules"] == [
        {"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]},
    ]
    assert admin["metadata"]["labels"] == {"kubernetes.io/bootstrapping": "rbac-defaults"}
    assert admin["metadata"]["annotations"] == {"rbac.authorization.kubernetes.io/autoupdate": "true"}
    binding = api.get(CRBS, "system:basic-user")
    assert binding["subjects"] == [{"apiGroup": G, "kind": "Group", "name": "system:authenticated"}]
    assert {r["metadata"]["namespace"] for r in api.list(ROLES)["items"]} == {"kube-system", "kube-public"}
    assert api.get(ROLES, "system:controller:bootstrap-signer", "kube-public")["rules"]


def test_the_aggregating_bootstrap_roles_start_empty_for_the_controller_to_fill() -> None:
    api = _api()
    for name in ("admin", "edit", "view"):
        role = api.get(CROLES, name)
        assert role["rules"] is None and role["aggregationRule"]["clusterRoleSelectors"]


def test_the_bootstrap_data_is_server_set_metadata_free() -> None:
    for group in (_rbac_bootstrap.CLUSTER_ROLES, _rbac_bootstrap.CLUSTER_ROLE_BINDINGS,
                  _rbac_bootstrap.ROLES, _rbac_bootstrap.ROLE_BINDINGS):
        for obj in group:
            assert not {"uid", "resourceVersion", "creationTimestamp", "managedFields"} & set(obj["metadata"])
            assert obj["metadata"]["labels"]["kubernetes.io/bootstrapping"] == "rbac-defaults"


def test_a_changed_bootstrap_object_is_left_as_changed_on_restart() -> None:
    store, loop = MemoryStore(), EventLoop()
    api = APIServer(store, loop, SeededRandom(1))
    api.delete(CRBS, "system:basic-user")
    edited = api.get(CROLES, "system:discovery")
    edited["rules"] = [POD_RULE]
    api.update(CROLES, edited)
    again = APIServer(store, loop, SeededRandom(2))
    assert again.get(CROLES, "system:discovery")["rules"] == [POD_RULE]
    assert again.get(CRBS, "system:basic-user")["roleRef"]["name"] == "system:basic-user"  # absent: created


# --------------------------------------------------------------------------- defaults


def test_bindings_default_the_role_ref_and_subject_api_groups() -> None:
    api = _api()
    rb = api.create(RBS, {
        "metadata": {"name": "rb"}, "roleRef": {"kind": "Role", "name": "r"},
        "subjects": [{"kind": "User", "name": "alice"}, {"kind": "Group", "name": "devs"},
                     {"kind": "ServiceAccount", "name": "default", "apiGroup": "", "namespace": ""}],
    }, "default")
    assert rb["roleRef"] == {"apiGroup": G, "kind": "Role", "name": "r"}
    assert rb["subjects"] == [
        {"kind": "User", "name": "alice", "apiGroup": G}, {"kind": "Group", "name": "devs", "apiGroup": G},
        {"kind": "ServiceAccount", "name": "default"},
    ]
    assert "subjects" not in api.create(RBS, {"metadata": {"name": "none"}, "roleRef": {"kind": "Role", "name": "r"},
                                              "subjects": []}, "default")


@pytest.mark.parametrize("rules", [None, [], "absent"])
def test_a_role_without_rules_stores_null(rules: Any) -> None:
    body: Obj = {"metadata": {"name": "r"}}
    if rules != "absent":
        body["rules"] = rules
    assert _api().create(ROLES, body, "default")["rules"] is None


def test_a_rules_empty_optional_lists_are_dropped() -> None:
    role = _api().create(ROLES, {"metadata": {"name": "r"}, "rules": [
        {**POD_RULE, "resourceNames": [], "nonResourceURLs": []},
    ]}, "default")
    assert role["rules"] == [POD_RULE]


# --------------------------------------------------------------------------- validation on create

CREATE_CASES: list[tuple[str, str, Obj, list[tuple[str, str, str]]]] = [
    ("role without verbs", ROLES, {"rules": [{"apiGroups": [""], "resources": ["pods"]}]},
     [_req("rules[0].verbs", "verbs must contain at least one value")]),
    ("role with an empty rule", ROLES, {"rules": [{}]}, [
        _req("rules[0].verbs", "verbs must contain at least one value"),
        _req("rules[0].apiGroups", "resource rules must supply at least one api group"),
        _req("rules[0].resources", "resource rules must supply at least one resource"),
    ]),
    ("role with non-resource URLs", ROLES, {"rules": [{"verbs": ["get"], "nonResourceURLs": ["/healthz"]}]},
     [_inv("rules[0].nonResourceURLs", '["/healthz"]', "namespaced rules cannot apply to non-resource URLs")]),
    ("role with URLs and resources", ROLES, {"rules": [{**POD_RULE, "nonResourceURLs": ["/a", "/b<"]}]}, [
        _inv("rules[0].nonResourceURLs", '["/a","/b\\u003c"]', "namespaced rules cannot apply to non-resource URLs"),
        _inv("rules[0].nonResourceURLs", '["/a","/b\\u003c"]',
             "rules cannot apply to both regular resources and non-resource URLs"),
    ]),
    ("cluster role with URLs and resourceNames", CROLES,
     {"rules": [{"verbs": ["get"], "resourceNames": ["x"], "nonResourceURLs": ["/healthz"]}]},
     [_inv("rules[0].nonResourceURLs", '["/healthz"]', "rules cannot apply to both regular resources and non-resource URLs")]),
    ("cluster role with an empty aggregation rule", CROLES, {"aggregationRule": {}},
     [_req("aggregationRule.clusterRoleSelectors", "at least one clusterRoleSelector required if aggregationRule is non-nil")]),
    ("cluster role with bad selectors", CROLES, {"aggregationRule": {"clusterRoleSelectors": [
        {"matchLabels": {"a": "-"}},
        {"matchExpressions": [{"key": "-k", "operator": "NotIn", "values": []}]},
        {"matchExpressions": [{"key": "a", "operator": "Foo"}]},
        {"matchExpressions": [{"key": "a", "operator": "In", "values": ["b c"]}]},
    ]}}, [
        _inv("aggregationRule.clusterRoleSelectors[0].matchLabels", '"-"', LABEL_VALUE_MSG),
        _inv("aggregationRule.clusterRoleSelectors[0]", "null", "invalid label selector."),
        _req("aggregationRule.clusterRoleSelectors[1].matchExpressions[0].values",
             "must be specified when `operator` is 'In' or 'NotIn'"),
        _inv("aggregationRule.clusterRoleSelectors[1].matchExpressions[0].key", '"-k"', NAME_PART_MSG),
        _inv("aggregationRule.clusterRoleSelectors[1]", "null", "invalid label selector."),
        _inv("aggregationRule.clusterRoleSelectors[2].matchExpressions[0].operator", '"Foo"', "not a valid selector operator"),
        _inv("aggregationRule.clusterRoleSelectors[2]", "null", "invalid label selector."),
        _inv("aggregationRule.clusterRoleSelectors[3].matchExpressions[0].values[0]", '"b c"', LABEL_VALUE_MSG),
        _inv("aggregationRule.clusterRoleSelectors[3]", "null", "invalid label selector."),
    ]),
    ("binding with a bad role ref", RBS, {"roleRef": {"apiGroup": "x", "kind": "", "name": ".."}}, [
        _nsup("roleRef.apiGroup", "x", f'"{G}"'),
        _nsup("roleRef.kind", "", '"Role", "ClusterRole"'),
        _inv("roleRef.name", '".."', "may not be '..'"),
    ]),
    ("binding without a role ref", RBS, {}, [_nsup("roleRef.kind", "", '"Role", "ClusterRole"'), _req("roleRef.name")]),
    ("binding with bad subjects", RBS, {"roleRef": {"kind": "ClusterRole", "name": "view"}, "subjects": [
        {"kind": "ServiceAccount", "name": "Bad_Name", "apiGroup": G}, {"kind": "Robot", "name": "r"},
        {"kind": "User", "name": "u", "apiGroup": "v1"}, {"kind": "Group"}, {"name": "x"},
    ]}, [
        _inv("subjects[0].name", '"Bad_Name"', SUBDOMAIN_MSG),
        _nsup("subjects[0].apiGroup", G, '""'),
        _nsup("subjects[1].kind", "Robot", '"ServiceAccount", "User", "Group"'),
        _nsup("subjects[2].apiGroup", "v1", f'"{G}"'),
        _req("subjects[3].name"),
        _nsup("subjects[4].kind", "", '"ServiceAccount", "User", "Group"'),
    ]),
    ("cluster binding to a Role, a service account without namespace", CRBS,
     {"roleRef": {"kind": "Role", "name": "r"}, "subjects": [{"kind": "ServiceAccount", "name": "s"}]},
     [_nsup("roleRef.kind", "Role", '"ClusterRole"'), _req("subjects[0].namespace")]),
]


@pytest.mark.parametrize(("resource", "body", "expected"), [c[1:] for c in CREATE_CASES], ids=[c[0] for c in CREATE_CASES])
def test_create_validation_matches_the_real_server(resource: str, body: Obj, expected: list[tuple[str, str, str]]) -> None:
    namespace = "default" if resource in (ROLES, RBS) else None
    with pytest.raises(ApiError) as bad:
        _api().create(resource, {"metadata": {"name": "x"}, **body}, namespace)
    assert _causes(bad) == expected


@pytest.mark.parametrize(("name", "expected"), [
    ("..", [_inv("metadata.name", '".."', "may not be '..'")]),
    ("a/%b", [_inv("metadata.name", '"a/%b"', "may not contain '/'"), _inv("metadata.name", '"a/%b"', "may not contain '%'")]),
])
def test_names_are_path_segments(name: str, expected: list[tuple[str, str, str]]) -> None:
    with pytest.raises(ApiError) as bad:
        _api().create(ROLES, {"metadata": {"name": name}}, "default")
    assert _causes(bad) == expected


@pytest.mark.parametrize("name", ["system:controller:x", "Upper_Case.x", "system::leader-locking"])
def test_names_need_not_be_dns_subdomains(name: str) -> None:
    api = _api()
    assert api.create(ROLES, {"metadata": {"name": name}, "rules": [POD_RULE]}, "default")["metadata"]["name"] == name
    assert api.create(CRBS, {"metadata": {"name": name}, "roleRef": {"kind": "ClusterRole", "name": name}})


def test_a_generate_name_is_a_path_segment_prefix() -> None:
    api = _api()
    assert api.create(ROLES, {"metadata": {"generateName": "gen:"}}, "default")["metadata"]["name"].startswith("gen:")
    with pytest.raises(ApiError) as bad:
        api.create(ROLES, {"metadata": {"generateName": "gen/"}}, "default")
    [generate, name] = _causes(bad)
    assert generate == _inv("metadata.generateName", '"gen/"', "may not contain '/'")
    assert name[1] == "metadata.name" and name[2].endswith(": may not contain '/'")


# --------------------------------------------------------------------------- validation on update


def test_a_bindings_role_ref_is_immutable_and_its_subjects_are_not() -> None:
    api = _api()
    rb = api.create(RBS, {"metadata": {"name": "rb"}, "roleRef": {"kind": "Role", "name": "r1"}}, "default")
    rb["subjects"] = [{"kind": "User", "name": "bob"}]
    rb["roleRef"] = {"kind": "Role", "name": "r1"}  # the defaulted apiGroup is no change
    assert api.update(RBS, rb, "default")["subjects"] == [{"kind": "User", "name": "bob", "apiGroup": G}]
    with pytest.raises(ApiError) as bad:
        api.patch(RBS, "rb", {"roleRef": {"name": "r2"}}, "merge", "default")
    assert _causes(bad) == [_inv("roleRef", f'{{"APIGroup":"{G}","Kind":"Role","Name":"r2"}}', "cannot change roleRef")]


def test_an_update_reports_a_bad_label_four_times_as_upstream() -> None:
    """``rest.BeforeUpdate``'s common-field check (object meta, then its update) and the
    strategy's ``ValidateRoleUpdate`` (the new role, metadata first, then the metadata update)."""
    api = _api()
    role = api.create(ROLES, {"metadata": {"name": "r"}, "rules": [POD_RULE]}, "default")
    role["metadata"]["labels"] = {"k": "-v"}
    role["rules"] = [{**POD_RULE, "resources": []}]
    with pytest.raises(ApiError) as bad:
        api.update(ROLES, role, "default")
    label = _inv("metadata.labels", '"-v"', LABEL_VALUE_MSG)
    assert _causes(bad) == [
        label, label, label, _req("rules[0].resources", "resource rules must supply at least one resource"), label,
    ]


def test_a_cluster_binding_update_checks_the_role_ref_after_the_metadata() -> None:
    api = _api()
    crb = api.create(CRBS, {"metadata": {"name": "b"}, "roleRef": {"kind": "ClusterRole", "name": "view"}})
    crb["roleRef"] = {"apiGroup": "x", "kind": "ClusterRole", "name": "view"}
    with pytest.raises(ApiError) as bad:
        api.update(CRBS, crb)
    assert _causes(bad) == [
        _nsup("roleRef.apiGroup", "x", f'"{G}"'),
        _inv("roleRef", '{"APIGroup":"x","Kind":"ClusterRole","Name":"view"}', "cannot change roleRef"),
    ]


def test_invalid_selector_values_are_allowed_on_update_when_stored_before() -> None:
    """The strategy's ``hasInvalidLabelValueInLabelSelector``: a role stored with an invalid value
    (as an older server allowed) stays updatable; only the conversion check still reports it."""
    api = _api()
    api.create(CROLES, {"metadata": {"name": "agg"}, "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"a": "b"}}]}})
    old = api.get(CROLES, "agg")
    bad_selector = [{"matchExpressions": [{"key": "a", "operator": "In", "values": ["b c"]}]}]
    stored_bad = {**old, "aggregationRule": {"clusterRoleSelectors": bad_selector}}
    new = {**stored_bad, "rules": [POD_RULE]}
    errs = Errors()
    rbac._validate_cluster_role_update(errs, new, stored_bad)
    assert [(c["field"], c["message"]) for c in errs.causes] == [
        ("aggregationRule.clusterRoleSelectors[0]", "Invalid value: null: invalid label selector."),
    ]
    errs = Errors()
    rbac._validate_cluster_role_update(errs, new, old)
    assert [c["field"] for c in errs.causes] == [
        "aggregationRule.clusterRoleSelectors[0].matchExpressions[0].values[0]", "aggregationRule.clusterRoleSelectors[0]",
    ]


# --------------------------------------------------------------------------- printers


def test_roles_print_the_default_table_and_bindings_their_subjects() -> None:
    api = _api()
    role_info, rb_info = api.info(ROLES), api.info(RBS)
    role = api.create(ROLES, {"metadata": {"name": "r"}}, "default")
    table = tables.to_table(role_info, [role], 0.0, strategy=api.registry.strategy(role_info))
    assert [(c["name"], c["type"]) for c in table["columnDefinitions"]] == [("Name", "string"), ("Created At", "date")]
    assert table["rows"][0]["cells"] == ["r", role["metadata"]["creationTimestamp"]]
    rb = api.create(RBS, {"metadata": {"name": "rb"}, "roleRef": {"kind": "ClusterRole", "name": "view"}, "subjects": [
        {"kind": "User", "name": "u1"}, {"kind": "User", "name": "u2"}, {"kind": "Group", "name": "g"},
        {"kind": "ServiceAccount", "name": "sa", "namespace": "ns"},
    ]}, "default")
    table = tables.to_table(rb_info, [rb], 0.0, strategy=api.registry.strategy(rb_info))
    assert [(c["name"], c["priority"]) for c in table["columnDefinitions"]] == [
        ("Name", 0), ("Role", 0), ("Age", 0), ("Users", 1), ("Groups", 1), ("ServiceAccounts", 1),
    ]
    assert table["rows"][0]["cells"] == ["rb", "ClusterRole/view", "0s", "u1, u2", "g", "ns/sa"]


def test_subjects_of_other_kinds_are_not_printed() -> None:
    assert rbac.subjects_strings([{"kind": "Robot", "name": "r", "namespace": "n"}]) == ([], [], [], ["Robot/n/r"])
