"""The full cycle on the real plan (seed 002 via data/): open a round → entries for the right
bodies → draft with carry-over → submit → return → resubmit → approve; bulk approve; the
dashboards' counts match the entries."""

from __future__ import annotations

from datetime import date
from html import unescape

from round_fixtures import login
from sqlalchemy import func, select

from web.extensions import db
from workflow.dashboards import round_dashboard
from workflow.entries import apply_transition, save_draft
from workflow.models import Activity, Body, Consolidation, Entry, ReportingRound, RoundActivity
from workflow.rounds import create_round, open_round
from workflow.states import EntryState, Role


def _entries(round_id, code):
    return db.session.execute(
        select(Body.abbreviation, Entry)
        .join(Entry, Entry.body_id == Body.id)
        .join(Activity)
        .where(Entry.round_id == round_id, Activity.code == code)
        .order_by(Body.abbreviation)
    ).all()


def test_full_cycle_on_the_real_plan(app, client, real_plan, make_user):
    secretary = make_user("tajemnik@kraj-lbc.cz", roles=[Role.secretary])
    reviewer = make_user("hodnotitel@kraj-lbc.cz", roles=[Role.reviewer])
    osv = make_user("osv@kraj-lbc.cz", roles=[Role.contributor], bodies=["OSV"])
    osmts = make_user("osmts@kraj-lbc.cz", roles=[Role.contributor], bodies=["OŠMTS"])
    history = db.session.scalar(select(ReportingRound).where(ReportingRound.imported.is_(True)))
    assert history.title == "Monitoring plnění akčního plánu 2024–2025"

    round_ = create_round(
        real_plan.id,
        secretary,
        title="Monitoring plnění akčního plánu 2026",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 12, 31),
        submission_deadline=date(2099, 1, 31),
        review_deadline=date(2099, 2, 28),
    )
    inclusion = {
        ra.activity.code: ra
        for ra in db.session.scalars(select(RoundActivity).where(RoundActivity.round_id == round_.id))
    }
    assert len(inclusion) == 72
    assert inclusion["A1.1"].included and inclusion["A1.1"].default_reason == "ongoing"
    assert inclusion["A1.20"].included and inclusion["A1.20"].default_reason == "overlaps"
    assert not inclusion["A1.18"].included and inclusion["A1.18"].default_reason == "reported"  # 12/2024
    assert not inclusion["B2.1"].included  # 12/2025, reported in 2024–2025
    assert inclusion["A2.3"].included and inclusion["A2.3"].default_reason == "conditional"
    created = open_round(round_, secretary)
    db.session.commit()

    # Entries for the right bodies: A1.20 → OŠMTS and ORREP; A1.1 (only „LK“) → OSV.
    assert [abbr for abbr, _e in _entries(round_.id, "A1.20")] == ["ORREP", "OŠMTS"]
    assert [abbr for abbr, _e in _entries(round_.id, "A1.1")] == ["OSV"]
    assert created == db.session.scalar(
        select(func.count()).select_from(Entry).where(Entry.round_id == round_.id)
    )
    assert not _entries(round_.id, "A1.18")

    # Carry-over: the imported 2024–2025 text, marked until edited.
    ((_abbr, entry),) = _entries(round_.id, "A1.1")
    imported = db.session.scalar(
        select(Consolidation.text)
        .join(Activity)
        .where(Consolidation.round_id == history.id, Activity.code == "A1.1")
    )
    assert entry.carried_over and entry.text == imported and entry.carried_from.round_id == history.id
    login(client, osv)
    form = unescape(client.get(f"/zaznamy/{entry.id}/upravit").get_data(as_text=True))
    assert "převzato z loňského plnění" in form and "Loňské plnění" in form and imported[:60] in form

    new_text = imported + " V roce 2026 komise zasedala čtyřikrát."
    response = client.post(
        f"/zaznamy/{entry.id}/upravit",
        data={
            "version": entry.version,
            "fulfilment_status": "ongoing",
            "text": new_text,
            "action": "submit",
            "indicator_number": "4",
            "indicator_unit": "zasedání",
            "indicator_as_of": "2026-12-31",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    entry = db.session.get(Entry, entry.id)
    assert entry.state == EntryState.submitted and not entry.carried_over

    # Return with a reason, resubmit, approve.
    client.post("/odhlaseni")
    login(client, reviewer)
    client.post(
        f"/zaznamy/{entry.id}/akce/send_back",
        data={"version": entry.version, "comment": "Přiložte prosím zápisy."},
    )
    db.session.expire_all()
    entry = db.session.get(Entry, entry.id)
    assert entry.state == EntryState.returned
    client.post("/odhlaseni")
    login(client, osv)
    client.post(
        f"/zaznamy/{entry.id}/upravit",
        data={
            "version": entry.version,
            "fulfilment_status": "ongoing",
            "text": new_text + " Zápisy jsou přiloženy.",
            "action": "submit",
            "indicator_number": "4",
            "indicator_unit": "zasedání",
            "indicator_as_of": "2026-12-31",
        },
    )
    db.session.expire_all()
    entry = db.session.get(Entry, entry.id)
    assert entry.state == EntryState.submitted
    client.post("/odhlaseni")
    login(client, reviewer)
    client.post(f"/zaznamy/{entry.id}/akce/approve", data={"version": entry.version})
    db.session.expire_all()
    entry = db.session.get(Entry, entry.id)
    assert entry.state == EntryState.approved and entry.approved_by_id == reviewer.id
    names = [t.name for t in entry.transitions]
    assert names == ["start", "submit", "send_back", "rework", "submit", "approve"]

    # Bulk approve: OŠMTS submits all its entries; the reviewer approves them in one go.
    osmts_entries = db.session.scalars(
        select(Entry)
        .join(Body, Body.id == Entry.body_id)
        .where(Entry.round_id == round_.id, Body.abbreviation == "OŠMTS")
    ).all()
    for e in osmts_entries:
        save_draft(
            e,
            osmts,
            {"fulfilment_status": "ongoing", "text": (e.text or "") + " Pokračuje."},
            expected_version=e.version,
        )
        apply_transition(e, "submit", osmts)
    db.session.commit()
    query = f"round={round_.id}&state=&body=0&area=0"
    confirm = unescape(
        client.post("/kontrola/hromadne-schvaleni", data={"query": query}).get_data(as_text=True)
    )
    assert f"Počet záznamů ke schválení: {len(osmts_entries)}." in confirm
    ids = ",".join(str(e.id) for e in osmts_entries)
    done = client.post(
        "/kontrola/hromadne-schvaleni",
        data={"query": query, "entry_ids": ids, "confirmed": "1"},
        follow_redirects=True,
    )
    assert f"Počet schválených záznamů: {len(osmts_entries)}." in unescape(done.get_data(as_text=True))

    # The dashboards' counts match the entries.
    db.session.expire_all()
    actual = dict(
        db.session.execute(
            select(Entry.state, func.count()).where(Entry.round_id == round_.id).group_by(Entry.state)
        ).all()
    )
    dashboard = round_dashboard(round_.id, date(2026, 6, 1))
    assert {k: v for k, v in dashboard.total.by_state.items() if v} == actual
    assert dashboard.total.by_state["approved"] == len(osmts_entries) + 1
    per_body = {b.abbreviation: c for b, c in dashboard.bodies}
    assert (
        per_body["OŠMTS"].by_state["approved"] == len(osmts_entries)
        and per_body["OŠMTS"].completeness == 100.0
    )
    assert sum(c.total for c in per_body.values()) == created
    assert sum(c.total for _a, c in dashboard.areas) == created
    client.post("/odhlaseni")
    login(client, secretary)
    page = unescape(client.get(f"/kola/{round_.id}").get_data(as_text=True))
    assert "Podle subjektů" in page and "OŠMTS" in page
    api = client.get(f"/api/v1/rounds/{round_.id}").get_json()
    assert api["counts"]["total"] == created and api["counts"]["approved"] == len(osmts_entries) + 1
