"""The words of a pick list or column of the plans' top-level nodes (workflow.level_labels.area_labels):
the region's „Okruh“ keeps its words, a plan of „Prioritní oblast“ gets its own name, plans that
differ the neutral „Nejvyšší úroveň“ with their level named per group, a flat plan no area at all."""

from __future__ import annotations

from i18n_support import in_language

from workflow.level_labels import AreaLabels, area_group, area_labels


def test_one_name_is_the_plans_own_the_region_keeps_its_words_and_a_flat_plan_has_none():
    """No request here: gettext gives the Czech source strings."""
    assert area_labels(["Okruh"]) == AreaLabels(name="Okruh", everything="Všechny okruhy", shared=True)
    assert area_labels(["Okruh", "Okruh", ""]) == area_labels(["Okruh"])  # two region plans and a flat one
    priority = AreaLabels(name="Prioritní oblast", everything="Vše", shared=True)
    assert area_labels(["Prioritní oblast"]) == priority
    assert area_labels(["Prioritní oblast", ""]) == area_labels(["Prioritní oblast"])
    # only the region's name as written has words of its own
    assert area_labels(["okruh"]) == AreaLabels(name="okruh", everything="Vše", shared=True)
    assert area_labels([""]) is None and area_labels([]) is None  # flat plans: nothing to pick


def test_plans_that_name_their_top_level_differently_get_the_neutral_words_and_a_group_each():
    mixed = area_labels(["Okruh", "Prioritní oblast", ""])
    assert mixed == AreaLabels(name="Nejvyšší úroveň", everything="Vše", shared=False)
    assert area_group("Akční plán města", "Prioritní oblast", mixed) == "Akční plán města (Prioritní oblast)"
    # one shared name: the group is the plan's title alone
    okruh = area_labels(["Okruh"])
    assert okruh is not None and area_group("Akční plán 2024–2027", "Okruh", okruh) == "Akční plán 2024–2027"


def test_the_words_follow_the_locale_and_a_level_name_is_never_translated(app):
    with in_language(app, "en"):
        assert area_labels(["Okruh"]) == AreaLabels(name="Area", everything="All areas", shared=True)
        priority = AreaLabels(name="Prioritní oblast", everything="All", shared=True)
        assert area_labels(["Prioritní oblast"]) == priority
        mixed = AreaLabels(name="Top level", everything="All", shared=False)
        assert area_labels(["Okruh", "Oblast"]) == mixed
