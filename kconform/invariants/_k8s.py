"""The oracle's own small reading of Kubernetes semantics.

Written independently of ``reference_impl`` on purpose: an oracle that shared the reference
implementation's quantity parser or selector matcher would share its bugs and never see them.
Each helper follows the real upstream helper named in its docstring (facts, not code):

- quantities: ``staging/src/k8s.io/apimachinery/pkg/api/resource/quantity.go``
- label selectors: ``apimachinery/pkg/apis/meta/v1/helpers.go`` (``LabelSelectorAsSelector``)
- node affinity: ``staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity``
- taints/tolerations: ``staging/src/k8s.io/api/core/v1/toleration.go`` (``ToleratesTaint``)
- pod requests: ``staging/src/k8s.io/component-helpers/resource/helpers.go`` (``PodRequests``)
- int-or-percent: ``apimachinery/pkg/util/intstr`` (``GetScaledValueFromIntOrPercent``)

Everything here reads plain dicts in the ``kubectl get -o json`` shape and tolerates missing
fields (a missing list is empty, a missing map is empty).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

Obj = Mapping[str, Any]

# ---------------------------------------------------------------------------------------------
# Quantities

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 1000),
    "": Fraction(1),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
}
_QUANTITY = re.compile(r"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$")


def parse_quantity(value: str | int | float) -> Fraction:
    """Exact value of a resource quantity: ``"100m"`` → 1/10, ``"1Gi"`` → 2**30, ``"1e3"`` → 1000."""
    if isinstance(value, bool):
        raise ValueError(f"not a quantity: {value!r}")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(str(value))
    text = str(value).strip()
    m = _QUANTITY.match(text)
    if m is None:
        raise ValueError(f"not a quantity: {value!r}")
    number, exponent, suffix = m.groups()
    base = Fraction(number)
    if exponent:
        return base * Fraction(10) ** int(exponent[1:])
    suffix = suffix or ""
    if suffix in _BINARY:
        return base * _BINARY[suffix]
    return base * _DECIMAL[suffix]


def cpu_millis(value: str | int | float) -> int:
    """CPU in millicores, rounded up like ``Quantity.MilliValue``."""
    return math.ceil(parse_quantity(value) * 1000)


def quantity_value(value: str | int | float) -> int:
    """A quantity as an integer, rounded up like ``Quantity.Value`` (bytes for memory)."""
    return math.ceil(parse_quantity(value))


def format_cpu(millis: int) -> str:
    """``4000`` → ``"4"``, ``4500`` → ``"4500m"`` (the way kubectl prints cpu)."""
    return str(millis // 1000) if millis % 1000 == 0 else f"{millis}m"


def format_resource(resource: str, amount: int) -> str:
    if resource == "cpu":
        return format_cpu(amount)
    return str(amount)


def resource_amount(resource: str, value: str | int | float) -> int:
    """A quantity in the unit the checks compare in: millicores for cpu, whole units otherwise."""
    return cpu_millis(value) if resource == "cpu" else quantity_value(value)


# ---------------------------------------------------------------------------------------------
# Object metadata


def meta(obj: Obj) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def spec(obj: Obj) -> Mapping[str, Any]:
    return obj.get("spec") or {}


def status(obj: Obj) -> Mapping[str, Any]:
    return obj.get("status") or {}


def name(obj: Obj) -> str:
    return str(meta(obj).get("name", ""))


def namespace(obj: Obj) -> str:
    return str(meta(obj).get("namespace") or "")


def uid(obj: Obj) -> str:
    return str(meta(obj).get("uid", ""))


def labels(obj: Obj) -> Mapping[str, str]:
    return meta(obj).get("labels") or {}


def ref(obj: Obj) -> str:
    """``default/web-abc`` for namespaced objects, ``node-2`` for cluster-scoped ones."""
    ns = namespace(obj)
    return f"{ns}/{name(obj)}" if ns else name(obj)


def is_terminating(obj: Obj) -> bool:
    """The object has been asked to go away (``metadata.deletionTimestamp`` is set)."""
    return bool(meta(obj).get("deletionTimestamp"))


def owner_references(obj: Obj) -> list[Mapping[str, Any]]:
    return list(meta(obj).get("ownerReferences") or [])


def controller_ref(obj: Obj) -> Mapping[str, Any] | None:
    """The ownerReference with ``controller: true``, as ``metav1.GetControllerOf``."""
    for owner in owner_references(obj):
        if owner.get("controller"):
            return owner
    return None


def controller_uid(obj: Obj) -> str | None:
    owner = controller_ref(obj)
    return str(owner.get("uid")) if owner else None


def int_resource_version(obj: Obj) -> int | None:
    """``metadata.resourceVersion`` as an int; None when absent or opaque (not a decimal)."""
    rv = meta(obj).get("resourceVersion")
    try:
        return int(rv) if rv is not None else None
    except (TypeError, ValueError):
        return None


def conditions(obj: Obj) -> list[Mapping[str, Any]]:
    return list(status(obj).get("conditions") or [])


def condition(obj: Obj, type_: str) -> Mapping[str, Any] | None:
    for cond in conditions(obj):
        if cond.get("type") == type_:
            return cond
    return None


def condition_true(obj: Obj, type_: str) -> bool:
    cond = condition(obj, type_)
    return cond is not None and cond.get("status") == "True"


# ---------------------------------------------------------------------------------------------
# Pods and nodes

TERMINAL_PHASES = frozenset({"Succeeded", "Failed"})


def is_terminal(pod: Obj) -> bool:
    """Phase Succeeded or Failed: the pod will never run again and holds no resources."""
    return status(pod).get("phase") in TERMINAL_PHASES


def is_active(pod: Obj) -> bool:
    """As the controllers' ``FilterActivePods``: not terminal and not terminating."""
    return not is_terminal(pod) and not is_terminating(pod)


def pod_ready(pod: Obj) -> bool:
    """The pod's ``Ready`` condition is True (``podutil.IsPodReady``)."""
    return condition_true(pod, "Ready")


def node_name(pod: Obj) -> str:
    return str(spec(pod).get("nodeName") or "")


def node_ready(node: Obj) -> bool:
    return condition_true(node, "Ready")


def node_taints(node: Obj) -> list[Mapping[str, Any]]:
    return list(spec(node).get("taints") or [])


def pod_requests(pod: Obj) -> dict[str, int]:
    """What the scheduler charges a node for this pod, as ``resourcehelper.PodRequests``.

    Regular containers add up; each init container runs alone (plus the restartable "sidecar"
    init containers started before it), so the pod needs the larger of the two; sidecars also
    run beside the regular containers; ``spec.overhead`` is added last. cpu in millicores,
    everything else in whole units.
    """
    pod_spec = spec(pod)

    def requests_of(container: Mapping[str, Any]) -> dict[str, int]:
        reqs = (container.get("resources") or {}).get("requests") or {}
        return {str(k): resource_amount(str(k), v) for k, v in reqs.items()}

    def add(into: dict[str, int], other: Mapping[str, int]) -> None:
        for k, v in other.items():
            into[k] = into.get(k, 0) + v

    total: dict[str, int] = {}
    for container in pod_spec.get("containers") or []:
        add(total, requests_of(container))
    sidecars: dict[str, int] = {}
    init_max: dict[str, int] = {}
    for container in pod_spec.get("initContainers") or []:
        reqs = requests_of(container)
        if container.get("restartPolicy") == "Always":
            add(total, reqs)
            add(sidecars, reqs)
            effective = dict(sidecars)
        else:
            effective = dict(reqs)
            add(effective, sidecars)
        for k, v in effective.items():
            init_max[k] = max(init_max.get(k, 0), v)
    for k, v in init_max.items():
        total[k] = max(total.get(k, 0), v)
    add(total, {str(k): resource_amount(str(k), v) for k, v in (pod_spec.get("overhead") or {}).items()})
    return total


def container_port_by_name(pod: Obj, port_name: str, protocol: str = "TCP") -> int | None:
    """The containerPort a named targetPort resolves to in this pod (``podutil.FindPort``)."""
    for container in spec(pod).get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("name") == port_name and (port.get("protocol") or "TCP") == protocol:
                return int(port["containerPort"])
    return None


def resolve_target_port(pod: Obj, service_port: Mapping[str, Any]) -> int | None:
    """The port on ``pod`` that traffic for ``service_port`` goes to; None if it has none."""
    target = service_port.get("targetPort")
    if target is None or target == "" or target == 0:
        return int(service_port["port"])
    if isinstance(target, int):
        return target
    text = str(target)
    if text.isdigit():
        return int(text)
    return container_port_by_name(pod, text, str(service_port.get("protocol") or "TCP"))


# ---------------------------------------------------------------------------------------------
# Label selectors


def _requirement_matches(key: str, operator: str, values: Sequence[str], labels_: Mapping[str, str]) -> bool:
    present = key in labels_
    if operator == "In":
        return present and labels_[key] in values
    if operator == "NotIn":
        return not present or labels_[key] not in values
    if operator == "Exists":
        return present
    if operator == "DoesNotExist":
        return not present
    if operator in ("Gt", "Lt"):
        if not present or len(values) != 1:
            return False
        try:
            have, want = int(labels_[key]), int(values[0])
        except ValueError:
            return False
        return have > want if operator == "Gt" else have < want
    raise ValueError(f"unknown selector operator {operator!r}")


def selector_matches(selector: Mapping[str, Any] | None, labels_: Mapping[str, str]) -> bool:
    """A ``metav1.LabelSelector``: None selects nothing, ``{}`` selects everything."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels_.get(key) != value:
            return False
    for expr in selector.get("matchExpressions") or []:
        if not _requirement_matches(str(expr["key"]), str(expr["operator"]), expr.get("values") or [], labels_):
            return False
    return True


def map_selector_matches(selector: Mapping[str, str] | None, labels_: Mapping[str, str]) -> bool:
    """A plain map selector (Service, nodeSelector): every pair must be present. Empty matches all."""
    return all(labels_.get(k) == v for k, v in (selector or {}).items())


# ---------------------------------------------------------------------------------------------
# Node affinity


def node_selector_term_matches(term: Mapping[str, Any], node: Obj) -> bool:
    """One ``NodeSelectorTerm``: its expressions and fields ANDed; an empty term matches nothing."""
    expressions = term.get("matchExpressions") or []
    fields = term.get("matchFields") or []
    if not expressions and not fields:
        return False
    node_labels = labels(node)
    for expr in expressions:
        if not _requirement_matches(str(expr["key"]), str(expr["operator"]), expr.get("values") or [], node_labels):
            return False
    for expr in fields:
        # metadata.name is the only field the API server accepts in matchFields.
        if expr.get("key") != "metadata.name":
            return False
        if not _requirement_matches("metadata.name", str(expr["operator"]), expr.get("values") or [],
                                    {"metadata.name": name(node)}):
            return False
    return True


def required_node_affinity_matches(pod_spec: Mapping[str, Any], node: Obj) -> bool:
    """``nodeSelector`` and ``requiredDuringSchedulingIgnoredDuringExecution`` (terms ORed)."""
    if not map_selector_matches(pod_spec.get("nodeSelector"), labels(node)):
        return False
    required = (
        ((pod_spec.get("affinity") or {}).get("nodeAffinity") or {})
        .get("requiredDuringSchedulingIgnoredDuringExecution")
    )
    if not required:
        return True
    terms = required.get("nodeSelectorTerms") or []
    return any(node_selector_term_matches(term, node) for term in terms)


# ---------------------------------------------------------------------------------------------
# Taints and tolerations


def toleration_tolerates(toleration: Mapping[str, Any], taint: Mapping[str, Any]) -> bool:
    """``Toleration.ToleratesTaint``: effect and key must match unless empty; Exists ignores value."""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    if key and key != taint.get("key"):
        return False
    operator = toleration.get("operator") or "Equal"
    if operator == "Exists":
        return True
    if operator == "Equal":
        return (toleration.get("value") or "") == (taint.get("value") or "")
    return False


def tolerates(tolerations: Iterable[Mapping[str, Any]], taint: Mapping[str, Any]) -> bool:
    return any(toleration_tolerates(t, taint) for t in tolerations)


def untolerated_taints(
    tolerations: Iterable[Mapping[str, Any]],
    taints: Iterable[Mapping[str, Any]],
    effects: Iterable[str] = ("NoSchedule", "NoExecute"),
) -> list[Mapping[str, Any]]:
    """Taints with one of ``effects`` that no toleration tolerates."""
    wanted = set(effects)
    tols = list(tolerations)
    return [t for t in taints if t.get("effect") in wanted and not tolerates(tols, t)]


def format_taint(taint: Mapping[str, Any]) -> str:
    value = taint.get("value")
    return f"{taint.get('key')}{'=' + str(value) if value else ''}:{taint.get('effect')}"


# ---------------------------------------------------------------------------------------------
# Int-or-percent


def resolve_int_or_percent(value: int | str | None, total: int, *, round_up: bool, default: int | str = 0) -> int:
    """``intstr.GetScaledValueFromIntOrPercent``: ``"25%"`` of ``total``, rounded up or down."""
    if value is None:
        value = default
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.endswith("%"):
        scaled = Fraction(int(text[:-1]) * total, 100)
        return math.ceil(scaled) if round_up else math.floor(scaled)
    return int(text)
