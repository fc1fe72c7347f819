"""The whole year of Plnění in a real browser (issue 7): every role's part, against ``gunicorn`` and a
Celery worker on the test database, with e-mails captured as ``.eml`` files and axe-core on every
main page.

The journey is one test of numbered steps (``test-artifacts/screens/NN-name.png``). A failing step
saves its screenshot and the browser console, the steps that depend on it are reported as blocked,
the independent ones still run, and the test fails at the end with the status of every step.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from browser_fixtures import (
    CSP_VIOLATIONS,
    PHONE,
    SCREENS,
    AxeReport,
    Journey,
    LiveServer,
    assert_no_csp_violations,
    dump_json,
    email_text,
    first_link,
    new_page,
    no_horizontal_scroll,
    overflowing_elements,
    sign_in,
)
from flask import Flask
from support import REQUIRE_SERVICES

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the test extra installs it
    if REQUIRE_SERVICES:
        raise
    pytest.skip("playwright is not installed", allow_module_level=True)
from sqlalchemy import select
from support import REAL_PLAN_XLSX, TEST_PASSWORD

from web.extensions import db
from workflow.models import Activity, Body, Entry, ReportingRound, RoundSnapshot, User
from workflow.states import EntryState, Role

CONTRIBUTOR = "zpracovatel.osv@kraj-lbc.cz"
CONTRIBUTOR_PASSWORD = "modrý vlak jede pomalu 2025"
DRAFT_TEXT = ("Krajský úřad uspořádal v roce 2025 tři kulaté stoly k dostupnosti sociálních služeb; "
              "zúčastnilo se 46 poskytovatelů. Č, ř, ů: diakritika zůstává.")
FIXED_TEXT = DRAFT_TEXT + " Doplněno: zápisy ze všech jednání jsou zveřejněny na webu kraje."
RETURN_REASON = "Doplňte prosím, kde jsou zveřejněny zápisy z kulatých stolů."


class Steps(Journey):
    """A journey whose steps are functions: a failed step blocks only the steps that need it."""

    def __init__(self) -> None:
        super().__init__()
        self.status: dict[str, str] = {}

    def run(self, name: str, page: Any, fn: Callable[[], None], needs: Iterable[str] = ()) -> bool:
        missing = [n for n in needs if self.status.get(n) != "ok"]
        if missing:
            self.number += 1
            self.status[name] = f"BLOCKED (needs {', '.join(missing)})"
            return False
        try:
            with self.step(name, page):
                fn()
        except Exception as exc:  # recorded; the test fails at the end
            first_line = str(exc).splitlines()[0] if str(exc) else ""
            self.status[name] = f"FAILED: {type(exc).__name__}: {first_line}"
            print(f"step {name} failed:\n{exc}")
            return False
        self.status[name] = "ok"
        return True


def _fresh() -> None:
    """End the test process's transaction so it sees the server's commits (and holds no lock)."""
    db.session.rollback()


def _entry_state(entry_id: int) -> str:
    _fresh()
    state = db.session.get(Entry, entry_id).state
    db.session.rollback()
    return str(state)


def _wait_state(entry_id: int, expected: EntryState, timeout: float = 10.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while _entry_state(entry_id) != expected.value:
        assert time.monotonic() < deadline, f"entry {entry_id} is {_entry_state(entry_id)}, not {expected}"
        time.sleep(0.2)


def _make_user(
    email: str, roles: list[Role], bodies: Iterable[str] = (), locale: str = "cs", name: str = ""
) -> int:
    from workflow.models import RoleAssignment
    from workflow.passwords import hash_password

    _fresh()
    user = User(email=email, name=name or email.split("@")[0], password_hash=hash_password(TEST_PASSWORD),
                active=True, locale=locale)
    user.role_assignments = [RoleAssignment(role=r) for r in roles]
    for abbreviation in bodies:
        user.bodies.append(db.session.scalars(select(Body).filter_by(abbreviation=abbreviation)).one())
    db.session.add(user)
    db.session.commit()
    return user.id


def test_the_whole_year_in_a_browser(app: Flask, browser: Any, live_server: LiveServer) -> None:
    for old in SCREENS.glob("[0-9][0-9]*"):  # screenshots of an earlier run
        old.unlink()
    journey = Steps()
    axe = AxeReport()
    CSP_VIOLATIONS.clear()  # every page below runs under the product's real Content-Security-Policy
    s: dict[str, Any] = {}
    today = date.today()
    deadline = today + timedelta(days=7)

    # People who exist before the year starts (the administrator creates them; not the subject here).
    _make_user("tajemnik@kraj-lbc.cz", [Role.secretary], name="Tereza Tajemná")
    _make_user("spravce@kraj-lbc.cz", [Role.admin], name="Karel Správce")
    _make_user("hodnotitel@kraj-lbc.cz", [Role.reviewer], name="Hana Hodnotitelová")

    def page_for(who: str, email: str | None, **kwargs: Any) -> Any:
        page = journey.watch(new_page(browser, live_server.url, **kwargs), who)
        page.on("dialog", lambda dialog: (s.setdefault("dialogs", []).append(dialog.type), dialog.accept()))
        if email:
            sign_in(page, email, TEST_PASSWORD)
        return page

    secretary = page_for("tajemník", "tajemnik@kraj-lbc.cz")
    a11y = axe.check

    # 1 ------------------------------------------------------------------ the secretary imports the plan
    def import_plan() -> None:
        page = secretary
        page.goto("/")
        page.get_by_role("link", name="Import plánu").click()
        expect(page.locator("h1")).to_have_text("Import plánu")
        a11y(page)
        page.get_by_label("Soubor").set_input_files(str(REAL_PLAN_XLSX))
        page.get_by_label("Cíl importu").select_option("novy")  # always chosen, never preset (issue 14)
        page.get_by_label("Název plánu").fill("Akční plán sociálního začleňování Libereckého kraje")
        page.get_by_label("Období").fill("2024–2025")
        page.get_by_role("button", name="Nahrát a zobrazit náhled").click()
        expect(page.locator("h1")).to_have_text("Náhled importu")
        # the routing preview: counts and the bodies that answer for the activities
        shown = page.locator("[data-count=activities]").inner_text()  # e.g. "1\xa0600"-style digits
        activities = int(shown.replace("\xa0", "").replace(" ", ""))
        assert activities > 50, activities
        expect(page.locator("main")).to_contain_text("OSV")
        a11y(page)
        page.screenshot(path=str(SCREENS / "01a-import-preview.png"), full_page=True)
        page.get_by_role("button", name="Potvrdit a importovat").click()
        page.wait_for_load_state()
        expect(page.locator(".flash-messages")).to_be_visible()  # lands on the imported plan
        expect(page.locator("main")).to_contain_text("A1.9")
        a11y(page)
        _fresh()
        s["a19"] = db.session.scalars(select(Activity.id).where(Activity.code == "A1.9")).first()
        db.session.rollback()
        assert s["a19"], "A1.9 was not imported"

    journey.run("import-plan", secretary, import_plan)

    # 2 ------------------------------------------------------------------ the secretary opens a round
    def open_round() -> None:
        page = secretary
        page.goto("/kola")
        a11y(page)
        page.goto("/kola/nove")
        a11y(page)
        page.get_by_label("Název kola").fill("Monitoring plnění akčního plánu 2025")
        page.get_by_label("Sledované období od").fill("2025-01-01")
        page.get_by_label("Sledované období do").fill("2025-12-31")
        page.get_by_label("Datum otevření").fill(today.isoformat())
        page.get_by_label("Termín odevzdání").fill(deadline.isoformat())
        page.get_by_label("Termín kontroly").fill((deadline + timedelta(days=21)).isoformat())
        page.get_by_role("button", name="Založit a zobrazit směrování").click()
        expect(page.locator("h1")).to_have_text("Výběr aktivit a směrování")
        a11y(page)
        page.screenshot(path=str(SCREENS / "02a-routing-preview.png"), full_page=True)
        page.get_by_role("button", name="Otevřít kolo").click()
        page.wait_for_load_state()
        assert "confirm" in s.get("dialogs", []), "opening a round asks for confirmation"
        _fresh()
        round_ = db.session.scalars(select(ReportingRound).order_by(ReportingRound.id.desc())).first()
        assert round_ is not None and round_.state == "open", round_ and round_.state
        s["round"] = round_.id
        entries = db.session.execute(
            select(Entry.id, Body.abbreviation, Activity.code, Entry.state)
            .join(Body, Entry.body_id == Body.id).join(Activity, Entry.activity_id == Activity.id)
            .where(Entry.round_id == round_.id)
        ).all()
        db.session.rollback()
        s["a19_entry"] = next(e.id for e in entries if e.abbreviation == "OSV" and e.code == "A1.9")
        per_body: dict[str, list[int]] = {}
        for e in entries:
            per_body.setdefault(e.abbreviation, []).append(e.id)
        others = sorted((b for b in per_body if b != "OSV"), key=lambda b: -len(per_body[b]))
        assert len(others) >= 2, per_body.keys()
        s["bulk_body"], s["late_body"] = others[0], others[1]
        s["bulk_entries"] = per_body[others[0]][:4]
        page.goto(f"/kola/{round_.id}")
        expect(page.locator("main")).to_contain_text("Monitoring plnění akčního plánu 2025")
        a11y(page)

    journey.run("open-round", secretary, open_round, needs=["import-plan"])

    # 3 ------------------------------------------------------------------ the contributor is invited
    admin = page_for("správce", "spravce@kraj-lbc.cz")

    def invite() -> None:
        page = admin
        page.goto("/sprava/uzivatele/pozvat")
        a11y(page)
        page.get_by_role("textbox", name="E-mail").fill(CONTRIBUTOR)
        page.get_by_label("Jméno a příjmení").fill("Olga Sociální")
        page.get_by_label("Role").select_option("contributor")
        _fresh()
        osv = db.session.scalars(select(Body.id).filter_by(abbreviation="OSV")).one()
        db.session.rollback()
        page.get_by_label("Subjekty").select_option(str(osv))
        page.get_by_role("button", name="Založit uživatele").click()
        page.wait_for_load_state()
        expect(page.locator(".flash-messages")).to_be_visible()
        a11y(page)
        message = live_server.wait_for_email(CONTRIBUTOR)
        s["invitation"] = first_link(message, "/pozvanka/")
        assert s["invitation"].startswith(live_server.url), s["invitation"]
        assert "Plnění" in str(message["Subject"]) or "pozvánka" in str(message["Subject"]).lower()

    journey.run("invite-contributor", admin, invite, needs=["import-plan"])

    contributor = page_for("zpracovatel", None)

    def accept_invitation() -> None:
        page = contributor
        page.goto(s["invitation"])
        a11y(page)
        page.get_by_label("Nové heslo", exact=True).fill(CONTRIBUTOR_PASSWORD)
        page.get_by_label("Nové heslo znovu").fill(CONTRIBUTOR_PASSWORD)
        page.get_by_role("button", name="Nastavit heslo a přihlásit se").click()
        page.wait_for_load_state()
        assert "/pozvanka/" not in page.url and "/prihlaseni" not in page.url, page.url
        expect(page.get_by_role("button", name=re.compile("Olga Sociální"))).to_be_visible()
        s["contributor_landing"] = page.url.removeprefix(live_server.url)  # checked in "landing-pages"

    journey.run("set-password", contributor, accept_invitation, needs=["invite-contributor"])

    # 4 ------------------------------------------------------------------ draft, reload, submit
    def task_filters() -> None:
        # issue 16, item 9: „Moje úkoly“ searches by code or text and filters by state, deadline, area
        page = contributor
        page.goto("/moje-ukoly")
        filters = page.get_by_role("search")
        filters.get_by_label("Hledat").fill("A1.9")
        filters.get_by_label("Stav").select_option("not_started")
        filters.get_by_role("button", name="Filtrovat").click()
        page.wait_for_load_state()
        codes = page.locator("tbody .activity-code").all_inner_texts()
        assert codes == ["A1.9"], codes
        filters = page.get_by_role("search")
        filters.get_by_label("Stav").select_option("approved")
        filters.get_by_role("button", name="Filtrovat").click()
        page.wait_for_load_state()
        expect(page.locator("tbody .activity-code")).to_have_count(0)
        filters = page.get_by_role("search")
        _fresh()
        a19 = db.session.get(Activity, s["a19"])
        words, area_id = a19.description.split()[:3], a19.top_node_id
        db.session.rollback()
        filters.get_by_label("Hledat").fill(" ".join(words).lower())  # words of the activity's text
        filters.get_by_label("Stav").select_option("")
        filters.get_by_label("Termín").select_option("week")
        filters.get_by_label("Okruh").select_option(str(area_id))
        filters.get_by_role("button", name="Filtrovat").click()
        page.wait_for_load_state()
        assert "A1.9" in page.locator("tbody .activity-code").all_inner_texts()
        a11y(page)

    journey.run("task-filters", contributor, task_filters, needs=["set-password", "open-round"])

    def fill_draft() -> None:
        page = contributor
        page.goto("/moje-ukoly")
        expect(page.locator("h1")).to_have_text("Moje úkoly")
        expect(page.locator("progress").first).to_be_visible()
        a11y(page)
        row = page.locator("tr").filter(has=page.locator(".activity-code", has_text=re.compile(r"^A1\.9$")))
        row.get_by_role("link", name="Vyplnit").click()
        expect(page.locator("#text")).to_be_visible()
        a11y(page)
        page.get_by_label("Stav plnění").select_option(label="Plní se průběžně")
        # Leaving a field autosaves (htmx). Here the autosave reaches the server (the entry's
        # version goes up) but its answer is held back, and the user clicks „Uložit rozpracované“
        # meanwhile: the form must wait for the answer (with the new version) and then save,
        # instead of posting the old version into the conflict page.
        held: list[Any] = []
        page.route("**/autosave", lambda route: held.append((route, route.fetch())))
        page.locator("#text").fill(DRAFT_TEXT)
        page.locator("#text").blur()
        for _ in range(200):
            if held:
                break
            page.wait_for_timeout(50)
        assert held, "leaving the text field did not start an autosave"
        page.get_by_role("button", name="Uložit rozpracované").click()
        page.wait_for_timeout(500)
        expect(page.locator("#entry-form")).to_be_attached()  # the save was held, not sent
        route, response = held.pop()
        with page.expect_navigation():
            route.fulfill(response=response)
        page.unroute("**/autosave")
        page.wait_for_load_state()
        expect(page.locator(".flash-messages")).to_be_visible()
        expect(page.locator("main")).not_to_contain_text("změnil někdo jiný")
        page.reload()
        expect(page.locator("#text")).to_have_value(DRAFT_TEXT)
        expect(page.get_by_label("Stav plnění")).to_have_value("ongoing")
        assert _entry_state(s["a19_entry"]) == EntryState.draft.value

    journey.run("draft-reload", contributor, fill_draft, needs=["set-password", "open-round"])

    def unsaved_warning() -> None:
        page = contributor
        page.locator("#text").press("End")
        page.locator("#text").type(" neuloženo")
        s["dialogs"] = []
        page.goto("/moje-ukoly")
        assert "beforeunload" in s["dialogs"], f"no warning before leaving unsaved changes: {s['dialogs']}"
        page.goto(f"/zaznamy/{s['a19_entry']}/upravit")
        expect(page.locator("#text")).to_have_value(DRAFT_TEXT)

    journey.run("unsaved-changes-warning", contributor, unsaved_warning, needs=["draft-reload"])

    def submit() -> None:
        # issue 16, item 1: with the form scrolled to the bottom, the user edits a field and clicks
        # „Odeslat ke kontrole“ at once, with a human's pause between pressing and releasing the
        # button. Leaving the field starts an autosave; nothing near the button may move meanwhile.
        page = contributor
        page.goto(f"/zaznamy/{s['a19_entry']}/upravit")
        page.locator("#text").fill(DRAFT_TEXT + " Průběžně.")
        page.locator("#text").blur()
        expect(page.locator("#autosave-status [data-autosave=saved]")).to_be_attached(timeout=15_000)
        page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
        page.evaluate("() => document.getElementById('problems').focus({preventScroll: true})")
        page.keyboard.type("Bez problémů.")
        button = page.get_by_role("button", name="Odeslat ke kontrole")
        box = button.bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"], (
            f"the button is not on screen at the bottom of the page: {box}")
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, delay=150)
        _wait_state(s["a19_entry"], EntryState.submitted, timeout=8.0)
        page.wait_for_load_state()
        expect(page.locator(".flash-messages")).to_be_visible()
        a11y(page)

    journey.run("submit", contributor, submit, needs=["draft-reload"])

    def next_task_link() -> None:
        # issue 16, item 9: the confirmation of „Odeslat ke kontrole“ leads on to the next open task
        page = contributor
        next_task = page.get_by_role("link", name=re.compile("Další úkol"))
        expect(next_task).to_be_visible()
        assert re.search(r"/zaznamy/\d+/upravit$", next_task.get_attribute("href") or ""), next_task

    journey.run("next-task-link", contributor, next_task_link, needs=["submit"])

    # 5 ------------------------------------------------------------------ review: return, fix, approve
    reviewer = page_for("hodnotitel", "hodnotitel@kraj-lbc.cz")

    def send_back() -> None:
        page = reviewer
        page.goto("/kontrola")
        expect(page.locator("h1")).to_be_visible()
        a11y(page)
        page.goto(f"/kontrola/{s['a19_entry']}")
        expect(page.locator("main")).to_contain_text("kulaté stoly")
        a11y(page)
        page.get_by_label("Důvod vrácení").fill(RETURN_REASON)
        page.get_by_role("button", name="Vrátit k doplnění").click()
        page.wait_for_load_state()
        _wait_state(s["a19_entry"], EntryState.returned)
        expect(page.locator(".flash-messages")).to_be_visible()

    journey.run("return-with-reason", reviewer, send_back, needs=["submit"])

    def fix_and_resubmit() -> None:
        page = contributor
        page.goto("/moje-ukoly")
        row = page.locator("tr").filter(has=page.locator(".activity-code", has_text=re.compile(r"^A1\.9$")))
        row.get_by_role("link", name="Pokračovat").click()
        expect(page.locator("main")).to_contain_text(RETURN_REASON)
        a11y(page)
        page.locator("#text").fill(FIXED_TEXT)
        page.locator("#text").blur()
        expect(page.locator("#autosave-status [data-autosave=saved]")).to_be_attached(timeout=15_000)
        page.get_by_role("button", name="Odeslat ke kontrole").click()
        page.wait_for_load_state()
        _wait_state(s["a19_entry"], EntryState.submitted)

    journey.run("fix-resubmit", contributor, fix_and_resubmit, needs=["return-with-reason"])

    def approve() -> None:
        page = reviewer
        page.goto(f"/kontrola/{s['a19_entry']}")
        expect(page.locator("main")).to_contain_text("zápisy ze všech jednání")
        # issue 16, item 8: the decision stays at hand at the top while the reviewer reads on
        page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
        page.wait_for_timeout(100)
        box = page.get_by_role("button", name="Schválit", exact=True).bounding_box()
        assert box and 0 <= box["y"] < page.viewport_size["height"] / 2, f"scrolled away: {box}"
        page.get_by_role("button", name="Schválit", exact=True).click()
        page.wait_for_load_state()
        _wait_state(s["a19_entry"], EntryState.approved)

    journey.run("approve", reviewer, approve, needs=["fix-resubmit"])

    def bulk_approve() -> None:
        from workflow.entries import apply_transition, entry_for_update, save_draft

        # Another body has answered a few activities (through the domain services, as its contributor).
        member_id = _make_user("zpracovatel.bulk@kraj-lbc.cz", [Role.contributor], [s["bulk_body"]])
        member = db.session.get(User, member_id)
        for entry_id in s["bulk_entries"]:
            entry = entry_for_update(entry_id)
            save_draft(entry, member, {"fulfilment_status": "done", "text": "Splněno podle plánu."},
                       expected_version=entry.version)
            apply_transition(entry, "submit", member, expected_version=entry.version)
        db.session.commit()
        _fresh()
        body_id = db.session.scalars(select(Body.id).filter_by(abbreviation=s["bulk_body"])).one()
        db.session.rollback()
        page = reviewer
        queue_url = f"/kontrola?round={s['round']}&body={body_id}"
        page.goto(queue_url)
        a11y(page)
        # issue 16, item 8: tick two rows and approve just those
        first, second, third, fourth = s["bulk_entries"]
        rows = page.locator("tbody tr")
        expect(rows).to_have_count(4)
        ticked = []
        for entry_id in (first, second):
            page.locator(f"input[type=checkbox][value='{entry_id}']").check()
            ticked.append(entry_id)
        page.get_by_role("button", name=re.compile("Schválit vybrané")).click()
        page.wait_for_load_state()
        page.get_by_role("button", name=re.compile(r"Ano, schválit 2 záznam")).click()
        page.wait_for_load_state()
        for entry_id in ticked:
            _wait_state(entry_id, EntryState.approved)
        assert _entry_state(third) == EntryState.submitted.value
        # „Schválit a další“ approves and opens the next entry of the same filtered queue
        page.locator("tbody tr").first.get_by_role("link", name="Zkontrolovat").click()
        page.wait_for_load_state()
        current = int(re.search(r"/kontrola/(\d+)", page.url).group(1))
        following = fourth if current == third else third
        page.get_by_role("button", name="Schválit a další").click()
        page.wait_for_load_state()
        _wait_state(current, EntryState.approved)
        assert re.search(rf"/kontrola/{following}(\?|$)", page.url), page.url
        assert f"body={body_id}" in page.url, page.url
        page.goto(queue_url)
        page.get_by_role("button", name=re.compile("Hromadně schválit")).click()
        page.wait_for_load_state()
        a11y(page)
        page.get_by_role("button", name=re.compile(r"Ano, schválit \d+ záznam")).click()
        page.wait_for_load_state()
        for entry_id in s["bulk_entries"]:
            _wait_state(entry_id, EntryState.approved)
        expect(page.locator(".flash-messages")).to_be_visible()

    journey.run("bulk-approve", reviewer, bulk_approve, needs=["open-round"])

    # 5b ----------------------------------------------------------------- every role lands on its work
    def landing_pages() -> None:
        _make_user("vedouci.bulk@kraj-lbc.cz", [Role.head], [s["bulk_body"]], name="Vladimír Vedoucí")
        lands = {
            "contributor": (CONTRIBUTOR, CONTRIBUTOR_PASSWORD, "/moje-ukoly", True),
            "head": ("vedouci.bulk@kraj-lbc.cz", TEST_PASSWORD, "/moje-ukoly", True),
            "reviewer": ("hodnotitel@kraj-lbc.cz", TEST_PASSWORD, "/kontrola", False),
            "secretary": ("tajemnik@kraj-lbc.cz", TEST_PASSWORD, f"/kola/{s['round']}", False),
            "admin": ("spravce@kraj-lbc.cz", TEST_PASSWORD, "/sprava/", False),
        }
        wrong = []
        if s.get("contributor_landing", "/moje-ukoly") != "/moje-ukoly":  # after accepting the invitation
            wrong.append(f"the invited contributor landed on {s['contributor_landing']}")
        for role, (email, password, path, has_tasks) in lands.items():
            page = page_for(f"{role}-landing", None)
            try:
                sign_in(page, email, password)
                landed = page.url.removeprefix(live_server.url)
                if landed.split("?")[0] != path:
                    wrong.append(f"{role} landed on {landed}, not {path}")
                menu = page.get_by_role("navigation", name="Hlavní navigace")
                shows_tasks = menu.get_by_role("link", name="Moje úkoly").count() > 0
                if shows_tasks != has_tasks:
                    wrong.append(f"{role}: „Moje úkoly“ in the menu is {shows_tasks}, expected {has_tasks}")
                page.screenshot(path=str(SCREENS / f"landing-{role}.png"))
                a11y(page)
            finally:
                page.context.close()
        assert not wrong, "; ".join(wrong)

    journey.run("landing-pages", secretary, landing_pages, needs=["bulk-approve"])

    # 6 ------------------------------------------------------------------ reminders after the deadline
    def reminders() -> None:
        head_email = "vedouci.pozde@kraj-lbc.cz"
        member_email = "zpracovatel.pozde@kraj-lbc.cz"
        _make_user(head_email, [Role.head], [s["late_body"]], name="Věra Vedoucí")
        _make_user(member_email, [Role.contributor], [s["late_body"]], name="Petr Pozdní")
        celery = app.extensions["celery"]
        # The clock travels: the daily sweep runs for the days after the deadline (as beat would).
        for offset in range(1, 12):
            day = deadline + timedelta(days=offset)
            celery.send_task("notifications.send_reminders", args=[day.isoformat()])
        overdue = live_server.wait_for_email(member_email, timeout=60)
        escalation = live_server.wait_for_email(head_email, timeout=60)
        assert s["late_body"] in email_text(overdue), email_text(overdue)
        from notifications.outbox import OutboxMessage

        _fresh()
        kinds = {(m.recipient_email, m.kind) for m in db.session.scalars(select(OutboxMessage))}
        db.session.rollback()
        assert (member_email, "overdue_notice") in kinds, kinds
        assert (head_email, "escalation") in kinds, kinds
        if journey.status.get("bulk-approve") == "ok":  # approved entries are never listed
            _fresh()
            listed = {i for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind.in_(
                ("overdue_notice", "escalation")))) for i in (m.payload or {}).get("entry_ids", [])}
            db.session.rollback()
            assert listed and not listed & set(s["bulk_entries"]), "approved entries must not be reminded"
        (SCREENS.parent / "escalation.eml").write_bytes(bytes(escalation))

    journey.run("reminder-escalation", secretary, reminders, needs=["open-round"])

    # 6b ----------------------------------------------------------------- the contributor on a phone
    def phone() -> None:
        page = page_for("zpracovatel-mobil", None, viewport=PHONE)
        try:
            sign_in(page, CONTRIBUTOR, CONTRIBUTOR_PASSWORD)
            for path in ("/moje-ukoly", f"/zaznamy/{s['a19_entry']}", "/ucet", "/napoveda/contributor"):
                page.goto(path)
                page.screenshot(path=str(SCREENS / f"{journey.number:02d}-phone{path.replace('/', '-')}.png"),
                                full_page=True)
                wide = [] if no_horizontal_scroll(page) else overflowing_elements(page)
                assert not wide, f"{path} scrolls sideways at 375 px: {wide}"
                a11y(page)
        finally:
            page.context.close()

    journey.run("phone-375px", contributor, phone, needs=["approve"])

    # 7 ------------------------------------------------------------------ close the round, download
    def close_round() -> None:
        page = secretary
        page.goto(f"/kola/{s['round']}")
        # the round page leads to the closing checklist; nothing closes without it
        page.get_by_role("link", name="Uzavřít kolo…").click()
        expect(page.locator("h1")).to_have_text("Uzavření kola")
        close_button = page.get_by_role("button", name="Uzavřít kolo a zmrazit zprávu")
        expect(close_button).to_be_disabled()
        a11y(page)
        s["dialogs"] = []
        page.get_by_label("Prominout všechny zbývající záznamy").fill("Nedodáno v termínu.")
        page.get_by_role("button", name="Prominout vše").click()
        page.wait_for_load_state()
        assert "confirm" in s["dialogs"], "waiving every remaining entry asks for confirmation"
        expect(page.locator(".alert-success").first).to_contain_text("Prominuto záznamů:")
        fill = page.get_by_role("button", name=re.compile("Doplnit text ke všem"))
        if fill.count():  # activities whose every entry was waived get the stated text
            fill.click()
            expect(page.locator(".alert-success").first).to_contain_text("Text doplněn k aktivitám:")
        s["dialogs"] = []
        expect(close_button).to_be_enabled()
        close_button.click()
        page.wait_for_load_state()
        assert "confirm" in s["dialogs"], "closing a round asks for confirmation"
        _fresh()
        closed = db.session.get(ReportingRound, s["round"])
        assert closed.state == "closed"
        assert db.session.query(RoundSnapshot).filter_by(round_id=closed.id).count() == 1
        db.session.rollback()
        expect(page.locator("main")).to_contain_text("Kolo bylo uzavřeno a souhrnná zpráva zmrazena.")
        a11y(page)

    journey.run("close-round", secretary, close_round, needs=["open-round"])

    def download_reports() -> None:
        page = secretary
        page.goto(f"/kola/{s['round']}/zprava")
        expect(page.locator("h1")).to_be_visible()
        expect(page.locator("main")).to_contain_text("A1.9")
        a11y(page)
        for fmt, magic in (("docx", b"PK"), ("pdf", b"%PDF")):
            link = page.locator(f"a[href$='.{fmt}']")
            if link.count():
                with page.expect_download(timeout=120_000) as info:
                    link.first.click()
                data = Path(info.value.path()).read_bytes()
                name = info.value.suggested_filename
            else:  # the export is started by a form; fetch the finished file with the same session
                response = page.context.request.get(f"/kola/{s['round']}/zprava.{fmt}", timeout=120_000)
                assert response.ok, f"{fmt}: HTTP {response.status}"
                data, name = response.body(), f"zprava.{fmt}"
            assert data.startswith(magic), f"{name} is not a {fmt.upper()} file"
            assert len(data) > 2000, f"{name} is suspiciously small ({len(data)} bytes)"
            (SCREENS.parent / f"report.{fmt}").write_bytes(data)

    journey.run("download-docx-pdf", secretary, download_reports, needs=["close-round"])

    # 8 ------------------------------------------------------------------ a commission member (English)
    _make_user("komise@kraj-lbc.cz", [Role.commission], locale="en", name="Klára Komisařová")
    commission = page_for("komise", "komise@kraj-lbc.cz")
    s["commission_landing"] = commission.url.removeprefix(live_server.url)

    def commission_reads_in_english() -> None:
        page = commission
        # issue 16, item 7: a commission member lands on the latest report, without „My tasks“
        assert s["commission_landing"] == f"/kola/{s['round']}/zprava", s["commission_landing"]
        page.goto(s["commission_landing"])
        page.screenshot(path=str(SCREENS / "landing-commission.png"))
        expect(page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="My tasks")
               ).to_have_count(0)
        page.goto(f"/kola/{s['round']}/zprava")
        assert page.locator("html").get_attribute("lang") == "en"
        expect(page.locator("main")).to_contain_text("A1.9")
        expect(page.get_by_role("navigation", name="Main navigation")).to_be_visible()
        expect(page.get_by_role("link", name="Plans")).to_be_visible()
        a11y(page)
        for path in (f"/zaznamy/{s['a19_entry']}/upravit", f"/kontrola/{s['a19_entry']}", "/kontrola",
                     f"/zaznamy/{s['bulk_entries'][0]}/upravit", "/import", "/kola/nove"):
            response = page.goto(path)
            status = response.status if response is not None else None
            assert status in (403, 404), f"the commission reached {path}: HTTP {status}"
        assert page.locator("html").get_attribute("lang") == "en"
        a11y(page)  # the error page, in English
        page.goto(f"/kola/{s['round']}/zprava")

    journey.run("commission-en", commission, commission_reads_in_english, needs=["close-round"])

    # 9 ------------------------------------------------------------------ a phone, help and account pages

    def main_pages() -> None:
        page = secretary
        for path in ("/plany", "/subjekty", "/kola", f"/kola/{s['round']}", f"/kola/{s['round']}/smerovani",
                     "/ucet", "/napoveda", "/pristupnost"):
            response = page.goto(path)
            assert response is not None and response.status == 200, f"{path}: {response and response.status}"
            assert page.locator("h1").count() >= 1, f"{path} has no heading"
            a11y(page)
        admin.goto("/sprava/uzivatele")
        a11y(admin)

    journey.run("main-pages-axe", secretary, main_pages, needs=["open-round"])

    dump_json(SCREENS.parent / "journey.json", {"steps": journey.status, "axe_checked": axe.checked,
                                               "axe_minor": axe.minor})
    for context in {p.context for p in (secretary, admin, contributor, reviewer, commission)}:
        context.close()
    report = "\n".join(f"  {name}: {status}" for name, status in journey.status.items())
    print(f"journey steps:\n{report}\naxe checked {len(axe.checked)} pages")
    assert all(v == "ok" for v in journey.status.values()), (
        f"journey steps:\n{report}\n{live_server.log_tail(1500)}"
    )
    axe.assert_clean()
    assert_no_csp_violations()
