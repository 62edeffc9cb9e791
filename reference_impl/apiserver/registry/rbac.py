"""The ``rbac.authorization.k8s.io/v1`` group: Roles, ClusterRoles and their bindings.

Models, for the four kinds kube-apiserver v1.36 serves at ``rbac.authorization.k8s.io/v1``
(``pkg/registry/rbac/rest/storage_rbac.go``; no short names, no categories, as its discovery):

- defaulting, ``pkg/apis/rbac/v1/defaults.go``: a binding's ``roleRef.apiGroup`` and a User or
  Group subject's ``apiGroup`` default to ``rbac.authorization.k8s.io`` (a ServiceAccount's stays
  empty); and what decoding into the Go types then storing as protobuf does to the JSON: a role's
  ``rules`` (no ``omitempty``) is ``null`` when absent or empty, a rule's ``verbs`` likewise, and
  the empty ``omitempty`` fields (a rule's lists, a binding's ``subjects``, a subject's
  ``apiGroup``/``namespace``, an aggregation rule's selectors' parts) are dropped, while a
  ``roleRef``'s fields are always written;
- validation, ``pkg/apis/rbac/validation/validation.go``: names (and a roleRef's name) are path
  segment names (``content.IsPathSegmentName``: not ``.``/``..``, no ``/`` or ``%``), in place of
  the DNS-subdomain rule of the server's metadata check; rules need verbs and either apiGroups
  plus resources or nonResourceURLs, the latter only in a ClusterRole and never with resources;
  a ClusterRole's ``aggregationRule`` needs a selector, each a valid label selector (invalid
  values allowed on update when the stored one had some, as the strategy's
  ``hasInvalidLabelValueInLabelSelector``); a binding's roleRef (apiGroup, kind ``Role`` or
  ``ClusterRole`` — only the latter for a ClusterRoleBinding —, name) and subjects (a
  ServiceAccount's DNS-subdomain name, empty apiGroup and, in a ClusterRoleBinding, its
  namespace; a User's or Group's apiGroup; no other kind); an update's causes come in
  upstream's order: ``rest.BeforeUpdate``'s common fields (the new metadata, the metadata
  update), then ``Validate<Kind>Update`` (the new object as on create, metadata first, the
  metadata update again, then the immutable ``roleRef``: ``cannot change roleRef``), so a bad
  label is reported four times, as the real server does;
- the printers: Role and ClusterRole use the default table convertor
  (``rest.NewDefaultTableConvertor``: NAME, CREATED AT as an RFC 3339 date), the bindings
  ``pkg/printers/internalversion/printers.go``: NAME ROLE (``<kind>/<name>``) AGE, then USERS
  GROUPS SERVICEACCOUNTS (``<namespace>/<name>``) at priority 1;
- the bootstrap policy, ``plugin/pkg/auth/authorizer/rbac/bootstrappolicy`` as written by the
  ``rbac/bootstrap-roles`` post-start hook (``pkg/registry/rbac/rest/storage_rbac.go``): every
  ClusterRole, ClusterRoleBinding, Role and RoleBinding a real v1.36.3 server creates at start,
  read from one by ``tools/rbac_bootstrap.py`` into :mod:`._rbac_bootstrap`, created when absent.
  The aggregating roles (admin, edit, view) start with no rules: the clusterrole-aggregation
  controller (``reference_impl/controllers/clusterroleaggregation.py``) fills them.

Authorization is not enforced: the reference has no authentication, every request acts as a
``system:masters`` user would, so RBAC objects are stored and served but grant and deny nothing.
Hence also left out: the escalation checks of the policy-based storages
(``pkg/registry/rbac/*/policybased``: creating a role with rules the requester lacks, or a
binding to such a role, is never forbidden), SubjectAccessReview and the other
``authorization.k8s.io`` reviews, the hook's reconciliation of existing bootstrap objects
(``rbac.authorization.kubernetes.io/autoupdate``: a changed bootstrap object is left as changed),
the v1alpha1/v1beta1 versions, a PUT of an absent object creating it (``AllowCreateOnUpdate``:
a 404 here, as for every resource of the reference) and the printers' column descriptions
beyond Name and Age (the table code has one description per column name).
"""

from __future__ import annotations

from typing import Any

from reference_impl.apiserver.registry import _rbac_bootstrap
from reference_impl.apiserver.registry.info import ResourceInfo
from reference_impl.apiserver.registry.strategy import Column, Strategy
from reference_impl.apiserver.selectors import SelectorError, label_selector_from_dict
from reference_impl.apiserver.tables import since
from reference_impl.apiserver.validation import (
    Errors,
    GoText,
    _label_selector,
    _object_meta,
    go_json,
    is_dns1123_subdomain,
)

Obj = dict[str, Any]

GROUP = "rbac.authorization.k8s.io"
SERVICE_ACCOUNT, USER, GROUP_KIND = "ServiceAccount", "User", "Group"
SUBJECT_KINDS = (SERVICE_ACCOUNT, USER, GROUP_KIND)  # upstream's order in the NotSupported list
ROLE_REF_KINDS = ("Role", "ClusterRole")
RULE_LISTS = ("apiGroups", "resources", "resourceNames", "nonResourceURLs")  # omitempty
NAME_FIELDS = ("metadata.generateName", "metadata.name")


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return "" if value is None else str(value)


# --------------------------------------------------------------------------- defaults


def _default_rules(obj: Obj) -> None:
    """The round trip through ``[]PolicyRule`` (``json:"rules"``, each ``Verbs`` without
    ``omitempty``, the other lists with it) and the protobuf storage, where empty is nil."""
    rules = obj.get("rules")
    if not isinstance(rules, list) or not rules:
        obj["rules"] = None
        return
    for rule in rules:
        if not isinstance(rule, dict):
            continue
        if not rule.get("verbs"):
            rule["verbs"] = None
        for key in RULE_LISTS:
            if key in rule and not rule[key]:
                del rule[key]


def _default_selector(selector: Any) -> None:
    if not isinstance(selector, dict):
        return
    for key in ("matchLabels", "matchExpressions"):
        if key in selector and not selector[key]:
            del selector[key]
    for expr in _list(selector.get("matchExpressions")):
        if isinstance(expr, dict) and "values" in expr and not expr["values"]:
            del expr["values"]


def _default_role(obj: Obj) -> None:
    _default_rules(obj)


def _default_cluster_role(obj: Obj) -> None:
    _default_rules(obj)
    rule = obj.get("aggregationRule")
    if isinstance(rule, dict):
        if "clusterRoleSelectors" in rule and not rule["clusterRoleSelectors"]:
            del rule["clusterRoleSelectors"]
        for selector in _list(rule.get("clusterRoleSelectors")):
            _default_selector(selector)


def _default_binding(obj: Obj) -> None:
    """``SetDefaults_RoleBinding``/``SetDefaults_ClusterRoleBinding`` and ``SetDefaults_Subject``."""
    ref = obj.get("roleRef")
    ref = ref if isinstance(ref, dict) else {}
    obj["roleRef"] = {
        "apiGroup": _str(ref.get("apiGroup")) or GROUP,
        "kind": _str(ref.get("kind")),
        "name": _str(ref.get("name")),
    }
    subjects = obj.get("subjects")
    if not isinstance(subjects, list) or not subjects:
        obj.pop("subjects", None)
        return
    for subject in subjects:
        if not isinstance(subject, dict):
            continue
        if not subject.get("apiGroup") and subject.get("kind") in (USER, GROUP_KIND):
            subject["apiGroup"] = GROUP
        for key in ("apiGroup", "namespace"):
            if key in subject and not subject[key]:
                del subject[key]
        subject.setdefault("kind", "")
        subject.setdefault("name", "")


# --------------------------------------------------------------------------- shared checks


def path_segment_name(name: str) -> list[str]:
    """``content.IsPathSegmentName`` (``ValidateRBACName``, also for a generateName prefix)."""
    if name in (".", ".."):
        return [f"may not be '{name}'"]
    return [f"may not contain '{bad}'" for bad in ("/", "%") if bad in name]


def _rbac_names(errs: Errors, obj: Obj) -> None:
    """The name causes of ``ValidateObjectMeta`` with ``ValidateRBACName``, in place of the
    DNS-subdomain ones the server's metadata check gave (it has one name rule for every
    strategy's kind), which open ``errs``. Every path-segment error is also a DNS-subdomain
    one, so where those were is where these go."""
    invalid = [i for i, c in enumerate(errs.causes) if c["field"] in NAME_FIELDS and c["reason"] == "FieldValueInvalid"]
    at = invalid[0] if invalid else 0
    errs.causes[:] = [c for i, c in enumerate(errs.causes) if i not in invalid]
    mine = Errors()
    meta = _dict(obj.get("metadata"))
    for field, key in zip(NAME_FIELDS, ("generateName", "name"), strict=True):
        value = _str(meta.get(key))
        for msg in path_segment_name(value) if value else ():
            mine.invalid(field, value, msg)
    errs.causes[at:at] = mine.causes


def _policy_rule(errs: Errors, rule: Obj, *, namespaced: bool, path: str) -> None:
    """``ValidatePolicyRule``."""
    if not rule.get("verbs"):
        errs.required(f"{path}.verbs", "verbs must contain at least one value")
    urls = _list(rule.get("nonResourceURLs"))
    if urls:
        if namespaced:
            errs.invalid(f"{path}.nonResourceURLs", go_json(urls), "namespaced rules cannot apply to non-resource URLs")
        if any(_list(rule.get(key)) for key in ("apiGroups", "resources", "resourceNames")):
            errs.invalid(
                f"{path}.nonResourceURLs", go_json(urls), "rules cannot apply to both regular resources and non-resource URLs"
            )
        return
    if not _list(rule.get("apiGroups")):
        errs.required(f"{path}.apiGroups", "resource rules must supply at least one api group")
    if not _list(rule.get("resources")):
        errs.required(f"{path}.resources", "resource rules must supply at least one resource")


def _rules(errs: Errors, obj: Obj, *, namespaced: bool) -> None:
    for i, rule in enumerate(_list(obj.get("rules"))):
        _policy_rule(errs, _dict(rule), namespaced=namespaced, path=f"rules[{i}]")


def _selector_errors(selector: Obj) -> bool:
    """Whether ``LabelSelectorAsSelector`` fails on ``selector``."""
    try:
        label_selector_from_dict(selector)
    except SelectorError:
        return True
    return False


def _has_invalid_label_value(obj: Obj) -> bool:
    """The strategy's ``hasInvalidLabelValueInLabelSelector`` (of the stored object)."""
    for selector in _list(_dict(obj.get("aggregationRule")).get("clusterRoleSelectors")):
        errs = Errors()
        _label_selector(errs, _dict(selector), "", allow_invalid_values=False)
        if errs.causes:
            return True
    return False


def _aggregation_rule(errs: Errors, obj: Obj, *, allow_invalid_values: bool) -> None:
    rule = obj.get("aggregationRule")
    if not isinstance(rule, dict):
        return
    selectors = _list(rule.get("clusterRoleSelectors"))
    if not selectors:
        errs.required(
            "aggregationRule.clusterRoleSelectors", "at least one clusterRoleSelector required if aggregationRule is non-nil"
        )
    for i, selector in enumerate(selectors):
        path = f"aggregationRule.clusterRoleSelectors[{i}]"
        _label_selector(errs, _dict(selector), path, allow_invalid_values=allow_invalid_values)
        if _selector_errors(_dict(selector)):
            # upstream passes the nil labels.Selector the failed conversion returned
            errs.invalid(path, GoText("null"), "invalid label selector.")


def _role_ref(errs: Errors, obj: Obj, kinds: tuple[str, ...]) -> None:
    ref = _dict(obj.get("roleRef"))
    api_group = _str(ref.get("apiGroup"))
    if api_group != GROUP:
        errs.not_supported("roleRef.apiGroup", api_group, (GROUP,))
    kind = _str(ref.get("kind"))
    if kind not in kinds:
        errs.not_supported("roleRef.kind", kind, kinds)
    name = _str(ref.get("name"))
    if not name:
        errs.required("roleRef.name")
    for msg in path_segment_name(name) if name else ():
        errs.invalid("roleRef.name", name, msg)


def _subject(errs: Errors, subject: Obj, *, namespaced: bool, path: str) -> None:
    """``ValidateRoleBindingSubject``."""
    name = _str(subject.get("name"))
    if not name:
        errs.required(f"{path}.name")
    kind, api_group = _str(subject.get("kind")), _str(subject.get("apiGroup"))
    if kind == SERVICE_ACCOUNT:
        for msg in is_dns1123_subdomain(name) if name else ():
            errs.invalid(f"{path}.name", name, msg)
        if api_group:
            errs.not_supported(f"{path}.apiGroup", api_group, ("",))
        if not namespaced and not subject.get("namespace"):
            errs.required(f"{path}.namespace")
    elif kind in (USER, GROUP_KIND):
        if api_group != GROUP:
            errs.not_supported(f"{path}.apiGroup", api_group, (GROUP,))
    else:
        errs.not_supported(f"{path}.kind", kind, SUBJECT_KINDS)


def _subjects(errs: Errors, obj: Obj, *, namespaced: bool) -> None:
    for i, subject in enumerate(_list(obj.get("subjects"))):
        _subject(errs, _dict(subject), namespaced=namespaced, path=f"subjects[{i}]")


# --------------------------------------------------------------------------- per kind


def _validate_role(errs: Errors, obj: Obj) -> None:
    _rbac_names(errs, obj)
    _rules(errs, obj, namespaced=True)


def _validate_cluster_role(errs: Errors, obj: Obj, *, allow_invalid_values: bool = False) -> None:
    _rbac_names(errs, obj)
    _rules(errs, obj, namespaced=False)
    _aggregation_rule(errs, obj, allow_invalid_values=allow_invalid_values)


def _validate_role_binding(errs: Errors, obj: Obj) -> None:
    _rbac_names(errs, obj)
    _role_ref(errs, obj, ROLE_REF_KINDS)
    _subjects(errs, obj, namespaced=True)


def _validate_cluster_role_binding(errs: Errors, obj: Obj) -> None:
    _rbac_names(errs, obj)
    _role_ref(errs, obj, ("ClusterRole",))
    _subjects(errs, obj, namespaced=False)


def _update_prefix(errs: Errors, kind: str, obj: Obj) -> list[Any]:
    """Start an update's causes as upstream orders them, and return the metadata update causes
    (which ``Validate<Kind>Update`` adds again after the new object's own).

    Upstream's ``rest.BeforeUpdate`` first checks the common fields (``ValidateObjectMeta``
    of the new object with path-segment names, then ``ValidateObjectMetaUpdate``), then calls
    the strategy, whose ``Validate<Kind>Update`` validates the new object as on create (its
    ``ValidateObjectMeta`` first) and then the metadata update again: so a bad label is reported
    four times. The server ran only the metadata update check before calling the strategy,
    and its causes open ``errs``.
    """
    update_causes = list(errs.causes)
    mine = Errors()
    _object_meta(mine, kind, obj)
    _rbac_names(mine, obj)
    errs.causes[:] = [*mine.causes, *update_causes, *(dict(c) for c in mine.causes)]
    return update_causes


def _go_role_ref(ref: Obj) -> GoText:
    """An internal ``rbac.RoleRef`` (no JSON tags) as ``json.Marshal`` renders it."""
    return go_json({"APIGroup": _str(ref.get("apiGroup")), "Kind": _str(ref.get("kind")), "Name": _str(ref.get("name"))})


def _immutable_role_ref(errs: Errors, obj: Obj, old: Obj) -> None:
    ref = _dict(obj.get("roleRef"))
    if ref != _dict(old.get("roleRef")):
        errs.invalid("roleRef", _go_role_ref(ref), "cannot change roleRef")


def _validate_role_update(errs: Errors, obj: Obj, old: Obj) -> None:
    update_causes = _update_prefix(errs, "Role", obj)
    _rules(errs, obj, namespaced=True)
    errs.causes.extend(dict(c) for c in update_causes)


def _validate_cluster_role_update(errs: Errors, obj: Obj, old: Obj) -> None:
    update_causes = _update_prefix(errs, "ClusterRole", obj)
    _rules(errs, obj, namespaced=False)
    _aggregation_rule(errs, obj, allow_invalid_values=_has_invalid_label_value(old))
    errs.causes.extend(dict(c) for c in update_causes)


def _validate_role_binding_update(errs: Errors, obj: Obj, old: Obj) -> None:
    update_causes = _update_prefix(errs, "RoleBinding", obj)
    _role_ref(errs, obj, ROLE_REF_KINDS)
    _subjects(errs, obj, namespaced=True)
    errs.causes.extend(dict(c) for c in update_causes)
    _immutable_role_ref(errs, obj, old)


def _validate_cluster_role_binding_update(errs: Errors, obj: Obj, old: Obj) -> None:
    update_causes = _update_prefix(errs, "ClusterRoleBinding", obj)
    _role_ref(errs, obj, ("ClusterRole",))
    _subjects(errs, obj, namespaced=False)
    errs.causes.extend(dict(c) for c in update_causes)
    _immutable_role_ref(errs, obj, old)


# --------------------------------------------------------------------------- printers

_NAME: Column = ("Name", "string", 0, "name")
_CREATED_AT: Column = ("Created At", "date", 0, "")
_BINDING_COLUMNS: tuple[Column, ...] = (
    _NAME, ("Role", "string", 0, ""), ("Age", "string", 0, ""),
    ("Users", "string", 1, ""), ("Groups", "string", 1, ""), ("ServiceAccounts", "string", 1, ""),
)


def _role_cells(obj: Obj, now: float) -> list[Any]:
    """The default table convertor's row: the name and the creation time as RFC 3339."""
    meta = _dict(obj.get("metadata"))
    return [meta.get("name", ""), meta.get("creationTimestamp")]


def subjects_strings(subjects: Any) -> tuple[list[str], list[str], list[str], list[str]]:
    """``rbac.SubjectsStrings``: users, groups, service accounts (``ns/name``) and the others."""
    users: list[str] = []
    groups: list[str] = []
    sas: list[str] = []
    others: list[str] = []
    for subject in _list(subjects):
        subject = _dict(subject)
        kind, name, ns = _str(subject.get("kind")), _str(subject.get("name")), _str(subject.get("namespace"))
        if kind == SERVICE_ACCOUNT:
            sas.append(f"{ns}/{name}")
        elif kind == USER:
            users.append(name)
        elif kind == GROUP_KIND:
            groups.append(name)
        else:
            others.append(f"{kind}/{ns}/{name}")
    return users, groups, sas, others


def _binding_cells(obj: Obj, now: float) -> list[Any]:
    meta, ref = _dict(obj.get("metadata")), _dict(obj.get("roleRef"))
    users, groups, sas, _ = subjects_strings(obj.get("subjects"))
    return [
        meta.get("name", ""), f"{_str(ref.get('kind'))}/{_str(ref.get('name'))}",
        since(meta.get("creationTimestamp"), now), ", ".join(users), ", ".join(groups), ", ".join(sas),
    ]


# --------------------------------------------------------------------------- the strategies


def _info(kind: str, plural: str, *, namespaced: bool) -> ResourceInfo:
    return ResourceInfo(GROUP, "v1", kind, plural, kind.lower(), namespaced)


# discovery order (the real server's: alphabetical by resource); the bootstrap objects are
# module-level tuples decoded once per process, copied by the server for each create
STRATEGIES: tuple[Strategy, ...] = (
    Strategy(
        _info("ClusterRoleBinding", "clusterrolebindings", namespaced=False),
        default=_default_binding,
        validate=_validate_cluster_role_binding,
        validate_update=_validate_cluster_role_binding_update,
        columns=_BINDING_COLUMNS,
        cells=_binding_cells,
        bootstrap=_rbac_bootstrap.CLUSTER_ROLE_BINDINGS,
    ),
    Strategy(
        _info("ClusterRole", "clusterroles", namespaced=False),
        default=_default_cluster_role,
        validate=_validate_cluster_role,
        validate_update=_validate_cluster_role_update,
        columns=(_NAME, _CREATED_AT),
        cells=_role_cells,
        bootstrap=_rbac_bootstrap.CLUSTER_ROLES,
    ),
    Strategy(
        _info("RoleBinding", "rolebindings", namespaced=True),
        default=_default_binding,
        validate=_validate_role_binding,
        validate_update=_validate_role_binding_update,
        columns=_BINDING_COLUMNS,
        cells=_binding_cells,
        bootstrap=_rbac_bootstrap.ROLE_BINDINGS,
    ),
    Strategy(
        _info("Role", "roles", namespaced=True),
        default=_default_role,
        validate=_validate_role,
        validate_update=_validate_role_update,
        columns=(_NAME, _CREATED_AT),
        cells=_role_cells,
        bootstrap=_rbac_bootstrap.ROLES,
    ),
)
