"""The answer columns of the offline workbook, how their cells are read, how answers are compared,
and the signed version stamp of each row.

Every answer value has a *canonical text* (:func:`canonical`): what the product would store,
written as text (the status as its code, a number without trailing zeros, a date as ISO). Two
answers are the same exactly when their canonical texts are; the stamp carries a digest of the
canonical answer as it was downloaded, so an upload can tell a row the user left alone from a row
they edited, even when somebody else changed the entry in the meantime.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer

from workflow.entries import normalize_text
from workflow.errors import InvalidInput
from workflow.models import Entry
from workflow.models.rounds import ANSWER_FIELDS
from workflow.states import FULFILMENT_TITLES
from workflow.text import strip_control_characters

#: Keys of the answer columns, in the sheet's order (the fields of the entry form).
ANSWER_KEYS = ANSWER_FIELDS
#: Column headers of the answer columns (the labels of the entry form).
ANSWER_LABELS: dict[str, Any] = {
    "fulfilment_status": _l("Stav plnění"),
    "text": _l("Plnění"),
    "indicator_number": _l("Hodnota indikátoru (číslo)"),
    "indicator_unit": _l("Jednotka"),
    "indicator_text": _l("Hodnota indikátoru (slovně)"),
    "indicator_as_of": _l("Stav k datu"),
    "cooperation_text": _l("Spolupráce"),
    "problems": _l("Problémy a bariéry"),
    "proposal": _l("Návrh pro další akční plán"),
}
#: Answer fields shown in the preview as a word diff (the others as „old → new“).
PROSE_KEYS = frozenset({"text", "indicator_text", "cooperation_text", "problems", "proposal"})
#: Key of the hidden column with the signed stamp, and of the activity code column.
STAMP_KEY = "stamp"
CODE_KEY = "code"
#: Salt of the stamp's signature (the key is the application's ``SECRET_KEY``).
STAMP_SALT = "plneni.offline-xlsx.v1"

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_CZECH_DATE = re.compile(r"^(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class StampError(InvalidInput):
    """A row's stamp is missing, damaged or not signed by this application."""


class ValueNotAllowed(ValueError):
    """A cell's text is not an allowed value of its column (the message is Czech)."""


# --- canonical texts ------------------------------------------------------------------------------
def _clean(value: str | None) -> str:
    return strip_control_characters(value or "") or ""


def decimal_text(value: Decimal | None) -> str:
    """``Decimal("1600.50")`` → ``"1600.5"``; ``None`` → ``""``."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text


def canonical(key: str, value: Any) -> str:
    """Canonical text of answer field ``key`` holding ``value`` (typed as on :class:`Entry`)."""
    if key == "fulfilment_status":
        return str(value or "")
    if key == "indicator_number":
        return decimal_text(value)
    if key == "indicator_as_of":
        return value.isoformat() if isinstance(value, date) else ""
    if key == "text":
        return normalize_text(_clean(value)).strip()
    return _clean(value).strip()


def entry_answer(entry: Entry) -> dict[str, str]:
    """The canonical texts of ``entry``'s answer: ``{field: text}`` for :data:`ANSWER_KEYS`."""
    return {key: canonical(key, getattr(entry, key)) for key in ANSWER_KEYS}


def answer_digest(answer: dict[str, str]) -> str:
    """Short digest (16 hex digits of SHA-256) of a canonical answer."""
    payload = json.dumps([answer.get(key, "") for key in ANSWER_KEYS], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


# --- cells → values -------------------------------------------------------------------------------
def status_titles() -> dict[str, str]:
    """``{lower-case title or code: status code}`` for the titles in Czech and English (a file
    downloaded in either language reads back the same)."""
    result: dict[str, str] = {}
    for locale in ("cs", "en"):
        with force_locale(locale):
            for status, title in FULFILMENT_TITLES.items():
                result[str(title).strip().lower()] = status.value
    for status in FULFILMENT_TITLES:
        result[status.value] = status.value
    return result


def parse_cell(key: str, text: str, titles: dict[str, str]) -> Any:
    """The typed value of answer column ``key`` from a cell's text (as read by
    :func:`workflow.offline.reading.read_upload`).

    :returns: ``str`` for text fields and the status code (``None`` for no status), ``Decimal`` or
        ``None`` for the number, ``date`` or ``None`` for „Stav k datu“.
    :raises ValueNotAllowed: with a Czech message saying what the column accepts.
    """
    text = text or ""
    if key == "fulfilment_status":
        if not text.strip():
            return None
        status = titles.get(text.strip().lower())
        if status is None:
            allowed = ", ".join(f"„{t}“" for t in FULFILMENT_TITLES.values())
            raise ValueNotAllowed(
                _(
                    "„%(value)s“ není stav plnění; vyberte ze seznamu: %(allowed)s.",
                    value=text.strip(),
                    allowed=allowed,
                )
            )
        return status
    if key == "indicator_number":
        compact = _SPACES.sub("", text).replace(",", ".")
        if not compact:
            return None
        try:
            number = Decimal(compact)
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            raise ValueNotAllowed(
                _("„%(value)s“ není číslo; zapište např. 1 600 nebo 4,5.", value=text.strip())
            ) from None
        return number
    if key == "indicator_as_of":
        stripped = text.strip()
        if not stripped:
            return None
        match = _CZECH_DATE.match(stripped)
        parts = (match.group(3), match.group(2), match.group(1)) if match else None
        iso = _ISO_DATE.match(stripped)
        if iso:
            parts = (iso.group(1), iso.group(2), iso.group(3))
        try:
            if parts is None:
                raise ValueError
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            raise ValueNotAllowed(
                _("„%(value)s“ není datum; zapište např. 31. 12. 2025.", value=stripped)
            ) from None
    if key == "text":
        return normalize_text(text).strip()
    return text.strip()


# --- the stamp ------------------------------------------------------------------------------------
def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=STAMP_SALT)


def make_stamp(entry: Entry, secret: str) -> str:
    """The signed stamp of ``entry``'s row: entry id, version, body and the digest of the answer as
    downloaded, signed with ``secret`` (the application's ``SECRET_KEY``)."""
    payload = {"e": entry.id, "v": entry.version, "b": entry.body_id, "h": answer_digest(entry_answer(entry))}
    return str(_serializer(secret).dumps(payload))


def read_stamp(text: str, secret: str) -> dict[str, Any]:
    """The payload of a stamp made by :func:`make_stamp`: ``{"e": entry id, "v": version,
    "b": body id, "h": answer digest}``.

    :raises StampError: empty, not signed with ``secret``, or not a payload of ours.
    """
    if not (text or "").strip():
        raise StampError(_("Řádek nemá razítko verze (skrytý sloupec); řádky do souboru nepřidávejte."))
    try:
        payload = _serializer(secret).loads(text.strip())
    except BadSignature:
        raise StampError(
            _("Razítko verze řádku je poškozené nebo podvržené; stáhněte si soubor znovu.")
        ) from None
    if not (
        isinstance(payload, dict)
        and all(isinstance(payload.get(k), int) for k in ("e", "v", "b"))
        and isinstance(payload.get("h"), str)
    ):
        raise StampError(_("Razítko verze řádku je poškozené nebo podvržené; stáhněte si soubor znovu."))
    return payload
