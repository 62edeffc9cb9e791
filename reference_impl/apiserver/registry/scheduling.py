"""The ``scheduling.k8s.io/v1`` group: PriorityClass, and the Priority admission plugin's rules.

Models, for the one kind kube-apiserver v1.36 serves at ``scheduling.k8s.io/v1``
(``pkg/registry/scheduling/rest/storage_scheduling.go``; the alpha Workload and PodGroup are
left out):

- defaulting, ``pkg/apis/scheduling/v1/defaults.go``: ``preemptionPolicy: PreemptLowerPriority``;
- validation, ``pkg/apis/scheduling/validation/validation.go``: a name with the ``system-``
  prefix must be one of the system classes with its exact value and ``globalDefault``; any other
  class's value is at most one billion; ``preemptionPolicy`` is ``PreemptLowerPriority`` or
  ``Never``. An update checks only that ``value`` and ``preemptionPolicy`` did not change (as
  ``ValidatePriorityClassUpdate`` does: the create checks do not run again);
- the strategy, ``pkg/registry/scheduling/priorityclass/strategy.go``: generation 1 on create,
  never bumped;
- the printer, ``pkg/printers/internalversion/printers.go``: NAME VALUE GLOBAL-DEFAULT AGE
  PREEMPTIONPOLICY;
- the two system classes of ``pkg/apis/scheduling/v1/helpers.go``, created at start as the
  ``scheduling/bootstrap-system-priority-classes`` post-start hook does (:data:`SYSTEM_CLASSES`).

The rules the API server applies beyond the strategy are functions here for it to call, because
they need other objects than the one written (upstream they live outside the strategy too):

- :func:`deletion_forbidden`: the REST storage refuses to delete a system class
  (``pkg/registry/scheduling/priorityclass/storage/storage.go``);
- :func:`admit_priority_class` and :func:`admit_pod`: the Priority admission plugin
  (``plugin/pkg/admission/priority/admission.go``): at most one ``globalDefault`` class, and a
  created pod's ``priorityClassName`` resolved to ``priority``/``preemptionPolicy`` (the default
  class's, or 0 and ``PreemptLowerPriority`` when there is none).

Leaves out: the v1beta1/v1alpha1 versions, the Workload and PodGroup kinds (alpha, off) and the
plugin's PodGroup admission. Upstream's DeleteCollection bypasses the system-class check (it
calls the generic store's Delete, not the REST's), so a collection delete matching a system
class deletes it there; a server that asks :func:`deletion_forbidden` on every delete refuses it.
Until the server calls these functions, the reference deletes system classes, and admits pods
with ``priority: 0`` whatever class they name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reference_impl.apiserver.registry.info import ResourceInfo
from reference_impl.apiserver.registry.strategy import Column, Strategy
from reference_impl.apiserver.tables import since
from reference_impl.apiserver.validation import Errors

Obj = dict[str, Any]

GROUP = "scheduling.k8s.io"
HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000
SYSTEM_CRITICAL_PRIORITY = 2 * HIGHEST_USER_DEFINABLE_PRIORITY
SYSTEM_PREFIX = "system-"
DEFAULT_PREEMPTION_POLICY = "PreemptLowerPriority"
PREEMPTION_POLICIES = ("PreemptLowerPriority", "Never")  # a literal slice upstream: not sorted


def _system_class(name: str, value: int, description: str) -> Obj:
    return {
        "apiVersion": f"{GROUP}/v1", "kind": "PriorityClass", "metadata": {"name": name},
        "value": value, "description": description,
    }


#: ``systemPriorityClasses``, in upstream's order (the post-start hook creates them in it).
SYSTEM_CLASSES: tuple[Obj, ...] = (
    _system_class(
        "system-node-critical", SYSTEM_CRITICAL_PRIORITY + 1000,
        "Used for system critical pods that must not be moved from their current node.",
    ),
    _system_class(
        "system-cluster-critical", SYSTEM_CRITICAL_PRIORITY,
        "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
    ),
)
SYSTEM_CLASS_NAMES = frozenset(c["metadata"]["name"] for c in SYSTEM_CLASSES)


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _name(obj: Obj) -> str:
    return str(_dict(obj.get("metadata")).get("name") or "")


def _value(obj: Obj) -> int:
    value = obj.get("value")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


# --------------------------------------------------------------------------- strategy


def _default(obj: Obj) -> None:
    if obj.get("preemptionPolicy") is None:
        obj["preemptionPolicy"] = DEFAULT_PREEMPTION_POLICY


def _known_system_class_error(name: str, value: int, global_default: bool) -> str:
    """``IsKnownSystemPriorityClass``'s error, or "" for a known class with its own settings."""
    for known in SYSTEM_CLASSES:
        if known["metadata"]["name"] == name:
            if known["value"] != value:
                return f"value of {name} PriorityClass must be {known['value']}"
            if global_default:  # no system class is a global default
                return f"globalDefault of {name} PriorityClass must be false"
            return ""
    return f"{name} is not a known system priority class"


def _validate(errs: Errors, obj: Obj) -> None:
    """``ValidatePriorityClass`` (the server checked the metadata first)."""
    name, value = _name(obj), _value(obj)
    if name.startswith(SYSTEM_PREFIX):
        error = _known_system_class_error(name, value, obj.get("globalDefault") is True)
        if error:
            errs.forbidden(
                "metadata.name",
                f"priority class names with '{SYSTEM_PREFIX}' prefix are reserved for system use only. error: {error}",
            )
    elif value > HIGHEST_USER_DEFINABLE_PRIORITY:
        errs.forbidden("value", f"maximum allowed value of a user defined priority is {HIGHEST_USER_DEFINABLE_PRIORITY}")
    policy = obj.get("preemptionPolicy")
    if policy is not None:
        if policy == "":
            errs.required("preemptionPolicy")
        elif policy not in PREEMPTION_POLICIES:
            errs.not_supported("preemptionPolicy", policy, PREEMPTION_POLICIES)


def _validate_update(errs: Errors, obj: Obj, old: Obj) -> None:
    """``ValidatePriorityClassUpdate``: value and preemptionPolicy are fixed (nothing else is checked)."""
    if _value(obj) != _value(old):
        errs.forbidden("value", "may not be changed in an update.")
    if obj.get("preemptionPolicy") != old.get("preemptionPolicy"):
        errs.invalid("preemptionPolicy", obj.get("preemptionPolicy"), "field is immutable")


def _cells(obj: Obj, now: float) -> list[Any]:
    meta = _dict(obj.get("metadata"))
    return [
        meta.get("name", ""), _value(obj), obj.get("globalDefault") is True,
        since(meta.get("creationTimestamp"), now), str(obj.get("preemptionPolicy") or ""),
    ]


# --------------------------------------------------------------------------- what the server asks


def deletion_forbidden(name: str) -> str | None:
    """Why deleting the class ``name`` is refused (a 403's reason), or None: a system class stays."""
    if name in SYSTEM_CLASS_NAMES:
        return "this is a system priority class and cannot be deleted"
    return None


def default_class(classes: Iterable[Obj]) -> Obj | None:
    """``getDefaultPriorityClass``: the ``globalDefault`` class of lowest value (first on a tie)."""
    found: Obj | None = None
    for pc in classes:
        if pc.get("globalDefault") is True and (found is None or _value(found) > _value(pc)):
            found = pc
    return found


def admit_priority_class(pc: Obj, classes: Mapping[str, Obj]) -> str | None:
    """The plugin's ``validatePriorityClass`` on a create or update of ``pc`` (``classes``: the
    stored ones by name, as the plugin's informer has them, ``pc``'s old self included on an
    update): why a second default is refused, or None.
    """
    if pc.get("globalDefault") is not True:
        return None
    current = default_class(classes.values())
    if current is not None and _name(current) != _name(pc):
        # On create a class of the same name cannot exist (that is a 409 later), so comparing
        # names covers both of upstream's cases.
        return f"PriorityClass {_name(current)} is already marked as default. Only one default can exist"
    return None


def admit_pod(spec: Obj, classes: Mapping[str, Obj]) -> str | None:
    """The plugin's ``admitPod`` on create, ``classes`` the stored PriorityClasses by name: fill
    ``priorityClassName`` (from the default class), ``priority`` and ``preemptionPolicy`` in
    ``spec``; why the pod is refused (a 403's reason), or None.

    ``spec`` must not have been defaulted with a priority already: a priority the client sent
    that differs from the class's is refused, as upstream refuses it.
    """
    name = str(spec.get("priorityClassName") or "")
    policy: str | None
    if not name:
        pc = default_class(classes.values())
        if pc is None:
            priority, policy = 0, DEFAULT_PREEMPTION_POLICY
        else:
            name, priority, policy = _name(pc), _value(pc), pc.get("preemptionPolicy")
            spec["priorityClassName"] = name
    else:
        pc = classes.get(name)
        if pc is None:
            return f"no PriorityClass with name {name} was found"
        priority, policy = _value(pc), pc.get("preemptionPolicy")
    given = spec.get("priority")
    if given is not None and given != priority:
        return (
            f"the integer value of priority ({given}) must not be provided in pod spec; "
            f"priority admission controller computed {priority} from the given PriorityClass name"
        )
    spec["priority"] = priority
    if policy is not None:
        given_policy = spec.get("preemptionPolicy")
        if given_policy is not None and given_policy != policy:
            return (
                f"the string value of PreemptionPolicy ({given_policy}) must not be provided in pod spec; "
                f"priority admission controller computed {policy} from the given PriorityClass name"
            )
        spec["preemptionPolicy"] = policy
    return None


# --------------------------------------------------------------------------- the strategy

_COLUMNS: tuple[Column, ...] = (
    ("Name", "string", 0, "name"), ("Value", "integer", 0, ""), ("Global-Default", "boolean", 0, ""),
    ("Age", "string", 0, ""), ("PreemptionPolicy", "string", 0, ""),
)

STRATEGIES: tuple[Strategy, ...] = (
    Strategy(
        ResourceInfo(GROUP, "v1", "PriorityClass", "priorityclasses", "priorityclass", False, ("pc",), (), True),
        default=_default,
        validate=_validate,
        validate_update=_validate_update,
        columns=_COLUMNS,
        cells=_cells,
        bootstrap=SYSTEM_CLASSES,
    ),
)
