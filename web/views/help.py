"""Public help pages: one Czech guide per role (``/napoveda/<role>``) and the accessibility statement.

The pages need no sign-in (an invited user reads them before the first sign-in). The texts live in
``templates/help/`` and are translatable like every other UI string.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask.typing import ResponseReturnValue

from workflow.states import ROLE_TITLES, Role

bp = Blueprint("help", __name__)

#: The roles that have a guide, in the order the index lists them (the order of the work).
HELP_ROLES: tuple[Role, ...] = (
    Role.secretary, Role.contributor, Role.head, Role.reviewer, Role.commission, Role.admin,
)


@bp.get("/napoveda")
def index() -> ResponseReturnValue:
    """The help index: what the product is for and a link to the guide of every role."""
    return render_template("help/index.html", roles=HELP_ROLES, role_titles=ROLE_TITLES)


@bp.get("/napoveda/<role>")
def role(role: str) -> ResponseReturnValue:
    """The guide for ``role`` (a :class:`workflow.states.Role` value, e.g. ``contributor``); 404 otherwise."""
    try:
        selected = Role(role)
    except ValueError:
        abort(404)
    if selected not in HELP_ROLES:
        abort(404)
    return render_template(
        f"help/{selected.value}.html", role=selected, roles=HELP_ROLES, role_titles=ROLE_TITLES
    )


@bp.get("/pristupnost")
def accessibility() -> ResponseReturnValue:
    """„Prohlášení o přístupnosti“ (accessibility statement, Act No. 99/2019 Coll.)."""
    return render_template("help/accessibility.html")
