"""Forms of the review: the queue's filters, the assessment and bulk approval."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SearchField, SelectField, TextAreaField
from wtforms.validators import Length, Optional

from forms.base import BaseForm
from forms.rounds import as_choices
from workflow.states import ENTRY_STATE_TITLES, EntryState


class QueueFilterForm(BaseForm):
    """Filters of the reviewer's queue (GET, no CSRF)."""

    class Meta:
        csrf = False

    round = SelectField(_l("Kolo"), coerce=int, validators=[Optional()])
    state = SelectField(
        _l("Stav"),
        choices=as_choices(
            [("", _l("Ke kontrole (odesláno)"))]
            + [(s.value, t) for s, t in ENTRY_STATE_TITLES.items()]
            + [("all", _l("Všechny stavy"))]
        ),
        validators=[Optional()],
        default="",
    )
    body = SelectField(_l("Subjekt"), coerce=int, validators=[Optional()])
    area = SelectField(_l("Okruh"), coerce=int, validators=[Optional()])
    overdue = BooleanField(_l("Jen po termínu"))
    q = SearchField(_l("Hledat"), validators=[Optional(), Length(max=200)])

    def state_filter(self) -> str:
        """The state to show: ``submitted`` by default, a state value, or ``all``."""
        value = self.state.data or ""
        if value == "all":
            return "all"
        return value if value in set(EntryState) else EntryState.submitted.value


class AssessmentForm(BaseForm):
    """„Komentář hodnotitele“: the reviewer's assessment, internal or published."""

    assessment = TextAreaField(_l("Komentář hodnotitele"), validators=[Length(max=5000)])
    public = BooleanField(_l("Zveřejnit ve zprávě (jinak jen interní)"))


class BulkApproveForm(BaseForm):
    """Bulk approval: the ids shown in the confirmation and the explicit confirmation."""

    entry_ids = HiddenField()
    confirmed = HiddenField()
