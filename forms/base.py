"""The base class of every form: Flask-WTF's ``FlaskForm`` whose text fields drop control
characters on input (docs/reliability.md, "control characters")."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import FileStorage
from wtforms import PasswordField, StringField
from wtforms import i18n as wtforms_i18n

from workflow.text import strip_control_characters

#: WTForms messages that its ``cs_CZ`` catalogue lacks (WTForms 3.2), in Czech. Phrased so that
#: the number needs no plural form.
_MISSING_CZECH = {
    "Field must be at least %(min)d character long.": "Počet znaků pole: alespoň %(min)d.",
    "Field cannot be longer than %(max)d character.": "Počet znaků pole: nejvýše %(max)d.",
    "Field must be exactly %(max)d character long.": "Počet znaků pole: přesně %(max)d.",
    "Date must be at least %(min)s.": "Datum nesmí být dříve než %(min)s.",
    "Date must be at most %(max)s.": "Datum nesmí být později než %(max)s.",
    "Date must be between %(min)s and %(max)s.": "Datum musí být mezi %(min)s a %(max)s.",
    "This field cannot be edited.": "Toto pole nelze upravit.",
    "This field is disabled and cannot have a value.": "Toto pole je vypnuté a nesmí mít hodnotu.",
    "Choices cannot be None.": "Pole nemá žádné možnosti.",
    "'%(value)s' is not a valid choice for this field.": "„%(value)s“ není platná volba tohoto pole.",
    "Not a valid time value.": "Neplatná hodnota pro čas.",
    "Not a valid week value.": "Neplatná hodnota pro týden.",
}


class _CzechWtforms:
    """WTForms' ``cs_CZ`` catalogue completed with :data:`_MISSING_CZECH`."""

    def __init__(self) -> None:
        self._catalogue = wtforms_i18n.get_translations(["cs_CZ"])

    def gettext(self, message: str) -> str:
        return _MISSING_CZECH.get(message) or self._catalogue.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return _MISSING_CZECH.get(singular) or self._catalogue.ngettext(singular, plural, n)


@lru_cache(maxsize=1)
def _czech_wtforms() -> _CzechWtforms:
    return _CzechWtforms()


def _strip(value: Any) -> Any:
    """Filter of text fields: control characters out."""
    return strip_control_characters(value) if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """``FlaskForm`` with a first filter on every text field (``StringField`` and its kinds:
    text areas, URLs, e-mails, hidden fields) that removes control characters other than tab and
    line ends, so that NUL, escape sequences and the like never reach the database or the
    exports, and that refuses a file sent in place of text. Password fields are left exactly as
    typed.

    WTForms' own messages („Neplatná volba“, „Neplatná hodnota pro datum“ …) come in Czech from
    its ``cs_CZ`` catalogue (Flask-Babel's locale is plain ``cs``, which WTForms would not find),
    completed where that catalogue lacks a message.
    """

    class Meta:
        def get_translations(self, form: Any) -> Any:
            locale = get_locale()
            if locale is not None and locale.language == "cs":
                return _czech_wtforms()
            return super().get_translations(form)  # type: ignore[misc]

        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                options = {**options, "filters": [_strip, *unbound_field.kwargs.get("filters", ())]}
            return unbound_field.bind(form=form, **options)

    def process(self, *args: Any, **kwargs: Any) -> None:
        """Process the input as usual; a file posted in place of text becomes an error of that
        field (and an empty value), never an object that the validators cannot measure."""
        super().process(*args, **kwargs)
        for field in self:
            if isinstance(field, StringField) and isinstance(field.data, FileStorage):
                field.data = ""
                field.process_errors.append(_l("Do tohoto pole patří text, ne soubor."))


class GateCheckedForm(BaseForm):
    """A form without a CSRF field of its own, for pages that write the token's input themselves
    (``csrf_token()``): the gate of every unsafe request (:func:`web.views.auth.init_security`)
    checks the token before any view runs, so the form's field would only sign it anew on every
    page and check it a second time on every post (issue 17: the entry form's pages)."""

    class Meta:
        csrf = False
