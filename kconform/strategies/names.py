"""Names, labels and label selectors.

Names are short DNS-1123 labels that start with a letter (so they are also DNS-1035 labels,
valid for Services) and shrink to ``"a"``: a failing program reads as ``deploy a``, not
``deploy x7q0w2``. Label keys and values come from small pools so that independently drawn
objects overlap often enough to exercise selectors, while workload identity stays on the
``app`` label, which these pools never produce.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from kconform.errors import InvalidArgument
from kconform.strategies._common import NAME_LENGTH_MAX

_LOWER = "abcdefghijklmnopqrstuvwxyz"
_ALNUM = _LOWER + "0123456789"
_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")

# Never "app" (workload identity) nor the managed-by key: selectors built from these keys
# must not accidentally reach across workloads.
LABEL_KEYS = ("tier", "team", "env", "track", "example.com/role")


def names(*, prefix: str = "", max_size: int = 8) -> SearchStrategy[str]:
    """DNS-1123 (and DNS-1035) labels ``prefix + [a-z][a-z0-9]{0,max_size-1}``; shrinks to ``prefix + "a"``."""
    if max_size < 1:
        raise InvalidArgument(f"max_size must be at least 1, got {max_size}")
    if len(prefix) + max_size > NAME_LENGTH_MAX:
        raise InvalidArgument(
            f"prefix {prefix!r} plus max_size {max_size} exceeds {NAME_LENGTH_MAX} characters; shorten either"
        )
    if prefix and not (prefix[0] in _LOWER and _DNS1123_LABEL.match(prefix + "a")):
        raise InvalidArgument(f"prefix {prefix!r} must start a DNS-1035 label (a letter, then [-a-z0-9])")
    return st.builds(
        lambda first, rest: f"{prefix}{first}{rest}",
        st.sampled_from(_LOWER),
        st.text(alphabet=_ALNUM, max_size=max_size - 1),
    )


def label_keys() -> SearchStrategy[str]:
    """Label keys from a small fixed pool (one with a DNS prefix), never ``app``."""
    return st.sampled_from(LABEL_KEYS)


def label_values() -> SearchStrategy[str]:
    """Valid label values: mostly ``a``/``b``/``c`` (so objects collide), sometimes ``[a-z0-9][-._a-z0-9]{0,4}[a-z0-9]``."""
    generated = st.builds(
        lambda first, middle, last: first + middle + last,
        st.sampled_from(_ALNUM),
        st.text(alphabet=_ALNUM + "-._", max_size=4),
        st.sampled_from(_ALNUM),
    )
    return st.one_of(st.sampled_from(("a", "b", "c")), generated)


def labels(min_size: int = 0, max_size: int = 3) -> SearchStrategy[dict[str, str]]:
    """A label map drawn from :func:`label_keys` and :func:`label_values`."""
    if not 0 <= min_size <= max_size <= len(LABEL_KEYS):
        raise InvalidArgument(
            f"need 0 <= min_size <= max_size <= {len(LABEL_KEYS)}, got {min_size}, {max_size}"
        )
    return st.dictionaries(label_keys(), label_values(), min_size=min_size, max_size=max_size)


def label_selectors_for(
    labels: Mapping[str, str], *, pinned: Collection[str] = ()
) -> SearchStrategy[dict[str, Any]]:
    """A non-empty metav1.LabelSelector that matches ``labels``.

    Each chosen key becomes a ``matchLabels`` entry, an ``In`` expression whose values include
    the label's value, or an ``Exists`` expression. Keys in ``pinned`` are always chosen and
    always pinned to their value (``matchLabels`` or ``In``), which is how workloads keep their
    selectors from matching other workloads' pods.
    """
    if not labels:
        raise InvalidArgument("label_selectors_for needs at least one label to select on")
    missing = [key for key in pinned if key not in labels]
    if missing:
        raise InvalidArgument(f"pinned keys {missing} are not among the labels {sorted(labels)}")
    label_map = dict(labels)
    pinned_keys = sorted(pinned)
    free_keys = sorted(key for key in label_map if key not in pinned)

    @st.composite
    def _selector(draw: st.DrawFn) -> dict[str, Any]:
        chosen: list[str] = list(pinned_keys)
        if free_keys:
            extra = draw(
                st.lists(
                    st.sampled_from(free_keys),
                    min_size=0 if chosen else 1,
                    max_size=len(free_keys),
                    unique=True,
                )
            )
            chosen.extend(extra)
        match_labels: dict[str, str] = {}
        expressions: list[dict[str, Any]] = []
        for key in chosen:
            forms = ("matchLabels", "In") if key in pinned else ("matchLabels", "In", "Exists")
            form = draw(st.sampled_from(forms))
            if form == "matchLabels":
                match_labels[key] = label_map[key]
            elif form == "In":
                others = draw(st.lists(label_values(), max_size=1))
                values = sorted({label_map[key], *others})
                expressions.append({"key": key, "operator": "In", "values": values})
            else:
                expressions.append({"key": key, "operator": "Exists"})
        selector: dict[str, Any] = {}
        if match_labels:
            selector["matchLabels"] = match_labels
        if expressions:
            selector["matchExpressions"] = expressions
        return selector

    return _selector()


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """Whether a metav1.LabelSelector matches ``labels`` (In, NotIn, Exists, DoesNotExist)."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression["key"], expression["operator"]
        values = expression.get("values") or []
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True
