"""The runtime contract on both of its implementations, and the kwok stage files.

(a) Every case of ``runtime_contract.yaml`` on the reference backend (no Go needed), and
    :func:`check_case` saying why when a case does not play as written.
(b) The same cases on kconform's kwok stages under a simulated clock (``stagesim``, skipped
    without Go), and beyond "the case passes": the stages show a client the *same sequence of
    states* the reference kubelet does — phase, conditions with reasons and messages, container
    states, reasons, messages, exit codes, restart counts, readiness — for every case, for
    deletions at several moments, and for generated pods. Only timing may differ (the stages
    play in whole seconds and always pull).
(c) The stage files parse, every document has apiVersion and kind, every Stage has what kwok
    needs (a resourceRef, a selector — kwok drops a stage without one — and steps), the texts
    kept twice are the same, and the real control plane's runner loads them.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kconform.backends.reference import ReferenceBackend
from kconform.errors import InvalidArgument
from kconform.upstream.contract import Case, Deletion, check_case, load_cases, pod_manifest
from tests.upstream.kwoksim import KwokSim

CASES = load_cases()
IDS = [c.name for c in CASES]
STAGES_DIR = Path(__file__).resolve().parents[2] / "kconform" / "upstream" / "stages"
BY_NAME = {c.name: c for c in CASES}


def _reference() -> ReferenceBackend:
    return ReferenceBackend(nodes=1, seed=0)


# == (a) the cases on the reference ==========================================================
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_case_on_reference(case: Case) -> None:
    assert check_case(_reference(), case) is None


def test_the_data_file_covers_the_contract() -> None:
    seen = json.dumps([dataclasses.asdict(c) for c in CASES])
    # ContainerCreating lasts only while a pod without init containers is being created: the
    # traces below hold both implementations to it, no case can wait for it
    for reason in ("PodInitializing", "Completed", "Error", "CrashLoopBackOff", "ErrImagePull", "ImagePullBackOff"):
        assert reason in seen, reason
    for phase in ("Pending", "Running", "Succeeded", "Failed"):
        assert f'"phase": "{phase}"' in seen, phase
    policies = {c.pod.get("restartPolicy", "Always") for c in CASES}
    assert policies == {"Always", "OnFailure", "Never"}
    assert any(c.pod.get("initContainers") for c in CASES)
    assert any(c.delete for c in CASES)


def _variant(name: str, **changes: Any) -> Case:
    return dataclasses.replace(BY_NAME[name], **changes)


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        (
            _variant("exit-3-fails", expect={"containers": {"main": {"state": "terminated", "exitCode": 4}}}),
            "not within 12 s: container main: terminated exitCode 3, want 4",
        ),
        (_variant("sleep-then-exit", not_before_s=10.0), "sooner than the contract allows (10 s)"),
        (
            _variant("sleep-then-exit", expect={"phase": "Running"}, not_before_s=0.0, stays_s=10.0),
            "held, then within 10 s: phase Failed, want Running",
        ),
        (_variant("delete-shell-waits-grace", delete=Deletion(gone_within_s=2.0)), "deleted, still there after 2 s"),
        (
            _variant("delete-server-stops-at-once", delete=Deletion(gone_within_s=8.0, gone_not_before_s=5.0)),
            "sooner than its grace period allows (5 s)",
        ),
        (_variant("unpullable-image", expect={"ready": True}), "not within 10 s: Ready False, want True"),
    ],
    ids=["wrong-exit-code", "too-soon", "does-not-stay", "deletion-too-slow", "deletion-too-quick", "not-ready"],
)
def test_check_case_says_why(case: Case, reason: str) -> None:
    got = check_case(_reference(), case)
    assert got is not None and reason in got, got


def test_check_case_takes_a_plain_mapping_and_cleans_up() -> None:
    backend = _reference()
    raw = {
        "name": "plain",
        "pod": {"restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox:1.36", "command": ["true"]}]},
        "expect": {"phase": "Succeeded"},
        "within_s": 10,
    }
    assert check_case(backend, raw) is None
    assert backend.get("pods", "rc-plain", "default") is None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "Not_A_Label"}, "must be a DNS label"),
        ({"pod": {"containers": []}}, "needs at least 'containers'"),
        ({"pod": {"containers": [{"name": "main", "image": "x"}], "nodeName": "n"}}, "not part of a case"),
        ({"expect": {"phase": "Running", "colour": "blue"}}, "unknown expectations"),
        ({"expect": {"containers": {"other": {"state": "running"}}}}, "which the pod does not have"),
        ({"expect": {"containers": {"main": {"state": "sleeping"}}}}, "state must be one of"),
        ({"expect": {"containers": {"main": {"exitcode": 1}}}}, "unknown keys"),
        ({"within_s": None}, "'within_s'"),
    ],
)
def test_case_validation(change: dict[str, Any], message: str) -> None:
    raw: dict[str, Any] = {
        "name": "ok",
        "pod": {"containers": [{"name": "main", "image": "busybox:1.36"}]},
        "expect": {"phase": "Running"},
        "within_s": 5,
    }
    raw.update(change)
    if raw["within_s"] is None:
        del raw["within_s"]
    with pytest.raises(InvalidArgument, match=message):
        Case.from_dict(raw)


def test_pod_manifest() -> None:
    pod = pod_manifest(BY_NAME["sleep-then-exit"], name="p", namespace="ns")
    assert pod["metadata"]["name"] == "p" and pod["metadata"]["namespace"] == "ns"
    assert pod["metadata"]["labels"]["kconform.io/runtime-contract-case"] == "sleep-then-exit"
    assert pod["spec"]["restartPolicy"] == "Never"
    assert pod["spec"]["containers"][0]["command"] == ["sh", "-c", "sleep 3; exit 2"]


# == (b) the cases on the kwok stages ========================================================
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_case_on_kwok_stages(case: Case, kwok_sim: KwokSim) -> None:
    assert check_case(kwok_sim, case) is None
    assert kwok_sim.log == []  # no template errors, no overlapping stages


def normalized(pod: Mapping[str, Any] | None) -> str:
    """What the contract says a client sees of a pod: no times, IPs or IDs (uid masked in messages)."""
    if pod is None:
        return "gone"
    status = pod.get("status") or {}
    uid = str((pod.get("metadata") or {}).get("uid"))

    def container(s: Mapping[str, Any]) -> list[Any]:
        (kind, detail), *_ = (s.get("state") or {"none": {}}).items()
        last = (s.get("lastState") or {}).get("terminated") or {}
        return [
            s["name"], kind, detail.get("reason"), detail.get("exitCode"), (detail.get("message") or "").replace(uid, "UID"),
            s.get("restartCount"), s.get("ready"), s.get("started"), last.get("reason"), last.get("exitCode"),
            bool(s.get("imageID")), bool(s.get("containerID")),
        ]  # fmt: skip

    conditions = sorted(
        [c["type"], c["status"], c.get("reason") or "", c.get("message") or ""] for c in status.get("conditions") or []
    )
    return json.dumps(
        [
            status.get("phase"), conditions, [container(s) for s in status.get("initContainerStatuses") or []],
            [container(s) for s in status.get("containerStatuses") or []], bool(status.get("podIP")),
            bool(status.get("startTime")),
        ]
    )  # fmt: skip


Backend = ReferenceBackend | KwokSim


def trace(
    backend: Backend,
    manifest: dict[str, Any],
    *,
    seconds: float,
    delete_at_s: float | None = None,
    view: Callable[[Mapping[str, Any] | None], str] = normalized,
) -> list[str]:
    """The distinct states a client polling every half second sees, in order."""
    stored = backend.apply(manifest)
    ns, name = stored["metadata"].get("namespace") or "default", stored["metadata"]["name"]
    seen: list[str] = []
    for tick in range(int(seconds * 2)):
        if delete_at_s is not None and tick == int(delete_at_s * 2):
            backend.delete("pods", name, ns)
        state = view(backend.get("pods", name, ns))
        if not seen or seen[-1] != state:
            seen.append(state)
        backend.advance(0.5)
    return seen


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_stages_show_what_the_reference_shows(case: Case, kwok_sim: KwokSim) -> None:
    seconds = case.within_s + case.stays_s + 40
    want = trace(_reference(), pod_manifest(case), seconds=seconds)
    assert trace(kwok_sim, pod_manifest(case), seconds=seconds) == want
    assert kwok_sim.log == []


@pytest.mark.parametrize("delete_at_s", [5, 15])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_stages_terminate_as_the_reference_does(case: Case, delete_at_s: int, kwok_sim: KwokSim) -> None:
    """Deleted at some moment of its life: the final statuses (kept visible by a finalizer) agree."""
    manifest = pod_manifest(case)
    manifest["metadata"]["finalizers"] = ["kconform.io/hold"]
    want = trace(_reference(), manifest, seconds=delete_at_s + 40, delete_at_s=delete_at_s)
    assert trace(kwok_sim, manifest, seconds=delete_at_s + 40, delete_at_s=delete_at_s) == want
    assert kwok_sim.log == []


# -- generated pods ----------------------------------------------------------------------------
_RUNS: list[tuple[str, list[str] | None]] = [
    ("registry.k8s.io/pause:3.10", None),
    ("busybox:1.36", None),
    ("busybox:1.36", ["true"]),
    ("busybox:1.36", ["false"]),
    ("busybox:1.36", ["sh", "-c", "sleep 3600"]),
    ("registry.invalid/kconform/missing:1", None),
]


@st.composite
def _container(draw: st.DrawFn, name: str, *, init: bool) -> dict[str, Any]:
    image, command = draw(
        st.one_of(
            st.sampled_from(_RUNS),
            st.tuples(st.just("busybox:1.36"), st.integers(1, 12).map(lambda n: ["sleep", str(n)])),
            st.tuples(st.just("busybox:1.36"), st.integers(0, 3).map(lambda n: ["sh", "-c", f"exit {n}"])),
            st.tuples(
                st.just("busybox:1.36"),
                st.tuples(st.integers(1, 8), st.integers(0, 2)).map(lambda t: ["sh", "-c", f"sleep {t[0]}; exit {t[1]}"]),
            ),
        )
    )
    container: dict[str, Any] = {"name": name, "image": image}
    if command:
        container["command"] = command
    if not init and draw(st.booleans()):
        container["readinessProbe"] = {
            "exec": {"command": [draw(st.sampled_from(["true", "false"]))]},
            "initialDelaySeconds": draw(st.integers(0, 6)),
        }
    return container


@st.composite
def _pods(draw: st.DrawFn) -> dict[str, Any]:
    inits = [draw(_container(f"init-{i}", init=True)) for i in range(draw(st.integers(0, 2)))]
    apps = [draw(_container(f"app-{i}", init=False)) for i in range(draw(st.integers(1, 2)))]
    spec: dict[str, Any] = {"restartPolicy": draw(st.sampled_from(["Always", "OnFailure", "Never"])), "containers": apps}
    if inits:
        spec["initContainers"] = inits
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "gen"}, "spec": spec}


def _per_container(pod: Mapping[str, Any] | None) -> str:
    """Each container's own state and the phase: the parts that do not depend on how containers
    interleave (the reference starts a container 0.5 s after its pod when its image is already on
    the node, 1.5 s otherwise; the stages always take 1.5 s)."""
    if pod is None:
        return "gone"
    row = json.loads(normalized(pod))
    return json.dumps([row[0], row[2], row[3]])


_names = itertools.count()


@settings(max_examples=40, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pod=_pods())
def test_generated_pods_play_the_same_on_the_stages(pod: dict[str, Any], stagesim_binary: Path) -> None:
    pod["metadata"]["name"] = f"gen-{next(_names)}"
    sim = KwokSim(stagesim_binary)
    try:
        got = trace(sim, pod, seconds=90, view=_per_container)
        assert sim.log == []
    finally:
        sim.close()
    want = trace(_reference(), pod, seconds=90, view=_per_container)
    assert _split(got) == _split(want)  # each container's own sequence of states
    assert _phases(got) == _phases(want)
    assert got[-1] == want[-1]


def _split(seq: list[str]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for row in seq:
        if row == "gone":
            continue
        _, inits, apps = json.loads(row)
        for c in inits + apps:
            per = out.setdefault(c[0], [])
            if not per or per[-1] != c:
                per.append(c)
    return out


def _phases(seq: list[str]) -> list[str]:
    out: list[str] = []
    for row in seq:
        phase = "gone" if row == "gone" else json.loads(row)[0]
        if not out or out[-1] != phase:
            out.append(phase)
    return out


# == (c) the stage files ========================================================================
def _documents() -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for path in sorted(STAGES_DIR.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc is not None:
                docs.append((path.name, doc))
    return docs


def _stages(kind: str) -> dict[str, dict[str, Any]]:
    return {
        doc["metadata"]["name"]: doc
        for _, doc in _documents()
        if doc.get("kind") == "Stage" and doc["spec"]["resourceRef"]["kind"] == kind
    }


STEP_KEYS = {"patch", "event", "finalizers", "delete", "apply"}
PATCH_KEYS = {"subresource", "root", "template", "type", "impersonation"}
SELECTOR_OPERATORS = {"In", "NotIn", "Exists", "DoesNotExist"}


def test_stage_files_are_kwok_configuration() -> None:
    docs = _documents()
    assert {name for name, _ in docs} == {"pods.yaml", "nodes.yaml"}
    names = [doc["metadata"]["name"] for _, doc in docs]
    assert len(names) == len(set(names)), "stage names must be unique"
    for file, doc in docs:
        where = f"{file}: {doc.get('metadata', {}).get('name')}"
        assert doc.get("apiVersion") == "kwok.x-k8s.io/v1alpha1", where
        assert doc.get("kind") in ("Stage", "KwokConfiguration"), where
        if doc["kind"] != "Stage":
            continue
        spec = doc["spec"]
        assert set(spec) <= {"resourceRef", "selector", "weight", "weightFrom", "delay", "next", "immediateNextStage", "steps"}, where
        assert spec["resourceRef"] == {"apiGroup": "v1", "kind": spec["resourceRef"]["kind"]}, where
        assert spec["resourceRef"]["kind"] in ("Pod", "Node"), where
        assert spec.get("selector"), f"{where}: kwok drops a stage without a selector"
        assert spec.get("steps") or spec.get("next"), f"{where}: a stage that does nothing"
        for expr in spec["selector"].get("matchExpressions") or []:
            jq = expr.get("jq") or expr
            assert jq.get("key") and jq.get("operator") in SELECTOR_OPERATORS, where
            has_values = bool(jq.get("values"))
            assert has_values == (jq["operator"] in ("In", "NotIn")), f"{where}: values go with In/NotIn only"
        for step in spec.get("steps") or []:
            assert len(step) == 1 and set(step) <= STEP_KEYS, where
            if "patch" in step:
                assert set(step["patch"]) <= PATCH_KEYS and step["patch"]["template"].strip(), where
                assert step["patch"].get("type", "strategic") == "strategic", f"{where}: conditions merge by type"
        if "delay" in spec:
            assert set(spec["delay"]) <= {"durationMilliseconds", "durationFrom", "jitterDurationMilliseconds", "jitterDurationFrom"}


def test_pod_stages_cover_a_pods_life() -> None:
    pods = _stages("Pod")
    assert set(pods) == {"kconform-pod-create", "kconform-pod-runtime", "kconform-pod-terminating", "kconform-pod-delete"}
    assert {"delete": True} in pods["kconform-pod-delete"]["spec"]["steps"]
    # only the create stage allocates pod IPs (a second render would take a second IP)
    for name, stage in pods.items():
        text = json.dumps(stage["spec"]["steps"])
        assert ("PodIPsWith" in text) == (name == "kconform-pod-create"), name


def test_texts_kept_twice_are_the_same() -> None:
    """YAML anchors do not cross documents: what two stages share is written twice."""
    pods = _stages("Pod")
    runtime = pods["kconform-pod-runtime"]["spec"]["steps"]
    assert runtime[0]["patch"]["template"] == runtime[1]["patch"]["template"]
    assert runtime[0]["patch"].get("subresource") is None and runtime[1]["patch"]["subresource"] == "status"
    terminating, delete = pods["kconform-pod-terminating"]["spec"], pods["kconform-pod-delete"]["spec"]
    assert terminating["steps"][0]["patch"] == delete["steps"][0]["patch"]
    partial = terminating["selector"]["matchExpressions"][1]["jq"]
    final = delete["selector"]["matchExpressions"][1]["jq"]
    assert partial["key"] == final["key"] and (partial["operator"], final["operator"]) == ("In", "NotIn")


def test_node_stages_initialize_and_heartbeat() -> None:
    nodes = _stages("Node")
    assert set(nodes) == {"node-initialize", "node-heartbeat-with-lease"}
    init = nodes["node-initialize"]["spec"]["selector"]["matchExpressions"][0]
    assert init["operator"] == "NotIn" and init["values"] == ["True"]


def test_the_runner_plays_these_pod_stages() -> None:
    from kconform.timings import timings
    from kconform.upstream.cluster import stages_config

    docs = list(yaml.safe_load_all(stages_config(timings("fast"), STAGES_DIR)))
    pod_stages = {d["metadata"]["name"] for d in docs if d["spec"]["resourceRef"]["kind"] == "Pod"}
    assert pod_stages == set(_stages("Pod"))
    assert any(d["spec"]["resourceRef"]["kind"] == "Node" for d in docs)


def _mark_not_ready(patch: Callable[[dict[str, Any]], object]) -> None:
    """What the node lifecycle controller's MarkPodsNotReady does to a pod of a lost node."""
    patch({"status": {"conditions": [{"type": "Ready", "status": "False", "reason": "NodeNotReady"}]}})


def _ready(pod: Mapping[str, Any] | None) -> str | None:
    return next((c["status"] for c in (pod or {}).get("status", {}).get("conditions", []) if c["type"] == "Ready"), None)


@pytest.mark.parametrize(
    ("name", "restored"), [("pause-runs-forever", True), ("crash-loop-always", False), ("readiness-probe-fails", False)]
)
def test_a_rewritten_status_is_posted_again(name: str, restored: bool, kwok_sim: KwokSim) -> None:
    """Like the kubelet's status manager: a condition status someone else rewrote is posted again
    (a ready pod on a node that came back is Ready again); a reason alone is not."""
    pod = f"rc-{name}"
    ref = _reference()
    for backend in (ref, kwok_sim):
        backend.apply(pod_manifest(BY_NAME[name]))
        backend.advance(15)
    before = normalized(ref.get("pods", pod, "default"))
    assert normalized(kwok_sim.get("pods", pod, "default")) == before
    _mark_not_ready(lambda body: ref.api.patch("pods", pod, body, "strategic", "default", subresource="status"))
    _mark_not_ready(lambda body: kwok_sim.patch_status(pod, body))
    for backend in (ref, kwok_sim):
        backend.advance(2)
    after = normalized(ref.get("pods", pod, "default"))
    assert normalized(kwok_sim.get("pods", pod, "default")) == after
    assert (after == before) is restored
    assert kwok_sim.log == []
