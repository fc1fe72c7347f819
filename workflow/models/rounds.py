"""Reporting rounds, entries (activity × body × round), their audit trail and evidence.

A round (:class:`ReportingRound`) names which activities it covers (:class:`RoundActivity`, with
the secretary's reasons for any change to the default) and who answers for each
(:class:`RoundRoute`, lead first). Opening the round creates one :class:`Entry` per route. Every
state change of an entry writes an append-only :class:`EntryTransition` and an
:class:`EntryVersion` of the answer; comments, links, attachments and deadline extensions hang off
entries and rounds. The imported history of a past round (seed 002's „Plnění“ column) is a closed
round with approved entries and a :class:`Consolidation` per activity.

Source of the fields: issue 4 and DOMAIN.md §7.3–§7.5 (R17–R35) and §8.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    cast,
    event,
    func,
    select,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, Session, column_property, mapped_column, query_expression, relationship

from workflow.db import UTCDateTime, db, utcnow
from workflow.states import EntryState, FulfilmentStatus, RoundState

if TYPE_CHECKING:
    from workflow.models.accounts import User
    from workflow.models.bodies import Body
    from workflow.models.plans import Activity, Plan


def _in(column: str, values: Any) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


#: How many rows (slots) a round's change counter (:attr:`ReportingRound.change_counter`) is
#: spread over. Every transaction that changes a round adds 1 to one slot picked at random
#: (:mod:`workflow.models.changes`), so two concurrent commits in one round wait for each other's
#: row lock only when they pick the same slot (1 in 16) instead of always, as they did with one
#: counter row per round. A reader sums at most 16 short rows next to each other in the primary
#: key's index: more slots would make collisions rarer still, but the sum read on every round
#: page and task list dearer, and a round rarely has more than a few bodies committing at once.
CHANGE_SLOTS = 16


class RoundChangeSlot(db.Model):
    """One slot of a round's change counter: the round's counter is the sum of its slots'
    (:attr:`ReportingRound.change_counter`). A slot's row is written by the first transaction that
    picks it (``INSERT … ON CONFLICT DO UPDATE``) and only grows; it goes with its round."""

    __tablename__ = "round_change_slots"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    #: ``0`` … ``CHANGE_SLOTS - 1``
    slot: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    counter: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class ReportingRound(db.Model):
    """A yearly round in which every routed body reports on its activities."""

    __tablename__ = "reporting_rounds"
    __table_args__ = (
        UniqueConstraint("plan_id", "title"),
        CheckConstraint(_in("state", RoundState), name="state"),
        CheckConstraint("period_start <= period_end", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    opens_on: Mapped[date | None] = mapped_column(Date)
    submission_deadline: Mapped[date | None] = mapped_column(Date)
    review_deadline: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20), default=RoundState.planned)
    #: True for rounds recorded from an imported document rather than run in the product.
    imported: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Raised by exactly 1 by every transaction that changes the round or its entries (states,
    #: answers, deadlines, extensions), just before it commits (:mod:`workflow.models.changes`):
    #: the key of the round dashboard's fragment cache and of the round's „Moje úkoly“ summary.
    #: Read only: the sum of the round's :class:`RoundChangeSlot` rows (a correlated subquery
    #: loaded with the round, ``0`` without any), never written through the round. Not expired
    #: by a flush of the round, as a column would not be; a bump updates loaded rounds in memory.
    change_counter: Mapped[int] = column_property(
        select(cast(func.coalesce(func.sum(RoundChangeSlot.counter), 0), BigInteger))  # not numeric
        .where(RoundChangeSlot.round_id == id)
        .correlate_except(RoundChangeSlot)
        .scalar_subquery(),
        expire_on_flush=False,
    )

    plan: Mapped[Plan] = relationship()
    entries: Mapped[list[Entry]] = relationship(
        back_populates="round", cascade="all, delete-orphan", passive_deletes=True
    )
    created_by: Mapped[User | None] = relationship()

    @property
    def is_open(self) -> bool:
        """True while bodies may write and reviewers may act (state ``open``)."""
        return self.state == RoundState.open

    def __repr__(self) -> str:
        return f"<ReportingRound {self.id} {self.title!r} {self.state}>"


class RoundEvent(db.Model):
    """Append-only log of a round's own life: created, opened, closed, reopened (with reason)."""

    __tablename__ = "round_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("reporting_rounds.id", ondelete="CASCADE"), index=True)
    #: ``created``, ``opened``, ``closed``, ``reopened``, ``routing_changed``.
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


class RoundActivity(db.Model):
    """Whether an activity is part of a round; the default and the secretary's change with reason.

    ``default_included``/``default_reason`` are what :func:`workflow.rounds.default_inclusion`
    computed from the activity's „Termín plnění“ when the round was created; ``included`` is what
    holds, and ``reason`` explains a change made by ``changed_by``.
    """

    __tablename__ = "round_activities"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    included: Mapped[bool] = mapped_column(Boolean, default=True)
    default_included: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Machine-made explanation of the default, e.g. ``ongoing`` or ``starts_after`` (see rounds.py).
    default_reason: Mapped[str] = mapped_column(String(40), default="")
    #: The secretary's reason for an inclusion or exclusion that differs from the default.
    reason: Mapped[str] = mapped_column(Text, default="")
    #: True when the secretary changed the routing from the plan's (kept in ``round_routes``).
    routing_changed: Mapped[bool] = mapped_column(Boolean, default=False)
    routing_reason: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    activity: Mapped[Activity] = relationship()
    changed_by: Mapped[User | None] = relationship()


class RoundRoute(db.Model):
    """Who answers for an activity in a round; ``position`` 0 is the lead. Copied from the plan's
    routing when the round is created and adjustable until it opens."""

    __tablename__ = "round_routes"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="RESTRICT"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    body: Mapped[Body] = relationship()


class Entry(db.Model):
    """What one body reports on one activity in one round („plnění“): the self-report, its state,
    and the reviewer's assessment („Komentář hodnotitele“)."""

    __tablename__ = "entries"
    __table_args__ = (
        UniqueConstraint("round_id", "activity_id", "body_id"),
        # the dashboard's counts and the queue's state filter; a body's entries in open rounds (issue 8)
        Index("ix_entries_round_state_body", "round_id", "state", "body_id"),
        Index("ix_entries_body_round", "body_id", "round_id"),
        CheckConstraint(_in("state", EntryState), name="state"),
        CheckConstraint(
            f"fulfilment_status IS NULL OR {_in('fulfilment_status', FulfilmentStatus)}",
            name="fulfilment_status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("reporting_rounds.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="RESTRICT"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=EntryState.not_started, index=True)
    fulfilment_status: Mapped[str | None] = mapped_column(String(20))
    #: „Plnění“: the self-report text (guidance 150–1 500 characters, hard limit 10 000).
    text: Mapped[str] = mapped_column(Text, default="")
    #: True while the answer is still last round's (carried over) and not yet edited or confirmed.
    carried_over: Mapped[bool] = mapped_column(Boolean, default=False)
    carried_from_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="SET NULL"))
    #: The indicator's value: a number with its unit, or a text where the indicator is no number.
    indicator_number: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    indicator_unit: Mapped[str] = mapped_column(String(100), default="")
    indicator_text: Mapped[str] = mapped_column(Text, default="")
    #: „Stav k datu“: the date the indicator value and the text describe.
    indicator_as_of: Mapped[date | None] = mapped_column(Date)
    #: Cooperation actually involved (compare the plan's „Spolupráce“).
    cooperation_text: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    #: Proposal for the next action plan.
    proposal: Mapped[str] = mapped_column(Text, default="")
    #: Deadline of this entry when an extension was granted to its body (else the round's).
    deadline: Mapped[date | None] = mapped_column(Date)
    #: „Komentář hodnotitele“: the reviewer's assessment, internal unless ``assessment_public``.
    assessment: Mapped[str] = mapped_column(Text, default="")
    assessment_public: Mapped[bool] = mapped_column(Boolean, default=False)
    assessment_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Who saved the answer since it was last sent back or reopened (user ids, in order of their first
    #: save; a deputy counts as themselves): none of them may approve it (four eyes).
    editor_ids: Mapped[list[int]] = mapped_column(JSON, default=list, server_default=sql_text("'[]'"))
    #: Optimistic-locking counter, bumped by every change.
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Whether the first submission came on or before the deadline in force then (DHIS2's "on time").
    submitted_on_time: Mapped[bool | None] = mapped_column(Boolean)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    round: Mapped[ReportingRound] = relationship(back_populates="entries")
    activity: Mapped[Activity] = relationship()
    body: Mapped[Body] = relationship()
    carried_from: Mapped[Entry | None] = relationship(remote_side="Entry.id")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    transitions: Mapped[list[EntryTransition]] = relationship(order_by="EntryTransition.id", viewonly=True)
    links: Mapped[list[EvidenceLink]] = relationship(
        back_populates="entry", order_by="EvidenceLink.id", cascade="all, delete-orphan", passive_deletes=True
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="entry", order_by="Attachment.id", cascade="all, delete-orphan", passive_deletes=True
    )

    #: The id of the entry's latest transition with a reason (``send_back`` or ``reopen``), when
    #: the statement that loaded the entry asked for it (``with_expression``, the entry pages'
    #: statement in ``web.views.entries``); ``None`` otherwise.
    last_reason_id: Mapped[int | None] = query_expression()
    #: Whether the entry has comments, when the statement that loaded it asked (the entry pages'
    #: statement); ``None`` otherwise. :func:`workflow.entries.visible_comments` reads no thread
    #: when it is ``False``.
    has_comments: Mapped[bool | None] = query_expression()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative hook

    @property
    def effective_deadline(self) -> date | None:
        """The body's extended deadline if one was granted, else the round's submission deadline."""
        return self.deadline or self.round.submission_deadline

    def __repr__(self) -> str:
        return f"<Entry {self.id} round={self.round_id} activity={self.activity_id} body={self.body_id}>"


#: The fields of the answer that a version snapshots and the history diffs.
ANSWER_FIELDS = (
    "fulfilment_status",
    "text",
    "indicator_number",
    "indicator_unit",
    "indicator_text",
    "indicator_as_of",
    "cooperation_text",
    "problems",
    "proposal",
)


class EntryVersion(db.Model):
    """A snapshot of the answer, stored with every transition (``number`` counts from 1)."""

    __tablename__ = "entry_versions"
    __table_args__ = (UniqueConstraint("entry_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    #: The other answer fields (:data:`ANSWER_FIELDS`) as JSON-friendly values.
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class AssessmentVersion(db.Model):
    """One version of the reviewer's assessment („Komentář hodnotitele“) of an entry: every change
    is kept (append-only), so a published assessment cannot be rewritten without trace."""

    __tablename__ = "assessment_versions"
    __table_args__ = (UniqueConstraint("entry_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class EntryTransition(db.Model):
    """Append-only audit record of one transition: who (and for which body), when (UTC), from,
    to, the comment, and the version of the answer it stored. Never updated or deleted by the
    application (a flush that tries raises)."""

    __tablename__ = "entry_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: The body the actor acted for (the entry's body for contributors and deputies).
    acted_for_body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id", ondelete="SET NULL"))
    #: The member the actor stood in for, when acting as a deputy.
    acted_for_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment: Mapped[str] = mapped_column(Text, default="")
    version_id: Mapped[int | None] = mapped_column(ForeignKey("entry_versions.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    entry: Mapped[Entry] = relationship()
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    acted_for_body: Mapped[Body | None] = relationship()
    acted_for_user: Mapped[User | None] = relationship(foreign_keys=[acted_for_user_id])
    version: Mapped[EntryVersion | None] = relationship()


class EntryComment(db.Model):
    """A comment in an entry's thread: visible to the body, or ``internal`` to reviewers."""

    __tablename__ = "entry_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class EvidenceLink(db.Model):
    """A link given as evidence (minutes, a web page, a resolution)."""

    __tablename__ = "evidence_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    label: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[Entry] = relationship(back_populates="links")


class Attachment(db.Model):
    """A file given as evidence. Stored under ``INSTANCE_DIR/attachments`` by a random
    ``storage_name`` (never the uploaded name) and served only by a permission-checked view."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), index=True)
    #: The uploaded file name reduced to a safe base name (shown to people, never used as a path).
    filename: Mapped[str] = mapped_column(String(255))
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    #: Type detected from the content's magic bytes: ``pdf``, ``docx``, ``xlsx``, ``odt``, ``ods``,
    #: ``png`` or ``jpeg``.
    kind: Mapped[str] = mapped_column(String(10))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[Entry] = relationship(back_populates="attachments")


class DeadlineExtension(db.Model):
    """A body's request for a later deadline in a round and the secretary's decision."""

    __tablename__ = "deadline_extensions"
    __table_args__ = (CheckConstraint("status IN ('requested', 'granted', 'refused')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("reporting_rounds.id", ondelete="CASCADE"), index=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    requested_until: Mapped[date | None] = mapped_column(Date)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="requested")
    granted_until: Mapped[date | None] = mapped_column(Date)
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    round: Mapped[ReportingRound] = relationship()
    body: Mapped[Body] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class Consolidation(db.Model):
    """The consolidated „Plnění“ text of one activity in one round (what the report prints)."""

    __tablename__ = "consolidations"
    __table_args__ = (UniqueConstraint("round_id", "activity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("reporting_rounds.id", ondelete="CASCADE"), index=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    #: ``imported`` (taken from a document), ``merged`` or ``edited``.
    source: Mapped[str] = mapped_column(String(20), default="imported")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    round: Mapped[ReportingRound] = relationship()
    activity: Mapped[Activity] = relationship()


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit record."""


_APPEND_ONLY = (EntryTransition, RoundEvent, AssessmentVersion)


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, flush_context: Any, instances: Any) -> None:
    """The audit trail is append-only: updating or deleting its rows through the ORM is a bug."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, _APPEND_ONLY) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyError(f"{type(obj).__name__} rows are append-only")
