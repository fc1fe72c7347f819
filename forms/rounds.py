"""Forms of reporting rounds: the round itself, the routing preview's adjustments, reopening,
and deadline extensions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from forms.base import BaseForm
from workflow.rounds import validate_dates


def as_choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """``[(value, label), …]`` as WTForms ``SelectChoice`` objects (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


def as_grouped_choices(
    first: tuple[Any, Any], groups: Iterable[tuple[str, Iterable[tuple[Any, Any]]]]
) -> list[SelectChoice]:
    """The choice ``first`` (outside any group), then each group's ``[(value, label), …]`` under
    an ``<optgroup>`` of the group's label: ``groups`` is ``[(group label, pairs), …]``."""
    return [
        SelectChoice(*first),
        *(SelectChoice(value, label, optgroup=group) for group, pairs in groups for value, label in pairs),
    ]


class RoundForm(BaseForm):
    """Title, reporting period, opening date and the two deadlines of a round."""

    plan_id = SelectField(_l("Akční plán"), coerce=int, validators=[InputRequired()])
    title = StringField(
        _l("Název kola"),
        validators=[DataRequired(_l("Zadejte název kola.")), Length(max=300)],
        description=_l("Např. „Monitoring plnění akčního plánu 2025“."),
    )
    period_start = DateField(
        _l("Sledované období od"), validators=[InputRequired(_l("Zadejte začátek období."))]
    )
    period_end = DateField(_l("Sledované období do"), validators=[InputRequired(_l("Zadejte konec období."))])
    opens_on = DateField(_l("Datum otevření"), validators=[Optional()])
    submission_deadline = DateField(
        _l("Termín odevzdání"), validators=[InputRequired(_l("Zadejte termín odevzdání."))]
    )
    review_deadline = DateField(_l("Termín kontroly"), validators=[Optional()])

    def validate(self, extra_validators: Any = None) -> bool:
        """Field checks, then the order of the dates (errors attached to the later field)."""
        ok = super().validate(extra_validators)
        errors = validate_dates(
            self.period_start.data,
            self.period_end.data,
            self.opens_on.data,
            self.submission_deadline.data,
            self.review_deadline.data,
        )
        for name, message in errors.items():
            getattr(self, name).errors = [*getattr(self, name).errors, message]
        return ok and not errors


class RoundDatesForm(RoundForm):
    """Editing an existing round: same fields without the plan."""

    plan_id = None  # type: ignore[assignment]


class InclusionForm(BaseForm):
    """Include or exclude one activity (a reason when it differs from the default)."""

    included = RadioField(
        _l("Zahrnout do kola"),
        choices=as_choices([("1", _l("Zahrnout")), ("0", _l("Vynechat"))]),
        validators=[InputRequired()],
    )
    reason = TextAreaField(_l("Důvod změny"), validators=[Length(max=2000)])


class RoutingForm(BaseForm):
    """The bodies that answer for one activity in the round; the lead is chosen separately."""

    lead = SelectField(_l("Gestor (hlavní odpovědný subjekt)"), coerce=int, validators=[InputRequired()])
    others = SelectMultipleField(_l("Další spoluodpovědné subjekty"), coerce=int, validators=[Optional()])
    reason = TextAreaField(
        _l("Důvod změny směrování"),
        validators=[DataRequired(_l("Uveďte důvod změny směrování.")), Length(max=2000)],
    )
    save_to_plan = BooleanField(_l("Uložit i do plánu (další kola začnou z tohoto směrování)"))


class ConfirmForm(BaseForm):
    """An action button carrying only the CSRF token (open, close)."""

    confirm = BooleanField(_l("Potvrzuji"), default=True)


class ReopenRoundForm(BaseForm):
    """Reopening a closed round: the reason is required."""

    reason = TextAreaField(
        _l("Důvod znovuotevření"),
        validators=[DataRequired(_l("Uveďte důvod znovuotevření.")), Length(max=2000)],
    )


class ExtensionRequestForm(BaseForm):
    """A body asks for a later deadline."""

    body_id = SelectField(_l("Subjekt"), coerce=int, validators=[InputRequired()])
    requested_until = DateField(_l("Navrhovaný nový termín"), validators=[Optional()])
    reason = TextAreaField(
        _l("Důvod žádosti"), validators=[DataRequired(_l("Uveďte důvod žádosti.")), Length(max=2000)]
    )


class ExtensionDecisionForm(BaseForm):
    """The secretary grants (with a date) or refuses (with a reason)."""

    decision = RadioField(
        _l("Rozhodnutí"),
        choices=as_choices([("grant", _l("Vyhovět")), ("refuse", _l("Zamítnout"))]),
        validators=[InputRequired(_l("Vyberte rozhodnutí."))],
    )
    granted_until = DateField(_l("Nový termín"), validators=[Optional()])
    comment = TextAreaField(_l("Zdůvodnění"), validators=[Length(max=2000)])
    extension_id = HiddenField()
