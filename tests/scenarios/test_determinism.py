"""Same seed + same program ⇒ the same history, byte for byte — also across processes with
different ``PYTHONHASHSEED`` (which would expose set/dict-of-str iteration-order dependence).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

from reference_impl.cluster import ReferenceCluster
from tests.scenarios import NS, Obj, cluster, container, deployment, pod, service

ROOT = Path(__file__).resolve().parents[2]


def _job(name: str, script: str) -> Obj:
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "completions": 2,
            "parallelism": 2,
            "backoffLimit": 2,
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [container("main", "busybox:1.36", command=["sh", "-c", script])],
                }
            },
        },
    }


def _daemonset() -> Obj:
    labels = {"app": "agent"}
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "agent", "namespace": NS},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [container()]}},
        },
    }


def program(seed: int) -> dict[str, Any]:
    """A fixed program with faults plus a seeded random tail; returns what must be reproducible."""
    c = cluster(seed=seed)
    c.api.create("deployments", deployment("web", 5), NS)
    c.api.create("services", service("web", {"app": "web"}, [{"port": 80}], type="NodePort"), NS)
    c.api.create("daemonsets", _daemonset(), NS)
    c.api.create("jobs", _job("ok", "sleep 3"), NS)
    c.api.create("jobs", _job("bad", "exit 1"), NS)
    c.advance(20)
    c.kill_node("node-2")
    c.advance(70)
    c.api.patch("deployments", "web", {"spec": {"replicas": 7}}, "merge", NS)
    c.partition_node("node-3")
    c.advance(30)
    c.restart_controller_manager()
    c.advance(10)
    c.heal_node("node-3")
    c.restart_node("node-2")
    c.restart_scheduler()
    c.advance(15)
    c.drop_watches()
    c.compact()
    c.restart_apiserver()
    c.advance(15)

    rnd = random.Random(seed)
    for i in range(25):
        op = rnd.choice(["scale", "image", "pod", "delete-pod", "advance", "add-node", "drop"])
        if op == "scale":
            c.api.patch("deployments", "web", {"spec": {"replicas": rnd.randint(0, 8)}}, "merge", NS)
        elif op == "image":
            img = rnd.choice(["registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.9", "nginx:1.27"])
            c.api.patch(
                "deployments",
                "web",
                {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": img}]}}}},
                "strategic",
                NS,
            )
        elif op == "pod":
            c.api.create("pods", pod(f"p{i}", labels={"app": "web"}), NS)
        elif op == "delete-pod":
            names = sorted(p["metadata"]["name"] for p in c.api.list("pods", NS)["items"])
            if names:
                c.api.delete("pods", rnd.choice(names), NS)
        elif op == "advance":
            c.advance(rnd.uniform(0.1, 30))
        elif op == "add-node":
            c.add_node()
        else:
            c.drop_watches()
        c.advance(rnd.uniform(0, 3))
    c.advance(60)
    pods = [
        (p["metadata"]["name"], p["metadata"]["uid"], p["status"].get("podIP"), p["spec"].get("nodeName"))
        for p in c.api.list("pods", NS)["items"]
    ]
    return {
        "digest": c.history_digest(),
        "revision": c.store.revision,
        "pods": sorted(pods, key=lambda t: t[0]),
        "routes": c.routes(),
        "faults": c.faults,
    }


def _in_subprocess(seed: int, hashseed: str) -> dict[str, Any]:
    code = (
        "import json, sys; from tests.scenarios.test_determinism import program; "
        f"json.dump(program({seed}), sys.stdout)"
    )
    env = {**os.environ, "PYTHONHASHSEED": hashseed, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def _jsonable(r: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(r))
    return loaded


def test_same_seed_same_history() -> None:
    a, b = program(7), program(7)
    assert a["digest"] == b["digest"]
    assert a == b
    assert len(a["pods"]) > 5
    assert a["revision"] > 500


def test_different_seeds_differ() -> None:
    a, b = program(7), program(8)
    assert a["digest"] != b["digest"]
    assert {p[1] for p in a["pods"]}.isdisjoint({p[1] for p in b["pods"]})  # uids
    assert [p[0] for p in a["pods"]] != [p[0] for p in b["pods"]]  # generated names


def test_history_is_independent_of_pythonhashseed() -> None:
    here = _jsonable(program(7))
    there = _in_subprocess(7, "123")
    assert there["digest"] == here["digest"]
    assert there == here
    other = _in_subprocess(7, "4242")
    assert other["digest"] == here["digest"]


def test_history_digest_sees_every_change() -> None:
    a: ReferenceCluster = cluster(seed=3)
    b: ReferenceCluster = cluster(seed=3)
    assert a.history_digest() == b.history_digest()
    a.api.patch("nodes", "node-1", {"metadata": {"labels": {"x": "y"}}}, "merge")
    assert a.history_digest() != b.history_digest()
