"""JSON read API of reporting rounds (``/api/v1/rounds…``), documented in ``web/openapi.yaml``.

Same conventions as :mod:`web.views.api`: the session or ``Authorization: Bearer <token>``;
**401 JSON** when unauthenticated. Everything is narrowed to what the caller may see
(:func:`workflow.permissions.entry_visibility_clause`): contributors their bodies' entries,
reviewers their scope, the commission approved entries, secretary and admin everything. A round
that does not exist is 404 JSON.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from web.extensions import cache, csrf, db
from web.views.api import _authenticate, json_error, json_response, page_args, paging_json
from workflow import clock
from workflow.dashboards import body_state_counts, round_entries
from workflow.models import Entry, ReportingRound
from workflow.models.changes import reference_generation, round_version
from workflow.permissions import entry_visibility_clause
from workflow.states import EntryState

bp = Blueprint("api_rounds", __name__, url_prefix="/api/v1/rounds")
csrf.exempt(bp)
bp.before_request(_authenticate)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _counts(by_state: dict[str, int]) -> dict[str, int]:
    counts = {s.value: int(by_state.get(s.value, 0)) for s in EntryState}
    counts["total"] = sum(counts.values())
    return counts


def round_json(round_: Any, by_state: dict[str, int]) -> dict[str, Any]:
    """A round (an entity, or a row of :data:`ROUND_COLUMNS`) as the ``Round`` schema; ``counts``
    only of the entries the caller may see."""
    return {
        "id": round_.id,
        "plan_id": round_.plan_id,
        "title": round_.title,
        "state": round_.state,
        "imported": bool(round_.imported),
        "period_start": _iso(round_.period_start),
        "period_end": _iso(round_.period_end),
        "opens_on": _iso(round_.opens_on),
        "submission_deadline": _iso(round_.submission_deadline),
        "review_deadline": _iso(round_.review_deadline),
        "counts": _counts(by_state),
    }


#: The columns of a round in the list (:func:`list_rounds`); the names of the ``Round`` schema.
ROUND_COLUMNS = (
    ReportingRound.id,
    ReportingRound.plan_id,
    ReportingRound.title,
    ReportingRound.state,
    ReportingRound.imported,
    ReportingRound.period_start,
    ReportingRound.period_end,
    ReportingRound.opens_on,
    ReportingRound.submission_deadline,
    ReportingRound.review_deadline,
)


@bp.get("")
def list_rounds() -> ResponseReturnValue:
    """Rounds, newest period first, with counts per entry state, a page at a time (``?page=1``,
    ``?per_page=`` up to :data:`web.views.api.MAX_PER_PAGE`); three statements whatever the number
    of rounds and entries."""
    paging = page_args()
    if isinstance(paging, Response):
        return paging
    page, per_page = paging
    today = clock.today()
    total = db.session.scalar(select(func.count()).select_from(ReportingRound)) or 0
    rounds = db.session.execute(
        select(*ROUND_COLUMNS)
        .order_by(ReportingRound.period_start.desc(), ReportingRound.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for round_id, state, n in db.session.execute(
        select(Entry.round_id, Entry.state, func.count())
        .join(ReportingRound, ReportingRound.id == Entry.round_id)
        .where(Entry.round_id.in_([r.id for r in rounds]), entry_visibility_clause(current_user, today))
        .group_by(Entry.round_id, Entry.state)
    ):
        counts.setdefault(round_id, {})[state] = n
    return json_response({
        **paging_json(".list_rounds", page, per_page, total),
        "rounds": [round_json(r, counts.get(r.id, {})) for r in rounds],
    })


def _get_round(round_id: int) -> ReportingRound | None:
    return db.session.get(ReportingRound, round_id)


@bp.get("/<int:round_id>")
def get_round(round_id: int) -> ResponseReturnValue:
    """One round: state, dates, counts per entry state, and the same per body."""
    round_ = _get_round(round_id)
    if round_ is None:
        return json_error(404, _("Kolo s tímto identifikátorem neexistuje."))
    today = clock.today()
    per_body = body_state_counts(round_.id, current_user, today)
    total: dict[str, int] = {}
    for _body, by_state in per_body:
        for state, n in by_state.items():
            total[state] = total.get(state, 0) + n
    data = round_json(round_, total)
    data["bodies"] = [
        {"body": body.abbreviation, "name": body.name, "counts": _counts(by_state)}
        for body, by_state in per_body
    ]
    return json_response(data)


@bp.get("/<int:round_id>/entries")
def list_entries(round_id: int) -> ResponseReturnValue:
    """The round's entries the caller may see, in plan order, a page at a time (``?page=1``,
    ``?per_page=`` up to :data:`web.views.api.MAX_PER_PAGE`; ``next`` is the URL of the next page
    or ``null``)."""
    found = db.session.execute(
        select(ReportingRound, reference_generation()).where(ReportingRound.id == round_id)
    ).first()
    if found is None:
        return json_error(404, _("Kolo s tímto identifikátorem neexistuje."))
    round_, generation = found
    paging = page_args()
    if isinstance(paging, Response):
        return paging
    page, per_page = paging
    version = round_version(round_.id, round_.created_at, round_.change_counter, generation)
    entries, total = round_entries(
        round_.id, current_user, clock.today(), limit=per_page, offset=(page - 1) * per_page,
        cache=cache, round_version=version,
    )
    return json_response(
        {
            "round_id": round_.id,
            **paging_json(".list_entries", page, per_page, total, round_id=round_.id),
            "entries": [
                {
                    "id": e.id,
                    "activity_code": e.activity_code,
                    "body": e.body,
                    "state": e.state,
                    "fulfilment_status": e.fulfilment_status,
                    "text": e.text or "",
                    "updated_at": e.updated_at.isoformat() if e.updated_at else None,
                }
                for e in entries
            ],
        }
    )
