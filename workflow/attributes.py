"""An activity's further attributes and where each plan shows them (issue 14, section 1).

A plan from another document has columns this model has no field for — seed 001's activity
cards carry „Cílové skupiny uživatelů“, „Předpokládané náklady“, „Zdroje financování“ … The
import keeps them in :attr:`Activity.extra <workflow.models.Activity.extra>` (source label → cell
text, in the source's column order). Per plan the secretary chooses which of them

* the contributor sees on the entry form and the reviewer on the review page (place ``"form"``),
* are columns of the report and of every export and of the JSON API (place ``"report"``).

The choice is stored as the labels *hidden* per place (:attr:`Plan.hidden_attributes
<workflow.models.Plan.hidden_attributes>`), so an attribute a later import adds is shown until
someone hides it. The plan page always shows every attribute: it is the plan as imported.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from workflow import audit
from workflow.db import db
from workflow.errors import InvalidInput
from workflow.models import Activity, Plan, User
from workflow.permissions import Action, require

#: The places an attribute can be shown or hidden: the entry form with the review page, and the
#: report with every export and the API.
PLACES = ("form", "report")


def hidden_labels(plan: Plan, place: str) -> frozenset[str]:
    """The labels of further attributes hidden at ``place`` (``"form"`` or ``"report"``) of ``plan``.

    :raises ValueError: unknown place.
    """
    if place not in PLACES:
        raise ValueError(place)
    return frozenset(str(label) for label in (plan.hidden_attributes or {}).get(place) or [])


def attribute_items(extra: Mapping[str, Any] | None, hidden: Iterable[str] = ()) -> list[dict[str, str]]:
    """An activity's further attributes as ``[{"label": …, "value": …}, …]`` in the source's column
    order, without the ``hidden`` labels. Values are the cell texts exactly as imported.

    >>> attribute_items({"Zdroje financování": "EU, MPSV", "Předpokládané náklady": "5 mil. Kč"},
    ...                 hidden={"Předpokládané náklady"})
    [{'label': 'Zdroje financování', 'value': 'EU, MPSV'}]
    """
    hidden = set(hidden)
    return [
        {"label": str(label), "value": "" if value is None else str(value)}
        for label, value in (extra or {}).items()
        if str(label) not in hidden
    ]


def visible_attributes(activity: Activity, place: str) -> list[dict[str, str]]:
    """The attributes of ``activity`` its plan shows at ``place`` (see :func:`attribute_items`).

    Reads ``activity.plan`` (already in the session wherever an activity is shown with its plan).
    """
    return attribute_items(activity.extra, hidden_labels(activity.plan, place))


def ordered_labels(extras: Iterable[Mapping[str, Any] | None]) -> list[str]:
    """Every label of ``extras`` once, in the order first seen (activities in plan order, each in
    its source's column order): the plan's attribute columns."""
    labels: dict[str, None] = {}
    for extra in extras:
        for label in extra or {}:
            labels.setdefault(str(label), None)
    return list(labels)


def plan_attribute_labels(plan_id: int) -> list[str]:
    """The labels of the further attributes of plan ``plan_id`` (:func:`ordered_labels` over its
    activities in code order); one query."""
    extras = db.session.scalars(
        select(Activity.extra).where(Activity.plan_id == plan_id).order_by(Activity.sort_key)
    ).all()
    return ordered_labels(extras)


def set_hidden_attributes(
    plan: Plan, actor: User, *, shown: Mapping[str, Iterable[str]], ip: str = ""
) -> dict[str, list[str]]:
    """Store which further attributes ``plan`` shows per place; audited, flushed, not committed.

    :param shown: place (``"form"``, ``"report"``) → the labels to show there; every other label of
        the plan's attributes (:func:`plan_attribute_labels`) is hidden at that place. A place that
        is missing shows every attribute.
    :param ip: the client address for the audit log.
    :returns: the new :attr:`Plan.hidden_attributes` (``{place: [label, …]}``, labels in the plan's
        column order; a place with nothing hidden is left out).
    :raises PermissionDenied: ``actor`` may not configure plans (secretary or administrator only).
    :raises InvalidInput: a label that is not an attribute of the plan, or an unknown place.
    """
    require(actor, Action.configure_plan_attributes)
    labels = plan_attribute_labels(plan.id)
    known = set(labels)
    hidden: dict[str, list[str]] = {}
    for place, chosen in shown.items():
        if place not in PLACES:
            raise InvalidInput(_l("Neznámé místo zobrazení „%(place)s“.", place=place))
        chosen = {str(label) for label in chosen}
        unknown = sorted(chosen - known)
        if unknown:
            raise InvalidInput(_l("Plán nemá atribut „%(label)s“.", label=unknown[0]))
        off = [label for label in labels if label not in chosen]
        if off:
            hidden[place] = off
    before = {place: list((plan.hidden_attributes or {}).get(place) or []) for place in PLACES}
    plan.hidden_attributes = hidden
    after = {place: hidden.get(place, []) for place in PLACES}
    audit.record(
        audit.AuditKind.plan_attributes_changed,
        actor=actor,
        ip=ip,
        summary=_summary(plan, after),
        details={"plan_id": plan.id, "before": before, "after": after},
    )
    db.session.flush()
    return hidden


def _summary(plan: Plan, hidden: Mapping[str, list[str]]) -> str:
    """``"Akční plán X – formulář: skryto 2, zpráva: vše zobrazeno"`` for the audit log."""
    names = {"form": "formulář", "report": "zpráva"}
    parts = [
        f"{names[place]}: " + (f"skryto {len(hidden[place])}" if hidden[place] else "vše zobrazeno")
        for place in PLACES
    ]
    return f"{plan.title} – " + ", ".join(parts)
