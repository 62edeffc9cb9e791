"""The kind backend: the kube backend on a kind cluster, plus node faults through docker.

kind runs each Kubernetes node as a docker container whose name is the node's name (labels
``io.x-k8s.kind.cluster=<cluster>``, ``io.x-k8s.kind.role=control-plane|worker``). Node faults
act on those containers with the docker CLI:

================  =================================================================
``KillNode``      ``docker kill`` (the machine loses power: no graceful shutdown)
``RestartNode``   ``docker start`` after a kill, ``docker unpause`` + ``docker restart`` otherwise
``PartitionNode`` ``docker pause`` (the node freezes: kubelet and containers stop answering.
                  Unlike the reference's partition the agents do not keep running; what the
                  control plane sees — missed heartbeats — is the same)
``HealNode``      ``docker unpause``
================  =================================================================

Safety rules, because these faults break real machines:

* ``kind`` comes from PATH (or ``kind_bin``); the cluster is ``cluster_name`` (default
  ``kconform``). A cluster is created only when asked (``create=True``), once per process,
  and only a cluster this process created is deleted (at exit, unless ``keep_cluster``), after
  checking ``kind get clusters`` — ``kind delete cluster`` succeeds even for a missing cluster.
* The kubeconfig is private: ``kind get kubeconfig`` written to a 0600 temp file (or the one
  passed in). ``~/.kube/config`` is never written.
* Destructive node faults are allowed only on a kind cluster this run created, or one named
  for the run explicitly (``cluster_name``), or with ``allow_destructive=True``. Otherwise the
  node-fault capabilities are absent and ``inject`` raises :class:`DestructiveFaultRefused`, a
  :class:`~kconform.errors.CapabilityMissing`: the chaos suites are *skipped* with the reason,
  because a refusal protects the environment; it is neither a bug found nor worth failing a run.
* The control-plane node is never a fault target (killing it takes the API server down, and
  the run with it): faults on it are an :class:`~kconform.errors.InvalidArgument`, and
  :meth:`KindBackend.node_names` lists worker nodes only, like the reference's nodes.
* ``close`` restarts killed nodes, unpauses frozen ones and waits (bounded) for every node to
  be Ready, so each example starts from a healthy cluster.

Leaves out: real network partitions (``docker network disconnect`` would change node IPs on
reconnect), adding nodes, control-plane restarts, podman.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Any

from kconform import faults as F
from kconform.backends.base import KILL_NODE, PARTITION_NODE, RESTART_NODE
from kconform.backends.kube import KubeBackend, is_ready
from kconform.errors import BackendUnavailable, CapabilityMissing, InvalidArgument, KconformError

DEFAULT_CLUSTER_NAME = "kconform"
CLUSTER_LABEL = "io.x-k8s.kind.cluster"
ROLE_LABEL = "io.x-k8s.kind.role"
CONTROL_PLANE_NODE_LABEL = "node-role.kubernetes.io/control-plane"
NODE_FAULT_CAPABILITIES = frozenset({KILL_NODE, RESTART_NODE, PARTITION_NODE})
COMMAND_TIMEOUT_S = 120.0


class DestructiveFaultRefused(CapabilityMissing):
    """A node fault on a cluster kconform may not break; suites needing it are skipped."""

    def __init__(self, capability: str, backend: str, reason: str) -> None:
        KconformError.__init__(self, f"backend {backend!r} refuses {capability!r}: {reason}")
        self.capability = capability
        self.backend = backend
        self.reason = reason


def run_command(argv: list[str], *, timeout_s: float = COMMAND_TIMEOUT_S, what: str = "") -> str:
    """Run a CLI; its stdout, or BackendUnavailable with the first line of what went wrong."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s, check=False)
    except FileNotFoundError:
        raise BackendUnavailable(f"{what or argv[0]}: {argv[0]!r} not found") from None
    except subprocess.TimeoutExpired:
        raise BackendUnavailable(f"{what or argv[0]}: `{' '.join(argv)}` timed out after {timeout_s:.0f}s") from None
    if done.returncode != 0:
        lines = [ln for ln in (done.stderr or done.stdout).splitlines() if ln.strip()]
        detail = lines[-1].strip() if lines else f"exit status {done.returncode}"
        raise BackendUnavailable(f"{what or argv[0]}: `{' '.join(argv)}` failed: {detail}")
    return done.stdout


# == node faults through docker ===============================================================
class KindFaultProvider:
    """Node faults on a kind cluster's node containers, through the docker CLI."""

    capabilities = NODE_FAULT_CAPABILITIES

    def __init__(self, cluster_name: str, *, docker_bin: str = "docker") -> None:
        self.cluster_name = cluster_name
        self.docker_bin = docker_bin
        self.killed: set[str] = set()
        self.paused: set[str] = set()

    def _docker(self, *args: str) -> str:
        return run_command([self.docker_bin, *args], what=f"kind cluster {self.cluster_name!r}")

    def containers(self) -> dict[str, str]:
        """Node container name → kind role, for this cluster only (running or not)."""
        out = self._docker(
            "ps", "-a", "--filter", f"label={CLUSTER_LABEL}={self.cluster_name}",
            "--format", f'{{{{.Names}}}}\t{{{{.Label "{ROLE_LABEL}"}}}}',
        )
        found: dict[str, str] = {}
        for line in out.splitlines():
            name, _, role = line.strip().partition("\t")
            if name:
                found[name] = role.strip()
        return found

    def _target(self, node: str) -> str:
        containers = self.containers()
        role = containers.get(node)
        if role is None:
            known = ", ".join(sorted(containers)) or "none"
            raise InvalidArgument(f"no node {node!r} in kind cluster {self.cluster_name!r} (nodes: {known})")
        if role == "control-plane":
            raise InvalidArgument(
                f"node {node!r} is the control plane of kind cluster {self.cluster_name!r}; "
                "kconform does not fault it (the API server would go down with it)"
            )
        return node

    def inject(self, fault: F.Fault) -> None:
        match fault:
            case F.KillNode(node=n):
                self._docker("kill", self._target(n))
                self.paused.discard(n)
                self.killed.add(n)
            case F.RestartNode(node=n):
                target = self._target(n)
                if n in self.killed:
                    self._docker("start", target)
                else:
                    if n in self.paused:
                        self._docker("unpause", target)
                    self._docker("restart", target)
                self.killed.discard(n)
                self.paused.discard(n)
            case F.PartitionNode(node=n):
                target = self._target(n)
                if n in self.killed:
                    raise InvalidArgument(f"node {n!r} is dead; restart it before partitioning it")
                if n not in self.paused:
                    self._docker("pause", target)
                self.paused.add(n)
            case F.HealNode(node=n):
                target = self._target(n)
                if n in self.killed:
                    raise InvalidArgument(f"node {n!r} is dead; heal applies to partitions, use restart")
                if n in self.paused:
                    self._docker("unpause", target)
                self.paused.discard(n)
            case _:
                raise InvalidArgument(f"the kind fault provider cannot carry out {fault.describe()}")

    @property
    def broken(self) -> bool:
        return bool(self.killed or self.paused)

    def close(self) -> None:
        """Bring every node kconform broke back (the next example starts from a healthy cluster)."""
        for n in sorted(self.paused):
            self._docker("unpause", n)
        self.paused.clear()
        for n in sorted(self.killed):
            self._docker("start", n)
        self.killed.clear()


# == clusters, once per process ===================================================================
@dataclass
class KindCluster:
    name: str
    kind_bin: str
    kubeconfig: str
    created: bool
    keep: bool


_clusters: dict[str, KindCluster] = {}
_private_dir: str | None = None


def _private_path(filename: str) -> str:
    global _private_dir
    if _private_dir is None:
        _private_dir = tempfile.mkdtemp(prefix="kconform-kind-")
        atexit.register(shutil.rmtree, _private_dir, True)
    return os.path.join(_private_dir, filename)


def kind_clusters(kind_bin: str) -> list[str]:
    """``kind get clusters`` (empty when there are none)."""
    out = run_command([kind_bin, "get", "clusters"], what="kind")
    return [ln.strip() for ln in out.splitlines() if ln.strip() and not ln.startswith("No kind clusters")]


def resolve_kind(kind_bin: str | None) -> str:
    path = shutil.which(kind_bin or "kind")
    if path is None:
        hint = f"--kind-bin {kind_bin!r} is not an executable" if kind_bin else "no `kind` on PATH"
        raise BackendUnavailable(f"kind backend: {hint}; install kind (https://kind.sigs.k8s.io) or pass --kind-bin")
    return path


def ensure_cluster(
    name: str,
    *,
    kind_bin: str,
    create: bool,
    keep: bool,
    kind_config: str | None = None,
    node_image: str | None = None,
    create_timeout_s: float = 600.0,
) -> KindCluster:
    """The process's handle on kind cluster ``name``: found, or created when ``create``."""
    known = _clusters.get(name)
    if known is not None:
        return known
    existing = kind_clusters(kind_bin)
    if name in existing:
        kubeconfig = _private_path(f"{name}.kubeconfig")
        text = run_command([kind_bin, "get", "kubeconfig", "--name", name], what="kind")
        fd = os.open(kubeconfig, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        cluster = KindCluster(name, kind_bin, kubeconfig, created=False, keep=True)
    elif create:
        kubeconfig = _private_path(f"{name}.kubeconfig")
        argv = [kind_bin, "create", "cluster", "--name", name, "--kubeconfig", kubeconfig, "--wait", "120s"]
        if kind_config:
            argv += ["--config", kind_config]
        if node_image:
            argv += ["--image", node_image]
        run_command(argv, timeout_s=create_timeout_s, what="kind")
        if os.path.exists(kubeconfig):
            os.chmod(kubeconfig, 0o600)
        cluster = KindCluster(name, kind_bin, kubeconfig, created=True, keep=keep)
        if not keep:
            atexit.unregister(delete_created_clusters)  # registered at most once
            atexit.register(delete_created_clusters)
    else:
        listed = ", ".join(existing) or "none"
        raise BackendUnavailable(
            f"kind backend: no kind cluster named {name!r} (kind get clusters: {listed}); "
            f"create one with `kind create cluster --name {name}` or pass create=True"
        )
    _clusters[name] = cluster
    return cluster


def delete_created_clusters() -> list[str]:
    """Delete the kind clusters this process created (and was not told to keep)."""
    deleted: list[str] = []
    for name, cluster in list(_clusters.items()):
        if not cluster.created or cluster.keep:
            continue
        _clusters.pop(name, None)
        try:
            if name in kind_clusters(cluster.kind_bin):
                run_command([cluster.kind_bin, "delete", "cluster", "--name", name], what="kind")
                deleted.append(name)
        except BackendUnavailable:
            pass
    return deleted


# == the backend ===================================================================================
class KindBackend(KubeBackend):
    """``Cluster`` over a kind cluster: :class:`KubeBackend` + :class:`KindFaultProvider`."""

    name = "kind"

    def __init__(
        self,
        *,
        kind_bin: str | None = None,
        cluster_name: str | None = None,
        keep_cluster: bool = False,
        create: bool = False,
        kubeconfig: str | None = None,
        context: str | None = None,
        allow_destructive: bool = False,
        docker_bin: str = "docker",
        kind_config: str | None = None,
        node_image: str | None = None,
        ready_timeout_s: float = 180.0,
        **kube_options: Any,
    ) -> None:
        self.cluster_name = cluster_name or DEFAULT_CLUSTER_NAME
        self.ready_timeout_s = ready_timeout_s
        self.cluster = ensure_cluster(
            self.cluster_name,
            kind_bin=resolve_kind(kind_bin),
            create=create,
            keep=keep_cluster,
            kind_config=kind_config,
            node_image=node_image,
        )
        if self.cluster.created:
            why_allowed: str | None = "created by this run"
        elif cluster_name is not None:
            why_allowed = "named for this run"
        elif allow_destructive:
            why_allowed = "allow_destructive"
        else:
            why_allowed = None
        provider: KindFaultProvider | None = None
        self.refusal: str | None = None
        if why_allowed is None:
            self.refusal = (
                f"kind cluster {self.cluster_name!r} was neither created by this run nor named for it; "
                "pass --cluster-name to name it, or --kconform-allow-destructive"
            )
        elif shutil.which(docker_bin) is None:
            self.refusal = f"node faults need the docker CLI and {docker_bin!r} is not on PATH"
        else:
            provider = KindFaultProvider(self.cluster_name, docker_bin=docker_bin)
        super().__init__(
            kubeconfig=kubeconfig or self.cluster.kubeconfig,
            context=context,
            allow_destructive=allow_destructive,
            fault_provider=provider,
            detect_fault_endpoint=False,
            **kube_options,
        )

    def inject(self, fault: F.Fault) -> None:
        if fault.capability in NODE_FAULT_CAPABILITIES and self.fault_provider is None and self.refusal:
            raise DestructiveFaultRefused(fault.capability, self.name, self.refusal)
        super().inject(fault)

    def node_names(self) -> list[str]:
        """Worker nodes only: the control plane is never a fault target."""
        return sorted(
            str(n["metadata"]["name"])
            for n in self.list("nodes")
            if CONTROL_PLANE_NODE_LABEL not in (n["metadata"].get("labels") or {})
        )

    def close(self) -> None:
        """Heal what this example broke and wait (bounded) for the nodes to be Ready again."""
        provider = self.fault_provider
        if not self._closed and isinstance(provider, KindFaultProvider) and provider.broken:
            try:
                provider.close()
                self.wait_until(
                    lambda snap: all(is_ready(n) for n in snap.of("nodes")), timeout_s=self.ready_timeout_s
                )
            except KconformError:
                pass
        super().close()


__all__ = [
    "DEFAULT_CLUSTER_NAME",
    "DestructiveFaultRefused",
    "KindBackend",
    "KindCluster",
    "KindFaultProvider",
    "delete_created_clusters",
    "ensure_cluster",
    "kind_clusters",
]
