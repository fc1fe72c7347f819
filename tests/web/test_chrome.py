"""The page chrome rendered once per key (web.chrome, issue 17): every user, section and locale
gets byte for byte the page an uncached rendering gives, with their own name (escaped) and their
own session's CSRF token, and a memo hit renders no template."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from flask_babel import refresh
from round_fixtures import login

from web import chrome
from workflow.models import User

#: One page per section of the main menu (and two outside it), as the secretary may see them.
PAGES = ["/moje-ukoly", "/plany", "/kola", "/kontrola", "/subjekty", "/sprava", "/napoveda", "/ucet"]


@contextmanager
def _uncached(app):
    """The chrome rendered on every request, as in debug mode."""
    app.jinja_env.auto_reload = True
    try:
        yield
    finally:
        app.jinja_env.auto_reload = False


def _chrome_of(html: str) -> str:
    """The page's header and footer and the assets in its head."""
    head = html[html.index('<link rel="stylesheet"'):html.index("</head>")]
    header = html[html.index('<header class="site-header">'):html.index("</header>")]
    return head + header + html[html.index("<footer"):]


def _tokenless(response) -> str:
    """The page with its CSRF token (signed anew, with a timestamp, on every request) as ``TOKEN``;
    every form of the page carries the same token as its ``<meta>``."""
    html = response.get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    assert set(re.findall(r'name="csrf_token" value="([^"]+)"', html)) <= {token}
    return html.replace(token, "TOKEN")


def _switch_language(client, language: str) -> None:
    page = client.get("/napoveda")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True)).group(1)
    assert client.post("/lang", data={"lang": language, "csrf_token": token}).status_code == 302
    refresh()  # the test's app context keeps the locale Flask-Babel picked (a browser's request would not)


@pytest.mark.parametrize("language", ["cs", "en"])
def test_the_cached_chrome_is_the_uncached_one_for_every_role_and_section(
    app, client, people, opened, language
):
    memo = app.extensions["plneni.chrome"]
    users: list[User | None] = [
        people.secretary, people.reviewer, people.osv, people.osv_head, people.commission, people.admin, None,
    ]
    for user in users:
        client.post("/odhlaseni")
        if user is not None:
            assert login(client, user).status_code == 302
        _switch_language(client, language)
        for url in PAGES if user is not None else ["/prihlaseni", "/napoveda"]:
            with _uncached(app):
                fresh = client.get(url)
            first, again = client.get(url), client.get(url)
            assert first.status_code == fresh.status_code
            if first.status_code != 200:
                continue  # a page this role may not open (its error page has the chrome too)
            keys = len(memo)
            assert _tokenless(again) == _tokenless(first) == _tokenless(fresh)
            assert len(memo) == keys  # the second time every part came from the memo
            page = first.get_data(as_text=True)
            menu = _chrome_of(page)
            assert ('href="/moje-ukoly"' in menu) == (user in (people.osv, people.osv_head))
            assert ('href="/kontrola"' in menu) == (user in (people.secretary, people.reviewer))
            if user is not None:
                assert (user.name or user.email) in page
                assert ('value="cs" lang="cs"' in page) == (language == "en")


def test_the_active_section_is_the_pages_and_only_it(client, people, opened):
    assert login(client, people.secretary).status_code == 302
    for url in ["/kola", "/plany", "/kontrola", "/subjekty"]:
        page = client.get(url).get_data(as_text=True)
        assert re.findall(r'nav-link active" aria-current="page" href="([^"]+)"', page) == [url]
    assert "aria-current" not in _chrome_of(client.get("/napoveda").get_data(as_text=True))


def test_each_user_gets_their_own_name_escaped_and_their_own_token(app, make_user, opened, people):
    first = make_user("prvni@kraj-lbc.cz", roles=[], bodies=["OSV"], name="<b>Eva</b> & spol.")
    second = make_user("druhy@kraj-lbc.cz", roles=[], bodies=["OSV"], name="Jan Novák")
    pages = []
    for user in (first, second):
        client = app.test_client()
        assert login(client, user).status_code == 302
        html = client.get("/ucet").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
        header = _chrome_of(html)
        # every form of the chrome carries the session's own token
        assert set(re.findall(r'name="csrf_token" value="([^"]+)"', header)) == {token}
        assert "\x00" not in html
        pages.append((header, token))
    (first_header, first_token), (second_header, second_token) = pages
    assert first_token != second_token
    assert "&lt;b&gt;Eva&lt;/b&gt; &amp; spol." in first_header and "<b>Eva</b>" not in first_header
    assert "Jan Novák" in second_header and "Eva" not in second_header and first_token not in second_header


def test_an_unknown_part_is_refused(app):
    with app.test_request_context("/"), pytest.raises(KeyError):
        chrome.chrome("sidebar")
