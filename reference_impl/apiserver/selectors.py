"""Label and field selectors, as the kube-apiserver parses and matches them.

Models ``labels.Parse`` (staging/src/k8s.io/apimachinery/pkg/labels/selector.go), metav1
``LabelSelectorAsSelector`` (staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go),
``fields.ParseSelector`` (staging/src/k8s.io/apimachinery/pkg/fields/selector.go), the per-kind
field label conversion functions (pkg/apis/*/v1/conversion.go) and the ``ToSelectableFields``
functions of the registries (pkg/registry/*/*/strategy.go).

Selectors are compiled once when parsed: matching is a loop over a tuple of precompiled
requirements, because the API server matches them against every object of a list and every
watch event.

Left out: the ``spec.host`` alias for ``spec.nodeName`` on pods, selectable fields of custom
resources, the ``metadata.namespace`` transformation done by the generic registry when a request
is namespaced, and ``labels.SelectorFromValidatedSet`` style construction from plain sets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = [
    "SUPPORTED_FIELDS",
    "FieldSelector",
    "LabelSelector",
    "SelectorError",
    "field_set",
    "label_selector_from_dict",
    "parse_field_selector",
    "parse_label_selector",
    "supported_fields",
    "unsupported_field_message",
    "validate_field_selector",
]


class SelectorError(ValueError):
    """A selector the real API server rejects; ``message`` is its exact text (served as 400)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------------------------
# Validation of label keys and values (staging/src/k8s.io/apimachinery/pkg/util/validation)
# --------------------------------------------------------------------------------------------

_QNAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QNAME_RE = re.compile(_QNAME_FMT)
_QNAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character"
)
_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_SUBDOMAIN_RE = re.compile(_DNS1123_SUBDOMAIN_FMT)
_DNS1123_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character"
)
_LABEL_VALUE_FMT = "(" + _QNAME_FMT + ")?"
_LABEL_VALUE_RE = re.compile(_LABEL_VALUE_FMT)
_LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
    "and must start and end with an alphanumeric character"
)


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    # Mirrors validation.RegexError, including its double space before "or".
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    text = msg + " (e.g. "
    for i, example in enumerate(examples):
        if i > 0:
            text += " or "
        text += f"'{example}', "
    return text + f"regex used for validation is '{fmt}')"


def _max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


def _is_qualified_name(value: str) -> list[str]:
    errs: list[str] = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            if len(prefix) > 253:
                errs.append("prefix part " + _max_len_error(253))
            if not _DNS1123_SUBDOMAIN_RE.fullmatch(prefix):
                errs.append(
                    "prefix part "
                    + _regex_error(_DNS1123_SUBDOMAIN_MSG, _DNS1123_SUBDOMAIN_FMT, "example.com")
                )
    else:
        return [
            "a valid label key "
            + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part " + _max_len_error(63))
    if not _QNAME_RE.fullmatch(name):
        errs.append("name part " + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc"))
    return errs


def _is_valid_label_value(value: str) -> list[str]:
    errs: list[str] = []
    if len(value) > 63:
        errs.append(_max_len_error(63))
    if not _LABEL_VALUE_RE.fullmatch(value):
        errs.append(_regex_error(_LABEL_VALUE_MSG, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


def _go_quote(value: str) -> str:
    # Go's %q; label text is almost always ASCII, so JSON-style escaping of '"' and '\' suffices.
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _go_string_slice(values: list[str] | None) -> str:
    # Go's %#v of a []string, as field.Invalid prints a bad list of values.
    if values is None:
        return "[]string(nil)"
    return "[]string{" + ", ".join(_go_quote(v) for v in values) + "}"


def _aggregate(errors: list[str]) -> str:
    # utilerrors.NewAggregate(...).Error(): one message alone, several in brackets, deduplicated.
    unique = list(dict.fromkeys(errors))
    if len(unique) == 1:
        return unique[0]
    return "[" + ", ".join(unique) + "]"


# --------------------------------------------------------------------------------------------
# Label selectors
# --------------------------------------------------------------------------------------------

# selection.Operator strings, as Requirement.Operator() reports them.
IN = "in"
NOT_IN = "notin"
EQUALS = "="
DOUBLE_EQUALS = "=="
NOT_EQUALS = "!="
EXISTS = "exists"
DOES_NOT_EXIST = "!"
GREATER_THAN = "gt"
LESS_THAN = "lt"

_BINARY_OPERATORS = (IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GREATER_THAN, LESS_THAN)

Requirement = tuple[str, str, tuple[str, ...]]


def _new_requirement(key: str, op: str, values: list[str] | None) -> Requirement:
    """labels.NewRequirement: validate and build one requirement.

    Both callers pass a nil field path, so the real error texts name the fields "key" and
    "values[i][<key>]".
    """
    errs: list[str] = []
    key_field = "key"
    values_field = "values"
    key_errs = _is_qualified_name(key)
    if key_errs:
        errs.append(f"{key_field}: Invalid value: {_go_quote(key)}: {'; '.join(key_errs)}")
    vals = list(values) if values is not None else []
    if op in (IN, NOT_IN):
        if not vals:
            errs.append(
                f"{values_field}: Invalid value: {_go_string_slice(values)}: "
                "for 'in', 'notin' operators, values set can't be empty"
            )
    elif op in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS):
        if len(vals) != 1:
            errs.append(
                f"{values_field}: Invalid value: {_go_string_slice(values)}: "
                "exact-match compatibility requires one single value"
            )
    elif op in (EXISTS, DOES_NOT_EXIST):
        if vals:
            errs.append(
                f"{values_field}: Invalid value: {_go_string_slice(values)}: "
                "values set must be empty for exists and does not exist"
            )
    elif op in (GREATER_THAN, LESS_THAN):
        if len(vals) != 1:
            errs.append(
                f"{values_field}: Invalid value: {_go_string_slice(values)}: "
                "for 'Gt', 'Lt' operators, exactly one value is required"
            )
        for i, v in enumerate(vals):
            if not re.fullmatch(r"[+-]?\d+", v):
                errs.append(
                    f"{values_field}[{i}]: Invalid value: {_go_quote(v)}: "
                    "for 'Gt', 'Lt' operators, the value must be an integer"
                )
    else:
        raise AssertionError(f"unknown selection operator {op!r}")
    for i, v in enumerate(vals):
        value_errs = _is_valid_label_value(v)
        if value_errs:
            errs.append(f"{values_field}[{i}][{key}]: Invalid value: {_go_quote(v)}: {'; '.join(value_errs)}")
    if errs:
        raise SelectorError(_aggregate(errs))
    return (key, op, tuple(vals))


def _compile_requirement(req: Requirement) -> Callable[[Mapping[str, str]], bool]:
    key, op, values = req
    if op in (IN, EQUALS, DOUBLE_EQUALS):
        if len(values) == 1:
            only = values[0]
            return lambda ls: ls.get(key) == only
        allowed = frozenset(values)
        return lambda ls: key in ls and ls[key] in allowed
    if op in (NOT_IN, NOT_EQUALS):
        denied = frozenset(values)
        return lambda ls: key not in ls or ls[key] not in denied
    if op == EXISTS:
        return lambda ls: key in ls
    if op == DOES_NOT_EXIST:
        return lambda ls: key not in ls
    bound = int(values[0])
    greater = op == GREATER_THAN

    def compare(ls: Mapping[str, str]) -> bool:
        raw = ls.get(key)
        if raw is None or not re.fullmatch(r"[+-]?\d+", raw):
            return False
        value = int(raw)
        return value > bound if greater else value < bound

    return compare


def _requirement_string(req: Requirement) -> str:
    key, op, values = req
    if op == DOES_NOT_EXIST:
        return "!" + key
    if op == EXISTS:
        return key
    joined = values[0] if len(values) == 1 else ",".join(sorted(values))
    if op in (IN, NOT_IN):
        return f"{key} {op} ({joined})"
    symbol = {GREATER_THAN: ">", LESS_THAN: "<"}.get(op, op)
    return f"{key}{symbol}{joined}"


class LabelSelector:
    """A parsed, validated label selector (labels.Selector).

    ``requirements`` are sorted by key, as the real selector keeps them, so ``str()`` is the
    canonical form. ``match_nothing`` is the selector of a nil metav1.LabelSelector.
    """

    __slots__ = ("_checks", "_text", "match_nothing", "requirements")

    def __init__(self, requirements: Iterable[Requirement] = (), *, match_nothing: bool = False) -> None:
        # sort.Sort(ByKey) is unstable in Go; a stable sort keeps equal keys in input order.
        self.requirements: tuple[Requirement, ...] = tuple(sorted(requirements, key=lambda r: r[0]))
        self.match_nothing = match_nothing
        self._checks = tuple(_compile_requirement(r) for r in self.requirements)
        self._text = ",".join(_requirement_string(r) for r in self.requirements)

    @property
    def empty(self) -> bool:
        """True for the selector that matches everything (labels.Everything().Empty())."""
        return not self.match_nothing and not self.requirements

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        if self.match_nothing:
            return False
        ls: Mapping[str, str] = labels if labels is not None else {}
        return all(check(ls) for check in self._checks)

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        if self.match_nothing:
            return "LabelSelector(<nothing>)"
        return f"LabelSelector({self._text!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LabelSelector):
            return NotImplemented
        return (self.match_nothing, self.requirements) == (other.match_nothing, other.requirements)

    def __hash__(self) -> int:
        return hash((self.match_nothing, self.requirements))


EVERYTHING = LabelSelector()
NOTHING = LabelSelector(match_nothing=True)

# Lexer tokens (labels.Token).
_END, _IDENT, _IN, _NOTIN, _OPEN, _CLOSE, _COMMA, _NOT, _EQ, _DEQ, _NEQ, _GT, _LT = range(13)
_SPECIAL_CHARS = frozenset("=!(),><")
_WHITESPACE = frozenset(" \t\r\n")
_SYMBOLS = {
    ")": _CLOSE,
    ",": _COMMA,
    "!": _NOT,
    "==": _DEQ,
    "=": _EQ,
    ">": _GT,
    "<": _LT,
    "!=": _NEQ,
    "(": _OPEN,
}
_KEYWORDS = {"in": _IN, "notin": _NOTIN}


def _lex(text: str) -> list[tuple[int, str]]:
    tokens: list[tuple[int, str]] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in _WHITESPACE:
            i += 1
        if i >= n:
            tokens.append((_END, ""))
            return tokens
        ch = text[i]
        if ch in _SPECIAL_CHARS:
            # Longest run of special characters that is still a known symbol ("!=" before "!").
            # Every single special character is a symbol, so the lexer's ErrorToken cannot occur.
            j = i + 1
            while j < n and text[i : j + 1] in _SYMBOLS:
                j += 1
            symbol = text[i:j]
            tokens.append((_SYMBOLS[symbol], symbol))
            i = j
        else:
            j = i
            while j < n and text[j] not in _WHITESPACE and text[j] not in _SPECIAL_CHARS:
                j += 1
            word = text[i:j]
            tokens.append((_KEYWORDS.get(word, _IDENT), word))
            i = j


class _Parser:
    """labels.Parser: a recursive-descent parser over the lexed tokens."""

    def __init__(self, text: str) -> None:
        self.tokens = _lex(text)
        self.pos = 0

    def lookahead(self, *, values: bool = True) -> tuple[int, str]:
        tok, lit = self.tokens[self.pos]
        # In the Values context "in"/"notin" are plain identifiers (a label may be named "in").
        if values and tok in (_IN, _NOTIN):
            tok = _IDENT
        return tok, lit

    def consume(self, *, values: bool = True) -> tuple[int, str]:
        tok, lit = self.lookahead(values=values)
        if self.pos < len(self.tokens) - 1:
            self.pos += 1
        return tok, lit

    def parse(self) -> list[Requirement]:
        requirements: list[Requirement] = []
        while True:
            tok, lit = self.lookahead()
            if tok in (_IDENT, _NOT):
                try:
                    requirements.append(self.parse_requirement())
                except SelectorError as err:
                    raise SelectorError(f"unable to parse requirement: {err.message}") from None
                t, literal = self.consume()
                if t == _END:
                    return requirements
                if t == _COMMA:
                    t2, l2 = self.lookahead()
                    if t2 not in (_IDENT, _NOT):
                        raise SelectorError(f"found '{l2}', expected: identifier after ','")
                else:
                    raise SelectorError(f"found '{literal}', expected: ',' or 'end of string'")
            elif tok == _END:
                return requirements
            else:
                raise SelectorError(f"found '{lit}', expected: !, identifier, or 'end of string'")

    def parse_requirement(self) -> Requirement:
        key, op = self.parse_key_and_infer_operator()
        if op in (EXISTS, DOES_NOT_EXIST):
            return _new_requirement(key, op, [])
        op = self.parse_operator()
        values = self.parse_values() if op in (IN, NOT_IN) else self.parse_exact_value()
        return _new_requirement(key, op, values)

    def parse_key_and_infer_operator(self) -> tuple[str, str]:
        op = ""
        tok, literal = self.consume()
        if tok == _NOT:
            op = DOES_NOT_EXIST
            tok, literal = self.consume()
        if tok != _IDENT:
            raise SelectorError(f"found '{literal}', expected: identifier")
        key_errs = _is_qualified_name(literal)
        if key_errs:
            raise SelectorError(f"<nil>: Invalid value: {_go_quote(literal)}: {'; '.join(key_errs)}")
        t, _ = self.lookahead()
        if t in (_END, _COMMA) and op != DOES_NOT_EXIST:
            op = EXISTS
        return literal, op

    def parse_operator(self) -> str:
        tok, lit = self.consume(values=False)
        op = {
            _IN: IN,
            _EQ: EQUALS,
            _DEQ: DOUBLE_EQUALS,
            _GT: GREATER_THAN,
            _LT: LESS_THAN,
            _NOTIN: NOT_IN,
            _NEQ: NOT_EQUALS,
        }.get(tok)
        if op is None:
            raise SelectorError(f"found '{lit}', expected: {', '.join(_BINARY_OPERATORS)}")
        return op

    def parse_values(self) -> list[str]:
        tok, lit = self.consume()
        if tok != _OPEN:
            # The missing comma is in the real message too.
            raise SelectorError(f"found '{lit}' expected: '('")
        tok, lit = self.lookahead()
        if tok in (_IDENT, _COMMA):
            found = self.parse_identifiers_list()
            if self.consume()[0] != _CLOSE:
                raise SelectorError(f"found '{lit}', expected: ')'")
            return sorted(found)
        if tok == _CLOSE:
            self.consume()
            return [""]
        raise SelectorError(f"found '{lit}', expected: ',', ')' or identifier")

    def parse_identifiers_list(self) -> set[str]:
        found: set[str] = set()
        while True:
            tok, lit = self.consume()
            if tok == _IDENT:
                found.add(lit)
                t2, l2 = self.lookahead()
                if t2 == _COMMA:
                    continue
                if t2 == _CLOSE:
                    return found
                raise SelectorError(f"found '{l2}', expected: ',' or ')'")
            if tok == _COMMA:
                # "(,", ",)" and ",," each stand for an empty value.
                if not found:
                    found.add("")
                t2, _ = self.lookahead()
                if t2 == _CLOSE:
                    found.add("")
                    return found
                if t2 == _COMMA:
                    self.consume()
                    found.add("")
            else:
                raise SelectorError(f"found '{lit}', expected: ',', or identifier")

    def parse_exact_value(self) -> list[str]:
        tok, _ = self.lookahead()
        if tok in (_END, _COMMA):
            return [""]
        tok, lit = self.consume()
        if tok == _IDENT:
            return [lit]
        raise SelectorError(f"found '{lit}', expected: identifier")


def parse_label_selector(text: str | None) -> LabelSelector:
    """labels.Parse: the ``labelSelector`` query parameter; None or "" selects everything."""
    if not text:
        return EVERYTHING
    return LabelSelector(_Parser(text).parse())


_DICT_OPERATORS = {"In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": DOES_NOT_EXIST}


def label_selector_from_dict(sel: Mapping[str, Any] | None) -> LabelSelector:
    """metav1.LabelSelectorAsSelector: None matches nothing, ``{}`` matches everything."""
    if sel is None:
        return NOTHING
    match_labels: Mapping[str, Any] = sel.get("matchLabels") or {}
    match_expressions: list[Mapping[str, Any]] = sel.get("matchExpressions") or []
    if not match_labels and not match_expressions:
        return EVERYTHING
    requirements: list[Requirement] = []
    for key, value in match_labels.items():
        requirements.append(_new_requirement(str(key), EQUALS, [str(value)]))
    for expr in match_expressions:
        raw_op = expr.get("operator", "")
        op = _DICT_OPERATORS.get(raw_op)
        if op is None:
            raise SelectorError(f"{_go_quote(str(raw_op))} is not a valid label selector operator")
        raw_values = expr.get("values")
        values = None if raw_values is None or raw_values == [] else [str(v) for v in raw_values]
        requirements.append(_new_requirement(str(expr.get("key", "")), op, values))
    return LabelSelector(requirements)


# --------------------------------------------------------------------------------------------
# Field selectors
# --------------------------------------------------------------------------------------------

FieldRequirement = tuple[str, str, str]

_TERM_OPERATORS = ("!=", "==", "=")


def _split_terms(text: str) -> list[str]:
    # Backslash-escaped commas are data, not separators; the backslash is kept for unescaping.
    terms: list[str] = []
    start = 0
    in_slash = False
    for i, ch in enumerate(text):
        if in_slash:
            in_slash = False
        elif ch == "\\":
            in_slash = True
        elif ch == ",":
            terms.append(text[start:i])
            start = i + 1
    terms.append(text[start:])
    return terms


def _split_term(term: str) -> tuple[str, str, str] | None:
    for i in range(len(term)):
        for op in _TERM_OPERATORS:
            if term.startswith(op, i):
                return term[:i], op, term[i + len(op):]
    return None


def _unescape_value(value: str) -> str:
    if not any(ch in value for ch in "\\,="):
        return value
    out: list[str] = []
    in_slash = False
    for ch in value:
        if in_slash:
            if ch in "\\,=":
                out.append(ch)
            else:
                raise SelectorError(f"invalid field selector: invalid escape sequence: \\{ch}")
            in_slash = False
            continue
        if ch == "\\":
            in_slash = True
        elif ch in ",=":
            # The real message prints the rune with %v, i.e. as its code point number.
            raise SelectorError(f"invalid field selector: unescaped character in value: {ord(ch)}")
        else:
            out.append(ch)
    if in_slash:
        raise SelectorError("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def _escape_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


class FieldSelector:
    """A parsed field selector (fields.Selector); terms are sorted as the real parser sorts them."""

    __slots__ = ("_equal", "_not_equal", "_text", "requirements")

    def __init__(self, requirements: Iterable[FieldRequirement] = ()) -> None:
        self.requirements: tuple[FieldRequirement, ...] = tuple(requirements)
        self._equal = tuple((f, v) for f, op, v in self.requirements if op != "!=")
        self._not_equal = tuple((f, v) for f, op, v in self.requirements if op == "!=")
        self._text = ",".join(
            f"{f}{'!=' if op == '!=' else '='}{_escape_value(v)}" for f, op, v in self.requirements
        )

    @property
    def empty(self) -> bool:
        return not self.requirements

    def matches(self, fields: Mapping[str, str]) -> bool:
        # A field the object does not have reads as "", so `spec.nodeName=` selects unbound pods.
        for name, value in self._equal:
            if fields.get(name, "") != value:
                return False
        return all(fields.get(name, "") != value for name, value in self._not_equal)

    def value_for(self, field: str) -> str | None:
        """The value an ``=``/``==`` term requires of ``field`` (fields.Selector.RequiresExactMatch)."""
        for name, value in self._equal:
            if name == field:
                return value
        return None

    def fields(self) -> frozenset[str]:
        return frozenset(f for f, _, _ in self.requirements)

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"FieldSelector({self._text!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldSelector):
            return NotImplemented
        return self.requirements == other.requirements

    def __hash__(self) -> int:
        return hash(self.requirements)


def parse_field_selector(text: str | None) -> FieldSelector:
    """fields.ParseSelector: ``a=b,c!=d``; values may escape ``\\,`` ``\\=`` ``\\\\``.

    Like the real parser, whitespace is not trimmed: ``a = b`` selects field ``"a "``.
    """
    if not text:
        return FieldSelector()
    requirements: list[FieldRequirement] = []
    for part in sorted(_split_terms(text)):
        if part == "":
            continue
        split = _split_term(part)
        if split is None:
            raise SelectorError(f"invalid selector: '{text}'; can't understand '{part}'")
        lhs, op, rhs = split
        requirements.append((lhs, op, _unescape_value(rhs)))
    return FieldSelector(requirements)


# --------------------------------------------------------------------------------------------
# Selectable fields per resource
# --------------------------------------------------------------------------------------------

_META_FIELDS = frozenset({"metadata.name", "metadata.namespace"})

SUPPORTED_FIELDS: dict[str, frozenset[str]] = {
    "pods": _META_FIELDS
    | {
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "spec.hostNetwork",
        "status.phase",
        "status.podIP",
        "status.podIPs",
        "status.nominatedNodeName",
    },
    # Cluster-scoped kinds with their own conversion func do not accept metadata.namespace.
    "nodes": frozenset({"metadata.name", "spec.unschedulable"}),
    "namespaces": frozenset({"metadata.name", "status.phase"}),
    "events": _META_FIELDS
    | {
        "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "reportingComponent",
        "source",
        "type",
    },
    "secrets": _META_FIELDS | {"type"},
    "services": _META_FIELDS | {"spec.clusterIP", "spec.type"},
    "replicationcontrollers": _META_FIELDS | {"status.replicas"},
    "replicasets": _META_FIELDS | {"status.replicas"},
    "jobs": _META_FIELDS | {"status.successful"},
}

# Resources whose field set carries no metadata.namespace (AddObjectMetaFieldsSet(..., false)).
_CLUSTER_SCOPED = frozenset(
    {
        "nodes",
        "namespaces",
        "persistentvolumes",
        "storageclasses",
        "clusterroles",
        "clusterrolebindings",
        "customresourcedefinitions",
        "priorityclasses",
        "runtimeclasses",
        "ingressclasses",
        "csinodes",
        "csidrivers",
        "volumeattachments",
        "apiservices",
        "certificatesigningrequests",
        "mutatingwebhookconfigurations",
        "validatingwebhookconfigurations",
    }
)


def supported_fields(resource: str) -> frozenset[str]:
    """The field labels a resource accepts; others default to metav1's name and namespace."""
    return SUPPORTED_FIELDS.get(resource, _META_FIELDS)


def unsupported_field_message(field: str) -> str:
    """The 400 message the API server gives for a field selector on an unsupported field."""
    return f"field label not supported: {field}"


def validate_field_selector(resource: str, selector: FieldSelector) -> None:
    """Raise SelectorError for the first (sorted) term on a field the resource cannot select on."""
    allowed = supported_fields(resource)
    for name, _, _ in selector.requirements:
        if name not in allowed:
            raise SelectorError(unsupported_field_message(name))


def _get(obj: Mapping[str, Any], *path: str) -> Any:
    cur: Any = obj
    for part in path:
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(part)
    return cur


def _s(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _pod_fields(obj: Mapping[str, Any]) -> dict[str, str]:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    pod_ips = status.get("podIPs") or []
    # The internal type keeps only podIPs; status.podIP is podIPs[0] (or the legacy singular field).
    pod_ip = _s(pod_ips[0].get("ip")) if pod_ips and isinstance(pod_ips[0], Mapping) else _s(status.get("podIP"))
    return {
        "spec.nodeName": _s(spec.get("nodeName")),
        "spec.restartPolicy": _s(spec.get("restartPolicy")),
        "spec.schedulerName": _s(spec.get("schedulerName")),
        "spec.serviceAccountName": _s(spec.get("serviceAccountName")),
        "spec.hostNetwork": "true" if spec.get("hostNetwork") else "false",
        "status.phase": _s(status.get("phase")),
        "status.podIP": pod_ip,
        "status.nominatedNodeName": _s(status.get("nominatedNodeName")),
    }


def _event_fields(obj: Mapping[str, Any]) -> dict[str, str]:
    involved = obj.get("involvedObject") or {}
    source = _s(_get(obj, "source", "component")) or _s(obj.get("reportingComponent"))
    return {
        "involvedObject.kind": _s(involved.get("kind")),
        "involvedObject.namespace": _s(involved.get("namespace")),
        "involvedObject.name": _s(involved.get("name")),
        "involvedObject.uid": _s(involved.get("uid")),
        "involvedObject.apiVersion": _s(involved.get("apiVersion")),
        "involvedObject.resourceVersion": _s(involved.get("resourceVersion")),
        "involvedObject.fieldPath": _s(involved.get("fieldPath")),
        "reason": _s(obj.get("reason")),
        "reportingComponent": _s(obj.get("reportingComponent")),
        "source": source,
        "type": _s(obj.get("type")),
    }


def _int_s(value: Any) -> str:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else "0"


_FIELD_FUNCS: dict[str, Callable[[Mapping[str, Any]], dict[str, str]]] = {
    "pods": _pod_fields,
    "nodes": lambda o: {"spec.unschedulable": "true" if _get(o, "spec", "unschedulable") else "false"},
    "namespaces": lambda o: {"status.phase": _s(_get(o, "status", "phase"))},
    "events": _event_fields,
    "secrets": lambda o: {"type": _s(o.get("type"))},
    "services": lambda o: {
        "spec.clusterIP": _s(_get(o, "spec", "clusterIP")),
        "spec.type": _s(_get(o, "spec", "type")),
    },
    "replicationcontrollers": lambda o: {"status.replicas": _int_s(_get(o, "status", "replicas"))},
    "replicasets": lambda o: {"status.replicas": _int_s(_get(o, "status", "replicas"))},
    "jobs": lambda o: {"status.successful": _int_s(_get(o, "status", "succeeded"))},
}


def field_set(resource: str, obj: Mapping[str, Any]) -> dict[str, str]:
    """The selectable fields of ``obj`` (a ``kubectl get -o json`` dict) of resource ``resource``.

    Missing values are "", booleans "true"/"false", counters decimal, as ToSelectableFields gives.
    """
    metadata = obj.get("metadata") or {}
    fields = {"metadata.name": _s(metadata.get("name"))}
    if resource not in _CLUSTER_SCOPED:
        fields["metadata.namespace"] = _s(metadata.get("namespace"))
    extra = _FIELD_FUNCS.get(resource)
    if extra is not None:
        fields.update(extra(obj))
    return fields
