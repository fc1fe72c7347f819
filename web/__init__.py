"""The Flask glue of Plnění: the application factory, configuration and blueprints.

``create_app()`` builds a stateless web application: everything that matters lives in the
database, so any number of processes may run behind a load balancer.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context, request
from flask_login import current_user
from flask_talisman import Talisman

from web.config import PROJECT_ROOT, load_config
from web.extensions import babel, cache, csrf, db, install_template_gettext, login_manager, migrate
from workflow import clock
from workflow.collation import install as install_czech_collation
from workflow.db import track_reads


def create_app(overrides: dict[str, Any] | None = None, environ: dict[str, str] | None = None) -> Flask:
    """Create and configure the application.

    :param overrides: config keys applied after the environment (tests use this).
    :param environ: environment to read instead of ``os.environ``.
    :returns: the Flask application, with Celery at ``app.extensions["celery"]``.
    :raises web.config.ConfigurationError: unsafe production configuration.
    """
    app = Flask(
        "plneni",
        root_path=str(PROJECT_ROOT),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    from web.converters import IdConverter

    app.url_map.converters["int"] = IdConverter  # ids: ASCII digits within INTEGER, else 404
    app.config.update(load_config(environ))
    if overrides:
        app.config.update(overrides)
    clock.configure(app.config["TIMEZONE"])  # calendar days of this process (web, worker, beat, CLI)
    Path(app.config["INSTANCE_DIR"]).mkdir(parents=True, exist_ok=True)
    for key in ("data_folder_in", "processed_folder", "control_folder"):  # the embedded broker's folders
        folder = app.config["CELERY"]["broker_transport_options"].get(key)
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            install_czech_collation(engine)  # Czech ORDER BY on SQLite too (workflow.collation)
            track_reads(engine)  # read-only requests end with COMMIT (workflow.db.end_read_only)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    cache.init_app(app)
    _init_security_headers(app)
    babel.init_app(
        app,
        locale_selector=_select_locale,
        default_translation_directories=str(PROJECT_ROOT / "web" / "translations"),
    )
    install_template_gettext(app)
    _init_login(app)

    from web import uow

    uow.init_app(app)  # one transaction per request; the handler of the domain's refusals

    from web.views.auth import init_security

    init_security(app)  # throttling, bearer-token/CSRF gate, idle timeout

    from web.celery_app import celery_init_app

    celery_init_app(app)

    from notifications.events import subscribe

    subscribe()  # domain events become outbox rows when a session commits

    from web import chrome, filters, widgets
    from web.views import register_blueprints

    filters.register(app)
    widgets.register(app)
    chrome.register(app)
    register_blueprints(app)

    from web.cli import register_cli

    register_cli(app)
    return app


#: The Content-Security-Policy of every response: scripts, styles, fonts and images only from the
#: product itself (no inline script, no inline style attribute, no CDN); ``data:`` images for
#: Bootstrap's SVG icons; no framing by any site (``frame-ancestors 'none'``).
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def _init_security_headers(app: Flask) -> None:
    """Security headers on every response (Flask-Talisman).

    CSP as :data:`CONTENT_SECURITY_POLICY`, ``X-Frame-Options: DENY``, ``Referrer-Policy:
    strict-origin-when-cross-origin``, ``X-Content-Type-Options: nosniff``, and HSTS (one year) on
    requests that arrived over HTTPS (directly or as ``X-Forwarded-Proto: https`` from the reverse
    proxy). Plain HTTP is not redirected here: TLS ends at the reverse proxy, which redirects.
    The session cookie's ``Secure`` flag stays the one of ``SESSION_COOKIE_SECURE``. One Talisman
    per application (``app.extensions["talisman"]``): it keeps its options and its app on itself.
    """
    app.extensions["talisman"] = Talisman(
        app,
        force_https=False,
        strict_transport_security=True,
        strict_transport_security_max_age=365 * 24 * 3600,
        strict_transport_security_include_subdomains=False,
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )


def _select_locale() -> str:
    """Locale of the request: the user's setting, else the ``lang`` cookie, else ``DEFAULT_LOCALE``.

    Outside a request (CLI commands, Celery tasks) it is the configured default; e-mails choose
    their recipient's locale explicitly with ``force_locale``.
    """
    supported = ("cs", "en")
    if not has_request_context():
        return current_app.config.get("BABEL_DEFAULT_LOCALE", "cs")
    if current_user and current_user.is_authenticated and current_user.locale in supported:
        return current_user.locale
    cookie = request.cookies.get("lang")
    if cookie in supported:
        return cookie
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "cs")


def _init_login(app: Flask) -> None:
    from web.sessions import init_sessions, load_user

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Pro pokračování se přihlaste."
    login_manager.login_message_category = "info"
    # Sessions and remember cookies are checked against the user's session generation; bearer
    # tokens are handled by the security gate (web.views.auth), on /api/ only.
    login_manager.user_loader(load_user)
    init_sessions(app)
