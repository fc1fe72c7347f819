"""A re-import keeps the routing the secretary decided per activity (issue 14 §3): unchanged
„Odpovědnost“ text → decided bodies and flag stay; changed text → routed from the new text, the
stale decision dropped and named in the import's warnings."""

from __future__ import annotations

import pytest
from import_helpers import bodies, csv_bytes  # noqa: F401
from sqlalchemy import select

from web.extensions import db
from workflow.importing import ImportOptions, commit_import, preview_import
from workflow.models import Activity, Body, Plan, PlanImport, RoutingDecision
from workflow.routing.resolution import decide_activity
from workflow.states import Role

HEADERS = ["Číslo aktivity", "Název aktivity", "Popis aktivity a její výstupy", "Doba realizace",
           "Odpovědnost za realizaci"]
CARDS = [
    ["1.1.1", "Podpora rodiny", "Sanace rodiny.", "2024+", "obce, poskytovatelé sociálních služeb"],
    ["1.1.2", "Krizová pomoc", "Krizová pomoc rodinám.", "2024+", "LK"],
    ["2.1.1", "Terénní péče", "Péče doma.", "2024–2026", "Odbor sociálních věcí KÚ LK"],
]
OPTIONS = ImportOptions(title="Plán sociálních služeb", period="2024–2026",
                        level_names=["Oblast", "Cíl", "Karta"])


@pytest.fixture
def secretary(app, make_user):
    return make_user("tajemnik@kraj-lbc.cz", roles=[Role.secretary])


def _file(rows: list[list[str]]) -> bytes:
    return csv_bytes([HEADERS, *rows], delimiter=";", bom=True)


def _card(plan: Plan, code: str) -> Activity:
    return db.session.scalar(select(Activity).where(Activity.plan_id == plan.id, Activity.code == code))


def _body(abbreviation: str) -> Body:
    return db.session.scalar(select(Body).where(Body.abbreviation == abbreviation))


def _routing(activity: Activity) -> list[str]:
    return [link.body.abbreviation for link in activity.routing]


@pytest.fixture
def decided_plan(bodies, secretary) -> Plan:  # noqa: F811
    """The three cards imported; 1.1.1 (flagged: „obce“ unrecognised) and 1.1.2 (flagged: no
    department) routed explicitly by the secretary. Committed."""
    plan = commit_import(_file(CARDS), "karty.csv", options=OPTIONS).plan
    assert _card(plan, "1.1.1").routing_needs_review and _card(plan, "1.1.2").routing_needs_review
    decide_activity(_card(plan, "1.1.1"), [_body("OSV").id, _body("OZ").id], secretary, note="dohodnuto")
    decide_activity(_card(plan, "1.1.2"), [_body("ORREP").id], secretary, note="krizová pomoc je ORREP")
    db.session.commit()
    return plan


def test_unchanged_text_keeps_the_decided_routing_and_flag(decided_plan):
    result = commit_import(_file(CARDS), "karty.csv", plan=decided_plan, options=OPTIONS)
    db.session.commit()
    db.session.expire_all()
    first, second = _card(decided_plan, "1.1.1"), _card(decided_plan, "1.1.2")
    assert _routing(first) == ["OSV", "OZ"] and not first.routing_needs_review
    assert _routing(second) == ["ORREP"] and not second.routing_needs_review
    assert db.session.get(RoutingDecision, first.id) is not None
    assert db.session.get(RoutingDecision, second.id) is not None
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert result.routing_review == []
    assert not [w for w in result.warnings if "Odpovědnost" in w]


def test_changed_text_reroutes_drops_the_decision_and_warns(decided_plan):
    changed = [list(row) for row in CARDS]
    changed[1][4] = "KÚ LK / OZ"
    warning = (
        "Aktivita 1.1.2: text „Odpovědnost“ se změnil (z „LK“ na „KÚ LK / OZ“), proto "
        "její směrování rozhodnuté tajemníkem neplatí; směruje se podle nového textu."
    )
    preview = preview_import(_file(changed), "karty.csv", plan=decided_plan, options=OPTIONS)
    assert warning in preview.warnings
    db.session.rollback()
    # a preview writes nothing
    assert db.session.get(RoutingDecision, _card(decided_plan, "1.1.2").id) is not None

    result = commit_import(_file(changed), "karty.csv", plan=decided_plan, options=OPTIONS)
    db.session.commit()
    db.session.expire_all()
    assert warning in result.warnings
    assert [w for w in result.warnings if "Aktivita 1.1.1" in w] == []
    first, second = _card(decided_plan, "1.1.1"), _card(decided_plan, "1.1.2")
    assert _routing(second) == ["OZ"] and not second.routing_needs_review
    assert db.session.get(RoutingDecision, second.id) is None
    assert _routing(first) == ["OSV", "OZ"] and db.session.get(RoutingDecision, first.id) is not None


def test_changed_text_that_needs_review_is_flagged_again(decided_plan):
    changed = [list(row) for row in CARDS]
    changed[0][4] = "poskytovatelé sociálních služeb, obce"
    result = commit_import(_file(changed), "karty.csv", plan=decided_plan, options=OPTIONS)
    db.session.commit()
    db.session.expire_all()
    first = _card(decided_plan, "1.1.1")
    assert first.routing_needs_review and _routing(first) == ["OSV"]
    assert result.routing_review == ["1.1.1"]
    assert db.session.get(RoutingDecision, first.id) is None


def test_through_the_browser_decide_then_reimport(client, bodies, secretary):  # noqa: F811
    """Upload → commit, the secretary routes 1.1.2 on the resolution page, the same file again
    changes nothing, a file with a new text for 1.1.2 says so in the preview and in the import's record."""
    import io
    import re

    from import_helpers import sign_in

    sign_in(client, secretary)

    def upload(content: bytes, **target: str) -> str:
        data = {"file": (io.BytesIO(content), "karty.csv"), "default_body": "OSV", **target}
        response = client.post("/import", data=data, content_type="multipart/form-data")
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        return response.headers["Location"]

    def text(url: str) -> str:
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(url).get_data(as_text=True)))

    first = upload(_file(CARDS), plan_id="novy", title=OPTIONS.title, period=OPTIONS.period)
    assert client.post(first + "/potvrdit").status_code == 302
    plan = db.session.scalars(select(Plan)).one()
    card = _card(plan, "1.1.2")
    response = client.post(
        f"/plany/{plan.id}/aktivity/{card.id}/smerovani",
        data={"lead": _body("ORREP").id, "note": "krizová pomoc je ORREP"},
    )
    assert response.status_code == 302

    same = upload(_file(CARDS), plan_id=str(plan.id))
    assert "Aktivita 1.1.2" not in text(same)
    assert client.post(same + "/potvrdit").status_code == 302
    db.session.expire_all()
    assert _routing(_card(plan, "1.1.2")) == ["ORREP"]

    changed = [list(row) for row in CARDS]
    changed[1][4] = "KÚ LK / OZ"
    warning = "Aktivita 1.1.2: text „Odpovědnost“ se změnil (z „LK“ na „KÚ LK / OZ“)"
    url = upload(_file(changed), plan_id=str(plan.id))
    assert warning in text(url)
    assert client.post(url + "/potvrdit").status_code == 302
    db.session.expire_all()
    record = db.session.get(PlanImport, int(url.rsplit("/", 1)[1]))
    assert any(w.startswith(warning) for w in record.report["warnings"])  # the import's record keeps it
    assert _routing(_card(plan, "1.1.2")) == ["OZ"]
    assert db.session.get(RoutingDecision, _card(plan, "1.1.2").id) is None
