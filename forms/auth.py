"""Forms of sign-in, password reset and accepting an invitation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from forms.base import BaseForm
from workflow.passwords import MIN_PASSWORD_LENGTH


class LoginForm(BaseForm):
    """E-mail and password; "remember me" is off by default."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Heslo"), validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField(_l("Zapamatovat si mě na tomto počítači"), default=False)


class ForgotPasswordForm(BaseForm):
    """The address to which a password-reset link is sent (if it belongs to an account)."""

    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])


class SetPasswordForm(BaseForm):
    """A new password typed twice (the policy itself is checked by ``workflow.accounts``)."""

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
