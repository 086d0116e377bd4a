"""Stories that stopped before their ending; reading levels; furigana for readers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

- ``story.status`` gains ``incomplete``: the story stopped at its length limit
  before its ending (it used to be ``done`` with ``failure_code "length"``).
- ``story.failure_params``: the values a failure's message is worded with, so
  that the web UI can word it in the reader's language from its code.
- ``story.reading_grade``: the measured reading level of the text, as a school grade.
- ``profile.furigana`` and ``profile.kanji_grade``: how kanji are shown to a
  Japanese reader (as written, ruby over all or over kanji beyond a grade, or
  hiragana only).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # A value added to an enum type cannot be used in the transaction that adds it.
        with op.get_context().autocommit_block():
            op.execute("ALTER TYPE story_status ADD VALUE IF NOT EXISTS 'incomplete'")
    # Plain ALTER TABLE, not batch mode: recreating the story table on SQLite
    # would drop the search index's triggers.
    op.add_column("story", sa.Column("reading_grade", sa.Float(), nullable=True))
    op.add_column("story", sa.Column("failure_params", sa.JSON(), nullable=True))
    op.add_column(
        "profile",
        sa.Column("furigana", sa.String(length=16), nullable=False, server_default="none"),
    )
    op.add_column("profile", sa.Column("kanji_grade", sa.Integer(), nullable=True))
    # Stories cut at the limit under the old rule were "done" with a "length" code.
    op.execute(
        "UPDATE story SET status = 'incomplete', failure_code = NULL, failure_reason = NULL "
        "WHERE status = 'done' AND failure_code = 'length'"
    )


def downgrade() -> None:
    # PostgreSQL cannot drop a value from an enum type; the value stays unused.
    op.execute(
        "UPDATE story SET status = 'done', failure_code = 'length' WHERE status = 'incomplete'"
    )
    op.drop_column("profile", "kanji_grade")
    op.drop_column("profile", "furigana")
    op.drop_column("story", "failure_params")
    op.drop_column("story", "reading_grade")
