"""The reason of a „k revizi“ flag is stored as nothing but the activity's own wording: it is
derived as a code with parameters and rendered in the reader's locale (issue 14 §3), on the
resolution page, the plan page and a body's page."""

from __future__ import annotations

import re

import pytest
from flask_babel import refresh
from routing_fixtures import cards_plan
from sqlalchemy import select
from support import login

from web.extensions import db
from workflow.models import Body, Plan
from workflow.responsibility import REASON_CODES, Reason, reason_text
from workflow.states import Role


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


@pytest.fixture
def plan(app) -> Plan:
    plan = cards_plan()
    db.session.commit()
    return plan


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("cs", "nerozpoznaný název „Obce“; zatím přiděleno výchozímu subjektu OSV"),
        ("en", "unrecognised name “Obce”; assigned to the default body OSV for now"),
    ],
)
def test_flag_reason_in_the_users_locale(client, make_user, plan, locale, expected):
    secretary = make_user("tajemnik@kraj-lbc.cz", roles=[Role.secretary], locale=locale)
    assert login(client, secretary).status_code == 302
    refresh()  # the test's app context outlives the sign-in request, whose locale Flask-Babel kept on g
    assert expected in _text(client.get(f"/plany/{plan.id}/rozpoznani"))
    assert expected in _text(client.get(f"/plany/{plan.id}"))
    osv = db.session.scalar(select(Body).where(Body.abbreviation == "OSV"))
    body_page = _text(client.get(f"/subjekty/{osv.id}"))
    assert expected in body_page
    no_department = {
        "cs": "odbor není uveden; přiděleno výchozímu subjektu OSV",
        "en": "no department given; assigned to the default body OSV",
    }[locale]
    assert no_department in body_page  # card 1.1.5 „LK“: the real cause, not a fixed sentence


def test_every_reason_code_has_a_text_in_both_locales(app):
    from flask_babel import force_locale

    reason = {code: Reason(code, name="obce", body="OSV", names=("NNO",)) for code in REASON_CODES}
    with app.test_request_context():
        czech = {code: reason_text(r) for code, r in reason.items()}
        with force_locale("en"):
            english = {code: reason_text(r) for code, r in reason.items()}
    assert all(czech[code] != english[code] for code in REASON_CODES), (czech, english)
    with pytest.raises(ValueError):
        reason_text(Reason("nonsense"))
