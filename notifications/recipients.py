"""Who receives a body's notifications on a given day: its contributors, its heads, and the deputies
standing in for them that day.

Set-based: :func:`body_recipients` answers for any number of bodies with two queries. The rules are
those of :mod:`workflow.permissions` (``member_body_ids``/``deputised_body_ids``), applied in SQL:

* a *member* is an active user belonging to the body (``user_bodies``) with the role contributor or
  head; a head additionally receives escalations;
* a *deputy* is an active user standing in on that day (``deputies.starts_on ≤ day ≤ ends_on``) for a
  member of the body, narrowed to that body when the deputyship names one. The deputy receives what
  the principal receives ("deputies get what the person they stand for would get"), so a deputy of a
  deactivated principal receives nothing;
* deactivated users never receive anything.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from workflow.db import db
from workflow.models import Deputy, RoleAssignment, User, user_bodies
from workflow.states import Role


@dataclass(frozen=True)
class Recipient:
    """One person to notify for one body.

    :ivar for_name: name of the member stood in for when the person is a deputy, else ``None``.
    :ivar is_head: the person (or the member stood in for) is a head of the body.
    """

    user_id: int
    email: str
    name: str
    locale: str
    body_id: int
    is_head: bool
    for_name: str | None = None

    def as_payload(self) -> dict[str, object]:
        """JSON form for an outbox payload (templates read ``user.name``, ``user.email``)."""
        return {
            "id": self.user_id,
            "email": self.email,
            "name": self.name,
            "locale": self.locale,
            "for_name": self.for_name,
        }


def body_recipients(body_ids: Collection[int], on: date) -> dict[int, list[Recipient]]:
    """Members and deputies of each body in ``body_ids`` on Prague date ``on``; two queries.

    :returns: ``{body_id: [Recipient, …]}`` sorted by e-mail; bodies without anyone are missing.
        A person who is both a member and a deputy for the same body is listed once, as a member.
    """
    ids = sorted(set(body_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(User.id, User.email, User.name, User.locale, user_bodies.c.body_id, RoleAssignment.role)
        .join(user_bodies, user_bodies.c.user_id == User.id)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            user_bodies.c.body_id.in_(ids),
            User.active.is_(True),
            RoleAssignment.role.in_([Role.contributor.value, Role.head.value]),
        )
    ).all()
    members: dict[tuple[int, int], Recipient] = {}
    for user_id, email, name, locale, body_id, role in rows:
        known = members.get((body_id, user_id))
        is_head = role == Role.head or (known is not None and known.is_head)
        members[(body_id, user_id)] = Recipient(
            user_id, email, name or email, locale or "cs", body_id, is_head
        )

    deputy = aliased(User)
    deputy_rows = db.session.execute(
        select(
            Deputy.principal_id, deputy.id, deputy.email, deputy.name, deputy.locale, user_bodies.c.body_id
        )
        .join(deputy, deputy.id == Deputy.deputy_id)
        .join(user_bodies, user_bodies.c.user_id == Deputy.principal_id)
        .where(
            user_bodies.c.body_id.in_(ids),
            Deputy.starts_on <= on,
            Deputy.ends_on >= on,
            deputy.active.is_(True),
            or_(Deputy.body_id.is_(None), and_(Deputy.body_id == user_bodies.c.body_id)),
        )
        .order_by(Deputy.id)
    ).all()
    result: dict[int, dict[int, Recipient]] = {}
    for (body_id, user_id), recipient in members.items():
        result.setdefault(body_id, {})[user_id] = recipient
    for principal_id, user_id, email, name, locale, body_id in deputy_rows:
        principal = members.get((body_id, principal_id))
        if principal is None:  # the principal would get nothing (inactive, no role, left the body)
            continue
        current = result.setdefault(body_id, {}).get(user_id)
        if current is not None and (current.for_name is None or current.is_head or not principal.is_head):
            continue  # already a member, or already deputy for someone with at least these rights
        result[body_id][user_id] = Recipient(
            user_id, email, name or email, locale or "cs", body_id, principal.is_head, for_name=principal.name
        )
    return {body_id: sorted(people.values(), key=lambda r: r.email) for body_id, people in result.items()}


def users_with_role(role: Role) -> list[User]:
    """Active users holding ``role`` (any scope), sorted by e-mail; one query."""
    return list(
        db.session.scalars(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(RoleAssignment.role == role.value, User.active.is_(True))
            .distinct()
            .order_by(User.email)
        )
    )
