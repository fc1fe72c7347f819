"""Forms of the user's own account page (/ucet): language, password, deputies."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from forms.base import BaseForm
from workflow.passwords import MIN_PASSWORD_LENGTH


def as_choices(pairs: Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """``[(value, label), …]`` as WTForms ``SelectChoice`` objects (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


LOCALE_CHOICES = as_choices([("cs", "Čeština"), ("en", "English")])


class ProfileForm(BaseForm):
    """Name and the language of the UI and of e-mails."""

    name = StringField(_l("Jméno a příjmení"), validators=[DataRequired(), Length(max=200)])
    locale = SelectField(_l("Jazyk"), choices=LOCALE_CHOICES, validators=[DataRequired()])


class ChangePasswordForm(BaseForm):
    """The current password and a new one, twice."""

    current = PasswordField(_l("Současné heslo"), validators=[DataRequired()],
                            render_kw={"autocomplete": "current-password"})
    password = PasswordField(
        _l("Nové heslo"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=1024,
                                           message=_l("Heslo musí mít alespoň %(min)d znaků."))],
        render_kw={"autocomplete": "new-password", "minlength": MIN_PASSWORD_LENGTH},
    )
    confirm = PasswordField(
        _l("Nové heslo znovu"),
        validators=[DataRequired(), EqualTo("password", message=_l("Hesla se neshodují."))],
        render_kw={"autocomplete": "new-password"},
    )


class DeputyForm(BaseForm):
    """A deputy (by e-mail) for one of the user's bodies or all of them, for a date range."""

    email = EmailField(_l("E-mail zástupce"), validators=[DataRequired(), Email(), Length(max=254)])
    body_id = SelectField(_l("Subjekt"), coerce=int, choices=[], validators=[Optional()])
    starts_on = DateField(_l("Od"), validators=[DataRequired(message=_l("Zadejte datum."))])
    ends_on = DateField(_l("Do (včetně)"), validators=[DataRequired(message=_l("Zadejte datum."))])
    note = StringField(_l("Poznámka"), validators=[Optional(), Length(max=300)])
