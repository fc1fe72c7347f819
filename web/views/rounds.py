"""Reporting rounds: list, create (then the routing preview), edit dates, include/exclude
activities and adjust routing, open, close, reopen, the dashboard, and deadline extensions."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forms.rounds import (
    ConfirmForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    InclusionForm,
    ReopenRoundForm,
    RoundDatesForm,
    RoundForm,
    RoutingForm,
    as_choices,
)
from web.extensions import cache, db
from web.landing import acting_bodies_today
from web.uow import confirm, fail, flash_form_errors, refusal_goes_to
from web.views.guards import requires
from workflow import clock
from workflow import rounds as svc
from workflow.collation import czech
from workflow.dashboards import body_state_counts, round_dashboard
from workflow.entries import decide_extension, request_extension
from workflow.errors import DomainError
from workflow.models import Body, DeadlineExtension, Plan, ReportingRound, plan_nodes
from workflow.models.changes import round_version
from workflow.permissions import Action, acting_body_ids, can
from workflow.round_transitions import apply_round_transition
from workflow.states import ENTRY_STATE_TITLES, EntryState, RoundState

bp = Blueprint("rounds", __name__)


def _round(round_id: int) -> ReportingRound:
    round_ = db.session.get(ReportingRound, round_id)
    if round_ is None:
        abort(404)
    return round_


@bp.get("/kola")
@requires(Action.view_rounds)
def index() -> ResponseReturnValue:
    """All rounds, newest period first, with their state and deadlines."""
    rounds = db.session.scalars(
        select(ReportingRound).order_by(ReportingRound.period_start.desc(), ReportingRound.id.desc())
    ).all()
    return render_template("rounds/index.html", rounds=rounds)


def _plan_choices() -> list[tuple[int, str]]:
    return [(p.id, p.title) for p in db.session.scalars(select(Plan).order_by(czech(Plan.title)))]


@bp.route("/kola/nove", methods=["GET", "POST"])
@requires(Action.manage_rounds)
def new() -> ResponseReturnValue:
    """Create a round; next comes the routing preview."""
    form = RoundForm()
    form.plan_id.choices = as_choices(_plan_choices())
    if request.method == "GET" and request.args.get("plan", "").isdigit():
        form.plan_id.data = int(request.args["plan"])
    if form.validate_on_submit():
        try:
            round_ = svc.create_round(
                form.plan_id.data,
                current_user,
                title=form.title.data or "",
                period_start=form.period_start.data,
                period_end=form.period_end.data,
                opens_on=form.opens_on.data,
                submission_deadline=form.submission_deadline.data,
                review_deadline=form.review_deadline.data,
            )
        except DomainError as exc:  # shown above the filled-in form; nothing is kept
            fail()
            flash(str(exc.message), "danger")
        else:
            confirm(_("Kolo bylo založeno. Zkontrolujte výběr aktivit a směrování a kolo otevřete."))
            return redirect(url_for(".routing", round_id=round_.id))
    return render_template("rounds/form.html", form=form, round=None), 200 if request.method == "GET" else 422


@bp.route("/kola/<int:round_id>/upravit", methods=["GET", "POST"])
@requires(Action.manage_rounds)
def edit(round_id: int) -> ResponseReturnValue:
    """Change the title and dates of a planned or open round."""
    round_ = _round(round_id)
    form = RoundDatesForm(obj=round_)
    if form.validate_on_submit():
        try:
            svc.update_round_dates(
                round_,
                current_user,
                period_start=form.period_start.data,
                period_end=form.period_end.data,
                opens_on=form.opens_on.data,
                submission_deadline=form.submission_deadline.data,
                review_deadline=form.review_deadline.data,
            )
        except DomainError as exc:  # shown above the filled-in form; nothing is kept
            fail()
            flash(str(exc.message), "danger")
        else:
            round_.title = (form.title.data or round_.title).strip()
            confirm(_("Kolo bylo upraveno."))
            return redirect(url_for(".detail", round_id=round_id))
    return render_template("rounds/form.html", form=form, round=round_)


@bp.get("/kola/<int:round_id>/smerovani")
@requires(Action.manage_rounds)
def routing(round_id: int) -> ResponseReturnValue:
    """The routing preview: each activity with its default inclusion and bodies (lead first),
    adjustable until the round opens; ``?upravit=<activity id>`` shows the body pickers of that
    activity (one at a time: pickers on every row would be activities × bodies options)."""
    round_ = _round(round_id)
    rows = svc.routing_preview(round_)
    edit_id = request.args.get("upravit", type=int)
    bodies = db.session.scalars(select(Body).order_by(czech(Body.abbreviation))).all() if edit_id else []
    # The plan's levels above each activity („A › A1“), its nodes read once (one statement).
    nodes = plan_nodes(round_.plan_id)
    paths = {row.activity.id: row.activity.lineage for row in rows}
    del nodes  # held while the lineages were read
    return render_template(
        "rounds/routing.html",
        round=round_,
        rows=rows,
        paths=paths,
        bodies=bodies,
        edit_id=edit_id,
        included=sum(1 for r in rows if r.inclusion.included),
        entries=sum(len(r.bodies) for r in rows if r.inclusion.included),
        confirm_form=ConfirmForm(),
        inclusion_form=InclusionForm(),
        routing_form=RoutingForm(),
    )


@bp.post("/kola/<int:round_id>/aktivity/<int:activity_id>/zahrnuti")
@requires(Action.manage_rounds)
def set_inclusion(round_id: int, activity_id: int) -> ResponseReturnValue:
    """Include or exclude one activity (with a reason when it departs from the default)."""
    round_ = _round(round_id)
    form = InclusionForm()
    back = url_for(".routing", round_id=round_id) + f"#aktivita-{activity_id}"
    refusal_goes_to(back)
    if form.validate():
        svc.set_inclusion(
            round_,
            activity_id,
            current_user,
            included=form.included.data == "1",
            reason=form.reason.data or "",
        )
        confirm(_("Výběr aktivity byl změněn."))
    else:
        flash(_("Vyberte, zda aktivitu zahrnout."), "danger")
    return redirect(back)


@bp.post("/kola/<int:round_id>/aktivity/<int:activity_id>/smerovani")
@requires(Action.manage_rounds)
def set_routing(round_id: int, activity_id: int) -> ResponseReturnValue:
    """Set the bodies of one activity in this round: the lead, then the others."""
    round_ = _round(round_id)
    form = RoutingForm()
    ids = db.session.scalars(select(Body.id)).all()
    form.lead.choices = as_choices((i, "") for i in ids)
    form.others.choices = as_choices((i, "") for i in ids)
    back = url_for(".routing", round_id=round_id) + f"#aktivita-{activity_id}"
    refusal_goes_to(back)
    if form.validate():
        svc.set_routing(
            round_,
            activity_id,
            [form.lead.data, *(form.others.data or [])],
            current_user,
            reason=form.reason.data or "",
            save_to_plan=bool(form.save_to_plan.data),
        )
        if form.save_to_plan.data:
            confirm(_("Směrování aktivity bylo změněno v kole i v plánu."))
        else:
            confirm(_("Směrování aktivity bylo změněno."))
    else:
        flash_form_errors(form)
    return redirect(back)


@bp.post("/kola/<int:round_id>/smerovani/z-planu")
@requires(Action.manage_rounds)
def rebuild_routing(round_id: int) -> ResponseReturnValue:
    """Build the round's routing again from the plan's current routing (groups expanded)."""
    round_ = _round(round_id)
    back = url_for(".routing", round_id=round_id)
    refusal_goes_to(back)
    if ConfirmForm().validate():
        count = svc.rebuild_routing(round_, current_user)
        confirm(_("Směrování kola bylo znovu převzato z plánu (%(count)s přiřazení).", count=count))
    return redirect(back)


@bp.post("/kola/<int:round_id>/otevrit")
@requires(Action.manage_rounds)
def open_(round_id: int) -> ResponseReturnValue:
    """Open the round: create its entries."""
    round_ = _round(round_id)
    if not ConfirmForm().validate():
        abort(400)
    refusal_goes_to(url_for(".detail", round_id=round_id))
    created = apply_round_transition(round_, "open", current_user)
    confirm(_("Kolo bylo otevřeno, počet vytvořených záznamů: {result}.").format(result=created))
    return redirect(url_for(".detail", round_id=round_id))


@bp.post("/kola/<int:round_id>/znovu-otevrit")
@requires(Action.reopen_round)
def reopen(round_id: int) -> ResponseReturnValue:
    """Reopen a closed round (administrator, with a reason); the one reopen URL of a round."""
    round_ = _round(round_id)
    back = request.form.get("next") or ""
    if not back.startswith("/") or back.startswith("//"):
        back = url_for(".detail", round_id=round_id)
    refusal_goes_to(back)
    form = ReopenRoundForm()
    if not form.validate():
        flash(_("Uveďte důvod znovuotevření."), "danger")
        return redirect(back)
    apply_round_transition(round_, "reopen", current_user, comment=form.reason.data or "")
    confirm(_("Kolo bylo znovu otevřeno."))
    return redirect(back)


@bp.get("/kola/<int:round_id>")
@requires(Action.view_rounds)
def detail(round_id: int) -> ResponseReturnValue:
    """The round page. The secretary (and admin) see the dashboard: counts per state per body
    and per area, overdue bodies, completeness and on-time rates, a chart; others see the counts
    of the entries they may see.

    The dashboard and, below it, the requests for a later deadline and the round's history are
    kept in the page cache under the round's change counter (bumped by every commit that changes
    the round, its entries, requests or history, see :mod:`workflow.models.changes`), the day
    (overdue counts move with it) and the language, for at most :data:`DASHBOARD_CACHE_SECONDS`
    (:func:`_staff_fragments`); a cache hit runs none of their six queries.
    """
    round_ = _round(round_id)
    today = clock.today()
    staff = can(current_user, Action.view_round_dashboard)
    can_manage = can(current_user, Action.manage_rounds)
    titles = {s.value: str(ENTRY_STATE_TITLES[s]) for s in EntryState}  # translated once per request
    own_bodies = acting_bodies_today(current_user)  # shared with the menu's has_tasks
    if staff:
        dashboard_html, history = _staff_fragments(round_, today, titles, can_manage=can_manage)
        mine = None
    else:
        dashboard_html, mine = None, body_state_counts(round_.id, current_user, today)
        extensions = [e for e in _extensions(round_) if e.body_id in own_bodies]
        history = Markup(  # nosec B704 # noqa: S704 - our own autoescaped template
            render_template(
                "rounds/_history.html", round=round_, extensions=extensions, events=[], can_manage=can_manage
            )
        )
    return render_template(
        "rounds/detail.html",
        round=round_,
        dashboard_html=dashboard_html,
        history=history,
        mine=mine,
        states=list(EntryState),
        titles=titles,
        today=today,
        reopen_form=ReopenRoundForm(),
        can_manage=can_manage,
        can_reopen=can(current_user, Action.reopen_round),
        can_request=bool(own_bodies) and round_.state == RoundState.open,
    )


def _extensions(round_: ReportingRound) -> list[DeadlineExtension]:
    """The round's requests for a later deadline, newest first, with their bodies (one query)."""
    return list(
        db.session.scalars(
            select(DeadlineExtension)
            .where(DeadlineExtension.round_id == round_.id)
            .order_by(DeadlineExtension.id.desc())
            .options(joinedload(DeadlineExtension.body))
        )
    )


#: Longest life of a cached dashboard fragment, in seconds (also bounded by ``PAGE_CACHE_SECONDS``).
#: Entry and round changes give a new key at once; this bounds how long a renamed body or area
#: keeps its old name on the dashboard.
DASHBOARD_CACHE_SECONDS = 3600


def _staff_fragments(
    round_: ReportingRound, today: date, titles: dict[str, str], *, can_manage: bool
) -> tuple[Markup, Markup]:
    """The secretary's parts of the round page, rendered: the dashboard of ``round_`` on ``today``
    and the requests for a later deadline with the round's history (``can_manage``: with the
    buttons to decide them). From the page cache, else rendered (the dashboard's four queries,
    :func:`workflow.dashboards.round_dashboard`, the requests and the history: two more) and cached.

    Keyed by the round's change counter, which every commit that changes the round, its entries,
    its requests or its history bumps (:mod:`workflow.models.changes`), the day (overdue counts
    move with it), the language and ``can_manage``.
    """
    # names shown come from the reference data: DASHBOARD_CACHE_SECONDS bounds how long they may be old
    version = round_version(round_.id, round_.created_at, round_.change_counter, with_reference=False)
    key = f"round-dashboard:{version}:{today.isoformat()}:{get_locale()}:{int(can_manage)}"
    found = cache.get(key) if version is not None else None
    if not (isinstance(found, tuple) and len(found) == 2):
        found = (
            render_template(
                "rounds/dashboard.html",
                round=round_,
                dashboard=round_dashboard(round_.id, today),
                states=list(EntryState),
                titles=titles,
            ),
            render_template(
                "rounds/_history.html",
                round=round_,
                extensions=_extensions(round_),
                events=svc.round_events(round_),
                can_manage=can_manage,
            ),
        )
        seconds = current_app.config.get("PAGE_CACHE_SECONDS") or DASHBOARD_CACHE_SECONDS
        if version is not None:
            cache.set(key, found, timeout=min(seconds, DASHBOARD_CACHE_SECONDS))
    # our own autoescaped templates
    return Markup(found[0]), Markup(found[1])  # nosec B704 # noqa: S704


@bp.route("/kola/<int:round_id>/prodlouzeni", methods=["GET", "POST"])
@login_required
def extensions(round_id: int) -> ResponseReturnValue:
    """A body's request for a later deadline (form and submission)."""
    round_ = _round(round_id)
    today = clock.today()
    own = acting_body_ids(current_user, today)
    if not own:
        abort(403)
    form = ExtensionRequestForm()
    form.body_id.choices = as_choices(
        (b.id, b.label)
        for b in db.session.scalars(
            select(Body).where(Body.id.in_(sorted(own))).order_by(czech(Body.abbreviation))
        )
    )
    if form.validate_on_submit():
        try:
            request_extension(
                round_,
                form.body_id.data,
                current_user,
                reason=form.reason.data or "",
                until=form.requested_until.data,
            )
        except DomainError as exc:  # shown above the filled-in form; nothing is kept
            fail()
            flash(str(exc.message), "danger")
        else:
            confirm(_("Žádost o prodloužení termínu byla odeslána tajemníkovi."))
            return redirect(url_for(".detail", round_id=round_id) + "#prodlouzeni")
    return render_template("rounds/extension_request.html", round=round_, form=form)


@bp.route("/kola/<int:round_id>/prodlouzeni/<int:extension_id>", methods=["GET", "POST"])
@requires(Action.manage_rounds)
def decide(round_id: int, extension_id: int) -> ResponseReturnValue:
    """The secretary grants (new date for the body's entries) or refuses a request."""
    round_ = _round(round_id)
    ext = db.session.get(DeadlineExtension, extension_id)
    if ext is None or ext.round_id != round_.id:
        abort(404)
    form = ExtensionDecisionForm(granted_until=ext.requested_until)
    if form.validate_on_submit():
        try:
            changed = decide_extension(
                ext,
                current_user,
                grant=form.decision.data == "grant",
                until=form.granted_until.data,
                comment=form.comment.data or "",
            )
        except DomainError as exc:  # shown above the filled-in form; nothing is kept
            fail()
            flash(str(exc.message), "danger")
        else:
            if ext.status == "granted":
                confirm(
                    _("Prodloužení bylo povoleno, nový termín platí pro %(n)s záznamů subjektu.", n=changed)
                )
            else:
                confirm(_("Žádost byla zamítnuta."))
            return redirect(url_for(".detail", round_id=round_id) + "#prodlouzeni")
    return render_template("rounds/extension_decide.html", round=round_, ext=ext, form=form)
