"""The password policy: at least 12 characters, not a common password (list shipped in workflow/)."""

from __future__ import annotations

import pytest

from workflow.accounts import (
    COMMON_PASSWORDS_FILE,
    check_password_policy,
    common_passwords,
    is_common_password,
)
from workflow.models import User


@pytest.mark.parametrize(
    "password",
    [
        "heslo1234567",
        "Heslo123456!",
        "liberec2025!!",
        "qwertzuiop123",
        "1234567890123",
        "password1234",
        "ěščřžýáíé123",
        "aaaaaaaaaaaaaa",
        "abababababab",
        "iloveyou1234",
        "1q2w3e4r5t6y",
    ],
)
def test_common_passwords_are_refused(password):
    assert any("příliš běžné" in p for p in check_password_policy(password))


@pytest.mark.parametrize(
    "password", ["modrý vlak jede pomalu", "Kopretiny-u-Ještědu-2025", "tři žlutí sloni"]
)
def test_good_passwords_pass(password):
    assert check_password_policy(password) == []


def test_short_passwords_are_refused():
    assert check_password_policy("Xk#9vB2q!") == ["Heslo musí mít alespoň 12 znaků."]
    assert is_common_password("heslo123456")


def test_own_email_is_refused():
    user = User(email="jana.novakova@kraj-lbc.cz")
    assert "Heslo nesmí být vaše e-mailová adresa." in check_password_policy("jana.novakova2025", user=user)


def test_list_is_shipped_and_documented():
    text = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8")
    assert "Royce Williams" in text and "Django" in text
    words = common_passwords()
    assert len(words) > 5000 and {"heslo", "123456", "qwertz", "liberec"} <= words
    assert is_common_password("Heslo123456!") and is_common_password("liberec2025!!")
