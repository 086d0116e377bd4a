"""Story writers: which process writes a running story, and how often it was resumed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

- ``story_worker``: a process with a story runner, and its last heartbeat.
- ``story.writer_id``: the worker writing a running story (NULL otherwise).
- ``story.resumes``: times the story went on by itself after its writer stopped.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "story_worker",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("hostname", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_worker")),
    )
    op.create_index(op.f("ix_story_worker_beat_at"), "story_worker", ["beat_at"])
    # Plain ALTER TABLE, not batch mode: recreating the story table on SQLite
    # would drop its search triggers (as in 0003).
    op.add_column("story", sa.Column("writer_id", sa.String(length=80), nullable=True))
    op.add_column("story", sa.Column("resumes", sa.Integer(), nullable=False, server_default="0"))
    op.create_index(op.f("ix_story_writer_id"), "story", ["writer_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_story_writer_id"), table_name="story")
    op.drop_column("story", "resumes")
    op.drop_column("story", "writer_id")
    op.drop_index(op.f("ix_story_worker_beat_at"), table_name="story_worker")
    op.drop_table("story_worker")
