"""The scheduler's view of pods and nodes: precomputed once, read many times.

Models ``pkg/scheduler/framework/types.go`` (``PodInfo``, ``NodeInfo``, ``AffinityTerm``,
``Resource``), ``pkg/api/v1/resource`` (``PodRequests`` with the init-container max rule,
sidecars and overhead), ``component-helpers/scheduling/corev1`` (toleration and node-selector
matching) and ``framework/interface.go`` (``Status`` and its codes).

A :class:`PodInfo` is parsed from the API object once per informer event and carries every
number a plugin needs as a plain int, so that filtering and scoring thousands of nodes per pod
is arithmetic on attributes rather than dict walks and quantity parsing. A :class:`NodeInfo`
keeps running sums (requests, non-zero requests, pod count, host ports) updated incrementally
by the cache. Neither ever holds a mutated copy of an informer object.

Left out: pod-level resources, in-place resize status resources, extended-resource ignore
lists, image states, volumes and PVC reference counts, DRA.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar

from reference_impl.apiserver.quantity import QuantityError, milli_value, value
from reference_impl.apiserver.selectors import LabelSelector, SelectorError, label_selector_from_dict

Obj = dict[str, Any]
_EMPTY: Mapping[str, Any] = MappingProxyType({})  # what PodInfo holds for an absent mapping (read-only)

# -- framework.Code -------------------------------------------------------------------------
SUCCESS = 0
ERROR = 1
UNSCHEDULABLE = 2
UNSCHEDULABLE_AND_UNRESOLVABLE = 3

MAX_NODE_SCORE = 100
# pkg/scheduler/util/pod_resources.go: what a container without a request counts for in scoring.
DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024

LABEL_HOSTNAME = "kubernetes.io/hostname"
LABEL_ZONE = "topology.kubernetes.io/zone"
LABEL_REGION = "topology.kubernetes.io/region"
TAINT_NODE_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"


class Status:
    """A plugin's verdict on one node: a code and the user-visible reasons (``framework.Status``)."""

    __slots__ = ("code", "plugin", "reasons")

    def __init__(self, code: int, *reasons: str, plugin: str = "") -> None:
        self.code = code
        self.reasons = reasons
        self.plugin = plugin

    def __repr__(self) -> str:
        return f"Status({self.code}, {self.reasons!r}, plugin={self.plugin!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Status) and (self.code, self.reasons) == (other.code, other.reasons)

    def __hash__(self) -> int:
        return hash((self.code, self.reasons))

    @property
    def message(self) -> str:
        return ", ".join(self.reasons)


# -- quantities -----------------------------------------------------------------------------
def _amount(name: str, q: Any) -> int:
    try:
        return milli_value(q) if name == "cpu" else value(q)
    except (QuantityError, TypeError):
        return 0


def _resources(rl: Mapping[str, Any] | None) -> dict[str, int]:
    return {str(k): _amount(str(k), v) for k, v in (rl or {}).items()}


def _add(into: dict[str, int], rl: Mapping[str, int]) -> None:
    for k, v in rl.items():
        into[k] = into.get(k, 0) + v


def _max(into: dict[str, int], rl: Mapping[str, int]) -> None:
    for k, v in rl.items():
        if v > into.get(k, 0):
            into[k] = v


def _container_reqs(c: Mapping[str, Any], non_missing: Mapping[str, int] | None) -> dict[str, int]:
    # (module-level, not nested in pod_requests: a compiled nested function is a reference
    # cycle with its environment, left for the collector on every call)
    reqs = _resources((c.get("resources") or {}).get("requests"))
    if non_missing:
        for k, v in non_missing.items():
            reqs.setdefault(k, v)
    return reqs


def pod_requests(spec: Mapping[str, Any], non_missing: Mapping[str, int] | None = None) -> dict[str, int]:
    """``resourcehelper.PodRequests``: cpu in millicores, everything else in units.

    Regular containers add up; an init container counts as its own request plus the sidecars
    (``restartPolicy: Always`` init containers) started before it, and the pod needs the max of
    that and the sum; sidecars also add to the sum. Overhead is added last. ``non_missing``
    fills a container's *missing* request (the scoring defaults 100m / 200Mi).
    """
    total: dict[str, int] = {}
    for c in spec.get("containers") or []:
        _add(total, _container_reqs(c, non_missing))
    restartable: dict[str, int] = {}
    init_max: dict[str, int] = {}
    for c in spec.get("initContainers") or []:
        reqs = _container_reqs(c, non_missing)
        if c.get("restartPolicy") == "Always":
            _add(total, reqs)
            _add(restartable, reqs)
            reqs = dict(restartable)
        else:
            _add(reqs, restartable)
        _max(init_max, reqs)
    _max(total, init_max)
    overhead = spec.get("overhead")
    if overhead:
        _add(total, _resources(overhead))
    return total


# -- tolerations and node selectors ---------------------------------------------------------




def _int_or_none(s: Any) -> int | None:
    try:
        return int(str(s))
    except ValueError:
        return None


def _requirement_matches(req: Mapping[str, Any], get: Callable[[str], str | None]) -> bool:
    key = str(req.get("key", ""))
    op = req.get("operator")
    values = [str(v) for v in req.get("values") or []]
    have = get(key)
    if op == "In":
        return have is not None and have in values
    if op == "NotIn":
        return have is None or have not in values
    if op == "Exists":
        return have is not None
    if op == "DoesNotExist":
        return have is None
    if op in ("Gt", "Lt"):
        if have is None or len(values) != 1:
            return False
        a, b = _int_or_none(have), _int_or_none(values[0])
        if a is None or b is None:
            return False
        return a > b if op == "Gt" else a < b
    return False


def node_selector_term_matches(term: Mapping[str, Any], labels: Mapping[str, str], name: str) -> bool:
    """One NodeSelectorTerm: expressions and fields ANDed; an empty term matches nothing."""
    exprs = term.get("matchExpressions") or []
    fields = term.get("matchFields") or []
    if not exprs and not fields:
        return False
    for r in exprs:
        if not _requirement_matches(r, labels.get):
            return False
    for r in fields:
        if r.get("key") != "metadata.name" or r.get("operator") not in ("In", "NotIn"):
            return False
        if not _requirement_matches(r, lambda _k: name):
            return False
    return True


class AffinityTerm:
    """``framework.AffinityTerm``: which pods a (anti-)affinity term selects, and where."""

    __slots__ = ("namespaces", "ns_selector", "selector", "topology_key", "weight")

    def __init__(self, term: Mapping[str, Any], pod_namespace: str, weight: int = 0) -> None:
        self.selector: LabelSelector = label_selector_from_dict(term.get("labelSelector"))
        namespaces = [str(n) for n in term.get("namespaces") or []]
        ns_sel = term.get("namespaceSelector")
        if not namespaces and ns_sel is None:
            namespaces = [pod_namespace]
        self.namespaces = frozenset(namespaces)
        self.ns_selector: LabelSelector | None = None if ns_sel is None else label_selector_from_dict(ns_sel)
        self.topology_key = str(term.get("topologyKey", ""))
        self.weight = weight

    def matches(self, pod: PodInfo, ns_labels: Callable[[str], Mapping[str, str]]) -> bool:
        if pod.namespace in self.namespaces or (
            self.ns_selector is not None and self.ns_selector.matches(ns_labels(pod.namespace))
        ):
            return self.selector.matches(pod.labels)
        return False


def _terms(raw: list[Any] | None, ns: str, *, weighted: bool) -> tuple[AffinityTerm, ...]:
    if not raw:
        return ()
    out: list[AffinityTerm] = []
    for t in raw:
        try:
            if weighted:
                out.append(AffinityTerm(t.get("podAffinityTerm") or {}, ns, int(t.get("weight", 0))))
            else:
                out.append(AffinityTerm(t, ns))
        except (SelectorError, ValueError):
            continue  # the API server does not validate everything; a bad term selects nothing
    return tuple(out)


class SpreadConstraint:
    """A parsed ``topologySpreadConstraints`` item (``framework/plugins/podtopologyspread/common.go``)."""

    __slots__ = ("honor_affinity", "honor_taints", "max_skew", "min_domains", "selector", "topology_key", "when")

    def __init__(self, c: Mapping[str, Any], pod_labels: Mapping[str, str]) -> None:
        self.max_skew = int(c.get("maxSkew", 1))
        self.topology_key = str(c.get("topologyKey", ""))
        self.when = str(c.get("whenUnsatisfiable", "DoNotSchedule"))
        self.min_domains = int(c.get("minDomains") or 1)
        self.honor_affinity = (c.get("nodeAffinityPolicy") or "Honor") == "Honor"
        self.honor_taints = (c.get("nodeTaintsPolicy") or "Ignore") == "Honor"
        sel = dict(c.get("labelSelector") or {})
        keys = [k for k in c.get("matchLabelKeys") or [] if k in pod_labels]
        if keys:
            exprs = list(sel.get("matchExpressions") or [])
            exprs += [{"key": k, "operator": "In", "values": [pod_labels[k]]} for k in keys]
            sel["matchExpressions"] = exprs
        self.selector = label_selector_from_dict(sel if c.get("labelSelector") is not None or keys else None)


def _spread(raw: list[Any] | None, pod_labels: Mapping[str, str]) -> tuple[SpreadConstraint, ...]:
    if not raw:
        return ()
    out: list[SpreadConstraint] = []
    for c in raw:
        try:
            out.append(SpreadConstraint(c, pod_labels))
        except (SelectorError, ValueError):
            continue
    return tuple(out)


class PodInfo:
    """One pod, parsed for scheduling. ``obj`` is the informer's object: never mutate it."""

    __slots__ = (
        "creation",
        "has_affinity",
        "host_ports",
        "key",
        "labels",
        "name",
        "namespace",
        "node_name",
        "node_selector",
        "nz_cpu",
        "nz_mem",
        "obj",
        "preemption_policy",
        "preferred_affinity",
        "preferred_anti_affinity",
        "preferred_node_terms",
        "priority",
        "req_cpu",
        "req_mem",
        "req_other",
        "required_affinity",
        "required_anti_affinity",
        "required_node_terms",
        "scheduler_name",
        "spread",
        "terminating",
        "tolerations",
        "uid",
    )

    def __init__(self, obj: Obj) -> None:
        meta = obj.get("metadata") or {}
        spec = obj.get("spec") or {}
        self.obj = obj
        self.name = str(meta.get("name", ""))
        self.namespace = str(meta.get("namespace", ""))
        self.key = f"{self.namespace}/{self.name}"
        self.uid = str(meta.get("uid", ""))
        # parts of the informer's read-only object are shared, not copied, and an absent list is
        # the one empty tuple: 150,000 pods each kept about 0.8 KB of copies and empty lists
        self.labels: Mapping[str, str] = meta.get("labels") or _EMPTY
        self.creation = str(meta.get("creationTimestamp", ""))
        self.terminating = bool(meta.get("deletionTimestamp"))
        self.node_name = str(spec.get("nodeName") or "")
        self.scheduler_name = str(spec.get("schedulerName") or "default-scheduler")
        self.priority = int(spec.get("priority") or 0)
        self.preemption_policy = str(spec.get("preemptionPolicy") or "PreemptLowerPriority")
        req = pod_requests(spec)
        self.req_cpu = req.pop("cpu", 0)
        self.req_mem = req.pop("memory", 0)
        self.req_other: Mapping[str, int] = {k: v for k, v in sorted(req.items()) if v} if req else _EMPTY
        nz = pod_requests(spec, {"cpu": DEFAULT_MILLI_CPU_REQUEST, "memory": DEFAULT_MEMORY_REQUEST})
        self.nz_cpu = nz.get("cpu", 0)
        self.nz_mem = nz.get("memory", 0)
        self.host_ports: tuple[tuple[str, str, int], ...] = tuple(
            (str(p.get("hostIP") or "0.0.0.0"), str(p.get("protocol") or "TCP"), int(p["hostPort"]))
            for c in spec.get("containers") or ()
            for p in c.get("ports") or ()
            if int(p.get("hostPort") or 0) > 0
        )
        self.tolerations: Sequence[Obj] = spec.get("tolerations") or ()
        selector = spec.get("nodeSelector")
        self.node_selector: Mapping[str, str] = (
            {str(k): str(v) for k, v in selector.items()} if selector else _EMPTY
        )
        aff = spec.get("affinity") or {}
        node_aff = aff.get("nodeAffinity") or {}
        required = node_aff.get("requiredDuringSchedulingIgnoredDuringExecution")
        self.required_node_terms: list[Obj] | None = (
            None if required is None else list(required.get("nodeSelectorTerms") or [])
        )
        self.preferred_node_terms: tuple[tuple[int, Obj], ...] = tuple(
            (int(t.get("weight", 0)), t.get("preference") or {})
            for t in node_aff.get("preferredDuringSchedulingIgnoredDuringExecution") or ()
            if int(t.get("weight", 0)) != 0
            and ((t.get("preference") or {}).get("matchExpressions") or (t.get("preference") or {}).get("matchFields"))
        )
        pa = aff.get("podAffinity") or {}
        paa = aff.get("podAntiAffinity") or {}
        ns = self.namespace
        self.required_affinity = _terms(pa.get("requiredDuringSchedulingIgnoredDuringExecution"), ns, weighted=False)
        self.required_anti_affinity = _terms(
            paa.get("requiredDuringSchedulingIgnoredDuringExecution"), ns, weighted=False
        )
        self.preferred_affinity = _terms(pa.get("preferredDuringSchedulingIgnoredDuringExecution"), ns, weighted=True)
        self.preferred_anti_affinity = _terms(
            paa.get("preferredDuringSchedulingIgnoredDuringExecution"), ns, weighted=True
        )
        self.has_affinity = bool(pa or paa)
        self.spread: tuple[SpreadConstraint, ...] = _spread(spec.get("topologySpreadConstraints"), self.labels)

    def matches_node_selector_and_affinity(self, labels: Mapping[str, str], name: str) -> bool:
        """``RequiredNodeAffinity.Match``: nodeSelector AND any required term."""
        for k, v in self.node_selector.items():
            if labels.get(k) != v:
                return False
        terms = self.required_node_terms
        if terms is None:
            return True
        return any(node_selector_term_matches(t, labels, name) for t in terms)


class ChangeLog:
    """Every ``NodeInfo`` change, in order; consumers keep an absolute cursor into it."""

    __slots__ = ("base", "entries")

    LIMIT: ClassVar[int] = 8192  # entries kept before the log is cut (consumers behind a cut rebuild)

    def __init__(self) -> None:
        self.entries: list[NodeInfo] = []
        self.base = 0  # absolute number of the first entry

    @property
    def end(self) -> int:
        return self.base + len(self.entries)

    def since(self, cursor: int) -> list[NodeInfo] | None:
        """The entries from ``cursor`` on; None when some of them were cut."""
        if cursor < self.base:
            return None
        return self.entries[cursor - self.base :]

    def record(self, node: NodeInfo) -> None:
        """Log a change of ``node``; past ``LIMIT`` entries the log is cut first (bounded)."""
        entries = self.entries
        if len(entries) >= self.LIMIT:
            self.base += len(entries)
            entries.clear()
        entries.append(node)


class NodeInfo:
    """One node plus the running sums of the pods assigned (or assumed) to it."""

    __slots__ = (
        "alloc_cpu",
        "alloc_mem",
        "alloc_other",
        "alloc_pods",
        "free_cpu",
        "free_mem",
        "free_pods",
        "generation",
        "hard_taints",
        "labels",
        "log",
        "memo_key",
        "memo_total",
        "name",
        "node",
        "nz_cpu",
        "nz_mem",
        "pods",
        "pods_with_affinity",
        "pods_with_required_anti_affinity",
        "prefer_taints",
        "req_cpu",
        "req_mem",
        "req_other",
        "taints",
        "unschedulable",
        "used_ports",
    )

    def __init__(self, name: str) -> None:
        self.name = name
        self.node: Obj | None = None
        self.labels: dict[str, str] = {}
        self.taints: list[Obj] = []
        self.hard_taints: list[Obj] = []  # NoSchedule and NoExecute, what the filter looks at
        self.prefer_taints: list[Obj] = []  # PreferNoSchedule, what the score looks at
        self.unschedulable = False
        self.alloc_cpu = self.alloc_mem = self.alloc_pods = 0
        self.alloc_other: dict[str, int] = {}
        self.req_cpu = self.req_mem = self.nz_cpu = self.nz_mem = 0
        self.req_other: dict[str, int] = {}
        self.pods: dict[str, PodInfo] = {}
        self.used_ports: dict[tuple[str, str, int], int] = {}
        self.pods_with_affinity = 0
        self.pods_with_required_anti_affinity = 0
        self.generation = 0
        # what is left, kept current so the resource filter is three comparisons per node
        self.free_cpu = self.free_mem = self.free_pods = 0
        # the framework's memo of the node-local scores for the last pod shape it scored here;
        # dropped whenever the node or its pods change
        self.memo_key: str | None = None
        self.memo_total = 0
        # the cache's change log (its own NodeInfos; not preemption's what-if clones)
        self.log: ChangeLog | None = None

    def set_node(self, node: Obj) -> None:
        meta = node.get("metadata") or {}
        spec = node.get("spec") or {}
        alloc = (node.get("status") or {}).get("allocatable") or {}
        self.node = node
        self.labels = dict(meta.get("labels") or {})
        self.taints = list(spec.get("taints") or [])
        self.hard_taints = [t for t in self.taints if t.get("effect") in ("NoSchedule", "NoExecute")]
        self.prefer_taints = [t for t in self.taints if t.get("effect") == "PreferNoSchedule"]
        self.unschedulable = bool(spec.get("unschedulable"))
        res = _resources(alloc)
        self.alloc_cpu = res.pop("cpu", 0)
        self.alloc_mem = res.pop("memory", 0)
        self.alloc_pods = res.pop("pods", 0)
        self.alloc_other = res
        self._changed()

    def _changed(self) -> None:
        self.generation += 1
        self.memo_key = None
        if self.log is not None:
            self.log.record(self)
        self.free_cpu = self.alloc_cpu - self.req_cpu
        self.free_mem = self.alloc_mem - self.req_mem
        self.free_pods = self.alloc_pods - len(self.pods)

    def add_pod(self, pi: PodInfo) -> None:
        self.pods[pi.key] = pi
        self._account(pi, 1)

    def remove_pod(self, key: str) -> PodInfo | None:
        pi = self.pods.pop(key, None)
        if pi is not None:
            self._account(pi, -1)
        return pi

    def _account(self, pi: PodInfo, sign: int) -> None:
        self.req_cpu += sign * pi.req_cpu
        self.req_mem += sign * pi.req_mem
        self.nz_cpu += sign * pi.nz_cpu
        self.nz_mem += sign * pi.nz_mem
        for k, v in pi.req_other.items():
            self.req_other[k] = self.req_other.get(k, 0) + sign * v
        for port in pi.host_ports:
            n = self.used_ports.get(port, 0) + sign
            if n > 0:
                self.used_ports[port] = n
            else:
                self.used_ports.pop(port, None)
        if pi.has_affinity:
            self.pods_with_affinity += sign
        if pi.required_anti_affinity:
            self.pods_with_required_anti_affinity += sign
        self._changed()

    def clone(self) -> NodeInfo:
        """A copy whose pod set can be changed (preemption's what-if); shares the PodInfos."""
        c = NodeInfo(self.name)
        if self.node is not None:
            c.set_node(self.node)
        for pi in self.pods.values():
            c.add_pod(pi)
        return c
