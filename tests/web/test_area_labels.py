"""The pages that filter, show or name the plans' top-level nodes follow the plans shown
(workflow.level_labels.area_labels, one section per page below): the small plan's „Okruh“ keeps
„Okruh“ / „Všechny okruhy“, a plan of „Prioritní oblast“ gets its own name, plans shown together
the neutral „Nejvyšší úroveň“ with a group per plan, and a flat plan no area filter or column."""

from __future__ import annotations

import io
import re
from html import unescape

import openpyxl
import pytest
from flask import g
from level_fixtures import flat_plan, priority_plan
from offline_helpers import edit_cell, upload
from round_fixtures import login
from sqlalchemy import select

from devdata.world import opened_round
from web.extensions import db
from workflow.models import Body, PlanNode, RoleAssignment
from workflow.states import Role


@pytest.fixture
def world(small_plan, people, opened):
    """Open rounds of three plans: the small plan's (Okruh; OSV, OŠMTS, ORREP), one of „Prioritní
    oblast“ routed to LK and a flat one routed to MČ."""
    mc = Body(abbreviation="MČ", name="Městská část Vratislavice", kind="department")
    db.session.add(mc)
    db.session.commit()
    priority = priority_plan(small_plan.bodies["LK"])
    flat = flat_plan(mc)
    return {
        "okruh": opened,
        "priority": opened_round(priority.id, people.secretary, year=2026),
        "flat": opened_round(flat.id, people.secretary, year=2026),
        "priority_plan": priority,
        "flat_plan": flat,
    }


def _as(client, user):
    client.post("/odhlaseni")
    assert login(client, user).status_code == 302


def _page(client, url: str) -> str:
    g.pop("_flask_babel", None)  # the test's app context would keep the first request's locale
    response = client.get(url)
    assert response.status_code == 200, url
    return unescape(response.get_data(as_text=True))


def _field(page: str, name: str) -> tuple[str, str] | None:
    """``(label, options)`` of the select ``name``, ``None`` when the page has none."""
    label = rf'<label[^>]*for="{name}"[^>]*>([^<]*)</label>'
    found = re.search(label + rf'\s*<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    return (found.group(1), found.group(2)) if found else None


def _area_filter(page: str) -> tuple[str, str] | None:
    """The area filter of the queue or of „Moje úkoly“ (:func:`_field`)."""
    return _field(page, "area")


def _options(html: str) -> list[str]:
    return re.findall(r"<option[^>]*>([^<]*)</option>", html)


def _groups(html: str) -> list[str]:
    return re.findall(r'<optgroup label="([^"]*)">', html)


def _headers(page: str) -> list[str]:
    [head] = re.findall(r"<thead>(.*?)</thead>", page, re.S)
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r'<th scope="col">(.*?)</th>', head, re.S)]


def _cells(page: str, code: str) -> list[str]:
    """The ``<td>`` cells of the queue's row of activity ``code``."""
    row = re.search(rf'activity-code">{re.escape(code)}</th>(.*?)</tr>', page, re.S)
    assert row, code
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)


# ---------------------------------------------------------------------------- the review queue


def test_the_queue_of_a_round_names_its_plans_top_level(client, world, people):
    _as(client, people.secretary)
    page = _page(client, f"/kontrola?round={world['priority'].id}&state=all")
    label, options = _area_filter(page)
    assert label == "Prioritní oblast"
    assert _options(options) == ["Vše", "1 – Dostupné bydlení", "2 – Zaměstnanost"]  # this plan's only
    assert not _groups(options)
    assert _headers(page)[:4] == ["Aktivita", "Subjekt", "Prioritní oblast", "Stav"]
    assert _cells(page, "2.1.1")[1] == "2"
    assert "Okruh" not in page and "okruhy" not in page

    # an area of another plan with this round's filter is „all“ (it would match nothing)
    other = world["okruh"].plan.roots[0]
    page = _page(client, f"/kontrola?round={world['priority'].id}&state=all&area={other.id}")
    assert re.search(r'<option selected value="0">Vše</option>', page)
    assert "area=0" in page and f"area={other.id}" not in page


def test_the_queue_of_a_flat_plans_round_has_no_area_filter_or_column(client, world, people):
    _as(client, people.secretary)
    page = _page(client, f"/kontrola?round={world['flat'].id}&state=all")
    assert _area_filter(page) is None and 'name="area"' not in page
    assert _headers(page)[:3] == ["Aktivita", "Subjekt", "Stav"]
    cells = _cells(page, "1")
    assert len(cells) == len(_headers(page)) - 1  # one <th> per row is the activity's code
    assert "Okruh" not in page and "Nejvyšší úroveň" not in page
    # the rows come from the page cache the second time: still without the area's cell
    again = _page(client, f"/kontrola?round={world['flat'].id}&state=all")
    assert re.findall(r"<tbody>.*?</tbody>", again, re.S) == re.findall(r"<tbody>.*?</tbody>", page, re.S)


def test_the_queue_of_the_regions_round_keeps_okruh(client, world, people):
    _as(client, people.secretary)
    page = _page(client, f"/kontrola?round={world['okruh'].id}&state=all")
    label, options = _area_filter(page)
    assert label == "Okruh" and _options(options)[0] == "Všechny okruhy"
    assert [o[0] for o in _options(options)[1:]] == ["A", "B"] and not _groups(options)
    assert "Okruh" in _headers(page) and "Dostupné bydlení" not in options


def test_the_queue_of_all_rounds_groups_the_areas_per_plan_under_a_neutral_name(client, world, people):
    _as(client, people.secretary)
    page = _page(client, "/kontrola?round=0&state=all")
    label, options = _area_filter(page)
    assert label == "Nejvyšší úroveň" and _options(options)[0] == "Vše"
    assert _groups(options) == [
        f"{world['okruh'].plan.title} (Okruh)", "Akční plán města (Prioritní oblast)",
    ]  # the flat plan has no group: nothing to pick
    assert "Nejvyšší úroveň" in _headers(page) and "Okruh" not in _headers(page)
    assert _cells(page, "1.1.1")[1] == "1"
    assert _cells(page, "1")[1] == ""  # a flat plan's entry: an empty cell, not „None“
    # the filter still narrows to the area picked
    area = db.session.scalar(
        select(PlanNode).where(PlanNode.plan_id == world["priority_plan"].id, PlanNode.code == "2")
    )
    narrowed = _page(client, f"/kontrola?round=0&state=all&area={area.id}")
    assert f'<option selected value="{area.id}">2 – Zaměstnanost</option>' in narrowed
    assert re.findall(r'activity-code">([^<]+)</th>', narrowed) == ["2.1.1"]


def test_the_queue_in_english(client, world, make_user):
    _as(client, make_user("en@kraj-lbc.cz", roles=[Role.secretary], locale="en"))
    label, options = _area_filter(_page(client, f"/kontrola?round={world['okruh'].id}&state=all"))
    assert (label, _options(options)[0]) == ("Area", "All areas")
    label, options = _area_filter(_page(client, f"/kontrola?round={world['priority'].id}&state=all"))
    assert (label, _options(options)[0]) == ("Prioritní oblast", "All")
    label, options = _area_filter(_page(client, "/kontrola?round=0&state=all"))
    assert (label, _options(options)[0]) == ("Top level", "All")


def test_where_only_the_regions_plan_exists_the_queue_is_as_it_was(client, opened, people):
    _as(client, people.reviewer)
    for url in ("/kontrola", "/kontrola?round=0&state=all"):
        page = _page(client, url)
        label, options = _area_filter(page)
        assert (label, _options(options)[0]) == ("Okruh", "Všechny okruhy") and not _groups(options)
        if "<thead>" in page:
            assert "Okruh" in _headers(page)


# ------------------------------------------------------------------------------- Moje úkoly


def test_moje_ukoly_names_the_area_filter_after_the_plans_of_the_users_entries(
    client, world, people, make_user
):
    _as(client, people.osv)  # the small plan only: as it was
    label, options = _area_filter(_page(client, "/moje-ukoly"))
    assert label == "Okruh" and _options(options)[0] == "Všechny okruhy" and not _groups(options)

    _as(client, make_user("lk@kraj-lbc.cz", roles=[Role.contributor], bodies=["LK"]))
    label, options = _area_filter(_page(client, "/moje-ukoly"))
    assert label == "Prioritní oblast"
    assert _options(options) == ["Vše", "1 – Dostupné bydlení", "2 – Zaměstnanost"]

    _as(client, make_user("mc@kraj-lbc.cz", roles=[Role.contributor], bodies=["MČ"]))
    page = _page(client, "/moje-ukoly")
    assert "MČ · Monitoring plnění akčního plánu 2026" in page  # their tasks, without the filter
    assert _area_filter(page) is None and 'name="area"' not in page and "Všechny okruhy" not in page

    _as(client, make_user("vse@kraj-lbc.cz", roles=[Role.contributor], bodies=["OSV", "LK", "MČ"]))
    page = _page(client, "/moje-ukoly")
    label, options = _area_filter(page)
    assert label == "Nejvyšší úroveň" and _options(options)[0] == "Vše"
    assert _groups(options) == [f"{world['okruh'].plan.title} (Okruh)", "Akční plán města (Prioritní oblast)"]
    area = db.session.scalar(
        select(PlanNode).where(PlanNode.plan_id == world["priority_plan"].id, PlanNode.code == "1")
    )
    narrowed = _page(client, f"/moje-ukoly?area={area.id}")
    assert f'<option selected value="{area.id}">1 – Dostupné bydlení</option>' in narrowed
    assert "1.1.1" in narrowed and "2.1.1" not in narrowed and "A1.1" not in narrowed


# ----------------------------------------------------------------------------- administration


def _role_area(page: str) -> tuple[str, str] | None:
    """The area of a reviewer's scope in the user's administration (:func:`_field`)."""
    return _field(page, "role-area_id")


def test_a_reviewers_scope_names_the_plans_top_level(client, small_plan, people, make_user):
    reviewer = make_user("novy-hodnotitel@kraj-lbc.cz", roles=[Role.reviewer])
    url = f"/sprava/uzivatele/{reviewer.id}"
    _as(client, people.admin)
    label, options = _role_area(_page(client, url))  # the small plan alone: as it was
    assert label == "Okruh (jen hodnotitel)" and _options(options)[0] == "— všechny okruhy —"
    assert _options(options)[1].startswith(f"{small_plan.plan.title}: A ") and not _groups(options)

    flat_plan(small_plan.bodies["LK"])  # a flat plan adds no choice and changes no word
    assert _role_area(_page(client, url)) == (label, options)

    priority = priority_plan(small_plan.bodies["LK"])
    label, options = _role_area(_page(client, url))
    assert label == "Nejvyšší úroveň (jen hodnotitel)" and _options(options)[0] == "— vše —"
    assert _groups(options) == [small_plan.plan.title + " (Okruh)", "Akční plán města (Prioritní oblast)"]
    assert "Akční plán města: 1 Dostupné bydlení" in _options(options)

    area = next(n for n in priority.roots if n.code == "1")
    response = client.post(f"{url}/role", data={"role-role": "reviewer", "role-area_id": str(area.id)})
    assert response.status_code == 302
    assert db.session.scalar(select(RoleAssignment).where(RoleAssignment.node_id == area.id)) is not None
    assert "Hodnotitel – plán Akční plán města, prioritní oblast 1" in _page(client, url)


def test_the_scope_of_a_plan_of_another_name_alone_and_of_flat_plans_only(client, make_user):
    admin = make_user("spravce@kraj-lbc.cz", roles=[Role.admin])
    reviewer = make_user("hodnotitel@kraj-lbc.cz", roles=[Role.reviewer])
    body = Body(abbreviation="MČ", name="Městská část Vratislavice", kind="department")
    db.session.add(body)
    db.session.commit()
    url = f"/sprava/uzivatele/{reviewer.id}"
    _as(client, admin)
    flat_plan(body)
    page = _page(client, url)
    assert _role_area(page) is None and 'name="role-area_id"' not in page  # nothing to narrow to
    response = client.post(f"{url}/role", data={"role-role": "reviewer"})  # the form works without it
    assert response.status_code == 302

    priority_plan(body)
    label, options = _role_area(_page(client, url))
    assert label == "Prioritní oblast (jen hodnotitel)" and _options(options)[0] == "— vše —"
    assert not _groups(options)


# --------------------------------------------------------------------------- offline workbook


def test_a_flat_plans_workbook_has_no_level_columns_and_reads_back(client, world, make_user):
    _as(client, make_user("mc@kraj-lbc.cz", roles=[Role.contributor], bodies=["MČ"]))
    body = db.session.scalar(select(Body).where(Body.abbreviation == "MČ"))
    response = client.get(f"/moje-ukoly/xlsx/{world['flat'].id}/{body.id}")
    assert response.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(response.data))["Plnění"]
    assert [c.value for c in ws[2]][:2] == ["Kód", "Název aktivity"]
    assert not {"Okruh", "Cíl", "Plán"} & {c.value for c in ws[2]}
    edited = edit_cell(response.data, "2", {"text": "Pasport je hotový."})
    uploaded = upload(client, edited)
    assert uploaded.status_code == 302
    preview = _page(client, uploaded.headers["Location"])
    assert "změněno: 1" in preview and "Pasport je hotový." in preview


def test_a_priority_plans_workbook_is_headed_by_its_levels(client, world, make_user):
    _as(client, make_user("lk@kraj-lbc.cz", roles=[Role.contributor], bodies=["LK"]))
    body = db.session.scalar(select(Body).where(Body.abbreviation == "LK"))
    response = client.get(f"/moje-ukoly/xlsx/{world['priority'].id}/{body.id}")
    ws = openpyxl.load_workbook(io.BytesIO(response.data))["Plnění"]
    assert [c.value for c in ws[2]][:4] == ["Kód", "Prioritní oblast", "Opatření", "Název aktivity"]
    assert [c.value for c in ws[3]][:3] == ["1.1.1", "1", "1.1"]


# ------------------------------------------------------------------- the plan list and deletion


def _lead(page: str) -> str:
    return re.search(r'<p class="text-secondary mb-0">(.*?)</p>', page, re.S).group(1)


def _deletion(page: str) -> str:
    return re.search(r"<p>(Smaže se plán.*?)</p>", page, re.S).group(1)


def test_the_plan_list_and_the_deletion_name_the_plans_own_levels(client, small_plan, people):
    _as(client, people.secretary)
    region = "Plány, jejichž plnění se sleduje, s počty okruhů, cílů a aktivit."
    assert _lead(_page(client, "/plany")) == region
    assert _deletion(_page(client, f"/plany/{small_plan.plan.id}/smazat")).startswith(
        "Smaže se plán se všemi okruhy, cíli a 6 aktivitami,"
    )

    priority = priority_plan(small_plan.bodies["LK"])
    flat = flat_plan(small_plan.bodies["LK"])
    assert _lead(_page(client, "/plany")) == (
        "Plány, jejichž plnění se sleduje, s počty položek na každé úrovni plánu."
    )
    assert _deletion(_page(client, f"/plany/{priority.id}/smazat")).startswith(
        "Smaže se plán s celým jeho členěním (Prioritní oblast / Opatření) a 2 aktivitami,"
    )
    flat_text = _deletion(_page(client, f"/plany/{flat.id}/smazat"))
    assert flat_text.startswith("Smaže se plán s 2 aktivitami,") and "okruh" not in flat_text
