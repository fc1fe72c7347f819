"""The base class of every form: Flask-WTF's ``FlaskForm`` whose text fields drop control
characters on input (docs/reliability.md, "control characters")."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField

from workflow.text import strip_control_characters


def _strip(value: Any) -> Any:
    return strip_control_characters(value) if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """``FlaskForm`` with a first filter on every text field (``StringField`` and its kinds:
    text areas, URLs, e-mails, hidden fields) that removes control characters other than tab and
    line ends, so that NUL, escape sequences and the like never reach the database or the
    exports. Password fields are left exactly as typed."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                options = {**options, "filters": [_strip, *unbound_field.kwargs.get("filters", ())]}
            return unbound_field.bind(form=form, **options)
