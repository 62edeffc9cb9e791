"""The root CA certificate publisher (part of kube-controller-manager): ``kube-root-ca.crt`` in every namespace.

Models ``pkg/controller/certificates/rootcacertpublisher/publisher.go``: a namespace added or
updated, or a ConfigMap named ``kube-root-ca.crt`` updated or deleted, queues the namespace; its
sync creates the ConfigMap when missing (``data: {ca.crt: <the cluster CA>}`` and the
``kubernetes.io/description`` annotation), or puts the data and the annotation back when either
was changed, keeping whatever else the object holds. A create refused because the namespace is
gone or terminating is not retried; other errors are, with the queue's back-off. The CA is the
reference cluster's own (:mod:`reference_impl.apiserver.pki`), as kube-controller-manager's is
its ``--root-ca-file``.

Leaves out: the publisher's metrics. The ConfigMap informer watches only ConfigMaps of that
name (a field selector) where upstream shares the informer of all ConfigMaps; the events it
reacts to are the same.
"""

from __future__ import annotations

import copy
from typing import Any

from reference_impl.apiserver import ApiError
from reference_impl.client import Component, Informer
from reference_impl.controllers.serviceaccounts import namespace_terminating

Obj = dict[str, Any]

ROOT_CA_CONFIGMAP = "kube-root-ca.crt"
DESCRIPTION_ANNOTATION = "kubernetes.io/description"
DESCRIPTION = (
    "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as "
    "the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of "
    "Kubernetes clusters."
)


class RootCACertPublisher:
    def __init__(self, ctx: Component) -> None:
        self.ctx = ctx
        self.root_ca = ctx.config.root_ca_pem
        self.namespaces: Informer
        self.config_maps: Informer

    def setup(self) -> None:
        self.namespaces = self.ctx.informers.informer("namespaces")
        self.config_maps = self.ctx.informers.informer(
            "configmaps", field_selector=f"metadata.name={ROOT_CA_CONFIGMAP}"
        )
        self.queue = self.ctx.queue(self._process, name="root_ca_cert_publisher")
        self.namespaces.add_handler(self._namespace_changed, lambda _old, new: self._namespace_changed(new), None)
        self.config_maps.add_handler(None, lambda _old, new: self._config_map_changed(new), self._config_map_changed)

    def _namespace_changed(self, ns: Obj) -> None:
        self.queue.add(ns["metadata"]["name"])

    def _config_map_changed(self, cm: Obj) -> None:
        if cm["metadata"]["name"] == ROOT_CA_CONFIGMAP:
            self.queue.add(cm["metadata"]["namespace"])

    def _process(self, name: str) -> None:
        self.sync_namespace(name)
        self.queue.forget(name)

    def sync_namespace(self, ns: str) -> None:
        data = {"ca.crt": self.root_ca}
        cm = self.config_maps.get(f"{ns}/{ROOT_CA_CONFIGMAP}")
        client = self.ctx.client
        if cm is None:
            body = {
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": ROOT_CA_CONFIGMAP, "namespace": ns,
                             "annotations": {DESCRIPTION_ANNOTATION: DESCRIPTION}},
                "data": data,
            }
            try:
                client.create("configmaps", body, ns)
            except ApiError as e:
                if e.code == 404 or namespace_terminating(e):
                    return  # don't retry a create if the namespace doesn't exist or is terminating
                raise
            return
        annotations = cm["metadata"].get("annotations") or {}
        if cm.get("data") == data and annotations.get(DESCRIPTION_ANNOTATION):
            return
        cm = copy.deepcopy(cm)  # never change the informer's copy
        cm["data"] = data
        cm["metadata"]["annotations"] = {**annotations, DESCRIPTION_ANNOTATION: DESCRIPTION}
        client.update("configmaps", cm, ns)
