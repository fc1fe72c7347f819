"""The product's one clock: the configured time zone (``TIMEZONE``), now and today in it.

Instants are stored and compared in UTC (:func:`now`); calendar days – deadlines, deputyships,
"today" on the dashboards and in the reminders – are days in :data:`TZ` (:func:`today`).
:func:`configure` sets :data:`TZ` from the ``TIMEZONE`` setting; the application factory calls it,
so the web processes, the Celery worker and beat (all built by ``create_app``) and the CLI share it.

Read the zone as ``clock.TZ`` (the module attribute), never ``from workflow.clock import TZ``: the
latter keeps the zone of import time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

#: The zone used until :func:`configure` runs (the default of the ``TIMEZONE`` setting).
DEFAULT_TIMEZONE = "Europe/Prague"
#: The configured time zone of calendar days and of times shown to users.
TZ: ZoneInfo = ZoneInfo(DEFAULT_TIMEZONE)


def configure(name: str) -> ZoneInfo:
    """Set :data:`TZ` to the IANA zone ``name`` (e.g. ``"Europe/Prague"``).

    :returns: the zone.
    :raises zoneinfo.ZoneInfoNotFoundError: ``name`` is not a known zone (a :class:`KeyError`).
    """
    global TZ
    TZ = ZoneInfo(name)
    return TZ


def now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


def today(at: datetime | None = None) -> date:
    """The calendar day in :data:`TZ` at the aware instant ``at`` (default: now)."""
    return (at or now()).astimezone(TZ).date()


def to_local(value: datetime) -> datetime:
    """``value`` in :data:`TZ`; a naive ``value`` is taken as UTC (as the database returns it)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(TZ)
