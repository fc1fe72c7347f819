"""The transition table, exhaustively: every state × every transition × every role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from round_fixtures import entry_of
from sqlalchemy import select

from web.extensions import db
from workflow.clock import today as prague_today
from workflow.entries import apply_transition
from workflow.models import Deputy, EntryTransition, EntryVersion, Plan, RoleAssignment
from workflow.states import EntryState, Role, RoundState
from workflow.transitions import (
    TRANSITIONS,
    CommentRequired,
    InvalidTransition,
    NotAllowed,
    RoundLocked,
    SelfApproval,
    UnknownTransition,
    allowed_transitions,
)

# The specification, written out independently of workflow.transitions.TRANSITIONS.
SOURCE = {
    "start": "not_started",
    "submit": "draft",
    "send_back": "submitted",
    "rework": "returned",
    "approve": "submitted",
    "reopen": "approved",
}
TARGET = {
    "start": "draft",
    "submit": "submitted",
    "send_back": "returned",
    "rework": "draft",
    "approve": "approved",
    "reopen": "draft",
}
BODY = {"osv", "osv_head", "deputy"}
WHO = {
    "start": BODY,
    "submit": BODY,
    "rework": BODY,
    "send_back": {"reviewer"},
    "approve": {"reviewer"},
    "reopen": {"secretary"},
}
PERSONAS = [
    "admin",
    "secretary",
    "reviewer",
    "reviewer_b",
    "osv",
    "osv_head",
    "osmts",
    "commission",
    "deputy",
]


@pytest.fixture
def cast(opened, people, make_user):
    """Personas by name; ``deputy`` stands in for the OSV contributor today."""
    deputy = make_user("zastup@kraj-lbc.cz", roles=())
    today = prague_today()
    db.session.add(
        Deputy(
            principal_id=people.osv.id,
            deputy_id=deputy.id,
            starts_on=today - timedelta(days=1),
            ends_on=today + timedelta(days=1),
        )
    )
    db.session.commit()
    named = {name: getattr(people, name) for name in PERSONAS if name != "deputy"}
    named["deputy"] = deputy
    return named


def _complete(entry):
    entry.fulfilment_status = "ongoing"
    entry.text = "Komise zasedala čtyřikrát, zápisy jsou přiloženy."
    entry.carried_over = False


def test_table_is_the_specification():
    assert {n: str(t.sources and next(iter(t.sources))) for n, t in TRANSITIONS.items()} == SOURCE
    assert {n: str(t.target) for n, t in TRANSITIONS.items()} == TARGET
    assert {n for n, t in TRANSITIONS.items() if t.needs_comment} == {"send_back", "reopen"}
    assert {n: t.notification for n, t in TRANSITIONS.items()} == {
        "start": None,
        "submit": "entry_submitted",
        "send_back": "entry_returned",
        "rework": None,
        "approve": "entry_approved",
        "reopen": "entry_reopened",
    }


@pytest.mark.parametrize("name", list(SOURCE))
def test_every_state_and_role(name, opened, cast):
    """For one transition: all 5 states × 9 personas, each allowed or refused with the right error."""
    entry = entry_of(opened, "A1.1", "OSV")
    failures = []
    for state in EntryState:
        for persona in PERSONAS:
            user = cast[persona]
            nested = db.session.begin_nested()
            entry.state = state
            _complete(entry)
            db.session.flush()
            try:
                log = apply_transition(entry, name, user, comment="Důvod: doplňte počet zasedání.")
            except NotAllowed as exc:
                outcome, message = "NotAllowed", exc.message
            except InvalidTransition as exc:
                outcome, message = "InvalidTransition", exc.message
            else:
                outcome, message = "allowed", ""
                assert log.from_state == state and log.to_state == TARGET[name] == entry.state
                assert log.actor_id == user.id and log.version_id is not None
            nested.rollback()
            if persona not in WHO[name]:
                expected = "NotAllowed"
            elif state != SOURCE[name]:
                expected = "InvalidTransition"
            else:
                expected = "allowed"
            if outcome != expected:
                failures.append((str(state), persona, expected, outcome, message))
            elif outcome == "NotAllowed":
                assert "smí provést jen" in message
            elif outcome == "InvalidTransition":
                assert "Záznam je ve stavu" in message and "lze provést jen ve stavu" in message
    assert failures == []


def test_buttons_list_only_what_the_user_may_fire_now(opened, cast):
    entry = entry_of(opened, "A1.1", "OSV")
    entry.state = EntryState.submitted
    db.session.flush()
    assert [t.name for t in allowed_transitions(entry, cast["reviewer"])] == ["send_back", "approve"]
    assert allowed_transitions(entry, cast["reviewer_b"]) == []  # area B only
    assert allowed_transitions(entry, cast["osv"]) == []
    entry.state = EntryState.draft
    assert [t.name for t in allowed_transitions(entry, cast["deputy"])] == ["submit"]
    entry.state = EntryState.approved
    assert [t.name for t in allowed_transitions(entry, cast["secretary"])] == ["reopen"]
    assert allowed_transitions(entry, cast["admin"]) == []


def test_no_self_approval(opened, people, make_user):
    entry = entry_of(opened, "A1.1", "OSV")
    _complete(entry)
    entry.state = EntryState.submitted
    both = make_user("oboji@kraj-lbc.cz", roles=[Role.reviewer, Role.contributor], bodies=["OSV"])
    with pytest.raises(SelfApproval, match="vlastního subjektu"):
        apply_transition(entry, "approve", both)
    entry.submitted_by_id = people.reviewer.id
    with pytest.raises(SelfApproval, match="sami odeslali"):
        apply_transition(entry, "approve", people.reviewer)
    assert entry.state == EntryState.submitted


def test_reasons_are_required(opened, people):
    entry = entry_of(opened, "A1.1", "OSV")
    _complete(entry)
    entry.state = EntryState.submitted
    with pytest.raises(CommentRequired, match="vyžaduje zdůvodnění"):
        apply_transition(entry, "send_back", people.reviewer, comment="   ")
    entry.state = EntryState.approved
    with pytest.raises(CommentRequired):
        apply_transition(entry, "reopen", people.secretary)


def test_closed_round_locks_every_transition(opened, people):
    entry = entry_of(opened, "A1.1", "OSV")
    opened.state = RoundState.closed  # closing itself: test_round_transition_table.py
    for name in TRANSITIONS:
        with pytest.raises(RoundLocked, match="není otevřené"):
            apply_transition(entry, name, people.osv, comment="x")
    with pytest.raises(UnknownTransition):
        apply_transition(entry, "delete", people.osv)


def test_audit_records_actor_acted_for_time_and_version(opened, cast):
    entry = entry_of(opened, "A1.1", "OSV")
    entry.state = EntryState.draft
    _complete(entry)
    log = apply_transition(entry, "submit", cast["deputy"])
    db.session.commit()
    row = db.session.scalar(select(EntryTransition).where(EntryTransition.id == log.id))
    assert (row.from_state, row.to_state, row.name) == ("draft", "submitted", "submit")
    assert row.acted_for_body_id == entry.body_id and row.acted_for_user_id == cast["osv"].id
    assert row.created_at.tzinfo is not None
    version = db.session.get(EntryVersion, row.version_id)
    assert version.text == entry.text and version.data["fulfilment_status"] == "ongoing"
    assert entry.submitted_by_id == cast["deputy"].id and entry.submitted_on_time is True
    row.comment = "přepsáno"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()


def test_scoped_reviewer_reviews_only_their_area(opened, people):
    a_entry, b_entry = entry_of(opened, "A1.1", "OSV"), entry_of(opened, "B1.1", "OSV")
    for entry in (a_entry, b_entry):
        _complete(entry)
        entry.state = EntryState.submitted
    with pytest.raises(NotAllowed):
        apply_transition(a_entry, "approve", people.reviewer_b)
    apply_transition(b_entry, "approve", people.reviewer_b)
    assert b_entry.state == EntryState.approved
    plan_scoped = people.reviewer_b
    other_plan = Plan(title="Jiný plán")
    db.session.add(other_plan)
    db.session.flush()
    plan_scoped.role_assignments.append(RoleAssignment(role=Role.reviewer, plan_id=other_plan.id))
    db.session.flush()
    with pytest.raises(NotAllowed):
        apply_transition(a_entry, "approve", plan_scoped)
