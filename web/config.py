"""Configuration from environment variables, each with a documented default.

Every setting the product reads is declared once in :data:`SETTINGS`; the README's configuration
table is checked against this list by the test suite, so the two cannot drift apart.

The defaults form the *embedded* mode: no external server is needed. The database is SQLite under
``instance/``, the Celery broker is kombu's filesystem transport in ``instance/celery-broker``, and e-mails
are written as ``.eml`` files to ``instance/outbox``. Production sets ``PLNENI_ENV=production`` with
PostgreSQL (``DATABASE_URL``) and Redis (``REDIS_URL``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from celery.schedules import crontab

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "dev-secret-key-not-for-production"  # noqa: S105 - refused in production


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name, its default (``None``: computed) and what it does."""

    name: str
    default: str | None
    doc: str


SETTINGS: tuple[Setting, ...] = (
    Setting("PLNENI_ENV", "development", "`development`, `production` or `testing`."),
    Setting("SECRET_KEY", DEV_SECRET_KEY, "Signs sessions and links. Production refuses the default."),
    Setting("INSTANCE_PATH", "./instance", "Folder for the SQLite files, the e-mail outbox and uploads."),
    Setting("DATABASE_URL", None,
            "SQLAlchemy URL. Default: SQLite file `plneni.sqlite3` in the instance folder. "
            "Production: `postgresql+psycopg://user@host/db`."),
    Setting("REDIS_URL", "",
            "Redis URL, e.g. `redis://127.0.0.1:6379/0`. When set, it is the Celery broker."),
    Setting("CELERY_BROKER_URL", None,
            "Explicit Celery broker. Default: `REDIS_URL` if set, else kombu's filesystem transport in "
            "`celery-broker/` of the instance folder (no server)."),
    Setting("BASE_URL", "http://127.0.0.1:5000", "Public address of the product, used in e-mail links."),
    Setting("TIMEZONE", "Europe/Prague", "Time zone for deadlines and for dates shown to users."),
    Setting("DEFAULT_LOCALE", "cs", "Language of the UI for anonymous users (`cs` or `en`)."),
    Setting("MAIL_BACKEND", "outbox", "`outbox` writes `.eml` files to `MAIL_OUTBOX_DIR`; `smtp` sends."),
    Setting("MAIL_OUTBOX_DIR", None, "Where `outbox` e-mails go. Default: `outbox` in the instance folder."),
    Setting("MAIL_SERVER", "localhost", "SMTP host."),
    Setting("MAIL_PORT", "25", "SMTP port."),
    Setting("MAIL_USE_TLS", "false", "STARTTLS on the SMTP connection (`true`/`false`)."),
    Setting("MAIL_USERNAME", "", "SMTP user (empty: no authentication)."),
    Setting("MAIL_PASSWORD", "", "SMTP password."),
    Setting("MAIL_DEFAULT_SENDER", "plneni@kraj-lbc.invalid", "The From address of every e-mail."),
    Setting("OUTBOX_SWEEP_SECONDS", "120",
            "How often beat re-dispatches pending e-mails of the outbox (lost dispatches, broker outages)."),
    Setting("OUTBOX_RETRY_SECONDS", "30,60,120,300,600,1800,3600,7200",
            "Waits (seconds, comma-separated) before each new attempt at an e-mail the SMTP server did not "
            "take; after one more failure than there are waits the e-mail is marked failed."),
    Setting("CELERY_VISIBILITY_TIMEOUT", "172800",
            "Redis broker: seconds after which a task taken by a worker that died without acknowledging it "
            "is handed out again (at-least-once). Must exceed the longest retry wait."),
    Setting("REMINDER_HOUR", "8",
            "Hour (0–23, `TIMEZONE`) at which beat runs the daily reminder sweep; approved-entry "
            "digests go out then too."),
    Setting("MAX_IMPORT_MB", "10", "Largest plan file accepted by the import, in MB."),
    Setting("IMPORT_MAX_UNCOMPRESSED_MB", "50",
            "Largest total size of an imported XLSX once unpacked, in MB (checked before the "
            "workbook is opened; protects against ZIP bombs)."),
    Setting("IMPORT_MAX_ROWS", "10000", "Most non-empty rows an imported table (XLSX, CSV) may have."),
    Setting("MAX_ATTACHMENT_MB", "20", "Largest evidence attachment accepted, in MB."),
    Setting("IDLE_TIMEOUT_HOURS", "8", "A signed-in session idle longer than this is signed out (hours)."),
    Setting("INVITATION_LINK_HOURS", "168", "How long an invitation link stays valid (hours; single use)."),
    Setting("PASSWORD_RESET_LINK_MINUTES", "60",
            "How long a password-reset link stays valid (minutes; single use)."),
    Setting("LOGIN_LIMIT_PER_ACCOUNT", "5 per minute;20 per hour",
            "Failed sign-ins allowed per e-mail address before further attempts are refused for a while "
            "(Flask-Limiter notation; the first limit slows, the second locks)."),
    Setting("LOGIN_LIMIT_PER_IP", "20 per minute;100 per hour",
            "Failed sign-ins allowed per client IP address."),
    Setting("RATELIMIT_STORAGE_URI", None,
            "Where the throttling counters live. "
            "Default: `REDIS_URL` if set, else `memory://` (one process)."),
    Setting("SESSION_COOKIE_SECURE", None,
            "Send the session cookie over HTTPS only. Default: `true` in production, else `false`. "
            "Production refuses `false`."),
    Setting("PAGE_CACHE_SECONDS", "86400",
            "How long the rendered report of a closed round (its frozen snapshot) stays cached, in "
            "seconds; `0` turns the cache off. In Redis when `REDIS_URL` is set, else in "
            "`INSTANCE_PATH/cache`."),
    Setting("AUDIT_RETENTION_DAYS", "1825",
            "Days the account audit log is kept; older rows are purged daily by beat "
            "(`flask purge-audit` by hand). `0` keeps it forever."),
)

_SETTING_NAMES = {s.name for s in SETTINGS}


def _env(name: str, environ: dict[str, str]) -> str | None:
    assert name in _SETTING_NAMES, f"undeclared setting {name}"
    value = environ.get(name)
    if value is None or value == "":
        return next(s.default for s in SETTINGS if s.name == name)
    return value


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _broker_options(broker: str, instance: Path, visibility_timeout: int = 2 * 86400) -> dict[str, Any]:
    """Transport options: Redis' visibility timeout (seconds), or the folders of the embedded broker."""
    if broker.startswith(("redis://", "rediss://")):
        # A retry delay longer than the visibility timeout would duplicate tasks on Redis.
        return {"visibility_timeout": visibility_timeout}
    if broker.startswith("filesystem://"):
        queue = instance / "celery-broker"  # created by create_app()
        return {
            "data_folder_in": str(queue / "queue"),
            "data_folder_out": str(queue / "queue"),
            "processed_folder": str(queue / "processed"),
            "store_processed": False,
        }
    return {}


def _seconds_list(value: str) -> tuple[int, ...]:
    """``"30,60,120"`` → ``(30, 60, 120)``. :raises ValueError: not a list of positive integers."""
    seconds = tuple(int(part) for part in value.split(",") if part.strip())
    if not seconds or min(seconds) < 1:
        raise ValueError(f"expected positive whole seconds separated by commas, got {value!r}")
    return seconds


class ConfigurationError(RuntimeError):
    """Raised when the configuration is unsafe or inconsistent (e.g. production with the dev key)."""


def load_config(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from environment variables.

    :param environ: the variables to read (default: ``os.environ``).
    :returns: a dict of Flask/extension config keys.
    :raises ConfigurationError: production mode with the development secret key or without
        HTTPS-only cookies; a negative ``AUDIT_RETENTION_DAYS``.
    """
    env = dict(os.environ if environ is None else environ)
    mode = _env("PLNENI_ENV", env) or "development"
    instance = Path(_env("INSTANCE_PATH", env) or "instance")
    if not instance.is_absolute():
        instance = (PROJECT_ROOT / instance).resolve()

    database_url = _env("DATABASE_URL", env) or f"sqlite:///{instance / 'plneni.sqlite3'}"
    redis_url = _env("REDIS_URL", env) or ""
    broker = _env("CELERY_BROKER_URL", env) or redis_url or "filesystem://"
    secret = _env("SECRET_KEY", env) or DEV_SECRET_KEY
    secure_default = "true" if mode == "production" else "false"
    secure_cookie = _bool(_env("SESSION_COOKIE_SECURE", env) or secure_default)

    if mode == "production" and secret == DEV_SECRET_KEY:
        raise ConfigurationError("SECRET_KEY must be set in production (the development key is refused).")
    if mode == "production" and not secure_cookie:
        raise ConfigurationError(
            "SESSION_COOKIE_SECURE=false is refused in production: the session cookie must only travel "
            "over HTTPS (browsers accept it on http://localhost too)."
        )
    retention_days = int(_env("AUDIT_RETENTION_DAYS", env) or 0)
    if retention_days < 0:
        raise ConfigurationError("AUDIT_RETENTION_DAYS must be 0 (keep forever) or a positive number.")

    engine_options: dict[str, Any] = {"pool_pre_ping": True}
    if database_url.startswith("sqlite"):
        engine_options = {"connect_args": {"timeout": 30}}

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
            "timezone": _env("TIMEZONE", env),
            "broker_connection_retry_on_startup": True,
            "beat_schedule": {
                "outbox-sweep": {
                    "task": "notifications.sweep_outbox",
                    "schedule": float(_env("OUTBOX_SWEEP_SECONDS", env) or 120),
                },
                "audit-retention": {
                    "task": "workflow.purge_audit_log",
                    "schedule": crontab(minute=30, hour=3),
                },
                "reminder-sweep": {
                    "task": "notifications.send_reminders",
                    # Celery's ``timezone`` is TIMEZONE (Europe/Prague), so this is Prague time.
                    "schedule": crontab(minute=0, hour=int(_env("REMINDER_HOUR", env) or 8)),
                },
            },
            # A retry delay longer than Redis' visibility timeout would duplicate tasks there;
            # the SQLAlchemy transport passes its options to create_engine and takes none.
            "broker_transport_options": _broker_options(
                broker, instance, int(_env("CELERY_VISIBILITY_TIMEOUT", env) or 172800)
            ),
        },
        "BASE_URL": (_env("BASE_URL", env) or "").rstrip("/"),
        "AUDIT_RETENTION_DAYS": retention_days,
        # Flask-Caching: frozen pages only (web.views.reports); shared by every web process.
        "PAGE_CACHE_SECONDS": int(_env("PAGE_CACHE_SECONDS", env) or 0),
        "CACHE_TYPE": (
            "NullCache"
            if not int(_env("PAGE_CACHE_SECONDS", env) or 0)
            else "RedisCache"
            if redis_url
            else "FileSystemCache"
        ),
        "CACHE_REDIS_URL": redis_url,
        "CACHE_DIR": str(instance / "cache"),
        "CACHE_KEY_PREFIX": "plneni:",
        "CACHE_DEFAULT_TIMEOUT": int(_env("PAGE_CACHE_SECONDS", env) or 0),
        "REMINDER_HOUR": int(_env("REMINDER_HOUR", env) or 8),
        "OUTBOX_RETRY_SECONDS": _seconds_list(_env("OUTBOX_RETRY_SECONDS", env) or "30"),
        "TIMEZONE": _env("TIMEZONE", env),
        "BABEL_DEFAULT_LOCALE": _env("DEFAULT_LOCALE", env),
        "BABEL_DEFAULT_TIMEZONE": _env("TIMEZONE", env),
        "MAIL_BACKEND": _env("MAIL_BACKEND", env),
        "MAIL_OUTBOX_DIR": _env("MAIL_OUTBOX_DIR", env) or str(instance / "outbox"),
        "MAIL_SERVER": _env("MAIL_SERVER", env),
        "MAIL_PORT": int(_env("MAIL_PORT", env) or 25),
        "MAIL_USE_TLS": _bool(_env("MAIL_USE_TLS", env)),
        "MAIL_USERNAME": _env("MAIL_USERNAME", env),
        "MAIL_PASSWORD": _env("MAIL_PASSWORD", env),
        "MAIL_DEFAULT_SENDER": _env("MAIL_DEFAULT_SENDER", env),
        "MAX_IMPORT_BYTES": int(float(_env("MAX_IMPORT_MB", env) or 10) * 1024 * 1024),
        "IMPORT_MAX_UNCOMPRESSED_BYTES": int(
            float(_env("IMPORT_MAX_UNCOMPRESSED_MB", env) or 50) * 1024 * 1024
        ),
        "IMPORT_MAX_ROWS": int(_env("IMPORT_MAX_ROWS", env) or 10000),
        "MAX_ATTACHMENT_BYTES": int(float(_env("MAX_ATTACHMENT_MB", env) or 20) * 1024 * 1024),
        # Uploads above this are cut off by Werkzeug before any view runs (import limit + headroom).
        "MAX_CONTENT_LENGTH": int(float(_env("MAX_IMPORT_MB", env) or 10) * 1024 * 1024) + 1024 * 1024,
        "IDLE_TIMEOUT_HOURS": float(_env("IDLE_TIMEOUT_HOURS", env) or 8),
        "INVITATION_LINK_HOURS": int(_env("INVITATION_LINK_HOURS", env) or 168),
        "PASSWORD_RESET_LINK_MINUTES": int(_env("PASSWORD_RESET_LINK_MINUTES", env) or 60),
        "LOGIN_LIMIT_PER_ACCOUNT": _env("LOGIN_LIMIT_PER_ACCOUNT", env),
        "LOGIN_LIMIT_PER_IP": _env("LOGIN_LIMIT_PER_IP", env),
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI", env) or redis_url or "memory://",
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
        "JSON_SORT_KEYS": False,
    }
