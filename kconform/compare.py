"""Run one step program on two backends and compare what they converged to.

The end states of two clusters never match byte for byte — pod names carry random suffixes,
IPs and uids differ, timestamps differ, and a real cluster runs system pods the reference
does not. :func:`normalize` keeps only what should agree if both behave like Kubernetes: per
top-level object (named by kind and a stable index, never by name) its replica counts,
phases, readiness and conditions (type/status/reason), the same figures aggregated over its
dependents (the ``ownerReferences`` closure), worker-node readiness, and event reasons per
involved kind. :func:`compare` runs the program on both (:func:`kconform.program.execute`),
lets each settle, and diffs the normalized states into a readable report.

These are pure functions over injected backend factories: the CLI (``kconform compare``)
only has to build the factories and print :attr:`CompareResult.report`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from kconform.backends.base import Cluster, Manifest, Snapshot
from kconform.errors import KconformError
from kconform.program import Step, StepResult, describe, execute

SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease", "local-path-storage"})
# The namespace that stands in for ``default`` on the kube backends (see backends/kube.py).
EXAMPLE_NAMESPACE_LABEL = "kconform.io/example-namespace"
CONTROL_PLANE_NODE_LABEL = "node-role.kubernetes.io/control-plane"
# Resources not compared: heartbeats and bookkeeping that differ by design.
SKIPPED_RESOURCES = frozenset({"leases", "events", "controllerrevisions"})

# Status fields worth comparing, per kind (missing counts read as 0, like kubectl shows them).
STATUS_FIELDS: dict[str, tuple[str, ...]] = {
    "Deployment": ("replicas", "readyReplicas", "updatedReplicas", "availableReplicas"),
    "ReplicaSet": ("replicas", "readyReplicas", "availableReplicas"),
    "StatefulSet": ("replicas", "readyReplicas", "currentReplicas", "updatedReplicas"),
    "DaemonSet": ("desiredNumberScheduled", "currentNumberScheduled", "numberReady", "numberMisscheduled"),
    "Job": ("active", "succeeded", "failed"),
}

Factory = Callable[[], Cluster]


# == normalization ============================================================================
def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _kind_of(resource: str, obj: Mapping[str, Any]) -> str:
    kind = obj.get("kind")
    if kind:
        return str(kind)
    singular = {"endpointslices": "EndpointSlice", "configmaps": "ConfigMap", "statefulsets": "StatefulSet",
                "daemonsets": "DaemonSet", "replicasets": "ReplicaSet"}.get(resource)
    return singular or resource[:-1].capitalize()


def _conditions(obj: Mapping[str, Any]) -> list[str]:
    out = []
    for c in (obj.get("status") or {}).get("conditions") or []:
        reason = c.get("reason")
        out.append(f"{c.get('type')}={c.get('status')}" + (f" ({reason})" if reason else ""))
    return sorted(out)


def _ready(obj: Mapping[str, Any]) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (obj.get("status") or {}).get("conditions") or []
    )


def _is_system(resource: str, obj: Mapping[str, Any]) -> bool:
    meta = _meta(obj)
    ns = meta.get("namespace")
    name = meta.get("name")
    if resource in SKIPPED_RESOURCES or ns in SYSTEM_NAMESPACES:
        return True
    if resource == "namespaces":
        labels = meta.get("labels") or {}
        return name == "default" or name in SYSTEM_NAMESPACES or labels.get(EXAMPLE_NAMESPACE_LABEL) == "true"
    if resource == "configmaps" and name == "kube-root-ca.crt":
        return True
    if ns == "default" and resource in ("services", "endpoints") and name == "kubernetes":
        return True
    if resource == "endpointslices" and (meta.get("labels") or {}).get("kubernetes.io/service-name") == "kubernetes":
        return ns == "default"
    return False


def _summary(kind: str, obj: Mapping[str, Any]) -> dict[str, Any]:
    """What one object contributes, without names, IPs, uids or timestamps."""
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    out: dict[str, Any] = {}
    if kind in STATUS_FIELDS:
        if "replicas" in spec:
            out["spec.replicas"] = spec["replicas"]
        if kind == "Job":
            for f in ("completions", "parallelism"):
                if f in spec:
                    out[f"spec.{f}"] = spec[f]
        for f in STATUS_FIELDS[kind]:
            out[f"status.{f}"] = status.get(f) or 0
    elif kind == "Pod":
        out["phase"] = status.get("phase", "")
        out["ready"] = _ready(obj)
        out["scheduled"] = bool(spec.get("nodeName"))
    elif kind == "Service":
        out["type"] = spec.get("type", "ClusterIP")
        out["ports"] = len(spec.get("ports") or [])
        out["headless"] = spec.get("clusterIP") == "None"
    elif kind == "EndpointSlice":
        eps = obj.get("endpoints") or []
        out["endpoints"] = len(eps)
        out["ready"] = sum(1 for e in eps if (e.get("conditions") or {}).get("ready"))
    elif kind == "Namespace":
        out["phase"] = status.get("phase", "Active")
    elif kind == "ConfigMap":
        out["keys"] = sorted((obj.get("data") or {}).keys())
    out["terminating"] = bool(_meta(obj).get("deletionTimestamp"))
    conditions = _conditions(obj)
    if conditions:
        out["conditions"] = conditions
    return out


def _aggregate(kind: str, objs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Dependents of one kind under one owner, as counts (never one entry per object)."""
    out: dict[str, Any] = {"count": len(objs)}
    if kind == "Pod":
        out["phases"] = dict(sorted(Counter(str((o.get("status") or {}).get("phase", "")) for o in objs).items()))
        out["ready"] = sum(1 for o in objs if _ready(o))
        out["terminating"] = sum(1 for o in objs if _meta(o).get("deletionTimestamp"))
    elif kind == "EndpointSlice":
        eps = [e for o in objs for e in o.get("endpoints") or []]
        out["endpoints"] = len(eps)
        out["ready"] = sum(1 for e in eps if (e.get("conditions") or {}).get("ready"))
    elif kind in STATUS_FIELDS:
        live = [o for o in objs if ((o.get("spec") or {}).get("replicas") or 0) > 0]
        out["with replicas"] = len(live)
    conditions = Counter(c for o in objs for c in _conditions(o))
    if conditions:
        out["conditions"] = dict(sorted(conditions.items()))
    return out


@dataclass
class _Entry:
    resource: str
    kind: str
    obj: Manifest


def _ns_key(ns: Any, example_namespaces: set[str]) -> str:
    return "" if ns in (None, "", "default") or ns in example_namespaces else str(ns)


def _top_level(snapshot: Snapshot) -> tuple[list[tuple[str, _Entry]], dict[str, list[_Entry]]]:
    """Top-level objects keyed ``Kind#i`` (stable order), and each one's dependents."""
    example_ns = {
        str(_meta(n).get("name"))
        for n in snapshot.of("namespaces")
        if (_meta(n).get("labels") or {}).get(EXAMPLE_NAMESPACE_LABEL) == "true"
    }
    entries: dict[str, _Entry] = {}
    for resource in sorted(snapshot.objects):
        if resource == "nodes":
            continue
        for obj in snapshot.objects[resource]:
            if _is_system(resource, obj):
                continue
            uid = str(_meta(obj).get("uid") or id(obj))
            entries[uid] = _Entry(resource, _kind_of(resource, obj), obj)

    def root(uid: str) -> str:
        seen: set[str] = set()
        while uid not in seen:
            seen.add(uid)
            refs = _meta(entries[uid].obj).get("ownerReferences") or []
            ref = next((r for r in refs if r.get("controller")), refs[0] if refs else None)
            if ref is None or str(ref.get("uid")) not in entries:
                return uid
            uid = str(ref["uid"])
        return uid

    dependents: dict[str, list[_Entry]] = {}
    roots: list[str] = []
    for uid in entries:
        r = root(uid)
        if r == uid:
            roots.append(uid)
        else:
            dependents.setdefault(r, []).append(entries[uid])

    def order(uid: str) -> tuple[str, str, str]:
        e = entries[uid]
        meta = _meta(e.obj)
        return (e.kind, _ns_key(meta.get("namespace"), example_ns), str(meta.get("name", "")))

    keyed: list[tuple[str, _Entry]] = []
    per_kind: Counter[str] = Counter()
    out_deps: dict[str, list[_Entry]] = {}
    for uid in sorted(roots, key=order):
        e = entries[uid]
        key = f"{e.kind}#{per_kind[e.kind]}"
        per_kind[e.kind] += 1
        keyed.append((key, e))
        out_deps[key] = dependents.get(uid, [])
    return keyed, out_deps


# kube-apiserver's own allocator repair loops: they compare a Service with its allocation through
# two informers and report ``ClusterIPNotAllocated`` (and repair nothing) when the Service is seen
# first — a race inside the API server, not behaviour of the program under test
# (pkg/registry/core/service/ipallocator/controller/repairip.go).
RACY_REPORTERS = frozenset({"ipallocator-repair-controller", "portallocator-repair-controller"})


def _reporter(ev: Manifest) -> str:
    """The component that recorded an Event, from either Event API's fields."""
    source = ev.get("source") or {}
    return str(ev.get("reportingComponent") or ev.get("reportingController") or source.get("component") or "")


def normalize(snapshot: Snapshot) -> dict[str, Any]:
    """A snapshot as comparable data: no names, IPs, uids or timestamps.

    ``{"nodes": {...}, "objects": {"Deployment#0": {..., "dependents": {"Pod": {...}}}},
    "events": {"Pod": ["Scheduled", ...]}}``. Top-level objects are indexed per kind in the
    order of (namespace, name) — with ``default`` and a kube backend's per-example namespace
    counted as the same — so the same program gives the same keys on every backend.
    """
    workers = [n for n in snapshot.of("nodes") if CONTROL_PLANE_NODE_LABEL not in (_meta(n).get("labels") or {})]
    nodes = {
        "workers": len(workers),
        "ready": sum(1 for n in workers if _ready(n)),
        "unschedulable": sum(1 for n in workers if (n.get("spec") or {}).get("unschedulable")),
    }
    keyed, deps = _top_level(snapshot)
    objects: dict[str, Any] = {}
    for key, entry in keyed:
        summary = _summary(entry.kind, entry.obj)
        by_kind: dict[str, list[Manifest]] = {}
        for d in deps[key]:
            by_kind.setdefault(d.kind, []).append(d.obj)
        if by_kind:
            summary["dependents"] = {k: _aggregate(k, v) for k, v in sorted(by_kind.items())}
        objects[key] = summary
    events: dict[str, list[str]] = {}
    for ev in snapshot.objects.get("events", ()):
        involved = ev.get("involvedObject") or ev.get("regarding") or {}
        if involved.get("namespace") in SYSTEM_NAMESPACES or not ev.get("reason"):
            continue
        if _reporter(ev) in RACY_REPORTERS:
            continue
        kind = str(involved.get("kind", "?"))
        if kind == "Node":
            continue  # node lifecycle events differ by machine, not by behaviour under test
        events.setdefault(kind, [])
        if ev["reason"] not in events[kind]:
            events[kind].append(str(ev["reason"]))
    return {"nodes": nodes, "objects": objects, "events": {k: sorted(v) for k, v in sorted(events.items())}}


def legend(snapshot: Snapshot) -> dict[str, str]:
    """``Kind#i`` → ``namespace/name`` in this snapshot (for reports only; never compared)."""
    keyed, _ = _top_level(snapshot)
    out = {}
    for key, entry in keyed:
        meta = _meta(entry.obj)
        out[key] = f"{meta.get('namespace')}/{meta.get('name')}" if meta.get("namespace") else str(meta.get("name"))
    return out


# == diffing ===================================================================================
_MISSING = object()


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        if not value and prefix:
            out[prefix] = {}
        return out
    return {prefix: value}


def diff(a: Mapping[str, Any], b: Mapping[str, Any], *, names: tuple[str, str] = ("a", "b")) -> list[str]:
    """One line per differing leaf: ``path: a=.. b=..``; whole objects missing on one side once."""
    fa, fb = _flatten(a), _flatten(b)
    lines: list[str] = []
    only_objects: set[str] = set()
    for side, mine, other in ((names[0], a, b), (names[1], b, a)):
        for key in (mine.get("objects") or {}):
            if key not in (other.get("objects") or {}):
                only_objects.add(f"objects.{key}")
                lines.append(f"objects.{key}: only on {side}")
    for path in sorted(set(fa) | set(fb)):
        if any(path == o or path.startswith(o + ".") for o in only_objects):
            continue
        va, vb = fa.get(path, _MISSING), fb.get(path, _MISSING)
        if va != vb:
            show_a = "(absent)" if va is _MISSING else repr(va)
            show_b = "(absent)" if vb is _MISSING else repr(vb)
            lines.append(f"{path}: {names[0]}={show_a} {names[1]}={show_b}")
    return sorted(lines, key=lambda ln: (not ln.startswith("objects."), ln))


# == running a program on two backends ================================================================
@dataclass
class Run:
    """What one backend did with the program."""

    backend: str
    results: list[StepResult]
    settled: bool
    normalized: dict[str, Any]
    legend: dict[str, str]
    error: str = ""


@dataclass
class CompareResult:
    equal: bool
    report: str
    differences: list[str] = field(default_factory=list)
    a: Run | None = None
    b: Run | None = None


def run_program(
    factory: Factory,
    steps: Sequence[Step],
    *,
    settle_timeout_s: float = 600.0,
    include_events: bool = True,
) -> Run:
    """Execute ``steps`` on a fresh cluster, settle, and normalize what is left."""
    cluster = factory()
    try:
        results = [execute(cluster, step) for step in steps]
        settled = cluster.settle(timeout_s=settle_timeout_s)
        snap = cluster.snapshot()
        if include_events:
            try:
                snap = replace(snap, objects={**snap.objects, "events": cluster.list("events")})
            except KconformError:
                pass
        return Run(cluster.name, results, settled, normalize(snap), legend(snap))
    finally:
        cluster.close()


def _step_line(i: int, step: Step, ra: StepResult, rb: StepResult, names: tuple[str, str]) -> str | None:
    def outcome(r: StepResult) -> str:
        if r.ok:
            return "ok"
        st = r.status or {}
        return f"rejected {st.get('code', '?')} {st.get('reason', '')}".rstrip() if st else f"failed ({r.detail})"

    oa, ob = outcome(ra), outcome(rb)
    if oa == ob:
        return None
    return f"step {i + 1} ({describe(step)}): {names[0]} {oa}, {names[1]} {ob}"


def compare(
    program_steps: Sequence[Step],
    backend_a_factory: Factory,
    backend_b_factory: Factory,
    *,
    settle_timeout_s: float = 600.0,
    include_events: bool = True,
    ignore: Iterable[str] = (),
    program_b_steps: Sequence[Step] | None = None,
) -> CompareResult:
    """Run the program on both backends (one after the other) and diff their settled states.

    ``ignore``: path prefixes of :func:`normalize` output to leave out (e.g. ``"events"``,
    ``"nodes"``), for backends known to differ there. ``program_b_steps``: run a different
    program on b (what-if comparisons); step outcomes are then not compared.
    """
    steps = list(program_steps)
    steps_b = steps if program_b_steps is None else list(program_b_steps)
    a = run_program(backend_a_factory, steps, settle_timeout_s=settle_timeout_s, include_events=include_events)
    b = run_program(backend_b_factory, steps_b, settle_timeout_s=settle_timeout_s, include_events=include_events)
    names = (a.backend, b.backend) if a.backend != b.backend else (f"{a.backend}(a)", f"{b.backend}(b)")
    prefixes = tuple(ignore)
    differences: list[str] = []
    if program_b_steps is None:
        differences += [
            line for i, (step, ra, rb) in enumerate(zip(steps, a.results, b.results, strict=True))
            if (line := _step_line(i, step, ra, rb, names)) is not None
        ]
    differences += [
        line for line in diff(a.normalized, b.normalized, names=names)
        if not any(line.startswith(p) for p in prefixes)
    ]
    return CompareResult(not differences, _report(steps, a, b, names, differences), differences, a, b)


def _report(steps: Sequence[Step], a: Run, b: Run, names: tuple[str, str], differences: list[str]) -> str:
    lines = [f"compare {names[0]} vs {names[1]}: {len(steps)} steps"]
    for name, run in zip(names, (a, b), strict=True):
        if not run.settled:
            lines.append(f"  note: {name} did not settle before the timeout")
    if not differences:
        lines.append("  the settled states are equivalent")
        return "\n".join(lines)
    lines.append(f"  {len(differences)} difference(s):")
    lines += [f"    {d}" for d in differences]
    keys = sorted({k for d in differences if d.startswith("objects.") for k in [d.split(".")[1].split(":")[0]]})
    named = []
    for k in keys:
        na, nb = a.legend.get(k), b.legend.get(k)
        if na == nb or nb is None:
            named.append(f"    {k} = {na}")
        elif na is None:
            named.append(f"    {k} = {nb}")
        else:
            named.append(f"    {k} = {na} on {names[0]}, {nb} on {names[1]}")
    if named:
        lines.append("  where:")
        lines += named
    return "\n".join(lines)


__all__ = ["CompareResult", "Run", "compare", "diff", "legend", "normalize", "run_program"]
