"""``kconform serve`` and ``kconform chaos``: the reference cluster for kubectl, and its faults.

``serve`` runs the reference cluster against the wall clock (optionally sped up), serves the
Kubernetes API over HTTP on loopback, writes a private kubeconfig once it answers, and stops
cleanly on SIGINT/SIGTERM. ``chaos`` injects a node fault into a served cluster through its
fault endpoint, with the official client (the same road the kube backend takes).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from typing import Any

from kconform.errors import BackendUnavailable, InvalidArgument, KconformError

CHAOS_FAULTS = {
    "kill-node": "KillNode",
    "restart-node": "RestartNode",
    "partition-node": "PartitionNode",
    "heal-node": "HealNode",
    "add-node": "AddNode",
    "cordon-node": "CordonNode",
    "uncordon-node": "UncordonNode",
    "drain-node": "DrainNode",
}


def cmd_serve(ns: argparse.Namespace) -> int:
    from kconform.backends.reference import serve

    if ns.nodes < 1:
        raise InvalidArgument("--nodes must be at least 1")
    if ns.speed <= 0:
        raise InvalidArgument("--speed must be greater than 0")
    if not 0 <= ns.port <= 65535:
        raise InvalidArgument("--port must be between 0 and 65535")
    kubeconfig = os.path.abspath(ns.kubeconfig)
    kind, etcd_url = parse_store(ns.store)
    if kind == "etcd" and ns.data_dir is not None:
        raise InvalidArgument("--data-dir and --store etcd exclude each other: etcd keeps the data")

    def ready(url: str) -> None:
        print(f"kconform: reference cluster ({ns.nodes} nodes, seed {ns.seed}) serving at {url}", flush=True)
        print(f"kconform: kubeconfig written to {kubeconfig}", flush=True)
        print(f"kconform: try: kubectl --kubeconfig {kubeconfig} get nodes", flush=True)
        print("kconform: stop with Ctrl-C", flush=True)

    with contextlib.ExitStack() as stack:
        if kind == "etcd" and etcd_url is None:
            etcd_url = _private_etcd(stack)
        try:
            asyncio.run(
                serve(
                    nodes=ns.nodes, seed=ns.seed, host=ns.host, port=ns.port, kubeconfig=kubeconfig,
                    speed=ns.speed, ready=ready, data_dir=ns.data_dir, etcd_url=etcd_url,
                )
            )
        except OSError as e:
            raise KconformError(f"cannot listen on {ns.host}:{ns.port}: {e.strerror or e}") from None
    print("kconform: stopped", flush=True)
    return 0


def parse_store(text: str) -> tuple[str, str | None]:
    """``--store``: ``memory``, ``etcd`` (a private etcd) or ``etcd=URL`` → (kind, URL or None)."""
    kind, sep, url = text.partition("=")
    if kind == "memory" and not sep:
        return "memory", None
    if kind == "etcd":
        if not sep:
            return "etcd", None
        if url.startswith(("http://", "https://")):
            return "etcd", url
        raise InvalidArgument(f"--store etcd={url}: expected an etcd URL, e.g. etcd=http://127.0.0.1:2379")
    raise InvalidArgument(f"--store {text}: expected memory, etcd or etcd=URL")


def _private_etcd(stack: contextlib.ExitStack) -> str:
    """Start an etcd for this serve (stopped, its data removed, when ``stack`` closes); its URL."""
    from kconform.upstream.etcd import LocalEtcd, version

    etcd = stack.enter_context(LocalEtcd())  # BackendUnavailable names what to install
    print(f"kconform: etcd {version(etcd.binary)} ({etcd.binary}) at {etcd.url}, "
          "its data in a temporary folder removed at exit", flush=True)
    return etcd.url


def cmd_chaos(ns: argparse.Namespace) -> int:
    from kubernetes import config as kconfig
    from kubernetes import dynamic
    from kubernetes.client.exceptions import ApiException

    from kconform.faults import fault_from_dict

    if not os.path.exists(ns.kubeconfig):
        raise InvalidArgument(f"kubeconfig {ns.kubeconfig!r} does not exist")
    fault = fault_from_dict({"fault": CHAOS_FAULTS[ns.action], "node": ns.node})
    try:
        api_client = kconfig.new_client_from_config(config_file=ns.kubeconfig, context=ns.context, persist_config=False)
    except Exception as e:
        raise BackendUnavailable(f"cannot load kubeconfig {ns.kubeconfig!r}: {e}") from None
    try:
        dyn = dynamic.DynamicClient(api_client)
    except Exception as e:
        raise BackendUnavailable(f"cannot reach the cluster in {ns.kubeconfig!r}: {str(e).splitlines()[0]}") from None
    try:
        out: Any = dyn.request("post", "/kconform/v1/faults", body=fault.to_dict(), serialize=False)
    except ApiException as e:
        if e.status == 404:
            raise KconformError(
                "this cluster has no kconform fault endpoint (is it a 'kconform serve' cluster?)"
            ) from None
        message = e.reason
        try:
            import json

            message = json.loads(e.body or "{}").get("message", message)
        except Exception:
            pass
        raise KconformError(f"the server refused {fault.describe()}: {message}") from None
    except Exception as e:
        raise BackendUnavailable(f"cannot reach the cluster: {str(e).splitlines()[0]}") from None
    msg = getattr(out, "message", None) or (out.get("message") if isinstance(out, dict) else None)
    print(f"kconform: {msg or 'injected ' + fault.describe()}")
    return 0


def register(sub: Any) -> None:
    serve = sub.add_parser("serve", help="serve the reference cluster over HTTP for kubectl and the official client")
    serve.add_argument("--nodes", type=int, default=3, help="worker nodes (default 3)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: loopback only)")
    serve.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    serve.add_argument("--kubeconfig", default="kconform.kubeconfig", help="where to write the kubeconfig")
    serve.add_argument("--speed", type=float, default=1.0, help="simulated seconds per wall second (default 1)")
    serve.add_argument("--seed", type=int, default=0, help="seed of the reference cluster")
    serve.add_argument(
        "--data-dir", default=None, metavar="DIR",
        help="keep the store in DIR (write-ahead log + snapshots) across restarts (default: in memory only)",
    )
    serve.add_argument(
        "--store", default="memory", metavar="memory|etcd[=URL]",
        help="where the cluster's data lives: in memory (default), a private etcd started for this "
             "serve (etcd), or the etcd at URL (etcd=http://HOST:PORT[/PREFIX])",
    )
    serve.set_defaults(func=cmd_serve)

    chaos = sub.add_parser("chaos", help="inject a node fault into a 'kconform serve' cluster")
    chaos.add_argument("--kubeconfig", required=True, help="kubeconfig written by 'kconform serve'")
    chaos.add_argument("--context", default=None, help="kubeconfig context")
    chaos.add_argument("action", choices=sorted(CHAOS_FAULTS), help="what to do")
    chaos.add_argument("node", help="node name (e.g. node-2)")
    chaos.set_defaults(func=cmd_chaos)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(1)
