"""``kconform conformance build|run|compare``: the official e2e conformance suite, on any cluster.

``build`` compiles ``e2e.test``, ginkgo and kubectl of the pinned release
(:mod:`kconform.upstream.conformance`); ``run`` points it at a kubeconfig — ``kconform serve``,
``kconform upstream up`` or any real cluster — showing each finished spec, and writes
``summary.json``; ``compare`` prints the specs whose outcome differs between two summaries and
exits 1 when some pass on the first and not on the second.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from kconform.errors import InvalidArgument

EXIT_FAILED_SPECS = 1
EXIT_REGRESSIONS = 1


def _say(line: str) -> None:
    print(f"kconform: {line}", flush=True)


def _duration(text: str) -> float:
    """``90m``, ``2h``, ``3600s`` or ``3600`` → seconds."""
    units = {"s": 1.0, "m": 60.0, "h": 3600.0}
    t = text.strip()
    try:
        if t and t[-1] in units:
            return float(t[:-1]) * units[t[-1]]
        return float(t)
    except ValueError:
        raise InvalidArgument(f"not a duration: {text!r} (e.g. 90m, 2h, 600s)") from None


def cmd_build(ns: argparse.Namespace) -> int:
    from kconform.upstream import build as upstream_build
    from kconform.upstream import conformance
    from kconform.upstream.versions import release_for

    release = release_for(ns.version)
    started = time.monotonic()
    paths = conformance.build(release, on_progress=_say, force=ns.force)
    _say(f"{', '.join(sorted(paths))} ready in {upstream_build.bin_dir(release)} ({time.monotonic() - started:.1f} s)")
    return 0


def cmd_run(ns: argparse.Namespace) -> int:
    from kconform.upstream import conformance
    from kconform.upstream.versions import release_for

    focus = ns.focus
    if ns.focus_file:
        if ns.focus is not None:
            raise InvalidArgument("give --focus or --focus-file, not both")
        focus = conformance.focus_from_names(Path(ns.focus_file))
    opts = conformance.RunOptions(
        kubeconfig=Path(ns.kubeconfig).expanduser().resolve(),
        report_dir=Path(ns.report).expanduser().resolve(),
        focus=focus or conformance.CONFORMANCE_FOCUS, skip=ns.skip or "", parallel=ns.parallel, timeout_s=_duration(ns.timeout),
        content_type=ns.content_type,
    )
    summary = conformance.run(opts, release=release_for(ns.version), on_progress=_say)
    c = summary.counts()
    if summary.suite_failure:
        _say(f"the suite itself failed: {summary.suite_failure}")
    _say(f"{len(summary.specs)} specs: {c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped "
         f"in {summary.wall_s:.0f} s; summary: {opts.report_dir / conformance.SUMMARY_FILE}")
    for spec in summary.specs:
        if spec.state == "failed":
            print(f"  FAIL {spec.name}\n       {spec.failure}" + (f" ({spec.location})" if spec.location else ""))
    return EXIT_FAILED_SPECS if c["failed"] or summary.suite_failure else 0


def cmd_compare(ns: argparse.Namespace) -> int:
    from kconform.upstream import conformance

    a = conformance.Summary.load(Path(ns.a))
    b = conformance.Summary.load(Path(ns.b))
    diffs = conformance.compare(a, b)
    worse = conformance.regressions(diffs)
    ca, cb = a.counts(), b.counts()
    print(f"A {ns.a}: {ca['passed']} passed, {ca['failed']} failed, {ca['skipped']} skipped ({a.server or 'unknown server'})")
    print(f"B {ns.b}: {cb['passed']} passed, {cb['failed']} failed, {cb['skipped']} skipped ({b.server or 'unknown server'})")
    if not diffs:
        print("same outcome for every spec")
        return 0
    width = max(len(d.a) for d in diffs)
    print(f"{len(diffs)} specs differ; {len(worse)} pass on A and not on B")
    for d in diffs:
        print(f"  {d.a:<{width}} -> {d.b:<7} {d.name}")
        why = d.b_failure if d.b != "passed" else d.a_failure
        if why:
            print(f"  {'':<{width}}    {'':<7} {why}")
    return EXIT_REGRESSIONS if worse else 0


def register(sub: Any) -> None:
    from kconform.cli import _Parser

    conf = sub.add_parser("conformance", help="build and run the official Kubernetes conformance suite (e2e.test)")
    cmds = conf.add_subparsers(dest="conformance_command", metavar="COMMAND", parser_class=_Parser)
    conf.set_defaults(func=lambda ns: (conf.print_help(), 2)[1])

    b = cmds.add_parser("build", help="build e2e.test, ginkgo and kubectl of the pinned release")
    b.add_argument("--version", default=None, help="Kubernetes version (default: the pinned one)")
    b.add_argument("--force", action="store_true", help="rebuild even when the binaries exist")
    b.set_defaults(func=cmd_build)

    r = cmds.add_parser("run", help="run the [Conformance] specs (or --focus) against a kubeconfig")
    r.add_argument("--kubeconfig", required=True, help="the cluster to test")
    r.add_argument("--focus", default=None, help=r"spec regex (default \[Conformance\])")
    r.add_argument("--focus-file", default=None,
                   help="file of spec names (or parts of names), one per line, taken literally; # starts a comment")
    r.add_argument("--skip", default=None, help="regex of specs to leave out")
    r.add_argument("--parallel", type=int, default=1, help="ginkgo processes (default 1)")
    r.add_argument("--report", default="conformance-report", help="report dir (default ./conformance-report)")
    r.add_argument("--timeout", default="2h", help="bound on the whole suite (default 2h)")
    r.add_argument("--content-type", default="protobuf", choices=["protobuf", "json"],
                   help="how the suite's client encodes requests (default protobuf, as upstream)")
    r.add_argument("--version", default=None, help="Kubernetes version of the suite (default: the pinned one)")
    r.set_defaults(func=cmd_run)

    c = cmds.add_parser("compare", help="specs whose outcome differs between two runs' summary.json")
    c.add_argument("a", help="summary.json of the baseline run (e.g. the real control plane)")
    c.add_argument("b", help="summary.json of the other run (e.g. kconform serve)")
    c.set_defaults(func=cmd_compare)
