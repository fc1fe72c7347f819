"""Flask CLI commands: ``flask --app wsgi <command>``."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import func, select

from web.extensions import db
from workflow.models import RoleAssignment, User
from workflow.passwords import MIN_PASSWORD_LENGTH, hash_password
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
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.UsageError(f"Heslo musí mít alespoň {MIN_PASSWORD_LENGTH} znaků.")
    user = _user_by_email(email)
    if user is None:
        user = User(email=email.strip().lower(), name=name or email)
        db.session.add(user)
    user.password_hash = hash_password(password)
    user.active = True
    if Role.admin not in user.roles:
        user.role_assignments.append(RoleAssignment(role=Role.admin))
    db.session.commit()
    click.echo(f"Správce {user.email} je připraven.")


@click.command("api-token")
@click.argument("email")
@click.option("--name", default="CLI", help="A label for the token.")
def api_token(email: str, name: str) -> None:
    """Create an API token for the user EMAIL and print it (shown only once)."""
    user = _user_by_email(email)
    if user is None:
        raise click.UsageError(f"Uživatel {email} neexistuje.")
    _, secret = create_api_token(user, name)
    db.session.commit()
    click.echo(secret)


def register_cli(app: Flask) -> None:
    """Add the product's commands to ``app.cli``."""
    for command in (create_admin, api_token):
        app.cli.add_command(command)
    from web import cli_data

    cli_data.register(app)
