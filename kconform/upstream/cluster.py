"""Run the real control plane on loopback: ``kconform upstream up``.

Starts, in order, each waiting on an observed condition (never a fixed sleep):

1. etcd, its data in a fresh temporary folder, until ``/health`` says ``true``;
2. kube-apiserver with TLS (a CA and serving certificate made for this start,
   :mod:`kconform.upstream.pki`), client-certificate authentication, RBAC (``Node,RBAC``),
   service-account signing keys, until ``/readyz`` answers 200 — which includes the RBAC
   bootstrap roles, the priority classes and the ``kubernetes`` Service;
3. kube-controller-manager and kube-scheduler, each with its own kubeconfig and client
   certificate (``system:kube-controller-manager``, ``system:kube-scheduler``), leader
   election off (one replica), until ``/healthz`` answers;
4. the nodes: kconform creates the Node objects, labelled as the reference's nodes are
   (``kubernetes.io/hostname``, ``topology.kubernetes.io/zone`` round robin over
   ``zone-a..c``, ``kubernetes.io/arch``/``os``), with capacity 4 CPU / 8Gi / 110 pods and a
   podCIDR ``10.244.<n>.0/24``; then one ``kwok --manage-single-node`` process *per node*, the
   node's agent: it heartbeats the node's Lease and plays its pods through kwok's stages. One
   process per node is what makes node faults real: killing a node is killing its agent
   (SIGKILL; the real node lifecycle controller then sees the Lease expire, marks the node
   Unknown, taints and evicts), a partition is freezing it (SIGSTOP/SIGCONT), a restart is a
   fresh agent. (kwok's annotation selector cannot do this: it filters client-side, so a node
   that loses the annotation is never released.)
5. until every node is Ready and the ``default`` ServiceAccount exists, then the kubeconfig is
   written (atomically, mode 0600).

Every process is started with ``PR_SET_PDEATHSIG`` = SIGKILL, so nothing outlives kconform
even when it is killed with SIGKILL; :meth:`UpstreamCluster.stop` sends SIGTERM, waits, then
SIGKILL, and removes the temporary folder. A component that dies is reported with the tail of
its log (:class:`ComponentDied`).

Faults are methods (:meth:`kill_node`, :meth:`restart_component`, :meth:`compact`, ...), and
:class:`FaultServer` serves them on a loopback port to other processes (the pytest workers of a
run), with a bearer token; the address and token go into the kubeconfig as a cluster extension
(``kconform.io/upstream``), which :mod:`kconform.backends.upstream` reads.

Leaves out: kubelets, kube-proxy and CoreDNS (kwok stands in for the kubelet; Services get
ClusterIPs and EndpointSlices but nothing forwards packets), the aggregation layer's
front-proxy, cloud controllers, etcd TLS, HA.
"""

from __future__ import annotations

import contextlib
import ctypes
import hmac
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from kconform import faults as F
from kconform.errors import BackendUnavailable, InvalidArgument, KconformError
from kconform.timings import Timings, timings
from kconform.upstream import build
from kconform.upstream.pki import Pki, make_pki
from kconform.upstream.versions import DEFAULT_RELEASE, Release

EXTENSION_NAME = "kconform.io/upstream"
SERVICE_CIDR = "10.96.0.0/12"
SERVICE_IP = "10.96.0.1"
CLUSTER_CIDR = "10.244.0.0/16"
ZONES = ("zone-a", "zone-b", "zone-c")
NODE_CPU, NODE_MEMORY, NODE_PODS, NODE_EPHEMERAL = "4", "8Gi", "110", "100Gi"
KWOK_VERSION = DEFAULT_RELEASE.kwok
STAGES_DIR = Path(__file__).with_name("stages")
START_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 10.0
LOG_TAIL_LINES = 15


class ComponentDied(KconformError):
    """A control-plane process exited on its own; the message carries its log's tail."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    kept = [ln for ln in text.splitlines() if ln.strip()][-lines:]
    return "\n".join(kept) or "(empty log)"


@dataclass
class Process:
    """One running component: its argv, log file and Popen handle."""

    name: str
    argv: list[str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None
    stopped: bool = False  # SIGSTOPped (a partitioned node agent)

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(
                self.argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent,
            )
        self.stopped = False

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def died(self) -> str | None:
        """Why the process is gone (exit status and log tail) when it exited unasked, else None."""
        if self.popen is None or self.popen.poll() is None:
            return None
        return f"{self.name} exited with status {self.popen.returncode}; last lines of {self.log}:\n{log_tail(self.log)}"

    def signal(self, sig: int) -> None:
        if self.alive:
            assert self.popen is not None
            with contextlib.suppress(ProcessLookupError):
                self.popen.send_signal(sig)

    def terminate(self, timeout_s: float = STOP_TIMEOUT_S) -> None:
        if self.popen is None:
            return
        if self.stopped:
            self.signal(signal.SIGCONT)
        self.signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.popen.wait(timeout=timeout_s)
        self.popen = None

    def kill(self) -> None:
        if self.popen is None:
            return
        self.signal(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=STOP_TIMEOUT_S)
        self.popen = None


class Api:
    """Just enough HTTPS to the API server for start-up and node objects (admin credentials)."""

    def __init__(self, server: str, pki: Pki) -> None:
        self.server = server
        ctx = ssl.create_default_context(cafile=str(pki.ca_cert))
        ctx.load_cert_chain(str(pki.client_cert("admin")), str(pki.client_key("admin")))
        self._ctx = ctx

    def request(
        self, method: str, path: str, body: Any = None, *, content_type: str = "application/json", timeout_s: float = 10.0
    ) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.server + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(req, context=self._ctx, timeout=timeout_s) as resp:
                raw = resp.read()
                code = resp.status
        except urllib.error.HTTPError as e:
            raw, code = e.read(), e.code
        except (OSError, urllib.error.URLError):
            return 0, None
        try:
            return code, json.loads(raw) if raw else None
        except ValueError:
            return code, raw.decode(errors="replace")


def kubeconfig_text(
    *, server: str, pki: Pki, user: str, cluster_name: str = "kconform-upstream", extension: dict[str, Any] | None = None
) -> str:
    cluster: dict[str, Any] = {"server": server, "certificate-authority": str(pki.ca_cert)}
    if extension is not None:
        cluster["extensions"] = [{"name": EXTENSION_NAME, "extension": extension}]
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": cluster_name, "cluster": cluster}],
        "users": [{"name": user, "user": {
            "client-certificate": str(pki.client_cert(user)), "client-key": str(pki.client_key(user)),
        }}],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": user}}],
        "current-context": cluster_name,
    }
    return yaml.safe_dump(doc, sort_keys=False)


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, readable by its owner only."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def node_manifest(name: str, index: int) -> dict[str, Any]:
    """A Node as the reference's kubelet registers it, marked for kwok."""
    capacity = {"cpu": NODE_CPU, "memory": NODE_MEMORY, "pods": NODE_PODS, "ephemeral-storage": NODE_EPHEMERAL}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "beta.kubernetes.io/arch": "amd64",
                "beta.kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "topology.kubernetes.io/zone": ZONES[index % len(ZONES)],
                "type": "kwok",
            },
            "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
        },
        "spec": {"podCIDR": _pod_cidr(index), "podCIDRs": [_pod_cidr(index)]},
        "status": {"capacity": capacity, "allocatable": capacity, "nodeInfo": {
            "architecture": "amd64", "operatingSystem": "linux", "osImage": "kwok fake node",
            "kernelVersion": f"kwok-{KWOK_VERSION}", "containerRuntimeVersion": f"kwok-{KWOK_VERSION}",
            "kubeletVersion": f"kwok-{KWOK_VERSION}", "kubeProxyVersion": f"kwok-{KWOK_VERSION}",
            "machineID": name, "systemUUID": name, "bootID": "",
        }},
    }


def _pod_cidr(index: int) -> str:
    return f"10.244.{index + 1}.0/24"


def stages_config(timing: Timings, stages_dir: Path = STAGES_DIR) -> str:
    """kwok's ``--config``: the pod stages kconform ships (the runtime contract) and node stages.

    Node stages are made here, from the timing profile: kwok's own ``node-initialize`` (the
    node's conditions, addresses, nodeInfo) and a status heartbeat every
    ``node_status_update_frequency_s`` (the kubelet posts status that often; the Lease is
    renewed by kwok's lease controller every quarter of ``--node-lease-duration-seconds``).
    """
    docs: list[dict[str, Any]] = []
    if stages_dir.is_dir():
        for path in sorted(stages_dir.glob("*.yaml")):
            for doc in yaml.safe_load_all(path.read_text()):
                if not isinstance(doc, dict):
                    continue
                ref = (doc.get("spec") or {}).get("resourceRef") or {}
                if doc.get("kind") == "Stage" and ref.get("kind") == "Node":
                    continue  # ours below, timed by the profile
                docs.append(doc)
    docs += node_stages(timing)
    return yaml.safe_dump_all(docs, sort_keys=False)


_NODE_CONDITIONS = """
      {{ $now := Now }}
      {{ $lastTransitionTime := or .metadata.creationTimestamp $now }}
      conditions:
      {{ range NodeConditions }}
      - lastHeartbeatTime: {{ $now | Quote }}
        lastTransitionTime: {{ $lastTransitionTime | Quote }}
        message: {{ .message | Quote }}
        reason: {{ .reason | Quote }}
        status: {{ .status | Quote }}
        type: {{ .type | Quote }}
      {{ end }}
"""


def node_stages(timing: Timings) -> list[dict[str, Any]]:
    """``node-initialize`` and ``node-heartbeat`` (kwok's ``kustomize/stage/node``), timed by ``timing``."""
    addresses = """
      addresses:
      {{ with .status.addresses }}
      {{ YAML . 1 }}
      {{ else }}
      {{ with NodeIP }}
      - address: {{ . | Quote }}
        type: InternalIP
      {{ end }}
      {{ with NodeName }}
      - address: {{ . | Quote }}
        type: Hostname
      {{ end }}
      {{ end }}
      {{ with NodePort }}
      daemonEndpoints:
        kubeletEndpoint:
          Port: {{ . }}
      {{ end }}
"""
    init_status = _NODE_CONDITIONS + addresses + """
      allocatable:
      {{ with .status.allocatable }}
      {{ YAML . 1 }}
      {{ else }}
        cpu: 1k
        memory: 1Ti
        pods: 1M
      {{ end }}
      capacity:
      {{ with .status.capacity }}
      {{ YAML . 1 }}
      {{ else }}
        cpu: 1k
        memory: 1Ti
        pods: 1M
      {{ end }}
      {{ with .status.nodeInfo }}
      nodeInfo:
      {{ YAML . 1 }}
      {{ end }}
      phase: Running
"""
    ready = [
        {"key": ".status.conditions.[] | select( .type == \"Ready\" ) | .status", "operator": "In", "values": ["True"]}
    ]
    period_ms = int(timing.node_status_update_frequency_s * 1000)
    return [
        {
            "apiVersion": "kwok.x-k8s.io/v1alpha1",
            "kind": "Stage",
            "metadata": {"name": "node-initialize"},
            "spec": {
                "resourceRef": {"apiGroup": "v1", "kind": "Node"},
                "selector": {"matchExpressions": [
                    {"key": ".status.conditions.[] | select( .type == \"Ready\" ) | .status",
                     "operator": "NotIn", "values": ["True"]},
                ]},
                "delay": {"durationMilliseconds": 0},
                "next": {"statusTemplate": init_status},
            },
        },
        {
            "apiVersion": "kwok.x-k8s.io/v1alpha1",
            "kind": "Stage",
            "metadata": {"name": "node-heartbeat"},
            "spec": {
                "resourceRef": {"apiGroup": "v1", "kind": "Node"},
                "selector": {"matchExpressions": [
                    {"key": ".status.phase", "operator": "In", "values": ["Running"]}, *ready,
                ]},
                "delay": {"durationMilliseconds": period_ms, "jitterDurationMilliseconds": period_ms + period_ms // 10},
                "next": {"statusTemplate": _NODE_CONDITIONS + addresses},
            },
        },
    ]


@dataclass
class UpstreamCluster:
    """etcd + kube-apiserver + kube-controller-manager + kube-scheduler + one kwok per node."""

    nodes: int = 3
    timing: Timings = field(default_factory=lambda: timings("fast"))
    release: Release = DEFAULT_RELEASE
    port: int | None = None
    stages_dir: Path = STAGES_DIR
    on_progress: Callable[[str], None] = lambda line: None
    workdir: Path | None = None
    processes: dict[str, Process] = field(default_factory=dict)
    node_names: list[str] = field(default_factory=list)
    server: str = ""
    started_s: float = 0.0
    _next_index: int = 0
    # Faults run on the fault server's thread while `check` polls from the main one: a process
    # under restart has exited for a moment, and add/remove_node change `processes` — both
    # would otherwise read as a component dying (or break the iteration) and end the cluster.
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    # -- start ---------------------------------------------------------------------------
    def start(self) -> UpstreamCluster:
        if self.nodes < 1:
            raise InvalidArgument(f"--nodes must be at least 1, got {self.nodes}")
        binaries = build.built(self.release)
        if binaries is None:
            raise BackendUnavailable(
                f"the real control plane {self.release.kubernetes} is not built on this machine: "
                f"run `kconform upstream build` first (needs Go; binaries go to {build.bin_dir(self.release)})"
            )
        self.bins = binaries
        self.workdir = Path(tempfile.mkdtemp(prefix="kconform-upstream-"))
        self.started_s = time.monotonic()
        try:
            self._start_all()
        except BaseException:
            self.stop()
            raise
        return self

    def _path(self, *parts: str) -> Path:
        assert self.workdir is not None
        return self.workdir.joinpath(*parts)

    def _spawn(self, name: str, argv: list[str]) -> Process:
        proc = Process(name, argv, self._path("logs", f"{name}.log"))
        proc.start()
        self.processes[name] = proc
        return proc

    def _wait(self, what: str, ready: Callable[[], bool], *, watch: list[str], timeout_s: float = START_TIMEOUT_S) -> None:
        """Poll ``ready`` until it holds; ComponentDied as soon as a watched process exits."""
        deadline = time.monotonic() + timeout_s
        delay = 0.05
        while True:
            for name in watch:
                reason = self.processes[name].died()
                if reason is not None:
                    raise ComponentDied(f"while waiting for {what}: {reason}")
            if ready():
                return
            if time.monotonic() > deadline:
                tails = "\n".join(f"--- {n}:\n{log_tail(self.processes[n].log, 5)}" for n in watch)
                raise ComponentDied(f"{what} did not happen within {timeout_s:.0f} s\n{tails}")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)

    def _step(self, what: str) -> None:
        self.on_progress(f"[{time.monotonic() - self.started_s:5.1f} s] {what}")

    def _start_all(self) -> None:
        self._path("logs").mkdir()
        self.pki = make_pki(self._path("pki"), service_ip=SERVICE_IP)
        etcd_port, peer_port = _free_port(), _free_port()
        self.etcd_url = f"http://127.0.0.1:{etcd_port}"
        self._spawn("etcd", [
            str(self.bins["etcd"]), "--name=node0", f"--data-dir={self._path('etcd')}",
            f"--listen-client-urls={self.etcd_url}", f"--advertise-client-urls={self.etcd_url}",
            f"--listen-peer-urls=http://127.0.0.1:{peer_port}",
            f"--initial-advertise-peer-urls=http://127.0.0.1:{peer_port}",
            f"--initial-cluster=node0=http://127.0.0.1:{peer_port}",
            "--unsafe-no-fsync", "--quota-backend-bytes=8589934592", "--log-level=warn",
        ])
        self._wait("etcd /health", self._etcd_healthy, watch=["etcd"])
        self._step(f"etcd {self.release.etcd} healthy at {self.etcd_url}")

        self.apiserver_port = self.port or _free_port()
        self.server = f"https://127.0.0.1:{self.apiserver_port}"
        self.api = Api(self.server, self.pki)
        self._spawn("kube-apiserver", self._apiserver_argv())
        self._wait("kube-apiserver /readyz", lambda: self.api.request("GET", "/readyz")[0] == 200,
                   watch=["etcd", "kube-apiserver"])
        self._step(f"kube-apiserver {self.release.kubernetes} ready at {self.server}")

        for component in ("kube-controller-manager", "kube-scheduler"):
            kubeconfig = self._path(f"{component}.kubeconfig")
            write_private(kubeconfig, kubeconfig_text(server=self.server, pki=self.pki, user=component))
        self._spawn("kube-controller-manager", self._kcm_argv())
        self._spawn("kube-scheduler", self._scheduler_argv())
        self._wait("kube-controller-manager and kube-scheduler /healthz",
                   lambda: _healthz(self.kcm_port) and _healthz(self.scheduler_port),
                   watch=["kube-controller-manager", "kube-scheduler"])
        self._step("kube-controller-manager and kube-scheduler healthy")

        write_private(self._path("kwok.kubeconfig"), kubeconfig_text(server=self.server, pki=self.pki, user="kwok"))
        self._path("kwok.yaml").write_text(stages_config(self.timing, self.stages_dir))
        for _ in range(self.nodes):
            self.add_node()
        self._wait("every node Ready", self._nodes_ready, watch=[f"kwok-{n}" for n in self.node_names])
        self._wait("the default ServiceAccount", self._default_sa_exists, watch=["kube-controller-manager"])
        self._step(f"{self.nodes} nodes Ready (kwok {self.release.kwok}, one agent per node)")

    def _etcd_healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.etcd_url + "/health", timeout=2) as resp:
                return bool(json.loads(resp.read()).get("health") == "true")
        except (OSError, ValueError):
            return False

    def _apiserver_argv(self) -> list[str]:
        p = self.pki
        t = self.timing
        return [
            str(self.bins["kube-apiserver"]),
            f"--etcd-servers={self.etcd_url}",
            "--bind-address=127.0.0.1", f"--secure-port={self.apiserver_port}", "--advertise-address=127.0.0.1",
            f"--tls-cert-file={p.serving_cert}", f"--tls-private-key-file={p.serving_key}",
            f"--client-ca-file={p.ca_cert}",
            f"--service-account-key-file={p.sa_pub}", f"--service-account-signing-key-file={p.sa_key}",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--authorization-mode=Node,RBAC", "--allow-privileged=true",
            f"--service-cluster-ip-range={SERVICE_CIDR}",
            f"--default-not-ready-toleration-seconds={t.default_toleration_seconds}",
            f"--default-unreachable-toleration-seconds={t.default_toleration_seconds}",
            "--endpoint-reconciler-type=none",  # 127.0.0.1 is not a valid endpoint address
            "--profiling=false", "--v=1",
        ]

    def _kcm_argv(self) -> list[str]:
        self.kcm_port = _free_port()
        kubeconfig = self._path("kube-controller-manager.kubeconfig")
        t = self.timing
        return [
            str(self.bins["kube-controller-manager"]),
            f"--kubeconfig={kubeconfig}", f"--authentication-kubeconfig={kubeconfig}",
            f"--authorization-kubeconfig={kubeconfig}",
            "--bind-address=127.0.0.1", f"--secure-port={self.kcm_port}",
            "--leader-elect=false", "--use-service-account-credentials=true",
            f"--root-ca-file={self.pki.ca_cert}", f"--service-account-private-key-file={self.pki.sa_key}",
            f"--cluster-signing-cert-file={self.pki.ca_cert}", f"--cluster-signing-key-file={self.pki.ca_key}",
            f"--service-cluster-ip-range={SERVICE_CIDR}", f"--cluster-cidr={CLUSTER_CIDR}",
            "--allocate-node-cidrs=false",  # kconform sets each node's podCIDR, matching its kwok --cidr
            f"--node-monitor-period={t.go_duration(t.node_monitor_period_s)}",
            f"--node-monitor-grace-period={t.go_duration(t.node_monitor_grace_period_s)}",
            f"--node-startup-grace-period={t.go_duration(t.node_startup_grace_period_s)}",
            "--kube-api-qps=500", "--kube-api-burst=1000", "--profiling=false", "--v=1",
        ]

    def _scheduler_argv(self) -> list[str]:
        self.scheduler_port = _free_port()
        kubeconfig = self._path("kube-scheduler.kubeconfig")
        return [
            str(self.bins["kube-scheduler"]),
            f"--kubeconfig={kubeconfig}", f"--authentication-kubeconfig={kubeconfig}",
            f"--authorization-kubeconfig={kubeconfig}",
            "--bind-address=127.0.0.1", f"--secure-port={self.scheduler_port}",
            "--leader-elect=false", "--profiling=false", "--v=1",
        ]

    def _kwok_argv(self, node: str, index: int) -> list[str]:
        return [
            str(self.bins["kwok"]),
            f"--kubeconfig={self._path('kwok.kubeconfig')}", f"--config={self._path('kwok.yaml')}",
            f"--manage-single-node={node}", f"--cidr={_pod_cidr(index)}", f"--node-ip=10.0.0.{index + 2}",
            f"--node-lease-duration-seconds={self.timing.node_lease_duration_s}",
            f"--tls-cert-file={self.pki.client_cert('kwok')}", f"--tls-private-key-file={self.pki.client_key('kwok')}",
            "--v=WARN",  # at INFO it logs every Lease renewal
        ]

    def _nodes_ready(self) -> bool:
        code, listed = self.api.request("GET", "/api/v1/nodes")
        if code != 200:
            return False
        ready = {n["metadata"]["name"] for n in listed.get("items") or [] if _node_ready(n)}
        return all(n in ready for n in self.node_names if self.processes[f"kwok-{n}"].alive)

    def _default_sa_exists(self) -> bool:
        return self.api.request("GET", "/api/v1/namespaces/default/serviceaccounts/default")[0] == 200

    # -- nodes -----------------------------------------------------------------------------
    def add_node(self, name: str | None = None) -> str:
        with self._lock:
            return self._add_node(name)

    def _add_node(self, name: str | None) -> str:
        index = self._next_index  # never reused: it names the node's podCIDR and IP
        name = name or f"node-{index + 1}"
        if name in self.node_names:
            raise InvalidArgument(f"node {name!r} already exists")
        code, body = self.api.request("POST", "/api/v1/nodes", node_manifest(name, index))
        if code not in (201, 409):
            raise ComponentDied(f"creating node {name!r} answered {code}: {(body or {}).get('message', body)}")
        self.node_names.append(name)
        self._next_index += 1
        self._spawn(f"kwok-{name}", self._kwok_argv(name, index))
        return name

    def remove_node(self, node: str) -> None:
        """The machine leaves for good: its agent stops and its Node object is deleted."""
        with self._lock:
            self._agent(node).kill()
            del self.processes[f"kwok-{node}"]
            self.node_names.remove(node)
        code, body = self.api.request("DELETE", f"/api/v1/nodes/{node}")
        if code not in (200, 404):
            raise KconformError(f"deleting node {node!r} answered {code}: {(body or {}).get('message', body)}")

    def _agent(self, node: str) -> Process:
        proc = self.processes.get(f"kwok-{node}")
        if proc is None:
            raise InvalidArgument(f"no node named {node!r} (nodes: {', '.join(self.node_names)})")
        return proc

    def kill_node(self, node: str) -> None:
        """The node's agent dies at once: no more Lease renewals, status or pod handling."""
        proc = self._agent(node)
        if not proc.alive:
            raise InvalidArgument(f"node {node!r} is already dead")
        proc.kill()

    def restart_node(self, node: str) -> None:
        """A fresh agent for the node (after a kill, or instead of the running one)."""
        proc = self._agent(node)
        if proc.alive:
            proc.kill()
        proc.start()

    def partition_node(self, node: str) -> None:
        """The node's agent is frozen (SIGSTOP): it neither heartbeats nor handles its pods."""
        proc = self._agent(node)
        if not proc.alive:
            raise InvalidArgument(f"node {node!r} is dead; restart it before partitioning it")
        proc.signal(signal.SIGSTOP)
        proc.stopped = True

    def heal_node(self, node: str) -> None:
        proc = self._agent(node)
        if not proc.alive:
            raise InvalidArgument(f"node {node!r} is dead; heal applies to partitions, use restart")
        proc.signal(signal.SIGCONT)
        proc.stopped = False

    # -- control plane -----------------------------------------------------------------------
    def restart_component(self, name: str) -> None:
        """Stop a control-plane component (SIGTERM) and start it again with the same flags."""
        with self._lock:
            self._restart_component(name)

    def _restart_component(self, name: str) -> None:
        proc = self.processes.get(name)
        if proc is None or name.startswith("kwok-"):
            raise InvalidArgument(f"no control-plane component {name!r}")
        proc.terminate()
        proc.start()
        if name == "kube-apiserver":
            self._wait("kube-apiserver /readyz after its restart",
                       lambda: self.api.request("GET", "/readyz")[0] == 200, watch=[name, "etcd"])
        elif name in ("kube-controller-manager", "kube-scheduler"):
            port = self.kcm_port if name == "kube-controller-manager" else self.scheduler_port
            self._wait(f"{name} /healthz after its restart", lambda: _healthz(port), watch=[name])

    def compact(self) -> int:
        """Compact etcd at its current revision (through etcd's gRPC gateway); the revision."""
        head = _post_json(self.etcd_url + "/v3/kv/range", {"key": "AA=="})  # any key: the header has the revision
        revision = int(head["header"]["revision"])
        _post_json(self.etcd_url + "/v3/kv/compaction", {"revision": revision, "physical": True})
        return revision

    def inject(self, fault: F.Fault) -> None:
        with self._lock:
            self._inject(fault)

    def _inject(self, fault: F.Fault) -> None:
        match fault:
            case F.KillNode(node=n):
                self.kill_node(n)
            case F.RestartNode(node=n):
                self.restart_node(n)
            case F.PartitionNode(node=n):
                self.partition_node(n)
            case F.HealNode(node=n):
                self.heal_node(n)
            case F.AddNode(node=n):
                self.add_node(n)
            case F.RestartApiServer():
                self.restart_component("kube-apiserver")
            case F.RestartControllerManager():
                self.restart_component("kube-controller-manager")
            case F.RestartScheduler():
                self.restart_component("kube-scheduler")
            case F.CompactStore():
                self.compact()
            case _:
                raise InvalidArgument(f"the real control plane cannot carry out {fault.describe()}")

    # -- watching and stopping ------------------------------------------------------------------
    def check(self) -> None:
        """ComponentDied when a process exited that nobody stopped (a killed node agent is fine)."""
        with self._lock:
            for name, proc in self.processes.items():
                if name.startswith("kwok-"):
                    continue
                reason = proc.died()
                if reason is not None:
                    raise ComponentDied(reason)

    def memory_mb(self) -> dict[str, float]:
        """Resident memory of each running component, in MiB (from /proc)."""
        out: dict[str, float] = {}
        with self._lock:
            procs = list(self.processes.items())
        for name, proc in procs:
            if proc.popen is None or not proc.alive:
                continue
            try:
                for line in Path(f"/proc/{proc.popen.pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        out[name] = int(line.split()[1]) / 1024
            except OSError:
                continue
        return out

    def stop(self) -> None:
        """Stop every process (agents first, etcd last) and remove the temporary folder."""
        order = [n for n in self.processes if n.startswith("kwok-")]
        order += [n for n in ("kube-scheduler", "kube-controller-manager", "kube-apiserver", "etcd") if n in self.processes]
        for name in order:
            with contextlib.suppress(Exception):
                self.processes[name].terminate()
        self.processes.clear()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def kubeconfig(self, *, extension: dict[str, Any] | None = None) -> str:
        return kubeconfig_text(server=self.server, pki=self.pki, user="admin", extension=extension)

    @contextlib.contextmanager
    def running(self) -> Iterator[UpstreamCluster]:
        self.start()
        try:
            yield self
        finally:
            self.stop()


_LIFECYCLE_TAINTS = frozenset({"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"})


def _node_ready(node: dict[str, Any]) -> bool:
    """Ready=True *and* the node lifecycle controller has lifted its not-ready/unreachable taints."""
    conditions = (node.get("status") or {}).get("conditions") or []
    if not any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions):
        return False
    return not any(t.get("key") in _LIFECYCLE_TAINTS for t in (node.get("spec") or {}).get("taints") or [])


def _healthz(port: int) -> bool:
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # the component's self-signed serving certificate
    try:
        with urllib.request.urlopen(f"https://127.0.0.1:{port}/healthz", context=ctx, timeout=2) as resp:
            return resp.status == 200
    except (OSError, urllib.error.URLError):
        return False


def _post_json(url: str, body: dict[str, Any]) -> dict[str, Any]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read())  # type: ignore[no-any-return]
    except (OSError, ValueError) as e:
        raise KconformError(f"etcd at {url}: {e}") from None


# == faults for other processes ==================================================================
class FaultServer:
    """``POST /faults`` with a fault's ``to_dict()`` (or ``POST /remove-node`` with ``{"node": N}``)
    and the bearer token; 204, 400, 401 or 409."""

    def __init__(self, cluster: UpstreamCluster) -> None:
        self.cluster = cluster
        self.token = secrets.token_urlsafe(24)
        # One long-lived thread carries out every fault, one at a time: a process started from a
        # request's own thread would die with that thread (PR_SET_PDEATHSIG follows the thread).
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kconform-fault")
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _answer(self, code: int, message: str = "") -> None:
                body = json.dumps({"message": message}).encode() if message else b""
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                auth = self.headers.get("Authorization", "")
                if not hmac.compare_digest(auth, f"Bearer {server.token}"):
                    return self._answer(401, "bad or missing token")
                if self.path not in ("/faults", "/remove-node"):
                    return self._answer(404, f"no such path {self.path!r}")
                try:
                    length = min(int(self.headers.get("Content-Length") or 0), 65536)
                    body = json.loads(self.rfile.read(length) or b"{}")
                    if self.path == "/faults":
                        fault = F.fault_from_dict(body)
                        action: Callable[[], None] = lambda: server.cluster.inject(fault)  # noqa: E731
                    else:  # undoes an AddNode, so that examples sharing the cluster find it as it was
                        node = str(body["node"])
                        action = lambda: server.cluster.remove_node(node)  # noqa: E731
                except (ValueError, TypeError, KeyError, KconformError) as e:
                    return self._answer(400, f"malformed request: {e}")
                try:
                    server._executor.submit(action).result()
                except InvalidArgument as e:
                    return self._answer(409, str(e))
                except KconformError as e:
                    return self._answer(500, str(e))
                return self._answer(204)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="kconform-faults", daemon=True)

    def start(self) -> FaultServer:
        self._thread.start()
        return self

    def extension(self) -> dict[str, Any]:
        """What the kubeconfig carries so that a backend in another process can inject faults."""
        c = self.cluster
        return {
            "faults": self.url, "token": self.token, "nodes": list(c.node_names),
            "kubernetes": c.release.kubernetes, "timings": c.timing.name,
        }

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._executor.shutdown(wait=True)


__all__ = [
    "EXTENSION_NAME",
    "ComponentDied",
    "FaultServer",
    "UpstreamCluster",
    "kubeconfig_text",
    "node_manifest",
    "node_stages",
    "stages_config",
]
