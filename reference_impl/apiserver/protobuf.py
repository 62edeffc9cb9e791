"""Decoding ``application/vnd.kubernetes.protobuf`` request bodies into the JSON the server works with.

Models kube-apiserver's protobuf serializer on the decode side
(``k8s.io/apimachinery/pkg/runtime/serializer/protobuf/protobuf.go``, ``Serializer.Decode``): a
body is the magic ``k8s\\x00`` and a ``runtime.Unknown`` (``k8s.io/apimachinery/pkg/runtime/
generated.proto``: typeMeta, raw, contentEncoding, contentType) whose ``raw`` is the object as its
Go type's gogo-generated message (the ``generated.proto`` files beside the types in ``k8s.io/api``,
``k8s.io/apimachinery/pkg/apis/meta/v1`` and ``k8s.io/apiextensions-apiserver``). The schema of
every type is the generated :mod:`reference_impl.apiserver._protoschema`.

:func:`decode` returns what Go's ``encoding/json`` writes for the object the Go decoder produces,
so that the result is the JSON a Go client would have sent for the same object: a non-pointer field
absent from the wire is its zero value (written unless ``omitempty``), a pointer present on the
wire is written even when zero, struct fields are never dropped by ``omitempty`` (so an unset
``targetPort`` is ``0`` and an unset ``status`` is ``{}``), and the types with their own
``MarshalJSON`` (Time, MicroTime, Duration, Quantity, IntOrString, RawExtension, FieldsV1 and the
apiextensions JSON / JSONSchemaProps unions) are written as theirs are. Unknown fields are skipped,
repeated scalars are read packed or not, a non-repeated message seen twice is merged, as gogo does.

Every malformed input raises :class:`ProtobufError` (a ``ValueError``) with a short message in
the words of the Go decoder where it has them. Work is bounded by the body: lengths are checked
against what is left, nesting stops at :data:`MAX_DEPTH` messages, varints at 64 bits.

Leaves out: encoding (responses stay JSON; clients read the response's Content-Type), the
length-delimited stream framing of watch, ``contentEncoding`` (kube-apiserver ignores it and so do
we), CBOR inside RawExtension or FieldsV1, and canonicalising Quantity strings (gogo's Marshal
always writes the canonical form, and the JSON path treats a Quantity string as JSON would).
"""

from __future__ import annotations

import base64
import codecs
import json
import math
import struct
from typing import Any

from reference_impl.apiserver._protoschema import KINDS, NO_TYPE_META, TYPES, UNVERSIONED

MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"
MAX_DEPTH = 100

# field flags, as the generator writes them
_OMITEMPTY, _POINTER, _REPEATED, _MAP, _INLINE, _OMITZERO = 1, 2, 4, 8, 16, 32
_VARINT, _FIXED64, _BYTES, _START_GROUP, _END_GROUP, _FIXED32 = 0, 1, 2, 3, 4, 5
_WIRE = {"bool": _VARINT, "int32": _VARINT, "int64": _VARINT, "uint32": _VARINT, "uint64": _VARINT,
         "double": _FIXED64, "float": _FIXED32, "string": _BYTES, "bytes": _BYTES}
_ZERO: dict[str, Any] = {"bool": False, "int32": 0, "int64": 0, "uint32": 0, "uint64": 0,
                         "double": 0.0, "float": 0.0, "string": ""}
# seconds from the Unix epoch back to Go's zero time.Time (January 1, year 1, UTC): that instant
# is IsZero, so a Time decoded to it is written as null
_GO_ZERO_TIME_S = -62135596800
_JSON_START = frozenset(b'\t\r\n {["-0123456789ntf')  # runtime.RawExtension guessContentType

Acc = dict[int, Any]  # a message being decoded: field number -> value (list for repeated, dict for maps)
Field = tuple[int, str, int, str, str]


class ProtobufError(ValueError):
    """The body is not a protobuf object kube-apiserver would decode.

    ``api_version`` and ``kind`` are the envelope's (after defaulting), empty when the envelope
    itself could not be read: kube-apiserver words its 400 differently in the two cases.
    """

    def __init__(self, message: str, *, api_version: str = "", kind: str = "") -> None:
        super().__init__(message)
        self.api_version = api_version
        self.kind = kind


def _go_replace(e: UnicodeError) -> tuple[str, int]:
    # Go's encoding/json writes U+FFFD for each byte of invalid UTF-8; Python's "replace" writes
    # one for a whole truncated sequence
    if not isinstance(e, UnicodeDecodeError):
        raise e
    return "\ufffd", e.start + 1


codecs.register_error("kconform-go-replace", _go_replace)


def _text(b: bytes) -> str:
    return b.decode("utf-8", "kconform-go-replace")


_FIELDS: dict[str, dict[int, Field]] = {}


def _fields_of(type_name: str) -> dict[int, Field]:
    by_num = _FIELDS.get(type_name)
    if by_num is None:
        by_num = _FIELDS[type_name] = {f[0]: f for f in TYPES[type_name][1]}
    return by_num


# == the wire ===================================================================================
def _varint(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    result = 0
    shift = 0
    while True:
        if shift >= 64:
            raise ProtobufError("proto: integer overflow")
        if pos >= end:
            raise ProtobufError("unexpected EOF")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result & 0xFFFFFFFFFFFFFFFF, pos
        shift += 7


def _length(buf: bytes, pos: int, end: int) -> tuple[int, int]:
    """A length prefix; returns (start, stop) of the bytes it covers."""
    n, pos = _varint(buf, pos, end)
    if n >= 1 << 63:
        raise ProtobufError("proto: negative length found during unmarshaling")
    if n > end - pos:
        raise ProtobufError("unexpected EOF")
    return pos, pos + n


def _skip(buf: bytes, pos: int, end: int, wire: int) -> int:
    """Skip an unknown field's value (the key already read), groups included, as skipGenerated."""
    depth = 0
    while True:
        if wire == _VARINT:
            _, pos = _varint(buf, pos, end)
        elif wire == _FIXED64:
            pos += 8
        elif wire == _BYTES:
            pos = _length(buf, pos, end)[1]
        elif wire == _START_GROUP:
            depth += 1
        elif wire == _END_GROUP:
            if depth == 0:
                raise ProtobufError("proto: unexpected end of group")
            depth -= 1
        elif wire == _FIXED32:
            pos += 4
        else:
            raise ProtobufError(f"proto: illegal wireType {wire}")
        if pos > end:
            raise ProtobufError("unexpected EOF")
        if depth == 0:
            return pos
        key, pos = _varint(buf, pos, end)
        wire = key & 7


def _signed(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def _scalar(kind: str, buf: bytes, pos: int, end: int) -> tuple[Any, int]:
    """One scalar value of ``kind`` at ``pos`` (its wire type already checked)."""
    if kind in ("string", "bytes"):
        start, stop = _length(buf, pos, end)
        raw = buf[start:stop]
        return (_text(raw) if kind == "string" else raw), stop
    if kind == "double":
        if end - pos < 8:
            raise ProtobufError("unexpected EOF")
        return struct.unpack_from("<d", buf, pos)[0], pos + 8
    if kind == "float":
        if end - pos < 4:
            raise ProtobufError("unexpected EOF")
        return struct.unpack_from("<f", buf, pos)[0], pos + 4
    v, pos = _varint(buf, pos, end)
    if kind == "bool":
        return v != 0, pos
    if kind == "int32":
        return _signed(v, 32), pos  # gogo accumulates into an int32: the high bits fall away
    if kind == "int64":
        return _signed(v, 64), pos
    if kind == "uint32":
        return v & 0xFFFFFFFF, pos
    return v, pos


_DECIMAL_SUFFIXES = frozenset(("n", "u", "m", "", "k", "M", "G", "T", "P", "E"))
_BINARY_SUFFIXES = frozenset(("Ki", "Mi", "Gi", "Ti", "Pi", "Ei"))
_SUFFIX_CHARS = frozenset("eEinumkKMGTP")


def _check_quantity(text: str) -> None:
    """Refuse what resource.ParseQuantity refuses, in its words (parseQuantityString's scan, then
    the suffix). It accepts a number without digits ("." and "Ki" are zero). The string itself
    is kept, not canonicalised."""
    if text == "0":
        return
    wrong = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    if not text:
        raise ProtobufError(wrong)
    pos = 1 if text[0] in "+-" else 0
    while pos < len(text) and "0" <= text[pos] <= "9":
        pos += 1
    if pos < len(text) and text[pos] == ".":
        pos += 1
        while pos < len(text) and "0" <= text[pos] <= "9":
            pos += 1
    suffix_start = pos
    while pos < len(text) and text[pos] in _SUFFIX_CHARS:
        pos += 1
    if pos < len(text) and text[pos] in "+-":
        pos += 1
    while pos < len(text) and "0" <= text[pos] <= "9":
        pos += 1
    if pos < len(text):
        raise ProtobufError(wrong)
    suffix = text[suffix_start:]
    if suffix not in _DECIMAL_SUFFIXES and suffix not in _BINARY_SUFFIXES:
        exponent = suffix[1:]
        if not (len(suffix) > 1 and suffix[0] in "eE" and _go_parse_int64(exponent)):
            raise ProtobufError("unable to parse quantity's suffix")


def _go_parse_int64(text: str) -> bool:
    """Whether strconv.ParseInt(text, 10, 64) succeeds."""
    body = text[1:] if text[:1] in ("+", "-") else text
    if not body or not all("0" <= c <= "9" for c in body):
        return False
    return -(1 << 63) <= int(text) < 1 << 63


def _check_wire(got: int, want: int, type_name: str, name: str) -> None:
    if got != want:
        raise ProtobufError(f"proto: wrong wireType = {got} for field {name or type_name}")


def _message(buf: bytes, pos: int, end: int, type_name: str, acc: Acc, depth: int) -> Acc:
    """Decode the message ``buf[pos:end]`` of ``type_name`` into ``acc`` (merging, like gogo)."""
    if depth > MAX_DEPTH:
        raise ProtobufError(f"proto: nesting deeper than {MAX_DEPTH} messages")
    special = TYPES[type_name][0]
    if special in ("time", "microtime") and pos < end:
        acc[0] = True  # data, even if none of it is a known field, makes a non-zero Time
    fields = _fields_of(type_name)
    while pos < end:
        key, pos = _varint(buf, pos, end)
        wire = key & 7
        num = _signed(key >> 3, 32)  # gogo: fieldNum := int32(wire >> 3)
        if wire == _END_GROUP:
            raise ProtobufError(f"proto: {type_name}: wiretype end group for non-group")
        if num <= 0:
            raise ProtobufError(f"proto: {type_name}: illegal tag {num} (wire type {wire})")
        f = fields.get(num)
        if f is None:
            pos = _skip(buf, pos, end, wire)
            continue
        _num, name, flags, elem, val = f
        if flags & _MAP:
            _check_wire(wire, _BYTES, type_name, name)
            start, stop = _length(buf, pos, end)
            k, v = _map_entry(buf, start, stop, end, elem, val, depth + 1)
            acc.setdefault(num, {})[k] = v
            pos = stop
        elif flags & _REPEATED:
            items = acc.setdefault(num, [])
            want = _WIRE.get(elem, _BYTES)
            if want != _BYTES and wire == _BYTES:  # packed scalars
                # as gogo: the last value may run past the packed length (reads are bounded by
                # the message), and decoding goes on from where it ended
                pos, stop = _length(buf, pos, end)
                while pos < stop:
                    item, pos = _scalar(elem, buf, pos, end)
                    items.append(item)
                continue
            _check_wire(wire, want, type_name, name)
            item, pos = _value(buf, pos, end, elem, None, depth)
            items.append(item)
        else:
            _check_wire(wire, _WIRE.get(elem, _BYTES), type_name, name)
            acc[num], pos = _value(buf, pos, end, elem, acc.get(num), depth)
            if special == "quantity":
                _check_quantity(acc[num])  # Quantity.Unmarshal parses it there and then
    return acc


def _value(buf: bytes, pos: int, end: int, elem: str, prev: Any, depth: int) -> tuple[Any, int]:
    """A scalar, or a message merged into ``prev`` (replacing it for Time, MicroTime, Quantity,
    whose Unmarshal sets the whole value)."""
    if elem in _WIRE:
        return _scalar(elem, buf, pos, end)
    start, stop = _length(buf, pos, end)
    if not isinstance(prev, dict) or TYPES[elem][0] in ("time", "microtime", "quantity"):
        prev = {}
    return _message(buf, start, stop, elem, prev, depth + 1), stop


def _map_entry(buf: bytes, pos: int, stop: int, end: int, key_kind: str, val: str, depth: int) -> tuple[str, Any]:
    """A map entry in ``buf[pos:stop]`` of a message ending at ``end``.

    As gogo's generated code: the key and value are read by their kinds whatever the wire type
    says, bounded by the message rather than the entry; unknown entry fields must end in it.
    """
    if depth > MAX_DEPTH:
        raise ProtobufError(f"proto: nesting deeper than {MAX_DEPTH} messages")
    key: Any = _ZERO.get(key_kind, "")
    # gogo starts from the value type's zero: {} for a message, which makes an ExtraValue [] and
    # a Quantity "0"; b"" for bytes (mapvalue := []byte{})
    value: Any = _ZERO.get(val, b"") if val in _WIRE else {}
    while pos < stop:
        k, pos = _varint(buf, pos, end)
        num = _signed(k >> 3, 32)
        if num == 1:
            key, pos = _scalar(key_kind, buf, pos, end)
        elif num == 2:
            value, pos = _value(buf, pos, end, val, None, depth)
        else:
            pos = _skip(buf, pos, end, k & 7)
            if pos > stop:
                raise ProtobufError("unexpected EOF")
    return key, value


# == Go's JSON of the decoded value ============================================================
def _embedded_json(raw: bytes, what: str) -> Any:
    def bad_constant(name: str) -> Any:
        raise ProtobufError(f"{what}: invalid JSON value {name}")

    def parse_float(s: str) -> float:
        f = float(s)
        if math.isinf(f):
            raise ProtobufError(f"{what}: number {s[:20]} out of range")
        return f

    try:
        return json.loads(_text(raw), parse_constant=bad_constant, parse_float=parse_float)
    except (ValueError, RecursionError) as e:
        if isinstance(e, ProtobufError):
            raise
        raise ProtobufError(f"{what}: invalid JSON: {str(e)[:100]}") from None


def _civil(days: int) -> tuple[int, int, int]:
    """(year, month, day) of a day count from 1970-01-01, proleptic Gregorian, any range (Go's
    time formats years past 9999 and before 1, which :mod:`datetime` cannot)."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (month <= 2), month, day


def _rfc3339(seconds: int, micros: int | None) -> str:
    days, rem = divmod(seconds, 86400)
    y, mo, d = _civil(days)
    year = f"-{-y:04d}" if y < 0 else f"{y:04d}"
    frac = "" if micros is None else f".{micros:06d}"
    return f"{year}-{mo:02d}-{d:02d}T{rem // 3600:02d}:{rem // 60 % 60:02d}:{rem % 60:02d}{frac}Z"


def _go_duration(ns: int) -> str:
    """time.Duration.String()."""
    if ns == 0:
        return "0s"
    u = abs(ns)

    def frac(u: int, prec: int) -> tuple[str, int]:
        if prec == 0:
            return "", u
        digits = f"{u % 10**prec:0{prec}d}".rstrip("0")
        return ("." + digits if digits else ""), u // 10**prec

    if u < 1_000_000_000:
        unit, prec = ("ns", 0) if u < 1000 else ("µs", 3) if u < 1_000_000 else ("ms", 6)
        f, u = frac(u, prec)
        s = f"{u}{f}{unit}"
    else:
        f, u = frac(u, 9)
        s = f"{u % 60}{f}s"
        u //= 60
        if u:
            s = f"{u % 60}m{s}"
            u //= 60
            if u:
                s = f"{u}h{s}"
    return "-" + s if ns < 0 else s


def _scalar_json(kind: str, v: Any) -> Any:
    if kind == "bytes":
        return base64.b64encode(v).decode()
    if kind in ("double", "float"):
        if math.isnan(v) or math.isinf(v):
            raise ProtobufError(f"json: unsupported value: {v}")
        if kind == "float":  # Go prints a float32 as the shortest decimal that reads back as it
            v = next(c for c in (float(f"{v:.{p}g}") for p in range(1, 10)) if _as_float32(c) == v)
        # Go prints integral floats without a fraction ("100"): what a Go client's JSON parses to
        return int(v) if v.is_integer() and abs(v) < 1e21 else v
    return v


def _as_float32(v: float) -> float:
    return float(struct.unpack("<f", struct.pack("<f", v))[0])


def _value_json(elem: str, v: Any) -> Any:
    return _scalar_json(elem, v) if elem in _WIRE else _to_json(elem, v)


def _to_json(type_name: str, acc: Acc | None) -> Any:
    special, fields = TYPES[type_name]
    if special:
        return _special_json(special, type_name, acc or {})
    acc = acc or {}
    out: dict[str, Any] = {}
    promoted: list[dict[str, Any]] = []
    for num, name, flags, elem, val in fields:
        v = acc.get(num)
        omitempty = flags & _OMITEMPTY
        if flags & _INLINE:
            promoted.append(_to_json(elem, v))
        elif flags & (_MAP | _REPEATED):
            if not v:  # gogo leaves a slice or map without entries nil
                if not omitempty:
                    out[name] = None
            elif flags & _MAP:
                out[name] = {k: _value_json(val, x) for k, x in v.items()}
            else:
                out[name] = [_value_json(elem, x) for x in v]
        elif flags & _POINTER:
            if v is not None:
                out[name] = _value_json(elem, v)
            elif not omitempty:
                out[name] = None
        elif elem == "bytes":  # nil when absent, non-nil (if empty) when present
            if v is None:
                if not omitempty:
                    out[name] = None
            elif v or not omitempty:
                out[name] = _scalar_json(elem, v)
        elif elem in _WIRE:
            v = _ZERO[elem] if v is None else v
            if not (omitempty and v == _ZERO[elem]):
                out[name] = _scalar_json(elem, v)
        elif TYPES[elem][0] == "list":  # a named slice: nil when absent, [] when present and empty
            if v is None:
                if not omitempty:
                    out[name] = None
            else:
                items = _to_json(elem, v)
                if items or not omitempty:
                    out[name] = items
        else:
            j = _to_json(elem, v)
            if not (flags & _OMITZERO and j is None):  # omitzero is only on Time (zero is null)
                out[name] = j
    for sub in promoted:  # an embedded struct's fields, unless the outer struct has the name
        for k, x in sub.items():
            out.setdefault(k, x)
    return out


def _elem(type_name: str, num: int) -> str:
    return _fields_of(type_name)[num][3]


def _special_json(special: str, type_name: str, acc: Acc) -> Any:
    if special in ("time", "microtime"):
        if not acc.get(0):
            return None  # no data: the zero Time
        seconds, nanos = acc.get(1, 0), acc.get(2, 0)
        if special == "time":  # metav1.Time.Unmarshal drops the nanoseconds
            return None if seconds == _GO_ZERO_TIME_S else _rfc3339(seconds, None)
        nanos = int(nanos / 1000) * 1000  # Duration.Truncate(time.Microsecond): toward zero
        seconds, nanos = divmod(seconds * 1_000_000_000 + nanos, 1_000_000_000)
        if seconds == _GO_ZERO_TIME_S and nanos == 0:
            return None
        return _rfc3339(seconds, nanos // 1000)
    if special == "duration":
        return _go_duration(acc.get(1, 0))
    if special == "quantity":
        return acc.get(1, "0")  # an unset Quantity is zero, which MarshalJSON writes as "0"
    if special == "intorstring":
        kind = acc.get(1, 0)
        if kind == 0:
            return acc.get(2, 0)
        if kind == 1:
            return acc.get(3, "")
        raise ProtobufError("impossible IntOrString.Type")
    if special in ("rawextension", "json", "fieldsv1"):
        raw = acc.get(1)
        if not raw:
            # JSON and FieldsV1 write null for empty bytes; so does RawExtension for none (for
            # present-but-empty Go fails to encode JSON at all; null keeps the request usable)
            return None
        if special == "rawextension" and raw[0] not in _JSON_START:
            raise ProtobufError("runtime.RawExtension: only JSON content is supported")
        if special == "fieldsv1" and raw[0] not in _JSON_START:
            raise ProtobufError("metav1.FieldsV1: only JSON content is supported")
        return _embedded_json(raw, type_name)
    if special == "orbool":  # JSONSchemaPropsOrBool.MarshalJSON
        if acc.get(2) is not None:
            return _to_json(_elem(type_name, 2), acc[2])
        return bool(acc.get(1, False))
    if special == "orarray":  # JSONSchemaPropsOrArray.MarshalJSON
        if acc.get(2):
            return [_to_json(_elem(type_name, 2), x) for x in acc[2]]
        return _to_json(_elem(type_name, 1), acc[1]) if acc.get(1) is not None else None
    if special == "orstringarray":  # JSONSchemaPropsOrStringArray.MarshalJSON
        if acc.get(2):
            return list(acc[2])
        return _to_json(_elem(type_name, 1), acc[1]) if acc.get(1) is not None else None
    if special == "list":
        item = _elem(type_name, 1)
        return [_value_json(item, x) for x in acc.get(1, [])]
    raise ProtobufError(f"{type_name} inside an object is not supported")


# == the envelope ==============================================================================
def _go_type_meta(api_version: str, kind: str) -> str:
    return f"runtime.TypeMeta{{APIVersion:{json.dumps(api_version)}, Kind:{json.dumps(kind)}}}"


def _group_version(api_version: str) -> tuple[str, str] | None:
    """schema.ParseGroupVersion; None where it fails."""
    if api_version in ("", "/"):
        return "", ""
    parts = api_version.split("/")
    if len(parts) == 1:
        return "", api_version
    if len(parts) == 2:
        return parts[0], parts[1]
    return None


def envelope(raw: bytes, *, default_api_version: str = "", default_kind: str = "") -> tuple[str, str, bytes]:
    """The ``(apiVersion, kind, object bytes)`` of a body's ``runtime.Unknown`` envelope.

    ``default_api_version`` and ``default_kind`` are the endpoint's: an envelope that leaves them
    out gets them, as ``copyKindDefaults`` gives the serializer's default GVK.
    """
    if not raw:
        raise ProtobufError("empty data")
    if not raw.startswith(MAGIC):
        raise ProtobufError("provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]")
    if len(raw) == len(MAGIC):
        raise ProtobufError("empty body")
    try:
        unknown = _message(raw, len(MAGIC), len(raw), "runtime.Unknown", {}, 0)
    except (RecursionError, OverflowError, IndexError, struct.error) as e:  # a bug must not escape as a 500
        raise ProtobufError(f"malformed protobuf body ({type(e).__name__})") from None
    type_meta = unknown.get(1) or {}
    env_api_version, env_kind = type_meta.get(1, ""), type_meta.get(2, "")
    gv = _group_version(env_api_version) or ("", "")
    kind = env_kind or default_kind
    if not gv[1] and default_api_version:
        gv = _group_version(default_api_version) or ("", "")
    api_version = f"{gv[0]}/{gv[1]}" if gv[0] else gv[1]
    if not kind:
        raise ProtobufError(f"Object 'Kind' is missing in '{_go_type_meta(env_api_version, env_kind)}'")
    if not gv[1]:
        raise ProtobufError(
            f"Object 'apiVersion' is missing in '{_go_type_meta(env_api_version, env_kind)}'", kind=kind
        )
    # contentEncoding and contentType are not looked at: Serializer.Decode does not either
    return api_version, kind, unknown.get(2) or b""


def decode(raw: bytes, *, default_api_version: str = "", default_kind: str = "") -> dict[str, Any]:
    """The JSON object of a protobuf request body, ``apiVersion`` and ``kind`` included (for the
    types that have them: all but ``WatchEvent``).

    The defaults are as for :func:`envelope`. Raises :class:`ProtobufError` and nothing else.
    """
    api_version, kind, body = envelope(raw, default_api_version=default_api_version, default_kind=default_kind)
    type_name = KINDS.get((api_version, kind)) or UNVERSIONED.get(kind)
    if type_name is None:
        raise ProtobufError(
            f'no kind "{kind}" is registered for version "{api_version}" in scheme "pkg/api/legacyscheme/scheme.go:30"',
            api_version=api_version, kind=kind,
        )
    try:
        obj = _to_json(type_name, _message(body, 0, len(body), type_name, {}, 0))
    except ProtobufError as e:
        raise ProtobufError(str(e), api_version=api_version, kind=kind) from None
    except (RecursionError, OverflowError, IndexError, struct.error) as e:
        raise ProtobufError(f"malformed protobuf body ({type(e).__name__})", api_version=api_version, kind=kind) from None
    if type_name in NO_TYPE_META:
        return obj  # SetGroupVersionKind does nothing to it, and its JSON has no TypeMeta
    return {"kind": kind, "apiVersion": api_version, **obj}
