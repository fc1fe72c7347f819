"""Flask extensions, created unbound and initialised in :func:`web.create_app`."""

from __future__ import annotations

from typing import Any

import flask_babel
from flask.globals import _cv_app
from flask_babel import Babel
from flask_caching import Cache
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

from workflow.db import db

babel = Babel()
login_manager = LoginManager()
migrate = Migrate()
csrf = CSRFProtect()
#: Rendered pages of frozen content (the report of a closed round); see ``PAGE_CACHE_SECONDS``.
cache = Cache()

_catalogue_lookup = flask_babel.Domain.get_translations


def _remembered(domain: flask_babel.Domain | None) -> Any:
    """The catalogue remembered on the request (:func:`_memoized_translations`) when it was made for
    the context's locale as it is now and for ``domain`` (``None``: the context's domain), read with
    one look at the application context; else ``None``."""
    app_context = _cv_app.get(None)
    state = app_context.g.__dict__.get("_flask_babel") if app_context is not None else None
    memo = getattr(state, "plneni_translations", None)
    if memo is None:
        return None
    locale = getattr(state, "babel_locale", None)
    wanted = domain if domain is not None else getattr(state, "babel_domain", None)
    return memo[2] if locale is not None and memo[0] is locale and memo[1] is wanted else None


def _memoized_translations(self: flask_babel.Domain) -> Any:
    """Flask-Babel's ``Domain.get_translations``, remembered on the request for the current locale.

    Flask-Babel looks the catalogue up by ``str(locale)`` on every ``_()``; rendering the Locale
    identifier costs more than the lookup, and a list page calls ``_()`` hundreds of times (issue 8:
    a quarter of the round dashboard's time). The memo is keyed by the Locale object itself, so
    ``force_locale`` (e-mails in the recipient's language) gets its own catalogue and the request's
    is found again afterwards. The memo is read with one look at the application context (issue
    17: Flask-Babel's helpers look it up twice per call).
    """
    found = _remembered(self)
    if found is not None:
        return found
    ctx = flask_babel._get_current_context()
    if ctx is None:
        return _catalogue_lookup(self)
    locale = flask_babel.get_locale()
    translations = _catalogue_lookup(self)
    ctx.plneni_translations = (locale, self, translations)
    return translations


flask_babel.Domain.get_translations = _memoized_translations  # type: ignore[method-assign]


def current_translations() -> Any:
    """The catalogue of the current locale, as :func:`flask_babel.get_translations` gives it, but
    from the request's memo in one look when it is current (the templates' ``_()``: the page chrome
    alone calls it 17 times, and Flask-Babel's own path asks the application context for its state
    four times per call — half of the chrome's rendering time). ``force_locale`` sets another
    locale object, so the memo does not count then and Flask-Babel's path answers.
    """
    found = _remembered(None)
    return found if found is not None else flask_babel.get_translations()


def install_template_gettext(app: Any) -> None:
    """The templates' ``_()``, ``ngettext`` … through :func:`current_translations` (replacing the
    callables Flask-Babel's ``init_app`` installed; same behaviour, ``newstyle`` as there)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
    )

__all__ = ["babel", "csrf", "db", "login_manager", "migrate"]
