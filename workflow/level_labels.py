"""What the product calls a plan's top level in its headings and captions: one rule.

The region's plan (seed 002) names its top level „Okruh“, and its documents have their own words
for it: the report's headings „OKRUH OPATŘENÍ A: Systémová opatření“, the dashboard's „Podle
okruhů“, the statistics' „Aktivity podle stavu plnění a okruhu“. A plan whose top level has another
name gets the generic form built from that name („PRIORITNÍ OBLAST 1: …“, „Podle úrovně „Prioritní
oblast““), and a flat plan (no level above the activity) the form without a level.
:func:`top_level_labels` is that rule; the report (:attr:`workflow.report.ReportBlock.heading` and
``reports/_report.html``), the report page's pager, the statistics (``reports/_statistics.html``,
the DOCX and PDF exports, the SVG chart) and the round's dashboard all read it.

A pick list or column of top-level nodes (an „area“) that may hold the nodes of several plans —
the review queue's filter and column, the filter of „Moje úkoly“, a reviewer's scope in the
administration — is named by :func:`area_labels`: the plans' own name when they share it (the
region's plan alone: „Okruh“, „Všechny okruhy“ as ever), the neutral „Nejvyšší úroveň“ with the
nodes grouped per plan (:func:`area_group`) when they do not, and nothing at all when no plan
concerned has a level above the activity. The offline workbook of a round heads its column with
:attr:`TopLevelLabels.column`.

The texts are plain strings (never lazy: a level name is the secretary's text and must be escaped
like any other), translated when the labels are made: :func:`top_level_labels` in the current
locale (the UI), :func:`czech_top_level_labels` in Czech (the region's report and its exports).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from workflow.models.plans import DEFAULT_LEVEL_NAMES
from workflow.text import czech_locale

#: The region's name of its top level, the one name with words of its own (seed 002).
REGION_TOP_LEVEL = "Okruh"


@dataclass(frozen=True)
class TopLevelLabels:
    """The texts naming a plan's top level (see the module docstring for the three forms).

    Shown for „Okruh“ / „Prioritní oblast“ / a flat plan:

    :ivar level: the level's name as the plan spells it; ``""`` for a flat plan.
    :ivar heading: the label before a top-level block's code in the report: „OKRUH OPATŘENÍ“ /
        „PRIORITNÍ OBLAST“ (the name in capitals, never translated) / ``""`` (no heading).
    :ivar by_level: the dashboard's section heading: „Podle okruhů“ / „Podle úrovně „Prioritní
        oblast““ / „Podle plánu“.
    :ivar by_level_caption: the caption of the dashboard's table by the top level: „Počty záznamů
        podle stavu a okruhu“ / „… a úrovně „Prioritní oblast““ / „Počty záznamů podle stavu“.
    :ivar column: the header of a column of top-level nodes: „Okruh“ / „Prioritní oblast“ / „Plán“.
    :ivar statistics_title: the statistics' heading: „Aktivity podle stavu plnění a okruhu“ /
        „Aktivity podle stavu plnění a úrovně „Prioritní oblast““ / „Aktivity podle stavu plnění“.
    :ivar statistics_caption: its table's caption: „Počty aktivit podle stavu plnění v okruzích“ /
        „Počty aktivit podle stavu plnění a úrovně „Prioritní oblast““ / „Počty aktivit podle stavu
        plnění“.
    :ivar chart_title: the title of its SVG chart: „Aktivity podle stavu plnění v okruzích“ / the
        statistics' heading otherwise.
    """

    level: str
    heading: str
    by_level: str
    by_level_caption: str
    column: str
    statistics_title: str
    statistics_caption: str
    chart_title: str
    #: The pager's sentence, translated but not filled in (gettext without variables leaves
    #: ``%(level)s``, ``%(page)s`` and ``%(pages)s`` as they are): see :meth:`paging_note`.
    paging: str

    def paging_note(self, page: int, pages: int) -> str:
        """The report page's note under its pager, in the labels' language: „Zpráva je rozdělená po
        okruzích (strana 2 z 5); tisk a exporty obsahují celou zprávu.“ / „… podle úrovně „Prioritní
        oblast“ (strana 2 z 5) …“ / „… na strany (strana 2 z 5) …“ for a flat plan."""
        return self.paging % {"level": self.level, "page": page, "pages": pages}


def top_level_name(level_names: Sequence[str] | None) -> str:
    """The name of a plan's top level from its ``level_names`` (the activity's last): ``"Okruh"``
    for the shipped plan's, ``""`` for a flat plan (``["Aktivita"]``); ``None`` or an empty list
    are the shipped plan's names (a report snapshot from before plans had level names)."""
    names = list(level_names or DEFAULT_LEVEL_NAMES)
    return names[0] if len(names) > 1 else ""


def top_level_labels(level: str | None) -> TopLevelLabels:
    """The labels of a top level named ``level``, translated in the current locale.

    :param level: the plan's top-level name (:func:`top_level_name`); ``""`` for a flat plan;
        ``None`` when the document does not say (statistics from before issue 14: the okruh).
    :returns: :class:`TopLevelLabels` — the region's own words for exactly
        :data:`REGION_TOP_LEVEL`, the generic form for any other name (compared as written).
    """
    if level is None or level == REGION_TOP_LEVEL:
        return TopLevelLabels(
            level=REGION_TOP_LEVEL,
            heading=_("OKRUH OPATŘENÍ"),
            by_level=_("Podle okruhů"),
            by_level_caption=_("Počty záznamů podle stavu a okruhu"),
            column=_("Okruh"),
            statistics_title=_("Aktivity podle stavu plnění a okruhu"),
            statistics_caption=_("Počty aktivit podle stavu plnění v okruzích"),
            chart_title=_("Aktivity podle stavu plnění v okruzích"),
            paging=_(
                "Zpráva je rozdělená po okruzích (strana %(page)s z %(pages)s); tisk a exporty obsahují "
                "celou zprávu."
            ),
        )
    if not level:
        return TopLevelLabels(
            level="",
            heading="",
            by_level=_("Podle plánu"),
            by_level_caption=_("Počty záznamů podle stavu"),
            column=_("Plán"),
            statistics_title=_("Aktivity podle stavu plnění"),
            statistics_caption=_("Počty aktivit podle stavu plnění"),
            chart_title=_("Aktivity podle stavu plnění"),
            paging=_(
                "Zpráva je rozdělená na strany (strana %(page)s z %(pages)s); tisk a exporty obsahují celou "
                "zprávu."
            ),
        )
    statistics_title = _("Aktivity podle stavu plnění a úrovně „%(level)s“", level=level)
    return TopLevelLabels(
        level=level,
        heading=level.upper(),
        by_level=_("Podle úrovně „%(level)s“", level=level),
        by_level_caption=_("Počty záznamů podle stavu a úrovně „%(level)s“", level=level),
        column=level,
        statistics_title=statistics_title,
        statistics_caption=_("Počty aktivit podle stavu plnění a úrovně „%(level)s“", level=level),
        chart_title=statistics_title,
        paging=_(
            "Zpráva je rozdělená podle úrovně „%(level)s“ (strana %(page)s z %(pages)s); tisk a exporty "
            "obsahují celou zprávu."
        ),
    )


def czech_top_level_labels(level: str | None) -> TopLevelLabels:
    """:func:`top_level_labels` in Czech, whatever the user's language and also outside a request
    (Celery): the words of the region's report and of its exports."""
    with czech_locale():
        return top_level_labels(level)


@dataclass(frozen=True)
class AreaLabels:
    """The words of a pick list or a column of top-level nodes („areas“) of one or more plans.

    Shown when the plans concerned name their top level „Okruh“ / „Prioritní oblast“ / each
    differently (e.g. „Okruh“ and „Strategický cíl“):

    :ivar name: the field's label and the column's header: „Okruh“ / „Prioritní oblast“ /
        „Nejvyšší úroveň“.
    :ivar everything: the choice of no area (a filter's first option): „Všechny okruhy“ / „Vše“ /
        „Vše“.
    :ivar shared: true when every plan concerned names its top level alike (``name`` is that
        name); false when they differ: each plan's nodes then go under an option group naming the
        plan and its level (:func:`area_group`).
    """

    name: str
    everything: str
    shared: bool


def area_labels(levels: Iterable[str]) -> AreaLabels | None:
    """:class:`AreaLabels` of a pick list or column of the top-level nodes of the plans whose
    top-level names (:func:`top_level_name`) are ``levels``, translated in the current locale.

    :param levels: one name per plan concerned (repeats do not matter); a flat plan's ``""`` is
        left out, it has no node to pick.
    :returns: ``None`` when no plan concerned has a level above the activity (no filter and no
        column then); the labels of the one name when the plans share it (the region's „Okruh“
        with „Všechny okruhy“, as :func:`top_level_labels` names its column); the neutral
        „Nejvyšší úroveň“ when they do not.
    """
    names = {level for level in levels if level}
    if not names:
        return None
    if len(names) == 1:
        [level] = names
        everything = _("Všechny okruhy") if level == REGION_TOP_LEVEL else _("Vše")
        return AreaLabels(name=top_level_labels(level).column, everything=everything, shared=True)
    return AreaLabels(name=_("Nejvyšší úroveň"), everything=_("Vše"), shared=False)


def area_group(plan_title: str, level: str, labels: AreaLabels) -> str:
    """The label of a plan's option group in a pick list of areas named by ``labels``: the plan's
    title („Akční plán 2025“), followed by its top level's name when the plans name theirs
    differently („Strategie SML (Strategický cíl)“)."""
    return plan_title if labels.shared or not level else f"{plan_title} ({level})"
