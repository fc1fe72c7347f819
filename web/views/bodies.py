"""Responsible bodies: the list (grouped by kind, Czech alphabetical order) and a body's page.

Counts of routed activities come from one aggregate query; the body page loads its activities
across all plans with their plans and routing eagerly (a constant number of statements).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from web.extensions import db
from web.views.guards import requires
from workflow.collation import czech
from workflow.models import Activity, ActivityBody, Body, Plan
from workflow.permissions import Action
from workflow.routing.group_editing import group_of
from workflow.states import BodyKind
from workflow.text import czech_sort_key, matches

bp = Blueprint("bodies", __name__)

#: Order of the kind groups on the body list.
KIND_ORDER = list(BodyKind)


@dataclass(frozen=True)
class RoutingCounts:
    """How many activities a body answers for: as the lead and as a co-responsible body."""

    lead: int = 0
    co: int = 0

    @property
    def total(self) -> int:
        """All activities routed to the body."""
        return self.lead + self.co


def routing_counts() -> dict[int, RoutingCounts]:
    """Body id → :class:`RoutingCounts`, over all plans, in one aggregate statement."""
    is_lead = case((ActivityBody.position == 0, 1), else_=0)
    rows = db.session.execute(
        select(ActivityBody.body_id, func.sum(is_lead), func.count()).group_by(ActivityBody.body_id)
    )
    return {
        body_id: RoutingCounts(int(lead or 0), int(total) - int(lead or 0)) for body_id, lead, total in rows
    }


def sorted_bodies(bodies: list[Body]) -> list[Body]:
    """``bodies`` in Czech alphabetical order of abbreviation (``Č`` after ``C``, ``Ch`` after ``H``)."""
    return sorted(bodies, key=lambda b: (czech_sort_key(b.abbreviation), czech_sort_key(b.name)))


def _kind_index(kind: str) -> int:
    try:
        return KIND_ORDER.index(BodyKind(kind))
    except ValueError:
        return len(KIND_ORDER)


@bp.get("/subjekty")
@requires(Action.view_plans)
def list_bodies() -> ResponseReturnValue:
    """All bodies, grouped by kind (``?razeni=abecedne``: one alphabetical list); ``?q=`` filters."""
    query = request.args.get("q", "").strip()[:200]
    alphabetical = request.args.get("razeni") == "abecedne"
    bodies = list(
        db.session.scalars(select(Body).options(joinedload(Body.parent), selectinload(Body.aliases))).unique()
    )
    total = len(bodies)
    bodies = [
        b for b in bodies if matches(query, [b.abbreviation, b.name, *(a.alias for a in b.aliases)])
    ]
    bodies = sorted_bodies(bodies)
    groups: list[tuple[str, list[Body]]] = []
    if not alphabetical:
        by_kind: dict[str, list[Body]] = {}
        for body in bodies:
            by_kind.setdefault(body.kind, []).append(body)
        groups = sorted(by_kind.items(), key=lambda kv: _kind_index(kv[0]))
    return render_template(
        "bodies/list.html",
        bodies=bodies,
        groups=groups,
        alphabetical=alphabetical,
        query=query,
        total=total,
        counts=routing_counts(),
        empty=RoutingCounts(),
    )


@bp.get("/subjekty/<int:body_id>")
@requires(Action.view_plans)
def detail(body_id: int) -> ResponseReturnValue:
    """A body with its activities across plans, those it leads first (any signed-in user)."""
    body = db.session.scalar(
        select(Body).where(Body.id == body_id).options(joinedload(Body.parent), selectinload(Body.aliases))
    )
    if body is None:
        abort(404)
    links = list(
        db.session.scalars(
            select(ActivityBody)
            .join(ActivityBody.activity)
            .join(Activity.plan)
            .where(ActivityBody.body_id == body.id)
            .options(
                joinedload(ActivityBody.activity).joinedload(Activity.plan).joinedload(Plan.default_body),
                joinedload(ActivityBody.activity).selectinload(Activity.routing),
            )
            .order_by(
                case((ActivityBody.position == 0, 0), else_=1),
                czech(Plan.title),
                Plan.id,
                Activity.sort_key,
            )
        ).unique()
    )
    units = sorted_bodies(list(db.session.scalars(select(Body).where(Body.parent_id == body.id))))
    default_for = list(
        db.session.scalars(select(Plan).where(Plan.default_body_id == body.id).order_by(czech(Plan.title)))
    )
    lead = [link for link in links if link.position == 0]
    co = [link for link in links if link.position != 0]
    group = group_of(body.id) if body.kind == BodyKind.group.value else None
    return render_template(
        "bodies/detail.html", body=body, lead=lead, co=co, units=units, default_for=default_for, group=group
    )
