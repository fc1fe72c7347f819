"""The transactional outbox: written with the event, deduplicated, retried, never lost."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func, select
from support import RESET_PAYLOAD as PAYLOAD

from notifications import outbox
from notifications.outbox import OutboxMessage
from web import create_app
from web.extensions import db


def _enqueue(key: str = "reset:1:a", email: str = "jana.novakova@kraj-lbc.cz") -> int | None:
    return outbox.enqueue("password_reset", email, key, PAYLOAD)


def _count() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id)))


def test_same_dedupe_key_is_written_once(app):
    first = _enqueue()
    second = _enqueue()
    db.session.commit()
    assert first is not None and second is None
    assert _count() == 1


def test_rolled_back_event_leaves_no_message(app):
    _enqueue()
    db.session.rollback()
    assert _count() == 0
    assert "outbox_new_ids" not in db.session.info


def test_delivered_to_a_real_smtp_server_once(app, smtp_server):
    message_id = _enqueue()
    db.session.commit()
    assert outbox.deliver(message_id) == outbox.SENT
    assert outbox.deliver(message_id) == "skipped"  # a second delivery attempt does nothing
    received = smtp_server.inbox.wait_for(1)
    assert len(received) == 1
    mail = received[0]
    assert mail["To"] == "jana.novakova@kraj-lbc.cz"
    assert mail["Subject"] == "Obnovení hesla v aplikaci Plnění"
    body = mail.get_body(("plain",)).get_content()
    assert "Zvolit nové heslo" in mail.get_body(("html",)).get_content()
    assert "http://127.0.0.1:5000/heslo/abc" in body
    row = db.session.get(OutboxMessage, message_id)
    assert row.state == "sent" and row.attempts == 1 and row.sent_at is not None


def test_smtp_down_then_up_delivers_exactly_once(app, smtp_server):
    message_id = _enqueue()
    db.session.commit()
    smtp_server.stop()
    assert outbox.deliver(message_id) == outbox.PENDING
    row = db.session.get(OutboxMessage, message_id)
    assert row.attempts == 1 and "ConnectionRefusedError" in row.last_error
    assert outbox.due_message_ids() == []  # not due before the backoff delay
    smtp_server.start()
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1), tick=False):
        assert outbox.due_message_ids() == [message_id]
        assert outbox.deliver(message_id) == outbox.SENT
        assert outbox.deliver(message_id) == "skipped"
    assert len(smtp_server.inbox.wait_for(1)) == 1
    assert db.session.get(OutboxMessage, message_id).attempts == 2


def test_gives_up_after_max_attempts_and_can_be_resent(app, smtp_server):
    message_id = _enqueue()
    db.session.commit()
    smtp_server.stop()
    traveller = time_machine.travel(outbox.utcnow(), tick=False)
    clock = traveller.start()
    try:
        for _attempt in range(outbox.MAX_ATTEMPTS):
            state = outbox.deliver(message_id)
            clock.shift(timedelta(hours=3))
        assert state == outbox.FAILED
        row = db.session.get(OutboxMessage, message_id)
        assert row.attempts == outbox.MAX_ATTEMPTS and row.state == "failed"
        assert outbox.due_message_ids() == []  # failed messages wait for a person
        smtp_server.start()
        outbox.resend(row)
        db.session.commit()
        assert outbox.deliver(message_id) == outbox.SENT
    finally:
        traveller.stop()
    assert len(smtp_server.inbox.wait_for(1)) == 1


def test_broker_down_at_commit_keeps_the_message_for_the_sweep(app):
    """With the broker unreachable the commit still succeeds; the row waits, pending."""
    down = create_app(
        environ={
            "PLNENI_ENV": "testing",
            "INSTANCE_PATH": app.config["INSTANCE_DIR"],
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    )
    try:
        with down.app_context():
            down.extensions["celery"].conf.broker_connection_timeout = 1
            down.extensions["celery"].conf.broker_connection_max_retries = 0
            message_id = _enqueue()
            db.session.commit()
            row = db.session.get(OutboxMessage, message_id)
            assert row.state == outbox.PENDING
            db.session.remove()
            db.engine.dispose()  # this second app's pool must not outlive the test
    finally:  # creating an app made its Celery app the current one: give it back
        app.extensions["celery"].set_current()
        app.extensions["celery"].set_default()
    assert outbox.due_message_ids() == [message_id]
