"""Accounts: users, API tokens, daily token use; prompts, readers and stories get an owner.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

- ``user``: email, argon2id password hash, role, disabled, session epoch, daily quota,
  the account's own story defaults.
- ``api_token``: a token's SHA-256, its name and prefix, when it was made and last used.
- ``token_usage``: the tokens an account's stories used per UTC day.
- ``prompt.owner_id``, ``profile.owner_id``, ``story.owner_id``: the account the row
  belongs to. Rows from before accounts keep NULL until the first admin is created,
  who then takes them (``account_service.create_first_admin``).
- A prompt's UUID is unique within its account instead of across all of them.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

from storybot.database import SQLITE_STORY_SEARCH_TRIGGERS

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OWNED = ("prompt", "profile", "story")


def upgrade() -> None:
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.Enum("admin", "member", name="user_role"), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("daily_token_quota", sa.Integer(), nullable=True),
        sa.Column("defaults", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("email", name=op.f("uq_user_email")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_api_token_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_api_token_user_id"), "api_token", ["user_id"])
    op.create_table(
        "token_usage",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_token_usage_user_id_user"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "day", name=op.f("pk_token_usage")),
    )

    for table in OWNED:
        # Batch mode: SQLite rebuilds the table to add a named reference (PostgreSQL
        # alters it in place); the story table's search triggers go with the old one.
        with _rebuilt(table) as batch:
            batch.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(
                batch.f(f"fk_{table}_owner_id_user"),
                "user",
                ["owner_id"],
                ["id"],
                ondelete="CASCADE",
            )
            batch.create_index(batch.f(f"ix_{table}_owner_id"), ["owner_id"])
            if table == "prompt":
                batch.drop_constraint("uq_prompt_uuid", type_="unique")
                batch.create_unique_constraint(batch.f("uq_prompt_owner_id"), ["owner_id", "uuid"])
    _restore_search_triggers()


@contextmanager
def _rebuilt(table: str) -> Iterator[BatchOperations]:
    """Batch operations on ``table`` that keep its ids never reused on SQLite: the rebuilt
    table is AUTOINCREMENT again and continues the old table's sequence."""
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    last = None
    if sqlite:
        last = bind.execute(
            sa.text("SELECT seq FROM sqlite_sequence WHERE name = :t"), {"t": table}
        ).scalar()
    with op.batch_alter_table(table, table_kwargs={"sqlite_autoincrement": True}) as batch:
        yield batch
    if last is not None:  # the old table's sequence is never behind its rows' ids
        op.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :t").bindparams(t=table))
        op.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:t, :last)").bindparams(
                t=table, last=last
            )
        )


def _restore_search_triggers() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_STORY_SEARCH_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table("prompt") as batch:
        batch.drop_constraint("uq_prompt_owner_id", type_="unique")
    # Two accounts may hold the same prompt UUID; the older schema allows one.
    op.execute("DELETE FROM prompt WHERE id NOT IN (SELECT min(id) FROM prompt GROUP BY uuid)")
    with op.batch_alter_table("prompt") as batch:
        batch.create_unique_constraint(batch.f("uq_prompt_uuid"), ["uuid"])

    for table in OWNED:
        with _rebuilt(table) as batch:
            batch.drop_index(batch.f(f"ix_{table}_owner_id"))
            batch.drop_constraint(batch.f(f"fk_{table}_owner_id_user"), type_="foreignkey")
            batch.drop_column("owner_id")
    _restore_search_triggers()
    op.drop_table("token_usage")
    op.drop_index(op.f("ix_api_token_user_id"), table_name="api_token")
    op.drop_table("api_token")
    op.drop_table("user")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TYPE IF EXISTS user_role")
