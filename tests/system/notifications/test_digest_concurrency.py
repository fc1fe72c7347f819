"""Digest items appended at once by two transactions on PostgreSQL (issue 17): neither waits for the
other, both items land in the one digest, and the digest then goes out once listing both.

Two threads, two connections, real commits (system tier). The old design rewrote the digest's JSON
payload under ``FOR UPDATE``: the second submit waited for the first one's commit (here it ran
into ``lock_timeout``). The first two submits of an hour both create the digest: the second waits
for the first's ``INSERT`` (``ON CONFLICT``) and appends to its row."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from reminder_scenario import build_round, request_context  # noqa: F401 - request_context is a fixture
from sqlalchemy import select, text

from notifications import digest, events, outbox
from notifications.outbox import OutboxMessage
from web.extensions import db
from workflow.entries import apply_transition, entry_for_update
from workflow.models import DigestItem, User
from workflow.states import EntryState, Role

pytestmark = pytest.mark.usefixtures("request_context")
HOUR = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def _submit_in_thread(app, entry_id: int, user_id: int, step, outcomes: list) -> None:
    """Submit ``entry_id`` in a connection of its own; ``step(name)`` is called at ``"start"``
    and after appending (``"appended"``, the transaction still open)."""
    from notifications.events import publish

    with app.app_context(), app.test_request_context("/"):
        try:
            db.session.execute(text("SET LOCAL lock_timeout = '3s'"))
            with time_machine.travel(HOUR + timedelta(minutes=20), tick=True):
                step("start")
                apply_transition(entry_for_update(entry_id), "submit", db.session.get(User, user_id))
                publish(db.session)  # append now, as the commit would, and keep the transaction open
                step("appended")
                db.session.commit()
                step("committed")
            outcomes.append("committed")
        except Exception as exc:
            db.session.rollback()
            outcomes.append(f"{exc.__class__.__name__}: {exc}")
        finally:
            db.session.remove()


@pytest.mark.parametrize("digest_exists", [True, False], ids=["existing-digest", "first-of-the-hour"])
def test_two_submits_append_at_once_and_both_land(app, make_user, digest_exists):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises writers)")
    s = build_round(make_user, extra_osv_activities=2)
    make_user("hodnotitel@kraj-lbc.cz", roles=[Role.reviewer])
    ids = []
    for code in ("A1.1", "A1.2", "A1.4"):
        entry = entry_for_update(s.entry(code, "OSV").id)
        entry.fulfilment_status, entry.text, entry.state = "ongoing", f"Plnění {code}.", EntryState.draft
        ids.append(entry.id)
    db.session.commit()
    jana = s.users["jana"].id
    if digest_exists:
        with time_machine.travel(HOUR + timedelta(minutes=10), tick=False):
            apply_transition(entry_for_update(ids[2]), "submit", db.session.get(User, jana))
            db.session.commit()
    outcomes: list[str] = []
    if digest_exists:  # A appends and holds its transaction open until B has appended and committed
        a_appended, b_committed = threading.Event(), threading.Event()

        def step_a(name: str) -> None:
            if name == "appended":
                a_appended.set()
                b_committed.wait(10)

        def step_b(name: str) -> None:
            if name == "start":
                a_appended.wait(10)
            elif name == "committed":
                b_committed.set()

        steps = (step_a, step_b)
    else:  # both start at once; both create the digest of the hour
        barrier = threading.Barrier(2)

        def step_both(name: str) -> None:
            if name == "start":
                barrier.wait(10)

        steps = (step_both, step_both)
    threads = [
        threading.Thread(target=_submit_in_thread, args=(app, entry_id, jana, step, outcomes))
        for entry_id, step in zip(ids[:2], steps, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    db.session.expire_all()
    assert outcomes == ["committed", "committed"]
    messages = list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == events.REVIEWER_DIGEST))
    )
    assert len(messages) == 1
    items = list(
        db.session.scalars(select(DigestItem.entry_id).where(DigestItem.message_id == messages[0].id))
    )
    assert sorted(items) == sorted(ids if digest_exists else ids[:2])
    with time_machine.travel(HOUR + timedelta(hours=1, minutes=1), tick=False):
        assert outbox.deliver(messages[0].id) == outbox.SENT
        assert outbox.deliver(messages[0].id) == "skipped"
    db.session.expire_all()
    sent = db.session.get(OutboxMessage, messages[0].id)
    assert {e["id"] for e in digest.payload_for(sent)["entries"]} == set(items)
