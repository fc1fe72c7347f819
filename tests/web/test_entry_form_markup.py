"""The entry form's fields (``web.widgets.form_field``, written in Python for speed, issue 17) give
the same markup as the shared ``field`` macro with WTForms' widgets: label, control with its
``aria-describedby``/``aria-invalid``, ``maxlength`` and ``required``, help and error, for every
field of the entry form and the two small forms of its page, blank, filled and with errors."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from flask import Flask, render_template_string
from werkzeug.datastructures import MultiDict

from forms.entries import AttachmentForm, EntryForm, LinkForm

BOTH = """{% from "_macros/ui.html" import field as shared %}
{%- for f in fields %}{{ shared(f, helps.get(f.name)) }}@@{{ form_field(f, helps.get(f.name)) }}##
{%- endfor %}"""


def _normal(html: str) -> str:
    """Whitespace between and inside tags does not matter (a textarea's leading newline neither)."""
    return re.sub(r">\s+", ">", re.sub(r"\s+<", "<", " ".join(html.split())))


def _pairs(forms: list, helps: dict[str, str]) -> list[tuple[str, str]]:
    fields = [f for form in forms for f in form if f.type not in ("HiddenField", "CSRFTokenField")]
    rendered = render_template_string(BOTH, fields=fields, helps=helps)
    pairs = [part.split("@@") for part in rendered.split("##") if part.strip()]
    assert len(pairs) == len(fields)
    return [(_normal(a), _normal(b)) for a, b in pairs]


def test_the_entry_forms_fields_render_as_the_shared_macro(app: Flask) -> None:
    helps = {"fulfilment_status": "Povinné.", "indicator_text": "Jen „slovně“ <b>", "file": "PDF"}
    filled = {
        "fulfilment_status": "done",
        "indicator_number": Decimal("1600.5"),
        "indicator_unit": 'osob "a" <b>',
        "indicator_text": "3 setkání\n& další",
        "indicator_as_of": date(2026, 10, 31),
        "cooperation_text": "obce <script>",
    }
    bad = MultiDict(
        {"fulfilment_status": "zzz", "indicator_number": "abc", "indicator_unit": "u" * 200,
         "indicator_as_of": "31. 10.", "problems": "x" * 6000, "url": ""}
    )
    with app.test_request_context("/", method="POST", data=bad):
        blank = [EntryForm(formdata=None), LinkForm(formdata=None), AttachmentForm(formdata=None)]
        with_data = [EntryForm(formdata=None, data=filled)]
        invalid = [EntryForm(), LinkForm(), AttachmentForm()]
        for form in invalid:
            form.validate()
        invalid[0].text.errors = ["vyplňte text plnění"]  # as the view adds what submitting lacks
        assert invalid[0].indicator_unit.errors and invalid[1].url.errors and invalid[2].file.errors
        for shared, fast in _pairs(blank + with_data + invalid, helps):
            assert fast == shared
