"""The ``storage.k8s.io/v1`` group: storage classes, CSI drivers and nodes, capacities, attachments.

Models, for the five kinds kube-apiserver v1.36 serves at ``storage.k8s.io/v1``
(``pkg/registry/storage/rest/storage_storage.go``; VolumeAttributesClass is left out):

- defaulting, ``pkg/apis/storage/v1/defaults.go``: a StorageClass gets ``reclaimPolicy: Delete``
  and ``volumeBindingMode: Immediate``; a CSIDriver's spec ``attachRequired: true``,
  ``podInfoOnMount``/``storageCapacity``/``requiresRepublish``/``seLinuxMount: false``,
  ``fsGroupPolicy: ReadWriteOnceWithFSType`` and ``volumeLifecycleModes: [Persistent]``; a
  CSIStorageCapacity's quantities are written in their canonical form (as decoding does);
- validation, ``pkg/apis/storage/validation/validation.go``: a StorageClass's provisioner
  (required, a qualified name), parameters (count, size, empty keys), reclaimPolicy,
  volumeBindingMode and allowedTopologies, and on update the immutability of provisioner,
  parameters, reclaimPolicy and volumeBindingMode; a CSIDriver's spec (required booleans,
  fsGroupPolicy, volumeLifecycleModes, tokenRequests, nodeAllocatableUpdatePeriodSeconds) with
  attachRequired and volumeLifecycleModes immutable; a CSINode's drivers (name, nodeID,
  topologyKeys, allocatable count, unique names) with a driver's fields but ``allocatable``
  immutable (``MutableCSINodeAllocatableCount`` on); a CSIStorageCapacity's storageClassName,
  nodeTopology and capacity, the first two immutable; a VolumeAttachment's attacher, source
  (exactly one of ``persistentVolumeName``/``inlineVolumeSpec``), nodeName and status
  (attachment metadata size, error message length and code), its spec immutable;
- the strategies, ``pkg/registry/storage/*/strategy.go``: a CSIDriver has generation 1 on create,
  bumped when its spec changes; a VolumeAttachment's status is the server's (reset to
  ``attached: false`` on create, kept on spec writes, written through ``/status``);
- the printers, ``pkg/printers/internalversion/printers.go``: NAME PROVISIONER RECLAIMPOLICY
  VOLUMEBINDINGMODE ALLOWVOLUMEEXPANSION AGE (a default class named ``<name> (default)``), NAME
  ATTACHREQUIRED PODINFOONMOUNT STORAGECAPACITY TOKENREQUESTS REQUIRESREPUBLISH MODES AGE, NAME
  DRIVERS AGE, NAME STORAGECLASSNAME CAPACITY, NAME ATTACHER PV NODE ATTACHED AGE.

Leaves out: VolumeAttributesClass and the v1beta1/v1alpha1 versions; the full
``ValidatePersistentVolumeSpec`` of a VolumeAttachment's ``inlineVolumeSpec`` (only its presence
counts); the feature-gated fields (``serviceAccountTokenInSecrets``) and the gated clearing of
a status write's error codes; the storage-class admission plugin (``DefaultStorageClass``) and
every controller that acts on these objects. An immutable VolumeAttachment spec is printed
with a fixed pointer address where Go prints a live one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeGuard

from reference_impl.apiserver import quantity
from reference_impl.apiserver.registry.info import ResourceInfo
from reference_impl.apiserver.registry.strategy import Column, Strategy
from reference_impl.apiserver.tables import since
from reference_impl.apiserver.validation import (
    FIELD_IMMUTABLE,
    Errors,
    GoText,
    _go_selector,
    _label_selector,
    _object_meta,
    is_dns1123_subdomain,
    is_qualified_name,
)

Obj = dict[str, Any]

GROUP = "storage.k8s.io"

# Go's sets.NewString(...).List(): the supported values, sorted.
RECLAIM_POLICIES = ("Delete", "Retain")
VOLUME_BINDING_MODES = ("Immediate", "WaitForFirstConsumer")
FS_GROUP_POLICIES = ("File", "None", "ReadWriteOnceWithFSType")
VOLUME_LIFECYCLE_MODES = ("Persistent", "Ephemeral")  # a literal slice upstream: not sorted
MAX_PROVISIONER_PARAMETER_SIZE = 256 * (1 << 10)
MAX_PROVISIONER_PARAMETER_LEN = 512
MAX_ATTACHED_VOLUME_METADATA_SIZE = 256 * (1 << 10)
MAX_VOLUME_ERROR_MESSAGE_SIZE = 1024
CSI_NODE_ID_MAX_LENGTH = 256  # AllowLongNodeID: always set by the CSINode strategy
CSI_DRIVER_NAME_MAX_LENGTH = 63
MAX_INT32 = 2147483647
MIN_TOKEN_EXPIRATION = 600
DEFAULT_CLASS_ANNOTATIONS = (
    "storageclass.kubernetes.io/is-default-class",
    "storageclass.beta.kubernetes.io/is-default-class",
)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _meta(obj: Obj) -> Obj:
    return _dict(obj.get("metadata"))


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _go_str(value: Any) -> str:
    return json.dumps("" if value is None else str(value), ensure_ascii=False)


def _canonical(value: Any) -> Any:
    if isinstance(value, str | int) and not isinstance(value, bool):
        try:
            return quantity.canonical(value)
        except (ValueError, ArithmeticError):
            return value
    return value


# --------------------------------------------------------------------------- defaults


def _default_storage_class(obj: Obj) -> None:
    obj.setdefault("reclaimPolicy", "Delete")
    obj.setdefault("volumeBindingMode", "Immediate")


def _default_csi_driver(obj: Obj) -> None:
    spec = obj.setdefault("spec", {})
    if not isinstance(spec, dict):
        return
    spec.setdefault("attachRequired", True)
    spec.setdefault("podInfoOnMount", False)
    spec.setdefault("storageCapacity", False)
    spec.setdefault("fsGroupPolicy", "ReadWriteOnceWithFSType")
    if not spec.get("volumeLifecycleModes"):
        spec["volumeLifecycleModes"] = ["Persistent"]
    spec.setdefault("requiresRepublish", False)
    spec.setdefault("seLinuxMount", False)


def _default_capacity(obj: Obj) -> None:
    for key in ("capacity", "maximumVolumeSize"):
        if obj.get(key) is not None:
            obj[key] = _canonical(obj[key])


# --------------------------------------------------------------------------- shared checks


def _csi_driver_name(errs: Errors, name: Any, path: str) -> None:
    """``apivalidation.ValidateCSIDriverName``."""
    name = "" if name is None else str(name)
    if not name:
        errs.required(path)
    if len(name) > CSI_DRIVER_NAME_MAX_LENGTH:
        errs.too_long(path, CSI_DRIVER_NAME_MAX_LENGTH)
    for msg in is_dns1123_subdomain(name.lower()):
        errs.invalid(path, name, msg)


def _qualified_name(errs: Errors, value: str, path: str, shown: str | None = None) -> None:
    """``apivalidation.ValidateQualifiedName`` (``shown``: the value the errors print)."""
    for msg in is_qualified_name(value):
        errs.invalid(path, value if shown is None else shown, msg)


# --------------------------------------------------------------------------- StorageClass


def _parameters(errs: Errors, params: Any, path: str) -> None:
    """``validateParameters`` (empty allowed)."""
    params = _dict(params)
    if len(params) > MAX_PROVISIONER_PARAMETER_LEN:
        errs.too_long(path, MAX_PROVISIONER_PARAMETER_LEN)
        return
    total = 0
    for key, value in params.items():
        if len(key) < 1:
            errs.invalid(path, key, "field can not be empty.")
        total += len(key.encode()) + len(str(value).encode())
    if total > MAX_PROVISIONER_PARAMETER_SIZE:
        errs.too_long(path, MAX_PROVISIONER_PARAMETER_SIZE)


def _allowed_topologies(errs: Errors, terms: list[Any], path: str) -> None:
    """``validateAllowedTopologies`` with ``ValidateTopologySelectorTerm``."""
    seen: list[dict[str, set[str]]] = []
    for i, term in enumerate(terms):
        term_path = f"{path}[{i}]"
        expr_map: dict[str, set[str]] = {}
        for j, req in enumerate(_list(_dict(term).get("matchLabelExpressions"))):
            req = _dict(req)
            req_path = f"{term_path}.matchLabelExpressions[{j}]"
            values = [str(v) for v in _list(req.get("values"))]
            if not values:
                errs.required(f"{req_path}.values")
            value_set: set[str] = set()
            for k, value in enumerate(values):
                if value in value_set:
                    errs.duplicate(f"{req_path}.values[{k}]", value)
                value_set.add(value)
            key = str(req.get("key") or "")
            _qualified_name(errs, key, f"{req_path}.key")
            if key in expr_map:
                errs.duplicate(f"{req_path}.key", key)
            expr_map[key] = value_set
        if expr_map in seen:
            errs.duplicate(f"{term_path}.matchLabelExpressions", "")
        seen.append(expr_map)


def _validate_storage_class(errs: Errors, obj: Obj) -> None:
    provisioner = str(obj.get("provisioner") or "")
    if not provisioner:
        errs.required("provisioner")
    else:
        _qualified_name(errs, provisioner.lower(), "provisioner")
    _parameters(errs, obj.get("parameters"), "parameters")
    reclaim = obj.get("reclaimPolicy")
    if reclaim and reclaim not in RECLAIM_POLICIES:
        errs.not_supported("reclaimPolicy", reclaim, RECLAIM_POLICIES)
    mode = obj.get("volumeBindingMode")
    if mode is None:
        errs.required("volumeBindingMode")
    elif mode not in VOLUME_BINDING_MODES:
        errs.not_supported("volumeBindingMode", mode, VOLUME_BINDING_MODES)
    _allowed_topologies(errs, _list(obj.get("allowedTopologies")), "allowedTopologies")


def _validate_storage_class_update(errs: Errors, obj: Obj, old: Obj) -> None:
    """``ValidateStorageClassUpdate`` (the strategy validates the new object as on create first)."""
    _validate_storage_class(errs, obj)
    if (obj.get("parameters") or {}) != (old.get("parameters") or {}):
        errs.forbidden("parameters", "updates to parameters are forbidden.")
    if (obj.get("provisioner") or "") != (old.get("provisioner") or ""):
        errs.forbidden("provisioner", "updates to provisioner are forbidden.")
    if obj.get("reclaimPolicy") != old.get("reclaimPolicy"):
        errs.forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden.")
    if obj.get("volumeBindingMode") != old.get("volumeBindingMode"):
        errs.invalid("volumeBindingMode", obj.get("volumeBindingMode"), FIELD_IMMUTABLE)


# --------------------------------------------------------------------------- CSIDriver


def _token_requests(errs: Errors, requests: list[Any], path: str) -> None:
    audiences: set[str] = set()
    for i, request in enumerate(requests):
        request = _dict(request)
        audience = str(request.get("audience") or "")
        if audience in audiences:
            errs.duplicate(f"{path}[{i}].audience", audience)
            continue
        audiences.add(audience)
        seconds = request.get("expirationSeconds")
        if not _is_int(seconds):
            continue
        if seconds < MIN_TOKEN_EXPIRATION:
            errs.invalid(f"{path}[{i}].expirationSeconds", seconds, "may not specify a duration less than 10 minutes")
        if seconds > 1 << 32:
            errs.invalid(f"{path}[{i}].expirationSeconds", seconds, "may not specify a duration larger than 2^32 seconds")


def _csi_driver_spec(errs: Errors, spec: Obj) -> None:
    for key, path in (
        ("attachRequired", "spec.attachedRequired"),  # sic: upstream's path
        ("podInfoOnMount", "spec.podInfoOnMount"),
        ("storageCapacity", "spec.storageCapacity"),
    ):
        if spec.get(key) is None:
            errs.required(path)
    policy = spec.get("fsGroupPolicy")
    if policy is not None and policy not in FS_GROUP_POLICIES:
        errs.not_supported("spec.fsGroupPolicy", policy, FS_GROUP_POLICIES)
    _token_requests(errs, _list(spec.get("tokenRequests")), "spec.tokenRequests")
    for mode in _list(spec.get("volumeLifecycleModes")):
        if mode not in VOLUME_LIFECYCLE_MODES:
            errs.not_supported("spec.volumeLifecycleModes", mode, VOLUME_LIFECYCLE_MODES)
    if spec.get("seLinuxMount") is None:
        errs.required("spec.seLinuxMount")
    period = spec.get("nodeAllocatableUpdatePeriodSeconds")
    if _is_int(period) and period < 10:
        errs.invalid("spec.nodeAllocatableUpdatePeriodSeconds", period, "must be greater than or equal to 10 seconds")


def _validate_csi_driver(errs: Errors, obj: Obj) -> None:
    """The strategy's Validate, which runs ``ValidateCSIDriver`` twice (so each cause shows twice;
    the server checked the metadata once before)."""
    _csi_driver_spec(errs, _dict(obj.get("spec")))
    _object_meta(errs, "CSIDriver", obj)
    _csi_driver_spec(errs, _dict(obj.get("spec")))


def _go_modes(modes: Any) -> GoText:
    if not isinstance(modes, list):
        return GoText("[]storage.VolumeLifecycleMode(nil)")
    return GoText("[]storage.VolumeLifecycleMode{" + ", ".join(_go_str(m) for m in modes) + "}")


def _validate_csi_driver_update(errs: Errors, obj: Obj, old: Obj) -> None:
    """The strategy's ``ValidateCSIDriver`` then ``ValidateCSIDriverUpdate`` (each checking the spec)."""
    spec, old_spec = _dict(obj.get("spec")), _dict(old.get("spec"))
    _csi_driver_spec(errs, spec)
    _csi_driver_spec(errs, spec)
    if spec.get("attachRequired") != old_spec.get("attachRequired"):
        errs.invalid("spec.attachedRequired", spec.get("attachRequired"), FIELD_IMMUTABLE)
    if spec.get("volumeLifecycleModes") != old_spec.get("volumeLifecycleModes"):
        errs.invalid("spec.volumeLifecycleModes", _go_modes(spec.get("volumeLifecycleModes")), FIELD_IMMUTABLE)


# --------------------------------------------------------------------------- CSINode


def _csi_node_driver(errs: Errors, driver: Obj, names: set[str], path: str) -> None:
    name = str(driver.get("name") or "")
    _csi_driver_name(errs, name, f"{path}.name")
    node_id = str(driver.get("nodeID") or "")
    if not node_id:
        errs.required(f"{path}.nodeID")
    if len(node_id) > CSI_NODE_ID_MAX_LENGTH:
        errs.invalid(f"{path}.nodeID", node_id, f"must be {CSI_NODE_ID_MAX_LENGTH} characters or less")
    count = _dict(driver.get("allocatable")).get("count")
    if _is_int(count):
        errs.nonnegative(f"{path}.allocatable.count", count)
    if name in names:
        errs.duplicate(f"{path}.name", name)
    names.add(name)
    keys: set[str] = set()
    for key in _list(driver.get("topologyKeys")):
        key = str(key)
        if not key:
            errs.required(path)
        if key in keys:
            errs.duplicate(path, key)
        keys.add(key)
        _qualified_name(errs, key, path)


def _csi_node_drivers(errs: Errors, obj: Obj) -> None:
    names: set[str] = set()
    for i, driver in enumerate(_list(_dict(obj.get("spec")).get("drivers"))):
        _csi_node_driver(errs, _dict(driver), names, f"spec.drivers[{i}]")


def _go_node_driver(driver: Obj) -> GoText:
    """A ``storage.CSINodeDriver`` (allocatable cleared) as ``%#v`` prints it."""
    keys = driver.get("topologyKeys")
    keys_text = "[]string(nil)" if not isinstance(keys, list) else "[]string{" + ", ".join(_go_str(k) for k in keys) + "}"
    return GoText(
        f"storage.CSINodeDriver{{Name:{_go_str(driver.get('name'))}, NodeID:{_go_str(driver.get('nodeID'))}, "
        f"TopologyKeys:{keys_text}, Allocatable:(*storage.VolumeNodeResources)(nil)}}"
    )


def _validate_csi_node_update(errs: Errors, obj: Obj, old: Obj) -> None:
    _csi_node_drivers(errs, obj)
    new_drivers = [_dict(d) for d in _list(_dict(obj.get("spec")).get("drivers"))]
    for old_driver in (_dict(d) for d in _list(_dict(old.get("spec")).get("drivers"))):
        for new_driver in new_drivers:
            if old_driver.get("name") != new_driver.get("name"):
                continue
            stripped_new = {k: v for k, v in new_driver.items() if k != "allocatable"}
            stripped_old = {k: v for k, v in old_driver.items() if k != "allocatable"}
            if (stripped_new.get("topologyKeys") or None) != (stripped_old.get("topologyKeys") or None) or any(
                (stripped_new.get(k) or "") != (stripped_old.get(k) or "") for k in ("name", "nodeID")
            ):
                errs.invalid("spec.drivers", _go_node_driver(stripped_new), FIELD_IMMUTABLE)


# --------------------------------------------------------------------------- CSIStorageCapacity


def _validate_capacity(errs: Errors, obj: Obj, *, allow_invalid_values: bool = False) -> None:
    topology = obj.get("nodeTopology")
    if isinstance(topology, dict):
        _label_selector(errs, topology, "nodeTopology", allow_invalid_values=allow_invalid_values)
    class_name = str(obj.get("storageClassName") or "")
    for msg in is_dns1123_subdomain(class_name):
        errs.invalid("storageClassName", class_name, msg)
    capacity = obj.get("capacity")
    if capacity is not None:
        try:
            negative = quantity.parse_quantity(capacity) < 0
        except (ValueError, ArithmeticError):
            negative = False
        if negative:
            errs.invalid("capacity", _canonical(capacity), "must be greater than or equal to 0")


def _validate_capacity_update(errs: Errors, obj: Obj, old: Obj) -> None:
    """The strategy's ``ValidateCSIStorageCapacity`` (invalid selector values allowed when the old
    object had one) then ``ValidateCSIStorageCapacityUpdate``."""
    old_topology = old.get("nodeTopology")
    old_errs = Errors()
    if isinstance(old_topology, dict):
        _label_selector(old_errs, old_topology, "nodeTopology")
    _validate_capacity(errs, obj, allow_invalid_values=bool(old_errs.causes))
    topology = obj.get("nodeTopology")
    if topology != old.get("nodeTopology"):
        errs.invalid("nodeTopology", _go_selector(topology) if isinstance(topology, dict) else None, FIELD_IMMUTABLE)
    if (obj.get("storageClassName") or "") != (old.get("storageClassName") or ""):
        errs.invalid("storageClassName", obj.get("storageClassName") or "", FIELD_IMMUTABLE)


# --------------------------------------------------------------------------- VolumeAttachment


def _volume_error(errs: Errors, error: Any, path: str) -> None:
    if not isinstance(error, dict):
        return
    if len(str(error.get("message") or "").encode()) > MAX_VOLUME_ERROR_MESSAGE_SIZE:
        errs.too_long(f"{path}.message", MAX_ATTACHED_VOLUME_METADATA_SIZE)  # sic: upstream's limit shown
    code = error.get("errorCode")
    if _is_int(code) and code < 0:
        errs.invalid(f"{path}.errorCode", code, f"must be between 0 and {MAX_INT32}, inclusive")


def _attachment(errs: Errors, obj: Obj) -> None:
    """``ValidateVolumeAttachment`` (spec and status)."""
    spec = _dict(obj.get("spec"))
    if not spec.get("attacher"):
        errs.required("spec.attacher")
    source = _dict(spec.get("source"))
    pv_name, inline = source.get("persistentVolumeName"), source.get("inlineVolumeSpec")
    if inline is None and pv_name is None:
        errs.required("spec.source", "must specify exactly one of inlineVolumeSpec and persistentVolumeName")
    elif inline is not None and pv_name is not None:
        errs.forbidden("spec.source", "must specify exactly one of inlineVolumeSpec and persistentVolumeName")
    elif pv_name is not None and not pv_name:
        errs.required("spec.source.persistentVolumeName", "must specify non empty persistentVolumeName")
    node_name = str(spec.get("nodeName") or "")
    for msg in is_dns1123_subdomain(node_name):
        errs.invalid("spec.nodeName", node_name, msg)
    status = _dict(obj.get("status"))
    metadata = _dict(status.get("attachmentMetadata"))
    if sum(len(str(k).encode()) + len(str(v).encode()) for k, v in metadata.items()) > MAX_ATTACHED_VOLUME_METADATA_SIZE:
        errs.too_long("status.attachmentMetadata", MAX_ATTACHED_VOLUME_METADATA_SIZE)
    _volume_error(errs, status.get("attachError"), "status.attachError")
    _volume_error(errs, status.get("detachError"), "status.detachError")


def _validate_attachment(errs: Errors, obj: Obj) -> None:
    """The strategy's Validate: ``ValidateVolumeAttachment`` then ``ValidateVolumeAttachmentV1``."""
    _attachment(errs, obj)
    spec = _dict(obj.get("spec"))
    _csi_driver_name(errs, spec.get("attacher"), "spec.attacher")
    pv_name = _dict(spec.get("source")).get("persistentVolumeName")
    if pv_name is not None:
        for msg in is_dns1123_subdomain(str(pv_name)):
            errs.invalid("spec.source.persistentVolumeName", str(pv_name), msg)


def _go_attachment_spec(spec: Obj) -> GoText:
    """A ``storage.VolumeAttachmentSpec`` as ``%#v`` prints it (pointer addresses made up)."""
    source = _dict(spec.get("source"))
    pv = "(*string)(nil)" if source.get("persistentVolumeName") is None else "(*string)(0xc000010000)"
    inline = (
        "(*core.PersistentVolumeSpec)(nil)"
        if source.get("inlineVolumeSpec") is None
        else "(*core.PersistentVolumeSpec)(0xc000020000)"
    )
    return GoText(
        f"storage.VolumeAttachmentSpec{{Attacher:{_go_str(spec.get('attacher'))}, "
        f"Source:storage.VolumeAttachmentSource{{PersistentVolumeName:{pv}, InlineVolumeSpec:{inline}}}, "
        f"NodeName:{_go_str(spec.get('nodeName'))}}}"
    )


def _validate_attachment_update(errs: Errors, obj: Obj, old: Obj) -> None:
    _attachment(errs, obj)
    if _dict(obj.get("spec")) != _dict(old.get("spec")):
        errs.invalid("spec", _go_attachment_spec(_dict(obj.get("spec"))), FIELD_IMMUTABLE)


def _prepare_attachment(obj: Obj) -> None:
    """``PrepareForCreate``: the status is reset to its zero value (``attached`` is always written)."""
    obj["status"] = {"attached": False}


# --------------------------------------------------------------------------- printers

_NAME: Column = ("Name", "string", 0, "name")
_AGE: Column = ("Age", "string", 0, "")


def _storage_class_cells(obj: Obj, now: float) -> list[Any]:
    meta = _meta(obj)
    annotations = _dict(meta.get("annotations"))
    name = str(meta.get("name", ""))
    if any(annotations.get(key) == "true" for key in DEFAULT_CLASS_ANNOTATIONS):
        name += " (default)"
    expansion = obj.get("allowVolumeExpansion")
    return [
        name, obj.get("provisioner", ""), obj.get("reclaimPolicy") or "Delete",
        obj.get("volumeBindingMode") or "Immediate", expansion if isinstance(expansion, bool) else False,
        since(meta.get("creationTimestamp"), now),
    ]


def _flag(spec: Obj, key: str, default: bool) -> bool:
    value = spec.get(key)
    return value if isinstance(value, bool) else default


def _csi_driver_cells(obj: Obj, now: float) -> list[Any]:
    meta, spec = _meta(obj), _dict(obj.get("spec"))
    modes = ",".join(str(m) for m in _list(spec.get("volumeLifecycleModes"))) or "<none>"
    requests = spec.get("tokenRequests")
    tokens = ",".join(str(_dict(t).get("audience") or "") for t in requests) if isinstance(requests, list) else "<unset>"
    return [
        meta.get("name", ""), _flag(spec, "attachRequired", True), _flag(spec, "podInfoOnMount", False),
        _flag(spec, "storageCapacity", False), tokens, _flag(spec, "requiresRepublish", False), modes,
        since(meta.get("creationTimestamp"), now),
    ]


def _csi_node_cells(obj: Obj, now: float) -> list[Any]:
    meta = _meta(obj)
    drivers = _list(_dict(obj.get("spec")).get("drivers"))
    return [meta.get("name", ""), len(drivers), since(meta.get("creationTimestamp"), now)]


def _capacity_cells(obj: Obj, now: float) -> list[Any]:
    capacity = obj.get("capacity")
    return [_meta(obj).get("name", ""), obj.get("storageClassName", ""), "<unset>" if capacity is None else _canonical(capacity)]


def _attachment_cells(obj: Obj, now: float) -> list[Any]:
    meta, spec = _meta(obj), _dict(obj.get("spec"))
    attached = _dict(obj.get("status")).get("attached")
    return [
        meta.get("name", ""), spec.get("attacher", ""), _dict(spec.get("source")).get("persistentVolumeName") or "",
        spec.get("nodeName", ""), attached if isinstance(attached, bool) else False,
        since(meta.get("creationTimestamp"), now),
    ]


# --------------------------------------------------------------------------- the strategies


def _info(
    kind: str, plural: str, *, namespaced: bool = False, short: tuple[str, ...] = (),
    subresources: tuple[str, ...] = (), generation: bool = False,
) -> ResourceInfo:
    return ResourceInfo(GROUP, "v1", kind, plural, kind.lower(), namespaced, short, subresources, generation)


def _always(check: Callable[[Errors, Obj], None]) -> Callable[[Errors, Obj, Obj], None]:
    def update(errs: Errors, obj: Obj, old: Obj) -> None:
        check(errs, obj)

    return update


STRATEGIES: tuple[Strategy, ...] = (
    Strategy(
        _info("StorageClass", "storageclasses", short=("sc",)),
        default=_default_storage_class,
        validate=_validate_storage_class,
        validate_update=_validate_storage_class_update,
        columns=(
            _NAME, ("Provisioner", "string", 0, ""), ("ReclaimPolicy", "string", 0, ""),
            ("VolumeBindingMode", "string", 0, ""), ("AllowVolumeExpansion", "string", 0, ""), _AGE,
        ),
        cells=_storage_class_cells,
    ),
    Strategy(
        _info("VolumeAttachment", "volumeattachments", subresources=("status",)),
        validate=_validate_attachment,
        validate_update=_validate_attachment_update,
        columns=(
            _NAME, ("Attacher", "string", 0, "name"), ("PV", "string", 0, ""), ("Node", "string", 0, ""),
            ("Attached", "boolean", 0, ""), _AGE,
        ),
        cells=_attachment_cells,
        prepare_create=_prepare_attachment,
    ),
    Strategy(
        _info("CSINode", "csinodes"),
        validate=_csi_node_drivers,
        validate_update=_validate_csi_node_update,
        columns=(_NAME, ("Drivers", "integer", 0, ""), _AGE),
        cells=_csi_node_cells,
    ),
    Strategy(
        _info("CSIDriver", "csidrivers", generation=True),
        default=_default_csi_driver,
        validate=_validate_csi_driver,
        validate_update=_validate_csi_driver_update,
        columns=(
            _NAME, ("AttachRequired", "boolean", 0, ""), ("PodInfoOnMount", "boolean", 0, ""),
            ("StorageCapacity", "boolean", 0, ""), ("TokenRequests", "string", 0, ""),
            ("RequiresRepublish", "boolean", 0, ""), ("Modes", "string", 0, ""), _AGE,
        ),
        cells=_csi_driver_cells,
    ),
    Strategy(
        _info("CSIStorageCapacity", "csistoragecapacities", namespaced=True),
        default=_default_capacity,
        validate=_validate_capacity,
        validate_update=_validate_capacity_update,
        columns=(_NAME, ("StorageClassName", "string", 0, ""), ("Capacity", "string", 0, "")),
        cells=_capacity_cells,
    ),
)
