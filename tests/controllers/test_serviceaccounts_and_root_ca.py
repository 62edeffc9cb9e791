"""The service accounts controller and the root CA publisher: what every namespace is given.

Upstream: ``pkg/controller/serviceaccount/serviceaccounts_controller.go`` (a ``default``
ServiceAccount, recreated when deleted, never in a terminating namespace) and
``pkg/controller/certificates/rootcacertpublisher/publisher.go`` (``kube-root-ca.crt`` with the
cluster CA and the description annotation, put back when deleted or edited).
"""

from __future__ import annotations

from typing import Any

import pytest
from cryptography import x509

from reference_impl.apiserver import ApiError
from reference_impl.apiserver.pki import ClusterCA
from reference_impl.cluster import ReferenceCluster
from reference_impl.controllers.root_ca_publisher import (
    DESCRIPTION,
    DESCRIPTION_ANNOTATION,
    ROOT_CA_CONFIGMAP,
)

Obj = dict[str, Any]


def _get(c: ReferenceCluster, resource: str, name: str, ns: str) -> Obj | None:
    try:
        return c.client.get(resource, name, ns)
    except ApiError as e:
        assert e.code == 404
        return None


@pytest.fixture
def cluster() -> ReferenceCluster:
    c = ReferenceCluster(1, seed=7)
    c.client.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    c.advance(1)
    return c


@pytest.mark.parametrize("ns", ["default", "kube-system", "kube-public", "kube-node-lease", "team"])
def test_every_namespace_gets_a_default_service_account_and_the_root_ca(cluster: ReferenceCluster, ns: str) -> None:
    assert _get(cluster, "serviceaccounts", "default", ns) is not None
    cm = _get(cluster, "configmaps", ROOT_CA_CONFIGMAP, ns)
    assert cm is not None
    assert cm["data"] == {"ca.crt": cluster.ca.cert_pem}
    assert cm["metadata"]["annotations"] == {DESCRIPTION_ANNOTATION: DESCRIPTION}


def test_a_deleted_default_service_account_comes_back_with_a_new_uid(cluster: ReferenceCluster) -> None:
    old = cluster.client.get("serviceaccounts", "default", "team")
    cluster.client.delete("serviceaccounts", "default", "team")
    cluster.advance(1)
    new = _get(cluster, "serviceaccounts", "default", "team")
    assert new is not None and new["metadata"]["uid"] != old["metadata"]["uid"]


def test_other_service_accounts_are_left_alone(cluster: ReferenceCluster) -> None:
    sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "builder", "namespace": "team"}}
    cluster.client.create("serviceaccounts", sa, "team")
    cluster.client.delete("serviceaccounts", "builder", "team")
    cluster.advance(1)
    assert _get(cluster, "serviceaccounts", "builder", "team") is None


def test_the_root_ca_configmap_is_put_back_when_edited_keeping_what_else_it_holds(cluster: ReferenceCluster) -> None:
    cm = cluster.client.get("configmaps", ROOT_CA_CONFIGMAP, "team")
    cm["data"] = {"ca.crt": "not a CA", "extra": "x"}
    cm["metadata"]["annotations"] = {"owner": "me"}
    cm["metadata"]["labels"] = {"a": "b"}
    cluster.client.update("configmaps", cm, "team")
    cluster.advance(1)
    now = cluster.client.get("configmaps", ROOT_CA_CONFIGMAP, "team")
    assert now["data"] == {"ca.crt": cluster.ca.cert_pem}
    assert now["metadata"]["annotations"] == {"owner": "me", DESCRIPTION_ANNOTATION: DESCRIPTION}
    assert now["metadata"]["labels"] == {"a": "b"}


def test_a_deleted_root_ca_configmap_is_recreated(cluster: ReferenceCluster) -> None:
    cluster.client.delete("configmaps", ROOT_CA_CONFIGMAP, "team")
    cluster.advance(1)
    assert _get(cluster, "configmaps", ROOT_CA_CONFIGMAP, "team") is not None


def test_a_terminating_namespace_gets_nothing_back_and_goes_away(cluster: ReferenceCluster) -> None:
    cluster.client.delete("namespaces", "team")
    cluster.advance(30)
    assert _get(cluster, "namespaces", "team", "") is None
    assert cluster.controller_manager.errors == []


def test_the_cluster_ca_is_a_real_ca_and_the_same_for_the_same_seed() -> None:
    ca = ClusterCA.for_seed(7)
    assert ca == ClusterCA.for_seed(7)
    assert ca.cert_pem != ClusterCA.for_seed(8).cert_pem
    cert = x509.load_pem_x509_certificate(ca.cert_pem.encode())
    assert cert.issuer == cert.subject
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign is True
    cert.verify_directly_issued_by(cert)  # self-signed, and the signature checks out
