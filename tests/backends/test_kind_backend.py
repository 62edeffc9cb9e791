"""The kind backend against stand-in ``kind`` and ``docker`` executables.

The stand-ins (``tests/backends/fake_bin``) record every invocation and keep clusters in a
state file; the kubeconfigs the fake ``kind`` hands out point at the reference cluster served
over HTTP, so the kube half of the backend runs for real. Checked: a cluster is created only
when asked and deleted only when this process created it; each node fault is the right docker
command on the right container; destructive faults are refused unless the cluster is ours.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kconform import faults as F
from kconform.backends import kind as kind_mod
from kconform.backends.kind import DestructiveFaultRefused, KindBackend, delete_created_clusters
from kconform.errors import BackendUnavailable, CapabilityMissing, InvalidArgument
from tests.backends.test_kube_backend import Served, _serve

FAKE_BIN = Path(__file__).parent / "fake_bin"


class Fakes:
    def __init__(self, root: Path) -> None:
        self.bin = root / "bin"
        self.log = root / "calls.jsonl"
        self.state = root / "state.json"

    def calls(self, tool: str | None = None) -> list[list[str]]:
        if not self.log.exists():
            return []
        rows = [json.loads(line) for line in self.log.read_text().splitlines()]
        return [r for r in rows if tool is None or r[0] == tool]

    def docker_actions(self) -> list[list[str]]:
        return [r[1:] for r in self.calls("docker") if r[1] != "ps"]

    def clusters(self) -> list[str]:
        return list(json.loads(self.state.read_text())["clusters"]) if self.state.exists() else []

    def add_cluster(self, name: str) -> None:
        self.state.write_text(json.dumps({
            "clusters": [name],
            "containers": {name: {f"{name}-control-plane": "control-plane", "node-1": "worker",
                                  "node-2": "worker", "node-3": "worker"}},
        }))


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    yield from _serve(tmp_path, faults_enabled=False)


@pytest.fixture
def fakes(tmp_path: Path, served: Served, monkeypatch: pytest.MonkeyPatch) -> Iterator[Fakes]:
    f = Fakes(tmp_path)
    f.bin.mkdir()
    for tool in ("kind", "docker"):
        shutil.copy(FAKE_BIN / tool, f.bin / tool)
        (f.bin / tool).chmod((f.bin / tool).stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{f.bin}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("KCONFORM_FAKE_LOG", str(f.log))
    monkeypatch.setenv("KCONFORM_FAKE_STATE", str(f.state))
    monkeypatch.setenv("KCONFORM_FAKE_SERVER", served.server.url)
    monkeypatch.setattr(kind_mod, "_clusters", {})  # a fresh "process" per test
    yield f
    delete_created_clusters()


def backend(**options: Any) -> KindBackend:
    return KindBackend(poll_interval_s=0.1, ready_timeout_s=5, **options)


# -- finding and creating clusters ---------------------------------------------------------------
def test_no_kind_on_path_is_backend_unavailable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackendUnavailable, match="no `kind` on PATH"):
        KindBackend()
    with pytest.raises(BackendUnavailable, match="--kind-bin"):
        KindBackend(kind_bin=str(tmp_path / "nope"))


def test_a_missing_cluster_is_not_created_unless_asked(fakes: Fakes) -> None:
    with pytest.raises(BackendUnavailable, match="no kind cluster named 'kconform'"):
        backend()
    assert [c[1:3] for c in fakes.calls("kind")] == [["get", "clusters"]]
    assert fakes.clusters() == []


def test_create_once_per_process_and_delete_only_what_was_created(fakes: Fakes) -> None:
    first = backend(cluster_name="chaos", create=True)
    kubeconfig = first.cluster.kubeconfig
    first.close()
    second = backend(cluster_name="chaos", create=True)  # the next example reuses the cluster
    second.close()
    creates = [c for c in fakes.calls("kind") if c[1:3] == ["create", "cluster"]]
    assert len(creates) == 1
    assert creates[0][3:7] == ["--name", "chaos", "--kubeconfig", kubeconfig]
    assert stat.S_IMODE(os.stat(kubeconfig).st_mode) == 0o600
    assert fakes.clusters() == ["chaos"]
    assert delete_created_clusters() == ["chaos"]
    assert fakes.calls("kind")[-2:] == [["kind", "get", "clusters"], ["kind", "delete", "cluster", "--name", "chaos"]]
    assert fakes.clusters() == []


def test_keep_cluster_keeps_it(fakes: Fakes) -> None:
    backend(cluster_name="kept", create=True, keep_cluster=True).close()
    assert delete_created_clusters() == []
    assert fakes.clusters() == ["kept"]


def test_an_existing_cluster_is_used_and_never_deleted(fakes: Fakes) -> None:
    fakes.add_cluster("kconform")
    b = backend(create=True)
    assert not b.cluster.created
    assert stat.S_IMODE(os.stat(b.cluster.kubeconfig).st_mode) == 0o600
    assert b.kubeconfig == b.cluster.kubeconfig
    b.close()
    assert delete_created_clusters() == []
    assert not [c for c in fakes.calls("kind") if c[1] in ("create", "delete")]
    assert ["kind", "get", "kubeconfig", "--name", "kconform"] in fakes.calls("kind")


def test_a_cluster_that_disappeared_is_not_deleted_again(fakes: Fakes) -> None:
    backend(cluster_name="gone", create=True).close()
    fakes.state.write_text(json.dumps({"clusters": [], "containers": {}}))
    assert delete_created_clusters() == []
    assert not [c for c in fakes.calls("kind") if c[1] == "delete"]


# -- node faults -------------------------------------------------------------------------------------
def test_node_faults_are_docker_commands_on_the_node_containers(fakes: Fakes) -> None:
    b = backend(cluster_name="chaos", create=True)
    assert {"kill-node", "restart-node", "partition-node"} <= b.capabilities
    b.inject(F.KillNode("node-2"))
    assert b.snapshot().dead_nodes == frozenset({"node-2"})
    b.inject(F.RestartNode("node-2"))
    b.inject(F.PartitionNode("node-3"))
    b.inject(F.HealNode("node-3"))
    b.inject(F.RestartNode("node-1"))  # a reboot of a live node
    assert b.snapshot().dead_nodes == frozenset()
    assert fakes.docker_actions() == [
        ["kill", "node-2"], ["start", "node-2"], ["pause", "node-3"], ["unpause", "node-3"], ["restart", "node-1"],
    ]
    ps = next(c for c in fakes.calls("docker") if c[1] == "ps")
    assert ps[2:5] == ["-a", "--filter", "label=io.x-k8s.kind.cluster=chaos"]
    b.close()


def test_close_brings_broken_nodes_back(fakes: Fakes) -> None:
    b = backend(cluster_name="chaos", create=True)
    b.inject(F.KillNode("node-1"))
    b.inject(F.PartitionNode("node-2"))
    b.close()
    assert fakes.docker_actions()[-2:] == [["unpause", "node-2"], ["start", "node-1"]]


def test_the_control_plane_and_unknown_nodes_are_not_targets(fakes: Fakes) -> None:
    b = backend(cluster_name="chaos", create=True)
    with pytest.raises(InvalidArgument, match="control plane"):
        b.inject(F.KillNode("chaos-control-plane"))
    with pytest.raises(InvalidArgument, match="no node 'node-7'"):
        b.inject(F.KillNode("node-7"))
    assert fakes.docker_actions() == []
    assert b.node_names() == ["node-1", "node-2", "node-3"]
    b.close()


def test_destructive_faults_are_refused_on_a_cluster_not_ours(fakes: Fakes) -> None:
    fakes.add_cluster("kconform")
    b = backend()
    assert "kill-node" not in b.capabilities
    with pytest.raises(DestructiveFaultRefused, match="neither created by this run nor named") as info:
        b.inject(F.KillNode("node-1"))
    assert isinstance(info.value, CapabilityMissing)  # suites skip, with the reason
    b.inject(F.CordonNode("node-1"))  # API-only faults still work
    b.close()
    assert fakes.docker_actions() == []


@pytest.mark.parametrize("options", [{"cluster_name": "kconform"}, {"allow_destructive": True}])
def test_naming_the_cluster_or_allowing_destruction_permits_faults(fakes: Fakes, options: dict[str, Any]) -> None:
    fakes.add_cluster("kconform")
    b = backend(**options)
    b.inject(F.KillNode("node-1"))
    b.close()
    assert fakes.docker_actions() == [["kill", "node-1"], ["start", "node-1"]]


def test_no_docker_means_no_node_faults(fakes: Fakes, monkeypatch: pytest.MonkeyPatch) -> None:
    b = backend(cluster_name="chaos", create=True, docker_bin="no-such-docker")
    with pytest.raises(DestructiveFaultRefused, match="docker CLI"):
        b.inject(F.KillNode("node-1"))
    b.close()
