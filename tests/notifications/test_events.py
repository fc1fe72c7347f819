"""What round events and transitions send: invitations, returned at once, digests, round closed;
and how the e-mails read (Czech, English, dates, links)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from reminder_scenario import EVA, JANA, PETR, build_round, request_context, run_sweep  # noqa: F401 - request_context is a fixture
from sqlalchemy import select

from notifications import digest, events, outbox
from notifications.mailer import render_email
from notifications.outbox import OutboxMessage
from web.extensions import db
from workflow.models import EntryTransition, RoleAssignment
from workflow.states import EntryState, Role

PRAGUE = ZoneInfo("Europe/Prague")

pytestmark = pytest.mark.usefixtures("request_context")


def _messages(kind: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.recipient_email)
        )
    )


def _log(entry, name: str, actor, comment: str = "") -> EntryTransition:
    log = EntryTransition(
        entry_id=entry.id,
        name=name,
        from_state=entry.state,
        to_state=entry.state,
        actor_id=actor.id,
        comment=comment,
    )
    db.session.add(log)
    db.session.flush()
    return log


def test_invitation_lists_each_persons_entries_once(app, make_user):
    s = build_round(make_user)
    db.session.execute(OutboxMessage.__table__.delete().where(OutboxMessage.kind == events.ROUND_INVITATION))
    with time_machine.travel(datetime(2026, 10, 20, 9, 0, tzinfo=PRAGUE), tick=False):
        assert events.round_opened(s.round) == 3
        assert events.round_opened(s.round) == 0  # repeated: same keys
        db.session.commit()
    sent = {
        m.recipient_email: [e["code"] for b in m.payload["bodies"] for e in b["entries"]]
        for m in _messages(events.ROUND_INVITATION)
    }
    assert sent == {JANA: ["A1.1", "A1.2"], PETR: ["A1.1", "A1.2"], EVA: ["A1.1", "A1.3"]}
    subject, text, html = render_email(
        "round_invitation", "cs", **_messages(events.ROUND_INVITATION)[0].payload
    )
    assert subject == "Kolo monitoringu „Monitoring 2026“: odevzdejte plnění do 24. 11. 2026"
    # issue 16: the round's period, and no „vyplnění plnění“
    assert "bylo otevřeno kolo monitoringu „Monitoring 2026“ za období 1. 1. 2026 – 31. 12. 2026." in text
    assert "vyplnění plnění" not in text and "vyplnění plnění" not in html
    assert "za období 1. 1. 2026 – 31. 12. 2026" in html
    assert "OŠMTS – Odbor školství, mládeže, tělovýchovy a sportu" in text
    entry = s.entry("A1.1", "OŠMTS")
    assert f"http://127.0.0.1:5000/zaznamy/{entry.id}" in text
    assert f'<a href="http://127.0.0.1:5000/zaznamy/{entry.id}">A1.1</a>' in html


def test_returned_goes_at_once_with_the_reason(app, make_user):
    s = build_round(make_user)
    reviewer = make_user("hodnotitel@kraj-lbc.cz", roles=[Role.reviewer], name="Hana Hodnotitelka")
    entry = s.entry("A1.2", "OSV")
    entry.state = EntryState.returned
    log = _log(entry, "send_back", reviewer, "Doplňte prosím počet zasedání a zápisy.")
    assert events.entry_transitioned(entry, log) == 2
    db.session.commit()
    returned = _messages(events.ENTRY_RETURNED)
    assert [m.recipient_email for m in returned] == [JANA, PETR]
    assert all(m.next_attempt_at <= outbox.utcnow() for m in returned)  # at once
    subject, text, _html = render_email("entry_returned", "cs", **returned[0].payload)
    assert subject == "Záznam A1.2 byl vrácen k doplnění"
    assert "Doplňte prosím počet zasedání a zápisy." in text
    assert f"http://127.0.0.1:5000/zaznamy/{entry.id}" in text


def test_approved_entries_collect_into_one_daily_digest(app, make_user):
    s = build_round(make_user)
    reviewer = make_user("hodnotitel@kraj-lbc.cz", roles=[Role.reviewer])
    with time_machine.travel(datetime(2026, 11, 18, 14, 0, tzinfo=PRAGUE), tick=False):
        for code in ("A1.1", "A1.2"):
            entry = s.entry(code, "OSV")
            entry.state = EntryState.approved
            events.entry_transitioned(entry, _log(entry, "approve", reviewer))
        db.session.commit()
        digests = _messages(events.ENTRY_APPROVED_DIGEST)
        assert not {m.id for m in digests} & set(outbox.due_message_ids())  # waits for the morning
    assert [m.recipient_email for m in digests] == [JANA, PETR]
    assert [e["code"] for e in digest.payload_for(digests[0])["entries"]] == ["A1.1", "A1.2"]
    assert digests[0].next_attempt_at == datetime(2026, 11, 19, 7, 0, tzinfo=UTC)  # 8:00 in Prague
    with time_machine.travel(datetime(2026, 11, 19, 8, 1, tzinfo=PRAGUE), tick=False):
        assert {m.id for m in digests} <= set(outbox.due_message_ids())
    subject, text, _html = render_email("entry_approved_digest", "cs", **digest.payload_for(digests[0]))
    assert subject == "Schválené záznamy (2)"
    assert "hodnotitel schválil tyto vaše záznamy" in text


def test_reviewer_digest_at_most_one_per_reviewer_per_hour(app, make_user):
    s = build_round(make_user)
    make_user("hodnotitel@kraj-lbc.cz", roles=[Role.reviewer])  # reviews everything
    elsewhere = make_user("jinde@kraj-lbc.cz", roles=())
    elsewhere.role_assignments.append(RoleAssignment(role=Role.reviewer, body_id=s.bodies["OŠMTS"].id))
    db.session.commit()
    jana = s.users["jana"]
    for minute, code in ((5, "A1.1"), (40, "A1.2")):
        with time_machine.travel(datetime(2026, 11, 18, 10, minute, tzinfo=UTC), tick=False):
            entry = s.entry(code, "OSV")
            entry.state = EntryState.submitted
            events.entry_transitioned(entry, _log(entry, "submit", jana))
            db.session.commit()
    with time_machine.travel(datetime(2026, 11, 18, 11, 10, tzinfo=UTC), tick=False):
        entry = s.entry("A1.1", "OŠMTS")
        entry.state = EntryState.submitted
        events.entry_transitioned(entry, _log(entry, "submit", s.users["eva"]))
        db.session.commit()
    digests = [
        (
            m.recipient_email,
            [e["code"] + "/" + e["body"]["abbreviation"] for e in digest.payload_for(m)["entries"]],
            m.next_attempt_at,
        )
        for m in db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == events.REVIEWER_DIGEST)
            .order_by(OutboxMessage.id)
        )
    ]
    assert digests == [
        ("hodnotitel@kraj-lbc.cz", ["A1.1/OSV", "A1.2/OSV"], datetime(2026, 11, 18, 11, 0, tzinfo=UTC)),
        ("hodnotitel@kraj-lbc.cz", ["A1.1/OŠMTS"], datetime(2026, 11, 18, 12, 0, tzinfo=UTC)),
        ("jinde@kraj-lbc.cz", ["A1.1/OŠMTS"], datetime(2026, 11, 18, 12, 0, tzinfo=UTC)),
    ]


def test_round_closed_notice_with_report_link(app, make_user):
    s = build_round(make_user)
    make_user("komise@kraj-lbc.cz", roles=[Role.commission])
    with time_machine.travel(datetime(2026, 12, 20, 9, 0, tzinfo=PRAGUE), tick=False):  # no deputy then
        assert events.round_closed(s.round) == 5  # Jana, Petr, Eva, the commission member, the secretary
        db.session.commit()
    closed = _messages(events.ROUND_CLOSED)
    assert "ivan.byvaly@kraj-lbc.cz" not in {m.recipient_email for m in closed}
    subject, text, _html = render_email("round_closed", "cs", **closed[0].payload)
    assert subject == "Kolo monitoringu „Monitoring 2026“ bylo uzavřeno"
    assert f"http://127.0.0.1:5000/kola/{s.round.id}" in text
    assert "Sledované období: 1. 1. 2026 – 31. 12. 2026" in text  # the round's, not the plan's (issue 16)


def test_reminder_reads_well_in_czech_and_english(app, make_user):
    s = build_round(make_user)
    run_sweep(date(2026, 11, 27))  # first overdue notice (deadline 24. 11.)
    notice = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.kind == "overdue_notice", OutboxMessage.recipient_email == JANA
        )
    ).one()
    subject, text, html = render_email("overdue_notice", "cs", **notice.payload)
    assert subject == "Po termínu: plnění mělo být odevzdáno do 24. 11. 2026"
    assert "termín odevzdání plnění v kole „Monitoring 2026“ již uplynul" in text
    assert "OSV – Odbor sociálních věcí" in text and "Termín odevzdání: 24. 11. 2026" in text
    assert "Stav: Nezahájeno" in text
    assert "<!doctype html>" in html and "Odbor sociálních věcí" in html
    karel = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_email == "karel.zastup@kraj-lbc.cz")
    ).one()
    _subject, text, _html = render_email(karel.kind, "cs", **karel.payload)
    assert "Tento e-mail dostáváte jako zástup za Eva Školská." in text
    english, _text, _html = render_email("overdue_notice", "en", **notice.payload)
    assert "11/24/26" in english  # rendered under the English locale: English date format
    assert s.round.title == "Monitoring 2026"


def test_the_workflow_services_raise_the_notifications(app, make_user):
    """Through the real services: open (in build_round) → submit → send back → close."""
    from workflow import closing
    from workflow.entries import apply_transition, entry_for_update

    s = build_round(make_user)
    invited = sorted(m.recipient_email for m in _messages(events.ROUND_INVITATION))
    assert invited == [EVA, JANA, PETR]  # written by open_round, the deactivated member left out
    reviewer = make_user("hodnotitel@kraj-lbc.cz", roles=[Role.reviewer], name="Hana Hodnotitelka")
    with time_machine.travel(datetime(2026, 11, 18, 10, 0, tzinfo=PRAGUE)):
        entry = entry_for_update(s.entry("A1.2", "OSV").id)
        entry.fulfilment_status, entry.text = "ongoing", "Pracovní skupina se sešla čtyřikrát."
        entry.state = EntryState.draft
        db.session.flush()
        apply_transition(entry, "submit", s.users["jana"])
        db.session.commit()
        assert [m.recipient_email for m in _messages(events.REVIEWER_DIGEST)] == ["hodnotitel@kraj-lbc.cz"]
        apply_transition(
            entry_for_update(entry.id), "send_back", reviewer, comment="Chybí zápisy ze zasedání."
        )
        db.session.commit()
        returned = _messages(events.ENTRY_RETURNED)
        assert [m.recipient_email for m in returned] == [JANA, PETR]
        assert returned[0].payload["reason"] == "Chybí zápisy ze zasedání."
        closing.waive_remaining(s.round, s.users["tajemnik"], "Nikdo neodpověděl.")
        closing.fill_missing_texts(s.round, s.users["tajemnik"], "Nevykázáno.")
        closing.close_with_snapshot(s.round, s.users["tajemnik"])
        db.session.commit()
    assert {m.recipient_email for m in _messages(events.ROUND_CLOSED)} >= {
        JANA,
        PETR,
        EVA,
        "tajemnik@kraj-lbc.cz",
    }
