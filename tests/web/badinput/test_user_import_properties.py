"""Property-based tests of the user import (``import-users`` CSV): any file either creates its
users or lists Czech errors by row and creates nothing — never a traceback."""

from __future__ import annotations

import csv
import io
import re

from badinput_helpers import row_counts
from hypothesis import given, settings
from hypothesis import strategies as st

from web.extensions import db
from workflow.accounts import import_users_csv
from workflow.bodies import ensure_seed_bodies
from workflow.models import User

CZECH = re.compile(r"[áčďéěíňóřšťúůýžÁČĎÉĚÍŇÓŘŠŤÚŮÝŽ„“]")
NAME = st.one_of(
    st.sampled_from(
        ["Jana Nováková", "Žofie Łukasz-Ørsted 🙂", "שלום", "e\u0301va", "a\x00b\x1b", "x" * 300, ""]
    ),
    st.text(max_size=30),
)
EMAIL = st.one_of(
    st.sampled_from(
        [
            "jana@kraj-lbc.cz",
            "JANA@kraj-lbc.cz",
            "pavel@příklad.cz",
            "bez-zavinace",
            "a@b",
            "",
            "x" * 300 + "@a.cz",
        ]
    ),
    st.emails(),
    st.text(max_size=20),
)
BODIES = st.one_of(st.sampled_from(["OSV", "OSV; OŠMTS", "KÚ LK", "neexistuje", ""]), st.text(max_size=10))
ROLES = st.one_of(
    st.sampled_from(["zpracovatel", "hodnotitel; tajemník", "admin", "král", ""]), st.text(max_size=10)
)
HEADER = st.sampled_from(
    [["jméno", "e-mail", "subjekty", "role"], ["name", "email", "bodies", "roles"], ["jméno", "role"], []]
)


def _check(result, before) -> None:
    if result.errors:
        assert not result.created
        for error in result.errors:
            assert CZECH.search(error) or error.startswith("Řádek"), error
        db.session.rollback()
        assert row_counts() == before
    else:
        db.session.flush()  # the database accepts what the import made
        for user in result.created:
            assert user.email == user.email.strip().lower() or "@" in user.email
            assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", user.name + user.email)
        db.session.rollback()


@settings(max_examples=50)
@given(
    header=HEADER,
    rows=st.lists(st.tuples(NAME, EMAIL, BODIES, ROLES), max_size=5),
    delimiter=st.sampled_from([",", ";"]),
)
def test_any_user_table_creates_users_or_lists_czech_errors(app, header, rows, delimiter):
    ensure_seed_bodies()
    db.session.commit()
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows([header, *[list(r) for r in rows]])
    before = row_counts()
    _check(import_users_csv(buffer.getvalue()), before)


@given(text=st.text(max_size=400))
def test_any_text_as_a_user_table(app, text):
    before = row_counts()
    _check(import_users_csv(text), before)


def test_the_command_refuses_a_bad_file_with_exit_code_1(app, tmp_path):
    ensure_seed_bodies()
    db.session.commit()
    path = tmp_path / "uzivatele.csv"
    path.write_bytes("jméno;e-mail;role\nJana\x00;jana@kraj-lbc.cz;král\n".encode("cp1250"))
    result = app.test_cli_runner().invoke(args=["import-users", str(path)])
    assert result.exit_code == 1
    assert "neznámá role „král“" in result.output and "Import neproběhl" in result.output
    assert db.session.query(User).count() == 0
