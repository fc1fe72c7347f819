"""A browser-like test client for the security tests: CSRF ON, the token read from the page.

:class:`Browser` wraps a Flask test client of the CSRF-enabled application (fixture ``secure_app``)
and, before every unsafe request, reads the CSRF token the way ``static/js/app.js`` does: from the
``<meta name="csrf-token">`` tag of a page the user would have open. So the requests pass the very
gate production runs (``web.views.auth._security_gate``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from workflow.models import User

TEST_PASSWORD = "správné-heslo-1234"
REMEMBER_COOKIE = "remember_token"
_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


class Browser:
    """One browser (its own cookies) on ``app``; ``page`` is where forms are read from."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client: FlaskClient = app.test_client()

    def token(self, page: str = "/prihlaseni") -> str:
        """The CSRF token on ``page`` (redirects followed, as a browser would)."""
        response = self.client.get(page, follow_redirects=True)
        match = _META.search(response.get_data(as_text=True))
        assert match, f"no CSRF token on {page} ({response.status_code})"
        return match.group(1)

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, *, page: str = "/ucet",
             **kwargs: Any) -> TestResponse:
        """POST a form with the CSRF token of ``page``, as the browser would submit it from there."""
        form = {"csrf_token": self.token(page), **(data or {})}
        return self.client.post(path, data=form, **kwargs)

    def sign_in(self, user: User | str, password: str = TEST_PASSWORD, *, remember: bool = False,
                next_url: str | None = None) -> TestResponse:
        """The real sign-in form."""
        email = user if isinstance(user, str) else user.email
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        path = "/prihlaseni" + (f"?next={next_url}" if next_url is not None else "")
        return self.post(path, data, page="/prihlaseni")

    def cookie(self, name: str) -> str | None:
        found = self.client.get_cookie(name)
        return found.value if found is not None else None

    def copy_cookies_from(self, other: Browser) -> None:
        """Take over every cookie of ``other`` (a stolen or copied cookie)."""
        for name in ("session", REMEMBER_COOKIE):
            value = other.cookie(name)
            if value is not None:
                self.client.set_cookie(name, value)

    def forget_session_cookie(self) -> None:
        """The browser was closed: the session cookie is gone, the remember cookie stays."""
        self.client.delete_cookie("session")

    def signed_in(self) -> bool:
        """True when the account page answers (200) rather than sending to sign-in (302)."""
        return self.client.get("/ucet").status_code == 200


def removes_cookie(response: TestResponse, name: str) -> bool:
    """True when ``response`` deletes cookie ``name`` (``Set-Cookie`` with an expiry in the past)."""
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(f"{name}=;") and ("Max-Age=0" in header or "1970" in header):
            return True
    return False


def build_secure_app(app: Flask, instance: Path) -> Flask:
    """A second application with CSRF ON, on the same database (and Redis) as the session's ``app``."""
    from web import create_app

    environ = {"PLNENI_ENV": "testing", "INSTANCE_PATH": str(instance / "instance"),
               "SECRET_KEY": app.config["SECRET_KEY"]}
    if app.config["REDIS_URL"]:
        environ["REDIS_URL"] = app.config["REDIS_URL"]
    return create_app(
        {
            "WTF_CSRF_ENABLED": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SQLALCHEMY_ENGINE_OPTIONS": app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "MAIL_OUTBOX_DIR": app.config["MAIL_OUTBOX_DIR"],
        },
        environ=environ,
    )
