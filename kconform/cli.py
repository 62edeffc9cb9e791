"""The ``kconform`` command.

``kconform run`` (the main job): the suites against the embedded reference cluster, a progress
line per suite, a summary table (suite, examples, steps, faults injected, result, time), and on
a failure the backend, seed and shrunk program plus a replay file. ``kconform replay FILE``
re-runs one; ``kconform minimize FILE`` shrinks it further by replaying it without the steps
it does not need. ``kconform serve`` serves the reference cluster over HTTP for kubectl and the
official client; ``kconform chaos`` injects faults into a served cluster; ``kconform compare``
runs the same programs on two backends and diffs their end states.

Errors a user can cause (a bad option, an unreadable file, an unreachable backend) end with one
readable line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
import traceback
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kconform import __version__, profiles, session
from kconform.errors import BackendUnavailable, CapabilityMissing, KconformError

if TYPE_CHECKING:
    from kconform.backends.base import Cluster
    from kconform.program import Program

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _suites() -> dict[str, str]:
    mod = importlib.import_module("suites")
    return dict(mod.SUITES)


def _load_machine(spec: str) -> Any:
    module, _, cls = spec.partition(":")
    return getattr(importlib.import_module(module), cls)


# == run ====================================================================================
def _run_one(args: dict[str, Any]) -> dict[str, Any]:
    """Run one suite in this process; a plain dict comes back (it may cross a process boundary)."""
    from hypothesis import core as hypothesis_core
    from hypothesis.stateful import run_state_machine_as_test

    from kconform.program import last
    from kconform.stateful import STATS

    name = args["suite"]
    session.configure(backend=args["backend"], seed=args["seed"], options=args["options"])
    machine = _load_machine(args["spec"])
    settings = profiles.get(args["profile"])
    forced = profiles.seeded(settings, name, int(args["seed"] or 0))
    t0 = time.perf_counter()
    result: dict[str, Any] = {"suite": name, "result": "passed", "detail": "", "replay": None}
    try:
        if forced is not None:
            settings, force = forced
            hypothesis_core.global_force_seed = force  # type: ignore[assignment]
        run_state_machine_as_test(machine, settings=settings)
    except (CapabilityMissing, BackendUnavailable) as e:
        result["result"], result["detail"] = "skipped", str(e)
    except Exception as e:  # a suite failure: an invariant, an expectation, or a crash
        result["result"] = "FAILED"
        result["detail"] = f"{type(e).__name__}: {e}"
        if not isinstance(e, AssertionError):
            result["detail"] += "\n" + "".join(traceback.format_exception(e)[-6:])
        program = last(machine.suite_name)
        if program is not None and program.steps:
            path = program.write(Path(args["report"]))
            result["replay"] = str(path)
            result["program"] = program.describe()
            result["program_steps"] = len(program.steps)
    finally:
        hypothesis_core.global_force_seed = None
    stats = STATS.get(machine.suite_name)
    result.update(stats.as_dict() if stats else {"examples": 0, "steps": 0, "faults": 0})
    result["wall_s"] = time.perf_counter() - t0
    return result


def _print_table(rows: list[dict[str, Any]], out: Any) -> None:
    header = ("suite", "examples", "steps", "faults", "result", "time")
    table = [header] + [
        (
            r["suite"],
            str(int(r.get("examples", 0))),
            str(int(r.get("steps", 0))),
            str(int(r.get("faults", 0))),
            r["result"],
            f"{r['wall_s']:.1f}s",
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for j, row in enumerate(table):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)), file=out)
        if j == 0:
            print("  ".join("-" * w for w in widths), file=out)


def cmd_run(ns: argparse.Namespace) -> int:
    known = _suites()
    selected: list[str] = []
    for s in ns.suite or []:
        selected += [x.strip() for x in s.split(",") if x.strip()]
    for s in selected:
        if s not in known:
            raise KconformError(f"unknown suite {s!r}; choose from: {', '.join(known)}")
    names = selected or list(known)
    options = _backend_options(ns)
    if ns.backend != "reference":
        _probe_backend(ns.backend, options)
    jobs = [
        {
            "suite": n,
            "spec": known[n],
            "backend": ns.backend,
            "seed": ns.seed,
            "profile": ns.profile,
            "options": options,
            "report": ns.report,
        }
        for n in names
    ]
    print(
        f"kconform {__version__}: {len(jobs)} suites on backend {ns.backend!r} "
        f"(profile {ns.profile}, seed {ns.seed}, {ns.jobs} process{'es' if ns.jobs > 1 else ''})",
        flush=True,
    )
    t0 = time.perf_counter()
    rows: list[dict[str, Any]] = []

    def show(r: dict[str, Any]) -> None:
        mark = {"passed": "ok", "skipped": "skip", "FAILED": "FAIL"}[r["result"]]
        print(
            f"  [{mark:>4}] {r['suite']:<14} {int(r.get('examples', 0)):>3} examples "
            f"{int(r.get('steps', 0)):>4} steps {r['wall_s']:6.1f}s",
            flush=True,
        )
        if r["result"] == "skipped":
            print(f"         skipped: {r['detail']}", flush=True)

    if ns.jobs > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(max_workers=min(ns.jobs, len(jobs))) as pool:
            for r in pool.map(_run_one, jobs):
                show(r)
                rows.append(r)
    else:
        for j in jobs:
            print(f"  [ .. ] {j['suite']} ...", flush=True)
            r = _run_one(j)
            show(r)
            rows.append(r)
    print(flush=True)
    _print_table(rows, sys.stdout)
    failed = [r for r in rows if r["result"] == "FAILED"]
    total = time.perf_counter() - t0
    for r in failed:
        print(f"\nFAILED {r['suite']} (backend {ns.backend}, seed {ns.seed}):", flush=True)
        print(r["detail"].strip()[:4000])
        if r.get("program"):
            print(f"\nshrunk program ({r['program_steps']} steps):\n{r['program']}")
        if r.get("replay"):
            print(f"\nreplay file: {r['replay']}\nre-run with: kconform replay {r['replay']}")
    passed = sum(1 for r in rows if r["result"] == "passed")
    skipped = sum(1 for r in rows if r["result"] == "skipped")
    print(f"\n{passed} passed, {len(failed)} failed, {skipped} skipped in {total:.1f}s", flush=True)
    return EXIT_FAILED if failed else EXIT_OK


def _backend_options(ns: argparse.Namespace, backend: str | None = None) -> dict[str, Any]:
    """Constructor options for ``backend`` (kind-only options only go to the kind backend)."""
    backend = backend or getattr(ns, "backend", None) or "reference"
    if backend == "reference":
        return {}
    opts: dict[str, Any] = {}
    attrs = [("kubeconfig", "kubeconfig"), ("context", "context")]
    if backend == "kind":
        attrs += [("kind_bin", "kind_bin"), ("cluster_name", "cluster_name")]
    for attr, key in attrs:
        v = getattr(ns, attr, None)
        if v:
            opts[key] = v
    if backend == "kind" and getattr(ns, "keep_cluster", False):
        opts["keep_cluster"] = True
    if backend == "kind" and getattr(ns, "kind_create", False):
        opts["create"] = True
    if getattr(ns, "allow_destructive", False):
        opts["allow_destructive"] = True
    return opts


def _probe_backend(backend: str, options: dict[str, Any]) -> None:
    """Fail fast, with one line, when a real backend cannot be reached."""
    sess = session.configure(backend=backend, options=options)
    try:
        c = sess.make_cluster()
    except BackendUnavailable as e:
        raise KconformError(f"backend {backend!r} is unreachable: {e}") from None
    except ImportError as e:
        raise KconformError(f"backend {backend!r} is not available: {e}") from None
    c.close()


# == replay =================================================================================
def _replay_session(ns: argparse.Namespace) -> tuple[Program, session.Session, str, int | str]:
    """The program of ``ns.file`` and a session for its backend, seed and node count."""
    from kconform.program import Program

    program = Program.load(Path(ns.file))
    backend = ns.backend or program.backend
    seed = ns.seed if ns.seed is not None else program.seed
    options = _backend_options(ns, backend)
    sess = session.configure(backend=backend, seed=seed if isinstance(seed, int) else 0, options=options, nodes=program.nodes)
    return program, sess, backend, seed


def _cluster_of(sess: session.Session, backend: str) -> Cluster:
    try:
        return sess.make_cluster()
    except BackendUnavailable as e:
        raise KconformError(f"backend {backend!r} is unreachable: {e}") from None


def cmd_replay(ns: argparse.Namespace) -> int:
    from kconform.replay import run_program

    program, sess, backend, seed = _replay_session(ns)
    cluster = _cluster_of(sess, backend)
    print(f"replaying {ns.file}: suite {program.suite}, {len(program.steps)} steps on backend {backend!r}, seed {seed}")
    if program.failure:
        print(f"recorded failure: {program.failure}")

    def on_step(i: int, step: dict[str, Any], outcome: str) -> None:
        from kconform.program import describe

        print(f"  {i:>2}. {describe(step)}  -> {outcome}", flush=True)

    try:
        problems = run_program(cluster, program, on_step=on_step)
    finally:
        cluster.close()
    if problems:
        print("\nreproduced:")
        for p in problems[:20]:
            print(f"  {p}")
        return EXIT_FAILED
    print("\ndid not reproduce: every invariant held")
    return EXIT_OK


def cmd_minimize(ns: argparse.Namespace) -> int:
    from kconform.minimize import minimize

    if ns.max_replays < 1:
        raise KconformError("--max-replays must be at least 1")
    program, sess, backend, seed = _replay_session(ns)
    out = Path(ns.out) if ns.out else Path(ns.file).with_suffix(".min.yaml")
    print(f"minimizing {ns.file}: suite {program.suite}, {len(program.steps)} steps on backend {backend!r}, seed {seed}")

    def progress(steps: int, replays: int) -> None:
        print(f"  {steps} steps still fail (after {replays} replays)", flush=True)

    result = minimize(program, lambda: _cluster_of(sess, backend), max_replays=ns.max_replays, on_progress=progress)
    if result is None:
        print(f"kconform: error: {ns.file} does not reproduce a failure on backend {backend!r}: nothing to minimize",
              file=sys.stderr)
        return EXIT_FAILED
    out.write_text(result.program.to_yaml())
    note = " (replay budget spent: it may shrink further)" if result.exhausted else ""
    print(f"\n{len(program.steps)} -> {len(result.program.steps)} steps in {result.replays} replays{note}; "
          f"still breaks {', '.join(sorted(result.kinds))}")
    print(result.program.describe())
    print(f"wrote {out}")
    return EXIT_OK


# == parser =================================================================================
def _add_backend_args(p: argparse.ArgumentParser, *, default: str | None = "reference") -> None:
    p.add_argument("--backend", default=default, choices=sorted(session.BACKENDS), help="cluster backend")
    p.add_argument("--kubeconfig", help="kubeconfig for the kube/kind backends")
    p.add_argument("--context", help="kubeconfig context")
    p.add_argument("--kind-bin", dest="kind_bin", help="kind executable (default: kind on PATH)")
    p.add_argument("--cluster-name", dest="cluster_name", help="kind cluster name")
    p.add_argument("--keep-cluster", dest="keep_cluster", action="store_true", help="keep a kind cluster kconform created")
    p.add_argument("--kind-create", dest="kind_create", action="store_true", help="create the kind cluster if it is missing")
    p.add_argument(
        "--allow-destructive", dest="allow_destructive", action="store_true",
        help="allow node faults on a cluster kconform did not create",
    )


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one readable line, exit 2
        self.exit(EXIT_USAGE, f"kconform: error: {message} (see 'kconform --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kconform",
        description="Property-based conformance and chaos testing for Kubernetes.",
    )
    parser.add_argument("--version", action="version", version=f"kconform {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = sub.add_parser("run", help="run the suites (default: against the embedded reference cluster)")
    _add_backend_args(run)
    run.add_argument("--profile", default="ci", choices=profiles.PROFILES, help="hypothesis profile (default: ci)")
    run.add_argument(
        "--seed", type=int, default=0,
        help="seed of the reference cluster; a non-zero seed also seeds the programs the suites draw "
        "(other programs, each seed repeatable; default 0: the profile's own)",
    )
    run.add_argument("--suite", action="append", help="run only these suites (repeatable or comma-separated)")
    run.add_argument("--report", default="kconform-report", help="directory for replay files (default kconform-report)")
    run.add_argument(
        "-n", "--jobs", type=int, default=os.cpu_count() or 1,
        help="run suites in N processes (default: one per CPU)",
    )
    run.set_defaults(func=cmd_run)

    rep = sub.add_parser("replay", help="re-run a replay file written by a failing run")
    rep.add_argument("file", help="replay file (YAML)")
    _add_backend_args(rep, default=None)
    rep.add_argument("--seed", type=int, default=None, help="override the recorded seed")
    rep.set_defaults(func=cmd_replay)

    mini = sub.add_parser(
        "minimize", help="shrink a failing replay file further by replaying it without steps it does not need"
    )
    mini.add_argument("file", help="replay file (YAML) of a failing run")
    _add_backend_args(mini, default=None)
    mini.add_argument("--seed", type=int, default=None, help="override the recorded seed")
    mini.add_argument("-o", "--out", help="where to write the result (default: FILE with .min.yaml)")
    mini.add_argument(
        "--max-replays", type=int, default=400, help="give up shrinking after this many replays (default 400)"
    )
    mini.set_defaults(func=cmd_minimize)

    for extra in _extra_commands():
        extra(sub)
    return parser


def _extra_commands() -> list[Any]:
    """Commands that live in their own modules (serve, chaos, compare, upstream, conformance)."""
    out = []
    for mod in ("kconform._serve", "kconform._compare_cli", "kconform._upstream_cli", "kconform._conformance_cli"):
        try:
            out.append(importlib.import_module(mod).register)
        except ImportError:
            continue
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    ns = parser.parse_args(argv)
    if not getattr(ns, "command", None):
        parser.print_help()
        return EXIT_USAGE
    if getattr(ns, "jobs", 1) is not None and getattr(ns, "jobs", 1) < 1:
        parser.error("-n/--jobs must be at least 1")
    try:
        return int(ns.func(ns))
    except KconformError as e:
        print(f"kconform: error: {e}", file=sys.stderr)
        return EXIT_USAGE if not isinstance(e, BackendUnavailable) else EXIT_FAILED
    except KeyboardInterrupt:
        print("kconform: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    os._exit(main())
