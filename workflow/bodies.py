"""The body registry: seeding the real plan's bodies and the alias lookup used for routing.

The seed data is :data:`workflow.bodies_seed.SEED_BODIES` (seed 002 „Seznam zkratek“ and
DOMAIN.md §2.1); routing of „Odpovědnost“ texts goes through :func:`body_lookup`, built from the
database so that bodies and aliases added by an administrator count too.
"""

from __future__ import annotations

import logging
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from workflow.bodies_seed import SEED_BODIES
from workflow.db import db
from workflow.models import Body, BodyAlias, RoutingAlias
from workflow.responsibility import LEMMA_PREFIX, NOT_A_BODY, build_lookup, normalize_alias

logger = logging.getLogger(__name__)


def fold_text(text: str) -> str:
    """Return ``text`` case-folded and without diacritics: ``"Odbor školství"`` → ``"odbor skolstvi"``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def body_search_text(body: Body) -> str:
    """The :attr:`Body.search_text` of ``body``: folded ``"abbreviation name aliases"``."""
    parts = [body.abbreviation, body.name, *(alias.alias for alias in body.aliases)]
    return fold_text(" ".join(part for part in parts if part))


def ensure_seed_bodies() -> int:
    """Make sure every body of the seed registry is in the database, with its aliases and parent.

    Idempotent: existing bodies (matched by abbreviation) keep their name and kind, which an
    administrator may have edited; missing aliases are added (an alias whose normalised spelling
    already belongs to another body is skipped and logged), a missing parent is set, and
    ``search_text`` is recomputed. Flushes, does not commit.

    :returns: the number of bodies created (0 when the registry was complete).
    """
    existing = {
        body.abbreviation: body
        for body in db.session.scalars(select(Body).options(selectinload(Body.aliases)))
    }
    taken = dict(db.session.execute(select(BodyAlias.normalized, BodyAlias.body_id)).tuples().all())
    created = 0
    for seed in SEED_BODIES:
        body = existing.get(seed["abbreviation"])
        if body is None:
            body = Body(abbreviation=seed["abbreviation"], name=seed["name"], kind=seed["kind"], aliases=[])
            db.session.add(body)
            existing[body.abbreviation] = body
            created += 1
        if seed["parent"] and body.parent is None:
            body.parent = existing[seed["parent"]]
        own = {normalize_alias(body.abbreviation), normalize_alias(body.name)}
        own.update(alias.normalized for alias in body.aliases)
        for spelling in seed["aliases"]:
            key = normalize_alias(spelling)
            if not key or key in own:
                continue
            if key in taken and (body.id is None or taken[key] != body.id):
                logger.warning("alias %r of %s already belongs to another body", spelling, body.abbreviation)
                continue
            body.aliases.append(BodyAlias(alias=spelling, normalized=key))
            own.add(key)
            taken[key] = body.id or -1
        body.search_text = body_search_text(body)
    db.session.flush()
    return created


def body_lookup() -> dict[str, str]:
    """Return the routing lookup ``{normalize_alias(spelling): abbreviation}`` from the database.

    Spellings are every body's abbreviation, full name and aliases
    (see :func:`workflow.responsibility.build_lookup`), plus the names a secretary decided on the
    resolution page (:class:`~workflow.models.RoutingAlias`, matched by lemma; a name marked
    „není subjekt“ maps to :data:`~workflow.responsibility.NOT_A_BODY`). Three queries.

    :raises ValueError: two bodies share a spelling (an inconsistent registry).
    """
    bodies = db.session.scalars(select(Body).options(selectinload(Body.aliases)).order_by(Body.id))
    lookup = build_lookup(
        (body.abbreviation, [body.name, *(a.alias for a in body.aliases)]) for body in bodies
    )
    decided = db.session.execute(
        select(RoutingAlias.normalized, Body.abbreviation).outerjoin(Body, Body.id == RoutingAlias.body_id)
    )
    for normalized, abbreviation in decided:
        lookup.setdefault(LEMMA_PREFIX + normalized, abbreviation or NOT_A_BODY)
    return lookup
