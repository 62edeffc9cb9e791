"""``informer.unchanged``: identity as proof of no change, and never more than that."""

from __future__ import annotations

from reference_impl.client import unchanged


def test_the_same_object_at_a_path_is_proof_and_anything_else_is_not() -> None:
    spec = {"nodeName": "n1"}
    old = {"metadata": {"ownerReferences": [{"uid": "u"}]}, "spec": spec}
    new = {"metadata": {"ownerReferences": old["metadata"]["ownerReferences"]}, "spec": spec, "status": {}}
    assert unchanged(old, new, "spec") and unchanged(old, new, "metadata", "ownerReferences")
    equal_copy = {"metadata": {}, "spec": dict(spec)}
    assert not unchanged(old, equal_copy, "spec")  # equal but not shared: compare by value instead
    assert not unchanged({"spec": None}, {"spec": None}, "spec")  # absent is never proof
    assert not unchanged({}, {}, "spec") and not unchanged({"spec": 1}, {"spec": []}, "spec", "x")
