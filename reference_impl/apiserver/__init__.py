"""The reference kube-apiserver: REST semantics, defaulting, validation and admission over the store.

:class:`APIServer` is the in-process server; ``http.py`` (when present) serves it over HTTP.
"""

from reference_impl.apiserver.errors import ApiError
from reference_impl.apiserver.registry import REGISTRY, Registry, ResourceInfo
from reference_impl.apiserver.server import APIServer, clone

__all__ = ["REGISTRY", "APIServer", "ApiError", "Registry", "ResourceInfo", "clone"]
