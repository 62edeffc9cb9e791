"""Invalid cases: one planted defect each, with a cause from the documented set at a real path."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings

from kconform import strategies as ks
from kconform.strategies.invalid import FIELD_VALUE_REQUIRED, InvalidCase
from tests.strategies._schema import schema_errors

_MISSING = object()
_STEP = re.compile(r"([A-Za-z]+)((?:\[\d+\])*)")

# Defects the OpenAPI schema itself can express (a required property missing). Every other
# defect is schema-valid: only the API server's validation catches it, which is the point.
SCHEMA_CATCHES = {("spec.selector", FIELD_VALUE_REQUIRED)}

DOCUMENTED = {
    ("metadata.name", "FieldValueInvalid"),
    ("metadata.labels", "FieldValueInvalid"),
    ("spec.restartPolicy", "FieldValueNotSupported"),
    ("spec.template.spec.restartPolicy", "FieldValueNotSupported"),
    ("spec.template.spec.restartPolicy", "FieldValueRequired"),  # Job: Always reads as "not chosen"
    ("spec.template.metadata.labels", "FieldValueInvalid"),
    ("spec.selector", "FieldValueRequired"),
    ("spec.replicas", "FieldValueInvalid"),
    ("spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid"),
    ("spec.backoffLimit", "FieldValueInvalid"),
    ("spec.completions", "FieldValueRequired"),
    ("spec.ports", "FieldValueRequired"),
    ("spec.ports[1].name", "FieldValueRequired"),
}
CONTAINER_CAUSES = {
    ("containers[0].image", "FieldValueRequired"),
    ("containers[0].name", "FieldValueInvalid"),
    ("containers[1].name", "FieldValueDuplicate"),
    ("containers[0].ports[0].containerPort", "FieldValueRequired"),
    ("containers[0].ports[0].containerPort", "FieldValueInvalid"),
}
FAST = settings(max_examples=60, derandomize=True, deadline=None)


def resolve(manifest: dict[str, Any], path: str) -> Any:
    """The value at an API-server field path like ``spec.containers[0].ports[0].name``."""
    node: Any = manifest
    for step in path.split("."):
        match = _STEP.fullmatch(step)
        assert match, f"unparseable step {step!r} in {path!r}"
        node = node.get(match.group(1), _MISSING) if isinstance(node, dict) else _MISSING
        for index in re.findall(r"\[(\d+)\]", match.group(2)):
            node = node[int(index)] if isinstance(node, list) and int(index) < len(node) else _MISSING
        if node is _MISSING:
            return _MISSING
    return node


def _documented(case: InvalidCase) -> bool:
    if (case.field, case.reason) in DOCUMENTED:
        return True
    for prefix in ("spec.", "spec.template.spec."):
        if (
            case.field.startswith(prefix)
            and (case.field.removeprefix(prefix), case.reason) in CONTAINER_CAUSES
        ):
            return True
    return False


@FAST
@given(ks.invalid_manifests())
def test_causes_come_from_the_documented_set(case: InvalidCase) -> None:
    assert case.reason in ks.CAUSE_REASONS
    assert _documented(case), (case.field, case.reason)
    assert case.description
    # A pod-spec cause sits under the path the API server uses for this kind.
    if ".containers[" in case.field:
        expected = "spec.containers[" if case.manifest["kind"] == "Pod" else "spec.template.spec.containers["
        assert case.field.startswith(expected)


@FAST
@given(ks.invalid_manifests())
def test_the_named_field_holds_the_defect(case: InvalidCase) -> None:
    value = resolve(case.manifest, case.field)
    if case.reason == FIELD_VALUE_REQUIRED and case.description == "Job template restartPolicy Always":
        assert value == "Always"  # the one Required cause for a present value (batch validation)
    elif case.reason == FIELD_VALUE_REQUIRED:
        assert value is _MISSING or value in (0, "", [], {}), (case.field, value)
    else:
        assert value is not _MISSING, case.field
    if case.reason == "FieldValueDuplicate":
        siblings = ks.pod_spec_of(case.manifest)["containers"]
        assert [c["name"] for c in siblings].count(value) == 2


@FAST
@given(ks.invalid_manifests())
def test_only_the_api_server_can_see_most_defects(case: InvalidCase) -> None:
    """The manifest is otherwise well-formed: the schema rejects it only where it can express the defect."""
    errors = schema_errors(case.manifest)
    if (case.field, case.reason) in SCHEMA_CATCHES:
        assert errors is not None
    else:
        assert errors is None, (case.description, errors)


def test_every_planted_defect_is_reached() -> None:
    seen: set[str] = set()

    @settings(max_examples=150, derandomize=True, deadline=None)
    @given(ks.invalid_manifests())
    def collect(case: InvalidCase) -> None:
        seen.add(case.field.replace("spec.template.spec.containers", "spec.containers") + " " + case.reason)

    collect()
    assert len(seen) >= 15, sorted(seen)


def test_resolve_sees_missing_and_present_fields() -> None:
    manifest = {"spec": {"containers": [{"name": "a", "ports": [{"containerPort": 0}]}]}}
    assert resolve(manifest, "spec.containers[0].name") == "a"
    assert resolve(manifest, "spec.containers[0].ports[0].containerPort") == 0
    assert resolve(manifest, "spec.containers[0].image") is _MISSING
    assert resolve(manifest, "spec.containers[1].name") is _MISSING
