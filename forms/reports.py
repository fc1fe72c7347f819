"""Forms of the consolidated report: consolidation editor, status override, waiver, closing,
reopening and export options."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from forms.base import BaseForm
from forms.rounds import as_choices
from workflow.states import FULFILMENT_TITLES


class ConsolidationForm(BaseForm):
    """The consolidated „Plnění“ text of one activity and the „Komentář“ printed next to it."""

    text = TextAreaField(
        _l("Souhrnný text plnění"),
        validators=[DataRequired(_l("Text nesmí být prázdný.")), Length(max=20000)],
        render_kw={"rows": 10},
    )
    comment = TextAreaField(
        _l("Komentář (sloupec „Komentář“ zprávy)"), validators=[Optional(), Length(max=5000)]
    )


class StatusForm(BaseForm):
    """Override of the derived fulfilment status (empty = use the derived one)."""

    status = SelectField(_l("Stav plnění"), validators=[Optional()])
    reason = TextAreaField(_l("Důvod změny"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = as_choices(
            [("", _l("Odvozený z odpovědí"))] + [(s.value, title) for s, title in FULFILMENT_TITLES.items()]
        )


class ReasonForm(BaseForm):
    """A required reason (waiving an entry, reopening a round)."""

    reason = TextAreaField(_l("Důvod"), validators=[DataRequired(_l("Uveďte důvod.")), Length(max=2000)])


class MissingTextForm(BaseForm):
    """The one text the secretary gives to every activity still without a consolidated text."""

    text = TextAreaField(
        _l("Text pro aktivity bez plnění"),
        validators=[DataRequired(_l("Souhrnný text nesmí být prázdný.")), Length(max=2000)],
    )


class ConfirmForm(BaseForm):
    """A confirmed POST without fields (CSRF only)."""

    confirm = HiddenField(default="y")


class ExportForm(BaseForm):
    """Format and optional sections of an export built in the background."""

    fmt = SelectField(_l("Formát"), validators=[InputRequired()])
    sections = SelectMultipleField(
        _l("Volitelné oddíly"), option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False)
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fmt.choices = as_choices(
            [
                ("pdf", "PDF"),
                ("docx", "DOCX (Word)"),
                ("xlsx", "XLSX (Excel)"),
                ("csv", "CSV"),
                ("html", "HTML"),
            ]
        )
        self.sections.choices = as_choices(
            [("assessments", _l("Zveřejněná hodnocení hodnotitelů")), ("statistics", _l("Statistika"))]
        )
