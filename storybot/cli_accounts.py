"""``storybot users`` and ``storybot tokens``: accounts and API tokens from a terminal."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from flask_migrate import upgrade
from pydantic import TypeAdapter, ValidationError

from storybot.database import write_intent
from storybot.errors import ApiError
from storybot.models import Role, User
from storybot.schemas.accounts import Email, Password


def _valid(adapter: TypeAdapter[str], value: str, what: str) -> str:
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        message = exc.errors(include_url=False)[0]["msg"]
        raise click.ClickException(f"That {what} is not accepted: {message}.") from exc


def _password(from_stdin: bool) -> str:
    if from_stdin:
        # The first line, as `printf '%s\n' "$PASSWORD" | storybot ...` sends it.
        return sys.stdin.readline().rstrip("\r\n")
    value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


def find_account(email: str) -> User:
    """The account with this email, or a command-line error that says how to make one."""
    from storybot.extensions import db
    from storybot.services.account_service import normal_email

    user = db.session.query(User).filter(User.email == normal_email(email)).one_or_none()
    if user is None:
        raise click.ClickException(
            f"There is no account {email!r}; create one with `storybot users create-admin`."
        )
    return user


account_option = click.option(
    "--account", help="The account whose data it is, by email (default: the first admin)."
)


def account_id(email: str | None) -> int:
    """The id of the account a command acts for: the one named, else the first admin."""
    from sqlalchemy import select

    from storybot.extensions import db

    if email:
        return find_account(email).id
    first = db.session.scalar(select(User.id).where(User.role == Role.ADMIN).order_by(User.id))
    if first is None:
        raise click.ClickException(
            "Storybot has no account yet: create the first with "
            "`storybot users create-admin EMAIL`, or open the web UI."
        )
    return first


@click.group()
def users() -> None:
    """Create and list accounts."""


@users.command("create-admin")
@click.argument("email")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input, not a prompt."
)
@with_appcontext
def create_admin(email: str, password_stdin: bool) -> None:
    """Create an admin account EMAIL (the first one, or another)."""
    from storybot.services import account_service

    email = _valid(TypeAdapter(Email), email, "email")
    password = _valid(TypeAdapter(Password), _password(password_stdin), "password")
    upgrade()
    try:
        with write_intent():
            if account_service.setup_needed():
                user = account_service.create_first_admin(email, password)
            else:
                user = account_service.create_user(email, password, Role.ADMIN)
    except ApiError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Created the admin {user.email}.")


@users.command("list")
@with_appcontext
def list_users() -> None:
    """Every account with its role."""
    from storybot.services import account_service

    for user in account_service.list_users():
        state = " (disabled)" if user.disabled else ""
        click.echo(f"{user.id}\t{user.email}\t{user.role.value}{state}")


@click.group()
def tokens() -> None:
    """API tokens for scripts."""


@tokens.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the token is for, e.g. 'backup script'.")
@with_appcontext
def create_token(email: str, name: str) -> None:
    """Make an API token for the account EMAIL; the token is the last line printed."""
    from storybot.services import token_service

    user = find_account(email)
    with write_intent():
        made = token_service.create_token(user.id, name.strip()[:100] or "token")
    click.echo(f"Token {made.row.prefix}... for {user.email}; it is shown this once:", err=True)
    click.echo(made.token)
