"""The reminder sweep end to end: the real Celery worker runs the beat task against the real broker
and delivers to the real SMTP server; duplicate beats, an SMTP outage and a broker outage."""

from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
import time_machine
from reminder_scenario import EVA, JANA, PETR, build_round, request_context, run_sweep  # noqa: F401 - request_context is a fixture
from sqlalchemy import select

from notifications import outbox, reminders
from notifications.outbox import OutboxMessage
from web import create_app
from web.extensions import db

DAY = date(2026, 11, 16)  # OSV: 7 days before (17. 11. is a holiday), OŠMTS: 7 days before too

pytestmark = pytest.mark.usefixtures("request_context")


def _reminders() -> list[OutboxMessage]:
    db.session.expire_all()
    rows = list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind.in_(reminders.REMINDER_KINDS))
            .order_by(OutboxMessage.recipient_email)
        )
    )
    db.session.commit()
    return rows


def _wait(predicate, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.2)


def _reminder_mails(smtp_server) -> list:
    return [m for m in smtp_server.inbox.messages if m["Subject"].startswith("Připomínka")]


def test_sweep_task_on_the_worker(app, make_user, smtp_server, celery_worker_process):
    s = build_round(make_user)
    celery = app.extensions["celery"]
    celery.send_task("notifications.send_reminders", (DAY.isoformat(),))
    _wait(lambda: len(_reminders()) == 3 and all(m.state == outbox.SENT for m in _reminders()))
    rows = _reminders()
    assert [(m.recipient_email, m.state) for m in rows] == [(EVA, "sent"), (JANA, "sent"), (PETR, "sent")]

    # beat firing twice (or two beats): the second run writes and sends nothing
    celery.send_task("notifications.send_reminders", (DAY.isoformat(),))
    time.sleep(3)
    assert len(_reminders()) == 3
    mails = _reminder_mails(smtp_server)
    assert sorted(m["To"] for m in mails) == [EVA, JANA, PETR]

    jana = next(m for m in mails if m["To"] == JANA)
    assert jana["Subject"] == "Připomínka: termín odevzdání plnění je 24. 11. 2026"
    text = jana.get_body(("plain",)).get_content()
    assert "připomínáme, že v kole „Monitoring 2026“ dosud nebylo odesláno ke kontrole plnění" in text
    assert "OSV – Odbor sociálních věcí" in text
    for code in ("A1.1", "A1.2"):
        entry = s.entry(code, "OSV")
        assert f"http://127.0.0.1:5000/zaznamy/{entry.id}" in text
    assert "OŠMTS" not in text  # Jana is told only about her own body's entries
    html = jana.get_body(("html",)).get_content()
    assert f'<a href="http://127.0.0.1:5000/zaznamy/{s.entry("A1.2", "OSV").id}">A1.2</a>' in html
    eva = next(m for m in mails if m["To"] == EVA)
    assert "OŠMTS – Odbor školství, mládeže, tělovýchovy a sportu" in eva.get_body(("plain",)).get_content()


def test_smtp_down_then_up_every_reminder_delivered_exactly_once(app, make_user, smtp_server):
    build_round(make_user)
    smtp_server.stop()
    run_sweep(DAY)
    ids = [m.id for m in _reminders()]
    assert len(ids) == 3
    assert [outbox.deliver(i) for i in ids] == [outbox.PENDING] * 3
    rows = _reminders()
    assert all(m.attempts == 1 and "ConnectionRefusedError" in m.last_error for m in rows)
    smtp_server.start()
    with time_machine.travel(max(m.next_attempt_at for m in rows) + timedelta(seconds=1), tick=False):
        assert sorted(set(outbox.due_message_ids()) & set(ids)) == sorted(ids)
        assert [outbox.deliver(i) for i in ids] == [outbox.SENT] * 3
        assert [outbox.deliver(i) for i in ids] == ["skipped"] * 3
        run_sweep(DAY)  # beat again the same day: nothing new
    assert len(_reminders()) == 3
    assert sorted(m["To"] for m in _reminder_mails(smtp_server)) == [EVA, JANA, PETR]


def test_broker_down_during_the_sweep_then_the_outbox_sweep_delivers(
    app, make_user, smtp_server, celery_worker_process
):
    build_round(make_user)
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
            assert reminders.send_reminders(DAY) == 3
            db.session.commit()  # the commit succeeds; the dispatch fails quietly
            db.session.remove()
            db.engine.dispose()  # close its pooled connection now, not in a later test's GC
    finally:  # creating ``down`` made its Celery app the current and default one: undo that
        app.extensions["celery"].set_current()
        app.extensions["celery"].set_default()
    time.sleep(2)
    assert [m.state for m in _reminders()] == [outbox.PENDING] * 3  # nothing reached the worker
    ids = {m.id for m in _reminders()}
    assert ids <= set(outbox.due_message_ids())
    sweep = app.extensions["celery"].tasks["notifications.sweep_outbox"]  # as beat runs it
    assert sweep() >= 3
    _wait(lambda: all(m.state == outbox.SENT for m in _reminders()))
    assert [m.state for m in _reminders()] == [outbox.SENT] * 3
    time.sleep(1)
    assert sorted(m["To"] for m in _reminder_mails(smtp_server)) == [EVA, JANA, PETR]
