"""Plans of 0 and 3 levels above the activity through the web (issue 14 §1): the plan page, the
plan list, the review queue's filter and the API follow the plan's own levels."""

from __future__ import annotations

import re
from html import unescape

import pytest
from import_helpers import bodies, csv_bytes, xlsx_bytes  # noqa: F401
from support import login

from web.extensions import db
from workflow.importing import ImportOptions, commit_import
from workflow.states import Role
from workflow.tokens import create_api_token

FOUR_LEVELS = [
    ["Strategický cíl", "Specifický cíl", "Opatření", "Kód", "Aktivita", "Gestor"],
    ["2 – Sociální oblast", "2.1 Sociální služby", "2.1.1 Podpora kapacit", "2.1.1.1", "navyšování kapacity",
     "OSV"],
    ["2 – Sociální oblast", "2.1 Sociální služby", "2.1.2 Sociální bydlení", "2.1.2.1", "pasport bytů",
     "OSV"],
    ["1 – Vzdělávání", "1.1 Absolventi", "1.1.1 Spolupráce škol", "1.1.1.1", "burza práce", "OŠMTS"],
]
NAMES = ["Strategický cíl", "Specifický cíl", "Opatření", "Aktivita"]
FLAT = [
    ["Č.", "Opatření", "Termín", "Zodpovědnost"],
    ["1", "Zřídit komisi pro sociální začleňování", "únor 2008", "Rada MČ"],
    ["2", "Zpracovat pasport sociálních bytů", "březen – prosinec 2009", "OSV"],
]


def _text(response) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


@pytest.fixture
def plans(app, bodies):  # noqa: F811
    mapping = {"Strategický cíl": "1. úroveň", "Specifický cíl": "2. úroveň", "Opatření": "3. úroveň",
               "Aktivita": "Popis aktivity"}
    four = commit_import(
        xlsx_bytes(FOUR_LEVELS, sheet="Aktivity"), "sml.xlsx", mapping=mapping,
        options=ImportOptions(title="Strategie SML", period="2021–2027", level_names=NAMES),
    ).plan
    flat = commit_import(
        csv_bytes(FLAT), "mc.csv", mapping={"Opatření": "Popis aktivity"},
        options=ImportOptions(title="Akční plán MČ", period="2008–2009"),
    ).plan
    db.session.commit()
    return four, flat


@pytest.fixture
def secretary_client(client, make_user):
    assert login(client, make_user("tajemnik@kraj-lbc.cz", roles=[Role.secretary])).status_code == 302
    return client


def test_the_plan_page_shows_every_level_in_order(secretary_client, plans):
    four, flat = plans
    page = secretary_client.get(f"/plany/{four.id}")
    assert page.status_code == 200
    text = _text(page)
    assert "Strategický cíl / Specifický cíl / Opatření / Aktivita" in text
    assert "Strategický cíl: 2 · Specifický cíl: 2 · Opatření: 3 · Aktivita: 3" in text
    body = text.split("Strategický cíl 2: Sociální oblast", 1)[1]  # after the table of contents
    order = [body.index(s) for s in (
        "Strategický cíl 1: Vzdělávání", "Specifický cíl 1.1: Absolventi", "Opatření 1.1.1: Spolupráce škol",
        "1.1.1.1", "Strategický cíl 2: Sociální oblast", "Specifický cíl 2.1: Sociální služby",
        "Opatření 2.1.1: Podpora kapacit", "2.1.1.1", "Opatření 2.1.2: Sociální bydlení", "2.1.2.1",
    )]
    assert order == sorted(order)
    html = page.get_data(as_text=True)
    assert '<h4 class="level-title h5" id="uroven-2.1.1-nadpis">' in html

    flat_page = secretary_client.get(f"/plany/{flat.id}")
    flat_text = _text(flat_page)
    assert flat_page.status_code == 200 and "Aktivita: 2" in flat_text
    assert "Zřídit komisi pro sociální začleňování" in flat_text and "Okruh" not in flat_text


def test_the_plan_list_names_each_plans_levels(secretary_client, plans):
    text = _text(secretary_client.get("/plany"))
    assert "Strategický cíl 2 Specifický cíl / Opatření 5 Aktivita 3" in text
    assert re.search(r"Akční plán MČ .*? Aktivita 2 K revizi", text)


def test_the_api_gives_every_level_of_an_activity(client, plans, make_user):
    four, flat = plans
    user = make_user("api@kraj-lbc.cz", roles=[Role.secretary])
    secret = create_api_token(user, "test")[1]
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    response = client.get(f"/api/v1/plans/{four.id}/activities", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    by_code = {a["code"]: a for a in response.get_json()["activities"]}
    assert by_code["2.1.2.1"]["levels"] == [
        {"level": "Strategický cíl", "code": "2", "title": "Sociální oblast"},
        {"level": "Specifický cíl", "code": "2.1", "title": "Sociální služby"},
        {"level": "Opatření", "code": "2.1.2", "title": "Sociální bydlení"},
    ]
    assert by_code["2.1.2.1"]["area"]["code"] == "2" and by_code["2.1.2.1"]["goal"]["code"] == "2.1.2"
    flat_response = client.get(f"/api/v1/plans/{flat.id}/activities", headers=headers)
    flat_activities = flat_response.get_json()["activities"]
    assert [(a["code"], a["area"], a["goal"], a["levels"]) for a in flat_activities] == [
        ("1", None, None, []), ("2", None, None, []),
    ]


def test_the_review_queue_filters_by_each_plans_top_level(secretary_client, plans):
    html = secretary_client.get("/kontrola?state=all").get_data(as_text=True)
    assert ">1 – Vzdělávání</option>" in html and ">2 – Sociální oblast</option>" in html


def test_the_routing_preview_shows_each_activitys_levels(secretary_client, plans, make_user):
    from datetime import date

    from workflow.rounds import create_round

    four, _flat = plans
    actor = make_user("tajemnik2@kraj-lbc.cz", roles=[Role.secretary])
    round_ = create_round(four.id, actor, title="Monitoring 2026", period_start=date(2026, 1, 1),
                          period_end=date(2026, 12, 31))
    db.session.commit()
    text = _text(secretary_client.get(f"/kola/{round_.id}/smerovani"))
    assert "Strategický cíl 2 › Specifický cíl 2.1 › Opatření 2.1.2 2.1.2.1" in text
