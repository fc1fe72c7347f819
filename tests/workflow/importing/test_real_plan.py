"""The real action plan (seed 002, ``data/``) imported from JSON, CSV and XLSX."""

from __future__ import annotations

from datetime import date

import pytest
from import_helpers import REAL_CSV, REAL_JSON, REAL_XLSX, real_activities, real_document
from sqlalchemy import func, select

from web.extensions import db
from workflow.codes import natural_key
from workflow.importing import ImportOptions, PlanImportError, import_plan_file, real_plan_options
from workflow.models import Activity, ActivityBody, Consolidation, Entry, Plan, PlanNode, ReportingRound
from workflow.states import EntryState, RoundState

FILES = {"json": REAL_JSON, "csv": REAL_CSV, "xlsx": REAL_XLSX}
#: The real plan imported as a new plan: its title and period are given (never a default).
NEW = real_plan_options()

#: Ten-plus activities checked field by field against values read off the data by hand:
#: code → (deadline kind, start, end, frequency, bodies lead first, needs review, measures, goals).
EXPECTED = {
    "A1.1": ("ongoing", None, None, None, ["OSV"], True, ["X"], [1, 2, 5, 8, 11, 12]),
    "A1.6": ("ongoing", None, None, None, ["OSV"], False, [], [3, 4, 5, 6, 7, 8, 9, 11, 12, 13]),
    "A1.8": ("ongoing", None, None, None, ["LK", "TUL"], False, ["X"], [1, 2, 5, 8, 11, 12]),
    "A1.9": ("range", date(2023, 5, 1), date(2026, 4, 30), None, ["OSV"], False, ["IX"], [2, 3]),
    "A1.13": ("ongoing", None, None, None, ["OSV"], True, ["X"], [1, 2, 5, 8, 11, 12]),
    "A1.17": ("ongoing", None, None, None, ["OSV", "OZ"], False, ["IX"], [2, 3]),
    "A1.20": (
        "range",
        date(2024, 10, 1),
        date(2027, 12, 31),
        None,
        ["OŠMTS", "ORREP"],
        False,
        ["VI"],
        [5, 8],
    ),
    "A1.22": ("due", None, date(2026, 12, 31), None, ["OSV", "OŠMTS"], False, ["IV"], [4, 5]),
    "A2.3": ("conditional", None, None, None, ["OSV"], True, [], []),
    "B1.1": ("ongoing_until", None, date(2025, 12, 31), None, ["OSV"], False, ["XIII"], [5, 7]),
    "B1.2": ("range", date(2024, 1, 1), date(2027, 12, 31), None, ["OSV"], False, ["XII"], []),
    "B2.6": ("ongoing", None, None, None, ["OSV", "odd. TVV"], False, ["XIII"], [5, 7]),
    "C1.1": ("range", date(2025, 1, 1), date(2026, 12, 31), None, ["OSV"], False, ["VIII"], [1, 2]),
    "D1.6": ("ongoing_range", date(2024, 1, 1), date(2027, 12, 31), None, ["odd. KŘ"], False, ["XI"], [3, 5]),
    "D1.12": ("ongoing", None, None, None, ["OSV", "OŠMTS"], False, ["VI"], [4, 5]),
    "E1.1": ("yearly", None, None, 1, ["OSV"], False, ["VII"], [3, 4, 5, 6, 8, 10, 11]),
    "E1.6": ("due", None, date(2025, 12, 31), None, ["OSV"], False, [], []),
}
REVIEW_CODES = ["A1.1", "A1.2", "A1.13", "A2.1", "A2.3", "A2.7", "B2.1", "D1.2"]


def _activities(plan: Plan) -> dict[str, Activity]:
    return {a.code: a for a in db.session.scalars(select(Activity).where(Activity.plan_id == plan.id))}


@pytest.mark.parametrize("fmt", FILES)
def test_real_plan_counts_texts_and_routing(app, fmt):
    result = import_plan_file(FILES[fmt], options=NEW)
    db.session.commit()
    plan = result.plan

    assert (result.nodes_per_level, len(result.activities)) == ([5, 8], 72)
    assert result.level_names == ["Okruh", "Cíl", "Aktivita"]
    assert (result.created, result.updated, result.unchanged) == (72, 0, 0)
    per_depth = (
        select(PlanNode.depth, func.count()).where(PlanNode.plan_id == plan.id).group_by(PlanNode.depth)
    )
    assert dict(db.session.execute(per_depth).all()) == {0: 5, 1: 8}
    activities = _activities(plan)
    assert len(activities) == 72

    # Every text exactly as in the data, diacritics intact.
    for code, source in real_activities().items():
        activity = activities[code]
        assert activity.node.code == source["goal"] and activity.top_node.code == source["area"]
        assert activity.description == source["description"]
        assert activity.indicator == source["indicator"]
        assert activity.deadline_raw == source["deadline"]
        assert activity.responsibility_raw == source["responsibility"]
        assert activity.strategy_refs_raw == (source["strategy_refs"] or "")
        assert activity.cooperation == (source["cooperation"] or "")
        assert activity.extra == {}
        assert activity.deadline_kind != "unknown", code

    # Field by field for the hand-checked activities.
    for code, (kind, start, end, frequency, bodies, review, measures, goals) in EXPECTED.items():
        activity = activities[code]
        assert activity.deadline_kind == kind, code
        assert (activity.deadline_start, activity.deadline_end, activity.deadline_frequency) == (
            start,
            end,
            frequency,
        )
        assert [link.body.abbreviation for link in activity.routing] == bodies, code
        assert [link.position for link in activity.routing] == list(range(len(bodies)))
        assert activity.lead_body.abbreviation == bodies[0]
        assert activity.routing_needs_review is review, code
        assert activity.routing_unmatched == []
        assert (activity.strategy_measures, activity.strategy_goals) == (measures, goals), code
    assert activities["A2.3"].deadline_condition == "dle připravovaného zákona"
    assert activities["A1.8"].cooperation == "MMR ČR – ASZ"
    assert activities["B1.2"].cooperation == "Agentura pro sociální začleňování – MMR ČR\nobce, NNO"
    assert activities["A1.1"].cooperation_is_none

    assert result.routing_review == REVIEW_CODES
    assert sorted(a.code for a in activities.values() if a.routing_needs_review) == sorted(REVIEW_CODES)
    assert result.unmatched == []

    # Plan metadata defaults for the real plan.
    assert plan.title == "Akční plán sociálního začleňování Libereckého kraje"
    assert plan.strategy == "Strategie sociálního začleňování Libereckého kraje 2021+"
    assert plan.period == "2024–2025"
    assert plan.level_names == ["Okruh", "Cíl", "Aktivita"]
    assert plan.default_body.abbreviation == "OSV"


def test_areas_and_goals_from_json_carry_intros_comments_and_coordination(app):
    plan = import_plan_file(REAL_JSON, options=NEW).plan
    db.session.commit()
    document = real_document()
    areas = {area.code: area for area in plan.roots}
    assert [area.code for area in plan.roots] == ["A", "B", "C", "D", "E"]
    for source in document["areas"]:
        area = areas[source["code"]]
        assert area.title == source["title"]
        assert area.description == source["intro"]
        assert area.footnotes == source.get("footnotes", [])
        assert [goal.code for goal in area.children] == [g["code"] for g in source["goals"]]
        for goal, goal_source in zip(area.children, source["goals"], strict=True):
            assert goal.title == (goal_source["title"] or "")
            assert goal.notes == goal_source["comment"]
            assert goal.coordination == goal_source["coordination"]
    assert areas["D"].children[0].title == ""  # D1 has no title in the source
    assert plan.abbreviations == document["abbreviations"]
    assert plan.abbreviations["OŠMTS"] == "Odbor školství, tělovýchovy a sportu"


def test_xlsx_reads_area_titles_and_goal_comments_from_the_goals_sheet(app):
    plan = import_plan_file(REAL_XLSX, options=NEW).plan
    db.session.commit()
    document = real_document()
    goals = {goal.code: goal for area in plan.roots for goal in area.children}
    for area_source in document["areas"]:
        for goal_source in area_source["goals"]:
            goal = goals[goal_source["code"]]
            assert goal.title == (goal_source["title"] or "")
            assert goal.notes == goal_source["comment"]
    assert {area.code: area.title for area in plan.roots}["B"] == "Osvěta, komunikace"


def test_csv_import_has_no_goal_comments_but_titles(app):
    plan = import_plan_file(REAL_CSV, options=NEW).plan
    db.session.commit()
    goals = {goal.code: goal for area in plan.roots for goal in area.children}
    assert goals["A1"].title == "Mezioborová spolupráce"
    assert goals["D1"].title == ""
    assert goals["A1"].notes == ""


def test_activities_sort_naturally_in_sql(app):
    plan = import_plan_file(REAL_JSON, options=NEW).plan
    db.session.commit()
    codes = list(
        db.session.scalars(
            select(Activity.code).where(Activity.plan_id == plan.id).order_by(Activity.sort_key)
        )
    )
    assert codes == sorted(real_activities(), key=natural_key)
    assert codes.index("A1.2") < codes.index("A1.10") < codes.index("A2.1") < codes.index("B1.1")
    assert [a.code for a in plan.roots[0].children[0].activities][:3] == ["A1.1", "A1.2", "A1.3"]


def test_fulfilment_becomes_a_closed_imported_round(app):
    result = import_plan_file(REAL_JSON, options=NEW)
    db.session.commit()
    round_ = result.history_round
    assert round_ is not None
    assert round_.title == "Monitoring plnění akčního plánu 2024–2025"
    assert (round_.period_start, round_.period_end) == (date(2024, 1, 1), date(2025, 12, 31))
    assert round_.state == RoundState.closed and round_.imported is True and round_.closed_at is not None

    sources = real_activities()
    activities = _activities(result.plan)
    entries = db.session.scalars(select(Entry).where(Entry.round_id == round_.id)).all()
    routed = db.session.scalar(select(func.count()).select_from(ActivityBody))
    assert len(entries) == routed == sum(len(a.routing) for a in activities.values())
    for entry in entries:
        assert entry.state == EntryState.approved
        assert entry.fulfilment_status is None
        assert entry.approved_at is not None
        assert entry.text == sources[entry.activity.code]["fulfilment"]
    a120 = activities["A1.20"]
    assert sorted(e.body.abbreviation for e in entries if e.activity_id == a120.id) == ["ORREP", "OŠMTS"]

    consolidations = {
        c.activity.code: c
        for c in db.session.scalars(select(Consolidation).where(Consolidation.round_id == round_.id))
    }
    assert len(consolidations) == 72
    for code, source in sources.items():
        assert consolidations[code].text == source["fulfilment"]
        assert consolidations[code].source == "imported"
    assert "není možné ověřit" in consolidations["A1.2"].text


@pytest.mark.parametrize(
    "first,second", [("json", "json"), ("csv", "csv"), ("xlsx", "xlsx"), ("json", "csv")]
)
def test_reimport_is_idempotent(app, first, second):
    plan = import_plan_file(FILES[first], options=NEW).plan
    db.session.commit()
    counts = {
        model: db.session.scalar(select(func.count()).select_from(model))
        for model in (Plan, PlanNode, Activity, ActivityBody, ReportingRound, Entry, Consolidation)
    }
    result = import_plan_file(FILES[second], plan=plan)
    db.session.commit()
    assert (result.created, result.updated, result.unchanged) == (0, 0, 72)
    assert result.changes == 0
    assert all(change.status == "unchanged" and change.changed == [] for change in result.activities)
    assert {model: db.session.scalar(select(func.count()).select_from(model)) for model in counts} == counts


def test_reimport_updates_changed_rows_by_code(app):
    plan = import_plan_file(REAL_JSON, options=NEW).plan
    db.session.commit()
    a120 = _activities(plan)["A1.20"]
    a120.description = "Starý popis"
    a120.routing = a120.routing[:1]
    a120.deadline_raw, a120.deadline_kind = "?", "unknown"
    db.session.commit()

    result = import_plan_file(REAL_CSV, plan=plan)
    db.session.commit()
    assert (result.created, result.updated, result.unchanged) == (0, 1, 71)
    change = next(c for c in result.activities if c.code == "A1.20")
    assert change.status == "updated"
    assert {"description", "deadline_raw", "deadline_kind", "routing"} <= set(change.changed)
    assert change.changed_labels[:3] == ["popis", "termín", "přidělení subjektům"]
    db.session.expire_all()
    a120 = _activities(plan)["A1.20"]
    assert a120.description == real_activities()["A1.20"]["description"]
    assert [b.abbreviation for b in a120.bodies] == ["OŠMTS", "ORREP"]
    assert a120.deadline_kind == "range"


def test_the_target_is_explicit_a_plan_of_the_same_title_is_not_looked_up(app):
    first = import_plan_file(REAL_JSON, options=NEW).plan
    db.session.commit()
    with pytest.raises(PlanImportError) as error:
        import_plan_file(REAL_CSV)
    assert error.value.codes == ["missing_title", "missing_period"]
    db.session.rollback()
    same_title = import_plan_file(REAL_CSV, options=NEW).plan
    db.session.commit()
    assert same_title.id != first.id  # „nový plán“ is a new plan even under an existing title
    other = import_plan_file(REAL_CSV, options=ImportOptions(title="Kopie plánu", period="2024–2025")).plan
    db.session.commit()
    assert other.id != first.id and other.title == "Kopie plánu"
    assert import_plan_file(REAL_XLSX, plan=other).plan.id == other.id
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 3
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 3 * 72


def test_dry_run_writes_no_plan(app):
    result = import_plan_file(REAL_XLSX, dry_run=True, options=NEW)
    assert result.plan is None and result.created == 72
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0


def test_real_plan_fixture_matches(real_plan):
    assert real_plan.title == "Akční plán sociálního začleňování Libereckého kraje"
    assert len(real_plan.activities) == 72
