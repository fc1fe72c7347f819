"""Who may do what: the one place every view and API endpoint asks.

Policy for refusals: a signed-in user who may not see an object gets **404** when the object
belongs to someone else's scope (so ids cannot be probed), and **403** when the object is visible
but the action is not allowed (e.g. a commission member opening the import page). Anonymous users
are sent to the sign-in page by Flask-Login.
"""

from __future__ import annotations

from enum import StrEnum

from workflow.models import User
from workflow.states import Role


class Action(StrEnum):
    """Actions guarded by :func:`can`."""

    view_plans = "view_plans"  #: plan list, plan pages, bodies, read API
    import_plan = "import_plan"  #: upload, preview and commit a plan file
    manage_bodies = "manage_bodies"
    manage_users = "manage_users"
    manage_tokens = "manage_tokens"


#: Which roles may perform each action (``None`` = any signed-in, active user).
POLICY: dict[Action, frozenset[Role] | None] = {
    Action.view_plans: None,
    Action.import_plan: frozenset({Role.admin, Role.secretary}),
    Action.manage_bodies: frozenset({Role.admin}),
    Action.manage_users: frozenset({Role.admin}),
    Action.manage_tokens: frozenset({Role.admin}),
}


def can(user: User | None, action: Action) -> bool:
    """True if ``user`` (``None`` or anonymous: never) may perform ``action``."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    roles = POLICY[action]
    return roles is None or user.has_role(*roles)
