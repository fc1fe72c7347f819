"""Plans in the shapes Czech plans come in, built as a user would from the seed documents (issue 14):

- activity cards with a title, a description and attribute columns (seed 001, SPRSS LK 2024–2026);
- a city strategy with a second sheet of goal descriptions and no responsibility column
  (seed 000, SML 2021+: strategic goal → specific goal → measure, and with its activities as a
  fourth level);
- a small municipality's flat numbered list with month deadlines (no levels at all).
"""

from __future__ import annotations

import pytest
from import_helpers import bodies, csv_bytes, xlsx_bytes  # noqa: F401
from sqlalchemy import select

from web.extensions import db
from workflow.deadlines import DeadlineKind, parse_deadline
from workflow.importing import ImportOptions, PlanImportError, commit_import, preview_import
from workflow.models import Activity, Plan, PlanNode

# --------------------------------------------------------------------------- seed 001: the cards

#: The card header of seed 001 (lines 8–20) in the order a secretary types it into a sheet.
CARD_HEADERS = [
    "Číslo aktivity",
    "Název aktivity",
    "Popis aktivity a její výstupy",
    "Cílové skupiny uživatelů",
    "Doba realizace",
    "Odpovědnost za realizaci",
    "Předpokládané náklady",
    "Zdroje financování",
    "Související opatření",
]
#: Six cards as printed in seed 001; one with an empty cell, one whose cells keep a line break
#: and spaces at the ends as the secretary left them (byte-exact), one with an odd deadline twice.
CARDS = [
    ["1.1.1", "Podpora rodiny v přirozeném prostředí",
     "Podpora, rozvoj a stabilizace dostupnosti ambulantních a terénních sociálních služeb zaměřených na "
     "sanaci rodiny.", "Rodiny s dětmi, mládež do 26 let", "2024+",
     "LK ve spolupráci s obcemi, poskytovatelé sociálních služeb, obce",
     "Dle rozvojových záměrů definovaných zadavateli sociálních služeb, provoz služeb v ZS LK",
     "EU, MPSV, LK, obce", ""],
    ["1.1.2", "Posílení krizové pomoci rodinám s dětmi",
     "Posílení a stabilizaci služeb pro rodiny s dětmi\nvyžadující okamžité řešení nepříznivé sociální "
     "situace. ", " Rodiny s dětmi", "2024 +",
     "LK ve spolupráci s obcemi LK, poskytovatelé sociálních služeb",
     "ZS LK", "EU, MPSV, LK, obce", "viz 1.1.1"],
    ["2.1.1", "Zvýšení dostupnosti terénní péče",
     "Podpora zaměřena na zajištění kvalitní a dostupné podpory v přirozeném domácím prostředí.",
     "Senioři 65+", "2024–2026", "LK, obce, poskytovatelé sociálních služeb",
     "viz ZS LK, rozvojové záměry zadavatelů služeb", "EU, MPSV, LK, obce, uživatelé sociálních služeb", ""],
    ["6.5.2", "Realizace opatření vyplývajících ze Strategie sociálního začleňování LK na období 2021+",
     "Včetně nastavení koordinace systémových aktivit.", "Osoby sociálně vyloučené", "do 2026",
     "LK – OSV ve spolupráci s Agenturou pro sociální začleňování", "200.000 Kč", "EU, LK", ""],
    ["6.5.7", "Podpora komunitní práce", "Rozvoj komunitní práce v obcích.", "Obyvatelé SVL",
     "po dobu trvání projektu", "obce", "MPSV, LK, obce", "MPSV, LK, obce", ""],
    ["6.5.8", "Podpora terénních programů", "Terénní programy v SVL.", "Obyvatelé SVL",
     "po dobu trvání projektu", "obce, NNO", "Nelze předem určit", "MPSV, LK, obce", ""],
]
CARDS_OPTIONS = ImportOptions(
    title="Střednědobý plán rozvoje sociálních služeb Libereckého kraje 2024–2026",
    period="2024–2026",
    level_names=["Oblast", "Cíl", "Karta"],
)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_cards_with_title_description_and_attributes_import_byte_exact(app, bodies, fmt):  # noqa: F811
    rows = [CARD_HEADERS, *CARDS]
    content = xlsx_bytes(rows, sheet="Karty") if fmt == "xlsx" else csv_bytes(rows, delimiter=";", bom=True)
    filename = f"karty.{fmt}"
    preview = preview_import(content, filename, options=CARDS_OPTIONS)
    # Every column is accounted for, without a mapping: fields, attributes, nothing dropped silently.
    targets = {column.header: column.target for column in preview.columns}
    assert targets == {
        "Číslo aktivity": "code",
        "Název aktivity": "title",
        "Popis aktivity a její výstupy": "description",
        "Cílové skupiny uživatelů": "extra",
        "Doba realizace": "deadline",
        "Odpovědnost za realizaci": "responsibility",
        "Předpokládané náklady": "extra",
        "Zdroje financování": "extra",
        "Související opatření": "extra",
    }
    if fmt == "xlsx":
        assert [(s.title, s.role) for s in preview.sheets] == [("Karty", "activities")]
    # „2024+“, „2024 +“ and „do 2026“ are understood; an unknown value is one grouped line.
    assert [w for w in preview.warnings if "Termín" in w] == [
        "Termín „po dobu trvání projektu“ se nepodařilo rozpoznat (2× : 6.5.7, 6.5.8); uložen jako text."
    ]

    result = commit_import(content, filename, options=CARDS_OPTIONS)
    db.session.commit()
    query = select(Activity).where(Activity.plan_id == result.plan.id)
    activities = {a.code: a for a in db.session.scalars(query)}
    for card in CARDS:
        activity = activities[card[0]]
        assert (activity.title, activity.description) == (card[1], card[2])
        assert activity.deadline_raw == card[4] and activity.responsibility_raw == card[5]
        # Further attributes: source labels, source column order, every cell as written ("" kept).
        assert list(activity.extra.items()) == [
            ("Cílové skupiny uživatelů", card[3]),
            ("Předpokládané náklady", card[6]),
            ("Zdroje financování", card[7]),
            ("Související opatření", card[8]),
        ]
    assert activities["1.1.2"].extra["Cílové skupiny uživatelů"] == " Rodiny s dětmi"
    assert activities["1.1.2"].description.endswith(
        "\nvyžadující okamžité řešení nepříznivé sociální situace. "
    )
    assert (activities["1.1.1"].deadline_kind, activities["1.1.2"].deadline_kind) == ("ongoing_from",) * 2
    assert activities["6.5.2"].deadline_kind == "due"

    # The same file again: no mapping questions, 0 changes.
    again = commit_import(content, filename, plan=result.plan)
    db.session.commit()
    assert (again.created, again.updated, again.unchanged, again.changes) == (0, 0, 6, 0)


# --------------------------------------------------------------------- seed 000: a city strategy

#: Strategic and specific goals of seed 000 („Souhrnný přehled“, lines 29–100), as a second sheet.
GOALS_SHEET = [
    ["Kód", "Specifický cíl", "Popis"],
    ["1", "Vzdělávání, podnikání a zaměstnanost", ""],
    ["1.1", "Uplatnitelnost absolventů",
     "Usilujeme o zvýšení praktické uplatnitelnosti absolventů škol a nárůst osob s vyšší kvalifikací "
     "na území kraje."],
    ["1.2", "Podnikání", "Usilujeme o nárůst počtu podnikatelských subjektů v segmentech s vyšší přidanou "
     "hodnotou."],
    ["2", "Sociální oblast, zdravotnictví a bezpečnost", ""],
    ["2.1", "Sociální oblast", "Optimalizujeme kapacity sociálních služeb, podporujeme vyváženost terénních, "
     "ambulantních a pobytových služeb, zvyšujeme jejich kvalitu, dostupnost a adresnost."],
    ["2.2", "Zdravotnictví", "Posilujeme prevenci v oblasti zdraví, pečujeme o zdraví obyvatel a zvyšujeme "
     "dostupnost kvalitní zdravotní péče."],
    ["2.3", "Bezpečnost a krizové řízení",
     "Snižujeme kriminalitu, zvyšujeme pocit bezpečí a posilujeme aktivní prvky bezpečnosti na území města."],
    ["3", "Udržitelný rozvoj města", ""],
    *[[f"3.{n}", title, ""] for n, title in enumerate(
        ["Bydlení", "Město pro život", "Doprava", "Technická infrastruktura", "Životní prostředí",
         "Služby veřejné správy"], start=1)],
    ["4", "Kultura, sport, volnočasové aktivity a cestovní ruch", ""],
    *[[f"4.{n}", title, ""] for n, title in enumerate(
        ["Kultura", "Sport", "Volný čas", "Cestovní ruch"], start=1)],
]
#: Measures of specific goal 2.1 (seed 000, lines 145–200) with their bullet activities.
MEASURES = [
    ["Strategický cíl", "Specifický cíl", "Kód opatření", "Název opatření", "Aktivity"],
    ["2 – Sociální oblast, zdravotnictví a bezpečnost", "2.1 Sociální oblast", "2.1.1",
     "Podpora kapacit, dostupnosti a kvality sociálních služeb",
     "► důsledná realizace záměrů Komunitního plánu sociálních služeb a střednědobých tematických plánů\n"
     "► navyšování kapacity domovů pro seniory"],
    ["2 – Sociální oblast, zdravotnictví a bezpečnost", "2.1 Sociální oblast", "2.1.2",
     "Podpora sociálního bydlení",
     "► analýza kapacit a kvality sociálního bydlení, pasportizace sociálních bytů\n"
     "► navyšování kapacity sociálního bydlení"],
    ["2 – Sociální oblast, zdravotnictví a bezpečnost", "2.1 Sociální oblast", "2.1.3",
     "Podpora plnohodnotného stárnutí",
     "► zpracování koncepčního přístupu k řešení zvyšujícího se počtu seniorů"],
]
STRATEGY_MAPPING = {
    "Strategický cíl": "Okruh",
    "Aktivity": "Popis aktivity",
    "Specifické cíle!Specifický cíl": "Název",
}
STRATEGY_OPTIONS = ImportOptions(
    title="Strategie rozvoje SML 2021+", period="2021–2027",
    level_names=["Strategický cíl", "Specifický cíl", "Opatření"],
)


def _strategy() -> bytes:
    notes = [["Poznámka"], ["Návrh cílů a opatření – P2"]]
    return xlsx_bytes(MEASURES, sheet="Opatření", extra={"Specifické cíle": GOALS_SHEET, "Poznámky": notes})


def test_a_strategy_keeps_every_goal_and_its_description_from_the_second_sheet(app, bodies):  # noqa: F811
    preview = preview_import(_strategy(), "sml.xlsx", mapping=STRATEGY_MAPPING, options=STRATEGY_OPTIONS)
    assert [(s.title, s.role) for s in preview.sheets] == [
        ("Opatření", "activities"),
        ("Specifické cíle", "levels"),
        ("Poznámky", "ignored"),  # listed, with the reason, not dropped silently
    ]
    assert "zvolte jeho roli" in preview.sheets[2].reason
    assert {c.header: c.target for c in preview.level_columns["Specifické cíle"]} == {
        "Kód": "code", "Specifický cíl": "title", "Popis": "description",
    }
    assert (preview.nodes_per_level, preview.total) == ([4, 15], 3)

    result = commit_import(_strategy(), "sml.xlsx", mapping=STRATEGY_MAPPING, options=STRATEGY_OPTIONS)
    db.session.commit()
    plan = result.plan
    assert [(a.code, a.title) for a in plan.roots] == [
        ("1", "Vzdělávání, podnikání a zaměstnanost"),
        ("2", "Sociální oblast, zdravotnictví a bezpečnost"),
        ("3", "Udržitelný rozvoj města"),
        ("4", "Kultura, sport, volnočasové aktivity a cestovní ruch"),
    ]
    goals = {
        g.code: g
        for g in db.session.scalars(select(PlanNode).where(PlanNode.plan_id == plan.id, PlanNode.depth == 1))
    }
    assert len(goals) == 15  # 12 of them without a measure in this file, kept with their titles
    assert goals["2.1"].title == "Sociální oblast" and goals["2.1"].description == GOALS_SHEET[5][2]
    assert goals["1.1"].description == GOALS_SHEET[2][2] and goals["4.4"].title == "Cestovní ruch"
    assert goals["2.1"].parent.code == "2" and goals["4.4"].parent.code == "4"
    measure = db.session.scalars(select(Activity).where(Activity.code == "2.1.1")).one()
    assert measure.title == "Podpora kapacit, dostupnosti a kvality sociálních služeb"
    assert measure.description == MEASURES[1][4]
    # No responsibility column: every measure goes to the default body and is marked for review.
    assert all(a.routing_needs_review for a in plan.activities)
    assert plan.import_mapping["sheets"]["Specifické cíle"] == "levels"
    assert plan.import_mapping["columns"]["Specifické cíle!Specifický cíl"] == "title"

    again = commit_import(_strategy(), "sml.xlsx", plan=plan)
    db.session.commit()
    assert again.mapping_source == "saved" and again.changes == 0 and again.unchanged == 3


def test_sheet_roles_can_be_chosen_and_wrong_ones_are_refused(app, bodies):  # noqa: F811
    preview = preview_import(
        _strategy(), "sml.xlsx", mapping=STRATEGY_MAPPING, options=STRATEGY_OPTIONS,
        sheets={"Specifické cíle": "Nepoužít"},
    )
    assert [(s.title, s.role, s.reason) for s in preview.sheets][1] == (
        "Specifické cíle", "ignored", "zvoleno v mapování"
    )
    assert preview.nodes_per_level == [1, 1]  # only the goals the measures name
    with pytest.raises(PlanImportError) as error:
        preview_import(_strategy(), "sml.xlsx", options=STRATEGY_OPTIONS, sheets={"Cíle 2030": "úrovně"})
    assert error.value.codes == ["unknown_sheet"]
    assert "Listy sešitu: „Opatření“, „Specifické cíle“, „Poznámky“" in error.value.issues[0].message


# ------------------------------------------------------------- a municipality's flat numbered list

FLAT_LIST = [
    ["Č.", "Opatření", "Termín", "Zodpovědnost"],
    ["1", "Zřídit komisi pro sociální začleňování", "únor 2008",
     "politik, komise pro sociální věci, Rada MČ"],
    ["2", "Zpracovat pasport sociálních bytů", "březen – prosinec 2009", "Rada MČ"],
    ["3", "Informovat občany o sociálních službách", "průběžně", "odbor sociálních věcí"],
    ["4", "Vyhodnotit plnění plánu", "2. pololetí 2009", "komise pro sociální věci"],
]


def test_a_flat_list_is_a_plan_without_levels(app, bodies):  # noqa: F811
    assert all(parse_deadline(row[2]).kind != DeadlineKind.unknown for row in FLAT_LIST[1:])
    assert parse_deadline("březen – prosinec 2009").start.month == 3
    options = ImportOptions(title="Akční plán MČ", period="2008–2009")
    content = csv_bytes(FLAT_LIST)
    preview = preview_import(content, "mc.csv", mapping={"Opatření": "Popis aktivity"}, options=options)
    assert (preview.level_names, preview.nodes_per_level, preview.total) == (["Aktivita"], [], 4)

    result = commit_import(content, "mc.csv", mapping={"Opatření": "Popis aktivity"}, options=options)
    db.session.commit()
    plan = result.plan
    assert (plan.levels, plan.level_names, plan.nodes) == (0, ["Aktivita"], [])
    activities = {a.code: a for a in plan.activities}
    assert list(activities) == ["1", "2", "3", "4"]
    assert all(a.node_id is None and a.top_node_id is None for a in activities.values())
    assert activities["1"].responsibility_raw == "politik, komise pro sociální věci, Rada MČ"
    assert activities["2"].deadline_kind != "unknown"

    again = commit_import(content, "mc.csv", plan=plan)
    db.session.commit()
    assert (again.mapping_source, again.changes, again.unchanged) == ("saved", 0, 4)


def test_a_flat_list_can_be_named_by_its_own_level_and_refuses_levels_it_cannot_derive(app, bodies):  # noqa: F811
    named = ImportOptions(title="Akční plán MČ", period="2008–2009", level_names=["Opatření"])
    preview = preview_import(
        csv_bytes(FLAT_LIST), "mc.csv", mapping={"Opatření": "Popis aktivity"}, options=named
    )
    assert preview.level_names == ["Opatření"]
    # Asking for two levels above codes of one segment names row and cause.
    two = ImportOptions(title="Akční plán MČ", period="2008–2009", level_names=["Okruh", "Cíl", "Aktivita"])
    with pytest.raises(PlanImportError) as error:
        preview_import(csv_bytes(FLAT_LIST), "mc.csv", mapping={"Opatření": "Popis aktivity"}, options=two)
    assert error.value.codes == ["missing_level"] * 4
    assert error.value.issues[0].row == 2 and "kód je příliš krátký" in error.value.issues[0].message
    assert db.session.scalar(select(Plan.id)) is None


# ------------------------------------------------------------ seed 000 with its activities: 4 levels

#: Activities of the measures of specific goal 2.1 (seed 000, lines 145–200), one row each, under
#: strategic goal → specific goal → measure: three levels above the activity.
FOUR_LEVELS = [
    ["Strategický cíl", "Specifický cíl", "Opatření", "Kód", "Aktivita", "Gestor"],
    ["2 – Sociální oblast, zdravotnictví a bezpečnost", "2.1 Sociální oblast",
     "2.1.1 Podpora kapacit, dostupnosti a kvality sociálních služeb", "2.1.1.1",
     "důsledná realizace záměrů Komunitního plánu sociálních služeb a střednědobých tematických plánů",
     "OSV"],
    ["2 – Sociální oblast, zdravotnictví a bezpečnost", "2.1 Sociální oblast",
     "2.1.1 Podpora kapacit, dostupnosti a kvality sociálních služeb", "2.1.1.2",
     "navyšování kapacity domovů pro seniory", "OSV"],
    ["2 – Sociální oblast, zdravotnictví a bezpečnost", "2.1 Sociální oblast",
     "2.1.2 Podpora sociálního bydlení", "2.1.2.1",
     "analýza kapacit a kvality sociálního bydlení, pasportizace sociálních bytů", "OSV"],
    ["1 – Vzdělávání, podnikání a zaměstnanost", "1.1 Uplatnitelnost absolventů",
     "1.1.1 Spolupráce škol a zaměstnavatelů", "1.1.1.1", "burza práce pro absolventy", "OŠMTS"],
]
FOUR_LEVEL_NAMES = ["Strategický cíl", "Specifický cíl", "Opatření", "Aktivita"]


def test_a_strategy_of_four_levels_keeps_every_level(app, bodies):  # noqa: F811
    mapping = {"Strategický cíl": "1. úroveň", "Specifický cíl": "2. úroveň", "Opatření": "3. úroveň",
               "Aktivita": "Popis aktivity"}
    options = ImportOptions(title="Strategie rozvoje SML 2021+", period="2021–2027")
    content = xlsx_bytes(FOUR_LEVELS, sheet="Aktivity", extra={"Specifické cíle": GOALS_SHEET})
    preview = preview_import(content, "sml.xlsx", mapping=mapping, options=options)
    # Three levels above the activity are read from the mapped columns; the goals sheet fills titles.
    assert preview.nodes_per_level == [4, 15, 3] and preview.total == 4
    result = commit_import(
        content, "sml.xlsx", mapping=mapping,
        options=ImportOptions(title=options.title, period=options.period, level_names=FOUR_LEVEL_NAMES),
    )
    db.session.commit()
    plan = result.plan
    assert (plan.levels, plan.level_names) == (3, FOUR_LEVEL_NAMES)
    activity = db.session.scalars(select(Activity).where(Activity.code == "2.1.1.2")).one()
    assert [(n.depth, n.code, n.title) for n in activity.lineage] == [
        (0, "2", "Sociální oblast, zdravotnictví a bezpečnost"),
        (1, "2.1", "Sociální oblast"),
        (2, "2.1.1", "Podpora kapacit, dostupnosti a kvality sociálních služeb"),
    ]
    assert activity.top_node.code == "2" and activity.node.code == "2.1.1"
    assert activity.lineage[1].description == GOALS_SHEET[5][2]
    assert [lead.abbreviation for lead in activity.bodies] == ["OSV"]

    again = commit_import(content, "sml.xlsx", plan=plan)
    db.session.commit()
    assert (again.mapping_source, again.changes, again.unchanged) == ("saved", 0, 4)


def test_the_preview_names_the_real_cause_of_each_review_flag(app, bodies):  # noqa: F811
    rows = [
        ["Číslo", "Popis aktivity", "Odpovědnost"],
        ["1.1.1", "Komise", "LK"],
        ["1.1.2", "Terénní programy", "Spolek Pohoda"],
        ["1.1.3", "Sociální byty", "LK"],
        ["1.1.4", "Koordinace", "OSV"],
    ]
    options = ImportOptions(title="Karty", period="2024–2026")
    preview = preview_import(csv_bytes(rows), "karty.csv", options=options)
    assert preview.review_groups() == [
        ("odbor není uveden; přiděleno výchozímu subjektu OSV", ["1.1.1", "1.1.3"]),
        ("nerozpoznaný název „Spolek Pohoda“; zatím přiděleno výchozímu subjektu OSV", ["1.1.2"]),
    ]
