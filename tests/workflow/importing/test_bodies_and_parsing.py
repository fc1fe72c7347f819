"""The body registry service and the pure parts of the import (codes, cells, tables)."""

from __future__ import annotations

from datetime import date

import pytest
from import_helpers import csv_bytes, real_rows, xlsx_bytes
from sqlalchemy import func, select

from web.extensions import db
from workflow.bodies import body_lookup, ensure_seed_bodies, fold_text
from workflow.bodies_seed import SEED_BODIES
from workflow.codes import natural_key
from workflow.importing import PlanImportError, period_dates, sort_key
from workflow.importing.mapping import guess_mapping, normalize_header, recognise_header
from workflow.importing.parsing import derive_parents, split_code_and_title
from workflow.importing.readers import read_source
from workflow.models import Body, BodyAlias
from workflow.responsibility import resolve_responsibility

MB = 10 * 1024 * 1024


def test_ensure_seed_bodies_is_idempotent_with_aliases_parents_and_search_text(app):
    assert ensure_seed_bodies() == len(SEED_BODIES)
    db.session.commit()
    aliases = db.session.scalar(select(func.count()).select_from(BodyAlias))
    assert ensure_seed_bodies() == 0
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Body)) == len(SEED_BODIES)
    assert db.session.scalar(select(func.count()).select_from(BodyAlias)) == aliases

    bodies = {b.abbreviation: b for b in db.session.scalars(select(Body))}
    osmts = bodies["OŠMTS"]
    assert osmts.name == "Odbor školství, mládeže, tělovýchovy a sportu"
    assert osmts.kind == "department" and osmts.parent is bodies["LK"]
    assert bodies["ASZ"].parent is bodies["MMR"]
    assert (
        osmts.search_text
        == "osmts odbor skolstvi, mladeze, telovychovy a sportu odbor skolstvi, telovychovy a sportu"
    )
    assert "kú lk" not in bodies["LK"].search_text and "ku lk" in bodies["LK"].search_text
    assert {a.alias for a in bodies["odd. KŘ"].aliases} == {
        "odd. krizového řízení"
    }  # "Odd. KŘ" is the abbreviation


def test_ensure_seed_bodies_keeps_edits_and_adds_missing(app):
    db.session.add(Body(abbreviation="OSV", name="Odbor sociálních věcí (upraveno)", kind="department"))
    db.session.commit()
    assert ensure_seed_bodies() == len(SEED_BODIES) - 1
    osv = db.session.scalars(select(Body).where(Body.abbreviation == "OSV")).one()
    assert osv.name == "Odbor sociálních věcí (upraveno)"
    assert osv.parent.abbreviation == "LK"
    assert "Odbor sociálních věcí KÚ LK" in {a.alias for a in osv.aliases}


def test_body_lookup_resolves_all_spellings_from_the_database(app):
    ensure_seed_bodies()
    db.session.add(
        Body(
            abbreviation="OD",
            name="Odbor dopravy",
            kind="department",
            aliases=[
                BodyAlias(alias="doprava", normalized="doprava"),
            ],
        )
    )
    db.session.flush()
    lookup = body_lookup()
    assert lookup["kú lk"] == "LK" and lookup["odd. kř"] == "odd. KŘ"
    assert lookup["odbor školství, tělovýchovy a sportu"] == "OŠMTS"
    assert lookup["doprava"] == "OD"
    cases = {
        "KÚLK / OSV / OŠMTS": ("OSV", "OŠMTS"),
        "KÚ LK /OŠMTS": ("OŠMTS",),
        "KÚ LK / odd. krizového řízení": ("odd. KŘ",),
        "LK, TUL": ("LK", "TUL"),
        "KÚ LK / OD + OSV": ("OD", "OSV"),
    }
    for raw, expected in cases.items():
        assert resolve_responsibility(raw, lookup, "OSV").bodies == expected


def test_fold_text():
    assert fold_text("Odbor ŠKOLSTVÍ, Řízení") == "odbor skolstvi, rizeni"


def test_sort_key_orders_like_natural_key():
    codes = ["B1.1", "A1.10", "A1.2", "A2.1", "A1.1", "1.1.10", "1.1.2", "1.2.1", "A10.1", "AB1.1", "A1.2a"]
    assert sorted(codes, key=sort_key) == sorted(codes, key=natural_key)
    assert sort_key("A1.2") < sort_key("A1.10")
    assert set(sort_key("Č1.2")) <= set("0123456789abcdefghijklmnopqrstuvwxyz")


def test_code_helpers():
    assert derive_parents("A1.2", 2) == ["A", "A1"]
    assert derive_parents("1.1.1", 2) == ["1", "1.1"]
    assert derive_parents("1.1.1.1", 3) == ["1", "1.1", "1.1.1"]
    assert derive_parents("A1.2.3", 2) == ["A", "A1"]
    assert derive_parents("A1", 2) == ["A", None]
    assert derive_parents("7", 0) == []
    assert split_code_and_title("A Systémová opatření") == ("A", "Systémová opatření")
    assert split_code_and_title("A1 Mezioborová spolupráce") == ("A1", "Mezioborová spolupráce")
    assert split_code_and_title("D1") == ("D1", "")
    assert split_code_and_title("2.1. Příprava na stárnutí populace") == (
        "2.1",
        "Příprava na stárnutí populace",
    )
    assert split_code_and_title("Systémová opatření") == (None, "Systémová opatření")
    assert period_dates("2024–2025") == (date(2024, 1, 1), date(2025, 12, 31))
    assert period_dates("2024") == (date(2024, 1, 1), date(2024, 12, 31))
    assert period_dates("od loňska") is None


def test_headers_are_recognised_case_and_accent_insensitively():
    assert recognise_header("CISLO") == "code"
    assert recognise_header("  popis  dílčí aktivity ") == "description"
    assert recognise_header("Dotčené cíle krajské strategie") == "strategy_refs"
    assert recognise_header("Plnění (Komentář)") == "fulfilment"
    assert recognise_header("Zdroje financování") is None
    assert normalize_header("Termín  plnění:") == "termin plneni"
    assert guess_mapping(["Číslo", "Kód", "Poznámka"]) == {
        "Číslo": "code",
        "Kód": "extra",
        "Poznámka": "extra",
    }


def test_csv_with_bom_semicolons_and_quoted_newlines():
    rows = real_rows()
    table = read_source(csv_bytes(rows, delimiter=";", bom=True), "plan.csv", max_bytes=MB)
    assert table.headers == rows[0]
    assert len(table.rows) == 72
    b12 = next(r for r in table.rows if r.cells[2] == "B1.2")
    assert b12.cells[-1] == "Agentura pro sociální začleňování – MMR ČR\nobce, NNO"
    assert b12.number == 34
    tabbed = read_source(csv_bytes(rows, delimiter="\t"), "plan.txt", max_bytes=MB)
    assert tabbed.headers == rows[0]


def test_xlsx_header_below_a_title_row_and_extra_unnamed_column():
    rows = real_rows()
    sheet = [
        ["Akční plán 2024–2025"],
        [],
        rows[0],
        *[[*row, "poznámka" if i == 0 else None] for i, row in enumerate(rows[1:])],
    ]
    table = read_source(xlsx_bytes(sheet, sheet="List1"), "plan.xlsx", max_bytes=MB)
    assert table.sheet == "List1" and table.header_row == 3
    assert table.headers[-1] == "Sloupec K"
    assert table.rows[0].number == 4 and table.rows[0].cells[-1] == "poznámka"


def test_numbers_and_dates_in_xlsx_cells_become_text():
    sheet = [
        ["Číslo", "Popis dílčí aktivity", "Termín plnění", "Indikátor plnění"],
        ["A1.1", "Popis", date(2025, 12, 1), 15.0],
    ]
    table = read_source(xlsx_bytes(sheet), "plan.xlsx", max_bytes=MB)
    assert table.rows[0].cells == ["A1.1", "Popis", "1. 12. 2025", "15"]


@pytest.mark.parametrize(("filename", "fmt"), [("plan.json", "json"), ("plan", "json"), ("plan.csv", "csv")])
def test_json_is_recognised_by_suffix_or_content(filename, fmt):
    content = b'{"areas": [], "title": "x"}\n'
    if fmt == "json":
        assert read_source(content, filename, max_bytes=MB).format == "json"
    else:  # a .csv file is read as CSV whatever it holds: one header row, no data
        with pytest.raises(PlanImportError) as error:
            read_source(content, filename, max_bytes=MB)
        assert error.value.codes == ["no_data_rows"]
