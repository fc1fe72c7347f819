"""Accounts: roles — parsing Czech and English role names, describing, adding and removing a role."""

from __future__ import annotations

from flask_babel import gettext as _

from workflow.accounts.common import AccountError, _fold
from workflow.audit import AuditKind, record
from workflow.db import db
from workflow.models import Body, Plan, PlanNode, RoleAssignment, User
from workflow.states import Role

#: Role names accepted on input (CSV import): Czech and English, matched case- and accent-insensitively.
ROLE_NAMES: dict[str, Role] = {}


_ROLE_SPELLINGS: dict[Role, tuple[str, ...]] = {
    Role.admin: ("admin", "správce", "administrátor", "administrator"),
    Role.secretary: ("secretary", "tajemník", "tajemnice"),
    Role.reviewer: ("reviewer", "hodnotitel", "hodnotitelka"),
    Role.contributor: ("contributor", "zpracovatel", "zpracovatelka"),
    Role.head: ("head", "head of body", "vedoucí", "vedoucí subjektu"),
    Role.commission: ("commission", "commission member", "člen komise", "členka komise", "komise"),
}
ROLE_NAMES.update({_fold(name): role for role, names in _ROLE_SPELLINGS.items() for name in names})


def parse_role(name: str) -> Role:
    """Role from a Czech or English name (``"hodnotitel"``, ``"Člen komise"``, ``"reviewer"``).

    :raises AccountError: unknown role name.
    """
    role = ROLE_NAMES.get(_fold(name))
    if role is None:
        raise AccountError(_("Neznámá role „%(name)s“.", name=name.strip()))
    return role


#: Czech role names for the audit log, which stays in Czech whatever the reader's language.
ROLE_NAMES_CS = {
    Role.admin: "Správce",
    Role.secretary: "Tajemník",
    Role.reviewer: "Hodnotitel",
    Role.contributor: "Zpracovatel",
    Role.head: "Vedoucí",
    Role.commission: "Člen komise",
}


def describe_assignment(assignment: RoleAssignment) -> str:
    """Czech label of a role with its scope, e.g. ``"Hodnotitel – okruh A"`` (no request needed)."""
    title = ROLE_NAMES_CS.get(Role(assignment.role), assignment.role)
    scope = []
    if assignment.plan_id is not None:
        plan = db.session.get(Plan, assignment.plan_id)
        scope.append(f"plán {plan.title if plan else assignment.plan_id}")
    if assignment.node_id is not None:
        node = db.session.get(PlanNode, assignment.node_id)
        level = node.plan.level_name(node.depth).lower() if node else "okruh"
        scope.append(f"{level} {node.code if node else assignment.node_id}")
    if assignment.body_id is not None:
        body = db.session.get(Body, assignment.body_id)
        scope.append(f"subjekt {body.abbreviation if body else assignment.body_id}")
    return f"{title} – {', '.join(scope)}" if scope else title


def add_role(
    user: User,
    role: Role,
    *,
    actor: User | None,
    plan: Plan | None = None,
    node: PlanNode | None = None,
    body: Body | None = None,
    ip: str = "",
) -> RoleAssignment:
    """Give ``user`` a role; only a reviewer's role may be narrowed to a plan, a top-level node of
    a plan (an okruh) or a body.

    A reviewer without ``plan``/``node``/``body`` reviews everything. Adding a role the user
    already holds with the same scope returns the existing assignment.

    :raises AccountError: a scope given for a role other than reviewer, a node that is not on a
        plan's top level, or a node outside ``plan``.
    """
    role = Role(role)
    if role != Role.reviewer and (plan or node or body):
        raise AccountError(_("Rozsah (plán, okruh, subjekt) lze zadat jen u role hodnotitel."))
    if node is not None and node.depth != 0:
        raise AccountError(_("Rozsah hodnotitele lze zúžit jen na nejvyšší úroveň plánu (např. okruh)."))
    if plan is not None and node is not None and node.plan_id != plan.id:
        raise AccountError(_("Zvolený okruh nepatří do zvoleného plánu."))
    if node is not None and plan is None:
        plan = node.plan
    key = (str(role), plan.id if plan else None, node.id if node else None, body.id if body else None)
    for existing in user.role_assignments:
        if (existing.role, existing.plan_id, existing.node_id, existing.body_id) == key:
            return existing
    assignment = RoleAssignment(
        role=str(role),
        plan_id=key[1],
        node_id=key[2],
        body_id=key[3],
    )
    user.role_assignments.append(assignment)
    db.session.flush()
    record(AuditKind.role_added, actor=actor, subject=user, body=body, ip=ip,
           summary=describe_assignment(assignment))
    return assignment


def remove_role(assignment: RoleAssignment, *, actor: User | None, ip: str = "") -> None:
    """Take a role away.

    :raises AccountError: an administrator removing their own last administrator role.
    """
    user = assignment.user
    if (
        assignment.role == Role.admin
        and actor is not None
        and actor.id == user.id
        and sum(1 for a in user.role_assignments if a.role == Role.admin) == 1
    ):
        raise AccountError(_("Nemůžete si odebrat svou poslední roli správce."))
    summary = describe_assignment(assignment)
    user.role_assignments.remove(assignment)
    db.session.flush()
    record(AuditKind.role_removed, actor=actor, subject=user, ip=ip, summary=summary)
