"""Where a redirect may lead: only to a page of this product (no open redirect), in one helper.

:func:`safe_next` guards the ``next`` of the sign-in page and every ``next`` form field (entry
actions, comments, token revocation).
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit, urlunsplit

from flask import current_app
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

#: Longest ``next`` followed (characters); a longer value is no link of ours.
MAX_NEXT_LENGTH = 2000


def _visible(text: str) -> str:
    """``text`` without control and format characters (C0/C1, DEL, zero-width, bidi marks)."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")


def safe_next(url: str | None) -> str | None:
    """``url`` when it is a local page of this product, else ``None``.

    Control characters are stripped first (a browser ignores a tab or a newline in a URL, so
    ``/\\t/evil.example`` would become ``//evil.example``); then the URL must have no scheme and no
    host, start with exactly one ``/``, contain no backslash, and its path must be a page the URL
    map knows for GET. The fragment is dropped; the query string is kept.

    :param url: the ``next`` value as received (``None`` or empty: no target).
    :returns: the cleaned local URL, e.g. ``"/kontrola?stav=in_review"``, or ``None``.
    """
    if not url or len(url) > MAX_NEXT_LENGTH:
        return None
    cleaned = _visible(url).strip()
    if not cleaned.startswith("/") or cleaned.startswith("//") or "\\" in cleaned:
        return None
    parts = urlsplit(cleaned)
    path = unquote(parts.path)
    if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return None
    if _visible(path) != path:
        return None
    adapter = current_app.url_map.bind("localhost")
    try:
        endpoint, _args = adapter.match(path, method="GET")
    except (HTTPException, RequestRedirect):
        return None
    if endpoint == "static":
        return None
    return urlunsplit(("", "", parts.path, parts.query, ""))
