"""Forms of the offline work (issue 18): uploading a filled XLSX, confirming its preview, and
submitting every complete draft."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length

from forms.base import BaseForm


class OfflineUploadForm(BaseForm):
    """The filled workbook downloaded with „Stáhnout k vyplnění (XLSX)“."""

    file = FileField(_l("Vyplněný soubor XLSX"), validators=[FileRequired(_l("Vyberte soubor."))])


class ConfirmUploadForm(BaseForm):
    """„Uložit změny jako rozpracované“: carries the fingerprint of the preview the user saw."""

    fingerprint = HiddenField(validators=[DataRequired(), Length(min=64, max=64)])


class SubmitDraftsForm(BaseForm):
    """„Odeslat všechny úplné koncepty“: a POST button carrying the CSRF token only."""
