"""The official Kubernetes end-to-end suite, built from the pinned module: ``kconform conformance``.

Sonobuoy and Hydrophone run the ``[Conformance]`` specs of ``k8s.io/kubernetes/test/e2e`` (the
``e2e.test`` binary) against a cluster; that suite is the definition of "behaves like
Kubernetes". kconform builds the same binary from the release the real control plane is pinned
to (:data:`kconform.upstream.build.CONFORMANCE_BINARIES`: ``e2e.test``, the ginkgo CLI for
parallel runs, kubectl of the same release), runs it against any kubeconfig and turns ginkgo's
JSON report into a small summary that two runs can be compared with:

- :func:`run` starts ``e2e.test`` (through ``ginkgo --procs N`` when parallel) with the flags a
  conformance run needs — provider ``skeleton``, the kubeconfig, a report dir with ginkgo's JSON
  report, ``--ginkgo.timeout`` bounded, kubectl of the pinned release — and reports how
  many specs finished, passed and failed as it goes, read from ginkgo's output;
- :func:`summarize` reads that report (``<report dir>/ginkgo/report.json``) into :class:`Summary` — per spec
  its state, its first failure line and where it failed — written as ``summary.json``;
- :func:`compare` is the table of specs whose outcome differs between two summaries; its
  headline is the specs that pass on the first (say, the real control plane with KWOK nodes)
  and not on the second (say, ``kconform serve``).

Leaves out: Sonobuoy's plugin machinery and result tarballs, running the suite inside the
cluster (it runs here, as a process, against the kubeconfig), and the ``[Serial]``/
``[Disruptive]`` split that Hydrophone offers (ginkgo runs ``Serial`` specs last, on one process).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kconform.errors import BackendUnavailable, InvalidArgument, KconformError
from kconform.upstream import build as upstream_build
from kconform.upstream.versions import DEFAULT_RELEASE, Release

CONFORMANCE_FOCUS = r"\[Conformance\]"
SUMMARY_FORMAT = "kconform.io/conformance-summary/v1"
SUMMARY_FILE = "summary.json"
LOG_FILE = "e2e.log"
# ginkgo's spec states (types.SpecState's JSON names) kconform folds into three outcomes
_PASSED = {"passed"}
_SKIPPED = {"skipped", "pending"}
FIRST_LINE_MAX = 300


class ConformanceFailed(KconformError):
    """The suite could not run at all (no report written): the message says why, in one line."""


@dataclass(frozen=True)
class SpecResult:
    """One spec's outcome: ``passed``, ``failed`` (any other ginkgo state but skipped) or ``skipped``."""

    name: str
    state: str  # passed | failed | skipped
    ginkgo_state: str  # ginkgo's own word: passed, failed, timedout, panicked, interrupted, ...
    duration_s: float
    failure: str = ""  # the failure's (or skip's) first line
    location: str = ""  # file:line of the failure, inside the module


@dataclass
class Summary:
    """What one run of the suite found; ``summary.json`` in the report dir."""

    kubernetes: str
    server: str
    focus: str
    skip: str
    parallel: int
    wall_s: float
    specs: list[SpecResult] = field(default_factory=list)
    suite_failure: str = ""  # a failed BeforeSuite/AfterSuite: every spec is then moot
    format: str = SUMMARY_FORMAT

    def counts(self) -> dict[str, int]:
        out = {"passed": 0, "failed": 0, "skipped": 0}
        for s in self.specs:
            out[s.state] += 1
        return out

    def by_name(self) -> dict[str, SpecResult]:
        return {s.name: s for s in self.specs}

    def to_json(self) -> str:
        data = asdict(self)
        data["counts"] = self.counts()
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    @classmethod
    def load(cls, path: Path) -> Summary:
        try:
            data = json.loads(path.read_text())
        except OSError as e:
            raise InvalidArgument(f"cannot read {path}: {e.strerror or e}") from None
        except ValueError as e:
            raise InvalidArgument(f"{path} is not JSON: {e}") from None
        if not isinstance(data, dict) or data.get("format") != SUMMARY_FORMAT:
            raise InvalidArgument(f"{path} is not a conformance summary written by `kconform conformance run`")
        try:
            specs = [SpecResult(**s) for s in data["specs"]]
            return cls(
                kubernetes=str(data["kubernetes"]), server=str(data["server"]), focus=str(data["focus"]),
                skip=str(data["skip"]), parallel=int(data["parallel"]), wall_s=float(data["wall_s"]), specs=specs,
                suite_failure=str(data.get("suite_failure", "")),
            )
        except (KeyError, TypeError, ValueError) as e:
            raise InvalidArgument(f"{path}: malformed conformance summary ({e})") from None


def build(
    release: Release = DEFAULT_RELEASE, *, on_progress: Callable[[str], None] = lambda line: None, force: bool = False
) -> dict[str, Path]:
    """Build ``e2e.test``, ginkgo and kubectl of ``release`` next to the control plane's binaries."""
    return upstream_build.build(
        release, on_progress=on_progress, force=force,
        binaries=upstream_build.CONFORMANCE_BINARIES, marker=upstream_build.CONFORMANCE_MARKER,
    )


def built(release: Release = DEFAULT_RELEASE) -> dict[str, Path]:
    """The built suite, or BackendUnavailable saying which command builds it."""
    found = upstream_build.built(
        release, binaries=upstream_build.CONFORMANCE_BINARIES, marker=upstream_build.CONFORMANCE_MARKER
    )
    if found is None:
        raise BackendUnavailable(
            f"the conformance suite of Kubernetes {release.kubernetes} is not built: run `kconform conformance build`"
        )
    return found


# -- running -------------------------------------------------------------------------------------


_FAILED_MARKS = ("[FAILED]", "[PANICKED]", "[TIMEDOUT]", "[INTERRUPTED]", "[ABORTED]")
_SPEC_DONE = "\u2022"  # ginkgo's default reporter prints one bullet per finished spec
_TOTAL = (re.compile(r"Will run (\d+) of \d+ specs"), re.compile(r"Kubernetes e2e suite - (\d+)/\d+ specs"))
_LOOKAHEAD = 16


@dataclass
class Progress:
    """Specs finished so far, read from ginkgo's default reporter as its output streams by.

    Each finished spec prints a bullet; a failed one is followed by ``[FAILED]`` (or
    ``[PANICKED]``, ``[TIMEDOUT]``, ...). The suite's own progress reporter
    (``--progress-report-url``) would name each spec, but at v1.36.3 it posts only the start,
    the total and the end, so kconform reads the output instead.
    """

    total: int = 0
    passed: int = 0
    failed: int = 0
    _pending: str = ""

    def feed(self, text: str, *, final: bool = False) -> list[str]:
        """Fold more output in; a progress line for each spec that finished in it."""
        text = self._pending + text
        self._pending = ""
        if not self.total:
            for pattern in _TOTAL:
                m = pattern.search(text)
                if m:
                    self.total = int(m.group(1))
                    break
        lines: list[str] = []
        i = text.find(_SPEC_DONE)
        while i >= 0:
            after = text[i + 1 : i + 1 + _LOOKAHEAD]
            if len(after) < _LOOKAHEAD and not final and "\n" not in after:
                self._pending = text[i:]  # whether it failed may be in the next chunk
                break
            if after.lstrip(" ").startswith(_FAILED_MARKS):
                self.failed += 1
            else:
                self.passed += 1
            lines.append(self.line())
            i = text.find(_SPEC_DONE, i + 1)
        return lines

    def line(self) -> str:
        done = self.passed + self.failed
        width = len(str(self.total or done))
        return f"[{done:>{width}}/{self.total or '?'}] {self.passed} passed, {self.failed} failed"


@dataclass(frozen=True)
class RunOptions:
    """What ``kconform conformance run`` was asked for."""

    kubeconfig: Path
    report_dir: Path
    focus: str = CONFORMANCE_FOCUS
    skip: str = ""
    parallel: int = 1
    timeout_s: float = 2 * 3600.0
    content_type: str = "protobuf"  # protobuf (the suite's default) | json

    def validate(self) -> None:
        if not self.kubeconfig.is_file():
            raise InvalidArgument(f"no kubeconfig at {self.kubeconfig}")
        if not 1 <= self.parallel <= 64:
            raise InvalidArgument("--parallel must be between 1 and 64")
        if self.timeout_s <= 0:
            raise InvalidArgument("--timeout must be positive")
        if self.content_type not in ("protobuf", "json"):
            raise InvalidArgument("--content-type must be protobuf or json")
        for flag, pattern in (("--focus", self.focus), ("--skip", self.skip)):
            try:
                re.compile(pattern)
            except re.error as e:
                raise InvalidArgument(f"{flag} is not a regular expression: {e}") from None


_CONTENT_TYPES = {"protobuf": "application/vnd.kubernetes.protobuf", "json": "application/json"}


def focus_from_names(path: Path) -> str:
    """A focus regex matching any of the spec names (or parts) listed in ``path``, one per line."""
    try:
        lines = path.read_text().splitlines()
    except OSError as e:
        raise InvalidArgument(f"cannot read {path}: {e.strerror or e}") from None
    names = [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if not names:
        raise InvalidArgument(f"{path} names no specs")
    return "|".join(re.escape(n) for n in names)


def e2e_argv(binaries: dict[str, Path], opts: RunOptions) -> list[str]:
    """The command line: ``ginkgo --procs N ... e2e.test -- FLAGS`` or ``e2e.test --ginkgo.* FLAGS``."""
    suite_flags = [
        f"--kubeconfig={opts.kubeconfig}",
        "--provider=skeleton",
        f"--report-dir={opts.report_dir}",
        f"--kubectl-path={binaries['kubectl']}",
        f"--kube-api-content-type={_CONTENT_TYPES[opts.content_type]}",
        f"--e2e-output-dir={opts.report_dir}",
    ]
    ginkgo = [f"--focus={opts.focus}", f"--timeout={int(opts.timeout_s)}s", "--no-color"]
    if opts.skip:
        ginkgo.append(f"--skip={opts.skip}")
    report = report_path(opts)
    if opts.parallel > 1:
        # the CLI merges what every process reported into one JSON report
        return [str(binaries["ginkgo"]), f"--procs={opts.parallel}", *ginkgo, f"--json-report={report.name}",
                f"--output-dir={report.parent}", str(binaries["e2e.test"]), "--", *suite_flags]
    ginkgo.append(f"--json-report={report}")
    return [str(binaries["e2e.test"]), *[f"--ginkgo.{f[2:]}" for f in ginkgo], *suite_flags]


def report_path(opts: RunOptions) -> Path:
    """Where ginkgo's JSON report of the run goes."""
    return opts.report_dir / "ginkgo" / "report.json"


def _server_of(kubeconfig: Path) -> str:
    """The current context's server URL (for the summary), read without a YAML dependency on shape."""
    import yaml

    try:
        cfg = yaml.safe_load(kubeconfig.read_text()) or {}
        ctx_name = cfg.get("current-context")
        ctx = next(c["context"] for c in cfg.get("contexts", []) if c.get("name") == ctx_name)
        return str(next(c["cluster"]["server"] for c in cfg.get("clusters", []) if c.get("name") == ctx["cluster"]))
    except (OSError, yaml.YAMLError, StopIteration, KeyError, TypeError, AttributeError):
        return ""


def run(
    opts: RunOptions,
    *,
    release: Release = DEFAULT_RELEASE,
    on_progress: Callable[[str], None] = lambda line: None,
) -> Summary:
    """Run the suite against ``opts.kubeconfig``; the summary (also written to the report dir)."""
    opts.validate()
    binaries = built(release)
    opts.report_dir.mkdir(parents=True, exist_ok=True)
    report = report_path(opts)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.unlink(missing_ok=True)
    log = opts.report_dir / LOG_FILE
    progress = Progress()
    argv = e2e_argv(binaries, opts)
    on_progress(f"running {argv[0]} (log: {log})")
    started = time.monotonic()
    # the suite's own --ginkgo.timeout bounds it; a margin for its reports, then kconform stops it
    margin_s = 600.0
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=opts.report_dir,
                                env=_suite_env())
        stopper = threading.Timer(opts.timeout_s + margin_s, proc.kill)
        stopper.daemon = True
        stopper.start()
        try:
            assert proc.stdout is not None
            while chunk := os.read(proc.stdout.fileno(), 65536):
                out.write(chunk)
                for line in progress.feed(chunk.decode("utf-8", errors="replace")):
                    on_progress(line)
            for line in progress.feed("", final=True):
                on_progress(line)
            proc.wait()
        finally:
            stopper.cancel()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    if time.monotonic() - started >= opts.timeout_s + margin_s:
        raise ConformanceFailed(f"the suite did not stop {opts.timeout_s + margin_s:.0f} s after starting (log: {log})")
    wall = time.monotonic() - started
    if not report.is_file() or report.stat().st_size < 16:  # ginkgo writes "[]" when it lost a process
        raise ConformanceFailed(f"the suite wrote no report: {_why_no_report(log)} (log: {log})")
    summary = summarize(report, opts=opts, release=release, wall_s=wall)
    (opts.report_dir / SUMMARY_FILE).write_text(summary.to_json())
    return summary


def _suite_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("KUBECONFIG", None)  # the --kubeconfig flag decides, not whatever the shell had
    return env


def _why_no_report(log: Path) -> str:
    try:
        lines = [ln.strip() for ln in log.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        return "no output"
    if any("timed out waiting for all parallel procs to report back" in ln for ln in lines):
        return ("a parallel ginkgo process exited before it reported (killed, out of memory or crashed), and "
                "ginkgo then reports nothing; its output is at the end of the log")
    for ln in reversed(lines):
        if re.search(r"\b(error|fail|FAIL|refused|unable)\b", ln):
            return ln[:FIRST_LINE_MAX]
    return lines[-1][:FIRST_LINE_MAX] if lines else "no output"


# -- reading ginkgo's report ----------------------------------------------------------------------


def spec_name(spec: dict[str, Any]) -> str:
    """The spec's full text, as ``--list-tests`` and ``--focus`` see it."""
    parts = [*(spec.get("ContainerHierarchyTexts") or []), spec.get("LeafNodeText") or ""]
    return " ".join(p for p in parts if p)


def _first_line(text: str) -> str:
    for ln in text.splitlines():
        if ln.strip():
            return ln.strip()[:FIRST_LINE_MAX]
    return ""


def spec_result(spec: dict[str, Any]) -> SpecResult | None:
    """One ``It`` of the report; None for setup nodes and for specs the focus left out."""
    if spec.get("LeafNodeType") != "It":
        return None
    ginkgo_state = str(spec.get("State", ""))
    failure = spec.get("Failure") or {}
    message = str(failure.get("Message") or "")
    if ginkgo_state in _SKIPPED and not message:
        return None  # filtered out by --focus/--skip: never ran, never decided to skip
    state = "passed" if ginkgo_state in _PASSED else "skipped" if ginkgo_state in _SKIPPED else "failed"
    loc = failure.get("Location") or {}
    location = ""
    if state == "failed" and loc.get("FileName"):
        fname = str(loc["FileName"])
        marker = fname.find("k8s.io/kubernetes")
        location = f"{fname[marker:] if marker >= 0 else os.path.basename(fname)}:{loc.get('LineNumber', 0)}"
    return SpecResult(
        name=spec_name(spec), state=state, ginkgo_state=ginkgo_state,
        duration_s=round(float(spec.get("RunTime") or 0) / 1e9, 2),
        failure=_first_line(message) if state != "passed" else "", location=location,
    )


def summarize(report: Path, *, opts: RunOptions, release: Release, wall_s: float) -> Summary:
    """``ginkgo/report.json`` (a list of suite reports) as a :class:`Summary`, specs sorted by name."""
    try:
        suites = json.loads(report.read_text())
    except (OSError, ValueError) as e:
        raise ConformanceFailed(f"cannot read the suite's report {report}: {e}") from None
    specs: dict[str, SpecResult] = {}
    suite_failure = ""
    for suite in suites if isinstance(suites, list) else [suites]:
        for raw in suite.get("SpecReports") or []:
            result = spec_result(raw)
            if result is not None:
                specs[result.name] = result
            elif raw.get("LeafNodeType") != "It" and raw.get("State") not in _PASSED | _SKIPPED and not suite_failure:
                message = _first_line(str((raw.get("Failure") or {}).get("Message") or ""))
                suite_failure = f"{raw.get('LeafNodeType')}: {message or raw.get('State')}"
    return Summary(
        kubernetes=release.kubernetes, server=_server_of(opts.kubeconfig), focus=opts.focus, skip=opts.skip,
        parallel=opts.parallel, wall_s=round(wall_s, 1), specs=sorted(specs.values(), key=lambda s: s.name),
        suite_failure=suite_failure,
    )


# -- comparing two runs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    name: str
    a: str  # state in the first run, or "absent"
    b: str
    b_failure: str = ""
    a_failure: str = ""


def compare(a: Summary, b: Summary) -> list[Difference]:
    """Specs whose outcome differs between two runs; those passing on ``a`` but not ``b`` first."""
    sa, sb = a.by_name(), b.by_name()
    out: list[Difference] = []
    for name in sorted(set(sa) | set(sb)):
        ra, rb = sa.get(name), sb.get(name)
        state_a = ra.state if ra else "absent"
        state_b = rb.state if rb else "absent"
        if state_a != state_b:
            out.append(Difference(name, state_a, state_b, rb.failure if rb else "", ra.failure if ra else ""))
    out.sort(key=lambda d: (not (d.a == "passed" and d.b != "passed"), d.name))
    return out


def regressions(diffs: list[Difference]) -> list[Difference]:
    """The headline: specs that pass on the first run and do not pass on the second."""
    return [d for d in diffs if d.a == "passed" and d.b != "passed"]


__all__ = [
    "CONFORMANCE_FOCUS",
    "ConformanceFailed",
    "Difference",
    "Progress",
    "RunOptions",
    "SpecResult",
    "Summary",
    "build",
    "built",
    "compare",
    "e2e_argv",
    "focus_from_names",
    "regressions",
    "run",
    "spec_result",
    "summarize",
]
