"""End to end: a real Celery worker process, the real broker (Redis in CI, the SQLAlchemy
transport in the embedded mode) and a real SMTP server."""

from __future__ import annotations

import time

from sqlalchemy import select
from support import RESET_PAYLOAD as PAYLOAD

from notifications import outbox
from notifications.outbox import OutboxMessage
from web.extensions import db


def _wait_sent(message_ids: list[int], timeout: float = 60) -> list[OutboxMessage]:
    deadline = time.monotonic() + timeout
    while True:
        db.session.expire_all()
        rows = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(message_ids))))
        if all(r.state == outbox.SENT for r in rows) or time.monotonic() > deadline:
            db.session.commit()
            return rows
        db.session.commit()
        time.sleep(0.2)


def test_commit_dispatches_to_the_worker_which_delivers(app, smtp_server, celery_worker_process):
    ids = [
        outbox.enqueue("password_reset", f"clovek{n}@obec.cz", f"e2e:{n}", PAYLOAD)
        for n in range(3)
    ]
    db.session.commit()  # after_commit hands the three ids to the broker
    rows = _wait_sent(ids)
    assert [r.state for r in rows] == ["sent"] * 3
    received = smtp_server.inbox.wait_for(3)
    assert sorted(m["To"] for m in received) == ["clovek0@obec.cz", "clovek1@obec.cz", "clovek2@obec.cz"]
    assert all(m["Subject"] == "Obnovení hesla v aplikaci Plnění" for m in received)


def test_duplicate_sweeps_send_nothing_twice(app, smtp_server, celery_worker_process):
    message_id = outbox.enqueue("password_reset", "starosta@obec.cz", "e2e:sweep", PAYLOAD)
    db.session.info.pop("outbox_new_ids")  # as if the broker had been down at commit time
    db.session.commit()
    sweep = app.extensions["celery"].tasks["notifications.sweep_outbox"]  # as beat runs it
    assert sweep() == 1
    assert sweep() == 1  # beat firing twice, or two beats: the message is handed over twice …
    assert _wait_sent([message_id])[0].state == outbox.SENT
    time.sleep(2)  # give a duplicate the chance to arrive
    assert len(smtp_server.inbox.messages) == 1  # … and delivered once
