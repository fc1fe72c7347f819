"""One way for a view to carry out a service call: commit and confirm, or roll back and say why."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import flash

from web.extensions import db
from workflow.accounts import AccountError
from workflow.privacy import PrivacyError
from workflow.transitions import WorkflowError

T = TypeVar("T")

#: Refusals of the services; each carries a Czech ``message`` for the user.
REFUSALS = (WorkflowError, AccountError, PrivacyError)


def carry_out(action: Callable[[], T], done: str | Callable[[T], str]) -> bool:
    """Run ``action`` (a service call) in the request's transaction.

    :param done: the success message, or a function of the action's result that gives it.
    :returns: ``True`` after a commit and a „success“ flash; ``False`` when the service refused
        (:data:`REFUSALS`): the transaction is rolled back and its message flashed as „danger“.
    """
    try:
        result = action()
    except REFUSALS as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return False
    db.session.commit()
    flash(done(result) if callable(done) else done, "success")
    return True
