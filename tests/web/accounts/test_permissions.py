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
