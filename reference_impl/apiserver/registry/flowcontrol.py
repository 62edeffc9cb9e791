"""The ``flowcontrol.apiserver.k8s.io/v1`` group: API Priority and Fairness configuration.

Models, for the two cluster-scoped kinds (both with a ``status`` subresource):

- defaulting, ``pkg/apis/flowcontrol/v1/defaults.go``: a FlowSchema's ``matchingPrecedence``
  1000 when 0/absent; a limited level's ``nominalConcurrencyShares`` 30 when absent (0 stays 0)
  and ``lendablePercent`` 0; an exempt level's ``nominalConcurrencyShares`` and
  ``lendablePercent`` 0; queuing ``queues`` 64, ``handSize`` 8, ``queueLengthLimit`` 50;
- validation, ``pkg/apis/flowcontrol/validation/validation.go``: matching precedence range and
  the ``exempt``-only precedence 1, distinguisher method, the priority level reference, rules
  (subjects of each kind, resource and non-resource rules, verbs, wildcards, namespaces,
  non-resource URL paths), a level's type (``Exempt`` iff named ``exempt``), limited/exempt
  settings, limit response and queuing (with the shuffle-sharding entropy bound), the status
  conditions (unique, non-empty types), and the fixed specs of the mandatory objects (``exempt``
  and ``catch-all``; the exempt level may change its ``spec.exempt``), with the bad spec rendered
  as ``json.Marshal`` of the internal type renders it;
- the strategies, ``pkg/registry/flowcontrol/*/strategy.go``: status reset on create,
  generation 1 and bumped on spec changes, status writes validated for status only;
- the printers, ``pkg/printers/internalversion/printers.go``: NAME PRIORITYLEVEL
  MATCHINGPRECEDENCE DISTINGUISHERMETHOD AGE MISSINGPL and NAME TYPE NOMINALCONCURRENCYSHARES
  QUEUES HANDSIZE QUEUELENGTHLIMIT AGE;
- the bootstrap configuration, ``staging/src/k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap/
  default.go`` (v1.36): the mandatory and suggested FlowSchemas and PriorityLevelConfigurations,
  annotated ``apf.kubernetes.io/autoupdate-spec: "true"``, created at start when absent (what
  ``pkg/registry/flowcontrol/ensurer`` does; its later re-syncing of auto-updated specs is left out).

Leaves out: request classification and queuing themselves (no ``X-Kubernetes-PF-*`` headers),
the APF config controller that writes ``Dangling`` conditions (so MISSINGPL prints ``?``), the
list printer's sort by precedence then name, the v1beta3 zero-shares round-trip annotation check,
the ensurer re-applying or deleting auto-updated objects.
"""

from __future__ import annotations

import math
from typing import Any

from reference_impl.apiserver.registry.info import ResourceInfo
from reference_impl.apiserver.registry.strategy import Column, Strategy
from reference_impl.apiserver.tables import since
from reference_impl.apiserver.validation import Errors, go_json, is_dns1123_label, is_dns1123_subdomain

Obj = dict[str, Any]

GROUP = "flowcontrol.apiserver.k8s.io"
AUTO_UPDATE = "apf.kubernetes.io/autoupdate-spec"
MAX_MATCHING_PRECEDENCE = 10000
MAX_QUEUES = 10 * 1000 * 1000
MAX_HASH_BITS = 60
DISTINGUISHER_METHODS = ("ByNamespace", "ByUser")
VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "proxy", "update", "watch")
SUBJECT_KINDS = ("Group", "ServiceAccount", "User")
ENABLEMENTS = ("Exempt", "Limited")
LIMIT_RESPONSE_TYPES = ("Queue", "Reject")
NS_INTRO = "each member of this list must be '*' or a DNS-1123 label; "


def _d(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _i(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


# --------------------------------------------------------------------------- internal forms

def _strs(value: Any) -> list[str] | None:
    return [str(v) for v in value] if isinstance(value, list) else None


def _named(value: Any) -> Obj | None:
    return {"Name": _d(value).get("name", "")} if isinstance(value, dict) else None


def _internal_fs_spec(spec: Obj) -> Obj:
    """The internal ``flowcontrol.FlowSchemaSpec`` (Go field names and order) of a v1 spec."""
    dm = spec.get("distinguisherMethod")
    rules = []
    for rule in _l(spec.get("rules")):
        rule = _d(rule)
        subjects = [
            {
                "Kind": _d(s).get("kind", ""), "User": _named(_d(s).get("user")), "Group": _named(_d(s).get("group")),
                "ServiceAccount": (
                    {"Namespace": _d(s)["serviceAccount"].get("namespace", ""), "Name": _d(s)["serviceAccount"].get("name", "")}
                    if isinstance(_d(s).get("serviceAccount"), dict) else None
                ),
            }
            for s in _l(rule.get("subjects"))
        ] if isinstance(rule.get("subjects"), list) else None
        rrules = [
            {
                "Verbs": _strs(_d(r).get("verbs")), "APIGroups": _strs(_d(r).get("apiGroups")),
                "Resources": _strs(_d(r).get("resources")), "ClusterScope": bool(_d(r).get("clusterScope")),
                "Namespaces": _strs(_d(r).get("namespaces")),
            }
            for r in _l(rule.get("resourceRules"))
        ] if isinstance(rule.get("resourceRules"), list) else None
        nrules = [
            {"Verbs": _strs(_d(r).get("verbs")), "NonResourceURLs": _strs(_d(r).get("nonResourceURLs"))}
            for r in _l(rule.get("nonResourceRules"))
        ] if isinstance(rule.get("nonResourceRules"), list) else None
        rules.append({"Subjects": subjects, "ResourceRules": rrules, "NonResourceRules": nrules})
    return {
        "PriorityLevelConfiguration": {"Name": _d(spec.get("priorityLevelConfiguration")).get("name", "")},
        "MatchingPrecedence": _i(spec.get("matchingPrecedence")),
        "DistinguisherMethod": {"Type": _d(dm).get("type", "")} if isinstance(dm, dict) else None,
        "Rules": rules if isinstance(spec.get("rules"), list) else None,
    }


def _opt_int(obj: Obj, key: str) -> int | None:
    value = obj.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _internal_plc_spec(spec: Obj) -> Obj:
    """The internal ``flowcontrol.PriorityLevelConfigurationSpec`` of a v1 spec."""
    limited, exempt = spec.get("limited"), spec.get("exempt")
    lim: Obj | None = None
    if isinstance(limited, dict):
        lr = _d(limited.get("limitResponse"))
        q = lr.get("queuing")
        lim = {
            "NominalConcurrencyShares": _i(limited.get("nominalConcurrencyShares")),
            "LimitResponse": {
                "Type": lr.get("type", ""),
                "Queuing": (
                    {"Queues": _i(q.get("queues")), "HandSize": _i(q.get("handSize")),
                     "QueueLengthLimit": _i(q.get("queueLengthLimit"))}
                    if isinstance(q, dict) else None
                ),
            },
            "LendablePercent": _opt_int(limited, "lendablePercent"),
            "BorrowingLimitPercent": _opt_int(limited, "borrowingLimitPercent"),
        }
    ex = (
        {"NominalConcurrencyShares": _opt_int(exempt, "nominalConcurrencyShares"),
         "LendablePercent": _opt_int(exempt, "lendablePercent")}
        if isinstance(exempt, dict) else None
    )
    return {"Type": spec.get("type", ""), "Limited": lim, "Exempt": ex}


def _semantic_equal(a: Any, b: Any) -> bool:
    """``apiequality.Semantic.DeepEqual``: as ``==``, but a nil slice equals an empty one."""
    if isinstance(a, list) or isinstance(b, list):
        la, lb = a or [], b or []
        return isinstance(la, list) and isinstance(lb, list) and len(la) == len(lb) \
            and all(_semantic_equal(x, y) for x, y in zip(la, lb, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_semantic_equal(a[k], b[k]) for k in a)
    return bool(a == b)


# --------------------------------------------------------------------------- defaults

def _default_queuing(q: Obj) -> None:
    for key, value in (("handSize", 8), ("queues", 64), ("queueLengthLimit", 50)):
        if not q.get(key):
            q[key] = value


def default_flowschema(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    if isinstance(spec, dict) and not spec.get("matchingPrecedence"):
        spec["matchingPrecedence"] = 1000


def default_plc(obj: Obj) -> None:
    spec = _d(obj.setdefault("spec", {}))
    exempt = spec.get("exempt")
    if isinstance(exempt, dict):
        exempt.setdefault("nominalConcurrencyShares", 0)
        exempt.setdefault("lendablePercent", 0)
        for key in ("nominalConcurrencyShares", "lendablePercent"):
            if exempt[key] is None:
                exempt[key] = 0
    limited = spec.get("limited")
    if isinstance(limited, dict):
        if limited.get("nominalConcurrencyShares") is None:
            limited["nominalConcurrencyShares"] = 30
        if limited.get("lendablePercent") is None:
            limited["lendablePercent"] = 0
        queuing = _d(limited.get("limitResponse")).get("queuing")
        if isinstance(queuing, dict):
            _default_queuing(queuing)


# --------------------------------------------------------------------------- validation

def _name_errors(value: str) -> list[str]:
    return is_dns1123_subdomain(value)


def _wildcard_list(errs: Errors, path: str, values: list[Any], what: str) -> bool:
    """A list holding ``*``: alone or an Invalid. Returns whether it held one."""
    if "*" not in values:
        return False
    if len(values) > 1:
        errs.invalid(path, go_json(values), f"if '*' is present, must not specify other {what}")
    return True


def _verbs(errs: Errors, path: str, verbs: list[Any]) -> None:
    if not verbs:
        errs.required(path, "verbs must contain at least one value")
    elif not _wildcard_list(errs, path, verbs, "verbs") and not set(verbs) <= set(VERBS):
        errs.not_supported(path, go_json(verbs), VERBS)


def _non_resource_url(errs: Errors, path: str, url: str) -> None:
    if not url:
        errs.invalid(path, url, "must not be empty")
    elif url == "/":
        return
    elif not url.startswith("/"):
        errs.invalid(path, url, "must start with slash")
    elif " " in url:
        errs.invalid(path, url, "must not contain white-space")
    elif "//" in url:
        errs.invalid(path, url, "must not contain double slash")
    elif url.count("*") > 1 or (url.count("*") == 1 and url[-2:] != "/*"):
        errs.invalid(path, url, "wildcard can only do suffix matching")


def _subject(errs: Errors, path: str, subject: Obj) -> None:
    kind = subject.get("kind", "")
    others = {
        "user": "user is forbidden when subject kind is not 'User'",
        "group": "group is forbidden when subject kind is not 'Group'",
        "serviceAccount": "serviceAccount is forbidden when subject kind is not 'ServiceAccount'",
    }
    own = {"ServiceAccount": "serviceAccount", "User": "user", "Group": "group"}.get(kind)
    if own is None:
        errs.not_supported(f"{path}.kind", kind, SUBJECT_KINDS)
        return
    value = subject.get(own)
    if not isinstance(value, dict):
        errs.required(f"{path}.{own}", f"{own} is required when subject kind is '{kind}'")
    elif own == "serviceAccount":
        name, namespace = value.get("name", ""), value.get("namespace", "")
        if not name:
            errs.required(f"{path}.serviceAccount.name")
        elif name != "*":
            for msg in is_dns1123_subdomain(name):
                errs.invalid(f"{path}.serviceAccount.name", name, msg)
        if namespace:
            for msg in is_dns1123_label(namespace):
                errs.invalid(f"{path}.serviceAccount.namespace", namespace, msg)
        else:
            errs.required(f"{path}.serviceAccount.namespace", "must specify namespace for service account")
    elif not value.get("name"):
        errs.required(f"{path}.{own}.name")
    order = {"serviceAccount": ("user", "group"), "user": ("serviceAccount", "group"), "group": ("serviceAccount", "user")}
    for other in order[own]:
        if subject.get(other) is not None:
            errs.forbidden(f"{path}.{other}", others[other])


def _resource_rule(errs: Errors, path: str, rule: Obj) -> None:
    _verbs(errs, f"{path}.verbs", _l(rule.get("verbs")))
    for key, what, required in (
        ("apiGroups", "api groups", "resource rules must supply at least one api group"),
        ("resources", "resources", "resource rules must supply at least one resource"),
    ):
        values = _l(rule.get(key))
        if not values:
            errs.required(f"{path}.{key}", required)
        elif len(values) > 1:
            _wildcard_list(errs, f"{path}.{key}", values, what)
    namespaces = _l(rule.get("namespaces"))
    if not namespaces and not rule.get("clusterScope"):
        errs.required(
            f"{path}.namespaces", "resource rules that are not cluster scoped must supply at least one namespace"
        )
    elif not _wildcard_list(errs, f"{path}.namespaces", namespaces, "namespaces"):
        for i, ns in enumerate(namespaces):
            for msg in is_dns1123_label(str(ns)):
                errs.invalid(f"{path}.namespaces[{i}]", ns, NS_INTRO + msg)


def _non_resource_rule(errs: Errors, path: str, rule: Obj) -> None:
    _verbs(errs, f"{path}.verbs", _l(rule.get("verbs")))
    urls = _l(rule.get("nonResourceURLs"))
    if not urls:
        errs.required(f"{path}.nonResourceURLs", "nonResourceURLs must contain at least one value")
    elif not _wildcard_list(errs, f"{path}.nonResourceURLs", urls, "non-resource URLs"):
        for i, url in enumerate(urls):
            _non_resource_url(errs, f"{path}.nonResourceURLs[{i}]", str(url))


def _conditions(errs: Errors, status: Any) -> None:
    seen: set[str] = set()
    for i, cond in enumerate(_l(_d(status).get("conditions"))):
        ctype = _d(cond).get("type", "")
        if ctype in seen:
            errs.duplicate(f"status.conditions[{i}].type", ctype)
        seen.add(ctype)
        if not ctype:
            errs.required(f"status.conditions[{i}].type")


def validate_flowschema(errs: Errors, obj: Obj) -> None:
    name = _d(obj.get("metadata")).get("name", "")
    spec = _d(obj.get("spec"))
    mp = _i(spec.get("matchingPrecedence"))
    if mp <= 0:
        errs.invalid("spec.matchingPrecedence", mp, "must be a positive value")
    if mp > MAX_MATCHING_PRECEDENCE:
        errs.invalid("spec.matchingPrecedence", mp, f"must not be greater than {MAX_MATCHING_PRECEDENCE}")
    if mp == 1 and name != "exempt":
        errs.invalid("spec.matchingPrecedence", mp, "only the schema named 'exempt' may have matchingPrecedence 1")
    dm = spec.get("distinguisherMethod")
    if isinstance(dm, dict) and dm.get("type") not in DISTINGUISHER_METHODS:
        errs.not_supported("spec.distinguisherMethod.type", go_json({"Type": dm.get("type", "")}), DISTINGUISHER_METHODS)
    pl = _d(spec.get("priorityLevelConfiguration")).get("name", "")
    if pl:
        for msg in _name_errors(pl):
            errs.invalid("spec.priorityLevelConfiguration.name", pl, msg)
    else:
        errs.required("spec.priorityLevelConfiguration.name", "must reference a priority level")
    for i, rule in enumerate(_l(spec.get("rules"))):
        path, rule = f"spec.rules[{i}]", _d(rule)
        subjects = _l(rule.get("subjects"))
        if not subjects:
            errs.required(f"{path}.subjects", "subjects must contain at least one value")
        for j, subject in enumerate(subjects):
            _subject(errs, f"{path}.subjects[{j}]", _d(subject))
        rrules, nrules = _l(rule.get("resourceRules")), _l(rule.get("nonResourceRules"))
        if not rrules and not nrules:
            errs.required(path, "at least one of resourceRules and nonResourceRules has to be non-empty")
        for j, r in enumerate(rrules):
            _resource_rule(errs, f"{path}.resourceRules[{j}]", _d(r))
        for j, r in enumerate(nrules):
            _non_resource_rule(errs, f"{path}.nonResourceRules[{j}]", _d(r))
    mandatory = MANDATORY_FLOWSCHEMA_SPECS.get(name)
    if mandatory is not None:
        have = _internal_fs_spec(spec)
        if not _semantic_equal(have, mandatory):
            errs.invalid("spec", go_json(have), f"spec of '{name}' must equal the fixed value")
    _conditions(errs, obj.get("status"))


def _required_entropy_bits(deck: int, hand: int) -> int:
    """``shufflesharding.RequiredEntropyBits``: ceil(log2(deck^hand))."""
    return math.ceil(math.log2(deck) * hand) if deck > 0 else 0


def _queuing(errs: Errors, path: str, q: Obj) -> None:
    qll, queues, hand = _i(q.get("queueLengthLimit")), _i(q.get("queues")), _i(q.get("handSize"))
    if qll <= 0:
        errs.invalid(f"{path}.queueLengthLimit", qll, "must be positive")
    if queues <= 0:
        errs.invalid(f"{path}.queues", queues, "must be positive")
    elif queues > MAX_QUEUES:
        errs.invalid(f"{path}.queues", queues, f"must not be greater than {MAX_QUEUES}")
    if hand <= 0:
        errs.invalid(f"{path}.handSize", hand, "must be positive")
    elif hand > queues:
        errs.invalid(f"{path}.handSize", hand, f"should not be greater than queues ({queues})")
    elif _required_entropy_bits(queues, hand) > MAX_HASH_BITS:
        errs.invalid(
            f"{path}.handSize", hand,
            f"required entropy bits of deckSize {queues} and handSize {hand} should not be greater than {MAX_HASH_BITS}",
        )


def _percent(errs: Errors, path: str, value: Any) -> None:
    if isinstance(value, int) and not 0 <= value <= 100:
        errs.invalid(path, value, "must be between 0 and 100, inclusive")


def validate_plc(errs: Errors, obj: Obj) -> None:
    name = _d(obj.get("metadata")).get("name", "")
    spec = _d(obj.get("spec"))
    ptype = spec.get("type", "")
    if (name == "exempt") != (ptype == "Exempt"):
        errs.invalid("spec.type", ptype, "must be 'Exempt' if and only if `name` is 'exempt'")
    limited, exempt = spec.get("limited"), spec.get("exempt")
    if ptype == "Exempt":
        if limited is not None:
            errs.forbidden("spec.limited", "must be nil if the type is not Limited")
        if isinstance(exempt, dict):
            ncs = exempt.get("nominalConcurrencyShares")
            if isinstance(ncs, int) and ncs < 0:
                errs.invalid("spec.exempt.nominalConcurrencyShares", ncs, "must be a non-negative integer")
            _percent(errs, "spec.exempt.lendablePercent", exempt.get("lendablePercent"))
    elif ptype == "Limited":
        if exempt is not None:
            errs.forbidden("spec.exempt", "must be nil if the type is Limited")
        if not isinstance(limited, dict):
            errs.required("spec.limited", "must not be empty when type is Limited")
        else:
            ncs = _i(limited.get("nominalConcurrencyShares"))
            if ncs < 0:
                errs.invalid("spec.limited.nominalConcurrencyShares", ncs, "must be a non-negative integer")
            lr = _d(limited.get("limitResponse"))
            lrtype, queuing = lr.get("type", ""), lr.get("queuing")
            if lrtype == "Reject":
                if queuing is not None:
                    errs.forbidden(
                        "spec.limited.limitResponse.queuing", "must be nil if limited.limitResponse.type is not Limited"
                    )
            elif lrtype == "Queue":
                if not isinstance(queuing, dict):
                    errs.required(
                        "spec.limited.limitResponse.queuing", "must not be empty if limited.limitResponse.type is Limited"
                    )
                else:
                    _queuing(errs, "spec.limited.limitResponse.queuing", queuing)
            elif not lrtype:
                errs.required("spec.limited.limitResponse.type")
            else:
                errs.not_supported("spec.limited.limitResponse.type", lrtype, LIMIT_RESPONSE_TYPES)
            _percent(errs, "spec.limited.lendablePercent", limited.get("lendablePercent"))
            blp = limited.get("borrowingLimitPercent")
            if isinstance(blp, int) and blp < 0:
                errs.invalid("spec.limited.borrowingLimitPercent", blp, "if specified, must be a non-negative integer")
    elif not ptype:
        errs.required("spec.type")
    else:
        errs.not_supported("spec.type", ptype, ENABLEMENTS)
    mandatory = MANDATORY_PLC_SPECS.get(name)
    if mandatory is not None:
        have = _internal_plc_spec(spec)
        if name == "exempt":
            if not _semantic_equal({**have, "Exempt": mandatory["Exempt"]}, mandatory):
                errs.invalid(
                    "spec", go_json(have), f"spec of '{name}' except the 'spec.exempt' field must equal the fixed value"
                )
        elif not _semantic_equal(have, mandatory):
            errs.invalid("spec", go_json(have), f"spec of '{name}' must equal the fixed value")
    _conditions(errs, obj.get("status"))


def empty_status(obj: Obj) -> None:
    """``PrepareForCreate``: the status is the server's, an empty struct (serialized ``{}``)."""
    obj["status"] = {}


def _status_only(validate: Any) -> Any:
    """``ValidateUpdate``: the whole object again; a status write (spec unchanged) its status only."""
    def check(errs: Errors, obj: Obj, old: Obj) -> None:
        if obj.get("spec") == old.get("spec"):
            _conditions(errs, obj.get("status"))
        else:
            validate(errs, obj)

    return check


# --------------------------------------------------------------------------- printers

_NAME: Column = ("Name", "string", 0, "name")
_AGE: Column = ("Age", "string", 0, "")


def _fs_cells(obj: Obj, now: float) -> list[Any]:
    meta, spec = _d(obj.get("metadata")), _d(obj.get("spec"))
    dm = spec.get("distinguisherMethod")
    missing = "?"
    for cond in _l(_d(obj.get("status")).get("conditions")):
        if _d(cond).get("type") == "Dangling":
            missing = _d(cond).get("status", "")
            break
    return [
        meta.get("name", ""), _d(spec.get("priorityLevelConfiguration")).get("name", ""),
        _i(spec.get("matchingPrecedence")), _d(dm).get("type", "") if isinstance(dm, dict) else "<none>",
        since(meta.get("creationTimestamp"), now), missing,
    ]


def _plc_cells(obj: Obj, now: float) -> list[Any]:
    meta, spec = _d(obj.get("metadata")), _d(obj.get("spec"))
    ncs: Any = "<none>"
    queues: Any = "<none>"
    hand: Any = "<none>"
    qll: Any = "<none>"
    limited = spec.get("limited")
    if isinstance(limited, dict):
        ncs = _i(limited.get("nominalConcurrencyShares"))
        q = _d(limited.get("limitResponse")).get("queuing")
        if isinstance(q, dict):
            queues, hand, qll = _i(q.get("queues")), _i(q.get("handSize")), _i(q.get("queueLengthLimit"))
    return [meta.get("name", ""), spec.get("type", ""), ncs, queues, hand, qll, since(meta.get("creationTimestamp"), now)]


# --------------------------------------------------------------------------- bootstrap objects

_ALL_RULES: Obj = {
    "resourceRules": [
        {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"], "clusterScope": True, "namespaces": ["*"]}
    ],
    "nonResourceRules": [{"verbs": ["*"], "nonResourceURLs": ["*"]}],
}


def _groups(*names: str) -> list[Obj]:
    return [{"kind": "Group", "group": {"name": n}} for n in names]


def _users(*names: str) -> list[Obj]:
    return [{"kind": "User", "user": {"name": n}} for n in names]


_KUBE_SYSTEM_SAS: list[Obj] = [{"kind": "ServiceAccount", "serviceAccount": {"name": "*", "namespace": "kube-system"}}]


def _meta(name: str) -> Obj:
    return {"name": name, "annotations": {AUTO_UPDATE: "true"}}


def _fs(name: str, pl: str, precedence: int, method: str, rule: Obj) -> Obj:
    spec: Obj = {"priorityLevelConfiguration": {"name": pl}, "matchingPrecedence": precedence}
    if method:
        spec["distinguisherMethod"] = {"type": method}
    spec["rules"] = [rule]
    return {"apiVersion": f"{GROUP}/v1", "kind": "FlowSchema", "metadata": _meta(name), "spec": spec}


def _limited(name: str, shares: int, lendable: int, queuing: tuple[int, int, int] | None) -> Obj:
    response: Obj = {"type": "Reject"}
    if queuing is not None:
        response = {"type": "Queue", "queuing": dict(zip(("queues", "handSize", "queueLengthLimit"), queuing, strict=True))}
    return {
        "apiVersion": f"{GROUP}/v1", "kind": "PriorityLevelConfiguration", "metadata": _meta(name),
        "spec": {"type": "Limited", "limited": {
            "nominalConcurrencyShares": shares, "lendablePercent": lendable, "limitResponse": response,
        }},
    }


_EVERYONE = ("system:unauthenticated", "system:authenticated")
KCM, SCHEDULER = "system:kube-controller-manager", "system:kube-scheduler"

#: Mandatory then suggested, in ``default.go``'s list order.
BOOTSTRAP_PLCS: tuple[Obj, ...] = (
    _limited("catch-all", 5, 0, None),
    {
        "apiVersion": f"{GROUP}/v1", "kind": "PriorityLevelConfiguration", "metadata": _meta("exempt"),
        "spec": {"type": "Exempt", "exempt": {"nominalConcurrencyShares": 0, "lendablePercent": 0}},
    },
    _limited("system", 30, 33, (64, 6, 50)),
    _limited("node-high", 40, 25, (64, 6, 50)),
    _limited("leader-election", 10, 0, (16, 4, 50)),
    _limited("workload-high", 40, 50, (128, 6, 50)),
    _limited("workload-low", 100, 90, (128, 6, 50)),
    _limited("global-default", 20, 50, (128, 6, 50)),
)

BOOTSTRAP_FLOWSCHEMAS: tuple[Obj, ...] = (
    _fs("exempt", "exempt", 1, "", {"subjects": _groups("system:masters"), **_ALL_RULES}),
    _fs("catch-all", "catch-all", 10000, "ByUser", {"subjects": _groups(*_EVERYONE), **_ALL_RULES}),
    _fs("system-nodes", "system", 500, "ByUser", {"subjects": _groups("system:nodes"), **_ALL_RULES}),
    _fs("system-node-high", "node-high", 400, "ByUser", {
        "subjects": _groups("system:nodes"),
        "resourceRules": [
            {"verbs": ["*"], "apiGroups": [""], "resources": ["nodes", "nodes/status"], "clusterScope": True,
             "namespaces": ["*"]},
            {"verbs": ["*"], "apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "namespaces": ["*"]},
        ],
    }),
    _fs("probes", "exempt", 2, "", {
        "subjects": _groups(*_EVERYONE),
        "nonResourceRules": [{"verbs": ["get"], "nonResourceURLs": ["/healthz", "/readyz", "/livez"]}],
    }),
    _fs("system-leader-election", "leader-election", 100, "ByUser", {
        "subjects": [*_users(KCM, SCHEDULER), *_KUBE_SYSTEM_SAS],
        "resourceRules": [{"verbs": ["get", "create", "update"], "apiGroups": ["coordination.k8s.io"],
                           "resources": ["leases"], "namespaces": ["*"]}],
    }),
    _fs("kube-controller-manager", "workload-high", 800, "ByNamespace", {"subjects": _users(KCM), **_ALL_RULES}),
    _fs("kube-scheduler", "workload-high", 800, "ByNamespace", {"subjects": _users(SCHEDULER), **_ALL_RULES}),
    _fs("kube-system-service-accounts", "workload-high", 900, "ByNamespace", {"subjects": _KUBE_SYSTEM_SAS, **_ALL_RULES}),
    _fs("service-accounts", "workload-low", 9000, "ByUser", {"subjects": _groups("system:serviceaccounts"), **_ALL_RULES}),
    _fs("global-default", "global-default", 9900, "ByUser", {"subjects": _groups(*_EVERYONE), **_ALL_RULES}),
)

MANDATORY_FLOWSCHEMA_SPECS: dict[str, Obj] = {
    fs["metadata"]["name"]: _internal_fs_spec(fs["spec"]) for fs in BOOTSTRAP_FLOWSCHEMAS[:2]
}
MANDATORY_PLC_SPECS: dict[str, Obj] = {pl["metadata"]["name"]: _internal_plc_spec(pl["spec"]) for pl in BOOTSTRAP_PLCS[:2]}

# --------------------------------------------------------------------------- the strategies


def _info(kind: str, plural: str) -> ResourceInfo:
    return ResourceInfo(GROUP, "v1", kind, plural, kind.lower(), False, (), ("status",), True)


STRATEGIES: tuple[Strategy, ...] = (
    Strategy(
        _info("FlowSchema", "flowschemas"),
        default=default_flowschema,
        validate=validate_flowschema,
        validate_update=_status_only(validate_flowschema),
        columns=(
            _NAME, ("PriorityLevel", "string", 0, ""), ("MatchingPrecedence", "string", 0, ""),
            ("DistinguisherMethod", "string", 0, ""), _AGE, ("MissingPL", "string", 0, ""),
        ),
        cells=_fs_cells,
        prepare_create=empty_status,
        bootstrap=BOOTSTRAP_FLOWSCHEMAS,
    ),
    Strategy(
        _info("PriorityLevelConfiguration", "prioritylevelconfigurations"),
        default=default_plc,
        validate=validate_plc,
        validate_update=_status_only(validate_plc),
        columns=(
            _NAME, ("Type", "string", 0, ""), ("NominalConcurrencyShares", "string", 0, ""),
            ("Queues", "string", 0, ""), ("HandSize", "string", 0, ""), ("QueueLengthLimit", "string", 0, ""), _AGE,
        ),
        cells=_plc_cells,
        prepare_create=empty_status,
        bootstrap=BOOTSTRAP_PLCS,
    ),
)
