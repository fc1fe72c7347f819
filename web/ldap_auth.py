"""The sign-in view's one call for checking credentials: the office directory when ``LDAP_URL``
is set (:mod:`workflow.directory`), else the local password. Kept apart from ``web.views.auth``
so that the sign-in view needs one line to use it."""

from __future__ import annotations

from flask import current_app

from workflow.directory import DirectoryConfig, GroupRole, check_credentials
from workflow.models import User
from workflow.states import Role


def directory_config() -> DirectoryConfig | None:
    """The directory settings of this app (``LDAP_*``), or ``None`` when no directory is set."""
    config = current_app.config
    if not config.get("LDAP_URL"):
        return None
    return DirectoryConfig(
        url=config["LDAP_URL"],
        base_dn=config["LDAP_BASE_DN"],
        user_filter=config["LDAP_USER_FILTER"],
        group_filter=config["LDAP_GROUP_FILTER"],
        group_base_dn=config["LDAP_GROUP_BASE_DN"],
        bind_dn=config["LDAP_BIND_DN"],
        bind_password=config["LDAP_BIND_PASSWORD"],
        start_tls=bool(config["LDAP_START_TLS"]),
        ca_file=config["LDAP_CA_FILE"],
        timeout=float(config["LDAP_TIMEOUT"]),
        group_roles=tuple(
            GroupRole(group=row["group"], role=Role(row["role"]), body=row.get("body") or None)
            for row in config["LDAP_GROUP_ROLES"]
        ),
    )


def credentials(email: str, password: str, ip: str = "") -> tuple[User | None, bool]:
    """``(user, password_ok)`` for the sign-in form (:func:`workflow.directory.check_credentials`).

    :raises workflow.directory.DirectoryUnavailable: the directory is down.
    :raises workflow.directory.DirectoryRefused: authenticated, but in no mapped group.
    """
    return check_credentials(directory_config(), email, password, ip=ip)
