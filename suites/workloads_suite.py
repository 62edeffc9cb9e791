"""Workloads: Deployments (RollingUpdate and Recreate) and ReplicaSets created, scaled, rolled
out to new images and deleted, with time passing between steps.

Beyond the base class's safety and liveness invariants, whenever the cluster has settled (a
drawn ``settle`` step, and at teardown) the suite checks what a user of ``kubectl`` relies on:

* every Deployment whose pods can all run serves the latest image the test set, on exactly the
  replica count it last asked for (through the scale subresource or the manifest);
* a Deployment or ReplicaSet deleted with ``Background``/``Foreground`` propagation leaves no
  ReplicaSet or pod of its own behind (the base class only sees dependents that still point at
  the owner; this also catches dependents wrongly orphaned);
* one deleted with ``Orphan`` leaves every dependent it had, released (no ownerReference to it).

Names are never reused within an example, so a dependent of a deleted owner can never be
adopted by a new owner and confuse the checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, consumes, initialize, precondition, rule

from kconform.backends.base import Manifest, Snapshot
from kconform.stateful import KconformMachine, example_namespace, suite_test
from kconform.strategies import (
    app_label,
    deployments,
    image_updates,
    replicasets,
    scale_targets,
)

PROPAGATION_POLICIES = ("Background", "Orphan", "Foreground")
ADVANCE_S = (5, 1, 10, 30, 60)
SETTLE_TIMEOUT_S = 120.0



@dataclass
class Workload:
    """What the test asked of one Deployment or ReplicaSet (the cluster's view is checked against it)."""

    kind: str
    name: str
    replicas: int
    images: dict[str, str]  # container name -> image
    healthy: bool


@dataclass
class Deleted:
    """A workload the test deleted, and what it owned at that moment."""

    kind: str
    name: str
    uid: str
    policy: str
    dependents: dict[str, str] = field(default_factory=dict)  # uid -> "replicaset x" / "pod y"


def _owned_by(obj: Manifest, owner_uid: str) -> bool:
    return any(ref.get("uid") == owner_uid for ref in obj.get("metadata", {}).get("ownerReferences") or [])


def _controller_uid(obj: Manifest) -> str | None:
    for ref in obj.get("metadata", {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return str(ref.get("uid"))
    return None


def _active(pod: Manifest) -> bool:
    return (
        not pod.get("metadata", {}).get("deletionTimestamp")
        and pod.get("status", {}).get("phase") not in ("Succeeded", "Failed")
    )


def _ready(pod: Manifest) -> bool:
    return any(
        c.get("type") == "Ready" and c.get("status") == "True" for c in pod.get("status", {}).get("conditions") or []
    )


class WorkloadsMachine(KconformMachine):
    suite_name = "workloads"
    # Long enough for every healthy pod to start and every old one to finish its grace period.
    # Not longer: a Deployment that completed and then lost a pod for good (unschedulable after a
    # scale-up, a crash loop) is requeued rate-limited forever once its progress deadline (600 s)
    # passes, as upstream's requeueStuckDeployment does, which makes long settles costly.
    settle_timeout_s = 300.0

    deployments_b = Bundle("deployments")
    replicasets_b = Bundle("replicasets")

    def __init__(self) -> None:
        super().__init__()
        self.ns = ""
        self.workloads: dict[tuple[str, str], Workload] = {}
        self.deleted: list[Deleted] = []
        self.used_names: set[tuple[str, str]] = set()

    # -- setup ------------------------------------------------------------------------------
    # -- creating ---------------------------------------------------------------------------
    def _create(self, kind: str, manifest: Manifest, healthy: bool) -> str:
        name = manifest["metadata"]["name"]
        assume((kind, name) not in self.used_names)
        self.used_names.add((kind, name))
        result = self.run({"op": "apply", "manifest": manifest})
        if not result.ok:
            self.fail(f"creating {kind} {self.ns}/{name} was rejected: {result.detail}")
        spec = manifest["spec"]
        containers = spec["template"]["spec"]["containers"]
        self.workloads[(kind, name)] = Workload(
            kind=kind,
            name=name,
            replicas=int(spec.get("replicas", 1)),
            images={c["name"]: c["image"] for c in containers},
            healthy=healthy,
        )
        return name

    @initialize(target=deployments_b, data=st.data(), healthy=st.booleans().map(lambda b: not b))
    def setup(self, data: st.DataObject, healthy: bool) -> str:
        """The example's namespace, and one Deployment in it so that scaling and rollouts
        always have a target (one initialize rule: hypothesis does not order them)."""
        manifest = example_namespace(self.suite_name, self.cluster.capabilities)
        self.ns = manifest["metadata"]["name"]
        self.run({"op": "apply", "manifest": manifest})
        return self.create_deployment(data, healthy)

    @rule(target=deployments_b, data=st.data(), healthy=st.booleans().map(lambda b: not b))
    def create_deployment(self, data: st.DataObject, healthy: bool) -> str:
        manifest = data.draw(deployments(self.ns, healthy=healthy), label="deployment")
        return self._create("Deployment", manifest, healthy)

    @rule(target=replicasets_b, data=st.data(), healthy=st.booleans().map(lambda b: not b))
    def create_replicaset(self, data: st.DataObject, healthy: bool) -> str:
        manifest = data.draw(replicasets(self.ns, healthy=healthy), label="replicaset")
        return self._create("ReplicaSet", manifest, healthy)

    # -- changing ---------------------------------------------------------------------------
    def _scale(self, kind: str, resource: str, name: str, replicas: int) -> None:
        result = self.run(
            {"op": "scale", "resource": resource, "namespace": self.ns, "name": name, "replicas": replicas}
        )
        if not result.ok:
            self.fail(f"scaling {kind} {self.ns}/{name} to {replicas} was rejected: {result.detail}")
        self.workloads[(kind, name)].replicas = replicas

    @rule(name=deployments_b, replicas=scale_targets(4))
    def scale_deployment(self, name: str, replicas: int) -> None:
        self._scale("Deployment", "deployments", name, replicas)

    @rule(name=replicasets_b, replicas=scale_targets(4))
    def scale_replicaset(self, name: str, replicas: int) -> None:
        self._scale("ReplicaSet", "replicasets", name, replicas)

    @rule(name=deployments_b, data=st.data())
    def set_image(self, name: str, data: st.DataObject) -> None:
        """``kubectl set image``: a rollout (RollingUpdate or Recreate) to a new image."""
        workload = self.workloads[("Deployment", name)]
        container = data.draw(st.sampled_from(sorted(workload.images)), label="container")
        image = data.draw(image_updates(workload.images[container], healthy=workload.healthy), label="image")
        result = self.run(
            {
                "op": "patch-image",
                "resource": "deployments",
                "namespace": self.ns,
                "name": name,
                "container": container,
                "image": image,
            }
        )
        if not result.ok:
            self.fail(f"setting image {container}={image} on deployment {self.ns}/{name} failed: {result.detail}")
        workload.images[container] = image

    # -- deleting ---------------------------------------------------------------------------
    def _delete(self, kind: str, resource: str, name: str, policy: str) -> None:
        snap = self.cluster.snapshot()
        owner = next(
            (o for o in snap.of(resource) if o["metadata"]["name"] == name and o["metadata"].get("namespace") == self.ns),
            None,
        )
        if owner is None:
            self.fail(f"{kind} {self.ns}/{name} is missing before the test deleted it")
            return
        record = Deleted(kind=kind, name=name, uid=owner["metadata"]["uid"], policy=policy)
        # What it owns now and must keep under Orphan: a Deployment's ReplicaSets (which then keep
        # managing their pods), a ReplicaSet's pods unless it is about to scale some of them away.
        if kind == "Deployment":
            for rs in snap.of("replicasets"):
                if _controller_uid(rs) == record.uid:
                    record.dependents[rs["metadata"]["uid"]] = f"replicaset {rs['metadata']['name']}"
        else:
            mine = [p for p in snap.of("pods") if _controller_uid(p) == record.uid and _active(p)]
            if len(mine) <= int(owner.get("spec", {}).get("replicas", 1)):
                record.dependents.update({p["metadata"]["uid"]: f"pod {p['metadata']['name']}" for p in mine})
        result = self.run(
            {"op": "delete", "resource": resource, "namespace": self.ns, "name": name, "propagation": policy}
        )
        if not result.ok:
            self.fail(f"deleting {kind} {self.ns}/{name} ({policy}) was rejected: {result.detail}")
        self.note_deleted(resource, self.ns, name, policy)
        del self.workloads[(kind, name)]
        self.deleted.append(record)

    @rule(name=consumes(deployments_b), policy=st.sampled_from(PROPAGATION_POLICIES))
    def delete_deployment(self, name: str, policy: str) -> None:
        self._delete("Deployment", "deployments", name, policy)

    @rule(name=consumes(replicasets_b), policy=st.sampled_from(PROPAGATION_POLICIES))
    def delete_replicaset(self, name: str, policy: str) -> None:
        self._delete("ReplicaSet", "replicasets", name, policy)

    # -- time -------------------------------------------------------------------------------
    @rule(seconds=st.sampled_from(ADVANCE_S))
    def advance(self, seconds: int) -> None:
        self.run({"op": "advance", "seconds": seconds})

    @precondition(lambda self: bool(self.workloads or self.deleted))
    @rule()
    def settle_and_check(self) -> None:
        """Let every controller finish, then hold the cluster to what the test asked for."""
        self.run({"op": "settle", "timeout_s": SETTLE_TIMEOUT_S})
        self.run({"op": "check", "what": "workloads"})
        self.check_workloads(self.cluster.snapshot())

    def check_eventually(self) -> None:
        super().check_eventually()
        self.check_workloads(self.cluster.snapshot())

    # -- the checks -------------------------------------------------------------------------
    def check_workloads(self, snap: Snapshot) -> None:
        problems: list[str] = []
        objects = {
            ("Deployment", o["metadata"]["name"]): o for o in snap.of("deployments") if o["metadata"].get("namespace") == self.ns
        }
        objects.update(
            {("ReplicaSet", o["metadata"]["name"]): o for o in snap.of("replicasets") if o["metadata"].get("namespace") == self.ns}
        )
        pods = [p for p in snap.of("pods") if p["metadata"].get("namespace") == self.ns]
        for key, workload in sorted(self.workloads.items()):
            obj = objects.get(key)
            if obj is None:
                problems.append(f"{workload.kind} {workload.name} is gone though the test never deleted it")
                continue
            problems.extend(self._check_workload(workload, obj, snap, pods))
        live_uids = {o["metadata"]["uid"] for r in ("replicasets", "pods") for o in snap.of(r)}
        for record in self.deleted:
            problems.extend(self._check_deleted(record, snap, pods, live_uids))
        if problems:
            self.fail("workloads do not match what the test asked for: " + "; ".join(problems[:5]))

    def _check_workload(
        self, workload: Workload, obj: Manifest, snap: Snapshot, pods: list[Manifest]
    ) -> list[str]:
        where = f"{workload.kind.lower()} {self.ns}/{workload.name}"
        spec = obj.get("spec", {})
        out: list[str] = []
        if int(spec.get("replicas", 1)) != workload.replicas:
            out.append(f"{where}: spec.replicas {spec.get('replicas')}, the test last asked for {workload.replicas}")
        template_images = {c["name"]: c.get("image") for c in spec.get("template", {}).get("spec", {}).get("containers") or []}
        if template_images != workload.images:
            out.append(f"{where}: template images {template_images}, the test set {workload.images}")
        uid = obj["metadata"]["uid"]
        if workload.kind == "Deployment":
            owners = {rs["metadata"]["uid"] for rs in snap.of("replicasets") if _controller_uid(rs) == uid}
        else:
            owners = {uid}
        mine = [p for p in pods if _controller_uid(p) in owners and _active(p)]
        if not all(_ready(p) for p in mine):
            return out  # some pod is stuck (the base liveness check judges whether it says why)
        if len(mine) != workload.replicas:
            out.append(f"{where}: {len(mine)} active Ready pods, the test asked for {workload.replicas}")
        stale = sorted(
            p["metadata"]["name"]
            for p in mine
            if {c["name"]: c.get("image") for c in p["spec"].get("containers") or []} != workload.images
        )
        if stale:
            out.append(f"{where}: pods {', '.join(stale[:3])} do not run the latest images {workload.images}")
        return out

    def _check_deleted(
        self, record: Deleted, snap: Snapshot, pods: list[Manifest], live_uids: set[str]
    ) -> list[str]:
        where = f"{record.kind.lower()} {self.ns}/{record.name} (deleted, {record.policy})"
        out: list[str] = []
        if record.policy == "Orphan":
            # Pods of ReplicaSets (restartPolicy Always) never end by themselves and no fault
            # evicts them here, so every recorded dependent is owed.
            gone = sorted(what for uid, what in record.dependents.items() if uid not in live_uids)
            if gone:
                out.append(f"{where}: orphaned dependents were deleted: {', '.join(gone[:3])}")
            still_owned = sorted(
                o["metadata"]["name"]
                for r in ("replicasets", "pods")
                for o in snap.of(r)
                if _owned_by(o, record.uid)
            )
            if still_owned:
                out.append(f"{where}: dependents still reference it: {', '.join(still_owned[:3])}")
            return out
        label = app_label(record.kind, record.name)
        left = sorted(
            f"{r[:-1]} {o['metadata']['name']}"
            for r in ("replicasets", "pods")
            for o in snap.of(r)
            if o["metadata"].get("namespace") == self.ns
            and (o["metadata"].get("labels") or {}).get("app") == label
        )
        if left:
            out.append(f"{where}: its ReplicaSets/pods remain: {', '.join(left[:3])}")
        return out


TestWorkloads = suite_test(WorkloadsMachine)
