"""Accounts: bulk import of users from CSV (CLI ``import-users``), all or nothing."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from workflow.accounts.common import AccountError, _fold
from workflow.accounts.roles import parse_role
from workflow.accounts.users import create_user, find_user_by_email, normalize_email
from workflow.db import db
from workflow.models import Body, User
from workflow.responsibility import normalize_alias
from workflow.states import Role
from workflow.text import strip_control_characters

# --------------------------------------------------------------------------------------------
# Bulk import of users (CLI ``import-users``)

#: Accepted column headers (folded) → field.
USER_CSV_COLUMNS = {
    "jmeno": "name", "name": "name", "jmeno a prijmeni": "name",
    "e-mail": "email", "email": "email", "mail": "email",
    "subjekty": "bodies", "subjekt": "bodies", "bodies": "bodies", "body": "bodies",
    "role": "roles", "roles": "roles",
}


@dataclass
class UserImportResult:
    """Outcome of :func:`import_users_csv`: the users created, or the row errors (then nothing is)."""

    created: list[User] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _split_list(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,]", value or "") if part.strip()]


#: Longest name of a user (``users.name``).
USER_NAME_LIMIT = 200


def import_users_csv(text: str, *, actor: User | None = None) -> UserImportResult:
    """Create users from CSV text with columns name/jméno, e-mail, bodies/subjekty, roles/role.

    The delimiter (``,`` or ``;``) is detected; bodies and roles inside a cell are separated by
    ``;`` or ``,`` (quote the cell when the delimiter is ``,``). Bodies are matched by abbreviation,
    name or alias; roles by Czech or English name (:func:`parse_role`). All or nothing: when any
    row has an error, nothing is created and every error is returned, in Czech, with its row.

    :returns: the result; the caller commits when ``errors`` is empty (this function flushes).
    """
    from workflow.bodies import body_lookup

    result = UserImportResult()
    text = strip_control_characters(text) or ""  # NUL, escapes …: never stored (tab, line ends stay)
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        rows = list(reader)
    except csv.Error as exc:
        result.errors.append(_("Soubor CSV je poškozený na řádku %(line)s (%(error)s).", line=reader.line_num,
                               error=exc))
        return result
    if not rows:
        result.errors.append(_("Soubor je prázdný."))
        return result
    header = [USER_CSV_COLUMNS.get(_fold(h).strip(), "") for h in rows[0]]
    missing = [c for c in ("name", "email") if c not in header]
    if missing:
        names = {"name": "jméno", "email": "e-mail"}
        result.errors.append(
            _("Chybí sloupec %(columns)s. Očekávané sloupce: jméno, e-mail, subjekty, role.",
              columns=", ".join(f"„{names[c]}“" for c in missing))
        )
        return result
    lookup = body_lookup()
    bodies_by_abbr = {b.abbreviation: b for b in db.session.scalars(select(Body))}
    seen: dict[str, int] = {}
    prepared: list[tuple[str, str, list[Body], list[Role]]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {key: (row[i].strip() if i < len(row) else "") for i, key in enumerate(header) if key}
        errors: list[str] = []
        email = values.get("email", "")
        try:
            email = normalize_email(email)
        except AccountError:
            errors.append(_("neplatný e-mail „%(email)s“", email=email) if email else _("chybí e-mail"))
        else:
            if email in seen:
                errors.append(
                    _("e-mail %(email)s se v souboru opakuje (poprvé na řádku %(row)s)", email=email,
                      row=seen[email])
                )
            elif find_user_by_email(email) is not None:
                errors.append(_("uživatel s e-mailem %(email)s už existuje", email=email))
            seen.setdefault(email, number)
        if not values.get("name"):
            errors.append(_("chybí jméno"))
        elif len(values["name"]) > USER_NAME_LIMIT:
            errors.append(_("jméno je delší než %(n)s znaků", n=USER_NAME_LIMIT))
        bodies: list[Body] = []
        for token in _split_list(values.get("bodies", "")):
            abbreviation = lookup.get(normalize_alias(token))
            if abbreviation is None:
                errors.append(_("neznámý subjekt „%(name)s“", name=token))
            else:
                bodies.append(bodies_by_abbr[abbreviation])
        roles: list[Role] = []
        for token in _split_list(values.get("roles", "")):
            try:
                roles.append(parse_role(token))
            except AccountError:
                errors.append(_("neznámá role „%(name)s“", name=token))
        if errors:
            result.errors.append(_("Řádek %(row)s: %(errors)s.", row=number, errors="; ".join(errors)))
        else:
            prepared.append((email, values["name"], bodies, roles))
    if result.errors:
        return result
    for email, name, bodies, roles in prepared:
        result.created.append(create_user(email, name, actor=actor, roles=roles, bodies=bodies))
    return result
