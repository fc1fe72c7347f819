"""The content model of the report of the imported 2024–2025 round (seed 002)."""

from __future__ import annotations

from report_fixtures import expected_plan, expected_rows, imported_round

from workflow.report import COLUMNS, STANDARD_COLUMNS, blank_placeholder, build_report, used_abbreviations


def test_report_has_all_72_activities_with_the_datas_texts(real_plan):
    content = build_report(imported_round())
    rows = content.rows
    expected = expected_rows()
    assert len(rows) == 72
    assert [r.code for r in rows] == [act["code"] for _, _, act in expected]
    placed = [(g.code, row) for a in content.blocks for g in a.children for row in g.rows]
    for (goal, row), (_, goal_code, act) in zip(placed, expected, strict=True):
        assert goal == goal_code, row.code
        assert row.fulfilment == act["fulfilment"], row.code
        assert row.description == act["description"]
        # the plan's placeholders („---------“) print as empty cells (issue 16)
        assert row.indicator == blank_placeholder(act["indicator"])
        assert row.deadline == blank_placeholder(act["deadline"])
        assert row.responsibility == blank_placeholder(act["responsibility"])
        assert row.cooperation == blank_placeholder(act["cooperation"])
    assert any(act["cooperation"] == "---------" for _, _, act in expected)  # the rule is exercised


def test_goals_and_areas_in_document_order(real_plan):
    content = build_report(imported_round())
    assert [a.code for a in content.blocks] == ["A", "B", "C", "D", "E"]
    assert [(g.code, len(g.rows)) for a in content.blocks for g in a.children] == [
        ("A1", 22),
        ("A2", 7),
        ("A3", 2),
        ("B1", 2),
        ("B2", 8),
        ("C1", 12),
        ("D1", 13),
        ("E1", 6),
    ]
    a = content.blocks[0]
    assert a.title == "Systémová opatření"
    assert a.description.startswith("Okruh opatření A: reaguje na potřebnost")
    a2 = a.children[1]
    assert a2.coordination and a2.coordination[0]["strategy"].startswith(
        "Strategie rozvoje Libereckého kraje"
    )
    assert content.closed_on is not None
    assert content.period == "1. 1. 2024 – 31. 12. 2025"  # the round's period, not the plan's (issue 16)
    assert len(COLUMNS) == 9 and COLUMNS[6] == "Plnění" and COLUMNS[7] == "Komentář"


def test_list_of_abbreviations_only_what_the_report_uses(real_plan):
    content = build_report(imported_round())
    defined = expected_plan()["abbreviations"]
    used = {a["abbreviation"] for a in content.abbreviations}
    assert used <= set(defined)
    assert {"LK", "OSV", "ASZ", "MPSV", "TUL", "OPZ+"} <= used
    # „SPOD“ (sociálně-právní ochrana dětí) is used in A1.5 but missing from the plan's list.
    assert "SPOD" in content.undefined_abbreviations
    assert "LK" not in content.undefined_abbreviations
    assert "X" not in content.undefined_abbreviations and "IX" not in content.undefined_abbreviations


def test_used_abbreviations_rules():
    used, undefined = used_abbreviations(
        ["Projekt OPZ+ a ÚP ČR, také NNO; kapitola IX. Zkratka XYZ bez vysvětlení.", "LKA není LK"],
        {
            "OPZ+": "Operační program Zaměstnanost +",
            "ÚP ČR": "Úřad práce",
            "NNO": "Nestátní",
            "MV": "Ministerstvo",
        },
    )
    assert [u["abbreviation"] for u in used] == ["NNO", "OPZ+", "ÚP ČR"]
    assert undefined == ["LK", "LKA", "XYZ"]
    # names and references are not acronyms: resolution numbers, legal forms, names in capitals
    _, undefined = used_abbreviations(
        [
            "usnesení Rady č. 647/24/RK ze dne 14. 5. 2024; zřizovatel ADRA, z. s.; v rámci EDUCA VISIT;"
            " platí GDPR a ZŠ Jabloneček, OSV + OZ"
        ],
        {"OSV": "Odbor sociálních věcí"},
    )
    assert undefined == ["GDPR", "OZ", "ZŠ"]


def test_the_shipped_plan_keeps_its_nine_columns(real_plan):
    """The shipped plan has no titles and no further attributes (issue 14): its report's columns
    are exactly :data:`COLUMNS`, live and from the snapshot, and no row carries a title or one."""
    for content in (build_report(imported_round()), build_report(imported_round(), live=True)):
        assert content.columns == list(STANDARD_COLUMNS)
        assert content.column_labels == list(COLUMNS)
        assert all(row.title == "" and row.attributes == [] for row in content.rows)
        assert all(row.cells(content.columns) == row.cells() for row in content.rows)
    assert not any(a.title or a.extra for a in real_plan.activities)
