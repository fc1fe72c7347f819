"""The page chrome of ``base.html`` (style sheets and scripts, header with the menus, footer),
rendered once per key instead of on every request.

The chrome is the same on every page for the same locale, capacities and menu section: its ~30
``url_for`` calls, ~25 translations and three permission checks cost an eighth of a page's CPU
(issue 17). :func:`chrome` renders ``templates/_chrome/<part>.html`` once per key and keeps the
result in the application (``app.extensions``; a few hundred keys at most: locales × the four
capacities × the menu's sections); what differs between users of one key, their name and the
session's CSRF token, goes in by substitution, escaped. Nothing in it comes from the database
rows of the product: it is as much a part of the deployed code as the compiled templates are, so
every web process may keep its own. In debug mode, or with ``TEMPLATES_AUTO_RELOAD``, it is
rendered on every request (edited templates show at once).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from web.landing import has_tasks
from workflow.permissions import Action, can

#: The main menu's sections: a page whose endpoint is in blueprint ``name`` marks its item active.
SECTIONS = ("tasks", "plans", "rounds", "review", "bodies", "imports", "admin")
#: The parts of the chrome (``templates/_chrome/<part>.html``).
PARTS = ("assets", "header", "footer")
#: Stand-ins rendered in place of the per-user values, replaced after rendering (they cannot occur
#: in a template's own text: NUL is not valid in HTML).
_USER, _CSRF = "\x00user\x00", "\x00csrf\x00"
_EXTENSION = "plneni.chrome"


def _values(part: str) -> dict[str, Any]:
    """What ``part`` depends on for the current request, the per-user values as stand-ins."""
    locale = get_locale()
    values: dict[str, Any] = {"english": locale is not None and locale.language == "en", "lang": str(locale)}
    if part != "header":
        return values
    authenticated = bool(current_user.is_authenticated)
    values["authenticated"] = authenticated
    if authenticated:
        endpoint = request.endpoint or ""
        values.update(
            section=next((name for name in SECTIONS if endpoint.startswith(f"{name}.")), None),
            has_tasks=has_tasks(current_user),
            can_review=can(current_user, Action.review_entries),
            can_import=can(current_user, Action.import_plan),
            can_admin=can(current_user, Action.manage_users),
        )
    return values


def render_part(part: str, values: dict[str, Any]) -> str:
    """``templates/_chrome/<part>.html`` rendered with ``values`` (no cache).

    :param part: one of :data:`PARTS`.
    :param values: the template's variables (see :func:`_values`; ``user_label`` and ``csrf``
        for the header).
    :returns: the HTML (a ``str`` marked safe by the template's autoescaping).
    """
    return current_app.jinja_env.get_template(f"_chrome/{part}.html").render(values)


def chrome(part: str) -> Markup:
    """The chrome's ``part`` for the current request: from the application's memo when rendered
    before with the same key, else rendered and kept.

    :param part: one of :data:`PARTS`.
    :returns: the HTML, with the signed-in user's name (escaped) and the session's CSRF token.
    :raises KeyError: for an unknown part.
    """
    if part not in PARTS:
        raise KeyError(part)
    values = _values(part)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    memo: dict[tuple[Any, ...], str] = app.extensions[_EXTENSION]
    key = (part, *sorted(values.items(), key=lambda item: item[0]))
    html = memo.get(key)
    if html is None:
        html = render_part(part, {**values, "user_label": _USER, "csrf": _CSRF})
        if not (app.debug or app.jinja_env.auto_reload):
            memo[key] = html
    if part == "header" and values["authenticated"]:
        html = html.replace(_USER, str(escape(current_user.name or current_user.email)))
    if _CSRF in html:
        html = html.replace(_CSRF, str(escape(generate_csrf())))
    return Markup(html)  # nosec B704 # noqa: S704 - rendered with autoescaping, values escaped


def register(app: Flask) -> None:
    """Install :func:`chrome` as a template global and its memo on ``app``."""
    app.extensions[_EXTENSION] = {}
    app.add_template_global(chrome)
