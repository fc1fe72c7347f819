"""The resolution of a plan's „Odpovědnost“ names (issue 14 §3), on the plans Czech regions and
municipalities write: seed 001's 50 activity cards and a flat list naming roles and people."""

from __future__ import annotations

import pytest
from routing_fixtures import SEED_001_CARDS, cards_plan, flat_plan
from sqlalchemy import select

from web.extensions import db
from workflow.audit import AuditKind
from workflow.bodies import body_lookup
from workflow.errors import InvalidInput, PermissionDenied
from workflow.models import Activity, AuditEvent, Body, Plan, RoutingAlias
from workflow.responsibility import resolve_responsibility
from workflow.routing.resolution import (
    Target,
    apply_decision,
    confirm_defaults,
    cooperating_bodies,
    decide_activity,
    preview_decision,
    resolution_page,
    review_reasons,
)
from workflow.states import Role

#: Every distinct wording of seed 001 → (bodies lead first, cooperating) once routed right.
EXPECTED = {
    "LK": (["OSV"], []),
    "LK, obce, poskytovatelé sociálních služeb": (["LK", "obce", "PSS"], []),
    "LK ve spolupráci s obcemi, poskytovatelé sociálních služeb": (["LK", "PSS"], ["obce"]),
    "LK ve spolupráci s Agenturou pro sociální začleňování (MMR ČR), obce, poskytovatelé sociálních služeb": (
        ["LK", "obce", "PSS"],
        ["ASZ"],
    ),
    "LK ve spolupráci s obcemi LK, poskytovatelé sociálních služeb": (["LK", "PSS"], ["obce"]),
    "Odbor sociálních věcí KÚ LK": (["OSV"], []),
    "LK a obce ve spolupráci s poskytovateli služby": (["LK", "obce"], ["PSS"]),
    "LK, obce": (["LK", "obce"], []),
    "LK ve spolupráci s obcemi, poskytovatelé sociálních služeb, obce": (["LK", "PSS", "obce"], []),
    "LK ve spolupráci s obcemi, poskytovatelé sociálních služeb, příspěvkové organizace kraje": (
        ["LK", "PSS", "PO LK"],
        ["obce"],
    ),
    "LK v rámci metodické činnosti obcí": (["OSV"], []),
    "Obce ve spolupráci s LK a ASZ": (["obce"], ["LK", "ASZ"]),
    "LK ve spolupráci s obcemi": (["OSV"], ["obce"]),
}


@pytest.fixture
def secretary(app, make_user):
    return make_user("tajemnik@kraj-lbc.cz", roles=[Role.secretary])


def _activities(plan: Plan) -> list[Activity]:
    return list(
        db.session.scalars(select(Activity).where(Activity.plan_id == plan.id).order_by(Activity.sort_key))
    )


def _body(abbreviation: str) -> Body:
    return db.session.scalar(select(Body).where(Body.abbreviation == abbreviation))


def _no_silent_wrong_lead(plan: Plan) -> None:
    """An activity that is not flagged has the lead its wording means; a flagged one says why."""
    activities = _activities(plan)
    reasons = review_reasons(activities, "OSV")
    for activity in activities:
        if activity.routing_needs_review:
            assert reasons[activity.id], activity.code
        else:
            assert activity.lead_body.abbreviation == EXPECTED[activity.responsibility_raw][0][0], (
                activity.code
            )


def test_the_fixture_is_seed_001_as_written():
    assert len(SEED_001_CARDS) == 50
    assert len({responsibility for _code, _title, responsibility in SEED_001_CARDS}) == 13 == len(EXPECTED)


def test_before_any_decision_flags_state_the_real_cause(app):
    plan = cards_plan()
    activities = {a.code: a for a in _activities(plan)}
    reasons = review_reasons(activities.values(), "OSV")
    # an unrecognised first name is said to be one, never "odbor není uveden"
    assert reasons[activities["6.5.5"].id].startswith("nerozpoznaný název „Obce“")
    # the region alone with unrecognised partners: both causes are named
    assert reasons[activities["2.1.1"].id] == (
        "odbor není uveden; přiděleno výchozímu subjektu OSV; "
        "nerozpoznáno: „obce“, „poskytovatelé sociálních služeb“"
    )
    assert reasons[activities["1.1.5"].id] == "odbor není uveden; přiděleno výchozímu subjektu OSV"
    # ASZ is reached from the instrumental case, as cooperating, on the 5 cards that name it
    cooperating = cooperating_bodies(activities.values(), "OSV")
    assert sorted(code for code, a in activities.items() if "ASZ" in cooperating.get(a.id, [])) == [
        "5.1.1",
        "5.3.1",
        "5.3.2",
        "5.4.1",
        "6.5.5",
    ]
    assert all("ASZ" not in [b.abbreviation for b in a.bodies] for a in activities.values())
    _no_silent_wrong_lead(plan)


def test_cards_plan_routed_right_in_few_decisions(app, secretary):
    """Acceptance (issue 14 §4): 50 cards, 13 wordings, routed right in at most 15 decisions on the
    resolution page, the wording kept, no activity silently given a wrong lead at any step."""
    plan = cards_plan()
    wording = {a.code: a.responsibility_raw for a in _activities(plan)}
    page = resolution_page(plan)
    assert [(row.key, row.count) for row in page.names] == [
        ("obec", 27),  # 28 mentions; card 1.1.1 names „obcemi“ and „obce“ and counts once
        ("poskytovatel sociální služba", 23),
        ("obec lk", 2),
        ("poskytovatel služba", 2),
        ("příspěvkový organizace kraj", 1),
    ]
    assert {"obcemi", "obce", "Obce"} <= set(page.names[0].spellings)
    assert page.names[0].name.casefold() == "obce"  # the nominative is offered, not „obcemi“
    examples = [a.code for a in page.names[0].examples]
    assert len(examples) == len(set(examples)) == 3
    sml, smjn, osv = _body("SML"), _body("SMJN"), _body("OSV")

    decisions = [
        (
            "obce",
            Target("new_group", abbreviation="obce", name="Obce", mode="each", member_ids=(sml.id, smjn.id)),
        ),
        (
            "poskytovatelé sociálních služeb",
            Target(
                "new_group",
                abbreviation="PSS",
                name="Poskytovatelé",
                mode="coordinator",
                coordinator_id=osv.id,
            ),
        ),
        ("obcemi LK", None),  # → the group „obce“, chosen below once it exists
        ("poskytovateli služby", None),
        (
            "příspěvkové organizace kraje",
            Target(
                "new_group", abbreviation="PO LK", name="PO kraje", mode="coordinator", coordinator_id=osv.id
            ),
        ),
    ]
    targets = {"obcemi LK": "obce", "poskytovateli služby": "PSS"}
    count = 0
    for name, target in decisions:
        target = target or Target("body", body_id=_body(targets[name]).id)
        preview = preview_decision(plan, name, target)
        assert preview, name  # the effect is shown before it is applied
        assert all(change.changed for change in preview)
        apply_decision(plan, name, target, secretary)
        count += 1
        _no_silent_wrong_lead(plan)
    assert resolution_page(plan).names == []
    confirmed = confirm_defaults(plan, secretary)
    count += 1
    assert confirmed == 20  # 18 × „LK“, „LK v rámci …“, „LK ve spolupráci s obcemi“
    assert count <= 15

    activities = _activities(plan)
    cooperating = cooperating_bodies(activities, "OSV")
    for activity in activities:
        assert activity.responsibility_raw == wording[activity.code]  # the plan's own wording kept
        bodies, partners = EXPECTED[activity.responsibility_raw]
        assert [b.abbreviation for b in activity.bodies] == bodies, activity.code
        assert cooperating.get(activity.id, []) == partners, activity.code
        assert not activity.routing_needs_review, activity.code
    aliases = db.session.scalars(select(RoutingAlias)).all()
    assert len(aliases) == 5
    kinds = [e.kind for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert kinds.count(AuditKind.routing_alias_decided) == 5
    assert kinds.count(AuditKind.routing_activity_decided) == 1


def test_confirm_count_is_what_the_page_lists(app, secretary):
    plan = cards_plan()
    # before any name is decided only the rows naming nothing but the region wait for confirmation
    assert sorted(a.code for a in resolution_page(plan).defaulted)[:3] == ["1.1.5", "6.1.1", "6.1.2"]
    assert len(resolution_page(plan).defaulted) == 19  # 18 × „LK“ + „LK v rámci metodické činnosti obcí“


def test_a_decision_applies_to_later_imports_of_any_plan(app, secretary):
    plan = cards_plan()
    apply_decision(
        plan,
        "obcemi",
        Target("new_group", abbreviation="obce", mode="each", member_ids=(_body("SML").id,)),
        secretary,
    )
    # what the import of another plan sees: the registry's lookup with the decided alias
    resolution = resolve_responsibility("Obcím ve spolupráci s NNO", body_lookup(), "OSV")
    assert (
        resolution.bodies == ("obce",) and resolution.cooperating == ("NNO",) and not resolution.used_default
    )


def test_decision_refusals(app, secretary, make_user):
    plan = cards_plan()
    reviewer = make_user("hodnotitel@kraj-lbc.cz", roles=[Role.reviewer])
    with pytest.raises(PermissionDenied):
        apply_decision(plan, "obce", Target("none"), reviewer)
    with pytest.raises(InvalidInput, match="Vyberte subjekt"):
        apply_decision(plan, "obce", Target("body", body_id=None), secretary)
    with pytest.raises(InvalidInput, match="už existuje"):
        apply_decision(plan, "obce", Target("new_body", abbreviation="OSV"), secretary)
    with pytest.raises(InvalidInput, match="alespoň jednoho člena"):
        apply_decision(plan, "obce", Target("new_group", abbreviation="obce", mode="each"), secretary)
    apply_decision(plan, "obce", Target("none"), secretary)
    with pytest.raises(InvalidInput, match="už bylo rozhodnuto"):
        apply_decision(plan, "obcemi", Target("none"), secretary)  # the same name, inflected


def test_flat_list_naming_roles_and_people(app, secretary):
    """A municipality's flat list („politik, komise …, Rada MČ“): flagged with the right reasons,
    then resolved on the page: a role is „není subjekt“, bodies are created."""
    plan = flat_plan()
    activities = {a.code: a for a in _activities(plan)}
    reasons = review_reasons(activities.values(), "OSV")
    assert (
        reasons[activities["1"].id] == "nerozpoznaný název „politik“; zatím přiděleno výchozímu subjektu OSV"
    )
    assert reasons[activities["2"].id].startswith("nerozpoznaný název „komise pro sociální věci“")
    assert reasons[activities["3"].id].startswith("nerozpoznaný název „Rada MČ“")
    assert all(a.routing_needs_review for a in activities.values())
    assert [row.name for row in resolution_page(plan).names] == [
        "komise pro sociální věci",
        "Rada MČ",
        "politik",
        "odbor sociálních věcí ÚMČ",
    ]

    apply_decision(plan, "politik", Target("none"), secretary)
    assert activities["1"].routing_needs_review  # its first real name is still unknown
    assert review_reasons([activities["1"]], "OSV")[activities["1"].id].startswith(
        "nerozpoznaný název „komise pro sociální věci“"
    )
    apply_decision(
        plan, "komise pro sociální věci", Target("new_body", abbreviation="KSV", name="Komise"), secretary
    )
    apply_decision(
        plan, "Rada MČ", Target("new_body", abbreviation="Rada MČ", name="Rada městské části"), secretary
    )
    apply_decision(plan, "odbor sociálních věcí ÚMČ", Target("new_body", abbreviation="OSV ÚMČ"), secretary)
    routed = {code: [b.abbreviation for b in a.bodies] for code, a in activities.items()}
    assert routed == {
        "1": ["KSV", "Rada MČ"],
        "2": ["KSV"],
        "3": ["Rada MČ"],
        "4": ["KSV"],
        "5": ["Rada MČ", "OSV ÚMČ"],
    }
    assert not any(a.routing_needs_review for a in activities.values())
    assert resolution_page(plan).names == []


def test_explicit_decision_clears_the_flag_and_survives_reresolution(app, secretary):
    plan = flat_plan()
    activity = next(a for a in _activities(plan) if a.code == "3")
    decide_activity(activity, [_body("OSV").id, _body("LK").id], secretary, note="rada = OSV")
    assert not activity.routing_needs_review
    assert [b.abbreviation for b in activity.bodies] == ["OSV", "LK"]
    # a later decision about another name re-resolves the plan but leaves the decided activity
    apply_decision(plan, "Rada MČ", Target("new_body", abbreviation="Rada MČ"), secretary)
    assert [b.abbreviation for b in activity.bodies] == ["OSV", "LK"]
    with pytest.raises(InvalidInput):
        decide_activity(activity, [], secretary, note="nic")
    with pytest.raises(InvalidInput):
        decide_activity(activity, [_body("OSV").id], secretary, note=" ")


def test_a_body_created_in_the_registry_clears_the_flag_it_resolves(app, make_user):
    from workflow.accounts.bodies import save_body

    plan = flat_plan()
    admin = make_user("spravce@kraj-lbc.cz", roles=[Role.admin])
    activities = {a.code: a for a in _activities(plan)}
    assert activities["3"].routing_needs_review
    save_body(
        None,
        abbreviation="Rada MČ",
        name="Rada městské části",
        kind="other",
        parent=None,
        aliases=[],
        actor=admin,
    )
    assert not activities["3"].routing_needs_review
    assert [b.abbreviation for b in activities["3"].bodies] == ["Rada MČ"]
    assert [b.abbreviation for b in activities["5"].bodies] == ["Rada MČ"]  # its partner still unknown
    assert activities["1"].routing_needs_review  # „politik“ is still undecided
