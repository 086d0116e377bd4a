"""Reader profiles, stories, their pieces, and the story search index.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

from storybot.database import SQLITE_STORY_SEARCH_TRIGGERS

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STATUSES = ("queued", "running", "done", "failed", "cancelled", "interrupted")


def _timestamps(*names: str, nullable: bool = False) -> list[sa.Column]:
    return [sa.Column(n, sa.DateTime(timezone=True), nullable=nullable) for n in names]


def upgrade() -> None:
    op.create_table(
        "profile",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("reading_level", sa.String(length=20), nullable=False),
        sa.Column("interests", sa.JSON(), nullable=False),
        sa.Column("favourite_things", sa.JSON(), nullable=False),
        sa.Column("things_to_avoid", sa.JSON(), nullable=False),
        sa.Column("avatar", sa.String(length=16), nullable=False),
        *_timestamps("created_at", "updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile")),
        sa.UniqueConstraint("uuid", name=op.f("uq_profile_uuid")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "story",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=True),
        sa.Column("prompt_id", sa.Integer(), nullable=True),
        sa.Column("reader_name", sa.String(length=60), nullable=False),
        sa.Column("status", sa.Enum(*STATUSES, name="story_status"), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("engine", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("favourite", sa.Boolean(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("failure_code", sa.String(length=32), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("trace_id", sa.String(length=64), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), nullable=True),
        sa.Column("completion_tokens", sa.Integer(), nullable=True),
        *_timestamps("queued_at"),
        *_timestamps("started_at", "first_text_at", "finished_at", nullable=True),
        *_timestamps("created_at", "updated_at"),
        sa.ForeignKeyConstraint(
            ["profile_id"],
            ["profile.id"],
            name=op.f("fk_story_profile_id_profile"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["prompt_id"],
            ["prompt.id"],
            name=op.f("fk_story_prompt_id_prompt"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story")),
        sa.UniqueConstraint("uuid", name=op.f("uq_story_uuid")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("story") as batch_op:
        for column in ("created_at", "favourite", "profile_id", "prompt_id", "status"):
            batch_op.create_index(batch_op.f(f"ix_story_{column}"), [column], unique=False)

    op.create_table(
        "story_piece",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        *_timestamps("created_at"),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["story.id"],
            name=op.f("fk_story_piece_story_id_story"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("story_id", "seq", name=op.f("pk_story_piece")),
    )
    _create_search_index()


def _create_search_index() -> None:
    """Full-text search over stories that finds Japanese words (no spaces to split on).

    SQLite: an FTS5 table with the trigram tokenizer, kept in step by triggers.
    PostgreSQL: pg_trgm GIN indexes, which serve ILIKE '%word%'.
    """
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_story_title_trgm ON story USING gin (title gin_trgm_ops)")
        op.execute("CREATE INDEX ix_story_text_trgm ON story USING gin (text gin_trgm_ops)")
        return
    op.execute(
        "CREATE VIRTUAL TABLE story_search USING fts5("
        "title, text, content='story', content_rowid='id', tokenize='trigram')"
    )
    for statement in SQLITE_STORY_SEARCH_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_story_text_trgm")
        op.execute("DROP INDEX IF EXISTS ix_story_title_trgm")
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS story_search_{trigger}")
        op.execute("DROP TABLE IF EXISTS story_search")
    op.drop_table("story_piece")
    with op.batch_alter_table("story") as batch_op:
        for column in ("status", "prompt_id", "profile_id", "favourite", "created_at"):
            batch_op.drop_index(batch_op.f(f"ix_story_{column}"))
    op.drop_table("story")
    op.drop_table("profile")
    sa.Enum(name="story_status").drop(op.get_bind(), checkfirst=True)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP EXTENSION IF EXISTS pg_trgm")
