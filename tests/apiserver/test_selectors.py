"""Label and field selectors: the grammar, the real error texts, matching, selectable fields."""

from __future__ import annotations

import pytest

from reference_impl.apiserver.selectors import (
    SUPPORTED_FIELDS,
    FieldSelector,
    LabelSelector,
    SelectorError,
    field_set,
    label_selector_from_dict,
    parse_field_selector,
    parse_label_selector,
    supported_fields,
    unsupported_field_message,
    validate_field_selector,
)

_NAME_PART_REGEX = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
    "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation "
    "is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
_LABEL_VALUE_REGEX = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
    "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
    "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)

# --------------------------------------------------------------------------- label grammar

PARSE_CASES = [
    # (text, requirements, canonical string)
    ("", (), ""),
    ("   ", (), ""),
    ("a=b", (("a", "=", ("b",)),), "a=b"),
    ("a==b", (("a", "==", ("b",)),), "a==b"),
    ("a!=b", (("a", "!=", ("b",)),), "a!=b"),
    ("a", (("a", "exists", ()),), "a"),
    ("!a", (("a", "!", ()),), "!a"),
    (" a = b , c ", (("a", "=", ("b",)), ("c", "exists", ())), "a=b,c"),
    ("x in (b,a)", (("x", "in", ("a", "b")),), "x in (a,b)"),
    ("x notin (a)", (("x", "notin", ("a",)),), "x notin (a)"),
    ("x in (a, a ,b)", (("x", "in", ("a", "b")),), "x in (a,b)"),
    ("x in ()", (("x", "in", ("",)),), "x in ()"),
    ("x in (,a)", (("x", "in", ("", "a")),), "x in (,a)"),
    ("a=", (("a", "=", ("",)),), "a="),
    ("a=,b", (("a", "=", ("",)), ("b", "exists", ())), "a=,b"),
    ("z=1,a=2", (("a", "=", ("2",)), ("z", "=", ("1",))), "a=2,z=1"),
    ("example.com/app=web", (("example.com/app", "=", ("web",)),), "example.com/app=web"),
    # "in" is an identifier when it stands where a key or value goes.
    ("in=notin", (("in", "=", ("notin",)),), "in=notin"),
    ("n>5", (("n", "gt", ("5",)),), "n>5"),
    ("n<5", (("n", "lt", ("5",)),), "n<5"),
]


@pytest.mark.parametrize(("text", "requirements", "canonical"), PARSE_CASES)
def test_parse_label_selector(text: str, requirements: tuple, canonical: str) -> None:
    selector = parse_label_selector(text)
    assert selector.requirements == requirements
    assert str(selector) == canonical
    assert selector.empty == (requirements == ())
    # The canonical form parses back to the same selector.
    assert parse_label_selector(str(selector)) == selector


PARSE_ERRORS = [
    ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
    ("a=b c", "found 'c', expected: ',' or 'end of string'"),
    ("a=b,", "found '', expected: identifier after ','"),
    ("a=b,,c", "found ',', expected: identifier after ','"),
    (",a", "found ',', expected: !, identifier, or 'end of string'"),
    ("=a", "found '=', expected: !, identifier, or 'end of string'"),
    ("!a=b", "found '=', expected: ',' or 'end of string'"),
    ("a in b", "unable to parse requirement: found 'b' expected: '('"),
    ("a in (b", "unable to parse requirement: found '', expected: ',' or ')'"),
    ("a in (b c)", "unable to parse requirement: found 'c', expected: ',' or ')'"),
    ("a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"),
    ("a==(", "unable to parse requirement: found '(', expected: identifier"),
    ("!", "unable to parse requirement: found '', expected: identifier"),
    ("a:b=c", f'unable to parse requirement: <nil>: Invalid value: "a:b": {_NAME_PART_REGEX}'),
    ("-a", f'unable to parse requirement: <nil>: Invalid value: "-a": {_NAME_PART_REGEX}'),
    ("a=-b", f'unable to parse requirement: values[0][a]: Invalid value: "-b": {_LABEL_VALUE_REGEX}'),
    (
        "a=" + "v" * 64,
        "unable to parse requirement: values[0][a]: Invalid value: \"" + "v" * 64
        + '": must be no more than 63 characters',
    ),
    ("n>x", 'unable to parse requirement: values[0]: Invalid value: "x": '
     "for 'Gt', 'Lt' operators, the value must be an integer"),
    (
        "A/b=c",
        'unable to parse requirement: <nil>: Invalid value: "A/b": prefix part a lowercase RFC 1123 '
        "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and "
        "end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ),
    ("/b", 'unable to parse requirement: <nil>: Invalid value: "/b": prefix part must be non-empty'),
    (
        "a" * 64,
        f'unable to parse requirement: <nil>: Invalid value: "{"a" * 64}": '
        "name part must be no more than 63 characters",
    ),
]


@pytest.mark.parametrize(("text", "message"), PARSE_ERRORS)
def test_parse_label_selector_errors(text: str, message: str) -> None:
    with pytest.raises(SelectorError) as info:
        parse_label_selector(text)
    assert info.value.message == message
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)


MATCH_CASES = [
    # (selector, labels, matches)
    ("", None, True),
    ("", {"a": "b"}, True),
    ("a=b", {"a": "b"}, True),
    ("a=b", {"a": "c"}, False),
    ("a=b", {}, False),
    ("a=b", None, False),
    ("a==b", {"a": "b", "x": "y"}, True),
    ("a!=b", {}, True),
    ("a!=b", {"a": "c"}, True),
    ("a!=b", {"a": "b"}, False),
    ("a in (x,y)", {"a": "y"}, True),
    ("a in (x,y)", {"a": "z"}, False),
    ("a in (x,y)", {}, False),
    ("a notin (x,y)", {}, True),
    ("a notin (x,y)", {"a": "x"}, False),
    ("a notin (x,y)", {"a": "z"}, True),
    ("a", {"a": ""}, True),
    ("a", {"b": "a"}, False),
    ("!a", {"b": "a"}, True),
    ("!a", {"a": ""}, False),
    ("a=", {"a": ""}, True),
    ("a=", {}, False),
    ("a=b,c=d", {"a": "b", "c": "d"}, True),
    ("a=b,c=d", {"a": "b", "c": "e"}, False),
    ("n>5", {"n": "6"}, True),
    ("n>5", {"n": "5"}, False),
    ("n>5", {"n": "six"}, False),
    ("n<5", {"n": "-1"}, True),
    ("n<5", {}, False),
]


@pytest.mark.parametrize(("text", "labels", "expected"), MATCH_CASES)
def test_label_selector_matches(text: str, labels: dict[str, str] | None, expected: bool) -> None:
    assert parse_label_selector(text).matches(labels) is expected


# --------------------------------------------------------------------------- metav1.LabelSelector

DICT_CASES = [
    # (metav1.LabelSelector, canonical string, labels, matches)
    (None, "", {"a": "b"}, False),
    (None, "", {}, False),
    ({}, "", {"a": "b"}, True),
    ({"matchLabels": {}, "matchExpressions": []}, "", {}, True),
    ({"matchLabels": {"b": "2", "a": "1"}}, "a=1,b=2", {"a": "1", "b": "2"}, True),
    ({"matchLabels": {"a": "1"}}, "a=1", {"a": "2"}, False),
    (
        {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["web", "api"]}]},
        "tier in (api,web)",
        {"tier": "api"},
        True,
    ),
    (
        {"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["web"]}]},
        "tier notin (web)",
        {},
        True,
    ),
    ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, "tier", {"tier": ""}, True),
    ({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, "!tier", {"tier": "x"}, False),
    (
        {
            "matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod"]}],
        },
        "app=web,env in (prod)",
        {"app": "web", "env": "prod"},
        True,
    ),
]


@pytest.mark.parametrize(("sel", "canonical", "labels", "expected"), DICT_CASES)
def test_label_selector_from_dict(sel: dict | None, canonical: str, labels: dict, expected: bool) -> None:
    selector = label_selector_from_dict(sel)
    assert str(selector) == canonical
    assert selector.matches(labels) is expected
    assert selector.match_nothing == (sel is None)
    assert selector.empty == (sel is not None and canonical == "")


DICT_ERRORS = [
    ({"matchExpressions": [{"key": "a", "operator": "Foo"}]}, '"Foo" is not a valid label selector operator'),
    ({"matchExpressions": [{"key": "a", "operator": "in", "values": ["x"]}]},
     '"in" is not a valid label selector operator'),
    (
        {"matchExpressions": [{"key": "a", "operator": "In"}]},
        "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    ),
    (
        {"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]},
        'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist',
    ),
    ({"matchLabels": {"a b": "c"}}, f'key: Invalid value: "a b": {_NAME_PART_REGEX}'),
    ({"matchLabels": {"a": "b c"}}, f'values[0][a]: Invalid value: "b c": {_LABEL_VALUE_REGEX}'),
]


@pytest.mark.parametrize(("sel", "message"), DICT_ERRORS)
def test_label_selector_from_dict_errors(sel: dict, message: str) -> None:
    with pytest.raises(SelectorError) as info:
        label_selector_from_dict(sel)
    assert info.value.message == message


def test_several_requirement_errors_are_aggregated() -> None:
    with pytest.raises(SelectorError) as info:
        label_selector_from_dict({"matchExpressions": [{"key": "-a", "operator": "In"}]})
    assert info.value.message == (
        f'[key: Invalid value: "-a": {_NAME_PART_REGEX}, '
        "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty]"
    )


def test_label_selectors_compare_by_requirements() -> None:
    assert parse_label_selector("b=1,a=2") == label_selector_from_dict({"matchLabels": {"a": "2", "b": "1"}})
    assert label_selector_from_dict(None) != LabelSelector()
    assert len({parse_label_selector("a"), parse_label_selector(" a ")}) == 1


# --------------------------------------------------------------------------- field selectors

FIELD_PARSE_CASES = [
    # (text, requirements, canonical string)
    ("", (), ""),
    ("spec.nodeName=n1", (("spec.nodeName", "=", "n1"),), "spec.nodeName=n1"),
    ("spec.nodeName==n1", (("spec.nodeName", "==", "n1"),), "spec.nodeName=n1"),
    ("spec.nodeName!=n1", (("spec.nodeName", "!=", "n1"),), "spec.nodeName!=n1"),
    ("spec.nodeName=", (("spec.nodeName", "=", ""),), "spec.nodeName="),
    # Terms are sorted as strings, as the real parser sorts them.
    (
        "status.phase=Running,metadata.name=a",
        (("metadata.name", "=", "a"), ("status.phase", "=", "Running")),
        "metadata.name=a,status.phase=Running",
    ),
    ("a=b,,c=d", (("a", "=", "b"), ("c", "=", "d")), "a=b,c=d"),
    (r"a=x\,y", (("a", "=", "x,y"),), r"a=x\,y"),
    (r"a=x\=y\\z", (("a", "=", "x=y\\z"),), r"a=x\=y\\z"),
    # No trimming: the field is "a " and the value " b".
    ("a = b", (("a ", "=", " b"),), "a = b"),
]


@pytest.mark.parametrize(("text", "requirements", "canonical"), FIELD_PARSE_CASES)
def test_parse_field_selector(text: str, requirements: tuple, canonical: str) -> None:
    selector = parse_field_selector(text)
    assert selector.requirements == requirements
    assert str(selector) == canonical
    assert selector.empty == (requirements == ())


FIELD_ERRORS = [
    ("a", "invalid selector: 'a'; can't understand 'a'"),
    ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
    ("a=b=c", "invalid field selector: unescaped character in value: 61"),
    (r"a=b\x", "invalid field selector: invalid escape sequence: \\x"),
    ("a=b\\", "invalid field selector: invalid escape sequence: \\"),
]


@pytest.mark.parametrize(("text", "message"), FIELD_ERRORS)
def test_parse_field_selector_errors(text: str, message: str) -> None:
    with pytest.raises(SelectorError) as info:
        parse_field_selector(text)
    assert info.value.message == message


FIELD_MATCH_CASES = [
    ("", {}, True),
    ("spec.nodeName=n1", {"spec.nodeName": "n1"}, True),
    ("spec.nodeName=n1", {"spec.nodeName": "n2"}, False),
    ("spec.nodeName=", {"spec.nodeName": ""}, True),
    ("spec.nodeName=", {}, True),
    ("spec.nodeName=", {"spec.nodeName": "n1"}, False),
    ("spec.nodeName!=", {"spec.nodeName": "n1"}, True),
    ("spec.nodeName!=n1", {"spec.nodeName": "n1"}, False),
    ("spec.nodeName!=n1", {"spec.nodeName": ""}, True),
    ("status.phase!=Failed,status.phase!=Succeeded", {"status.phase": "Running"}, True),
    ("status.phase!=Failed,status.phase!=Succeeded", {"status.phase": "Failed"}, False),
    ("metadata.name=a,metadata.namespace=ns", {"metadata.name": "a", "metadata.namespace": "ns"}, True),
    ("metadata.name=a,metadata.namespace=ns", {"metadata.name": "a", "metadata.namespace": "x"}, False),
]


@pytest.mark.parametrize(("text", "fields", "expected"), FIELD_MATCH_CASES)
def test_field_selector_matches(text: str, fields: dict[str, str], expected: bool) -> None:
    assert parse_field_selector(text).matches(fields) is expected


def test_field_selector_value_for() -> None:
    selector = parse_field_selector("spec.nodeName==n1,status.phase!=Failed")
    assert selector.value_for("spec.nodeName") == "n1"
    assert selector.value_for("status.phase") is None
    assert selector.value_for("metadata.name") is None
    assert parse_field_selector("spec.nodeName=").value_for("spec.nodeName") == ""
    assert FieldSelector().value_for("spec.nodeName") is None


# --------------------------------------------------------------------------- selectable fields


def _pod(**spec: object) -> dict:
    return {
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {"containers": [], **spec},
        "status": {"phase": "Running", "podIPs": [{"ip": "10.0.0.5"}, {"ip": "fd00::5"}]},
    }


def test_pod_field_set() -> None:
    assert field_set("pods", _pod(nodeName="n1", restartPolicy="Always", hostNetwork=True)) == {
        "metadata.name": "p",
        "metadata.namespace": "ns",
        "spec.nodeName": "n1",
        "spec.restartPolicy": "Always",
        "spec.schedulerName": "",
        "spec.serviceAccountName": "",
        "spec.hostNetwork": "true",
        "status.phase": "Running",
        "status.podIP": "10.0.0.5",
        "status.nominatedNodeName": "",
    }


def test_unscheduled_pod_selected_by_empty_node_name() -> None:
    unscheduled = field_set("pods", _pod())
    assert unscheduled["spec.nodeName"] == ""
    assert unscheduled["spec.hostNetwork"] == "false"
    assert parse_field_selector("spec.nodeName=").matches(unscheduled)
    assert not parse_field_selector("spec.nodeName=").matches(field_set("pods", _pod(nodeName="n1")))


FIELD_SET_CASES = [
    ("nodes", {"metadata": {"name": "n1"}, "spec": {"unschedulable": True}},
     {"metadata.name": "n1", "spec.unschedulable": "true"}),
    ("nodes", {"metadata": {"name": "n1"}}, {"metadata.name": "n1", "spec.unschedulable": "false"}),
    ("namespaces", {"metadata": {"name": "x"}, "status": {"phase": "Terminating"}},
     {"metadata.name": "x", "status.phase": "Terminating"}),
    ("secrets", {"metadata": {"name": "s", "namespace": "d"}, "type": "Opaque"},
     {"metadata.name": "s", "metadata.namespace": "d", "type": "Opaque"}),
    ("replicasets", {"metadata": {"name": "r", "namespace": "d"}, "status": {"replicas": 3}},
     {"metadata.name": "r", "metadata.namespace": "d", "status.replicas": "3"}),
    ("replicasets", {"metadata": {"name": "r", "namespace": "d"}},
     {"metadata.name": "r", "metadata.namespace": "d", "status.replicas": "0"}),
    ("jobs", {"metadata": {"name": "j", "namespace": "d"}, "status": {"succeeded": 2}},
     {"metadata.name": "j", "metadata.namespace": "d", "status.successful": "2"}),
    ("services", {"metadata": {"name": "s", "namespace": "d"}, "spec": {"clusterIP": "10.96.0.1", "type": "ClusterIP"}},
     {"metadata.name": "s", "metadata.namespace": "d", "spec.clusterIP": "10.96.0.1", "spec.type": "ClusterIP"}),
    ("deployments", {"metadata": {"name": "d", "namespace": "x"}, "spec": {"replicas": 2}},
     {"metadata.name": "d", "metadata.namespace": "x"}),
]


@pytest.mark.parametrize(("resource", "obj", "expected"), FIELD_SET_CASES)
def test_field_set(resource: str, obj: dict, expected: dict[str, str]) -> None:
    assert field_set(resource, obj) == expected


def test_event_field_set() -> None:
    event = {
        "metadata": {"name": "e", "namespace": "d"},
        "involvedObject": {"kind": "Pod", "name": "p", "namespace": "d", "uid": "u1", "apiVersion": "v1"},
        "reason": "Scheduled",
        "type": "Normal",
        "reportingComponent": "default-scheduler",
        "source": {},
    }
    fields = field_set("events", event)
    assert fields["involvedObject.kind"] == "Pod"
    assert fields["involvedObject.uid"] == "u1"
    assert fields["involvedObject.fieldPath"] == ""
    assert fields["reason"] == "Scheduled"
    # source falls back to the reporting controller when source.component is empty.
    assert fields["source"] == "default-scheduler"
    assert set(fields) == SUPPORTED_FIELDS["events"]


def test_every_field_set_key_is_supported() -> None:
    for resource in ("pods", "nodes", "namespaces", "secrets", "services", "replicasets", "jobs"):
        assert set(field_set(resource, {"metadata": {"name": "x"}})) <= supported_fields(resource)


VALIDATE_CASES = [
    ("pods", "spec.nodeName=n1,status.phase=Running", None),
    ("pods", "spec.foo=x", "field label not supported: spec.foo"),
    ("nodes", "spec.unschedulable=false", None),
    ("nodes", "metadata.namespace=x", "field label not supported: metadata.namespace"),
    ("configmaps", "metadata.name=x,metadata.namespace=y", None),
    ("configmaps", "data.x=y", "field label not supported: data.x"),
]


@pytest.mark.parametrize(("resource", "text", "message"), VALIDATE_CASES)
def test_validate_field_selector(resource: str, text: str, message: str | None) -> None:
    selector = parse_field_selector(text)
    if message is None:
        validate_field_selector(resource, selector)
        return
    with pytest.raises(SelectorError) as info:
        validate_field_selector(resource, selector)
    assert info.value.message == message == unsupported_field_message(message.rsplit(" ", 1)[1])
