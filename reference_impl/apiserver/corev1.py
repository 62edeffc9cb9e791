"""Helpers that belong to the core/v1 API types themselves (``k8s.io/api/core/v1``).

Upstream hangs these off the Go types (``Toleration.ToleratesTaint`` in ``toleration.go``), so
the scheduler, the node lifecycle controller and the DaemonSet controller all share one
definition; here they live beside the API server so every component can import them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def toleration_tolerates(tol: Mapping[str, Any], taint: Mapping[str, Any]) -> bool:
    """``Toleration.ToleratesTaint``: effect (empty matches all), key (empty with Exists matches
    all), then the operator (Equal by default) on the value."""
    effect = tol.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = tol.get("key") or ""
    if key and key != taint.get("key"):
        return False
    op = tol.get("operator") or "Equal"
    if op == "Exists":
        return True
    if op == "Equal":
        return (tol.get("value") or "") == (taint.get("value") or "")
    return False


def tolerations_tolerate_taint(tolerations: Iterable[Mapping[str, Any]], taint: Mapping[str, Any]) -> bool:
    """``v1helper.TolerationsTolerateTaint``."""
    return any(toleration_tolerates(t, taint) for t in tolerations)
