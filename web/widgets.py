"""Form controls and pagers rendered for speed where a page draws them on every request.

WTForms' ``Select`` widget builds every ``<option>``'s attributes through ``html_params`` (sorting,
key cleaning, escaping per attribute): the filter ``<select>``\\ s of „Moje úkoly“ took a sixth of
the page's rendering that way (issue 17). :func:`select` writes the same markup in one pass.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask, request
from markupsafe import Markup, escape
from wtforms import Field, SelectField
from wtforms.widgets import Select, html_params


def select(field: SelectField, **attributes: Any) -> Markup:
    """``field`` as its WTForms widget renders it (``field(**attributes)``), byte for byte, for the
    plain case: a single-choice select without option groups or per-option attributes (its
    validators' ``required``/``disabled`` flags included); anything else is left to the widget.

    :param attributes: the ``<select>``'s attributes as WTForms takes them (``class_`` for
        ``class``); ``id`` defaults to the field's.
    :returns: the ``<select>`` element with its options, the chosen one marked ``selected``.
    """
    flags = getattr(field, "flags", None)
    if getattr(field.widget, "multiple", False) or field.has_groups():
        return field(**attributes)
    attributes = {"id": field.id, **attributes}
    for name in Select.validation_attrs:  # the validators' flags, as the widget adds them
        if name not in attributes and getattr(flags, name, False):
            attributes[name] = getattr(flags, name)
    head = html_params(name=field.name, **attributes)  # one call, as the widget
    options = []
    for choice in field.iter_choices():
        if choice.render_kw:
            return field(**attributes)
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        mark = "selected " if choice.selected else ""
        options.append(f'<option {mark}value="{escape(value)}">{escape(choice.label or value)}</option>')
    return Markup(f"<select {head}>{''.join(options)}</select>")  # nosec B704 # noqa: S704 - escaped above


def form_field(field: Field, help: Any = None) -> Markup:
    """One field of a form as the shared ``field`` macro of ``_macros/ui.html`` renders it with
    WTForms' widgets: label (with the required mark), control with ``aria-describedby``,
    ``aria-invalid``, the validators' ``maxlength`` and ``required``, help text and errors. Written
    in one pass for the entry form, where the macro and ``html_params`` cost a third of the page's
    CPU (issue 17). Kinds: select (single choice), textarea and ``<input>`` (text, number, date,
    url, file); not for check boxes (the shared macro draws those).

    :param field: a bound WTForms field.
    :param help: the help text under the control (escaped unless :class:`~markupsafe.Markup`);
        ``None`` or empty: none.
    :returns: the field's ``<div class="mb-3">`` block.
    """
    invalid = bool(field.errors)
    ident = escape(field.id)
    described = ([f"{ident}-help"] if help else []) + ([f"{ident}-error"] if invalid else [])
    flags = field.flags
    kind = field.type
    control = "form-select" if kind == "SelectField" else "form-control"
    common = (
        f'aria-describedby="{" ".join(described)}" aria-invalid="{"true" if invalid else "false"}" '
        f'class="{control}{" is-invalid" if invalid else ""}" id="{ident}"'
    )
    if flags.maxlength and kind != "SelectField":
        common += f' maxlength="{escape(flags.maxlength)}"'
    common += f' name="{escape(field.name)}"'
    mark = ' <span class="text-danger" aria-hidden="true">*</span>' if flags.required else ""
    if flags.required:
        common += " required"
    if kind == "SelectField":
        options = "".join(
            f'<option {"selected " if choice[2] else ""}value="{escape(choice[0])}">'
            f"{escape(choice[1])}</option>"
            for choice in field.iter_choices()
        )
        control_html = f"<select {common}>{options}</select>"
    elif kind == "TextAreaField":
        control_html = f"<textarea {common}>\n{escape(field._value())}</textarea>"
    elif kind == "FileField":
        control_html = f'<input {common} type="file">'
    else:
        kind_of_input = escape(field.widget.input_type)
        control_html = f'<input {common} type="{kind_of_input}" value="{escape(field._value())}">'
    parts = [
        f'<div class="mb-3">\n  <label class="form-label" for="{ident}">'
        f"{escape(field.label.text)}</label>{mark}\n  ",
        control_html,
    ]
    if help:
        parts.append(f'\n  <div id="{ident}-help" class="form-text">{escape(help)}</div>')
    if invalid:
        errors = Markup(" ").join(field.errors)
        parts.append(f'\n  <div id="{ident}-error" class="invalid-feedback d-block">{errors}</div>')
    parts.append("\n</div>")
    return Markup("".join(parts))  # nosec B704 # noqa: S704 - every value escaped above


def page_link_base() -> str:
    """The current page's address with its query (first value of each parameter) but ``strana``,
    ending in ``strana=`` so that a page number appended makes a pager's link: one URL built per
    pager instead of one ``url_for`` per page (a list of 1,500 entries has 30 pages).

    :returns: e.g. ``"/moje-ukoly?stav=draft&strana="``.
    """
    query = [(key, value) for key, value in request.args.items() if key != "strana"]
    return f"{request.script_root}{request.path}?{urlencode([*query, ('strana', '')])}"


def register(app: Flask) -> None:
    """Install :func:`select` as the template global ``select_field``, :func:`form_field` and
    :func:`page_link_base`."""
    app.add_template_global(select, "select_field")
    app.add_template_global(form_field)
    app.add_template_global(page_link_base)
