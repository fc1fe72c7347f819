"""The filters of „Moje úkoly“ (issue 16, item 9)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SearchField, SelectField
from wtforms.validators import Length, Optional

from forms.base import BaseForm
from forms.rounds import as_choices
from workflow.dashboards import TaskFilter
from workflow.states import ENTRY_STATE_TITLES


class TaskFilterForm(BaseForm):
    """Search and filters of „Moje úkoly“ (GET, no CSRF); the view fills ``area.choices``."""

    class Meta:
        csrf = False

    q = SearchField(_l("Hledat"), validators=[Optional(), Length(max=200)],
                    description=_l("Kód aktivity (např. A1.9) nebo slova z jejího popisu či vašeho textu"))
    state = SelectField(
        _l("Stav"),
        choices=as_choices(
            [("", _l("Všechny stavy"))] + [(s.value, t) for s, t in ENTRY_STATE_TITLES.items()]
        ),
        validators=[Optional()],
        default="",
    )
    deadline = SelectField(
        _l("Termín"),
        choices=as_choices([
            ("", _l("Jakýkoli termín")),
            ("overdue", _l("Po termínu")),
            ("week", _l("Do 7 dnů")),
            ("month", _l("Do 31 dnů")),
        ]),
        validators=[Optional()],
        default="",
    )
    area = SelectField(_l("Okruh"), coerce=int, validators=[Optional()])

    def filters(self) -> TaskFilter:
        """The filters as :class:`workflow.dashboards.TaskFilter` (call after :meth:`validate`)."""
        return TaskFilter(
            query=(self.q.data or "")[:200],
            state=self.state.data or "",
            deadline=self.deadline.data or "",
            area_id=self.area.data or None,
        )

    @property
    def active(self) -> bool:
        """True if any filter is set."""
        return bool(self.q.data or self.state.data or self.deadline.data or self.area.data)
