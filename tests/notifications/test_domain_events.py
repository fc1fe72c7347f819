"""Domain events: the services record them on the session, the subscriber of ``notifications``
turns them into outbox rows when the session commits (same transaction), a rollback forgets
them, and every notification named in a transition table has a handler."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from reminder_scenario import JANA, PETR, build_round, request_context  # noqa: F401 - request_context is a fixture
from sqlalchemy import select

from notifications import events
from notifications.mailer import render_email
from web.extensions import db
from workflow import events as domain_events
from workflow.entries import apply_transition, entry_for_update
from workflow.models import OutboxMessage
from workflow.states import EntryState
from workflow.transitions import TRANSITIONS

PRAGUE = ZoneInfo("Europe/Prague")

pytestmark = pytest.mark.usefixtures("request_context")


def _messages(kind: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.recipient_email)
        )
    )


def _approved(s, code: str, body: str):
    entry = entry_for_update(s.entry(code, body).id)
    entry.state = EntryState.approved
    db.session.flush()
    return entry


def test_reopening_an_approved_entry_tells_the_body_with_the_reason(app, make_user):
    s = build_round(make_user)
    with time_machine.travel(datetime(2026, 11, 18, 10, 0, tzinfo=PRAGUE)):
        entry = _approved(s, "A1.2", "OSV")
        apply_transition(entry, "reopen", s.users["tajemnik"], comment="Opravte prosím počet zasedání.")
        db.session.commit()
    reopened = _messages(events.ENTRY_REOPENED)
    assert [m.recipient_email for m in reopened] == [JANA, PETR]
    assert reopened[0].payload["reason"] == "Opravte prosím počet zasedání."
    subject, text, html = render_email("entry_reopened", "cs", **reopened[0].payload)
    assert subject == "Záznam A1.2 byl znovu otevřen k úpravám"
    assert "Opravte prosím počet zasedání." in text and f"/zaznamy/{entry.id}" in text
    assert html is not None and "Důvod znovuotevření:" in html
    english, _text, _html = render_email("entry_reopened", "en", **reopened[0].payload)
    assert english == "Entry A1.2 was reopened for changes"


def test_events_are_published_on_commit_in_the_same_transaction(app, make_user):
    s = build_round(make_user)
    entry = _approved(s, "A1.2", "OSV")
    log = apply_transition(entry, "reopen", s.users["tajemnik"], comment="Oprava.")
    recorded = domain_events.recorded()
    assert [(e.notification, e.entry_id, e.transition_log_id) for e in recorded] == [
        ("entry_reopened", entry.id, log.id)
    ]
    assert _messages(events.ENTRY_REOPENED) == []  # written when the transaction commits …
    db.session.commit()
    assert domain_events.recorded() == []
    assert len(_messages(events.ENTRY_REOPENED)) == 2  # … by the subscriber, not by the service


def test_a_rolled_back_transaction_sends_nothing(app, make_user):
    s = build_round(make_user)
    entry = _approved(s, "A1.2", "OSV")
    apply_transition(entry, "reopen", s.users["tajemnik"], comment="Oprava.")
    db.session.rollback()
    assert domain_events.recorded() == []
    db.session.commit()
    assert _messages(events.ENTRY_REOPENED) == []


def test_every_notification_of_the_transition_table_has_a_handler():
    named = {t.notification for t in TRANSITIONS.values() if t.notification}
    assert named == {"entry_submitted", "entry_returned", "entry_approved", "entry_reopened"}
    assert named <= set(events.HANDLERS)
    with pytest.raises(events.MissingHandler, match="entry_archived"):
        events.check_handlers([*named, "entry_archived"])
