"""kconform's errors, classified by what the caller should do next.

``BackendUnavailable`` and ``CapabilityMissing`` mean "skip, with this reason" — an unreachable
cluster is not a bug found. ``InvalidArgument`` is a user's mistake and also a ``ValueError``.
"""

from __future__ import annotations


class KconformError(Exception):
    """Root of every error kconform raises on purpose."""


class InvalidArgument(KconformError, ValueError):
    """A user's mistake: a bad option, a malformed replay file, an unknown fault."""


class BackendUnavailable(KconformError):
    """The backend cannot be reached or created; tests needing it are skipped, not failed."""


class CapabilityMissing(KconformError):
    """The backend lacks a capability a suite needs (e.g. ``kill-node``); the suite is skipped."""

    def __init__(self, capability: str, backend: str) -> None:
        super().__init__(f"backend {backend!r} lacks capability {capability!r}")
        self.capability = capability
        self.backend = backend


class ApiRejected(KconformError):
    """The API server answered a request with an error ``Status`` (kept whole in ``status``)."""

    def __init__(self, status: dict) -> None:  # type: ignore[type-arg]
        self.status = status
        self.code = int(status.get("code", 0))
        self.reason = str(status.get("reason", ""))
        super().__init__(f"{self.code} {self.reason}: {status.get('message', '')}")
