"""A table of another plan (the social-services plan's activity cards, seed 001) imported through a
column mapping; unmapped columns are kept on the activity."""

from __future__ import annotations

import json

import pytest
from import_helpers import SEED_001_CARDS, SEED_001_HEADERS, SEED_001_MAPPING, bodies, csv_bytes, xlsx_bytes  # noqa: F401
from sqlalchemy import func, select

from web.extensions import db
from workflow.importing import (
    ImportOptions,
    PlanImportError,
    commit_import,
    guess_mapping,
    parse_mapping_option,
    preview_import,
)
from workflow.models import Activity, Plan

OPTIONS = ImportOptions(
    title="Střednědobý plán rozvoje sociálních služeb Libereckého kraje 2024–2026",
    strategy="Střednědobý plán rozvoje sociálních služeb",
    period="2024–2026",
    level_names=["Oblast", "Cíl", "Karta"],
)


def _xlsx_with_levels() -> bytes:
    """The cards with their area and goal as printed above them in seed 001."""
    areas = {
        "1": "1 OBLAST PÉČE O RODINY S DĚTMI A PREVENCE SOCIÁLNÍHO VYLOUČENÍ DĚTÍ A MLÁDEŽE",
        "2": "2 OBLAST PÉČE O SENIORY",
    }
    goals = {"1.1": "1.1 Zvýšení podpory funkční rodin", "2.1": "2.1. Příprava na stárnutí populace"}
    rows = [["Oblast", "Cíl", *SEED_001_HEADERS]]
    for card in SEED_001_CARDS:
        area, goal = card[0].split(".")[0], ".".join(card[0].split(".")[:2])
        rows.append([areas[area], goals[goal], *card])
    return xlsx_bytes(rows, sheet="Karty")


FILES = {
    "xlsx": lambda: (_xlsx_with_levels(), "karty.xlsx"),
    "csv": lambda: (csv_bytes([SEED_001_HEADERS, *SEED_001_CARDS], delimiter=";", bom=True), "karty.csv"),
}


def test_seed_001_headers_are_recognised_title_and_description_apart(app, bodies):  # noqa: F811
    content, filename = FILES["csv"]()
    guessed = guess_mapping(SEED_001_HEADERS)
    assert (guessed["Číslo aktivity"], guessed["Název aktivity"]) == ("code", "title")
    assert guessed["Popis aktivity a její výstupy"] == "description"
    assert guessed["Doba realizace"] == "deadline" and guessed["Zdroje financování"] == "extra"
    preview = preview_import(content, filename, options=OPTIONS)
    assert preview.mapping_source == "recognised" and preview.total == 4


@pytest.mark.parametrize("fmt", FILES)
def test_mapped_import_of_seed_001_cards(app, bodies, fmt):  # noqa: F811
    content, filename = FILES[fmt]()
    preview = preview_import(content, filename, mapping=SEED_001_MAPPING, options=OPTIONS)
    assert (preview.nodes_per_level, preview.total, preview.created) == ([2, 2], 4, 4)
    targets = {column.header: column.target for column in preview.columns}
    assert targets["Název aktivity"] == "description"
    assert targets["Předpokládané náklady"] == "ignore"
    assert targets["Zdroje financování"] == "extra"

    result = commit_import(content, filename, mapping=SEED_001_MAPPING, options=OPTIONS)
    db.session.commit()
    plan = result.plan
    assert plan.title == OPTIONS.title and plan.level_names == ["Oblast", "Cíl", "Karta"]
    assert plan.period == "2024–2026" and plan.strategy == "Střednědobý plán rozvoje sociálních služeb"
    assert [area.code for area in plan.roots] == ["1", "2"]
    assert [[goal.code for goal in area.children] for area in plan.roots] == [["1.1"], ["2.1"]]
    if fmt == "xlsx":
        assert plan.roots[1].title == "OBLAST PÉČE O SENIORY"
        assert plan.roots[0].children[0].title == "Zvýšení podpory funkční rodin"
        assert plan.roots[1].children[0].title == "Příprava na stárnutí populace"
    else:
        assert plan.roots[0].title == "" and plan.roots[0].children[0].title == ""

    activities = {a.code: a for a in db.session.scalars(select(Activity).where(Activity.plan_id == plan.id))}
    assert sorted(activities) == ["1.1.1", "1.1.2", "1.1.4", "2.1.1"]
    card = activities["1.1.1"]
    assert card.description == "Podpora rodiny v přirozeném prostředí"
    assert card.deadline_raw == "2024+" and card.deadline_kind == "ongoing_from"
    assert card.responsibility_raw == "LK ve spolupráci s obcemi, poskytovatelé sociálních služeb, obce"
    assert card.extra == {
        "Cílové skupiny uživatelů": "Rodiny s dětmi, mládež do 26 let",
        "Zdroje financování": "EU, MPSV, LK, obce",
        "Popis aktivity a její výstupy": SEED_001_CARDS[0][7],
    }
    assert card.indicator == "" and card.cooperation == "" and card.strategy_refs_raw == ""
    # Only the region is recognisable in "Odpovědnost za realizaci": default body, marked, the
    # other names kept (the cooperating „obcemi“ apart from the responsible „obce“; issue 14 §3).
    assert [b.abbreviation for b in card.bodies] == ["OSV"] and card.routing_needs_review
    assert card.routing_unmatched == ["obcemi", "poskytovatelé sociálních služeb", "obce"]
    assert activities["2.1.1"].routing_unmatched == ["obce", "poskytovatelé sociálních služeb"]
    assert ("2.1.1", "obce") in result.unmatched
    assert ("1.1.1", "obcemi") in result.unmatched
    assert result.routing_review == ["1.1.1", "1.1.2", "1.1.4", "2.1.1"]
    assert not any("2024+" in w for w in result.warnings)  # „2024+“ is understood (issue 14)
    assert result.history_round is None  # no „Plnění“ column

    assert plan.import_mapping["columns"]["Název aktivity"] == "description"
    # The next import of the plan reuses the saved mapping: no mapping given, 0 changes.
    again = commit_import(content, filename, plan=plan)
    db.session.commit()
    assert again.mapping_source == "saved"
    assert (again.created, again.updated, again.unchanged, again.changes) == (0, 0, 4, 0)
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 1


def test_mapping_targets_may_be_spelled_loosely_and_cover_area_and_goal(app, bodies):  # noqa: F811
    rows = [
        ["Oblast podpory", "Opatření", "Karta", "Text"],
        ["A Bydlení", "A1 Dostupné bydlení", "A1.1", "Sociální bydlení v obcích"],
    ]
    mapping = {"Oblast podpory": "area", "Opatření": "goal", "Karta": "code", "Text": "description"}
    preview = preview_import(
        csv_bytes(rows), "jiny.csv", mapping=mapping, options=ImportOptions(title="Jiný", period="2025")
    )
    assert (preview.nodes_per_level, preview.total) == ([1, 1], 1)
    mapping["Text"] = "(ignore)"
    with pytest.raises(PlanImportError) as error:
        preview_import(
            csv_bytes(rows), "jiny.csv", mapping=mapping, options=ImportOptions(title="Jiný", period="2025")
        )
    assert error.value.codes == ["missing_header"]


def test_two_columns_for_one_field(app, bodies):  # noqa: F811
    rows = [["Číslo", "Popis dílčí aktivity", "Název"], ["A1.1", "a", "b"]]
    with pytest.raises(PlanImportError) as error:
        preview_import(
            csv_bytes(rows), "x.csv", mapping={"Název": "description", "Popis dílčí aktivity": "description"},
            options=OPTIONS,
        )
    assert error.value.codes == ["duplicate_field"]
    assert "„Popis dílčí aktivity“ a „Název“" in error.value.issues[0].message


def test_cli_mapping_option(tmp_path):
    assert parse_mapping_option(
        "Číslo aktivity=code,Název aktivity=description,Zdroje financování=extra"
    ) == {
        "Číslo aktivity": "code",
        "Název aktivity": "description",
        "Zdroje financování": "extra",
    }
    assert parse_mapping_option("Název, popis = description , Číslo=code") == {
        "Název, popis": "description",
        "Číslo": "code",
    }
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(SEED_001_MAPPING, ensure_ascii=False), encoding="utf-8")
    assert parse_mapping_option(str(path)) == SEED_001_MAPPING
    for bad in ("", "Číslo", "Číslo=code,Název"):
        with pytest.raises(ValueError, match="nemá tvar"):
            parse_mapping_option(bad)
    (tmp_path / "bad.json").write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ValueError, match="musí obsahovat objekt"):
        parse_mapping_option(str(tmp_path / "bad.json"))
