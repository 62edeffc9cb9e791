"""API errors as ``metav1.Status`` objects with the real reasons, codes and message texts.

Follows ``staging/src/k8s.io/apimachinery/pkg/api/errors/errors.go``: every failure a client
sees is a Status (never a traceback), and the message text is the one ``kubectl`` prints after
``Error from server (Reason):``.
"""

from __future__ import annotations

from typing import Any

from reference_impl.apiserver.registry import ResourceInfo


class ApiError(Exception):
    """A failed API call; ``status`` is the ``metav1.Status`` the server would send."""

    def __init__(self, code: int, reason: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    @property
    def status(self) -> dict[str, Any]:
        s: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details is not None:
            s["details"] = self.details
        return s

    def __repr__(self) -> str:
        return f"ApiError({self.code}, {self.reason!r}, {self.message!r})"


def _details(info: ResourceInfo | None, name: str | None, **extra: Any) -> dict[str, Any]:
    d: dict[str, Any] = {}
    if name:
        d["name"] = name
    if info is not None:
        if info.group:
            d["group"] = info.group
        d["kind"] = info.plural
    d.update(extra)
    return d


def not_found(info: ResourceInfo, name: str) -> ApiError:
    return ApiError(404, "NotFound", f'{info.qualified} "{name}" not found', _details(info, name))


def already_exists(info: ResourceInfo, name: str) -> ApiError:
    return ApiError(409, "AlreadyExists", f'{info.qualified} "{name}" already exists', _details(info, name))


CONFLICT_MODIFIED = "the object has been modified; please apply your changes to the latest version and try again"


def conflict(info: ResourceInfo, name: str, why: str = CONFLICT_MODIFIED) -> ApiError:
    return ApiError(
        409, "Conflict", f'Operation cannot be fulfilled on {info.qualified} "{name}": {why}', _details(info, name)
    )


def invalid(info: ResourceInfo, name: str, causes: list[dict[str, Any]]) -> ApiError:
    parts = [f"{c['field']}: {c['message']}" if c.get("field") else c["message"] for c in causes]
    body = parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"
    details: dict[str, Any] = {"name": name}
    if info.group:
        details["group"] = info.group
    details["kind"] = info.kind
    details["causes"] = causes
    return ApiError(422, "Invalid", f'{info.qualified_kind} "{name}" is invalid: {body}', details)


def invalid_options(kind: str, causes: list[dict[str, Any]]) -> ApiError:
    """A request's options (``ListOptions``, ``DeleteOptions`` ...) are invalid: 422, group meta.k8s.io."""
    parts = [f"{c['field']}: {c['message']}" for c in causes]
    body = parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"
    return ApiError(
        422, "Invalid", f'{kind}.meta.k8s.io "" is invalid: {body}',
        {"group": "meta.k8s.io", "kind": kind, "causes": causes},
    )


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def forbidden(info: ResourceInfo, name: str, why: str) -> ApiError:
    return ApiError(403, "Forbidden", f'{info.qualified} "{name}" is forbidden: {why}', _details(info, name))


def method_not_supported(info: ResourceInfo, action: str) -> ApiError:
    return ApiError(
        405, "MethodNotAllowed", f"{action} is not supported on resources of kind {info.qualified!r}",
        _details(info, None),
    )


def expired(message: str) -> ApiError:
    return ApiError(410, "Expired", message)


def too_old(requested: int, oldest: int) -> ApiError:
    return expired(f"too old resource version: {requested} ({oldest})")


def too_many_requests(message: str, retry_after_s: int = 0) -> ApiError:
    details: dict[str, Any] = {"causes": [{"reason": "DisruptionBudget", "message": message}]}
    if retry_after_s:
        details["retryAfterSeconds"] = retry_after_s
    return ApiError(429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.", details)


def resource_version_too_large(requested: int, current: int) -> ApiError:
    return ApiError(
        504,
        "Timeout",
        f"Too large resource version: {requested}, current: {current}",
        {"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
         "retryAfterSeconds": 1},
    )


def service_unavailable(message: str) -> ApiError:
    return ApiError(503, "ServiceUnavailable", message)


def internal(message: str) -> ApiError:
    return ApiError(500, "InternalError", f"Internal error occurred: {message}")
