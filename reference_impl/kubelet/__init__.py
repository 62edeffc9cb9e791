"""The reference kubelet (``pkg/kubelet``) and its simulated container runtime."""

from reference_impl.kubelet.kubelet import Kubelet

__all__ = ["Kubelet"]
