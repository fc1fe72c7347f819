"""Security headers on every response and templates without inline code (CSP ``'self'`` only)."""

from __future__ import annotations

import re

import pytest
from support import PROJECT_ROOT

from web import CONTENT_SECURITY_POLICY


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("path", ["/prihlaseni", "/napoveda", "/neexistuje"])
def test_every_page_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = _csp(response)
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: no HSTS


def test_hsts_only_over_https(client):
    direct = client.get("/prihlaseni", base_url="https://plneni.example")
    assert direct.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    proxied = client.get("/prihlaseni", headers={"X-Forwarded-Proto": "https"})
    assert "max-age=31536000" in proxied.headers["Strict-Transport-Security"]


def test_json_api_and_static_files_carry_them_too(client):
    static = client.get("/static/css/app.css")
    static.close()
    assert static.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in client.get("/api/v1/openapi.json").headers["Content-Security-Policy"]


def test_the_policy_allows_only_the_product_itself():
    values = " ".join(v if isinstance(v, str) else " ".join(v) for v in CONTENT_SECURITY_POLICY.values())
    assert "http" not in values and "*" not in values and "unsafe" not in values


_INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "inline event handler"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "style attribute"),
    (re.compile(r"<style", re.IGNORECASE), "<style> element"),
    (re.compile(r"javascript:", re.IGNORECASE), "javascript: URL"),
    (re.compile(r"\shx-on", re.IGNORECASE), "htmx inline handler"),
]
#: Not served under the CSP: e-mails (read in a mail client) and the downloadable print/PDF
#: document (a standalone file that carries its own stylesheet).
_EXEMPT = ("templates/email/", "templates/reports/print.html")


def test_no_template_contains_inline_code():
    found = []
    for path in sorted((PROJECT_ROOT / "templates").rglob("*.html")):
        relative = path.relative_to(PROJECT_ROOT).as_posix()
        if relative.startswith(_EXEMPT):
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{relative}: {what}" for pattern, what in _INLINE if pattern.search(text)]
    assert found == []


def test_htmx_does_not_inject_its_indicator_style(client):
    page = client.get("/prihlaseni").get_data(as_text=True)
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false}\'>' in page
    assert ".htmx-indicator" in (PROJECT_ROOT / "static/css/app.css").read_text(encoding="utf-8")
