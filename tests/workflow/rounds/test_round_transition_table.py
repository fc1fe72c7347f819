"""The round transition table, exhaustively: every state × every transition × every persona, against
a specification written out independently of workflow.round_transitions.ROUND_TRANSITIONS."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from web.extensions import db
from workflow import closing
from workflow import events as domain_events
from workflow.errors import PermissionDenied
from workflow.models import Entry, ReportingRound, RoundEvent, RoundSnapshot
from workflow.permissions import POLICY
from workflow.round_transitions import ROUND_TRANSITIONS, apply_round_transition
from workflow.rounds import RoundError, create_round
from workflow.states import Role

# The specification, written out independently of the table.
SOURCE = {"open": "planned", "close": "open", "reopen": "closed"}
TARGET = {"open": "open", "close": "closed", "reopen": "open"}
WHO = {"open": "secretary", "close": "secretary", "reopen": "admin"}
REASON = {"open": False, "close": False, "reopen": True}
NOTIFICATION = {"open": "round_opened", "close": "round_closed", "reopen": None}
LOGGED_AS = {"open": "opened", "close": "closed", "reopen": "reopened"}
STATES = ("planned", "open", "closed")
PERSONAS = ("admin", "secretary", "reviewer", "osv", "commission")


def test_the_table_is_the_specification():
    assert set(ROUND_TRANSITIONS) == set(SOURCE)
    for name, t in ROUND_TRANSITIONS.items():
        assert {str(s) for s in t.sources} == {SOURCE[name]}, name
        assert str(t.target) == TARGET[name], name
        assert POLICY[t.action] == frozenset({Role(WHO[name])}), name
        assert (t.reason_required is not None) == REASON[name], name
        assert t.notification == NOTIFICATION[name], name
        assert t.logged_as == LOGGED_AS[name], name


def _planned(small_plan, people) -> ReportingRound:
    round_ = create_round(
        small_plan.plan.id,
        people.secretary,
        title="Monitoring 2025",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        submission_deadline=date(2099, 2, 28),
    )
    db.session.flush()
    return round_


def _ready_to_close(round_, people) -> None:
    closing.waive_remaining(round_, people.secretary, "Nikdo neodpověděl.")
    closing.fill_missing_texts(round_, people.secretary, "Nevykázáno.")


@pytest.mark.parametrize("name", sorted(SOURCE))
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_state_transition_and_persona(small_plan, people, name, state, persona):
    round_ = _planned(small_plan, people)
    if state != "planned":
        apply_round_transition(round_, "open", people.secretary)
    if state == "closed":
        _ready_to_close(round_, people)
        apply_round_transition(round_, "close", people.secretary)
    if name == "close" and state == "open":
        _ready_to_close(round_, people)
    domain_events.take(db.session())
    actor = getattr(people, persona)
    reason = "Oprava podle usnesení rady." if REASON[name] else ""
    if persona != WHO[name]:
        with pytest.raises(PermissionDenied):
            apply_round_transition(round_, name, actor, comment=reason)
    elif state != SOURCE[name]:
        with pytest.raises(RoundError):
            apply_round_transition(round_, name, actor, comment=reason)
    else:
        apply_round_transition(round_, name, actor, comment=reason)
        assert round_.state == TARGET[name]
        log = db.session.scalars(
            select(RoundEvent).where(RoundEvent.round_id == round_.id).order_by(RoundEvent.id.desc())
        ).first()
        assert (log.action, log.from_state, log.to_state, log.actor_id) == (
            LOGGED_AS[name], SOURCE[name], TARGET[name], actor.id
        )
        recorded = [(e.transition, e.notification) for e in domain_events.recorded()]
        assert recorded == [(name, NOTIFICATION[name])]
        return
    assert round_.state == state  # a refusal changes nothing
    assert domain_events.recorded() == []


def test_guards_and_effects(small_plan, people):
    round_ = _planned(small_plan, people)
    round_.submission_deadline = None
    with pytest.raises(RoundError, match="termín odevzdání"):
        apply_round_transition(round_, "open", people.secretary)
    round_.submission_deadline = date(2099, 2, 28)
    created = apply_round_transition(round_, "open", people.secretary)
    count = db.session.scalar(select(func.count()).select_from(Entry).where(Entry.round_id == round_.id))
    assert created == count > 0 and round_.opened_at is not None
    with pytest.raises(closing.ClosingError, match="nelze uzavřít"):
        apply_round_transition(round_, "close", people.secretary)  # the checklist is the guard
    _ready_to_close(round_, people)
    snapshot = apply_round_transition(round_, "close", people.secretary)
    assert isinstance(snapshot, RoundSnapshot) and snapshot.round_id == round_.id and round_.closed_at
    with pytest.raises(RoundError, match="důvod"):
        apply_round_transition(round_, "reopen", people.admin, comment="  ")
    round_.imported = True
    with pytest.raises(RoundError, match="vedené v aplikaci"):
        apply_round_transition(round_, "reopen", people.admin, comment="Oprava.")
    round_.imported = False
    apply_round_transition(round_, "reopen", people.admin, comment="Oprava.")
    assert round_.state == "open" and round_.closed_at is None
    with pytest.raises(RoundError, match="Neznámá akce"):
        apply_round_transition(round_, "archive", people.admin)
