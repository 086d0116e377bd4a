"""Local model files: listing them, downloading one by its link, making one an engine."""

from __future__ import annotations

from pathlib import Path

from storybot.config import Settings
from storybot.engines.local import list_local_models
from storybot.engines.registry import LocalEngineConfig
from storybot.errors import NotFound
from storybot.schemas.engines import EngineOut
from storybot.schemas.models import (
    DownloadCreate,
    DownloadError,
    DownloadOut,
    LocalModelOut,
    UseModel,
)
from storybot.services import engine_service
from storybot.services.components import components
from storybot.services.model_downloads import DownloadState, ModelDownloads
from storybot.services.settings_service import get_settings


def _settings() -> Settings:
    settings: Settings = components().settings
    return settings


def downloads() -> ModelDownloads:
    """This process's downloads."""
    manager: ModelDownloads = components().downloads
    return manager


def model_folders(settings: Settings) -> list[Path]:
    """Where model files are looked for: STORYBOT_MODEL_PATH's folder, then the models folder."""
    folders = [settings.models_dir]
    if settings.model_path is not None:
        folders.insert(0, Path(settings.model_path).expanduser().parent)
    return folders


def list_models() -> list[LocalModelOut]:
    """The built-in model and every GGUF file in the model folders, with the engines using them."""
    settings = _settings()
    models_dir = settings.models_dir.expanduser().resolve()
    users: dict[Path, list[str]] = {}
    for name, config in sorted(get_settings().engines.items()):
        if config.type == "local":
            path = config.model_path or settings.model_path
            key = Path(path).expanduser().resolve() if path else Path("<builtin>")
            users.setdefault(key, []).append(name)
    out = []
    for found in list_local_models(model_folders(settings)):
        path = Path(found["path"])
        resolved = path.expanduser().resolve()
        if found["builtin"]:
            source = "builtin"
            engines = users.get(resolved, []) + users.get(Path("<builtin>"), [])
        else:
            source = "downloaded" if resolved.parent == models_dir else "model_path"
            engines = users.get(resolved, [])
        out.append(
            LocalModelOut(
                name=found["name"],
                file_name=path.name,
                path=found["path"],
                size_bytes=found["size_bytes"],
                source=source,
                engines=sorted(engines),
            )
        )
    return out


def find_model(name: str) -> LocalModelOut:
    """The local model of this name (its file name without .gguf), or :class:`NotFound`."""
    for model in list_models():
        if name in (model.name, model.file_name):
            return model
    raise NotFound("model", name)


def use_model(name: str, request: UseModel) -> EngineOut:
    """Make the local model ``name`` a ``local`` engine that writes ``request.languages``."""
    model = find_model(name)
    # The built-in file goes without a path (an upgrade moves it) unless
    # STORYBOT_MODEL_PATH is set: a local engine without a path takes that one.
    pathless = model.source == "builtin" and _settings().model_path is None
    config = LocalEngineConfig(
        model_path=None if pathless else model.path, languages=list(request.languages)
    )
    return engine_service.add_engine(
        request.engine or engine_service.engine_name_for(model.name),
        config,
        make_default=request.make_default,
    )


def download_out(state: DownloadState) -> DownloadOut:
    """A download's state as the API shows it."""
    error = None
    if state.error_code is not None:
        error = DownloadError.model_validate(
            {"code": state.error_code, "message": state.error_message or ""}
        )
    return DownloadOut(
        id=state.id,
        url=state.url,
        file_name=state.file_name,
        model_name=Path(state.file_name).stem,
        path=state.path,
        status=state.status,
        bytes_done=state.bytes_done,
        bytes_total=state.bytes_total,
        seconds_left=state.seconds_left,
        retries=state.retries,
        sha256=state.sha256,
        error=error,
    )


def start_download(request: DownloadCreate) -> DownloadOut:
    """Start downloading a model file in the background."""
    return download_out(downloads().start(request.url.strip(), request.sha256).state())


def download_state(download_id: str) -> DownloadOut:
    """A download's progress."""
    return download_out(downloads().get(download_id).state())


def list_downloads() -> list[DownloadOut]:
    """Every download of this process."""
    return [download_out(d.state()) for d in downloads().all()]


def cancel_download(download_id: str) -> DownloadOut:
    """Cancel a download (its partial file goes); an ended one is taken off the list."""
    return download_out(downloads().cancel(download_id))
