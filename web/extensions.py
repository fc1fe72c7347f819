"""Flask extensions, created unbound and initialised in :func:`web.create_app`."""

from __future__ import annotations

from typing import Any

import flask_babel
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


def _memoized_translations(self: flask_babel.Domain) -> Any:
    """Flask-Babel's ``Domain.get_translations``, remembered on the request for the current locale.

    Flask-Babel looks the catalogue up by ``str(locale)`` on every ``_()``; rendering the Locale
    identifier costs more than the lookup, and a list page calls ``_()`` hundreds of times (issue 8:
    a quarter of the round dashboard's time). The memo is keyed by the Locale object itself, so
    ``force_locale`` (e-mails in the recipient's language) gets its own catalogue and the request's
    is found again afterwards.
    """
    ctx = flask_babel._get_current_context()
    if ctx is None:
        return _catalogue_lookup(self)
    locale = flask_babel.get_locale()
    memo = getattr(ctx, "plneni_translations", None)
    if memo is not None and memo[0] is locale and memo[1] is self:
        return memo[2]
    translations = _catalogue_lookup(self)
    ctx.plneni_translations = (locale, self, translations)
    return translations


flask_babel.Domain.get_translations = _memoized_translations  # type: ignore[method-assign]

__all__ = ["babel", "csrf", "db", "login_manager", "migrate"]
