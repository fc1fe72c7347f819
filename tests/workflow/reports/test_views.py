"""Report pages, downloads, the report API, permissions and query counts."""

from __future__ import annotations

import io
import json
import re

import pytest
import report_fixtures as fixtures
from openpyxl import load_workbook
from report_fixtures import expected_plan, imported_round
from support import REAL_PLAN_JSON, count_statements, login

from web.extensions import db
from workflow.importing import import_plan_file
from workflow.models import Consolidation, ReportExport
from workflow.states import Role

ctx, opened, people = fixtures.ctx, fixtures.opened, fixtures.people


@pytest.fixture
def commission_client(client, make_user, real_plan):
    login(client, make_user("komise@kraj-lbc.cz", roles=[Role.commission]))
    return client


def test_report_page_shows_every_activity_and_the_layout(commission_client):
    round_ = imported_round()
    html = _whole_report(commission_client, round_.id)
    assert html.count('id="aktivita-') == 72
    assert "OKRUH OPATŘENÍ" in html and "SEZNAM ZKRATEK" in html
    assert "Zkratky použité bez vysvětlení" in html and "SPOD" in html
    assert "Upravit souhrn" not in html  # the commission reads only; the round is closed anyway


def _whole_report(client, round_id: int) -> str:
    """Every screen page of the report (paged by area), joined."""
    first = client.get(f"/kola/{round_id}/zprava")
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    pages = max([int(n) for n in re.findall(r"zprava\?strana=(\d+)", html)] or [1])
    for page in range(2, pages + 1):
        html += client.get(f"/kola/{round_id}/zprava?strana={page}").get_data(as_text=True)
    return html


def test_contributor_may_not_read_reports(client, make_user, real_plan):
    login(client, make_user("zpracovatel@kraj-lbc.cz", roles=[Role.contributor], bodies=["OSV"]))
    round_ = imported_round()
    assert client.get(f"/kola/{round_.id}/zprava").status_code == 403
    assert client.get(f"/kola/{round_.id}/zprava.pdf").status_code == 403
    assert client.get(f"/api/v1/rounds/{round_.id}/report").status_code == 403


def test_anonymous_is_sent_to_sign_in_and_api_gets_401(client, real_plan):
    round_ = imported_round()
    assert client.get(f"/kola/{round_.id}/zprava").status_code == 302
    response = client.get(f"/api/v1/rounds/{round_.id}/report")
    assert response.status_code == 401 and response.get_json()["status"] == 401


@pytest.mark.parametrize(
    "fmt,mimetype,magic",
    [
        ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK"),
        ("csv", "text/csv", b"\xef\xbb\xbf"),
        ("html", "text/html", b"<!doctype html>"),
    ],
)
def test_downloads_per_format_are_cached_by_content(commission_client, fmt, mimetype, magic):
    round_ = imported_round()
    response = commission_client.get(f"/kola/{round_.id}/zprava.{fmt}")
    assert response.status_code == 200
    assert response.mimetype == mimetype
    assert response.data.startswith(magic)
    if fmt != "html":
        assert "attachment" in response.headers["Content-Disposition"]
    again = commission_client.get(f"/kola/{round_.id}/zprava.{fmt}")
    assert again.data == response.data
    exports = db.session.query(ReportExport).filter_by(round_id=round_.id, fmt=fmt).all()
    assert len(exports) == 1 and exports[0].state == "ready" and exports[0].progress == 100


def test_unknown_format_is_404(commission_client):
    round_ = imported_round()
    assert commission_client.get(f"/kola/{round_.id}/zprava.exe").status_code == 404
    assert commission_client.get(f"/api/v1/rounds/{round_.id}/report.exe").status_code == 404


def test_api_report_json_carries_the_consolidated_content(commission_client):
    round_ = imported_round()
    response = commission_client.get(f"/api/v1/rounds/{round_.id}/report")
    assert response.status_code == 200
    data = response.get_json()
    assert data["columns"][6] == "Plnění"
    rows = [r for a in data["blocks"] for g in a["children"] for r in g["rows"]]
    assert len(rows) == 72
    expected = {
        act["code"]: act["fulfilment"]
        for a in expected_plan()["areas"]
        for g in a["goals"]
        for act in g["activities"]
    }
    assert {r["code"]: r["fulfilment"] for r in rows} == expected
    assert len(data["content_hash"]) == 64


def test_api_report_file_with_bearer_token(client, make_user, real_plan):
    from workflow.tokens import create_api_token

    user = make_user("komise@kraj-lbc.cz", roles=[Role.commission])
    _, secret = create_api_token(user, "test")
    db.session.commit()
    round_ = imported_round()
    response = client.get(
        f"/api/v1/rounds/{round_.id}/report.xlsx", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.data))
    assert wb["Plnění"].max_row == 73


def test_background_export_task_builds_the_file_and_the_progress_page(commission_client, app):
    from workflow.tasks import build_report_export

    round_ = imported_round()
    response = commission_client.post(
        f"/kola/{round_.id}/zprava/export", data={"fmt": "xlsx", "sections": ["statistics"]}
    )
    assert response.status_code == 302
    export = db.session.query(ReportExport).filter_by(round_id=round_.id, fmt="xlsx").one()
    assert export.options == "statistics"
    page = commission_client.get(response.headers["Location"], headers={"HX-Request": "true"})
    assert 'hx-trigger="every 2s"' in page.get_data(as_text=True)
    assert build_report_export(export.id) == "ready"
    db.session.expire_all()
    page = commission_client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "Soubor je připravený" in html and "hx-trigger" not in html
    file = commission_client.get(f"/kola/{round_.id}/zprava/export/{export.id}/soubor")
    assert file.status_code == 200 and file.data.startswith(b"PK")
    # asking again for the same content reuses the built file
    commission_client.post(
        f"/kola/{round_.id}/zprava/export", data={"fmt": "xlsx", "sections": ["statistics"]}
    )
    assert db.session.query(ReportExport).filter_by(round_id=round_.id, fmt="xlsx").count() == 1


def test_statistics_page_has_accessible_svg_and_tables(commission_client):
    round_ = imported_round()
    response = commission_client.get(f"/kola/{round_.id}/statistika")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('role="img"') >= 1 and "<title id=" in html and "<desc id=" in html
    assert "A Systémová opatření" in html
    # all 72 imported activities have no status: they are counted as „Neuvedeno“
    assert ">31<" in html  # area A's total


def test_period_report_lists_texts_per_round(commission_client):
    round_ = imported_round()
    response = commission_client.get(f"/plany/{round_.plan_id}/zprava-za-obdobi")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert round_.title in html
    assert "Komise byla znovu zřízena" in html


# ----------------------------------------------------------------------------- query counts


def _plan_file(tmp_path, title: str, count: int):
    data = json.loads(REAL_PLAN_JSON.read_text(encoding="utf-8"))
    data["title"] = title
    left = count
    for area in data["areas"]:
        for goal in area["goals"]:
            goal["activities"] = goal["activities"][:left]
            left -= len(goal["activities"])
        area["goals"] = [g for g in area["goals"] if g["activities"]]
    data["areas"] = [a for a in data["areas"] if a["goals"]]
    path = tmp_path / f"plan-{count}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_report_page_query_count_does_not_grow_with_activities(app, client, make_user, tmp_path):
    from workflow.importing.service import ImportOptions
    from workflow.models import ReportingRound

    small = import_plan_file(
        _plan_file(tmp_path, "Malý plán", 3), options=ImportOptions(title="Malý plán", period="2024–2025")
    ).plan
    db.session.commit()
    large = import_plan_file(
        _plan_file(tmp_path, "Velký plán", 30), options=ImportOptions(title="Velký plán", period="2024–2025")
    ).plan
    db.session.commit()
    login(client, make_user("komise@kraj-lbc.cz", roles=[Role.commission]))
    counts = {}
    for plan, n in ((small, 3), (large, 30)):
        round_ = db.session.query(ReportingRound).filter_by(plan_id=plan.id).one()
        client.get(f"/kola/{round_.id}/zprava")  # warm-up (sessions, caches)
        db.session.expire_all()
        with count_statements() as statements:
            response = client.get(f"/kola/{round_.id}/zprava")
        assert response.status_code == 200
        db.session.expire_all()
        assert _whole_report(client, round_.id).count('id="aktivita-') == n
        counts[n] = len(statements)
    assert 5 < counts[3] == counts[30] < 40, counts


# ----------------------------------------------------------------------------- closing pages


def test_closing_page_waive_and_close_through_the_ui(client, opened, people):
    from workflow.models import Entry, Waiver

    round_id = opened.id
    login(client, people.secretary)
    detail = client.get(f"/kola/{round_id}").get_data(as_text=True)
    assert f"/kola/{round_id}/zprava" in detail and f"/kola/{round_id}/uzavreni" in detail
    page = client.get(f"/kola/{round_id}/uzavreni")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Neschválené záznamy" in html and "disabled" in html
    refused = client.post(f"/kola/{round_id}/uzavreni/uzavrit", data={"confirm": "y"}, follow_redirects=True)
    assert "Kolo nelze uzavřít" in refused.get_data(as_text=True)
    entries = db.session.query(Entry).filter_by(round_id=round_id).all()
    for entry in entries:
        client.post(
            f"/kola/{round_id}/uzavreni/prominout/{entry.id}", data={"reason": "Bez odpovědi, prominuto."}
        )
    assert db.session.query(Waiver).filter_by(round_id=round_id).count() == len(entries)
    # carried-over texts are no approved answers: the activities still lack a consolidated text
    page = client.get(f"/kola/{round_id}/uzavreni").get_data(as_text=True)
    assert "Aktivity bez souhrnného textu" in page


def test_bulk_waiver_and_stated_texts_let_the_round_close(client, opened, people):
    """Waive the rest with one reason, give the activities nobody reported on one stated text,
    close: the snapshot and the report print that text, and every waiver keeps the reason."""
    from workflow.models import Consolidation, ConsolidationVersion, Entry, RoundSnapshot, Waiver

    round_id = opened.id
    login(client, people.secretary)
    page = client.get(f"/kola/{round_id}/uzavreni").get_data(as_text=True)
    assert "Prominout vše" in page and "Doplnit text ke všem" not in page  # nothing waived yet
    # the round page no longer closes directly: it links to the checklist
    detail = client.get(f"/kola/{round_id}").get_data(as_text=True)
    assert f'action="/kola/{round_id}/uzavrit"' not in detail and "Uzavřít kolo…" in detail

    empty = client.post(
        f"/kola/{round_id}/uzavreni/prominout-zbyvajici", data={"reason": "  "}, follow_redirects=True
    )
    assert "Uveďte důvod prominutí." in empty.get_data(as_text=True)
    assert db.session.query(Waiver).count() == 0

    entries = db.session.query(Entry).filter_by(round_id=round_id).count()
    waived = client.post(
        f"/kola/{round_id}/uzavreni/prominout-zbyvajici",
        data={"reason": "Subjekt nedodal plnění."},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert f"Prominuto záznamů: {entries}." in waived
    reasons = {w.reason for w in db.session.query(Waiver).filter_by(round_id=round_id)}
    assert reasons == {"Subjekt nedodal plnění."}
    again = client.post(
        f"/kola/{round_id}/uzavreni/prominout-zbyvajici", data={"reason": "Znovu"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Prominuto záznamů: 0." in again

    missing = client.get(f"/kola/{round_id}/uzavreni").get_data(as_text=True)
    assert "Aktivity bez souhrnného textu (0)" not in missing
    assert "Za sledované období nebylo plnění vykázáno." in missing  # the proposed text
    filled = client.post(
        f"/kola/{round_id}/uzavreni/doplnit-texty",
        data={"text": "Plnění nebylo vykázáno."},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Text doplněn k aktivitám:" in filled
    texts = {c.text for c in db.session.query(Consolidation).filter_by(round_id=round_id)}
    assert texts == {"Plnění nebylo vykázáno."}
    versions = db.session.query(ConsolidationVersion).filter_by(round_id=round_id).all()
    assert versions and all(v.author_id == people.secretary.id and v.source == "edited" for v in versions)

    closed = client.post(f"/kola/{round_id}/uzavreni/uzavrit", data={"confirm": "y"}, follow_redirects=True)
    assert "Kolo bylo uzavřeno a souhrnná zpráva zmrazena." in closed.get_data(as_text=True)
    db.session.expire_all()
    assert opened.state == "closed"
    snapshot = db.session.query(RoundSnapshot).filter_by(round_id=round_id).one()
    rows = [row for area in snapshot.content["blocks"] for goal in area["children"] for row in goal["rows"]]
    assert rows and {row["fulfilment"] for row in rows} == {"Plnění nebylo vykázáno."}
    report = client.get(f"/kola/{round_id}/zprava").get_data(as_text=True)
    assert "Plnění nebylo vykázáno." in report
    # frozen: neither bulk action works on a closed round
    late = client.post(
        f"/kola/{round_id}/uzavreni/doplnit-texty", data={"text": "Pozdě"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Doplnit texty lze jen v otevřeném kole." in late


def test_consolidation_editor_saves_a_version(app, client, opened, people):
    from workflow.models import Activity, ConsolidationVersion

    activity = db.session.query(Activity).filter_by(code="A1.1").one()
    login(client, people.reviewer)
    url = f"/kola/{opened.id}/souhrn/{activity.id}"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"souhrn-text": "Souhrn od hodnotitele.", "souhrn-comment": ""})
    assert response.status_code == 302
    version = (
        db.session.query(ConsolidationVersion).filter_by(round_id=opened.id, activity_id=activity.id).one()
    )
    assert version.text == "Souhrn od hodnotitele." and version.author_id == people.reviewer.id
    other = app.test_client()
    login(other, people.body)
    assert other.get(url).status_code == 403


def test_reopen_needs_admin(client, real_plan, make_user):
    round_ = imported_round()
    login(client, make_user("tajemnik@kraj-lbc.cz", roles=[Role.secretary]))
    assert client.post(f"/kola/{round_.id}/znovu-otevrit", data={"reason": "x"}).status_code == 403


def test_the_frozen_report_page_is_cached_under_its_snapshot(app, client, opened, people):
    """A closed round's report page is rendered once per snapshot and language, then served from
    the page cache (fewer statements, the same document); reopening and closing again takes a new
    snapshot and so a new rendering."""
    from web.extensions import cache
    from web.views.reports.report import _cached_bytes
    from workflow.models import Activity, RoundSnapshot
    from workflow.report import frozen_hash

    round_id = opened.id
    login(client, people.secretary)
    client.post(f"/kola/{round_id}/uzavreni/prominout-zbyvajici", data={"reason": "Nedodáno."})
    client.post(f"/kola/{round_id}/uzavreni/doplnit-texty", data={"text": "První znění."})
    assert frozen_hash(opened) is None  # open: the live report, never cached
    client.post(f"/kola/{round_id}/uzavreni/uzavrit", data={"confirm": "y"})
    db.session.expire_all()
    first_hash = frozen_hash(opened)
    assert first_hash == db.session.query(RoundSnapshot).filter_by(round_id=round_id).one().content_hash
    cache.clear()
    with count_statements() as cold:
        first = client.get(f"/kola/{round_id}/zprava").get_data(as_text=True)
    assert _cached_bytes(f"report-screen:{round_id}:{first_hash}:cs:index") is not None
    assert _cached_bytes(f"report-screen:{round_id}:{first_hash}:cs:1") in first.encode()
    with count_statements() as warm:
        second = client.get(f"/kola/{round_id}/zprava").get_data(as_text=True)
    assert "První znění." in first and "Obsah zmrazený při uzavření kola." in first
    assert first.split('class="report-document', 1)[1] == second.split('class="report-document', 1)[1]
    assert len(warm) < len(cold), (warm, cold)
    # the user (with roles, deputyships); the round with its snapshot's hash and its
    # publication (the publish panel): before issue 17 four statements
    assert len(warm) == 2, warm

    admin = app.test_client()
    login(admin, people.admin)
    admin.post(f"/kola/{round_id}/znovu-otevrit", data={"reason": "Oprava textu."})
    db.session.expire_all()
    assert frozen_hash(opened) is None
    activity_id = db.session.query(Consolidation).filter_by(round_id=round_id).first().activity_id
    fix = {"souhrn-text": "Opravené znění.", "souhrn-comment": ""}
    client.post(f"/kola/{round_id}/souhrn/{activity_id}", data=fix)
    client.post(f"/kola/{round_id}/uzavreni/uzavrit", data={"confirm": "y"})
    db.session.expire_all()
    assert frozen_hash(opened) not in (None, first_hash)
    code = db.session.get(Activity, activity_id).code  # on the page of its area
    assert "Opravené znění." in client.get(f"/kola/{round_id}/zprava?aktivita={code}").get_data(as_text=True)
