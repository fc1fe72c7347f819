"""A plan of activity cards (the shape of seed 001, the region's mid-term plan of social
services): each card has a number, a title („Název aktivity“), a description („Popis aktivity a
její výstupy“), „Doba realizace“, „Odpovědnost za realizaci“ and eight further attributes.
Built with the factories, as the import would store it (issue 14); imported explicitly by the
tests (no conftest)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from factories import ActivityFactory, AreaFactory, BodyFactory, GoalFactory, PlanFactory, make_user

from devdata.world import opened_round
from web.extensions import db
from workflow.models import Activity, Entry, Plan, ReportingRound, User
from workflow.states import Role

#: The eight further attributes of seed 001's cards, in the source's column order. Values keep
#: what is hard to keep: line breaks, „§“, bullets, Czech quotes, characters HTML escapes
#: (``<``, ``&``), a value a spreadsheet would evaluate (``+20 …``), a one-letter preposition.
CARD_1 = {
    "Cílové skupiny uživatelů": "Rodiny s dětmi, mládež do 26 let",
    "Dotčené druhy sociálních služeb (§)": (
        "Sociální poradenství (§ 37), Osobní asistence (§ 39), Raná péče (§ 54),\n"
        "Telefonická krizová pomoc (§ 55), Azylové domy (§ 57)"
    ),
    "Předpokládané náklady": (
        "Dle rozvojových záměrů definovaných zadavateli sociálních služeb,\nprovoz služeb v ZS LK"
    ),
    "Zdroje financování": "EU, MPSV, LK, obce",
    "Opatření vedoucí k naplnění": (
        "• Udržení a optimalizace (posílení) stávajících kapacit ambulantních i terénních služeb\n"
        "• Podpora činnosti koordinátora rodinné politiky"
    ),
    "Vazba na projekty": "CZ.03.02.02/00/22_006/0001329",
    "Kapacita": "+20 lůžek <odhad> & 3 úvazky",
    "Poznámka": "Karta navazuje na kartu 6.5.2 („Realizace opatření …“).",
}
#: The second card lacks „Dotčené druhy sociálních služeb (§)“ (as some cards of seed 001 do).
CARD_2 = {
    "Cílové skupiny uživatelů": "Rodiny s dětmi",
    "Předpokládané náklady": "3 mil. Kč ročně",
    "Zdroje financování": "MPSV, LK",
    "Opatření vedoucí k naplnění": "• Zajištění dostupnosti krizové pomoci 24/7",
    "Vazba na projekty": "—",
    "Kapacita": "=2*3",
    "Poznámka": "",
}
LABELS = list(CARD_1)
CARDS = {
    "1.1.1": (
        "Podpora rodiny v přirozeném prostředí",
        "Podpora, rozvoj a stabilizace dostupnosti ambulantních a terénních sociálních služeb "
        "zaměřených na sanaci rodiny jako prevence umístění dětí do ústavní péče.",
        CARD_1,
    ),
    "1.1.2": (
        "Posílení krizové pomoci rodinám s dětmi",
        "Zajištění dostupnosti krizové pomoci rodinám s dětmi v celém kraji.",
        CARD_2,
    ),
}


@dataclass
class Cards:
    """The cards plan, its open round, the OSV entries and the people."""

    plan: Plan
    round: ReportingRound
    activities: dict[str, Activity]
    entries: dict[str, Entry]
    secretary: User
    contributor: User
    reviewer: User


def build_cards() -> Cards:
    """The cards plan (area 1, goal 1.1, cards 1.1.1 and 1.1.2 routed to OSV) with an opened round."""
    osv = BodyFactory(abbreviation="OSV", name="Odbor sociálních věcí")
    plan = PlanFactory(
        title="Střednědobý plán rozvoje sociálních služeb Libereckého kraje 2024–2026",
        strategy="", period="2024–2026", default_body=osv,
        level_names=["Oblast", "Priorita", "Karta aktivity"],
    )
    area = AreaFactory(
        plan=plan, code="1", position=0,
        title="OBLAST PÉČE O RODINY S DĚTMI A PREVENCE SOCIÁLNÍHO VYLOUČENÍ DĚTÍ A MLÁDEŽE",
    )
    goal = GoalFactory(area=area, code="1.1", title="Zvýšení podpory funkční rodin")
    activities = {
        code: ActivityFactory(
            goal=goal, code=code, title=title, description=description, indicator="",
            deadline_raw="2024+", deadline_kind="unknown",
            responsibility_raw="LK ve spolupráci s obcemi, poskytovatelé sociálních služeb, obce",
            cooperation="", extra=dict(extra), bodies=[osv],
        )
        for code, (title, description, extra) in CARDS.items()
    }
    secretary = make_user("tajemnik@kraj-lbc.cz", roles=[Role.secretary])
    contributor = make_user("zpracovatel@kraj-lbc.cz", roles=[Role.contributor], bodies=["OSV"])
    reviewer = make_user("hodnotitel@kraj-lbc.cz", roles=[Role.reviewer])
    round_ = opened_round(plan.id, secretary, year=2026)
    entries = {e.activity.code: e for e in db.session.query(Entry).filter_by(round_id=round_.id)}
    return Cards(plan, round_, activities, entries, secretary, contributor, reviewer)


@pytest.fixture
def cards(app) -> Cards:  # type: ignore[no-untyped-def]
    with app.test_request_context("/"):
        return build_cards()
