"""Resource quantities ("500m", "1Gi", "1e3") as exact fractions.

Models ``resource.Quantity`` from k8s.io/apimachinery/pkg/api/resource (quantity.go, suffix.go,
amount.go): parsing with the real grammar and error texts, rounding up to the nano unit the
way ``ParseQuantity`` does, ``Value``/``MilliValue`` rounding up, and the canonical
``String()`` form (``1500m``, ``1Gi``, ``1536Mi``, ``1k``).

Values are :class:`fractions.Fraction` so sums over many pods are exact. Parsing is memoised
because the scheduler and quota code parse the same few strings over and over.

Left out: the int64/inf.Dec dual representation, overflow to ``inf.Dec`` for huge values,
serialisation caches, and ``Quantity`` arithmetic beyond what Python fractions already give.
"""

from __future__ import annotations

import functools
import math
import re
from fractions import Fraction

__all__ = [
    "QUANTITY_FORMAT_ERROR",
    "QUANTITY_SUFFIX_ERROR",
    "QuantityError",
    "canonical",
    "milli_value",
    "parse_quantity",
    "value",
]

#: ``ErrFormatWrong``'s text; the API server answers 400 with it when a manifest has a bad quantity.
QUANTITY_FORMAT_ERROR = (
    "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)
#: ``ErrSuffix``'s text: the shape was right but the suffix is not a known one (``1Ki5``, ``3Q``).
QUANTITY_SUFFIX_ERROR = "unable to parse quantity's suffix"


class QuantityError(ValueError):
    """A string that is not a Kubernetes quantity; the message is the real server's text."""


# number part, then the suffix letters, then an optional signed integer, exactly the scanner in
# parseQuantityString (anything else after the digits is ErrFormatWrong).
_QUANTITY_RE = re.compile(r"^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*)([-+]?[0-9]*)$")

_DECIMAL_SUFFIXES: dict[str, int] = {
    "n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
}
_BINARY_SUFFIXES: dict[str, int] = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_BY_EXPONENT = {exp: suffix for suffix, exp in _DECIMAL_SUFFIXES.items()}
_BINARY_BY_POWER = {exp // 10: suffix for suffix, exp in _BINARY_SUFFIXES.items()}

_NANO = 10**9

# The three formats a quantity remembers from how it was written; String() keeps to it.
_DECIMAL_SI = "DecimalSI"
_BINARY_SI = "BinarySI"
_DECIMAL_EXPONENT = "DecimalExponent"


@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> tuple[Fraction, str]:
    match = _QUANTITY_RE.match(text)
    if match is None:
        raise QuantityError(QUANTITY_FORMAT_ERROR)
    sign, whole, frac, letters, exponent_part = match.groups()
    frac = frac or ""
    if not whole and not frac:
        raise QuantityError(QUANTITY_FORMAT_ERROR)
    suffix = letters + exponent_part
    number = Fraction(int(whole or "0") * 10 ** len(frac) + int(frac or "0"), 10 ** len(frac))
    if suffix in _BINARY_SUFFIXES:
        amount, fmt = number * 2 ** _BINARY_SUFFIXES[suffix], _BINARY_SI
    elif suffix in _DECIMAL_SUFFIXES:
        amount, fmt = number * Fraction(10) ** _DECIMAL_SUFFIXES[suffix], _DECIMAL_SI
    elif len(suffix) > 1 and suffix[0] in "eE" and re.fullmatch(r"[-+]?[0-9]+", suffix[1:]):
        amount, fmt = number * Fraction(10) ** int(suffix[1:]), _DECIMAL_EXPONENT
    else:
        raise QuantityError(QUANTITY_SUFFIX_ERROR)
    # A Quantity cannot hold anything finer than 1n: ParseQuantity rounds up to it.
    nanos = math.ceil(amount * _NANO)
    amount = Fraction(nanos, _NANO)
    if sign == "-":
        amount = -amount
    return amount, fmt


def parse_quantity(s: str | int | float) -> Fraction:
    """The exact value of a quantity (``"100m"`` → ``Fraction(1, 10)``); raises :class:`QuantityError`.

    Ints and floats are what YAML gives for ``cpu: 2`` or ``cpu: 0.5``; they are read through their
    decimal text, as the JSON decoder of the real server does.
    """
    if isinstance(s, bool):
        raise QuantityError(QUANTITY_FORMAT_ERROR)
    if isinstance(s, int):
        return Fraction(s)
    if isinstance(s, float):
        s = repr(s)
    return _parse(s)[0]


def _as_fraction(q: Fraction | str | int | float) -> Fraction:
    return q if isinstance(q, Fraction) else parse_quantity(q)


def milli_value(q: Fraction | str | int | float) -> int:
    """``Quantity.MilliValue()``: thousandths, rounded up (``"1.5m"`` → 2)."""
    if type(q) is str:
        return _milli_of_text(q)
    return math.ceil(_as_fraction(q) * 1000)


def value(q: Fraction | str | int | float) -> int:
    """``Quantity.Value()``: whole units, rounded up (``"100m"`` → 1)."""
    if type(q) is str:
        return _value_of_text(q)
    return math.ceil(_as_fraction(q))


# the same few request strings ("100m", "128Mi") are read for every pod, by every component
@functools.lru_cache(maxsize=4096)
def _milli_of_text(q: str) -> int:
    return math.ceil(_parse(q)[0] * 1000)


@functools.lru_cache(maxsize=4096)
def _value_of_text(q: str) -> int:
    return math.ceil(_parse(q)[0])


def _decimal_string(amount: Fraction, fmt: str) -> str:
    # AsCanonicalBytes: strip every factor of ten, then lower the exponent to a multiple of three
    # so the mantissa stays an integer ("1500" stays "1500", "1000" becomes "1k").
    if amount == 0:
        return "0"
    negative = amount < 0
    nanos = abs(amount) * _NANO
    mantissa, exponent = int(nanos), -9
    while mantissa % 10 == 0:
        mantissa //= 10
        exponent += 1
    shift = exponent % 3
    mantissa *= 10**shift
    exponent -= shift
    if fmt == _DECIMAL_EXPONENT:
        suffix = f"e{exponent}" if exponent else ""
    elif exponent in _DECIMAL_BY_EXPONENT:
        suffix = _DECIMAL_BY_EXPONENT[exponent]
    else:
        suffix = f"e{exponent}"
    return ("-" if negative else "") + str(mantissa) + suffix


def _binary_string(amount: Fraction) -> str:
    negative = amount < 0
    mantissa, power = abs(int(amount)), 0
    while mantissa % 1024 == 0 and power < max(_BINARY_BY_POWER):
        mantissa //= 1024
        power += 1
    suffix = _BINARY_BY_POWER.get(power, "")
    return ("-" if negative else "") + str(mantissa) + suffix


@functools.lru_cache(maxsize=4096)
def canonical(s: str | int | float) -> str:
    """``Quantity.String()`` of a parsed quantity: ``"0.5"`` → ``"500m"``, ``"2048Ki"`` → ``"2Mi"``."""
    if isinstance(s, int) and not isinstance(s, bool):
        return _decimal_string(Fraction(s), _DECIMAL_SI)
    text = repr(s) if isinstance(s, float) else s
    amount, fmt = _parse(text)
    if fmt == _BINARY_SI:
        # CanonicalizeBytes: small or fractional binary amounts are shown as DecimalSI so that
        # nothing is rounded away.
        if -1024 < amount < 1024 or amount.denominator != 1:
            return _decimal_string(amount, _DECIMAL_SI)
        return _binary_string(amount)
    return _decimal_string(amount, fmt)
