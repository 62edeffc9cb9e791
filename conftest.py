"""Top-level pytest configuration.

The kconform plugin itself is loaded through its ``pytest11`` entry point once the package is
installed (``pip install -e '.[test]'``); when it is not installed (running from a bare
checkout with ``PYTHONPATH=.``), load it from here so ``pytest`` works either way.
"""

from __future__ import annotations

import importlib.metadata


def _plugin_installed() -> bool:
    try:
        eps = importlib.metadata.entry_points(group="pytest11")
    except Exception:  # pragma: no cover
        return False
    return any(ep.value == "kconform.pytest_plugin" for ep in eps)


pytest_plugins = [] if _plugin_installed() else ["kconform.pytest_plugin"]
