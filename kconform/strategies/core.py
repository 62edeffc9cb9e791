"""Namespaces and ConfigMaps: the objects with no pods behind them.

Namespaces are named ``ns-<name>`` so a drawn name can never be ``default`` or start with
``kube-``, which the API server treats specially.
"""

from __future__ import annotations

from hypothesis import strategies as st

from kconform.strategies._common import Manifest, metadata
from kconform.strategies.names import labels as label_maps
from kconform.strategies.names import names

_KEY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-._"
_VALUE_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789 =:-"


@st.composite
def namespaces(draw: st.DrawFn) -> Manifest:
    """A v1 Namespace ``ns-<name>`` with a few pool labels."""
    name = draw(names(prefix="ns-"))
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": metadata(name=name, namespace=None, labels=draw(label_maps(max_size=2))),
    }


@st.composite
def configmaps(draw: st.DrawFn, namespace: str | None = "default") -> Manifest:
    """A v1 ConfigMap with up to three short string entries."""
    name = draw(names())
    keys = st.builds(
        lambda first, rest: first + rest,
        st.sampled_from("abcdefghijklmnopqrstuvwxyz"),
        st.text(alphabet=_KEY_CHARS, max_size=5),
    )
    data = draw(st.dictionaries(keys, st.text(alphabet=_VALUE_CHARS, max_size=12), max_size=3))
    manifest: Manifest = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata(name=name, namespace=namespace),
    }
    if data:
        manifest["data"] = data
    return manifest
