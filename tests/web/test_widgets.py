"""web.widgets.select renders a select field byte for byte as WTForms' widget does (issue 17: the
fast path of the filter selects), and leaves what it does not handle to the widget."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from forms.reports import ExportForm
from forms.rounds import as_choices
from forms.tasks import TaskFilterForm
from web.widgets import select


class _Choices(Form):
    plain = SelectField(
        choices=as_choices([("", _l("Všechny stavy")), ("a&b", 'Č "uvozovky" <b>'), ("x", "X")])
    )
    number = SelectField(coerce=int, choices=as_choices([(0, "— všechny —"), (12, "OSV"), (7, "OŠMTS")]))
    flag = SelectField(
        choices=as_choices([(True, "ano"), (False, "ne")]), coerce=lambda v: v in (True, "True")
    )
    grouped = SelectField(
        choices=[SelectChoice("1", "jedna", optgroup="A"), SelectChoice("2", "dvě", optgroup="B")]
    )
    required = SelectField(choices=as_choices([("1", "jedna")]), validators=[DataRequired()])
    many = SelectMultipleField(choices=as_choices([("1", "jedna"), ("2", "dvě")]))


def test_select_is_the_widgets_markup(app: Flask) -> None:
    with app.test_request_context("/"):
        for data in ({}, {"plain": "a&b", "number": "12", "flag": "True"}, {"plain": "nic", "number": "99"}):
            form = _Choices(MultiDict(data))
            for field in form:
                for attributes in ({}, {"class_": "form-select form-select-sm"}, {"aria_label": "Výběr"}):
                    assert select(field, **attributes) == field(**attributes), (field.name, data)
        tasks = TaskFilterForm(MultiDict({"state": "submitted", "deadline": "week"}))
        tasks.area.choices = as_choices([(0, "Všechny okruhy"), (5, "A – Systémová opatření")])
        for field in (tasks.state, tasks.deadline, tasks.area):
            assert select(field, class_="form-select") == field(class_="form-select")
        assert 'selected value="submitted"' in select(tasks.state)
        # a required select (the report's export format): the flag as the widget writes it
        export = ExportForm(MultiDict({"fmt": "docx"}))
        assert select(export.fmt, class_="form-select") == export.fmt(class_="form-select")
        assert " required" in select(export.fmt) and 'selected value="docx"' in select(export.fmt)


def test_page_link_base_keeps_the_query_but_the_page(app: Flask) -> None:
    from web.widgets import page_link_base

    with app.test_request_context("/moje-ukoly?stav=draft&strana=3&q=A1.1 a&stav=x"):
        assert page_link_base() == "/moje-ukoly?stav=draft&q=A1.1+a&strana="
    with app.test_request_context("/kontrola", base_url="http://intranet.kraj/plneni"):
        assert page_link_base() == "/plneni/kontrola?strana="
