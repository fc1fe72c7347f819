"""Shared test constants and helpers, importable from any test module as ``support``.

(Kept out of ``conftest.py``: pytest loads several ``conftest`` modules, so ``from conftest
import …`` would pick up whichever was loaded last.)
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import g, has_app_context
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import event
from werkzeug.datastructures import MultiDict

from workflow.models import User

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"
REAL_PLAN_JSON = DATA_DIR / "akcni-plan-2024-2025.json"
REAL_PLAN_CSV = DATA_DIR / "akcni-plan-2024-2025.csv"
REAL_PLAN_XLSX = DATA_DIR / "akcni-plan-2024-2025.xlsx"
TEST_PASSWORD = "správné-heslo-1234"

REQUIRE_SERVICES = os.environ.get("PLNENI_REQUIRE_SERVICES") == "1"


#: Methods Flask-WTF's CSRF protection checks.
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class BrowserClient(FlaskClient):
    """Flask's test client that sends the CSRF token as the product's pages do: as the form field
    ``csrf_token`` of a form post, and as the ``X-CSRFToken`` header (what htmx and the pages' scripts
    send) of any other unsafe request. Flask-WTF's validation stays on in the app.

    The token is Flask-WTF's own: the raw value in the client's session (created there as
    ``flask_wtf.csrf.generate_csrf`` does when missing), signed with the app's key and salt.
    Requests with an ``Authorization`` header (bearer API calls) get no token.

    A test of the refusal sets ``client.auto_csrf = False`` (or sends its own ``csrf_token``).
    """

    auto_csrf = True

    def csrf_token(self) -> str:
        """The signed token a page rendered now would carry for this client's session."""
        config = self.application.config
        field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        with self.session_transaction() as session:
            if field not in session:
                session[field] = hashlib.sha1(os.urandom(64)).hexdigest()
            raw = session[field]
        secret = config.get("WTF_CSRF_SECRET_KEY") or self.application.secret_key
        return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)

    def open(self, *args: Any, **kwargs: Any) -> Any:
        field = self.application.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        if has_app_context():
            # The tests' requests share the test's app context (and so ``g``), where Flask-WTF
            # keeps the token of "this request"; in production every request has its own.
            g.pop(field, None)
        method = str(kwargs.get("method", "GET")).upper()
        headers = kwargs.get("headers") or {}
        if (
            self.auto_csrf
            and method in _UNSAFE
            and args
            and isinstance(args[0], str)
            and "Authorization" not in headers
        ):
            token = self.csrf_token()
            data = kwargs.get("data")
            if "json" not in kwargs and (data is None or isinstance(data, dict | MultiDict)):
                data = data.copy() if data is not None else {}
                if field not in data:
                    data[field] = token
                kwargs["data"] = data
            else:
                headers = dict(headers)
                headers.setdefault("X-CSRFToken", token)
                kwargs["headers"] = headers
        return super().open(*args, **kwargs)


def empty_tables() -> None:
    """Back to empty tables inside a test (a test that rebuilds its world): rolls the test's outer
    transaction back, or (system tier) empties the tables for real."""
    from harness import current

    isolation = current()
    if isolation is None:
        raise RuntimeError("empty_tables() runs only inside a test that uses the app")
    isolation.restart()


#: The harness' own statements (the savepoints that stand in for the code's commits).
_HARNESS_STATEMENT = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.IGNORECASE)


@contextmanager
def count_statements() -> Iterator[list[str]]:
    """Collect the SQL statements the code sends to the database inside the block (the savepoints
    of the test isolation left out, so the count is what production sends)."""
    from web.extensions import db

    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not _HARNESS_STATEMENT.match(statement):
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


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
