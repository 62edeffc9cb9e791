"""The Priority, RuntimeClass and DefaultIngressClass admission plugins, the system priority
classes' protection, the default ServiceCIDR's Ready status and Ingress status writes, through the
API server (the hooks ``registry/{scheduling,node,networking}.py`` give it)."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.apiserver import ApiError, APIServer
from reference_impl.sim import EventLoop, SeededRandom
from reference_impl.store import MemoryStore

Obj = dict[str, Any]
PC = "scheduling.k8s.io/v1/priorityclasses"
RC = "node.k8s.io/v1/runtimeclasses"


def _api() -> APIServer:
    return APIServer(MemoryStore(), EventLoop(), SeededRandom(1))


def _pod(name: str, **spec: Any) -> Obj:
    return {"metadata": {"name": name}, "spec": {"containers": [{"name": "c", "image": "nginx"}], **spec}}


def _forbidden(excinfo: pytest.ExceptionInfo[ApiError]) -> str:
    assert excinfo.value.code == 403
    return excinfo.value.message


def test_a_pod_gets_its_priority_from_its_class_or_is_refused() -> None:
    api = _api()
    api.create(PC, {"metadata": {"name": "low"}, "value": -5, "preemptionPolicy": "Never"})
    pod = api.create("pods", _pod("p", priorityClassName="low"), "default")
    assert (pod["spec"]["priority"], pod["spec"]["preemptionPolicy"]) == (-5, "Never")
    plain = api.create("pods", _pod("q"), "default")
    assert (plain["spec"]["priority"], plain["spec"]["preemptionPolicy"]) == (0, "PreemptLowerPriority")
    assert "priorityClassName" not in plain["spec"]
    critical = api.create("pods", _pod("c", priorityClassName="system-node-critical"), "default")
    assert critical["spec"]["priority"] == 2000001000
    with pytest.raises(ApiError) as missing:
        api.create("pods", _pod("r", priorityClassName="zzz"), "default")
    assert _forbidden(missing) == 'pods "r" is forbidden: no PriorityClass with name zzz was found'
    relabelled = api.patch("pods", "p", {"metadata": {"labels": {"a": "b"}}}, "merge", "default")
    assert (relabelled["spec"]["priority"], relabelled["spec"]["preemptionPolicy"]) == (-5, "Never")


def test_a_global_default_class_is_unique_and_given_to_classless_pods() -> None:
    api = _api()
    api.create(PC, {"metadata": {"name": "default"}, "value": 3, "globalDefault": True})
    with pytest.raises(ApiError) as second:
        api.create(PC, {"metadata": {"name": "other"}, "value": 4, "globalDefault": True})
    assert _forbidden(second) == (
        'priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass default is already marked as '
        "default. Only one default can exist"
    )
    api.create(PC, {"metadata": {"name": "other"}, "value": 4})
    with pytest.raises(ApiError) as promoted:
        api.patch(PC, "other", {"globalDefault": True}, "merge")
    assert _forbidden(promoted).endswith("PriorityClass default is already marked as default. Only one default can exist")
    pod = api.create("pods", _pod("p"), "default")
    assert (pod["spec"]["priorityClassName"], pod["spec"]["priority"]) == ("default", 3)


def test_the_system_classes_may_not_be_deleted() -> None:
    api = _api()
    with pytest.raises(ApiError) as refused:
        api.delete(PC, "system-node-critical")
    assert _forbidden(refused) == (
        'priorityclasses.scheduling.k8s.io "system-node-critical" is forbidden: this is a system priority class '
        "and cannot be deleted"
    )
    api.create(PC, {"metadata": {"name": "mine"}, "value": 1})
    api.delete(PC, "mine")


def test_a_pod_gets_its_runtime_class_overhead_and_scheduling() -> None:
    api = _api()
    api.create(RC, {"metadata": {"name": "a"}, "handler": "runc", "overhead": {"podFixed": {"cpu": "10m"}},
                    "scheduling": {"nodeSelector": {"sandbox": "true"}}})
    pod = api.create("pods", _pod("p", runtimeClassName="a"), "default")
    assert pod["spec"]["overhead"] == {"cpu": "10m"} and pod["spec"]["nodeSelector"] == {"sandbox": "true"}
    with pytest.raises(ApiError) as missing:
        api.create("pods", _pod("q", runtimeClassName="gone"), "default", dry_run=True)
    assert _forbidden(missing) == 'pods "q" is forbidden: pod rejected: RuntimeClass "gone" not found'


def test_an_ingress_gets_the_default_class_and_its_status_write_keeps_metadata() -> None:
    api = _api()
    api.create("networking.k8s.io/v1/ingressclasses", {
        "metadata": {"name": "nginx", "annotations": {"ingressclass.kubernetes.io/is-default-class": "true"}},
        "spec": {"controller": "k8s.io/ingress-nginx"}})
    backend = {"service": {"name": "web", "port": {"number": 80}}}
    ing = api.create("ingresses", {"metadata": {"name": "i"}, "spec": {"defaultBackend": backend}}, "default")
    assert ing["spec"]["ingressClassName"] == "nginx"
    patched = api.patch("ingresses", "i", {"metadata": {"annotations": {"patchedstatus": "true"}},
                                           "status": {"loadBalancer": {"ingress": [{"ip": "169.1.1.1"}]}}},
                        "merge", "default", subresource="status")
    assert patched["metadata"]["annotations"] == {"patchedstatus": "true"}
    assert patched["status"] == {"loadBalancer": {"ingress": [{"ip": "169.1.1.1"}]}}


def test_the_default_service_cidr_is_ready() -> None:
    conditions = _api().get("servicecidrs", "kubernetes")["status"]["conditions"]
    assert [(c["type"], c["status"], c["message"]) for c in conditions] == [
        ("Ready", "True", "Kubernetes Service CIDR is ready"),
    ]
