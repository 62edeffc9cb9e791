"""The core (``""`` group) ``v1`` kinds served through strategies: ReplicationController.

Models, for ``replicationcontrollers`` (short name ``rc``, category ``all``, with ``/status`` and
``/scale``; ``pkg/registry/core/replicationcontroller/storage/storage.go``):

- defaulting, ``pkg/apis/core/v1/defaults.go`` ``SetDefaults_ReplicationController`` and the
  generated ``SetObjectDefaults_ReplicationController``: when the template has labels, an empty
  selector and empty object labels are taken from them; ``replicas`` is 1; a template that is
  there gets the pod template defaults (``defaults.default_pod_spec``, as Deployments,
  ReplicaSets and PodTemplates get them), a missing one stays missing;
- validation, ``pkg/apis/core/validation/validation.go`` ``ValidateReplicationController``,
  ``ValidateReplicationControllerUpdate`` (the same spec checks: an RC's selector is mutable)
  and ``ValidateReplicationControllerStatusUpdate``: minReadySeconds ≥ 0, a non-empty selector,
  replicas present and ≥ 0, a template (required whatever the replica count) whose labels the
  selector matches, the pod template spec checks the reference has (the template's labels and
  annotations reported at ``spec.template.labels``/``.annotations``, as upstream's
  ``ValidatePodTemplateSpec`` names them), ``restartPolicy: Always`` and no
  ``activeDeadlineSeconds``; on a status write the counters ≥ 0 and no greater than
  ``status.replicas`` (available no greater than ready);
- the strategy, ``pkg/registry/core/replicationcontroller/strategy.go``: generation 1 on create
  and bumped on every spec change, the status reset to its zero value on create (``replicas:
  0``, which is not omitempty), kept on spec writes and written only through ``/status``;
- the printer, ``pkg/printers/internalversion/printers.go`` ``printReplicationController``:
  NAME DESIRED CURRENT READY AGE, wide CONTAINERS IMAGES SELECTOR (the selector as
  ``labels.FormatLabels`` prints a map).

The ``/scale`` subresource (``autoscaling/v1`` Scale with ``status.selector`` the map selector
as a label-selector string) is the API server's (``server.py`` ``_scale_of``), and the
replication manager that acts on these objects is ``controllers/replication.py``.

Leaves out: the ``WarningsOnCreate``/``WarningsOnUpdate`` warnings (the reference sends none),
the non-convertible-selector annotations check of ``ValidateUpdate`` (written only by the RS→RC
conversion of old clients), ``DropDisabledTemplateFields`` (no gated template field is
modelled) and the v1 strategy's default garbage-collection policy of ``Orphan`` (a deletion's
default propagation is the API server's ``delete``).
"""

from __future__ import annotations

import json
from typing import Any

from reference_impl.apiserver.defaults import default_pod_spec
from reference_impl.apiserver.registry.info import ResourceInfo
from reference_impl.apiserver.registry.strategy import Column, Strategy
from reference_impl.apiserver.tables import _containers_images, format_labels, since
from reference_impl.apiserver.validation import Errors, GoText, _pod_template

__all__ = ["STRATEGIES", "rc_selector"]

Obj = dict[str, Any]

SELECTOR_MISMATCH = "`selector` does not match template `labels`"
ACTIVE_DEADLINE_FORBIDDEN = "activeDeadlineSeconds in ReplicationController is not Supported"
GREATER_THAN_REPLICAS = "cannot be greater than status.replicas"
GREATER_THAN_READY = "cannot be greater than readyReplicas"


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _count(value: Any) -> int:
    """An int32 field, 0 when absent (Go's zero value)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def rc_selector(rc: Obj) -> Obj:
    """The RC's map selector as the ``metav1.LabelSelector`` upstream's RC→RS conversion makes
    of it (``Convert_Map_string_To_string_To_v1_LabelSelector``): the map as ``matchLabels``."""
    return {"matchLabels": dict(_dict(_dict(rc.get("spec")).get("selector")))}


def _go_json(value: Any) -> GoText:
    """A map or nil as ``field.Error`` prints it since v1.33: its JSON (keys sorted, as Go's
    ``json.Marshal`` sorts them), ``null`` for nil."""
    return GoText(json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False))


# --------------------------------------------------------------------------- defaults


def _default_rc(obj: Obj) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        spec = obj["spec"] = {}
    template = spec.get("template")
    if isinstance(template, dict):
        labels = _dict(template.get("metadata")).get("labels")
        # Go checks ``labels != nil``: a template with ``labels: {}`` still sets both (to empty)
        if isinstance(labels, dict):
            if not spec.get("selector"):
                spec["selector"] = dict(labels)
            meta = obj.setdefault("metadata", {})
            if not meta.get("labels"):
                meta["labels"] = dict(labels)
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    if isinstance(template, dict):
        # SetObjectDefaults_ReplicationController defaults the pod spec of a template that is
        # there; a nil template is left nil (and then fails validation)
        if not isinstance(template.get("spec"), dict):
            template["spec"] = {}
        default_pod_spec(template["spec"])


# --------------------------------------------------------------------------- validation


def _selector_matches(selector: Obj, labels: Any) -> bool:
    """``labels.Set(selector).AsSelector().Matches(labels.Set(template.Labels))``."""
    present = _dict(labels)
    return all(present.get(k) == v for k, v in selector.items())


def _validate_rc(errs: Errors, obj: Obj) -> None:
    """``ValidateReplicationControllerSpec`` (the metadata is the server's generic check)."""
    spec = _dict(obj.get("spec"))
    errs.nonnegative("spec.minReadySeconds", spec.get("minReadySeconds"))
    selector = _dict(spec.get("selector"))
    if not selector:
        errs.required("spec.selector")
    replicas = spec.get("replicas")
    if replicas is None:
        errs.required("spec.replicas")
    else:
        errs.nonnegative("spec.replicas", replicas)
    template = spec.get("template")
    if not isinstance(template, dict):
        errs.required("spec.template")
        return
    # ValidatePodTemplateSpecForRC: an empty selector was reported above and matches no check here
    labels = _dict(template.get("metadata")).get("labels")
    if selector and not _selector_matches(selector, labels):
        errs.invalid("spec.template.metadata.labels", _go_json(labels), SELECTOR_MISMATCH)
    _pod_template(errs, template, "spec.template")
    pod_spec = _dict(template.get("spec"))
    restart = pod_spec.get("restartPolicy", "Always")
    if restart != "Always":
        errs.not_supported("spec.template.spec.restartPolicy", restart, ("Always",))
    if pod_spec.get("activeDeadlineSeconds") is not None:
        errs.forbidden("spec.template.spec.activeDeadlineSeconds", ACTIVE_DEADLINE_FORBIDDEN)


def _validate_rc_status(errs: Errors, obj: Obj) -> None:
    """``ValidateReplicationControllerStatus``."""
    status = _dict(obj.get("status"))

    def count(name: str) -> int:
        return _count(status.get(name))

    for name in ("replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration"):
        errs.nonnegative(f"status.{name}", count(name))
    replicas = count("replicas")
    for name in ("fullyLabeledReplicas", "readyReplicas", "availableReplicas"):
        if count(name) > replicas:
            errs.invalid(f"status.{name}", count(name), GREATER_THAN_REPLICAS)
    if count("availableReplicas") > count("readyReplicas"):
        errs.invalid("status.availableReplicas", count("availableReplicas"), GREATER_THAN_READY)


def _validate_rc_update(errs: Errors, obj: Obj, old: Obj) -> None:
    """The main strategy's ``ValidateUpdate`` when the spec changed, the status strategy's when
    the status did (a write of the main resource keeps the stored status, a ``/status`` write the
    stored spec, so one of the two tells which was written). A write that changes neither (labels,
    annotations) skips the spec checks the stored object already passed."""
    if obj.get("spec") != old.get("spec"):
        _validate_rc(errs, obj)
    elif obj.get("status") != old.get("status"):
        _validate_rc_status(errs, obj)


def _prepare_rc(obj: Obj) -> None:
    """``PrepareForCreate``: the zero ``ReplicationControllerStatus`` (``replicas`` is always written)."""
    obj["status"] = {"replicas": 0}


# --------------------------------------------------------------------------- printer

_RC_COLUMNS: tuple[Column, ...] = (
    ("Name", "string", 0, "name"),
    ("Desired", "integer", 0, ""),
    ("Current", "integer", 0, ""),
    ("Ready", "integer", 0, ""),
    ("Age", "string", 0, ""),
    ("Containers", "string", 1, ""),
    ("Images", "string", 1, ""),
    ("Selector", "string", 1, ""),
)


def _rc_cells(obj: Obj, now: float) -> list[Any]:
    meta, spec, status = _dict(obj.get("metadata")), _dict(obj.get("spec")), _dict(obj.get("status"))
    names, images = _containers_images(spec)
    return [
        meta.get("name", ""), _count(spec.get("replicas")), _count(status.get("replicas")),
        _count(status.get("readyReplicas")), since(meta.get("creationTimestamp"), now),
        names, images, format_labels(spec.get("selector")),
    ]


# --------------------------------------------------------------------------- the strategies

STRATEGIES: tuple[Strategy, ...] = (
    Strategy(
        ResourceInfo(
            "", "v1", "ReplicationController", "replicationcontrollers", "replicationcontroller", True, ("rc",),
            ("status", "scale"), True, ("all",),
        ),
        default=_default_rc,
        validate=_validate_rc,
        validate_update=_validate_rc_update,
        columns=_RC_COLUMNS,
        cells=_rc_cells,
        prepare_create=_prepare_rc,
    ),
)
