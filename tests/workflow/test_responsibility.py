"""Tests of workflow.responsibility and the seed registry workflow.bodies_seed (DOMAIN.md §2.1, §2.2)."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from workflow.bodies_seed import BODY_KINDS, DEFAULT_BODY, REGION_BODY, SEED_BODIES
from workflow.responsibility import (
    LEMMA_PREFIX,
    NOT_A_BODY,
    Resolution,
    build_lookup,
    lemma_key,
    normalize_alias,
    resolve_responsibility,
    seed_lookup,
)

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "akcni-plan-2024-2025.json"

LOOKUP = seed_lookup()

#: The 20 distinct "Odpovědnost" values of seed 002 (DOMAIN.md §2.2) ->
#: (a row using it, bodies, used_default, all_departments).
REAL_VALUES: dict[str, tuple[str, tuple[str, ...], bool, bool]] = {
    "KÚ LK / OSV": ("A1.9", ("OSV",), False, False),
    "KÚ LK / OŠMTS": ("A1.4", ("OŠMTS",), False, False),
    "LK / OSV": ("A1.6", ("OSV",), False, False),
    "LK": ("A1.1", ("OSV",), True, False),
    "KÚ LK / ORREP": ("A1.3", ("ORREP",), False, False),
    "KÚ LK / OSV / OŠMTS": ("A1.22", ("OSV", "OŠMTS"), False, False),
    "KÚ LK": ("B2.1", ("OSV",), True, False),
    "KÚ LK / OZ": ("D1.4", ("OZ",), False, False),
    "LK, TUL": ("A1.8", ("LK", "TUL"), False, False),
    "KÚ LK / jednotlivé odbory": ("A1.13", ("OSV",), True, True),
    "KÚ LK / OSV + OZ": ("A1.17", ("OSV", "OZ"), False, False),
    "KÚ LK / OŠMTS / ORREP": ("A1.20", ("OŠMTS", "ORREP"), False, False),
    "KÚ LK / OSV / ORREP": ("A1.21", ("OSV", "ORREP"), False, False),
    "KÚ LK / OSV / odd. krizového řízení": ("B2.4", ("OSV", "odd. KŘ"), False, False),
    "KÚ LK / OSV + odd. tiskové a vnější vztahů": ("B2.6", ("OSV", "odd. TVV"), False, False),
    "KÚ LK / OZ / OSV": ("D1.3", ("OZ", "OSV"), False, False),
    "KÚ LK / odd. KŘ": ("D1.6", ("odd. KŘ",), False, False),
    "KÚLK / OSV / OŠMTS": ("D1.12", ("OSV", "OŠMTS"), False, False),
    "KÚLK / OŠMTS": ("D1.13", ("OŠMTS",), False, False),
    "KÚ LK /OŠMTS": ("E1.4", ("OŠMTS",), False, False),
}


def _real_rows() -> dict[str, str]:
    plan = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return {
        a["code"]: a["responsibility"]
        for area in plan["areas"]
        for goal in area["goals"]
        for a in goal["activities"]
    }


# --- normalize_alias -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("KÚ LK", "kú lk"),
        ("KÚLK", "kú lk"),
        ("  KÚ   LK\n", "kú lk"),
        ("KÚ LK /OŠMTS", "kú lk / ošmts"),
        ("KÚ LK/OŠMTS", "kú lk / ošmts"),
        ("OSV+OZ", "osv + oz"),
        ("MMR ČR – ASZ", "mmr čr - asz"),
        ("MMR ČR–ASZ", "mmr čr - asz"),
        ("MMR ČR - ASZ", "mmr čr - asz"),
        ("NNO,", "nno"),
        ("Odd. KŘ", "odd. kř"),
        (unicodedata.normalize("NFD", "OŠMTS"), "ošmts"),  # decomposed input
        ("ÚP\u00a0ČR", "úp čr"),  # non-breaking space
        ("KÚLKA", "kúlka"),  # only the whole word KÚLK is split
    ],
)
def test_normalize_alias(text: str, expected: str) -> None:
    assert normalize_alias(text) == expected


def test_normalize_alias_is_idempotent() -> None:
    for text in ("KÚLK / OSV+OZ", "Agentura pro sociální začleňování – MMR ČR"):
        assert normalize_alias(normalize_alias(text)) == normalize_alias(text)


# --- resolve_responsibility on the real data -----------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "row", "bodies", "used_default", "all_departments"),
    [(raw, *expected) for raw, expected in REAL_VALUES.items()],
    ids=[f"{row}:{raw}" for raw, (row, *_rest) in REAL_VALUES.items()],
)
def test_real_values(
    raw: str, row: str, bodies: tuple[str, ...], used_default: bool, all_departments: bool
) -> None:
    assert _real_rows()[row] == raw
    resolution = resolve_responsibility(raw, LOOKUP, DEFAULT_BODY)
    assert resolution == Resolution(
        raw=raw,
        bodies=bodies,
        used_default=used_default,
        all_departments=all_departments,
        unmatched=(),
        reasons=resolution.reasons,
    )
    assert bool(resolution.reason) is used_default


def test_real_data_has_exactly_these_20_values_and_all_resolve() -> None:
    rows = _real_rows()
    assert len(rows) == 72
    assert set(rows.values()) == set(REAL_VALUES)
    assert len(set(rows.values())) == 20
    for raw in rows.values():
        assert resolve_responsibility(raw, LOOKUP, DEFAULT_BODY).unmatched == ()


def test_real_data_lead_and_involvement_counts() -> None:
    """Counts of DOMAIN.md §2.2 "Result per row" and "Involvement counts"."""
    resolutions = [resolve_responsibility(raw, LOOKUP, DEFAULT_BODY) for raw in _real_rows().values()]
    named = [r for r in resolutions if not r.used_default]
    assert sum(r.used_default for r in resolutions) == 8  # LK ×5, KÚ LK ×2, jednotlivé odbory ×1
    assert sum(r.all_departments for r in resolutions) == 1
    assert Counter(r.lead for r in named) == {
        "OSV": 35,
        "OŠMTS": 20,
        "ORREP": 4,
        "OZ": 3,
        "odd. KŘ": 1,
        "LK": 1,
    }
    assert Counter(b for r in named for b in r.bodies) == {
        "OSV": 36,
        "OŠMTS": 24,
        "ORREP": 6,
        "OZ": 4,
        "odd. KŘ": 2,
        "odd. TVV": 1,
        "TUL": 1,
        "LK": 1,
    }
    assert sum(len(r.bodies) >= 2 for r in resolutions) == 11


# --- resolve_responsibility: grammar and fall-backs ----------------------------------------------


@pytest.mark.parametrize(
    ("raw", "bodies"),
    [
        ("Liberecký kraj / Odbor sociálních věcí", ("OSV",)),
        ("Krajský úřad Libereckého kraje / OZ + OSV", ("OZ", "OSV")),
        ("kú lk / ošmts / orrep", ("OŠMTS", "ORREP")),
        ("KÚ LK/OSV+OZ", ("OSV", "OZ")),
        ("KÚ / OSV", ("OSV",)),
        ("OSV + OZ", ("OSV", "OZ")),  # departments without the office
        ("OSV / OZ", ("OSV", "OZ")),
        ("KÚ LK / OSV, TUL", ("OSV", "TUL")),
        ("LK, TUL, MMR ČR – ASZ", ("LK", "TUL", "ASZ")),
        ("TUL, LK", ("TUL", "LK")),
        ("KÚ LK / OSV / OSV", ("OSV",)),  # duplicates dropped
        ("KÚ LK / OSV, LK / OSV", ("OSV",)),
        ("KÚ LK / OSV, ", ("OSV",)),  # trailing comma
        ("KÚ LK / odd. tiskové a vnějších vztahů", ("odd. TVV",)),
        ("Úřad práce, NNO", ("ÚP ČR", "NNO")),
    ],
)
def test_grammar(raw: str, bodies: tuple[str, ...]) -> None:
    resolution = resolve_responsibility(raw, LOOKUP, DEFAULT_BODY)
    assert resolution.bodies == bodies
    assert resolution.used_default is False
    assert resolution.unmatched == ()


@pytest.mark.parametrize(
    ("raw", "bodies", "used_default", "unmatched"),
    [
        ("", ("OSV",), True, ()),
        (None, ("OSV",), True, ()),
        ("  ,  ", ("OSV",), True, ()),
        ("Foo", ("OSV",), True, ("Foo",)),
        ("KÚ LK / Foo", ("OSV",), True, ("Foo",)),
        ("KÚ LK / Foo + Bar, Baz", ("OSV",), True, ("Foo", "Bar", "Baz")),
        ("KÚ LK / OSV / Foo", ("OSV",), False, ("Foo",)),
        ("Foo / OZ", ("OSV", "OZ"), True, ("Foo",)),  # the first name unrecognised: never a silent lead
        ("Foo / Bar", ("OSV",), True, ("Foo", "Bar")),  # source order
        ("SML / Odbor sociální péče", ("SML",), False, ("Odbor sociální péče",)),
        ("LK, obce", ("OSV",), True, ("obce",)),  # the region alone again: default
        ("DF LK", ("OSV",), True, ("DF LK",)),  # an instrument, not a body
    ],
)
def test_unmatched_tokens_are_kept(
    raw: str | None, bodies: tuple[str, ...], used_default: bool, unmatched: tuple[str, ...]
) -> None:
    resolution = resolve_responsibility(raw, LOOKUP, DEFAULT_BODY)
    assert (resolution.bodies, resolution.used_default, resolution.unmatched) == (
        bodies,
        used_default,
        unmatched,
    )


def test_all_departments_on_its_own_and_among_organisations() -> None:
    alone = resolve_responsibility("jednotlivé odbory", LOOKUP, DEFAULT_BODY)
    assert (alone.bodies, alone.used_default, alone.all_departments) == (("OSV",), True, True)
    mixed = resolve_responsibility("KÚ LK / jednotlivé odbory, TUL", LOOKUP, DEFAULT_BODY)
    assert (mixed.bodies, mixed.used_default, mixed.all_departments) == (("LK", "TUL"), False, True)


def test_default_body_is_a_parameter() -> None:
    assert resolve_responsibility("KÚ LK", LOOKUP, "ORREP").bodies == ("ORREP",)
    assert resolve_responsibility("KÚ LK / OZ", LOOKUP, "ORREP").bodies == ("OZ",)


def test_lookup_may_be_a_function() -> None:
    seen: list[str] = []

    def lookup(key: str) -> str | None:
        seen.append(key)
        return LOOKUP.get(key)

    assert resolve_responsibility("KÚLK / OSV + OZ", lookup, DEFAULT_BODY).bodies == ("OSV", "OZ")
    assert seen == ["kú lk", "osv", "oz"]  # keys arrive normalised


def test_lookup_built_from_database_rows() -> None:
    """Abbreviations other than the seed's, e.g. DB rows of another region."""
    lookup = build_lookup(
        [
            ("KRAJ", ["Liberecký kraj", "KÚ LK", "LK"]),
            ("SOC", ["Odbor sociálních věcí", "OSV"]),
            ("ZDR", ["OZ"]),
        ]
    )
    assert resolve_responsibility("KÚLK / OSV + OZ", lookup, "SOC", region="KRAJ").bodies == ("SOC", "ZDR")
    only_region = resolve_responsibility("LK", lookup, "SOC", region="KRAJ")
    assert (only_region.bodies, only_region.used_default) == (("SOC",), True)


def test_resolution_lead_and_as_dict() -> None:
    resolution = resolve_responsibility("KÚ LK / OZ / OSV", LOOKUP, DEFAULT_BODY)
    assert resolution.lead == "OZ"
    assert resolution.as_dict() == {
        "raw": "KÚ LK / OZ / OSV",
        "bodies": ["OZ", "OSV"],
        "used_default": False,
        "all_departments": False,
        "unmatched": [],
    }
    assert json.loads(json.dumps(resolution.as_dict(), ensure_ascii=False)) == resolution.as_dict()


# --- build_lookup ---------------------------------------------------------------------------------


def test_build_lookup_keys_are_normalised_and_include_the_abbreviation() -> None:
    lookup = build_lookup([("odd. KŘ", ["Oddělení krizového řízení", "Odd. KŘ"]), ("OSV", [])])
    exact = {key: value for key, value in lookup.items() if not key.startswith(LEMMA_PREFIX)}
    assert exact == {"odd. kř": "odd. KŘ", "oddělení krizového řízení": "odd. KŘ", "osv": "OSV"}
    assert lookup[LEMMA_PREFIX + lemma_key("oddělením krizového řízení")] == "odd. KŘ"


def test_build_lookup_rejects_a_shared_alias() -> None:
    with pytest.raises(ValueError, match="'KÚLK' names both 'LK' and 'KU'"):
        build_lookup([("LK", ["KÚ LK"]), ("KU", ["KÚLK"])])


def test_build_lookup_ignores_blank_aliases() -> None:
    assert build_lookup([("OSV", ["", "  "])]) == {"osv": "OSV", LEMMA_PREFIX + "osv": "OSV"}


# --- the seed registry ----------------------------------------------------------------------------


def test_seed_registry_is_consistent() -> None:
    abbreviations = [body["abbreviation"] for body in SEED_BODIES]
    assert len(abbreviations) == len(set(abbreviations))
    seen: set[str] = set()
    for body in SEED_BODIES:
        assert set(body) == {"abbreviation", "name", "kind", "parent", "aliases"}
        assert body["kind"] in BODY_KINDS
        assert body["name"].strip() == body["name"] != ""
        assert body["parent"] is None or body["parent"] in seen, (
            f"{body['abbreviation']}: parent listed later"
        )
        seen.add(body["abbreviation"])
    assert {DEFAULT_BODY, REGION_BODY} <= seen
    assert "DF LK" not in seen  # an instrument, not a body


def test_seed_registry_has_the_required_bodies() -> None:
    by_abbreviation = {body["abbreviation"]: body for body in SEED_BODIES}
    expected = {
        "LK": ("region", None),
        "OSV": ("department", "LK"),
        "OŠMTS": ("department", "LK"),
        "ORREP": ("department", "LK"),
        "OZ": ("department", "LK"),
        "OKPPaCR": ("department", "LK"),
        "odd. KŘ": ("unit", "LK"),
        "odd. TVV": ("unit", "LK"),
        "TUL": ("university", None),
        "ASZ": ("state_agency", "MMR"),
        "MMR": ("state_agency", None),
        "MPSV": ("state_agency", None),
        "MŠMT": ("state_agency", None),
        "MV": ("state_agency", None),
        "ÚP ČR": ("state_agency", None),
        "KHS LK": ("state_agency", None),
        "NPI": ("state_agency", None),
        "ARR LK": ("other", None),
        "SML": ("municipality", None),
        "Pakt zaměstnanosti": ("other", None),
        "NNO": ("ngo", None),
    }
    for abbreviation, (kind, parent) in expected.items():
        body = by_abbreviation[abbreviation]
        assert (body["kind"], body["parent"]) == (kind, parent), abbreviation


@pytest.mark.parametrize(
    ("spelling", "abbreviation"),
    [
        # The region and its office (DOMAIN.md §2.1).
        ("LK", "LK"),
        ("KÚ LK", "LK"),
        ("KÚLK", "LK"),
        ("KÚ", "LK"),
        ("Krajský úřad Libereckého kraje", "LK"),
        ("Liberecký kraj", "LK"),
        ("LiK", "LK"),
        # Units, with the source's spellings.
        ("odd. KŘ", "odd. KŘ"),
        ("Odd. KŘ", "odd. KŘ"),
        ("odd. krizového řízení", "odd. KŘ"),
        ("Oddělení krizového řízení", "odd. KŘ"),
        ("odd. tiskové a vnější vztahů", "odd. TVV"),
        ("odd. tiskové a vnějších vztahů", "odd. TVV"),
        # All spellings of ASZ (DOMAIN.md §2.1 "Spellings of ASZ").
        ("MMR ČR – ASZ", "ASZ"),
        ("MMR – ASZ", "ASZ"),
        ("ASZ", "ASZ"),
        ("ASZ MMR", "ASZ"),
        ("ASZ – MMR ČR", "ASZ"),
        ("Agentura pro sociální začleňování – MMR ČR", "ASZ"),
        ("Agentura pro sociální začleňování (MMR ČR)", "ASZ"),
        ("ASR MMR", "ASZ"),
        ("Agentura pro sociální začleňování", "ASZ"),
        # Others.
        ("MMR ČR", "MMR"),
        ("Úřad práce", "ÚP ČR"),
        ("ÚP ČR", "ÚP ČR"),
        ("KHS LK", "KHS LK"),
        ("KHS", "KHS LK"),
        ("ARR", "ARR LK"),
        ("ARR LK", "ARR LK"),
        ("NPI ČR", "NPI"),
        ("Pakt zaměstnanosti LK", "Pakt zaměstnanosti"),
        ("Statutární město Liberec", "SML"),
        ("Technická univerzita v Liberci", "TUL"),
        ("Nestátní neziskové organizace", "NNO"),
    ],
)
def test_seed_lookup_spellings(spelling: str, abbreviation: str) -> None:
    assert LOOKUP[normalize_alias(spelling)] == abbreviation


def test_seed_lookup_covers_the_bodies_of_the_abbreviation_list() -> None:
    """Every body of seed 002's "Seznam zkratek" resolves by abbreviation and by the name printed there."""
    plan = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    not_bodies = {"APK", "DVP", "EU", "OPZ+", "OP JAK", "ORP", "MAS", "DSO"}  # roles, programmes, categories
    listed = {
        abbreviation: name
        for abbreviation, name in plan["abbreviations"].items()
        if abbreviation not in not_bodies
    }
    assert len(listed) == 18
    for abbreviation, name in listed.items():
        assert normalize_alias(abbreviation) in LOOKUP, abbreviation
        assert LOOKUP.get(normalize_alias(name)) == LOOKUP[normalize_alias(abbreviation)], name


# --- the Czech grammar of free texts (seed 001's cards; issue 14 §3) ------------------------------

_GROUPS = build_lookup(
    [
        *((body["abbreviation"], [body["name"], *body["aliases"]]) for body in SEED_BODIES),
        ("obce", ["obce"]),
        ("PSS", ["poskytovatelé sociálních služeb"]),
    ]
)


@pytest.mark.parametrize(
    ("raw", "bodies", "cooperating"),
    [
        # „ve spolupráci s …“ introduces cooperating bodies up to the next comma, never the lead
        ("LK ve spolupráci s obcemi, poskytovatelé sociálních služeb", ("LK", "PSS"), ("obce",)),
        (
            "LK ve spolupráci s Agenturou pro sociální začleňování (MMR ČR), obce, poskytovatelé sociálních"
            " služeb",
            ("LK", "obce", "PSS"),
            ("ASZ",),
        ),
        ("Obce ve spolupráci s LK a ASZ", ("obce",), ("LK", "ASZ")),
        ("LK a obce ve spolupráci s poskytovateli sociálních služeb", ("LK", "obce"), ("PSS",)),
        ("OSV spolu s Úřadem práce", ("OSV",), ("ÚP ČR",)),
        ("OSV za podpory Agentury pro sociální začleňování", ("OSV",), ("ASZ",)),
        ("OSV; OZ", ("OSV", "OZ"), ()),
        ("obce a poskytovatelé sociálních služeb", ("obce", "PSS"), ()),
        # a partner that is responsible too is not listed as cooperating
        ("LK ve spolupráci s obcemi, poskytovatelé sociálních služeb, obce", ("LK", "PSS", "obce"), ()),
        # a qualification names no body
        ("LK v rámci metodické činnosti obcí, OSV", ("LK", "OSV"), ()),
        # inflected full names of the registry
        ("Odborem sociálních věcí", ("OSV",), ()),
        ("Technickou univerzitou v Liberci / OSV", ("TUL", "OSV"), ()),
    ],
)
def test_czech_grammar(raw: str, bodies: tuple[str, ...], cooperating: tuple[str, ...]) -> None:
    resolution = resolve_responsibility(raw, _GROUPS, DEFAULT_BODY)
    assert (resolution.bodies, resolution.cooperating, resolution.used_default) == (
        bodies,
        cooperating,
        False,
    )
    assert resolution.unmatched == ()


def test_unrecognised_first_name_is_never_a_silent_lead() -> None:
    resolution = resolve_responsibility("Obce ve spolupráci s LK a ASZ", LOOKUP, DEFAULT_BODY)
    assert resolution.bodies == ("OSV",) and resolution.used_default
    assert resolution.reason == "nerozpoznaný název „Obce“; zatím přiděleno výchozímu subjektu OSV"
    assert resolution.cooperating == ("LK", "ASZ") and resolution.unmatched == ("Obce",)
    partly = resolve_responsibility("poskytovatelé sociálních služeb, OZ", LOOKUP, DEFAULT_BODY)
    assert partly.bodies == ("OSV", "OZ") and partly.used_default
    assert partly.reason.startswith("nerozpoznaný název „poskytovatelé sociálních služeb“")


def test_reasons_state_the_real_cause() -> None:
    assert resolve_responsibility("LK", LOOKUP, DEFAULT_BODY).reason == (
        "odbor není uveden; přiděleno výchozímu subjektu OSV"
    )
    assert resolve_responsibility("", LOOKUP, DEFAULT_BODY).reason == (
        "odpovědnost není uvedena; přiděleno výchozímu subjektu OSV"
    )
    assert resolve_responsibility("KÚ LK / jednotlivé odbory", LOOKUP, DEFAULT_BODY).reason.startswith(
        "„jednotlivé odbory“"
    )
    assert resolve_responsibility("KÚ LK / OSV", LOOKUP, DEFAULT_BODY).reason == ""


def test_a_name_marked_not_a_body_is_skipped() -> None:
    lookup = {**LOOKUP, LEMMA_PREFIX + lemma_key("politik"): NOT_A_BODY}
    resolution = resolve_responsibility("politik, OSV, Rada MČ", lookup, DEFAULT_BODY)
    assert resolution.bodies == ("OSV",) and not resolution.used_default
    assert resolution.ignored == ("politik",) and resolution.unmatched == ("Rada MČ",)


def test_separators_inside_parentheses_and_known_names_with_commas_do_not_split() -> None:
    assert resolve_responsibility("SPOD (kraj, obce)", LOOKUP, DEFAULT_BODY).unmatched == (
        "SPOD (kraj, obce)",
    )
    resolution = resolve_responsibility("Odbor školství, mládeže, tělovýchovy a sportu", LOOKUP, DEFAULT_BODY)
    assert resolution.bodies == ("OŠMTS",) and not resolution.used_default


@pytest.mark.parametrize(
    ("inflected", "nominative"),
    [
        ("Agenturou pro sociální začleňování", "Agentura pro sociální začleňování"),
        ("obcemi", "obce"),
        ("poskytovateli sociálních služeb", "poskytovatelé sociálních služeb"),
        ("příspěvkovými organizacemi kraje", "příspěvkové organizace kraje"),
    ],
)
def test_lemma_key_joins_inflected_forms(inflected: str, nominative: str) -> None:
    assert lemma_key(inflected) == lemma_key(nominative) != ""


def test_a_lemma_two_bodies_share_is_ambiguous_and_left_out() -> None:
    lookup = build_lookup([("A", ["obce"]), ("B", ["obcemi"])])
    assert LEMMA_PREFIX + lemma_key("obce") not in lookup
    assert lookup["obce"] == "A" and lookup["obcemi"] == "B"  # exact spellings still decide
