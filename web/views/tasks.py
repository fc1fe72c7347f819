"""„Moje úkoly“: the contributor's entries in open rounds — own bodies and bodies deputised for
today — with state, deadline countdown and progress, nearest deadline first; search and filters by
state, deadline and area; :data:`TASKS_PAGE_SIZE` entries a page (``?strana=``)."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import date

from flask import Blueprint, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from forms.rounds import as_choices, as_grouped_choices
from forms.tasks import TaskFilterForm
from web.extensions import cache
from web.views.entries import entry_state_badge, entry_state_title
from web.views.guards import requires
from workflow import clock
from workflow.dashboards import OPEN_STATES, TaskFilter
from workflow.level_labels import AreaLabels, area_group, area_labels
from workflow.my_tasks import AreaPlan, TaskList, task_list, task_page
from workflow.permissions import Action, deputised_body_ids, member_body_ids
from workflow.states import EntryState

bp = Blueprint("tasks", __name__)
#: Entries per page of „Moje úkoly“ (a body with 1,500 entries costs the same per page as one with 40).
TASKS_PAGE_SIZE = 50


def area_choices(form: TaskFilterForm, plans: list[AreaPlan]) -> AreaLabels | None:
    """Fill the area filter of ``form`` with the areas of ``plans``, named by the rule of
    :func:`workflow.level_labels.area_labels`: the plans' own top level („Okruh“, „Všechny okruhy“)
    or the neutral one with an option group per plan.

    :returns: the labels; ``None`` when no plan has a level above the activity (the filter is then
        not shown and takes no area).
    """
    labels = area_labels(plan.level for plan in plans)
    if labels is None:
        form.area.choices = as_choices([(0, "")])
        return None
    form.area.label.text = labels.name
    everything = (0, labels.everything)
    if len(plans) == 1:
        form.area.choices = as_choices([everything, *plans[0].areas])
    else:
        form.area.choices = as_grouped_choices(
            everything, ((area_group(plan.title, plan.level, labels), plan.areas) for plan in plans)
        )
    return labels


@bp.get("/moje-ukoly")
@requires(Action.fill_entries)
def index() -> ResponseReturnValue:
    """The task list, grouped by round and body, narrowed by the filters of
    ``?q=&state=&deadline=&area=``, a page at a time (``?strana=``)."""
    today = clock.today()
    deputised = deputised_body_ids(current_user, today)
    tasks = task_list(member_body_ids(current_user) | set(deputised), cache)
    groups = tasks.groups
    form = TaskFilterForm(request.args)
    areas = area_choices(form, tasks.area_plans)
    filters = form.filters() if form.validate() else TaskFilter()
    asked = request.args.get("strana", 1, type=int) or 1
    return render_template(
        "tasks/index.html",
        groups_html=_groups(tasks, filters, today, deputised, asked),
        has_any=bool(groups),
        form=form,
        area_labels=areas,
        today=today,
    )


#: Longest life of a cached page of „Moje úkoly“, in seconds (also bounded by
#: ``PAGE_CACHE_SECONDS``): entry, round and plan changes give a new key at once.
TASKS_CACHE_SECONDS = 3600


def _groups(
    tasks: TaskList, filters: TaskFilter, today: date, deputised: Collection[int], asked: int
) -> Markup:
    """The groups of page ``asked`` with their entries, the count and the pager, rendered
    (``tasks/_groups.html``; :func:`workflow.my_tasks.task_page` reads the page's entries).

    From the page cache when nothing shown can have changed: the key holds the open rounds' change
    counters and the reference generation (:attr:`TaskList.version`), the user's groups (their
    rounds and bodies, which bodies are deputised today), the query string (the filters and the
    pager's links), the page, the day (the countdowns) and the locale. Without a version (no
    reference generation yet) the groups are rendered every time.
    """
    key = None
    if tasks.version:
        parts = (
            tasks.version, [g.key for g in tasks.groups], sorted(deputised), today.isoformat(),
            str(get_locale()), sorted(request.args.items(multi=True)), asked, TASKS_PAGE_SIZE,
        )
        key = "my-tasks-page:" + hashlib.sha256(repr(parts).encode()).hexdigest()
        found = cache.get(key)
        if isinstance(found, str):
            return Markup(found)  # nosec B704 # noqa: S704 - rendered below from our own template
    groups = tasks.groups
    total, page = task_page(groups, filters, today, page=asked, per_page=TASKS_PAGE_SIZE)
    labels = {  # translated once per request, not once per row
        "states": {s.value: entry_state_title(s.value) for s in EntryState},
        "badges": {s.value: entry_state_badge(s.value) for s in EntryState},
        "actions": {
            s.value: _("Vyplnit") if s == EntryState.not_started
            else _("Pokračovat") if s in OPEN_STATES else _("Zobrazit")
            for s in EntryState
        },
        "extended": _("prodlouženo"),
        "entry_url": url_for("entries.detail", entry_id=0).removesuffix("0"),
    }
    html = render_template(
        "tasks/_groups.html",
        labels=labels,
        groups=[g for g in groups if g.shown],
        has_any=bool(groups),
        deputised=deputised,
        total=total,
        page=page,
        pages=max(1, -(-total // TASKS_PAGE_SIZE)),
    )
    if key is not None:
        seconds = current_app.config.get("PAGE_CACHE_SECONDS") or TASKS_CACHE_SECONDS
        cache.set(key, html, timeout=min(seconds, TASKS_CACHE_SECONDS))
    return Markup(html)  # nosec B704 # noqa: S704 - our own autoescaped template
