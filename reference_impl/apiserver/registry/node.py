"""The ``node.k8s.io/v1`` group: RuntimeClass, and the RuntimeClass admission plugin's rules.

Models, for the one kind kube-apiserver v1.36 serves at ``node.k8s.io/v1``
(``pkg/registry/node/rest/runtime_classes.go``):

- decoding: the ``overhead.podFixed`` quantities are written in their canonical form (``0.5`` →
  ``500m``), as the real server's decode does (``pkg/apis/node/v1`` declares no defaults);
- validation, ``pkg/apis/node/validation/validation.go``: ``handler`` required and a DNS-1123
  label, immutable on update; ``overhead.podFixed`` checked as container limits (so its causes
  name ``overhead.limits[...]``, as upstream's do); ``scheduling.nodeSelector`` as labels and
  ``scheduling.tolerations`` as a pod's, without duplicates (key, operator, value, effect). An
  update validates the whole object again, then the handler's immutability;
- the printer, ``pkg/printers/internalversion/printers.go``: NAME HANDLER AGE.

:func:`admit_pod` is the RuntimeClass admission plugin (``plugin/pkg/admission/runtimeclass``),
for the API server to call on a pod create: the named class must exist; its overhead becomes
the pod's ``overhead`` (which must match one the pod already has), its node selector is merged
into the pod's (a conflicting key is refused) and its tolerations are merged with the pod's as
``pkg/util/tolerations.MergeTolerations`` merges them (redundant ones dropped).

Leaves out: the v1beta1/v1alpha1 versions, the strategy's warnings (``GetWarningsForRuntimeClass``),
and two REST settings the reference's generic update has no switch for: a PUT of an absent
RuntimeClass creates it upstream (``AllowCreateOnUpdate``), and a PUT without a
``resourceVersion`` is a 422 (``AllowUnconditionalUpdate`` is false); here the first is a 404 and
the second an unconditional update. Until the server calls :func:`admit_pod`, pods are admitted
whatever RuntimeClass they name, without its overhead or scheduling.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from reference_impl.apiserver import quantity
from reference_impl.apiserver.registry.info import ResourceInfo
from reference_impl.apiserver.registry.strategy import Column, Strategy
from reference_impl.apiserver.tables import since
from reference_impl.apiserver.validation import (
    FIELD_IMMUTABLE,
    Errors,
    GoText,
    _labels,
    _object_meta,
    _resources,
    _tolerations,
    is_dns1123_label,
)

Obj = dict[str, Any]

GROUP = "node.k8s.io"
# the plugin's refusals, as kubectl shows them after 'pods "<name>" is forbidden: '
OVERHEAD_MISMATCH = "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead"
OVERHEAD_WITHOUT_CLASS = "pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead"


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _canonical(value: Any) -> Any:
    if isinstance(value, str | int) and not isinstance(value, bool):
        try:
            return quantity.canonical(value)
        except (ValueError, ArithmeticError):
            return value
    return value


# --------------------------------------------------------------------------- strategy


def _decode(obj: Obj) -> None:
    """The decoder's canonical quantities (the strategy's only "default")."""
    pod_fixed = _dict(obj.get("overhead")).get("podFixed")
    if isinstance(pod_fixed, dict):
        for name, value in pod_fixed.items():
            pod_fixed[name] = _canonical(value)


def _go_toleration_json(tol: Obj) -> GoText:
    """An internal ``core.Toleration`` as ``json.Marshal`` renders it in a cause (no json tags:
    Go's field names; ``ErrorBody`` marshals a struct value since apimachinery v0.36)."""
    seconds = tol.get("tolerationSeconds")
    fields = {
        "Key": str(tol.get("key") or ""), "Operator": str(tol.get("operator") or ""),
        "Value": str(tol.get("value") or ""), "Effect": str(tol.get("effect") or ""),
        "TolerationSeconds": seconds if isinstance(seconds, int) and not isinstance(seconds, bool) else None,
    }
    return GoText(json.dumps(fields, separators=(",", ":"), ensure_ascii=False))


def _scheduling(errs: Errors, scheduling: Obj) -> None:
    """``validateScheduling``: the node selector's labels, then the tolerations and their uniqueness."""
    if isinstance(scheduling.get("nodeSelector"), dict):
        _labels(errs, scheduling["nodeSelector"], "scheduling.nodeSelector")
    tolerations = [_dict(t) for t in _list(scheduling.get("tolerations"))]
    _tolerations(errs, tolerations, "scheduling.tolerations")
    seen: set[tuple[str, str, str, str]] = set()
    for i, tol in enumerate(tolerations):
        key = (str(tol.get("key") or ""), str(tol.get("operator") or ""), str(tol.get("value") or ""),
               str(tol.get("effect") or ""))
        if key in seen:
            errs.duplicate(f"scheduling.tolerations[{i}]", _go_toleration_json(tol))
        seen.add(key)


def _validate(errs: Errors, obj: Obj) -> None:
    """``ValidateRuntimeClass`` (the server checked the metadata first)."""
    handler = str(obj.get("handler") or "")
    if not handler:
        errs.required("handler")
    else:
        for msg in is_dns1123_label(handler):
            errs.invalid("handler", handler, msg)
    overhead = obj.get("overhead")
    if isinstance(overhead, dict):
        _resources(errs, {"limits": overhead.get("podFixed")}, "overhead")
    scheduling = obj.get("scheduling")
    if isinstance(scheduling, dict):
        _scheduling(errs, scheduling)


def _validate_update(errs: Errors, obj: Obj, old: Obj) -> None:
    """The strategy's ``ValidateRuntimeClass`` (its metadata checks included) then
    ``ValidateRuntimeClassUpdate``'s handler rule (the server checked the metadata update first)."""
    _object_meta(errs, "RuntimeClass", obj)
    _validate(errs, obj)
    if (obj.get("handler") or "") != (old.get("handler") or ""):
        errs.invalid("handler", obj.get("handler") or "", FIELD_IMMUTABLE)


def _cells(obj: Obj, now: float) -> list[Any]:
    meta = _dict(obj.get("metadata"))
    return [meta.get("name", ""), obj.get("handler", ""), since(meta.get("creationTimestamp"), now)]


# --------------------------------------------------------------------------- admission


def _superset(ss: Obj, t: Obj) -> bool:
    """``isSuperset``: whether toleration ``ss`` tolerates everything ``t`` does."""
    if ss == t:
        return True
    key, ss_key = t.get("key") or "", ss.get("key") or ""
    ss_op = ss.get("operator") or ""
    if key != ss_key and (ss_key != "" or ss_op != "Exists"):
        return False
    effect, ss_effect = t.get("effect") or "", ss.get("effect") or ""
    if effect != ss_effect and ss_effect != "":
        return False
    if ss_effect == "NoExecute" and ss.get("tolerationSeconds") is not None:
        seconds = t.get("tolerationSeconds")
        if seconds is None or seconds > ss["tolerationSeconds"]:
            return False
    if ss_op in ("Equal", ""):
        return t.get("operator") == "Equal" and (t.get("value") or "") == (ss.get("value") or "")
    return ss_op == "Exists"


def merge_tolerations(first: list[Obj], second: list[Obj]) -> list[Obj]:
    """``MergeTolerations``: both lists, a toleration another one covers left out (the first of equals kept)."""
    every = [*first, *second]
    merged: list[Obj] = []
    for i, t in enumerate(every):
        if any(_superset(kept, t) for kept in merged):
            continue
        if any(later != t and _superset(later, t) for later in every[i + 1 :]):
            continue
        merged.append(t)
    return merged


def _pod_fixed(runtime_class: Obj) -> Obj | None:
    overhead = runtime_class.get("overhead")
    if not isinstance(overhead, dict):
        return None
    return {name: _canonical(value) for name, value in _dict(overhead.get("podFixed")).items()}


def _amount(value: Any) -> Any:
    try:
        return quantity.parse_quantity(value)
    except (ValueError, ArithmeticError, TypeError):
        return value


def _same_quantities(a: Any, b: Any) -> bool:
    """``apiequality.Semantic.DeepEqual`` of two resource lists: quantities equal by amount."""
    return {k: _amount(v) for k, v in _dict(a).items()} == {k: _amount(v) for k, v in _dict(b).items()}


def admit_pod(spec: Obj, classes: Mapping[str, Obj]) -> str | None:
    """The plugin's Admit then Validate on a pod create, ``classes`` the stored RuntimeClasses by
    name (the plugin's informer): ``spec`` gets the class's overhead and scheduling; why the pod is
    refused (a 403's reason), or None.
    """
    name = spec.get("runtimeClassName")
    if name is None:
        return OVERHEAD_WITHOUT_CLASS if spec.get("overhead") is not None else None
    runtime_class = classes.get(str(name))
    if runtime_class is None:
        return f'pod rejected: RuntimeClass "{name}" not found'
    pod_fixed = _pod_fixed(runtime_class)
    if pod_fixed is not None:
        if _dict(spec.get("overhead")) and not _same_quantities(pod_fixed, spec.get("overhead")):
            return OVERHEAD_MISMATCH
        spec["overhead"] = pod_fixed
    scheduling = runtime_class.get("scheduling")
    if isinstance(scheduling, dict):
        selector = spec.get("nodeSelector")
        class_selector = _dict(scheduling.get("nodeSelector"))
        if not isinstance(selector, dict):
            selector = dict(class_selector) if isinstance(scheduling.get("nodeSelector"), dict) else None
        else:
            for key, value in class_selector.items():
                if key in selector and selector[key] != value:
                    return (
                        f"conflict: runtimeClass.scheduling.nodeSelector[{key}] = {value}; "
                        f"pod.spec.nodeSelector[{key}] = {selector[key]}"
                    )
                selector[key] = value
        if selector is not None:
            spec["nodeSelector"] = selector
        merged = merge_tolerations(
            [_dict(t) for t in _list(spec.get("tolerations"))],
            [_dict(t) for t in _list(scheduling.get("tolerations"))],
        )
        if merged:
            spec["tolerations"] = merged
    if pod_fixed is None and spec.get("overhead") is not None:  # the plugin's Validate
        return OVERHEAD_WITHOUT_CLASS
    return None


# --------------------------------------------------------------------------- the strategy

_COLUMNS: tuple[Column, ...] = (("Name", "string", 0, "name"), ("Handler", "string", 0, ""), ("Age", "string", 0, ""))

STRATEGIES: tuple[Strategy, ...] = (
    Strategy(
        ResourceInfo(GROUP, "v1", "RuntimeClass", "runtimeclasses", "runtimeclass", False),
        default=_decode,
        validate=_validate,
        validate_update=_validate_update,
        columns=_COLUMNS,
        cells=_cells,
    ),
)
