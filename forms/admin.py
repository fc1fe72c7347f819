"""Forms of the administration (/sprava): bodies, users, roles, deputies, API tokens."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from forms.account import LOCALE_CHOICES, DeputyForm, as_choices
from forms.base import BaseForm
from workflow.states import BODY_KIND_TITLES, ROLE_TITLES


class BodyForm(BaseForm):
    """A body: abbreviation, name, kind, parent and other spellings (one per line)."""

    abbreviation = StringField(_l("Zkratka"), validators=[DataRequired(), Length(max=60)])
    name = StringField(_l("Název"), validators=[DataRequired(), Length(max=500)])
    kind = SelectField(_l("Druh"), choices=as_choices((k.value, t) for k, t in BODY_KIND_TITLES.items()))
    parent_id = SelectField(_l("Nadřízený subjekt"), coerce=int, choices=[], validators=[Optional()])
    alias_lines = TextAreaField(
        _l("Jiné názvy a zkratky (každý na samostatný řádek)"), validators=[Optional()], render_kw={"rows": 4}
    )


class InviteUserForm(BaseForm):
    """A new user: e-mail, name, language, roles, bodies; optionally sends the invitation at once."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Jméno a příjmení"), validators=[DataRequired(), Length(max=200)])
    locale = SelectField(_l("Jazyk"), choices=LOCALE_CHOICES, default="cs")
    roles = SelectMultipleField(_l("Role"), choices=as_choices((r.value, t) for r, t in ROLE_TITLES.items()),
                                validators=[Optional()], render_kw={"size": 6})
    bodies = SelectMultipleField(_l("Subjekty"), coerce=int, choices=[], validators=[Optional()],
                                 render_kw={"size": 8})
    send = BooleanField(_l("Hned odeslat pozvánku e-mailem"), default=True)


class UserForm(BaseForm):
    """Name, language and bodies of an existing user."""

    name = StringField(_l("Jméno a příjmení"), validators=[DataRequired(), Length(max=200)])
    locale = SelectField(_l("Jazyk"), choices=LOCALE_CHOICES)
    bodies = SelectMultipleField(_l("Subjekty"), coerce=int, choices=[], validators=[Optional()],
                                 render_kw={"size": 8})


class RoleForm(BaseForm):
    """A role to add; a reviewer's scope may be narrowed to a plan, an area or a body."""

    role = SelectField(_l("Role"), choices=as_choices((r.value, t) for r, t in ROLE_TITLES.items()))
    plan_id = SelectField(_l("Plán (jen hodnotitel)"), coerce=int, choices=[], validators=[Optional()])
    #: a top-level node of a plan; the view names it after the plans' top level („Okruh (jen
    #: hodnotitel)“, workflow.level_labels.area_labels)
    area_id = SelectField(
        _l("Nejvyšší úroveň (jen hodnotitel)"), coerce=int, choices=[], validators=[Optional()]
    )
    body_id = SelectField(_l("Subjekt (jen hodnotitel)"), coerce=int, choices=[], validators=[Optional()])


class AdminDeputyForm(DeputyForm):
    """A deputy named by the administrator for a user (same fields as the user's own form)."""


class TokenForm(BaseForm):
    """A new API token for a user."""

    email = EmailField(_l("E-mail uživatele"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Účel tokenu"), validators=[DataRequired(), Length(max=200)],
                       description=_l("Např. „Export do statistik“ – podle názvu token později poznáte."))
    write = BooleanField(
        _l("Povolit i zápis přes API"), default=False,
        description=_l("Bez zaškrtnutí token jen čte. Token nikdy neplatí pro webové stránky."),
    )


class ActionForm(BaseForm):
    """An empty form for POST buttons (carries the CSRF token)."""


class AnonymiseForm(BaseForm):
    """Anonymise a departed user: the reason is required and goes to the audit log."""

    reason = StringField(
        _l("Důvod anonymizace"), validators=[DataRequired(_l("Uveďte důvod.")), Length(max=300)]
    )
