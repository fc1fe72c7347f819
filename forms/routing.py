"""Forms of the plan's resolution page (issue 14 §3): a decision about one unrecognised name, an
explicit routing of one activity, and plain action buttons."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms.base import BaseForm
from forms.rounds import as_choices
from workflow.routing.resolution import Target
from workflow.states import BODY_KIND_TITLES, BodyKind


def _optional_int(value: Any) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class DecisionForm(BaseForm):
    """What an unrecognised name is: an existing body or group, a new body, a new group of
    bodies, or „není subjekt“. ``body_id``, ``member_ids`` and ``coordinator_id`` get their
    choices from the view (the registry)."""

    name = HiddenField(validators=[DataRequired(_l("Chybí název.")), Length(max=300)])
    kind = RadioField(
        _l("Co název znamená"),
        choices=as_choices(
            [
                ("body", _l("existující subjekt nebo skupina")),
                ("new_body", _l("nový subjekt")),
                ("new_group", _l("nová skupina subjektů")),
                ("none", _l("není subjekt")),
            ]
        ),
        validators=[InputRequired(_l("Vyberte, co název znamená."))],
    )
    body_id = SelectField(_l("Subjekt nebo skupina"), coerce=_optional_int, validators=[Optional()])
    abbreviation = StringField(_l("Zkratka"), validators=[Optional(), Length(max=60)])
    full_name = StringField(_l("Celý název"), validators=[Optional(), Length(max=300)])
    body_kind = SelectField(
        _l("Druh subjektu"),
        choices=as_choices(
            (kind.value, title) for kind, title in BODY_KIND_TITLES.items() if kind != BodyKind.group
        ),
        default=BodyKind.other.value,
        validators=[Optional()],
    )
    mode = RadioField(
        _l("V kole dostane záznam"),
        choices=as_choices(
            [("each", _l("každý člen skupiny")), ("coordinator", _l("jen koordinující subjekt skupiny"))]
        ),
        default="each",
        validators=[Optional()],
    )
    member_ids = SelectMultipleField(_l("Členové skupiny"), coerce=int, validators=[Optional()])
    coordinator_id = SelectField(_l("Koordinující subjekt"), coerce=_optional_int, validators=[Optional()])

    def target(self) -> Target:
        """The decision as a :class:`~workflow.routing.resolution.Target`."""
        return Target(
            kind=self.kind.data,
            body_id=self.body_id.data,
            abbreviation=(self.abbreviation.data or "").strip(),
            name=(self.full_name.data or "").strip(),
            body_kind=self.body_kind.data or BodyKind.other.value,
            mode=self.mode.data or "each",
            member_ids=tuple(self.member_ids.data or ()),
            coordinator_id=self.coordinator_id.data,
        )


class ActivityRoutingForm(BaseForm):
    """The secretary's explicit routing of one activity on the plan: lead, others, reason."""

    lead = SelectField(_l("Gestor (hlavní odpovědný subjekt)"), coerce=int, validators=[InputRequired()])
    others = SelectMultipleField(_l("Další spoluodpovědné subjekty"), coerce=int, validators=[Optional()])
    note = TextAreaField(
        _l("Důvod rozhodnutí"),
        validators=[DataRequired(_l("Uveďte důvod změny směrování.")), Length(max=2000)],
    )


class ActionForm(BaseForm):
    """An action button carrying only the CSRF token."""

    confirm = BooleanField(_l("Potvrzuji"), default=True)


class GroupForm(BaseForm):
    """A group of bodies edited after it was created: its abbreviation and name, members, setting
    and coordinating body. ``member_ids`` and ``coordinator_id`` get their choices from the view
    (bodies that are not groups)."""

    abbreviation = StringField(
        _l("Zkratka"), validators=[DataRequired(_l("Zadejte zkratku subjektu.")), Length(max=60)]
    )
    full_name = StringField(_l("Celý název"), validators=[Optional(), Length(max=300)])
    mode = RadioField(
        _l("V kole dostane záznam"),
        choices=as_choices(
            [("each", _l("každý člen skupiny")), ("coordinator", _l("jen koordinující subjekt skupiny"))]
        ),
        validators=[InputRequired(_l("Zvolte nastavení skupiny."))],
    )
    member_ids = SelectMultipleField(_l("Členové skupiny"), coerce=int, validators=[Optional()])
    coordinator_id = SelectField(_l("Koordinující subjekt"), coerce=_optional_int, validators=[Optional()])
