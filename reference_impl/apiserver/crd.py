"""Custom resources: what kube-apiserver's apiextensions-apiserver does with a CustomResourceDefinition.

Models, from ``staging/src/k8s.io/apiextensions-apiserver/pkg``:

- the naming controller (``controller/status/naming_controller.go``): a CRD's requested names are
  accepted unless another CRD of the same group already holds them (``NamesAccepted`` True
  ``NoConflicts`` "no conflicts found", else False ``PluralConflict``/``SingularConflict``/
  ``ShortNamesConflict``/``KindConflict``/``ListKindConflict`` ``"x" is already in use``), with
  ``Established`` False ``Installing`` "the initial names have been accepted" (or ``NotAccepted``
  "not all names are accepted") until the establishing controller
  (``controller/establish/establishing_controller.go``) sets it True ``InitialNamesAccepted``;
- the CRD handler (``apiserver/customresource_handler.go``): once established, every served
  version is a resource of the API server (discovery, REST, watch), with the ``status`` and
  ``scale`` subresources the version declares, its printer columns, and its structural schema
  applied on every write (``schema.py``: defaulting, pruning of unknown fields, validation);
  versions convert with the ``None`` strategy (only ``apiVersion`` changes);
- the finalizer (``controller/finalizer/crd_finalizer.go`` and the CRD store's ``Delete``): deleting
  a CRD marks it (``Terminating`` True ``InstanceDeletionPending``, finalizer
  ``customresourcecleanup.apiextensions.k8s.io``), then every custom resource is deleted
  (``InstanceDeletionInProgress``), the condition turns False ``InstanceDeletionCompleted``
  "removed all instances", the finalizer is removed and the CRD and its endpoints go.

The controllers run on the API server's simulated loop, woken by the store's watch of the CRD
prefix, so a CRD answers its create without status and is established a moment later, as on a
real server. Leaves out: conversion webhooks (a ``Webhook`` strategy converts like ``None``),
CEL rules (``x-kubernetes-validations``), ``selectableFields``, the 5 s HA establishing delay, and
the non-structural-schema and storage-version-migration conditions. Custom resources are checked
against their structural schema by :mod:`schema`; their OpenAPI is :mod:`crd_openapi`'s.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

import reference_impl.apiserver.schema as _schema
from reference_impl.apiserver.registry.info import ResourceInfo
from reference_impl.apiserver.registry.strategy import Strategy
from reference_impl.apiserver.tables import since
from reference_impl.apiserver.validation import Errors
from reference_impl.store.interface import Event

if TYPE_CHECKING:
    from reference_impl.apiserver.server import APIServer

Obj = dict[str, Any]

GROUP = "apiextensions.k8s.io"
CRD_QUALIFIED = "customresourcedefinitions.apiextensions.k8s.io"
CRD_RESOURCE = "apiextensions.k8s.io/v1/customresourcedefinitions"
CRD_PREFIX = f"/registry/{CRD_QUALIFIED}/"
FINALIZER = "customresourcecleanup.apiextensions.k8s.io"

_NAME_KEYS = ("plural", "singular", "shortNames", "kind", "listKind", "categories")


def condition(crd: Obj, kind: str) -> Obj | None:
    for c in (crd.get("status") or {}).get("conditions") or []:
        if c.get("type") == kind:
            return c  # type: ignore[no-any-return]
    return None


def is_true(crd: Obj, kind: str) -> bool:
    c = condition(crd, kind)
    return c is not None and c.get("status") == "True"


def set_condition(crd: Obj, cond: Obj, now: str) -> None:
    """``SetCRDCondition``: the transition time moves only when the status does."""
    status = crd.setdefault("status", {})
    conds = list(status.get("conditions") or [])
    for i, c in enumerate(conds):
        if c.get("type") == cond["type"]:
            keep = c.get("lastTransitionTime") if c.get("status") == cond["status"] else now
            conds[i] = {**cond, "lastTransitionTime": keep or now}
            status["conditions"] = conds
            return
    conds.append({**cond, "lastTransitionTime": now})
    status["conditions"] = conds


def terminating_on_delete(crd: Obj, now: str) -> None:
    """The CRD store's ``Delete``: the finalizer and the pending condition, before anything goes."""
    meta = crd["metadata"]
    finalizers = list(meta.get("finalizers") or [])
    if FINALIZER not in finalizers:
        finalizers.append(FINALIZER)
    meta["finalizers"] = finalizers
    set_condition(
        crd,
        {
            "type": "Terminating",
            "status": "True",
            "reason": "InstanceDeletionPending",
            "message": "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon",
        },
        now,
    )


# -- JSON paths of printer columns and the scale subresource -----------------------------------

_SIMPLE_PATH = re.compile(r"^(\.[A-Za-z0-9_$-]+|\[[0-9]+\]|\['[^']*'\])+$")
_PATH_PART = re.compile(r"\.([A-Za-z0-9_$-]+)|\[([0-9]+)\]|\['([^']*)'\]")


def json_path(obj: Any, path: str) -> tuple[bool, Any]:
    """(found, value) of a printer column's or scale path's simple JSONPath (``.spec.a[0].b``)."""
    if not _SIMPLE_PATH.match(path or ""):
        return False, None
    cur = obj
    for m in _PATH_PART.finditer(path):
        key, index, quoted = m.group(1), m.group(2), m.group(3)
        if index is not None:
            if not isinstance(cur, list) or int(index) >= len(cur):
                return False, None
            cur = cur[int(index)]
        else:
            k = key if key is not None else quoted
            if not isinstance(cur, dict) or k not in cur:
                return False, None
            cur = cur[k]
    return True, cur


def _cell(value: Any, kind: str, now_s: float) -> Any:
    if kind == "date" and isinstance(value, str):
        return since(value, now_s)
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return value


# -- one served version as a resource of the API server ------------------------------------------


def _version_schema(version: Obj) -> Obj:
    return ((version.get("schema") or {}).get("openAPIV3Schema")) or {"type": "object"}


def strategy_for(crd: Obj, version: Obj) -> Strategy:
    """The REST strategy of one served version of an established CRD."""
    spec = crd["spec"]
    names = (crd.get("status") or {}).get("acceptedNames") or spec["names"]
    subs = version.get("subresources") or {}
    subresources = tuple(s for s in ("status", "scale") if s in subs)
    info = ResourceInfo(
        str(spec["group"]),
        str(version["name"]),
        str(names["kind"]),
        str(names["plural"]),
        str(names.get("singular") or str(names["kind"]).lower()),
        spec.get("scope") == "Namespaced",
        tuple(names.get("shortNames") or ()),
        subresources,
        True,
        tuple(names.get("categories") or ()),
    )
    structural = _version_schema(version)
    scale = subs.get("scale") if isinstance(subs.get("scale"), dict) else None
    rules = _schema.has_rules(structural)

    def default(obj: Obj) -> None:
        _schema.prune(obj, structural)
        _schema.default(obj, structural)

    # each in the order of the upstream strategy: the schema's values, the scale paths, embedded
    # resources, list-type duplicates, then the CEL rules (not run; see schema.rules_unchecked)
    def validate(errs: Errors, obj: Obj) -> None:
        _schema.validate(errs, obj, structural)
        _scale_checks(errs, obj, scale, spec=True)
        _schema.validate_embedded(errs, obj, structural)
        _schema.validate_list_types(errs, obj, structural)
        if rules:
            _schema.rules_unchecked(errs)

    def validate_update(errs: Errors, obj: Obj, old: Obj) -> None:
        _schema.validate(errs, obj, structural, old)
        _scale_checks(errs, obj, scale, spec=True)
        _schema.validate_embedded(errs, obj, structural)
        _schema.validate_list_types(errs, obj, structural, old)
        if rules:
            _schema.rules_unchecked(errs)

    def default_status(obj: Obj) -> None:
        # the status strategy's decode: the request's status through the schema (pruned,
        # defaulted), on a holder so that the stored object's other fields are not touched
        if "status" not in obj:
            return
        holder = {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"), "status": obj["status"]}
        _schema.prune(holder, structural)
        _schema.default(holder, structural)
        if "status" in holder:
            obj["status"] = holder["status"]
        else:
            del obj["status"]

    def validate_status_update(errs: Errors, obj: Obj, old: Obj) -> None:
        _schema.validate_status(errs, obj, old, structural)
        _scale_checks(errs, obj, scale, spec=False)
        _schema.validate_list_types(errs, obj, structural, old)
        if rules:
            _schema.rules_unchecked(errs)

    columns_spec = [c for c in version.get("additionalPrinterColumns") or [] if isinstance(c, dict)]
    columns = (
        ("Name", "string", 0, "name"),
        *((str(c.get("name", "")), str(c.get("type", "string")), int(c.get("priority", 0) or 0),
           str(c.get("format", ""))) for c in columns_spec),
    )
    has_age = any(c.get("jsonPath") == ".metadata.creationTimestamp" for c in columns_spec)
    if not has_age and not columns_spec:
        columns = (*columns, ("Age", "date", 0, ""))

    def cells(obj: Obj, now_s: float) -> list[Any]:
        row: list[Any] = [obj["metadata"]["name"]]
        for c in columns_spec:
            found, value = json_path(obj, str(c.get("jsonPath", "")))
            row.append(_cell(value, str(c.get("type", "string")), now_s) if found else None)
        if not has_age and not columns_spec:
            row.append(since(obj["metadata"].get("creationTimestamp"), now_s))
        return row

    def prepare_create(obj: Obj) -> None:
        if "status" in subresources:
            obj.pop("status", None)

    return Strategy(
        info=info,
        default=default,
        validate=validate,
        validate_update=validate_update,
        default_status=default_status,
        validate_status_update=validate_status_update,
        generation_from="*",
        columns=columns,
        cells=cells,
        prepare_create=prepare_create,
    )


def _scale_checks(errs: Errors, obj: Obj, scale: Obj | None, *, spec: bool) -> None:
    """``ValidateScaleSpec`` (when ``spec``) and ``ValidateScaleStatus`` of ``validator.go``: the
    replica counts must be int32s, the selector a string, where the scale subresource finds them."""
    if scale is None:
        return
    paths = [("specReplicasPath", True)] if spec else []
    paths += [("statusReplicasPath", True), ("labelSelectorPath", False)]
    for key, replicas in paths:
        path = scale.get(key)
        if not isinstance(path, str) or not path:
            continue
        found, value, problem = _nested(obj, path.removeprefix(".").split("."), "int64" if replicas else "string")
        if problem:
            shown = "0" if replicas else '""'  # (the zero value NestedInt64/NestedString hand back)
            errs._add("FieldValueInvalid", path, f"Invalid value: {shown}: {problem}")
        elif found and replicas and value < 0:
            errs._add("FieldValueInvalid", path, f"Invalid value: {value}: should be a non-negative integer")
        elif found and replicas and value > 2**31 - 1:
            errs._add("FieldValueInvalid", path, f"Invalid value: {value}: should be less than or equal to {2**31 - 1}")


def _nested(obj: Obj, fields: list[str], want: str) -> tuple[bool, Any, str]:
    """``unstructured.NestedInt64``/``NestedString``: (found, value, accessor error)."""
    value: Any = obj
    for i, name in enumerate(fields):
        if value is None:
            return False, None, ""
        if not isinstance(value, dict):
            return False, None, (f".{'.'.join(fields[:i + 1])} accessor error: {_schema.go_v(value)} is of the type "
                                 f"{_schema.go_type(value)}, expected map[string]interface{{}}")
        if name not in value:
            return False, None, ""
        value = value[name]
    ok = isinstance(value, str) if want == "string" else isinstance(value, int) and not isinstance(value, bool)
    if not ok:
        return False, None, (f".{'.'.join(fields)} accessor error: {_schema.go_v(value)} is of the type "
                             f"{_schema.go_type(value)}, expected {want}")
    return True, value, ""


def set_path(obj: Obj, path: str, value: Any) -> None:
    """Write ``value`` at a simple ``.a.b`` path, making the objects on the way."""
    keys = [m.group(1) or m.group(3) for m in _PATH_PART.finditer(path) if m.group(2) is None]
    cur = obj
    for k in keys[:-1]:
        nxt = cur.get(k)
        if not isinstance(nxt, dict):
            nxt = cur[k] = {}
        cur = nxt
    if keys:
        cur[keys[-1]] = value


def scale_of(obj: Obj, paths: Obj) -> Obj:
    """``autoscaling/v1`` Scale of a custom resource (``apiserver/customresource_handler.go``'s scale)."""
    meta = obj["metadata"]
    _, spec_replicas = json_path(obj, str(paths.get("specReplicasPath", "")))
    _, status_replicas = json_path(obj, str(paths.get("statusReplicasPath", "")))
    selector = ""
    if paths.get("labelSelectorPath"):
        found, value = json_path(obj, str(paths["labelSelectorPath"]))
        selector = value if found and isinstance(value, str) else ""
    status: Obj = {"replicas": status_replicas if isinstance(status_replicas, int) else 0}
    if selector:
        status["selector"] = selector
    out_meta = {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp") if k in meta}
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": out_meta,
        "spec": {"replicas": spec_replicas} if isinstance(spec_replicas, int) else {},
        "status": status,
    }


# -- the controllers ----------------------------------------------------------------------------


class CustomResources:
    """The naming, establishing and finalizing controllers, and the served custom resources."""

    def __init__(self, api: APIServer) -> None:
        self.api = api
        self._served: dict[str, tuple[str, str]] = {}  # CRD name -> (group, plural) it serves
        self._by_resource: dict[tuple[str, str], str] = {}  # (group, plural) -> CRD name
        self._crds: dict[str, Obj] = {}  # CRD name -> the CRD as last seen
        # CRD name -> (its resourceVersion, the storage version's schema if it declares defaults)
        self._read_defaults: dict[str, tuple[Any, Obj | None]] = {}
        self._pending: list[str] = []
        self._timer: Any = None
        for kv in api.store.range(CRD_PREFIX).kvs:  # a restarted server serves what it had
            crd = api.decode(kv.value, kv.mod_revision)
            self._crds[crd["metadata"]["name"]] = crd
            self._serve(crd)
            self._pending.append(crd["metadata"]["name"])
        if self._pending:
            self._timer = api.loop.call_soon(self._run)
        self._watch = api.store.watch(CRD_PREFIX, 0, self._on_events)

    def crd_for(self, info: ResourceInfo) -> Obj | None:
        name = self._by_resource.get((info.group, info.plural))
        return None if name is None else self._crds.get(name)

    def is_custom(self, info: ResourceInfo) -> bool:
        return (info.group, info.plural) in self._by_resource

    def storage_version(self, info: ResourceInfo) -> str | None:
        """The apiVersion custom resources of ``info`` are stored at; None for a built-in resource."""
        crd = self.crd_for(info) if self._by_resource else None
        if crd is None:
            return None
        for v in crd["spec"].get("versions") or []:
            if v.get("storage"):
                return f"{info.group}/{v['name']}"
        return None

    def schema_of(self, info: ResourceInfo) -> Obj | None:
        """The structural schema of a custom resource's version; None for a built-in resource."""
        crd = self.crd_for(info) if self._by_resource else None
        if crd is None:
            return None
        for v in crd["spec"].get("versions") or []:
            if v.get("name") == info.version:
                return _version_schema(v)
        return None

    def read_defaults(self, info: ResourceInfo) -> Obj | None:
        """The schema whose defaults a read of ``info`` fills in, None when it declares none.

        Upstream's storage decoder defaults what it reads from etcd by the storage version's
        schema, so a default added to a CRD shows on the objects stored before it.
        """
        name = self._by_resource.get((info.group, info.plural))
        crd = None if name is None else self._crds.get(name)
        if crd is None:
            return None
        rv = crd["metadata"].get("resourceVersion")
        hit = self._read_defaults.get(name)  # type: ignore[arg-type]
        if hit is not None and hit[0] == rv:
            return hit[1]
        versions = [v for v in crd["spec"].get("versions") or [] if isinstance(v, dict)]
        stored = next((v for v in versions if v.get("storage")), None)
        schema = _version_schema(stored) if stored is not None else None
        found = schema if schema is not None and _schema.declares_defaults(schema) else None
        self._read_defaults[name] = (rv, found)  # type: ignore[index]
        return found

    def scale_paths(self, info: ResourceInfo) -> Obj | None:
        crd = self.crd_for(info) if self._by_resource else None
        if crd is None:
            return None
        for v in crd["spec"].get("versions") or []:
            if v.get("name") == info.version:
                return (v.get("subresources") or {}).get("scale")  # type: ignore[no-any-return]
        return None

    def _on_events(self, events: Any) -> None:
        for e in events:
            assert isinstance(e, Event)
            name = e.kv.key[len(CRD_PREFIX) :]
            if name not in self._pending:
                self._pending.append(name)
        if self._timer is None:
            self._timer = self.api.loop.call_soon(self._run)

    def _run(self) -> None:
        self._timer = None
        while self._pending:
            self._sync(self._pending.pop(0))

    def _sync(self, name: str) -> None:
        kv = self.api.store.get(CRD_PREFIX + name)
        if kv is None:
            self._crds.pop(name, None)
            self._unserve(name)
            # freed names: the group's other CRDs may take them now
            for other, crd in list(self._crds.items()):
                if crd["spec"].get("group") == name.partition(".")[2] and other not in self._pending:
                    self._pending.append(other)
            return
        crd = self.api.decode(kv.value, kv.mod_revision)
        self._crds[name] = crd
        if crd["metadata"].get("deletionTimestamp"):
            self._finalize(crd)
            return
        if not self._names(crd):
            return  # a status write is on its way; its event brings the CRD back here
        if is_true(crd, "NamesAccepted") and not is_true(crd, "Established"):
            set_condition(
                crd,
                {"type": "Established", "status": "True", "reason": "InitialNamesAccepted",
                 "message": "the initial names have been accepted"},
                self.api.clock.rfc3339(),
            )
            self._write_status(crd)
            return
        self._serve(crd)

    def _names(self, crd: Obj) -> bool:
        """The naming controller; False when it wrote the CRD's status."""
        spec_names = crd["spec"].get("names") or {}
        status = crd.get("status") or {}
        accepted = dict(status.get("acceptedNames") or {})
        if {k: v for k, v in spec_names.items() if v} == {k: v for k, v in accepted.items() if v}:
            return True
        used_resources: set[str] = set()
        used_kinds: set[str] = set()
        for other_name, other in self._crds.items():
            if other_name == crd["metadata"]["name"] or other["spec"].get("group") != crd["spec"].get("group"):
                continue
            names = (other.get("status") or {}).get("acceptedNames") or {}
            used_resources.update(x for x in (names.get("plural"), names.get("singular"), *(names.get("shortNames") or ())) if x)
            used_kinds.update(x for x in (names.get("kind"), names.get("listKind")) if x)
        new = dict(accepted)
        cond: Obj = {"type": "NamesAccepted", "status": "Unknown"}

        def conflict(reason: str, requested: str) -> None:
            cond.update(status="False", reason=reason, message=f"{json.dumps(requested)} is already in use")

        for key, reason, used in (
            ("plural", "PluralConflict", used_resources),
            ("singular", "SingularConflict", used_resources),
        ):
            want = str(spec_names.get(key) or "")
            if want != accepted.get(key, "") and want in used:
                conflict(reason, want)
            else:
                new[key] = want
        want_short = list(spec_names.get("shortNames") or [])
        if want_short != list(accepted.get("shortNames") or []):
            clash = [s for s in want_short if s not in (accepted.get("shortNames") or []) and s in used_resources]
            if clash:
                cond.update(status="False", reason="ShortNamesConflict",
                            message=", ".join(f"{json.dumps(s)} is already in use" for s in clash))
                if len(clash) > 1:
                    cond["message"] = "[" + cond["message"] + "]"
            else:
                new["shortNames"] = want_short
        for key, reason in (("kind", "KindConflict"), ("listKind", "ListKindConflict")):
            want = str(spec_names.get(key) or "")
            if want != accepted.get(key, "") and want in used_kinds:
                conflict(reason, want)
            else:
                new[key] = want
        if spec_names.get("categories"):
            new["categories"] = list(spec_names["categories"])
        else:
            new.pop("categories", None)
        if not new.get("shortNames"):
            new.pop("shortNames", None)
        new.setdefault("plural", "")  # (the two names Go always writes, empty or not)
        new.setdefault("kind", "")
        if cond["status"] == "Unknown":
            cond.update(status="True", reason="NoConflicts", message="no conflicts found")
        established = condition(crd, "Established") or {
            "type": "Established", "status": "False", "reason": "NotAccepted", "message": "not all names are accepted",
        }
        if established.get("status") != "True" and cond["status"] == "True":
            established = {"type": "Established", "status": "False", "reason": "Installing",
                           "message": "the initial names have been accepted"}
        old_cond = condition(crd, "NamesAccepted")
        if new == accepted and old_cond is not None and all(old_cond.get(k) == cond.get(k) for k in ("status", "reason", "message")):
            return True
        now = self.api.clock.rfc3339()
        crd.setdefault("status", {})["acceptedNames"] = new
        set_condition(crd, cond, now)
        set_condition(crd, {k: v for k, v in established.items() if k != "lastTransitionTime"}, now)
        self._write_status(crd)
        return False

    def _write_status(self, crd: Obj) -> None:
        from reference_impl.apiserver.errors import ApiError

        try:
            self.api.update(CRD_RESOURCE, crd, subresource="status")
        except ApiError:
            pass  # deleted or changed meanwhile: its event brings it back

    def _serve(self, crd: Obj) -> None:
        name = crd["metadata"]["name"]
        if not is_true(crd, "Established") or crd["metadata"].get("deletionTimestamp"):
            return
        spec = crd["spec"]
        names = (crd.get("status") or {}).get("acceptedNames") or {}
        if not names.get("plural"):
            return
        registry = self.api.registry
        previous = self._served.get(name)
        if previous is not None:
            registry.remove(*previous)
        for version in spec.get("versions") or []:
            if version.get("served"):
                registry.add(strategy_for(crd, version))
        self._served[name] = (str(spec["group"]), str(names["plural"]))
        self._by_resource = {v: k for k, v in self._served.items()}

    def _unserve(self, name: str) -> None:
        served = self._served.pop(name, None)
        if served is not None:
            self.api.registry.remove(*served)
            group, plural = served
            self.api.drop_watches_of(f"{plural}.{group}")
        self._by_resource = {v: k for k, v in self._served.items()}

    def _finalize(self, crd: Obj) -> None:
        from reference_impl.apiserver.errors import ApiError

        name = crd["metadata"]["name"]
        if FINALIZER not in (crd["metadata"].get("finalizers") or []):
            return
        now = self.api.clock.rfc3339()
        served = self._served.get(name)
        if served is not None and is_true(crd, "Established"):
            plural = served[1]
            info = next(r for r in self.api.registry.resources if (r.group, r.plural) == served)
            resource = f"{info.api_version}/{plural}"
            for kv in self.api.store.range(info.key_prefix()).kvs:
                obj = self.api.decode(kv.value, kv.mod_revision)
                meta = obj["metadata"]
                if not meta.get("deletionTimestamp"):
                    try:
                        self.api.delete(resource, meta["name"], meta.get("namespace"))
                    except ApiError:
                        pass
            if self.api.store.range(info.key_prefix(), limit=1).kvs:
                # instances held by their own finalizers: wait for them (their deletes wake nothing
                # here, so look again a little later, as the finalizer's poll does)
                set_condition(crd, {"type": "Terminating", "status": "True", "reason": "InstanceDeletionInProgress",
                                    "message": "CustomResource deletion is in progress"}, now)
                self._write_status(crd)
                self.api.loop.call_later(5.0, self._requeue, name, background=True)
                return
        self._unserve(name)
        set_condition(crd, {"type": "Terminating", "status": "False", "reason": "InstanceDeletionCompleted",
                            "message": "removed all instances"}, now)
        crd["metadata"]["finalizers"] = [f for f in crd["metadata"].get("finalizers") or [] if f != FINALIZER]
        try:
            self.api.update(CRD_RESOURCE, crd, subresource="status")
            latest = self.api.get(CRD_RESOURCE, name)
            latest["metadata"]["finalizers"] = [f for f in latest["metadata"].get("finalizers") or [] if f != FINALIZER]
            self.api.update(CRD_RESOURCE, latest)
        except ApiError:
            pass

    def _requeue(self, name: str) -> None:
        if name not in self._pending:
            self._pending.append(name)
        if self._timer is None:
            self._timer = self.api.loop.call_soon(self._run)
