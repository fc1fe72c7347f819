"""Blueprints of the web UI and the JSON API."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every blueprint and the error handlers on ``app``."""
    from web.views import api, auth, bodies, errors, imports, main, plans

    for module in (main, auth, plans, bodies, imports, api):
        app.register_blueprint(module.bp)
    errors.register(app)
