"""Create and update validation of the built-in kinds, with the real field-error texts.

Models the registry strategies' ``Validate``/``ValidateUpdate`` for the kinds in
:data:`SUPPORTED_KINDS`, following pkg/apis/core/validation/validation.go,
pkg/apis/apps/validation/validation.go, pkg/apis/batch/validation/validation.go,
staging/src/k8s.io/apimachinery/pkg/api/validation (object meta, names),
staging/src/k8s.io/apimachinery/pkg/util/validation (DNS names, qualified names, ports) and
field/errors.go (causes and their ``ErrorBody`` text), plus ``errors.NewInvalid`` for the
top-level 422 message.

Objects are the plain dicts ``kubectl get -o json`` shows, validated after defaulting. Fields the
defaulters always fill are checked only when present. Causes come out in a stable order (map keys
sorted) where Go's map iteration is random.

Departures and omissions, on purpose:
- a malformed quantity is a decode error (400) on the real server; here it is a
  ``FieldValueInvalid`` cause at the quantity's field carrying the decoder's message;
- the pod-update ``Forbidden`` message stops before the ``cmp.Diff`` of the two specs;
- Go ``%#v`` renderings of structs are approximated (label maps and selectors are exact);
- not covered: volumes beyond names, security contexts, affinity, topology spread, DNS config,
  ephemeral containers, resize, service IP/port allocation (the allocator's job), CronJob
  schedule syntax, Job selector generation (the Job strategy's job), status validation.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from mypy_extensions import mypyc_attr

from reference_impl.apiserver import cron as _cron
from reference_impl.apiserver.quantity import QuantityError, canonical, parse_quantity

__all__ = [
    "SUPPORTED_KINDS",
    "go_repr",
    "invalid_message",
    "is_dns1035_label",
    "is_dns1123_label",
    "is_dns1123_subdomain",
    "is_qualified_name",
    "is_valid_label_value",
    "selector_matches",
    "validate",
]

Obj = dict[str, Any]
Cause = dict[str, str]

FIELD_IMMUTABLE = "field is immutable"
POD_UPDATE_FORBIDDEN = (
    "pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
    "`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
)
STATEFULSET_UPDATE_FORBIDDEN = (
    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
    "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
)
MAX_INT32 = 2147483647
TOTAL_ANNOTATION_SIZE_LIMIT_B = 256 * 1024

# --------------------------------------------------------------------------- value rendering


@mypyc_attr(native_class=False)  # a str subclass: mypyc compiles it as a plain Python class
class GoText(str):
    """Text already rendered the way Go prints the value (never quoted again)."""


def go_repr(value: Any) -> str:
    """A bad value as ``field.Error.ErrorBody`` prints it: strings quoted, numbers bare."""
    if isinstance(value, GoText):
        return str(value)
    if value is None:
        return '"null"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return _go_string_map(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "[]string{" + ", ".join(json.dumps(v) for v in value) + "}"
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def go_json(value: Any, *, sort_keys: bool = False) -> GoText:
    """A bad value as ``field.Error`` prints a map, slice or struct since v1.33: ``json.Marshal``
    of it (HTML characters escaped; a map's keys sorted — ``sort_keys`` — where a struct keeps
    its fields' order), ``null`` for nil."""
    text = json.dumps(value, sort_keys=sort_keys, separators=(",", ":"), ensure_ascii=False)
    return GoText(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _go_string_map(labels: dict[str, str] | None) -> GoText:
    if labels is None:
        return GoText("map[string]string(nil)")
    inner = ", ".join(f"{json.dumps(k)}:{json.dumps(labels[k])}" for k in sorted(labels))
    return GoText("map[string]string{" + inner + "}")


def _go_selector(selector: Obj) -> GoText:
    expressions = selector.get("matchExpressions") or []
    if expressions:
        parts = []
        for req in expressions:
            values = req.get("values")
            values_text = "[]string(nil)" if values is None else go_repr(list(values))
            parts.append(
                f'v1.LabelSelectorRequirement{{Key:{json.dumps(req.get("key", ""))}, '
                f'Operator:{json.dumps(req.get("operator", ""))}, Values:{values_text}}}'
            )
        expr_text = "[]v1.LabelSelectorRequirement{" + ", ".join(parts) + "}"
    else:
        expr_text = "[]v1.LabelSelectorRequirement(nil)"
    labels = selector.get("matchLabels")
    return GoText(f"v1.LabelSelector{{MatchLabels:{_go_string_map(labels)}, MatchExpressions:{expr_text}}}")


def _go_int_or_string(value: Any) -> GoText:
    # IntOrString implements fmt.Stringer, so ErrorBody prints "25%" or "1", unquoted.
    return GoText(str(value))


def _go_toleration(tol: Obj) -> GoText:
    seconds = tol.get("tolerationSeconds")
    seconds_text = "(*int64)(nil)" if seconds is None else f"(*int64)({seconds})"
    return GoText(
        f'core.Toleration{{Key:{json.dumps(tol.get("key", ""))}, Operator:{json.dumps(tol.get("operator", ""))}, '
        f'Value:{json.dumps(tol.get("value", ""))}, Effect:{json.dumps(tol.get("effect", ""))}, '
        f"TolerationSeconds:{seconds_text}}}"
    )


# --------------------------------------------------------------------------- error list


class Errors:
    """An ErrorList under construction; one method per field.Error constructor."""

    __slots__ = ("causes",)

    def __init__(self) -> None:
        self.causes: list[Cause] = []

    def _add(self, reason: str, path: str, message: str) -> None:
        self.causes.append({"reason": reason, "message": message, "field": path})

    def required(self, path: str, detail: str = "") -> None:
        self._add("FieldValueRequired", path, "Required value" + (f": {detail}" if detail else ""))

    def forbidden(self, path: str, detail: str) -> None:
        self._add("FieldValueForbidden", path, "Forbidden" + (f": {detail}" if detail else ""))

    def too_long(self, path: str, max_length: int) -> None:
        self._add("FieldValueTooLong", path, f"Too long: may not be more than {max_length} bytes")

    def invalid(self, path: str, value: Any, detail: str) -> None:
        message = f"Invalid value: {go_repr(value)}" + (f": {detail}" if detail else "")
        self._add("FieldValueInvalid", path, message)

    def duplicate(self, path: str, value: Any) -> None:
        self._add("FieldValueDuplicate", path, f"Duplicate value: {go_repr(value)}")

    def not_supported(self, path: str, value: Any, valid: Iterable[str]) -> None:
        supported = ", ".join(json.dumps(v) for v in valid)
        self._add("FieldValueNotSupported", path, f"Unsupported value: {go_repr(value)}: supported values: {supported}")

    def nonnegative(self, path: str, value: Any) -> None:
        if isinstance(value, int | float) and value < 0:
            self.invalid(path, value, "must be greater than or equal to 0")


# --------------------------------------------------------------------------- name rules

_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_VALUE_FMT = "(" + _QUALIFIED_NAME_FMT + ")?"
_CONFIG_KEY_FMT = "[-._a-zA-Z0-9]+"
_PERCENT_FMT = "[0-9]+%"

_DNS1123_LABEL_RE = re.compile(f"^{_DNS1123_LABEL_FMT}$")
_DNS1123_SUBDOMAIN_RE = re.compile(f"^{_DNS1123_SUBDOMAIN_FMT}$")
_DNS1035_LABEL_RE = re.compile(f"^{_DNS1035_LABEL_FMT}$")
_QUALIFIED_NAME_RE = re.compile(f"^{_QUALIFIED_NAME_FMT}$")
_LABEL_VALUE_RE = re.compile(f"^{_LABEL_VALUE_FMT}$")
_CONFIG_KEY_RE = re.compile(f"^{_CONFIG_KEY_FMT}$")
_PERCENT_RE = re.compile(f"^{_PERCENT_FMT}$")
_PORT_NAME_CHARSET_RE = re.compile("^[-a-z0-9]+$")


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    # validation.RegexError, including its quirky "'a',  or 'b'" double space.
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    shown = " or ".join(f"'{example}', " for example in examples)
    return f"{msg} (e.g. {shown}regex used for validation is '{fmt}')"


def _max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


_DNS1123_LABEL_MSG = _regex_error(
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
    "and must start and end with an alphanumeric character",
    _DNS1123_LABEL_FMT, "my-name", "123-abc",
)
_DNS1123_SUBDOMAIN_MSG = _regex_error(
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character",
    _DNS1123_SUBDOMAIN_FMT, "example.com",
)
_DNS1035_LABEL_MSG = _regex_error(
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character",
    _DNS1035_LABEL_FMT, "my-name", "abc-123",
)
_QUALIFIED_NAME_MSG = _regex_error(
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character",
    _QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc",
)
_LABEL_VALUE_MSG = _regex_error(
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character",
    _LABEL_VALUE_FMT, "MyValue", "my_value", "12345",
)
_CONFIG_KEY_MSG = _regex_error(
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
    _CONFIG_KEY_FMT, "key.name", "KEY_NAME", "key-name",
)
_PERCENT_MSG = _regex_error(
    "a valid percent string must be a numeric string followed by an ending '%'", _PERCENT_FMT, "1%", "93%"
)
_ENV_NAME_MSG = "a valid environment variable name must consist only of printable ASCII characters other than '='"


def is_dns1123_label(value: str) -> list[str]:
    """``IsDNS1123Label``: the messages for an invalid RFC 1123 label, empty when valid."""
    errs = []
    if len(value) > 63:
        errs.append(_max_len_error(63))
    if not _DNS1123_LABEL_RE.match(value):
        errs.append("must not contain dots" if _DNS1123_SUBDOMAIN_RE.match(value) else _DNS1123_LABEL_MSG)
    return errs


def is_dns1123_subdomain(value: str) -> list[str]:
    """``IsDNS1123Subdomain``."""
    errs = []
    if len(value) > 253:
        errs.append(_max_len_error(253))
    if not _DNS1123_SUBDOMAIN_RE.match(value):
        errs.append(_DNS1123_SUBDOMAIN_MSG)
    return errs


def is_dns1035_label(value: str) -> list[str]:
    """``IsDNS1035Label`` (Service names)."""
    errs = []
    if len(value) > 63:
        errs.append(_max_len_error(63))
    if not _DNS1035_LABEL_RE.match(value):
        errs.append(_DNS1035_LABEL_MSG)
    return errs


def is_qualified_name(value: str) -> list[str]:
    """``IsQualifiedName``: label and annotation keys, ``[prefix/]name``."""
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs.extend("prefix part " + msg for msg in is_dns1123_subdomain(prefix))
    else:
        return [
            "a valid label key " + _QUALIFIED_NAME_MSG
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part " + _max_len_error(63))
    if not _QUALIFIED_NAME_RE.match(name):
        errs.append("name part " + _QUALIFIED_NAME_MSG)
    return errs


def is_valid_label_value(value: str) -> list[str]:
    """``IsValidLabelValue``: at most 63 characters, empty allowed."""
    errs = []
    if len(value) > 63:
        errs.append(_max_len_error(63))
    if not _LABEL_VALUE_RE.match(value):
        errs.append(_LABEL_VALUE_MSG)
    return errs


def _is_valid_port_num(port: Any) -> list[str]:
    if isinstance(port, int) and not isinstance(port, bool) and 1 <= port <= 65535:
        return []
    return ["must be between 1 and 65535, inclusive"]


def _is_valid_port_name(port: str) -> list[str]:
    errs = []
    if len(port) > 15:
        errs.append(_max_len_error(15))
    if not _PORT_NAME_CHARSET_RE.match(port):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not re.search("[a-z]", port):
        errs.append("must contain at least one letter (a-z)")
    if "--" in port:
        errs.append("must not contain consecutive hyphens")
    if port and (port[0] == "-" or port[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def _port_num_or_name(errs: Errors, path: str, port: Any) -> None:
    # ValidatePortNumOrName: an IntOrString.
    if isinstance(port, str):
        for msg in _is_valid_port_name(port):
            errs.invalid(path, port, msg)
    elif port is not None:
        for msg in _is_valid_port_num(port):
            errs.invalid(path, port, msg)


# --------------------------------------------------------------------------- metadata

NameRule = Callable[[str], list[str]]

_NAME_RULES: dict[str, NameRule] = {
    "Namespace": is_dns1123_label,
    "Service": is_dns1035_label,
}


def _mask_trailing_dash(name: str) -> str:
    # A generateName prefix may end with '-'; the random suffix follows it.
    return name[:-1] + "a" if len(name) > 1 and name.endswith("-") else name


# Label keys and values repeat across thousands of objects (``app``, ``pod-template-hash``):
# their checks are pure, so each distinct string is checked once.
@functools.lru_cache(maxsize=16384)
def _qualified_name_errors(value: str) -> tuple[str, ...]:
    return tuple(is_qualified_name(value))


@functools.lru_cache(maxsize=16384)
def _label_value_errors(value: str) -> tuple[str, ...]:
    return tuple(is_valid_label_value(value))


def _labels(errs: Errors, labels: Any, path: str) -> None:
    if not isinstance(labels, dict):
        return
    for key in sorted(labels):
        for msg in _qualified_name_errors(key):
            errs.invalid(path, key, msg)
        value = labels[key]
        for msg in _label_value_errors(value if isinstance(value, str) else str(value)):
            errs.invalid(path, value, msg)


def _annotations(errs: Errors, annotations: Any, path: str) -> None:
    if not isinstance(annotations, dict):
        return
    total = 0
    for key in sorted(annotations):
        for msg in _qualified_name_errors(key.lower()):
            errs.invalid(path, key, msg)
        total += len(key) + len(str(annotations[key]))
    if total > TOTAL_ANNOTATION_SIZE_LIMIT_B:
        errs.too_long(path, TOTAL_ANNOTATION_SIZE_LIMIT_B)


def _object_meta(errs: Errors, kind: str, obj: Obj) -> None:
    meta = obj.get("metadata") or {}
    rule = _NAME_RULES.get(kind, is_dns1123_subdomain)
    name = meta.get("name") or ""
    generate_name = meta.get("generateName") or ""
    if generate_name:
        for msg in rule(_mask_trailing_dash(generate_name)):
            errs.invalid("metadata.generateName", generate_name, msg)
    if not name:
        # The server fills the name from generateName before validating; reaching here
        # without either is the user's mistake.
        if not generate_name:
            errs.required("metadata.name", "name or generateName is required")
    else:
        for msg in rule(name):
            errs.invalid("metadata.name", name, msg)
    _labels(errs, meta.get("labels"), "metadata.labels")
    _annotations(errs, meta.get("annotations"), "metadata.annotations")


def _object_meta_update(errs: Errors, obj: Obj, old: Obj) -> None:
    meta, old_meta = obj.get("metadata") or {}, old.get("metadata") or {}
    for key in ("name", "namespace", "uid", "creationTimestamp"):
        new_value, old_value = meta.get(key), old_meta.get(key)
        # An absent uid/creationTimestamp is copied from the stored object by the server
        # (BeforeUpdate), so only a different value is a change.
        if key in ("uid", "creationTimestamp") and not new_value:
            continue
        if (new_value or "") != (old_value or ""):
            errs.invalid(f"metadata.{key}", new_value or "", FIELD_IMMUTABLE)
    _labels(errs, meta.get("labels"), "metadata.labels")
    _annotations(errs, meta.get("annotations"), "metadata.annotations")


# --------------------------------------------------------------------------- label selectors


def _label_selector(errs: Errors, selector: Any, path: str, *, allow_invalid_values: bool = False) -> None:
    """``metav1validation.ValidateLabelSelector``: matchLabels, then each requirement's operator
    (its values required or forbidden), key and, unless ``AllowInvalidLabelValueInSelector``,
    values, in upstream's order."""
    if not isinstance(selector, dict):
        return
    _labels(errs, selector.get("matchLabels"), f"{path}.matchLabels")
    expressions = selector.get("matchExpressions")
    for i, req in enumerate(expressions if isinstance(expressions, list) else []):
        req = req if isinstance(req, dict) else {}
        rpath = f"{path}.matchExpressions[{i}]"
        operator = req.get("operator")
        listed = req.get("values")
        values: list[Any] = listed if isinstance(listed, list) else []
        if operator in ("In", "NotIn"):
            if not values:
                errs.required(f"{rpath}.values", "must be specified when `operator` is 'In' or 'NotIn'")
        elif operator in ("Exists", "DoesNotExist"):
            if values:
                errs.forbidden(f"{rpath}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")
        else:
            errs.invalid(f"{rpath}.operator", "" if operator is None else operator, "not a valid selector operator")
        key = str(req.get("key") or "")
        for msg in is_qualified_name(key):
            errs.invalid(f"{rpath}.key", key, msg)
        if not allow_invalid_values:
            for j, value in enumerate(values):
                for msg in is_valid_label_value(str(value)):
                    errs.invalid(f"{rpath}.values[{j}]", str(value), msg)


def selector_matches(selector: Obj | None, labels: dict[str, str] | None) -> bool:
    """``LabelSelectorAsSelector(selector).Matches(labels)``; a nil selector matches nothing."""
    if selector is None:
        return False
    labels = labels or {}
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for req in selector.get("matchExpressions") or []:
        key, operator, values = req.get("key"), req.get("operator"), req.get("values") or []
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


# --------------------------------------------------------------------------- pod spec

_STANDARD_CONTAINER_RESOURCES = frozenset({"cpu", "memory", "ephemeral-storage"})
_PROTOCOLS = ("SCTP", "TCP", "UDP")
_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")


def _is_extended_resource(name: str) -> bool:
    return "/" in name and not name.split("/", 1)[0].endswith("kubernetes.io")


def _resources(errs: Errors, resources: Obj, path: str) -> None:
    parsed: dict[str, dict[str, Any]] = {}
    for section in ("limits", "requests"):
        values = resources.get(section)
        parsed[section] = {}
        if not isinstance(values, dict):
            continue
        for name in sorted(values):
            qpath = f"{path}.{section}[{name}]"
            if "/" in name:
                for msg in is_qualified_name(name):
                    errs.invalid(qpath, name, msg)
            elif name not in _STANDARD_CONTAINER_RESOURCES and not name.startswith("hugepages-"):
                errs.invalid(qpath, name, "must be a standard resource for containers")
                continue
            raw = values[name]
            try:
                amount = parse_quantity(raw)
            except QuantityError as exc:
                errs.invalid(qpath, str(raw), str(exc))
                continue
            if amount < 0:
                errs.invalid(qpath, canonical(raw), "must be greater than or equal to 0")
            elif _is_extended_resource(name) and amount.denominator != 1:
                errs.invalid(qpath, canonical(raw), "must be an integer")
            parsed[section][name] = (amount, raw)
    limits, requests = parsed["limits"], parsed["requests"]
    for name, (amount, raw) in requests.items():
        if name in limits:
            limit, limit_raw = limits[name]
            if _is_extended_resource(name) and amount != limit:
                errs.invalid(f"{path}.requests", canonical(raw), f"must be equal to {name} limit of {canonical(limit_raw)}")
            elif amount > limit:
                errs.invalid(
                    f"{path}.requests", canonical(raw),
                    f"must be less than or equal to {name} limit of {canonical(limit_raw)}",
                )
        elif _is_extended_resource(name):
            errs.required(f"{path}.limits", "Limit must be set for non overcommitable resources")


def _probe(errs: Errors, probe: Obj, path: str) -> None:
    present = [h for h in _HANDLERS if probe.get(h) is not None]
    if not present:
        errs.required(path, "must specify a handler type")
    for extra in present[1:]:
        errs.forbidden(f"{path}.{extra}", "may not specify more than 1 handler type")
    for key in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"):
        errs.nonnegative(f"{path}.{key}", probe.get(key))
    grace = probe.get("terminationGracePeriodSeconds")
    if isinstance(grace, int) and grace <= 0:
        errs.invalid(f"{path}.terminationGracePeriodSeconds", grace, "must be greater than 0")
    for handler in ("httpGet", "tcpSocket"):
        action = probe.get(handler)
        if isinstance(action, dict):
            _port_num_or_name(errs, f"{path}.{handler}.port", action.get("port"))
    http_get = probe.get("httpGet")
    if isinstance(http_get, dict) and http_get.get("scheme") not in (None, "HTTP", "HTTPS"):
        errs.not_supported(f"{path}.httpGet.scheme", http_get.get("scheme"), ("HTTP", "HTTPS"))


def _container(errs: Errors, c: Obj, path: str, names: set[str], host_ports: set[str]) -> None:
    name = c.get("name") or ""
    if not name:
        errs.required(f"{path}.name")
    else:
        for msg in is_dns1123_label(name):
            errs.invalid(f"{path}.name", name, msg)
        if name in names:
            errs.duplicate(f"{path}.name", name)
        names.add(name)
    if not c.get("image"):
        errs.required(f"{path}.image")
    policy = c.get("imagePullPolicy")
    if policy is not None:
        if policy == "":
            errs.required(f"{path}.imagePullPolicy")
        elif policy not in ("Always", "IfNotPresent", "Never"):
            errs.not_supported(f"{path}.imagePullPolicy", policy, ("Always", "IfNotPresent", "Never"))
    message_policy = c.get("terminationMessagePolicy")
    if message_policy is not None and message_policy not in ("File", "FallbackToLogsOnError"):
        if message_policy == "":
            errs.required(f"{path}.terminationMessagePolicy")
        else:
            errs.not_supported(f"{path}.terminationMessagePolicy", message_policy, ("File", "FallbackToLogsOnError"))
    _container_ports(errs, c.get("ports") or [], f"{path}.ports", host_ports)
    for i, env in enumerate(c.get("env") or []):
        env_name = env.get("name") or ""
        if not env_name:
            errs.required(f"{path}.env[{i}].name")
        elif any(ord(ch) < 32 or ord(ch) > 126 or ch == "=" for ch in env_name):
            errs.invalid(f"{path}.env[{i}].name", env_name, _ENV_NAME_MSG)
    resources = c.get("resources")
    if isinstance(resources, dict):
        _resources(errs, resources, f"{path}.resources")
    for probe_name in _PROBES:
        probe = c.get(probe_name)
        if isinstance(probe, dict):
            _probe(errs, probe, f"{path}.{probe_name}")
    for probe_name in ("livenessProbe", "startupProbe"):
        probe = c.get(probe_name)
        if isinstance(probe, dict) and probe.get("successThreshold", 1) != 1:
            errs.invalid(f"{path}.{probe_name}.successThreshold", probe["successThreshold"], "must be 1")


def _container_ports(errs: Errors, ports: list[Obj], path: str, host_ports: set[str]) -> None:
    names: set[str] = set()
    for i, port in enumerate(ports):
        ppath = f"{path}[{i}]"
        name = port.get("name") or ""
        if name:
            msgs = _is_valid_port_name(name)
            for msg in msgs:
                errs.invalid(f"{ppath}.name", name, msg)
            if not msgs and name in names:
                errs.duplicate(f"{ppath}.name", name)
            names.add(name)
        container_port = port.get("containerPort")
        if not container_port:
            errs.required(f"{ppath}.containerPort")
        else:
            for msg in _is_valid_port_num(container_port):
                errs.invalid(f"{ppath}.containerPort", container_port, msg)
        host_port = port.get("hostPort")
        if host_port:
            for msg in _is_valid_port_num(host_port):
                errs.invalid(f"{ppath}.hostPort", host_port, msg)
        protocol = port.get("protocol")
        if protocol is not None and protocol not in _PROTOCOLS:
            if protocol == "":
                errs.required(f"{ppath}.protocol")
            else:
                errs.not_supported(f"{ppath}.protocol", protocol, _PROTOCOLS)
        if host_port:
            # AccumulateUniqueHostPorts: protocol/hostIP/hostPort must be unique in the pod.
            key = f"{protocol or 'TCP'}/{port.get('hostIP') or ''}/{host_port}"
            if key in host_ports:
                errs.duplicate(f"{ppath}.hostPort", key)
            host_ports.add(key)


def _tolerations(errs: Errors, tolerations: list[Obj], path: str) -> None:
    for i, tol in enumerate(tolerations):
        tpath = f"{path}[{i}]"
        key = tol.get("key") or ""
        operator = tol.get("operator") or ""
        effect = tol.get("effect") or ""
        value = tol.get("value") or ""
        if key:
            for msg in is_qualified_name(key):
                errs.invalid(f"{tpath}.key", key, msg)
        if not key and operator != "Exists":
            errs.invalid(
                f"{tpath}.operator", operator,
                'operator must be Exists when `key` is empty, which means "match all values and all keys"',
            )
        if tol.get("tolerationSeconds") is not None and effect != "NoExecute":
            errs.invalid(f"{tpath}.effect", effect, "effect must be 'NoExecute' when `tolerationSeconds` is set")
        if operator in ("Equal", ""):
            msgs = is_valid_label_value(value)
            if msgs:
                errs.invalid(f"{tpath}.operator", value, ";".join(msgs))
        elif operator == "Exists":
            if value:
                errs.invalid(f"{tpath}.operator", _go_toleration(tol), "value must be empty when `operator` is 'Exists'")
        else:
            errs.not_supported(f"{tpath}.operator", operator, ("Equal", "Exists"))
        if effect and effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
            errs.not_supported(f"{tpath}.effect", effect, ("NoSchedule", "PreferNoSchedule", "NoExecute"))


def _pod_spec(errs: Errors, spec: Obj, path: str) -> None:
    """``ValidatePodSpec`` (the parts listed in the module docstring)."""
    volume_names: set[str] = set()
    for i, volume in enumerate(spec.get("volumes") or []):
        vname = volume.get("name") or ""
        if not vname:
            errs.required(f"{path}.volumes[{i}].name")
        else:
            for msg in is_dns1123_label(vname):
                errs.invalid(f"{path}.volumes[{i}].name", vname, msg)
            if vname in volume_names:
                errs.duplicate(f"{path}.volumes[{i}].name", vname)
            volume_names.add(vname)
    names: set[str] = set()
    host_ports: set[str] = set()
    for i, c in enumerate(spec.get("initContainers") or []):
        _container(errs, c, f"{path}.initContainers[{i}]", names, host_ports)
    containers = spec.get("containers") or []
    if not containers:
        errs.required(f"{path}.containers")
    for i, c in enumerate(containers):
        _container(errs, c, f"{path}.containers[{i}]", names, host_ports)

    restart = spec.get("restartPolicy")
    if restart is not None and restart not in ("Always", "Never", "OnFailure"):
        if restart == "":
            errs.required(f"{path}.restartPolicy")
        else:
            errs.not_supported(f"{path}.restartPolicy", restart, ("Always", "Never", "OnFailure"))
    dns_policy = spec.get("dnsPolicy")
    dns_values = ("ClusterFirst", "ClusterFirstWithHostNet", "Default", "None")
    if dns_policy is not None and dns_policy not in dns_values:
        if dns_policy == "":
            errs.required(f"{path}.dnsPolicy")
        else:
            errs.not_supported(f"{path}.dnsPolicy", dns_policy, dns_values)
    errs.nonnegative(f"{path}.terminationGracePeriodSeconds", spec.get("terminationGracePeriodSeconds"))
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is not None and not (isinstance(deadline, int) and 1 <= deadline <= MAX_INT32):
        errs.invalid(f"{path}.activeDeadlineSeconds", deadline, f"must be between 1 and {MAX_INT32}, inclusive")
    _labels(errs, spec.get("nodeSelector"), f"{path}.nodeSelector")
    for key, rule in (
        ("nodeName", is_dns1123_subdomain),
        ("serviceAccountName", is_dns1123_subdomain),
        ("schedulerName", is_dns1123_subdomain),
        ("hostname", is_dns1123_label),
        ("subdomain", is_dns1123_label),
    ):
        value = spec.get(key)
        if value:
            for msg in rule(value):
                errs.invalid(f"{path}.{key}", value, msg)
    _tolerations(errs, spec.get("tolerations") or [], f"{path}.tolerations")


def _pod_template(errs: Errors, template: Obj, path: str) -> None:
    """``ValidatePodTemplateSpec``: template labels/annotations, then the pod spec. The two are
    reported at ``<path>.labels``/``.annotations`` (no ``metadata``), as v1.36 does."""
    meta = template.get("metadata") or {}
    _labels(errs, meta.get("labels"), f"{path}.labels")
    _annotations(errs, meta.get("annotations"), f"{path}.annotations")
    _pod_spec(errs, template.get("spec") or {}, f"{path}.spec")


# --------------------------------------------------------------------------- kinds: core


def _validate_pod(errs: Errors, obj: Obj) -> None:
    _pod_spec(errs, obj.get("spec") or {}, "spec")


def _pod_spec_mungeable(spec: Obj, old_spec: Obj) -> Obj:
    """The new spec with the updatable fields set back to the old values (ValidatePodUpdate)."""
    munged = dict(spec)
    for key in ("containers", "initContainers"):
        old_list = old_spec.get(key) or []
        new_list = spec.get(key) or []
        if len(old_list) == len(new_list):
            munged_list = []
            for new_c, old_c in zip(new_list, old_list):
                copy = dict(new_c)
                if "image" in old_c:
                    copy["image"] = old_c["image"]
                else:
                    copy.pop("image", None)
                munged_list.append(copy)
            if key in spec:
                munged[key] = munged_list
    for key in ("activeDeadlineSeconds", "tolerations"):
        if key in old_spec:
            munged[key] = old_spec[key]
        else:
            munged.pop(key, None)
    old_grace = old_spec.get("terminationGracePeriodSeconds")
    if isinstance(old_grace, int) and old_grace < 0 and spec.get("terminationGracePeriodSeconds") == 1:
        munged["terminationGracePeriodSeconds"] = old_grace
    return munged


def _validate_pod_update(errs: Errors, obj: Obj, old: Obj) -> None:
    spec, old_spec = obj.get("spec") or {}, old.get("spec") or {}
    if spec == old_spec:
        return
    containers, old_containers = spec.get("containers") or [], old_spec.get("containers") or []
    if len(containers) != len(old_containers):
        errs.forbidden("spec.containers", "pod updates may not add or remove containers")
        return
    for i, c in enumerate(containers):
        image = c.get("image") or ""
        if not image:
            errs.required(f"spec.containers[{i}].image")
        elif image != image.strip():
            errs.invalid(f"spec.containers[{i}].image", image, "must not have leading or trailing whitespace")
    deadline, old_deadline = spec.get("activeDeadlineSeconds"), old_spec.get("activeDeadlineSeconds")
    if deadline is not None:
        if not isinstance(deadline, int) or deadline < 0 or deadline > MAX_INT32:
            errs.invalid("spec.activeDeadlineSeconds", deadline, f"must be between 0 and {MAX_INT32}, inclusive")
            return
        if old_deadline is not None and old_deadline < deadline:
            errs.invalid("spec.activeDeadlineSeconds", deadline, "must be less than or equal to previous value")
            return
    elif old_deadline is not None:
        errs.invalid("spec.activeDeadlineSeconds", None, "must not update from a positive integer to nil value")
    tolerations = spec.get("tolerations") or []
    for old_tol in old_spec.get("tolerations") or []:
        if not any(_same_toleration(old_tol, tol) for tol in tolerations):
            errs.forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds")
            break
    else:
        _tolerations(errs, tolerations, "spec.tolerations")
    if _pod_spec_mungeable(spec, old_spec) != old_spec:
        errs.forbidden("spec", POD_UPDATE_FORBIDDEN)


def _same_toleration(old: Obj, new: Obj) -> bool:
    keys = ("key", "operator", "value", "effect")
    return all((old.get(k) or "") == (new.get(k) or "") for k in keys)


_SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")


def _validate_service(errs: Errors, obj: Obj) -> None:
    spec = obj.get("spec") or {}
    service_type = spec.get("type", "ClusterIP")
    headless = spec.get("clusterIP") == "None"
    ports = spec.get("ports") or []
    if not ports and not headless and service_type != "ExternalName":
        errs.required("spec.ports")
    if service_type not in _SERVICE_TYPES:
        errs.not_supported("spec.type", service_type, _SERVICE_TYPES)
    if service_type == "ExternalName" and not spec.get("externalName"):
        errs.required("spec.externalName")
    if headless and service_type in ("NodePort", "LoadBalancer"):
        errs.invalid("spec.clusterIPs[0]", "None", f"may not be set to 'None' for {service_type} services")
    names: set[str] = set()
    for i, port in enumerate(ports):
        ppath = f"spec.ports[{i}]"
        name = port.get("name") or ""
        if len(ports) > 1 and not name:
            errs.required(f"{ppath}.name")
        elif name:
            for msg in is_dns1123_label(name):
                errs.invalid(f"{ppath}.name", name, msg)
            if name in names:
                errs.duplicate(f"{ppath}.name", name)
            names.add(name)
        for msg in _is_valid_port_num(port.get("port")):
            errs.invalid(f"{ppath}.port", port.get("port", 0), msg)
        protocol = port.get("protocol")
        if protocol is not None and protocol not in _PROTOCOLS:
            if protocol == "":
                errs.required(f"{ppath}.protocol")
            else:
                errs.not_supported(f"{ppath}.protocol", protocol, _PROTOCOLS)
        _port_num_or_name(errs, f"{ppath}.targetPort", port.get("targetPort"))
        node_port = port.get("nodePort")
        if node_port and service_type == "ClusterIP":
            errs.forbidden(f"{ppath}.nodePort", "may not be used when `type` is 'ClusterIP'")
        elif node_port and service_type in ("NodePort", "LoadBalancer"):
            for msg in _is_valid_port_num(node_port):
                errs.invalid(f"{ppath}.nodePort", node_port, msg)
    _labels(errs, spec.get("selector"), "spec.selector")


def _validate_service_update(errs: Errors, obj: Obj, old: Obj) -> None:
    spec, old_spec = obj.get("spec") or {}, old.get("spec") or {}
    if spec == old_spec:
        return
    _validate_service(errs, obj)
    new_ip, old_ip = spec.get("clusterIP"), old_spec.get("clusterIP")
    # An absent clusterIP is filled from the stored object (patchAllocatedValues).
    if (
        new_ip
        and old_ip
        and new_ip != old_ip
        and spec.get("type", "ClusterIP") != "ExternalName"
        and old_spec.get("type", "ClusterIP") != "ExternalName"
    ):
        errs.invalid("spec.clusterIP", new_ip, FIELD_IMMUTABLE)


def _validate_namespace(errs: Errors, obj: Obj) -> None:
    for i, finalizer in enumerate((obj.get("spec") or {}).get("finalizers") or []):
        for msg in is_qualified_name(finalizer):
            errs.invalid(f"spec.finalizers[{i}]", finalizer, msg)


def _validate_node(errs: Errors, obj: Obj) -> None:
    effects = ("NoSchedule", "PreferNoSchedule", "NoExecute")
    for i, taint in enumerate((obj.get("spec") or {}).get("taints") or []):
        tpath = f"spec.taints[{i}]"
        for msg in is_qualified_name(taint.get("key") or ""):
            errs.invalid(f"{tpath}.key", taint.get("key") or "", msg)
        for msg in is_valid_label_value(taint.get("value") or ""):
            errs.invalid(f"{tpath}.value", taint.get("value") or "", msg)
        effect = taint.get("effect") or ""
        if not effect:
            errs.required(f"{tpath}.effect")
        elif effect not in effects:
            errs.not_supported(f"{tpath}.effect", effect, effects)


def _config_keys(errs: Errors, obj: Obj) -> None:
    seen: set[str] = set()
    for section in ("data", "binaryData", "stringData"):
        values = obj.get(section)
        if not isinstance(values, dict):
            continue
        for key in sorted(values):
            kpath = f"{section}[{key}]"
            if len(key) > 253:
                errs.invalid(kpath, key, _max_len_error(253))
            if not _CONFIG_KEY_RE.match(key):
                errs.invalid(kpath, key, _CONFIG_KEY_MSG)
            if section == "binaryData" and key in seen:
                errs.invalid(kpath, key, "duplicate of key present in data")
            seen.add(key)


def _validate_endpoints(errs: Errors, obj: Obj) -> None:
    for i, subset in enumerate(obj.get("subsets") or []):
        for j, port in enumerate(subset.get("ports") or []):
            ppath = f"subsets[{i}].ports[{j}]"
            for msg in _is_valid_port_num(port.get("port")):
                errs.invalid(f"{ppath}.port", port.get("port", 0), msg)
            protocol = port.get("protocol")
            if protocol is not None and protocol not in _PROTOCOLS:
                errs.not_supported(f"{ppath}.protocol", protocol, _PROTOCOLS)


def _validate_endpoint_slice(errs: Errors, obj: Obj) -> None:
    address_type = obj.get("addressType")
    if not address_type:
        errs.required("addressType")
    elif address_type not in ("FQDN", "IPv4", "IPv6"):
        errs.not_supported("addressType", address_type, ("FQDN", "IPv4", "IPv6"))
    for i, endpoint in enumerate(obj.get("endpoints") or []):
        if not endpoint.get("addresses"):
            errs.required(f"endpoints[{i}].addresses", "must contain at least 1 address")
    for i, port in enumerate(obj.get("ports") or []):
        protocol = port.get("protocol")
        if protocol is not None and protocol not in _PROTOCOLS:
            errs.not_supported(f"ports[{i}].protocol", protocol, _PROTOCOLS)
        number = port.get("port")
        if number is not None:
            for msg in _is_valid_port_num(number):
                errs.invalid(f"ports[{i}].port", number, msg)


def _validate_binding(errs: Errors, obj: Obj) -> None:
    target = obj.get("target") or {}
    if target.get("kind") and target.get("kind") != "Node":
        errs.not_supported("target.kind", target.get("kind"), ("Node", "<empty>"))
    if not target.get("name"):
        errs.required("target.name")


# --------------------------------------------------------------------------- kinds: apps


def _int_or_percent_value(value: Any) -> int:
    if isinstance(value, str):
        return int(value[:-1]) if _PERCENT_RE.match(value) else 0
    return value if isinstance(value, int) else 0


def _positive_int_or_percent(errs: Errors, value: Any, path: str) -> None:
    if isinstance(value, str):
        if not _PERCENT_RE.match(value):
            errs.invalid(path, _go_int_or_string(value), _PERCENT_MSG)
    elif isinstance(value, int):
        errs.nonnegative(path, value)


def _not_more_than_100_percent(errs: Errors, value: Any, path: str) -> None:
    if isinstance(value, str) and _PERCENT_RE.match(value) and int(value[:-1]) > 100:
        errs.invalid(path, _go_int_or_string(value), "must not be greater than 100%")


def _workload_selector(errs: Errors, spec: Obj, noun: str) -> None:
    selector = spec.get("selector")
    if selector is None:
        errs.required("spec.selector")
        return
    _label_selector(errs, selector, "spec.selector")
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        errs.invalid("spec.selector", _go_selector(selector), f"empty selector is invalid for {noun}")


def _template_matches(errs: Errors, spec: Obj, template_path: str) -> None:
    selector = spec.get("selector")
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    empty = selector is not None and not selector.get("matchLabels") and not selector.get("matchExpressions")
    # An empty selector is reported on its own; the mismatch check runs only for a non-empty one.
    if selector is not None and not empty and not selector_matches(selector, labels):
        errs.invalid(f"{template_path}.metadata.labels", go_json(labels, sort_keys=True), "`selector` does not match template `labels`")


def _always_restart(errs: Errors, template: Obj, path: str) -> None:
    restart = (template.get("spec") or {}).get("restartPolicy", "Always")
    if restart != "Always":
        errs.not_supported(f"{path}.spec.restartPolicy", restart, ("Always",))


def _validate_deployment(errs: Errors, obj: Obj) -> None:
    spec = obj.get("spec") or {}
    errs.nonnegative("spec.replicas", spec.get("replicas"))
    _workload_selector(errs, spec, "deployment")
    template = spec.get("template") or {}
    _template_matches(errs, spec, "spec.template")
    _pod_template(errs, template, "spec.template")
    _always_restart(errs, template, "spec.template")
    deadline = (template.get("spec") or {}).get("activeDeadlineSeconds")
    if deadline is not None:
        errs.invalid("spec.template.spec.activeDeadlineSeconds", deadline, "activeDeadlineSeconds in ReplicaSet is not Supported")
    strategy = spec.get("strategy") or {}
    strategy_type = strategy.get("type", "RollingUpdate")
    rolling = strategy.get("rollingUpdate")
    if strategy_type == "Recreate":
        if rolling is not None:
            errs.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'")
    elif strategy_type == "RollingUpdate":
        if isinstance(rolling, dict):
            rpath = "spec.strategy.rollingUpdate"
            unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
            _positive_int_or_percent(errs, unavailable, f"{rpath}.maxUnavailable")
            _positive_int_or_percent(errs, surge, f"{rpath}.maxSurge")
            if _int_or_percent_value(unavailable) == 0 and _int_or_percent_value(surge) == 0:
                errs.invalid(f"{rpath}.maxUnavailable", _go_int_or_string(unavailable if unavailable is not None else 0),
                             "may not be 0 when `maxSurge` is 0")
            _not_more_than_100_percent(errs, unavailable, f"{rpath}.maxUnavailable")
    else:
        errs.not_supported("spec.strategy.Type", strategy_type, ("Recreate", "RollingUpdate"))
    min_ready = spec.get("minReadySeconds", 0)
    errs.nonnegative("spec.minReadySeconds", min_ready)
    errs.nonnegative("spec.revisionHistoryLimit", spec.get("revisionHistoryLimit"))
    progress = spec.get("progressDeadlineSeconds")
    if progress is not None:
        errs.nonnegative("spec.progressDeadlineSeconds", progress)
        if isinstance(progress, int) and isinstance(min_ready, int) and progress <= min_ready:
            errs.invalid("spec.progressDeadlineSeconds", progress, "must be greater than minReadySeconds")


def _validate_podtemplate(errs: Errors, obj: Obj) -> None:
    """``ValidatePodTemplate``: the template as a pod template spec."""
    _pod_template(errs, obj.get("template") or {}, "template")


def _validate_replicaset(errs: Errors, obj: Obj) -> None:
    spec = obj.get("spec") or {}
    errs.nonnegative("spec.replicas", spec.get("replicas"))
    errs.nonnegative("spec.minReadySeconds", spec.get("minReadySeconds"))
    # Upstream's ReplicaSet check reuses the Deployment wording.
    _workload_selector(errs, spec, "deployment")
    template = spec.get("template") or {}
    _template_matches(errs, spec, "spec.template")
    _pod_template(errs, template, "spec.template")
    _always_restart(errs, template, "spec.template")
    deadline = (template.get("spec") or {}).get("activeDeadlineSeconds")
    if deadline is not None:
        errs.invalid("spec.template.spec.activeDeadlineSeconds", deadline, "activeDeadlineSeconds in ReplicaSet is not Supported")


def _validate_daemonset(errs: Errors, obj: Obj) -> None:
    spec = obj.get("spec") or {}
    selector = spec.get("selector")
    template = spec.get("template") or {}
    labels = (template.get("metadata") or {}).get("labels")
    if selector is not None:
        _label_selector(errs, selector, "spec.selector")
    # ValidateDaemonSetSpec has no Required check: a nil selector selects nothing and so fails
    # the template match.
    if not selector_matches(selector, labels):
        errs.invalid("spec.template.metadata.labels", go_json(labels, sort_keys=True), "`selector` does not match template `labels`")
    if selector is not None and not selector.get("matchLabels") and not selector.get("matchExpressions"):
        errs.invalid("spec.selector", _go_selector(selector), "empty selector is invalid for daemonset")
    _pod_template(errs, template, "spec.template")
    _always_restart(errs, template, "spec.template")
    if (template.get("spec") or {}).get("activeDeadlineSeconds") is not None:
        errs.forbidden("spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in DaemonSet is not Supported")
    errs.nonnegative("spec.minReadySeconds", spec.get("minReadySeconds"))
    strategy = spec.get("updateStrategy") or {}
    strategy_type = strategy.get("type", "RollingUpdate")
    if strategy_type == "RollingUpdate":
        rolling = strategy.get("rollingUpdate")
        if isinstance(rolling, dict):
            rpath = "spec.updateStrategy.rollingUpdate"
            unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
            _positive_int_or_percent(errs, unavailable, f"{rpath}.maxUnavailable")
            _positive_int_or_percent(errs, surge, f"{rpath}.maxSurge")
            _not_more_than_100_percent(errs, unavailable, f"{rpath}.maxUnavailable")
            _not_more_than_100_percent(errs, surge, f"{rpath}.maxSurge")
            has_unavailable = _int_or_percent_value(unavailable) != 0
            has_surge = _int_or_percent_value(surge) != 0
            if has_unavailable and has_surge:
                errs.invalid(f"{rpath}.maxSurge", _go_int_or_string(surge), "may not be set when maxUnavailable is non-zero")
            elif not has_unavailable and not has_surge:
                errs.required(f"{rpath}.maxUnavailable", "cannot be 0 when maxSurge is 0")
    elif strategy_type != "OnDelete":
        errs.not_supported("spec.updateStrategy.type", strategy_type, ("OnDelete", "RollingUpdate"))
    errs.nonnegative("spec.revisionHistoryLimit", spec.get("revisionHistoryLimit"))


def _validate_statefulset(errs: Errors, obj: Obj) -> None:
    spec = obj.get("spec") or {}
    policy = spec.get("podManagementPolicy")
    if policy is not None and policy not in ("OrderedReady", "Parallel"):
        errs.invalid("spec.podManagementPolicy", policy, "must be 'OrderedReady' or 'Parallel'")
    strategy = spec.get("updateStrategy") or {}
    strategy_type = strategy.get("type", "RollingUpdate")
    if strategy_type == "OnDelete":
        if strategy.get("rollingUpdate") is not None:
            errs.invalid("spec.updateStrategy.rollingUpdate", "OnDelete", "only allowed for updateStrategy 'RollingUpdate'")
    elif strategy_type == "RollingUpdate":
        rolling = strategy.get("rollingUpdate")
        if isinstance(rolling, dict):
            errs.nonnegative("spec.updateStrategy.rollingUpdate.partition", rolling.get("partition"))
    else:
        errs.invalid("spec.updateStrategy", json.dumps(strategy), "must be 'RollingUpdate' or 'OnDelete'")
    retention = spec.get("persistentVolumeClaimRetentionPolicy") or {}
    for key in ("whenDeleted", "whenScaled"):
        value = retention.get(key)
        if value is not None and value not in ("Retain", "Delete"):
            errs.not_supported(f"spec.persistentVolumeClaimRetentionPolicy.{key}", value, ("Retain", "Delete"))
    errs.nonnegative("spec.replicas", spec.get("replicas"))
    errs.nonnegative("spec.minReadySeconds", spec.get("minReadySeconds"))
    _workload_selector(errs, spec, "statefulset")
    template = spec.get("template") or {}
    _template_matches(errs, spec, "spec.template")
    _pod_template(errs, template, "spec.template")
    _always_restart(errs, template, "spec.template")
    if (template.get("spec") or {}).get("activeDeadlineSeconds") is not None:
        errs.forbidden("spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in StatefulSet is not Supported")
    errs.nonnegative("spec.revisionHistoryLimit", spec.get("revisionHistoryLimit"))


def _selector_immutable(errs: Errors, obj: Obj, old: Obj) -> None:
    selector = (obj.get("spec") or {}).get("selector")
    if selector != (old.get("spec") or {}).get("selector"):
        value: Any = _go_selector(selector) if isinstance(selector, dict) else None
        errs.invalid("spec.selector", value, FIELD_IMMUTABLE)


def _workload_update(validate_spec: Callable[[Errors, Obj], None]) -> Callable[[Errors, Obj, Obj], None]:
    def check(errs: Errors, obj: Obj, old: Obj) -> None:
        if obj.get("spec") == old.get("spec"):
            return
        validate_spec(errs, obj)
        _selector_immutable(errs, obj, old)

    return check


_STATEFULSET_MUTABLE = ("replicas", "ordinals", "template", "updateStrategy",
                        "persistentVolumeClaimRetentionPolicy", "minReadySeconds")


def _validate_statefulset_update(errs: Errors, obj: Obj, old: Obj) -> None:
    spec, old_spec = obj.get("spec") or {}, old.get("spec") or {}
    if spec == old_spec:
        return
    _validate_statefulset(errs, obj)
    rest = {k: v for k, v in spec.items() if k not in _STATEFULSET_MUTABLE}
    old_rest = {k: v for k, v in old_spec.items() if k not in _STATEFULSET_MUTABLE}
    if rest != old_rest:
        errs.forbidden("spec", STATEFULSET_UPDATE_FORBIDDEN)


def _validate_controller_revision(errs: Errors, obj: Obj) -> None:
    if obj.get("data") is None:
        errs.required("data", "data is mandatory")
    errs.nonnegative("revision", obj.get("revision", 0))


def _validate_controller_revision_update(errs: Errors, obj: Obj, old: Obj) -> None:
    _validate_controller_revision(errs, obj)
    if obj.get("data") != old.get("data"):
        errs.invalid("data", GoText("runtime.RawExtension{...}"), FIELD_IMMUTABLE)


# --------------------------------------------------------------------------- kinds: batch


def _job_spec(errs: Errors, spec: Obj, path: str, *, is_job: bool) -> None:
    for key in ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished"):
        errs.nonnegative(f"{path}.{key}", spec.get(key))
    mode = spec.get("completionMode")
    if mode is not None:
        if mode not in ("NonIndexed", "Indexed"):
            errs.not_supported(f"{path}.completionMode", mode, ("NonIndexed", "Indexed"))
        if mode == "Indexed" and spec.get("completions") is None:
            errs.required(f"{path}.completions", "when completion mode is Indexed")
        if mode == "Indexed" and (spec.get("parallelism") or 0) > 100000:
            errs.invalid(f"{path}.parallelism", spec["parallelism"],
                         "must be less than or equal to 100000 when completion mode is Indexed")
    replacement = spec.get("podReplacementPolicy")
    if replacement is not None and replacement not in ("Failed", "TerminatingOrFailed"):
        errs.not_supported(f"{path}.podReplacementPolicy", replacement, ("Failed", "TerminatingOrFailed"))
    template = spec.get("template") or {}
    _pod_template(errs, template, f"{path}.template")
    restart = (template.get("spec") or {}).get("restartPolicy", "")
    rpath = f"{path}.template.spec.restartPolicy"
    # SetDefaults_PodSpec turns a missing restartPolicy into Always, so both mean "not chosen".
    if restart in ("Always", ""):
        errs.required(rpath, 'valid values: "OnFailure", "Never"')
    elif restart not in ("OnFailure", "Never"):
        errs.not_supported(rpath, restart, ("OnFailure", "Never"))
    selector = spec.get("selector")
    if selector is None:
        # The Job strategy generates the selector unless manualSelector is true.
        if is_job and spec.get("manualSelector"):
            errs.required(f"{path}.selector")
        return
    _label_selector(errs, selector, f"{path}.selector")
    labels = (template.get("metadata") or {}).get("labels")
    if not selector_matches(selector, labels):
        errs.invalid(f"{path}.template.metadata.labels", go_json(labels, sort_keys=True), "`selector` does not match template `labels`")


def _validate_job(errs: Errors, obj: Obj) -> None:
    _job_spec(errs, obj.get("spec") or {}, "spec", is_job=True)


def _validate_job_update(errs: Errors, obj: Obj, old: Obj) -> None:
    spec, old_spec = obj.get("spec") or {}, old.get("spec") or {}
    if spec == old_spec:
        return
    _validate_job(errs, obj)
    if spec.get("selector") != old_spec.get("selector"):
        selector = spec.get("selector")
        errs.invalid("spec.selector", _go_selector(selector) if isinstance(selector, dict) else None, FIELD_IMMUTABLE)
    if spec.get("completions") != old_spec.get("completions"):
        errs.invalid("spec.completions", spec.get("completions"), FIELD_IMMUTABLE)
    if spec.get("completionMode") != old_spec.get("completionMode"):
        errs.invalid("spec.completionMode", spec.get("completionMode"), FIELD_IMMUTABLE)
    if spec.get("template") != old_spec.get("template"):
        # Only a suspended Job that never started may change scheduling directives; the rest of
        # the template is immutable.
        errs.invalid("spec.template", GoText("core.PodTemplateSpec{...}"), FIELD_IMMUTABLE)


def _validate_cronjob(errs: Errors, obj: Obj, *, allow_tz_in_schedule: bool = False) -> None:
    spec = obj.get("spec") or {}
    name = (obj.get("metadata") or {}).get("name") or ""
    if len(name) > 52:
        errs.invalid("metadata.name", name, "must be no more than 52 characters")
    schedule = spec.get("schedule")
    if not schedule:
        errs.required("spec.schedule")
    elif isinstance(schedule, str):
        _schedule_format(errs, schedule, allow_tz_in_schedule, spec.get("timeZone"))
    policy = spec.get("concurrencyPolicy")
    if policy is not None and policy not in ("Allow", "Forbid", "Replace"):
        if policy == "":
            errs.required("spec.concurrencyPolicy")
        else:
            errs.not_supported("spec.concurrencyPolicy", policy, ("Allow", "Forbid", "Replace"))
    for key in ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        errs.nonnegative(f"spec.{key}", spec.get(key))
    job_template = spec.get("jobTemplate") or {}
    _labels(errs, (job_template.get("metadata") or {}).get("labels"), "spec.jobTemplate.metadata.labels")
    _job_spec(errs, job_template.get("spec") or {}, "spec.jobTemplate.spec", is_job=False)
    _time_zone(errs, spec.get("timeZone"))


def _schedule_format(errs: Errors, schedule: str, allow_tz: bool, time_zone: Any) -> None:
    """``validateScheduleFormat``: robfig/cron's ParseStandard, and no ``TZ=``/``CRON_TZ=`` prefix
    on new objects (one already stored with it may keep it, without a ``timeZone`` beside it)."""
    try:
        _cron.parse_standard(schedule)
    except _cron.CronSyntaxError as e:
        errs.invalid("spec.schedule", schedule, str(e))
    if allow_tz and "TZ" in schedule and time_zone is not None:
        errs.invalid("spec.schedule", schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule")
    elif not allow_tz and "TZ" in schedule:
        errs.invalid("spec.schedule", schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead")


def _time_zone(errs: Errors, time_zone: Any) -> None:
    """``validateTimeZone``: nil, or an IANA zone name ``time.LoadLocation`` knows (not ``Local``)."""
    if time_zone is None or not isinstance(time_zone, str):
        return
    if not time_zone:
        errs.invalid("spec.timeZone", time_zone, "timeZone must be nil or non-empty string")
        return
    if time_zone.lower() == "local":
        errs.invalid("spec.timeZone", time_zone,
                     "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones")
    try:
        _cron.load_location(time_zone)
    except _cron.UnknownTimeZone as e:
        errs.invalid("spec.timeZone", time_zone, str(e))


def _validate_cronjob_update(errs: Errors, obj: Obj, old: Obj) -> None:
    """``ValidateCronJobUpdate``: a schedule stored with a TZ prefix may keep it."""
    body = {k: v for k, v in obj.items() if k not in ("metadata", "status")}
    if body != {k: v for k, v in old.items() if k not in ("metadata", "status")}:
        old_schedule = str((old.get("spec") or {}).get("schedule") or "")
        _validate_cronjob(errs, obj, allow_tz_in_schedule="TZ" in old_schedule)


# --------------------------------------------------------------------------- other kinds


def _validate_lease(errs: Errors, obj: Obj) -> None:
    spec = obj.get("spec") or {}
    duration = spec.get("leaseDurationSeconds")
    if isinstance(duration, int) and duration <= 0:
        errs.invalid("spec.leaseDurationSeconds", duration, "must be greater than 0")
    errs.nonnegative("spec.leaseTransitions", spec.get("leaseTransitions"))


def _validate_pdb(errs: Errors, obj: Obj) -> None:
    spec = obj.get("spec") or {}
    min_available, max_unavailable = spec.get("minAvailable"), spec.get("maxUnavailable")
    if min_available is not None and max_unavailable is not None:
        errs.invalid("spec", GoText("policy.PodDisruptionBudgetSpec{...}"), "minAvailable and maxUnavailable cannot be both set")
    for key, value in (("minAvailable", min_available), ("maxUnavailable", max_unavailable)):
        if value is not None:
            _positive_int_or_percent(errs, value, f"spec.{key}")
            _not_more_than_100_percent(errs, value, f"spec.{key}")
    selector = spec.get("selector")
    if isinstance(selector, dict):
        _label_selector(errs, selector, "spec.selector")


def _nothing(errs: Errors, obj: Obj) -> None:
    return None


_CREATE: dict[str, Callable[[Errors, Obj], None]] = {
    "Namespace": _validate_namespace,
    "Node": _validate_node,
    "Pod": _validate_pod,
    "Service": _validate_service,
    "Endpoints": _validate_endpoints,
    "ConfigMap": _config_keys,
    "Secret": _config_keys,
    "Event": _nothing,
    "ServiceAccount": _nothing,
    "Deployment": _validate_deployment,
    "ReplicaSet": _validate_replicaset,
    "PodTemplate": _validate_podtemplate,
    "DaemonSet": _validate_daemonset,
    "StatefulSet": _validate_statefulset,
    "ControllerRevision": _validate_controller_revision,
    "Job": _validate_job,
    "CronJob": _validate_cronjob,
    "Lease": _validate_lease,
    "EndpointSlice": _validate_endpoint_slice,
    "PodDisruptionBudget": _validate_pdb,
    "Binding": _validate_binding,
    "Eviction": _nothing,
}


def _revalidate_if_changed(validate_body: Callable[[Errors, Obj], None]) -> Callable[[Errors, Obj, Obj], None]:
    def check(errs: Errors, obj: Obj, old: Obj) -> None:
        body = {k: v for k, v in obj.items() if k not in ("metadata", "status")}
        old_body = {k: v for k, v in old.items() if k not in ("metadata", "status")}
        if body != old_body:
            validate_body(errs, obj)

    return check


IMMUTABLE_WHEN_SET = "field is immutable when `immutable` is set"


def _immutable_data(sections: tuple[str, ...]) -> Callable[[Errors, Obj, Obj], None]:
    """``ValidateConfigMapUpdate`` / ``ValidateSecretUpdate``: once ``immutable: true``, it and the data stay."""
    revalidate = _revalidate_if_changed(_config_keys)

    def check(errs: Errors, obj: Obj, old: Obj) -> None:
        if "type" in sections and obj.get("type") != old.get("type"):  # a Secret's type never changes
            errs.invalid("type", obj.get("type"), FIELD_IMMUTABLE)
        if old.get("immutable") is True:
            if obj.get("immutable") is not True:
                errs.forbidden("immutable", IMMUTABLE_WHEN_SET)
            for section in sections:
                if section != "type" and obj.get(section) != old.get(section):
                    errs.forbidden(section, IMMUTABLE_WHEN_SET)
        revalidate(errs, obj, old)

    return check


_UPDATE: dict[str, Callable[[Errors, Obj, Obj], None]] = {
    **{kind: _revalidate_if_changed(check) for kind, check in _CREATE.items()},
    "Pod": _validate_pod_update,
    "Service": _validate_service_update,
    "Deployment": _workload_update(_validate_deployment),
    "ReplicaSet": _workload_update(_validate_replicaset),
    "DaemonSet": _workload_update(_validate_daemonset),
    "StatefulSet": _validate_statefulset_update,
    "ControllerRevision": _validate_controller_revision_update,
    "Job": _validate_job_update,
    "ConfigMap": _immutable_data(("data", "binaryData")),
    "Secret": _immutable_data(("type", "data")),
    "CronJob": _validate_cronjob_update,
}

#: The kinds :func:`validate` knows; any other kind gets metadata validation only.
SUPPORTED_KINDS = frozenset(_CREATE)

# Binding and Eviction bodies are named after the pod they act on; their metadata is not an
# object of their own to validate.
_NO_META = frozenset({"Binding", "Eviction"})


def validate(kind: str, obj: Obj, old: Obj | None = None) -> list[Cause]:
    """The causes of a 422 for writing ``obj`` (created when ``old`` is None, else updated).

    An update whose spec is unchanged (a status write, a label change) skips re-validating the
    spec, so the kubelets' frequent status updates stay cheap.
    """
    return validate_with(kind, _CREATE.get(kind), _UPDATE.get(kind), obj, old)


def validate_with(
    kind: str,
    create: Callable[[Errors, Obj], None] | None,
    update: Callable[[Errors, Obj, Obj], None] | None,
    obj: Obj,
    old: Obj | None,
) -> list[Cause]:
    """:func:`validate` with the kind's checks given (a registry strategy's): metadata first, then
    ``create`` (or ``update``; when None, ``create`` again if anything but metadata/status changed)."""
    errs = Errors()
    if old is None:
        if kind not in _NO_META:
            _object_meta(errs, kind, obj)
        if create is not None:
            create(errs, obj)
    else:
        if kind not in _NO_META:
            _object_meta_update(errs, obj, old)
        if update is None and create is not None:
            update = _revalidate_if_changed(create)
        if update is not None:
            update(errs, obj, old)
    return errs.causes


def invalid_message(kind_group: str, name: str, causes: list[Cause]) -> str:
    """``errors.NewInvalid``'s message: ``Deployment.apps "web" is invalid: <field>: <body>``.

    Several causes are bracketed and comma-joined like ``utilerrors.Aggregate``; identical
    ones are listed once, as ``ErrorList.ToAggregate`` does.
    """
    quoted = json.dumps(name, ensure_ascii=False)
    messages: list[str] = []
    for cause in causes:
        text = f"{cause['field']}: {cause['message']}" if cause.get("field") else cause["message"]
        if text not in messages:
            messages.append(text)
    if not messages:
        return f"{kind_group} {quoted} is invalid"
    if len(messages) == 1:
        return f"{kind_group} {quoted} is invalid: {messages[0]}"
    return f"{kind_group} {quoted} is invalid: [{', '.join(messages)}]"
