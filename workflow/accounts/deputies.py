"""Accounts: deputies („zástup“) — naming and cancelling them, and whom a user acts for on a day.

Dates of deputyships are calendar days in ``TIMEZONE`` (:func:`workflow.clock.today`)."""

from __future__ import annotations

import functools
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Select, String, bindparam, cast, func, select
from sqlalchemy.orm import joinedload, with_expression

from workflow import permissions
from workflow.accounts.common import AccountError, NotActingForBody
from workflow.audit import AuditKind, record
from workflow.db import db
from workflow.models import Body, Deputy, User
from workflow.models.accounts import user_bodies

#: Roles that may name a deputy for their bodies (issue 3: „zpracovatel“ and „vedoucí“).
DEPUTY_ROLES = permissions.POLICY[permissions.Action.name_deputy]


# --------------------------------------------------------------------------------------------
# Deputies (zástup)


def add_deputy(
    principal: User,
    deputy: User,
    starts_on: date,
    ends_on: date,
    *,
    actor: User | None,
    body: Body | None = None,
    note: str = "",
    ip: str = "",
) -> Deputy:
    """Name ``deputy`` to stand in for ``principal`` from ``starts_on`` to ``ends_on`` (inclusive).

    :param body: one of the principal's bodies, or ``None`` for all of them.
    :raises AccountError: the principal is not a contributor or head, the deputy is the principal
        or inactive, the dates are reversed, or ``body`` is not one of the principal's bodies.
    """
    if not permissions.may_name_deputies(principal):
        raise AccountError(_("Zástup může určit jen zpracovatel nebo vedoucí subjektu."))
    if deputy.id == principal.id:
        raise AccountError(_("Zástupcem nemůžete být sami sobě."))
    if not deputy.active:
        raise AccountError(_("Zástupcem nemůže být deaktivovaný uživatel."))
    if ends_on < starts_on:
        raise AccountError(_("Konec zástupu musí být stejný den nebo později než jeho začátek."))
    if body is not None and body not in principal.bodies:
        raise AccountError(_("Zástup lze určit jen pro vlastní subjekt."))
    if not principal.bodies:
        raise AccountError(_("Uživatel nepatří k žádnému subjektu, není tedy koho zastupovat."))
    entry = Deputy(
        principal=principal, deputy=deputy, body=body, starts_on=starts_on, ends_on=ends_on,
        note=note.strip()[:300], created_by=actor,
    )
    db.session.add(entry)
    db.session.flush()
    _forget_loaded(deputy)
    scope = body.abbreviation if body else ", ".join(b.abbreviation for b in principal.bodies)
    record(
        AuditKind.deputy_added, actor=actor, subject=principal, body=body, ip=ip,
        summary=f"{deputy.name} ({deputy.email}) zastupuje {starts_on:%d. %m. %Y}–{ends_on:%d. %m. %Y}"
        f" · {scope}",
        details={"deputy_id": deputy.id, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
    )
    return entry


def remove_deputy(entry: Deputy, *, actor: User | None, ip: str = "") -> None:
    """Cancel a deputyship (the audit log keeps that it existed)."""
    record(
        AuditKind.deputy_removed, actor=actor, subject=entry.principal, body=entry.body, ip=ip,
        summary=f"{entry.deputy.name} ({entry.deputy.email})",
        details={"deputy_id": entry.deputy_id, "starts_on": entry.starts_on.isoformat(),
                 "ends_on": entry.ends_on.isoformat()},
    )
    _forget_loaded(entry.deputy)
    db.session.delete(entry)
    db.session.flush()


def deputies_of(principal: User) -> list[Deputy]:
    """Every deputyship ``principal`` has named, earliest first."""
    return list(
        db.session.scalars(
            select(Deputy).where(Deputy.principal_id == principal.id).order_by(Deputy.starts_on, Deputy.id)
        )
    )


#: Attribute of a :class:`User` instance: the day whose deputyships :func:`user_for_request` loaded
#: into ``User.deputyships`` along with the user.
_LOADED_FOR = "_plneni_deputyships_on"


@functools.lru_cache(maxsize=4)
def _user_for_request_statement(on: date) -> Select[tuple[User]]:
    """:func:`user_for_request`'s statement for day ``on``, built once a day and process: SQLAlchemy
    then computes its cache key once, not on every request (a third of the user's loading with the
    options built per call). The day is a value in the statement, not a parameter given when it
    runs: the loaded user keeps the options, and a later refresh of the user runs them again."""
    return (
        select(User)
        .where(User.id == bindparam("user_id"))
        .options(
            joinedload(User.role_assignments),
            joinedload(User.deputyships.and_(Deputy.starts_on <= on, Deputy.ends_on >= on)),
            # the ids of their bodies, as one string in the user's row (a join would repeat it)
            with_expression(
                User.body_ids_text,
                select(func.aggregate_strings(cast(user_bodies.c.body_id, String), ","))
                .where(user_bodies.c.user_id == User.id)
                .scalar_subquery(),
            ),
        )
        # one statement also when the user is already in the session (loaded as it was then)
        .execution_options(populate_existing=True)
    )


def user_for_request(user_id: int, on: date) -> User | None:
    """The user ``user_id`` with what every page asks of them, in one statement: their role
    assignments and their deputyships of day ``on`` (Prague date), so :func:`_standing_in` for
    that day, and the permission checks built on it, send no statement. Their bodies' ids come as
    one string column (:attr:`User.body_ids_text`), remembered for the request as
    :func:`workflow.permissions.member_body_ids` reads them: joined as rows, a user of 150 bodies
    made every request of theirs, and every reload of the user within it, carry 150 rows (a
    submitter of every body: 49 → 33 submits/s); read by a statement of their own, they cost
    every page one more statement.

    :returns: the user, or ``None`` if there is no such id.
    """
    found = db.session.execute(_user_for_request_statement(on), {"user_id": user_id})
    user = found.unique().scalar_one_or_none()
    if user is not None:
        setattr(user, _LOADED_FOR, on)
        ids = user.body_ids_text  # "3,17", None: none
        user.__dict__[permissions.MEMBER_BODY_IDS] = frozenset(int(i) for i in (ids or "").split(",") if i)
    return user


def _standing_in(user: User, on: date) -> list[Deputy]:
    """The deputyships in which ``user`` stands in for someone on day ``on``, earliest named first."""
    if not user.active:
        return []
    if getattr(user, _LOADED_FOR, None) == on and "deputyships" in user.__dict__:
        # loaded with the user for this day (and not expired by a commit since); filtered again,
        # so a collection loaded in full (lazily, without the day) gives the same answer
        return [d for d in user.deputyships if d.starts_on <= on <= d.ends_on]
    return list(
        db.session.scalars(
            select(Deputy)
            .where(Deputy.deputy_id == user.id, Deputy.starts_on <= on, Deputy.ends_on >= on)
            .order_by(Deputy.id)
        )
    )


def _forget_loaded(user: User) -> None:
    """A deputyship of ``user`` (as the deputy) was added or removed: the next question asks again."""
    if _LOADED_FOR in user.__dict__:
        delattr(user, _LOADED_FOR)


def acting_for(user: User, on: date) -> list[User]:
    """The people ``user`` stands in for on day ``on`` (Prague date), without duplicates."""
    seen: dict[int, User] = {}
    for entry in _standing_in(user, on):
        seen.setdefault(entry.principal_id, entry.principal)
    return list(seen.values())


def bodies_of(user: User, on: date) -> list[Body]:
    """The bodies ``user`` may act for on day ``on``: own bodies plus those of the people stood in for.

    A deputyship narrowed to one body adds only that body (and only while the principal still
    belongs to it). Sorted by abbreviation.
    """
    if not user.active:
        return []
    found = {b.id: b for b in user.bodies}
    for entry in _standing_in(user, on):
        for body in entry.principal.bodies:
            if entry.body_id is None or entry.body_id == body.id:
                found.setdefault(body.id, body)
    return sorted(found.values(), key=lambda b: b.abbreviation)


def principal_for(user: User, body: Body, on: date) -> User | None:
    """Whom ``user`` acts for when acting for ``body`` on ``on`` — store it as "acted for".

    :returns: ``None`` when ``user`` belongs to ``body`` (acting in their own right), else the
        principal they stand in for (the earliest-named deputyship wins).
    :raises NotActingForBody: ``user`` may not act for ``body`` on that day.
    """
    if user.active and any(b.id == body.id for b in user.bodies):
        return None
    for entry in _standing_in(user, on):
        if any(b.id == body.id for b in entry.principal.bodies) and entry.body_id in (None, body.id):
            return entry.principal
    raise NotActingForBody(_("Za subjekt %(body)s nyní jednat nemůžete.", body=body.abbreviation))
