"""workflow.permissions: role policy, object rules, the 403/404 decision, review scopes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from web.extensions import db
from workflow.models import Body, Plan, RoleAssignment
from workflow.permissions import (
    POLICY,
    Action,
    MissingObjectRule,
    can,
    in_review_scope,
    object_rule,
    refusal,
    reviewer_covers,
)
from workflow.states import Role


def _body(abbreviation):
    return db.session.scalar(select(Body).where(Body.abbreviation == abbreviation))


def test_every_action_has_a_policy():
    assert set(POLICY) == set(Action)


def test_roles_decide_before_objects(people):
    assert can(people["admin"], Action.manage_users)
    for role in ("secretary", "reviewer", "contributor", "head", "commission"):
        assert not can(people[role], Action.manage_users)
    assert can(people["secretary"], Action.import_plan) and not can(people["commission"], Action.import_plan)
    assert not can(None, Action.view_plans)


def test_object_rules_and_missing_rules(people):
    assert can(people["contributor"], Action.name_deputy, _body("OSV"))
    assert not can(people["contributor"], Action.name_deputy, _body("OZ"))
    with pytest.raises(MissingObjectRule):
        can(people["admin"], Action.manage_users, _body("OSV"))
    with pytest.raises(ValueError, match="twice"):
        object_rule(Action.name_deputy, Body)(lambda user, body: True)


def test_inactive_users_may_do_nothing(people):
    people["admin"].active = False
    assert not can(people["admin"], Action.manage_users)
    assert not can(people["admin"], Action.view_plans)


def test_refusal_statuses(people):
    osv, oz = _body("OSV"), _body("OZ")
    assert refusal(None, Action.view_plans) == 401
    assert refusal(people["commission"], Action.manage_users) == 403
    assert refusal(people["admin"], Action.manage_users) is None
    # a body one cannot act for is hidden (404); one's own body with a forbidden action is 403
    assert refusal(people["contributor"], Action.name_deputy, oz, view_action=Action.act_for_body) == 404
    assert refusal(people["contributor"], Action.manage_users, osv, view_action=Action.act_for_body) == 403
    assert refusal(people["contributor"], Action.name_deputy, osv, view_action=Action.act_for_body) is None


def test_review_scope(people):
    plan = Plan(title="Akční plán")
    db.session.add(plan)
    db.session.flush()
    reviewer = people["reviewer"]
    assert in_review_scope(reviewer, plan_id=plan.id, node_id=None, body_id=_body("OZ").id)  # unscoped
    reviewer.role_assignments = [RoleAssignment(role=Role.reviewer, body_id=_body("OSV").id)]
    db.session.flush()
    assert in_review_scope(reviewer, plan_id=plan.id, node_id=7, body_id=_body("OSV").id)
    assert not in_review_scope(reviewer, plan_id=plan.id, node_id=7, body_id=_body("OZ").id)
    assert not reviewer_covers(people["contributor"], plan.id, None, _body("OSV").id)


def test_the_recipients_clause_is_the_review_scope_rule(people):
    """workflow.permissions.reviewers_covering_clause (the reviewers' digest, in SQL) selects
    exactly the active users for whom in_review_scope holds, for every mix of scoped parts."""
    from itertools import product

    from workflow.models import PlanNode, User
    from workflow.permissions import reviewers_covering_clause

    plans = [Plan(title="Plán 1"), Plan(title="Plán 2")]
    db.session.add_all(plans)
    db.session.flush()
    nodes = [PlanNode(plan_id=plans[0].id, code=code, depth=0) for code in ("A", "B")]
    db.session.add_all(nodes)
    db.session.flush()
    bodies = [_body("OSV"), _body("OZ")]
    reviewers = []
    # one reviewer per scope: plan, node and body each unset or one of two values
    for n, (plan, node, body) in enumerate(product([None, *plans], [None, *nodes], [None, *bodies])):
        user = User(email=f"hodnotitel.rozsah.{n}@kraj-lbc.cz", name=f"Hodnotitel {n}")
        user.role_assignments = [RoleAssignment(
            role=Role.reviewer, plan_id=plan and plan.id, node_id=node and node.id, body_id=body and body.id
        )]
        reviewers.append(user)
    reviewers[1].active = False  # inactive: never a recipient
    two_roles = User(email="dva.rozsahy@kraj-lbc.cz", name="Dva rozsahy")  # covered by either role
    two_roles.role_assignments = [
        RoleAssignment(role=Role.reviewer, body_id=bodies[0].id),
        RoleAssignment(role=Role.reviewer, plan_id=plans[1].id),
        RoleAssignment(role=Role.contributor, body_id=bodies[1].id),
    ]
    db.session.add_all([*reviewers, two_roles])
    db.session.flush()
    everyone = db.session.scalars(select(User)).all()
    checked = 0
    for plan, node, body in product([None, *plans], [None, *nodes], [None, *bodies]):
        ids = {"plan_id": plan and plan.id, "node_id": node and node.id, "body_id": body and body.id}
        in_sql = set(db.session.scalars(select(User.id).where(reviewers_covering_clause()), ids))
        in_python = {u.id for u in everyone if u.active and in_review_scope(u, **ids)}
        assert in_sql == in_python, ids
        checked += len(in_sql)
    assert checked > 27  # the unscoped reviewers cover every object: the sets are not all empty
