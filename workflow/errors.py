"""The one hierarchy of refusals raised by the domain.

Every service refuses by raising a :class:`DomainError` (or a subclass). The web layer has one
handler for it: a page flashes :attr:`DomainError.message` and redirects back, the API answers
``application/problem+json`` (RFC 9457) with :attr:`DomainError.status`. The unit of work rolls
the transaction back before either answer is given, so a refusal never leaves half a change.

``message`` is user-facing text: a Czech source string, translated when it is rendered (services
pass a ``flask_babel.lazy_gettext`` string or a plain Czech ``str``).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every refusal of the domain.

    :param message: what the user is told (Czech source text, possibly a lazy translation).
    :param status: the HTTP status with which the web layer answers (default 409: the request
        conflicts with the current state of the data).
    """

    #: Default HTTP status of this kind of refusal.
    status: int = 409
    #: Short machine code of the kind of refusal (the ``type`` of the problem document).
    code: str = "refused"

    def __init__(self, message: Any, *, status: int | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        if status is not None:
            self.status = status


class PermissionDenied(DomainError):
    """The actor may not do this (raised by :func:`workflow.permissions.require`)."""

    status = 403
    code = "forbidden"


class NotFound(DomainError):
    """The object asked for does not exist, or the actor may not know that it does."""

    status = 404
    code = "not-found"


class InvalidInput(DomainError):
    """The request's data cannot be used as it is (a value, a file, a form)."""

    status = 400
    code = "invalid-input"


class Conflict(DomainError):
    """The request conflicts with the current state (a stale version, a locked round …)."""

    status = 409
    code = "conflict"
