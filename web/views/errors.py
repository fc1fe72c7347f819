"""Error pages in Czech, and JSON errors for the API."""

from __future__ import annotations

from flask import Flask, g, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from web.extensions import login_manager
from web.uow import fail


def register(app: Flask) -> None:
    """Install handlers for HTTP errors and for a lost database connection (503)."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        code = exc.code or 500
        # 405 names the methods the URL does allow (RFC 9110 §15.5.6).
        allowed = exc.valid_methods if isinstance(exc, MethodNotAllowed) else None
        headers = {"Allow": ", ".join(allowed)} if allowed else {}
        if request.path.startswith("/api/"):
            return jsonify(error=exc.name, status=code), code, headers
        return render_template("errors/error.html", code=code), code, headers

    def database_unavailable(exc: Exception) -> ResponseReturnValue:
        """The database went away (restart, dropped connection): roll the whole request back —
        nothing of it is half-written — and answer 503; the pool replaces the connection later."""
        fail()  # rolls back, or drops the session when the connection is dead
        app.logger.warning("database unavailable: %s", exc.__class__.__name__)
        # The page must not touch the database again: shown as to a visitor (the signed-in user's
        # row cannot be loaded now); the session cookie is left as it is.
        g._login_user = login_manager.anonymous_user()
        if request.path.startswith("/api/"):
            return jsonify(error="Service Unavailable", status=503), 503
        return render_template("errors/error.html", code=503), 503

    for exc_class in (OperationalError, InterfaceError, DisconnectionError):
        app.register_error_handler(exc_class, database_unavailable)
