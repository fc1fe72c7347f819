"""Groups of bodies in a round, and routing that belongs to the plan (issue 14 §3): the routing
preview shows a group's expansion before the round opens, opening creates exactly those
entries, and a correction saved to the plan is where the next round starts."""

from __future__ import annotations

from datetime import date

import pytest
from routing_fixtures import cards_plan
from sqlalchemy import select

from web.extensions import db
from workflow import rounds
from workflow.audit import AuditKind
from workflow.models import Activity, AuditEvent, Body, Entry, Plan, RoundRoute, RoutingDecision
from workflow.routing.resolution import Target, apply_decision
from workflow.states import Role


@pytest.fixture
def secretary(app, make_user):
    return make_user("tajemnik@kraj-lbc.cz", roles=[Role.secretary])


def _body(abbreviation: str) -> Body:
    return db.session.scalar(select(Body).where(Body.abbreviation == abbreviation))


def _activity(plan: Plan, code: str) -> Activity:
    return db.session.scalar(select(Activity).where(Activity.plan_id == plan.id, Activity.code == code))


@pytest.fixture
def grouped(app, secretary) -> Plan:
    """The cards plan with „obce“ (one entry per member: SML, SMJN) and „poskytovatelé sociálních
    služeb“ (one entry for the coordinating OSV) decided."""
    plan = cards_plan()
    members = (_body("SML").id, _body("SMJN").id)
    apply_decision(
        plan, "obce", Target("new_group", abbreviation="obce", mode="each", member_ids=members), secretary
    )
    apply_decision(
        plan,
        "poskytovatelé sociálních služeb",
        Target("new_group", abbreviation="PSS", mode="coordinator", coordinator_id=_body("OSV").id),
        secretary,
    )
    return plan


def _round(plan: Plan, secretary, title: str = "Monitoring 2025"):
    return rounds.create_round(
        plan.id,
        secretary,
        title=title,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        submission_deadline=date(2026, 2, 27),
    )


def test_preview_shows_the_expansion_and_opening_creates_those_entries(grouped, secretary):
    round_ = _round(grouped, secretary)
    rows = {row.activity.code: row for row in rounds.routing_preview(round_)}
    row = rows["2.1.1"]  # „LK, obce, poskytovatelé sociálních služeb“
    assert [b.abbreviation for b in row.plan_bodies] == ["LK", "obce", "PSS"]
    assert [b.abbreviation for b in row.bodies] == ["LK", "SMJN", "SML", "OSV"]
    obce, pss = _body("obce"), _body("PSS")
    assert [b.abbreviation for b in row.expansions[obce.id]] == ["SMJN", "SML"]
    assert [b.abbreviation for b in row.expansions[pss.id]] == ["OSV"]
    assert rows["5.1.1"].cooperating == ["ASZ"]  # „ve spolupráci s Agenturou …“
    assert [b.abbreviation for b in rows["6.5.5"].bodies] == ["SMJN", "SML"]  # the group leads

    rounds.open_round(round_, secretary)
    entries = db.session.scalars(
        select(Body.abbreviation)
        .join(Entry, Entry.body_id == Body.id)
        .where(Entry.round_id == round_.id, Entry.activity_id == row.activity.id)
    ).all()
    assert sorted(entries) == ["LK", "OSV", "SMJN", "SML"]
    planned = db.session.scalar(
        select(db.func.count()).select_from(RoundRoute).where(RoundRoute.round_id == round_.id)
    )
    assert (
        db.session.scalar(select(db.func.count()).select_from(Entry).where(Entry.round_id == round_.id))
        == planned
    )


def test_a_correction_saved_to_the_plan_is_where_the_next_round_starts(grouped, secretary):
    first = _round(grouped, secretary)
    card = _activity(grouped, "1.1.5")  # „LK“: the default body OSV, flagged
    assert card.routing_needs_review
    oz = _body("OZ")
    rounds.set_routing(first, card.id, [oz.id], secretary, reason="karta patří OZ", save_to_plan=True)
    assert [b.abbreviation for b in card.bodies] == ["OZ"] and not card.routing_needs_review
    assert db.session.get(RoutingDecision, card.id).note == "karta patří OZ"
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.kind == AuditKind.routing_activity_decided)
    ).one()
    assert event.summary == "1.1.5: OZ – karta patří OZ"
    # a correction for this round only stays in the round
    other = _activity(grouped, "1.1.1")
    rounds.set_routing(first, other.id, [oz.id], secretary, reason="jen letos")
    assert [b.abbreviation for b in other.bodies] != ["OZ"]

    second = _round(grouped, secretary, title="Monitoring 2026")
    rows = {row.activity.code: row for row in rounds.routing_preview(second)}
    assert [b.abbreviation for b in rows["1.1.5"].bodies] == ["OZ"]
    assert [b.abbreviation for b in rows["1.1.1"].bodies] == ["LK", "OSV", "SMJN", "SML"]


def test_a_group_in_a_rounds_correction_is_expanded(grouped, secretary):
    round_ = _round(grouped, secretary)
    card = _activity(grouped, "1.1.5")
    rounds.set_routing(round_, card.id, [_body("obce").id, _body("OZ").id], secretary, reason="obce vedou")
    rows = {row.activity.code: row for row in rounds.routing_preview(round_)}
    assert [b.abbreviation for b in rows["1.1.5"].bodies] == ["SMJN", "SML", "OZ"]


def test_rebuild_takes_the_plans_current_routing(grouped, secretary):
    round_ = _round(grouped, secretary)
    card = _activity(grouped, "1.1.5")
    rounds.set_routing(round_, card.id, [_body("OZ").id], secretary, reason="jen letos")
    # the plan's routing changes after the round was created (a name decided) …
    apply_decision(grouped, "obcemi LK", Target("body", body_id=_body("obce").id), secretary)
    assert rounds.rebuild_routing(round_, secretary) > 0
    rows = {row.activity.code: row for row in rounds.routing_preview(round_)}
    assert [b.abbreviation for b in rows["1.1.5"].bodies] == ["OSV"]
    assert not rows["1.1.5"].inclusion.routing_changed
    assert [b.abbreviation for b in rows["1.1.2"].bodies] == ["LK", "OSV"]
    rounds.open_round(round_, secretary)
    with pytest.raises(rounds.RoundError):
        rounds.rebuild_routing(round_, secretary)
