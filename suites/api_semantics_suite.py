"""API semantics through the Cluster protocol.

Valid objects of every kind are applied, re-applied with a new label or a changed spec, scaled
and deleted; deliberately invalid manifests are applied and must be refused. Checked against
what the real API server does (kube-apiserver registry strategies, ``pkg/apis/*/v1/defaults.go``,
``apimachinery/pkg/api/errors``):

- apply then get returns what was applied, plus real defaults: Deployment RollingUpdate
  25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600; StatefulSet OrderedReady with
  RollingUpdate partition 0; DaemonSet RollingUpdate maxUnavailable 1 maxSurge 0; Job
  completionMode NonIndexed, parallelism 1 (completions 1 when neither is set); pod
  terminationGracePeriodSeconds 30, dnsPolicy ClusterFirst, schedulerName default-scheduler;
  Service type ClusterIP, sessionAffinity None, port protocol TCP, targetPort = port.
- every write that changes an object gives it a resourceVersion above every one seen before;
  ``metadata.generation`` starts at 1 and grows by one on a spec change, not on a label change.
- an invalid manifest is refused with 422 ``Invalid`` whose ``details.causes`` hold the planted
  field and reason, and nothing is created.
- deleting a missing object is 404 (``Cluster.delete`` returns False); a deleted ConfigMap is
  gone at once.
- the scale subresource: scaling sets ``spec.replicas`` and the object reports it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from kconform.stateful import KconformMachine, suite_test
from kconform.strategies import (
    configmaps,
    daemonsets,
    deployments,
    invalid_manifests,
    jobs,
    names,
    namespaces,
    pods,
    replicasets,
    services,
    statefulsets,
)
from suites.batch_suite import schedulable_daemonset

Manifest = dict[str, Any]
Obj = Mapping[str, Any]
Key = tuple[str, str]  # (resource, name)

RESOURCES: dict[str, str] = {
    "Deployment": "deployments",
    "ReplicaSet": "replicasets",
    "StatefulSet": "statefulsets",
    "DaemonSet": "daemonsets",
    "Job": "jobs",
    "Pod": "pods",
    "Service": "services",
    "ConfigMap": "configmaps",
}
SCALABLE = ("deployments", "replicasets", "statefulsets")
# Kinds whose generation the API server tracks (pods and config objects have none that moves).
GENERATION_KINDS = ("deployments", "replicasets", "statefulsets", "daemonsets", "jobs")
_REPLICAS = st.integers(0, 2)


def _meta(obj: Obj) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _rv(obj: Obj) -> int:
    return int(_meta(obj).get("resourceVersion") or 0)


def missing_fields(applied: Any, stored: Any, path: str = "") -> list[str]:
    """Paths where ``stored`` lacks what ``applied`` set (stored may add defaults, not change values).

    Lists are compared item by item (same length), except ``tolerations``, to which admission
    (DefaultTolerationSeconds) appends; quantities and ints compare as sent.
    """
    if isinstance(applied, Mapping):
        if not isinstance(stored, Mapping):
            return [f"{path or '.'}: {stored!r} is not a map"]
        out: list[str] = []
        for key, value in applied.items():
            sub = f"{path}.{key}" if path else str(key)
            if key not in stored:
                out.append(f"{sub}: missing")
            else:
                out.extend(missing_fields(value, stored[key], sub))
        return out
    if isinstance(applied, list) and path.endswith("tolerations") and isinstance(stored, list):
        return [f"{path}: {item!r} missing" for item in applied if not any(not missing_fields(item, s) for s in stored)]
    if isinstance(applied, list):
        if not isinstance(stored, list) or len(stored) != len(applied):
            return [f"{path}: {stored!r} instead of {applied!r}"]
        return [m for i, (a, s) in enumerate(zip(applied, stored, strict=True)) for m in missing_fields(a, s, f"{path}[{i}]")]
    if applied != stored:
        return [f"{path}: {stored!r} instead of {applied!r}"]
    return []


def _pod_spec_defaults(spec: Obj, applied: Obj, where: str) -> list[str]:
    out = []
    if "terminationGracePeriodSeconds" not in applied and spec.get("terminationGracePeriodSeconds") != 30:
        out.append(f"{where}.terminationGracePeriodSeconds: {spec.get('terminationGracePeriodSeconds')!r}, want 30")
    if spec.get("dnsPolicy") != "ClusterFirst":
        out.append(f"{where}.dnsPolicy: {spec.get('dnsPolicy')!r}, want 'ClusterFirst'")
    if spec.get("schedulerName") != "default-scheduler":
        out.append(f"{where}.schedulerName: {spec.get('schedulerName')!r}, want 'default-scheduler'")
    return out


def wrong_defaults(applied: Obj, stored: Obj) -> list[str]:
    """Real defaults the API server must have filled in where ``applied`` left fields out."""
    kind = applied["kind"]
    a_spec: Mapping[str, Any] = applied.get("spec") or {}
    spec: Mapping[str, Any] = stored.get("spec") or {}
    out: list[str] = []

    def want(path: str, have: Any, value: Any) -> None:
        if have != value:
            out.append(f"spec.{path}: {have!r}, want {value!r}")

    if kind == "Deployment":
        if "strategy" not in a_spec:
            want("strategy", spec.get("strategy"),
                 {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}})
        if "revisionHistoryLimit" not in a_spec:
            want("revisionHistoryLimit", spec.get("revisionHistoryLimit"), 10)
        want("progressDeadlineSeconds", spec.get("progressDeadlineSeconds"), 600)
    elif kind == "StatefulSet":
        if "podManagementPolicy" not in a_spec:
            want("podManagementPolicy", spec.get("podManagementPolicy"), "OrderedReady")
        if "updateStrategy" not in a_spec:
            want("updateStrategy", spec.get("updateStrategy"), {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})
        want("revisionHistoryLimit", spec.get("revisionHistoryLimit"), 10)
    elif kind == "DaemonSet":
        if "updateStrategy" not in a_spec:
            want("updateStrategy", spec.get("updateStrategy"),
                 {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})
        want("revisionHistoryLimit", spec.get("revisionHistoryLimit"), 10)
    elif kind == "Job":
        if "completionMode" not in a_spec:
            want("completionMode", spec.get("completionMode"), "NonIndexed")
        if "parallelism" not in a_spec:
            want("parallelism", spec.get("parallelism"), 1)
        if "parallelism" not in a_spec and "completions" not in a_spec:
            want("completions", spec.get("completions"), 1)
    elif kind == "Service":
        if "type" not in a_spec:
            want("type", spec.get("type"), "ClusterIP")
        want("sessionAffinity", spec.get("sessionAffinity"), "None")
        for i, (a_port, port) in enumerate(zip(a_spec.get("ports") or [], spec.get("ports") or [], strict=False)):
            want(f"ports[{i}].protocol", port.get("protocol"), a_port.get("protocol", "TCP"))
            want(f"ports[{i}].targetPort", port.get("targetPort"), a_port.get("targetPort", a_port.get("port")))
    if kind == "Pod":
        out.extend(_pod_spec_defaults(spec, a_spec, "spec"))
    elif "template" in a_spec:
        out.extend(_pod_spec_defaults((spec.get("template") or {}).get("spec") or {},
                                      a_spec["template"].get("spec") or {}, "spec.template.spec"))
    return out


def valid_manifests(ns: str) -> st.SearchStrategy[Manifest]:
    return st.one_of(
        deployments(ns, replicas=_REPLICAS, healthy=True),
        configmaps(ns),
        services(ns),
        replicasets(ns, replicas=_REPLICAS, healthy=True),
        statefulsets(ns, healthy=True),
        daemonsets(ns, healthy=True).map(schedulable_daemonset),
        jobs(ns, healthy=True),
        pods(ns, healthy=True),
    )


class ApiSemanticsMachine(KconformMachine):
    suite_name = "api-semantics"

    def __init__(self) -> None:
        super().__init__()
        self.ns = ""
        self.objects: dict[Key, Manifest] = {}
        self.max_rv = 0

    @initialize(ns=namespaces())
    def create_namespace(self, ns: Manifest) -> None:
        self.ns = ns["metadata"]["name"]
        self.run({"op": "apply", "manifest": ns})

    # -- helpers ------------------------------------------------------------------------------------
    def _get(self, resource: str, name: str) -> Obj | None:
        return self.cluster.get(resource, name, self.ns)

    def _write(self, manifest: Manifest) -> Obj:
        """Apply a valid manifest; it must be accepted, stored as sent, with a newer resourceVersion."""
        resource = RESOURCES[manifest["kind"]]
        name = manifest["metadata"]["name"]
        floor = self.max_rv
        before = self._get(resource, name)
        same_as_before = before is not None and self.objects.get((resource, name)) == manifest
        result = self.run({"op": "apply", "manifest": manifest})
        if not result.ok:
            self.fail(f"valid {manifest['kind']} {self.ns}/{name} refused: {result.detail}")
        stored = self._get(resource, name)
        if stored is None:
            self.fail(f"{manifest['kind']} {self.ns}/{name} was accepted but a get finds nothing")
            raise AssertionError  # unreachable: fail raises
        if same_as_before and before is not None and _rv(stored) == _rv(before):
            pass  # re-applying what is already there is a no-op: no write, no new resourceVersion
        elif _rv(stored) <= floor:
            self.fail(f"{manifest['kind']} {self.ns}/{name} written, yet its resourceVersion {_rv(stored)} "
                      f"is not above {floor}, the newest seen before the write")
        self.max_rv = max(self.max_rv, _rv(stored))
        missing = missing_fields(manifest, stored)
        if missing:
            self.fail(f"get {manifest['kind']} {self.ns}/{name} differs from what was applied: " + "; ".join(missing[:5]))
        self.objects[(resource, name)] = manifest
        return stored

    # -- rules --------------------------------------------------------------------------------------
    @rule(data=st.data())
    def apply_new(self, data: st.DataObject) -> None:
        manifest = data.draw(valid_manifests(self.ns))
        key = (RESOURCES[manifest["kind"]], manifest["metadata"]["name"])
        if self._get(*key) is not None:
            return  # a same-named object: re-applying another spec may hit immutable fields
        stored = self._write(manifest)
        meta = _meta(stored)
        if not meta.get("uid") or not meta.get("creationTimestamp"):
            self.fail(f"{manifest['kind']} {self.ns}/{key[1]} stored without uid or creationTimestamp: {dict(meta)}")
        if key[0] in GENERATION_KINDS and meta.get("generation") != 1:
            self.fail(f"new {manifest['kind']} {self.ns}/{key[1]} has generation {meta.get('generation')}, want 1")
        wrong = wrong_defaults(manifest, stored)
        if wrong:
            self.fail(f"new {manifest['kind']} {self.ns}/{key[1]} lacks real defaults: " + "; ".join(wrong))

    @precondition(lambda self: any(k[0] != "pods" for k in self.objects))
    @rule(data=st.data(), value=st.sampled_from(("a", "b", "c")))
    def relabel(self, data: st.DataObject, value: str) -> None:
        """A label change: a new resourceVersion, the same generation."""
        # not Pods: admission added tolerations the re-applied spec would drop, which a pod
        # update may not do ("existing toleration can not be modified")
        key = data.draw(st.sampled_from(sorted(k for k in self.objects if k[0] != "pods")), label="object")
        before = self._get(*key)
        if before is None or _meta(before).get("deletionTimestamp"):
            return
        manifest = copy.deepcopy(self.objects[key])
        labels = manifest["metadata"].setdefault("labels", {})
        if labels.get("team") == value:
            value = value + "x"
        labels["team"] = value
        after = self._write(manifest)
        if key[0] in GENERATION_KINDS and _meta(after).get("generation") != _meta(before).get("generation"):
            self.fail(f"{key[0]} {self.ns}/{key[1]}: a label change moved generation "
                      f"{_meta(before).get('generation')} -> {_meta(after).get('generation')}")

    @precondition(lambda self: any(k[0] in SCALABLE for k in self.objects))
    @rule(data=st.data(), replicas=st.integers(0, 3), via_scale=st.booleans())
    def scale(self, data: st.DataObject, replicas: int, via_scale: bool) -> None:
        """A spec change, through the scale subresource or an apply: generation + 1 when it changes."""
        key = data.draw(st.sampled_from(sorted(k for k in self.objects if k[0] in SCALABLE)), label="object")
        before = self._get(*key)
        if before is None or _meta(before).get("deletionTimestamp"):
            return
        old = int((before.get("spec") or {}).get("replicas", 1))
        if via_scale:
            floor = self.max_rv
            result = self.run({"op": "scale", "resource": key[0], "name": key[1], "namespace": self.ns, "replicas": replicas})
            if not result.ok:
                self.fail(f"scale {key[0]} {self.ns}/{key[1]} to {replicas} refused: {result.detail}")
            after = self._get(*key)
            if after is None:
                self.fail(f"{key[0]} {self.ns}/{key[1]} gone after scale")
                return
            if replicas != old and _rv(after) <= floor:
                self.fail(f"scale of {key[0]} {self.ns}/{key[1]} kept resourceVersion {_rv(after)} <= {floor}")
            self.max_rv = max(self.max_rv, _rv(after))
            self.objects[key]["spec"]["replicas"] = replicas
        else:
            manifest = copy.deepcopy(self.objects[key])
            manifest["spec"]["replicas"] = replicas
            after = self._write(manifest)
        have = (after.get("spec") or {}).get("replicas")
        if have != replicas:
            self.fail(f"{key[0]} {self.ns}/{key[1]} scaled to {replicas} reports spec.replicas {have}")
        want_gen = int(_meta(before).get("generation") or 0) + (1 if replicas != old else 0)
        if _meta(after).get("generation") != want_gen:
            self.fail(f"{key[0]} {self.ns}/{key[1]}: spec.replicas {old} -> {replicas} moved generation "
                      f"{_meta(before).get('generation')} -> {_meta(after).get('generation')}, want {want_gen}")

    @rule(case=invalid_manifests())
    def apply_invalid(self, case: Any) -> None:
        manifest = copy.deepcopy(case.manifest)
        manifest["metadata"]["namespace"] = self.ns
        if case.field == "spec.completions" and manifest["kind"] == "Job":
            # without parallelism too, SetDefaults_Job sets completions to 1 and the Job is valid
            manifest["spec"].setdefault("parallelism", 1)
        resource = RESOURCES[manifest["kind"]]
        name = manifest["metadata"]["name"]
        if name and self._get(resource, name) is not None:
            # The planted defect is a create's: applied over an existing object, real server-side
            # apply would first drop the fields this manager stops sending (the reference's
            # apply merges instead; see reference_impl/apiserver/patch.py), so it is not the same
            # request. Create a fresh object instead.
            name = f"{name}-new"[:40]
            manifest["metadata"]["name"] = name
        before = self._get(resource, name) if name else None
        result = self.run({
            "op": "apply-invalid", "manifest": manifest,
            "expect_field": case.field, "expect_reason": case.reason,
        })
        what = f"{case.description} ({manifest['kind']} {self.ns}/{name})"
        if result.ok:
            self.fail(f"{what} was accepted; want 422 {case.reason} at {case.field}")
        status = result.status or {}
        if status.get("code") != 422 or status.get("reason") != "Invalid":
            self.fail(f"{what}: got {status.get('code')} {status.get('reason')}, want 422 Invalid ({result.detail})")
        causes = (status.get("details") or {}).get("causes") or []
        if not any(c.get("field") == case.field and c.get("reason") == case.reason for c in causes):
            self.fail(f"{what}: no cause {case.reason} at {case.field} among {causes}")
        after = self._get(resource, name) if name else None
        if before is None and after is not None:
            self.fail(f"{what} was refused, yet {resource} {self.ns}/{name} now exists")
        if before is not None and after is not None and _rv(after) != _rv(before) and not self._moved_by_controllers(resource):
            self.fail(f"{what} was refused, yet {resource} {self.ns}/{name} changed")

    @staticmethod
    def _moved_by_controllers(resource: str) -> bool:
        return resource not in ("configmaps",)

    @rule(name=names(prefix="missing-"), resource=st.sampled_from(sorted(RESOURCES.values())))
    def delete_missing(self, name: str, resource: str) -> None:
        if self._get(resource, name) is not None:
            return
        result = self.run({"op": "delete", "resource": resource, "name": name, "namespace": self.ns})
        if not result.ok or result.detail != "already gone":
            self.fail(f"deleting missing {resource} {self.ns}/{name}: {result.detail}, want 404 (already gone)")

    @precondition(lambda self: any(k[0] == "configmaps" for k in self.objects))
    @rule(data=st.data())
    def delete_configmap(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(k for k in self.objects if k[0] == "configmaps")), label="configmap")
        first = self.run({"op": "delete", "resource": "configmaps", "name": key[1], "namespace": self.ns})
        if not first.ok or first.detail != "deleted":
            self.fail(f"deleting existing configmap {self.ns}/{key[1]}: {first.detail}")
        if self._get(*key) is not None:
            self.fail(f"configmap {self.ns}/{key[1]} (no finalizers) still present after delete")
        again = self.run({"op": "delete", "resource": "configmaps", "name": key[1], "namespace": self.ns})
        if again.detail != "already gone":
            self.fail(f"deleting configmap {self.ns}/{key[1]} twice: second gave {again.detail}, want 404")
        del self.objects[key]
        self.note_deleted("configmaps", self.ns, key[1], "Background")

    @rule(seconds=st.sampled_from((1, 10, 60)))
    def advance(self, seconds: int) -> None:
        self.run({"op": "advance", "seconds": seconds})


TestApiSemantics = suite_test(ApiSemanticsMachine)
