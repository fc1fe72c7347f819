"""The transaction boundary (``web.uow``, ``workflow.db.unit_of_work``) and the one refusal handler.

A request, a CLI command and a Celery task each commit once on success and write nothing on
failure; a refusal answers a page with a flash and a redirect back, the API with problem JSON.

The request tests run against a second application built by the real factory, with a few routes
added before its first request (the session app has served requests and takes no new routes);
it uses the same database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, redirect
from flask.testing import FlaskClient
from sqlalchemy import func, select
from support import login

from web import create_app
from web.extensions import db
from web.uow import PROBLEM_JSON, confirm
from workflow.db import unit_of_work
from workflow.errors import Conflict, NotFound
from workflow.models import Body, User

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _bodies() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(Body.abbreviation).order_by(Body.abbreviation)))


def _add_body(abbreviation: str) -> None:
    db.session.add(Body(abbreviation=abbreviation, name=f"Subjekt {abbreviation}", kind="other"))


@pytest.fixture
def probe(app: Flask) -> Iterator[FlaskClient]:
    """A client of an application with routes that write and then succeed, refuse or fail."""
    environ = {"PLNENI_ENV": "testing", "INSTANCE_PATH": app.config["INSTANCE_DIR"],
               "SECRET_KEY": app.config["SECRET_KEY"]}
    # the same services as the session app (under xdist: this worker's database and Redis db)
    environ["DATABASE_URL"] = app.config["SQLALCHEMY_DATABASE_URI"]
    if app.config.get("REDIS_URL"):
        environ["REDIS_URL"] = app.config["REDIS_URL"]
    other = create_app({"WTF_CSRF_ENABLED": False, "PROPAGATE_EXCEPTIONS": False}, environ=environ)
    assert other.config["SQLALCHEMY_DATABASE_URI"] == app.config["SQLALCHEMY_DATABASE_URI"]

    @other.post("/zkouska/ulozit")
    def save() -> object:
        _add_body("ULOZENO")
        confirm("Subjekt uložen.")
        return redirect("/zkouska/stranka")

    @other.post("/zkouska/odmitnout")
    def refuse() -> object:
        _add_body("ODMITNUTO")
        db.session.flush()  # written to the database, yet undone with the refusal
        raise Conflict("Tohle nejde, kolo je uzavřené.")

    @other.post("/zkouska/spadnout")
    def crash() -> object:
        _add_body("SPADLO")
        db.session.flush()
        raise RuntimeError("unexpected")

    @other.post("/zkouska/chybna-odpoved")
    def error_answer() -> object:
        _add_body("CHYBA")
        confirm("Tohle se neukáže.")
        return "neplatný formulář", 422

    @other.post("/zkouska/konflikt-pri-commitu")
    def commit_conflict() -> object:
        _add_body("DVAKRAT")  # the same abbreviation as a committed body: fails at commit time
        confirm("Subjekt uložen.")
        return redirect("/zkouska/stranka")

    @other.get("/zkouska/stranka")
    def page() -> object:
        from flask import get_flashed_messages

        return "|".join(f"{c}:{m}" for c, m in get_flashed_messages(with_categories=True))

    @other.get("/api/zkouska/<int:item_id>")
    def api_refusal(item_id: int) -> object:
        _add_body("API")
        raise NotFound(f"Položka {item_id} neexistuje.")

    with other.app_context():
        yield other.test_client()
        db.session.remove()
        db.engine.dispose()


def test_success_commits_once_and_confirms_after_the_commit(probe: FlaskClient) -> None:
    response = probe.post("/zkouska/ulozit")
    assert response.status_code == 302
    assert _bodies() == ["ULOZENO"]
    assert probe.get("/zkouska/stranka").get_data(as_text=True) == "success:Subjekt uložen."


def test_a_refusal_after_earlier_writes_rolls_back_everything(probe: FlaskClient) -> None:
    response = probe.post("/zkouska/odmitnout", headers={"Referer": "http://localhost/zkouska/stranka?x=1"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/zkouska/stranka?x=1"  # back where the user came from
    assert _bodies() == []
    assert probe.get("/zkouska/stranka").get_data(as_text=True) == "danger:Tohle nejde, kolo je uzavřené."


def test_a_refusal_never_redirects_to_another_site(probe: FlaskClient) -> None:
    response = probe.post("/zkouska/odmitnout", headers={"Referer": "https://evil.example/prihlaseni"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    response = probe.post("/zkouska/odmitnout")  # no referrer at all
    assert response.headers["Location"] == "/"


def test_an_unexpected_exception_rolls_back(probe: FlaskClient) -> None:
    response = probe.post("/zkouska/spadnout")
    assert response.status_code == 500
    assert _bodies() == []


def test_an_unexpected_exception_rolls_back_when_it_propagates(probe: FlaskClient) -> None:
    probe.application.config["PROPAGATE_EXCEPTIONS"] = True  # as in tests and debugging
    with pytest.raises(RuntimeError):
        probe.post("/zkouska/spadnout")
    assert _bodies() == []


def test_an_error_response_rolls_back_and_drops_the_confirmation(probe: FlaskClient) -> None:
    assert probe.post("/zkouska/chybna-odpoved").status_code == 422
    assert _bodies() == []
    assert probe.get("/zkouska/stranka").get_data(as_text=True) == ""


def test_a_failing_commit_answers_409_and_says_nothing_was_saved(probe: FlaskClient) -> None:
    _add_body("DVAKRAT")
    db.session.commit()
    response = probe.post("/zkouska/konflikt-pri-commitu")
    assert response.status_code == 409
    assert "nic z vašeho požadavku nebylo uloženo" in response.get_data(as_text=True)
    assert _bodies() == ["DVAKRAT"]
    # the view's „Subjekt uložen.“ was queued, never flashed: the commit failed
    assert probe.get("/zkouska/stranka").get_data(as_text=True) == ""


def test_the_api_answers_a_refusal_with_problem_json(probe: FlaskClient) -> None:
    response = probe.get("/api/zkouska/7")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.get_json(force=True) == {
        "type": "urn:plneni:problem:not-found",
        "title": "Not Found",
        "status": 404,
        "detail": "Položka 7 neexistuje.",
    }
    assert _bodies() == []


def test_a_refusal_in_a_real_view_writes_nothing(app: Flask, client: FlaskClient, make_user) -> None:
    """A real view: the round service refuses to reopen an imported round; the page flashes the
    refusal and goes back to the round, which stays closed."""
    from datetime import date

    from workflow.models import Plan, ReportingRound

    admin = make_user()
    plan = Plan(title="Plán")
    db.session.add(plan)
    db.session.flush()
    round_ = ReportingRound(plan_id=plan.id, title="Kolo", state="closed", period_start=date(2025, 1, 1),
                            period_end=date(2025, 12, 31), imported=True)
    db.session.add(round_)
    db.session.commit()
    login(client, admin)
    response = client.post(f"/kola/{round_.id}/znovu-otevrit", data={"reason": "Oprava."})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/kola/{round_.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Znovu otevřít lze jen uzavřené kolo vedené v aplikaci." in page
    db.session.expire_all()
    assert db.session.get(ReportingRound, round_.id).state == "closed"


def test_a_failing_cli_command_writes_nothing(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "novy.spravce@kraj-lbc.cz", "--password", "kratke"])
    assert result.exit_code != 0
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(User)) == 0  # the user was flushed, then undone


def test_unit_of_work_commits_on_success_and_rolls_back_on_an_exception(app: Flask) -> None:
    with unit_of_work():
        _add_body("ANO")
    with pytest.raises(ValueError), unit_of_work():
        _add_body("NE")
        db.session.flush()
        raise ValueError("stop")
    assert _bodies() == ["ANO"]


def test_a_failing_task_writes_nothing(app: Flask) -> None:
    """A task of the real Celery app (its task class is the unit of work) that writes, then fails."""
    celery = app.extensions["celery"]

    @celery.task(name="tests.write_then_fail")
    def write_then_fail(abbreviation: str, fail: bool) -> str:
        _add_body(abbreviation)
        db.session.flush()
        if fail:
            raise RuntimeError("the task fails after its write")
        return abbreviation

    failed = write_then_fail.apply(("TASK-NE", True))
    assert failed.failed()
    done = write_then_fail.apply(("TASK-ANO", False))
    assert done.successful()
    assert _bodies() == ["TASK-ANO"]


def test_no_view_commits_or_rolls_back() -> None:
    """Views call services and return: the boundary (``web.uow``) commits or rolls back."""
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for path in sorted((PROJECT_ROOT / "web" / "views").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"(commit|rollback)\(", line)
    ]
    assert offenders == []
