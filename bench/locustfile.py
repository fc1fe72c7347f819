"""Locust user of the benchmark: every simulated user hits ONE endpoint (``BENCH_ENDPOINT``) as
fast as it is answered (no wait time), signed in with the session cookie of its role.

The driver (``python -m bench``) writes ``BENCH_CONTEXT`` (a JSON file: cookies per role, CSRF
tokens, ids, entry pools with their versions) and runs ``locust --headless`` once per endpoint and
number of users; only the request named after the endpoint counts in the results.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from typing import Any

from locust import FastHttpUser, constant, task
from locust.exception import StopUser

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


class BenchUser(FastHttpUser):
    """One simulated person; ``wait_time`` 0: a closed loop, so throughput is the server's."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.number = next(_NUMBERS)
        spec = CONTEXT["endpoints"][ENDPOINT]
        self.role = spec["role"]
        self.client.cookiejar.clear()
        for name, value in CONTEXT["cookies"][self.role].items():
            self._set_cookie(name, value)
        self.csrf = CONTEXT["csrf"][self.role]
        self.pool: list[list[int]] = []
        if ENDPOINT in ("save", "submit"):
            pool = CONTEXT["pools"][ENDPOINT]
            users = int(os.environ.get("BENCH_USERS", "1"))
            self.pool = [item for i, item in enumerate(pool) if i % users == self.number % users]
            if not self.pool:
                raise StopUser

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
        return self.client.post(
            f"/zaznamy/{entry_id}/upravit",
            data=data,
            name=ENDPOINT,
            allow_redirects=False,
            catch_response=True,
        )

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
        """„Odeslat ke kontrole“ of the next untouched draft entry of the user's pool."""
        if not self.pool:
            raise StopUser  # pool exhausted: the driver makes it large enough for the step's length
        entry_id, version = self.pool.pop()
        with self._post_answer(entry_id, version, "submit") as response:
            if response.status_code != 302 or "/upravit" in response.headers.get("Location", ""):
                response.failure(f"status {response.status_code} {response.headers.get('Location', '')}")
