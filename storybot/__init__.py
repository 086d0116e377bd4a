"""Storybot: a self-hosted AI story generator."""

from __future__ import annotations

from pathlib import Path

from flask_openapi3.models.info import Info
from flask_openapi3.openapi import OpenAPI
from sqlalchemy.engine import make_url

from storybot.api.contract import StorybotOpenAPI
from storybot.config import Settings, secret_key_for
from storybot.database import configure_sqlite, install_write_intent
from storybot.errors import register_error_handlers, validation_error_response
from storybot.extensions import db, migrate
from storybot.observability import init_observability
from storybot.security.cors import init_cors
from storybot.security.headers import install_security_headers
from storybot.security.proxies import trust_proxies

__version__ = "0.1.0"

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def create_app(settings: Settings | None = None) -> OpenAPI:
    """Build a Storybot WSGI application from ``settings`` (default: the environment)."""
    settings = settings or Settings()
    app = StorybotOpenAPI(
        __name__,
        info=Info(title="Storybot API", version=__version__),
        doc_prefix="/api/docs",
        doc_url="/openapi.json",
        validation_error_callback=validation_error_response,
    )
    app.config.update(
        SECRET_KEY=secret_key_for(settings),
        SECRET_KEY_FALLBACKS=settings.secret_key_fallbacks,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        # hide_parameters: a database error's message (logged with a 500) never holds
        # the values of its statement, which may be a token's hash or a family's text.
        SQLALCHEMY_ENGINE_OPTIONS={
            "pool_pre_ping": not settings.is_sqlite,
            "hide_parameters": True,
        },
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        TESTING=settings.env == "test",
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]

    url = make_url(str(settings.database_url))
    if settings.is_sqlite and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    if settings.is_sqlite:
        with app.app_context():
            configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    init_cors(app, settings)
    trust_proxies(app, settings.trusted_proxies)

    install_write_intent(app)
    register_error_handlers(app)
    install_security_headers(app)
    init_observability(app)
    _init_generation(app, settings)

    from storybot.api import register_api
    from storybot.web import register_web

    register_api(app)
    register_web(app)
    return app


def _init_generation(app: OpenAPI, settings: Settings) -> None:
    """The app's parts (:mod:`storybot.services.components`): the engines, the wake-up
    bus and the reads its followers share, the relay that carries the bus's publishes
    between processes (with ``STORYBOT_REDIS_URL``; started by the server, or by the
    first publish or event stream), the story runner (started on first use), the
    retention job (started by the server), the stream cap and model downloads. With
    queue workers (Redis), the runner only puts jobs on the queue."""
    from storybot.engines.registry import EngineRegistry
    from storybot.jobs.notify import StoryBus
    from storybot.jobs.queue_worker import QueueDispatch, story_jobs
    from storybot.jobs.relay import RedisRelay
    from storybot.jobs.runner import Dispatch, StoryRunner
    from storybot.observability.engine_up import EngineUpCollector
    from storybot.observability.metrics import add_scrape_collector
    from storybot.services import components, engine_service, settings_service
    from storybot.services.model_downloads import ModelDownloads
    from storybot.services.retention import RetentionJob
    from storybot.services.story_events import SharedReads
    from storybot.services.stream_gate import StreamGate, default_stream_limit

    bus = StoryBus()
    reads = SharedReads()
    bus.subscribe(reads.on_publish)
    relay = None
    if settings.redis_url:
        relay = RedisRelay(bus, settings.redis_url, prefix=settings.redis_prefix)
        bus.send_to(relay.send)

    def resume_allowed() -> bool:
        return settings_service.get_settings().resume_stories

    runner: Dispatch
    if settings.queue_workers and settings.redis_url:
        jobs = story_jobs(settings.redis_url, settings.redis_prefix)
        runner = QueueDispatch(app, bus, jobs, resume_allowed=resume_allowed)
    else:
        runner = StoryRunner(
            app,
            bus,
            lambda name: engine_service.registry().get(name),
            workers=settings.generation_workers,
            resume_allowed=resume_allowed,
            direct_start=settings.direct_start,
        )
    app.extensions[components.KEY] = components.Components(
        settings=settings,
        engines=EngineRegistry(model_path=settings.model_path),
        bus=bus,
        reads=reads,
        runner=runner,
        retention=RetentionJob(app),
        streams=StreamGate(settings.max_streams or default_stream_limit(settings.threads)),
        downloads=ModelDownloads(
            settings.models_dir, reserve_bytes=settings.download_reserve_bytes
        ),
        relay=relay,
    )
    add_scrape_collector(app, EngineUpCollector(engine_service.engine_probes))
