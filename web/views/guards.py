"""View decorators that ask :mod:`workflow.permissions`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from workflow.permissions import Action, can


def requires(action: Action) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Require sign-in and permission for ``action``; refuse with 403 otherwise."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not can(current_user, action):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
