"""The OpenAPI of a CustomResourceDefinition's served versions, as kube-apiserver publishes it.

Models ``staging/src/k8s.io/apiextensions-apiserver/pkg/controller/openapi``: ``builder/builder.go``
turns one served version into an OpenAPI spec: the definition named like the Go types' models,
the group reversed (``com.example.stable.v1.CronTab`` and ``...CronTabList``), its schema the
structural schema (``apiserver/schema``: ``ToKubeOpenAPI`` after ``Unfold``, which spells
``x-kubernetes-int-or-string`` as ``anyOf`` integer/string) with ``metadata`` a reference to
ObjectMeta, ``apiVersion`` and ``kind`` with TypeMeta's descriptions, every
``x-kubernetes-embedded-resource`` given the same three, and ``x-kubernetes-group-version-kind``;
the list definition; and the routes of every verb with their options as query parameters, the way
kube-openapi's ``builder``/``builder3`` lay them out (a parameter every operation of a path has is
declared once on the path; parameters sorted by name). The v2 form goes through
``v2/conversion.go`` first (no ``allOf``/``anyOf``/``oneOf``/``not``; a nullable or
unknown-fields-preserving node loses its type and its children, because kubectl's v2 validation
cannot cope with them; a root that preserves unknown fields is only ``type: object``), and loses
every ``default`` (``handler.PruneDefaults``). ``controller.go`` and ``openapiv3/controller.go``
publish the versions of an established CRD that are served, and withdraw them when a version stops
being served or the CRD goes: here that is the server's registry (``crd.py`` adds a served
version's resource when the CRD is established, and removes it), which ``openapi.py`` builds its
documents from.

Leaves out: ``x-kubernetes-selectable-fields`` (``crd.py`` leaves selectable fields out), the
renaming of a CRD definition that collides with a built-in one, the v2 document's shared
``parameters`` (kube-openapi's aggregator hoists repeated parameters into ``#/parameters/...``;
here they are written out in place, which clients read the same), and the non-structural-schema
case (the CRD strategy accepts only structural schemas).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import reference_impl.apiserver.crd as _crd
from reference_impl.apiserver.registry.strategy import Strategy

Obj = dict[str, Any]

V2_PREFIX = "#/definitions/"
V3_PREFIX = "#/components/schemas/"
_META = "io.k8s.apimachinery.pkg.apis.meta.v1."
OBJECT_META = _META + "ObjectMeta"
LIST_META = _META + "ListMeta"
STATUS = _META + "Status"
PATCH = _META + "Patch"
DELETE_OPTIONS = _META + "DeleteOptions"
SCALE = "io.k8s.api.autoscaling.v1.Scale"

#: ``getOpenAPIV3Config``'s info, which a group-version document of custom resources carries
INFO = {"title": "Kubernetes CRD Swagger", "version": "v0.1.0"}

_DOCS = "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md"
# TypeMeta's and PartialObjectMetadata(List)'s swagger docs, as builder.go copies them
_API_VERSION = (
    "APIVersion defines the versioned schema of this representation of an object. Servers should convert "
    "recognized schemas to the latest internal value, and may reject unrecognized values. More info: "
    f"{_DOCS}#resources"
)
_KIND = (
    "Kind is a string value representing the REST resource this object represents. Servers may infer this "
    "from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: "
    f"{_DOCS}#types-kinds"
)
_METADATA = f"Standard object's metadata. More info: {_DOCS}#metadata"
_LIST_METADATA = f"Standard list metadata. More info: {_DOCS}#types-kinds"
_EMBEDDED_API_VERSION = (
    "apiVersion defines the versioned schema of this representation of an object. More info: "
    f"{_DOCS}#resources"
)
_EMBEDDED_KIND = (
    "kind is a string value representing the type of this object. In CamelCase. More info: "
    f"{_DOCS}#types-kinds"
)


# -- which version, and what the builder needs of it ------------------------------------------


@dataclass(frozen=True, slots=True)
class CustomResourceVersion:
    """One served version of a CRD: what ``newBuilder`` reads from the CRD for it."""

    group: str
    version: str
    kind: str
    list_kind: str
    plural: str
    namespaced: bool
    status: bool
    scale: bool
    schema: Obj | None  # the version's openAPIV3Schema; None publishes a bare object

    @property
    def model(self) -> str:
        return model_name(self.group, self.version, self.kind)

    @property
    def list_model(self) -> str:
        return model_name(self.group, self.version, self.list_kind)


def model_name(group: str, version: str, kind: str) -> str:
    """``gvkToModelName``: ``stable.example.com/v1 CronTab`` → ``com.example.stable.v1.CronTab``."""
    return ".".join([*reversed(group.split(".")), version, kind])


def from_crd(crd: Obj, version: str) -> CustomResourceVersion | None:
    """The builder's view of ``version`` of ``crd``; None when the CRD has no such version.

    Names come from ``spec.names``, as ``newBuilder`` takes them (not the accepted names)."""
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    for v in spec.get("versions") or []:
        if v.get("name") != version:
            continue
        subs = v.get("subresources") or {}
        schema = (v.get("schema") or {}).get("openAPIV3Schema")
        kind = str(names.get("kind") or "")
        return CustomResourceVersion(
            group=str(spec.get("group") or ""),
            version=version,
            kind=kind,
            list_kind=str(names.get("listKind") or f"{kind}List"),
            plural=str(names.get("plural") or ""),
            namespaced=spec.get("scope") == "Namespaced",
            status=subs.get("status") is not None,
            scale=subs.get("scale") is not None,
            schema=schema if isinstance(schema, dict) else None,
        )
    return None


def from_strategy(strategy: Strategy) -> CustomResourceVersion | None:
    """The builder's view of a custom resource from the strategy ``crd.strategy_for`` made for it,
    or None for any other strategy.

    The strategy is all the registry holds of a CRD: its schema is the ``structural`` its checks
    close over. The list kind is the default ``<kind>List`` (the strategy does not keep the CRD's
    ``listKind``); :func:`from_crd` is exact, for a caller that can look the CRD up. Should
    ``strategy_for`` stop closing over ``structural``, the resource would be published as a
    built-in one; ``tests/apiserver/test_crd_openapi.py`` compares the two readings.
    """
    check = strategy.validate
    if getattr(check, "__module__", None) != _crd.__name__:
        return None
    code = getattr(check, "__code__", None)
    cells = getattr(check, "__closure__", None) or ()
    names = code.co_freevars if code is not None else ()
    schema = next((c.cell_contents for n, c in zip(names, cells) if n == "structural"), None)
    if not isinstance(schema, dict):
        return None
    info = strategy.info
    return CustomResourceVersion(
        group=info.group,
        version=info.version,
        kind=info.kind,
        list_kind=info.list_kind,
        plural=info.plural,
        namespaced=info.namespaced,
        status="status" in info.subresources,
        scale="scale" in info.subresources,
        schema=schema,
    )


# -- the definitions ------------------------------------------------------------------------------

# What a structural schema keeps of a JSONSchemaProps (``apiserver/schema/structural.go``), with
# Go's zero values left out as its JSON does
_SCALARS = (
    "type", "description", "title", "format", "pattern", "x-kubernetes-list-type", "x-kubernetes-map-type",
)
_NUMBERS = (
    "maximum", "minimum", "maxLength", "minLength", "maxItems", "minItems", "multipleOf", "maxProperties",
    "minProperties",
)
_FLAGS = (
    "nullable", "exclusiveMaximum", "exclusiveMinimum", "uniqueItems", "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-embedded-resource", "x-kubernetes-int-or-string",
)
_LISTS = ("enum", "required", "x-kubernetes-list-map-keys", "x-kubernetes-validations")
_JUNCTORS = ("allOf", "anyOf", "oneOf")
_PRESERVE = "x-kubernetes-preserve-unknown-fields"
_INT_OR_STRING_ANY_OF = [{"type": "integer"}, {"type": "string"}]


def _structural(node: Obj) -> Obj:
    """``NewStructural`` then ``ToKubeOpenAPI``: the schema with only what the Structural type models."""
    out: Obj = {}
    for k in _SCALARS:
        if isinstance(node.get(k), str) and node[k]:
            out[k] = node[k]
    for k in _NUMBERS:
        if isinstance(node.get(k), int | float) and not isinstance(node[k], bool):
            out[k] = node[k]
    for k in _FLAGS:
        if node.get(k) is True:
            out[k] = True
    for k in _LISTS:
        if isinstance(node.get(k), list) and node[k]:
            out[k] = copy.deepcopy(node[k])
    for k in ("default", "example"):
        if node.get(k) is not None:
            out[k] = copy.deepcopy(node[k])
    if isinstance(node.get("externalDocs"), dict):
        docs = {k: v for k, v in node["externalDocs"].items() if k in ("description", "url") and v}
        out["externalDocs"] = docs
    if isinstance(node.get("items"), dict):
        out["items"] = _structural(node["items"])
    if isinstance(node.get("properties"), dict):
        out["properties"] = {k: _structural(v) for k, v in node["properties"].items() if isinstance(v, dict)}
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        out["additionalProperties"] = _structural(extra)
    elif isinstance(extra, bool):
        out["additionalProperties"] = extra
    for k in _JUNCTORS:
        if isinstance(node.get(k), list) and node[k]:
            out[k] = [_structural(v) for v in node[k] if isinstance(v, dict)]
    if isinstance(node.get("not"), dict):
        out["not"] = _structural(node["not"])
    return out


def _children(node: Obj) -> list[Obj]:
    """The structural (not value-validation) subschemas of a node: items, properties, additionalProperties."""
    out = [v for v in (node.get("properties") or {}).values() if isinstance(v, dict)]
    for k in ("items", "additionalProperties"):
        if isinstance(node.get(k), dict):
            out.append(node[k])
    return out


def _unfold(node: Obj) -> None:
    """``Structural.Unfold``: ``x-kubernetes-int-or-string`` also says ``anyOf`` integer or string."""
    if node.get("x-kubernetes-int-or-string") is True:
        any_of, all_of = node.get("anyOf"), node.get("allOf")
        spelled = any_of == _INT_OR_STRING_ANY_OF or (
            isinstance(all_of, list) and all_of and all_of[0].get("anyOf") == _INT_OR_STRING_ANY_OF
        )
        if not spelled:
            if not any_of:
                node["anyOf"] = copy.deepcopy(_INT_OR_STRING_ANY_OF)
            else:
                node["allOf"] = [{"anyOf": copy.deepcopy(_INT_OR_STRING_ANY_OF)}, *(all_of or [])]
    for child in _children(node):
        _unfold(child)


def _to_v2(node: Obj) -> None:
    """``ToStructuralOpenAPIV2``, parent before children as its visitor goes."""
    for k in (*_JUNCTORS, "not"):
        node.pop(k, None)
    if node.get("nullable") is True:
        # an untyped value with items or properties breaks kubectl
        for k in ("type", "nullable", "items", "properties"):
            node.pop(k, None)
    if node.get(_PRESERVE) is True:
        node.pop("items", None)
        node.pop("properties", None)
    if "items" not in node and node.get("type") == "array":
        node.pop("type")
    if node.get(_PRESERVE) is True and node.get("type") == "object":
        node.pop("type")
    required = node.get("required")
    if isinstance(required, list):
        props = node.get("properties") or {}
        kept = [r for r in required if (props.get(r) or {}).get("nullable") is not True]
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and extra.get("nullable") is True:
            kept = []
        if kept:
            node["required"] = kept
        else:
            node.pop("required")
    for child in _children(node):
        _to_v2(child)


def _prune_defaults(node: Any) -> None:
    """``handler.PruneDefaults``: the v2 document carries no ``default`` anywhere."""
    if not isinstance(node, dict):
        return
    node.pop("default", None)
    for child in _children(node):
        _prune_defaults(child)
    for k in _JUNCTORS:
        for v in node.get(k) or []:
            _prune_defaults(v)
    _prune_defaults(node.get("not"))


def _ref(name: str, prefix: str, description: str) -> Obj:
    # OpenAPI 3.0 ignores the siblings of a $ref, so kube-openapi wraps a described ref in allOf
    if prefix == V3_PREFIX:
        return {"allOf": [{"$ref": prefix + name}], "description": description}
    return {"$ref": prefix + name, "description": description}


def _add_embedded(node: Obj, prefix: str) -> None:
    """``addEmbeddedProperties``: an embedded resource declares apiVersion, kind and metadata."""
    for child in _children(node):
        _add_embedded(child, prefix)
    if prefix == V2_PREFIX and node.get(_PRESERVE) is True:
        return  # with these, kubectl's v2 validation would refuse the unknown fields
    if node.get("x-kubernetes-embedded-resource") is True:
        props = node.setdefault("properties", {})
        props["apiVersion"] = {"description": _EMBEDDED_API_VERSION, "type": "string"}
        props["kind"] = {"description": _EMBEDDED_KIND, "type": "string"}
        props["metadata"] = _ref(OBJECT_META, prefix, _METADATA)
        required = node.setdefault("required", [])
        for k in ("kind", "apiVersion"):
            if k not in required:
                required.append(k)


def _gvk(crv: CustomResourceVersion, kind: str) -> list[Obj]:
    return [{"group": crv.group, "kind": kind, "version": crv.version}]


def kind_schema(crv: CustomResourceVersion, *, v2: bool) -> Obj:
    """``buildKubeNative``: the definition of the kind."""
    prefix = V2_PREFIX if v2 else V3_PREFIX
    if crv.schema is None:
        out: Obj = {"type": "object"}
    else:
        out = _structural(crv.schema)
        _unfold(out)
        if v2 and out.get(_PRESERVE) is True:
            # anything beyond the type would make kubectl's v2 validation refuse unknown fields
            out = {"type": "object"}
        else:
            if v2:
                _to_v2(out)
            props = out.setdefault("properties", {})
            props["metadata"] = _ref(OBJECT_META, prefix, _METADATA)
            props["apiVersion"] = {"description": _API_VERSION, "type": "string"}
            props["kind"] = {"description": _KIND, "type": "string"}
            _add_embedded(out, prefix)
    out["x-kubernetes-group-version-kind"] = _gvk(crv, crv.kind)
    if v2:
        _prune_defaults(out)
    return out


def list_schema(crv: CustomResourceVersion, *, v2: bool) -> Obj:
    """``buildListSchema``: the definition of the list kind."""
    prefix = V2_PREFIX if v2 else V3_PREFIX
    return {
        "description": f"{crv.list_kind} is a list of {crv.kind}",
        "type": "object",
        "required": ["items"],
        "properties": {
            "items": {
                "description": f"List of {crv.plural}. More info: {_DOCS}",
                "type": "array",
                "items": {"$ref": prefix + crv.model},
            },
            "metadata": _ref(LIST_META, prefix, _LIST_METADATA),
            "apiVersion": {"description": _API_VERSION, "type": "string"},
            "kind": {"description": _KIND, "type": "string"},
        },
        "x-kubernetes-group-version-kind": _gvk(crv, crv.list_kind),
    }


def definitions(crv: CustomResourceVersion, *, v2: bool) -> dict[str, Obj]:
    """The two definitions one served version adds."""
    return {crv.model: kind_schema(crv, v2=v2), crv.list_model: list_schema(crv, v2=v2)}


def dependencies(crv: CustomResourceVersion) -> list[str]:
    """The built-in definitions the version's definitions and paths refer to."""
    return [OBJECT_META, LIST_META, STATUS, DELETE_OPTIONS, PATCH, *([SCALE] if crv.scale else [])]


# -- the paths ------------------------------------------------------------------------------------

# The query parameters of the option types (``endpoints.AddObjectParams``) as kube-apiserver v1.36.3
# describes them; ``fieldManager/patch`` is PatchOptions' fieldManager, whose text says more.
_QUERY_PARAMS: dict[str, tuple[str, str]] = {
    "pretty": (
        "string",
        "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent "
        "indicates a browser or command-line HTTP tool (curl and wget).",
    ),
    "allowWatchBookmarks": (
        "boolean",
        "allowWatchBookmarks requests watch events with type \"BOOKMARK\". Servers that do not "
        "implement bookmarks may ignore this flag and bookmarks are sent at the server's discretion. "
        "Clients should not assume bookmarks are returned at any specific interval, nor may they "
        "assume the server will send any BOOKMARK event during a session. If this is not a watch, "
        "this field is ignored.",
    ),
    "continue": (
        "string",
        "The continue option should be set when retrieving more results from the server. Since this "
        "value is server defined, clients may only use the continue value from a previous query "
        "result with identical query parameters (except for the value of continue) and the server "
        "may reject a continue value it does not recognize. If the specified continue value is no "
        "longer valid whether due to expiration (generally five to fifteen minutes) or a "
        "configuration change on the server, the server will respond with a 410 ResourceExpired "
        "error together with a continue token. If the client needs a consistent list, it must "
        "restart their list without the continue field. Otherwise, the client may send another list "
        "request with the token received with the 410 error, the server will respond with a list "
        "starting from the next key, but from the latest snapshot, which is inconsistent from the "
        "previous list results - objects that are created, modified, or deleted after the first list "
        "request will be included in the response, as long as their keys are after the \"next key\".\n"
        "\n"
        "This field is not supported when watch is true. Clients may start a watch from the last "
        "resourceVersion value returned by the server and not miss any modifications.",
    ),
    "fieldSelector": (
        "string",
        "A selector to restrict the list of returned objects by their fields. Defaults to everything.",
    ),
    "labelSelector": (
        "string",
        "A selector to restrict the list of returned objects by their labels. Defaults to everything.",
    ),
    "limit": (
        "integer",
        "limit is a maximum number of responses to return for a list call. If more items exist, the "
        "server will set the `continue` field on the list metadata to a value that can be used with "
        "the same initial query to retrieve the next set of results. Setting a limit may return "
        "fewer than the requested amount of items (up to zero items) in the event all requested "
        "objects are filtered out and clients should only use the presence of the continue field to "
        "determine whether more results are available. Servers may choose not to support the limit "
        "argument and will return all of the available results. If limit is specified and the "
        "continue field is empty, clients may assume that no more results are available. This field "
        "is not supported if watch is true.\n"
        "\n"
        "The server guarantees that the objects returned when using continue will be identical to "
        "issuing a single list call without a limit - that is, no objects created, modified, or "
        "deleted after the first request is issued will be included in any subsequent continued "
        "requests. This is sometimes referred to as a consistent snapshot, and ensures that a client "
        "that is using limit to receive smaller chunks of a very large result can ensure they see "
        "all possible objects. If objects are updated during a chunked list the version of the "
        "object that was present at the time the first list result was calculated is returned.",
    ),
    "resourceVersion": (
        "string",
        "resourceVersion sets a constraint on what resource versions a request may be served from. "
        "See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for "
        "details.\n"
        "\n"
        "Defaults to unset",
    ),
    "resourceVersionMatch": (
        "string",
        "resourceVersionMatch determines how resourceVersion is applied to list calls. It is highly "
        "recommended that resourceVersionMatch be set for list calls where resourceVersion is set "
        "See https://kubernetes.io/docs/reference/using-api/api-concepts/#resource-versions for "
        "details.\n"
        "\n"
        "Defaults to unset",
    ),
    "sendInitialEvents": (
        "boolean",
        "`sendInitialEvents=true` may be set together with `watch=true`. In that case, the watch "
        "stream will begin with synthetic events to produce the current state of objects in the "
        "collection. Once all such events have been sent, a synthetic \"Bookmark\" event  will be "
        "sent. The bookmark will report the ResourceVersion (RV) corresponding to the set of "
        "objects, and be marked with `\"k8s.io/initial-events-end\": \"true\"` annotation. Afterwards, "
        "the watch stream will proceed as usual, sending watch events corresponding to changes "
        "(subsequent to the RV) to objects watched.\n"
        "\n"
        "When `sendInitialEvents` option is set, we require `resourceVersionMatch` option to also be "
        "set. The semantic of the watch request is as following: - `resourceVersionMatch` = "
        "NotOlderThan\n"
        "  is interpreted as \"data at least as new as the provided `resourceVersion`\"\n"
        "  and the bookmark event is send when the state is synced\n"
        "  to a `resourceVersion` at least as fresh as the one provided by the ListOptions.\n"
        "  If `resourceVersion` is unset, this is interpreted as \"consistent read\" and the\n"
        "  bookmark event is send when the state is synced at least to the moment\n"
        "  when request started being processed.\n"
        "- `resourceVersionMatch` set to any other value or unset\n"
        "  Invalid error is returned.\n"
        "\n"
        "Defaults to true if `resourceVersion=\"\"` or `resourceVersion=\"0\"` (for backward "
        "compatibility reasons) and to false otherwise.",
    ),
    "shardSelector": (
        "string",
        "shardSelector restricts the list of returned objects using a CEL-based shard selector "
        "expression. The format uses the shardRange() function combined with || (logical OR) to "
        "specify one or more hash ranges:\n"
        "\n"
        "  shardRange(object.metadata.uid, '0x0', '0x8000000000000000')\n"
        "  shardRange(object.metadata.uid, '0x0', '0x8000000000000000') || "
        "shardRange(object.metadata.uid, '0x8000000000000000', '0x10000000000000000')\n"
        "\n"
        "Field paths use CEL-style object-rooted syntax (e.g. \"object.metadata.uid\"), NOT the "
        "fieldSelector format (\"metadata.uid\"). Currently supported paths:\n"
        "  - object.metadata.uid\n"
        "  - object.metadata.namespace\n"
        "\n"
        "hexStart and hexEnd are single-quoted CEL string literals with a '0x' prefix, defining the "
        "inclusive lower and exclusive upper bounds over the 64-bit FNV-1a hash space. The full "
        "range is [0x0, 0x10000000000000000), where the exclusive upper bound equals 2^64.\n"
        "\n"
        "Examples:\n"
        "  2-shard split:\n"
        "    shard 0: shardRange(object.metadata.uid, '0x0000000000000000', '0x8000000000000000')\n"
        "    shard 1: shardRange(object.metadata.uid, '0x8000000000000000', '0x10000000000000000')\n"
        "  4-shard split:\n"
        "    shard 0: shardRange(object.metadata.uid, '0x0000000000000000', '0x4000000000000000')\n"
        "    shard 1: shardRange(object.metadata.uid, '0x4000000000000000', '0x8000000000000000')\n"
        "    shard 2: shardRange(object.metadata.uid, '0x8000000000000000', '0xc000000000000000')\n"
        "    shard 3: shardRange(object.metadata.uid, '0xc000000000000000', '0x10000000000000000')\n"
        "\n"
        "This is an alpha field and requires enabling the ShardedListAndWatch feature gate.",
    ),
    "timeoutSeconds": (
        "integer",
        "Timeout for the list/watch call. This limits the duration of the call, regardless of any "
        "activity or inactivity.",
    ),
    "watch": (
        "boolean",
        "Watch for changes to the described resources and return them as a stream of add, update, "
        "and remove notifications. Specify resourceVersion.",
    ),
    "dryRun": (
        "string",
        "When present, indicates that modifications should not be persisted. An invalid or "
        "unrecognized dryRun directive will result in an error response and no further processing of "
        "the request. Valid values are: - All: all dry run stages will be processed",
    ),
    "fieldManager": (
        "string",
        "fieldManager is a name associated with the actor or entity that is making these changes. "
        "The value must be less than or 128 characters long, and only contain printable characters, "
        "as defined by https://golang.org/pkg/unicode/#IsPrint.",
    ),
    "fieldManager/patch": (
        "string",
        "fieldManager is a name associated with the actor or entity that is making these changes. "
        "The value must be less than or 128 characters long, and only contain printable characters, "
        "as defined by https://golang.org/pkg/unicode/#IsPrint. This field is required for apply "
        "requests (application/apply-patch) but optional for non-apply patch types (JsonPatch, "
        "MergePatch, StrategicMergePatch).",
    ),
    "fieldValidation": (
        "string",
        "fieldValidation instructs the server on how to handle objects in the request "
        "(POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This "
        "will ignore any unknown fields that are silently dropped from the object, and will ignore "
        "all but the last duplicate field that the decoder encounters. This is the default behavior "
        "prior to v1.23. - Warn: This will send a warning via the standard warning response header "
        "for each unknown field that is dropped from the object, and for each duplicate field that "
        "is encountered. The request will still succeed if there are no other errors, and will only "
        "persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will "
        "fail the request with a BadRequest error if any unknown fields would be dropped from the "
        "object, or if any duplicate fields are present. The error returned from the server will "
        "contain all unknown and duplicate fields encountered.",
    ),
    "force": (
        "boolean",
        "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields "
        "owned by other people. Force flag must be unset for non-apply patch requests.",
    ),
    "gracePeriodSeconds": (
        "integer",
        "The duration in seconds before the object should be deleted. Value must be non-negative "
        "integer. The value zero indicates delete immediately. If this value is nil, the default "
        "grace period for the specified type will be used. Defaults to a per object value if not "
        "specified. zero means delete immediately.",
    ),
    "ignoreStoreReadErrorWithClusterBreakingPotential": (
        "boolean",
        "if set to true, it will trigger an unsafe deletion of the resource in case the normal "
        "deletion flow fails with a corrupt object error. A resource is considered corrupt if it can "
        "not be retrieved from the underlying storage successfully because of a) its data can not be "
        "transformed e.g. decryption failure, or b) it fails to decode into an object. NOTE: unsafe "
        "deletion ignores finalizer constraints, skips precondition checks, and removes the object "
        "from the storage. WARNING: This may potentially break the cluster if the workload "
        "associated with the resource being unsafe-deleted relies on normal deletion flow. Use only "
        "if you REALLY know what you are doing. The default value is false, and the user must opt in "
        "to enable it",
    ),
    "orphanDependents": (
        "boolean",
        "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7. Should "
        "the dependent objects be orphaned. If true/false, the \"orphan\" finalizer will be added "
        "to/removed from the object's finalizers list. Either this field or PropagationPolicy may be "
        "set, but not both.",
    ),
    "propagationPolicy": (
        "string",
        "Whether and how garbage collection will be performed. Either this field or OrphanDependents "
        "may be set, but not both. The default policy is decided by the existing finalizer set in "
        "the metadata.finalizers and the resource-specific default policy. Acceptable values are: "
        "'Orphan' - orphan the dependents; 'Background' - allow the garbage collector to delete the "
        "dependents in the background; 'Foreground' - a cascading policy that deletes all dependents "
        "in the foreground.",
    ),
}
_LIST_OPTIONS = (
    "allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit", "resourceVersion",
    "resourceVersionMatch", "sendInitialEvents", "shardSelector", "timeoutSeconds", "watch",
)
_OPTIONS: dict[str, tuple[str, ...]] = {
    "get": ("resourceVersion",),
    "list": _LIST_OPTIONS,
    "deletecollection": _LIST_OPTIONS,
    "post": ("dryRun", "fieldManager", "fieldValidation"),
    "put": ("dryRun", "fieldManager", "fieldValidation"),
    "patch": ("dryRun", "fieldManager/patch", "fieldValidation", "force"),
    "delete": ("dryRun", "gracePeriodSeconds", "ignoreStoreReadErrorWithClusterBreakingPotential",
               "orphanDependents", "propagationPolicy"),
}
_NAMESPACE = "object name and auth scope, such as for teams and projects"
_PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml")
_BODY_TYPES = ("application/json", "application/yaml")
_PRODUCES = ("application/json", "application/yaml")
# extra responses by action, after 200 OK (``buildRoute``)
_RESPONSES: dict[str, tuple[tuple[str, str], ...]] = {
    "post": (("201", "Created"), ("202", "Accepted")),
    "put": (("201", "Created"),),
    "delete": (("202", "Accepted"),),
}
# ``verbs`` of ``endpoints/openapi``: the operation's verb is the shortest of these it starts with
_VERBS = ("get", "log", "read", "replace", "patch", "delete", "deletecollection", "watch", "connect", "proxy",
          "list", "create")


@dataclass(frozen=True, slots=True)
class _Param:
    name: str
    where: str  # "query" or "path"
    type: str
    description: str


@dataclass(frozen=True, slots=True)
class _Route:
    path: str
    method: str
    action: str
    operation: str
    description: str
    returns: str  # the definition of the 200 (and 201/202) response
    params: tuple[_Param, ...]
    body: str | None  # the definition of the request body
    body_required: bool
    consumes: tuple[str, ...]


def valid_operation_id(s: str, *, capitalize_first: bool) -> str:
    """``ToValidOperationID``: letters, ``_`` and inner digits; a dropped character capitalizes the next."""
    out: list[str] = []
    capitalize = capitalize_first
    for i, ch in enumerate(s):
        if ch.isalpha() or ch == "_" or (i != 0 and ch.isdigit()):
            out.append(ch.upper() if capitalize else ch)
            capitalize = False
        else:
            capitalize = True
    return "".join(out)


def _operation_id_and_tags(operation: str, path: str) -> tuple[str, list[str]]:
    """``GetOperationIDAndTags``: ``listNamespacedFoo`` at ``/apis/g/v1/...`` → ``listGV1NamespacedFoo``."""
    verb = next(v for v in sorted(_VERBS, key=len) if operation.startswith(v))
    rest = operation[len(verb):]
    parts = path.strip("/").split("/")
    group = parts[1].removesuffix(".k8s.io")
    prefix = verb + valid_operation_id(group, capitalize_first=True) + valid_operation_id(parts[2], capitalize_first=True)
    tag = valid_operation_id(group, capitalize_first=False) + "_" + valid_operation_id(parts[2], capitalize_first=False)
    return prefix + valid_operation_id(rest, capitalize_first=True), [tag]


def _article(noun: str) -> str:
    """``GetArticleForNoun`` with a space either side."""
    if noun.endswith("s") and not noun.endswith("ss"):
        return " "
    return " an " if noun[:1].lower() in "aeiou" else " a "


def _description(crv: CustomResourceVersion, sub: str, verb: str) -> str:
    """``descriptionFor``: ``list objects of kind Foo``, ``partially update status of the specified Foo``..."""
    article = {"list": " objects of kind ", "read": " the specified ", "replace": " the specified ",
               "patch": " the specified ", "create": _article(crv.kind), "delete": _article(crv.kind)}.get(verb, "")
    of = f" {sub} of" if sub else ""
    if verb == "patch":
        return f"partially update{of}{article}{crv.kind}"
    if verb == "deletecollection":
        return f"delete collection of{of + ' a' if of else ''} {crv.kind}"
    return f"{verb}{of}{article}{crv.kind}"


def _route(
    crv: CustomResourceVersion, root: str, path: str, method: str, action: str, verb: str, returns: str, *,
    body: str | None = None, operation: str | None = None,
) -> _Route:
    """``buildRoute`` (its arguments in its order): one verb at ``root + path``, with its options."""
    full = root + path
    sub = path.split("/")[2] if path.count("/") == 2 else ""
    params = [_Param("pretty", "query", *_QUERY_PARAMS["pretty"])]
    if "{namespace}" in full:
        params.append(_Param("namespace", "path", "string", _NAMESPACE))
    if "{name}" in full:
        params.append(_Param("name", "path", "string", f"name of the {crv.kind}"))
    params += [_Param(p.partition("/")[0], "query", *_QUERY_PARAMS[p]) for p in _OPTIONS[action]]
    if action == "delete":
        body = DELETE_OPTIONS
    return _Route(
        path=full,
        method=method,
        action=action,
        operation=operation or f"{verb}{'Namespaced' if crv.namespaced else ''}{crv.kind}{sub[:1].upper()}{sub[1:]}",
        description=_description(crv, sub, verb),
        returns=returns,
        params=tuple(params),
        body=body,
        body_required=action != "delete",
        consumes=_PATCH_TYPES if method == "patch" else _BODY_TYPES,
    )


def _routes(crv: CustomResourceVersion) -> list[_Route]:
    """``generateBuilder``'s routes: the collection, the object, and its status and scale."""
    own, listing = crv.model, crv.list_model
    root = f"/apis/{crv.group}/{crv.version}/{crv.plural}"
    routes: list[_Route] = []
    if crv.namespaced:
        routes.append(_route(crv, root, "", "get", "list", "list", listing,
                             operation=f"list{crv.kind}ForAllNamespaces"))
        root = f"/apis/{crv.group}/{crv.version}/namespaces/{{namespace}}/{crv.plural}"
    routes += [
        _route(crv, root, "", "get", "list", "list", listing),
        _route(crv, root, "", "post", "post", "create", own, body=own),
        _route(crv, root, "", "delete", "deletecollection", "deletecollection", STATUS),
        _route(crv, root, "/{name}", "get", "get", "read", own),
        _route(crv, root, "/{name}", "put", "put", "replace", own, body=own),
        _route(crv, root, "/{name}", "delete", "delete", "delete", STATUS),
        _route(crv, root, "/{name}", "patch", "patch", "patch", own, body=PATCH),
    ]
    subresources: list[tuple[str, str]] = [("status", own)] if crv.status else []
    if crv.scale:
        subresources.append(("scale", SCALE))
    for sub, returns in subresources:
        routes += [
            _route(crv, root, f"/{{name}}/{sub}", "get", "get", "read", returns),
            _route(crv, root, f"/{{name}}/{sub}", "put", "put", "replace", returns, body=returns),
            _route(crv, root, f"/{{name}}/{sub}", "patch", "patch", "patch", returns, body=PATCH),
        ]
    return routes


def _parameter(p: _Param, *, v2: bool) -> Obj:
    if v2:
        out: Obj = {"uniqueItems": True, "type": p.type, "description": p.description, "name": p.name, "in": p.where}
    else:
        out = {"name": p.name, "in": p.where, "description": p.description}
    if p.where == "path":
        out["required"] = True
    if not v2:
        out["schema"] = {"type": p.type, "uniqueItems": True}
    return out


def _operation(crv: CustomResourceVersion, route: _Route, common: set[tuple[str, str]], *, v2: bool) -> Obj:
    prefix = V2_PREFIX if v2 else V3_PREFIX
    operation_id, tags = _operation_id_and_tags(route.operation, route.path)
    codes = (("200", "OK"), *_RESPONSES.get(route.action, ()))
    params = sorted((p for p in route.params if (p.name, p.where) not in common), key=lambda p: (p.name, p.where))
    out: Obj = {"description": route.description}
    if v2:
        out.update(consumes=list(route.consumes), produces=list(_PRODUCES), schemes=["https"])
    out.update(tags=tags, operationId=operation_id)
    if v2:
        shown = [_parameter(p, v2=True) for p in params]
        if route.body is not None:
            body: Obj = {"name": "body", "in": "body", "schema": {"$ref": prefix + route.body}}
            if route.body_required:
                body = {"name": "body", "in": "body", "required": True, "schema": body["schema"]}
            shown = sorted([body, *shown], key=lambda p: (p["name"], p["in"]))
        if shown:
            out["parameters"] = shown
        responses: Obj = {code: {"description": text, "schema": {"$ref": prefix + route.returns}} for code, text in codes}
    else:
        if params:
            out["parameters"] = [_parameter(p, v2=False) for p in params]
        if route.body is not None:
            request: Obj = {"content": {t: {"schema": {"$ref": prefix + route.body}} for t in route.consumes}}
            if route.body_required:
                request["required"] = True
            out["requestBody"] = request
        content = {t: {"schema": {"$ref": prefix + route.returns}} for t in _PRODUCES}
        responses = {code: {"description": text, "content": content} for code, text in codes}
    responses["401"] = {"description": "Unauthorized"}
    out["responses"] = dict(sorted(responses.items()))
    out["x-kubernetes-action"] = route.action
    out["x-kubernetes-group-version-kind"] = {"group": crv.group, "kind": crv.kind, "version": crv.version}
    return out


def paths(crv: CustomResourceVersion, *, v2: bool) -> Obj:
    """The path items of one served version, as kube-openapi builds them from its routes."""
    by_path: dict[str, list[_Route]] = {}
    for r in _routes(crv):
        by_path.setdefault(r.path, []).append(r)
    out: Obj = {}
    for path, routes in by_path.items():
        # a parameter every operation declares is declared once, on the path (findCommonParameters)
        keys = [{(p.name, p.where) for p in r.params} for r in routes]
        common = set.intersection(*keys)
        last = {(p.name, p.where): p for r in routes for p in r.params}
        item: Obj = {r.method: _operation(crv, r, common, v2=v2) for r in routes}
        item["parameters"] = [_parameter(last[k], v2=v2) for k in sorted(common)]
        out[path] = item
    return out
