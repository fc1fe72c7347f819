"""Invalid and foreign ids: a garbled, negative or huge id is a plain 404 (never a 500), and a
contributor of one body asking for another body's entry, draft, history, attachment, link or
version gets 403/404 with nothing of it in the answer and nothing written — also through the
JSON API."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from badinput_helpers import row_counts, sign_in

from web.extensions import db
from workflow import entries as svc
from workflow.models import Entry, RoleAssignment, User
from workflow.states import Role
from workflow.tokens import create_api_token

SECRET = "Tajný koncept ORREP 7f3a"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

#: Values for an ``<int:…>`` part of a URL that the route must refuse with 404.
NOT_AN_ID = ["abc", "-1", "1.5", "1e3", "0x10", "%20%31", "1%00", "..%2f1", "１"]
#: Numbers no row has: the view runs and must still answer 404 (or the role's 403), never 500.
NO_SUCH_ID = ["0", "2147483647", "2147483648", "9223372036854775808", "9" * 40, "000000000000000000001"]


def _int_routes(app):
    """``(method, rule)`` of every route with an integer part (the static files excluded)."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not any(
            type(c).__name__ == "IntegerConverter" or "Int" in type(c).__name__
            for c in rule._converters.values()
        ):
            continue
        method = "GET" if "GET" in rule.methods else "POST"
        routes.append((method, rule))
    return routes


def _url(rule, value: str) -> str:
    """The rule's path with ``value`` for every integer part and a harmless word for the others."""
    path = rule.rule
    for name, converter in rule._converters.items():
        token = value if "Int" in type(converter).__name__ else "x"
        if name == "fmt":
            token = "csv"
        if name == "name" and "akce" in path:
            token = "submit"
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", token, path)
    return path


@pytest.fixture
def everything_user(world):
    """One account holding every role (so role checks pass and the id decides)."""
    user = db.session.get(User, world.secretary.id)
    for role in (Role.admin, Role.reviewer, Role.contributor):
        user.role_assignments.append(RoleAssignment(role=role))
    user.bodies.append(world.entry_a.body)
    db.session.commit()
    return user


@pytest.mark.parametrize(
    ("values", "allowed"), [(NOT_AN_ID, {404}), (NO_SUCH_ID, {403, 404})], ids=["garbled", "missing"]
)
def test_every_route_answers_404_to_ids_that_do_not_exist(app, client, everything_user, values, allowed):
    """Every route with an id, each bad value in every id part: 404 (a role check may answer 403
    first for ids that are numbers), the Czech 404 page or a JSON error, and nothing written."""
    sign_in(client, everything_user)
    before = row_counts()
    failures = []
    for value in values:
        for method, rule in _int_routes(app):
            url = _url(rule, value)
            response = client.open(url, method=method, data={})
            if response.status_code not in allowed:
                failures.append((method, url, response.status_code))
            elif response.status_code == 404 and url.startswith("/api/"):
                assert response.is_json, url
            elif response.status_code == 404:
                assert "Stránka nenalezena" in response.get_data(as_text=True), url
    assert failures == []
    after = row_counts()
    before.pop("audit_events"), after.pop("audit_events")
    assert after == before


def test_query_and_form_ids_that_are_not_numbers_are_ignored_or_refused(client, world, everything_user):
    sign_in(client, everything_user)
    for url in (
        "/ukoly?kolo=abc",
        "/ukoly?kolo=99999999999999999999999",
        "/kontrola?kolo=-1&subjekt=abc&stav=%00",
        "/kontrola?kolo=99999999999999999999999&subjekt=99999999999999999999999",
        "/api/v1/rounds?plan_id=abc",
        f"/kola/{world.round.id}/zprava?oblast=99999999999999999999999",
    ):
        response = client.get(url)
        assert response.status_code in (200, 302, 400, 404), (url, response.status_code)
    response = client.post("/kontrola/hromadne", data={"entry_ids": ["abc", "-1", "9" * 30, "\x00"]})
    assert response.status_code in (200, 302, 400, 404)


# --- foreign ids ------------------------------------------------------------------------------
@pytest.fixture
def foreign(app, world):
    """Entry B (ORREP) with a draft answer, a link, an attachment and a comment."""
    entry = db.session.get(Entry, world.entry_b.id)
    orrep = db.session.get(User, world.orrep.id)
    svc.save_draft(entry, orrep, {"text": SECRET}, expected_version=entry.version)
    link = svc.add_link(entry, orrep, "https://example.org/tajne", "Tajný odkaz")
    storage = Path(app.config["INSTANCE_DIR"]) / "attachments"
    attachment = svc.store_attachment(entry, orrep, "tajna-priloha.png", io.BytesIO(PNG), storage)
    svc.add_comment(entry, orrep, "Tajný komentář ORREP")
    db.session.commit()
    return {"entry": entry.id, "link": link.id, "attachment": attachment.id, "version": entry.version}


#: (method, url template, form data) a contributor of OSV tries on ORREP's things.
FOREIGN_REQUESTS = [
    ("GET", "/zaznamy/{entry}", None),
    ("GET", "/zaznamy/{entry}/upravit", None),
    ("POST", "/zaznamy/{entry}/upravit", {"text": "přepsáno", "version": "{version}"}),
    ("POST", "/zaznamy/{entry}/autosave", {"text": "přepsáno", "version": "{version}"}),
    ("GET", "/zaznamy/{entry}/historie", None),
    ("GET", "/zaznamy/{entry}/odeslane-zpravy", None),
    ("POST", "/zaznamy/{entry}/komentare", {"text": "cizí komentář"}),
    ("POST", "/zaznamy/{entry}/odkazy", {"url": "https://example.org/x", "label": "x"}),
    ("POST", "/zaznamy/{entry}/odkazy/{link}/smazat", {}),
    ("POST", "/zaznamy/{own}/odkazy/{link}/smazat", {}),
    ("POST", "/zaznamy/{entry}/prilohy", {"file": "PNG"}),
    ("POST", "/zaznamy/{entry}/prevzit", {"version": "{version}"}),
    ("POST", "/zaznamy/{entry}/akce/submit", {"version": "{version}"}),
    ("GET", "/prilohy/{attachment}", None),
    ("POST", "/prilohy/{attachment}/smazat", {}),
    ("GET", "/kontrola/{entry}", None),
    ("POST", "/kontrola/{entry}/hodnoceni", {"assessment": "x"}),
]


def test_another_bodys_things_are_refused_without_a_leak(client, world, foreign):
    """Each request of :data:`FOREIGN_REQUESTS` by OSV's contributor: 403 or 404, none of ORREP's
    texts, names or links in the answer, nothing written, ORREP's draft unchanged."""
    ids = {**foreign, "own": world.entry_a.id}
    sign_in(client, world.osv)
    before = row_counts()
    before.pop("audit_events")
    for method, template, data in FOREIGN_REQUESTS:
        url = template.format(**ids)
        form = None
        if data is not None:
            form = {k: v.format(**ids) for k, v in data.items()}
            if form.get("file") == "PNG":
                form["file"] = (io.BytesIO(PNG), "moje.png")
        response = client.open(
            url, method=method, data=form, content_type=None if form is None else "multipart/form-data"
        )
        assert response.status_code in (403, 404), (method, url, response.status_code)
        body = response.get_data(as_text=True)
        for secret in (SECRET, "Tajný odkaz", "tajna-priloha", "Tajný komentář"):
            assert secret not in body, (url, secret)
        after = row_counts()
        after.pop("audit_events")
        assert after == before, url
        entry = db.session.get(Entry, foreign["entry"])
        db.session.refresh(entry)
        assert entry.text == SECRET and entry.version == foreign["version"], url


def test_the_api_lists_only_the_callers_entries(client, world, foreign):
    _token, secret = create_api_token(db.session.get(User, world.osv.id), "test")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    listing = client.get(f"/api/v1/rounds/{world.round.id}/entries", headers=headers)
    assert listing.status_code == 200
    ids = {e["id"] for e in listing.get_json()["entries"]}
    assert ids == {world.entry_a.id}
    assert SECRET not in listing.get_data(as_text=True)
    detail = client.get(f"/api/v1/rounds/{world.round.id}", headers=headers)
    assert detail.status_code == 200
    assert [b["body"] for b in detail.get_json()["bodies"]] == ["OSV"]
    for url in ("/api/v1/rounds/abc/entries", "/api/v1/rounds/-5", f"/api/v1/rounds/{'9' * 30}/entries"):
        response = client.get(url, headers=headers)
        assert response.status_code == 404 and response.is_json, url
