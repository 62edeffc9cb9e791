"""The reference cluster's certificate authority: the ``ca.crt`` every namespace is given.

Models the cluster CA kubeadm makes (``/etc/kubernetes/pki/ca.crt``, ``phases/certs``): a
self-signed CA certificate, ``basicConstraints CA:TRUE``, key usages digital signature, key
encipherment and certificate signing. kube-controller-manager's ``--root-ca-file`` is that file,
and the root CA publisher (``pkg/controller/certificates/rootcacertpublisher``) copies it into
each namespace's ``kube-root-ca.crt`` ConfigMap.

Deterministic, as everything in the reference is: the key is an Ed25519 key derived from the
cluster's seed, the serial number from the same digest, validity from the simulated epoch for
ten years, and Ed25519 signatures have no random nonce — so a seed gives the same certificate,
byte for byte, on every run and machine.

Leaves out: serving and client certificates signed by it (the reference serves plain HTTP),
the front-proxy and etcd CAs, and rotation.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import NameOID

from reference_impl.sim.clock import EPOCH

CA_COMMON_NAME = "kubernetes"  # kubeadm's CA subject
VALID_FOR = datetime.timedelta(days=3650)  # kubeadm's CA lifetime


@dataclass(frozen=True)
class ClusterCA:
    """The CA certificate (PEM) and its private key (PEM, PKCS#8)."""

    cert_pem: str
    key_pem: str

    @classmethod
    def for_seed(cls, seed: int | str) -> ClusterCA:
        digest = hashlib.sha256(f"kconform-reference-ca/{seed}".encode()).digest()
        key = ed25519.Ed25519PrivateKey.from_private_bytes(digest)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_COMMON_NAME)])
        serial = int.from_bytes(hashlib.sha256(b"serial/" + digest).digest()[:16], "big") >> 1 or 1
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(serial)
            .not_valid_before(EPOCH)
            .not_valid_after(EPOCH + VALID_FOR)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True, key_encipherment=True, key_cert_sign=True, content_commitment=False,
                    data_encipherment=False, key_agreement=False, crl_sign=False, encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, algorithm=None)
        )
        return cls(
            cert_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
            key_pem=key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ).decode(),
        )
