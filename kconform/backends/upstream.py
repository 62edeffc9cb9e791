"""The upstream backend: the kube backend on the real control plane, with node faults through KWOK.

The cluster is the one ``kconform upstream up`` runs (:mod:`kconform.upstream.cluster`): real
kube-apiserver, etcd, kube-controller-manager and kube-scheduler, and one kwok agent per node.
Which cluster:

* ``kubeconfig=PATH`` (or ``$KCONFORM_UPSTREAM_KUBECONFIG``): a running ``kconform upstream up``.
  Its kubeconfig carries the ``kconform.io/upstream`` cluster extension (the fault endpoint and
  its token); without it (any other kubeconfig) there are no node faults and the suites that
  need them skip.
* neither: the backend starts a cluster itself, once per process, and stops it at exit (the
  binaries must have been built with ``kconform upstream build``; else BackendUnavailable, so
  the suites skip with that reason).

Faults, carried out by the cluster's process manager (through the fault endpoint):

==========================  ===============================================================
``KillNode``                the node's kwok agent is SIGKILLed: Lease renewals, node status
                            and pod handling stop; the real node lifecycle controller marks
                            the node Unknown, taints it and evicts by tolerationSeconds
``PartitionNode``/``Heal``  the agent is frozen (SIGSTOP) / thawed (SIGCONT)
``RestartNode``             a fresh agent for the node
``AddNode``                 a new Node object and its agent
``Restart*``                SIGTERM and restart kube-apiserver / -controller-manager / -scheduler
``CompactStore``            etcd compaction at its current revision
==========================  ===============================================================

Manifests are stamped with what their containers do (:func:`kconform.upstream.runtime.stamp`)
before they are applied, so kwok's stages play the runtime contract (``docs/runtime-contract.md``).

Leaves out: ``drop-watches`` (kube-apiserver has no such switch; a restart drops them all),
``routes`` (no kube-proxy), simulated time.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
import urllib.error
import urllib.request
from typing import Any

import yaml

from kconform import faults as F
from kconform.backends.base import (
    ADD_NODE,
    COMPACT_STORE,
    KILL_NODE,
    PARTITION_NODE,
    RESTART_CONTROL_PLANE,
    RESTART_NODE,
    Manifest,
)
from kconform.backends.kube import KubeBackend, is_ready, note_undo
from kconform.errors import ApiRejected, BackendUnavailable, InvalidArgument, KconformError

ENV_KUBECONFIG = "KCONFORM_UPSTREAM_KUBECONFIG"
EXTENSION_NAME = "kconform.io/upstream"  # the same string as kconform.upstream.cluster.EXTENSION_NAME
FAULT_CAPABILITIES = frozenset({KILL_NODE, RESTART_NODE, PARTITION_NODE, ADD_NODE, RESTART_CONTROL_PLANE, COMPACT_STORE})
READY_TIMEOUT_S = 120.0


def read_extension(kubeconfig: str, context: str | None = None) -> dict[str, Any] | None:
    """The ``kconform.io/upstream`` extension of the kubeconfig's (current) cluster, or None."""
    try:
        with open(kubeconfig) as f:
            doc = yaml.safe_load(f)
    except (OSError, yaml.YAMLError):
        return None
    if not isinstance(doc, dict):
        return None
    ctx_name = context or doc.get("current-context")
    cluster_name = None
    for ctx in doc.get("contexts") or []:
        if isinstance(ctx, dict) and ctx.get("name") == ctx_name:
            cluster_name = (ctx.get("context") or {}).get("cluster")
    for cl in doc.get("clusters") or []:
        if isinstance(cl, dict) and cl.get("name") == cluster_name:
            for ext in (cl.get("cluster") or {}).get("extensions") or []:
                if isinstance(ext, dict) and ext.get("name") == EXTENSION_NAME and isinstance(ext.get("extension"), dict):
                    return dict(ext["extension"])
    return None


class UpstreamFaultProvider:
    """Faults through the fault endpoint of ``kconform upstream up`` (loopback HTTP, bearer token)."""

    capabilities = FAULT_CAPABILITIES

    def __init__(self, url: str, token: str, *, timeout_s: float = 180.0) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout_s = timeout_s
        self._undo: dict[str, F.Fault] = {}
        self._added: list[str] = []

    def _post(self, fault: F.Fault, *, path: str = "/faults", body: dict[str, Any] | None = None) -> None:
        data = json.dumps(fault.to_dict() if body is None else body).encode()
        req = urllib.request.Request(self.url + path, data=data, method="POST")
        req.add_header("Content-Type", "application/json")
        req.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s):
                return
        except urllib.error.HTTPError as e:
            try:
                message = json.loads(e.read() or b"{}").get("message", "")
            except ValueError:
                message = ""
            if e.code in (400, 409):
                raise InvalidArgument(f"the real control plane refused {fault.describe()}: {message}") from None
            raise KconformError(f"the real control plane failed {fault.describe()}: {e.code} {message}") from None
        except OSError as e:
            raise BackendUnavailable(f"upstream backend: lost the fault endpoint at {self.url}: {e}") from None

    def inject(self, fault: F.Fault) -> None:
        self._post(fault)
        note_undo(self._undo, fault)
        if isinstance(fault, F.AddNode):
            self._added.append(fault.node)

    @property
    def broken(self) -> bool:
        return bool(self._undo or self._added)

    def close(self) -> None:
        """Bring back what this provider broke, so the next example starts from a healthy cluster."""
        for node in sorted(self._undo):
            try:
                self._post(self._undo[node])
            except KconformError:
                pass
        self._undo.clear()
        for node in self._added:  # the cluster is shared: leave it with the nodes it had
            try:
                self._post(F.AddNode(node=node), path="/remove-node", body={"node": node})
            except KconformError:
                pass
        self._added.clear()


# == a cluster of this process's own, when none is given =====================================
_own: dict[str, Any] = {}
_own_lock = threading.Lock()


def _own_cluster() -> str:
    """Start (once per process) a real control plane; the path of its kubeconfig."""
    with _own_lock:
        if "kubeconfig" in _own:
            return str(_own["kubeconfig"])
        from kconform.upstream.cluster import FaultServer, UpstreamCluster, write_private

        cluster = UpstreamCluster().start()
        faults = FaultServer(cluster).start()
        assert cluster.workdir is not None
        path = cluster.workdir / "admin.kubeconfig"
        write_private(path, cluster.kubeconfig(extension=faults.extension()))

        def stop() -> None:
            faults.stop()
            cluster.stop()

        atexit.register(stop)
        _own.update(kubeconfig=str(path), cluster=cluster)
        return str(path)


class UpstreamBackend(KubeBackend):
    """``Cluster`` over the real control plane: :class:`KubeBackend` + :class:`UpstreamFaultProvider`."""

    name = "upstream"

    def __init__(
        self,
        *,
        kubeconfig: str | None = None,
        context: str | None = None,
        ready_timeout_s: float = READY_TIMEOUT_S,
        **kube_options: Any,
    ) -> None:
        kubeconfig = kubeconfig or os.environ.get(ENV_KUBECONFIG) or _own_cluster()
        self.extension = read_extension(kubeconfig, context)
        provider = None
        if self.extension and self.extension.get("faults") and self.extension.get("token"):
            provider = UpstreamFaultProvider(str(self.extension["faults"]), str(self.extension["token"]))
        self.ready_timeout_s = ready_timeout_s
        kube_options.setdefault("poll_interval_s", 0.5)
        super().__init__(
            kubeconfig=kubeconfig, context=context, fault_provider=provider, detect_fault_endpoint=False,
            **kube_options,
        )

    @property
    def node_monitor_grace_period_s(self) -> float:
        """The cluster's grace period, from the timing profile its kubeconfig names (else Kubernetes')."""
        from kconform.timings import TIMINGS

        name = str((self.extension or {}).get("timings") or "default")
        return TIMINGS.get(name, TIMINGS["default"]).node_monitor_grace_period_s

    def apply(self, manifest: Manifest) -> Manifest:
        from kconform.upstream.runtime import stamp

        return super().apply(stamp(manifest))

    def close(self) -> None:
        """Heal what this example broke and wait (bounded) for every node to be Ready again."""
        provider = self.fault_provider
        if not self._closed and isinstance(provider, UpstreamFaultProvider) and provider.broken:
            try:
                provider.close()
                self.wait_until(lambda snap: all(is_ready(n) for n in snap.of("nodes")), timeout_s=self.ready_timeout_s)
            except (KconformError, ApiRejected):
                pass
        super().close()


__all__ = ["ENV_KUBECONFIG", "UpstreamBackend", "UpstreamFaultProvider", "read_extension"]
