"""workflow.clock: calendar days and local times follow the configured zone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import time_machine

from workflow import clock


@pytest.fixture
def restore_zone() -> Iterator[None]:
    """Give the process its default zone back (the zone is process-wide)."""
    before = clock.TZ
    yield
    clock.TZ = before


def test_today_is_the_calendar_day_in_the_configured_zone(restore_zone: None) -> None:
    evening_utc = datetime(2026, 3, 1, 3, 30, tzinfo=UTC)  # Prague 04:30 on 1 March, New York 22:30 on 28 Feb
    clock.configure("Europe/Prague")
    assert clock.today(evening_utc) == date(2026, 3, 1)
    clock.configure("America/New_York")
    assert clock.today(evening_utc) == date(2026, 2, 28)
    with time_machine.travel(evening_utc, tick=False):
        assert clock.today() == date(2026, 2, 28)
        assert clock.now() == evening_utc and clock.now().tzinfo is UTC


def test_to_local_takes_naive_values_as_utc(restore_zone: None) -> None:
    clock.configure("Europe/Prague")
    summer = clock.to_local(datetime(2026, 7, 1, 21, 59))
    assert (summer.date(), summer.hour, summer.minute) == (date(2026, 7, 1), 23, 59)
    assert clock.to_local(datetime(2026, 7, 1, 22, 0, tzinfo=UTC)).date() == date(2026, 7, 2)


def test_an_unknown_zone_is_refused(restore_zone: None) -> None:
    with pytest.raises(KeyError):
        clock.configure("Mars/Olympus_Mons")
    assert clock.TZ.key != "Mars/Olympus_Mons"
