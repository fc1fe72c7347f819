"""Tests of workflow.strategy_refs: the "Dotčená opatření krajské strategie" parser (DOMAIN.md §3.3)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from workflow.strategy_refs import MEASURES, StrategyRefs, parse_strategy_refs

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "akcni-plan-2024-2025.json"


def _real_refs() -> list[str | None]:
    plan = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return [
        a["strategy_refs"] for area in plan["areas"] for goal in area["goals"] for a in goal["activities"]
    ]


@pytest.mark.parametrize(
    ("raw", "measures", "goals"),
    [
        ("X / 1, 2, 5, 8, 11, 12", ("X",), (1, 2, 5, 8, 11, 12)),
        ("VII / 3, 4. 5, 6, 8, 10, 11", ("VII",), (3, 4, 5, 6, 8, 10, 11)),  # dot used as a comma (A1.12)
        ("IX / 2,3", ("IX",), (2, 3)),
        ("IX / 1,3, 5, 6, 7, 8", ("IX",), (1, 3, 5, 6, 7, 8)),
        ("XII.", ("XII",), ()),
        ("VIII.", ("VIII",), ()),
        ("III, VI., XI", ("III", "VI", "XI"), ()),
        ("3, 4, 5, 6, 7, 8, 9, 11, 12, 13", (), (3, 4, 5, 6, 7, 8, 9, 11, 12, 13)),
        ("VII /5, 8", ("VII",), (5, 8)),
        ("XIII / 5,7", ("XIII",), (5, 7)),
        ("II / 1,5,6", ("II",), (1, 5, 6)),
        ("  xiii /  5 ; 7 ", ("XIII",), (5, 7)),  # case, spaces, semicolon
        ("V / 1, 1, 3", ("V",), (1, 3)),  # duplicates dropped, order kept
        ("V / 12, 2", ("V",), (12, 2)),  # source order, not sorted
        ("/ 1, 2", (), (1, 2)),
        ("IV", ("IV",), ()),
    ],
)
def test_parse(raw: str, measures: tuple[str, ...], goals: tuple[int, ...]) -> None:
    refs = parse_strategy_refs(raw)
    assert refs == StrategyRefs(raw=raw, measures=measures, goals=goals)
    assert refs.unparsed == ()


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_empty(raw: str | None) -> None:
    refs = parse_strategy_refs(raw)
    assert refs.measures == ()
    assert refs.goals == ()
    assert refs.measure is None
    assert refs.unparsed == ()
    assert refs.raw == (raw or "")


@pytest.mark.parametrize(
    ("raw", "measures", "goals", "unparsed"),
    [
        ("XIV / 14, 3", (), (3,), ("XIV", "14")),  # out of range: measure I..XIII, goal 1..13
        ("X / 1, a", ("X",), (1,), ("a",)),
        ("5 / 1", (), (1,), ("5",)),  # a number where the measure belongs
        ("X / V", ("X",), (), ("V",)),  # a numeral where goals belong
        ("0, IIII, VI", ("VI",), (), ("0", "IIII")),
        ("opatření X", ("X",), (), ("opatření",)),
    ],
)
def test_invalid_tokens_are_reported_not_guessed(
    raw: str, measures: tuple[str, ...], goals: tuple[int, ...], unparsed: tuple[str, ...]
) -> None:
    refs = parse_strategy_refs(raw)
    assert (refs.measures, refs.goals, refs.unparsed) == (measures, goals, unparsed)


def test_measure_is_the_first_measure() -> None:
    assert parse_strategy_refs("III, VI., XI").measure == "III"
    assert parse_strategy_refs("X / 1, 2").measure == "X"
    assert parse_strategy_refs("3, 4").measure is None


def test_as_dict() -> None:
    as_dict = parse_strategy_refs("X / 1, 2, 5, 8, 11, 12").as_dict()
    assert as_dict == {
        "raw": "X / 1, 2, 5, 8, 11, 12",
        "measure": "X",
        "measures": ["X"],
        "goals": [1, 2, 5, 8, 11, 12],
    }
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert parse_strategy_refs(None).as_dict() == {"raw": "", "measure": None, "measures": [], "goals": []}


def test_measures_are_the_thirteen_numerals() -> None:
    assert MEASURES == ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII")


def test_real_data_parses_completely_with_documented_usage() -> None:
    raws = _real_refs()
    assert len(raws) == 72
    assert len(set(raws)) == 34  # 33 spellings + blank (DOMAIN.md §3.3)
    parsed = [parse_strategy_refs(raw) for raw in raws]
    assert [p.unparsed for p in parsed if p.unparsed] == []
    assert sum(1 for p in parsed if not p.measures and not p.goals) == 11  # blank cells
    assert sum(1 for p in parsed if p.goals and not p.measures) == 1  # A1.6: goals only
    # Row-reference counts per measure and per goal, DOMAIN.md §3.3.
    assert Counter(m for p in parsed for m in p.measures) == {
        "I": 3,
        "II": 1,
        "III": 2,
        "IV": 2,
        "V": 15,
        "VI": 6,
        "VII": 6,
        "VIII": 3,
        "IX": 6,
        "X": 8,
        "XI": 4,
        "XII": 1,
        "XIII": 5,
    }
    assert Counter(g for p in parsed for g in p.goals) == {
        1: 28,
        2: 17,
        3: 25,
        4: 15,
        5: 42,
        6: 12,
        7: 11,
        8: 21,
        9: 2,
        10: 8,
        11: 17,
        12: 12,
        13: 1,
    }
