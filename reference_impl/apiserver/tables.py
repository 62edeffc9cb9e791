"""Server-side printing: ``meta.k8s.io/v1`` Tables with kubectl's real columns.

Models ``pkg/printers/internalversion/printers.go`` (the column definitions and the ``printPod``,
``printNode``, ``printService``, ... functions the real API server's TableConvertor uses) and
``staging/src/k8s.io/apimachinery/pkg/util/duration.HumanDuration`` for AGE. Every cell, the
wide ones included, is computed; kubectl hides the columns with ``priority`` 1 unless ``-o wide``.

Ages are measured on the simulated clock handed in as ``now_s`` (seconds since the sim epoch).

Leaves out: the less common columns of resources the reference server does not serve, and
``restartableInitContainer`` (sidecar) bookkeeping beyond what the READY column needs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from reference_impl.apiserver.registry.info import ResourceInfo
from reference_impl.sim.clock import parse_rfc3339

if TYPE_CHECKING:
    from reference_impl.apiserver.registry.strategy import Strategy

Obj = dict[str, Any]
Column = tuple[str, str, int, str]  # name, type, priority, format

NAME_DESC = (
    "Name must be unique within a namespace. Is required when creating resources, although some resources "
    "may allow a client to request the generation of an appropriate name automatically. Name is primarily "
    "intended for creation idempotence and configuration definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
)
AGE_DESC = (
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not "
    "guaranteed to be set in happens-before order across separate operations. Clients may not set this "
    "value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for "
    "lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
)


# == helpers ===========================================================================
def human_duration(seconds: float) -> str:
    """``duration.HumanDuration`` from apimachinery, exactly."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        sec = s % 60
        return f"{minutes}m" if sec == 0 else f"{minutes}m{sec}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


def _ts(value: Any) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parse_rfc3339(value)
    except ValueError:
        return None


def since(value: Any, now_s: float) -> str:
    """``translateTimestampSince``: ``<unknown>`` for a missing timestamp."""
    t = _ts(value)
    if t is None:
        return "<unknown>"
    return human_duration(now_s - t)


def _d(obj: Any, *path: str) -> Any:
    cur = obj
    for p in path:
        if not isinstance(cur, dict):
            return None
        cur = cur.get(p)
    return cur


def _obj(v: Any) -> Obj:
    return v if isinstance(v, dict) else {}


def _int(v: Any) -> int:
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


def _list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def format_labels(labels: Any) -> str:
    """``labels.FormatLabels``: sorted ``k=v`` joined by commas, ``<none>`` when empty."""
    if not isinstance(labels, dict) or not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def format_selector(sel: Any) -> str:
    """``metav1.FormatLabelSelector``."""
    if not isinstance(sel, dict):
        return "<none>"
    parts = [f"{k}={v}" for k, v in sorted((sel.get("matchLabels") or {}).items())]
    for req in _list(sel.get("matchExpressions")):
        if not isinstance(req, dict):
            continue
        op = str(req.get("operator", ""))
        key = str(req.get("key", ""))
        vals = ",".join(sorted(str(v) for v in _list(req.get("values"))))
        if op == "In":
            parts.append(f"{key} in ({vals})")
        elif op == "NotIn":
            parts.append(f"{key} notin ({vals})")
        elif op == "Exists":
            parts.append(key)
        elif op == "DoesNotExist":
            parts.append(f"!{key}")
    out = ",".join(parts)
    return out if out else "<none>"


def _containers_images(spec: Any) -> tuple[str, str]:
    cs = [c for c in _list(_d(spec, "template", "spec", "containers")) if isinstance(c, dict)]
    return ",".join(str(c.get("name", "")) for c in cs), ",".join(str(c.get("image", "")) for c in cs)


def _has_condition(obj: Obj, ctype: str) -> bool:
    return any(
        isinstance(c, dict) and c.get("type") == ctype and c.get("status") == "True"
        for c in _list(_d(obj, "status", "conditions"))
    )


# == per-resource printers ================================================================
def _podtemplate(obj: Obj, now_s: float) -> list[Any]:
    names, images = _containers_images(obj)
    return [_obj(obj.get("metadata")).get("name", ""), names, images,
            format_labels(_d(obj, "template", "metadata", "labels"))]


def _pod(obj: Obj, now_s: float) -> list[Any]:
    spec = _obj(obj.get("spec"))
    status = _obj(obj.get("status"))
    meta = _obj(obj.get("metadata"))
    restarts = 0
    restartable_restarts = 0
    total = len(_list(spec.get("containers")))
    ready = 0
    last_restart: float | None = None
    last_restartable_restart: float | None = None
    phase = str(status.get("phase") or "")
    reason = str(status.get("reason") or phase)
    for c in _list(status.get("conditions")):
        if isinstance(c, dict) and c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"
    init_specs = {str(c.get("name")): c for c in _list(spec.get("initContainers")) if isinstance(c, dict)}

    def restartable(name: Any) -> bool:
        c = init_specs.get(str(name))
        return bool(c) and c.get("restartPolicy") == "Always"  # type: ignore[union-attr]

    total += sum(1 for n in init_specs if restartable(n))
    initializing = False
    init_statuses = [c for c in _list(status.get("initContainerStatuses")) if isinstance(c, dict)]
    for i, cs in enumerate(init_statuses):
        restarts += _int(cs.get("restartCount"))
        term_at = _ts(_d(cs, "lastState", "terminated", "finishedAt"))
        if term_at is not None and (last_restart is None or term_at > last_restart):
            last_restart = term_at
        if restartable(cs.get("name")):
            restartable_restarts += _int(cs.get("restartCount"))
            if term_at is not None and (last_restartable_restart is None or term_at > last_restartable_restart):
                last_restartable_restart = term_at
        term = _d(cs, "state", "terminated")
        waiting = _d(cs, "state", "waiting")
        if isinstance(term, dict) and _int(term.get("exitCode")) == 0:
            continue
        if restartable(cs.get("name")) and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if isinstance(term, dict):
            if not term.get("reason"):
                if _int(term.get("signal")):
                    reason = f"Init:Signal:{_int(term.get('signal'))}"
                else:
                    reason = f"Init:ExitCode:{_int(term.get('exitCode'))}"
            else:
                reason = f"Init:{term['reason']}"
            initializing = True
        elif isinstance(waiting, dict) and waiting.get("reason") and waiting.get("reason") != "PodInitializing":
            reason = f"Init:{waiting['reason']}"
            initializing = True
        else:
            reason = f"Init:{i}/{len(init_specs)}"
            initializing = True
        break
    if not initializing or _has_condition(obj, "Initialized"):
        restarts = restartable_restarts
        last_restart = last_restartable_restart
        has_running = False
        statuses = [c for c in _list(status.get("containerStatuses")) if isinstance(c, dict)]
        for cs in reversed(statuses):
            restarts += _int(cs.get("restartCount"))
            term_at = _ts(_d(cs, "lastState", "terminated", "finishedAt"))
            if term_at is not None and (last_restart is None or term_at > last_restart):
                last_restart = term_at
            waiting = _d(cs, "state", "waiting")
            term = _d(cs, "state", "terminated")
            if isinstance(waiting, dict) and waiting.get("reason"):
                reason = str(waiting["reason"])
            elif isinstance(term, dict) and term.get("reason"):
                reason = str(term["reason"])
            elif isinstance(term, dict):
                if _int(term.get("signal")):
                    reason = f"Signal:{_int(term.get('signal'))}"
                else:
                    reason = f"ExitCode:{_int(term.get('exitCode'))}"
            elif cs.get("ready") and isinstance(_d(cs, "state", "running"), dict):
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            has_ready_cond = any(
                isinstance(c, dict) and c.get("type") == "Ready" for c in _list(status.get("conditions"))
            )
            reason = "Running" if has_ready_cond else "NotReady"
    if meta.get("deletionTimestamp") and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif meta.get("deletionTimestamp") and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    restarts_str = str(restarts)
    if restarts and last_restart is not None:
        restarts_str = f"{restarts} ({human_duration(now_s - last_restart)} ago)"
    ips = _list(status.get("podIPs"))
    pod_ip = str(ips[0].get("ip")) if ips and isinstance(ips[0], dict) and ips[0].get("ip") else "<none>"
    node = str(spec.get("nodeName") or "<none>")
    nominated = str(status.get("nominatedNodeName") or "<none>")
    gates = _list(spec.get("readinessGates"))
    gates_str = "<none>"
    if gates:
        true = 0
        for g in gates:
            for c in _list(status.get("conditions")):
                if isinstance(c, dict) and isinstance(g, dict) and c.get("type") == g.get("conditionType"):
                    if c.get("status") == "True":
                        true += 1
                    break
        gates_str = f"{true}/{len(gates)}"
    return [
        meta.get("name", ""),
        f"{ready}/{total}",
        reason,
        restarts_str,
        since(meta.get("creationTimestamp"), now_s),
        pod_ip,
        node,
        nominated,
        gates_str,
    ]


def _node(obj: Obj, now_s: float) -> list[Any]:
    meta = _obj(obj.get("metadata"))
    status_parts: list[str] = []
    for c in _list(_d(obj, "status", "conditions")):
        if isinstance(c, dict) and c.get("type") == "Ready":
            status_parts = ["Ready" if c.get("status") == "True" else "NotReady"]
    if not status_parts:
        status_parts = ["Unknown"]
    if _d(obj, "spec", "unschedulable"):
        status_parts.append("SchedulingDisabled")
    roles: set[str] = set()
    for k, v in (meta.get("labels") or {}).items():
        if k.startswith("node-role.kubernetes.io/"):
            role = k[len("node-role.kubernetes.io/") :]
            if role:
                roles.add(role)
        elif k == "kubernetes.io/role" and v:
            roles.add(str(v))
    addrs = [a for a in _list(_d(obj, "status", "addresses")) if isinstance(a, dict)]

    def addr(kind: str) -> str:
        for a in addrs:
            if a.get("type") == kind:
                return str(a.get("address", ""))
        return "<none>"

    info = _obj(_d(obj, "status", "nodeInfo"))
    return [
        meta.get("name", ""),
        ",".join(status_parts),
        ",".join(sorted(roles)) or "<none>",
        since(meta.get("creationTimestamp"), now_s),
        str(info.get("kubeletVersion", "")) if isinstance(info, dict) else "",
        addr("InternalIP"),
        addr("ExternalIP"),
        (str(info.get("osImage") or "<unknown>")) if isinstance(info, dict) else "<unknown>",
        (str(info.get("kernelVersion") or "<unknown>")) if isinstance(info, dict) else "<unknown>",
        (str(info.get("containerRuntimeVersion") or "<unknown>")) if isinstance(info, dict) else "<unknown>",
    ]


def _service_ports(ports: Any) -> str:
    out = []
    for p in _list(ports):
        if not isinstance(p, dict):
            continue
        proto = p.get("protocol") or "TCP"
        if p.get("nodePort"):
            out.append(f"{p.get('port')}:{p.get('nodePort')}/{proto}")
        else:
            out.append(f"{p.get('port')}/{proto}")
    return ",".join(out)


def _service(obj: Obj, now_s: float) -> list[Any]:
    meta = _obj(obj.get("metadata"))
    spec = _obj(obj.get("spec"))
    stype = str(spec.get("type") or "ClusterIP")
    ips = _list(spec.get("clusterIPs"))
    internal = str(ips[0]) if ips else str(spec.get("clusterIP") or "<none>")
    external_ips = [str(x) for x in _list(spec.get("externalIPs"))]
    if stype in ("ClusterIP", "NodePort"):
        external = ",".join(external_ips) if external_ips else "<none>"
    elif stype == "LoadBalancer":
        lb = [
            str(i.get("ip") or i.get("hostname"))
            for i in _list(_d(obj, "status", "loadBalancer", "ingress"))
            if isinstance(i, dict) and (i.get("ip") or i.get("hostname"))
        ]
        allips = lb + external_ips
        external = ",".join(allips) if allips else "<pending>"
    elif stype == "ExternalName":
        external = str(spec.get("externalName") or "")
    else:
        external = "<unknown>"
    return [
        meta.get("name", ""),
        stype,
        internal,
        external,
        _service_ports(spec.get("ports")) or "<none>",
        since(meta.get("creationTimestamp"), now_s),
        format_labels(spec.get("selector")),
    ]


def _deployment(obj: Obj, now_s: float) -> list[Any]:
    meta = _obj(obj.get("metadata"))
    spec = _obj(obj.get("spec"))
    st = _obj(obj.get("status"))
    names, images = _containers_images(spec)
    return [
        meta.get("name", ""),
        f"{_int(st.get('readyReplicas'))}/{_int(spec.get('replicas'))}",
        _int(st.get("updatedReplicas")),
        _int(st.get("availableReplicas")),
        since(meta.get("creationTimestamp"), now_s),
        names,
        images,
        format_selector(spec.get("selector")),
    ]


def _replicaset(obj: Obj, now_s: float) -> list[Any]:
    meta = _obj(obj.get("metadata"))
    spec = _obj(obj.get("spec"))
    st = _obj(obj.get("status"))
    names, images = _containers_images(spec)
    return [
        meta.get("name", ""),
        _int(spec.get("replicas")),
        _int(st.get("replicas")),
        _int(st.get("readyReplicas")),
        since(meta.get("creationTimestamp"), now_s),
        names,
        images,
        format_selector(spec.get("selector")),
    ]


def _statefulset(obj: Obj, now_s: float) -> list[Any]:
    meta = _obj(obj.get("metadata"))
    spec = _obj(obj.get("spec"))
    st = _obj(obj.get("status"))
    names, images = _containers_images(spec)
    return [
        meta.get("name", ""),
        f"{_int(st.get('readyReplicas'))}/{_int(spec.get('replicas'))}",
        since(meta.get("creationTimestamp"), now_s),
        names,
        images,
    ]


def _daemonset(obj: Obj, now_s: float) -> list[Any]:
    meta = _obj(obj.get("metadata"))
    spec = _obj(obj.get("spec"))
    st = _obj(obj.get("status"))
    names, images = _containers_images(spec)
    return [
        meta.get("name", ""),
        _int(st.get("desiredNumberScheduled")),
        _int(st.get("currentNumberScheduled")),
        _int(st.get("numberReady")),
        _int(st.get("updatedNumberScheduled")),
        _int(st.get("numberAvailable")),
        format_labels(_d(spec, "template", "spec", "nodeSelector")),
        since(meta.get("creationTimestamp"), now_s),
        names,
        images,
        format_selector(spec.get("selector")),
    ]


def _namespace(obj: Obj, now_s: float) -> list[Any]:
    meta = _obj(obj.get("metadata"))
    return [meta.get("name", ""), str(_d(obj, "status", "phase") or ""), since(meta.get("creationTimestamp"), now_s)]


def _job(obj: Obj, now_s: float) -> list[Any]:
    meta = _obj(obj.get("metadata"))
    spec = _obj(obj.get("spec"))
    st = _obj(obj.get("status"))
    if _has_condition(obj, "Complete"):
        status = "Complete"
    elif _has_condition(obj, "Failed"):
        status = "Failed"
    elif meta.get("deletionTimestamp"):
        status = "Terminating"
    elif _has_condition(obj, "Suspended"):
        status = "Suspended"
    elif _has_condition(obj, "FailureTarget"):
        status = "FailureTarget"
    elif _has_condition(obj, "SuccessCriteriaMet"):
        status = "SuccessCriteriaMet"
    else:
        status = "Running"
    succeeded = _int(st.get("succeeded"))
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{_int(spec.get('completions'))}"
    else:
        par = _int(spec.get("parallelism")) if spec.get("parallelism") is not None else 1
        completions = f"{succeeded}/1 of {par}" if par > 1 else f"{succeeded}/1"
    start = _ts(st.get("startTime"))
    end = _ts(st.get("completionTime"))
    if start is None:
        duration = ""
    elif end is None:
        duration = human_duration(now_s - start)
    else:
        duration = human_duration(end - start)
    names, images = _containers_images(spec)
    return [
        meta.get("name", ""),
        status,
        completions,
        duration,
        since(meta.get("creationTimestamp"), now_s),
        names,
        images,
        format_selector(spec.get("selector")),
    ]


def _endpointslice(obj: Obj, now_s: float) -> list[Any]:
    meta = _obj(obj.get("metadata"))
    ports = [p for p in _list(obj.get("ports")) if isinstance(p, dict)]
    if not ports:
        port_str = "<unset>"
    else:
        port_str = ",".join(str(p.get("port")) if p.get("port") is not None else "<unset>" for p in ports)
    addrs: list[str] = []
    for ep in _list(obj.get("endpoints")):
        if isinstance(ep, dict):
            addrs.extend(str(a) for a in _list(ep.get("addresses")))
    if not addrs:
        ep_str = "<unset>"
    else:
        ep_str = ",".join(addrs[:3])
        if len(addrs) > 3:
            ep_str += f" + {len(addrs) - 3} more..."
    return [meta.get("name", ""), str(obj.get("addressType", "")), port_str, ep_str, since(meta.get("creationTimestamp"), now_s)]


def _event(obj: Obj, now_s: float) -> list[Any]:
    meta = _obj(obj.get("metadata"))
    first = obj.get("firstTimestamp") or obj.get("eventTime") or meta.get("creationTimestamp")
    last = obj.get("lastTimestamp") or _d(obj, "series", "lastObservedTime") or obj.get("eventTime") or first
    inv = _obj(obj.get("involvedObject"))
    src = _obj(obj.get("source"))
    source = str(src.get("component") or obj.get("reportingComponent") or "")
    if src.get("host"):
        source += f", {src['host']}"
    count = _int(obj.get("count")) or _int(_d(obj, "series", "count")) or 1
    return [
        since(last, now_s),
        str(obj.get("type", "")),
        str(obj.get("reason", "")),
        f"{str(inv.get('kind', '')).lower()}/{inv.get('name', '')}",
        str(inv.get("fieldPath", "")),
        source,
        str(obj.get("message", "")).strip(),
        since(first, now_s),
        count,
        meta.get("name", ""),
    ]


def _lease(obj: Obj, now_s: float) -> list[Any]:
    meta = _obj(obj.get("metadata"))
    return [meta.get("name", ""), str(_d(obj, "spec", "holderIdentity") or ""), since(meta.get("creationTimestamp"), now_s)]


def _configmap(obj: Obj, now_s: float) -> list[Any]:
    meta = _obj(obj.get("metadata"))
    n = len(_obj(obj.get("data"))) + len(_obj(obj.get("binaryData")))
    return [meta.get("name", ""), n, since(meta.get("creationTimestamp"), now_s)]


def _secret(obj: Obj, now_s: float) -> list[Any]:
    meta = _obj(obj.get("metadata"))
    n = len(_obj(obj.get("data"))) + len(_obj(obj.get("stringData")))
    return [meta.get("name", ""), str(obj.get("type", "")), n, since(meta.get("creationTimestamp"), now_s)]


def _serviceaccount(obj: Obj, now_s: float) -> list[Any]:
    meta = _obj(obj.get("metadata"))
    return [meta.get("name", ""), len(_list(obj.get("secrets"))), since(meta.get("creationTimestamp"), now_s)]


def _endpoints(obj: Obj, now_s: float) -> list[Any]:
    meta = _obj(obj.get("metadata"))
    eps: list[str] = []
    for sub in _list(obj.get("subsets")):
        if not isinstance(sub, dict):
            continue
        ports = [p for p in _list(sub.get("ports")) if isinstance(p, dict)]
        for a in _list(sub.get("addresses")):
            if not isinstance(a, dict):
                continue
            if ports:
                eps.extend(f"{a.get('ip')}:{p.get('port')}" for p in ports)
            else:
                eps.append(str(a.get("ip")))
    s = ",".join(eps[:3]) + (f" + {len(eps) - 3} more..." if len(eps) > 3 else "") if eps else "<none>"
    return [meta.get("name", ""), s, since(meta.get("creationTimestamp"), now_s)]


def _pdb(obj: Obj, now_s: float) -> list[Any]:
    meta = _obj(obj.get("metadata"))
    spec = _obj(obj.get("spec"))
    mn = spec.get("minAvailable")
    mx = spec.get("maxUnavailable")
    return [
        meta.get("name", ""),
        "N/A" if mn is None else str(mn),
        "N/A" if mx is None else str(mx),
        _int(_d(obj, "status", "disruptionsAllowed")),
        since(meta.get("creationTimestamp"), now_s),
    ]


def _cronjob(obj: Obj, now_s: float) -> list[Any]:
    meta = _obj(obj.get("metadata"))
    spec = _obj(obj.get("spec"))
    last = _d(obj, "status", "lastScheduleTime")
    return [
        meta.get("name", ""),
        str(spec.get("schedule", "")),
        str(spec.get("timeZone") or "<none>"),
        str(bool(spec.get("suspend"))),
        len(_list(_d(obj, "status", "active"))),
        since(last, now_s) if last else "<none>",
        since(meta.get("creationTimestamp"), now_s),
    ]


def _controllerrevision(obj: Obj, now_s: float) -> list[Any]:
    meta = _obj(obj.get("metadata"))
    ctrl = "<none>"
    for ref in _list(meta.get("ownerReferences")):
        if isinstance(ref, dict) and ref.get("controller"):
            group = str(ref.get("apiVersion", "")).split("/")[0] if "/" in str(ref.get("apiVersion", "")) else ""
            kind = str(ref.get("kind", "")).lower()
            ctrl = f"{kind}.{group}/{ref.get('name')}" if group else f"{kind}/{ref.get('name')}"
    return [meta.get("name", ""), ctrl, _int(obj.get("revision")), since(meta.get("creationTimestamp"), now_s)]


def _default(obj: Obj, now_s: float) -> list[Any]:
    meta = _obj(obj.get("metadata"))
    return [meta.get("name", ""), since(meta.get("creationTimestamp"), now_s)]


def _cols(*cols: tuple[str, str, int] | tuple[str, str, int, str]) -> list[Column]:
    out: list[Column] = []
    for c in cols:
        out.append((c[0], c[1], c[2], c[3] if len(c) == 4 else ""))  # type: ignore[misc]
    return out


_NAME = ("Name", "string", 0, "name")
_AGE = ("Age", "string", 0)

PRINTERS: dict[str, tuple[list[Column], Callable[[Obj, float], list[Any]]]] = {
    "pods": (
        _cols(
            _NAME, ("Ready", "string", 0), ("Status", "string", 0), ("Restarts", "string", 0), _AGE,
            ("IP", "string", 1), ("Node", "string", 1), ("Nominated Node", "string", 1),
            ("Readiness Gates", "string", 1),
        ),
        _pod,
    ),
    "nodes": (
        _cols(
            _NAME, ("Status", "string", 0), ("Roles", "string", 0), _AGE, ("Version", "string", 0),
            ("Internal-IP", "string", 1), ("External-IP", "string", 1), ("OS-Image", "string", 1),
            ("Kernel-Version", "string", 1), ("Container-Runtime", "string", 1),
        ),
        _node,
    ),
    "services": (
        _cols(
            _NAME, ("Type", "string", 0), ("Cluster-IP", "string", 0), ("External-IP", "string", 0),
            ("Port(s)", "string", 0), _AGE, ("Selector", "string", 1),
        ),
        _service,
    ),
    "deployments": (
        _cols(
            _NAME, ("Ready", "string", 0), ("Up-to-date", "integer", 0), ("Available", "integer", 0), _AGE,
            ("Containers", "string", 1), ("Images", "string", 1), ("Selector", "string", 1),
        ),
        _deployment,
    ),
    "replicasets": (
        _cols(
            _NAME, ("Desired", "integer", 0), ("Current", "integer", 0), ("Ready", "integer", 0), _AGE,
            ("Containers", "string", 1), ("Images", "string", 1), ("Selector", "string", 1),
        ),
        _replicaset,
    ),
    "statefulsets": (
        _cols(_NAME, ("Ready", "string", 0), _AGE, ("Containers", "string", 1), ("Images", "string", 1)),
        _statefulset,
    ),
    "daemonsets": (
        _cols(
            _NAME, ("Desired", "integer", 0), ("Current", "integer", 0), ("Ready", "integer", 0),
            ("Up-to-date", "integer", 0), ("Available", "integer", 0), ("Node Selector", "string", 0), _AGE,
            ("Containers", "string", 1), ("Images", "string", 1), ("Selector", "string", 1),
        ),
        _daemonset,
    ),
    "namespaces": (_cols(_NAME, ("Status", "string", 0), _AGE), _namespace),
    "jobs": (
        _cols(
            _NAME, ("Status", "string", 0), ("Completions", "string", 0), ("Duration", "string", 0), _AGE,
            ("Containers", "string", 1), ("Images", "string", 1), ("Selector", "string", 1),
        ),
        _job,
    ),
    "endpointslices": (
        _cols(_NAME, ("AddressType", "string", 0), ("Ports", "string", 0), ("Endpoints", "string", 0), _AGE),
        _endpointslice,
    ),
    "events": (
        _cols(
            ("Last Seen", "string", 0), ("Type", "string", 0), ("Reason", "string", 0), ("Object", "string", 0),
            ("Subobject", "string", 1), ("Source", "string", 1), ("Message", "string", 0),
            ("First Seen", "string", 1), ("Count", "string", 1), ("Name", "string", 1),
        ),
        _event,
    ),
    "leases": (_cols(_NAME, ("Holder", "string", 0), _AGE), _lease),
    "configmaps": (_cols(_NAME, ("Data", "string", 0), _AGE), _configmap),
    "secrets": (_cols(_NAME, ("Type", "string", 0), ("Data", "string", 0), _AGE), _secret),
    "serviceaccounts": (_cols(_NAME, ("Secrets", "string", 0), _AGE), _serviceaccount),
    "podtemplates": (
        _cols(_NAME, ("Containers", "string", 0), ("Images", "string", 0), ("Pod Labels", "string", 0)),
        _podtemplate,
    ),
    "endpoints": (_cols(_NAME, ("Endpoints", "string", 0), _AGE), _endpoints),
    "poddisruptionbudgets": (
        _cols(
            _NAME, ("Min Available", "string", 0), ("Max Unavailable", "string", 0),
            ("Allowed Disruptions", "integer", 0), _AGE,
        ),
        _pdb,
    ),
    "cronjobs": (
        _cols(
            _NAME, ("Schedule", "string", 0), ("Timezone", "string", 0), ("Suspend", "boolean", 0),
            ("Active", "integer", 0), ("Last Schedule", "string", 0), _AGE,
        ),
        _cronjob,
    ),
    "controllerrevisions": (
        _cols(_NAME, ("Controller", "string", 0), ("Revision", "integer", 0), _AGE), _controllerrevision
    ),
}
DEFAULT_PRINTER: tuple[list[Column], Callable[[Obj, float], list[Any]]] = (_cols(_NAME, _AGE), _default)


def _printer(info: ResourceInfo, strategy: Strategy | None) -> tuple[list[Column], Callable[[Obj, float], list[Any]]]:
    """The resource's columns and cells: its strategy's, else the older per-plural table's."""
    if strategy is not None:
        if strategy.columns and strategy.cells is not None:
            return list(strategy.columns), strategy.cells
        return DEFAULT_PRINTER
    return PRINTERS.get(info.plural, DEFAULT_PRINTER)


def column_definitions(info: ResourceInfo, strategy: Strategy | None = None) -> list[Obj]:
    cols, _ = _printer(info, strategy)
    out = []
    for name, typ, prio, fmt in cols:
        desc = NAME_DESC if name == "Name" and fmt == "name" else AGE_DESC if name in ("Age", "Created At") else name
        out.append({"name": name, "type": typ, "format": fmt, "description": desc, "priority": prio})
    return out


def partial_metadata(obj: Obj) -> Obj:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": _obj(obj.get("metadata"))}


def row(
    info: ResourceInfo, obj: Obj, now_s: float, include_object: str = "Metadata", strategy: Strategy | None = None
) -> Obj:
    _, printer = _printer(info, strategy)
    r: Obj = {"cells": printer(obj, now_s)}
    if include_object == "Object":
        full = dict(obj)
        full.setdefault("kind", info.kind)
        full.setdefault("apiVersion", info.api_version)
        r["object"] = full
    elif include_object != "None":
        r["object"] = partial_metadata(obj)
    return r


def to_table(
    info: ResourceInfo,
    items: list[Obj],
    now_s: float,
    *,
    list_meta: Obj | None = None,
    include_object: str = "Metadata",
    headers: bool = True,
    strategy: Strategy | None = None,
) -> Obj:
    """A ``meta.k8s.io/v1`` Table for ``items`` (one row each, in order)."""
    table: Obj = {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": dict(list_meta or {}),
        "columnDefinitions": column_definitions(info, strategy) if headers else [],
        "rows": [row(info, it, now_s, include_object, strategy) for it in items],
    }
    return table
