"""Helpers of the bad-input suite (imported by name; no ``from conftest import``)."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import func, select

from web.extensions import db

#: Same as ``TEST_PASSWORD`` in tests/support.py.
TEST_PASSWORD = "správné-heslo-1234"

#: The answer every escaping test types in: a script element and an attribute handler.
XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"


def sign_in(client: FlaskClient, user: Any) -> None:
    """Sign ``user`` in through the real form."""
    response = client.post("/prihlaseni", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def row_counts() -> dict[str, int]:
    """Number of rows in every table of the schema."""
    return {
        table.name: db.session.execute(select(func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }
