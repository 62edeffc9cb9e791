"""kubectl 1.32 against the HTTP server: version, apply (client- and server-side), get, scale, delete."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.http.conftest import ServedEnv

KUBECTL = "/usr/bin/kubectl"
pytestmark = pytest.mark.skipif(not os.path.exists(KUBECTL), reason="kubectl is not installed at /usr/bin/kubectl")

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: REPLICAS
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports: [{containerPort: 80}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
"""

Kubectl = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def kubectl(served: ServedEnv, tmp_path: Path) -> Iterator[Kubectl]:
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- name: ref\n  cluster:\n    server: {served.url}\n"
        "contexts:\n- name: ref\n  context: {cluster: ref, user: ref, namespace: default}\n"
        "current-context: ref\nusers:\n- name: ref\n  user: {}\n"
    )
    env = {**os.environ, "KUBECONFIG": str(kubeconfig), "HOME": str(tmp_path)}

    def run(*args: str, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        p = subprocess.run([KUBECTL, *args], env=env, capture_output=True, text=True, timeout=60, input=stdin)
        if check:
            assert p.returncode == 0, f"kubectl {' '.join(args)}: {p.stdout}\n{p.stderr}"
        return p

    yield run


def _manifest(tmp_path: Path, replicas: int) -> str:
    f = tmp_path / f"app-{replicas}.yaml"
    f.write_text(MANIFEST.replace("REPLICAS", str(replicas)))
    return str(f)


def _header(out: str) -> list[str]:
    return out.splitlines()[0].split()


def test_version(kubectl: Kubectl) -> None:
    out = kubectl("version").stdout
    assert "Server Version: v1.32.0" in out


def test_apply_get_scale_delete(kubectl: Kubectl, served: ServedEnv, tmp_path: Path) -> None:
    out = kubectl("apply", "-f", _manifest(tmp_path, 2)).stdout
    assert "deployment.apps/web created" in out and "service/web created" in out
    out = kubectl("apply", "-f", _manifest(tmp_path, 3)).stdout
    assert "deployment.apps/web configured" in out and "service/web unchanged" in out
    assert kubectl("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}").stdout == "3"
    p = kubectl("apply", "-f", _manifest(tmp_path, 3))
    assert "warning" not in p.stderr.lower()
    out = kubectl("get", "deploy").stdout
    assert _header(out) == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert out.splitlines()[1].split()[:4] == ["web", "0/3", "0", "0"]
    out = kubectl("get", "svc").stdout
    assert _header(out) == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert "80/TCP" in out and "kubernetes" in out
    out = kubectl("scale", "deploy", "web", "--replicas=5").stdout
    assert "deployment.apps/web scaled" in out
    assert kubectl("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}").stdout == "5"
    out = kubectl("delete", "-f", _manifest(tmp_path, 3)).stdout
    assert 'deployment.apps "web" deleted' in out and 'service "web" deleted' in out
    p = kubectl("get", "deploy", "web", check=False)
    assert p.returncode != 0 and 'Error from server (NotFound): deployments.apps "web" not found' in p.stderr


def test_server_side_apply(kubectl: Kubectl, tmp_path: Path) -> None:
    out = kubectl("apply", "--server-side", "-f", _manifest(tmp_path, 2)).stdout
    assert "deployment.apps/web serverside-applied" in out
    out = kubectl("apply", "--server-side", "-f", _manifest(tmp_path, 4)).stdout
    assert "serverside-applied" in out
    assert kubectl("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}").stdout == "4"


def test_get_pods_and_nodes_columns(kubectl: Kubectl, served: ServedEnv) -> None:
    env = served.env
    served.call(lambda: env.node("node-1"))
    served.call(lambda: env.node("node-2", unschedulable=True))
    served.call(lambda: env.pod("web-1", node_name="node-1"))
    served.call(lambda: env.set_pod_running("web-1", ip="10.244.0.9"))
    served.call(lambda: env.pod("web-2"))
    out = kubectl("get", "pods").stdout
    assert _header(out) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    rows = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    assert rows["web-1"][1:4] == ["1/1", "Running", "0"]
    assert rows["web-2"][1:4] == ["0/1", "Pending", "0"]
    out = kubectl("get", "pods", "-o", "wide").stdout
    assert _header(out) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED", "NODE",
                            "READINESS", "GATES"]
    assert "10.244.0.9" in out and "node-1" in out
    out = kubectl("get", "nodes").stdout
    assert _header(out) == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    rows = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    assert rows["node-2"][1] == "Ready,SchedulingDisabled"
    out = kubectl("get", "ns").stdout
    assert _header(out) == ["NAME", "STATUS", "AGE"] and "kube-node-lease" in out


def test_errors_and_wait(kubectl: Kubectl, served: ServedEnv) -> None:
    p = kubectl("get", "pod", "nope", check=False)
    assert "Error from server (NotFound): pods \"nope\" not found" in p.stderr
    served.json("POST", "/api/v1/namespaces/default/configmaps",
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm1"}, "data": {"a": "b"}})
    kubectl("label", "configmap", "cm1", "x=y")
    assert kubectl("get", "cm", "-l", "x=y", "-o", "name").stdout.strip() == "configmap/cm1"
    kubectl("wait", "--for=jsonpath={.data.a}=b", "configmap/cm1", "--timeout=5s")
    kubectl("delete", "configmap", "cm1")
    assert kubectl("api-resources", "--api-group=apps", "-o", "name").stdout.split() == [
        "controllerrevisions.apps", "daemonsets.apps", "deployments.apps", "replicasets.apps", "statefulsets.apps"
    ]
