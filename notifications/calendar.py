"""Working days in the Czech Republic: no weekends, no public holidays (the ``holidays`` package).

Reminder dates that fall on a day off move to the previous working day (issue 5 item 2); all dates
are calendar dates in ``TIMEZONE``.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _czech_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("CZ", years=year))


def is_working_day(day: date) -> bool:
    """True unless ``day`` is a Saturday, a Sunday or a Czech public holiday (e.g. 28. 10., 17. 11.)."""
    return day.weekday() < 5 and day not in _czech_holidays(day.year)


def previous_working_day(day: date) -> date:
    """``day`` itself if it is a working day, else the nearest working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def next_working_day(day: date) -> date:
    """``day`` itself if it is a working day, else the nearest working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def send_date_before(deadline: date, days_before: int) -> date:
    """When a reminder ``days_before`` days before ``deadline`` goes out: moved back to a working day."""
    return previous_working_day(deadline - timedelta(days=days_before))


def send_date_after(deadline: date, days_after: int) -> date:
    """When a notice ``days_after`` (≥ 1) days after ``deadline`` goes out.

    Moved back to the previous working day like reminders, but never onto or before the deadline
    itself (the body is not late yet then): in that case forward to the next working day.
    """
    nominal = deadline + timedelta(days=days_after)
    day = previous_working_day(nominal)
    if day <= deadline:
        day = next_working_day(nominal)
    return day
