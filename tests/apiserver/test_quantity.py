"""Quantities parse, round and print like k8s.io/apimachinery's resource.Quantity."""

from __future__ import annotations

from fractions import Fraction

import pytest

from reference_impl.apiserver.quantity import (
    QUANTITY_FORMAT_ERROR,
    QUANTITY_SUFFIX_ERROR,
    QuantityError,
    canonical,
    milli_value,
    parse_quantity,
    value,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", Fraction(0)),
        ("1", Fraction(1)),
        ("100m", Fraction(1, 10)),
        ("1.5", Fraction(3, 2)),
        (".5", Fraction(1, 2)),
        ("1k", Fraction(1000)),
        ("1M", Fraction(10**6)),
        ("1G", Fraction(10**9)),
        ("1T", Fraction(10**12)),
        ("1P", Fraction(10**15)),
        ("1E", Fraction(10**18)),
        ("1Ki", Fraction(1024)),
        ("1Mi", Fraction(2**20)),
        ("1Gi", Fraction(2**30)),
        ("1Ti", Fraction(2**40)),
        ("1Pi", Fraction(2**50)),
        ("1Ei", Fraction(2**60)),
        ("5n", Fraction(5, 10**9)),
        ("5u", Fraction(5, 10**6)),
        ("1e3", Fraction(1000)),
        ("1E3", Fraction(1000)),
        ("12e-3", Fraction(12, 1000)),
        ("-2", Fraction(-2)),
        ("+2", Fraction(2)),
        ("0.1n", Fraction(1, 10**9)),  # rounded up to the nano unit
        (2, Fraction(2)),
        (0.5, Fraction(1, 2)),
    ],
)
def test_parse_quantity(text: str | int | float, expected: Fraction) -> None:
    assert parse_quantity(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", QUANTITY_FORMAT_ERROR),
        ("abc", QUANTITY_FORMAT_ERROR),
        ("1.2.3", QUANTITY_FORMAT_ERROR),
        (" 1", QUANTITY_FORMAT_ERROR),
        ("1 Gi", QUANTITY_FORMAT_ERROR),
        (".", QUANTITY_FORMAT_ERROR),
        ("1Q", QUANTITY_FORMAT_ERROR),
        ("1Ki5", QUANTITY_SUFFIX_ERROR),
        ("1e", QUANTITY_SUFFIX_ERROR),
        ("1iK", QUANTITY_SUFFIX_ERROR),
    ],
)
def test_parse_quantity_errors(text: str, message: str) -> None:
    with pytest.raises(QuantityError) as info:
        parse_quantity(text)
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)


def test_format_error_is_the_real_text() -> None:
    assert QUANTITY_FORMAT_ERROR == (
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )


@pytest.mark.parametrize(
    ("text", "milli", "whole"),
    [
        ("100m", 100, 1),
        ("1", 1000, 1),
        ("1.5m", 2, 1),
        ("1n", 1, 1),
        ("2.5", 2500, 3),
        ("1Gi", 2**30 * 1000, 2**30),
        ("0", 0, 0),
    ],
)
def test_milli_value_and_value_round_up(text: str, milli: int, whole: int) -> None:
    assert milli_value(text) == milli
    assert value(text) == whole
    assert milli_value(parse_quantity(text)) == milli


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", "0"),
        ("0Mi", "0"),
        ("1", "1"),
        ("0.5", "500m"),
        ("1.5", "1500m"),
        ("1000", "1k"),
        ("1500", "1500"),
        ("1000000", "1M"),
        ("1000m", "1"),
        ("2048Ki", "2Mi"),
        ("1536Mi", "1536Mi"),
        ("1024", "1024"),
        ("512Ki", "512Ki"),
        ("0.5Ki", "512"),
        ("1e3", "1e3"),
        ("1.5e3", "1500"),
        ("-100m", "-100m"),
        ("1.1n", "2n"),
        (2, "2"),
    ],
)
def test_canonical(text: str | int, expected: str) -> None:
    assert canonical(text) == expected
