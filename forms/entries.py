"""The entry form (the body's self-report) and the small forms around it: transitions, links,
attachments, comments."""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    Field,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from forms.base import BaseForm, GateCheckedForm
from forms.rounds import as_choices
from workflow.entries import FIELD_LIMITS, TEXT_LIMIT
from workflow.states import FULFILMENT_TITLES

_SPACES = re.compile(r"[\s\u00a0\u202f]+")


class CzechDecimalField(StringField):
    """A number typed the Czech way: ``1 600``, ``4,5``, ``1600.5``; empty means none."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw = valuelist[0] if valuelist else ""
        text = _SPACES.sub("", str(self.raw or "")).replace(",", ".")
        if not text:
            self.data = None
            return
        try:
            self.data = Decimal(text)
            if not self.data.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.data = None
            raise ValueError(_l("Zadejte číslo, např. 1 600 nebo 4,5.")) from None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        text = format(Decimal(self.data).normalize(), "f")
        return text.replace(".", ",")


class EntryForm(GateCheckedForm):
    """The self-report (issue 4 item 3). Drafts save without validation (see the view); the
    only checks here are hard limits. ``version`` is the version the form was loaded at. Its
    pages write the CSRF token's input themselves (:class:`~forms.base.GateCheckedForm`)."""

    fulfilment_status = SelectField(
        _l("Stav plnění"),
        choices=as_choices([("", _l("— vyberte —"))] + [(s.value, t) for s, t in FULFILMENT_TITLES.items()]),
        validators=[Optional()],
    )
    text = TextAreaField(
        _l("Plnění"),
        validators=[Length(max=TEXT_LIMIT, message=_l("Text plnění smí mít nejvýše 10 000 znaků."))],
        description=_l(
            "Co se za sledované období udělalo, s čísly a odkazy. Doporučená délka 150–1 500 znaků."
        ),
    )
    indicator_number = CzechDecimalField(_l("Hodnota indikátoru (číslo)"))
    indicator_unit = StringField(_l("Jednotka"), validators=[Length(max=FIELD_LIMITS["indicator_unit"])])
    indicator_text = TextAreaField(
        _l("Hodnota indikátoru (slovně)"),
        validators=[Length(max=FIELD_LIMITS["indicator_text"])],
        description=_l("Jen tam, kde indikátor není číslo (např. „metodika schválena“)."),
    )
    indicator_as_of = DateField(_l("Stav k datu"), validators=[Optional()])
    cooperation_text = TextAreaField(
        _l("Spolupráce, která skutečně proběhla"), validators=[Length(max=FIELD_LIMITS["cooperation_text"])]
    )
    problems = TextAreaField(_l("Problémy a bariéry"), validators=[Length(max=FIELD_LIMITS["problems"])])
    proposal = TextAreaField(
        _l("Návrh pro další akční plán"), validators=[Length(max=FIELD_LIMITS["proposal"])]
    )
    version = HiddenField()

    #: Form fields that carry the answer (same names as the Entry columns).
    ANSWER = (
        "fulfilment_status",
        "text",
        "indicator_number",
        "indicator_unit",
        "indicator_text",
        "indicator_as_of",
        "cooperation_text",
        "problems",
        "proposal",
    )

    def answer(self) -> dict[str, Any]:
        """The answer as a dict for :func:`workflow.entries.save_draft`."""
        return {name: getattr(self, name).data for name in self.ANSWER}

    def error_summary(self) -> str:
        """The fields at fault and what is wrong, for the autosave status:
        ``"Jednotka: Počet znaků pole: nejvýše 100."`` (fields in form order, ``"; "`` between)."""
        return "; ".join(
            f"{self[name].label.text}: {' '.join(str(e) for e in errors)}"
            for name, errors in self.errors.items()
            if name in self._fields
        )

    def expected_version(self) -> int | None:
        """The version the form was loaded at (``None`` when missing or garbled)."""
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class TransitionForm(BaseForm):
    """A transition button, with the reason where one is required."""

    comment = TextAreaField(_l("Komentář"), validators=[Length(max=5000)])
    version = HiddenField()


class LinkForm(GateCheckedForm):
    """A link given as evidence."""

    url = URLField(_l("Adresa odkazu"), validators=[DataRequired(_l("Zadejte adresu.")), Length(max=2000)])
    label = StringField(_l("Popis odkazu"), validators=[Length(max=300)])


class AttachmentForm(GateCheckedForm):
    """An uploaded evidence file (type and size are checked by the service)."""

    file = FileField(_l("Soubor"), validators=[FileRequired(_l("Vyberte soubor."))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.file.description = _(
            "PDF, DOCX, XLSX, ODT, ODS, PNG nebo JPEG, nejvýše %(size)s MB.",
            size=_megabytes(str(get_locale()), current_app.config["MAX_ATTACHMENT_BYTES"]),
        )


@functools.lru_cache(maxsize=16)
def _megabytes(locale: str, size: int) -> str:
    """``size`` bytes in megabytes as the request's ``locale`` writes numbers (``"10"``, ``"2,5"``);
    formatted once per locale and size (Babel's number formatting is costly, and the entry form
    shows this on every page)."""
    return format_decimal(round(size / (1024 * 1024), 2))


class CommentForm(GateCheckedForm):
    """A comment in the entry's thread; reviewers may mark it internal."""

    text = TextAreaField(_l("Komentář"), validators=[DataRequired(_l("Napište komentář.")), Length(max=5000)])
    internal = BooleanField(_l("Interní (jen pro hodnotitele a tajemníka)"), default=False)


def not_blank(form: Any, field: Field) -> None:
    """Validator: the field must contain more than whitespace."""
    if not (field.data or "").strip():
        raise ValidationError(_l("Pole je povinné."))
