"""The daily reminder sweep: who owes what on a given day, and the e-mails that say so.

:func:`send_reminders` is what beat runs every morning (``REMINDER_HOUR``, ``TIMEZONE``) through
the task ``notifications.send_reminders``. For the Prague date ``today`` it

1. computes, per open and not paused round, which deadlines are due for a *deadline reminder*
   (``offsets`` days before; default 14, 7, 2 and 0), an *overdue notice* (every ``N`` days after,
   at most ``M`` times; default 3 and 5) or an *escalation* to the body's heads (``E`` days after;
   default 7) — dates that fall on a weekend or a Czech public holiday move to the previous working
   day (:mod:`notifications.calendar`);
2. selects in **one query** the unfinished entries (not started, draft, returned) whose effective
   deadline (the body's extension, else the round's) is one of those deadlines — approved and
   submitted entries, closed rounds and bodies with nothing outstanding never appear;
3. finds the recipients of those bodies on that day (members and deputies, two queries,
   :mod:`notifications.recipients`) and the secretaries for the daily digest of late bodies;
4. writes **one outbox message per person, kind, round and day** listing all that person's
   relevant entries (grouped by body), with the dedupe key ``{kind}:{round}:{date}:{user}``.

The number of SQL statements does not depend on the number of entries (it grows with the number of
rounds and recipients only). Running the sweep twice for the same day writes nothing new: every key
exists already. Entries are listed with links that open them after sign-in.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, or_, select

from notifications import outbox
from notifications.calendar import is_working_day, send_date_after, send_date_before
from notifications.recipients import Recipient, body_recipients, users_with_role
from workflow.collation import czech
from workflow.db import db
from workflow.models import Activity, Body, Entry, ReminderSettings, ReportingRound
from workflow.models.reminders import (
    DEFAULT_ESCALATION_DAYS,
    DEFAULT_OFFSETS,
    DEFAULT_OVERDUE_INTERVAL,
    DEFAULT_OVERDUE_MAX,
)
from workflow.report import period_label
from workflow.states import EntryState, Role, RoundState

#: Entries a body still owes: reminders list exactly these.
UNFINISHED = (EntryState.not_started.value, EntryState.draft.value, EntryState.returned.value)

DEADLINE_REMINDER = "deadline_reminder"
OVERDUE_NOTICE = "overdue_notice"
ESCALATION = "escalation"
SECRETARY_DIGEST = "secretary_digest"
#: Kinds written by the sweep (and by the secretary's „odeslat připomínku teď“).
REMINDER_KINDS = (DEADLINE_REMINDER, OVERDUE_NOTICE, ESCALATION)


@dataclass(frozen=True)
class Schedule:
    """A round's reminder schedule (its :class:`ReminderSettings` or the defaults)."""

    offsets: tuple[int, ...] = DEFAULT_OFFSETS
    overdue_interval_days: int = DEFAULT_OVERDUE_INTERVAL
    overdue_max: int = DEFAULT_OVERDUE_MAX
    escalation_days: int = DEFAULT_ESCALATION_DAYS
    paused: bool = False

    @classmethod
    def of(cls, settings: ReminderSettings | None) -> Schedule:
        """The schedule stored in ``settings``, or the defaults when ``None``."""
        if settings is None:
            return cls()
        return cls(
            tuple(sorted({int(o) for o in settings.offsets or ()}, reverse=True)),
            settings.overdue_interval_days,
            settings.overdue_max,
            settings.escalation_days,
            settings.paused,
        )

    def stages_on(self, deadline: date, today: date) -> list[tuple[str, str]]:
        """What a body with ``deadline`` is sent on ``today``: ``[(kind, stage), …]``.

        Stages are ``"d-14"`` (14 days before), ``"overdue-2"`` (second overdue notice) and
        ``"escalation"``. At most one deadline reminder and one overdue notice per day.
        """
        found: list[tuple[str, str]] = []
        for offset in sorted(self.offsets):  # the nearest offset wins when two fall on one day
            if send_date_before(deadline, offset) == today:
                found.append((DEADLINE_REMINDER, f"d-{offset}"))
                break
        for number in range(1, self.overdue_max + 1):
            if send_date_after(deadline, number * self.overdue_interval_days) == today:
                found.append((OVERDUE_NOTICE, f"overdue-{number}"))
                break
        if send_date_after(deadline, self.escalation_days) == today:
            found.append((ESCALATION, "escalation"))
        return found

    def due_deadlines(self, today: date) -> dict[date, list[tuple[str, str]]]:
        """Every deadline for which something is sent on ``today``, with what (see :meth:`stages_on`)."""
        # Holidays shift a send date by at most a few days; a 12-day margin covers Christmas + a weekend.
        before = max(self.offsets, default=0) + 12
        after = max(self.overdue_interval_days * self.overdue_max, self.escalation_days) + 12
        result: dict[date, list[tuple[str, str]]] = {}
        for delta in range(-after, before + 1):
            deadline = today + timedelta(days=delta)
            stages = self.stages_on(deadline, today)
            if stages:
                result[deadline] = stages
        return result


def schedule_for(round_id: int) -> Schedule:
    """The schedule of round ``round_id`` (one query)."""
    return Schedule.of(db.session.get(ReminderSettings, round_id))


def settings_for(round_: ReportingRound) -> ReminderSettings:
    """The round's settings row, created with the defaults (and added to the session) if missing."""
    settings = db.session.get(ReminderSettings, round_.id)
    if settings is None:
        settings = ReminderSettings(
            round_id=round_.id,
            offsets=list(DEFAULT_OFFSETS),
            overdue_interval_days=DEFAULT_OVERDUE_INTERVAL,
            overdue_max=DEFAULT_OVERDUE_MAX,
            escalation_days=DEFAULT_ESCALATION_DAYS,
            paused=False,
        )
        db.session.add(settings)
    return settings


def effective_deadline() -> Any:
    """SQL expression: the entry's own (extended) deadline, else its round's submission deadline."""
    return func.coalesce(Entry.deadline, ReportingRound.submission_deadline)


def base_url() -> str:
    """``BASE_URL`` without a trailing slash (links in e-mails)."""
    return str(current_app.config.get("BASE_URL", "")).rstrip("/")


def entry_url(entry_id: int) -> str:
    """The entry's page; it asks for sign-in first when needed."""
    return f"{base_url()}/zaznamy/{entry_id}"


def round_url(round_id: int) -> str:
    """The round's page (dashboard and, once closed, the report)."""
    return f"{base_url()}/kola/{round_id}"


@dataclass
class BodyDue:
    """One body's outstanding entries in one round and what is sent about them today."""

    round_id: int
    round_title: str
    body_id: int
    body_abbreviation: str
    body_name: str
    deadline: date
    stages: dict[str, str] = field(default_factory=dict)  # kind -> stage
    entries: list[dict[str, Any]] = field(default_factory=list)
    #: The round's period („1. 1. 2026 – 31. 12. 2026“), printed in the e-mails.
    round_period: str = ""

    def payload(self, today: date, kind: str) -> dict[str, Any]:
        """The JSON block describing this body in an e-mail of ``kind``."""
        return {
            "id": self.body_id,
            "abbreviation": self.body_abbreviation,
            "name": self.body_name,
            "deadline": self.deadline.isoformat(),
            "days_left": (self.deadline - today).days,
            "days_overdue": (today - self.deadline).days,
            "stage": self.stages.get(kind, "manual"),
            "entries": self.entries,
        }


def outstanding(today: date, conditions: list[Any]) -> list[BodyDue]:
    """Unfinished entries matching ``conditions`` (one query), grouped per round and body."""
    if not conditions:
        return []
    rows = db.session.execute(
        select(
            Entry.id,
            Entry.round_id,
            Entry.body_id,
            Entry.state,
            effective_deadline().label("deadline"),
            ReportingRound.title,
            Body.abbreviation,
            Body.name,
            Activity.code,
            Activity.description,
            ReportingRound.period_start,
            ReportingRound.period_end,
        )
        .join(ReportingRound, ReportingRound.id == Entry.round_id)
        .join(Body, Body.id == Entry.body_id)
        .join(Activity, Activity.id == Entry.activity_id)
        .where(ReportingRound.state == RoundState.open.value, Entry.state.in_(UNFINISHED), or_(*conditions))
        .order_by(Entry.round_id, czech(Body.abbreviation), Activity.sort_key, Entry.id)
    ).all()
    groups: dict[tuple[int, int, date], BodyDue] = {}
    for row in rows:
        entry_id, round_id, body_id, state, deadline, title, abbreviation, name, code, description = row[:10]
        span = row[10:]
        if isinstance(deadline, str):  # SQLite returns COALESCE of dates as text
            deadline = date.fromisoformat(deadline)
        key = (round_id, body_id, deadline)
        due = groups.get(key)
        if due is None:
            due = groups[key] = BodyDue(round_id, title, body_id, abbreviation, name, deadline)
            due.round_period = period_label(*span)
        due.entries.append(
            {
                "id": entry_id,
                "code": code,
                "title": _shorten(description),
                "state": state,
                "url": entry_url(entry_id),
            }
        )
    return list(groups.values())


def _shorten(text: str, limit: int = 160) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _open_rounds(round_ids: Collection[int] | None = None) -> list[tuple[int, Schedule]]:
    """Open rounds with their schedules (one query)."""
    stmt = (
        select(ReportingRound.id, ReminderSettings)
        .outerjoin(ReminderSettings, ReminderSettings.round_id == ReportingRound.id)
        .where(ReportingRound.state == RoundState.open.value)
        .order_by(ReportingRound.id)
    )
    if round_ids is not None:
        stmt = stmt.where(ReportingRound.id.in_(sorted(round_ids)))
    return [(round_id, Schedule.of(settings)) for round_id, settings in db.session.execute(stmt).all()]


def due_today(today: date) -> list[BodyDue]:
    """Bodies that are sent something on ``today`` by the schedule, with their unfinished entries.

    Paused rounds are left out; nothing is due on a weekend or a public holiday.
    """
    conditions = []
    stages: dict[tuple[int, date], list[tuple[str, str]]] = {}
    for round_id, schedule in _open_rounds():
        if schedule.paused:
            continue
        deadlines = schedule.due_deadlines(today)
        if deadlines:
            conditions.append(and_(Entry.round_id == round_id, effective_deadline().in_(sorted(deadlines))))
            for deadline, found in deadlines.items():
                stages[(round_id, deadline)] = found
    result = outstanding(today, conditions)
    for due in result:
        due.stages = dict(stages.get((due.round_id, due.deadline), []))
    return result


def late_bodies(
    today: date, round_ids: Collection[int] | None = None, body_ids: Collection[int] | None = None
) -> list[BodyDue]:
    """Bodies with unfinished entries past their deadline in open rounds (one query after the rounds)."""
    rounds = [round_id for round_id, _schedule in _open_rounds(round_ids)]
    if not rounds:
        return []
    condition = and_(Entry.round_id.in_(rounds), effective_deadline() < today)
    if body_ids is not None:
        condition = and_(condition, Entry.body_id.in_(sorted(body_ids)))
    return outstanding(today, [condition])


def send_per_person(
    dues: Iterable[BodyDue],
    today: date,
    kind_of: Any,
    *,
    key_prefix: str = "",
    heads_only_for: str = ESCALATION,
) -> int:
    """Group ``dues`` per (kind, round, person) and enqueue one message each.

    :param kind_of: ``BodyDue → list of kinds`` to send for that body.
    :returns: the number of messages newly written (existing keys are skipped).
    """
    dues = list(dues)
    people = body_recipients({d.body_id for d in dues}, today)
    grouped: dict[tuple[str, int, int], tuple[Recipient, list[BodyDue]]] = {}
    for due in dues:
        for kind in kind_of(due):
            for person in people.get(due.body_id, []):
                if kind == heads_only_for and not person.is_head:
                    continue
                slot = grouped.setdefault((kind, due.round_id, person.user_id), (person, []))
                slot[1].append(due)
    messages = []
    for (kind, round_id, user_id), (person, bodies) in sorted(grouped.items()):
        body_ids = sorted({b.body_id for b in bodies})
        payload = {
            "user": person.as_payload(),
            "round": {
                "id": round_id, "title": bodies[0].round_title, "url": round_url(round_id),
                "period": bodies[0].round_period,
            },
            "bodies": [
                b.payload(today, kind)
                for b in sorted(bodies, key=lambda b: (b.deadline, b.body_abbreviation))
            ],
            "deadline": min(b.deadline for b in bodies).isoformat(),
            "today": today.isoformat(),
            "entry_count": sum(len(b.entries) for b in bodies),
            "body_ids": body_ids,
            "entry_ids": sorted(e["id"] for b in bodies for e in b.entries),
            "base_url": base_url(),
            "tasks_url": f"{base_url()}/moje-ukoly",
        }
        messages.append(
            {
                "kind": kind,
                "recipient_email": person.email,
                "dedupe_key": f"{key_prefix}{kind}:{round_id}:{today.isoformat()}:{user_id}",
                "payload": payload,
                "recipient_id": user_id,
                "locale": person.locale,
                "round_id": round_id,
                "body_id": body_ids[0] if len(body_ids) == 1 else None,
            }
        )
    return len(outbox.enqueue_many(messages))  # one INSERT for all of them


def send_reminders(today: date) -> int:
    """The daily sweep for Prague date ``today``; flushes, the caller commits.

    Writes deadline reminders, overdue notices, escalations and the secretaries' digest of late
    bodies (working days only). Safe to run any number of times a day.

    :returns: the number of outbox messages newly written.
    """
    written = send_per_person(due_today(today), today, lambda due: list(due.stages))
    if is_working_day(today):
        written += send_secretary_digest(today)
    db.session.flush()
    return written


def send_secretary_digest(today: date) -> int:
    """One e-mail per secretary listing the late bodies of every open round (none if none are late).

    Key ``secretary_digest:{date}:{user}``. :returns: messages newly written.
    """
    late = late_bodies(today)
    if not late:
        return 0
    rounds: dict[int, dict[str, Any]] = {}
    for due in sorted(late, key=lambda d: (d.round_id, d.deadline, d.body_abbreviation)):
        block = rounds.setdefault(
            due.round_id,
            {"id": due.round_id, "title": due.round_title, "url": round_url(due.round_id), "bodies": []},
        )
        block["bodies"].append(
            {
                "id": due.body_id,
                "abbreviation": due.body_abbreviation,
                "name": due.body_name,
                "deadline": due.deadline.isoformat(),
                "days_overdue": (today - due.deadline).days,
                "count": len(due.entries),
            }
        )
    messages = []
    for secretary in users_with_role(Role.secretary):
        payload = {
            "user": {
                "id": secretary.id,
                "email": secretary.email,
                "name": secretary.name,
                "locale": secretary.locale,
            },
            "today": today.isoformat(),
            "rounds": list(rounds.values()),
            "body_count": len(late),
            "base_url": base_url(),
        }
        messages.append(
            {
                "kind": SECRETARY_DIGEST,
                "recipient_email": secretary.email,
                "dedupe_key": f"{SECRETARY_DIGEST}:{today.isoformat()}:{secretary.id}",
                "payload": payload,
                "recipient_id": secretary.id,
                "locale": secretary.locale,
            }
        )
    return len(outbox.enqueue_many(messages))


def send_now(round_: ReportingRound, today: date, *, body_id: int | None = None) -> int:
    """The secretary's „odeslat připomínku teď“: remind one body, or all late bodies of the round.

    For one body: its unfinished entries, as a deadline reminder (before the deadline) or an overdue
    notice (after it), also while the round is paused. For all late bodies: an overdue notice to each.
    Keys are ``manual:{kind}:{round}:{date}:{user}`` — a second click the same day sends nothing
    more, but it does not replace the scheduled e-mail of that day. Flushes.

    :returns: the number of messages newly written (0 when nothing is outstanding).
    """
    if round_.state != RoundState.open:
        return 0
    if body_id is None:
        dues = late_bodies(today, round_ids=[round_.id])
    else:
        dues = outstanding(today, [and_(Entry.round_id == round_.id, Entry.body_id == body_id)])
    written = send_per_person(
        dues,
        today,
        lambda due: [OVERDUE_NOTICE if due.deadline < today else DEADLINE_REMINDER],
        key_prefix="manual:",
    )
    db.session.flush()
    return written
