"""Request body limits per endpoint, applied before anything reads the body (issue 15, item 9).

``MAX_CONTENT_LENGTH`` (the import limit plus 1 MB) is the app-wide limit. An endpoint that takes
larger uploads is listed in :data:`LARGER_BODIES`; :func:`apply_body_limit` raises the request's
limit as the first step of the security gate, so that the CSRF check, which parses the form, reads
the body under the endpoint's limit and not the app-wide one.
"""

from __future__ import annotations

from flask import current_app, request

#: endpoint → config key of its largest accepted file (bytes); 1 MB is added for the other fields.
LARGER_BODIES = {"entries.upload": "MAX_ATTACHMENT_BYTES"}
FORM_OVERHEAD_BYTES = 1024 * 1024


def apply_body_limit() -> None:
    """Set ``request.max_content_length`` for an endpoint of :data:`LARGER_BODIES` (else unchanged)."""
    key = LARGER_BODIES.get(request.endpoint or "")
    if key is not None:
        request.max_content_length = int(current_app.config[key]) + FORM_OVERHEAD_BYTES
