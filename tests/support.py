"""Shared test constants and helpers, importable from any test module as ``support``.

(Kept out of ``conftest.py``: pytest loads several ``conftest`` modules, so ``from conftest
import …`` would pick up whichever was loaded last.)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from workflow.models import User

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
REAL_PLAN_JSON = DATA_DIR / "akcni-plan-2024-2025.json"
REAL_PLAN_CSV = DATA_DIR / "akcni-plan-2024-2025.csv"
REAL_PLAN_XLSX = DATA_DIR / "akcni-plan-2024-2025.xlsx"
TEST_PASSWORD = "správné-heslo-1234"

REQUIRE_SERVICES = os.environ.get("PLNENI_REQUIRE_SERVICES") == "1"


def login(client: FlaskClient, user: User, password: str = TEST_PASSWORD) -> Any:
    """Sign ``user`` in through the real sign-in form; returns the response."""
    return client.post("/prihlaseni", data={"email": user.email, "password": password})


#: A JSON payload for the ``password_reset`` e-mail, used by the outbox tests.
RESET_PAYLOAD = {
    "user": {"email": "jana.novakova@kraj-lbc.cz", "locale": "cs"},
    "url": "http://127.0.0.1:5000/heslo/abc",
    "valid_minutes": 60,
    "base_url": "http://127.0.0.1:5000",
}
