"""Deadlines of the action plan ("Termín plnění"): free text parsed into a kind and a date span.

The source column (seed 002; all 19 raw forms are listed in DOMAIN.md §3.1) mixes continuous
activities ("průběžně"), month and year ranges ("10/2024 – 12/2027", "2025-2027"), due months
("12/2025", "12/26"), a frequency ("1x ročně") and a condition ("dle připravovaného zákona").
Other plans add open-ended starts ("2024+" of seed 001's „Doba realizace“, "od 2024"), ends
("do 2026"), half-years and quarters ("2. pololetí 2025", "Q3 2025"), "dle potřeby" and months by
name ("únor 2008", "březen – prosinec 2009", as small municipalities' plans write them).
:func:`parse_deadline` never raises: anything it cannot read comes back as
``DeadlineKind.unknown`` so an import keeps the raw text and a validator can flag it.

Conventions: a span starts on the first day of its first month (year ranges: 1 January) and ends
on the last day of its last month (year ranges: 31 December); a two-digit year ``YY`` is
``2000 + YY``.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any


class DeadlineKind(StrEnum):
    """What a "Termín plnění" value means; the value is what gets stored.

    - ``ongoing``: continuous, no dates ("průběžně", "dle potřeby").
    - ``ongoing_until``: continuous until a month ("Průběžně do 12/25").
    - ``ongoing_from``: continuous from a year or month on, open-ended ("2024+", "od 2024");
      only ``start`` is set.
    - ``ongoing_range``: continuous within a year range ("2024-2027 průběžně").
    - ``range``: a month range ("10/2024 – 12/2027") or year range ("2025-2027", "2025/2026").
    - ``due``: to be done by the end of a month or year ("12/2025", "12/26", "únor 2008",
      "do 2026"); only ``end`` is set.
    - ``yearly``: recurs N times a year ("1x ročně"); ``frequency`` = N, no dates.
    - ``conditional``: depends on an outside event ("dle připravovaného zákona"); the text is
      kept in ``condition``.
    - ``unknown``: could not be parsed.
    """

    ongoing = "ongoing"
    ongoing_until = "ongoing_until"
    ongoing_from = "ongoing_from"
    ongoing_range = "ongoing_range"
    range = "range"
    due = "due"
    yearly = "yearly"
    conditional = "conditional"
    unknown = "unknown"


_ALWAYS_ACTIVE = frozenset(
    {DeadlineKind.ongoing, DeadlineKind.yearly, DeadlineKind.conditional, DeadlineKind.unknown}
)


@dataclass(frozen=True)
class ParsedDeadline:
    """A parsed deadline.

    :ivar kind: see :class:`DeadlineKind`.
    :ivar start: first day of the first month of the span, or ``None`` (open start).
    :ivar end: last day of the last month of the span, or ``None`` (open end).
    :ivar frequency: times per year, only for ``yearly``.
    :ivar condition: the condition text, only for ``conditional``.
    """

    kind: DeadlineKind
    start: date | None
    end: date | None
    frequency: int | None = None
    condition: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-friendly dict: ``kind`` as its string value, dates as ISO strings or None."""
        return {
            "kind": self.kind.value,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "frequency": self.frequency,
            "condition": self.condition,
        }

    def is_active_in(self, period_start: date, period_end: date) -> bool:
        """Say whether the activity falls into a reporting period (both bounds inclusive).

        ``ongoing``, ``yearly``, ``conditional`` and ``unknown`` are always active (the last so
        that an unreadable deadline is never silently skipped). Otherwise the span must overlap
        the period: ``end`` is not before ``period_start`` and ``start`` (if any) is not after
        ``period_end``. A ``due`` row past its month is therefore inactive in later periods;
        whether it still owes a final report is the round's decision, not this one's.

        :raises ValueError: ``period_start`` is after ``period_end``.
        """
        if period_start > period_end:
            raise ValueError(f"period start {period_start} is after its end {period_end}")
        if self.kind in _ALWAYS_ACTIVE:
            return True
        return (self.end is None or self.end >= period_start) and (
            self.start is None or self.start <= period_end
        )


UNKNOWN = ParsedDeadline(DeadlineKind.unknown, None, None)

_DASHES = re.compile("[\u2010-\u2015\u2212-]")  # hyphens, en/em dashes, minus sign
_SPACE_AROUND_SEPARATOR = re.compile(r"\s*([-/])\s*")
_WHITESPACE = re.compile(r"\s+")

_MONTH = r"(\d{1,2})/(\d{4}|\d{2})"
_YEARS = r"(\d{4})[-/](\d{4}|\d{2})"
_ONGOING = r"(?:průběžně|průběžné|prubezne)"
_AS_NEEDED = r"(?:dle|podle) (?:aktuální )?potřeby"

#: Month names, nominative and genitive ("únor 2008", "do února 2008"), by month number.
_MONTH_NAMES = {
    1: ("leden", "ledna"),
    2: ("únor", "února"),
    3: ("březen", "března"),
    4: ("duben", "dubna"),
    5: ("květen", "května"),
    6: ("červen", "června"),
    7: ("červenec", "července"),
    8: ("srpen", "srpna"),
    9: ("září",),
    10: ("říjen", "října"),
    11: ("listopad", "listopadu"),
    12: ("prosinec", "prosince"),
}
_MONTH_NUMBER = {name: number for number, names in _MONTH_NAMES.items() for name in names}
_MONTH_WORD = "(" + "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True)) + ")"
# „březen-prosinec 2009“ (one year for both months), then „březen 2009“ → „3/2009“.
_MONTH_WORD_RANGE = re.compile(rf"\b{_MONTH_WORD}-{_MONTH_WORD} (\d{{4}})\b")
_MONTH_WORD_YEAR = re.compile(rf"\b{_MONTH_WORD} (\d{{4}})\b")
# „2. pololetí 2025“, „Q3 2025“, „3. čtvrtletí 2025“ → month ranges.
_HALF_YEAR = re.compile(r"([12])\. ?pololetí (\d{4})")
_QUARTER = re.compile(r"(?:q([1-4])|([1-4])\. ?čtvrtletí|([1-4])\. ?kvartál) ?(\d{4})")


def _year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _first_day(month: str, year: str) -> date:
    return date(_year(year), int(month), 1)


def _last_day(month: str, year: str) -> date:
    y, m = _year(year), int(month)
    return date(y, m, calendar.monthrange(y, m)[1])


def _span(kind: DeadlineKind, start: date, end: date) -> ParsedDeadline:
    if start > end:
        raise ValueError("span ends before it starts")
    return ParsedDeadline(kind, start, end)


def _yearly(times: str) -> ParsedDeadline:
    if int(times) < 1:
        raise ValueError("frequency must be at least once a year")
    return ParsedDeadline(DeadlineKind.yearly, None, None, frequency=int(times))


def _years(kind: DeadlineKind, first: str, last: str) -> ParsedDeadline:
    return _span(kind, date(_year(first), 1, 1), date(_year(last), 12, 31))


# (pattern matched against the cleaned text, builder from the match groups), tried in order.
_RULES: list[tuple[re.Pattern[str], Callable[..., ParsedDeadline]]] = [
    (re.compile(_ONGOING), lambda: ParsedDeadline(DeadlineKind.ongoing, None, None)),
    (re.compile(_AS_NEEDED), lambda: ParsedDeadline(DeadlineKind.ongoing, None, None)),
    (
        re.compile(r"(?:od )?(\d{4}) ?\+|od (\d{4})(?: dále)?"),
        lambda a, b: ParsedDeadline(DeadlineKind.ongoing_from, date(int(a or b), 1, 1), None),
    ),
    (
        re.compile(rf"(?:od )?{_MONTH} ?\+|od {_MONTH}"),
        lambda m, y, m2, y2: ParsedDeadline(DeadlineKind.ongoing_from, _first_day(m or m2, y or y2), None),
    ),
    (
        re.compile(r"(?:do|nejpozději do|do konce(?: roku)?) (\d{4})"),
        lambda a: ParsedDeadline(DeadlineKind.due, None, date(int(a), 12, 31)),
    ),
    (
        re.compile(rf"{_ONGOING} do {_MONTH}"),
        lambda m, y: ParsedDeadline(DeadlineKind.ongoing_until, None, _last_day(m, y)),
    ),
    (re.compile(rf"{_YEARS} {_ONGOING}"), lambda a, b: _years(DeadlineKind.ongoing_range, a, b)),
    (re.compile(rf"{_ONGOING} {_YEARS}"), lambda a, b: _years(DeadlineKind.ongoing_range, a, b)),
    (
        re.compile(rf"{_MONTH}-{_MONTH}"),
        lambda m1, y1, m2, y2: _span(DeadlineKind.range, _first_day(m1, y1), _last_day(m2, y2)),
    ),
    (re.compile(_YEARS), lambda a, b: _years(DeadlineKind.range, a, b)),
    (re.compile(r"(\d{4})"), lambda a: _years(DeadlineKind.range, a, a)),
    (re.compile(rf"(?:do )?{_MONTH}"), lambda m, y: ParsedDeadline(DeadlineKind.due, None, _last_day(m, y))),
    (re.compile(r"(?:alespoň |min\. ?)?(\d+) ?[x×] ?(?:ročně|za rok)"), _yearly),
    (re.compile(r"(?:každoročně|ročně)"), lambda: _yearly("1")),
]
_CONDITIONAL = re.compile(r"(?:dle|podle) \S.*")


def _clean(raw: str) -> str:
    text = _DASHES.sub("-", unicodedata.normalize("NFC", raw).casefold())
    text = _WHITESPACE.sub(" ", _SPACE_AROUND_SEPARATOR.sub(r"\1", text)).strip()
    return _words_to_months(text)


def _words_to_months(text: str) -> str:
    """Month names, half-years and quarters as the ``M/YYYY`` forms the rules read.

    ``"březen-prosinec 2009"`` → ``"3/2009-12/2009"``; ``"únor 2008"`` → ``"2/2008"``;
    ``"2. pololetí 2025"`` → ``"7/2025-12/2025"``; ``"q3 2025"`` → ``"7/2025-9/2025"``.
    """
    text = _MONTH_WORD_RANGE.sub(
        lambda m: f"{_MONTH_NUMBER[m[1]]}/{m[3]}-{_MONTH_NUMBER[m[2]]}/{m[3]}", text
    )
    text = _MONTH_WORD_YEAR.sub(lambda m: f"{_MONTH_NUMBER[m[1]]}/{m[2]}", text)
    text = _HALF_YEAR.sub(lambda m: f"{6 * int(m[1]) - 5}/{m[2]}-{6 * int(m[1])}/{m[2]}", text)

    def quarter(m: re.Match[str]) -> str:
        number = int(m[1] or m[2] or m[3])
        return f"{3 * number - 2}/{m[4]}-{3 * number}/{m[4]}"

    return _QUARTER.sub(quarter, text)


def parse_deadline(raw: str | None) -> ParsedDeadline:
    """Parse one "Termín plnění" cell.

    :param raw: the cell text as written (seed 002, DOMAIN.md §3.1); case, extra whitespace and
        the kind of dash (hyphen or en dash, with or without spaces) do not matter.
    :returns: the :class:`ParsedDeadline`. ``"2025/2026"`` is read as the range
        2025-01-01..2026-12-31: the source may mean the school year 2025/26 or "in 2025 or 2026",
        and the widest reading never hides the activity from a round. A bare year ("2025") is the
        range of that year. Empty, ``None``, impossible dates (month 13, a range ending before it
        starts) and anything unrecognised give ``DeadlineKind.unknown``.

    Never raises.
    """
    text = _clean(raw or "")
    for pattern, build in _RULES:
        match = pattern.fullmatch(text)
        if match:
            try:
                return build(*match.groups())
            except ValueError:
                return UNKNOWN
    if _CONDITIONAL.fullmatch(text):
        return ParsedDeadline(
            DeadlineKind.conditional, None, None, condition=_WHITESPACE.sub(" ", raw or "").strip()
        )
    return UNKNOWN
