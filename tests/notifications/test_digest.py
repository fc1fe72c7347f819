"""Digest items as rows (issue 17): each submit appends one row per reviewer, the cost of a submit
does not grow with the items of the day, the digest is sent once with all its items, a failed send
is retried with them, and an item that comes after the send goes to a follow-up digest.

The two-connection race (two submits appending at once on PostgreSQL) is in
``tests/system/notifications/test_digest_concurrency.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from reminder_scenario import JANA, build_round, request_context  # noqa: F401 - request_context is a fixture
from sqlalchemy import func, insert, select
from support import count_statements, login

from notifications import digest, events, outbox
from notifications.outbox import OutboxMessage
from web.extensions import db
from workflow.entries import apply_transition, entry_for_update
from workflow.models import DigestItem, Entry
from workflow.states import EntryState, Role

pytestmark = pytest.mark.usefixtures("request_context")
HOUR = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
REVIEWER = "hodnotitel@kraj-lbc.cz"


def _draft(entry: Entry) -> Entry:
    entry = entry_for_update(entry.id)
    entry.fulfilment_status, entry.text = "ongoing", f"Plnění aktivity {entry.activity.code}."
    entry.state = EntryState.draft
    db.session.flush()
    return entry


def _submit(s, code: str, body: str = "OSV") -> None:
    apply_transition(_draft(s.entry(code, body)), "submit", s.users["jana" if body == "OSV" else "eva"])
    db.session.commit()


def _digests() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == events.REVIEWER_DIGEST)
            .order_by(OutboxMessage.dedupe_key)
        )
    )


def _codes(message: OutboxMessage) -> list[str]:
    return [f"{e['code']}/{e['body']['abbreviation']}" for e in digest.payload_for(message)["entries"]]


def test_a_submit_appends_a_row_and_its_cost_does_not_grow_with_the_digest(app, make_user):
    s = build_round(make_user, extra_osv_activities=3)
    make_user(REVIEWER, roles=[Role.reviewer])
    make_user("druhy.hodnotitel@kraj-lbc.cz", roles=[Role.reviewer])
    counts = []
    with time_machine.travel(HOUR + timedelta(minutes=5), tick=False):
        _submit(s, "A1.1")
        (first, second) = _digests()
        assert first.payload.get("entries") is None  # the items are rows, not the payload
        assert first.next_attempt_at == HOUR + timedelta(hours=1)
        for code in ("A1.2", "A1.4"):
            with count_statements() as statements:
                _submit(s, code)
            counts.append(statements)
        # 3,000 items of the day already in the digest: the next submit issues the same statements
        db.session.execute(
            insert(DigestItem),
            [
                {"message_id": m.id, "entry_id": 10**6 + n, "item": {"id": 10**6 + n, "code": "X"}}
                for m in (first, second)
                for n in range(1500)
            ],
        )
        db.session.commit()
        with count_statements() as statements:
            _submit(s, "A1.5")
        counts.append(statements)
    assert len(counts[0]) == len(counts[1]) == len(counts[2])
    digest_statements = [q for q in counts[2] if "outbox_messages" in q or "digest_items" in q]
    assert len(digest_statements) == 2  # one SELECT … FOR KEY SHARE of both digests, one INSERT of both items
    assert not any(q.lstrip().startswith("UPDATE outbox_messages") for q in counts[2])
    assert db.session.scalar(select(func.count(DigestItem.id)).where(DigestItem.entry_id < 10**6)) == 8


def test_the_digest_is_sent_once_with_all_its_items(app, make_user, smtp_server):
    s = build_round(make_user)
    make_user(REVIEWER, roles=[Role.reviewer])
    with time_machine.travel(HOUR + timedelta(minutes=5), tick=False):
        _submit(s, "A1.1")
        _submit(s, "A1.2")
        _submit(s, "A1.3", body="OŠMTS")
    (message,) = _digests()
    with time_machine.travel(HOUR + timedelta(minutes=59), tick=False):
        assert outbox.deliver(message.id) == "skipped"  # the window is not over yet
    with time_machine.travel(HOUR + timedelta(hours=1, minutes=1), tick=False):
        assert message.id in outbox.due_message_ids()
        assert outbox.deliver(message.id) == outbox.SENT
        assert outbox.deliver(message.id) == "skipped"
    db.session.expire_all()
    sent = db.session.get(OutboxMessage, message.id)
    # the payload now keeps what was sent; the digest names two bodies, so no single body
    assert [e["code"] for e in sent.payload["entries"]] == ["A1.1", "A1.2", "A1.3"]
    assert sent.body_id is None
    assert _codes(sent) == ["A1.1/OSV", "A1.2/OSV", "A1.3/OŠMTS"]  # items and payload not doubled
    (mail,) = smtp_server.inbox.wait_for(1)
    assert mail["Subject"] == "Nové záznamy ke kontrole (3)" and mail["To"] == REVIEWER
    text = mail.get_body(("plain",)).get_content()
    assert all(code in text for code in ("A1.1", "A1.2", "A1.3")) and "OŠMTS · Monitoring 2026" in text


def test_an_entry_submitted_twice_in_the_hour_is_listed_once_where_it_was_last(app, make_user):
    s = build_round(make_user)
    make_user(REVIEWER, roles=[Role.reviewer])
    reviewer = make_user("vraci@kraj-lbc.cz", roles=[Role.reviewer])
    with time_machine.travel(HOUR + timedelta(minutes=5), tick=False):
        _submit(s, "A1.1")
        _submit(s, "A1.2")
        returned = entry_for_update(s.entry("A1.1", "OSV").id)
        apply_transition(returned, "send_back", reviewer, comment="Doplňte.")
        db.session.commit()
        _submit(s, "A1.1")
    first = _digests()[0]
    assert _codes(first) == ["A1.2/OSV", "A1.1/OSV"]
    assert db.session.scalar(select(func.count(DigestItem.id)).where(DigestItem.message_id == first.id)) == 3


def test_a_failed_send_is_retried_with_its_items_and_later_items_follow(app, make_user, smtp_server):
    s = build_round(make_user)
    make_user(REVIEWER, roles=[Role.reviewer])
    with time_machine.travel(HOUR + timedelta(minutes=5), tick=False):
        _submit(s, "A1.1")
        _submit(s, "A1.2")
    (message,) = _digests()
    smtp_server.stop()
    with time_machine.travel(HOUR + timedelta(hours=1, minutes=1), tick=False):
        assert outbox.deliver(message.id) == outbox.PENDING
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message.id).attempts == 1
    # a late submit of the same hour (its transaction began before the hour ended) is not added to
    # the attempted digest, nor dropped: it goes to a follow-up digest due at the same time
    with time_machine.travel(HOUR + timedelta(minutes=59, seconds=59), tick=False):
        _submit(s, "A1.3", body="OŠMTS")
    first, follow_up = _digests()
    assert follow_up.dedupe_key == f"{first.dedupe_key}+"
    assert _codes(first) == ["A1.1/OSV", "A1.2/OSV"] and _codes(follow_up) == ["A1.3/OŠMTS"]
    smtp_server.start()
    with time_machine.travel(HOUR + timedelta(hours=3), tick=False):
        assert {first.id, follow_up.id} <= set(outbox.due_message_ids())
        assert outbox.deliver(first.id) == outbox.SENT
        assert outbox.deliver(follow_up.id) == outbox.SENT
    received = smtp_server.inbox.wait_for(2)
    bodies = sorted(m.get_body(("plain",)).get_content() for m in received)
    assert sum("A1.1" in b and "A1.2" in b for b in bodies) == 1
    assert sum("A1.3" in b and "A1.1" not in b for b in bodies) == 1
    assert {m["To"] for m in received} == {REVIEWER}


def test_approved_digest_collects_rows_per_body_member(app, make_user):
    s = build_round(make_user)
    reviewer = make_user(REVIEWER, roles=[Role.reviewer])
    with time_machine.travel(HOUR, tick=False):
        for code in ("A1.1", "A1.2"):
            _submit(s, code)
            apply_transition(entry_for_update(s.entry(code, "OSV").id), "approve", reviewer)
            db.session.commit()
    approved = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == events.ENTRY_APPROVED_DIGEST)
            .order_by(OutboxMessage.recipient_email)
        )
    )
    assert JANA in {m.recipient_email for m in approved}
    assert all([e["code"] for e in digest.payload_for(m)["entries"]] == ["A1.1", "A1.2"] for m in approved)


def test_a_digest_not_yet_sent_is_in_the_entry_and_body_message_logs(app, client, make_user):
    """Its entries are rows until it is sent; the secretary's logs list it all the same."""
    s = build_round(make_user, extra_osv_activities=3)
    make_user(REVIEWER, roles=[Role.reviewer])
    with time_machine.travel(HOUR + timedelta(minutes=5), tick=False):
        _submit(s, "A1.1")
        (pending,) = _digests()
        assert pending.state == outbox.PENDING and pending.payload.get("entries") is None
        login(client, s.users["tajemnik"])
        submitted = client.get(f"/zaznamy/{s.entry('A1.1', 'OSV').id}/odeslane-zpravy").get_data(as_text=True)
        untouched = client.get(f"/zaznamy/{s.entry('A1.2', 'OSV').id}/odeslane-zpravy").get_data(as_text=True)
        body_log = client.get(f"/kola/{s.round.id}/pripominky/subjekty/{s.bodies['OSV'].id}").get_data(
            as_text=True
        )
    assert REVIEWER in submitted and REVIEWER not in untouched
    assert REVIEWER in body_log
