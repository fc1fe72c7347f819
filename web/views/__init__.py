"""Blueprints of the web UI and the JSON API."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every blueprint and the error handlers on ``app``."""
    from web.views import account, admin, api, auth, bodies, errors, imports, main, plans

    for module in (main, auth, plans, bodies, imports, api, admin, account):
        app.register_blueprint(module.bp)
    from web.views import api_rounds, entries, review, rounds, tasks

    for module in (rounds, entries, review, tasks, api_rounds):
        app.register_blueprint(module.bp)
    from web.views import help as help_pages

    app.register_blueprint(help_pages.bp)
    from web.views import notifications

    app.register_blueprint(notifications.bp)
    from web.views import api_reports, reports

    app.register_blueprint(reports.bp)
    app.register_blueprint(api_reports.bp)
    from web.views import public

    app.register_blueprint(public.bp)
    from web.views import offline

    app.register_blueprint(offline.bp)
    from web.views import plan_attributes

    app.register_blueprint(plan_attributes.bp)
    from web.views import routing

    app.register_blueprint(routing.bp)
    errors.register(app)
