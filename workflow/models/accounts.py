"""Users, their roles and bodies, deputies, API tokens and the account audit log."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, query_expression, relationship

from workflow.collation import czech
from workflow.db import UTCDateTime, db, utcnow
from workflow.states import Role

if TYPE_CHECKING:
    from workflow.models.bodies import Body

user_bodies = Table(
    "user_bodies",
    db.metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("body_id", Integer, ForeignKey("bodies.id", ondelete="CASCADE"), primary_key=True),
)


def _bodies_order() -> Any:
    """``User.bodies`` in Czech order of their abbreviations (``Body`` is imported late: cycle)."""
    from workflow.models.bodies import Body

    return czech(Body.abbreviation)


class User(UserMixin, db.Model):
    """A person who signs in with an e-mail address; belongs to bodies and holds roles."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(5), default="cs")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the last invitation e-mail was sent (``None``: never invited, e.g. created on the CLI).
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the account was deactivated (``active`` is the switch; this is for the admin's list).
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When an administrator anonymised the departed user (:func:`workflow.privacy.anonymise_user`):
    #: name „bývalý uživatel“, a placeholder address, no password, roles, bodies or tokens.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: ``local`` (own password, invited) or ``directory`` (signs in with the office directory,
    #: roles and bodies from its groups; :mod:`workflow.directory`). Issue 18.
    auth_source: Mapped[str] = mapped_column(String(20), default="local", server_default="local")
    #: Part of every session and remember cookie (:meth:`get_id`); raising it ends all of them on
    #: their next request (:func:`workflow.accounts.end_all_sessions`).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    bodies: Mapped[list[Body]] = relationship(secondary=user_bodies, order_by=_bodies_order)
    role_assignments: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    #: The deputyships naming this user as the deputy. Read only through
    #: :func:`workflow.accounts.deputies.standing_in`, which filters them by day: the user loader
    #: loads just one day's of them in its statement (:func:`workflow.accounts.user_for_request`).
    deputyships: Mapped[list[Deputy]] = relationship(
        foreign_keys="Deputy.deputy_id", viewonly=True, order_by="Deputy.id"
    )
    #: The ids of the user's bodies as one string (``"3,17"``; ``None``: none), when the statement
    #: that loaded the user asked for it (``with_expression``: the user loader's statement,
    #: :func:`workflow.accounts.user_for_request`); read by :func:`workflow.permissions.member_body_ids`.
    body_ids_text: Mapped[str | None] = query_expression()

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated users cannot sign in or stay signed in
        return self.active

    def get_id(self) -> str:
        """Flask-Login's identifier in the session and the remember cookie: ``"<id>:<generation>"``.

        A cookie issued before the generation was raised names an old generation and is refused
        by the user loader (:func:`web.sessions.load_user`).
        """
        return f"{self.id}:{self.session_generation or 0}"

    @property
    def roles(self) -> set[Role]:
        """The set of roles the user holds, whatever their scope."""
        return {Role(a.role) for a in self.role_assignments}

    def has_role(self, *roles: Role) -> bool:
        """True if the user holds at least one of ``roles``."""
        return bool(self.roles.intersection(roles))

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class RoleAssignment(db.Model):
    """One role of a user; a reviewer's scope is narrowed by ``plan_id``/``node_id``/``body_id``.

    ``node_id`` is a top-level node of the plan (an okruh): the reviewer covers the activities under it.
    """

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "role", "plan_id", "node_id", "body_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    node_id: Mapped[int | None] = mapped_column(ForeignKey("plan_nodes.id", ondelete="CASCADE"))
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"))

    user: Mapped[User] = relationship(back_populates="role_assignments")


class ApiToken(db.Model):
    """A bearer token for the JSON API. Only its SHA-256 digest is stored; the secret is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    #: First characters of the token, shown in lists so a token can be recognised without the secret.
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: ``read`` (the default): safe methods of the JSON API only; ``write``: every JSON API call.
    #: No token is accepted outside ``/api/``.
    scope: Mapped[str] = mapped_column(String(10), default="read", server_default="read")

    user: Mapped[User] = relationship()

    __table_args__ = (CheckConstraint("scope IN ('read', 'write')", name="scope_known"),)

    @staticmethod
    def digest(secret: str) -> str:
        """SHA-256 hex digest of a token secret (tokens are random, so no salt or slow hash is needed)."""
        return hashlib.sha256(secret.encode()).hexdigest()


class Deputy(db.Model):
    """A deputy (zástup): ``deputy`` acts for ``principal`` from ``starts_on`` to ``ends_on`` inclusive.

    Dates are calendar days in ``TIMEZONE``. ``body`` narrows the deputy to one of the principal's
    bodies; ``None`` means all of them. The deputy gets the principal's tasks and reminders of that
    period, and every action the deputy takes for those bodies records the principal as "acted for"
    (see :func:`workflow.accounts.principal_for`).
    """

    __tablename__ = "deputies"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
        CheckConstraint("principal_id <> deputy_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    deputy_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    principal: Mapped[User] = relationship(foreign_keys=[principal_id])
    deputy: Mapped[User] = relationship(foreign_keys=[deputy_id])
    body: Mapped[Body | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def covers(self, day: date) -> bool:
        """True if ``day`` (a Prague calendar date) lies within the deputy's period."""
        return self.starts_on <= day <= self.ends_on


class AuditEvent(db.Model):
    """One row of the account audit log: who did what to which account, when, from where.

    Append-only: rows are only ever inserted (:func:`workflow.audit.record`); a flush that would
    update or delete one raises :class:`AuditLogIsAppendOnly`, and on PostgreSQL a trigger refuses
    UPDATE and DELETE (migration ``a9000001``) except the retention purge
    (:func:`workflow.audit.purge_expired`). ``actor`` is who was signed in,
    ``acted_for`` the principal when a deputy acted, ``subject`` the account concerned.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: One of :class:`workflow.audit.AuditKind` (stored by value).
    kind: Mapped[str] = mapped_column(String(40), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    acted_for_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("bodies.id", ondelete="SET NULL"))
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id", ondelete="SET NULL"))
    #: The e-mail address typed (failed sign-ins of unknown addresses have no subject).
    email: Mapped[str] = mapped_column(String(254), default="")
    #: Client IP address (IPv4 or IPv6) as seen by the web process.
    ip: Mapped[str] = mapped_column(String(45), default="")
    #: A short human-readable summary in Czech, e.g. „role: hodnotitel (oblast A)“.
    summary: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    acted_for: Mapped[User | None] = relationship(foreign_keys=[acted_for_id])
    subject: Mapped[User | None] = relationship(foreign_keys=[subject_id])
    body: Mapped[Body | None] = relationship()
    token: Mapped[ApiToken | None] = relationship()


class AuditLogIsAppendOnly(RuntimeError):
    """Raised when code tries to change or delete a row of the account audit log."""


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("the account audit log is append-only")
