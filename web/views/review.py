"""The review: the reviewer's queue with filters, the review page (this year against last year,
comments, return, approve, assessment) and bulk approval with a confirmation stating the count."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from forms.entries import TransitionForm
from forms.review import AssessmentForm, BulkApproveForm, QueueFilterForm
from forms.rounds import as_choices
from web.extensions import cache, db
from web.filters import czech_date, czech_datetime
from web.uow import confirm, refusal_goes_to
from web.views.entries import entry_state_badge, entry_state_title, load_entry
from web.views.guards import requires
from workflow import clock
from workflow import entries as svc
from workflow.collation import czech
from workflow.dashboards import (
    OPEN_STATES,
    QueueFilter,
    review_queue,
    review_queue_ids,
    review_queue_page,
)
from workflow.level_labels import AreaLabels, area_group, area_labels, top_level_name
from workflow.models import Body, Entry, Plan, PlanNode, ReportingRound, RoundChangeSlot
from workflow.models.changes import reference_generation
from workflow.permissions import Action, approves_entries, can_view_internal, review_queue_scope
from workflow.states import EntryState, RoundState
from workflow.transitions import Actor, acting_as, allowed_transitions

bp = Blueprint("review", __name__)
#: Entries per page of the queue (the bulk approval still takes every entry the filters match).
QUEUE_PAGE_SIZE = 50


@dataclass(frozen=True)
class PlanAreas:
    """A plan's areas (its top-level nodes) in the queue's area filter."""

    title: str
    #: the name of the plan's top level (:func:`workflow.level_labels.top_level_name`)
    level: str
    ids: frozenset[int]
    #: the ``<option>`` elements, rendered once (without a selection)
    options: str


@dataclass(frozen=True)
class QueueChoices:
    """The round, body and area choices of the queue's filters: the valid ids per field and the
    ``<option>`` elements rendered once (without the „all“ option and without a selection); the
    areas per plan (:class:`PlanAreas`, only plans with areas, in plan order) and each round's plan."""

    ids: dict[str, frozenset[int]]
    options: dict[str, str]
    round_plans: dict[int, int]
    plans: dict[int, PlanAreas]

    def select(self, name: str, selected: int, everything: str) -> Markup:
        """The options of field ``name`` (round or body) with the „all“ option (label
        ``everything``, value 0) and ``selected`` marked as WTForms marks it."""
        return _all_option(selected, everything) + _selected(self.options[name], selected)

    def area_plans(self, round_id: int) -> list[PlanAreas]:
        """The plans whose areas the area filter offers when round ``round_id`` is chosen: the
        round's plan (none when it has no areas: a flat plan), every plan with areas for all rounds
        (``0``)."""
        if round_id:
            plan = self.plans.get(self.round_plans.get(round_id, 0))
            return [plan] if plan else []
        return list(self.plans.values())

    def select_area(self, plans: list[PlanAreas], selected: int, labels: AreaLabels) -> Markup:
        """The area filter's options: the „all“ option (:attr:`AreaLabels.everything`), then the
        areas of ``plans``, under an option group per plan when there are several
        (:func:`workflow.level_labels.area_group`); ``selected`` marked as WTForms marks it."""
        html = _all_option(selected, labels.everything)
        for plan in plans:
            options = _selected(plan.options, selected if selected in plan.ids else 0)
            if len(plans) > 1:
                group = area_group(plan.title, plan.level, labels)
                options = Markup('<optgroup label="{}">').format(group) + options + Markup("</optgroup>")
            html += options
        return html


def _all_option(selected: int, everything: str) -> Markup:
    mark = Markup("selected ") if not selected else ""
    return Markup('<option {}value="0">{}</option>').format(mark, everything)


def _selected(html: str, selected: int) -> Markup:
    """``<option>`` elements built from escaped labels in :func:`_load_choices`, ``selected`` marked."""
    if selected:
        html = html.replace(f'<option value="{selected}">', f'<option selected value="{selected}">', 1)
    return Markup(html)  # nosec B704 # noqa: S704 - built from escaped labels in _load_choices


class QueueKeys(NamedTuple):
    """What the queue's caches are keyed by, read in one statement (:func:`_queue_keys`)."""

    #: the reference generation (:func:`workflow.models.changes.reference_generation`, renewed by
    #: every commit that changes a round, body or the plan's structure); ``None``: do not cache
    generation: str | None
    #: the newest open round (the default filter)
    open_round: int | None
    #: the sum of every round's change counter (:attr:`ReportingRound.change_counter`), summed
    #: straight from their slots (:class:`RoundChangeSlot`): the counters only grow, so any
    #: change of any round's entries gives a new sum
    changes: int


def _queue_keys() -> QueueKeys:
    """:class:`QueueKeys` now: one statement."""
    found = db.session.execute(_QUEUE_KEYS).one()
    return QueueKeys(found[0], found[1], int(found[2]))


#: :func:`_queue_keys`' statement, built once (its cache key then computed once).
_QUEUE_KEYS = select(
    reference_generation(),
    select(ReportingRound.id)
    .where(ReportingRound.imported.is_(False), ReportingRound.state == RoundState.open)
    .order_by(ReportingRound.period_start.desc(), ReportingRound.id.desc())
    .limit(1)
    .scalar_subquery(),
    select(func.coalesce(func.sum(RoundChangeSlot.counter), 0)).scalar_subquery(),
)


def _options(pairs: list[tuple[int, str]]) -> str:
    return "".join(f'<option value="{i}">{escape(label)}</option>' for i, label in pairs)


def _load_choices() -> QueueChoices:
    rounds = db.session.execute(
        select(ReportingRound.id, ReportingRound.title, ReportingRound.plan_id)
        .where(ReportingRound.imported.is_(False))
        .order_by(ReportingRound.period_start.desc())
    ).all()
    bodies = db.session.execute(select(Body.id, Body.abbreviation).order_by(czech(Body.abbreviation))).all()
    areas = db.session.execute(
        # Areas: the top level of every plan (okruhy of the shipped plan), with the plan's names.
        select(PlanNode.id, PlanNode.code, PlanNode.title, PlanNode.plan_id, Plan.title.label("plan"),
               Plan.level_names)
        .join(Plan, Plan.id == PlanNode.plan_id)
        .where(PlanNode.depth == 0)
        .order_by(Plan.id, PlanNode.position)
    ).all()
    pairs = {
        "round": [(r.id, r.title) for r in rounds],
        "body": [(b.id, b.abbreviation) for b in bodies],
    }
    by_plan: dict[int, list[Any]] = {}
    for a in areas:
        by_plan.setdefault(a.plan_id, []).append(a)
    return QueueChoices(
        ids={name: frozenset(i for i, _label in values) for name, values in pairs.items()},
        options={name: _options(values) for name, values in pairs.items()},
        round_plans={r.id: r.plan_id for r in rounds},
        plans={
            plan_id: PlanAreas(
                title=nodes[0].plan,
                level=top_level_name(nodes[0].level_names),
                ids=frozenset(a.id for a in nodes),
                options=_options([(a.id, f"{a.code} – {a.title}") for a in nodes]),
            )
            for plan_id, nodes in by_plan.items()
        },
    )


def queue_choices() -> tuple[QueueChoices, QueueKeys]:
    """The filter choices (from the page cache when unchanged) and the queue's cache keys.

    One statement (the keys) and one cache read when cached; four statements when not. The key is
    the reference generation, so a commit that changes a round, body, area or plan gives a new one
    (and the version of :class:`QueueChoices`' shape: 2, the areas per plan)."""
    keys = _queue_keys()
    key = f"queue-choices:2:{keys.generation}"
    choices = cache.get(key) if keys.generation else None
    if not isinstance(choices, QueueChoices):
        choices = _load_choices()
        if keys.generation:
            cache.set(key, choices)
    return choices, keys


class QueueForm(NamedTuple):
    """The queue's filters as asked (:func:`_filter_form`) with what they are chosen from."""

    form: QueueFilterForm
    choices: QueueChoices
    keys: QueueKeys
    #: the plans whose areas the area filter offers (:meth:`QueueChoices.area_plans`)
    area_plans: list[PlanAreas]
    #: the area filter's and column's words; ``None``: no area filter and no column (flat plans)
    area_labels: AreaLabels | None


def _filter_form() -> QueueForm:
    """The filter form of the request's arguments; a round, body or area it does not offer (an
    area of another plan than the chosen round's) is taken as „all“."""
    form = QueueFilterForm(request.args)
    choices, keys = queue_choices()
    for field in (form.round, form.body):
        if field.data is None or field.data not in choices.ids[field.name]:
            field.data = 0  # absent, or naming no round or body (e.g. a 30-digit number)
    if "round" not in request.args:
        form.round.data = keys.open_round or 0
    plans = choices.area_plans(form.round.data)
    if form.area.data is None or not any(form.area.data in plan.ids for plan in plans):
        form.area.data = 0  # absent, or naming no area of the plans offered
    return QueueForm(form, choices, keys, plans, area_labels(plan.level for plan in plans))


def _filters(form: QueueFilterForm) -> QueueFilter:
    return QueueFilter(
        round_id=form.round.data or None,
        state=form.state_filter(),
        body_id=form.body.data or None,
        area_id=form.area.data or None,
        overdue=bool(form.overdue.data),
        query=(form.q.data or "").strip()[:200],
    )


@bp.get("/kontrola")
@requires(Action.review_entries)
def queue() -> ResponseReturnValue:
    """The reviewer's queue within their scope: filters by round, state, body, area and overdue;
    sorted by deadline, then submission time; :data:`QUEUE_PAGE_SIZE` entries a page (``?strana=``)."""
    form, choices, keys, plans, labels = _filter_form()
    filters, today = _filters(form), clock.today()
    asked = min(max(1, request.args.get("strana", 1, type=int) or 1), 10**6)
    query = urlencode(
        {
            "round": form.round.data or 0,
            "state": form.state.data or "",
            "body": form.body.data or 0,
            "area": form.area.data or 0,
            **({"overdue": "y"} if form.overdue.data else {}),
            **({"q": form.q.data} if form.q.data else {}),
        }
    )
    options = {
        "round": choices.select("round", form.round.data, _("Všechna kola")),
        "body": choices.select("body", form.body.data, _("Všechny subjekty")),
    }
    if labels is not None:
        options["area"] = choices.select_area(plans, form.area.data, labels)
    selectable = form.state_filter() == EntryState.submitted and approves_entries(current_user)
    rows, total, page = _queue_table(
        keys, filters, today, asked, query=query, selectable=selectable, area_column=labels is not None
    )
    pages = max(1, (total + QUEUE_PAGE_SIZE - 1) // QUEUE_PAGE_SIZE)
    return render_template(
        "review/queue.html", form=form, options=options, rows=rows, selectable=selectable,
        area_labels=labels, bulk_form=BulkApproveForm(), query=query, total=total, page=page, pages=pages,
    )


#: Longest life of a cached page of the queue, in seconds (also bounded by ``PAGE_CACHE_SECONDS``).
#: Entry and round changes give a new key at once; this bounds how long a renamed body keeps its
#: old name there.
QUEUE_CACHE_SECONDS = 3600


def _queue_table(
    keys: QueueKeys, filters: QueueFilter, today: date, asked: int, *, query: str, selectable: bool,
    area_column: bool,
) -> tuple[Markup, int, int]:
    """The rows of page ``asked`` of the current user's queue, rendered, with the number of entries
    matching and the page shown (:func:`workflow.dashboards.review_queue_page`); ``area_column``:
    with the cell of the area column (none when the plans shown have no level above the activity;
    the column's header is the page's, :attr:`QueueForm.area_labels`).

    From the page cache when nothing it shows can have changed: the key holds every round's change
    counter and the reference generation (:class:`QueueKeys`), the user's review scope
    (:func:`workflow.permissions.review_queue_scope`; reviewers of the same scope share a page),
    the filters and page (``query``, ``asked``), the area column, the day (what is overdue) and the
    locale. Else one statement, and the rows are rendered and cached.
    """
    key = None
    if keys.generation:
        parts = (
            keys.generation, keys.changes, today.isoformat(), str(get_locale()),
            review_queue_scope(current_user), selectable, area_column, query, asked, QUEUE_PAGE_SIZE,
        )
        key = "review-queue:" + hashlib.sha256(repr(parts).encode()).hexdigest()
        found = cache.get(key)
        if isinstance(found, tuple) and len(found) == 3:
            return Markup(found[0]), found[1], found[2]  # nosec B704 # noqa: S704 - rendered below
    entries, total, page = review_queue_page(
        current_user, filters, today, page=asked, per_page=QUEUE_PAGE_SIZE
    )
    html = render_template(
        "review/_queue_rows.html", entries=queue_rows(entries, today), selectable=selectable,
        area_column=area_column, query=query,
    )
    if key is not None:
        seconds = current_app.config.get("PAGE_CACHE_SECONDS") or QUEUE_CACHE_SECONDS
        cache.set(key, (html, total, page), timeout=min(seconds, QUEUE_CACHE_SECONDS))
    return Markup(html), total, page  # nosec B704 # noqa: S704 - our own autoescaped template


@dataclass(frozen=True, slots=True)
class QueueRow:
    """A row of the queue page with its labels ready: the template only places strings."""

    id: int
    activity_code: str
    body: str
    area_code: str | None
    area_title: str | None
    state_title: str
    state_badge: str
    fulfilment: str
    due: str
    late: bool
    submitted: str
    pick: str


def queue_rows(rows: list[Any], today: date) -> list[QueueRow]:
    """The labels of the queue's ``rows`` (:func:`workflow.dashboards.review_queue_page`): state
    titles, fulfilment titles and deadlines translated or formatted once per distinct value, not
    once per row; ``late``: an answer still owed after its deadline."""
    states = {s: (entry_state_title(s), entry_state_badge(s)) for s in {r.state for r in rows}}
    fulfilment = {f: svc.fulfilment_title(f) or "—" for f in {r.fulfilment_status for r in rows}}
    dues = {d: czech_date(d) or "—" for d in {r.due for r in rows}}
    pick = _("Vybrat %(a)s · %(b)s")
    owed = {s.value for s in OPEN_STATES}
    return [
        QueueRow(
            id=r.id,
            activity_code=r.activity_code,
            body=r.body,
            area_code=r.area_code,
            area_title=r.area_title,
            state_title=states[r.state][0],
            state_badge=states[r.state][1],
            fulfilment=fulfilment[r.fulfilment_status],
            due=dues[r.due],
            late=r.due is not None and r.due < today and r.state in owed,
            submitted=czech_datetime(r.submitted_at) or "—",
            pick=pick % {"a": r.activity_code, "b": r.body},
        )
        for r in rows
    ]


@bp.get("/kontrola/<int:entry_id>")
@requires(Action.review_entries)
def entry(entry_id: int) -> ResponseReturnValue:
    """The review page: this year's answer against last year's (word diff), the thread with
    internal comments, return with reason, approve, and the assessment."""
    item = load_entry(entry_id)
    as_of = acting_as(current_user, item)
    if not as_of.kinds & {Actor.reviewer, Actor.secretary}:
        abort(403)
    previous = svc.previous_answer(item)
    return render_template(
        "review/entry.html",
        entry=item,
        queue_query=queue_query_of(request.args),
        previous=previous,
        diff=svc.word_diff(previous.text if previous else "", item.text or ""),
        transitions=allowed_transitions(item, current_user, as_of=as_of),
        transition_form=TransitionForm(version=item.version),
        comments=svc.visible_comments(item, current_user),
        can_internal=can_view_internal(current_user, item),
        can_assess=Actor.reviewer in as_of.kinds and item.round.is_open,
        assessment_form=AssessmentForm(assessment=item.assessment, public=item.assessment_public),
    )


@bp.post("/kontrola/<int:entry_id>/hodnoceni")
@requires(Action.review_entries)
def assessment(entry_id: int) -> ResponseReturnValue:
    """Save „Komentář hodnotitele“ (internal or published)."""
    item = load_entry(entry_id)
    refusal_goes_to(url_for(".entry", entry_id=entry_id))
    form = AssessmentForm()
    if not form.validate():
        flash(_("Komentář hodnotitele je příliš dlouhý."), "danger")
    else:
        svc.set_assessment(item, current_user, form.assessment.data or "", public=bool(form.public.data))
        confirm(_("Komentář hodnotitele byl uložen."))
    return redirect(url_for(".entry", entry_id=entry_id))


@bp.post("/kontrola/hromadne-schvaleni")
@requires(Action.review_entries)
def bulk_approve() -> ResponseReturnValue:
    """Bulk approval of the filtered queue. First POST: a confirmation page stating the count
    (only entries now approvable by the user are counted); second POST (``confirmed``): approve
    each with the same checks as one by one and report what was refused."""
    form = BulkApproveForm()
    if not form.validate():
        abort(400)
    if form.confirmed.data != "1":
        filter_form = _filter_form_from(request.form.get("query", ""))
        picked = request.form.getlist("selected", type=int) if request.form.get("only_selected") else None
        candidates, approvable = approvable_in_queue(_filters(filter_form), selected=picked)
        return render_template(
            "review/bulk_confirm.html",
            entries=approvable,
            form=form,
            skipped=len(candidates) - len(approvable),
            query=request.form.get("query", ""),
        )
    ids = [int(x) for x in (form.entry_ids.data or "").split(",") if x.strip().isdigit()]
    result = svc.bulk_approve(ids, current_user)
    if result.approved:
        confirm(_("Počet schválených záznamů: %(num)d.", num=len(result.approved)))
    for refused, message in result.refused:
        confirm(f"{refused.activity.code} / {refused.body.abbreviation}: {message}", "warning")
    if result.unknown:
        confirm(_("Počet záznamů, které nelze schválit, protože neexistují nebo k nim nemáte přístup: "
                  "%(num)d.", num=result.unknown), "warning")
    return redirect(url_for(".queue") + "?" + request.form.get("query", ""))


def _filter_form_from(query: str) -> QueueFilterForm:
    with_args = MultiDict(parse_qsl(query))
    form = QueueFilterForm(with_args)
    form.round.choices = as_choices(
        [(0, "")] + [(r, "") for r in db.session.scalars(select(ReportingRound.id))]
    )
    form.body.choices = as_choices([(0, "")] + [(b, "") for b in db.session.scalars(select(Body.id))])
    areas = db.session.scalars(select(PlanNode.id).where(PlanNode.depth == 0))
    form.area.choices = as_choices([(0, "")] + [(a, "") for a in areas])
    for field in (form.round, form.body, form.area):
        if field.data is None or field.data not in {choice.value for choice in field.choices}:
            field.data = 0  # absent, or naming no round, body or area (e.g. a 30-digit number)
    return form


#: The queue's filter parameters a review page carries along (for „Schválit a další“).
QUEUE_PARAMS = ("round", "state", "body", "area", "overdue", "q")


def queue_query_of(args: Any) -> str:
    """The queue's filters in ``args`` as a query string (``round=1&body=2``; empty when none)."""
    return urlencode([(k, args.get(k)) for k in QUEUE_PARAMS if args.get(k) not in (None, "")])


def approvable_in_queue(
    filters: QueueFilter, *, selected: list[int] | None = None
) -> tuple[list[Entry], list[Entry]]:
    """The entries of the filtered queue (only the ``selected`` ids of it, when a list is given:
    an empty list selects nothing) and those of them the current user may approve now.

    :returns: ``(candidates, approvable)``; the ids in ``selected`` outside the queue are ignored.
    """
    candidates = review_queue(current_user, filters, clock.today())
    if selected is not None:
        wanted = set(selected)
        candidates = [e for e in candidates if e.id in wanted]
    approvable = [
        e for e in candidates if any(t.name == "approve" for t in allowed_transitions(e, current_user))
    ]
    return candidates, approvable


def next_in_queue(after_id: int, filters: QueueFilter) -> int | None:
    """The id of the entry after ``after_id`` in the filtered queue (the first one, when ``after_id``
    has left it, e.g. by its approval), or ``None`` when the queue has nothing else."""
    ids = review_queue_ids(current_user, filters, clock.today())
    if after_id in ids:
        rest = ids[ids.index(after_id) + 1 :]
        return rest[0] if rest else None
    return ids[0] if ids else None


@bp.get("/kontrola/<int:entry_id>/dalsi")
@requires(Action.review_entries)
def next_entry(entry_id: int) -> ResponseReturnValue:
    """Where „Schválit a další“ leads: the next entry of the same filtered queue (``?round=…``), or
    the queue when none is left. If the entry was not approved (the approval was refused), its own
    review page again, with the reason flashed."""
    item = load_entry(entry_id)
    query = queue_query_of(request.args)
    if item.state == EntryState.submitted:
        return redirect(url_for(".entry", entry_id=entry_id) + ("?" + query if query else ""))
    following = next_in_queue(entry_id, _filters(_filter_form().form))
    if following is None:
        flash(_("Ve vyfiltrované frontě už nic dalšího ke kontrole není."), "info")
        return redirect(url_for(".queue") + ("?" + query if query else ""))
    return redirect(url_for(".entry", entry_id=following) + ("?" + query if query else ""))
