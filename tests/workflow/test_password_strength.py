"""Password strength (issue 15, item 13): zxcvbn with Czech and English words and the Czech QWERTZ
keyboard refuses keyboard rows, Czech words and the user's own name; the breached list stays."""

from __future__ import annotations

import pytest

from workflow.accounts import check_password_policy
from workflow.models import User
from workflow.passwords import CZECH_QWERTZ_ROWS, password_strength

WEAK = "Toto heslo je příliš běžné a snadno uhodnutelné. Zvolte jiné, třeba několik slov."


@pytest.mark.parametrize("password", [
    "asdfghjklů§!",  # the Czech keyboard's home row (the example)
    "yxcvbnm,.-12",  # its bottom row
    "qwertzuiopú)",  # its top row
    "ěščřžýáíé=´",  # its number row (and too short)
    "+ěščřžýáíé´1",
    "Jablonec2025!",  # a place name of the region with a year
    "Zlatíčko12345",  # a Czech word with diacritics
    "password1234",  # English
    "iloveyou1234",
])
def test_guessable_passwords_are_refused(password):
    problems = check_password_policy(password)
    assert problems and (WEAK in problems or "Heslo musí mít alespoň 12 znaků." in problems)


@pytest.mark.parametrize("password", ["modrý vlak jede pomalu", "Kopretiny-u-Ještědu-2025", "tři žlutí sloni",
                                      "správné-heslo-1234"])
def test_passphrases_pass(password):
    assert check_password_policy(password) == []


def test_the_users_own_name_is_refused():
    user = User(email="zdenek.zpracovatel@kraj-lbc.cz", name="Zdeněk Zpracovatel")
    assert WEAK in check_password_policy("ZdeněkZpracovatel", user=user)
    name = "ZdeněkZpracovatel"
    assert password_strength(name, ["Zdeněk Zpracovatel"]) < password_strength(name)


def test_the_keyboard_is_the_czech_qwertz():
    assert CZECH_QWERTZ_ROWS[2].startswith("aA sS") and "ů" in CZECH_QWERTZ_ROWS[2]
    assert password_strength("asdfghjklů§!") < password_strength("vlak-ů§-hrad!")


def test_very_long_passwords_are_estimated_without_error():
    assert check_password_policy("Kopretiny-u-Ještědu-" * 20) == []
