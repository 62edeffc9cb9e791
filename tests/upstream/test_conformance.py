"""``kconform conformance``: reading ginkgo's report, the summary file, comparing runs, progress.

These need no built suite: they feed :mod:`kconform.upstream.conformance` the shapes ginkgo v2
writes (its ``--json-report``) and the output its default reporter streams.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from kconform.cli import main
from kconform.errors import BackendUnavailable, InvalidArgument
from kconform.upstream import conformance as C
from kconform.upstream.versions import DEFAULT_RELEASE


def _spec(text: str, state: str, *, message: str = "", node: str = "It", run_ns: int = 2_500_000_000) -> dict[str, Any]:
    failure = {"Message": message, "Location": {"FileName": "/root/go/pkg/mod/k8s.io/kubernetes@v1.36.3/test/e2e/x.go",
                                                "LineNumber": 42}} if message else None
    return {"ContainerHierarchyTexts": ["[sig-apps]", "ReplicaSet"] if node == "It" else None,
            "LeafNodeType": node, "LeafNodeText": text, "State": state, "RunTime": run_ns, "Failure": failure}


def _report(tmp_path: Path, specs: list[dict[str, Any]]) -> Path:
    path = tmp_path / "ginkgo" / "report.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps([{"SuitePath": "/x", "SpecReports": specs}]))
    return path


def _opts(tmp_path: Path, **kw: Any) -> C.RunOptions:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        "contexts: [{name: c, context: {cluster: k, user: u}}]\n"
        "clusters: [{name: k, cluster: {server: 'https://127.0.0.1:6443'}}]\nusers: [{name: u, user: {}}]\n"
    )
    return C.RunOptions(kubeconfig=kubeconfig, report_dir=tmp_path, **kw)


def test_a_spec_the_focus_left_out_is_not_in_the_summary() -> None:
    assert C.spec_result(_spec("serves [Conformance]", "skipped")) is None


def test_setup_nodes_are_not_specs() -> None:
    assert C.spec_result(_spec("", "passed", node="SynchronizedBeforeSuite")) is None


def test_a_failed_spec_keeps_its_first_failure_line_and_where_inside_the_module() -> None:
    r = C.spec_result(_spec("should adopt [Conformance]", "failed", message="\n  timed out waiting\nmore detail"))
    assert r is not None
    assert r.name == "[sig-apps] ReplicaSet should adopt [Conformance]"
    assert (r.state, r.failure, r.duration_s) == ("failed", "timed out waiting", 2.5)
    assert r.location == "k8s.io/kubernetes@v1.36.3/test/e2e/x.go:42"


@pytest.mark.parametrize("state", ["timedout", "panicked", "interrupted", "aborted"])
def test_every_other_ginkgo_state_counts_as_failed(state: str) -> None:
    r = C.spec_result(_spec("x", state, message="boom"))
    assert r is not None and r.state == "failed" and r.ginkgo_state == state


def test_a_spec_that_skipped_itself_is_skipped_with_its_reason() -> None:
    r = C.spec_result(_spec("needs a provider", "skipped", message="Only supported for providers [gce]"))
    assert r is not None
    assert (r.state, r.failure, r.location) == ("skipped", "Only supported for providers [gce]", "")


def test_the_summary_counts_sorts_and_survives_a_round_trip(tmp_path: Path) -> None:
    report = _report(tmp_path, [
        _spec("b passes", "passed"), _spec("a fails", "failed", message="nope"), _spec("c filtered", "skipped"),
        _spec("", "passed", node="ReportAfterSuite"),
    ])
    summary = C.summarize(report, opts=_opts(tmp_path), release=DEFAULT_RELEASE, wall_s=12.34)
    assert [s.name for s in summary.specs] == ["[sig-apps] ReplicaSet a fails", "[sig-apps] ReplicaSet b passes"]
    assert summary.counts() == {"passed": 1, "failed": 1, "skipped": 0}
    assert summary.server == "https://127.0.0.1:6443"
    assert (summary.suite_failure, summary.wall_s) == ("", 12.3)
    path = tmp_path / "summary.json"
    path.write_text(summary.to_json())
    assert C.Summary.load(path) == summary
    assert json.loads(path.read_text())["counts"] == {"passed": 1, "failed": 1, "skipped": 0}


def test_a_failed_before_suite_is_reported_as_the_suite_failing(tmp_path: Path) -> None:
    report = _report(tmp_path, [
        _spec("", "failed", message="Unexpected error: nodes not ready\n...", node="SynchronizedBeforeSuite"),
        _spec("x", "skipped", message="Spec skipped because SynchronizedBeforeSuite failed"),
    ])
    summary = C.summarize(report, opts=_opts(tmp_path), release=DEFAULT_RELEASE, wall_s=1.0)
    assert summary.suite_failure == "SynchronizedBeforeSuite: Unexpected error: nodes not ready"


def test_a_file_that_is_not_a_summary_is_refused_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("{}")
    with pytest.raises(InvalidArgument, match="not a conformance summary"):
        C.Summary.load(bad)
    bad.write_text("{")
    with pytest.raises(InvalidArgument, match="is not JSON"):
        C.Summary.load(bad)
    with pytest.raises(InvalidArgument, match="cannot read"):
        C.Summary.load(tmp_path / "missing.json")


def _summary(**states: str) -> C.Summary:
    specs = [C.SpecResult(name=n, state=s, ginkgo_state=s, duration_s=1.0, failure="why" if s != "passed" else "")
             for n, s in states.items()]
    return C.Summary(kubernetes="v1.36.3", server="", focus="", skip="", parallel=1, wall_s=1.0, specs=specs)


def test_compare_lists_what_passes_on_a_but_not_b_first() -> None:
    a = _summary(same="passed", lost="passed", gained="failed", only_a="passed", skip="skipped")
    b = _summary(same="passed", lost="failed", gained="passed", skip="failed")
    diffs = C.compare(a, b)
    assert [(d.name, d.a, d.b) for d in diffs] == [
        ("lost", "passed", "failed"), ("only_a", "passed", "absent"),
        ("gained", "failed", "passed"), ("skip", "skipped", "failed"),
    ]
    assert [d.name for d in C.regressions(diffs)] == ["lost", "only_a"]
    assert diffs[0].b_failure == "why"


def test_progress_counts_bullets_and_failures_across_chunks() -> None:
    p = C.Progress()
    out = []
    for chunk in ["Running in parallel across 4 processes\nWill run 3 of 7579 specs\nSSS\u2022SS", "S\u2022 [FAI",
                  "LED] [4.2 seconds]\n[sig-x] b\n", "\u2022"]:
        out += p.feed(chunk)
    out += p.feed("", final=True)
    assert out == ["[1/3] 1 passed, 0 failed", "[2/3] 1 passed, 1 failed", "[3/3] 2 passed, 1 failed"]
    serial = C.Progress()
    assert serial.feed("Kubernetes e2e suite - 2/7579 specs SSS\u2022 [TIMEDOUT] [300.1 seconds]\n") == [
        "[1/2] 0 passed, 1 failed"]


def test_the_command_line_runs_ginkgo_in_parallel_and_e2e_test_alone_otherwise(tmp_path: Path) -> None:
    bins = {n: Path(f"/b/{n}") for n in ("e2e.test", "ginkgo", "kubectl")}
    serial = C.e2e_argv(bins, _opts(tmp_path, skip="Slow"))
    assert serial[0] == "/b/e2e.test"
    assert r"--ginkgo.focus=\[Conformance\]" in serial and "--ginkgo.skip=Slow" in serial
    assert "--ginkgo.timeout=7200s" in serial and "--provider=skeleton" in serial
    assert "--kubectl-path=/b/kubectl" in serial
    assert f"--ginkgo.json-report={tmp_path / 'ginkgo' / 'report.json'}" in serial
    assert "--kube-api-content-type=application/vnd.kubernetes.protobuf" in serial
    parallel = C.e2e_argv(bins, _opts(tmp_path, parallel=4, content_type="json"))
    assert parallel[:2] == ["/b/ginkgo", "--procs=4"]
    sep = parallel.index("--")
    assert parallel[sep - 1] == "/b/e2e.test" and r"--focus=\[Conformance\]" in parallel[:sep]
    assert "--json-report=report.json" in parallel[:sep] and f"--output-dir={tmp_path / 'ginkgo'}" in parallel[:sep]
    assert "--kube-api-content-type=application/json" in parallel[sep:]


@pytest.mark.parametrize(("kw", "message"), [
    ({"focus": "("}, "--focus is not a regular expression"),
    ({"parallel": 0}, "--parallel must be"),
    ({"content_type": "xml"}, "--content-type"),
])
def test_bad_options_are_refused(tmp_path: Path, kw: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        _opts(tmp_path, **kw).validate()


def test_running_an_unbuilt_suite_says_how_to_build_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KCONFORM_UPSTREAM_DIR", str(tmp_path / "empty"))
    with pytest.raises(BackendUnavailable, match="kconform conformance build"):
        C.built()
    opts = _opts(tmp_path)
    rc = main(["conformance", "run", "--kubeconfig", str(opts.kubeconfig), "--report", str(tmp_path / "r")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc != 0 and len(err) == 1 and "kconform conformance build" in err[0]


def test_compare_exits_non_zero_only_for_specs_lost(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = {}
    for name, summary in {"a": _summary(x="passed", y="failed"), "b": _summary(x="passed", y="passed"),
                          "c": _summary(x="failed", y="failed")}.items():
        paths[name] = tmp_path / f"{name}.json"
        paths[name].write_text(summary.to_json())
    assert main(["conformance", "compare", str(paths["a"]), str(paths["a"])]) == 0
    assert "same outcome for every spec" in capsys.readouterr().out
    assert main(["conformance", "compare", str(paths["a"]), str(paths["b"])]) == 0
    assert main(["conformance", "compare", str(paths["a"]), str(paths["c"])]) == 1
    out = capsys.readouterr().out
    assert "1 pass on A and not on B" in out and "passed -> failed  x" in out


def test_a_focus_file_names_specs_literally(tmp_path: Path) -> None:
    names = tmp_path / "smoke.txt"
    names.write_text("# the API-only specs\n[sig-node] ConfigMap should run through a ConfigMap lifecycle [Conformance]\n\n"
                     "Lease lease API should be available\n")
    focus = C.focus_from_names(names)
    assert re.search(focus, "[sig-node] ConfigMap should run through a ConfigMap lifecycle [Conformance]")
    assert re.search(focus, "[sig-node] Lease lease API should be available [Conformance]")
    assert not re.search(focus, "[sig-node] ConfigMap should update ConfigMap successfully [Conformance]")
    names.write_text("# nothing\n")
    with pytest.raises(InvalidArgument, match="names no specs"):
        C.focus_from_names(names)
