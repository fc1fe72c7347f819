"""The templates' ``_()`` (web.extensions.current_translations): the request's language, and
``force_locale`` (an e-mail in its recipient's language, the Czech audit log) switches it for just
that block, back and forth within one request, with plurals in both languages."""

from __future__ import annotations

from flask import Flask, render_template_string
from flask_babel import force_locale

SNIPPET = "{{ _('Moje úkoly') }}|{{ ngettext('%(num)d řádek', '%(num)d řádků', 5) }}"


def test_template_gettext_follows_the_request_and_forced_locales(app: Flask) -> None:
    # a fresh application context per request, as in production (the fixture keeps one open)
    with app.app_context(), app.test_request_context("/", headers={"Cookie": "lang=en"}):
        assert render_template_string(SNIPPET) == "My tasks|5 rows"
        with force_locale("cs"):
            assert render_template_string(SNIPPET) == "Moje úkoly|5 řádků"
        assert render_template_string(SNIPPET) == "My tasks|5 rows"
    with app.app_context(), app.test_request_context("/"):
        assert render_template_string(SNIPPET) == "Moje úkoly|5 řádků"
        with force_locale("en"):
            assert render_template_string(SNIPPET) == "My tasks|5 rows"
        assert render_template_string(SNIPPET) == "Moje úkoly|5 řádků"
