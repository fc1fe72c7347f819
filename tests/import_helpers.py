"""Helpers and fixtures of the plan-import tests: the real data, table builders, row counts.

Imported by name (``from import_helpers import …``) rather than through a second ``conftest.py``,
which would shadow the root one for ``from conftest import …``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from web.extensions import db
from workflow.bodies import ensure_seed_bodies

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_ROOT / "data"
REAL_JSON = DATA_DIR / "akcni-plan-2024-2025.json"
REAL_CSV = DATA_DIR / "akcni-plan-2024-2025.csv"
REAL_XLSX = DATA_DIR / "akcni-plan-2024-2025.xlsx"
PASSWORD = "správné-heslo-1234"  # the root conftest's TEST_PASSWORD (make_user uses it)

REAL_HEADERS = [
    "Okruh",
    "Cíl",
    "Číslo",
    "Popis dílčí aktivity",
    "Indikátor plnění",
    "Termín plnění",
    "Odpovědnost",
    "Dotčená opatření krajské strategie",
    "Plnění",
    "Spolupráce",
]

#: Four activity cards of the social-services plan (seed 001, lines 8–330), copied as printed.
SEED_001_HEADERS = [
    "Číslo aktivity",
    "Název aktivity",
    "Cílové skupiny uživatelů",
    "Doba realizace",
    "Odpovědnost za realizaci",
    "Předpokládané náklady",
    "Zdroje financování",
    "Popis aktivity a její výstupy",
]
SEED_001_CARDS = [
    [
        "1.1.1",
        "Podpora rodiny v přirozeném prostředí",
        "Rodiny s dětmi, mládež do 26 let",
        "2024+",
        "LK ve spolupráci s obcemi, poskytovatelé sociálních služeb, obce",
        "Dle rozvojových záměrů definovaných zadavateli sociálních služeb, provoz služeb v ZS LK",
        "EU, MPSV, LK, obce",
        "Podpora, rozvoj a stabilizace dostupnosti ambulantních a terénních sociálních služeb zaměřených "
        "na sanaci rodiny jako prevence umístění dětí do ústavní péče a systémová podpora rodin s dětmi "
        "v Libereckém kraji.",
    ],
    [
        "1.1.2",
        "Posílení krizové pomoci rodinám s dětmi",
        "Rodiny s dětmi",
        "2024+",
        "LK ve spolupráci s obcemi LK, poskytovatelé sociálních služeb",
        "Dle rozvojových záměrů definovaných zadavateli sociálních služeb, provoz služeb v ZS LK",
        "EU, MPSV, LK, obce",
        "Posílení a stabilizaci služeb pro rodiny s dětmi vyžadující okamžité řešení nepříznivé sociální "
        "situace, která ohrožuje základní funkce rodiny.",
    ],
    [
        "1.1.4",
        "Podpora zaměřená na pečující osoby",
        "Rodiny s dětmi s PAS, pečující osoby",
        "2024+",
        "LK ve spolupráci s obcemi, poskytovatelé sociálních služeb",
        "Dle rozvojových záměrů definovaných zadavateli sociálních služeb, provoz služeb v ZS LK",
        "EU, MPSV, LK, obce",
        "Podpora rozvoje služeb Homesharingu, jehož hlavní myšlenkou je zachovat přirozený způsob podpory "
        "dětí s PAS.",
    ],
    [
        "2.1.1",
        "Zvýšení dostupnosti terénní péče",
        "Senioři 65+",
        "2024+",
        "LK, obce, poskytovatelé sociálních služeb",
        "viz ZS LK, rozvojové záměry zadavatelů služeb",
        "EU, MPSV, LK, obce, uživatelé sociálních služeb",
        "Podpora zaměřena na zajištění kvalitní a dostupné podpory ze strany sociálních služeb "
        "v přirozeném domácím prostředí.",
    ],
]
SEED_001_MAPPING = {
    "Číslo aktivity": "code",
    "Název aktivity": "description",
    "Doba realizace": "deadline",
    "Odpovědnost za realizaci": "responsibility",
    "Předpokládané náklady": "ignore",
}


def real_document() -> dict[str, Any]:
    """The real plan's JSON form, parsed."""
    return json.loads(REAL_JSON.read_text(encoding="utf-8"))


def real_activities() -> dict[str, dict[str, Any]]:
    """Activities of the JSON keyed by code, each with ``area`` and ``goal`` codes added."""
    result = {}
    for area in real_document()["areas"]:
        for goal in area["goals"]:
            for activity in goal["activities"]:
                result[activity["code"]] = {**activity, "area": area["code"], "goal": goal["code"]}
    return result


def real_rows() -> list[list[str]]:
    """The real activity table (header + 72 rows) as read from the CSV."""
    with REAL_CSV.open(encoding="utf-8-sig", newline="") as handle:
        return [list(row) for row in csv.reader(handle)]


def xlsx_bytes(
    rows: list[list[Any]], sheet: str = "Akční plán", extra: dict[str, list[list[Any]]] | None = None
) -> bytes:
    """An XLSX workbook with ``rows`` on ``sheet`` (and more sheets from ``extra``)."""
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    for title, more in (extra or {}).items():
        other = workbook.create_sheet(title)
        for row in more:
            other.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(
    rows: list[list[Any]], *, delimiter: str = ",", bom: bool = False, encoding: str = "utf-8"
) -> bytes:
    """A CSV file (RFC 4180 quoting) of ``rows``."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode(encoding, errors="replace")
    return (b"\xef\xbb\xbf" + data) if bom else data


def row_counts() -> dict[str, int]:
    """Number of rows in every table of the schema but the caches' bookkeeping
    (``cache_generations``: a row per kind of data from the migrations on, not data anyone saved)."""
    return {
        table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
        if table.name != "cache_generations"
    }


def sign_in(client: FlaskClient, user: Any) -> None:
    """Sign ``user`` in through the real form (as the root conftest's ``login``)."""
    response = client.post("/prihlaseni", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture
def bodies(app: Any) -> None:
    """The seed registry of bodies, committed."""
    ensure_seed_bodies()
    db.session.commit()
