"""Forms of a plan's settings: which further attributes show where (issue 14)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from forms.base import BaseForm


class PlanAttributesForm(BaseForm):
    """Per further attribute of a plan two check boxes: shown on the entry form and the review
    page (``on_form``), shown in the report, its exports and the API (``in_report``). The
    choices (the plan's attribute labels) are set by the view; an unknown label is refused."""

    on_form = SelectMultipleField(
        _l("Formulář a kontrola"), choices=[],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )
    in_report = SelectMultipleField(
        _l("Zpráva a exporty"), choices=[],
        widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
    )

    def set_labels(self, labels: list[str]) -> None:
        """Offer ``labels`` (the plan's attributes, in its column order) in both fields."""
        self.on_form.choices = [(label, label) for label in labels]
        self.in_report.choices = [(label, label) for label in labels]
