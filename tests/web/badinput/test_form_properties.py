"""Property-based tests of the forms (Hypothesis): whatever is posted, no form answers 500; the
entry form either saves exactly what was typed (text normalised as documented: control
characters dropped, Windows line ends → ``\\n``, trailing spaces of lines and surrounding blank
lines removed, other fields trimmed) or re-renders with Czech errors and writes nothing."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from badinput_helpers import row_counts, sign_in
from hypothesis import given, settings
from hypothesis import strategies as st

from web.extensions import db
from workflow.entries import normalize_text
from workflow.models import Entry, RoleAssignment, User
from workflow.states import Role
from workflow.text import strip_control_characters

CZECH = re.compile(r"[áčďéěíňóřšťúůýžÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ]")
ERRORS = re.compile(r'class="invalid-feedback d-block">([^<]*)<')

#: Text that is valid but hard: Czech, emoji (also joined), RTL, combining marks, zero-width,
#: non-breaking spaces, markup, formulas, SQL, controls (dropped), Windows line ends (normalised).
WEIRD = st.sampled_from(
    [
        "Příliš žluťoučký kůň úpěl ďábelské ódy",
        "🙂👩‍👩‍👧 ✓ €",
        "שלום عربى 123",
        "e\u0301 a\u030a Z\u0336\u0336",
        "\u200b\u200d\ufeff\u00a0\u202f",
        "<script>alert(1)</script>",
        "=1+1",
        "'; DROP TABLE entries; --",
        "a\x00b\x1bc\x7fd\x85",
        "řádek 1\r\nřádek 2  \r\n",
        "",
    ]
)


def _long(low: int, high: int) -> st.SearchStrategy[str]:
    """Text of ``low``–``high`` characters (around a field's limit)."""
    return st.builds(lambda n, c: c * n, st.integers(low, high), st.sampled_from(["a", "č", "🙂", " "]))


TEXT = st.one_of(WEIRD, st.text(max_size=60), _long(4990, 5010), _long(9990, 10010))
SHORT = st.one_of(WEIRD, st.text(max_size=20), _long(95, 105))
NUMBER = st.one_of(
    st.sampled_from(["", "1 600", "4,5", "1600.5", "-3", "NaN", "Infinity", "1e999", "9" * 20, "1,2,3", "٣"]),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
    st.text(max_size=8),
)
DATE = st.one_of(
    st.sampled_from(
        ["", "2025-12-31", "2025-02-30", "31. 12. 2025", "0000-01-01", "9999-12-31", "2025-13-01"]
    ),
    st.dates().map(str),
    st.text(max_size=12),
)
STATUS = st.one_of(
    st.sampled_from(["", "done", "ongoing", "partial", "cannot_assess", "fulfilled", "n/a"]),
    st.text(max_size=10),
)
ANSWER = st.fixed_dictionaries(
    {},
    optional={
        "fulfilment_status": STATUS,
        "text": TEXT,
        "indicator_number": NUMBER,
        "indicator_unit": SHORT,
        "indicator_text": TEXT,
        "indicator_as_of": DATE,
        "cooperation_text": TEXT,
        "problems": TEXT,
        "proposal": TEXT,
    },
)
VERSION = st.sampled_from(["current", "current", "current", "stale", "garbage", "missing", "huge"])
TEXT_FIELDS = ("indicator_unit", "indicator_text", "cooperation_text", "problems", "proposal")


def _version(kind: str, entry: Entry) -> str | None:
    return {
        "current": str(entry.version),
        "stale": str(entry.version + 5),
        "garbage": "abc",
        "huge": "9" * 30,
        "missing": None,
    }[kind]


def _state(entry_id: int) -> tuple[dict[str, int], tuple]:
    counts = row_counts()
    counts.pop("audit_events")
    entry = db.session.get(Entry, entry_id)
    db.session.refresh(entry)
    return counts, (entry.version, entry.text, entry.problems, entry.indicator_number)


@given(answer=ANSWER, version=VERSION, as_file=st.booleans())
def test_entry_form_saves_exactly_or_refuses_in_czech(client, world, answer, version, as_file):
    sign_in(client, world.osv)
    entry = db.session.get(Entry, world.entry_a.id)
    db.session.refresh(entry)
    data: dict = dict(answer)
    value = _version(version, entry)
    if value is not None:
        data["version"] = value
    if as_file:  # a wrong type: a file where text is expected
        data["problems"] = (io.BytesIO(b"soubor"), "problemy.txt")
    before = _state(entry.id)
    response = client.post(f"/zaznamy/{entry.id}/upravit", data=data, content_type="multipart/form-data")
    assert response.status_code in (302, 409, 422), response.status_code
    if response.status_code != 302:
        db.session.expire_all()
        assert _state(entry.id) == before  # nothing written
        page = response.get_data(as_text=True)
        if response.status_code == 422:
            errors = ERRORS.findall(page)
            assert errors and all(CZECH.search(e) for e in errors), errors
        else:
            assert "Záznam mezitím" in page or "změnil" in page
        return
    assert version == "current"
    db.session.expire_all()
    saved = db.session.get(Entry, entry.id)
    assert saved.version >= before[1][0]
    if "text" in answer:
        assert saved.text == normalize_text(strip_control_characters(answer["text"]))
    for name in TEXT_FIELDS:
        if name in answer and not (as_file and name == "problems"):
            assert getattr(saved, name) == strip_control_characters(answer[name]).strip()
    if as_file:
        assert saved.problems in ("", None, before[1][2])
    if answer.get("indicator_number"):
        typed = re.sub(r"[\s\u00a0\u202f]+", "", answer["indicator_number"]).replace(",", ".")
        assert saved.indicator_number == Decimal(typed)


@settings(max_examples=25)
@given(answer=ANSWER)
def test_autosave_always_answers_a_fragment(client, world, answer):
    sign_in(client, world.osv)
    entry = db.session.get(Entry, world.entry_a.id)
    db.session.refresh(entry)
    response = client.post(f"/zaznamy/{entry.id}/autosave", data={**answer, "version": str(entry.version)})
    assert response.status_code == 200
    assert CZECH.search(response.get_data(as_text=True)) or response.get_data(as_text=True).strip() == ""


# --- every form of the product -----------------------------------------------------------------
def _form_field_names() -> list[str]:
    """Names of every field of every form class in ``forms/`` (and the views' own forms)."""
    from importlib import import_module

    from forms.base import BaseForm

    for module in ("account", "admin", "auth", "entries", "imports", "reports", "review", "rounds"):
        import_module(f"forms.{module}")
    import_module("web.views.notifications")

    names: set[str] = set()
    stack = list(BaseForm.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        names.update(n for n, v in vars(cls).items() if hasattr(v, "field_class"))
    return sorted(names)


FIELD_NAMES = _form_field_names()
VALUE = st.one_of(
    WEIRD, st.text(max_size=30), NUMBER, DATE, st.sampled_from(["y", "on", "1", "0", "-1", "9" * 25])
)
PAYLOAD = st.dictionaries(
    st.sampled_from(FIELD_NAMES), st.one_of(VALUE, st.lists(VALUE, max_size=3)), max_size=8
)
#: Routes left out: sign-in/out and password links (throttling and the session are tested in
#: tests/web/accounts), the plan upload (tests below and tests/workflow/importing).
SKIP = ("/prihlaseni", "/odhlaseni", "/zapomenute-heslo", "/obnova-hesla", "/pozvanka", "/import")


def _post_routes(app) -> list[str]:
    return sorted(
        {
            rule.rule
            for rule in app.url_map.iter_rules()
            if "POST" in rule.methods and not rule.rule.startswith(SKIP) and rule.endpoint != "static"
        }
    )


def _fill(rule: str, world) -> str:
    ids = {
        "entry_id": world.entry_a.id,
        "round_id": world.round.id,
        "activity_id": world.entry_a.activity_id,
        "body_id": world.entry_a.body_id,
        "user_id": world.osv.id,
        "plan_id": world.plan.id,
        "name": "submit",
    }
    return re.sub(r"<(?:[^:<>]+:)?([a-z_]+)>", lambda m: str(ids.get(m.group(1), 1)), rule)


def test_every_post_route_is_covered(app):
    assert len(_post_routes(app)) >= 40


@pytest.fixture
def everything(world):
    """The secretary, given every other role and OSV too."""
    user = db.session.get(User, world.secretary.id)
    for role in (Role.admin, Role.reviewer, Role.contributor):
        user.role_assignments.append(RoleAssignment(role=role))
    user.bodies.append(world.entry_a.body)
    db.session.commit()
    return user


@settings(max_examples=120)
@given(data=st.data())
def test_no_form_answers_500_to_anything(app, client, world, everything, data):
    rule = data.draw(st.sampled_from(_post_routes(app)), label="route")
    payload = data.draw(PAYLOAD, label="payload")
    sign_in(client, everything)
    response = client.post(_fill(rule, world), data=payload)
    assert response.status_code < 500, (rule, payload, response.status_code)
    db.session.rollback()
