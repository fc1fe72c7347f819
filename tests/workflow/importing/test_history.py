"""Each import is a recorded change set; an import can be reverted while no round uses what it
created or changed, and a plan without rounds can be deleted (issue 14 §2)."""

from __future__ import annotations

from datetime import date

import pytest
from import_helpers import REAL_CSV, REAL_JSON, bodies, csv_bytes, real_rows, row_counts, sign_in  # noqa: F401
from sqlalchemy import func, select

from web.extensions import db
from workflow.audit import AuditKind
from workflow.errors import Conflict
from workflow.importing import ImportOptions, commit_import, import_plan_file, real_plan_options
from workflow.models import Activity, AuditEvent, Entry, Plan, PlanImport, ReportingRound
from workflow.plan_history import delete_plan, delete_refusal, revert_import, revert_refusal
from workflow.rounds import create_round
from workflow.states import Role


def _activity(plan: Plan, code: str) -> Activity:
    query = select(Activity).where(Activity.plan_id == plan.id, Activity.code == code)
    return db.session.scalars(query).one()


def _changed_csv() -> bytes:
    """The real table with A1.20's description and responsibility changed and a new activity A1.23."""
    rows = real_rows()
    index = next(i for i, row in enumerate(rows) if row[2] == "A1.20")
    rows[index][3] = "Nový popis A1.20"
    rows[index][6] = "KÚ LK / OSV"
    rows.append(["A Systémová opatření", "A1 Mezioborová spolupráce", "A1.23", "Nová aktivita", "", "2026",
                 "KÚ LK / OSV", "", "", ""])
    return csv_bytes(rows)


@pytest.fixture
def imported(app, bodies):  # noqa: F811
    """The real plan imported as a new plan (import 1), committed."""
    result = import_plan_file(REAL_JSON, options=real_plan_options())
    db.session.commit()
    return result


def test_each_import_is_a_change_set(imported):
    record = imported.plan_import
    assert record.status == "committed" and record.report["change_set"] is True
    kinds = {(c.kind, c.action) for c in record.changes}
    assert kinds == {("plan", "created"), ("node", "created"), ("activity", "created"),
                     ("round", "created"), ("entry", "created"), ("consolidation", "created")}
    assert sum(1 for c in record.changes if c.kind == "activity") == 72

    again = commit_import(REAL_CSV.read_bytes(), "plan.csv", plan=imported.plan)
    db.session.commit()
    assert again.changes == 0 and again.plan_import.changes == []


def test_revert_of_an_update_restores_the_values_before(imported):
    plan = imported.plan
    a120 = _activity(plan, "A1.20")
    before = (a120.description, [b.abbreviation for b in a120.bodies], a120.responsibility_raw)
    history = db.session.scalars(select(ReportingRound).where(ReportingRound.plan_id == plan.id)).one()
    count_entries = select(func.count()).select_from(Entry).where(Entry.round_id == history.id)
    entries_before = db.session.scalar(count_entries)

    update = commit_import(_changed_csv(), "plan.csv", plan=plan)
    db.session.commit()
    assert (update.created, update.updated) == (1, 1)
    changes = {(c.kind, c.label, c.action) for c in update.plan_import.changes}
    assert ("activity", "A1.20", "updated") in changes and ("activity", "A1.23", "created") in changes
    assert ("entry", "A1.20", "deleted") in changes  # ORREP's/OŠMTS's answer goes with the routing
    assert revert_refusal(imported.plan_import).startswith("Nejdřív vraťte novější import „plan.csv“")

    counts = row_counts()
    revert_import(update.plan_import, None)
    db.session.commit()
    a120 = _activity(plan, "A1.20")
    assert (a120.description, [b.abbreviation for b in a120.bodies], a120.responsibility_raw) == before
    assert db.session.scalar(select(func.count()).select_from(Activity).where(Activity.code == "A1.23")) == 0
    assert db.session.scalar(count_entries) == entries_before
    assert row_counts()["activities"] == counts["activities"] - 1
    db.session.refresh(update.plan_import)
    assert update.plan_import.status == "reverted" and update.plan_import.reverted_at is not None
    assert revert_refusal(update.plan_import) == "Import už byl vrácen."
    kind = AuditEvent.kind == AuditKind.plan_import_reverted
    event = db.session.scalars(select(AuditEvent).where(kind)).one()
    assert "plan.csv" in event.summary and event.details["plan_id"] == plan.id


def test_revert_of_the_creating_import_deletes_the_plan(imported):
    record = imported.plan_import
    revert_import(record, None)
    db.session.commit()
    counts = row_counts()
    assert counts["plans"] == counts["activities"] == counts["plan_nodes"] == 0
    assert counts["reporting_rounds"] == counts["entries"] == counts["consolidations"] == 0
    assert counts["activity_bodies"] == 0
    db.session.refresh(record)
    assert record.status == "reverted" and record.plan_id is None


def test_revert_and_delete_are_refused_while_a_round_uses_the_plan(imported, make_user):
    plan = imported.plan
    secretary = make_user("tajemnik@kraj-lbc.cz", roles=[Role.secretary])
    create_round(plan.id, secretary, title="Monitoring 2026", period_start=date(2026, 1, 1),
                 period_end=date(2026, 12, 31))
    update = commit_import(_changed_csv(), "plan.csv", plan=plan)
    db.session.commit()

    reason = (
        "Import nelze vrátit: kolo „Monitoring 2026“ používá aktivity, které import vytvořil nebo změnil."
    )
    assert revert_refusal(update.plan_import) == reason
    with pytest.raises(Conflict) as error:
        revert_import(update.plan_import, secretary)
    assert str(error.value) == reason
    assert delete_refusal(plan) == (
        "Plán nelze smazat: má kolo „Monitoring 2026“. Smazat lze jen plán bez kol."
    )
    with pytest.raises(Conflict):
        delete_plan(plan, secretary)
    db.session.rollback()
    assert db.session.get(Plan, plan.id) is not None


def test_a_plan_without_rounds_is_deleted_with_everything_and_audited(imported, make_user):
    admin = make_user("spravce@kraj-lbc.cz", roles=[Role.admin])
    other = import_plan_file(REAL_CSV, options=ImportOptions(title="Jiný plán", period="2024–2025")).plan
    db.session.commit()
    delete_plan(imported.plan, admin)  # only its imported past round: deletable
    db.session.commit()
    assert db.session.scalars(select(Plan.title)).all() == ["Jiný plán"]
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 72
    assert all(a.plan_id == other.id for a in db.session.scalars(select(Activity)))
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == AuditKind.plan_deleted)).one()
    assert event.actor_id == admin.id and "72 aktivit" in event.summary
    assert db.session.get(PlanImport, imported.plan_import.id).plan_id is None  # the history stays


def test_history_revert_and_delete_pages(client, imported, make_user):
    plan = imported.plan
    secretary = make_user("tajemnik@kraj-lbc.cz", roles=[Role.secretary])
    sign_in(client, secretary)
    detail = client.get(f"/plany/{plan.id}").get_data(as_text=True)
    assert f"/plany/{plan.id}/importy" in detail and f"/plany/{plan.id}/smazat" in detail

    update = commit_import(_changed_csv(), "zmena.csv", plan=plan, actor=secretary)
    db.session.commit()
    page = client.get(f"/plany/{plan.id}/importy")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "zmena.csv" in html and "Vrátit import…" in html
    assert "Nejdřív vraťte novější import „zmena.csv“" in html

    confirm = client.get(f"/plany/{plan.id}/importy/{update.plan_import.id}/vratit").get_data(as_text=True)
    assert "Vrátit import „zmena.csv“?" in confirm and "aktivita A1.23: vytvořeno" in confirm
    done = client.post(f"/plany/{plan.id}/importy/{update.plan_import.id}/vratit")
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/plany/{plan.id}/importy")
    assert _activity(plan, "A1.20").description != "Nový popis A1.20"
    again = client.post(f"/plany/{plan.id}/importy/{update.plan_import.id}/vratit", follow_redirects=True)
    assert "Import už byl vrácen." in again.get_data(as_text=True)

    assert "Smazat plán „" in client.get(f"/plany/{plan.id}/smazat").get_data(as_text=True)
    plan_id = plan.id
    deleted = client.post(f"/plany/{plan_id}/smazat")
    assert deleted.status_code == 302 and db.session.get(Plan, plan_id) is None


def test_others_may_not_see_history_revert_or_delete(client, imported, make_user):
    plan = imported.plan
    user = make_user("zpracovatel@kraj-lbc.cz", roles=[Role.contributor], bodies=["OSV"])
    sign_in(client, user)
    record_id = imported.plan_import.id
    assert client.get(f"/plany/{plan.id}/importy").status_code == 403
    assert client.get(f"/plany/{plan.id}/importy/{record_id}/vratit").status_code == 403
    assert client.post(f"/plany/{plan.id}/importy/{record_id}/vratit").status_code == 403
    assert client.post(f"/plany/{plan.id}/smazat").status_code == 403
    assert db.session.get(Plan, plan.id) is not None
