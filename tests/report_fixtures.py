"""Helpers of the report tests (imported explicitly; no conftest in this folder)."""

from __future__ import annotations

import json
import unicodedata
from typing import Any

import pytest
from support import REAL_PLAN_JSON

from devdata.world import opened_round
from web.extensions import db
from workflow.models import ReportingRound
from workflow.states import Role


def expected_plan() -> dict[str, Any]:
    """The real plan's JSON (the data the report must reproduce)."""
    return json.loads(REAL_PLAN_JSON.read_text(encoding="utf-8"))


def expected_rows() -> list[tuple[str, str, dict[str, Any]]]:
    """``[(area code, goal code, activity dict), …]`` in document order."""
    data = expected_plan()
    return [(a["code"], g["code"], act) for a in data["areas"] for g in a["goals"] for act in g["activities"]]


def plain(text: str) -> str:
    """Text with non-breaking spaces as spaces and whitespace runs collapsed (for comparisons)."""
    return " ".join(unicodedata.normalize("NFC", (text or "").replace("\u00a0", " ")).split())


def imported_round() -> ReportingRound:
    """The closed round the importer recorded."""
    return db.session.query(ReportingRound).filter_by(imported=True).one()


@pytest.fixture
def ctx(app):
    with app.test_request_context("/"):
        yield


@pytest.fixture
def people(real_plan, make_user):
    bodies = sorted({link.body.abbreviation for a in real_plan.activities for link in a.routing})

    class People:
        secretary = make_user("tajemnik@kraj-lbc.cz", roles=[Role.secretary])
        reviewer = make_user("hodnotitel@kraj-lbc.cz", roles=[Role.reviewer])
        admin = make_user("spravce@kraj-lbc.cz", roles=[Role.admin])
        body = make_user("zpracovatel@kraj-lbc.cz", roles=[Role.contributor], bodies=bodies)

    return People


@pytest.fixture
def opened(real_plan, people, ctx):
    round_ = opened_round(real_plan.id, people.secretary, year=2026)
    return round_
