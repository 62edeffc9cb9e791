"""kconform's interpreter of the runtime contract (:mod:`kconform.upstream.runtime`) and its stamp.

Table tests against the contract's data file, tables of the forms the contract lists, and
properties: on any command line built from those forms — the shell's lists, loops, tests,
expansions, redirections and applets — and on junk, kconform's interpreter and the reference
kubelet's (``reference_impl/kubelet/runtime.py``, written separately) agree on what the
container does, what it prints and whether it ignores SIGTERM. (``tests/kubelet/test_shell.py``
holds both to a table of scripts.) Then the kubelet's variables and :func:`stamp` on every kind
of manifest that carries a pod template.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kconform.upstream import runtime
from kconform.upstream.contract import Case, load_cases, pod_manifest
from kconform.upstream.runtime import ANNOTATION, FOREVER, Program, interpret, stamp
from reference_impl.kubelet import runtime as reference

CASES = load_cases()


# == against the data file ======================================================================
def _containers(case: Case) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    out = []
    for key in ("initContainers", "containers"):
        specs = {c["name"]: c for c in case.pod.get(key) or []}
        for name, want in (case.expect.get(key) or {}).items():
            out.append((name, specs[name], want))
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_interpreter_agrees_with_the_data_file(case: Case) -> None:
    hostname = pod_manifest(case)["metadata"]["name"]
    for name, spec, want in _containers(case):
        env = runtime.container_env(spec)
        program = interpret(spec["image"], spec.get("command"), spec.get("args"), env=env, hostname=hostname)
        pulls = runtime.image_pullable(spec["image"])
        reasons = set(want.get("reason") or []) if isinstance(want.get("reason"), list) else {want.get("reason")}
        assert pulls == (not reasons & {"ErrImagePull", "ImagePullBackOff"}), name
        code = want.get("exitCode", (want.get("lastState") or {}).get("exitCode"))
        if code is not None:
            assert not program.forever and program.exit_code == code, (name, program)
            assert program.runs_s <= case.within_s, name
        if want.get("state") == "running" and case.stays_s and "restartCount" not in want:
            assert program.runs_s > case.within_s + case.stays_s, (name, program)  # still running at the end
        if "readinessProbe" in spec and "ready" in want:
            assert runtime.probe_passes(spec["readinessProbe"], env=env, hostname=hostname) == want["ready"], name


# == the forms the contract lists ===============================================================
BUSYBOX = "busybox:1.36"


@pytest.mark.parametrize(
    ("image", "command", "args", "runs_s", "exit_code"),
    [
        ("registry.k8s.io/pause:3.10", None, None, FOREVER, 0),
        ("nginx:1.27", ["nginx", "-g", "daemon off;"], None, FOREVER, 0),
        (BUSYBOX, None, None, 0.0, 0),
        ("alpine", None, None, 0.0, 0),
        ("docker.io/library/busybox@sha256:abc", None, None, 0.0, 0),
        (BUSYBOX, ["nginx"], None, 0.0, 127),
        (BUSYBOX, ["true"], None, 0.0, 0),
        (BUSYBOX, ["false"], None, 0.0, 1),
        (BUSYBOX, ["sleep", "5"], None, 5.0, 0),
        (BUSYBOX, ["sleep"], ["2.5"], 2.5, 0),
        (BUSYBOX, ["sleep", "infinity"], None, FOREVER, 0),
        (BUSYBOX, ["exit", "3"], None, 0.0, 3),
        (BUSYBOX, ["sh", "-c", "sleep 1m"], None, 60.0, 0),
        (BUSYBOX, ["sh", "-c", "sleep 2h"], None, 7200.0, 0),
        (BUSYBOX, ["sh", "-c", "sleep 1d"], None, 86400.0, 0),
        (BUSYBOX, ["sh", "-c", "sleep 3s; exit 4"], None, 3.0, 4),
        (BUSYBOX, ["/bin/sh", "-c", "exit 300"], None, 0.0, 44),
        (BUSYBOX, ["bash", "-c", "exit -1"], None, 0.0, 255),
        (BUSYBOX, ["sh", "-c", "exit nope"], None, 0.0, 2),
        (BUSYBOX, ["sh", "-c", "false; exit"], None, 0.0, 1),
        (BUSYBOX, ["sh", "-c", "true && false || exit 6"], None, 0.0, 6),
        (BUSYBOX, ["sh", "-c", "false && sleep 9"], None, 0.0, 1),
        (BUSYBOX, ["sh", "-c", "true || sleep 9"], None, 0.0, 0),
        (BUSYBOX, ["sh", "-c", "sleep 1\nsleep 2\n"], None, 3.0, 0),
        (BUSYBOX, ["sh", "-c", "echo 'unterminated"], None, 0.0, 2),
        (BUSYBOX, ["sh", "-c", "sleep 1; nosuch; sleep 1"], None, 2.0, 0),
        (BUSYBOX, ["sh", "-c", "sleep 1; nosuch"], None, 1.0, 127),
        (BUSYBOX, ["sh", "-c", "sh -c 'sleep 2' && exit 5"], None, 2.0, 5),
        (BUSYBOX, ["sh", "-c", "sleep 1; sleep infinity; exit 3"], None, FOREVER, 0),
        (BUSYBOX, ["sh", "-c", ": ; sleep abc"], None, 0.0, 0),
        (BUSYBOX, ["sh", "-c", ""], None, 0.0, 0),
    ],
)
def test_forms(image: str, command: list[str] | None, args: list[str] | None, runs_s: float, exit_code: int) -> None:
    program = interpret(image, command, args)
    assert (program.runs_s, program.exit_code) == (runs_s, exit_code)


def test_output_and_sigterm() -> None:
    program = interpret(BUSYBOX, ["sh", "-c", "echo hello world; nosuch"], None)
    assert program.output == ("hello world", "sh: nosuch: not found")
    assert program.ignores_sigterm  # a shell as PID 1 ignores SIGTERM
    assert not interpret("registry.k8s.io/pause:3.10", None, None).ignores_sigterm
    assert not interpret(BUSYBOX, None, None).ignores_sigterm
    assert interpret(BUSYBOX, ["sleep", "9"], None).ignores_sigterm


@pytest.mark.parametrize(
    ("image", "pullable"),
    [
        ("registry.invalid/kconform/missing:1", False),
        ("registry.invalid:5000/x", False),
        ("a.b.invalid/x@sha256:00", False),
        ("invalid/pause:1", True),  # a Docker Hub repository
        ("registry.invalid", True),  # no path: a Docker Hub image named so
        ("localhost/x.invalid", True),
        ("foo:5000.invalid/x", True),  # the host is foo
        ("busybox:1.36", True),
        ("registry.k8s.io/pause:3.10", True),
    ],
)
def test_image_pullable(image: str, pullable: bool) -> None:
    assert runtime.image_pullable(image) is pullable


@pytest.mark.parametrize(
    ("probe", "passes"),
    [
        (None, True),
        ({}, True),
        ({"exec": {"command": ["true"]}}, True),
        ({"exec": {"command": ["false"]}}, False),
        ({"exec": {"command": ["sh", "-c", "exit 0"]}}, True),
        ({"exec": {"command": ["sleep", "infinity"]}}, False),
        ({"exec": {"command": ["cat", "/tmp/healthy"]}}, False),  # the container has no such file: 1
        ({"exec": {"command": ["sh", "-c", "test -d /tmp"]}}, True),
        ({"exec": {"command": ["/bin/true"]}}, True),
        ({"httpGet": {"path": "/", "port": 80}}, True),
        ({"tcpSocket": {"port": 80}}, True),
    ],
)
def test_probes(probe: dict[str, Any] | None, passes: bool) -> None:
    assert runtime.probe_passes(probe) is passes


def test_container_runtime_sums_probe_delays() -> None:
    rt = runtime.container_runtime(
        {
            "name": "main",
            "image": BUSYBOX,
            "command": ["sh", "-c", "sleep 3600"],
            "startupProbe": {"exec": {"command": ["true"]}, "initialDelaySeconds": 2},
            "readinessProbe": {"exec": {"command": ["true"]}, "initialDelaySeconds": 3},
        }
    )
    assert rt.probe_ok and rt.ready_delay_s == 5.0
    assert rt.to_json() == {"runsMs": 3600000, "exitCode": 0, "ignoresSigterm": True, "probeOk": True, "readyDelayMs": 5000}
    failing = runtime.container_runtime(
        {"name": "m", "image": BUSYBOX, "command": ["sleep", "0.25"], "startupProbe": {"exec": {"command": ["false"]}}}
    )
    assert not failing.probe_ok and failing.to_json()["runsMs"] == 250


# == agreement with the reference kubelet's interpreter =========================================
_WORDS = st.sampled_from(
    ["sleep", "exit", "true", "false", ":", "echo", "sh", "/bin/sh", "nosuch", "-c", "1", "0.5", "2s", "1m", "infinity",
     "abc", "3", "-1", "256", "'a b'", '"x;y"', "hi"]
)  # fmt: skip
_CONNECTORS = st.sampled_from(["; ", " && ", " || ", "\n", ";"])


@st.composite
def _scripts(draw: st.DrawFn, depth: int = 0) -> str:
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        if depth < 1 and draw(st.integers(0, 5)) == 0:
            inner = draw(_scripts(depth + 1)).replace("'", "")
            parts.append(f"sh -c '{inner}'")
        else:
            parts.append(" ".join(draw(st.lists(_WORDS, min_size=1, max_size=3))))
    out = parts[0]
    for part in parts[1:]:
        out += draw(_CONNECTORS) + part
    return out


_IMAGES = st.sampled_from(
    ["busybox:1.36", "registry.k8s.io/pause:3.10", "alpine", "nginx", "docker.io/library/bash@sha256:00", "ubuntu:24.04"]
)
_ARGVS = st.one_of(
    st.none(),
    st.lists(_WORDS, max_size=4),
    _scripts().map(lambda s: ["sh", "-c", s]),
    _scripts().map(lambda s: ["/bin/bash", "-c", s, "ignored"]),
    st.lists(st.text(max_size=6), max_size=3),
)


def _same(ours: Program, theirs: Any) -> None:
    assert (ours.runs_s, ours.exit_code, ours.output, ours.ignores_sigterm) == (
        theirs.runs_s, theirs.exit_code, theirs.output, theirs.ignores_sigterm,
    )  # fmt: skip


@settings(max_examples=600, derandomize=True, deadline=None)
@given(image=_IMAGES, command=_ARGVS, args=st.one_of(st.none(), st.lists(_WORDS, max_size=2)))
@example(image="busybox:1.36", command=["sh", "-c", "echo 'a;b'"], args=None)
@example(image="busybox:1.36", command=["/bin/sleep", "5"], args=None)
@example(image="busybox:1.36", command=["sh", "-c", "exec sleep 5"], args=None)
def test_the_interpreter_agrees_with_the_reference_kubelet(
    image: str, command: list[str] | None, args: list[str] | None
) -> None:
    _same(interpret(image, command, args), reference.interpret(image, command, args))


# -- the shell beyond the one-line forms ----------------------------------------------------------
_COMMANDS = st.sampled_from(
    ["sleep 1", "sleep 0.5", "sleep infinity", "true", "false", ":", "exit", "exit 3", "echo $x", 'echo "$x $y"',
     "x=1", "x=$((x+1))", "y=$x$x", "x=", '[ -f /tmp/f ]', '[ "$x" = 1 ]', "[ $x -lt 3 ]", 'test -n "$x"', "[ a",
     "touch /tmp/f", "rm /tmp/f", "cat /tmp/f", "cat /nope", "echo a > /tmp/f", "echo b >> /tmp/f", "nosuch",
     "/bin/true", "/usr/bin/false", "/sbin/echo z", "set -e", "set +e", "trap 'exit 0' TERM", "trap '' TERM",
     "trap 'echo bye' EXIT", "break", "continue", "shift", "set -- a b", "echo $1 $#", "read v", "echo $?",
     "printf '%s-%d\\n' a 1", "env", "hostname", "pwd", "cd /tmp", "cd /nope", "ls /tmp", "mkdir /tmp/d",
     "seq 1 3", "echo $(echo sub)", "echo `echo bq`", "export x", "unset x", "eval 'echo ev'", "exec sleep 2",
     "sleep 3 &", "false &", "wait", "wait $!", "echo ${x:-d} ${x:+p} ${#x} ${x%1}", "sh -c 'exit 4'",
     "( exit 5 )", "{ false; }", "! true", "echo 'a b' | cat", "false | true", "echo $HOSTNAME ~", "echo $((1/0))",
     "case $x in 1) echo one;; *) echo other;; esac", "echo \"open", "fi", "echo $$(CODE)", "exit $(CODE)"]
)  # fmt: skip
_SEPARATORS = st.sampled_from(["; ", " && ", " || ", "\n", " & ", " | "])


@st.composite
def _programs(draw: st.DrawFn, depth: int = 0) -> str:
    """A script of the contract's commands, compound commands and separators."""
    parts = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.integers(0, 9)) if depth < 2 else 9
        inner = _programs(depth + 1)
        if kind == 0:
            parts.append(f"if {draw(inner)}; then {draw(inner)}; else {draw(inner)}; fi")
        elif kind == 1:
            parts.append(f"while {draw(inner)}; do {draw(inner)}; done")
        elif kind == 2:
            parts.append(f"for v in a $x 'b c'; do {draw(inner)}; done")
        elif kind == 3:
            parts.append(f"( {draw(inner)} )")
        elif kind == 4:
            parts.append("sh -c '" + draw(inner).replace("'", "") + "'")
        else:
            parts.append(draw(_COMMANDS))
    out = parts[0]
    for part in parts[1:]:
        out += draw(_SEPARATORS) + part
    return out


_SHELLISH = st.text(alphabet="ab $(){}[]'\"\\`;&|<>#=~*?!-0123\n\t:%+/.", max_size=30)
_ENVS = st.sampled_from([None, {"x": "1"}, {"x": " a  b ", "IFS": ":", "CODE": "4"}])


@settings(max_examples=500, derandomize=True, deadline=None)
@given(script=st.one_of(_programs(), _SHELLISH), env=_ENVS)
@example(script="while x=${x:=7} & unset x; do echo $0; done", env=None)  # found: a new job every round
@example(script="case ] in []) echo a;; [z-a]) echo b;; esac", env=None)  # no valid class: literal "["
@example(script="if true; then", env=None)
def test_scripts_agree_with_the_reference_kubelet(script: str, env: dict[str, str] | None) -> None:
    ours = interpret(BUSYBOX, ["sh", "-c", script], None, env=env, hostname="pod-0")
    _same(ours, reference.interpret(BUSYBOX, ["sh", "-c", script], None, env=env, hostname="pod-0"))


@settings(max_examples=200, derandomize=True, deadline=None)
@given(argv=st.lists(st.one_of(_WORDS, _SHELLISH, st.sampled_from(["/bin/sh", "-ec", "/bin/test", "[", "]", "env"])),
                     min_size=1, max_size=5))  # fmt: skip
def test_argvs_agree_with_the_reference_kubelet(argv: list[str]) -> None:
    _same(interpret(BUSYBOX, argv, None), reference.interpret(BUSYBOX, argv, None))


@pytest.mark.parametrize(
    ("text", "expanded"),
    [
        ("$(A) and $(B)", "1 and $(B)"),
        ("$$(A) $$ $", "$(A) $ $"),
        ("$A ${A} $(A", "$A ${A} $(A"),
        ("$((1+2))", "$((1+2))"),
        ("$()", "$()"),
    ],
)
def test_kubelet_expansion(text: str, expanded: str) -> None:
    assert runtime.expand_kubernetes(text, {"A": "1"}) == expanded
    assert reference.kubelet_expand(text, {"A": "1"}) == expanded


def test_container_env_and_hostname() -> None:
    container = {"env": [{"name": "A", "value": "x"}, {"name": "B", "value": "$(A)$(A)"},
                         {"name": "C", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]}  # fmt: skip
    env = runtime.container_env(container)
    assert env == reference.container_env(container)
    assert (env["A"], env["B"], env["KUBERNETES_SERVICE_HOST"]) == ("x", "xx", "10.96.0.1") and "C" not in env
    long = {"metadata": {"name": "a" * 62 + "-b"}, "spec": {}}
    assert runtime.pod_hostname(long) == reference.pod_hostname(long) == "a" * 62
    assert runtime.pod_hostname({"metadata": {"name": "p"}, "spec": {"hostname": "h"}}) == "h"


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    image=st.one_of(
        _IMAGES,
        st.builds(
            lambda host, port, path: f"{host}{port}/{path}",
            st.sampled_from(["registry.invalid", "a.invalid", "localhost", "invalid", "x.io", "foo", "r.invalid.io"]),
            st.sampled_from(["", ":5000", ":x"]),
            st.sampled_from(["p", "a/b:1", "c@sha256:00"]),
        ),
        st.text(max_size=12),
    )
)
def test_pullability_agrees_with_the_reference_kubelet(image: str) -> None:
    assert runtime.image_pullable(image) == reference.image_pullable(image)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(command=_ARGVS)
def test_probes_agree_with_the_reference_kubelet(command: list[str] | None) -> None:
    probe = {"exec": {"command": command}} if command is not None else None
    assert runtime.probe_passes(probe) == reference.probe_succeeds(probe)


# == stamp =======================================================================================
def _spec(*containers: dict[str, Any], init: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": list(containers)}
    if init:
        spec["initContainers"] = init
    return spec


MAIN = {"name": "main", "image": BUSYBOX, "command": ["sh", "-c", "sleep 2; exit 3"]}
SETUP = {"name": "setup", "image": BUSYBOX, "command": ["true"]}


def _stamp_of(template: dict[str, Any]) -> dict[str, Any]:
    return json.loads(template["metadata"]["annotations"][ANNOTATION])  # type: ignore[no-any-return]


def test_stamp_a_pod() -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {"a": "b"}}, "spec": _spec(MAIN, init=[SETUP])}
    before = copy.deepcopy(pod)
    out = stamp(pod)
    assert pod == before, "stamp returns a copy"
    assert out["metadata"]["annotations"]["a"] == "b"
    assert _stamp_of(out) == {
        "version": 1,
        "containers": {
            "setup": {"runsMs": 0, "exitCode": 0, "ignoresSigterm": True, "probeOk": True, "readyDelayMs": 0},
            "main": {"runsMs": 2000, "exitCode": 3, "ignoresSigterm": True, "probeOk": True, "readyDelayMs": 0},
        },
    }
    assert stamp(out) == out, "stamping twice changes nothing"


@pytest.mark.parametrize(
    ("kind", "api_version", "path"),
    [
        ("Deployment", "apps/v1", ("spec", "template")),
        ("ReplicaSet", "apps/v1", ("spec", "template")),
        ("StatefulSet", "apps/v1", ("spec", "template")),
        ("DaemonSet", "apps/v1", ("spec", "template")),
        ("Job", "batch/v1", ("spec", "template")),
        ("ReplicationController", "v1", ("spec", "template")),
        ("CronJob", "batch/v1", ("spec", "jobTemplate", "spec", "template")),
        ("PodTemplate", "v1", ("template",)),
    ],
)
def test_stamp_workload_templates(kind: str, api_version: str, path: tuple[str, ...]) -> None:
    manifest: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "w"}}
    node = manifest
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = {"metadata": {"labels": {"app": "w"}}, "spec": _spec(MAIN)}
    out = stamp(manifest)
    template = out
    for key in path:
        template = template[key]
    assert _stamp_of(template)["containers"]["main"]["exitCode"] == 3
    assert template["metadata"]["labels"] == {"app": "w"}
    assert ANNOTATION not in (out["metadata"].get("annotations") or {}), "the workload itself is not stamped"


def test_stamp_lists_and_leaves_the_rest_alone() -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": _spec(MAIN)}
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}}
    out = stamp({"apiVersion": "v1", "kind": "List", "items": [pod, cm]})
    assert ANNOTATION in out["items"][0]["metadata"]["annotations"]
    assert out["items"][1] == cm
    assert stamp(cm) == cm and stamp(cm) is not cm
    no_template = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": {"replicas": 2}}
    assert stamp(no_template) == no_template  # a partial manifest (e.g. a scale patch body)


def test_stamp_tolerates_odd_shapes() -> None:
    pod = {"kind": "Pod", "metadata": {"name": "p", "annotations": None}, "spec": {"containers": [{"image": "x"}, MAIN]}}
    out = stamp(pod)
    assert list(_stamp_of(out)["containers"]) == ["main"]  # a container without a name is skipped
    assert stamp({"kind": "Pod", "metadata": {"name": "p"}}) == {"kind": "Pod", "metadata": {"name": "p"}}
    assert stamp({"kind": "Pod", "spec": {"containers": [MAIN]}})["metadata"]["annotations"][ANNOTATION]


def test_stamp_a_pod_sees_its_name() -> None:
    script = {"name": "main", "image": BUSYBOX, "command": ["sh", "-c", '[ "$HOSTNAME" = web ] && exit 3; exit 4']}
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"}, "spec": _spec(script)}
    assert _stamp_of(stamp(pod))["containers"]["main"]["exitCode"] == 3
    deployment = {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"template": {"spec": _spec(script)}}}
    stamped = stamp(deployment)["spec"]["template"]
    assert _stamp_of(stamped)["containers"]["main"]["exitCode"] == 4  # its pods are not named yet


def test_the_annotation_is_compact_and_stable() -> None:
    a = runtime.runtime_annotation(_spec(MAIN, init=[SETUP]))
    b = runtime.runtime_annotation(_spec(dict(reversed(list(MAIN.items()))), init=[SETUP]))
    assert a == b and " " not in a
