"""The reference kubelet: one per node.

Models ``pkg/kubelet``: node registration (``kubelet_node_status.go``: capacity/allocatable,
labels, addresses, nodeInfo, conditions), the node Lease heartbeat (``nodelease``: renewed every
10 s, 40 s duration, in ``kube-node-lease``), node status posting (on change, at least every
``nodeStatusReportFrequency``), admission (``lifecycle/predicate.go``: OutOfcpu, OutOfmemory,
OutOfpods, then the scheduler's NodePorts check of host ports), the pod workers
(``pod_workers.go``) that pull images, start init containers then containers, restart them per
restartPolicy with CrashLoopBackOff (10 s doubling to 5 min, reset after 10 min of running),
readiness probes, ``activeDeadlineSeconds`` (``active_deadline.go``: startTime + the deadline the
pod has now, also when it was added or lowered later), graceful termination (SIGTERM, then
SIGKILL at the grace deadline, then the final grace-0 delete), and the status manager
(``status/status_manager.go``) that writes pod status, phases and conditions
(PodReadyToStartContainers, Initialized, ContainersReady, Ready, PodScheduled kept as set by
the scheduler), containers not started yet as ``convertToAPIContainerStatuses`` defaults them
(``ContainerCreating``, ``PodInitializing`` in a pod with init containers) and the ends of a
pod's life as ``TerminatePod`` settles them.

The container runtime is simulated (:mod:`reference_impl.kubelet.runtime`). Pod IPs come from
the node's podCIDR. Leaves out: volumes, liveness-probe restarts, sidecar (restartable init)
containers, eviction on node pressure, static pods, cgroups and the image garbage collector.
"""

from __future__ import annotations

import copy
import functools
import ipaddress
from dataclasses import dataclass, field
from typing import Any

from reference_impl.apiserver import ApiError, APIServer
from reference_impl.apiserver.quantity import milli_value, value
from reference_impl.client import Component, Unreachable, unchanged
from reference_impl.config import ClusterConfig
from reference_impl.kubelet.runtime import (
    FOREVER,
    container_env,
    image_pullable,
    interpret,
    pod_hostname,
    probe_succeeds,
)
from reference_impl.sim import EventLoop, SeededRandom, Timer

Obj = dict[str, Any]
KUBELET_VERSION = "v1.32.0"
CRASHLOOP_RESET_S = 600.0  # a container that ran 10 minutes gets its back-off reset
# the waiting reason of a container not started yet (kubelet_pods.go): ContainerCreating, and
# PodInitializing in any pod with init containers (init containers too, all the pod's life)
CONTAINER_CREATING = "ContainerCreating"
POD_INITIALIZING = "PodInitializing"
DEADLINE_EXCEEDED = "DeadlineExceeded"
DEADLINE_MESSAGE = "Pod was active on the node longer than the specified deadline"
NODE_PORTS = "NodePorts"  # the scheduler's plugin name, which the kubelet's predicate reports
NODE_PORTS_MESSAGE = "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports"
UNKNOWN_MESSAGE = "The container could not be located when the pod was terminated"


@dataclass
class ContainerState:
    """One container's life as the runtime sees it."""

    name: str
    image: str
    init: bool = False
    state: str = "waiting"  # waiting | running | terminated
    reason: str = CONTAINER_CREATING
    message: str = ""
    exit_code: int = 0
    started_at: float | None = None
    finished_at: float | None = None
    restart_count: int = 0
    ready: bool = False
    last_terminated: Obj | None = None
    backoff_s: float = 0.0
    pull_backoff_s: float = 0.0
    ignores_sigterm: bool = False
    timers: list[Timer] = field(default_factory=list)
    output: list[str] = field(default_factory=list)

    def cancel_timers(self) -> None:
        for t in self.timers:
            t.cancel()
        self.timers.clear()


@dataclass
class PodWorker:
    """What the kubelet knows and does about one pod."""

    key: str
    uid: str
    pod: Obj
    containers: list[ContainerState]
    init_containers: list[ContainerState]
    ip: str | None = None
    start_time: float | None = None
    phase: str = "Pending"
    reason: str | None = None
    message: str | None = None
    terminating: bool = False
    terminated: bool = False  # every container stopped after a deletion or a terminal phase
    deleted_final: bool = False
    rejected: bool = False
    init_done: bool = False
    sandbox_ready: bool = False
    timers: list[Timer] = field(default_factory=list)
    written_status: Obj | None = None
    seen_containers: list[Obj] | None = None  # the spec's container list last checked for image changes
    status_dirty: bool = False
    requests: tuple[int, int] = (0, 0)  # (cpu milli, memory bytes), parsed once at admission
    host_ports: tuple[tuple[str, str, int], ...] = ()  # (hostIP, protocol, hostPort) it holds
    deadline_s: float | None = None  # startTime + activeDeadlineSeconds, as last armed
    deadline_timer: Timer | None = None

    @property
    def waiting_reason(self) -> str:
        """What a container of this pod shows before it has started."""
        return POD_INITIALIZING if self.init_containers else CONTAINER_CREATING

    def all_containers(self) -> list[ContainerState]:
        return self.init_containers + self.containers


def _live(timers: list[Timer]) -> list[Timer]:
    """The timers still worth cancelling: fired ones are dropped as new ones come (each pod's
    worker and containers would otherwise keep every timer they ever set)."""
    if timers and any(t.done for t in timers):
        return [t for t in timers if not t.done]
    return timers


ANY_IP = "0.0.0.0"


def _host_ports(spec: Obj) -> tuple[tuple[str, str, int], ...]:
    """The (hostIP, protocol, hostPort) a pod holds on its node (``schedutil.GetHostPorts``): its
    containers' ports with a hostPort, and those of restartable init containers (sidecars)."""
    out: list[tuple[str, str, int]] = []
    sidecars = [c for c in spec.get("initContainers") or [] if c.get("restartPolicy") == "Always"]
    for c in [*sidecars, *(spec.get("containers") or [])]:
        for p in c.get("ports") or []:
            port = p.get("hostPort")
            if isinstance(port, int) and port > 0:
                out.append((str(p.get("hostIP") or ANY_IP), str(p.get("protocol") or "TCP"), port))
    return tuple(out)


def _container_request(c: Obj, r: str) -> int:
    """A container's request for ``r`` (cpu in millicores, memory in bytes); 0 when unset.

    (Module-level, not nested in ``_requests``: a compiled nested function is a reference cycle
    with its environment, left for the collector on every call.)
    """
    q = ((c.get("resources") or {}).get("requests") or {}).get(r)
    if q is None:
        return 0
    return milli_value(q) if r == "cpu" else value(q)


class Kubelet(Component):
    """One node's kubelet."""

    def __init__(
        self,
        api: APIServer,
        loop: EventLoop,
        rng: SeededRandom,
        config: ClusterConfig,
        *,
        node_name: str,
        node_index: int,
        zone: str | None = None,
        labels: dict[str, str] | None = None,
        taints: list[Obj] | None = None,
        cpu: str | None = None,
        memory: str | None = None,
        max_pods: int | None = None,
        record_events: bool = True,
        shared: SharedStatus | None = None,
    ) -> None:
        super().__init__(api, loop, rng, config, name=f"kubelet-{node_name}")
        #: the read-only status parts this cluster's kubelets share (one per cluster)
        self.shared = shared if shared is not None else SharedStatus()
        self.node_name = node_name
        self.node_index = node_index
        self.zone = zone
        self.extra_labels = dict(labels or {})
        self.register_taints = list(taints or [])
        self.cpu = cpu or config.node_cpu
        self.memory = memory or config.node_memory
        self.max_pods = max_pods or config.max_pods
        self.record_events = record_events
        # the node IPAM controller's job, done at construction: the index-th /24 of the cluster CIDR
        net = ipaddress.ip_network(config.pod_cidr)
        if net.prefixlen > 24 or node_index >= 2 ** (24 - net.prefixlen):
            raise ValueError(f"cluster CIDR {config.pod_cidr} has no /24 left for node #{node_index + 1}")
        self.pod_cidr = f"{ipaddress.ip_address(int(net.network_address) + node_index * 256)}/24"
        base = ipaddress.ip_network(self.pod_cidr)
        self._ip_base = int(base.network_address)
        self._ip_size = base.num_addresses
        self._ipv4 = base.version == 4
        self._ip_next = 2
        self._ips_used: set[int] = set()
        self.node_ip = f"172.18.{(node_index // 250) % 250}.{node_index % 250 + 3}"
        self._host_ips: list[Obj] = [{"ip": self.node_ip}]  # every pod's status.hostIPs (read-only, shared)
        self.workers: dict[str, PodWorker] = {}
        self._admitting: dict[str, str] = {}  # pods seen but not admitted yet -> their uid
        self.images: set[str] = set()
        self.logs: dict[tuple[str, str, str], list[str]] = {}
        self._node_status_written: Obj | None = None
        self._last_status_post = -1e18
        self._registered = False
        self.recorder_k = self.recorder_for("kubelet")
        self.recorder_k.host = node_name

    # == lifecycle ========================================================================
    def setup(self) -> None:
        self.pods = self.informers.informer("pods", field_selector=f"spec.nodeName={self.node_name}")
        self.pods.add_handler(self._on_pod, lambda _o, n: self._on_pod(n), self._on_pod_deleted)
        self._register()
        self.every(self.config.node_lease_renew_interval_s, self._renew_lease, first_in_s=0.0)
        self.every(self.config.node_status_update_frequency_s, self._sync_node_status)

    def stop(self) -> None:
        for w in self.workers.values():
            self._cancel_all(w)
        super().stop()

    def crash_containers(self) -> None:
        """The machine dies: every container is gone (the API does not know yet)."""
        for w in self.workers.values():
            self._cancel_all(w)
        self.workers.clear()
        self._ips_used.clear()

    # == node registration, lease, status =================================================
    def _node_labels(self) -> dict[str, str]:
        labels = {
            "beta.kubernetes.io/arch": "amd64",
            "beta.kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
            "kubernetes.io/hostname": self.node_name,
            "kubernetes.io/os": "linux",
        }
        if self.zone:
            labels["topology.kubernetes.io/zone"] = self.zone
        labels.update(self.extra_labels)
        return labels

    def _capacity(self) -> Obj:
        return {
            "cpu": self.cpu,
            "ephemeral-storage": self.config.node_ephemeral_storage,
            "memory": self.memory,
            "pods": str(self.max_pods),
        }

    def _node_status(self, heartbeat: str) -> Obj:
        def cond(type_: str, status: str, reason: str, message: str) -> Obj:
            return {
                "type": type_,
                "status": status,
                "lastHeartbeatTime": heartbeat,
                "lastTransitionTime": heartbeat,
                "reason": reason,
                "message": message,
            }

        return {
            "capacity": self._capacity(),
            "allocatable": self._capacity(),
            "conditions": [
                cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                cond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [
                {"type": "InternalIP", "address": self.node_ip},
                {"type": "Hostname", "address": self.node_name},
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": self.rng.uuid(),
                "containerRuntimeVersion": "containerd://1.7.24",
                "kernelVersion": "6.8.0-kconform",
                "kubeProxyVersion": KUBELET_VERSION,
                "kubeletVersion": KUBELET_VERSION,
                "machineID": self.node_name,
                "operatingSystem": "linux",
                "osImage": "kconform reference node",
                "systemUUID": self.node_name,
            },
            "images": [],
        }

    def _register(self) -> None:
        """``registerWithAPIServer``: create the Node, or take over an existing one."""
        now = self.loop.clock.rfc3339()
        try:
            try:
                node = self.client.get("nodes", self.node_name)
            except ApiError as e:
                if e.code != 404:
                    raise
                node = self.client.create(
                    "nodes",
                    {
                        "apiVersion": "v1",
                        "kind": "Node",
                        "metadata": {
                            "name": self.node_name,
                            "labels": self._node_labels(),
                            "annotations": {"node.alpha.kubernetes.io/ttl": "0"},
                        },
                        "spec": {
                            "podCIDR": self.pod_cidr,
                            "podCIDRs": [self.pod_cidr],
                            **({"taints": self.register_taints} if self.register_taints else {}),
                        },
                    },
                )
            status = self._node_status(now)
            old_conds = {c["type"]: c for c in node.get("status", {}).get("conditions") or []}
            for c in status["conditions"]:
                old = old_conds.get(c["type"])
                if old is not None and old.get("status") == c["status"]:
                    c["lastTransitionTime"] = old.get("lastTransitionTime", now)
            if node.get("status", {}).get("nodeInfo"):
                status["nodeInfo"]["bootID"] = self.rng.uuid()  # a restart is a new boot
            self.client.update_status("nodes", {**node, "status": status})  # ``node`` is read-only
            self._node_status_written = status
            self._last_status_post = self.loop.now()
            self._registered = True
            self.api.log_providers[self.node_name] = self.container_log
        except (ApiError, Unreachable):
            self.later(7.0, self._register, background=True)  # the real kubelet retries with back-off

    def _renew_lease(self) -> None:
        now_micro = self.loop.clock.rfc3339_micro()
        try:
            try:
                lease = self.client.get("leases", self.node_name, "kube-node-lease")
                lease = copy.deepcopy(lease)
                lease["spec"]["renewTime"] = now_micro
                lease["spec"]["holderIdentity"] = self.node_name
                self.client.update("leases", lease, "kube-node-lease")
            except ApiError as e:
                if e.code != 404:
                    raise
                node = self.client.get("nodes", self.node_name)
                self.client.create(
                    "leases",
                    {
                        "apiVersion": "coordination.k8s.io/v1",
                        "kind": "Lease",
                        "metadata": {
                            "name": self.node_name,
                            "namespace": "kube-node-lease",
                            "ownerReferences": [
                                {
                                    "apiVersion": "v1",
                                    "kind": "Node",
                                    "name": self.node_name,
                                    "uid": node["metadata"]["uid"],
                                }
                            ],
                        },
                        "spec": {
                            "holderIdentity": self.node_name,
                            "leaseDurationSeconds": self.config.node_lease_duration_s,
                            "renewTime": now_micro,
                        },
                    },
                    "kube-node-lease",
                )
        except (ApiError, Unreachable):
            pass  # retried at the next renew interval

    def _sync_node_status(self) -> None:
        """Post node status when something changed or the report interval passed."""
        if not self._registered:
            return
        now = self.loop.now()
        if now - self._last_status_post < self.config.node_status_report_frequency_s:
            try:
                node = self.client.get("nodes", self.node_name)
            except (ApiError, Unreachable):
                return
            ready = next((c for c in node.get("status", {}).get("conditions") or [] if c["type"] == "Ready"), None)
            if ready is not None and ready.get("status") == "True":
                return
        self._post_node_status()

    def _post_node_status(self) -> None:
        stamp = self.loop.clock.rfc3339()
        try:
            node = copy.deepcopy(self.client.get("nodes", self.node_name))
        except ApiError as e:
            if e.code == 404:  # someone deleted our Node: register again, as the kubelet does
                self._registered = False
                self._register()
            return
        except Unreachable:
            return
        status = node.setdefault("status", {})
        fresh = self._node_status(stamp)
        old_conds = {c["type"]: c for c in status.get("conditions") or []}
        for c in fresh["conditions"]:
            old = old_conds.get(c["type"])
            if old is not None and old.get("status") == c["status"]:
                c["lastTransitionTime"] = old.get("lastTransitionTime", stamp)
        status["conditions"] = fresh["conditions"]
        status["capacity"], status["allocatable"] = fresh["capacity"], fresh["allocatable"]
        status["addresses"] = fresh["addresses"]
        try:
            self.client.update_status("nodes", node)
            self._last_status_post = self.loop.now()
        except (ApiError, Unreachable):
            pass

    # == pods: admission and workers ======================================================
    def _event(self, obj: Obj, type_: str, reason: str, message: str) -> None:
        if self.record_events:
            self.recorder_k.event(obj, type_, reason, message)

    def _on_pod(self, pod: Obj) -> None:
        meta = pod["metadata"]
        key = f"{meta['namespace']}/{meta['name']}"
        w = self.workers.get(key)
        if w is not None and w.uid != meta.get("uid"):
            # same name, new pod: the old one is gone
            self._forget(w)
            w = None
        if w is None:
            if pod.get("status", {}).get("phase") in ("Succeeded", "Failed"):
                if meta.get("deletionTimestamp"):
                    self._final_delete_obj(pod)
                return
            uid = str(meta.get("uid", ""))
            pending = self._admitting.get(key)
            if pending is None:
                # the sync loop picks a new pod up a moment later, not inside the watch event:
                # without that latency, a rejected pod and its replacement would loop forever
                # within one simulated instant
                self._admitting[key] = uid
                self.later(self.config.kubelet_pod_sync_delay_s, self._admit_later, key)
            elif pending != uid:
                # the pod awaiting admission was replaced by a new one of the same name (a
                # StatefulSet recreating its ordinal): the pending admission is this pod's now
                self._admitting[key] = uid
            return
        w.pod = pod
        if w.written_status is not None and _rewritten(pod.get("status") or {}, w.written_status):
            # someone else rewrote what the kubelet owns (e.g. the node controller's
            # MarkPodsNotReady during a partition): re-post, as status_manager's needsReconcile does
            w.written_status = None
            self._mark_dirty(w)
        if meta.get("deletionTimestamp") and not w.terminating:
            self._terminate(w, deleting=True)
        elif meta.get("deletionTimestamp") and w.terminated:
            self._final_delete(w)
        else:
            self._arm_deadline(w)
            self._update_containers_spec(w)

    def _admit_later(self, key: str) -> None:
        uid = self._admitting.pop(key, None)
        pod = self.pods.get(key)
        if pod is None or uid is None or pod["metadata"].get("uid") != uid or key in self.workers:
            return
        if pod.get("status", {}).get("phase") in ("Succeeded", "Failed"):
            return
        if self._admit(key, pod) is not None:
            self._on_pod(pod)

    def _on_pod_deleted(self, pod: Obj) -> None:
        meta = pod["metadata"]
        key = f"{meta['namespace']}/{meta['name']}"
        w = self.workers.get(key)
        if w is not None and w.uid == meta.get("uid"):
            self._forget(w)

    def _forget(self, w: PodWorker) -> None:
        self._cancel_all(w)
        if w.ip:
            self._release_ip(w.ip)
        self.workers.pop(w.key, None)

    def _cancel_all(self, w: PodWorker) -> None:
        for t in w.timers:
            t.cancel()
        w.timers.clear()
        for c in w.all_containers():
            c.cancel_timers()

    def _timer(self, w: PodWorker, delay_s: float, fn: Any, *args: Any) -> Timer:
        t = self.later(delay_s, fn, *args)
        w.timers = _live(w.timers)
        w.timers.append(t)
        return t

    def _ctimer(self, c: ContainerState, delay_s: float, fn: Any, *args: Any) -> None:
        t = self.later(delay_s, fn, *args)
        c.timers = _live(c.timers)
        c.timers.append(t)

    @staticmethod
    def _requests(pod: Obj) -> tuple[int, int]:
        spec = pod.get("spec", {})
        req = _container_request
        cpu = sum(req(c, "cpu") for c in spec.get("containers") or [])
        mem = sum(req(c, "memory") for c in spec.get("containers") or [])
        for c in spec.get("initContainers") or []:
            cpu = max(cpu, req(c, "cpu"))
            mem = max(mem, req(c, "memory"))
        for r, q in (spec.get("overhead") or {}).items():
            if r == "cpu":
                cpu += milli_value(q)
            elif r == "memory":
                mem += value(q)
        return cpu, mem

    def _admit(self, key: str, pod: Obj) -> PodWorker | None:
        """``canAdmitPod``: the node's resources as the kubelet counts them."""
        cpu, mem = self._requests(pod)
        used_cpu = used_mem = 0
        active = 0
        for w in self.workers.values():
            if w.rejected or w.phase in ("Succeeded", "Failed"):
                continue
            w_cpu, w_mem = w.requests
            used_cpu += w_cpu
            used_mem += w_mem
            active += 1
        cap_cpu, cap_mem = milli_value(self.cpu), value(self.memory)
        reason = message = None
        if active + 1 > self.max_pods:
            reason, message = "OutOfpods", f"Node didn't have enough resource: pods, requested: 1, used: {active}, capacity: {self.max_pods}"
        elif cpu and used_cpu + cpu > cap_cpu:
            reason = "OutOfcpu"
            message = f"Node didn't have enough resource: cpu, requested: {cpu}, used: {used_cpu}, capacity: {cap_cpu}"
        elif mem and used_mem + mem > cap_mem:
            reason = "OutOfmemory"
            message = f"Node didn't have enough resource: memory, requested: {mem}, used: {used_mem}, capacity: {cap_mem}"
        spec = pod.get("spec", {})
        wanted = _host_ports(spec)
        if reason is None and wanted and self._ports_conflict(wanted):
            reason, message = NODE_PORTS, NODE_PORTS_MESSAGE
        w = PodWorker(
            key=key,
            uid=pod["metadata"].get("uid", ""),
            pod=pod,
            containers=[ContainerState(c["name"], c.get("image", "")) for c in spec.get("containers") or []],
            init_containers=[
                ContainerState(c["name"], c.get("image", ""), init=True) for c in spec.get("initContainers") or []
            ],
        )
        w.requests = (cpu, mem)
        w.host_ports = wanted
        if w.init_containers:
            for c in w.all_containers():
                c.reason = POD_INITIALIZING
        self.workers[key] = w
        if reason is not None:
            w.rejected = True
            w.phase, w.reason, w.message = "Failed", reason, f"Pod was rejected: {message}"
            w.terminated = True
            for c in w.all_containers():
                c.reason = w.waiting_reason
            self._event(pod, "Warning", reason, message or "")
            self._write_status(w)
            return w
        w.start_time = self.loop.now()
        # sandbox and IP at once, so the first status write already carries the pod IP
        self._create_sandbox(w)
        self._mark_dirty(w)
        self._arm_deadline(w)
        return w

    def _ports_conflict(self, wanted: tuple[tuple[str, str, int], ...]) -> bool:
        """The NodePorts filter (``HostPortInfo.CheckConflict``) against the node's active pods:
        a wanted (ip, protocol, port) clashes with the same protocol and port on the same IP or
        on 0.0.0.0 — and one on 0.0.0.0 with that protocol and port on any IP."""
        used: set[tuple[str, str, int]] = set()
        for w in self.workers.values():
            if not (w.rejected or w.phase in ("Succeeded", "Failed")):
                used.update(w.host_ports)
        for ip, protocol, port in wanted:
            if ip == ANY_IP:
                if any(u[1] == protocol and u[2] == port for u in used):
                    return True
            elif (ANY_IP, protocol, port) in used or (ip, protocol, port) in used:
                return True
        return False

    def _allocate_ip(self) -> str:
        for _ in range(self._ip_size):
            i = self._ip_next
            self._ip_next = i + 1 if i + 1 < self._ip_size - 1 else 2
            if i not in self._ips_used:
                self._ips_used.add(i)
                return _ip_text(self._ip_base + i, self._ipv4)
        raise RuntimeError("pod CIDR exhausted")

    def _release_ip(self, ip: str) -> None:
        self._ips_used.discard(int(ipaddress.ip_address(ip)) - self._ip_base)

    def _create_sandbox(self, w: PodWorker) -> None:
        if w.terminating:
            return
        w.ip = self._allocate_ip()
        w.sandbox_ready = True
        self._mark_dirty(w)
        if w.init_containers:
            self._start_container(w, w.init_containers[0])
        else:
            w.init_done = True
            for c in w.containers:
                self._start_container(w, c)

    def _spec_of(self, w: PodWorker, c: ContainerState) -> Obj:
        key = "initContainers" if c.init else "containers"
        for s in w.pod.get("spec", {}).get(key) or []:
            if s.get("name") == c.name:
                return s  # type: ignore[no-any-return]
        return {}

    def _start_container(self, w: PodWorker, c: ContainerState) -> None:
        """Pull (per pull policy) then create and start the container."""
        if w.terminating:
            return
        spec = self._spec_of(w, c)
        c.image = spec.get("image", c.image)
        policy = spec.get("imagePullPolicy", "IfNotPresent")
        need_pull = policy == "Always" or (policy == "IfNotPresent" and c.image not in self.images)
        if policy == "Never" and c.image not in self.images:
            c.state, c.reason = "waiting", "ErrImageNeverPull"
            c.message = f'Container image "{c.image}" is not present with pull policy of Never'
            self._event(w.pod, "Warning", "ErrImageNeverPull", c.message)
            self._mark_dirty(w)
            return
        if need_pull:
            self._event(w.pod, "Normal", "Pulling", f'Pulling image "{c.image}"')
            self._ctimer(c, self.config.image_pull_s, self._pulled, w, c)
        else:
            self._event(w.pod, "Normal", "Pulled", f'Container image "{c.image}" already present on machine')
            self._ctimer(c, self.config.container_start_s, self._run, w, c)

    def _pulled(self, w: PodWorker, c: ContainerState) -> None:
        if w.terminating:
            return
        if not image_pullable(c.image):
            c.state, c.reason = "waiting", "ErrImagePull"
            ref = c.image if ":" in c.image.rsplit("/", 1)[-1] else f"{c.image}:latest"
            c.message = (
                f'failed to pull and unpack image "{ref}": failed to resolve reference "{ref}": '
                f"failed to do request: dial tcp: lookup {c.image.split('/', 1)[0]}: no such host"
            )
            self._event(w.pod, "Warning", "Failed", f'Failed to pull image "{c.image}": {c.message}')
            self._event(w.pod, "Warning", "Failed", "Error: ErrImagePull")
            self._mark_dirty(w)
            c.pull_backoff_s = (
                self.config.image_pull_backoff_initial_s
                if c.pull_backoff_s == 0
                else min(c.pull_backoff_s * 2, self.config.image_pull_backoff_max_s)
            )
            self._ctimer(c, 1.0, self._image_backoff, w, c)
            return
        self.images.add(c.image)
        took = go_duration(self.config.image_pull_s)
        self._event(
            w.pod,
            "Normal",
            "Pulled",
            f'Successfully pulled image "{c.image}" in {took} ({took} including waiting). '
            "Image size: 1048576 bytes.",
        )
        self._ctimer(c, self.config.container_start_s, self._run, w, c)

    def _image_backoff(self, w: PodWorker, c: ContainerState) -> None:
        if w.terminating:
            return
        c.state, c.reason = "waiting", "ImagePullBackOff"
        c.message = f'Back-off pulling image "{c.image}"'
        self._event(w.pod, "Normal", "BackOff", c.message)
        self._event(w.pod, "Warning", "Failed", "Error: ImagePullBackOff")
        self._mark_dirty(w)
        self._ctimer(c, max(0.0, c.pull_backoff_s - 1.0), self._start_container, w, c)

    def _run(self, w: PodWorker, c: ContainerState) -> None:
        if w.terminating:
            return
        spec = self._spec_of(w, c)
        env = container_env(spec)
        hostname = pod_hostname(w.pod)
        prog = interpret(c.image, spec.get("command"), spec.get("args"), env=env, hostname=hostname)
        now = self.loop.now()
        self._event(w.pod, "Normal", "Created", f"Created container: {c.name}")
        self._event(w.pod, "Normal", "Started", f"Started container {c.name}")
        c.state, c.reason, c.message = "running", "", ""
        c.started_at = now
        c.finished_at = None
        c.ignores_sigterm = prog.ignores_sigterm
        c.ready = False
        logs = self.logs.setdefault((w.key, w.uid, c.name), [])
        logs.extend(prog.output)
        if len(logs) > 1000:
            del logs[:-1000]
        if prog.runs_s != FOREVER:
            self._ctimer(c, prog.runs_s, self._exited, w, c, prog.exit_code)
        if not c.init:
            probe = spec.get("readinessProbe")
            startup = spec.get("startupProbe")
            # the first probe runs after initialDelaySeconds; a passing one makes the container
            # ready at once (startup probe first, then readiness)
            delay = sum(float(p.get("initialDelaySeconds", 0)) for p in (startup, probe) if p)
            if probe_succeeds(probe, env=env, hostname=hostname) and probe_succeeds(startup, env=env, hostname=hostname):
                if delay > 0:
                    self._ctimer(c, delay, self._became_ready, w, c)
                else:
                    c.ready = True
        self._mark_dirty(w)

    def _became_ready(self, w: PodWorker, c: ContainerState) -> None:
        if c.state == "running" and not w.terminating:
            c.ready = True
            self._mark_dirty(w)

    def _exited(self, w: PodWorker, c: ContainerState, code: int) -> None:
        if c.state != "running":
            return
        now = self.loop.now()
        c.state = "terminated"
        c.exit_code = code
        c.reason = "Completed" if code == 0 else "Error"
        c.finished_at = now
        c.ready = False
        if w.terminating:
            self._mark_dirty(w)
            self._check_terminated(w)
            return
        policy = w.pod.get("spec", {}).get("restartPolicy", "Always")
        if c.init:
            if code == 0:
                idx = w.init_containers.index(c)
                if idx + 1 < len(w.init_containers):
                    self._start_container(w, w.init_containers[idx + 1])
                else:
                    w.init_done = True
                    for cc in w.containers:
                        self._start_container(w, cc)
                self._mark_dirty(w)
                return
            if policy == "Never":
                w.phase = "Failed"
                self._finish_pod(w)
                return
            self._restart_later(w, c)
            return
        restart = policy == "Always" or (policy == "OnFailure" and code != 0)
        if restart:
            self._restart_later(w, c)
        else:
            self._mark_dirty(w)
            if all(x.state == "terminated" for x in w.containers):
                failed = any(x.exit_code != 0 for x in w.containers)
                w.phase = "Failed" if failed else "Succeeded"
                self._finish_pod(w)

    def _restart_later(self, w: PodWorker, c: ContainerState) -> None:
        """CrashLoopBackOff: 10 s doubling to 5 min; reset after 10 min of clean running."""
        ran = (c.finished_at or 0) - (c.started_at or 0)
        if ran >= CRASHLOOP_RESET_S:
            c.backoff_s = 0.0
        c.last_terminated = {
            "terminated": {
                "exitCode": c.exit_code,
                "reason": c.reason,
                "startedAt": self.loop.clock.rfc3339(c.started_at or 0),
                "finishedAt": self.loop.clock.rfc3339(c.finished_at or 0),
                "containerID": f"containerd://{w.uid[:8]}{c.name}{c.restart_count}",
            }
        }
        c.backoff_s = (
            self.config.crashloop_backoff_initial_s
            if c.backoff_s == 0
            else min(c.backoff_s * 2, self.config.crashloop_backoff_max_s)
        )
        c.restart_count += 1
        c.state = "waiting"
        c.reason = "CrashLoopBackOff"
        meta = w.pod["metadata"]
        c.message = (
            f"back-off {int(c.backoff_s) if c.backoff_s < 60 else str(int(c.backoff_s // 60)) + 'm' + str(int(c.backoff_s % 60)) + 's'} "
            f"restarting failed container={c.name} pod={meta['name']}_{meta['namespace']}({w.uid})"
        )
        if c.backoff_s < 60:
            c.message = c.message.replace(f"back-off {int(c.backoff_s)} ", f"back-off {int(c.backoff_s)}s ")
        self._event(w.pod, "Warning", "BackOff", "Back-off restarting failed container " + f"{c.name} in pod {meta['name']}_{meta['namespace']}({w.uid})")
        self._mark_dirty(w)
        self._ctimer(c, c.backoff_s, self._start_container, w, c)

    def _arm_deadline(self, w: PodWorker) -> None:
        """``activeDeadlineSeconds`` as the pod has it now (it may be added or lowered on a running
        pod): due at startTime + the deadline, at once when that has passed. Unchanged: nothing."""
        ads = (w.pod.get("spec") or {}).get("activeDeadlineSeconds")
        if w.start_time is None or w.terminating or w.phase in ("Succeeded", "Failed"):
            return
        due = w.start_time + float(ads) if isinstance(ads, (int, float)) and ads > 0 else None
        if due == w.deadline_s:
            return
        if w.deadline_timer is not None:
            w.deadline_timer.cancel()
            w.deadline_timer = None
        w.deadline_s = due
        if ads is not None and due is not None:
            # the deadline less the time already active (at admission: exactly the deadline)
            left = float(ads) - (self.loop.now() - w.start_time)
            w.deadline_timer = self._timer(w, max(0.0, left), self._deadline_exceeded, w)

    def _deadline_exceeded(self, w: PodWorker) -> None:
        if w.terminating or w.phase in ("Succeeded", "Failed"):
            return
        if w.deadline_s is None or self.loop.now() < w.deadline_s - 1e-6:
            return  # the deadline moved (a timer from before the change)
        w.phase, w.reason = "Failed", DEADLINE_EXCEEDED
        w.message = DEADLINE_MESSAGE
        self._event(w.pod, "Normal", DEADLINE_EXCEEDED, w.message)
        self._terminate(w, deleting=False)

    def _finish_pod(self, w: PodWorker) -> None:
        """A pod reached a terminal phase on its own: stop what runs, write the final status.

        Only a failed init container (restartPolicy Never) ends a pod with containers not
        terminated: the ones never started keep waiting, as ``TerminatePod`` leaves them in a
        pod that never initialized (see :meth:`_settle_unstarted`).
        """
        now = self.loop.now()
        for c in w.all_containers():
            c.cancel_timers()
            if c.state == "running":
                c.state, c.reason, c.exit_code, c.finished_at, c.ready = "terminated", "Error", 137, now, False
            elif c.state == "waiting":
                self._settle_unstarted(w, c, now)
        w.terminated = True
        self._mark_dirty(w)

    def _settle_unstarted(self, w: PodWorker, c: ContainerState, now: float) -> None:
        """The end state of a waiting container as ``TerminatePod`` (status_manager.go) settles it.

        One that ran before (waiting to restart) shows its last run's end (the runtime still has
        that container). One that never started is ``ContainerStatusUnknown`` (137) when it is a
        container of a pod that initialized (``hasPodInitialized``) or an init container no later
        than the last one that started (``initializedContainers``: the first one when none did);
        any other keeps waiting with the default reason: the containers of a pod whose init
        containers never completed, and the init containers after the last one that started.
        """
        if c.started_at is not None:
            c.state, c.reason, c.finished_at = "terminated", "Error", now
            return
        if c.init:
            started = [i for i, x in enumerate(w.init_containers) if x.state != "waiting" or x.started_at is not None]
            unknown = w.init_containers.index(c) <= (started[-1] if started else 0)
        else:
            unknown = w.init_done or not w.init_containers
        if unknown:
            c.state, c.reason, c.exit_code, c.finished_at = "terminated", "ContainerStatusUnknown", 137, now
        else:
            c.reason, c.message = w.waiting_reason, ""

    def _update_containers_spec(self, w: PodWorker) -> None:
        """An image change on a running pod restarts that container (``kubectl set image`` on a bare pod)."""
        specs = (w.pod.get("spec") or {}).get("containers") or []
        if specs is w.seen_containers:
            # the very list that matched every container last time (a status write shares the
            # spec with the object before it): nothing to compare
            return
        spec_images = {c["name"]: c.get("image") for c in specs}
        settled = True
        for c in w.containers:
            img = spec_images.get(c.name)
            if not img or img == c.image:
                continue
            if c.state != "running" or w.terminating:
                settled = False  # to look at again once it runs
                continue
            self._event(w.pod, "Normal", "Killing", f"Container {c.name} definition changed, will be restarted")
            c.cancel_timers()
            c.state, c.reason, c.exit_code = "terminated", "Error", 137
            c.finished_at = self.loop.now()
            c.image = img
            self._ctimer(c, 0.0, self._start_container, w, c)
            self._mark_dirty(w)
        w.seen_containers = specs if settled else None

    # == termination ======================================================================
    def _terminate(self, w: PodWorker, *, deleting: bool) -> None:
        """SIGTERM every container, SIGKILL the stragglers at the grace deadline."""
        w.terminating = True
        meta = w.pod["metadata"]
        grace = meta.get("deletionGracePeriodSeconds")
        if grace is None:
            grace = w.pod.get("spec", {}).get("terminationGracePeriodSeconds", 30)
        now = self.loop.now()
        any_running = False
        for c in w.all_containers():
            c.cancel_timers()
            if c.state == "running":
                self._event(w.pod, "Normal", "Killing", f"Stopping container {c.name}")
                if c.ignores_sigterm and grace > 0:
                    any_running = True
                    self._ctimer(c, float(grace), self._killed, w, c)
                else:
                    c.state, c.reason, c.exit_code = "terminated", "Completed", 0
                    c.finished_at = now
                    c.ready = False
            elif c.state == "waiting":
                self._settle_unstarted(w, c, now)
        self._mark_dirty(w)
        if not any_running:
            self._check_terminated(w)

    def _killed(self, w: PodWorker, c: ContainerState) -> None:
        if c.state == "running":
            c.state, c.reason, c.exit_code = "terminated", "Error", 137
            c.finished_at = self.loop.now()
            c.ready = False
            self._mark_dirty(w)
        self._check_terminated(w)

    def _check_terminated(self, w: PodWorker) -> None:
        if any(c.state == "running" for c in w.all_containers()):
            return
        if w.phase not in ("Succeeded", "Failed"):
            failed = any(c.exit_code != 0 for c in w.containers)
            # since 1.27 a deleted pod's final phase says how its containers ended
            w.phase = "Failed" if failed else "Succeeded"
            if not w.containers or not any(c.started_at for c in w.containers):
                w.phase = "Failed"
        w.terminated = True
        self._write_status(w)
        if w.pod["metadata"].get("deletionTimestamp"):
            self._final_delete(w)

    def _final_delete(self, w: PodWorker) -> None:
        if w.deleted_final:
            return
        meta = w.pod["metadata"]
        try:
            self.client.delete(
                "pods",
                meta["name"],
                meta["namespace"],
                grace_period_seconds=0,
                preconditions={"uid": w.uid},
            )
            w.deleted_final = True
        except ApiError as e:
            if e.code in (404, 409):
                w.deleted_final = True
            else:
                self._timer(w, 1.0, self._final_delete, w)
        except Unreachable:
            w.timers.append(self.later(1.0, self._final_delete, w, background=True))

    def _final_delete_obj(self, pod: Obj) -> None:
        meta = pod["metadata"]
        try:
            self.client.delete(
                "pods", meta["name"], meta["namespace"], grace_period_seconds=0, preconditions={"uid": meta.get("uid")}
            )
        except (ApiError, Unreachable):
            pass

    # == status manager ===================================================================
    def _mark_dirty(self, w: PodWorker) -> None:
        if not w.status_dirty:
            w.status_dirty = True
            self._timer(w, 0.0, self._write_status, w)

    def _container_status(self, w: PodWorker, c: ContainerState) -> Obj:
        spec = self._spec_of(w, c)
        cs: Obj = {
            "name": c.name,
            "image": spec.get("image", c.image),
            "imageID": "",
            "ready": c.ready,
            "restartCount": c.restart_count,
            "started": c.state == "running",
            "lastState": c.last_terminated or self.shared.no_last_state,
        }
        if c.state == "running":
            cs["state"] = self.shared.running_state(self.loop.clock.rfc3339(c.started_at or 0))
            cs["imageID"] = image_id(c.image)
            cs["containerID"] = f"containerd://{w.uid[:8]}{c.name}{c.restart_count}"
        elif c.state == "terminated":
            term: Obj = {
                "exitCode": c.exit_code,
                "reason": c.reason,
                "startedAt": self.loop.clock.rfc3339(c.started_at or 0) if c.started_at is not None else None,
                "finishedAt": self.loop.clock.rfc3339(c.finished_at or self.loop.now()),
            }
            if c.reason == "ContainerStatusUnknown":
                term["message"] = UNKNOWN_MESSAGE
            cs["state"] = {"terminated": term}
            if c.started_at is not None:
                cs["containerID"] = f"containerd://{w.uid[:8]}{c.name}{c.restart_count}"
        else:
            waiting: Obj = {"reason": c.reason}
            if c.message:
                waiting["message"] = c.message
            cs["state"] = {"waiting": waiting}
        return cs

    def _compute_status(self, w: PodWorker) -> Obj:
        pod = w.pod
        st = pod.get("status", {})
        now = self.loop.clock.rfc3339()
        old_conds = {c["type"]: c for c in st.get("conditions") or []}
        containers_ready = bool(w.containers) and all(c.ready for c in w.containers) and not w.terminated
        init_ok = w.init_done or not w.init_containers
        phase = w.phase
        if phase not in ("Succeeded", "Failed"):
            if any(c.state == "running" or c.restart_count > 0 for c in w.containers) and w.init_done:
                phase = "Running"
            else:
                phase = "Pending"
            w.phase = phase

        terminal_reason = "PodCompleted" if phase in ("Succeeded", "Failed") else None
        conds: list[Obj] = []
        if not w.rejected:
            sandbox_ok = w.sandbox_ready and not w.terminated
            conds.append(_condition(self.shared, old_conds.get("PodReadyToStartContainers"), now, "PodReadyToStartContainers", sandbox_ok))
            incomplete = None
            if not init_ok:  # the messages only go with a False condition: built only then
                names = " ".join(c.name for c in w.init_containers if c.state != "terminated" or c.exit_code != 0)
                incomplete = f"containers with incomplete status: [{names}]"
            conds.append(
                _condition(self.shared, old_conds.get("Initialized"), now, "Initialized", init_ok, "ContainersNotInitialized", incomplete)
            )
            reason = terminal_reason or "ContainersNotReady"
            unready_msg = None
            if not containers_ready and not terminal_reason:
                unready = " ".join(c.name for c in w.containers if not c.ready)
                unready_msg = f"containers with unready status: [{unready}]"
            conds.append(_condition(self.shared, old_conds.get("Ready"), now, "Ready", containers_ready, reason, unready_msg))
            conds.append(
                _condition(self.shared, old_conds.get("ContainersReady"), now, "ContainersReady", containers_ready, reason, unready_msg)
            )
        if "PodScheduled" not in old_conds:
            # the kubelet reports it for pods bound by nodeName too
            conds.append(_condition(self.shared, None, now, "PodScheduled", True))
        # keep what others own (PodScheduled from the scheduler, DisruptionTarget, ...)
        merged = [c for c in st.get("conditions") or [] if c.get("type") not in _OWNED_CONDITION_SET]
        merged.extend(conds)
        merged.sort(key=_condition_rank)
        status: Obj = {
            "phase": phase,
            "conditions": merged,
            "hostIP": self.node_ip,
            "hostIPs": self._host_ips,
            "qosClass": st.get("qosClass", "BestEffort"),
        }
        if w.start_time is not None:
            status["startTime"] = self.loop.clock.rfc3339(w.start_time)
        if w.ip:
            status["podIP"] = w.ip
            status["podIPs"] = [{"ip": w.ip}]
        if w.reason:
            status["reason"] = w.reason
        if w.message:
            status["message"] = w.message
        if w.init_containers:
            status["initContainerStatuses"] = [self._container_status(w, c) for c in w.init_containers]
        status["containerStatuses"] = [self._container_status(w, c) for c in w.containers]
        if w.rejected:
            status.pop("containerStatuses", None)
            status.pop("initContainerStatuses", None)
        return status

    def _write_status(self, w: PodWorker) -> None:
        w.status_dirty = False
        if w.key not in self.workers or self.workers[w.key] is not w:
            return
        status = self._compute_status(w)
        if status == w.written_status:
            return
        meta = w.pod["metadata"]
        try:
            out = self.client.patch(
                "pods",
                meta["name"],
                {"metadata": {"uid": w.uid}, "status": status},
                "merge",
                meta["namespace"],
                subresource="status",
            )
            w.written_status = status
            w.pod = out
        except ApiError as e:
            if e.code == 404:
                self._forget(w)
            else:
                self._timer(w, 1.0, self._write_status, w)
        except Unreachable:
            w.timers.append(self.later(10.0, self._write_status, w, background=True))

    # == logs =============================================================================
    def container_log(self, namespace: str, name: str, container: str | None) -> str:
        key = f"{namespace}/{name}"
        w = self.workers.get(key)
        if w is None:
            return ""
        lines = self.logs.get((key, w.uid, container or ""), [])
        return "".join(line + "\n" for line in lines)


_OWNED_CONDITIONS = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady")
_OWNED_CONDITION_SET = frozenset(_OWNED_CONDITIONS)
_CONDITION_ORDER = {"PodReadyToStartContainers": 0, "Initialized": 1, "Ready": 2, "ContainersReady": 3, "PodScheduled": 4}


def _condition_rank(c: Obj) -> int:
    return _CONDITION_ORDER.get(c.get("type", ""), 9)


def _condition(
    shared: SharedStatus, old: Obj | None, now: str, type_: str, ok: bool, reason: str | None = None,
    message: str | None = None,
) -> Obj:
    """One pod condition the kubelet owns; its transition time moves only when its status does."""
    status = "True" if ok else "False"
    since = old.get("lastTransitionTime", now) if old is not None and old.get("status") == status else now
    reason = reason if not ok and reason else None
    message = message if not ok and message else None
    if isinstance(since, str):
        return shared.condition(type_, status, since, reason, message)
    return _new_condition(type_, status, since, reason, message)


class SharedStatus:
    """The read-only parts of pod statuses that a cluster's kubelets share, one per cluster.

    Equal conditions are one object (pods started in the same instant by any kubelet report
    the same ones), as are running states per start time and the empty lastState: the stored
    objects and the kubelets' last written statuses share them instead of holding a copy per
    pod (150,000 pods at scale). Per cluster, not per process, so that one test example's
    objects can never reach the next.
    """

    __slots__ = ("_conditions", "_running", "no_last_state")

    MAX_ENTRIES = 4096

    def __init__(self) -> None:
        self._conditions: dict[tuple[str, str, str, str | None, str | None], Obj] = {}
        self._running: dict[str, Obj] = {}
        #: what a container with no previous termination reports as lastState
        self.no_last_state: Obj = {}

    def condition(self, type_: str, status: str, since: str, reason: str | None, message: str | None) -> Obj:
        key = (type_, status, since, reason, message)
        out = self._conditions.get(key)
        if out is None:
            if len(self._conditions) >= self.MAX_ENTRIES:
                self._conditions.clear()
            out = self._conditions[key] = _new_condition(type_, status, since, reason, message)
        return out

    def running_state(self, started_at: str) -> Obj:
        out = self._running.get(started_at)
        if out is None:
            if len(self._running) >= self.MAX_ENTRIES:
                self._running.clear()
            out = self._running[started_at] = {"running": {"startedAt": started_at}}
        return out


def _new_condition(type_: str, status: str, since: Any, reason: str | None, message: str | None) -> Obj:
    out: Obj = {"type": type_, "status": status, "lastProbeTime": None, "lastTransitionTime": since}
    if reason:
        out["reason"] = reason
    if message:
        out["message"] = message
    return out


def _owned_view(status: Obj) -> tuple[object, ...]:
    """The parts of a pod status only the kubelet writes: phase and its conditions' states."""
    conds = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
    return (status.get("phase"), *(conds.get(t) for t in _OWNED_CONDITIONS))


def _rewritten(status: Obj, written: Obj) -> bool:
    """Whether someone else changed what the kubelet owns in the status it wrote last."""
    if unchanged(status, written, "conditions") and status.get("phase") == written.get("phase"):
        return False  # the very conditions it wrote (the write came back through the watch)
    return _owned_view(status) != _owned_view(written)


def go_duration(seconds: float) -> str:
    """Go's ``time.Duration.String()`` for a duration truncated to milliseconds (``1s``, ``1.5s``, ``500ms``, ``1m0s``)."""
    ms = round(seconds * 1000)
    if ms == 0:
        return "0s"
    if ms < 1000:
        return f"{ms}ms"
    h, rem = divmod(ms, 3_600_000)
    m, rem = divmod(rem, 60_000)
    s = rem / 1000
    sec = f"{s:.3f}".rstrip("0").rstrip(".") + "s"
    if h:
        return f"{h}h{m}m{sec}"
    if m:
        return f"{m}m{sec}"
    return sec


def _ip_text(n: int, v4: bool) -> str:
    """An address as text; IPv4 formatted directly (the ipaddress module is interpreted even
    in the compiled build, and every pod sandbox asks)."""
    if v4:
        return f"{n >> 24}.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
    return str(ipaddress.ip_address(n))


@functools.lru_cache(maxsize=1024)
def image_id(image: str) -> str:
    """The imageID a running container reports: a stable fake digest of the image name."""
    return f"sha256:{abs(hash_str(image)):064x}"[:71]


def hash_str(s: str) -> int:
    """FNV-1a 64: a stable stand-in for an image digest (Python's hash() is per-process)."""
    h = 0xCBF29CE484222325
    for b in s.encode():
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h
