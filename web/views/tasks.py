"""„Moje úkoly“: the contributor's entries in open rounds — own bodies and bodies deputised for
today — with state, deadline countdown and progress, nearest deadline first; search and filters by
state, deadline and area."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from forms.rounds import as_choices
from forms.tasks import TaskFilterForm
from web.views.guards import requires
from workflow import clock
from workflow.dashboards import filter_tasks, my_tasks, task_areas
from workflow.permissions import Action, deputised_body_ids

bp = Blueprint("tasks", __name__)


@bp.get("/moje-ukoly")
@requires(Action.fill_entries)
def index() -> ResponseReturnValue:
    """The task list, grouped by round and body, narrowed by the filters of ``?q=&state=&deadline=&area=``."""
    today = clock.today()
    groups = my_tasks(current_user, today)
    form = TaskFilterForm(request.args)
    form.area.choices = as_choices([(0, _("Všechny okruhy")), *task_areas(groups)])
    shown = filter_tasks(groups, form.filters(), today) if form.validate() else groups
    return render_template(
        "tasks/index.html",
        groups=shown,
        has_any=bool(groups),
        form=form,
        today=today,
        deputised=deputised_body_ids(current_user, today),
    )
