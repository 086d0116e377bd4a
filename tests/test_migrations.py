"""Migrations upgrade an empty database to the models and downgrade it back to empty."""

from __future__ import annotations

from pathlib import Path

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from storybot import create_app
from storybot.database import is_modelled, write_intent
from storybot.extensions import db
from tests.support import make_settings


def test_upgrade_from_empty_matches_models_and_downgrade_leaves_nothing(
    tmp_path: Path, database_url: str
) -> None:
    app = create_app(make_settings(tmp_path, database_url))
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables

        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_object": is_modelled, "compare_type": True}
            )
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"

        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                types = connection.execute(
                    text(
                        "SELECT typname FROM pg_type t JOIN pg_namespace n"
                        " ON n.oid = t.typnamespace"
                        " WHERE n.nspname = 'public' AND t.typtype = 'e'"
                    )
                ).all()
            assert types == []
        upgrade()  # and up again, from empty
        assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path))
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    with app.app_context():
        db.engine.dispose()


def test_data_from_before_accounts_is_kept_searchable_and_goes_to_the_first_admin(
    tmp_path: Path, database_url: str
) -> None:
    from storybot.models import Story
    from storybot.services import account_service, token_service

    app = create_app(make_settings(tmp_path, database_url))
    with app.app_context():
        upgrade(revision="0003")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO prompt (uuid, title, content, tags, variables, created_at,"
                    " updated_at) VALUES ('0b0c6d0e-0000-4000-8000-000000000001', 'Old',"
                    " 'A lighthouse keeper', '[]', '[]', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            for title in ("The lighthouse", "Deleted later"):
                connection.execute(
                    text(
                        "INSERT INTO story (uuid, reader_name, status, title, text, language,"
                        " request, messages, engine, model, favourite, cancel_requested,"
                        " queued_at, created_at, updated_at) VALUES (:uuid, '', 'done', :title,"
                        " 'A lamp in the dark', 'en', '{}', '[]', 'local', 'm', false, false,"
                        " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    ),
                    {"uuid": f"00000000-0000-4000-8000-{len(title):012d}", "title": title},
                )
            last = connection.execute(text("SELECT max(id) FROM story")).scalar()
            connection.execute(text("DELETE FROM story WHERE title = 'Deleted later'"))
        upgrade()
        admin = account_service.create_first_admin("first@example.com", "a long password")
        with db.engine.connect() as connection:
            owners = connection.execute(text("SELECT DISTINCT owner_id FROM prompt")).scalars()
            assert set(owners) == {admin.id}
            assert connection.execute(text("SELECT owner_id FROM story")).scalar() == admin.id
        admin_id = admin.id
        db.session.remove()  # give back the connection reading admin.id took, then close all
        db.engine.dispose()

    with app.app_context(), write_intent():
        token = token_service.create_token(admin_id, "tests").token
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    found = client.get("/api/stories?q=lighthouse").json["items"]
    assert [s["title"] for s in found] == ["The lighthouse"]  # the search index still follows
    with app.app_context():
        story = Story(owner_id=admin_id, messages=[])
        db.session.add(story)
        db.session.commit()
        assert story.id > last  # ids are never reused, even after the tables were rebuilt
        db.session.remove()
        db.engine.dispose()
