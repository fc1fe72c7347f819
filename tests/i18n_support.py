"""A light application for the i18n tests (no database needed) and a request in a given language."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

from web import create_app


def make_app(tmp: Path) -> Flask:
    """The real application factory on a throw-away instance folder (SQLite, never touched)."""
    environ = {"PLNENI_ENV": "testing", "INSTANCE_PATH": str(tmp), "SECRET_KEY": "i18n-tests"}
    return create_app(environ=environ)


@contextmanager
def in_language(app: Flask, lang: str) -> Iterator[None]:
    """A request context whose locale is ``lang`` (through the anonymous ``lang`` cookie)."""
    from flask_babel import refresh

    with app.test_request_context("/", headers={"Cookie": f"lang={lang}"}):
        refresh()
        yield
