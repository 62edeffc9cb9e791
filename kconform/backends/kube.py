"""The kube backend: any cluster a kubeconfig points at, through the official ``kubernetes`` client.

Only the client's public surface is used (``config.new_client_from_config``,
``dynamic.DynamicClient``, ``client.VersionApi``), which is the same in the classic 36.x and
the pydantic 37.x generations; no hand-written HTTP. Why each choice:

* **Isolation.** Every backend instance (one per hypothesis example) creates a namespace
  ``kconform-<random>`` labelled ``app.kubernetes.io/managed-by=kconform``; namespaced manifests
  without a namespace go there. Manifests naming another namespace are allowed: Namespaces the
  suite applies are labelled and owned (deleted on ``close``); objects created in pre-existing
  namespaces such as ``default`` are remembered and deleted on ``close``. ``close`` also runs
  at interpreter exit (``atexit``, so Ctrl-C cleans up), and the first backend of a process
  deletes kconform namespaces older than :data:`STALE_AFTER_S` left behind by killed runs.
* **What a snapshot sees.** Nodes: all. Namespaced objects: everything in namespaces kconform
  owns, plus, in any other namespace, only the objects this backend created and their
  dependents (the ``ownerReferences`` closure; Events by ``involvedObject``), plus the node
  Leases in ``kube-node-lease``. Other tenants' objects (``kube-system``, other users' pods)
  are never seen, so they can never be reported as violations. Consequence: node-overcommit
  checks count only kconform's pods (can miss, never invent, a violation).
* **Time is real.** ``settle`` polls snapshots until nothing moves (see :func:`fingerprint`)
  and nothing is in transition, or the timeout passes; ``advance`` sleeps (at most
  ``max_advance_s`` per call); ``time_s`` is wall time.
* **Faults.** Cordon, uncordon and drain use the API on any cluster (drain evicts only
  kconform's pods: other tenants' pods stay, but nothing new lands on the cordoned node; nodes
  kconform cordoned are uncordoned on ``close``). Node and control-plane faults need a
  :class:`FaultProvider`: one passed in (``KindBackend`` passes the docker-based one), or the
  fault endpoint of a ``kconform serve`` server (``POST /kconform/v1/faults``, detected at
  connection). Without one those capabilities are absent and suites needing them skip.

Leaves out: the ``routes`` and ``simulated-time`` capabilities, exec/logs, watches (polling is
enough at the pace of real clusters), SIGKILL-proof cleanup (the stale sweep covers it).
"""

from __future__ import annotations

import atexit
import builtins
import copy
import functools
import hashlib
import json
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol, runtime_checkable

import urllib3
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config
from kubernetes import dynamic
from kubernetes.client.rest import ApiException
from kubernetes.config.config_exception import ConfigException
from kubernetes.dynamic.exceptions import ResourceNotFoundError, ResourceNotUniqueError

from kconform import faults as F
from kconform.backends.base import (
    ADD_NODE,
    COMPACT_STORE,
    DROP_WATCHES,
    KILL_NODE,
    PARTITION_NODE,
    RESTART_CONTROL_PLANE,
    RESTART_NODE,
    SNAPSHOT_RESOURCES,
    Manifest,
    Snapshot,
)
from kconform.errors import ApiRejected, BackendUnavailable, CapabilityMissing, InvalidArgument

MANAGED_BY_LABEL = "app.kubernetes.io/managed-by"
MANAGED_BY = "kconform"
# Marks the per-example namespace (the stand-in for ``default``), so comparisons can skip it.
EXAMPLE_NAMESPACE_LABEL = "kconform.io/example-namespace"
FIELD_MANAGER = "kconform"
STALE_AFTER_S = 3600.0
NODE_LEASE_NAMESPACE = "kube-node-lease"
Manifests = list[Manifest]  # spelled once here: inside the class, ``list`` is the method
Names = list[str]

# Where each plural lives when a suite names only the plural (``list("pods")``); other plurals
# are looked up in discovery.
API_VERSIONS: dict[str, str] = {
    "namespaces": "v1",
    "nodes": "v1",
    "pods": "v1",
    "services": "v1",
    "endpoints": "v1",
    "configmaps": "v1",
    "secrets": "v1",
    "events": "v1",
    "serviceaccounts": "v1",
    "persistentvolumeclaims": "v1",
    "endpointslices": "discovery.k8s.io/v1",
    "deployments": "apps/v1",
    "replicasets": "apps/v1",
    "daemonsets": "apps/v1",
    "statefulsets": "apps/v1",
    "controllerrevisions": "apps/v1",
    "jobs": "batch/v1",
    "cronjobs": "batch/v1",
    "leases": "coordination.k8s.io/v1",
    "poddisruptionbudgets": "policy/v1",
}

# What a kconform server's fault endpoint can do (everything the reference backend does that
# is not about simulated time or routes).
SERVER_FAULT_CAPABILITIES = frozenset(
    {KILL_NODE, RESTART_NODE, PARTITION_NODE, ADD_NODE, RESTART_CONTROL_PLANE, DROP_WATCHES, COMPACT_STORE}
)
FAULTS_PATH = "/kconform/v1/faults"

# Transport failures of the official client (both generations use urllib3).
_TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (urllib3.exceptions.HTTPError, OSError)


@runtime_checkable
class FaultProvider(Protocol):
    """Carries out node and control-plane faults the Kubernetes API cannot express.

    ``capabilities`` are the capability names it adds to the backend; ``inject`` is called only
    with faults whose capability it offers; ``close`` undoes what it can (restarts killed
    nodes, heals partitions) so that the next example starts from a healthy cluster.
    """

    capabilities: frozenset[str]

    def inject(self, fault: F.Fault) -> None: ...

    def close(self) -> None: ...


# == helpers ================================================================================
def status_of(e: ApiException) -> dict[str, Any]:
    """The ``metav1.Status`` in an ApiException's body, or one built from its HTTP status."""
    body: Any = getattr(e, "body", None)
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str) and body:
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and parsed.get("kind") == "Status":
            return parsed
    code = int(getattr(e, "status", 0) or 0)
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": str(body or getattr(e, "reason", "") or ""),
        "reason": str(getattr(e, "reason", "") or ""),
        "code": code,
    }


_serializer: Any = None


def _plain(obj: Any) -> Any:
    """A JSON-shaped copy of whatever the client returned (ResourceInstance, model or dict)."""
    global _serializer
    if hasattr(obj, "to_dict") and not isinstance(obj, dict):
        obj = obj.to_dict()
    if _serializer is None:
        _serializer = k8s_client.ApiClient()
    return _serializer.sanitize_for_serialization(obj)


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _rv_key(rv: str) -> tuple[int, str]:
    return (int(rv), rv) if rv.isdigit() else (-1, rv)


def is_ready(obj: Mapping[str, Any]) -> bool:
    """The object's Ready condition is True (pods and nodes)."""
    for c in (obj.get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return c.get("status") == "True"
    return False


_WORKLOAD_STATUS_FIELDS = (
    "replicas",
    "readyReplicas",
    "updatedReplicas",
    "availableReplicas",
    "currentNumberScheduled",
    "numberReady",
    "desiredNumberScheduled",
    "active",
    "succeeded",
    "failed",
)


def fingerprint(snapshot: Snapshot) -> tuple[Any, ...]:
    """What must stop changing for a real cluster to count as settled.

    Per object: identity, generation, observedGeneration, replica counts, pod phase and
    readiness, node readiness and deletion in progress. Not resourceVersions: leases and node
    heartbeats bump them forever.
    """
    items: list[tuple[Any, ...]] = []
    for resource in sorted(snapshot.objects):
        if resource in ("leases", "events"):
            continue
        for obj in snapshot.objects[resource]:
            meta = _meta(obj)
            status = obj.get("status") or {}
            entry: tuple[Any, ...] = (
                resource,
                meta.get("namespace", ""),
                meta.get("name", ""),
                meta.get("uid", ""),
                meta.get("generation"),
                status.get("observedGeneration"),
                tuple(status.get(f) for f in _WORKLOAD_STATUS_FIELDS),
                bool(meta.get("deletionTimestamp")),
            )
            if resource == "pods":
                entry += (status.get("phase"), is_ready(obj), (obj.get("spec") or {}).get("nodeName"))
            elif resource == "nodes":
                entry += (is_ready(obj), bool((obj.get("spec") or {}).get("unschedulable")))
            elif resource == "endpointslices":
                eps = obj.get("endpoints") or []
                entry += (len(eps), sum(1 for e in eps if (e.get("conditions") or {}).get("ready")))
            items.append(entry)
    return tuple(items)


_TRANSIENT_WAITING = frozenset({"ContainerCreating", "PodInitializing"})


def in_transition(snapshot: Snapshot) -> list[str]:
    """Objects visibly on their way somewhere: a quiet moment there is not a settled cluster.

    Workloads whose controller has not observed the latest generation or whose ready pods are
    not yet available for ``minReadySeconds``, pods being created,
    pods terminating (except on nodes the test killed: those stay Terminating until the node
    returns, and waiting for them would only burn the timeout).
    """
    out: list[str] = []
    # not jobs: batch/v1 JobStatus has no observedGeneration, so a Job would never count as observed
    for resource in ("deployments", "replicasets", "statefulsets", "daemonsets"):
        for obj in snapshot.objects.get(resource, ()):
            meta = _meta(obj)
            observed = (obj.get("status") or {}).get("observedGeneration")
            if meta.get("generation") is not None and (observed is None or observed < meta["generation"]):
                out.append(f"{resource}/{meta.get('namespace')}/{meta.get('name')} not yet observed")
                continue
            status = obj.get("status") or {}
            ready, available = (
                (status.get("numberReady"), status.get("numberAvailable")) if resource == "daemonsets"
                else (status.get("readyReplicas"), status.get("availableReplicas"))
            )
            if (obj.get("spec") or {}).get("minReadySeconds") and (ready or 0) > (available or 0):
                # ready pods become available minReadySeconds later, with nothing changing meanwhile
                out.append(f"{resource}/{meta.get('namespace')}/{meta.get('name')} waiting for minReadySeconds")
    for pod in snapshot.objects.get("pods", ()):
        status = pod.get("status") or {}
        meta = _meta(pod)
        if meta.get("deletionTimestamp") and (pod.get("spec") or {}).get("nodeName") not in snapshot.dead_nodes:
            out.append(f"pods/{meta.get('namespace')}/{meta.get('name')} terminating")
            continue
        if status.get("phase") != "Pending":
            continue
        for cs in (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or []):
            if ((cs.get("state") or {}).get("waiting") or {}).get("reason") in _TRANSIENT_WAITING:
                meta = _meta(pod)
                out.append(f"pods/{meta.get('namespace')}/{meta.get('name')} starting")
                break
    return out


def note_undo(undo: dict[str, F.Fault], fault: F.Fault) -> None:
    """Keep ``undo`` (node → the fault that brings it back) up to date after ``fault``.

    A cluster shared by every example of a run must be left as each example found it.
    """
    match fault:
        case F.KillNode(node=n):
            undo[n] = F.RestartNode(node=n)
        case F.PartitionNode(node=n):
            undo.setdefault(n, F.HealNode(node=n))
        case F.RestartNode(node=n) | F.HealNode(node=n):
            undo.pop(n, None)


# == the kconform server's fault endpoint ====================================================
class ServerFaultProvider:
    """Faults through ``POST /kconform/v1/faults`` of a ``kconform serve`` server.

    Uses the official client's ``DynamicClient.request`` (the same transport, auth and TLS
    settings as every other call).
    """

    capabilities = SERVER_FAULT_CAPABILITIES

    def __init__(self, dyn: dynamic.DynamicClient, *, request_timeout_s: float = 30.0) -> None:
        self._dyn = dyn
        self._timeout_s = request_timeout_s
        # node -> the fault that undoes what this provider did to it (the served cluster is
        # shared by every example of a run: each must leave the nodes as it found them)
        self._undo: dict[str, F.Fault] = {}

    @classmethod
    def detect(cls, dyn: dynamic.DynamicClient, *, request_timeout_s: float = 10.0) -> ServerFaultProvider | None:
        """The provider when the server is a kconform server with fault injection on, else None.

        ``GET`` on the endpoint answers 405 only on a kconform server (a real API server says
        404); an empty ``POST`` then answers 400 (malformed fault, nothing injected) when fault
        injection is enabled and 404 when it is not.
        """
        try:
            dyn.request("get", FAULTS_PATH, serialize=False, _request_timeout=request_timeout_s)
        except ApiException as e:
            if e.status != 405:
                return None
        except _TRANSPORT_ERRORS:
            return None
        try:
            dyn.request("post", FAULTS_PATH, body={}, serialize=False, _request_timeout=request_timeout_s)
        except ApiException as e:
            return cls(dyn) if e.status == 400 else None
        except _TRANSPORT_ERRORS:
            return None
        return cls(dyn)

    def inject(self, fault: F.Fault) -> None:
        try:
            self._dyn.request(
                "post", FAULTS_PATH, body=fault.to_dict(), serialize=False, _request_timeout=self._timeout_s
            )
        except ApiException as e:
            status = status_of(e)
            if e.status == 400:
                raise InvalidArgument(f"the kconform server refused {fault.describe()}: {status.get('message')}") from None
            raise ApiRejected(status) from None
        note_undo(self._undo, fault)

    def close(self) -> None:
        """Bring back the nodes this provider killed or cut off (best effort)."""
        for node in sorted(self._undo):
            try:
                self.inject(self._undo[node])
            except Exception:
                pass
        self._undo.clear()


# == process-wide bookkeeping ===============================================================
_swept_servers: set[str] = set()
_discovery_dir: str | None = None


def _discovery_cache_file(host: str, context: str | None) -> str:
    """A private discovery cache per server and process (never the shared one in /tmp)."""
    global _discovery_dir
    if _discovery_dir is None:
        _discovery_dir = tempfile.mkdtemp(prefix="kconform-discovery-")
        atexit.register(shutil.rmtree, _discovery_dir, True)
    digest = hashlib.sha256(f"{host}|{context}".encode()).hexdigest()[:16]
    return os.path.join(_discovery_dir, f"{digest}.json")


def _parse_time(value: str) -> float | None:
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    except (TypeError, ValueError):
        return None


# == the backend ==============================================================================
class KubeBackend:
    """``Cluster`` over a kubeconfig, through the official ``kubernetes`` client."""

    name = "kube"

    def __init__(
        self,
        *,
        kubeconfig: str | None = None,
        context: str | None = None,
        allow_destructive: bool = False,
        fault_provider: FaultProvider | None = None,
        request_timeout_s: float = 30.0,
        poll_interval_s: float = 1.0,
        max_advance_s: float = 900.0,
        sweep_stale: bool = True,
        detect_fault_endpoint: bool = True,
        time_scale: float = 1.0,
    ) -> None:
        self.kubeconfig = kubeconfig
        self.context = context
        self.allow_destructive = allow_destructive
        self.request_timeout_s = request_timeout_s
        self.poll_interval_s = poll_interval_s
        self.max_advance_s = max_advance_s
        if not time_scale > 0:
            raise InvalidArgument(f"time_scale must be greater than 0, got {time_scale}")
        # cluster seconds per wall second: a 'kconform serve --speed X' cluster runs X times
        # faster than the wall clock, so advancing or settling for N cluster seconds takes N/X
        self.time_scale = float(time_scale)
        self._dead: dict[str, float] = {}
        self._cordoned: set[str] = set()
        self._owned_namespaces: list[str] = []
        # (apiVersion, kind, namespace, name) of objects created outside owned namespaces
        self._created: list[tuple[str, str, str | None, str]] = []
        self._created_uids: set[str] = set()
        self._dependent_uids: set[str] = set()  # dependents of those, ever seen
        self._resources: dict[tuple[str, str], Any] = {}
        self._closed = False
        self.api_client = self._connect()
        self.server = str(self.api_client.configuration.host)
        try:
            self.dyn = dynamic.DynamicClient(
                self.api_client, cache_file=_discovery_cache_file(self.server, context)
            )
        except ApiException as e:
            raise BackendUnavailable(f"kube backend: API discovery failed at {self.server}: {e.status} {e.reason}") from None
        except _TRANSPORT_ERRORS as e:
            raise BackendUnavailable(f"kube backend: cannot reach {self.server}: {_one_line(e)}") from None
        if fault_provider is None and detect_fault_endpoint:
            fault_provider = ServerFaultProvider.detect(self.dyn, request_timeout_s=min(10.0, request_timeout_s))
        self.fault_provider = fault_provider
        self.capabilities: frozenset[str] = frozenset(fault_provider.capabilities if fault_provider else ())
        self.namespace = f"kconform-{uuid.uuid4().hex[:8]}"
        self._server_now_s = self._create_namespace(self.namespace, example=True)
        if sweep_stale and self.server not in _swept_servers:
            _swept_servers.add(self.server)
            self.sweep_stale_namespaces()
        atexit.register(self.close)

    # -- connection ------------------------------------------------------------------------
    def _connect(self) -> Any:
        """An ApiClient for the kubeconfig/context; BackendUnavailable (one line) if unusable.

        ``persist_config=False``: the client must never write refreshed credentials back into
        a kubeconfig (least of all ``~/.kube/config``, which is only read, and only when no
        kubeconfig is given, like kubectl does).
        """
        where = self.kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"
        try:
            api = k8s_config.new_client_from_config(
                config_file=self.kubeconfig, context=self.context, persist_config=False
            )
        except (ConfigException, OSError, ValueError, TypeError) as e:
            ctx = f" (context {self.context!r})" if self.context else ""
            raise BackendUnavailable(f"kube backend: cannot load kubeconfig {where}{ctx}: {_one_line(e)}") from None
        host = api.configuration.host
        try:
            k8s_client.VersionApi(api).get_code(_request_timeout=min(10.0, self.request_timeout_s))
        except ApiException as e:
            api.close()
            raise BackendUnavailable(f"kube backend: {host} answered GET /version with {e.status} {e.reason}") from None
        except _TRANSPORT_ERRORS as e:
            api.close()
            raise BackendUnavailable(f"kube backend: cannot reach the API server at {host}: {_one_line(e)}") from None
        return api

    def _call(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        kw.setdefault("_request_timeout", self.request_timeout_s)
        try:
            return fn(*args, **kw)
        except ApiException as e:
            raise ApiRejected(status_of(e)) from None
        except _TRANSPORT_ERRORS as e:
            raise BackendUnavailable(f"kube backend: lost the API server at {self.server}: {_one_line(e)}") from None

    # -- resources -------------------------------------------------------------------------
    def _resource_by_kind(self, api_version: str, kind: str) -> Any:
        key = (api_version, kind)
        if key not in self._resources:
            try:
                self._resources[key] = self.dyn.resources.get(api_version=api_version, kind=kind)
            except (ResourceNotFoundError, ResourceNotUniqueError):
                raise InvalidArgument(
                    f"the cluster at {self.server} does not serve kind {kind!r} in apiVersion {api_version!r}"
                ) from None
        return self._resources[key]

    def _resource(self, plural: str) -> Any:
        key = ("", plural)
        if key not in self._resources:
            api_version = API_VERSIONS.get(plural)
            try:
                if api_version is not None:
                    found = self.dyn.resources.get(api_version=api_version, name=plural)
                else:
                    candidates = [r for r in self.dyn.resources.search(name=plural) if "/" not in r.name]
                    if not candidates:
                        raise ResourceNotFoundError(plural)
                    found = candidates[0]
            except (ResourceNotFoundError, ResourceNotUniqueError):
                raise InvalidArgument(f"the cluster at {self.server} does not serve resource {plural!r}") from None
            self._resources[key] = found
        return self._resources[key]

    def _ns_for(self, resource: Any, namespace: str | None) -> str | None:
        if not resource.namespaced:
            return None
        return namespace or self.namespace

    # -- namespaces --------------------------------------------------------------------------
    def _create_namespace(self, name: str, *, example: bool = False) -> float | None:
        """Create an owned namespace; returns its creationTimestamp (the server's clock)."""
        labels = {MANAGED_BY_LABEL: MANAGED_BY}
        if example:
            labels[EXAMPLE_NAMESPACE_LABEL] = "true"
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}
        created = _plain(self._call(self.dyn.create, self._resource("namespaces"), body=body))
        self._owned_namespaces.append(name)
        return _parse_time(str(_meta(created).get("creationTimestamp", "")))

    def sweep_stale_namespaces(self, *, older_than_s: float = STALE_AFTER_S) -> list[str]:
        """Delete kconform namespaces older than ``older_than_s`` (left by killed runs).

        Age is measured on the server's clock (the creationTimestamp of this backend's own
        namespace), never the local one: a skewed laptop, or a served reference whose clock is
        simulated, must not make a concurrent run's namespaces look stale.
        """
        swept: list[str] = []
        try:
            found = self._call(
                self.dyn.get, self._resource("namespaces"), label_selector=f"{MANAGED_BY_LABEL}={MANAGED_BY}"
            )
        except ApiRejected:
            return swept  # e.g. no permission to list namespaces: not worth failing a run over
        now = self._server_now_s
        if now is None:
            return swept
        for ns in _plain(found).get("items") or []:
            meta = _meta(ns)
            created = _parse_time(str(meta.get("creationTimestamp", "")))
            if meta.get("name") in self._owned_namespaces or meta.get("deletionTimestamp"):
                continue
            if created is None or now - created <= older_than_s:
                continue
            try:
                self._call(self.dyn.delete, self._resource("namespaces"), name=meta["name"])
                swept.append(str(meta["name"]))
            except ApiRejected:
                pass
        return swept

    @property
    def owned_namespaces(self) -> tuple[str, ...]:
        return tuple(self._owned_namespaces)

    # -- Cluster protocol ----------------------------------------------------------------------
    def apply(self, manifest: Manifest) -> Manifest:
        """Server-side apply (fieldManager ``kconform``, force); ``generateName`` → create."""
        api_version = str(manifest.get("apiVersion", ""))
        kind = str(manifest.get("kind", ""))
        if not api_version or not kind:
            raise InvalidArgument(f"a manifest needs apiVersion and kind, got {api_version!r}/{kind!r}")
        resource = self._resource_by_kind(api_version, kind)
        body = copy.deepcopy(manifest)
        meta = body.setdefault("metadata", {})
        ns = self._ns_for(resource, meta.get("namespace"))
        if ns is not None:
            meta["namespace"] = ns
        name = meta.get("name")
        foreign = ns is None or ns not in self._owned_namespaces
        existed = True
        if name and foreign:
            existed = self.get_resource(resource, name, ns) is not None
        if kind == "Namespace" and api_version == "v1" and name and (not existed or name in self._owned_namespaces):
            meta.setdefault("labels", {})[MANAGED_BY_LABEL] = MANAGED_BY
        if name:
            out = self._call(
                self.dyn.server_side_apply, resource, body=body, name=name, namespace=ns,
                field_manager=FIELD_MANAGER, force_conflicts=True,
            )
        else:
            if not meta.get("generateName"):
                raise InvalidArgument(f"a {kind} manifest needs metadata.name or metadata.generateName")
            existed = False
            out = self._call(self.dyn.create, resource, body=body, namespace=ns)
        obj: Manifest = _plain(out)
        if not existed and foreign:
            out_meta = _meta(obj)
            if kind == "Namespace" and api_version == "v1":
                if out_meta.get("name") not in self._owned_namespaces:
                    self._owned_namespaces.append(str(out_meta.get("name")))
            else:
                self._created.append((api_version, kind, ns, str(out_meta.get("name"))))
                if out_meta.get("uid"):
                    self._created_uids.add(str(out_meta["uid"]))
        return obj

    def get_resource(self, resource: Any, name: str, namespace: str | None) -> Manifest | None:
        try:
            return _plain(self._call(self.dyn.get, resource, name=name, namespace=namespace))  # type: ignore[no-any-return]
        except ApiRejected as e:
            if e.code == 404:
                return None
            raise

    def get(self, resource: str, name: str, namespace: str | None = None) -> Manifest | None:
        res = self._resource(resource)
        return self.get_resource(res, name, self._ns_for(res, namespace))

    def _list_raw(self, resource: str, namespace: str | None = None, label_selector: str | None = None) -> Manifest:
        res = self._resource(resource)
        kw: dict[str, Any] = {}
        if label_selector:
            kw["label_selector"] = label_selector
        out = self._call(self.dyn.get, res, namespace=namespace if res.namespaced else None, **kw)
        return _plain(out)  # type: ignore[no-any-return]

    def list(
        self, resource: str, namespace: str | None = None, *, label_selector: str | None = None
    ) -> list[Manifest]:
        """One namespace as is; ``namespace=None`` on a namespaced resource: kconform's objects only."""
        res = self._resource(resource)
        items: list[Manifest] = list(self._list_raw(resource, namespace, label_selector).get("items") or [])
        if namespace is not None or (not res.namespaced and resource != "namespaces"):
            return items
        if resource == "namespaces":
            keep = self._visible_namespaces()
            return [ns for ns in items if _meta(ns).get("name") in keep]
        ours = self._our_uids()
        return [o for o in items if self._visible(resource, o, ours)]

    def delete(
        self, resource: str, name: str, namespace: str | None = None, *, propagation_policy: str = "Background"
    ) -> bool:
        res = self._resource(resource)
        try:
            self._call(
                self.dyn.delete, res, name=name, namespace=self._ns_for(res, namespace),
                body={"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": propagation_policy},
            )
        except ApiRejected as e:
            if e.code == 404:
                return False
            raise
        return True

    def scale(self, resource: str, name: str, namespace: str, replicas: int) -> Manifest:
        res = self._resource(resource)
        sub = res.subresources.get("scale") if hasattr(res, "subresources") else None
        if sub is None:
            raise InvalidArgument(f"{resource} has no scale subresource on {self.server}")
        out = self._call(
            self.dyn.patch, sub, body={"spec": {"replicas": replicas}}, name=name,
            namespace=self._ns_for(res, namespace), content_type="application/merge-patch+json",
        )
        return _plain(out)  # type: ignore[no-any-return]

    _PATCH_TYPES: ClassVar[dict[str, str]] = {
        "strategic": "application/strategic-merge-patch+json",
        "merge": "application/merge-patch+json",
        "json": "application/json-patch+json",
    }

    def patch(
        self, resource: str, name: str, namespace: str | None, body: Any, *, patch_type: str = "strategic"
    ) -> Manifest:
        content_type = self._PATCH_TYPES.get(patch_type)
        if content_type is None:
            raise InvalidArgument(f"unknown patch type {patch_type!r}; use one of {', '.join(self._PATCH_TYPES)}")
        res = self._resource(resource)
        out = self._call(
            self.dyn.patch, res, body=body, name=name, namespace=self._ns_for(res, namespace),
            content_type=content_type,
        )
        return _plain(out)  # type: ignore[no-any-return]

    # -- scope ---------------------------------------------------------------------------------
    def _foreign_namespaces(self) -> set[str]:
        return {ns for (_, _, ns, _) in self._created if ns is not None and ns not in self._owned_namespaces}

    def _visible_namespaces(self) -> set[str]:
        return set(self._owned_namespaces) | self._foreign_namespaces()

    def _our_uids(self, listed: Mapping[str, Manifests] | None = None) -> set[str]:
        """UIDs of what this backend created outside its namespaces, and their dependents."""
        if not self._created_uids:
            return set()
        foreign = self._foreign_namespaces()
        candidates: list[Manifest] = []
        for resource in ("deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "pods",
                         "services", "endpointslices", "controllerrevisions"):
            if listed is not None and resource in listed:
                objs = listed[resource]
            else:
                objs = []
                for ns in foreign:
                    try:
                        objs += self._list_raw(resource, ns).get("items") or []
                    except InvalidArgument:
                        break
            candidates += [o for o in objs if _meta(o).get("namespace") in foreign]
        # once a dependent, always ours: its Events stay visible after it is deleted
        ours = self._created_uids | self._dependent_uids
        changed = True
        while changed:
            changed = False
            for obj in candidates:
                uid = _meta(obj).get("uid")
                if uid in ours:
                    continue
                if uid and any(ref.get("uid") in ours for ref in _meta(obj).get("ownerReferences") or []):
                    ours.add(str(uid))
                    changed = True
        self._dependent_uids |= ours - self._created_uids
        return ours

    def _visible(self, resource: str, obj: Mapping[str, Any], ours: set[str]) -> bool:
        meta = _meta(obj)
        ns = meta.get("namespace")
        if ns in self._owned_namespaces:
            return True
        if resource == "leases":
            return ns == NODE_LEASE_NAMESPACE
        if resource == "events":
            return (obj.get("involvedObject") or {}).get("uid") in ours
        return meta.get("uid") in ours

    # -- observation -------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        raw: dict[str, list[Manifest]] = {}
        rvs: list[str] = []
        for resource in SNAPSHOT_RESOURCES:
            try:
                listed = self._list_raw(resource)
            except InvalidArgument:
                raw[resource] = []  # not served by this cluster (e.g. an old one)
                continue
            raw[resource] = list(listed.get("items") or [])
            rv = _meta(listed).get("resourceVersion")
            if rv:
                rvs.append(str(rv))
        ours = self._our_uids(raw)
        visible_ns = self._visible_namespaces()
        objects: dict[str, list[Manifest]] = {}
        for resource, items in raw.items():
            if resource == "namespaces":
                objects[resource] = [o for o in items if _meta(o).get("name") in visible_ns]
            elif not self._resource(resource).namespaced:
                objects[resource] = items
            else:
                objects[resource] = [o for o in items if self._visible(resource, o, ours)]
        return Snapshot(
            resource_version=max(rvs, key=_rv_key) if rvs else "0",
            objects=objects,
            time_s=self._cluster_now(),
            routes=None,
            dead_nodes=frozenset(self._dead),
            dead_since_s=dict(self._dead),
        )

    def node_names(self) -> Names:
        return sorted(str(_meta(n).get("name")) for n in self.list("nodes"))

    def _cluster_now(self) -> float:
        return time.time() * self.time_scale

    def settle(self, *, timeout_s: float) -> bool:
        """Poll until two consecutive snapshots agree and nothing is mid-transition."""
        deadline = time.monotonic() + max(0.0, timeout_s) / self.time_scale
        previous: tuple[Any, ...] | None = None
        while True:
            snap = self.snapshot()
            current = fingerprint(snap)
            if current == previous and not in_transition(snap):
                return True
            previous = current
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            time.sleep(min(self.poll_interval_s, remaining))

    def wait_until(self, predicate: Callable[[Snapshot], bool], *, timeout_s: float) -> Snapshot | None:
        deadline = time.monotonic() + max(0.0, timeout_s) / self.time_scale
        while True:
            snap = self.snapshot()
            if predicate(snap):
                return snap
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            time.sleep(min(self.poll_interval_s, remaining))

    def advance(self, seconds: float) -> None:
        """Real time passes: sleep (``seconds / time_scale``), at most ``max_advance_s`` per call."""
        if seconds < 0:
            raise InvalidArgument(f"time can't go backwards (advance({seconds}))")
        time.sleep(min(float(seconds) / self.time_scale, self.max_advance_s))

    # -- faults -----------------------------------------------------------------------------------
    def inject(self, fault: F.Fault) -> None:
        match fault:
            case F.CordonNode(node=n):
                self._patch_node(n, {"spec": {"unschedulable": True}})
                self._cordoned.add(n)
                return
            case F.UncordonNode(node=n):
                self._patch_node(n, {"spec": {"unschedulable": None}})
                self._cordoned.discard(n)
                return
            case F.DrainNode(node=n):
                self._drain(n)
                return
            case F.TaintNode(node=n) | F.UntaintNode(node=n):
                node = self.get("nodes", n)
                if node is None:
                    raise InvalidArgument(f"no node named {n!r}")
                self._patch_node(n, {"spec": {"taints": F.taints_after(node.get("spec", {}).get("taints") or [], fault)}})
                return
        if not fault.capability or fault.capability not in self.capabilities or self.fault_provider is None:
            raise CapabilityMissing(fault.capability or type(fault).__name__, self.name)
        self.fault_provider.inject(fault)
        now = self._cluster_now()
        match fault:
            case F.KillNode(node=n) | F.PartitionNode(node=n):
                self._dead.setdefault(n, now)
            case F.RestartNode(node=n) | F.HealNode(node=n):
                self._dead.pop(n, None)

    def _patch_node(self, node: str, patch: Manifest) -> None:
        self._call(
            self.dyn.patch, self._resource("nodes"), body=patch, name=node,
            content_type="application/merge-patch+json",
        )

    def _drain(self, node: str) -> None:
        """Cordon, then evict kconform's non-DaemonSet pods on the node (like ``kubectl drain``)."""
        self._patch_node(node, {"spec": {"unschedulable": True}})
        self._cordoned.add(node)
        pods = self._resource("pods")
        on_node = _plain(self._call(self.dyn.get, pods, field_selector=f"spec.nodeName={node}")).get("items") or []
        ours = self._our_uids()
        for p in on_node:
            if not self._visible("pods", p, ours):
                continue
            if any(o.get("kind") == "DaemonSet" for o in _meta(p).get("ownerReferences") or []):
                continue
            name, ns = str(_meta(p)["name"]), str(_meta(p)["namespace"])
            eviction = {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name, "namespace": ns}}
            try:
                self._call(
                    self.dyn.request, "post", pods.path(name=name, namespace=ns) + "/eviction",
                    body=eviction, serialize=False,
                )
            except ApiRejected as e:
                if e.code not in (404, 429):
                    raise

    # -- cleanup ------------------------------------------------------------------------------------
    def close(self) -> None:
        """Undo what this backend did: provider faults, cordons, objects, namespaces. Never raises."""
        if self._closed:
            return
        self._closed = True
        atexit.unregister(self.close)
        steps: builtins.list[Callable[[], Any]] = []
        if self.fault_provider is not None:
            steps.append(self.fault_provider.close)
        for node in sorted(self._cordoned):
            steps.append(functools.partial(self._patch_node, node, {"spec": {"unschedulable": None}}))
        for api_version, kind, ns, name in reversed(self._created):
            steps.append(functools.partial(self._delete_quietly, api_version, kind, ns, name))
        for ns in self._owned_namespaces:
            steps.append(functools.partial(self._delete_quietly, "v1", "Namespace", None, ns))
        for step in steps:
            try:
                step()
            except Exception:  # cleanup is best effort; the stale sweep is the backstop
                pass
        self.api_client.close()

    def _delete_quietly(self, api_version: str, kind: str, namespace: str | None, name: str) -> None:
        try:
            self._call(
                self.dyn.delete, self._resource_by_kind(api_version, kind), name=name, namespace=namespace,
                body={"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": "Background"},
                _request_timeout=min(10.0, self.request_timeout_s),
            )
        except (ApiRejected, BackendUnavailable, InvalidArgument):
            pass


def _one_line(e: BaseException) -> str:
    text = str(e).strip() or type(e).__name__
    reason = getattr(e, "reason", None)  # urllib3 MaxRetryError keeps the root cause here
    if reason is not None and str(reason).strip():
        text = str(reason).strip()
    first = text.splitlines()[0] if text else type(e).__name__
    return first[:300]


__all__ = [
    "API_VERSIONS",
    "EXAMPLE_NAMESPACE_LABEL",
    "MANAGED_BY",
    "MANAGED_BY_LABEL",
    "FaultProvider",
    "KubeBackend",
    "ServerFaultProvider",
    "fingerprint",
    "in_transition",
    "is_ready",
    "status_of",
]
