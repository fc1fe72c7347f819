"""Forms of the plan import: upload with plan metadata, column mapping, and the commit/cancel buttons."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from forms.base import BaseForm

#: Value of the plan select that means "create a new plan".
NEW_PLAN = 0


class UploadForm(BaseForm):
    """The plan file, the target plan (new or existing) and optional metadata overrides."""

    file = FileField(
        _l("Soubor s plánem (XLSX, CSV nebo JSON)"), validators=[FileRequired(_l("Vyberte soubor."))]
    )
    plan_id = SelectField(_l("Importovat do"), coerce=int, default=NEW_PLAN)
    title = StringField(_l("Název plánu"), validators=[Optional(), Length(max=300)])
    strategy = StringField(_l("Strategie"), validators=[Optional(), Length(max=300)])
    period = StringField(_l("Období"), validators=[Optional(), Length(max=50)])
    level_names = StringField(_l("Názvy úrovní plánu"), validators=[Optional(), Length(max=200)])
    default_body = StringField(
        _l("Výchozí subjekt (zkratka)"), default="OSV", validators=[DataRequired(), Length(max=60)]
    )

    def parsed_level_names(self) -> list[str] | None:
        """``"Oblast, Cíl, Karta"`` → ``["Oblast", "Cíl", "Karta"]``; ``None`` when empty."""
        names = [name.strip() for name in (self.level_names.data or "").split(",") if name.strip()]
        return names or None

    def validate_level_names(self, field: Field) -> None:
        """Exactly three names, when given."""
        names = self.parsed_level_names()
        if names is not None and len(names) != 3:
            raise ValidationError(_l("Zadejte tři názvy oddělené čárkou, např. „Okruh, Cíl, Aktivita“."))


class ActionForm(BaseForm):
    """An empty form for POST buttons (commit, cancel): carries only the CSRF token."""


def mapping_form(headers: list[str], choices: list[tuple[str, str]], initial: dict[str, str]) -> BaseForm:
    """Build the mapping form: one select per source column, named ``col_<index>``.

    :param headers: the file's column headers, in order.
    :param choices: ``(target, label)`` pairs offered for every column.
    :param initial: the pre-selected target per header (recognised or previously chosen).
    :returns: an instance bound to the current request's form data.
    """

    class MappingForm(BaseForm):
        pass

    for index, header in enumerate(headers):
        setattr(
            MappingForm,
            f"col_{index}",
            SelectField(
                header,
                choices=[SelectChoice(value, label) for value, label in choices],
                default=initial.get(header, "extra"),
            ),
        )
    return MappingForm()
