"""Accounts: administration of bodies (subjekty) and their aliases."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import func, select

from workflow.accounts.common import AccountError
from workflow.audit import AuditKind, record
from workflow.bodies import body_search_text
from workflow.db import db
from workflow.models import Body, BodyAlias, User
from workflow.responsibility import normalize_alias
from workflow.routing.resolution import reresolve
from workflow.states import BodyKind

# --------------------------------------------------------------------------------------------
# Bodies (administration)


def save_body(
    body: Body | None,
    *,
    abbreviation: str,
    name: str,
    kind: str,
    parent: Body | None,
    aliases: Iterable[str],
    actor: User | None,
    ip: str = "",
) -> Body:
    """Create (``body=None``) or update a body with its aliases (other spellings in plans); then
    flagged activities of every plan are routed again, so a flag whose cause the body resolves
    clears (:func:`workflow.routing.resolution.reresolve`).

    :raises AccountError: empty or duplicate abbreviation, unknown kind, a parent that is the body
        itself or one of its descendants, or an alias already used by another body.
    """
    abbreviation = abbreviation.strip()
    if not abbreviation or not name.strip():
        raise AccountError(_("Zkratka i název subjektu jsou povinné."))
    if kind not in {k.value for k in BodyKind}:
        raise AccountError(_("Neznámý druh subjektu „%(kind)s“.", kind=kind))
    clash = db.session.scalar(select(Body).where(func.lower(Body.abbreviation) == abbreviation.lower()))
    if clash is not None and clash is not body:
        raise AccountError(_("Subjekt se zkratkou %(abbr)s už existuje.", abbr=abbreviation))
    ancestor = parent
    while ancestor is not None and body is not None:
        if ancestor.id == body.id:
            raise AccountError(_("Nadřízený subjekt nemůže být tento subjekt ani subjekt pod ním."))
        ancestor = ancestor.parent
    wanted: dict[str, str] = {}
    for alias in aliases:
        key = normalize_alias(alias)
        if key and key not in wanted and key not in (normalize_alias(abbreviation), normalize_alias(name)):
            wanted[key] = alias.strip()
    taken = db.session.scalars(select(BodyAlias).where(BodyAlias.normalized.in_(list(wanted)))).all()
    for alias_row in taken:
        if body is None or alias_row.body_id != body.id:
            raise AccountError(_("Název „%(alias)s“ už používá subjekt %(body)s.", alias=alias_row.alias,
                                 body=alias_row.body.abbreviation))
    created = body is None
    if body is None:
        body = Body(abbreviation=abbreviation, name=name.strip(), kind=kind)
        db.session.add(body)
    body.abbreviation = abbreviation
    body.name = name.strip()
    body.kind = kind
    body.parent = parent
    existing = {a.normalized: a for a in body.aliases}
    for key, alias_row in existing.items():
        if key not in wanted:
            body.aliases.remove(alias_row)
    for key, text in wanted.items():
        if key in existing:
            existing[key].alias = text
        else:
            body.aliases.append(BodyAlias(alias=text, normalized=key))
    body.search_text = body_search_text(body)
    db.session.flush()
    record(AuditKind.body_created if created else AuditKind.body_updated, actor=actor, body=body, ip=ip,
           summary=body.label)
    reresolve(None)  # a „k revizi“ flag whose cause this body (or alias) resolves clears (issue 14 §3)
    return body
