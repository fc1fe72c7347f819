"""Tests of workflow.codes: activity-code clean-up and natural ordering."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workflow.codes import natural_key, normalize_code

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "akcni-plan-2024-2025.json"


def _real_codes() -> list[str]:
    plan = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return [
        activity["code"]
        for area in plan["areas"]
        for goal in area["goals"]
        for activity in goal["activities"]
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A.2.4", "A2.4"),  # how seed 002 prints A2.4
        ("a1.2", "A1.2"),
        ("  A1.10 ", "A1.10"),
        ("A1. 10", "A1.10"),
        ("A 1.10", "A1.10"),
        ("b . 2 . 3", "B2.3"),
        ("\tE1.6\n", "E1.6"),
        ("ab.1.2", "AB1.2"),
        ("A1.1a", "A1.1a"),  # only the leading letters are upper-cased
        ("1.2", "1.2"),  # no letter prefix: only whitespace is touched
        ("A  B", "A B"),
    ],
)
def test_normalize_code(raw: str, expected: str) -> None:
    assert normalize_code(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "\t\n"])
def test_normalize_code_rejects_empty(raw: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        normalize_code(raw)


@pytest.mark.parametrize("raw", ["A.2.4", "a1.2", " A 1. 10 "])
def test_normalize_code_is_idempotent(raw: str) -> None:
    once = normalize_code(raw)
    assert normalize_code(once) == once


@pytest.mark.parametrize(
    ("smaller", "larger"),
    [
        ("A1.2", "A1.10"),
        ("A1.9", "A1.10"),
        ("A1.10", "A2.1"),
        ("A2.7", "A3.1"),
        ("A3.2", "B1.1"),
        ("a1.2", "A1.10"),  # letters compare case-insensitively
        ("A1.99", "b1.1"),
        ("A1", "A1.1"),  # a prefix sorts first
        ("A9.9", "AB1.1"),
        ("D1.13", "E1.1"),
    ],
)
def test_natural_key_orders(smaller: str, larger: str) -> None:
    assert natural_key(smaller) < natural_key(larger)


def test_natural_key_sorts_a_shuffled_list() -> None:
    codes = ["B1.1", "A1.10", "A2.1", "a1.3", "A1.2", "C1.12", "C1.2"]
    assert sorted(codes, key=natural_key) == ["A1.2", "a1.3", "A1.10", "A2.1", "B1.1", "C1.2", "C1.12"]


def test_natural_key_ignores_case_and_leading_zeros() -> None:
    assert natural_key("a1.2") == natural_key("A1.2") == natural_key("A01.02")


def test_natural_key_never_compares_int_with_str() -> None:
    # A digit run sorts before a text run at the same position.
    assert sorted(["A.1", "A1.1", ".5", "1.2"], key=natural_key) == ["1.2", ".5", "A1.1", "A.1"]


def test_natural_key_of_a_plain_code() -> None:
    assert natural_key("A1.10") == ((1, "a"), (0, 1), (1, "."), (0, 10))


def test_real_codes_are_canonical_and_in_natural_order() -> None:
    codes = _real_codes()
    assert len(codes) == 72
    assert len(set(codes)) == 72
    assert [normalize_code(code) for code in codes] == codes
    assert "A2.4" in codes  # printed as "A.2.4" in the source
    assert sorted(codes, key=natural_key) == codes  # the document lists them in natural order
    assert sorted(codes) != codes  # ... which plain string sorting does not give
