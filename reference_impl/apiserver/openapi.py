"""``/openapi/v2`` and ``/openapi/v3``: the API's schema documents.

Models ``staging/src/k8s.io/kube-openapi`` as served by the real API server: ``/openapi/v3`` lists
one document per group-version (``serverRelativeURL`` with a content hash), and each document
declares the REST paths of its resources, every operation tagged with
``x-kubernetes-group-version-kind`` and ``x-kubernetes-action`` and carrying the real query
parameters (``fieldValidation`` is what tells kubectl to leave validation to the server), plus
``components.schemas`` with the real Kubernetes schemas.

The schemas come from the ``kubernetes-validate`` package (JSON-schema conversions of the real
OpenAPI definitions of the pinned release, v1.36) when it is installed; they are turned back into OpenAPI form
(``#/components/schemas/`` refs, no ``null`` types, IntOrString as ``int-or-string``). Without it
each kind gets a permissive object schema and the patch operations do not advertise strategic
merge, so kubectl computes patches from its compiled-in types, as it does for any server.

A custom resource's version is published as apiextensions-apiserver publishes it
(``crd_openapi.py``: its structural schema, the list kind, every verb's path), once its CRD is
established and for as long as the version is served; a group-version of custom resources only is
a document of its own kind (``Kubernetes CRD Swagger``, no security schemes), as upstream's v3
controller serves it.

Leaves out: the protobuf encodings (a v2 request that accepts only protobuf gets 406).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from collections.abc import Callable
from typing import Any

from reference_impl.apiserver import crd_openapi
from reference_impl.apiserver.discovery import group_versions, resources_of
from reference_impl.apiserver.fieldvalidation import FieldValidator
from reference_impl.apiserver.registry import Registry, ResourceInfo

Obj = dict[str, Any]
#: The CRD that serves a resource, or None for a built-in one (``CustomResources.crd_for``)
CRDLookup = Callable[[ResourceInfo], Obj | None]
K8S_VERSION = "v1.36.0"
SCHEMA_VERSION_DIR = "v1.36.0-local"


def _load_definitions() -> dict[str, Obj] | None:
    """The ``$defs`` of kubernetes-validate's v1.36 schemas, or None when unavailable."""
    try:
        spec = importlib.util.find_spec("kubernetes_validate")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for base in spec.submodule_search_locations:
        path = os.path.join(base, "kubernetes-json-schema", SCHEMA_VERSION_DIR, "_definitions.json")
        if os.path.exists(path):
            try:
                with open(path, encoding="utf-8") as f:
                    data = json.load(f)
            except (OSError, ValueError):
                return None
            defs = data.get("$defs")
            return defs if isinstance(defs, dict) else None
    return None


def _convert(node: Any, ref_prefix: str, *, v3: bool) -> Any:
    """JSON schema (draft, from kubernetes-validate) → OpenAPI schema object."""
    if isinstance(node, list):
        return [_convert(x, ref_prefix, v3=v3) for x in node]
    if not isinstance(node, dict):
        return node
    one_of = node.get("oneOf")
    if isinstance(one_of, list) and one_of and all(isinstance(o, dict) and set(o) <= {"type"} for o in one_of):
        types = {t for o in one_of for t in (o["type"] if isinstance(o["type"], list) else [o["type"]])}
        out: Obj = {k: v for k, v in node.items() if k != "oneOf"}
        out["type"] = "string"
        if "integer" in types:
            out["format"] = "int-or-string"
            out["x-kubernetes-int-or-string"] = True
        return out
    out = {}
    for k, v in node.items():
        if k == "$ref" and isinstance(v, str):
            out[k] = ref_prefix + v.rsplit("/", 1)[-1]
        elif k == "type" and isinstance(v, list):
            non_null = [t for t in v if t != "null"]
            if len(non_null) == 1:
                out[k] = non_null[0]
            elif non_null:
                out[k] = non_null
        elif k in ("properties", "patternProperties", "$defs", "definitions") and isinstance(v, dict):
            out[k] = {pk: _convert(pv, ref_prefix, v3=v3) for pk, pv in v.items()}
        else:
            out[k] = _convert(v, ref_prefix, v3=v3)
    if v3 and "$ref" in out and len(out) > 1:
        # OpenAPI 3.0 ignores siblings of $ref; kube-openapi wraps the ref in allOf
        out["allOf"] = [{"$ref": out.pop("$ref")}]
    return out


def _refs(node: Any, acc: set[str]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                acc.add(v.rsplit("/", 1)[-1])
            else:
                _refs(v, acc)
    elif isinstance(node, list):
        for x in node:
            _refs(x, acc)


def _gv_prefix(group: str, version: str) -> str:
    return f"/apis/{group}/{version}" if group else f"/api/{version}"


def _op_prefix(group: str, version: str) -> str:
    g = group.split(".")[0] if group else "core"
    return f"{g[:1].upper()}{g[1:]}{version[:1].upper()}{version[1:]}"


QUERY_PARAMS: dict[str, tuple[str, str]] = {
    "pretty": ("string", "If 'true', then the output is pretty printed."),
    "dryRun": ("string", "When present, indicates that modifications should not be persisted."),
    "fieldManager": ("string", "fieldManager is a name associated with the actor or entity that is making these changes."),
    "fieldValidation": (
        "string",
        "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing "
        "unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict",
    ),
    "force": ("boolean", "Force is going to \"force\" Apply requests."),
    "labelSelector": ("string", "A selector to restrict the list of returned objects by their labels."),
    "fieldSelector": ("string", "A selector to restrict the list of returned objects by their fields."),
    "limit": ("integer", "limit is a maximum number of responses to return for a list call."),
    "continue": ("string", "The continue option should be set when retrieving more results from the server."),
    "resourceVersion": ("string", "resourceVersion sets a constraint on what resource versions a request may be served from."),
    "resourceVersionMatch": ("string", "resourceVersionMatch determines how resourceVersion is applied to list calls."),
    "watch": ("boolean", "Watch for changes to the described resources and return them as a stream."),
    "allowWatchBookmarks": ("boolean", "allowWatchBookmarks requests watch events with type \"BOOKMARK\"."),
    "timeoutSeconds": ("integer", "Timeout for the list/watch call."),
    "sendInitialEvents": ("boolean", "`sendInitialEvents=true` may be set together with `watch=true`."),
    "gracePeriodSeconds": ("integer", "The duration in seconds before the object should be deleted."),
    "propagationPolicy": ("string", "Whether and how garbage collection will be performed."),
    "orphanDependents": ("boolean", "Deprecated: please use the PropagationPolicy."),
}
LIST_PARAMS = (
    "allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit", "resourceVersion",
    "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds", "watch",
)
PATCH_CONTENT = (
    "application/apply-patch+yaml",
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
)


def _param(name: str, *, v3: bool) -> Obj:
    typ, desc = QUERY_PARAMS[name]
    if v3:
        return {"name": name, "in": "query", "description": desc, "schema": {"type": typ, "uniqueItems": True}}
    return {"name": name, "in": "query", "description": desc, "type": typ, "uniqueItems": True}


def _path_param(name: str, *, v3: bool) -> Obj:
    desc = {"name": "name of the object", "namespace": "object name and auth scope, such as for teams and projects"}
    if v3:
        return {"name": name, "in": "path", "description": desc.get(name, name), "required": True,
                "schema": {"type": "string", "uniqueItems": True}}
    return {"name": name, "in": "path", "description": desc.get(name, name), "required": True, "type": "string",
            "uniqueItems": True}


class _Builder:
    """Builds the v3 group-version documents and the v2 document from the registry."""

    def __init__(self, registry: Registry, crd_for: CRDLookup | None = None) -> None:
        self.registry = registry
        self.crd_for = crd_for
        self.defs = _load_definitions()
        self.by_gvk: dict[tuple[str, str, str], str] = {}
        if self.defs:
            for name, d in self.defs.items():
                for gvk in d.get("x-kubernetes-group-version-kind") or []:
                    key = (gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", ""))
                    # DeleteOptions/WatchEvent/Status list every group; keep the first (canonical) name
                    self.by_gvk.setdefault(key, name)

    def custom(self, r: ResourceInfo) -> crd_openapi.CustomResourceVersion | None:
        """What the CRD builder needs of ``r``, or None for a built-in resource."""
        if self.crd_for is not None:
            crd = self.crd_for(r)
            return None if crd is None else crd_openapi.from_crd(crd, r.version)
        strategy = self.registry.strategy(r)
        return None if strategy is None else crd_openapi.from_strategy(strategy)

    def def_name(self, group: str, version: str, kind: str) -> str:
        name = self.by_gvk.get((group, version, kind))
        if name:
            return name
        g = group or "core"
        if ".k8s.io" in g:
            g = g.replace(".k8s.io", "")
        return f"io.k8s.api.{g}.{version}.{kind}"

    def _schemas(self, roots: list[str], ref_prefix: str, *, v3: bool, extra: dict[str, Obj]) -> dict[str, Obj]:
        out: dict[str, Obj] = {}
        if not self.defs:
            for name in roots:
                out[name] = extra.get(name, {"type": "object", "x-kubernetes-preserve-unknown-fields": True})
            return out
        todo = list(roots)
        while todo:
            name = todo.pop()
            if name in out:
                continue
            d = self.defs.get(name)
            if d is None:
                out[name] = extra.get(name, {"type": "object", "x-kubernetes-preserve-unknown-fields": True})
                continue
            out[name] = _convert(d, ref_prefix, v3=v3)
            acc: set[str] = set()
            _refs(d, acc)
            todo.extend(a for a in acc if a not in out)
        return dict(sorted(out.items()))

    def _fallback_kind(self, r: ResourceInfo, kind: str, *, listing: bool = False) -> Obj:
        schema: Obj = {
            "type": "object",
            "x-kubernetes-preserve-unknown-fields": True,
            "x-kubernetes-group-version-kind": [{"group": r.group, "kind": kind, "version": r.version}],
        }
        if listing:
            schema["required"] = ["items"]
        return schema

    def _paths(self, group: str, version: str, ref_prefix: str, *, v3: bool) -> tuple[Obj, list[str], dict[str, Obj]]:
        paths: Obj = {}
        roots: list[str] = [
            "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
            "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
            "io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
            "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
        ]
        extra: dict[str, Obj] = {}
        prefix = _gv_prefix(group, version)
        opp = _op_prefix(group, version)
        status_ref = ref_prefix + "io.k8s.apimachinery.pkg.apis.meta.v1.Status"
        patch_content = PATCH_CONTENT if self.defs else tuple(c for c in PATCH_CONTENT if "strategic" not in c)

        def body(ref: str, types: tuple[str, ...] = ("application/json", "application/yaml")) -> Obj:
            if v3:
                return {"requestBody": {"content": {t: {"schema": {"$ref": ref}} for t in types}, "required": True}}
            return {"parameters": [{"name": "body", "in": "body", "required": True, "schema": {"$ref": ref}}]}

        def resp(ref: str, code: str = "200") -> Obj:
            if v3:
                content = {t: {"schema": {"$ref": ref}} for t in ("application/json", "application/yaml")}
                return {code: {"description": "OK", "content": content}, "401": {"description": "Unauthorized"}}
            return {code: {"description": "OK", "schema": {"$ref": ref}}, "401": {"description": "Unauthorized"}}

        def op(action: str, opid: str, params: tuple[str, ...], gvk: Obj, ref: str, **more: Any) -> Obj:
            o: Obj = {
                "tags": [opp[0].lower() + opp[1:]],
                "description": f"{action} {gvk['kind']}",
                "operationId": opid,
                "parameters": [_param(p, v3=v3) for p in params],
                "responses": resp(ref),
                "x-kubernetes-action": action,
                "x-kubernetes-group-version-kind": gvk,
            }
            req = more.pop("request", None)
            if req is not None:
                if v3:
                    o.update(req)
                else:
                    o["parameters"] = req["parameters"] + o["parameters"]
            if not v3:
                o["consumes"] = ["*/*"] if action != "patch" else list(patch_content)
                o["produces"] = ["application/json", "application/yaml"]
                o["schemes"] = ["https"]
            o.update(more)
            return o

        for r in resources_of(self.registry, group, version):
            crv = self.custom(r)
            if crv is not None:
                self._add_custom(crv, paths, roots, extra, v3=v3)
                continue
            kind_def = self.def_name(r.group, r.version, r.kind)
            list_def = self.def_name(r.group, r.version, r.list_kind)
            roots += [kind_def, list_def]
            extra[kind_def] = self._fallback_kind(r, r.kind)
            extra[list_def] = self._fallback_kind(r, r.list_kind, listing=True)
            gvk = {"group": r.group, "kind": r.kind, "version": r.version}
            ref = ref_prefix + kind_def
            lref = ref_prefix + list_def
            ns = "Namespaced" if r.namespaced else ""
            base = f"{prefix}/namespaces/{{namespace}}/{r.plural}" if r.namespaced else f"{prefix}/{r.plural}"
            path_params = [_path_param("namespace", v3=v3)] if r.namespaced else []
            patch_body = (
                {"requestBody": {"content": {t: {"schema": {"$ref": ref_prefix + "io.k8s.apimachinery.pkg.apis.meta.v1.Patch"}}
                                             for t in patch_content}, "required": True}}
                if v3
                else {"parameters": [{"name": "body", "in": "body", "required": True,
                                      "schema": {"$ref": ref_prefix + "io.k8s.apimachinery.pkg.apis.meta.v1.Patch"}}]}
            )
            paths[base] = {
                "get": op("list", f"list{opp}{ns}{r.kind}", LIST_PARAMS, gvk, lref),
                "post": op("post", f"create{opp}{ns}{r.kind}", ("dryRun", "fieldManager", "fieldValidation"), gvk, ref,
                           request=body(ref)),
                "delete": op("deletecollection", f"deletecollection{opp}{ns}{r.kind}",
                             ("continue", "dryRun", "fieldSelector", "gracePeriodSeconds", "labelSelector", "limit",
                              "orphanDependents", "propagationPolicy", "resourceVersion", "resourceVersionMatch",
                              "sendInitialEvents", "timeoutSeconds"), gvk, status_ref),
                "parameters": [*path_params, _param("pretty", v3=v3)],
            }
            item_params = [_path_param("name", v3=v3), *path_params, _param("pretty", v3=v3)]
            paths[f"{base}/{{name}}"] = {
                "get": op("get", f"read{opp}{ns}{r.kind}", (), gvk, ref),
                "put": op("put", f"replace{opp}{ns}{r.kind}", ("dryRun", "fieldManager", "fieldValidation"), gvk, ref,
                          request=body(ref)),
                "patch": op("patch", f"patch{opp}{ns}{r.kind}", ("dryRun", "fieldManager", "fieldValidation", "force"),
                            gvk, ref, request=patch_body),
                "delete": op("delete", f"delete{opp}{ns}{r.kind}",
                             ("dryRun", "gracePeriodSeconds", "orphanDependents", "propagationPolicy"), gvk, status_ref,
                             request=body(ref_prefix + "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions")),
                "parameters": item_params,
            }
            if r.namespaced:
                paths[f"{prefix}/{r.plural}"] = {
                    "get": op("list", f"list{opp}{r.kind}ForAllNamespaces", LIST_PARAMS, gvk, lref),
                    "parameters": [_param("pretty", v3=v3)],
                }
            for sub in r.subresources:
                suffix = sub[:1].upper() + sub[1:]
                spath = f"{base}/{{name}}/{sub}"
                if sub in ("status", "scale"):
                    sref = ref
                    sgvk = gvk
                    if sub == "scale":
                        sref = ref_prefix + "io.k8s.api.autoscaling.v1.Scale"
                        roots.append("io.k8s.api.autoscaling.v1.Scale")
                        sgvk = {"group": "autoscaling", "kind": "Scale", "version": "v1"}
                    paths[spath] = {
                        "get": op("get", f"read{opp}{ns}{r.kind}{suffix}", (), sgvk, sref),
                        "put": op("put", f"replace{opp}{ns}{r.kind}{suffix}", ("dryRun", "fieldManager", "fieldValidation"),
                                  sgvk, sref, request=body(sref)),
                        "patch": op("patch", f"patch{opp}{ns}{r.kind}{suffix}",
                                    ("dryRun", "fieldManager", "fieldValidation", "force"), sgvk, sref,
                                    request=patch_body),
                        "parameters": item_params,
                    }
                elif sub in ("binding", "eviction"):
                    skind, sdef = (
                        ("Binding", "io.k8s.api.core.v1.Binding") if sub == "binding"
                        else ("Eviction", "io.k8s.api.policy.v1.Eviction")
                    )
                    roots.append(sdef)
                    sgvk = {"group": "" if sub == "binding" else "policy", "kind": skind, "version": "v1"}
                    paths[spath] = {
                        "post": op("post", f"create{opp}{ns}{r.kind}{suffix}", ("dryRun", "fieldManager", "fieldValidation"),
                                   sgvk, ref_prefix + sdef, request=body(ref_prefix + sdef)),
                        "parameters": item_params,
                    }
                elif sub == "finalize":
                    paths[spath] = {
                        "put": op("put", f"replace{opp}{ns}{r.kind}Finalize", ("dryRun", "fieldManager", "fieldValidation"),
                                  gvk, ref, request=body(ref)),
                        "parameters": item_params,
                    }
                elif sub == "log":
                    lo = op("connect", f"read{opp}{ns}{r.kind}Log", (), gvk, ref)
                    lo["parameters"] = [
                        _param("pretty", v3=v3),
                        {"name": "container", "in": "query", "description": "The container for which to stream logs.",
                         **({"schema": {"type": "string", "uniqueItems": True}} if v3 else {"type": "string"})},
                    ]
                    lo["responses"] = (
                        {"200": {"description": "OK", "content": {"text/plain": {"schema": {"type": "string"}}}}}
                        if v3 else {"200": {"description": "OK", "schema": {"type": "string"}}}
                    )
                    lo.pop("x-kubernetes-group-version-kind")
                    lo["x-kubernetes-group-version-kind"] = gvk
                    paths[spath] = {"get": lo, "parameters": item_params[:-1]}
        return paths, roots, extra

    @staticmethod
    def _add_custom(
        crv: crd_openapi.CustomResourceVersion, paths: Obj, roots: list[str], extra: dict[str, Obj], *, v3: bool
    ) -> None:
        """A custom resource's paths and definitions, and the built-in definitions they refer to."""
        paths.update(crd_openapi.paths(crv, v2=not v3))
        defs = crd_openapi.definitions(crv, v2=not v3)
        extra.update(defs)
        roots += [*defs, *crd_openapi.dependencies(crv)]

    def _custom_v3_document(self, crvs: list[crd_openapi.CustomResourceVersion]) -> Obj:
        """A group-version of custom resources only: the merge of its versions' specs (``MergeSpecsV3``)."""
        paths: Obj = {}
        roots: list[str] = []
        extra: dict[str, Obj] = {}
        for crv in crvs:
            self._add_custom(crv, paths, roots, extra, v3=True)
        return {
            "openapi": "3.0.0",
            "info": dict(crd_openapi.INFO),
            "paths": paths,
            "components": {"schemas": self._schemas(roots, crd_openapi.V3_PREFIX, v3=True, extra=extra)},
        }

    def v3_document(self, group: str, version: str) -> Obj | None:
        resources = resources_of(self.registry, group, version)
        if not resources:
            return None
        crvs = [c for c in map(self.custom, resources) if c is not None]
        if len(crvs) == len(resources):
            return self._custom_v3_document(crvs)
        ref_prefix = "#/components/schemas/"
        paths, roots, extra = self._paths(group, version, ref_prefix, v3=True)
        return {
            "openapi": "3.0.0",
            "info": {"title": "Kubernetes", "version": K8S_VERSION},
            "paths": paths,
            "components": {
                "schemas": self._schemas(roots, ref_prefix, v3=True, extra=extra),
                "securitySchemes": {
                    "BearerToken": {"type": "apiKey", "description": "Bearer Token authentication",
                                    "name": "authorization", "in": "header"}
                },
            },
        }

    def v2_document(self) -> Obj:
        ref_prefix = "#/definitions/"
        paths: Obj = {}
        roots: list[str] = []
        extra: dict[str, Obj] = {}
        for g, v in group_versions(self.registry):
            p, r, e = self._paths(g, v, ref_prefix, v3=False)
            paths.update(p)
            roots += r
            extra.update(e)
        return {
            "swagger": "2.0",
            "info": {"title": "Kubernetes", "version": K8S_VERSION},
            "paths": paths,
            "definitions": self._schemas(roots, ref_prefix, v3=False, extra=extra),
            "securityDefinitions": {"BearerToken": {"type": "apiKey", "name": "authorization", "in": "header"}},
            "security": [{"BearerToken": []}],
        }


class OpenAPI:
    """Serialised OpenAPI documents, built on first use and cached until the registry changes
    (a CustomResourceDefinition's resources come or go, or its CRD changes: the CRD controller
    serves its versions afresh on every change).

    ``crd_for`` finds the CRD of a custom resource (the API server's ``crds.crd_for``); without
    it a custom resource's schema is read from the strategy its CRD gave the registry, and its
    list kind is taken to be the default ``<kind>List``.
    """

    def __init__(self, registry: Registry, crd_for: CRDLookup | None = None) -> None:
        self.registry = registry
        self.crd_for = crd_for
        self._generation = registry.generation
        self._builder: _Builder | None = None
        self._v3: dict[str, bytes] = {}
        self._v3_hash: dict[str, str] = {}
        self._v2: bytes | None = None
        self._fields: FieldValidator | None = None

    def field_validator(self) -> FieldValidator:
        """The known fields of every built-in kind, from the same definitions as the documents."""
        if self._fields is None:
            self._fields = FieldValidator(self._b().defs)
        return self._fields

    @property
    def real_schemas(self) -> bool:
        return bool(self._b().defs)

    def _b(self) -> _Builder:
        if self._builder is None:
            self._builder = _Builder(self.registry, self.crd_for)
        return self._builder

    @staticmethod
    def _key(group: str, version: str) -> str:
        return f"apis/{group}/{version}" if group else f"api/{version}"

    def _check_fresh(self) -> None:
        if self._generation != self.registry.generation:
            self._generation = self.registry.generation
            self._v3, self._v3_hash, self._v2 = {}, {}, None

    def v3_group_version(self, key: str) -> bytes | None:
        """The document for ``api/v1`` or ``apis/<g>/<v>`` as JSON bytes, or None."""
        self._check_fresh()
        if key in self._v3:
            return self._v3[key]
        for g, v in group_versions(self.registry):
            if self._key(g, v) == key:
                doc = self._b().v3_document(g, v)
                if doc is None:
                    return None
                data = json.dumps(doc, separators=(",", ":")).encode()
                self._v3[key] = data
                self._v3_hash[key] = hashlib.sha512(data).hexdigest().upper()
                return data
        return None

    def v3_root(self) -> Obj:
        paths: Obj = {}
        for g, v in group_versions(self.registry):
            key = self._key(g, v)
            self.v3_group_version(key)
            paths[key] = {"serverRelativeURL": f"/openapi/v3/{key}?hash={self._v3_hash[key]}"}
        return {"paths": paths}

    def v2(self) -> bytes:
        self._check_fresh()
        if self._v2 is None:
            self._v2 = json.dumps(self._b().v2_document(), separators=(",", ":")).encode()
        return self._v2
