"""The reference kube-apiserver: Kubernetes REST semantics over the store.

Models ``staging/src/k8s.io/apiserver/pkg/registry/generic/registry/store.go`` (create, get,
list, update, patch, delete with graceful deletion and finalizers, deletecollection, watch),
the per-resource strategies of ``pkg/registry/*`` (status/scale subresources, generation,
pod binding and eviction, namespace finalize), and the admission plugins that matter for
behaviour (NamespaceLifecycle, LimitRanger, DefaultTolerationSeconds, ServiceAccount's default
name and token volume, Priority, RuntimeClass, DefaultIngressClass, ResourceQuota, the ClusterIP
and NodePort allocators), and list/watch options as ``ValidateListOptions`` checks them,
watch-list (``sendInitialEvents``) included. The strategies' bootstrap objects (RBAC policy,
system PriorityClasses, APF configuration, the default ServiceCIDR) are created at start without
re-validating them (the tests validate them once).

Objects are plain dicts as ``kubectl get -o json`` shows them; ``metadata.resourceVersion`` is
the store's mod revision, as a string. The verbs return the caller's own copy; a watch event
is one copy shared by every watcher of that event (as client-go's shared informer cache is
shared), so watch handlers must treat it as read-only. Every failure is an
:class:`~reference_impl.apiserver.errors.ApiError` carrying a ``metav1.Status``.

Leaves out: authentication/authorization, managedFields and field ownership (server-side
apply merges like a strategic merge patch), admission webhooks, preemption, and
ServiceAccount admission's refusal of pods whose service account does not exist yet.
"""

from __future__ import annotations

import base64
import ipaddress
import json
from collections.abc import Callable, Sequence
from typing import Any, cast

from reference_impl.apiserver import crd as _crd
from reference_impl.apiserver import defaults as _defaults
from reference_impl.apiserver import errors as E
from reference_impl.apiserver import patch as _patch
from reference_impl.apiserver import schema as _schema
from reference_impl.apiserver import validation as _validation
from reference_impl.apiserver._json import clone, dumps, fingerprint, loads
from reference_impl.apiserver.admission_limitranger import LimitRanger
from reference_impl.apiserver.admission_quota import QuotaAdmission
from reference_impl.apiserver.fieldvalidation import DecodeError, FieldValidator
from reference_impl.apiserver.registry import REGISTRY, Registry, ResourceInfo, networking, node, scheduling
from reference_impl.apiserver.selectors import (
    SUPPORTED_FIELDS,
    SelectorError,
    field_set,
    label_selector_from_dict,
    parse_field_selector,
    parse_label_selector,
    unsupported_field_message,
)
from reference_impl.apiserver.watch import Cacher, Watcher, WatchHandler
from reference_impl.sim import EventLoop, SeededRandom
from reference_impl.store import Compacted, Compare, Delete, Event, FutureRevision, KeyValue, Put, Store

Obj = dict[str, Any]

PROTECTED_NAMESPACES = frozenset({"default", "kube-system", "kube-public"})
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
    "application/apply-patch+cbor": "apply",
}
MAX_DISRUPTED_POD_SIZE = 2000  # eviction.MaxDisruptedPodSize
NOT_READY_TAINT = "node.kubernetes.io/not-ready"
UNREACHABLE_TAINT = "node.kubernetes.io/unreachable"
CONTINUE_TOO_OLD = (
    "The provided continue parameter is too old to display a consistent list result. You can start a new "
    "list without the continue parameter, or use the continue token in this response to retrieve the "
    "remainder of the results. Continuing with the provided token results in an inconsistent list - objects "
    "that were created, modified, or deleted between the time the first chunk was returned and now may show "
    "up in the list."
)


def _meta(obj: Obj) -> Obj:
    m = obj.get("metadata")
    if not isinstance(m, dict):
        m = {}
        obj["metadata"] = m
    return m


def _encode_continue(rev: int, last_key: str) -> str:
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rev, "start": last_key + "\x00"}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_continue(token: str) -> tuple[int, str]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        rev = int(data["rv"])
        start = str(data["start"])
        if data.get("v") != "meta.k8s.io/v1" or rev <= 0:
            raise ValueError
    except Exception:
        raise E.bad_request(f"continue key is not valid: {token!r}") from None
    return rev, start.rstrip("\x00")


def parse_resource_version(value: str | int | None, what: str = "resourceVersion") -> int | None:
    """``""``/None → None; otherwise a non-negative int, or 400 like the real server."""
    if value is None or value == "":
        return None
    try:
        rv = int(value)
        if rv < 0:
            raise ValueError
    except (TypeError, ValueError):
        raise E.bad_request(f'{what}: Invalid value: "{value}": must be a non-negative integer') from None
    return rv


def parse_query_resource_version(value: str | None) -> int | None:
    """A get/list/watch ``resourceVersion`` option: storage's ``ParseResourceVersion``
    (``strconv.ParseUint``, its words in the 400), then :func:`parse_resource_version`."""
    if value:
        if not (value.isascii() and value.isdigit()):
            raise E.bad_request(
                f'invalid resource version: resourceVersion: Invalid value: "{value}": '
                f'strconv.ParseUint: parsing {json.dumps(value)}: invalid syntax'
            )
        if int(value) >= 1 << 64:
            raise E.bad_request(
                f'invalid resource version: resourceVersion: Invalid value: "{value}": '
                f'strconv.ParseUint: parsing {json.dumps(value)}: value out of range'
            )
    return parse_resource_version(value)


def _grace_offset(grace: int) -> float:
    """Seconds from now to a pod's deletionTimestamp: ``time.Second * time.Duration(grace)``,
    an int64 of nanoseconds that wraps as Go's does (a grace period of 2^63-1 s lands a second
    in the past on kube-apiserver, and here)."""
    ns = (grace * 1_000_000_000) & ((1 << 64) - 1)
    if ns >= 1 << 63:
        ns -= 1 << 64
    return ns / 1e9


class _IPAllocator:
    """ClusterIP allocation from the service CIDR (``pkg/registry/core/service/ipallocator``).

    The real allocator picks at random; this one takes the lowest free address above the
    reserved ones, which is deterministic without drawing from the RNG.
    """

    def __init__(self, cidr: str) -> None:
        self.net = ipaddress.ip_network(cidr)
        self.used: set[int] = set()
        self._base = int(self.net.network_address)
        self._size = self.net.num_addresses
        self._next = 10

    def contains(self, ip: str) -> bool:
        try:
            return ipaddress.ip_address(ip) in self.net and ip != str(self.net.network_address)
        except ValueError:
            return False

    def allocate(self, ip: str | None = None) -> str:
        if ip is not None:
            i = int(ipaddress.ip_address(ip))
            if i in self.used:
                raise ValueError(f"failed to allocate IP {ip}: provided IP is already allocated")
            self.used.add(i)
            return ip
        for _ in range(self._size):
            cand = self._base + self._next
            self._next = self._next + 1 if self._next + 1 < self._size - 1 else 10
            if cand not in self.used:
                self.used.add(cand)
                return str(ipaddress.ip_address(cand))
        raise ValueError("range is full")

    def release(self, ip: str) -> None:
        try:
            self.used.discard(int(ipaddress.ip_address(ip)))
        except ValueError:
            pass


class _PortAllocator:
    """NodePort allocation (``pkg/registry/core/service/portallocator``), lowest free port first."""

    def __init__(self, lo: int, hi: int) -> None:
        self.lo, self.hi = lo, hi
        self.used: set[tuple[int, str]] = set()
        self._next = lo

    def allocate(self, port: int | None, protocol: str) -> int:
        if port is not None:
            if not self.lo <= port <= self.hi:
                raise ValueError(
                    f"provided port is not in the valid range. The range of valid ports is {self.lo}-{self.hi}"
                )
            if (port, protocol) in self.used:
                raise ValueError("provided port is already allocated")
            self.used.add((port, protocol))
            return port
        for _ in range(self.hi - self.lo + 1):
            cand = self._next
            self._next = cand + 1 if cand < self.hi else self.lo
            if (cand, protocol) not in self.used:
                self.used.add((cand, protocol))
                return cand
        raise ValueError("range is full")

    def release(self, port: int, protocol: str) -> None:
        self.used.discard((port, protocol))


TOKEN_VOLUME = "kube-api-access"
TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror"
TOKEN_EXPIRATION_S = 3607  # serviceaccount.WarnOnlyBoundTokenExpirationSeconds


def token_volume_source() -> Obj:
    """``TokenVolumeSource()``: the projected volume ServiceAccount admission adds (defaultMode 420)."""
    return {
        "defaultMode": 420,
        "sources": [
            {"serviceAccountToken": {"expirationSeconds": TOKEN_EXPIRATION_S, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace",
                                        "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
        ],
    }


INITIAL_EVENTS_END_ANNOTATION = "k8s.io/initial-events-end"


def validate_list_options(
    *,
    watch: bool,
    resource_version: str | None,
    resource_version_match: str | None,
    send_initial_events: bool | None = None,
    continue_: str | None = None,
) -> None:
    """``ValidateListOptions`` (``apimachinery/pkg/apis/meta/internalversion/validation``): 422 with its causes."""
    causes: list[dict[str, str]] = []

    def forbidden(path: str, why: str) -> None:
        causes.append({"reason": "FieldValueForbidden", "message": f"Forbidden: {why}", "field": path})

    def not_supported(path: str, value: str, supported: tuple[str, ...]) -> None:
        values = ", ".join(f'"{v}"' for v in supported)
        causes.append({"reason": "FieldValueNotSupported", "field": path,
                       "message": f'Unsupported value: "{value}": supported values: {values}'})

    match = resource_version_match or ""
    if watch:
        if send_initial_events is not None:
            if match != "NotOlderThan":
                forbidden("resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")
        if match:
            if send_initial_events is None:
                forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided")
            if match != "NotOlderThan":
                not_supported("resourceVersionMatch", match, ("NotOlderThan",))
            if continue_:
                forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided")
    else:
        if match:
            if not resource_version:
                forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided")
            if continue_:
                forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided")
            if match not in ("Exact", "NotOlderThan"):
                not_supported("resourceVersionMatch", match, ("Exact", "NotOlderThan", ""))
            if match == "Exact" and resource_version == "0":
                forbidden("resourceVersionMatch", 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"')
        if send_initial_events is not None:
            forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list")
    if causes:
        raise E.invalid_options("ListOptions", causes)


class _Lister:
    """What an admission plugin's informer holds: one cluster-scoped resource's stored objects by
    name, kept by a store watch (decoded once per write of that resource; an admission reads a
    dict, never ranges the store: a range after a new key sorts every key)."""

    def __init__(self, store: Store, info: ResourceInfo) -> None:
        self._prefix = info.key_prefix()
        self.objects: dict[str, Obj] = {kv.key[len(self._prefix):]: loads(kv.value) for kv in store.range(self._prefix).kvs}
        self._handle = store.watch(self._prefix, 0, self._on_events)

    def _on_events(self, events: Sequence[Event]) -> None:
        for ev in events:
            name = ev.kv.key[len(self._prefix):]
            if ev.type == "DELETE":
                self.objects.pop(name, None)
            else:
                self.objects[name] = loads(ev.kv.value)


class APIServer:
    """In-process kube-apiserver over a :class:`~reference_impl.store.Store`."""

    def __init__(
        self,
        store: Store,
        loop: EventLoop,
        rng: SeededRandom,
        *,
        service_cidr: str = "10.96.0.0/12",
        node_port_range: tuple[int, int] = (30000, 32767),
        default_toleration_seconds: int = 300,
        bookmark_interval_s: float = 60.0,
        registry: Registry = REGISTRY,
        bootstrap: bool = True,
    ) -> None:
        self.store = store
        self.loop = loop
        self.clock = loop.clock
        self.rng = rng
        self.registry = registry.copy()  # its own: CustomResourceDefinitions add resources to it
        self.default_toleration_seconds = default_toleration_seconds
        self.bookmark_interval_s = bookmark_interval_s
        self._service_cidr = service_cidr
        self._node_port_range = node_port_range
        self._cachers: dict[str, Cacher] = {}
        self._ns_seen: dict[str, tuple[int, bool]] = {}  # namespace key -> (revision, terminating)
        self._shared_parts: dict[bytes, Any] = {}  # see _share_pod_parts
        self._bookmark_timer: Any = None
        # kubelets register here so ``pods/log`` can be served, as the real server proxies to them
        self.log_providers: dict[str, Callable[[str, str, str | None], str]] = {}
        self.requests = 0
        #: The Go types of the built-in kinds (``fieldvalidation.FieldValidator``), set by the
        #: HTTP front: a patch sent over the wire is typed as kube-apiserver types it.
        self.go_types: Callable[[], FieldValidator] | None = None
        self._rebuild_allocators()
        # the Priority, RuntimeClass and DefaultIngressClass admission plugins' informers (of the
        # resources this server's registry serves)
        self._listers: dict[str, _Lister] = {}
        for plural in ("priorityclasses", "runtimeclasses", "ingressclasses"):
            listed = self.registry.lookup(plural)
            if listed is not None:
                self._listers[plural] = _Lister(store, listed)
        self._bootstrapping = False
        self.crds = _crd.CustomResources(self)
        self._limit_ranger = LimitRanger(self)  # the LimitRanger and ResourceQuota admission plugins
        self._quota_admission = QuotaAdmission(self)
        if bootstrap:
            self._bootstrap()

    # == plumbing =========================================================================
    def info(self, resource: str) -> ResourceInfo:
        info = self.registry.lookup(resource)
        if info is None:
            raise E.ApiError(404, "NotFound", "the server could not find the requested resource")
        return info

    @staticmethod
    def decode(value: bytes, rev: int) -> Obj:
        """What a client sees: a fresh object from the stored bytes, with its revision."""
        obj: Obj = loads(value)
        obj["metadata"]["resourceVersion"] = str(rev)
        return obj

    @staticmethod
    def _stamp(obj: Obj, rev: int) -> Obj:
        """Hand out an object this call built itself, with the revision it was stored at."""
        obj["metadata"]["resourceVersion"] = str(rev)
        return obj

    def _decode_kv(self, kv: KeyValue) -> Obj:
        return self.decode(kv.value, kv.mod_revision)

    def _cached(self, info: ResourceInfo, kv: KeyValue) -> Obj | None:
        """The watch cache's decode of ``kv`` (read-only: never to be modified or handed out)."""
        cacher = self._cachers.get(info.qualified)
        return None if cacher is None else cacher.current(kv.key, kv.mod_revision)

    def _response_for_write(self, info: ResourceInfo, key: str, value: bytes, obj: Obj, readonly: bool) -> Obj:
        """What the caller of a write gets back, given ``obj`` just encoded as ``value``.

        The watch cache would decode ``value`` again for its watchers; it takes ``obj`` instead,
        and the caller gets a decode of its own, as over the wire. A caller that promised to
        treat responses as read-only (the in-process components: client-go's rule for informer
        objects) gets ``obj`` itself, shared with the cache: one decode less per write.
        """
        cacher = self._cachers.get(info.qualified)
        if cacher is None or not cacher.expect(key, value, obj):
            return obj
        return obj if readonly else loads(value)

    def _ns_of(self, info: ResourceInfo, namespace: str | None) -> str | None:
        if not info.namespaced:
            return None
        if not namespace:
            raise E.bad_request("an empty namespace may not be set when a resource name is provided")
        return namespace

    def _get_kv(self, info: ResourceInfo, name: str, namespace: str | None) -> KeyValue:
        kv = self.store.get(info.key(name, namespace))
        if kv is None:
            raise E.not_found(info, name)
        return kv

    def _now(self) -> str:
        return self.clock.rfc3339()

    def as_version(self, info: ResourceInfo, obj: Obj) -> Obj:
        """A custom resource as the version it was asked for (the ``None`` conversion: its
        apiVersion), defaulted as upstream's storage decoder defaults what it reads."""
        if not self.crds.is_custom(info):
            return obj
        schema = self.crds.read_defaults(info)
        if schema is not None:
            obj = clone(obj)  # it may be the watch cache's (read-only)
            _schema.default(obj, schema)
        if obj.get("apiVersion") == info.api_version:
            return obj
        return {**obj, "apiVersion": info.api_version}

    # == bootstrap ========================================================================
    def _rebuild_allocators(self) -> None:
        self._ips = _IPAllocator(self._service_cidr)
        self._ports = _PortAllocator(*self._node_port_range)
        for kv in self.store.range(self.registry.lookup("services").key_prefix()).kvs:  # type: ignore[union-attr]
            self._reserve_service(loads(kv.value))

    def _reserve_service(self, svc: Obj) -> None:
        spec = svc.get("spec", {})
        for ip in spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else []):
            if ip and ip != "None" and self._ips.contains(ip):
                self._ips.used.add(int(ipaddress.ip_address(ip)))
        for p in spec.get("ports") or []:
            if p.get("nodePort"):
                self._ports.used.add((int(p["nodePort"]), p.get("protocol", "TCP")))

    def _bootstrap(self) -> None:
        """What a fresh real cluster has before anyone applies anything."""
        for ns in SYSTEM_NAMESPACES:
            if self.store.get(self.info("namespaces").key(ns, None)) is None:
                self.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        self._bootstrapping = True
        try:
            for strategy in self.registry.strategies():
                for obj in strategy.bootstrap:
                    meta = obj["metadata"]
                    if self.store.get(strategy.info.key(meta["name"], meta.get("namespace"))) is None:
                        self.create(f"{strategy.info.api_version}/{strategy.info.plural}", obj, meta.get("namespace"))
        finally:
            self._bootstrapping = False
        # kube-apiserver's defaultservicecidr controller: the ServiceCIDR it made is Ready
        cidrs = self.registry.lookup("servicecidrs")
        kv = None if cidrs is None else self.store.get(cidrs.key(networking.DEFAULT_SERVICE_CIDR, None))
        if kv is not None and not (loads(kv.value).get("status") or {}).get("conditions"):
            cidr = loads(kv.value)
            cidr["status"] = networking.default_service_cidr_ready(self._now())
            self.update("servicecidrs", cidr, subresource="status")
        svc_info = self.info("services")
        if self.store.get(svc_info.key("kubernetes", "default")) is None:
            labels = {"component": "apiserver", "provider": "kubernetes"}
            self.create(
                "services",
                {
                    "apiVersion": "v1",
                    "kind": "Service",
                    "metadata": {"name": "kubernetes", "namespace": "default", "labels": labels},
                    "spec": {
                        "clusterIP": str(self._ips.net.network_address + 1),
                        "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
                        "sessionAffinity": "None",
                        "type": "ClusterIP",
                    },
                },
                namespace="default",
            )
            self.create(
                "endpointslices",
                {
                    "apiVersion": "discovery.k8s.io/v1",
                    "kind": "EndpointSlice",
                    "metadata": {
                        "name": "kubernetes",
                        "namespace": "default",
                        "labels": {"kubernetes.io/service-name": "kubernetes"},
                    },
                    "addressType": "IPv4",
                    "endpoints": [{"addresses": ["172.18.0.2"], "conditions": {"ready": True}}],
                    "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}],
                },
                namespace="default",
            )
            self.create(
                "endpoints",
                {
                    "apiVersion": "v1",
                    "kind": "Endpoints",
                    "metadata": {"name": "kubernetes", "namespace": "default", "labels": {}},
                    "subsets": [
                        {
                            "addresses": [{"ip": "172.18.0.2"}],
                            "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}],
                        }
                    ],
                },
                namespace="default",
            )

    # == create ===========================================================================
    def create(
        self,
        resource: str,
        obj: Obj,
        namespace: str | None = None,
        *,
        subresource: str | None = None,
        name: str | None = None,
        dry_run: bool = False,
        readonly: bool = False,
    ) -> Obj:
        """POST. ``subresource`` is ``binding`` or ``eviction`` for pods (then ``name`` is the pod).

        ``readonly``: the caller will not modify the response (see ``_response_for_write``).
        """
        self.requests += 1
        info = self.info(resource)
        if not isinstance(obj, dict):
            raise E.bad_request("the body of the request was in an unknown format")
        if subresource:
            return self._create_subresource(info, name or "", namespace, subresource, obj, dry_run)
        obj = clone(obj)
        meta = _meta(obj)
        self._check_type(info, obj)
        ns = self._ns_of(info, namespace or meta.get("namespace"))
        if info.namespaced:
            if meta.get("namespace") and namespace and meta["namespace"] != namespace:
                raise E.bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            meta["namespace"] = ns
        else:
            meta.pop("namespace", None)
        if not meta.get("name"):
            if meta.get("generateName"):
                meta["name"] = str(meta["generateName"]) + self.rng.string(5)
            else:
                raise E.invalid(
                    info,
                    "",
                    [
                        {
                            "reason": "FieldValueRequired",
                            "message": "Required value: name or generateName is required",
                            "field": "metadata.name",
                        }
                    ],
                )
        name = str(meta["name"])
        if info.namespaced:
            self._admit_namespace(info, ns or "", name)
        # server-owned metadata: whatever the client sent is replaced
        for k in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"):
            meta.pop(k, None)
        meta["uid"] = self.rng.uuid()
        meta["creationTimestamp"] = self._now()
        if info.generation:
            meta["generation"] = 1
        else:
            meta.pop("generation", None)
        strategy = self.registry.strategy(info)
        if strategy is None:
            _defaults.apply_defaults(info.kind, obj)
        else:
            strategy.prepare_for_create(obj)
            strategy.default(obj)
        self._limit_ranger.admit(info, obj)  # mutating admission: its defaults decide the QoS class
        self._prepare_create(info, obj)
        # the bootstrap objects are the real server's own, checked once by the tests
        # (tests/apiserver/test_bootstrap.py), not by every server that starts
        causes = [] if self._bootstrapping else self._validate(info, obj, None)
        if causes:
            raise E.invalid(info, name, causes)
        self._admit_create(info, obj)
        try:  # the validating admission plugins, ResourceQuota last as upstream orders them
            self._limit_ranger.validate(info, obj, None)
            self._quota_admission.validate(info, obj, None, dry_run=dry_run)
        except E.ApiError:
            self._release(info, obj)  # what the allocators took, as a refused create gives it back
            raise
        key = info.key(name, ns)
        if self.store.get(key) is not None and meta.get("generateName") and name.startswith(meta["generateName"]):
            # RetryGenerateName (GA in 1.32): a colliding random suffix is drawn again
            for _ in range(7):
                name = str(meta["generateName"]) + self.rng.string(5)
                key = info.key(name, ns)
                if self.store.get(key) is None:
                    meta["name"] = name
                    break
        if self.store.get(key) is not None:
            self._release(info, obj)
            raise E.already_exists(info, name)
        if dry_run:
            self._release(info, obj)
            return self._stamp(obj, self.store.revision)
        storage = self.crds.storage_version(info)
        if storage is not None:
            obj["apiVersion"] = storage
        value = dumps(obj)
        out = self._response_for_write(info, key, value, obj, readonly)
        if info.core_kind == "Pod" and (readonly or out is not obj):
            # (only an object no caller may modify: the watch cache's, or a read-only caller's)
            self._share_pod_parts(obj)
        res = self.store.txn([Compare(key, "create", "=", 0)], [Put(key, value)])
        if not res.succeeded:  # pragma: no cover - single-threaded, but keep etcd's shape
            self._release(info, obj)
            raise E.already_exists(info, name)
        return self.as_version(info, self._stamp(out, res.revision))

    SHARED_PARTS_MAX = 4096

    def _share_pod_parts(self, pod: Obj) -> None:
        """Pods made from one template carry equal labels, owner references, container lists and
        tolerations: a new pod takes the part an earlier pod already holds, when equal, instead
        of its own copy. Where the container lists differ only by the name of each pod's token
        volume (``kube-api-access-<random>``), each container's parts but its mounts are shared,
        and so is the token volume's projected source.

        What the watch cache and informers hold is read-only (the server's own writes copy what
        they change), so equal parts can be one object: about 2 KB less per pod, 300 MB at
        150,000 pods. Equal means the same JSON, key order included, so sharing changes no
        stored byte. Only objects no caller may modify take part: an object handed back to a
        caller that may edit its response never lends or borrows a part.
        """
        meta, spec = pod.get("metadata"), pod.get("spec")
        if isinstance(meta, dict):
            self._share(meta, "labels")
            self._share(meta, "ownerReferences")
        if isinstance(spec, dict):
            for key in ("initContainers", "containers"):
                containers = spec.get(key)
                if not isinstance(containers, list) or self._share(spec, key):
                    continue
                # the lists differ (each pod's token volume has its own name): share what is equal
                # inside each container, all but its volume mounts
                for c in containers:
                    if isinstance(c, dict):
                        for field, value in c.items():
                            if field != "volumeMounts" and isinstance(value, (dict, list)):
                                self._share(c, field)
            self._share(spec, "tolerations")
            for volume in spec.get("volumes") or ():
                if isinstance(volume, dict) and "projected" in volume:
                    self._share(volume, "projected")

    def _share(self, parent: Obj, field: str) -> bool:
        """Take an earlier object's equal ``parent[field]``; whether one was there to take."""
        part = parent.get(field)
        if not part:
            return False
        table = self._shared_parts
        key = field.encode() + fingerprint(part)
        shared = table.get(key)
        if shared is None:
            if len(table) >= self.SHARED_PARTS_MAX:
                table.clear()
            table[key] = part
            return False
        parent[field] = shared
        return True

    def _check_type(self, info: ResourceInfo, obj: Obj) -> None:
        kind = obj.get("kind")
        api_version = obj.get("apiVersion")
        if kind is None and api_version is None:
            obj["kind"], obj["apiVersion"] = info.kind, info.api_version
            return
        if kind != info.kind or api_version != info.api_version:
            raise E.bad_request(
                f"the API version in the data ({api_version}) does not match the expected API version "
                f"({info.api_version})"
                if kind == info.kind
                else f"the object provided is unrecognized (must be of type {info.kind}): "
                f"Object 'Kind' is {'missing' if not kind else repr(kind)}"
            )

    def _admit_namespace(self, info: ResourceInfo, namespace: str, name: str) -> None:
        """NamespaceLifecycle admission: the namespace must exist and not be terminating."""
        kv = self.store.get(self.info("namespaces").key(namespace, None))
        if kv is None:
            raise E.ApiError(
                404,
                "NotFound",
                f'namespaces "{namespace}" not found',
                {"name": namespace, "kind": "namespaces"},
            )
        if info.plural != "events" and self._ns_terminating(kv):
            raise E.ApiError(
                403,
                "Forbidden",
                f'{info.qualified} "{name}" is forbidden: unable to create new content in namespace '
                f"{namespace} because it is being terminated",
                {
                    "name": name,
                    **({"group": info.group} if info.group else {}),
                    "kind": info.plural,
                    "causes": [
                        {
                            "reason": "NamespaceTerminating",
                            "message": f"namespace {namespace} is being terminated",
                            "field": "metadata.namespace",
                        }
                    ],
                },
            )

    def _ns_terminating(self, kv: KeyValue) -> bool:
        # decoded once per namespace revision: every create in a namespace asks
        seen = self._ns_seen.get(kv.key)
        if seen is None or seen[0] != kv.mod_revision:
            seen = (kv.mod_revision, bool(loads(kv.value).get("metadata", {}).get("deletionTimestamp")))
            self._ns_seen[kv.key] = seen
        return seen[1]

    def _validate(
        self, info: ResourceInfo, obj: Obj, old: Obj | None, subresource: str | None = None
    ) -> list[_validation.Cause]:
        """The 422 causes of writing ``obj``: by the resource's strategy, else by its kind's checks."""
        strategy = self.registry.strategy(info)
        if strategy is None:
            return _validation.validate(info.kind, obj, old)
        update = strategy.validate_update
        if subresource == "status" and strategy.validate_status_update is not None:
            update = strategy.validate_status_update
        return _validation.validate_with(info.kind, strategy.validate, update, obj, old)

    def _prepare_create(self, info: ResourceInfo, obj: Obj) -> None:
        """The strategies' PrepareForCreate: status is the server's to set."""
        if self.crds.is_custom(info):
            return  # a custom resource's strategy is its CRD's, whatever its kind is called
        kind = info.kind
        if kind == "Pod":
            obj["status"] = {"phase": "Pending", "qosClass": _qos_class(obj)}
        elif kind == "Namespace":
            obj["status"] = {"phase": "Active"}
        elif kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob"):
            # what each strategy's PrepareForCreate leaves (a ReplicaSet's non-omitempty replicas)
            obj["status"] = {"StatefulSet": {"replicas": 0, "availableReplicas": 0},
                             "ReplicaSet": {"replicas": 0}}.get(kind, {})
            if kind == "DaemonSet":
                obj["status"] = {
                    "currentNumberScheduled": 0,
                    "desiredNumberScheduled": 0,
                    "numberMisscheduled": 0,
                    "numberReady": 0,
                }
        elif kind == "Service":
            obj["status"] = {"loadBalancer": {}}
        elif kind == "PodDisruptionBudget":
            obj["status"] = {"currentHealthy": 0, "desiredHealthy": 0, "disruptionsAllowed": 0, "expectedPods": 0}

    def _admit_create(self, info: ResourceInfo, obj: Obj) -> None:
        if info.core_kind == "Pod":
            spec = obj.setdefault("spec", {})
            spec.setdefault("serviceAccountName", "default")
            spec.setdefault("serviceAccount", spec["serviceAccountName"])
            self._mount_service_account_token(obj)
            self._refuse(info, obj, scheduling.admit_pod(spec, self._listed("priorityclasses")))
            self._default_tolerations(spec)
            self._refuse(info, obj, node.admit_pod(spec, self._listed("runtimeclasses")))
        elif info.core_kind == "Service":
            self._allocate_service(info, obj, None)
        elif info.qualified == "ingresses.networking.k8s.io":
            networking.admit_ingress(obj, self._listed("ingressclasses"))
        elif info.qualified == "priorityclasses.scheduling.k8s.io":
            self._refuse(info, obj, scheduling.admit_priority_class(obj, self._listed("priorityclasses")))

    def _listed(self, plural: str) -> dict[str, Obj]:
        """An admission plugin's view of ``plural``: the stored objects by name (none when not served)."""
        lister = self._listers.get(plural)
        return {} if lister is None else lister.objects

    @staticmethod
    def _refuse(info: ResourceInfo, obj: Obj, refusal: str | None) -> None:
        """An admission plugin's 403, when it gave a reason."""
        if refusal is not None:
            raise E.forbidden(info, obj["metadata"]["name"], refusal)

    def _mount_service_account_token(self, pod: Obj) -> None:
        """ServiceAccount admission's token mount (``plugin/pkg/admission/serviceaccount``).

        Unless the pod (or else its service account) sets ``automountServiceAccountToken:
        false``, every container and init container without a mount at the token path gets
        ``kube-api-access-<5 chars>`` mounted read-only there, and the pod the projected volume
        (token, ``kube-root-ca.crt``'s ``ca.crt``, the namespace). Not modelled: the plugin
        refuses a pod whose service account does not exist yet; here the account is only read
        for its automount setting, because the reference's controllers create ``default`` a
        simulated instant after the namespace, where real clients would retry the 403.
        """
        spec = pod["spec"]
        if pod["metadata"].get("annotations", {}).get(MIRROR_POD_ANNOTATION) is not None:
            return
        automount = spec.get("automountServiceAccountToken")
        if automount is None:
            kv = self.store.get(self.info("serviceaccounts").key(spec["serviceAccountName"],
                                                                  pod["metadata"].get("namespace")))
            if kv is not None:
                automount = loads(kv.value).get("automountServiceAccountToken")
        if automount is False:
            return
        volumes = spec.get("volumes") or []
        name = next((str(v.get("name")) for v in volumes if str(v.get("name", "")).startswith(TOKEN_VOLUME + "-")), "")
        has_volume = bool(name)
        if not name:
            name = f"{TOKEN_VOLUME}-{self.rng.string(5)}"
        needs_volume = False
        for key in ("initContainers", "containers"):
            for container in spec.get(key) or []:
                mounts = container.get("volumeMounts") or []
                if any(m.get("mountPath") == TOKEN_MOUNT_PATH for m in mounts):
                    continue
                container["volumeMounts"] = [*mounts, {"name": name, "readOnly": True, "mountPath": TOKEN_MOUNT_PATH}]
                needs_volume = True
        if needs_volume and not has_volume:
            spec["volumes"] = [*volumes, {"name": name, "projected": token_volume_source()}]

    def _default_tolerations(self, spec: Obj) -> None:
        """DefaultTolerationSeconds: tolerate not-ready/unreachable NoExecute for 300 s unless told."""
        tols = spec.get("tolerations") or []

        def tolerates(key: str) -> bool:
            # the plugin's own rule (not ToleratesTaint): any toleration with this key or an
            # empty key, for NoExecute or every effect, counts — operator and value are ignored
            return any(
                t.get("key", "") in (key, "") and t.get("effect", "") in ("", "NoExecute") for t in tols
            )

        added = False
        for key in (NOT_READY_TAINT, UNREACHABLE_TAINT):
            if not tolerates(key):
                tols.append(
                    {
                        "key": key,
                        "operator": "Exists",
                        "effect": "NoExecute",
                        "tolerationSeconds": self.default_toleration_seconds,
                    }
                )
                added = True
        if added or "tolerations" in spec:
            spec["tolerations"] = tols

    def _allocate_service(self, info: ResourceInfo, svc: Obj, old: Obj | None) -> None:
        spec = svc.setdefault("spec", {})
        name = svc["metadata"]["name"]
        stype = spec.get("type", "ClusterIP")
        if stype == "ExternalName":
            return
        if old is None:
            ip = spec.get("clusterIP") or None
            if ip != "None":
                if ip is not None and not self._ips.contains(ip):
                    raise E.invalid(
                        info,
                        name,
                        [
                            {
                                "reason": "FieldValueInvalid",
                                "message": f'Invalid value: "{ip}": provided IP is not in the valid range. '
                                f"The range of valid IPs is {self._service_cidr}",
                                "field": "spec.clusterIPs",
                            }
                        ],
                    )
                try:
                    ip = self._ips.allocate(ip)
                except ValueError as e:
                    raise E.invalid(
                        info,
                        name,
                        [
                            {
                                "reason": "FieldValueInvalid",
                                "message": f'Invalid value: []string{{"{spec.get("clusterIP")}"}}: {e}',
                                "field": "spec.clusterIPs",
                            }
                        ],
                    ) from None
            spec["clusterIP"] = ip or "None"
            spec["clusterIPs"] = [ip or "None"]
        wants_node_ports = stype in ("NodePort", "LoadBalancer")
        old_ports = {
            (p.get("nodePort"), p.get("protocol", "TCP"))
            for p in ((old or {}).get("spec", {}).get("ports") or [])
            if p.get("nodePort")
        }
        allocated: list[tuple[int, str]] = []
        for i, p in enumerate(spec.get("ports") or []):
            proto = p.get("protocol", "TCP")
            np = p.get("nodePort")
            if not wants_node_ports:
                p.pop("nodePort", None)
                continue
            if np and (np, proto) in old_ports:
                continue
            try:
                got = self._ports.allocate(int(np) if np else None, proto)
            except ValueError as e:
                for a in allocated:
                    self._ports.release(*a)
                if old is None and spec.get("clusterIP") not in (None, "None"):
                    self._ips.release(spec["clusterIP"])
                raise E.invalid(
                    info,
                    name,
                    [
                        {
                            "reason": "FieldValueInvalid",
                            "message": f"Invalid value: {np}: {e}",
                            "field": f"spec.ports[{i}].nodePort",
                        }
                    ],
                ) from None
            allocated.append((got, proto))
            p["nodePort"] = got

    def _release(self, info: ResourceInfo, obj: Obj) -> None:
        """Give back what admission allocated for an object that is gone (or never stored)."""
        if info.kind != "Service":
            return
        spec = obj.get("spec", {})
        for ip in spec.get("clusterIPs") or []:
            if ip and ip != "None":
                self._ips.release(ip)
        for p in spec.get("ports") or []:
            if p.get("nodePort"):
                self._ports.release(int(p["nodePort"]), p.get("protocol", "TCP"))

    def _create_subresource(
        self, info: ResourceInfo, name: str, namespace: str | None, sub: str, body: Obj, dry_run: bool
    ) -> Obj:
        if info.core_kind == "Pod" and sub == "binding":
            return self._bind(info, name, namespace or "", body)
        if info.core_kind == "Pod" and sub == "eviction":
            return self._evict(info, name, namespace or "", body, dry_run)
        raise E.method_not_supported(info, "create")

    def _bind(self, info: ResourceInfo, name: str, namespace: str, binding: Obj) -> Obj:
        """``pods/binding``: the scheduler's only write (``pkg/registry/core/pod/storage.BindingREST``)."""
        target = (binding.get("target") or {}).get("name")
        bname = (binding.get("metadata") or {}).get("name") or name
        if not target:
            raise E.invalid(
                info, bname, [{"reason": "FieldValueRequired", "message": "Required value", "field": "target.name"}]
            )
        kv = self._get_kv(info, name, namespace)
        cached = self._cached(info, kv)
        if cached is not None:
            # copy only what the binding writes (metadata's revision, spec.nodeName, status
            # conditions); the rest stays shared with the watch cache's read-only decode
            status = cached.get("status") or {}
            pod = {
                **cached,
                "metadata": dict(cached["metadata"]),
                "spec": dict(cached["spec"]),
                "status": {**status, "conditions": [dict(c) for c in status.get("conditions") or []]},
            }
        else:
            pod = loads(kv.value)
        if pod["metadata"].get("deletionTimestamp"):
            raise E.conflict(info, name, f"pod {name} is being deleted, cannot be assigned to a host")
        node = pod["spec"].get("nodeName")
        if node:
            raise E.conflict(info, name, f'pod {name} is already assigned to node "{node}"')
        pod["spec"]["nodeName"] = target
        _set_condition(pod, {"type": "PodScheduled", "status": "True"}, self._now())
        self._put(info, kv, pod, readonly=True)  # the caller gets a Status, not the pod
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}

    def _evict(self, info: ResourceInfo, name: str, namespace: str, body: Obj, dry_run: bool) -> Obj:
        """``pods/eviction``: a delete that honours PodDisruptionBudgets (``pkg/registry/core/pod/storage/eviction.go``).

        A terminal, pending or already deleting pod is deleted outright. Otherwise the one PDB
        selecting it (two or more: a 500 Status, as upstream) must have been observed by the
        disruption controller at its generation and allow a disruption; the eviction then takes
        one from ``disruptionsAllowed``, records the pod in ``disruptedPods`` (so that the
        controller does not count it healthy while it terminates), marks the pod
        ``DisruptionTarget`` and deletes it. A pod that is not Ready is evicted without taking a
        disruption when the budget is met (``unhealthyPodEvictionPolicy`` IfHealthyBudget, the
        default) or always (AlwaysAllow).
        """
        success = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}
        opts = body.get("deleteOptions") or {}
        kv = self._get_kv(info, name, namespace)
        pod = loads(kv.value)
        phase = (pod.get("status") or {}).get("phase")
        if phase in ("Succeeded", "Failed", "Pending") or pod["metadata"].get("deletionTimestamp"):
            if not dry_run:
                self._evict_delete(name, namespace, opts)
            return success
        pdb_info = self.info("poddisruptionbudgets")
        labels = pod["metadata"].get("labels") or {}
        pdbs: list[tuple[KeyValue, Obj]] = []
        for pdb_kv in self.store.range(pdb_info.key_prefix(namespace)).kvs:
            pdb = loads(pdb_kv.value)
            sel = pdb.get("spec", {}).get("selector")
            if not sel or not (sel.get("matchLabels") or sel.get("matchExpressions")):
                continue  # a nil or empty selector matches nothing here
            if label_selector_from_dict(sel).matches(labels):
                pdbs.append((pdb_kv, pdb))
        if len(pdbs) > 1:
            raise E.ApiError(
                500, "InternalError",
                "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
            )
        if pdbs:
            pdb_kv, pdb = pdbs[0]
            status = pdb.get("status") or {}
            policy = pdb.get("spec", {}).get("unhealthyPodEvictionPolicy")
            unready_ok = not _pod_ready(pod) and (
                policy == "AlwaysAllow"
                or (int(status.get("currentHealthy", 0)) >= int(status.get("desiredHealthy", 0)) > 0)
            )
            if not unready_ok:
                self._take_disruption(pdb_info, pdb_kv, pdb, name, dry_run)
        if not dry_run:
            self._mark_disruption_target(info, name, namespace)
            self._evict_delete(name, namespace, opts)
        return success

    def _take_disruption(self, pdb_info: ResourceInfo, kv: KeyValue, pdb: Obj, pod_name: str, dry_run: bool) -> None:
        """``checkAndDecrement``: refuse with a 429 unless the budget allows one more disruption."""
        pdb_name = pdb["metadata"]["name"]
        status = dict(pdb.get("status") or {})
        if int(status.get("observedGeneration", 0)) < int(pdb["metadata"].get("generation", 0)):
            raise E.too_many_requests(f"The disruption budget {pdb_name} is still being processed by the server.", 10)
        allowed = int(status.get("disruptionsAllowed", 0))
        if allowed < 0:
            raise E.forbidden(pdb_info, pdb_name, "pdb disruptions allowed is negative")
        if len(status.get("disruptedPods") or {}) > MAX_DISRUPTED_POD_SIZE:
            raise E.forbidden(
                pdb_info, pdb_name, "DisruptedPods map too big - too many evictions not confirmed by PDB controller"
            )
        if allowed == 0:
            raise E.too_many_requests(
                f"The disruption budget {pdb_name} needs {status.get('desiredHealthy', 0)} healthy pods "
                f"and has {status.get('currentHealthy', 0)} currently"
            )
        if dry_run:
            return
        status["disruptionsAllowed"] = allowed - 1
        if allowed - 1 == 0:
            conditions = [dict(c) for c in status.get("conditions") or []]
            status["conditions"] = conditions
            _set_condition_meta(status, {"type": "DisruptionAllowed", "status": "False", "reason": "InsufficientPods",
                                         "message": ""}, self._now())
        status["disruptedPods"] = {**(status.get("disruptedPods") or {}), pod_name: self._now()}
        self._put(pdb_info, kv, {**pdb, "status": status}, readonly=True)

    def _mark_disruption_target(self, info: ResourceInfo, name: str, namespace: str) -> None:
        """The ``DisruptionTarget`` condition the eviction puts on the pod before deleting it."""
        kv = self._get_kv(info, name, namespace)
        pod = loads(kv.value)
        _set_condition(pod, {"type": "DisruptionTarget", "status": "True", "reason": "EvictionByEvictionAPI",
                             "message": "Eviction API: evicting"}, self._now())
        self._put(info, kv, pod, readonly=True)

    def _evict_delete(self, name: str, namespace: str, opts: Obj) -> None:
        self.delete(
            "pods",
            name,
            namespace,
            grace_period_seconds=opts.get("gracePeriodSeconds"),
            propagation_policy=opts.get("propagationPolicy"),
        )

    def get(
        self,
        resource: str,
        name: str,
        namespace: str | None = None,
        *,
        subresource: str | None = None,
        resource_version: str | None = None,
        container: str | None = None,
    ) -> Obj:
        self.requests += 1
        info = self.info(resource)
        ns = self._ns_of(info, namespace)
        rv = parse_query_resource_version(resource_version)
        if rv:
            self._check_rv_not_too_large(rv)
        kv = self._get_kv(info, name, ns)
        if subresource in (None, "", "status"):
            return self.as_version(info, self._decode_kv(kv))
        if subresource == "scale" and "scale" in info.subresources:
            return self._scale_of(info, self._decode_kv(kv))
        if subresource == "log" and info.core_kind == "Pod":
            return {"log": self._pod_log(loads(kv.value), container)}
        raise E.ApiError(404, "NotFound", "the server could not find the requested resource")

    def _pod_log(self, pod: Obj, container: str | None) -> str:
        node = pod.get("spec", {}).get("nodeName")
        name = pod["metadata"]["name"]
        containers = [c["name"] for c in pod.get("spec", {}).get("containers", [])]
        if container is None and len(containers) > 1:
            raise E.bad_request(
                f"a container name must be specified for pod {name}, choose one of: [{' '.join(containers)}]"
            )
        cname = container or (containers[0] if containers else "")
        if cname not in containers:
            raise E.bad_request(f"container {cname} is not valid for pod {name}")
        provider = self.log_providers.get(node or "")
        if provider is None:
            raise E.bad_request(f'container "{cname}" in pod "{name}" is waiting to start: ContainerCreating')
        return provider(pod["metadata"]["namespace"], name, cname)

    def _check_rv_not_too_large(self, rv: int) -> None:
        if rv > self.store.revision:
            raise E.resource_version_too_large(rv, self.store.revision)

    def list(
        self,
        resource: str,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        limit: int | None = None,
        continue_: str | None = None,
        resource_version: str | None = None,
        resource_version_match: str | None = None,
        send_initial_events: bool | None = None,
    ) -> Obj:
        """LIST with selectors and chunking; the list carries the revision it was read at."""
        self.requests += 1
        info = self.info(resource)
        validate_list_options(
            watch=False, resource_version=resource_version, resource_version_match=resource_version_match,
            send_initial_events=send_initial_events, continue_=continue_,
        )
        lsel, fsel = self._selectors(info, label_selector, field_selector)
        ns = namespace if info.namespaced and namespace else None
        prefix = info.key_prefix(ns)
        start_after: str | None = None
        rev: int | None = None
        if continue_:
            rev, start_after = _decode_continue(continue_)
            if not start_after.startswith(prefix):
                raise E.bad_request(f"continue key is not valid: {continue_!r}")
            if rev < self.store.compacted_revision:
                raise E.expired(CONTINUE_TOO_OLD)
        else:
            rv = parse_query_resource_version(resource_version)
            if rv:
                self._check_rv_not_too_large(rv)
                if resource_version_match == "Exact":
                    rev = rv
        if limit is not None and limit <= 0:
            limit = None
        filtering = not lsel.empty or not fsel.empty
        items: list[Obj] = []
        last_key: str | None = None
        more = False
        remaining: int | None = None
        try:
            chunk = max(limit or 0, 512)
            cursor = start_after
            while True:
                res = self.store.range(prefix, revision=rev, start_after=cursor, limit=chunk)
                rev = res.revision
                for kv in res.kvs:
                    if limit is not None and len(items) >= limit:
                        more = True
                        break
                    cursor = kv.key
                    v = self._decode_kv(kv)
                    if filtering:
                        meta = v["metadata"]
                        if not lsel.empty and not lsel.matches(meta.get("labels")):
                            continue
                        if not fsel.empty and not fsel.matches(field_set(info.plural, v)):
                            continue
                    items.append(v)
                    last_key = kv.key
                if more or not res.more:
                    break
                if limit is not None and len(items) >= limit:
                    # the chunk ended exactly at the limit; is there anything after it?
                    more = bool(self.store.range(prefix, revision=rev, start_after=cursor, limit=1).kvs)
                    break
        except Compacted:
            raise E.expired(CONTINUE_TOO_OLD if continue_ else f"too old resource version: {rev}") from None
        except FutureRevision as e:
            raise E.resource_version_too_large(e.requested, e.current) from None
        if self.crds.is_custom(info):  # an unstructured list: every item says what it is
            items = [self.as_version(info, it) for it in items]
        else:
            for it in items:
                it.pop("kind", None)
                it.pop("apiVersion", None)
        list_meta: Obj = {"resourceVersion": str(rev)}
        if more and last_key is not None:
            list_meta["continue"] = _encode_continue(int(rev or 0), last_key)
            if not filtering:
                remaining = len(self.store.range(prefix, revision=rev, start_after=last_key).kvs)
                if remaining > 0:
                    list_meta["remainingItemCount"] = remaining
        return {"kind": info.list_kind, "apiVersion": info.api_version, "metadata": list_meta, "items": items}

    def _selectors(self, info: ResourceInfo, label_selector: str | None, field_selector: str | None) -> tuple[Any, Any]:
        try:
            lsel = parse_label_selector(label_selector)
            fsel = parse_field_selector(field_selector)
        except SelectorError as e:
            raise E.bad_request(str(e)) from None
        supported = (None if self.crds.is_custom(info) else SUPPORTED_FIELDS.get(info.plural)) or frozenset(
            {"metadata.name", "metadata.namespace"})
        for field, _op, _val in fsel.requirements:
            if field not in supported:
                raise E.bad_request(unsupported_field_message(field))
        return lsel, fsel

    # == update / patch ===================================================================
    def update(
        self,
        resource: str,
        obj: Obj,
        namespace: str | None = None,
        *,
        subresource: str | None = None,
        name: str | None = None,
        dry_run: bool = False,
        readonly: bool = False,
    ) -> Obj:
        """PUT, with the resourceVersion precondition when the body carries one."""
        self.requests += 1
        info = self.info(resource)
        if not isinstance(obj, dict):
            raise E.bad_request("the body of the request was in an unknown format")
        obj = clone(obj)
        meta = _meta(obj)
        name = name or meta.get("name")
        if not name:
            raise E.bad_request("name is required for update")
        if meta.get("name") and meta["name"] != name:
            raise E.bad_request(
                f"the name of the object ({meta['name']}) does not match the name on the URL ({name})"
            )
        ns = self._ns_of(info, namespace or meta.get("namespace"))
        if info.namespaced and meta.get("namespace") and namespace and meta["namespace"] != namespace:
            raise E.bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        kv = self._get_kv(info, name, ns)
        if subresource == "scale":
            return self._update_scale(info, kv, obj, dry_run)
        if subresource not in (None, "", "status", "finalize") and not self._strategy_subresource(info, subresource):
            raise E.method_not_supported(info, "update")
        if subresource == "finalize" and info.plural != "namespaces":
            raise E.method_not_supported(info, "update")
        if subresource != "status" and subresource != "finalize":
            self._check_type(info, obj)
        rv = parse_resource_version(meta.get("resourceVersion"), "metadata.resourceVersion")
        if rv is not None and rv != kv.mod_revision:
            raise E.conflict(info, name)
        return self.as_version(info, self._update_from(info, kv, obj, subresource, dry_run, readonly))

    def _strategy_subresource(self, info: ResourceInfo, subresource: str | None) -> bool:
        """Whether ``subresource`` is one the resource's strategy updates (a CSR's ``approval``)."""
        strategy = self.registry.strategy(info)
        return bool(subresource) and subresource in info.subresources and strategy is not None \
            and strategy.update_subresource is not None

    def _update_from(
        self, info: ResourceInfo, kv: KeyValue, obj: Obj, subresource: str | None, dry_run: bool, readonly: bool = False
    ) -> Obj:
        # a status write only reads the stored object: the watch cache's decode serves (the
        # new object shares all but its metadata and status with it, so both stay read-only)
        cached = self._cached(info, kv) if subresource == "status" else None
        old: Obj = cached if cached is not None else loads(kv.value)
        name = old["metadata"]["name"]
        if subresource == "status":
            strategy = self.registry.strategy(info)
            if strategy is not None and not strategy.status_resets_metadata:
                # a status strategy that copies only the spec (an Ingress's): the body's metadata
                # stays, but for what the server owns
                meta = dict(obj.get("metadata") or {})
                for k in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation",
                          "name", "namespace"):
                    if k in old["metadata"]:
                        meta[k] = old["metadata"][k]
                    else:
                        meta.pop(k, None)
                meta.pop("resourceVersion", None)
            else:
                # ResetObjectMetaForStatus: a status write cannot touch labels, finalizers, owners, ...
                # (a shallow copy of ``old``: what it shares with it is never written to below)
                meta = dict(old["metadata"])
            new = {**old, "metadata": meta, "status": obj.get("status", {})}
            if "status" not in obj and self.crds.is_custom(info):
                del new["status"]  # an unstructured object without one has none (a Go struct has {})
            elif strategy is not None and strategy.default_status is not None:
                strategy.default_status(new)
        elif subresource == "finalize":
            new = {**old, "spec": {**(old.get("spec") or {}), "finalizers": list((obj.get("spec") or {}).get("finalizers") or [])}}
        elif subresource:
            strategy = self.registry.strategy(info)
            assert strategy is not None and strategy.update_subresource is not None
            new = strategy.update_subresource(subresource, obj, clone(old))
        else:
            new = obj
            new["kind"], new["apiVersion"] = info.kind, info.api_version
            meta = new["metadata"]
            ometa = old["metadata"]
            for k in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"):
                if k in ometa:
                    meta[k] = ometa[k]
                else:
                    meta.pop(k, None)
            meta["name"] = ometa["name"]
            if info.namespaced:
                meta["namespace"] = ometa["namespace"]
            meta.pop("resourceVersion", None)
            if info.has_status or info.core_kind == "Namespace":
                if "status" in old:
                    new["status"] = old["status"]
                else:
                    new.pop("status", None)
            strategy = self.registry.strategy(info)
            if strategy is None:
                _defaults.apply_defaults(info.kind, new)
                desired = "template" if info.core_kind == "PodTemplate" else "spec"  # what bumps the generation
            else:
                strategy.default(new)
                desired = strategy.generation_from
            if info.generation and (
                _spec_changed(new, old, info.has_status) if desired == "*" else new.get(desired) != old.get(desired)
            ):
                meta["generation"] = int(ometa.get("generation", 1)) + 1
            if info.core_kind == "Pod":
                self._keep_pod_admission(new, old)
            if ometa.get("deletionTimestamp"):
                added = set(meta.get("finalizers") or []) - set(ometa.get("finalizers") or [])
                if added:
                    raise E.invalid(
                        info,
                        name,
                        [
                            {
                                "reason": "FieldValueForbidden",
                                "message": "Forbidden: no new finalizers can be added if the object is being deleted, "
                                f"found new finalizers []string{{{', '.join(json.dumps(f) for f in sorted(added))}}}",
                                "field": "metadata.finalizers",
                            }
                        ],
                    )
        storage = self.crds.storage_version(info)
        if storage is not None and new.get("apiVersion") != storage:
            new = {**new, "apiVersion": storage}  # a custom resource is stored at its storage version
        if info.core_kind == "Namespace" and new.get("metadata", {}).get("deletionTimestamp"):
            # a copy: a status write's status may still be the watch cache's (read-only)
            new["status"] = {**(new.get("status") or {}), "phase": "Terminating"}
        causes = self._validate(info, new, old, subresource)
        if causes:
            raise E.invalid(info, name, causes)
        if info.qualified == "priorityclasses.scheduling.k8s.io" and not subresource:
            self._refuse(info, new, scheduling.admit_priority_class(new, self._listed("priorityclasses")))
        self._limit_ranger.validate(info, new, old, subresource=subresource or "")
        self._quota_admission.validate(info, new, old, subresource=subresource or "", dry_run=dry_run)
        saved = None
        if info.core_kind == "Service" and subresource is None:
            saved = (set(self._ips.used), set(self._ports.used))
            self._update_service_allocations(info, new, old)
        if new == old or dry_run:
            if saved is not None and dry_run:
                self._ips.used, self._ports.used = saved  # a dry run allocates nothing
            if new == old:
                return self._decode_kv(kv)  # the real server skips no-op writes: no new revision
            return self._stamp(new if cached is None or readonly else clone(new), kv.mod_revision)
        if self._should_delete_on_update(info, new):
            # (what a status write built on the watch cache's decode shares with it is copied
            # for a caller that may modify what it gets)
            return self._final_delete(info, kv, new if cached is None or readonly else clone(new))
        return self._put(info, kv, new, readonly)

    def _keep_pod_admission(self, new: Obj, old: Obj) -> None:
        spec, ospec = new.setdefault("spec", {}), old.get("spec", {})
        for k in ("serviceAccountName", "serviceAccount", "priority", "preemptionPolicy", "nodeName"):
            if k in ospec and k not in spec:
                spec[k] = ospec[k]

    def _update_service_allocations(self, info: ResourceInfo, new: Obj, old: Obj) -> None:
        spec, ospec = new.setdefault("spec", {}), old.get("spec", {})
        # clusterIP is immutable once allocated; an update that leaves it out keeps it
        if not spec.get("clusterIP") and ospec.get("clusterIP"):
            spec["clusterIP"] = ospec["clusterIP"]
        if not spec.get("clusterIPs") and ospec.get("clusterIPs"):
            spec["clusterIPs"] = ospec["clusterIPs"]
        # node ports the update does not name are kept, like the real server's port-by-port merge
        oports = {(p.get("port"), p.get("protocol", "TCP")): p.get("nodePort") for p in ospec.get("ports") or []}
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            for p in spec.get("ports") or []:
                if not p.get("nodePort") and oports.get((p.get("port"), p.get("protocol", "TCP"))):
                    p["nodePort"] = oports[(p.get("port"), p.get("protocol", "TCP"))]
        self._allocate_service(info, new, old)
        kept = {(p.get("nodePort"), p.get("protocol", "TCP")) for p in spec.get("ports") or [] if p.get("nodePort")}
        for p in ospec.get("ports") or []:
            key = (p.get("nodePort"), p.get("protocol", "TCP"))
            if p.get("nodePort") and key not in kept:
                self._ports.release(int(p["nodePort"]), key[1])

    @staticmethod
    def _should_delete_on_update(info: ResourceInfo, new: Obj) -> bool:
        meta = new["metadata"]
        if not meta.get("deletionTimestamp") or meta.get("finalizers"):
            return False
        if info.core_kind == "Namespace":
            return not (new.get("spec") or {}).get("finalizers")
        return int(meta.get("deletionGracePeriodSeconds") or 0) == 0

    def _put(self, info: ResourceInfo, kv: KeyValue, new: Obj, readonly: bool = False) -> Obj:
        new["metadata"].pop("resourceVersion", None)
        storage = self.crds.storage_version(info)
        if storage is not None and new.get("apiVersion") != storage:
            new = {**new, "apiVersion": storage}
        value = dumps(new)
        out = self._response_for_write(info, kv.key, value, new, readonly)
        res = self.store.txn([Compare(kv.key, "mod", "=", kv.mod_revision)], [Put(kv.key, value)])
        if not res.succeeded:  # pragma: no cover - single-threaded
            raise E.conflict(info, new["metadata"]["name"])
        return self._stamp(out, res.revision)

    def patch(
        self,
        resource: str,
        name: str,
        body: Any,
        patch_type: str,
        namespace: str | None = None,
        *,
        subresource: str | None = None,
        dry_run: bool = False,
        force: bool = False,
        field_manager: str | None = None,
        readonly: bool = False,
        typed: bool = False,
    ) -> Obj:
        """PATCH with any of the four content types (or their short names json/merge/strategic/apply).

        ``readonly``: as for ``create``; such a caller also hands a merge patch's body over.
        ``typed``: the patched object is decoded into its Go type (:attr:`go_types`) as the
        real handler does it — a JSON or merge patch's result through ``json.Unmarshal`` (a bad
        value is a 422 on ``patch`` naming the patched JSON), a strategic or apply patch's
        through the unstructured converter (integers wrap to their width, as upstream's do).
        """
        self.requests += 1
        info = self.info(resource)
        kind = PATCH_TYPES.get(patch_type, patch_type)
        if kind not in ("json", "merge", "strategic", "apply"):
            raise E.ApiError(
                415,
                "UnsupportedMediaType",
                f"the body of the request was in an unknown format - accepted media types include: "
                f"{', '.join(k for k in PATCH_TYPES if not k.endswith('cbor'))}",
            )
        ns = self._ns_of(info, namespace)
        key = info.key(name, ns)
        kv = self.store.get(key)
        if kv is None:
            if kind == "apply" and subresource is None:
                if not isinstance(body, dict):
                    raise E.bad_request("the body of the request was in an unknown format")
                obj = clone(body)
                meta = _meta(obj)
                if meta.get("name") and meta["name"] != name:
                    raise E.bad_request(
                        f"the name of the object ({meta['name']}) does not match the name on the URL ({name})"
                    )
                meta["name"] = name
                if typed and self.go_types is not None and not self.crds.is_custom(info):
                    obj = self._type_patched(info, None, kind, body, obj)
                return self.create(resource, obj, ns, dry_run=dry_run, readonly=readonly)
            raise E.not_found(info, name)
        # a merge patch of status is applied copy-on-write to the watch cache's decode (the
        # status write below takes only its status); anything else patches a fresh decode
        shared = self._cached(info, kv) if kind == "merge" and subresource == "status" and isinstance(body, dict) else None
        current = self.as_version(info, shared if shared is not None else self._decode_kv(kv))
        if subresource == "scale":
            if "scale" not in info.subresources:
                raise E.ApiError(404, "NotFound", "the server could not find the requested resource")
            target = self._scale_of(info, current)
        elif subresource in (None, "", "status") or self._strategy_subresource(info, subresource):
            target = current
        else:
            raise E.method_not_supported(info, "patch")
        if kind == "strategic" and info.kind in ("Scale",):
            kind = "merge"
        try:
            if kind == "json":
                patched = _patch.json_patch(target, body)
            elif kind == "merge":
                if shared is not None:
                    # a read-only caller (a component) also hands its body over: no copy of it
                    patched = _patch.json_merge_patch_shared(target, body, take_patch=readonly)
                else:
                    # ``target`` was decoded for this request alone: patch it where it lies
                    patched = _patch.json_merge_patch(target, body, in_place=True)
            elif kind == "strategic":
                if not isinstance(body, dict):
                    raise E.bad_request("the body of the request was in an unknown format")
                patched = _patch.strategic_merge_patch(target, body, target.get("kind", info.kind))
            else:
                if not isinstance(body, dict):
                    raise E.bad_request("the body of the request was in an unknown format")
                patched = _patch.apply_patch(target, body, target.get("kind", info.kind))
        except _patch.PatchError as e:
            # the real server answers a few malformed strategic patches with a 500; bad input is a 400 here
            code = e.code if e.code in (400, 413, 422) else 400
            reason = {400: "BadRequest", 413: "RequestEntityTooLarge", 422: "Invalid"}[code]
            raise E.ApiError(code, reason, e.message) from None
        if not isinstance(patched, dict):
            raise E.bad_request("the patch did not produce an object")
        if typed and self.go_types is not None and not self.crds.is_custom(info):
            patched = self._type_patched(info, subresource, kind, body, patched)
        pmeta = _meta(patched)
        if pmeta.get("name", name) != name:
            raise E.bad_request(
                f"the name of the object ({pmeta.get('name')}) does not match the name on the URL ({name})"
            )
        if subresource == "scale":
            return self._update_scale(info, kv, patched, dry_run)
        rv = parse_resource_version(pmeta.get("resourceVersion"), "metadata.resourceVersion")
        if rv is not None and rv != kv.mod_revision:
            raise E.conflict(info, name)
        if subresource is None:
            self._check_type(info, patched)
        return self.as_version(info, self._update_from(info, kv, patched, subresource or None, dry_run, readonly))

    def _type_patched(self, info: ResourceInfo, subresource: str | None, kind: str, body: Any, patched: Obj) -> Obj:
        """handlers/patch.go: the patched object decoded into its Go type, or a 422 on ``patch``."""
        assert self.go_types is not None
        types = self.go_types()
        group, version, type_kind = (
            ("autoscaling", "v1", "Scale") if subresource == "scale" else (info.group, info.version, info.kind)
        )
        try:
            if kind in ("json", "merge"):
                return cast(Obj, types.check(patched, group, version, type_kind))
            return cast(Obj, types.from_unstructured(patched, group, version, type_kind))
        except DecodeError as e:
            # (the stdlib encoder: the patched object may hold integers beyond 64 bits)
            shown = (
                json.dumps(patched, separators=(",", ":"), ensure_ascii=False, default=str)
                if kind in ("json", "merge") else _patch.go_fmt(body)
            )
            value = json.dumps(shown, ensure_ascii=False)
            raise E.ApiError(
                422, "Invalid", f' "" is invalid: patch: Invalid value: {value}: {e}',
                {"causes": [{"reason": "FieldValueInvalid", "message": f"Invalid value: {value}: {e}", "field": "patch"}]},
            ) from None

    # == scale subresource ================================================================
    def _scale_of(self, info: ResourceInfo, obj: Obj) -> Obj:
        meta = obj["metadata"]
        paths = self.crds.scale_paths(info)
        if paths is not None:
            return _crd.scale_of(obj, paths)
        sel = (obj.get("spec") or {}).get("selector")
        if info.core_kind == "ReplicationController" and isinstance(sel, dict):
            sel = {"matchLabels": sel}  # a map selector: scaleFromRC's labels.SelectorFromSet
        selector = str(label_selector_from_dict(sel)) if isinstance(sel, dict) else ""
        replicas = int((obj.get("spec") or {}).get("replicas", 0))
        status: Obj = {"replicas": int((obj.get("status") or {}).get("replicas", 0))}
        if selector:
            status["selector"] = selector
        return {
            "kind": "Scale",
            "apiVersion": "autoscaling/v1",
            "metadata": {
                "name": meta["name"],
                "namespace": meta.get("namespace"),
                "uid": meta.get("uid"),
                "resourceVersion": meta.get("resourceVersion"),
                "creationTimestamp": meta.get("creationTimestamp"),
            },
            # autoscaling/v1 ScaleSpec.replicas and ScaleStatus.selector are omitempty
            "spec": {"replicas": replicas} if replicas else {},
            "status": status,
        }

    def _update_scale(self, info: ResourceInfo, kv: KeyValue, scale: Obj, dry_run: bool) -> Obj:
        name = kv.key.rsplit("/", 1)[1]
        rv = parse_resource_version((scale.get("metadata") or {}).get("resourceVersion"), "metadata.resourceVersion")
        if rv is not None and rv != kv.mod_revision:
            raise E.conflict(info, name)
        # an absent (or null) int32 decodes as 0: a Scale read at 0 replicas has none to send back
        replicas = (scale.get("spec") or {}).get("replicas")
        if replicas is None:
            replicas = 0
        if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
            raise E.ApiError(
                422,
                "Invalid",
                f'Scale.autoscaling "{name}" is invalid: spec.replicas: Invalid value: {json.dumps(replicas)}: '
                "must be greater than or equal to 0",
                {
                    "name": name,
                    "group": "autoscaling",
                    "kind": "Scale",
                    "causes": [
                        {
                            "reason": "FieldValueInvalid",
                            "message": f"Invalid value: {json.dumps(replicas)}: must be greater than or equal to 0",
                            "field": "spec.replicas",
                        }
                    ],
                },
            )
        new = self.as_version(info, loads(kv.value))
        paths = self.crds.scale_paths(info)
        if paths is not None:
            _crd.set_path(new, str(paths.get("specReplicasPath", ".spec.replicas")), replicas)
        else:
            new["spec"]["replicas"] = replicas
        out = self._update_from(info, kv, new, None, dry_run)
        return self._scale_of(info, out)

    # == delete ===========================================================================
    def delete(
        self,
        resource: str,
        name: str,
        namespace: str | None = None,
        *,
        grace_period_seconds: int | None = None,
        propagation_policy: str | None = None,
        preconditions: Obj | None = None,
        dry_run: bool = False,
    ) -> Obj:
        """DELETE: graceful for pods, held by finalizers, recording the propagation policy.

        Returns the object as it stands after the call (with deletionTimestamp when it lingers).
        """
        self.requests += 1
        info = self.info(resource)
        ns = self._ns_of(info, namespace)
        if info.core_kind == "Namespace" and name in PROTECTED_NAMESPACES:
            raise E.forbidden(info, name, "this namespace may not be deleted")
        refusal = scheduling.deletion_forbidden(name) if info.qualified == "priorityclasses.scheduling.k8s.io" else None
        if refusal is not None:
            raise E.forbidden(info, name, refusal)
        if propagation_policy not in (None, "", "Orphan", "Background", "Foreground"):
            raise E.invalid(
                info,
                name,
                [
                    {
                        "reason": "FieldValueNotSupported",
                        "message": f'Unsupported value: "{propagation_policy}": supported values: '
                        '"Foreground", "Background", "Orphan"',
                        "field": "propagationPolicy",
                    }
                ],
            )
        if grace_period_seconds is not None and grace_period_seconds < 0:
            grace_period_seconds = 1  # the real server turns negative grace into 1 (pod strategy)
        kv = self._get_kv(info, name, ns)
        old: Obj = loads(kv.value)
        ometa = old["metadata"]
        if preconditions:
            if preconditions.get("uid") and preconditions["uid"] != ometa.get("uid"):
                raise E.conflict(
                    info,
                    name,
                    f"Precondition failed: UID in precondition: {preconditions['uid']}, UID in object meta: "
                    f"{ometa.get('uid')}",
                )
            prv = preconditions.get("resourceVersion")
            if prv and str(prv) != str(kv.mod_revision):
                raise E.conflict(
                    info,
                    name,
                    f"Precondition failed: ResourceVersion in precondition: {prv}, ResourceVersion in object "
                    f"meta: {kv.mod_revision}",
                )
        new = loads(kv.value)
        meta = new["metadata"]
        if info.qualified == _crd.CRD_QUALIFIED and not ometa.get("deletionTimestamp"):
            _crd.terminating_on_delete(new, self._now())
        finalizers: list[str] = list(meta.get("finalizers") or [])
        strategy = self.registry.strategy(info)
        policy = propagation_policy or (strategy.default_propagation if strategy is not None else "Background")
        if policy == "Orphan" and "orphan" not in finalizers and "foregroundDeletion" not in finalizers:
            finalizers.append("orphan")
        elif policy == "Foreground" and "foregroundDeletion" not in finalizers and "orphan" not in finalizers:
            finalizers.append("foregroundDeletion")
        elif propagation_policy in ("Background", "Foreground") and "orphan" in finalizers:
            finalizers.remove("orphan")
            if propagation_policy == "Foreground":
                finalizers.append("foregroundDeletion")
        grace = self._grace_period(info, old, grace_period_seconds)
        holds = bool(finalizers) or grace > 0 or info.core_kind == "Namespace"
        if not holds:
            if dry_run:
                return self.as_version(info, self._decode_kv(kv))
            return self.as_version(info, self._final_delete(info, kv, old))
        now = self.clock.now()
        if ometa.get("deletionTimestamp"):
            # already terminating: a shorter grace period may bring the deadline forward
            cur = int(ometa.get("deletionGracePeriodSeconds") or 0)
            if info.core_kind == "Pod" and grace < cur:
                meta["deletionTimestamp"] = self.clock.rfc3339(now + _grace_offset(grace))
                meta["deletionGracePeriodSeconds"] = grace
        else:
            meta["deletionTimestamp"] = self.clock.rfc3339(now + (_grace_offset(grace) if info.core_kind == "Pod" else 0))
            meta["deletionGracePeriodSeconds"] = grace
            # BeforeDelete / markAsDeleting: the first mark changes what controllers may do with
            # the object, so a generational object's generation moves on
            if int(meta.get("generation") or 0) > 0:
                meta["generation"] = int(meta["generation"]) + 1
            if info.core_kind == "Namespace":
                new.setdefault("status", {})["phase"] = "Terminating"
        if finalizers:
            meta["finalizers"] = finalizers
        if dry_run:
            return self.as_version(info, self._stamp(new, kv.mod_revision))
        if self._should_delete_on_update(info, new):
            return self.as_version(info, self._final_delete(info, kv, new))
        if new == old:
            return self.as_version(info, self._decode_kv(kv))
        return self.as_version(info, self._put(info, kv, new))

    def _grace_period(self, info: ResourceInfo, obj: Obj, requested: int | None) -> int:
        if info.kind != "Pod":
            return 0
        spec = obj.get("spec", {})
        # an unscheduled or finished pod has nothing to stop: it goes at once (pod strategy CheckGracefulDelete)
        if not spec.get("nodeName") or obj.get("status", {}).get("phase") in ("Succeeded", "Failed"):
            return 0
        if requested is not None:
            return int(requested)
        return int(spec.get("terminationGracePeriodSeconds", 30))

    def _final_delete(self, info: ResourceInfo, kv: KeyValue, last: Obj) -> Obj:
        res = self.store.txn([Compare(kv.key, "mod", "=", kv.mod_revision)], [Delete(kv.key)])
        if not res.succeeded:  # pragma: no cover
            raise E.conflict(info, last["metadata"]["name"])
        self._release(info, last)
        return self._stamp(last, res.revision)

    def delete_collection(
        self,
        resource: str,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        grace_period_seconds: int | None = None,
        propagation_policy: str | None = None,
    ) -> Obj:
        """DELETE on a collection: each matching object is deleted as by ``delete``."""
        info = self.info(resource)
        listed = self.list(resource, namespace, label_selector=label_selector, field_selector=field_selector)
        out = []
        for item in listed["items"]:
            meta = item["metadata"]
            if info.core_kind == "Namespace" and meta["name"] in PROTECTED_NAMESPACES:
                continue
            try:
                out.append(
                    self.delete(
                        resource,
                        meta["name"],
                        meta.get("namespace"),
                        grace_period_seconds=grace_period_seconds,
                        propagation_policy=propagation_policy,
                    )
                )
            except E.ApiError as e:
                if e.code != 404:
                    raise
        for it in out:
            it.pop("kind", None)
            it.pop("apiVersion", None)
        return {
            "kind": info.list_kind,
            "apiVersion": info.api_version,
            "metadata": {"resourceVersion": str(self.store.revision)},
            "items": out,
        }

    # == watch ============================================================================
    def watch(
        self,
        resource: str,
        handler: WatchHandler,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        resource_version: str | None = None,
        allow_bookmarks: bool = False,
        on_close: Callable[[], None] | None = None,
        send_initial_events: bool | None = None,
        resource_version_match: str | None = None,
    ) -> Watcher:
        """WATCH. ``handler(type, obj)`` is called synchronously for every event.

        No resourceVersion (or "0"): synthetic ADDED events for every current object, then
        changes. A resourceVersion N: every change after N, from the store's history; when N
        has been compacted away the watch delivers one ERROR event (410 Expired) and closes,
        exactly as the real server answers such a watch.

        Watch-list (KEP-3157, what client-go's reflectors use by default): with
        ``sendInitialEvents=true`` (and ``resourceVersionMatch=NotOlderThan``) the watch starts
        with ADDED events for the current state whatever the resourceVersion, then — when
        bookmarks are allowed — one BOOKMARK at the state's revision annotated
        ``k8s.io/initial-events-end: "true"``; with ``sendInitialEvents=false`` and no
        resourceVersion it starts at the current revision without synthetic events.
        """
        self.requests += 1
        info = self.info(resource)
        validate_list_options(
            watch=True, resource_version=resource_version, resource_version_match=resource_version_match,
            send_initial_events=send_initial_events,
        )
        lsel, fsel = self._selectors(info, label_selector, field_selector)
        ns = namespace if info.namespaced and namespace else None
        if self.crds.is_custom(info):
            handler = self._versioned_handler(info, handler)
        cacher = self._cachers.get(info.qualified)
        if cacher is None:
            cacher = Cacher(info, self.store, self.decode)
            self._cachers[info.qualified] = cacher
        w = Watcher(
            cacher,
            namespace=ns,
            label_selector=lsel,
            field_selector=fsel,
            handler=handler,
            on_close=on_close,
            bookmarks=allow_bookmarks,
        )
        rv = parse_query_resource_version(resource_version)
        if send_initial_events:
            if rv:
                self._check_rv_not_too_large(rv)
            rv = 0  # the current state, which is not older than any revision asked for
        elif send_initial_events is False and not rv:
            rv = self.store.revision  # from now on, nothing synthetic
        if rv:
            if rv > self.store.revision:
                raise E.resource_version_too_large(rv, self.store.revision)
            if rv < self.store.compacted_revision:
                handler("ERROR", E.too_old(rv, self.store.compacted_revision).status)
                w.closed = True
                if on_close is not None:
                    self.loop.call_soon(on_close)
                return w
            # replay history (rv, now] through a throwaway store watch, then go live
            replay: list[Any] = []
            tmp = self.store.watch(info.key_prefix(ns), rv + 1, replay.extend)
            tmp.cancel()
            for ev in replay:
                old = loads(ev.prev_kv.value) if ev.prev_kv is not None else None
                new = loads(ev.kv.value) if ev.type == "PUT" else None
                was = old is not None and w.matches(old)
                now = new is not None and w.matches(new)
                if now:
                    handler("MODIFIED" if was else "ADDED", self._stamp(new, ev.kv.mod_revision))  # type: ignore[arg-type]
                elif was:
                    handler("DELETED", self._stamp(old, ev.kv.mod_revision))  # type: ignore[arg-type]
        else:
            for kv in self.store.range(info.key_prefix(ns)).kvs:
                obj = self._decode_kv(kv)
                if w.matches(obj):
                    handler("ADDED", obj)
        if send_initial_events and allow_bookmarks:
            handler(
                "BOOKMARK",
                {"kind": info.kind, "apiVersion": info.api_version,
                 "metadata": {"resourceVersion": str(self.store.revision),
                              "annotations": {INITIAL_EVENTS_END_ANNOTATION: "true"}}},
            )
        cacher.add(w)
        if allow_bookmarks:
            self._ensure_bookmarks()
        return w

    def _versioned_handler(self, info: ResourceInfo, handler: WatchHandler) -> WatchHandler:
        """A watch of one version of a custom resource sees every object at that version."""

        def convert(type_: str, obj: Obj) -> None:
            handler(type_, obj if type_ in ("ERROR", "BOOKMARK") else self.as_version(info, obj))

        return convert

    def _ensure_bookmarks(self) -> None:
        if self._bookmark_timer is None and self.bookmark_interval_s > 0:
            self._bookmark_timer = self.loop.call_later(
                self.bookmark_interval_s, self._send_bookmarks, background=True
            )

    def _send_bookmarks(self) -> None:
        self._bookmark_timer = None
        rv = str(self.store.revision)
        any_left = False
        for cacher in self._cachers.values():
            for w in cacher.watchers():
                if w.bookmarks and not w.closed:
                    any_left = True
                    w.handler(
                        "BOOKMARK",
                        {"kind": cacher.info.kind, "apiVersion": cacher.info.api_version, "metadata": {"resourceVersion": rv}},
                    )
        if any_left:
            self._ensure_bookmarks()

    def drop_watches(self) -> int:
        """Close every open watch from the server side (a restart, or the DropWatches fault)."""
        n = 0
        for cacher in self._cachers.values():
            ws = cacher.watchers()
            n += len(ws)
            for w in ws:
                w.close()
        return n

    def drop_watches_of(self, qualified: str) -> int:
        """Close the watches of one resource (``plural.group``) and forget its watch cache: a
        CustomResourceDefinition is gone, and kube-apiserver destroys its storage with it."""
        cacher = self._cachers.pop(qualified, None)
        ws = cacher.watchers() if cacher is not None else []
        for w in ws:
            w.close()
        return len(ws)

    def restart(self) -> None:
        """An API server restart: watches drop; allocator state is rebuilt from the store."""
        self.drop_watches()
        self._rebuild_allocators()

    def compact(self, revision: int | None = None) -> int:
        """What the real server does every 5 minutes: compact etcd (here on demand)."""
        rev = revision or self.store.revision
        if rev > self.store.compacted_revision:
            self.store.compact(rev)
        return rev


# == helpers ==============================================================================
def _spec_changed(new: Obj, old: Obj, has_status: bool) -> bool:
    """A custom resource's generation rule: anything but metadata (and status, when it is a subresource)."""
    skip = ("metadata", "status") if has_status else ("metadata",)
    keys = (set(new) | set(old)) - set(skip)
    return any(new.get(k) != old.get(k) for k in keys)


def _set_condition(obj: Obj, cond: Obj, now: str) -> None:
    conds = obj.setdefault("status", {}).setdefault("conditions", [])
    for c in conds:
        if c.get("type") == cond["type"]:
            if c.get("status") != cond["status"]:
                c["lastTransitionTime"] = now
            c.update(cond)
            c.setdefault("lastProbeTime", None)
            return
    conds.append({"lastProbeTime": None, "lastTransitionTime": now, **cond})


def _set_condition_meta(status: Obj, cond: Obj, now: str) -> None:
    """A ``metav1.Condition`` set as ``apimeta.SetStatusCondition`` does (no ``lastProbeTime``)."""
    if status.get("observedGeneration"):
        cond = {**cond, "observedGeneration": status["observedGeneration"]}
    conds = status.setdefault("conditions", [])
    for i, c in enumerate(conds):
        if c.get("type") == cond["type"]:
            since = c.get("lastTransitionTime") if c.get("status") == cond["status"] else now
            conds[i] = {**cond, "lastTransitionTime": since or now}
            return
    conds.append({**cond, "lastTransitionTime": now})


def _pod_ready(pod: Obj) -> bool:
    for c in pod.get("status", {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return bool(c.get("status") == "True")
    return False


def _qos_class(pod: Obj) -> str:
    """``pkg/apis/core/helper/qos``: Guaranteed, Burstable or BestEffort."""
    containers = list(pod.get("spec", {}).get("containers") or []) + list(
        pod.get("spec", {}).get("initContainers") or []
    )
    any_set = False
    guaranteed = True
    for c in containers:
        res = c.get("resources") or {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        if req or lim:
            any_set = True
        for r in ("cpu", "memory"):
            if r not in lim or (r in req and str(req[r]) != str(lim[r])):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"
