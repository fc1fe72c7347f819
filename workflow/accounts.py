"""Account services: users, roles, bodies, deputies, the password policy and single-use links.

Plain functions that take domain objects and the actor explicitly, write the account audit log
(:mod:`workflow.audit`), flush but never commit. Errors carry a Czech message for the UI.

Dates of deputyships are calendar days in ``TIMEZONE`` (:func:`workflow.clock.today`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import string
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from workflow.audit import AuditKind, record
from workflow.bodies import body_search_text
from workflow.db import db, utcnow
from workflow.models import Area, Body, BodyAlias, Deputy, Plan, RoleAssignment, User
from workflow.passwords import MIN_PASSWORD_LENGTH, MIN_STRENGTH_SCORE, hash_password, password_strength
from workflow.responsibility import normalize_alias
from workflow.states import BodyKind, Role
from workflow.text import strip_control_characters

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
CZECH_WORDS_FILE = Path(__file__).with_name("passwords_cs.txt")

#: Roles that may name a deputy for their bodies (issue 3: „zpracovatel“ and „vedoucí“).
DEPUTY_ROLES = frozenset({Role.contributor, Role.head})

#: Role names accepted on input (CSV import): Czech and English, matched case- and accent-insensitively.
ROLE_NAMES: dict[str, Role] = {}


class AccountError(ValueError):
    """A request about an account that cannot be carried out; ``message`` is Czech, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WeakPassword(AccountError):
    """The password does not meet the policy (:func:`check_password_policy`)."""


class LinkError(AccountError):
    """A signed e-mail link cannot be used; ``reason`` is ``"invalid"``, ``"expired"`` or ``"used"``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class NotActingForBody(AccountError):
    """The user neither belongs to the body nor stands in for anyone who does on that day."""


def _fold(text: str) -> str:
    """Lower-case, accent-free form used for matching names typed by people."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


_ROLE_SPELLINGS: dict[Role, tuple[str, ...]] = {
    Role.admin: ("admin", "správce", "administrátor", "administrator"),
    Role.secretary: ("secretary", "tajemník", "tajemnice"),
    Role.reviewer: ("reviewer", "hodnotitel", "hodnotitelka"),
    Role.contributor: ("contributor", "zpracovatel", "zpracovatelka"),
    Role.head: ("head", "head of body", "vedoucí", "vedoucí subjektu"),
    Role.commission: ("commission", "commission member", "člen komise", "členka komise", "komise"),
}
ROLE_NAMES.update({_fold(name): role for role, names in _ROLE_SPELLINGS.items() for name in names})


def parse_role(name: str) -> Role:
    """Role from a Czech or English name (``"hodnotitel"``, ``"Člen komise"``, ``"reviewer"``).

    :raises AccountError: unknown role name.
    """
    role = ROLE_NAMES.get(_fold(name))
    if role is None:
        raise AccountError(f"Neznámá role „{name.strip()}“.")
    return role


# --------------------------------------------------------------------------------------------
# E-mail addresses and users


def normalize_email(email: str) -> str:
    """Return ``email`` checked for syntax and lower-cased (no DNS lookup).

    :raises AccountError: not a valid e-mail address.
    """
    try:
        info = validate_email((email or "").strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise AccountError(f"„{(email or '').strip()}“ není platná e-mailová adresa.") from exc
    return info.normalized.lower()


def find_user_by_email(email: str) -> User | None:
    """The user with this e-mail address (case-insensitive), or ``None``."""
    return db.session.scalar(select(User).where(func.lower(User.email) == (email or "").strip().lower()))


def create_user(
    email: str,
    name: str,
    *,
    actor: User | None,
    locale: str = "cs",
    roles: Iterable[Role] = (),
    bodies: Iterable[Body] = (),
    ip: str = "",
) -> User:
    """Create an active user without a password (they set one through an invitation link).

    :param actor: the administrator (``None`` on the command line).
    :raises AccountError: bad or already registered e-mail, unknown locale.
    """
    address = normalize_email(email)
    if find_user_by_email(address) is not None:
        raise AccountError(f"Uživatel s e-mailem {address} už existuje.")
    if locale not in ("cs", "en"):
        raise AccountError("Jazyk musí být čeština (cs) nebo angličtina (en).")
    user = User(email=address, name=name.strip() or address.split("@")[0], locale=locale, active=True)
    db.session.add(user)
    db.session.flush()
    record(AuditKind.user_created, actor=actor, subject=user, ip=ip, summary=user.name)
    for role in roles:
        add_role(user, role, actor=actor, ip=ip)
    set_bodies(user, list(bodies), actor=actor, ip=ip)
    return user


def update_user(user: User, *, name: str, locale: str, actor: User | None, ip: str = "") -> None:
    """Change the name and the language (``"cs"``/``"en"``) of ``user``.

    :raises AccountError: unknown locale or empty name.
    """
    if locale not in ("cs", "en"):
        raise AccountError("Jazyk musí být čeština (cs) nebo angličtina (en).")
    if not name.strip():
        raise AccountError("Jméno nesmí být prázdné.")
    changes = []
    if user.name != name.strip():
        changes.append(f"jméno: {name.strip()}")
        user.name = name.strip()
    if user.locale != locale:
        changes.append(f"jazyk: {locale}")
        user.locale = locale
    if changes:
        record(AuditKind.user_updated, actor=actor, subject=user, ip=ip, summary=", ".join(changes))
    db.session.flush()


def set_active(user: User, active: bool, *, actor: User | None, ip: str = "") -> None:
    """Deactivate or reactivate ``user``; a deactivated user is refused on the very next request.

    :raises AccountError: an administrator deactivating their own account.
    """
    if user.active == active:
        return
    if not active and actor is not None and actor.id == user.id:
        raise AccountError("Svůj vlastní účet deaktivovat nemůžete.")
    user.active = active
    user.deactivated_at = None if active else utcnow()
    if not active:
        end_all_sessions(user)  # reactivation must not revive the old cookies
    kind = AuditKind.user_reactivated if active else AuditKind.user_deactivated
    record(kind, actor=actor, subject=user, ip=ip)
    db.session.flush()


#: Czech role names for the audit log, which stays in Czech whatever the reader's language.
ROLE_NAMES_CS = {
    Role.admin: "Správce",
    Role.secretary: "Tajemník",
    Role.reviewer: "Hodnotitel",
    Role.contributor: "Zpracovatel",
    Role.head: "Vedoucí",
    Role.commission: "Člen komise",
}


def describe_assignment(assignment: RoleAssignment) -> str:
    """Czech label of a role with its scope, e.g. ``"Hodnotitel – okruh A"`` (no request needed)."""
    title = ROLE_NAMES_CS.get(Role(assignment.role), assignment.role)
    scope = []
    if assignment.plan_id is not None:
        plan = db.session.get(Plan, assignment.plan_id)
        scope.append(f"plán {plan.title if plan else assignment.plan_id}")
    if assignment.area_id is not None:
        area = db.session.get(Area, assignment.area_id)
        scope.append(f"okruh {area.code if area else assignment.area_id}")
    if assignment.body_id is not None:
        body = db.session.get(Body, assignment.body_id)
        scope.append(f"subjekt {body.abbreviation if body else assignment.body_id}")
    return f"{title} – {', '.join(scope)}" if scope else title


def add_role(
    user: User,
    role: Role,
    *,
    actor: User | None,
    plan: Plan | None = None,
    area: Area | None = None,
    body: Body | None = None,
    ip: str = "",
) -> RoleAssignment:
    """Give ``user`` a role; only a reviewer's role may be narrowed to a plan, an area or a body.

    A reviewer without ``plan``/``area``/``body`` reviews everything. Adding a role the user
    already holds with the same scope returns the existing assignment.

    :raises AccountError: a scope given for a role other than reviewer, or an area outside ``plan``.
    """
    role = Role(role)
    if role != Role.reviewer and (plan or area or body):
        raise AccountError("Rozsah (plán, okruh, subjekt) lze zadat jen u role hodnotitel.")
    if plan is not None and area is not None and area.plan_id != plan.id:
        raise AccountError("Zvolený okruh nepatří do zvoleného plánu.")
    if area is not None and plan is None:
        plan = area.plan
    key = (str(role), plan.id if plan else None, area.id if area else None, body.id if body else None)
    for existing in user.role_assignments:
        if (existing.role, existing.plan_id, existing.area_id, existing.body_id) == key:
            return existing
    assignment = RoleAssignment(
        role=str(role),
        plan_id=key[1],
        area_id=key[2],
        body_id=key[3],
    )
    user.role_assignments.append(assignment)
    db.session.flush()
    record(AuditKind.role_added, actor=actor, subject=user, body=body, ip=ip,
           summary=describe_assignment(assignment))
    return assignment


def remove_role(assignment: RoleAssignment, *, actor: User | None, ip: str = "") -> None:
    """Take a role away.

    :raises AccountError: an administrator removing their own last administrator role.
    """
    user = assignment.user
    if (
        assignment.role == Role.admin
        and actor is not None
        and actor.id == user.id
        and sum(1 for a in user.role_assignments if a.role == Role.admin) == 1
    ):
        raise AccountError("Nemůžete si odebrat svou poslední roli správce.")
    summary = describe_assignment(assignment)
    user.role_assignments.remove(assignment)
    db.session.flush()
    record(AuditKind.role_removed, actor=actor, subject=user, ip=ip, summary=summary)


def set_bodies(user: User, bodies: Sequence[Body], *, actor: User | None, ip: str = "") -> None:
    """Make ``bodies`` exactly the bodies ``user`` belongs to; each change is logged."""
    wanted = {b.id: b for b in bodies}
    current = {b.id: b for b in user.bodies}
    for body_id, body in current.items():
        if body_id not in wanted:
            user.bodies.remove(body)
            record(AuditKind.body_removed, actor=actor, subject=user, body=body, ip=ip,
                   summary=body.abbreviation)
    for body_id, body in wanted.items():
        if body_id not in current:
            user.bodies.append(body)
            record(AuditKind.body_added, actor=actor, subject=user, body=body, ip=ip,
                   summary=body.abbreviation)
    db.session.flush()


# --------------------------------------------------------------------------------------------
# Deputies (zástup)


def add_deputy(
    principal: User,
    deputy: User,
    starts_on: date,
    ends_on: date,
    *,
    actor: User | None,
    body: Body | None = None,
    note: str = "",
    ip: str = "",
) -> Deputy:
    """Name ``deputy`` to stand in for ``principal`` from ``starts_on`` to ``ends_on`` (inclusive).

    :param body: one of the principal's bodies, or ``None`` for all of them.
    :raises AccountError: the principal is not a contributor or head, the deputy is the principal
        or inactive, the dates are reversed, or ``body`` is not one of the principal's bodies.
    """
    if not principal.has_role(*DEPUTY_ROLES):
        raise AccountError("Zástup může určit jen zpracovatel nebo vedoucí subjektu.")
    if deputy.id == principal.id:
        raise AccountError("Zástupcem nemůžete být sami sobě.")
    if not deputy.active:
        raise AccountError("Zástupcem nemůže být deaktivovaný uživatel.")
    if ends_on < starts_on:
        raise AccountError("Konec zástupu musí být stejný den nebo později než jeho začátek.")
    if body is not None and body not in principal.bodies:
        raise AccountError("Zástup lze určit jen pro vlastní subjekt.")
    if not principal.bodies:
        raise AccountError("Uživatel nepatří k žádnému subjektu, není tedy koho zastupovat.")
    entry = Deputy(
        principal=principal, deputy=deputy, body=body, starts_on=starts_on, ends_on=ends_on,
        note=note.strip()[:300], created_by=actor,
    )
    db.session.add(entry)
    db.session.flush()
    scope = body.abbreviation if body else ", ".join(b.abbreviation for b in principal.bodies)
    record(
        AuditKind.deputy_added, actor=actor, subject=principal, body=body, ip=ip,
        summary=f"{deputy.name} ({deputy.email}) zastupuje {starts_on:%d. %m. %Y}–{ends_on:%d. %m. %Y}"
        f" · {scope}",
        details={"deputy_id": deputy.id, "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()},
    )
    return entry


def remove_deputy(entry: Deputy, *, actor: User | None, ip: str = "") -> None:
    """Cancel a deputyship (the audit log keeps that it existed)."""
    record(
        AuditKind.deputy_removed, actor=actor, subject=entry.principal, body=entry.body, ip=ip,
        summary=f"{entry.deputy.name} ({entry.deputy.email})",
        details={"deputy_id": entry.deputy_id, "starts_on": entry.starts_on.isoformat(),
                 "ends_on": entry.ends_on.isoformat()},
    )
    db.session.delete(entry)
    db.session.flush()


def deputies_of(principal: User) -> list[Deputy]:
    """Every deputyship ``principal`` has named, earliest first."""
    return list(
        db.session.scalars(
            select(Deputy).where(Deputy.principal_id == principal.id).order_by(Deputy.starts_on, Deputy.id)
        )
    )


def _standing_in(user: User, on: date) -> list[Deputy]:
    if not user.active:
        return []
    return list(
        db.session.scalars(
            select(Deputy)
            .where(Deputy.deputy_id == user.id, Deputy.starts_on <= on, Deputy.ends_on >= on)
            .order_by(Deputy.id)
        )
    )


def acting_for(user: User, on: date) -> list[User]:
    """The people ``user`` stands in for on day ``on`` (Prague date), without duplicates."""
    seen: dict[int, User] = {}
    for entry in _standing_in(user, on):
        seen.setdefault(entry.principal_id, entry.principal)
    return list(seen.values())


def bodies_of(user: User, on: date) -> list[Body]:
    """The bodies ``user`` may act for on day ``on``: own bodies plus those of the people stood in for.

    A deputyship narrowed to one body adds only that body (and only while the principal still
    belongs to it). Sorted by abbreviation.
    """
    if not user.active:
        return []
    found = {b.id: b for b in user.bodies}
    for entry in _standing_in(user, on):
        for body in entry.principal.bodies:
            if entry.body_id is None or entry.body_id == body.id:
                found.setdefault(body.id, body)
    return sorted(found.values(), key=lambda b: b.abbreviation)


def principal_for(user: User, body: Body, on: date) -> User | None:
    """Whom ``user`` acts for when acting for ``body`` on ``on`` — store it as "acted for".

    :returns: ``None`` when ``user`` belongs to ``body`` (acting in their own right), else the
        principal they stand in for (the earliest-named deputyship wins).
    :raises NotActingForBody: ``user`` may not act for ``body`` on that day.
    """
    if user.active and any(b.id == body.id for b in user.bodies):
        return None
    for entry in _standing_in(user, on):
        if any(b.id == body.id for b in entry.principal.bodies) and entry.body_id in (None, body.id):
            return entry.principal
    raise NotActingForBody(f"Za subjekt {body.abbreviation} nyní jednat nemůžete.")


# --------------------------------------------------------------------------------------------
# Passwords


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The refused passwords (lower-case): the breached ones of :data:`COMMON_PASSWORDS_FILE` and
    the Czech words of :data:`CZECH_WORDS_FILE` (which the strength estimator also knows)."""
    lines = [*COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines(),
             *CZECH_WORDS_FILE.read_text(encoding="utf-8").splitlines()]
    words = {line.strip().lower() for line in lines if line.strip() and not line.startswith("#")}
    return frozenset(words | {_fold(w) for w in words})


_STRIP = string.digits + string.punctuation + string.whitespace


def is_common_password(password: str) -> bool:
    """True for a listed password, one that is only digits/punctuation around a listed word
    (``"Heslo123456"``, ``"liberec2025!"``), or one made of at most two distinct characters."""
    lowered = password.strip().lower()
    if len(set(lowered)) <= 2:
        return True
    words = common_passwords()
    for candidate in (lowered, _fold(lowered)):
        core = candidate.strip(_STRIP)
        if candidate in words or not core or core in words:
            return True
    return False


def check_password_policy(password: str, *, user: User | None = None) -> list[str]:
    """Czech reasons why ``password`` is refused; an empty list means it is acceptable.

    Policy: at least :data:`~workflow.passwords.MIN_PASSWORD_LENGTH` (12) characters, not a
    breached password or a Czech word with digits around it (:func:`is_common_password`), a zxcvbn
    score of at least :data:`~workflow.passwords.MIN_STRENGTH_SCORE` with Czech and English words
    and the Czech keyboard (:func:`~workflow.passwords.password_strength`; keyboard rows such as
    ``asdfghjklů§!`` fail it), not the user's e-mail address or its local part.
    """
    problems = []
    user_words = []
    if user is not None and user.email:
        user_words = [user.email, user.email.split("@")[0], *(user.name or "").split()]
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Heslo musí mít alespoň {MIN_PASSWORD_LENGTH} znaků.")
    elif is_common_password(password) or password_strength(password, user_words) < MIN_STRENGTH_SCORE:
        problems.append("Toto heslo je příliš běžné a snadno uhodnutelné. Zvolte jiné, třeba několik slov.")
    if user is not None and user.email:
        local = user.email.split("@")[0].lower()
        if password.lower() in (user.email.lower(), local) or (
            len(local) >= 4 and password.lower().strip(_STRIP) == local
        ):
            problems.append("Heslo nesmí být vaše e-mailová adresa.")
    return problems


def set_password(
    user: User, password: str, *, actor: User | None, kind: AuditKind = AuditKind.password_changed,
    ip: str = "",
) -> None:
    """Hash and store a new password (Argon2id) after checking the policy.

    Storing a new hash also invalidates every invitation and reset link issued before.

    :param kind: what to log: ``password_changed``, ``password_reset`` or ``invitation_accepted``.
    :raises WeakPassword: the password breaks the policy (message lists every reason).
    """
    problems = check_password_policy(password, user=user)
    if problems:
        raise WeakPassword(" ".join(problems))
    user.password_hash = hash_password(password)
    end_all_sessions(user)
    record(kind, actor=actor, subject=user, ip=ip)
    db.session.flush()


def end_all_sessions(user: User) -> None:
    """End every session and remember cookie of ``user`` from their next request on.

    Raises ``user.session_generation``, which every session and remember cookie carries
    (:meth:`User.get_id`); the web layer refuses a cookie of an older generation. The caller that
    wants to keep the current browser signed in signs it in again (``login_user``). Flushes.
    """
    user.session_generation = (user.session_generation or 0) + 1
    db.session.flush()


# --------------------------------------------------------------------------------------------
# Single-use signed links (invitation, password reset)

LINK_PURPOSES = ("invitation", "password-reset")


def _fingerprint(user: User) -> str:
    """Changes whenever the password is set or the user signs in: a used link no longer matches."""
    seed = f"{user.password_hash or ''}|{user.last_login_at.isoformat() if user.last_login_at else ''}"
    return hashlib.sha256(seed.encode()).hexdigest()[:16]


def _serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    assert purpose in LINK_PURPOSES, purpose
    return URLSafeTimedSerializer(secret_key, salt=f"plneni-{purpose}")


def make_link_token(user: User, purpose: str, secret_key: str) -> str:
    """A signed, timestamped token for ``user`` and ``purpose`` (``"invitation"``/``"password-reset"``).

    The token binds the user's id and a fingerprint of their password hash and last sign-in, so it
    stops working once used (a password is set) or once the user signs in in another way.
    """
    return _serializer(secret_key, purpose).dumps({"u": user.id, "f": _fingerprint(user)})


def user_for_link_token(token: str, purpose: str, secret_key: str, max_age_seconds: int) -> User:
    """The user a link token was issued to, if it is still usable.

    :raises LinkError: ``reason="invalid"`` (tampered, wrong purpose, unknown or deactivated user),
        ``"expired"`` (older than ``max_age_seconds``) or ``"used"`` (the password was set or the
        user signed in since the link was issued).
    """
    serializer = _serializer(secret_key, purpose)
    try:
        data = serializer.loads(token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise LinkError("expired", "Platnost odkazu vypršela.") from exc
    except BadSignature as exc:
        raise LinkError("invalid", "Odkaz je neplatný nebo neúplný.") from exc
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.active:
        raise LinkError("invalid", "Odkaz je neplatný nebo neúplný.")
    if data.get("f") != _fingerprint(user):
        raise LinkError("used", "Tento odkaz už byl použit.")
    return user


# --------------------------------------------------------------------------------------------
# Bodies (administration)


def save_body(
    body: Body | None,
    *,
    abbreviation: str,
    name: str,
    kind: str,
    parent: Body | None,
    aliases: Iterable[str],
    actor: User | None,
    ip: str = "",
) -> Body:
    """Create (``body=None``) or update a body with its aliases (other spellings in plans).

    :raises AccountError: empty or duplicate abbreviation, unknown kind, a parent that is the body
        itself or one of its descendants, or an alias already used by another body.
    """
    abbreviation = abbreviation.strip()
    if not abbreviation or not name.strip():
        raise AccountError("Zkratka i název subjektu jsou povinné.")
    if kind not in {k.value for k in BodyKind}:
        raise AccountError(f"Neznámý druh subjektu „{kind}“.")
    clash = db.session.scalar(select(Body).where(func.lower(Body.abbreviation) == abbreviation.lower()))
    if clash is not None and clash is not body:
        raise AccountError(f"Subjekt se zkratkou {abbreviation} už existuje.")
    ancestor = parent
    while ancestor is not None and body is not None:
        if ancestor.id == body.id:
            raise AccountError("Nadřízený subjekt nemůže být tento subjekt ani subjekt pod ním.")
        ancestor = ancestor.parent
    wanted: dict[str, str] = {}
    for alias in aliases:
        key = normalize_alias(alias)
        if key and key not in wanted and key not in (normalize_alias(abbreviation), normalize_alias(name)):
            wanted[key] = alias.strip()
    taken = db.session.scalars(select(BodyAlias).where(BodyAlias.normalized.in_(list(wanted)))).all()
    for alias_row in taken:
        if body is None or alias_row.body_id != body.id:
            raise AccountError(f"Název „{alias_row.alias}“ už používá subjekt {alias_row.body.abbreviation}.")
    created = body is None
    if body is None:
        body = Body(abbreviation=abbreviation, name=name.strip(), kind=kind)
        db.session.add(body)
    body.abbreviation = abbreviation
    body.name = name.strip()
    body.kind = kind
    body.parent = parent
    existing = {a.normalized: a for a in body.aliases}
    for key, alias_row in existing.items():
        if key not in wanted:
            body.aliases.remove(alias_row)
    for key, text in wanted.items():
        if key in existing:
            existing[key].alias = text
        else:
            body.aliases.append(BodyAlias(alias=text, normalized=key))
    body.search_text = body_search_text(body)
    db.session.flush()
    record(AuditKind.body_created if created else AuditKind.body_updated, actor=actor, body=body, ip=ip,
           summary=body.label)
    return body


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
        result.errors.append(f"Soubor CSV je poškozený na řádku {reader.line_num} ({exc}).")
        return result
    if not rows:
        result.errors.append("Soubor je prázdný.")
        return result
    header = [USER_CSV_COLUMNS.get(_fold(h).strip(), "") for h in rows[0]]
    missing = [c for c in ("name", "email") if c not in header]
    if missing:
        names = {"name": "jméno", "email": "e-mail"}
        result.errors.append(
            "Chybí sloupec " + ", ".join(f"„{names[c]}“" for c in missing)
            + ". Očekávané sloupce: jméno, e-mail, subjekty, role."
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
            errors.append(f"neplatný e-mail „{email}“" if email else "chybí e-mail")
        else:
            if email in seen:
                errors.append(f"e-mail {email} se v souboru opakuje (poprvé na řádku {seen[email]})")
            elif find_user_by_email(email) is not None:
                errors.append(f"uživatel s e-mailem {email} už existuje")
            seen.setdefault(email, number)
        if not values.get("name"):
            errors.append("chybí jméno")
        elif len(values["name"]) > USER_NAME_LIMIT:
            errors.append(f"jméno je delší než {USER_NAME_LIMIT} znaků")
        bodies: list[Body] = []
        for token in _split_list(values.get("bodies", "")):
            abbreviation = lookup.get(normalize_alias(token))
            if abbreviation is None:
                errors.append(f"neznámý subjekt „{token}“")
            else:
                bodies.append(bodies_by_abbr[abbreviation])
        roles: list[Role] = []
        for token in _split_list(values.get("roles", "")):
            try:
                roles.append(parse_role(token))
            except AccountError:
                errors.append(f"neznámá role „{token}“")
        if errors:
            result.errors.append(f"Řádek {number}: " + "; ".join(errors) + ".")
        else:
            prepared.append((email, values["name"], bodies, roles))
    if result.errors:
        return result
    for email, name, bodies, roles in prepared:
        result.created.append(create_user(email, name, actor=actor, roles=roles, bodies=bodies))
    return result
