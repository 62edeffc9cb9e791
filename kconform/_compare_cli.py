"""``kconform compare``: the same seeded programs on two backends, end states diffed.

Programs come from replay files (``--program FILE``, repeatable) or are generated from a seed:
small, healthy workloads (Deployments, Services, scaling, image updates, deletions) that every
conformant cluster settles the same way. The report lists what differs per kind and owner —
counts, phases, readiness, conditions, event reasons — never names, IPs or timestamps.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Any

from kconform import session
from kconform.errors import BackendUnavailable, KconformError
from kconform.program import Program, Step

IMAGES = ("registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.9")


def _metadata(name: str, ns: str | None, labels: dict[str, str]) -> dict[str, Any]:
    return {"name": name, "labels": labels, **({"namespace": ns} if ns else {})}


def _deployment(name: str, ns: str | None, replicas: int, image: str) -> dict[str, Any]:
    labels = {"app": name, "app.kubernetes.io/managed-by": "kconform"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(name, ns, labels),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "containers": [
                        {
                            "name": "main",
                            "image": image,
                            "ports": [{"name": "http", "containerPort": 8080}],
                            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                        }
                    ]
                },
            },
        },
    }


def generate_program(seed: int, *, namespace: str | None = None) -> list[Step]:
    """A deterministic, healthy program for differential runs.

    No namespace by default: each backend puts the objects in its example namespace (``default``
    on the reference, a fresh ``kconform-*`` one on a real cluster), where it sees everything,
    Events of deleted objects included.
    """
    rng = random.Random(seed)
    steps: list[Step] = []
    names = [f"web{i}" for i in range(rng.randint(1, 3))]
    for name in names:
        steps.append({"op": "apply", "manifest": _deployment(name, namespace, rng.randint(1, 4), IMAGES[0])})
        if rng.random() < 0.6:
            steps.append(
                {
                    "op": "apply",
                    "manifest": {
                        "apiVersion": "v1",
                        "kind": "Service",
                        "metadata": _metadata(name, namespace, {"app.kubernetes.io/managed-by": "kconform"}),
                        "spec": {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": "http"}]},
                    },
                }
            )
    steps.append({"op": "advance", "seconds": 30})
    for _ in range(rng.randint(1, 4)):
        name = rng.choice(names)
        r = rng.random()
        if r < 0.4:
            steps.append({"op": "scale", "resource": "deployments", "name": name, "namespace": namespace,
                          "replicas": rng.randint(0, 5)})
        elif r < 0.8:
            steps.append({"op": "patch-image", "resource": "deployments", "name": name, "namespace": namespace,
                          "container": "main", "image": rng.choice(IMAGES)})
        else:
            steps.append({"op": "delete", "resource": "deployments", "name": name, "namespace": namespace})
        steps.append({"op": "advance", "seconds": rng.choice([5, 30])})
    return steps


def _factory(backend: str, options: dict[str, Any], seed: int) -> Any:
    sess = session.Session(backend=backend, seed=seed, options=options)

    def make() -> Any:
        return sess.make_cluster()

    return make


def _upstream_timings(ns: argparse.Namespace, opts: dict[str, Any]) -> str | None:
    """The timing profile of the real control plane being compared (from its kubeconfig), if any."""
    if "upstream" not in (ns.a, ns.b):
        return None
    import os

    from kconform.backends.upstream import ENV_KUBECONFIG, read_extension

    kubeconfig = opts.get("kubeconfig") or os.environ.get(ENV_KUBECONFIG)
    ext = read_extension(kubeconfig, opts.get("context")) if kubeconfig else None
    return str(ext["timings"]) if ext and ext.get("timings") else "fast"  # a cluster of its own runs fast


def cmd_compare(ns: argparse.Namespace) -> int:
    from kconform.cli import _backend_options
    from kconform.compare import compare

    programs: list[tuple[str, list[Step]]] = []
    for path in ns.program or []:
        p = Program.load(Path(path))
        programs.append((path, p.steps))
    if not programs:
        programs = [(f"generated program (seed {ns.seed + i})", generate_program(ns.seed + i)) for i in range(ns.programs)]
    opts_a = _backend_options(ns, ns.a)
    opts_b = _backend_options(ns, ns.b)
    # one timing profile on both sides: the reference runs the real control plane's
    timing = ns.timings or _upstream_timings(ns, opts_a if ns.a == "upstream" else opts_b)
    for name, opts in ((ns.a, opts_a), (ns.b, opts_b)):
        if name == "reference" and timing:
            opts["timings"] = timing
    differing = 0
    for label, steps in programs:
        print(f"== {label}: {len(steps)} steps on {ns.a} and {ns.b}", flush=True)
        try:
            result = compare(
                steps, _factory(ns.a, opts_a, ns.seed), _factory(ns.b, opts_b, ns.seed),
                settle_timeout_s=ns.settle_timeout, include_events=not ns.no_events, ignore=ns.ignore or (),
            )
        except BackendUnavailable as e:
            raise KconformError(f"a backend is unreachable: {e}") from None
        print(result.report, flush=True)
        if not result.equal:
            differing += 1
    print(f"\n{len(programs) - differing} equal, {differing} different", flush=True)
    return 1 if differing else 0


def register(sub: Any) -> None:
    from kconform.cli import _add_backend_args

    p = sub.add_parser("compare", help="run the same programs on two backends and diff their end states")
    p.add_argument("--a", default="reference", choices=sorted(session.BACKENDS), help="first backend")
    p.add_argument("--b", required=True, choices=sorted(session.BACKENDS), help="second backend")
    p.add_argument("--program", action="append", help="a replay file to run (repeatable); default: generated")
    p.add_argument("--programs", type=int, default=3, help="how many programs to generate (default 3)")
    p.add_argument("--seed", type=int, default=0, help="seed of the generated programs")
    p.add_argument("--settle-timeout", dest="settle_timeout", type=float, default=600.0,
                   help="seconds to let each backend settle (default 600)")
    p.add_argument("--timings", choices=["fast", "default"], default=None,
                   help="timing profile of the reference (default: the real control plane's, when one is compared)")
    p.add_argument("--no-events", dest="no_events", action="store_true", help="leave events out of the diff")
    p.add_argument("--ignore", action="append", metavar="PREFIX",
                   help="leave out differences whose path starts with PREFIX, e.g. events.Pod (repeatable; "
                        "for differences docs/divergences.md explains)")
    _add_backend_args(p, default=None)
    # --backend makes no sense here: --a/--b choose them
    p.set_defaults(func=cmd_compare, backend=None)
