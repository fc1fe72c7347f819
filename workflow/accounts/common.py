"""Accounts: the refusals of the account services and name folding."""

from __future__ import annotations

import unicodedata

from workflow.errors import DomainError, InvalidInput, PermissionDenied


class AccountError(DomainError, ValueError):
    """A request about an account that cannot be carried out; ``message`` is Czech, for the user."""


class WeakPassword(AccountError, InvalidInput):
    """The password does not meet the policy (:func:`check_password_policy`)."""


class LinkError(AccountError):
    """A signed e-mail link cannot be used; ``reason`` is ``"invalid"``, ``"expired"`` or ``"used"``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class NotActingForBody(AccountError, PermissionDenied):
    """The user neither belongs to the body nor stands in for anyone who does on that day."""


def _fold(text: str) -> str:
    """Lower-case, accent-free form used for matching names typed by people."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()
