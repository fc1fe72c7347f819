"""Celery tasks of the notifications: thin wrappers, ids in, logic in :mod:`notifications.outbox`."""

from __future__ import annotations

from celery import shared_task

from notifications import outbox
from workflow import clock


@shared_task(name="notifications.deliver_message", acks_late=True, ignore_result=True)
def deliver_message(message_id: int) -> str:
    """Deliver outbox message ``message_id``; on a failure schedule the next attempt with backoff.

    :returns: the message's state afterwards (see :func:`notifications.outbox.deliver`).
    """
    state = outbox.deliver(message_id)
    if state == outbox.PENDING:
        message = outbox.db.session.get(outbox.OutboxMessage, message_id)
        if message is not None:
            delay = (message.next_attempt_at - outbox.utcnow()).total_seconds()
            deliver_message.apply_async((message_id,), countdown=max(1, int(delay)))
    return state


@shared_task(name="notifications.sweep_outbox", acks_late=True, ignore_result=True)
def sweep_outbox() -> int:
    """Re-dispatch every pending message that is due (lost dispatches, broker outages, restarts).

    :returns: the number of messages handed to the broker.
    """
    return outbox.dispatch(outbox.due_message_ids())


@shared_task(name="notifications.send_reminders", acks_late=True, ignore_result=True)
def send_reminders(day: str | None = None) -> int:
    """The daily reminder sweep (beat: ``REMINDER_HOUR``:00 ``TIMEZONE``) for ``day`` (ISO date,
    default today in Prague); the task's unit of work commits, and the new messages are
    dispatched after the commit.

    :returns: the number of outbox messages newly written (0 on a repeated run).
    """
    from datetime import date

    from notifications import reminders

    return reminders.send_reminders(date.fromisoformat(day) if day else clock.today())
