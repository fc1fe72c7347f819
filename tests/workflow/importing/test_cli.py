"""The data commands: ``flask import-plan`` and ``flask seed-demo``."""

from __future__ import annotations

import json

from import_helpers import (
    REAL_CSV,
    REAL_XLSX,
    SEED_001_CARDS,
    SEED_001_HEADERS,
    SEED_001_MAPPING,
    csv_bytes,
    real_rows,
    row_counts,
)
from sqlalchemy import func, select

from devdata.demo import DEMO_PASSWORD, body_slug
from web.extensions import db
from workflow.models import Activity, Body, Plan, User
from workflow.passwords import verify_password
from workflow.states import Role

#: The real plan as a new plan: the CLI's target is always explicit.
NEW_REAL = [
    "--new-plan",
    "--title",
    "Akční plán sociálního začleňování Libereckého kraje",
    "--period",
    "2024–2025",
]


def test_import_plan_prints_a_czech_summary(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-plan", str(REAL_XLSX), *NEW_REAL])
    assert result.exit_code == 0, result.output
    assert (
        "Import souboru akcni-plan-2024-2025.xlsx → "
        "nový plán „Akční plán sociálního začleňování Libereckého kraje“ (id " in result.output
    )
    assert "Okruh: 5, Cíl: 8, Aktivita: 72" in result.output
    assert "Import vytvořil 72 aktivit, změnil 0, beze změny 0." in result.output
    assert "Minulé kolo „Monitoring plnění akčního plánu 2024–2025“: 72 textů „Plnění“." in result.output
    assert (
        "K revizi – přiřazeno výchozímu subjektu OSV (8): A1.1, A1.2, A1.13, A2.1, A2.3, A2.7, B2.1, D1.2"
        in result.output
    )
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 72

    assert "Listy sešitu (2):" in result.output
    assert "„Akční plán“: Aktivity (list „Akční plán“; 73 řádků)" in result.output
    assert "„Cíle“: Popisy úrovní" in result.output
    assert "„Číslo“ → Kód aktivity" in result.output
    assert "„Plnění“ → Plnění (text za minulé období)" in result.output
    assert "Sloupce listu „Cíle“ (popisy úrovní):" in result.output
    assert "„Komentář“ → Komentář" in result.output
    plan = db.session.scalars(select(Plan)).one()
    again = runner.invoke(args=["import-plan", str(REAL_CSV), "--plan-id", str(plan.id)])
    assert again.exit_code == 0, again.output
    assert "Import vytvořil 0 aktivit, změnil 0, beze změny 72." in again.output
    assert "Změněných záznamů: 0" in again.output
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 1


def test_import_plan_dry_run_writes_nothing(app):
    result = app.test_cli_runner().invoke(args=["import-plan", str(REAL_CSV), "--dry-run", *NEW_REAL])
    assert result.exit_code == 0, result.output
    assert "Zkušební import" in result.output and "Nových aktivit: 72" in result.output
    assert "Zkušební běh: nic nebylo uloženo." in result.output
    db.session.expire_all()
    assert sum(row_counts().values()) == 0


def test_import_plan_bad_file_exits_non_zero_with_row_and_column(app, tmp_path):
    rows = real_rows()
    rows[11][2] = "A1.2"
    rows[20][2] = ""
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes(rows))
    result = app.test_cli_runner().invoke(args=["import-plan", str(path), *NEW_REAL])
    assert result.exit_code == 1
    assert "Soubor plan.csv nelze importovat, nic nebylo uloženo:" in result.output
    assert "Řádek 12, sloupec „Číslo“: Kód „A1.2“ je v souboru dvakrát: na řádcích 3 a 12." in result.output
    assert "Řádek 21, sloupec „Číslo“: Chybí kód aktivity." in result.output
    db.session.expire_all()
    assert sum(row_counts().values()) == 0


def test_import_plan_with_mapping_and_metadata(app, tmp_path):
    path = tmp_path / "karty.csv"
    path.write_bytes(csv_bytes([SEED_001_HEADERS, *SEED_001_CARDS], delimiter=";"))
    mapping = ",".join(f"{header}={field}" for header, field in SEED_001_MAPPING.items())
    args = [
        "import-plan",
        str(path),
        "--new-plan",
        "--mapping",
        mapping,
        "--title",
        "Karty SPRSS",
        "--period",
        "2024–2026",
        "--strategy",
        "SPRSS LK",
        "--levels",
        "Oblast, Cíl, Karta",
    ]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Oblast: 2, Cíl: 2, Karta: 4" in result.output
    assert "Nerozpoznané subjekty v „Odpovědnost“" in result.output
    assert "2.1.1: „obce“" in result.output
    plan = db.session.scalars(select(Plan).where(Plan.title == "Karty SPRSS")).one()
    assert (plan.period, plan.strategy, plan.level_names) == (
        "2024–2026",
        "SPRSS LK",
        ["Oblast", "Cíl", "Karta"],
    )

    mapping_file = tmp_path / "mapping.json"
    mapping_file.write_text(json.dumps(SEED_001_MAPPING, ensure_ascii=False), encoding="utf-8")
    again = app.test_cli_runner().invoke(
        args=["import-plan", str(path), "--mapping", str(mapping_file), "--plan-id", str(plan.id)]
    )
    assert again.exit_code == 0, again.output
    assert "beze změny 4" in again.output
    # Without --mapping the mapping saved with the plan is used: no questions, 0 changes.
    third = app.test_cli_runner().invoke(args=["import-plan", str(path), "--plan-id", str(plan.id)])
    assert third.exit_code == 0, third.output
    assert "Mapování sloupců: uložené s plánem při jeho minulém importu." in third.output
    assert "beze změny 4" in third.output and "Změněných záznamů: 0" in third.output
    assert "„Předpokládané náklady“ → (ignorovat)" in third.output


def test_import_plan_accepts_the_czech_labels_the_web_shows(app, tmp_path):
    path = tmp_path / "karty.csv"
    headers = [*SEED_001_HEADERS[:-1], "Text karty"]
    path.write_bytes(csv_bytes([headers, *SEED_001_CARDS], delimiter=";"))
    mapping = (
        "Text karty=Popis aktivity,Název aktivity=Název,Předpokládané náklady=(ignorovat),"
        "Zdroje financování=Ponechat jako atribut"
    )
    result = app.test_cli_runner().invoke(
        args=["import-plan", str(path), "--new-plan", "--title", "Karty", "--period", "2024–2026",
              "--mapping", mapping]
    )
    assert result.exit_code == 0, result.output
    assert "„Text karty“ → Popis aktivity" in result.output and "„Název aktivity“ → Název" in result.output
    card = db.session.scalars(select(Activity).where(Activity.code == "1.1.1")).one()
    assert card.title == SEED_001_CARDS[0][1] and card.description == SEED_001_CARDS[0][7]
    assert list(card.extra) == ["Cílové skupiny uživatelů", "Zdroje financování"]


def test_import_plan_usage_errors(app, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["import-plan", str(REAL_CSV), "--mapping", "Číslo", *NEW_REAL]).exit_code == 2
    assert runner.invoke(args=["import-plan", str(REAL_CSV), "--plan-id", "999"]).exit_code == 2
    too_many = ["import-plan", str(REAL_CSV), "--levels", "A,B,C,D,E,F", *NEW_REAL]
    assert runner.invoke(args=too_many).exit_code == 2
    # Fewer levels than the file's level columns: refused with the column named, nothing dropped.
    fewer = runner.invoke(args=["import-plan", str(REAL_CSV), "--levels", "Okruh,Aktivita", *NEW_REAL])
    assert fewer.exit_code == 1 and "Sloupec „Cíl“ je 2. úroveň" in fewer.output
    assert runner.invoke(args=["import-plan", str(tmp_path / "missing.csv")]).exit_code == 2


def test_import_plan_target_is_explicit(app):
    runner = app.test_cli_runner()
    nothing = runner.invoke(args=["import-plan", str(REAL_CSV)])
    assert nothing.exit_code == 2 and "Zvolte cíl importu: --plan-id N" in nothing.output
    both = runner.invoke(args=["import-plan", str(REAL_CSV), "--plan-id", "1", *NEW_REAL])
    assert both.exit_code == 2
    untitled = runner.invoke(args=["import-plan", str(REAL_CSV), "--new-plan", "--period", "2024–2025"])
    assert untitled.exit_code == 2 and "potřebuje název (--title) a období (--period)" in untitled.output
    db.session.expire_all()
    assert sum(row_counts().values()) == 0


def test_body_slug():
    assert [body_slug(a) for a in ("OSV", "OŠMTS", "odd. KŘ", "odd. TVV", "ÚP ČR")] == [
        "osv",
        "osmts",
        "odd-kr",
        "odd-tvv",
        "up-cr",
    ]


def test_seed_demo_loads_the_plan_and_accounts_idempotently(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Aktivita: 72" in result.output
    assert f"Heslo všech demo účtů: {DEMO_PASSWORD}" in result.output
    assert "spravce@demo.kraj-lbc.cz" in result.output
    assert "zpracovatel.osmts@demo.kraj-lbc.cz" in result.output

    db.session.expire_all()
    users = {u.email: u for u in db.session.scalars(select(User))}
    assert users["spravce@demo.kraj-lbc.cz"].roles == {Role.admin}
    assert users["tajemnik@demo.kraj-lbc.cz"].roles == {Role.secretary}
    assert users["hodnotitel@demo.kraj-lbc.cz"].roles == {Role.reviewer}
    assert users["komise@demo.kraj-lbc.cz"].roles == {Role.commission}
    routed = {"LK", "OSV", "OŠMTS", "ORREP", "OZ", "odd. KŘ", "odd. TVV", "TUL"}
    for abbreviation in routed:
        slug = body_slug(abbreviation)
        contributor = users[f"zpracovatel.{slug}@demo.kraj-lbc.cz"]
        head = users[f"vedouci.{slug}@demo.kraj-lbc.cz"]
        assert contributor.roles == {Role.contributor} and head.roles == {Role.head}
        assert (
            [b.abbreviation for b in contributor.bodies]
            == [abbreviation]
            == [b.abbreviation for b in head.bodies]
        )
    assert len(users) == 4 + 2 * len(routed)
    assert verify_password(users["zpracovatel.odd-kr@demo.kraj-lbc.cz"].password_hash, DEMO_PASSWORD)
    assert db.session.scalar(select(func.count()).select_from(Body)) >= 20

    counts = row_counts()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "nových subjektů 0, nových účtů 0" in again.output
    db.session.expire_all()
    after = row_counts()
    # The second import of the demo plan is recorded in its import history, with no changes.
    assert after["plan_imports"] == counts["plan_imports"] + 1
    assert after["plan_import_changes"] == counts["plan_import_changes"]
    skipped = {"audit_events", "plan_imports"}
    assert {k: v for k, v in after.items() if k not in skipped} == {
        k: v for k, v in counts.items() if k not in skipped
    }


def test_seed_demo_refuses_production(app, monkeypatch):
    monkeypatch.setitem(app.config, "PLNENI_ENV", "production")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "seed-demo nelze spustit v produkčním prostředí" in result.output
    assert sum(row_counts().values()) == 0
