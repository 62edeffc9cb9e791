"""Which backend the suites run against, chosen once per process.

The pytest plugin and ``kconform run`` configure this from their options; state machines ask
it for a fresh cluster for every example. Backends are named, not imported here, so that only
``backends/reference.py`` ever imports ``reference_impl``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from kconform.backends.base import Cluster
from kconform.errors import InvalidArgument

BACKENDS: dict[str, str] = {
    "reference": "kconform.backends.reference:ReferenceBackend",
    "kube": "kconform.backends.kube:KubeBackend",
    "kind": "kconform.backends.kind:KindBackend",
    "upstream": "kconform.backends.upstream:UpstreamBackend",
}

# What each backend can do, known without connecting (used to skip suites early).
STATIC_CAPABILITIES: dict[str, frozenset[str]] = {
    "reference": frozenset(
        {
            "simulated-time",
            "kill-node",
            "restart-node",
            "partition-node",
            "add-node",
            "restart-control-plane",
            "drop-watches",
            "compact-store",
            "routes",
        }
    ),
}


@dataclass
class Session:
    backend: str = "reference"
    seed: int = 0
    nodes: int = 3
    options: dict[str, Any] = field(default_factory=dict)
    examples_started: int = 0

    def backend_class(self) -> type[Any]:
        spec = BACKENDS.get(self.backend)
        if spec is None:
            raise InvalidArgument(f"unknown backend {self.backend!r}; choose one of: {', '.join(BACKENDS)}")
        module, _, cls = spec.partition(":")
        return getattr(importlib.import_module(module), cls)  # type: ignore[no-any-return]

    def make_cluster(self) -> Cluster:
        """A fresh cluster for one example (the reference backend: a new simulated cluster)."""
        self.examples_started += 1
        cls = self.backend_class()
        if self.backend == "reference":
            return cls(nodes=self.nodes, seed=self.seed, **self.options)  # type: ignore[no-any-return]
        return cls(**self.options)  # type: ignore[no-any-return]

    def capabilities(self) -> frozenset[str] | None:
        """Capabilities known without connecting, or None when only a live backend can tell."""
        return STATIC_CAPABILITIES.get(self.backend)


_current = Session()


def current() -> Session:
    return _current


def configure(**kwargs: Any) -> Session:
    global _current
    _current = Session(**kwargs)
    if _current.backend not in BACKENDS:
        raise InvalidArgument(f"unknown backend {_current.backend!r}; choose one of: {', '.join(BACKENDS)}")
    return _current
