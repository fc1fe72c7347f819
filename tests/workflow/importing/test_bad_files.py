"""Files that cannot be imported: each names its row and column in Czech and writes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from import_helpers import REAL_JSON, csv_bytes, real_rows, row_counts, xlsx_bytes

from web.extensions import db
from workflow.importing import (
    PlanImportError,
    commit_import,
    import_plan_file,
    preview_import,
    real_plan_options,
)

Case = tuple[bytes, str, dict[str, Any]]


def _rows(change: Callable[[list[list[str]]], None] | None = None) -> list[list[str]]:
    rows = real_rows()
    if change:
        change(rows)
    return rows


def _set(row: int, column: str, value: str) -> Callable[[list[list[str]]], None]:
    """Change the cell at spreadsheet row ``row`` (header = 1) in ``column``."""

    def change(rows: list[list[str]]) -> None:
        rows[row - 1][rows[0].index(column)] = value

    return change


def _without(column: str) -> list[list[str]]:
    rows = real_rows()
    index = rows[0].index(column)
    return [row[:index] + row[index + 1 :] for row in rows]


def _formula_workbook() -> bytes:
    rows: list[list[Any]] = _rows()
    rows[4][rows[0].index("Indikátor plnění")] = "=1+1"
    rows[9][rows[0].index("Termín plnění")] = '=CONCATENATE("12/","2025")'
    return xlsx_bytes(rows)


def _malformed_json() -> bytes:
    text = REAL_JSON.read_text(encoding="utf-8")
    return text.replace('"period": "2024–2025",', '"period": "2024–2025"', 1).encode()


def _json_with_goal_in_wrong_area() -> bytes:
    document = json.loads(REAL_JSON.read_text(encoding="utf-8"))
    document["areas"][1]["goals"][0]["code"] = "A1"  # area B holding goal A1
    return json.dumps(document, ensure_ascii=False).encode()


CASES: dict[str, tuple[Callable[[], Case], list[tuple[str, int | None, str | None, str]]]] = {
    "missing Číslo header": (
        lambda: (csv_bytes(_without("Číslo")), "plan.csv", {}),
        [("missing_header", 1, "Číslo", "Chybí sloupec „Číslo“")],
    ),
    "missing Popis header": (
        lambda: (xlsx_bytes(_without("Popis dílčí aktivity")), "plan.xlsx", {}),
        [("missing_header", 1, "Popis dílčí aktivity", "Chybí sloupec „Popis dílčí aktivity“")],
    ),
    "unknown header in mapping": (
        lambda: (csv_bytes(_rows()), "plan.csv", {"mapping": {"Název karty": "description"}}),
        [("unknown_header", 1, "Název karty", "Sloupec „Název karty“ uvedený v mapování v souboru není")],
    ),
    "unknown field in mapping": (
        lambda: (csv_bytes(_rows()), "plan.csv", {"mapping": {"Spolupráce": "partneri"}}),
        [("unknown_field", 1, "Spolupráce", "Pole „partneri“ v mapování sloupce „Spolupráce“ neznáme")],
    ),
    "empty code": (
        lambda: (xlsx_bytes(_rows(_set(7, "Číslo", ""))), "plan.xlsx", {}),
        [("empty_code", 7, "Číslo", "Chybí kód aktivity")],
    ),
    "duplicate code": (
        lambda: (csv_bytes(_rows(_set(12, "Číslo", "A1.2"))), "plan.csv", {}),
        [("duplicate_code", 12, "Číslo", "Kód „A1.2“ je v souboru dvakrát: na řádcích 3 a 12")],
    ),
    "invalid code": (
        lambda: (csv_bytes(_rows(_set(5, "Číslo", "A1..4 (nová)")), delimiter=";"), "plan.csv", {}),
        [("invalid_code", 5, "Číslo", "Kód „A1..4 (nová)“ nemá platný tvar")],
    ),
    "goal outside its area": (
        lambda: (xlsx_bytes(_rows(_set(30, "Okruh", "B Osvěta, komunikace"))), "plan.xlsx", {}),
        [("level_mismatch", 30, "Cíl", "„A2“ nepatří pod „B“")],
    ),
    "goal outside its area (JSON)": (
        lambda: (_json_with_goal_in_wrong_area(), "plan.json", {}),
        [("level_mismatch", None, "code", "Cíl „A1“ nepatří do okruhu „B“")],
    ),
    "activity outside its goal": (
        lambda: (csv_bytes(_rows(_set(4, "Číslo", "A2.99"))), "plan.csv", {}),
        [("activity_level_mismatch", 4, "Číslo", "Aktivita „A2.99“ nepatří pod „A1“")],
    ),
    "PNG named .xlsx": (
        lambda: (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "plan.xlsx", {}),
        [("not_spreadsheet", None, None, "je obrázek PNG, ne tabulka")],
    ),
    "text file named .xlsx": (
        lambda: ("Číslo;Popis\nA1.1;text\n".encode(), "plan.xlsx", {}),
        [("not_spreadsheet", None, None, "Soubor „plan.xlsx“ není sešit XLSX")],
    ),
    "corrupt zip named .xlsx": (
        lambda: (b"PK\x03\x04" + b"not really a zip" * 10, "plan.xlsx", {}),
        [("not_spreadsheet", None, None, "nelze otevřít jako sešit XLSX")],
    ),
    "cp1250 CSV": (
        lambda: (csv_bytes(_rows(), delimiter=";", encoding="cp1250", bom=False), "plan.csv", {}),
        [("encoding", 1, None, "Soubor není v kódování UTF-8 (první nečitelný znak na řádku 1)")],
    ),
    "cp1250 CSV with ASCII header": (
        lambda: (b"Cislo;Popis\r\nA1.1;ok\r\nA1.2;" + "Řádek v cp1250".encode("cp1250"), "plan.csv", {}),
        [("encoding", 3, None, "Soubor není v kódování UTF-8 (první nečitelný znak na řádku 3)")],
    ),
    "formula cells": (
        lambda: (_formula_workbook(), "plan.xlsx", {}),
        [
            ("formula", 5, "Indikátor plnění", "Buňka E5 listu „Akční plán“ obsahuje vzorec (=1+1)"),
            ("formula", 10, "Termín plnění", "Buňka F10 listu „Akční plán“ obsahuje vzorec"),
        ],
    ),
    "empty file": (
        lambda: (b"  \r\n", "plan.csv", {}),
        [("empty_file", None, None, "Soubor je prázdný")],
    ),
    "header only": (
        lambda: (xlsx_bytes(_rows()[:1]), "plan.xlsx", {}),
        [("no_data_rows", 1, None, "Tabulka má jen záhlaví (řádek 1) a žádné řádky s aktivitami")],
    ),
    "malformed JSON": (
        lambda: (_malformed_json(), "plan.json", {}),
        [("malformed_json", 4, None, "Soubor není platný JSON: chyba na řádku 4")],
    ),
    "JSON of another shape": (
        lambda: (b'{"activities": []}', "plan.json", {}),
        [("invalid_json_structure", None, "areas", "očekává se objekt s polem „areas“")],
    ),
    "broken CSV quoting": (
        lambda: ('Číslo,Popis dílčí aktivity\nA1.1,"neuzavřené\n'.encode(), "plan.csv", {}),
        [("malformed_csv", 2, None, "Soubor CSV je poškozený na řádku 2")],
    ),
    "unsupported type": (
        lambda: (b"%PDF-1.7 ...", "plan.pdf", {}),
        [("not_spreadsheet", None, None, "je dokument PDF, ne tabulka")],
    ),
}


@pytest.fixture
def existing_plan(app):
    """The real plan already imported, so a bad re-import could damage something."""
    result = import_plan_file(REAL_JSON, options=real_plan_options())
    db.session.commit()
    return result.plan


@pytest.mark.parametrize("case", CASES)
def test_bad_file_names_row_and_column_and_writes_nothing(existing_plan, case):
    build, expected = CASES[case]
    content, filename, kwargs = build()
    kwargs = {"plan": existing_plan, **kwargs}  # a re-import of the plan: nothing of it may change
    before = row_counts()

    with pytest.raises(PlanImportError) as preview_error:
        preview_import(content, filename, **kwargs)
    with pytest.raises(PlanImportError) as commit_error:
        commit_import(content, filename, **kwargs)
    db.session.rollback()

    assert row_counts() == before
    for error in (preview_error.value, commit_error.value):
        assert [(i.code, i.row, i.column) for i in error.issues] == [(c, r, col) for c, r, col, _ in expected]
        for issue, (_, _, _, message) in zip(error.issues, expected, strict=True):
            assert message in issue.message
    # The printable form names the place in Czech.
    first = commit_error.value.issues[0]
    if first.row is not None:
        assert str(first).startswith(f"Řádek {first.row}")


def test_over_the_size_limit(existing_plan):
    content = b"x" * (10 * 1024 * 1024 + 1)
    before = row_counts()
    with pytest.raises(PlanImportError) as error:
        commit_import(content, "plan.csv", plan=existing_plan)
    db.session.rollback()
    assert row_counts() == before
    assert error.value.codes == ["too_large"]
    assert (
        error.value.issues[0].message
        == "Soubor je příliš velký: má 10,1 MB, největší povolená velikost je 10 MB."
    )


def test_size_limit_follows_configuration(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_IMPORT_BYTES", 2048)
    with pytest.raises(PlanImportError) as error:
        preview_import(csv_bytes(real_rows()), "plan.csv")
    assert error.value.codes == ["too_large"]
    assert error.value.issues[0].message.endswith("největší povolená velikost je 2 kB.")


def test_all_problems_of_a_file_are_reported_together(existing_plan):
    rows = real_rows()
    rows[2][2] = ""  # row 3: empty code
    rows[5][2] = "A1.1"  # row 6: duplicate of row 2
    rows[8][2] = "??"  # row 9: invalid code
    rows[40][0] = "E Kvalita"  # row 41: goal B2 or C1 outside area E
    before = row_counts()
    with pytest.raises(PlanImportError) as error:
        commit_import(csv_bytes(rows), "plan.csv", plan=existing_plan)
    db.session.rollback()
    assert row_counts() == before
    assert [(i.code, i.row) for i in error.value.issues] == [
        ("empty_code", 3),
        ("duplicate_code", 6),
        ("invalid_code", 9),
        ("level_mismatch", 41),
    ]


def test_issues_are_capped(app):
    rows = [["Číslo", "Popis dílčí aktivity"]] + [["A1.1", f"popis {i}"] for i in range(80)]
    with pytest.raises(PlanImportError) as error:
        preview_import(csv_bytes(rows), "plan.csv")
    issues = error.value.issues
    assert len(issues) == 51
    assert issues[-1].code == "too_many_issues"
    assert issues[-1].message == "… a dalších 29 chyb (zobrazeno prvních 50)."


def test_unknown_default_body(existing_plan):
    from workflow.importing import ImportOptions

    with pytest.raises(PlanImportError) as error:
        preview_import(REAL_JSON.read_bytes(), "plan.json", options=ImportOptions(default_body="XYZ"),
                       plan=existing_plan)
    assert error.value.codes == ["unknown_default_body"]
    assert "Výchozí subjekt „XYZ“ není v registru subjektů" in error.value.issues[0].message
