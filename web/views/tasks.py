"""„Moje úkoly“: the contributor's entries in open rounds — own bodies and bodies deputised for
today — with state, deadline countdown and progress, nearest deadline first."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from web.views.guards import requires
from workflow import clock
from workflow.dashboards import my_tasks
from workflow.permissions import Action, deputised_body_ids

bp = Blueprint("tasks", __name__)


@bp.get("/moje-ukoly")
@requires(Action.fill_entries)
def index() -> ResponseReturnValue:
    """The task list, grouped by round and body."""
    today = clock.today()
    return render_template(
        "tasks/index.html",
        groups=my_tasks(current_user, today),
        today=today,
        deputised=deputised_body_ids(current_user, today),
    )
