"""admissionregistration.k8s.io/v1 through the API server: the webhook configurations and the
admission policies and bindings are defaulted, validated, generation-bumped and printed as
kube-apiserver v1.36 does (``pkg/apis/admissionregistration``, ``pkg/registry/admissionregistration``,
``pkg/printers/internalversion``)."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.apiserver import REGISTRY, ApiError, APIServer, tables
from reference_impl.apiserver._json import dumps, loads
from reference_impl.sim import EventLoop, SeededRandom
from reference_impl.store import MemoryStore

Obj = dict[str, Any]

GV = "admissionregistration.k8s.io/v1"
VWC = f"{GV}/validatingwebhookconfigurations"
MWC = f"{GV}/mutatingwebhookconfigurations"
VAP = f"{GV}/validatingadmissionpolicies"
VAPB = f"{GV}/validatingadmissionpolicybindings"
MAP = f"{GV}/mutatingadmissionpolicies"
MAPB = f"{GV}/mutatingadmissionpolicybindings"

DEPLOYMENTS_RULE: Obj = {"operations": ["CREATE"], "apiGroups": ["apps"], "apiVersions": ["v1"], "resources": ["deployments"]}


def _api() -> APIServer:
    return APIServer(MemoryStore(), EventLoop(), SeededRandom(1))


def _causes(excinfo: pytest.ExceptionInfo[ApiError]) -> list[Obj]:
    assert excinfo.value.code == 422
    causes: list[Obj] = excinfo.value.status["details"]["causes"]
    return causes


def _hook(name: str = "hook.example.com", **more: Any) -> Obj:
    hook: Obj = {
        "name": name,
        "clientConfig": {"service": {"namespace": "default", "name": "webhook"}},
        "rules": [dict(DEPLOYMENTS_RULE)],
        "sideEffects": "None",
        "admissionReviewVersions": ["v1"],
    }
    hook.update(more)
    return hook


def _vap(name: str = "replicas.example.com", **spec: Any) -> Obj:
    body: Obj = {
        "validations": [{"expression": "object.spec.replicas <= 100"}],
        "matchConstraints": {"resourceRules": [dict(DEPLOYMENTS_RULE)]},
    }
    body.update(spec)
    return {"metadata": {"name": name}, "spec": body}


def _map(name: str = "mutate.example.com", **spec: Any) -> Obj:
    body: Obj = {
        "reinvocationPolicy": "Never",
        "mutations": [
            {"patchType": "ApplyConfiguration", "applyConfiguration": {"expression": "Object{spec: Object.spec{replicas: 100}}"}}
        ],
        "matchConstraints": {"resourceRules": [dict(DEPLOYMENTS_RULE)]},
    }
    body.update(spec)
    return {"metadata": {"name": name}, "spec": body}


# --------------------------------------------------------------------------- registry


def test_the_group_serves_six_cluster_scoped_kinds_at_v1_with_the_policy_status() -> None:
    kinds = {}
    for plural in (VWC, MWC, VAP, VAPB, MAP, MAPB):
        info = REGISTRY.lookup(plural)
        assert info is not None and not info.namespaced and info.version == "v1"
        assert info.categories == ("api-extensions",)
        kinds[info.kind] = info.subresources
    assert kinds == {
        "ValidatingWebhookConfiguration": (),
        "MutatingWebhookConfiguration": (),
        "ValidatingAdmissionPolicy": ("status",),
        "ValidatingAdmissionPolicyBinding": (),
        "MutatingAdmissionPolicy": (),
        "MutatingAdmissionPolicyBinding": (),
    }


# --------------------------------------------------------------------------- webhook configurations


def test_a_validating_webhook_is_defaulted_and_starts_at_generation_one() -> None:
    api = _api()
    vwc = api.create(VWC, {"metadata": {"name": "vwc"}, "webhooks": [_hook()]})
    assert vwc["metadata"]["generation"] == 1
    hook = vwc["webhooks"][0]
    assert hook["failurePolicy"] == "Fail" and hook["matchPolicy"] == "Equivalent"
    assert hook["namespaceSelector"] == {} and hook["objectSelector"] == {}
    assert hook["timeoutSeconds"] == 10
    assert hook["clientConfig"]["service"]["port"] == 443
    assert hook["rules"][0]["scope"] == "*"
    assert "reinvocationPolicy" not in hook


def test_a_mutating_webhook_also_defaults_its_reinvocation_policy() -> None:
    api = _api()
    mwc = api.create(MWC, {"metadata": {"name": "mwc"}, "webhooks": [_hook(clientConfig={"url": "https://hook.example.com/m"})]})
    hook = mwc["webhooks"][0]
    assert hook["reinvocationPolicy"] == "Never" and hook["timeoutSeconds"] == 10
    assert hook["clientConfig"] == {"url": "https://hook.example.com/m"}


def test_webhook_names_must_be_qualified_and_unique() -> None:
    api = _api()
    with pytest.raises(ApiError) as bad:
        api.create(VWC, {"metadata": {"name": "vwc"}, "webhooks": [_hook("hook"), _hook("a.b.c"), _hook("a.b.c"), _hook("")]})
    assert _causes(bad) == [
        {
            "reason": "FieldValueInvalid",
            "message": 'Invalid value: "hook": should be a domain with at least three segments separated by dots',
            "field": "webhooks[0].name",
        },
        {"reason": "FieldValueDuplicate", "message": 'Duplicate value: "a.b.c"', "field": "webhooks[2].name"},
        {"reason": "FieldValueRequired", "message": "Required value", "field": "webhooks[3].name"},
    ]


def test_a_webhook_needs_review_versions_side_effects_and_exactly_one_client_config() -> None:
    api = _api()
    hook = _hook(clientConfig={}, admissionReviewVersions=[])
    del hook["sideEffects"]
    both = _hook("b.example.com", clientConfig={"url": "https://x.example.com", "service": {"namespace": "d", "name": "s"}})
    with pytest.raises(ApiError) as bad:
        api.create(MWC, {"metadata": {"name": "mwc"}, "webhooks": [hook, both]})
    assert _causes(bad) == [
        {
            "reason": "FieldValueRequired",
            "message": "Required value: must specify one of None, NoneOnDryRun",
            "field": "webhooks[0].sideEffects",
        },
        {
            "reason": "FieldValueRequired",
            "message": "Required value: exactly one of url or service is required",
            "field": "webhooks[0].clientConfig",
        },
        {
            "reason": "FieldValueRequired",
            "message": "Required value: must specify one of v1, v1beta1",
            "field": "webhooks[0].admissionReviewVersions",
        },
        {
            "reason": "FieldValueRequired",
            "message": "Required value: exactly one of url or service is required",
            "field": "webhooks[1].clientConfig",
        },
    ]


def test_webhook_side_effects_timeouts_urls_and_review_versions_are_checked() -> None:
    api = _api()
    hook = _hook(
        sideEffects="Some", timeoutSeconds=31, clientConfig={"url": "http://hook.example.com/?a=b"},
        admissionReviewVersions=["v2", "v2"],
    )
    with pytest.raises(ApiError) as bad:
        api.create(VWC, {"metadata": {"name": "vwc"}, "webhooks": [hook]})
    assert _causes(bad) == [
        {
            "reason": "FieldValueNotSupported",
            "message": 'Unsupported value: "Some": supported values: "None", "NoneOnDryRun"',
            "field": "webhooks[0].sideEffects",
        },
        {
            "reason": "FieldValueInvalid",
            "message": "Invalid value: 31: the timeout value must be between 1 and 30 seconds",
            "field": "webhooks[0].timeoutSeconds",
        },
        {
            "reason": "FieldValueInvalid",
            "message": "Invalid value: \"http\": 'https' is the only allowed URL scheme; desired format: https://host[/path]",
            "field": "webhooks[0].clientConfig.url",
        },
        {
            "reason": "FieldValueInvalid",
            "message": 'Invalid value: "a=b": query parameters are not permitted in the URL',
            "field": "webhooks[0].clientConfig.url",
        },
        {"reason": "FieldValueInvalid", "message": 'Invalid value: "v2": duplicate version', "field": "webhooks[0].admissionReviewVersions[1]"},
        {
            "reason": "FieldValueInvalid",
            "message": 'Invalid value: []string{"v2", "v2"}: must include at least one of v1, v1beta1',
            "field": "webhooks[0].admissionReviewVersions",
        },
    ]


def test_webhook_rules_need_operations_groups_versions_and_resources() -> None:
    api = _api()
    with pytest.raises(ApiError) as bad:
        api.create(
            VWC,
            {"metadata": {"name": "vwc"}, "webhooks": [_hook(rules=[{}, {**DEPLOYMENTS_RULE, "operations": ["PATCH"], "scope": "Everywhere"}])]},
        )
    assert _causes(bad) == [
        {"reason": "FieldValueRequired", "message": "Required value", "field": "webhooks[0].rules[0].operations"},
        {"reason": "FieldValueRequired", "message": "Required value", "field": "webhooks[0].rules[0].apiGroups"},
        {"reason": "FieldValueRequired", "message": "Required value", "field": "webhooks[0].rules[0].apiVersions"},
        {"reason": "FieldValueRequired", "message": "Required value", "field": "webhooks[0].rules[0].resources"},
        {
            "reason": "FieldValueNotSupported",
            "message": 'Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"',
            "field": "webhooks[0].rules[1].operations[0]",
        },
        {
            "reason": "FieldValueNotSupported",
            "message": 'Unsupported value: "Everywhere": supported values: "*", "Cluster", "Namespaced"',
            "field": "webhooks[0].rules[1].scope",
        },
    ]


def test_a_webhooks_change_bumps_the_generation_and_a_label_does_not() -> None:
    api = _api()
    api.create(VWC, {"metadata": {"name": "vwc"}, "webhooks": [_hook()]})
    labelled = api.patch(VWC, "vwc", {"metadata": {"labels": {"a": "b"}}}, "merge")
    assert labelled["metadata"]["generation"] == 1
    changed = api.patch(VWC, "vwc", {"webhooks": [_hook(failurePolicy="Ignore")]}, "merge")
    assert changed["metadata"]["generation"] == 2 and changed["webhooks"][0]["failurePolicy"] == "Ignore"
    with pytest.raises(ApiError) as bad:
        api.patch(VWC, "vwc", {"webhooks": [_hook(failurePolicy="Sometimes")]}, "merge")
    assert _causes(bad) == [
        {
            "reason": "FieldValueNotSupported",
            "message": 'Unsupported value: "Sometimes": supported values: "Fail", "Ignore"',
            "field": "webhooks[0].failurePolicy",
        }
    ]


# --------------------------------------------------------------------------- ValidatingAdmissionPolicy


def test_a_policy_is_defaulted_and_its_client_status_dropped() -> None:
    api = _api()
    body = _vap()
    body["status"] = {"observedGeneration": 7}
    vap = api.create(VAP, body)
    assert "status" not in vap and vap["metadata"]["generation"] == 1
    spec = vap["spec"]
    assert spec["failurePolicy"] == "Fail"
    assert spec["matchConstraints"] == {
        "resourceRules": [{**DEPLOYMENTS_RULE, "scope": "*"}],
        "matchPolicy": "Equivalent",
        "namespaceSelector": {},
        "objectSelector": {},
    }


def test_a_policy_needs_match_constraints_with_rules_and_a_validation_expression() -> None:
    api = _api()
    with pytest.raises(ApiError) as bad:
        api.create(VAP, _vap(matchConstraints={"resourceRules": []}, validations=[{"expression": "  "}], failurePolicy="Never"))
    assert _causes(bad) == [
        {
            "reason": "FieldValueNotSupported",
            "message": 'Unsupported value: "Never": supported values: "Fail", "Ignore"',
            "field": "spec.failurePolicy",
        },
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.matchConstraints.resourceRules"},
        {
            "reason": "FieldValueRequired",
            "message": "Required value: expression is not specified",
            "field": "spec.validations[0].expression",
        },
    ]
    no_checks = _vap(validations=[])
    del no_checks["spec"]["matchConstraints"]
    with pytest.raises(ApiError) as empty:
        api.create(VAP, no_checks)
    detail = "Required value: validations or auditAnnotations must contain at least one item"
    assert _causes(empty) == [
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.matchConstraints"},
        {"reason": "FieldValueRequired", "message": detail, "field": "spec.validations"},
        {"reason": "FieldValueRequired", "message": detail, "field": "spec.auditAnnotations"},
    ]


def test_a_policy_status_is_written_through_its_subresource_only() -> None:
    api = _api()
    api.create(VAP, _vap())
    condition = {
        "type": "PatchStatusFailed", "status": "False", "reason": "e2e", "message": "Set from an e2e test",
        "lastTransitionTime": "2024-01-01T00:00:00Z",
    }
    patched = api.patch(VAP, "replicas.example.com", {"status": {"conditions": [condition]}}, "merge", subresource="status")
    assert patched["status"]["conditions"] == [condition] and patched["metadata"]["generation"] == 1
    # a write of the policy keeps the stored status and bumps the generation for a spec change
    spec_write = api.patch(VAP, "replicas.example.com", {"spec": {"failurePolicy": "Ignore"}, "status": {}}, "merge")
    assert spec_write["status"]["conditions"] == [condition]
    assert spec_write["metadata"]["generation"] == 2 and spec_write["spec"]["failurePolicy"] == "Ignore"
    # the status strategy checks the conditions
    bad_condition = {"type": "Bad", "status": "Maybe", "reason": "no spaces allowed"}
    with pytest.raises(ApiError) as bad:
        api.patch(VAP, "replicas.example.com", {"status": {"conditions": [bad_condition]}}, "merge", subresource="status")
    causes = _causes(bad)
    assert [(c["field"], c["reason"]) for c in causes] == [
        ("status.conditions[0].status", "FieldValueNotSupported"),
        ("status.conditions[0].lastTransitionTime", "FieldValueRequired"),
        ("status.conditions[0].reason", "FieldValueInvalid"),
    ]
    assert causes[0]["message"] == 'Unsupported value: "Maybe": supported values: "False", "True", "Unknown"'
    assert causes[2]["message"].startswith(
        'Invalid value: "no spaces allowed": a condition reason must start with alphabetic character'
    )


# --------------------------------------------------------------------------- bindings


def test_a_binding_needs_a_policy_name_and_valid_validation_actions() -> None:
    api = _api()
    vapb = api.create(VAPB, {"metadata": {"name": "b"}, "spec": {"policyName": "replicas.example.com", "validationActions": ["Deny"]}})
    assert vapb["metadata"]["generation"] == 1 and "matchResources" not in vapb["spec"]
    with pytest.raises(ApiError) as bad:
        api.create(VAPB, {"metadata": {"name": "c"}, "spec": {"validationActions": []}})
    assert _causes(bad) == [
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.policyName"},
        {
            "reason": "FieldValueRequired",
            "message": "Required value: at least one validation action is required",
            "field": "spec.validationActions",
        },
    ]
    with pytest.raises(ApiError) as actions:
        api.create(VAPB, {"metadata": {"name": "d"}, "spec": {"policyName": "p", "validationActions": ["Deny", "Warn", "Block"]}})
    assert _causes(actions) == [
        {
            "reason": "FieldValueNotSupported",
            "message": 'Unsupported value: "Block": supported values: "Audit", "Deny", "Warn"',
            "field": "spec.validationActions[2]",
        },
        {
            "reason": "FieldValueInvalid",
            "message": 'Invalid value: []admissionregistration.ValidationAction{"Deny", "Warn", "Block"}: must not contain '
            "both Deny and Warn (repeating the same validation failure information in the API response and headers "
            "serves no purpose)",
            "field": "spec.validationActions",
        },
    ]


def test_a_binding_update_is_validated_and_bumps_the_generation() -> None:
    api = _api()
    api.create(VAPB, {"metadata": {"name": "b"}, "spec": {"policyName": "p", "validationActions": ["Deny"]}})
    warned = api.patch(VAPB, "b", {"spec": {"validationActions": ["Warn"]}}, "merge")
    assert warned["spec"]["validationActions"] == ["Warn"] and warned["metadata"]["generation"] == 2
    with pytest.raises(ApiError) as bad:
        api.patch(VAPB, "b", {"spec": {"validationActions": None}}, "merge")
    assert [c["field"] for c in _causes(bad)] == ["spec.validationActions"]


def test_a_binding_param_ref_and_match_resources_are_defaulted_and_checked() -> None:
    api = _api()
    match = {"resourceRules": [{**DEPLOYMENTS_RULE, "resourceNames": ["a/b"]}]}
    with pytest.raises(ApiError) as bad:
        api.create(
            VAPB,
            {"metadata": {"name": "b"}, "spec": {"policyName": "p", "validationActions": ["Audit"], "paramRef": {}, "matchResources": match}},
        )
    assert _causes(bad) == [
        {"reason": "FieldValueRequired", "message": "Required value: one of name or selector must be specified", "field": "spec.paramRef"},
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.paramRef.parameterNotFoundAction"},
        {
            "reason": "FieldValueInvalid",
            "message": "Invalid value: \"a/b\": may not contain '/'",
            "field": "spec.matchResources.resourceRules[0].resourceNames[0]",
        },
    ]
    ok = api.create(
        VAPB,
        {
            "metadata": {"name": "c"},
            "spec": {
                "policyName": "p", "validationActions": ["Audit"],
                "paramRef": {"name": "limits", "parameterNotFoundAction": "Deny"}, "matchResources": {},
            },
        },
    )
    assert ok["spec"]["matchResources"] == {"matchPolicy": "Equivalent", "namespaceSelector": {}, "objectSelector": {}}


# --------------------------------------------------------------------------- MutatingAdmissionPolicy


def test_a_mutating_policy_is_defaulted_and_needs_mutations_and_a_reinvocation_policy() -> None:
    api = _api()
    mp = api.create(MAP, _map())
    assert mp["spec"]["failurePolicy"] == "Fail" and mp["metadata"]["generation"] == 1
    assert mp["spec"]["matchConstraints"]["matchPolicy"] == "Equivalent"
    patched = api.patch(MAP, "mutate.example.com", {"spec": {"reinvocationPolicy": "IfNeeded"}}, "merge")
    assert patched["spec"]["reinvocationPolicy"] == "IfNeeded" and patched["metadata"]["generation"] == 2
    bad_body = _map(mutations=[], reinvocationPolicy="")
    bad_body["spec"]["matchConstraints"]["resourceRules"][0]["operations"] = ["DELETE"]
    with pytest.raises(ApiError) as bad:
        api.create(MAP, bad_body)
    assert _causes(bad) == [
        {
            "reason": "FieldValueNotSupported",
            "message": 'Unsupported value: "DELETE": supported values: "*", "CONNECT", "CREATE", "UPDATE"',
            "field": "spec.matchConstraints.resourceRules.operations",
        },
        {
            "reason": "FieldValueRequired",
            "message": "Required value: mutations must contain at least one item",
            "field": "spec.mutations",
        },
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.reinvocationPolicy"},
    ]


def test_a_mutation_names_its_patch_type_and_only_that_patch() -> None:
    api = _api()
    mutations = [
        {"patchType": "JSONPatch", "applyConfiguration": {"expression": "x"}},
        {"patchType": "Merge"},
        {},
    ]
    with pytest.raises(ApiError) as bad:
        api.create(MAP, _map(mutations=mutations))
    assert _causes(bad) == [
        {
            "reason": "FieldValueRequired",
            "message": "Required value: must be specified when patchType is JSONPatch",
            "field": "spec.mutations[0].jsonPatch",
        },
        {
            "reason": "FieldValueInvalid",
            "message": 'Invalid value: "{applyConfiguration}": must not be specified when patchType is JSONPatch',
            "field": "spec.mutations[0].applyConfiguration",
        },
        {
            "reason": "FieldValueNotSupported",
            "message": 'Unsupported value: "Merge": supported values: "ApplyConfiguration", "JSONPatch"',
            "field": "spec.mutations[1].patchType",
        },
        {"reason": "FieldValueRequired", "message": "Required value", "field": "spec.mutations[2].patchType"},
    ]


def test_a_mutating_binding_needs_a_policy_name_only() -> None:
    api = _api()
    mapb = api.create(MAPB, {"metadata": {"generateName": "e2e-example-mapb-"}, "spec": {"policyName": "replicalimit-policy.example.com"}})
    assert mapb["metadata"]["name"].startswith("e2e-example-mapb-") and mapb["metadata"]["generation"] == 1
    renamed = api.patch(MAPB, mapb["metadata"]["name"], {"spec": {"policyName": "new-policy.example.com"}}, "merge")
    assert renamed["spec"]["policyName"] == "new-policy.example.com" and renamed["metadata"]["generation"] == 2
    with pytest.raises(ApiError) as bad:
        api.create(MAPB, {"metadata": {"name": "m"}, "spec": {"policyName": "Not_A_Name"}})
    causes = _causes(bad)
    assert [c["field"] for c in causes] == ["spec.policyName"]
    assert causes[0]["message"].startswith('Invalid value: "Not_A_Name": a lowercase RFC 1123 subdomain')


# --------------------------------------------------------------------------- printers


def _table(api: APIServer, resource: str) -> Obj:
    info = REGISTRY.lookup(resource)
    assert info is not None
    items = api.list(resource)["items"]
    return tables.to_table(info, items, 0.0, strategy=REGISTRY.strategy(info))


def test_the_tables_have_kubectls_columns() -> None:
    api = _api()
    api.create(VWC, {"metadata": {"name": "vwc"}, "webhooks": [_hook("a.example.com"), _hook("b.example.com")]})
    api.create(VAP, _vap(paramKind={"apiVersion": "v1", "kind": "ConfigMap"}))
    api.create(MAP, _map())
    api.create(VAPB, {"metadata": {"name": "named"}, "spec": {
        "policyName": "p", "validationActions": ["Deny"], "paramRef": {"name": "cfg", "parameterNotFoundAction": "Deny"}}})
    api.create(MAPB, {"metadata": {"name": "selected"}, "spec": {"policyName": "p", "paramRef": {
        "selector": {"matchLabels": {"app": "x"}}, "parameterNotFoundAction": "Allow"}}})

    def columns(table: Obj) -> list[str]:
        return [c["name"] for c in table["columnDefinitions"]]

    vwc = _table(api, VWC)
    assert columns(vwc) == ["Name", "Webhooks", "Age"]
    assert vwc["rows"][0]["cells"][:2] == ["vwc", 2]
    vap = _table(api, VAP)
    assert columns(vap) == ["Name", "Validations", "ParamKind", "Age"]
    assert vap["rows"][0]["cells"][:3] == ["replicas.example.com", 1, "v1/ConfigMap"]
    mp = _table(api, MAP)
    assert columns(mp) == ["Name", "Mutations", "ParamKind", "Age"]
    assert mp["rows"][0]["cells"][:3] == ["mutate.example.com", 1, "<unset>"]
    vapb = _table(api, VAPB)
    assert columns(vapb) == ["Name", "PolicyName", "ParamRef", "Age"]
    assert vapb["rows"][0]["cells"][:3] == ["named", "p", "*/cfg"]
    mapb = _table(api, MAPB)
    assert mapb["rows"][0]["cells"][:3] == [
        "selected", "p", "&LabelSelector{MatchLabels:map[string]string{app: x,},MatchExpressions:[]LabelSelectorRequirement{},}"
    ]


def test_an_update_keeps_what_the_stored_configuration_already_had() -> None:
    """``Validate*WebhookConfigurationUpdate``: side effects and duplicate names an older release
    stored stay updatable; a configuration created today may not have them."""
    store = MemoryStore()
    api = APIServer(store, EventLoop(), SeededRandom(1))
    api.create(MWC, {"metadata": {"name": "legacy"}, "webhooks": [_hook()]})
    info = REGISTRY.lookup(MWC)
    assert info is not None
    key = info.key("legacy", None)
    kv = store.get(key)
    assert kv is not None
    stored = loads(kv.value)
    stored["webhooks"] = [_hook(sideEffects="Some"), _hook(sideEffects="Some")]
    store.put(key, dumps(stored))
    relabelled = api.patch(MWC, "legacy", {"metadata": {"labels": {"kept": "yes"}}}, "merge")
    assert relabelled["metadata"]["labels"] == {"kept": "yes"}
    with pytest.raises(ApiError) as fresh:
        api.create(MWC, {"metadata": {"name": "fresh"}, "webhooks": stored["webhooks"]})
    assert [c["field"] for c in _causes(fresh)] == [
        "webhooks[0].sideEffects", "webhooks[1].sideEffects", "webhooks[1].name",
    ]
