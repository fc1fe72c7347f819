"""TIMEZONE and DEFAULT_LOCALE are honoured by the application they configure."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import time_machine
from flask import Flask, render_template_string

from web import create_app
from workflow import clock

#: Late morning in UTC: already the next day at UTC+14, the same day in Prague.
INSTANT = datetime(2026, 11, 16, 11, 0, tzinfo=UTC)


@pytest.fixture
def configured(app: Flask, tmp_path: Path) -> Iterator[object]:
    """``configured(**settings)`` → another application on the test database with those settings;
    the process' zone is set back to the session application's afterwards."""

    def build(**settings: str) -> Flask:
        environ = {
            "PLNENI_ENV": "testing",
            "SECRET_KEY": "test-secret-key",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            **settings,
        }
        return create_app({"WTF_CSRF_ENABLED": False}, environ=environ)

    yield build
    clock.configure(app.config["TIMEZONE"])


def _shown(application: Flask) -> str:
    with application.test_request_context("/"):
        return render_template_string("{{ at|date }} {{ at|datetime }}", at=INSTANT)


def test_timezone_sets_today_and_the_times_shown(app: Flask, configured) -> None:
    with time_machine.travel(INSTANT, tick=False):
        assert clock.today() == date(2026, 11, 16)
        assert _shown(app) == "16. 11. 2026 16. 11. 2026 12:00"

        kiritimati = configured(TIMEZONE="Pacific/Kiritimati")  # UTC+14
        assert clock.today() == date(2026, 11, 17)
        assert _shown(kiritimati) == "17. 11. 2026 17. 11. 2026 1:00"
        assert kiritimati.extensions["celery"].conf.timezone == "Pacific/Kiritimati"


def test_default_locale_english_gives_an_english_sign_in_page(client, configured) -> None:
    assert "Přihlásit se" in client.get("/prihlaseni").get_data(as_text=True)

    english = configured(DEFAULT_LOCALE="en").test_client()
    page = english.get("/prihlaseni").get_data(as_text=True)
    assert "Sign in" in page and "Přihlásit se" not in page
    # the visitor's own choice still wins over the default
    english.set_cookie("lang", "cs")
    assert "Přihlásit se" in english.get("/prihlaseni").get_data(as_text=True)
