"""The backend conformance check: a state machine any ``Cluster`` backend can run.

Like hypothesis' ``provider_conformance.run_conformance_test``: it drives a backend through
random sequences of the protocol's verbs against a simple model of what they promise — apply
creates or updates in place (same uid), get returns what was applied, list agrees with the
model, delete answers True then False, scale and patch change what they say, snapshots carry
the objects and never go back in resourceVersion, bad input raises the documented errors, and
faults the backend does not claim raise :class:`~kconform.errors.CapabilityMissing`. A
third-party backend proves itself with::

    from kconform.backends.conformance import run_conformance_test
    run_conformance_test(lambda: MyBackend(...))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from kconform import faults as F
from kconform.backends.base import Cluster, Manifest
from kconform.errors import ApiRejected, CapabilityMissing, InvalidArgument

MANAGED = {"app.kubernetes.io/managed-by": "kconform"}
_names = st.text(alphabet="abcdefghij", min_size=1, max_size=4).map(lambda s: f"cm-{s}")
_data = st.dictionaries(st.sampled_from(["a", "b", "c"]), st.text(alphabet="xyz0123", max_size=5), max_size=3)


def _configmap(ns: str, name: str, data: dict[str, str]) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns, "labels": dict(MANAGED)},
        "data": dict(data),
    }


def _deployment(ns: str, name: str, replicas: int) -> Manifest:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": {**MANAGED, **labels}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "main", "image": "registry.k8s.io/pause:3.10"}]},
            },
        },
    }


class BackendConformance(RuleBasedStateMachine):
    """Checks one backend against the ``Cluster`` protocol's promises."""

    factory: Callable[[], Cluster]
    configmaps = Bundle("configmaps")

    def __init__(self) -> None:
        super().__init__()
        self.cluster = type(self).factory()
        self.model: dict[str, dict[str, str]] = {}
        self.uids: dict[str, str] = {}
        self.last_rv = 0
        self.ns = ""

    @initialize()
    def namespace(self) -> None:
        import uuid

        self.ns = f"kconform-conf-{uuid.uuid4().hex[:6]}"
        out = self.cluster.apply(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": self.ns, "labels": dict(MANAGED)}}
        )
        assert out["metadata"]["name"] == self.ns

    # -- verbs --------------------------------------------------------------------------------
    @rule(target=configmaps, name=_names, data=_data)
    def apply_configmap(self, name: str, data: dict[str, str]) -> str:
        out = self.cluster.apply(_configmap(self.ns, name, data))
        assert out["metadata"]["name"] == name and (out.get("data") or {}) == data, out
        uid = out["metadata"].get("uid")
        if name in self.uids:
            assert uid == self.uids[name], "apply of an existing object must update it in place (same uid)"
        self.uids[name] = uid
        self.model[name] = dict(data)
        return name

    @rule(name=configmaps)
    def get_returns_what_was_applied(self, name: str) -> None:
        got = self.cluster.get("configmaps", name, self.ns)
        if name in self.model:
            assert got is not None, f"configmap {name} was applied but get says it is gone"
            assert (got.get("data") or {}) == self.model[name]
        else:
            assert got is None, f"configmap {name} was deleted but get still returns it"

    @rule(name=consumes(configmaps))
    def delete(self, name: str) -> None:
        existed = name in self.model
        assert self.cluster.delete("configmaps", name, self.ns) is existed
        assert self.cluster.delete("configmaps", name, self.ns) is False, "a second delete must answer False"
        self.model.pop(name, None)
        self.uids.pop(name, None)

    @rule(name=configmaps, value=st.sampled_from(["one", "two"]))
    def patch_labels(self, name: str, value: str) -> None:
        if name not in self.model:
            return
        out = self.cluster.patch("configmaps", name, self.ns, {"metadata": {"labels": {"conf": value}}}, patch_type="merge")
        assert (out["metadata"].get("labels") or {}).get("conf") == value
        got = self.cluster.get("configmaps", name, self.ns)
        assert got is not None and got["metadata"]["labels"]["conf"] == value

    @rule(replicas=st.integers(0, 3), scale_to=st.integers(0, 3))
    def scale(self, replicas: int, scale_to: int) -> None:
        self.cluster.apply(_deployment(self.ns, "conf-web", replicas))
        self.cluster.scale("deployments", "conf-web", self.ns, scale_to)
        got = self.cluster.get("deployments", "conf-web", self.ns)
        assert got is not None and got["spec"]["replicas"] == scale_to

    @rule()
    def invalid_input_is_rejected_with_the_documented_errors(self) -> None:
        try:
            self.cluster.apply({"apiVersion": "v1", "kind": "NoSuchKind", "metadata": {"name": "x"}})
        except InvalidArgument:
            pass
        else:
            raise AssertionError("an unknown kind must raise InvalidArgument")
        bad = _configmap(self.ns, "Not_A_Name", {})
        try:
            self.cluster.apply(bad)
        except ApiRejected as e:
            assert e.code == 422 and e.reason == "Invalid", e.status
        else:
            raise AssertionError("an invalid name must be rejected with 422 Invalid")

    @rule(fault=st.sampled_from(sorted(F.FAULT_TYPES)))
    def unsupported_faults_raise_capability_missing(self, fault: str) -> None:
        cls = F.FAULT_TYPES[fault]
        if not cls.capability or cls.capability in self.cluster.capabilities:
            return  # supported faults are exercised by the chaos suites, not here
        kwargs: dict[str, Any] = {"node": "no-such-node"} if "node" in cls.__dataclass_fields__ else {}
        if "key" in cls.__dataclass_fields__:
            kwargs["key"] = "k"
        try:
            self.cluster.inject(cls(**kwargs))
        except CapabilityMissing:
            pass
        else:
            raise AssertionError(f"{fault} needs {cls.capability!r}, which the backend does not claim")

    @rule()
    def settle_is_bounded(self) -> None:
        assert isinstance(self.cluster.settle(timeout_s=5), bool)

    # -- invariants ---------------------------------------------------------------------------
    @invariant()
    def list_agrees_with_the_model(self) -> None:
        if not self.ns:
            return
        names = {o["metadata"]["name"] for o in self.cluster.list("configmaps", self.ns)}
        names.discard("kube-root-ca.crt")  # real clusters put one in every namespace
        assert names == set(self.model), (sorted(names), sorted(self.model))

    @invariant()
    def snapshots_carry_the_objects_and_never_go_back(self) -> None:
        if not self.ns:
            return
        snap = self.cluster.snapshot()
        rv = int(snap.resource_version)
        assert rv >= self.last_rv, f"snapshot resourceVersion went back: {rv} < {self.last_rv}"
        self.last_rv = rv
        seen = {o["metadata"]["name"] for o in snap.of("configmaps") if o["metadata"].get("namespace") == self.ns}
        assert set(self.model) <= seen, (sorted(seen), sorted(self.model))

    def teardown(self) -> None:
        try:
            if self.ns:
                self.cluster.delete("namespaces", self.ns)
        finally:
            self.cluster.close()


def run_conformance_test(
    factory: Callable[[], Cluster], *, settings_: settings | None = None
) -> None:
    """Run the conformance state machine against backends made by ``factory`` (one per example)."""
    machine = type("Conformance", (BackendConformance,), {"factory": staticmethod(factory)})
    run_state_machine_as_test(
        machine,
        settings=settings_
        or settings(
            max_examples=10,
            stateful_step_count=12,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
