"""The resource registry: which kinds the reference API server serves, and how.

Models what kube-apiserver wires up in ``pkg/controlplane`` and ``pkg/registry``: the resources
of every served group-version (published through discovery) and, for each, its REST strategy.
The resources below were served before strategies existed and dispatch through the tables of
``defaults.py``, ``validation.py`` and ``tables.py``; every other group is one module here
(``registry/<group>.py``) exporting ``STRATEGIES``, named after upstream's
``pkg/registry/<group>``. Adding a built-in resource is one strategy in its group's module.
"""

from __future__ import annotations

from reference_impl.apiserver.registry import (
    admissionregistration,
    apiextensions,
    core,
    flowcontrol,
    networking,
    node,
    rbac,
    resource,
    scheduling,
    storage,
)
from reference_impl.apiserver.registry.info import Registry, ResourceInfo
from reference_impl.apiserver.registry.strategy import Strategy

__all__ = ["REGISTRY", "RESOURCES", "STRATEGIES", "Registry", "ResourceInfo", "Strategy"]

_ALL = ("all",)

RESOURCES: tuple[ResourceInfo, ...] = (
    ResourceInfo("", "v1", "Namespace", "namespaces", "namespace", False, ("ns",), ("status", "finalize")),
    ResourceInfo("", "v1", "Node", "nodes", "node", False, ("no",), ("status",)),
    ResourceInfo(
        "", "v1", "Pod", "pods", "pod", True, ("po",), ("status", "binding", "eviction", "log"), categories=_ALL
    ),
    ResourceInfo("", "v1", "Service", "services", "service", True, ("svc",), ("status",), categories=_ALL),
    ResourceInfo("", "v1", "Endpoints", "endpoints", "endpoints", True, ("ep",)),
    ResourceInfo("", "v1", "ConfigMap", "configmaps", "configmap", True, ("cm",)),
    ResourceInfo("", "v1", "Secret", "secrets", "secret", True),
    ResourceInfo("", "v1", "Event", "events", "event", True, ("ev",)),
    ResourceInfo("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", True, ("sa",)),
    ResourceInfo("", "v1", "PodTemplate", "podtemplates", "podtemplate", True, (), (), True),
    ResourceInfo(
        "apps", "v1", "Deployment", "deployments", "deployment", True, ("deploy",), ("status", "scale"), True, _ALL
    ),
    ResourceInfo(
        "apps", "v1", "ReplicaSet", "replicasets", "replicaset", True, ("rs",), ("status", "scale"), True, _ALL
    ),
    ResourceInfo("apps", "v1", "DaemonSet", "daemonsets", "daemonset", True, ("ds",), ("status",), True, _ALL),
    ResourceInfo(
        "apps", "v1", "StatefulSet", "statefulsets", "statefulset", True, ("sts",), ("status", "scale"), True, _ALL
    ),
    ResourceInfo("apps", "v1", "ControllerRevision", "controllerrevisions", "controllerrevision", True),
    ResourceInfo("batch", "v1", "Job", "jobs", "job", True, (), ("status",), True, _ALL),
    ResourceInfo("batch", "v1", "CronJob", "cronjobs", "cronjob", True, ("cj",), ("status",), True, _ALL),
    ResourceInfo("coordination.k8s.io", "v1", "Lease", "leases", "lease", True),
    ResourceInfo("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", "endpointslice", True),
    ResourceInfo(
        "policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget", True, ("pdb",),
        ("status",), True,
    ),
)

#: The groups served through strategies, in discovery order (after the resources above).
STRATEGIES: tuple[Strategy, ...] = (
    *admissionregistration.STRATEGIES,
    *apiextensions.STRATEGIES,
    *core.STRATEGIES,
    *flowcontrol.STRATEGIES,
    *networking.STRATEGIES,
    *node.STRATEGIES,
    *rbac.STRATEGIES,
    *resource.STRATEGIES,
    *scheduling.STRATEGIES,
    *storage.STRATEGIES,
)

REGISTRY = Registry(RESOURCES + tuple(s.info for s in STRATEGIES), STRATEGIES)
