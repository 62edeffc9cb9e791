"""The official ``kubernetes`` Python client (typed APIs and watch) against the HTTP server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

kubernetes = pytest.importorskip("kubernetes")
from kubernetes import client, watch  # noqa: E402
from kubernetes.client.rest import ApiException  # noqa: E402

from tests.http.conftest import ServedEnv  # noqa: E402


@pytest.fixture
def api_client(served: ServedEnv) -> Iterator[client.ApiClient]:
    cfg = client.Configuration(host=served.url)
    with client.ApiClient(cfg) as c:
        yield c


def _deployment(name: str, replicas: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]},
            },
        },
    }


def _name(obj: Any) -> str:
    return obj["metadata"]["name"] if isinstance(obj, dict) else obj.metadata.name


def test_version(api_client: client.ApiClient) -> None:
    v = client.VersionApi(api_client).get_code()
    assert v.git_version == "v1.32.0"


def test_deployment_crud(api_client: client.ApiClient) -> None:
    apps = client.AppsV1Api(api_client)
    created = apps.create_namespaced_deployment("default", _deployment("web", 2))
    assert created.metadata.name == "web" and created.spec.replicas == 2
    assert created.metadata.uid and created.metadata.resource_version
    got = apps.read_namespaced_deployment("web", "default")
    assert got.spec.template.spec.containers[0].image == "nginx:1.27"
    lst = apps.list_namespaced_deployment("default")
    assert [d.metadata.name for d in lst.items] == ["web"]
    assert lst.metadata.resource_version
    patched = apps.patch_namespaced_deployment("web", "default", {"spec": {"replicas": 5}})
    assert patched.spec.replicas == 5
    merged = apps.patch_namespaced_deployment(
        "web", "default", {"metadata": {"labels": {"tier": "front"}}}, _content_type="application/merge-patch+json"
    )
    assert merged.metadata.labels == {"app": "web", "tier": "front"}
    jp = apps.patch_namespaced_deployment("web", "default", [{"op": "replace", "path": "/spec/replicas", "value": 3}])
    assert jp.spec.replicas == 3
    scale = apps.read_namespaced_deployment_scale("web", "default")
    assert scale.spec.replicas == 3
    scaled = apps.patch_namespaced_deployment_scale("web", "default", {"spec": {"replicas": 1}})
    assert scaled.spec.replicas == 1
    got.spec.replicas = 4
    got.metadata.resource_version = apps.read_namespaced_deployment("web", "default").metadata.resource_version
    replaced = apps.replace_namespaced_deployment("web", "default", got)
    assert replaced.spec.replicas == 4
    apps.delete_namespaced_deployment("web", "default", propagation_policy="Background")
    with pytest.raises(ApiException) as e:
        apps.read_namespaced_deployment("web", "default")
    assert e.value.status == 404


def test_configmap_crud_and_errors(api_client: client.ApiClient) -> None:
    core = client.CoreV1Api(api_client)
    cm = core.create_namespaced_config_map(
        "default", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"a": "1"}}
    )
    assert cm.data == {"a": "1"}
    core.patch_namespaced_config_map("cfg", "default", {"data": {"b": "2"}})
    assert core.read_namespaced_config_map("cfg", "default").data == {"a": "1", "b": "2"}
    assert [c.metadata.name for c in core.list_namespaced_config_map("default", label_selector="").items] == ["cfg"]
    with pytest.raises(ApiException) as e:
        core.create_namespaced_config_map("default", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}})
    assert e.value.status == 409
    core.delete_namespaced_config_map("cfg", "default")
    with pytest.raises(ApiException) as e:
        core.read_namespaced_config_map("cfg", "default")
    assert e.value.status == 404
    with pytest.raises(ApiException) as e:
        core.read_namespaced_pod("nope", "default")
    assert e.value.status == 404
    # lists the client deserialises: namespaces, services, nodes
    assert {n.metadata.name for n in core.list_namespace().items} >= {"default", "kube-system"}
    assert [s.metadata.name for s in core.list_namespaced_service("default").items] == ["kubernetes"]


def test_pods_with_status_deserialise(served: ServedEnv, api_client: client.ApiClient) -> None:
    env = served.env
    served.call(lambda: env.node("n1"))
    served.call(lambda: env.pod("p", node_name="n1"))
    served.call(lambda: env.set_pod_running("p"))
    core = client.CoreV1Api(api_client)
    pods = core.list_pod_for_all_namespaces().items
    assert [p.metadata.name for p in pods] == ["p"]
    assert pods[0].status.phase == "Running" and pods[0].status.conditions
    assert core.list_node().items[0].status.allocatable["cpu"] == "4"


def test_watch_pods(served: ServedEnv, api_client: client.ApiClient) -> None:
    env = served.env
    served.call(lambda: env.pod("before"))
    core = client.CoreV1Api(api_client)
    seen: list[tuple[str, str]] = []

    def later() -> None:
        served.call(lambda: env.pod("after"))
        served.call(lambda: env.api.delete("pods", "before", "default", grace_period_seconds=0))

    t = threading.Timer(0.5, later)
    t.start()
    w = watch.Watch()
    for ev in w.stream(core.list_namespaced_pod, "default", timeout_seconds=2):
        seen.append((ev["type"], _name(ev["object"])))
    t.join()
    assert seen[0] == ("ADDED", "before")
    assert ("ADDED", "after") in seen
    assert ("DELETED", "before") in seen


def test_watch_with_resource_version_and_bookmarks(served: ServedEnv, api_client: client.ApiClient) -> None:
    core = client.CoreV1Api(api_client)
    rv = core.list_namespaced_config_map("default").metadata.resource_version
    core.create_namespaced_config_map("default", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
    served.call(lambda: served.env.loop.advance(61))
    events = [
        (e["type"], e["raw_object"]["metadata"].get("name"))
        for e in watch.Watch().stream(
            core.list_namespaced_config_map, "default", resource_version=rv, allow_watch_bookmarks=True, timeout_seconds=1
        )
    ]
    assert ("ADDED", "x") in events


def test_watch_too_old_raises_410(served: ServedEnv, api_client: client.ApiClient) -> None:
    core = client.CoreV1Api(api_client)
    rv = core.create_namespaced_config_map(
        "default", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "o"}}
    ).metadata.resource_version
    core.patch_namespaced_config_map("o", "default", {"data": {"a": "b"}})
    served.call(lambda: served.env.api.compact())
    with pytest.raises(ApiException) as e:
        for _ in watch.Watch().stream(core.list_namespaced_config_map, "default", resource_version=rv, timeout_seconds=2):
            pass
    assert e.value.status == 410


def test_dynamic_client_discovery(api_client: client.ApiClient) -> None:
    from kubernetes.dynamic import DynamicClient

    dyn = DynamicClient(api_client)
    deps = dyn.resources.get(api_version="apps/v1", kind="Deployment")
    deps.create(body=_deployment("dyn", 1), namespace="default")
    assert [d.metadata.name for d in deps.get(namespace="default").items] == ["dyn"]
