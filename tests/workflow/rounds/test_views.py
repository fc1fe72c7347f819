"""The UI of rounds, entries, review and „Moje úkoly“ through HTTP, in Czech, per role."""

from __future__ import annotations

import io
import re
from datetime import date
from html import unescape

import pytest
from round_fixtures import entry_of, login
from sqlalchemy import event, select

from web.extensions import db
from workflow.models import Attachment, Entry, EntryTransition, ReportingRound
from workflow.states import EntryState


def _as(client, user):
    client.post("/odhlaseni")
    assert login(client, user).status_code == 302
    return client


def _text(response):
    return unescape(response.get_data(as_text=True))


def test_secretary_creates_routes_and_opens_a_round(client, small_plan, people):
    _as(client, people.secretary)
    page = client.get(f"/kola/nove?plan={small_plan.plan.id}")
    assert page.status_code == 200 and "Nové kolo monitoringu" in _text(page)
    bad = client.post(
        "/kola/nove",
        data={
            "plan_id": small_plan.plan.id,
            "title": "Monitoring 2025",
            "period_start": "2025-12-31",
            "period_end": "2025-01-01",
            "submission_deadline": "2026-02-28",
        },
    )
    assert bad.status_code == 422 and "Konec sledovaného období musí být po jeho začátku." in _text(bad)
    created = client.post(
        "/kola/nove",
        data={
            "plan_id": small_plan.plan.id,
            "title": "Monitoring plnění akčního plánu 2025",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "opens_on": "2026-01-05",
            "submission_deadline": "2099-02-28",
            "review_deadline": "2099-03-31",
        },
    )
    assert created.status_code == 302 and created.headers["Location"].endswith("/smerovani")
    round_ = db.session.scalar(select(ReportingRound).where(ReportingRound.title.like("Monitoring plnění%")))
    routing = _text(client.get(f"/kola/{round_.id}/smerovani"))
    assert "Zahrnuto aktivit: 4 z 6; po otevření vznikne 6 záznamů" in routing
    assert "Aktivita začíná až po sledovaném období" in routing
    a14 = small_plan.activities["A1.4"].id
    refused = client.post(
        f"/kola/{round_.id}/aktivity/{a14}/zahrnuti",
        data={"included": "1", "reason": ""},
        follow_redirects=True,
    )
    assert "Uveďte důvod" in _text(refused)
    client.post(
        f"/kola/{round_.id}/aktivity/{a14}/zahrnuti", data={"included": "1", "reason": "Začalo dříve."}
    )
    opened = client.post(f"/kola/{round_.id}/otevrit", data={"confirm": "y"}, follow_redirects=True)
    assert "Kolo bylo otevřeno, počet vytvořených záznamů: 7." in _text(opened)
    dashboard = _text(client.get(f"/kola/{round_.id}"))
    assert "Podle subjektů" in dashboard and "Podle okruhů" in dashboard and "<svg" in dashboard
    assert "úplnost" in dashboard


def test_other_roles_cannot_manage_rounds(client, opened, people):
    for user in (people.osv, people.reviewer, people.commission, people.admin):
        _as(client, user)
        assert client.get("/kola/nove").status_code == 403
        assert client.post(f"/kola/{opened.id}/uzavreni/uzavrit", data={"confirm": "y"}).status_code == 403
        assert client.post(
            f"/kola/{opened.id}/uzavreni/prominout-zbyvajici", data={"reason": "x"}
        ).status_code == 403
    _as(client, people.secretary)
    assert client.post(f"/kola/{opened.id}/znovu-otevrit", data={"reason": "x"}).status_code == 403


def test_contributor_fills_in_with_carry_over_and_submits(client, opened, people):
    _as(client, people.osv)
    tasks = _text(client.get("/moje-ukoly"))
    assert "Moje úkoly" in tasks and "A1.1" in tasks and "B1.1" in tasks and "A1.2" not in tasks
    assert "převzato z loňského plnění" in tasks
    entry = entry_of(opened, "A1.1", "OSV")
    form = _text(client.get(f"/zaznamy/{entry.id}/upravit"))
    assert "Loňské plnění" in form and "Loni: A1.1 plněno průběžně" in form
    assert "js/entry-form.js" in form and "<script>" not in form
    assert 'hx-trigger="change, every 20s"' in form
    # Submitting the untouched carried-over text names what is missing, linked to the field.
    response = client.post(
        f"/zaznamy/{entry.id}/upravit",
        data={
            "version": entry.version,
            "fulfilment_status": "ongoing",
            "text": entry.text,
            "action": "submit",
        },
    )
    page = _text(response)
    assert response.status_code == 422
    assert 'href="#text"' in page and "text převzatý z loňského plnění upravte" in page
    db.session.expire_all()
    entry = db.session.get(Entry, entry.id)
    assert entry.state == EntryState.draft  # the draft was saved anyway
    response = client.post(
        f"/zaznamy/{entry.id}/upravit",
        data={
            "version": entry.version,
            "fulfilment_status": "ongoing",
            "action": "submit",
            "text": "Komise zasedala v roce 2025 čtyřikrát; zápisy a prezenční listiny jsou přiloženy.",
            "indicator_number": "4",
            "indicator_unit": "zasedání",
            "indicator_as_of": "2025-12-31",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    entry = db.session.get(Entry, entry.id)
    assert entry.state == EntryState.submitted and entry.indicator_number == 4


def test_autosave_updates_the_version_and_reports_conflicts(client, opened, people):
    _as(client, people.orrep)
    entry = entry_of(opened, "A1.2", "ORREP")
    v = entry.version
    ok = client.post(f"/zaznamy/{entry.id}/autosave", data={"version": v, "text": "Rozepsáno"})
    db.session.expire_all()
    new_version = db.session.get(Entry, entry.id).version
    assert ok.status_code == 200 and "Automaticky uloženo" in _text(ok)
    assert f'id="entry-version" value="{new_version}" hx-swap-oob="true"' in _text(ok)
    stale = client.post(f"/zaznamy/{entry.id}/autosave", data={"version": v, "text": "Jiný text"})
    assert stale.status_code == 200 and 'data-autosave="conflict"' in _text(stale)
    assert db.session.get(Entry, entry.id).text == "Rozepsáno"


def test_two_sessions_editing_one_entry_lose_nothing(app, opened, people, make_user):
    colleague = make_user("orrep2@kraj-lbc.cz", roles=[], bodies=["ORREP"])
    from workflow.models import RoleAssignment

    colleague.role_assignments.append(RoleAssignment(role="contributor"))
    db.session.commit()
    entry = entry_of(opened, "A1.2", "ORREP")
    first, second = app.test_client(), app.test_client()
    _as(first, people.orrep)
    _as(second, colleague)
    loaded = entry.version  # both opened the form at this version
    a = first.post(
        f"/zaznamy/{entry.id}/upravit", data={"version": loaded, "text": "Text od Aleny", "action": "save"}
    )
    assert a.status_code == 302
    b = second.post(
        f"/zaznamy/{entry.id}/upravit",
        data={"version": loaded, "text": "Text od Borise", "problems": "Chybí data", "action": "save"},
    )
    page = _text(b)
    assert b.status_code == 409
    assert "Záznam mezitím změnil někdo jiný" in page and "Text od Aleny" in page and "Text od Borise" in page
    assert "Chybí data" in page and "Uložit moji verzi" in page
    db.session.expire_all()
    current = db.session.get(Entry, entry.id)
    assert current.text == "Text od Aleny"
    # The conflict page's form carries the current version: saving it now succeeds.
    resolved = second.post(
        f"/zaznamy/{entry.id}/upravit",
        data={"version": current.version, "text": "Text od Aleny. Text od Borise", "action": "save"},
    )
    assert resolved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).text == "Text od Aleny. Text od Borise"


def test_double_clicked_submit_applies_once(client, opened, people):
    _as(client, people.orrep)
    entry = entry_of(opened, "A1.2", "ORREP")
    client.post(
        f"/zaznamy/{entry.id}/upravit",
        data={"version": entry.version, "fulfilment_status": "done", "text": "Hotovo.", "action": "save"},
    )
    db.session.expire_all()
    v = db.session.get(Entry, entry.id).version
    first = client.post(f"/zaznamy/{entry.id}/akce/submit", data={"version": v})
    second = client.post(f"/zaznamy/{entry.id}/akce/submit", data={"version": v}, follow_redirects=True)
    assert first.status_code == 302 and "Tato akce už byla provedena." in _text(second)
    count = db.session.scalars(
        select(EntryTransition).where(EntryTransition.entry_id == entry.id, EntryTransition.name == "submit")
    ).all()
    assert len(count) == 1


def test_return_and_approve_through_the_review_pages(client, opened, people):
    entry = entry_of(opened, "A1.2", "ORREP")
    _as(client, people.orrep)
    client.post(
        f"/zaznamy/{entry.id}/upravit",
        data={
            "version": entry.version,
            "fulfilment_status": "partial",
            "text": "Proběhla dvě setkání.",
            "action": "submit",
        },
    )
    _as(client, people.reviewer)
    queue = _text(client.get(f"/kontrola?round={opened.id}"))
    assert "A1.2" in queue and "Zkontrolovat" in queue
    page = _text(client.get(f"/kontrola/{entry.id}"))
    assert "Letošní plnění" in page and "Vrátit k doplnění" in page and "Schválit" in page
    db.session.expire_all()
    v = db.session.get(Entry, entry.id).version
    refused = client.post(
        f"/zaznamy/{entry.id}/akce/send_back", data={"version": v, "comment": ""}, follow_redirects=True
    )
    assert "vyžaduje zdůvodnění" in _text(refused)
    client.post(
        f"/zaznamy/{entry.id}/akce/send_back", data={"version": v, "comment": "Doplňte počty účastníků."}
    )
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).state == EntryState.returned
    _as(client, people.orrep)
    detail = _text(client.get(f"/zaznamy/{entry.id}"))
    assert "Vráceno k doplnění:" in detail and "Doplňte počty účastníků." in detail
    v = db.session.get(Entry, entry.id).version
    # reworked (a draft again): the form still says why it came back
    client.post(
        f"/zaznamy/{entry.id}/upravit",
        data={"version": v, "fulfilment_status": "partial", "text": "Proběhla dvě setkání.",
              "action": "save"},
    )
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).state == EntryState.draft
    form = _text(client.get(f"/zaznamy/{entry.id}/upravit"))
    assert "Vráceno k doplnění:" in form and "Doplňte počty účastníků." in form
    v = db.session.get(Entry, entry.id).version
    client.post(
        f"/zaznamy/{entry.id}/upravit",
        data={
            "version": v,
            "fulfilment_status": "partial",
            "text": "Proběhla dvě setkání, 40 účastníků.",
            "action": "submit",
        },
    )
    _as(client, people.reviewer)
    review = _text(client.get(f"/kontrola/{entry.id}"))
    assert "Srovnání s loňským plněním" in review
    client.post(f"/kontrola/{entry.id}/hodnoceni", data={"assessment": "Splněno částečně.", "public": "y"})
    db.session.expire_all()
    v = db.session.get(Entry, entry.id).version
    approved = client.post(f"/zaznamy/{entry.id}/akce/approve", data={"version": v}, follow_redirects=True)
    assert "Záznam byl schválen." in _text(approved)
    history = _text(client.get(f"/zaznamy/{entry.id}/historie"))
    assert history.count("Verze ") >= 5 and "Doplňte počty účastníků." in history
    assert '<ins class="diff-ins">' in history


def test_visibility_404_and_403(client, opened, people):
    entry = entry_of(opened, "A1.1", "OSV")
    _as(client, people.osmts)
    assert client.get(f"/zaznamy/{entry.id}").status_code == 404
    assert client.get("/zaznamy/999999").status_code == 404
    assert client.get("/kontrola").status_code == 403
    _as(client, people.commission)
    assert client.get(f"/zaznamy/{entry.id}").status_code == 404  # not approved yet
    _as(client, people.reviewer)
    assert client.get(f"/zaznamy/{entry.id}").status_code == 200
    assert client.get(f"/zaznamy/{entry.id}/upravit").status_code == 403
    _as(client, people.reviewer_b)
    assert client.get(f"/kontrola/{entry.id}").status_code == 404  # area A is outside the scope


def test_attachment_upload_and_permission_checked_download(client, opened, people):
    entry = entry_of(opened, "A1.2", "ORREP")
    _as(client, people.orrep)
    response = client.post(
        f"/zaznamy/{entry.id}/prilohy",
        data={"file": (io.BytesIO(b"%PDF-1.7 zapis"), "../zápis z jednání.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Příloha byla nahrána." in _text(response)
    attachment = db.session.scalar(select(Attachment).where(Attachment.entry_id == entry.id))
    assert attachment.filename == "zápis z jednání.pdf"
    download = client.get(f"/prilohy/{attachment.id}")
    assert download.status_code == 200 and download.data == b"%PDF-1.7 zapis"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download.headers["Content-Disposition"]
    download.close()
    bad = client.post(
        f"/zaznamy/{entry.id}/prilohy",
        data={"file": (io.BytesIO(b"MZ\x90\x00"), "virus.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Povolené jsou jen soubory PDF" in _text(bad)
    _as(client, people.osv)
    assert client.get(f"/prilohy/{attachment.id}").status_code == 404


def test_extension_request_and_decision(client, opened, people):
    _as(client, people.osv)
    osv_id = entry_of(opened, "A1.1", "OSV").body_id
    page = client.get(f"/kola/{opened.id}/prodlouzeni")
    assert page.status_code == 200 and "Žádost o prodloužení termínu" in _text(page)
    client.post(
        f"/kola/{opened.id}/prodlouzeni",
        data={"body_id": osv_id, "reason": "Čekáme na data.", "requested_until": "2099-03-20"},
    )
    _as(client, people.secretary)
    detail = _text(client.get(f"/kola/{opened.id}"))
    assert "čeká na rozhodnutí" in detail and "Čekáme na data." in detail
    from workflow.models import DeadlineExtension

    ext = db.session.scalar(select(DeadlineExtension))
    done = client.post(
        f"/kola/{opened.id}/prodlouzeni/{ext.id}",
        data={"decision": "grant", "granted_until": "2099-03-20"},
        follow_redirects=True,
    )
    assert "Prodloužení bylo povoleno" in _text(done)
    _as(client, people.osv)
    assert "20. 3. 2099" in _text(client.get("/moje-ukoly"))


def _count_queries(app, fn):
    statements = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(statements)


@pytest.mark.parametrize(
    "path", ["/kontrola?round={r}&state=all", "/kola/{r}", "/moje-ukoly", "/api/v1/rounds/{r}/entries"]
)
def test_query_count_does_not_grow_with_entries(app, client, small_plan, people, path):
    """3 entries vs 30 entries: the same number of SQL statements."""
    from workflow.models import Activity, ActivityBody, PlanNode
    from workflow.rounds import create_round, open_round

    goal = db.session.scalar(select(PlanNode).where(PlanNode.code == "A1"))
    counts = []
    for size, title in ((3, "Malé kolo"), (30, "Velké kolo")):
        for i in range(size):
            activity = Activity(
                plan_id=small_plan.plan.id,
                node_id=goal.id,
                top_node_id=goal.parent_id,
                code=f"Z{size}.{i}",
                sort_key=f"Z{size}.{i:03}",
                deadline_kind="ongoing",
            )
            activity.routing = [ActivityBody(body=small_plan.bodies["OSV"], position=0)]
            db.session.add(activity)
        db.session.flush()
        round_ = create_round(
            small_plan.plan.id,
            people.secretary,
            title=title,
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            submission_deadline=date(2099, 1, 1),
        )
        # Only the new activities: exclude the fixture's and the other size's.
        from workflow.models import RoundActivity

        for ra in db.session.scalars(select(RoundActivity).where(RoundActivity.round_id == round_.id)):
            ra.included = ra.activity.code.startswith(f"Z{size}.")
        open_round(round_, people.secretary)
        db.session.commit()
        user = people.secretary if "kola" in path or "api" in path else people.reviewer
        if path == "/moje-ukoly":
            user = people.osv
            db.session.execute(
                Entry.__table__.update().where(Entry.round_id != round_.id).values(state="approved")
            )
            db.session.execute(  # the other rounds closed (closing itself: test_round_transition_table.py)
                ReportingRound.__table__.update()
                .where(ReportingRound.id != round_.id, ReportingRound.state == "open")
                .values(state="closed")
            )
            db.session.commit()
        if "kontrola" in path:
            db.session.execute(
                Entry.__table__.update().where(Entry.round_id == round_.id).values(state="submitted")
            )
            db.session.commit()
        _as(client, user)
        url = path.format(r=round_.id)
        n_entries = db.session.query(Entry).filter(Entry.round_id == round_.id).count()
        assert n_entries == size
        holder = {}

        def fetch(url=url, holder=holder):
            holder["r"] = client.get(url)

        n = _count_queries(app, fetch)
        assert holder["r"].status_code == 200, url
        body = _text(holder["r"])
        assert len(re.findall(rf"Z{size}\.\d+", body)) >= (size if "kola/" not in url else 0)
        counts.append(n)
    assert counts[0] == counts[1], counts


def test_stale_save_after_a_submit_still_shows_both_versions(app, opened, people, make_user):
    """Somebody submitted while I was typing: my save meets a submitted entry, yet nothing I
    typed is lost — the conflict page shows it next to the submitted answer."""
    colleague = make_user("orrep3@kraj-lbc.cz", roles=["contributor"], bodies=["ORREP"])
    entry = entry_of(opened, "A1.2", "ORREP")
    loaded = entry.version
    first, second = app.test_client(), app.test_client()
    _as(first, people.orrep)
    _as(second, colleague)
    submitted = first.post(
        f"/zaznamy/{entry.id}/upravit",
        data={"version": loaded, "fulfilment_status": "done", "text": "Odevzdané znění.", "action": "submit"},
    )
    assert submitted.status_code == 302
    late = second.post(
        f"/zaznamy/{entry.id}/upravit",
        data={"version": loaded, "text": "Moje rozepsané znění.", "action": "save"},
    )
    page = _text(late)
    assert late.status_code == 409
    assert "Odevzdané znění." in page and "Moje rozepsané znění." in page
    assert "Uložit moji verzi" not in page  # a submitted entry cannot be overwritten


def test_an_incomplete_submit_keeps_the_draft_and_its_form_carries_the_saved_version(client, opened, people):
    """The submit writes the answer with its new state in one UPDATE (issue 17); when the answer is
    incomplete the draft is still saved and the page's form carries the version that save made, so
    the next save goes through instead of ending on the conflict page."""
    entry = entry_of(opened, "A1.2", "ORREP")
    _as(client, people.orrep)
    refused = client.post(
        f"/zaznamy/{entry.id}/upravit",
        data={"version": entry.version, "fulfilment_status": "", "text": "Rozepsáno.", "action": "submit"},
    )
    assert refused.status_code == 422 and "zatím jej nelze odeslat" in _text(refused)
    db.session.expire_all()
    saved = db.session.get(Entry, entry.id)
    assert saved.state == EntryState.draft and saved.text == "Rozepsáno."
    shown = re.search(r'id="entry-version" value="(\d+)"', _text(refused))
    assert shown and int(shown.group(1)) == saved.version
    again = client.post(
        f"/zaznamy/{entry.id}/upravit",
        data={"version": shown.group(1), "fulfilment_status": "done", "text": "Hotovo.", "action": "submit"},
    )
    assert again.status_code == 302 and "/upravit" not in again.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).state == EntryState.submitted
