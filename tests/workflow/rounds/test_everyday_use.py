"""Issue 16 (everyday use) through HTTP, per role: landing pages and menu, „Moje úkoly“ filters and
the next task, the review queue's selection and „Schválit a další“, permission before version,
the word diff, the autosave error, the report's period and collected values, placeholders."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal
from html import unescape

from docx import Document
from flask_babel import refresh
from openpyxl import load_workbook
from round_fixtures import entry_of, login

from web.extensions import db
from workflow.entries import apply_transition, save_draft
from workflow.exports import render
from workflow.report import build_report
from workflow.states import EntryState


def _as(client, user):
    client.post("/odhlaseni")
    response = login(client, user)
    assert response.status_code == 302, response.status_code
    return response


def _text(response):
    return unescape(response.get_data(as_text=True))


def _answer(entry, user, **extra):
    answer = {"fulfilment_status": "done", "text": "Splněno: proběhla čtyři zasedání pracovní skupiny. " * 4}
    answer.update(extra)
    save_draft(entry, user, answer, expected_version=entry.version)
    apply_transition(entry, "submit", user, expected_version=entry.version)
    db.session.commit()


def test_every_role_lands_on_its_work_and_only_task_holders_see_my_tasks(client, opened, people):
    expected = {
        people.osv: "/moje-ukoly",
        people.osv_head: "/moje-ukoly",
        people.reviewer: "/kontrola",
        people.secretary: f"/kola/{opened.id}",
        people.commission: "/kola",  # no closed round yet
        people.admin: "/sprava/",
    }
    for user, path in expected.items():
        response = _as(client, user)
        assert response.headers["Location"] == path, (user.email, response.headers["Location"])
        assert client.get("/").headers["Location"] == path
        page = _text(client.get("/ucet"))
        shows_tasks = 'href="/moje-ukoly"' in page
        assert shows_tasks == (path == "/moje-ukoly"), user.email


def test_the_language_switch_is_one_click_in_the_user_menu(client, opened, people):
    _as(client, people.osv)
    page = _text(client.get("/moje-ukoly"))
    assert 'name="lang" value="en"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    switched = client.post("/lang", data={"lang": "en", "csrf_token": token},
                           headers={"Referer": "/moje-ukoly"})
    assert switched.status_code == 302, _text(switched)[:3000]
    db.session.refresh(people.osv)
    assert people.osv.locale == "en"  # the account's setting: UI and e-mails
    refresh()  # the test's app context keeps the locale Flask-Babel picked (a browser's request would not)
    page = _text(client.get("/moje-ukoly"))
    assert "My tasks" in page and 'name="lang" value="cs"' in page


def test_my_tasks_search_and_filters_and_the_next_task_after_submitting(client, opened, people, small_plan):
    _as(client, people.osv)
    everything = _text(client.get("/moje-ukoly"))
    assert "A1.1" in everything and "B1.1" in everything
    by_code = _text(client.get("/moje-ukoly?q=A1.1"))
    assert re.findall(r'class="activity-code">([^<]+)<', by_code) == ["A1.1"]
    by_text = _text(client.get("/moje-ukoly?q=popis+aktivity+b1"))  # case and spaces do not matter
    assert re.findall(r'class="activity-code">([^<]+)<', by_text) == ["B1.1"]
    area_b = small_plan.areas["B"].id
    by_area = _text(client.get(f"/moje-ukoly?area={area_b}"))
    assert re.findall(r'class="activity-code">([^<]+)<', by_area) == ["B1.1"]
    none = _text(client.get("/moje-ukoly?state=approved"))
    assert "Nic neodpovídá filtrům" in none and 'class="activity-code"' not in none
    overdue = _text(client.get("/moje-ukoly?deadline=overdue"))  # the round's deadline is in 2099
    assert "Nic neodpovídá filtrům" in overdue

    first = entry_of(opened, "A1.1", "OSV")
    _answer(first, people.osv)
    page = _text(client.get(f"/zaznamy/{first.id}"))
    following = entry_of(opened, "B1.1", "OSV")
    assert "Další úkol" in page and f'href="/zaznamy/{following.id}/upravit"' in page
    _answer(following, people.osv)
    done = _text(client.get(f"/zaznamy/{following.id}"))
    assert "Všechny vaše úkoly v otevřených kolech jsou odeslané." in done


def _submitted_queue(opened, people):
    a12 = entry_of(opened, "A1.2", "OŠMTS")
    b11 = entry_of(opened, "B1.1", "OŠMTS")
    b12 = entry_of(opened, "B1.2", "ORREP")
    _answer(a12, people.osmts)
    _answer(b11, people.osmts)
    _answer(b12, people.orrep)
    return a12, b11, b12


def _csrf(client, path):
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True)).group(1)


def test_review_queue_approves_only_the_ticked_rows(client, opened, people):
    a12, b11, b12 = _submitted_queue(opened, people)
    _as(client, people.reviewer)
    queue = _text(client.get(f"/kontrola?round={opened.id}"))
    for entry in (a12, b11, b12):
        assert f'name="selected" value="{entry.id}" form="vybrane"' in queue
    token = _csrf(client, f"/kontrola?round={opened.id}")
    query = f"round={opened.id}&state=&body=0&area=0"
    nothing = client.post("/kontrola/hromadne-schvaleni",
                          data={"csrf_token": token, "query": query, "only_selected": "1"})
    assert "Není co schválit" in _text(nothing)  # no tick approves nothing, never "all filtered"
    confirm = client.post("/kontrola/hromadne-schvaleni", data={
        "csrf_token": token, "query": query, "only_selected": "1", "selected": [str(a12.id), str(b12.id)]})
    page = _text(confirm)
    assert "Počet záznamů ke schválení: 2." in page
    ids = re.search(r'name="entry_ids" value="([^"]+)"', page).group(1)
    assert sorted(ids.split(",")) == sorted([str(a12.id), str(b12.id)])
    client.post("/kontrola/hromadne-schvaleni",
                data={"csrf_token": token, "query": query, "entry_ids": ids, "confirmed": "1"})
    for entry in (a12, b11, b12):
        db.session.refresh(entry)
    states = (a12.state, b11.state, b12.state)
    assert states == (EntryState.approved, EntryState.submitted, EntryState.approved)


def test_approve_and_next_stays_in_the_filtered_queue(client, opened, people, small_plan):
    a12, b11, b12 = _submitted_queue(opened, people)
    _as(client, people.reviewer)
    osmts = small_plan.bodies["OŠMTS"].id
    filters = f"round={opened.id}&body={osmts}"
    review = _text(client.get(f"/kontrola/{a12.id}?{filters}"))
    assert "decision-bar sticky-top" in review and "Schválit a další" in review
    next_url = f"/kontrola/{a12.id}/dalsi?{filters}"
    assert f'name="next" value="{next_url}"' in review.replace("&amp;", "&")
    token = _csrf(client, f"/kontrola/{a12.id}?{filters}")
    approved = client.post(f"/zaznamy/{a12.id}/akce/approve",
                           data={"csrf_token": token, "version": a12.version, "next": next_url})
    assert approved.headers["Location"] == next_url
    landed = client.get(next_url)
    assert landed.headers["Location"] == f"/kontrola/{b11.id}?{filters}"  # B1.2 is ORREP's: filtered out
    db.session.refresh(b11)
    token = _csrf(client, f"/kontrola/{b11.id}?{filters}")
    client.post(f"/zaznamy/{b11.id}/akce/approve", data={"csrf_token": token, "version": b11.version})
    assert client.get(f"/kontrola/{b11.id}/dalsi?{filters}").headers["Location"] == f"/kontrola?{filters}"
    # a refused approval (still submitted) leads back to the same entry, not on
    back = client.get(f"/kontrola/{b12.id}/dalsi?{filters}")
    assert back.headers["Location"] == f"/kontrola/{b12.id}?{filters}"


def test_review_queue_search_by_code_or_text(client, opened, people):
    _submitted_queue(opened, people)
    _as(client, people.reviewer)
    codes = re.findall(r'<th scope="row" class="activity-code">([^<]+)<',
                       _text(client.get(f"/kontrola?round={opened.id}&q=B1")))
    assert sorted(codes) == ["B1.1", "B1.2"]
    codes = re.findall(r'<th scope="row" class="activity-code">([^<]+)<',
                       _text(client.get(f"/kontrola?round={opened.id}&q=aktivity+A1.2")))
    assert codes == ["A1.2"]


def test_a_forged_transition_with_an_old_version_is_forbidden_not_a_conflict(client, opened, people):
    a12, _b11, _b12 = _submitted_queue(opened, people)
    old_version = a12.version
    _as(client, people.reviewer)
    token = _csrf(client, f"/kontrola/{a12.id}")
    client.post(f"/zaznamy/{a12.id}/akce/approve", data={"csrf_token": token, "version": a12.version})
    db.session.refresh(a12)
    assert a12.state == EntryState.approved and a12.version != old_version
    _as(client, people.commission)  # sees approved entries; may not reopen them
    token = _csrf(client, f"/zaznamy/{a12.id}")
    forged = client.post(f"/zaznamy/{a12.id}/akce/reopen",
                         data={"csrf_token": token, "version": old_version, "comment": "x"})
    assert forged.status_code == 403


def test_word_diff_keeps_a_space_between_deleted_and_inserted_words(client, opened, people):
    entry = entry_of(opened, "A1.1", "OSV")  # last year: „Loni: A1.1 plněno průběžně, proběhla 4 zasedání.“
    _answer(entry, people.osv, text="Loni: A1.1 plněno průběžně, proběhlo 6 zasedání. " * 4)
    _as(client, people.reviewer)
    page = client.get(f"/kontrola/{entry.id}").get_data(as_text=True)
    diff = re.search(r'<div class="diff[^"]*">(.*?)</div>', page, re.S).group(1)
    assert '<del class="diff-del">proběhla</del> <ins class="diff-ins">proběhlo</ins>' in diff
    plain = re.sub(r"<[^>]+>", "", diff)
    assert "proběhla proběhlo" in plain and "proběhlaproběhlo" not in plain


def test_the_autosave_error_names_the_field(client, opened, people):
    entry = entry_of(opened, "A1.1", "OSV")
    _as(client, people.osv)
    token = _csrf(client, f"/zaznamy/{entry.id}/upravit")
    response = client.post(f"/zaznamy/{entry.id}/autosave", data={
        "csrf_token": token, "version": entry.version, "text": "Text.", "indicator_unit": "x" * 500})
    status = _text(response)
    assert 'data-autosave="error"' in status
    assert "Neuloženo. Opravte prosím: Jednotka:" in status


def test_entry_form_keeps_the_autosave_status_out_of_the_button_row(client, opened, people):
    entry = entry_of(opened, "A1.1", "OSV")
    _as(client, people.osv)
    page = client.get(f"/zaznamy/{entry.id}/upravit").get_data(as_text=True)
    row = re.search(r'<div class="d-flex flex-wrap gap-2 align-items-center">(.*?)</div>', page, re.S)
    buttons = row.group(1)
    assert "Odeslat ke kontrole" in buttons and "autosave-status" not in buttons
    assert 'id="autosave-status" class="small autosave-status' in page


def _approve(entry, reviewer):
    apply_transition(entry, "approve", reviewer, expected_version=entry.version)
    db.session.commit()


def _report_round(opened, people, small_plan):
    """A1.1 answered by OSV with an indicator value and a problem, B1.1 by OSV and OŠMTS; approved."""
    a11 = entry_of(opened, "A1.1", "OSV")
    _answer(a11, people.osv, indicator_number=Decimal("1600"), indicator_unit="osob",
            indicator_as_of=date(2025, 12, 31), problems="Chybí kapacita terénních služeb.")
    b11_osv, b11_osmts = entry_of(opened, "B1.1", "OSV"), entry_of(opened, "B1.1", "OŠMTS")
    _answer(b11_osv, people.osv, indicator_text="metodika schválena", indicator_as_of=date(2025, 6, 30),
            problems="Pozdní data od obcí.")
    _answer(b11_osmts, people.osmts, indicator_number=Decimal("4.5"), indicator_unit="dne",
            indicator_as_of=date(2025, 12, 31))
    for entry in (a11, b11_osv, b11_osmts):
        _approve(entry, people.reviewer)
    small_plan.activities["A1.2"].responsibility_raw = "---------"
    area = small_plan.areas["A"]
    area.description = "Opatření vedou ke spolupráci1 všech aktérů."
    area.footnotes = [{"marker": "1", "text": "Mezioborová spolupráce podle zákona."}]
    db.session.commit()
    return build_report(opened)


def test_the_report_prints_the_rounds_period_and_every_collected_value(app, opened, people, small_plan):
    with app.test_request_context("/"):
        content = _report_round(opened, people, small_plan)
        assert content.period == "1. 1. 2025 – 31. 12. 2025"  # the round's, not the plan's „2024–2027“
        rows = {row.code: row for row in content.rows}
        assert rows["A1.1"].indicator_value == "1\u00a0600 osob (k 31. 12. 2025)"
        assert rows["A1.1"].problems == "Chybí kapacita terénních služeb."
        assert rows["B1.1"].indicator_value == (
            "OSV: metodika schválena (k 30. 6. 2025)\nOŠMTS: 4,5 dne (k 31. 12. 2025)"
        )
        assert rows["B1.1"].problems == "OSV: Pozdní data od obcí."
        assert rows["A1.2"].responsibility == ""  # the plan's „---------“ is no data

        html = render(content, "html").decode("utf-8")
        assert "1. 1. 2025 – 31. 12. 2025" in html
        assert "1\u00a0600 osob" in html and "Chybí kapacita terénních služeb." in html
        assert "ke\u00a0spolupráci<sup>1</sup> všech" in html.replace("ke spolupráci", "ke\u00a0spolupráci")
        assert "---------" not in html

        document = Document(io.BytesIO(render(content, "docx")))
        cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
        cells = cells.replace("\u00a0", " ")
        assert "Hodnota: 1 600 osob (k 31. 12. 2025)" in cells
        assert "Problémy a bariéry: Chybí kapacita terénních služeb." in cells
        assert "OŠMTS: 4,5 dne (k 31. 12. 2025)" in cells
        marks = [r for p in document.paragraphs for r in p.runs if r.font.superscript]
        assert [r.text for r in marks] == ["1"]
        assert any("1. 1. 2025 – 31. 12. 2025" in p.text for p in document.paragraphs)

        table = list(csv.reader(io.StringIO(render(content, "csv").decode("utf-8-sig")), delimiter=";"))
        header, by_code = table[0], {r[2]: r for r in table[1:]}
        assert header[-2:] == ["Hodnota indikátoru", "Problémy a bariéry"]
        assert by_code["A1.1"][-2:] == [
            "1\u00a0600 osob (k 31. 12. 2025)", "Chybí kapacita terénních služeb."]

        sheet = load_workbook(io.BytesIO(render(content, "xlsx")))["Plnění"]
        values = {r[2].value: [c.value for c in r] for r in sheet.iter_rows(min_row=2)}
        assert [c.value for c in sheet[1]][-2:] == ["Hodnota indikátoru", "Problémy a bariéry"]
        assert values["B1.1"][-1] == "OSV: Pozdní data od obcí."


def test_statistics_show_the_collected_values(app, client, opened, people, small_plan):
    with app.test_request_context("/"):
        _report_round(opened, people, small_plan)
        stats = build_report(opened, sections=["statistics"]).statistics
        assert stats["collected"] == {"indicator_values": 2, "problems": 2, "activities": 2}
        assert [r["code"] for r in stats["collected_rows"]] == ["A1.1", "B1.1"]
    _as(client, people.secretary)
    page = _text(client.get(f"/kola/{opened.id}/statistika"))
    assert "Hodnoty indikátorů a problémy a bariéry" in page
    assert "Pozdní data od obcí." in page and "1\u00a0600 osob" in page


def test_undefined_abbreviations_are_flagged_on_the_closing_checklist(client, opened, people):
    entry = entry_of(opened, "A1.1", "OSV")
    _answer(entry, people.osv, text="Spolupráce s QWZX proběhla podle plánu a byla vyhodnocena. " * 3)
    _approve(entry, people.reviewer)
    _as(client, people.secretary)
    page = _text(client.get(f"/kola/{opened.id}/uzavreni"))
    assert "Zkratky použité bez vysvětlení:" in page and "QWZX" in page


def test_round_pages_speak_plain_czech(client, opened, people, small_plan):
    _as(client, people.secretary)
    assert "DHIS2" not in _text(client.get(f"/kola/{opened.id}"))
    small_plan.plan.level_names = ["OKRUH", "CÍL", "AKTIVITA"]
    db.session.commit()
    plans = _text(client.get("/plany"))
    assert "(OKRUH)" not in plans and "(CÍL)" not in plans
    routing = _text(client.get(f"/kola/{opened.id}/smerovani"))
    rows = re.findall(r'<span class="activity-code">([^<]+)</span>', routing)
    excluded = {"A1.3", "A1.4"}
    assert set(rows[: len(excluded)]) == excluded, rows  # excluded first, with their reasons
    assert "Průběžná aktivita bez pevného termínu" in routing
    reasons = re.findall(r'<td class="small">\s*<span class="badge[^>]*>[^<]*</span>\s*<div>([^<]+)</div>',
                         routing)
    assert "Plní se průběžně" not in reasons


def test_queue_filter_choices_are_cached_but_follow_every_change(client, opened, people):
    """The round, body and area options are rendered once and kept in the page cache; a renamed
    body or a new round shows at once (issue 17)."""
    _as(client, people.reviewer)
    osv = entry_of(opened, "A1.1", "OSV").body
    page = _text(client.get("/kontrola"))
    assert f'<option selected value="{opened.id}">' in page  # the open round by default
    assert f'<option value="{osv.id}">OSV</option>' in page
    assert '<option selected value="0">Všechny subjekty</option>' in page
    chosen = _text(client.get(f"/kontrola?body={osv.id}&round=0"))
    assert f'<option selected value="{osv.id}">OSV</option>' in chosen
    assert '<option selected value="0">Všechna kola</option>' in chosen
    osv.abbreviation = "OSV-N"
    db.session.commit()
    page = _text(client.get("/kontrola"))
    assert f'<option value="{osv.id}">OSV-N</option>' in page and ">OSV</option>" not in page
    unknown = _text(client.get("/kontrola?body=999999&area=abc"))  # naming no body: every body
    assert '<option selected value="0">Všechny subjekty</option>' in unknown
