"""The import pages: upload → (mapping) → preview → commit, permissions, and bad files."""

from __future__ import annotations

import io
import re

import pytest
from import_helpers import (
    REAL_CSV,
    REAL_JSON,
    REAL_XLSX,
    SEED_001_CARDS,
    SEED_001_HEADERS,
    bodies,  # noqa: F401
    csv_bytes,
    real_rows,
    row_counts,
    sign_in,
    xlsx_bytes,
)
from sqlalchemy import func, select

from web.extensions import db
from workflow.models import Activity, Plan, PlanImport
from workflow.states import Role

#: The upload's target: a new plan with the real plan's title and period (tests override it).
NEW_PLAN = {
    "plan_id": "novy",
    "title": "Akční plán sociálního začleňování Libereckého kraje",
    "period": "2024–2025",
}


def _upload(client, content: bytes, filename: str, **fields):
    target = {} if fields.get("plan_id", "novy") != "novy" else NEW_PLAN
    data = {"file": (io.BytesIO(content), filename), **target, "default_body": "OSV", **fields}
    return client.post("/import", data=data, content_type="multipart/form-data")


@pytest.fixture
def secretary(client, make_user):
    user = make_user("tajemnik@kraj-lbc.cz", roles=[Role.secretary])
    sign_in(client, user)
    return user


def test_secretary_uploads_previews_and_commits_the_real_plan(client, secretary):
    page = client.get("/import")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Import plánu" in text and 'enctype="multipart/form-data"' in text
    assert "Zatím žádné importy" in text

    response = _upload(client, REAL_XLSX.read_bytes(), "akcni-plan-2024-2025.xlsx")
    assert response.status_code == 302
    record = db.session.scalars(select(PlanImport)).one()
    assert response.headers["Location"].endswith(f"/import/{record.id}")
    assert record.status == "pending" and record.content == REAL_XLSX.read_bytes()
    assert record.created_by_id == secretary.id
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0  # nothing imported yet

    preview = client.get(f"/import/{record.id}")
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "Vznikne nový plán „Akční plán sociálního začleňování Libereckého kraje“" in html
    for name, value in (
        ("level-1", 5),
        ("level-2", 8),
        ("activities", 72),
        ("created", 72),
        ("updated", 0),
        ("unchanged", 0),
    ):
        assert f'data-count="{name}">{value}</dd>' in html
    assert "K revizi: 8 aktivit" in html
    assert "odbor není uveden; přiděleno výchozímu subjektu OSV: " in html  # the cause, then the codes
    assert html.count("needs-review table-warning") == 8
    assert "k revizi" in html
    a120 = re.search(r'<th scope="row" class="activity-code"[^>]*>A1\.20</th>(.*?)</tr>', html, re.S).group(1)
    assert a120.index("OŠMTS") < a120.index("ORREP") and "gestor" in a120
    assert "Monitoring plnění akčního plánu 2024–2025" in html
    assert f'action="/import/{record.id}/potvrdit"' in html

    committed = client.post(f"/import/{record.id}/potvrdit")
    assert committed.status_code == 302
    plan = db.session.scalars(select(Plan)).one()
    assert committed.headers["Location"].endswith(f"/plany/{plan.id}")
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 72
    db.session.refresh(record)
    assert record.status == "committed" and record.plan_id == plan.id and record.committed_at is not None
    assert record.report["created"] == 72 and record.report["routing_review"][0] == "A1.1"

    done = client.get(f"/import/{record.id}").get_data(as_text=True)
    assert "Import dokončen" in done and "Otevřít plán" in done
    # A second commit of the same upload does nothing.
    assert client.post(f"/import/{record.id}/potvrdit").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 72
    assert "akcni-plan-2024-2025.xlsx" in client.get("/import").get_data(as_text=True)


def test_reimport_into_an_existing_plan_shows_no_changes(client, secretary):
    _upload(client, REAL_JSON.read_bytes(), "plan.json")
    client.post(f"/import/{db.session.scalars(select(PlanImport.id)).one()}/potvrdit")
    plan = db.session.scalars(select(Plan)).one()

    response = _upload(client, REAL_CSV.read_bytes(), "plan.csv", plan_id=str(plan.id))
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Aktualizuje se plán" in html
    assert 'data-count="unchanged">72</dd>' in html and 'data-count="created">0</dd>' in html


def test_bad_file_shows_czech_row_and_column_error_and_writes_nothing(client, secretary, bodies):  # noqa: F811
    rows = real_rows()
    rows[11][2] = "A1.2"
    before = row_counts()
    response = _upload(client, csv_bytes(rows), "plan.csv")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Soubor nelze importovat. Nic nebylo uloženo." in html
    assert "<td>12</td>" in html and "<td>Číslo</td>" in html
    assert "Kód „A1.2“ je v souboru dvakrát: na řádcích 3 a 12." in html
    assert row_counts() == before


def test_not_a_spreadsheet_and_encoding_errors_in_the_browser(client, secretary, bodies):  # noqa: F811
    before = row_counts()
    png = _upload(client, b"\x89PNG\r\n\x1a\n\x00\x00", "plan.xlsx")
    assert png.status_code == 422 and "je obrázek PNG, ne tabulka" in png.get_data(as_text=True)
    cp1250 = _upload(client, "Číslo;Popis dílčí aktivity\r\nA1.1;Příliš\r\n".encode("cp1250"), "plan.csv")
    assert "Soubor není v kódování UTF-8 (první nečitelný znak na řádku 1)" in cp1250.get_data(as_text=True)
    assert row_counts() == before


#: Seed 001's cards with a description column the import does not recognise („Popis karty“).
OTHER_HEADERS = [*SEED_001_HEADERS[:-1], "Popis karty"]


def test_mapping_step_for_a_table_with_other_columns(client, secretary):
    content = csv_bytes([OTHER_HEADERS, *SEED_001_CARDS], delimiter=";", bom=True)
    response = _upload(
        client,
        content,
        "karty.csv",
        title="Karty SPRSS",
        period="2024–2026",
        level_names="Oblast, Cíl, Karta",
    )
    record = db.session.scalars(select(PlanImport)).one()
    assert response.headers["Location"].endswith(f"/import/{record.id}/mapovani")

    page = client.get(f"/import/{record.id}/mapovani")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for header in OTHER_HEADERS:
        assert header in html
    # Recognised columns are pre-selected; the rest default to „Ponechat jako atribut“.
    code_select = re.search(r'<select[^>]*name="col_0"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert re.search(r'<option selected value="code">|<option value="code" selected>', code_select)
    title_select = re.search(r'<select[^>]*name="col_1"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert re.search(r'<option selected value="title">|<option value="title" selected>', title_select)
    assert "Ponechat jako atribut" in html
    assert 'for="col_1"' in html  # every select has a label
    assert "Rodiny s dětmi, mládež do 26 let" in html  # sample values

    # A mapping without a description column is refused, with the reason.
    incomplete = {f"col_{i}": "extra" for i in range(len(OTHER_HEADERS))} | {"col_0": "code"}
    refused = client.post(f"/import/{record.id}/mapovani", data=incomplete)
    assert refused.status_code == 422
    assert "Chybí sloupec „Popis dílčí aktivity“" in refused.get_data(as_text=True)

    mapping = {"Popis karty": "description", "Předpokládané náklady": "ignore"}
    chosen = {
        f"col_{i}": mapping.get(header) or {"Číslo aktivity": "code", "Název aktivity": "title",
                                            "Doba realizace": "deadline",
                                            "Odpovědnost za realizaci": "responsibility"}.get(header, "extra")
        for i, header in enumerate(OTHER_HEADERS)
    }
    saved = client.post(f"/import/{record.id}/mapovani", data=chosen)
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/import/{record.id}")
    db.session.refresh(record)
    assert record.mapping["columns"]["Popis karty"] == "description"

    html = client.get(f"/import/{record.id}").get_data(as_text=True)
    assert 'data-count="activities">4</dd>' in html
    assert "„Předpokládané náklady“ → <span class=\"text-danger\">(ignorovat) – sloupec se neuloží" in html
    assert "„Zdroje financování“ → Ponechat jako atribut" in html
    assert "Nerozpoznané subjekty v odpovědnosti" in html and "poskytovatelé sociálních služeb" in html
    assert client.post(f"/import/{record.id}/potvrdit").status_code == 302
    plan = db.session.scalars(select(Plan).where(Plan.title == "Karty SPRSS")).one()
    assert plan.level_names == ["Oblast", "Cíl", "Karta"] and plan.period == "2024–2026"
    assert plan.import_mapping["columns"]["Popis karty"] == "description"
    card = db.session.scalars(select(Activity).where(Activity.code == "1.1.1")).one()
    assert card.title == "Podpora rodiny v přirozeném prostředí"
    assert card.description == SEED_001_CARDS[0][7]
    assert list(card.extra) == ["Cílové skupiny uživatelů", "Zdroje financování"]  # source order
    assert card.extra["Zdroje financování"] == "EU, MPSV, LK, obce"

    # The next upload of the same file into that plan asks nothing and changes nothing.
    again = _upload(client, content, "karty.csv", plan_id=str(plan.id))
    assert again.status_code == 302 and not again.headers["Location"].endswith("/mapovani")
    html = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "uložené s plánem při jeho minulém importu" in html
    assert 'data-count="unchanged">4</dd>' in html and 'data-count="updated">0</dd>' in html


def test_the_target_must_be_chosen_and_a_new_plan_needs_title_and_period(client, secretary, bodies):  # noqa: F811
    page = client.get("/import").get_data(as_text=True)
    assert "— zvolte cíl importu —" in page and "Nový plán (zadejte název a období)" in page
    before = row_counts()
    data = {"file": (io.BytesIO(REAL_CSV.read_bytes()), "plan.csv"), "default_body": "OSV"}
    no_target = client.post("/import", data=data, content_type="multipart/form-data")
    assert no_target.status_code == 422
    refusal = "Zvolte cíl importu: nový plán, nebo plán, který se má aktualizovat."
    assert refusal in no_target.get_data(as_text=True)
    bare = _upload(client, REAL_CSV.read_bytes(), "plan.csv", title="", period="")
    assert bare.status_code == 422
    html = bare.get_data(as_text=True)
    assert "Nový plán potřebuje název." in html and "Nový plán potřebuje období" in html
    assert row_counts() == before


def test_cancel_discards_the_upload(client, secretary):
    _upload(client, REAL_CSV.read_bytes(), "plan.csv")
    record_id = db.session.scalars(select(PlanImport.id)).one()
    response = client.post(f"/import/{record_id}/zrusit")
    assert response.status_code == 302 and response.headers["Location"].endswith("/import")
    assert db.session.scalar(select(func.count()).select_from(PlanImport)) == 0
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0
    assert client.get(f"/import/{record_id}").status_code == 404


def test_admin_may_import_others_may_not(client, make_user, bodies):  # noqa: F811
    admin = make_user("spravce@kraj-lbc.cz", roles=[Role.admin])
    sign_in(client, admin)
    assert client.get("/import").status_code == 200
    _upload(client, REAL_CSV.read_bytes(), "plan.csv")
    record_id = db.session.scalars(select(PlanImport.id)).one()
    client.post("/odhlaseni")

    for index, role in enumerate((Role.contributor, Role.head, Role.reviewer, Role.commission)):
        user = make_user(f"uzivatel{index}@kraj-lbc.cz", roles=[role], bodies=["OSV"])
        sign_in(client, user)
        assert client.get("/import").status_code == 403
        assert _upload(client, REAL_CSV.read_bytes(), "plan.csv").status_code == 403
        assert client.get(f"/import/{record_id}").status_code == 403
        assert client.get(f"/import/{record_id}/mapovani").status_code == 403
        assert client.post(f"/import/{record_id}/potvrdit").status_code == 403
        assert client.post(f"/import/{record_id}/zrusit").status_code == 403
        client.post("/odhlaseni")
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0
    assert db.session.scalar(select(func.count()).select_from(PlanImport)) == 1

    anonymous = client.get("/import")
    assert anonymous.status_code == 302 and "/prihlaseni" in anonymous.headers["Location"]


def test_commit_needs_the_csrf_token(app, client, secretary):
    _upload(client, REAL_CSV.read_bytes(), "plan.csv")
    record_id = db.session.scalars(select(PlanImport.id)).one()
    client.auto_csrf = False  # from here on the client sends only what the test gives it

    assert client.post(f"/import/{record_id}/potvrdit").status_code == 400
    assert client.post(f"/import/{record_id}/zrusit").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0

    page = client.get(f"/import/{record_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(f"/import/{record_id}/potvrdit", data={"csrf_token": token}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 72


def test_mapping_page_gives_every_sheet_a_role_and_maps_level_sheet_columns(client, secretary, bodies):  # noqa: F811
    measures = [
        ["Strategický cíl", "Specifický cíl", "Kód opatření", "Název opatření", "Aktivity"],
        ["2 – Sociální oblast", "2.1 Sociální oblast", "2.1.1", "Podpora kapacit", "► navyšování kapacit"],
    ]
    goals = [["Kód", "Specifický cíl", "Popis"], ["2.1", "Sociální oblast", "Optimalizujeme kapacity."],
             ["2.2", "Zdravotnictví", "Posilujeme prevenci."]]
    content = xlsx_bytes(measures, sheet="Opatření", extra={"Specifické cíle": goals, "Poznámky": [["x"]]})
    response = _upload(client, content, "sml.xlsx", title="SML 2021+", period="2021–2027")
    record = db.session.scalars(select(PlanImport)).one()
    assert response.headers["Location"].endswith(f"/import/{record.id}/mapovani")  # „Aktivity“ unknown

    html = client.get(f"/import/{record.id}/mapovani").get_data(as_text=True)
    assert "Listy sešitu" in html and "Sloupce listů s popisy úrovní" in html
    assert "Specifické cíle › Specifický cíl" in html
    assert "sloupce listu nejsou rozpoznány" in html  # „Poznámky“, with the reason
    chosen = {"col_0": "level1", "col_1": "level2", "col_2": "code", "col_3": "title", "col_4": "description",
              "sheet_0": "activities", "sheet_1": "levels", "sheet_2": "ignored",
              "lvl_0": "code", "lvl_1": "title", "lvl_2": "description"}
    saved = client.post(f"/import/{record.id}/mapovani", data=chosen)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    preview = client.get(f"/import/{record.id}").get_data(as_text=True)
    assert 'data-count="level-2">2</dd>' in preview and "„Poznámky“</strong> → Nepoužít" in preview
    assert client.post(f"/import/{record.id}/potvrdit").status_code == 302
    plan = db.session.scalars(select(Plan).where(Plan.title == "SML 2021+")).one()
    assert plan.import_mapping["columns"]["Specifické cíle!Specifický cíl"] == "title"
    goal = next(g for a in plan.roots for g in a.children if g.code == "2.2")
    assert (goal.title, goal.description) == ("Zdravotnictví", "Posilujeme prevenci.")


def test_a_flat_list_through_the_browser_with_its_own_level_name(client, secretary, bodies):  # noqa: F811
    rows = [["Č.", "Popis aktivity", "Termín", "Zodpovědnost"],
            ["1", "Zřídit komisi", "únor 2008", "Rada MČ"],
            ["2", "Pasport bytů", "březen – prosinec 2009", "OSV"]]
    refused = _upload(client, csv_bytes(rows), "mc.csv", title="Akční plán MČ", period="2008–2009",
                      level_names="A, B, C, D, E, F")
    assert refused.status_code == 422 and "Zadejte 1 až 5 názvů" in refused.get_data(as_text=True)
    response = _upload(client, csv_bytes(rows), "mc.csv", title="Akční plán MČ", period="2008–2009",
                       level_names="Opatření")
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-count="levels">bez úrovní (prostý seznam)</dd>' in preview
    assert 'data-count="activities">2</dd>' in preview
    assert client.post(response.headers["Location"] + "/potvrdit").status_code == 302
    plan = db.session.scalars(select(Plan).where(Plan.title == "Akční plán MČ")).one()
    assert (plan.level_names, plan.levels, [a.code for a in plan.activities]) == (["Opatření"], 0, ["1", "2"])
