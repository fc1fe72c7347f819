"""The secretary's resolution page (issue 14 §3) through the browser's requests: the names
listed once with counts and examples, a decision previewed (nothing written), applied (alias,
group, whole plan, audit), the default confirmed, an activity routed explicitly; the plan page
states each flag's real cause; a round's correction saved to the plan."""

from __future__ import annotations

import re
from datetime import date

import pytest
from routing_fixtures import cards_plan, flat_plan
from sqlalchemy import func, select
from support import login

from web.extensions import db
from workflow import rounds
from workflow.models import Activity, AuditEvent, Body, Plan, RoutingAlias
from workflow.states import Role


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _body(abbreviation: str) -> Body:
    return db.session.scalar(select(Body).where(Body.abbreviation == abbreviation))


@pytest.fixture
def secretary(app, make_user):
    return make_user("tajemnik@kraj-lbc.cz", roles=[Role.secretary])


@pytest.fixture
def plan(app) -> Plan:
    plan = cards_plan()
    db.session.commit()
    return plan


@pytest.fixture
def browser(client, secretary):
    assert login(client, secretary).status_code == 302
    return client


def test_page_lists_each_unrecognised_name_once(browser, plan):
    response = browser.get(f"/plany/{plan.id}/rozpoznani")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('class="unrecognised-name"') == 5
    text = _text(response)
    assert "obce také: obcemi, Obce" in text, text[text.find("Nerozpoznané názvy:"):][:600]
    assert "poskytovatelé sociálních služeb 23" in text
    assert "nerozpoznaný název „Obce“; zatím přiděleno výchozímu subjektu OSV" in text
    assert "Aktivity k revizi: 48" in text


def test_preview_writes_nothing_then_apply_routes_the_whole_plan(browser, plan):
    members = [_body("SML").id, _body("SMJN").id]
    form = {
        "name": "obcemi",
        "kind": "new_group",
        "abbreviation": "obce",
        "full_name": "Obce",
        "mode": "each",
    }
    response = browser.post(f"/plany/{plan.id}/rozpoznani/nahled", data={**form, "member_ids": members})
    assert response.status_code == 200
    text = _text(response)
    assert "„obcemi“ → obce (nová skupina subjektů)" in text
    assert "Změní se směrování 27 aktivit" in text  # lead, partners or flag
    assert db.session.scalar(select(func.count()).select_from(RoutingAlias)) == 0
    assert _body("obce") is None  # a preview creates nothing

    response = browser.post(f"/plany/{plan.id}/rozpoznani/pouzit", data={**form, "member_ids": members})
    assert response.status_code == 302
    db.session.expire_all()
    assert _body("obce").kind == "group"
    card = db.session.scalar(select(Activity).where(Activity.plan_id == plan.id, Activity.code == "6.4.1"))
    assert [b.abbreviation for b in card.bodies] == ["LK", "obce"] and not card.routing_needs_review
    events = db.session.scalars(
        select(AuditEvent.summary).where(AuditEvent.kind == "routing_alias_decided")
    ).all()
    assert events == [f"„obcemi“ → obce ({plan.title})"]
    page = browser.get(f"/plany/{plan.id}/rozpoznani")
    assert re.search(r"Rozhodnutí o názvu „obcemi“ bylo uloženo; změněno aktivit: \d+\.", _text(page))
    assert page.get_data(as_text=True).count('class="unrecognised-name"') == 4


def test_a_bad_decision_is_refused_in_czech_and_nothing_is_written(browser, plan):
    response = browser.post(
        f"/plany/{plan.id}/rozpoznani/pouzit",
        data={"name": "obcemi", "kind": "new_body", "abbreviation": "OSV"},
        follow_redirects=True,
    )
    assert "Subjekt se zkratkou „OSV“ už existuje." in _text(response)
    assert db.session.scalar(select(func.count()).select_from(RoutingAlias)) == 0


def test_confirm_defaults_and_explicit_routing(browser, plan):
    response = browser.post(
        f"/plany/{plan.id}/rozpoznani/vychozi", data={"confirm": "y"}, follow_redirects=True
    )
    assert "Výchozí subjekt potvrzen u 19 aktivit." in _text(response)
    card = db.session.scalar(select(Activity).where(Activity.plan_id == plan.id, Activity.code == "6.5.5"))
    oz, lk = _body("OZ"), _body("LK")
    response = browser.post(
        f"/plany/{plan.id}/aktivity/{card.id}/smerovani",
        data={"lead": oz.id, "others": [lk.id], "note": "dohodnuto s OZ"},
        follow_redirects=True,
    )
    assert "Směrování aktivity 6.5.5 bylo uloženo do plánu." in _text(response)
    db.session.expire_all()
    assert [b.abbreviation for b in card.bodies] == ["OZ", "LK"] and not card.routing_needs_review


def test_plan_page_states_the_real_cause_and_links_the_page(browser, plan):
    text = _text(browser.get(f"/plany/{plan.id}"))
    assert "nerozpoznaný název „Obce“" in text
    assert "Rozpoznání subjektů" in text


def test_flat_list_resolved_on_the_page(browser, app):
    plan = flat_plan()
    db.session.commit()
    assert "nerozpoznaný název „politik“" in _text(browser.get(f"/plany/{plan.id}/rozpoznani"))
    browser.post(f"/plany/{plan.id}/rozpoznani/pouzit", data={"name": "politik", "kind": "none"})
    for name, abbreviation in [
        ("komise pro sociální věci", "KSV"),
        ("Rada MČ", "Rada MČ"),
        ("odbor sociálních věcí ÚMČ", "OSV ÚMČ"),
    ]:
        data = {"name": name, "kind": "new_body", "abbreviation": abbreviation, "full_name": name}
        assert browser.post(f"/plany/{plan.id}/rozpoznani/pouzit", data=data).status_code == 302
    text = _text(browser.get(f"/plany/{plan.id}/rozpoznani"))
    assert "Všechny názvy jsou rozpoznány" in text and "Žádná aktivita nečeká na revizi směrování." in text


def test_round_correction_saved_to_the_plan(browser, plan, secretary):
    round_ = rounds.create_round(
        plan.id,
        secretary,
        title="Monitoring 2025",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        submission_deadline=date(2026, 2, 27),
    )
    db.session.commit()
    card = db.session.scalar(select(Activity).where(Activity.plan_id == plan.id, Activity.code == "1.1.5"))
    oz = _body("OZ")
    text = _text(browser.get(f"/kola/{round_.id}/smerovani"))
    assert "odbor není uveden; přiděleno výchozímu subjektu OSV" in text
    assert "spolupráce: ASZ" in text
    response = browser.post(
        f"/kola/{round_.id}/aktivity/{card.id}/smerovani",
        data={"lead": oz.id, "reason": "karta patří OZ", "save_to_plan": "y"},
        follow_redirects=True,
    )
    assert "Směrování aktivity bylo změněno v kole i v plánu." in _text(response)
    db.session.expire_all()
    assert [b.abbreviation for b in card.bodies] == ["OZ"]
    response = browser.post(
        f"/kola/{round_.id}/smerovani/z-planu", data={"confirm": "y"}, follow_redirects=True
    )
    assert "Směrování kola bylo znovu převzato z plánu" in _text(response)


def test_only_the_secretary(client, make_user, plan):
    reviewer = make_user("hodnotitel@kraj-lbc.cz", roles=[Role.reviewer])
    login(client, reviewer)
    assert client.get(f"/plany/{plan.id}/rozpoznani").status_code == 403
    assert (
        client.post(f"/plany/{plan.id}/rozpoznani/pouzit", data={"name": "obce", "kind": "none"}).status_code
        == 403
    )
    assert db.session.scalar(select(func.count()).select_from(RoutingAlias)) == 0
