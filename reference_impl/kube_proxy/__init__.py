"""The reference kube-proxy (``pkg/proxy``): forwarding rules as data, one proxy per node."""

from reference_impl.kube_proxy.proxy import KubeProxy

__all__ = ["KubeProxy"]
