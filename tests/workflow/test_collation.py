"""Czech order in SQL (workflow.collation): the same order as Python's ICU key, on both databases."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from web.extensions import db
from workflow.collation import czech
from workflow.models import Body, BodyAlias, User
from workflow.text import czech_sort_key

#: Deliberately inserted out of order: code-point order would put „Čáslav“ and „Řepín“ last and
#: „Chrastava“ before „Dubá“; Czech order puts Č after C, Ch after H, Ř after R.
NAMES = ["Řepín", "Dubá", "Čáslav", "Hrádek", "Chrastava", "Cvikov", "Rokytnice", "Zákupy", "cesta"]
CZECH_ORDER = ["cesta", "Cvikov", "Čáslav", "Dubá", "Hrádek", "Chrastava", "Rokytnice", "Řepín", "Zákupy"]


def _add_bodies() -> None:
    for i, name in enumerate(NAMES):
        db.session.add(Body(abbreviation=name, name=f"Obec {name}", kind="municipality", search_text=str(i)))
    db.session.commit()


def test_order_by_czech_is_czech_alphabetical(app):
    with app.app_context():
        _add_bodies()
        by_abbreviation = db.session.scalars(
            select(Body.abbreviation).order_by(czech(Body.abbreviation))
        ).all()
        by_name = db.session.scalars(select(Body.name).order_by(czech(Body.name).desc())).all()
    assert by_abbreviation == CZECH_ORDER
    assert by_name == [f"Obec {n}" for n in reversed(CZECH_ORDER)]
    # One rule: SQL agrees with the Python-side key.
    assert sorted(NAMES, key=czech_sort_key) == CZECH_ORDER


def test_caslav_between_cvikov_and_duba_in_the_round_dashboard(app, make_user):
    """A service query: the round dashboard's counts per body (``body_state_counts``)."""
    from plan_fixtures import make_activity, make_plan

    from workflow.dashboards import body_state_counts
    from workflow.rounds import create_round, open_round
    from workflow.states import Role

    with app.app_context():
        _add_bodies()
        plan = make_plan(1)
        towns = {
            b.abbreviation: b for b in db.session.scalars(select(Body).where(Body.kind == "municipality"))
        }
        make_activity(plan.roots[0].children[0], "A1.9", [towns["Dubá"], towns["Čáslav"], towns["Cvikov"]])
        db.session.commit()
        secretary = make_user("tajemnik@kraj-lbc.cz", roles=[Role.secretary])
        round_ = create_round(
            plan.id,
            secretary,
            title="Kolo 2025",
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
            submission_deadline=date(2026, 1, 31),
        )
        open_round(round_, secretary)
        db.session.commit()
        counts = body_state_counts(round_.id, secretary, date(2025, 6, 1))
        abbreviations = [body.abbreviation for body, _states in counts]
    towns_in_order = [a for a in abbreviations if a in {"Dubá", "Čáslav", "Cvikov"}]
    assert towns_in_order == ["Cvikov", "Čáslav", "Dubá"]
    assert abbreviations == sorted(abbreviations, key=czech_sort_key)


def test_relationships_load_in_czech_order(app, make_user):
    """``User.bodies`` and ``Body.aliases`` are ordered by the collation too."""
    with app.app_context():
        _add_bodies()
        user_id = make_user("a@kraj-lbc.cz", bodies=["Dubá", "Čáslav", "Cvikov"]).id
        body = db.session.scalars(select(Body).where(Body.abbreviation == "Dubá")).one()
        body.aliases = [
            BodyAlias(alias=a, normalized=a.casefold()) for a in ("Dubá pod Ralskem", "Čáp", "Cerhenice")
        ]
        db.session.commit()
        db.session.expunge_all()
        user = db.session.get(User, user_id)
        body = db.session.scalars(select(Body).where(Body.abbreviation == "Dubá")).one()
        assert [b.abbreviation for b in user.bodies] == ["Cvikov", "Čáslav", "Dubá"]
        assert [a.alias for a in body.aliases] == ["Cerhenice", "Čáp", "Dubá pod Ralskem"]
