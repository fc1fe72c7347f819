"""Locust user of the benchmark: every simulated user hits ONE endpoint (``BENCH_ENDPOINT``) as
fast as it is answered (no wait time), signed in with the session cookie of its role.

The driver (``python -m bench``) writes ``BENCH_CONTEXT`` (a JSON file: cookies per role, CSRF
tokens, ids, and the save and submit steps' submitters: contributors of one body each with their
own cookies and their body's entries) and runs ``locust --headless`` once per endpoint and number
of users; only the request named after the endpoint counts in the results.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from typing import Any

import psycopg
from locust import FastHttpUser, constant, task

CONTEXT: dict[str, Any] = json.loads(open(os.environ["BENCH_CONTEXT"], encoding="utf-8").read())  # noqa: SIM115
ENDPOINT = os.environ["BENCH_ENDPOINT"]
_NUMBERS = itertools.count()
_VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')
ANSWER = {
    "fulfilment_status": "done",
    "text": "Aktivita byla v roce splněna: proběhla tři setkání pracovní skupiny a metodika byla "
    "předána obcím. Podrobnosti jsou v zápisech na webu kraje.",
    "indicator_text": "3 setkání",
    "indicator_as_of": "2026-10-31",
}


_RESETS: psycopg.Connection[Any] | None = None


def _put_back(pool: list[list[int]]) -> None:
    """Put the pool's submitted entries back to drafts and refresh their versions: one ``UPDATE``
    on the process' one connection (psycopg waits cooperatively under locust's gevent) each time a
    user has submitted its whole pool, so the step never runs out of drafts. This is the
    benchmark's plumbing, not the product's: it is not in a measured request, and one statement
    per pool keeps its share of the database's work small."""
    global _RESETS
    if _RESETS is None:
        _RESETS = psycopg.connect(CONTEXT["database_url"], autocommit=True)
        _RESETS.execute("SET synchronous_commit = off")
    rows = _RESETS.execute(
        "UPDATE entries SET state = 'draft', version = version + 1 WHERE id = ANY(%s) RETURNING id, version",
        ([item[0] for item in pool],),
    ).fetchall()
    versions = dict(rows)
    for item in pool:
        item[1] = versions.get(item[0], item[1])


class BenchUser(FastHttpUser):
    """One simulated person; ``wait_time`` 0: a closed loop, so throughput is the server's."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.number = next(_NUMBERS)
        self.pool: list[list[int]] = []
        self.turn = 0
        if ENDPOINT in ("save", "submit"):
            # a contributor of one body of their own, as in the offices: user n is submitter n
            submitters = CONTEXT["submitters"]
            me = submitters[self.number % len(submitters)]
            cookies, self.csrf = me["cookies"], me["csrf"]
            self.pool = [me["save"]] if ENDPOINT == "save" else me["submit"]
        else:
            role = CONTEXT["endpoints"][ENDPOINT]["role"]
            cookies, self.csrf = CONTEXT["cookies"][role], CONTEXT["csrf"][role]
        self.cookies = cookies
        self._signed_in()

    def _signed_in(self) -> None:
        """The session cookies of the sign-in. Put back after each POST: the POST's answer sets a
        session holding its flash message („Uloženo“), which a browser's next GET (the redirect's
        page) shows and drops; without that GET the messages would pile up in the cookie and every
        later request would carry and re-sign them."""
        self.client.cookiejar.clear()
        for name, value in self.cookies.items():
            self._set_cookie(name, value)

    def _set_cookie(self, name: str, value: str) -> None:
        from http.cookiejar import Cookie

        host = CONTEXT["host_name"]
        self.client.cookiejar.set_cookie(
            Cookie(
                0, name, value, None, False, host, False, False, "/", True, False, None, False, None, None, {}
            )
        )

    @task
    def hit(self) -> None:
        spec = CONTEXT["endpoints"][ENDPOINT]
        if ENDPOINT == "save":
            self._save()
        elif ENDPOINT == "submit":
            self._submit()
        else:
            with self.client.get(spec["url"], name=ENDPOINT, catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"status {response.status_code}")

    def _post_answer(self, entry_id: int, version: int, action: str) -> Any:
        # a different text every time: a save that changes nothing writes nothing (no new version)
        self.edits = getattr(self, "edits", 0) + 1
        text = f"{ANSWER['text']} Úprava č. {self.edits}."
        data = {**ANSWER, "text": text, "version": str(version), "action": action, "csrf_token": self.csrf}
        response = self.client.post(
            f"/zaznamy/{entry_id}/upravit",
            data=data,
            name=ENDPOINT,
            allow_redirects=False,
            catch_response=True,
        )
        self._signed_in()
        return response

    def _save(self) -> None:
        """„Uložit rozpracované“ on the user's own draft entry, version kept locally (+1 a save)."""
        item = self.pool[0]
        with self._post_answer(item[0], item[1], "save") as response:
            if response.status_code == 302:
                item[1] += 1
                return
            response.failure(f"status {response.status_code}")
        page = self.client.get(f"/zaznamy/{item[0]}/upravit", name="resync")
        found = _VERSION.search(page.text or "")
        if found:
            item[1] = int(found.group(1))

    def _submit(self) -> None:
        """„Odeslat ke kontrole“ of the user's body's next draft entry, in turn; once all are
        submitted they are put back to drafts (:func:`_put_back`) for their next turn."""
        if self.turn and self.turn % len(self.pool) == 0:
            _put_back(self.pool)
        item = self.pool[self.turn % len(self.pool)]
        self.turn += 1
        with self._post_answer(item[0], item[1], "submit") as response:
            if response.status_code != 302 or "/upravit" in response.headers.get("Location", ""):
                response.failure(f"status {response.status_code} {response.headers.get('Location', '')}")
