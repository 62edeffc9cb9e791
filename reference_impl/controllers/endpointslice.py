"""The EndpointSlice and Endpoints controllers (part of kube-controller-manager).

Models ``pkg/controller/endpointslice/endpointslice_controller.go`` with
``staging/src/k8s.io/endpointslice/reconciler.go`` (``podToEndpoint``, ``getEndpointPorts``,
``ShouldPodBeInEndpoints``, the placeholder slice) and
``pkg/controller/endpoint/endpoints_controller.go`` (subsets with ``addresses`` and
``notReadyAddresses``, repacked by port set).

For every Service with a selector (and not ExternalName): pods of its namespace that match the
selector, have an IP and are not terminal become endpoints. Conditions: ``serving`` = pod
Ready, ``terminating`` = deletionTimestamp set, ``ready`` = serving and not terminating;
``publishNotReadyAddresses`` makes ready and serving true. Ports resolve per pod (a named
``targetPort`` through the pod's container ports; a pod that cannot resolve a port gets no
entry for it), and endpoints are grouped into slices by their resolved port list, at most 100
per slice. Existing slices are kept, endpoints stay in the slice they are in, and a slice is
written only when its content changes; a service with no endpoints keeps one empty placeholder
slice. The informer may lag behind the controller's own writes, so a service whose slices in
the cache are older than what the controller wrote is retried later (upstream's
``endpointSliceTracker``).

As upstream, services without a selector are left alone (their slices and Endpoints are
user-managed), slices are deleted when the Service is deleted (the garbage collector would do
it too, through the ownerReference), and the Endpoints object carries no ownerReference.

Leaves out: dual-stack (IPv4 only, from ``status.podIP``), topology hints and traffic
distribution, the ``last-change-trigger-time`` annotation, batching of syncs
(``endpointUpdatesBatchPeriod``), the 1000-address truncation of Endpoints, and the reconciler's
churn-minimising packing of new endpoints into partly full slices beyond "fill what is being
updated anyway, then the fullest other slice, then a new slice".
"""

from __future__ import annotations

import copy
from typing import Any

from reference_impl.apiserver import ApiError
from reference_impl.client import Component, Informer, obj_key
from reference_impl.controllers import _podutil as pu

Obj = dict[str, Any]

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
CONTROLLER_NAME = "endpointslice-controller.k8s.io"
HEADLESS_LABEL = "service.kubernetes.io/headless"
ZONE_LABEL = "topology.kubernetes.io/zone"
MAX_ENDPOINTS_PER_SLICE = 100
_SELECTING_NS_INDEX = "endpointslice/selecting-namespace"
_SLICE_SERVICE_INDEX = "endpointslice/service"


# -- shared helpers -------------------------------------------------------------------------------
def _selecting_ns_index(svc: Obj) -> list[str]:
    # only Services with a selector can select pods: namespaces without one skip pod events cheaply
    return pu.namespace_index(svc) if (svc.get("spec") or {}).get("selector") else []


def service_selects(svc: Obj, pod: Obj) -> bool:
    """A Service's ``spec.selector`` is a plain label map (``labels.Set(...).AsSelector``)."""
    sel = (svc.get("spec") or {}).get("selector") or {}
    if not sel:
        return False
    labels = pod["metadata"].get("labels") or {}
    return all(labels.get(k) == v for k, v in sel.items())


def has_selector(svc: Obj) -> bool:
    spec = svc.get("spec") or {}
    return bool(spec.get("selector")) and spec.get("type") != "ExternalName"


def pod_ready(pod: Obj) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True" for c in (pod.get("status") or {}).get("conditions") or []
    )


def should_be_in_endpoints(pod: Obj, *, include_terminating: bool) -> bool:
    """``endpointutil.ShouldPodBeInEndpoints``."""
    status = pod.get("status") or {}
    if status.get("phase") in ("Succeeded", "Failed"):
        return False
    if not status.get("podIP") and not status.get("podIPs"):
        return False
    return include_terminating or not pod["metadata"].get("deletionTimestamp")


def pod_ip(pod: Obj) -> str:
    status = pod.get("status") or {}
    return str(status.get("podIP") or ((status.get("podIPs") or [{}])[0]).get("ip") or "")


def find_port(pod: Obj, svc_port: Obj) -> int | None:
    """``podutil.FindPort``: a named targetPort resolves through the pod's container ports."""
    target = svc_port.get("targetPort")
    if target in (None, "", 0):
        target = svc_port.get("port")
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    protocol = svc_port.get("protocol") or "TCP"
    for c in (pod.get("spec") or {}).get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") == target and (p.get("protocol") or "TCP") == protocol:
                return int(p["containerPort"])
    return None


def endpoint_ports(svc: Obj, pod: Obj) -> list[Obj]:
    """``getEndpointPorts``: one entry per service port the pod resolves."""
    out: list[Obj] = []
    for sp in (svc.get("spec") or {}).get("ports") or []:
        num = find_port(pod, sp)
        if num is None:
            continue
        port: Obj = {"name": sp.get("name") or "", "port": num, "protocol": sp.get("protocol") or "TCP"}
        if sp.get("appProtocol"):
            port["appProtocol"] = sp["appProtocol"]
        out.append(port)
    return out


def _should_set_hostname(pod: Obj, svc: Obj) -> bool:
    spec = pod.get("spec") or {}
    return bool(spec.get("hostname")) and spec.get("subdomain") == svc["metadata"]["name"]


def _ports_key(ports: list[Obj]) -> tuple[tuple[str, int, str, str], ...]:
    return tuple(
        sorted((p.get("name") or "", int(p.get("port") or 0), p.get("protocol") or "TCP", p.get("appProtocol") or "") for p in ports)
    )


def _ep_key(ep: Obj) -> str:
    ref = ep.get("targetRef") or {}
    return str(ref.get("uid") or ",".join(ep.get("addresses") or []))


def _pod_view(pod: Obj) -> tuple[Any, ...]:
    """What of a pod endpoints depend on (``podEndpointsChanged``)."""
    meta, spec, status = pod["metadata"], pod.get("spec") or {}, pod.get("status") or {}
    return (
        meta.get("labels"),
        meta.get("deletionTimestamp"),
        spec.get("nodeName"),
        spec.get("hostname"),
        spec.get("subdomain"),
        status.get("phase"),
        status.get("podIP"),
        status.get("podIPs"),
        pod_ready(pod),
    )


class _ServicePods:
    """The informers both controllers share, and the service ↔ pod lookups they need."""

    def __init__(self, ctx: Component) -> None:
        self.services = ctx.informers.informer("services")
        self.pods = ctx.informers.informer("pods")
        self.nodes = ctx.informers.informer("nodes")
        self.services.add_index(_SELECTING_NS_INDEX, _selecting_ns_index)
        pu.ensure_index(self.pods, pu.INDEX_NAMESPACE, pu.namespace_index)  # shared with other controllers

    def services_for_pod(self, pod: Obj) -> list[str]:
        ns = pod["metadata"].get("namespace") or ""
        return sorted(obj_key(s) for s in self.services.by_index(_SELECTING_NS_INDEX, ns) if service_selects(s, pod))

    def pods_for_service(self, svc: Obj) -> list[Obj]:
        ns = svc["metadata"].get("namespace") or ""
        return sorted(
            (p for p in self.pods.by_index(pu.INDEX_NAMESPACE, ns) if service_selects(svc, p)),
            key=lambda p: p["metadata"]["name"],
        )

    def watch(self, queue_add: Any) -> None:
        def svc_event(*objs: Obj) -> None:
            queue_add(obj_key(objs[-1]))

        def pod_added(pod: Obj) -> None:
            for k in self.services_for_pod(pod):
                queue_add(k)

        def pod_updated(old: Obj, new: Obj) -> None:
            ns = new["metadata"].get("namespace") or ""
            if not self.services.has_index_value(_SELECTING_NS_INDEX, ns) or _pod_view(old) == _pod_view(new):
                return
            keys = set(self.services_for_pod(new))
            if (old["metadata"].get("labels") or {}) != (new["metadata"].get("labels") or {}):
                keys.update(self.services_for_pod(old))
            for k in sorted(keys):
                queue_add(k)

        self.services.add_handler(svc_event, svc_event, svc_event)
        self.pods.add_handler(pod_added, pod_updated, pod_added)


# -- EndpointSlices -------------------------------------------------------------------------------
class EndpointSliceController:
    """Keeps each selector Service's EndpointSlices equal to its matching pods."""

    def __init__(self, ctx: Component) -> None:
        self.ctx = ctx
        # service key -> slice name -> resourceVersion written (None = deleted, "" = created, unknown)
        self._expected: dict[str, dict[str, int | None]] = {}
        self.slices: Informer

    def setup(self) -> None:
        ctx = self.ctx
        self.sp = _ServicePods(ctx)
        self.slices = ctx.informers.informer("endpointslices", label_selector=f"{MANAGED_BY_LABEL}={CONTROLLER_NAME}")
        self.slices.add_index(_SLICE_SERVICE_INDEX, _slice_service)
        self.queue = ctx.queue(self.sync, name="endpointslice")
        self.sp.watch(self.queue.add)

        def slice_event(*objs: Obj) -> None:
            for k in _slice_service(objs[-1]):
                self.queue.add(k)

        self.slices.add_handler(slice_event, slice_event, slice_event)

    # -- sync -----------------------------------------------------------------------------------------
    def _stale(self, key: str) -> bool:
        exp = self._expected.get(key)
        if not exp:
            return False
        ns = key.split("/", 1)[0]
        for name, rv in list(exp.items()):
            cached = self.slices.get_by(name, ns)
            if rv is None:
                ok = cached is None
            else:
                ok = cached is not None and int(cached["metadata"].get("resourceVersion") or 0) >= rv
            if ok:
                del exp[name]
        if not exp:
            del self._expected[key]
            return False
        return True

    def _expect(self, key: str, name: str, rv: int | None) -> None:
        self._expected.setdefault(key, {})[name] = rv

    def sync(self, key: str) -> None:
        if self._stale(key):
            self.queue.add_rate_limited(key)  # the cache has not seen our own writes yet
            return
        self.queue.forget(key)
        svc = self.sp.services.get(key)
        existing: list[Obj] = sorted(self.slices.by_index(_SLICE_SERVICE_INDEX, key), key=lambda s: s["metadata"]["name"])
        if svc is None:
            # upstream syncService returns on NotFound: the slices are owned by the Service and
            # the garbage collector removes them (or orphans them, for propagationPolicy Orphan)
            self._expected.pop(key, None)
            return
        if not has_selector(svc):
            return  # selectorless services get their slices out of band, as upstream
        existing = [s for s in existing if _owned_by(s, svc)]
        desired = self._desired(svc)
        self._reconcile(key, svc, existing, desired)

    def _desired(self, svc: Obj) -> dict[tuple[tuple[str, int, str, str], ...], tuple[list[Obj], list[Obj]]]:
        """Port-set key → (ports, endpoints), pods in name order."""
        spec = svc.get("spec") or {}
        publish = bool(spec.get("publishNotReadyAddresses"))
        groups: dict[tuple[tuple[str, int, str, str], ...], tuple[list[Obj], list[Obj]]] = {}
        for pod in self.sp.pods_for_service(svc):
            if not should_be_in_endpoints(pod, include_terminating=True):
                continue
            ports = endpoint_ports(svc, pod)
            gk = _ports_key(ports)
            groups.setdefault(gk, (ports, []))[1].append(self._endpoint(svc, pod, publish))
        return groups

    def _endpoint(self, svc: Obj, pod: Obj, publish: bool) -> Obj:
        meta = pod["metadata"]
        serving = publish or pod_ready(pod)
        terminating = bool(meta.get("deletionTimestamp"))
        ep: Obj = {
            "addresses": [pod_ip(pod)],
            "conditions": {"ready": publish or (serving and not terminating), "serving": serving, "terminating": terminating},
            "targetRef": {"kind": "Pod", "namespace": meta["namespace"], "name": meta["name"], "uid": meta.get("uid", "")},
        }
        node_name = (pod.get("spec") or {}).get("nodeName")
        if node_name:
            ep["nodeName"] = node_name
            node = self.sp.nodes.get_by(node_name)
            zone = ((node or {}).get("metadata", {}).get("labels") or {}).get(ZONE_LABEL)
            if zone:
                ep["zone"] = zone
        if _should_set_hostname(pod, svc):
            ep["hostname"] = pod["spec"]["hostname"]
        return ep

    def _reconcile(
        self,
        key: str,
        svc: Obj,
        existing: list[Obj],
        desired: dict[tuple[tuple[str, int, str, str], ...], tuple[list[Obj], list[Obj]]],
    ) -> None:
        by_group: dict[tuple[tuple[str, int, str, str], ...], list[Obj]] = {}
        for s in existing:
            by_group.setdefault(_ports_key(s.get("ports") or []), []).append(s)
        labels = _slice_labels(svc)
        to_delete: list[Obj] = []
        remaining = 0
        for gk in sorted(set(by_group) | set(desired)):
            slices = by_group.get(gk, [])
            if gk not in desired:
                to_delete.extend(slices)
                continue
            ports, wanted = desired[gk]
            want = {_ep_key(e): e for e in wanted}
            placed: set[str] = set()
            plan: list[tuple[Obj, list[Obj], bool]] = []  # slice, endpoints, changed
            for s in slices:
                eps: list[Obj] = []
                changed = False
                for e in s.get("endpoints") or []:
                    k = _ep_key(e)
                    if k in want and k not in placed:
                        placed.add(k)
                        eps.append(want[k])
                        changed = changed or want[k] != e
                    else:
                        changed = True
                plan.append((s, eps, changed))
            fresh = [e for e in wanted if _ep_key(e) not in placed]
            # new endpoints go first into slices being written anyway, then into the fullest others
            for i in sorted(range(len(plan)), key=lambda i: (not plan[i][2], -len(plan[i][1]))):
                s, eps, changed = plan[i]
                room = MAX_ENDPOINTS_PER_SLICE - len(eps)
                if fresh and room > 0:
                    eps.extend(fresh[:room])
                    fresh = fresh[room:]
                    changed = True
                plan[i] = (s, eps, changed)
            for s, eps, changed in plan:
                if not eps:
                    to_delete.append(s)
                    continue
                remaining += 1
                if changed or _labels_differ(s, labels):
                    self._write(key, s, labels, ports, eps)
            while fresh:
                self._create(key, svc, labels, ports, fresh[:MAX_ENDPOINTS_PER_SLICE])
                fresh = fresh[MAX_ENDPOINTS_PER_SLICE:]
                remaining += 1
        if remaining == 0:
            # a service with no endpoints keeps exactly one empty placeholder slice
            keep = next((s for s in to_delete if not s.get("endpoints") and not s.get("ports")), None)
            if keep is None:
                self._create(key, svc, labels, [], [])
            else:
                to_delete.remove(keep)
                if _labels_differ(keep, labels):
                    self._write(key, keep, labels, [], [])
        for s in to_delete:
            self._delete(key, s)

    # -- writes ---------------------------------------------------------------------------------------
    def _create(self, key: str, svc: Obj, labels: dict[str, str], ports: list[Obj], eps: list[Obj]) -> None:
        meta = svc["metadata"]
        body: Obj = {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "generateName": f"{meta['name'][:57]}-",
                "namespace": meta["namespace"],
                "labels": dict(labels),
                "ownerReferences": [
                    {
                        "apiVersion": "v1",
                        "kind": "Service",
                        "name": meta["name"],
                        "uid": meta.get("uid", ""),
                        "controller": True,
                        "blockOwnerDeletion": True,
                    }
                ],
            },
            "addressType": "IPv4",
            "endpoints": copy.deepcopy(eps),
            "ports": copy.deepcopy(ports),
        }
        try:
            made = self.ctx.client.create("endpointslices", body, meta["namespace"])
        except ApiError as e:
            if e.code == 403:  # the namespace is terminating: nothing to publish
                return
            raise
        self._expect(key, made["metadata"]["name"], int(made["metadata"]["resourceVersion"]))

    def _write(self, key: str, current: Obj, labels: dict[str, str], ports: list[Obj], eps: list[Obj]) -> None:
        new = copy.deepcopy(current)
        new["metadata"]["labels"] = dict(labels)
        new["endpoints"] = copy.deepcopy(eps)
        new["ports"] = copy.deepcopy(ports)
        if new == current:
            return
        out = self.ctx.client.update("endpointslices", new, current["metadata"]["namespace"])
        self._expect(key, out["metadata"]["name"], int(out["metadata"]["resourceVersion"]))

    def _delete(self, key: str, s: Obj) -> None:
        try:
            self.ctx.client.delete("endpointslices", s["metadata"]["name"], s["metadata"]["namespace"])
        except ApiError as e:
            if e.code != 404:
                raise
        self._expect(key, s["metadata"]["name"], None)


def _slice_service(s: Obj) -> list[str]:
    name = (s["metadata"].get("labels") or {}).get(SERVICE_NAME_LABEL)
    return [f"{s['metadata'].get('namespace')}/{name}"] if name else []


def _labels_differ(s: Obj, labels: dict[str, str]) -> bool:
    return (s["metadata"].get("labels") or {}) != labels


def _owned_by(s: Obj, svc: Obj) -> bool:
    uid = svc["metadata"].get("uid")
    refs = s["metadata"].get("ownerReferences") or []
    return not refs or any(r.get("uid") == uid for r in refs)


def _slice_labels(svc: Obj) -> dict[str, str]:
    """``setEndpointSliceLabels``: the service's labels plus the controller's own."""
    labels = {
        k: v
        for k, v in (svc["metadata"].get("labels") or {}).items()
        if k not in (SERVICE_NAME_LABEL, MANAGED_BY_LABEL, HEADLESS_LABEL)
    }
    if (svc.get("spec") or {}).get("clusterIP") == "None":
        labels[HEADLESS_LABEL] = ""
    labels[SERVICE_NAME_LABEL] = svc["metadata"]["name"]
    labels[MANAGED_BY_LABEL] = CONTROLLER_NAME
    return labels


# -- Endpoints ------------------------------------------------------------------------------------
class EndpointsController:
    """Keeps the core/v1 Endpoints object of each selector Service in step with its pods."""

    def __init__(self, ctx: Component) -> None:
        self.ctx = ctx
        self.endpoints: Informer

    def setup(self) -> None:
        ctx = self.ctx
        self.sp = _ServicePods(ctx)
        self.endpoints = ctx.informers.informer("endpoints")
        self.queue = ctx.queue(self.sync, name="endpoint")
        self.sp.watch(self.queue.add)

        def ep_event(*objs: Obj) -> None:
            self.queue.add(obj_key(objs[-1]))

        self.endpoints.add_handler(None, None, ep_event)

    def sync(self, key: str) -> None:
        ns, name = key.split("/", 1)
        svc = self.sp.services.get(key)
        client = self.ctx.client
        if svc is None:
            try:
                client.delete("endpoints", name, ns)
            except ApiError as e:
                if e.code != 404:
                    raise
            return
        if not has_selector(svc):
            return
        subsets = self.subsets(svc)
        labels = {k: v for k, v in (svc["metadata"].get("labels") or {}).items() if k != HEADLESS_LABEL}
        if (svc.get("spec") or {}).get("clusterIP") == "None":
            labels[HEADLESS_LABEL] = ""
        # a live GET, as upstream does before writing, so a lagging cache cannot cause a conflict loop
        try:
            current: Obj | None = client.get("endpoints", name, ns)
        except ApiError as e:
            if e.code != 404:
                raise
            current = None
        if current is None:
            body: Obj = {
                "apiVersion": "v1",
                "kind": "Endpoints",
                "metadata": {"name": name, "namespace": ns, "labels": labels},
                "subsets": subsets,
            }
            try:
                client.create("endpoints", body, ns)
            except ApiError as e:
                if e.code != 403:  # namespace terminating
                    raise
            return
        if (current.get("subsets") or []) == subsets and (current["metadata"].get("labels") or {}) == labels:
            return
        new = copy.deepcopy(current)
        new["subsets"] = subsets
        new["metadata"]["labels"] = labels
        client.update("endpoints", new, ns)

    def subsets(self, svc: Obj) -> list[Obj]:
        """Addresses grouped by resolved port set (``endpoints.RepackSubsets``), sorted for stability."""
        spec = svc.get("spec") or {}
        publish = bool(spec.get("publishNotReadyAddresses"))
        headless_no_ports = spec.get("clusterIP") == "None" and not spec.get("ports")
        groups: dict[tuple[tuple[str, int, str, str], ...], tuple[list[Obj], list[Obj], list[Obj]]] = {}
        for pod in self.sp.pods_for_service(svc):
            if not should_be_in_endpoints(pod, include_terminating=publish):
                continue
            meta = pod["metadata"]
            addr: Obj = {"ip": pod_ip(pod)}
            if _should_set_hostname(pod, svc):
                addr["hostname"] = pod["spec"]["hostname"]
            if (pod.get("spec") or {}).get("nodeName"):
                addr["nodeName"] = pod["spec"]["nodeName"]
            addr["targetRef"] = {"kind": "Pod", "namespace": meta["namespace"], "name": meta["name"], "uid": meta.get("uid", "")}
            ready = publish or pod_ready(pod)
            ports = [] if headless_no_ports else endpoint_ports(svc, pod)
            if not ports and not headless_no_ports:
                continue
            gk = _ports_key(ports)
            g = groups.setdefault(gk, ([], [], []))
            if not g[0]:
                g[0].extend(sorted(ports, key=lambda p: (p["name"], p["port"], p["protocol"])))
            (g[1] if ready else g[2]).append(addr)
        out: list[Obj] = []
        for gk in sorted(groups):
            ports, ready_addrs, not_ready = groups[gk]
            subset: Obj = {}
            if ready_addrs:
                subset["addresses"] = sorted(ready_addrs, key=_addr_order)
            if not_ready:
                subset["notReadyAddresses"] = sorted(not_ready, key=_addr_order)
            if ports:
                subset["ports"] = ports
            out.append(subset)
        return out


def _addr_order(a: Obj) -> tuple[str, str]:
    return (a["ip"], (a.get("targetRef") or {}).get("uid", ""))
