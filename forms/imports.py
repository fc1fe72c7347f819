"""Forms of the plan import: upload with plan metadata, column mapping, and the commit/cancel buttons."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from forms.base import BaseForm

#: Value of the target select that means "create a new plan" (others are plan ids; none is preselected).
NEW_PLAN = "novy"


class UploadForm(BaseForm):
    """The plan file, the target (chosen every time: a new plan or the plan to update) and metadata.

    A new plan needs a title and a period; for an existing plan they are optional overrides.
    """

    file = FileField(
        _l("Soubor s plánem (XLSX, CSV nebo JSON)"), validators=[FileRequired(_l("Vyberte soubor."))]
    )
    plan_id = SelectField(
        _l("Cíl importu"),
        default="",
        validators=[DataRequired(_l("Zvolte cíl importu: nový plán, nebo plán, který se má aktualizovat."))],
    )
    # No Optional(): it would stop the chain before validate_title/validate_period.
    title = StringField(_l("Název plánu"), validators=[Length(max=300)])
    strategy = StringField(_l("Strategie"), validators=[Optional(), Length(max=300)])
    period = StringField(_l("Období"), validators=[Length(max=50)])
    level_names = StringField(_l("Názvy úrovní plánu"), validators=[Optional(), Length(max=200)])
    default_body = StringField(
        _l("Výchozí subjekt (zkratka)"), default="OSV", validators=[DataRequired(), Length(max=60)]
    )

    @property
    def is_new_plan(self) -> bool:
        """True when the user chose „nový plán“."""
        return self.plan_id.data == NEW_PLAN

    def validate_title(self, field: Field) -> None:
        """A new plan needs a title."""
        if self.is_new_plan and not (field.data or "").strip():
            raise ValidationError(_l("Nový plán potřebuje název."))

    def validate_period(self, field: Field) -> None:
        """A new plan needs a period."""
        if self.is_new_plan and not (field.data or "").strip():
            raise ValidationError(_l("Nový plán potřebuje období, např. „2024–2026“."))

    def parsed_level_names(self) -> list[str] | None:
        """``"Oblast, Cíl, Karta"`` → ``["Oblast", "Cíl", "Karta"]``; ``None`` when empty."""
        names = [name.strip() for name in (self.level_names.data or "").split(",") if name.strip()]
        return names or None

    def validate_level_names(self, field: Field) -> None:
        """One to five names (0–4 levels above the activity, the activity's name last), when given."""
        names = self.parsed_level_names()
        if names is not None and not 1 <= len(names) <= 5:
            raise ValidationError(_l(
                "Zadejte 1 až 5 názvů oddělených čárkou, úroveň aktivit poslední, "
                "např. „Okruh, Cíl, Aktivita“ nebo jen „Aktivita“ pro prostý seznam."
            ))


class ActionForm(BaseForm):
    """An empty form for POST buttons (commit, cancel): carries only the CSRF token."""


def mapping_form(
    headers: list[str],
    choices: list[tuple[str, str]],
    initial: dict[str, str],
    *,
    sheets: list[tuple[str, str]] | None = None,
    role_choices: list[tuple[str, str]] | None = None,
    level_columns: list[tuple[str, str]] | None = None,
    level_choices: list[tuple[str, str]] | None = None,
) -> BaseForm:
    """Build the mapping form: one select per source column (``col_<index>``), per sheet of a
    workbook (``sheet_<index>``: its role) and per column of a level-description sheet
    (``lvl_<index>``).

    :param headers: the activity sheet's column headers, in order.
    :param choices: ``(target, label)`` pairs offered for every activity column.
    :param initial: the pre-selected target per header (recognised or previously chosen); keys of
        level columns are ``"<sheet>!<header>"``.
    :param sheets: ``(sheet, current role)`` of every sheet of a workbook.
    :param level_columns: ``(key "<sheet>!<header>", current target)`` of the level sheets.
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
    for index, (title, role) in enumerate(sheets or []):
        setattr(
            MappingForm,
            f"sheet_{index}",
            SelectField(
                title, choices=[SelectChoice(v, label) for v, label in role_choices or []], default=role
            ),
        )
    for index, (key, target) in enumerate(level_columns or []):
        setattr(
            MappingForm,
            f"lvl_{index}",
            SelectField(
                key, choices=[SelectChoice(v, label) for v, label in level_choices or []], default=target
            ),
        )
    return MappingForm()
