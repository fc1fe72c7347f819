"""CLI ``import-users``: transactional CSV import with Czech row errors, optional invitations."""

from __future__ import annotations

from accounts_helpers import emails_in
from sqlalchemy import func, select

from web.extensions import db
from workflow.models import User
from workflow.states import Role

GOOD = """jméno;e-mail;subjekty;role
Jana Nováková;jana.novakova@kraj-lbc.cz;OSV;zpracovatel
Petr Svoboda;Petr.Svoboda@kraj-lbc.cz;OSV, OŠMTS;Vedoucí; hodnotitel
Eva Malá;eva.mala@tul.cz;TUL;člen komise
"""


def _run(app, tmp_path, text, *args, encoding="utf-8"):
    path = tmp_path / "uzivatele.csv"
    path.write_bytes(text.encode(encoding))
    return app.test_cli_runner().invoke(args=["import-users", str(path), *args])


def _count():
    return db.session.scalar(select(func.count()).select_from(User))


def test_import_creates_users_with_bodies_and_roles(app, tmp_path, seeded, outbox):
    result = _run(
        app,
        tmp_path,
        GOOD.replace("Vedoucí; hodnotitel", '"Vedoucí, hodnotitel"').replace("OSV, OŠMTS;", '"OSV, OŠMTS";'),
    )
    assert result.exit_code == 0, result.output
    assert "Založeno uživatelů: 3." in result.output
    petr = db.session.scalar(select(User).where(User.email == "petr.svoboda@kraj-lbc.cz"))
    assert petr.name == "Petr Svoboda" and petr.roles == {Role.head, Role.reviewer}
    assert sorted(b.abbreviation for b in petr.bodies) == ["OSV", "OŠMTS"]
    assert petr.password_hash is None
    assert emails_in(outbox) == []


def test_import_with_english_headers_comma_separated_and_invitations(app, tmp_path, seeded, outbox):
    text = 'name,email,bodies,roles\nJohn Doe,john@kraj-lbc.cz,"OSV;OZ","contributor;reviewer"\n'
    result = _run(app, tmp_path, text, "--invite")
    assert result.exit_code == 0, result.output
    assert "Pozvánek zařazeno k odeslání: 1." in result.output
    assert [m["To"] for m in emails_in(outbox)] == ["john@kraj-lbc.cz"]


def test_import_is_all_or_nothing_with_czech_row_errors(app, tmp_path, seeded, make_user):
    make_user("existujici@kraj-lbc.cz", roles=[Role.contributor])
    before = _count()
    text = """jméno;e-mail;subjekty;role
Dobrý Řádek;dobry@kraj-lbc.cz;OSV;zpracovatel
Neznámý Subjekt;ns@kraj-lbc.cz;XYZ;zpracovatel
Špatná Role;sr@kraj-lbc.cz;OSV;ředitel
Špatný Mail;tohle-neni-mail;OSV;zpracovatel
Opakovaný;dobry@kraj-lbc.cz;OSV;zpracovatel
Existující;EXISTUJICI@kraj-lbc.cz;OSV;zpracovatel
;bezjmena@kraj-lbc.cz;OSV;zpracovatel
"""
    result = _run(app, tmp_path, text)
    assert result.exit_code == 1
    out = result.output
    assert "Řádek 3: neznámý subjekt „XYZ“." in out
    assert "Řádek 4: neznámá role „ředitel“." in out
    assert "Řádek 5: neplatný e-mail „tohle-neni-mail“." in out
    assert "Řádek 6: e-mail dobry@kraj-lbc.cz se v souboru opakuje (poprvé na řádku 2)." in out
    assert "Řádek 7: uživatel s e-mailem existujici@kraj-lbc.cz už existuje." in out
    assert "Řádek 8: chybí jméno." in out
    assert "žádný uživatel nebyl založen" in out
    assert _count() == before


def test_import_reads_windows_1250(app, tmp_path, seeded):
    result = _run(
        app,
        tmp_path,
        "jméno;e-mail;subjekty;role\nŽaneta Řeháková;zr@kraj-lbc.cz;OSV;zpracovatel\n",
        encoding="cp1250",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User.name).where(User.email == "zr@kraj-lbc.cz")) == "Žaneta Řeháková"


def test_missing_columns_are_reported(app, tmp_path, seeded):
    result = _run(app, tmp_path, "subjekty;role\nOSV;zpracovatel\n")
    assert result.exit_code == 1
    assert "Chybí sloupec „jméno“, „e-mail“." in result.output
