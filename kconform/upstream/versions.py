"""The one pinned release of the real control plane kconform builds and runs.

Why these: Kubernetes 1.36 is the newest minor that the module proxy serves, the official
Python client supports (client 36.x is generated for 1.36; 37.x still speaks it) *and* the
newest KWOK release lists as supported (``supported_releases.txt`` of kwok v0.8.0 stops at
1.36; 1.37 is newer than any KWOK release). etcd is the release the pinned Kubernetes
``go.mod`` requires its etcd client at (``go.etcd.io/etcd/client/v3 v3.6.8``), so the server
and the API server's client are the same release. The staging modules (``k8s.io/api``,
``k8s.io/client-go``, ...) are published as ``v0.<minor>.<patch>`` for Kubernetes
``v1.<minor>.<patch>``; :func:`staging_version` derives it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kconform.errors import InvalidArgument


@dataclass(frozen=True)
class Release:
    """Versions of every module one control plane is built from (Go module versions, with ``v``)."""

    kubernetes: str
    etcd: str
    kwok: str

    @property
    def staging(self) -> str:
        return staging_version(self.kubernetes)

    @property
    def minor(self) -> str:
        """``1.36`` for ``v1.36.3``."""
        major, minor, _ = self.kubernetes.lstrip("v").split(".", 2)
        return f"{major}.{minor}"


_RELEASE = re.compile(r"v1\.(?P<minor>\d+)\.(?P<rest>\d+(?:-[0-9A-Za-z.]+)?)")

DEFAULT_RELEASE = Release(kubernetes="v1.36.3", etcd="v3.6.8", kwok="v0.8.0")


def staging_version(kubernetes: str) -> str:
    """``v0.36.3`` for ``v1.36.3``: the version the staging modules are tagged with."""
    m = _RELEASE.fullmatch(kubernetes)
    if m is None:
        raise InvalidArgument(f"not a Kubernetes release version: {kubernetes!r} (expected v1.MINOR.PATCH, e.g. v1.36.3)")
    return f"v0.{m['minor']}.{m['rest']}"


def release_for(version: str | None) -> Release:
    """The pinned release, or another Kubernetes version (``--version``) with the pinned kwok.

    etcd is then the release that version's ``go.mod`` requires its client at, which the build
    reads from the module itself (``etcd=""`` until then).
    """
    if version is None:
        return DEFAULT_RELEASE
    v = version if version.startswith("v") else f"v{version}"
    staging_version(v)  # validates
    if v == DEFAULT_RELEASE.kubernetes:
        return DEFAULT_RELEASE
    return Release(kubernetes=v, etcd="", kwok=DEFAULT_RELEASE.kwok)
