"""No 5xx for any query string (issue 15, item 8): every GET route of ``app.url_map`` is fed, as
a user holding every role, query parameters (the names the views read, and random ones) with huge
numbers, NUL, control characters and long strings; the answer is never a 5xx. Hypothesis,
derandomised; meant for PostgreSQL, which refuses NUL and out-of-range integers outright."""

from __future__ import annotations

import contextlib
import re
import tempfile
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from round_fixtures import entry_of

from web.extensions import db
from workflow.models import RoleAssignment
from workflow.states import Role

set_hypothesis_home_dir(tempfile.mkdtemp(prefix="plneni-hypothesis-"))

VIEWS = Path(__file__).resolve().parents[3] / "web" / "views"
#: Every query parameter name a view reads (``request.args.get("…")`` and the like), plus the
#: fields of the GET filter forms and the paging parameters.
_READ = re.compile(r'args\.(?:get|getlist)\(\s*"([^"]+)"')
PARAMETERS = sorted(
    {m for path in VIEWS.glob("*.py") for m in _READ.findall(path.read_text())}
    | {"round", "state", "body", "area", "overdue", "subjekt", "k_revizi", "page", "per_page", "lang"}
)

HOSTILE_VALUES = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.sampled_from(["9" * 30, "2147483648", "-2147483649", "9223372036854775808", "1e308", "NaN", "-0",
                     "\x00", "a\x00b", "1\x00", "\r\n", "%00", "\x1b[31m", "\u202e", "x" * 10000, ""]),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=50),
    st.text(alphabet=st.characters(max_codepoint=0x1f), min_size=1, max_size=5),
)
QUERIES = st.dictionaries(st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=5)), HOSTILE_VALUES,
                          max_size=4)


def _get_rules(app: Flask) -> list[str]:
    rules = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static":
            continue
        rules.append(rule.rule)
    return sorted(set(rules))


def _path(rule: str, ids: dict[str, int]) -> str:
    """The rule with every ``<conv:name>`` filled: an id of the world, else 1 or a short word."""
    def fill(match: re.Match[str]) -> str:
        converter, name = (match.group(1) or ""), match.group(2)
        if converter.startswith("int"):
            return str(ids.get(name, 1))
        return {"fmt": "xlsx", "token": "neplatny", "filename": "a.pdf"}.get(name, "a")
    return re.sub(r"<(?:([a-z]+)(?:\([^)]*\))?:)?([a-z_]+)>", fill, rule)


#: Values sent in every parameter at once, to every route, before the random examples.
FIXED_VALUES = ["9" * 30, "2147483648", "-1", "\x00", "a\x00b", "\r\nX-Injected: 1", "\x1b\x7f\x01",
                "x" * 5000]


def _get(client, path: str, query: dict[str, str], failures: list[str]) -> None:
    """One request; a 5xx or an exception escaping the application is recorded as a failure."""
    try:
        response = client.get(path, query_string=query)
    except Exception as exc:  # the testing app propagates what production would answer with 500
        failures.append(f"{path} {query!r}: {type(exc).__name__}: {str(exc)[:120]}")
        raise AssertionError(path) from exc
    response.close()
    if response.status_code >= 500:
        failures.append(f"{path} {query!r}: {response.status_code}")
    assert response.status_code < 500


def _prober(client, path: str, failures: list[str]):
    @settings(max_examples=6, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(query=QUERIES)
    def probe(query: dict[str, str]) -> None:
        _get(client, path, query, failures)

    return probe


@pytest.fixture
def omnipotent(browser, opened, people):
    """A browser signed in as a user holding every role (so that each page gets past its role check)."""
    user = people.secretary
    for role in Role:
        if role not in user.roles:
            user.role_assignments.append(RoleAssignment(role=role))
    db.session.commit()
    one = browser()
    assert one.sign_in(user).status_code == 302
    return one


def test_no_get_route_answers_5xx_to_hostile_query_parameters(secure_app: Flask, omnipotent, opened, people):
    entry = entry_of(opened, "A1.1", "OSV")
    ids = {"round_id": opened.id, "entry_id": entry.id, "plan_id": opened.plan_id, "user_id": people.osv.id,
           "body_id": entry.body_id}
    client = omnipotent.client
    failures: list[str] = []
    for rule in _get_rules(secure_app):
        path = _path(rule, ids)
        for value in FIXED_VALUES:
            with contextlib.suppress(AssertionError):  # collected: every route is probed before failing
                _get(client, path, dict.fromkeys(PARAMETERS, value), failures)
        with contextlib.suppress(AssertionError):
            _prober(client, path, failures)()
    assert not failures, "\n".join(failures)
