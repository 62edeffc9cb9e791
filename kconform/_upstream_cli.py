"""``kconform upstream build`` and ``kconform upstream up``: the real control plane on this machine.

``build`` compiles the pinned binaries with the machine's ``go`` (:mod:`kconform.upstream.build`);
``up`` runs them on loopback (:mod:`kconform.upstream.cluster`), writes the kubeconfig once the
API server is ready and every node is Ready, then watches its processes until SIGINT/SIGTERM
(or a component dies: its log's tail is printed and the command exits non-zero).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from kconform.errors import InvalidArgument

EXIT_DIED = 1


def _say(line: str) -> None:
    print(f"kconform: {line}", flush=True)


def cmd_build(ns: argparse.Namespace) -> int:
    from kconform.upstream import build
    from kconform.upstream.versions import release_for

    release = release_for(ns.version)
    started = time.monotonic()
    paths = build.build(release, on_progress=_say, force=ns.force)
    _say(f"{len(paths)} binaries ready in {build.bin_dir(release)} ({time.monotonic() - started:.1f} s)")
    return 0


def cmd_up(ns: argparse.Namespace) -> int:
    from kconform.timings import timings
    from kconform.upstream.cluster import (
        STAGES_DIR,
        ComponentDied,
        FaultServer,
        UpstreamCluster,
        write_private,
    )
    from kconform.upstream.versions import release_for

    if ns.port is not None and not 0 < ns.port <= 65535:
        raise InvalidArgument("--port must be between 1 and 65535")
    kubeconfig = Path(os.path.abspath(ns.kubeconfig))
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    cluster = UpstreamCluster(
        nodes=ns.nodes, timing=timings(ns.timings), release=release_for(ns.version), port=ns.port, on_progress=_say,
        stages_dir=Path(ns.stages) if ns.stages else STAGES_DIR,
    )
    faults: FaultServer | None = None
    try:
        cluster.start()
        faults = FaultServer(cluster).start()
        write_private(kubeconfig, cluster.kubeconfig(extension=faults.extension()))
        _say(f"real control plane {cluster.release.kubernetes} ({ns.nodes} kwok nodes, {ns.timings} timings) "
             f"serving at {cluster.server}, ready in {time.monotonic() - cluster.started_s:.1f} s")
        _say(f"kubeconfig written to {kubeconfig}")
        _say(f"try: kubectl --kubeconfig {kubeconfig} get nodes")
        _say("stop with Ctrl-C")
        while not stop.wait(1.0):
            cluster.check()
    except ComponentDied as e:
        print(f"kconform: error: {e}", file=sys.stderr, flush=True)
        return EXIT_DIED
    finally:
        if faults is not None:
            faults.stop()
        cluster.stop()
        if kubeconfig.exists() and faults is not None:
            kubeconfig.unlink()  # its certificates are gone with the cluster
    _say("stopped")
    return 0


def register(sub: Any) -> None:
    from kconform.cli import _Parser

    up = sub.add_parser("upstream", help="build and run a real Kubernetes control plane (Go modules, KWOK nodes)")
    cmds = up.add_subparsers(dest="upstream_command", metavar="COMMAND", parser_class=_Parser)
    up.set_defaults(func=lambda ns: (up.print_help(), 2)[1])

    b = cmds.add_parser("build", help="build kube-apiserver, kube-controller-manager, kube-scheduler, etcd and kwok")
    b.add_argument("--version", default=None, help="Kubernetes version (default: the pinned one)")
    b.add_argument("--force", action="store_true", help="rebuild even when the binaries exist")
    b.set_defaults(func=cmd_build)

    r = cmds.add_parser("up", help="run the real control plane on loopback until Ctrl-C")
    r.add_argument("--nodes", type=int, default=3, help="kwok nodes (default 3)")
    r.add_argument("--kubeconfig", default="upstream.kubeconfig", help="where to write the kubeconfig")
    r.add_argument("--timings", default="fast", choices=["fast", "default"],
                   help="timing profile shared with the reference (default fast)")
    r.add_argument("--port", type=int, default=None, help="kube-apiserver port (default: any free port)")
    r.add_argument("--version", default=None, help="Kubernetes version (default: the pinned one)")
    r.add_argument("--stages", default=None,
                   help="folder of kwok Stage YAML files for pods (default: the runtime contract kconform ships)")
    r.set_defaults(func=cmd_up)
