"""Validate manifests against the real Kubernetes OpenAPI schemas shipped by kubernetes-validate.

The newest version the package ships is used, in strict mode (unknown fields are errors), so a
typo in a strategy's field name fails here instead of being silently dropped by a cluster.
"""

from __future__ import annotations

from typing import Any

import kubernetes_validate

KUBERNETES_VERSION: str = kubernetes_validate.latest_version()


def schema_errors(manifest: dict[str, Any]) -> str | None:
    """None if ``manifest`` passes strict schema validation, else the validator's message."""
    try:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as error:
        return str(error).splitlines()[0]
    return None
