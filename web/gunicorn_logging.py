"""Gunicorn's access log without secrets: single-use link tokens are cut out of logged URLs.

Invitation and password-reset links carry their token in the path (``/pozvanka/<token>``,
``/obnova-hesla/<token>``), and the pages they open send it again as the ``Referer`` of their
stylesheets and scripts. :class:`RedactingLogger` replaces such tokens (and any bearer token) by
``[redacted]`` in every access-log field. ``gunicorn.conf.py`` at the project root selects it.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

_LINK_TOKEN = re.compile(r"(/(?:pozvanka|obnova-hesla)/)[^/?#\s\"]+")
_BEARER = re.compile(r"(Bearer\s+)\S+", re.IGNORECASE)
REDACTED = "[redacted]"


def redact(value: str) -> str:
    """``value`` with link tokens and bearer tokens replaced by ``[redacted]``."""
    return _BEARER.sub(r"\1" + REDACTED, _LINK_TOKEN.sub(r"\1" + REDACTED, value))


class RedactingLogger(Logger):
    """Gunicorn's logger whose access-log atoms have secrets redacted (see :func:`redact`)."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}
