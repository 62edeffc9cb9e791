"""The reference backend: the embedded, simulated cluster of :mod:`reference_impl`.

The only kconform module that imports ``reference_impl`` (import-linter enforces it). Time
is simulated, so ``settle`` and ``advance`` cost milliseconds however many simulated minutes
they cover, and every fault kconform knows is supported.
"""

from __future__ import annotations

import builtins
import dataclasses
from collections.abc import Callable
from typing import Any

from kconform import faults as F
from kconform.backends.base import (
    ADD_NODE,
    COMPACT_STORE,
    DROP_WATCHES,
    KILL_NODE,
    PARTITION_NODE,
    RESTART_CONTROL_PLANE,
    RESTART_NODE,
    ROUTES,
    SIMULATED_TIME,
    SNAPSHOT_RESOURCES,
    Manifest,
    Snapshot,
)
from kconform.errors import ApiRejected, BackendUnavailable, CapabilityMissing, InvalidArgument, KconformError
from kconform.timings import timings
from reference_impl.apiserver import ApiError
from reference_impl.cluster import ClusterError, ReferenceCluster
from reference_impl.config import ClusterConfig
from reference_impl.store import Store
from reference_impl.store.durable import DataDirError, DurableStore

CAPABILITIES = frozenset(
    {
        SIMULATED_TIME,
        KILL_NODE,
        RESTART_NODE,
        PARTITION_NODE,
        ADD_NODE,
        RESTART_CONTROL_PLANE,
        DROP_WATCHES,
        COMPACT_STORE,
        ROUTES,
    }
)


def resource_for(manifest: Manifest) -> tuple[str, bool]:
    """(plural, namespaced) for a manifest's apiVersion/kind, or InvalidArgument."""
    from reference_impl.apiserver import REGISTRY

    info = REGISTRY.by_kind(str(manifest.get("apiVersion", "")), str(manifest.get("kind", "")))
    if info is None:
        raise InvalidArgument(
            f"unknown kind {manifest.get('kind')!r} in apiVersion {manifest.get('apiVersion')!r}"
        )
    return info.plural, info.namespaced


def config_for(timing_name: str, base: ClusterConfig | None = None) -> ClusterConfig:
    """``base`` (default: Kubernetes' defaults) with the timing profile's knobs (:mod:`kconform.timings`)."""
    t = timings(timing_name)
    return dataclasses.replace(
        base or ClusterConfig(),
        node_monitor_period_s=t.node_monitor_period_s,
        node_monitor_grace_period_s=t.node_monitor_grace_period_s,
        node_startup_grace_period_s=t.node_startup_grace_period_s,
        node_lease_duration_s=t.node_lease_duration_s,
        node_lease_renew_interval_s=t.node_lease_renew_interval_s,
        node_status_update_frequency_s=t.node_status_update_frequency_s,
        default_toleration_seconds=t.default_toleration_seconds,
    )


class ReferenceBackend:
    """``Cluster`` over an in-process :class:`~reference_impl.cluster.ReferenceCluster`."""

    name = "reference"
    capabilities = CAPABILITIES

    def __init__(
        self,
        *,
        nodes: int = 3,
        seed: int | str = 0,
        config: ClusterConfig | None = None,
        record_events: bool = True,
        timings: str | None = None,
        store: Store | None = None,
    ) -> None:
        """``store``: the cluster's etcd (default: a fresh in-memory one)."""
        if timings is not None:
            config = config_for(timings, config)
        self.seed = seed
        self.cluster = ReferenceCluster(nodes, seed=seed, config=config, record_events=record_events, store=store)
        self.api = self.cluster.api
        self._dead: dict[str, float] = {}
        self._added = 0

    # -- helpers --------------------------------------------------------------------------
    def _call(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        try:
            out = fn(*args, **kw)
        except ApiError as e:
            raise ApiRejected(e.status) from None
        self.cluster.loop.run_ready()
        return out

    @staticmethod
    def _ns(resource: str, namespace: str | None) -> str | None:
        """``default`` for a namespaced resource named without a namespace (the kube backend's
        stand-in is its example namespace), as :meth:`apply` does for manifests."""
        if namespace is not None:
            return namespace
        from reference_impl.apiserver import REGISTRY

        info = REGISTRY.lookup(resource)
        return "default" if info is not None and info.namespaced else None

    # -- Cluster protocol ---------------------------------------------------------------------
    def apply(self, manifest: Manifest) -> Manifest:
        plural, namespaced = resource_for(manifest)
        meta = manifest.get("metadata") or {}
        name = meta.get("name")
        ns = (meta.get("namespace") or "default") if namespaced else None
        if not name:
            return self._call(self.api.create, plural, manifest, ns)  # type: ignore[no-any-return]
        return self._call(  # type: ignore[no-any-return]
            self.api.patch, plural, name, manifest, "apply", ns, field_manager="kconform", force=True
        )

    def get(self, resource: str, name: str, namespace: str | None = None) -> Manifest | None:
        try:
            return self.api.get(resource, name, self._ns(resource, namespace))
        except ApiError as e:
            if e.code == 404:
                return None
            raise ApiRejected(e.status) from None

    def list(
        self, resource: str, namespace: str | None = None, *, label_selector: str | None = None
    ) -> builtins.list[Manifest]:
        out = self._call(self.api.list, resource, namespace, label_selector=label_selector)
        return list(out["items"])

    def delete(
        self, resource: str, name: str, namespace: str | None = None, *, propagation_policy: str = "Background"
    ) -> bool:
        try:
            self._call(
                self.api.delete, resource, name, self._ns(resource, namespace), propagation_policy=propagation_policy
            )
        except ApiRejected as e:
            if e.code == 404:
                return False
            raise
        return True

    def scale(self, resource: str, name: str, namespace: str | None, replicas: int) -> Manifest:
        return self._call(  # type: ignore[no-any-return]
            self.api.patch, resource, name, {"spec": {"replicas": replicas}}, "merge", self._ns(resource, namespace),
            subresource="scale",
        )

    def patch(
        self, resource: str, name: str, namespace: str | None, body: Any, *, patch_type: str = "strategic"
    ) -> Manifest:
        return self._call(  # type: ignore[no-any-return]
            self.api.patch, resource, name, body, patch_type, self._ns(resource, namespace)
        )

    def snapshot(self) -> Snapshot:
        objects: dict[str, list[Manifest]] = {}
        rv = str(self.cluster.store.revision)
        for resource in SNAPSHOT_RESOURCES:
            objects[resource] = self.api.list(resource)["items"]
        return Snapshot(
            resource_version=rv,
            objects=objects,
            time_s=self.cluster.now(),
            routes=self.cluster.routes(),
            dead_nodes=frozenset(self._dead),
            dead_since_s=dict(self._dead),
        )

    def settle(self, *, timeout_s: float) -> bool:
        return self.cluster.settle(timeout_s)

    def wait_until(self, predicate: Callable[[Snapshot], bool], *, timeout_s: float) -> Snapshot | None:
        deadline = self.cluster.now() + timeout_s
        while True:
            snap = self.snapshot()
            if predicate(snap):
                return snap
            if self.cluster.now() >= deadline:
                return None
            self.cluster.advance(min(1.0, deadline - self.cluster.now()))

    def advance(self, seconds: float) -> None:
        self.cluster.advance(seconds)

    def node_names(self) -> builtins.list[str]:
        return self.cluster.node_names()

    def inject(self, fault: F.Fault) -> None:
        if fault.capability and fault.capability not in self.capabilities:
            raise CapabilityMissing(fault.capability, self.name)
        c = self.cluster
        now = c.now()
        try:
            match fault:
                case F.KillNode(node=n):
                    c.kill_node(n)
                    self._dead.setdefault(n, now)
                case F.RestartNode(node=n):
                    c.restart_node(n)
                    self._dead.pop(n, None)
                case F.PartitionNode(node=n):
                    c.partition_node(n)
                    self._dead.setdefault(n, now)
                case F.HealNode(node=n):
                    c.heal_node(n)
                    self._dead.pop(n, None)
                case F.AddNode(node=n):
                    c.add_node(n)
                case F.RestartScheduler():
                    c.restart_scheduler()
                case F.RestartControllerManager():
                    c.restart_controller_manager()
                case F.RestartApiServer():
                    c.restart_apiserver()
                case F.DropWatches():
                    c.drop_watches()
                case F.CompactStore():
                    c.compact()
                case F.CordonNode(node=n):
                    self._call(self.api.patch, "nodes", n, {"spec": {"unschedulable": True}}, "merge")
                case F.UncordonNode(node=n):
                    self._call(self.api.patch, "nodes", n, {"spec": {"unschedulable": None}}, "merge")
                case F.DrainNode(node=n):
                    self._drain(n)
                case F.TaintNode(node=n) | F.UntaintNode(node=n):
                    node = self.api.get("nodes", n)
                    taints = F.taints_after(node.get("spec", {}).get("taints") or [], fault)
                    self._call(self.api.patch, "nodes", n, {"spec": {"taints": taints}}, "merge")
                case _:
                    raise InvalidArgument(f"the reference backend does not know fault {fault.describe()}")
        except ClusterError as e:
            raise InvalidArgument(str(e)) from None
        c.loop.run_ready()

    def _drain(self, node: str) -> None:
        """``kubectl drain --ignore-daemonsets --delete-emptydir-data``: cordon, then evict."""
        self._call(self.api.patch, "nodes", node, {"spec": {"unschedulable": True}}, "merge")
        pods = self.api.list("pods", field_selector=f"spec.nodeName={node}")["items"]
        for p in pods:
            owners = p["metadata"].get("ownerReferences") or []
            if any(o.get("kind") == "DaemonSet" for o in owners):
                continue
            try:
                self.api.create(
                    "pods",
                    {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": p["metadata"]["name"]}},
                    p["metadata"]["namespace"],
                    subresource="eviction",
                    name=p["metadata"]["name"],
                )
            except ApiError as e:
                if e.code not in (404, 429):
                    raise ApiRejected(e.status) from None

    def close(self) -> None:
        for agents in self.cluster.nodes.values():
            if agents.state != "dead":
                agents.kubelet.stop()
                agents.proxy.stop()
        self.cluster.scheduler.stop()
        self.cluster.controller_manager.stop()
        store = self.cluster.store
        if isinstance(store, DurableStore):
            store.close()


# == serving the reference over HTTP (``kconform serve``) ====================================
def write_kubeconfig(path: str, url: str) -> None:
    """A private kubeconfig (mode 0600) pointing at ``url``; never touches ~/.kube/config."""
    import os

    import yaml

    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "kconform", "cluster": {"server": url}}],
        "users": [{"name": "kconform", "user": {}}],
        "contexts": [{"name": "kconform", "context": {"cluster": "kconform", "user": "kconform"}}],
        "current-context": "kconform",
        "preferences": {},
    }
    tmp = f"{path}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        yaml.safe_dump(doc, f, sort_keys=False)
    os.replace(tmp, path)


def etcd_store(url: str) -> Store:
    """The cluster's store in the etcd at ``url`` (:class:`~reference_impl.store.etcd.EtcdStore`)."""
    from reference_impl.store.etcd import EtcdStore, EtcdUnavailable

    try:
        return EtcdStore.connect(url)
    except ImportError:
        raise KconformError("the etcd store needs the etcd3gw client: pip install 'kconform[etcd]'") from None
    except ValueError as e:
        raise InvalidArgument(f"--store etcd={url}: {e}") from None
    except EtcdUnavailable as e:
        raise BackendUnavailable(str(e)) from None


#: A full collection of a served cluster this often (seconds), and only then (see _quiet_gc).
FULL_GC_INTERVAL_S = 300.0


def _quiet_gc() -> None:
    """No automatic full collections in a served cluster: with 10,000 pods one takes 0.2-0.7 s,
    during which no request is answered. The control plane keeps no reference cycles (the scale
    benchmark's rule, tests/scenarios/test_no_cyclic_garbage.py), so reference counting frees
    it; young cycles (asyncio's, exceptions') still go in the cheap generation-0/1 passes, and
    the start-up objects are frozen out of every pass."""
    import gc

    gc.collect()
    gc.freeze()
    threshold0, threshold1, _ = gc.get_threshold()
    gc.set_threshold(threshold0, threshold1, 1 << 30)


async def _collect_now_and_then() -> None:
    import asyncio
    import gc

    while True:
        await asyncio.sleep(FULL_GC_INTERVAL_S)
        gc.collect()


async def serve(
    *,
    nodes: int,
    seed: int,
    host: str,
    port: int,
    kubeconfig: str,
    speed: float,
    ready: Callable[[str], None],
    data_dir: str | None = None,
    etcd_url: str | None = None,
) -> None:
    """Run the reference cluster against the wall clock until cancelled (SIGINT/SIGTERM).

    ``data_dir``: keep the store there (a write-ahead log and snapshots), so that a restart on
    the same directory serves every acknowledged write, with resourceVersions continuing.
    ``etcd_url``: keep the store in the etcd there instead (a path in the URL is the key prefix).
    """
    import asyncio
    import signal

    from reference_impl.apiserver.http import HttpApiServer, drive

    store: Store | None = None
    if data_dir is not None:
        try:
            store = DurableStore(data_dir)
        except DataDirError as e:
            raise InvalidArgument(str(e)) from None
        torn = f", a torn last record ({store.torn_bytes_dropped} bytes) dropped" if store.torn_bytes_dropped else ""
        print(f"kconform: data dir {data_dir}: revision {store.revision}, simulated time {store.recovered_time_s:.1f} s, "
              f"{store.records_replayed} log records replayed{torn}", flush=True)
    if etcd_url is not None:
        if store is not None:
            raise InvalidArgument("--data-dir and --store etcd exclude each other: etcd keeps the data")
        store = etcd_store(etcd_url)
    backend = ReferenceBackend(nodes=nodes, seed=seed, store=store)

    def on_fault(body: dict[str, Any]) -> dict[str, Any]:
        fault = F.fault_from_dict(body)  # InvalidArgument is a ValueError: the server answers 400
        backend.inject(fault)
        return {"kind": "Status", "apiVersion": "v1", "status": "Success", "message": f"injected {fault.describe()}"}

    server = HttpApiServer(backend.api, host=host, port=port, on_fault=on_fault)
    await server.start()
    _quiet_gc()
    collector = asyncio.ensure_future(_collect_now_and_then())
    driver = asyncio.ensure_future(drive(backend.cluster.loop, speed=speed, wake=server.work_ready))
    write_kubeconfig(kubeconfig, server.url)
    ready(server.url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        driver.cancel()
        collector.cancel()
        await asyncio.gather(driver, collector, return_exceptions=True)
        await server.stop()
        backend.close()
