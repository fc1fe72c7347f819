"""No query that grows with the data (issue 8): every GET page and API endpoint issues the same
number of SQL statements on a world of 10 and of 1,000 rows, and the reminder sweep issues a
bounded number whatever the number of entries.

The worlds are :func:`devdata.largedata.scaled` (10 / 1,000 activities in the main plan, ≈1.5×
as many entries in the open round and in a closed round, as many users, audit rows and sent
e-mails; a tenth as many bodies) built with bulk inserts, plus the objects of
:func:`devdata.world.scaled_world`. Both are built once per test run (in the first test that needs
them; :func:`measured`) and every URL of :data:`TABLE` is fetched in each, in the same order, as the
role given.

:data:`TABLE` must name every GET route of ``app.url_map`` or list it in :data:`EXCLUDED` with the
reason (:func:`test_every_get_route_is_counted`), so a new page cannot ship without a query count.
"""

from __future__ import annotations

import difflib
import json
import os
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from filelock import FileLock
from flask import Flask
from sqlalchemy import select
from support import TEST_PASSWORD, count_statements, empty_tables, login

from devdata.world import TODAY, ScaledWorld, scaled_world
from notifications import reminders
from notifications.outbox import OutboxMessage
from web.extensions import db

PRAGUE = ZoneInfo("Europe/Prague")
SCALES = (10, 1000)

#: The worlds are built once per test run: under pytest-xdist the module keeps to one worker
#: (``--dist loadgroup``, scripts/test.sh), and should xdist still hand a test of it to another
#: worker (it did: two builds of 20 s each in CI), that worker reads the first one's measurements
#: (:func:`measured`).
pytestmark = pytest.mark.xdist_group("query_counts")

#: rule → (role, URL with ``{placeholders}`` of :attr:`ScaledWorld.ids`, expected status).
TABLE: dict[str, tuple[str, str, int]] = {
    "/": ("contributor", "/", 302),
    "/api/v1/plans": ("secretary", "/api/v1/plans", 200),
    "/api/v1/plans/<int:plan_id>/activities": ("secretary", "/api/v1/plans/{plan}/activities", 200),
    "/api/v1/rounds": ("secretary", "/api/v1/rounds", 200),
    "/api/v1/rounds/<int:round_id>": ("secretary", "/api/v1/rounds/{round}", 200),
    "/api/v1/rounds/<int:round_id>/entries": ("secretary", "/api/v1/rounds/{round}/entries", 200),
    "/api/v1/rounds/<int:round_id>/report": ("secretary", "/api/v1/rounds/{round}/report", 200),
    "/api/v1/rounds/<int:round_id>/report.<fmt>": ("secretary", "/api/v1/rounds/{round}/report.csv", 200),
    "/import": ("secretary", "/import", 200),
    "/import/<int:import_id>": ("secretary", "/import/{import}", 200),
    "/import/<int:import_id>/mapovani": ("secretary", "/import/{import}/mapovani", 200),
    "/kola": ("secretary", "/kola", 200),
    "/kola/<int:round_id>": ("secretary", "/kola/{round}", 200),
    "/kola/<int:round_id>/pripominky": ("secretary", "/kola/{round}/pripominky", 200),
    "/kola/<int:round_id>/pripominky/subjekty/<int:body_id>": (
        "secretary",
        "/kola/{round}/pripominky/subjekty/{body}",
        200,
    ),
    "/kola/<int:round_id>/prodlouzeni": ("contributor", "/kola/{round}/prodlouzeni", 200),
    "/kola/<int:round_id>/prodlouzeni/<int:extension_id>": (
        "secretary",
        "/kola/{round}/prodlouzeni/{extension}",
        200,
    ),
    "/kola/<int:round_id>/smerovani": (
        "secretary",
        "/kola/{planned_round}/smerovani?upravit={activity}",
        200,
    ),
    "/kola/<int:round_id>/souhrn/<int:activity_id>": ("secretary", "/kola/{round}/souhrn/{activity}", 200),
    "/kola/<int:round_id>/statistika": ("secretary", "/kola/{round}/statistika", 200),
    "/kola/<int:round_id>/upravit": ("secretary", "/kola/{round}/upravit", 200),
    "/kola/<int:round_id>/uzavreni": ("secretary", "/kola/{round}/uzavreni", 200),
    "/kola/<int:round_id>/zprava": ("secretary", "/kola/{round}/zprava", 200),
    "/kola/<int:round_id>/zprava.<fmt>": ("secretary", "/kola/{round}/zprava.csv", 200),
    "/kola/<int:round_id>/zprava/export/<int:export_id>": (
        "secretary",
        "/kola/{round}/zprava/export/{export}",
        200,
    ),
    "/kola/<int:round_id>/zprava/export/<int:export_id>/soubor": (
        "secretary",
        "/kola/{round}/zprava/export/{export}/soubor",
        200,
    ),
    "/kola/nove": ("secretary", "/kola/nove", 200),
    "/kontrola": ("reviewer", "/kontrola?round={round}&state=submitted", 200),
    "/kontrola/<int:entry_id>": ("reviewer", "/kontrola/{entry}", 200),
    "/kontrola/<int:entry_id>/dalsi": ("reviewer", "/kontrola/{entry}/dalsi?round={round}", 302),
    "/moje-ukoly": ("contributor", "/moje-ukoly", 200),
    "/moje-ukoly/xlsx": ("contributor", "/moje-ukoly/xlsx", 200),
    "/moje-ukoly/xlsx/<int:round_id>/<int:body_id>": ("contributor", "/moje-ukoly/xlsx/{round}/{body}", 200),
    "/moje-ukoly/xlsx/nahrani/<int:upload_id>": ("contributor", "/moje-ukoly/xlsx/nahrani/{upload}", 200),
    "/plany": ("secretary", "/plany", 200),
    "/plany/<int:plan_id>": ("secretary", "/plany/{plan}", 200),
    "/plany/<int:plan_id>/atributy": ("secretary", "/plany/{plan}/atributy", 200),
    "/plany/<int:plan_id>/zprava-za-obdobi": ("secretary", "/plany/{plan}/zprava-za-obdobi", 200),
    "/plany/<int:plan_id>/rozpoznani": ("secretary", "/plany/{plan}/rozpoznani", 200),
    "/plany/<int:plan_id>/importy": ("secretary", "/plany/{plan}/importy", 200),
    "/plany/<int:plan_id>/importy/<int:import_id>/vratit": (
        "secretary",
        "/plany/{plan}/importy/{import}/vratit",
        404,  # the world's upload is pending, of no plan
    ),
    "/plany/<int:plan_id>/smazat": ("secretary", "/plany/{plan}/smazat", 200),
    "/pozvanka/<token>": ("anonymous", "/pozvanka/{invitation}", 200),
    "/obnova-hesla/<token>": ("anonymous", "/obnova-hesla/{reset}", 200),
    "/prilohy/<int:attachment_id>": ("contributor", "/prilohy/{attachment}", 200),
    "/sprava/": ("admin", "/sprava/", 200),
    "/sprava/audit": ("admin", "/sprava/audit", 200),
    "/sprava/odchozi-posta": ("admin", "/sprava/odchozi-posta", 200),
    "/sprava/subjekty": ("admin", "/sprava/subjekty", 200),
    "/sprava/subjekty/<int:body_id>": ("admin", "/sprava/subjekty/{body}", 200),
    "/sprava/subjekty/novy": ("admin", "/sprava/subjekty/novy", 200),
    "/sprava/tokeny": ("admin", "/sprava/tokeny", 200),
    "/sprava/uzivatele": ("admin", "/sprava/uzivatele", 200),
    "/sprava/uzivatele/<int:user_id>": ("admin", "/sprava/uzivatele/{user}", 200),
    "/sprava/uzivatele/pozvat": ("admin", "/sprava/uzivatele/pozvat", 200),
    "/subjekty": ("secretary", "/subjekty", 200),
    "/subjekty/<int:body_id>": ("secretary", "/subjekty/{body}", 200),
    "/subjekty/<int:body_id>/skupina": ("secretary", "/subjekty/{group}/skupina", 200),
    "/ucet": ("contributor", "/ucet", 200),
    "/zaznamy/<int:entry_id>": ("contributor", "/zaznamy/{entry}", 200),
    "/zaznamy/<int:entry_id>/historie": ("contributor", "/zaznamy/{entry}/historie", 200),
    "/zaznamy/<int:entry_id>/odeslane-zpravy": ("secretary", "/zaznamy/{entry}/odeslane-zpravy", 200),
    "/zaznamy/<int:entry_id>/upravit": ("contributor", "/zaznamy/{draft}/upravit", 200),
    "/zpravy": ("anonymous", "/zpravy", 200),
    "/zpravy/<int:round_id>": ("anonymous", "/zpravy/{closed_round}", 200),
    "/zpravy/<int:round_id>/data.csv": ("anonymous", "/zpravy/{closed_round}/data.csv", 200),
    "/zpravy/<int:round_id>/data.json": ("anonymous", "/zpravy/{closed_round}/data.json", 200),
    "/zpravy/<int:round_id>/metadata.json": ("anonymous", "/zpravy/{closed_round}/metadata.json", 200),
    "/zpravy/<int:round_id>/zprava.<fmt>": ("anonymous", "/zpravy/{closed_round}/zprava.xlsx", 200),
}

#: Further pages of the paged lists (issue 17): label → (role, URL, expected status), counted like
#: :data:`TABLE`: a later page, a filter or a search costs the same statements at both scales.
PAGED: dict[str, tuple[str, str, int]] = {
    "Moje úkoly, page 2": ("contributor", "/moje-ukoly?strana=2", 200),
    "Moje úkoly, a page past the end": ("contributor", "/moje-ukoly?strana=999", 200),
    "Moje úkoly, filtered": ("contributor", "/moje-ukoly?state=draft&deadline=month", 200),
    "Moje úkoly, text search": ("contributor", "/moje-ukoly?q=aktivita", 200),
    "Moje úkoly, code search": ("contributor", "/moje-ukoly?q=A1", 200),
    "queue, every state, page 2": ("reviewer", "/kontrola?round={round}&state=all&strana=2", 200),
    "queue, all rounds, no filter": ("reviewer", "/kontrola?round=0", 200),
    "API rounds, page 2": ("secretary", "/api/v1/rounds?page=2&per_page=1", 200),
    "API activities, page 2": ("secretary", "/api/v1/plans/{plan}/activities?page=2&per_page=5", 200),
    "API entries, page 2": ("secretary", "/api/v1/rounds/{round}/entries?page=2&per_page=5", 200),
}

#: GET routes left out, with the reason.
EXCLUDED = {
    "/healthz": "no SQL beyond one SELECT 1 (liveness probe)",
    "/prihlaseni": "a form; no query reads rows (signed-out users)",
    "/zapomenute-heslo": "a form; no query reads rows",
    "/napoveda": "static help page",
    "/napoveda/<role>": "static help page",
    "/pristupnost": "static accessibility statement",
    "/api/docs": "rendered from the OpenAPI file, no SQL",
    "/api/openapi.json": "the OpenAPI file, no SQL",
    "/sprava/odchozi-posta/soubory/<name>": "serves an .eml file of the outbox folder by name, no SQL",
}

#: Further URLs of routes already in :data:`TABLE` (pages of a paged page, a cache hit after a
#: miss …), fetched after them in the same way; key: a label. Issue 17 (report paging):
PAGED |= {
    "report, closed round, first request (renders and caches every page)": (
        "secretary",
        "/kola/{closed_round}/zprava",
        200,
    ),
    "report, closed round, a page from the cache": ("secretary", "/kola/{closed_round}/zprava?strana=1", 200),
    "report, closed round, ?aktivita= of no activity (the first page)": (
        "secretary",
        "/kola/{closed_round}/zprava?aktivita=X",
        200,
    ),
    "report, open round, a page by ?strana": ("secretary", "/kola/{round}/zprava?strana=1", 200),
}

#: One URL's measurement: its statements, the response's status, the URL.
Measured = tuple[list[str], int, str]
_RESULTS: dict[int, dict[str, Measured]] = {}


def _measure(app: Flask, world: ScaledWorld) -> dict[str, tuple[list[str], int, str]]:
    clients: dict[str, Any] = {"anonymous": app.test_client()}
    for role, user in world.users.items():
        client = app.test_client()
        response = login(client, user)
        assert response.status_code == 302, (role, response.status_code)
        clients[role] = client
    results = {}
    for rule, (role, template, _status) in {**TABLE, **PAGED}.items():
        url = template.format(**world.ids)
        db.session.remove()  # each request starts with an empty identity map, as in production
        with count_statements() as statements:
            response = clients[role].get(url)
        results[rule] = (statements, response.status_code, url)
        response.close()
    return results


def _build(app: Flask) -> dict[int, dict[str, tuple[list[str], int, str]]]:
    results = {}
    for n in SCALES:
        empty_tables()
        with time_machine.travel(datetime(2026, 11, 16, 9, 0, tzinfo=PRAGUE), tick=True):
            world = scaled_world(app, n, TEST_PASSWORD)
            results[n] = _measure(app, world)
        db.session.remove()
    empty_tables()
    return results


@pytest.fixture
def measured(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict[str, Measured]]:
    """Statements per scale and rule: ``{10: {rule: ([statement, …], status, url)}, 1000: {…}}``.

    Measured once per process; under pytest-xdist once per run: the first worker writes them to
    the run's temporary folder (under a file lock, as pytest-xdist's documentation shows), any
    other reads them there (the statements do not depend on the worker's database)."""
    if _RESULTS:
        return _RESULTS
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        _RESULTS.update(_build(app))
        return _RESULTS
    shared = tmp_path_factory.getbasetemp().parent / "query_counts.json"
    with FileLock(f"{shared}.lock"):
        if shared.is_file():
            saved = json.loads(shared.read_text(encoding="utf-8"))
            for n, rules in saved.items():
                _RESULTS[int(n)] = {rule: (s, status, url) for rule, (s, status, url) in rules.items()}
        else:
            _RESULTS.update(_build(app))
            shared.write_text(json.dumps(_RESULTS), encoding="utf-8")
    return _RESULTS


def test_every_get_route_is_counted(app: Flask) -> None:
    rules = {r.rule for r in app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"}
    assert sorted(rules - TABLE.keys() - EXCLUDED.keys()) == [], "add the new page to TABLE (or EXCLUDED)"
    assert sorted((TABLE.keys() | EXCLUDED.keys()) - rules) == [], "entries without a route"


@pytest.mark.parametrize("rule", sorted(TABLE))
def test_same_query_count_for_10_and_1000_rows(measured: dict, rule: str) -> None:
    _same_count(measured, rule, TABLE[rule][2])


@pytest.mark.parametrize("label", sorted(PAGED))
def test_same_query_count_for_further_pages_filters_and_searches(measured: dict, label: str) -> None:
    _same_count(measured, label, PAGED[label][2])


def _same_count(measured: dict, rule: str, expected: int) -> None:
    small, large = measured[SCALES[0]][rule], measured[SCALES[1]][rule]
    assert (small[1], large[1]) == (expected, expected), f"status of {small[2]} / {large[2]}"
    if len(small[0]) != len(large[0]):
        diff = "\n".join(
            difflib.unified_diff(
                [" ".join(q.split())[:160] for q in small[0]],
                [" ".join(q.split())[:160] for q in large[0]],
                "10 rows",
                "1,000 rows",
                lineterm="",
            )
        )
        pytest.fail(f"{rule}: {len(small[0])} statements for 10 rows, {len(large[0])} for 1,000\n{diff}")


def test_reminder_sweep_issues_a_bounded_number_of_queries(app: Flask) -> None:
    """The daily sweep (reminders, overdue notices, escalations, digest) over 10 and 1,000 rows:
    the same number of statements, at most :data:`SWEEP_BOUND`, though it writes many more e-mails."""
    counts, written = [], []
    for n in SCALES:
        empty_tables()
        with time_machine.travel(datetime(2026, 11, 16, 8, 0, tzinfo=PRAGUE), tick=False):
            scaled_world(app, n, TEST_PASSWORD)
            with count_statements() as statements:
                written.append(reminders.send_reminders(TODAY))
            db.session.commit()
        counts.append(len(statements))
        kinds = set(db.session.scalars(select(OutboxMessage.kind).where(OutboxMessage.state == "pending")))
        assert {"deadline_reminder", "overdue_notice", "secretary_digest"} <= kinds, kinds
    assert written[1] > 10 * written[0] / 2, written
    assert counts[0] == counts[1] <= SWEEP_BOUND, (counts, written)


#: Open rounds, due entries, members, deputies, the e-mails (one multi-row INSERT), the digest's
#: open rounds, late entries, secretaries and their INSERT: 9 (7 and 987 e-mails in the two worlds).
SWEEP_BOUND = 9
