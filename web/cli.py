"""Flask CLI commands: ``flask --app wsgi <command>``.

Each command is one unit of work (:func:`workflow.db.unit_of_work`): it commits once when it
succeeds and writes nothing when it fails.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from web.extensions import db
from workflow.accounts import WeakPassword, import_users_csv, set_password
from workflow.db import unit_of_work
from workflow.models import RoleAssignment, User
from workflow.states import Role
from workflow.tokens import create_api_token


def _user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


@click.command("create-admin")
@click.argument("email")
@click.option("--name", default="", help="Full name shown in the UI.")
@click.password_option(help="Password (asked interactively when omitted).")
def create_admin(email: str, name: str, password: str) -> None:
    """Create (or promote) an administrator with EMAIL and a password."""
    try:
        with unit_of_work():
            user = _user_by_email(email)
            if user is None:
                user = User(email=email.strip().lower(), name=name or email)
                db.session.add(user)
                db.session.flush()
            set_password(user, password, actor=None)
            user.active = True
            if Role.admin not in user.roles:
                user.role_assignments.append(RoleAssignment(role=Role.admin))
    except WeakPassword as exc:
        raise click.UsageError(str(exc.message)) from exc
    click.echo(f"Správce {user.email} je připraven.")


@click.command("api-token")
@click.argument("email")
@click.option("--name", default="CLI", help="A label for the token.")
@click.option("--write", is_flag=True, help="Allow writing through the API too (default: read only).")
def api_token(email: str, name: str, write: bool) -> None:
    """Create an API token for the user EMAIL and print it (shown only once); read-only unless --write."""
    with unit_of_work():
        user = _user_by_email(email)
        if user is None:
            raise click.UsageError(f"Uživatel {email} neexistuje.")
        _, secret = create_api_token(user, name, scope="write" if write else "read")
    click.echo(secret)


@click.command("import-users")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--invite", is_flag=True, help="E-mail each new user an invitation link.")
def import_users(file: Path, invite: bool) -> None:
    """Create users from a CSV FILE: jméno/name, e-mail, subjekty/bodies, role/roles.

    Bodies and roles within a cell are separated by ";" or ",". All or nothing: on any row error
    nothing is created and every error is listed (exit code 1).
    """
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1250")  # Excel's "CSV" on Czech Windows
    with unit_of_work():
        result = import_users_csv(text)
        if result.errors:
            for error in result.errors:
                click.echo(error, err=True)
            raise click.ClickException(
                "Import neproběhl, žádný uživatel nebyl založen. Opravte soubor a spusťte jej znovu."
            )
        if invite:
            from notifications import send_invitation

            for user in result.created:  # queued in the outbox; the worker sends them (and retries)
                send_invitation(user, actor=None)
    click.echo(f"Založeno uživatelů: {len(result.created)}.")
    if invite:
        click.echo(f"Pozvánek zařazeno k odeslání: {len(result.created)}.")


@click.command("purge-audit")
@click.option("--days", type=int, default=None, help="Retention in days (default AUDIT_RETENTION_DAYS).")
def purge_audit(days: int | None) -> None:
    """Delete account audit events older than the retention (AUDIT_RETENTION_DAYS; 0 keeps all)."""
    from workflow.audit import purge_expired

    days = current_app.config["AUDIT_RETENTION_DAYS"] if days is None else days
    with unit_of_work():
        deleted = purge_expired(days)
    click.echo(f"Smazáno {deleted} záznamů auditního logu starších než {days} dní." if days > 0
               else "Uchovávání auditního logu je neomezené (0): nic se nemaže.")


def register_cli(app: Flask) -> None:
    """Add the product's commands to ``app.cli``."""
    for command in (create_admin, api_token, import_users, purge_audit):
        app.cli.add_command(command)
    from web import cli_data

    cli_data.register(app)
