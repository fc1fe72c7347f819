"""Tests of workflow.deadlines: the "Termín plnění" parser (DOMAIN.md §3.1)."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from workflow.deadlines import DeadlineKind, ParsedDeadline, parse_deadline

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "akcni-plan-2024-2025.json"

K = DeadlineKind

#: Every distinct raw form of seed 002 (DOMAIN.md §3.1) -> expected parse.
REAL_FORMS: dict[str, ParsedDeadline] = {
    "průběžně": ParsedDeadline(K.ongoing, None, None),
    "10/2024 – 12/2027": ParsedDeadline(K.range, date(2024, 10, 1), date(2027, 12, 31)),
    "10/2024–12/2027": ParsedDeadline(K.range, date(2024, 10, 1), date(2027, 12, 31)),
    "12/2025": ParsedDeadline(K.due, None, date(2025, 12, 31)),
    "2024-2027 průběžně": ParsedDeadline(K.ongoing_range, date(2024, 1, 1), date(2027, 12, 31)),
    "1x ročně": ParsedDeadline(K.yearly, None, None, frequency=1),
    "10/2024 – 12/2025": ParsedDeadline(K.range, date(2024, 10, 1), date(2025, 12, 31)),
    "10/2024–12/2025": ParsedDeadline(K.range, date(2024, 10, 1), date(2025, 12, 31)),
    "5/2023 – 4/2026": ParsedDeadline(K.range, date(2023, 5, 1), date(2026, 4, 30)),
    "1/2023 – 3/2026": ParsedDeadline(K.range, date(2023, 1, 1), date(2026, 3, 31)),
    "12/2024": ParsedDeadline(K.due, None, date(2024, 12, 31)),
    "2025-2027": ParsedDeadline(K.range, date(2025, 1, 1), date(2027, 12, 31)),
    "12/26": ParsedDeadline(K.due, None, date(2026, 12, 31)),
    "dle připravovaného zákona": ParsedDeadline(
        K.conditional, None, None, condition="dle připravovaného zákona"
    ),
    "2024-2026": ParsedDeadline(K.range, date(2024, 1, 1), date(2026, 12, 31)),
    "Průběžně do 12/25": ParsedDeadline(K.ongoing_until, None, date(2025, 12, 31)),
    "2024-2027": ParsedDeadline(K.range, date(2024, 1, 1), date(2027, 12, 31)),
    "2025/2026": ParsedDeadline(K.range, date(2025, 1, 1), date(2026, 12, 31)),  # school year or either
    "12/25": ParsedDeadline(K.due, None, date(2025, 12, 31)),
}


def _real_deadlines() -> list[str]:
    plan = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return [a["deadline"] for area in plan["areas"] for goal in area["goals"] for a in goal["activities"]]


@pytest.mark.parametrize(("raw", "expected"), REAL_FORMS.items(), ids=list(REAL_FORMS))
def test_real_forms(raw: str, expected: ParsedDeadline) -> None:
    assert parse_deadline(raw) == expected


def test_real_data_has_exactly_these_19_forms_and_all_parse() -> None:
    deadlines = _real_deadlines()
    assert len(deadlines) == 72
    assert set(deadlines) == set(REAL_FORMS)
    assert len(set(deadlines)) == 19
    parsed = [parse_deadline(raw) for raw in deadlines]
    assert all(p.kind is not K.unknown for p in parsed)
    # Per-kind row counts from DOMAIN.md §3.1.
    assert Counter(p.kind for p in parsed) == {
        K.ongoing: 35,
        K.range: 23,
        K.due: 7,
        K.ongoing_range: 3,
        K.yearly: 2,
        K.ongoing_until: 1,
        K.conditional: 1,
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("PRŮBĚŽNĚ", ParsedDeadline(K.ongoing, None, None)),
        ("  průběžně \n", ParsedDeadline(K.ongoing, None, None)),
        ("průběžně do 12/2025", ParsedDeadline(K.ongoing_until, None, date(2025, 12, 31))),
        ("Průběžně  do 6 / 25", ParsedDeadline(K.ongoing_until, None, date(2025, 6, 30))),
        ("průběžně 2024 – 2027", ParsedDeadline(K.ongoing_range, date(2024, 1, 1), date(2027, 12, 31))),
        ("2024–2027 Průběžně", ParsedDeadline(K.ongoing_range, date(2024, 1, 1), date(2027, 12, 31))),
        ("10/2024 - 12/2027", ParsedDeadline(K.range, date(2024, 10, 1), date(2027, 12, 31))),
        ("10/2024—12/2027", ParsedDeadline(K.range, date(2024, 10, 1), date(2027, 12, 31))),
        ("10 / 2024  –  12 / 2027", ParsedDeadline(K.range, date(2024, 10, 1), date(2027, 12, 31))),
        ("1/24 – 2/24", ParsedDeadline(K.range, date(2024, 1, 1), date(2024, 2, 29))),  # leap year
        ("2024 – 2027", ParsedDeadline(K.range, date(2024, 1, 1), date(2027, 12, 31))),
        ("2025/26", ParsedDeadline(K.range, date(2025, 1, 1), date(2026, 12, 31))),
        ("2025", ParsedDeadline(K.range, date(2025, 1, 1), date(2025, 12, 31))),
        ("2026-2026", ParsedDeadline(K.range, date(2026, 1, 1), date(2026, 12, 31))),
        ("2/2023", ParsedDeadline(K.due, None, date(2023, 2, 28))),
        ("do 12/2025", ParsedDeadline(K.due, None, date(2025, 12, 31))),
        ("09/2025", ParsedDeadline(K.due, None, date(2025, 9, 30))),
        ("2x ročně", ParsedDeadline(K.yearly, None, None, frequency=2)),
        ("Alespoň 2 x ročně", ParsedDeadline(K.yearly, None, None, frequency=2)),
        ("4× za rok", ParsedDeadline(K.yearly, None, None, frequency=4)),
        ("ročně", ParsedDeadline(K.yearly, None, None, frequency=1)),
        (
            "Dle  připravovaného\nzákona",
            ParsedDeadline(K.conditional, None, None, condition="Dle připravovaného zákona"),
        ),
        ("podle výsledku výzvy", ParsedDeadline(K.conditional, None, None, condition="podle výsledku výzvy")),
    ],
)
def test_variants(raw: str, expected: ParsedDeadline) -> None:
    assert parse_deadline(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        None,
        "asap",
        "do konce projektu",
        "dle",
        "13/2025",
        "0/2025",
        "12/2027 – 10/2024",
        "2027-2024",
        "0x ročně",
        "x ročně",
        "1x",
        "12/",
        "/2025",
        "-",
        "/",
        "99999/99999",
        "2024-2027-2028",
        "průběžně do",
        "12/2025 průběžně",
        "0000",
    ],
)
def test_unparseable_gives_unknown_and_never_raises(raw: str | None) -> None:
    assert parse_deadline(raw) == ParsedDeadline(K.unknown, None, None)


def test_two_digit_years_are_2000_plus() -> None:
    assert parse_deadline("12/99").end == date(2099, 12, 31)
    assert parse_deadline("1/00 – 12/00") == ParsedDeadline(K.range, date(2000, 1, 1), date(2000, 12, 31))


def test_kind_values_are_plain_strings() -> None:
    assert DeadlineKind("ongoing_range") is K.ongoing_range
    assert [kind.value for kind in DeadlineKind] == [
        "ongoing",
        "ongoing_until",
        "ongoing_from",
        "ongoing_range",
        "range",
        "due",
        "yearly",
        "conditional",
        "unknown",
    ]


def test_parsed_deadline_is_frozen() -> None:
    parsed = parse_deadline("12/2025")
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.end = date(2026, 1, 1)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "10/2024 – 12/2027",
            {
                "kind": "range",
                "start": "2024-10-01",
                "end": "2027-12-31",
                "frequency": None,
                "condition": None,
            },
        ),
        ("12/26", {"kind": "due", "start": None, "end": "2026-12-31", "frequency": None, "condition": None}),
        ("1x ročně", {"kind": "yearly", "start": None, "end": None, "frequency": 1, "condition": None}),
        (
            "dle připravovaného zákona",
            {
                "kind": "conditional",
                "start": None,
                "end": None,
                "frequency": None,
                "condition": "dle připravovaného zákona",
            },
        ),
        ("???", {"kind": "unknown", "start": None, "end": None, "frequency": None, "condition": None}),
    ],
)
def test_as_dict_is_json_friendly(raw: str, expected: dict[str, object]) -> None:
    as_dict = parse_deadline(raw).as_dict()
    assert as_dict == expected
    assert type(as_dict["kind"]) is str
    assert json.loads(json.dumps(as_dict)) == expected


Y2024 = (date(2024, 1, 1), date(2024, 12, 31))
Y2025 = (date(2025, 1, 1), date(2025, 12, 31))
Y2026 = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.mark.parametrize(
    ("raw", "period", "active"),
    [
        ("průběžně", Y2026, True),
        ("1x ročně", (date(2040, 1, 1), date(2040, 12, 31)), True),
        ("dle připravovaného zákona", Y2024, True),
        ("not a deadline", Y2024, True),  # unknown is never silently skipped
        ("12/2024", Y2024, True),  # A1.18: due within the period
        ("12/2024", Y2025, False),  # ... and past in the next one
        ("12/2025", Y2024, True),  # due later: being worked on
        ("2025-2027", Y2024, False),  # A1.19: not started yet in a 2024 round
        ("2025-2027", Y2025, True),
        ("10/2024 – 12/2027", (date(2024, 1, 1), date(2024, 9, 30)), False),
        ("10/2024 – 12/2027", (date(2024, 1, 1), date(2024, 10, 1)), True),  # bounds are inclusive
        ("10/2024 – 12/2025", (date(2025, 12, 31), date(2026, 6, 30)), True),
        ("10/2024 – 12/2025", Y2026, False),
        ("5/2023 – 4/2026", (date(2024, 1, 1), date(2025, 12, 31)), True),  # span covers the period
        ("Průběžně do 12/25", Y2025, True),
        ("Průběžně do 12/25", Y2026, False),
        ("2024-2027 průběžně", (date(2028, 1, 1), date(2028, 12, 31)), False),
        ("2024-2027 průběžně", Y2026, True),
    ],
)
def test_is_active_in(raw: str, period: tuple[date, date], active: bool) -> None:
    assert parse_deadline(raw).is_active_in(*period) is active


def test_is_active_in_rejects_a_reversed_period() -> None:
    with pytest.raises(ValueError, match="after its end"):
        parse_deadline("průběžně").is_active_in(date(2025, 1, 1), date(2024, 12, 31))


#: Forms of other Czech plans (issue 14 §2): seed 001's „Doba realizace“, city and municipal plans.
OTHER_FORMS: dict[str, ParsedDeadline] = {
    "2024+": ParsedDeadline(K.ongoing_from, date(2024, 1, 1), None),
    "2024 +": ParsedDeadline(K.ongoing_from, date(2024, 1, 1), None),
    "od 2024": ParsedDeadline(K.ongoing_from, date(2024, 1, 1), None),
    "od 10/2024": ParsedDeadline(K.ongoing_from, date(2024, 10, 1), None),
    "2024–2027": ParsedDeadline(K.range, date(2024, 1, 1), date(2027, 12, 31)),
    "do 2026": ParsedDeadline(K.due, None, date(2026, 12, 31)),
    "2. pololetí 2025": ParsedDeadline(K.range, date(2025, 7, 1), date(2025, 12, 31)),
    "1. pololetí 2026": ParsedDeadline(K.range, date(2026, 1, 1), date(2026, 6, 30)),
    "Q3 2025": ParsedDeadline(K.range, date(2025, 7, 1), date(2025, 9, 30)),
    "4. čtvrtletí 2025": ParsedDeadline(K.range, date(2025, 10, 1), date(2025, 12, 31)),
    "dle potřeby": ParsedDeadline(K.ongoing, None, None),
    "Podle potřeby": ParsedDeadline(K.ongoing, None, None),
    "průběžně": ParsedDeadline(K.ongoing, None, None),
    "únor 2008": ParsedDeadline(K.due, None, date(2008, 2, 29)),
    "březen – prosinec 2009": ParsedDeadline(K.range, date(2009, 3, 1), date(2009, 12, 31)),
    "září 2009 – červen 2010": ParsedDeadline(K.range, date(2009, 9, 1), date(2010, 6, 30)),
}


@pytest.mark.parametrize("raw", OTHER_FORMS)
def test_forms_of_other_plans(raw):
    assert parse_deadline(raw) == OTHER_FORMS[raw]


def test_open_ended_start_is_active_from_its_year_on():
    parsed = parse_deadline("2024+")
    assert parsed.is_active_in(date(2030, 1, 1), date(2030, 12, 31))
    assert not parsed.is_active_in(date(2023, 1, 1), date(2023, 12, 31))


@pytest.mark.parametrize("raw", ["2024++", "od roku", "Q5 2025", "3. pololetí 2025", "únor"])
def test_near_misses_stay_unknown(raw):
    assert parse_deadline(raw).kind == K.unknown
