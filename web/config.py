"""Configuration from environment variables, each with a documented default.

Every setting the product reads is declared once in :data:`SETTINGS`; the README's configuration
table is checked against this list by the test suite, so the two cannot drift apart.

The defaults form the *embedded* mode: no external server is needed. The database is SQLite under
``instance/``, the Celery broker is kombu's filesystem transport in ``instance/celery-broker``, and e-mails
are written as ``.eml`` files to ``instance/outbox``. Production sets ``PLNENI_ENV=production`` with
PostgreSQL (``DATABASE_URL``) and Redis (``REDIS_URL``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from celery.schedules import crontab
from limits import parse_many
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from workflow import clock

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-secret-key-not-for-production"  # noqa: S105 - refused in production
#: The UI languages (``DEFAULT_LOCALE`` must be one of them).
LOCALES = ("cs", "en")


class ConfigurationError(RuntimeError):
    """Raised when the configuration is unsafe or inconsistent (e.g. production with the dev key),
    or a setting has a value its parser refuses (the message names the variable)."""


# ---- parsers: each takes the variable's text and returns the typed value or raises ValueError


def text(value: str) -> str:
    """The text as given."""
    return value


def boolean(value: str) -> bool:
    """``1/true/yes/on`` → ``True``, ``0/false/no/off`` → ``False`` (any case).

    :raises ValueError: anything else (a typo must not silently mean ``False``).
    """
    word = value.strip().lower()
    if word in {"1", "true", "yes", "on"}:
        return True
    if word in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def integer(low: int | None = None, high: int | None = None) -> Callable[[str], int]:
    """A parser of whole numbers in ``[low, high]`` (``None``: unbounded)."""

    bounds = f"{low if low is not None else '…'}–{high if high is not None else '…'}"

    def parse(value: str) -> int:
        try:
            number = int(value.strip())
        except ValueError:
            number = None
        if number is None or (low is not None and number < low) or (high is not None and number > high):
            raise ValueError(f"expected a whole number in {bounds}")
        return number

    parse.__doc__ = f"A whole number in [{low}, {high}]."
    return parse


def positive_number(value: str) -> float:
    """A number above zero (``"0.5"``, ``"10"``). :raises ValueError: not a number or not above zero."""
    try:
        number = float(value.strip())
    except ValueError:
        number = math.nan
    if not 0 < number < math.inf:
        raise ValueError("expected a number above zero")
    return number


def rate_limits(value: str) -> str:
    """Flask-Limiter's notation, e.g. ``"5 per minute;20 per hour"``. :raises ValueError: not parseable."""
    try:
        limits = parse_many(value)
    except ValueError:
        limits = []
    if not limits:
        raise ValueError("expected limits such as '5 per minute;20 per hour'")
    return value


def seconds_list(value: str) -> tuple[int, ...]:
    """``"30,60,120"`` → ``(30, 60, 120)``. :raises ValueError: not a list of positive integers."""
    try:
        seconds = tuple(int(part) for part in value.split(",") if part.strip())
    except ValueError:
        seconds = ()
    if not seconds or min(seconds) < 1:
        raise ValueError("expected positive whole seconds separated by commas")
    return seconds


def time_zone(value: str) -> str:
    """An IANA time zone name (``Europe/Prague``). :raises ValueError: not a known zone."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("expected an IANA time zone such as Europe/Prague") from exc
    return value


def group_roles(value: str) -> tuple[dict[str, str], ...]:
    """``LDAP_GROUP_ROLES``: a JSON list of ``{"group": DN, "role": ROLE, "body": ABBREVIATION}``
    (``body`` optional); roles as in ``workflow.states.Role``."""
    import json

    from workflow.states import Role

    try:
        rows = json.loads(value)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg})") from exc
    if not isinstance(rows, list):
        raise ValueError("expected a JSON list of objects")
    result = []
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("group"), str) or not row["group"].strip():
            raise ValueError(f"each row needs a group DN: {row!r}")
        if row.get("role") not in {r.value for r in Role}:
            raise ValueError(f"unknown role {row.get('role')!r}")
        if row.get("body") is not None and not isinstance(row["body"], str):
            raise ValueError(f"body must be an abbreviation: {row!r}")
        result.append({"group": row["group"], "role": row["role"], "body": row.get("body") or ""})
    return tuple(result)


def url(*schemes: str, empty: bool = False) -> Callable[[str], str]:
    """A parser of URLs with one of ``schemes`` and a host (``empty``: ``""`` is accepted too)."""

    def parse(value: str) -> str:
        if empty and not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in schemes or not (parts.netloc or parts.path):
            raise ValueError(f"expected a {' or '.join(schemes)} URL")
        return value

    parse.__doc__ = f"A {' or '.join(schemes)} URL."
    return parse


def database_url(value: str) -> str:
    """An SQLAlchemy database URL. :raises ValueError: SQLAlchemy cannot read it."""
    try:
        make_url(value)
    except ArgumentError as exc:
        raise ValueError("expected an SQLAlchemy URL such as postgresql+psycopg://user@host/db") from exc
    return value


def one_of(*choices: str) -> Callable[[str], str]:
    """A parser accepting exactly one of ``choices``."""

    def parse(value: str) -> str:
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}")
        return value

    parse.__doc__ = f"One of {', '.join(choices)}."
    return parse


#: Parts of example secrets that must never sign production sessions (the compose file's old
#: default was ``change-me-in-docker-compose-please-0123456789``).
PLACEHOLDER_SECRET_WORDS = ("change-me", "changeme", "change_me", "replace-me", "your-secret", "example")


def weak_secret_reason(secret: str) -> str | None:
    """Why ``secret`` may not be the production ``SECRET_KEY``, or ``None`` when it may.

    :param secret: the configured key.
    :returns: e.g. ``"shorter than 32 characters"``. The rule is minimal: at least 32 characters,
        at least 10 different ones (``openssl rand -hex 32`` has 16, ``secrets.token_urlsafe(32)``
        about 30), and no placeholder word of :data:`PLACEHOLDER_SECRET_WORDS`.
    """
    if len(secret) < 32:
        return "shorter than 32 characters"
    if len(set(secret)) < 10:
        return "fewer than 10 different characters"
    lowered = secret.lower()
    if any(word in lowered for word in PLACEHOLDER_SECRET_WORDS):
        return "it is an example placeholder"
    return None


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, its default (``None``: computed from other settings),
    what it does, and the parser of its value (text → typed value, ``ValueError`` on a bad one)."""

    name: str
    default: str | None
    doc: str
    parse: Callable[[str], Any] = text
    #: The value may hold a password: a refusal does not repeat it.
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("PLNENI_ENV", "development",
            "`development`, `production` or `testing`.", one_of("development", "production", "testing")),
    Setting("SECRET_KEY", DEV_SECRET_KEY,
            "Signs sessions and links. Production refuses the default and weak keys (< 32 characters, "
            "< 10 different ones, placeholders): use `openssl rand -hex 32`.", secret=True),
    Setting("INSTANCE_PATH", "./instance", "Folder for the SQLite files, the e-mail outbox and uploads."),
    Setting("DATABASE_URL", None,
            "SQLAlchemy URL. Default: SQLite file `plneni.sqlite3` in the instance folder. "
            "Production: `postgresql+psycopg://user@host/db`.", database_url, secret=True),
    Setting("REDIS_URL", "",
            "Redis URL, e.g. `redis://127.0.0.1:6379/0`. When set, it is the Celery broker.",
            url("redis", "rediss", "unix", empty=True), secret=True),
    Setting("CELERY_BROKER_URL", None,
            "Explicit Celery broker. Default: `REDIS_URL` if set, else kombu's filesystem transport in "
            "`celery-broker/` of the instance folder (no server).", secret=True),
    Setting("BASE_URL", "http://127.0.0.1:5000",
            "Public address of the product, used in e-mail links.", url("http", "https")),
    Setting("TIMEZONE", clock.DEFAULT_TIMEZONE,
            "Time zone for deadlines and for dates shown to users.", time_zone),
    Setting("DEFAULT_LOCALE", "cs",
            "Language of the UI for anonymous users (`cs` or `en`).", one_of(*LOCALES)),
    Setting("MAIL_BACKEND", "outbox",
            "`outbox` writes `.eml` files to `MAIL_OUTBOX_DIR`; `smtp` sends.", one_of("outbox", "smtp")),
    Setting("MAIL_OUTBOX_DIR", None, "Where `outbox` e-mails go. Default: `outbox` in the instance folder."),
    Setting("MAIL_SERVER", "localhost", "SMTP host."),
    Setting("MAIL_PORT", "25", "SMTP port.", integer(1, 65535)),
    Setting("MAIL_USE_TLS", "false", "STARTTLS on the SMTP connection (`true`/`false`).", boolean),
    Setting("MAIL_USERNAME", "", "SMTP user (empty: no authentication)."),
    Setting("MAIL_PASSWORD", "", "SMTP password.", secret=True),
    Setting("MAIL_DEFAULT_SENDER", "plneni@kraj-lbc.invalid", "The From address of every e-mail."),
    Setting("OUTBOX_SWEEP_SECONDS", "120",
            "How often beat re-dispatches pending e-mails of the outbox (lost dispatches, broker outages).",
            positive_number),
    Setting("OUTBOX_RETRY_SECONDS", "30,60,120,300,600,1800,3600,7200",
            "Waits (seconds, comma-separated) before each new attempt at an e-mail the SMTP server did not "
            "take; after one more failure than there are waits the e-mail is marked failed.", seconds_list),
    Setting("CELERY_VISIBILITY_TIMEOUT", "172800",
            "Redis broker: seconds after which a task taken by a worker that died without acknowledging it "
            "is handed out again (at-least-once). Must exceed the longest retry wait.", integer(1)),
    Setting("REMINDER_HOUR", "8",
            "Hour (0–23, `TIMEZONE`) at which beat runs the daily reminder sweep; approved-entry "
            "digests go out then too.", integer(0, 23)),
    Setting("MAX_IMPORT_MB", "10", "Largest plan file accepted by the import, in MB.", positive_number),
    Setting("IMPORT_MAX_UNCOMPRESSED_MB", "50",
            "Largest total size of an imported XLSX once unpacked, in MB (checked before the "
            "workbook is opened; protects against ZIP bombs).", positive_number),
    Setting("IMPORT_MAX_ROWS", "10000",
            "Most non-empty rows an imported table (XLSX, CSV) may have.", integer(1)),
    Setting("OFFLINE_MAX_ROWS", "1000",
            "Most filled rows an uploaded offline form (XLSX of a body's entries) may have.", integer(1)),
    Setting("MAX_ATTACHMENT_MB", "20", "Largest evidence attachment accepted, in MB.", positive_number),
    Setting("IDLE_TIMEOUT_HOURS", "8",
            "A signed-in session idle longer than this is signed out (hours).", positive_number),
    Setting("INVITATION_LINK_HOURS", "168",
            "How long an invitation link stays valid (hours; single use).", integer(1)),
    Setting("PASSWORD_RESET_LINK_MINUTES", "60",
            "How long a password-reset link stays valid (minutes; single use).", integer(1)),
    Setting("LOGIN_LIMIT_PER_ACCOUNT", "5 per minute;20 per hour",
            "Failed sign-ins allowed per e-mail address before further attempts are refused for a while "
            "(Flask-Limiter notation; the first limit slows, the second locks).", rate_limits),
    Setting("LOGIN_LIMIT_PER_IP", "20 per minute;100 per hour",
            "Failed sign-ins allowed per client IP address.", rate_limits),
    Setting("RATELIMIT_STORAGE_URI", None,
            "Where the throttling counters live. "
            "Default: `REDIS_URL` if set, else `memory://` (one process).", secret=True),
    Setting("SESSION_COOKIE_SECURE", None,
            "Send the session cookie over HTTPS only. Default: `true` in production, else `false`. "
            "Production refuses `false`.", boolean),
    Setting("PAGE_CACHE_SECONDS", "86400",
            "How long the rendered report of a closed round (its frozen snapshot) stays cached, in "
            "seconds (the round dashboard's fragment at most an hour); `0` turns the cache off. In "
            "Redis when `REDIS_URL` is set, else in `INSTANCE_PATH/cache`.", integer(0)),
    Setting("AUDIT_RETENTION_DAYS", "1825",
            "Days the account audit log is kept; older rows are purged daily by beat "
            "(`flask purge-audit` by hand). `0` keeps it forever.", integer(0)),
    Setting("LDAP_URL", "",
            "The office directory for sign-in (`ldaps://host:636`, or `ldap://host:389` with "
            "`LDAP_START_TLS=true`); empty: local accounts only. Plain LDAP without TLS is refused.",
            url("ldaps", "ldap", empty=True)),
    Setting("LDAP_START_TLS", "false",
            "Upgrade an `ldap://` connection with StartTLS (`true`/`false`).", boolean),
    Setting("LDAP_CA_FILE", "",
            "PEM file of the CA that signed the directory's certificate (empty: the system's CAs). "
            "The certificate is always checked."),
    Setting("LDAP_BASE_DN", "",
            "Where users (and, by default, groups) are searched, e.g. `dc=kraj-lbc,dc=cz`."),
    Setting("LDAP_USER_FILTER", "(&(objectClass=person)(mail={login}))",
            "Finds the user by the e-mail typed (`{login}`, escaped). Active Directory: "
            "`(&(objectClass=user)(userPrincipalName={login})"
            "(!(userAccountControl:1.2.840.113556.1.4.803:=2)))` "
            "(also refuses disabled accounts)."),
    Setting("LDAP_GROUP_FILTER", "(|(member={dn})(uniqueMember={dn}))",
            "Finds the groups of the user (`{dn}`: the user's DN, escaped)."),
    Setting("LDAP_GROUP_BASE_DN", "", "Where groups are searched (empty: `LDAP_BASE_DN`)."),
    Setting("LDAP_BIND_DN", "",
            "Service account that searches for users (empty: anonymous search). Users themselves are "
            "always checked by binding with their own password."),
    Setting("LDAP_BIND_PASSWORD", "", "Password of `LDAP_BIND_DN`.", secret=True),
    Setting("LDAP_TIMEOUT", "5",
            "Seconds to wait for the directory before telling the user it is unavailable.", positive_number),
    Setting("LDAP_GROUP_ROLES", "[]",
            "The mapping table of directory groups to roles and bodies, JSON: "
            "`[{\"group\": \"cn=plneni-osv,ou=groups,dc=kraj-lbc,dc=cz\", \"role\": \"contributor\", "
            "\"body\": \"OSV\"}, …]` (`body`: for a contributor or head their body, for a reviewer the "
            "scope). Roles and bodies of directory accounts are set from it at every sign-in.", group_roles),
    Setting("PUBLIC_PUBLISHER", "Liberecký kraj",
            "Publisher named on published reports and in their open-data metadata (`metadata.json`)."),
    Setting("PUBLIC_LICENCE", "https://creativecommons.org/licenses/by/4.0/",
            "Licence (URL) of published reports and their data, stated in the open-data metadata."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def read_settings(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Every setting of :data:`SETTINGS`, parsed: the variable if set and not empty, else its default.

    :param environ: the variables to read (default: ``os.environ``).
    :returns: setting name → typed value (``None`` for a computed default that was not set).
    :raises ConfigurationError: a value its parser refuses; the message names the variable, the
        value (unless it may hold a password) and what was expected.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = env.get(setting.name) or setting.default
        if raw is None:
            values[setting.name] = None
            continue
        try:
            values[setting.name] = setting.parse(raw)
        except ValueError as exc:
            shown = setting.name if setting.secret else f"{setting.name}={raw!r}"
            raise ConfigurationError(f"{shown} is not valid: {exc}.") from None
    return values


def _broker_options(broker: str, instance: Path, visibility_timeout: int) -> dict[str, Any]:
    """Transport options: Redis' visibility timeout (seconds), or the folders of the embedded broker
    (its queue and its exchange tables, ``control_folder``, which kombu would otherwise write to
    ``control/`` of the working directory)."""
    if broker.startswith(("redis://", "rediss://")):
        # A retry delay longer than the visibility timeout would duplicate tasks on Redis.
        return {"visibility_timeout": visibility_timeout}
    if broker.startswith("filesystem://"):
        queue = instance / "celery-broker"  # created by create_app()
        return {
            "data_folder_in": str(queue / "queue"),
            "data_folder_out": str(queue / "queue"),
            "processed_folder": str(queue / "processed"),
            "control_folder": str(queue / "control"),
            "store_processed": False,
        }
    return {}


def load_config(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from environment variables (parsed by :func:`read_settings`).

    :param environ: the variables to read (default: ``os.environ``).
    :returns: a dict of Flask/extension config keys.
    :raises ConfigurationError: a setting with a bad value; production mode with the development
        secret key or without HTTPS-only cookies.
    """
    v = read_settings(environ)
    mode = v["PLNENI_ENV"]
    instance = Path(v["INSTANCE_PATH"])
    if not instance.is_absolute():
        instance = (PROJECT_ROOT / instance).resolve()

    database_url = v["DATABASE_URL"] or f"sqlite:///{instance / 'plneni.sqlite3'}"
    redis_url = v["REDIS_URL"]
    broker = v["CELERY_BROKER_URL"] or redis_url or "filesystem://"
    secret = v["SECRET_KEY"]
    secure_cookie = v["SESSION_COOKIE_SECURE"]
    if secure_cookie is None:  # computed default: HTTPS-only in production
        secure_cookie = mode == "production"

    if mode == "production" and secret == DEV_SECRET_KEY:
        raise ConfigurationError("SECRET_KEY must be set in production (the development key is refused).")
    if mode == "production" and (weak := weak_secret_reason(secret)):
        raise ConfigurationError(f"SECRET_KEY is too weak for production: {weak}.")
    if mode == "production" and not secure_cookie:
        raise ConfigurationError(
            "SESSION_COOKIE_SECURE=false is refused in production: the session cookie must only travel "
            "over HTTPS (browsers accept it on http://localhost too)."
        )

    ldap_url = v["LDAP_URL"]
    if ldap_url and not ldap_url.lower().startswith("ldaps://") and not v["LDAP_START_TLS"]:
        raise ConfigurationError(
            "LDAP_URL: directory passwords never travel unencrypted; use ldaps:// or LDAP_START_TLS=true."
        )
    if ldap_url and not v["LDAP_BASE_DN"]:
        raise ConfigurationError("LDAP_BASE_DN must be set when LDAP_URL is.")

    engine_options: dict[str, Any] = {"pool_pre_ping": True}
    if database_url.startswith("sqlite"):
        engine_options = {"connect_args": {"timeout": 30}}
    megabyte = 1024 * 1024
    cache_seconds = v["PAGE_CACHE_SECONDS"]

    return {
        "PLNENI_ENV": mode,
        "TESTING": mode == "testing",
        "SECRET_KEY": secret,
        "INSTANCE_DIR": str(instance),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "REDIS_URL": redis_url,
        "CELERY": {
            "broker_url": broker,
            "task_ignore_result": True,
            "task_serializer": "json",
            "accept_content": ["json"],
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "timezone": v["TIMEZONE"],
            "broker_connection_retry_on_startup": True,
            "beat_schedule": {
                "outbox-sweep": {
                    "task": "notifications.sweep_outbox",
                    "schedule": v["OUTBOX_SWEEP_SECONDS"],
                },
                "audit-retention": {
                    "task": "workflow.purge_audit_log",
                    "schedule": crontab(minute=30, hour=3),
                },
                "reminder-sweep": {
                    "task": "notifications.send_reminders",
                    # Celery's ``timezone`` is TIMEZONE, so this is the hour there.
                    "schedule": crontab(minute=0, hour=v["REMINDER_HOUR"]),
                },
            },
            # A retry delay longer than Redis' visibility timeout would duplicate tasks there;
            # the SQLAlchemy transport passes its options to create_engine and takes none.
            "broker_transport_options": _broker_options(broker, instance, v["CELERY_VISIBILITY_TIMEOUT"]),
        },
        "BASE_URL": v["BASE_URL"].rstrip("/"),
        "AUDIT_RETENTION_DAYS": v["AUDIT_RETENTION_DAYS"],
        "LDAP_URL": v["LDAP_URL"],
        "LDAP_START_TLS": v["LDAP_START_TLS"],
        "LDAP_CA_FILE": v["LDAP_CA_FILE"],
        "LDAP_BASE_DN": v["LDAP_BASE_DN"],
        "LDAP_USER_FILTER": v["LDAP_USER_FILTER"],
        "LDAP_GROUP_FILTER": v["LDAP_GROUP_FILTER"],
        "LDAP_GROUP_BASE_DN": v["LDAP_GROUP_BASE_DN"],
        "LDAP_BIND_DN": v["LDAP_BIND_DN"],
        "LDAP_BIND_PASSWORD": v["LDAP_BIND_PASSWORD"],
        "LDAP_TIMEOUT": v["LDAP_TIMEOUT"],
        "LDAP_GROUP_ROLES": v["LDAP_GROUP_ROLES"],
        "PUBLIC_PUBLISHER": v["PUBLIC_PUBLISHER"],
        "PUBLIC_LICENCE": v["PUBLIC_LICENCE"],
        # Flask-Caching: frozen pages only (web.views.reports); shared by every web process.
        "PAGE_CACHE_SECONDS": cache_seconds,
        "CACHE_TYPE": "NullCache" if not cache_seconds else "RedisCache" if redis_url else "FileSystemCache",
        "CACHE_REDIS_URL": redis_url,
        "CACHE_DIR": str(instance / "cache"),
        "CACHE_KEY_PREFIX": "plneni:",
        "CACHE_DEFAULT_TIMEOUT": cache_seconds,
        "REMINDER_HOUR": v["REMINDER_HOUR"],
        "OUTBOX_RETRY_SECONDS": v["OUTBOX_RETRY_SECONDS"],
        "TIMEZONE": v["TIMEZONE"],
        "BABEL_DEFAULT_LOCALE": v["DEFAULT_LOCALE"],
        "BABEL_DEFAULT_TIMEZONE": v["TIMEZONE"],
        "MAIL_BACKEND": v["MAIL_BACKEND"],
        "MAIL_OUTBOX_DIR": v["MAIL_OUTBOX_DIR"] or str(instance / "outbox"),
        "MAIL_SERVER": v["MAIL_SERVER"],
        "MAIL_PORT": v["MAIL_PORT"],
        "MAIL_USE_TLS": v["MAIL_USE_TLS"],
        "MAIL_USERNAME": v["MAIL_USERNAME"],
        "MAIL_PASSWORD": v["MAIL_PASSWORD"],
        "MAIL_DEFAULT_SENDER": v["MAIL_DEFAULT_SENDER"],
        "MAX_IMPORT_BYTES": int(v["MAX_IMPORT_MB"] * megabyte),
        "IMPORT_MAX_UNCOMPRESSED_BYTES": int(v["IMPORT_MAX_UNCOMPRESSED_MB"] * megabyte),
        "IMPORT_MAX_ROWS": v["IMPORT_MAX_ROWS"],
        "OFFLINE_MAX_ROWS": v["OFFLINE_MAX_ROWS"],
        "MAX_ATTACHMENT_BYTES": int(v["MAX_ATTACHMENT_MB"] * megabyte),
        # Uploads above this are cut off by Werkzeug before any view runs (import limit + headroom).
        "MAX_CONTENT_LENGTH": int(v["MAX_IMPORT_MB"] * megabyte) + megabyte,
        "IDLE_TIMEOUT_HOURS": v["IDLE_TIMEOUT_HOURS"],
        "INVITATION_LINK_HOURS": v["INVITATION_LINK_HOURS"],
        "PASSWORD_RESET_LINK_MINUTES": v["PASSWORD_RESET_LINK_MINUTES"],
        "LOGIN_LIMIT_PER_ACCOUNT": v["LOGIN_LIMIT_PER_ACCOUNT"],
        "LOGIN_LIMIT_PER_IP": v["LOGIN_LIMIT_PER_IP"],
        "RATELIMIT_STORAGE_URI": v["RATELIMIT_STORAGE_URI"] or redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,
        # Redis down: count in this process' memory meanwhile (throttling stays, per process) and
        # never turn a storage error into a failed sign-in (docs/reliability.md).
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # CSRF is checked by web.views.auth's gate for every unsafe request except bearer-token API
        # calls, instead of Flask-WTF's own hook (which cannot tell those apart).
        "WTF_CSRF_CHECK_DEFAULT": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookie,
        "REMEMBER_COOKIE_SECURE": secure_cookie,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # „Zapamatovat si mě“ lasts 30 days (not Flask-Login's 365); sign-out ends it at once.
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "WTF_CSRF_TIME_LIMIT": None,
    }
