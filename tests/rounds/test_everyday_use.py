"""Issue 16 (everyday use) through HTTP, per role: landing pages and menu, „Moje úkoly“ filters and
the next task, the review queue's selection and „Schválit a další“, permission before version,
the word diff, the autosave error, the report's period and collected values, placeholders."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

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
    switched = client.post("/lang", data={"lang": "en", "csrf_token": token}, headers={"Referer": "/moje-ukoly"})
    assert switched.status_code == 302, _text(switched)[:3000]
    db.session.refresh(people.osv)
    assert people.osv.locale == "en"  # the account's setting: UI and e-mails
    refresh()  # the test's app context keeps the locale Flask-Babel picked; a browser's next request would not
    page = _text(client.get("/moje-ukoly"))
    assert "My tasks" in page and 'name="lang" value="cs"' in page
