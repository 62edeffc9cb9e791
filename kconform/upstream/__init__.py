"""A real Kubernetes control plane on this machine, built from the official Go modules.

No container engine runs on kconform's machines, so kind cannot start; the control plane's
programs can. This package builds them (:mod:`.build`: kube-apiserver, kube-controller-manager
and kube-scheduler from ``k8s.io/kubernetes``, etcd from ``go.etcd.io/etcd/server/v3``, kwok
from ``sigs.k8s.io/kwok``) with the machine's ``go`` into a cache, and runs them as plain
processes on loopback (:mod:`.cluster`: etcd, a TLS kube-apiserver with token and client
certificate authentication and RBAC, the controller manager and the scheduler with their own
kubeconfigs, and kwok driving N fake nodes). The versions are pinned in one place
(:mod:`.versions`); the timing profiles shared with the reference live in :mod:`.timings`.

Leaves out: a kubelet or container runtime (kwok's stages stand in for both; see
``docs/runtime-contract.md``), kube-proxy, CoreDNS, cloud controllers, HA.
"""
