"""The service accounts controller (part of kube-controller-manager): a ``default`` ServiceAccount in every namespace.

Models ``pkg/controller/serviceaccount/serviceaccounts_controller.go``: on every namespace add or
update, and whenever a ServiceAccount is deleted, the namespace is queued; its sync creates each
service account the controller ensures (upstream's default list is just ``default``) that the
informer does not hold. Namespaces that are not ``Active`` are left alone, ``AlreadyExists`` is
success, and so is a create refused because the namespace is terminating
(``NamespaceTerminating`` cause). Other errors are retried with the queue's back-off.

Leaves out: the token controller's legacy token Secrets (gone upstream since 1.24), and the
per-controller service accounts of ``--use-service-account-credentials``.
"""

from __future__ import annotations

from typing import Any

from reference_impl.apiserver import ApiError
from reference_impl.client import Component, Informer

Obj = dict[str, Any]

SERVICE_ACCOUNTS_TO_ENSURE: tuple[str, ...] = ("default",)


def namespace_terminating(err: ApiError) -> bool:
    """``apierrors.HasStatusCause(err, v1.NamespaceTerminatingCause)``."""
    causes = (err.details or {}).get("causes") or []
    return any(c.get("reason") == "NamespaceTerminating" for c in causes)


class ServiceAccountsController:
    def __init__(self, ctx: Component) -> None:
        self.ctx = ctx
        self.namespaces: Informer
        self.service_accounts: Informer

    def setup(self) -> None:
        self.namespaces = self.ctx.informers.informer("namespaces")
        self.service_accounts = self.ctx.informers.informer("serviceaccounts")
        self.queue = self.ctx.queue(self._process, name="serviceaccount")
        self.namespaces.add_handler(self._enqueue_namespace, lambda _old, new: self._enqueue_namespace(new), None)
        self.service_accounts.add_handler(None, None, self._service_account_deleted)

    def _enqueue_namespace(self, ns: Obj) -> None:
        self.queue.add(ns["metadata"]["name"])

    def _service_account_deleted(self, sa: Obj) -> None:
        if sa["metadata"]["name"] in SERVICE_ACCOUNTS_TO_ENSURE:
            self.queue.add(sa["metadata"]["namespace"])

    def _process(self, name: str) -> None:
        self.sync_namespace(name)
        self.queue.forget(name)

    def sync_namespace(self, name: str) -> None:
        ns = self.namespaces.get(name)
        if ns is None or (ns.get("status") or {}).get("phase", "Active") != "Active":
            return
        failures: list[str] = []
        for sa_name in SERVICE_ACCOUNTS_TO_ENSURE:
            if self.service_accounts.get(f"{name}/{sa_name}") is not None:
                continue
            sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": sa_name, "namespace": name}}
            try:
                self.ctx.client.create("serviceaccounts", sa, name)
            except ApiError as e:
                if e.code != 409 and not namespace_terminating(e):
                    failures.append(str(e))
        if failures:
            raise RuntimeError("; ".join(failures))
