"""Editing a group of bodies after it was created (issue 14 §3) through the browser's requests:
rename, members, setting and coordinating body; the activities routed through the group listed;
audited; refused in Czech for bad input and for roles other than secretary and administrator;
linked from the body list and the group's page; a round built afterwards follows the new setting."""

from __future__ import annotations

import re
from datetime import date

import pytest
from routing_fixtures import cards_plan
from sqlalchemy import select
from support import login

from web.extensions import db
from workflow import rounds
from workflow.models import Activity, AuditEvent, Body, BodyGroup, Plan, RoundRoute
from workflow.routing.resolution import Target, apply_decision, reresolve
from workflow.states import Role


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def _body(abbreviation: str) -> Body:
    return db.session.scalar(select(Body).where(Body.abbreviation == abbreviation))


@pytest.fixture
def secretary(app, make_user):
    return make_user("tajemnik@kraj-lbc.cz", roles=[Role.secretary])


@pytest.fixture
def plan(app, secretary) -> Plan:
    """The seed 001 cards with „obce“ decided as a group of one member (SML), one entry each."""
    plan = cards_plan()
    target = Target(
        kind="new_group", abbreviation="obce", name="Obce", mode="each", member_ids=(_body("SML").id,)
    )
    apply_decision(plan, "obcemi", target, secretary)
    db.session.commit()
    return plan


@pytest.fixture
def browser(client, secretary):
    assert login(client, secretary).status_code == 302
    return client


def _url() -> str:
    return f"/subjekty/{_body('obce').id}/skupina"


def test_page_lists_the_activities_routed_through_the_group(browser, plan):
    response = browser.get(_url())
    assert response.status_code == 200
    html, text = response.get_data(as_text=True), _text(response)
    assert "V kole nyní dostanou záznam: SML (záznam pro každého člena)" in text
    assert html.count('class="group-activity"') == 19  # „LK, obce, …“ cards: obce co-responsible
    assert "Aktivity přidělené skupině (19)" in text and "spoluodpovědný" in text


def test_preview_shows_the_expansion_after_the_edit_and_saves_nothing(browser, plan):
    sml, smjn = _body("SML"), _body("SMJN")
    data = {"abbreviation": "obce", "full_name": "Obce", "mode": "each", "member_ids": [sml.id, smjn.id]}
    response = browser.post(_url(), data={**data, "nahled": "1"})
    assert response.status_code == 200
    text = _text(response)
    assert "Po uložení dostanou záznam: SMJN, SML." in text
    assert "Náhled nic neukládá; týká se 19 aktivit níže." in text
    assert "SML → SMJN, SML" in text
    db.session.expire_all()
    assert [m.abbreviation for m in db.session.get(BodyGroup, _body("obce").id).members] == ["SML"]
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.kind == "routing_group_edited")) is None


def test_edit_renames_sets_members_and_coordinator_audited(browser, plan, secretary):
    sml, smjn = _body("SML"), _body("SMJN")
    url = _url()
    response = browser.post(
        url,
        data={
            "abbreviation": "obce LK",
            "full_name": "Obce Libereckého kraje",
            "mode": "coordinator",
            "member_ids": [sml.id, smjn.id],
            "coordinator_id": smjn.id,
        },
    )
    assert response.status_code == 302
    text = _text(browser.get(response.headers["Location"]))
    assert (
        "Skupina obce LK byla uložena: zkratka: obce → obce LK; název: Obce → Obce Libereckého kraje; "
        "přidáni členové: SMJN; nastavení: jeden záznam pro koordinující subjekt; "
        "koordinující subjekt: SMJN." in text
    )
    assert "V kole nyní dostanou záznam: SMJN (jeden záznam pro koordinující subjekt)" in text
    db.session.expire_all()
    group = db.session.get(BodyGroup, _body("obce LK").id)
    assert group.mode == "coordinator" and group.coordinator.abbreviation == "SMJN"
    assert sorted(m.abbreviation for m in group.members) == ["SMJN", "SML"]
    # the former spelling stays an alias: plans that write „obce“ still route to the group
    assert [a.alias for a in group.body.aliases] == ["obce"]
    assert reresolve(plan) == 0
    card = db.session.scalar(select(Activity).where(Activity.plan_id == plan.id, Activity.code == "6.4.1"))
    assert [b.abbreviation for b in card.bodies] == ["LK", "obce LK"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "routing_group_edited"))
    assert event.actor_id == secretary.id and event.summary.startswith("obce LK: zkratka: obce → obce LK;")

    # a round built now gives the group's activities one entry, for the coordinating body
    round_ = rounds.create_round(
        plan.id, secretary, title="Monitoring 2025", period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31), submission_deadline=date(2026, 2, 27),
    )
    db.session.commit()
    routed = set(db.session.scalars(select(RoundRoute.body_id).where(RoundRoute.round_id == round_.id)))
    assert smjn.id in routed and sml.id not in routed and group.body_id not in routed
    assert "Monitoring 2025" in _text(browser.get(url))  # a planned round of the plan is listed
    assert f'href="{url}"' in browser.get(f"/kola/{round_.id}/smerovani").get_data(as_text=True)

    # the same values again: nothing changes, nothing is audited
    again = browser.post(
        url,
        data={"abbreviation": "obce LK", "full_name": "Obce Libereckého kraje", "mode": "coordinator",
              "member_ids": [sml.id, smjn.id], "coordinator_id": smjn.id},
        follow_redirects=True,
    )
    assert "Skupina se nezměnila." in _text(again)
    edits = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "routing_group_edited")).all()
    assert len(edits) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"abbreviation": "obce", "mode": "coordinator"},
            "Skupina s jedním záznamem potřebuje koordinující subjekt.",
        ),
        ({"abbreviation": "obce", "mode": "each"}, "Vyberte alespoň jednoho člena skupiny."),
        (
            {"abbreviation": "OSV", "mode": "each", "member_ids": "SML"},
            "Subjekt se zkratkou „OSV“ už existuje.",
        ),
        ({"abbreviation": "", "mode": "each", "member_ids": "SML"}, "Zadejte zkratku subjektu."),
    ],
)
def test_bad_input_is_refused_in_czech_and_nothing_changes(browser, plan, data, message):
    if data.get("member_ids") == "SML":
        data = {**data, "member_ids": [_body("SML").id]}
    response = browser.post(_url(), data=data, follow_redirects=True)
    assert message in _text(response)
    db.session.expire_all()
    group = db.session.get(BodyGroup, _body("obce").id)
    assert group.mode == "each" and [m.abbreviation for m in group.members] == ["SML"]
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.kind == "routing_group_edited")) is None


def test_links_and_who_may_edit(client, make_user, plan):
    admin = make_user("spravce@kraj-lbc.cz", roles=[Role.admin])
    reviewer = make_user("hodnotitel@kraj-lbc.cz", roles=[Role.reviewer])
    group_id = _body("obce").id
    login(client, reviewer)
    assert client.get(_url()).status_code == 403
    assert client.post(_url(), data={"abbreviation": "x", "mode": "each"}).status_code == 403
    assert "edit-group" not in client.get("/subjekty").get_data(as_text=True)
    client.post("/odhlaseni")
    login(client, admin)
    listing = client.get("/subjekty").get_data(as_text=True)
    assert f'href="/subjekty/{group_id}/skupina"' in listing
    detail = _text(client.get(f"/subjekty/{group_id}"))
    assert "Členové: SML" in detail and "Upravit skupinu" in detail
    assert client.get(_url()).status_code == 200
    assert client.get(f"/subjekty/{_body('OSV').id}/skupina").status_code == 404  # not a group
