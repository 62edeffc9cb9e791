"""The ``admissionregistration.k8s.io/v1`` group: webhook configurations and admission policies.

Models, for the six cluster-scoped kinds kube-apiserver v1.36 serves at v1 by default
(``pkg/registry/admissionregistration/rest/storage_apiserver.go``; MutatingAdmissionPolicy and its
binding went GA in 1.36 and are served at v1, with v1beta1 only their storage version):

- defaulting, ``pkg/apis/admissionregistration/v1/defaults.go`` with ``zz_generated.defaults.go``'s
  nesting: webhooks get ``failurePolicy: Fail``, ``matchPolicy: Equivalent``, empty namespace and
  object selectors, ``timeoutSeconds: 10`` (mutating ones ``reinvocationPolicy: Never``), their
  rules ``scope: "*"`` and a service reference ``port: 443``; policies ``failurePolicy: Fail``;
  a policy's ``matchConstraints`` and a binding's ``matchResources``, when given,
  ``matchPolicy: Equivalent`` and empty selectors, their resource rules ``scope: "*"``;
- validation, ``pkg/apis/admissionregistration/validation/validation.go``: webhook names fully
  qualified and unique, ``admissionReviewVersions``, ``sideEffects``, ``timeoutSeconds``,
  ``clientConfig`` (exactly one of url/service, the URL and service checks of
  ``k8s.io/apiserver/pkg/util/webhook``), rules (operations, apiGroups, apiVersions, resources
  and their wildcard rules, scope), label selectors, match conditions (name and presence of an
  expression), a policy's failurePolicy, paramKind, matchConstraints, variables, validations /
  auditAnnotations, mutations and reinvocationPolicy, a binding's policyName, paramRef, match
  resources and validationActions; the update rules that relax checks an old object already
  failed (side effects, admission review versions, unique names, label values in selectors) and
  the ValidatingAdmissionPolicy status (``typeChecking`` warnings, conditions) on a status write;
- the strategies, ``pkg/registry/admissionregistration/*/strategy.go``: generation 1 on create,
  bumped when ``webhooks`` (configurations) or ``spec`` (policies, bindings) change; the
  ValidatingAdmissionPolicy status is the server's (dropped on create, kept on spec writes);
- the printers, ``pkg/printers/internalversion/printers.go``: NAME WEBHOOKS AGE, NAME
  VALIDATIONS|MUTATIONS PARAMKIND AGE, NAME POLICYNAME PARAMREF AGE.

Leaves out: compiling and type-checking the CEL expressions (validations, messageExpressions,
audit annotations, match conditions, variables, mutations) — only their presence is checked; the
ValidatingAdmissionPolicy status controller that type-checks a policy and sets
``status.observedGeneration``/``typeChecking``; the authorization of a policy's ``paramKind`` and a
binding's ``paramRef`` against the requesting user; admission itself (no webhook is called and no
policy is enforced); the ``caBundle`` PEM check; the JSONPath parse of a status warning's
``fieldRef``; the alpha ``ManifestBasedAdmissionControlConfig`` name-suffix rule and its warnings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from reference_impl.apiserver.registry.info import ResourceInfo
from reference_impl.apiserver.registry.strategy import Column, Strategy
from reference_impl.apiserver.tables import since
from reference_impl.apiserver.validation import (
    Errors,
    GoText,
    _label_selector,
    _regex_error,
    is_dns1035_label,
    is_dns1123_subdomain,
    is_qualified_name,
)

Obj = dict[str, Any]

GROUP = "admissionregistration.k8s.io"

# Go's sets.NewString(...).List(): the supported values, sorted.
FAILURE_POLICIES = ("Fail", "Ignore")
MATCH_POLICIES = ("Equivalent", "Exact")
NO_SIDE_EFFECTS = ("None", "NoneOnDryRun")
SIDE_EFFECTS = ("None", "NoneOnDryRun", "Some", "Unknown")
OPERATIONS = ("*", "CONNECT", "CREATE", "DELETE", "UPDATE")
MUTATING_OPERATIONS = ("*", "CONNECT", "CREATE", "UPDATE")
SCOPES = ("*", "Cluster", "Namespaced")
REINVOCATION_POLICIES = ("IfNeeded", "Never")
VALIDATION_ACTIONS = ("Audit", "Deny", "Warn")
VALIDATION_REASONS = ("Forbidden", "Invalid", "RequestEntityTooLarge")
PATCH_TYPES = ("ApplyConfiguration", "JSONPatch")
PARAMETER_NOT_FOUND_ACTIONS = ("Deny", "Allow")
CONDITION_STATUSES = ("False", "True", "Unknown")
ACCEPTED_REVIEW_VERSIONS = ("v1", "v1beta1")
URL_FORM = "; desired format: https://host[/path]"
MAX_AUDIT_ANNOTATIONS = 20
MAX_AUDIT_VALUE_EXPRESSION = 5 * 1024
MAX_MATCH_CONDITIONS = 64
_CEL_RESERVED = frozenset(
    {
        "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function",
        "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while",
    }
)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _go_slice(type_name: str, values: list[Any]) -> GoText:
    """A typed string slice as ``field.Invalid`` prints it: ``[]admissionregistration.OperationType{"CREATE"}``."""
    return GoText(f"[]{type_name}{{" + ", ".join(json.dumps(str(v)) for v in values) + "}")


# --------------------------------------------------------------------------- defaults


def _default_rule(rule: Obj) -> None:
    rule.setdefault("scope", "*")


def _default_webhook(hook: Obj, *, mutating: bool) -> None:
    hook.setdefault("failurePolicy", "Fail")
    hook.setdefault("matchPolicy", "Equivalent")
    hook.setdefault("namespaceSelector", {})
    hook.setdefault("objectSelector", {})
    hook.setdefault("timeoutSeconds", 10)
    if mutating:
        hook.setdefault("reinvocationPolicy", "Never")
    service = _dict(hook.get("clientConfig")).get("service")
    if isinstance(service, dict):
        service.setdefault("port", 443)
    for rule in _list(hook.get("rules")):
        if isinstance(rule, dict):
            _default_rule(rule)


def _default_webhooks(mutating: bool) -> Callable[[Obj], None]:
    def default(obj: Obj) -> None:
        for hook in _list(obj.get("webhooks")):
            if isinstance(hook, dict):
                _default_webhook(hook, mutating=mutating)

    return default


def _default_match_resources(match: Any) -> None:
    if not isinstance(match, dict):
        return
    match.setdefault("matchPolicy", "Equivalent")
    match.setdefault("namespaceSelector", {})
    match.setdefault("objectSelector", {})
    for key in ("resourceRules", "excludeResourceRules"):
        for rule in _list(match.get(key)):
            if isinstance(rule, dict):
                _default_rule(rule)


def _default_policy(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    if isinstance(spec, dict):
        spec.setdefault("failurePolicy", "Fail")
        _default_match_resources(spec.get("matchConstraints"))


def _default_binding(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    if isinstance(spec, dict):
        _default_match_resources(spec.get("matchResources"))


# --------------------------------------------------------------------------- shared checks


def _selector(errs: Errors, selector: Any, path: str, *, allow_invalid_values: bool = False) -> None:
    """``metav1validation.ValidateLabelSelector``, values of expressions checked unless allowed."""
    _label_selector(errs, selector, path, allow_invalid_values=allow_invalid_values)


def _resources(errs: Errors, resources: list[Any], path: str) -> None:
    """``validateResources`` (subresources allowed), with its wildcard rules."""
    if not resources:
        errs.required(path)
    with_wildcard_sub: set[str] = set()  # x/*
    sub_with_wildcard_res: set[str] = set()  # */x
    double_wildcard = single_wildcard = without_sub = False
    for i, res_sub in enumerate(resources):
        res_sub = str(res_sub)
        if res_sub == "":
            errs.required(f"{path}[{i}]")
            continue
        double_wildcard = double_wildcard or res_sub == "*/*"
        single_wildcard = single_wildcard or res_sub == "*"
        if "/" not in res_sub:
            without_sub = res_sub != "*"
            continue
        res, sub = res_sub.split("/", 1)
        if res in with_wildcard_sub:
            errs.invalid(f"{path}[{i}]", res_sub, f"if '{res}/*' is present, must not specify {res_sub}")
        if sub in sub_with_wildcard_res:
            errs.invalid(f"{path}[{i}]", res_sub, f"if '*/{sub}' is present, must not specify {res_sub}")
        if sub == "*":
            with_wildcard_sub.add(res)
        if res == "*":
            sub_with_wildcard_res.add(sub)
    if len(resources) > 1 and double_wildcard:
        errs.invalid(path, [str(r) for r in resources], "if '*/*' is present, must not specify other resources")
    if single_wildcard and without_sub:
        errs.invalid(
            path, [str(r) for r in resources], "if '*' is present, must not specify other resources without subresources"
        )


def _rule(errs: Errors, rule: Obj, path: str) -> None:
    """``validateRule`` with subresources allowed."""
    groups = _list(rule.get("apiGroups"))
    if not groups:
        errs.required(f"{path}.apiGroups")
    if len(groups) > 1 and "*" in groups:
        errs.invalid(f"{path}.apiGroups", [str(g) for g in groups], "if '*' is present, must not specify other API groups")
    versions = _list(rule.get("apiVersions"))
    if not versions:
        errs.required(f"{path}.apiVersions")
    if len(versions) > 1 and "*" in versions:
        errs.invalid(
            f"{path}.apiVersions", [str(v) for v in versions], "if '*' is present, must not specify other API versions"
        )
    for i, version in enumerate(versions):
        if version == "":
            errs.required(f"{path}.apiVersions[{i}]")
    _resources(errs, _list(rule.get("resources")), f"{path}.resources")
    scope = rule.get("scope")
    if scope is not None and scope not in SCOPES:
        errs.not_supported(f"{path}.scope", scope, SCOPES)


def _rule_with_operations(errs: Errors, rule: Obj, path: str) -> None:
    operations = _list(rule.get("operations"))
    if not operations:
        errs.required(f"{path}.operations")
    if len(operations) > 1 and "*" in operations:
        errs.invalid(
            f"{path}.operations",
            _go_slice("admissionregistration.OperationType", operations),
            "if '*' is present, must not specify other operations",
        )
    for i, operation in enumerate(operations):
        if operation not in OPERATIONS:
            errs.not_supported(f"{path}.operations[{i}]", operation, OPERATIONS)
    _rule(errs, rule, path)


def _path_segment_name(name: str) -> list[str]:
    """``content.IsPathSegmentName``."""
    if name in (".", ".."):
        return [f"may not be '{name}'"]
    return [f"may not contain '{bad}'" for bad in ("/", "%") if bad in name]


def _named_rule(errs: Errors, rule: Obj, path: str) -> None:
    seen: set[str] = set()
    for i, name in enumerate(_list(rule.get("resourceNames"))):
        name = str(name)
        for msg in _path_segment_name(name):
            errs.invalid(f"{path}.resourceNames[{i}]", name, msg)
        if name in seen:
            errs.duplicate(f"{path}.resourceNames[{i}]", name)
        seen.add(name)
    _rule_with_operations(errs, rule, path)


def _match_conditions(errs: Errors, conditions: list[Any], path: str) -> None:
    """``validateMatchConditions``: names qualified and unique, expressions present (not compiled)."""
    if len(conditions) > MAX_MATCH_CONDITIONS:
        errs._add("FieldValueTooMany", path, f"Too many: {len(conditions)}: must have at most {MAX_MATCH_CONDITIONS} items")
    names: set[str] = set()
    for i, condition in enumerate(conditions):
        condition = _dict(condition)
        if not str(condition.get("expression") or "").strip():
            errs.required(f"{path}[{i}].expression")
        name = str(condition.get("name") or "")
        if not name:
            errs.required(f"{path}[{i}].name")
        else:
            for msg in is_qualified_name(name):
                errs.invalid(f"{path}[{i}].name", name, msg)
            if name in names:
                errs.duplicate(f"{path}[{i}].name", name)
            names.add(name)


def _webhook_url(errs: Errors, url: str, path: str) -> None:
    """``webhook.ValidateWebhookURL`` with https forced."""
    try:
        u = urlsplit(url)
        host = u.netloc.rsplit("@", 1)[-1]
    except ValueError as exc:
        errs.required(path, f"url must be a valid URL: parse {json.dumps(url)}: {exc}{URL_FORM}")
        return
    if u.scheme != "https":
        errs.invalid(path, u.scheme, "'https' is the only allowed URL scheme" + URL_FORM)
    if not host:
        errs.invalid(path, host, "host must be specified" + URL_FORM)
    if "@" in u.netloc:
        errs.invalid(path, u.netloc.rsplit("@", 1)[0], "user information is not permitted in the URL")
    if u.fragment:
        errs.invalid(path, u.fragment, "fragments are not permitted in the URL")
    if u.query:
        errs.invalid(path, u.query, "query parameters are not permitted in the URL")


def _webhook_service(errs: Errors, service: Obj, path: str) -> None:
    """``webhook.ValidateWebhookService``."""
    if not service.get("name"):
        errs.required(f"{path}.name")
    if not service.get("namespace"):
        errs.required(f"{path}.namespace")
    port = service.get("port", 443)
    if not (isinstance(port, int) and not isinstance(port, bool) and 1 <= port <= 65535):
        errs.invalid(f"{path}.port", port, "port is not valid: must be between 1 and 65535, inclusive")
    url_path = service.get("path")
    if url_path is None or url_path in ("", "/"):
        return
    url_path = str(url_path)
    if url_path == "//":
        errs.invalid(f"{path}.path", url_path, "segment[0] may not be empty")
        return
    if not url_path.startswith("/"):
        errs.invalid(f"{path}.path", url_path, "must start with a '/'")
    to_check = url_path[1:]
    if to_check.endswith("/"):
        to_check = to_check[:-1]
    for i, step in enumerate(to_check.split("/")):
        if not step:
            errs.invalid(f"{path}.path", url_path, f"segment[{i}] may not be empty")
            continue
        for failure in is_dns1123_subdomain(step):
            errs.invalid(f"{path}.path", url_path, f"segment[{i}]: {failure}")


# --------------------------------------------------------------------------- webhook configurations


@dataclass(frozen=True, slots=True)
class _HookOptions:
    """``validationOptions``: what an update may keep of an old object that fails today's rules."""

    ignore_match_conditions: bool = False
    require_no_side_effects: bool = True
    require_recognized_review_version: bool = True
    require_unique_names: bool = True
    allow_invalid_label_values: bool = False


def _fully_qualified_name(errs: Errors, name: str, path: str) -> None:
    """``utilvalidation.IsFullyQualifiedName``."""
    if not name:
        errs.required(path)
        return
    problems = is_dns1123_subdomain(name)
    if problems:
        errs.invalid(path, name, ",".join(problems))
    elif len(name.split(".")) < 3:
        errs.invalid(path, name, "should be a domain with at least three segments separated by dots")


def _webhook(errs: Errors, hook: Obj, path: str, opts: _HookOptions, *, mutating: bool) -> None:
    _fully_qualified_name(errs, str(hook.get("name") or ""), f"{path}.name")
    for i, rule in enumerate(_list(hook.get("rules"))):
        _rule_with_operations(errs, _dict(rule), f"{path}.rules[{i}]")
    failure = hook.get("failurePolicy")
    if failure is not None and failure not in FAILURE_POLICIES:
        errs.not_supported(f"{path}.failurePolicy", failure, FAILURE_POLICIES)
    match = hook.get("matchPolicy")
    if match is not None and match not in MATCH_POLICIES:
        errs.not_supported(f"{path}.matchPolicy", match, MATCH_POLICIES)
    allowed = NO_SIDE_EFFECTS if opts.require_no_side_effects else SIDE_EFFECTS
    side_effects = hook.get("sideEffects")
    if side_effects is None:
        errs.required(f"{path}.sideEffects", f"must specify one of {', '.join(allowed)}")
    elif side_effects not in allowed:
        errs.not_supported(f"{path}.sideEffects", side_effects, allowed)
    timeout = hook.get("timeoutSeconds")
    if isinstance(timeout, int) and not isinstance(timeout, bool) and not 1 <= timeout <= 30:
        errs.invalid(f"{path}.timeoutSeconds", timeout, "the timeout value must be between 1 and 30 seconds")
    for key in ("namespaceSelector", "objectSelector"):
        _selector(errs, hook.get(key), f"{path}.{key}", allow_invalid_values=opts.allow_invalid_label_values)
    if mutating:
        reinvocation = hook.get("reinvocationPolicy")
        if reinvocation is not None and reinvocation not in REINVOCATION_POLICIES:
            errs.not_supported(f"{path}.reinvocationPolicy", reinvocation, REINVOCATION_POLICIES)
    client = _dict(hook.get("clientConfig"))
    url, service = client.get("url"), client.get("service")
    if (url is None) == (service is None):
        errs.required(f"{path}.clientConfig", "exactly one of url or service is required")
    elif url is not None:
        _webhook_url(errs, str(url), f"{path}.clientConfig.url")
    else:
        _webhook_service(errs, _dict(service), f"{path}.clientConfig.service")
    if not opts.ignore_match_conditions:
        _match_conditions(errs, _list(hook.get("matchConditions")), f"{path}.matchConditions")


def _review_versions(errs: Errors, versions: list[Any], path: str, *, require_recognized: bool) -> None:
    """``validateAdmissionReviewVersions``."""
    if not versions:
        errs.required(path, f"must specify one of {', '.join(ACCEPTED_REVIEW_VERSIONS)}")
        return
    seen: set[str] = set()
    recognized = False
    for i, version in enumerate(versions):
        version = str(version)
        if version in seen:
            errs.invalid(f"{path}[{i}]", version, "duplicate version")
            continue
        seen.add(version)
        for msg in is_dns1035_label(version):
            errs.invalid(f"{path}[{i}]", version, msg)
        recognized = recognized or version in ACCEPTED_REVIEW_VERSIONS
    if require_recognized and not recognized:
        errs.invalid(
            path, [str(v) for v in versions], f"must include at least one of {', '.join(ACCEPTED_REVIEW_VERSIONS)}"
        )


def _webhook_configuration(errs: Errors, obj: Obj, opts: _HookOptions, *, mutating: bool) -> None:
    names: set[str] = set()
    for i, hook in enumerate(_list(obj.get("webhooks"))):
        hook = _dict(hook)
        path = f"webhooks[{i}]"
        _webhook(errs, hook, path, opts, mutating=mutating)
        _review_versions(
            errs, _list(hook.get("admissionReviewVersions")), f"{path}.admissionReviewVersions",
            require_recognized=opts.require_recognized_review_version,
        )
        name = str(hook.get("name") or "")
        if opts.require_unique_names and name:
            if name in names:
                errs.duplicate(f"{path}.name", name)
            names.add(name)


def _selector_has_invalid_values(hooks: list[Obj]) -> bool:
    for hook in hooks:
        for key in ("namespaceSelector", "objectSelector"):
            probe = Errors()
            _selector(probe, hook.get(key), key)
            if probe.causes:
                return True
    return False


def _update_options(obj: Obj, old: Obj) -> _HookOptions:
    """``Validate*WebhookConfigurationUpdate``: the old object decides which rules are relaxed."""
    hooks = [_dict(h) for h in _list(obj.get("webhooks"))]
    old_hooks = [_dict(h) for h in _list(old.get("webhooks"))]
    old_names = [str(h.get("name") or "") for h in old_hooks]
    return _HookOptions(
        ignore_match_conditions=len(hooks) == len(old_hooks)
        and all(h.get("matchConditions") == o.get("matchConditions") for h, o in zip(hooks, old_hooks)),
        require_no_side_effects=all(h.get("sideEffects") in NO_SIDE_EFFECTS for h in old_hooks),
        require_recognized_review_version=all(
            not _list(h.get("admissionReviewVersions"))
            or any(v in ACCEPTED_REVIEW_VERSIONS for v in _list(h.get("admissionReviewVersions")))
            for h in old_hooks
        ),
        require_unique_names=len(set(old_names)) == len(old_names),
        allow_invalid_label_values=_selector_has_invalid_values(old_hooks),
    )


def _validate_validating_webhooks(errs: Errors, obj: Obj) -> None:
    _webhook_configuration(errs, obj, _HookOptions(), mutating=False)


def _validate_validating_webhooks_update(errs: Errors, obj: Obj, old: Obj) -> None:
    _webhook_configuration(errs, obj, _update_options(obj, old), mutating=False)


def _validate_mutating_webhooks(errs: Errors, obj: Obj) -> None:
    _webhook_configuration(errs, obj, _HookOptions(), mutating=True)


def _validate_mutating_webhooks_update(errs: Errors, obj: Obj, old: Obj) -> None:
    _webhook_configuration(errs, obj, _update_options(obj, old), mutating=True)


# --------------------------------------------------------------------------- policies


def _param_kind(errs: Errors, param_kind: Obj, path: str) -> None:
    """``validateParamKind``."""
    api_version = str(param_kind.get("apiVersion") or "")
    if not api_version:
        errs.required(f"{path}.apiVersion")
    elif api_version.count("/") > 1:
        errs.invalid(f"{path}.apiVersion", api_version, f"unexpected GroupVersion string: {api_version}")
    elif api_version != "/":
        group, _, version = api_version.rpartition("/")
        if group:
            problems = is_dns1123_subdomain(group)
            if problems:
                errs.invalid(f"{path}.apiVersion", group, ",".join(problems))
        if not version:
            errs.invalid(f"{path}.apiVersion", api_version, "version must be specified")
        else:
            problems = is_dns1035_label(version)
            if problems:
                errs.invalid(f"{path}.apiVersion", version, ",".join(problems))
    kind = str(param_kind.get("kind") or "")
    if not kind:
        errs.required(f"{path}.kind")
    else:
        problems = is_dns1035_label(kind.lower())
        if problems:
            errs.invalid(f"{path}.kind", kind, "may have mixed case, but should otherwise match: " + ",".join(problems))


def _match_resources(errs: Errors, match: Obj, path: str) -> None:
    """``validateMatchResources``: after defaulting, matchPolicy and both selectors are set."""
    policy = match.get("matchPolicy")
    if policy is None:
        errs.required(f"{path}.matchPolicy")
    elif policy not in MATCH_POLICIES:
        errs.not_supported(f"{path}.matchPolicy", policy, MATCH_POLICIES)
    for key in ("namespaceSelector", "objectSelector"):
        if match.get(key) is None:
            errs.required(f"{path}.{key}")
        else:
            _selector(errs, match.get(key), f"{path}.{key}")
    for key in ("resourceRules", "excludeResourceRules"):
        for i, rule in enumerate(_list(match.get(key))):
            _named_rule(errs, _dict(rule), f"{path}.{key}[{i}]")


def _failure_policy(errs: Errors, spec: Obj, path: str) -> None:
    failure = spec.get("failurePolicy")
    if failure is None:
        errs.required(f"{path}.failurePolicy")
    elif failure not in FAILURE_POLICIES:
        errs.not_supported(f"{path}.failurePolicy", failure, FAILURE_POLICIES)


def _match_constraints(errs: Errors, spec: Obj, path: str, *, mutating: bool) -> None:
    constraints = spec.get("matchConstraints")
    if not isinstance(constraints, dict):
        errs.required(f"{path}.matchConstraints")
        return
    _match_resources(errs, constraints, f"{path}.matchConstraints")
    rules = _list(constraints.get("resourceRules"))
    if not rules:
        errs.required(f"{path}.matchConstraints.resourceRules")
    if mutating:
        _mutating_operations(errs, rules, f"{path}.matchConstraints.resourceRules.operations")


def _mutating_operations(errs: Errors, rules: list[Any], path: str) -> None:
    """A mutating policy or binding cannot match DELETE: the path names no index, as upstream's."""
    for rule in rules:
        for operation in _list(_dict(rule).get("operations")):
            if operation not in MUTATING_OPERATIONS:
                errs.not_supported(path, operation, MUTATING_OPERATIONS)


def _is_cel_identifier(name: str) -> bool:
    return bool(name) and (name[0].isascii() and (name[0].isalpha() or name[0] == "_")) and all(
        c.isascii() and (c.isalnum() or c == "_") for c in name
    ) and name not in _CEL_RESERVED


def _variables(errs: Errors, variables: list[Any], path: str) -> None:
    for i, variable in enumerate(variables):
        variable = _dict(variable)
        name = str(variable.get("name") or "")
        if not name.strip():
            errs.required(f"{path}[{i}].name", "name is not specified")
        elif not _is_cel_identifier(name):
            errs.invalid(f"{path}[{i}].name", name, "must be a valid CEL identifier")
        if not str(variable.get("expression") or "").strip():
            errs.required(f"{path}[{i}].expression", "expression is not specified")


def _has_newlines(text: str) -> bool:
    return "\n" in text or "\r" in text


def _validation(errs: Errors, validation: Obj, path: str) -> None:
    """``validateValidation`` without compiling the expressions."""
    if not str(validation.get("expression") or "").strip():
        errs.required(f"{path}.expression", "expression is not specified")
    message_expression = str(validation.get("messageExpression") or "")
    if message_expression and not message_expression.strip():
        errs.invalid(f"{path}.messageExpression", message_expression, "must be non-empty if specified")
    message = str(validation.get("message") or "")
    if message and not message.strip():
        errs.invalid(f"{path}.message", message, "must be non-empty if specified")
    elif _has_newlines(message.strip()):
        errs.invalid(f"{path}.message", message, "must not contain line breaks")
    reason = validation.get("reason")
    if reason is not None and reason not in VALIDATION_REASONS:
        errs.not_supported(f"{path}.reason", reason, VALIDATION_REASONS)


def _audit_annotations(errs: Errors, annotations: list[Any], policy_name: str, path: str) -> None:
    if len(annotations) > MAX_AUDIT_ANNOTATIONS:
        errs.invalid(path, annotations, f"must not have more than {MAX_AUDIT_ANNOTATIONS} auditAnnotations")
    keys: set[str] = set()
    for i, annotation in enumerate(annotations):
        annotation = _dict(annotation)
        key = str(annotation.get("key") or "")
        if policy_name:
            for msg in is_qualified_name(f"{policy_name}/{key}"):
                errs.invalid(f"{path}[{i}].key", f"{policy_name}/{key}", msg)
        else:
            errs.invalid(f"{path}[{i}].key", key, "requires metadata.name be non-empty")
        value = str(annotation.get("valueExpression") or "").strip()
        if not value:
            errs.required(f"{path}[{i}].valueExpression", "valueExpression is not specified")
        elif len(value) > MAX_AUDIT_VALUE_EXPRESSION:
            errs.required(
                f"{path}[{i}].valueExpression", f"must not exceed {MAX_AUDIT_VALUE_EXPRESSION} bytes in length"
            )
        if key in keys:
            errs.duplicate(f"{path}[{i}].key", key)
        keys.add(key)


def _policy_common(errs: Errors, spec: Obj, *, mutating: bool, ignore_match_conditions: bool) -> None:
    _failure_policy(errs, spec, "spec")
    if isinstance(spec.get("paramKind"), dict):
        _param_kind(errs, spec["paramKind"], "spec.paramKind")
    _match_constraints(errs, spec, "spec", mutating=mutating)
    if not ignore_match_conditions:
        _match_conditions(errs, _list(spec.get("matchConditions")), "spec.matchConditions")
    _variables(errs, _list(spec.get("variables")), "spec.variables")


def _vap_spec(errs: Errors, obj: Obj, *, ignore_match_conditions: bool = False) -> None:
    spec = _dict(obj.get("spec"))
    _policy_common(errs, spec, mutating=False, ignore_match_conditions=ignore_match_conditions)
    validations = _list(spec.get("validations"))
    annotations = _list(spec.get("auditAnnotations"))
    if not validations and not annotations:
        detail = "validations or auditAnnotations must contain at least one item"
        errs.required("spec.validations", detail)
        errs.required("spec.auditAnnotations", detail)
        return
    for i, validation in enumerate(validations):
        _validation(errs, _dict(validation), f"spec.validations[{i}]")
    if annotations:
        name = str(_dict(obj.get("metadata")).get("name") or "")
        _audit_annotations(errs, annotations, name, "spec.auditAnnotations")


_CONDITION_REASON_FMT = "[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?"
_CONDITION_REASON_RE = re.compile(f"^{_CONDITION_REASON_FMT}$")
_CONDITION_REASON_MSG = _regex_error(
    "a condition reason must start with alphabetic character, optionally followed by a string of "
    "alphanumeric characters or '_,:', and must end with an alphanumeric character or '_'",
    _CONDITION_REASON_FMT, "my_name", "MY_NAME", "MyName", "ReasonA,ReasonB", "ReasonA:ReasonB",
)


def _conditions(errs: Errors, conditions: list[Any], path: str) -> None:
    """``metav1validation.ValidateConditions``."""
    seen: set[str] = set()
    for i, condition in enumerate(conditions):
        condition = _dict(condition)
        ctype = str(condition.get("type") or "")
        if ctype in seen:
            errs.duplicate(f"{path}[{i}].type", ctype)
        seen.add(ctype)
        for msg in is_qualified_name(ctype):
            errs.invalid(f"{path}[{i}].type", ctype, msg)
        status = condition.get("status", "")
        if status not in CONDITION_STATUSES:
            errs.not_supported(f"{path}[{i}].status", status, CONDITION_STATUSES)
        observed = condition.get("observedGeneration")
        if isinstance(observed, int) and observed < 0:
            errs.invalid(f"{path}[{i}].observedGeneration", observed, "must be greater than or equal to zero")
        if not condition.get("lastTransitionTime"):
            errs.required(f"{path}[{i}].lastTransitionTime")
        reason = str(condition.get("reason") or "")
        if not reason:
            errs.required(f"{path}[{i}].reason")
        else:
            if not _CONDITION_REASON_RE.fullmatch(reason):
                errs.invalid(f"{path}[{i}].reason", reason, _CONDITION_REASON_MSG)
            if len(reason) > 1024:
                errs.too_long(f"{path}[{i}].reason", 1024)
        if len(str(condition.get("message") or "")) > 32 * 1024:
            errs.too_long(f"{path}[{i}].message", 32 * 1024)


def _vap_status(errs: Errors, obj: Obj) -> None:
    """``ValidateValidatingAdmissionPolicyStatusUpdate``: type-checking warnings and conditions."""
    status = _dict(obj.get("status"))
    warnings = _list(_dict(status.get("typeChecking")).get("expressionWarnings"))
    for i, warning in enumerate(warnings):
        warning = _dict(warning)
        path = f"status.typeChecking.expressionWarnings[{i}]"
        if not warning.get("warning"):
            errs.required(f"{path}.warning")
        if not str(warning.get("fieldRef") or "").strip():
            errs.required(f"{path}.fieldRef")
    _conditions(errs, _list(status.get("conditions")), "status.conditions")


def _same_params_and_match_conditions(obj: Obj, old: Obj) -> bool:
    spec, old_spec = _dict(obj.get("spec")), _dict(old.get("spec"))
    return spec.get("paramKind") == old_spec.get("paramKind") and spec.get("matchConditions") == old_spec.get(
        "matchConditions"
    )


def _validate_vap(errs: Errors, obj: Obj) -> None:
    _vap_spec(errs, obj)


def _validate_vap_update(errs: Errors, obj: Obj, old: Obj) -> None:
    # The server keeps the stored status on a write of the policy and the stored spec on a write of
    # its status: a changed status is a status write (the status strategy's checks), anything else
    # the policy's (ValidateValidatingAdmissionPolicyUpdate).
    if obj.get("status") != old.get("status"):
        _vap_status(errs, obj)
    else:
        _vap_spec(errs, obj, ignore_match_conditions=_same_params_and_match_conditions(obj, old))


def _mutation(errs: Errors, mutation: Obj, path: str) -> None:
    """``validateMutation`` without compiling the expressions."""
    patch_type = mutation.get("patchType")
    if not patch_type:
        errs.required(f"{path}.patchType")
        return
    apply, json_patch = mutation.get("applyConfiguration"), mutation.get("jsonPatch")
    if patch_type == "JSONPatch":
        if json_patch is None:
            errs.required(f"{path}.jsonPatch", "must be specified when patchType is JSONPatch")
        elif not str(_dict(json_patch).get("expression") or "").strip():
            errs.required(f"{path}.jsonPatch.expression")
        if apply is not None:
            errs.invalid(f"{path}.applyConfiguration", "{applyConfiguration}", "must not be specified when patchType is JSONPatch")
    elif patch_type == "ApplyConfiguration":
        if apply is None:
            errs.required(f"{path}.applyConfiguration", "must be specified when patchType is ApplyConfiguration")
        elif not str(_dict(apply).get("expression") or "").strip():
            errs.required(f"{path}.applyConfiguration.expression")
        if json_patch is not None:
            errs.invalid(f"{path}.jsonPatch", "{jsonPatch}", "must not be specified when patchType is ApplyConfiguration")
    else:
        errs.not_supported(f"{path}.patchType", patch_type, PATCH_TYPES)


def _map_spec(errs: Errors, obj: Obj, *, ignore_match_conditions: bool = False) -> None:
    spec = _dict(obj.get("spec"))
    _policy_common(errs, spec, mutating=True, ignore_match_conditions=ignore_match_conditions)
    mutations = _list(spec.get("mutations"))
    if not mutations:
        errs.required("spec.mutations", "mutations must contain at least one item")
    for i, mutation in enumerate(mutations):
        _mutation(errs, _dict(mutation), f"spec.mutations[{i}]")
    reinvocation = spec.get("reinvocationPolicy")
    if not reinvocation:
        errs.required("spec.reinvocationPolicy")
    elif reinvocation not in REINVOCATION_POLICIES:
        errs.not_supported("spec.reinvocationPolicy", reinvocation, REINVOCATION_POLICIES)


def _validate_map(errs: Errors, obj: Obj) -> None:
    _map_spec(errs, obj)


def _validate_map_update(errs: Errors, obj: Obj, old: Obj) -> None:
    _map_spec(errs, obj, ignore_match_conditions=_same_params_and_match_conditions(obj, old))


# --------------------------------------------------------------------------- bindings


def _policy_name(errs: Errors, spec: Obj) -> None:
    name = str(spec.get("policyName") or "")
    if not name:
        errs.required("spec.policyName")
        return
    for msg in is_dns1123_subdomain(name):
        errs.invalid("spec.policyName", name, msg)


def _param_ref(errs: Errors, ref: Any, path: str) -> None:
    """``validateParamRef``: one of name or selector, and what to do when the param is missing."""
    if not isinstance(ref, dict):
        return
    name = str(ref.get("name") or "")
    selector = ref.get("selector")
    if name:
        for msg in _path_segment_name(name):
            errs.invalid(f"{path}.name", name, msg)
        if selector is not None:
            errs.forbidden(f"{path}.name", "name and selector are mutually exclusive")
    if selector is not None:
        _selector(errs, selector, f"{path}.selector")
        if name:
            errs.forbidden(f"{path}.selector", "name and selector are mutually exclusive")
    if not name and selector is None:
        errs.required(path, "one of name or selector must be specified")
    action = ref.get("parameterNotFoundAction")
    if not action:
        errs.required(f"{path}.parameterNotFoundAction")
    elif action not in PARAMETER_NOT_FOUND_ACTIONS:
        errs.not_supported(f"{path}.parameterNotFoundAction", action, PARAMETER_NOT_FOUND_ACTIONS)


def _validation_actions(errs: Errors, actions: list[Any], path: str) -> None:
    seen: set[str] = set()
    for i, action in enumerate(actions):
        if action not in VALIDATION_ACTIONS:
            errs.not_supported(f"{path}[{i}]", action, VALIDATION_ACTIONS)
        if action in seen:
            errs.duplicate(f"{path}[{i}]", action)
        seen.add(str(action))
    if "Deny" in seen and "Warn" in seen:
        errs.invalid(
            path,
            _go_slice("admissionregistration.ValidationAction", actions),
            "must not contain both Deny and Warn (repeating the same validation failure information in the API "
            "response and headers serves no purpose)",
        )
    if not seen:
        errs.required(path, "at least one validation action is required")


def _binding_common(errs: Errors, spec: Obj) -> None:
    _policy_name(errs, spec)
    _param_ref(errs, spec.get("paramRef"), "spec.paramRef")
    if isinstance(spec.get("matchResources"), dict):
        _match_resources(errs, spec["matchResources"], "spec.matchResources")


def _validate_vapb(errs: Errors, obj: Obj) -> None:
    spec = _dict(obj.get("spec"))
    _binding_common(errs, spec)
    _validation_actions(errs, _list(spec.get("validationActions")), "spec.validationActions")


def _validate_mapb(errs: Errors, obj: Obj) -> None:
    spec = _dict(obj.get("spec"))
    _binding_common(errs, spec)
    match = spec.get("matchResources")
    if isinstance(match, dict):
        _mutating_operations(errs, _list(match.get("resourceRules")), "spec.matchResources.resourceRules.operations")


def _always(validate: Callable[[Errors, Obj], None]) -> Callable[[Errors, Obj, Obj], None]:
    """An update validated as a create, whatever changed (``Validate*BindingUpdate``)."""

    def check(errs: Errors, obj: Obj, old: Obj) -> None:
        validate(errs, obj)

    return check


# --------------------------------------------------------------------------- printers

_NAME: Column = ("Name", "string", 0, "name")
_AGE: Column = ("Age", "string", 0, "")


def _meta(obj: Obj) -> Obj:
    return _dict(obj.get("metadata"))


def _webhook_cells(obj: Obj, now: float) -> list[Any]:
    meta = _meta(obj)
    return [meta.get("name", ""), len(_list(obj.get("webhooks"))), since(meta.get("creationTimestamp"), now)]


def _param_kind_cell(spec: Obj) -> str:
    param_kind = spec.get("paramKind")
    if not isinstance(param_kind, dict):
        return "<unset>"
    return f"{param_kind.get('apiVersion', '')}/{param_kind.get('kind', '')}"


def _policy_cells(count_field: str) -> Callable[[Obj, float], list[Any]]:
    def cells(obj: Obj, now: float) -> list[Any]:
        meta, spec = _meta(obj), _dict(obj.get("spec"))
        return [
            meta.get("name", ""), len(_list(spec.get(count_field))), _param_kind_cell(spec),
            since(meta.get("creationTimestamp"), now),
        ]

    return cells


def _selector_string(selector: Obj) -> str:
    """``(*metav1.LabelSelector).String()``, the gogo-protobuf rendering."""
    labels = _dict(selector.get("matchLabels"))
    label_text = "".join(f"{k}: {labels[k]}," for k in sorted(labels))
    exprs = "".join(
        f"LabelSelectorRequirement{{Key:{_dict(e).get('key', '')},Operator:{_dict(e).get('operator', '')},"
        f"Values:[{' '.join(str(v) for v in _list(_dict(e).get('values')))}],}},"
        for e in _list(selector.get("matchExpressions"))
    )
    return (
        f"&LabelSelector{{MatchLabels:map[string]string{{{label_text}}},"
        f"MatchExpressions:[]LabelSelectorRequirement{{{exprs}}},}}"
    )


def _param_ref_cell(spec: Obj) -> str:
    ref = spec.get("paramRef")
    if not isinstance(ref, dict):
        return "<unset>"
    if ref.get("name"):
        namespace = ref.get("namespace") or "*"
        return f"{namespace}/{ref['name']}"
    if isinstance(ref.get("selector"), dict):
        return _selector_string(ref["selector"])
    return "<unset>"


def _binding_cells(obj: Obj, now: float) -> list[Any]:
    meta, spec = _meta(obj), _dict(obj.get("spec"))
    return [meta.get("name", ""), spec.get("policyName", ""), _param_ref_cell(spec), since(meta.get("creationTimestamp"), now)]


_WEBHOOK_COLUMNS: tuple[Column, ...] = (_NAME, ("Webhooks", "integer", 0, ""), _AGE)
_BINDING_COLUMNS: tuple[Column, ...] = (_NAME, ("PolicyName", "string", 0, ""), ("ParamRef", "string", 0, ""), _AGE)

# --------------------------------------------------------------------------- the strategies


def _info(kind: str, plural: str, subresources: tuple[str, ...] = ()) -> ResourceInfo:
    return ResourceInfo(GROUP, "v1", kind, plural, kind.lower(), False, (), subresources, True, ("api-extensions",))


STRATEGIES: tuple[Strategy, ...] = (
    Strategy(
        _info("ValidatingWebhookConfiguration", "validatingwebhookconfigurations"),
        default=_default_webhooks(mutating=False),
        validate=_validate_validating_webhooks,
        validate_update=_validate_validating_webhooks_update,
        generation_from="webhooks",
        columns=_WEBHOOK_COLUMNS,
        cells=_webhook_cells,
    ),
    Strategy(
        _info("MutatingWebhookConfiguration", "mutatingwebhookconfigurations"),
        default=_default_webhooks(mutating=True),
        validate=_validate_mutating_webhooks,
        validate_update=_validate_mutating_webhooks_update,
        generation_from="webhooks",
        columns=_WEBHOOK_COLUMNS,
        cells=_webhook_cells,
    ),
    Strategy(
        _info("ValidatingAdmissionPolicy", "validatingadmissionpolicies", ("status",)),
        default=_default_policy,
        validate=_validate_vap,
        validate_update=_validate_vap_update,
        columns=(_NAME, ("Validations", "integer", 0, ""), ("ParamKind", "string", 0, ""), _AGE),
        cells=_policy_cells("validations"),
    ),
    Strategy(
        _info("ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings"),
        default=_default_binding,
        validate=_validate_vapb,
        validate_update=_always(_validate_vapb),
        columns=_BINDING_COLUMNS,
        cells=_binding_cells,
    ),
    Strategy(
        _info("MutatingAdmissionPolicy", "mutatingadmissionpolicies"),
        default=_default_policy,
        validate=_validate_map,
        validate_update=_validate_map_update,
        columns=(_NAME, ("Mutations", "integer", 0, ""), ("ParamKind", "string", 0, ""), _AGE),
        cells=_policy_cells("mutations"),
    ),
    Strategy(
        _info("MutatingAdmissionPolicyBinding", "mutatingadmissionpolicybindings"),
        default=_default_binding,
        validate=_validate_mapb,
        validate_update=_always(_validate_mapb),
        columns=_BINDING_COLUMNS,
        cells=_binding_cells,
    ),
)
