"""Error pages in Czech, and JSON errors for the API."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from web.extensions import db


def register(app: Flask) -> None:
    """Install handlers for HTTP errors and for a lost database connection (503)."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        code = exc.code or 500
        if request.path.startswith("/api/"):
            return jsonify(error=exc.name, status=code), code
        return render_template("errors/error.html", code=code), code

    @app.errorhandler(OperationalError)
    def database_unavailable(exc: OperationalError) -> ResponseReturnValue:
        db.session.rollback()
        app.logger.warning("database unavailable: %s", exc.__class__.__name__)
        if request.path.startswith("/api/"):
            return jsonify(error="Service Unavailable", status=503), 503
        return render_template("errors/error.html", code=503), 503
