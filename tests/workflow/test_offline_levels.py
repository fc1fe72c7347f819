"""The offline workbook's level columns (workflow.offline.workbook.level_columns) follow the rule
of workflow.level_labels: the region's „Okruh“ / „Cíl“ as ever (translated in English), a plan of
„Prioritní oblast“ / „Opatření“ its own names as written, a flat plan no level column at all."""

from __future__ import annotations

import io

import openpyxl
import pytest
from i18n_support import in_language
from level_fixtures import PRIORITY_LEVELS, flat_plan, priority_plan

from devdata.world import opened_round
from web.extensions import db
from workflow.models import Body, Plan
from workflow.offline import body_entries, build_workbook
from workflow.offline.workbook import level_columns


@pytest.fixture
def rounds(small_plan, people):
    """The small plan's open round (Okruh / Cíl), and open rounds of a plan of „Prioritní oblast“
    (routed to LK) and of a flat plan (routed to a body of its own)."""
    lk = small_plan.bodies["LK"]
    mc = Body(abbreviation="MČ", name="Městská část Vratislavice", kind="department")
    db.session.add(mc)
    db.session.commit()
    okruh = opened_round(small_plan.plan.id, people.secretary)
    priority = opened_round(priority_plan(lk).id, people.secretary, year=2026)
    flat = opened_round(flat_plan(mc).id, people.secretary, year=2026)
    return {"okruh": (okruh, small_plan.bodies["OSV"]), "priority": (priority, lk), "flat": (flat, mc)}


def _sheet(round_, body):
    content = build_workbook(round_, body, body_entries(round_, body), "tajemstvi")
    ws = openpyxl.load_workbook(io.BytesIO(content))["Plnění"]
    keys = [c.value for c in ws[1]]
    headers = dict(zip(keys, (c.value for c in ws[2]), strict=True))
    rows = [dict(zip(keys, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=3)]
    return keys, headers, rows


def test_the_workbook_heads_the_level_columns_with_the_plans_own_names(app, rounds):
    with app.test_request_context("/"):
        keys, headers, rows = _sheet(*rounds["okruh"])
        assert keys[:4] == ["code", "area", "goal", "title"]
        assert (headers["area"], headers["goal"]) == ("Okruh", "Cíl")  # as ever
        assert {(r["code"], r["area"], r["goal"]) for r in rows} >= {("A1.1", "A", "A1"), ("B1.1", "B", "B1")}

        keys, headers, rows = _sheet(*rounds["priority"])
        assert keys[:4] == ["code", "area", "goal", "title"]
        assert (headers["area"], headers["goal"]) == ("Prioritní oblast", "Opatření")
        codes = [(r["code"], r["area"], r["goal"]) for r in rows]
        assert codes == [("1.1.1", "1", "1.1"), ("2.1.1", "2", "2.1")]
        assert "Okruh" not in headers.values() and "Cíl" not in headers.values()

        keys, headers, rows = _sheet(*rounds["flat"])
        assert keys[:2] == ["code", "title"] and "area" not in keys and "goal" not in keys
        assert [r["code"] for r in rows] == ["1", "2"]
        assert not {"Okruh", "Cíl", "Plán"} & set(headers.values())


def test_the_workbook_in_english_translates_only_the_regions_words(app, rounds):
    with in_language(app, "en"):
        _keys, headers, _rows = _sheet(*rounds["okruh"])
        assert (headers["area"], headers["goal"]) == ("Area", "Goal")
        _keys, headers, _rows = _sheet(*rounds["priority"])
        assert (headers["area"], headers["goal"]) == ("Prioritní oblast", "Opatření")


def test_a_plan_of_one_level_has_no_second_column_of_the_same_node(app):
    with app.test_request_context("/"):
        one = Plan(title="Jedna úroveň", level_names=["Oblast", "Aktivita"])
        assert level_columns(one) == [("area", "Oblast")]
        assert level_columns(Plan(title="Plochý", level_names=["Aktivita"])) == []
        names = ["Strategický cíl", "Specifický cíl", "Opatření", "Aktivita"]
        three = Plan(title="Tři úrovně", level_names=names)
        assert level_columns(three) == [("area", "Strategický cíl"), ("goal", "Opatření")]
        assert level_columns(Plan(title="Kraj", level_names=list(PRIORITY_LEVELS))) == [
            ("area", "Prioritní oblast"), ("goal", "Opatření"),
        ]
