"""Faults on the way of an e-mail: SMTP unreachable, Redis (the broker) stopped, a worker killed
mid-send. Real SMTP server (aiosmtpd), real ``celery worker`` processes, real Redis (a private
``redis-server`` where the test stops it), the test database.

The promise (docs/reliability.md): no e-mail is lost; each is delivered once, or — when a worker
dies after the SMTP server took the message but before the row was marked sent — at most twice
(at-least-once); the outbox holds exactly one row per dedupe key.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import time
from pathlib import Path

from flask import Flask
from mail_helpers import SmtpServer, free_port, start_worker, stop_worker, worker_environ
from reliability_helpers import HoldingInbox, PrivateRedis, sign_in, version_on, wait_until
from sqlalchemy import func, select
from support import RESET_PAYLOAD

from notifications import outbox
from notifications.outbox import OutboxMessage
from web.extensions import db
from workflow.models import Entry, EntryTransition, User

VISIBILITY_TIMEOUT = 3  # seconds (Redis broker)
FAST_RETRIES = ",".join(["1"] * 30)  # 30 attempts a second apart: an outage of seconds, not hours


def _rows(ids: list[int] | None = None) -> list[OutboxMessage]:
    db.session.expire_all()
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if ids is not None:
        stmt = stmt.where(OutboxMessage.id.in_(ids))
    rows = list(db.session.scalars(stmt))
    db.session.commit()
    return rows


def test_smtp_outage_loses_nothing_and_delivers_each_once(app: Flask, smtp: SmtpServer) -> None:
    smtp.stop()  # the SMTP server is unreachable from now on
    worker = start_worker(
        worker_environ(app, smtp.port, {"OUTBOX_RETRY_SECONDS": FAST_RETRIES}),
        Path(app.config["INSTANCE_DIR"]) / "worker-smtp-outage.log",
    )
    try:
        ids = [
            outbox.enqueue("password_reset", f"clovek{n}@obec.cz", f"outage:{n}", RESET_PAYLOAD)
            for n in range(5)
        ]
        db.session.commit()  # dispatched to the worker, which cannot reach the SMTP server
        wait_until(lambda: all(r.attempts >= 2 for r in _rows(ids)), 60, "two failed attempts per message")
        rows = _rows(ids)
        assert {r.state for r in rows} == {outbox.PENDING}  # nothing given up, nothing lost
        assert all("Connection" in (r.last_error or "") or "refused" in (r.last_error or "") for r in rows)
        assert smtp.inbox.messages == []

        smtp.start()  # the SMTP server is back on the same port
        wait_until(lambda: all(r.state == outbox.SENT for r in _rows(ids)), 60, "delivery after recovery")
        time.sleep(3)  # longer than a retry wait: a duplicate would have arrived by now
        assert sorted(m["To"] for m in smtp.inbox.messages) == [f"clovek{n}@obec.cz" for n in range(5)]
    finally:
        stop_worker(worker)


def test_invitation_succeeds_with_smtp_down_and_arrives_after_recovery(
    app: Flask, admin_client, smtp: SmtpServer, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    smtp.stop()
    log = Path(app.config["INSTANCE_DIR"]) / "worker-invitation.log"
    worker = start_worker(worker_environ(app, smtp.port, {"OUTBOX_RETRY_SECONDS": FAST_RETRIES}), log)
    try:
        response = admin_client.post(
            "/sprava/uzivatele/pozvat",
            data={
                "email": "nova.kolegyne@liberec.cz",
                "name": "Nová Kolegyně",
                "locale": "cs",
                "send": "y",
            },
        )
        assert response.status_code == 302  # the request does not depend on the SMTP server
        user = db.session.scalar(select(User).where(User.email == "nova.kolegyne@liberec.cz"))
        assert user is not None and user.invited_at is not None
        (message,) = [r for r in _rows() if r.kind == "invitation"]
        token_url = message.payload["url"]
        assert "/pozvanka/" in token_url  # the single-use link is stored with the message …
        wait_until(lambda: _rows([message.id])[0].attempts >= 1, 60, "a failed attempt")

        smtp.start()
        wait_until(lambda: _rows([message.id])[0].state == outbox.SENT, 60, "the invitation after recovery")
        (received,) = smtp.inbox.messages
        assert received["To"] == "nova.kolegyne@liberec.cz"
        assert token_url in received.get_body(preferencelist=("plain",)).get_content()
        path = re.sub(r"^https?://[^/]+", "", token_url)
        assert admin_client.application.test_client().get(path).status_code == 200  # the link works
        # … and is never written to a log: not the worker's, not the web application's.
        token = token_url.rsplit("/", 1)[1]
        assert token not in log.read_text(errors="replace")
        product_logs = [r.getMessage() for r in caplog.records if not r.name.startswith("mail.log")]
        assert product_logs and not [m for m in product_logs if token in m]  # ("mail.log" is aiosmtpd's)
    finally:
        stop_worker(worker)


def test_worker_killed_mid_send_delivers_at_most_twice_and_the_row_once(app: Flask, tmp_path: Path) -> None:
    inbox = HoldingInbox()
    server = SmtpServer(free_port(), inbox)
    server.start()
    # Redis: a task taken by a dead worker is handed out again after the visibility timeout.
    env = worker_environ(
        app,
        server.port,
        {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT), "OUTBOX_RETRY_SECONDS": FAST_RETRIES},
    )
    app.extensions["celery"].control.purge()
    first = start_worker(env, tmp_path / "worker-1.log")
    second = None
    try:
        message_id = outbox.enqueue("password_reset", "starosta@obec.cz", "kill:1", RESET_PAYLOAD)
        db.session.commit()
        assert inbox.received.wait(60), (tmp_path / "worker-1.log").read_text()
        os.kill(first.pid, signal.SIGKILL)  # the SMTP server has the message; its "250 OK" is held
        first.wait(timeout=10)
        inbox.release()
        (row,) = _rows([message_id])
        assert row.state == outbox.PENDING and row.attempts == 0  # the dead worker recorded nothing

        # kombu's Redis transport restores unacknowledged tasks older than the visibility timeout
        # when a worker starts, then every 100 s (unacked_restore_interval × throttle): start the
        # new worker once the timeout has passed, as a restarted worker would after a real crash.
        time.sleep(VISIBILITY_TIMEOUT + 1)
        second = start_worker(env, tmp_path / "worker-2.log")
        sweep = app.extensions["celery"].tasks["notifications.sweep_outbox"]
        if not app.config["CELERY"]["broker_url"].startswith("redis"):
            # The embedded filesystem broker removed the task when the worker took it: the sweep
            # (beat, every OUTBOX_SWEEP_SECONDS) is what hands the message over again.
            assert sweep() == 1
        # On Redis the broker itself hands the unacknowledged task to the new worker (acks_late).
        wait_until(lambda: _rows([message_id])[0].state == outbox.SENT, 60, "the second delivery")
        assert sweep() == 0  # the sweep finds nothing left to repair
        time.sleep(3)
        assert len(inbox.messages) == 2  # the documented bound: at most one duplicate per crash
        (row,) = _rows([message_id])
        assert row.attempts == 1 and row.sent_at is not None
        count = db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.dedupe_key == "kill:1")
        )
        assert count == 1
    finally:
        inbox.release()
        if first.poll() is None:
            first.kill()
            first.wait(timeout=10)
        if second is not None:
            stop_worker(second)
        server.stop()


def test_redis_stopped_saving_submitting_approving_work_and_mail_follows(
    app: Flask, smtp: SmtpServer, one_entry, tmp_path: Path, make_private_app
) -> None:
    redis = PrivateRedis(tmp_path / "redis")
    redis.start()
    # The application as deployed with Redis: broker and throttling counters on this Redis.
    private = make_private_app(REDIS_URL=redis.url, CELERY_BROKER_URL=redis.url)
    worker = None
    entry_id = one_entry.entries[0]
    try:
        redis.stop()  # Redis is down from here on
        author, reviewer = private.test_client(), private.test_client()
        sign_in(author, one_entry.contributors[0])
        sign_in(reviewer, one_entry.reviewers[0])
        edit, detail = f"/zaznamy/{entry_id}/upravit", f"/zaznamy/{entry_id}"
        answer = {"fulfilment_status": "ongoing", "cooperation_text": "obce"}
        assert (
            author.post(
                edit, data={**answer, "text": "Koncept.", "version": version_on(author, edit)}
            ).status_code
            == 302
        )
        response = author.post(
            edit,
            data={
                **answer,
                "text": "Uspořádali jsme 4 setkání.",
                "action": "submit",
                "version": version_on(author, edit),
            },
        )
        assert response.status_code == 302
        response = reviewer.post(
            f"{detail}/akce/send_back",
            data={"comment": "Doplňte čísla.", "version": version_on(reviewer, detail)},
        )
        assert response.status_code == 302
        response = author.post(
            edit,
            data={
                **answer,
                "text": "Uspořádali jsme 4 setkání pro 120 lidí.",
                "action": "submit",
                "version": version_on(author, edit),
            },
        )
        assert response.status_code == 302
        response = reviewer.post(f"{detail}/akce/approve", data={"version": version_on(reviewer, detail)})
        assert response.status_code == 302

        db.session.expire_all()
        entry = db.session.get(Entry, entry_id)
        assert entry.state == "approved" and entry.text == "Uspořádali jsme 4 setkání pro 120 lidí."
        names = list(
            db.session.scalars(
                select(EntryTransition.name)
                .where(EntryTransition.entry_id == entry_id)
                .order_by(EntryTransition.id)
            )
        )
        assert names == ["start", "submit", "send_back", "rework", "submit", "approve"]
        (returned,) = [r for r in _rows() if r.kind == "entry_returned"]
        assert returned.state == outbox.PENDING and returned.attempts == 0  # waiting, not lost
        assert smtp.inbox.messages == []

        redis.start()  # Redis is back (empty: whatever was queued in it is gone)
        worker = start_worker(
            worker_environ(app, smtp.port, {"CELERY_BROKER_URL": redis.url, "REDIS_URL": redis.url}),
            tmp_path / "worker.log",
        )
        with private.app_context():
            private.extensions["celery"].send_task("notifications.sweep_outbox")  # as beat does
        wait_until(lambda: _rows([returned.id])[0].state == outbox.SENT, 60, "the sweep's delivery")
        due = [r for r in _rows() if r.next_attempt_at <= outbox.utcnow()]
        wait_until(
            lambda: all(r.state == outbox.SENT for r in _rows([r.id for r in due])), 60, "every due e-mail"
        )
        time.sleep(2)
        assert sorted(m["To"] for m in smtp.inbox.messages) == sorted(r.recipient_email for r in due)
        assert [m for m in smtp.inbox.messages if "Doplňte čísla." in m.get_body(("plain",)).get_content()]
    finally:
        if worker is not None:
            stop_worker(worker)
        redis.stop()
