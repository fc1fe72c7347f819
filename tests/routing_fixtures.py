"""Plans in the shapes Czech plans come in, for the routing tests (issue 14 §3).

- :data:`SEED_001_CARDS` – the 50 activity cards of seed 001 (the regional social-services plan,
  SPRSS LK 2024–2026) that state „Odpovědnost za realizaci“: number, „Název aktivity“ and the
  responsibility text exactly as printed (line breaks joined by a space, as a user pasting the
  cards into a spreadsheet gets them). 13 distinct responsibility values.
- :data:`FLAT_LIST` – a small municipality's flat numbered list whose „Zodpovědnost“ names roles
  and people („politik, komise …, Rada MČ“), as such plans are written.

:func:`cards_plan` and :func:`flat_plan` build the plan rows and route them exactly as the import
does (:func:`workflow.responsibility.resolve_responsibility` over the registry's lookup, here
through :func:`workflow.routing.resolution.reresolve`).
"""

from __future__ import annotations

from plan_fixtures import sort_key

from web.extensions import db
from workflow.bodies import ensure_seed_bodies
from workflow.models import Activity, Body, Plan, PlanNode, place_activity
from workflow.routing.resolution import reresolve

SEED_001_CARDS: list[tuple[str, str, str]] = [
    (
        "1.1.1",
        "Podpora rodiny v přirozeném prostředí",
        "LK ve spolupráci s obcemi, poskytovatelé sociálních služeb, obce",
    ),
    (
        "1.1.2",
        "Posílení krizové pomoci rodinám s dětmi",
        "LK ve spolupráci s obcemi LK, poskytovatelé sociálních služeb",
    ),
    (
        "1.1.3",
        "Rozvoj služeb zajišťujících ranou péči a podpora SAS pro rodiny",
        "LK ve spolupráci s obcemi LK, poskytovatelé sociálních služeb",
    ),
    (
        "1.1.4",
        "Podpora zaměřená na pečující osoby",
        "LK ve spolupráci s obcemi, poskytovatelé sociálních služeb",
    ),
    ("1.1.5", "Podpora zaměřená na osoby pečující o děti PAS", "LK"),
    (
        "1.1.6",
        "Posílení krizové pomoci dětem a mládeži",
        "LK ve spolupráci s obcemi, poskytovatelé sociálních služeb",
    ),
    ("2.1.1", "Zvýšení dostupnosti terénní péče", "LK, obce, poskytovatelé sociálních služeb"),
    (
        "2.1.2",
        "Zvýšení dostupnosti ambulantní péče",
        "LK ve spolupráci s obcemi, poskytovatelé sociálních služeb",
    ),
    (
        "2.1.4",
        "Posílení krizové pomoci pro seniory",
        "LK ve spolupráci s obcemi, poskytovatelé sociálních služeb",
    ),
    ("2.1.5", "Podpora pečujících osob", "LK ve spolupráci s obcemi, poskytovatelé sociálních služeb"),
    ("3.1.2", "Zvýšení dostupnosti ambulantních služeb", "LK, obce, poskytovatelé sociálních služeb"),
    (
        "3.1.3",
        "Zvýšení dostupnosti pobytových služeb",
        "LK ve spolupráci s obcemi, poskytovatelé sociálních služeb, příspěvkové organizace kraje",
    ),
    (
        "3.1.4",
        "Posílení krizové pomoci pro osoby se zdravotním postižením",
        "LK ve spolupráci s obcemi, poskytovatelé sociálních služeb",
    ),
    ("3.1.5", "Podpora pečujících osob", "LK, obce, poskytovatelé sociálních služeb"),
    (
        "4.1.1",
        "Zvýšení dostupnosti terénních a ambulantních služeb",
        "LK, obce, poskytovatelé sociálních služeb",
    ),
    ("4.1.2", "Zvýšení dostupnosti pobytových služeb", "LK, obce, poskytovatelé sociálních služeb"),
    ("4.1.3", "Podpora pečujících osob", "LK, obce, poskytovatelé sociálních služeb"),
    (
        "5.1.1",
        "Zvýšení dostupnosti terénních a ambulantních služeb (se zaměřením",
        "LK ve spolupráci s Agenturou pro sociální začleňování (MMR ČR), obce, poskytovatelé sociálních služeb",  # noqa: E501
    ),
    ("5.2.1", "Zvýšení dostupnosti terénních služeb", "LK, obce, poskytovatelé sociálních služeb"),
    ("5.2.2", "Zvýšení dostupnosti ambulantních služeb", "LK, obce, poskytovatelé sociálních služeb"),
    ("5.2.3", "Zvýšení dostupnosti kontaktních center", "LK, obce, poskytovatelé sociálních služeb"),
    (
        "5.3.1",
        "Zvýšení dostupnosti terénních, ambulantních a pobytových služeb",
        "LK ve spolupráci s Agenturou pro sociální začleňování (MMR ČR), obce, poskytovatelé sociálních služeb",  # noqa: E501
    ),
    (
        "5.3.2",
        "Podpora návazného bydlení u osob opouštějících náhradní rodinnou",
        "LK ve spolupráci s Agenturou pro sociální začleňování (MMR ČR), obce, poskytovatelé sociálních služeb",  # noqa: E501
    ),
    (
        "5.4.1",
        "Zvýšení dostupnosti terénních a poradenských služeb",
        "LK ve spolupráci s Agenturou pro sociální začleňování (MMR ČR), obce, poskytovatelé sociálních služeb",  # noqa: E501
    ),
    ("6.1.1", "Transformace – Služby sociální péče TEREZA, p. o.", "LK"),
    ("6.1.2", "Transformace – APOSS Liberec, p. o.", "LK"),
    ("6.1.3", "Humanizace – Dětské centrum Liberec, příspěvková organizace", "LK"),
    ("6.1.4", "Rozšíření pobytových služeb pro ženy s neurodegenerativním", "LK"),
    ("6.1.5", "Podpora vzniku CDZ pro SMI", "LK"),
    ("6.1.6", "Vzdělávání v oblasti BIOGRAFICKÉ PÉČE", "LK"),
    ("6.1.7", "Posílení dluhového poradenství", "LK"),
    ("6.2.1", "Metodické vedení krajem zřizovaných sociálních služeb – metodik", "LK"),
    ("6.2.2", "Podpora dostupnosti informací o sociálních službách pro uživatele", "LK"),
    ("6.2.3", "Podpora spolupráce zainteresovaných subjektů", "LK"),
    (
        "6.3.1",
        "Větší míra zapojení obcí do spolufinancování a stabilizace sítě",
        "LK v rámci metodické činnosti obcí",
    ),
    (
        "6.3.2",
        "Systém financování v návaznosti na stanovenou Základní síť sociálních",
        "Odbor sociálních věcí KÚ LK",
    ),
    (
        "6.3.3",
        "Udržení finanční podpory sociálních služeb Libereckým krajem pro",
        "Odbor sociálních věcí KÚ LK",
    ),
    (
        "6.3.4",
        "Aktivní zapojení obcí v rámci realizace financování politiky v oblasti",
        "LK a obce ve spolupráci s poskytovateli služby",
    ),
    ("6.4.1", "Podpora vzájemné spolupráce a partnerství v rámci plánování sociálních", "LK, obce"),
    ("6.4.2", "Optimalizace procesů v ZSLK (metodická vedení a podpora sociálních", "LK"),
    ("6.4.3", "Zajištění provozu Krajského informačního systému sociálních služeb", "LK"),
    (
        "6.5.1",
        "Realizace opatření vyplývajících z Plánu politiky v oblasti závislostí",
        "LK a obce ve spolupráci s poskytovateli služby",
    ),
    ("6.5.2", "Realizace opatření vyplývajících ze Strategie sociálního začleňování LK", "LK"),
    ("6.5.3", "Realizace opatření vyplývajících z Plánu vyrovnávání příležitostí pro", "LK"),
    ("6.5.4", "Realizace opatření vyplývajících z Plánu vyrovnávání příležitostí pro", "LK"),
    (
        "6.5.5",
        "Optimalizace a zkvalitňování dostupnosti a propojenosti sociálních",
        "Obce ve spolupráci s LK a ASZ",
    ),
    (
        "6.5.6",
        "Podpora a zkvalitňování služeb napomáhajících k integraci cizinců",
        "LK ve spolupráci s obcemi",
    ),
    ("6.5.7", "Podpora vzdělávání pracovníků v sociálních službách", "LK, obce"),
    ("6.5.8", "Metodická podpora služeb péče o duševní zdraví", "LK"),
    ("6.5.9", "Podpora dobrovolnictví", "LK"),
]

#: A flat list of a city district (no areas or goals): number, activity, „Zodpovědnost“.
FLAT_LIST: list[tuple[str, str, str]] = [
    ("1", "Zřízení pracovní skupiny pro sociální plánování", "politik, komise pro sociální věci, Rada MČ"),
    ("2", "Aktualizace katalogu sociálních služeb", "komise pro sociální věci"),
    ("3", "Dotační program pro poskytovatele", "Rada MČ"),
    ("4", "Setkání s poskytovateli sociálních služeb", "politik, komise pro sociální věci"),
    ("5", "Informační kampaň pro seniory", "Rada MČ, odbor sociálních věcí ÚMČ"),
]


def _plan(title: str, default: Body, level_names: list[str]) -> Plan:
    plan = Plan(title=title, period="2024–2026", default_body=default, level_names=level_names)
    db.session.add(plan)
    db.session.flush()
    return plan


def cards_plan() -> Plan:
    """The seed 001 cards as a plan (areas 1–6, goals 1.1 …), routed as the import routes them;
    the seed registry is in place, plus the municipality of Jablonec nad Nisou (a body an
    administrator adds for the group „obce“). Flushed."""
    ensure_seed_bodies()
    db.session.add(Body(abbreviation="SMJN", name="Statutární město Jablonec nad Nisou", kind="municipality"))
    bodies = {b.abbreviation: b for b in db.session.scalars(db.select(Body))}
    plan = _plan("Střednědobý plán rozvoje sociálních služeb LK", bodies["OSV"], ["Oblast", "Cíl", "Karta"])
    areas: dict[str, PlanNode] = {}
    goals: dict[str, PlanNode] = {}
    for code, title, responsibility in SEED_001_CARDS:
        area_code, goal_code = code.split(".")[0], ".".join(code.split(".")[:2])
        if area_code not in areas:
            areas[area_code] = PlanNode(plan=plan, depth=0, code=area_code, position=len(areas))
        if goal_code not in goals:
            goals[goal_code] = PlanNode(
                plan=plan, depth=1, parent=areas[area_code], code=goal_code, position=len(goals)
            )
        activity = Activity(
            plan=plan,
            code=code,
            sort_key=sort_key(code),
            title=title,
            description=title,
            responsibility_raw=responsibility,
            deadline_raw="2024+",
            routing=[],
        )
        place_activity(activity, goals[goal_code])
        db.session.add(activity)
    db.session.flush()
    reresolve(plan)
    return plan


def flat_plan() -> Plan:
    """:data:`FLAT_LIST` as a flat plan (no levels above the activities), default body OSV,
    routed as the import routes it. Flushed."""
    ensure_seed_bodies()
    osv = db.session.scalar(db.select(Body).where(Body.abbreviation == "OSV"))
    plan = _plan("Akční plán sociálních služeb MČ", osv, ["Aktivita"])
    for code, text, responsibility in FLAT_LIST:
        db.session.add(
            Activity(
                plan=plan,
                code=code,
                sort_key=sort_key(code),
                description=text,
                responsibility_raw=responsibility,
                deadline_raw="únor 2008",
                routing=[],
            )
        )
    db.session.flush()
    reresolve(plan)
    return plan
