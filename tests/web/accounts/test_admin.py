"""Administration: users (search, invite, roles with reviewer scope, bodies), bodies, audit log."""

from __future__ import annotations

import pytest
from accounts_helpers import email_to, sign_in
from sqlalchemy import func, select

from web.extensions import db
from workflow.audit import AuditKind, record
from workflow.models import AuditEvent, Body, Deputy, Plan, RoleAssignment, User
from workflow.models.accounts import AuditLogIsAppendOnly
from workflow.states import Role


def _body(abbreviation):
    return db.session.scalar(select(Body).where(Body.abbreviation == abbreviation))


@pytest.fixture
def admin(client, people):
    assert sign_in(client, people["admin"]).status_code == 302
    return client


def test_admin_pages_render_with_czech_headings(admin, people):
    for url, heading in (
        ("/sprava/", "Administrace"),
        ("/sprava/uzivatele", "Uživatelé"),
        ("/sprava/subjekty", "Subjekty"),
        ("/sprava/tokeny", "API tokeny"),
        ("/sprava/audit", "Auditní záznam účtů"),
        ("/sprava/uzivatele/pozvat", "Pozvat uživatele"),
        (f"/sprava/uzivatele/{people['contributor'].id}", "Zdeněk Zpracovatel"),
        (f"/sprava/subjekty/{_body('OSV').id}", "Upravit subjekt OSV"),
    ):
        response = admin.get(url)
        assert response.status_code == 200, url
        assert heading in response.get_data(as_text=True), url


def test_user_search_and_filters(admin, people):
    page = admin.get("/sprava/uzivatele?q=zpracovatel").get_data(as_text=True)
    assert "zpracovatel@kraj-lbc.cz" in page and "tajemnik@kraj-lbc.cz" not in page
    page = admin.get("/sprava/uzivatele?role=commission").get_data(as_text=True)
    assert "komise@kraj-lbc.cz" in page and "zpracovatel@kraj-lbc.cz" not in page
    page = admin.get("/sprava/uzivatele?q=nikdo-takovy").get_data(as_text=True)
    assert "Nic nenalezeno" in page


def test_invite_without_sending_then_resend(admin, outbox, people):
    response = admin.post(
        "/sprava/uzivatele/pozvat",
        data={
            "email": "Jan.Novak@Obec-Frydlant.cz",
            "name": "Jan Novák",
            "locale": "en",
            "roles": ["head"],
            "bodies": [str(_body("OZ").id)],
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "jan.novak@obec-frydlant.cz"))
    assert (
        user.locale == "en" and user.roles == {Role.head} and [b.abbreviation for b in user.bodies] == ["OZ"]
    )
    assert user.invited_at is None and not list(outbox.glob("*.eml"))
    assert admin.post(f"/sprava/uzivatele/{user.id}/pozvanka").status_code == 302
    assert email_to(outbox, user.email)["To"] == user.email


def test_invite_refuses_a_duplicate_address(admin, people):
    response = admin.post(
        "/sprava/uzivatele/pozvat",
        data={"email": people["head"].email.upper(), "name": "Dvojník", "locale": "cs"},
    )
    assert response.status_code == 200
    assert "už existuje" in response.get_data(as_text=True)


def test_roles_with_reviewer_scope_and_bodies_are_changed_and_audited(admin, people):
    user = people["commission"]
    osv = _body("OSV")
    response = admin.post(
        f"/sprava/uzivatele/{user.id}/role", data={"role-role": "reviewer", "role-body_id": str(osv.id)}
    )
    assert response.status_code == 302
    assignment = db.session.scalar(
        select(RoleAssignment).where(RoleAssignment.user_id == user.id, RoleAssignment.role == "reviewer")
    )
    assert assignment.body_id == osv.id and assignment.plan_id is None
    refused = admin.post(
        f"/sprava/uzivatele/{user.id}/role",
        data={"role-role": "contributor", "role-body_id": str(osv.id)},
        follow_redirects=True,
    )
    assert "jen u role hodnotitel" in refused.get_data(as_text=True)

    assert admin.post(f"/sprava/uzivatele/{user.id}/role/{assignment.id}/odebrat").status_code == 302
    assert (
        admin.post(
            f"/sprava/uzivatele/{user.id}",
            data={
                "user-name": "Karel Komise",
                "user-locale": "cs",
                "user-bodies": [str(osv.id), str(_body("OZ").id)],
            },
        ).status_code
        == 302
    )
    db.session.refresh(user)
    assert sorted(b.abbreviation for b in user.bodies) == ["OSV", "OZ"]
    kinds = list(
        db.session.scalars(
            select(AuditEvent.kind).where(AuditEvent.subject_id == user.id).order_by(AuditEvent.id)
        )
    )
    assert kinds == [AuditKind.role_added, AuditKind.role_removed, AuditKind.body_added, AuditKind.body_added]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == AuditKind.role_added))
    assert event.actor_id == people["admin"].id and event.summary == "Hodnotitel – subjekt OSV"


def test_reviewer_scope_on_a_plan_area(admin, people):
    from workflow.models import PlanNode

    plan = Plan(title="Akční plán")
    area = PlanNode(plan=plan, depth=0, code="B", title="Osvěta", footnotes=[], coordination=[])
    db.session.add_all([plan, area])
    db.session.commit()
    response = admin.post(
        f"/sprava/uzivatele/{people['reviewer'].id}/role",
        data={"role-role": "reviewer", "role-area_id": str(area.id)},
    )
    assert response.status_code == 302
    scoped = db.session.scalar(select(RoleAssignment).where(RoleAssignment.node_id == area.id))
    assert scoped.plan_id == plan.id  # the area's plan is filled in


def test_admin_cannot_lock_themselves_out(admin, people):
    me = people["admin"]
    response = admin.post(f"/sprava/uzivatele/{me.id}/deaktivovat", follow_redirects=True)
    assert "Svůj vlastní účet deaktivovat nemůžete." in response.get_data(as_text=True)
    only = me.role_assignments[0]
    response = admin.post(f"/sprava/uzivatele/{me.id}/role/{only.id}/odebrat", follow_redirects=True)
    assert "poslední roli správce" in response.get_data(as_text=True)
    db.session.refresh(me)
    assert me.active and me.has_role(Role.admin)


def test_admin_names_and_cancels_a_deputy(admin, people):
    principal = people["head"]
    response = admin.post(
        f"/sprava/uzivatele/{principal.id}/zastupy",
        data={
            "deputy-email": people["contributor"].email,
            "deputy-body_id": "0",
            "deputy-starts_on": "2025-08-01",
            "deputy-ends_on": "2025-08-20",
            "deputy-note": "dovolená",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    entry = db.session.scalar(select(Deputy))
    assert entry.deputy_id == people["contributor"].id and entry.body_id is None
    assert admin.post(f"/sprava/uzivatele/{people['other'].id}/zastupy/{entry.id}/odebrat").status_code == 404
    assert admin.post(f"/sprava/uzivatele/{principal.id}/zastupy/{entry.id}/odebrat").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Deputy)) == 0


def test_body_is_created_and_edited_with_aliases_and_parent(admin, people):
    lk = _body("LK")
    response = admin.post(
        "/sprava/subjekty/novy",
        data={
            "abbreviation": "OKH",
            "name": "Odbor krizového hospodářství",
            "kind": "department",
            "parent_id": str(lk.id),
            "alias_lines": "OKH KÚ LK\nkrizové řízení\n",
        },
    )
    assert response.status_code == 302
    body = _body("OKH")
    assert body.parent_id == lk.id and sorted(a.alias for a in body.aliases) == [
        "OKH KÚ LK",
        "krizové řízení",
    ]
    assert "krizove rizeni" in body.search_text
    response = admin.post(
        f"/sprava/subjekty/{body.id}",
        data={
            "abbreviation": "OKH",
            "name": "Odbor krizového řízení",
            "kind": "department",
            "parent_id": "0",
            "alias_lines": "krizové řízení",
        },
    )
    assert response.status_code == 302
    db.session.refresh(body)
    assert body.parent_id is None and [a.alias for a in body.aliases] == ["krizové řízení"]
    assert admin.get("/sprava/subjekty?q=krizove").get_data(as_text=True).count("OKH") >= 1


def test_alias_of_another_body_is_refused(admin, people):
    response = admin.post(
        f"/sprava/subjekty/{_body('OZ').id}",
        data={
            "abbreviation": "OZ",
            "name": "Odbor zdravotnictví",
            "kind": "department",
            "parent_id": "0",
            "alias_lines": "OSV KÚ LK",
        },
    )
    assert response.status_code == 200
    assert "už používá subjekt OSV" in response.get_data(as_text=True)


def test_body_cannot_be_its_own_ancestor(admin, people):
    lk, osv = _body("LK"), _body("OSV")
    response = admin.post(
        f"/sprava/subjekty/{lk.id}",
        data={"abbreviation": "LK", "name": "Liberecký kraj", "kind": "region", "parent_id": str(osv.id)},
    )
    assert "Nadřízený subjekt nemůže být" in response.get_data(as_text=True)


def test_audit_log_lists_and_filters_events(admin, people):
    page = admin.get("/sprava/audit").get_data(as_text=True)
    assert "Přihlášení" in page and "127.0.0.1" in page
    page = admin.get("/sprava/audit?druh=token_used").get_data(as_text=True)
    assert "Nic nenalezeno" in page
    page = admin.get(f"/sprava/audit?uzivatel={people['admin'].id}").get_data(as_text=True)
    assert "spravce@kraj-lbc.cz" in page


def test_audit_log_is_append_only(people):
    event = record(AuditKind.sign_in, actor=people["head"], subject=people["head"], ip="10.0.0.1")
    db.session.commit()
    event.ip = "10.9.9.9"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEvent, event.id))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id).ip == "10.0.0.1"


@pytest.mark.parametrize("role", ["secretary", "reviewer", "contributor", "head", "commission"])
def test_administration_is_for_admins_only(client, people, role):
    sign_in(client, people[role])
    assert client.get("/sprava/uzivatele").status_code == 403
    assert client.post(f"/sprava/uzivatele/{people['other'].id}/deaktivovat").status_code == 403
    assert client.post("/sprava/uzivatele/999999/deaktivovat").status_code == 403  # same for unknown ids
    assert "Administrace" not in client.get("/ucet").get_data(as_text=True)
